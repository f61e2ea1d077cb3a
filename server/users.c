/* users: the users file and the table in memory (see users.h). */
#include "users.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>
#include <unistd.h>

#include "bits.h"
#include "catalog.h"

typedef struct user_token {
    char id[USERS_TOKEN_ID_LEN + 1];
    uint8_t digest[32];
    int64_t created_ms;
} user_token;

typedef struct user_rec {
    char name[USERS_NAME_MAX + 1];
    char hash[USERS_HASH_MAX + 1];
    bool admin;
    uint64_t gen;
    users_db_grant *grants;
    size_t ngrants;
    user_token *tokens;
    size_t ntokens;
    char key[USERS_KEY_MAX + 1]; /* SigV4 secret; "" = none */
} user_rec;

/* One version of the table: users sorted by name. Replaced whole. */
typedef struct table {
    user_rec *recs;
    size_t n;
} table;

struct users {
    const vfs *v;
    char *dir;
    pthread_rwlock_t lock;
    pthread_mutex_t change; /* one change at a time, writes included */
    table t;
    uint64_t next_gen;
};

static const char FILE_NAME[] = "users";

/* ------------------------------------------------------------- tables */

static void table_free(table *t)
{
    for (size_t i = 0; i < t->n; i++) {
        explicit_bzero(t->recs[i].hash, sizeof t->recs[i].hash); /* secrets never linger in freed memory */
        explicit_bzero(t->recs[i].key, sizeof t->recs[i].key);
        st_free(t->recs[i].grants);
        st_free(t->recs[i].tokens);
    }
    st_free(t->recs);
    *t = (table){0};
}

static int table_copy(const table *src, table *dst)
{
    dst->n = src->n;
    dst->recs = st_calloc(src->n + 1, sizeof *dst->recs);
    for (size_t i = 0; i < src->n; i++) {
        user_rec *d = &dst->recs[i];
        *d = src->recs[i];
        d->grants = st_malloc((d->ngrants + 1) * sizeof *d->grants);
        if (d->ngrants) memcpy(d->grants, src->recs[i].grants, d->ngrants * sizeof *d->grants);
        d->tokens = st_malloc((d->ntokens + 1) * sizeof *d->tokens);
        if (d->ntokens) memcpy(d->tokens, src->recs[i].tokens, d->ntokens * sizeof *d->tokens);
    }
    return 0;
}

/* index of name, or -(insertion point) - 1 */
static long find(const table *t, const char *name)
{
    size_t lo = 0, hi = t->n;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        int c = strcmp(t->recs[mid].name, name);
        if (!c) return (long)mid;
        if (c < 0) lo = mid + 1;
        else hi = mid;
    }
    return -(long)lo - 1;
}

/* Moves to a new array rather than realloc, so that no copy of a hash or
 * key is left in freed memory unwiped. */
static user_rec *insert_at(table *t, size_t at)
{
    user_rec *n = st_calloc(t->n + 2, sizeof *n);
    if (t->n) {
        memcpy(n, t->recs, at * sizeof *n);
        memcpy(n + at + 1, t->recs + at, (t->n - at) * sizeof *n);
        explicit_bzero(t->recs, t->n * sizeof *t->recs);
    }
    st_free(t->recs);
    t->recs = n;
    t->n++;
    return &t->recs[at];
}

/* Whether a user other than recs[at] is an admin. */
static bool other_admin(const table *t, long at)
{
    for (size_t i = 0; i < t->n; i++)
        if ((long)i != at && t->recs[i].admin) return true;
    return false;
}

/* ---------------------------------------------------------- the file */

static void put_name(st_buf *b, const char *s)
{
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        if (c <= ' ' || c == '%' || c == 0x7f) st_buf_printf(b, "%%%02x", c);
        else st_buf_putc(b, (char)c);
    }
}

static int get_name(const char *s, size_t n, char *out, size_t cap)
{
    size_t o = 0;
    for (size_t i = 0; i < n; i++) {
        unsigned c = (unsigned char)s[i];
        if (c == '%') {
            if (i + 2 >= n) return -1;
            char hx[3] = {s[i + 1], s[i + 2], 0};
            char *end;
            c = (unsigned)strtoul(hx, &end, 16);
            if (end != hx + 2) return -1;
            i += 2;
        }
        if (o + 1 >= cap) return -1;
        out[o++] = (char)c;
    }
    out[o] = 0;
    return o ? 0 : -1;
}

static void serialize(const table *t, st_buf *b)
{
    st_buf_printf(b, "strata-users 1\n");
    for (size_t i = 0; i < t->n; i++) {
        const user_rec *r = &t->recs[i];
        st_buf_put(b, "u ", 2);
        put_name(b, r->name);
        st_buf_printf(b, " %d %s\n", r->admin, r->hash);
        for (size_t g = 0; g < r->ngrants; g++) {
            st_buf_put(b, "g ", 2);
            put_name(b, r->name);
            st_buf_printf(b, " %s %u\n", r->grants[g].db, r->grants[g].privs);
        }
        for (size_t k = 0; k < r->ntokens; k++) {
            st_buf_put(b, "t ", 2);
            put_name(b, r->name);
            st_buf_printf(b, " %s ", r->tokens[k].id);
            for (int j = 0; j < 32; j++) st_buf_printf(b, "%02x", r->tokens[k].digest[j]);
            st_buf_printf(b, " %lld\n", (long long)r->tokens[k].created_ms);
        }
        if (r->key[0]) {
            st_buf_put(b, "k ", 2);
            put_name(b, r->name);
            st_buf_printf(b, " %s\n", r->key);
        }
    }
    st_buf_printf(b, "crc %08x\n", crc32c(0, b->p, b->len));
}

static bool hash_ok(const char *h)
{
    size_t n = strlen(h);
    if (!n || n > USERS_HASH_MAX) return false;
    for (size_t i = 0; i < n; i++)
        if ((unsigned char)h[i] <= ' ' || h[i] == 0x7f) return false;
    return true;
}

/* Splits line into at most max space-separated fields. */
static size_t fields(char *line, char **f, size_t max)
{
    size_t n = 0;
    for (char *p = line; *p && n < max;) {
        while (*p == ' ') p++;
        if (!*p) break;
        f[n++] = p;
        while (*p && *p != ' ') p++;
        if (*p) *p++ = 0;
    }
    return n;
}

static int parse_file(char *text, size_t len, table *t, uint64_t *gen, st_err *e)
{
    const char *crcline = NULL;
    for (size_t i = len; i-- > 0;)
        if (i + 5 <= len && !strncmp(text + i, "\ncrc ", 5)) {
            crcline = text + i + 1;
            break;
        }
    if (!crcline || len < 15 || strncmp(text, "strata-users 1\n", 15))
        return st_fail(e, ST_ECORRUPT, "users file: not a Strata users file, or cut short");
    size_t body = (size_t)(crcline - text);
    unsigned want;
    if (len - body != 13 || sscanf(crcline, "crc %8x", &want) != 1 || crc32c(0, text, body) != want)
        return st_fail(e, ST_ECORRUPT, "users file: checksum mismatch (edited or damaged)");
    text[body] = 0;
    char *save = NULL;
    int lineno = 1;
    strtok_r(text, "\n", &save); /* the header */
    for (char *line; (line = strtok_r(NULL, "\n", &save));) {
        lineno++;
        char *f[6];
        size_t nf = fields(line, f, 6);
        char name[USERS_NAME_MAX + 1];
        if (nf < 2 || strlen(f[0]) != 1 || get_name(f[1], strlen(f[1]), name, sizeof name))
            return st_fail(e, ST_ECORRUPT, "users file: line %d is malformed", lineno);
        long at = find(t, name);
        if (f[0][0] == 'u' && nf == 4 && at < 0 && hash_ok(f[3]) && strlen(f[3]) <= USERS_HASH_MAX) {
            user_rec *r = insert_at(t, (size_t)(-at - 1));
            snprintf(r->name, sizeof r->name, "%s", name);
            snprintf(r->hash, sizeof r->hash, "%s", f[3]);
            r->admin = f[2][0] == '1';
            r->gen = ++*gen;
            continue;
        }
        if (at < 0) return st_fail(e, ST_ECORRUPT, "users file: line %d is malformed", lineno);
        user_rec *r = &t->recs[at];
        st_err ne = {0};
        if (f[0][0] == 'g' && nf == 4 && !catalog_name_valid(f[2], strlen(f[2]), &ne) && strlen(f[3]) == 1 &&
            f[3][0] >= '1' && f[3][0] <= '3') {
            r->grants = st_realloc(r->grants, (r->ngrants + 1) * sizeof *r->grants);
            users_db_grant *g = &r->grants[r->ngrants++];
            snprintf(g->db, sizeof g->db, "%s", f[2]);
            g->privs = (unsigned)(f[3][0] - '0');
            continue;
        }
        if (f[0][0] == 't' && nf == 5 && strlen(f[2]) == USERS_TOKEN_ID_LEN && strlen(f[3]) == 64) {
            r->tokens = st_realloc(r->tokens, (r->ntokens + 1) * sizeof *r->tokens);
            user_token *k = &r->tokens[r->ntokens++];
            memcpy(k->id, f[2], USERS_TOKEN_ID_LEN + 1);
            for (int j = 0; j < 32; j++) {
                char hx[3] = {f[3][2 * j], f[3][2 * j + 1], 0};
                k->digest[j] = (uint8_t)strtoul(hx, NULL, 16);
            }
            k->created_ms = strtoll(f[4], NULL, 10);
            continue;
        }
        if (f[0][0] == 'k' && nf == 3 && hash_ok(f[2]) && strlen(f[2]) <= USERS_KEY_MAX) {
            snprintf(r->key, sizeof r->key, "%s", f[2]);
            continue;
        }
        return st_fail(e, ST_ECORRUPT, "users file: line %d is malformed", lineno);
    }
    return 0;
}

static int load(users *u, st_err *e)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", u->dir, FILE_NAME);
    int fd = u->v->open(u->v, path, O_RDONLY, 0);
    if (fd < 0) {
        if (fd == -ENOENT) return 0;
        return st_fail(e, ST_EIO, "cannot read %s: %s", path, strerror(-fd));
    }
    /* in chunks to end of file: it has no size bound to check first */
    st_buf b = {0};
    char chunk[8192];
    off_t off = 0;
    ssize_t got;
    while ((got = u->v->pread(u->v, fd, chunk, sizeof chunk, off)) != 0) {
        if (got == -EINTR) continue;
        if (got < 0) break;
        st_buf_put(&b, chunk, (size_t)got);
        off += got;
    }
    u->v->close(u->v, fd);
    if (got < 0) {
        st_buf_free(&b);
        return st_fail(e, ST_EIO, "cannot read %s", path);
    }
    st_buf_putc(&b, 0);
    int rc = parse_file((char *)b.p, b.len - 1, &u->t, &u->next_gen, e);
    explicit_bzero(b.p, b.len); /* hashes and keys */
    st_buf_free(&b);
    if (rc) {
        size_t l = strlen(e->msg);
        if (l + 8 < sizeof e->msg) snprintf(e->msg + l, sizeof e->msg - l, " (%.*s)", (int)(sizeof e->msg - l - 4), path);
        table_free(&u->t);
    }
    return rc;
}

/* Writes t and makes it the table. Called with u->change held. */
static int commit(users *u, table *t, st_err *e)
{
    st_buf b = {0};
    serialize(t, &b);
    int rc = vfs_write_file_atomic(u->v, u->dir, FILE_NAME, b.p, b.len, 0600); /* it holds hashes */
    /* the file holds hashes: wipe the copy */
    explicit_bzero(b.p, b.len);
    st_buf_free(&b);
    if (rc) {
        table_free(t);
        return st_fail(e, ST_EIO, "cannot write the users file in %s: %s", u->dir, strerror(-rc));
    }
    pthread_rwlock_wrlock(&u->lock);
    table old = u->t;
    u->t = *t;
    pthread_rwlock_unlock(&u->lock);
    table_free(&old);
    return 0;
}

int users_open(const vfs *v, const char *dir, users **out, st_err *e)
{
    users *u = st_calloc(1, sizeof *u);
    u->v = v;
    u->dir = st_strndup(dir, strlen(dir));
    pthread_rwlock_init(&u->lock, NULL);
    pthread_mutex_init(&u->change, NULL);
    int rc = load(u, e);
    if (rc) {
        users_close(u);
        return rc;
    }
    *out = u;
    return 0;
}

void users_close(users *u)
{
    if (!u) return;
    table_free(&u->t);
    pthread_rwlock_destroy(&u->lock);
    pthread_mutex_destroy(&u->change);
    st_free(u->dir);
    st_free(u);
}

int users_name_valid(const char *name, size_t n, st_err *e)
{
    if (!n) return st_fail(e, ST_EINVAL, "username required");
    if (n > USERS_NAME_MAX) return st_fail(e, ST_EINVAL, "user names are at most %d bytes", USERS_NAME_MAX);
    for (size_t i = 0; i < n; i++)
        if ((unsigned char)name[i] < 0x20 || name[i] == 0x7f)
            return st_fail(e, ST_EINVAL, "user names may not hold control characters");
    return 0;
}

/* -------------------------------------------------------------- reads */

size_t users_count(users *u)
{
    pthread_rwlock_rdlock(&u->lock);
    size_t n = u->t.n;
    pthread_rwlock_unlock(&u->lock);
    return n;
}

bool users_any_admin(users *u)
{
    bool any = false;
    pthread_rwlock_rdlock(&u->lock);
    for (size_t i = 0; i < u->t.n && !any; i++) any = u->t.recs[i].admin;
    pthread_rwlock_unlock(&u->lock);
    return any;
}

int users_get(users *u, const char *name, users_login *out)
{
    pthread_rwlock_rdlock(&u->lock);
    long at = find(&u->t, name);
    if (at >= 0) {
        const user_rec *r = &u->t.recs[at];
        memcpy(out->hash, r->hash, sizeof out->hash);
        out->admin = r->admin;
        out->gen = r->gen;
    }
    pthread_rwlock_unlock(&u->lock);
    return at >= 0 ? 0 : ST_ENOTFOUND;
}

uint64_t users_gen(users *u, const char *name)
{
    pthread_rwlock_rdlock(&u->lock);
    long at = find(&u->t, name);
    uint64_t g = at >= 0 ? u->t.recs[at].gen : 0;
    pthread_rwlock_unlock(&u->lock);
    return g;
}

unsigned users_privs(users *u, const char *name, const char *db)
{
    unsigned p = 0;
    pthread_rwlock_rdlock(&u->lock);
    long at = find(&u->t, name);
    if (at >= 0) {
        const user_rec *r = &u->t.recs[at];
        if (r->admin) p = USERS_ALL;
        for (size_t g = 0; g < r->ngrants && p != USERS_ALL; g++)
            if (!strcmp(r->grants[g].db, db)) p |= r->grants[g].privs;
    }
    pthread_rwlock_unlock(&u->lock);
    return p;
}

bool users_is_admin(users *u, const char *name)
{
    pthread_rwlock_rdlock(&u->lock);
    long at = find(&u->t, name);
    bool a = at >= 0 && u->t.recs[at].admin;
    pthread_rwlock_unlock(&u->lock);
    return a;
}

static bool digest_eq(const uint8_t *a, const uint8_t *b)
{
    uint8_t d = 0;
    for (int i = 0; i < 32; i++) d |= (uint8_t)(a[i] ^ b[i]);
    return d == 0;
}

int users_token_owner(users *u, const uint8_t digest[32], char name[USERS_NAME_MAX + 1], uint64_t *gen)
{
    int rc = ST_ENOTFOUND;
    pthread_rwlock_rdlock(&u->lock);
    for (size_t i = 0; i < u->t.n; i++)
        for (size_t k = 0; k < u->t.recs[i].ntokens; k++)
            if (digest_eq(u->t.recs[i].tokens[k].digest, digest)) {
                memcpy(name, u->t.recs[i].name, USERS_NAME_MAX + 1);
                *gen = u->t.recs[i].gen;
                rc = 0;
            }
    pthread_rwlock_unlock(&u->lock);
    return rc;
}

void users_list(users *u, void (*fn)(void *ctx, const char *name, bool admin), void *ctx)
{
    pthread_rwlock_rdlock(&u->lock);
    for (size_t i = 0; i < u->t.n; i++) fn(ctx, u->t.recs[i].name, u->t.recs[i].admin);
    pthread_rwlock_unlock(&u->lock);
}

int users_grants(users *u, const char *name, void (*fn)(void *ctx, const users_db_grant *g), void *ctx)
{
    pthread_rwlock_rdlock(&u->lock);
    long at = find(&u->t, name);
    if (at >= 0)
        for (size_t g = 0; g < u->t.recs[at].ngrants; g++) fn(ctx, &u->t.recs[at].grants[g]);
    pthread_rwlock_unlock(&u->lock);
    return at >= 0 ? 0 : ST_ENOTFOUND;
}

void users_tokens(users *u, const char *name,
                  void (*fn)(void *ctx, const char *user, const char *id, int64_t created_ms), void *ctx)
{
    pthread_rwlock_rdlock(&u->lock);
    for (size_t i = 0; i < u->t.n; i++) {
        const user_rec *r = &u->t.recs[i];
        if (name && strcmp(r->name, name)) continue;
        for (size_t k = 0; k < r->ntokens; k++) fn(ctx, r->name, r->tokens[k].id, r->tokens[k].created_ms);
    }
    pthread_rwlock_unlock(&u->lock);
}

/* ------------------------------------------------------------ changes */

/* Begins a change: a copy of the table to edit, and the user's index in it
 * (name NULL: none wanted). ST_ENOTFOUND with the message when missing. */
static int begin(users *u, table *t, const char *name, long *at, st_err *e)
{
    pthread_mutex_lock(&u->change);
    table_copy(&u->t, t);
    if (!name) return 0;
    *at = find(t, name);
    if (*at < 0) {
        table_free(t);
        pthread_mutex_unlock(&u->change);
        return st_fail(e, ST_ENOTFOUND, "user not found");
    }
    return 0;
}

static int finish(users *u, table *t, int rc, st_err *e)
{
    if (!rc) rc = commit(u, t, e);
    else table_free(t);
    pthread_mutex_unlock(&u->change);
    return rc;
}

int users_create(users *u, const char *name, const char *hash, bool admin, st_err *e)
{
    int rc = users_name_valid(name, strlen(name), e);
    if (rc) return rc;
    if (!hash_ok(hash)) return st_fail(e, ST_EINVAL, "a password hash has no spaces and at most 127 bytes");
    table t;
    begin(u, &t, NULL, NULL, e);
    long at = find(&t, name);
    if (at >= 0) return finish(u, &t, st_fail(e, ST_EEXIST, "user already exists"), e);
    user_rec *r = insert_at(&t, (size_t)(-at - 1));
    snprintf(r->name, sizeof r->name, "%s", name);
    snprintf(r->hash, sizeof r->hash, "%s", hash);
    r->admin = admin;
    r->gen = ++u->next_gen;
    return finish(u, &t, 0, e);
}

int users_drop(users *u, const char *name, bool keep_an_admin, st_err *e)
{
    table t;
    long at;
    int rc = begin(u, &t, name, &at, e);
    if (rc) return rc;
    if (keep_an_admin && t.recs[at].admin && !other_admin(&t, at))
        return finish(u, &t, st_fail(e, ST_EINVAL, "\"%s\" is the last admin user: create another admin before "
                                     "dropping it", name), e);
    st_free(t.recs[at].grants);
    st_free(t.recs[at].tokens);
    explicit_bzero(t.recs[at].hash, sizeof t.recs[at].hash);
    explicit_bzero(t.recs[at].key, sizeof t.recs[at].key);
    memmove(t.recs + at, t.recs + at + 1, (t.n - (size_t)at - 1) * sizeof *t.recs);
    t.n--;
    explicit_bzero(&t.recs[t.n], sizeof t.recs[t.n]); /* the last record's old copy */
    return finish(u, &t, 0, e);
}

int users_set_hash(users *u, const char *name, const char *hash, st_err *e)
{
    if (!hash_ok(hash)) return st_fail(e, ST_EINVAL, "a password hash has no spaces and at most 127 bytes");
    table t;
    long at;
    int rc = begin(u, &t, name, &at, e);
    if (rc) return rc;
    snprintf(t.recs[at].hash, sizeof t.recs[at].hash, "%s", hash);
    t.recs[at].gen = ++u->next_gen;
    return finish(u, &t, 0, e);
}

int users_set_admin(users *u, const char *name, bool admin, bool keep_an_admin, st_err *e)
{
    table t;
    long at;
    int rc = begin(u, &t, name, &at, e);
    if (rc) return rc;
    if (keep_an_admin && !admin && t.recs[at].admin && !other_admin(&t, at))
        return finish(u, &t, st_fail(e, ST_EINVAL, "\"%s\" is the last admin user: make another one admin first",
                                     name), e);
    t.recs[at].admin = admin;
    return finish(u, &t, 0, e);
}

int users_grant(users *u, const char *name, const char *db, unsigned privs, bool revoke, st_err *e)
{
    int rc = catalog_name_valid(db, strlen(db), e);
    if (rc) return rc;
    if (!privs || privs > USERS_ALL) return st_fail(e, ST_EINVAL, "privileges are READ, WRITE or ALL");
    table t;
    long at;
    if ((rc = begin(u, &t, name, &at, e))) return rc;
    user_rec *r = &t.recs[at];
    size_t g = 0;
    while (g < r->ngrants && strcmp(r->grants[g].db, db)) g++;
    if (g == r->ngrants) {
        if (revoke) return finish(u, &t, 0, e);
        r->grants = st_realloc(r->grants, (r->ngrants + 1) * sizeof *r->grants);
        r->ngrants++;
        r->grants[g] = (users_db_grant){0};
        snprintf(r->grants[g].db, sizeof r->grants[g].db, "%s", db);
    }
    if (revoke) r->grants[g].privs &= ~privs;
    else r->grants[g].privs |= privs;
    if (!r->grants[g].privs) {
        memmove(r->grants + g, r->grants + g + 1, (r->ngrants - g - 1) * sizeof *r->grants);
        r->ngrants--;
    }
    return finish(u, &t, 0, e);
}

int users_token_add(users *u, const char *name, const uint8_t digest[32], char id[USERS_TOKEN_ID_LEN + 1],
                    st_err *e)
{
    uint8_t raw[USERS_TOKEN_ID_LEN / 2];
    if (getrandom(raw, sizeof raw, 0) != (ssize_t)sizeof raw)
        return st_fail(e, ST_EIO, "no randomness for a token id: %s", strerror(errno));
    for (size_t i = 0; i < sizeof raw; i++) snprintf(id + 2 * i, 3, "%02x", raw[i]);
    table t;
    long at;
    int rc = begin(u, &t, name, &at, e);
    if (rc) return rc;
    user_rec *r = &t.recs[at];
    r->tokens = st_realloc(r->tokens, (r->ntokens + 1) * sizeof *r->tokens);
    user_token *k = &r->tokens[r->ntokens++];
    memcpy(k->id, id, USERS_TOKEN_ID_LEN + 1);
    memcpy(k->digest, digest, 32);
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    k->created_ms = (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
    return finish(u, &t, 0, e);
}

int users_token_drop(users *u, const char *id, st_err *e)
{
    table t;
    begin(u, &t, NULL, NULL, e);
    for (size_t i = 0; i < t.n; i++) {
        user_rec *r = &t.recs[i];
        for (size_t k = 0; k < r->ntokens; k++)
            if (!strcmp(r->tokens[k].id, id)) {
                memmove(r->tokens + k, r->tokens + k + 1, (r->ntokens - k - 1) * sizeof *r->tokens);
                r->ntokens--;
                r->gen = ++u->next_gen;
                return finish(u, &t, 0, e);
            }
    }
    return finish(u, &t, st_fail(e, ST_ENOTFOUND, "token not found"), e);
}

int users_key_set(users *u, const char *name, const char *secret, st_err *e)
{
    if (*secret && (!hash_ok(secret) || strlen(secret) > USERS_KEY_MAX))
        return st_fail(e, ST_EINVAL, "a secret access key has no spaces and at most %d bytes", USERS_KEY_MAX);
    table t;
    long at;
    int rc = begin(u, &t, name, &at, e);
    if (rc) return rc;
    if (!*secret && !t.recs[at].key[0]) return finish(u, &t, st_fail(e, ST_ENOTFOUND, "the user has no access key"), e);
    snprintf(t.recs[at].key, sizeof t.recs[at].key, "%s", secret);
    t.recs[at].gen = ++u->next_gen;
    return finish(u, &t, 0, e);
}

int users_key_get(users *u, const char *name, char secret[USERS_KEY_MAX + 1], uint64_t *gen)
{
    pthread_rwlock_rdlock(&u->lock);
    long at = find(&u->t, name);
    int rc = at >= 0 && u->t.recs[at].key[0] ? 0 : ST_ENOTFOUND;
    if (!rc) {
        memcpy(secret, u->t.recs[at].key, USERS_KEY_MAX + 1);
        *gen = u->t.recs[at].gen;
    }
    pthread_rwlock_unlock(&u->lock);
    return rc;
}

int users_rewrite(users *u, st_err *e)
{
    table t;
    begin(u, &t, NULL, NULL, e);
    return finish(u, &t, 0, e);
}
