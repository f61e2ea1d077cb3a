/* tsrec: Amazon Timestream's WriteRecords request (awsJson 1.0), decoded
 * and checked record by record, before anything touches the store.
 *
 * A request is {DatabaseName, TableName, CommonAttributes, Records}. Each
 * record is merged with CommonAttributes by Timestream's rules: a member
 * the record lacks is taken from CommonAttributes; dimensions are the union
 * of both lists, and a name in both is a ValidationException for the whole
 * request. Then every value is parsed by its type and every limit checked.
 *
 * Two kinds of failure, as Timestream reports them:
 *  - the request itself is malformed (not JSON, a member of the wrong JSON
 *    type, an unknown enum value, no records or more than 100, dimensions
 *    repeated between a record and CommonAttributes): tsrec_decode fails
 *    with ST_EINVAL and a message for a ValidationException;
 *  - a record is wrong on its own (a value that does not parse as its
 *    type, a name over its limit, a reserved name, no time): the record
 *    carries a reason (in Timestream's words) and the others go on, for a
 *    RejectedRecordsException that lists it.
 *
 * Names Timestream reserves are refused (measure_value, time,
 * ts_non_existent_col, ts_*, measure_name*), and those Strata's mapping
 * uses: any name holding "::" (its columns measure_value::double and
 * a::timestamp) or starting "__" (__name__).
 *
 * Invariants of a record without a reason: 1 <= ndims <= 128, dimension
 * names unique, valid UTF-8, non-empty values; measure name 1..256 bytes;
 * time in ns fits int64 and is >= 0; version >= 1; a single-measure record
 * has exactly one value named after the measure, a MULTI record 1..256
 * uniquely named values; TIMESTAMP only inside MULTI.
 */
#ifndef ST_TSREC_H
#define ST_TSREC_H

#include "labels.h"
#include "st.h"

#define TSREC_MAX_RECORDS 100
#define TSREC_MAX_DIMS 128
#define TSREC_MAX_MULTI 256
#define TSREC_DIM_NAME_MAX 60
#define TSREC_MEASURE_NAME_MAX 256
#define TSREC_VALUE_MAX 2048

typedef enum tsrec_type {
    TSREC_DOUBLE,
    TSREC_BIGINT,
    TSREC_VARCHAR,
    TSREC_BOOLEAN,
    TSREC_TIMESTAMP, /* only inside MULTI */
    TSREC_MULTI,
} tsrec_type;

/* "DOUBLE", "BIGINT", ... as the API spells them. */
const char *tsrec_type_name(tsrec_type t);

typedef struct tsrec_value {
    st_slice name;     /* the attribute's (MULTI), or the measure's */
    tsrec_type type;
    uint64_t bits;     /* double bits, int64, 0/1, ns */
    st_slice str;      /* VARCHAR */
} tsrec_value;

typedef struct tsrec {
    label *dims;       /* name, value; in request order */
    size_t ndims;
    st_slice measure;
    tsrec_type type;
    tsrec_value *vals;
    size_t nvals;
    int64_t time_ns;
    int64_t version;
    const char *reason; /* NULL: good; else why it is rejected (in the arena) */
} tsrec;

typedef struct tsrec_req {
    st_slice db, table;
    tsrec *recs;
    size_t n;
} tsrec_req;

/* Decodes a WriteRecords body; everything lives in a. */
int tsrec_decode(const char *body, size_t n, st_arena *a, tsrec_req *out, st_err *e);
/* The same from the body's tree (json_tree_parse), for a caller that has
 * parsed it already. */
struct json_node;
int tsrec_decode_tree(const struct json_node *root, st_arena *a, tsrec_req *out, st_err *e);

#endif
