/* Tests for engine/influxql (the parser): statement shapes, clauses, lexing of quoted
 * tokens, regexes and durations, and InfluxDB's parse error messages. */
#include "influxql/influxql.h"

#include "testlib.h"

static st_arena *A;

static iql_stmt *parse1(const char *q)
{
    iql_stmt *s;
    size_t n;
    st_err e;
    if (iql_parse(q, strlen(q), A, &s, &n, &e) != 0) {
        fprintf(stderr, "  parse of \"%s\" failed: %s\n", q, e.msg);
        return NULL;
    }
    return n == 1 ? s : NULL;
}

static bool sl_is(st_slice s, const char *c) { return s.n == strlen(c) && memcmp(s.p, c, s.n) == 0; }

static const char *err_of(const char *q)
{
    static st_err e;
    iql_stmt *s;
    size_t n;
    if (iql_parse(q, strlen(q), A, &s, &n, &e) == 0) return "(parsed)";
    return e.msg;
}

static void test_databases(void)
{
    iql_stmt *s = parse1("create database \"my db\" WITH DURATION 1h30m REPLICATION 1 NAME rp1");
    CHECK(s && s->kind == IQL_CREATE_DATABASE && sl_is(s->name, "my db"));
    CHECK(s && s->has_duration && s->duration == 5400LL * ST_NS_PER_S && s->has_rp_name && sl_is(s->rp_name, "rp1"));
    s = parse1("DROP DATABASE telegraf");
    CHECK(s && s->kind == IQL_DROP_DATABASE && sl_is(s->name, "telegraf"));
    s = parse1("SHOW DATABASES");
    CHECK(s && s->kind == IQL_SHOW_DATABASES);
    /* Telegraf's escaping of the name */
    s = parse1("CREATE DATABASE \"te\\\"le\\\\g\"");
    CHECK(s && sl_is(s->name, "te\"le\\g"));
}

static void test_retention(void)
{
    iql_stmt *s = parse1("CREATE RETENTION POLICY \"one_week\" ON db DURATION 1w REPLICATION 1 SHARD DURATION 1d DEFAULT");
    CHECK(s && s->kind == IQL_CREATE_RETENTION_POLICY && sl_is(s->name, "one_week") && sl_is(s->on, "db"));
    CHECK(s && s->duration == 7 * 86400LL * ST_NS_PER_S && s->is_default && s->has_shard_duration &&
          s->shard_duration == 86400LL * ST_NS_PER_S);
    s = parse1("ALTER RETENTION POLICY autogen ON db DURATION INF");
    CHECK(s && s->kind == IQL_ALTER_RETENTION_POLICY && s->has_duration && s->duration == 0 && !s->is_default);
    s = parse1("SHOW RETENTION POLICIES ON \"db\"");
    CHECK(s && s->kind == IQL_SHOW_RETENTION_POLICIES && sl_is(s->on, "db"));
    CHECK(strstr(err_of("CREATE RETENTION POLICY r ON db DURATION 1h"), "expected REPLICATION"));
    CHECK(strstr(err_of("ALTER RETENTION POLICY r ON db"), "found EOF"));
}

static void test_show(void)
{
    iql_stmt *s = parse1("SHOW TAG VALUES ON db FROM cpu, \"rp\".\"mem\", /^n/ WITH KEY IN (host, \"region\") "
                         "WHERE \"host\"::tag =~ /a\\/b/ AND time > now() - 1h LIMIT 10 OFFSET 2");
    CHECK(s && s->kind == IQL_SHOW_TAG_VALUES && sl_is(s->on, "db") && s->nfrom == 3);
    CHECK(s && sl_is(s->from[0].name, "cpu") && sl_is(s->from[1].rp, "rp") && sl_is(s->from[1].name, "mem") &&
          s->from[2].regex && sl_is(s->from[2].name, "^n"));
    CHECK(s && s->nwith_in == 2 && sl_is(s->with_in[1], "region") && s->limit == 10 && s->offset == 2);
    CHECK(s && s->where && s->where->op == IQL_OP_AND && s->where->l->op == IQL_OP_RE &&
          sl_is(s->where->l->r->str, "a/b") && s->where->r->op == IQL_OP_GT && s->where->r->r->op == IQL_OP_SUB);
    s = parse1("show measurements with measurement =~ /cpu.*/ where a='b' or c!='d' limit 5");
    CHECK(s && s->kind == IQL_SHOW_MEASUREMENTS && s->with_op == IQL_OP_RE && sl_is(s->with_value, "cpu.*"));
    CHECK(s && s->where->op == IQL_OP_OR && s->limit == 5);
    s = parse1("SHOW FIELD KEYS FROM db.rp.m");
    CHECK(s && s->kind == IQL_SHOW_FIELD_KEYS && sl_is(s->from[0].db, "db") && sl_is(s->from[0].rp, "rp"));
    s = parse1("SHOW SERIES FROM db..m WHERE 'a' = x");
    CHECK(s && s->kind == IQL_SHOW_SERIES && sl_is(s->from[0].db, "db") && s->from[0].rp.n == 0 &&
          sl_is(s->from[0].name, "m"));
    s = parse1("SHOW TAG KEYS");
    CHECK(s && s->kind == IQL_SHOW_TAG_KEYS && !s->where && !s->nfrom);
    s = parse1("SHOW USERS");
    CHECK(s && s->kind == IQL_SHOW_USERS);
}

static void test_deletes(void)
{
    iql_stmt *s = parse1("DROP SERIES FROM cpu WHERE host = 'it''s'");
    CHECK(s == NULL); /* '' is not an escape in InfluxQL: two strings */
    s = parse1("DROP SERIES FROM cpu WHERE host = 'it\\'s'");
    CHECK(s && s->kind == IQL_DROP_SERIES && sl_is(s->where->r->str, "it's"));
    s = parse1("DELETE WHERE time < '2020-01-01T00:00:00Z'");
    CHECK(s && s->kind == IQL_DELETE && !s->nfrom && s->where->op == IQL_OP_LT);
    s = parse1("DROP MEASUREMENT \"weird name\"");
    CHECK(s && s->kind == IQL_DROP_MEASUREMENT && sl_is(s->name, "weird name"));
    CHECK(!strcmp(err_of("DROP SERIES"), "found EOF, expected FROM, WHERE at line 1, char 13"));
    CHECK(!strcmp(err_of("DELETE"), "found EOF, expected FROM, WHERE at line 1, char 8"));
}

static void test_several_and_unsupported(void)
{
    iql_stmt *s;
    size_t n;
    st_err e;
    const char *q = "SHOW DATABASES; SELECT mean(\"v;x\") FROM cpu WHERE a = ';' GROUP BY time(1m);\n"
                    "-- a comment\nSHOW USERS;; KILL QUERY 12";
    CHECK(iql_parse(q, strlen(q), A, &s, &n, &e) == 0);
    CHECK(n == 4);
    CHECK(n == 4 && s[1].kind == IQL_SELECT && s[2].kind == IQL_SHOW_USERS && s[3].kind == IQL_UNSUPPORTED);
    /* what InfluxQL knows and Strata does not run: its text, the rest skipped */
    const char *unsupported[] = {"CREATE SUBSCRIPTION s ON db.rp DESTINATIONS ALL 'udp://h:9'",
                                 "DROP SUBSCRIPTION s ON db.rp", "DROP SHARD 1", "SHOW SHARDS", "SHOW SHARD GROUPS",
                                 "SHOW QUERIES", "SHOW DIAGNOSTICS", "SHOW STATS", "SHOW SUBSCRIPTIONS",
                                 "KILL QUERY 1", "EXPLAIN SELECT * FROM m", "SHOW SERIES CARDINALITY"};
    for (size_t i = 0; i < sizeof unsupported / sizeof *unsupported; i++) {
        iql_stmt *u = parse1(unsupported[i]);
        CHECK_MSG(u && u->kind == IQL_UNSUPPORTED && sl_is(u->text, unsupported[i]), "%s", unsupported[i]);
    }
    CHECK(n == 4 && sl_is(s[1].text, "SELECT mean(\"v;x\") FROM cpu WHERE a = ';' GROUP BY time(1m)"));
    CHECK(!strcmp(err_of(""), "empty query"));
    CHECK(!strcmp(err_of(" ;; -- x"), "empty query"));
    CHECK(!strcmp(err_of("FOO"),
                  "found FOO, expected SELECT, DELETE, SHOW, CREATE, DROP, EXPLAIN, GRANT, REVOKE, ALTER, SET, "
                  "KILL at line 1, char 1"));
    CHECK(!strcmp(err_of("SHOW SERIES WHERE host = 'a"),
                  "found a, expected identifier, string, number, bool at line 1, char 25"));
    CHECK(!strcmp(err_of("SHOW DATABASES\nSHOW x"), "found SHOW, expected ; at line 2, char 1"));
    CHECK(strstr(err_of("SHOW MEASUREMENTS LIMIT -1"), "expected integer"));
    CHECK(strstr(err_of("CREATE DATABASE select"), "expected identifier"));
    CHECK(strstr(err_of("SHOW SERIES WHERE a =~ /x"), "unterminated regex"));
}

static void test_hostile(void)
{
    iql_stmt *s;
    size_t n;
    st_err e;
    /* '/' is division outside a regex position: Grafana's math in a SELECT */
    const char *q = "SELECT mean(\"value\") / 100 FROM \"cpu\"; SHOW DATABASES; SELECT 1/2 FROM m";
    CHECK(iql_parse(q, strlen(q), A, &s, &n, &e) == 0 && n == 3 && s[0].kind == IQL_SELECT &&
          s[1].kind == IQL_SHOW_DATABASES && s[2].kind == IQL_SELECT);
    CHECK(n == 3 && s[0].sel->fields[0].expr->op == IQL_OP_DIV && s[2].sel->fields[0].expr->op == IQL_OP_DIV);
    /* nesting and length are bounded (every walk of the tree recurses) */
    st_buf b = {0};
    st_buf_printf(&b, "SHOW SERIES WHERE ");
    for (int i = 0; i < 5000; i++) st_buf_putc(&b, '(');
    st_buf_printf(&b, "a='b'");
    for (int i = 0; i < 5000; i++) st_buf_putc(&b, ')');
    CHECK(iql_parse((const char *)b.p, b.len, A, &s, &n, &e) == ST_EINVAL && strstr(e.msg, "nested deeper"));
    b.len = 0;
    st_buf_printf(&b, "SHOW SERIES WHERE a='b'");
    for (int i = 0; i < 20000; i++) st_buf_printf(&b, " AND a='b'");
    CHECK(iql_parse((const char *)b.p, b.len, A, &s, &n, &e) == ST_EINVAL && strstr(e.msg, "longer than"));
    b.len = 0;
    st_buf_printf(&b, "SHOW SERIES WHERE -");
    for (int i = 0; i < 5000; i++) st_buf_putc(&b, '-');
    st_buf_printf(&b, "1 = a");
    CHECK(iql_parse((const char *)b.p, b.len, A, &s, &n, &e) == ST_EINVAL);
    st_buf_free(&b);
    /* either quote escaped in either kind of string */
    s = parse1("SHOW SERIES WHERE a = 'x\\\"y\\'z'");
    CHECK(s && sl_is(s->where->r->str, "x\"y'z"));
    /* a number too long for its buffer is an error, not a cut */
    CHECK(strstr(err_of("SHOW SERIES LIMIT 0000000000000000000000000000000000000000000000000000000000000000000005"),
                  "too long"));
    s = parse1("SHOW MEASUREMENTS WITH MEASUREMENT =~ /a\\/b/");
    CHECK(s && s->with_regex && sl_is(s->with_value, "a/b"));
}

static void test_durations(void)
{
    char b[64];
    struct { int64_t ns; const char *s; } cases[] = {
        {0, "0s"}, {ST_NS_PER_S, "1s"}, {3600LL * ST_NS_PER_S, "1h0m0s"}, {168 * 3600LL * ST_NS_PER_S, "168h0m0s"},
        {90 * ST_NS_PER_S, "1m30s"}, {1500 * ST_NS_PER_MS, "1.5s"}, {2 * ST_NS_PER_MS, "2ms"}, {1500, "1.5\xc2\xb5s"},
        {7, "7ns"}, {-ST_NS_PER_S, "-1s"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        iql_format_duration(cases[i].ns, b, sizeof b);
        CHECK_MSG(!strcmp(b, cases[i].s), "%" PRId64 " -> %s, want %s", cases[i].ns, b, cases[i].s);
    }
    iql_stmt *s = parse1("CREATE DATABASE d WITH DURATION 2d12h");
    CHECK(s && s->duration == 60 * 3600LL * ST_NS_PER_S);
    s = parse1("SHOW SERIES WHERE time > 10u AND time < 5\xc2\xb5");
    CHECK(s && s->where->l->r->ns == 10000 && s->where->r->r->ns == 5000);
    CHECK(strstr(err_of("CREATE DATABASE d WITH DURATION 99999999999999999999h"), "overflowed duration"));
}

/* Users: CREATE/DROP USER, SET PASSWORD; names bare or quoted, passwords
 * strings decoded. */
static void test_users(void)
{
    iql_stmt *s = parse1("CREATE USER bob WITH PASSWORD 's3cret'");
    CHECK(s && s->kind == IQL_CREATE_USER && sl_is(s->user, "bob") && sl_is(s->password, "s3cret") &&
          !s->all_privileges && s->name.n == 0 && s->on.n == 0 && s->grant == 0);
    CHECK(s && sl_is(s->text, "CREATE USER bob WITH PASSWORD 's3cret'"));
    s = parse1("create user \"Bob Smith\" with password 'it\\'s \\\\ \\\"q\\\"' with all privileges");
    CHECK(s && s->kind == IQL_CREATE_USER && sl_is(s->user, "Bob Smith") && sl_is(s->password, "it's \\ \"q\"") &&
          s->all_privileges);
    s = parse1("CrEaTe UsEr \"user\" WiTh PaSsWoRd ''");
    CHECK(s && s->kind == IQL_CREATE_USER && sl_is(s->user, "user") && s->password.n == 0 && !s->all_privileges);
    s = parse1("CREATE USER u WITH PASSWORD 'p;q' ; SHOW USERS");
    CHECK(s == NULL); /* two statements */
    s = parse1("DROP USER \"Bob Smith\"");
    CHECK(s && s->kind == IQL_DROP_USER && sl_is(s->user, "Bob Smith") && s->name.n == 0);
    s = parse1("drop user bob");
    CHECK(s && s->kind == IQL_DROP_USER && sl_is(s->user, "bob"));
    s = parse1("SET PASSWORD FOR bob = 'n\\'ew'");
    CHECK(s && s->kind == IQL_SET_PASSWORD && sl_is(s->user, "bob") && sl_is(s->password, "n'ew"));
    s = parse1("set password for \"a b\"='x'");
    CHECK(s && s->kind == IQL_SET_PASSWORD && sl_is(s->user, "a b") && sl_is(s->password, "x"));
    s = parse1("SET PASSWORD FOR bob = ''");
    CHECK(s && s->kind == IQL_SET_PASSWORD && s->password.n == 0);

    CHECK(!strcmp(err_of("CREATE USER bob"), "found EOF, expected WITH at line 1, char 17"));
    CHECK(!strcmp(err_of("CREATE USER bob WITH"), "found EOF, expected PASSWORD at line 1, char 22"));
    CHECK(!strcmp(err_of("CREATE USER bob WITH PASSWORD bob"), "found bob, expected string at line 1, char 31"));
    CHECK(!strcmp(err_of("CREATE USER bob WITH PASSWORD \"pw\""), "found pw, expected string at line 1, char 31"));
    CHECK(!strcmp(err_of("CREATE USER bob WITH PASSWORD 'pw' WITH"), "found EOF, expected ALL at line 1, char 41"));
    CHECK(!strcmp(err_of("CREATE USER bob WITH PASSWORD 'pw' WITH ALL"),
                  "found EOF, expected PRIVILEGES at line 1, char 45"));
    CHECK(!strcmp(err_of("CREATE USER bob WITH PASSWORD 'pw' x"), "found x, expected ; at line 1, char 36"));
    CHECK(!strcmp(err_of("CREATE USER user WITH PASSWORD 'pw'"), "found user, expected identifier at line 1, char 13"));
    CHECK(!strcmp(err_of("CREATE USER"), "found EOF, expected identifier at line 1, char 13"));
    CHECK(!strcmp(err_of("DROP USER"), "found EOF, expected identifier at line 1, char 11"));
    CHECK(!strcmp(err_of("DROP USER 'bob'"), "found bob, expected identifier at line 1, char 11"));
    CHECK(!strcmp(err_of("SET"), "found EOF, expected PASSWORD at line 1, char 5"));
    CHECK(!strcmp(err_of("SET PASSWORD bob = 'x'"), "found bob, expected FOR at line 1, char 14"));
    CHECK(!strcmp(err_of("SET PASSWORD FOR bob 'x'"), "found x, expected = at line 1, char 22"));
    CHECK(!strcmp(err_of("SET PASSWORD FOR bob = x"), "found x, expected string at line 1, char 24"));
    CHECK(!strcmp(err_of("SET PASSWORD FOR bob ="), "found EOF, expected string at line 1, char 24"));
    CHECK(strstr(err_of("CREATE USER bob WITH PASSWORD 'unterminated"), "expected string"));
}

/* GRANT and REVOKE, on a database or the server's admin; SHOW GRANTS. */
static void test_grants(void)
{
    iql_stmt *s = parse1("GRANT READ ON telegraf TO bob");
    CHECK(s && s->kind == IQL_GRANT && s->grant == IQL_GRANT_READ && sl_is(s->on, "telegraf") &&
          sl_is(s->user, "bob") && !s->all_privileges);
    s = parse1("grant write on \"my db\" to \"Bob Smith\"");
    CHECK(s && s->kind == IQL_GRANT && s->grant == IQL_GRANT_WRITE && sl_is(s->on, "my db") &&
          sl_is(s->user, "Bob Smith"));
    s = parse1("GRANT ALL ON db TO u");
    CHECK(s && s->kind == IQL_GRANT && s->grant == IQL_GRANT_ALL && sl_is(s->on, "db") && !s->all_privileges);
    s = parse1("Grant All Privileges On db To u");
    CHECK(s && s->kind == IQL_GRANT && s->grant == IQL_GRANT_ALL && sl_is(s->on, "db") && sl_is(s->user, "u"));
    s = parse1("GRANT ALL TO admin");
    CHECK(s && s->kind == IQL_GRANT && s->all_privileges && s->on.n == 0 && s->grant == 0 && sl_is(s->user, "admin"));
    s = parse1("GRANT ALL PRIVILEGES TO \"the admin\"");
    CHECK(s && s->kind == IQL_GRANT && s->all_privileges && s->on.n == 0 && sl_is(s->user, "the admin"));
    s = parse1("REVOKE READ ON db FROM bob");
    CHECK(s && s->kind == IQL_REVOKE && s->grant == IQL_GRANT_READ && sl_is(s->on, "db") && sl_is(s->user, "bob") &&
          !s->all_privileges);
    s = parse1("revoke write on db from bob");
    CHECK(s && s->kind == IQL_REVOKE && s->grant == IQL_GRANT_WRITE);
    s = parse1("REVOKE ALL PRIVILEGES ON db FROM bob");
    CHECK(s && s->kind == IQL_REVOKE && s->grant == IQL_GRANT_ALL && sl_is(s->on, "db") && !s->all_privileges);
    s = parse1("REVOKE ALL FROM bob");
    CHECK(s && s->kind == IQL_REVOKE && s->all_privileges && s->on.n == 0 && s->grant == 0 && sl_is(s->user, "bob"));
    s = parse1("revoke all privileges from \"b o b\"");
    CHECK(s && s->kind == IQL_REVOKE && s->all_privileges && sl_is(s->user, "b o b"));
    s = parse1("SHOW GRANTS FOR bob");
    CHECK(s && s->kind == IQL_SHOW_GRANTS && sl_is(s->user, "bob"));
    s = parse1("show grants for \"Bob Smith\"");
    CHECK(s && s->kind == IQL_SHOW_GRANTS && sl_is(s->user, "Bob Smith"));

    CHECK(!strcmp(err_of("GRANT READ TO bob"), "found TO, expected ON at line 1, char 12"));
    CHECK(!strcmp(err_of("GRANT WRITE PRIVILEGES ON db TO bob"), "found PRIVILEGES, expected ON at line 1, char 13"));
    CHECK(!strcmp(err_of("GRANT ALL bob"), "found bob, expected ON, TO at line 1, char 11"));
    CHECK(!strcmp(err_of("GRANT"), "found EOF, expected READ, WRITE, ALL [PRIVILEGES] at line 1, char 7"));
    CHECK(!strcmp(err_of("GRANT ADMIN TO bob"), "found ADMIN, expected READ, WRITE, ALL [PRIVILEGES] at line 1, char 7"));
    CHECK(!strcmp(err_of("GRANT READ ON db"), "found EOF, expected TO at line 1, char 18"));
    CHECK(!strcmp(err_of("GRANT READ ON db FROM bob"), "found FROM, expected TO at line 1, char 18"));
    CHECK(!strcmp(err_of("GRANT READ ON db TO"), "found EOF, expected identifier at line 1, char 21"));
    CHECK(!strcmp(err_of("GRANT ALL TO"), "found EOF, expected identifier at line 1, char 14"));
    CHECK(!strcmp(err_of("GRANT READ ON TO bob"), "found TO, expected identifier at line 1, char 15"));
    CHECK(!strcmp(err_of("REVOKE READ FROM bob"), "found FROM, expected ON at line 1, char 13"));
    CHECK(!strcmp(err_of("REVOKE ALL TO bob"), "found TO, expected ON, FROM at line 1, char 12"));
    CHECK(!strcmp(err_of("REVOKE READ ON db TO bob"), "found TO, expected FROM at line 1, char 19"));
    CHECK(!strcmp(err_of("SHOW GRANTS"), "found EOF, expected FOR at line 1, char 13"));
    CHECK(!strcmp(err_of("SHOW GRANTS bob"), "found bob, expected FOR at line 1, char 13"));
    CHECK(!strcmp(err_of("SHOW GRANTS FOR"), "found EOF, expected identifier at line 1, char 17"));
}

/* Strata's API tokens: CREATE TOKEN FOR u, SHOW TOKENS [FOR u], DROP TOKEN id. */
static void test_tokens(void)
{
    iql_stmt *s = parse1("CREATE TOKEN FOR bob");
    CHECK(s && s->kind == IQL_CREATE_TOKEN && sl_is(s->user, "bob"));
    s = parse1("create token for \"Bob Smith\"");
    CHECK(s && s->kind == IQL_CREATE_TOKEN && sl_is(s->user, "Bob Smith"));
    s = parse1("SHOW TOKENS");
    CHECK(s && s->kind == IQL_SHOW_TOKENS && s->user.n == 0);
    s = parse1("show tokens for bob");
    CHECK(s && s->kind == IQL_SHOW_TOKENS && sl_is(s->user, "bob"));
    s = parse1("DROP TOKEN 'stk_0a1b'");
    CHECK(s && s->kind == IQL_DROP_TOKEN && sl_is(s->name, "stk_0a1b") && s->user.n == 0);
    s = parse1("drop token stk_0a1b");
    CHECK(s && s->kind == IQL_DROP_TOKEN && sl_is(s->name, "stk_0a1b"));
    s = parse1("DROP TOKEN \"a b\"");
    CHECK(s && s->kind == IQL_DROP_TOKEN && sl_is(s->name, "a b"));
    s = parse1("DROP TOKEN 'it\\'s'");
    CHECK(s && s->kind == IQL_DROP_TOKEN && sl_is(s->name, "it's"));

    {
        st_arena *a = st_arena_new(4096);
        iql_stmt *v;
        size_t n;
        st_err e = {0};
        CHECK_OK(iql_parse("create access key for \"bob b\"; DROP ACCESS KEY FOR bob", 54, a, &v, &n, &e));
        CHECK(n == 2 && v[0].kind == IQL_CREATE_ACCESS_KEY && v[0].user.n == 5 && !memcmp(v[0].user.p, "bob b", 5) &&
              v[1].kind == IQL_DROP_ACCESS_KEY && v[1].user.n == 3);
        st_arena_free(a);
    }
    CHECK(!strcmp(err_of("CREATE ACCESS FOR bob"), "found FOR, expected KEY at line 1, char 15"));
    CHECK(!strcmp(err_of("DROP ACCESS KEY bob"), "found bob, expected FOR at line 1, char 17"));
    CHECK(!strcmp(err_of("CREATE TOKEN bob"), "found bob, expected FOR at line 1, char 14"));
    CHECK(!strcmp(err_of("CREATE TOKEN FOR"), "found EOF, expected identifier at line 1, char 18"));
    CHECK(!strcmp(err_of("SHOW TOKENS bob"), "found bob, expected ; at line 1, char 13"));
    CHECK(!strcmp(err_of("SHOW TOKENS FOR"), "found EOF, expected identifier at line 1, char 17"));
    CHECK(!strcmp(err_of("DROP TOKEN"), "found EOF, expected string, identifier at line 1, char 12"));
    CHECK(!strcmp(err_of("DROP TOKEN 12"), "found 12, expected string, identifier at line 1, char 12"));
    CHECK(!strcmp(err_of("DROP TOKEN 'a' 'b'"), "found b, expected ; at line 1, char 16"));
    CHECK(!strcmp(err_of("CREATE x"),
                  "found x, expected CONTINUOUS, DATABASE, USER, RETENTION, SUBSCRIPTION at line 1, char 8"));
    CHECK(!strcmp(err_of("DROP x"), "found x, expected CONTINUOUS, DATABASE, MEASUREMENT, RETENTION, SERIES, "
                                    "SHARD, SUBSCRIPTION, USER at line 1, char 6"));
    CHECK(strstr(err_of("SHOW x"), "SUBSCRIPTIONS, TAG, USERS at line 1, char 6"));
}

/* Several user statements in one request: each its own fields and text. */
static void test_users_several(void)
{
    iql_stmt *s;
    size_t n;
    st_err e;
    const char *q = "CREATE USER a WITH PASSWORD 'x;y' WITH ALL PRIVILEGES;\n"
                    "GRANT READ ON db TO a; revoke all from a ;SET PASSWORD FOR a = 'z\\'';"
                    "SHOW GRANTS FOR a; DROP USER a;CREATE TOKEN FOR a; SHOW TOKENS; DROP TOKEN 't1'";
    CHECK(iql_parse(q, strlen(q), A, &s, &n, &e) == 0);
    CHECK_EQ_INT(n, 9);
    if (n != 9) return;
    CHECK(s[0].kind == IQL_CREATE_USER && sl_is(s[0].user, "a") && sl_is(s[0].password, "x;y") && s[0].all_privileges);
    CHECK(sl_is(s[0].text, "CREATE USER a WITH PASSWORD 'x;y' WITH ALL PRIVILEGES"));
    CHECK(s[1].kind == IQL_GRANT && s[1].grant == IQL_GRANT_READ && sl_is(s[1].on, "db") && sl_is(s[1].user, "a"));
    CHECK(sl_is(s[1].text, "GRANT READ ON db TO a"));
    CHECK(s[2].kind == IQL_REVOKE && s[2].all_privileges && s[2].on.n == 0 && sl_is(s[2].text, "revoke all from a"));
    CHECK(s[3].kind == IQL_SET_PASSWORD && sl_is(s[3].password, "z'") && sl_is(s[3].text, "SET PASSWORD FOR a = 'z\\''"));
    CHECK(s[4].kind == IQL_SHOW_GRANTS && s[5].kind == IQL_DROP_USER && s[6].kind == IQL_CREATE_TOKEN &&
          s[7].kind == IQL_SHOW_TOKENS && s[7].user.n == 0 && s[8].kind == IQL_DROP_TOKEN && sl_is(s[8].name, "t1"));
    /* an error in a later statement fails the whole request */
    CHECK(!strcmp(err_of("SHOW USERS; GRANT READ TO bob"), "found TO, expected ON at line 1, char 24"));
}

/* SELECT: every clause into its place; precedence; calls; wildcards. */
static void test_select(void)
{
    iql_stmt *s = parse1("SELECT mean(\"usage_user\") AS m, max(x) * 2 + 1, \"h\"::tag, *::field, /us.*/ "
                         "INTO db.rp.down FROM \"telegraf\".\"autogen\".\"cpu\", /^mem/ "
                         "WHERE (\"host\" =~ /a|b/ OR x != 'y') AND time >= now() - 1h "
                         "GROUP BY time(1m, -10s), \"host\", /re/, * fill(-1.5) ORDER BY time DESC "
                         "LIMIT 10 OFFSET 2 SLIMIT 3 SOFFSET 1 tz('Europe/Paris')");
    CHECK(s && s->kind == IQL_SELECT && s->sel);
    if (!s || !s->sel) return;
    const iql_select *q = s->sel;
    CHECK(q->nfields == 5 && sl_is(q->fields[0].alias, "m") && q->fields[0].expr->kind == IQL_E_CALL &&
          sl_is(q->fields[0].expr->str, "mean") && q->fields[0].expr->nargs == 1);
    /* (max(x) * 2) + 1 */
    const iql_expr *x = q->fields[1].expr;
    CHECK(x->kind == IQL_E_BINARY && x->op == IQL_OP_ADD && x->l->op == IQL_OP_MUL && x->l->l->kind == IQL_E_CALL);
    CHECK(q->fields[2].expr->kind == IQL_E_IDENT && sl_is(q->fields[2].expr->cast, "tag"));
    CHECK(q->fields[3].expr->kind == IQL_E_WILDCARD && sl_is(q->fields[3].expr->cast, "field"));
    CHECK(q->fields[4].expr->kind == IQL_E_REGEX && sl_is(q->fields[4].expr->str, "us.*"));
    CHECK(q->has_into && sl_is(q->into.db, "db") && sl_is(q->into.rp, "rp") && sl_is(q->into.name, "down"));
    CHECK(s->nfrom == 2 && sl_is(s->from[0].db, "telegraf") && sl_is(s->from[0].name, "cpu") && s->from[1].regex);
    CHECK(s->where && s->where->op == IQL_OP_AND && s->where->l->op == IQL_OP_OR);
    CHECK(q->ndims == 4 && q->dims[0].kind == IQL_DIM_TIME && q->dims[0].interval == 60 * ST_NS_PER_S &&
          q->dims[0].offset == -10 * ST_NS_PER_S && q->dims[1].kind == IQL_DIM_TAG && q->dims[2].kind == IQL_DIM_REGEX &&
          q->dims[3].kind == IQL_DIM_ALL);
    CHECK(q->fill == IQL_FILL_VALUE && q->fill_value->num == -1.5 && q->desc);
    CHECK(s->limit == 10 && s->offset == 2 && q->slimit == 3 && q->soffset == 1 && sl_is(q->tz, "Europe/Paris"));
    /* DISTINCT both ways, count(*), a subquery, INTO :MEASUREMENT, integer literals */
    s = parse1("SELECT count(DISTINCT v), DISTINCT w, count(*) FROM (SELECT max(v) AS v FROM m GROUP BY time(1m)) "
               "WHERE v > 3");
    CHECK(s && s->sel->nfields == 3 && sl_is(s->sel->fields[0].expr->args[0]->str, "distinct") &&
          sl_is(s->sel->fields[1].expr->str, "distinct") && s->sel->fields[2].expr->args[0]->kind == IQL_E_WILDCARD);
    CHECK(s && s->nfrom == 1 && s->from[0].sub && s->from[0].sub->kind == IQL_SELECT &&
          sl_is(s->from[0].sub->text, "SELECT max(v) AS v FROM m GROUP BY time(1m)"));
    CHECK(s && s->where->r->is_int && s->where->r->ns == 3);
    s = parse1("SELECT * INTO \"db\".\"rp\".:MEASUREMENT FROM /.*/ GROUP BY time(5m, now()), *");
    CHECK(s && s->sel->into_backref && s->sel->dims[0].offset_now);
    s = parse1("SELECT a % 3 & 1 | 2 ^ b FROM m");
    /* & binds like *, | and ^ like +: ((a % 3) & 1) | 2) ^ b */
    CHECK(s && s->sel->fields[0].expr->op == IQL_OP_BXOR && s->sel->fields[0].expr->l->op == IQL_OP_BOR &&
          s->sel->fields[0].expr->l->l->op == IQL_OP_BAND);
    /* errors in InfluxDB's words */
    CHECK(strstr(err_of("SELECT v FROM m ORDER BY host"), "only ORDER BY time supported at this time"));
    CHECK(strstr(err_of("SELECT v FROM m GROUP BY time(x)"), "time dimension must have duration argument"));
    CHECK(strstr(err_of("SELECT v"), "expected FROM"));
    CHECK(strstr(err_of("SELECT mean(v FROM m"), "expected )"));
}

int main(void)
{
    A = st_arena_new(4096);
    RUN(test_databases);
    RUN(test_retention);
    RUN(test_show);
    RUN(test_deletes);
    RUN(test_several_and_unsupported);
    RUN(test_durations);
    RUN(test_hostile);
    RUN(test_select);
    RUN(test_users);
    RUN(test_grants);
    RUN(test_tokens);
    RUN(test_users_several);
    st_arena_free(A);
    return testlib_done("test_influxql_parse");
}
