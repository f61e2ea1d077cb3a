/* influx: the InfluxDB write endpoints, line protocol into the store.
 *
 *   POST /write?db=&rp=&precision=&consistency=&u=&p=      (InfluxDB 1.x)
 *   POST /api/v2/write?bucket=&org=&orgID=&precision=      (InfluxDB 2.x)
 *
 * Line protocol maps to series as /api/v1/import maps it (one mapping,
 * wire/export.h import_line_ex, in InfluxDB mode): `cpu,host=a u=1` is
 * series cpu_u{host="a"}, table cpu, column u; a field named value is the
 * series named after the measurement. Values keep their type.
 *
 * Answers (1.x bodies {"error":"..."}; 2.x {"code":"...","message":"..."}):
 *   204  every line stored (also an empty body or only comments)
 *   400  1.x without db ("database is required"); 2.x without bucket; a bad
 *        precision or consistency; a database name Strata refuses; a corrupt
 *        gzip body. Bad lines: the good ones are stored and the answer is
 *        "partial write: <reasons> dropped=N", or, when no line could be
 *        used at all, "<reasons>" alone, as InfluxDB answers. A reason is
 *        InfluxDB's ("unable to parse '<line>': missing fields", "field type
 *        conflict: input field ... is type X, already exists as type Y",
 *        "invalid tag key: input tag \"time\" ...") followed by " (line N)";
 *        up to 10 of them, joined by newlines, then the store's first
 *        refusal. dropped = refused lines + field values the store refused.
 *   404  unknown database with --auto-create-db=false (database not found)
 *   405  not POST
 *   413  decompressed body over --max-decoded-size ("Request Entity Too
 *        Large: ..."); a body over --max-body-size is refused by http.c
 *        before it gets here (413, plain text)
 *   415  Content-Encoding other than gzip or identity
 *   429  (2.x) a store limit (--max-series, head memory), Retry-After
 *   503  (1.x) the same limits, Retry-After: 1.x Telegraf drops a batch on
 *        any 4xx and retries 5xx. The body then names the limit only, never
 *        "partial write" or "unable to parse", which Telegraf also drops.
 *   5xx  storage failure (disk full 503, I/O 500): not acknowledged.
 * Every answer carries X-Influxdb-Version and X-Influxdb-Build; 1.x errors
 * also X-Influxdb-Error (cut to the header's size).
 *
 * Invariant: a 204 means every line's values are durable per --wal-fsync;
 * a 400 means every line not refused is; a 429 or 5xx asks for the whole
 * request again (part of it may be stored: re-sent values are no-ops).
 */
#ifndef ST_SERVER_INFLUX_H
#define ST_SERVER_INFLUX_H

#include "export.h"
#include "flags.h"
#include "api.h"
#include "store.h"

/* The InfluxDB version Strata answers as (/ping, the write endpoints). */
#define INFLUX_COMPAT_VERSION "1.8.10"

typedef enum influx_api { INFLUX_V1 = 0, INFLUX_V2 = 1 } influx_api;

void api_influx_write(api_server *sv, http_req *rq, http_resp *rs, influx_api api);
/* The 413 for a body over --max-body-size, in the API's error format. */
void influx_too_large(http_resp *rs, influx_api api, uint64_t max_body);
/* InfluxDB's error answer: {"error":...} and X-Influxdb-Error (1.x), or
 * {"code":...,"message":...} (2.x), with Go's JSON escaping. */
void influx_error(http_resp *rs, influx_api api, int status, const char *msg);

/* Counters since start, for /metrics (all monotonic). */
typedef struct influx_stats {
    uint64_t requests[2];        /* by influx_api */
    uint64_t requests_failed[2]; /* answered other than 2xx */
    uint64_t bytes;              /* body bytes, after decompression */
    uint64_t lines;              /* points, good and bad (not blank lines or comments) */
    uint64_t lines_rejected[IMPORT_REJ_N]; /* by import_reject */
    uint64_t samples_written;    /* field values stored */
    uint64_t samples_rejected;   /* field values the store refused (its reasons:
                                  * strata_samples_rejected_total) */
    uint64_t cache_hits, cache_misses;   /* series cache lookups */
    uint64_t cache_entries, cache_bytes; /* its size now */
} influx_stats;

void influx_get_stats(influx_stats *out);

/* Bound on the line protocol series cache's memory (default 256 MiB): a
 * generation holds half of it and should hold every series still written. */
void influx_cache_set_limit(uint64_t bytes);

#endif
