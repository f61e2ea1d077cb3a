/* Tests for server/auth: passwords (bcrypt, the verified-credential cache
 * and what voids it), unknown users costing what known ones cost, API
 * tokens, throttling, the bound on concurrent checks, privileges, the
 * first admin from a file, and the counters /metrics shows. */
#include <pthread.h>
#include <time.h>
#include <unistd.h>

#include "auth.h"
#include "engine/tests/testlib.h"

static char *dir;

static cred basic(const char *u, const char *p)
{
    return (cred){.kind = CRED_BASIC, .user = st_slice_cstr(u), .secret = st_slice_cstr(p)};
}

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static users *us;

static auth *make(unsigned max_failures, unsigned max_hashes, size_t cache)
{
    auth *a = NULL;
    st_err e = {0};
    auth_opts o = {.enabled = true, .max_failures = max_failures, .max_hashes = max_hashes, .cache_entries = cache};
    CHECK_OK(auth_new(us, &o, &a, &e));
    return a;
}

static void add_user(const char *name, const char *pw, bool admin)
{
    char h[USERS_HASH_MAX + 1];
    st_err e = {0};
    CHECK_OK(auth_hash_password(pw, h, &e));
    CHECK(!strncmp(h, "$2b$10$", 7));
    CHECK_OK(users_create(us, name, h, admin, &e));
}

static uint64_t metric(auth *a, const char *line_prefix)
{
    st_buf b = {0};
    auth_metrics(a, &b);
    st_buf_putc(&b, 0);
    char want[300];
    snprintf(want, sizeof want, "\n%s", line_prefix);
    const char *p = strstr((const char *)b.p, want);
    uint64_t v = p ? strtoull(p + strlen(want), NULL, 10) : UINT64_MAX;
    st_buf_free(&b);
    return v;
}

static void test_passwords_and_cache(void)
{
    add_user("alice", "correct horse", false);
    auth *a = make(0, 0, 100);
    char who[USERS_NAME_MAX + 1];
    cred c = basic("alice", "correct horse");
    double t0 = now_s();
    CHECK_EQ_INT(auth_login(a, AUTH_FRONT_PROMETHEUS, &c, "10.0.0.1", who), AUTH_OK);
    double first = now_s() - t0;
    CHECK(!strcmp(who, "alice"));
    t0 = now_s();
    for (int i = 0; i < 100; i++) CHECK_EQ_INT(auth_login(a, AUTH_FRONT_PROMETHEUS, &c, "10.0.0.1", who), AUTH_OK);
    double hits = (now_s() - t0) / 100;
    CHECK_MSG(hits * 50 < first, "a cache hit (%.6f s) is not far below bcrypt (%.6f s)", hits, first);
    CHECK_EQ_INT(metric(a, "strata_auth_cache_hits_total "), 100);
    CHECK_EQ_INT(metric(a, "strata_auth_cache_misses_total "), 1);
    /* other forms of the same password share nothing with the cache's
     * misses: wrong ones are never cached */
    cred bad = basic("alice", "wrong");
    CHECK_EQ_INT(auth_login(a, AUTH_FRONT_INFLUX_V1, &bad, "10.0.0.1", who), AUTH_BAD_PASSWORD);
    CHECK_EQ_INT(auth_login(a, AUTH_FRONT_INFLUX_V1, &bad, "10.0.0.1", who), AUTH_BAD_PASSWORD);
    CHECK_EQ_INT(metric(a, "strata_auth_failures_total{family=\"influxdb_v1\",reason=\"bad_password\"} "), 2);
    cred params = {.kind = CRED_PARAMS, .user = st_slice_cstr("alice"), .secret = st_slice_cstr("correct horse")};
    CHECK_EQ_INT(auth_login(a, AUTH_FRONT_INFLUX_V1, &params, NULL, who), AUTH_OK);
    /* a new password voids the cached one */
    char h[USERS_HASH_MAX + 1];
    st_err e = {0};
    CHECK_OK(auth_hash_password("battery staple", h, &e));
    CHECK_OK(users_set_hash(us, "alice", h, &e));
    CHECK_EQ_INT(auth_login(a, AUTH_FRONT_PROMETHEUS, &c, NULL, who), AUTH_BAD_PASSWORD);
    cred c2 = basic("alice", "battery staple");
    CHECK_EQ_INT(auth_login(a, AUTH_FRONT_PROMETHEUS, &c2, NULL, who), AUTH_OK);
    CHECK_EQ_INT(auth_login(a, AUTH_FRONT_PROMETHEUS, &c2, NULL, who), AUTH_OK);
    /* dropped: the cache does not keep it alive */
    CHECK_OK(users_drop(us, "alice", false, &e));
    CHECK_EQ_INT(auth_login(a, AUTH_FRONT_PROMETHEUS, &c2, NULL, who), AUTH_UNKNOWN_USER);
    /* recreated with the same password: a fresh check, which passes */
    CHECK_OK(users_create(us, "alice", h, false, &e));
    CHECK_EQ_INT(auth_login(a, AUTH_FRONT_PROMETHEUS, &c2, NULL, who), AUTH_OK);
    auth_free(a);
}

static void test_unknown_user_costs_the_same(void)
{
    auth *a = make(0, 0, 0); /* no cache: every check is bcrypt */
    char who[USERS_NAME_MAX + 1];
    cred known = basic("alice", "nope"), unknown = basic("mallory", "nope");
    double tk = 0, tu = 0;
    for (int i = 0; i < 3; i++) {
        double t0 = now_s();
        CHECK_EQ_INT(auth_login(a, AUTH_FRONT_PROMETHEUS, &known, NULL, who), AUTH_BAD_PASSWORD);
        double t1 = now_s();
        CHECK_EQ_INT(auth_login(a, AUTH_FRONT_PROMETHEUS, &unknown, NULL, who), AUTH_UNKNOWN_USER);
        tu += now_s() - t1;
        tk += t1 - t0;
    }
    CHECK_MSG(tu > tk / 2 && tu < tk * 2, "unknown user %.3f s against known %.3f s", tu, tk);
    /* a password past bcrypt's 72 bytes never matches, even when its first
     * 72 are the password */
    char pw[80], h[USERS_HASH_MAX + 1];
    memset(pw, 'x', 72);
    pw[72] = 0;
    st_err e = {0};
    CHECK_OK(auth_hash_password(pw, h, &e));
    CHECK_OK(users_create(us, "long", h, false, &e));
    memcpy(pw + 72, "yyyy", 5);
    cred lc = basic("long", pw);
    CHECK_EQ_INT(auth_login(a, AUTH_FRONT_PROMETHEUS, &lc, NULL, who), AUTH_BAD_PASSWORD);
    CHECK(auth_hash_password(pw, h, &e) == ST_EINVAL && strstr(e.msg, "72"));
    CHECK(auth_hash_password("", h, &e) == ST_EINVAL);
    auth_free(a);
}

static void test_tokens(void)
{
    auth *a = make(0, 0, 100);
    char secret[72], id[USERS_TOKEN_ID_LEN + 1], who[USERS_NAME_MAX + 1];
    st_err e = {0};
    CHECK_OK(auth_token_create(a, "alice", secret, id, &e));
    CHECK(!strncmp(secret, "strata_", 7) && strlen(secret) == 71);
    CHECK(auth_token_create(a, "ghost", secret + 0, id, &e) == ST_ENOTFOUND);
    CHECK_OK(auth_token_create(a, "alice", secret, id, &e));
    cred t = {.kind = CRED_TOKEN, .secret = st_slice_cstr(secret)};
    CHECK_EQ_INT(auth_login(a, AUTH_FRONT_INFLUX_V2, &t, NULL, who), AUTH_OK);
    CHECK(!strcmp(who, "alice"));
    cred b = {.kind = CRED_BEARER, .secret = st_slice_cstr(secret)};
    CHECK_EQ_INT(auth_login(a, AUTH_FRONT_REMOTE, &b, NULL, who), AUTH_OK);
    secret[10] ^= 1;
    CHECK_EQ_INT(auth_login(a, AUTH_FRONT_REMOTE, &b, NULL, who), AUTH_BAD_TOKEN);
    secret[10] ^= 1;
    CHECK_OK(users_token_drop(us, id, &e));
    CHECK_EQ_INT(auth_login(a, AUTH_FRONT_REMOTE, &b, NULL, who), AUTH_BAD_TOKEN);
    cred none = {0};
    CHECK_EQ_INT(auth_login(a, AUTH_FRONT_REMOTE, &none, NULL, who), AUTH_MISSING);
    cred sig = {.kind = CRED_SIGV4, .user = st_slice_cstr("alice")};
    CHECK_EQ_INT(auth_login(a, AUTH_FRONT_REMOTE, &sig, NULL, who), AUTH_MALFORMED); /* needs the request */
    auth_free(a);
}

static void test_throttling(void)
{
    auth *a = make(3, 0, 100);
    char who[USERS_NAME_MAX + 1];
    cred good = basic("alice", "battery staple"), bad = basic("alice", "guess"), none = {0};
    for (int i = 0; i < 5; i++) /* missing credentials are not failed logins */
        CHECK_EQ_INT(auth_login(a, AUTH_FRONT_PROMETHEUS, &none, "192.0.2.7", who), AUTH_MISSING);
    CHECK_EQ_INT(auth_login(a, AUTH_FRONT_PROMETHEUS, &good, "192.0.2.7", who), AUTH_OK);
    for (int i = 0; i < 3; i++)
        CHECK_EQ_INT(auth_login(a, AUTH_FRONT_PROMETHEUS, &bad, "192.0.2.7", who), AUTH_BAD_PASSWORD);
    /* the address is refused without a hash, even a right password not
     * verified before; one verified before (cached) still passes, so a
     * guesser does not lock out the clients sharing its address; tokens
     * are not throttled; another address is not */
    char pw72[73];
    memset(pw72, 'x', 72);
    pw72[72] = 0;
    cred uncached = basic("long", pw72);
    double t0 = now_s();
    CHECK_EQ_INT(auth_login(a, AUTH_FRONT_PROMETHEUS, &bad, "192.0.2.7", who), AUTH_THROTTLED);
    CHECK_EQ_INT(auth_login(a, AUTH_FRONT_PROMETHEUS, &uncached, "192.0.2.7", who), AUTH_THROTTLED);
    CHECK(now_s() - t0 < 0.02);
    CHECK_EQ_INT(auth_login(a, AUTH_FRONT_PROMETHEUS, &good, "192.0.2.7", who), AUTH_OK);
    char secret[72], id[USERS_TOKEN_ID_LEN + 1];
    st_err e = {0};
    CHECK_OK(auth_token_create(a, "alice", secret, id, &e));
    cred tok = {.kind = CRED_BEARER, .secret = st_slice_cstr(secret)};
    CHECK_EQ_INT(auth_login(a, AUTH_FRONT_PROMETHEUS, &tok, "192.0.2.7", who), AUTH_OK);
    CHECK_EQ_INT(auth_login(a, AUTH_FRONT_PROMETHEUS, &uncached, "192.0.2.8", who), AUTH_OK);
    CHECK_EQ_INT(metric(a, "strata_auth_throttled_total "), 2);
    /* IPv6: a /64 is one unit; another /64 is another */
    for (int i = 0; i < 3; i++) {
        char peer[64];
        snprintf(peer, sizeof peer, "2001:db8:1:2::%x", i + 1);
        CHECK_EQ_INT(auth_login(a, AUTH_FRONT_PROMETHEUS, &bad, peer, who), AUTH_BAD_PASSWORD);
    }
    CHECK_EQ_INT(auth_login(a, AUTH_FRONT_PROMETHEUS, &bad, "2001:db8:1:2:ffff::9", who), AUTH_THROTTLED);
    CHECK_EQ_INT(auth_login(a, AUTH_FRONT_PROMETHEUS, &uncached, "2001:db8:1:3::1", who), AUTH_OK);
    /* many other addresses failing cannot free a blocked one */
    for (int i = 0; i < 3000; i++) {
        char peer[64];
        snprintf(peer, sizeof peer, "10.%d.%d.1", i / 250, i % 250);
        auth_failed(a, AUTH_FRONT_PROMETHEUS, AUTH_BAD_PASSWORD, peer);
    }
    CHECK_EQ_INT(auth_login(a, AUTH_FRONT_PROMETHEUS, &bad, "192.0.2.7", who), AUTH_THROTTLED);
    auth_free(a);
}

typedef struct busy_arg {
    auth *a;
    int busy, bad;
} busy_arg;

static void *guesser(void *arg)
{
    busy_arg *b = arg;
    char who[USERS_NAME_MAX + 1];
    cred c = basic("alice", "wrong guess");
    auth_reason r = auth_login(b->a, AUTH_FRONT_PROMETHEUS, &c, NULL, who);
    __atomic_add_fetch(r == AUTH_BUSY ? &b->busy : &b->bad, 1, __ATOMIC_RELAXED);
    return NULL;
}

static void test_bounded_hashing(void)
{
    /* one check at a time, 40 callers of ~60 ms each: those waiting past a
     * second are told to come back */
    busy_arg b = {.a = make(0, 1, 0)};
    pthread_t th[40];
    for (int i = 0; i < 40; i++) pthread_create(&th[i], NULL, guesser, &b);
    for (int i = 0; i < 40; i++) pthread_join(th[i], NULL);
    CHECK_MSG(b.busy > 0 && b.bad > 0 && b.busy + b.bad == 40, "busy %d, refused %d", b.busy, b.bad);
    CHECK_EQ_INT(metric(b.a, "strata_auth_failures_total{family=\"prometheus\",reason=\"busy\"} "), (uint64_t)b.busy);
    auth_free(b.a);
}

static void test_privileges(void)
{
    auth *a = make(0, 0, 10);
    st_err e = {0};
    add_user("root", "rootpw", true);
    CHECK_OK(users_grant(us, "alice", "dba", USERS_READ, false, &e));
    CHECK(auth_may(a, AUTH_FRONT_SQL, "alice", "dba", AUTH_READ));
    CHECK(!auth_may(a, AUTH_FRONT_SQL, "alice", "dba", AUTH_WRITE));
    CHECK(!auth_may(a, AUTH_FRONT_SQL, "alice", "dbb", AUTH_READ));
    CHECK(!auth_may(a, AUTH_FRONT_SQL, "alice", "", AUTH_ADMIN));
    CHECK(auth_may(a, AUTH_FRONT_SQL, "root", "anything", AUTH_WRITE));
    CHECK(auth_may(a, AUTH_FRONT_SQL, "root", "", AUTH_ADMIN));
    CHECK(!auth_may(a, AUTH_FRONT_SQL, "ghost", "dba", AUTH_READ));
    CHECK_EQ_INT(metric(a, "strata_auth_denied_total{family=\"sql\",privilege=\"read\"} "), 2);
    CHECK_EQ_INT(metric(a, "strata_auth_denied_total{family=\"sql\",privilege=\"write\"} "), 1);
    CHECK_EQ_INT(metric(a, "strata_auth_denied_total{family=\"sql\",privilege=\"admin\"} "), 1);
    /* no user name ever in the metrics */
    st_buf b = {0};
    auth_metrics(a, &b);
    st_buf_putc(&b, 0);
    CHECK(!strstr((const char *)b.p, "alice") && !strstr((const char *)b.p, "root"));
    st_buf_free(&b);
    auth_free(a);
}

static void write_file(const char *path, const char *text)
{
    FILE *fp = fopen(path, "w");
    fputs(text, fp);
    fclose(fp);
}

static void test_bootstrap_admin(void)
{
    auth *a = make(0, 0, 10);
    char pf[4200], who[USERS_NAME_MAX + 1];
    snprintf(pf, sizeof pf, "%s/pw", dir);
    st_err e = {0};
    bool created;
    write_file(pf, "s3cret!\n");
    CHECK_OK(auth_bootstrap_admin(a, "boss", pf, &created, &e));
    CHECK(created && users_is_admin(us, "boss"));
    cred c = basic("boss", "s3cret!");
    CHECK_EQ_INT(auth_login(a, AUTH_FRONT_PROMETHEUS, &c, NULL, who), AUTH_OK);
    /* an existing user is never changed */
    write_file(pf, "other\n");
    CHECK_OK(auth_bootstrap_admin(a, "boss", pf, &created, &e));
    CHECK(!created);
    CHECK_EQ_INT(auth_login(a, AUTH_FRONT_PROMETHEUS, &c, NULL, who), AUTH_OK);
    /* a bcrypt hash is kept as it is */
    char h[USERS_HASH_MAX + 1], line[USERS_HASH_MAX + 8];
    CHECK_OK(auth_hash_password("hashed pw", h, &e));
    snprintf(line, sizeof line, "%s\n", h);
    write_file(pf, line);
    CHECK_OK(auth_bootstrap_admin(a, "boss2", pf, &created, &e));
    cred c2 = basic("boss2", "hashed pw");
    CHECK_EQ_INT(auth_login(a, AUTH_FRONT_PROMETHEUS, &c2, NULL, who), AUTH_OK);
    write_file(pf, "\n");
    CHECK(auth_bootstrap_admin(a, "boss3", pf, &created, &e) == ST_EINVAL && strstr(e.msg, "empty"));
    CHECK(auth_bootstrap_admin(a, "boss3", "/nonexistent/pw", &created, &e) == ST_EINVAL);
    CHECK_EQ_INT(users_gen(us, "boss3"), 0);
    auth_free(a);
}

int main(void)
{
    dir = testlib_tmpdir("auth");
    st_err e = {0};
    if (users_open(vfs_posix(), dir, &us, &e)) {
        fprintf(stderr, "%s\n", e.msg);
        return 1;
    }
    RUN(test_passwords_and_cache);
    RUN(test_unknown_user_costs_the_same);
    RUN(test_tokens);
    RUN(test_throttling);
    RUN(test_bounded_hashing);
    RUN(test_privileges);
    RUN(test_bootstrap_admin);
    users_close(us);
    char cmd[4200];
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    if (system(cmd)) return 1;
    return testlib_done("test_auth");
}
