/* Tests for the array functions (fn_array.c) and Timestream's time-series
 * functions (fn_ts.c).
 *
 * Each check resolves a function through sql_fn_resolve with the types of
 * hand-built argument values, wraps the values in SX_CONST nodes (with an
 * SX_CAST where the signature wants another type, as the binder does), and
 * evaluates the SX_FN node with sx_eval. Results are compared as text:
 * sqlv_format for scalars and arrays, and for a timeseries a compact
 * "T[time:value ...]" with times in seconds since the epoch. Values that
 * take arithmetic to find (splines, correlations, odd integrals) were
 * computed apart from this code, in exact rational arithmetic with
 * python3's fractions (a natural cubic spline by solving its whole linear
 * system, Pearson by its definition, ranks by counting), and are compared
 * within a relative 1e-12. Every check counts as one test.
 */
#include <math.h>

#include "sql/exec.h"
#include "sql/fn.h"
#include "sql/fn_int.h"

#include "testlib.h"

static st_arena *A;
static st_err E;

#define NS 1000000000LL
#define I(x) sqlv_int(SQLT_BIGINT, (x))
#define D(x) sqlv_double(x)
#define B(x) sqlv_bool(x)
#define V(s) sqlv_str(st_slice_cstr(s))
#define NUL(t) sqlv_null(t)
#define TS(sec) sqlv_int(SQLT_TIMESTAMP, (int64_t)(sec) * NS)
#define DT(days) sqlv_int(SQLT_DATE, (days))
#define DS(sec) sqlv_int(SQLT_INTERVAL_DS, (int64_t)(sec) * NS)
#define YM(m) sqlv_int(SQLT_INTERVAL_YM, (m))

#define AR (SQLT_ARRAY)
#define TSR (SQLT_TIMESERIES)

#define VALS(...) ((sql_value[]){__VA_ARGS__})
#define NVALS(...) (sizeof(VALS(__VA_ARGS__)) / sizeof(sql_value))
/* ARR(element type, elements...) */
#define ARR(t, ...) mk_arr((uint8_t)(AR | (t)), NVALS(__VA_ARGS__), VALS(__VA_ARGS__))
#define EMPTY(t) mk_arr((uint8_t)(AR | (t)), 0, NULL)
/* SER(element type, {times in s}, values...) */
#define SER(t, times, ...) mk_ts((uint8_t)(TSR | (t)), NVALS(__VA_ARGS__), (const int64_t[])times, VALS(__VA_ARGS__), NS)
#define SECS(...) {__VA_ARGS__}

static sql_value mk_arr(uint8_t type, size_t n, const sql_value *v)
{
    sql_value *el;
    int64_t *ts;
    sql_value a = sqlv_array(A, type, n, &el, &ts);
    for (size_t i = 0; i < n; i++) {
        el[i] = v[i];
        if (el[i].null) el[i].type = (uint8_t)sqlt_elem(type);
    }
    return a;
}

static sql_value mk_ts(uint8_t type, size_t n, const int64_t *t, const sql_value *v, int64_t unit)
{
    sql_value *el;
    int64_t *ts;
    sql_value a = sqlv_array(A, type, n, &el, &ts);
    for (size_t i = 0; i < n; i++) {
        el[i] = v[i];
        if (el[i].null) el[i].type = (uint8_t)sqlt_elem(type);
        ts[i] = t[i] * unit;
    }
    return a;
}

/* ---- calling ---- */

static sx *node(sx_kind k, uint8_t type, uint32_t nargs)
{
    sx *x = st_arena_alloc(A, sizeof *x);
    memset(x, 0, sizeof *x);
    x->kind = k;
    x->type = type;
    x->nargs = nargs;
    if (nargs) x->args = st_arena_alloc(A, nargs * sizeof *x->args);
    return x;
}

static uint8_t last_type; /* the resolved result type of the last call */
static sql_fn_sig last_sig;

static int eval(const char *name, const sql_value *args, size_t n, sql_value *out)
{
    uint8_t t[SQL_FN_MAXARGS];
    for (size_t i = 0; i < n; i++) t[i] = args[i].type;
    int rc = sql_fn_resolve(st_slice_cstr(name), t, n, &last_sig, &E);
    if (rc) return rc;
    last_type = last_sig.ret;
    sx *x = node(SX_FN, last_sig.ret, (uint32_t)n);
    for (size_t i = 0; i < n; i++) {
        sx *k = node(SX_CONST, args[i].type, 0);
        k->k = args[i];
        if (args[i].type != last_sig.args[i]) {
            sx *c = node(SX_CAST, last_sig.args[i], 1);
            c->args[0] = k;
            k = c;
        }
        x->args[i] = k;
    }
    x->fn = last_sig.fn;
    x->strict = last_sig.strict;
    x->op = last_sig.op;
    x->name = name;
    sx_ctx c = {.a = A, .e = &E, .now_ns = 0};
    return sx_eval(&c, x, NULL, out);
}

/* A timeseries as "T[5:2.0 20:2.0]" (times in seconds, or in ns when not whole). */
static void fmt_value(const sql_value *v, st_buf *b)
{
    if (v->null || !sqlt_is_ts(v->type)) {
        sqlv_format(v, b);
        return;
    }
    st_buf_printf(b, "T[");
    for (size_t i = 0; i < v->u.arr->n; i++) {
        int64_t t = v->u.arr->times[i];
        if (i) st_buf_putc(b, ' ');
        if (t % NS == 0) st_buf_printf(b, "%lld:", (long long)(t / NS));
        else st_buf_printf(b, "%lldns:", (long long)t);
        sqlv_format(&v->u.arr->v[i], b);
    }
    st_buf_putc(b, ']');
}

static const char *run(const char *name, const sql_value *args, size_t n, sql_value *out)
{
    static char buf[4096];
    sql_value v;
    int rc = eval(name, args, n, &v);
    if (rc) {
        snprintf(buf, sizeof buf, "ERR: %s", E.msg);
        return buf;
    }
    if (out) *out = v;
    st_buf b = {0};
    fmt_value(&v, &b);
    snprintf(buf, sizeof buf, "%.*s", (int)b.len, (const char *)b.p);
    st_buf_free(&b);
    return buf;
}

static void result(bool ok, int line, const char *what, const char *got, const char *want)
{
    if (ok) {
        tl_passed++;
        return;
    }
    tl_failed++;
    fprintf(stderr, "not ok line %d: %s\n  got:  %s\n  want: %s\n", line, what, got, want);
}

static void check_text(int line, const char *want, const char *name, const sql_value *args, size_t n)
{
    const char *got = run(name, args, n, NULL);
    result(!strcmp(got, want), line, name, got, want);
}

/* CALL("expected text", "function", arguments...) */
#define CALL(want, name, ...) check_text(__LINE__, want, name, VALS(__VA_ARGS__), NVALS(__VA_ARGS__))

/* The result's type name and text: "bigint:3". */
static void check_typed(int line, const char *want, const char *name, const sql_value *args, size_t n)
{
    const char *got0 = run(name, args, n, NULL);
    char got[4200];
    snprintf(got, sizeof got, "%s:%s", !strncmp(got0, "ERR", 3) ? "?" : sql_vtype_name((sql_vtype)last_type), got0);
    result(!strcmp(got, want), line, name, got, want);
}
#define CALLT(want, name, ...) check_typed(__LINE__, want, name, VALS(__VA_ARGS__), NVALS(__VA_ARGS__))

static bool close_to(double got, double want)
{
    if (isnan(want)) return isnan(got);
    return got == want || fabs(got - want) <= 1e-12 * fabs(want);
}

/* A double result within 1e-12 of want. */
static void check_num(int line, double want, const char *name, const sql_value *args, size_t n)
{
    sql_value v = {0};
    const char *got = run(name, args, n, &v);
    char w[64];
    snprintf(w, sizeof w, "%.17g", want);
    bool ok = !strncmp(got, "ERR", 3) ? false : !v.null && v.type == SQLT_DOUBLE && close_to(v.u.d, want);
    char g[4200];
    snprintf(g, sizeof g, "%s (%.17g)", got, v.type == SQLT_DOUBLE && !v.null ? v.u.d : 0.0);
    result(ok, line, name, g, w);
}
#define NUM(want, name, ...) check_num(__LINE__, want, name, VALS(__VA_ARGS__), NVALS(__VA_ARGS__))

/* A timeseries(double) result: its times (s) exactly, its values within 1e-12. */
static void check_series(int line, size_t n, const int64_t *secs, const double *want, const char *name,
                         const sql_value *args, size_t nargs)
{
    sql_value v = {0};
    const char *got = run(name, args, nargs, &v);
    bool ok = strncmp(got, "ERR", 3) && !v.null && v.type == (TSR | SQLT_DOUBLE) && v.u.arr->n == n;
    for (size_t i = 0; ok && i < n; i++)
        ok = v.u.arr->times[i] == secs[i] * NS && !v.u.arr->v[i].null && close_to(v.u.arr->v[i].u.d, want[i]);
    result(ok, line, name, got, "(a series given numerically)");
}
#define SERIES(n, secs, want, name, ...)                                                                       \
    check_series(__LINE__, n, (const int64_t[])secs, (const double[])want, name, VALS(__VA_ARGS__),          \
                 NVALS(__VA_ARGS__))
#define DV(...) {__VA_ARGS__}

/* ---- arrays ---- */

static void test_cardinality_element_at(void)
{
    sql_value a = ARR(SQLT_BIGINT, I(10), I(20), I(30));
    CALLT("bigint:3", "cardinality", a);
    CALL("0", "cardinality", EMPTY(SQLT_BIGINT));
    CALL("2", "cardinality", ARR(SQLT_VARCHAR, V("a"), NUL(SQLT_VARCHAR)));
    CALL("4", "cardinality", SER(SQLT_DOUBLE, SECS(0, 10, 20, 40), D(1), D(3), D(2), D(6)));
    CALLT("bigint:NULL", "cardinality", NUL(SQLT_UNKNOWN));
    CALL("NULL", "cardinality", NUL(AR | SQLT_BIGINT));

    CALLT("bigint:10", "element_at", a, I(1));
    CALL("20", "element_at", a, I(2));
    CALL("30", "element_at", a, I(3));
    CALL("NULL", "element_at", a, I(4));
    CALL("NULL", "element_at", a, I(INT64_MAX));
    CALL("30", "element_at", a, I(-1));
    CALL("10", "element_at", a, I(-3));
    CALL("NULL", "element_at", a, I(-4));
    CALL("NULL", "element_at", a, I(INT64_MIN));
    CALL("ERR: SQL array indices start at 1", "element_at", a, I(0));
    CALL("NULL", "element_at", EMPTY(SQLT_BIGINT), I(1));
    CALLT("varchar:b", "element_at", ARR(SQLT_VARCHAR, V("a"), V("b")), I(2));
    CALLT("varchar:NULL", "element_at", ARR(SQLT_VARCHAR, V("a"), NUL(SQLT_VARCHAR)), I(2));
    CALLT("double:2.5", "element_at", ARR(SQLT_DOUBLE, D(2.5)), I(1));
    CALLT("timestamp:1970-01-01 00:00:05.000000000", "element_at", ARR(SQLT_TIMESTAMP, TS(5)), I(-1));
    CALL("NULL", "element_at", a, NUL(SQLT_BIGINT));
    CALL("NULL", "element_at", NUL(AR | SQLT_BIGINT), I(1));
}

static void test_contains_position(void)
{
    sql_value a = ARR(SQLT_BIGINT, I(1), I(2), I(3));
    sql_value an = ARR(SQLT_BIGINT, I(1), NUL(SQLT_BIGINT), I(3));
    CALLT("boolean:true", "contains", a, I(2));
    CALL("false", "contains", a, I(5));
    CALL("true", "contains", an, I(3));
    CALL("true", "contains", an, I(1));
    CALL("NULL", "contains", an, I(5)); /* the NULL might have been 5 */
    CALL("NULL", "contains", a, NUL(SQLT_BIGINT));
    CALL("NULL", "contains", a, NUL(SQLT_UNKNOWN));
    CALL("false", "contains", EMPTY(SQLT_BIGINT), I(1));
    CALL("true", "contains", a, D(2.0)); /* array(bigint) widened to array(double) */
    CALL("false", "contains", a, D(2.5));
    CALL("true", "contains", ARR(SQLT_DOUBLE, D(1.5), D(2)), I(2));
    CALL("false", "contains", ARR(SQLT_DOUBLE, D(NAN)), D(NAN)); /* NaN = NaN is false */
    CALL("true", "contains", ARR(SQLT_VARCHAR, V("x"), V("yz")), V("yz"));
    CALL("false", "contains", ARR(SQLT_VARCHAR, V("x"), V("yz")), V("y"));
    CALL("true", "contains", ARR(SQLT_TIMESTAMP, TS(-5), TS(5)), TS(-5));
    CALL("true", "contains", ARR(SQLT_TIMESTAMP, TS(86400)), DT(1)); /* date widened to timestamp */

    sql_value p = ARR(SQLT_BIGINT, I(5), I(6), I(5));
    CALLT("bigint:1", "array_position", p, I(5));
    CALL("2", "array_position", p, I(6));
    CALL("0", "array_position", p, I(7));
    CALL("2", "array_position", ARR(SQLT_BIGINT, NUL(SQLT_BIGINT), I(4)), I(4));
    CALL("0", "array_position", ARR(SQLT_BIGINT, NUL(SQLT_BIGINT)), I(4));
    CALL("NULL", "array_position", p, NUL(SQLT_BIGINT));
    CALL("0", "array_position", EMPTY(SQLT_VARCHAR), V("a"));
    CALL("3", "array_position", ARR(SQLT_VARCHAR, V("a"), V("b"), V("c")), V("c"));
    CALL("2", "array_position", ARR(SQLT_DOUBLE, D(1), D(2)), I(2));
}

static void test_join(void)
{
    CALLT("varchar:1,2,3", "array_join", ARR(SQLT_BIGINT, I(1), I(2), I(3)), V(","));
    CALL("1,3", "array_join", ARR(SQLT_BIGINT, I(1), NUL(SQLT_BIGINT), I(3)), V(","));
    CALL("1,x,3", "array_join", ARR(SQLT_BIGINT, I(1), NUL(SQLT_BIGINT), I(3)), V(","), V("x"));
    CALL("3", "array_join", ARR(SQLT_BIGINT, NUL(SQLT_BIGINT), I(3)), V(", "));
    CALL("x, 3", "array_join", ARR(SQLT_BIGINT, NUL(SQLT_BIGINT), I(3)), V(", "), V("x"));
    CALL("", "array_join", ARR(SQLT_BIGINT, NUL(SQLT_BIGINT)), V(","));
    CALL("", "array_join", EMPTY(SQLT_BIGINT), V(","));
    CALL("1.5;2.0;1.0E10", "array_join", ARR(SQLT_DOUBLE, D(1.5), D(2), D(1e10)), V(";"));
    CALL("ab", "array_join", ARR(SQLT_VARCHAR, V("a"), V("b")), V(""));
    CALL("a--b", "array_join", ARR(SQLT_VARCHAR, V("a"), V("b")), V("--"));
    CALL("true|false", "array_join", ARR(SQLT_BOOLEAN, B(true), B(false)), V("|"));
    CALL("1970-01-02", "array_join", ARR(SQLT_DATE, DT(1)), V(","));
    CALL("NULL", "array_join", ARR(SQLT_BIGINT, I(1)), NUL(SQLT_VARCHAR));
    CALL("NULL", "array_join", ARR(SQLT_BIGINT, I(1)), V(","), NUL(SQLT_VARCHAR));
}

static void test_max_min_sort_distinct(void)
{
    sql_value a = ARR(SQLT_BIGINT, I(3), I(1), I(2));
    CALLT("bigint:3", "array_max", a);
    CALLT("bigint:1", "array_min", a);
    CALLT("bigint:NULL", "array_max", EMPTY(SQLT_BIGINT));
    CALL("NULL", "array_min", EMPTY(SQLT_BIGINT));
    CALL("NULL", "array_max", ARR(SQLT_BIGINT, I(1), NUL(SQLT_BIGINT)));
    CALL("NULL", "array_min", ARR(SQLT_BIGINT, NUL(SQLT_BIGINT), I(1)));
    CALLT("varchar:b", "array_max", ARR(SQLT_VARCHAR, V("a"), V("b"), V("ab")));
    CALL("a", "array_min", ARR(SQLT_VARCHAR, V("a"), V("b"), V("ab")));
    CALL("-0.5", "array_min", ARR(SQLT_DOUBLE, D(2), D(-0.5)));
    CALL("NaN", "array_max", ARR(SQLT_DOUBLE, D(1), D(NAN))); /* NaN sorts largest */
    CALL("1.0", "array_min", ARR(SQLT_DOUBLE, D(1), D(NAN)));
    CALL("1970-01-01 00:00:10.000000000", "array_max", ARR(SQLT_TIMESTAMP, TS(-10), TS(10), TS(0)));
    CALL("1969-12-31 23:59:50.000000000", "array_min", ARR(SQLT_TIMESTAMP, TS(-10), TS(10), TS(0)));
    CALL("true", "array_max", ARR(SQLT_BOOLEAN, B(false), B(true)));

    CALLT("array(bigint):[1, 2, 3, NULL]", "array_sort", ARR(SQLT_BIGINT, I(3), NUL(SQLT_BIGINT), I(1), I(2)));
    CALL("[1, 2, 3, NULL, NULL]", "array_sort", ARR(SQLT_BIGINT, NUL(SQLT_BIGINT), I(3), NUL(SQLT_BIGINT), I(1), I(2)));
    CALL("[]", "array_sort", EMPTY(SQLT_BIGINT));
    CALL("[a, ab, b]", "array_sort", ARR(SQLT_VARCHAR, V("b"), V("ab"), V("a")));
    CALL("[-Infinity, -1.0, 2.0, Infinity, NaN]", "array_sort",
         ARR(SQLT_DOUBLE, D(NAN), D(2), D(INFINITY), D(-1), D(-INFINITY)));
    CALL("[-5, 5, 5]", "array_sort", ARR(SQLT_BIGINT, I(5), I(-5), I(5)));
    /* the argument is not sorted in place */
    sql_value s = ARR(SQLT_BIGINT, I(2), I(1));
    CALL("[1, 2]", "array_sort", s);
    CALL("2", "element_at", s, I(1));

    CALLT("array(bigint):[1, 2, NULL]", "array_distinct",
          ARR(SQLT_BIGINT, I(1), I(2), I(1), NUL(SQLT_BIGINT), I(2), NUL(SQLT_BIGINT)));
    CALL("[]", "array_distinct", EMPTY(SQLT_BIGINT));
    CALL("[0.0, NaN]", "array_distinct", ARR(SQLT_DOUBLE, D(0.0), D(-0.0), D(NAN), D(NAN)));
    CALL("[b, a]", "array_distinct", ARR(SQLT_VARCHAR, V("b"), V("a"), V("b"), V("a")));
    CALL("[3]", "array_distinct", ARR(SQLT_BIGINT, I(3), I(3), I(3)));
    CALL("NULL", "array_distinct", NUL(AR | SQLT_BIGINT));
}

static void test_distinct_large(void)
{
    /* 10,000 elements with 100 distinct values: first occurrences in order */
    sql_value *el;
    int64_t *ts;
    sql_value a = sqlv_array(A, AR | SQLT_BIGINT, 10000, &el, &ts);
    for (int i = 0; i < 10000; i++) el[i] = I((i * 37) % 100);
    sql_value out;
    const char *got = run("array_distinct", &a, 1, &out);
    bool ok = strncmp(got, "ERR", 3) && out.u.arr->n == 100;
    for (int i = 0; ok && i < 100; i++) ok = out.u.arr->v[i].u.i == (i * 37) % 100;
    result(ok, __LINE__, "array_distinct large", got, "100 values");
}

static void test_slice(void)
{
    sql_value a = ARR(SQLT_BIGINT, I(1), I(2), I(3), I(4), I(5));
    CALLT("array(bigint):[2, 3]", "slice", a, I(2), I(2));
    CALL("[4, 5]", "slice", a, I(-2), I(5));
    CALL("[4, 5]", "slice", a, I(4), I(10));
    CALL("[5]", "slice", a, I(5), I(1));
    CALL("[]", "slice", a, I(6), I(1));
    CALL("[]", "slice", a, I(1), I(0));
    CALL("[1, 2]", "slice", a, I(-5), I(2));
    CALL("[]", "slice", a, I(-6), I(2));
    CALL("[]", "slice", a, I(INT64_MAX), I(1));
    CALL("[]", "slice", a, I(INT64_MIN), I(1));
    CALL("[1, 2, 3, 4, 5]", "slice", a, I(1), I(INT64_MAX));
    CALL("[3, 4, 5]", "slice", a, I(3), I(INT64_MAX));
    CALL("ERR: SQL array indices start at 1", "slice", a, I(0), I(1));
    CALL("ERR: length must be greater than or equal to 0", "slice", a, I(1), I(-1));
    CALL("[]", "slice", EMPTY(SQLT_BIGINT), I(1), I(1));
    CALL("[b]", "slice", ARR(SQLT_VARCHAR, V("a"), V("b")), I(-1), I(1));
}

static void test_sequence(void)
{
    CALLT("array(bigint):[1, 2, 3, 4, 5]", "sequence", I(1), I(5));
    CALL("[5, 4, 3, 2, 1]", "sequence", I(5), I(1));
    CALL("[7]", "sequence", I(7), I(7));
    CALL("[1, 4, 7, 10]", "sequence", I(1), I(10), I(3));
    CALL("[1, 4, 7, 10]", "sequence", I(1), I(11), I(3));
    CALL("[10, 6, 2]", "sequence", I(10), I(1), I(-4));
    CALL("[-3, -1, 1, 3]", "sequence", I(-3), I(3), I(2));
    CALL("[5]", "sequence", I(5), I(5), I(-3));
    CALL("ERR: step must not be zero", "sequence", I(1), I(5), I(0));
    CALL("ERR: sequence stop value should be greater than or equal to start value if step is greater than zero "
         "otherwise stop should be less than or equal to start",
         "sequence", I(1), I(5), I(-1));
    CALL("ERR: sequence stop value should be greater than or equal to start value if step is greater than zero "
         "otherwise stop should be less than or equal to start",
         "sequence", I(5), I(1), I(1));
    CALL("ERR: result of sequence function must not have more than 10000 entries", "sequence", I(0), I(10000));
    CALL("ERR: result of sequence function must not have more than 10000 entries", "sequence", I(INT64_MIN),
         I(INT64_MAX));
    CALL("ERR: result of sequence function must not have more than 10000 entries", "sequence", I(INT64_MAX),
         I(INT64_MIN));
    CALL("[9223372036854775805, 9223372036854775806, 9223372036854775807]", "sequence", I(INT64_MAX - 2),
         I(INT64_MAX));
    CALL("[-9223372036854775808, -9223372036854775807]", "sequence", I(INT64_MIN), I(INT64_MIN + 1));
    CALL("[-9223372036854775808, -1, 9223372036854775806]", "sequence", I(INT64_MIN), I(INT64_MAX), I(INT64_MAX));
    CALL("[9223372036854775807, -1]", "sequence", I(INT64_MAX), I(INT64_MIN), I(INT64_MIN));
    CALL("NULL", "sequence", I(1), NUL(SQLT_BIGINT));
    {
        sql_value out;
        const char *got = run("sequence", VALS(I(0), I(9999)), 2, &out);
        bool ok = strncmp(got, "ERR", 3) == 0 ? false : out.u.arr->n == 10000 && out.u.arr->v[9999].u.i == 9999;
        result(ok, __LINE__, "sequence 10000", got, "10000 entries");
        got = run("sequence", VALS(I(0), I(19998), I(2)), 3, &out);
        ok = strncmp(got, "ERR", 3) == 0 ? false : out.u.arr->n == 10000 && out.u.arr->v[9999].u.i == 19998;
        result(ok, __LINE__, "sequence 10000 step 2", got, "10000 entries");
        CALL("ERR: result of sequence function must not have more than 10000 entries", "sequence", I(0), I(20000), I(2));
    }

    /* dates: 18291 = 2020-01-30 */
    CALLT("array(date):[2020-01-30, 2020-01-31, 2020-02-01, 2020-02-02]", "sequence", DT(18291), DT(18294));
    CALL("[2020-02-02, 2020-02-01, 2020-01-31, 2020-01-30]", "sequence", DT(18294), DT(18291));
    CALL("[2020-01-30, 2020-02-01]", "sequence", DT(18291), DT(18294), DS(2 * 86400));
    CALL("[2020-02-02, 2020-01-31]", "sequence", DT(18294), DT(18291), DS(-2 * 86400));
    CALL("ERR: sequence step must be a day interval if start and end values are dates", "sequence", DT(18291),
         DT(18294), DS(3600));
    CALL("ERR: step must not be zero", "sequence", DT(18291), DT(18294), DS(0));
    /* 2020-01-31 .. 2020-05-31 monthly: each from the start, clamped */
    CALLT("array(date):[2020-01-31, 2020-02-29, 2020-03-31, 2020-04-30, 2020-05-31]", "sequence", DT(18292),
          DT(18413), YM(1));
    CALL("[2020-01-31, 2020-02-29, 2020-03-31]", "sequence", DT(18292), DT(18381), YM(1)); /* to 2020-04-29 */
    CALL("[2020-01-31, 2020-04-30]", "sequence", DT(18292), DT(18413), YM(3));
    CALL("[2020-05-31, 2020-03-31, 2020-01-31]", "sequence", DT(18413), DT(18292), YM(-2));
    CALL("[2020-01-31]", "sequence", DT(18292), DT(18320), YM(1)); /* to 2020-02-28 */
    CALL("ERR: step must not be zero", "sequence", DT(18292), DT(18413), YM(0));
    CALL("ERR: sequence stop value should be greater than or equal to start value if step is greater than zero "
         "otherwise stop should be less than or equal to start",
         "sequence", DT(18292), DT(18413), YM(-1));
    CALL("ERR: result of sequence function must not have more than 10000 entries", "sequence", DT(0),
         DT(400000), YM(1));

    /* timestamps */
    CALLT("array(timestamp):[1970-01-01 00:00:00.000000000, 1970-01-01 00:00:15.000000000, 1970-01-01 "
          "00:00:30.000000000]",
          "sequence", TS(0), TS(30), DS(15));
    CALL("[1969-12-31 23:59:30.000000000, 1969-12-31 23:59:50.000000000, 1970-01-01 00:00:10.000000000]", "sequence",
         TS(-30), TS(10), DS(20));
    CALL("[1970-01-01 00:00:10.000000000, 1969-12-31 23:59:50.000000000]", "sequence", TS(10), TS(-15), DS(-20));
    CALL("ERR: step must not be zero", "sequence", TS(0), TS(30), DS(0));
    CALL("ERR: result of sequence function must not have more than 10000 entries", "sequence", TS(0), TS(1),
         sqlv_int(SQLT_INTERVAL_DS, 1));
    CALL("[1970-01-01 00:00:00.000000000, 1970-01-01 00:00:00.000000001]", "sequence", TS(0),
         sqlv_int(SQLT_TIMESTAMP, 1), sqlv_int(SQLT_INTERVAL_DS, 1));
    {
        /* the whole timestamp range by months: about 7000 entries, or an
         * out-of-range error at the far end; never a crash */
        const char *got = run("sequence", VALS(sqlv_int(SQLT_TIMESTAMP, INT64_MIN), sqlv_int(SQLT_TIMESTAMP, INT64_MAX), YM(1)), 3, NULL);
        result(got[0] == '[' || !strncmp(got, "ERR: ", 5), __LINE__, "sequence over all time", got, "a result or an error");
    }
    CALL("ERR: result of sequence function must not have more than 10000 entries", "sequence", TS(0), TS(86400),
         DS(1));
    /* 2020-01-31 12:00 .. 2020-03-31 11:00 monthly: March 31 12:00 is past the end */
    CALL("[2020-01-31 12:00:00.000000000, 2020-02-29 12:00:00.000000000]", "sequence", TS(1580472000LL),
         TS(1585652400LL), YM(1));
    CALL("[2020-01-31 12:00:00.000000000, 2020-02-29 12:00:00.000000000, 2020-03-31 12:00:00.000000000]",
         "sequence", TS(1580472000LL), TS(1585656000LL), YM(1));
    /* a date bound meets a timestamp: both timestamps */
    CALLT("array(timestamp):[1970-01-02 00:00:00.000000000, 1970-01-02 12:00:00.000000000]", "sequence", DT(1),
          TS(86400 + 43200), DS(43200));
    CALL("ERR: Unexpected parameters (timestamp, timestamp) for function sequence. Expected: sequence(bigint, "
         "bigint), sequence(bigint, bigint, bigint), sequence(date, date), sequence(date, date, interval day to "
         "second), sequence(date, date, interval year to month), sequence(timestamp, timestamp, interval day to "
         "second), sequence(timestamp, timestamp, interval year to month)",
         "sequence", TS(0), TS(1));
}

/* ---- time series ---- */

/* S1: (0, 1) (10, 3) (20, 2) (40, 6) */
static sql_value s1(void) { return SER(SQLT_DOUBLE, SECS(0, 10, 20, 40), D(1), D(3), D(2), D(6)); }

static void test_linear(void)
{
    sql_value s = s1();
    CALLT("double:2.0", "interpolate_linear", s, TS(5));
    CALL("2.5", "interpolate_linear", s, TS(15));
    CALL("3.0", "interpolate_linear", s, TS(25));
    CALL("4.0", "interpolate_linear", s, TS(30));
    CALL("1.0", "interpolate_linear", s, TS(0));
    CALL("3.0", "interpolate_linear", s, TS(10));
    CALL("6.0", "interpolate_linear", s, TS(40));
    CALL("NULL", "interpolate_linear", s, TS(-1));
    CALL("NULL", "interpolate_linear", s, TS(41));
    NUM(1.0 + 2.0 * (1.0 / 10.0), "interpolate_linear", s, sqlv_int(SQLT_TIMESTAMP, NS));
    /* a nanosecond after a point */
    NUM(1.0 + 2.0 * (1.0 / 1e10), "interpolate_linear", s, sqlv_int(SQLT_TIMESTAMP, 1));
    CALLT("timeseries(double):T[5:2.0 15:2.5 25:3.0 30:4.0]", "interpolate_linear", s,
          ARR(SQLT_TIMESTAMP, TS(5), TS(15), TS(25), TS(30)));
    /* outside the range left out; unsorted, repeated and NULL instants */
    CALL("T[5:2.0 20:2.0]", "interpolate_linear", s,
         ARR(SQLT_TIMESTAMP, TS(20), NUL(SQLT_TIMESTAMP), TS(5), TS(5), TS(-3), TS(45)));
    CALL("T[0:1.0 10:3.0 20:2.0 30:4.0 40:6.0]", "interpolate_linear", s,
         ARR(SQLT_TIMESTAMP, TS(0), TS(10), TS(20), TS(30), TS(40)));
    CALL("T[]", "interpolate_linear", s, EMPTY(SQLT_TIMESTAMP));
    CALL("T[]", "interpolate_linear", s, ARR(SQLT_TIMESTAMP, TS(-100), TS(100)));
    /* SEQUENCE's output straight in, as the guide's example */
    {
        sql_value seq;
        run("sequence", VALS(TS(0), TS(40), DS(10)), 3, &seq);
        CALL("T[0:1.0 10:3.0 20:2.0 30:4.0 40:6.0]", "interpolate_linear", s, seq);
        run("sequence", VALS(TS(0), TS(40), DS(15)), 3, &seq);
        CALL("T[0:1.0 15:2.5 30:4.0]", "interpolate_linear", s, seq);
    }
    /* dates widen to timestamps: day 0 is the first point */
    CALL("1.0", "interpolate_linear", s, DT(0));
    CALL("T[0:1.0]", "interpolate_linear", s, ARR(SQLT_DATE, DT(0), DT(1)));

    /* one point, two points, none */
    sql_value one = SER(SQLT_DOUBLE, SECS(10), D(7));
    CALL("7.0", "interpolate_linear", one, TS(10));
    CALL("NULL", "interpolate_linear", one, TS(11));
    CALL("NULL", "interpolate_linear", one, TS(9));
    CALL("T[10:7.0]", "interpolate_linear", one, ARR(SQLT_TIMESTAMP, TS(9), TS(10), TS(11)));
    sql_value two = SER(SQLT_DOUBLE, SECS(0, 10), D(2), D(4));
    CALL("2.6", "interpolate_linear", two, TS(3));
    CALL("T[0:2.0 5:3.0 10:4.0]", "interpolate_linear", two, ARR(SQLT_TIMESTAMP, TS(0), TS(5), TS(10)));
    sql_value none = mk_ts(TSR | SQLT_DOUBLE, 0, NULL, NULL, NS);
    CALL("NULL", "interpolate_linear", none, TS(0));
    CALL("T[]", "interpolate_linear", none, ARR(SQLT_TIMESTAMP, TS(0)));

    /* before 1970 */
    sql_value neg = SER(SQLT_DOUBLE, SECS(-30, -10, 10), D(0), D(4), D(8));
    CALL("2.0", "interpolate_linear", neg, TS(-20));
    CALL("6.0", "interpolate_linear", neg, TS(0));
    CALL("T[-25:1.0 -10:4.0 5:7.0]", "interpolate_linear", neg, ARR(SQLT_TIMESTAMP, TS(5), TS(-25), TS(-10), TS(-40)));

    /* a bigint series widens to double */
    sql_value bi = SER(SQLT_BIGINT, SECS(0, 10), I(10), I(20));
    CALLT("double:15.0", "interpolate_linear", bi, TS(5));
    CALLT("timeseries(double):T[5:15.0 10:20.0]", "interpolate_linear", bi, ARR(SQLT_TIMESTAMP, TS(5), TS(10)));

    /* NULL values are no points: 10 is between 0 and 20 */
    sql_value wn = SER(SQLT_DOUBLE, SECS(0, 10, 20), D(1), NUL(SQLT_DOUBLE), D(5));
    CALL("3.0", "interpolate_linear", wn, TS(10));
    CALL("T[5:2.0 10:3.0]", "interpolate_linear", wn, ARR(SQLT_TIMESTAMP, TS(5), TS(10)));
    sql_value lastnull = SER(SQLT_DOUBLE, SECS(0, 10), D(1), NUL(SQLT_DOUBLE));
    CALL("NULL", "interpolate_linear", lastnull, TS(5));
    CALL("NULL", "interpolate_linear", SER(SQLT_DOUBLE, SECS(0), NUL(SQLT_DOUBLE)), TS(0));

    /* repeated instants (CREATE_TIME_SERIES makes none): the later point wins */
    sql_value dup = SER(SQLT_DOUBLE, SECS(0, 10, 10, 20), D(0), D(1), D(3), D(5));
    CALL("3.0", "interpolate_linear", dup, TS(10));
    CALL("4.0", "interpolate_linear", dup, TS(15));
    CALL("T[10:0.1 20:0.2]", "derivative_linear", dup, DS(1));
    CALL("45.0", "integral_trapezoidal", dup); /* 5 + 0 + 40 */

    /* NULL arguments */
    CALLT("double:NULL", "interpolate_linear", NUL(TSR | SQLT_DOUBLE), TS(0));
    CALL("NULL", "interpolate_linear", s, NUL(SQLT_TIMESTAMP));
    CALL("NULL", "interpolate_linear", NUL(SQLT_UNKNOWN), TS(0));
    CALL("NULL", "interpolate_linear", s, NUL(AR | SQLT_TIMESTAMP));

    /* times far from 1970: the fraction still exact */
    sql_value far = SER(SQLT_DOUBLE, SECS(1600000000, 1600000010), D(0), D(10));
    CALL("3.0", "interpolate_linear", far, TS(1600000003));
    CALL("T[1600000001:1.0 1600000009:9.0]", "interpolate_linear", far,
         ARR(SQLT_TIMESTAMP, TS(1600000001), TS(1600000009)));
    /* the widest span there is */
    sql_value wide = mk_ts(TSR | SQLT_DOUBLE, 2, (const int64_t[]){INT64_MIN, INT64_MAX}, VALS(D(0), D(1)), 1);
    NUM(0.5, "interpolate_linear", wide, sqlv_int(SQLT_TIMESTAMP, 0));
}

static void test_spline(void)
{
    sql_value s = s1();
    NUM(2.342391304347826, "interpolate_spline_cubic", s, TS(5));
    NUM(2.597826086956522, "interpolate_spline_cubic", s, TS(15));
    NUM(2.1440217391304346, "interpolate_spline_cubic", s, TS(25));
    NUM(3.0217391304347827, "interpolate_spline_cubic", s, TS(30));
    NUM(4.388586956521739, "interpolate_spline_cubic", s, TS(35));
    CALLT("double:3.0", "interpolate_spline_cubic", s, TS(10)); /* at a point: its value exactly */
    CALL("1.0", "interpolate_spline_cubic", s, TS(0));
    CALL("6.0", "interpolate_spline_cubic", s, TS(40));
    CALL("NULL", "interpolate_spline_cubic", s, TS(-1));
    CALL("NULL", "interpolate_spline_cubic", s, TS(41));
    SERIES(4, SECS(5, 20, 30, 35), DV(2.342391304347826, 2.0, 3.0217391304347827, 4.388586956521739),
           "interpolate_spline_cubic", s, ARR(SQLT_TIMESTAMP, TS(35), TS(50), TS(5), TS(30), TS(20), TS(-5)));
    CALLT("timeseries(double):T[]", "interpolate_spline_cubic", s, EMPTY(SQLT_TIMESTAMP));
    /* the same series moved to 2020 (ns near 1.6e18) gives the same curve */
    sql_value far = SER(SQLT_DOUBLE, SECS(1600000000, 1600000010, 1600000020, 1600000040), D(1), D(3), D(2), D(6));
    NUM(2.342391304347826, "interpolate_spline_cubic", far, TS(1600000005));
    NUM(4.388586956521739, "interpolate_spline_cubic", far, TS(1600000035));
    /* a symmetric zigzag */
    sql_value zig = SER(SQLT_DOUBLE, SECS(0, 1, 2, 3, 4), D(0), D(1), D(0), D(1), D(0));
    NUM(0.7678571428571429, "interpolate_spline_cubic", zig, sqlv_int(SQLT_TIMESTAMP, NS / 2));
    NUM(0.44642857142857145, "interpolate_spline_cubic", zig, sqlv_int(SQLT_TIMESTAMP, 3 * NS / 2));
    NUM(0.44642857142857145, "interpolate_spline_cubic", zig, sqlv_int(SQLT_TIMESTAMP, 5 * NS / 2));
    NUM(0.7678571428571429, "interpolate_spline_cubic", zig, sqlv_int(SQLT_TIMESTAMP, 7 * NS / 2));
    /* before 1970, uneven steps */
    sql_value neg = SER(SQLT_DOUBLE, SECS(-30, -10, 10, 25), D(0), D(4), D(2), D(-1));
    NUM(1.3425480769230769, "interpolate_spline_cubic", neg, TS(-25));
    NUM(3.970359375, "interpolate_spline_cubic", neg, sqlv_int(SQLT_TIMESTAMP, -10 * NS - NS / 2));
    NUM(3.605769230769231, "interpolate_spline_cubic", neg, TS(0));
    NUM(0.02564102564102564, "interpolate_spline_cubic", neg, TS(20));
    /* three points; near the ends */
    sql_value three = SER(SQLT_DOUBLE, SECS(0, 10, 30), D(1), D(2), D(5));
    NUM(1.00009166666675, "interpolate_spline_cubic", three, sqlv_int(SQLT_TIMESTAMP, NS / 1000));
    NUM(4.999833333333375, "interpolate_spline_cubic", three, sqlv_int(SQLT_TIMESTAMP, 29999 * NS / 1000));
    /* bigint series */
    sql_value bi = SER(SQLT_BIGINT, SECS(0, 10, 20), I(10), I(30), I(20));
    NUM(22.8125, "interpolate_spline_cubic", bi, TS(5));
    NUM(27.8125, "interpolate_spline_cubic", bi, TS(15));
    /* two points: the natural spline is the line; one point: only itself */
    NUM(2.6, "interpolate_spline_cubic", SER(SQLT_DOUBLE, SECS(0, 10), D(2), D(4)), TS(3));
    CALL("7.0", "interpolate_spline_cubic", SER(SQLT_DOUBLE, SECS(10), D(7)), TS(10));
    CALL("NULL", "interpolate_spline_cubic", SER(SQLT_DOUBLE, SECS(10), D(7)), TS(11));
    CALL("NULL", "interpolate_spline_cubic", mk_ts(TSR | SQLT_DOUBLE, 0, NULL, NULL, NS), TS(0));
    /* NULL values skipped: the spline of S1 with an extra NULL point */
    sql_value wn = SER(SQLT_DOUBLE, SECS(0, 5, 10, 20, 40), D(1), NUL(SQLT_DOUBLE), D(3), D(2), D(6));
    NUM(2.342391304347826, "interpolate_spline_cubic", wn, TS(5));
    NUM(3.0217391304347827, "interpolate_spline_cubic", wn, TS(30));
    CALL("NULL", "interpolate_spline_cubic", NUL(TSR | SQLT_DOUBLE), TS(5));
}

static void test_locf_fill(void)
{
    sql_value s = s1();
    CALLT("double:NULL", "interpolate_locf", s, TS(-5));
    CALL("1.0", "interpolate_locf", s, TS(0));
    CALL("1.0", "interpolate_locf", s, TS(5));
    CALL("3.0", "interpolate_locf", s, TS(10));
    CALL("2.0", "interpolate_locf", s, TS(39));
    CALL("6.0", "interpolate_locf", s, TS(40));
    CALL("6.0", "interpolate_locf", s, TS(100000)); /* carried on past the last point */
    CALLT("timeseries(double):T[0:1.0 5:1.0 10:3.0 39:2.0 100:6.0]", "interpolate_locf", s,
          ARR(SQLT_TIMESTAMP, TS(100), TS(39), TS(10), TS(5), TS(0), TS(-5)));
    /* locf keeps the element type */
    sql_value bi = SER(SQLT_BIGINT, SECS(-10, 10), I(-4), I(9));
    CALLT("bigint:-4", "interpolate_locf", bi, TS(0));
    CALLT("bigint:NULL", "interpolate_locf", bi, TS(-11));
    CALLT("timeseries(bigint):T[-10:-4 0:-4 10:9 11:9]", "interpolate_locf", bi,
          ARR(SQLT_TIMESTAMP, TS(-11), TS(-10), TS(0), TS(10), TS(11)));
    sql_value vs = SER(SQLT_VARCHAR, SECS(0, 10), V("on"), V("off"));
    CALLT("varchar:on", "interpolate_locf", vs, TS(9));
    CALLT("timeseries(varchar):T[5:on 15:off]", "interpolate_locf", vs, ARR(SQLT_TIMESTAMP, TS(15), TS(5)));
    sql_value bs = SER(SQLT_BOOLEAN, SECS(0), B(true));
    CALLT("boolean:true", "interpolate_locf", bs, TS(1));
    /* NULL values skipped: 15 carries the 1 from time 0 */
    sql_value wn = SER(SQLT_DOUBLE, SECS(0, 10, 20), D(1), NUL(SQLT_DOUBLE), D(5));
    CALL("1.0", "interpolate_locf", wn, TS(15));
    CALL("1.0", "interpolate_locf", wn, TS(10));
    CALL("T[10:1.0 20:5.0]", "interpolate_locf", wn, ARR(SQLT_TIMESTAMP, TS(10), TS(20)));
    CALL("T[]", "interpolate_locf", mk_ts(TSR | SQLT_DOUBLE, 0, NULL, NULL, NS), ARR(SQLT_TIMESTAMP, TS(0)));
    CALL("NULL", "interpolate_locf", NUL(TSR | SQLT_BIGINT), TS(0));

    CALLT("double:3.0", "interpolate_fill", s, TS(10), D(-1.5));
    CALL("-1.5", "interpolate_fill", s, TS(5), D(-1.5));
    CALL("-1.5", "interpolate_fill", s, TS(-100), D(-1.5));
    CALL("-1.5", "interpolate_fill", s, TS(100), D(-1.5));
    CALL("0.0", "interpolate_fill", s, TS(5), I(0)); /* bigint constant widened */
    CALLT("timeseries(double):T[-5:0.0 0:1.0 5:0.0 40:6.0 50:0.0]", "interpolate_fill", s,
          ARR(SQLT_TIMESTAMP, TS(50), TS(40), TS(5), TS(0), TS(-5)), D(0));
    CALL("T[0:NaN]", "interpolate_fill", SER(SQLT_DOUBLE, SECS(1), D(1)), ARR(SQLT_TIMESTAMP, TS(0)), D(NAN));
    CALL("T[5:9.0 10:9.0]", "interpolate_fill", wn, ARR(SQLT_TIMESTAMP, TS(10), TS(5)), D(9)); /* NULL point filled */
    CALL("9.0", "interpolate_fill", wn, TS(10), D(9));
    CALL("T[0:10.0]", "interpolate_fill", SER(SQLT_BIGINT, SECS(0), I(10)), ARR(SQLT_TIMESTAMP, TS(0)), D(1));
    CALL("NULL", "interpolate_fill", s, TS(10), NUL(SQLT_DOUBLE)); /* strict, even where a point is */
    CALL("T[]", "interpolate_fill", s, EMPTY(SQLT_TIMESTAMP), D(1));
}

static void test_derivative_integral(void)
{
    sql_value s = s1();
    CALLT("timeseries(double):T[10:0.2 20:-0.1 40:0.2]", "derivative_linear", s, DS(1));
    CALL("T[10:12.0 20:-6.0 40:12.0]", "derivative_linear", s, DS(60));
    CALL("T[10:12.0 40:12.0]", "non_negative_derivative_linear", s, DS(60));
    CALL("T[10:0.2 40:0.2]", "non_negative_derivative_linear", s, DS(1));
    CALL("T[10:2.0E-10 20:-1.0E-10 40:2.0E-10]", "derivative_linear", s, sqlv_int(SQLT_INTERVAL_DS, 1));
    CALL("ERR: Invalid interval for derivative_linear: must be greater than zero", "derivative_linear", s, DS(0));
    CALL("ERR: Invalid interval for non_negative_derivative_linear: must be greater than zero",
         "non_negative_derivative_linear", s, DS(-1));
    CALL("T[]", "derivative_linear", SER(SQLT_DOUBLE, SECS(5), D(1)), DS(1));
    CALL("T[]", "derivative_linear", mk_ts(TSR | SQLT_DOUBLE, 0, NULL, NULL, NS), DS(1));
    CALL("T[-10:0.2 10:0.2]", "derivative_linear", SER(SQLT_DOUBLE, SECS(-30, -10, 10), D(0), D(4), D(8)), DS(1));
    CALL("T[10:1.0]", "derivative_linear", SER(SQLT_BIGINT, SECS(0, 10), I(10), I(20)), DS(1));
    /* zero change is kept by the non-negative form */
    CALL("T[10:0.0 20:5.0]", "non_negative_derivative_linear",
         SER(SQLT_DOUBLE, SECS(0, 10, 20, 30), D(3), D(3), D(53), D(0)), DS(1));
    /* NULL values skipped: the slope from 0 to 20 */
    sql_value wn = SER(SQLT_DOUBLE, SECS(0, 10, 20), D(1), NUL(SQLT_DOUBLE), D(5));
    CALL("T[20:0.2]", "derivative_linear", wn, DS(1));
    /* a counter reset dropped, not zeroed */
    CALL("T[10:1.0 30:2.0]", "non_negative_derivative_linear",
         SER(SQLT_DOUBLE, SECS(0, 10, 20, 30), D(0), D(10), D(2), D(22)), DS(1));
    /* huge values: the product overflows, the quotient does not */
    CALL("T[1:1.0E300]", "derivative_linear", SER(SQLT_DOUBLE, SECS(0, 1), D(0), D(1e300)), DS(1));
    CALL("NULL", "derivative_linear", NUL(TSR | SQLT_DOUBLE), DS(1));
    CALL("NULL", "derivative_linear", s, NUL(SQLT_INTERVAL_DS));
    /* sub-second instants */
    CALL("T[500000000ns:4.0]", "derivative_linear", mk_ts(TSR | SQLT_DOUBLE, 2, (const int64_t[]){0, NS / 2},
                                                          VALS(D(0), D(2)), 1),
         DS(1));

    CALLT("double:125.0", "integral_trapezoidal", s);
    CALL("125.0", "integral_trapezoidal", s, DS(1));
    NUM(2.083333333333333, "integral_trapezoidal", s, DS(60));
    CALL("1.25E11", "integral_trapezoidal", s, sqlv_int(SQLT_INTERVAL_DS, 1));
    CALL("0.0", "integral_trapezoidal", SER(SQLT_DOUBLE, SECS(3), D(9)));
    CALL("NULL", "integral_trapezoidal", mk_ts(TSR | SQLT_DOUBLE, 0, NULL, NULL, NS));
    CALL("NULL", "integral_trapezoidal", SER(SQLT_DOUBLE, SECS(3), NUL(SQLT_DOUBLE)));
    CALL("60.0", "integral_trapezoidal", wn); /* (1 + 5) / 2 * 20 */
    CALL("150.0", "integral_trapezoidal", SER(SQLT_BIGINT, SECS(0, 10), I(10), I(20)));
    CALL("60.0", "integral_trapezoidal", SER(SQLT_DOUBLE, SECS(-30, -10, 10), D(0), D(4), D(-2))); /* 2 * 20 + 1 * 20 */
    CALL("-10.0", "integral_trapezoidal", SER(SQLT_DOUBLE, SECS(0, 10), D(-1), D(-1)));
    CALL("2.5", "integral_trapezoidal", SER(SQLT_DOUBLE, SECS(0, 1), D(2), D(3)), DS(1));
    CALL("ERR: Invalid interval for integral_trapezoidal: must be greater than zero", "integral_trapezoidal", s,
         DS(0));
    CALL("NULL", "integral_trapezoidal", NUL(TSR | SQLT_DOUBLE));
    CALL("NULL", "integral_trapezoidal", s, NUL(SQLT_INTERVAL_DS));
}

static void test_correlate(void)
{
    sql_value a = SER(SQLT_DOUBLE, SECS(0, 1, 2, 3, 4), D(1), D(2), D(3), D(4), D(5));
    sql_value b = SER(SQLT_DOUBLE, SECS(0, 1, 2, 3, 4), D(2), D(4), D(5), D(4), D(5));
    NUM(0.7745966692414834, "correlate_pearson", a, b);
    NUM(0.7378647873726218, "correlate_spearman", a, b);
    NUM(0.7745966692414834, "correlate_pearson", b, a);
    NUM(1.0, "correlate_pearson", a, a);
    NUM(1.0, "correlate_spearman", b, b);
    sql_value c = SER(SQLT_DOUBLE, SECS(-3, -2, -1, 0, 1, 2), D(3), D(1), D(4), D(1), D(5), D(9));
    sql_value d = SER(SQLT_DOUBLE, SECS(-3, -2, -1, 0, 1, 2), D(2), D(7), D(1), D(8), D(2), D(8));
    NUM(-0.006692445047241754, "correlate_pearson", c, d);
    NUM(-0.13434332265596974, "correlate_spearman", c, d);
    /* negated: -1 */
    sql_value neg = SER(SQLT_DOUBLE, SECS(0, 1, 2, 3, 4), D(-1), D(-2), D(-3), D(-4), D(-5));
    NUM(-1.0, "correlate_pearson", a, neg);
    NUM(-1.0, "correlate_spearman", a, neg);
    /* Spearman sees only order: an exponential is perfectly ranked */
    sql_value ex = SER(SQLT_DOUBLE, SECS(0, 1, 2, 3, 4), D(1), D(10), D(100), D(1000), D(1e6));
    NUM(1.0, "correlate_spearman", a, ex);
    /* bigint series widen */
    sql_value bi = SER(SQLT_BIGINT, SECS(0, 1, 2, 3, 4), I(2), I(4), I(5), I(4), I(5));
    NUM(0.7745966692414834, "correlate_pearson", a, bi);
    NUM(0.7378647873726218, "correlate_spearman", bi, a);
    /* pairs with a NULL left out */
    sql_value x1 = SER(SQLT_DOUBLE, SECS(0, 1, 2, 3), D(1), NUL(SQLT_DOUBLE), D(2), D(4));
    sql_value y1 = SER(SQLT_DOUBLE, SECS(0, 1, 2, 3), D(1), D(100), D(3), D(2));
    NUM(0.32732683535398854, "correlate_pearson", x1, y1);
    NUM(0.5, "correlate_spearman", x1, y1);
    /* no variance: NaN; under two pairs: NULL */
    sql_value flat = SER(SQLT_DOUBLE, SECS(0, 1, 2, 3, 4), D(7), D(7), D(7), D(7), D(7));
    CALL("NaN", "correlate_pearson", a, flat);
    CALL("NaN", "correlate_spearman", flat, a);
    CALL("NULL", "correlate_pearson", SER(SQLT_DOUBLE, SECS(0), D(1)), SER(SQLT_DOUBLE, SECS(0), D(2)));
    CALL("NULL", "correlate_spearman", mk_ts(TSR | SQLT_DOUBLE, 0, NULL, NULL, NS),
         mk_ts(TSR | SQLT_DOUBLE, 0, NULL, NULL, NS));
    CALL("NULL", "correlate_pearson", SER(SQLT_DOUBLE, SECS(0, 1), D(1), NUL(SQLT_DOUBLE)),
         SER(SQLT_DOUBLE, SECS(0, 1), D(1), D(2)));
    NUM(1.0, "correlate_pearson", SER(SQLT_DOUBLE, SECS(0, 1), D(1), D(2)), SER(SQLT_DOUBLE, SECS(0, 1), D(5), D(9)));
    /* different instants: an error */
    sql_value shifted = SER(SQLT_DOUBLE, SECS(0, 1, 2, 3, 5), D(2), D(4), D(5), D(4), D(5));
    CALL("ERR: The timeseries given to correlate_pearson must have the same timestamps", "correlate_pearson", a,
         shifted);
    CALL("ERR: The timeseries given to correlate_spearman must have the same timestamps", "correlate_spearman",
         a, SER(SQLT_DOUBLE, SECS(0, 1, 2, 3), D(2), D(4), D(5), D(4)));
    CALL("NULL", "correlate_pearson", a, NUL(TSR | SQLT_DOUBLE));
}

/* ---- the resolver ---- */

static void check_resolve(int line, const char *name, const uint8_t *t, size_t n, const char *want)
{
    sql_fn_sig g;
    st_err e = {0};
    int rc = sql_fn_resolve(st_slice_cstr(name), t, n, &g, &e);
    char got[2048];
    if (rc) snprintf(got, sizeof got, "ERR %d: %s", rc, e.msg);
    else {
        int k = snprintf(got, sizeof got, "%s(", sql_vtype_name((sql_vtype)g.ret));
        for (size_t i = 0; i < n; i++)
            k += snprintf(got + k, sizeof got - (size_t)k, "%s%s", i ? ", " : "", sql_vtype_name((sql_vtype)g.args[i]));
        snprintf(got + k, sizeof got - (size_t)k, ")%s", g.strict ? "" : " lax");
    }
    result(!strcmp(got, want), line, name, got, want);
}
#define RES(want, name, ...)                                                                                   \
    check_resolve(__LINE__, name, (const uint8_t[]){__VA_ARGS__}, sizeof((const uint8_t[]){__VA_ARGS__}), want)

static void test_resolver(void)
{
    const uint8_t TD = TSR | SQLT_DOUBLE, TI = TSR | SQLT_BIGINT, AT = AR | SQLT_TIMESTAMP;
    RES("timeseries(double)(timeseries(double), array(timestamp))", "interpolate_linear", TD, AT);
    RES("timeseries(double)(timeseries(double), array(timestamp))", "interpolate_linear", TI, AT);
    RES("double(timeseries(double), timestamp)", "interpolate_linear", TI, SQLT_TIMESTAMP);
    RES("double(timeseries(double), timestamp)", "interpolate_linear", TD, SQLT_DATE);
    RES("timeseries(double)(timeseries(double), array(timestamp))", "interpolate_linear", TD, AR | SQLT_DATE);
    RES("double(timeseries(double), timestamp)", "interpolate_spline_cubic", TI, SQLT_TIMESTAMP);
    RES("timeseries(bigint)(timeseries(bigint), array(timestamp))", "interpolate_locf", TI, AT);
    RES("varchar(timeseries(varchar), timestamp)", "interpolate_locf", TSR | SQLT_VARCHAR, SQLT_TIMESTAMP);
    RES("timeseries(double)(timeseries(double), array(timestamp), double)", "interpolate_fill", TI, AT, SQLT_BIGINT);
    RES("timeseries(double)(timeseries(double), interval day to second)", "derivative_linear", TI, SQLT_INTERVAL_DS);
    RES("double(timeseries(double))", "integral_trapezoidal", TI);
    RES("double(timeseries(double), timeseries(double))", "correlate_spearman", TI, TD);
    RES("bigint(array(varchar))", "cardinality", AR | SQLT_VARCHAR);
    RES("bigint(timeseries(bigint))", "cardinality", TI);
    RES("bigint(array(unknown))", "cardinality", SQLT_UNKNOWN);
    RES("date(array(date), bigint)", "element_at", AR | SQLT_DATE, SQLT_BIGINT);
    RES("boolean(array(double), double)", "contains", AR | SQLT_BIGINT, SQLT_DOUBLE);
    RES("boolean(array(double), double)", "contains", AR | SQLT_DOUBLE, SQLT_BIGINT);
    RES("boolean(array(bigint), bigint)", "contains", AR | SQLT_BIGINT, SQLT_UNKNOWN);
    RES("boolean(array(varchar), varchar)", "contains", AR | SQLT_UNKNOWN, SQLT_VARCHAR);
    RES("array(timestamp)(array(timestamp))", "array_sort", AR | SQLT_TIMESTAMP);
    RES("varchar(array(double), varchar, varchar)", "array_join", AR | SQLT_DOUBLE, SQLT_VARCHAR, SQLT_UNKNOWN);
    RES("array(date)(date, date)", "sequence", SQLT_DATE, SQLT_DATE);
    RES("array(date)(date, date, interval day to second)", "sequence", SQLT_DATE, SQLT_DATE, SQLT_INTERVAL_DS);
    RES("array(timestamp)(timestamp, timestamp, interval day to second)", "sequence", SQLT_DATE, SQLT_TIMESTAMP,
        SQLT_INTERVAL_DS);
    RES("array(bigint)(bigint, bigint)", "sequence", SQLT_BIGINT, SQLT_UNKNOWN);

    RES("ERR -1: Unexpected parameters (varchar) for function interpolate_linear. Expected: "
        "interpolate_linear(timeseries(double), array(timestamp)), interpolate_linear(timeseries(double), "
        "timestamp)",
        "interpolate_linear", SQLT_VARCHAR);
    RES("ERR -1: Unexpected parameters (timeseries(varchar), timestamp) for function interpolate_linear. Expected: "
        "interpolate_linear(timeseries(double), array(timestamp)), interpolate_linear(timeseries(double), "
        "timestamp)",
        "interpolate_linear", TSR | SQLT_VARCHAR, SQLT_TIMESTAMP);
    RES("ERR -1: Unexpected parameters (array(double), timestamp) for function interpolate_locf. Expected: "
        "interpolate_locf(timeseries(E), array(timestamp)) E, interpolate_locf(timeseries(E), timestamp) E",
        "interpolate_locf", AR | SQLT_DOUBLE, SQLT_TIMESTAMP);
    RES("ERR -1: Unexpected parameters (varchar, bigint) for function element_at. Expected: element_at(array(E), "
        "bigint) E",
        "element_at", SQLT_VARCHAR, SQLT_BIGINT);
    RES("ERR -1: Unexpected parameters (array(varchar), bigint) for function contains. Expected: "
        "contains(array(E), E) E:comparable",
        "contains", AR | SQLT_VARCHAR, SQLT_BIGINT);
    RES("ERR -1: Unexpected parameters (array(bigint), bigint) for function array_sort. Expected: "
        "array_sort(array(E)) E:orderable",
        "array_sort", AR | SQLT_BIGINT, SQLT_BIGINT);
    RES("ERR -1: Unexpected parameters (timeseries(double), timeseries(double)) for function "
        "integral_trapezoidal. Expected: integral_trapezoidal(timeseries(double)), "
        "integral_trapezoidal(timeseries(double), interval day to second)",
        "integral_trapezoidal", TD, TD);
    RES("ERR -1: Unexpected parameters (timeseries(double), interval year to month) for function "
        "derivative_linear. Expected: derivative_linear(timeseries(double), interval day to second)",
        "derivative_linear", TD, SQLT_INTERVAL_YM);
    RES("ERR -1: Unexpected parameters (timeseries(double), array(double)) for function correlate_pearson. "
        "Expected: correlate_pearson(timeseries(double), timeseries(double))",
        "correlate_pearson", TD, AR | SQLT_DOUBLE);
    RES("ERR -1: Unexpected parameters (array(bigint), bigint) for function slice. Expected: slice(array(E), "
        "bigint, bigint) E",
        "slice", AR | SQLT_BIGINT, SQLT_BIGINT);
    /* names it does not own fall through to the other tables */
    RES("bigint(bigint)", "abs", SQLT_BIGINT);
    RES("ERR -2: Function 'no_such_fn' not registered", "no_such_fn", SQLT_BIGINT);
    RES("ERR -2: Function 'interpolate' not registered", "interpolate", SQLT_BIGINT); /* a prefix is no name */
}

/* Values in the result outlive nothing they borrow: a locf of varchar
 * points at the argument's strings, which live in the same arena; the
 * result copied with sqlv_copy survives an arena reset of another. */
static void test_copy(void)
{
    sql_value out;
    sql_value vs = SER(SQLT_VARCHAR, SECS(0, 10), V("on"), V("off"));
    run("interpolate_locf", VALS(vs, ARR(SQLT_TIMESTAMP, TS(5), TS(15))), 2, &out);
    st_arena *b = st_arena_new(1024);
    sql_value c = sqlv_copy(b, &out);
    st_buf t = {0};
    fmt_value(&c, &t);
    st_buf_putc(&t, 0);
    result(!strcmp((const char *)t.p, "T[5:on 15:off]"), __LINE__, "copy", (const char *)t.p, "T[5:on 15:off]");
    st_buf_free(&t);
    st_arena_free(b);
}

int main(void)
{
    tl_cur = "test_sql_ts", tl_cur_failed = 0; /* testlib's RUN state: every check here counts itself */
    A = st_arena_new(1 << 16);
    test_cardinality_element_at();
    test_contains_position();
    test_join();
    test_max_min_sort_distinct();
    test_distinct_large();
    test_slice();
    test_sequence();
    test_linear();
    test_spline();
    test_locf_fill();
    test_derivative_integral();
    test_correlate();
    test_resolver();
    test_copy();
    st_arena_free(A);
    return testlib_done("test_sql_ts");
}
