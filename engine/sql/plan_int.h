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

/* table.c: a table as SQL shows it (README.md, "Tables"), derived on
 * each call from the schema the query layer keeps: the dimensions, and
 * the fields (stored columns) in the order SQL lists them, each with its
 * SQL name, type and category. */
typedef struct sqltable {
    st_slice *tags;            /* dimensions, sorted: the labels but __name__ and measure_name */
    size_t ntags;
    st_slice *fields, *metrics; /* stored columns and their series names, in SQL's order */
    uint8_t *ftypes;           /* st_vtype */
    st_slice *names;           /* SQL names (a::timestamp is a) */
    uint8_t *ctypes;           /* sql_vtype */
    uint8_t *cats;             /* SQL_COL_MEASURE_VALUE or SQL_COL_MULTI */
    bool *plain_only;          /* NULL, or per field (see sql_scan_def) */
    size_t *byname;            /* the fields' indexes by stored name */
    size_t nfields;            /* 0: no such table */
    bool measured;             /* some series carry the label measure_name */
} sqltable;

/* Arrays and strings in a; an unknown database is ST_ENOTFOUND. */
int sqltable_get(store *s, const char *db, st_slice table, st_arena *a, sqltable *out, st_err *e);
/* Unquoted names are lowercased by the parser, but Timestream's users
 * write FROM sampleDB.DevOps (and Grafana sends provisioned names bare):
 * a name written unquoted that names nothing as it is names the database
 * (or table) it equals ignoring case, when exactly one does. db is
 * rewritten in place (cap bytes); a table's name is given back in a. */
void sqltable_fold_db(store *s, char *db, size_t cap);
st_slice sqltable_fold_table(store *s, const char *db, st_slice table, st_arena *a);
/* The SQL type of a stored value type (unsigned reads as bigint). */
uint8_t sqltable_ctype(uint8_t st);

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
/* plan_from.c: FROM's relations. A scan leaf stays a definition until
 * WHERE has been pushed into it and GROUP BY has had the chance to fold
 * it; then it is materialized into an operator. */
enum { PN_SCAN = 1, PN_REL, PN_JOIN, PN_UNNEST };

typedef struct pnode {
    int kind;
    pcol *cols;
    size_t ncols;
    /* PN_SCAN */
    sql_scan_def def;
    st_slice table;
    const char *db;
    size_t time_col, ntags; /* tags are columns 0..ntags, in the node */
    matcher **m;
    size_t nm, capm;
    bool empty;             /* a condition no row meets (another measure_name) */
    /* PN_REL */
    prel rel;
    /* PN_JOIN; PN_UNNEST: l is the relation it reads (NULL: one empty row) */
    sql_join_kind jk;
    struct pnode *l, *r;
    const sql_relation *src;
    /* PN_UNNEST */
    sx **uargs;
    size_t nuargs;
    bool outer;
} pnode;

int sqlplan_relation(sqlplan *p, const sql_relation *r, pnode **out);
/* UNNEST(...) over left's rows (NULL: one empty row). */
int sqlplan_unnest(sqlplan *p, const sql_relation *r, pnode *left, bool outer, pnode **out);
/* Narrows from's scans by one WHERE conjunct: true when the scan then
 * meets it exactly (the filter could be dropped). */
bool sqlplan_push(sqlplan *p, pnode *from, const sql_expr *c);
void sqlplan_conjuncts(sqlplan *p, const sql_expr *ex, const sql_expr ***v, size_t *n, size_t *cap);
int sqlplan_materialize(sqlplan *p, pnode *n, prel *out);
void sqlplan_free_pnode(pnode *n);
void sqlplan_explain_scan(sqlplan *p, const char *what, const pnode *n, int64_t mint, int64_t maxt, const char *more);
bool sqlplan_const_value(sqlplan *p, const sql_expr *ex, sql_value *out);
int sqlplan_column_of(const pnode *from, const sql_expr *ex);
st_slice sqlplan_keep(sqlplan *p, st_slice s);
const char *sqlplan_expr_text(sqlplan *p, const sql_expr *ex);
/* The names a query mentions anywhere (a superset of the fields it reads). */
typedef struct mentions {
    st_slice *v;
    size_t n, cap;
    bool star;
} mentions;
void sqlplan_mention_query(sqlplan *p, const sql_query *q, mentions *m);
void sqlplan_mark_read(pnode *n, const bool *any_star, st_slice *names, size_t nnames);

int sqlplan_plan_query(sqlplan *p, const sql_query *q, prel *out);
void sqlplan_explain(sqlplan *p, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#endif
