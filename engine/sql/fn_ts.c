/* fn_ts: Timestream's time-series functions, and the resolver for them and
 * for fn_array.c's array functions (see fn_int.h).
 *
 * A timeseries(T) value is n points (time, value), times ascending and, as
 * CREATE_TIME_SERIES builds them, unique. Decisions where Timestream's
 * guide says nothing (each one also in the tests):
 *  - a point whose value is NULL counts as no point at all, in every
 *    function here (CREATE_TIME_SERIES never makes one; a NULL that gets
 *    in some other way is skipped rather than poisoning the result);
 *  - the requested instants of the array forms are taken sorted, without
 *    duplicates and without NULLs, because the result is a timeseries,
 *    whose times must ascend;
 *  - interpolate_linear and interpolate_spline_cubic give a value only
 *    inside [first point, last point]: outside, the array form leaves the
 *    instant out and the single form is NULL (extrapolation is not
 *    interpolation); interpolate_locf gives nothing before the first point
 *    and carries the last value on forever after; interpolate_fill gives
 *    the constant wherever no point sits exactly at the instant;
 *  - at an instant where a point sits, every interpolation gives that
 *    point's value exactly;
 *  - instants are assumed unique (the aggregate keeps the later of
 *    duplicates); if some repeat anyway nothing breaks: interpolation at
 *    the instant takes the later point, derivatives skip the zero-length
 *    step, the integral adds nothing for it (a spline through them is NaN);
 *  - interpolate_spline_cubic is the natural cubic spline (second
 *    derivative zero at both ends) through the points; with two points that
 *    spline is the straight line, with one point only its own instant has a
 *    value: no error for short series;
 *  - derivative_linear puts (v_i - v_prev) / (t_i - t_prev) * interval at
 *    t_i for every point after the first; non_negative_derivative_linear
 *    drops the points whose derivative is negative (or NaN) rather than
 *    zeroing them; the interval must be positive (an error otherwise);
 *  - integral_trapezoidal is NULL for a series with no point and 0 for one
 *    point;
 *  - correlate_pearson / correlate_spearman need the same instants in both
 *    series (an error otherwise, as the guide requires them); pairs where
 *    either value is NULL are left out; fewer than two pairs give NULL; a
 *    series with no variance gives NaN (0 / 0, as Trino's corr());
 *    Spearman ranks ties by their average rank.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "sql/fn_int.h"

#define NS_PER_S 1000000000LL

/* t1 - t0 for t1 >= t0 as a double: exact in uint64 whatever the span,
 * rounded once. */
static double span(int64_t t0, int64_t t1) { return (double)((uint64_t)t1 - (uint64_t)t0); }

/* The points of a timeseries that have a value. */
typedef struct pts {
    size_t n;
    size_t *ix;        /* indices of the points with a value */
    int64_t *t;        /* their times */
} pts;

static void points(sx_ctx *c, const sql_array *s, pts *p)
{
    p->n = 0;
    p->ix = st_arena_alloc(c->a, (s->n ? s->n : 1) * sizeof *p->ix);
    p->t = st_arena_alloc(c->a, (s->n ? s->n : 1) * sizeof *p->t);
    for (size_t i = 0; i < s->n; i++)
        if (!s->v[i].null) {
            p->ix[p->n] = i;
            p->t[p->n++] = s->times[i];
        }
}

static int cmp_i64(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return (x > y) - (x < y);
}

/* The instants of an array(timestamp): NULLs dropped, sorted, unique. */
static size_t instants(sx_ctx *c, const sql_array *a, int64_t **out)
{
    int64_t *q = st_arena_alloc(c->a, (a->n ? a->n : 1) * sizeof *q);
    size_t n = 0;
    for (size_t i = 0; i < a->n; i++)
        if (!a->v[i].null) q[n++] = a->v[i].u.i;
    if (n > 1) qsort(q, n, sizeof *q, cmp_i64);
    size_t k = 0;
    for (size_t i = 0; i < n; i++)
        if (!k || q[k - 1] != q[i]) q[k++] = q[i];
    *out = q;
    return k;
}

/* Number of points at or before instant q. */
static size_t upto(const pts *p, int64_t q)
{
    size_t lo = 0, hi = p->n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (p->t[mid] <= q) lo = mid + 1;
        else hi = mid;
    }
    return lo;
}

/* ---- interpolation ---- */

enum { IP_LINEAR = 1, IP_SPLINE, IP_LOCF, IP_FILL, IP_MANY = 0x100 };

/* Second derivatives of the natural cubic spline through the points
 * (x in ns from the first point), by the tridiagonal system of the
 * interior points solved in one sweep down and one up. */
static double *spline_m(sx_ctx *c, const pts *p, const double *y)
{
    size_t n = p->n;
    double *m = st_arena_alloc(c->a, (n ? n : 1) * sizeof *m);
    for (size_t i = 0; i < n; i++) m[i] = 0;
    if (n < 3) return m;
    double *cp = st_arena_alloc(c->a, n * sizeof *cp), *dp = st_arena_alloc(c->a, n * sizeof *dp);
    for (size_t i = 1; i + 1 < n; i++) {
        double h0 = span(p->t[i - 1], p->t[i]), h1 = span(p->t[i], p->t[i + 1]);
        double a = h0, b = 2 * (h0 + h1), cc = h1;
        double d = 6 * ((y[i + 1] - y[i]) / h1 - (y[i] - y[i - 1]) / h0);
        if (i > 1) {
            b -= a * cp[i - 1];
            d -= a * dp[i - 1];
        }
        cp[i] = cc / b;
        dp[i] = d / b;
    }
    m[n - 2] = dp[n - 2];
    for (size_t i = n - 2; i-- > 1;) m[i] = dp[i] - cp[i] * m[i + 1];
    return m;
}

/* The value at instant q: 1 with *out set, 0 when there is none. */
static int interp_at(int kind, const sql_array *s, const pts *p, const double *y, const double *m,
                     const sql_value *fill, int64_t q, sql_value *out)
{
    size_t j = upto(p, q);
    if (j && p->t[j - 1] == q) {
        *out = s->v[p->ix[j - 1]];
        return 1;
    }
    switch (kind) {
    case IP_LOCF:
        if (!j) return 0;
        *out = s->v[p->ix[j - 1]];
        return 1;
    case IP_FILL: *out = *fill; return 1;
    default: break;
    }
    if (j == 0 || j == p->n) return 0; /* before the first point or after the last */
    int64_t t0 = p->t[j - 1], t1 = p->t[j];
    double y0 = y[j - 1], y1 = y[j], h = span(t0, t1), b = span(t0, q);
    if (kind == IP_LINEAR) {
        *out = sqlv_double(y0 + (y1 - y0) * (b / h));
        return 1;
    }
    double a = span(q, t1), m0 = m[j - 1], m1 = m[j];
    double r = m0 * a * a * a / (6 * h) + m1 * b * b * b / (6 * h) + (y0 / h - m0 * h / 6) * a +
               (y1 / h - m1 * h / 6) * b;
    *out = sqlv_double(r);
    return 1;
}

static int fn_interp(sx_ctx *c, const sx *x, const sql_value *v, sql_value *out)
{
    int kind = x->op & 0xff;
    bool many = x->op & IP_MANY;
    const sql_array *s = v[0].u.arr;
    pts p;
    points(c, s, &p);
    double *y = NULL, *m = NULL;
    if (kind == IP_LINEAR || kind == IP_SPLINE) {
        y = st_arena_alloc(c->a, (p.n ? p.n : 1) * sizeof *y);
        for (size_t i = 0; i < p.n; i++) y[i] = s->v[p.ix[i]].u.d;
        if (kind == IP_SPLINE) m = spline_m(c, &p, y);
    }
    const sql_value *fill = kind == IP_FILL ? &v[2] : NULL;
    /* locf keeps the series' element type; the others answer doubles */
    uint8_t et = kind == IP_LOCF ? (uint8_t)sqlt_elem(v[0].type) : SQLT_DOUBLE;
    if (!many) {
        if (!interp_at(kind, s, &p, y, m, fill, v[1].u.i, out)) *out = sqlv_null((sql_vtype)et);
        return 0;
    }
    int64_t *q;
    size_t nq = instants(c, v[1].u.arr, &q);
    sql_value *tmp = st_arena_alloc(c->a, (nq ? nq : 1) * sizeof *tmp);
    int64_t *tt = st_arena_alloc(c->a, (nq ? nq : 1) * sizeof *tt);
    size_t k = 0;
    for (size_t i = 0; i < nq; i++)
        if (interp_at(kind, s, &p, y, m, fill, q[i], &tmp[k])) tt[k++] = q[i];
    sql_value *el;
    int64_t *times;
    *out = sqlv_array(c->a, (uint8_t)(SQLT_TIMESERIES | et), k, &el, &times);
    if (k) {
        memcpy(el, tmp, k * sizeof *el);
        memcpy(times, tt, k * sizeof *times);
    }
    return 0;
}

/* ---- derivatives and the integral ---- */

enum { DV_ALL = 1, DV_NONNEG };

static int bad_interval(sx_ctx *c, const char *fn)
{
    return st_fail(c->e, ST_EINVAL, "Invalid interval for %s: must be greater than zero", fn);
}

static int fn_derivative(sx_ctx *c, const sx *x, const sql_value *v, sql_value *out)
{
    const sql_array *s = v[0].u.arr;
    int64_t ivl = v[1].u.i;
    if (ivl <= 0)
        return bad_interval(c, x->op == DV_NONNEG ? "non_negative_derivative_linear" : "derivative_linear");
    pts p;
    points(c, s, &p);
    sql_value *tmp = st_arena_alloc(c->a, (p.n ? p.n : 1) * sizeof *tmp);
    int64_t *tt = st_arena_alloc(c->a, (p.n ? p.n : 1) * sizeof *tt);
    size_t k = 0;
    for (size_t i = 1; i < p.n; i++) {
        if (p.t[i] == p.t[i - 1]) continue; /* a repeated instant has no slope */
        double dv = s->v[p.ix[i]].u.d - s->v[p.ix[i - 1]].u.d, dt = span(p.t[i - 1], p.t[i]);
        /* dv * ivl / dt is exact for round numbers where dv / dt * ivl is
         * not; the product alone may overflow where the quotient does not */
        double r = dv * (double)ivl;
        r = isinf(r) && !isinf(dv) ? dv * ((double)ivl / dt) : r / dt;
        if (x->op == DV_NONNEG && !(r >= 0)) continue;
        tt[k] = p.t[i];
        tmp[k++] = sqlv_double(r);
    }
    sql_value *el;
    int64_t *times;
    *out = sqlv_array(c->a, SQLT_TIMESERIES | SQLT_DOUBLE, k, &el, &times);
    if (k) {
        memcpy(el, tmp, k * sizeof *el);
        memcpy(times, tt, k * sizeof *times);
    }
    return 0;
}

static int fn_integral(sx_ctx *c, const sx *x, const sql_value *v, sql_value *out)
{
    const sql_array *s = v[0].u.arr;
    int64_t ivl = x->nargs > 1 ? v[1].u.i : NS_PER_S;
    if (ivl <= 0) return bad_interval(c, "integral_trapezoidal");
    pts p;
    points(c, s, &p);
    if (!p.n) {
        *out = sqlv_null(SQLT_DOUBLE);
        return 0;
    }
    double sum = 0;
    for (size_t i = 1; i < p.n; i++)
        sum += (s->v[p.ix[i - 1]].u.d + s->v[p.ix[i]].u.d) * (span(p.t[i - 1], p.t[i]) / (double)ivl) / 2;
    *out = sqlv_double(sum);
    return 0;
}

/* ---- correlation ---- */

enum { CR_PEARSON = 1, CR_SPEARMAN };

static double pearson(const double *a, const double *b, size_t n)
{
    double ma = 0, mb = 0;
    for (size_t i = 0; i < n; i++) ma += a[i], mb += b[i];
    ma /= (double)n, mb /= (double)n;
    double sab = 0, saa = 0, sbb = 0;
    for (size_t i = 0; i < n; i++) {
        double da = a[i] - ma, db = b[i] - mb;
        sab += da * db, saa += da * da, sbb += db * db;
    }
    return sab / sqrt(saa * sbb);
}

typedef struct ranked {
    double v;
    size_t i;
} ranked;

static int cmp_ranked(const void *pa, const void *pb)
{
    const ranked *a = pa, *b = pb;
    sql_value x = sqlv_double(a->v), y = sqlv_double(b->v);
    int r = sqlv_cmp(&x, &y); /* NaN sorts last, as ORDER BY */
    return r ? r : (a->i > b->i) - (a->i < b->i);
}

/* Replaces a[] by its ranks (1-based), ties sharing their average rank. */
static void rank(sx_ctx *c, double *a, size_t n)
{
    ranked *r = st_arena_alloc(c->a, n * sizeof *r);
    for (size_t i = 0; i < n; i++) r[i] = (ranked){a[i], i};
    qsort(r, n, sizeof *r, cmp_ranked);
    for (size_t i = 0; i < n;) {
        size_t j = i + 1;
        sql_value x = sqlv_double(r[i].v);
        while (j < n) {
            sql_value y = sqlv_double(r[j].v);
            if (!sqlv_same(&x, &y)) break;
            j++;
        }
        double avg = ((double)i + 1 + (double)j) / 2; /* ranks i+1 .. j */
        for (size_t k = i; k < j; k++) a[r[k].i] = avg;
        i = j;
    }
}

static int fn_correlate(sx_ctx *c, const sx *x, const sql_value *v, sql_value *out)
{
    const sql_array *s1 = v[0].u.arr, *s2 = v[1].u.arr;
    if (s1->n != s2->n || (s1->n && memcmp(s1->times, s2->times, s1->n * sizeof *s1->times)))
        return st_fail(c->e, ST_EINVAL, "The timeseries given to %s must have the same timestamps",
                       x->op == CR_PEARSON ? "correlate_pearson" : "correlate_spearman");
    double *a = st_arena_alloc(c->a, (s1->n ? s1->n : 1) * sizeof *a);
    double *b = st_arena_alloc(c->a, (s1->n ? s1->n : 1) * sizeof *b);
    size_t n = 0;
    for (size_t i = 0; i < s1->n; i++)
        if (!s1->v[i].null && !s2->v[i].null) a[n] = s1->v[i].u.d, b[n++] = s2->v[i].u.d;
    if (n < 2) {
        *out = sqlv_null(SQLT_DOUBLE);
        return 0;
    }
    if (x->op == CR_SPEARMAN) {
        rank(c, a, n);
        rank(c, b, n);
    }
    *out = sqlv_double(pearson(a, b, n));
    return 0;
}

#define TSD (SQLT_TIMESERIES | SQLT_DOUBLE)
#define TSE (SQLT_TIMESERIES | FT_E)
#define ATS (SQLT_ARRAY | SQLT_TIMESTAMP)
const sql_fn_entry sql_fn_ts_tab[] = {
    {"interpolate_linear", fn_interp, IP_LINEAR | IP_MANY, TSD, 2, {TSD, ATS}, 0},
    {"interpolate_linear", fn_interp, IP_LINEAR, FT_D, 2, {TSD, FT_T}, 0},
    {"interpolate_spline_cubic", fn_interp, IP_SPLINE | IP_MANY, TSD, 2, {TSD, ATS}, 0},
    {"interpolate_spline_cubic", fn_interp, IP_SPLINE, FT_D, 2, {TSD, FT_T}, 0},
    {"interpolate_locf", fn_interp, IP_LOCF | IP_MANY, TSE, 2, {TSE, ATS}, 0},
    {"interpolate_locf", fn_interp, IP_LOCF, FT_E, 2, {TSE, FT_T}, 0},
    {"interpolate_fill", fn_interp, IP_FILL | IP_MANY, TSD, 3, {TSD, ATS, FT_D}, 0},
    {"interpolate_fill", fn_interp, IP_FILL, FT_D, 3, {TSD, FT_T, FT_D}, 0},
    {"derivative_linear", fn_derivative, DV_ALL, TSD, 2, {TSD, FT_DS}, 0},
    {"non_negative_derivative_linear", fn_derivative, DV_NONNEG, TSD, 2, {TSD, FT_DS}, 0},
    {"integral_trapezoidal", fn_integral, 0, FT_D, 1, {TSD}, 0},
    {"integral_trapezoidal", fn_integral, 0, FT_D, 2, {TSD, FT_DS}, 0},
    {"correlate_pearson", fn_correlate, CR_PEARSON, FT_D, 2, {TSD, TSD}, 0},
    {"correlate_spearman", fn_correlate, CR_SPEARMAN, FT_D, 2, {TSD, TSD}, 0},
};
#undef TSD
#undef TSE
#undef ATS

const size_t sql_fn_ts_n = ST_ARRAY_LEN(sql_fn_ts_tab);
