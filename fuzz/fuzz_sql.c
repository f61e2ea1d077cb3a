/* Fuzz target: the SQL parser (engine/sql) on arbitrary bytes.
 *
 * Beyond "never crash, never leak, never read outside the input":
 *  - an error is ST_EINVAL with Trino's "line L:C: " prefix;
 *  - a statement prints to a fixed point: parse -> format -> parse succeeds,
 *    gives an equal tree (sql_stmt_equal), and prints the same text again;
 *  - the statement's height respects SQL_MAX_DEPTH;
 *  - the standalone-expression entry point obeys the same rules.
 */
#include "sql/sql.h"

#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_error(int rc, const st_err *e)
{
    if (rc != ST_EINVAL || strncmp(e->msg, "line ", 5) != 0) abort();
}

static void check_stmt(st_arena *a, const sql_stmt *s)
{
    if (s->kind == SQL_S_QUERY && s->query->height > SQL_MAX_DEPTH) abort();
    st_buf b1 = {0}, b2 = {0};
    sql_format(s, &b1);
    sql_stmt *s2;
    st_err e;
    if (sql_parse((const char *)b1.p, b1.len, a, &s2, &e) != 0) abort();
    if (!sql_stmt_equal(s, s2)) abort();
    sql_format(s2, &b2);
    if (b1.len != b2.len || memcmp(b1.p, b2.p, b1.len) != 0) abort();
    st_buf_free(&b1);
    st_buf_free(&b2);
}

static void check_expr(st_arena *a, const sql_expr *x)
{
    if (x->height > SQL_MAX_DEPTH) abort();
    st_buf b1 = {0}, b2 = {0};
    sql_expr_format(x, &b1);
    sql_expr *x2;
    st_err e;
    if (sql_parse_expr((const char *)b1.p, b1.len, a, &x2, &e) != 0) abort();
    if (!sql_expr_equal(x, x2)) abort();
    sql_expr_format(x2, &b2);
    if (b1.len != b2.len || memcmp(b1.p, b2.p, b1.len) != 0) abort();
    st_buf_free(&b1);
    st_buf_free(&b2);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > 8192) return 0;
    /* a private copy, so that reading one byte past the end is caught */
    char *q = malloc(size ? size : 1);
    if (size) memcpy(q, data, size);
    st_arena *a = st_arena_new(4096);
    sql_stmt *s;
    sql_expr *x;
    st_err e;
    int rc = sql_parse(q, size, a, &s, &e);
    if (rc != 0) check_error(rc, &e);
    else check_stmt(a, s);
    rc = sql_parse_expr(q, size, a, &x, &e);
    if (rc != 0) check_error(rc, &e);
    else check_expr(a, x);
    st_arena_free(a);
    free(q);
    return 0;
}
