/* eval: PromQL evaluation over the store, as Prometheus 2.42 evaluates it.
 *
 * promql_exec evaluates a parsed, type-checked query (promql.h) over one
 * database at one time (an instant query) or at every step of [start,
 * end] (a range query), reading through the query layer (scan.h). The
 * answer is what Prometheus's engine returns: for an instant query a
 * scalar, a string, an instant vector (series in evaluation order) or a
 * range vector; for a range query a matrix sorted by labels.
 *
 * Semantics followed exactly (promql/engine.go of 2.42): the lookback
 * delta and staleness markers of instant selectors, closed windows
 * [t - range, t] of range selectors, subquery step alignment, offset and
 * @ (evaluation of step-invariant parts once, at the start), the
 * extrapolation of rate/increase/delta (funcs.h), label dropping, vector
 * matching with its error messages, aggregation arithmetic in input order.
 * Timestamps are milliseconds: of two stored samples in one millisecond
 * the later written shows.
 *
 * Resources: the query's samples are charged to the budget (scan.h), so
 * its deadline, sample limit and cancellation stop the evaluation with
 * Prometheus's error texts; independent series are read and evaluated on
 * several threads. The result lives until promql_result_free.
 */
#ifndef ST_PROMQL_EVAL_H
#define ST_PROMQL_EVAL_H

#include "promql.h"
#include "scan.h"

typedef struct promql_opts {
    int64_t lookback_ms;      /* instant selectors look back this far (0 = 5m) */
    int64_t subquery_step_ms; /* resolution of subqueries without a step (0 = 1m) */
    unsigned threads;         /* for independent series (0 = online cores) */
    struct pool *pool;        /* helpers for them (pool.h); NULL: threads made per query */
    bool step_stats;          /* count the samples read at each step (stats=all) */
} promql_opts;

typedef struct promql_series {
    const label *labels;      /* sorted by name */
    size_t nlabels;
    const int64_t *t;         /* ms */
    const double *v;
    size_t n;                 /* 1 for an instant vector */
} promql_series;

typedef struct promql_result {
    promql_type type;         /* SCALAR, STRING, VECTOR or MATRIX */
    int64_t t;                /* scalar, string, vector: the evaluation time (range: the start) */
    int64_t step;             /* ms between steps */
    double scalar;
    st_slice string;
    promql_series *series;
    size_t nseries;
    /* With promql_opts.step_stats: the samples selectors and range
     * functions read at each step of the query (Prometheus's
     * totalQueryableSamplesPerStep; a subquery's inner steps are not
     * counted), and their sum. */
    const uint64_t *step_samples;
    size_t nsteps;
    uint64_t total_samples;
    void *priv;               /* the memory behind all of it */
} promql_result;

/* Instant query: step_ms = 0 and start_ms = end_ms. A range query of an
 * expression that is not a scalar or an instant vector is ST_EINVAL with
 * Prometheus's message. Errors: ST_EINVAL for what Prometheus calls
 * bad_data, ST_ECONFLICT for execution errors (many-to-many matching,
 * duplicate label sets, invalid function arguments), and the budget's
 * codes (ST_ETIMEOUT, ST_ELIMIT, ST_ECANCELED), each with Prometheus's
 * words. */
int promql_exec(store *s, const char *db, promql_node *root, int64_t start_ms, int64_t end_ms,
                int64_t step_ms, const promql_opts *o, scan_budget *budget, promql_result *out,
                st_err *e);
void promql_result_free(promql_result *r);

#endif
