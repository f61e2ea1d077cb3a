/* timestream: Amazon Timestream's own API (awsJson 1.0) on the main
 * listener, so that code written against the AWS SDKs' timestream-write
 * and timestream-query clients works against Strata by changing one
 * endpoint.
 *
 * Every call is POST / with X-Amz-Target: Timestream_20181101.<Operation>
 * and a JSON body; one dispatcher serves the write and the query
 * operations (they share the target prefix and the signing name). With
 * --auth on, requests are SigV4-signed with a Strata access key (CREATE
 * ACCESS KEY FOR user: the key id is the user name) and verified like
 * every other front's credentials (api.c); each operation then checks the
 * caller's grant on its database before doing anything, and a refusal is
 * the same AccessDeniedException whether or not the database exists.
 *
 * The data model (how records become series, and how SQL shows them) is in
 * server/tswrite.c's header comment and engine/sql/README.md. Timestream's
 * databases are Strata databases; its tables are Strata's SQL tables, with
 * their Timestream properties (retention, magnetic store writes, tags,
 * creation time) kept as catalog objects (store_obj_*) beside them.
 *
 * Answers: 200 with application/x-amz-json-1.0 and x-amzn-RequestId; errors
 * {"__type": "com.amazonaws.timestream.v20181101#<Code>", "message": ...}
 * with Timestream's statuses (400 validation, 403 access, 404 not found,
 * 409 conflict, 419 rejected records, 429 throttling so that SDKs retry,
 * 500 internal).
 */
#ifndef ST_TIMESTREAM_H
#define ST_TIMESTREAM_H

#include "api.h"

typedef struct ts_state ts_state;

/* What the front keeps between requests (open queries, measure types,
 * series keys); max_queries: open queries at most
 * (--timestream-max-queries); cache_bytes: the series keys' memory
 * (--timestream-cache-size). */
ts_state *ts_state_new(unsigned max_queries, uint64_t cache_bytes);
void ts_state_free(ts_state *t);

void api_timestream(api_server *sv, http_req *rq, http_resp *rs);

/* Per-table retention: deletes the samples of each Timestream table older
 * than its memory plus magnetic retention, where its database's own
 * retention (per database: blocks dropped whole) keeps them longer. Run
 * by the scheduler's thread about hourly; reads see the deletes at once. */
void ts_retention_sweep(api_server *sv, int64_t now_ns);

/* Scheduled queries (tssched.c): the thread that runs them on their
 * schedules, started once the server serves and stopped (waiting for a
 * run under way) before it goes. */
int ts_sched_start(api_server *sv, st_err *e);
void ts_sched_stop(api_server *sv);
void api_timestream_metrics(api_server *sv, st_buf *b);

#endif
