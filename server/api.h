/* api: Strata's HTTP endpoints and the routing between them.
 *
 * One server context (api_server) holds what the endpoints share: the
 * store, the flags, the query helpers, readiness. main makes it before the
 * HTTP threads start and frees it after they stop; every handler gets it.
 *
 * Routing is one table (api.c): each route names its path, the methods it
 * takes, its access class (public, read, write, admin) and where the
 * databases it touches come from, so that access is decided in one place
 * before any handler runs, never inside handlers: with --auth on, a
 * route's caller is authenticated (auth.h) and its privilege on the
 * request's database checked before the handler; routes whose databases
 * come from their statements (InfluxQL, SQL) have their handler ask
 * api_may for each one after parsing and before running any. A request
 * naming two databases for one (/db/A/ with ?db=B, or db=A&db=B) is a 400.
 */
#ifndef ST_API_H
#define ST_API_H

#include <stdatomic.h>

#include "auth.h"
#include "flags.h"
#include "http.h"
#include "pool.h"
#include "store.h"

typedef struct api_server {
    store *s;
    const flags *f;
    pool *pool;            /* helpers queries borrow threads from (pool.h); NULL: none */
    _Atomic bool ready;    /* /-/ready: set once serving, cleared when stopping */
    auth *auth;            /* users and their privileges; enforced when auth_enabled */
    crypto *keys;          /* encryption at rest, for /metrics; NULL: off */
    const vfs *sealed;     /* the encrypting vfs, for /metrics */
    struct ts_state *ts;   /* Timestream's open queries and measure types (timestream.h) */
} api_server;

/* The context for a store, its flags and its users (all outlive it). */
api_server *api_server_new(store *s, const flags *f, pool *query_pool, auth *a);
void api_server_free(api_server *sv);

/* http_opts' handler, body_is_data and too_large; ctx is the api_server. */
void api_handle(void *ctx, http_req *rq, http_resp *rs);
bool api_body_is_data(void *ctx, const char *path);
void api_too_large(void *ctx, http_req *rq, http_resp *rs, uint64_t max_body);

/* Whether the storage failed (store_failed): the server then stops. */
bool api_failed(const api_server *sv);

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

/* Whether rq's caller has priv (on db, for READ and WRITE): always with
 * auth off. A refusal is counted under front; the handler answers it (a
 * 403 in its protocol's words, before running anything). */
bool api_may(api_server *sv, const http_req *rq, auth_front front, const char *db, auth_priv priv);
/* Whether rq came from the server's own host. */
bool api_peer_is_loopback(const http_req *rq);

/* Whether rq's caller may read db, for listings (SHOW DATABASES): nothing
 * counted. */
bool api_sees(api_server *sv, const http_req *rq, const char *db);

/* Resolves the request's database for a write: creates it when missing and
 * --auto-create-db is on. Returns 0 or fills rs with the error. */
int api_db_for_write(api_server *sv, http_req *rq, http_resp *rs);

/* PromQL queries answered, by outcome (success, bad_data, execution,
 * timeout, canceled, internal), and the time spent evaluating them. */
void api_promql_stats(uint64_t by_result[6], uint64_t *ns);

/* Endpoints in other files: every handler takes the server context. */
void api_metrics(api_server *sv, http_req *rq, http_resp *rs);
void api_export(api_server *sv, http_req *rq, http_resp *rs);
void api_import(api_server *sv, http_req *rq, http_resp *rs);
void api_prom_series(api_server *sv, http_req *rq, http_resp *rs);
void api_prom_query(api_server *sv, http_req *rq, http_resp *rs);
void api_prom_query_range(api_server *sv, http_req *rq, http_resp *rs);
void api_prom_query_exemplars(api_server *sv, http_req *rq, http_resp *rs);
void api_prom_labels(api_server *sv, http_req *rq, http_resp *rs);
void api_prom_tsdb_status(api_server *sv, http_req *rq, http_resp *rs);
/* GET /api/v1/label/NAME/values (NAME taken from rq->path) */
void api_prom_label_values(api_server *sv, http_req *rq, http_resp *rs);

#endif
