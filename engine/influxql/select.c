/* select: InfluxQL SELECT on the query layer (see select.h).
 *
 * The pieces, in the order a statement goes through them: time bounds and
 * conditions from WHERE; the measurements of FROM and each one's schema
 * (fields with their types, tag keys: keys only, nothing decoded); the
 * fields the statement reads; points, tag set by tag set; groups; then
 * projection (raw) or buckets and aggregates, fill, order and limits. */
#include "influxql/select.h"

#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "bits.h"
#include "matcher.h"

#define DEFAULT_MAX_POINTS 50000000u

/* ------------------------------------------------------------ time strings */

static bool digits(const char *p, const char *end, int n, int *out)
{
    if (end - p < n) return false;
    int v = 0;
    for (int i = 0; i < n; i++) {
        if (p[i] < '0' || p[i] > '9') return false;
        v = v * 10 + (p[i] - '0');
    }
    *out = v;
    return true;
}

/* Days since 1970-01-01 of a civil date (proleptic Gregorian). */
static int64_t days_from_civil(int64_t y, int m, int d)
{
    y -= m <= 2;
    int64_t era = (y >= 0 ? y : y - 399) / 400;
    int64_t yoe = y - era * 400;
    int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

int iql_parse_time(st_slice s, int64_t *ns)
{
    const char *p = s.p, *end = s.p + s.n;
    int y, mo, d, h = 0, mi = 0, se = 0;
    if (!digits(p, end, 4, &y) || end - p < 10 || p[4] != '-' || !digits(p + 5, end, 2, &mo) || p[7] != '-' ||
        !digits(p + 8, end, 2, &d))
        return ST_EINVAL;
    p += 10;
    int64_t frac = 0, zone = 0;
    if (p < end) {
        if (*p != 'T' && *p != ' ') return ST_EINVAL;
        p++;
        if (!digits(p, end, 2, &h) || end - p < 8 || p[2] != ':' || !digits(p + 3, end, 2, &mi) || p[5] != ':' ||
            !digits(p + 6, end, 2, &se))
            return ST_EINVAL;
        p += 8;
        if (p < end && *p == '.') {
            p++;
            int nd = 0;
            while (p < end && *p >= '0' && *p <= '9') {
                if (nd < 9) frac = frac * 10 + (*p - '0');
                nd++;
                p++;
            }
            if (!nd) return ST_EINVAL;
            for (; nd < 9; nd++) frac *= 10;
        }
        if (p < end && (*p == 'Z' || *p == 'z')) {
            p++;
        } else if (p < end && (*p == '+' || *p == '-')) {
            int zh, zm;
            if (!digits(p + 1, end, 2, &zh) || end - p < 6 || p[3] != ':' || !digits(p + 4, end, 2, &zm))
                return ST_EINVAL;
            zone = (*p == '-' ? -1 : 1) * ((int64_t)zh * 3600 + zm * 60);
            p += 6;
        }
        if (p != end) return ST_EINVAL;
    }
    if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || se > 60) return ST_EINVAL;
    int64_t secs = days_from_civil(y, mo, d) * 86400 + h * 3600 + mi * 60 + se - zone;
    if (secs > INT64_MAX / ST_NS_PER_S - 1 || secs < INT64_MIN / ST_NS_PER_S + 1) return ST_ERANGE;
    *ns = secs * ST_NS_PER_S + frac;
    return 0;
}

/* ------------------------------------------------------------ context */

typedef struct rxent {
    const iql_expr *x;
    matcher *m;
} rxent;

typedef struct schema {
    st_slice name;       /* the measurement */
    st_slice *fields;    /* sorted */
    uint8_t *ftypes;     /* st_vtype */
    st_slice *metrics;   /* the series name each field is stored under */
    size_t nfields;
    st_slice *tags;      /* sorted */
    size_t ntags;
} schema;

typedef struct sctx {
    store *s;
    const char *db;
    const iql_stmt *st;
    const iql_select *sel;
    const iql_select_opts *o;
    st_arena *a;
    st_err *e;
    int64_t mint, maxt;
    bool has_min, has_max;
    bool by_time;
    int64_t interval, offset;
    bool aggregate;
    size_t npoints, max_points;
    rxent rx[64];
    size_t nrx;
    /* the group tags of the current measurement */
    st_slice *gtags;
    size_t ngtags;
} sctx;

static int unsupported(sctx *c, const char *what)
{
    return st_fail(c->e, ST_EINVAL, "%s not supported by Strata yet", what);
}

static bool slice_ieq(st_slice a, const char *b)
{
    size_t n = strlen(b);
    return a.n == n && !strncasecmp(a.p, b, n);
}

static matcher *rx_get(sctx *c, const iql_expr *x)
{
    for (size_t i = 0; i < c->nrx; i++)
        if (c->rx[i].x == x) return c->rx[i].m;
    return NULL;
}

/* InfluxQL regexes are unanchored; matcher.h's are anchored. */
static int rx_compile(sctx *c, const iql_expr *x)
{
    if (rx_get(c, x)) return 0;
    if (c->nrx == sizeof c->rx / sizeof *c->rx) return st_fail(c->e, ST_EINVAL, "too many regexes");
    if (x->str.n > 4096) return st_fail(c->e, ST_EINVAL, "regex longer than 4096 bytes");
    char buf[4200];
    int n = snprintf(buf, sizeof buf, ".*(?:%.*s).*", (int)x->str.n, x->str.p);
    matcher *m;
    if (matcher_new(MATCH_RE, st_slice_of("x", 1), st_slice_of(buf, (size_t)n), &m, c->e)) return ST_EINVAL;
    c->rx[c->nrx++] = (rxent){x, m};
    return 0;
}

static int rx_compile_all(sctx *c, const iql_expr *x)
{
    if (!x) return 0;
    if (x->kind == IQL_E_REGEX) return rx_compile(c, x);
    if (rx_compile_all(c, x->l) || rx_compile_all(c, x->r)) return ST_EINVAL;
    for (size_t i = 0; i < x->nargs; i++)
        if (rx_compile_all(c, x->args[i])) return ST_EINVAL;
    return 0;
}

static void *grow(void *p, size_t n, size_t *cap, size_t size)
{
    if (n < *cap) return p;
    *cap = *cap ? *cap * 2 : 16;
    return st_realloc(p, *cap * size);
}

/* ------------------------------------------------------------ WHERE: time */

static bool is_time(const iql_expr *x)
{
    return x && x->kind == IQL_E_IDENT && slice_ieq(x->str, "time");
}

static int time_value(sctx *c, const iql_expr *x, int64_t *out)
{
    switch (x->kind) {
    case IQL_E_NUMBER:
        if (x->is_int) {
            *out = x->ns;
            return 0;
        }
        if (!(x->num >= -0x1p63 && x->num < 0x1p63)) return st_fail(c->e, ST_EINVAL, "time outside range");
        *out = (int64_t)x->num;
        return 0;
    case IQL_E_DURATION: *out = x->ns; return 0;
    case IQL_E_NOW: *out = c->o->now; return 0;
    case IQL_E_STRING:
        if (iql_parse_time(x->str, out) == 0) return 0;
        return st_fail(c->e, ST_EINVAL, "invalid operation: time and *influxql.StringLiteral are not compatible");
    case IQL_E_BINARY:
        if (x->op == IQL_OP_ADD || x->op == IQL_OP_SUB) {
            int64_t a, b;
            if (time_value(c, x->l, &a) || time_value(c, x->r, &b)) return ST_EINVAL;
            bool ovf = x->op == IQL_OP_ADD ? __builtin_add_overflow(a, b, out) : __builtin_sub_overflow(a, b, out);
            if (ovf) return st_fail(c->e, ST_EINVAL, "time outside range");
            return 0;
        }
        break;
    default: break;
    }
    return st_fail(c->e, ST_EINVAL, "invalid time condition");
}

static bool mentions_time(const iql_expr *x)
{
    if (!x) return false;
    return is_time(x) || mentions_time(x->l) || mentions_time(x->r);
}

/* Time comparisons of the top-level AND chain bound the read; under an OR
 * InfluxDB refuses them too. */
static int time_bounds(sctx *c, const iql_expr *x)
{
    if (!x || x->kind != IQL_E_BINARY) return 0;
    if (x->op == IQL_OP_AND) return time_bounds(c, x->l) || time_bounds(c, x->r) ? ST_EINVAL : 0;
    if (x->op == IQL_OP_OR) {
        if (mentions_time(x)) return st_fail(c->e, ST_EINVAL, "invalid condition: time conditions joined by OR");
        return 0;
    }
    const iql_expr *v;
    iql_op op = x->op;
    if (is_time(x->l)) {
        v = x->r;
    } else if (is_time(x->r)) {
        v = x->l;
        switch (op) {
        case IQL_OP_LT: op = IQL_OP_GT; break;
        case IQL_OP_LTE: op = IQL_OP_GTE; break;
        case IQL_OP_GT: op = IQL_OP_LT; break;
        case IQL_OP_GTE: op = IQL_OP_LTE; break;
        default: break;
        }
    } else {
        return 0;
    }
    int64_t t;
    if (time_value(c, v, &t)) return ST_EINVAL;
    switch (op) {
    case IQL_OP_GT:
        if (t < INT64_MAX && (!c->has_min || t + 1 > c->mint)) c->mint = t + 1;
        c->has_min = true;
        break;
    case IQL_OP_GTE:
        if (!c->has_min || t > c->mint) c->mint = t;
        c->has_min = true;
        break;
    case IQL_OP_LT:
        if (t > INT64_MIN && (!c->has_max || t - 1 < c->maxt)) c->maxt = t - 1;
        c->has_max = true;
        break;
    case IQL_OP_LTE:
        if (!c->has_max || t < c->maxt) c->maxt = t;
        c->has_max = true;
        break;
    case IQL_OP_EQ:
        if (!c->has_min || t > c->mint) c->mint = t;
        if (!c->has_max || t < c->maxt) c->maxt = t;
        c->has_min = c->has_max = true;
        break;
    default: return st_fail(c->e, ST_EINVAL, "invalid time comparison operator");
    }
    return 0;
}

/* ------------------------------------------------------------ values */

static iql_val v_null(void) { return (iql_val){.t = IQL_VT_NULL}; }
static iql_val v_float(double f) { return (iql_val){.t = IQL_VT_FLOAT, .f = f}; }
static iql_val v_int(int64_t i) { return (iql_val){.t = IQL_VT_INT, .i = i}; }

static iql_val v_stored(uint8_t type, uint64_t bits, st_slice str)
{
    switch (type) {
    case ST_VT_FLOAT: {
        double d;
        memcpy(&d, &bits, 8);
        return v_float(d);
    }
    case ST_VT_INT: return v_int((int64_t)bits);
    case ST_VT_UINT: return (iql_val){.t = IQL_VT_UINT, .u = bits};
    case ST_VT_BOOL: return (iql_val){.t = IQL_VT_BOOL, .b = bits != 0};
    case ST_VT_STRING: return (iql_val){.t = IQL_VT_STRING, .s = str};
    default: return v_null();
    }
}

static bool is_num(iql_val v) { return v.t == IQL_VT_FLOAT || v.t == IQL_VT_INT || v.t == IQL_VT_UINT; }

static double as_f(iql_val v)
{
    switch (v.t) {
    case IQL_VT_FLOAT: return v.f;
    case IQL_VT_INT: return (double)v.i;
    case IQL_VT_UINT: return (double)v.u;
    case IQL_VT_BOOL: return v.b;
    default: return NAN;
    }
}

/* <0, 0, >0 between two values of one column (numbers by value, strings
 * bytewise, false < true). */
static int v_cmp(iql_val a, iql_val b)
{
    if (a.t == IQL_VT_INT && b.t == IQL_VT_INT) return (a.i > b.i) - (a.i < b.i);
    if (a.t == IQL_VT_UINT && b.t == IQL_VT_UINT) return (a.u > b.u) - (a.u < b.u);
    if (is_num(a) && is_num(b)) {
        double x = as_f(a), y = as_f(b);
        return (x > y) - (x < y);
    }
    if (a.t == IQL_VT_STRING && b.t == IQL_VT_STRING) return st_slice_cmp(a.s, b.s);
    if (a.t == IQL_VT_BOOL && b.t == IQL_VT_BOOL) return (int)a.b - (int)b.b;
    return (int)a.t - (int)b.t;
}

static bool v_eq(iql_val a, iql_val b) { return a.t == b.t && v_cmp(a, b) == 0; }

/* Arithmetic of InfluxQL: integers stay integers (wrapping as Go's do)
 * except in division; a float on either side makes a float. */
static iql_val v_arith(iql_op op, iql_val a, iql_val b)
{
    if (!is_num(a) || !is_num(b)) {
        if (a.t == IQL_VT_BOOL && b.t == IQL_VT_BOOL) {
            switch (op) {
            case IQL_OP_BAND: return (iql_val){.t = IQL_VT_BOOL, .b = a.b && b.b};
            case IQL_OP_BOR: return (iql_val){.t = IQL_VT_BOOL, .b = a.b || b.b};
            case IQL_OP_BXOR: return (iql_val){.t = IQL_VT_BOOL, .b = a.b != b.b};
            default: break;
            }
        }
        return v_null();
    }
    if (a.t == IQL_VT_INT && b.t == IQL_VT_INT) {
        uint64_t x = (uint64_t)a.i, y = (uint64_t)b.i;
        switch (op) {
        case IQL_OP_ADD: return v_int((int64_t)(x + y));
        case IQL_OP_SUB: return v_int((int64_t)(x - y));
        case IQL_OP_MUL: return v_int((int64_t)(x * y));
        case IQL_OP_DIV: return b.i == 0 ? v_float(0) : v_float((double)a.i / (double)b.i);
        case IQL_OP_MOD:
            if (b.i == 0 || (a.i == INT64_MIN && b.i == -1)) return v_int(0);
            return v_int(a.i % b.i);
        case IQL_OP_BAND: return v_int(a.i & b.i);
        case IQL_OP_BOR: return v_int(a.i | b.i);
        case IQL_OP_BXOR: return v_int(a.i ^ b.i);
        default: return v_null();
        }
    }
    if (a.t == IQL_VT_UINT && b.t == IQL_VT_UINT) {
        switch (op) {
        case IQL_OP_ADD: return (iql_val){.t = IQL_VT_UINT, .u = a.u + b.u};
        case IQL_OP_SUB: return (iql_val){.t = IQL_VT_UINT, .u = a.u - b.u};
        case IQL_OP_MUL: return (iql_val){.t = IQL_VT_UINT, .u = a.u * b.u};
        case IQL_OP_DIV: return b.u == 0 ? v_float(0) : v_float((double)a.u / (double)b.u);
        case IQL_OP_MOD: return (iql_val){.t = IQL_VT_UINT, .u = b.u ? a.u % b.u : 0};
        case IQL_OP_BAND: return (iql_val){.t = IQL_VT_UINT, .u = a.u & b.u};
        case IQL_OP_BOR: return (iql_val){.t = IQL_VT_UINT, .u = a.u | b.u};
        case IQL_OP_BXOR: return (iql_val){.t = IQL_VT_UINT, .u = a.u ^ b.u};
        default: return v_null();
        }
    }
    double x = as_f(a), y = as_f(b);
    switch (op) {
    case IQL_OP_ADD: return v_float(x + y);
    case IQL_OP_SUB: return v_float(x - y);
    case IQL_OP_MUL: return v_float(x * y);
    case IQL_OP_DIV: return y == 0 ? v_float(0) : v_float(x / y);
    case IQL_OP_MOD: return v_float(fmod(x, y));
    default: return v_null();
    }
}

static iql_val v_literal(const iql_expr *x)
{
    switch (x->kind) {
    case IQL_E_NUMBER: return x->is_int ? v_int(x->ns) : v_float(x->num);
    case IQL_E_STRING: return (iql_val){.t = IQL_VT_STRING, .s = x->str};
    case IQL_E_BOOL: return (iql_val){.t = IQL_VT_BOOL, .b = x->ns != 0};
    case IQL_E_DURATION: return v_int(x->ns);
    default: return v_null();
    }
}

/* ------------------------------------------------------------ schema */

static long find_slice(const st_slice *v, size_t n, st_slice k)
{
    size_t lo = 0, hi = n;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        int d = st_slice_cmp(v[mid], k);
        if (!d) return (long)mid;
        if (d < 0) lo = mid + 1;
        else hi = mid;
    }
    return -1;
}

static int cmp_slice(const void *a, const void *b) { return st_slice_cmp(*(const st_slice *)a, *(const st_slice *)b); }

/* Fields (with types and the series names they live under) and tag keys of
 * one measurement, from keys alone. */
static int load_schema(sctx *c, st_slice m, schema *out)
{
    memset(out, 0, sizeof *out);
    out->name = m;
    scan_spec sp = {.db = c->db, .table = m, .mint = INT64_MIN, .maxt = INT64_MAX, .mode = SCAN_KEYS,
                    .order = SCAN_ORDER_TABLE, .budget = c->o->budget};
    scan *sc;
    int rc = scan_open(c->s, &sp, &sc, c->e);
    if (rc == ST_ENOTFOUND) return 0;
    if (rc) return rc;
    scan_iter *it;
    rc = scan_iter_open(sc, 0, SIZE_MAX, &it, c->e);
    size_t capf = 0, capt = 0;
    typedef struct fent {
        st_slice name, metric;
        uint8_t type;
    } fent;
    fent *f = NULL;
    size_t nf = 0;
    st_slice *tags = NULL;
    size_t nt = 0;
    scan_series ss;
    while (rc == 0 && (rc = scan_iter_next(it, &ss, c->e)) == 1) {
        rc = 0;
        f = grow(f, nf, &capf, sizeof *f);
        f[nf++] = (fent){st_slice_of(st_arena_strndup(c->a, ss.column.p, ss.column.n), ss.column.n),
                         st_slice_of(st_arena_strndup(c->a, ss.metric.p, ss.metric.n), ss.metric.n), ss.type};
        for (size_t i = 0; i < ss.nlabels; i++) {
            st_slice k = ss.labels[i].name;
            if (k.n == 8 && !memcmp(k.p, LABEL_METRIC_NAME, 8)) continue;
            bool seen = false;
            for (size_t j = 0; j < nt && !seen; j++) seen = st_slice_eq(tags[j], k);
            if (seen) continue;
            tags = grow(tags, nt, &capt, sizeof *tags);
            tags[nt++] = st_slice_of(st_arena_strndup(c->a, k.p, k.n), k.n);
        }
    }
    scan_iter_close(it);
    scan_close(sc);
    if (rc < 0) {
        st_free(f);
        st_free(tags);
        return rc;
    }
    /* fields sorted and unique (the first type seen stands) */
    for (size_t i = 1; i < nf; i++)
        for (size_t j = i; j > 0 && st_slice_cmp(f[j - 1].name, f[j].name) > 0; j--) {
            fent t = f[j];
            f[j] = f[j - 1];
            f[j - 1] = t;
        }
    out->fields = st_arena_alloc(c->a, (nf + 1) * sizeof *out->fields);
    out->metrics = st_arena_alloc(c->a, (nf + 1) * sizeof *out->metrics);
    out->ftypes = st_arena_alloc(c->a, nf + 1);
    for (size_t i = 0; i < nf; i++) {
        if (out->nfields && st_slice_eq(out->fields[out->nfields - 1], f[i].name)) continue;
        out->fields[out->nfields] = f[i].name;
        out->metrics[out->nfields] = f[i].metric;
        out->ftypes[out->nfields++] = f[i].type;
    }
    if (nt > 1) qsort(tags, nt, sizeof *tags, cmp_slice);
    out->tags = st_arena_alloc(c->a, (nt + 1) * sizeof *out->tags);
    if (nt) memcpy(out->tags, tags, nt * sizeof *tags);
    out->ntags = nt;
    st_free(f);
    st_free(tags);
    return 0;
}

static bool is_tag(const schema *sc, const iql_expr *id)
{
    if (id->cast.n && !slice_ieq(id->cast, "tag")) return false;
    return find_slice(sc->tags, sc->ntags, id->str) >= 0;
}

static long field_index(const schema *sc, const iql_expr *id)
{
    if (id->cast.n && slice_ieq(id->cast, "tag")) return -1;
    return find_slice(sc->fields, sc->nfields, id->str);
}

/* ------------------------------------------------------------ fields */

/* An output column: its expression (wildcards and regexes expanded) and name. */
typedef struct ocol {
    const iql_expr *x;
    st_slice name;
} ocol;

static const char *const AGGREGATES[] = {"count", "distinct", "integral", "mean", "median", "mode", "spread",
                                         "stddev", "sum", "first", "last", "max", "min", "percentile", "top",
                                         "bottom", "sample"};
static const char *const SELECTORS[] = {"first", "last", "max", "min", "percentile", "top", "bottom", "sample"};
static const char *const TRANSFORMS[] = {"cumulative_sum", "derivative", "difference", "elapsed", "moving_average",
                                         "non_negative_derivative", "non_negative_difference", "holt_winters",
                                         "holt_winters_with_fit", "chande_momentum_oscillator",
                                         "exponential_moving_average", "double_exponential_moving_average",
                                         "triple_exponential_moving_average", "kaufmans_efficiency_ratio",
                                         "kaufmans_adaptive_moving_average", "relative_strength_index",
                                         "triple_exponential_derivative"};
static const char *const MATHS[] = {"abs", "acos", "asin", "atan", "atan2", "ceil", "cos", "exp", "floor", "ln",
                                    "log", "log2", "log10", "pow", "round", "sin", "sqrt", "tan"};

static bool in_list(st_slice name, const char *const *list, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (slice_ieq(name, list[i])) return true;
    return false;
}

#define IN(name, list) in_list((name), (list), sizeof(list) / sizeof *(list))

static bool has_aggregate(const iql_expr *x)
{
    if (!x) return false;
    if (x->kind == IQL_E_CALL && (IN(x->str, AGGREGATES) || IN(x->str, TRANSFORMS))) return true;
    if (has_aggregate(x->l) || has_aggregate(x->r)) return true;
    for (size_t i = 0; i < x->nargs; i++)
        if (has_aggregate(x->args[i])) return true;
    return false;
}

/* InfluxDB's column name of an expression: a call's name, a field's, and
 * for arithmetic the sides' names joined by '_'. */
static void expr_name(const iql_expr *x, st_buf *b)
{
    switch (x->kind) {
    case IQL_E_IDENT: st_buf_put(b, x->str.p, x->str.n); break;
    case IQL_E_CALL:
        for (size_t i = 0; i < x->str.n; i++) st_buf_putc(b, (char)tolower((unsigned char)x->str.p[i]));
        break;
    case IQL_E_BINARY: {
        size_t at = b->len;
        expr_name(x->l, b);
        size_t mid = b->len;
        st_buf_putc(b, '_');
        expr_name(x->r, b);
        if (mid == at) { /* no left name: the right one alone */
            memmove(b->p + at, b->p + mid + 1, b->len - mid - 1);
            b->len -= 1;
        } else if (b->len == mid + 1) {
            b->len = mid;
        }
        break;
    }
    default: break;
    }
}

static iql_expr *ident_node(sctx *c, st_slice name)
{
    iql_expr *x = st_arena_alloc(c->a, sizeof *x);
    memset(x, 0, sizeof *x);
    x->kind = IQL_E_IDENT;
    x->str = name;
    return x;
}

static int add_col(sctx *c, ocol **cols, size_t *n, size_t *cap, const iql_expr *x, st_slice name)
{
    *cols = grow(*cols, *n, cap, sizeof **cols);
    (*cols)[(*n)++] = (ocol){x, name};
    (void)c;
    return 0;
}

static st_slice arena_name(sctx *c, const char *a, size_t an, const char *b, size_t bn)
{
    char *p = st_arena_alloc(c->a, an + bn + 2);
    memcpy(p, a, an);
    size_t n = an;
    if (bn) {
        p[n++] = '_';
        memcpy(p + n, b, bn);
        n += bn;
    }
    p[n] = 0;
    return st_slice_of(p, n);
}

static bool numeric_type(uint8_t t) { return t == ST_VT_FLOAT || t == ST_VT_INT || t == ST_VT_UINT; }

/* The output columns of the statement for one measurement. */
static int plan_columns(sctx *c, const schema *sc, ocol **out, size_t *nout)
{
    ocol *cols = NULL;
    size_t n = 0, cap = 0;
    st_buf nb = {0};
    for (size_t i = 0; i < c->sel->nfields; i++) {
        const iql_field *f = &c->sel->fields[i];
        const iql_expr *x = f->expr;
        if (x->kind == IQL_E_WILDCARD || x->kind == IQL_E_REGEX) {
            if (c->aggregate) {
                st_free(cols);
                st_buf_free(&nb);
                return st_fail(c->e, ST_EINVAL, "mixing aggregate and non-aggregate queries is not supported");
            }
            bool fields = !x->cast.n || slice_ieq(x->cast, "field"), tags = !x->cast.n || slice_ieq(x->cast, "tag");
            matcher *m = x->kind == IQL_E_REGEX ? rx_get(c, x) : NULL;
            /* fields and tags in one sorted list */
            size_t fi = 0, ti = 0;
            while ((fields && fi < sc->nfields) || (tags && ti < sc->ntags)) {
                bool take_field = fields && fi < sc->nfields &&
                                  (!tags || ti >= sc->ntags || st_slice_cmp(sc->fields[fi], sc->tags[ti]) <= 0);
                st_slice name = take_field ? sc->fields[fi++] : sc->tags[ti++];
                if (m && !matcher_matches(m, name)) continue;
                iql_expr *id = ident_node(c, name);
                id->cast = take_field ? st_slice_of("field", 5) : st_slice_of("tag", 3);
                add_col(c, &cols, &n, &cap, id, name);
            }
            continue;
        }
        if (x->kind == IQL_E_CALL && x->nargs >= 1 &&
            (x->args[0]->kind == IQL_E_WILDCARD || x->args[0]->kind == IQL_E_REGEX)) {
            /* fn(*) and fn(/re/): one column per field, named fn_field */
            matcher *m = x->args[0]->kind == IQL_E_REGEX ? rx_get(c, x->args[0]) : NULL;
            bool counting = slice_ieq(x->str, "count") || slice_ieq(x->str, "first") || slice_ieq(x->str, "last") ||
                            slice_ieq(x->str, "distinct") || slice_ieq(x->str, "mode");
            nb.len = 0;
            expr_name(x, &nb);
            for (size_t k = 0; k < sc->nfields; k++) {
                if (m && !matcher_matches(m, sc->fields[k])) continue;
                if (!counting && !numeric_type(sc->ftypes[k])) continue;
                iql_expr *call = st_arena_alloc(c->a, sizeof *call);
                *call = *x;
                call->args = st_arena_alloc(c->a, x->nargs * sizeof *call->args);
                memcpy(call->args, x->args, x->nargs * sizeof *call->args);
                call->args[0] = ident_node(c, sc->fields[k]);
                add_col(c, &cols, &n, &cap, call, arena_name(c, (const char *)nb.p, nb.len, sc->fields[k].p, sc->fields[k].n));
            }
            continue;
        }
        st_slice name = f->alias;
        if (!name.n) {
            nb.len = 0;
            expr_name(x, &nb);
            name = st_slice_of(st_arena_strndup(c->a, nb.p ? (const char *)nb.p : "", nb.len), nb.len);
        }
        add_col(c, &cols, &n, &cap, x, name);
    }
    /* duplicate names get _1, _2, ... as InfluxDB gives them */
    for (size_t i = 1; i < n; i++) {
        int k = 0;
        for (size_t j = 0; j < i; j++)
            if (st_slice_eq(cols[j].name, cols[i].name)) k++;
        if (k) {
            char suf[24];
            int sl = snprintf(suf, sizeof suf, "%d", k);
            cols[i].name = arena_name(c, cols[i].name.p, cols[i].name.n, suf, (size_t)sl);
        }
    }
    st_buf_free(&nb);
    *out = cols;
    *nout = n;
    return 0;
}

/* ------------------------------------------------------------ points */

/* The fields a statement reads: slot[f] is field f's place in a point, or -1. */
typedef struct need {
    long *slot;   /* [schema.nfields] */
    long *field;  /* [n]: slot -> field */
    size_t n;
} need;

static void need_walk(const schema *sc, const iql_expr *x, need *nd)
{
    if (!x) return;
    if (x->kind == IQL_E_IDENT && !is_time(x) && !is_tag(sc, x)) {
        long f = field_index(sc, x);
        if (f >= 0 && nd->slot[f] < 0) {
            nd->slot[f] = (long)nd->n;
            nd->field[nd->n++] = f;
        }
    }
    need_walk(sc, x->l, nd);
    need_walk(sc, x->r, nd);
    for (size_t i = 0; i < x->nargs; i++) need_walk(sc, x->args[i], nd);
}

/* A tag set's labels (without __name__), copied. */
typedef struct tset {
    label *tags;
    size_t n;
} tset;

typedef struct group {
    st_slice *key;    /* the values of the group tags */
    int64_t *ts;
    iql_val *vals;    /* n x need.n */
    uint32_t *tset;
    size_t n, cap;
} group;

typedef struct pointset {
    tset *tsets;
    size_t ntsets, captsets;
    group *groups;
    size_t ngroups, capgroups;
    uint32_t *slots;  /* open addressing over the groups' key hashes: index + 1, 0 = free */
    uint64_t *hashes; /* per group */
    size_t capslots;
} pointset;

static st_slice tag_of(const tset *t, st_slice key)
{
    for (size_t i = 0; i < t->n; i++)
        if (st_slice_eq(t->tags[i].name, key)) return t->tags[i].value;
    return st_slice_of("", 0);
}

/* ---- WHERE on a point ---- */

typedef struct pctx {
    const schema *sc;
    const need *nd;
    const tset *ts;
    const iql_val *row;
} pctx;

static iql_val operand(sctx *c, const pctx *p, const iql_expr *x, bool *tag)
{
    *tag = false;
    if (x->kind == IQL_E_IDENT) {
        if (is_tag(p->sc, x)) {
            *tag = true;
            return (iql_val){.t = IQL_VT_STRING, .s = tag_of(p->ts, x->str)};
        }
        long f = field_index(p->sc, x);
        if (f >= 0 && p->nd->slot[f] >= 0) return p->row[p->nd->slot[f]];
        if (f < 0) { /* neither: reads as an absent tag */
            *tag = true;
            return (iql_val){.t = IQL_VT_STRING, .s = st_slice_of("", 0)};
        }
        return v_null();
    }
    if (x->kind == IQL_E_BINARY && x->op >= IQL_OP_ADD) {
        bool t1, t2;
        iql_val a = operand(c, p, x->l, &t1), b = operand(c, p, x->r, &t2);
        return v_arith(x->op, a, b);
    }
    return v_literal(x);
}

static bool cond(sctx *c, const pctx *p, const iql_expr *x)
{
    if (!x) return true;
    if (x->kind == IQL_E_BOOL) return x->ns != 0;
    if (x->kind != IQL_E_BINARY) return false;
    if (x->op == IQL_OP_AND) return cond(c, p, x->l) && cond(c, p, x->r);
    if (x->op == IQL_OP_OR) return cond(c, p, x->l) || cond(c, p, x->r);
    if (is_time(x->l) || is_time(x->r)) return true; /* the read's bounds */
    const iql_expr *l = x->l, *r = x->r;
    iql_op op = x->op;
    if (r->kind == IQL_E_REGEX || l->kind == IQL_E_REGEX) {
        const iql_expr *id = r->kind == IQL_E_REGEX ? l : r, *re = r->kind == IQL_E_REGEX ? r : l;
        bool tag;
        iql_val v = operand(c, p, id, &tag);
        if (v.t != IQL_VT_STRING) return false;
        matcher *m = rx_get(c, re);
        bool hit = m && matcher_matches(m, v.s);
        return op == IQL_OP_RE ? hit : op == IQL_OP_NRE ? !hit : false;
    }
    bool lt, rt;
    iql_val a = operand(c, p, l, &lt), b = operand(c, p, r, &rt);
    if (a.t == IQL_VT_NULL || b.t == IQL_VT_NULL) return false;
    if (a.t == IQL_VT_STRING || b.t == IQL_VT_STRING) {
        if (a.t != b.t) return false;
    } else if ((a.t == IQL_VT_BOOL) != (b.t == IQL_VT_BOOL)) {
        return false;
    }
    int d = v_cmp(a, b);
    switch (op) {
    case IQL_OP_EQ: return d == 0;
    case IQL_OP_NEQ: return d != 0;
    case IQL_OP_LT: return d < 0;
    case IQL_OP_LTE: return d <= 0;
    case IQL_OP_GT: return d > 0;
    case IQL_OP_GTE: return d >= 0;
    default: return false;
    }
}

/* ---- reading ---- */

typedef struct fbuf {
    int64_t *ts;
    iql_val *v;
    size_t n, cap;
} fbuf;

static uint64_t key_hash(sctx *c, const tset *t)
{
    uint64_t h = 0x9e3779b97f4a7c15ull;
    for (size_t k = 0; k < c->ngtags; k++) {
        st_slice v = tag_of(t, c->gtags[k]);
        h = (h ^ st_hash64(v.p, v.n, h + v.n)) * 0xff51afd7ed558ccdull;
    }
    return h;
}

static void slots_put(pointset *ps, uint64_t h, size_t gi)
{
    size_t j = h & (ps->capslots - 1);
    while (ps->slots[j]) j = (j + 1) & (ps->capslots - 1);
    ps->slots[j] = (uint32_t)gi + 1;
}

static group *group_for(sctx *c, pointset *ps, const tset *t)
{
    uint64_t h = key_hash(c, t);
    if (ps->capslots) {
        for (size_t j = h & (ps->capslots - 1); ps->slots[j]; j = (j + 1) & (ps->capslots - 1)) {
            size_t i = ps->slots[j] - 1;
            if (ps->hashes[i] != h) continue;
            bool same = true;
            for (size_t k = 0; k < c->ngtags && same; k++)
                same = st_slice_eq(ps->groups[i].key[k], tag_of(t, c->gtags[k]));
            if (same) return &ps->groups[i];
        }
    }
    if ((ps->ngroups + 1) * 2 > ps->capslots) {
        size_t cap = ps->capslots ? ps->capslots * 2 : 64;
        st_free(ps->slots);
        ps->slots = st_calloc(cap, sizeof *ps->slots);
        ps->capslots = cap;
        for (size_t i = 0; i < ps->ngroups; i++) slots_put(ps, ps->hashes[i], i);
    }
    size_t capg = ps->capgroups;
    ps->groups = grow(ps->groups, ps->ngroups, &ps->capgroups, sizeof *ps->groups);
    if (ps->capgroups != capg) ps->hashes = st_realloc(ps->hashes, ps->capgroups * sizeof *ps->hashes);
    ps->hashes[ps->ngroups] = h;
    slots_put(ps, h, ps->ngroups);
    group *g = &ps->groups[ps->ngroups++];
    memset(g, 0, sizeof *g);
    g->key = st_arena_alloc(c->a, (c->ngtags + 1) * sizeof *g->key);
    for (size_t k = 0; k < c->ngtags; k++) g->key[k] = tag_of(t, c->gtags[k]);
    return g;
}

/* One tag set's fields merged into points by time, filtered, into its group. */
static int flush_tset(sctx *c, const schema *sc, const need *nd, const iql_expr *where, pointset *ps, fbuf *fb)
{
    const tset *t = &ps->tsets[ps->ntsets - 1];
    group *g = NULL;
    size_t *at = st_calloc(nd->n + 1, sizeof *at);
    iql_val *row = st_malloc((nd->n + 1) * sizeof *row);
    pctx p = {.sc = sc, .nd = nd, .ts = t, .row = row};
    int rc = 0;
    for (;;) {
        int64_t tmin = INT64_MAX;
        bool any = false;
        for (size_t k = 0; k < nd->n; k++)
            if (at[k] < fb[k].n && (!any || fb[k].ts[at[k]] < tmin)) {
                tmin = fb[k].ts[at[k]];
                any = true;
            }
        if (!any) break;
        for (size_t k = 0; k < nd->n; k++) {
            row[k] = v_null();
            if (at[k] < fb[k].n && fb[k].ts[at[k]] == tmin) row[k] = fb[k].v[at[k]++];
        }
        if (!cond(c, &p, where)) continue;
        if (++c->npoints > c->max_points) {
            rc = st_fail(c->e, ST_ELIMIT, "max-select-point limit exceeded: (%zu/%zu)", c->npoints, c->max_points);
            break;
        }
        if (!g) g = group_for(c, ps, t);
        if (g->n == g->cap) {
            g->cap = g->cap ? g->cap * 2 : 64;
            g->ts = st_realloc(g->ts, g->cap * sizeof *g->ts);
            g->tset = st_realloc(g->tset, g->cap * sizeof *g->tset);
            g->vals = st_realloc(g->vals, g->cap * (nd->n ? nd->n : 1) * sizeof *g->vals);
        }
        g->ts[g->n] = tmin;
        g->tset[g->n] = (uint32_t)(ps->ntsets - 1);
        if (nd->n) memcpy(g->vals + g->n * nd->n, row, nd->n * sizeof *row);
        g->n++;
    }
    for (size_t k = 0; k < nd->n; k++) fb[k].n = 0;
    st_free(at);
    st_free(row);
    return rc;
}

static bool same_tags(const scan_series *ss, const tset *t)
{
    size_t k = 0;
    for (size_t i = 0; i < ss->nlabels; i++) {
        if (ss->labels[i].name.n == 8 && !memcmp(ss->labels[i].name.p, LABEL_METRIC_NAME, 8)) continue;
        if (k >= t->n || !st_slice_eq(ss->labels[i].name, t->tags[k].name) ||
            !st_slice_eq(ss->labels[i].value, t->tags[k].value))
            return false;
        k++;
    }
    return k == t->n;
}

static void new_tset(sctx *c, pointset *ps, const scan_series *ss)
{
    ps->tsets = grow(ps->tsets, ps->ntsets, &ps->captsets, sizeof *ps->tsets);
    tset *t = &ps->tsets[ps->ntsets++];
    t->tags = st_arena_alloc(c->a, (ss->nlabels + 1) * sizeof *t->tags);
    t->n = 0;
    for (size_t i = 0; i < ss->nlabels; i++) {
        const label *l = &ss->labels[i];
        if (l->name.n == 8 && !memcmp(l->name.p, LABEL_METRIC_NAME, 8)) continue;
        t->tags[t->n].name = st_slice_of(st_arena_strndup(c->a, l->name.p, l->name.n), l->name.n);
        t->tags[t->n++].value = st_slice_of(st_arena_strndup(c->a, l->value.p, l->value.n), l->value.n);
    }
}

/* Every point of the measurement the statement reads, in groups. */
static int read_points(sctx *c, const schema *sc, const need *nd, pointset *ps)
{
    if (!nd->n) return 0;
    matcher **ms = st_calloc(nd->n, sizeof *ms);
    matcher *const **sel = st_calloc(nd->n, sizeof *sel);
    size_t *nsel = st_calloc(nd->n, sizeof *nsel);
    int rc = 0;
    for (size_t k = 0; k < nd->n && rc == 0; k++) {
        rc = matcher_new(MATCH_EQ, st_slice_of(LABEL_METRIC_NAME, 8), sc->metrics[nd->field[k]], &ms[k], c->e);
        sel[k] = &ms[k];
        nsel[k] = 1;
    }
    scan *scn = NULL;
    scan_iter *it = NULL;
    if (rc == 0) {
        scan_spec sp = {.db = c->db, .sel = sel, .nsel = nsel, .nselectors = nd->n, .table = sc->name,
                        .mint = c->mint, .maxt = c->maxt, .mode = SCAN_SAMPLES, .order = SCAN_ORDER_TABLE,
                        .budget = c->o->budget};
        rc = scan_open(c->s, &sp, &scn, c->e);
        if (rc == ST_ENOTFOUND) rc = 0;
        else if (rc == 0) rc = scan_iter_open(scn, 0, SIZE_MAX, &it, c->e);
    }
    fbuf *fb = st_calloc(nd->n, sizeof *fb);
    scan_series ss;
    while (rc == 0 && it && (rc = scan_iter_next(it, &ss, c->e)) == 1) {
        rc = 0;
        if (!ps->ntsets || !same_tags(&ss, &ps->tsets[ps->ntsets - 1])) {
            if (ps->ntsets && (rc = flush_tset(c, sc, nd, c->st->where, ps, fb))) break;
            new_tset(c, ps, &ss);
        }
        long f = find_slice(sc->fields, sc->nfields, ss.column);
        long k = f >= 0 ? nd->slot[f] : -1;
        if (k < 0) continue;
        fbuf *b = &fb[k];
        scan_batch bt;
        while ((rc = scan_iter_batch(it, &bt, c->e)) == 1) {
            rc = 0;
            if (b->n + bt.n > b->cap) {
                b->cap = (b->n + bt.n) * 2;
                b->ts = st_realloc(b->ts, b->cap * sizeof *b->ts);
                b->v = st_realloc(b->v, b->cap * sizeof *b->v);
            }
            for (size_t i = 0; i < bt.n; i++) {
                st_slice s = {0};
                if (ss.type == ST_VT_STRING) s = st_slice_of(st_arena_strndup(c->a, bt.strs[i].p, bt.strs[i].n), bt.strs[i].n);
                b->ts[b->n] = bt.ts[i];
                b->v[b->n++] = v_stored(ss.type, ss.type == ST_VT_STRING ? 0 : bt.vals[i], s);
            }
        }
    }
    if (rc == 0 && ps->ntsets) rc = flush_tset(c, sc, nd, c->st->where, ps, fb);
    for (size_t k = 0; k < nd->n; k++) {
        st_free(fb[k].ts);
        st_free(fb[k].v);
        matcher_free(ms[k]);
    }
    st_free(fb);
    scan_iter_close(it);
    scan_close(scn);
    st_free(ms);
    st_free(sel);
    st_free(nsel);
    return rc < 0 ? rc : 0;
}

static void pointset_free(pointset *ps)
{
    for (size_t i = 0; i < ps->ngroups; i++) {
        st_free(ps->groups[i].ts);
        st_free(ps->groups[i].vals);
        st_free(ps->groups[i].tset);
    }
    st_free(ps->groups);
    st_free(ps->tsets);
    st_free(ps->slots);
    st_free(ps->hashes);
}

/* A group's points in time order, ties in tag-set order (a stable sort:
 * the points came tag set by tag set, each in time order). */
static int cmp_pt(const void *a, const void *b, void *arg)
{
    const group *g = arg;
    size_t x = *(const size_t *)a, y = *(const size_t *)b;
    if (g->ts[x] != g->ts[y]) return g->ts[x] < g->ts[y] ? -1 : 1;
    return (x > y) - (x < y);
}

static void group_sort(group *g, size_t nv)
{
    bool sorted = true;
    for (size_t i = 1; i < g->n && sorted; i++) sorted = g->ts[i - 1] <= g->ts[i];
    if (sorted) return;
    size_t *ix = st_malloc(g->n * sizeof *ix);
    for (size_t i = 0; i < g->n; i++) ix[i] = i;
    qsort_r(ix, g->n, sizeof *ix, cmp_pt, g);
    int64_t *ts = st_malloc(g->n * sizeof *ts);
    uint32_t *tsv = st_malloc(g->n * sizeof *tsv);
    iql_val *vals = st_malloc(g->n * (nv ? nv : 1) * sizeof *vals);
    for (size_t i = 0; i < g->n; i++) {
        ts[i] = g->ts[ix[i]];
        tsv[i] = g->tset[ix[i]];
        if (nv) memcpy(vals + i * nv, g->vals + ix[i] * nv, nv * sizeof *vals);
    }
    st_free(g->ts);
    st_free(g->tset);
    st_free(g->vals);
    g->ts = ts;
    g->tset = tsv;
    g->vals = vals;
    st_free(ix);
}

/* ------------------------------------------------------------ math */

static iql_val math_call(sctx *c, const iql_expr *call, const iql_val *a, size_t n, int *rc)
{
    *rc = 0;
    for (size_t i = 0; i < n; i++)
        if (!is_num(a[i])) return v_null();
    st_slice f = call->str;
    double x = n ? as_f(a[0]) : 0;
    if (slice_ieq(f, "abs")) {
        if (a[0].t == IQL_VT_INT) return v_int(a[0].i < 0 ? (int64_t)(0 - (uint64_t)a[0].i) : a[0].i);
        if (a[0].t == IQL_VT_UINT) return a[0];
        return v_float(fabs(x));
    }
    if (slice_ieq(f, "ceil") || slice_ieq(f, "floor") || slice_ieq(f, "round")) {
        if (a[0].t != IQL_VT_FLOAT) return a[0];
        return v_float(slice_ieq(f, "ceil") ? ceil(x) : slice_ieq(f, "floor") ? floor(x) : round(x));
    }
    if (slice_ieq(f, "sqrt")) return v_float(sqrt(x));
    if (slice_ieq(f, "sin")) return v_float(sin(x));
    if (slice_ieq(f, "cos")) return v_float(cos(x));
    if (slice_ieq(f, "tan")) return v_float(tan(x));
    if (slice_ieq(f, "asin")) return v_float(asin(x));
    if (slice_ieq(f, "acos")) return v_float(acos(x));
    if (slice_ieq(f, "atan")) return v_float(atan(x));
    if (slice_ieq(f, "exp")) return v_float(exp(x));
    if (slice_ieq(f, "ln")) return v_float(log(x));
    if (slice_ieq(f, "log2")) return v_float(log2(x));
    if (slice_ieq(f, "log10")) return v_float(log10(x));
    if (n == 2 && slice_ieq(f, "log")) return v_float(log(x) / log(as_f(a[1])));
    if (n == 2 && slice_ieq(f, "pow")) return v_float(pow(x, as_f(a[1])));
    if (n == 2 && slice_ieq(f, "atan2")) return v_float(atan2(x, as_f(a[1])));
    *rc = st_fail(c->e, ST_EINVAL, "invalid number of arguments for %.*s", (int)f.n, f.p);
    return v_null();
}

/* ------------------------------------------------------------ raw */

typedef struct mctx {
    sctx *c;
    const schema *sc;
    const need *nd;
    const pointset *ps;
    const group *g;
} mctx;

/* A column of one point; *field is set when a field of the point fed it. */
static iql_val eval_point(const mctx *m, size_t i, const iql_expr *x, bool *field, int *rc)
{
    switch (x->kind) {
    case IQL_E_IDENT: {
        if (is_time(x)) return v_null();
        if (is_tag(m->sc, x)) {
            st_slice v = tag_of(&m->ps->tsets[m->g->tset[i]], x->str);
            return v.n ? (iql_val){.t = IQL_VT_STRING, .s = v} : v_null();
        }
        long f = field_index(m->sc, x);
        if (f < 0 || m->nd->slot[f] < 0) return v_null();
        iql_val v = m->g->vals[i * m->nd->n + (size_t)m->nd->slot[f]];
        if (v.t != IQL_VT_NULL) *field = true;
        return v;
    }
    case IQL_E_BINARY: {
        iql_val a = eval_point(m, i, x->l, field, rc), b = eval_point(m, i, x->r, field, rc);
        if (a.t == IQL_VT_NULL || b.t == IQL_VT_NULL) return v_null();
        return v_arith(x->op, a, b);
    }
    case IQL_E_CALL: {
        if (!IN(x->str, MATHS)) {
            *rc = unsupported(m->c, "this function");
            return v_null();
        }
        iql_val args[2];
        size_t n = x->nargs < 2 ? x->nargs : 2;
        for (size_t k = 0; k < n; k++) args[k] = eval_point(m, i, x->args[k], field, rc);
        return math_call(m->c, x, args, n, rc);
    }
    default: return v_literal(x);
    }
}

/* ------------------------------------------------------------ aggregates */

typedef struct tv {
    int64_t t;
    iql_val v;
} tv;

static int cmp_tv_val(const void *a, const void *b)
{
    const tv *x = a, *y = b;
    int d = v_cmp(x->v, y->v);
    if (d) return d;
    return (x->t > y->t) - (x->t < y->t);
}

typedef struct aggv {
    iql_val v;
    int64_t t;    /* selectors: the time of the point chosen */
    bool has_t;
} aggv;

/* The values of one field over points [from, to) of the group. */
static size_t collect(const mctx *m, const iql_expr *arg, size_t from, size_t to, tv **out, size_t *cap)
{
    size_t n = 0;
    if (arg->kind != IQL_E_IDENT || is_tag(m->sc, arg)) return 0;
    long f = field_index(m->sc, arg);
    if (f < 0 || m->nd->slot[f] < 0) return 0;
    size_t s = (size_t)m->nd->slot[f];
    for (size_t i = from; i < to; i++) {
        iql_val v = m->g->vals[i * m->nd->n + s];
        if (v.t == IQL_VT_NULL) continue;
        *out = grow(*out, n, cap, sizeof **out);
        (*out)[n++] = (tv){m->g->ts[i], v};
    }
    return n;
}

static int agg_call(const mctx *m, const iql_expr *call, size_t from, size_t to, aggv *out)
{
    sctx *c = m->c;
    memset(out, 0, sizeof *out);
    if (!call->nargs) return st_fail(c->e, ST_EINVAL, "invalid number of arguments for %.*s, expected at least 1, got 0",
                                     (int)call->str.n, call->str.p);
    const iql_expr *arg = call->args[0];
    bool distinct_count = false;
    if (slice_ieq(call->str, "count") && arg->kind == IQL_E_CALL && slice_ieq(arg->str, "distinct") && arg->nargs == 1) {
        distinct_count = true;
        arg = arg->args[0];
    }
    if (arg->kind != IQL_E_IDENT)
        return unsupported(c, "an aggregate over an expression or another function");
    tv *v = NULL;
    size_t cap = 0, n = collect(m, arg, from, to, &v, &cap);
    st_slice f = call->str;
    int rc = 0;
    if (slice_ieq(f, "count")) {
        size_t k = n;
        if (distinct_count && n) {
            qsort(v, n, sizeof *v, cmp_tv_val);
            k = 1;
            for (size_t i = 1; i < n; i++) k += !v_eq(v[i].v, v[i - 1].v);
        }
        out->v = v_int((int64_t)k);
        st_free(v);
        return 0;
    }
    if (!n) {
        st_free(v);
        out->v = v_null();
        return 0;
    }
    if (slice_ieq(f, "first") || slice_ieq(f, "last")) {
        size_t k = 0;
        bool last = slice_ieq(f, "last");
        for (size_t i = 1; i < n; i++)
            if (last ? v[i].t >= v[k].t : v[i].t < v[k].t) k = i;
        out->v = v[k].v;
        out->t = v[k].t;
        out->has_t = true;
    } else if (slice_ieq(f, "max") || slice_ieq(f, "min")) {
        bool max = slice_ieq(f, "max");
        size_t k = 0;
        for (size_t i = 1; i < n; i++) {
            if (!is_num(v[i].v) && v[i].v.t != IQL_VT_BOOL) continue;
            int d = v_cmp(v[i].v, v[k].v);
            if (max ? d > 0 : d < 0) k = i;
        }
        out->v = v[k].v;
        out->t = v[k].t;
        out->has_t = true;
    } else if (slice_ieq(f, "sum")) {
        iql_val acc = v[0].v;
        for (size_t i = 1; i < n; i++) acc = v_arith(IQL_OP_ADD, acc, v[i].v);
        out->v = acc;
    } else if (slice_ieq(f, "mean")) {
        double mean = 0;
        size_t k = 0;
        for (size_t i = 0; i < n; i++) {
            if (!is_num(v[i].v)) continue;
            k++;
            mean += (as_f(v[i].v) - mean) / (double)k;
        }
        out->v = k ? v_float(mean) : v_null();
    } else if (slice_ieq(f, "median") || slice_ieq(f, "percentile")) {
        qsort(v, n, sizeof *v, cmp_tv_val);
        if (slice_ieq(f, "median")) {
            out->v = n % 2 ? v_float(as_f(v[n / 2].v)) : v_float(as_f(v[n / 2 - 1].v) + (as_f(v[n / 2].v) - as_f(v[n / 2 - 1].v)) / 2);
            if (n % 2 && v[n / 2].v.t == IQL_VT_FLOAT) out->v = v[n / 2].v;
        } else {
            if (call->nargs != 2 || call->args[1]->kind != IQL_E_NUMBER) {
                st_free(v);
                return st_fail(c->e, ST_EINVAL, "expected float argument in percentile()");
            }
            double p = call->args[1]->num;
            long i = (long)floor((double)n * p / 100.0 + 0.5) - 1;
            if (i < 0 || i >= (long)n) {
                out->v = v_null();
            } else {
                out->v = v[i].v;
                out->t = v[i].t;
                out->has_t = true;
            }
        }
    } else if (slice_ieq(f, "spread")) {
        iql_val lo = v[0].v, hi = v[0].v;
        for (size_t i = 1; i < n; i++) {
            if (v_cmp(v[i].v, lo) < 0) lo = v[i].v;
            if (v_cmp(v[i].v, hi) > 0) hi = v[i].v;
        }
        out->v = v_arith(IQL_OP_SUB, hi, lo);
    } else if (slice_ieq(f, "stddev")) {
        if (n < 2) {
            out->v = v_null();
        } else {
            double mean = 0, m2 = 0;
            for (size_t i = 0; i < n; i++) {
                double x = as_f(v[i].v), d = x - mean;
                mean += d / (double)(i + 1);
                m2 += d * (x - mean);
            }
            out->v = v_float(sqrt(m2 / (double)(n - 1)));
        }
    } else if (slice_ieq(f, "mode")) {
        /* the most frequent value; of equally frequent ones the earliest */
        qsort(v, n, sizeof *v, cmp_tv_val);
        size_t best = 0, bestn = 0;
        int64_t bestt = 0;
        for (size_t i = 0; i < n;) {
            size_t j = i + 1;
            while (j < n && v_eq(v[j].v, v[i].v)) j++;
            if (j - i > bestn || (j - i == bestn && v[i].t < bestt)) {
                best = i;
                bestn = j - i;
                bestt = v[i].t;
            }
            i = j;
        }
        out->v = v[best].v;
    } else {
        rc = st_fail(c->e, ST_EINVAL, "%.*s() not supported by Strata yet", (int)f.n, f.p);
    }
    st_free(v);
    return rc;
}

/* A column of one bucket: calls aggregated over it, math on top. */
static iql_val eval_bucket(const mctx *m, const iql_expr *x, size_t from, size_t to, aggv *sel, int *rc)
{
    switch (x->kind) {
    case IQL_E_CALL:
        if (IN(x->str, MATHS)) {
            iql_val args[2];
            size_t n = x->nargs < 2 ? x->nargs : 2;
            for (size_t k = 0; k < n; k++) args[k] = eval_bucket(m, x->args[k], from, to, sel, rc);
            for (size_t k = 0; k < n; k++)
                if (args[k].t == IQL_VT_NULL) return v_null();
            return math_call(m->c, x, args, n, rc);
        }
        if (!IN(x->str, AGGREGATES) || slice_ieq(x->str, "distinct") || slice_ieq(x->str, "top") ||
            slice_ieq(x->str, "bottom") || slice_ieq(x->str, "sample") || slice_ieq(x->str, "integral")) {
            *rc = st_fail(m->c->e, ST_EINVAL, "%.*s() not supported by Strata yet", (int)x->str.n, x->str.p);
            return v_null();
        }
        {
            aggv a;
            if ((*rc = agg_call(m, x, from, to, &a)) != 0) return v_null();
            if (sel && a.has_t) *sel = a;
            return a.v;
        }
    case IQL_E_BINARY: {
        iql_val a = eval_bucket(m, x->l, from, to, NULL, rc), b = eval_bucket(m, x->r, from, to, NULL, rc);
        if (a.t == IQL_VT_NULL || b.t == IQL_VT_NULL) return v_null();
        return v_arith(x->op, a, b);
    }
    case IQL_E_IDENT:
        *rc = st_fail(m->c->e, ST_EINVAL, "mixing aggregate and non-aggregate queries is not supported");
        return v_null();
    default: return v_literal(x);
    }
}

/* ------------------------------------------------------------ output */

typedef struct table {
    int64_t *t;
    iql_val *v;   /* n x ncols */
    size_t n, cap, ncols;
} table;

static iql_val *table_row(table *tb, int64_t t)
{
    if (tb->n == tb->cap) {
        tb->cap = tb->cap ? tb->cap * 2 : 64;
        tb->t = st_realloc(tb->t, tb->cap * sizeof *tb->t);
        tb->v = st_realloc(tb->v, tb->cap * (tb->ncols ? tb->ncols : 1) * sizeof *tb->v);
    }
    tb->t[tb->n] = t;
    return tb->v + tb->n++ * tb->ncols;
}

static void table_free(table *tb)
{
    st_free(tb->t);
    st_free(tb->v);
}

/* fill(previous|linear|value) of the buckets' null columns; fill(none)
 * drops a bucket whose columns are all null. */
static void apply_fill(sctx *c, table *tb)
{
    const iql_select *sel = c->sel;
    size_t nc = tb->ncols;
    if (sel->fill == IQL_FILL_NONE) {
        size_t w = 0;
        for (size_t i = 0; i < tb->n; i++) {
            bool any = false;
            for (size_t k = 0; k < nc && !any; k++) any = tb->v[i * nc + k].t != IQL_VT_NULL;
            if (!any) continue;
            tb->t[w] = tb->t[i];
            if (w != i) memcpy(tb->v + w * nc, tb->v + i * nc, nc * sizeof *tb->v);
            w++;
        }
        tb->n = w;
        return;
    }
    for (size_t k = 0; k < nc; k++) {
        for (size_t i = 0; i < tb->n; i++) {
            iql_val *x = &tb->v[i * nc + k];
            if (x->t != IQL_VT_NULL) continue;
            if (sel->fill == IQL_FILL_VALUE) {
                *x = v_literal(sel->fill_value);
            } else if (sel->fill == IQL_FILL_PREVIOUS) {
                if (i) *x = tb->v[(i - 1) * nc + k];
            } else if (sel->fill == IQL_FILL_LINEAR) {
                size_t a = i, b = i;
                while (a > 0 && tb->v[(a - 1) * nc + k].t == IQL_VT_NULL) a--;
                while (b < tb->n && tb->v[b * nc + k].t == IQL_VT_NULL) b++;
                if (a == 0 || b == tb->n) continue;
                iql_val va = tb->v[(a - 1) * nc + k], vb = tb->v[b * nc + k];
                if (!is_num(va) || !is_num(vb)) continue;
                double ta = (double)tb->t[a - 1], tbt = (double)tb->t[b], ti = (double)tb->t[i];
                double y = as_f(va) + (as_f(vb) - as_f(va)) * (ti - ta) / (tbt - ta);
                *x = va.t == IQL_VT_INT && vb.t == IQL_VT_INT ? v_int((int64_t)y) : v_float(y);
            }
        }
    }
}

static int64_t floor_div(int64_t a, int64_t b)
{
    int64_t q = a / b;
    return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q;
}

static int64_t bucket_of(const sctx *c, int64_t t)
{
    return floor_div(t - c->offset, c->interval) * c->interval + c->offset;
}

/* One group's rows: projected points, or aggregated buckets. */
static int group_rows(const mctx *m, const ocol *cols, size_t ncols, table *tb)
{
    sctx *c = m->c;
    const group *g = m->g;
    int rc = 0;
    tb->ncols = ncols;
    if (!c->aggregate) {
        for (size_t i = 0; i < g->n && rc == 0; i++) {
            bool field = false;
            iql_val *tmp = st_malloc((ncols ? ncols : 1) * sizeof *tmp);
            for (size_t k = 0; k < ncols && rc == 0; k++) tmp[k] = eval_point(m, i, cols[k].x, &field, &rc);
            if (field && rc == 0) memcpy(table_row(tb, g->ts[i]), tmp, ncols * sizeof *tmp);
            st_free(tmp);
        }
        return rc;
    }
    /* one selector alone, without GROUP BY time: the row has its point's time */
    size_t ncalls = 0;
    bool selector = false;
    for (size_t k = 0; k < ncols; k++)
        if (cols[k].x->kind == IQL_E_CALL) {
            ncalls++;
            selector = IN(cols[k].x->str, SELECTORS);
        }
    bool point_time = !c->by_time && ncalls == 1 && ncols == 1 && selector;
    if (!c->by_time) {
        iql_val *row = st_malloc((ncols ? ncols : 1) * sizeof *row);
        aggv sel = {0};
        for (size_t k = 0; k < ncols && rc == 0; k++) row[k] = eval_bucket(m, cols[k].x, 0, g->n, &sel, &rc);
        if (rc == 0) {
            int64_t t = point_time && sel.has_t ? sel.t : c->has_min ? c->mint : 0;
            memcpy(table_row(tb, t), row, ncols * sizeof *row);
        }
        st_free(row);
        return rc;
    }
    int64_t first = bucket_of(c, c->has_min ? c->mint : g->ts[0]);
    int64_t last = bucket_of(c, c->maxt);
    size_t i = 0;
    for (int64_t b = first; rc == 0; b += c->interval) {
        size_t from = i;
        while (i < g->n && g->ts[i] < b + c->interval) i++;
        iql_val *row = table_row(tb, b);
        for (size_t k = 0; k < ncols && rc == 0; k++) row[k] = eval_bucket(m, cols[k].x, from, i, NULL, &rc);
        if (++c->npoints > c->max_points)
            rc = st_fail(c->e, ST_ELIMIT, "max-select-buckets limit exceeded: (%zu/%zu)", c->npoints, c->max_points);
        if (b > last - c->interval) break;
    }
    if (rc == 0) apply_fill(c, tb);
    return rc;
}

static int cmp_group(const void *a, const void *b, void *arg)
{
    const sctx *c = arg;
    const group *x = a, *y = b;
    for (size_t k = 0; k < c->ngtags; k++) {
        int d = st_slice_cmp(x->key[k], y->key[k]);
        if (d) return d;
    }
    return 0;
}

/* The group tags: GROUP BY tags, regexes over the measurement's tag keys,
 * or all of them for *; sorted, each once. */
static void group_tags(sctx *c, const schema *sc)
{
    c->ngtags = 0;
    c->gtags = st_arena_alloc(c->a, (sc->ntags + c->sel->ndims + 1) * sizeof *c->gtags);
    for (size_t d = 0; d < c->sel->ndims; d++) {
        const iql_dim *dm = &c->sel->dims[d];
        for (size_t k = 0; k < sc->ntags + 1; k++) {
            st_slice name;
            if (dm->kind == IQL_DIM_TAG) {
                if (k) break;
                name = dm->name;
            } else if (dm->kind == IQL_DIM_ALL || dm->kind == IQL_DIM_REGEX) {
                if (k == sc->ntags) break;
                name = sc->tags[k];
                if (dm->kind == IQL_DIM_REGEX) {
                    iql_expr key = {.kind = IQL_E_REGEX, .str = dm->name};
                    (void)key;
                    matcher *m = NULL;
                    for (size_t r = 0; r < c->nrx; r++)
                        if (c->rx[r].x->kind == IQL_E_REGEX && st_slice_eq(c->rx[r].x->str, dm->name) &&
                            c->rx[r].x->l == NULL && c->rx[r].x->r == NULL)
                            m = c->rx[r].m;
                    if (!m || !matcher_matches(m, name)) continue;
                }
            } else {
                break;
            }
            bool seen = false;
            for (size_t j = 0; j < c->ngtags && !seen; j++) seen = st_slice_eq(c->gtags[j], name);
            if (!seen) c->gtags[c->ngtags++] = name;
        }
    }
    qsort(c->gtags, c->ngtags, sizeof *c->gtags, cmp_slice);
}

static void emit(sctx *c, iql_result *res, size_t *cap, const schema *sc, const group *g, const ocol *cols,
                 size_t ncols, table *tb)
{
    if (!tb->n) return;
    if (c->sel->desc)
        for (size_t i = 0, j = tb->n - 1; i < j; i++, j--) {
            int64_t t = tb->t[i];
            tb->t[i] = tb->t[j];
            tb->t[j] = t;
            for (size_t k = 0; k < ncols; k++) {
                iql_val v = tb->v[i * ncols + k];
                tb->v[i * ncols + k] = tb->v[j * ncols + k];
                tb->v[j * ncols + k] = v;
            }
        }
    size_t from = c->st->offset > 0 ? (size_t)c->st->offset : 0;
    if (from >= tb->n) return;
    size_t n = tb->n - from;
    if (c->st->limit > 0 && (size_t)c->st->limit < n) n = (size_t)c->st->limit;
    if (res->nseries == *cap) {
        size_t nc = *cap ? *cap * 2 : 8;
        iql_rseries *m = st_arena_alloc(c->a, nc * sizeof *m);
        if (res->nseries) memcpy(m, res->series, res->nseries * sizeof *m);
        res->series = m;
        *cap = nc;
    }
    iql_rseries *r = &res->series[res->nseries++];
    memset(r, 0, sizeof *r);
    r->name = sc->name;
    if (c->ngtags) {
        r->tags = st_arena_alloc(c->a, c->ngtags * sizeof *r->tags);
        for (size_t k = 0; k < c->ngtags; k++) r->tags[k] = (label){c->gtags[k], g->key[k]};
        r->ntags = c->ngtags;
    }
    r->ncols = ncols + 1;
    r->cols = st_arena_alloc(c->a, r->ncols * sizeof *r->cols);
    r->cols[0] = st_slice_of("time", 4);
    for (size_t k = 0; k < ncols; k++) r->cols[k + 1] = cols[k].name;
    r->nrows = n;
    r->time = st_arena_alloc(c->a, n * sizeof *r->time);
    memcpy(r->time, tb->t + from, n * sizeof *r->time);
    r->vals = st_arena_alloc(c->a, (n * ncols > 0 ? n * ncols : 1) * sizeof *r->vals);
    if (ncols) memcpy(r->vals, tb->v + from * ncols, n * ncols * sizeof *r->vals);
}

/* ------------------------------------------------------------ statement */

static int one_measurement(sctx *c, st_slice name, iql_result *res, size_t *cap)
{
    schema sc;
    int rc = load_schema(c, name, &sc);
    if (rc || !sc.nfields) return rc;
    group_tags(c, &sc);
    ocol *cols = NULL;
    size_t ncols = 0;
    rc = plan_columns(c, &sc, &cols, &ncols);
    if (rc) return rc;
    need nd = {.slot = st_malloc((sc.nfields + 1) * sizeof(long)), .field = st_malloc((sc.nfields + 1) * sizeof(long))};
    for (size_t i = 0; i < sc.nfields; i++) nd.slot[i] = -1;
    for (size_t k = 0; k < ncols; k++) need_walk(&sc, cols[k].x, &nd);
    bool any_field = nd.n > 0;
    need_walk(&sc, c->st->where, &nd);
    pointset ps = {0};
    if (!any_field && !c->aggregate)
        rc = st_fail(c->e, ST_EINVAL, "statement must have at least one field in select clause");
    if (rc == 0 && any_field) rc = read_points(c, &sc, &nd, &ps);
    if (rc == 0 && ps.ngroups > 1) qsort_r(ps.groups, ps.ngroups, sizeof *ps.groups, cmp_group, c);
    for (size_t gi = 0; gi < ps.ngroups && rc == 0; gi++) {
        group *g = &ps.groups[gi];
        group_sort(g, nd.n);
        mctx m = {c, &sc, &nd, &ps, g};
        table tb = {0};
        rc = group_rows(&m, cols, ncols, &tb);
        if (rc == 0) emit(c, res, cap, &sc, g, cols, ncols, &tb);
        table_free(&tb);
    }
    pointset_free(&ps);
    st_free(nd.slot);
    st_free(nd.field);
    st_free(cols);
    return rc;
}

/* The measurements of FROM, sorted and unique. */
static int sources(sctx *c, st_slice **out, size_t *n)
{
    const iql_stmt *st = c->st;
    st_slice *v = NULL;
    size_t cnt = 0, cap = 0;
    st_slice *all = NULL;
    size_t nall = 0;
    scan *sc = NULL;
    int rc = 0;
    for (size_t i = 0; i < st->nfrom && rc == 0; i++) {
        const iql_source *src = &st->from[i];
        if (src->sub) {
            rc = unsupported(c, "subqueries are");
            break;
        }
        if (src->db.n && !(strlen(c->db) == src->db.n && !memcmp(c->db, src->db.p, src->db.n))) {
            rc = unsupported(c, "a measurement of another database than the query's is");
            break;
        }
        if (!src->regex) {
            v = grow(v, cnt, &cap, sizeof *v);
            v[cnt++] = src->name;
            continue;
        }
        if (!sc) {
            scan_spec sp = {.db = c->db, .mint = INT64_MIN, .maxt = INT64_MAX, .mode = SCAN_KEYS};
            rc = scan_open(c->s, &sp, &sc, c->e);
            if (rc == ST_ENOTFOUND) {
                rc = 0;
                continue;
            }
            bool exact;
            if (rc == 0) rc = scan_tables(sc, &all, &nall, &exact, c->e);
            if (rc) break;
        }
        iql_expr re = {.kind = IQL_E_REGEX, .str = src->name};
        matcher *m = NULL;
        char buf[4200];
        int bn = snprintf(buf, sizeof buf, ".*(?:%.*s).*", (int)(re.str.n > 4096 ? 4096 : re.str.n), re.str.p);
        rc = matcher_new(MATCH_RE, st_slice_of("x", 1), st_slice_of(buf, (size_t)bn), &m, c->e);
        for (size_t k = 0; k < nall && rc == 0; k++)
            if (matcher_matches(m, all[k])) {
                v = grow(v, cnt, &cap, sizeof *v);
                v[cnt++] = st_slice_of(st_arena_strndup(c->a, all[k].p, all[k].n), all[k].n);
            }
        matcher_free(m);
    }
    scan_close(sc);
    if (rc) {
        st_free(v);
        return rc;
    }
    if (cnt > 1) qsort(v, cnt, sizeof *v, cmp_slice);
    size_t w = 0;
    for (size_t i = 0; i < cnt; i++)
        if (!w || !st_slice_eq(v[w - 1], v[i])) v[w++] = v[i];
    *out = v;
    *n = w;
    return 0;
}

int iql_select_exec(store *s, const char *db, const iql_stmt *st, const iql_select_opts *o, st_arena *a,
               iql_result *out, st_err *e)
{
    memset(out, 0, sizeof *out);
    const iql_select *sel = st->sel;
    sctx c = {.s = s, .db = db, .st = st, .sel = sel, .o = o, .a = a, .e = e, .mint = INT64_MIN, .maxt = INT64_MAX,
              .max_points = o->max_points ? o->max_points : DEFAULT_MAX_POINTS};
    int rc = 0;
    if (sel->has_into) rc = unsupported(&c, "SELECT INTO is");
    else if (sel->tz.n) rc = unsupported(&c, "tz() is");
    for (size_t i = 0; i < sel->nfields && rc == 0; i++) {
        c.aggregate |= has_aggregate(sel->fields[i].expr);
        rc = rx_compile_all(&c, sel->fields[i].expr);
    }
    for (size_t d = 0; d < sel->ndims && rc == 0; d++) {
        const iql_dim *dm = &sel->dims[d];
        if (dm->kind == IQL_DIM_TIME) {
            if (c.by_time) rc = st_fail(e, ST_EINVAL, "multiple time dimensions not allowed");
            c.by_time = true;
            c.interval = dm->interval;
            c.offset = dm->offset_now ? o->now % dm->interval : dm->offset % dm->interval;
        } else if (dm->kind == IQL_DIM_REGEX) {
            iql_expr *x = st_arena_alloc(a, sizeof *x);
            memset(x, 0, sizeof *x);
            x->kind = IQL_E_REGEX;
            x->str = dm->name;
            rc = rx_compile(&c, x);
        }
    }
    if (rc == 0) rc = rx_compile_all(&c, st->where);
    if (rc == 0) rc = time_bounds(&c, st->where);
    if (rc == 0 && c.by_time && !c.aggregate) rc = st_fail(e, ST_EINVAL, "GROUP BY requires at least one aggregate function");
    if (rc == 0 && c.by_time && !c.has_max) c.maxt = o->now;
    st_slice *ms = NULL;
    size_t nm = 0, cap = 0;
    if (rc == 0 && db) rc = sources(&c, &ms, &nm);
    for (size_t i = 0; i < nm && rc == 0; i++) rc = one_measurement(&c, ms[i], out, &cap);
    st_free(ms);
    for (size_t i = 0; i < c.nrx; i++) matcher_free(c.rx[i].m);
    if (rc == 0 && (sel->slimit > 0 || sel->soffset > 0)) {
        size_t from = sel->soffset > 0 ? (size_t)sel->soffset : 0;
        if (from >= out->nseries) {
            out->nseries = 0;
        } else {
            out->series += from;
            out->nseries -= from;
            if (sel->slimit > 0 && (size_t)sel->slimit < out->nseries) out->nseries = (size_t)sel->slimit;
        }
    }
    return rc;
}
