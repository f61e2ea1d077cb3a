/* sqlapi: GET|POST /api/v3/query_sql, SQL (Timestream's dialect, issue 11)
 * over HTTP in InfluxDB 3's shape.
 *
 * Parameters db, q, format (json, jsonl, csv, pretty; default json) and
 * params come from the query string, a form-encoded POST body, or a JSON
 * POST body {"db": ..., "q": ..., "format": ..., "params": {...} | [...]}
 * (values of the JSON body win over the query string's). A missing db is
 * allowed: the query must then qualify its tables (db.table). params binds
 * ? placeholders in order (an object: its values in the order of its keys).
 *
 * Answers:
 *  - json: [{"col":v,...},...]; jsonl: one object a line. Keys in the
 *    column order; a NULL cell is left out of its object; timestamps as
 *    RFC 3339 with nanoseconds ("2020-06-05T15:15:51.000000000Z"); bigint
 *    exact; doubles as JSON numbers, NaN and +-Infinity (which JSON cannot
 *    write) as null present in the object, as InfluxDB 3's JSON writer
 *    does; booleans true/false; varchar escaped; dates and intervals as
 *    strings of Trino's text.
 *  - csv: a header line of column names, then the rows (RFC 4180 quoting,
 *    NULL as an empty field, values as Trino prints them, timestamps RFC
 *    3339). pretty: the ASCII table InfluxDB 3's CLI prints; it must know
 *    every width first, so it holds the whole answer, at most 100,000 rows
 *    (or --sql-max-rows if lower; 422 past it).
 *  - json, jsonl and csv stream: the first rows (up to 64 KB of text) are
 *    produced before the status is sent, so most errors still get their
 *    status; after that rows go out as the client reads them, and an error
 *    then ends the answer with a last line {"error":"..."} and a transfer
 *    cut short (no terminating chunk: clients report a truncated body).
 *
 * Errors: a JSON body {"error":"...", ...}: 400 for what the query got
 * wrong (with "line" and "column" for a parse error), 404 for a db
 * parameter naming no database, 422 for a row or sample budget
 * (--sql-max-rows, --sql-max-result-rows, --query-max-samples), 503 for
 * --query-timeout or a client gone, 500 otherwise.
 */
#ifndef ST_SQLAPI_H
#define ST_SQLAPI_H

#include "flags.h"
#include "api.h"
#include "store.h"

void api_sql_query(api_server *sv, http_req *rq, http_resp *rs);
/* A double as Java's Double.toString writes it (Trino's and Timestream's
 * text: 35.0, 0.001, 1.0E7), without printf: answers of many doubles
 * spend their time here. */
void sqlapi_put_double(st_buf *b, double d);

/* Queries answered, by outcome (success, bad_data, execution, timeout,
 * canceled, internal), and the time spent on them, for /metrics: appended
 * to b in Prometheus text format. */
void api_sql_metrics(st_buf *b);

#endif
