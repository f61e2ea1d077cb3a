/* plan_int: what the SQL planner's files share (bind.c binds expressions,
 * plan.c turns queries into operator trees, run.c runs statements).
 *
 * A relation's columns are pcols: the qualifier a query may name them by
 * (the table's alias or name), the name, the type. The binder resolves a
 * column reference against them and never against anything else; the
 * grouped view (after GROUP BY) and the window view map expressions onto
 * the aggregate operator's and the window operator's output columns.
 */
#ifndef ST_SQL_PLAN_INT_H
#define ST_SQL_PLAN_INT_H

#include "catalog.h"
#include "sql/exec.h"
#include "sql/fn.h"
#include "sql/run.h"

typedef struct pcol {
    st_slice qual;  /* alias or table name; empty for a derived column with no qualifier */
    st_slice name;
    uint8_t type;
    bool hidden;    /* not found unqualified, not in `*` (the right column of USING) */
} pcol;

typedef struct sqlplan_cte {
    st_slice name;
    const sql_with *w;
    struct sqlplan_cte *next;
} sqlplan_cte;

/* The outer row's values a correlated subquery reads, while it is
 * planned for that row. */
typedef struct sqlcorr {
    sql_expr **refs;           /* the outer column references, as written */
    const sql_value *vals;
    size_t n;
} sqlcorr;

typedef struct bscope bscope;

typedef struct sqlplan {
    sql_exec_ctx *x;
    st_arena *a;               /* lives as long as the cursor */
    const sql_run_opts *o;
    st_err *e;
    st_buf *explain;           /* the plan described line by line, or NULL */
    int explain_depth;
    sqlplan_cte *ctes;
    sx **roots;                /* every bound expression, released at close */
    size_t nroots, caproots;
    int depth;                 /* nested subqueries planned */
    /* a subquery planned once to learn whether it is correlated: names
     * it cannot resolve are looked up in probe and collected */
    const bscope *probe;
    sql_expr **probe_refs;
    uint8_t *probe_types;
    size_t nprobe, capprobe;
    const sqlcorr *corr;       /* a correlated subquery planned for one outer row */
    /* while a constant is folded for pushdown: the relation's own columns,
     * which are never outer references */
    const pcol *local;
    size_t nlocal;
} sqlplan;

/* How an expression sees its input. */
struct bscope {
    const pcol *cols;
    size_t ncols;
    /* grouped: the aggregate operator's output (keys, then aggregates) */
    bool grouped;
    sql_expr **keys;
    size_t nkeys;
    const int *keycol;         /* input column of each key when it is a bare column, else -1 */
    const uint8_t *keytypes;
    sql_expr **aggs;
    const uint8_t *aggtypes;
    size_t naggs;
    /* window functions' columns, when a window operator ran */
    sql_expr **wins;
    const uint8_t *wintypes;
    const size_t *wincol;      /* the window operator's column of each */
    size_t nwins;
    /* output columns ORDER BY may name (NULL elsewhere) */
    bool in_aggregate;         /* binding an aggregate's argument */
};

/* bind.c */
int sqlplan_fail(sqlplan *p, uint32_t line, uint32_t col, int code, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));
void *sqlplan_alloc(sqlplan *p, size_t n);
int sqlplan_bind(sqlplan *p, const bscope *sc, const sql_expr *ex, sx **out);
/* Bound root: registered for release at close. */
int sqlplan_bind_root(sqlplan *p, const bscope *sc, const sql_expr *ex, sx **out);
sx *sqlplan_cast(sqlplan *p, sx *x, uint8_t to);
sx *sqlplan_col(sqlplan *p, size_t index, uint8_t type);
sx *sqlplan_const(sqlplan *p, sql_value v);
/* Evaluates a constant expression (no column) now. */
int sqlplan_eval_const(sqlplan *p, const sx *x, sql_value *out);
bool sqlplan_is_aggregate_name(st_slice name);
bool sqlplan_is_window_name(st_slice name);
/* Collects aggregate calls (outside subqueries and not over windows) and
 * window calls of ex, each once (sql_expr_equal). */
void sqlplan_collect(sqlplan *p, const sql_expr *ex, sql_expr ***aggs, size_t *naggs, size_t *capaggs, sql_expr ***wins,
                  size_t *nwins, size_t *capwins);
int sqlplan_vtype_of(sqlplan *p, const sql_type *t, uint8_t *out);
/* Runs an uncorrelated subquery to the end: rows of ncols values. With
 * p->probe set, a subquery that reads the probe's columns is not run:
 * 1, with p->probe_refs filled and *ncols, *types set. */
int sqlplan_run_subquery(sqlplan *p, const sql_query *q, uint64_t max, sql_value **rows, size_t *nrows, size_t *ncols,
                      uint8_t **types);
/* Finds column name (qualified by qual when qual.n) among cols: its index,
 * -1 when absent, -2 when ambiguous. */
int sqlplan_find_col(const pcol *cols, size_t n, st_slice qual, st_slice name);

/* lambda.c */
int sqlplan_bind_array(sqlplan *p, const bscope *sc, const sql_expr *ex, sx **out);
int sqlplan_bind_subscript(sqlplan *p, const bscope *sc, const sql_expr *ex, sx **out);
/* filter, reduce, transform: ST_ENOTFOUND for another name. */
int sqlplan_bind_lambda_call(sqlplan *p, const bscope *sc, const sql_expr *ex, sx **out);

/* plan.c */
typedef struct prel {
    sql_op *op;
    pcol *cols;
    size_t ncols;
} prel;
int sqlplan_plan_query(sqlplan *p, const sql_query *q, prel *out);
void sqlplan_explain(sqlplan *p, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#endif
