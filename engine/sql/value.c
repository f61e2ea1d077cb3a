/* value: SQL values (see value.h). */
#include <errno.h>
#include <float.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "bits.h"
#include "sql/sql.h"
#include "sql/value.h"

const char *sql_vtype_name(sql_vtype t)
{
    switch (t) {
    case SQLT_BOOLEAN: return "boolean";
    case SQLT_BIGINT: return "bigint";
    case SQLT_DOUBLE: return "double";
    case SQLT_VARCHAR: return "varchar";
    case SQLT_TIMESTAMP: return "timestamp";
    case SQLT_DATE: return "date";
    case SQLT_INTERVAL_DS: return "interval day to second";
    case SQLT_INTERVAL_YM: return "interval year to month";
    default: break;
    }
    static const char *const arrays[] = {"array(unknown)", "array(boolean)", "array(bigint)", "array(double)",
                                         "array(varchar)", "array(timestamp)", "array(date)",
                                         "array(interval day to second)", "array(interval year to month)"};
    static const char *const series[] = {"timeseries(unknown)", "timeseries(boolean)", "timeseries(bigint)",
                                         "timeseries(double)", "timeseries(varchar)", "timeseries(timestamp)",
                                         "timeseries(date)", "timeseries(interval day to second)",
                                         "timeseries(interval year to month)"};
    unsigned el = sqlt_elem(t);
    if (el <= SQLT_INTERVAL_YM) {
        if (sqlt_is_array(t)) return arrays[el];
        if (sqlt_is_ts(t)) return series[el];
    }
    return "unknown";
}

sql_value sqlv_array(st_arena *a, uint8_t t, size_t n, sql_value **elems, int64_t **times)
{
    sql_array *arr = st_arena_alloc(a, sizeof *arr);
    sql_value *v = st_arena_alloc(a, (n ? n : 1) * sizeof *v);
    int64_t *ts = sqlt_is_ts(t) ? st_arena_alloc(a, (n ? n : 1) * sizeof *ts) : NULL;
    arr->n = n;
    arr->v = v;
    arr->times = ts;
    *elems = v;
    if (times) *times = ts;
    sql_value out = {.type = t};
    out.u.arr = arr;
    return out;
}

sql_value sqlv_copy(st_arena *a, const sql_value *v)
{
    sql_value o = *v;
    if (v->null) return o;
    if (v->type == SQLT_VARCHAR && v->u.s.n) o.u.s.p = st_arena_strndup(a, v->u.s.p, v->u.s.n);
    else if (sqlt_is_composite(v->type) && v->u.arr) {
        const sql_array *src = v->u.arr;
        sql_value *el;
        int64_t *ts;
        o = sqlv_array(a, v->type, src->n, &el, &ts);
        for (size_t i = 0; i < src->n; i++) el[i] = sqlv_copy(a, &src->v[i]);
        if (ts && src->times) memcpy(ts, src->times, src->n * sizeof *ts);
    }
    return o;
}

/* ---- checked bigint arithmetic ---- */

int sqlv_add_i64(int64_t a, int64_t b, int64_t *out, st_err *e)
{
    if (__builtin_add_overflow(a, b, out))
        return st_fail(e, ST_EINVAL, "bigint addition overflow: %" PRId64 " + %" PRId64, a, b);
    return 0;
}

int sqlv_sub_i64(int64_t a, int64_t b, int64_t *out, st_err *e)
{
    if (__builtin_sub_overflow(a, b, out))
        return st_fail(e, ST_EINVAL, "bigint subtraction overflow: %" PRId64 " - %" PRId64, a, b);
    return 0;
}

int sqlv_mul_i64(int64_t a, int64_t b, int64_t *out, st_err *e)
{
    if (__builtin_mul_overflow(a, b, out))
        return st_fail(e, ST_EINVAL, "bigint multiplication overflow: %" PRId64 " * %" PRId64, a, b);
    return 0;
}

int sqlv_div_i64(int64_t a, int64_t b, int64_t *out, st_err *e)
{
    if (b == 0) return st_fail(e, ST_EINVAL, "Division by zero");
    if (a == INT64_MIN && b == -1)
        return st_fail(e, ST_EINVAL, "bigint division overflow: %" PRId64 " / %" PRId64, a, b);
    *out = a / b; /* C truncates toward zero, as Trino does */
    return 0;
}

int sqlv_mod_i64(int64_t a, int64_t b, int64_t *out, st_err *e)
{
    if (b == 0) return st_fail(e, ST_EINVAL, "Division by zero");
    *out = b == -1 ? 0 : a % b; /* sign of the dividend, as Java's % */
    return 0;
}

/* ---- order and equality ---- */

static int cmp_double(double x, double y)
{
    bool nx = isnan(x), ny = isnan(y);
    if (nx || ny) return nx - ny; /* NaN after every number */
    return (x > y) - (x < y);
}

static int cmp_arrays(const sql_value *a, const sql_value *b)
{
    const sql_array *x = a->u.arr, *y = b->u.arr;
    size_t n = x->n < y->n ? x->n : y->n;
    for (size_t i = 0; i < n; i++) {
        if (x->times && y->times && x->times[i] != y->times[i]) return x->times[i] < y->times[i] ? -1 : 1;
        const sql_value *p = &x->v[i], *q = &y->v[i];
        if (p->null || q->null) {
            if (p->null != q->null) return p->null ? 1 : -1;
            continue;
        }
        int c = sqlv_cmp(p, q);
        if (c) return c;
    }
    return (x->n > y->n) - (x->n < y->n);
}

int sqlv_cmp(const sql_value *a, const sql_value *b)
{
    if (sqlt_is_composite(a->type)) return cmp_arrays(a, b);
    switch (a->type) {
    case SQLT_BOOLEAN: return (int)a->u.b - (int)b->u.b;
    case SQLT_DOUBLE: return cmp_double(a->u.d, b->u.d);
    case SQLT_VARCHAR: return st_slice_cmp(a->u.s, b->u.s);
    case SQLT_UNKNOWN: return 0;
    default: return (a->u.i > b->u.i) - (a->u.i < b->u.i);
    }
}

bool sqlv_same(const sql_value *a, const sql_value *b)
{
    if (a->null || b->null) return a->null && b->null;
    if (a->type != b->type) return false;
    if (sqlt_is_composite(a->type)) {
        const sql_array *x = a->u.arr, *y = b->u.arr;
        if (x->n != y->n) return false;
        for (size_t i = 0; i < x->n; i++) {
            if (x->times && y->times && x->times[i] != y->times[i]) return false;
            if (!sqlv_same(&x->v[i], &y->v[i])) return false;
        }
        return true;
    }
    if (a->type == SQLT_DOUBLE) return a->u.d == b->u.d || (isnan(a->u.d) && isnan(b->u.d));
    return sqlv_cmp(a, b) == 0;
}

uint64_t sqlv_hash(const sql_value *v, uint64_t seed)
{
    if (v->null) return seed * 31 + 7;
    if (sqlt_is_composite(v->type)) {
        uint64_t h = st_hash64(&v->u.arr->n, sizeof v->u.arr->n, seed);
        for (size_t i = 0; i < v->u.arr->n; i++) {
            if (v->u.arr->times) h = st_hash64(&v->u.arr->times[i], 8, h);
            h = sqlv_hash(&v->u.arr->v[i], h);
        }
        return h;
    }
    switch (v->type) {
    case SQLT_VARCHAR: return st_hash64(v->u.s.p, v->u.s.n, seed);
    case SQLT_DOUBLE: {
        double d = v->u.d == 0 ? 0 : isnan(v->u.d) ? NAN : v->u.d;
        return st_hash64(&d, 8, seed);
    }
    case SQLT_BOOLEAN: {
        uint8_t b = v->u.b;
        return st_hash64(&b, 1, seed);
    }
    default: return st_hash64(&v->u.i, 8, seed);
    }
}

/* ---- calendar ---- */

/* Days from 1970-01-01 to y-m-d, proleptic Gregorian: count whole 400-year
 * eras of 146097 days from 0000-03-01, the year starting in March so that
 * the leap day ends it. */
int64_t sqlv_days_from_civil(int64_t y, unsigned m, unsigned d)
{
    y -= m <= 2;
    int64_t era = (y >= 0 ? y : y - 399) / 400;
    int64_t yoe = y - era * 400;
    int64_t mp = (m + 9) % 12; /* March = 0 */
    int64_t doy = (153 * mp + 2) / 5 + d - 1;
    int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

void sqlv_civil_from_days(int64_t z, int64_t *y, unsigned *m, unsigned *d)
{
    z += 719468;
    int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    int64_t doe = z - era * 146097;
    int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    int64_t mp = (5 * doy + 2) / 153;
    *d = (unsigned)(doy - (153 * mp + 2) / 5 + 1);
    *m = (unsigned)(mp < 10 ? mp + 3 : mp - 9);
    *y = yoe + era * 400 + (*m <= 2);
}

static bool digits(const char **p, const char *end, int n, int64_t *out)
{
    int64_t v = 0;
    for (int i = 0; i < n; i++) {
        if (*p >= end || (**p < '0' || **p > '9')) return false;
        v = v * 10 + (*(*p)++ - '0');
    }
    *out = v;
    return true;
}

static bool valid_ymd(int64_t y, int64_t m, int64_t d)
{
    return m >= 1 && m <= 12 && d >= 1 && d <= (int64_t)sqlv_days_in_month(y, (unsigned)m);
}

static bool parse_ymd(const char **p, const char *end, int64_t *days)
{
    int64_t y, m, d;
    const char *s = *p;
    while (s < end && *s == ' ') s++;
    if (!digits(&s, end, 4, &y) || s >= end || *s++ != '-') return false;
    const char *q = s;
    if (!digits(&s, end, 2, &m)) {
        s = q;
        if (!digits(&s, end, 1, &m)) return false;
    }
    if (s >= end || *s++ != '-') return false;
    q = s;
    if (!digits(&s, end, 2, &d)) {
        s = q;
        if (!digits(&s, end, 1, &d)) return false;
    }
    if (!valid_ymd(y, m, d)) return false;
    *days = sqlv_days_from_civil(y, (unsigned)m, (unsigned)d);
    *p = s;
    return true;
}

bool sqlv_parse_date(st_slice str, int64_t *days)
{
    const char *p = str.p, *end = str.p + str.n;
    if (!parse_ymd(&p, end, days)) return false;
    while (p < end && *p == ' ') p++;
    return p == end;
}

bool sqlv_parse_timestamp(st_slice str, int64_t *ns)
{
    const char *p = str.p, *end = str.p + str.n;
    int64_t days, h = 0, mi = 0, sec = 0, frac = 0, off = 0;
    if (!parse_ymd(&p, end, &days)) return false;
    if (p < end && (*p == ' ' || *p == 'T') && p + 1 < end && p[1] >= '0' && p[1] <= '9') {
        p++;
        if (!digits(&p, end, 2, &h) || p >= end || *p++ != ':' || !digits(&p, end, 2, &mi)) return false;
        if (p < end && *p == ':') {
            p++;
            if (!digits(&p, end, 2, &sec)) return false;
            if (p < end && *p == '.') {
                p++;
                int n = 0;
                while (p < end && *p >= '0' && *p <= '9') {
                    if (n < 9) frac = frac * 10 + (*p - '0');
                    else if (*p != '0') return false; /* finer than a nanosecond */
                    n++;
                    p++;
                }
                if (!n) return false;
                for (; n < 9; n++) frac *= 10;
            }
        }
        if (h > 23 || mi > 59 || sec > 59) return false;
    }
    while (p < end && *p == ' ') p++;
    if (p < end && (*p == 'Z' || *p == 'z')) {
        p++;
    } else if (end - p == 3 && !strncmp(p, "UTC", 3)) {
        p += 3;
    } else if (p < end && (*p == '+' || *p == '-')) {
        int sign = *p++ == '-' ? -1 : 1;
        int64_t oh, om = 0;
        if (!digits(&p, end, 2, &oh)) return false;
        if (p < end && *p == ':') p++;
        if (p < end && !digits(&p, end, 2, &om)) return false;
        if (oh > 18 || om > 59) return false;
        off = sign * (oh * 3600 + om * 60);
    }
    if (p != end) return false;
    /* in range of int64 nanoseconds: 1677-09-21 .. 2262-04-11 */
    __int128 t = ((__int128)days * 86400 + h * 3600 + mi * 60 + sec - off) * ST_NS_PER_S + frac;
    if (t < INT64_MIN || t > INT64_MAX) return false;
    *ns = (int64_t)t;
    return true;
}

/* ---- text ---- */

void sqlv_format_double(double d, st_buf *out)
{
    if (isnan(d)) {
        st_buf_printf(out, "NaN");
        return;
    }
    if (isinf(d)) {
        st_buf_printf(out, d > 0 ? "Infinity" : "-Infinity");
        return;
    }
    if (d == 0) {
        st_buf_printf(out, signbit(d) ? "-0.0" : "0.0");
        return;
    }
    /* the shortest digits that read back as d: a double whose shortest
     * form has at most 15 digits prints as exactly those, zeros after,
     * with 15 (its rounding error is below half a unit of the 15th), so
     * one try usually does; else 16, then 17 */
    char buf[40];
    /* subnormals carry fewer digits: every length is tried */
    for (int prec = fabs(d) < DBL_MIN ? 0 : 14; prec <= 16; prec++) {
        snprintf(buf, sizeof buf, "%.*e", prec, d);
        if (strtod(buf, NULL) == d) break;
    }
    /* buf: [-]D[.DDD]e[+-]XX */
    char dig[24];
    size_t nd = 0;
    const char *p = buf;
    bool neg = *p == '-';
    if (neg) p++;
    for (; *p && *p != 'e'; p++)
        if (*p != '.') dig[nd++] = *p;
    int exp10 = atoi(p + 1);
    while (nd > 1 && dig[nd - 1] == '0') nd--;
    sqlv_format_digits(neg, dig, nd, exp10 + 1, out);
}

void sqlv_format_digits(bool neg, const char *dig, size_t nd, int dp, st_buf *out)
{
    if (neg) st_buf_putc(out, '-');
    /* 1e-3 <= |v| < 1e7, Java's plain range, is -2 <= dp <= 7 */
    if (dp >= -2 && dp <= 7) {
        if (dp > 0) {
            for (int i = 0; i < dp; i++) st_buf_putc(out, (size_t)i < nd ? (uint8_t)dig[i] : '0');
            st_buf_putc(out, '.');
            if ((size_t)dp >= nd) st_buf_putc(out, '0');
            else st_buf_put(out, dig + dp, nd - (size_t)dp);
        } else {
            st_buf_put(out, "0.", 2);
            for (int i = 0; i < -dp; i++) st_buf_putc(out, '0');
            st_buf_put(out, dig, nd);
        }
        return;
    }
    st_buf_putc(out, (uint8_t)dig[0]);
    st_buf_putc(out, '.');
    if (nd == 1) st_buf_putc(out, '0');
    else st_buf_put(out, dig + 1, nd - 1);
    st_buf_printf(out, "E%d", dp - 1);
}

static void put_ts(int64_t ns, st_buf *out, char sep, bool zulu)
{
    int64_t secs = sqlv_floordiv(ns, ST_NS_PER_S);
    int64_t frac = ns % ST_NS_PER_S; /* not ns - secs * 1e9, which overflows near INT64_MIN */
    if (frac < 0) frac += ST_NS_PER_S;
    int64_t days = sqlv_floordiv(secs, 86400), sod = secs - days * 86400;
    int64_t y;
    unsigned m, d;
    sqlv_civil_from_days(days, &y, &m, &d);
    if (y >= 0 && y <= 9999) {
        /* every answer's timestamps go through here: no printf */
        char b[32], *p = b;
        unsigned v4 = (unsigned)y;
        *p++ = (char)('0' + v4 / 1000), *p++ = (char)('0' + v4 / 100 % 10);
        *p++ = (char)('0' + v4 / 10 % 10), *p++ = (char)('0' + v4 % 10);
        unsigned two[5] = {m, d, (unsigned)(sod / 3600), (unsigned)(sod / 60 % 60), (unsigned)(sod % 60)};
        const char seps[5] = {'-', '-', sep, ':', ':'};
        for (int i = 0; i < 5; i++) {
            *p++ = seps[i];
            *p++ = (char)('0' + two[i] / 10), *p++ = (char)('0' + two[i] % 10);
        }
        *p++ = '.';
        for (int i = 8; i >= 0; i--, frac /= 10) p[i] = (char)('0' + frac % 10);
        p += 9;
        if (zulu) *p++ = 'Z';
        st_buf_put(out, b, (size_t)(p - b));
        return;
    }
    st_buf_printf(out, "%04" PRId64 "-%02u-%02u%c%02d:%02d:%02d.%09" PRId64 "%s", y, m, d, sep, (int)(sod / 3600),
                  (int)(sod / 60 % 60), (int)(sod % 60), frac, zulu ? "Z" : "");
}

void sqlv_format_rfc3339(int64_t ns, st_buf *out) { put_ts(ns, out, 'T', true); }

void sqlv_format(const sql_value *v, st_buf *out)
{
    if (v->null) {
        st_buf_printf(out, "NULL");
        return;
    }
    switch (v->type) {
    case SQLT_BOOLEAN: st_buf_printf(out, v->u.b ? "true" : "false"); break;
    case SQLT_BIGINT: st_buf_printf(out, "%" PRId64, v->u.i); break;
    case SQLT_DOUBLE: sqlv_format_double(v->u.d, out); break;
    case SQLT_VARCHAR: st_buf_put(out, v->u.s.p, v->u.s.n); break;
    case SQLT_TIMESTAMP: put_ts(v->u.i, out, ' ', false); break;
    case SQLT_DATE: {
        int64_t y;
        unsigned m, d;
        sqlv_civil_from_days(v->u.i, &y, &m, &d);
        st_buf_printf(out, "%04" PRId64 "-%02u-%02u", y, m, d);
        break;
    }
    case SQLT_INTERVAL_DS: {
        int64_t ns = v->u.i;
        uint64_t a = ns < 0 ? (uint64_t)0 - (uint64_t)ns : (uint64_t)ns;
        uint64_t s = a / ST_NS_PER_S, f = a % ST_NS_PER_S;
        st_buf_printf(out, "%s%" PRIu64 " %02u:%02u:%02u.%09" PRIu64, ns < 0 ? "-" : "", s / 86400,
                      (unsigned)(s / 3600 % 24), (unsigned)(s / 60 % 60), (unsigned)(s % 60), f);
        break;
    }
    case SQLT_INTERVAL_YM: {
        int64_t mo = v->u.i;
        uint64_t a = mo < 0 ? (uint64_t)0 - (uint64_t)mo : (uint64_t)mo;
        st_buf_printf(out, "%s%" PRIu64 "-%" PRIu64, mo < 0 ? "-" : "", a / 12, a % 12);
        break;
    }
    default:
        if (sqlt_is_composite(v->type)) {
            const sql_array *arr = v->u.arr;
            st_buf_putc(out, '[');
            for (size_t i = 0; i < arr->n; i++) {
                if (i) st_buf_put(out, ", ", 2);
                if (arr->times) {
                    st_buf_put(out, "{time: ", 7);
                    put_ts(arr->times[i], out, ' ', false);
                    st_buf_put(out, ", value: ", 9);
                    sqlv_format(&arr->v[i], out);
                    st_buf_putc(out, '}');
                } else {
                    sqlv_format(&arr->v[i], out);
                }
            }
            st_buf_putc(out, ']');
            break;
        }
        st_buf_printf(out, "NULL");
        break;
    }
}

/* ---- casts ---- */

bool sqlv_castable(sql_vtype from, sql_vtype to)
{
    if (from == to || from == SQLT_UNKNOWN || to == SQLT_VARCHAR) return true;
    if (sqlt_is_composite(from) || sqlt_is_composite(to))
        return (from & 0x60) == (to & 0x60) && sqlv_castable((sql_vtype)sqlt_elem(from), (sql_vtype)sqlt_elem(to));
    switch (to) {
    case SQLT_BOOLEAN:
    case SQLT_BIGINT:
    case SQLT_DOUBLE:
        return from == SQLT_BOOLEAN || from == SQLT_BIGINT || from == SQLT_DOUBLE || from == SQLT_VARCHAR;
    case SQLT_TIMESTAMP: return from == SQLT_VARCHAR || from == SQLT_DATE;
    case SQLT_DATE: return from == SQLT_VARCHAR || from == SQLT_TIMESTAMP;
    case SQLT_INTERVAL_DS:
    case SQLT_INTERVAL_YM: return from == SQLT_VARCHAR;
    default: return false;
    }
}

static st_slice trim(st_slice s)
{
    while (s.n && (s.p[0] == ' ' || s.p[0] == '\t' || s.p[0] == '\n' || s.p[0] == '\r')) s.p++, s.n--;
    while (s.n && (s.p[s.n - 1] == ' ' || s.p[s.n - 1] == '\t' || s.p[s.n - 1] == '\n' || s.p[s.n - 1] == '\r'))
        s.n--;
    return s;
}

static bool parse_i64(st_slice s, int64_t *out)
{
    s = trim(s);
    if (!s.n || s.n > 40) return false;
    char buf[48];
    memcpy(buf, s.p, s.n);
    buf[s.n] = 0;
    char *end;
    errno = 0;
    long long v = strtoll(buf, &end, 10);
    if (*end || errno || end == buf || buf[0] == ' ') return false;
    *out = v;
    return true;
}

static bool parse_f64(st_slice s, double *out)
{
    s = trim(s);
    if (!s.n || s.n > 400) return false;
    char buf[408];
    memcpy(buf, s.p, s.n);
    buf[s.n] = 0;
    if (!strcmp(buf, "NaN")) {
        *out = NAN;
        return true;
    }
    if (!strcmp(buf, "Infinity") || !strcmp(buf, "+Infinity")) {
        *out = INFINITY;
        return true;
    }
    if (!strcmp(buf, "-Infinity")) {
        *out = -INFINITY;
        return true;
    }
    for (char *c = buf; *c; c++) /* strtod's hex floats, inf and nan words are not SQL */
        if (*c == 'x' || *c == 'X' || *c == 'n' || *c == 'N' || *c == 'i' || *c == 'I') return false;
    char *end;
    double d = strtod(buf, &end);
    if (*end || end == buf) return false;
    *out = d;
    return true;
}

static st_slice arena_text(st_arena *a, const st_buf *b)
{
    char *p = st_arena_strndup(a, (const char *)b->p, b->len);
    return st_slice_of(p, b->len);
}

int sqlv_cast(const sql_value *v, sql_vtype to, st_arena *a, sql_value *out, st_err *e)
{
    if (v->null) {
        *out = sqlv_null(to);
        return 0;
    }
    sql_vtype from = v->type;
    if (from == to) {
        *out = *v;
        return 0;
    }
    if (sqlt_is_composite(from) && (from & 0x60) == (to & 0x60)) {
        const sql_array *src = v->u.arr;
        sql_value *el;
        int64_t *ts;
        *out = sqlv_array(a, (uint8_t)to, src->n, &el, &ts);
        for (size_t i = 0; i < src->n; i++) {
            int rc = sqlv_cast(&src->v[i], (sql_vtype)sqlt_elem(to), a, &el[i], e);
            if (rc) return rc;
        }
        if (ts) memcpy(ts, src->times, src->n * sizeof *ts);
        return 0;
    }
    switch (to) {
    case SQLT_VARCHAR: {
        st_buf b = {0};
        sqlv_format(v, &b);
        *out = sqlv_str(arena_text(a, &b));
        st_buf_free(&b);
        return 0;
    }
    case SQLT_BOOLEAN:
        if (from == SQLT_BIGINT) *out = sqlv_bool(v->u.i != 0);
        else if (from == SQLT_DOUBLE) *out = sqlv_bool(v->u.d != 0);
        else if (from == SQLT_VARCHAR) {
            st_slice s = trim(v->u.s);
            if ((s.n == 4 && !strncasecmp(s.p, "true", 4)) || (s.n == 1 && s.p[0] == '1')) *out = sqlv_bool(true);
            else if ((s.n == 5 && !strncasecmp(s.p, "false", 5)) || (s.n == 1 && s.p[0] == '0'))
                *out = sqlv_bool(false);
            else return st_fail(e, ST_EINVAL, "Cannot cast '%.*s' to BOOLEAN", (int)v->u.s.n, v->u.s.p);
        } else break;
        return 0;
    case SQLT_BIGINT:
        if (from == SQLT_BOOLEAN) *out = sqlv_int(SQLT_BIGINT, v->u.b);
        else if (from == SQLT_DOUBLE) {
            double d = v->u.d;
            if (isnan(d)) return st_fail(e, ST_EINVAL, "Cannot cast double NaN to bigint");
            double r = round(d); /* half away from zero, as Trino */
            if (!(r >= -9223372036854775808.0 && r < 9223372036854775808.0)) {
                st_buf b = {0};
                sqlv_format_double(d, &b);
                st_fail(e, ST_EINVAL, "Out of range for bigint: %.*s", (int)b.len, (const char *)b.p);
                st_buf_free(&b);
                return ST_EINVAL;
            }
            *out = sqlv_int(SQLT_BIGINT, (int64_t)r);
        } else if (from == SQLT_VARCHAR) {
            int64_t i;
            if (!parse_i64(v->u.s, &i))
                return st_fail(e, ST_EINVAL, "Cannot cast '%.*s' to BIGINT", (int)v->u.s.n, v->u.s.p);
            *out = sqlv_int(SQLT_BIGINT, i);
        } else break;
        return 0;
    case SQLT_DOUBLE:
        if (from == SQLT_BOOLEAN) *out = sqlv_double(v->u.b);
        else if (from == SQLT_BIGINT) *out = sqlv_double((double)v->u.i);
        else if (from == SQLT_VARCHAR) {
            double d;
            if (!parse_f64(v->u.s, &d))
                return st_fail(e, ST_EINVAL, "Cannot cast '%.*s' to DOUBLE", (int)v->u.s.n, v->u.s.p);
            *out = sqlv_double(d);
        } else break;
        return 0;
    case SQLT_TIMESTAMP:
        if (from == SQLT_VARCHAR) {
            int64_t ns;
            if (!sqlv_parse_timestamp(v->u.s, &ns))
                return st_fail(e, ST_EINVAL, "Value cannot be cast to timestamp: %.*s", (int)v->u.s.n, v->u.s.p);
            *out = sqlv_int(SQLT_TIMESTAMP, ns);
        } else if (from == SQLT_DATE) {
            if (v->u.i > INT64_MAX / 86400 / ST_NS_PER_S || v->u.i < INT64_MIN / 86400 / ST_NS_PER_S)
                return st_fail(e, ST_EINVAL, "timestamp out of range");
            *out = sqlv_int(SQLT_TIMESTAMP, v->u.i * 86400 * ST_NS_PER_S);
        } else break;
        return 0;
    case SQLT_DATE:
        if (from == SQLT_VARCHAR) {
            int64_t d;
            if (!sqlv_parse_date(v->u.s, &d))
                return st_fail(e, ST_EINVAL, "Value cannot be cast to date: %.*s", (int)v->u.s.n, v->u.s.p);
            *out = sqlv_int(SQLT_DATE, d);
        } else if (from == SQLT_TIMESTAMP) {
            *out = sqlv_int(SQLT_DATE, sqlv_floordiv(v->u.i, 86400 * ST_NS_PER_S));
        } else break;
        return 0;
    case SQLT_INTERVAL_DS:
    case SQLT_INTERVAL_YM:
        if (from == SQLT_VARCHAR) {
            /* PostgreSQL's interval text ('2h', '5 minutes'), as '2h'::interval */
            bool ym;
            int64_t months, ns;
            if (!sql_parse_pg_interval(trim(v->u.s), &ym, &months, &ns) || ym != (to == SQLT_INTERVAL_YM))
                return st_fail(e, ST_EINVAL, "Value cannot be cast to %s: %.*s", sql_vtype_name(to), (int)v->u.s.n, v->u.s.p);
            *out = sqlv_int(to, ym ? months : ns);
            return 0;
        }
        break;
    default: break;
    }
    return st_fail(e, ST_EINVAL, "Cannot cast %s to %s", sql_vtype_name(from), sql_vtype_name(to));
}
