/* prw (server side): POST /api/v1/write, the Prometheus remote_write
 * receiver (1.0 and 2.0), and the process-wide series cache it uses.
 *
 * Route: `POST /api/v1/write` (and `/db/NAME/api/v1/write`, ?db=) ->
 * api_prw_write(server, rq, rs). It answers:
 *   204  everything written (2.0: with the X-Prometheus-Remote-Write-*-Written
 *        headers); also metadata-only requests
 *   400  undecodable body (nothing written), or some series/samples rejected
 *        (invalid labels, over --max-labels-per-series, --max-label-name-length
 *        or --max-label-value-length, timestamps out of range, type
 *        conflicts): the valid
 *        ones are written and the message names the first bad series
 *   405  not POST/PUT
 *   413  decompressed body over --max-decoded-size, or more series than
 *        --max-series-per-request (nothing written)
 *   415  Content-Type or Content-Encoding not supported
 *   429  a limit (--max-series, head memory), with Retry-After
 *   5xx  storage failure: nothing acknowledged, the sender retries
 * Exemplars and native histograms are not stored yet: 1.0 requests are
 * accepted with them counted as dropped; 2.0 requests (where a 2xx must mean
 * everything was written) get a 400 after the samples are written, with
 * accurate *-Written headers.
 */
#ifndef ST_SERVER_PRW_H
#define ST_SERVER_PRW_H

#include "flags.h"
#include "api.h"
#include "store.h"

void api_prw_write(api_server *sv, http_req *rq, http_resp *rs);

/* Counters since start, for /metrics (all monotonic). */
typedef struct prw_stats {
    uint64_t requests_v1, requests_v2;
    uint64_t requests_rejected;     /* answered 4xx/5xx */
    uint64_t samples_received;      /* decoded */
    uint64_t samples_written;       /* accepted by the store */
    uint64_t series_rejected;       /* invalid labels or timestamps, or over a limit (400) */
    uint64_t series_over_limit;     /* of which over --max-labels-per-series or a length limit */
    uint64_t exemplars_dropped;     /* not stored: unsupported yet */
    uint64_t histograms_dropped;    /* native histograms: unsupported yet */
    uint64_t metadata_received;     /* MetricMetadata entries (kept by metadata.c) */
    uint64_t cache_hits, cache_misses, cache_entries, cache_bytes;
} prw_stats;

void prw_get_stats(prw_stats *out);

/* Bound on the series cache's memory (default 128 MiB). Past it, the oldest
 * generation is dropped; entries in use move to the new one. */
void prw_cache_set_limit(uint64_t bytes);

#endif
