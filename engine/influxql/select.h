/* select: InfluxQL SELECT evaluated on the query layer (scan.h), with
 * InfluxDB 1.x's meaning: a measurement is a table, its fields are the
 * columns of the series of its table, a point is the fields of one tag set
 * at one time.
 *
 * Per measurement the evaluator reads the fields a statement needs, tag set
 * by tag set (the scan's table order), merges each tag set's fields into
 * points by time, keeps the points its WHERE keeps, and hands them to the
 * group of their GROUP BY tags; a group's points are then either projected
 * (raw queries) or cut into time buckets and aggregated.
 *
 * Invariants: every value is of the type it was written with (integers
 * never pass through a double; strings and booleans as written); a result
 * series has at least one row; series come sorted by measurement name,
 * then tag values; rows by time (descending with ORDER BY time DESC).
 * Everything in a result lives in the arena given to iql_select_exec.
 */
#ifndef ST_IQL_SELECT_H
#define ST_IQL_SELECT_H

#include "influxql/influxql.h"
#include "labels.h"
#include "scan.h"
#include "store.h"

typedef enum iql_vt { IQL_VT_NULL = 0, IQL_VT_FLOAT, IQL_VT_INT, IQL_VT_UINT, IQL_VT_STRING, IQL_VT_BOOL } iql_vt;

typedef struct iql_val {
    iql_vt t;
    union {
        double f;
        int64_t i;
        uint64_t u;
        bool b;
    };
    st_slice s; /* IQL_VT_STRING */
} iql_val;

typedef struct iql_rseries {
    st_slice name;
    label *tags;      /* the GROUP BY tags, by key; ntags == 0 without GROUP BY tags */
    size_t ntags;
    st_slice *cols;   /* cols[0] is "time" */
    size_t ncols;
    int64_t *time;    /* ns, one a row */
    int32_t *zone;    /* with tz(): each row's offset east of UTC in seconds; else NULL */
    iql_val *vals;    /* nrows x (ncols - 1), row-major */
    size_t nrows;
} iql_rseries;

typedef struct iql_result {
    iql_rseries *series;
    size_t nseries;
} iql_result;

typedef struct iql_select_opts {
    int64_t now;          /* ns: now() and the end of GROUP BY time without an upper bound */
    scan_budget *budget;  /* NULL = none */
    size_t max_points;    /* points or buckets held per statement at most (0 = 10,000,000) */
    /* a subquery's: the outer statement's time bounds, taken where it names none */
    bool outer, outer_has_min, outer_has_max;
    int64_t outer_mint, outer_maxt;
} iql_select_opts;

/* Evaluates one SELECT over database db (an unknown one answers no
 * series). ST_EINVAL with InfluxDB's message for a statement it refuses,
 * or with "... not supported by Strata yet" for what Strata does not
 * evaluate yet; ST_ELIMIT past max_points; a budget's code past it. */
int iql_select_exec(store *s, const char *db, const iql_stmt *st, const iql_select_opts *o, st_arena *a,
               iql_result *out, st_err *e);

/* A time string of InfluxQL: RFC3339 (with fraction and zone), "YYYY-MM-DD
 * HH:MM:SS[.frac]" or "YYYY-MM-DD", as ns since the epoch (UTC). */
int iql_parse_time(st_slice s, int64_t *ns);

#endif
