/* ops_int: what the executor's operator files (ops.c, agg.c, join.c,
 * window.c, scanop.c) share: a hash index of row numbers (htab.h), row hashing and
 * equality, the held-rows limit, budget polling, and the stable sort.
 * Private to engine/sql. */
#ifndef ST_SQL_OPS_INT_H
#define ST_SQL_OPS_INT_H

#include "htab.h"
#include "sql/exec.h"

uint64_t sql_row_hash(const sql_value *row, size_t n);
/* Grouping equality of n values (NULL equals NULL). */
bool sql_row_same(const sql_value *a, const sql_value *b, size_t n);

/* Counts one more held row; ST_ELIMIT naming the operator past max_rows. */
int sql_ops_hold(sql_exec_ctx *x, uint64_t *held, const char *what, st_err *e);
/* Polls the budget every 1024th call (the deadline check reads a clock). */
int sql_ops_poll(sql_exec_ctx *x, uint64_t *tick, st_err *e);

/* Order of two rows by keys: Trino's NULL placement is absolute (NULLS
 * FIRST puts NULLs first whatever the direction). */
int sql_rows_cmp(const sql_value *a, const sql_value *b, const sql_sort_key *keys, size_t nkeys);
/* A stable merge sort of row pointers by keys; polls the budget. */
int sql_rows_sort(sql_exec_ctx *x, sql_value **rows, size_t n, const sql_sort_key *keys, size_t nkeys,
                  st_err *e);

/* ORDER BY keys LIMIT limit (an OFFSET goes into limit: the caller skips
 * it with sql_op_limit above): only the best limit rows are held, in a
 * heap, so ORDER BY t DESC LIMIT 10 over millions of rows holds ten. Ties
 * keep input order, as sql_op_sort. A limit past 2^24 (or < 0) is a plain
 * sort. For the planner; exec.h may take it over. */
sql_op *sql_op_sort_limit(sql_exec_ctx *x, sql_op *in, const sql_sort_key *keys, size_t nkeys, int64_t limit);

/* The index of the field column col of a table scan (d->fields sorted), or -1. */
long sql_scan_field(const sql_scan_def *d, st_slice col);

/* ---- aggregate state (agg.c), shared with window.c ---- */

/* The running state of one aggregate over one group (or window frame). */
typedef struct sql_aggst {
    int64_t n;          /* values taken (count, avg, variance, ...) */
    int64_t i;          /* bigint and interval sums */
    __int128 wide;      /* avg(bigint): a sum that cannot overflow */
    double d;           /* double sums, geometric mean's sum of logs */
    double mean, m2;    /* Welford's running mean and sum of squared deviations */
    bool has, b;
    sql_value v, k;     /* min, max, arbitrary; max_by/min_by's value and key */
    char *vbuf, *kbuf;  /* own copies of v's and k's varchar bytes */
    size_t vcap, kcap;
    st_arena *vcomp, *kcomp; /* own copies of v's and k's arrays (reset on each change) */
    /* DISTINCT and approx_distinct: the values seen */
    htab seen;
    sql_value *seenv;
    size_t nseen, capseen;
    st_arena *seen_a;
    /* approx_percentile, array_agg, max/min(x, n), create_time_series: the
     * values (strings and composites copied into seen_a), and the times */
    sql_value *vals;
    int64_t *times;
    size_t nvals, capvals;
    double p;
    bool has_p;
} sql_aggst;

void sql_agg_init(sql_aggst *s);
/* Takes one input row's arguments (v NULL for count(*); v2 the second
 * argument or NULL). held counts values kept (DISTINCT, percentiles)
 * against max_rows under the name what. */
int sql_agg_add(sql_exec_ctx *x, const sx_agg *ag, sql_aggst *s, const sql_value *v, const sql_value *v2,
                uint64_t *held, const char *what, st_err *e);
/* The result; strings point into the state (valid until sql_agg_free). */
int sql_agg_final(const sx_agg *ag, sql_aggst *s, sql_value *out, st_err *e);
void sql_agg_free(sql_aggst *s);
/* Evaluates an aggregate's FILTER and arguments on a row and adds them:
 * the common path of GROUP BY and windows. ev is reset by the caller. */
int sql_agg_step(sql_exec_ctx *x, const sx_agg *ag, sql_aggst *s, const sql_value *row, st_arena *ev,
                 uint64_t *held, const char *what, st_err *e);

#endif
