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
                    "-- a comment\nSHOW USERS;; GRANT ALL ON db TO u";
    CHECK(iql_parse(q, strlen(q), A, &s, &n, &e) == 0);
    CHECK(n == 4);
    CHECK(n == 4 && s[1].kind == IQL_SELECT && s[2].kind == IQL_SHOW_USERS && s[3].kind == IQL_UNSUPPORTED);
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
    st_arena_free(A);
    return testlib_done("test_influxql_parse");
}
