/* test_sql_exec: SQL statements end to end (run.h) over a real store:
 * planning, pushdown, every clause, SHOW/DESCRIBE, errors with positions. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../../tests/testlib.h"
#include "pool.h"
#include "scan.h"
#include "sql/run.h"
#include "store.h"

static char g_dir[4096];
static store *g_s;
static pool *g_pool;          /* set: folds take pieces on 2 threads */
static scan_budget *g_budget; /* set: the queries' budget */

static void quiet(void *ctx, const char *level, const char *msg) { (void)ctx, (void)level, (void)msg; }

#define T0 (1704067200LL * ST_NS_PER_S) /* 2024-01-01T00:00:00Z */
#define S10 (10LL * ST_NS_PER_S)

/* One sample of table.column{tags}: name is table_column ("value" is the
 * column of a remote_write metric named as its table). */
static void put(const char *table, const char *column, const char *host, const char *region, uint8_t type,
                int64_t ts, double v, bool b)
{
    char name[128];
    uint16_t tl = (uint16_t)strlen(table);
    if (!strcmp(column, "value")) snprintf(name, sizeof name, "%s", table);
    else snprintf(name, sizeof name, "%s_%s", table, column);
    label ls[3] = {{st_slice_cstr("__name__"), st_slice_cstr(name)}, {st_slice_cstr("host"), st_slice_cstr(host)}};
    size_t n = 2;
    if (region) ls[n++] = (label){st_slice_cstr("region"), st_slice_cstr(region)};
    store_batch *bt = store_batch_new();
    uint32_t h;
    st_err e = {0};
    if (store_batch_series(bt, ls, n, (series_meta){type, tl}, &h, &e)) fprintf(stderr, "%s\n", e.msg);
    uint64_t bits;
    if (type == ST_VT_FLOAT) memcpy(&bits, &v, 8);
    else if (type == ST_VT_BOOL) bits = b;
    else bits = (uint64_t)(int64_t)v;
    store_batch_add(bt, h, ts, bits);
    store_write_result res;
    if (store_write(g_s, "t", bt, &res, &e)) fprintf(stderr, "write: %s\n", e.msg);
    store_batch_free(bt);
}

static void load(void)
{
    st_err e = {0};
    if (store_db_create(g_s, "t", -1, -1, &e)) fprintf(stderr, "%s\n", e.msg);
    put("cpu", "usage", "a", "eu", ST_VT_FLOAT, T0, 1.5, 0);
    put("cpu", "usage", "a", "eu", ST_VT_FLOAT, T0 + S10, 2.5, 0);
    put("cpu", "usage", "a", "eu", ST_VT_FLOAT, T0 + 2 * S10, 3.5, 0);
    put("cpu", "n", "a", "eu", ST_VT_INT, T0, 1, 0);
    put("cpu", "n", "a", "eu", ST_VT_INT, T0 + S10, 2, 0);
    put("cpu", "usage", "b", NULL, ST_VT_FLOAT, T0, 10, 0);
    put("cpu", "usage", "b", NULL, ST_VT_FLOAT, T0 + S10, 20, 0);
    put("cpu", "n", "b", NULL, ST_VT_INT, T0 + 2 * S10, 5, 0);
    put("cpu", "flag", "b", NULL, ST_VT_BOOL, T0, 0, true);
    put("mem", "value", "a", NULL, ST_VT_FLOAT, T0, 100, 0);
    put("mem", "value", "a", NULL, ST_VT_FLOAT, T0 + S10, 200, 0);
}

/* The answer as text: a header line of names, then rows, cells by '|'. */
static int run(const char *q, st_buf *out, st_err *e)
{
    sql_run_opts o = {.s = g_s, .db = "t", .now_ns = T0 + 60 * ST_NS_PER_S, .max_rows = 1000, .pool = g_pool,
                      .threads = g_pool ? 2 : 1, .budget = g_budget};
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

static void test_select(void)
{
    expect("SELECT host, region, usage FROM t.cpu ORDER BY host, time",
           "host|region|usage\na|eu|1.5\na|eu|2.5\na|eu|3.5\nb|NULL|10.0\nb|NULL|20.0\nb|NULL|NULL\n");
    expect("SELECT * FROM t.cpu WHERE host = 'b' AND time = TIMESTAMP '2024-01-01 00:00:00'",
           "host|region|measure_name|time|flag|n|usage\n"
           "b|NULL|cpu|2024-01-01 00:00:00.000000000|true|NULL|10.0\n");
    expect("SELECT host, n FROM cpu WHERE n IS NOT NULL ORDER BY n DESC", "host|n\nb|5\na|2\na|1\n");
    expect("SELECT host FROM t.cpu WHERE time >= TIMESTAMP '2024-01-01 00:00:10' AND host = 'a' ORDER BY time DESC LIMIT 1",
           "host\na\n");
    expect("SELECT DISTINCT host FROM t.cpu ORDER BY host", "host\na\nb\n");
    expect("SELECT 1 + 2, 'x' || 'y', CAST('42' AS bigint) * 2", "_col0|_col1|_col2\n3|xy|84\n");
    expect("SELECT count(*) FROM t.cpu WHERE measure_name = 'other'", "_col0\n0\n");
    expect("SELECT host, usage FROM t.cpu ORDER BY usage DESC NULLS FIRST, host LIMIT 2 OFFSET 1",
           "host|usage\nb|20.0\nb|10.0\n");
    /* PostgreSQL idioms of Grafana's PostgreSQL data source */
    expect("SELECT floor(extract(epoch from time)/20)*20 AS \"time\", avg(usage) AS a FROM t.cpu "
           "WHERE time BETWEEN '2024-01-01T00:00:00Z' AND '2024-01-01T00:00:10Z' GROUP BY 1 ORDER BY 1",
           "time|a\n1.7040672E9|8.5\n");
    expect("SELECT to_timestamp(1704067210) = TIMESTAMP '2024-01-01 00:00:10', extract(epoch from TIMESTAMP '1970-01-01 00:00:01.5')",
           "_col0|_col1\ntrue|1.5\n");
    expect("SELECT count(*) FROM t.cpu WHERE time > TIMESTAMP '2024-01-01 00:00:30' - INTERVAL '25 seconds' AND flag IS NULL",
           "_col0\n4\n");
    expect("SELECT '2h'::interval, INTERVAL '1 day 2 hours', CAST('3 months' AS interval year to month), INTERVAL '1.5 min'",
           "_col0|_col1|_col2|_col3\n0 02:00:00.000000000|1 02:00:00.000000000|0-3|0 00:01:30.000000000\n");
    expect("SELECT date_bin(INTERVAL '15 seconds', time, TIMESTAMP '2024-01-01 00:00:05') AS b, count(*) FROM t.cpu GROUP BY 1 ORDER BY 1",
           "b|_col1\n2023-12-31 23:59:50.000000000|2\n2024-01-01 00:00:05.000000000|2\n2024-01-01 00:00:20.000000000|2\n");
    expect("SELECT count(*) FROM t.cpu WHERE flag = 't' OR flag = 'no'", "_col0\n1\n");
    expect("SELECT count(*) FROM t.cpu WHERE host ILIKE 'A%' AND region NOT ILIKE 'X_'", "_col0\n3\n");
    expect("SELECT DISTINCT host \"ilike\" FROM t.cpu WHERE host = 'b'", "ilike\nb\n"); /* a quoted name, not ILIKE */
    expect("SELECT CAST(time AS timestamptz), time::timestamp with time zone FROM t.cpu WHERE host = 'a' ORDER BY time LIMIT 1",
           "_col0|_col1\n2024-01-01 00:00:00.000000000|2024-01-01 00:00:00.000000000\n");
    expect("SELECT usage * 2 AS d FROM t.cpu WHERE host = 'a' AND time BETWEEN ago(60s) AND now() - 50s ORDER BY d",
           "d\n3.0\n5.0\n");
}

static void test_aggregate(void)
{
    expect("SELECT count(*), count(usage), sum(n), avg(usage) FROM t.cpu", "_col0|_col1|_col2|_col3\n6|5|8|7.5\n");
    expect("SELECT host, max(usage) AS m FROM t.cpu GROUP BY host ORDER BY m DESC", "host|m\nb|20.0\na|3.5\n");
    expect("SELECT bin(time, 20s) AS b, count(*) FROM t.cpu GROUP BY 1 ORDER BY 1",
           "b|_col1\n2024-01-01 00:00:00.000000000|4\n2024-01-01 00:00:20.000000000|2\n");
    expect("SELECT host, count(*) c FROM t.cpu GROUP BY host HAVING sum(usage) > 10 ORDER BY host", "host|c\nb|3\n");
    expect("SELECT host, sum(usage) FILTER (WHERE time > TIMESTAMP '2024-01-01') AS s FROM t.cpu GROUP BY host ORDER BY count(*), host",
           "host|s\na|6.0\nb|20.0\n");
    expect("SELECT region, count(*) FROM t.cpu GROUP BY region ORDER BY region NULLS FIRST", "region|_col1\nNULL|3\neu|3\n");
}

/* What the scan answers exactly is not checked again; what it cannot is. */
static void test_where_split(void)
{
    st_buf b = {0};
    st_err e = {0};
    CHECK(run("EXPLAIN SELECT * FROM t.cpu WHERE host = 'a' AND usage > 2 AND time >= TIMESTAMP '2024-01-01'", &b, &e) == 0);
    st_buf_putc(&b, 0);
    CHECK_MSG(strstr((const char *)b.p, "Filter (usage > 2)\n") && !strstr((const char *)b.p, "Filter (host"), "%s",
              (const char *)b.p);
    CHECK(run("EXPLAIN SELECT * FROM t.cpu WHERE host = 'a' AND time < TIMESTAMP '2030-01-01'", &b, &e) == 0);
    st_buf_putc(&b, 0);
    CHECK_MSG(!strstr((const char *)b.p, "Filter"), "%s", (const char *)b.p);
    st_buf_free(&b);
    expect("SELECT host, usage FROM t.cpu WHERE host = 'a' AND usage > 2 AND time >= TIMESTAMP '2024-01-01' ORDER BY usage",
           "host|usage\na|2.5\na|3.5\n");
    expect("SELECT host, n FROM t.cpu WHERE usage > 2 OR n = 5 ORDER BY host, time", "host|n\na|2\na|NULL\nb|NULL\nb|NULL\nb|5\n");
    /* through an outer join a condition on its NULL side still filters:
     * a's NULL-extended row is not b's */
    expect("SELECT count(*) FROM (SELECT DISTINCT host FROM t.cpu) x LEFT JOIN t.cpu y ON x.host = y.host WHERE y.host = 'b'",
           "_col0\n3\n");
}

static void test_relations(void)
{
    expect("SELECT host, usage, row_number() OVER (PARTITION BY host ORDER BY time DESC) AS rn FROM t.cpu "
           "WHERE usage IS NOT NULL ORDER BY host, rn",
           "host|usage|rn\na|3.5|1\na|2.5|2\na|1.5|3\nb|20.0|1\nb|10.0|2\n");
    expect("SELECT c.host, m.value FROM t.cpu c JOIN t.mem m ON c.host = m.host AND c.time = m.time ORDER BY c.time",
           "host|value\na|100.0\na|200.0\n");
    expect("SELECT c.host, m.value FROM t.cpu c LEFT JOIN t.mem m ON c.host = m.host AND c.time = m.time "
           "WHERE c.usage > 3 ORDER BY c.usage",
           "host|value\na|NULL\nb|NULL\nb|NULL\n");
    expect("SELECT host FROM t.cpu WHERE usage > (SELECT avg(usage) FROM t.cpu) ORDER BY usage", "host\nb\nb\n");
    expect("WITH h AS (SELECT host, sum(usage) s FROM t.cpu GROUP BY host) SELECT host FROM h WHERE s > 10", "host\nb\n");
    expect("SELECT host FROM t.cpu WHERE host IN (SELECT host FROM t.mem) GROUP BY host", "host\na\n");
    expect("VALUES (1, 'a'), (2, 'b')", "_col0|_col1\n1|a\n2|b\n");
    expect("SELECT host FROM t.cpu UNION SELECT host FROM t.mem ORDER BY 1", "host\na\nb\n");
    expect("SELECT x.h, x.k FROM (SELECT host AS h, count(*) AS k FROM t.cpu GROUP BY host) AS x ORDER BY x.h",
           "h|k\na|3\nb|3\n");
    expect("SELECT count(*) FROM t.cpu a, t.mem b", "_col0\n12\n");
    /* correlated subqueries, row values */
    expect("SELECT host, usage FROM t.cpu c WHERE usage = (SELECT max(usage) FROM t.cpu x WHERE x.host = c.host) ORDER BY host",
           "host|usage\na|3.5\nb|20.0\n");
    expect("SELECT DISTINCT host FROM t.cpu c WHERE EXISTS (SELECT 1 FROM t.mem m WHERE m.host = c.host)", "host\na\n");
    expect("SELECT DISTINCT host FROM t.cpu c WHERE NOT EXISTS (SELECT 1 FROM t.mem m WHERE m.host = c.host)", "host\nb\n");
    expect("SELECT host, n FROM t.cpu c WHERE n IN (SELECT n FROM t.cpu x WHERE x.host = c.host AND x.n > 1) ORDER BY n",
           "host|n\na|2\nb|5\n");
    expect("SELECT host, (SELECT count(*) FROM t.mem m WHERE m.host = c.host) AS k FROM t.cpu c GROUP BY host ORDER BY host",
           "host|k\na|2\nb|0\n");
    expect("SELECT host, time FROM t.cpu WHERE (host, time) IN (SELECT host, max(time) FROM t.cpu GROUP BY host) ORDER BY host",
           "host|time\na|2024-01-01 00:00:20.000000000\nb|2024-01-01 00:00:20.000000000\n");
    expect("SELECT (1, 2) IN ((1, 2), (3, 4)), (1, NULL) IN ((1, 2)), (5, 6) NOT IN ((1, 2))", "_col0|_col1|_col2\ntrue|NULL|true\n");
}

static void test_meta(void)
{
    expect("SHOW TABLES FROM t", "Table\ncpu\nmem\n");
    expect("SHOW TABLES LIKE 'c%'", "Table\ncpu\n");
    expect("SHOW DATABASES", "Database\ndefault\nt\n");
    expect("DESCRIBE t.cpu",
           "Column|Type|Timestream attribute type\n"
           "host|varchar|DIMENSION\n"
           "region|varchar|DIMENSION\n"
           "measure_name|varchar|MEASURE_NAME\n"
           "time|timestamp|TIMESTAMP\n"
           "flag|boolean|MULTI\n"
           "n|bigint|MULTI\n"
           "usage|double|MULTI\n");
    expect("SELECT table_name FROM information_schema.tables WHERE table_schema = 't' ORDER BY 1", "table_name\ncpu\nmem\n");
    expect("SELECT column_name, data_type FROM information_schema.columns WHERE table_name = 'mem' ORDER BY ordinal_position",
           "column_name|data_type\n"
           "host|varchar\n"
           "measure_name|varchar\n"
           "time|timestamp\n"
           "value|double\n");
    expect("SHOW MEASURES FROM t.mem", "measure_name|data_type|dimensions\nvalue|double|[{dimension_name: host, data_type: varchar}]\n");
    st_buf b = {0};
    st_err e = {0};
    int rc = run("EXPLAIN SELECT host FROM t.cpu WHERE time >= TIMESTAMP '2024-01-01 00:00:10' AND host IN ('a', 'c')", &b, &e);
    CHECK_MSG(rc == 0, "%s", e.msg);
    st_buf_putc(&b, 0);
    CHECK_MSG(strstr((const char *)b.p, "time [2024-01-01T00:00:10.000000000Z, +inf]") &&
                  strstr((const char *)b.p, "host=~\"a|c\""),
              "%s", (const char *)b.p);
    st_buf_free(&b);
    /* what README says of correlated subqueries and ORDER BY ... LIMIT */
    rc = run("EXPLAIN SELECT host FROM t.cpu c WHERE EXISTS (SELECT 1 FROM t.mem m WHERE m.host = c.host) ORDER BY time DESC LIMIT 2 OFFSET 1",
             &b, &e);
    CHECK_MSG(rc == 0, "%s", e.msg);
    st_buf_putc(&b, 0);
    CHECK_MSG(strstr((const char *)b.p, "Correlated subquery at line 1:40: run for each outer row") &&
                  !strstr((const char *)b.p, "answered while planning") && strstr((const char *)b.p, "Sort: 1 key, top 3"),
              "%s", (const char *)b.p);
    b.len = 0;
    rc = run("EXPLAIN SELECT host FROM t.cpu WHERE host LIKE 'a%' AND regexp_like(region, 'u$')", &b, &e);
    CHECK_MSG(rc == 0, "%s", e.msg);
    st_buf_putc(&b, 0);
    CHECK_MSG(strstr((const char *)b.p, "host=~\"a(?s:.*)\"") && strstr((const char *)b.p, "region=~\"(?s:.*)(?:u$)(?s:.*)\""),
              "%s", (const char *)b.p);
    st_buf_free(&b);
    expect("SELECT host, region FROM t.cpu WHERE host LIKE 'a%' AND regexp_like(region, 'u$') AND time = TIMESTAMP '2024-01-01'",
           "host|region\na|eu\n");
    expect("SELECT count(*) FROM t.cpu WHERE host LIKE '%'", "_col0\n6\n");
    expect("SELECT count(*) FROM t.cpu WHERE region LIKE '%' OR host = 'b'", "_col0\n6\n");
    expect("SELECT count(*) FROM t.cpu WHERE regexp_like(host, 'b|z')", "_col0\n3\n");
}

/* The same answer from the fold (foldop.c) and from the general plan,
 * which a condition the scan cannot take forces. */
static const char *g_fold_table = "big";

static void same_as_general(const char *select, const char *where, const char *rest)
{
    char q1[1024], q2[1024], ex[1100];
    snprintf(q1, sizeof q1, "%s FROM t.%s %s%s %s", select, g_fold_table, where[0] ? "WHERE " : "", where, rest);
    snprintf(q2, sizeof q2, "%s FROM t.%s WHERE (host = host OR host IS NULL) %s%s %s", select, g_fold_table,
             where[0] ? "AND " : "", where, rest);
    snprintf(ex, sizeof ex, "EXPLAIN %s", q1);
    st_buf a = {0}, b = {0}, x = {0};
    st_err e = {0};
    CHECK_MSG(run(ex, &x, &e) == 0, "%s: %s", ex, e.msg);
    st_buf_putc(&x, 0);
    CHECK_MSG(strstr((const char *)x.p, "Fold scan"), "not folded: %s\n%s", q1, (const char *)x.p);
    CHECK_MSG(run(q1, &a, &e) == 0, "%s: %s", q1, e.msg);
    CHECK_MSG(run(q2, &b, &e) == 0, "%s: %s", q2, e.msg);
    CHECK_MSG(a.len == b.len && !memcmp(a.p, b.p, a.len), "%s\n-- fold --\n%.*s-- general --\n%.*s", q1,
              (int)(a.len > 600 ? 600 : a.len), (const char *)a.p, (int)(b.len > 600 ? 600 : b.len), (const char *)b.p);
    st_buf_free(&a);
    st_buf_free(&b);
    st_buf_free(&x);
}

static void put_big(void)
{
    /* 3 hosts x 900 s at 1 s: floats with a NaN and ints, one host without
     * the int field for a while, so buckets exist where an aggregated
     * field has no value */
    store_batch *bt = store_batch_new();
    const char *hosts[] = {"h1", "h2", "h3"};
    for (int h = 0; h < 3; h++) {
        label lf[2] = {{st_slice_cstr("__name__"), st_slice_cstr("big_f")}, {st_slice_cstr("host"), st_slice_cstr(hosts[h])}};
        label li[2] = {{st_slice_cstr("__name__"), st_slice_cstr("big_i")}, {st_slice_cstr("host"), st_slice_cstr(hosts[h])}};
        uint32_t hf, hi;
        st_err e = {0};
        store_batch_series(bt, lf, 2, (series_meta){ST_VT_FLOAT, 3}, &hf, &e);
        store_batch_series(bt, li, 2, (series_meta){ST_VT_INT, 3}, &hi, &e);
        for (int i = 0; i < 900; i++) {
            int64_t ts = T0 + (int64_t)i * ST_NS_PER_S + h * 1000;
            double v = (double)((i * 7 + h * 13) % 101) / 4.0;
            if (h == 1 && i == 100) v = 0.0 / 0.0;
            uint64_t bits;
            memcpy(&bits, &v, 8);
            if (!(h == 2 && i >= 300 && i < 420)) store_batch_add(bt, hf, ts, bits);
            if (!(h == 0 && i >= 600)) store_batch_add(bt, hi, ts, (uint64_t)(int64_t)((i * 31 + h) % 1000 - 500));
        }
    }
    store_write_result res;
    st_err e = {0};
    if (store_write(g_s, "t", bt, &res, &e)) fprintf(stderr, "write: %s\n", e.msg);
    store_batch_free(bt);
}

static void fold_cases(void)
{
    same_as_general("SELECT host, bin(time, 60s) AS b, count(f), sum(f), avg(f), min(f), max(f), count(i), sum(i), avg(i), min(i), max(i)",
                    "", "GROUP BY host, bin(time, 60s) ORDER BY host, b");
    same_as_general("SELECT bin(time, 7s) AS b, max(f), min(i)", "time BETWEEN TIMESTAMP '2024-01-01 00:01:00' AND TIMESTAMP '2024-01-01 00:09:30'",
                    "GROUP BY 1 ORDER BY 1");
    same_as_general("SELECT host, date_trunc('minute', time) AS m, avg(f)", "host IN ('h1', 'h3') AND time > TIMESTAMP '2024-01-01 00:04:59.5'",
                    "GROUP BY host, date_trunc('minute', time) ORDER BY m DESC, host");
    same_as_general("SELECT count(f), sum(i), max(f)", "host = 'h2'", "");
    same_as_general("SELECT measure_name, host, min(f)", "", "GROUP BY measure_name, host ORDER BY host");
    same_as_general("SELECT host, max(i)", "time >= TIMESTAMP '2024-01-01 00:10:00'", "GROUP BY host ORDER BY host");
    same_as_general("SELECT count(f)", "time > TIMESTAMP '2030-01-01'", "");
    same_as_general("SELECT host, bin(time, 1s) AS b, sum(f)", "host LIKE 'h%' AND time < TIMESTAMP '2024-01-01 00:00:05'", "GROUP BY host, bin(time, 1s) ORDER BY 1, 2");
    /* last rows */
    same_as_general("SELECT host, max_by(f, time), max(time), max_by(i, time)", "", "GROUP BY host ORDER BY host");
    same_as_general("SELECT host, max_by(i, time), max(time)", "time <= TIMESTAMP '2024-01-01 00:10:00.000001'", "GROUP BY host ORDER BY host");
    same_as_general("SELECT max(time), max_by(i, time)", "host = 'h1'", "");
    same_as_general("SELECT max_by(f, time)", "time < TIMESTAMP '2024-01-01 00:07:00'", "");
    same_as_general("SELECT measure_name, max(time)", "time > TIMESTAMP '2030-01-01'", "GROUP BY measure_name");
}

static void test_fold(void)
{
    put_big();
    expect("SELECT host, bin(time, 10s) b, count(usage), max(usage) FROM t.cpu GROUP BY host, bin(time, 10s) ORDER BY host, b",
           "host|b|_col2|_col3\na|2024-01-01 00:00:00.000000000|1|1.5\na|2024-01-01 00:00:10.000000000|1|2.5\n"
           "a|2024-01-01 00:00:20.000000000|1|3.5\nb|2024-01-01 00:00:00.000000000|1|10.0\n"
           "b|2024-01-01 00:00:10.000000000|1|20.0\nb|2024-01-01 00:00:20.000000000|0|NULL\n");
    fold_cases(); /* in memory */
    expect("SELECT host, max_by(f, time), max(time) FROM t.big GROUP BY host ORDER BY host",
           "host|_col1|_col2\nh1|7.75|2024-01-01 00:14:59.000000000\nh2|11.0|2024-01-01 00:14:59.000001000\n"
           "h3|14.25|2024-01-01 00:14:59.000002000\n");
    expect("SELECT host, i, time FROM t.big WHERE host = 'h1' ORDER BY time DESC LIMIT 1",
           "host|i|time\nh1|NULL|2024-01-01 00:14:59.000000000\n");
    expect("SELECT host, max_by(i, time) FROM t.big GROUP BY host ORDER BY host", "host|_col1\nh1|NULL\nh2|370\nh3|371\n");
    st_err e = {0};
    CHECK_OK(store_flush_all(g_s, &e));
    fold_cases(); /* from blocks, whole chunks from their statistics */
    put_big(); /* the same samples again in memory over the blocks */
    fold_cases();
    expect("SELECT host, max_by(f, time), max(time) FROM t.big GROUP BY host ORDER BY host",
           "host|_col1|_col2\nh1|7.75|2024-01-01 00:14:59.000000000\nh2|11.0|2024-01-01 00:14:59.000001000\n"
           "h3|14.25|2024-01-01 00:14:59.000002000\n");
    st_buf b = {0};
    CHECK(run("EXPLAIN SELECT host, max_by(f, time) FROM t.big GROUP BY host", &b, &e) == 0);
    st_buf_putc(&b, 0);
    CHECK_MSG(strstr((const char *)b.p, "newest sample"), "%s", (const char *)b.p);
    st_buf_free(&b);
}

/* Table wide: hosts w1 and w2 write fields a and b at the same times;
 * w1's b goes on 3 minutes after its a stops; w3 writes only b. Groups
 * that only b makes must appear when a alone is aggregated, whether the
 * fold answers them from bounds (block indexes, memory's bounds, the
 * table's tag sets) or reads b. */
static void put_wide(const char *host, const char *field, int from, int to)
{
    store_batch *bt = store_batch_new();
    label l[2] = {{st_slice_cstr("__name__"), st_slice_cstr(field)}, {st_slice_cstr("host"), st_slice_cstr(host)}};
    uint32_t id;
    st_err e = {0};
    store_batch_series(bt, l, 2, (series_meta){ST_VT_FLOAT, (uint16_t)(strchr(field, '_') - field)}, &id, &e);
    for (int i = from; i < to; i++) {
        double v = (double)(i % 17) + 0.5;
        uint64_t bits;
        memcpy(&bits, &v, 8);
        store_batch_add(bt, id, T0 + (int64_t)i * 10 * ST_NS_PER_S, bits);
    }
    store_write_result res;
    if (store_write(g_s, "t", bt, &res, &e)) fprintf(stderr, "write: %s\n", e.msg);
    store_batch_free(bt);
}

static void wide_cases(void)
{
    const char *lim = "time < TIMESTAMP '2024-01-01 00:10:00'";
    same_as_general("SELECT bin(time, 60s) AS b, count(a), avg(a)", "", "GROUP BY 1 ORDER BY 1");
    same_as_general("SELECT bin(time, 60s) AS b, count(a), avg(a)", lim, "GROUP BY 1 ORDER BY 1");
    same_as_general("SELECT bin(time, 60s) AS b, count(a)", "host = 'w2'", "GROUP BY 1 ORDER BY 1");
    same_as_general("SELECT host, bin(time, 60s) AS b, avg(a)", "", "GROUP BY 1, 2 ORDER BY 1, 2");
    same_as_general("SELECT host, bin(time, 60s) AS b, avg(a)", lim, "GROUP BY 1, 2 ORDER BY 2, 1");
    same_as_general("SELECT host, bin(time, 60s) AS b, max(a)", "host IN ('w1', 'w2')", "GROUP BY 1, 2 ORDER BY 1, 2");
    same_as_general("SELECT host, count(a)", "", "GROUP BY 1 ORDER BY 1");
    same_as_general("SELECT bin(time, 60s) AS b, host, min(a)", lim, "GROUP BY 1, 2 ORDER BY 1 DESC, 2");
}

/* Scans a query opens (run twice: the first fills the table's memos). */
static uint64_t scans_of(const char *q)
{
    st_buf b = {0};
    st_err e = {0};
    CHECK_MSG(run(q, &b, &e) == 0, "%s: %s", q, e.msg);
    store_stats s0, s1;
    store_get_stats(g_s, &s0);
    CHECK_MSG(run(q, &b, &e) == 0, "%s: %s", q, e.msg);
    store_get_stats(g_s, &s1);
    st_buf_free(&b);
    return s1.scans - s0.scans;
}

static void test_fold_bounds(void)
{
    g_fold_table = "wide";
    put_wide("w1", "wide_a", 0, 60);
    put_wide("w1", "wide_b", 0, 78);
    put_wide("w2", "wide_a", 0, 60);
    put_wide("w2", "wide_b", 0, 60);
    wide_cases(); /* in memory */
    /* answered from bounds: one scan, of a alone; else b's series too */
    const char *q0 = "SELECT bin(time, 60s), count(a) FROM t.wide WHERE time < TIMESTAMP '2024-01-01 00:10:00' GROUP BY 1";
    const char *q1 = "SELECT host, bin(time, 60s), count(a) FROM t.wide WHERE time < TIMESTAMP '2024-01-01 00:10:00' GROUP BY 1, 2";
    CHECK_EQ_INT(scans_of(q0), 1);
    CHECK_EQ_INT(scans_of(q1), 1);
    CHECK(scans_of("SELECT bin(time, 60s), count(a) FROM t.wide GROUP BY 1") >= 2); /* w1's b goes on */
    expect("SELECT bin(time, 60s) AS b, count(a) FROM t.wide WHERE time >= TIMESTAMP '2024-01-01 00:09:00' GROUP BY 1 ORDER BY 1",
           "b|_col1\n2024-01-01 00:09:00.000000000|12\n2024-01-01 00:10:00.000000000|0\n"
           "2024-01-01 00:11:00.000000000|0\n2024-01-01 00:12:00.000000000|0\n");
    put_wide("w3", "wide_b", 20, 30); /* a new tag set: the table's tag sets are asked again */
    wide_cases();
    CHECK_EQ_INT(scans_of(q0), 1);
    CHECK(scans_of(q1) >= 2); /* w3 is no group of a */
    expect("SELECT host, count(a), count(*) FROM t.wide WHERE time < TIMESTAMP '2024-01-01 00:10:00' GROUP BY 1 ORDER BY 1",
           "host|_col1|_col2\nw1|60|60\nw2|60|60\nw3|0|10\n");
    st_err e = {0};
    CHECK_OK(store_flush_all(g_s, &e));
    wide_cases(); /* from blocks */
    put_wide("w2", "wide_b", 60, 61); /* memory over blocks: one more bucket, made by b alone */
    wide_cases();
    expect("SELECT bin(time, 60s) AS b, count(a) FROM t.wide WHERE host = 'w2' AND time >= TIMESTAMP '2024-01-01 00:09:00' GROUP BY 1 ORDER BY 1",
           "b|_col1\n2024-01-01 00:09:00.000000000|6\n2024-01-01 00:10:00.000000000|0\n");
    /* only memory holds what makes a bucket: the blocks' bounds alone would
     * say it cannot exist */
    put_wide("n1", "nar_a", 0, 60);
    put_wide("n1", "nar_b", 0, 60);
    CHECK_OK(store_flush_all(g_s, &e));
    put_wide("n1", "nar_b", 60, 61);
    g_fold_table = "nar";
    same_as_general("SELECT bin(time, 60s) AS b, count(a)", "", "GROUP BY 1 ORDER BY 1");
    same_as_general("SELECT host, bin(time, 60s) AS b, avg(a)", "", "GROUP BY 1, 2 ORDER BY 1, 2");
    expect("SELECT bin(time, 60s) AS b, count(a) FROM t.nar WHERE time >= TIMESTAMP '2024-01-01 00:09:00' GROUP BY 1 ORDER BY 1",
           "b|_col1\n2024-01-01 00:09:00.000000000|6\n2024-01-01 00:10:00.000000000|0\n");
    g_fold_table = "big";
}

/* Table many: 700 hosts in 3 regions (pieces of 64 series: 11 of them,
 * taken on 2 threads or on one), a float field of quarters (sums exact in
 * any order, so every path answers bit for bit alike) and an int field. */
static void put_many(int from, int to)
{
    store_batch *bt = store_batch_new();
    static const char *const regions[] = {"eu", "us", "ap"};
    for (int h = 0; h < 700; h++) {
        char host[16];
        snprintf(host, sizeof host, "m%03d", h);
        label lf[3] = {{st_slice_cstr("__name__"), st_slice_cstr("many_f")}, {st_slice_cstr("host"), st_slice_cstr(host)},
                       {st_slice_cstr("region"), st_slice_cstr(regions[h % 3])}};
        label li[3] = {{st_slice_cstr("__name__"), st_slice_cstr("many_i")}, {st_slice_cstr("host"), st_slice_cstr(host)},
                       {st_slice_cstr("region"), st_slice_cstr(regions[h % 3])}};
        uint32_t hf, hi;
        st_err e = {0};
        store_batch_series(bt, lf, 3, (series_meta){ST_VT_FLOAT, 4}, &hf, &e);
        store_batch_series(bt, li, 3, (series_meta){ST_VT_INT, 4}, &hi, &e);
        for (int i = from; i < to; i++) {
            int64_t ts = T0 + (int64_t)i * S10 + h;
            double v = (double)((i * 7 + h * 13) % 401) / 4.0 - 20;
            uint64_t bits;
            memcpy(&bits, &v, 8);
            if (!(h % 5 == 0 && i % 30 < 6)) store_batch_add(bt, hf, ts, bits); /* gaps: i alone makes rows */
            if (h % 7) store_batch_add(bt, hi, ts, (uint64_t)(int64_t)((i * 31 + h) % 1000 - 500));
        }
    }
    store_write_result res;
    st_err e = {0};
    if (store_write(g_s, "t", bt, &res, &e)) fprintf(stderr, "write: %s\n", e.msg);
    store_batch_free(bt);
}

/* The fold on one thread, on two, and the general plan: the same text. */
static void same_threaded(const char *select, const char *where, const char *rest)
{
    char q[1024];
    snprintf(q, sizeof q, "%s FROM t.%s %s%s %s", select, g_fold_table, where[0] ? "WHERE " : "", where, rest);
    same_as_general(select, where, rest);
    st_buf a = {0}, b = {0};
    st_err e = {0};
    CHECK_MSG(run(q, &a, &e) == 0, "%s: %s", q, e.msg);
    g_pool = pool_new(2);
    CHECK_MSG(run(q, &b, &e) == 0, "%s: %s", q, e.msg);
    same_as_general(select, where, rest);
    pool_free(g_pool);
    g_pool = NULL;
    CHECK_MSG(a.len > 40 && a.len == b.len && !memcmp(a.p, b.p, a.len), "%s\n-- one thread --\n%.*s-- two --\n%.*s", q,
              (int)(a.len > 400 ? 400 : a.len), (const char *)a.p, (int)(b.len > 400 ? 400 : b.len), (const char *)b.p);
    st_buf_free(&a);
    st_buf_free(&b);
}

static void many_cases(void)
{
    same_threaded("SELECT region, bin(time, 60s) AS b, count(f), sum(f), avg(f), min(f), max(f), count(i), sum(i), avg(i), min(i), max(i)",
                  "", "GROUP BY 1, 2 ORDER BY 1, 2");
    same_threaded("SELECT host, bin(time, 30m) AS b, avg(f), max(i)", "", "GROUP BY 1, 2 ORDER BY 1, 2");
    same_threaded("SELECT host, bin(time, 5m) AS b, avg(f), max(i)", "host LIKE 'm0%'", "GROUP BY 1, 2 ORDER BY 1, 2");
    same_threaded("SELECT bin(time, 30s) AS b, sum(f), min(i)", "host LIKE 'm1%' AND time >= TIMESTAMP '2024-01-01 00:03:00'",
                  "GROUP BY 1 ORDER BY 1");
    same_threaded("SELECT count(f), sum(i), max(f), min(f)", "", "");
    same_threaded("SELECT region, host, count(i)", "region IN ('eu', 'ap')", "GROUP BY 1, 2 ORDER BY 2");
    /* last rows: each series' newest sample, the newest of a group's kept */
    same_threaded("SELECT host, max_by(f, time), max(time), max_by(i, time)", "", "GROUP BY 1 ORDER BY 1");
    same_threaded("SELECT region, max_by(f, time), max(time), max_by(i, time)", "", "GROUP BY 1 ORDER BY 1");
    same_threaded("SELECT region, max_by(i, time), max(time)", "time < TIMESTAMP '2024-01-01 00:09:05'", "GROUP BY 1 ORDER BY 1");
}

static void test_fold_pieces(void)
{
    g_fold_table = "many";
    put_many(0, 90);
    many_cases(); /* in memory */
    st_err e = {0};
    CHECK_OK(store_flush_all(g_s, &e));
    many_cases(); /* blocks: chunks inside a bucket from their statistics */
    put_many(60, 120); /* memory overlapping the blocks, and past them */
    many_cases();
    /* a failure in a piece ends the query with its message, on either path */
    scan_budget bu = {.max_samples = 5000};
    scan_budget_init(&bu);
    g_budget = &bu;
    expect_err("SELECT region, sum(f) FROM t.many GROUP BY 1", "too many samples");
    g_pool = pool_new(2);
    scan_budget bu2 = {.max_samples = 5000};
    scan_budget_init(&bu2);
    g_budget = &bu2;
    expect_err("SELECT region, sum(f) FROM t.many GROUP BY 1", "too many samples");
    g_budget = NULL;
    store_batch *bt = store_batch_new();
    for (int h = 0; h < 300; h++) {
        char host[16];
        snprintf(host, sizeof host, "o%03d", h);
        label l[2] = {{st_slice_cstr("__name__"), st_slice_cstr("ovf_i")}, {st_slice_cstr("host"), st_slice_cstr(host)}};
        uint32_t id;
        store_batch_series(bt, l, 2, (series_meta){ST_VT_INT, 3}, &id, &e);
        store_batch_add(bt, id, T0, (uint64_t)(INT64_MAX / 200));
    }
    store_write_result res;
    CHECK_OK(store_write(g_s, "t", bt, &res, &e));
    store_batch_free(bt);
    expect_err("SELECT sum(i) FROM t.ovf", "bigint addition overflow");
    expect("SELECT count(i), max(i) / 1000000000 FROM t.ovf", "_col0|_col1\n300|46116860\n");
    pool_free(g_pool);
    g_pool = NULL;
    expect_err("SELECT sum(i) FROM t.ovf", "bigint addition overflow");
    g_fold_table = "big";
}

/* Samples a query decodes, by its budget. */
static uint64_t samples_of(const char *q)
{
    scan_budget bu = {0};
    scan_budget_init(&bu);
    g_budget = &bu;
    st_buf b = {0};
    st_err e = {0};
    CHECK_MSG(run(q, &b, &e) == 0, "%s: %s", q, e.msg);
    g_budget = NULL;
    st_buf_free(&b);
    return atomic_load(&bu.samples);
}

/* ORDER BY the bucket with a LIMIT: the fold reads the buckets nearest
 * the ordered end first, in growing windows, and must answer what the
 * whole fold would (a subquery without the LIMIT is that reference). */
static void same_top(const char *select, const char *where, const char *group, const char *order)
{
    char q1[1024], q2[1200], ex[1100];
    snprintf(q1, sizeof q1, "%s FROM t.gap %s%s %s %s", select, where[0] ? "WHERE " : "", where, group, order);
    snprintf(q2, sizeof q2, "SELECT * FROM (%s FROM t.gap %s%s %s) %s", select, where[0] ? "WHERE " : "", where, group, order);
    snprintf(ex, sizeof ex, "EXPLAIN %s", q1);
    st_buf a = {0}, b = {0}, x = {0};
    st_err e = {0};
    CHECK_MSG(run(ex, &x, &e) == 0, "%s: %s", ex, e.msg);
    st_buf_putc(&x, 0);
    CHECK_MSG(strstr((const char *)x.p, "buckets first"), "no top buckets: %s\n%s", q1, (const char *)x.p);
    CHECK_MSG(run(q1, &a, &e) == 0, "%s: %s", q1, e.msg);
    CHECK_MSG(run(q2, &b, &e) == 0, "%s: %s", q2, e.msg);
    CHECK_MSG(a.len == b.len && !memcmp(a.p, b.p, a.len), "%s\n-- top --\n%.*s-- whole --\n%.*s", q1,
              (int)(a.len > 600 ? 600 : a.len), (const char *)a.p, (int)(b.len > 600 ? 600 : b.len), (const char *)b.p);
    st_buf_free(&a);
    st_buf_free(&b);
    st_buf_free(&x);
}

/* Table gap: hosts g1 and g2, field f every 10 s in minutes 0-9 and 50-52
 * (none between), field g alone in minutes 53-55 (rows whose f is NULL),
 * g2 also in minute 120. */
static void put_gap(int m0, int m1, const char *field, const char *host)
{
    store_batch *bt = store_batch_new();
    char name[16];
    snprintf(name, sizeof name, "gap_%s", field);
    label l[2] = {{st_slice_cstr("__name__"), st_slice_cstr(name)}, {st_slice_cstr("host"), st_slice_cstr(host)}};
    uint32_t id;
    st_err e = {0};
    store_batch_series(bt, l, 2, (series_meta){ST_VT_FLOAT, 3}, &id, &e);
    for (int i = m0 * 6; i < m1 * 6; i++) {
        double v = (double)(i % 13) + (host[1] == '2' ? 0.5 : 0);
        uint64_t bits;
        memcpy(&bits, &v, 8);
        store_batch_add(bt, id, T0 + (int64_t)i * S10, bits);
    }
    store_write_result res;
    if (store_write(g_s, "t", bt, &res, &e)) fprintf(stderr, "write: %s\n", e.msg);
    store_batch_free(bt);
}

static void top_cases(void)
{
    const char *sel = "SELECT bin(time, 60s) AS b, max(f) AS m, count(f) AS n";
    same_top(sel, "", "GROUP BY 1", "ORDER BY 1 DESC LIMIT 5");
    same_top(sel, "", "GROUP BY 1", "ORDER BY b DESC LIMIT 3 OFFSET 2");
    same_top(sel, "", "GROUP BY 1", "ORDER BY 1 DESC LIMIT 100");
    same_top(sel, "", "GROUP BY 1", "ORDER BY 1 LIMIT 4");
    same_top(sel, "", "GROUP BY 1", "ORDER BY 1 LIMIT 12");
    same_top(sel, "time < TIMESTAMP '2024-01-01 00:52:30'", "GROUP BY 1", "ORDER BY 1 DESC LIMIT 4");
    same_top(sel, "time < TIMESTAMP '2024-01-01 00:52:30' AND time > TIMESTAMP '2024-01-01 00:05:05'", "GROUP BY 1",
             "ORDER BY 1 DESC LIMIT 20");
    same_top(sel, "time >= TIMESTAMP '2024-01-01 00:08:00'", "GROUP BY 1", "ORDER BY 1 ASC LIMIT 3");
    same_top(sel, "host = 'g2'", "GROUP BY 1", "ORDER BY 1 DESC LIMIT 2");
    same_top("SELECT host, bin(time, 60s) AS b, avg(f) AS m", "", "GROUP BY 1, 2", "ORDER BY 2 DESC, 1 LIMIT 7");
    same_top("SELECT host, bin(time, 60s) AS b, avg(f) AS m", "", "GROUP BY 1, 2", "ORDER BY b, host DESC LIMIT 5");
    same_top("SELECT bin(time, 20m) AS b, sum(f) AS s", "", "GROUP BY 1", "ORDER BY 1 DESC LIMIT 2");
    same_top(sel, "time > TIMESTAMP '2030-01-01'", "GROUP BY 1", "ORDER BY 1 DESC LIMIT 2");
}

static void test_fold_top(void)
{
    put_gap(0, 10, "f", "g1");
    put_gap(50, 53, "f", "g1");
    put_gap(53, 56, "g", "g1");
    put_gap(0, 10, "f", "g2");
    put_gap(120, 121, "g", "g2");
    top_cases(); /* in memory */
    st_err e = {0};
    CHECK_OK(store_flush_all(g_s, &e));
    top_cases(); /* in blocks */
    put_gap(50, 52, "f", "g2"); /* and memory over them */
    top_cases();
    /* the newest bucket alone reads about a minute of f, the whole far more */
    uint64_t one = samples_of("SELECT bin(time, 60s) AS b, max(f) FROM t.gap WHERE time < TIMESTAMP '2024-01-01 00:53:00' "
                              "GROUP BY 1 ORDER BY 1 DESC LIMIT 1");
    uint64_t all = samples_of("SELECT bin(time, 60s) AS b, max(f) FROM t.gap WHERE time < TIMESTAMP '2024-01-01 00:53:00' "
                              "GROUP BY 1 ORDER BY 1 DESC");
    CHECK_MSG(one < all / 2, "LIMIT 1 decoded %llu samples, the whole %llu", (unsigned long long)one,
              (unsigned long long)all);
    /* not for shapes a LIMIT cannot cut: HAVING, a key other than the bucket first */
    st_buf b = {0};
    CHECK(run("EXPLAIN SELECT bin(time, 60s) AS b, max(f) FROM t.gap GROUP BY 1 HAVING max(f) > 3 ORDER BY 1 DESC LIMIT 2",
              &b, &e) == 0);
    st_buf_putc(&b, 0);
    CHECK_MSG(!strstr((const char *)b.p, "buckets first"), "%s", (const char *)b.p);
    CHECK(run("EXPLAIN SELECT host, bin(time, 60s) AS b, max(f) FROM t.gap GROUP BY 1, 2 ORDER BY 1, 2 DESC LIMIT 2",
              &b, &e) == 0);
    st_buf_putc(&b, 0);
    CHECK_MSG(!strstr((const char *)b.p, "buckets first"), "%s", (const char *)b.p);
    st_buf_free(&b);
    expect("SELECT bin(time, 60s) AS b, max(f) m FROM t.gap GROUP BY 1 HAVING max(f) > 11.5 ORDER BY 1 DESC LIMIT 2",
           "b|m\n2024-01-01 00:51:00.000000000|12.5\n2024-01-01 00:08:00.000000000|12.5\n");
    /* ORDER BY the bucket's expression rather than its name or position */
    st_buf x = {0}, y = {0};
    CHECK(run("SELECT bin(time, 60s) AS b, max(f) FROM t.gap GROUP BY 1 ORDER BY bin(time, 60s) DESC LIMIT 9", &x, &e) == 0);
    CHECK(run("SELECT * FROM (SELECT bin(time, 60s) AS b, max(f) FROM t.gap GROUP BY 1) ORDER BY 1 DESC LIMIT 9", &y, &e) == 0);
    CHECK(x.len > 200 && x.len == y.len && !memcmp(x.p, y.p, x.len));
    CHECK(run("EXPLAIN SELECT bin(time, 60s) AS b, max(f) FROM t.gap GROUP BY 1 ORDER BY bin(time, 60s) DESC LIMIT 9", &x, &e) == 0);
    st_buf_putc(&x, 0);
    CHECK_MSG(strstr((const char *)x.p, "newest buckets first"), "%s", (const char *)x.p);
    st_buf_free(&x);
    st_buf_free(&y);
}

static void test_series(void)
{
    expect("SELECT ARRAY[1, 2, 3], ARRAY[1.5, 2][2], ARRAY['a', NULL]", "_col0|_col1|_col2\n[1, 2, 3]|2.0|[a, NULL]\n");
    /* a frame computed afresh per row holds its rows once against the
     * row limit (1000 here), not once per row */
    expect("SELECT sum(c) FROM (SELECT count(DISTINCT x) OVER (ORDER BY x ROWS 1 PRECEDING) AS c "
           "FROM UNNEST(sequence(1, 600)) AS u(x))", "_col0\n1199\n");
    /* arrays kept across rows: by ORDER BY ... LIMIT, by max_by */
    expect("SELECT x, sequence(1, x) s FROM (VALUES 1, 2, 3, 4, 5) AS t(x) ORDER BY x DESC LIMIT 2",
           "x|s\n5|[1, 2, 3, 4, 5]\n4|[1, 2, 3, 4]\n");
    expect("SELECT max_by(sequence(1, x), x), min_by(sequence(x, 3), x) FROM (VALUES 1, 3, 2) AS t(x)",
           "_col0|_col1\n[1, 2, 3]|[1, 2, 3]\n");
    expect("SELECT host, max_by(sequence(1, CAST(usage AS bigint)), time), min_by(ARRAY[usage], time) FROM t.cpu "
           "GROUP BY host ORDER BY host",
           "host|_col1|_col2\na|[1, 2, 3, 4]|[1.5]\nb|NULL|[10.0]\n"); /* b's newest row has no usage */
    expect("SELECT host, array_agg(usage) FROM t.cpu WHERE host = 'a' GROUP BY host", "host|_col1\na|[1.5, 2.5, 3.5]\n");
    expect("SELECT host, create_time_series(time, usage) AS ts FROM t.cpu GROUP BY host ORDER BY host",
           "host|ts\na|[{time: 2024-01-01 00:00:00.000000000, value: 1.5}, {time: 2024-01-01 00:00:10.000000000, value: 2.5}, "
           "{time: 2024-01-01 00:00:20.000000000, value: 3.5}]\n"
           "b|[{time: 2024-01-01 00:00:00.000000000, value: 10.0}, {time: 2024-01-01 00:00:10.000000000, value: 20.0}]\n");
    expect("SELECT host, u.time, u.value FROM (SELECT host, create_time_series(time, usage) AS ts FROM t.cpu GROUP BY host) "
           "CROSS JOIN UNNEST(ts) AS u(time, value) WHERE u.value > 2 ORDER BY host, u.time",
           "host|time|value\na|2024-01-01 00:00:10.000000000|2.5\na|2024-01-01 00:00:20.000000000|3.5\n"
           "b|2024-01-01 00:00:00.000000000|10.0\nb|2024-01-01 00:00:10.000000000|20.0\n");
    expect("SELECT host, filter(create_time_series(time, usage), x -> x.value > 2 AND x.time < TIMESTAMP '2024-01-01 00:00:20') "
           "FROM t.cpu GROUP BY host ORDER BY host",
           "host|_col1\na|[{time: 2024-01-01 00:00:10.000000000, value: 2.5}]\n"
           "b|[{time: 2024-01-01 00:00:00.000000000, value: 10.0}, {time: 2024-01-01 00:00:10.000000000, value: 20.0}]\n");
    expect("SELECT host, reduce(create_time_series(time, usage), 0.0, (s, x) -> s + x.value, s -> s * 2) FROM t.cpu GROUP BY host ORDER BY host",
           "host|_col1\na|15.0\nb|60.0\n");
    expect("SELECT transform(ARRAY[1, 2, 3], x -> x * 10), filter(ARRAY[1, 2, 3, 4], x -> x % 2 = 0), "
           "reduce(ARRAY[1, 2, 3], 0, (s, x) -> s + x, s -> s * 2), reduce(ARRAY[1, 2], 0, (s, x) -> s + x / 4.0, s -> s)",
           "_col0|_col1|_col2|_col3\n[10, 20, 30]|[2, 4]|12|0.75\n");
    expect("SELECT max(usage, 2), min(usage, 2), approx_percentile(usage, ARRAY[0.0, 0.5, 1.0]) FROM t.cpu",
           "_col0|_col1|_col2\n[20.0, 10.0]|[1.5, 2.5]|[1.5, 3.5, 20.0]\n");
    expect("SELECT * FROM UNNEST(ARRAY['a', 'b']) WITH ORDINALITY AS t(x, i)", "x|i\na|1\nb|2\n");
    /* the first array NULL, the second not: real rows, numbered */
    expect("SELECT c.h, u.x, u.y, u.i FROM (VALUES 'p') AS c(h) LEFT JOIN UNNEST(CAST(NULL AS array(bigint)), ARRAY[5]) "
           "WITH ORDINALITY AS u(x, y, i) ON true", "h|x|y|i\np|NULL|5|1\n");
    expect("SELECT c.h, u.x, u.i FROM (VALUES 'p') AS c(h) LEFT JOIN UNNEST(CAST(NULL AS array(bigint))) "
           "WITH ORDINALITY AS u(x, i) ON true", "h|x|i\np|NULL|NULL\n");
    expect("SELECT c.h, u.x FROM (VALUES 'p', 'q') AS c(h) LEFT JOIN UNNEST(CASE WHEN c.h = 'p' THEN ARRAY[1, 2] ELSE ARRAY[] END) AS u(x) ON true "
           "ORDER BY 1, 2",
           "h|x\np|1\np|2\nq|NULL\n");
    expect("SELECT count(*) FROM t.cpu, UNNEST(ARRAY[1, 2, 3]) AS u(k) WHERE host = 'a'", "_col0\n9\n");
    expect("SELECT filter(CAST(NULL AS array(bigint)), x -> x > 1) IS NULL, reduce(CAST(NULL AS array(bigint)), 0, (s, x) -> s + x, s -> s)",
           "_col0|_col1\ntrue|NULL\n");
    expect("SELECT CAST(ARRAY[1, 2] AS array(double)), ARRAY[1, 2] = ARRAY[1, 2], ARRAY[1, 3] > ARRAY[1, 2]",
           "_col0|_col1|_col2\n[1.0, 2.0]|true|true\n");
}

/* Timestream's guide's shapes: bins, gap filling by interpolation over a
 * sequence, flattened with UNNEST; integrals and derivatives. */
static void test_timeseries(void)
{
    const char *binned = "WITH binned AS (SELECT host, bin(time, 10s) AS b, avg(usage) AS a FROM t.cpu "
                         "WHERE usage IS NOT NULL GROUP BY host, bin(time, 10s)) ";
    char q[1024];
    snprintf(q, sizeof q,
             "%sSELECT host, INTERPOLATE_LINEAR(CREATE_TIME_SERIES(b, a), SEQUENCE(min(b), max(b), 5s)) AS s "
             "FROM binned GROUP BY host ORDER BY host",
             binned);
    expect(q, "host|s\na|[{time: 2024-01-01 00:00:00.000000000, value: 1.5}, {time: 2024-01-01 00:00:05.000000000, value: 2.0}, "
              "{time: 2024-01-01 00:00:10.000000000, value: 2.5}, {time: 2024-01-01 00:00:15.000000000, value: 3.0}, "
              "{time: 2024-01-01 00:00:20.000000000, value: 3.5}]\n"
              "b|[{time: 2024-01-01 00:00:00.000000000, value: 10.0}, {time: 2024-01-01 00:00:05.000000000, value: 15.0}, "
              "{time: 2024-01-01 00:00:10.000000000, value: 20.0}]\n");
    snprintf(q, sizeof q,
             "%sSELECT host, u.time, u.value FROM (SELECT host, INTERPOLATE_LINEAR(CREATE_TIME_SERIES(b, a), "
             "SEQUENCE(min(b), max(b), 5s)) AS s FROM binned GROUP BY host) CROSS JOIN UNNEST(s) AS u (time, value) "
             "WHERE host = 'b' ORDER BY u.time",
             binned);
    expect(q, "host|time|value\nb|2024-01-01 00:00:00.000000000|10.0\nb|2024-01-01 00:00:05.000000000|15.0\n"
              "b|2024-01-01 00:00:10.000000000|20.0\n");
    expect("SELECT host, INTEGRAL_TRAPEZOIDAL(CREATE_TIME_SERIES(time, usage)), INTEGRAL_TRAPEZOIDAL(CREATE_TIME_SERIES(time, usage), 10s) "
           "FROM t.cpu GROUP BY host ORDER BY host",
           "host|_col1|_col2\na|50.0|5.0\nb|150.0|15.0\n");
    expect("SELECT DERIVATIVE_LINEAR(CREATE_TIME_SERIES(time, usage), 1s) FROM t.cpu WHERE host = 'a'",
           "_col0\n[{time: 2024-01-01 00:00:10.000000000, value: 0.1}, {time: 2024-01-01 00:00:20.000000000, value: 0.1}]\n");
    expect("SELECT host, INTERPOLATE_LOCF(CREATE_TIME_SERIES(time, n), TIMESTAMP '2024-01-01 00:00:15'), "
           "cardinality(CREATE_TIME_SERIES(time, n)) FROM t.cpu GROUP BY host ORDER BY host",
           "host|_col1|_col2\na|2|2\nb|NULL|1\n");
    expect("SELECT CORRELATE_PEARSON(CREATE_TIME_SERIES(time, usage), CREATE_TIME_SERIES(time, usage * 2 + 1)) FROM t.cpu WHERE host = 'a'",
           "_col0\n1.0\n");
}

static void test_errors(void)
{
    expect_err("SELECT filter(ARRAY[1], x -> x + 1)", "filter's lambda must return a boolean");
    expect_err("SELECT host FROM t.cpu CROSS JOIN UNNEST(host) AS u(x)", "Cannot unnest type: varchar");
    expect_err("SELECT transform(ARRAY[1], x -> usage) FROM t.cpu", "Column 'usage' does not exist");
    expect_err("SELECT ARRAY[1, 2][0]", "Array subscript must be greater than or equal to 1");
    expect_err("SELECT INTERVAL '1 month 2 days'", "is not a valid interval literal");
    expect_err("SELECT '2 parsecs'::interval", "Value cannot be cast to interval day to second: 2 parsecs");
    expect_err("SELECT x FROM t.cpu", "line 1:8: Column 'x' does not exist");
    expect_err("SELECT host FROM t.nope", "line 1:18: Table 't.nope' does not exist");
    expect_err("SELECT host FROM nodb.cpu", "Database 'nodb' does not exist");
    expect_err("SELECT host, count(*) FROM t.cpu", "line 1:8: 'host' must be an aggregate expression or appear in GROUP BY clause");
    expect_err("SELECT foo(1)", "line 1:8: Function 'foo' not registered");
    expect_err("SELECT host FROM t.cpu WHERE count(*) > 1", "WHERE clause cannot contain aggregations");
    expect_err("SELECT FROM", "line 1:8: mismatched input 'FROM'");
    expect_err("SELECT host FROM t.cpu UNION SELECT host, n FROM t.cpu", "UNION query has different number of fields: 1, 2");
    expect_err("SELECT host FROM t.cpu WHERE usage > (SELECT usage FROM t.cpu)", "Scalar sub-query has returned multiple rows");
    expect_err("SELECT host FROM t.cpu c, t.mem m WHERE host = 'a'", "Column 'host' is ambiguous");
    expect_err("SELECT host FROM t.cpu c WHERE EXISTS (SELECT 1 FROM t.mem m WHERE m.host = c.nosuch)", "Column 'c.nosuch' does not exist");
    expect_err("SELECT host, count(*) FROM t.cpu c GROUP BY host HAVING count(*) > (SELECT count(*) FROM t.mem m WHERE m.value > c.usage)",
               "'usage' must be an aggregate expression or appear in GROUP BY clause");
}

int main(void)
{
    snprintf(g_dir, sizeof g_dir, "/tmp/test_sql_exec.%d", (int)getpid());
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
    load();
    RUN(test_select);
    RUN(test_aggregate);
    RUN(test_relations);
    RUN(test_where_split);
    RUN(test_meta);
    RUN(test_series);
    RUN(test_timeseries);
    RUN(test_errors);
    RUN(test_fold);
    RUN(test_fold_bounds);
    RUN(test_fold_pieces);
    RUN(test_fold_top);
    store_close(g_s, &e);
    char cmd[4200];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", g_dir);
    if (system(cmd)) {
    }
    return testlib_done("test_sql_exec");
}
