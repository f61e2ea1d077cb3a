/* test_sql_timestream: series written as Timestream's write API stores them
 * (the label measure_name, measure_value::<type> columns, multi-measure
 * attributes, a::timestamp, ts_version) seen through SQL as Timestream
 * shows them, in tables that mix them with ordinary series: DESCRIBE,
 * SELECT *, information_schema, SHOW MEASURES (and its structured
 * dimensions), ts_version hidden, timestamp attributes, measure_name
 * conditions pushed into the scan (answers compared with unpushed ones),
 * folds over measure_name compared with the general plan; in memory and
 * from blocks. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../../tests/testlib.h"
#include "scan.h"
#include "sql/run.h"
#include "store.h"

static char g_dir[4096];
static store *g_s;

static void quiet(void *ctx, const char *level, const char *msg) { (void)ctx, (void)level, (void)msg; }

#define T0 (1704067200LL * ST_NS_PER_S) /* 2024-01-01T00:00:00Z */
#define S10 (10LL * ST_NS_PER_S)

/* One sample of table.column with labels "k=v,k=v" (measure_name among
 * them for a Timestream record), as the write front stores it. */
static void put(const char *table, const char *column, const char *labels, uint8_t type, int64_t ts, const char *v)
{
    char name[256], buf[256];
    snprintf(name, sizeof name, "%s_%s", table, column);
    label ls[8];
    size_t n = 0;
    ls[n++] = (label){st_slice_cstr("__name__"), st_slice_cstr(name)};
    snprintf(buf, sizeof buf, "%s", labels);
    for (char *p = buf; *p && n < 8;) {
        char *eq = strchr(p, '='), *end = strchr(p, ',');
        if (!eq) break;
        if (end) *end = 0;
        *eq = 0;
        ls[n++] = (label){st_slice_cstr(p), st_slice_cstr(eq + 1)};
        if (!end) break;
        p = end + 1;
    }
    store_batch *bt = store_batch_new();
    uint32_t h;
    st_err e = {0};
    if (store_batch_series(bt, ls, n, (series_meta){type, (uint16_t)strlen(table)}, &h, &e))
        fprintf(stderr, "series: %s\n", e.msg);
    uint64_t bits = 0;
    switch (type) {
    case ST_VT_STRING: store_batch_add_str(bt, h, ts, st_slice_cstr(v)); break;
    case ST_VT_FLOAT: {
        double d = strtod(v, NULL);
        memcpy(&bits, &d, 8);
        store_batch_add(bt, h, ts, bits);
        break;
    }
    default: store_batch_add(bt, h, ts, (uint64_t)strtoll(v, NULL, 10)); break;
    }
    store_write_result res;
    if (store_write(g_s, "ts", bt, &res, &e)) fprintf(stderr, "write: %s\n", e.msg);
    store_batch_free(bt);
}

static void put_ns(const char *table, const char *column, const char *labels, int64_t ts, int64_t v)
{
    char b[32];
    snprintf(b, sizeof b, "%lld", (long long)v);
    put(table, column, labels, ST_VT_INT, ts, b);
}

static void load(void)
{
    /* devops: single-measure records of each type, a multi-measure record
     * with a timestamp attribute, versions, a measure named as the table,
     * and ordinary series (host h3) beside them */
    put("devops", "measure_value::double", "host=h1,region=eu,measure_name=cpu", ST_VT_FLOAT, T0, "1.5");
    put("devops", "measure_value::double", "host=h1,region=eu,measure_name=cpu", ST_VT_FLOAT, T0 + S10, "2.5");
    put("devops", "measure_value::double", "host=h2,measure_name=cpu", ST_VT_FLOAT, T0, "3");
    put("devops", "ts_version", "host=h2,measure_name=cpu", ST_VT_INT, T0, "2");
    put("devops", "measure_value::bigint", "host=h1,region=eu,measure_name=mem", ST_VT_INT, T0, "100");
    put("devops", "measure_value::bigint", "host=h1,region=eu,measure_name=mem", ST_VT_INT, T0 + S10, "200");
    put("devops", "measure_value::varchar", "host=h1,measure_name=status", ST_VT_STRING, T0, "ok");
    put("devops", "measure_value::boolean", "host=h2,measure_name=up", ST_VT_BOOL, T0, "1");
    put("devops", "load", "host=h1,az=a1,measure_name=metrics", ST_VT_FLOAT, T0, "0.5");
    put("devops", "conns", "host=h1,az=a1,measure_name=metrics", ST_VT_INT, T0, "7");
    put_ns("devops", "started::timestamp", "host=h1,az=a1,measure_name=metrics", T0, T0 - 3600 * ST_NS_PER_S);
    put("devops", "ts_version", "host=h1,az=a1,measure_name=metrics", ST_VT_INT, T0, "3");
    put("devops", "load", "host=h2,az=a2,measure_name=metrics", ST_VT_FLOAT, T0 + S10, "0.7");
    put_ns("devops", "started::timestamp", "host=h2,az=a2,measure_name=metrics", T0 + S10, T0 - 7200 * ST_NS_PER_S);
    put("devops", "measure_value::double", "host=h4,measure_name=devops", ST_VT_FLOAT, T0, "4");
    put("devops", "load", "host=h3", ST_VT_FLOAT, T0, "9");
    put("devops", "extra", "host=h3", ST_VT_FLOAT, T0 + S10, "1");
    /* plainver: a line-protocol field ts_version beside a record's version */
    put("plainver", "ts_version", "host=p", ST_VT_INT, T0, "5");
    put("plainver", "measure_value::double", "host=q,measure_name=m", ST_VT_FLOAT, T0, "1");
    put("plainver", "ts_version", "host=q,measure_name=m", ST_VT_INT, T0, "2");
    /* clash: a timestamp attribute whose bare name is another attribute's,
     * and a single-measure timestamp */
    put("clash", "a", "host=c,measure_name=x", ST_VT_FLOAT, T0, "1");
    put_ns("clash", "a::timestamp", "host=c,measure_name=y", T0, T0);
    /* GrafanaOps: a table named in mixed case (and devOps2 beside DEVOPS2) */
    put("GrafanaOps", "measure_value::double", "host=m,measure_name=cpu", ST_VT_FLOAT, T0, "8");
    put("devOps2", "measure_value::double", "host=m,measure_name=cpu", ST_VT_FLOAT, T0, "1");
    put("DEVOPS2", "measure_value::double", "host=m,measure_name=cpu", ST_VT_FLOAT, T0, "2");
    put_ns("clash", "measure_value::timestamp", "host=c,measure_name=z", T0, T0 + ST_NS_PER_S);
    /* plain: no record of Timestream at all */
    put("plain", "usage", "host=a,dc=x", ST_VT_FLOAT, T0, "1");
}

static int run(const char *q, st_buf *out, st_err *e)
{
    sql_run_opts o = {.s = g_s, .db = "ts", .now_ns = T0 + 60 * ST_NS_PER_S, .max_rows = 10000, .threads = 1};
    sql_cursor *c;
    out->len = 0;
    int rc = sql_cursor_open(&o, q, strlen(q), &c, e, NULL);
    if (rc) return rc;
    for (size_t i = 0; i < sql_cursor_ncols(c); i++) {
        st_slice n = sql_cursor_colname(c, i);
        st_buf_printf(out, "%s%.*s", i ? "|" : "", (int)n.n, n.p);
    }
    st_buf_putc(out, '\n');
    const sql_value *row;
    while ((rc = sql_cursor_next(c, &row, e)) == 1) {
        for (size_t i = 0; i < sql_cursor_ncols(c); i++) {
            if (i) st_buf_putc(out, '|');
            sqlv_format(&row[i], out);
        }
        st_buf_putc(out, '\n');
    }
    sql_cursor_close(c);
    return rc < 0 ? rc : 0;
}

static void expect(const char *q, const char *want)
{
    st_buf b = {0};
    st_err e = {0};
    int rc = run(q, &b, &e);
    CHECK_MSG(rc == 0, "%s: %s", q, e.msg);
    if (!rc) {
        st_buf_putc(&b, 0);
        CHECK_MSG(!strcmp((const char *)b.p, want), "%s\n-- got --\n%s-- want --\n%s", q, (const char *)b.p, want);
    }
    st_buf_free(&b);
}

static void expect_err(const char *q, const char *want)
{
    st_buf b = {0};
    st_err e = {0};
    int rc = run(q, &b, &e);
    CHECK_MSG(rc != 0 && strstr(e.msg, want), "%s: rc %d, message '%s', want '%s'", q, rc, e.msg, want);
    st_buf_free(&b);
}

/* Whether q's plan says what (has = true) or not (false). */
static bool explain_says(const char *q, const char *what, bool has)
{
    char ex[1200];
    snprintf(ex, sizeof ex, "EXPLAIN %s", q);
    st_buf b = {0};
    st_err e = {0};
    bool ok = run(ex, &b, &e) == 0;
    st_buf_putc(&b, 0);
    ok = ok && (strstr((const char *)b.p, what) != NULL) == has;
    if (!ok) fprintf(stderr, "  %s: %s '%s'\n%s%s\n", ex, has ? "lacks" : "has", what, (const char *)b.p, e.msg);
    st_buf_free(&b);
    return ok;
}

static bool explain_has(const char *q, const char *what) { return explain_says(q, what, true); }

/* Two queries, one answer. */
static void same(const char *q1, const char *q2)
{
    st_buf a = {0}, b = {0};
    st_err e = {0};
    CHECK_MSG(run(q1, &a, &e) == 0, "%s: %s", q1, e.msg);
    CHECK_MSG(run(q2, &b, &e) == 0, "%s: %s", q2, e.msg);
    CHECK_MSG(a.len == b.len && !memcmp(a.p, b.p, a.len), "%s\n-- got --\n%.*s-- want (%s) --\n%.*s", q1, (int)a.len,
              (const char *)a.p, q2, (int)b.len, (const char *)b.p);
    st_buf_free(&a);
    st_buf_free(&b);
}

#define DEVOPS_COLS                                                                                                  \
    "az|host|region|measure_name|time|measure_value::bigint|measure_value::boolean|measure_value::double|"          \
    "measure_value::varchar|conns|extra|load|started\n"

static void describe_cases(void)
{
    expect("DESCRIBE ts.devops",
           "Column|Type|Timestream attribute type\n"
           "az|varchar|DIMENSION\n"
           "host|varchar|DIMENSION\n"
           "region|varchar|DIMENSION\n"
           "measure_name|varchar|MEASURE_NAME\n"
           "time|timestamp|TIMESTAMP\n"
           "measure_value::bigint|bigint|MEASURE_VALUE\n"
           "measure_value::boolean|boolean|MEASURE_VALUE\n"
           "measure_value::double|double|MEASURE_VALUE\n"
           "measure_value::varchar|varchar|MEASURE_VALUE\n"
           "conns|bigint|MULTI\n"
           "extra|double|MULTI\n"
           "load|double|MULTI\n"
           "started|timestamp|MULTI\n");
    expect("SELECT column_name, data_type, ordinal_position FROM information_schema.columns WHERE table_name = 'devops' "
           "ORDER BY ordinal_position",
           "column_name|data_type|ordinal_position\n"
           "az|varchar|1\n"
           "host|varchar|2\n"
           "region|varchar|3\n"
           "measure_name|varchar|4\n"
           "time|timestamp|5\n"
           "measure_value::bigint|bigint|6\n"
           "measure_value::boolean|boolean|7\n"
           "measure_value::double|double|8\n"
           "measure_value::varchar|varchar|9\n"
           "conns|bigint|10\n"
           "extra|double|11\n"
           "load|double|12\n"
           "started|timestamp|13\n");
    expect("DESCRIBE ts.plainver",
           "Column|Type|Timestream attribute type\n"
           "host|varchar|DIMENSION\n"
           "measure_name|varchar|MEASURE_NAME\n"
           "time|timestamp|TIMESTAMP\n"
           "measure_value::double|double|MEASURE_VALUE\n"
           "ts_version|bigint|MULTI\n");
    expect("DESCRIBE ts.clash",
           "Column|Type|Timestream attribute type\n"
           "host|varchar|DIMENSION\n"
           "measure_name|varchar|MEASURE_NAME\n"
           "time|timestamp|TIMESTAMP\n"
           "measure_value::timestamp|timestamp|MEASURE_VALUE\n"
           "a|double|MULTI\n"
           "a::timestamp|timestamp|MULTI\n");
    /* a table without records is as it always was */
    expect("DESCRIBE ts.plain", "Column|Type|Timestream attribute type\n"
           "dc|varchar|DIMENSION\n"
           "host|varchar|DIMENSION\n"
           "measure_name|varchar|MEASURE_NAME\n"
           "time|timestamp|TIMESTAMP\n"
           "usage|double|MULTI\n");
    expect_err("DESCRIBE ts.nope", "Table 'ts.nope' does not exist");
}

static void test_describe(void)
{
    describe_cases();
    /* the fronts' catalogs see the same columns */
    st_arena *a = st_arena_new(4096);
    sql_table_col *cols;
    size_t n;
    st_err e = {0};
    CHECK_OK(sql_table_columns(g_s, "ts", st_slice_cstr("devops"), a, &cols, &n, &e));
    CHECK_EQ_INT(n, 13);
    if (n == 13) {
        CHECK(st_slice_eq(cols[0].name, st_slice_cstr("az")) && cols[0].category == SQL_COL_DIMENSION);
        CHECK(st_slice_eq(cols[7].name, st_slice_cstr("measure_value::double")) && cols[7].type == SQLT_DOUBLE &&
              cols[7].category == SQL_COL_MEASURE_VALUE);
        CHECK(st_slice_eq(cols[12].name, st_slice_cstr("started")) && cols[12].type == SQLT_TIMESTAMP &&
              cols[12].category == SQL_COL_MULTI);
        CHECK(cols[3].category == SQL_COL_MEASURE_NAME && cols[4].category == SQL_COL_TIMESTAMP);
    }
    CHECK_OK(sql_table_columns(g_s, "ts", st_slice_cstr("nope"), a, &cols, &n, &e));
    CHECK_EQ_INT(n, 0);
    CHECK(sql_table_columns(g_s, "nodb", st_slice_cstr("devops"), a, &cols, &n, &e) == ST_ENOTFOUND);
    CHECK(!strcmp(sql_col_category_name(SQL_COL_MEASURE_VALUE), "MEASURE_VALUE"));
    st_arena_free(a);
}

static void select_cases(void)
{
    expect("SELECT * FROM ts.devops ORDER BY measure_name, host, time",
           DEVOPS_COLS
           "NULL|h1|eu|cpu|2024-01-01 00:00:00.000000000|NULL|NULL|1.5|NULL|NULL|NULL|NULL|NULL\n"
           "NULL|h1|eu|cpu|2024-01-01 00:00:10.000000000|NULL|NULL|2.5|NULL|NULL|NULL|NULL|NULL\n"
           "NULL|h2|NULL|cpu|2024-01-01 00:00:00.000000000|NULL|NULL|3.0|NULL|NULL|NULL|NULL|NULL\n"
           "NULL|h3|NULL|devops|2024-01-01 00:00:00.000000000|NULL|NULL|NULL|NULL|NULL|NULL|9.0|NULL\n"
           "NULL|h3|NULL|devops|2024-01-01 00:00:10.000000000|NULL|NULL|NULL|NULL|NULL|1.0|NULL|NULL\n"
           "NULL|h4|NULL|devops|2024-01-01 00:00:00.000000000|NULL|NULL|4.0|NULL|NULL|NULL|NULL|NULL\n"
           "NULL|h1|eu|mem|2024-01-01 00:00:00.000000000|100|NULL|NULL|NULL|NULL|NULL|NULL|NULL\n"
           "NULL|h1|eu|mem|2024-01-01 00:00:10.000000000|200|NULL|NULL|NULL|NULL|NULL|NULL|NULL\n"
           "a1|h1|NULL|metrics|2024-01-01 00:00:00.000000000|NULL|NULL|NULL|NULL|7|NULL|0.5|2023-12-31 23:00:00.000000000\n"
           "a2|h2|NULL|metrics|2024-01-01 00:00:10.000000000|NULL|NULL|NULL|NULL|NULL|NULL|0.7|2023-12-31 22:00:00.000000000\n"
           "NULL|h1|NULL|status|2024-01-01 00:00:00.000000000|NULL|NULL|NULL|ok|NULL|NULL|NULL|NULL\n"
           "NULL|h2|NULL|up|2024-01-01 00:00:00.000000000|NULL|true|NULL|NULL|NULL|NULL|NULL|NULL\n");
    expect("SELECT DISTINCT measure_name FROM ts.devops ORDER BY 1",
           "measure_name\ncpu\ndevops\nmem\nmetrics\nstatus\nup\n");
    expect("SELECT count(*) FROM ts.devops", "_col0\n12\n");
    expect("SELECT * FROM ts.plain", "dc|host|measure_name|time|usage\n"
           "x|a|plain|2024-01-01 00:00:00.000000000|1.0\n");
    /* ordinary typed columns: aggregates, GROUP BY, functions */
    expect("SELECT measure_name, host, avg(measure_value::double) AS a, count(*) AS n FROM ts.devops "
           "WHERE measure_value::double IS NOT NULL GROUP BY measure_name, host ORDER BY 1, 2",
           "measure_name|host|a|n\ncpu|h1|2.0|2\ncpu|h2|3.0|1\ndevops|h4|4.0|1\n");
    expect("SELECT sum(\"measure_value::bigint\"), max(conns), bool_or(measure_value::boolean), "
           "max(measure_value::varchar) FROM ts.devops",
           "_col0|_col1|_col2|_col3\n300|7|true|ok\n");
    expect("SELECT host, create_time_series(time, measure_value::double) FROM ts.devops WHERE measure_name = 'cpu' "
           "GROUP BY host ORDER BY host",
           "host|_col1\nh1|[{time: 2024-01-01 00:00:00.000000000, value: 1.5}, {time: 2024-01-01 00:00:10.000000000, value: 2.5}]\n"
           "h2|[{time: 2024-01-01 00:00:00.000000000, value: 3.0}]\n");
    expect("SELECT bin(time, 10s) AS b, measure_name, max(load) FROM ts.devops WHERE load IS NOT NULL "
           "GROUP BY 1, 2 ORDER BY 1, 2",
           "b|measure_name|_col2\n2024-01-01 00:00:00.000000000|devops|9.0\n2024-01-01 00:00:00.000000000|metrics|0.5\n"
           "2024-01-01 00:00:10.000000000|metrics|0.7\n");
}

static void test_select(void) { select_cases(); }

/* ts_version of Timestream's records is no column anywhere; a field of
 * that name of other series is. */
static void version_cases(void)
{
    expect_err("SELECT ts_version FROM ts.devops", "Column 'ts_version' does not exist");
    expect("SELECT count(*) FROM information_schema.columns WHERE column_name = 'ts_version'", "_col0\n1\n");
    expect("SELECT table_name FROM information_schema.columns WHERE column_name = 'ts_version'",
           "table_name\nplainver\n");
    expect("SELECT host, ts_version, measure_value::double, measure_name FROM ts.plainver ORDER BY host",
           "host|ts_version|measure_value::double|measure_name\np|5|NULL|plainver\nq|NULL|1.0|m\n");
    expect("SELECT count(*), count(ts_version) FROM ts.plainver", "_col0|_col1\n2|1\n");
    same("SELECT host, count(ts_version), max(ts_version), max_by(ts_version, time) FROM ts.plainver GROUP BY host ORDER BY host",
         "SELECT host, count(ts_version), max(ts_version), max_by(ts_version, time) FROM ts.plainver "
         "WHERE length(measure_name) > 0 GROUP BY host ORDER BY host");
    expect("SELECT host, count(ts_version) FROM ts.plainver GROUP BY host ORDER BY host", "host|_col1\np|1\nq|0\n");
}

static void test_version(void)
{
    version_cases();
    CHECK(explain_has("SELECT host, count(ts_version) FROM ts.plainver GROUP BY host", "Fold scan"));
}

static void timestamp_cases(void)
{
    expect("SELECT host, started, typeof(started) FROM ts.devops WHERE started IS NOT NULL ORDER BY host",
           "host|started|_col2\nh1|2023-12-31 23:00:00.000000000|timestamp\nh2|2023-12-31 22:00:00.000000000|timestamp\n");
    expect("SELECT max(started), min(started), date_diff('hour', min(started), max(started)) FROM ts.devops",
           "_col0|_col1|_col2\n2023-12-31 23:00:00.000000000|2023-12-31 22:00:00.000000000|1\n");
    expect("SELECT host FROM ts.devops WHERE started < time - 90m", "host\nh2\n");
    expect("SELECT measure_name, a, \"a::timestamp\", \"measure_value::timestamp\" FROM ts.clash ORDER BY 1",
           "measure_name|a|a::timestamp|measure_value::timestamp\nx|1.0|NULL|NULL\n"
           "y|NULL|2024-01-01 00:00:00.000000000|NULL\nz|NULL|NULL|2024-01-01 00:00:01.000000000\n");
    same("SELECT host, count(started), max_by(started, time), max(time) FROM ts.devops GROUP BY host ORDER BY host",
         "SELECT host, count(started), max_by(started, time), max(time) FROM ts.devops WHERE length(measure_name) > 0 "
         "GROUP BY host ORDER BY host");
    same("SELECT host, max_by(started, time) FROM ts.devops GROUP BY host ORDER BY host",
         "SELECT host, max_by(started, time) FROM ts.devops WHERE length(measure_name) > 0 GROUP BY host ORDER BY host");
}

static void test_timestamp(void) { timestamp_cases(); }

/* measure_name conditions, pushed into the scan, against the same
 * conditions over a subquery (never pushed). */
static void pushdown_cases(void)
{
    static const char *const conds[] = {
        "measure_name = 'cpu'", "measure_name = 'devops'", "measure_name = 'nope'", "'mem' = measure_name",
        "measure_name <> 'cpu'", "measure_name <> 'devops'", "measure_name != 'nope'", "measure_name = ''",
        "measure_name IN ('cpu', 'devops')", "measure_name IN ('mem', 'up')", "measure_name IN ('devops')",
        "measure_name IN ('x', 'y')", "measure_name NOT IN ('cpu', 'devops')", "measure_name NOT IN ('x')",
        "measure_name NOT IN ('metrics', 'status', 'up')", "measure_name IN ('devops', '')",
        "measure_name = 'cpu' AND host = 'h1'", "measure_name <> 'devops' AND host IN ('h3', 'h4', 'h2')",
        "measure_name = 'devops' AND time = TIMESTAMP '2024-01-01 00:00:10'",
        /* left to the filter */
        "measure_name LIKE 'd%'", "regexp_like(measure_name, '^m')", "measure_name NOT IN ('cpu', NULL)",
        "measure_name IN ('cpu', NULL)",
    };
    static const char *const tables[] = {"devops", "plainver", "plain"};
    for (size_t t = 0; t < sizeof tables / sizeof *tables; t++)
        for (size_t i = 0; i < sizeof conds / sizeof *conds; i++) {
            if (t && strstr(conds[i], "host")) continue;
            char q1[512], q2[512];
            snprintf(q1, sizeof q1, "SELECT * FROM ts.%s WHERE %s ORDER BY measure_name, time, host", tables[t], conds[i]);
            snprintf(q2, sizeof q2, "SELECT * FROM (SELECT * FROM ts.%s) WHERE %s ORDER BY measure_name, time, host",
                     tables[t], conds[i]);
            same(q1, q2);
            snprintf(q1, sizeof q1, "SELECT measure_name, count(*), count(measure_value::double) FROM ts.%s WHERE %s "
                     "GROUP BY 1 ORDER BY 1", tables[t], conds[i]);
            if (t == 2) snprintf(q1, sizeof q1, "SELECT measure_name, count(*), count(usage) FROM ts.%s WHERE %s "
                                 "GROUP BY 1 ORDER BY 1", tables[t], conds[i]);
            snprintf(q2, sizeof q2, "SELECT measure_name, count(*), count(%s) FROM (SELECT * FROM ts.%s) WHERE %s "
                     "GROUP BY 1 ORDER BY 1", t == 2 ? "usage" : "measure_value::double", tables[t], conds[i]);
            same(q1, q2);
        }
    expect("SELECT host, time FROM ts.devops WHERE measure_name = 'devops' ORDER BY host, time",
           "host|time\nh3|2024-01-01 00:00:00.000000000\nh3|2024-01-01 00:00:10.000000000\nh4|2024-01-01 00:00:00.000000000\n");
    expect("SELECT count(*) FROM ts.devops WHERE measure_name <> 'devops'", "_col0\n9\n");
    expect("SELECT count(*) FROM ts.plain WHERE measure_name <> 'plain'", "_col0\n0\n");
}

static void test_pushdown(void)
{
    pushdown_cases();
    /* pushed into the scan, as matchers on the label */
    CHECK(explain_has("SELECT * FROM ts.devops WHERE measure_name = 'cpu'", "measure_name=\"cpu\""));
    CHECK(explain_has("SELECT * FROM ts.devops WHERE measure_name = 'devops'", "measure_name=~\"devops|\""));
    CHECK(explain_has("SELECT * FROM ts.devops WHERE measure_name IN ('cpu', 'up')", "measure_name=~\"cpu|up\""));
    CHECK(explain_has("SELECT * FROM ts.devops WHERE measure_name <> 'devops'",
                      "measure_name!=\"devops\", measure_name!=\"\""));
    CHECK(explain_has("SELECT * FROM ts.devops WHERE measure_name NOT IN ('a', 'b')", "measure_name!~\"a|b\""));
    /* and not checked again row by row */
    CHECK(explain_has("SELECT host FROM ts.devops WHERE measure_name = 'cpu' AND host = 'h1'", "Scan ts.devops"));
    CHECK(explain_says("SELECT host FROM ts.devops WHERE measure_name = 'cpu' AND host = 'h1'", "Filter", false));
    /* a table without records: the table's name decides, no matcher (a
     * scan of nothing when it is not among the names) */
    CHECK(explain_has("SELECT * FROM ts.plain WHERE measure_name = 'plain'", "time [-inf, +inf], dimensions {}"));
    CHECK(explain_says("SELECT * FROM ts.plain WHERE measure_name = 'plain'", "Filter", false));
    CHECK(explain_has("SELECT * FROM ts.plain WHERE measure_name IN ('x', 'y')",
                      "time [1970-01-01T00:00:00.000000001Z, 1970-01-01T00:00:00.000000000Z], dimensions {}"));
}

static void show_cases(void)
{
    expect("SHOW MEASURES FROM ts.devops",
           "measure_name|data_type|dimensions\n"
           "cpu|double|[{dimension_name: host, data_type: varchar}, {dimension_name: region, data_type: varchar}]\n"
           "devops|double|[{dimension_name: host, data_type: varchar}]\n"
           "extra|double|[{dimension_name: host, data_type: varchar}]\n"
           "load|double|[{dimension_name: host, data_type: varchar}]\n"
           "mem|bigint|[{dimension_name: host, data_type: varchar}, {dimension_name: region, data_type: varchar}]\n"
           "metrics|multi|[{dimension_name: az, data_type: varchar}, {dimension_name: host, data_type: varchar}]\n"
           "status|varchar|[{dimension_name: host, data_type: varchar}]\n"
           "up|boolean|[{dimension_name: host, data_type: varchar}]\n");
    expect("SHOW MEASURES FROM ts.devops LIKE 'm%'",
           "measure_name|data_type|dimensions\n"
           "mem|bigint|[{dimension_name: host, data_type: varchar}, {dimension_name: region, data_type: varchar}]\n"
           "metrics|multi|[{dimension_name: az, data_type: varchar}, {dimension_name: host, data_type: varchar}]\n");
    expect("SHOW MEASURES FROM ts.plainver",
           "measure_name|data_type|dimensions\nm|double|[{dimension_name: host, data_type: varchar}]\n"
           "ts_version|bigint|[{dimension_name: host, data_type: varchar}]\n");
    expect("SHOW MEASURES FROM ts.clash",
           "measure_name|data_type|dimensions\nx|multi|[{dimension_name: host, data_type: varchar}]\n"
           "y|multi|[{dimension_name: host, data_type: varchar}]\nz|timestamp|[{dimension_name: host, data_type: varchar}]\n");
    expect("SHOW MEASURES FROM ts.plain",
           "measure_name|data_type|dimensions\n"
           "usage|double|[{dimension_name: dc, data_type: varchar}, {dimension_name: host, data_type: varchar}]\n");
}

static void test_show_measures(void)
{
    show_cases();
    /* the dimensions column structured, row by row */
    const char *q = "SHOW MEASURES FROM ts.devops LIKE '%m%'";
    sql_run_opts o = {.s = g_s, .db = "ts", .threads = 1};
    sql_cursor *c;
    st_err e = {0};
    CHECK_OK(sql_cursor_open(&o, q, strlen(q), &c, &e, NULL));
    if (!c) return;
    CHECK(sql_cursor_col_is_dimensions(c, 2) && !sql_cursor_col_is_dimensions(c, 0) &&
          !sql_cursor_col_is_dimensions(c, 3));
    const st_slice *names;
    CHECK(sql_cursor_dimensions(c, 2, &names) == 0 && names == NULL); /* no row yet */
    const sql_value *row;
    st_buf got = {0};
    while (sql_cursor_next(c, &row, &e) == 1) {
        size_t n = sql_cursor_dimensions(c, 2, &names);
        st_buf_printf(&got, "%.*s:", (int)row[0].u.s.n, row[0].u.s.p);
        for (size_t i = 0; i < n; i++) st_buf_printf(&got, "%s%.*s", i ? "," : "", (int)names[i].n, names[i].p);
        st_buf_putc(&got, ';');
        CHECK(sql_cursor_dimensions(c, 1, &names) == 0);
    }
    st_buf_putc(&got, 0);
    CHECK_MSG(!strcmp((const char *)got.p, "mem:host,region;metrics:az,host;"), "%s", (const char *)got.p);
    st_buf_free(&got);
    sql_cursor_close(c);
    /* a query is no SHOW MEASURES */
    q = "SELECT host FROM ts.devops";
    CHECK_OK(sql_cursor_open(&o, q, strlen(q), &c, &e, NULL));
    if (c) {
        CHECK(!sql_cursor_col_is_dimensions(c, 0));
        sql_cursor_close(c);
    }
}

/* GROUP BY measure_name folded from the series: a series without the
 * label and one labelled with the table's name are one group. */
static void fold_cases(void)
{
    static const char *const qs[][2] = {
        {"SELECT measure_name, count(measure_value::double), sum(measure_value::double), max(load)", "GROUP BY measure_name ORDER BY measure_name"},
        {"SELECT measure_name, host, count(load), avg(measure_value::double)", "GROUP BY measure_name, host ORDER BY 1, 2"},
        {"SELECT host, measure_name, bin(time, 10s) AS b, count(measure_value::bigint), max(load)", "GROUP BY 1, 2, 3 ORDER BY 1, 2, 3"},
        {"SELECT bin(time, 10s) AS b, measure_name, min(load)", "GROUP BY 1, 2 ORDER BY 1, 2"},
        {"SELECT measure_name, max_by(load, time), max(time)", "GROUP BY measure_name ORDER BY measure_name"},
        {"SELECT measure_name, measure_name, count(conns)", "GROUP BY 1, 2 ORDER BY 1"},
    };
    static const char *const wheres[] = {"", "measure_name IN ('devops', 'metrics')", "measure_name <> 'cpu'",
                                         "host = 'h3'"};
    for (size_t i = 0; i < sizeof qs / sizeof *qs; i++)
        for (size_t w = 0; w < sizeof wheres / sizeof *wheres; w++) {
            char q1[800], q2[800];
            snprintf(q1, sizeof q1, "%s FROM ts.devops %s%s %s", qs[i][0], wheres[w][0] ? "WHERE " : "", wheres[w],
                     qs[i][1]);
            snprintf(q2, sizeof q2, "%s FROM ts.devops WHERE length(measure_name) > 0 %s%s %s", qs[i][0],
                     wheres[w][0] ? "AND " : "", wheres[w], qs[i][1]);
            CHECK(explain_has(q1, "Fold scan"));
            same(q1, q2);
        }
    expect("SELECT measure_name, count(measure_value::double), max(load), count(extra) FROM ts.devops "
           "GROUP BY measure_name ORDER BY measure_name",
           "measure_name|_col1|_col2|_col3\ncpu|3|NULL|0\ndevops|1|9.0|1\nmem|0|NULL|0\nmetrics|0|0.7|0\n"
           "status|0|NULL|0\nup|0|NULL|0\n");
}

static void test_fold(void) { fold_cases(); }

/* The same answers once everything is in blocks, and with the same
 * samples again in memory over them. */
/* Unquoted names that name nothing as written (the parser lowercases
 * them) name the one database or table equal to them ignoring case; a
 * quoted name is taken as it is; two candidates: none is guessed. */
static void test_case_folding(void)
{
    expect("SELECT measure_value::double FROM ts.GrafanaOps", "measure_value::double\n8.0\n");
    expect("SELECT count(*) FROM ts.\"GrafanaOps\"", "_col0\n1\n");
    expect_err("SELECT * FROM ts.\"grafanaOPS\"", "does not exist");
    /* an exact match wins: devops is its own table */
    expect("SELECT count(*) FROM ts.DevOps WHERE host = 'm'", "_col0\n0\n");
    expect_err("SELECT * FROM ts.devops2", "does not exist");
    expect("SELECT measure_value::double FROM ts.\"DEVOPS2\"", "measure_value::double\n2.0\n");
    expect("DESCRIBE ts.GRAFANAOPS", "Column|Type|Timestream attribute type\n"
           "host|varchar|DIMENSION\n"
           "measure_name|varchar|MEASURE_NAME\n"
           "time|timestamp|TIMESTAMP\n"
           "measure_value::double|double|MEASURE_VALUE\n");
}

static void test_blocks(void)
{
    st_err e = {0};
    CHECK_OK(store_flush_all(g_s, &e));
    describe_cases();
    select_cases();
    version_cases();
    timestamp_cases();
    pushdown_cases();
    show_cases();
    fold_cases();
    load();
    describe_cases();
    select_cases();
    pushdown_cases();
    fold_cases();
}

int main(void)
{
    snprintf(g_dir, sizeof g_dir, "/tmp/test_sql_timestream.%d", (int)getpid());
    store_opts o;
    store_opts_default(&o);
    o.data_dir = g_dir;
    o.maintenance_interval = 0;
    o.memory_window = 24LL * 3600 * ST_NS_PER_S;
    o.retention = 0;
    o.nshards = 2;
    o.log = quiet;
    st_err e = {0};
    if (store_open(&o, &g_s, &e)) {
        fprintf(stderr, "store_open: %s\n", e.msg);
        return 1;
    }
    if (store_db_create(g_s, "ts", -1, -1, &e)) fprintf(stderr, "%s\n", e.msg);
    load();
    RUN(test_describe);
    RUN(test_select);
    RUN(test_version);
    RUN(test_timestamp);
    RUN(test_pushdown);
    RUN(test_show_measures);
    RUN(test_fold);
    RUN(test_case_folding);
    RUN(test_blocks);
    store_close(g_s, &e);
    char cmd[4200];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", g_dir);
    if (system(cmd)) {
    }
    return testlib_done("test_sql_timestream");
}
