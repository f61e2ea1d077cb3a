/* json: JSON text for Strata's HTTP answers, and a small strict reader.
 *
 * Writing. Every API Strata imitates was written in Go, and clients (and our
 * compatibility tests) compare bytes, so numbers are formatted exactly as Go's
 * strconv.FormatFloat(v, fmt, -1, 64) does: the shortest decimal that parses
 * back to the same double (ties between equally short candidates go to the
 * one nearest the exact value), then laid out in Go's 'f', 'e' or 'g' style.
 * Strings are escaped per RFC 8259, with optional extra escapes that match
 * Go's encoding/json (HTML-safe) or valyala/quicktemplate (VictoriaMetrics).
 *
 * Reading. A pull reader over one in-memory document: the caller asks for the
 * token it expects next. It never recurses (skipping an unknown value is a
 * loop with a depth counter), never reads outside [p, p+n), and every error
 * names the byte offset. Strings without escapes are returned as slices of
 * the input; strings with escapes are decoded into an arena.
 */
#ifndef ST_JSON_H
#define ST_JSON_H

#include "st.h"

/* ---------------------------------------------------------------- writing */

enum {
    JSON_ESC_HTML = 1, /* also < > & U+2028 U+2029 as \u003c... (Go encoding/json) */
    JSON_ESC_QT = 2,   /* also < and ' as \u003c \u0027, invalid UTF-8 passed through
                        * unchanged (quicktemplate, hence VictoriaMetrics) */
};

/* Appends s as a quoted JSON string: \" \\ \n \r \t, other control bytes as
 * \u00XX (lowercase hex, as Go), valid UTF-8 unchanged, each invalid byte as
 * \ufffd (so the output is always valid JSON) unless JSON_ESC_QT. */
void json_str(st_buf *b, const char *s, size_t n);
void json_str_ex(st_buf *b, const char *s, size_t n, unsigned flags);

void json_int(st_buf *b, int64_t v);
void json_uint(st_buf *b, uint64_t v);
/* The decimal digits of v at out (at most 20, no NUL); returns how many. */
size_t json_fmt_u64(char *out, uint64_t v);

/* The longest text json_fmt_* can produce ('f' of 5e-324 is 326 bytes). */
#define JSON_FLOAT_MAX 400

/* Go's strconv.FormatFloat(v, fmt, -1, 64) for fmt 'f', 'e' or 'g':
 * NaN -> "NaN", +Inf -> "+Inf", -Inf -> "-Inf", -0.0 -> "-0". Writes a
 * NUL-terminated string into out and returns its length. */
size_t json_fmt_go(char *out, double v, char fmt);

/* Prometheus's number style (util/jsonutil): 'f' unless 0 < |v| < 1e-6 or
 * |v| >= 1e21, then 'e'. The shortest round-trip decimal without absurd
 * runs of zeros; also what Strata writes into line protocol. */
size_t json_fmt_prom(char *out, double v);

/* Unquoted, appended to b. */
void json_float_go(st_buf *b, double v, char fmt);
void json_float_prom(st_buf *b, double v);

/* The core: for finite v != 0, the shortest digits d[0..nd) (no leading or
 * trailing zeros) with v ~= 0.d[0]d[1]... x 10^dp, the sign ignored.
 * d must hold 18 bytes. Returns nd. */
int json_shortest(double v, char *d, int *dp);

/* Parses a decimal float in Go's ParseFloat syntax restricted to decimal
 * digits: [+-] (D+ [. D*] | . D+) [(e|E) [+-] D+]. The whole of [p, p+n)
 * must match. Correctly rounded (exact fast path, else strtod in the C
 * locale). Returns 0, -1 on a syntax error, -2 if the magnitude overflows
 * (|v| would be infinite; *out is then +-Inf). */
int json_parse_double(const char *p, size_t n, double *out);

/* ---------------------------------------------------------------- reading */

typedef struct json_reader {
    const char *base, *p, *end;
    st_arena *arena;    /* decoded strings with escapes go here */
    unsigned max_depth; /* for json_skip_value; default and maximum 64 */
} json_reader;

void json_reader_init(json_reader *r, const char *p, size_t n, st_arena *a);

/* Skips whitespace; returns the next byte without consuming it, or -1 at
 * the end. */
int json_peek(json_reader *r);
/* Skips whitespace; consumes c if it is next and returns true. */
bool json_accept(json_reader *r, char c);
/* Skips whitespace and consumes c, or fails: "expected ':' at offset 12". */
int json_expect(json_reader *r, char c, st_err *e);

/* A string. Escapes are decoded (\uXXXX with surrogate pairs to UTF-8; a
 * lone surrogate becomes U+FFFD as in Go); raw control bytes are an error;
 * invalid UTF-8 is an error. */
int json_read_string(json_reader *r, st_slice *out, st_err *e);
/* A number in strict JSON syntax; out is its text. */
int json_read_number(json_reader *r, st_slice *out, st_err *e);
/* A bare word: a run of [A-Za-z0-9.+-] (true, null, numbers, and the
 * non-standard NaN / Inf tokens some exporters write). Empty is an error. */
int json_read_word(json_reader *r, st_slice *out, st_err *e);
/* Skips one value of any kind, nested at most max_depth deep. */
int json_skip_value(json_reader *r, st_err *e);
/* Only whitespace may remain. */
int json_expect_end(json_reader *r, st_err *e);

static inline size_t json_offset(const json_reader *r) { return (size_t)(r->p - r->base); }

/* Strict integer text ([-]D+) to int64; false on syntax error or overflow. */
bool json_parse_int64(st_slice s, int64_t *out);

/* ------------------------------------------------------------------ trees */

/* A whole document as a tree, for request bodies whose members come in any
 * order and nest (the AWS JSON protocols): small bodies, read once. Nodes,
 * keys and decoded strings live in the arena. */
typedef enum json_kind { JSON_NULL, JSON_BOOL, JSON_NUMBER, JSON_STRING, JSON_ARRAY, JSON_OBJECT } json_kind;

typedef struct json_node json_node;
struct json_node {
    json_kind kind;
    bool b;            /* JSON_BOOL */
    st_slice s;        /* JSON_STRING: the value; JSON_NUMBER: its text */
    size_t n;          /* JSON_ARRAY, JSON_OBJECT: elements */
    json_node *items;  /* n elements */
    st_slice *keys;    /* JSON_OBJECT: n keys, in document order (a repeated key: the last counts) */
};

/* Parses p[0..n) whole (nothing but whitespace after the value), nested at
 * most max_depth deep (0: 64). Errors name the byte offset. */
int json_tree_parse(const char *p, size_t n, st_arena *a, unsigned max_depth, json_node **out, st_err *e);
/* The member key of an object (the last of that name), or NULL (also when
 * o is NULL or not an object). */
const json_node *json_tree_get(const json_node *o, const char *key);
/* A tree written back as compact JSON (strings escaped by json_str). */
void json_tree_write(st_buf *b, const json_node *v);

#endif
