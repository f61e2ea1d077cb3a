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

#endif
