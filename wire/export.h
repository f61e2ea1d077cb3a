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

typedef struct import_stats {
    uint64_t lines;     /* non-blank lines seen */
    uint64_t lines_bad; /* lines rejected (counted once each) */
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

#endif
