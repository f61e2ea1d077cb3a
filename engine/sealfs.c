/* sealfs: sealed write-once files over another vfs (see sealfs.h). */
#include "sealfs.h"

#include <errno.h>
#include <fcntl.h>
#include <gnutls/crypto.h>
#include <gnutls/gnutls.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>

#define MAGIC "STSE"
#define VERSION 1
#define SEG_PHYS (SEALFS_SEGMENT + CRYPTO_TAG_BYTES)

enum { KIND_OTHER = 15, KIND_SPILL = 9 };

typedef struct sfile {
    pthread_mutex_t mu; /* writing, and the finish a first pread does */
    bool writing;       /* still being written (not finished) */
    bool failed;        /* a seal or a write failed: nothing more is sealed (never the same counter twice) */
    uint64_t uid;       /* this open file in the segment cache */
    uint8_t key[CRYPTO_KEY_BYTES]; /* readers make their own AEAD from it: a handle is not thread-safe */
    crypto_aead *aead;  /* the writer's */
    uint8_t aad[32];    /* SHA-256 of the header */
    uint8_t *buf;       /* writing: pending plaintext */
    size_t blen;
    uint64_t seg;       /* writing: the next segment's number */
    uint64_t plain_len; /* bytes of contents */
    uint64_t nseg;      /* reading: segments in the file */
    size_t last_len;    /* reading: plaintext bytes of the last segment */
} sfile;

/* The segment cache: decrypted segments of files being read, shared by
 * every reader, bounded (cache_bytes), least recently used out first. */
#define SHARDS 16
typedef struct centry {
    uint64_t uid, seg, tick;
    uint32_t len;
    uint8_t *data;
} centry;
typedef struct cshard {
    pthread_mutex_t mu;
    centry *e;
    size_t n, cap;
    uint64_t tick;
} cshard;

typedef struct sealfs {
    vfs self;
    const vfs *base;
    crypto *keys;
    char *root;
    size_t root_len;
    pthread_mutex_t mu; /* the table below */
    sfile **files;      /* by fd */
    size_t nfiles;
    _Atomic uint64_t plain_reads, next_uid, hits, misses;
    bool plain_control; /* a plaintext catalog or users file may be read (encryption just turned on) */
    cshard cache[SHARDS];
} sealfs;

static sealfs *S(const vfs *v) { return v->ctx; }

/* ------------------------------------------------------------ tables */

static sfile *file_of(sealfs *s, int fd)
{
    pthread_mutex_lock(&s->mu);
    sfile *f = fd >= 0 && (size_t)fd < s->nfiles ? s->files[fd] : NULL;
    pthread_mutex_unlock(&s->mu);
    return f;
}

static void file_set(sealfs *s, int fd, sfile *f)
{
    pthread_mutex_lock(&s->mu);
    if ((size_t)fd >= s->nfiles) {
        size_t n = (size_t)fd * 2 + 16;
        s->files = st_realloc(s->files, n * sizeof *s->files);
        memset(s->files + s->nfiles, 0, (n - s->nfiles) * sizeof *s->files);
        s->nfiles = n;
    }
    s->files[fd] = f;
    pthread_mutex_unlock(&s->mu);
}

static void file_free(sfile *f)
{
    if (!f) return;
    explicit_bzero(f->key, sizeof f->key);
    crypto_aead_free(f->aead);
    if (f->buf) explicit_bzero(f->buf, SEALFS_SEGMENT);
    st_free(f->buf);
    pthread_mutex_destroy(&f->mu);
    st_free(f);
}

/* ------------------------------------------------------------- paths */

/* The path keys are bound to: relative to the root, a temporary name
 * keyed as its final one. false: not under the root, or a file left
 * unsealed (keys/, LOCK). */
static bool logical(const sealfs *s, const char *path, char *out, size_t cap, uint8_t *kind)
{
    if (strncmp(path, s->root, s->root_len) || path[s->root_len] != '/') return false;
    const char *rel = path + s->root_len + 1;
    if (!strncmp(rel, "keys/", 5) || !strcmp(rel, "LOCK")) return false;
    size_t o = 0;
    const char *last = rel;
    for (const char *c = rel; *c;) {
        const char *end = strchr(c, '/');
        size_t n = end ? (size_t)(end - c) : strlen(c);
        const char *part = c;
        if (n > 5 && !strncmp(part, ".tmp-", 5)) part += 5, n -= 5;
        if (!end && n > 4 && !strncmp(part + n - 4, ".tmp", 4)) n -= 4;
        if (o + n + 2 >= cap) return false;
        if (o) out[o++] = '/';
        memcpy(out + o, part, n);
        last = out + o;
        o += n;
        c = end ? end + 1 : c + strlen(c);
    }
    out[o] = 0;
    /* the WAL's segments and checkpoints take appends after fsyncs: the WAL
     * seals them itself, frame by frame (wal_seal.h) */
    if (!strncmp(out, "wal/", 4)) return false;
    static const char *const names[] = {"", "catalog", "users", "meta", "index", "chunks", "tombstones"};
    *kind = KIND_OTHER;
    for (uint8_t k = 1; k < 7; k++)
        if (!strcmp(last, names[k])) *kind = k;
    return true;
}

/* ----------------------------------------------------------- sealing */

static int keyed(sealfs *s, sfile *f, const uint8_t hdr[SEALFS_HEADER], const char *lpath)
{
    uint32_t seed = (uint32_t)hdr[8] << 24 | (uint32_t)hdr[9] << 16 | (uint32_t)hdr[10] << 8 | hdr[11];
    uint8_t key[CRYPTO_KEY_BYTES];
    st_err e = {0};
    int kr = crypto_file_key(s->keys, seed, hdr + 16, hdr[5], lpath, key, &e);
    if (kr) return kr == ST_ENOTFOUND ? -ENOKEY : -EBADMSG; /* a seed keys/ lacks: the keys given, not the file */
    int rc = crypto_aead_new(key, &f->aead, &e) ? -EIO : 0;
    memcpy(f->key, key, sizeof key);
    f->uid = atomic_fetch_add(&s->next_uid, 1) + 1;
    explicit_bzero(key, sizeof key);
    gnutls_hash_fast(GNUTLS_DIG_SHA256, hdr, SEALFS_HEADER, f->aad);
    return rc;
}

static sfile *sfile_new(void)
{
    sfile *f = st_calloc(1, sizeof *f);
    pthread_mutex_init(&f->mu, NULL);
    f->buf = st_malloc(SEALFS_SEGMENT);
    return f;
}

/* A new sealed file on fd: its header written. */
static int begin_write(sealfs *s, int fd, uint8_t kind, const char *lpath, sfile **out)
{
    uint8_t hdr[SEALFS_HEADER] = {0};
    memcpy(hdr, MAGIC, 4);
    hdr[4] = VERSION;
    hdr[5] = kind;
    uint32_t seed = crypto_seed(s->keys), seg = SEALFS_SEGMENT;
    for (int i = 0; i < 4; i++) hdr[8 + i] = (uint8_t)(seed >> (24 - 8 * i)), hdr[12 + i] = (uint8_t)(seg >> (24 - 8 * i));
    st_err e = {0};
    if (crypto_random(hdr + 16, CRYPTO_SALT_BYTES, &e)) return -EIO;
    sfile *f = sfile_new();
    f->writing = true;
    int rc = keyed(s, f, hdr, lpath);
    if (!rc) rc = vfs_pwrite_all(s->base, fd, hdr, SEALFS_HEADER, 0);
    if (rc) {
        file_free(f);
        return rc;
    }
    *out = f;
    return 0;
}

static int seal_segment(sealfs *s, int fd, sfile *f, bool last)
{
    if (f->failed) return -EIO;
    uint8_t nonce[CRYPTO_NONCE_BYTES], *ct = st_malloc(SEG_PHYS);
    crypto_nonce(f->seg, last, nonce);
    int rc = crypto_seal(f->aead, nonce, f->aad, sizeof f->aad, f->buf, f->blen, ct) ? -EIO : 0;
    if (!rc)
        rc = vfs_pwrite_all(s->base, fd, ct, f->blen + CRYPTO_TAG_BYTES,
                            (off_t)(SEALFS_HEADER + f->seg * (uint64_t)SEG_PHYS));
    st_free(ct);
    if (rc) {
        f->failed = true;
        return rc;
    }
    f->seg++;
    f->blen = 0;
    return 0;
}

static int append(sealfs *s, int fd, sfile *f, const uint8_t *p, size_t n)
{
    if (f->failed) return -EIO;
    while (n) {
        if (f->blen == SEALFS_SEGMENT) { /* more follows: this one is not the last */
            int rc = seal_segment(s, fd, f, false);
            if (rc) return rc;
        }
        size_t k = SEALFS_SEGMENT - f->blen < n ? SEALFS_SEGMENT - f->blen : n;
        memcpy(f->buf + f->blen, p, k);
        f->blen += k;
        f->plain_len += k;
        p += k;
        n -= k;
    }
    return 0;
}

/* The last segment sealed (an empty one for an empty file, so that a cut
 * at any segment boundary shows); the file is read-only after. */
static int finish(sealfs *s, int fd, sfile *f)
{
    if (!f->writing) return 0;
    size_t last = f->blen;
    int rc = seal_segment(s, fd, f, true);
    if (rc) return rc;
    f->writing = false;
    f->nseg = f->seg;
    f->last_len = last;
    return 0;
}

/* A sealed file opened for reading: header checked, segments counted. 1:
 * no header (plaintext from before). */
static int begin_read(sealfs *s, int fd, const char *lpath, sfile **out)
{
    uint64_t size;
    int rc = s->base->size(s->base, fd, &size);
    if (rc) return rc;
    uint8_t hdr[SEALFS_HEADER];
    if (size < SEALFS_HEADER) return 1;
    if ((rc = vfs_pread_all(s->base, fd, hdr, SEALFS_HEADER, 0))) return rc;
    if (memcmp(hdr, MAGIC, 4)) return 1;
    uint32_t seg = (uint32_t)hdr[12] << 24 | (uint32_t)hdr[13] << 16 | (uint32_t)hdr[14] << 8 | hdr[15];
    uint64_t body = size - SEALFS_HEADER;
    if (hdr[4] != VERSION || seg != SEALFS_SEGMENT || body < CRYPTO_TAG_BYTES) return -EBADMSG;
    sfile *f = sfile_new();
    f->nseg = (body + SEG_PHYS - 1) / SEG_PHYS;
    uint64_t last_phys = body - (f->nseg - 1) * SEG_PHYS;
    if (last_phys < CRYPTO_TAG_BYTES) {
        file_free(f);
        return -EBADMSG;
    }
    f->last_len = (size_t)(last_phys - CRYPTO_TAG_BYTES);
    f->plain_len = (f->nseg - 1) * (uint64_t)SEALFS_SEGMENT + f->last_len;
    if ((rc = keyed(s, f, hdr, lpath))) {
        file_free(f);
        return rc;
    }
    *out = f;
    return 0;
}

/* Copies [at, at + n) of segment i of f (finished) into out, from the
 * cache or decrypted into it. */
static int read_segment(sealfs *s, int fd, sfile *f, uint64_t i, size_t at, size_t n, uint8_t *out)
{
    cshard *sh = &s->cache[(f->uid * 31 + i) % SHARDS];
    pthread_mutex_lock(&sh->mu);
    for (size_t k = 0; k < sh->n; k++)
        if (sh->e[k].uid == f->uid && sh->e[k].seg == i) {
            memcpy(out, sh->e[k].data + at, n);
            sh->e[k].tick = ++sh->tick;
            pthread_mutex_unlock(&sh->mu);
            atomic_fetch_add(&s->hits, 1);
            return 0;
        }
    pthread_mutex_unlock(&sh->mu);
    atomic_fetch_add(&s->misses, 1);
    bool last = i + 1 == f->nseg;
    size_t plain = last ? f->last_len : SEALFS_SEGMENT;
    uint8_t *ct = st_malloc(plain + CRYPTO_TAG_BYTES), *pt = st_malloc(plain + 1), nonce[CRYPTO_NONCE_BYTES];
    int rc = vfs_pread_all(s->base, fd, ct, plain + CRYPTO_TAG_BYTES, (off_t)(SEALFS_HEADER + i * (uint64_t)SEG_PHYS));
    crypto_aead *a = NULL;
    st_err e = {0};
    if (!rc && crypto_aead_new(f->key, &a, &e)) rc = -EIO;
    crypto_nonce(i, last, nonce);
    if (!rc && crypto_unseal(a, nonce, f->aad, sizeof f->aad, ct, plain + CRYPTO_TAG_BYTES, pt))
        rc = -EBADMSG; /* changed, cut, moved, or another key */
    crypto_aead_free(a);
    st_free(ct);
    if (rc) {
        st_free(pt);
        return rc;
    }
    memcpy(out, pt + at, n);
    if (!sh->cap) { /* no cache */
        explicit_bzero(pt, plain);
        st_free(pt);
        return 0;
    }
    pthread_mutex_lock(&sh->mu);
    centry *slot = NULL;
    if (sh->n < sh->cap) {
        slot = &sh->e[sh->n++];
    } else {
        slot = &sh->e[0];
        for (size_t k = 1; k < sh->n; k++)
            if (sh->e[k].tick < slot->tick) slot = &sh->e[k];
        explicit_bzero(slot->data, slot->len);
        st_free(slot->data);
    }
    *slot = (centry){.uid = f->uid, .seg = i, .tick = ++sh->tick, .len = (uint32_t)plain, .data = pt};
    pthread_mutex_unlock(&sh->mu);
    return 0;
}

/* A file's cached segments, when it closes (its uid is not used again). */
static void cache_drop(sealfs *s, uint64_t uid)
{
    for (int k = 0; k < SHARDS; k++) {
        cshard *sh = &s->cache[k];
        pthread_mutex_lock(&sh->mu);
        for (size_t j = 0; j < sh->n;)
            if (sh->e[j].uid == uid) {
                explicit_bzero(sh->e[j].data, sh->e[j].len);
                st_free(sh->e[j].data);
                sh->e[j] = sh->e[--sh->n];
            } else {
                j++;
            }
        pthread_mutex_unlock(&sh->mu);
    }
}

/* ------------------------------------------------------------- the vfs */

static int s_open(const vfs *v, const char *path, int flags, int mode)
{
    sealfs *s = S(v);
    char lpath[4096];
    uint8_t kind = KIND_OTHER;
    bool sealed = !(flags & O_DIRECTORY) && logical(s, path, lpath, sizeof lpath, &kind);
    int acc = flags & O_ACCMODE;
    bool fresh = acc != O_RDONLY && (flags & O_CREAT) && (flags & (O_TRUNC | O_EXCL));
    if (sealed && acc != O_RDONLY && !fresh) { /* appending to a sealed file: not this layer's */
        int fd = s->base->open(s->base, path, O_RDONLY, 0);
        if (fd < 0) return s->base->open(s->base, path, flags, mode);
        sfile *f = NULL;
        int rc = begin_read(s, fd, lpath, &f);
        file_free(f);
        s->base->close(s->base, fd);
        if (rc != 1) return -EINVAL;
    }
    int fd = s->base->open(s->base, path, acc == O_WRONLY && fresh ? (flags & ~O_ACCMODE) | O_RDWR : flags, mode);
    if (fd < 0 || !sealed) return fd;
    sfile *f = NULL;
    int rc = fresh ? begin_write(s, fd, kind, lpath, &f) : acc == O_RDONLY ? begin_read(s, fd, lpath, &f) : 1;
    if (rc == 1) { /* plaintext from before encryption was on */
        if (!s->plain_control && (kind == 1 || kind == 2)) {
            /* who holds the users file holds the server: once encryption
             * is on, only a sealed one is taken (not one planted in the
             * clear by someone who can write the directory, keys aside) */
            s->base->close(s->base, fd);
            return -EBADMSG;
        }
        if (acc == O_RDONLY) atomic_fetch_add(&s->plain_reads, 1);
        return fd;
    }
    if (rc) {
        s->base->close(s->base, fd);
        return rc;
    }
    file_set(s, fd, f);
    return fd;
}

static int s_close(const vfs *v, int fd)
{
    sealfs *s = S(v);
    sfile *f = file_of(s, fd);
    int rc = 0;
    if (f) {
        rc = finish(s, fd, f);
        file_set(s, fd, NULL);
        cache_drop(s, f->uid);
        file_free(f);
    }
    int c = s->base->close(s->base, fd);
    return rc ? rc : c;
}

static ssize_t s_pwrite(const vfs *v, int fd, const void *buf, size_t n, off_t off)
{
    sealfs *s = S(v);
    sfile *f = file_of(s, fd);
    if (!f) return s->base->pwrite(s->base, fd, buf, n, off);
    pthread_mutex_lock(&f->mu);
    int rc = !f->writing || (uint64_t)off != f->plain_len ? -EINVAL : append(s, fd, f, buf, n);
    pthread_mutex_unlock(&f->mu);
    return rc ? rc : (ssize_t)n;
}

static ssize_t s_write(const vfs *v, int fd, const void *buf, size_t n)
{
    sealfs *s = S(v);
    sfile *f = file_of(s, fd);
    if (!f) return s->base->write(s->base, fd, buf, n);
    pthread_mutex_lock(&f->mu);
    int rc = !f->writing ? -EINVAL : append(s, fd, f, buf, n);
    pthread_mutex_unlock(&f->mu);
    return rc ? rc : (ssize_t)n;
}

static ssize_t s_pread(const vfs *v, int fd, void *buf, size_t n, off_t off)
{
    sealfs *s = S(v);
    sfile *f = file_of(s, fd);
    if (!f) return s->base->pread(s->base, fd, buf, n, off);
    pthread_mutex_lock(&f->mu);
    int rc = finish(s, fd, f); /* read back what was written (the spill) */
    pthread_mutex_unlock(&f->mu);
    size_t got = 0;
    uint64_t pos = (uint64_t)off;
    while (!rc && got < n && pos < f->plain_len) { /* finished: nothing below changes any more */
        uint64_t i = pos / SEALFS_SEGMENT;
        size_t at = (size_t)(pos % SEALFS_SEGMENT), have = (i + 1 == f->nseg ? f->last_len : SEALFS_SEGMENT) - at;
        size_t k = have < n - got ? have : n - got;
        if ((rc = read_segment(s, fd, f, i, at, k, (uint8_t *)buf + got))) break;
        got += k;
        pos += k;
    }
    return rc ? rc : (ssize_t)got;
}

static int s_fsync(const vfs *v, int fd)
{
    sealfs *s = S(v);
    sfile *f = file_of(s, fd);
    if (f) {
        pthread_mutex_lock(&f->mu);
        int rc = finish(s, fd, f);
        pthread_mutex_unlock(&f->mu);
        if (rc) return rc;
    }
    return s->base->fsync(s->base, fd);
}

static int s_ftruncate(const vfs *v, int fd, off_t len)
{
    sealfs *s = S(v);
    return file_of(s, fd) ? -EINVAL : s->base->ftruncate(s->base, fd, len);
}

static int s_size(const vfs *v, int fd, uint64_t *out)
{
    sealfs *s = S(v);
    sfile *f = file_of(s, fd);
    if (!f) return s->base->size(s->base, fd, out);
    pthread_mutex_lock(&f->mu);
    *out = f->plain_len;
    pthread_mutex_unlock(&f->mu);
    return 0;
}

/* A sealed file is not mapped: its readers pread it through the bounded
 * segment cache (block.c falls back to that on -ENOTSUP). */
static int s_map(const vfs *v, int fd, uint64_t len, const void **out)
{
    sealfs *s = S(v);
    return file_of(s, fd) ? -ENOTSUP : s->base->map(s->base, fd, len, out);
}

static void s_unmap(const vfs *v, const void *p, uint64_t len) { S(v)->base->unmap(S(v)->base, p, len); }

static int s_tmpfile(const vfs *v, const char *dir)
{
    sealfs *s = S(v);
    int fd = s->base->tmpfile(s->base, dir);
    if (fd < 0) return fd;
    sfile *f;
    /* unnamed, and gone at close: a key of its own from the salt; the
     * path is only the directory's */
    int rc = begin_write(s, fd, KIND_SPILL, dir, &f);
    if (rc) {
        s->base->close(s->base, fd);
        return rc;
    }
    file_set(s, fd, f);
    return fd;
}

#define PASS2(name, T1, T2)                                                                                  \
    static int s_##name(const vfs *v, T1 a, T2 b) { return S(v)->base->name(S(v)->base, a, b); }
PASS2(rename, const char *, const char *)
PASS2(mkdir, const char *, int)
#undef PASS2
static int s_unlink(const vfs *v, const char *p) { return S(v)->base->unlink(S(v)->base, p); }
static int s_rmdir(const vfs *v, const char *p) { return S(v)->base->rmdir(S(v)->base, p); }
static int s_list(const vfs *v, const char *dir, vfs_list_fn fn, void *ctx)
{
    return S(v)->base->list(S(v)->base, dir, fn, ctx);
}
static int s_lock(const vfs *v, const char *path, int *fd) { return S(v)->base->lock(S(v)->base, path, fd); }

int sealfs_new(const vfs *base, crypto *keys, const char *root, size_t cache_bytes, vfs **out, st_err *e)
{
    bool plain_control = keys && crypto_fresh(keys);
    if (!root || !*root) return st_fail(e, ST_EINVAL, "sealfs: no data directory");
    sealfs *s = st_calloc(1, sizeof *s);
    s->base = base;
    s->keys = keys;
    s->root_len = strlen(root);
    while (s->root_len > 1 && root[s->root_len - 1] == '/') s->root_len--;
    s->root = st_strndup(root, s->root_len);
    pthread_mutex_init(&s->mu, NULL);
    s->plain_control = plain_control;
    size_t per = cache_bytes / SEALFS_SEGMENT / SHARDS;
    for (int k = 0; k < SHARDS; k++) {
        pthread_mutex_init(&s->cache[k].mu, NULL);
        s->cache[k].cap = per;
        s->cache[k].e = st_calloc(per + 1, sizeof *s->cache[k].e);
    }
    s->self = (vfs){.open = s_open, .close = s_close, .write = s_write, .pwrite = s_pwrite, .pread = s_pread,
                    .fsync = s_fsync, .ftruncate = s_ftruncate, .rename = s_rename, .unlink = s_unlink,
                    .mkdir = s_mkdir, .rmdir = s_rmdir, .size = s_size, .list = s_list, .map = s_map,
                    .unmap = s_unmap, .tmpfile = s_tmpfile, .lock = s_lock, .ctx = s};
    *out = &s->self;
    return 0;
}

void sealfs_free(vfs *v)
{
    if (!v) return;
    sealfs *s = S(v);
    for (size_t i = 0; i < s->nfiles; i++) file_free(s->files[i]);
    for (int k = 0; k < SHARDS; k++) {
        for (size_t j = 0; j < s->cache[k].n; j++) {
            explicit_bzero(s->cache[k].e[j].data, s->cache[k].e[j].len);
            st_free(s->cache[k].e[j].data);
        }
        st_free(s->cache[k].e);
        pthread_mutex_destroy(&s->cache[k].mu);
    }
    st_free(s->files);
    pthread_mutex_destroy(&s->mu);
    st_free(s->root);
    st_free(s);
}

uint64_t sealfs_plain_reads(const vfs *v) { return atomic_load(&S(v)->plain_reads); }

void sealfs_cache_counts(const vfs *v, uint64_t *hits, uint64_t *misses)
{
    *hits = atomic_load(&S(v)->hits);
    *misses = atomic_load(&S(v)->misses);
}
