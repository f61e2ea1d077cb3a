/* prw: Prometheus remote_write bodies: content negotiation, decompression
 * and a hand-written, zero-copy protobuf decoder.
 *
 * Formats (see ../shared/research/protocols.md 1.1-1.10):
 *  - 1.0: prometheus.WriteRequest { repeated TimeSeries timeseries = 1;
 *    repeated MetricMetadata metadata = 3; }, TimeSeries { Label labels = 1;
 *    Sample samples = 2; Exemplar exemplars = 3; Histogram histograms = 4; },
 *    Label { string name = 1; string value = 2; }, Sample { double value = 1;
 *    int64 timestamp = 2; } (ms), MetricMetadata { type = 1;
 *    metric_family_name = 2; help = 4; unit = 5; }.
 *  - 2.0: io.prometheus.write.v2.Request { repeated string symbols = 4;
 *    repeated TimeSeries timeseries = 5; }, TimeSeries { repeated uint32
 *    labels_refs = 1 (name/value pairs into symbols); Sample samples = 2;
 *    Histogram histograms = 3; Exemplar exemplars = 4; Metadata metadata = 5; },
 *    Metadata { type = 1; help_ref = 3; unit_ref = 4; }.
 *
 * Invariants the decoder guarantees to its callbacks:
 *  - every label slice points into the caller's buffer (no copies), inside
 *    [buf, buf + n); for 2.0 through the symbol table, which is checked;
 *  - every length, ref and varint has been bounds-checked; unknown fields
 *    are skipped by wire type; a known field with the wrong wire type, a
 *    group, a truncated value or a ref outside the symbol table is ST_EINVAL
 *    with a message naming the field and, once known, the series index and
 *    metric name. A malformed request is rejected whole: callbacks may have
 *    run for earlier series, so callers must stage their effects (the
 *    server fills a batch and writes it only after a clean decode).
 *  - prw_series.label_bytes, when set, is the exact range of the series'
 *    Label fields and nothing else, inside [buf, buf + n);
 *  - exemplars and native histograms are counted, validated as far as their
 *    framing (and, for 2.0 exemplars, their refs), and not decoded further.
 *
 * The decoder does not validate labels (empty/duplicate names, UTF-8,
 * order): that is labels_canonicalize's job, downstream.
 */
#ifndef ST_PRW_H
#define ST_PRW_H

#include "labels.h"
#include "st.h"

typedef enum prw_version {
    PRW_V1 = 1, /* prometheus.WriteRequest */
    PRW_V2 = 2, /* io.prometheus.write.v2.Request */
} prw_version;

typedef enum prw_encoding {
    PRW_ENC_SNAPPY = 1, /* block format; also the default when none is given */
    PRW_ENC_ZSTD = 2,   /* vmagent's default */
    PRW_ENC_GZIP = 3,
} prw_encoding;

/* Content-Type -> PRW_V1 / PRW_V2, or 0 if unsupported (answer 415). NULL or
 * empty is 1.0, as Prometheus's own receiver treats it. Accepts
 * "application/x-protobuf" with an optional proto= parameter (quoted or
 * not, any case for the media type, spaces around ';' and '='). */
int prw_content_type(const char *ct);

/* Content-Encoding -> prw_encoding, or 0 if unsupported (answer 415). NULL
 * or empty is snappy: Prometheus always compresses. */
int prw_encoding_of(const char *ce);

/* Decompresses a body into out (which is reset). ST_ELIMIT (answer 413)
 * when the result would exceed max bytes: decided from the snappy preamble
 * or the zstd frame header before allocating, and enforced while
 * inflating otherwise. ST_EINVAL on a corrupt or truncated body. */
int prw_decompress(int enc, const uint8_t *in, size_t n, uint64_t max, st_buf *out, st_err *e);

typedef struct prw_sample {
    int64_t ts_ms;
    uint64_t bits; /* IEEE-754 value, bit for bit (stale markers) */
} prw_sample;

typedef struct prw_series {
    size_t index;        /* position in the request, for messages */
    label *labels;       /* as received (the callback may reorder them); NULL
                          * with lazy_labels when only framed (see there) */
    size_t nlabels;
    const prw_sample *samples;
    size_t nsamples;
    size_t nhistograms;  /* not decoded */
    size_t nexemplars;   /* not decoded */
    /* 1.0 only: when the series' Label fields (tags included) are one
     * contiguous byte range of the body, as Prometheus and vmagent write
     * them (labels before samples), that range; else NULL and 0. The same
     * bytes always decode to the same labels, so a writer can key a cache
     * by them without rebuilding the label set. */
    const uint8_t *label_bytes;
    size_t label_bytes_len;
} prw_series;

typedef struct prw_metadata {
    unsigned type;       /* MetricType: 0 unknown, 1 counter, 2 gauge, ... 7 stateset */
    st_slice family;     /* 2.0: the series' __name__ */
    st_slice help, unit;
} prw_metadata;

/* Callbacks. Arrays passed to them are valid only during the call (they are
 * reused for the next series). A nonzero return from series() stops the
 * decode and is returned as is. Either may be NULL. */
typedef struct prw_handler {
    int (*series)(void *ctx, prw_series *s, st_err *e);
    void (*metadata)(void *ctx, const prw_metadata *m);
    void *ctx;
    /* 1.0: a series whose Label fields are contiguous comes with its
     * label_bytes and nlabels = the number of Label fields, but labels ==
     * NULL: they are framed (tags, wire types, lengths) and not decoded nor
     * validated. A writer that knows the range from an earlier request (a
     * cache keyed by it) skips the work; otherwise it decodes them with
     * prw_series_labels, which words an error as the decoder would (though
 * another fault further on may then be the one reported first). Series
     * with interleaved fields, and 2.0, come decoded as usual. */
    bool lazy_labels;
} prw_handler;

typedef struct prw_counts {
    uint64_t series, samples, histograms, exemplars, metadata, symbols;
} prw_counts;

/* Decodes buf[0..n) as version v, calling h for each series and metadata
 * entry in order. Scratch arrays come from arena a. counts (optional) is
 * filled as far as the decode got. */
int prw_decode(int v, const uint8_t *buf, size_t n, st_arena *a, const prw_handler *h,
               prw_counts *counts, st_err *e);

/* Decodes again the Label fields of a range that prw_decode passed as a
 * series' label_bytes (of a body still alive), giving the labels it gave
 * then, in the same order: a writer that kept only the range (to look
 * series up in groups) gets the labels back for the few it must
 * canonicalise. *ls and *cap are scratch reused across calls, grown from
 * arena a (*ls NULL and *cap 0 the first time). ST_EINVAL if the range is
 * not Label fields (never, for a range a full decode gave; a lazy decode
 * only framed them, and a malformed Label shows up here). */
int prw_labels_of(const uint8_t *lb, size_t n, st_arena *a, label **ls, size_t *cap, size_t *nout, st_err *e);
/* prw_labels_of for series number index of the request: an error is worded
 * as prw_decode words it ("invalid remote_write request: timeseries[index]
 * (metric ...): label k: ..."), which is what a lazy_labels writer answers
 * when a range it decodes late turns out malformed. */
int prw_series_labels(const uint8_t *lb, size_t n, size_t index, st_arena *a, label **ls, size_t *cap,
                      size_t *nout, st_err *e);

#endif
