/* prr (server side): POST /api/v1/read, Prometheus remote_read, and its
 * counters. Wire formats: wire/prr.h.
 *
 * Route: `POST /api/v1/read` (and `/db/NAME/api/v1/read`, ?db=) ->
 * api_prr_read(server, rq, rs). It answers as Prometheus 2.42 does:
 *   200  SAMPLES (snappy ReadResponse) or STREAMED_XOR_CHUNKS (frames), the
 *        first type of the client's list that is supported, SAMPLES when
 *        the list is empty; one result per query, in the queries' order;
 *        an unknown database gives empty results
 *   400  body that is not snappy or not a ReadRequest, more than
 *        PRR_MAX_QUERIES queries or PRR_MAX_MATCHERS matchers in one, no
 *        supported response type, a bad matcher (regex, type), a read (all
 *        its queries, either type) over --remote-read-sample-limit
 *        ("exceeded sample limit (N)"; Prometheus counts per query of a
 *        SAMPLES read, but per query a request repeating one query would
 *        multiply its answer)
 *   405  not POST
 *   413  decompressed body over --max-decoded-size
 *   503  (with Retry-After) --remote-read-concurrency reads kept this one
 *        waiting longer than --http-timeout, or reads already hold half the
 *        HTTP threads, running or waiting (a read holds its thread and the
 *        connections it serves; the other half stays free for writes and
 *        health checks); at most that half run at once, whatever the flag
 *   5xx  storage failure
 * Headers are not negotiated: like Prometheus, any Content-Type is read as
 * a snappy-compressed protobuf; when that fails under a Content-Type or
 * Content-Encoding other than protobuf/snappy, the message says so.
 *
 * Invariants: every series is answered in Prometheus's order
 * (labels_key_compare) with its labels sorted by name, string series are
 * left out, timestamps are milliseconds (of two samples in one millisecond
 * the later one is answered), values go bit for bit. At most
 * --remote-read-concurrency reads run at once, each from its decode until
 * its answer is produced; more wait. A streamed answer is produced
 * completely (the store's view released) before its first byte is sent,
 * in memory up to a bound and in an unnamed temporary file in the data
 * directory beyond it, so an answer of any size takes bounded memory.
 * Unlike Prometheus, whose gate stays taken while the client reads, a slow
 * client holds no turn and no lock: here a waiting read holds an HTTP
 * thread, and a turn held by a slow client could starve the server, or
 * deadlock with a waiter on the thread that serves that client. All the
 * streamed answers being sent keep at most 64 MiB in memory together; the
 * others wait in their files. A SAMPLES answer is built whole in memory (it
 * is one snappy block), bounded by the sample limit.
 */
#ifndef ST_SERVER_PRR_H
#define ST_SERVER_PRR_H

#include "flags.h"
#include "api.h"
#include "store.h"

void api_prr_read(api_server *sv, http_req *rq, http_resp *rs);

/* Counters since start, for /metrics (monotonic but for in_flight). */
typedef struct prr_stats {
    uint64_t requests_samples, requests_streamed;
    uint64_t requests_rejected;   /* answered 4xx/5xx */
    uint64_t queries;             /* queries answered */
    uint64_t series, samples;     /* returned */
    uint64_t frames, chunks;      /* streamed */
    uint64_t spilled;             /* streamed responses that went to a temporary file */
    uint64_t in_flight;           /* reads running their queries or waiting for a turn, now */
    uint64_t streams;             /* streamed answers being sent, now */
} prr_stats;

void prr_get_stats(prr_stats *out);

#endif
