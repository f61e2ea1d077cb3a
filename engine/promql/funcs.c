/* funcs: PromQL's numeric kernels, written to reproduce Prometheus 2.42
 * bit for bit.
 *
 * Each kernel follows the arithmetic of the corresponding Go function in
 * Prometheus 2.42 (promql/functions.go, promql/quantile.go and the
 * aggregation() loop of promql/engine.go): the same operations in the same
 * order, the same Kahan-Neumaier compensation where 2.42 has it and none
 * where it has not, the same special cases for NaN and Inf. Where Go's
 * standard library behaves differently from C's, the Go behaviour is
 * written out here: math.Max/math.Min (an infinity wins over NaN, NaN wins
 * over a number), math.Log2/math.Log10 (computed from the natural log),
 * the float-to-int64 conversion of amd64 (NaN and out-of-range values
 * become INT64_MIN) and the calendar arithmetic of package time, including
 * its wrap-around for timestamps near the int64 limits.
 *
 * The transcendental functions (exp, sin, asinh, ...) come from libm; Go
 * implements its own, so those may differ from Prometheus in the last bit.
 */
#include "promql/funcs.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A fused multiply-add would change the last bits; Go does not fuse on
 * amd64. GCC does not contract under -std=c11; clang needs telling. */
#ifdef __clang__
#pragma STDC FP_CONTRACT OFF
#endif

/* ------------------------------------------------------------- names */

static const char *const range_names[PQF_RANGE_COUNT] = {
    [PQF_RATE] = "rate",
    [PQF_INCREASE] = "increase",
    [PQF_DELTA] = "delta",
    [PQF_IRATE] = "irate",
    [PQF_IDELTA] = "idelta",
    [PQF_DERIV] = "deriv",
    [PQF_PREDICT_LINEAR] = "predict_linear",
    [PQF_RESETS] = "resets",
    [PQF_CHANGES] = "changes",
    [PQF_HOLT_WINTERS] = "holt_winters",
    [PQF_AVG_OVER_TIME] = "avg_over_time",
    [PQF_MIN_OVER_TIME] = "min_over_time",
    [PQF_MAX_OVER_TIME] = "max_over_time",
    [PQF_SUM_OVER_TIME] = "sum_over_time",
    [PQF_COUNT_OVER_TIME] = "count_over_time",
    [PQF_STDDEV_OVER_TIME] = "stddev_over_time",
    [PQF_STDVAR_OVER_TIME] = "stdvar_over_time",
    [PQF_LAST_OVER_TIME] = "last_over_time",
    [PQF_PRESENT_OVER_TIME] = "present_over_time",
    [PQF_QUANTILE_OVER_TIME] = "quantile_over_time",
};

static const char *const value_names[PQF_VALUE_COUNT] = {
    [PQF_ABS] = "abs",
    [PQF_CEIL] = "ceil",
    [PQF_FLOOR] = "floor",
    [PQF_EXP] = "exp",
    [PQF_SQRT] = "sqrt",
    [PQF_LN] = "ln",
    [PQF_LOG2] = "log2",
    [PQF_LOG10] = "log10",
    [PQF_SGN] = "sgn",
    [PQF_ROUND] = "round",
    [PQF_CLAMP] = "clamp",
    [PQF_CLAMP_MIN] = "clamp_min",
    [PQF_CLAMP_MAX] = "clamp_max",
    [PQF_ACOS] = "acos",
    [PQF_ACOSH] = "acosh",
    [PQF_ASIN] = "asin",
    [PQF_ASINH] = "asinh",
    [PQF_ATAN] = "atan",
    [PQF_ATANH] = "atanh",
    [PQF_COS] = "cos",
    [PQF_COSH] = "cosh",
    [PQF_SIN] = "sin",
    [PQF_SINH] = "sinh",
    [PQF_TAN] = "tan",
    [PQF_TANH] = "tanh",
    [PQF_DEG] = "deg",
    [PQF_RAD] = "rad",
    [PQF_DAY_OF_MONTH] = "day_of_month",
    [PQF_DAY_OF_WEEK] = "day_of_week",
    [PQF_DAY_OF_YEAR] = "day_of_year",
    [PQF_DAYS_IN_MONTH] = "days_in_month",
    [PQF_HOUR] = "hour",
    [PQF_MINUTE] = "minute",
    [PQF_MONTH] = "month",
    [PQF_YEAR] = "year",
};

static int lookup(const char *const *names, int count, const char *name, size_t len)
{
    for (int i = 0; i < count; i++)
        if (strlen(names[i]) == len && memcmp(names[i], name, len) == 0)
            return i;
    return -1;
}

const char *pqf_range_name(pqf_range_fn f)
{
    return (unsigned)f < PQF_RANGE_COUNT ? range_names[f] : NULL;
}

int pqf_range_lookup(const char *name, size_t len)
{
    return lookup(range_names, PQF_RANGE_COUNT, name, len);
}

const char *pqf_value_name(pqf_value_fn f)
{
    return (unsigned)f < PQF_VALUE_COUNT ? value_names[f] : NULL;
}

int pqf_value_lookup(const char *name, size_t len)
{
    return lookup(value_names, PQF_VALUE_COUNT, name, len);
}

/* ------------------------------------------------------------- helpers */

/* One step of Kahan summation with Neumaier's improvement: adds inc to
 * *sum and carries the lost low-order bits in *c. The caller adds *c at
 * the end. */
static void kahan_inc(double inc, double *sum, double *c)
{
    double t = *sum + inc;
    if (fabs(*sum) >= fabs(inc))
        *c += (*sum - t) + inc;
    else
        *c += (inc - t) + *sum;
    *sum = t;
}

/* Go's math.Max and math.Min: +Inf (-Inf for min) beats NaN, NaN beats any
 * number, and +0 is larger than -0. C's fmax/fmin ignore NaN instead. */
static double go_max(double x, double y)
{
    if ((isinf(x) && x > 0) || (isinf(y) && y > 0))
        return INFINITY;
    if (isnan(x) || isnan(y))
        return NAN;
    if (x == 0 && x == y)
        return signbit(x) ? y : x;
    return x > y ? x : y;
}

static double go_min(double x, double y)
{
    if ((isinf(x) && x < 0) || (isinf(y) && y < 0))
        return -INFINITY;
    if (isnan(x) || isnan(y))
        return NAN;
    if (x == 0 && x == y)
        return signbit(x) ? x : y;
    return x < y ? x : y;
}

/* Go's fmt %f for the holt_winters messages: Go spells the
 * non-finite values "+Inf", "-Inf" and "NaN". */
static const char *go_fmt_f(char *buf, size_t cap, double v)
{
    if (isnan(v))
        return "NaN";
    if (isinf(v))
        return v > 0 ? "+Inf" : "-Inf";
    snprintf(buf, cap, "%f", v);
    return buf;
}

/* Duration.Seconds() of a range given in ms: whole seconds plus the
 * nanosecond remainder divided by 1e9, which can differ in the last bit
 * from ms / 1000.0. */
double pqf_range_seconds(int64_t ms)
{
    int64_t sec = ms / 1000;
    int64_t nsec = (ms % 1000) * 1000000;
    return (double)sec + (double)nsec / 1e9;
}

/* ------------------------------------------------------------- range functions */

/* rate, increase and delta: the difference between the window's last and
 * first samples (plus every value before a drop, for counters),
 * extrapolated towards the window's bounds. */
static int extrapolated_rate(const pqf_window *w, bool is_counter, bool is_rate, double *out)
{
    size_t n = w->n;
    if (n < 2)
        return 0;
    const int64_t *ts = w->ts;
    const double *v = w->v;

    double result = v[n - 1] - v[0];
    if (is_counter && !w->no_resets) {
        double prev = v[0];
        for (size_t i = 1; i < n; i++) {
            if (v[i] < prev)
                result += prev;
            prev = v[i];
        }
    }

    double to_start = (double)(ts[0] - w->range_start) / 1000;
    double to_end = (double)(w->range_end - ts[n - 1]) / 1000;
    double sampled = (double)(ts[n - 1] - ts[0]) / 1000;
    double avg_step = sampled / (double)(n - 1);

    /* A counter cannot go below zero: extrapolate at most to the point
     * where the line through the samples would reach zero. */
    if (is_counter && result > 0 && v[0] >= 0) {
        double to_zero = sampled * (v[0] / result);
        if (to_zero < to_start)
            to_start = to_zero;
    }

    /* Extrapolate to a bound only when it is within 1.1 average steps of
     * the outermost sample; otherwise by half a step. */
    double threshold = avg_step * 1.1;
    double interval = sampled;
    if (to_start < threshold)
        interval += to_start;
    else
        interval += avg_step / 2;
    if (to_end < threshold)
        interval += to_end;
    else
        interval += avg_step / 2;

    double factor = interval / sampled;
    if (is_rate)
        factor /= w->range_secs ? w->range_secs : pqf_range_seconds(w->range_end - w->range_start);
    *out = result * factor;
    return 1;
}

/* irate and idelta: the last two samples only. */
static int instant_value(const pqf_window *w, bool is_rate, double *out)
{
    size_t n = w->n;
    if (n < 2)
        return 0;
    double last = w->v[n - 1], prev = w->v[n - 2];
    double result;
    if (is_rate && last < prev)
        result = last; /* counter reset */
    else
        result = last - prev;
    int64_t interval = w->ts[n - 1] - w->ts[n - 2];
    if (interval == 0)
        return 0;
    if (is_rate)
        result /= (double)interval / 1000;
    *out = result;
    return 1;
}

/* Least-squares line through the samples, x in seconds relative to
 * intercept_ms. A constant series has slope 0 (NaN when the constant is
 * infinite), whatever its times. */
static void linear_regression(const pqf_window *w, int64_t intercept_ms, double *slope,
                              double *intercept)
{
    double n = 0;
    double sum_x = 0, c_x = 0, sum_y = 0, c_y = 0;
    double sum_xy = 0, c_xy = 0, sum_x2 = 0, c_x2 = 0;
    double init_y = w->v[0];
    bool const_y = true;
    for (size_t i = 0; i < w->n; i++) {
        double y = w->v[i];
        if (const_y && i > 0 && y != init_y)
            const_y = false;
        n += 1.0;
        double x = (double)(w->ts[i] - intercept_ms) / 1e3;
        kahan_inc(x, &sum_x, &c_x);
        kahan_inc(y, &sum_y, &c_y);
        kahan_inc(x * y, &sum_xy, &c_xy);
        kahan_inc(x * x, &sum_x2, &c_x2);
    }
    if (const_y) {
        if (isinf(init_y)) {
            *slope = NAN;
            *intercept = NAN;
        } else {
            *slope = 0;
            *intercept = init_y;
        }
        return;
    }
    sum_x += c_x;
    sum_y += c_y;
    sum_xy += c_xy;
    sum_x2 += c_x2;

    double cov_xy = sum_xy - sum_x * sum_y / n;
    double var_x = sum_x2 - sum_x * sum_x / n;
    *slope = cov_xy / var_x;
    *intercept = sum_y / n - *slope * sum_x / n;
}

static int holt_winters(const pqf_window *w, double sf, double tf, double *out, st_err *e)
{
    char buf[64];
    /* Checked before the sample count, and NaN passes (as in 2.42). */
    if (sf <= 0 || sf >= 1)
        return st_fail(e, ST_EINVAL, "invalid smoothing factor. Expected: 0 < sf < 1, got: %s",
                       go_fmt_f(buf, sizeof buf, sf));
    if (tf <= 0 || tf >= 1)
        return st_fail(e, ST_EINVAL, "invalid trend factor. Expected: 0 < tf < 1, got: %s",
                       go_fmt_f(buf, sizeof buf, tf));
    if (w->n < 2)
        return 0;

    /* s1 the smoothed value, s0 the previous one, b the trend; the first
     * trend is the first difference, later ones are smoothed. */
    double s0 = 0, s1 = w->v[0];
    double b = w->v[1] - w->v[0];
    for (size_t i = 1; i < w->n; i++) {
        double x = sf * w->v[i];
        if (i > 1)
            b = tf * (s1 - s0) + (1 - tf) * b;
        double y = (1 - sf) * (s1 + b);
        s0 = s1;
        s1 = x + y;
    }
    *out = s1;
    return 1;
}

static double avg_over_time(const double *v, size_t n)
{
    double mean = 0, count = 0, c = 0;
    for (size_t i = 0; i < n; i++) {
        count++;
        if (isinf(mean)) {
            /* An infinite mean stays as it is when the new value is the
             * same infinity or finite; mean - mean would make it NaN. */
            if (isinf(v[i]) && (mean > 0) == (v[i] > 0))
                continue;
            if (!isinf(v[i]) && !isnan(v[i]))
                continue;
        }
        kahan_inc(v[i] / count - mean / count, &mean, &c);
    }
    return isinf(mean) ? mean : mean + c;
}

static double sum_over_time(const double *v, size_t n)
{
    double sum = 0, c = 0;
    for (size_t i = 0; i < n; i++)
        kahan_inc(v[i], &sum, &c);
    return isinf(sum) ? sum : sum + c;
}

/* Welford's running variance with compensated mean and sum of squares;
 * returns the population variance. */
static double stdvar_over_time(const double *v, size_t n)
{
    double count = 0, mean = 0, c_mean = 0, aux = 0, c_aux = 0;
    for (size_t i = 0; i < n; i++) {
        count++;
        double delta = v[i] - (mean + c_mean);
        kahan_inc(delta / count, &mean, &c_mean);
        kahan_inc(delta * (v[i] - (mean + c_mean)), &aux, &c_aux);
    }
    return (aux + c_aux) / count;
}

int pqf_range(pqf_range_fn f, const pqf_window *w, const double *params, double *out,
              st_err *e)
{
    /* Prometheus never calls a function on an empty window, so an empty
     * window gives no sample and no error (not even holt_winters'). */
    if (w->n == 0)
        return 0;
    const double *v = w->v;
    size_t n = w->n;

    switch (f) {
    case PQF_RATE: return extrapolated_rate(w, true, true, out);
    case PQF_INCREASE: return extrapolated_rate(w, true, false, out);
    case PQF_DELTA: return extrapolated_rate(w, false, false, out);
    case PQF_IRATE: return instant_value(w, true, out);
    case PQF_IDELTA: return instant_value(w, false, out);
    case PQF_DERIV: {
        if (n < 2)
            return 0;
        /* x relative to the first sample, to keep the sums small */
        double slope, intercept;
        linear_regression(w, w->ts[0], &slope, &intercept);
        *out = slope;
        return 1;
    }
    case PQF_PREDICT_LINEAR: {
        if (n < 2)
            return 0;
        double slope, intercept;
        linear_regression(w, w->eval_ts, &slope, &intercept);
        *out = slope * params[0] + intercept;
        return 1;
    }
    case PQF_RESETS: {
        double resets = 0, prev = v[0];
        for (size_t i = 1; i < n; i++) {
            if (v[i] < prev)
                resets++;
            prev = v[i];
        }
        *out = resets;
        return 1;
    }
    case PQF_CHANGES: {
        /* NaN to NaN is not a change; NaN to a number and back are. */
        double changes = 0, prev = v[0];
        for (size_t i = 1; i < n; i++) {
            if (v[i] != prev && !(isnan(v[i]) && isnan(prev)))
                changes++;
            prev = v[i];
        }
        *out = changes;
        return 1;
    }
    case PQF_HOLT_WINTERS: return holt_winters(w, params[0], params[1], out, e);
    case PQF_AVG_OVER_TIME: *out = avg_over_time(v, n); return 1;
    case PQF_MIN_OVER_TIME: *out = pqf_extreme(v, n, false); return 1;
    case PQF_MAX_OVER_TIME: *out = pqf_extreme(v, n, true); return 1;
    case PQF_SUM_OVER_TIME: *out = sum_over_time(v, n); return 1;
    case PQF_COUNT_OVER_TIME: *out = (double)n; return 1;
    case PQF_STDDEV_OVER_TIME: *out = sqrt(stdvar_over_time(v, n)); return 1;
    case PQF_STDVAR_OVER_TIME: *out = stdvar_over_time(v, n); return 1;
    case PQF_LAST_OVER_TIME: *out = v[n - 1]; return 1;
    case PQF_PRESENT_OVER_TIME: *out = 1; return 1;
    case PQF_QUANTILE_OVER_TIME: {
        /* Prometheus sorts a copy; so do we, on the stack when small. */
        double small[256];
        double *tmp = n <= ST_ARRAY_LEN(small) ? small : st_malloc(n * sizeof *tmp);
        memcpy(tmp, v, n * sizeof *tmp);
        *out = pqf_quantile(params[0], tmp, n);
        if (tmp != small)
            st_free(tmp);
        return 1;
    }
    case PQF_RANGE_COUNT: break;
    }
    return st_fail(e, ST_EINVAL, "unknown range function %d", (int)f);
}

/* ------------------------------------------------------------- dates */

/* Go's time package counts seconds from Jan 1 of the year -292277022399
 * (a Monday, and the start of a 400-year cycle) in a uint64, and wraps. */
#define GO_SECS_PER_DAY 86400ULL
#define GO_DAYS_PER_400Y 146097ULL
#define GO_DAYS_PER_100Y 36524ULL
#define GO_DAYS_PER_4Y 1461ULL
#define GO_ABS_ZERO_YEAR (-292277022399LL)
/* Seconds from the absolute zero to 1970-01-01: 730692556 400-year cycles
 * to year 1, then 719162 days. */
#define GO_UNIX_TO_ABS \
    ((int64_t)(730692556ULL * GO_DAYS_PER_400Y * GO_SECS_PER_DAY) + 62135596800LL)

static const int days_before[13] = {0, 31, 59, 90, 120, 151, 181, 212, 243, 273, 304, 334, 365};

static bool go_is_leap(int64_t year)
{
    return year % 4 == 0 && (year % 100 != 0 || year % 400 == 0);
}

/* int64(v) as Go on amd64 computes it: truncation, and INT64_MIN for NaN
 * and for values outside the int64 range. */
static int64_t go_float_to_int64(double v)
{
    if (isnan(v) || v >= 9223372036854775808.0 || v < -9223372036854775808.0)
        return INT64_MIN;
    return (int64_t)v;
}

/* time.Unix(sec, 0).UTC() as seconds since the absolute zero. */
static uint64_t go_abs(int64_t unix_sec)
{
    return (uint64_t)unix_sec + (uint64_t)GO_UNIX_TO_ABS;
}

typedef struct go_date {
    int64_t year;
    int month; /* 1..12 */
    int day;   /* 1..31 */
    int yday;  /* 0-based */
} go_date;

static go_date go_abs_date(uint64_t abs)
{
    uint64_t d = abs / GO_SECS_PER_DAY;
    uint64_t y = 400 * (d / GO_DAYS_PER_400Y);
    d %= GO_DAYS_PER_400Y;
    /* The last century of a cycle is a day longer: at most 3 full ones. */
    uint64_t k = d / GO_DAYS_PER_100Y;
    k -= k >> 2;
    y += 100 * k;
    d -= GO_DAYS_PER_100Y * k;
    k = d / GO_DAYS_PER_4Y;
    y += 4 * k;
    d -= GO_DAYS_PER_4Y * k;
    k = d / 365;
    k -= k >> 2;
    y += k;
    d -= 365 * k;

    go_date r;
    r.year = (int64_t)y + GO_ABS_ZERO_YEAR;
    r.yday = (int)d;
    int day = r.yday;
    bool leap = go_is_leap(r.year);
    if (leap) {
        if (day == 31 + 29 - 1) {
            r.month = 2;
            r.day = 29;
            return r;
        }
        if (day > 31 + 29 - 1)
            day--;
    }
    int m = 0;
    while (m < 11 && day >= days_before[m + 1])
        m++;
    r.month = m + 1;
    r.day = day - days_before[m] + 1;
    return r;
}

/* Days from the absolute zero to Jan 1 of year (time.Date's arithmetic,
 * wrapping in uint64 like Go's). */
static uint64_t go_days_since_abs(int64_t year)
{
    uint64_t y = (uint64_t)year - (uint64_t)GO_ABS_ZERO_YEAR;
    uint64_t d = GO_DAYS_PER_400Y * (y / 400);
    y %= 400;
    d += GO_DAYS_PER_100Y * (y / 100);
    y %= 100;
    d += GO_DAYS_PER_4Y * (y / 4);
    y %= 4;
    d += 365 * y;
    return d;
}

/* days_in_month is 32 minus the day-of-month of time.Date(year, month, 32):
 * the 32nd normalised into the next month. */
static double go_days_in_month(const go_date *t)
{
    uint64_t d = go_days_since_abs(t->year) + (uint64_t)days_before[t->month - 1];
    if (go_is_leap(t->year) && t->month >= 3)
        d++;
    d += 31;
    go_date n = go_abs_date(d * GO_SECS_PER_DAY);
    return (double)(32 - n.day);
}

static double date_fn(pqf_value_fn f, double v)
{
    uint64_t abs = go_abs(go_float_to_int64(v));
    switch (f) {
    case PQF_HOUR: return (double)((abs % GO_SECS_PER_DAY) / 3600);
    case PQF_MINUTE: return (double)((abs % 3600) / 60);
    case PQF_DAY_OF_WEEK:
        /* the absolute zero was a Monday (1) */
        return (double)(((abs + GO_SECS_PER_DAY) % (7 * GO_SECS_PER_DAY)) / GO_SECS_PER_DAY);
    default: break;
    }
    go_date t = go_abs_date(abs);
    switch (f) {
    case PQF_DAY_OF_MONTH: return t.day;
    case PQF_DAY_OF_YEAR: return t.yday + 1;
    case PQF_MONTH: return t.month;
    case PQF_YEAR: return (double)t.year;
    case PQF_DAYS_IN_MONTH: return go_days_in_month(&t);
    default: return NAN;
    }
}

/* ------------------------------------------------------------- value functions */

/* Go's math.Log as Prometheus runs it (amd64): the classic argument
 * reduction x = 2^k * f and a polynomial in s = (f-1)/(f+1), with the
 * exponent and mantissa read straight from the bits, so that a subnormal
 * is taken as if it had the smallest normal exponent (Go's amd64 routine
 * does not normalise it; ln(5e-324) is -709.09 there, not -744.44). The
 * coefficients are the published ones of this reduction. */
static double go_log(double x)
{
    static const double ln2_hi = 6.93147180369123816490e-01, ln2_lo = 1.90821492927058770002e-10,
                        l1 = 6.666666666666735130e-01, l2 = 3.999999999940941908e-01,
                        l3 = 2.857142874366239149e-01, l4 = 2.222219843214978396e-01,
                        l5 = 1.818357216161805012e-01, l6 = 1.531383769920937332e-01,
                        l7 = 1.479819860511658591e-01;
    if (isnan(x) || x == INFINITY) return x;
    if (x < 0) return NAN;
    if (x == 0) return -INFINITY;
    uint64_t bits;
    memcpy(&bits, &x, 8);
    uint64_t fb = (bits & 0x000FFFFFFFFFFFFFull) | 0x3FE0000000000000ull; /* f1 in [0.5, 1) */
    double f1;
    memcpy(&f1, &fb, 8);
    double k = (double)((int)((bits >> 52) & 0x7FF) - 0x3FE);
    if (f1 < M_SQRT1_2) {
        f1 *= 2;
        k -= 1;
    }
    double f = f1 - 1;
    double s = f / (2 + f), s2 = s * s, s4 = s2 * s2;
    double t1 = s2 * (l1 + s4 * (l3 + s4 * (l5 + s4 * l7)));
    double t2 = s4 * (l2 + s4 * (l4 + s4 * l6));
    double r = t1 + t2, hfsq = 0.5 * f * f;
    return k * ln2_hi - ((hfsq - (s * (hfsq + r) + k * ln2_lo)) - f);
}

/* Go's math.Log2: exact for powers of two, else from the natural log of
 * the mantissa (a true frexp here: log2 of a subnormal is exact in Go). */
static double go_log2(double v)
{
    if (v == 0 || !isfinite(v))
        return go_log(v) * M_LOG2E;
    int exp;
    double frac = frexp(v, &exp);
    if (frac == 0.5)
        return (double)(exp - 1);
    return go_log(frac) * M_LOG2E + (double)exp;
}

/* Go's math.Sinh and math.Cosh take exp(|x|) / 2 above |x| = 21, which
 * overflows to Inf from |x| = 709.78 where the true value (and libm's)
 * stays finite up to 710.47. */
static double go_sinh(double v)
{
    if (fabs(v) > 21)
        return v < 0 ? -(exp(-v) * 0.5) : exp(v) * 0.5;
    return sinh(v);
}

static double go_cosh(double v)
{
    if (fabs(v) > 21)
        return exp(fabs(v)) * 0.5;
    return cosh(v);
}

int pqf_value(pqf_value_fn f, double v, const double *params, size_t nparams, double *out)
{
    switch (f) {
    case PQF_ABS: *out = fabs(v); break;
    case PQF_CEIL: *out = ceil(v); break;
    case PQF_FLOOR: *out = floor(v); break;
    case PQF_EXP: *out = exp(v); break;
    case PQF_SQRT: *out = sqrt(v); break;
    case PQF_LN: *out = go_log(v); break;
    case PQF_LOG2: *out = go_log2(v); break;
    case PQF_LOG10: *out = go_log(v) * M_LOG10E; break;
    case PQF_SGN: *out = v < 0 ? -1 : v > 0 ? 1 : v; break;
    case PQF_ROUND: {
        /* Ties round up; the inverse "causes fewer floating point accuracy
         * issues" (Prometheus's words). */
        double to_nearest = nparams >= 1 ? params[0] : 1;
        double inv = 1.0 / to_nearest;
        *out = floor(v * inv + 0.5) / inv;
        break;
    }
    case PQF_CLAMP:
        if (params[1] < params[0])
            return 0;
        *out = go_max(params[0], go_min(params[1], v));
        break;
    case PQF_CLAMP_MIN: *out = go_max(params[0], v); break;
    case PQF_CLAMP_MAX: *out = go_min(params[0], v); break;
    case PQF_ACOS: *out = acos(v); break;
    case PQF_ACOSH: *out = acosh(v); break;
    case PQF_ASIN: *out = asin(v); break;
    case PQF_ASINH: *out = asinh(v); break;
    case PQF_ATAN: *out = atan(v); break;
    case PQF_ATANH: *out = atanh(v); break;
    case PQF_COS: *out = cos(v); break;
    case PQF_COSH: *out = go_cosh(v); break;
    case PQF_SIN: *out = sin(v); break;
    case PQF_SINH: *out = go_sinh(v); break;
    case PQF_TAN: *out = tan(v); break;
    case PQF_TANH: *out = tanh(v); break;
    case PQF_DEG: *out = v * 180 / M_PI; break;
    case PQF_RAD: *out = v * M_PI / 180; break;
    case PQF_DAY_OF_MONTH:
    case PQF_DAY_OF_WEEK:
    case PQF_DAY_OF_YEAR:
    case PQF_DAYS_IN_MONTH:
    case PQF_HOUR:
    case PQF_MINUTE:
    case PQF_MONTH:
    case PQF_YEAR: *out = date_fn(f, v); break;
    default: return 0;
    }
    return 1;
}

/* ------------------------------------------------------------- quantiles */

/* NaN sorts below everything, as vectorByValueHeap's Less has it. */
static int cmp_nan_first(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    if (isnan(x))
        return isnan(y) ? 0 : -1;
    if (isnan(y))
        return 1;
    return x < y ? -1 : x > y;
}

double pqf_quantile(double q, double *v, size_t n)
{
    if (n == 0 || isnan(q))
        return NAN;
    if (q < 0)
        return -INFINITY;
    if (q > 1)
        return INFINITY;
    qsort(v, n, sizeof *v, cmp_nan_first);

    double count = (double)n;
    double rank = q * (count - 1);
    double lower = fmax(0, floor(rank));
    double upper = fmin(count - 1, lower + 1);
    double weight = rank - floor(rank);
    return v[(size_t)lower] * (1 - weight) + v[(size_t)upper] * weight;
}

/* Go's sort.Search: the smallest i in [0, n) for which count >= rank,
 * by bisection, so that non-monotonic counts (NaN) land where Go's do. */
static size_t search_rank(const pqf_bucket *b, size_t n, double rank)
{
    size_t i = 0, j = n;
    while (i < j) {
        size_t h = i + (j - i) / 2;
        if (!(b[h].count >= rank))
            i = h + 1;
        else
            j = h;
    }
    return i;
}

double pqf_bucket_quantile(double q, pqf_bucket *b, size_t n)
{
    if (isnan(q))
        return NAN;
    if (q < 0)
        return -INFINITY;
    if (q > 1)
        return INFINITY;
    if (n == 0)
        return NAN;

    /* Insertion sort by le: Go's sort.Sort does exactly this for up to 12
     * elements, and it is stable, so equal bounds merge in input order. */
    for (size_t i = 1; i < n; i++)
        for (size_t j = i; j > 0 && b[j].le < b[j - 1].le; j--) {
            pqf_bucket t = b[j];
            b[j] = b[j - 1];
            b[j - 1] = t;
        }
    if (!(isinf(b[n - 1].le) && b[n - 1].le > 0))
        return NAN;

    /* Merge buckets with the same bound, summing their counts. */
    size_t m = 0;
    pqf_bucket last = b[0];
    for (size_t i = 1; i < n; i++) {
        if (b[i].le == last.le) {
            last.count += b[i].count;
        } else {
            b[m++] = last;
            last = b[i];
        }
    }
    b[m++] = last;
    n = m;

    /* Counts never decrease with le: raise any dip to the running maximum. */
    double max = b[0].count;
    for (size_t i = 1; i < n; i++) {
        if (b[i].count > max)
            max = b[i].count;
        else if (b[i].count < max)
            b[i].count = max;
    }

    if (n < 2)
        return NAN;
    double observations = b[n - 1].count;
    if (observations == 0)
        return NAN;
    double rank = q * observations;
    size_t i = search_rank(b, n - 1, rank);

    if (i == n - 1)
        return b[n - 2].le; /* in the +Inf bucket */
    if (i == 0 && b[0].le <= 0)
        return b[0].le;
    double start = 0, end = b[i].le, count = b[i].count;
    if (i > 0) {
        start = b[i - 1].le;
        count -= b[i - 1].count;
        rank -= b[i - 1].count;
    }
    return start + (end - start) * (rank / count);
}

/* ------------------------------------------------------------- aggregation */

double pqf_extreme(const double *v, size_t n, bool max)
{
    /* 2.42 takes v when v < cur (v > cur) or cur is NaN: the first
     * non-NaN value, then strict comparisons (a tie keeps the earlier),
     * and the last value when all are NaN. Written so, the loop has no
     * branch on the values. */
    size_t f = 0;
    while (f < n && isnan(v[f])) f++;
    if (f == n) return v[n - 1];
    double x = v[f];
    if (max) {
        for (size_t k = f + 1; k < n; k++) x = v[k] > x ? v[k] : x;
    } else {
        for (size_t k = f + 1; k < n; k++) x = v[k] < x ? v[k] : x;
    }
    return x;
}

void pqf_agg_avg_add(pqf_agg *a, double v)
{
    if (a->count == 0) {
        a->value = v;
        a->mean = 0;
        a->count = 1;
        return;
    }
    a->count++;
    if (isinf(a->value)) {
        if (isinf(v) && (a->value > 0) == (v > 0))
            return;
        if (!isinf(v) && !isnan(v))
            return;
    }
    /* Both terms divided by the count, so that large values cannot
     * overflow their difference. */
    a->value += v / a->count - a->value / a->count;
}

void pqf_agg_stdvar_add(pqf_agg *a, double v)
{
    if (a->count == 0) {
        /* 2.42 seeds the group with the first value: mean v, sum of
         * squares 0. Running the update from zero would differ for an
         * infinite first value (Inf * 0 = NaN). */
        a->value = 0;
        a->mean = v;
        a->count = 1;
        return;
    }
    a->count++;
    double delta = v - a->mean;
    a->mean += delta / a->count;
    a->value += delta * (v - a->mean);
}

double pqf_agg_stdvar(const pqf_agg *a)
{
    return a->value / a->count;
}

double pqf_agg_stddev(const pqf_agg *a)
{
    return sqrt(a->value / a->count);
}
