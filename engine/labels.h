/* labels: series identity.
 *
 * A series is identified, inside one database, by its canonical label set:
 * the metric name as the label "__name__" plus the other labels, sorted by
 * name. Canonicalisation (labels_canonicalize) is the single gate every
 * writer passes: after it, (1) names are non-empty valid UTF-8, (2) values
 * are valid UTF-8, (3) there are no duplicate names, (4) "__name__" is
 * present and non-empty, (5) labels with empty values are gone (Prometheus
 * treats an empty value as an absent label), (6) the order is bytewise by
 * name. The canonical key is a byte string derived from that set; equal sets
 * give equal keys, so the key (and its st_hash64) is the identity.
 *
 * Key layout: for each label in order: uvarint(len(name)) name
 * uvarint(len(value)) value. "__name__" sorts first among ordinary names
 * only by byte order ('_' = 0x5f), so it is not necessarily first.
 *
 * Each series also records its value type and its SQL table/column. The
 * column is derivable from the name: remote_write metric m is table m,
 * column "value"; line protocol cpu,usage_user is name cpu_usage_user,
 * table cpu, column usage_user. So the mapping is stored as table_len: the
 * table is name[0:table_len]; the column is name[table_len+1:], or "value"
 * when table_len == len(name).
 */
#ifndef ST_LABELS_H
#define ST_LABELS_H

#include "st.h"

typedef struct label {
    st_slice name, value;
} label;

#define LABEL_METRIC_NAME "__name__"

/* The most labels a series may have, __name__ included: a format limit
 * (keys are parsed into arrays of this size), enforced by
 * labels_canonicalize, the gate every new series passes, so that a series
 * that is acknowledged is always indexed and findable by its labels. */
#define LABELS_MAX 256

/* Value types, each stored exactly. Numbered as on disk and in the WAL. */
typedef enum st_vtype {
    ST_VT_FLOAT = 1,  /* IEEE-754 binary64, bit pattern preserved (NaN payloads, -0.0) */
    ST_VT_INT = 2,    /* int64 */
    ST_VT_UINT = 3,   /* uint64 */
    ST_VT_BOOL = 4,   /* 0 or 1 */
    ST_VT_STRING = 5, /* UTF-8 bytes */
} st_vtype;

const char *st_vtype_name(st_vtype t); /* "float", "integer", "unsigned", "boolean", "string" */

/* The Prometheus stale marker: a NaN that ends a series for PromQL. */
#define ST_STALE_NAN_BITS 0x7ff0000000000002ull

typedef struct series_meta {
    uint8_t type;       /* st_vtype */
    uint16_t table_len; /* see above */
} series_meta;

/* Sorts ls[0..*n) in place, validates it, drops empty-valued labels (so *n
 * may shrink). Errors name the offending label; more than LABELS_MAX
 * labels is ST_EINVAL naming the limit (a client error: a retry cannot
 * succeed). Does not copy strings. */
int labels_canonicalize(label *ls, size_t *n, st_err *e);

/* Appends the canonical key of a canonical set to out. */
void labels_key(const label *ls, size_t n, st_buf *out);

/* Splits a key back into labels whose slices point into key. Returns
 * ST_ECORRUPT on a malformed key or more than cap labels. */
int labels_key_parse(const uint8_t *key, size_t len, label *out, size_t cap, size_t *n);

/* The value of label `name` in a key, or an empty slice if absent. */
st_slice labels_key_get(const uint8_t *key, size_t len, st_slice name);

/* Grouping by some labels: out[i] is the value of names[i] in ls (.p
 * NULL where the label is absent, never NULL where present); their hash
 * and equality tell an absent label from an empty value. */
void labels_pick(const label *ls, size_t n, const st_slice *names, size_t nnames, st_slice *out);
uint64_t labels_tuple_hash(const st_slice *v, size_t n);
bool labels_tuple_eq(const st_slice *a, const st_slice *b, size_t n);

/* The metric name (value of __name__) in a key. */
st_slice labels_key_name(const uint8_t *key, size_t len);

/* Number of labels in a key (0 on a malformed key). */
size_t labels_key_count(const uint8_t *key, size_t len);

/* Orders two canonical keys as Prometheus orders label sets
 * (labels.Compare: name, then value, pair by pair; a prefix first). Byte
 * order of the keys differs, because of the length prefixes. */
int labels_key_compare(const uint8_t *a, size_t alen, const uint8_t *b, size_t blen);
/* The same order as bytes: each string of the key (name, value, name...)
 * with NUL written as 00 01 and ended by 00 00, so that memcmp (then the
 * shorter first) orders two such encodings as labels_key_compare orders
 * their keys. out holds at least 2 x len bytes; returns the length, 0 on
 * a malformed key. For sorting many keys: encode once, compare often. */
size_t labels_key_order_bytes(const uint8_t *key, size_t len, uint8_t *out);

bool utf8_valid(const char *p, size_t n);

/* Prometheus's label name syntax (a PromQL identifier):
 * [a-zA-Z_][a-zA-Z0-9_]*, not empty. */
bool labels_name_valid(st_slice s);

/* metric{a="b",c="d"} with Go-style escaping of \ " and newline; names that
 * are not PromQL identifiers are written as {__name__="..."}. */
void labels_format(const label *ls, size_t n, st_buf *out);
void labels_format_key(const uint8_t *key, size_t len, st_buf *out);

#endif
