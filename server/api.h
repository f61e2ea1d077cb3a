/* api: Strata's HTTP endpoints and the routing between them.
 *
 * The server's process-wide state (the store, the flags, request counters)
 * lives here, set once by api_init before the HTTP threads start.
 */
#ifndef ST_API_H
#define ST_API_H

#include "flags.h"
#include "http.h"
#include "pool.h"
#include "store.h"

void api_init(store *s, const flags *f);
void api_handle(http_req *rq, http_resp *rs);
bool api_body_is_data(const char *path);
/* http_opts.too_large: InfluxDB's error bodies for its write paths. */
void api_too_large(http_req *rq, http_resp *rs, uint64_t max_body);
/* Set when the process must stop (an fsync failed: see wal.h). */
bool api_fatal(void);
void api_set_ready(bool ready);

/* The server's log (stderr): "TIME LEVEL message"; levels debug, info,
 * warn, error; below the level set, nothing. ctx is unused (it fits
 * store_opts.log). */
void api_log(void *ctx, const char *level, const char *msg);
void api_set_log_level(int level);

/* What a client is told of an engine error: the message itself, except for
 * storage failures (disk full, I/O, corruption, fatal), whose messages name
 * files under the data directory: those are logged, and the client gets
 * the kind of failure only. Every error body goes through it. */
const char *api_client_message(int code, const char *msg);

/* Prometheus-style error body and status for an engine error code. */
void api_error(http_resp *rs, int code, const char *msg);
int api_status_of(int code);
const char *api_error_type(int code);

/* Resolves the request's database for a write: creates it when missing and
 * --auto-create-db is on. Returns 0 or fills rs with the error. */
int api_db_for_write(http_req *rq, http_resp *rs);

/* The helpers PromQL queries borrow threads from (pool.h); NULL: none. */
void api_set_query_pool(pool *p);
pool *api_query_pool(void);

/* PromQL queries answered, by outcome (success, bad_data, execution,
 * timeout, canceled, internal), and the time spent evaluating them. */
void api_promql_stats(uint64_t by_result[6], uint64_t *ns);

/* Endpoints in other files. */
void api_metrics(http_req *rq, http_resp *rs, store *s);
void api_export(http_req *rq, http_resp *rs, store *s);
void api_import(http_req *rq, http_resp *rs, store *s, uint64_t max_decoded);
void api_prom_series(http_req *rq, http_resp *rs, store *s);
void api_prom_query(http_req *rq, http_resp *rs, store *s, const flags *f);
void api_prom_query_range(http_req *rq, http_resp *rs, store *s, const flags *f);
void api_prom_query_exemplars(http_req *rq, http_resp *rs);
void api_prom_labels(http_req *rq, http_resp *rs, store *s);
void api_prom_tsdb_status(http_req *rq, http_resp *rs, store *s);
void api_prom_label_values(http_req *rq, http_resp *rs, store *s, const char *name);

#endif
