/* Tests for engine/influxql/access: the databases each statement touches,
 * with the privilege it needs there, from every place a statement names
 * one (ON, db.rp.m, subqueries, INTO, CREATE/DROP DATABASE). */
#include <string.h>

#include "influxql/access.h"
#include "testlib.h"

static st_arena *A;

static int add(void *ctx, st_slice db, iql_priv p)
{
    st_buf *b = ctx;
    if (b->len) st_buf_putc(b, ' ');
    st_buf_printf(b, "%s:%.*s", iql_priv_name(p), (int)db.n, db.p);
    return 0;
}

/* Every statement of q, its touches joined by " | ". */
static void expect(const char *q, const char *want)
{
    iql_stmt *st;
    size_t n;
    st_err e = {0};
    if (iql_parse(q, strlen(q), A, &st, &n, &e)) {
        CHECK_MSG(0, "%s: %s", q, e.msg);
        return;
    }
    st_buf b = {0}, one = {0};
    for (size_t i = 0; i < n; i++) {
        one.len = 0;
        CHECK_EQ_INT(iql_stmt_access(&st[i], st_slice_cstr("home"), add, &one), 0);
        if (i) st_buf_put(&b, " | ", 3);
        st_buf_put(&b, one.p, one.len);
    }
    st_buf_putc(&b, 0);
    CHECK_MSG(!strcmp((const char *)b.p, want), "%s\n   got: %s\n  want: %s", q, (const char *)b.p, want);
    st_buf_free(&b);
    st_buf_free(&one);
}

static int stop_at_write(void *ctx, st_slice db, iql_priv p)
{
    (void)db;
    ++*(int *)ctx;
    return p == IQL_PRIV_WRITE ? 7 : 0;
}

static void test_select(void)
{
    expect("SELECT * FROM cpu", "read:home");
    expect("SELECT * FROM other.autogen.cpu, cpu", "read:other read:home");
    expect("SELECT * FROM \"a b\"..cpu", "read:a b");
    expect("SELECT * FROM /cp.*/", "read:home");
    expect("SELECT max(v) FROM (SELECT v FROM third..m), (SELECT v FROM (SELECT v FROM fourth..x))",
           "read:third read:fourth");
    expect("SELECT * INTO copy.autogen.cpu FROM cpu", "read:home write:copy");
    expect("SELECT * INTO cpu2 FROM other..cpu", "read:other write:home");
    expect("SELECT * INTO \"x\".\"y\".:MEASUREMENT FROM /.*/", "read:home write:x");
}

static void test_show_and_delete(void)
{
    expect("SHOW DATABASES", "");
    expect("SHOW MEASUREMENTS", "read:home");
    expect("SHOW MEASUREMENTS ON other", "read:other");
    expect("SHOW TAG KEYS ON a FROM b..cpu", "read:a read:b");
    expect("SHOW TAG VALUES FROM cpu WITH KEY = host", "read:home read:home");
    expect("SHOW FIELD KEYS ON a", "read:a");
    expect("SHOW SERIES ON a FROM cpu", "read:a read:a");
    expect("SHOW RETENTION POLICIES ON a", "read:a");
    expect("DROP SERIES FROM cpu WHERE host = 'x'", "write:home write:home");
    expect("DELETE FROM cpu WHERE time < now()", "write:home write:home");
    expect("DROP MEASUREMENT cpu", "write:home");
}

static void test_admin(void)
{
    expect("CREATE DATABASE x", "admin:");
    expect("DROP DATABASE x", "admin:x");
    expect("SHOW USERS", "admin:");
    expect("CREATE RETENTION POLICY r ON a DURATION 1d REPLICATION 1", "admin:a");
    expect("ALTER RETENTION POLICY autogen ON a DURATION 2d", "admin:a");
    expect("DROP RETENTION POLICY r ON a", "admin:a");
    expect("CREATE CONTINUOUS QUERY c ON a BEGIN SELECT mean(v) INTO b..m FROM cpu GROUP BY time(1m) END",
           "admin:a read:a write:b");
    expect("DROP CONTINUOUS QUERY c ON a", "admin:a");
    expect("SHOW CONTINUOUS QUERIES", "admin:");
    expect("CREATE USER u WITH PASSWORD 'p'", "admin:");
    expect("KILL QUERY 1", "admin:");
}

/* Users, grants and tokens: always the server's admin, never a database's
 * (not even GRANT ... ON db's), whichever database the request names. */
static void test_users(void)
{
    expect("CREATE USER u WITH PASSWORD 'p' WITH ALL PRIVILEGES", "admin:");
    expect("DROP USER u", "admin:");
    expect("SET PASSWORD FOR u = 'p'", "admin:");
    expect("GRANT READ ON a TO u", "admin:");
    expect("GRANT WRITE ON a TO u", "admin:");
    expect("GRANT ALL PRIVILEGES ON a TO u", "admin:");
    expect("GRANT ALL TO u", "admin:");
    expect("REVOKE READ ON a FROM u", "admin:");
    expect("REVOKE ALL FROM u", "admin:");
    expect("SHOW GRANTS FOR u", "admin:");
    expect("CREATE TOKEN FOR u", "admin:");
    expect("SHOW TOKENS", "admin:");
    expect("SHOW TOKENS FOR u", "admin:");
    expect("DROP TOKEN 't'", "admin:");
    expect("CREATE ACCESS KEY FOR u", "admin:");
    expect("DROP ACCESS KEY FOR u", "admin:");
    expect("GRANT READ ON a TO u; SELECT * FROM cpu; SHOW TOKENS FOR u", "admin: | read:home | admin:");
    /* every kind up to IQL_UNSUPPORTED is decided, none by the fallback */
    static const iql_kind kinds[] = {IQL_CREATE_USER, IQL_DROP_USER,    IQL_SET_PASSWORD, IQL_GRANT,     IQL_REVOKE,
                                     IQL_SHOW_GRANTS, IQL_CREATE_TOKEN, IQL_SHOW_TOKENS,  IQL_DROP_TOKEN,
                                     IQL_CREATE_ACCESS_KEY, IQL_DROP_ACCESS_KEY};
    for (size_t i = 0; i < sizeof kinds / sizeof *kinds; i++) {
        iql_stmt st = {.kind = kinds[i], .on = st_slice_cstr("a"), .name = st_slice_cstr("b")};
        st_buf b = {0};
        CHECK_EQ_INT(iql_stmt_access(&st, st_slice_cstr("home"), add, &b), 0);
        st_buf_putc(&b, 0);
        CHECK_MSG(!strcmp((const char *)b.p, "admin:"), "kind %d: %s", (int)kinds[i], (const char *)b.p);
        st_buf_free(&b);
    }
    /* several statements: each one's, in order */
    expect("SELECT * FROM cpu; DROP DATABASE b; SHOW MEASUREMENTS ON c", "read:home | admin:b | read:c");
}

static void test_stop(void)
{
    iql_stmt *st;
    size_t n;
    const char *q = "SELECT * INTO w..m FROM a..x, b..y";
    CHECK_OK(iql_parse(q, strlen(q), A, &st, &n, NULL));
    int calls = 0;
    CHECK_EQ_INT(iql_stmt_access(st, st_slice_cstr("home"), stop_at_write, &calls), 7);
    CHECK_EQ_INT(calls, 3);
}

int main(void)
{
    A = st_arena_new(4096);
    RUN(test_select);
    RUN(test_show_and_delete);
    RUN(test_admin);
    RUN(test_users);
    RUN(test_stop);
    st_arena_free(A);
    return testlib_done("test_influxql_access");
}
