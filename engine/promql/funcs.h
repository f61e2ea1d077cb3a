/* funcs: the numeric kernels of PromQL's functions and aggregation
 * helpers, computed as Prometheus 2.42 computes them (same operations in
 * the same order, so that answers agree to the last bits wherever that is
 * possible: sums in sample order, the same extrapolation, the same
 * interpolation).
 *
 * The evaluator (eval.c) owns series, labels, steps and windows; these
 * functions see only numbers: the samples of one window of one series, one
 * value, or the values of one group. They are pure: no state, thread-safe,
 * no allocation except a temporary copy in quantile_over_time over more
 * than 256 samples; inputs are not modified unless said.
 *
 * Timestamps are milliseconds (Prometheus's resolution); a window's
 * samples are strictly increasing in time and hold no stale markers (the
 * evaluator drops them). In 2.42 a window is closed at both ends: it holds
 * the samples with range_start <= t <= range_end (3.0 made it left-open).
 * Prometheus does not call a range function on an empty window, so the
 * step has no output (and raises no error); pqf_range returns 0 for n = 0.
 *
 * ln, log2 and log10 follow Go's math.Log as Prometheus runs it on amd64
 * (its reduction and polynomial, and its reading of a subnormal as if it
 * had the smallest normal exponent), so they are bit-exact too. exp and the
 * trigonometric and hyperbolic families use libm; Go has its own
 * implementations, so those may differ from Prometheus in the last bit.
 * Everything else is bit-exact.
 */
#ifndef ST_PROMQL_FUNCS_H
#define ST_PROMQL_FUNCS_H

#include "st.h"

/* Functions of one range vector (a window of one series). */
typedef enum pqf_range_fn {
    PQF_RATE,
    PQF_INCREASE,
    PQF_DELTA,
    PQF_IRATE,
    PQF_IDELTA,
    PQF_DERIV,
    PQF_PREDICT_LINEAR,   /* params[0] = t (seconds ahead of eval_ts) */
    PQF_RESETS,
    PQF_CHANGES,
    PQF_HOLT_WINTERS,     /* params[0] = sf, params[1] = tf */
    PQF_AVG_OVER_TIME,
    PQF_MIN_OVER_TIME,
    PQF_MAX_OVER_TIME,
    PQF_SUM_OVER_TIME,
    PQF_COUNT_OVER_TIME,
    PQF_STDDEV_OVER_TIME,
    PQF_STDVAR_OVER_TIME,
    PQF_LAST_OVER_TIME,   /* the only one whose output keeps the metric name */
    PQF_PRESENT_OVER_TIME,
    PQF_QUANTILE_OVER_TIME, /* params[0] = q */
    PQF_RANGE_COUNT
} pqf_range_fn;

typedef struct pqf_window {
    const int64_t *ts;   /* ms */
    const double *v;
    size_t n;
    /* The window's bounds as Prometheus computes them for extrapolation:
     * range_start = eval time - range - offset, range_end = eval time -
     * offset (after @ is applied), in ms. rate divides by
     * range_end - range_start, i.e. the selector's range (as Go's
     * Duration.Seconds(), which differs in the last bit from ms / 1000.0
     * for some ranges). */
    int64_t range_start, range_end;
    /* The evaluation timestamp (ms) of this step: predict_linear's
     * intercept time. It is the step's time even when @ moves the window:
     * predict_linear(x[5m] @ 100, 0) evaluated at 1000 extrapolates the
     * line through [-200s, 100s] to 1000s. */
    int64_t eval_ts;
    /* Set by a caller that knows no sample of the window is below the one
     * before it (no counter reset): rate and increase then skip the scan
     * for resets, whose result would be the same. */
    bool no_resets;
    /* pqf_range_seconds(range_end - range_start) when the caller has it
     * (the same at every step); 0: computed here. */
    double range_secs;
} pqf_window;

/* A range in seconds as rate divides by it (Go's Duration.Seconds()). */
double pqf_range_seconds(int64_t ms);

/* The function's name as PromQL spells it ("rate", "quantile_over_time"). */
const char *pqf_range_name(pqf_range_fn f);
/* Looks a range function up by name; -1 when it is not one. */
int pqf_range_lookup(const char *name, size_t len);
/* Evaluates f over w with its scalar parameters. Returns 1 with *out set,
 * 0 when Prometheus produces no sample for this window (e.g. rate over
 * fewer than 2 samples), or ST_EINVAL with Prometheus's message in e for
 * invalid parameters (holt_winters' "invalid smoothing factor. Expected:
 * 0 < sf < 1, got: %f"), which the evaluator reports as an execution
 * error.
 *
 * What 2.42 does, function by function:
 * - rate, increase, delta: need 2 samples. Last minus first, plus (counters)
 *   each value followed by a smaller one; extrapolated to a window bound
 *   when the outermost sample is within 1.1 average intervals of it, else
 *   by half an average interval; a counter (first value >= 0, positive
 *   increase) is extrapolated back no further than its zero point.
 * - irate, idelta: the last two samples; irate after a drop takes the last
 *   value as the increase.
 * - deriv, predict_linear: need 2 samples; least squares with Kahan sums,
 *   x in seconds from the first sample (deriv) or eval_ts
 *   (predict_linear). All values equal: slope 0 and that value, or NaN for
 *   an infinite constant.
 * - resets, changes: from 1 sample; changes counts no change between two
 *   NaNs but does count NaN to number and back.
 * - holt_winters: its factors are checked before anything else (so a
 *   1-sample window still errors, but an empty one does not: it is never
 *   evaluated); NaN factors pass the check. Needs 2 samples. Go prints the
 *   factor with %f, infinities as "+Inf"/"-Inf".
 * - avg_over_time: Kahan-compensated incremental mean; an infinite mean
 *   stays as it is while the values are finite or the same infinity.
 *   sum_over_time: Kahan sum. stdvar/stddev_over_time: Welford with Kahan,
 *   population variance. min/max_over_time: NaN only when all are NaN.
 *   count, last, present (1): plain. quantile_over_time: pqf_quantile. */
int pqf_range(pqf_range_fn f, const pqf_window *w, const double *params, double *out,
              st_err *e);

/* Functions of one sample value (instant vector functions without label
 * handling): abs, ceil, floor, exp, sqrt, ln, log2, log10, sgn, round
 * (params[0] = to_nearest, default 1), clamp (min, max), clamp_min,
 * clamp_max, the trigonometric family (acos, acosh, asin, asinh, atan,
 * atanh, cos, cosh, sin, sinh, tan, tanh), deg, rad, and the date
 * functions (day_of_month, day_of_week, day_of_year, days_in_month, hour,
 * minute, month, year), which read v as unix seconds in UTC. */
typedef enum pqf_value_fn {
    PQF_ABS, PQF_CEIL, PQF_FLOOR, PQF_EXP, PQF_SQRT, PQF_LN, PQF_LOG2, PQF_LOG10, PQF_SGN,
    PQF_ROUND, PQF_CLAMP, PQF_CLAMP_MIN, PQF_CLAMP_MAX,
    PQF_ACOS, PQF_ACOSH, PQF_ASIN, PQF_ASINH, PQF_ATAN, PQF_ATANH, PQF_COS, PQF_COSH,
    PQF_SIN, PQF_SINH, PQF_TAN, PQF_TANH, PQF_DEG, PQF_RAD,
    PQF_DAY_OF_MONTH, PQF_DAY_OF_WEEK, PQF_DAY_OF_YEAR, PQF_DAYS_IN_MONTH, PQF_HOUR,
    PQF_MINUTE, PQF_MONTH, PQF_YEAR,
    PQF_VALUE_COUNT
} pqf_value_fn;

const char *pqf_value_name(pqf_value_fn f);
int pqf_value_lookup(const char *name, size_t len);
/* Returns 1 with *out set, or 0 when Prometheus drops the sample (clamp
 * with min > max drops every sample; a NaN bound drops nothing and gives
 * NaN). nparams is the number of scalar parameters the call gave (round
 * with none uses 1).
 *
 * As 2.42 computes them: round is floor(v * (1/to_nearest) + 0.5) /
 * (1/to_nearest), so ties go up (-2.5 -> -2). clamp, clamp_min and
 * clamp_max follow Go's math.Max/Min: an infinity in the right direction
 * beats NaN, otherwise NaN wins, and +0 > -0. sgn(NaN) is NaN, sgn(-0) is
 * -0. deg is v * 180 / pi, rad v * pi / 180. log2 and log10 are computed
 * as Go does, from the natural log (log2 exact for powers of two). sinh
 * and cosh overflow to Inf from |v| = 709.78, as Go's do. The date functions
 * truncate v to whole seconds as Go's int64(v) does on amd64: NaN, +-Inf
 * and |v| >= 2^63 become INT64_MIN, which Go's calendar wraps to
 * 292277026596-12-04 15:30:08 UTC (a Sunday). Called without an argument
 * (hour()), they read the step's time: pass eval_ms / 1000.0. */
int pqf_value(pqf_value_fn f, double v, const double *params, size_t nparams, double *out);

/* quantile(q, ...) and quantile_over_time: Prometheus's quantile with
 * linear interpolation between closest ranks; q < 0 gives -Inf, q > 1
 * +Inf, n = 0 or q NaN gives NaN. Sorts v in place, NaN values first
 * (below everything). The interpolation is v[lo] * (1 - w) + v[hi] * w,
 * so an infinity next to the rank gives NaN even when its weight is 0. */
double pqf_quantile(double q, double *v, size_t n);

/* One classic histogram bucket: upper bound (le) and cumulative count. */
typedef struct pqf_bucket {
    double le;
    double count;
} pqf_bucket;

/* histogram_quantile over the buckets of one group, as Prometheus 2.42's
 * bucketQuantile: sorts by le, merges buckets of equal le (coalesce),
 * forces monotonic counts, needs a +Inf bucket (NaN without), interpolates
 * linearly within the bucket (the lowest bucket from 0 when its bound is
 * positive). Reorders b in place.
 *
 * In 2.42's order: q NaN -> NaN, q < 0 -> -Inf, q > 1 -> +Inf (before the
 * buckets are looked at); no +Inf bucket -> NaN; fewer than 2 buckets
 * after merging -> NaN; total count 0 -> NaN. A rank in the +Inf bucket
 * gives the second-highest le; a rank in a lowest bucket whose le <= 0
 * gives that le. q = 0 with an empty lowest bucket gives NaN (0/0). The
 * sort is Go's insertion sort (what sort.Sort does for up to 12 items), so
 * pass the buckets in input-vector order: equal les (le="1" and "1.0")
 * then merge in that order. n = 0 gives NaN, but Prometheus outputs
 * nothing for a group without buckets.
 *
 * The evaluator's part: a bucket's le is parsed with Go's
 * strconv.ParseFloat and the sample skipped when that fails; groups are
 * keyed by all labels except le (the metric name included), and the output
 * drops le and __name__. */
double pqf_bucket_quantile(double q, pqf_bucket *b, size_t n);

/* Incremental aggregates as Prometheus 2.42's aggregation() does them, so
 * that avg/stddev/stdvar agree in the last bits. Values are added in the
 * order of the input vector (label order for a selector).
 *
 * avg: the group's first value seeds {value = v, count = 1} (either set it
 * so or call pqf_agg_avg_add on a zeroed struct: the same); every later
 * value goes through pqf_agg_avg_add, which adds v/count - mean/count, and
 * leaves an infinite mean alone while the values are finite or the same
 * infinity. The result is a.value.
 * stdvar/stddev: start zeroed and pqf_agg_stdvar_add every value, the
 * first included: the first seeds mean = v, value = 0, count = 1 as 2.42
 * does (running the update from zero instead would turn a first Inf into
 * NaN; in 2.42 a lone Inf or NaN has variance 0). Population variance.
 *
 * The rest need no helper but must match 2.42 too: sum is a plain
 * `sum += v` from the first value (no Kahan in aggregations in 2.42,
 * unlike sum_over_time); min/max start from the first value and take v
 * when v < cur (v > cur) or cur is NaN, so NaN only when all are NaN;
 * count counts; group gives 1; quantile is pqf_quantile over the group's
 * values. */
/* min_over_time/max_over_time of n >= 1 values: NaN only when all are
 * NaN (then the last of them). */
double pqf_extreme(const double *v, size_t n, bool max);

typedef struct pqf_agg {
    double value;   /* sum, or running mean for avg */
    double mean;    /* stddev/stdvar running mean */
    double count;
} pqf_agg;
void pqf_agg_avg_add(pqf_agg *a, double v);    /* {v, 0, 1} on the first value, or zeroed */
void pqf_agg_stdvar_add(pqf_agg *a, double v); /* starts zeroed; the first value seeds */
double pqf_agg_stdvar(const pqf_agg *a);
double pqf_agg_stddev(const pqf_agg *a);

#endif
