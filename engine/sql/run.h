/* run: one SQL statement from text to rows, for the fronts that speak SQL
 * (server/sqlapi.c: /api/v3/query_sql; later the PostgreSQL wire protocol
 * and Timestream's Query). Parses, plans on the query layer and hands out
 * the answer row by row, so a front streams it and a large answer never
 * sits in memory whole (only what a sort, an aggregation or DISTINCT must
 * hold, under max_rows).
 *
 * Errors carry Timestream's words with the line and column of what is at
 * fault, e.g. "line 1:36: Column 'x' does not exist"; parse errors are
 * Trino's (sql.h). Codes: ST_EINVAL for anything the user wrote wrong
 * (a 400), ST_ENOTFOUND for an unknown database (also a 400 in SQL, worded
 * "Database 'x' does not exist"), ST_ELIMIT / ST_ETIMEOUT / ST_ECANCELED
 * for budgets, others are internal.
 *
 * Invariants:
 *  - a row from sql_cursor_next and the strings it points to stay valid
 *    until the next call on the same cursor;
 *  - column names and types are known once sql_cursor_open returns (before
 *    any row), so a front can write its header first;
 *  - sql_cursor_close releases everything, at any point of the answer.
 *
 * Thread safety: a cursor is used by one thread at a time.
 */
#ifndef ST_SQL_RUN_H
#define ST_SQL_RUN_H

#include "pool.h"
#include "scan.h"
#include "sql/sql.h"
#include "sql/value.h"

typedef struct sql_run_opts {
    store *s;
    const char *db;         /* the default database for unqualified tables; may be NULL */
    int64_t now_ns;         /* 0 = the wall clock at open */
    uint64_t max_rows;      /* rows one sort, aggregation, join or DISTINCT may hold; 0 = none */
    uint64_t max_result_rows; /* rows answered at most: past it ST_ELIMIT; 0 = none */
    scan_budget *budget;    /* samples, deadline, cancellation; NULL = none */
    pool *pool;             /* helpers a fold over many series may borrow; NULL = none */
    unsigned threads;       /* threads one fold may use, its own included; 0 = the cores online */
    const sql_value *params; /* ? and @name parameters, 1-based order (params[0] is the first) */
    size_t nparams;
    /* Whether the caller may read db; NULL: every database. Asked for each
     * database a statement names while it is planned, before anything
     * runs (a refusal is ST_EDENIED, whether or not db exists), and for
     * each one a listing (SHOW DATABASES, information_schema) would show. */
    bool (*may_read)(void *ctx, const char *db);
    void *may_ctx;
} sql_run_opts;

typedef struct sql_cursor sql_cursor;

/* Parses and plans q[0..n). where (may be NULL) gets the position of a
 * parse error. */
int sql_cursor_open(const sql_run_opts *o, const char *q, size_t n, sql_cursor **out, st_err *e, sql_error *where);
size_t sql_cursor_ncols(const sql_cursor *c);
/* Column name (as the user sees it: the alias, the column, or _colN for an
 * unnamed expression as Trino names them) and type. */
st_slice sql_cursor_colname(const sql_cursor *c, size_t i);
sql_vtype sql_cursor_coltype(const sql_cursor *c, size_t i);
/* 1 with *row (ncols values), 0 at the end, <0 on error. */
int sql_cursor_next(sql_cursor *c, const sql_value **row, st_err *e);
/* Rows answered so far. */
uint64_t sql_cursor_rows(const sql_cursor *c);
void sql_cursor_close(sql_cursor *c);

/* SHOW MEASURES's dimensions column is Timestream's
 * array(row(dimension_name varchar, data_type varchar)), a type Strata's
 * values lack: sql_cursor_next gives it as varchar text for the fronts
 * that show it as such (HTTP, PostgreSQL), "[{dimension_name: host,
 * data_type: varchar}, ...]", and these give it structured, for a front
 * that renders an array of rows (Timestream's Query).
 *
 * sql_cursor_col_is_dimensions: whether column col is one (known once the
 * cursor is open, like the column's name and type). */
bool sql_cursor_col_is_dimensions(const sql_cursor *c, size_t col);
/* The dimension names of column col of the row sql_cursor_next gave last,
 * sorted (each one's data_type is varchar): their number, with *names
 * pointing to them (valid as that row is). 0 with *names NULL when col is
 * no dimensions column or no row was given. */
size_t sql_cursor_dimensions(const sql_cursor *c, size_t col, const st_slice **names);

/* The columns of a table as SQL shows them (SELECT *, DESCRIBE and
 * information_schema.columns list them so), for a front's own catalog
 * (PostgreSQL's pg_attribute): Timestream's column categories. */
typedef enum sql_col_category {
    SQL_COL_DIMENSION = 1, /* a tag: varchar */
    SQL_COL_MEASURE_VALUE, /* a single-measure record's measure_value::<type> */
    SQL_COL_MULTI,         /* any other field: a multi-measure attribute, a line-protocol field */
    SQL_COL_MEASURE_NAME,  /* measure_name: varchar */
    SQL_COL_TIMESTAMP,     /* time: timestamp */
} sql_col_category;

/* "DIMENSION", "MEASURE_VALUE", "MULTI", "MEASURE_NAME", "TIMESTAMP". */
const char *sql_col_category_name(sql_col_category c);

typedef struct sql_table_col {
    st_slice name;
    sql_vtype type;
    sql_col_category category;
} sql_table_col;

/* db.table's columns into *cols (n of them; arrays and names in a): none
 * when there is no such table. An unknown database is ST_ENOTFOUND. The
 * query layer keeps what this is derived from (scan.h's schema): a call
 * costs a copy and a pass over the columns. */
int sql_table_columns(store *s, const char *db, st_slice table, st_arena *a, sql_table_col **cols, size_t *n,
                      st_err *e);

#endif
