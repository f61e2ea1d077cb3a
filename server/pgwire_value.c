/* pgwire_value: values on the wire for the PostgreSQL front (see
 * pgwire_int.h): type OIDs and sizes, the text and binary forms of every
 * type, Bind parameters and $n rewriting, and the SQLSTATE and Position of
 * an engine error.
 *
 * Values (what a client reads):
 *  - boolean: bool (16), 't'/'f'; bigint: int8 (20); double: float8 (701)
 *    as PostgreSQL 15 prints it (shortest text that reads back the same
 *    double, exponent form below 1e-4 and from 1e15, "NaN", "Infinity");
 *    varchar: varchar (1043); date: date (1082);
 *  - timestamp: timestamp without time zone (1114), UTC, e.g.
 *    "2024-01-01 00:00:10.5". PostgreSQL's timestamps have microseconds, so
 *    nanoseconds are truncated toward the past to the microsecond, in text
 *    and binary alike (floor, not round: a point stays in the second, minute
 *    or bin it belongs to). A client that needs the nanoseconds selects
 *    to_nanoseconds(time) or CAST(time AS varchar);
 *  - intervals: interval (1186) in IntervalStyle postgres ("1 day
 *    02:00:00", "1 year 2 mons", "00:00:00.5"), microseconds likewise;
 *  - binary format where Bind asks for it: bool, int8, float8, text/varchar,
 *    timestamp (microseconds since 2000-01-01), date (days since
 *    2000-01-01), interval (microseconds, days, months).
 *  - parameters ($1..$n, rewritten to the engine's positional ?): typed by
 *    the OIDs Parse gives, text or binary; an untyped text parameter is a
 *    bigint when it reads as one, a double when it reads as a number, else
 *    varchar (so `usage > $1` and `host = $1` both work as clients expect).
 *
 * Errors: ErrorResponse with SQLSTATE mapped from the engine's error (42601
 * syntax, 42703 column, 42P01 table, 42883 function or operator, 22xxx
 * data, 54000 limits, 57014 timeout and cancel, XX000 internal), the
 * engine's message as the HTTP front gives it, and Position (1-based
 * characters in the query string) for parse errors and errors whose
 * message names a line and column.
 */
#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "api.h"
#include "json.h"
#include "pgwire_int.h"

#define MAX_PARAMS 65535

/* ------------------------------------------------------------ values */

uint32_t pgwire_oid_of(sql_vtype t)
{
    switch (t) {
    case SQLT_BOOLEAN: return PGWIRE_BOOL;
    case SQLT_BIGINT: return PGWIRE_INT8;
    case SQLT_DOUBLE: return PGWIRE_FLOAT8;
    case SQLT_VARCHAR: return PGWIRE_VARCHAR;
    case SQLT_TIMESTAMP: return PGWIRE_TIMESTAMP;
    case SQLT_DATE: return PGWIRE_DATE;
    case SQLT_INTERVAL_DS:
    case SQLT_INTERVAL_YM: return PGWIRE_INTERVAL;
    default: return PGWIRE_TEXT;
    }
}

int16_t pgwire_size_of(uint32_t oid)
{
    switch (oid) {
    case PGWIRE_BOOL: case PGWIRE_CHAR: return 1;
    case PGWIRE_INT2: return 2;
    case PGWIRE_INT4: case PGWIRE_OID: case PGWIRE_DATE: case PGWIRE_FLOAT4: return 4;
    case PGWIRE_INT8: case PGWIRE_FLOAT8: case PGWIRE_TIMESTAMP: return 8;
    case PGWIRE_NAME: return 64;
    case PGWIRE_INTERVAL: return 16;
    default: return -1;
    }
}

/* float8out of PostgreSQL 12+: the shortest digits that read back exactly,
 * fixed notation for decimal exponents -4..14, else d.ddde+XX. */
static void put_double(st_buf *b, double d)
{
    if (isnan(d)) {
        st_buf_put(b, "NaN", 3);
        return;
    }
    if (isinf(d)) {
        if (d < 0) st_buf_put(b, "-Infinity", 9);
        else st_buf_put(b, "Infinity", 8);
        return;
    }
    if (d == 0) {
        if (signbit(d)) st_buf_put(b, "-0", 2);
        else st_buf_putc(b, '0');
        return;
    }
    /* the shortest round-trip digits without printf (every float cell of
     * an answer comes through here) */
    char digits[24];
    int dp;
    size_t nd = (size_t)json_shortest(d, digits, &dp);
    int exp = dp - 1;
    if (d < 0) st_buf_putc(b, '-');
    if (exp >= -4 && exp < 15) {
        if (exp < 0) {
            st_buf_put(b, "0.", 2);
            for (int i = -1; i > exp; i--) st_buf_putc(b, '0');
            st_buf_put(b, digits, nd);
            return;
        }
        for (int i = 0; i <= exp; i++) st_buf_putc(b, (size_t)i < nd ? (uint8_t)digits[i] : '0');
        if ((size_t)exp + 1 < nd) {
            st_buf_putc(b, '.');
            st_buf_put(b, digits + exp + 1, nd - (size_t)exp - 1);
        }
        return;
    }
    st_buf_putc(b, (uint8_t)digits[0]);
    if (nd > 1) {
        st_buf_putc(b, '.');
        st_buf_put(b, digits + 1, nd - 1);
    }
    st_buf_printf(b, "e%c%02d", exp < 0 ? '-' : '+', exp < 0 ? -exp : exp);
}

static void put_date(st_buf *b, int64_t days)
{
    int64_t y;
    unsigned m, d;
    sqlv_civil_from_days(days, &y, &m, &d);
    if (y <= 0) st_buf_printf(b, "%04" PRId64 "-%02u-%02u", 1 - y, m, d);
    else st_buf_printf(b, "%04" PRId64 "-%02u-%02u", y, m, d);
}

static void put_fraction(st_buf *b, int64_t us)
{
    if (!us) return;
    char f[8];
    snprintf(f, sizeof f, "%06" PRId64, us);
    int n = 6;
    while (n > 1 && f[n - 1] == '0') n--;
    st_buf_putc(b, '.');
    st_buf_put(b, f, (size_t)n);
}

static void put_timestamp(st_buf *b, int64_t ns)
{
    int64_t us = sqlv_floordiv(ns, 1000);
    int64_t days = sqlv_floordiv(us, 86400000000LL);
    int64_t rem = us - days * 86400000000LL;
    int64_t y;
    unsigned m, d;
    sqlv_civil_from_days(days, &y, &m, &d);
    int64_t secs = rem / 1000000;
    int64_t yy = y <= 0 ? 1 - y : y;
    if (yy <= 9999) { /* the common case without printf: answers of many rows spend their time here */
        unsigned f[6] = {(unsigned)yy, m, d, (unsigned)(secs / 3600), (unsigned)(secs / 60 % 60), (unsigned)(secs % 60)};
        char t[19] = "0000-00-00 00:00:00";
        for (int i = 3; i >= 0; i--, f[0] /= 10) t[i] = (char)('0' + f[0] % 10);
        for (int k = 1; k < 6; k++) {
            int at = 2 + 3 * k; /* 5, 8, 11, 14, 17 */
            t[at] = (char)('0' + f[k] / 10);
            t[at + 1] = (char)('0' + f[k] % 10);
        }
        st_buf_put(b, t, sizeof t);
    } else {
        st_buf_printf(b, "%04" PRId64 "-%02u-%02u %02d:%02d:%02d", yy, m, d, (int)(secs / 3600),
                      (int)(secs / 60 % 60), (int)(secs % 60));
    }
    put_fraction(b, rem % 1000000);
    if (y <= 0) st_buf_put(b, " BC", 3);
}

/* IntervalStyle postgres: "-1 days +02:00:00", "1 year 2 mons", "00:00:00". */
static void put_interval(st_buf *b, int64_t months, int64_t days, int64_t us)
{
    bool any = false, neg = false;
    int64_t y = months / 12, mo = months % 12;
    const int64_t parts[3] = {y, mo, days};
    static const char *const unit[3] = {"year", "mon", "day"};
    for (int i = 0; i < 3; i++) {
        if (!parts[i]) continue;
        st_buf_printf(b, "%s%s%" PRId64 " %s%s", any ? " " : "", neg && parts[i] > 0 ? "+" : "", parts[i], unit[i],
                      parts[i] == 1 ? "" : "s");
        any = true;
        neg = parts[i] < 0;
    }
    if (us || !any) {
        if (any) st_buf_putc(b, ' ');
        if (us < 0) st_buf_putc(b, '-');
        else if (neg) st_buf_putc(b, '+');
        uint64_t a = us < 0 ? (uint64_t)0 - (uint64_t)us : (uint64_t)us;
        uint64_t secs = a / 1000000;
        st_buf_printf(b, "%02" PRIu64 ":%02d:%02d", secs / 3600, (int)(secs / 60 % 60), (int)(secs % 60));
        put_fraction(b, (int64_t)(a % 1000000));
    }
}

static void split_ds(int64_t ns, int64_t *days, int64_t *us)
{
    int64_t u = ns / 1000; /* toward zero: an interval is symmetric */
    *days = u / 86400000000LL;
    *us = u % 86400000000LL;
}

void pgwire_put_text(st_buf *b, const sql_value *v)
{
    int64_t days, us;
    switch (v->type) {
    case SQLT_BOOLEAN: st_buf_putc(b, v->u.b ? 't' : 'f'); return;
    case SQLT_BIGINT: json_int(b, v->u.i); return; /* digits and a sign, as PostgreSQL writes int8 */
    case SQLT_DOUBLE: put_double(b, v->u.d); return;
    case SQLT_VARCHAR: st_buf_put(b, v->u.s.p, v->u.s.n); return;
    case SQLT_TIMESTAMP: put_timestamp(b, v->u.i); return;
    case SQLT_DATE: put_date(b, v->u.i); return;
    case SQLT_INTERVAL_DS:
        split_ds(v->u.i, &days, &us);
        put_interval(b, 0, days, us);
        return;
    case SQLT_INTERVAL_YM: put_interval(b, v->u.i, 0, 0); return;
    default: sqlv_format(v, b); return;
    }
}

#define PG_EPOCH_US 946684800000000LL /* 2000-01-01 in microseconds since 1970 */
#define PG_EPOCH_DAYS 10957

void pgwire_put_binary(st_buf *b, const sql_value *v)
{
    int64_t days, us;
    uint64_t bits;
    switch (v->type) {
    case SQLT_BOOLEAN: st_buf_putc(b, v->u.b ? 1 : 0); return;
    case SQLT_BIGINT: pgwire_put64(b, (uint64_t)v->u.i); return;
    case SQLT_DOUBLE:
        memcpy(&bits, &v->u.d, 8);
        pgwire_put64(b, bits);
        return;
    case SQLT_TIMESTAMP: pgwire_put64(b, (uint64_t)(sqlv_floordiv(v->u.i, 1000) - PG_EPOCH_US)); return;
    case SQLT_DATE: pgwire_put32(b, (uint32_t)(int32_t)(v->u.i - PG_EPOCH_DAYS)); return;
    case SQLT_INTERVAL_DS:
        split_ds(v->u.i, &days, &us);
        pgwire_put64(b, (uint64_t)us);
        pgwire_put32(b, (uint32_t)(int32_t)days);
        pgwire_put32(b, 0);
        return;
    case SQLT_INTERVAL_YM:
        pgwire_put64(b, 0);
        pgwire_put32(b, 0);
        pgwire_put32(b, (uint32_t)(int32_t)v->u.i);
        return;
    default: pgwire_put_text(b, v); return;
    }
}

/* A local (text) cell in binary, by its column's type. */
void pgwire_put_local_binary(st_buf *b, uint32_t oid, const char *p, size_t n)
{
    char tmp[32];
    snprintf(tmp, sizeof tmp, "%.*s", (int)(n < 31 ? n : 31), p);
    switch (oid) {
    case PGWIRE_BOOL: st_buf_putc(b, tmp[0] == 't'); return;
    case PGWIRE_INT2: pgwire_put16(b, atoi(tmp)); return;
    case PGWIRE_INT4: case PGWIRE_OID: pgwire_put32(b, (uint32_t)strtoul(tmp, NULL, 10)); return;
    case PGWIRE_INT8: pgwire_put64(b, (uint64_t)strtoll(tmp, NULL, 10)); return;
    default: st_buf_put(b, p, n); return;
    }
}

/* ------------------------------------------------------------ parameters */

/* A parameter's value from Bind. 0, or fills err. */
int pgwire_decode_param(uint32_t oid, int fmt, const uint8_t *p, int32_t len, st_arena *a, sql_value *out,
                        pgwire_error *err, size_t pno)
{
    if (len < 0) {
        *out = sqlv_null(SQLT_UNKNOWN);
        return 0;
    }
    size_t n = (size_t)len;
    if (fmt == 1) {
        rd r = {p, n, 0, false};
        uint64_t u;
        switch (oid) {
        case PGWIRE_BOOL:
            if (n != 1) goto badlen;
            *out = sqlv_bool(p[0] != 0);
            return 0;
        case PGWIRE_INT2:
            if (n != 2) goto badlen;
            *out = sqlv_int(SQLT_BIGINT, pgwire_get16(&r));
            return 0;
        case PGWIRE_INT4:
            if (n != 4) goto badlen;
            *out = sqlv_int(SQLT_BIGINT, pgwire_get32(&r));
            return 0;
        case PGWIRE_INT8:
        case PGWIRE_TIMESTAMP:
        case PGWIRE_TIMESTAMPTZ:
        case PGWIRE_FLOAT8:
            if (n != 8) goto badlen;
            u = ((uint64_t)(uint32_t)pgwire_get32(&r) << 32) | (uint32_t)pgwire_get32(&r);
            if (oid == PGWIRE_INT8) *out = sqlv_int(SQLT_BIGINT, (int64_t)u);
            else if (oid == PGWIRE_FLOAT8) {
                double d;
                memcpy(&d, &u, 8);
                *out = sqlv_double(d);
            } else {
                int64_t usec = (int64_t)u;
                if (usec > INT64_MAX / 1000 - PG_EPOCH_US || usec < INT64_MIN / 1000 + PG_EPOCH_US) goto range;
                *out = sqlv_int(SQLT_TIMESTAMP, (usec + PG_EPOCH_US) * 1000);
            }
            return 0;
        case PGWIRE_FLOAT4: {
            if (n != 4) goto badlen;
            uint32_t w = (uint32_t)pgwire_get32(&r);
            float f;
            memcpy(&f, &w, 4);
            *out = sqlv_double(f);
            return 0;
        }
        case PGWIRE_DATE:
            if (n != 4) goto badlen;
            *out = sqlv_int(SQLT_DATE, (int64_t)pgwire_get32(&r) + PG_EPOCH_DAYS);
            return 0;
        case PGWIRE_TEXT:
        case PGWIRE_VARCHAR:
        case PGWIRE_NAME:
        case PGWIRE_CHAR:
            *out = sqlv_str(st_slice_of(st_arena_strndup(a, (const char *)p, n), n));
            return 0;
        default:
            pgwire_fail(err, "0A000",
                     "binary format of parameter $%zu (type %" PRIu32 ") is not supported: send it as text or "
                     "declare bool, int2, int4, int8, float4, float8, text, varchar, date or timestamp",
                     pno + 1, oid);
            return -1;
        }
    badlen:
        pgwire_fail(err, "22P03", "incorrect binary data format in bind parameter %zu", pno + 1);
        return -1;
    range:
        pgwire_fail(err, "22008", "timestamp out of range in bind parameter %zu", pno + 1);
        return -1;
    }
    char *s = st_arena_strndup(a, (const char *)p, n);
    st_slice sl = st_slice_of(s, n);
    char *ep;
    int64_t i;
    switch (oid) {
    case PGWIRE_BOOL:
        if (!strcasecmp(s, "t") || !strcasecmp(s, "true") || !strcasecmp(s, "on") || !strcasecmp(s, "yes") ||
            !strcmp(s, "1"))
            *out = sqlv_bool(true);
        else if (!strcasecmp(s, "f") || !strcasecmp(s, "false") || !strcasecmp(s, "off") || !strcasecmp(s, "no") ||
                 !strcmp(s, "0"))
            *out = sqlv_bool(false);
        else goto syntax;
        return 0;
    case PGWIRE_INT2:
    case PGWIRE_INT4:
    case PGWIRE_INT8:
        errno = 0;
        i = strtoll(s, &ep, 10);
        if (ep == s || *ep || errno) goto syntax;
        *out = sqlv_int(SQLT_BIGINT, i);
        return 0;
    case PGWIRE_FLOAT4:
    case PGWIRE_FLOAT8:
    case PGWIRE_NUMERIC: {
        double d = strtod(s, &ep);
        if (ep == s || *ep) goto syntax;
        *out = sqlv_double(d);
        return 0;
    }
    case PGWIRE_TIMESTAMP:
    case PGWIRE_TIMESTAMPTZ:
        if (!sqlv_parse_timestamp(sl, &i)) goto syntax;
        *out = sqlv_int(SQLT_TIMESTAMP, i);
        return 0;
    case PGWIRE_DATE:
        if (!sqlv_parse_date(sl, &i)) goto syntax;
        *out = sqlv_int(SQLT_DATE, i);
        return 0;
    case 0: {
        /* untyped: what the text reads as */
        errno = 0;
        i = strtoll(s, &ep, 10);
        if (n && ep != s && !*ep && !errno) {
            *out = sqlv_int(SQLT_BIGINT, i);
            return 0;
        }
        double d = strtod(s, &ep);
        bool numeric = n && ep != s && !*ep && (isdigit((unsigned char)s[n - 1]) || s[n - 1] == '.');
        if (numeric) {
            *out = sqlv_double(d);
            return 0;
        }
        *out = sqlv_str(sl);
        return 0;
    }
    default: *out = sqlv_str(sl); return 0;
    }
syntax:
    pgwire_fail(err, "22P02", "invalid input syntax for type %s: \"%.200s\" (parameter $%zu)",
             oid == PGWIRE_BOOL ? "boolean" : oid == PGWIRE_TIMESTAMP || oid == PGWIRE_TIMESTAMPTZ ? "timestamp"
             : oid == PGWIRE_DATE ? "date" : oid == PGWIRE_FLOAT4 || oid == PGWIRE_FLOAT8 || oid == PGWIRE_NUMERIC
             ? "double precision" : "bigint", s, pno + 1);
    return -1;
}

/* Rewrites $n to "?" padded with blanks to the same length (so that byte
 * offsets, and with them error positions, do not move) and records which
 * $n each ? stands for. Returns the highest n, or -1 past MAX_PARAMS. */
long pgwire_rewrite_params(char *q, size_t n, uint32_t **order, size_t *nocc)
{
    long max = 0;
    size_t cap = 0;
    *order = NULL;
    *nocc = 0;
    for (size_t i = 0; i < n;) {
        size_t j = pgwire_skip_quoted(q, n, i);
        if (j > i) {
            i = j;
            continue;
        }
        bool word_before = i > 0 && (isalnum((unsigned char)q[i - 1]) || q[i - 1] == '_');
        if (q[i] == '$' && !word_before && i + 1 < n && q[i + 1] >= '0' && q[i + 1] <= '9') {
            size_t k = i + 1;
            long v = 0;
            while (k < n && q[k] >= '0' && q[k] <= '9') {
                if (v <= MAX_PARAMS) v = v * 10 + (q[k] - '0');
                k++;
            }
            if (v < 1 || v > MAX_PARAMS) {
                st_free(*order);
                *order = NULL;
                return -1;
            }
            if (*nocc == cap) {
                cap = cap ? cap * 2 : 8;
                *order = st_realloc(*order, cap * sizeof **order);
            }
            (*order)[(*nocc)++] = (uint32_t)(v - 1);
            if (v > max) max = v;
            q[i] = '?';
            for (size_t m = i + 1; m < k; m++) q[m] = ' ';
            i = k;
            continue;
        }
        i++;
    }
    return max;
}

/* ------------------------------------------------------------ errors */

size_t pgwire_chars_in(const char *p, size_t n)
{
    size_t c = 0;
    for (size_t i = 0; i < n; i++) c += ((uint8_t)p[i] & 0xc0) != 0x80;
    return c;
}

static bool has(const char *msg, const char *w) { return strstr(msg, w) != NULL; }

/* SQLSTATE of an engine failure. */
static const char *sqlstate(int rc, const char *msg, bool parse)
{
    switch (rc) {
    case ST_ETIMEOUT: case ST_ECANCELED: return "57014";
    case ST_ELIMIT: return "54000";
    case ST_ENOSPC: return "53100";
    case ST_ECLOSED: return "57P01";
    case ST_EINVAL: case ST_ENOTFOUND: case ST_ERANGE: case ST_ECONFLICT: break;
    default: return "XX000";
    }
    if (parse || has(msg, "mismatched input") || has(msg, "extraneous input") || has(msg, "no viable alternative"))
        return "42601";
    if (has(msg, "Column '") && (has(msg, "does not exist") || has(msg, "cannot be resolved"))) return "42703";
    if (has(msg, "Database '") && has(msg, "does not exist")) return "3D000";
    if (has(msg, "Table '") && (has(msg, "does not exist") || has(msg, "not found"))) return "42P01";
    if (has(msg, "Function '") || has(msg, "Unexpected parameters") || has(msg, "Cannot apply operator") ||
        has(msg, "Unknown function"))
        return "42883";
    if (has(msg, "must be an aggregate expression or appear in GROUP BY")) return "42803";
    if (has(msg, "Cannot nest aggregations")) return "42803";
    if (has(msg, "Division by zero")) return "22012";
    if (has(msg, "overflow") || has(msg, "out of range") || has(msg, "Out of range")) return "22003";
    if (has(msg, "regexp")) return "2201B";
    if (has(msg, "timestamp") || has(msg, "date")) {
        if (has(msg, "cast") || has(msg, "valid") || has(msg, "parse") || has(msg, "Invalid format")) return "22007";
    }
    if (has(msg, "Cannot cast") || has(msg, "cannot be cast") || has(msg, "Cannot parse") || has(msg, "Invalid format") ||
        has(msg, "not a valid"))
        return "22P02";
    if (has(msg, "Incorrect number of parameters")) return "08P01";
    if (has(msg, "Unknown type")) return "42704";
    if (has(msg, "not supported") || has(msg, "not yet supported")) return "0A000";
    if (has(msg, "too deeply") || has(msg, "exceeded") || has(msg, "too large")) return "54000";
    return "42000";
}

/* Fills err from an engine failure of the statement q[0..n), which begins
 * base_chars characters into the query string the client sent. */
void pgwire_engine_error(int rc, const st_err *e, const sql_error *where, const char *q, size_t n, size_t base_chars,
                         pgwire_error *err)
{
    const char *msg = api_client_message(rc, e->msg);
    snprintf(err->code, sizeof err->code, "%s", sqlstate(rc, msg, where && where->line));
    if (rc == ST_ECANCELED) snprintf(err->msg, sizeof err->msg, "canceling statement due to user request");
    else snprintf(err->msg, sizeof err->msg, "%s", msg);
    err->position = 0;
    size_t off = SIZE_MAX;
    if (where && where->line && where->offset <= n) {
        off = where->offset;
    } else {
        unsigned line, col;
        if (sscanf(msg, "line %u:%u:", &line, &col) == 2 && line >= 1 && col >= 1) {
            size_t i = 0;
            for (unsigned l = 1; l < line && i < n; i++)
                if (q[i] == '\n') l++;
            /* col counts characters: step over col - 1 of them */
            for (unsigned k = 1; k < col && i < n; k++) {
                i++;
                while (i < n && ((uint8_t)q[i] & 0xc0) == 0x80) i++;
            }
            off = i;
        }
    }
    if (off != SIZE_MAX) err->position = base_chars + pgwire_chars_in(q, off) + 1;
}

int pgwire_fail(pgwire_error *err, const char *code, const char *fmt, ...)
{
    snprintf(err->code, sizeof err->code, "%s", code);
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err->msg, sizeof err->msg, fmt, ap);
    va_end(ap);
    return -1;
}
