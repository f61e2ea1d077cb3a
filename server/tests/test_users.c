/* Tests for server/users: the users file (written before a change is
 * answered, read back whole, refused when damaged), grants, tokens and
 * generations. */
#include <errno.h>
#include <pthread.h>
#include <sys/stat.h>
#include <unistd.h>

#include "users.h"
#include "engine/tests/testlib.h"

static char *dir;

static users *open_users(void)
{
    users *u = NULL;
    st_err e = {0};
    int rc = users_open(vfs_posix(), dir, &u, &e);
    CHECK_MSG(rc == 0, "%s", e.msg);
    return u;
}

static void test_empty_and_create(void)
{
    users *u = open_users();
    st_err e = {0};
    CHECK_EQ_INT(users_count(u), 0);
    CHECK(!users_any_admin(u));
    CHECK_OK(users_create(u, "admin", "$2b$10$abcdefghijklmnopqrstuv", true, &e));
    CHECK_OK(users_create(u, "with space%and\xc3\xa9", "$2b$10$x", false, &e));
    CHECK(users_create(u, "admin", "$2b$10$y", false, &e) == ST_EEXIST && strstr(e.msg, "already exists"));
    CHECK(users_create(u, "", "$2b$10$y", false, &e) == ST_EINVAL);
    CHECK(users_create(u, "tab\tname", "$2b$10$y", false, &e) == ST_EINVAL);
    char longname[70];
    memset(longname, 'a', 65);
    longname[65] = 0;
    CHECK(users_create(u, longname, "$2b$10$y", false, &e) == ST_EINVAL);
    CHECK(users_create(u, "x", "has space", false, &e) == ST_EINVAL);
    CHECK_EQ_INT(users_count(u), 2);
    CHECK(users_any_admin(u));
    users_login li;
    CHECK_OK(users_get(u, "admin", &li));
    CHECK(li.admin && !strcmp(li.hash, "$2b$10$abcdefghijklmnopqrstuv") && li.gen > 0);
    CHECK(users_get(u, "nobody", &li) == ST_ENOTFOUND);
    CHECK_EQ_INT(users_gen(u, "nobody"), 0);
    users_close(u);

    /* read back */
    u = open_users();
    CHECK_EQ_INT(users_count(u), 2);
    char path[4200];
    snprintf(path, sizeof path, "%s/users", dir);
    struct stat sb;
    CHECK(stat(path, &sb) == 0 && (sb.st_mode & 0777) == 0600); /* hashes: the owner's only */
    CHECK_OK(users_get(u, "with space%and\xc3\xa9", &li));
    CHECK(!li.admin && !strcmp(li.hash, "$2b$10$x"));
    CHECK(users_is_admin(u, "admin"));
    users_close(u);
}

static void test_grants(void)
{
    users *u = open_users();
    st_err e = {0};
    CHECK_OK(users_create(u, "bob", "$2b$10$b", false, &e));
    CHECK_EQ_INT(users_privs(u, "bob", "dba"), 0);
    CHECK_OK(users_grant(u, "bob", "dba", USERS_READ, false, &e));
    CHECK_OK(users_grant(u, "bob", "future_db", USERS_WRITE, false, &e)); /* not created yet: allowed */
    CHECK_EQ_INT(users_privs(u, "bob", "dba"), USERS_READ);
    CHECK_EQ_INT(users_privs(u, "bob", "dbb"), 0);
    CHECK_OK(users_grant(u, "bob", "dba", USERS_WRITE, false, &e));
    CHECK_EQ_INT(users_privs(u, "bob", "dba"), USERS_ALL);
    CHECK_OK(users_grant(u, "bob", "dba", USERS_READ, true, &e)); /* revoke READ, keep WRITE */
    CHECK_EQ_INT(users_privs(u, "bob", "dba"), USERS_WRITE);
    CHECK_OK(users_grant(u, "bob", "nothing_here", USERS_ALL, true, &e)); /* revoking none: fine */
    CHECK(users_grant(u, "bob", "../etc", USERS_READ, false, &e) == ST_EINVAL);
    CHECK(users_grant(u, "ghost", "dba", USERS_READ, false, &e) == ST_ENOTFOUND && strstr(e.msg, "user not found"));
    CHECK_EQ_INT(users_privs(u, "admin", "anything"), USERS_ALL); /* admins have every privilege */
    CHECK_EQ_INT(users_privs(u, "ghost", "dba"), 0);
    users_close(u);
    u = open_users();
    CHECK_EQ_INT(users_privs(u, "bob", "dba"), USERS_WRITE);
    CHECK_EQ_INT(users_privs(u, "bob", "future_db"), USERS_WRITE);
    CHECK_OK(users_grant(u, "bob", "dba", USERS_WRITE, true, &e));
    CHECK_EQ_INT(users_privs(u, "bob", "dba"), 0);
    CHECK_OK(users_set_admin(u, "bob", true, true, &e));
    CHECK_EQ_INT(users_privs(u, "bob", "zzz"), USERS_ALL);
    CHECK_OK(users_set_admin(u, "bob", false, true, &e));
    /* the last admin stays one, when asked to keep one */
    CHECK(users_set_admin(u, "admin", false, true, &e) == ST_EINVAL && strstr(e.msg, "last admin"));
    CHECK(users_drop(u, "admin", true, &e) == ST_EINVAL && strstr(e.msg, "last admin"));
    CHECK(users_is_admin(u, "admin"));
    CHECK_OK(users_set_admin(u, "bob", true, true, &e));
    CHECK_OK(users_set_admin(u, "admin", false, true, &e)); /* bob is one */
    CHECK_OK(users_set_admin(u, "admin", true, true, &e));
    CHECK_OK(users_set_admin(u, "bob", false, true, &e));
    CHECK_EQ_INT(users_privs(u, "bob", "zzz"), 0);
    users_close(u);
}

typedef struct tok {
    int n;
    char id[USERS_TOKEN_ID_LEN + 1];
} tok;

static void on_tok(void *ctx, const char *user, const char *id, int64_t created_ms)
{
    tok *t = ctx;
    t->n++;
    snprintf(t->id, sizeof t->id, "%s", id);
    CHECK(!strcmp(user, "bob") && created_ms > 0);
}

static void test_tokens_and_generations(void)
{
    users *u = open_users();
    st_err e = {0};
    uint8_t d1[32], d2[32];
    memset(d1, 7, 32);
    memset(d2, 9, 32);
    char id[USERS_TOKEN_ID_LEN + 1], name[USERS_NAME_MAX + 1];
    uint64_t g0 = users_gen(u, "bob"), g;
    CHECK(g0 > 0);
    CHECK_OK(users_token_add(u, "bob", d1, id, &e));
    CHECK_EQ_INT(strlen(id), USERS_TOKEN_ID_LEN);
    CHECK_OK(users_token_owner(u, d1, name, &g));
    CHECK(!strcmp(name, "bob") && g == g0);
    CHECK(users_token_owner(u, d2, name, &g) == ST_ENOTFOUND);
    CHECK(users_token_add(u, "ghost", d2, id, &e) == ST_ENOTFOUND);
    users_close(u);
    u = open_users();
    tok t = {0};
    users_tokens(u, "bob", on_tok, &t);
    CHECK_EQ_INT(t.n, 1);
    CHECK_OK(users_token_owner(u, d1, name, &g));
    /* a new password, a dropped token: a new generation each */
    uint64_t before = users_gen(u, "bob");
    CHECK_OK(users_set_hash(u, "bob", "$2b$10$new", &e));
    uint64_t after = users_gen(u, "bob");
    CHECK(after != before);
    CHECK(users_token_drop(u, "0000000000000000", &e) == ST_ENOTFOUND);
    CHECK_OK(users_token_drop(u, t.id, &e));
    CHECK(users_gen(u, "bob") != after);
    CHECK(users_token_owner(u, d1, name, &g) == ST_ENOTFOUND);
    /* dropped and created again: never the old generation */
    uint64_t old = users_gen(u, "bob");
    CHECK_OK(users_drop(u, "bob", true, &e));
    CHECK_EQ_INT(users_gen(u, "bob"), 0);
    CHECK(users_drop(u, "bob", true, &e) == ST_ENOTFOUND);
    CHECK_OK(users_create(u, "bob", "$2b$10$again", false, &e));
    CHECK(users_gen(u, "bob") != old && users_gen(u, "bob") != 0);
    CHECK_EQ_INT(users_privs(u, "bob", "future_db"), 0); /* grants went with the user */
    users_close(u);
}

static void rewrite(const char *path, void (*edit)(char *buf, size_t *n))
{
    FILE *fp = fopen(path, "rb");
    char buf[8192];
    size_t n = fread(buf, 1, sizeof buf, fp);
    fclose(fp);
    edit(buf, &n);
    fp = fopen(path, "wb");
    fwrite(buf, 1, n, fp);
    fclose(fp);
}

static void flip(char *buf, size_t *n) { buf[*n / 2] ^= 1; }
static void cut(char *buf, size_t *n) { (void)buf, *n -= 20; }

static void test_damaged_file(void)
{
    char path[4200], keep[4200];
    snprintf(path, sizeof path, "%s/users", dir);
    snprintf(keep, sizeof keep, "%s/users.keep", dir);
    char cmd[9000];
    snprintf(cmd, sizeof cmd, "cp %s %s", path, keep);
    CHECK(system(cmd) == 0);
    void (*edits[])(char *, size_t *) = {flip, cut};
    for (size_t i = 0; i < 2; i++) {
        rewrite(path, edits[i]);
        users *u = NULL;
        st_err e = {0};
        CHECK(users_open(vfs_posix(), dir, &u, &e) == ST_ECORRUPT);
        CHECK(strstr(e.msg, "users file") != NULL && strstr(e.msg, dir) != NULL);
        snprintf(cmd, sizeof cmd, "cp %s %s", keep, path);
        CHECK(system(cmd) == 0);
    }
    users *u = open_users();
    CHECK_EQ_INT(users_count(u), 3);
    users_close(u);
}

static void test_failed_write_keeps_state(void)
{
    users *u = open_users();
    st_err e = {0};
    char tmp[4200];
    snprintf(tmp, sizeof tmp, "%s/users.tmp", dir);
    CHECK(mkdir(tmp, 0700) == 0); /* the atomic write's temporary cannot be created */
    CHECK(users_create(u, "carol", "$2b$10$c", false, &e) == ST_EIO);
    CHECK(users_grant(u, "bob", "dbz", USERS_READ, false, &e) == ST_EIO);
    CHECK_EQ_INT(users_gen(u, "carol"), 0);
    CHECK_EQ_INT(users_privs(u, "bob", "dbz"), 0);
    CHECK(rmdir(tmp) == 0);
    CHECK_OK(users_create(u, "carol", "$2b$10$c", false, &e));
    users_close(u);
}

typedef struct race {
    users *u;
    int bad;
} race;

static void *reader(void *arg)
{
    race *r = arg;
    for (int i = 0; i < 20000; i++) {
        unsigned p = users_privs(r->u, "bob", "dbr");
        if (p != 0 && p != USERS_READ) r->bad++;
    }
    return NULL;
}

static void test_concurrent_readers(void)
{
    race r = {.u = open_users()};
    pthread_t th[2];
    for (int i = 0; i < 2; i++) pthread_create(&th[i], NULL, reader, &r);
    st_err e = {0};
    for (int i = 0; i < 20; i++) {
        CHECK_OK(users_grant(r.u, "bob", "dbr", USERS_READ, i % 2, &e));
    }
    for (int i = 0; i < 2; i++) pthread_join(th[i], NULL);
    CHECK_EQ_INT(r.bad, 0);
    users_close(r.u);
}

/* The file is read through the vfs users_open was given (the store's, in
 * the server), never around it. */
static int g_opens, g_preads, g_pread_err;
static int counting_open(const vfs *v, const char *path, int flags, int mode)
{
    (void)v;
    g_opens++;
    return vfs_posix()->open(vfs_posix(), path, flags, mode);
}
static ssize_t counting_pread(const vfs *v, int fd, void *buf, size_t n, off_t off)
{
    (void)v;
    g_preads++;
    if (g_pread_err) return -g_pread_err;
    return vfs_posix()->pread(vfs_posix(), fd, buf, n, off);
}

static void test_load_through_vfs(void)
{
    vfs cv = *vfs_posix();
    cv.open = counting_open;
    cv.pread = counting_pread;
    users *u = NULL;
    st_err e = {0};
    g_opens = g_preads = 0;
    CHECK_OK(users_open(&cv, dir, &u, &e));
    CHECK_EQ_INT(g_opens, 1);
    CHECK(g_preads >= 2); /* the contents, then end of file */
    CHECK(users_count(u) > 0);
    users_close(u);
    g_pread_err = EIO;
    u = NULL;
    CHECK_EQ_INT(users_open(&cv, dir, &u, &e), ST_EIO);
    CHECK(u == NULL);
    g_pread_err = 0;
}

int main(void)
{
    dir = testlib_tmpdir("users");
    RUN(test_empty_and_create);
    RUN(test_grants);
    RUN(test_tokens_and_generations);
    RUN(test_damaged_file);
    RUN(test_failed_write_keeps_state);
    RUN(test_concurrent_readers);
    RUN(test_load_through_vfs);
    char cmd[4200];
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    if (system(cmd)) return 1;
    return testlib_done("test_users");
}
