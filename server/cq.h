/* cq: runs InfluxQL continuous queries, on InfluxDB 1.x's schedule, in a
 * thread of their own (a run writes through the store like any client, so
 * writes never wait for it).
 *
 * A query is "CREATE CONTINUOUS QUERY name ON db [RESAMPLE [EVERY e] [FOR f]]
 * BEGIN SELECT ... INTO ... GROUP BY time(i) ... END", kept in the catalog.
 * It runs at every multiple of e (default i) since the epoch, over the
 * buckets of i from (run time - f) (default i) to the run time, both cut
 * down to the bucket grid: the intervals completed since, recomputed as
 * long as they are within f. At start and whenever a query is created, the
 * current window runs at once, so the intervals a downtime missed are run
 * as far as f reaches back. An interval without points writes nothing
 * (count() included: not a 0).
 *
 * Runs, failures (logged), points written and time spent are counted for
 * /metrics. One thread; queries run one after another.
 */
#ifndef ST_SERVER_CQ_H
#define ST_SERVER_CQ_H

#include "store.h"

typedef struct cq_stats {
    uint64_t queries; /* continuous queries known */
    uint64_t runs, failures, points;
    uint64_t run_ns;
} cq_stats;

/* Starts the runner over s (until cq_stop). 0 or an error code. */
int cq_start(store *s, st_err *e);
/* Stops the runner, waiting for a run under way to finish. */
void cq_stop(void);
void cq_get_stats(cq_stats *out);

#endif
