/* prw (server side): the remote_write handler and its series cache.
 * Contract and status codes: prw.h. Decoding: wire/prw.h.
 *
 * Per request: negotiate (Content-Type -> 1.0/2.0, Content-Encoding),
 * decompress under --max-decoded-size, decode in place (label slices point
 * into the decompressed buffer; scratch comes from the request's arena),
 * and for each series find its canonical key through the cache, add its
 * samples to one batch, and hand the batch to store_write once the whole
 * body has decoded cleanly (a malformed body is rejected whole, nothing
 * written). 1.0 Label fields are only framed by the decoder (lazy_labels):
 * a cache hit never decodes them, a miss decodes them (prw_series_labels)
 * and is rejected as the decoder would have rejected it. A hit's canonical
 * key is borrowed by the batch, not copied (see g_reclaim).
 *
 * The series cache maps the raw label identity of a series as a sender
 * spells it to its canonical key, that key's st_hash64, its table length
 * and the head series the last write resolved it to (store_series_ref). Two
 * kinds of identity, kept apart by a kind byte compared on lookup (and a
 * hash seed per kind), since a byte string of one kind could spell another
 * label set in the other:
 *  - RAW_WIRE (1.0 whenever the decoder found the Label fields contiguous,
 *    i.e. always for Prometheus and vmagent): the Label fields' bytes as
 *    they are in the body, hashed and compared in place: nothing is built;
 *  - RAW_BUILT (2.0, whose refs are per request, and 1.0 with interleaved
 *    fields): labels in received order, each as uvarint(len) name
 *    uvarint(len) value (length prefixes keep "ab"+"c" apart from "a"+"bc").
 * A hit skips canonicalisation (sorting, UTF-8 and duplicate checks) and the
 * key build, and with a still-good reference store_write skips its head
 * lookup by key. Entries are compared byte for byte, so a 64-bit hash
 * collision costs a miss, never a wrong series; a stale reference is
 * detected by the store (store.h) and refreshed after the write. Only label
 * sets that canonicalised cleanly are cached.
 *
 * Concurrency and bounds: 64 shards, each a mutex and two generations of
 * an open-addressing table whose slots hold the entry's hash next to its
 * pointer (a probe that does not match never touches the entry). New
 * entries go into the current generation; a hit in the old one moves the
 * entry over. When the current generation of a shard passes its share
 * (a 128th) of the limit, the old generation is retired (freed once no request
 * can be borrowing from it, see g_reclaim) and the current one becomes old:
 * memory stays under the limit plus at most an eighth of it retired, and
 * series that are still written survive the rotation (the scheme
 * VictoriaMetrics's workingsetcache uses, written here from scratch).
 */
#include "prw.h"
#include "metadata.h"

#include <inttypes.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "api.h"
#include "bits.h"
#include "labels.h"
#include "wire/prw.h"

/* ------------------------------------------------------------ stats */

static _Atomic uint64_t st_req_v1, st_req_v2, st_req_rejected, st_samples_received, st_samples_written,
    st_series_rejected, st_series_over_limit, st_exemplars_dropped, st_histograms_dropped, st_metadata_received, st_cache_hits,
    st_cache_misses;
static _Atomic int64_t st_cache_entries, st_cache_bytes;

/* ------------------------------------------------------------ cache */

#define CACHE_SHARDS 64
#define TOMB ((centry *)1)

/* kinds of raw identity (see the top) and their hash seeds */
enum { RAW_BUILT = 0, RAW_WIRE = 1 };
static const uint64_t raw_seed[2] = {0x70727721, 0x70727731};

typedef struct centry {
    uint64_t keyhash;     /* st_hash64(key, seed 0), as store_batch_series_key wants */
    store_series_ref ref; /* the head series last written, zero = unknown */
    uint32_t rawlen, keylen;
    uint16_t table_len;
    uint8_t kind;         /* RAW_BUILT or RAW_WIRE */
    uint8_t data[];       /* raw, then key */
} centry;

typedef struct cslot {
    uint64_t h; /* st_hash64 of the entry's raw (seed of its kind) */
    centry *c;  /* NULL = empty, TOMB = deleted */
} cslot;

typedef struct ctab {
    cslot *slots;
    size_t cap, n, tombs;
    size_t bytes;
} ctab;

typedef struct cshard {
    pthread_mutex_t mu;
    ctab cur, old;
    char pad[64]; /* keep neighbouring shards' locks off one cache line */
} cshard;

static cshard g_shards[CACHE_SHARDS];
static pthread_once_t g_once = PTHREAD_ONCE_INIT;

/* Entry lifetime. A request's batch borrows the canonical keys of the
 * entries it hit (store_batch_series_borrowed) until it is reset, after
 * the write, so a rotation must not free a generation under it: the
 * generation is retired instead, and freed once no request that could hold
 * its keys is in flight. Requests hold g_reclaim for reading from their
 * first lookup to their batch's reset; the freeing takes it for writing
 * when no request is in flight (trywrlock at the end of a request). Under
 * a load that never pauses, retired generations pile up to an eighth of
 * the limit, and then the freeing waits for the write lock (writer-
 * preferring, so that overlapping requests cannot starve it: new requests
 * wait the few milliseconds the running ones need), once per that much
 * rotated out rather than at every rotation. */
static pthread_rwlock_t g_reclaim;
static pthread_mutex_t g_retired_mu = PTHREAD_MUTEX_INITIALIZER;
static ctab *g_retired; /* retired generations */
static size_t g_nretired, g_capretired;
static _Atomic bool g_have_retired;
static _Atomic uint64_t g_retired_bytes;
static _Atomic uint64_t g_limit = 128ull << 20;

static void wkeep_free(void *p);
static pthread_key_t g_keep_key; /* per HTTP thread: a wkeep (see wctx_start) */

static void cache_init(void)
{
    pthread_rwlockattr_t ra;
    pthread_rwlockattr_init(&ra);
    pthread_rwlockattr_setkind_np(&ra, PTHREAD_RWLOCK_PREFER_WRITER_NONRECURSIVE_NP);
    pthread_rwlock_init(&g_reclaim, &ra);
    pthread_rwlockattr_destroy(&ra);
    pthread_key_create(&g_keep_key, wkeep_free);
    for (int i = 0; i < CACHE_SHARDS; i++) pthread_mutex_init(&g_shards[i].mu, NULL);
}

void prw_cache_set_limit(uint64_t bytes) { atomic_store(&g_limit, bytes); }

static size_t centry_size(const centry *c) { return sizeof *c + c->rawlen + c->keylen; }

static size_t tab_find(const ctab *t, uint64_t h, int kind, const uint8_t *raw, size_t rawlen)
{
    if (!t->cap) return SIZE_MAX;
    size_t j = h & (t->cap - 1);
    for (const cslot *sl; (sl = &t->slots[j])->c; j = (j + 1) & (t->cap - 1)) {
        if (sl->h != h || sl->c == TOMB) continue;
        const centry *c = sl->c;
        if (c->kind == kind && c->rawlen == rawlen && memcmp(c->data, raw, rawlen) == 0) return j;
    }
    return SIZE_MAX;
}

static void tab_put(ctab *t, uint64_t h, centry *c)
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
    t->slots[j].h = h;
    t->slots[j].c = c;
    t->n++;
    t->bytes += centry_size(c);
}

static void tab_free(ctab *t)
{
    for (size_t i = 0; i < t->cap; i++) {
        centry *c = t->slots[i].c;
        if (c && c != TOMB) {
            atomic_fetch_sub(&st_cache_entries, 1);
            atomic_fetch_sub(&st_cache_bytes, (int64_t)centry_size(c));
            st_free(c);
        }
    }
    st_free(t->slots);
    memset(t, 0, sizeof *t);
}

/* Hands a generation over for freeing once no request can borrow from it. */
static void retire(ctab *t)
{
    if (!t->cap) return;
    pthread_mutex_lock(&g_retired_mu);
    if (g_nretired == g_capretired) {
        g_capretired = g_capretired ? g_capretired * 2 : 16;
        g_retired = st_realloc(g_retired, g_capretired * sizeof *g_retired);
    }
    g_retired[g_nretired++] = *t;
    /* its entries and its slot array, which may outweigh the few entries
     * left in a generation that was nearly all moved out */
    atomic_fetch_add(&g_retired_bytes, t->bytes + t->cap * sizeof *t->slots);
    atomic_store(&g_have_retired, true);
    pthread_mutex_unlock(&g_retired_mu);
    memset(t, 0, sizeof *t);
}

/* Frees the retired generations when no request can be borrowing from
 * them (see g_reclaim). Called holding no lock of the cache. */
static void reclaim(void)
{
    if (!atomic_load(&g_have_retired)) return;
    if (pthread_rwlock_trywrlock(&g_reclaim) != 0) {
        if (atomic_load(&g_retired_bytes) < atomic_load(&g_limit) / 8) return; /* at a quieter moment */
        pthread_rwlock_wrlock(&g_reclaim); /* every request that could borrow from them is done */
        if (!atomic_load(&g_have_retired)) { /* another thread freed them meanwhile */
            pthread_rwlock_unlock(&g_reclaim);
            return;
        }
    }
    pthread_mutex_lock(&g_retired_mu);
    ctab *list = g_retired;
    size_t n = g_nretired;
    g_retired = NULL;
    g_nretired = g_capretired = 0;
    atomic_store(&g_retired_bytes, 0);
    atomic_store(&g_have_retired, false);
    pthread_mutex_unlock(&g_retired_mu);
    pthread_rwlock_unlock(&g_reclaim);
    for (size_t i = 0; i < n; i++) tab_free(&list[i]);
    st_free(list);
}

/* Rotates the shard's generations when the current one is over its share. */
static void shard_maybe_rotate(cshard *sh)
{
    uint64_t share = atomic_load(&g_limit) / (2 * CACHE_SHARDS);
    if (sh->cur.bytes <= share) return;
    retire(&sh->old);
    sh->old = sh->cur;
    memset(&sh->cur, 0, sizeof sh->cur);
}

/* The entry for raw in the shard (locked), moved to the current generation
 * if it was in the old one; NULL if absent. */
static centry *shard_lookup(cshard *sh, uint64_t h, int kind, const uint8_t *raw, size_t rawlen)
{
    size_t j = tab_find(&sh->cur, h, kind, raw, rawlen);
    if (j != SIZE_MAX) return sh->cur.slots[j].c;
    if ((j = tab_find(&sh->old, h, kind, raw, rawlen)) == SIZE_MAX) return NULL;
    /* still in use: move it to the current generation */
    centry *c = sh->old.slots[j].c;
    sh->old.slots[j].c = TOMB;
    sh->old.n--;
    sh->old.tombs++;
    sh->old.bytes -= centry_size(c);
    tab_put(&sh->cur, h, c);
    shard_maybe_rotate(sh);
    return c;
}

/* Looks raw up; on a hit adds the series to b by its cached key (borrowed)
 * and reference (read under the shard lock: another request may update it
 * once it is released), and copies the reference to *ref. Returns 1 on a
 * hit (rc in *rc), 0 on a miss. */
static int cache_add_series(uint64_t h, int kind, const uint8_t *raw, size_t rawlen, store_batch *b,
                            uint32_t *handle, store_series_ref *ref, int *rc, st_err *e)
{
    cshard *sh = &g_shards[h >> 58];
    pthread_mutex_lock(&sh->mu);
    centry *c = shard_lookup(sh, h, kind, raw, rawlen);
    if (c) {
        series_meta meta = {.type = ST_VT_FLOAT, .table_len = c->table_len};
        *ref = c->ref;
        *rc = store_batch_series_borrowed(b, c->data + c->rawlen, c->keylen, c->keyhash, meta, &c->ref, handle, e);
    }
    pthread_mutex_unlock(&sh->mu);
    return c != NULL;
}

/* Remembers the head series raw was last written to. */
static void cache_set_ref(uint64_t h, int kind, const uint8_t *raw, size_t rawlen, const store_series_ref *ref)
{
    cshard *sh = &g_shards[h >> 58];
    pthread_mutex_lock(&sh->mu);
    centry *c = shard_lookup(sh, h, kind, raw, rawlen);
    if (c) c->ref = *ref;
    pthread_mutex_unlock(&sh->mu);
}

static void cache_insert(uint64_t h, int kind, const uint8_t *raw, size_t rawlen, const uint8_t *key,
                         size_t keylen, uint64_t keyhash, uint16_t table_len)
{
    if (rawlen > UINT32_MAX || keylen > UINT32_MAX) return;
    centry *c = st_malloc(sizeof *c + rawlen + keylen);
    c->keyhash = keyhash;
    memset(&c->ref, 0, sizeof c->ref);
    c->rawlen = (uint32_t)rawlen;
    c->keylen = (uint32_t)keylen;
    c->table_len = table_len;
    c->kind = (uint8_t)kind;
    memcpy(c->data, raw, rawlen);
    memcpy(c->data + rawlen, key, keylen);
    cshard *sh = &g_shards[h >> 58];
    pthread_mutex_lock(&sh->mu);
    if (tab_find(&sh->cur, h, kind, raw, rawlen) != SIZE_MAX) { /* another request was first */
        pthread_mutex_unlock(&sh->mu);
        st_free(c);
        return;
    }
    tab_put(&sh->cur, h, c);
    atomic_fetch_add(&st_cache_entries, 1);
    atomic_fetch_add(&st_cache_bytes, (int64_t)centry_size(c));
    shard_maybe_rotate(sh);
    pthread_mutex_unlock(&sh->mu);
}

/* ---------------------------------------------------------- handler */

/* ms timestamps that fit in int64 nanoseconds */
#define MS_MAX (INT64_MAX / ST_NS_PER_MS)
#define MS_MIN (INT64_MIN / ST_NS_PER_MS)

/* Per batch handle: the raw identity it was first reached by and the
 * reference the cache gave, so that the reference store_write resolves can
 * be remembered when it differs (a new series, or one that left memory). */
typedef struct hinfo {
    const uint8_t *raw; /* into the body (RAW_WIRE) or the request arena */
    uint64_t h;
    uint32_t rawlen;
    uint8_t kind, set;
    store_series_ref ref;
} hinfo;

/* A series whose cache lookup is deferred (see flush_pending). */
typedef struct pend {
    const uint8_t *raw; /* its Label fields in the body (RAW_WIRE), not decoded yet */
    uint64_t h;
    size_t index;       /* in the request, for messages */
    uint32_t rawlen;
    uint32_t s0, ns;    /* its samples: w->ps[s0, s0 + ns) */
    uint32_t handle;
    bool hit;
    store_series_ref ref;
} pend;

/* Deferred series are looked up at most this many at a time */
#define PEND_MAX 4096

typedef struct wctx {
    const char *db;
    const flags *f;
    store_batch *b;
    st_arena *arena;
    st_buf raw;
    hinfo *hi;
    size_t nhi, caphi;
    pend *pd;
    size_t npd, cappd;
    prw_sample *ps;
    size_t nps, capps;
    uint32_t *pord;     /* pending indices grouped by cache shard */
    label *ls;          /* labels of a pending miss, from prw_series_labels */
    size_t capls;
    uint64_t series_bad, samples_bad, samples_added;
    char first_bad[ST_ERR_MSG];
} wctx;

static void note_handle(wctx *w, uint32_t handle, uint64_t h, int kind, const uint8_t *raw, size_t rawlen,
                        const store_series_ref *ref)
{
    if (handle < w->nhi && w->hi[handle].set) return; /* reached earlier (by this or another spelling) */
    if (handle >= w->caphi) {
        size_t nc = w->caphi ? w->caphi * 2 : 1024;
        while (nc <= handle) nc *= 2;
        w->hi = st_realloc(w->hi, nc * sizeof *w->hi);
        w->caphi = nc;
    }
    while (w->nhi <= handle) w->hi[w->nhi++].set = 0;
    if (kind == RAW_BUILT) { /* w->raw is reused for the next series */
        uint8_t *copy = st_arena_alloc(w->arena, rawlen ? rawlen : 1);
        if (rawlen) memcpy(copy, raw, rawlen);
        raw = copy;
    }
    hinfo *x = &w->hi[handle];
    x->raw = raw;
    x->h = h;
    x->rawlen = (uint32_t)rawlen;
    x->kind = (uint8_t)kind;
    x->set = 1;
    if (ref) x->ref = *ref;
    else memset(&x->ref, 0, sizeof x->ref);
}

/* After store_write: remembers in the cache the head series that changed. */
static void refresh_refs(wctx *w)
{
    for (size_t i = 0; i < w->nhi; i++) {
        const hinfo *x = &w->hi[i];
        if (!x->set) continue;
        store_series_ref r;
        store_batch_ref(w->b, (uint32_t)i, &r);
        if (!r.epoch || (r.epoch == x->ref.epoch && r.shard == x->ref.shard && r.id == x->ref.id)) continue;
        cache_set_ref(x->h, x->kind, x->raw, x->rawlen, &r);
    }
}

static void note_bad(wctx *w, const label *ls, size_t n, const char *why)
{
    w->series_bad++;
    if (w->series_bad > 1) return;
    st_buf name = {0};
    labels_format(ls, n, &name);
    snprintf(w->first_bad, sizeof w->first_bad, "series %.*s: %s", (int)(name.len > 200 ? 200 : name.len),
             (const char *)name.p, why);
    st_buf_free(&name);
}

/* The per-series limits, checked on the labels as received (before empty
 * values are dropped), so that a sender learns about them however it spells
 * its series. A series within them stays within them, so cache hits need no
 * second check. */
static bool over_limits(wctx *w, const prw_series *s)
{
    const flags *f = w->f;
    char why[160];
    if (s->nlabels > f->max_labels_per_series) {
        snprintf(why, sizeof why, "%zu labels, more than --max-labels-per-series=%u", s->nlabels,
                 f->max_labels_per_series);
        goto bad;
    }
    for (size_t i = 0; i < s->nlabels; i++) {
        const label *l = &s->labels[i];
        if (l->name.n > f->max_label_name_len) {
            snprintf(why, sizeof why, "label name of %zu bytes, more than --max-label-name-length=%u", l->name.n,
                     f->max_label_name_len);
            goto bad;
        }
        if (l->value.n > f->max_label_value_len) {
            snprintf(why, sizeof why, "label %.*s has a value of %zu bytes, more than --max-label-value-length=%u",
                     (int)(l->name.n > 64 ? 64 : l->name.n), (const char *)l->name.p, l->value.n,
                     f->max_label_value_len);
            goto bad;
        }
    }
    return false;
bad:;
    /* name the series by its metric name only: its labels are what is too big */
    st_slice name = {0};
    for (size_t i = 0; i < s->nlabels; i++)
        if (s->labels[i].name.n == 8 && memcmp(s->labels[i].name.p, LABEL_METRIC_NAME, 8) == 0)
            name = s->labels[i].value;
    atomic_fetch_add(&st_series_over_limit, 1);
    w->series_bad++;
    w->samples_bad += s->nsamples;
    if (w->series_bad == 1)
        snprintf(w->first_bad, sizeof w->first_bad, "series %zu (%.*s): %s", s->index,
                 (int)(name.n > 200 ? 200 : name.n), name.n ? (const char *)name.p : "", why);
    return true;
}

/* Adds a series' samples with timestamps in range to the batch and notes
 * the first one out of range (ls: the series' labels, for the message;
 * NULL: decoded from x's label range). */
static void add_samples(wctx *w, uint32_t handle, const prw_sample *smp, size_t n, const label *ls, size_t nl,
                        const pend *x)
{
    bool bad_ts = false;
    for (size_t i = 0; i < n; i++) {
        int64_t ms = smp[i].ts_ms;
        if (ms > MS_MAX || ms < MS_MIN) {
            w->samples_bad++;
            if (!bad_ts) {
                char why[96];
                snprintf(why, sizeof why, "timestamp %" PRId64 " ms is out of range", ms);
                size_t n2 = nl;
                if (!ls && x && prw_labels_of(x->raw, x->rawlen, w->arena, &w->ls, &w->capls, &n2, NULL) == 0)
                    ls = w->ls;
                note_bad(w, ls, ls ? n2 : 0, why);
                bad_ts = true;
            }
            continue;
        }
        store_batch_add(w->b, handle, ms * ST_NS_PER_MS, smp[i].bits);
        w->samples_added++;
    }
}

/* A series not in the cache: canonicalised into the batch (ls reordered),
 * then cached. Returns false, having noted why, if it is refused. */
static bool add_miss(wctx *w, int kind, uint64_t h, const uint8_t *raw, size_t rawlen, label *ls, size_t nl,
                     size_t nsamples, uint32_t *handle)
{
    st_slice name = {0};
    for (size_t i = 0; i < nl; i++)
        if (ls[i].name.n == 8 && memcmp(ls[i].name.p, LABEL_METRIC_NAME, 8) == 0) name = ls[i].value;
    if (name.n > UINT16_MAX) {
        note_bad(w, ls, nl, "metric name longer than 65535 bytes");
        w->samples_bad += nsamples;
        return false;
    }
    series_meta meta = {.type = ST_VT_FLOAT, .table_len = (uint16_t)name.n};
    st_err le = {0};
    if (store_batch_series(w->b, ls, nl, meta, handle, &le)) {
        note_bad(w, ls, nl, le.msg);
        w->samples_bad += nsamples;
        return false;
    }
    const uint8_t *key;
    size_t kl;
    uint64_t kh;
    store_batch_key(w->b, *handle, &key, &kl, &kh);
    cache_insert(h, kind, raw, rawlen, key, kl, kh, meta.table_len);
    note_handle(w, *handle, h, kind, raw, rawlen, NULL);
    return true;
}

/* Hints the slot of h in the shard's current generation, and once that
 * has arrived (a later call, nearer) the entry it holds: its header and raw
 * bytes, which a hit compares with the request's rawlen bytes (the key
 * after them is borrowed, not read). The shard must be locked. */
static inline void cache_prefetch(const cshard *sh, uint64_t h, size_t rawlen, bool entry)
{
    const ctab *t = &sh->cur;
    if (!t->cap) return;
    const cslot *sl = &t->slots[h & (t->cap - 1)];
    if (!entry) {
        st_prefetch(sl, 0);
    } else if (sl->h == h && sl->c && sl->c != TOMB) {
        /* a prefetch past the entry's end costs a little bandwidth, never a fault */
        size_t lines = (offsetof(centry, data) + rawlen + 63) / 64;
        for (size_t i = 0; i < lines && i < 8; i++) st_prefetch((const char *)sl->c + 64 * i, 0);
    }
}

#define PREFETCH_SLOTS 16
#define PREFETCH_ENTRIES 8

/* Looks the deferred series up, grouped by cache shard in ascending order
 * (one lock per shard for all of its series), then adds them to the batch
 * in request order, so that samples and error messages come in the order
 * the request has them. The lookups are cache misses, hidden by prefetching
 * the slots and entries ahead; so that the pipeline does not drain at every
 * shard boundary, the next shard with series is locked too before the
 * current one is released (at most two at once, always taken in ascending
 * order, and every other path holds one: no deadlock). */
static int flush_pending(wctx *w, st_err *e)
{
    size_t n = w->npd;
    if (!n) return 0;
    uint32_t start[CACHE_SHARDS + 1] = {0}, fill[CACHE_SHARDS];
    for (size_t i = 0; i < n; i++) start[(w->pd[i].h >> 58) + 1]++;
    for (int i = 0; i < CACHE_SHARDS; i++) start[i + 1] += start[i];
    memcpy(fill, start, sizeof fill);
    for (size_t i = 0; i < n; i++) w->pord[fill[w->pd[i].h >> 58]++] = (uint32_t)i;
#define PD(k) (&w->pd[w->pord[k]])
#define SHARD_OF(k) ((int)(PD(k)->h >> 58))
    uint64_t hits = 0;
    int cur = -1, next = -1; /* locked shards */
    uint32_t limit = 0;      /* series [start[cur], limit) lie in locked shards */
    for (uint32_t k = 0; k < n; k++) {
        int si = SHARD_OF(k);
        if (si != cur) {
            if (cur >= 0) pthread_mutex_unlock(&g_shards[cur].mu);
            if (next != si) pthread_mutex_lock(&g_shards[si].mu);
            cur = si;
            next = -1;
            limit = start[si + 1];
            if (limit < n) {
                next = SHARD_OF(limit);
                pthread_mutex_lock(&g_shards[next].mu);
                limit = start[next + 1];
            }
            if (k == 0) {
                for (uint32_t j = 0; j < limit && j < PREFETCH_SLOTS; j++)
                    cache_prefetch(&g_shards[SHARD_OF(j)], PD(j)->h, 0, false);
                for (uint32_t j = 0; j < limit && j < PREFETCH_ENTRIES; j++)
                    cache_prefetch(&g_shards[SHARD_OF(j)], PD(j)->h, PD(j)->rawlen, true);
            }
        }
        if (k + PREFETCH_SLOTS < limit) {
            const pend *y = PD(k + PREFETCH_SLOTS);
            cache_prefetch(&g_shards[y->h >> 58], y->h, 0, false);
        }
        if (k + PREFETCH_ENTRIES < limit) {
            const pend *y = PD(k + PREFETCH_ENTRIES);
            cache_prefetch(&g_shards[y->h >> 58], y->h, y->rawlen, true);
        }
        pend *x = PD(k);
        centry *c = shard_lookup(&g_shards[si], x->h, RAW_WIRE, x->raw, x->rawlen);
        x->hit = c != NULL;
        if (!c) continue;
        series_meta meta = {.type = ST_VT_FLOAT, .table_len = c->table_len};
        st_err le;
        x->ref = c->ref;
        /* the key is borrowed: the request holds g_reclaim until its batch
         * is reset. A refusal (never, with one value type) is redone by the
         * miss path below, which words it. */
        if (store_batch_series_borrowed(w->b, c->data + c->rawlen, c->keylen, c->keyhash, meta, &c->ref,
                                        &x->handle, &le))
            x->hit = false;
        else
            hits++;
    }
    if (cur >= 0) pthread_mutex_unlock(&g_shards[cur].mu);
    if (next >= 0 && next != cur) pthread_mutex_unlock(&g_shards[next].mu);
#undef PD
#undef SHARD_OF
    atomic_fetch_add(&st_cache_hits, hits);
    atomic_fetch_add(&st_cache_misses, n - hits);
    for (size_t i = 0; i < n; i++) {
        pend *x = &w->pd[i];
        const prw_sample *smp = x->ns ? w->ps + x->s0 : NULL; /* no samples yet: w->ps may be NULL */
        if (x->hit) {
            /* cached: it passed every check when it was inserted */
            note_handle(w, x->handle, x->h, RAW_WIRE, x->raw, x->rawlen, &x->ref);
            add_samples(w, x->handle, smp, x->ns, NULL, 0, x);
            continue;
        }
        /* a miss: its labels are decoded now (the decoder only framed
         * them), and a malformed one rejects the request as the decoder
         * would have */
        size_t nl;
        if (prw_series_labels(x->raw, x->rawlen, x->index, w->arena, &w->ls, &w->capls, &nl, e)) {
            w->npd = w->nps = 0;
            return ST_EINVAL;
        }
        prw_series ps = {.index = x->index, .labels = w->ls, .nlabels = nl, .nsamples = x->ns};
        if (over_limits(w, &ps)) continue;
        if (add_miss(w, RAW_WIRE, x->h, x->raw, x->rawlen, w->ls, nl, x->ns, &x->handle))
            add_samples(w, x->handle, smp, x->ns, w->ls, nl, NULL);
    }
    w->npd = w->nps = 0;
    return 0;
}

static void defer(wctx *w, const prw_series *s)
{
    if (w->npd == w->cappd) {
        w->cappd = w->cappd ? w->cappd * 2 : 256;
        w->pd = st_realloc(w->pd, w->cappd * sizeof *w->pd);
        w->pord = st_realloc(w->pord, w->cappd * sizeof *w->pord);
    }
    if (w->nps + s->nsamples > w->capps) {
        size_t nc = w->capps ? w->capps : 2048;
        while (nc < w->nps + s->nsamples) nc *= 2;
        w->ps = st_realloc(w->ps, nc * sizeof *w->ps);
        w->capps = nc;
    }
    pend *x = &w->pd[w->npd++];
    x->raw = s->label_bytes;
    x->rawlen = (uint32_t)s->label_bytes_len;
    x->index = s->index;
    x->h = st_hash64(x->raw, x->rawlen, raw_seed[RAW_WIRE]);
    x->s0 = (uint32_t)w->nps;
    x->ns = (uint32_t)s->nsamples;
    if (s->nsamples) memcpy(w->ps + w->nps, s->samples, s->nsamples * sizeof *s->samples);
    w->nps += s->nsamples;
}

static int on_series(void *ctx, prw_series *s, st_err *e)
{
    wctx *w = ctx;
    if (w->f->max_series_per_request && s->index >= w->f->max_series_per_request)
        return st_fail(e, ST_ELIMIT, "request has more than %" PRIu64 " series (--max-series-per-request)",
                       w->f->max_series_per_request);
    /* The common case (1.0, Label fields contiguous, not decoded yet): the
     * lookup waits for a group (flush_pending), and only a miss decodes
     * the labels and checks their sizes (a cached series passed those
     * checks). Ranges and samples are bounded: the body's bytes stay put,
     * samples are copied. */
    if (!s->labels && s->label_bytes && s->label_bytes_len <= UINT32_MAX && s->nsamples <= UINT32_MAX &&
        w->nps + s->nsamples <= UINT32_MAX && s->nlabels <= w->f->max_labels_per_series) {
        defer(w, s);
        return w->npd >= PEND_MAX ? flush_pending(w, e) : 0;
    }
    /* anything else is handled at once, after the deferred series before it */
    int frc = flush_pending(w, e);
    if (frc) return frc;
    if (!s->labels && s->nlabels) {
        size_t nl;
        if (prw_series_labels(s->label_bytes, s->label_bytes_len, s->index, w->arena, &w->ls, &w->capls, &nl, e))
            return ST_EINVAL;
        s->labels = w->ls;
        s->nlabels = nl;
    }
    if (over_limits(w, s)) return 0;
    /* the raw identity, before canonicalisation reorders the labels: the
     * Label fields in place when the decoder found them contiguous, else
     * rebuilt */
    int kind;
    const uint8_t *raw;
    size_t rawlen;
    if (s->label_bytes) {
        kind = RAW_WIRE;
        raw = s->label_bytes;
        rawlen = s->label_bytes_len;
    } else {
        kind = RAW_BUILT;
        size_t need = 0;
        for (size_t i = 0; i < s->nlabels; i++) need += 20 + s->labels[i].name.n + s->labels[i].value.n;
        st_buf_reserve(&w->raw, need);
        uint8_t *p = w->raw.p;
        for (size_t i = 0; i < s->nlabels; i++) {
            p += varint_put(p, s->labels[i].name.n);
            if (s->labels[i].name.n) memcpy(p, s->labels[i].name.p, s->labels[i].name.n);
            p += s->labels[i].name.n;
            p += varint_put(p, s->labels[i].value.n);
            if (s->labels[i].value.n) memcpy(p, s->labels[i].value.p, s->labels[i].value.n);
            p += s->labels[i].value.n;
        }
        w->raw.len = (size_t)(p - w->raw.p);
        raw = w->raw.p;
        rawlen = w->raw.len;
    }
    uint64_t h = st_hash64(raw, rawlen, raw_seed[kind]);
    uint32_t handle;
    int rc = 0;
    st_err le = {0};
    store_series_ref ref;
    if (cache_add_series(h, kind, raw, rawlen, w->b, &handle, &ref, &rc, &le) && rc == 0) {
        /* cached: it passed the checks below when it was inserted */
        atomic_fetch_add(&st_cache_hits, 1);
        note_handle(w, handle, h, kind, raw, rawlen, &ref);
    } else {
        /* a refusal of a cached key (never, with one value type) is redone
         * here, which words it */
        atomic_fetch_add(&st_cache_misses, 1);
        if (!add_miss(w, kind, h, raw, rawlen, s->labels, s->nlabels, s->nsamples, &handle)) return 0;
    }
    add_samples(w, handle, s->samples, s->nsamples, s->labels, s->nlabels, NULL);
    return 0;
}

/* The batch and scratch arrays of a request are kept per HTTP thread for
 * the next one: a steady load then stops allocating and faulting in fresh
 * memory for them (the batch's key copies were a tenth of the CPU time).
 * Only moderate ones are kept, so that an outsized request does not pin its
 * memory, nor make every later store_batch_reset clear a huge map. */
typedef struct wkeep {
    store_batch *b;
    st_buf raw;
    hinfo *hi;
    size_t caphi;
    pend *pd;
    uint32_t *pord;
    size_t cappd;
    prw_sample *ps;
    size_t capps;
} wkeep;

#define KEEP_MAX_SERIES 65536
#define KEEP_MAX_SAMPLES 262144

static void wkeep_free(void *p)
{
    wkeep *k = p;
    if (!k) return;
    store_batch_free(k->b);
    st_buf_free(&k->raw);
    st_free(k->hi);
    st_free(k->pd);
    st_free(k->pord);
    st_free(k->ps);
    st_free(k);
}

static void wctx_start(wctx *w)
{
    pthread_rwlock_rdlock(&g_reclaim); /* until the batch is reset: it borrows cache keys */
    wkeep *k = pthread_getspecific(g_keep_key);
    if (!k) {
        w->b = store_batch_new();
        return;
    }
    pthread_setspecific(g_keep_key, NULL);
    w->b = k->b;
    w->raw = k->raw;
    w->hi = k->hi;
    w->caphi = k->caphi;
    w->pd = k->pd;
    w->pord = k->pord;
    w->cappd = k->cappd;
    w->ps = k->ps;
    w->capps = k->capps;
    st_free(k);
}

static void wctx_keep(wctx *w)
{
    if (w->caphi > KEEP_MAX_SERIES || w->capps > KEEP_MAX_SAMPLES || store_batch_samples(w->b) > KEEP_MAX_SAMPLES ||
        pthread_getspecific(g_keep_key)) {
        wkeep k = {.b = w->b, .raw = w->raw, .hi = w->hi, .pd = w->pd, .pord = w->pord, .ps = w->ps};
        wkeep *kp = st_malloc(sizeof *kp);
        *kp = k;
        wkeep_free(kp);
        return;
    }
    store_batch_reset(w->b);
    w->raw.len = 0;
    wkeep *k = st_malloc(sizeof *k);
    *k = (wkeep){.b = w->b, .raw = w->raw, .hi = w->hi, .caphi = w->caphi, .pd = w->pd, .pord = w->pord,
                 .cappd = w->cappd, .ps = w->ps, .capps = w->capps};
    pthread_setspecific(g_keep_key, k);
}

static void wctx_done(wctx *w)
{
    wctx_keep(w); /* the batch is reset or freed: nothing borrowed remains */
    pthread_rwlock_unlock(&g_reclaim);
    reclaim();
}

static void on_metadata(void *ctx, const prw_metadata *m)
{
    wctx *w = ctx;
    metadata_put(w->db, m->family, m->type, m->help, m->unit);
}

static void set_written(http_resp *rs, bool v2, uint64_t samples)
{
    if (!v2) return;
    char n[32];
    snprintf(n, sizeof n, "%" PRIu64, samples);
    http_set_header(rs, "X-Prometheus-Remote-Write-Samples-Written", n);
    http_set_header(rs, "X-Prometheus-Remote-Write-Histograms-Written", "0");
    http_set_header(rs, "X-Prometheus-Remote-Write-Exemplars-Written", "0");
}

static void reject(http_resp *rs, int status, const char *msg)
{
    atomic_fetch_add(&st_req_rejected, 1);
    http_text(rs, status, "%s\n", msg);
}

void api_prw_write(api_server *sv, http_req *rq, http_resp *rs)
{
    store *s = sv->s;
    const flags *f = sv->f;
    pthread_once(&g_once, cache_init);
    if (!strcmp(rq->method, "GET") && http_arg(rq, "get_vm_proto_version")) {
        /* vmagent 1.89 to 1.115 ask this before using zstd (VictoriaMetrics'
         * remote write protocol, same protobuf), which we decode */
        rs->status = 200;
        rs->content_type = "text/plain; charset=utf-8";
        st_buf_put(&rs->body, "1", 1);
        return;
    }
    if (strcmp(rq->method, "POST") && strcmp(rq->method, "PUT")) {
        reject(rs, 405, "remote_write needs POST");
        return;
    }
    const char *ct = http_header(rq, "Content-Type");
    int ver = prw_content_type(ct);
    if (!ver) {
        char m[512];
        snprintf(m, sizeof m,
                 "unsupported Content-Type \"%.200s\": want application/x-protobuf with proto "
                 "prometheus.WriteRequest or io.prometheus.write.v2.Request",
                 ct);
        reject(rs, 415, m);
        return;
    }
    bool v2 = ver == PRW_V2;
    atomic_fetch_add(v2 ? &st_req_v2 : &st_req_v1, 1);
    const char *ce = http_header(rq, "Content-Encoding");
    int enc = prw_encoding_of(ce);
    if (!enc) {
        char m[512];
        snprintf(m, sizeof m, "unsupported Content-Encoding \"%.200s\": want snappy, zstd or gzip", ce);
        reject(rs, 415, m);
        return;
    }
    st_err e = {0};
    st_buf plain = {0};
    int rc = prw_decompress(enc, rq->body.p, rq->body.len, f->max_decoded_bytes, &plain, &e);
    if (rc) {
        st_buf_free(&plain);
        atomic_fetch_add(&st_req_rejected, 1);
        if (rc == ST_ELIMIT) http_text(rs, 413, "%s\n", e.msg);
        else api_error(rs, rc, e.msg);
        return;
    }
    if (api_db_for_write(sv, rq, rs) != 0) {
        st_buf_free(&plain);
        atomic_fetch_add(&st_req_rejected, 1);
        return;
    }
    wctx w = {.db = rq->db, .f = f, .arena = rq->arena};
    wctx_start(&w);
    prw_handler h = {.series = on_series, .metadata = on_metadata, .ctx = &w, .lazy_labels = true};
    prw_counts cnt;
    rc = prw_decode(ver, plain.p, plain.len, rq->arena, &h, &cnt, &e);
    if (rc == 0) rc = flush_pending(&w, &e);
    atomic_fetch_add(&st_samples_received, cnt.samples);
    atomic_fetch_add(&st_metadata_received, cnt.metadata);
    if (rc) {
        /* rejected whole: the batch is dropped unwritten */
        wctx_done(&w);
        st_buf_free(&plain);
        atomic_fetch_add(&st_req_rejected, 1);
        if (rc == ST_ELIMIT) http_text(rs, 413, "%s\n", e.msg);
        else api_error(rs, ST_EINVAL, e.msg);
        set_written(rs, v2, 0);
        return;
    }
    store_write_result wr = {0};
    int wrc = 0;
    if (store_batch_samples(w.b)) {
        wrc = store_write(s, rq->db, w.b, &wr, &e);
        refresh_refs(&w);
    }
    wctx_done(&w);
    st_buf_free(&plain);
    atomic_fetch_add(&st_samples_written, wr.accepted);
    atomic_fetch_add(&st_series_rejected, w.series_bad);
    atomic_fetch_add(&st_exemplars_dropped, cnt.exemplars);
    atomic_fetch_add(&st_histograms_dropped, cnt.histograms);
    if (wrc && wrc != ST_ECONFLICT && wrc != ST_ERANGE && wrc != ST_EINVAL && wrc != ST_ELIMIT) {
        /* storage failure: nothing acknowledged, the sender retries */
        atomic_fetch_add(&st_req_rejected, 1);
        api_error(rs, wrc, e.msg);
        set_written(rs, v2, 0);
        return;
    }
    char msg[2 * ST_ERR_MSG + 200];
    size_t ml = 0;
    msg[0] = 0;
    if (w.series_bad)
        ml += (size_t)snprintf(msg + ml, sizeof msg - ml, "%" PRIu64 " series rejected (%" PRIu64 " samples), first: %s",
                               w.series_bad, w.samples_bad, w.first_bad);
    if (wrc && ml < sizeof msg)
        ml += (size_t)snprintf(msg + ml, sizeof msg - ml, "%s%" PRIu64 " samples rejected, first: %s", ml ? "; " : "",
                               wr.rejected, wr.first_error[0] ? wr.first_error : e.msg);
    if (v2 && (cnt.histograms || cnt.exemplars) && ml < sizeof msg)
        ml += (size_t)snprintf(msg + ml, sizeof msg - ml,
                               "%s%" PRIu64 " native histograms and %" PRIu64
                               " exemplars not written: not supported yet (samples were written)",
                               ml ? "; " : "", cnt.histograms, cnt.exemplars);
    if (ml) {
        atomic_fetch_add(&st_req_rejected, 1);
        /* a limit is worth retrying (re-sent samples are no-ops); the rest never succeeds */
        api_error(rs, wrc == ST_ELIMIT ? ST_ELIMIT : ST_EINVAL, msg);
        set_written(rs, v2, wr.accepted);
        return;
    }
    rs->status = 204;
    set_written(rs, v2, wr.accepted);
}

void prw_get_stats(prw_stats *o)
{
    memset(o, 0, sizeof *o);
    o->requests_v1 = atomic_load(&st_req_v1);
    o->requests_v2 = atomic_load(&st_req_v2);
    o->requests_rejected = atomic_load(&st_req_rejected);
    o->samples_received = atomic_load(&st_samples_received);
    o->samples_written = atomic_load(&st_samples_written);
    o->series_rejected = atomic_load(&st_series_rejected);
    o->series_over_limit = atomic_load(&st_series_over_limit);
    o->exemplars_dropped = atomic_load(&st_exemplars_dropped);
    o->histograms_dropped = atomic_load(&st_histograms_dropped);
    o->metadata_received = atomic_load(&st_metadata_received);
    o->cache_hits = atomic_load(&st_cache_hits);
    o->cache_misses = atomic_load(&st_cache_misses);
    int64_t n = atomic_load(&st_cache_entries), b = atomic_load(&st_cache_bytes);
    o->cache_entries = n > 0 ? (uint64_t)n : 0;
    o->cache_bytes = b > 0 ? (uint64_t)b : 0;
}
