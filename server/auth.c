/* auth: credentials checked, privileges decided (see auth.h). */
#include "auth.h"

#include <arpa/inet.h>
#include <crypt.h>
#include <errno.h>
#include <gnutls/crypto.h>
#include <gnutls/gnutls.h>
#include <inttypes.h>
#include <pthread.h>
#include <semaphore.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define CACHE_WAYS 4
#define CACHE_TTL_S 600
#define THROTTLE_SLOTS 4096
#define THROTTLE_PROBE 8
#define THROTTLE_WINDOW_S 60
#define LOCK_STRIPES 64
/* bcrypt reads at most 72 bytes of a password: longer ones are refused
 * when set, and never match */
#define PASSWORD_MAX 72

typedef struct cache_entry {
    uint8_t key[32];
    uint64_t gen;
    int64_t expires; /* monotonic seconds; 0 = empty */
    char user[USERS_NAME_MAX + 1];
} cache_entry;

typedef struct throttle_slot {
    char peer[64];
    int64_t window_start, blocked_until;
    unsigned failures;
} throttle_slot;

struct auth {
    users *u;
    bool enabled;
    unsigned max_failures;
    uint8_t salt[32];
    char dummy_hash[USERS_HASH_MAX + 1];
    char dummy_key[49]; /* what an unknown SigV4 key is checked against */
    sem_t hashes;
    cache_entry *cache;
    size_t nsets;
    pthread_mutex_t stripes[LOCK_STRIPES];
    throttle_slot *throttle;
    pthread_mutex_t throttle_lock;
    _Atomic uint64_t failures[AUTH_NFRONTS][AUTH_NREASONS];
    _Atomic uint64_t denied[AUTH_NFRONTS][3];
    _Atomic uint64_t throttled, hits, misses, hash_ns, hash_runs;
};

static int64_t mono_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec;
}

static int64_t mono_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static bool ct_eq(const void *a, const void *b, size_t n)
{
    const volatile uint8_t *x = a, *y = b;
    uint8_t d = 0;
    for (size_t i = 0; i < n; i++) d |= (uint8_t)(x[i] ^ y[i]);
    return d == 0;
}

static void sha256(const void *p, size_t n, uint8_t out[32])
{
    gnutls_hash_fast(GNUTLS_DIG_SHA256, p, n, out);
}

/* ------------------------------------------------------------- bcrypt */

int auth_hash_password(const char *password, char out[USERS_HASH_MAX + 1], st_err *e)
{
    size_t n = strlen(password);
    if (!n) return st_fail(e, ST_EINVAL, "a password may not be empty");
    if (n > PASSWORD_MAX)
        return st_fail(e, ST_EINVAL, "a password is at most %d bytes (bcrypt reads no more)", PASSWORD_MAX);
    char setting[CRYPT_GENSALT_OUTPUT_SIZE];
    if (!crypt_gensalt_rn("$2b$", 10, NULL, 0, setting, sizeof setting))
        return st_fail(e, ST_EIO, "cannot make a bcrypt salt: %s", strerror(errno));
    struct crypt_data *cd = st_calloc(1, sizeof *cd);
    const char *h = crypt_r(password, setting, cd);
    int rc = 0;
    if (!h || h[0] == '*' || strlen(h) > USERS_HASH_MAX) rc = st_fail(e, ST_EIO, "bcrypt failed");
    else memcpy(out, h, strlen(h) + 1);
    explicit_bzero(cd, sizeof *cd);
    st_free(cd);
    return rc;
}

/* Whether password matches hash, bounded by the semaphore. -1: the wait
 * for a turn ran past a second. */
static int verify(auth *a, const char *password, size_t n, const char *hash)
{
    struct timespec until;
    clock_gettime(CLOCK_REALTIME, &until);
    until.tv_sec += 1;
    while (sem_timedwait(&a->hashes, &until) != 0)
        if (errno != EINTR) return -1;
    char pw[PASSWORD_MAX + 1];
    bool fits = n <= PASSWORD_MAX;
    memcpy(pw, password, fits ? n : 0);
    pw[fits ? n : 0] = 0;
    int64_t t0 = mono_ns();
    struct crypt_data *cd = st_calloc(1, sizeof *cd);
    const char *h = crypt_r(fits ? pw : "", hash, cd);
    size_t hn = strlen(hash);
    bool ok = fits && h && h[0] != '*' && strlen(h) == hn && ct_eq(h, hash, hn);
    explicit_bzero(cd, sizeof *cd);
    explicit_bzero(pw, sizeof pw);
    st_free(cd);
    atomic_fetch_add(&a->hash_ns, (uint64_t)(mono_ns() - t0));
    atomic_fetch_add(&a->hash_runs, 1);
    sem_post(&a->hashes);
    return ok;
}

/* -------------------------------------------------------------- setup */

int auth_new(users *u, const auth_opts *o, auth **out, st_err *e)
{
    auth *a = st_calloc(1, sizeof *a);
    a->u = u;
    a->enabled = o->enabled;
    a->max_failures = o->max_failures;
    if (gnutls_rnd(GNUTLS_RND_KEY, a->salt, sizeof a->salt)) {
        st_free(a);
        return st_fail(e, ST_EIO, "no randomness for the credential cache's salt");
    }
    uint8_t junk[24];
    char pw[49];
    gnutls_rnd(GNUTLS_RND_NONCE, junk, sizeof junk);
    for (size_t i = 0; i < sizeof junk; i++) snprintf(pw + 2 * i, 3, "%02x", junk[i]);
    memcpy(a->dummy_key, pw, sizeof a->dummy_key);
    int rc = auth_hash_password(pw, a->dummy_hash, e);
    if (rc) {
        st_free(a);
        return rc;
    }
    long cores = sysconf(_SC_NPROCESSORS_ONLN);
    unsigned mh = o->max_hashes ? o->max_hashes : (unsigned)(cores > 1 ? cores / 2 : 1);
    sem_init(&a->hashes, 0, mh);
    a->nsets = (o->cache_entries + CACHE_WAYS - 1) / CACHE_WAYS;
    if (a->nsets) a->cache = st_calloc(a->nsets * CACHE_WAYS, sizeof *a->cache);
    for (int i = 0; i < LOCK_STRIPES; i++) pthread_mutex_init(&a->stripes[i], NULL);
    a->throttle = st_calloc(THROTTLE_SLOTS, sizeof *a->throttle);
    pthread_mutex_init(&a->throttle_lock, NULL);
    *out = a;
    return 0;
}

void auth_free(auth *a)
{
    if (!a) return;
    if (a->cache) {
        explicit_bzero(a->cache, a->nsets * CACHE_WAYS * sizeof *a->cache);
        st_free(a->cache);
    }
    explicit_bzero(a->salt, sizeof a->salt);
    for (int i = 0; i < LOCK_STRIPES; i++) pthread_mutex_destroy(&a->stripes[i]);
    pthread_mutex_destroy(&a->throttle_lock);
    sem_destroy(&a->hashes);
    st_free(a->throttle);
    st_free(a);
}

bool auth_enabled(const auth *a) { return a->enabled; }
users *auth_users(auth *a) { return a->u; }

/* -------------------------------------------------------------- cache */

static void cache_key(const auth *a, char kind, st_slice user, st_slice secret, uint8_t out[32])
{
    uint8_t buf[32 + 1 + USERS_NAME_MAX + 1 + PASSWORD_MAX];
    size_t n = 0;
    memcpy(buf, a->salt, 32);
    n = 32;
    buf[n++] = (uint8_t)kind;
    memcpy(buf + n, user.p, user.n);
    n += user.n;
    buf[n++] = 0;
    memcpy(buf + n, secret.p, secret.n);
    n += secret.n;
    sha256(buf, n, out);
    explicit_bzero(buf, sizeof buf);
}

static bool cache_get(auth *a, const uint8_t key[32], char user[USERS_NAME_MAX + 1], uint64_t *gen)
{
    if (!a->nsets) return false;
    uint64_t h;
    memcpy(&h, key, sizeof h);
    size_t set = (size_t)(h % a->nsets);
    pthread_mutex_t *m = &a->stripes[set % LOCK_STRIPES];
    int64_t now = mono_s();
    bool hit = false;
    pthread_mutex_lock(m);
    for (int w = 0; w < CACHE_WAYS && !hit; w++) {
        cache_entry *ce = &a->cache[set * CACHE_WAYS + (size_t)w];
        if (ce->expires > now && ct_eq(ce->key, key, 32)) {
            memcpy(user, ce->user, USERS_NAME_MAX + 1);
            *gen = ce->gen;
            hit = true;
        }
    }
    pthread_mutex_unlock(m);
    return hit;
}

static void cache_put(auth *a, const uint8_t key[32], const char *user, uint64_t gen)
{
    if (!a->nsets) return;
    uint64_t h;
    memcpy(&h, key, sizeof h);
    size_t set = (size_t)(h % a->nsets);
    pthread_mutex_t *m = &a->stripes[set % LOCK_STRIPES];
    pthread_mutex_lock(m);
    cache_entry *victim = &a->cache[set * CACHE_WAYS];
    for (int w = 1; w < CACHE_WAYS; w++) {
        cache_entry *ce = &a->cache[set * CACHE_WAYS + (size_t)w];
        if (ce->expires < victim->expires) victim = ce;
    }
    memcpy(victim->key, key, 32);
    victim->gen = gen;
    victim->expires = mono_s() + CACHE_TTL_S;
    snprintf(victim->user, sizeof victim->user, "%s", user);
    pthread_mutex_unlock(m);
}

/* ----------------------------------------------------------- throttle */

/* The unit throttled: an IPv4 address, or an IPv6 /64 (one host holds a
 * whole /64: counting /128s would give it billions of tries). */
static void peer_key(const char *peer, char out[64])
{
    struct in6_addr a6;
    if (strchr(peer, ':') && inet_pton(AF_INET6, peer, &a6) == 1 && !IN6_IS_ADDR_V4MAPPED(&a6)) {
        memset(a6.s6_addr + 8, 0, 8);
        inet_ntop(AF_INET6, &a6, out, 64);
        strncat(out, "/64", 63 - strlen(out));
        return;
    }
    snprintf(out, 64, "%s", peer);
}

/* The peer's slot: THROTTLE_PROBE places from a salted hash (so nobody can
 * aim another address at it). create: a free or unblocked place is taken
 * when the peer has none; a blocked peer is never displaced. NULL when the
 * peer has none (and, creating, every place is blocked: the newcomer is
 * then not counted, erring towards serving it). Called locked. */
static throttle_slot *slot_of(auth *a, const char *key, bool create, int64_t now)
{
    uint8_t buf[32 + 64], d[32];
    size_t kn = strlen(key);
    memcpy(buf, a->salt, 32);
    memcpy(buf + 32, key, kn);
    sha256(buf, 32 + kn, d);
    uint32_t h;
    memcpy(&h, d, sizeof h);
    throttle_slot *best = NULL;
    for (unsigned i = 0; i < THROTTLE_PROBE; i++) {
        throttle_slot *s = &a->throttle[(h + i) % THROTTLE_SLOTS];
        if (!strcmp(s->peer, key)) return s;
        if (!create || s->blocked_until > now) continue;
        if (!s->peer[0]) {
            if (!best || best->peer[0]) best = s;
        } else if (!best || (best->peer[0] && s->window_start < best->window_start)) {
            best = s;
        }
    }
    if (best) *best = (throttle_slot){.window_start = now};
    if (best) snprintf(best->peer, sizeof best->peer, "%s", key);
    return best;
}

static bool throttled(auth *a, const char *peer)
{
    if (!a->max_failures || !peer) return false;
    char key[64];
    peer_key(peer, key);
    int64_t now = mono_s();
    pthread_mutex_lock(&a->throttle_lock);
    throttle_slot *s = slot_of(a, key, false, now);
    bool t = s && s->blocked_until > now;
    pthread_mutex_unlock(&a->throttle_lock);
    return t;
}

static void failed_from(auth *a, const char *peer)
{
    if (!a->max_failures || !peer) return;
    char key[64];
    peer_key(peer, key);
    int64_t now = mono_s();
    pthread_mutex_lock(&a->throttle_lock);
    throttle_slot *s = slot_of(a, key, true, now);
    if (s && s->blocked_until <= now && now - s->window_start >= THROTTLE_WINDOW_S) {
        s->window_start = now;
        s->failures = 0;
    }
    if (s && ++s->failures >= a->max_failures) s->blocked_until = now + THROTTLE_WINDOW_S;
    pthread_mutex_unlock(&a->throttle_lock);
}

/* -------------------------------------------------------------- login */

/* A cached credential passes even from a throttled address (it was
 * verified: the guesser sharing the address does not hold it); anything
 * else from there is refused before a hash is spent. */
static auth_reason password_login(auth *a, const cred *c, const char *peer, char user[USERS_NAME_MAX + 1])
{
    uint8_t key[32];
    st_slice secret = c->secret;
    if (secret.n > PASSWORD_MAX) secret.n = PASSWORD_MAX + 1; /* never matches; bounds the key */
    bool name_ok = c->user.n <= USERS_NAME_MAX;
    char name[USERS_NAME_MAX + 1] = {0};
    if (name_ok) memcpy(name, c->user.p, c->user.n);
    if (name_ok && secret.n <= PASSWORD_MAX) {
        cache_key(a, 'p', c->user, secret, key);
        char cu[USERS_NAME_MAX + 1];
        uint64_t gen;
        if (cache_get(a, key, cu, &gen) && !strcmp(cu, name) && users_gen(a->u, name) == gen) {
            atomic_fetch_add(&a->hits, 1);
            memcpy(user, name, sizeof name);
            return AUTH_OK;
        }
    }
    if (throttled(a, peer)) {
        atomic_fetch_add(&a->throttled, 1);
        return AUTH_THROTTLED;
    }
    atomic_fetch_add(&a->misses, 1);
    users_login li;
    bool known = name_ok && !users_get(a->u, name, &li);
    int ok = verify(a, c->secret.p, c->secret.n, known ? li.hash : a->dummy_hash);
    uint64_t gen = known ? li.gen : 0;
    explicit_bzero(&li, sizeof li);
    if (ok < 0) return AUTH_BUSY;
    if (!known) return AUTH_UNKNOWN_USER;
    if (!ok) return AUTH_BAD_PASSWORD;
    if (secret.n <= PASSWORD_MAX) cache_put(a, key, name, gen);
    memcpy(user, name, sizeof name);
    return AUTH_OK;
}

auth_reason auth_login(auth *a, auth_front front, const cred *c, const char *peer, char user[USERS_NAME_MAX + 1])
{
    auth_reason r;
    if (c->kind == CRED_NONE) {
        r = AUTH_MISSING;
    } else if (c->kind == CRED_BASIC || c->kind == CRED_PARAMS || c->kind == CRED_TOKEN_USER) {
        r = password_login(a, c, peer, user);
        if (r == AUTH_THROTTLED) return r;
    } else if (c->kind == CRED_TOKEN || c->kind == CRED_BEARER) {
        /* 256-bit tokens and SigV4 signatures cannot be guessed: no
         * throttling, only passwords are */
        uint8_t d[32];
        sha256(c->secret.p, c->secret.n, d);
        uint64_t gen;
        r = users_token_owner(a->u, d, user, &gen) ? AUTH_BAD_TOKEN : AUTH_OK;
    } else {
        r = AUTH_MALFORMED; /* SigV4 needs the request: auth_login_sigv4 */
    }
    if (r != AUTH_OK) auth_failed(a, front, r, peer);
    return r;
}

auth_reason auth_login_sigv4(auth *a, auth_front front, const cred *c, const sigv4_req *r, const char *peer,
                             char user[USERS_NAME_MAX + 1], st_err *why)
{
    auth_reason res;
    char name[USERS_NAME_MAX + 1] = "", secret[USERS_KEY_MAX + 1];
    uint64_t gen;
    bool svc = (c->service.n == 3 && !memcmp(c->service.p, "aps", 3)) ||
               (c->service.n == 10 && !memcmp(c->service.p, "timestream", 10));
    if (!svc) {
        st_fail(why, ST_EINVAL, "SigV4: the service is \"aps\" or \"timestream\", not \"%.*s\"",
                (int)(c->service.n > 40 ? 40 : c->service.n), c->service.p);
        res = AUTH_MALFORMED;
    } else {
        bool known = c->user.n <= USERS_NAME_MAX;
        if (known) {
            memcpy(name, c->user.p, c->user.n);
            name[c->user.n] = 0;
            known = users_key_get(a->u, name, secret, &gen) == 0;
        }
        if (!known) {
            /* the same work and the same answer as for a key that exists:
             * neither timing nor the message tells which names have keys */
            sigv4_result v = sigv4_verify(c, r, a->dummy_key, why);
            res = v == SIGV4_EXPIRED ? AUTH_EXPIRED : v == SIGV4_INCOMPLETE ? AUTH_MALFORMED : AUTH_UNKNOWN_USER;
        } else {
            sigv4_result v = sigv4_verify(c, r, secret, why);
            explicit_bzero(secret, sizeof secret);
            res = v == SIGV4_OK ? AUTH_OK : v == SIGV4_EXPIRED ? AUTH_EXPIRED
                : v == SIGV4_INCOMPLETE ? AUTH_MALFORMED : AUTH_BAD_SIGNATURE;
        }
    }
    if (res != AUTH_OK) {
        auth_failed(a, front, res, peer);
        return res;
    }
    memcpy(user, name, sizeof name);
    return AUTH_OK;
}

int auth_key_create(auth *a, const char *user, char secret[USERS_KEY_MAX + 1], st_err *e)
{
    static const char b64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    uint8_t raw[30];
    if (gnutls_rnd(GNUTLS_RND_KEY, raw, sizeof raw)) return st_fail(e, ST_EIO, "no randomness for a key");
    size_t o = 0;
    for (size_t i = 0; i < sizeof raw; i += 3) {
        uint32_t v = (uint32_t)raw[i] << 16 | (uint32_t)raw[i + 1] << 8 | raw[i + 2];
        for (int k = 3; k >= 0; k--) secret[o++] = b64[(v >> (6 * k)) & 63];
    }
    secret[o] = 0;
    explicit_bzero(raw, sizeof raw);
    int rc = users_key_set(a->u, user, secret, e);
    if (rc) explicit_bzero(secret, USERS_KEY_MAX + 1);
    return rc;
}

void auth_failed(auth *a, auth_front front, auth_reason r, const char *peer)
{
    atomic_fetch_add(&a->failures[front][r], 1);
    if (r != AUTH_MISSING && r != AUTH_BUSY) failed_from(a, peer);
}

bool auth_may(auth *a, auth_front front, const char *user, const char *db, auth_priv priv)
{
    bool ok;
    if (priv == AUTH_ADMIN) ok = users_is_admin(a->u, user);
    else ok = (users_privs(a->u, user, db) & (unsigned)priv) == (unsigned)priv;
    if (!ok) auth_denied(a, front, priv);
    return ok;
}

void auth_denied(auth *a, auth_front front, auth_priv priv)
{
    atomic_fetch_add(&a->denied[front][priv == AUTH_ADMIN ? 2 : priv == AUTH_WRITE ? 1 : 0], 1);
}

int auth_token_create(auth *a, const char *user, char secret[72], char id[USERS_TOKEN_ID_LEN + 1], st_err *e)
{
    uint8_t raw[32], d[32];
    if (gnutls_rnd(GNUTLS_RND_KEY, raw, sizeof raw)) return st_fail(e, ST_EIO, "no randomness for a token");
    memcpy(secret, "strata_", 7);
    for (size_t i = 0; i < sizeof raw; i++) snprintf(secret + 7 + 2 * i, 3, "%02x", raw[i]);
    explicit_bzero(raw, sizeof raw);
    sha256(secret, strlen(secret), d);
    int rc = users_token_add(a->u, user, d, id, e);
    if (rc) explicit_bzero(secret, 72);
    return rc;
}

int auth_bootstrap_admin(auth *a, const char *name, const char *password_file, bool *created, st_err *e)
{
    *created = false;
    int rc = users_name_valid(name, strlen(name), e);
    if (rc) return st_wrap(e, "--admin-user");
    if (users_gen(a->u, name)) return 0;
    FILE *fp = fopen(password_file, "r");
    if (!fp) return st_fail(e, ST_EINVAL, "--admin-password-file %s: %s", password_file, strerror(errno));
    char line[256] = "";
    bool got = fgets(line, sizeof line, fp) != NULL;
    fclose(fp);
    size_t n = got ? strcspn(line, "\r\n") : 0;
    line[n] = 0;
    if (!n) {
        explicit_bzero(line, sizeof line);
        return st_fail(e, ST_EINVAL, "--admin-password-file %s: the first line (the password) is empty", password_file);
    }
    char hash[USERS_HASH_MAX + 1];
    bool is_hash = n == 60 && line[0] == '$' && line[1] == '2' && strchr("aby", line[2]) && line[3] == '$';
    if (is_hash) memcpy(hash, line, n + 1);
    else rc = auth_hash_password(line, hash, e);
    explicit_bzero(line, sizeof line);
    if (rc) return st_wrap(e, "--admin-password-file");
    rc = users_create(a->u, name, hash, true, e);
    explicit_bzero(hash, sizeof hash);
    if (rc) return rc;
    *created = true;
    return 0;
}

/* ------------------------------------------------------------- naming */

const char *auth_reason_name(auth_reason r)
{
    static const char *const n[AUTH_NREASONS] = {"ok",          "missing",       "malformed",
                                                 "bad_password", "unknown_user", "bad_token",
                                                 "bad_signature", "expired",     "throttled",
                                                 "busy"};
    return r < AUTH_NREASONS ? n[r] : "?";
}

const char *auth_front_name(auth_front f)
{
    static const char *const n[AUTH_NFRONTS] = {"prometheus", "remote", "influxdb_v1",
                                                "influxdb_v2", "sql", "postgres", "timestream"};
    return f < AUTH_NFRONTS ? n[f] : "?";
}

const char *auth_priv_name(auth_priv p)
{
    return p == AUTH_READ ? "READ" : p == AUTH_WRITE ? "WRITE" : "ADMIN";
}

void auth_metrics(auth *a, st_buf *b)
{
    st_buf_printf(b, "# HELP strata_auth_failures_total Requests refused for their credentials, by family and "
                     "reason.\n# TYPE strata_auth_failures_total counter\n");
    for (int f = 0; f < AUTH_NFRONTS; f++)
        for (int r = AUTH_MISSING; r < AUTH_NREASONS; r++)
            if (r != AUTH_THROTTLED)
                st_buf_printf(b, "strata_auth_failures_total{family=\"%s\",reason=\"%s\"} %" PRIu64 "\n",
                              auth_front_name((auth_front)f), auth_reason_name((auth_reason)r),
                              atomic_load(&a->failures[f][r]));
    st_buf_printf(b, "# HELP strata_auth_denied_total Authenticated requests refused for a missing privilege.\n"
                     "# TYPE strata_auth_denied_total counter\n");
    static const char *const privs[3] = {"read", "write", "admin"};
    for (int f = 0; f < AUTH_NFRONTS; f++)
        for (int p = 0; p < 3; p++)
            st_buf_printf(b, "strata_auth_denied_total{family=\"%s\",privilege=\"%s\"} %" PRIu64 "\n",
                          auth_front_name((auth_front)f), privs[p], atomic_load(&a->denied[f][p]));
    st_buf_printf(b,
                  "# HELP strata_auth_throttled_total Requests refused because their address failed too often.\n"
                  "# TYPE strata_auth_throttled_total counter\nstrata_auth_throttled_total %" PRIu64 "\n"
                  "# HELP strata_auth_cache_hits_total Passwords answered from the verified-credential cache.\n"
                  "# TYPE strata_auth_cache_hits_total counter\nstrata_auth_cache_hits_total %" PRIu64 "\n"
                  "# HELP strata_auth_cache_misses_total Passwords checked with bcrypt.\n"
                  "# TYPE strata_auth_cache_misses_total counter\nstrata_auth_cache_misses_total %" PRIu64 "\n"
                  "# HELP strata_auth_hash_seconds Time spent in bcrypt.\n"
                  "# TYPE strata_auth_hash_seconds summary\nstrata_auth_hash_seconds_sum %.6f\n"
                  "strata_auth_hash_seconds_count %" PRIu64 "\n",
                  atomic_load(&a->throttled), atomic_load(&a->hits), atomic_load(&a->misses),
                  (double)atomic_load(&a->hash_ns) / 1e9, atomic_load(&a->hash_runs));
}
