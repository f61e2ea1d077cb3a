/* crypto: key file, seeds, file keys and AES-256-GCM (see crypto.h). */
#include "crypto.h"

#include "bits.h"

#include <errno.h>
#include <fcntl.h>
#include <gnutls/crypto.h>
#include <gnutls/gnutls.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#define SEED_MAGIC "STSD"
#define SEED_VERSION 1
#define MAX_KEKS 64
#define MAX_SEEDS 1024

typedef struct kek {
    char id[CRYPTO_KEY_ID_MAX + 1];
    uint8_t key[CRYPTO_KEY_BYTES];
} kek;

typedef struct seed {
    uint32_t id;
    char kek_id[CRYPTO_KEY_ID_MAX + 1];
    uint8_t key[CRYPTO_KEY_BYTES];
} seed;

/* Key material: pages left out of core dumps, wiped before they go. */
typedef struct keyset {
    kek *keks;
    size_t nkeks;
    seed *seeds;
    size_t nseeds;
    size_t bytes; /* of the mapping holding both */
} keyset;

struct crypto {
    const vfs *v;
    char *keys_dir;
    bool fresh; /* keys/ had no seed before this open */
    pthread_rwlock_t lock; /* readers derive keys; crypto_rekey swaps the set */
    keyset ks;
};

/* ------------------------------------------------------- key memory */

static int keyset_alloc(keyset *k, size_t nkeks, size_t nseeds, st_err *e)
{
    size_t bytes = nkeks * sizeof(kek) + nseeds * sizeof(seed);
    long page = sysconf(_SC_PAGESIZE);
    bytes = (bytes + (size_t)page - 1) / (size_t)page * (size_t)page;
    void *p = mmap(NULL, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED) return st_fail(e, ST_EIO, "cannot map key memory: %s", strerror(errno));
    madvise(p, bytes, MADV_DONTDUMP);
    *k = (keyset){.keks = p, .seeds = (seed *)((char *)p + nkeks * sizeof(kek)), .bytes = bytes};
    return 0;
}

static void keyset_free(keyset *k)
{
    if (k->bytes) {
        explicit_bzero(k->keks, k->bytes);
        munmap(k->keks, k->bytes);
    }
    *k = (keyset){0};
}

/* ------------------------------------------------------------ helpers */

int crypto_random(void *p, size_t n, st_err *e)
{
    if (gnutls_rnd(GNUTLS_RND_KEY, p, n)) return st_fail(e, ST_EIO, "no randomness for keys");
    return 0;
}

static bool id_ok(const char *s, size_t n)
{
    if (!n || n > CRYPTO_KEY_ID_MAX) return false;
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '-' ||
              c == '.'))
            return false;
    }
    return true;
}

/* ------------------------------------------------------------ key file */

static int load_key_file(const char *path, keyset *ks, st_err *e)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) return st_fail(e, ST_EINVAL, "--encryption-key-file %s: %s", path, strerror(errno));
    struct stat sb;
    if (fstat(fd, &sb) || !S_ISREG(sb.st_mode)) {
        close(fd);
        return st_fail(e, ST_EINVAL, "--encryption-key-file %s: not a regular file", path);
    }
    if (sb.st_mode & 077) {
        close(fd);
        return st_fail(e, ST_EINVAL, "--encryption-key-file %s: readable by others (mode %03o): it must be the owner's "
                       "only (chmod 600 or 400)", path, (unsigned)(sb.st_mode & 0777));
    }
    char text[16384];
    ssize_t n = read(fd, text, sizeof text - 1);
    close(fd);
    if (n < 0 || (size_t)n >= sizeof text - 1) {
        explicit_bzero(text, sizeof text);
        return st_fail(e, ST_EINVAL, "--encryption-key-file %s: cannot read it, or it is over 16 KiB", path);
    }
    text[n] = 0;
    int rc = keyset_alloc(ks, MAX_KEKS, MAX_SEEDS, e);
    if (rc) {
        explicit_bzero(text, sizeof text);
        return rc;
    }
    int lineno = 0;
    char *save = NULL;
    for (char *line = strtok_r(text, "\n", &save); line && !rc; line = strtok_r(NULL, "\n", &save)) {
        lineno++;
        while (*line == ' ' || *line == '\t') line++;
        size_t len = strlen(line);
        while (len && (line[len - 1] == ' ' || line[len - 1] == '\t' || line[len - 1] == '\r')) line[--len] = 0;
        if (!len || line[0] == '#') continue;
        char *sp = strpbrk(line, " \t");
        char *b64 = sp;
        while (b64 && (*b64 == ' ' || *b64 == '\t')) b64++;
        if (!sp || !id_ok(line, (size_t)(sp - line)) || !*b64) {
            rc = st_fail(e, ST_EINVAL, "--encryption-key-file %s: line %d is not \"ID BASE64-KEY\" (an id of 1 to %d "
                         "characters from [A-Za-z0-9_.-])", path, lineno, CRYPTO_KEY_ID_MAX);
            break;
        }
        if (ks->nkeks == MAX_KEKS) {
            rc = st_fail(e, ST_EINVAL, "--encryption-key-file %s: more than %d keys", path, MAX_KEKS);
            break;
        }
        kek *k = &ks->keks[ks->nkeks];
        memcpy(k->id, line, (size_t)(sp - line));
        k->id[sp - line] = 0;
        uint8_t raw[CRYPTO_KEY_BYTES + 3];
        long got = base64_decode(b64, strlen(b64), raw, sizeof raw);
        if (got != CRYPTO_KEY_BYTES) {
            explicit_bzero(raw, sizeof raw);
            rc = st_fail(e, ST_EINVAL, "--encryption-key-file %s: key \"%s\" is not 32 bytes in base64 (make one "
                         "with: openssl rand -base64 32)", path, k->id);
            break;
        }
        memcpy(k->key, raw, CRYPTO_KEY_BYTES);
        explicit_bzero(raw, sizeof raw);
        for (size_t i = 0; i < ks->nkeks && !rc; i++)
            if (!strcmp(ks->keks[i].id, k->id))
                rc = st_fail(e, ST_EINVAL, "--encryption-key-file %s: key id \"%s\" appears twice", path, k->id);
        ks->nkeks++;
    }
    explicit_bzero(text, sizeof text);
    if (!rc && !ks->nkeks) rc = st_fail(e, ST_EINVAL, "--encryption-key-file %s: no key in it", path);
    if (rc) keyset_free(ks);
    return rc;
}

static const kek *kek_find(const keyset *ks, const char *id)
{
    for (size_t i = 0; i < ks->nkeks; i++)
        if (!strcmp(ks->keks[i].id, id)) return &ks->keks[i];
    return NULL;
}

/* ------------------------------------------------------------- seeds */

/* A seed file: "STSD", version, id length, 2 reserved, seed id (BE), the
 * KEK's id, then nonce, the wrapped seed and its tag. The bytes before
 * the nonce are the AAD, so a file renamed to another seed's number, or
 * relabelled with another KEK's id, does not open. */
static size_t seed_header(const seed *s, uint8_t *out)
{
    size_t idn = strlen(s->kek_id);
    memcpy(out, SEED_MAGIC, 4);
    out[4] = SEED_VERSION;
    out[5] = (uint8_t)idn;
    out[6] = out[7] = 0;
    out[8] = (uint8_t)(s->id >> 24);
    out[9] = (uint8_t)(s->id >> 16);
    out[10] = (uint8_t)(s->id >> 8);
    out[11] = (uint8_t)s->id;
    memcpy(out + 12, s->kek_id, idn);
    return 12 + idn;
}

static int aead_with(const uint8_t key[CRYPTO_KEY_BYTES], bool seal, const uint8_t *nonce, const void *aad,
                     size_t aadn, const void *in, size_t n, void *out)
{
    crypto_aead *a;
    st_err e = {0};
    if (crypto_aead_new(key, &a, &e)) return ST_EIO;
    int rc = seal ? crypto_seal(a, nonce, aad, aadn, in, n, out) : crypto_unseal(a, nonce, aad, aadn, in, n, out);
    crypto_aead_free(a);
    return rc;
}

static int seed_write(const vfs *v, const char *keys_dir, const seed *s, const kek *k, st_err *e)
{
    uint8_t buf[12 + CRYPTO_KEY_ID_MAX + CRYPTO_NONCE_BYTES + CRYPTO_KEY_BYTES + CRYPTO_TAG_BYTES];
    size_t h = seed_header(s, buf);
    int rc = crypto_random(buf + h, CRYPTO_NONCE_BYTES, e);
    if (rc) return rc;
    if (aead_with(k->key, true, buf + h, buf, h, s->key, CRYPTO_KEY_BYTES, buf + h + CRYPTO_NONCE_BYTES))
        return st_fail(e, ST_EIO, "cannot wrap seed %u", s->id);
    char name[32];
    snprintf(name, sizeof name, "seed-%u", s->id);
    rc = vfs_write_file_atomic(v, keys_dir, name, buf, h + CRYPTO_NONCE_BYTES + CRYPTO_KEY_BYTES + CRYPTO_TAG_BYTES,
                               0600);
    if (rc) return st_fail(e, ST_EIO, "cannot write %s/%s: %s", keys_dir, name, strerror(-rc));
    return 0;
}

/* Reads keys/seed-id into s, unwrapped with its KEK from ks. 1 when there
 * is no such file. */
static int seed_read(const vfs *v, const char *keys_dir, uint32_t id, const keyset *ks, const char *key_file, seed *s,
                     st_err *e)
{
    char path[4200];
    snprintf(path, sizeof path, "%s/seed-%u", keys_dir, id);
    int fd = v->open(v, path, O_RDONLY, 0);
    if (fd == -ENOENT) return 1;
    if (fd < 0) return st_fail(e, ST_EIO, "cannot open %s: %s", path, strerror(-fd));
    uint8_t buf[256];
    ssize_t n = v->pread(v, fd, buf, sizeof buf, 0);
    v->close(v, fd);
    size_t idn = n >= 12 ? buf[5] : 0;
    size_t want = 12 + idn + CRYPTO_NONCE_BYTES + CRYPTO_KEY_BYTES + CRYPTO_TAG_BYTES;
    if (n < 12 || memcmp(buf, SEED_MAGIC, 4) || buf[4] != SEED_VERSION || idn == 0 || idn > CRYPTO_KEY_ID_MAX ||
        (size_t)n != want)
        return st_fail(e, ST_ECORRUPT, "%s is not a Strata seed file, or is damaged", path);
    uint32_t sid = (uint32_t)buf[8] << 24 | (uint32_t)buf[9] << 16 | (uint32_t)buf[10] << 8 | buf[11];
    if (sid != id) return st_fail(e, ST_ECORRUPT, "%s holds seed %u: files of keys/ were renamed", path, sid);
    memset(s, 0, sizeof *s);
    s->id = id;
    memcpy(s->kek_id, buf + 12, idn);
    if (!id_ok(s->kek_id, idn)) return st_fail(e, ST_ECORRUPT, "%s is damaged (its key id)", path);
    const kek *k = kek_find(ks, s->kek_id);
    if (!k)
        return st_fail(e, ST_EINVAL, "%s is wrapped by key \"%s\", which %s does not hold: give the key file that has "
                       "it (a new key goes first, the old ones stay until every seed is wrapped by the new)",
                       path, s->kek_id, key_file);
    size_t h = 12 + idn;
    if (aead_with(k->key, false, buf + h, buf, h, buf + h + CRYPTO_NONCE_BYTES, CRYPTO_KEY_BYTES + CRYPTO_TAG_BYTES,
                  s->key)) {
        explicit_bzero(s->key, sizeof s->key);
        return st_fail(e, ST_EINVAL, "%s does not open with key \"%s\" of %s: the key is not the one it was wrapped "
                       "with, or the file is damaged", path, s->kek_id, key_file);
    }
    return 0;
}

/* The seeds on disk; when there are none, or any is wrapped by another
 * KEK than the active one (it changed), a new seed is drawn and written
 * FIRST, then the others are wrapped again: a crash between the two leaves
 * the new seed in place, and the next start wraps the rest (and draws one
 * more, harmlessly); never the old seeds rewrapped with no new one to take
 * over from them. */
static int load_seeds(const vfs *v, const char *keys_dir, keyset *ks, const char *key_file, st_err *e)
{
    const kek *active = &ks->keks[0];
    bool stale = false;
    for (uint32_t id = 1;; id++) {
        seed probe;
        int rc = seed_read(v, keys_dir, id, ks, key_file, &probe, e);
        if (rc == 1) break;
        if (rc) return rc;
        if (ks->nseeds == MAX_SEEDS - 1) {
            explicit_bzero(&probe, sizeof probe);
            return st_fail(e, ST_EINVAL, "%s: more than %d seeds", keys_dir, MAX_SEEDS - 1);
        }
        ks->seeds[ks->nseeds++] = probe;
        explicit_bzero(&probe, sizeof probe);
        stale |= strcmp(ks->seeds[ks->nseeds - 1].kek_id, active->id) != 0;
    }
    if (ks->nseeds && !stale) return 0;
    seed *s = &ks->seeds[ks->nseeds];
    s->id = (uint32_t)ks->nseeds + 1;
    snprintf(s->kek_id, sizeof s->kek_id, "%s", active->id);
    int rc = crypto_random(s->key, sizeof s->key, e);
    if (!rc) rc = seed_write(v, keys_dir, s, active, e);
    if (rc) return rc;
    ks->nseeds++;
    for (size_t i = 0; i + 1 < ks->nseeds; i++) {
        seed *o = &ks->seeds[i];
        if (!strcmp(o->kek_id, active->id)) continue;
        snprintf(o->kek_id, sizeof o->kek_id, "%s", active->id);
        if ((rc = seed_write(v, keys_dir, o, active, e))) return rc;
    }
    return 0;
}

/* Under keys/LOCK: two processes starting on one directory (or one
 * reloading while another starts) never both draw seed N under other
 * bytes, which would leave files sealed under a seed nobody has. */
static int build(const vfs *v, const char *keys_dir, const char *key_file, keyset *ks, st_err *e)
{
    int rc = load_key_file(key_file, ks, e);
    if (rc) return rc;
    rc = vfs_mkdir_p(v, keys_dir, 0700);
    if (rc) rc = st_fail(e, ST_EIO, "cannot make %s: %s", keys_dir, strerror(-rc));
    int lfd = -1;
    if (!rc) {
        char lock[4200];
        snprintf(lock, sizeof lock, "%s/LOCK", keys_dir);
        int lr = v->lock(v, lock, &lfd);
        if (lr < 0)
            rc = st_fail(e, ST_EINVAL, "%s: another Strata is changing the keys of this data directory (%s)",
                         keys_dir, strerror(-lr));
    }
    if (!rc) rc = load_seeds(v, keys_dir, ks, key_file, e);
    if (lfd >= 0) v->close(v, lfd);
    if (rc) keyset_free(ks);
    return rc;
}

/* -------------------------------------------------------------- public */

int crypto_open(const vfs *v, const char *data_dir, const char *key_file, crypto **out, st_err *e)
{
    crypto *c = st_calloc(1, sizeof *c);
    c->v = v;
    size_t n = strlen(data_dir) + 6;
    c->keys_dir = st_malloc(n);
    snprintf(c->keys_dir, n, "%s/keys", data_dir);
    c->fresh = !crypto_dir_has_seeds(v, data_dir);
    int rc = build(v, c->keys_dir, key_file, &c->ks, e);
    if (rc) {
        st_free(c->keys_dir);
        st_free(c);
        return rc;
    }
    pthread_rwlock_init(&c->lock, NULL);
    *out = c;
    return 0;
}

void crypto_close(crypto *c)
{
    if (!c) return;
    keyset_free(&c->ks);
    pthread_rwlock_destroy(&c->lock);
    st_free(c->keys_dir);
    st_free(c);
}

bool crypto_dir_has_seeds(const vfs *v, const char *data_dir)
{
    char path[4200];
    snprintf(path, sizeof path, "%s/keys/seed-1", data_dir);
    int fd = v->open(v, path, O_RDONLY, 0);
    if (fd >= 0) v->close(v, fd);
    return fd >= 0 || fd != -ENOENT; /* unreadable: there is one, and it must not be ignored */
}

bool crypto_fresh(const crypto *c) { return c->fresh; }

uint32_t crypto_seed(const crypto *c)
{
    crypto *m = (crypto *)c;
    pthread_rwlock_rdlock(&m->lock);
    uint32_t id = c->ks.seeds[c->ks.nseeds - 1].id;
    pthread_rwlock_unlock(&m->lock);
    return id;
}

void crypto_active_key_id(const crypto *c, char out[CRYPTO_KEY_ID_MAX + 1])
{
    crypto *m = (crypto *)c;
    pthread_rwlock_rdlock(&m->lock);
    memcpy(out, c->ks.keks[0].id, CRYPTO_KEY_ID_MAX + 1);
    pthread_rwlock_unlock(&m->lock);
}

void crypto_seed_counts(const crypto *c, void (*fn)(void *ctx, const char *kek_id, unsigned n), void *ctx)
{
    crypto *m = (crypto *)c;
    pthread_rwlock_rdlock(&m->lock);
    for (size_t k = 0; k < c->ks.nkeks; k++) {
        unsigned cnt = 0;
        for (size_t s = 0; s < c->ks.nseeds; s++) cnt += !strcmp(c->ks.seeds[s].kek_id, c->ks.keks[k].id);
        fn(ctx, c->ks.keks[k].id, cnt);
    }
    pthread_rwlock_unlock(&m->lock);
}

int crypto_rekey(crypto *c, const char *key_file, st_err *e)
{
    keyset fresh;
    int rc = build(c->v, c->keys_dir, key_file, &fresh, e);
    if (rc) return rc;
    pthread_rwlock_wrlock(&c->lock);
    keyset old = c->ks;
    c->ks = fresh;
    pthread_rwlock_unlock(&c->lock);
    keyset_free(&old);
    return 0;
}

int crypto_file_key(const crypto *c, uint32_t seed_id, const uint8_t salt[CRYPTO_SALT_BYTES], uint8_t kind,
                    const char *path, uint8_t key[CRYPTO_KEY_BYTES], st_err *e)
{
    crypto *m = (crypto *)c;
    uint8_t prk[32];
    int rc = ST_ENOTFOUND;
    pthread_rwlock_rdlock(&m->lock);
    for (size_t i = 0; i < c->ks.nseeds; i++)
        if (c->ks.seeds[i].id == seed_id) {
            gnutls_datum_t ikm = {(unsigned char *)c->ks.seeds[i].key, CRYPTO_KEY_BYTES};
            gnutls_datum_t s = {(unsigned char *)salt, CRYPTO_SALT_BYTES};
            rc = gnutls_hkdf_extract(GNUTLS_MAC_SHA256, &ikm, &s, prk) ? ST_EIO : 0;
            break;
        }
    pthread_rwlock_unlock(&m->lock);
    if (rc == ST_ENOTFOUND) return st_fail(e, rc, "no seed %u in keys/: the file was made with a key set not given", seed_id);
    if (rc) return st_fail(e, rc, "HKDF failed");
    size_t pn = strlen(path);
    uint8_t info[16 + 2 + 4096];
    if (pn > 4096) {
        explicit_bzero(prk, sizeof prk);
        return st_fail(e, ST_EINVAL, "path too long for a file key");
    }
    memcpy(info, "strata-file-v1", 14);
    info[14] = 0;
    info[15] = kind;
    memcpy(info + 16, path, pn);
    gnutls_datum_t k = {prk, sizeof prk}, in = {info, (unsigned)(16 + pn)};
    rc = gnutls_hkdf_expand(GNUTLS_MAC_SHA256, &k, &in, key, CRYPTO_KEY_BYTES) ? ST_EIO : 0;
    explicit_bzero(prk, sizeof prk);
    return rc ? st_fail(e, rc, "HKDF failed") : 0;
}

/* ---------------------------------------------------------------- AEAD */

struct crypto_aead {
    gnutls_aead_cipher_hd_t h;
};

int crypto_aead_new(const uint8_t key[CRYPTO_KEY_BYTES], crypto_aead **out, st_err *e)
{
    crypto_aead *a = st_calloc(1, sizeof *a);
    gnutls_datum_t k = {(unsigned char *)key, CRYPTO_KEY_BYTES};
    int r = gnutls_aead_cipher_init(&a->h, GNUTLS_CIPHER_AES_256_GCM, &k);
    if (r < 0) {
        st_free(a);
        return st_fail(e, ST_EIO, "AES-256-GCM: %s", gnutls_strerror(r));
    }
    *out = a;
    return 0;
}

void crypto_aead_free(crypto_aead *a)
{
    if (!a) return;
    gnutls_aead_cipher_deinit(a->h); /* wipes the key schedule */
    st_free(a);
}

void crypto_nonce(uint64_t counter, bool last, uint8_t out[CRYPTO_NONCE_BYTES])
{
    for (int i = 0; i < 8; i++) out[i] = (uint8_t)(counter >> (56 - 8 * i));
    out[8] = last ? 1 : 0;
    out[9] = out[10] = out[11] = 0;
}

int crypto_seal(crypto_aead *a, const uint8_t nonce[CRYPTO_NONCE_BYTES], const void *aad, size_t aad_len,
                const void *in, size_t n, void *out)
{
    size_t outn = n + CRYPTO_TAG_BYTES;
    int r = gnutls_aead_cipher_encrypt(a->h, nonce, CRYPTO_NONCE_BYTES, aad, aad_len, CRYPTO_TAG_BYTES, in, n, out,
                                       &outn);
    return r < 0 ? ST_EIO : 0;
}

int crypto_unseal(crypto_aead *a, const uint8_t nonce[CRYPTO_NONCE_BYTES], const void *aad, size_t aad_len,
                  const void *in, size_t n, void *out)
{
    if (n < CRYPTO_TAG_BYTES) return ST_ECORRUPT;
    size_t outn = n - CRYPTO_TAG_BYTES;
    int r = gnutls_aead_cipher_decrypt(a->h, nonce, CRYPTO_NONCE_BYTES, aad, aad_len, CRYPTO_TAG_BYTES, in, n, out,
                                       &outn);
    return r < 0 ? ST_ECORRUPT : 0;
}
