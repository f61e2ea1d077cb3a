/* exec: what the planner builds and the executor runs: bound expressions
 * (sx) and pull-based operators (sql_op), Volcano style.
 *
 * An expression is bound once (names resolved to row positions, types
 * checked, coercions made explicit as casts) and evaluated per row by
 * sx_eval. An operator hands out one row at a time; the planner stacks them
 * (scan -> filter -> aggregate -> filter -> project -> distinct -> sort ->
 * limit) and the cursor of run.h pulls from the top.
 *
 * Invariants:
 *  - a row returned by sql_op_next (an array of op->ncols values) and every
 *    string it points to stay valid until the next call on the same
 *    operator; an operator that keeps rows (sort, aggregation, DISTINCT)
 *    copies them into memory of its own;
 *  - rows an operator holds are counted against the query's row limit
 *    (sql_exec_ctx.max_rows): past it the query fails with ST_ELIMIT naming
 *    the operator, instead of growing without bound;
 *  - strings an expression makes live in the evaluation arena, which the
 *    operator evaluating it resets before each row;
 *  - everything an operator allocates is released by sql_op_close, which
 *    closes its inputs too (a tree is closed from its root).
 *
 * Thread safety: one query, one thread.
 */
#ifndef ST_SQL_EXEC_H
#define ST_SQL_EXEC_H

#include "pool.h"
#include "scan.h"
#include "sql/sql.h"
#include "sql/value.h"

/* What every operator of one query shares. */
typedef struct sql_exec_ctx {
    store *s;
    const char *db;
    int64_t now_ns;        /* now() and ago(): one instant for the whole query */
    uint64_t max_rows;     /* rows held at once by one sort, aggregation or DISTINCT; 0 = none */
    scan_budget *budget;   /* samples, deadline, cancellation */
    pool *pool;            /* helpers a fold may borrow; NULL = the query's thread alone */
    unsigned threads;      /* threads one fold may use, its own included */
} sql_exec_ctx;

/* ---- expressions ---- */

typedef enum sx_kind {
    SX_CONST = 1, /* k */
    SX_COL,       /* index into the input row */
    SX_FN,        /* fn(args): strict functions see no NULL argument */
    SX_AND,
    SX_OR,
    SX_NOT,
    SX_CASE,      /* args: cond0, res0, cond1, res1, ..., [else] (nargs odd: an else) */
    SX_COALESCE,
    SX_IN,        /* args[0] IN (args[1..]) */
    SX_BETWEEN,   /* args[0] BETWEEN args[1] AND args[2] */
    SX_LIKE,      /* args[0] LIKE args[1] [ESCAPE args[2]] */
    SX_IS_NULL,
    SX_DISTINCT,  /* args[0] IS DISTINCT FROM args[1] */
    SX_CMP,       /* op: SQL_OP_EQ .. SQL_OP_GE */
    SX_CAST,      /* try: TRY_CAST (NULL instead of an error) */
    SX_TRY,       /* try(e): NULL instead of an evaluation error */
} sx_kind;

typedef struct sx sx;
typedef struct sx_ctx {
    st_arena *a;      /* strings made by functions */
    st_err *e;
    int64_t now_ns;
} sx_ctx;

typedef int (*sx_fn)(sx_ctx *c, const sx *x, const sql_value *argv, sql_value *out);

struct sx {
    sx_kind kind;
    uint8_t type;      /* sql_vtype of the result */
    bool negated;      /* NOT IN, NOT BETWEEN, NOT LIKE, IS NOT NULL, IS NOT DISTINCT FROM */
    bool try_;         /* SX_CAST: TRY_CAST */
    bool strict;       /* SX_FN: NULL when any argument is NULL (fn not called) */
    int op;            /* SX_CMP: sql_binop; SX_FN: a function's own variant */
    uint32_t line, col;
    sql_value k;       /* SX_CONST */
    uint32_t index;    /* SX_COL */
    sx **args;
    uint32_t nargs;
    sx_fn fn;
    const char *name;  /* SX_FN: for messages */
    void *aux;         /* a compiled regex (matcher *) for a constant pattern */
};

int sx_eval(sx_ctx *c, const sx *x, const sql_value *row, sql_value *out);
/* Three-valued truth of a boolean expression: 1 true, 0 false or NULL, <0 error. */
int sx_truth(sx_ctx *c, const sx *x, const sql_value *row);
/* Does the expression read no column (a constant the planner may fold)? */
bool sx_is_const(const sx *x);
/* Frees what the tree's nodes hold outside the query arena (regexes). */
void sx_release(sx *x);
/* LIKE with Trino's semantics: % any run, _ one character (UTF-8), esc
 * (0 = none) makes the next character literal. */
bool sql_like_match(st_slice s, st_slice pat, uint32_t esc);

/* ---- aggregates ---- */

typedef enum sql_aggk {
    SQL_AGG_COUNT_STAR = 1,
    SQL_AGG_COUNT,
    SQL_AGG_COUNT_IF,
    SQL_AGG_SUM,
    SQL_AGG_AVG,
    SQL_AGG_MIN,
    SQL_AGG_MAX,
    SQL_AGG_ARBITRARY,
    SQL_AGG_BOOL_AND,
    SQL_AGG_BOOL_OR,
    SQL_AGG_STDDEV,     /* stddev, stddev_samp */
    SQL_AGG_STDDEV_POP,
    SQL_AGG_VARIANCE,   /* variance, var_samp */
    SQL_AGG_VAR_POP,
    SQL_AGG_GEOMETRIC_MEAN,
    SQL_AGG_MAX_BY,     /* args[0] at the largest args[1] */
    SQL_AGG_MIN_BY,
    SQL_AGG_APPROX_DISTINCT, /* exact below the planner's threshold is fine: Trino's error bound is an upper bound */
    SQL_AGG_APPROX_PERCENTILE, /* args[1] a constant in [0, 1], or an array of them (then an array) */
    SQL_AGG_ARRAY_AGG,         /* array(T), NULLs included */
    SQL_AGG_CREATE_TIME_SERIES, /* arg time, arg2 value: timeseries(T) ascending */
    SQL_AGG_MAX_N,             /* max(x, n): array of the n largest, descending */
    SQL_AGG_MIN_N,
} sql_aggk;

typedef struct sx_agg {
    sql_aggk kind;
    sx *arg;           /* NULL for count(*) */
    sx *arg2;          /* max_by/min_by's key, approx_percentile's percentage; else NULL */
    sx *filter;        /* FILTER (WHERE ...) or NULL */
    bool distinct;
    uint8_t type;      /* result type */
    const sql_expr *src; /* the call, to match it again in SELECT, HAVING, ORDER BY */
} sx_agg;

/* ---- operators ---- */

typedef struct sql_op sql_op;
struct sql_op {
    int (*next)(sql_op *o, const sql_value **row, st_err *e); /* 1 row, 0 end, <0 error */
    void (*close)(sql_op *o);
    size_t ncols;
    uint8_t *types;    /* ncols sql_vtype */
    sql_exec_ctx *x;
};

static inline int sql_op_next(sql_op *o, const sql_value **row, st_err *e) { return o->next(o, row, e); }
void sql_op_close(sql_op *o);

/* Rows given whole (VALUES, SHOW, a FROM-less SELECT's one empty row):
 * borrowed from the caller's arena, which must outlive the operator. */
sql_op *sql_op_values(sql_exec_ctx *x, size_t ncols, const uint8_t *types, const sql_value *rows, size_t nrows);

/* A table of a database read through the query layer. */
typedef struct sql_scan_def {
    st_slice table;
    st_slice *tags;       /* the table's tag keys, sorted: row columns 0..ntags) */
    size_t ntags;
    /* then measure_name (ntags), time (ntags + 1), then the fields */
    st_slice *fields, *metrics; /* the columns as stored and the series names they are stored under */
    const size_t *byname; /* the fields' indexes in the order of their stored names (lookups);
                             NULL: fields are in that order themselves */
    uint8_t *ftypes;      /* st_vtype as stored */
    uint8_t *ctypes;      /* sql_vtype of each field's column */
    bool *read;           /* fields whose series are read (others: NULL) */
    const bool *plain_only; /* NULL, or per field: its series that carry the label measure_name
                             are not read (Timestream's ts_version, hidden) */
    size_t nfields;
    bool measured;        /* some series carry the label measure_name (Timestream's records): a
                             row's measure_name is that label's value, the table's name where a
                             series lacks it; never a tag */
    bool all_fields;      /* every field read: a row exists where any field has a value */
    int64_t mint, maxt;   /* ns, inclusive */
    matcher **matchers;   /* tag conditions every row meets (owned by the operator) */
    size_t nmatchers;
    bool tail;            /* only each tag set's last row is wanted (scan.h's tail): earlier
                             rows may be missing */
} sql_scan_def;

int sql_op_scan(sql_exec_ctx *x, const sql_scan_def *d, sql_op **out, st_err *e);

/* GROUP BY dimensions and one time bucket, with count/sum/avg/min/max of
 * fields, folded straight from a table's series (foldop.c): the planner
 * uses it in place of scan + aggregate when every WHERE condition went
 * into the scan exactly. Rows as sql_op_aggregate gives them: keys, then
 * aggregates (in no order). */
typedef enum sql_fold_key { SQL_FOLD_KEY_TAG = 1, SQL_FOLD_KEY_BUCKET, SQL_FOLD_KEY_MEASURE } sql_fold_key;

typedef struct sql_fold_agg {
    sql_aggk kind;        /* COUNT, SUM, AVG, MIN, MAX; with last: MAX (of time) and MAX_BY (field, time) */
    size_t field;         /* index into scan.fields (SIZE_MAX: time) */
    uint8_t type;         /* result type */
} sql_fold_agg;

typedef struct sql_fold_def {
    sql_scan_def scan;    /* read and all_fields unused; matchers owned by the operator */
    int64_t width;        /* the bucket's width in ns (bin and date_trunc up to day); 0 = no bucket */
    const uint8_t *keys;  /* sql_fold_key of each output key */
    size_t nkeys;
    const size_t *keytags; /* the scan.tags index of each TAG key, in key order */
    sql_fold_agg *aggs;
    size_t naggs;
    bool last;            /* the aggregates are max(time) and max_by(field, time), no bucket:
                             each group's last row, read from the series' newest samples */
    bool ordered;         /* rows in key order (ascending, NULLs last), as an ORDER BY of
                             the keys would put them: its sort then finds them in place */
    int64_t top;          /* > 0: an ORDER BY of the bucket (newest first when top_desc)
                             keeps only this many rows: the rows of the buckets nearest
                             that end until there are that many suffice (more may come) */
    bool top_desc;
} sql_fold_def;

int sql_op_fold(sql_exec_ctx *x, const sql_fold_def *d, sql_op **out, st_err *e);

/* Rows of in for which cond is true. */
sql_op *sql_op_filter(sql_exec_ctx *x, sql_op *in, sx *cond);
/* One row of n expressions per input row. */
sql_op *sql_op_project(sql_exec_ctx *x, sql_op *in, sx **exprs, size_t n);
/* GROUP BY keys with aggregates: rows of (keys..., aggregates...). With no
 * key, one row even for no input (count of nothing is 0). */
sql_op *sql_op_aggregate(sql_exec_ctx *x, sql_op *in, sx **keys, size_t nkeys, sx_agg *aggs, size_t naggs);
/* Distinct rows over the first n columns. */
sql_op *sql_op_distinct(sql_exec_ctx *x, sql_op *in);
/* Sorted by the given columns; NULLs where nulls_first says. */
typedef struct sql_sort_key {
    size_t col;
    bool desc, nulls_first;
} sql_sort_key;
sql_op *sql_op_sort(sql_exec_ctx *x, sql_op *in, const sql_sort_key *keys, size_t nkeys);
/* Skips offset rows, then passes at most limit (-1 = all). */
sql_op *sql_op_limit(sql_exec_ctx *x, sql_op *in, int64_t offset, int64_t limit);
/* The rows of a, then those of b (same column count; types already equal). */
sql_op *sql_op_concat(sql_exec_ctx *x, sql_op *a, sql_op *b);
/* INTERSECT / EXCEPT (distinct): rows of a that are (not) in b. */
sql_op *sql_op_setop(sql_exec_ctx *x, sql_op *a, sql_op *b, bool intersect);

/* Resolves an aggregate call: kind and result type from the name and the
 * argument types (Trino's: sum(bigint) bigint, avg(bigint) double, ...).
 * ST_ENOTFOUND when name is no aggregate (the binder then tries scalar
 * functions); ST_EINVAL with Trino's "Unexpected parameters" otherwise. */
int sql_agg_resolve(st_slice name, const uint8_t *argtypes, size_t nargs, bool distinct, sql_aggk *kind,
                    uint8_t *ret, st_err *e);

/* Joins. The output row is the left row then the right row. With nkeys > 0
 * a hash join on left[lkeys[i]] = right[rkeys[i]] (NULL keys never match;
 * the right side is built, under max_rows); cond (may be NULL) is then
 * evaluated on the joined row. LEFT, RIGHT and FULL pad the missing side
 * with NULLs; CROSS and INNER do not. */
sql_op *sql_op_join(sql_exec_ctx *x, sql_op *l, sql_op *r, sql_join_kind kind, const size_t *lkeys,
                    const size_t *rkeys, size_t nkeys, sx *cond);

/* Window functions over in: each output row is the input row then one
 * column per function. Rows are partitioned by the pcols columns and sorted
 * by the order keys within a partition (the whole partition is held, under
 * max_rows). */
typedef enum sql_winfn {
    SQL_WIN_ROW_NUMBER = 1,
    SQL_WIN_RANK,
    SQL_WIN_DENSE_RANK,
    SQL_WIN_LAG,          /* arg, offset (const, default 1), default (const or NULL) */
    SQL_WIN_LEAD,
    SQL_WIN_FIRST_VALUE,
    SQL_WIN_LAST_VALUE,
    SQL_WIN_AGG,          /* an aggregate over the frame */
    SQL_WIN_PERCENT_RANK, /* (rank - 1) / (rows - 1) */
    SQL_WIN_CUME_DIST,    /* rows up to the current peer group / rows */
    SQL_WIN_NTILE,        /* offset: the number of buckets */
} sql_winfn;

typedef struct sql_win {
    sql_winfn fn;
    sx_agg agg;           /* SQL_WIN_AGG */
    sx *arg;              /* lag/lead/first_value/last_value */
    int64_t offset;       /* lag/lead */
    sx *dflt;             /* lag/lead default, or NULL */
    uint8_t type;
    sql_frame_kind frame; /* SQL_FRAME_NONE: the default (RANGE UNBOUNDED PRECEDING to CURRENT ROW with ORDER BY, else the whole partition) */
    sql_bound_kind start, end;
    int64_t start_n, end_n; /* ROWS n PRECEDING / FOLLOWING */
} sql_win;

sql_op *sql_op_window(sql_exec_ctx *x, sql_op *in, const size_t *pcols, size_t npcols, const sql_sort_key *order,
                      size_t norder, sql_win *fns, size_t nfns);

/* UNNEST(a, ...) beside each row of in (a lateral join): the row, then per
 * argument its element (an array) or its time and value (a timeseries),
 * then the ordinal WITH ORDINALITY; arrays of unequal length are padded
 * with NULLs. outer (LEFT JOIN UNNEST ... ON true): a row whose arrays are
 * all empty or NULL still comes once, padded. */
sql_op *sql_op_unnest(sql_exec_ctx *x, sql_op *in, sx **args, size_t nargs, bool ordinality, bool outer);

/* Copies n values into arena memory (strings too). */
sql_value *sql_row_copy(st_arena *a, const sql_value *row, size_t n);

#endif
