/* Tests for the SQL executor's operators over given rows (ops.c, agg.c,
 * join.c, window.c): each operator's exact answer, NULL handling, empty
 * inputs, the held-rows limit, the budget, aggregates with Trino's
 * semantics, join kinds with NULL keys, window frames.
 *
 * An operator's whole answer is printed as "a|b;c|d" (sqlv_format per
 * value, NULL as NULL) and compared with the expected text, so a wrong
 * value, a wrong order or a missing row all show. Expressions are built by
 * hand (columns, constants, comparisons) as the binder would bind them. */
#include <math.h>

#include "sql/exec.h"
#include "sql/ops_int.h"

#include "testlib.h"

static st_arena *A;

/* ---- values and expressions ---- */

static sql_value I(int64_t i) { return sqlv_int(SQLT_BIGINT, i); }
static sql_value D(double d) { return sqlv_double(d); }
static sql_value B(bool b) { return sqlv_bool(b); }
static sql_value S(const char *s) { return sqlv_str(st_slice_cstr(s)); }
static sql_value N(sql_vtype t) { return sqlv_null(t); }
static sql_value TS(int64_t i) { return sqlv_int(SQLT_TIMESTAMP, i); }

static sx *col(uint32_t i, sql_vtype t)
{
    sx *x = st_arena_alloc(A, sizeof *x);
    memset(x, 0, sizeof *x);
    x->kind = SX_COL;
    x->index = i;
    x->type = (uint8_t)t;
    return x;
}

static sx *konst(sql_value v)
{
    sx *x = st_arena_alloc(A, sizeof *x);
    memset(x, 0, sizeof *x);
    x->kind = SX_CONST;
    x->k = v;
    x->type = v.type;
    return x;
}

static sx *cmp(int op, sx *a, sx *b)
{
    sx *x = st_arena_alloc(A, sizeof *x);
    memset(x, 0, sizeof *x);
    x->kind = SX_CMP;
    x->op = op;
    x->type = SQLT_BOOLEAN;
    x->args = st_arena_alloc(A, 2 * sizeof *x->args);
    x->args[0] = a;
    x->args[1] = b;
    x->nargs = 2;
    return x;
}

/* An operator over rows (ncols values each, flat). */
static sql_op *vals(sql_exec_ctx *x, size_t ncols, const uint8_t *types, const sql_value *rows, size_t nrows)
{
    sql_value *copy = st_arena_alloc(A, (ncols * nrows + 1) * sizeof *copy);
    if (nrows) memcpy(copy, rows, ncols * nrows * sizeof *copy);
    return sql_op_values(x, ncols, types, copy, nrows);
}

/* Every row of o as text; closes o. On an error: "ERR <code> <message>". */
static char *run(sql_op *o)
{
    st_buf b = {0};
    st_err e = {0};
    const sql_value *r;
    int rc, n = 0;
    while ((rc = sql_op_next(o, &r, &e)) == 1) {
        if (n++) st_buf_putc(&b, ';');
        for (size_t i = 0; i < o->ncols; i++) {
            if (i) st_buf_putc(&b, '|');
            sqlv_format(&r[i], &b);
        }
    }
    if (rc < 0) {
        b.len = 0;
        st_buf_printf(&b, "ERR %d %s", rc, e.msg);
    }
    sql_op_close(o);
    char *s = st_arena_strndup(A, b.p ? (const char *)b.p : "", b.len);
    st_buf_free(&b);
    return s;
}

#define CHECK_ROWS(op, want)                                                   \
    do {                                                                       \
        const char *tl_got = run(op), *tl_want = (want);                       \
        CHECK_MSG(strcmp(tl_got, tl_want) == 0, "\n   got  %s\n   want %s", tl_got, tl_want); \
    } while (0)

static sql_exec_ctx X = {.now_ns = 1};

static const uint8_t T_IS[] = {SQLT_BIGINT, SQLT_VARCHAR};
static const uint8_t T_I[] = {SQLT_BIGINT};

/* (1,a) (2,NULL) (NULL,b) (3,a) (2,c) */
static sql_op *five(sql_exec_ctx *x)
{
    sql_value r[] = {I(1), S("a"), I(2), N(SQLT_VARCHAR), N(SQLT_BIGINT), S("b"), I(3), S("a"), I(2), S("c")};
    return vals(x, 2, T_IS, r, 5);
}

/* ---- simple operators ---- */

static void test_values_limit_concat(void)
{
    CHECK_ROWS(five(&X), "1|a;2|NULL;NULL|b;3|a;2|c");
    CHECK_ROWS(vals(&X, 2, T_IS, NULL, 0), "");
    CHECK_ROWS(sql_op_limit(&X, five(&X), 1, 2), "2|NULL;NULL|b");
    CHECK_ROWS(sql_op_limit(&X, five(&X), 0, 0), "");
    CHECK_ROWS(sql_op_limit(&X, five(&X), 4, -1), "2|c");
    CHECK_ROWS(sql_op_limit(&X, five(&X), 9, 3), "");
    sql_value a[] = {I(7), S("x")};
    CHECK_ROWS(sql_op_concat(&X, vals(&X, 2, T_IS, a, 1), sql_op_limit(&X, five(&X), 0, 2)), "7|x;1|a;2|NULL");
    CHECK_ROWS(sql_op_concat(&X, vals(&X, 2, T_IS, NULL, 0), vals(&X, 2, T_IS, NULL, 0)), "");
    /* a FROM-less SELECT's one row of no columns */
    sql_op *one = sql_op_values(&X, 0, NULL, NULL, 1);
    const sql_value *r;
    CHECK_EQ_INT(sql_op_next(one, &r, NULL), 1);
    CHECK_EQ_INT(sql_op_next(one, &r, NULL), 0);
    sql_op_close(one);
}

static void test_filter_project(void)
{
    /* c0 >= 2: NULL is not true */
    CHECK_ROWS(sql_op_filter(&X, five(&X), cmp(SQL_OP_GE, col(0, SQLT_BIGINT), konst(I(2)))), "2|NULL;3|a;2|c");
    /* c1 = 'a' */
    CHECK_ROWS(sql_op_filter(&X, five(&X), cmp(SQL_OP_EQ, col(1, SQLT_VARCHAR), konst(S("a")))), "1|a;3|a");
    CHECK_ROWS(sql_op_filter(&X, five(&X), konst(B(false))), "");
    CHECK_ROWS(sql_op_filter(&X, five(&X), konst(N(SQLT_BOOLEAN))), "");
    sx *ex[] = {col(1, SQLT_VARCHAR), konst(D(1.5)), col(0, SQLT_BIGINT), cmp(SQL_OP_LT, col(0, SQLT_BIGINT), konst(I(2)))};
    sql_op *p = sql_op_project(&X, five(&X), ex, 4);
    CHECK_EQ_INT(p->ncols, 4);
    CHECK_EQ_INT(p->types[0], SQLT_VARCHAR);
    CHECK_EQ_INT(p->types[1], SQLT_DOUBLE);
    CHECK_EQ_INT(p->types[3], SQLT_BOOLEAN);
    CHECK_ROWS(p, "a|1.5|1|true;NULL|1.5|2|false;b|1.5|NULL|NULL;a|1.5|3|false;c|1.5|2|false");
}

static void test_distinct(void)
{
    sx *ex[] = {col(1, SQLT_VARCHAR)};
    CHECK_ROWS(sql_op_distinct(&X, sql_op_project(&X, five(&X), ex, 1)), "a;NULL;b;c");
    CHECK_ROWS(sql_op_distinct(&X, five(&X)), "1|a;2|NULL;NULL|b;3|a;2|c");
    /* doubles: -0.0 and 0.0 are one value, NaN equals NaN */
    static const uint8_t td[] = {SQLT_DOUBLE};
    sql_value r[] = {D(0.0), D(-0.0), D(NAN), D(NAN), N(SQLT_DOUBLE), N(SQLT_DOUBLE), D(1)};
    CHECK_ROWS(sql_op_distinct(&X, vals(&X, 1, td, r, 7)), "0.0;NaN;NULL;1.0");
    CHECK_ROWS(sql_op_distinct(&X, vals(&X, 2, T_IS, NULL, 0)), "");
    /* the limit counts distinct rows held: 4 of them pass 3 */
    sql_exec_ctx lim = {.max_rows = 3};
    CHECK_ROWS(sql_op_distinct(&lim, sql_op_project(&lim, five(&lim), ex, 1)),
               "ERR -4 Query exceeded the maximum of 3 rows held by DISTINCT (--sql-max-rows)");
    sql_exec_ctx lim4 = {.max_rows = 4};
    CHECK_ROWS(sql_op_distinct(&lim4, sql_op_project(&lim4, five(&lim4), ex, 1)), "a;NULL;b;c");
}

static void test_sort(void)
{
    sql_sort_key k1[] = {{.col = 0}};
    /* ascending, NULLS LAST (Trino's default for ASC); ties keep input order */
    CHECK_ROWS(sql_op_sort(&X, five(&X), k1, 1), "1|a;2|NULL;2|c;3|a;NULL|b");
    sql_sort_key k2[] = {{.col = 0, .desc = true, .nulls_first = true}};
    CHECK_ROWS(sql_op_sort(&X, five(&X), k2, 1), "NULL|b;3|a;2|NULL;2|c;1|a");
    sql_sort_key k3[] = {{.col = 0, .desc = true, .nulls_first = false}};
    CHECK_ROWS(sql_op_sort(&X, five(&X), k3, 1), "3|a;2|NULL;2|c;1|a;NULL|b");
    /* two keys: c1 asc nulls first, then c0 desc */
    sql_sort_key k4[] = {{.col = 1, .nulls_first = true}, {.col = 0, .desc = true}};
    CHECK_ROWS(sql_op_sort(&X, five(&X), k4, 2), "2|NULL;3|a;1|a;NULL|b;2|c");
    CHECK_ROWS(sql_op_sort(&X, vals(&X, 2, T_IS, NULL, 0), k1, 1), "");
    /* doubles: NaN after every number */
    static const uint8_t td[] = {SQLT_DOUBLE};
    sql_value r[] = {D(NAN), D(2), D(-INFINITY), D(INFINITY), D(-1)};
    CHECK_ROWS(sql_op_sort(&X, vals(&X, 1, td, r, 5), k1, 1), "-Infinity;-1.0;2.0;Infinity;NaN");
    /* stability over many rows: key c0 = i % 3, c1 = i; within a key, c1 ascends */
    enum { M = 3000 };
    static const uint8_t tii[] = {SQLT_BIGINT, SQLT_BIGINT};
    sql_value *many = st_arena_alloc(A, 2 * M * sizeof *many);
    for (int i = 0; i < M; i++) {
        many[2 * i] = I((M - i) % 3);
        many[2 * i + 1] = I(i);
    }
    sql_op *s = sql_op_sort(&X, vals(&X, 2, tii, many, M), k1, 1);
    const sql_value *row;
    int64_t prevk = -1, prevv = -1;
    bool ok = true;
    int n = 0;
    while (sql_op_next(s, &row, NULL) == 1) {
        if (row[0].u.i < prevk || (row[0].u.i == prevk && row[1].u.i <= prevv)) ok = false;
        prevk = row[0].u.i;
        prevv = row[1].u.i;
        n++;
    }
    sql_op_close(s);
    CHECK(ok);
    CHECK_EQ_INT(n, M);
    sql_exec_ctx lim = {.max_rows = 4};
    CHECK_ROWS(sql_op_sort(&lim, five(&lim), k1, 1),
               "ERR -4 Query exceeded the maximum of 4 rows held by ORDER BY (--sql-max-rows)");
    /* a budget past its deadline stops a long sort */
    scan_budget bud = {.deadline_ns = 1};
    scan_budget_init(&bud);
    sql_exec_ctx late = {.budget = &bud};
    const char *got = run(sql_op_sort(&late, vals(&late, 2, tii, many, M), k1, 1));
    CHECK_MSG(!strncmp(got, "ERR -12 ", 8), "%s", got);
}

/* ORDER BY ... LIMIT n through the heap: the same rows as a full sort's
 * first n, ties in input order, strings owned. */
static void test_sort_limit(void)
{
    sql_sort_key k1[] = {{.col = 0}};
    CHECK_ROWS(sql_op_sort_limit(&X, five(&X), k1, 1, 3), "1|a;2|NULL;2|c");
    sql_sort_key k2[] = {{.col = 0, .desc = true, .nulls_first = true}};
    CHECK_ROWS(sql_op_sort_limit(&X, five(&X), k2, 1, 2), "NULL|b;3|a");
    CHECK_ROWS(sql_op_sort_limit(&X, five(&X), k1, 1, 0), "");
    CHECK_ROWS(sql_op_sort_limit(&X, five(&X), k1, 1, 99), "1|a;2|NULL;2|c;3|a;NULL|b");
    CHECK_ROWS(sql_op_sort_limit(&X, five(&X), k1, 1, -1), "1|a;2|NULL;2|c;3|a;NULL|b");
    /* pseudo-random keys with many ties and NULLs, strings: against the full sort */
    enum { M = 2000 };
    sql_value *rows = st_arena_alloc(A, 2 * M * sizeof *rows);
    uint64_t r = 88172645463325252ull;
    for (int i = 0; i < M; i++) {
        r ^= r << 13, r ^= r >> 7, r ^= r << 17;
        rows[2 * i] = r % 11 == 0 ? N(SQLT_BIGINT) : I((int64_t)(r % 50));
        char *str = st_arena_alloc(A, 16);
        snprintf(str, 16, "r%d", i);
        rows[2 * i + 1] = S(str);
    }
    sql_sort_key ks[][1] = {{{.col = 0}}, {{.col = 0, .desc = true}}, {{.col = 0, .nulls_first = true}},
                            {{.col = 0, .desc = true, .nulls_first = true}}};
    int64_t lims[] = {1, 7, 100, 1999, 2000, 5000};
    for (size_t k = 0; k < 4; k++)
        for (size_t l = 0; l < 6; l++) {
            char *full = run(sql_op_limit(&X, sql_op_sort(&X, vals(&X, 2, T_IS, rows, M), ks[k], 1), 0, lims[l]));
            char *top = run(sql_op_sort_limit(&X, vals(&X, 2, T_IS, rows, M), ks[k], 1, lims[l]));
            CHECK_MSG(!strcmp(full, top), "keys %zu limit %lld", k, (long long)lims[l]);
        }
    sql_exec_ctx lim = {.max_rows = 2};
    CHECK_ROWS(sql_op_sort_limit(&lim, five(&lim), k1, 1, 2), "1|a;2|NULL");
    CHECK_ROWS(sql_op_sort_limit(&lim, five(&lim), k1, 1, 3),
               "ERR -4 Query exceeded the maximum of 2 rows held by ORDER BY (--sql-max-rows)");
}

static void test_setop(void)
{
    sql_value a[] = {I(1), S("a"), I(1), S("a"), I(2), N(SQLT_VARCHAR), I(3), S("c"), I(4), S("d")};
    sql_value b[] = {I(2), N(SQLT_VARCHAR), I(1), S("a"), I(9), S("z")};
    /* distinct: duplicates of a answered once; NULLs equal in set operations */
    CHECK_ROWS(sql_op_setop(&X, vals(&X, 2, T_IS, a, 5), vals(&X, 2, T_IS, b, 3), true), "1|a;2|NULL");
    CHECK_ROWS(sql_op_setop(&X, vals(&X, 2, T_IS, a, 5), vals(&X, 2, T_IS, b, 3), false), "3|c;4|d");
    CHECK_ROWS(sql_op_setop(&X, vals(&X, 2, T_IS, a, 5), vals(&X, 2, T_IS, NULL, 0), false), "1|a;2|NULL;3|c;4|d");
    CHECK_ROWS(sql_op_setop(&X, vals(&X, 2, T_IS, NULL, 0), vals(&X, 2, T_IS, b, 3), true), "");
}

/* ---- aggregates ---- */

static sx_agg AG(sql_aggk k, sx *arg, uint8_t type)
{
    sx_agg a = {.kind = k, .arg = arg, .type = type};
    return a;
}

static void test_agg_resolve(void)
{
    sql_aggk k;
    uint8_t r;
    st_err e = {0};
    uint8_t bi[] = {SQLT_BIGINT}, db[] = {SQLT_DOUBLE}, vc[] = {SQLT_VARCHAR}, bo[] = {SQLT_BOOLEAN},
            vd[] = {SQLT_VARCHAR, SQLT_DOUBLE}, dd[] = {SQLT_DOUBLE, SQLT_DOUBLE}, ts[] = {SQLT_TIMESTAMP};
    CHECK_OK(sql_agg_resolve(st_slice_cstr("count"), NULL, 0, false, &k, &r, &e));
    CHECK(k == SQL_AGG_COUNT_STAR && r == SQLT_BIGINT);
    CHECK_OK(sql_agg_resolve(st_slice_cstr("count"), vc, 1, true, &k, &r, &e));
    CHECK(k == SQL_AGG_COUNT && r == SQLT_BIGINT);
    CHECK_OK(sql_agg_resolve(st_slice_cstr("sum"), bi, 1, false, &k, &r, &e));
    CHECK(k == SQL_AGG_SUM && r == SQLT_BIGINT);
    CHECK_OK(sql_agg_resolve(st_slice_cstr("sum"), db, 1, false, &k, &r, &e));
    CHECK(r == SQLT_DOUBLE);
    CHECK_OK(sql_agg_resolve(st_slice_cstr("avg"), bi, 1, false, &k, &r, &e));
    CHECK(k == SQL_AGG_AVG && r == SQLT_DOUBLE);
    CHECK_OK(sql_agg_resolve(st_slice_cstr("max"), vc, 1, false, &k, &r, &e));
    CHECK(k == SQL_AGG_MAX && r == SQLT_VARCHAR);
    CHECK_OK(sql_agg_resolve(st_slice_cstr("min"), ts, 1, false, &k, &r, &e));
    CHECK(k == SQL_AGG_MIN && r == SQLT_TIMESTAMP);
    CHECK_OK(sql_agg_resolve(st_slice_cstr("every"), bo, 1, false, &k, &r, &e));
    CHECK(k == SQL_AGG_BOOL_AND && r == SQLT_BOOLEAN);
    CHECK_OK(sql_agg_resolve(st_slice_cstr("stddev_samp"), bi, 1, false, &k, &r, &e));
    CHECK(k == SQL_AGG_STDDEV && r == SQLT_DOUBLE);
    CHECK_OK(sql_agg_resolve(st_slice_cstr("var_pop"), db, 1, false, &k, &r, &e));
    CHECK(k == SQL_AGG_VAR_POP);
    CHECK_OK(sql_agg_resolve(st_slice_cstr("max_by"), vd, 2, false, &k, &r, &e));
    CHECK(k == SQL_AGG_MAX_BY && r == SQLT_VARCHAR);
    CHECK_OK(sql_agg_resolve(st_slice_cstr("approx_percentile"), dd, 2, false, &k, &r, &e));
    CHECK(k == SQL_AGG_APPROX_PERCENTILE && r == SQLT_DOUBLE);
    CHECK_OK(sql_agg_resolve(st_slice_cstr("approx_distinct"), vc, 1, false, &k, &r, &e));
    CHECK(k == SQL_AGG_APPROX_DISTINCT && r == SQLT_BIGINT);
    CHECK_OK(sql_agg_resolve(st_slice_cstr("count_if"), bo, 1, false, &k, &r, &e));
    CHECK(k == SQL_AGG_COUNT_IF);
    CHECK_OK(sql_agg_resolve(st_slice_cstr("geometric_mean"), bi, 1, false, &k, &r, &e));
    CHECK(k == SQL_AGG_GEOMETRIC_MEAN && r == SQLT_DOUBLE);
    CHECK_EQ_INT(sql_agg_resolve(st_slice_cstr("abs"), bi, 1, false, &k, &r, &e), ST_ENOTFOUND);
    CHECK_EQ_INT(sql_agg_resolve(st_slice_cstr("sum"), vc, 1, false, &k, &r, &e), ST_EINVAL);
    CHECK_MSG(!strcmp(e.msg, "Unexpected parameters (varchar) for function sum. Expected: sum(bigint), sum(double), "
                             "sum(interval day to second), sum(interval year to month)"),
              "%s", e.msg);
    CHECK_EQ_INT(sql_agg_resolve(st_slice_cstr("bool_and"), bi, 1, false, &k, &r, &e), ST_EINVAL);
    CHECK_EQ_INT(sql_agg_resolve(st_slice_cstr("stddev"), vd, 2, false, &k, &r, &e), ST_EINVAL);
    CHECK_MSG(strstr(e.msg, "(varchar, double) for function stddev") != NULL, "%s", e.msg);
    CHECK_EQ_INT(sql_agg_resolve(st_slice_cstr("max_by"), bi, 1, false, &k, &r, &e), ST_EINVAL);
}

/* host, v (bigint), d (double), ok (boolean) */
static const uint8_t T4[] = {SQLT_VARCHAR, SQLT_BIGINT, SQLT_DOUBLE, SQLT_BOOLEAN};

static sql_op *metrics(sql_exec_ctx *x)
{
    sql_value r[] = {
        S("a"), I(10), D(1.5),  B(true),
        S("b"), I(4),  D(2),    B(false),
        S("a"), I(20), N(SQLT_DOUBLE), N(SQLT_BOOLEAN),
        S("a"), N(SQLT_BIGINT), D(4.5), B(true),
        N(SQLT_VARCHAR), I(4), D(8), B(true),
        S("b"), I(4), D(2), B(false),
    };
    return vals(x, 4, T4, r, 6);
}

static void test_aggregate(void)
{
    sx *host = col(0, SQLT_VARCHAR), *v = col(1, SQLT_BIGINT), *d = col(2, SQLT_DOUBLE), *ok = col(3, SQLT_BOOLEAN);
    sx_agg a1[] = {AG(SQL_AGG_COUNT_STAR, NULL, SQLT_BIGINT), AG(SQL_AGG_COUNT, v, SQLT_BIGINT),
                   AG(SQL_AGG_SUM, v, SQLT_BIGINT),          AG(SQL_AGG_SUM, d, SQLT_DOUBLE),
                   AG(SQL_AGG_AVG, v, SQLT_DOUBLE),          AG(SQL_AGG_MIN, d, SQLT_DOUBLE),
                   AG(SQL_AGG_MAX, v, SQLT_BIGINT),          AG(SQL_AGG_BOOL_AND, ok, SQLT_BOOLEAN),
                   AG(SQL_AGG_BOOL_OR, ok, SQLT_BOOLEAN),    AG(SQL_AGG_COUNT_IF, ok, SQLT_BIGINT)};
    sx *keys[] = {host};
    /* groups in order of first appearance; NULL is a group */
    CHECK_ROWS(sql_op_aggregate(&X, metrics(&X), keys, 1, a1, 10),
               "a|3|2|30|6.0|15.0|1.5|20|true|true|2;"
               "b|2|2|8|4.0|4.0|2.0|4|false|false|0;"
               "NULL|1|1|4|8.0|4.0|8.0|4|true|true|1");
    /* no key: one row, over no input too (count 0, sum NULL, count_if 0) */
    CHECK_ROWS(sql_op_aggregate(&X, metrics(&X), NULL, 0, a1, 10), "6|5|42|18.0|8.4|1.5|20|false|true|3");
    CHECK_ROWS(sql_op_aggregate(&X, vals(&X, 4, T4, NULL, 0), NULL, 0, a1, 10),
               "0|0|NULL|NULL|NULL|NULL|NULL|NULL|NULL|0");
    /* with a key, no input gives no row */
    CHECK_ROWS(sql_op_aggregate(&X, vals(&X, 4, T4, NULL, 0), keys, 1, a1, 10), "");
    /* keys only: GROUP BY as DISTINCT */
    CHECK_ROWS(sql_op_aggregate(&X, metrics(&X), keys, 1, NULL, 0), "a;b;NULL");

    /* DISTINCT and FILTER */
    sx_agg a2[] = {AG(SQL_AGG_COUNT, v, SQLT_BIGINT), AG(SQL_AGG_SUM, v, SQLT_BIGINT), AG(SQL_AGG_COUNT_STAR, NULL, SQLT_BIGINT),
                   AG(SQL_AGG_APPROX_DISTINCT, d, SQLT_BIGINT), AG(SQL_AGG_AVG, d, SQLT_DOUBLE)};
    a2[0].distinct = a2[1].distinct = true;
    a2[2].filter = cmp(SQL_OP_GT, v, konst(I(4)));
    a2[4].distinct = true;
    CHECK_ROWS(sql_op_aggregate(&X, metrics(&X), NULL, 0, a2, 5), "3|34|2|4|4.0");

    /* min/max on varchar and timestamps, arbitrary, max_by/min_by */
    sx_agg a3[] = {AG(SQL_AGG_MIN, host, SQLT_VARCHAR), AG(SQL_AGG_MAX, host, SQLT_VARCHAR),
                   AG(SQL_AGG_ARBITRARY, host, SQLT_VARCHAR), {.kind = SQL_AGG_MAX_BY, .arg = host, .arg2 = d, .type = SQLT_VARCHAR},
                   {.kind = SQL_AGG_MIN_BY, .arg = host, .arg2 = v, .type = SQLT_VARCHAR},
                   {.kind = SQL_AGG_MAX_BY, .arg = d, .arg2 = v, .type = SQLT_DOUBLE}};
    /* max_by(host, d): d = 8 is the NULL host's row, so NULL; min_by(host, v): v = 4 first at b;
     * max_by(d, v): v = 20 has d NULL */
    CHECK_ROWS(sql_op_aggregate(&X, metrics(&X), NULL, 0, a3, 6), "a|b|a|NULL|b|NULL");

    /* statistics: v = 10, 4, 20, 4, 4 (NULL skipped) */
    sx_agg a4[] = {AG(SQL_AGG_VAR_POP, v, SQLT_DOUBLE), AG(SQL_AGG_VARIANCE, v, SQLT_DOUBLE),
                   AG(SQL_AGG_STDDEV_POP, v, SQLT_DOUBLE), AG(SQL_AGG_STDDEV, v, SQLT_DOUBLE),
                   AG(SQL_AGG_GEOMETRIC_MEAN, v, SQLT_DOUBLE)};
    sql_op *o = sql_op_aggregate(&X, metrics(&X), NULL, 0, a4, 5);
    const sql_value *r;
    st_err e = {0};
    CHECK_EQ_INT(sql_op_next(o, &r, &e), 1);
    /* mean 8.4; squared deviations 2.56+19.36+134.56+3*19.36 = 195.2 */
    CHECK_MSG(fabs(r[0].u.d - 39.04) < 1e-9, "%.17g", r[0].u.d);
    CHECK_MSG(fabs(r[1].u.d - 48.8) < 1e-9, "%.17g", r[1].u.d);
    CHECK_MSG(fabs(r[2].u.d - sqrt(39.04)) < 1e-9, "%.17g", r[2].u.d);
    CHECK_MSG(fabs(r[3].u.d - sqrt(48.8)) < 1e-9, "%.17g", r[3].u.d);
    CHECK_MSG(fabs(r[4].u.d - pow(10.0 * 4 * 20 * 4 * 4, 0.2)) < 1e-9, "%.17g", r[4].u.d);
    sql_op_close(o);
    /* sample statistics of one value are NULL, population ones 0 */
    sql_value one[] = {S("a"), I(1), D(5), B(true)};
    CHECK_ROWS(sql_op_aggregate(&X, vals(&X, 4, T4, one, 1), NULL, 0, a4, 5), "0.0|NULL|0.0|NULL|1.0");
}

static void test_aggregate_edges(void)
{
    /* bigint sum overflow is an error, never a wrap */
    sql_value big[] = {I(INT64_MAX), I(1)};
    sx_agg s[] = {AG(SQL_AGG_SUM, col(0, SQLT_BIGINT), SQLT_BIGINT)};
    CHECK_ROWS(sql_op_aggregate(&X, vals(&X, 1, T_I, big, 2), NULL, 0, s, 1),
               "ERR -1 bigint addition overflow: 9223372036854775807 + 1");
    /* avg of bigints does not overflow */
    sql_value big2[] = {I(INT64_MAX), I(INT64_MAX)};
    sx_agg av[] = {AG(SQL_AGG_AVG, col(0, SQLT_BIGINT), SQLT_DOUBLE)};
    CHECK_ROWS(sql_op_aggregate(&X, vals(&X, 1, T_I, big2, 2), NULL, 0, av, 1), "9.223372036854776E18");
    /* approx_percentile: the value at 0-based rank floor(p * N) */
    sql_value p10[10];
    for (int i = 0; i < 10; i++) p10[i] = I((i * 7) % 10 + 1); /* 1..10 shuffled */
    double ps[] = {0, 0.1, 0.25, 0.5, 0.99, 1};
    const char *want[] = {"1", "2", "3", "6", "10", "10"};
    for (int i = 0; i < 6; i++) {
        sx_agg pa[] = {{.kind = SQL_AGG_APPROX_PERCENTILE, .arg = col(0, SQLT_BIGINT), .arg2 = konst(D(ps[i])), .type = SQLT_BIGINT}};
        CHECK_ROWS(sql_op_aggregate(&X, vals(&X, 1, T_I, p10, 10), NULL, 0, pa, 1), want[i]);
    }
    sx_agg bad[] = {{.kind = SQL_AGG_APPROX_PERCENTILE, .arg = col(0, SQLT_BIGINT), .arg2 = konst(D(1.5)), .type = SQLT_BIGINT}};
    CHECK_ROWS(sql_op_aggregate(&X, vals(&X, 1, T_I, p10, 10), NULL, 0, bad, 1),
               "ERR -1 Percentile must be between 0 and 1");
    CHECK_ROWS(sql_op_aggregate(&X, vals(&X, 1, T_I, NULL, 0), NULL, 0, bad, 1), "NULL");
    /* min/max on timestamps and booleans, sum and avg of intervals, count(DISTINCT) skips NULL */
    static const uint8_t tt[] = {SQLT_TIMESTAMP, SQLT_BOOLEAN, SQLT_INTERVAL_DS, SQLT_VARCHAR};
    sql_value trow[] = {TS(5), B(true), sqlv_int(SQLT_INTERVAL_DS, 3 * ST_NS_PER_S), N(SQLT_VARCHAR),
                        TS(-7), B(false), sqlv_int(SQLT_INTERVAL_DS, 4 * ST_NS_PER_S), S("x"),
                        N(SQLT_TIMESTAMP), N(SQLT_BOOLEAN), N(SQLT_INTERVAL_DS), S("x")};
    sx_agg ta[] = {AG(SQL_AGG_MIN, col(0, SQLT_TIMESTAMP), SQLT_TIMESTAMP), AG(SQL_AGG_MAX, col(0, SQLT_TIMESTAMP), SQLT_TIMESTAMP),
                   AG(SQL_AGG_MIN, col(1, SQLT_BOOLEAN), SQLT_BOOLEAN), AG(SQL_AGG_MAX, col(1, SQLT_BOOLEAN), SQLT_BOOLEAN),
                   AG(SQL_AGG_SUM, col(2, SQLT_INTERVAL_DS), SQLT_INTERVAL_DS),
                   AG(SQL_AGG_AVG, col(2, SQLT_INTERVAL_DS), SQLT_INTERVAL_DS),
                   AG(SQL_AGG_COUNT, col(3, SQLT_VARCHAR), SQLT_BIGINT), AG(SQL_AGG_APPROX_DISTINCT, col(3, SQLT_VARCHAR), SQLT_BIGINT)};
    ta[6].distinct = true;
    CHECK_ROWS(sql_op_aggregate(&X, vals(&X, 4, tt, trow, 3), NULL, 0, ta, 8),
               "1969-12-31 23:59:59.999999993|1970-01-01 00:00:00.000000005|false|true|"
               "0 00:00:07.000000000|0 00:00:03.500000000|1|1");
    /* groups held past max_rows */
    sql_exec_ctx lim = {.max_rows = 9};
    sx *k[] = {col(0, SQLT_BIGINT)};
    CHECK_ROWS(sql_op_aggregate(&lim, vals(&lim, 1, T_I, p10, 10), k, 1, NULL, 0),
               "ERR -4 Query exceeded the maximum of 9 rows held by GROUP BY (--sql-max-rows)");
    /* many groups: every one found again (the hash index grows) */
    enum { M = 5000 };
    sql_value *many = st_arena_alloc(A, M * sizeof *many);
    for (int i = 0; i < M; i++) many[i] = I(i % 1000);
    sx_agg c[] = {AG(SQL_AGG_COUNT_STAR, NULL, SQLT_BIGINT)};
    sx_agg c2[] = {AG(SQL_AGG_COUNT_STAR, NULL, SQLT_BIGINT)};
    sx *k2[] = {col(1, SQLT_BIGINT)};
    /* count(*) per key, then count the groups by their count: 1000 groups of 5 */
    static const uint8_t tii[] = {SQLT_BIGINT, SQLT_BIGINT};
    CHECK_ROWS(sql_op_aggregate(&X, sql_op_aggregate(&X, vals(&X, 1, T_I, many, M), k, 1, c, 1), k2, 1, c2, 1), "5|1000");
    (void)tii;
}

/* ---- joins ---- */

static void test_join(void)
{
    /* l: (1,a) (2,b) (NULL,c) (2,d); r: (2,x) (3,y) (NULL,z) (2,w) */
    sql_value l[] = {I(1), S("a"), I(2), S("b"), N(SQLT_BIGINT), S("c"), I(2), S("d")};
    sql_value r[] = {I(2), S("x"), I(3), S("y"), N(SQLT_BIGINT), S("z"), I(2), S("w")};
    size_t lk[] = {0}, rk[] = {0};
#define L vals(&X, 2, T_IS, l, 4)
#define R vals(&X, 2, T_IS, r, 4)
    CHECK_ROWS(sql_op_join(&X, L, R, SQL_JOIN_INNER, lk, rk, 1, NULL), "2|b|2|x;2|b|2|w;2|d|2|x;2|d|2|w");
    CHECK_ROWS(sql_op_join(&X, L, R, SQL_JOIN_LEFT, lk, rk, 1, NULL),
               "1|a|NULL|NULL;2|b|2|x;2|b|2|w;NULL|c|NULL|NULL;2|d|2|x;2|d|2|w");
    CHECK_ROWS(sql_op_join(&X, L, R, SQL_JOIN_RIGHT, lk, rk, 1, NULL),
               "2|b|2|x;2|b|2|w;2|d|2|x;2|d|2|w;NULL|NULL|3|y;NULL|NULL|NULL|z");
    CHECK_ROWS(sql_op_join(&X, L, R, SQL_JOIN_FULL, lk, rk, 1, NULL),
               "1|a|NULL|NULL;2|b|2|x;2|b|2|w;NULL|c|NULL|NULL;2|d|2|x;2|d|2|w;NULL|NULL|3|y;NULL|NULL|NULL|z");
    /* a condition beyond the keys: l.c1 < r.c1 (b < x, b < w, d < x, d < w all true; make one false) */
    sx *c = cmp(SQL_OP_NE, col(1, SQLT_VARCHAR), konst(S("d")));
    CHECK_ROWS(sql_op_join(&X, L, R, SQL_JOIN_LEFT, lk, rk, 1, c),
               "1|a|NULL|NULL;2|b|2|x;2|b|2|w;NULL|c|NULL|NULL;2|d|NULL|NULL");
    /* nested loop: l.c0 < r.c0 */
    sx *lt = cmp(SQL_OP_LT, col(0, SQLT_BIGINT), col(2, SQLT_BIGINT));
    CHECK_ROWS(sql_op_join(&X, L, R, SQL_JOIN_INNER, NULL, NULL, 0, lt), "1|a|2|x;1|a|3|y;1|a|2|w;2|b|3|y;2|d|3|y");
    CHECK_ROWS(sql_op_join(&X, L, R, SQL_JOIN_FULL, NULL, NULL, 0, lt),
               "1|a|2|x;1|a|3|y;1|a|2|w;2|b|3|y;NULL|c|NULL|NULL;2|d|3|y;NULL|NULL|NULL|z");
    /* cross */
    sql_value l2[] = {I(1), S("a"), I(2), S("b")};
    sql_value r2[] = {I(8), S("x"), I(9), S("y")};
    CHECK_ROWS(sql_op_join(&X, vals(&X, 2, T_IS, l2, 2), vals(&X, 2, T_IS, r2, 2), SQL_JOIN_CROSS, NULL, NULL, 0, NULL),
               "1|a|8|x;1|a|9|y;2|b|8|x;2|b|9|y");
    /* empty sides */
    CHECK_ROWS(sql_op_join(&X, L, vals(&X, 2, T_IS, NULL, 0), SQL_JOIN_INNER, lk, rk, 1, NULL), "");
    CHECK_ROWS(sql_op_join(&X, L, vals(&X, 2, T_IS, NULL, 0), SQL_JOIN_LEFT, lk, rk, 1, NULL),
               "1|a|NULL|NULL;2|b|NULL|NULL;NULL|c|NULL|NULL;2|d|NULL|NULL");
    CHECK_ROWS(sql_op_join(&X, vals(&X, 2, T_IS, NULL, 0), R, SQL_JOIN_RIGHT, lk, rk, 1, NULL),
               "NULL|NULL|2|x;NULL|NULL|3|y;NULL|NULL|NULL|z;NULL|NULL|2|w");
    /* two keys, the types of the output */
    size_t lk2[] = {0, 1}, rk2[] = {0, 1};
    sql_value r3[] = {I(2), S("d"), I(2), S("b"), N(SQLT_BIGINT), S("c")};
    sql_op *j = sql_op_join(&X, L, vals(&X, 2, T_IS, r3, 3), SQL_JOIN_INNER, lk2, rk2, 2, NULL);
    CHECK_EQ_INT(j->ncols, 4);
    CHECK_EQ_INT(j->types[2], SQLT_BIGINT);
    CHECK_EQ_INT(j->types[3], SQLT_VARCHAR);
    CHECK_ROWS(j, "2|b|2|b;2|d|2|d");
    /* the build side is held under max_rows */
    sql_exec_ctx lim = {.max_rows = 3};
    CHECK_ROWS(sql_op_join(&lim, vals(&lim, 2, T_IS, l, 4), vals(&lim, 2, T_IS, r, 4), SQL_JOIN_INNER, lk, rk, 1, NULL),
               "ERR -4 Query exceeded the maximum of 3 rows held by JOIN (--sql-max-rows)");
#undef L
#undef R
}

/* ---- windows ---- */

/* g, t, v: (a,1,10) (a,2,20) (a,2,30) (a,3,NULL) (b,1,5) (b,5,7) */
static const uint8_t TW[] = {SQLT_VARCHAR, SQLT_BIGINT, SQLT_BIGINT};

static sql_op *wrows(sql_exec_ctx *x)
{
    sql_value r[] = {S("b"), I(5), I(7),  S("a"), I(2), I(20), S("a"), I(1), I(10),
                     S("a"), I(3), N(SQLT_BIGINT), S("b"), I(1), I(5), S("a"), I(2), I(30)};
    return vals(x, 3, TW, r, 6);
}

static sql_win WF(sql_winfn fn, uint8_t type)
{
    sql_win w = {.fn = fn, .type = type};
    return w;
}

static sql_win WA(sql_aggk k, uint8_t type, sql_frame_kind fr, sql_bound_kind s, int64_t sn, sql_bound_kind en,
                  int64_t enn)
{
    sql_win w = {.fn = SQL_WIN_AGG, .type = type, .frame = fr, .start = s, .end = en, .start_n = sn, .end_n = enn};
    w.agg = AG(k, k == SQL_AGG_COUNT_STAR ? NULL : col(2, SQLT_BIGINT), type);
    return w;
}

static void test_window_ranking(void)
{
    size_t pc[] = {0};
    sql_sort_key ord[] = {{.col = 1}};
    sql_win f[] = {WF(SQL_WIN_ROW_NUMBER, SQLT_BIGINT), WF(SQL_WIN_RANK, SQLT_BIGINT), WF(SQL_WIN_DENSE_RANK, SQLT_BIGINT)};
    /* partitions in key order, rows by t; peers (a,2,...) keep input order */
    CHECK_ROWS(sql_op_window(&X, wrows(&X), pc, 1, ord, 1, f, 3),
               "a|1|10|1|1|1;a|2|20|2|2|2;a|2|30|3|2|2;a|3|NULL|4|4|3;b|1|5|1|1|1;b|5|7|2|2|2");
    /* no partition, no order: one partition in input order */
    CHECK_ROWS(sql_op_window(&X, wrows(&X), NULL, 0, NULL, 0, f, 1),
               "b|5|7|1;a|2|20|2;a|1|10|3;a|3|NULL|4;b|1|5|5;a|2|30|6");
    CHECK_ROWS(sql_op_window(&X, vals(&X, 3, TW, NULL, 0), pc, 1, ord, 1, f, 3), "");
}

static void test_window_desc_nulls(void)
{
    /* partition by v (NULL is a partition of its own), order by t DESC */
    size_t pc[] = {2};
    sql_sort_key ord[] = {{.col = 1, .desc = true}};
    sql_win f[] = {WF(SQL_WIN_ROW_NUMBER, SQLT_BIGINT), WF(SQL_WIN_FIRST_VALUE, SQLT_VARCHAR)};
    f[1].arg = col(0, SQLT_VARCHAR);
    sql_value r[] = {S("a"), I(1), I(1), S("b"), I(2), N(SQLT_BIGINT), S("c"), I(3), I(1), S("d"), I(4), N(SQLT_BIGINT)};
    CHECK_ROWS(sql_op_window(&X, vals(&X, 3, TW, r, 4), pc, 1, ord, 1, f, 2),
               "c|3|1|1|c;a|1|1|2|c;d|4|NULL|1|d;b|2|NULL|2|d");
}

static void test_window_lag_lead(void)
{
    size_t pc[] = {0};
    sql_sort_key ord[] = {{.col = 1}};
    sql_win f[4] = {WF(SQL_WIN_LAG, SQLT_BIGINT), WF(SQL_WIN_LEAD, SQLT_BIGINT), WF(SQL_WIN_LAG, SQLT_BIGINT),
                    WF(SQL_WIN_LEAD, SQLT_BIGINT)};
    f[0].arg = f[1].arg = f[2].arg = f[3].arg = col(2, SQLT_BIGINT);
    f[0].offset = f[1].offset = 1;
    f[2].offset = 2;
    f[2].dflt = konst(I(-1));
    f[3].offset = 0; /* the row itself */
    CHECK_ROWS(sql_op_window(&X, wrows(&X), pc, 1, ord, 1, f, 4),
               "a|1|10|NULL|20|-1|10;a|2|20|10|30|-1|20;a|2|30|20|NULL|10|30;a|3|NULL|30|NULL|20|NULL;"
               "b|1|5|NULL|7|-1|5;b|5|7|5|NULL|-1|7");
}

static void test_window_frames(void)
{
    size_t pc[] = {0};
    sql_sort_key ord[] = {{.col = 1}};
    /* default frame with ORDER BY: running, peers included (rows 2 and 3 of a are peers) */
    sql_win f1[] = {WA(SQL_AGG_SUM, SQLT_BIGINT, SQL_FRAME_NONE, 0, 0, 0, 0),
                    WA(SQL_AGG_COUNT_STAR, SQLT_BIGINT, SQL_FRAME_NONE, 0, 0, 0, 0),
                    WF(SQL_WIN_FIRST_VALUE, SQLT_BIGINT), WF(SQL_WIN_LAST_VALUE, SQLT_BIGINT)};
    f1[2].arg = f1[3].arg = col(2, SQLT_BIGINT);
    CHECK_ROWS(sql_op_window(&X, wrows(&X), pc, 1, ord, 1, f1, 4),
               "a|1|10|10|1|10|10;a|2|20|60|3|10|30;a|2|30|60|3|10|30;a|3|NULL|60|4|10|NULL;"
               "b|1|5|5|1|5|5;b|5|7|12|2|5|7");
    /* default frame without ORDER BY: the whole partition */
    CHECK_ROWS(sql_op_window(&X, wrows(&X), pc, 1, NULL, 0, f1, 2),
               "a|2|20|60|4;a|1|10|60|4;a|3|NULL|60|4;a|2|30|60|4;b|5|7|12|2;b|1|5|12|2");
    /* ROWS BETWEEN 1 PRECEDING AND 1 FOLLOWING */
    sql_win f2[] = {WA(SQL_AGG_SUM, SQLT_BIGINT, SQL_FRAME_ROWS, SQL_BOUND_PRECEDING, 1, SQL_BOUND_FOLLOWING, 1),
                    WA(SQL_AGG_MAX, SQLT_BIGINT, SQL_FRAME_ROWS, SQL_BOUND_PRECEDING, 1, SQL_BOUND_FOLLOWING, 1),
                    WA(SQL_AGG_AVG, SQLT_DOUBLE, SQL_FRAME_ROWS, SQL_BOUND_CURRENT_ROW, 0, SQL_BOUND_UNBOUNDED_FOLLOWING, 0),
                    WA(SQL_AGG_COUNT, SQLT_BIGINT, SQL_FRAME_ROWS, SQL_BOUND_UNBOUNDED_PRECEDING, 0, SQL_BOUND_CURRENT_ROW, 0),
                    WA(SQL_AGG_MIN, SQLT_BIGINT, SQL_FRAME_ROWS, SQL_BOUND_PRECEDING, 2, SQL_BOUND_NONE, 0)};
    CHECK_ROWS(sql_op_window(&X, wrows(&X), pc, 1, ord, 1, f2, 5),
               "a|1|10|30|20|20.0|1|10;a|2|20|60|30|25.0|2|10;a|2|30|50|30|30.0|3|10;a|3|NULL|30|30|NULL|3|20;"
               "b|1|5|12|7|6.0|1|5;b|5|7|12|7|7.0|2|5");
    /* RANGE UNBOUNDED PRECEDING .. UNBOUNDED FOLLOWING, RANGE CURRENT ROW .. UNBOUNDED FOLLOWING */
    sql_win f3[] = {WA(SQL_AGG_SUM, SQLT_BIGINT, SQL_FRAME_RANGE, SQL_BOUND_UNBOUNDED_PRECEDING, 0,
                       SQL_BOUND_UNBOUNDED_FOLLOWING, 0),
                    WA(SQL_AGG_SUM, SQLT_BIGINT, SQL_FRAME_RANGE, SQL_BOUND_CURRENT_ROW, 0, SQL_BOUND_UNBOUNDED_FOLLOWING, 0),
                    WF(SQL_WIN_LAST_VALUE, SQLT_BIGINT)};
    f3[2].arg = col(2, SQLT_BIGINT);
    f3[2].frame = SQL_FRAME_ROWS;
    f3[2].start = SQL_BOUND_UNBOUNDED_PRECEDING;
    f3[2].end = SQL_BOUND_UNBOUNDED_FOLLOWING;
    CHECK_ROWS(sql_op_window(&X, wrows(&X), pc, 1, ord, 1, f3, 3),
               "a|1|10|60|60|NULL;a|2|20|60|50|NULL;a|2|30|60|50|NULL;a|3|NULL|60|NULL|NULL;"
               "b|1|5|12|12|7;b|5|7|12|7|7");
    /* a frame entirely before the partition: empty, so NULL (count 0) */
    sql_win f4[] = {WA(SQL_AGG_SUM, SQLT_BIGINT, SQL_FRAME_ROWS, SQL_BOUND_PRECEDING, 5, SQL_BOUND_PRECEDING, 4),
                    WA(SQL_AGG_COUNT_STAR, SQLT_BIGINT, SQL_FRAME_ROWS, SQL_BOUND_FOLLOWING, 1, SQL_BOUND_FOLLOWING, 2)};
    CHECK_ROWS(sql_op_window(&X, wrows(&X), pc, 1, ord, 1, f4, 2),
               "a|1|10|NULL|2;a|2|20|NULL|2;a|2|30|NULL|1;a|3|NULL|NULL|0;b|1|5|NULL|1;b|5|7|NULL|0");
    sql_exec_ctx lim = {.max_rows = 5};
    CHECK_ROWS(sql_op_window(&lim, wrows(&lim), pc, 1, ord, 1, f1, 1),
               "ERR -4 Query exceeded the maximum of 5 rows held by window (--sql-max-rows)");
    sql_win f5[] = {WA(SQL_AGG_SUM, SQLT_BIGINT, SQL_FRAME_RANGE, SQL_BOUND_PRECEDING, 1, SQL_BOUND_CURRENT_ROW, 0)};
    const char *got = run(sql_op_window(&X, wrows(&X), pc, 1, ord, 1, f5, 1));
    CHECK_MSG(!strncmp(got, "ERR -1 ", 7), "%s", got);
}

static void test_row_copy(void)
{
    char buf[8] = "hello";
    sql_value r[] = {S(buf), I(3), N(SQLT_VARCHAR), TS(5)};
    sql_value *c = sql_row_copy(A, r, 4);
    buf[0] = 'j';
    CHECK(c[0].u.s.n == 5 && !memcmp(c[0].u.s.p, "hello", 5));
    CHECK(c[1].u.i == 3 && c[2].null && c[3].type == SQLT_TIMESTAMP && c[3].u.i == 5);
    /* a sort's rows are its own: the input's buffer may change under it */
    static const uint8_t ts[] = {SQLT_VARCHAR};
    char b2[2][4] = {"zz", "aa"};
    sql_value in[] = {S(b2[0]), S(b2[1])};
    sql_sort_key k[] = {{.col = 0}};
    sql_op *s = sql_op_sort(&X, vals(&X, 1, ts, in, 2), k, 1);
    const sql_value *row;
    CHECK_EQ_INT(sql_op_next(s, &row, NULL), 1);
    b2[1][0] = 'q';
    CHECK(row[0].u.s.n == 2 && !memcmp(row[0].u.s.p, "aa", 2));
    sql_op_close(s);
}

int main(void)
{
    A = st_arena_new(1 << 16);
    RUN(test_values_limit_concat);
    RUN(test_filter_project);
    RUN(test_distinct);
    RUN(test_sort);
    RUN(test_sort_limit);
    RUN(test_setop);
    RUN(test_agg_resolve);
    RUN(test_aggregate);
    RUN(test_aggregate_edges);
    RUN(test_join);
    RUN(test_window_ranking);
    RUN(test_window_desc_nulls);
    RUN(test_window_lag_lead);
    RUN(test_window_frames);
    RUN(test_row_copy);
    st_arena_free(A);
    return testlib_done("test_sql_ops");
}
