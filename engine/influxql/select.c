/* select: InfluxQL SELECT on the query layer (see select.h).
 *
 * The pieces, in the order a statement goes through them: time bounds and
 * conditions from WHERE; the measurements of FROM and each one's schema
 * (fields with their types, tag keys: keys only, nothing decoded); the
 * fields the statement reads; points, tag set by tag set, into groups
 * (select_read.c), or aggregates folded as samples come (select_fold.c);
 * then projection (raw) or buckets and aggregates, fill, order and limits. */
#include "influxql/select_int.h"

#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "bits.h"
#include "matcher.h"

/* Points read, and bucket values made, by one statement at most: memory
 * stays bounded (a value is 32 bytes) whatever GROUP BY time asks for. */
#define DEFAULT_MAX_POINTS 10000000u

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






matcher *iqs_rx_get(sctx *c, const iql_expr *x)
{
    for (size_t i = 0; i < c->nrx; i++)
        if (c->rx[i].x == x) return c->rx[i].m;
    return NULL;
}

/* InfluxQL regexes are unanchored; matcher.h's are anchored. */
static int rx_compile(sctx *c, const iql_expr *x)
{
    if (iqs_rx_get(c, x)) return 0;
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


/* ------------------------------------------------------------ WHERE: time */


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

/* Every time comparison of WHERE bounds the read, wherever it stands (as
 * InfluxDB 1.x takes them out of the expression, an OR included); the
 * rest of the condition is evaluated with them as true. */
static int time_bounds(sctx *c, const iql_expr *x)
{
    if (!x || x->kind != IQL_E_BINARY) return 0;
    if (x->op == IQL_OP_AND || x->op == IQL_OP_OR) return time_bounds(c, x->l) || time_bounds(c, x->r) ? ST_EINVAL : 0;
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

/* ------------------------------------------------------------ schema */

long iqs_find_slice(const st_slice *v, size_t n, st_slice k)
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

int iqs_cmp_slice(const void *a, const void *b) { return st_slice_cmp(*(const st_slice *)a, *(const st_slice *)b); }

/* Fields (with types and the series names they live under) and tag keys of
 * one measurement: the query layer keeps them until the series change. */
static int load_schema(sctx *c, st_slice m, schema *out)
{
    memset(out, 0, sizeof *out);
    out->name = m;
    scan_table_schema ts;
    int rc = scan_table_schema_get(c->s, c->db, m, c->a, &ts, c->e);
    if (rc == ST_ENOTFOUND) return 0;
    if (rc) return rc;
    out->fields = ts.fields;
    out->metrics = ts.metrics;
    out->ftypes = ts.types;
    out->nfields = ts.nfields;
    out->tags = ts.tags;
    out->ntags = ts.ntags;
    return 0;
}

bool iqs_is_tag(const schema *sc, const iql_expr *id)
{
    if (id->cast.n && !slice_ieq(id->cast, "tag")) return false;
    return iqs_find_slice(sc->tags, sc->ntags, id->str) >= 0;
}

long iqs_field_index(const schema *sc, const iql_expr *id)
{
    if (id->cast.n && slice_ieq(id->cast, "tag")) return -1;
    return iqs_find_slice(sc->fields, sc->nfields, id->str);
}

/* ------------------------------------------------------------ fields */





static bool has_aggregate(const iql_expr *x)
{
    if (!x) return false;
    if (x->kind == IQL_E_CALL && iqs_is_aggregate(x->str)) return true;
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
            matcher *m = x->kind == IQL_E_REGEX ? iqs_rx_get(c, x) : NULL;
            /* fields and tags in one sorted list */
            size_t fi = 0, ti = 0;
            while ((fields && fi < sc->nfields) || (tags && ti < sc->ntags)) {
                bool take_field = fields && fi < sc->nfields &&
                                  (!tags || ti >= sc->ntags || st_slice_cmp(sc->fields[fi], sc->tags[ti]) <= 0);
                st_slice name = take_field ? sc->fields[fi++] : sc->tags[ti++];
                if (m && !matcher_matches(m, name)) continue;
                /* a GROUP BY tag is in the series' tags, not a column */
                bool grouped = false;
                for (size_t g = 0; !take_field && g < c->ngtags && !grouped; g++) grouped = st_slice_eq(c->gtags[g], name);
                if (grouped) continue;
                iql_expr *id = ident_node(c, name);
                id->cast = take_field ? st_slice_of("field", 5) : st_slice_of("tag", 3);
                add_col(c, &cols, &n, &cap, id, name);
            }
            continue;
        }
        if (x->kind == IQL_E_CALL && x->nargs >= 1 &&
            (x->args[0]->kind == IQL_E_WILDCARD || x->args[0]->kind == IQL_E_REGEX)) {
            /* fn(*) and fn(/re/): one column per field, named fn_field */
            matcher *m = x->args[0]->kind == IQL_E_REGEX ? iqs_rx_get(c, x->args[0]) : NULL;
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
        if (is_time(x) && !f->alias.n) continue; /* the time column is always there */
        st_slice name = f->alias;
        if (!name.n) {
            nb.len = 0;
            expr_name(x, &nb);
            name = st_slice_of(st_arena_strndup(c->a, nb.p ? (const char *)nb.p : "", nb.len), nb.len);
        }
        add_col(c, &cols, &n, &cap, x, name);
        /* top(field, tag..., N): each tag is a column too */
        if (x->kind == IQL_E_CALL && (slice_ieq(x->str, "top") || slice_ieq(x->str, "bottom")) && x->nargs > 2)
            for (size_t a = 1; a + 1 < x->nargs; a++)
                if (x->args[a]->kind == IQL_E_IDENT) {
                    iql_expr *id = ident_node(c, x->args[a]->str);
                    id->cast = st_slice_of("tag", 3);
                    add_col(c, &cols, &n, &cap, id, x->args[a]->str);
                }
    }
    /* duplicate names get _1, _2, ... as InfluxDB gives them */
    for (size_t i = 1; i < n; i++) {
        bool dup = false;
        for (size_t j = 0; j < i && !dup; j++) dup = st_slice_eq(cols[j].name, cols[i].name);
        if (!dup) continue;
        /* the next free base_N */
        for (int k = 1;; k++) {
            char suf[24];
            int sl = snprintf(suf, sizeof suf, "%d", k);
            st_slice cand = arena_name(c, cols[i].name.p, cols[i].name.n, suf, (size_t)sl);
            bool used = false;
            for (size_t j = 0; j < n && !used; j++) used = j != i && st_slice_eq(cols[j].name, cand);
            if (!used) {
                cols[i].name = cand;
                break;
            }
        }
    }
    st_buf_free(&nb);
    *out = cols;
    *nout = n;
    return 0;
}

/* ------------------------------------------------------------ points */


static void need_walk(const schema *sc, const iql_expr *x, need *nd)
{
    if (!x) return;
    if (x->kind == IQL_E_IDENT && !is_time(x) && !iqs_is_tag(sc, x)) {
        long f = iqs_field_index(sc, x);
        if (f >= 0 && nd->slot[f] < 0) {
            nd->slot[f] = (long)nd->n;
            nd->field[nd->n++] = f;
        }
    }
    need_walk(sc, x->l, nd);
    need_walk(sc, x->r, nd);
    for (size_t i = 0; i < x->nargs; i++) need_walk(sc, x->args[i], nd);
}




st_slice iqs_tag_of(const tset *t, st_slice key)
{
    for (size_t i = 0; i < t->n; i++)
        if (st_slice_eq(t->tags[i].name, key)) return t->tags[i].value;
    return st_slice_of("", 0);
}

/* ------------------------------------------------------------ output */


iql_val *iqs_table_row(table *tb, int64_t t)
{
    if (tb->n == tb->cap) {
        tb->cap = tb->cap ? tb->cap * 2 : 64;
        tb->t = st_realloc(tb->t, tb->cap * sizeof *tb->t);
        tb->v = st_realloc(tb->v, tb->cap * (tb->ncols ? tb->ncols : 1) * sizeof *tb->v);
    }
    tb->t[tb->n] = t;
    return tb->v + tb->n++ * tb->ncols;
}

/* ORDER BY time DESC: InfluxDB reverses before transformations and fill
 * see the rows. */
void iqs_table_reverse(table *tb)
{
    size_t nc = tb->ncols;
    for (size_t i = 0, j = tb->n ? tb->n - 1 : 0; i < j; i++, j--) {
        int64_t t = tb->t[i];
        tb->t[i] = tb->t[j];
        tb->t[j] = t;
        for (size_t k = 0; k < nc; k++) {
            iql_val v = tb->v[i * nc + k];
            tb->v[i * nc + k] = tb->v[j * nc + k];
            tb->v[j * nc + k] = v;
        }
    }
}

void iqs_table_free(table *tb)
{
    st_free(tb->t);
    st_free(tb->v);
}


static int64_t floor_div(int64_t a, int64_t b)
{
    int64_t q = a / b;
    return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q;
}

int64_t iqs_bucket_of(const sctx *c, int64_t t)
{
    int64_t x;
    if (__builtin_sub_overflow(t, c->offset, &x)) x = c->offset > 0 ? INT64_MIN : INT64_MAX; /* the ends of time */
    int64_t zone = c->tz ? (int64_t)iql_tz_offset(c->tz, x) * ST_NS_PER_S : 0, lx;
    if (__builtin_add_overflow(x, zone, &lx)) lx = x;
    /* the bucket's start on the zone's wall clock, as an instant; its
     * offset moves it when the zone changed within the bucket, unless the
     * change is as long as the bucket or longer (as InfluxDB's windows) */
    int64_t b = floor_div(lx, c->interval) * c->interval, r;
    if (c->tz && !__builtin_sub_overflow(b, zone, &r)) {
        b = r;
        int64_t o = zone - (int64_t)iql_tz_offset(c->tz, b) * ST_NS_PER_S;
        if (o && (o < 0 ? -o : o) < c->interval && !__builtin_add_overflow(b, o, &r)) b = r;
    }
    return __builtin_add_overflow(b, c->offset, &r) ? b : r;
}

int64_t iqs_bucket_next(const sctx *c, int64_t b)
{
    int64_t n;
    if (__builtin_add_overflow(b, c->interval, &n)) return INT64_MAX;
    if (!c->tz) return n;
    /* a day the zone lengthened ends after b + interval: look an hour on */
    int64_t x = iqs_bucket_of(c, n);
    if (x > b) return x;
    if (__builtin_add_overflow(n, 3600 * ST_NS_PER_S, &n)) return INT64_MAX;
    x = iqs_bucket_of(c, n);
    return x > b ? x : n;
}

/* Aggregate calls in x (math functions aside); *last is set to one. */
size_t iqs_count_calls(const iql_expr *x, const iql_expr **last)
{
    if (!x) return 0;
    size_t n = 0;
    if (x->kind == IQL_E_CALL && !iqs_is_math(x->str)) {
        *last = x;
        return 1;
    }
    n += iqs_count_calls(x->l, last) + iqs_count_calls(x->r, last);
    for (size_t i = 0; i < x->nargs; i++) n += iqs_count_calls(x->args[i], last);
    return n;
}

static bool has_field_ref(const iql_expr *x)
{
    if (!x) return false;
    if (x->kind == IQL_E_IDENT) return true;
    if (has_field_ref(x->l) || has_field_ref(x->r)) return true;
    for (size_t i = 0; i < x->nargs; i++)
        if (has_field_ref(x->args[i])) return true;
    return false;
}

/* Calls with the number of arguments InfluxDB takes, in its words. */
static int check_args(sctx *c, const iql_expr *x)
{
    if (!x) return 0;
    if (x->kind == IQL_E_CALL) {
        static const struct {
            const char *name;
            int lo, hi;
        } arity[] = {{"count", 1, 1}, {"mean", 1, 1}, {"median", 1, 1}, {"mode", 1, 1}, {"spread", 1, 1},
                     {"stddev", 1, 1}, {"sum", 1, 1}, {"first", 1, 1}, {"last", 1, 1}, {"max", 1, 1},
                     {"min", 1, 1}, {"distinct", 1, 1}, {"percentile", 2, 2}, {"sample", 2, 2},
                     {"moving_average", 2, 2}, {"difference", 1, 1}, {"non_negative_difference", 1, 1},
                     {"cumulative_sum", 1, 1}, {"integral", 1, 2}, {"derivative", 1, 2},
                     {"non_negative_derivative", 1, 2}, {"elapsed", 1, 2}, {"atan2", 2, 2}, {"log", 2, 2},
                     {"pow", 2, 2}, {"abs", 1, 1}, {"acos", 1, 1}, {"asin", 1, 1}, {"atan", 1, 1}, {"ceil", 1, 1},
                     {"cos", 1, 1}, {"exp", 1, 1}, {"floor", 1, 1}, {"ln", 1, 1}, {"log2", 1, 1}, {"log10", 1, 1},
                     {"round", 1, 1}, {"sin", 1, 1}, {"sqrt", 1, 1}, {"tan", 1, 1},
                     {"exponential_moving_average", 2, 4}, {"double_exponential_moving_average", 2, 4},
                     {"triple_exponential_moving_average", 2, 4}, {"triple_exponential_derivative", 2, 4},
                     {"relative_strength_index", 2, 4}, {"chande_momentum_oscillator", 2, 4},
                     {"kaufmans_efficiency_ratio", 2, 3}, {"kaufmans_adaptive_moving_average", 2, 3},
                     {"holt_winters", 3, 3}, {"holt_winters_with_fit", 3, 3}};
        if (!iqs_is_aggregate(x->str) && !iqs_is_transform(x->str) && !iqs_is_math(x->str))
            return st_fail(c->e, ST_EINVAL, "undefined function %.*s()", (int)x->str.n, x->str.p);
        if ((slice_ieq(x->str, "top") || slice_ieq(x->str, "bottom")) && x->nargs < 2)
            return st_fail(c->e, ST_EINVAL, "invalid number of arguments for %s, expected at least 2, got %zu",
                           slice_ieq(x->str, "top") ? "top" : "bottom", x->nargs);
        for (size_t i = 0; i < sizeof arity / sizeof *arity; i++) {
            if (!slice_ieq(x->str, arity[i].name)) continue;
            int n = (int)x->nargs;
            if (n >= arity[i].lo && n <= arity[i].hi) break;
            if (arity[i].lo == arity[i].hi)
                return st_fail(c->e, ST_EINVAL, "invalid number of arguments for %s, expected %d, got %d", arity[i].name,
                               arity[i].lo, n);
            return st_fail(c->e, ST_EINVAL, "invalid number of arguments for %s, expected at least %d but no more than %d, got %d",
                           arity[i].name, arity[i].lo, arity[i].hi, n);
        }
        if ((slice_ieq(x->str, "elapsed") || slice_ieq(x->str, "integral") || slice_ieq(x->str, "derivative") ||
             slice_ieq(x->str, "non_negative_derivative")) &&
            x->nargs == 2 && x->args[1]->kind == IQL_E_DURATION && x->args[1]->ns <= 0) {
            char d[64];
            iql_format_duration(x->args[1]->ns, d, sizeof d);
            return st_fail(c->e, ST_EINVAL, "duration argument must be positive, got %s", d);
        }
        if (iqs_is_transform(x->str)) {
            int rc = iqs_transform_check(c, x);
            if (rc) return rc;
        }
    }
    if (check_args(c, x->l) || check_args(c, x->r)) return ST_EINVAL;
    for (size_t i = 0; i < x->nargs; i++)
        if (check_args(c, x->args[i])) return ST_EINVAL;
    return 0;
}

/* Aggregates of numbers over a string or boolean field: InfluxDB's words. */
static int check_types(sctx *c, const schema *sc, const iql_expr *x)
{
    if (!x) return 0;
    if (x->kind == IQL_E_CALL && x->nargs >= 1 && x->args[0]->kind == IQL_E_IDENT &&
        (slice_ieq(x->str, "mean") || slice_ieq(x->str, "sum") || slice_ieq(x->str, "median") ||
         slice_ieq(x->str, "stddev") || slice_ieq(x->str, "spread") || slice_ieq(x->str, "integral"))) {
        long f = iqs_field_index(sc, x->args[0]);
        if (f >= 0 && (sc->ftypes[f] == ST_VT_STRING || sc->ftypes[f] == ST_VT_BOOL)) {
            char name[32];
            size_t n = x->str.n < sizeof name - 1 ? x->str.n : sizeof name - 1;
            for (size_t i = 0; i < n; i++) name[i] = (char)tolower((unsigned char)x->str.p[i]);
            name[n] = 0;
            return st_fail(c->e, ST_EINVAL, "unsupported %s iterator type: *query.%sInterruptIterator", name,
                           sc->ftypes[f] == ST_VT_STRING ? "string" : "boolean");
        }
    }
    if (check_types(c, sc, x->l) || check_types(c, sc, x->r)) return ST_EINVAL;
    for (size_t i = 0; i < x->nargs; i++)
        if (check_types(c, sc, x->args[i])) return ST_EINVAL;
    return 0;
}

/* The transformation call in x (at the top, or under math), or NULL. */
static const iql_expr *find_transform(const iql_expr *x)
{
    if (!x) return NULL;
    if (x->kind == IQL_E_CALL && iqs_is_transform(x->str) && x->nargs >= 1) return x;
    if (x->kind == IQL_E_CALL && !iqs_is_math(x->str)) return NULL;
    const iql_expr *t = find_transform(x->l);
    if (!t) t = find_transform(x->r);
    for (size_t i = 0; !t && i < x->nargs; i++) t = find_transform(x->args[i]);
    return t;
}

static bool is_transform_col(const ocol *o) { return find_transform(o->x) != NULL; }

/* x with its transformation node tn worth v: the math around it. */
static iql_val eval_around(sctx *c, const iql_expr *x, const iql_expr *tn, iql_val v, int *rc)
{
    if (x == tn) return v;
    switch (x->kind) {
    case IQL_E_BINARY: {
        iql_val a = eval_around(c, x->l, tn, v, rc), b = eval_around(c, x->r, tn, v, rc);
        if (a.t == IQL_VT_NULL || b.t == IQL_VT_NULL) return iqv_null();
        return iqv_arith(x->op, a, b);
    }
    case IQL_E_CALL: {
        iql_val args[2];
        size_t n = x->nargs < 2 ? x->nargs : 2;
        for (size_t k = 0; k < n; k++) {
            args[k] = eval_around(c, x->args[k], tn, v, rc);
            if (args[k].t == IQL_VT_NULL) return iqv_null();
        }
        return iqs_math(c, x, args, n, rc);
    }
    default: return iqv_literal(x);
    }
}

/* The call of x that gives several rows a bucket (distinct, top, bottom,
 * sample), under math and arithmetic only; NULL when there is none. */
static const iql_expr *multi_call(const iql_expr *x)
{
    if (x->kind == IQL_E_BINARY) {
        const iql_expr *l = multi_call(x->l);
        return l ? l : multi_call(x->r);
    }
    if (x->kind != IQL_E_CALL) return NULL;
    if (slice_ieq(x->str, "distinct") || slice_ieq(x->str, "top") || slice_ieq(x->str, "bottom") ||
        slice_ieq(x->str, "sample"))
        return x;
    if (!iqs_is_math(x->str)) return NULL;
    for (size_t i = 0; i < x->nargs; i++) {
        const iql_expr *a = multi_call(x->args[i]);
        if (a) return a;
    }
    return NULL;
}

/* A field or tag outside every aggregate of x (a raw reference beside one). */
static bool raw_outside_calls(const iql_expr *x)
{
    if (!x) return false;
    if (x->kind == IQL_E_IDENT) return !is_time(x);
    if (x->kind == IQL_E_CALL && !iqs_is_math(x->str)) return false;
    if (raw_outside_calls(x->l) || raw_outside_calls(x->r)) return true;
    for (size_t i = 0; i < x->nargs; i++)
        if (raw_outside_calls(x->args[i])) return true;
    return false;
}

/* A column that mixes an aggregate with raw references: these take their
 * values from the point the statement's one selector chose (InfluxDB's
 * auxiliary fields). */
static iql_val eval_mixed(const mctx *m, const iql_expr *x, size_t from, size_t to, const aggv *sel, int *rc)
{
    switch (x->kind) {
    case IQL_E_IDENT: {
        if (!sel->has_t) return iqv_null();
        bool field = false;
        return iqs_eval_point(m, sel->row, x, &field, rc);
    }
    case IQL_E_BINARY: {
        iql_val a = eval_mixed(m, x->l, from, to, sel, rc), b = eval_mixed(m, x->r, from, to, sel, rc);
        if (a.t == IQL_VT_NULL || b.t == IQL_VT_NULL) return iqv_null();
        return iqv_arith(x->op, a, b);
    }
    case IQL_E_CALL:
        if (iqs_is_math(x->str)) {
            iql_val args[2];
            size_t n = x->nargs < 2 ? x->nargs : 2;
            for (size_t k = 0; k < n; k++) {
                args[k] = eval_mixed(m, x->args[k], from, to, sel, rc);
                if (args[k].t == IQL_VT_NULL) return iqv_null();
            }
            return iqs_math(m->c, x, args, n, rc);
        }
        return iqs_eval_bucket(m, x, from, to, NULL, rc);
    default: return iqv_literal(x);
    }
}

/* One group's rows: projected points, or aggregated buckets. */
static int base_rows(const mctx *m, const ocol *cols, size_t ncols, table *tb);

/* Transformation columns apply to what their first argument gives at
 * every row (a field's points, an aggregate's buckets); the rows are then
 * those where any column holds a value. */
static int group_rows(const mctx *m, const ocol *cols, size_t ncols, table *tb)
{
    size_t nt = 0;
    for (size_t k = 0; k < ncols; k++) nt += is_transform_col(&cols[k]);
    if (!nt) return base_rows(m, cols, ncols, tb);
    sctx *c = m->c;
    ocol *inner = st_malloc(ncols * sizeof *inner);
    int rc = 0;
    for (size_t k = 0; k < ncols && rc == 0; k++) {
        inner[k] = cols[k];
        const iql_expr *tn = find_transform(cols[k].x);
        if (!tn) continue;
        const iql_expr *arg = tn->args[0];
        if (has_aggregate(arg) && !c->by_time)
            rc = st_fail(c->e, ST_EINVAL, "%.*s aggregate requires a GROUP BY interval", (int)tn->str.n, tn->str.p);
        else if (!has_aggregate(arg) && c->by_time)
            rc = st_fail(c->e, ST_EINVAL, "aggregate function required inside the call to %.*s", (int)tn->str.n,
                         tn->str.p);
        inner[k].x = arg;
    }
    table base = {0};
    if (rc == 0) rc = base_rows(m, inner, ncols, &base);
    tb->ncols = ncols;
    int64_t *t = st_malloc((base.n + 1) * sizeof *t);
    iql_val *v = st_malloc((base.n + 1) * sizeof *v);
    /* the transformed columns, each as (time, value) in row order; those
     * of holt_winters may lie where no bucket has a row (its forecasts) */
    const iql_expr **tns = st_calloc(ncols + 1, sizeof *tns);
    int64_t **ot = st_calloc(ncols + 1, sizeof *ot);
    iql_val **ov = st_calloc(ncols + 1, sizeof *ov);
    size_t *on = st_calloc(ncols + 1, sizeof *on), *j = st_calloc(ncols + 1, sizeof *j);
    for (size_t k = 0; k < ncols && rc == 0; k++) {
        tns[k] = find_transform(cols[k].x);
        if (!tns[k]) continue;
        size_t n = 0;
        for (size_t i = 0; i < base.n; i++) {
            iql_val x = base.v[i * ncols + k];
            if (x.t == IQL_VT_NULL) continue;
            t[n] = base.t[i];
            v[n++] = x;
        }
        rc = iqs_transform_rows(c, tns[k], t, v, n, &ot[k], &ov[k], &on[k]);
    }
    /* rows at the buckets' times and the transformations' (both in the
     * statement's order); a plain aggregate column has every bucket
     * (filled), transformations have the rows they produced */
    bool plain = c->by_time && nt < ncols, desc = c->sel->desc;
    int64_t from_t = c->by_time && c->has_min ? iqs_bucket_of(c, c->mint) : INT64_MIN;
    iql_val *row = st_malloc((ncols + 1) * sizeof *row);
    for (size_t i = 0; rc == 0;) {
        bool have = i < base.n;
        int64_t at = have ? base.t[i] : 0;
        for (size_t k = 0; k < ncols; k++)
            if (j[k] < on[k] && (!have || (desc ? ot[k][j[k]] > at : ot[k][j[k]] < at))) {
                at = ot[k][j[k]];
                have = true;
            }
        if (!have) break;
        bool bucket = i < base.n && base.t[i] == at, any = bucket && plain;
        for (size_t k = 0; k < ncols && rc == 0; k++) {
            if (!tns[k]) row[k] = bucket ? base.v[i * ncols + k] : iqv_null();
            else if (j[k] < on[k] && ot[k][j[k]] == at)
                row[k] = eval_around(c, cols[k].x, tns[k], ov[k][j[k]++], &rc);
            else row[k] = iqv_null();
            any = any || row[k].t != IQL_VT_NULL;
        }
        if (bucket) i++;
        if (any && at >= from_t && rc == 0) memcpy(iqs_table_row(tb, at), row, ncols * sizeof *row);
    }
    for (size_t k = 0; k < ncols; k++) {
        st_free(ot[k]);
        st_free(ov[k]);
    }
    st_free(t);
    st_free(v);
    st_free(tns);
    st_free(ot);
    st_free(ov);
    st_free(on);
    st_free(j);
    st_free(row);
    st_free(inner);
    iqs_table_free(&base);
    return rc;
}

static int base_rows(const mctx *m, const ocol *cols, size_t ncols, table *tb)
{
    sctx *c = m->c;
    const group *g = m->g;
    int rc = 0;
    tb->ncols = ncols;
    if (!c->aggregate) {
        for (size_t i = 0; i < g->n && rc == 0; i++) {
            bool field = false;
            iql_val *tmp = st_malloc((ncols ? ncols : 1) * sizeof *tmp);
            for (size_t k = 0; k < ncols && rc == 0; k++) tmp[k] = iqs_eval_point(m, i, cols[k].x, &field, &rc);
            if (field && rc == 0) memcpy(iqs_table_row(tb, g->ts[i]), tmp, ncols * sizeof *tmp);
            st_free(tmp);
        }
        if (c->sel->desc) iqs_table_reverse(tb);
        return rc;
    }
    /* distinct, top, bottom, sample (math around it allowed), top and
     * bottom with their tag or field columns: several rows a bucket */
    const iql_expr *mc = NULL;
    size_t nall = 0;
    for (size_t k = 0; k < ncols; k++) nall += iqs_count_calls(cols[k].x, &mc);
    mc = NULL;
    for (size_t k = 0; k < ncols && !mc; k++) mc = multi_call(cols[k].x);
    if (mc && slice_ieq(mc->str, "distinct") && (ncols > 1 || nall > 1))
        return st_fail(c->e, ST_EINVAL, "aggregate function distinct() cannot be combined with other functions or fields");
    if (mc && !slice_ieq(mc->str, "distinct") && !slice_ieq(mc->str, "sample") && nall > 1)
        return st_fail(c->e, ST_EINVAL, "selector function %.*s() cannot be combined with other functions",
                       (int)mc->str.n, mc->str.p);
    if (mc && mc != multi_call(cols[0].x)) mc = NULL; /* sample() beside others: below */
    bool multi = mc != NULL;
    /* other columns: tags or fields of the points chosen */
    for (size_t k = 1; k < ncols && multi; k++) multi = cols[k].x->kind == IQL_E_IDENT;
    if (multi) {
        /* bucket by bucket where there are points (an empty one has no row) */
        size_t i = 0;
        while (rc == 0 && i < g->n) {
            size_t from = i;
            int64_t b = c->by_time ? iqs_bucket_of(c, g->ts[i]) : 0;
            int64_t bn = c->by_time ? iqs_bucket_next(c, b) : 0;
            if (c->by_time) while (i < g->n && g->ts[i] < bn) i++;
            else i = g->n;
            tv *o = NULL;
            size_t no = 0;
            int64_t bt = c->by_time ? b : c->has_min ? c->mint : 0;
            /* top and bottom give their points' times, distinct the bucket's */
            rc = iqs_multi(m, mc, from, i, bt, !slice_ieq(mc->str, "distinct"), &o, &no);
            for (size_t k = 0; k < no && rc == 0; k++) {
                iql_val *row = iqs_table_row(tb, o[k].t);
                row[0] = eval_around(c, cols[0].x, mc, o[k].v, &rc);
                bool field = false;
                for (size_t j = 1; j < ncols; j++) row[j] = iqs_eval_point(m, o[k].row, cols[j].x, &field, &rc);
            }
            st_free(o);
        }
        return rc;
    }
    /* One selector and nothing else aggregated: its point gives the other
     * columns (fields and tags), and without GROUP BY time the row's time. */
    const iql_expr *only = NULL;
    size_t ncalls = 0;
    for (size_t k = 0; k < ncols; k++) ncalls += iqs_count_calls(cols[k].x, &only);
    bool selector = ncalls == 1 && iqs_is_selector(only->str);
    bool point_time = !c->by_time && selector;
    bool *raw = st_calloc(ncols + 1, sizeof *raw), *mixed = st_calloc(ncols + 1, sizeof *mixed), any_mixed = false;
    for (size_t k = 0; k < ncols; k++) {
        raw[k] = !has_aggregate(cols[k].x);
        mixed[k] = !raw[k] && raw_outside_calls(cols[k].x);
        any_mixed |= mixed[k];
    }
    for (size_t k = 0; k < ncols && rc == 0; k++)
        if ((raw[k] || mixed[k]) && !selector && has_field_ref(cols[k].x))
            rc = st_fail(c->e, ST_EINVAL, "mixing aggregate and non-aggregate queries is not supported");
    int64_t first = 0, last = 0;
    if (c->by_time) {
        first = iqs_bucket_of(c, c->has_min ? c->read_mint : g->ts[0]);
        last = iqs_bucket_of(c, c->maxt);
        /* how many buckets, before any is made */
        uint64_t nb = last >= first ? ((uint64_t)last - (uint64_t)first) / (uint64_t)c->interval + 1 : 1;
        uint64_t vals = nb * (ncols ? ncols : 1);
        if (rc == 0 && (nb > c->max_points || vals / (ncols ? ncols : 1) != nb || c->npoints + vals > c->max_points))
            rc = st_fail(c->e, ST_ELIMIT, "max-select-buckets limit exceeded: (%llu/%zu)", (unsigned long long)nb,
                         c->max_points);
    }
    size_t i = 0;
    for (int64_t b = first; rc == 0; b = iqs_bucket_next(c, b)) {
        size_t from = i;
        int64_t bn = c->by_time ? iqs_bucket_next(c, b) : 0;
        if (c->by_time) while (i < g->n && g->ts[i] < bn) i++;
        else i = g->n;
        iql_val *row = st_malloc((ncols ? ncols : 1) * sizeof *row);
        aggv sel = {0};
        if (any_mixed && rc == 0) rc = iqs_agg_call(m, only, from, i, &sel);
        for (size_t k = 0; k < ncols && rc == 0; k++)
            row[k] = raw[k] || mixed[k] ? iqv_null() : iqs_eval_bucket(m, cols[k].x, from, i, &sel, &rc);
        bool field = false;
        for (size_t k = 0; k < ncols && rc == 0; k++) {
            if (raw[k] && sel.has_t) row[k] = iqs_eval_point(m, sel.row, cols[k].x, &field, &rc);
            if (mixed[k]) row[k] = eval_mixed(m, cols[k].x, from, i, &sel, &rc);
        }
        if (c->by_time) {
            memcpy(iqs_table_row(tb, b), row, ncols * sizeof *row);
        } else {
            bool any = false;
            for (size_t k = 0; k < ncols && !any; k++) any = row[k].t != IQL_VT_NULL;
            int64_t t = point_time && sel.has_t ? sel.t : c->has_min ? c->mint : 0;
            if (rc == 0 && any) memcpy(iqs_table_row(tb, t), row, ncols * sizeof *row);
        }
        st_free(row);
        c->npoints += ncols ? ncols : 1;
        if (!c->by_time || b >= last) break;
    }
    st_free(raw);
    st_free(mixed);
    if (!c->by_time) return rc;
    if (c->sel->desc) iqs_table_reverse(tb);
    /* integral() has no row for an empty bucket, whatever the fill */
    bool integral = ncols > 0;
    for (size_t k = 0; k < ncols && integral; k++)
        integral = cols[k].x->kind == IQL_E_CALL && slice_ieq(cols[k].x->str, "integral");
    if (rc == 0 && integral) {
        iql_fill was = c->sel->fill;
        iql_select *sel = (iql_select *)c->sel; /* the statement's own fill is put back at once */
        sel->fill = IQL_FILL_NONE;
        iqs_fill(c, tb, cols);
        sel->fill = was;
    } else if (rc == 0) {
        iqs_fill(c, tb, cols);
    }
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
    qsort(c->gtags, c->ngtags, sizeof *c->gtags, iqs_cmp_slice);
}

void iqs_emit(sctx *c, iql_result *res, size_t *cap, const schema *sc, const st_slice *key, const ocol *cols,
              size_t ncols, const table *tb)
{
    if (!tb->n) return;
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
        for (size_t k = 0; k < c->ngtags; k++) r->tags[k] = (label){c->gtags[k], key[k]};
        r->ntags = c->ngtags;
    }
    r->ncols = ncols + 1;
    r->cols = st_arena_alloc(c->a, r->ncols * sizeof *r->cols);
    r->cols[0] = st_slice_of("time", 4);
    for (size_t k = 0; k < ncols; k++) r->cols[k + 1] = cols[k].name;
    r->nrows = n;
    r->time = st_arena_alloc(c->a, n * sizeof *r->time);
    memcpy(r->time, tb->t + from, n * sizeof *r->time);
    if (c->tz) {
        r->zone = st_arena_alloc(c->a, n * sizeof *r->zone);
        for (size_t i = 0; i < n; i++) r->zone[i] = iql_tz_offset(c->tz, r->time[i]);
    }
    r->vals = st_arena_alloc(c->a, (n * ncols > 0 ? n * ncols : 1) * sizeof *r->vals);
    if (ncols) memcpy(r->vals, tb->v + from * ncols, n * ncols * sizeof *r->vals);
}

/* ------------------------------------------------------------ statement */

static int one_measurement(sctx *c, st_slice name, iql_result *res, size_t *cap)
{
    schema sc;
    int rc = 0;
    if (c->sub) iqs_sub_schema(c, name, &sc);
    else rc = load_schema(c, name, &sc);
    if (rc || !sc.nfields) return rc;
    group_tags(c, &sc);
    ocol *cols = NULL;
    size_t ncols = 0;
    rc = plan_columns(c, c->wide ? c->wide : &sc, &cols, &ncols);
    if (rc) return rc;
    for (size_t k = 0; k < ncols && rc == 0; k++) rc = check_types(c, &sc, cols[k].x);
    if (rc) {
        st_free(cols);
        return rc;
    }
    need nd = {.slot = st_malloc((sc.nfields + 1) * sizeof(long)), .field = st_malloc((sc.nfields + 1) * sizeof(long))};
    for (size_t i = 0; i < sc.nfields; i++) nd.slot[i] = -1;
    for (size_t k = 0; k < ncols; k++) need_walk(&sc, cols[k].x, &nd);
    bool any_field = nd.n > 0;
    need_walk(&sc, c->st->where, &nd);
    pointset ps = {0};
    /* aggregates that fold as the samples come, when nothing else is asked */
    bool folded = false;
    if (rc == 0 && any_field && iqs_fold_fits(c, &sc, cols, ncols)) {
        rc = iqs_fold(c, &sc, &nd, cols, ncols, res, cap);
        folded = rc != IQS_FOLD_NO;
        if (!folded) rc = 0;
    }
    /* nothing but tags, or fields the measurement lacks: no rows, as in InfluxDB */
    if (rc == 0 && any_field && !folded) rc = c->sub ? iqs_sub_points(c, &sc, &nd, &ps) : iqs_read_points(c, &sc, &nd, &ps);
    if (rc == 0 && ps.ngroups > 1) qsort_r(ps.groups, ps.ngroups, sizeof *ps.groups, cmp_group, c);
    if (rc == 0 && c->sel->desc) /* DESC reverses the series too */
        for (size_t i = 0, j = ps.ngroups ? ps.ngroups - 1 : 0; i < j; i++, j--) {
            group t = ps.groups[i];
            ps.groups[i] = ps.groups[j];
            ps.groups[j] = t;
        }
    for (size_t gi = 0; gi < ps.ngroups && rc == 0; gi++) {
        group *g = &ps.groups[gi];
        /* a raw query over a subquery keeps its rows' order (series by
         * series, as InfluxDB reads them) */
        if (c->aggregate || !c->sub) iqs_group_sort(g, nd.n);
        mctx m = {c, &sc, &nd, &ps, g};
        table tb = {0};
        rc = group_rows(&m, cols, ncols, &tb);
        if (rc == 0) iqs_emit(c, res, cap, &sc, g->key, cols, ncols, &tb);
        iqs_table_free(&tb);
    }
    iqs_pointset_free(&ps);
    st_free(nd.slot);
    st_free(nd.field);
    st_free(cols);
    return rc;
}

static bool wants_wildcard(const iql_select *sel)
{
    for (size_t i = 0; i < sel->nfields; i++) {
        const iql_expr *x = sel->fields[i].expr;
        if (x->kind == IQL_E_WILDCARD || x->kind == IQL_E_REGEX) return true;
        if (x->kind == IQL_E_CALL && x->nargs && (x->args[0]->kind == IQL_E_WILDCARD || x->args[0]->kind == IQL_E_REGEX))
            return true;
    }
    return false;
}

/* The union of the measurements' schemas (the first type of a field stands). */
static int wide_schema(sctx *c, const st_slice *ms, size_t nm, schema *out)
{
    memset(out, 0, sizeof *out);
    size_t capf = 0, capt = 0;
    st_slice *f = NULL, *t = NULL, *met = NULL;
    uint8_t *ft = NULL;
    size_t nf = 0, nt = 0;
    int rc = 0;
    for (size_t i = 0; i < nm && rc == 0; i++) {
        schema one;
        rc = load_schema(c, ms[i], &one);
        for (size_t k = 0; k < one.nfields && rc == 0; k++) {
            if (nf && iqs_find_slice(f, nf, one.fields[k]) >= 0) continue;
            size_t cf = capf;
            f = grow(f, nf, &capf, sizeof *f);
            if (capf != cf) {
                ft = st_realloc(ft, capf);
                met = st_realloc(met, capf * sizeof *met);
            }
            /* kept sorted for iqs_find_slice */
            size_t at = nf;
            while (at > 0 && st_slice_cmp(f[at - 1], one.fields[k]) > 0) {
                f[at] = f[at - 1];
                ft[at] = ft[at - 1];
                met[at] = met[at - 1];
                at--;
            }
            f[at] = one.fields[k];
            ft[at] = one.ftypes[k];
            met[at] = one.metrics[k];
            nf++;
        }
        for (size_t k = 0; k < one.ntags && rc == 0; k++) {
            if (nt && iqs_find_slice(t, nt, one.tags[k]) >= 0) continue;
            t = grow(t, nt, &capt, sizeof *t);
            size_t at = nt;
            while (at > 0 && st_slice_cmp(t[at - 1], one.tags[k]) > 0) {
                t[at] = t[at - 1];
                at--;
            }
            t[at] = one.tags[k];
            nt++;
        }
    }
    out->fields = st_arena_alloc(c->a, (nf + 1) * sizeof *out->fields);
    out->metrics = st_arena_alloc(c->a, (nf + 1) * sizeof *out->metrics);
    out->ftypes = st_arena_alloc(c->a, nf + 1);
    if (nf) {
        memcpy(out->fields, f, nf * sizeof *f);
        memcpy(out->metrics, met, nf * sizeof *met);
        memcpy(out->ftypes, ft, nf);
    }
    out->nfields = nf;
    out->tags = st_arena_alloc(c->a, (nt + 1) * sizeof *out->tags);
    if (nt) memcpy(out->tags, t, nt * sizeof *t);
    out->ntags = nt;
    st_free(f);
    st_free(t);
    st_free(ft);
    st_free(met);
    return rc;
}

/* The measurements of FROM in the statement's database, sorted and unique
 * (a measurement of another database is run by iql_select_exec on its own). */
static bool other_db(const sctx *c, const iql_source *src)
{
    st_slice db = src->db.n ? src->db : st_slice_of(c->home_db, strlen(c->home_db));
    return !(strlen(c->db) == db.n && !memcmp(c->db, db.p, db.n));
}

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
        if (src->sub) continue; /* iql_select_exec runs them */
        if (other_db(c, src)) continue;
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
    if (cnt > 1) qsort(v, cnt, sizeof *v, iqs_cmp_slice);
    size_t w = 0;
    for (size_t i = 0; i < cnt; i++)
        if (!w || !st_slice_eq(v[w - 1], v[i])) v[w++] = v[i];
    *out = v;
    *n = w;
    return 0;
}

/* ORDER BY time DESC lists each measurement's series in reverse: turns
 * every run of one name around (an involution). */
static void reverse_runs(iql_result *r)
{
    for (size_t a = 0; a < r->nseries;) {
        size_t b = a + 1;
        while (b < r->nseries && st_slice_eq(r->series[b].name, r->series[a].name)) b++;
        for (size_t i = a, j = b - 1; i < j; i++, j--) {
            iql_rseries t = r->series[i];
            r->series[i] = r->series[j];
            r->series[j] = t;
        }
        a = b;
    }
}

int iql_select_exec(store *s, const char *db, const iql_stmt *st, const iql_select_opts *o, st_arena *a,
               iql_result *out, st_err *e)
{
    memset(out, 0, sizeof *out);
    const iql_select *sel = st->sel;
    sctx c = {.s = s, .db = db, .home_db = db, .st = st, .sel = sel, .o = o, .a = a, .e = e, .mint = INT64_MIN, .maxt = INT64_MAX,
              .max_points = o->max_points ? o->max_points : DEFAULT_MAX_POINTS};
    int rc = 0;
    if (sel->has_into) rc = unsupported(&c, "SELECT INTO is");
    else if (sel->tz.n) rc = iql_tz_load(sel->tz, &c.tz, e);
    for (size_t i = 0; i < sel->nfields && rc == 0; i++) rc = check_args(&c, sel->fields[i].expr);
    for (size_t i = 0; i < sel->nfields && rc == 0; i++) {
        c.aggregate |= has_aggregate(sel->fields[i].expr);
        rc = rx_compile_all(&c, sel->fields[i].expr);
    }
    for (size_t d = 0; d < sel->ndims && rc == 0; d++) {
        const iql_dim *dm = &sel->dims[d];
        if (dm->kind == IQL_DIM_TIME && dm->interval == 0) {
            continue; /* time(0s): no time dimension */
        } else if (dm->kind == IQL_DIM_TIME) {
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
    if (o->outer && !c.has_min && o->outer_has_min) {
        c.mint = o->outer_mint;
        c.has_min = true;
    }
    if (o->outer && !c.has_max && o->outer_has_max) {
        c.maxt = o->outer_maxt;
        c.has_max = true;
    }
    for (size_t i = 0; i < sel->nfields && rc == 0 && c.by_time && !c.aggregate; i++) {
        const iql_expr *x = find_transform(sel->fields[i].expr);
        if (x)
            rc = st_fail(e, ST_EINVAL, "aggregate function required inside the call to %.*s", (int)x->str.n, x->str.p);
    }
    if (rc == 0 && c.by_time && !c.aggregate) rc = st_fail(e, ST_EINVAL, "GROUP BY requires at least one aggregate function");
    if (rc == 0 && c.by_time && !c.has_max) c.maxt = o->now;
    /* transformations of buckets read the bucket before the range too (the
     * first bucket in it then has a derivative or a difference) */
    c.read_mint = c.mint;
    if (rc == 0 && c.by_time && c.has_min) {
        int64_t extra = 0;
        for (size_t i = 0; i < sel->nfields; i++) {
            const iql_expr *x = find_transform(sel->fields[i].expr);
            if (!x || !has_aggregate(x->args[0])) continue;
            /* one bucket, as InfluxDB reads; holt_winters none */
            bool none = slice_ieq(x->str, "cumulative_sum") || slice_ieq(x->str, "holt_winters") ||
                        slice_ieq(x->str, "holt_winters_with_fit");
            int64_t k = none ? 0 : 1;
            if (k > extra) extra = k;
        }
        /* InfluxDB moves the start back by whole intervals, not to a bucket
         * boundary: the bucket before a start inside a bucket is read in part */
        if (extra && extra < 100000) {
            int64_t back;
            if (!__builtin_mul_overflow(extra, c.interval, &back) && !__builtin_sub_overflow(c.mint, back, &back))
                c.read_mint = back;
        }
    }
    for (size_t i = 0; i < st->nfrom && rc == 0; i++) {
        const iql_source *src = &st->from[i];
        if (src->sub) continue;
        char dbn[256];
        st_slice d = src->db.n ? src->db : st_slice_of(db ? db : "", db ? strlen(db) : 0);
        snprintf(dbn, sizeof dbn, "%.*s", (int)(d.n > 200 ? 200 : d.n), d.p);
        if (d.n && !store_db_exists(s, dbn)) rc = st_fail(e, ST_ENOTFOUND, "database not found: %s", dbn);
        else if (src->rp.n && !slice_ieq(src->rp, "autogen"))
            rc = st_fail(e, ST_ENOTFOUND, "retention policy not found: %.*s", (int)src->rp.n, src->rp.p);
    }
    st_slice *ms = NULL;
    size_t nm = 0, cap = 0;
    if (rc == 0 && db) rc = sources(&c, &ms, &nm);
    /* `*` over several measurements: every one's fields and tags on each (InfluxDB's columns) */
    schema wide;
    if (rc == 0 && nm > 1 && wants_wildcard(sel)) {
        rc = wide_schema(&c, ms, nm, &wide);
        if (rc == 0) c.wide = &wide;
    }
    for (size_t i = 0; i < nm && rc == 0; i++) rc = one_measurement(&c, ms[i], out, &cap);
    c.wide = NULL;
    st_free(ms);
    /* measurements of other databases (db.rp.m), each database once, in order */
    for (size_t i = 0; i < st->nfrom && rc == 0 && db; i++) {
        const iql_source *src = &st->from[i];
        if (src->sub || !other_db(&c, src)) continue;
        bool done = false;
        for (size_t j = 0; j < i && !done; j++)
            done = !st->from[j].sub && other_db(&c, &st->from[j]) && st_slice_eq(st->from[j].db, src->db);
        if (done) continue;
        char *odb = st_arena_strndup(a, src->db.p, src->db.n);
        const char *keep = c.db;
        c.db = odb;
        st_slice *oms = NULL;
        size_t nom = 0;
        rc = sources(&c, &oms, &nom);
        for (size_t k = 0; k < nom && rc == 0; k++) rc = one_measurement(&c, oms[k], out, &cap);
        st_free(oms);
        c.db = keep;
    }
    /* subqueries: their answers are the points, in the outer time range
     * when they name none themselves; the answers of several are one
     * source (series of one name from two subqueries are read together) */
    iql_result all = {0};
    size_t capall = 0;
    for (size_t i = 0; i < st->nfrom && rc == 0 && db; i++) {
        if (!st->from[i].sub) continue;
        iql_select_opts io = *o;
        io.outer = true;
        io.outer_has_min = c.has_min;
        io.outer_has_max = c.has_max;
        io.outer_mint = c.mint;
        io.outer_maxt = c.maxt;
        /* The outer GROUP BY tags are pushed into a raw subquery (as InfluxDB
         * does), so that its points keep them; not when a LIMIT or OFFSET
         * counts its rows across tag sets. */
        const iql_stmt *sub = st->from[i].sub;
        iql_stmt split;
        iql_select ssel;
        bool raw = true;
        for (size_t k = 0; k < sub->sel->nfields && raw; k++) raw = !has_aggregate(sub->sel->fields[k].expr);
        size_t push = 0;
        for (size_t d = 0; d < sel->ndims; d++) push += sel->dims[d].kind != IQL_DIM_TIME;
        if (raw && push && !sub->limit && !sub->offset) {
            split = *sub;
            ssel = *sub->sel;
            ssel.dims = st_arena_alloc(a, (ssel.ndims + push) * sizeof *ssel.dims);
            if (sub->sel->ndims) memcpy(ssel.dims, sub->sel->dims, sub->sel->ndims * sizeof *ssel.dims);
            for (size_t d = 0; d < sel->ndims; d++)
                if (sel->dims[d].kind != IQL_DIM_TIME) ssel.dims[ssel.ndims++] = sel->dims[d];
            split.sel = &ssel;
            sub = &split;
        }
        iql_result inner;
        rc = iql_select_exec(s, db, sub, &io, a, &inner, e);
        if (rc == 0 && all.nseries + inner.nseries > capall) {
            capall = (all.nseries + inner.nseries) * 2;
            iql_rseries *m = st_arena_alloc(a, capall * sizeof *m);
            if (all.nseries) memcpy(m, all.series, all.nseries * sizeof *m);
            all.series = m;
        }
        if (rc == 0 && inner.nseries) memcpy(all.series + all.nseries, inner.series, inner.nseries * sizeof *inner.series);
        if (rc == 0) all.nseries += inner.nseries;
    }
    if (rc == 0 && all.nseries) {
        c.sub = &all;
        st_slice *names = st_malloc(all.nseries * sizeof *names);
        for (size_t k = 0; k < all.nseries; k++) names[k] = all.series[k].name;
        qsort(names, all.nseries, sizeof *names, iqs_cmp_slice);
        for (size_t k = 0; k < all.nseries && rc == 0; k++)
            if (!k || !st_slice_eq(names[k], names[k - 1])) rc = one_measurement(&c, names[k], out, &cap);
        st_free(names);
        c.sub = NULL;
    }
    for (size_t i = 0; i < c.nrx; i++) matcher_free(c.rx[i].m);
    iql_tz_free(c.tz);
    if (rc == 0 && (sel->slimit > 0 || sel->soffset > 0)) {
        /* InfluxDB counts SLIMIT and SOFFSET over the series in ascending
         * order, then reverses them for DESC */
        if (sel->desc) reverse_runs(out);
        size_t from = sel->soffset > 0 ? (size_t)sel->soffset : 0;
        if (from >= out->nseries) {
            out->nseries = 0;
        } else {
            out->series += from;
            out->nseries -= from;
            if (sel->slimit > 0 && (size_t)sel->slimit < out->nseries) out->nseries = (size_t)sel->slimit;
        }
        if (sel->desc) reverse_runs(out);
    }
    return rc;
}
