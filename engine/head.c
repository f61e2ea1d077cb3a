/* head: the in-memory tier of one database. See head.h for the invariants.
 *
 * Memory is accounted in one atomic counter per head (bytes of series
 * structs, keys, buffers and chunks) so that the store can refuse writes
 * before the process runs out of memory, and /metrics can show it. The
 * index's own memory is added when /metrics asks (idx_memory).
 */
#include "head.h"

#include <limits.h>
#include <pthread.h>
#include <stdatomic.h>
#include <string.h>
#include <unistd.h>

#include "bits.h"
#include "samples.h"

typedef struct hchunk {
    int64_t mint, maxt;
    uint32_t n, len;
    uint8_t *data;
} hchunk;

/* A string value held in a raw buffer: the buffer's 8-byte slot holds a
 * pointer to this. */
typedef struct hstr {
    uint32_t n;
    char p[];
} hstr;

/* A raw sample in a buffer: time and value side by side, so that an append
 * touches one cache line of the buffer, not two. */
typedef struct hsample {
    int64_t ts;
    uint64_t v;
} hsample;

typedef struct rawbuf {
    hsample *p;
    uint32_t n, cap;
} rawbuf;

/* The fields an in-order append touches come first, in one cache line. */
struct hseries {
    int64_t last_ts;  /* newest timestamp in the open buffer or sealed chunks */
    rawbuf open;      /* open buffer */
    uint8_t type;
    uint16_t table_len;
    uint32_t nchunks, capchunks; /* sealed */
    uint32_t id;      /* id, hash and ref here too: a write by reference */
    uint64_t hash;    /* checks the first two and logs the third */
    uint64_t ref;
    hchunk *chunks;
    rawbuf ooo;       /* out-of-order buffer */
    uint32_t keylen;
    uint32_t nfrozen, capfrozen;
    hchunk *frozen;
    uint8_t key[];
};

typedef struct slot {
    uint64_t hash;
    uint32_t id1; /* id + 1; 0 = empty */
} slot;

typedef struct shard {
    pthread_mutex_t mu;
    slot *slots;
    size_t nslots, used;
    hseries **series;
    uint32_t nids, capids;
    idx *ix;
    uint64_t live;
    /* head_remove_empty is under way: ids of removed series may still be in
     * ix, and selections filter them out */
    bool gc;
    /* every sample time the shard holds lies in [lo, hi] (appends widen
     * it; a flush that drops data marks lo_stale, and head_time_bounds
     * narrows it again from the series) */
    int64_t lo, hi;
    bool lo_stale;
    char pad[64];
} shard;

struct head {
    uint64_t epoch; /* unique per head instance in the process, never 0 */
    unsigned nshards;
    unsigned chunk_samples, ooo_samples;
    shard *shards;
    _Atomic uint64_t memory;
    _Atomic uint64_t nseries;
    _Atomic uint64_t nchunks, chunk_bytes;
};

static void mem_add(head *h, int64_t d)
{
    atomic_fetch_add_explicit(&h->memory, (uint64_t)d, memory_order_relaxed);
}

/* Head epochs: a series reference (head_by_ref_locked) names the head it
 * came from, so a reference kept across a database drop and re-create, or
 * used against another database's head, is detected instead of naming
 * whatever series now has that id. */
static _Atomic uint64_t g_epoch;

head *head_new(const head_opts *o)
{
    head *h = st_calloc(1, sizeof *h);
    h->epoch = atomic_fetch_add(&g_epoch, 1) + 1;
    unsigned n = o && o->nshards ? o->nshards : 0;
    if (!n) {
        long c = sysconf(_SC_NPROCESSORS_ONLN);
        n = (unsigned)(c > 0 ? c * 2 : 4);
    }
    h->nshards = n;
    h->chunk_samples = o && o->chunk_samples ? o->chunk_samples : 120;
    h->ooo_samples = o && o->ooo_samples ? o->ooo_samples : 64;
    h->shards = st_calloc(n, sizeof *h->shards);
    /* Shard locks are held briefly (an append, a copy of one series): a
     * thread that finds one taken spins a little before it sleeps, rather
     * than paying two system calls for a wait shorter than them (glibc's
     * adaptive mutex; elsewhere, or if refused, the default one). */
    pthread_mutexattr_t ma;
    pthread_mutexattr_init(&ma);
#ifdef PTHREAD_ADAPTIVE_MUTEX_INITIALIZER_NP
    (void)pthread_mutexattr_settype(&ma, PTHREAD_MUTEX_ADAPTIVE_NP);
#endif
    for (unsigned i = 0; i < n; i++) {
        shard *sh = &h->shards[i];
        pthread_mutex_init(&sh->mu, &ma);
        sh->nslots = 1024;
        sh->slots = st_calloc(sh->nslots, sizeof *sh->slots);
        sh->ix = idx_new();
        sh->lo = INT64_MAX;
        sh->hi = INT64_MIN;
    }
    pthread_mutexattr_destroy(&ma);
    return h;
}

static void free_strs(rawbuf *b)
{
    for (uint32_t i = 0; i < b->n; i++) st_free((void *)(uintptr_t)b->p[i].v);
}

static void series_free(head *h, hseries *s)
{
    int64_t bytes = (int64_t)(sizeof *s + s->keylen);
    if (s->type == ST_VT_STRING) {
        free_strs(&s->open);
        free_strs(&s->ooo);
    }
    st_free(s->open.p);
    st_free(s->ooo.p);
    bytes += (int64_t)(s->open.cap + s->ooo.cap) * (int64_t)sizeof(hsample);
    for (uint32_t i = 0; i < s->nchunks; i++) {
        bytes += s->chunks[i].len;
        st_free(s->chunks[i].data);
    }
    for (uint32_t i = 0; i < s->nfrozen; i++) {
        bytes += s->frozen[i].len;
        st_free(s->frozen[i].data);
    }
    atomic_fetch_sub(&h->nchunks, s->nchunks + s->nfrozen);
    bytes += (int64_t)(s->capchunks + s->capfrozen) * (int64_t)sizeof(hchunk);
    st_free(s->chunks);
    st_free(s->frozen);
    mem_add(h, -bytes);
    st_free(s);
}

void head_free(head *h)
{
    if (!h) return;
    for (unsigned i = 0; i < h->nshards; i++) {
        shard *sh = &h->shards[i];
        for (uint32_t j = 0; j < sh->nids; j++)
            if (sh->series[j]) series_free(h, sh->series[j]);
        st_free(sh->series);
        st_free(sh->slots);
        idx_free(sh->ix);
        pthread_mutex_destroy(&sh->mu);
    }
    st_free(h->shards);
    st_free(h);
}

unsigned head_nshards(const head *h) { return h->nshards; }
/* multiply-shift rather than %: no division on the write path */
unsigned head_shard_of(const head *h, uint64_t hash)
{
    return (unsigned)(((hash >> 32) * h->nshards) >> 32);
}
void head_lock(head *h, unsigned i) { pthread_mutex_lock(&h->shards[i].mu); }
void head_unlock(head *h, unsigned i) { pthread_mutex_unlock(&h->shards[i].mu); }

hseries *head_get_locked(head *h, unsigned si, uint64_t hash, const uint8_t *key, size_t keylen)
{
    shard *sh = &h->shards[si];
    size_t mask = sh->nslots - 1;
    for (size_t i = hash & mask;; i = (i + 1) & mask) {
        slot *sl = &sh->slots[i];
        if (!sl->id1) return NULL;
        if (sl->hash == hash) {
            hseries *s = sh->series[sl->id1 - 1];
            if (s->keylen == keylen && memcmp(s->key, key, keylen) == 0) return s;
        }
    }
}

static void slots_insert(shard *sh, uint64_t hash, uint32_t id)
{
    size_t mask = sh->nslots - 1;
    size_t i = hash & mask;
    while (sh->slots[i].id1) i = (i + 1) & mask;
    sh->slots[i].hash = hash;
    sh->slots[i].id1 = id + 1;
    sh->used++;
}

static void slots_grow(head *h, shard *sh)
{
    slot *old = sh->slots;
    size_t oldn = sh->nslots;
    sh->nslots *= 2;
    sh->slots = st_calloc(sh->nslots, sizeof *sh->slots);
    sh->used = 0;
    for (size_t i = 0; i < oldn; i++)
        if (old[i].id1) slots_insert(sh, old[i].hash, old[i].id1 - 1);
    st_free(old);
    mem_add(h, (int64_t)(oldn * sizeof(slot)));
}

/* Backward-shift deletion keeps linear probing chains intact without tombstones. */
static void slots_delete(shard *sh, uint64_t hash, uint32_t id)
{
    size_t mask = sh->nslots - 1;
    size_t i = hash & mask;
    while (sh->slots[i].id1 != id + 1) i = (i + 1) & mask;
    size_t j = i;
    for (;;) {
        sh->slots[i].id1 = 0;
        for (;;) {
            j = (j + 1) & mask;
            if (!sh->slots[j].id1) {
                sh->used--;
                return;
            }
            size_t home = sh->slots[j].hash & mask;
            /* can the entry at j move to i? only if its home is not in (i, j] */
            bool between = i <= j ? (home > i && home <= j) : (home > i || home <= j);
            if (!between) break;
        }
        sh->slots[i] = sh->slots[j];
        i = j;
    }
}

/* The labels a series is indexed under: its own, and the table index's
 * pair (index.h: the reserved empty name, valued with the SQL table). */
static size_t index_labels(const hseries *s, label ls[LABELS_MAX + 1])
{
    size_t n = 0;
    if (labels_key_parse(s->key, s->keylen, ls + 1, LABELS_MAX, &n) != 0) return 0;
    st_slice name = labels_key_name(s->key, s->keylen);
    size_t tl = s->table_len && s->table_len < name.n ? s->table_len : name.n;
    ls[0].name = st_slice_of("", 0);
    ls[0].value = st_slice_of(name.p, tl);
    return n + 1;
}

hseries *head_create_locked(head *h, unsigned si, uint64_t hash, const uint8_t *key,
                            size_t keylen, series_meta meta, uint64_t ref)
{
    shard *sh = &h->shards[si];
    hseries *s = st_calloc(1, sizeof *s + keylen);
    s->hash = hash;
    s->ref = ref;
    s->keylen = (uint32_t)keylen;
    s->type = meta.type;
    s->table_len = meta.table_len;
    s->last_ts = INT64_MIN;
    memcpy(s->key, key, keylen);
    if (sh->nids == sh->capids) {
        sh->capids = sh->capids ? sh->capids * 2 : 256;
        sh->series = st_realloc(sh->series, sh->capids * sizeof *sh->series);
        mem_add(h, (int64_t)(sh->capids / 2 * sizeof *sh->series));
    }
    s->id = sh->nids++;
    sh->series[s->id] = s;
    if ((sh->used + 1) * 4 > sh->nslots * 3) slots_grow(h, sh);
    slots_insert(sh, hash, s->id);
    label ls[LABELS_MAX + 1];
    size_t n = index_labels(s, ls);
    idx_add(sh->ix, s->id, ls, n);
    sh->live++;
    atomic_fetch_add(&h->nseries, 1);
    mem_add(h, (int64_t)(sizeof *s + keylen));
    return s;
}

hseries *head_by_id_locked(head *h, unsigned si, uint32_t id)
{
    shard *sh = &h->shards[si];
    return id < sh->nids ? sh->series[id] : NULL;
}

uint64_t head_epoch(const head *h) { return h->epoch; }

hseries *head_by_ref_locked(head *h, unsigned si, uint64_t epoch, uint32_t id, uint64_t hash)
{
    if (epoch != h->epoch) return NULL;
    shard *sh = &h->shards[si];
    if (id >= sh->nids) return NULL;
    hseries *s = sh->series[id];
    /* ids are never reused while the head lives, so s is the series the
     * reference was taken from or NULL (removed); the hash check guards
     * against a reference taken for another key */
    return s && s->hash == hash ? s : NULL;
}

void head_prefetch_id(head *h, unsigned si, uint32_t id)
{
    shard *sh = &h->shards[si];
    if (id < sh->nids) st_prefetch(&sh->series[id], 0);
}

uint64_t hseries_ref(const hseries *s) { return s->ref; }
uint32_t hseries_id(const hseries *s) { return s->id; }
series_meta hseries_meta(const hseries *s)
{
    series_meta m = {s->type, s->table_len};
    return m;
}
void hseries_key(const hseries *s, const uint8_t **key, size_t *len)
{
    *key = s->key;
    *len = s->keylen;
}

size_t hseries_nsamples(const hseries *s)
{
    size_t n = s->open.n + s->ooo.n;
    for (uint32_t i = 0; i < s->nchunks; i++) n += s->chunks[i].n;
    for (uint32_t i = 0; i < s->nfrozen; i++) n += s->frozen[i].n;
    return n;
}

bool hseries_empty(const hseries *s) { return !s->open.n && !s->ooo.n && !s->nchunks && !s->nfrozen; }
bool hseries_has_frozen(const hseries *s) { return s->nfrozen > 0; }

static uint64_t str_new(head *h, st_slice str)
{
    hstr *x = st_malloc(sizeof *x + str.n);
    x->n = (uint32_t)str.n;
    if (str.n) memcpy(x->p, str.p, str.n);
    mem_add(h, (int64_t)(sizeof *x + str.n));
    return (uint64_t)(uintptr_t)x;
}

static void str_free(head *h, uint64_t v)
{
    hstr *x = (hstr *)(uintptr_t)v;
    mem_add(h, -(int64_t)(sizeof *x + x->n));
    st_free(x);
}

static st_slice str_slice(uint64_t v)
{
    hstr *x = (hstr *)(uintptr_t)v;
    return st_slice_of(x->p, x->n);
}

static void buf_grow(head *h, rawbuf *b)
{
    uint32_t ncap = b->cap ? b->cap * 2 : 8;
    b->p = st_realloc(b->p, (size_t)ncap * sizeof *b->p);
    mem_add(h, (int64_t)(ncap - b->cap) * (int64_t)sizeof(hsample));
    b->cap = ncap;
}

/* Binary search: index of the first sample with ts >= t. */
static uint32_t lower_bound(const rawbuf *b, int64_t t)
{
    uint32_t lo = 0, hi = b->n;
    while (lo < hi) {
        uint32_t mid = (lo + hi) / 2;
        if (b->p[mid].ts < t) lo = mid + 1;
        else hi = mid;
    }
    return lo;
}

/* The entries of a sorted raw buffer in [mint, maxt]: [*a, *b). */
static void buf_range(const rawbuf *rb, int64_t mint, int64_t maxt, uint32_t *a, uint32_t *b)
{
    *a = *b = lower_bound(rb, mint);
    while (*b < rb->n && rb->p[*b].ts <= maxt) (*b)++;
}

/* Inserts (or replaces, the later write winning) into a sorted raw buffer. */
static void buf_put(head *h, bool is_str, rawbuf *b, int64_t t, uint64_t v)
{
    uint32_t i = b->n && b->p[b->n - 1].ts < t ? b->n : lower_bound(b, t);
    if (i < b->n && b->p[i].ts == t) {
        if (is_str) str_free(h, b->p[i].v);
        b->p[i].v = v;
        return;
    }
    if (b->n == b->cap) buf_grow(h, b);
    if (i < b->n) memmove(b->p + i + 1, b->p + i, (b->n - i) * sizeof *b->p);
    b->p[i].ts = t;
    b->p[i].v = v;
    b->n++;
}

static void chunk_push(head *h, hchunk **arr, uint32_t *n, uint32_t *cap, hchunk c)
{
    if (*n == *cap) {
        uint32_t ncap = *cap ? *cap * 2 : 4;
        *arr = st_realloc(*arr, ncap * sizeof **arr);
        mem_add(h, (int64_t)(ncap - *cap) * (int64_t)sizeof(hchunk));
        *cap = ncap;
    }
    (*arr)[(*n)++] = c;
    mem_add(h, c.len);
    atomic_fetch_add(&h->nchunks, 1);
    atomic_fetch_add(&h->chunk_bytes, c.len);
}

static void chunk_drop(head *h, hchunk *c)
{
    mem_add(h, -(int64_t)c->len);
    atomic_fetch_sub(&h->nchunks, 1);
    atomic_fetch_sub(&h->chunk_bytes, c->len);
    st_free(c->data);
    c->data = NULL;
}

/* Encodes samples [from, to) of a decoded list into chunks appended to arr.
 * Encoding cannot fail on sorted input, which every caller guarantees. */
static void encode_into(head *h, hchunk **arr, uint32_t *n, uint32_t *cap, uint8_t type,
                        const codec_samples *s, size_t from, size_t to)
{
    while (from < to) {
        size_t k = to - from;
        if (k > h->chunk_samples * 2) k = h->chunk_samples;
        st_buf b = {0};
        st_err e;
        int rc = codec_encode((st_vtype)type, s->ts + from, s->vals + from,
                              type == ST_VT_STRING ? s->strs + from : NULL, k, &b, &e);
        if (rc != 0) {
            /* unreachable on sorted input; keep the data rather than lose it */
            st_buf_free(&b);
            return;
        }
        hchunk c = {s->ts[from], s->ts[from + k - 1], (uint32_t)k, (uint32_t)b.len,
                    st_realloc(b.p, b.len)};
        chunk_push(h, arr, n, cap, c);
        from += k;
    }
}

/* Raw buffer samples [from, to) -> decoded list. */
static void raw_to_samples(uint8_t type, const rawbuf *b, uint32_t from, uint32_t to,
                           codec_samples *out)
{
    bool is_str = type == ST_VT_STRING;
    if (!is_str && to > from) {
        codec_samples_reserve(out, out->n + (to - from));
        for (uint32_t i = from; i < to; i++, out->n++) {
            out->ts[out->n] = b->p[i].ts;
            out->vals[out->n] = b->p[i].v;
        }
        return;
    }
    for (uint32_t i = from; i < to; i++)
        samples_push(out, is_str, b->p[i].ts, is_str ? 0 : b->p[i].v,
                     is_str ? str_slice(b->p[i].v) : st_slice_of(NULL, 0));
}

static void seal_open(head *h, hseries *s)
{
    if (!s->open.n) return;
    codec_samples tmp = {0};
    raw_to_samples(s->type, &s->open, 0, s->open.n, &tmp);
    encode_into(h, &s->chunks, &s->nchunks, &s->capchunks, s->type, &tmp, 0, tmp.n);
    codec_samples_free(&tmp);
    if (s->type == ST_VT_STRING)
        for (uint32_t i = 0; i < s->open.n; i++) str_free(h, s->open.p[i].v);
    s->open.n = 0;
    /* Give the buffer back: a full-size buffer kept per idle series would be
     * most of the head's memory, and regrowing it costs a few reallocations
     * per chunk. */
    mem_add(h, -(int64_t)s->open.cap * (int64_t)sizeof(hsample));
    st_free(s->open.p);
    s->open.p = NULL;
    s->open.cap = 0;
}

static int decode_chunks(const hchunk *cs, uint32_t n, int64_t mint, int64_t maxt,
                         uint8_t type, codec_samples *out, codec_samples *tmp, st_err *e)
{
    bool is_str = type == ST_VT_STRING;
    samples_clear(out);
    for (uint32_t i = 0; i < n; i++) {
        if (cs[i].maxt < mint || cs[i].mint > maxt) continue;
        int rc = codec_decode(cs[i].data, cs[i].len, tmp, e);
        if (rc) return rc;
        if (!is_str) { /* numbers: the range's part of the chunk in one copy */
            size_t a = 0, b = tmp->n;
            while (a < b && tmp->ts[a] < mint) a++;
            while (b > a && tmp->ts[b - 1] > maxt) b--;
            if (b == a) continue;
            codec_samples_reserve(out, out->n + (b - a));
            memcpy(out->ts + out->n, tmp->ts + a, (b - a) * sizeof *out->ts);
            memcpy(out->vals + out->n, tmp->vals + a, (b - a) * sizeof *out->vals);
            out->n += b - a;
            continue;
        }
        for (size_t j = 0; j < tmp->n; j++)
            if (tmp->ts[j] >= mint && tmp->ts[j] <= maxt) samples_push_from(out, is_str, tmp, j);
    }
    return 0;
}

/* Folds the out-of-order buffer into the sealed chunks: decode the chunks it
 * overlaps, merge (the buffer wins), re-encode. Chunks stay disjoint. */
static void fold_ooo(head *h, hseries *s)
{
    if (!s->ooo.n) return;
    int64_t lo = s->ooo.p[0].ts, hi = s->ooo.p[s->ooo.n - 1].ts;
    bool is_str = s->type == ST_VT_STRING;
    codec_samples old = {0}, tmp = {0}, ooo = {0}, merged = {0};
    /* the affected chunk range [a, b) */
    uint32_t a = 0, b = 0;
    while (a < s->nchunks && s->chunks[a].maxt < lo) a++;
    b = a;
    while (b < s->nchunks && s->chunks[b].mint <= hi) b++;
    st_err e;
    int rc = decode_chunks(s->chunks + a, b - a, INT64_MIN, INT64_MAX, s->type, &old, &tmp, &e);
    if (rc != 0) {
        /* A head chunk we encoded ourselves failed to decode: memory corruption.
         * Keep the buffer as it is rather than drop anything. */
        goto out;
    }
    raw_to_samples(s->type, &s->ooo, 0, s->ooo.n, &ooo);
    samples_merge(&merged, is_str, &old, &ooo);
    hchunk *fresh = NULL;
    uint32_t nf = 0, capf = 0;
    encode_into(h, &fresh, &nf, &capf, s->type, &merged, 0, merged.n);
    for (uint32_t i = a; i < b; i++) chunk_drop(h, &s->chunks[i]);
    /* splice: chunks[0,a) + fresh + chunks[b, n) */
    uint32_t tail = s->nchunks - b;
    uint32_t total = a + nf + tail;
    if (total > s->capchunks) {
        mem_add(h, (int64_t)(total - s->capchunks) * (int64_t)sizeof(hchunk));
        s->chunks = st_realloc(s->chunks, total * sizeof *s->chunks);
        s->capchunks = total;
    }
    memmove(s->chunks + a + nf, s->chunks + b, tail * sizeof *s->chunks);
    memcpy(s->chunks + a, fresh, nf * sizeof *fresh);
    s->nchunks = total;
    mem_add(h, -(int64_t)capf * (int64_t)sizeof(hchunk));
    st_free(fresh);
    if (is_str)
        for (uint32_t i = 0; i < s->ooo.n; i++) str_free(h, s->ooo.p[i].v);
    s->ooo.n = 0;
out:
    codec_samples_free(&old);
    codec_samples_free(&tmp);
    codec_samples_free(&ooo);
    codec_samples_free(&merged);
}

void head_append_locked(head *h, hseries *s, int64_t ts, uint64_t val, st_slice str)
{
    bool is_str = s->type == ST_VT_STRING;
    if (is_str) val = str_new(h, str);
    shard *sh = &h->shards[head_shard_of(h, s->hash)];
    if (ts < sh->lo) sh->lo = ts;
    if (ts > sh->hi) sh->hi = ts;
    if (ts > s->last_ts) {
        rawbuf *b = &s->open;
        if (b->n == b->cap) buf_grow(h, b);
        b->p[b->n].ts = ts;
        b->p[b->n].v = val;
        b->n++;
        s->last_ts = ts;
        if (b->n >= h->chunk_samples) seal_open(h, s);
        return;
    }
    if (s->open.n && ts >= s->open.p[0].ts) {
        buf_put(h, is_str, &s->open, ts, val);
        return;
    }
    buf_put(h, is_str, &s->ooo, ts, val);
    if (s->ooo.n >= h->ooo_samples) fold_ooo(h, s);
}

void head_prefetch(const hseries *s) { st_prefetch(s, 1); }

void head_prefetch_lookup(head *h, unsigned si, uint64_t hash)
{
    shard *sh = &h->shards[si];
    st_prefetch(&sh->slots[hash & (sh->nslots - 1)], 0);
}

void head_prefetch_buffer(const hseries *s)
{
    if (s->open.p) st_prefetch(s->open.p + s->open.n, 1);
}

/* A series' data as parts: sealed chunks, out-of-order and open buffers,
 * frozen chunks (a flush in progress). The head's own or a snapshot's. */
typedef struct parts {
    uint8_t type;
    const hchunk *sealed, *frozen;
    uint32_t nsealed, nfrozen;
    const rawbuf *ooo, *open;
} parts;

static int read_parts(const parts *s, int64_t mint, int64_t maxt, codec_samples *out, codec_samples scratch[3],
                      st_err *e)
{
    bool is_str = s->type == ST_VT_STRING;
    codec_samples *sealed = &scratch[0], *tmp = &scratch[1], *ooo = &scratch[2];
    int rc = decode_chunks(s->sealed, s->nsealed, mint, maxt, s->type, sealed, tmp, e);
    if (rc) return rc;
    samples_clear(ooo);
    uint32_t a, b;
    buf_range(s->ooo, mint, maxt, &a, &b);
    if (a == b) {
        samples_swap(out, sealed); /* the usual case: nothing out of order to merge */
    } else {
        raw_to_samples(s->type, s->ooo, a, b, ooo);
        samples_merge(out, is_str, sealed, ooo);
    }
    buf_range(s->open, mint, maxt, &a, &b);
    raw_to_samples(s->type, s->open, a, b, out);
    if (s->nfrozen) {
        rc = decode_chunks(s->frozen, s->nfrozen, mint, maxt, s->type, sealed, tmp, e);
        if (rc) return rc;
        samples_merge(tmp, is_str, sealed, out);
        samples_swap(tmp, out);
    }
    return 0;
}

int head_read_locked(head *h, hseries *s, int64_t mint, int64_t maxt, codec_samples *out,
                     codec_samples scratch[3], st_err *e)
{
    (void)h;
    parts p = {s->type, s->chunks, s->frozen, s->nchunks, s->nfrozen, &s->ooo, &s->open};
    return read_parts(&p, mint, maxt, out, scratch, e);
}

struct head_snap {
    uint8_t type;
    hchunk *ch; /* sealed, then frozen; data in bytes */
    uint32_t nsealed, nfrozen, cap;
    st_buf bytes;
    rawbuf ooo, open; /* the parts in the range */
};

head_snap *head_snap_new(void) { return st_calloc(1, sizeof(head_snap)); }

void head_snap_free(head_snap *sn)
{
    if (!sn) return;
    st_free(sn->ch);
    st_buf_free(&sn->bytes);
    st_free(sn->ooo.p);
    st_free(sn->open.p);
    st_free(sn);
}

static bool chunk_in(const hchunk *c, int64_t mint, int64_t maxt) { return c->maxt >= mint && c->mint <= maxt; }

/* The chunks of cs in the range, their bytes into bytes (reserved). */
static uint32_t snap_chunks(head_snap *sn, const hchunk *cs, uint32_t n, int64_t mint, int64_t maxt)
{
    uint32_t k = 0;
    for (uint32_t i = 0; i < n; i++) {
        if (!chunk_in(&cs[i], mint, maxt)) continue;
        hchunk *c = &sn->ch[sn->nsealed + sn->nfrozen + k++];
        *c = cs[i];
        c->data = sn->bytes.p + sn->bytes.len;
        if (cs[i].len) memcpy(c->data, cs[i].data, cs[i].len);
        sn->bytes.len += cs[i].len;
    }
    return k;
}

static void snap_raw(rawbuf *to, const rawbuf *from, int64_t mint, int64_t maxt)
{
    uint32_t a, b;
    buf_range(from, mint, maxt, &a, &b);
    if (b - a > to->cap) {
        to->cap = b - a;
        to->p = st_realloc(to->p, to->cap * sizeof *to->p);
    }
    if (b > a) memcpy(to->p, from->p + a, (b - a) * sizeof *to->p);
    to->n = b - a;
}

bool head_snap_take_locked(const hseries *s, int64_t mint, int64_t maxt, head_snap *sn)
{
    if (s->type == ST_VT_STRING) return false;
    size_t bytes = 0;
    uint32_t n = 0;
    for (uint32_t i = 0; i < s->nchunks; i++)
        if (chunk_in(&s->chunks[i], mint, maxt)) bytes += s->chunks[i].len, n++;
    for (uint32_t i = 0; i < s->nfrozen; i++)
        if (chunk_in(&s->frozen[i], mint, maxt)) bytes += s->frozen[i].len, n++;
    if (n > sn->cap) {
        sn->cap = n;
        sn->ch = st_realloc(sn->ch, n * sizeof *sn->ch);
    }
    sn->bytes.len = 0;
    st_buf_reserve(&sn->bytes, bytes + 1); /* no move while the chunks point into it; never NULL */
    sn->type = s->type;
    sn->nsealed = sn->nfrozen = 0;
    sn->nsealed = snap_chunks(sn, s->chunks, s->nchunks, mint, maxt);
    sn->nfrozen = snap_chunks(sn, s->frozen, s->nfrozen, mint, maxt);
    snap_raw(&sn->ooo, &s->ooo, mint, maxt);
    snap_raw(&sn->open, &s->open, mint, maxt);
    return true;
}

int head_snap_read(const head_snap *sn, int64_t mint, int64_t maxt, codec_samples *out, codec_samples scratch[3],
                   st_err *e)
{
    const hchunk *frozen = sn->nfrozen ? sn->ch + sn->nsealed : NULL; /* ch is NULL before any chunk */
    parts p = {sn->type, sn->ch, frozen, sn->nsealed, sn->nfrozen, &sn->ooo, &sn->open};
    return read_parts(&p, mint, maxt, out, scratch, e);
}

/* Rebuilds a series' chunks, open and ooo buffers from a decoded list
 * (used by delete and freeze, which rewrite everything they touch). */
static void rebuild(head *h, hseries *s, const codec_samples *all)
{
    bool is_str = s->type == ST_VT_STRING;
    for (uint32_t i = 0; i < s->nchunks; i++) chunk_drop(h, &s->chunks[i]);
    s->nchunks = 0;
    if (is_str) {
        for (uint32_t i = 0; i < s->open.n; i++) str_free(h, s->open.p[i].v);
        for (uint32_t i = 0; i < s->ooo.n; i++) str_free(h, s->ooo.p[i].v);
    }
    s->open.n = s->ooo.n = 0;
    /* Keep the newest partial chunk's worth raw in the open buffer so that
     * in-order appends go on without an immediate re-seal. */
    size_t keep = all->n % h->chunk_samples;
    size_t sealed = all->n - keep;
    encode_into(h, &s->chunks, &s->nchunks, &s->capchunks, s->type, all, 0, sealed);
    for (size_t i = sealed; i < all->n; i++) {
        if (s->open.n == s->open.cap) buf_grow(h, &s->open);
        s->open.p[s->open.n].ts = all->ts[i];
        s->open.p[s->open.n++].v = is_str ? str_new(h, all->strs[i]) : all->vals[i];
    }
    s->last_ts = all->n ? all->ts[all->n - 1] : INT64_MIN;
}

static void samples_remove_range(codec_samples *s, int64_t mint, int64_t maxt)
{
    size_t w = 0;
    for (size_t i = 0; i < s->n; i++) {
        if (s->ts[i] >= mint && s->ts[i] <= maxt) continue;
        s->ts[w] = s->ts[i];
        s->vals[w] = s->vals[i];
        if (s->strs) s->strs[w] = s->strs[i];
        w++;
    }
    s->n = w;
}

int head_delete_locked(head *h, hseries *s, int64_t mint, int64_t maxt, st_err *e)
{
    codec_samples scratch[3] = {{0}}, all = {0}, fz = {0};
    /* everything but frozen */
    uint32_t nfrozen = s->nfrozen;
    s->nfrozen = 0;
    int rc = head_read_locked(h, s, INT64_MIN, INT64_MAX, &all, scratch, e);
    s->nfrozen = nfrozen;
    if (rc == 0) {
        samples_remove_range(&all, mint, maxt);
        rebuild(h, s, &all);
        if (s->nfrozen) {
            rc = decode_chunks(s->frozen, s->nfrozen, INT64_MIN, INT64_MAX, s->type, &fz,
                               &scratch[0], e);
            if (rc == 0) {
                samples_remove_range(&fz, mint, maxt);
                for (uint32_t i = 0; i < s->nfrozen; i++) chunk_drop(h, &s->frozen[i]);
                s->nfrozen = 0;
                encode_into(h, &s->frozen, &s->nfrozen, &s->capfrozen, s->type, &fz, 0, fz.n);
            }
        }
    }
    for (int i = 0; i < 3; i++) codec_samples_free(&scratch[i]);
    codec_samples_free(&all);
    codec_samples_free(&fz);
    return rc;
}

int head_freeze_locked(head *h, hseries *s, int64_t cutoff, st_err *e)
{
    /* Fast path: nothing old enough. */
    int64_t minv = INT64_MAX;
    if (s->nchunks) minv = s->chunks[0].mint;
    if (s->ooo.n && s->ooo.p[0].ts < minv) minv = s->ooo.p[0].ts;
    if (s->open.n && s->open.p[0].ts < minv) minv = s->open.p[0].ts;
    if (minv >= cutoff && !s->nfrozen) return 0;
    /* head_read_locked merges frozen chunks left by a failed flush under the
     * live data (which wins), so re-freezing folds them in. */
    codec_samples scratch[3] = {{0}}, all = {0};
    int rc = head_read_locked(h, s, INT64_MIN, INT64_MAX, &all, scratch, e);
    if (rc == 0) {
        size_t split = 0;
        while (split < all.n && all.ts[split] < cutoff) split++;
        for (uint32_t i = 0; i < s->nfrozen; i++) chunk_drop(h, &s->frozen[i]);
        s->nfrozen = 0;
        encode_into(h, &s->frozen, &s->nfrozen, &s->capfrozen, s->type, &all, 0, split);
        /* the rest stays live */
        codec_samples rest = {0};
        bool is_str = s->type == ST_VT_STRING;
        for (size_t i = split; i < all.n; i++) samples_push_from(&rest, is_str, &all, i);
        rebuild(h, s, &rest);
        codec_samples_free(&rest);
    }
    for (int i = 0; i < 3; i++) codec_samples_free(&scratch[i]);
    codec_samples_free(&all);
    return rc;
}

int head_read_frozen_locked(head *h, hseries *s, codec_samples *out, st_err *e)
{
    (void)h;
    codec_samples tmp = {0};
    int rc = decode_chunks(s->frozen, s->nfrozen, INT64_MIN, INT64_MAX, s->type, out, &tmp, e);
    codec_samples_free(&tmp);
    return rc;
}

void head_thaw_drop_locked(head *h, hseries *s)
{
    if (s->nfrozen) h->shards[head_shard_of(h, s->hash)].lo_stale = true;
    for (uint32_t i = 0; i < s->nfrozen; i++) chunk_drop(h, &s->frozen[i]);
    s->nfrozen = 0;
}

void head_remove_locked(head *h, unsigned si, hseries *s)
{
    shard *sh = &h->shards[si];
    label ls[LABELS_MAX + 1];
    size_t n = index_labels(s, ls);
    idx_remove(sh->ix, s->id, ls, n);
    slots_delete(sh, s->hash, s->id);
    sh->series[s->id] = NULL;
    sh->live--;
    atomic_fetch_sub(&h->nseries, 1);
    series_free(h, s);
}

/* Pieces of head_remove_empty: ids looked at per lock hold while removing
 * series, and postings entries per lock hold while filtering the index
 * (each well under a millisecond). */
#define GC_IDS_PER_HOLD 2048
#define GC_POSTINGS_PER_HOLD 65536

size_t head_remove_empty(head *h, unsigned si, void (*on_remove)(void *ctx, const hseries *s),
                         void *ctx)
{
    shard *sh = &h->shards[si];
    size_t removed = 0;
    hseries **gone = st_malloc(GC_IDS_PER_HOLD * sizeof *gone);
    pthread_mutex_lock(&sh->mu);
    uint32_t bound = sh->nids; /* series created later are not empty: they got a sample */
    size_t nwords = (size_t)bound / 64 + 1;
    uint64_t *dead = st_calloc(nwords, sizeof *dead);
    sh->gc = true;
    /* 1. take the empty series out of the map and the table, a piece at a
     * time; the index keeps their ids until step 2, which selections hide */
    for (uint32_t id = 0; id < bound;) {
        size_t ngone = 0;
        for (uint32_t end = bound - id > GC_IDS_PER_HOLD ? id + GC_IDS_PER_HOLD : bound; id < end;
             id++) {
            hseries *s = sh->series[id];
            if (!s || !hseries_empty(s)) continue;
            if (on_remove) on_remove(ctx, s);
            slots_delete(sh, s->hash, s->id);
            sh->series[id] = NULL;
            sh->live--;
            dead[id >> 6] |= 1ull << (id & 63);
            gone[ngone++] = s;
        }
        pthread_mutex_unlock(&sh->mu);
        /* nothing refers to them any more: free outside the lock */
        atomic_fetch_sub(&h->nseries, ngone);
        for (size_t i = 0; i < ngone; i++) series_free(h, gone[i]);
        removed += ngone;
        pthread_mutex_lock(&sh->mu);
    }
    /* 2. one filtering pass over the index, a piece at a time */
    if (removed) {
        idx_remove_bulk_begin(sh->ix, dead, nwords);
        while (!idx_remove_bulk_step(sh->ix, GC_POSTINGS_PER_HOLD)) {
            pthread_mutex_unlock(&sh->mu);
            pthread_mutex_lock(&sh->mu);
        }
    }
    sh->gc = false;
    pthread_mutex_unlock(&sh->mu);
    st_free(dead);
    st_free(gone);
    return removed;
}

int head_select_locked(head *h, unsigned si, matcher *const *ms, size_t n, postings *out,
                       st_err *e)
{
    shard *sh = &h->shards[si];
    int rc = idx_select(sh->ix, ms, n, out, e);
    if (rc == 0 && sh->gc) {
        size_t w = 0;
        for (size_t i = 0; i < out->n; i++)
            if (sh->series[out->ids[i]]) out->ids[w++] = out->ids[i];
        out->n = w;
    }
    return rc;
}

void head_select_table_locked(head *h, unsigned si, st_slice table, postings *out)
{
    shard *sh = &h->shards[si];
    idx_postings(sh->ix, st_slice_of("", 0), table, out);
    if (sh->gc) {
        size_t w = 0;
        for (size_t i = 0; i < out->n; i++)
            if (sh->series[out->ids[i]]) out->ids[w++] = out->ids[i];
        out->n = w;
    }
}

void head_filter_table_locked(head *h, unsigned si, st_slice table, postings *a)
{
    shard *sh = &h->shards[si];
    idx_postings_filter(sh->ix, st_slice_of("", 0), table, a);
    if (sh->gc) {
        size_t w = 0;
        for (size_t i = 0; i < a->n; i++)
            if (sh->series[a->ids[i]]) a->ids[w++] = a->ids[i];
        a->n = w;
    }
}

static bool buf_overlaps(const rawbuf *b, int64_t mint, int64_t maxt)
{
    if (!b->n || b->p[0].ts > maxt || b->p[b->n - 1].ts < mint) return false;
    uint32_t i = lower_bound(b, mint);
    return i < b->n && b->p[i].ts <= maxt;
}

static bool chunks_overlap(const hchunk *c, uint32_t n, int64_t mint, int64_t maxt)
{
    for (uint32_t i = 0; i < n; i++)
        if (c[i].mint <= maxt && c[i].maxt >= mint) return true;
    return false;
}

int64_t hseries_last_ts(const hseries *s) { return s->last_ts; }

static size_t add_span(int64_t lo, int64_t hi, int64_t mint, int64_t maxt, int64_t *out, size_t cap, size_t n)
{
    if (lo > maxt || hi < mint) return n;
    if (n < cap) {
        out[2 * n] = lo < mint ? mint : lo;
        out[2 * n + 1] = hi > maxt ? maxt : hi;
    }
    return n + 1;
}

size_t hseries_spans(const hseries *s, int64_t mint, int64_t maxt, int64_t *out, size_t cap)
{
    size_t n = 0;
    for (uint32_t i = 0; i < s->nchunks; i++) n = add_span(s->chunks[i].mint, s->chunks[i].maxt, mint, maxt, out, cap, n);
    for (uint32_t i = 0; i < s->nfrozen; i++) n = add_span(s->frozen[i].mint, s->frozen[i].maxt, mint, maxt, out, cap, n);
    /* a buffer's span is narrowed to its samples inside the range, so that
     * the ends still hold samples */
    const rawbuf *bufs[2] = {&s->open, &s->ooo};
    for (int k = 0; k < 2; k++) {
        const rawbuf *b = bufs[k];
        if (!buf_overlaps(b, mint, maxt)) continue;
        uint32_t i = lower_bound(b, mint), j = b->n;
        while (j > i && b->p[j - 1].ts > maxt) j--;
        n = add_span(b->p[i].ts, b->p[j - 1].ts, mint, maxt, out, cap, n);
    }
    return n;
}

bool hseries_overlaps(const hseries *s, int64_t mint, int64_t maxt)
{
    return buf_overlaps(&s->open, mint, maxt) || buf_overlaps(&s->ooo, mint, maxt) ||
           chunks_overlap(s->chunks, s->nchunks, mint, maxt) ||
           chunks_overlap(s->frozen, s->nfrozen, mint, maxt);
}

idx *head_index_locked(head *h, unsigned si) { return h->shards[si].ix; }
uint32_t head_id_bound_locked(head *h, unsigned si) { return h->shards[si].nids; }

/* The bounds of what s holds in memory; lo > hi when nothing. */
static void series_bounds(const hseries *s, int64_t *lo_out, int64_t *hi_out)
{
    int64_t lo = INT64_MAX, hi = INT64_MIN;
    if (s->nchunks) {
        lo = s->chunks[0].mint;
        hi = s->chunks[s->nchunks - 1].maxt;
    }
    for (uint32_t i = 0; i < s->nfrozen; i++) {
        if (s->frozen[i].mint < lo) lo = s->frozen[i].mint;
        if (s->frozen[i].maxt > hi) hi = s->frozen[i].maxt;
    }
    if (s->ooo.n) {
        if (s->ooo.p[0].ts < lo) lo = s->ooo.p[0].ts;
        if (s->ooo.p[s->ooo.n - 1].ts > hi) hi = s->ooo.p[s->ooo.n - 1].ts;
    }
    if (s->open.n) {
        if (s->open.p[0].ts < lo) lo = s->open.p[0].ts;
        if (s->open.p[s->open.n - 1].ts > hi) hi = s->open.p[s->open.n - 1].ts;
    }
    *lo_out = lo;
    *hi_out = hi;
}

void head_time_bounds(head *h, int64_t *lo, int64_t *hi)
{
    *lo = INT64_MAX;
    *hi = INT64_MIN;
    for (unsigned i = 0; i < h->nshards; i++) {
        shard *sh = &h->shards[i];
        pthread_mutex_lock(&sh->mu);
        if (sh->lo_stale) {
            int64_t l = INT64_MAX, u = INT64_MIN;
            for (uint32_t j = 0; j < sh->nids; j++) {
                if (!sh->series[j]) continue;
                int64_t a, b;
                series_bounds(sh->series[j], &a, &b);
                if (a < l) l = a;
                if (b > u) u = b;
            }
            sh->lo = l;
            sh->hi = u;
            sh->lo_stale = false;
        }
        if (sh->lo < *lo) *lo = sh->lo;
        if (sh->hi > *hi) *hi = sh->hi;
        pthread_mutex_unlock(&sh->mu);
    }
}

void head_get_stats(head *h, head_stats *out)
{
    memset(out, 0, sizeof *out);
    out->mint = INT64_MAX;
    out->maxt = INT64_MIN;
    for (unsigned i = 0; i < h->nshards; i++) {
        shard *sh = &h->shards[i];
        pthread_mutex_lock(&sh->mu);
        out->series += sh->live;
        out->memory_bytes += idx_memory(sh->ix);
        for (uint32_t j = 0; j < sh->nids; j++) {
            hseries *s = sh->series[j];
            if (!s) continue;
            out->buffer_samples += s->open.n + s->ooo.n;
            int64_t lo, hi;
            series_bounds(s, &lo, &hi);
            if (lo < out->mint) out->mint = lo;
            if (hi > out->maxt) out->maxt = hi;
        }
        pthread_mutex_unlock(&sh->mu);
    }
    out->chunks = atomic_load(&h->nchunks);
    out->chunk_bytes = atomic_load(&h->chunk_bytes);
    out->memory_bytes += atomic_load(&h->memory);
}

uint64_t head_memory(const head *h) { return atomic_load(&((head *)h)->memory); }
uint64_t head_series_count(const head *h) { return atomic_load(&((head *)h)->nseries); }
