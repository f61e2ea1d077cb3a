/* lp: InfluxDB line protocol, parsed in place and written back.
 *
 *   measurement[,tag=value...] field=value[,field=value...] [timestamp]
 *
 * Parsing follows InfluxDB (1.x models/points.go and the 2.x/3.x grammar):
 *  - Lines end at '\n' (a trailing '\r' is dropped). A '\n' inside a quoted
 *    string field value, or escaped by a backslash, does not end the line.
 *    Leading spaces, tabs and NULs are skipped; blank lines and lines whose
 *    first other byte is '#' are ignored (a comment ends at the next '\n').
 *    Sections end at a space; more spaces, tabs and NULs after it are
 *    skipped (a tab inside a measurement or tag is an ordinary byte).
 *  - Escapes: measurement  \,  \space  \\ ; tag keys, tag values and field
 *    keys  \,  \=  \space  \\ ; string field values  \"  \\ . A backslash
 *    before any other byte is literal (InfluxDB 1.x does not know \\ outside
 *    strings; 2.x's documentation and 3.x do, and it is the only way to end
 *    a value with a backslash).
 *  - Field values: float (1, -1.5, 1., .5, 1e9, 1.5E-3), integer 1i (int64
 *    range checked), unsigned 1u (uint64), boolean t T true True TRUE f F
 *    false False FALSE, string "...". NaN and Inf are rejected, except in
 *    extensions mode (Strata's own import), which accepts the tokens NaN
 *    (the bits 0x7ff8000000000001), +Inf, -Inf and NaN(0x<16 hex digits>)
 *    for any other NaN bit pattern, and the full int64 timestamp range.
 *  - Tags are returned sorted by key; a repeated tag key is an error
 *    ("duplicate tags"). A repeated field key keeps its last value (as
 *    InfluxDB's TSM engine ends up doing), unless the types differ (error).
 *  - The timestamp is an optional signed integer in the given precision,
 *    scaled to nanoseconds with overflow checks; without extensions it must
 *    lie in InfluxDB's range -9223372036854775806..9223372036854775806.
 *  - Measurement plus tags (as written) are limited to 65535 bytes, like
 *    InfluxDB's maximum key length.
 * Errors read like InfluxDB's: "unable to parse '<line>': missing fields"
 * (the quoted line is cut at 200 bytes); the line number comes separately.
 *
 * In place: names and values without escapes are slices of the body; only
 * tokens with escapes are decoded, into the arena given to lp_reset. No byte
 * outside [body, body+len) is ever read, whatever the input.
 */
#ifndef ST_LP_H
#define ST_LP_H

#include "labels.h"

typedef enum lp_precision { LP_NS = 0, LP_US, LP_MS, LP_S, LP_M, LP_H } lp_precision;

/* "n" "ns" "u" "us" "ms" "s" "m" "h" (InfluxDB 1.x and 2.x spellings).
 * NULL or empty means nanoseconds. False for anything else. */
bool lp_precision_parse(const char *s, lp_precision *out);
int64_t lp_precision_ns(lp_precision p);

typedef struct lp_opts {
    lp_precision precision;
    bool extensions; /* Strata's NaN/Inf tokens and full int64 timestamps */
} lp_opts;

typedef struct lp_field {
    st_slice key;
    uint8_t type;  /* st_vtype */
    uint64_t bits; /* float bit pattern, int64, uint64, or 0/1 */
    st_slice str;  /* ST_VT_STRING: the decoded value */
} lp_field;

typedef struct lp_line {
    st_slice measurement;
    const label *tags; /* sorted by name, names unique */
    size_t ntags;
    const lp_field *fields; /* in order of their (last) occurrence */
    size_t nfields;
    bool has_ts;
    int64_t ts;    /* nanoseconds, when has_ts */
    size_t lineno; /* 1-based number of the line's first physical line */
    st_slice raw;  /* the line as written (without its '\n') */
    st_slice key;  /* measurement and tags as written: equal bytes, equal
                    * series, so a cache can skip the labels work */
} lp_line;

typedef struct lp_parser lp_parser;

lp_parser *lp_parser_new(void);
void lp_parser_free(lp_parser *p);

/* Starts parsing body. Decoded tokens go into arena (the caller's
 * per-request arena; NULL = the parser's own, reset here). Slices in lines
 * point into body or the arena and stay valid until the next lp_reset or
 * lp_parser_free; the tags and fields arrays are reused by each lp_next. */
void lp_reset(lp_parser *p, const char *body, size_t len, const lp_opts *o, st_arena *arena);

/* The next point: 1 when out holds one, 0 at the end of the body, or a
 * negative code (ST_EINVAL syntax, ST_ERANGE number or time out of range)
 * with e filled and out->lineno/out->raw naming the bad line, which is
 * skipped: call again to go on with the next line (partial writes). */
int lp_next(lp_parser *p, lp_line *out, st_err *e);

/* End of the line starting at s as InfluxDB's scanLine finds it: the first
 * '\n' that is neither escaped nor inside a quoted field value; end if none. */
const char *lp_line_end(const char *s, const char *end);

/* ---------------------------------------------------------------- writing */

/* Can s be written so that lp_next reads back the same bytes? Measurements
 * must be non-empty, without '\n', and must not start with '#', tab or NUL
 * (they would read as a comment or as leading blanks). Tag keys and values
 * must be non-empty and without '\n'. The first field key must not start
 * with a tab or NUL either (blanks after the tags are skipped). */
bool lp_measurement_ok(st_slice s);
bool lp_key_ok(st_slice s);
bool lp_field_key_ok(st_slice s);

/* Escaped as little as possible, so that InfluxDB 1.x reads the same bytes
 * whenever it can: a backslash is doubled only before a byte it would
 * otherwise escape, or at the end. */
void lp_write_measurement(st_buf *b, st_slice s);
void lp_write_key(st_buf *b, st_slice s); /* tag key, tag value, field key */
/* "..." with every " and \ escaped, as InfluxDB writes them. */
void lp_write_string(st_buf *b, st_slice s);
/* The shortest round-trip decimal (Prometheus style: 0.1, 1e-07, 1e+21).
 * Non-finite values become the extension tokens; returns false then. */
bool lp_write_float(st_buf *b, uint64_t bits);
void lp_write_int(st_buf *b, int64_t v);   /* 12i */
void lp_write_uint(st_buf *b, uint64_t v); /* 12u */
void lp_write_bool(st_buf *b, bool v);     /* true / false */

#define LP_NAN_BITS 0x7ff8000000000001ull /* Prometheus's (and Go's) NaN */

#endif
