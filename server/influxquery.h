/* influxquery: GET|POST /query, InfluxDB 1.x's query endpoint, for the
 * statements clients send before any data query: databases and retention
 * policies (one per database: Strata's retention), schema exploration
 * (measurements, tag keys and values, field keys with types, series) and
 * deletion (DROP SERIES, DROP MEASUREMENT, DELETE). Statements are parsed by
 * engine/influxql/influxql.h; SELECT answers a per-statement error until the query
 * language issue lands.
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
#include "http.h"
#include "store.h"

void api_influx_query(http_req *rq, http_resp *rs, store *s, const flags *f);

#endif
