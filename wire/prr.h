/* prr: Prometheus remote_read on the wire: the ReadRequest decoder, the
 * SAMPLES response encoder, the STREAMED_XOR_CHUNKS frames and the XOR
 * (Gorilla) chunk codec, each with the inverse the tests and the fuzzer use.
 *
 * Formats (../shared/research/protocols.md 1.3 and 2):
 *  - ReadRequest { repeated Query queries = 1; repeated ResponseType
 *    accepted_response_types = 2 (packed or not); }, Query { int64
 *    start_timestamp_ms = 1; int64 end_timestamp_ms = 2; repeated
 *    LabelMatcher matchers = 3; ReadHints hints = 4; }, LabelMatcher { Type
 *    type = 1; string name = 2; string value = 3; }.
 *  - ReadResponse { repeated QueryResult results = 1; }, QueryResult {
 *    repeated TimeSeries timeseries = 1; }, TimeSeries { Label labels = 1;
 *    Sample samples = 2; }, Sample { double value = 1; int64 timestamp = 2; }.
 *  - A frame: uvarint(len(data)) | CRC-32C(data) big-endian | data, where
 *    data is ChunkedReadResponse { repeated ChunkedSeries chunked_series = 1;
 *    int64 query_index = 2; }, ChunkedSeries { Label labels = 1; Chunk
 *    chunks = 2; }, Chunk { int64 min_time_ms = 1; int64 max_time_ms = 2;
 *    Encoding type = 3 (XOR = 1); bytes data = 4; }.
 *  - An XOR chunk: u16 big-endian sample count; first timestamp as a signed
 *    (zig-zag) varint and first value as 64 raw bits; second timestamp as
 *    the uvarint of its delta; then per sample the delta-of-delta in one of
 *    five buckets ('0'; '10'+14 bits; '110'+17; '1110'+20; '1111'+64) and the
 *    value XORed with the previous one ('0' equal; '10' + bits inside the
 *    previous leading/trailing-zero window; '11' + 5 bits leading, 6 bits
 *    length (0 = 64), the significant bits). Bits are written MSB first.
 *
 * Invariants:
 *  - Encoders write what Prometheus's gogo-protobuf marshaller writes for
 *    the same message (fields in number order, proto3 zero values left out),
 *    with one deliberate difference: a sample value of -0.0 is written (its
 *    bits are not zero), where Prometheus's `Value != 0` test drops it and
 *    the client reads +0.0. Values travel bit for bit: NaN payloads, stale
 *    markers, infinities.
 *  - XOR chunks: encode then decode gives back every int64 timestamp
 *    sequence and every value bit pattern (timestamp arithmetic wraps
 *    modulo 2^64 on both sides, as Prometheus's does). At most 65535
 *    samples fit the header; the frame writer cuts chunks at
 *    PRR_CHUNK_SAMPLES, as Prometheus's head does.
 *  - Decoders never read outside their input and answer ST_EINVAL with a
 *    message naming the field (and the query/matcher index) on any
 *    malformed input. Slices they return point into the input; arrays come
 *    from the caller's arena.
 */
#ifndef ST_PRR_H
#define ST_PRR_H

#include "labels.h"
#include "st.h"

/* ReadRequest.ResponseType */
enum { PRR_SAMPLES = 0, PRR_STREAMED_XOR_CHUNKS = 1 };
/* LabelMatcher.Type, numbered as match_op (matcher.h) */
enum { PRR_EQ = 0, PRR_NEQ = 1, PRR_RE = 2, PRR_NRE = 3 };
/* Chunk.Encoding */
enum { PRR_ENC_XOR = 1 };

#define PRR_CHUNK_SAMPLES 120
#define PRR_XOR_MAX_SAMPLES 65535

typedef struct prr_matcher {
    int64_t type; /* as received: validity is the caller's check */
    st_slice name, value;
} prr_matcher;

typedef struct prr_query {
    int64_t start_ms, end_ms; /* both inclusive */
    prr_matcher *matchers;
    size_t nmatchers;
    bool has_hints; /* framing checked, content ignored */
} prr_query;

typedef struct prr_request {
    prr_query *queries;
    size_t nqueries;
    int64_t *accepted; /* accepted_response_types in the client's order */
    size_t naccepted;
} prr_request;

/* Decodes a (decompressed) ReadRequest. Arrays come from a. */
int prr_decode_request(const uint8_t *buf, size_t n, st_arena *a, prr_request *out, st_err *e);

/* Bounds prr_decode_request enforces (ST_EINVAL past them, before anything
 * is allocated for the entries): empty entries take a few bytes on the wire
 * and far more once decoded and compiled. Prometheus sends one query per
 * PromQL selector and a handful of matchers each. */
#define PRR_MAX_QUERIES 1000
#define PRR_MAX_MATCHERS 256

/* Encodes r (the tests' and the fuzzer's client side). packed selects how
 * accepted_response_types is written; both are legal. */
void prr_encode_request(const prr_request *r, bool packed, st_buf *out);

/* The response type Prometheus would pick: the first of the client's list
 * this server supports; an empty list means SAMPLES. ST_EINVAL (answer 400)
 * naming the requested types when none is supported. */
int prr_negotiate(const prr_request *r, int *type, st_err *e);

/* ---- SAMPLES ---- */

/* Appends one TimeSeries {labels, samples} as field 1 of a QueryResult.
 * Labels in the order given; samples as given (ts in ms). */
void prr_put_timeseries(st_buf *out, const label *ls, size_t nl, const int64_t *ts_ms,
                        const uint64_t *vals, size_t n);
/* Appends the tag and length of ReadResponse.results[i]; the caller then
 * appends body_len bytes of QueryResult fields (prr_put_timeseries output). */
void prr_put_result_header(st_buf *out, size_t body_len);

/* Snappy block format, as remote_read bodies use both ways. */
int prr_snappy_compress(const uint8_t *in, size_t n, st_buf *out, st_err *e);

typedef struct prr_series {
    label *labels;
    size_t nlabels;
    int64_t *ts; /* ms */
    uint64_t *vals;
    size_t n;
} prr_series;

typedef struct prr_result {
    prr_series *series;
    size_t nseries;
} prr_result;

/* Decodes a (decompressed) ReadResponse. */
int prr_decode_read_response(const uint8_t *buf, size_t n, st_arena *a, prr_result **results,
                             size_t *nresults, st_err *e);

/* ---- STREAMED_XOR_CHUNKS ---- */

/* Appends one XOR chunk of n samples (1..PRR_XOR_MAX_SAMPLES) to out. */
int prr_xor_encode(const int64_t *ts, const uint64_t *vals, size_t n, st_buf *out, st_err *e);
/* The sample count a chunk declares (its first two bytes). */
int prr_xor_count(const uint8_t *p, size_t len, size_t *n, st_err *e);
/* Decodes a chunk into ts/vals, which hold cap entries (at least the
 * declared count). Bytes after the last sample are ignored (padding). */
int prr_xor_decode(const uint8_t *p, size_t len, int64_t *ts, uint64_t *vals, size_t cap,
                   size_t *n, st_err *e);

/* Appends a frame holding data[0..n). */
void prr_frame_put(st_buf *out, const uint8_t *data, size_t n);
/* Reads the next frame from [*p, end): 1 with its data (pointing into the
 * input, CRC checked), 0 at a clean end, ST_EINVAL on a truncated frame, a
 * CRC mismatch or a frame larger than max. Advances *p. */
int prr_frame_next(const uint8_t **p, const uint8_t *end, uint64_t max, st_slice *data,
                   st_err *e);

typedef struct prr_chunked_stats {
    uint64_t frames, chunks, samples;
} prr_chunked_stats;

/* Appends the frames of one series: its samples cut into XOR chunks of at
 * most PRR_CHUNK_SAMPLES, the chunks packed into frames of one
 * ChunkedSeries each the way Prometheus bounds them (a frame is closed once
 * its chunks reach max_frame_bytes less the labels' size: it may exceed the
 * target by one chunk; a series bigger than that goes on in further frames
 * that repeat its labels). n >= 1. st (optional) is incremented. */
int prr_put_chunked_series(st_buf *out, int64_t query_index, const label *ls, size_t nl,
                           const int64_t *ts_ms, const uint64_t *vals, size_t n,
                           uint64_t max_frame_bytes, prr_chunked_stats *st, st_err *e);

typedef struct prr_chunk {
    int64_t min_ms, max_ms;
    int64_t type;
    st_slice data;
} prr_chunk;

typedef struct prr_chunked_series {
    label *labels;
    size_t nlabels;
    prr_chunk *chunks;
    size_t nchunks;
} prr_chunked_series;

/* Decodes one frame's data (a ChunkedReadResponse). */
int prr_decode_chunked(const uint8_t *buf, size_t n, st_arena *a, prr_chunked_series **series,
                       size_t *nseries, int64_t *query_index, st_err *e);

#endif
