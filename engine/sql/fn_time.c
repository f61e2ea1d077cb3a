/* fn_time: SQL's date and time functions (UTC, nanosecond timestamps). */
#include <ctype.h>
#include <inttypes.h>
#include <math.h>
#include <string.h>
#include <strings.h>

#include "sql/fn_int.h"

#define NS_DAY SQL_NS_PER_DAY
#define NS_HOUR (3600 * ST_NS_PER_S)
#define NS_MIN (60 * ST_NS_PER_S)
#define MAX_YEAR 5000000 /* far past any timestamp; keeps calendar arithmetic inside int64 */


/* a mod b in [0, b), without the a - floor(a / b) * b that overflows near INT64_MIN */
static int64_t floormod(int64_t a, int64_t b)
{
    int64_t r = a % b;
    return r < 0 ? r + b : r;
}

/* A timestamp taken apart. */
typedef struct tparts {
    int64_t y, days, nsod; /* nsod: ns since midnight */
    unsigned mo, d;
    int dow, doy;          /* ISO 1 = Monday; 1-based day of year */
} tparts;

static void split(int64_t ns, tparts *p)
{
    p->days = sqlv_floordiv(ns, NS_DAY);
    p->nsod = floormod(ns, NS_DAY);
    sqlv_civil_from_days(p->days, &p->y, &p->mo, &p->d);
    p->dow = (int)floormod(p->days + 3, 7) + 1; /* 1970-01-01 was a Thursday */
    p->doy = (int)(p->days - sqlv_days_from_civil(p->y, 1, 1)) + 1;
}

/* ISO 8601 week and its year: the week with the year's first Thursday is 1. */
static void iso_week(const tparts *p, int *week, int64_t *year)
{
    int w = (p->doy - p->dow + 10) / 7;
    int64_t y = p->y;
    if (w < 1) {
        y--;
        int64_t jan1 = sqlv_days_from_civil(y, 1, 1);
        int jdow = (int)floormod(jan1 + 3, 7) + 1;
        w = (jdow == 4 || (jdow == 3 && sqlv_is_leap(y))) ? 53 : 52;
    } else if (w == 53) {
        int64_t jan1 = sqlv_days_from_civil(y, 1, 1);
        int jdow = (int)floormod(jan1 + 3, 7) + 1;
        if (!(jdow == 4 || (jdow == 3 && sqlv_is_leap(y)))) {
            w = 1;
            y++;
        }
    }
    *week = w;
    *year = y;
}

static int ts_range(st_err *e) { return st_fail(e, ST_EINVAL, "timestamp out of range"); }

static int days_to_ns(int64_t days, int64_t nsod, int64_t *out, st_err *e)
{
    __int128 r = (__int128)days * NS_DAY + nsod;
    if (r < INT64_MIN || r > INT64_MAX) return ts_range(e);
    *out = (int64_t)r;
    return 0;
}

/* Calendar months added; the day clamps to the new month's last (Jan 31 +
 * 1 month = Feb 28 or 29), as Trino does. */
static int date_range(st_err *e) { return st_fail(e, ST_EINVAL, "date out of range"); }

static bool days_ok(int64_t d) { return d >= -SQL_FN_MAX_DAYS && d <= SQL_FN_MAX_DAYS; }

static int add_months_civil(int64_t days, int64_t months, int64_t *out, st_err *e)
{
    if (!days_ok(days)) return date_range(e);
    int64_t y;
    unsigned m, d;
    sqlv_civil_from_days(days, &y, &m, &d);
    if (months > 12 * (int64_t)MAX_YEAR || months < -12 * (int64_t)MAX_YEAR) return ts_range(e);
    int64_t t = y * 12 + (m - 1) + months;
    int64_t ny = sqlv_floordiv(t, 12);
    unsigned nm = (unsigned)(t - ny * 12) + 1;
    if (ny > MAX_YEAR || ny < -MAX_YEAR) return ts_range(e);
    unsigned dim = sqlv_days_in_month(ny, nm);
    *out = sqlv_days_from_civil(ny, nm, d > dim ? dim : d);
    return 0;
}

int sql_fn_add_months_days(int64_t days, int64_t months, int64_t *out, st_err *e)
{
    return add_months_civil(days, months, out, e);
}

int sql_fn_add_months_ns(int64_t ns, int64_t months, int64_t *out, st_err *e)
{
    int64_t days = sqlv_floordiv(ns, NS_DAY), nd = 0;
    int rc = add_months_civil(days, months, &nd, e);
    if (rc) return rc;
    return days_to_ns(nd, floormod(ns, NS_DAY), out, e);
}

/* ---- units ---- */

enum { U_NS = 1, U_US, U_MS, U_S, U_MIN, U_H, U_D, U_W, U_MON, U_Q, U_Y };

static int unit_of(st_slice s)
{
    static const struct {
        const char *n;
        int u;
    } units[] = {{"millisecond", U_MS}, {"second", U_S}, {"minute", U_MIN}, {"hour", U_H}, {"day", U_D},
                 {"week", U_W}, {"month", U_MON}, {"quarter", U_Q}, {"year", U_Y}};
    for (size_t i = 0; i < ST_ARRAY_LEN(units); i++)
        if (strlen(units[i].n) == s.n && !strncasecmp(units[i].n, s.p, s.n)) return units[i].u;
    return 0;
}

static int64_t unit_ns(int u)
{
    switch (u) {
    case U_MS: return ST_NS_PER_MS;
    case U_S: return ST_NS_PER_S;
    case U_MIN: return NS_MIN;
    case U_H: return NS_HOUR;
    case U_D: return NS_DAY;
    case U_W: return 7 * NS_DAY;
    default: return 0;
    }
}

/* The unit of a function's first argument; dates take day and longer. */
static int get_unit(sx_ctx *c, const sql_value *v, bool date, int *u)
{
    *u = unit_of(v->u.s);
    if (!*u || (date && *u < U_D))
        return st_fail(c->e, ST_EINVAL, "'%.*s' is not a valid %s field", (int)v->u.s.n, v->u.s.p,
                       date ? "DATE" : "Timestamp");
    return 0;
}

static int64_t trunc_days(int64_t days, int u)
{
    int64_t y;
    unsigned m, d;
    if (u == U_D) return days;
    if (u == U_W) return days - floormod(days + 3, 7); /* back to Monday */
    sqlv_civil_from_days(days, &y, &m, &d);
    if (u == U_MON) return sqlv_days_from_civil(y, m, 1);
    if (u == U_Q) return sqlv_days_from_civil(y, (m - 1) / 3 * 3 + 1, 1);
    return sqlv_days_from_civil(y, 1, 1);
}

static int fn_date_trunc(sx_ctx *c, const sx *x, const sql_value *v, sql_value *out)
{
    (void)x;
    bool date = v[1].type == SQLT_DATE;
    int u, rc = get_unit(c, &v[0], date, &u);
    if (rc) return rc;
    if (date) {
        if (!days_ok(v[1].u.i)) return date_range(c->e);
        *out = sqlv_int(SQLT_DATE, trunc_days(v[1].u.i, u));
        return 0;
    }
    int64_t ns = v[1].u.i;
    if (u < U_D) {
        int64_t q = unit_ns(u), r;
        if (__builtin_mul_overflow(sqlv_floordiv(ns, q), q, &r)) return ts_range(c->e);
        *out = sqlv_int(SQLT_TIMESTAMP, r);
        return 0;
    }
    int64_t r = 0;
    if ((rc = days_to_ns(trunc_days(sqlv_floordiv(ns, NS_DAY), u), 0, &r, c->e))) return rc;
    *out = sqlv_int(SQLT_TIMESTAMP, r);
    return 0;
}

static int fn_date_add(sx_ctx *c, const sx *x, const sql_value *v, sql_value *out)
{
    (void)x;
    bool date = v[2].type == SQLT_DATE;
    int u, rc = get_unit(c, &v[0], date, &u);
    if (rc) return rc;
    int64_t n = v[1].u.i, t = v[2].u.i, r = 0;
    if (u >= U_MON) {
        int64_t mul = u == U_MON ? 1 : u == U_Q ? 3 : 12;
        if (__builtin_mul_overflow(n, mul, &n)) return ts_range(c->e);
        rc = date ? sql_fn_add_months_days(t, n, &r, c->e) : sql_fn_add_months_ns(t, n, &r, c->e);
        if (rc) return rc;
    } else if (date) {
        if (__builtin_mul_overflow(n, u == U_W ? 7 : 1, &n) || __builtin_add_overflow(t, n, &r) || !days_ok(r))
            return date_range(c->e);
    } else if (__builtin_mul_overflow(n, unit_ns(u), &n) || __builtin_add_overflow(t, n, &r)) {
        return ts_range(c->e);
    }
    *out = sqlv_int(date ? SQLT_DATE : SQLT_TIMESTAMP, r);
    return 0;
}

/* Whole calendar months from a to b (b >= a), as Joda counts them: the
 * month is complete when b's offset into its month reaches a's, where a
 * day past the end of b's month counts as b's last day. */
static int64_t months_between(int64_t a, int64_t b)
{
    tparts pa, pb;
    split(a, &pa);
    split(b, &pb);
    int64_t diff = (pb.y - pa.y) * 12 + (int64_t)pb.mo - (int64_t)pa.mo;
    unsigned da = pa.d;
    if (pb.d == sqlv_days_in_month(pb.y, pb.mo) && da > pb.d) da = pb.d;
    int64_t ra = (int64_t)(da - 1) * NS_DAY + pa.nsod, rb = (int64_t)(pb.d - 1) * NS_DAY + pb.nsod;
    if (rb < ra) diff--;
    return diff;
}

/* Whole years, with Joda's leap-day balancing of the offsets into the year. */
static int64_t years_between(int64_t a, int64_t b)
{
    tparts pa, pb;
    split(a, &pa);
    split(b, &pb);
    __int128 ra = (__int128)(pa.doy - 1) * NS_DAY + pa.nsod, rb = (__int128)(pb.doy - 1) * NS_DAY + pb.nsod;
    const __int128 feb29 = (__int128)(31 + 28) * NS_DAY;
    if (ra >= feb29) {
        if (sqlv_is_leap(pa.y)) {
            if (!sqlv_is_leap(pb.y)) ra -= NS_DAY;
        } else if (sqlv_is_leap(pb.y)) {
            rb -= NS_DAY;
        }
    }
    int64_t diff = pb.y - pa.y;
    if (rb < ra) diff--;
    return diff;
}

static int fn_date_diff(sx_ctx *c, const sx *x, const sql_value *v, sql_value *out)
{
    (void)x;
    bool date = v[1].type == SQLT_DATE;
    int u, rc = get_unit(c, &v[0], date, &u);
    if (rc) return rc;
    int64_t a = v[1].u.i, b = v[2].u.i, r = 0;
    if (date) {
        if (u < U_MON) {
            *out = sqlv_int(SQLT_BIGINT, (int64_t)(((__int128)b - a) / (u == U_W ? 7 : 1)));
            return 0;
        }
        if ((rc = days_to_ns(a, 0, &a, c->e)) || (rc = days_to_ns(b, 0, &b, c->e))) return rc;
    }
    if (u < U_MON) {
        __int128 d = (__int128)b - a;
        r = (int64_t)(d / unit_ns(u)); /* truncated toward zero */
    } else {
        bool neg = b < a;
        int64_t lo = neg ? b : a, hi = neg ? a : b;
        r = u == U_Y ? years_between(lo, hi) : months_between(lo, hi);
        if (u == U_Q) r /= 3;
        if (neg) r = -r;
    }
    *out = sqlv_int(SQLT_BIGINT, r);
    return 0;
}

/* ---- now, ago, bin ---- */

enum { N_NOW = 1, N_DATE };

static int fn_now(sx_ctx *c, const sx *x, const sql_value *v, sql_value *out)
{
    (void)v;
    if (x->op == N_DATE) *out = sqlv_int(SQLT_DATE, sqlv_floordiv(c->now_ns, NS_DAY));
    else *out = sqlv_int(SQLT_TIMESTAMP, c->now_ns);
    return 0;
}

static int fn_ago(sx_ctx *c, const sx *x, const sql_value *v, sql_value *out)
{
    (void)x;
    int64_t r = 0;
    if (__builtin_sub_overflow(c->now_ns, v[0].u.i, &r)) return ts_range(c->e);
    *out = sqlv_int(SQLT_TIMESTAMP, r);
    return 0;
}

static int fn_bin(sx_ctx *c, const sx *x, const sql_value *v, sql_value *out)
{
    (void)x;
    int64_t t = v[0].u.i, w = v[1].u.i, r = 0;
    if (w <= 0) return st_fail(c->e, ST_EINVAL, "bin interval must be positive");
    if (__builtin_mul_overflow(sqlv_floordiv(t, w), w, &r)) return ts_range(c->e);
    *out = sqlv_int(SQLT_TIMESTAMP, r);
    return 0;
}

/* PostgreSQL's date_bin(stride, source, origin): bins of stride counted
 * from origin (Grafana's PostgreSQL users write it; bin() is the origin at
 * the epoch). */
static int fn_date_bin(sx_ctx *c, const sx *x, const sql_value *v, sql_value *out)
{
    (void)x;
    int64_t w = v[0].u.i, t = v[1].u.i, o = v[2].u.i, d, r;
    if (w <= 0) return st_fail(c->e, ST_EINVAL, "stride must be greater than zero");
    if (__builtin_sub_overflow(t, o, &d) || __builtin_mul_overflow(sqlv_floordiv(d, w), w, &r) ||
        __builtin_add_overflow(r, o, &r))
        return ts_range(c->e);
    *out = sqlv_int(SQLT_TIMESTAMP, r);
    return 0;
}

/* ---- epoch conversions ---- */

enum { E_MS = 1, E_NS, E_S_D, E_TO_MS, E_TO_NS, E_TO_S, E_IV_MS, E_IV_NS };

static int fn_epoch(sx_ctx *c, const sx *x, const sql_value *v, sql_value *out)
{
    int64_t r = 0;
    switch (x->op) {
    case E_MS:
        if (__builtin_mul_overflow(v[0].u.i, ST_NS_PER_MS, &r)) return ts_range(c->e);
        *out = sqlv_int(SQLT_TIMESTAMP, r);
        return 0;
    case E_NS: *out = sqlv_int(SQLT_TIMESTAMP, v[0].u.i); return 0;
    case E_S_D: {
        /* Trino rounds to microseconds as Java's Math.round (a double has
         * no more digits than that for present-day times anyway) */
        double us = floor(v[0].u.d * 1e6 + 0.5);
        if (!(us > -9223372036854775.0 && us < 9223372036854775.0)) return ts_range(c->e);
        *out = sqlv_int(SQLT_TIMESTAMP, (int64_t)us * 1000);
        return 0;
    }
    case E_TO_MS: *out = sqlv_int(SQLT_BIGINT, sqlv_floordiv(v[0].u.i, ST_NS_PER_MS)); return 0;
    case E_TO_NS: *out = sqlv_int(SQLT_BIGINT, v[0].u.i); return 0;
    case E_IV_MS: *out = sqlv_int(SQLT_BIGINT, v[0].u.i / ST_NS_PER_MS); return 0;
    case E_IV_NS: *out = sqlv_int(SQLT_BIGINT, v[0].u.i); return 0;
    default: {
        int64_t s = sqlv_floordiv(v[0].u.i, ST_NS_PER_S);
        *out = sqlv_double((double)s + (double)floormod(v[0].u.i, ST_NS_PER_S) / 1e9);
        return 0;
    }
    }
}

/* ---- ISO 8601 ---- */

static int bad_format(st_err *e, st_slice s) { return st_fail(e, ST_EINVAL, "Invalid format: \"%.*s\"", (int)s.n, s.p); }

static bool ndigits(const char **p, const char *end, int min, int max, int64_t *out)
{
    int64_t v = 0;
    int n = 0;
    while (n < max && *p < end && **p >= '0' && **p <= '9') v = v * 10 + (*(*p)++ - '0'), n++;
    *out = v;
    return n >= min;
}

/* YYYY[-MM[-DD]][THH[:MM[:SS[.f]]]][Z|+HH[:MM]|-HH[:MM]]; a date when time is false. */
static bool parse_iso(st_slice s, bool time, int64_t *out)
{
    const char *p = s.p, *end = s.p + s.n;
    int64_t y, m = 1, d = 1, h = 0, mi = 0, sec = 0, frac = 0, off = 0;
    if (!ndigits(&p, end, 4, 4, &y)) return false;
    if (p < end && *p == '-') {
        p++;
        if (!ndigits(&p, end, 2, 2, &m)) return false;
        if (p < end && *p == '-') {
            p++;
            if (!ndigits(&p, end, 2, 2, &d)) return false;
        }
    }
    if (m < 1 || m > 12 || d < 1 || d > sqlv_days_in_month(y, (unsigned)m)) return false;
    int64_t days = sqlv_days_from_civil(y, (unsigned)m, (unsigned)d);
    if (!time) {
        if (p != end) return false;
        *out = days;
        return true;
    }
    if (p < end && *p == 'T') {
        p++;
        if (!ndigits(&p, end, 2, 2, &h)) return false;
        if (p < end && *p == ':') {
            p++;
            if (!ndigits(&p, end, 2, 2, &mi)) return false;
            if (p < end && *p == ':') {
                p++;
                if (!ndigits(&p, end, 2, 2, &sec)) return false;
                if (p < end && (*p == '.' || *p == ',')) {
                    p++;
                    const char *f = p;
                    if (!ndigits(&p, end, 1, 9, &frac)) return false;
                    for (long k = p - f; k < 9; k++) frac *= 10;
                    while (p < end && *p >= '0' && *p <= '9') p++; /* finer than ns: dropped */
                }
            }
        }
        if (h > 24 || mi > 59 || sec > 59 || (h == 24 && (mi || sec || frac))) return false;
    }
    if (p < end && (*p == 'Z' || *p == 'z')) {
        p++;
    } else if (p < end && (*p == '+' || *p == '-')) {
        int sign = *p++ == '-' ? -1 : 1;
        int64_t oh, om = 0;
        if (!ndigits(&p, end, 2, 2, &oh)) return false;
        if (p < end && *p == ':') p++;
        if (p < end && !ndigits(&p, end, 2, 2, &om)) return false;
        if (oh > 18 || om > 59) return false;
        off = sign * (oh * 3600 + om * 60);
    }
    if (p != end) return false;
    __int128 t = ((__int128)days * 86400 + h * 3600 + mi * 60 + sec - off) * ST_NS_PER_S + frac;
    if (t < INT64_MIN || t > INT64_MAX) return false;
    *out = (int64_t)t;
    return true;
}

static int fn_from_iso(sx_ctx *c, const sx *x, const sql_value *v, sql_value *out)
{
    int64_t r = 0;
    bool date = x->op == 1;
    if (!parse_iso(v[0].u.s, !date, &r)) return bad_format(c->e, v[0].u.s);
    *out = sqlv_int(date ? SQLT_DATE : SQLT_TIMESTAMP, r);
    return 0;
}

static int fn_to_iso(sx_ctx *c, const sx *x, const sql_value *v, sql_value *out)
{
    (void)x;
    if (v[0].type == SQLT_DATE && !days_ok(v[0].u.i)) return date_range(c->e);
    st_buf b = {0};
    if (v[0].type == SQLT_DATE) sqlv_format(&v[0], &b);
    else sqlv_format_rfc3339(v[0].u.i, &b);
    *out = sql_fn_buf_value(c, &b);
    return 0;
}

/* ---- date_format / date_parse (MySQL specifiers) ---- */

static const char *const month_names[] = {"January", "February", "March",     "April",   "May",      "June",
                                          "July",    "August",   "September", "October", "November", "December"};
static const char *const day_names[] = {"Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"};

static int fn_date_format(sx_ctx *c, const sx *x, const sql_value *v, sql_value *out)
{
    (void)x;
    tparts p;
    split(v[0].u.i, &p);
    int h = (int)(p.nsod / NS_HOUR), mi = (int)(p.nsod / NS_MIN % 60), s = (int)(p.nsod / ST_NS_PER_S % 60);
    int h12 = h % 12 ? h % 12 : 12;
    st_slice f = v[1].u.s;
    st_buf b = {0};
    for (size_t i = 0; i < f.n; i++) {
        if (f.p[i] != '%' || i + 1 == f.n) {
            st_buf_putc(&b, (uint8_t)f.p[i]);
            continue;
        }
        char k = f.p[++i];
        switch (k) {
        case 'a': st_buf_put(&b, day_names[p.dow - 1], 3); break;
        case 'b': st_buf_put(&b, month_names[p.mo - 1], 3); break;
        case 'c': st_buf_printf(&b, "%u", p.mo); break;
        case 'd': st_buf_printf(&b, "%02u", p.d); break;
        case 'e': st_buf_printf(&b, "%u", p.d); break;
        case 'f': /* Trino's formatter holds milliseconds: 123000, never 123456 */
            st_buf_printf(&b, "%03d000", (int)(p.nsod % ST_NS_PER_S / ST_NS_PER_MS));
            break;
        case 'H': st_buf_printf(&b, "%02d", h); break;
        case 'h':
        case 'I': st_buf_printf(&b, "%02d", h12); break;
        case 'i': st_buf_printf(&b, "%02d", mi); break;
        case 'j': st_buf_printf(&b, "%03d", p.doy); break;
        case 'k': st_buf_printf(&b, "%d", h); break;
        case 'l': st_buf_printf(&b, "%d", h12); break;
        case 'M': st_buf_printf(&b, "%s", month_names[p.mo - 1]); break;
        case 'm': st_buf_printf(&b, "%02u", p.mo); break;
        case 'p': st_buf_printf(&b, "%s", h < 12 ? "AM" : "PM"); break;
        case 'r': st_buf_printf(&b, "%02d:%02d:%02d %s", h12, mi, s, h < 12 ? "AM" : "PM"); break;
        case 'S':
        case 's': st_buf_printf(&b, "%02d", s); break;
        case 'T': st_buf_printf(&b, "%02d:%02d:%02d", h, mi, s); break;
        case 'v':
        case 'x': {
            int w;
            int64_t wy;
            iso_week(&p, &w, &wy);
            if (k == 'v') st_buf_printf(&b, "%02d", w);
            else st_buf_printf(&b, "%04" PRId64, wy);
            break;
        }
        case 'W': st_buf_printf(&b, "%s", day_names[p.dow - 1]); break;
        case 'Y': st_buf_printf(&b, "%04" PRId64, p.y); break;
        case 'y': st_buf_printf(&b, "%02d", (int)floormod(p.y, 100)); break;
        case 'U':
        case 'u':
        case 'V':
        case 'w':
        case 'X':
        case 'D':
            st_buf_free(&b);
            return st_fail(c->e, ST_EINVAL, "%%%c not supported in date format string", k);
        default: st_buf_putc(&b, (uint8_t)k); break; /* %% and any other %x: x */
        }
    }
    *out = sql_fn_buf_value(c, &b);
    return 0;
}

static bool match_name(const char **p, const char *end, const char *const *names, int n, bool abbr, int *out)
{
    for (int i = 0; i < n; i++) {
        size_t len = abbr ? 3 : strlen(names[i]);
        if ((size_t)(end - *p) >= len && !strncasecmp(*p, names[i], len)) {
            *p += len;
            *out = i;
            return true;
        }
    }
    return false;
}

static int fn_date_parse(sx_ctx *c, const sx *x, const sql_value *v, sql_value *out)
{
    (void)x;
    st_slice s = v[0].u.s, f = v[1].u.s;
    const char *p = s.p, *end = s.p + s.n;
    int64_t y = 1970, mo = 1, d = 1, h = 0, mi = 0, sec = 0, frac = 0, doy = 0, t;
    int pm = -1;
    bool h12 = false;
    /* %T and %r stand for longer formats */
    char fbuf[4096];
    size_t fn = 0;
    for (size_t i = 0; i < f.n && fn + 16 < sizeof fbuf; i++) {
        if (f.p[i] == '%' && i + 1 < f.n && (f.p[i + 1] == 'T' || f.p[i + 1] == 'r')) {
            const char *r = f.p[i + 1] == 'T' ? "%H:%i:%s" : "%h:%i:%s %p";
            memcpy(fbuf + fn, r, strlen(r));
            fn += strlen(r);
            i++;
        } else fbuf[fn++] = f.p[i];
    }
    for (size_t i = 0; i < fn; i++) {
        bool ok = true;
        if (fbuf[i] != '%' || i + 1 == fn) {
            ok = p < end && *p == fbuf[i];
            if (ok) p++;
        } else {
            char k = fbuf[++i];
            int ni;
            switch (k) {
            case 'Y': ok = ndigits(&p, end, 1, 4, &y); break;
            case 'y':
                ok = ndigits(&p, end, 2, 2, &t);
                y = t < 70 ? 2000 + t : 1900 + t;
                break;
            case 'm':
            case 'c': ok = ndigits(&p, end, 1, 2, &mo); break;
            case 'd':
            case 'e': ok = ndigits(&p, end, 1, 2, &d); break;
            case 'H':
            case 'k': ok = ndigits(&p, end, 1, 2, &h); break;
            case 'h':
            case 'I':
            case 'l':
                ok = ndigits(&p, end, 1, 2, &h);
                h12 = true;
                break;
            case 'i': ok = ndigits(&p, end, 1, 2, &mi); break;
            case 's':
            case 'S': ok = ndigits(&p, end, 1, 2, &sec); break;
            case 'f': {
                const char *st = p;
                ok = ndigits(&p, end, 1, 9, &frac);
                for (long n = p - st; ok && n < 9; n++) frac *= 10;
                frac -= frac % ST_NS_PER_MS; /* Trino's date_parse keeps milliseconds */
                break;
            }
            case 'j': ok = ndigits(&p, end, 1, 3, &doy); break;
            case 'p':
                if (end - p >= 2 && !strncasecmp(p, "AM", 2)) pm = 0, p += 2;
                else if (end - p >= 2 && !strncasecmp(p, "PM", 2)) pm = 1, p += 2;
                else ok = false;
                break;
            case 'M':
            case 'b':
                ok = match_name(&p, end, month_names, 12, k == 'b', &ni);
                mo = ni + 1;
                break;
            case 'W':
            case 'a': ok = match_name(&p, end, day_names, 7, k == 'a', &ni); break;
            case 'U':
            case 'u':
            case 'V':
            case 'w':
            case 'X':
            case 'v':
            case 'x':
            case 'D': return st_fail(c->e, ST_EINVAL, "%%%c not supported in date format string", k);
            default:
                ok = p < end && *p == k;
                if (ok) p++;
                break;
            }
        }
        if (!ok) {
            if (p >= end)
                return st_fail(c->e, ST_EINVAL, "Invalid format: \"%.*s\" is too short", (int)s.n, s.p);
            return st_fail(c->e, ST_EINVAL, "Invalid format: \"%.*s\" is malformed at \"%.*s\"", (int)s.n, s.p,
                           (int)(end - p), p);
        }
    }
    if (p != end)
        return st_fail(c->e, ST_EINVAL, "Invalid format: \"%.*s\" is malformed at \"%.*s\"", (int)s.n, s.p,
                       (int)(end - p), p);
#define RANGE(v, lo, hi, what)                                                                                      \
    if ((v) < (lo) || (v) > (hi))                                                                                   \
        return st_fail(c->e, ST_EINVAL, "Cannot parse \"%.*s\": Value %" PRId64 " for " what " must be in the range [%d,%d]", \
                       (int)s.n, s.p, (int64_t)(v), (int)(lo), (int)(hi));
    if (h12) {
        RANGE(h, 1, 12, "clockhourOfHalfday")
        h = h % 12 + (pm == 1 ? 12 : 0);
    } else if (pm == 1 && h < 12) {
        h += 12;
    }
    RANGE(mo, 1, 12, "monthOfYear")
    RANGE(d, 1, (int)sqlv_days_in_month(y, (unsigned)mo), "dayOfMonth")
    RANGE(h, 0, 23, "hourOfDay")
    RANGE(mi, 0, 59, "minuteOfHour")
    RANGE(sec, 0, 59, "secondOfMinute")
    if (doy) RANGE(doy, 1, sqlv_is_leap(y) ? 366 : 365, "dayOfYear")
#undef RANGE
    int64_t days = doy ? sqlv_days_from_civil(y, 1, 1) + doy - 1 : sqlv_days_from_civil(y, (unsigned)mo, (unsigned)d);
    int64_t r = 0;
    int rc = days_to_ns(days, h * NS_HOUR + mi * NS_MIN + sec * ST_NS_PER_S + frac, &r, c->e);
    if (rc) return rc;
    *out = sqlv_int(SQLT_TIMESTAMP, r);
    return 0;
}

/* ---- parse_duration ---- */

static int fn_parse_duration(sx_ctx *c, const sx *x, const sql_value *v, sql_value *out)
{
    (void)x;
    st_slice s = v[0].u.s;
    const char *p = s.p, *end = s.p + s.n;
    while (p < end && isspace((unsigned char)*p)) p++;
    __int128 ip = 0, fp = 0, scale = 1;
    const char *d0 = p;
    while (p < end && *p >= '0' && *p <= '9') {
        if (ip < (__int128)1 << 100) ip = ip * 10 + (*p - '0');
        p++;
    }
    bool ok = p > d0;
    if (ok && p < end && *p == '.') {
        const char *f0 = ++p;
        while (p < end && *p >= '0' && *p <= '9') {
            if (scale < (__int128)1000000000000000000LL) fp = fp * 10 + (*p - '0'), scale *= 10;
            p++;
        }
        ok = p > f0;
    }
    while (p < end && isspace((unsigned char)*p)) p++;
    const char *u0 = p;
    while (p < end && isalpha((unsigned char)*p)) p++;
    st_slice unit = st_slice_of(u0, (size_t)(p - u0));
    while (p < end && isspace((unsigned char)*p)) p++;
    if (!ok || !unit.n || p != end)
        return st_fail(c->e, ST_EINVAL, "duration is not a valid data duration string: %.*s", (int)s.n, s.p);
    static const struct {
        const char *n;
        int64_t ns;
    } units[] = {{"ns", 1}, {"us", 1000}, {"ms", ST_NS_PER_MS}, {"s", ST_NS_PER_S}, {"m", NS_MIN}, {"h", NS_HOUR}, {"d", NS_DAY}};
    int64_t un = 0;
    for (size_t i = 0; i < ST_ARRAY_LEN(units); i++)
        if (strlen(units[i].n) == unit.n && !memcmp(units[i].n, unit.p, unit.n)) un = units[i].ns;
    if (!un) return st_fail(c->e, ST_EINVAL, "Unknown time unit: %.*s", (int)unit.n, unit.p);
    __int128 r = ip * un + (fp * un * 2 + scale) / (scale * 2); /* the fraction rounded half up */
    if (ip > INT64_MAX || r > INT64_MAX) return st_fail(c->e, ST_EINVAL, "interval day to second out of range");
    *out = sqlv_int(SQLT_INTERVAL_DS, (int64_t)r);
    return 0;
}

/* ---- fields ---- */

enum { F_YEAR = 1, F_QUARTER, F_MONTH, F_WEEK, F_DAY, F_DOW, F_DOY, F_HOUR, F_MINUTE, F_SECOND, F_MS, F_YOW, F_LAST };

static int fn_field(sx_ctx *c, const sx *x, const sql_value *v, sql_value *out)
{
    (void)c;
    tparts p;
    split(v[0].u.i, &p);
    int64_t r = 0;
    switch (x->op) {
    case F_YEAR: r = p.y; break;
    case F_QUARTER: r = (p.mo - 1) / 3 + 1; break;
    case F_MONTH: r = p.mo; break;
    case F_DAY: r = p.d; break;
    case F_DOW: r = p.dow; break;
    case F_DOY: r = p.doy; break;
    case F_HOUR: r = p.nsod / NS_HOUR; break;
    case F_MINUTE: r = p.nsod / NS_MIN % 60; break;
    case F_SECOND: r = p.nsod / ST_NS_PER_S % 60; break;
    case F_MS: r = p.nsod / ST_NS_PER_MS % 1000; break;
    case F_WEEK:
    case F_YOW: {
        int w;
        int64_t wy;
        iso_week(&p, &w, &wy);
        r = x->op == F_WEEK ? w : wy;
        break;
    }
    case F_LAST:
        *out = sqlv_int(SQLT_DATE, sqlv_days_from_civil(p.y, p.mo, sqlv_days_in_month(p.y, p.mo)));
        return 0;
    }
    *out = sqlv_int(SQLT_BIGINT, r);
    return 0;
}

/* Fields of intervals: Java's truncating division, as Trino. */
static int fn_ivl_field(sx_ctx *c, const sx *x, const sql_value *v, sql_value *out)
{
    (void)c;
    int64_t i = v[0].u.i, r = 0;
    if (v[0].type == SQLT_INTERVAL_YM) r = x->op == F_YEAR ? i / 12 : i % 12;
    else switch (x->op) {
        case F_DAY: r = i / NS_DAY; break;
        case F_HOUR: r = i / NS_HOUR % 24; break;
        case F_MINUTE: r = i / NS_MIN % 60; break;
        case F_SECOND: r = i / ST_NS_PER_S % 60; break;
        default: r = i / ST_NS_PER_MS % 1000; break;
        }
    *out = sqlv_int(SQLT_BIGINT, r);
    return 0;
}

#define FLD(n, o) {n, fn_field, o, FT_I, 1, {FT_T}, 0}
const sql_fn_entry sql_fn_time_tab[] = {
    {"now", fn_now, N_NOW, FT_T, 0, {0}, 0},
    {"current_timestamp", fn_now, N_NOW, FT_T, 0, {0}, 0},
    {"localtimestamp", fn_now, N_NOW, FT_T, 0, {0}, 0},
    {"current_date", fn_now, N_DATE, FT_DT, 0, {0}, 0},
    {"ago", fn_ago, 0, FT_T, 1, {FT_DS}, 0},
    {"bin", fn_bin, 0, FT_T, 2, {FT_T, FT_DS}, 0},
    {"date_bin", fn_date_bin, 0, FT_T, 3, {FT_DS, FT_T, FT_T}, 0},
    {"date_trunc", fn_date_trunc, 0, FT_DT, 2, {FT_V, FT_DT}, 0},
    {"date_trunc", fn_date_trunc, 0, FT_T, 2, {FT_V, FT_T}, 0},
    {"date_add", fn_date_add, 0, FT_DT, 3, {FT_V, FT_I, FT_DT}, 0},
    {"date_add", fn_date_add, 0, FT_T, 3, {FT_V, FT_I, FT_T}, 0},
    {"date_diff", fn_date_diff, 0, FT_I, 3, {FT_V, FT_DT, FT_DT}, 0},
    {"date_diff", fn_date_diff, 0, FT_I, 3, {FT_V, FT_T, FT_T}, 0},
    {"from_milliseconds", fn_epoch, E_MS, FT_T, 1, {FT_I}, 0},
    {"from_nanoseconds", fn_epoch, E_NS, FT_T, 1, {FT_I}, 0},
    {"from_unixtime_nanos", fn_epoch, E_NS, FT_T, 1, {FT_I}, 0},
    {"from_unixtime", fn_epoch, E_S_D, FT_T, 1, {FT_D}, 0},
    {"to_milliseconds", fn_epoch, E_TO_MS, FT_I, 1, {FT_T}, 0},
    {"to_milliseconds", fn_epoch, E_IV_MS, FT_I, 1, {FT_DS}, 0},
    {"to_nanoseconds", fn_epoch, E_TO_NS, FT_I, 1, {FT_T}, 0},
    {"to_nanoseconds", fn_epoch, E_IV_NS, FT_I, 1, {FT_DS}, 0},
    {"to_unixtime", fn_epoch, E_TO_S, FT_D, 1, {FT_T}, 0},
    {"from_iso8601_timestamp", fn_from_iso, 0, FT_T, 1, {FT_V}, 0},
    {"from_iso8601_timestamp_nanos", fn_from_iso, 0, FT_T, 1, {FT_V}, 0},
    {"from_iso8601_date", fn_from_iso, 1, FT_DT, 1, {FT_V}, 0},
    {"to_iso8601", fn_to_iso, 0, FT_V, 1, {FT_DT}, 0},
    {"to_iso8601", fn_to_iso, 0, FT_V, 1, {FT_T}, 0},
    {"date_format", fn_date_format, 0, FT_V, 2, {FT_T, FT_V}, 0},
    {"date_parse", fn_date_parse, 0, FT_T, 2, {FT_V, FT_V}, 0},
    {"parse_duration", fn_parse_duration, 0, FT_DS, 1, {FT_V}, 0},
    FLD("year", F_YEAR), FLD("quarter", F_QUARTER), FLD("month", F_MONTH), FLD("week", F_WEEK),
    FLD("week_of_year", F_WEEK), FLD("day", F_DAY), FLD("day_of_month", F_DAY), FLD("day_of_week", F_DOW),
    FLD("dow", F_DOW), FLD("day_of_year", F_DOY), FLD("doy", F_DOY), FLD("hour", F_HOUR),
    FLD("minute", F_MINUTE), FLD("second", F_SECOND), FLD("millisecond", F_MS), FLD("year_of_week", F_YOW),
    FLD("yow", F_YOW),
    {"last_day_of_month", fn_field, F_LAST, FT_DT, 1, {FT_T}, 0},
    {"year", fn_ivl_field, F_YEAR, FT_I, 1, {FT_YM}, 0},
    {"month", fn_ivl_field, F_MONTH, FT_I, 1, {FT_YM}, 0},
    {"day", fn_ivl_field, F_DAY, FT_I, 1, {FT_DS}, 0},
    {"hour", fn_ivl_field, F_HOUR, FT_I, 1, {FT_DS}, 0},
    {"minute", fn_ivl_field, F_MINUTE, FT_I, 1, {FT_DS}, 0},
    {"second", fn_ivl_field, F_SECOND, FT_I, 1, {FT_DS}, 0},
    {"millisecond", fn_ivl_field, F_MS, FT_I, 1, {FT_DS}, 0},
};
#undef FLD
const size_t sql_fn_time_n = ST_ARRAY_LEN(sql_fn_time_tab);
