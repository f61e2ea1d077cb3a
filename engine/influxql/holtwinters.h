/* holtwinters: InfluxQL's holt_winters() and holt_winters_with_fit() as
 * InfluxDB 1.x computes them, digit for digit: the damped Holt-Winters
 * method (multiplicative seasons), its parameters fitted by a Nelder-Mead
 * simplex started from a grid of 16 guesses.
 *
 * The points are the non-null buckets of a GROUP BY time(interval), in
 * time order. Their times are rounded to the nearest multiple of the
 * interval; a bucket whose rounded time repeats an earlier one is dropped,
 * a missing one is a gap (not fitted, still forecast through).
 *
 * Pure computation: no allocation survives a call, nothing is shared.
 */
#ifndef ST_IQL_HOLTWINTERS_H
#define ST_IQL_HOLTWINTERS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* The most rows iql_hw_forecast writes for these n point times: h
 * forecasts, and with_fit a fitted value for every bucket from the first
 * point to the last (gaps included) too. */
size_t iql_hw_rows(const int64_t *t, size_t n, int64_t interval, int64_t h, bool with_fit);

/* Forecasts h buckets after the last point (times last + interval,
 * last + 2 x interval, ...) from the n points (t[i], y[i]); season length
 * m (under 2: no season); with_fit also the fitted values, at the first
 * point's time + k x interval. Writes the rows into ot/oy (room for
 * iql_hw_rows()) and returns how many; none with under 2 points, fewer
 * points than a season, or all points in one bucket. A value that comes
 * out NaN gives no row. */
size_t iql_hw_forecast(const int64_t *t, const double *y, size_t n, int64_t interval, int64_t h, int64_t m,
                       bool with_fit, int64_t *ot, double *oy);

#endif
