/* agg: SQL aggregate functions (Trino's semantics) and the hash GROUP BY operator. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sql/ops_int.h"

/* ---- resolution ---- */

typedef enum fam {
    F_COUNT = 1,
    F_COUNT_IF,
    F_SUM,
    F_AVG,
    F_MIN,
    F_MAX,
    F_ARBITRARY,
    F_BOOL_AND,
    F_BOOL_OR,
    F_STDDEV,
    F_STDDEV_POP,
    F_VARIANCE,
    F_VAR_POP,
    F_GEOMEAN,
    F_MAX_BY,
    F_MIN_BY,
    F_APPROX_DISTINCT,
    F_APPROX_PERCENTILE,
    F_ARRAY_AGG,
    F_CREATE_TS,
} fam;

static const struct {
    const char *name;
    fam f;
    const char *expected; /* Trino's list of signatures, for the error */
} NAMES[] = {
    {"count", F_COUNT, "count(), count(t)"},
    {"count_if", F_COUNT_IF, "count_if(boolean)"},
    {"sum", F_SUM, "sum(bigint), sum(double), sum(interval day to second), sum(interval year to month)"},
    {"avg", F_AVG, "avg(bigint), avg(double), avg(interval day to second), avg(interval year to month)"},
    {"min", F_MIN, "min(t) t:orderable, min(t, bigint)"},
    {"max", F_MAX, "max(t) t:orderable, max(t, bigint)"},
    {"arbitrary", F_ARBITRARY, "arbitrary(t)"},
    {"any_value", F_ARBITRARY, "any_value(t)"},
    {"bool_and", F_BOOL_AND, "bool_and(boolean)"},
    {"every", F_BOOL_AND, "every(boolean)"},
    {"bool_or", F_BOOL_OR, "bool_or(boolean)"},
    {"stddev", F_STDDEV, "stddev(bigint), stddev(double)"},
    {"stddev_samp", F_STDDEV, "stddev_samp(bigint), stddev_samp(double)"},
    {"stddev_pop", F_STDDEV_POP, "stddev_pop(bigint), stddev_pop(double)"},
    {"variance", F_VARIANCE, "variance(bigint), variance(double)"},
    {"var_samp", F_VARIANCE, "var_samp(bigint), var_samp(double)"},
    {"var_pop", F_VAR_POP, "var_pop(bigint), var_pop(double)"},
    {"geometric_mean", F_GEOMEAN, "geometric_mean(bigint), geometric_mean(double)"},
    {"max_by", F_MAX_BY, "max_by(v, k) k:orderable"},
    {"min_by", F_MIN_BY, "min_by(v, k) k:orderable"},
    {"approx_distinct", F_APPROX_DISTINCT, "approx_distinct(t), approx_distinct(t, double)"},
    {"approx_percentile", F_APPROX_PERCENTILE,
     "approx_percentile(bigint, double), approx_percentile(double, double), approx_percentile(timestamp, double), "
     "approx_percentile(bigint, array(double)), approx_percentile(double, array(double))"},
    {"array_agg", F_ARRAY_AGG, "array_agg(t)"},
    {"create_time_series", F_CREATE_TS,
     "create_time_series(timestamp, bigint), create_time_series(timestamp, double), "
     "create_time_series(timestamp, varchar), create_time_series(timestamp, boolean)"},
};

static bool is_num(uint8_t t) { return t == SQLT_BIGINT || t == SQLT_DOUBLE || t == SQLT_UNKNOWN; }
static bool is_bool(uint8_t t) { return t == SQLT_BOOLEAN || t == SQLT_UNKNOWN; }
static bool is_summable(uint8_t t)
{
    return is_num(t) || t == SQLT_INTERVAL_DS || t == SQLT_INTERVAL_YM;
}

int sql_agg_resolve(st_slice name, const uint8_t *argtypes, size_t nargs, bool distinct, sql_aggk *kind,
                    uint8_t *ret, st_err *e)
{
    (void)distinct; /* DISTINCT is taken by every aggregate: it changes the input, not the signature */
    size_t w = 0;
    for (; w < ST_ARRAY_LEN(NAMES); w++)
        if (strlen(NAMES[w].name) == name.n && !memcmp(NAMES[w].name, name.p, name.n)) break;
    if (w == ST_ARRAY_LEN(NAMES)) return st_fail(e, ST_ENOTFOUND, "Function '%.*s' not registered", (int)name.n, name.p);
    uint8_t t0 = nargs ? argtypes[0] : SQLT_UNKNOWN, t1 = nargs > 1 ? argtypes[1] : SQLT_UNKNOWN;
    bool ok = false;
    sql_aggk k = 0;
    uint8_t r = SQLT_UNKNOWN;
    switch (NAMES[w].f) {
    case F_COUNT:
        ok = nargs <= 1;
        k = nargs ? SQL_AGG_COUNT : SQL_AGG_COUNT_STAR;
        r = SQLT_BIGINT;
        break;
    case F_COUNT_IF:
        ok = nargs == 1 && is_bool(t0);
        k = SQL_AGG_COUNT_IF;
        r = SQLT_BIGINT;
        break;
    case F_SUM:
        ok = nargs == 1 && is_summable(t0);
        k = SQL_AGG_SUM;
        r = t0 == SQLT_UNKNOWN ? SQLT_BIGINT : t0;
        break;
    case F_AVG:
        ok = nargs == 1 && is_summable(t0);
        k = SQL_AGG_AVG;
        r = t0 == SQLT_INTERVAL_DS || t0 == SQLT_INTERVAL_YM ? t0 : SQLT_DOUBLE;
        break;
    case F_MIN:
    case F_MAX:
    case F_ARBITRARY:
        ok = nargs == 1 && !sqlt_is_composite(t0);
        k = NAMES[w].f == F_MIN ? SQL_AGG_MIN : NAMES[w].f == F_MAX ? SQL_AGG_MAX : SQL_AGG_ARBITRARY;
        r = t0;
        if (NAMES[w].f != F_ARBITRARY && nargs == 2 && !sqlt_is_composite(t0) &&
            (t1 == SQLT_BIGINT || t1 == SQLT_UNKNOWN)) {
            ok = true;
            k = NAMES[w].f == F_MIN ? SQL_AGG_MIN_N : SQL_AGG_MAX_N;
            r = (uint8_t)(SQLT_ARRAY | t0);
        }
        break;
    case F_ARRAY_AGG:
        ok = nargs == 1 && !sqlt_is_composite(t0);
        k = SQL_AGG_ARRAY_AGG;
        r = (uint8_t)(SQLT_ARRAY | t0);
        break;
    case F_CREATE_TS:
        ok = nargs == 2 && (t0 == SQLT_TIMESTAMP || t0 == SQLT_UNKNOWN) &&
             (t1 == SQLT_BIGINT || t1 == SQLT_DOUBLE || t1 == SQLT_VARCHAR || t1 == SQLT_BOOLEAN);
        k = SQL_AGG_CREATE_TIME_SERIES;
        r = (uint8_t)(SQLT_TIMESERIES | t1);
        break;
    case F_BOOL_AND:
    case F_BOOL_OR:
        ok = nargs == 1 && is_bool(t0);
        k = NAMES[w].f == F_BOOL_AND ? SQL_AGG_BOOL_AND : SQL_AGG_BOOL_OR;
        r = SQLT_BOOLEAN;
        break;
    case F_STDDEV:
    case F_STDDEV_POP:
    case F_VARIANCE:
    case F_VAR_POP:
    case F_GEOMEAN:
        ok = nargs == 1 && is_num(t0);
        k = NAMES[w].f == F_STDDEV       ? SQL_AGG_STDDEV
            : NAMES[w].f == F_STDDEV_POP ? SQL_AGG_STDDEV_POP
            : NAMES[w].f == F_VARIANCE   ? SQL_AGG_VARIANCE
            : NAMES[w].f == F_VAR_POP    ? SQL_AGG_VAR_POP
                                         : SQL_AGG_GEOMETRIC_MEAN;
        r = SQLT_DOUBLE;
        break;
    case F_MAX_BY:
    case F_MIN_BY:
        ok = nargs == 2;
        k = NAMES[w].f == F_MAX_BY ? SQL_AGG_MAX_BY : SQL_AGG_MIN_BY;
        r = t0;
        break;
    case F_APPROX_DISTINCT:
        ok = nargs == 1 || (nargs == 2 && is_num(t1));
        k = SQL_AGG_APPROX_DISTINCT;
        r = SQLT_BIGINT;
        break;
    case F_APPROX_PERCENTILE:
        ok = nargs == 2 && (is_num(t0) || t0 == SQLT_TIMESTAMP) &&
             (is_num(t1) || (sqlt_is_array(t1) && is_num((uint8_t)sqlt_elem(t1))));
        k = SQL_AGG_APPROX_PERCENTILE;
        r = t0 == SQLT_UNKNOWN ? SQLT_DOUBLE : t0;
        if (sqlt_is_array(t1)) r = (uint8_t)(SQLT_ARRAY | r);
        break;
    }
    if (!ok) {
        char got[160];
        size_t n = 0;
        got[0] = 0;
        for (size_t i = 0; i < nargs && n < sizeof got - 40; i++)
            n += (size_t)snprintf(got + n, sizeof got - n, "%s%s", i ? ", " : "",
                                  sql_vtype_name((sql_vtype)argtypes[i]));
        return st_fail(e, ST_EINVAL, "Unexpected parameters (%s) for function %s. Expected: %s", got, NAMES[w].name,
                       NAMES[w].expected);
    }
    *kind = k;
    *ret = r;
    return 0;
}

/* ---- state ---- */

void sql_agg_init(sql_aggst *s)
{
    memset(s, 0, sizeof *s);
    s->b = true; /* bool_and's identity; bool_or reads has/b together */
}

void sql_agg_free(sql_aggst *s)
{
    st_free(s->vbuf);
    st_free(s->kbuf);
    htab_free(&s->seen);
    st_free(s->seenv);
    if (s->seen_a) st_arena_free(s->seen_a);
    if (s->vcomp) st_arena_free(s->vcomp);
    if (s->kcomp) st_arena_free(s->kcomp);
    st_free(s->vals);
    st_free(s->times);
    memset(s, 0, sizeof *s);
}

/* dst = src, a varchar's bytes copied into the state's own buffer (reused:
 * a max over many strings keeps one copy, not one per change), an array
 * into its own arena (emptied first): src lives only until the next row. */
static void keep(sql_value *dst, char **buf, size_t *cap, st_arena **comp, const sql_value *src)
{
    *dst = *src;
    if (!src->null && sqlt_is_composite(src->type)) {
        if (*comp) st_arena_reset(*comp);
        else *comp = st_arena_new(256);
        *dst = sqlv_copy(*comp, src);
        return;
    }
    if (src->null || src->type != SQLT_VARCHAR) return;
    if (src->u.s.n > *cap) {
        *cap = src->u.s.n * 2;
        st_free(*buf);
        *buf = st_malloc(*cap);
    }
    if (src->u.s.n) memcpy(*buf, src->u.s.p, src->u.s.n);
    dst->u.s.p = *buf;
}

static double as_double(const sql_value *v)
{
    return v->type == SQLT_DOUBLE ? v->u.d : v->type == SQLT_BOOLEAN ? (double)v->u.b : (double)v->u.i;
}

typedef struct seen_probe {
    const sql_aggst *s;
    const sql_value *v;
} seen_probe;

static bool seen_eq(void *ctx, uint32_t ri)
{
    seen_probe *p = ctx;
    return sqlv_same(&p->s->seenv[ri], p->v);
}

/* DISTINCT: true the first time v is seen (then kept). */
static int first_seen(sql_exec_ctx *x, sql_aggst *s, const sql_value *v, uint64_t *held, const char *what, bool *first,
                      st_err *e)
{
    uint64_t h = sqlv_hash(v, 0x51ed270b27ull);
    seen_probe p = {s, v};
    *first = htab_find(&s->seen, h, seen_eq, &p) == UINT32_MAX;
    if (!*first) return 0;
    int rc = sql_ops_hold(x, held, what, e);
    if (rc) return rc;
    if (!s->seen_a) s->seen_a = st_arena_new(256);
    if (s->nseen == s->capseen) {
        s->capseen = s->capseen ? s->capseen * 2 : 16;
        s->seenv = st_realloc(s->seenv, s->capseen * sizeof *s->seenv);
    }
    s->seenv[s->nseen] = sqlv_copy(s->seen_a, v);
    htab_put(&s->seen, h, (uint32_t)s->nseen++);
    return 0;
}

static void welford(sql_aggst *s, double x)
{
    s->n++;
    double d = x - s->mean;
    s->mean += d / (double)s->n;
    s->m2 += d * (x - s->mean);
}

/* array_agg, create_time_series, max/min(x, n): the values kept (copied
 * into the state's arena), counted against max_rows. */
static int collect(sql_exec_ctx *x, const sx_agg *ag, sql_aggst *s, const sql_value *v, const sql_value *v2,
                   uint64_t *held, const char *what, st_err *e)
{
    const sql_value *val = v;
    int64_t t = 0;
    if (ag->kind == SQL_AGG_CREATE_TIME_SERIES) {
        /* a point needs its time and its value */
        if (v->null || !v2 || v2->null) return 0;
        t = v->u.i;
        val = v2;
    } else if (ag->kind != SQL_AGG_ARRAY_AGG) {
        if (v->null) return 0;
        if (!s->has_p) {
            if (!v2 || v2->null || v2->u.i < 0)
                return st_fail(e, ST_EINVAL, "second argument of %s must be a positive integer",
                               ag->kind == SQL_AGG_MAX_N ? "max" : "min");
            if (v2->u.i > 10000)
                return st_fail(e, ST_EINVAL, "second argument of %s must be less than or equal to 10000",
                               ag->kind == SQL_AGG_MAX_N ? "max" : "min");
            s->p = (double)v2->u.i;
            s->has_p = true;
        }
    }
    int rc = sql_ops_hold(x, held, what, e);
    if (rc) return rc;
    if (s->nvals == s->capvals) {
        s->capvals = s->capvals ? s->capvals * 2 : 16;
        s->vals = st_realloc(s->vals, s->capvals * sizeof *s->vals);
        if (ag->kind == SQL_AGG_CREATE_TIME_SERIES) s->times = st_realloc(s->times, s->capvals * sizeof *s->times);
    }
    if (!s->seen_a) s->seen_a = st_arena_new(256);
    s->vals[s->nvals] = sqlv_copy(s->seen_a, val);
    if (ag->kind == SQL_AGG_CREATE_TIME_SERIES) s->times[s->nvals] = t;
    s->nvals++;
    s->has = true;
    return 0;
}


typedef struct tpoint {
    int64_t t;
    size_t i; /* input position: of two points at one instant the later is kept */
} tpoint;

static int cmp_tpoint(const void *a, const void *b)
{
    const tpoint *x = a, *y = b;
    if (x->t != y->t) return x->t < y->t ? -1 : 1;
    return x->i < y->i ? -1 : x->i > y->i;
}

static int cmp_val(const void *a, const void *b) { return sqlv_cmp(a, b); }
static int cmp_val_desc(const void *a, const void *b) { return sqlv_cmp(b, a); }

/* The collected values as the aggregate's array or timeseries, in the
 * state's arena. */
static void collected(const sx_agg *ag, sql_aggst *s, sql_value *out)
{
    if (!s->seen_a) s->seen_a = st_arena_new(256);
    sql_value *el;
    int64_t *ts;
    if (ag->kind == SQL_AGG_ARRAY_AGG) {
        if (!s->nvals) return; /* array_agg of no rows is NULL */
        *out = sqlv_array(s->seen_a, ag->type, s->nvals, &el, NULL);
        memcpy(el, s->vals, s->nvals * sizeof *el);
        return;
    }
    if (ag->kind == SQL_AGG_CREATE_TIME_SERIES) {
        if (!s->nvals) return;
        tpoint *p = st_arena_alloc(s->seen_a, s->nvals * sizeof *p);
        for (size_t i = 0; i < s->nvals; i++) p[i] = (tpoint){s->times[i], i};
        qsort(p, s->nvals, sizeof *p, cmp_tpoint);
        size_t n = 0;
        for (size_t i = 0; i < s->nvals; i++) {
            if (n && p[n - 1].t == p[i].t) n--; /* the later write of an instant wins */
            p[n++] = p[i];
        }
        *out = sqlv_array(s->seen_a, ag->type, n, &el, &ts);
        for (size_t i = 0; i < n; i++) {
            ts[i] = p[i].t;
            el[i] = s->vals[p[i].i];
        }
        return;
    }
    /* max(x, n), min(x, n): NULL over no rows, else up to n values */
    if (!s->nvals) return;
    qsort(s->vals, s->nvals, sizeof *s->vals, ag->kind == SQL_AGG_MAX_N ? cmp_val_desc : cmp_val);
    size_t n = s->nvals < (size_t)s->p ? s->nvals : (size_t)s->p;
    *out = sqlv_array(s->seen_a, ag->type, n, &el, NULL);
    memcpy(el, s->vals, n * sizeof *el);
}

int sql_agg_add(sql_exec_ctx *x, const sx_agg *ag, sql_aggst *s, const sql_value *v, const sql_value *v2,
                uint64_t *held, const char *what, st_err *e)
{
    if (ag->kind == SQL_AGG_COUNT_STAR) {
        s->n++;
        return 0;
    }
    if (!v) return 0;
    if (ag->kind == SQL_AGG_ARRAY_AGG || ag->kind == SQL_AGG_CREATE_TIME_SERIES || ag->kind == SQL_AGG_MAX_N ||
        ag->kind == SQL_AGG_MIN_N)
        return collect(x, ag, s, v, v2, held, what, e);
    /* max_by/min_by take rows whose key is not NULL, the value may be */
    bool by = ag->kind == SQL_AGG_MAX_BY || ag->kind == SQL_AGG_MIN_BY;
    if (by ? (!v2 || v2->null) : v->null) return 0;
    int rc;
    if (ag->distinct || ag->kind == SQL_AGG_APPROX_DISTINCT) {
        bool first;
        if ((rc = first_seen(x, s, v, held, what, &first, e))) return rc;
        if (!first) return 0;
    }
    switch (ag->kind) {
    case SQL_AGG_COUNT:
    case SQL_AGG_APPROX_DISTINCT: s->n++; break;
    case SQL_AGG_COUNT_IF:
        if (v->u.b) s->n++;
        break;
    case SQL_AGG_SUM:
        if (v->type == SQLT_DOUBLE) s->d += v->u.d;
        else if ((rc = sqlv_add_i64(s->i, v->u.i, &s->i, e))) return rc;
        s->has = true;
        break;
    case SQL_AGG_AVG:
        s->n++;
        if (v->type == SQLT_DOUBLE) s->d += v->u.d;
        else s->wide += v->u.i;
        break;
    case SQL_AGG_MIN:
    case SQL_AGG_MAX: {
        int c = s->has ? sqlv_cmp(v, &s->v) : 0;
        if (!s->has || (ag->kind == SQL_AGG_MIN ? c < 0 : c > 0)) keep(&s->v, &s->vbuf, &s->vcap, &s->vcomp, v);
        s->has = true;
        break;
    }
    case SQL_AGG_ARBITRARY:
        if (!s->has) keep(&s->v, &s->vbuf, &s->vcap, &s->vcomp, v);
        s->has = true;
        break;
    case SQL_AGG_BOOL_AND:
        s->b = s->b && v->u.b;
        s->has = true;
        break;
    case SQL_AGG_BOOL_OR:
        if (!s->has) s->b = false;
        s->b = s->b || v->u.b;
        s->has = true;
        break;
    case SQL_AGG_STDDEV:
    case SQL_AGG_STDDEV_POP:
    case SQL_AGG_VARIANCE:
    case SQL_AGG_VAR_POP: welford(s, as_double(v)); break;
    case SQL_AGG_GEOMETRIC_MEAN:
        s->n++;
        s->d += log(as_double(v));
        break;
    case SQL_AGG_MAX_BY:
    case SQL_AGG_MIN_BY: {
        int c = s->has ? sqlv_cmp(v2, &s->k) : 0;
        if (!s->has || (ag->kind == SQL_AGG_MAX_BY ? c > 0 : c < 0)) {
            keep(&s->v, &s->vbuf, &s->vcap, &s->vcomp, v);
            keep(&s->k, &s->kbuf, &s->kcap, &s->kcomp, v2);
        }
        s->has = true;
        break;
    }
    case SQL_AGG_APPROX_PERCENTILE: {
        if (!s->has_p) {
            if (!v2 || v2->null) return st_fail(e, ST_EINVAL, "Percentile cannot be null");
            if (sqlt_is_array(v2->type)) {
                /* several percentages: kept (copied) for the answer */
                if (!s->seen_a) s->seen_a = st_arena_new(256);
                for (size_t i = 0; i < v2->u.arr->n; i++) {
                    const sql_value *q = &v2->u.arr->v[i];
                    double p = q->null ? NAN : as_double(q);
                    if (q->null) return st_fail(e, ST_EINVAL, "Percentile cannot be null");
                    if (!(p >= 0 && p <= 1)) return st_fail(e, ST_EINVAL, "Percentile must be between 0 and 1");
                }
                s->k = sqlv_copy(s->seen_a, v2);
            } else {
                double p = as_double(v2);
                if (!(p >= 0 && p <= 1)) return st_fail(e, ST_EINVAL, "Percentile must be between 0 and 1");
                s->p = p;
            }
            s->has_p = true;
        }
        if ((rc = sql_ops_hold(x, held, what, e))) return rc;
        if (s->nvals == s->capvals) {
            s->capvals = s->capvals ? s->capvals * 2 : 16;
            s->vals = st_realloc(s->vals, s->capvals * sizeof *s->vals);
        }
        s->vals[s->nvals++] = *v; /* numbers and timestamps: no bytes to copy */
        break;
    }
    default: return st_fail(e, ST_EINVAL, "unknown aggregate kind %d", (int)ag->kind);
    }
    return 0;
}


int sql_agg_final(const sx_agg *ag, sql_aggst *s, sql_value *out, st_err *e)
{
    uint8_t t = ag->type;
    *out = sqlv_null(t);
    switch (ag->kind) {
    case SQL_AGG_COUNT_STAR:
    case SQL_AGG_COUNT:
    case SQL_AGG_COUNT_IF:
    case SQL_AGG_APPROX_DISTINCT: *out = sqlv_int(SQLT_BIGINT, s->n); break;
    case SQL_AGG_SUM:
        if (s->has) *out = t == SQLT_DOUBLE ? sqlv_double(s->d) : sqlv_int(t, s->i);
        break;
    case SQL_AGG_AVG:
        if (!s->n) break;
        if (t == SQLT_DOUBLE) {
            /* a double input summed as doubles, a bigint one exactly */
            double sum = s->wide ? (double)s->wide : s->d;
            *out = sqlv_double(sum / (double)s->n);
        } else {
            *out = sqlv_int(t, (int64_t)(s->wide / s->n));
        }
        break;
    case SQL_AGG_MIN:
    case SQL_AGG_MAX:
    case SQL_AGG_ARBITRARY:
    case SQL_AGG_MAX_BY:
    case SQL_AGG_MIN_BY:
        if (s->has) *out = s->v;
        out->type = t;
        break;
    case SQL_AGG_BOOL_AND:
    case SQL_AGG_BOOL_OR:
        if (s->has) *out = sqlv_bool(s->b);
        break;
    case SQL_AGG_STDDEV:
    case SQL_AGG_VARIANCE:
        /* the sample statistic of one value is NULL (Trino) */
        if (s->n > 1) {
            double var = s->m2 / (double)(s->n - 1);
            *out = sqlv_double(ag->kind == SQL_AGG_STDDEV ? sqrt(var) : var);
        }
        break;
    case SQL_AGG_STDDEV_POP:
    case SQL_AGG_VAR_POP:
        if (s->n > 0) {
            double var = s->m2 / (double)s->n;
            *out = sqlv_double(ag->kind == SQL_AGG_STDDEV_POP ? sqrt(var) : var);
        }
        break;
    case SQL_AGG_GEOMETRIC_MEAN:
        if (s->n) *out = sqlv_double(exp(s->d / (double)s->n));
        break;
    case SQL_AGG_APPROX_PERCENTILE: {
        if (!s->nvals) break;
        /* Exact answer of what Trino approximates. Airlift's QuantileDigest
         * (Trino's approx_percentile on bigint) walks values in order and
         * answers the first whose running count exceeds p * N: the value of
         * 0-based rank floor(p * N), the largest when p = 1. With every
         * value kept the digest is exact, so that rank is the answer. */
        qsort(s->vals, s->nvals, sizeof *s->vals, cmp_val);
        if (sqlt_is_array(t)) {
            const sql_array *ps = s->k.u.arr;
            sql_value *el;
            *out = sqlv_array(s->seen_a, t, ps->n, &el, NULL);
            for (size_t j = 0; j < ps->n; j++) {
                double r = floor(as_double(&ps->v[j]) * (double)s->nvals);
                size_t i = r >= (double)s->nvals ? s->nvals - 1 : (size_t)r;
                el[j] = s->vals[i];
                el[j].type = (uint8_t)sqlt_elem(t);
            }
            break;
        }
        double r = floor(s->p * (double)s->nvals);
        size_t i = r >= (double)s->nvals ? s->nvals - 1 : (size_t)r;
        *out = s->vals[i];
        out->type = t;
        break;
    }
    case SQL_AGG_ARRAY_AGG:
    case SQL_AGG_CREATE_TIME_SERIES:
    case SQL_AGG_MAX_N:
    case SQL_AGG_MIN_N: collected(ag, s, out); break;
    default: return st_fail(e, ST_EINVAL, "unknown aggregate kind %d", (int)ag->kind);
    }
    return 0;
}

int sql_agg_step(sql_exec_ctx *x, const sx_agg *ag, sql_aggst *s, const sql_value *row, st_arena *ev, uint64_t *held,
                 const char *what, st_err *e)
{
    sx_ctx c = {.a = ev, .e = e, .now_ns = x ? x->now_ns : 0};
    int rc;
    if (ag->filter) {
        int t = sx_truth(&c, ag->filter, row);
        if (t <= 0) return t;
    }
    sql_value v, v2;
    if (ag->arg && (rc = sx_eval(&c, ag->arg, row, &v)) < 0) return rc;
    if (ag->arg2 && (rc = sx_eval(&c, ag->arg2, row, &v2)) < 0) return rc;
    return sql_agg_add(x, ag, s, ag->arg ? &v : NULL, ag->arg2 ? &v2 : NULL, held, what, e);
}

/* ---- GROUP BY ---- */

typedef struct agg_op {
    sql_op op;
    sql_op *in;
    sx **keys;
    sx_agg *aggs;
    size_t nkeys, naggs;
    st_arena *a;  /* groups' keys and states */
    st_arena *ev; /* evaluation, reset per row */
    htab h;
    sql_value **gkeys;
    sql_aggst **gst;
    size_t ngroups, cap, at;
    sql_value *kbuf, *out;
    bool loaded;
    uint64_t held, tick;
} agg_op;

typedef struct gprobe {
    agg_op *g;
    const sql_value *k;
} gprobe;

static bool group_eq(void *ctx, uint32_t ri)
{
    gprobe *p = ctx;
    return sql_row_same(p->g->gkeys[ri], p->k, p->g->nkeys);
}

static sql_aggst *new_group(agg_op *g, const sql_value *k, uint64_t h)
{
    if (g->ngroups == g->cap) {
        g->cap = g->cap ? g->cap * 2 : 64;
        g->gkeys = st_realloc(g->gkeys, g->cap * sizeof *g->gkeys);
        g->gst = st_realloc(g->gst, g->cap * sizeof *g->gst);
    }
    sql_aggst *st = st_arena_alloc(g->a, (g->naggs ? g->naggs : 1) * sizeof *st);
    for (size_t j = 0; j < g->naggs; j++) sql_agg_init(&st[j]);
    g->gkeys[g->ngroups] = sql_row_copy(g->a, k, g->nkeys);
    g->gst[g->ngroups] = st;
    htab_put(&g->h, h, (uint32_t)g->ngroups++);
    return st;
}

static int agg_load(agg_op *g, st_err *e)
{
    sql_exec_ctx *x = g->op.x;
    sx_ctx c = {.a = g->ev, .e = e, .now_ns = x ? x->now_ns : 0};
    const sql_value *r;
    int rc;
    while ((rc = sql_op_next(g->in, &r, e)) == 1) {
        st_arena_reset(g->ev);
        for (size_t k = 0; k < g->nkeys; k++)
            if ((rc = sx_eval(&c, g->keys[k], r, &g->kbuf[k])) < 0) return rc;
        uint64_t h = sql_row_hash(g->kbuf, g->nkeys);
        gprobe p = {g, g->kbuf};
        uint32_t gi = htab_find(&g->h, h, group_eq, &p);
        sql_aggst *st;
        if (gi == UINT32_MAX) {
            if ((rc = sql_ops_hold(x, &g->held, "GROUP BY", e))) return rc;
            st = new_group(g, g->kbuf, h);
        } else {
            st = g->gst[gi];
        }
        for (size_t j = 0; j < g->naggs; j++)
            if ((rc = sql_agg_step(x, &g->aggs[j], &st[j], r, g->ev, &g->held, "GROUP BY", e)) < 0) return rc;
        if ((rc = sql_ops_poll(x, &g->tick, e))) return rc;
    }
    if (rc < 0) return rc;
    if (!g->nkeys && !g->ngroups) new_group(g, g->kbuf, 0); /* one row over no input */
    return 0;
}

static int agg_next(sql_op *o, const sql_value **row, st_err *e)
{
    agg_op *g = (agg_op *)o;
    int rc;
    if (!g->loaded) {
        g->loaded = true;
        if ((rc = agg_load(g, e)) < 0) {
            g->at = g->ngroups; /* no rows after a failure; close still frees every state */
            return rc;
        }
    }
    if (g->at >= g->ngroups) return 0;
    size_t i = g->at++;
    for (size_t k = 0; k < g->nkeys; k++) g->out[k] = g->gkeys[i][k];
    for (size_t j = 0; j < g->naggs; j++)
        if ((rc = sql_agg_final(&g->aggs[j], &g->gst[i][j], &g->out[g->nkeys + j], e)) < 0) return rc;
    *row = g->out;
    return 1;
}

static void agg_close(sql_op *o)
{
    agg_op *g = (agg_op *)o;
    sql_op_close(g->in);
    for (size_t i = 0; i < g->ngroups; i++)
        for (size_t j = 0; j < g->naggs; j++) sql_agg_free(&g->gst[i][j]);
    htab_free(&g->h);
    st_free(g->gkeys);
    st_free(g->gst);
    st_arena_free(g->a);
    st_arena_free(g->ev);
    st_free(g);
}

sql_op *sql_op_aggregate(sql_exec_ctx *x, sql_op *in, sx **keys, size_t nkeys, sx_agg *aggs, size_t naggs)
{
    agg_op *g = st_calloc(1, sizeof *g);
    size_t n = nkeys + naggs;
    g->a = st_arena_new(1 << 14);
    g->ev = st_arena_new(1024);
    g->op = (sql_op){.next = agg_next, .close = agg_close, .ncols = n, .x = x};
    g->op.types = st_arena_alloc(g->a, n ? n : 1);
    for (size_t k = 0; k < nkeys; k++) g->op.types[k] = keys[k]->type;
    for (size_t j = 0; j < naggs; j++) g->op.types[nkeys + j] = aggs[j].type;
    g->kbuf = st_arena_alloc(g->a, (nkeys ? nkeys : 1) * sizeof *g->kbuf);
    g->out = st_arena_alloc(g->a, (n ? n : 1) * sizeof *g->out);
    g->in = in;
    g->keys = keys;
    g->nkeys = nkeys;
    g->aggs = aggs;
    g->naggs = naggs;
    return &g->op;
}
