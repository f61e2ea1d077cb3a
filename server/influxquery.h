/* influxquery: GET|POST /query, InfluxDB 1.x's query endpoint, for the
 * statements clients send before any data query: databases and retention
 * policies (one per database: Strata's retention), schema exploration
 * (measurements, tag keys and values, field keys with types, series),
 * deletion (DROP SERIES, DROP MEASUREMENT, DELETE), SELECT (evaluated by
 * engine/influxql/select.h; SELECT INTO writes through the store) and
 * continuous queries (kept in the catalog, run by server/cq.h). Statements
 * are parsed by engine/influxql/influxql.h.
 *
 * How the store maps onto InfluxDB's model (../shared/DESIGN.md): a series
 * named N with table length L belongs to measurement N[0..L); its field is
 * N[L+1..] or "value" when L == len(N) (remote_write series, line protocol
 * field "value"); its tags are its labels other than __name__; its field
 * type is the series' value type.
 *
 * Answers follow InfluxDB 1.x: HTTP 200 with one result per statement
 * ({"statement_id":i,...}, an "error" member when that statement failed);
 * 400 {"error":"error parsing query: ..."} when the query does not parse or
 * q is missing; chunked=true writes one {"results":[...]} line per
 * statement. Statements that change data (CREATE, DROP, ALTER, DELETE) run on
 * GET too, with InfluxDB 1.x's "deprecated use ... please use a POST request"
 * warning in the result's messages.
 */
#ifndef ST_SERVER_INFLUXQUERY_H
#define ST_SERVER_INFLUXQUERY_H

#include "flags.h"
#include "api.h"
#include "store.h"

void api_influx_query(api_server *sv, http_req *rq, http_resp *rs);

/* Continuous queries: whether a parsed SELECT may be one (INTO and GROUP BY
 * time() required), and one run of it over [mint, maxt] (ns) in database
 * db, written through the store; *written = points written. */
typedef struct iql_stmt iql_stmt;
int influx_cq_check(const iql_stmt *cq, st_err *e);
int influx_cq_run(store *s, const char *db, const iql_stmt *cq, int64_t mint, int64_t maxt, uint64_t *written,
                  st_err *e);

#endif
