/* select_fn: values, math, aggregates, transformations and fill of
 * InfluxQL's SELECT (see select_int.h). */
#include <stdlib.h>

#include "influxql/holtwinters.h"
#include "influxql/select_int.h"

/* ------------------------------------------------------------ values */


iql_val iqv_stored(uint8_t type, uint64_t bits, st_slice str)
{
    switch (type) {
    case ST_VT_FLOAT: {
        double d;
        memcpy(&d, &bits, 8);
        return iqv_float(d);
    }
    case ST_VT_INT: return iqv_int((int64_t)bits);
    case ST_VT_UINT: return (iql_val){.t = IQL_VT_UINT, .u = bits};
    case ST_VT_BOOL: return (iql_val){.t = IQL_VT_BOOL, .b = bits != 0};
    case ST_VT_STRING: return (iql_val){.t = IQL_VT_STRING, .s = str};
    default: return iqv_null();
    }
}



/* <0, 0, >0 between two values of one column (numbers by value, strings
 * bytewise, false < true). */
int iqv_cmp(iql_val a, iql_val b)
{
    if (a.t == IQL_VT_INT && b.t == IQL_VT_INT) return (a.i > b.i) - (a.i < b.i);
    if (a.t == IQL_VT_UINT && b.t == IQL_VT_UINT) return (a.u > b.u) - (a.u < b.u);
    if (iqv_is_num(a) && iqv_is_num(b)) {
        double x = iqv_f(a), y = iqv_f(b);
        return (x > y) - (x < y);
    }
    if (a.t == IQL_VT_STRING && b.t == IQL_VT_STRING) return st_slice_cmp(a.s, b.s);
    if (a.t == IQL_VT_BOOL && b.t == IQL_VT_BOOL) return (int)a.b - (int)b.b;
    return (int)a.t - (int)b.t;
}


/* Arithmetic of InfluxQL: integers stay integers (wrapping as Go's do)
 * except in division; a float on either side makes a float. */
iql_val iqv_arith(iql_op op, iql_val a, iql_val b)
{
    if (!iqv_is_num(a) || !iqv_is_num(b)) {
        if (a.t == IQL_VT_BOOL && b.t == IQL_VT_BOOL) {
            switch (op) {
            case IQL_OP_BAND: return (iql_val){.t = IQL_VT_BOOL, .b = a.b && b.b};
            case IQL_OP_BOR: return (iql_val){.t = IQL_VT_BOOL, .b = a.b || b.b};
            case IQL_OP_BXOR: return (iql_val){.t = IQL_VT_BOOL, .b = a.b != b.b};
            default: break;
            }
        }
        return iqv_null();
    }
    if (a.t == IQL_VT_INT && b.t == IQL_VT_INT) {
        uint64_t x = (uint64_t)a.i, y = (uint64_t)b.i;
        switch (op) {
        case IQL_OP_ADD: return iqv_int((int64_t)(x + y));
        case IQL_OP_SUB: return iqv_int((int64_t)(x - y));
        case IQL_OP_MUL: return iqv_int((int64_t)(x * y));
        case IQL_OP_DIV: return b.i == 0 ? iqv_float(0) : iqv_float((double)a.i / (double)b.i);
        case IQL_OP_MOD:
            if (b.i == 0 || (a.i == INT64_MIN && b.i == -1)) return iqv_int(0);
            return iqv_int(a.i % b.i);
        case IQL_OP_BAND: return iqv_int(a.i & b.i);
        case IQL_OP_BOR: return iqv_int(a.i | b.i);
        case IQL_OP_BXOR: return iqv_int(a.i ^ b.i);
        default: return iqv_null();
        }
    }
    if (a.t == IQL_VT_UINT && b.t == IQL_VT_UINT) {
        switch (op) {
        case IQL_OP_ADD: return (iql_val){.t = IQL_VT_UINT, .u = a.u + b.u};
        case IQL_OP_SUB: return (iql_val){.t = IQL_VT_UINT, .u = a.u - b.u};
        case IQL_OP_MUL: return (iql_val){.t = IQL_VT_UINT, .u = a.u * b.u};
        case IQL_OP_DIV: return b.u == 0 ? iqv_float(0) : iqv_float((double)a.u / (double)b.u);
        case IQL_OP_MOD: return (iql_val){.t = IQL_VT_UINT, .u = b.u ? a.u % b.u : 0};
        case IQL_OP_BAND: return (iql_val){.t = IQL_VT_UINT, .u = a.u & b.u};
        case IQL_OP_BOR: return (iql_val){.t = IQL_VT_UINT, .u = a.u | b.u};
        case IQL_OP_BXOR: return (iql_val){.t = IQL_VT_UINT, .u = a.u ^ b.u};
        default: return iqv_null();
        }
    }
    double x = iqv_f(a), y = iqv_f(b);
    switch (op) {
    case IQL_OP_ADD: return iqv_float(x + y);
    case IQL_OP_SUB: return iqv_float(x - y);
    case IQL_OP_MUL: return iqv_float(x * y);
    case IQL_OP_DIV: return y == 0 ? iqv_float(0) : iqv_float(x / y);
    case IQL_OP_MOD: return iqv_float(fmod(x, y));
    default: return iqv_null();
    }
}

iql_val iqv_literal(const iql_expr *x)
{
    switch (x->kind) {
    case IQL_E_NUMBER: return x->is_int ? iqv_int(x->ns) : iqv_float(x->num);
    case IQL_E_STRING: return (iql_val){.t = IQL_VT_STRING, .s = x->str};
    case IQL_E_BOOL: return (iql_val){.t = IQL_VT_BOOL, .b = x->ns != 0};
    case IQL_E_DURATION: return iqv_int(x->ns);
    default: return iqv_null();
    }
}

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
/* x::type: numbers convert between integer and float (a float truncated,
 * as Go converts); a value of another type reads as null. */
iql_val iqs_cast(iql_val v, st_slice cast)
{
    if (!cast.n || v.t == IQL_VT_NULL || slice_ieq(cast, "field") || slice_ieq(cast, "tag")) return v;
    if (slice_ieq(cast, "integer")) {
        if (v.t == IQL_VT_INT) return v;
        if (v.t == IQL_VT_FLOAT && v.f >= -0x1p63 && v.f < 0x1p63) return iqv_int((int64_t)v.f);
        if (v.t == IQL_VT_UINT) return iqv_int((int64_t)v.u);
        return iqv_null();
    }
    if (slice_ieq(cast, "float")) return iqv_is_num(v) ? iqv_float(iqv_f(v)) : iqv_null();
    if (slice_ieq(cast, "unsigned")) {
        if (v.t == IQL_VT_UINT) return v;
        if (v.t == IQL_VT_INT) return (iql_val){.t = IQL_VT_UINT, .u = (uint64_t)v.i};
        if (v.t == IQL_VT_FLOAT && v.f >= 0 && v.f < 0x1p64) return (iql_val){.t = IQL_VT_UINT, .u = (uint64_t)v.f};
        return iqv_null();
    }
    if (slice_ieq(cast, "string")) return v.t == IQL_VT_STRING ? v : iqv_null();
    if (slice_ieq(cast, "boolean")) return v.t == IQL_VT_BOOL ? v : iqv_null();
    return iqv_null();
}

/* ------------------------------------------------------------ math */

iql_val iqs_math(sctx *c, const iql_expr *call, const iql_val *a, size_t n, int *rc)
{
    *rc = 0;
    for (size_t i = 0; i < n; i++)
        if (!iqv_is_num(a[i])) return iqv_null();
    st_slice f = call->str;
    double x = n ? iqv_f(a[0]) : 0;
    if (slice_ieq(f, "abs")) {
        if (a[0].t == IQL_VT_INT) return iqv_int(a[0].i < 0 ? (int64_t)(0 - (uint64_t)a[0].i) : a[0].i);
        if (a[0].t == IQL_VT_UINT) return a[0];
        return iqv_float(fabs(x));
    }
    if (slice_ieq(f, "ceil") || slice_ieq(f, "floor") || slice_ieq(f, "round")) {
        if (a[0].t != IQL_VT_FLOAT) return a[0];
        return iqv_float(slice_ieq(f, "ceil") ? ceil(x) : slice_ieq(f, "floor") ? floor(x) : round(x));
    }
    if (slice_ieq(f, "sqrt")) return iqv_float(sqrt(x));
    if (slice_ieq(f, "sin")) return iqv_float(sin(x));
    if (slice_ieq(f, "cos")) return iqv_float(cos(x));
    if (slice_ieq(f, "tan")) return iqv_float(tan(x));
    if (slice_ieq(f, "asin")) return iqv_float(asin(x));
    if (slice_ieq(f, "acos")) return iqv_float(acos(x));
    if (slice_ieq(f, "atan")) return iqv_float(atan(x));
    if (slice_ieq(f, "exp")) return iqv_float(exp(x));
    if (slice_ieq(f, "ln")) return iqv_float(log(x));
    if (slice_ieq(f, "log2")) return iqv_float(log2(x));
    if (slice_ieq(f, "log10")) return iqv_float(log10(x));
    if (n == 2 && slice_ieq(f, "log")) return iqv_float(log(x) / log(iqv_f(a[1])));
    if (n == 2 && slice_ieq(f, "pow")) return iqv_float(pow(x, iqv_f(a[1])));
    if (n == 2 && slice_ieq(f, "atan2")) return iqv_float(atan2(x, iqv_f(a[1])));
    *rc = st_fail(c->e, ST_EINVAL, "invalid number of arguments for %.*s", (int)f.n, f.p);
    return iqv_null();
}

/* ------------------------------------------------------------ raw */


/* A column of one point; *field is set when a field of the point fed it. */
iql_val iqs_eval_point(const mctx *m, size_t i, const iql_expr *x, bool *field, int *rc)
{
    switch (x->kind) {
    case IQL_E_IDENT: {
        if (is_time(x)) return iqv_null();
        if (iqs_is_tag(m->sc, x)) {
            st_slice v = iqs_tag_of(&m->ps->tsets[m->g->tset[i]], x->str);
            return v.n ? (iql_val){.t = IQL_VT_STRING, .s = v} : iqv_null();
        }
        long f = iqs_field_index(m->sc, x);
        if (f < 0 || m->nd->slot[f] < 0) return iqv_null();
        iql_val v = iqs_cast(m->g->vals[i * m->nd->n + (size_t)m->nd->slot[f]], x->cast);
        if (v.t != IQL_VT_NULL) *field = true;
        return v;
    }
    case IQL_E_BINARY: {
        iql_val a = iqs_eval_point(m, i, x->l, field, rc), b = iqs_eval_point(m, i, x->r, field, rc);
        if (a.t == IQL_VT_NULL || b.t == IQL_VT_NULL) return iqv_null();
        return iqv_arith(x->op, a, b);
    }
    case IQL_E_CALL: {
        if (!iqs_is_math(x->str)) {
            *rc = unsupported(m->c, "this function");
            return iqv_null();
        }
        iql_val args[2];
        size_t n = x->nargs < 2 ? x->nargs : 2;
        for (size_t k = 0; k < n; k++) args[k] = iqs_eval_point(m, i, x->args[k], field, rc);
        return iqs_math(m->c, x, args, n, rc);
    }
    default: return iqv_literal(x);
    }
}

/* ------------------------------------------------------------ aggregates */


/* The nearest point with a value of field arg before index at (dir -1) or
 * from index at on (dir 1). */
static bool neighbour(const mctx *m, const iql_expr *arg, size_t at, int dir, tv *out)
{
    if (arg->kind != IQL_E_IDENT || iqs_is_tag(m->sc, arg)) return false;
    long f = iqs_field_index(m->sc, arg);
    if (f < 0 || m->nd->slot[f] < 0) return false;
    size_t s = (size_t)m->nd->slot[f];
    if (dir < 0) {
        for (size_t i = at; i-- > 0;) {
            iql_val v = m->g->vals[i * m->nd->n + s];
            if (v.t != IQL_VT_NULL) {
                *out = (tv){m->g->ts[i], v, i};
                return true;
            }
        }
        return false;
    }
    for (size_t i = at; i < m->g->n; i++) {
        iql_val v = m->g->vals[i * m->nd->n + s];
        if (v.t != IQL_VT_NULL) {
            *out = (tv){m->g->ts[i], v, i};
            return true;
        }
    }
    return false;
}

static int cmp_tv_val(const void *a, const void *b)
{
    const tv *x = a, *y = b;
    int d = iqv_cmp(x->v, y->v);
    if (d) return d;
    return (x->t > y->t) - (x->t < y->t);
}


/* The values of one field over points [from, to) of the group. */
static size_t collect(const mctx *m, const iql_expr *arg, size_t from, size_t to, tv **out, size_t *cap)
{
    size_t n = 0;
    if (arg->kind != IQL_E_IDENT || iqs_is_tag(m->sc, arg)) return 0;
    long f = iqs_field_index(m->sc, arg);
    if (f < 0 || m->nd->slot[f] < 0) return 0;
    size_t s = (size_t)m->nd->slot[f];
    for (size_t i = from; i < to; i++) {
        iql_val v = m->g->vals[i * m->nd->n + s];
        if (v.t == IQL_VT_NULL) continue;
        *out = grow(*out, n, cap, sizeof **out);
        (*out)[n++] = (tv){m->g->ts[i], v, i};
    }
    return n;
}

int iqs_agg_call(const mctx *m, const iql_expr *call, size_t from, size_t to, aggv *out)
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
        return st_fail(c->e, ST_EINVAL, "expected field argument in %.*s()", (int)call->str.n, call->str.p);
    tv *v = NULL;
    size_t cap = 0, n = collect(m, arg, from, to, &v, &cap);
    st_slice f = call->str;
    int rc = 0;
    if (slice_ieq(f, "count")) {
        size_t k = n;
        if (distinct_count && n) {
            qsort(v, n, sizeof *v, cmp_tv_val);
            k = 1;
            for (size_t i = 1; i < n; i++) k += !iqv_eq(v[i].v, v[i - 1].v);
        }
        /* an empty bucket's count is null here: fill decides (0 for fill(null)) */
        out->v = n ? iqv_int((int64_t)k) : iqv_null();
        st_free(v);
        return 0;
    }
    if (!n) {
        st_free(v);
        out->v = iqv_null();
        return 0;
    }
    if (slice_ieq(f, "first") || slice_ieq(f, "last")) {
        size_t k = 0;
        bool last = slice_ieq(f, "last");
        for (size_t i = 1; i < n; i++) {
            if (v[i].t != v[k].t) {
                if (last ? v[i].t > v[k].t : v[i].t < v[k].t) k = i;
                continue;
            }
            /* points of several tag sets at one time: under GROUP BY time
             * InfluxDB's reducers keep the larger value (of booleans, false
             * for first and true for last); without, the tag set order
             * decides (the points come in it) */
            bool take = last;
            if (c->by_time && v[i].v.t == IQL_VT_BOOL && v[k].v.t == IQL_VT_BOOL)
                take = last ? v[i].v.b && !v[k].v.b : !v[i].v.b && v[k].v.b;
            else if (c->by_time)
                take = iqv_cmp(v[i].v, v[k].v) > 0;
            if (take) k = i;
        }
        out->v = v[k].v;
        out->t = v[k].t;
        out->row = v[k].row;
        out->has_t = true;
    } else if (slice_ieq(f, "max") || slice_ieq(f, "min")) {
        bool max = slice_ieq(f, "max");
        size_t k = 0;
        for (size_t i = 1; i < n; i++) {
            if (!iqv_is_num(v[i].v) && v[i].v.t != IQL_VT_BOOL) continue;
            int d = iqv_cmp(v[i].v, v[k].v);
            if (max ? d > 0 : d < 0) k = i;
        }
        out->v = v[k].v;
        out->t = v[k].t;
        out->row = v[k].row;
        out->has_t = true;
    } else if (slice_ieq(f, "sum")) {
        iql_val acc = v[0].v;
        for (size_t i = 1; i < n; i++) acc = iqv_arith(IQL_OP_ADD, acc, v[i].v);
        out->v = acc;
    } else if (slice_ieq(f, "mean")) {
        /* the sum over the count, as InfluxDB's reducer computes it */
        double sum = 0;
        size_t k = 0;
        for (size_t i = 0; i < n; i++) {
            if (!iqv_is_num(v[i].v)) continue;
            k++;
            sum += iqv_f(v[i].v);
        }
        out->v = k ? iqv_float(sum / (double)k) : iqv_null();
    } else if (slice_ieq(f, "median") || slice_ieq(f, "percentile")) {
        qsort(v, n, sizeof *v, cmp_tv_val);
        if (slice_ieq(f, "median")) {
            out->v = n % 2 ? iqv_float(iqv_f(v[n / 2].v)) : iqv_float(iqv_f(v[n / 2 - 1].v) + (iqv_f(v[n / 2].v) - iqv_f(v[n / 2 - 1].v)) / 2);
            if (n % 2 && v[n / 2].v.t == IQL_VT_FLOAT) out->v = v[n / 2].v;
        } else {
            if (call->nargs != 2 || call->args[1]->kind != IQL_E_NUMBER) {
                st_free(v);
                return st_fail(c->e, ST_EINVAL, "expected float argument in percentile()");
            }
            double p = call->args[1]->num;
            long i = (long)floor((double)n * p / 100.0 + 0.5) - 1;
            if (i < 0 || i >= (long)n) {
                out->v = iqv_null();
            } else {
                out->v = v[i].v;
                out->t = v[i].t;
                out->row = v[i].row;
                out->has_t = true;
            }
        }
    } else if (slice_ieq(f, "spread")) {
        iql_val lo = v[0].v, hi = v[0].v;
        for (size_t i = 1; i < n; i++) {
            if (iqv_cmp(v[i].v, lo) < 0) lo = v[i].v;
            if (iqv_cmp(v[i].v, hi) > 0) hi = v[i].v;
        }
        out->v = iqv_arith(IQL_OP_SUB, hi, lo);
    } else if (slice_ieq(f, "stddev")) {
        if (n < 2) {
            out->v = iqv_null();
        } else {
            double mean = 0, m2 = 0;
            for (size_t i = 0; i < n; i++) {
                double x = iqv_f(v[i].v), d = x - mean;
                mean += d / (double)(i + 1);
                m2 += d * (x - mean);
            }
            out->v = iqv_float(sqrt(m2 / (double)(n - 1)));
        }
    } else if (slice_ieq(f, "integral")) {
        /* the area under the points (trapezoids) in units of the unit (1s) */
        int64_t unit = ST_NS_PER_S;
        if (call->nargs >= 2 && call->args[1]->kind == IQL_E_DURATION && call->args[1]->ns > 0) unit = call->args[1]->ns;
        double area = 0, U = (double)unit;
        for (size_t i = 1; i < n; i++)
            area += (iqv_f(v[i].v) + iqv_f(v[i - 1].v)) / 2 * ((double)(v[i].t - v[i - 1].t) / U);
        if (c->by_time) {
            /* InfluxDB's windows reach their edges: the line to the points
             * just outside, interpolated at the bucket's start and end */
            int64_t bs = iqs_bucket_of(c, v[0].t), be = iqs_bucket_next(c, bs);
            tv before, after;
            if (neighbour(m, arg, from, -1, &before)) {
                double y0 = iqv_f(before.v), y1 = iqv_f(v[0].v);
                double ys = y0 + (y1 - y0) * (double)(bs - before.t) / (double)(v[0].t - before.t);
                area += (ys + y1) / 2 * ((double)(v[0].t - bs) / U);
            }
            bool more = neighbour(m, arg, to, 1, &after);
            if (more) {
                double y0 = iqv_f(v[n - 1].v), y1 = iqv_f(after.v);
                double ye = y0 + (y1 - y0) * (double)(be - v[n - 1].t) / (double)(after.t - v[n - 1].t);
                area += (y0 + ye) / 2 * ((double)(be - v[n - 1].t) / U);
            }
            /* InfluxDB's last window ends with its last point: one at the
             * window's very start leaves nothing to emit */
            if (!more && v[n - 1].t == bs) {
                st_free(v);
                out->v = iqv_null();
                return 0;
            }
        }
        out->v = iqv_float(area);
    } else if (slice_ieq(f, "mode")) {
        /* the most frequent value; of equally frequent ones the earliest */
        qsort(v, n, sizeof *v, cmp_tv_val);
        size_t best = 0, bestn = 0;
        int64_t bestt = 0;
        for (size_t i = 0; i < n;) {
            size_t j = i + 1;
            while (j < n && iqv_eq(v[j].v, v[i].v)) j++;
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
iql_val iqs_eval_bucket(const mctx *m, const iql_expr *x, size_t from, size_t to, aggv *sel, int *rc)
{
    switch (x->kind) {
    case IQL_E_CALL:
        if (iqs_is_math(x->str)) {
            iql_val args[2];
            size_t n = x->nargs < 2 ? x->nargs : 2;
            for (size_t k = 0; k < n; k++) args[k] = iqs_eval_bucket(m, x->args[k], from, to, sel, rc);
            for (size_t k = 0; k < n; k++)
                if (args[k].t == IQL_VT_NULL) return iqv_null();
            return iqs_math(m->c, x, args, n, rc);
        }
        if (!iqs_is_aggregate(x->str) ||
            slice_ieq(x->str, "distinct") || slice_ieq(x->str, "top") || slice_ieq(x->str, "bottom")) {
            *rc = st_fail(m->c->e, ST_EINVAL, "%.*s() not supported by Strata yet", (int)x->str.n, x->str.p);
            return iqv_null();
        }
        {
            aggv a;
            if ((*rc = iqs_agg_call(m, x, from, to, &a)) != 0) return iqv_null();
            if (sel && a.has_t) *sel = a;
            /* fill(value) fills the aggregate, before any math over it */
            if (a.v.t == IQL_VT_NULL && m->c->by_time && m->c->sel->fill == IQL_FILL_VALUE)
                return iqv_literal(m->c->sel->fill_value);
            return a.v;
        }
    case IQL_E_BINARY: {
        iql_val a = iqs_eval_bucket(m, x->l, from, to, sel, rc), b = iqs_eval_bucket(m, x->r, from, to, sel, rc);
        if (a.t == IQL_VT_NULL || b.t == IQL_VT_NULL) return iqv_null();
        return iqv_arith(x->op, a, b);
    }
    case IQL_E_IDENT:
        *rc = st_fail(m->c->e, ST_EINVAL, "mixing aggregate and non-aggregate queries is not supported");
        return iqv_null();
    default: return iqv_literal(x);
    }
}

/* fill(previous|linear|value) of the buckets' null columns; fill(none)
 * drops a bucket whose columns are all null. */
void iqs_fill(sctx *c, table *tb, const ocol *cols)
{
    const iql_select *sel = c->sel;
    size_t nc = tb->ncols;
    if (sel->fill == IQL_FILL_NULL && !c->o->outer) { /* count() of an empty bucket is 0 (not in a subquery) */
        for (size_t k = 0; k < nc; k++) {
            if (cols[k].x->kind != IQL_E_CALL || !slice_ieq(cols[k].x->str, "count")) continue;
            for (size_t i = 0; i < tb->n; i++)
                if (tb->v[i * nc + k].t == IQL_VT_NULL) tb->v[i * nc + k] = iqv_int(0);
        }
        return;
    }
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
        size_t last = SIZE_MAX; /* the row of the column's last value (not a filled one) */
        for (size_t i = 0; i < tb->n; i++) {
            iql_val *x = &tb->v[i * nc + k];
            if (x->t != IQL_VT_NULL) {
                last = i;
                continue;
            }
            if (sel->fill == IQL_FILL_VALUE) {
                *x = iqv_literal(sel->fill_value);
            } else if (sel->fill == IQL_FILL_PREVIOUS) {
                if (i) *x = tb->v[(i - 1) * nc + k];
            } else if (sel->fill == IQL_FILL_LINEAR) {
                /* the line between the values around, never from a filled
                 * one (an integer column would drift by its truncations) */
                size_t b = i;
                while (b < tb->n && tb->v[b * nc + k].t == IQL_VT_NULL) b++;
                if (last == SIZE_MAX || b == tb->n) continue;
                iql_val va = tb->v[last * nc + k], vb = tb->v[b * nc + k];
                if (!iqv_is_num(va) || !iqv_is_num(vb)) continue;
                /* InfluxDB's line, for its digits: over bucket numbers (time
                 * / interval), the slope times the steps from the value
                 * before, plus that value; integers subtract as integers */
                int64_t iv = c->interval > 0 ? c->interval : 1;
                int64_t na = tb->t[last] / iv, steps = tb->t[i] / iv - na, span = tb->t[b] / iv - na;
                if (va.t == IQL_VT_INT && vb.t == IQL_VT_INT) {
                    double m = (double)(int64_t)((uint64_t)vb.i - (uint64_t)va.i) / (double)span;
                    *x = iqv_int((int64_t)(m * (double)steps + (double)va.i));
                } else if (va.t == IQL_VT_UINT && vb.t == IQL_VT_UINT) {
                    double m = (double)(vb.u - va.u) / (double)span;
                    *x = (iql_val){.t = IQL_VT_UINT, .u = (uint64_t)(m * (double)steps + (double)va.u)};
                } else {
                    double m = (iqv_f(vb) - iqv_f(va)) / (double)span;
                    *x = iqv_float(m * (double)steps + iqv_f(va));
                }
            }
        }
    }
}

static bool in_list(st_slice name, const char *const *list, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (slice_ieq(name, list[i])) return true;
    return false;
}

#define IN(name, list) in_list((name), (list), sizeof(list) / sizeof *(list))

bool iqs_is_aggregate(st_slice name) { return IN(name, AGGREGATES); }
bool iqs_is_selector(st_slice name) { return IN(name, SELECTORS); }
bool iqs_is_transform(st_slice name) { return IN(name, TRANSFORMS); }
bool iqs_is_math(st_slice name) { return IN(name, MATHS); }


/* ------------------------------------------------------------ transformations */

static int64_t unit_arg(const iql_expr *call, int64_t def)
{
    if (call->nargs >= 2 && call->args[1]->kind == IQL_E_DURATION && call->args[1]->ns > 0) return call->args[1]->ns;
    return def;
}

/* ------------------------------------------------- technical analysis
 * InfluxDB's technical-analysis functions (its port of the gota package),
 * value by value: every numeric value (an integer as a float) goes in, in
 * order, and gives one output; the output is a row once more values than
 * the hold period came in (hold -1: the function's warm-up count). Float
 * operations are done in InfluxDB's order, their running sums kept as it
 * keeps them, so that the digits are its digits. */

typedef enum ta_warm { TA_WARM_EXP, TA_WARM_SIMPLE, TA_WARM_NONE } ta_warm;

typedef enum ta_kind { TA_EMA, TA_DEMA, TA_TEMA, TA_TRIX, TA_RSI, TA_CMO, TA_KER, TA_KAMA, TA_NONE } ta_kind;

/* by ta_kind; InfluxDB's messages name the function in lower case */
static const char *const TA_NAMES[] = {"exponential_moving_average", "double_exponential_moving_average",
                                       "triple_exponential_moving_average", "triple_exponential_derivative",
                                       "relative_strength_index", "chande_momentum_oscillator",
                                       "kaufmans_efficiency_ratio", "kaufmans_adaptive_moving_average"};

static ta_kind ta_kind_of(st_slice f)
{
    for (size_t i = 0; i < sizeof TA_NAMES / sizeof *TA_NAMES; i++)
        if (slice_ieq(f, TA_NAMES[i])) return (ta_kind)i;
    return TA_NONE;
}

/* An exponential moving average: from the period-th value on, each value
 * weighs alpha = 2 / (period + 1); before, the exponential warmup weighs
 * the k-th value 2 / (k + 1) (the first values are not drowned by a seed)
 * and the simple one averages the values so far. */
typedef struct ta_ema {
    double alpha, last;
    uint64_t period, count; /* unsigned: no overflow whatever the period */
    ta_warm warm;
} ta_ema;

static ta_ema ta_ema_new(uint64_t period, ta_warm warm)
{
    return (ta_ema){.alpha = 2 / (double)(period + 1), .period = period, .warm = warm};
}

static bool ta_ema_warmed(const ta_ema *e) { return e->count == e->period; }

static double ta_ema_add(ta_ema *e, double v)
{
    double avg;
    if (e->count == 0)
        avg = v;
    else if (ta_ema_warmed(e))
        avg = (v - e->last) * e->alpha + e->last;
    else if (e->warm == TA_WARM_SIMPLE)
        avg = (e->last * (double)e->count + v) / (double)(e->count + 1);
    else
        avg = (v - e->last) * (2 / (double)(e->count + 2)) + e->last;
    e->last = avg;
    if (e->count < e->period) e->count++;
    return avg;
}

/* The state of one function over one series. */
typedef struct ta {
    ta_kind kind;
    ta_warm warm;
    uint64_t period;
    ta_ema e[3];      /* the stages of the averages; RSI and the smoothed CMO: gains [0], losses [1] */
    double last;      /* TRIX: the last triple average; RSI and smoothed CMO: the last value; KAMA: its average */
    /* the efficiency ratio (of KAMA too) and CMO without warmup: a ring of
     * the last values and their changes (zeros before the first value) and
     * the running sums over it */
    double *price, *diff;
    size_t ring, idx;
    uint64_t count;
    double noise, up, down;
} ta;

/* Kaufman's efficiency ratio: |the change over the ring| / the sum of
 * the |changes| in it, 0 when either is 0. */
static double ta_ker_add(ta *s, double v)
{
    size_t old = s->idx + 1 >= s->ring ? 0 : s->idx + 1;
    double signal = fabs(v - s->price[old]), d = fabs(v - s->price[s->idx]);
    s->noise -= s->diff[old];
    s->noise += d;
    s->idx = old;
    s->price[old] = v;
    s->diff[old] = d;
    if (s->count != s->period + 1) s->count++;
    return signal == 0 || s->noise == 0 ? 0 : signal / s->noise;
}

/* Kaufman's adaptive moving average: the smoothing constant goes from
 * 2/31 (noise) to 2/3 (trend) with the efficiency ratio, squared; until
 * the ratio's window is full it moves from the value before. */
static double ta_kama_add(ta *s, double v)
{
    if (s->count != s->period + 1) s->last = s->price[s->idx];
    double er = ta_ker_add(s, v);
    double x = er * (56.0 / 93.0) + 2.0 / 31.0; /* 2/3 - 2/31, rounded once as Go's constant arithmetic does */
    double sc = x * x;
    s->last = s->last + sc * (v - s->last);
    return s->last;
}

/* Chande's momentum oscillator without warmup: 100 x (gains - losses) /
 * (gains + losses) of the changes in the ring and the new one. */
static double ta_cmo_add(ta *s, double v)
{
    size_t old = s->idx + 1 == s->ring ? 0 : s->idx + 1;
    double d = 0;
    if (s->count != 0) {
        d = v - s->price[s->idx];
        if (d > 0) s->up += d;
        else if (d < 0) s->down -= d;
    }
    double out = 0;
    if (s->up != 0 || s->down != 0) out = 100.0 * ((s->up - s->down) / (s->up + s->down));
    if (s->diff[old] > 0) s->up -= s->diff[old];
    else if (s->diff[old] < 0) s->down += s->diff[old];
    s->price[old] = v;
    s->diff[old] = d;
    s->idx = old;
    if (s->count != s->period + 1) s->count++;
    return out;
}

static double ta_add(ta *s, double v)
{
    switch (s->kind) {
    case TA_EMA: return ta_ema_add(&s->e[0], v);
    case TA_DEMA: {
        double a1 = ta_ema_add(&s->e[0], v);
        double a2 = ta_ema_warmed(&s->e[0]) || s->warm == TA_WARM_EXP ? ta_ema_add(&s->e[1], a1) : a1;
        return 2 * a1 - a2;
    }
    case TA_TEMA: {
        double a1 = ta_ema_add(&s->e[0], v);
        double a2 = ta_ema_warmed(&s->e[0]) || s->warm == TA_WARM_EXP ? ta_ema_add(&s->e[1], a1) : a1;
        double a3 = ta_ema_warmed(&s->e[1]) || s->warm == TA_WARM_EXP ? ta_ema_add(&s->e[2], a2) : a2;
        return 3 * a1 - 3 * a2 + a3;
    }
    case TA_TRIX: {
        /* the percent change of the triple average (the first against 0) */
        double cur = ta_ema_add(&s->e[0], v);
        if (ta_ema_warmed(&s->e[0]) || s->warm == TA_WARM_EXP) {
            cur = ta_ema_add(&s->e[1], cur);
            if (ta_ema_warmed(&s->e[1]) || s->warm == TA_WARM_EXP) cur = ta_ema_add(&s->e[2], cur);
        }
        double rate = ((cur / s->last) - 1) * 100;
        s->last = cur;
        return rate;
    }
    case TA_RSI:
    case TA_CMO: {
        if (s->kind == TA_CMO && s->warm == TA_WARM_NONE) return ta_cmo_add(s, v);
        /* averages of the gains and of the losses (the first value's against 0) */
        double up = 0, down = 0;
        if (v > s->last) up = v - s->last;
        else if (v < s->last) down = s->last - v;
        ta_ema_add(&s->e[0], up);
        ta_ema_add(&s->e[1], down);
        s->last = v;
        double u = s->e[0].last, dn = s->e[1].last;
        if (s->kind == TA_RSI) return 100 - (100 / (1 + u / dn));
        return 100.0 * ((u - dn) / (u + dn));
    }
    case TA_KER: return ta_ker_add(s, v);
    case TA_KAMA: return ta_kama_add(s, v);
    default: return NAN;
    }
}

/* How many values a function takes before its rows start by default
 * (wrapping as Go's int does, for an absurd period). */
static uint64_t ta_warm_count(const ta *s)
{
    uint64_t p = s->period;
    bool simple = s->warm == TA_WARM_SIMPLE;
    switch (s->kind) {
    case TA_EMA: return p - 1;
    case TA_DEMA: return simple ? 2 * (p - 1) : p - 1;
    case TA_TEMA: return simple ? 3 * (p - 1) : p - 1;
    case TA_TRIX: return simple ? 3 * (p - 1) + 1 : p;
    case TA_CMO: return s->warm == TA_WARM_NONE ? p - 1 : p;
    default: return p; /* RSI (its averages run over period + 1), KER, KAMA */
    }
}

/* The arguments (x, period[, hold period[, warmup]]), checked in
 * InfluxDB's order and words. */
static int ta_args(sctx *c, const iql_expr *call, ta_kind kind, uint64_t *period, int64_t *hold, ta_warm *warm)
{
    const char *f = TA_NAMES[kind];
    const iql_expr *p = call->nargs >= 2 ? call->args[1] : NULL;
    if (!p || p->kind != IQL_E_NUMBER || !p->is_int) return st_fail(c->e, ST_EINVAL, "%s period must be an integer", f);
    if (p->ns < 1) return st_fail(c->e, ST_EINVAL, "%s period must be greater than or equal to 1", f);
    *period = (uint64_t)p->ns;
    *hold = -1;
    if (call->nargs >= 3) {
        const iql_expr *h = call->args[2];
        if (h->kind != IQL_E_NUMBER || !h->is_int)
            return st_fail(c->e, ST_EINVAL, "%s hold period must be an integer", f);
        if (kind == TA_TRIX && h->ns < 1 && h->ns != -1)
            return st_fail(c->e, ST_EINVAL, "%s hold period must be greater than or equal to 1", f);
        if (h->ns < 0 && h->ns != -1)
            return st_fail(c->e, ST_EINVAL, "%s hold period must be greater than or equal to 0", f);
        *hold = h->ns;
    }
    /* the warmup, spelt exactly */
    *warm = kind == TA_CMO ? TA_WARM_NONE : TA_WARM_EXP;
    if (call->nargs >= 4 && kind != TA_KER && kind != TA_KAMA) {
        const iql_expr *w = call->args[3];
        if (w->kind != IQL_E_STRING) return st_fail(c->e, ST_EINVAL, "%s warmup type must be a string", f);
        bool exp = w->str.n == 11 && !memcmp(w->str.p, "exponential", 11);
        bool simple = w->str.n == 6 && !memcmp(w->str.p, "simple", 6);
        bool none = w->str.n == 4 && !memcmp(w->str.p, "none", 4);
        if (kind == TA_CMO && !exp && !simple && !none)
            return st_fail(c->e, ST_EINVAL, "%s warmup type must be one of: 'none' 'exponential' 'simple'", f);
        if (kind != TA_CMO && !exp && !simple)
            return st_fail(c->e, ST_EINVAL, "%s warmup type must be one of: 'exponential' 'simple'", f);
        *warm = exp ? TA_WARM_EXP : simple ? TA_WARM_SIMPLE : TA_WARM_NONE;
    }
    return 0;
}

/* One technical-analysis function over the values v at times t (n of
 * them, nulls skipped): its rows into ot/ov (room for n). */
static int technical(sctx *c, const iql_expr *call, ta_kind kind, const int64_t *t, const iql_val *v, size_t n,
                     int64_t *ot, iql_val *ov, size_t *on)
{
    ta s = {.kind = kind};
    int64_t hold = -1;
    int rc = ta_args(c, call, kind, &s.period, &hold, &s.warm);
    if (rc) return rc;
    *on = 0;
    if (kind == TA_CMO && s.warm == TA_WARM_NONE && s.period == 1) {
        /* InfluxDB's ring of period - 1 changes is empty then: it fails on
         * the first value (index out of range) */
        for (size_t i = 0; i < n; i++)
            if (iqv_is_num(v[i]))
                return st_fail(c->e, ST_EINVAL, "%s period 1 makes InfluxDB 1.6 fail (index out of range)",
                               TA_NAMES[kind]);
        return 0;
    }
    if (kind == TA_RSI || (kind == TA_CMO && s.warm != TA_WARM_NONE)) {
        /* averages over period + 1 values, each new one weighing 1 / period */
        s.e[0] = s.e[1] = ta_ema_new(s.period + 1, s.warm);
        s.e[0].alpha = s.e[1].alpha = 1 / (double)s.period;
    } else {
        for (int i = 0; i < 3; i++) s.e[i] = ta_ema_new(s.period, s.warm);
    }
    if (kind == TA_KER || kind == TA_KAMA || kind == TA_CMO) {
        /* the ring (period values; period - 1 for CMO); one longer than the
         * values behaves the same when the period is longer still: its
         * oldest slot is then always one never written */
        uint64_t want = kind == TA_CMO ? s.period - 1 : s.period;
        s.ring = want < n + 1 ? (size_t)want : n + 1;
        s.price = st_calloc(s.ring, sizeof *s.price);
        s.diff = st_calloc(s.ring, sizeof *s.diff);
    }
    /* InfluxDB holds its counts in 32 bits */
    uint32_t hold32 = hold == -1 ? (uint32_t)ta_warm_count(&s) : (uint32_t)hold, count = 0;
    bool drop_inf = kind == TA_TRIX || kind == TA_KER || kind == TA_KAMA;
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        if (!iqv_is_num(v[i])) continue;
        double out = ta_add(&s, iqv_f(v[i]));
        count++;
        if (count <= hold32 || (drop_inf && isinf(out))) continue;
        ot[k] = t[i];
        ov[k++] = iqv_float(out);
    }
    st_free(s.price);
    st_free(s.diff);
    *on = k;
    return 0;
}

int iqs_transform(sctx *c, const iql_expr *call, const int64_t *t, const iql_val *v, size_t n, int64_t *ot,
                  iql_val *ov, size_t *on)
{
    st_slice f = call->str;
    size_t k = 0;
    int rc = iqs_transform_check(c, call);
    if (rc) return rc;
    if (slice_ieq(f, "derivative") || slice_ieq(f, "non_negative_derivative")) {
        bool nonneg = slice_ieq(f, "non_negative_derivative");
        /* without a unit: a second, or the GROUP BY interval over buckets */
        double unit = (double)unit_arg(call, c->by_time ? c->interval : ST_NS_PER_S);
        for (size_t i = 1; i < n; i++) {
            if (!iqv_is_num(v[i]) || !iqv_is_num(v[i - 1]) || t[i] == t[i - 1]) continue;
            /* the time between as a positive span (ORDER BY time DESC walks backwards) */
            int64_t dt = t[i] > t[i - 1] ? t[i] - t[i - 1] : t[i - 1] - t[i];
            double d = (iqv_f(v[i]) - iqv_f(v[i - 1])) / ((double)dt / unit);
            if (nonneg && d < 0) continue;
            ot[k] = t[i];
            ov[k++] = iqv_float(d);
        }
    } else if (slice_ieq(f, "difference") || slice_ieq(f, "non_negative_difference")) {
        bool nonneg = slice_ieq(f, "non_negative_difference");
        for (size_t i = 1; i < n; i++) {
            if (!iqv_is_num(v[i]) || !iqv_is_num(v[i - 1])) continue;
            iql_val d = iqv_arith(IQL_OP_SUB, v[i], v[i - 1]);
            if (nonneg && iqv_f(d) < 0) continue;
            ot[k] = t[i];
            ov[k++] = d;
        }
    } else if (slice_ieq(f, "cumulative_sum")) {
        iql_val acc = iqv_null();
        for (size_t i = 0; i < n; i++) {
            if (!iqv_is_num(v[i])) continue;
            acc = acc.t == IQL_VT_NULL ? v[i] : iqv_arith(IQL_OP_ADD, acc, v[i]);
            ot[k] = t[i];
            ov[k++] = acc;
        }
    } else if (slice_ieq(f, "moving_average")) {
        size_t w = (size_t)call->args[1]->ns;
        for (size_t i = w - 1; i < n; i++) {
            double sum = 0; /* each window summed afresh: no drift from a running sum */
            for (size_t j = i + 1 - w; j <= i; j++) sum += iqv_f(v[j]);
            ot[k] = t[i];
            ov[k++] = iqv_float(sum / (double)w);
        }
    } else if (slice_ieq(f, "elapsed")) {
        int64_t unit = unit_arg(call, 1);
        for (size_t i = 1; i < n; i++) {
            ot[k] = t[i];
            ov[k++] = iqv_int((t[i] - t[i - 1]) / unit);
        }
    } else if (ta_kind_of(f) != TA_NONE) {
        rc = technical(c, call, ta_kind_of(f), t, v, n, ot, ov, &k);
        if (rc) return rc;
    } else {
        return st_fail(c->e, ST_EINVAL, "%.*s() not supported by Strata yet", (int)f.n, f.p);
    }
    *on = k;
    return 0;
}

/* holt_winters's arguments (aggregate, N, S) checked in InfluxDB's order
 * and words (but the GROUP BY interval). */
static int hw_args(sctx *c, const iql_expr *call)
{
    const char *name = slice_ieq(call->str, "holt_winters_with_fit") ? "holt_winters_with_fit" : "holt_winters";
    if (call->nargs != 3)
        return st_fail(c->e, ST_EINVAL, "invalid number of arguments for %s, expected 3, got %zu", name, call->nargs);
    const iql_expr *h = call->args[1], *s = call->args[2];
    if (h->kind != IQL_E_NUMBER || !h->is_int)
        return st_fail(c->e, ST_EINVAL, "expected integer argument as second arg in %s", name);
    if (h->ns <= 0)
        return st_fail(c->e, ST_EINVAL, "second arg to %s must be greater than 0, got %lld", name, (long long)h->ns);
    if (s->kind != IQL_E_NUMBER || !s->is_int)
        return st_fail(c->e, ST_EINVAL, "expected integer argument as third arg in %s", name);
    if (s->ns < 0)
        return st_fail(c->e, ST_EINVAL, "third arg to %s cannot be negative, got %lld", name, (long long)s->ns);
    if (call->args[0]->kind != IQL_E_CALL)
        return st_fail(c->e, ST_EINVAL, "must use aggregate function with %s", name);
    return 0;
}

/* holt_winters(aggregate, N, S) and holt_winters_with_fit(...): N
 * buckets forecast after the last one, with a season of S buckets (under
 * 2: none). The rows go to *ot and *ov, allocated. */
static int holt_winters(sctx *c, const iql_expr *call, const int64_t *t, const iql_val *v, size_t n, int64_t **ot,
                        iql_val **ov, size_t *on)
{
    bool fit = slice_ieq(call->str, "holt_winters_with_fit");
    const char *name = fit ? "holt_winters_with_fit" : "holt_winters";
    int rc = hw_args(c, call);
    if (rc) return rc;
    const iql_expr *h = call->args[1], *s = call->args[2];
    if (!c->by_time) return st_fail(c->e, ST_EINVAL, "%s aggregate requires a GROUP BY interval", name);
    /* InfluxDB reads no bucket before the lower time bound's for it (other
     * transformations of the statement may have read one) */
    int64_t from = c->has_min ? iqs_bucket_of(c, c->mint) : INT64_MIN;
    int64_t *xt = st_malloc((n + 1) * sizeof *xt);
    double *x = st_malloc((n + 1) * sizeof *x);
    size_t m = 0;
    for (size_t i = 0; i < n; i++)
        if (iqv_is_num(v[i]) && t[i] >= from) {
            xt[m] = t[i];
            x[m++] = iqv_f(v[i]);
        }
    /* the buckets from the first value on and the forecasts, and the
     * simplex (6 + S + 1 vertices of 6 + S values), count against the
     * bucket limit: InfluxDB would just try */
    size_t rows = iql_hw_rows(xt, m, c->interval, h->ns, fit), all = iql_hw_rows(xt, m, c->interval, h->ns, true);
    uint64_t season = s->ns >= 2 ? (uint64_t)s->ns : 0, simplex = (season + 7) * (season + 6);
    if (all > c->max_points || (season <= m && simplex > c->max_points)) {
        st_free(xt);
        st_free(x);
        return st_fail(c->e, ST_ELIMIT, "max-select-buckets limit exceeded: (%llu/%zu)",
                       (unsigned long long)(all > c->max_points ? all : simplex), c->max_points);
    }
    *ot = st_malloc((rows + 1) * sizeof **ot);
    *ov = st_malloc((rows + 1) * sizeof **ov);
    double *y = st_malloc((rows + 1) * sizeof *y);
    *on = iql_hw_forecast(xt, x, m, c->interval, h->ns, s->ns, fit, *ot, y);
    for (size_t i = 0; i < *on; i++) (*ov)[i] = iqv_float(y[i]);
    st_free(y);
    st_free(xt);
    st_free(x);
    return 0;
}

int iqs_transform_check(sctx *c, const iql_expr *call)
{
    st_slice f = call->str;
    ta_kind kind = ta_kind_of(f);
    if (kind != TA_NONE) {
        uint64_t period;
        int64_t hold;
        ta_warm warm;
        return ta_args(c, call, kind, &period, &hold, &warm);
    }
    if (slice_ieq(f, "holt_winters") || slice_ieq(f, "holt_winters_with_fit")) return hw_args(c, call);
    if (slice_ieq(f, "moving_average")) {
        if (call->nargs != 2)
            return st_fail(c->e, ST_EINVAL, "invalid number of arguments for moving_average, expected 2, got %zu",
                           call->nargs);
        const iql_expr *w = call->args[1];
        if (w->kind != IQL_E_NUMBER || !w->is_int) {
            /* Go's %T of the literal */
            const char *type = w->kind == IQL_E_NUMBER     ? "*influxql.NumberLiteral"
                               : w->kind == IQL_E_STRING   ? "*influxql.StringLiteral"
                               : w->kind == IQL_E_DURATION ? "*influxql.DurationLiteral"
                               : w->kind == IQL_E_BOOL     ? "*influxql.BooleanLiteral"
                               : w->kind == IQL_E_IDENT    ? "*influxql.VarRef"
                               : w->kind == IQL_E_CALL     ? "*influxql.Call"
                                                           : "*influxql.BinaryExpr";
            return st_fail(c->e, ST_EINVAL, "second argument for moving_average must be an integer, got %s", type);
        }
        if (w->ns <= 1)
            return st_fail(c->e, ST_EINVAL, "moving_average window must be greater than 1, got %lld", (long long)w->ns);
    }
    return 0;
}

int iqs_transform_rows(sctx *c, const iql_expr *call, const int64_t *t, const iql_val *v, size_t n, int64_t **ot,
                       iql_val **ov, size_t *on)
{
    *on = 0;
    if (slice_ieq(call->str, "holt_winters") || slice_ieq(call->str, "holt_winters_with_fit")) {
        *ot = NULL;
        *ov = NULL;
        return holt_winters(c, call, t, v, n, ot, ov, on);
    }
    *ot = st_malloc((n + 1) * sizeof **ot);
    *ov = st_malloc((n + 1) * sizeof **ov);
    return iqs_transform(c, call, t, v, n, *ot, *ov, on);
}

/* ------------------------------------------------------------ several rows a bucket */

/* by value, the largest (smallest) first, then the earlier */
static int cmp_tv_top(const void *a, const void *b)
{
    const tv *x = a, *y = b;
    int d = iqv_cmp(y->v, x->v);
    return d ? d : (x->t > y->t) - (x->t < y->t);
}

static int cmp_tv_bottom(const void *a, const void *b)
{
    const tv *x = a, *y = b;
    int d = iqv_cmp(x->v, y->v);
    return d ? d : (x->t > y->t) - (x->t < y->t);
}

static int cmp_tv_time(const void *a, const void *b)
{
    const tv *x = a, *y = b;
    return (x->t > y->t) - (x->t < y->t);
}

/* distinct: equal values together (type first, so that only values
 * iqv_eq calls equal meet), each value's first occurrence first */
static int cmp_tv_distinct(const void *a, const void *b)
{
    const tv *x = a, *y = b;
    if (x->v.t != y->v.t) return (int)x->v.t - (int)y->v.t;
    int d = iqv_cmp(x->v, y->v);
    if (d) return d;
    return (x->row > y->row) - (x->row < y->row);
}

/* distinct's output: by first occurrence's time, then value */
static int cmp_tv_first(const void *a, const void *b)
{
    const tv *x = a, *y = b;
    if (x->t != y->t) return x->t < y->t ? -1 : 1;
    int d = iqv_cmp(x->v, y->v);
    if (d) return d;
    return (x->row > y->row) - (x->row < y->row);
}

int iqs_multi(const mctx *m, const iql_expr *call, size_t from, size_t to, int64_t bucket_t, bool point_time,
              tv **out, size_t *nout)
{
    sctx *c = m->c;
    st_slice f = call->str;
    *nout = 0;
    if (!call->nargs) return st_fail(c->e, ST_EINVAL, "invalid number of arguments for %.*s", (int)f.n, f.p);
    tv *v = NULL;
    size_t cap = 0, n = collect(m, call->args[0], from, to, &v, &cap), k = 0;
    if (slice_ieq(f, "distinct")) {
        /* each value once, ordered as InfluxDB's reducer emits them: by the
         * time the value first came, then by value (the points come in time
         * order: their index orders the occurrences) */
        qsort(v, n, sizeof *v, cmp_tv_distinct);
        tv *o = st_malloc((n + 1) * sizeof *o);
        for (size_t i = 0; i < n; i++)
            if (!i || !iqv_eq(v[i].v, v[i - 1].v)) o[k++] = v[i];
        qsort(o, k, sizeof *o, cmp_tv_first);
        for (size_t i = 0; i < k; i++) o[i].t = bucket_t;
        st_free(v);
        *out = o;
        *nout = k;
        return 0;
    }
    if (slice_ieq(f, "sample")) {
        /* N points at random (a reservoir), in time order */
        const iql_expr *ne = call->args[call->nargs - 1];
        if (call->nargs != 2 || ne->kind != IQL_E_NUMBER || !ne->is_int || ne->ns < 1) {
            st_free(v);
            return st_fail(c->e, ST_EINVAL, "sample window must be greater than 1, got %lld",
                           call->nargs == 2 ? (long long)ne->ns : 0LL);
        }
        size_t want = (size_t)ne->ns;
        uint64_t x = 0x9e3779b97f4a7c15ull ^ (uint64_t)n;
        for (size_t i = want; i < n; i++) {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            size_t j = (size_t)(x % (i + 1));
            if (j < want) v[j] = v[i];
        }
        k = n < want ? n : want;
        qsort(v, k, sizeof *v, cmp_tv_time);
        *out = v;
        *nout = k;
        return 0;
    }
    /* top / bottom (field[, tag...], N): the N largest (smallest), the
     * earlier first on ties; with tags, the best of each distinct tag value
     * set; then in time order */
    const iql_expr *nexpr = call->args[call->nargs - 1];
    if (call->nargs < 2 || nexpr->kind != IQL_E_NUMBER || !nexpr->is_int) {
        st_free(v);
        st_slice found = call->nargs < 2 ? st_slice_of("nothing", 7)
                         : nexpr->kind == IQL_E_IDENT || nexpr->kind == IQL_E_STRING ? nexpr->str
                                                                                    : st_slice_of("an expression", 13);
        return st_fail(c->e, ST_EINVAL, "expected integer as last argument in %.*s(), found %.*s", (int)f.n, f.p,
                       (int)found.n, found.p);
    }
    int64_t want = nexpr->ns;
    if (want < 1) {
        st_free(v);
        return st_fail(c->e, ST_EINVAL, "limit (%lld) in %.*s function must be at least 1", (long long)want, (int)f.n, f.p);
    }
    qsort(v, n, sizeof *v, slice_ieq(f, "top") ? cmp_tv_top : cmp_tv_bottom);
    size_t ntags = call->nargs - 2;
    if (!ntags) {
        k = n < (size_t)want ? n : (size_t)want;
    } else {
        for (size_t i = 0; i < n && k < (size_t)want; i++) {
            const tset *ti = &m->ps->tsets[m->g->tset[v[i].row]];
            bool seen = false;
            for (size_t j = 0; j < k && !seen; j++) {
                const tset *tj = &m->ps->tsets[m->g->tset[v[j].row]];
                seen = true;
                for (size_t a = 0; a < ntags && seen; a++)
                    seen = st_slice_eq(iqs_tag_of(ti, call->args[1 + a]->str), iqs_tag_of(tj, call->args[1 + a]->str));
            }
            if (!seen) v[k++] = v[i];
        }
    }
    qsort(v, k, sizeof *v, cmp_tv_time);
    if (!point_time)
        for (size_t i = 0; i < k; i++) v[i].t = bucket_t;
    *out = v;
    *nout = k;
    return 0;
}
