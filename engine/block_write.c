/* block_write: builds a block directory (layout documented in block.c).
 *
 * It writes format version 2. blk_writer_add cuts each series into chunks
 * at time-aligned spans (chunk_end; the rule and its measurements are in
 * block.c), computes each chunk's codec_stats and writes the record
 * statistics | codec chunk | crc. The writer streams records to
 * "<parent>/.tmp-<id>/chunks" through a 1 MiB buffer as series arrive, and
 * keeps only what the index needs in memory: the series keys, their meta and
 * each chunk's record length, mint and maxt (24 bytes a chunk).
 * Commit interns the label strings (hash tables, so the sort is over the
 * distinct strings only), writes index and meta, fsyncs every file and the
 * directory, renames the directory to "<parent>/<id>" and fsyncs the parent.
 *
 * Every error removes the temporary directory (and the final one when only
 * the parent's fsync failed, since its durability is then unknown), so a
 * failed commit leaves nothing behind that looks like a block. fsync errors
 * map to ST_EIO/ST_ENOSPC, not ST_EFATAL: the files whose state is unknown
 * are deleted and the data is written again from the head, never trusted.
 *
 * Validation errors from blk_writer_add (ST_EINVAL, ST_ERANGE) leave the
 * writer usable; an I/O error poisons it (every later call fails).
 */
#include "block.h"

#include "bits.h"
#include "block_fmt.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <unistd.h>
#include <zstd.h>

#define FLUSH_BYTES ((size_t)1 << 20)
/* zstd levels 1..19 measured on the TSBS-like index (10k series, 11 labels):
 * 1.68 to 1.91 bytes per series at every level, because the column layout
 * leaves zstd long exact repeats to find. So the cheap default it is. */
#define ZSTD_LEVEL 3

typedef struct wseries {
    uint64_t key_off;
    uint32_t key_len, nchunks;
    series_meta meta;
} wseries;

typedef struct wchunk {
    uint32_t len; /* the record: statistics and codec chunk, without the crc */
    int64_t mint, maxt;
} wchunk;

struct blk_writer {
    const vfs *v;
    char *parent, *tmp;
    char id[BLK_ID_LEN + 1];
    int64_t mint, maxt;
    int level;
    int fd;  /* chunks file, -1 once closed */
    int err; /* sticky I/O error */
    st_buf cbuf;
    st_buf keys, prev;
    bool have_prev;
    wseries *ser;
    size_t nser, capser;
    wchunk *chk;
    size_t nchk, capchk;
    uint64_t nsamples;
    char (*src)[BLK_ID_LEN + 1];
    size_t nsrc;
    bool bad_src;
    st_buf enc;
    label *ls;
    size_t lscap;
    int64_t *rel; /* timestamps of the chunk being encoded, from its mint */
    size_t relcap;
};

static int io_fail(st_err *e, int rc, const char *what, const char *path)
{
    return st_fail(e, st_from_errno(rc), "%s %s: %s", what, path, strerror(-rc));
}

/* ------------------------------------------------------------------------ */
/* Block ids                                                                */

static void fill_random(uint8_t *p, size_t n)
{
    static _Atomic uint64_t counter;
    if (getrandom(p, n, GRND_NONBLOCK) == (ssize_t)n) return;
    /* No entropy yet (early boot): time, pid and a counter, well mixed, are
     * unique enough for a directory name. */
    uint64_t seed[3] = {(uint64_t)st_now_ns(), (uint64_t)getpid(), ++counter};
    for (size_t i = 0; i < n; i += 8) {
        uint64_t h = st_hash64(seed, sizeof seed, i);
        memcpy(p + i, &h, n - i < 8 ? n - i : 8);
    }
}

/* ULID-like: 48 bits of Unix milliseconds then 80 random bits, in Crockford
 * base32, so ids sort by creation time. Within one process and millisecond
 * the random part is incremented instead of redrawn, so ids stay strictly
 * increasing there too. */
static void make_id(char out[BLK_ID_LEN + 1])
{
    static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
    static uint64_t last_ms, last_hi, last_lo; /* hi: 16 bits, lo: 64 bits */
    uint8_t r[10];
    fill_random(r, sizeof r);
    uint64_t ms = (uint64_t)(st_now_ns() / ST_NS_PER_MS) & (((uint64_t)1 << 48) - 1);
    pthread_mutex_lock(&mu);
    if (last_ms && ms <= last_ms) {
        ms = last_ms;
        if (++last_lo == 0) last_hi = (last_hi + 1) & 0xffff;
    } else {
        last_ms = ms;
        last_hi = (uint64_t)r[0] << 8 | r[1];
        memcpy(&last_lo, r + 2, 8);
    }
    unsigned __int128 x = (unsigned __int128)(ms << 16 | last_hi) << 64 | last_lo;
    pthread_mutex_unlock(&mu);
    for (int i = BLK_ID_LEN - 1; i >= 0; i--) {
        out[i] = BLK_CROCKFORD[(unsigned)(x & 31)];
        x >>= 5;
    }
    out[BLK_ID_LEN] = 0;
}

/* ------------------------------------------------------------------------ */
/* Open, add                                                                */

static void writer_free(blk_writer *w)
{
    if (w->fd >= 0) w->v->close(w->v, w->fd);
    st_free(w->parent);
    st_free(w->tmp);
    st_buf_free(&w->cbuf);
    st_buf_free(&w->keys);
    st_buf_free(&w->prev);
    st_buf_free(&w->enc);
    st_free(w->ser);
    st_free(w->chk);
    st_free(w->src);
    st_free(w->ls);
    st_free(w->rel);
    st_free(w);
}

int blk_writer_open(const vfs *v, const char *parent_dir, int64_t mint, int64_t maxt, int level,
                    blk_writer **out, st_err *e)
{
    *out = NULL;
    if (mint > maxt) return st_fail(e, ST_EINVAL, "block: mint > maxt");
    if (level < 1) return st_fail(e, ST_EINVAL, "block: level %d < 1", level);
    size_t plen = strlen(parent_dir);
    if (plen + BLK_ID_LEN + 16 > PATH_MAX)
        return st_fail(e, ST_EINVAL, "block: path too long: %s", parent_dir);
    blk_writer *w = st_calloc(1, sizeof *w);
    w->v = v;
    w->fd = -1;
    w->mint = mint;
    w->maxt = maxt;
    w->level = level;
    make_id(w->id);
    w->parent = st_strndup(parent_dir, plen);
    w->tmp = st_malloc(plen + BLK_ID_LEN + 8);
    snprintf(w->tmp, plen + BLK_ID_LEN + 8, "%s/.tmp-%s", parent_dir, w->id);
    int rc = v->mkdir(v, w->tmp, 0755);
    if (rc) {
        rc = io_fail(e, rc, "creating block directory", w->tmp);
        writer_free(w);
        return rc;
    }
    char path[PATH_MAX];
    snprintf(path, sizeof path, "%s/chunks", w->tmp);
    w->fd = v->open(v, path, O_WRONLY | O_CREAT | O_EXCL, 0644);
    if (w->fd < 0) {
        rc = io_fail(e, w->fd, "creating", path);
        w->fd = -1;
        blk_writer_abort(w);
        return rc;
    }
    st_buf_put(&w->cbuf, "STBC", 4);
    st_buf_putc(&w->cbuf, BLK_VERSION);
    *out = w;
    return 0;
}

static int flush(blk_writer *w, st_err *e)
{
    if (w->err) return st_fail(e, w->err, "block %s: an earlier write failed", w->id);
    if (!w->cbuf.len) return 0;
    int rc = vfs_write_all(w->v, w->fd, w->cbuf.p, w->cbuf.len);
    w->cbuf.len = 0;
    if (rc) {
        char path[PATH_MAX];
        snprintf(path, sizeof path, "%s/chunks", w->tmp);
        w->err = io_fail(e, rc, "writing", path);
    }
    return w->err;
}

static void fmt_key(const uint8_t *key, size_t len, char *out, size_t cap)
{
    st_buf b = {0};
    labels_format_key(key, len, &b);
    size_t n = b.len < cap - 1 ? b.len : cap - 1;
    if (n) memcpy(out, b.p, n);
    out[n] = 0;
    st_buf_free(&b);
}

/* A key must be canonical (labels.h): names non-empty and strictly
 * increasing, values non-empty, minimal varints (it re-encodes to itself).
 * Readers rebuild keys from the index, so anything else could not be found
 * again by blk_find. */
static int check_key(blk_writer *w, const uint8_t *key, size_t len, series_meta meta, st_err *e)
{
    size_t cnt = labels_key_count(key, len), n = 0;
    if (cnt == 0) return st_fail(e, ST_EINVAL, "block: malformed or empty series key");
    if (cnt > w->lscap) {
        w->lscap = cnt;
        w->ls = st_realloc(w->ls, cnt * sizeof *w->ls);
    }
    if (labels_key_parse(key, len, w->ls, cnt, &n) != 0 || n != cnt)
        return st_fail(e, ST_EINVAL, "block: malformed series key");
    size_t namelen = 0;
    for (size_t i = 0; i < n; i++) {
        if (!w->ls[i].name.n || !w->ls[i].value.n ||
            (i && st_slice_cmp(w->ls[i - 1].name, w->ls[i].name) >= 0))
            return st_fail(e, ST_EINVAL, "block: series key is not canonical");
        if (st_slice_eq(w->ls[i].name, st_slice_cstr(LABEL_METRIC_NAME))) namelen = w->ls[i].value.n;
    }
    w->enc.len = 0;
    labels_key(w->ls, n, &w->enc);
    if (w->enc.len != len || memcmp(w->enc.p, key, len) != 0)
        return st_fail(e, ST_EINVAL, "block: series key is not canonical");
    if (meta.type < ST_VT_FLOAT || meta.type > ST_VT_STRING)
        return st_fail(e, ST_EINVAL, "block: invalid value type %u", meta.type);
    if (meta.table_len > namelen)
        return st_fail(e, ST_EINVAL, "block: table_len %u longer than the metric name",
                       meta.table_len);
    return 0;
}

/* The span of BLK_CHUNK_SPAN ns (counted from the epoch) that holds t. */
static int64_t span_of(int64_t t)
{
    return t >= 0 ? t / BLK_CHUNK_SPAN : -1 - (-(t + 1)) / BLK_CHUNK_SPAN;
}

/* Where the chunk that starts at sample i ends (exclusive), by the rule in
 * block_fmt.h: at the first span boundary after at least BLK_CHUNK_MIN
 * samples that leaves at least BLK_CHUNK_MIN behind it (so a short span
 * joins the next one, and a short tail the chunk before it), or at a hard
 * limit. strs is NULL but for strings. */
static size_t chunk_end(const int64_t *ts, const st_slice *strs, size_t i, size_t n)
{
    size_t j = i + 1;
    uint64_t sb = strs ? strs[i].n : 0;
    for (; j < n; j++) {
        if (j - i == BLK_CHUNK_MAX_SAMPLES) break;
        if (strs && (sb += strs[j].n) > BLK_CHUNK_MAX_STRBYTES) break;
        if ((uint64_t)ts[j] - (uint64_t)ts[i] > INT64_MAX) break;
        if (j - i >= BLK_CHUNK_MIN && n - j >= BLK_CHUNK_MIN && span_of(ts[j]) != span_of(ts[j - 1]))
            break;
    }
    return j;
}

int blk_writer_add(blk_writer *w, const uint8_t *key, size_t keylen, series_meta meta,
                   const int64_t *ts, const uint64_t *vals, const st_slice *strs, size_t n,
                   st_err *e)
{
    char ks[256];
    if (w->err) return st_fail(e, w->err, "block %s: an earlier write failed", w->id);
    int rc = check_key(w, key, keylen, meta, e);
    if (rc) return rc;
    if (w->have_prev && blk_bytes_cmp(w->prev.p, w->prev.len, key, keylen) >= 0) {
        fmt_key(key, keylen, ks, sizeof ks);
        return st_fail(e, ST_EINVAL, "series %s: added out of key order", ks);
    }
    bool str = meta.type == ST_VT_STRING;
    if (n && (str ? !strs : !vals)) return st_fail(e, ST_EINVAL, "block: missing values");
    for (size_t i = 0; i < n; i++) {
        if (ts[i] < w->mint || ts[i] > w->maxt) {
            fmt_key(key, keylen, ks, sizeof ks);
            return st_fail(e, ST_ERANGE, "series %s: timestamp %lld outside the block [%lld, %lld]",
                           ks, (long long)ts[i], (long long)w->mint, (long long)w->maxt);
        }
        if (i && ts[i] <= ts[i - 1]) {
            fmt_key(key, keylen, ks, sizeof ks);
            return st_fail(e, ST_EINVAL, "series %s: timestamps not strictly increasing", ks);
        }
    }
    if (w->nser >= UINT32_MAX - 1)
        return st_fail(e, ST_ELIMIT, "block %s: too many series", w->id);

    /* Encode every chunk first, so a codec error changes nothing. */
    size_t first_chk = w->nchk, i = 0;
    w->enc.len = 0;
    while (i < n) {
        size_t j = chunk_end(ts, str ? strs : NULL, i, n), m = j - i;
        if (m > w->relcap) {
            w->relcap = m;
            w->rel = st_realloc(w->rel, m * sizeof *w->rel);
        }
        for (size_t k = 0; k < m; k++) w->rel[k] = (int64_t)((uint64_t)ts[i + k] - (uint64_t)ts[i]);
        codec_stats st;
        codec_stats_compute((st_vtype)meta.type, str ? NULL : vals + i, m, &st);
        size_t before = w->enc.len;
        blk_stats_put((st_vtype)meta.type, &st, &w->enc);
        rc = codec_encode((st_vtype)meta.type, w->rel, str ? NULL : vals + i, str ? strs + i : NULL, m,
                          &w->enc, e);
        size_t rlen = w->enc.len - before;
        if (rc == 0 && (rlen < 3 || rlen > UINT32_MAX / 2))
            rc = st_fail(e, ST_ELIMIT, "block: chunk of %zu bytes out of range", rlen);
        if (rc == 0 && w->nchk >= UINT32_MAX - 1)
            rc = st_fail(e, ST_ELIMIT, "block %s: too many chunks", w->id);
        if (rc) {
            w->nchk = first_chk;
            fmt_key(key, keylen, ks, sizeof ks);
            if (e) st_wrap(e, "series %s", ks);
            return rc;
        }
        uint8_t c[4];
        put_u32le(c, crc32c(0, w->enc.p + before, rlen));
        st_buf_put(&w->enc, c, 4);
        if (w->nchk == w->capchk) {
            w->capchk = w->capchk ? w->capchk * 2 : 1024;
            w->chk = st_realloc(w->chk, w->capchk * sizeof *w->chk);
        }
        w->chk[w->nchk++] = (wchunk){(uint32_t)rlen, ts[i], ts[j - 1]};
        i = j;
    }

    w->prev.len = 0;
    st_buf_put(&w->prev, key, keylen);
    w->have_prev = true;
    if (n == 0) return 0;
    if (w->nser == w->capser) {
        w->capser = w->capser ? w->capser * 2 : 1024;
        w->ser = st_realloc(w->ser, w->capser * sizeof *w->ser);
    }
    w->ser[w->nser++] = (wseries){w->keys.len, (uint32_t)keylen, (uint32_t)(w->nchk - first_chk), meta};
    st_buf_put(&w->keys, key, keylen);
    w->nsamples += n;
    st_buf_put(&w->cbuf, w->enc.p, w->enc.len);
    return w->cbuf.len >= FLUSH_BYTES ? flush(w, e) : 0;
}

void blk_writer_add_source(blk_writer *w, const char *src_id)
{
    if (strlen(src_id) != BLK_ID_LEN || !blk_id_valid((const uint8_t *)src_id)) {
        w->bad_src = true;
        return;
    }
    w->src = st_realloc(w->src, (w->nsrc + 1) * sizeof *w->src);
    memcpy(w->src[w->nsrc++], src_id, BLK_ID_LEN + 1);
}

/* ------------------------------------------------------------------------ */
/* Index                                                                    */

/* Open addressing over entry indexes (slot = index + 1, 0 = empty); the
 * callers keep each entry's 64-bit hash so that growing needs no rehash of
 * the strings. */
typedef struct htab {
    uint32_t *slot;
    size_t mask;
} htab;

static void ht_grow(htab *h, const uint64_t *hashes, size_t n)
{
    size_t cap = h->slot ? (h->mask + 1) * 2 : 1024;
    st_free(h->slot);
    h->slot = st_calloc(cap, sizeof *h->slot);
    h->mask = cap - 1;
    for (size_t i = 0; i < n; i++) {
        size_t s = hashes[i] & h->mask;
        while (h->slot[s]) s = (s + 1) & h->mask;
        h->slot[s] = (uint32_t)i + 1;
    }
}

typedef struct symtab {
    htab h;
    st_slice *s;
    uint64_t *hash;
    size_t n, cap;
} symtab;

static uint32_t sym_intern(symtab *t, st_slice s)
{
    if ((t->n + 1) * 2 > (t->h.slot ? t->h.mask + 1 : 0)) ht_grow(&t->h, t->hash, t->n);
    uint64_t hv = st_hash64(s.p, s.n, 0);
    size_t k = hv & t->h.mask;
    for (;; k = (k + 1) & t->h.mask) {
        uint32_t v = t->h.slot[k];
        if (!v) break;
        if (t->hash[v - 1] == hv && st_slice_eq(t->s[v - 1], s)) return v - 1;
    }
    if (t->n == t->cap) {
        t->cap = t->cap ? t->cap * 2 : 256;
        t->s = st_realloc(t->s, t->cap * sizeof *t->s);
        t->hash = st_realloc(t->hash, t->cap * sizeof *t->hash);
    }
    t->s[t->n] = s;
    t->hash[t->n] = hv;
    t->h.slot[k] = (uint32_t)++t->n;
    return (uint32_t)t->n - 1;
}


static uint64_t mix(uint64_t x)
{
    x ^= x >> 31;
    x *= 0x9E3779B97F4A7C15ull;
    return x ^ (x >> 29);
}

typedef struct sortsym {
    st_slice s;
    uint32_t u;
} sortsym;

static int sortsym_cmp(const void *a, const void *b)
{
    const sortsym *x = a, *y = b;
    return blk_bytes_cmp(x->s.p, x->s.n, y->s.p, y->s.n);
}

static int u64_cmp(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return (x > y) - (x < y);
}

/* Appends one index section, zstd-compressed when that is smaller. */
static void put_section(st_buf *out, uint8_t kind, const st_buf *raw)
{
    size_t start = out->len, zn = 0;
    uint8_t *z = NULL;
    if (raw->len >= 64) {
        size_t bound = ZSTD_compressBound(raw->len);
        z = st_malloc(bound);
        zn = ZSTD_compress(z, bound, raw->p, raw->len, ZSTD_LEVEL);
        if (ZSTD_isError(zn) || zn >= raw->len) zn = 0;
    }
    st_buf_putc(out, kind);
    varint_buf(out, raw->len);
    varint_buf(out, zn ? zn : raw->len);
    st_buf_putc(out, zn ? 1 : 0);
    st_buf_put(out, zn ? z : raw->p, zn ? zn : raw->len);
    uint8_t c[4];
    put_u32le(c, crc32c(0, out->p + start, out->len - start));
    st_buf_put(out, c, 4);
    st_free(z);
}

static void build_index(blk_writer *w, st_buf *out)
{
    /* labels of every series, as slices into w->keys (stable from now on) */
    size_t total = 0;
    uint32_t *nl = st_malloc((w->nser + 1) * sizeof *nl);
    for (size_t i = 0; i < w->nser; i++) {
        nl[i] = (uint32_t)labels_key_count(w->keys.p + w->ser[i].key_off, w->ser[i].key_len);
        total += nl[i];
    }
    label *ls = st_malloc((total + 1) * sizeof *ls);
    for (size_t i = 0, at = 0; i < w->nser; i++) {
        size_t got;
        labels_key_parse(w->keys.p + w->ser[i].key_off, w->ser[i].key_len, ls + at, nl[i], &got);
        at += nl[i];
    }

    /* symbols: intern, sort the distinct ones, rank */
    symtab st = {0};
    uint32_t *lname = st_malloc((total + 1) * sizeof *lname);
    uint32_t *lval = st_malloc((total + 1) * sizeof *lval);
    for (size_t k = 0; k < total; k++) {
        lname[k] = sym_intern(&st, ls[k].name);
        lval[k] = sym_intern(&st, ls[k].value);
    }
    sortsym *ss = st_malloc((st.n + 1) * sizeof *ss);
    for (size_t u = 0; u < st.n; u++) ss[u] = (sortsym){st.s[u], (uint32_t)u};
    qsort(ss, st.n, sizeof *ss, sortsym_cmp);
    uint32_t *rank = st_malloc((st.n + 1) * sizeof *rank);
    for (size_t r = 0; r < st.n; r++) rank[ss[r].u] = (uint32_t)r;

    /* pairs: (name rank, value rank) packed in a u64 orders as the pairs do */
    htab ph = {0};
    uint64_t *pkey = NULL, *phash = NULL;
    size_t np = 0, pcap = 0;
    uint32_t *lpair = st_malloc((total + 1) * sizeof *lpair);
    for (size_t k = 0; k < total; k++) {
        uint64_t key = (uint64_t)rank[lname[k]] << 32 | rank[lval[k]], hv = mix(key);
        if ((np + 1) * 2 > (ph.slot ? ph.mask + 1 : 0)) ht_grow(&ph, phash, np);
        size_t s = hv & ph.mask;
        while (ph.slot[s] && pkey[ph.slot[s] - 1] != key) s = (s + 1) & ph.mask;
        if (!ph.slot[s]) {
            if (np == pcap) {
                pcap = pcap ? pcap * 2 : 256;
                pkey = st_realloc(pkey, pcap * sizeof *pkey);
                phash = st_realloc(phash, pcap * sizeof *phash);
            }
            pkey[np] = key;
            phash[np] = hv;
            ph.slot[s] = (uint32_t)++np;
        }
        lpair[k] = ph.slot[s] - 1;
    }
    uint64_t *psorted = st_malloc((np + 1) * sizeof *psorted);
    if (np) memcpy(psorted, pkey, np * sizeof *pkey);
    qsort(psorted, np, sizeof *psorted, u64_cmp);
    uint32_t *prank = st_malloc((np + 1) * sizeof *prank);
    for (size_t r = 0; r < np; r++) {
        /* find the unique index of psorted[r] again through the table */
        size_t s = mix(psorted[r]) & ph.mask;
        while (pkey[ph.slot[s] - 1] != psorted[r]) s = (s + 1) & ph.mask;
        prank[ph.slot[s] - 1] = (uint32_t)r;
    }

    st_buf raw = {0};
    st_buf_put(out, "STBI", 4);
    st_buf_putc(out, BLK_VERSION);

    /* section symbols: front coded */
    varint_buf(&raw, st.n);
    for (size_t r = 0; r < st.n; r++) {
        size_t shared = 0;
        if (r) {
            st_slice a = ss[r - 1].s, b = ss[r].s;
            while (shared < a.n && shared < b.n && a.p[shared] == b.p[shared]) shared++;
        }
        varint_buf(&raw, shared);
        varint_buf(&raw, ss[r].s.n - shared);
        st_buf_put(&raw, ss[r].s.p + shared, ss[r].s.n - shared);
    }
    put_section(out, BLK_SEC_SYMBOLS, &raw);

    /* section pairs */
    raw.len = 0;
    varint_buf(&raw, np);
    for (size_t r = 0; r < np; r++) {
        uint64_t name = psorted[r] >> 32, val = psorted[r] & 0xffffffffu;
        uint64_t pname = r ? psorted[r - 1] >> 32 : 0, pval = r ? psorted[r - 1] & 0xffffffffu : 0;
        varint_buf(&raw, name - pname);
        varint_buf(&raw, r && name == pname ? val - pval : val);
    }
    put_section(out, BLK_SEC_PAIRS, &raw);

    /* section series, column by column; chunk times in units of the
     * largest tu that divides all of them (from the block's mint) */
    uint64_t tu = 0;
    for (size_t c = 0; c < w->nchk; c++) {
        tu = codec_gcd(tu, (uint64_t)w->chk[c].mint - (uint64_t)w->mint);
        tu = codec_gcd(tu, (uint64_t)w->chk[c].maxt - (uint64_t)w->mint);
    }
    if (tu == 0) tu = 1;
    raw.len = 0;
    varint_buf(&raw, w->nser);
    varint_buf(&raw, tu);
    for (size_t i = 0; i < w->nser; i++) varint_buf(&raw, nl[i]);
    for (size_t i = 0, at = 0; i < w->nser; at += nl[i], i++) varint_buf(&raw, prank[lpair[at]]);
    for (size_t i = 0, at = 0; i < w->nser; at += nl[i], i++)
        for (size_t k = at + 1; k < at + nl[i]; k++)
            varint_buf(&raw, prank[lpair[k]] - prank[lpair[k - 1]]);
    for (size_t i = 0; i < w->nser; i++) {
        st_buf_putc(&raw, w->ser[i].meta.type);
        varint_buf(&raw, w->ser[i].meta.table_len);
    }
    for (size_t i = 0; i < w->nser; i++) varint_buf(&raw, w->ser[i].nchunks);
    for (size_t c = 0; c < w->nchk; c++) varint_buf(&raw, w->chk[c].len);
    for (size_t i = 0, c = 0; i < w->nser; c += w->ser[i].nchunks, i++) {
        int64_t prev = w->mint;
        for (size_t k = c; k < c + w->ser[i].nchunks; k++) {
            varint_buf(&raw, ((uint64_t)w->chk[k].mint - (uint64_t)prev) / tu);
            prev = w->chk[k].maxt;
        }
    }
    for (size_t c = 0; c < w->nchk; c++)
        varint_buf(&raw, ((uint64_t)w->chk[c].maxt - (uint64_t)w->chk[c].mint) / tu);
    put_section(out, BLK_SEC_SERIES, &raw);

    st_buf_free(&raw);
    st_free(nl);
    st_free(ls);
    st_free(st.h.slot);
    st_free(st.s);
    st_free(st.hash);
    st_free(lname);
    st_free(lval);
    st_free(ss);
    st_free(rank);
    st_free(ph.slot);
    st_free(pkey);
    st_free(phash);
    st_free(lpair);
    st_free(psorted);
    st_free(prank);
}

static void build_meta(const blk_writer *w, st_buf *out)
{
    uint8_t f[BLK_META_FIXED];
    memcpy(f, "STBM", 4);
    f[4] = BLK_VERSION;
    memcpy(f + 5, w->id, BLK_ID_LEN);
    uint8_t *q = f + 5 + BLK_ID_LEN;
    put_u64le(q, (uint64_t)w->mint);
    put_u64le(q + 8, (uint64_t)w->maxt);
    put_u32le(q + 16, (uint32_t)w->level);
    put_u32le(q + 20, (uint32_t)w->nser);
    put_u64le(q + 24, w->nsamples);
    put_u64le(q + 32, w->nchk);
    put_u32le(q + 40, (uint32_t)w->nsrc);
    st_buf_put(out, f, sizeof f);
    for (size_t i = 0; i < w->nsrc; i++) st_buf_put(out, w->src[i], BLK_ID_LEN);
    uint8_t c[4];
    put_u32le(c, crc32c(0, out->p, out->len));
    st_buf_put(out, c, 4);
}

/* Creates dir/name with the bytes, fsyncs and closes it. */
static int write_file(const vfs *v, const char *dir, const char *name, const st_buf *b, st_err *e)
{
    char path[PATH_MAX];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    int fd = v->open(v, path, O_WRONLY | O_CREAT | O_EXCL, 0644);
    if (fd < 0) return io_fail(e, fd, "creating", path);
    int rc = vfs_write_all(v, fd, b->p, b->len);
    const char *what = "writing";
    if (rc == 0) {
        rc = v->fsync(v, fd);
        what = "fsync";
    }
    int crc = v->close(v, fd);
    if (rc == 0 && crc) {
        rc = crc;
        what = "closing";
    }
    return rc ? io_fail(e, rc, what, path) : 0;
}

/* ------------------------------------------------------------------------ */
/* Commit, abort                                                            */

int blk_writer_commit(blk_writer *w, char id_out[33], st_err *e)
{
    const vfs *v = w->v;
    char final[PATH_MAX];
    snprintf(final, sizeof final, "%s/%s", w->parent, w->id);
    int rc = 0, r;
    bool renamed = false;
    if (w->bad_src) rc = st_fail(e, ST_EINVAL, "block %s: invalid source block id", w->id);
    if (rc == 0) rc = flush(w, e);
    if (rc == 0 && (r = v->fsync(v, w->fd)) != 0) rc = io_fail(e, r, "fsync chunks of", w->tmp);
    if (rc == 0) {
        r = v->close(v, w->fd);
        w->fd = -1;
        if (r) rc = io_fail(e, r, "closing chunks of", w->tmp);
    }
    if (rc == 0) {
        st_buf b = {0};
        build_index(w, &b);
        rc = write_file(v, w->tmp, "index", &b, e);
        b.len = 0;
        if (rc == 0) {
            build_meta(w, &b);
            rc = write_file(v, w->tmp, "meta", &b, e);
        }
        st_buf_free(&b);
    }
    if (rc == 0 && (r = vfs_fsync_dir(v, w->tmp)) != 0) rc = io_fail(e, r, "fsync", w->tmp);
    if (rc == 0) {
        if ((r = v->rename(v, w->tmp, final)) != 0) rc = io_fail(e, r, "renaming", w->tmp);
        else renamed = true;
    }
    if (rc == 0 && (r = vfs_fsync_dir(v, w->parent)) != 0) rc = io_fail(e, r, "fsync", w->parent);
    if (rc) {
        if (w->fd >= 0) v->close(v, w->fd);
        w->fd = -1;
        vfs_remove_tree(v, renamed ? final : w->tmp);
        if (id_out) id_out[0] = 0;
    } else if (id_out) {
        memcpy(id_out, w->id, BLK_ID_LEN + 1);
    }
    writer_free(w);
    return rc;
}

void blk_writer_abort(blk_writer *w)
{
    if (!w) return;
    if (w->fd >= 0) w->v->close(w->v, w->fd);
    w->fd = -1;
    vfs_remove_tree(w->v, w->tmp);
    writer_free(w);
}
