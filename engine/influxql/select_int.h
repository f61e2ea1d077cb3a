/* select_int: what the parts of InfluxQL's SELECT share: select.c (the
 * statement, schema, columns, buckets and output), select_read.c (points
 * into groups, WHERE, the scan's matchers, subqueries as sources),
 * select_fold.c (aggregates folded as samples come), select_fn.c (values,
 * math, aggregates, transformations, fill) and holtwinters.c. Internal to
 * engine/influxql. */
#ifndef ST_IQL_SELECT_INT_H
#define ST_IQL_SELECT_INT_H

#include <math.h>
#include <string.h>
#include <strings.h>

#include "htab.h"
#include "influxql/select.h"
#include "influxql/tz.h"
#include "matcher.h"
#include "scan.h"

typedef struct rxent {
    const iql_expr *x;
    matcher *m;
} rxent;
typedef struct schema {
    st_slice name;       /* the measurement */
    st_slice *fields;    /* sorted */
    uint8_t *ftypes;     /* st_vtype */
    st_slice *metrics;   /* the series name each field is stored under */
    size_t nfields;
    st_slice *tags;      /* sorted */
    size_t ntags;
} schema;
typedef struct sctx {
    store *s;
    const char *db;
    const iql_stmt *st;
    const iql_select *sel;
    const iql_select_opts *o;
    st_arena *a;
    st_err *e;
    int64_t mint, maxt;
    bool has_min, has_max;
    bool by_time;
    int64_t interval, offset;
    bool aggregate;
    size_t npoints, max_points;
    rxent rx[64];
    size_t nrx;
    const iql_result *sub; /* the subquery answer being read, or NULL */
    const char *home_db;   /* the statement's database (db is the one being read) */
    int64_t read_mint;     /* mint, or earlier when transformations of buckets need them */
    const schema *wide;    /* `*` over several measurements: the union of their schemas */
    iql_tz *tz;            /* tz('...'), or NULL */
    /* the group tags of the current measurement */
    st_slice *gtags;
    size_t ngtags;
} sctx;
static inline int unsupported(sctx *c, const char *what)
{
    return st_fail(c->e, ST_EINVAL, "%s not supported by Strata yet", what);
}
static inline bool slice_ieq(st_slice a, const char *b)
{
    size_t n = strlen(b);
    return a.n == n && !strncasecmp(a.p, b, n);
}
static inline void *grow(void *p, size_t n, size_t *cap, size_t size)
{
    if (n < *cap) return p;
    *cap = *cap ? *cap * 2 : 16;
    return st_realloc(p, *cap * size);
}
static inline bool is_time(const iql_expr *x)
{
    return x && x->kind == IQL_E_IDENT && slice_ieq(x->str, "time");
}
/* An output column: its expression (wildcards and regexes expanded) and name. */
typedef struct ocol {
    const iql_expr *x;
    st_slice name;
} ocol;
/* The fields a statement reads: slot[f] is field f's place in a point, or -1. */
typedef struct need {
    long *slot;   /* [schema.nfields] */
    long *field;  /* [n]: slot -> field */
    size_t n;
} need;
/* A tag set's labels (without __name__), copied. */
typedef struct tset {
    label *tags;
    size_t n;
} tset;
typedef struct group {
    st_slice *key;    /* the values of the group tags */
    int64_t *ts;
    iql_val *vals;    /* n x need.n */
    uint32_t *tset;
    size_t n, cap;
} group;
typedef struct pointset {
    tset *tsets;
    size_t ntsets, captsets;
    group *groups;
    size_t ngroups, capgroups;
    htab gix;         /* the groups by their key */
} pointset;
typedef struct mctx {
    sctx *c;
    const schema *sc;
    const need *nd;
    const pointset *ps;
    const group *g;
} mctx;
typedef struct tv {
    int64_t t;
    iql_val v;
    size_t row;   /* the point's index in its group */
} tv;
typedef struct aggv {
    iql_val v;
    int64_t t;    /* selectors: the time of the point chosen */
    size_t row;   /* and its index in the group */
    bool has_t;
} aggv;
typedef struct table {
    int64_t *t;
    iql_val *v;   /* n x ncols */
    size_t n, cap, ncols;
} table;

static inline iql_val iqv_null(void) { return (iql_val){.t = IQL_VT_NULL}; }

static inline iql_val iqv_float(double f) { return (iql_val){.t = IQL_VT_FLOAT, .f = f}; }

static inline iql_val iqv_int(int64_t i) { return (iql_val){.t = IQL_VT_INT, .i = i}; }

static inline bool iqv_is_num(iql_val v) { return v.t == IQL_VT_FLOAT || v.t == IQL_VT_INT || v.t == IQL_VT_UINT; }


static inline double iqv_f(iql_val v)
{
    switch (v.t) {
    case IQL_VT_FLOAT: return v.f;
    case IQL_VT_INT: return (double)v.i;
    case IQL_VT_UINT: return (double)v.u;
    case IQL_VT_BOOL: return v.b;
    default: return NAN;
    }
}


/* values (select_fn.c) */
iql_val iqv_stored(uint8_t type, uint64_t bits, st_slice str);
/* <0, 0, >0 between two values of one column (numbers by value, strings
 * bytewise, false < true). */
int iqv_cmp(iql_val a, iql_val b);
/* InfluxQL's arithmetic: integers stay integers (wrapping as Go's do)
 * except in division; a float on either side makes a float. */
iql_val iqv_arith(iql_op op, iql_val a, iql_val b);
static inline bool iqv_eq(iql_val a, iql_val b) { return a.t == b.t && iqv_cmp(a, b) == 0; }
iql_val iqv_literal(const iql_expr *x);

/* function families by name (any case) */
bool iqs_is_aggregate(st_slice name);
bool iqs_is_selector(st_slice name);
bool iqs_is_transform(st_slice name);
bool iqs_is_math(st_slice name);

/* select.c */
/* The start of the GROUP BY time bucket holding t, and of the one after
 * the bucket starting at b (not always b + interval with tz()). */
int64_t iqs_bucket_of(const sctx *c, int64_t t);
int64_t iqs_bucket_next(const sctx *c, int64_t b);
bool iqs_is_tag(const schema *sc, const iql_expr *id);
long iqs_field_index(const schema *sc, const iql_expr *id);
st_slice iqs_tag_of(const tset *t, st_slice key);
matcher *iqs_rx_get(sctx *c, const iql_expr *x);

/* select.c: the schema's sorted names: index of k, or -1; qsort's order */
long iqs_find_slice(const st_slice *v, size_t n, st_slice k);
int iqs_cmp_slice(const void *a, const void *b);

/* select_read.c: every point of the measurement the statement reads (the
 * fields nd names), tag set by tag set, WHERE applied, into groups by the
 * group tags; the same from the subquery's answer c->sub (whose schema
 * iqs_sub_schema makes); a group's points in time order, ties in tag-set
 * order (nv values a point). */
int iqs_read_points(sctx *c, const schema *sc, const need *nd, pointset *ps);
void iqs_sub_schema(sctx *c, st_slice name, schema *out);
int iqs_sub_points(sctx *c, const schema *sc, const need *nd, pointset *ps);
void iqs_group_sort(group *g, size_t nv);
void iqs_pointset_free(pointset *ps);
/* Opens the scan of the fields nd names, WHERE's tag conditions pushed
 * into it as matchers, and an iterator over all of it (both NULL when the
 * database is gone); tail: only each series' last sample is wanted
 * (scan_spec.tail). */
int iqs_scan_open(sctx *c, const schema *sc, const need *nd, scan_order order, bool tail, scan **out,
                  scan_iter **it);
/* WHERE of a statement whose WHERE names no field, for a tag set. */
bool iqs_where_tags(sctx *c, const schema *sc, const need *nd, const tset *t);
/* Aggregate calls in x (math functions aside); *last is set to one. */
size_t iqs_count_calls(const iql_expr *x, const iql_expr **last);
/* A group's rows (table) as one series of the answer; key holds the
 * values of c->gtags. */
void iqs_emit(sctx *c, iql_result *res, size_t *cap, const schema *sc, const st_slice *key, const ocol *cols,
              size_t ncols, const table *tb);
iql_val *iqs_table_row(table *tb, int64_t t);
void iqs_table_reverse(table *tb);
void iqs_table_free(table *tb);

/* select_fold.c: statements whose every column is count, sum, mean, min,
 * max, first, last or spread of a field (math and literals around them),
 * with WHERE on tags and time only, folded bucket by bucket as the scan
 * hands over samples: no point is held. Answers as the general path does;
 * IQS_FOLD_NO when a value it cannot fold in order (a NaN under min, max
 * or spread) turns up, for the caller to take the general path. */
#define IQS_FOLD_NO 1
bool iqs_fold_fits(sctx *c, const schema *sc, const ocol *cols, size_t ncols);
int iqs_fold(sctx *c, const schema *sc, const need *nd, const ocol *cols, size_t ncols, iql_result *res,
             size_t *cap);

/* select_fn.c: math of a row or bucket; a column of one point (field is
 * set when a field of the point fed it); one aggregate over points [from,
 * to) of a group; a column of one bucket; fill of a group's buckets. */
iql_val iqs_math(sctx *c, const iql_expr *call, const iql_val *a, size_t n, int *rc);
iql_val iqs_eval_point(const mctx *m, size_t i, const iql_expr *x, bool *field, int *rc);
int iqs_agg_call(const mctx *m, const iql_expr *call, size_t from, size_t to, aggv *out);
iql_val iqs_eval_bucket(const mctx *m, const iql_expr *x, size_t from, size_t to, aggv *sel, int *rc);
void iqs_fill(sctx *c, table *tb, const ocol *cols);
/* x::type of one value */
iql_val iqs_cast(iql_val v, st_slice cast);
/* distinct, top and bottom: several rows for points [from, to) of a group,
 * at bucket_t or, with point_time, at their points' times (*out owned by
 * the caller, st_free). */
int iqs_multi(const mctx *m, const iql_expr *call, size_t from, size_t to, int64_t bucket_t, bool point_time,
              tv **out, size_t *nout);
/* The literal arguments of a transformation checked as InfluxDB compiles
 * them (before any point is read, so that the error comes whatever the
 * data): moving_average's window, the technical-analysis functions'
 * period, hold period and warmup, holt_winters's N and S and that its
 * argument is an aggregate; in its words. */
int iqs_transform_check(sctx *c, const iql_expr *call);
/* A transformation (derivative, difference, cumulative_sum, ...) of the
 * non-null values v at times t (n of them) into ot/ov (room for n): rows
 * at times of t. holt_winters is refused here (its rows go past t). */
int iqs_transform(sctx *c, const iql_expr *call, const int64_t *t, const iql_val *v, size_t n, int64_t *ot,
                  iql_val *ov, size_t *on);
/* Any transformation, holt_winters too, its rows in *ot and *ov (*on of
 * them; allocated, owned by the caller, st_free both, also after an
 * error). Rows come in the order of t; holt_winters's lie on the GROUP BY
 * grid, its forecasts after t's last time, its fitted values between
 * t's times too (where a bucket had no value). */
int iqs_transform_rows(sctx *c, const iql_expr *call, const int64_t *t, const iql_val *v, size_t n, int64_t **ot,
                       iql_val **ov, size_t *on);

#endif
