/* influx: POST /write and POST /api/v2/write. Contract: influx.h.
 *
 * Per request: check the parameters as InfluxDB does (db first), gunzip
 * under --max-decoded-size, resolve the database (create it when allowed),
 * map the lines into one batch with import_line_ex (parsed in place: names
 * and values point into the body; known series through the cache below),
 * and hand the batch to store_write. Bad lines are dropped from the batch,
 * never the request: InfluxDB's partial write.
 *
 * A batch holds one type per series, while InfluxDB checks each point, in
 * order, against the type stored by then. So a line whose field type
 * differs from an earlier line's for the same series is deferred
 * (import_line_opts.defer) and written in a next round, after the first
 * batch: the store then refuses it or not, as InfluxDB would. Each round
 * removes at least one type per series: at most five rounds, and in
 * practice one.
 *
 * Where Strata answers otherwise than InfluxDB 1.6, on purpose (each is a
 * case of compat-tests/test_influx_write.py, checked against a real 1.6):
 *  - unsigned fields (12u) are stored; 1.6 refuses them;
 *  - precision us means microseconds and an unknown precision is a 400;
 *    1.6 reads both (and ns) as nanoseconds;
 *  - the store keeps a type per series, not per measurement and shard, and
 *    refuses the conflicting field value, not the whole point: the line's
 *    other fields are stored;
 *  - dropped=N counts the refused lines and field values (1.6 says
 *    dropped=0 for lines that do not parse);
 *  - an unknown rp is accepted (one retention per database);
 *  - a Content-Encoding other than gzip/identity is a 415 (1.6 ignores the
 *    header and parses the compressed bytes);
 *  - invalid UTF-8 in a tag or string value, and a tag named __name__, are
 *    refused; 1.6 stores them;
 *  - timestamps past now + --future-limit are refused (the store's rule).
 * Line protocol details (escapes, CRLF) are wire/lp.h's.
 */
#include "influx.h"

#include <inttypes.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "api.h"
#include "bits.h"
#include "catalog.h"
#include "json.h"

/* ------------------------------------------------------------ stats */

static _Atomic uint64_t st_cache_hits, st_cache_misses;
static _Atomic int64_t st_cache_entries, st_cache_bytes;
static _Atomic uint64_t st_requests[2], st_failed[2], st_bytes, st_lines, st_rejected[IMPORT_REJ_N],
    st_written, st_samples_rejected;

void influx_get_stats(influx_stats *o)
{
    memset(o, 0, sizeof *o);
    for (int i = 0; i < 2; i++) {
        o->requests[i] = atomic_load(&st_requests[i]);
        o->requests_failed[i] = atomic_load(&st_failed[i]);
    }
    o->bytes = atomic_load(&st_bytes);
    o->lines = atomic_load(&st_lines);
    for (int i = 0; i < IMPORT_REJ_N; i++) o->lines_rejected[i] = atomic_load(&st_rejected[i]);
    o->samples_written = atomic_load(&st_written);
    o->samples_rejected = atomic_load(&st_samples_rejected);
    o->cache_hits = atomic_load(&st_cache_hits);
    o->cache_misses = atomic_load(&st_cache_misses);
    int64_t n = atomic_load(&st_cache_entries), b = atomic_load(&st_cache_bytes);
    o->cache_entries = n > 0 ? (uint64_t)n : 0;
    o->cache_bytes = b > 0 ? (uint64_t)b : 0;
}

/* ------------------------------------------------------------ cache */

/* The series cache (import_cache) keeps ONE entry per line key, the
 * measurement and tags as a line spells them (lp_line.key): a TSBS-like
 * line carries 10 fields, i.e. 10 series of one tag set, and keyed per
 * field it cost 10 locks, probes and compares of the same ~150 bytes;
 * keyed per line it costs one. import_line_ex asks per field, so the
 * request's state (rcache) remembers the line it is on.
 *
 * An entry holds, per field key seen with that line key (in the order
 * first seen, which is the order senders keep), the canonical key's hash
 * and the head series the last write went to (store_series_ref: with it
 * store_write skips its key lookup). The canonical keys of one line's
 * series differ only in their __name__ label, and a key is its labels'
 * encodings one after the other (labels_key), so the entry keeps the bytes
 * before that label and those after it once, and per field the field key
 * and the __name__ label's encoding: about 100 bytes a series for TSBS's
 * 10 tags instead of ~400 (see g_cache_limit). Entries are compared byte for
 * byte, so a hash collision costs a miss, never a wrong series; only
 * spellings whose labels passed every check are put.
 *
 * Concurrency: 64 shards, each a mutex and two generations of an
 * open-addressing table (as server/prw.c's cache: a hit in the old
 * generation moves the entry to the current one; when the current one
 * passes its share of the limit the old one is dropped, so series still
 * written survive). Entries are reference counted: a request holds the
 * entries its batch uses until the batch is written, so it reads their
 * immutable parts (keys) without the lock whatever the shard does
 * meanwhile, and remembers which refs to refresh. The refs, the only
 * mutable part, are read and written under the shard lock. A new field
 * for a known line key replaces the entry by a larger copy. */
#define CACHE_SHARDS 64
/* 1M series of TSBS's shape (100,000 lines of 10 fields, ~1 KB an entry)
 * take ~100 MB; a generation holds half the limit and must hold the whole
 * working set, or every rotation evicts series still written. Memory
 * stays under about the limit plus the slot arrays. */
static _Atomic uint64_t g_cache_limit = 256ull << 20; /* --line-protocol-cache-size */
#define TOMB ((lentry *)1)
#define NOH UINT32_MAX /* no handle / not cached */

typedef struct lslot {
    uint64_t keyhash;     /* st_hash64 of the series' canonical key, seed 0 */
    store_series_ref ref; /* head series of the last write, zero = unknown */
    uint32_t off;         /* field key, then the __name__ label, in the data */
    uint16_t flen, nlen;
} lslot;

typedef struct lentry {
    uint64_t h;            /* st_hash64 of the written key (line_seed) */
    _Atomic uint32_t refs; /* the table's, plus one per request holding it */
    uint32_t nf, wlen, prelen, suflen, size;
    lslot f[];             /* nf slots, then: written key, before, after, fields' data */
} lentry;

typedef struct cslot {
    uint64_t h;
    lentry *c; /* NULL = empty, TOMB = moved to the current generation */
} cslot;

typedef struct ctab {
    cslot *slots;
    size_t cap, n, tombs, bytes;
} ctab;

typedef struct cshard {
    pthread_mutex_t mu;
    ctab cur, old;
    char pad[64]; /* keep neighbouring shards' locks off one cache line */
} cshard;

static cshard g_shards[CACHE_SHARDS];
static pthread_once_t g_once = PTHREAD_ONCE_INIT;
static const uint64_t line_seed = 0x6c696e656b6579; /* apart from other st_hash64 uses */

static void cache_init(void)
{
    for (int i = 0; i < CACHE_SHARDS; i++) pthread_mutex_init(&g_shards[i].mu, NULL);
}

static const uint8_t *le_written(const lentry *c) { return (const uint8_t *)(c->f + c->nf); }
static const uint8_t *le_pre(const lentry *c) { return le_written(c) + c->wlen; }
static const uint8_t *le_suf(const lentry *c) { return le_pre(c) + c->prelen; }
static const uint8_t *le_field(const lentry *c, uint32_t j) { return le_written(c) + c->f[j].off; }

static void lentry_unref(lentry *c)
{
    if (atomic_fetch_sub_explicit(&c->refs, 1, memory_order_acq_rel) == 1) st_free(c);
}

static void stats_in(const lentry *c, int sign)
{
    atomic_fetch_add(&st_cache_entries, sign * (int64_t)c->nf);
    atomic_fetch_add(&st_cache_bytes, sign * (int64_t)c->size);
}

static size_t tab_find(const ctab *t, uint64_t h, const char *w, size_t wn)
{
    if (!t->cap) return SIZE_MAX;
    size_t j = h & (t->cap - 1);
    for (const cslot *sl; (sl = &t->slots[j])->c; j = (j + 1) & (t->cap - 1)) {
        if (sl->h != h || sl->c == TOMB) continue;
        const lentry *c = sl->c;
        if (c->wlen == wn && memcmp(le_written(c), w, wn) == 0) return j;
    }
    return SIZE_MAX;
}

static void tab_put(ctab *t, uint64_t h, lentry *c)
{
    if ((t->n + t->tombs + 1) * 2 > t->cap) {
        size_t nc = t->cap ? t->cap : 64;
        while ((t->n + 1) * 2 > nc) nc *= 2;
        if (nc == t->cap && t->tombs == 0) nc *= 2;
        cslot *s = st_calloc(nc, sizeof *s);
        for (size_t i = 0; i < t->cap; i++) {
            cslot x = t->slots[i];
            if (!x.c || x.c == TOMB) continue;
            size_t j = x.h & (nc - 1);
            while (s[j].c) j = (j + 1) & (nc - 1);
            s[j] = x;
        }
        st_free(t->slots);
        t->slots = s;
        t->cap = nc;
        t->tombs = 0;
    }
    size_t j = h & (t->cap - 1);
    while (t->slots[j].c && t->slots[j].c != TOMB) j = (j + 1) & (t->cap - 1);
    if (t->slots[j].c == TOMB) t->tombs--;
    t->slots[j] = (cslot){.h = h, .c = c};
    t->n++;
    t->bytes += c->size;
}

static void tab_free(ctab *t)
{
    for (size_t i = 0; i < t->cap; i++) {
        lentry *c = t->slots[i].c;
        if (c && c != TOMB) {
            stats_in(c, -1);
            lentry_unref(c);
        }
    }
    st_free(t->slots);
    memset(t, 0, sizeof *t);
}

void influx_cache_set_limit(uint64_t bytes) { atomic_store(&g_cache_limit, bytes); }

static void shard_maybe_rotate(cshard *sh)
{
    if (sh->cur.bytes <= atomic_load(&g_cache_limit) / (2 * CACHE_SHARDS)) return;
    tab_free(&sh->old);
    sh->old = sh->cur;
    memset(&sh->cur, 0, sizeof sh->cur);
}

/* The entry for the written key (shard locked), moved to the current
 * generation if it was in the old one; NULL if absent. */
static lentry *shard_lookup(cshard *sh, uint64_t h, const char *w, size_t wn)
{
    size_t j = tab_find(&sh->cur, h, w, wn);
    if (j != SIZE_MAX) return sh->cur.slots[j].c;
    if ((j = tab_find(&sh->old, h, w, wn)) == SIZE_MAX) return NULL;
    lentry *c = sh->old.slots[j].c;
    sh->old.slots[j].c = TOMB;
    sh->old.n--;
    sh->old.tombs++;
    sh->old.bytes -= c->size;
    tab_put(&sh->cur, h, c);
    shard_maybe_rotate(sh);
    return c;
}

/* Puts c in place of the entry for its written key, if any (shard locked;
 * the table's reference moves to c). */
static void shard_replace(cshard *sh, lentry *c)
{
    const char *w = (const char *)le_written(c);
    stats_in(c, 1);
    for (int g = 0; g < 2; g++) {
        ctab *t = g ? &sh->old : &sh->cur;
        size_t j = tab_find(t, c->h, w, c->wlen);
        if (j == SIZE_MAX) continue;
        lentry *was = t->slots[j].c;
        t->slots[j].c = c;
        t->bytes = t->bytes - was->size + c->size;
        stats_in(was, -1);
        lentry_unref(was);
        shard_maybe_rotate(sh);
        return;
    }
    tab_put(&sh->cur, c->h, c);
    shard_maybe_rotate(sh);
}

/* What one request's batch took from the cache. */
typedef struct held {
    lentry *c;
    uint32_t at; /* its slots' batch handles, types and refs: [at, at + c->nf) */
} held;

/* A series of the current line that the cache did not know, to be added
 * to its entry when the line is done. */
typedef struct pfield {
    uint32_t foff, noff; /* in rcache.pend */
    uint16_t flen, nlen;
    uint64_t keyhash;
    uint32_t handle;
    uint8_t type;
    bool known; /* another request put it first */
} pfield;

/* A request's side of the cache (import_cache.ctx). */
typedef struct rcache {
    store_batch *b;
    /* the line being added: its written key, entry and likely next slot */
    const char *wp;
    size_t wn;
    uint64_t wh;
    uint32_t cur, next;
    /* the field add() last missed, for put() */
    const char *fp;
    size_t fn;
    series_meta meta;
    /* entries the batch uses, each once (pm: held index + 1 by address),
     * and per slot the batch handle (NOH = not added yet), its type and
     * the ref the cache had */
    held *hv;
    size_t nh, caph;
    uint32_t *hnd;
    uint8_t *htype;
    store_series_ref *href;
    size_t nhnd, caphnd;
    uint32_t *pm;
    size_t pmcap;
    /* the current line's new series: field keys and name labels in pend,
     * the key bytes around the name label in pre and suf */
    pfield *pf;
    size_t npf, cappf;
    st_buf pend, pre, suf;
    bool have_ps;
    st_buf key; /* a canonical key put back together */
    uint64_t hits, misses;
} rcache;

static size_t pm_home(const rcache *X, const lentry *c)
{
    return (size_t)(((uint64_t)(uintptr_t)c * 0x9e3779b97f4a7c15ull) >> 20) & (X->pmcap - 1);
}

static uint32_t held_find(const rcache *X, const lentry *c)
{
    if (!X->pmcap) return NOH;
    for (size_t j = pm_home(X, c); X->pm[j]; j = (j + 1) & (X->pmcap - 1))
        if (X->hv[X->pm[j] - 1].c == c) return X->pm[j] - 1;
    return NOH;
}

/* Holds c for the batch (its shard locked: the refs are copied). */
static uint32_t held_add(rcache *X, lentry *c)
{
    if ((X->nh + 1) * 2 > X->pmcap) {
        st_free(X->pm);
        X->pmcap = X->pmcap ? X->pmcap * 2 : 256;
        X->pm = st_calloc(X->pmcap, sizeof *X->pm);
        for (size_t i = 0; i < X->nh; i++) {
            size_t j = pm_home(X, X->hv[i].c);
            while (X->pm[j]) j = (j + 1) & (X->pmcap - 1);
            X->pm[j] = (uint32_t)i + 1;
        }
    }
    if (X->nh == X->caph) {
        X->caph = X->caph ? X->caph * 2 : 64;
        X->hv = st_realloc(X->hv, X->caph * sizeof *X->hv);
    }
    if (X->nhnd + c->nf > X->caphnd) {
        X->caphnd = (X->nhnd + c->nf) * 2;
        X->hnd = st_realloc(X->hnd, X->caphnd * sizeof *X->hnd);
        X->htype = st_realloc(X->htype, X->caphnd);
        X->href = st_realloc(X->href, X->caphnd * sizeof *X->href);
    }
    uint32_t k = (uint32_t)X->nh++;
    X->hv[k] = (held){.c = c, .at = (uint32_t)X->nhnd};
    for (uint32_t j = 0; j < c->nf; j++) {
        X->hnd[X->nhnd + j] = NOH;
        X->htype[X->nhnd + j] = 0;
        X->href[X->nhnd + j] = c->f[j].ref;
    }
    X->nhnd += c->nf;
    atomic_fetch_add_explicit(&c->refs, 1, memory_order_relaxed);
    size_t j = pm_home(X, c);
    while (X->pm[j]) j = (j + 1) & (X->pmcap - 1);
    X->pm[j] = k + 1;
    return k;
}

static bool bytes_eq(const st_buf *b, const uint8_t *p, size_t n)
{
    return b->len == n && (n == 0 || memcmp(b->p, p, n) == 0);
}

/* The current line is done: its new series join its entry (a new one, or
 * a larger copy of the one there), held for the batch like a hit. */
static void rcache_commit(rcache *X)
{
    if (!X->npf) return;
    cshard *sh = &g_shards[X->wh >> 58];
    pthread_mutex_lock(&sh->mu);
    lentry *c = shard_lookup(sh, X->wh, X->wp, X->wn);
    /* keys around the name label differ only if the labels' rules did:
     * then the entry is replaced rather than mixed */
    if (c && !(bytes_eq(&X->pre, le_pre(c), c->prelen) && bytes_eq(&X->suf, le_suf(c), c->suflen)))
        c = NULL;
    uint32_t nold = c ? c->nf : 0, nnew = 0;
    size_t data = X->wn + X->pre.len + X->suf.len;
    for (uint32_t j = 0; j < nold; j++) data += (size_t)c->f[j].flen + c->f[j].nlen;
    for (size_t i = 0; i < X->npf; i++) {
        pfield *p = &X->pf[i];
        bool known = false;
        for (uint32_t j = 0; j < nold && !known; j++)
            known = c->f[j].flen == p->flen && memcmp(le_field(c, j), X->pend.p + p->foff, p->flen) == 0;
        p->known = known;
        if (known) continue;
        nnew++;
        data += (size_t)p->flen + p->nlen;
    }
    size_t size = sizeof(lentry) + (size_t)(nold + nnew) * sizeof(lslot) + data;
    if (nnew && size <= UINT32_MAX) {
        lentry *n = st_malloc(size);
        n->h = X->wh;
        atomic_init(&n->refs, 1);
        n->nf = nold + nnew;
        n->wlen = (uint32_t)X->wn;
        n->prelen = (uint32_t)X->pre.len;
        n->suflen = (uint32_t)X->suf.len;
        n->size = (uint32_t)size;
        uint8_t *d = (uint8_t *)(n->f + n->nf), *p = d;
        memcpy(p, X->wp, X->wn);
        p += X->wn;
        if (X->pre.len) memcpy(p, X->pre.p, X->pre.len);
        p += X->pre.len;
        if (X->suf.len) memcpy(p, X->suf.p, X->suf.len);
        p += X->suf.len;
        uint32_t j = 0;
        for (; j < nold; j++) {
            n->f[j] = c->f[j];
            n->f[j].off = (uint32_t)(p - d);
            memcpy(p, le_field(c, j), (size_t)c->f[j].flen + c->f[j].nlen);
            p += c->f[j].flen + c->f[j].nlen;
        }
        for (size_t i = 0; i < X->npf; i++) {
            const pfield *q = &X->pf[i];
            if (q->known) continue;
            n->f[j] = (lslot){.keyhash = q->keyhash, .off = (uint32_t)(p - d), .flen = q->flen, .nlen = q->nlen};
            memcpy(p, X->pend.p + q->foff, q->flen);
            memcpy(p + q->flen, X->pend.p + q->noff, q->nlen);
            p += q->flen + q->nlen;
            j++;
        }
        shard_replace(sh, n);
        /* the batch's handles of the new series, so that their refs are
         * remembered after the write */
        uint32_t k = held_add(X, n), s = nold;
        for (size_t i = 0; i < X->npf; i++) {
            const pfield *q = &X->pf[i];
            if (q->known) continue;
            X->hnd[X->hv[k].at + s] = q->handle;
            X->htype[X->hv[k].at + s] = q->type;
            s++;
        }
    }
    pthread_mutex_unlock(&sh->mu);
    X->npf = 0;
    X->pend.len = X->pre.len = X->suf.len = 0;
    X->have_ps = false;
}

/* A new line: its entry, held for the batch. */
static void line_begin(rcache *X, st_slice w)
{
    rcache_commit(X);
    X->wp = w.p;
    X->wn = w.n;
    X->wh = st_hash64(w.p, w.n, line_seed);
    X->cur = NOH;
    X->next = 0;
    cshard *sh = &g_shards[X->wh >> 58];
    pthread_mutex_lock(&sh->mu);
    lentry *c = shard_lookup(sh, X->wh, w.p, w.n);
    if (c) {
        uint32_t k = held_find(X, c);
        X->cur = k != NOH ? k : held_add(X, c);
    }
    pthread_mutex_unlock(&sh->mu);
}

static int cache_add(void *ctx, uint64_t h, st_slice w, st_slice f, series_meta meta, store_batch *b,
                     uint32_t *handle, int *rc, st_err *e)
{
    (void)h;
    rcache *X = ctx;
    X->b = b;
    if (w.p != X->wp || w.n != X->wn) line_begin(X, w);
    X->fp = f.p;
    X->fn = f.n;
    X->meta = meta;
    if (X->cur == NOH) {
        X->misses++;
        return 0;
    }
    const held *H = &X->hv[X->cur];
    const lentry *c = H->c;
    uint32_t j = X->next;
    if (j >= c->nf || c->f[j].flen != f.n || memcmp(le_field(c, j), f.p, f.n) != 0) {
        for (j = 0; j < c->nf; j++)
            if (c->f[j].flen == f.n && memcmp(le_field(c, j), f.p, f.n) == 0) break;
        if (j == c->nf) {
            X->misses++;
            return 0;
        }
    }
    X->next = j + 1;
    X->hits++;
    size_t k = H->at + j;
    if (X->hnd[k] != NOH && X->htype[k] == meta.type) {
        /* already in this batch: the same handle, without the batch's
         * lookup and compare of the whole key */
        *handle = X->hnd[k];
        *rc = 0;
        return 1;
    }
    const lslot *sl = &c->f[j];
    X->key.len = 0;
    st_buf_put(&X->key, le_pre(c), c->prelen);
    st_buf_put(&X->key, le_field(c, j) + sl->flen, sl->nlen);
    st_buf_put(&X->key, le_suf(c), c->suflen);
    *rc = store_batch_series_key_ref(b, X->key.p, X->key.len, sl->keyhash, meta, &X->href[k], handle, e);
    if (*rc == 0) {
        X->hnd[k] = *handle;
        X->htype[k] = meta.type;
    }
    return 1;
}

static void cache_put(void *ctx, uint64_t h, st_slice w, st_slice f, const uint8_t *key, size_t klen,
                      uint64_t keyhash)
{
    (void)h;
    rcache *X = ctx;
    /* only the series add() just missed: its line, type and batch */
    if (w.p != X->wp || w.n != X->wn || f.p != X->fp || f.n != X->fn || f.n > UINT16_MAX) return;
    /* the __name__ label's encoding: from the end of the label before it
     * to the end of its value */
    label stack[64], *ls = stack;
    size_t cnt = labels_key_count(key, klen), n = 0;
    if (!cnt) return;
    if (cnt > ST_ARRAY_LEN(stack)) ls = st_malloc(cnt * sizeof *ls);
    size_t ns = SIZE_MAX, ne = 0;
    if (labels_key_parse(key, klen, ls, cnt, &n) == 0) {
        for (size_t i = 0; i < n; i++) {
            if (ls[i].name.n != strlen(LABEL_METRIC_NAME) || memcmp(ls[i].name.p, LABEL_METRIC_NAME, ls[i].name.n))
                continue;
            ns = i ? (size_t)((const uint8_t *)ls[i - 1].value.p + ls[i - 1].value.n - key) : 0;
            ne = (size_t)((const uint8_t *)ls[i].value.p + ls[i].value.n - key);
            break;
        }
    }
    if (ls != stack) st_free(ls);
    if (ns == SIZE_MAX || ne - ns > UINT16_MAX || X->pend.len + f.n + (ne - ns) > UINT32_MAX) return;
    const uint8_t *suf = key + ne;
    size_t suflen = klen - ne;
    if (!X->have_ps) {
        if (X->cur != NOH) {
            const lentry *c = X->hv[X->cur].c;
            if (c->prelen != ns || c->suflen != suflen || memcmp(le_pre(c), key, ns) ||
                memcmp(le_suf(c), suf, suflen))
                return;
        }
        st_buf_put(&X->pre, key, ns);
        st_buf_put(&X->suf, suf, suflen);
        X->have_ps = true;
    } else if (!bytes_eq(&X->pre, key, ns) || !bytes_eq(&X->suf, suf, suflen)) {
        return;
    }
    /* its batch handle (the batch has the key: no conflict, no copy) */
    uint32_t hd;
    if (store_batch_series_key(X->b, key, klen, keyhash, X->meta, &hd, NULL) != 0) hd = NOH;
    if (X->npf == X->cappf) {
        X->cappf = X->cappf ? X->cappf * 2 : 16;
        X->pf = st_realloc(X->pf, X->cappf * sizeof *X->pf);
    }
    X->pf[X->npf++] = (pfield){.foff = (uint32_t)X->pend.len, .flen = (uint16_t)f.n,
                               .noff = (uint32_t)(X->pend.len + f.n), .nlen = (uint16_t)(ne - ns),
                               .keyhash = keyhash, .handle = hd, .type = X->meta.type, .known = false};
    st_buf_put(&X->pend, f.p, f.n);
    st_buf_put(&X->pend, key + ns, ne - ns);
}

/* After the batch's write: the head series each held slot resolved to is
 * remembered (only where it changed: a new series, or one that left
 * memory), then the entries are let go for the next batch. */
static void rcache_round_end(rcache *X, const store_batch *b)
{
    rcache_commit(X);
    for (size_t i = 0; i < X->nh; i++) {
        lentry *c = X->hv[i].c;
        uint32_t at = X->hv[i].at;
        cshard *sh = NULL;
        for (uint32_t j = 0; j < c->nf; j++) {
            if (X->hnd[at + j] == NOH) continue;
            store_series_ref r;
            store_batch_ref(b, X->hnd[at + j], &r);
            const store_series_ref *was = &X->href[at + j];
            if (!r.epoch || (r.epoch == was->epoch && r.shard == was->shard && r.id == was->id)) continue;
            if (!sh) {
                sh = &g_shards[c->h >> 58];
                pthread_mutex_lock(&sh->mu);
            }
            c->f[j].ref = r;
        }
        if (sh) pthread_mutex_unlock(&sh->mu);
        lentry_unref(c);
    }
    X->nh = X->nhnd = 0;
    if (X->pm) memset(X->pm, 0, X->pmcap * sizeof *X->pm);
    X->wp = NULL;
    X->wn = 0;
    X->cur = NOH;
    atomic_fetch_add(&st_cache_hits, X->hits);
    atomic_fetch_add(&st_cache_misses, X->misses);
    X->hits = X->misses = 0;
}

static void rcache_free(rcache *X)
{
    st_free(X->hv);
    st_free(X->hnd);
    st_free(X->htype);
    st_free(X->href);
    st_free(X->pm);
    st_free(X->pf);
    st_buf_free(&X->pend);
    st_buf_free(&X->pre);
    st_buf_free(&X->suf);
    st_buf_free(&X->key);
}

/* ---------------------------------------------------------- answers */

/* 2.x's error codes (its errors.E* constants) by status. */
static const char *v2_code(int status)
{
    switch (status) {
    case 400: return "invalid";
    case 401: return "unauthorized";
    case 403: return "forbidden";
    case 404: return "not found";
    case 405: return "method not allowed";
    case 413: return "request too large";
    case 415: return "unsupported media type";
    case 429: return "too many requests";
    case 503: return "unavailable";
    default: return "internal error";
    }
}

void influx_error(http_resp *rs, influx_api api, int status, const char *msg)
{
    rs->status = status;
    rs->content_type = "application/json";
    rs->body.len = 0;
    /* Go's encoding/json escaping (< > & too), as InfluxDB's bodies have it */
    if (api == INFLUX_V1) {
        st_buf_put(&rs->body, "{\"error\":", 9);
        json_str_ex(&rs->body, msg, strlen(msg), JSON_ESC_HTML);
        st_buf_put(&rs->body, "}\n", 2);
        /* a header value must not hold line breaks, and is kept short */
        char h[128];
        size_t n = 0;
        for (; msg[n] && n < sizeof h - 1; n++) h[n] = (unsigned char)msg[n] < 0x20 ? ' ' : msg[n];
        h[n] = 0;
        http_set_header(rs, "X-Influxdb-Error", h);
    } else {
        st_buf_printf(&rs->body, "{\"code\":\"%s\",\"message\":", v2_code(status));
        json_str_ex(&rs->body, msg, strlen(msg), JSON_ESC_HTML);
        st_buf_put(&rs->body, "}\n", 2);
    }
}

static void fail(http_resp *rs, influx_api api, int status, const char *msg)
{
    atomic_fetch_add(&st_failed[api], 1);
    influx_error(rs, api, status, msg);
}

static void failf(http_resp *rs, influx_api api, int status, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static void failf(http_resp *rs, influx_api api, int status, const char *fmt, ...)
{
    char msg[ST_ERR_MSG + 128];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    fail(rs, api, status, msg);
}

void influx_too_large(http_resp *rs, influx_api api, uint64_t max_body)
{
    atomic_fetch_add(&st_requests[api], 1);
    failf(rs, api, 413, "Request Entity Too Large: the body is larger than --max-body-size (%llu bytes)",
          (unsigned long long)max_body);
}

/* A storage failure: nothing of the request is acknowledged. Limits are
 * worth retrying; 1.x Telegraf retries only 5xx. */
static void fail_storage(http_resp *rs, influx_api api, int code, const char *msg)
{
    const char *retry = NULL;
    int status;
    switch (code) {
    case ST_ELIMIT: status = api == INFLUX_V1 ? 503 : 429; retry = "5"; break;
    case ST_ENOSPC: status = 503; retry = "30"; break;
    case ST_ECLOSED: status = 503; retry = "5"; break;
    case ST_ENOTFOUND: status = 404; break;
    default: status = 500; break;
    }
    if (retry) http_set_header(rs, "Retry-After", retry);
    fail(rs, api, status, api_client_message(code, msg));
}

/* ---------------------------------------------------------- handler */

#define MAX_REASONS 10

/* The refused lines' messages, as the answer will show them. */
typedef struct reasons {
    st_buf text;
    uint64_t shown, more;
} reasons;

static void on_reject(void *ctx, size_t lineno, import_reject why, int code, const char *msg)
{
    (void)why;
    (void)code;
    reasons *r = ctx;
    if (r->shown == MAX_REASONS) {
        r->more++;
        return;
    }
    if (r->shown++) st_buf_putc(&r->text, '\n');
    st_buf_printf(&r->text, "%s (line %zu)", msg, lineno);
}

/* What writing a body came to, over its rounds. */
typedef struct outcome {
    uint64_t lines, lines_bad, rejected[IMPORT_REJ_N];
    uint64_t accepted, refused; /* field values, by the store */
    int first_code;             /* of the store's first refusal */
    char first_error[256];
    int fail_code;              /* storage failure or head memory limit: stop */
    char fail_msg[ST_ERR_MSG];
} outcome;

static void add_stats(outcome *out, const import_stats *st)
{
    out->lines_bad += st->lines_bad;
    for (int i = 0; i < IMPORT_REJ_N; i++) out->rejected[i] += st->rejected[i];
}

static void write_round(store *s, const char *db, store_batch *b, outcome *out)
{
    if (!store_batch_samples(b)) return;
    store_write_result wr;
    st_err e = {0};
    int rc = store_write(s, db, b, &wr, &e);
    out->accepted += wr.accepted;
    out->refused += wr.rejected;
    if (wr.rejected && !out->first_code) {
        out->first_code = wr.first_code;
        snprintf(out->first_error, sizeof out->first_error, "%s", wr.first_error);
    }
    /* refusals of single values come with rc = the first one's code; any
     * other code means the batch was not written */
    bool refusals = wr.rejected && rc == wr.first_code;
    if (rc && !refusals) {
        out->fail_code = rc;
        snprintf(out->fail_msg, sizeof out->fail_msg, "%s", e.msg);
    }
}

/* v1: n ns u us ms s m h (lp_precision_parse); v2: ns us ms s. */
static bool precision_of(influx_api api, const char *p, lp_precision *out)
{
    *out = LP_NS;
    if (!p || !*p) return true;
    if (api == INFLUX_V2 && strcmp(p, "ns") && strcmp(p, "us") && strcmp(p, "ms") && strcmp(p, "s"))
        return false;
    return lp_precision_parse(p, out);
}

/* The database exists afterwards, or rs holds the answer. The rules of
 * api_db_for_write, with InfluxDB's bodies. */
static int resolve_db(http_resp *rs, influx_api api, store *s, const flags *f, const char *db)
{
    st_err e = {0};
    if (catalog_name_valid(db, strlen(db), &e) != 0) {
        fail(rs, api, 400, e.msg);
        return -1;
    }
    if (store_db_exists(s, db)) return 0;
    if (!f->auto_create_db) {
        if (api == INFLUX_V1) failf(rs, api, 404, "database not found: \"%s\"", db);
        else failf(rs, api, 404, "bucket \"%s\" not found", db);
        return -1;
    }
    int rc = store_db_create(s, db, -1, -1, &e);
    if (rc && rc != ST_EEXIST) {
        fail_storage(rs, api, rc, e.msg);
        return -1;
    }
    return 0;
}

void api_influx_write(api_server *sv, http_req *rq, http_resp *rs, influx_api api)
{
    store *s = sv->s;
    const flags *f = sv->f;
    atomic_fetch_add(&st_requests[api], 1);
    http_set_header(rs, "X-Influxdb-Version", INFLUX_COMPAT_VERSION);
    http_set_header(rs, "X-Influxdb-Build", "OSS");
    if (strcmp(rq->method, "POST")) {
        failf(rs, api, 405, "method %s not allowed: writes use POST", rq->method);
        return;
    }

    /* parameters, in the order InfluxDB checks them */
    const char *db;
    if (api == INFLUX_V1) {
        const char *arg = http_arg(rq, "db");
        if (!rq->db_in_path && (!arg || !*arg)) {
            fail(rs, api, 400, "database is required");
            return;
        }
        db = rq->db;
        const char *c = http_arg(rq, "consistency");
        if (c && *c && strcmp(c, "any") && strcmp(c, "one") && strcmp(c, "quorum") && strcmp(c, "all")) {
            fail(rs, api, 400, "invalid consistency level");
            return;
        }
    } else {
        db = http_arg(rq, "bucket");
        if (!db || !*db) {
            fail(rs, api, 400, "bucket is required");
            return;
        }
    }
    lp_precision prec;
    const char *p = http_arg(rq, "precision");
    if (!precision_of(api, p, &prec)) {
        if (api == INFLUX_V1)
            failf(rs, api, 400, "invalid precision \"%.64s\" (n, ns, u, us, ms, s, m, h)", p);
        else
            fail(rs, api, 400, "invalid precision; valid precision units are ns, us, ms, and s");
        return;
    }

    /* the body */
    st_err e = {0};
    const st_buf *body = &rq->body;
    st_buf plain = {0};
    const char *enc = http_header(rq, "Content-Encoding");
    if (enc && *enc && strcasecmp(enc, "identity")) {
        if (strcasecmp(enc, "gzip") && strcasecmp(enc, "x-gzip")) {
            failf(rs, api, 415, "unsupported Content-Encoding \"%.64s\": use gzip or identity", enc);
            return;
        }
        int rc = import_gunzip(rq->body.p, rq->body.len, f->max_decoded_bytes, &plain, &e);
        if (rc) {
            st_buf_free(&plain);
            if (rc == ST_ELIMIT) failf(rs, api, 413, "Request Entity Too Large: %s", e.msg);
            else fail(rs, api, 400, e.msg);
            return;
        }
        body = &plain;
    }
    atomic_fetch_add(&st_bytes, body->len);
    if (resolve_db(rs, api, s, f, db) != 0) {
        st_buf_free(&plain);
        return;
    }

    /* lines into one batch, then one write; lines deferred for a type
     * conflict inside the body in more rounds (import_line_opts.defer) */
    reasons why = {0};
    outcome out = {0};
    import_spans later = {0}, cur = {0};
    pthread_once(&g_once, cache_init);
    rcache rc = {.cur = NOH};
    const import_cache cache = {.add = cache_add, .put = cache_put, .ctx = &rc};
    import_line_opts o = {.precision = prec, .now_ns = st_now_ns(), .influx = true,
                          .on_reject = on_reject, .ctx = &why, .defer = &later, .cache = &cache};
    store_batch *b = store_batch_new();
    import_stats st;
    import_line_ex((const char *)body->p, body->len, &o, b, &st, NULL);
    out.lines = st.lines;
    add_stats(&out, &st);
    write_round(s, db, b, &out);
    rcache_round_end(&rc, b);
    while (later.n && !out.fail_code) {
        import_spans t = cur;
        cur = later;
        later = t;
        later.n = 0;
        store_batch_reset(b);
        for (size_t i = 0; i < cur.n; i++) {
            import_span sp = cur.v[i];
            size_t before = later.n;
            o.first_lineno = sp.lineno;
            import_line_ex((const char *)body->p + sp.off, sp.len, &o, b, &st, NULL);
            for (size_t j = before; j < later.n; j++) later.v[j].off += sp.off;
            add_stats(&out, &st);
        }
        write_round(s, db, b, &out);
        rcache_round_end(&rc, b);
    }
    rcache_free(&rc);
    store_batch_free(b);
    st_free(later.v);
    st_free(cur.v);
    st_buf_free(&plain);
    atomic_fetch_add(&st_lines, out.lines);
    for (int i = 0; i < IMPORT_REJ_N; i++) atomic_fetch_add(&st_rejected[i], out.rejected[i]);
    atomic_fetch_add(&st_written, out.accepted);
    atomic_fetch_add(&st_samples_rejected, out.refused);

    /* A limit (before the write: head memory; or for some series:
     * --max-series) is retried by the sender; re-sent values are no-ops.
     * The body names the limit alone: Telegraf drops a batch whose answer
     * mentions a partial write or a parse error, whatever the status. */
    if (!out.fail_code && out.first_code == ST_ELIMIT) {
        out.fail_code = ST_ELIMIT;
        snprintf(out.fail_msg, sizeof out.fail_msg, "%s", out.first_error);
    }
    if (out.fail_code) {
        st_buf_free(&why.text);
        fail_storage(rs, api, out.fail_code, out.fail_msg);
        return;
    }
    if (!out.lines_bad && !out.refused) {
        st_buf_free(&why.text);
        rs->status = 204;
        return;
    }
    st_buf msg = {0};
    /* no line parsed: InfluxDB answers the parse errors alone */
    bool none = out.rejected[IMPORT_REJ_SYNTAX] + out.rejected[IMPORT_REJ_RANGE] == out.lines;
    if (!none) st_buf_put(&msg, "partial write: ", 15);
    st_buf_put(&msg, why.text.p, why.text.len);
    if (why.more) st_buf_printf(&msg, "\n(and %" PRIu64 " more lines)", why.more);
    if (out.refused) {
        if (why.text.len) st_buf_putc(&msg, '\n');
        st_buf_printf(&msg, "%s", out.first_error);
        if (out.refused > 1) st_buf_printf(&msg, " (and %" PRIu64 " more field values)", out.refused - 1);
    }
    if (!none) st_buf_printf(&msg, " dropped=%" PRIu64, out.lines_bad + out.refused);
    st_buf_putc(&msg, 0);
    fail(rs, api, 400, (const char *)msg.p);
    st_buf_free(&msg);
    st_buf_free(&why.text);
}
