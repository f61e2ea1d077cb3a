/* export: /api/v1/export and /api/v1/import bodies.
 *
 * Two formats:
 *
 * JSON lines, as VictoriaMetrics's /api/v1/export writes them (numeric,
 * milliseconds): {"metric":{...},"values":[...],"timestamps":[...]}\n.
 * Lossy by nature: NaN payloads, -0.0, sub-millisecond time and the value
 * type do not survive (all values are read back as floats).
 *
 * Line protocol (typed, nanoseconds): one line per sample, measurement =
 * the series' table, tags = every label but __name__, field = its column.
 * Lossless: with Strata's extension tokens (lp.h) for non-finite floats,
 * export then import gives the same series, types and bits.
 */
#ifndef ST_EXPORT_H
#define ST_EXPORT_H

#include "codec.h"
#include "lp.h"
#include "store.h"

/* ---------------------------------------------------------------- export */

enum {
    /* Valid JSON in place of VictoriaMetrics 1.79's bare NaN / +Inf tokens:
     * NaN -> null, +-Inf -> "Infinity" / "-Infinity", as VictoriaMetrics
     * >= 1.82 writes and reads them. Off by default: byte-for-byte 1.79. */
    EXPORT_JSON_STRICT = 1,
};

/* Appends one JSON line for the series, in VictoriaMetrics 1.79's exact
 * format:
 *  - "metric": "__name__" first, then the other labels in VictoriaMetrics's
 *    storage order: job-like keys (namespace, ns, datacenter, dc,
 *    environment, env, cluster, service, job, model, type, sensor_type /
 *    SensorType, db, and their capitalised forms), then instance-like keys
 *    (instance, host, server, pod, node, device, tenant, client, name,
 *    measurement, capitalised too), in that order, then the rest by bytes.
 *    Strings escaped as quicktemplate does (also < and ' as \u003c \u0027).
 *  - "values": quicktemplate's %f: an integral value in int64 range as an
 *    integer (-0.0 as 0), otherwise Go's FormatFloat(v, 'f', -1, 64). NaN is
 *    null except as the first value, where 1.79 writes NaN; +-Inf are
 *    +Inf / -Inf. Integers and unsigned values are written exactly, booleans
 *    as 0 / 1. String series produce no line (VictoriaMetrics has no
 *    strings); neither does an empty sample set.
 *  - "timestamps": milliseconds, ts_ns floor-divided by 10^6; of several
 *    samples within one millisecond only the last is kept.
 * Returns 0, or ST_ECORRUPT for a malformed key or an unknown value type
 * (out is then unchanged). */
int export_json_series(const uint8_t *key, size_t keylen, series_meta meta,
                       const codec_samples *s, st_buf *out);
int export_json_series_ex(const uint8_t *key, size_t keylen, series_meta meta,
                          const codec_samples *s, unsigned flags, st_buf *out);

/* Appends one line-protocol line per sample:
 *   table[,label=value...] column=<value> <ts_ns>\n
 * with the labels other than __name__ in key order (sorted), the column
 * "value" when table_len == len(name). Values: floats as the shortest
 * round-trip decimal, NaN / +Inf / -Inf / NaN(0x...) for non-finite ones
 * (Strata's extension: standard line protocol has no way to write them);
 * integers 5i, unsigned 5u, booleans true/false, strings quoted.
 * ST_EINVAL (out unchanged) when the series cannot be written as line
 * protocol: a newline in a label, table or column (line protocol has no
 * escape for it), a table starting with '#', tab or NUL, a column starting
 * with tab or NUL, an empty table or
 * column, a column "value" that does not come from table_len == len(name),
 * or a name whose byte at table_len is not '_'. Such series can still be
 * exported as JSON. ST_ECORRUPT for a malformed key, a table_len beyond the
 * name or an unknown value type. */
int export_line_series(const uint8_t *key, size_t keylen, series_meta meta,
                       const codec_samples *s, st_buf *out, st_err *e);

/* ---------------------------------------------------------------- import */

/* Why a line was refused (import_line_ex counts each line under one). */
typedef enum import_reject {
    IMPORT_REJ_SYNTAX = 0, /* not line protocol */
    IMPORT_REJ_RANGE,      /* a number or the timestamp out of range */
    IMPORT_REJ_CONFLICT,   /* a field's type differs from its series' type earlier in the body */
    IMPORT_REJ_INVALID,    /* parsed, but not storable: invalid UTF-8, a tag named __name__ */
    IMPORT_REJ_N
} import_reject;

typedef struct import_stats {
    uint64_t lines;     /* non-blank lines seen */
    uint64_t lines_bad; /* lines rejected (counted once each) */
    uint64_t rejected[IMPORT_REJ_N]; /* lines_bad by reason (line protocol only) */
    uint64_t series;    /* series handed to the batch (one per line and field) */
    uint64_t samples;   /* samples added to the batch */
    size_t first_error_line; /* 1-based, 0 when every line was good */
    int first_error_code;
    char first_error[ST_ERR_MSG];
} import_stats;

/* VictoriaMetrics JSON lines into b. Blank lines (and a trailing '\r') are
 * skipped. Each line: "metric" (object of strings; "__name__" required;
 * empty keys ignored; a repeated key keeps its last value, as
 * VictoriaMetrics does), "values" (numbers; null, NaN, Inf, +Inf, -Inf bare
 * or quoted, "Infinity", "-Infinity" as VictoriaMetrics accepts them; NaN
 * becomes 0x7ff8000000000001), "timestamps" (integer milliseconds), equal
 * lengths, at least one sample; other keys are skipped. Series are
 * ST_VT_FLOAT with table = name, column "value". A bad line is counted and
 * skipped (partial import, like VictoriaMetrics); the return value is 0 if
 * every line was good, else the code of the first error with e (and r)
 * holding "line N: <why>". */
int import_json(const char *body, size_t len, store_batch *b, import_stats *r, st_err *e);

/* Line protocol into b: one series per field, labels = tags plus __name__ =
 * measurement + "_" + field, except that a field named "value" gives
 * __name__ = measurement (column "value", the identity a remote_write
 * metric has, so exported remote_write data comes back as it was);
 * table_len = len(measurement); type from the field's syntax; string
 * values must be valid UTF-8. Extension tokens are accepted. A line without
 * timestamp gets now_ns truncated to the precision (as InfluxDB does).
 * Partial like import_json; a line is added whole or not at all. */
int import_line(const char *body, size_t len, lp_precision precision, int64_t now_ns,
                store_batch *b, import_stats *r, st_err *e);

/* A line of a body: where it is and its number. */
typedef struct import_span {
    size_t off, len, lineno;
} import_span;

typedef struct import_spans {
    import_span *v;
    size_t n, cap;
} import_spans;

/* A series cache a writer keeps across calls (server/influx.c): the
 * spelling of a series in a line (measurement and tags as written, and the
 * decoded field key) to its canonical key, so that a known series skips
 * the labels' checks, sorting and key building. h is st_hash64 of the
 * field key seeded with st_hash64 of the written key. Spellings are put
 * only once their labels passed every check; as the checks depend on the
 * mode (influx or not), a cache serves one mode. */
typedef struct import_cache {
    /* A hit adds the series to b (store_batch_series_key) and returns 1,
     * the result of that in *rc; a miss returns 0. */
    int (*add)(void *ctx, uint64_t h, st_slice written, st_slice field, series_meta meta,
               store_batch *b, uint32_t *handle, int *rc, st_err *e);
    /* After a miss: the canonical key (and its st_hash64) b gave it. */
    void (*put)(void *ctx, uint64_t h, st_slice written, st_slice field, const uint8_t *key,
                size_t keylen, uint64_t keyhash);
    void *ctx;
} import_cache;

/* import_line with options; the one mapping of line protocol to series,
 * shared by /api/v1/import (Strata's own format) and the InfluxDB write
 * endpoints. */
typedef struct import_line_opts {
    lp_precision precision;
    int64_t now_ns; /* time of lines without one, truncated to the precision */
    /* InfluxDB's rules instead of Strata's export format: no extension
     * tokens (NaN, Inf), InfluxDB's timestamp range, and rejections worded
     * as InfluxDB words them: a type conflict with an earlier line of the
     * body as "field type conflict: input field ... is type X, already
     * exists as type Y", a line that parses but cannot be stored as
     * "unable to parse '<line>': <why>". And InfluxQL's time column is no
     * key: a tag key "time" refuses the line, a field "time" is dropped
     * (the line too when it has no other field), as InfluxDB does. */
    bool influx;
    /* Called for every refused line, in order: its 1-based number, the
     * reason, the code and the message (without "line N: "). May be NULL. */
    void (*on_reject)(void *ctx, size_t lineno, import_reject why, int code, const char *msg);
    void *ctx;
    /* The number of body's first line (0 or 1: body is a whole request). */
    size_t first_lineno;
    /* When set, a line with a field whose type differs from the type an
     * earlier line of this call gave the same series is neither refused nor
     * added: it is appended here (offset into body, length without the
     * '\n', number), for the caller to write after this batch. A batch holds
     * one type per series, and which line is in conflict depends on the
     * type stored: InfluxDB checks each point, in order, against the stored
     * type. The line is counted in lines again when it is imported again. */
    import_spans *defer;
    /* Series cache across calls, or NULL (then one per call). */
    const import_cache *cache;
} import_line_opts;

int import_line_ex(const char *body, size_t len, const import_line_opts *o, store_batch *b,
                   import_stats *r, st_err *e);

/* Content-Encoding: gzip bodies: every member of the stream (RFC 1952
 * allows several back to back, and Go's readers, InfluxDB's among them,
 * read them all) into out (appended). ST_ELIMIT as soon as the output
 * passes max bytes; ST_EINVAL for a corrupt or truncated stream. */
int import_gunzip(const uint8_t *in, size_t n, uint64_t max, st_buf *out, st_err *e);

#endif
