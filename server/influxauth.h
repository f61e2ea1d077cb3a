/* influxauth: InfluxQL's statements about users, grants and API tokens
 * (CREATE USER, GRANT, SHOW USERS, CREATE TOKEN ...), and the access
 * check of a /query request.
 *
 * The check runs after a request's statements parse and before any runs:
 * every database each statement touches (influxql/access.h) is checked
 * against the caller's privileges, and one refusal refuses the whole
 * request (a 403 in InfluxDB's words), so a request never half runs. With
 * --auth on and no admin yet, a caller without credentials from the
 * server's own host may run CREATE USER ... WITH ALL PRIVILEGES and
 * nothing else (api.c lets only such requests through).
 *
 * CREATE DATABASE is the server admin's, or a user's with WRITE on that
 * name (as a write would create it). The last admin cannot be dropped or
 * lose ALL PRIVILEGES: nobody could manage users after. With --auth off,
 * users, grants, tokens and keys are managed from loopback only (they
 * outlive the switch). With auth on, a request a browser marks as
 * cross-site (Sec-Fetch-Site) may not change anything: browsers replay
 * cached Basic credentials for any page.
 */
#ifndef ST_INFLUXAUTH_H
#define ST_INFLUXAUTH_H

#include "api.h"
#include "influxql/influxql.h"

/* 0 when every statement may run for rq's caller (def: the request's
 * database, NULL when none); else InfluxDB's 403 in rs. */
int influxauth_check(api_server *sv, http_req *rq, const iql_stmt *stmts, size_t n, const char *def,
                     http_resp *rs);

/* t with whatever follows a PASSWORD keyword replaced by [REDACTED]: the
 * form any statement text takes in an answer or a log. */
st_slice influxauth_redacted(st_arena *a, st_slice t);

/* Runs st: its "series" member into b (nothing for a change), or an
 * error in e. */
int influxauth_exec(api_server *sv, const http_req *rq, const iql_stmt *st, st_buf *b, st_err *e);

#endif
