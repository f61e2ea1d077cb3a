/* holtwinters: InfluxDB 1.x's holt_winters() (see holtwinters.h).
 *
 * Every float operation is done in InfluxDB's order and with its
 * constants: the simplex branches on comparisons of sums of squares, so a
 * last-bit difference anywhere can end in another fit. Its quirks are
 * kept on purpose, for they decide the digits:
 *  - the recursion feeds each step its own previous forecast, never the
 *    observed value (only the first value enters; the fit is judged on
 *    the sum of squared errors against the observations);
 *  - the damping sum that weighs the trend starts at phi and grows by
 *    phi^t after step t: step t weighs it phi + phi + phi^2 + ... +
 *    phi^(t-1);
 *  - the parameters are worked on in place: evaluating a vertex of the
 *    simplex clamps its alpha, beta, gamma and phi into [0, 1] and leaves
 *    the last seasonal factors of the run in its seasonal slots, and the
 *    optimiser carries on from those changed vertices;
 *  - the answer is the best vertex as it was before the optimiser
 *    evaluates it one last time (that evaluation's value ranks the 16
 *    starts), and the forecast runs from it.
 * Whole powers are computed as Go's math.Pow does (repeated squaring of
 * the mantissa), which can differ from libm's pow in the last bit. */
#include "influxql/holtwinters.h"

#include <math.h>
#include <string.h>

#include "st.h"

/* The grid of starting guesses for alpha, beta, gamma and phi (0.3 and
 * 0.7 each); the weight of the first value in the level and trend guesses
 * without a season; the simplex's stopping threshold (the standard
 * deviation of its values), its iteration limit and its reflection,
 * contraction and expansion coefficients. */
#define HW_GUESS_LO 0.3
#define HW_GUESS_HI 1.0
#define HW_GUESS_STEP 0.4
#define HW_WEIGHT 0.5
#define HW_EPSILON 1.0e-4
#define NM_MAX_ITER 1000
#define NM_REFLECT 1.0
#define NM_CONTRACT 0.5
#define NM_EXPAND 2.0

typedef struct hw {
    const double *y; /* a value a bucket from the first to the last; NaN for a gap */
    size_t ny;
    size_t m;        /* the season's length; 0 without a season */
    double *fc;      /* the forecasts of the last run: ny + h */
} hw;

/* x to the whole power k >= 1 as Go's math.Pow takes it: repeated
 * squaring of frexp's mantissa, the exponent kept apart, one ldexp at the
 * end. */
static double go_powi(double x, int64_t k)
{
    if (x == 1) return 1;
    if (k == 1) return x;
    if (isnan(x)) return x;
    if (x == 0) return (k & 1) ? x : 0.0;
    if (isinf(x)) return x > 0 || !(k & 1) ? INFINITY : -INFINITY;
    double a1 = 1, x1;
    int ae = 0, xe;
    x1 = frexp(x, &xe);
    for (int64_t i = k; i != 0; i >>= 1) {
        if (xe < -(1 << 12) || (1 << 12) < xe) { /* under- or overflow whatever follows: ldexp decides */
            ae += xe;
            break;
        }
        if (i & 1) {
            a1 *= x1;
            ae += xe;
        }
        x1 *= x1;
        xe *= 2;
        if (x1 < .5) {
            x1 += x1;
            xe--;
        }
    }
    return ldexp(a1, ae);
}

/* Clamps p's alpha, beta, gamma and phi into [0, 1] in place (a NaN
 * stays), then runs the damped multiplicative recursion from y[0] over
 * the ny buckets and h more into w->fc. p's seasonal factors serve as a
 * ring the run overwrites: they end as the last m factors it made. */
static void forecast(const hw *w, double *p, size_t h)
{
    for (int i = 0; i < 4; i++) {
        if (p[i] > 1) p[i] = 1;
        if (p[i] < 0) p[i] = 0;
    }
    double yT = w->y[0], phi = p[3], phiH = phi, lT = p[4], bT = p[5];
    double *s = p + 6;
    size_t m = w->m, so = m ? m - 1 : 0;
    double stm = 1.0, stmh = 1.0;
    w->fc[0] = yT;
    for (size_t t = 1; t < w->ny + h; t++) {
        if (m) {
            size_t hm = t % m;
            stm = s[(t + so - m) % m];
            stmh = s[(t + so + hm - m) % m];
        }
        double alpha = p[0], beta = p[1], gamma = p[2];
        double lTp = lT, bTp = bT;
        lT = alpha * (yT / stm) + (1 - alpha) * (lTp + phi * bTp);
        bT = beta * (lT - lTp) + (1 - beta) * phi * bTp;
        double sT = gamma * (yT / (lTp + phi * bTp)) + (1 - gamma) * stm;
        yT = (lT + phiH * bT) * stmh;
        phiH += go_powi(phi, (int64_t)t);
        if (m) {
            s[(t + so) % m] = sT;
            so++;
        }
        w->fc[t] = yT;
    }
}

/* The sum of squared errors of p's fit over the buckets with a value
 * (p changes: see forecast); +Inf when a fitted value is NaN. */
static double sse(const hw *w, double *p)
{
    forecast(w, p, 0);
    double sum = 0.0;
    for (size_t i = 0; i < w->ny; i++) {
        if (isnan(w->y[i])) continue;
        if (isnan(w->fc[i])) return INFINITY;
        double d = w->fc[i] - w->y[i];
        sum += d * d;
    }
    return sum;
}

/* Scratch of the simplex over n parameters: n + 1 vertices, their values,
 * the reflected, expanded and contracted points and the centroid. */
typedef struct simplex {
    size_t n;
    double *v;  /* (n + 1) x n */
    double *f;  /* n + 1 */
    double *vr, *ve, *vc, *vm;
} simplex;

#define V(sx, i) ((sx)->v + (i) * (sx)->n)

/* Nelder-Mead from start as InfluxDB's neldermead package runs it (scale
 * 1, a regular initial simplex with one vertex at start). best gets the
 * best vertex; returns the sum of squares at it, evaluated once more. */
static double nelder_mead(const hw *w, simplex *sx, const double *start, double *best)
{
    size_t n = sx->n;
    double *f = sx->f, *vr = sx->vr, *ve = sx->ve, *vc = sx->vc, *vm = sx->vm;
    double dn = (double)n;
    double pn = 1 * (sqrt((double)(n + 1)) - 1 + dn) / (dn * sqrt(2));
    double qn = 1 * (sqrt((double)(n + 1)) - 1) / (dn * sqrt(2));
    memcpy(V(sx, 0), start, n * sizeof *start);
    for (size_t i = 1; i <= n; i++)
        for (size_t j = 0; j < n; j++) V(sx, i)[j] = (i - 1 == j ? pn : qn) + start[j];
    for (size_t j = 0; j <= n; j++) f[j] = sse(w, V(sx, j));
    for (int itr = 1; itr <= NM_MAX_ITER; itr++) {
        /* the worst, the best and the second worst */
        size_t vg = 0, vs = 0;
        for (size_t i = 0; i <= n; i++) {
            if (f[i] > f[vg]) vg = i;
            if (f[i] < f[vs]) vs = i;
        }
        size_t vh = vs;
        for (size_t i = 0; i <= n; i++)
            if (f[i] > f[vh] && f[i] < f[vg]) vh = i;
        for (size_t i = 0; i < n; i++) {
            double cent = 0.0;
            for (size_t k = 0; k <= n; k++)
                if (k != vg) cent += V(sx, k)[i];
            vm[i] = cent / dn;
        }
        for (size_t i = 0; i < n; i++) vr[i] = vm[i] + NM_REFLECT * (vm[i] - V(sx, vg)[i]);
        double fr = sse(w, vr);
        if (fr < f[vh] && fr >= f[vs]) {
            memcpy(V(sx, vg), vr, n * sizeof *vr);
            f[vg] = fr;
        }
        if (fr < f[vs]) {
            for (size_t i = 0; i < n; i++) ve[i] = vm[i] + NM_EXPAND * (vr[i] - vm[i]);
            double fe = sse(w, ve);
            if (fe < fr) {
                memcpy(V(sx, vg), ve, n * sizeof *ve);
                f[vg] = fe;
            } else {
                memcpy(V(sx, vg), vr, n * sizeof *vr);
                f[vg] = fr;
            }
        }
        if (fr >= f[vh]) {
            if (fr < f[vg] && fr >= f[vh])
                for (size_t i = 0; i < n; i++) vc[i] = vm[i] + NM_CONTRACT * (vr[i] - vm[i]);
            else
                for (size_t i = 0; i < n; i++) vc[i] = vm[i] - NM_CONTRACT * (vm[i] - V(sx, vg)[i]);
            double fc = sse(w, vc);
            if (fc < f[vg]) {
                memcpy(V(sx, vg), vc, n * sizeof *vc);
                f[vg] = fc;
            } else {
                /* shrink towards the best */
                for (size_t row = 0; row <= n; row++) {
                    if (row == vs) continue;
                    for (size_t i = 0; i < n; i++) V(sx, row)[i] = V(sx, vs)[i] + (V(sx, row)[i] - V(sx, vs)[i]) / 2.0;
                }
                f[vg] = sse(w, V(sx, vg));
                f[vh] = sse(w, V(sx, vh));
            }
        }
        /* converged when the values' standard deviation is small */
        double fsum = 0.0;
        for (size_t i = 0; i <= n; i++) fsum += f[i];
        double favg = fsum / (double)(n + 1), s = 0.0;
        for (size_t i = 0; i <= n; i++) s += (f[i] - favg) * (f[i] - favg) / dn;
        if (sqrt(s) < HW_EPSILON) break;
    }
    size_t vs = 0;
    for (size_t i = 0; i <= n; i++)
        if (f[i] < f[vs]) vs = i;
    memcpy(best, V(sx, vs), n * sizeof *best);
    return sse(w, V(sx, vs));
}

/* t rounded to the nearest multiple of interval (a half rounds down, a
 * negative time towards zero, as InfluxDB's integer arithmetic does). */
static int64_t round_time(int64_t t, int64_t interval)
{
    if (t % interval > interval / 2) return (t / interval + 1) * interval;
    return t / interval * interval;
}

/* The number of buckets from the first point to the last, 0 when they
 * cannot be forecast from. */
static size_t span(const int64_t *t, size_t n, int64_t interval)
{
    if (n < 2 || interval <= 0) return 0;
    int64_t start = round_time(t[0], interval), stop = round_time(t[n - 1], interval);
    if (stop <= start) return 0;
    return (size_t)((uint64_t)stop - (uint64_t)start) / (uint64_t)interval + 1;
}

size_t iql_hw_rows(const int64_t *t, size_t n, int64_t interval, int64_t h, bool with_fit)
{
    size_t ny = span(t, n, interval);
    if (!ny || h <= 0) return 0;
    return (with_fit ? ny : 0) + (size_t)h;
}

size_t iql_hw_forecast(const int64_t *t, const double *y, size_t n, int64_t interval, int64_t h, int64_t m,
                       bool with_fit, int64_t *ot, double *oy)
{
    bool seasonal = m >= 2;
    size_t ny = span(t, n, interval);
    if (!ny || h <= 0 || (seasonal && n < (size_t)m)) return 0;
    size_t sm = seasonal ? (size_t)m : 0;
    /* a value a bucket; a gap is NaN, a repeated bucket keeps its first value */
    double *yy = st_malloc(ny * sizeof *yy);
    size_t k = 0;
    int64_t at = round_time(t[0], interval);
    yy[k++] = y[0];
    for (size_t i = 1; i < n; i++) {
        int64_t r = round_time(t[i], interval);
        if (r <= at) continue;
        for (at += interval; at != r && k < ny; at += interval) yy[k++] = NAN;
        if (k < ny) yy[k++] = y[i];
    }
    if (k < ny || (seasonal && ny < sm)) { /* cannot happen with times in order; InfluxDB would fail */
        st_free(yy);
        return 0;
    }
    hw w = {.y = yy, .ny = ny, .m = sm, .fc = st_malloc((ny + (size_t)h) * sizeof(double))};
    /* the starting level, trend and seasonal factors */
    double l0 = 0.0, b0 = 0.0;
    if (seasonal) {
        for (size_t i = 0; i < sm; i++)
            if (!isnan(yy[i])) l0 += (1 / (double)sm) * yy[i];
        for (size_t i = 0; i < sm && sm + i < ny; i++)
            if (!isnan(yy[i]) && !isnan(yy[sm + i])) b0 += 1 / (double)(sm * sm) * (yy[sm + i] - yy[i]);
    } else {
        l0 += HW_WEIGHT * yy[0];
        if (!isnan(yy[1])) b0 = HW_WEIGHT * (yy[1] - yy[0]);
    }
    size_t np = 6 + sm;
    double *params = st_calloc(np, sizeof *params), *cand = st_malloc(np * sizeof *cand);
    double *best = st_malloc(np * sizeof *best);
    params[4] = l0;
    params[5] = b0;
    for (size_t i = 0; i < sm; i++) params[6 + i] = isnan(yy[i]) ? 0 : yy[i] / l0;
    simplex sx = {.n = np,
                  .v = st_malloc((np + 1) * np * sizeof(double)),
                  .f = st_malloc((np + 1) * sizeof(double)),
                  .vr = st_malloc(np * sizeof(double)),
                  .ve = st_malloc(np * sizeof(double)),
                  .vc = st_malloc(np * sizeof(double)),
                  .vm = st_malloc(np * sizeof(double))};
    double min_sse = INFINITY;
    bool have = false;
    for (double alpha = HW_GUESS_LO; alpha < HW_GUESS_HI; alpha += HW_GUESS_STEP)
        for (double beta = HW_GUESS_LO; beta < HW_GUESS_HI; beta += HW_GUESS_STEP)
            for (double gamma = HW_GUESS_LO; gamma < HW_GUESS_HI; gamma += HW_GUESS_STEP)
                for (double phi = HW_GUESS_LO; phi < HW_GUESS_HI; phi += HW_GUESS_STEP) {
                    params[0] = alpha;
                    params[1] = beta;
                    params[2] = gamma;
                    params[3] = phi;
                    double s = nelder_mead(&w, &sx, params, cand);
                    if (s < min_sse || !have) {
                        min_sse = s;
                        memcpy(best, cand, np * sizeof *best);
                        have = true;
                    }
                }
    forecast(&w, best, (size_t)h);
    size_t out = 0;
    if (with_fit) {
        for (size_t i = 0; i < ny + (size_t)h; i++) {
            if (isnan(w.fc[i])) continue;
            ot[out] = (int64_t)((uint64_t)t[0] + (uint64_t)interval * i);
            oy[out++] = w.fc[i];
        }
    } else {
        for (size_t i = 0; i < (size_t)h; i++) {
            if (isnan(w.fc[ny + i])) continue;
            ot[out] = (int64_t)((uint64_t)t[n - 1] + (uint64_t)interval * (i + 1));
            oy[out++] = w.fc[ny + i];
        }
    }
    st_free(sx.v);
    st_free(sx.f);
    st_free(sx.vr);
    st_free(sx.ve);
    st_free(sx.vc);
    st_free(sx.vm);
    st_free(params);
    st_free(cand);
    st_free(best);
    st_free(w.fc);
    st_free(yy);
    return out;
}
