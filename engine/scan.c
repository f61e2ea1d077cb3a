/* scan: the query layer (scan.h), over one database's head and blocks.
 *
 * Open pins the blocks that overlap the range (references: compaction and
 * retention never free a block under a scan) and gathers (key, source)
 * entries from the head shards and the blocks, under the database's
 * view_lock held shared, so that no series moves from the head into a
 * block unseen. Entries are sorted once, in the consumer's order and then
 * by precedence (blocks in creation order, the head last); the entries of
 * one key form a group, one series.
 *
 * An iterator resolves a series when it reaches it: under view_lock it
 * reads the series' head samples (bounded by the memory window, not by the
 * range) and, if a flush swapped head data for a block since the scan
 * pinned its blocks (the database's generation moved), pins the new blocks
 * and finds the key in them too. Block data is immutable while pinned, so
 * everything after that runs without the lock, one chunk at a time.
 *
 * A series' data is then a list of chunks in time order. When its sources
 * are disjoint in time (the usual case: each block holds its own partition
 * and the head what is newer), that list is the block chunks that overlap
 * the range, then the head's samples as one chunk: walking it decodes one
 * chunk at a time. When sources overlap (out-of-order writes into a
 * flushed range, blocks not yet compacted), the list is one merged chunk
 * produced by a k-way merge in which the later source wins on equal
 * timestamps, each source holding one decoded chunk at a time.
 */
#include "store_int.h"

#include <stdio.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>

#include "bits.h"
#include "htab.h"
#include "labels.h"
#include "samples.h"
#include "scan.h"

#define DEFAULT_BATCH 4096
#define HEAD_SRC (-1)

/* ------------------------------------------------------------------ budget */

void scan_budget_init(scan_budget *b)
{
    atomic_init(&b->samples, 0);
    atomic_init(&b->polls, 0);
    atomic_init(&b->claimed, 0);
    atomic_init(&b->code, 0);
    b->msg[0] = 0;
}

int scan_budget_fail(scan_budget *b, int code, const char *msg, st_err *e)
{
    /* Readers take msg once they see a code (acquire): the winner writes
     * msg before publishing the code (release), and a loser waits for it,
     * which is one short snprintf away. */
    int zero = 0;
    if (atomic_compare_exchange_strong(&b->claimed, &zero, 1)) {
        snprintf(b->msg, sizeof b->msg, "%s", msg);
        atomic_store_explicit(&b->code, code, memory_order_release);
    }
    int c;
    while (!(c = atomic_load_explicit(&b->code, memory_order_acquire))) sched_yield();
    return st_fail(e, c, "%s", b->msg);
}

int scan_budget_error(scan_budget *b, int rc, st_err *e)
{
    int bc = atomic_load_explicit(&b->code, memory_order_acquire);
    if (bc && (rc == bc || !e->code || e->code == bc)) {
        e->code = bc;
        snprintf(e->msg, sizeof e->msg, "%s", b->msg);
        return bc;
    }
    return e->code ? e->code : rc;
}

int scan_budget_poll(scan_budget *b, st_err *e)
{
    if (!b) return 0;
    int c = atomic_load_explicit(&b->code, memory_order_acquire);
    if (c) return st_fail(e, c, "%s", b->msg);
    if (b->deadline_ns && st_mono_ns() > b->deadline_ns)
        return scan_budget_fail(b, ST_ETIMEOUT, "query timed out in expression evaluation", e);
    uint64_t n = atomic_fetch_add_explicit(&b->polls, 1, memory_order_relaxed);
    if (b->cancelled && n % 64 == 0 && b->cancelled(b->cancel_ctx))
        return scan_budget_fail(b, ST_ECANCELED, "query was canceled in expression evaluation", e);
    return 0;
}

int scan_budget_charge(scan_budget *b, uint64_t n, st_err *e)
{
    if (!b) return 0;
    int c = atomic_load_explicit(&b->code, memory_order_acquire);
    if (c) return st_fail(e, c, "%s", b->msg);
    if (n == 0) return 0; /* a check between series: no write to the shared counter */
    uint64_t before = atomic_fetch_add_explicit(&b->samples, n, memory_order_relaxed);
    if (b->max_samples && before + n > b->max_samples)
        return scan_budget_fail(b, ST_ELIMIT, "query processing would load too many samples into memory "
                                "in query execution", e);
    /* the clock and the client are polled about every 16k samples */
    if ((before >> 14) != ((before + n) >> 14) || n >= 16384) {
        if (b->deadline_ns && st_mono_ns() > b->deadline_ns)
            return scan_budget_fail(b, ST_ETIMEOUT, "query timed out in expression evaluation", e);
        if (b->cancelled && b->cancelled(b->cancel_ctx))
            return scan_budget_fail(b, ST_ECANCELED, "query was canceled in expression evaluation", e);
    }
    return 0;
}

/* ------------------------------------------------------------------ selection */

typedef struct sent {
    const uint8_t *key; /* the scan's arena (head) or the pinned block */
    uint32_t keylen;
    int32_t src;        /* index in sc->blocks, or HEAD_SRC */
    uint32_t id;        /* series id in the block or the head shard */
    uint32_t shard;
    uint32_t name_off;  /* __name__ value: key[name_off, name_off + name_len) */
    uint16_t name_len, table_len;
    uint8_t type;
} sent;

struct scan {
    store *s;
    sdb *d;
    int64_t mint, maxt;
    scan_mode mode;
    bool tail;           /* scan_spec.tail */
    scan_order order;
    size_t batch;
    scan_budget *budget;
    blk **blocks;        /* pinned at open, in creation order (immutable after open) */
    size_t nblocks;
    /* blocks pinned later, when a flush moved data out of the head */
    pthread_mutex_t late_mu;
    blk **late;
    size_t nlate, caplate;
    _Atomic bool any_late; /* read without the lock: most scans never pin a late block */
    _Atomic uint64_t gen; /* the database's generation when blocks were last pinned */
    st_arena *arena;
    sent *ents;
    size_t nents, capents;
    uint64_t *refs;      /* SCAN_ORDER_CREATION over the head alone: each entry's series ref */
    size_t caprefs;
    pool *pool;          /* helpers for a large sort, or NULL */
    size_t *groups;      /* first entry of each series; groups[nseries] = nents */
    size_t nseries;
    /* scan_label_* answers */
    st_slice *names;
    size_t nnames, capnames;
    /* An unfiltered scan (no selector, table, column or type) collects its
     * series only when they are first asked for: label names, values and
     * tables come from the indexes alone. */
    _Atomic bool deferred;
    pthread_mutex_t collect_mu;
};

static int cmp_blk_id(const void *a, const void *b)
{
    return strcmp(blk_id(*(blk *const *)a), blk_id(*(blk *const *)b));
}

static bool type_wanted(unsigned types, uint8_t t) { return !types || (types >> t & 1u); }

static void push_ent(scan *sc, const uint8_t *key, size_t keylen, int32_t src, uint32_t id,
                     uint32_t shard, series_meta m, bool copy)
{
    if (sc->nents == sc->capents) {
        sc->capents = sc->capents ? sc->capents * 2 : 256;
        sc->ents = st_realloc(sc->ents, sc->capents * sizeof *sc->ents);
    }
    if (copy) {
        uint8_t *k = st_arena_alloc(sc->arena, keylen);
        memcpy(k, key, keylen);
        key = k;
    }
    st_slice name = labels_key_name(key, keylen);
    sent *x = &sc->ents[sc->nents++];
    x->key = key;
    x->keylen = (uint32_t)keylen;
    x->src = src;
    x->id = id;
    x->shard = shard;
    x->name_off = name.p ? (uint32_t)((const uint8_t *)name.p - key) : 0;
    x->name_len = (uint16_t)(name.n > UINT16_MAX ? UINT16_MAX : name.n);
    x->table_len = m.table_len && m.table_len < name.n ? m.table_len : (uint16_t)x->name_len;
    x->type = m.type;
}

static st_slice ent_table(const sent *x)
{
    return st_slice_of((const char *)x->key + x->name_off, x->table_len);
}

static st_slice ent_column(const sent *x)
{
    if (x->table_len >= x->name_len) return st_slice_of("value", 5);
    return st_slice_of((const char *)x->key + x->name_off + x->table_len + 1,
                       (size_t)x->name_len - x->table_len - 1);
}

/* Does the entry pass the spec's column filter? (The table filter is the
 * table index's; a name that merely starts like the table is not in it.) */
static bool column_ok(const sent *x, st_slice column)
{
    return !column.n || st_slice_eq(ent_column(x), column);
}

static int prec(const sent *x) { return x->src < 0 ? INT32_MAX : x->src; }

static int cmp_key_bytes(const sent *x, const sent *y)
{
    size_t n = x->keylen < y->keylen ? x->keylen : y->keylen;
    int c = memcmp(x->key, y->key, n);
    if (c) return c;
    return x->keylen == y->keylen ? 0 : x->keylen < y->keylen ? -1 : 1;
}

static int tie(const sent *x, const sent *y)
{
    int a = prec(x), b = prec(y);
    return a < b ? -1 : a > b;
}

static int cmp_order_key(const void *a, const void *b)
{
    const sent *x = a, *y = b;
    int c = cmp_key_bytes(x, y);
    return c ? c : tie(x, y);
}


/* The next label of a key that is not __name__; false at the end. */
static bool next_tag(const uint8_t **p, const uint8_t *end, st_slice *name, st_slice *value)
{
    while (*p < end) {
        uint64_t n;
        if (varint_get(p, end, &n) || n > (uint64_t)(end - *p)) return false;
        *name = st_slice_of((const char *)*p, (size_t)n);
        *p += n;
        if (varint_get(p, end, &n) || n > (uint64_t)(end - *p)) return false;
        *value = st_slice_of((const char *)*p, (size_t)n);
        *p += n;
        if (!(name->n == 8 && !memcmp(name->p, LABEL_METRIC_NAME, 8))) return true;
    }
    return false;
}

/* Pins the database's blocks overlapping the range that are not pinned
 * yet into (*arr, *n). view_lock held shared by the caller. */
static void pin_new_blocks(scan *sc, blk ***arr, size_t *n, size_t *cap)
{
    sdb *d = sc->d;
    pthread_mutex_lock(&d->blocks_mu);
    for (size_t i = 0; i < d->nblocks; i++) {
        blk *b = d->blocks[i];
        if (blk_maxt(b) < sc->mint || blk_mint(b) > sc->maxt) continue;
        bool have = false;
        for (size_t k = 0; k < sc->nblocks && !have; k++) have = sc->blocks[k] == b;
        for (size_t k = 0; k < sc->nlate && !have; k++) have = sc->late[k] == b;
        for (size_t k = 0; arr != &sc->late && k < *n && !have; k++) have = (*arr)[k] == b;
        if (have) continue;
        if (*n == *cap) {
            *cap = *cap ? *cap * 2 : 16;
            *arr = st_realloc(*arr, *cap * sizeof **arr);
        }
        blk_ref(b);
        (*arr)[(*n)++] = b;
    }
    sc->gen = atomic_load(&d->gen);
    pthread_mutex_unlock(&d->blocks_mu);
}

typedef struct selection {
    const scan_spec *sp;
    postings ids, acc, tab;
} selection;

/* The ids of one source matching the spec's selectors and table. */
static int select_ids(scan *sc, selection *x, int32_t src, uint32_t shard, st_err *e)
{
    const scan_spec *sp = x->sp;
    head *h = sc->d->head;
    int rc = 0;
    x->acc.n = 0;
    if (!sp->nselectors) {
        if (src == HEAD_SRC) {
            postings_union(&x->acc, idx_all(head_index_locked(h, shard)));
        } else {
            uint32_t cnt = blk_nseries(sc->blocks[src]);
            if (x->acc.cap < cnt + 1) {
                x->acc.ids = st_realloc(x->acc.ids, (cnt + 1) * sizeof *x->acc.ids);
                x->acc.cap = cnt + 1;
            }
            for (uint32_t k = 0; k < cnt; k++) x->acc.ids[k] = k;
            x->acc.n = cnt;
        }
    }
    for (size_t i = 0; i < sp->nselectors && rc == 0; i++) {
        if (src == HEAD_SRC) rc = head_select_locked(h, shard, sp->sel[i], sp->nsel[i], &x->ids, e);
        else rc = blk_select(sc->blocks[src], sp->sel[i], sp->nsel[i], &x->ids, e);
        if (rc == 0) postings_union(&x->acc, &x->ids);
    }
    if (rc || !sp->table.n) return rc;
    /* selectors first, then the table as a filter over their few ids */
    if (sp->nselectors) {
        if (src == HEAD_SRC) {
            head_filter_table_locked(h, shard, sp->table, &x->acc);
        } else {
            const uint32_t *t;
            size_t n;
            blk_table_series(sc->blocks[src], sp->table, &t, &n);
            postings_intersect_ids(&x->acc, t, n);
        }
        return 0;
    }
    if (src == HEAD_SRC) {
        head_select_table_locked(h, shard, sp->table, &x->tab);
    } else {
        const uint32_t *t;
        size_t n;
        blk_table_series(sc->blocks[src], sp->table, &t, &n);
        x->tab.n = 0;
        if (x->tab.cap < n + 1) {
            x->tab.ids = st_realloc(x->tab.ids, (n + 1) * sizeof *x->tab.ids);
            x->tab.cap = n + 1;
        }
        if (n) memcpy(x->tab.ids, t, n * sizeof *t);
        x->tab.n = n;
    }
    postings_intersect(&x->acc, &x->tab);
    return 0;
}

/* The ref of the entry just pushed. */
static void push_ref(scan *sc, uint64_t ref)
{
    if (sc->caprefs < sc->capents) {
        sc->caprefs = sc->capents;
        sc->refs = st_realloc(sc->refs, sc->caprefs * sizeof *sc->refs);
    }
    sc->refs[sc->nents - 1] = ref;
}

static int collect_locked(scan *sc, const scan_spec *sp, st_err *e)
{
    selection x = {.sp = sp};
    head *h = sc->d->head;
    int rc = 0;
    bool by_ref = sc->order == SCAN_ORDER_CREATION && !sc->nblocks;
    for (unsigned sh = 0; sh < head_nshards(h) && rc == 0; sh++) {
        head_lock(h, sh);
        rc = select_ids(sc, &x, HEAD_SRC, sh, e);
        for (size_t i = 0; rc == 0 && i < x.acc.n; i++) {
            hseries *hs = head_by_id_locked(h, sh, x.acc.ids[i]);
            if (!hs || hseries_empty(hs)) continue; /* its data left for a block, or was deleted */
            const uint8_t *k;
            size_t kl;
            hseries_key(hs, &k, &kl);
            push_ent(sc, k, kl, HEAD_SRC, x.acc.ids[i], sh, hseries_meta(hs), true);
            if (!column_ok(&sc->ents[sc->nents - 1], sp->column)) sc->nents--;
            else if (by_ref) push_ref(sc, hseries_ref(hs));
        }
        head_unlock(h, sh);
    }
    for (size_t b = 0; b < sc->nblocks && rc == 0; b++) {
        rc = select_ids(sc, &x, (int32_t)b, 0, e);
        for (size_t i = 0; rc == 0 && i < x.acc.n; i++) {
            const uint8_t *k;
            size_t kl;
            blk_series_key(sc->blocks[b], x.acc.ids[i], &k, &kl);
            /* block keys stay valid while the block is pinned: no copy */
            push_ent(sc, k, kl, (int32_t)b, x.acc.ids[i], 0, blk_series_meta(sc->blocks[b], x.acc.ids[i]),
                     false);
            if (!column_ok(&sc->ents[sc->nents - 1], sp->column)) sc->nents--;
        }
    }
    postings_free(&x.ids);
    postings_free(&x.acc);
    postings_free(&x.tab);
    return rc;
}

static bool same_key(const sent *x, const sent *y)
{
    return x->keylen == y->keylen && !memcmp(x->key, y->key, x->keylen);
}

/* Groups the sorted entries by key. A series' type is its newest source's
 * (a series re-created with another type after its old data left memory:
 * the newer type stands); sources of another type are dropped, and so are
 * series of a type not asked for. */
static void group(scan *sc, unsigned types)
{
    size_t w = 0;
    sc->groups = st_malloc((sc->nents + 1) * sizeof *sc->groups);
    sc->nseries = 0;
    for (size_t a = 0; a < sc->nents;) {
        size_t b = a + 1;
        while (b < sc->nents && same_key(&sc->ents[a], &sc->ents[b])) b++;
        uint8_t t = sc->ents[b - 1].type;
        if (type_wanted(types, t)) {
            sc->groups[sc->nseries++] = w;
            for (size_t i = a; i < b; i++)
                if (sc->ents[i].type == t) sc->ents[w++] = sc->ents[i];
        }
        a = b;
    }
    sc->nents = w;
    sc->groups[sc->nseries] = w;
}

/* Selections this large have half of their sort done by a pool helper
 * (when one is idle), the halves then merged. */
#define PARALLEL_SORT_MIN 16384

typedef struct half_sort {
    void *base;
    size_t n, size;
    int (*cmp)(const void *, const void *);
    pthread_mutex_t mu;
    pthread_cond_t cv;
    bool done;
} half_sort;

static void sort_half(void *arg)
{
    half_sort *h = arg;
    qsort(h->base, h->n, h->size, h->cmp);
    pthread_mutex_lock(&h->mu);
    h->done = true;
    pthread_cond_signal(&h->cv);
    pthread_mutex_unlock(&h->mu);
}

/* qsort, with the second half on a pool helper when the array is large. */
static void sort_array(scan *sc, void *base, size_t n, size_t size, int (*cmp)(const void *, const void *))
{
    size_t m = n / 2;
    char *b0 = base;
    half_sort h = {.base = b0 + m * size, .n = n - m, .size = size, .cmp = cmp};
    if (n < PARALLEL_SORT_MIN || !sc->pool) {
        qsort(base, n, size, cmp);
        return;
    }
    pthread_mutex_init(&h.mu, NULL);
    pthread_cond_init(&h.cv, NULL);
    if (!pool_lend(sc->pool, sort_half, &h)) {
        qsort(base, n, size, cmp);
    } else {
        qsort(base, m, size, cmp);
        pthread_mutex_lock(&h.mu);
        while (!h.done) pthread_cond_wait(&h.cv, &h.mu);
        pthread_mutex_unlock(&h.mu);
        char *out = st_malloc(n * size), *a = b0, *ae = b0 + m * size, *b = ae, *be = b0 + n * size, *o = out;
        while (a < ae && b < be) {
            char **from = cmp(a, b) <= 0 ? &a : &b;
            memcpy(o, *from, size);
            *from += size;
            o += size;
        }
        memcpy(o, a, (size_t)(ae - a));
        o += ae - a;
        memcpy(o, b, (size_t)(be - b));
        memcpy(base, out, n * size);
        st_free(out);
    }
    pthread_mutex_destroy(&h.mu);
    pthread_cond_destroy(&h.cv);
}

/* An entry's place in Prometheus's label order: its key encoded so that
 * bytes compare as labels do (labels_key_order_bytes), then its source. */
typedef struct order_key {
    const uint8_t *p;
    uint32_t n, i;
    int32_t prec;
} order_key;

static int cmp_order_key_bytes(const void *a, const void *b)
{
    const order_key *x = a, *y = b;
    int c = memcmp(x->p, y->p, x->n < y->n ? x->n : y->n);
    if (c) return c;
    if (x->n != y->n) return x->n < y->n ? -1 : 1;
    return x->prec < y->prec ? -1 : x->prec > y->prec;
}

/* One string of an order key: NUL as 00 01, ended by 00 00, so that
 * memcmp orders such strings as st_slice_cmp (bytes, then shorter first). */
static size_t put_ordered(uint8_t *o, st_slice s)
{
    size_t w = 0;
    for (size_t i = 0; i < s.n; i++) {
        o[w++] = (uint8_t)s.p[i];
        if (!s.p[i]) o[w++] = 1;
    }
    o[w++] = 0;
    o[w++] = 0;
    return w;
}

/* SCAN_ORDER_TABLE as bytes: the table, each tag as 01 then its name and
 * value, 00 after the last (a tag set that is a prefix of another comes
 * first), the column, then the key itself for what is left. At most
 * 6 x keylen + 16 bytes. */
static size_t table_order_bytes(const sent *x, uint8_t *out)
{
    size_t w = put_ordered(out, ent_table(x));
    const uint8_t *p = x->key, *end = p + x->keylen;
    st_slice name, value;
    while (next_tag(&p, end, &name, &value)) {
        out[w++] = 1;
        w += put_ordered(out + w, name);
        w += put_ordered(out + w, value);
    }
    out[w++] = 0;
    w += put_ordered(out + w, ent_column(x));
    memcpy(out + w, x->key, x->keylen);
    return w + x->keylen;
}

/* Label or table order by one encoding per entry and byte comparisons:
 * parsing the keys' length prefixes in every comparison cost more than
 * the sort. */
static void sort_by_bytes(scan *sc, scan_order order)
{
    size_t n = sc->nents, bytes = 0;
    for (size_t i = 0; i < n; i++)
        bytes += (order == SCAN_ORDER_TABLE ? 6 : 2) * (size_t)sc->ents[i].keylen + 16;
    uint8_t *buf = st_malloc(bytes ? bytes : 1);
    order_key *k = st_malloc(n * sizeof *k);
    size_t off = 0;
    for (size_t i = 0; i < n; i++) {
        const sent *x = &sc->ents[i];
        size_t len = order == SCAN_ORDER_TABLE ? table_order_bytes(x, buf + off)
                                               : labels_key_order_bytes(x->key, x->keylen, buf + off);
        k[i] = (order_key){buf + off, (uint32_t)len, (uint32_t)i, prec(x)};
        off += len;
    }
    sort_array(sc, k, n, sizeof *k, cmp_order_key_bytes);
    sent *out = st_malloc(n * sizeof *out);
    for (size_t i = 0; i < n; i++) out[i] = sc->ents[k[i].i];
    st_free(sc->ents);
    sc->ents = out;
    sc->capents = n;
    st_free(k);
    st_free(buf);
}

static void reorder(scan *sc, const uint32_t *pos)
{
    size_t n = sc->nents;
    sent *out = st_malloc((n + 1) * sizeof *out);
    for (size_t i = 0; i < n; i++) out[i] = sc->ents[pos[i]];
    st_free(sc->ents);
    sc->ents = out;
    sc->capents = n;
}

/* Head entries in creation order: refs come from one counter as series
 * are created. Each shard's entries come in id order, which is already
 * theirs; the shards interleave, so a radix sort of (ref, entry) pairs,
 * 11 bits a pass, over the bits the largest ref has. */
static void sort_by_ref(scan *sc)
{
    size_t n = sc->nents;
    uint64_t max = 0;
    bool sorted = true;
    for (size_t i = 0; i < n; i++) {
        if (sc->refs[i] > max) max = sc->refs[i];
        if (i && sc->refs[i] < sc->refs[i - 1]) sorted = false;
    }
    if (sorted) return;
    uint32_t *pos;
    st_radix_sort(&sc->refs, n, max, &pos);
    reorder(sc, pos);
    sc->caprefs = n;
    st_free(pos);
}

/* SCAN_ORDER_ANY with blocks: the entries of one series (equal keys, one
 * per source) must be adjacent and in precedence order, nothing more. A
 * radix sort by a hash of the key, then each run of equal hashes (a series'
 * sources, or a collision) put in key, then precedence, order. */
static void sort_by_hash(scan *sc)
{
    size_t n = sc->nents;
    uint64_t *h = st_malloc((n + 1) * sizeof *h);
    for (size_t i = 0; i < n; i++) h[i] = st_hash64(sc->ents[i].key, sc->ents[i].keylen, 0x5eed);
    uint32_t *pos;
    st_radix_sort(&h, n, UINT64_MAX, &pos);
    reorder(sc, pos);
    for (size_t a = 0; a < n;) {
        size_t b = a + 1;
        while (b < n && h[b] == h[a]) b++;
        for (size_t i = a + 1; i < b; i++) /* insertion sort: runs of a few */
            for (size_t j = i; j > a && cmp_order_key(&sc->ents[j - 1], &sc->ents[j]) > 0; j--) {
                sent t = sc->ents[j];
                sc->ents[j] = sc->ents[j - 1];
                sc->ents[j - 1] = t;
            }
        a = b;
    }
    st_free(h);
    st_free(pos);
}

/* The head alone holds each series once: every entry is a series. */
static void group_unique(scan *sc, unsigned types)
{
    size_t w = 0;
    sc->groups = st_malloc((sc->nents + 1) * sizeof *sc->groups);
    for (size_t i = 0; i < sc->nents; i++) {
        if (!type_wanted(types, sc->ents[i].type)) continue;
        sc->groups[w] = w;
        sc->ents[w++] = sc->ents[i];
    }
    sc->nents = sc->nseries = w;
    sc->groups[w] = w;
}

static void sort_and_group(scan *sc, scan_order order, unsigned types)
{
    if (order == SCAN_ORDER_CREATION && sc->refs) { /* the head alone */
        if (sc->nents > 1) sort_by_ref(sc);
        group_unique(sc, types);
        return;
    }
    if (order == SCAN_ORDER_ANY && !sc->nblocks) { /* the head alone: each series once */
        group_unique(sc, types);
        return;
    }
    if (order == SCAN_ORDER_ANY) {
        if (sc->nents > 1) sort_by_hash(sc);
        group(sc, types);
        return;
    }
    if (sc->nents > 1 && (order == SCAN_ORDER_LABELS || order == SCAN_ORDER_CREATION))
        sort_by_bytes(sc, SCAN_ORDER_LABELS);
    else if (sc->nents > 1 && order == SCAN_ORDER_TABLE)
        sort_by_bytes(sc, SCAN_ORDER_TABLE);
    else if (sc->nents > 1)
        sort_array(sc, sc->ents, sc->nents, sizeof *sc->ents, cmp_order_key);
    group(sc, types);
}

/* The deferred collection of an unfiltered scan (every series). Blocks
 * are pinned again if a flush moved data since open: no iterator exists
 * yet that could hold the old ones. */
static int ensure_collected(scan *sc, st_err *e)
{
    if (!atomic_load(&sc->deferred)) return 0;
    int rc = 0;
    pthread_mutex_lock(&sc->collect_mu);
    if (sc->deferred) {
        scan_spec all = {.mode = sc->mode};
        pthread_rwlock_rdlock(&sc->d->view_lock);
        if (atomic_load(&sc->d->gen) != sc->gen) {
            for (size_t i = 0; i < sc->nblocks; i++) blk_unref(sc->blocks[i]);
            size_t cap = sc->nblocks;
            sc->nblocks = 0;
            pin_new_blocks(sc, &sc->blocks, &sc->nblocks, &cap);
            if (sc->nblocks > 1) qsort(sc->blocks, sc->nblocks, sizeof *sc->blocks, cmp_blk_id);
        }
        rc = collect_locked(sc, &all, e);
        pthread_rwlock_unlock(&sc->d->view_lock);
        if (rc == 0) sort_and_group(sc, sc->order, 0);
        atomic_store(&sc->deferred, false);
    }
    pthread_mutex_unlock(&sc->collect_mu);
    return rc;
}

int scan_open(store *s, const scan_spec *sp, scan **out, st_err *e)
{
    *out = NULL;
    sdb *d = store_db_get(s, sp->db);
    if (!d) return st_fail(e, ST_ENOTFOUND, "database not found: \"%s\"", sp->db);
    scan *sc = st_calloc(1, sizeof *sc);
    sc->s = s;
    sc->d = d;
    sc->mint = sp->mint;
    sc->maxt = sp->maxt;
    sc->mode = sp->mode;
    sc->tail = sp->tail && sp->mode == SCAN_SAMPLES;
    sc->order = sp->order;
    sc->batch = sp->batch ? sp->batch : DEFAULT_BATCH;
    sc->budget = sp->budget;
    sc->pool = sp->pool;
    sc->arena = st_arena_new(64 * 1024);
    pthread_mutex_init(&sc->late_mu, NULL);
    pthread_mutex_init(&sc->collect_mu, NULL);
    atomic_init(&sc->deferred, !sp->nselectors && !sp->table.n && !sp->column.n &&
                                   (!sp->types || sp->types == SCAN_TYPES_ALL));
    atomic_fetch_add_explicit(&s->scans, 1, memory_order_relaxed);
    int rc = sp->budget ? scan_budget_charge(sp->budget, 0, e) : 0;
    if (rc == 0) {
        size_t cap = 0;
        pthread_rwlock_rdlock(&d->view_lock);
        pin_new_blocks(sc, &sc->blocks, &sc->nblocks, &cap);
        if (sc->nblocks > 1) qsort(sc->blocks, sc->nblocks, sizeof *sc->blocks, cmp_blk_id);
        if (!atomic_load(&sc->deferred)) rc = collect_locked(sc, sp, e);
        pthread_rwlock_unlock(&d->view_lock);
    }
    if (rc) {
        scan_close(sc);
        return rc;
    }
    if (!atomic_load(&sc->deferred)) sort_and_group(sc, sp->order, sp->types);
    *out = sc;
    return 0;
}

void scan_close(scan *sc)
{
    if (!sc) return;
    for (size_t i = 0; i < sc->nblocks; i++) blk_unref(sc->blocks[i]);
    for (size_t i = 0; i < sc->nlate; i++) blk_unref(sc->late[i]);
    st_free(sc->blocks);
    st_free(sc->late);
    sdb_unref(sc->s, sc->d);
    st_arena_free(sc->arena);
    st_free(sc->ents);
    st_free(sc->refs);
    st_free(sc->groups);
    st_free(sc->names);
    pthread_mutex_destroy(&sc->late_mu);
    pthread_mutex_destroy(&sc->collect_mu);
    st_free(sc);
}

size_t scan_count(scan *sc)
{
    ensure_collected(sc, NULL);
    return sc->nseries;
}

/* ------------------------------------------------------------------ iterators */

/* One source of the current series. */
typedef struct source {
    blk *b;              /* NULL: the head samples (it->head) */
    uint32_t id;
    uint32_t c0, c1;     /* block chunks overlapping the range */
    int64_t lo, hi;      /* time span of the source within the range (lo may be a lower bound) */
    /* merge state */
    uint32_t c;          /* next chunk to decode */
    codec_samples buf;
    size_t pos;
} source;

/* One chunk of the current series' list. */
typedef struct xchunk {
    int src;             /* index in it->src; -1: the merged chunk of all sources */
    uint32_t c;          /* block chunk number */
    scan_chunk meta;
} xchunk;

struct scan_iter {
    scan *sc;
    size_t pos, end;     /* series positions */
    label ls[LABELS_MAX];
    st_vtype type;
    bool is_str;
    /* sources */
    source *src;
    size_t nsrc, capsrc;
    int64_t mint;        /* the current series' range starts here: the scan's,
                            or later for a tail scan (see resolve) */
    codec_samples head;  /* the head's samples of the series in the range */
    codec_samples scratch[3];
    head_snap *snap; /* the head's part of a series, copied under its lock */
    /* the series' chunk list and the walk over it */
    xchunk *xc;
    size_t nxc, capxc;
    size_t ci;           /* current chunk */
    bool started;        /* the current chunk's samples have been asked for */
    bool chunk_walk;     /* scan_iter_chunk was used for this series */
    codec_samples dec;   /* the current block chunk, decoded and trimmed */
    const codec_samples *cur; /* what the current chunk's batches come from */
    size_t cpos;
    bool merging;
    codec_samples mout;  /* merged batches */
    /* added to the store's counters at close: iterators on several threads
     * would otherwise share their cache lines per series and per chunk */
    uint64_t samples_seen, series_seen, chunks_decoded, chunks_by_stats;
    /* SCAN_CHUNKS: the current series' spans in memory (pairs) */
    int64_t hspans[2 * SCAN_HEAD_SPANS];
    size_t nhspans;
};

int scan_iter_open(scan *sc, size_t from, size_t to, scan_iter **out, st_err *e)
{
    *out = NULL;
    int rc = ensure_collected(sc, e);
    if (rc) return rc;
    scan_iter *it = st_calloc(1, sizeof *it);
    it->sc = sc;
    it->pos = from < sc->nseries ? from : sc->nseries;
    it->end = to < sc->nseries ? to : sc->nseries;
    if (it->end < it->pos) it->end = it->pos;
    *out = it;
    return 0;
}

void scan_iter_close(scan_iter *it)
{
    if (!it) return;
    for (size_t i = 0; i < it->capsrc; i++) codec_samples_free(&it->src[i].buf);
    st_free(it->src);
    st_free(it->xc);
    codec_samples_free(&it->head);
    for (int i = 0; i < 3; i++) codec_samples_free(&it->scratch[i]);
    head_snap_free(it->snap);
    codec_samples_free(&it->dec);
    codec_samples_free(&it->mout);
    store *st = it->sc->s;
    if (it->samples_seen) atomic_fetch_add_explicit(&st->scan_samples, it->samples_seen, memory_order_relaxed);
    if (it->series_seen) atomic_fetch_add_explicit(&st->scan_series, it->series_seen, memory_order_relaxed);
    if (it->chunks_decoded)
        atomic_fetch_add_explicit(&st->scan_chunks_decoded, it->chunks_decoded, memory_order_relaxed);
    if (it->chunks_by_stats)
        atomic_fetch_add_explicit(&st->scan_chunks_by_stats, it->chunks_by_stats, memory_order_relaxed);
    st_free(it);
}

static int charge(scan_iter *it, size_t n, st_err *e)
{
    it->samples_seen += n;
    return scan_budget_charge(it->sc->budget, n, e);
}

static source *add_source(scan_iter *it, blk *b, uint32_t id)
{
    if (it->nsrc == it->capsrc) {
        size_t cap = it->capsrc ? it->capsrc * 2 : 8;
        it->src = st_realloc(it->src, cap * sizeof *it->src);
        memset(it->src + it->capsrc, 0, (cap - it->capsrc) * sizeof *it->src);
        it->capsrc = cap;
    }
    source *s = &it->src[it->nsrc++];
    s->b = b;
    s->id = id;
    s->c0 = s->c1 = s->c = 0;
    s->lo = INT64_MAX;
    s->hi = INT64_MIN;
    s->pos = 0;
    s->buf.n = 0;
    return s;
}

/* The chunks of a block source that overlap the range, and its span. */
static void block_span(scan_iter *it, source *s)
{
    const scan *sc = it->sc;
    uint32_t n = blk_series_nchunks(s->b, s->id);
    uint32_t c0 = n, c1 = 0;
    for (uint32_t c = 0; c < n; c++) {
        int64_t cmin, cmax;
        bool exact;
        blk_chunk_bounds(s->b, s->id, c, &cmin, &cmax, &exact); /* the index only: no chunk page */
        if (cmax < it->mint || cmin > sc->maxt) continue;
        if (c0 == n) c0 = c;
        c1 = c + 1;
        int64_t lo = cmin > it->mint ? cmin : it->mint, hi = cmax < sc->maxt ? cmax : sc->maxt;
        if (lo < s->lo) s->lo = lo;
        if (hi > s->hi) s->hi = hi;
    }
    s->c0 = s->c = c0 == n ? 0 : c0;
    s->c1 = c0 == n ? 0 : c1;
}

/* Blocks pinned after open (a flush moved data out of the head since):
 * pins any new ones. view_lock held shared. */
static void catch_up_locked(scan *sc)
{
    if (atomic_load(&sc->d->gen) == sc->gen) return;
    pthread_mutex_lock(&sc->late_mu);
    if (atomic_load(&sc->d->gen) != sc->gen) {
        size_t before = sc->nlate;
        /* before the generation moves (pin_new_blocks): whoever sees the
         * new generation looks at the late blocks */
        atomic_store(&sc->any_late, true);
        pin_new_blocks(sc, &sc->late, &sc->nlate, &sc->caplate);
        if (sc->nlate - before > 1)
            qsort(sc->late + before, sc->nlate - before, sizeof *sc->late, cmp_blk_id);
    }
    pthread_mutex_unlock(&sc->late_mu);
}

/* Reads where the series' data is: its head samples and its blocks, the
 * collected ones and those pinned since. In SCAN_CHUNKS mode the head is
 * only asked whether it overlaps. */
static int resolve(scan_iter *it, size_t a, size_t b, bool *head_overlaps, st_err *e)
{
    scan *sc = it->sc;
    head *h = sc->d->head;
    it->nsrc = 0;
    it->mint = sc->mint;
    samples_clear(&it->head);
    *head_overlaps = false;
    it->nhspans = 0;
    const sent *x0 = &sc->ents[a];
    pthread_rwlock_rdlock(&sc->d->view_lock);
    catch_up_locked(sc);
    size_t i = a;
    for (; i < b && sc->ents[i].src >= 0; i++) add_source(it, sc->blocks[sc->ents[i].src], sc->ents[i].id);
    if (atomic_load(&sc->any_late)) {
        pthread_mutex_lock(&sc->late_mu); /* another iterator may grow the array */
        for (size_t k = 0; k < sc->nlate; k++) {
            uint32_t id;
            if (blk_find(sc->late[k], x0->key, x0->keylen, &id) == 0 &&
                blk_series_meta(sc->late[k], id).type == it->type)
                add_source(it, sc->late[k], id);
        }
        pthread_mutex_unlock(&sc->late_mu);
    }
    /* a series has at most one head entry of its type (the rest of [a, b)) */
    int rc = 0;
    bool copied = false;
    for (; i < b && rc == 0; i++) {
        const sent *x = &sc->ents[i];
        head_lock(h, x->shard);
        hseries *hs = head_by_id_locked(h, x->shard, x->id);
        if (hs && hseries_meta(hs).type == it->type) {
            if (sc->mode == SCAN_CHUNKS) {
                *head_overlaps = hseries_overlaps(hs, sc->mint, sc->maxt);
                it->nhspans = hseries_spans(hs, sc->mint, sc->maxt, it->hspans, SCAN_HEAD_SPANS);
            } else {
                /* a tail scan: the newest sample in memory, when in the
                 * range, is where the series' last samples start (memory
                 * holds the newest data; a block sample at the same time
                 * still meets it in the merge) */
                int64_t last = hseries_last_ts(hs);
                if (sc->tail && last >= sc->mint && last <= sc->maxt) it->mint = last;
                if (!it->snap) it->snap = head_snap_new();
                copied = head_snap_take_locked(hs, it->mint, sc->maxt, it->snap);
                if (!copied) rc = head_read_locked(h, hs, it->mint, sc->maxt, &it->head, it->scratch, e);
            }
        }
        head_unlock(h, x->shard);
    }
    pthread_rwlock_unlock(&sc->d->view_lock);
    /* the snapshot is decoded, and the budget charged (it may wait on
     * nothing, but a failing one formats), with no lock held */
    if (rc == 0 && copied) rc = head_snap_read(it->snap, it->mint, sc->maxt, &it->head, it->scratch, e);
    if (rc == 0 && it->head.n) rc = charge(it, it->head.n, e);
    return rc;
}

static void push_xchunk(scan_iter *it, int src, uint32_t c, const scan_chunk *m)
{
    if (it->nxc == it->capxc) {
        it->capxc = it->capxc ? it->capxc * 2 : 16;
        it->xc = st_realloc(it->xc, it->capxc * sizeof *it->xc);
    }
    xchunk *x = &it->xc[it->nxc++];
    x->src = src;
    x->c = c;
    x->meta = *m;
}

static int cmp_src_lo(const void *a, const void *b)
{
    const source *x = a, *y = b;
    return x->lo < y->lo ? -1 : x->lo > y->lo;
}

static int decode_chunk(scan_iter *it, source *s, uint32_t c, codec_samples *out, st_err *e);

/* Builds the series' chunk list (see the top of the file). */
static int plan_chunks(scan_iter *it, st_err *e)
{
    it->nxc = 0;
    /* spans; empty sources leave */
    size_t w = 0;
    for (size_t i = 0; i < it->nsrc; i++) {
        source *s = &it->src[i]; /* resolve() adds blocks only */
        block_span(it, s);
        if (s->c1 <= s->c0) continue;
        if (w != i) {
            source t = it->src[w];
            it->src[w] = *s;
            *s = t;
        }
        w++;
    }
    it->nsrc = w;
    if (it->head.n) {
        source *s = add_source(it, NULL, 0);
        s->lo = it->head.ts[0];
        s->hi = it->head.ts[it->head.n - 1];
    }
    if (!it->nsrc) return 0;
    /* precedence is the sources' order so far: blocks in creation order,
     * the head last; a merge needs it, disjoint sources do not */
    bool disjoint = true;
    if (it->nsrc > 1) {
        source *tmp = st_malloc(it->nsrc * sizeof *tmp);
        memcpy(tmp, it->src, it->nsrc * sizeof *tmp);
        qsort(tmp, it->nsrc, sizeof *tmp, cmp_src_lo);
        for (size_t i = 1; i < it->nsrc && disjoint; i++) disjoint = tmp[i - 1].hi < tmp[i].lo;
        if (disjoint) memcpy(it->src, tmp, it->nsrc * sizeof *tmp);
        st_free(tmp);
    }
    if (!disjoint) {
        scan_chunk m = {.mint = INT64_MAX, .maxt = INT64_MIN};
        for (size_t i = 0; i < it->nsrc; i++) {
            if (it->src[i].lo < m.mint) m.mint = it->src[i].lo;
            if (it->src[i].hi > m.maxt) m.maxt = it->src[i].hi;
        }
        push_xchunk(it, -1, 0, &m);
        return 0;
    }
    for (size_t i = 0; i < it->nsrc; i++) {
        source *s = &it->src[i];
        if (!s->b) {
            scan_chunk m = {.mint = s->lo, .maxt = s->hi, .count = (uint32_t)it->head.n, .exact_mint = true};
            push_xchunk(it, (int)i, 0, &m);
            continue;
        }
        for (uint32_t c = s->c0; c < s->c1; c++) {
            /* bounds from the index; statistics only if a walk asks (scan_iter_chunk) */
            scan_chunk m = {0};
            blk_chunk_bounds(s->b, s->id, c, &m.mint, &m.maxt, &m.exact_mint);
            if (blk_tombstoned(s->b, s->id, m.mint, m.maxt)) m.tombstoned = true;
            if (it->sc->mode == SCAN_CHUNKS && m.tombstoned) {
                /* deleted points leave no chunk: look inside this one */
                int rc2 = decode_chunk(it, s, c, &it->dec, e);
                if (rc2) return rc2;
                if (!it->dec.n) continue;
            }
            push_xchunk(it, (int)i, c, &m);
        }
    }
    return 0;
}

/* ---- producing samples ---- */

/* Decodes block chunk c of source s into out, trimmed to the range. */
static int decode_chunk(scan_iter *it, source *s, uint32_t c, codec_samples *out, st_err *e)
{
    int rc = blk_read_chunk(s->b, s->id, c, it->mint, it->sc->maxt, out, e);
    if (rc) return rc;
    it->chunks_decoded++;
    return charge(it, out->n, e);
}

/* Refills a merge source's buffer when it is used up; false when the
 * source has nothing more. */
static int merge_fill(scan_iter *it, source *s, bool *more, st_err *e)
{
    *more = true;
    if (!s->b) {
        *more = s->pos < it->head.n;
        return 0;
    }
    while (s->pos >= s->buf.n) {
        if (s->c >= s->c1) {
            *more = false;
            return 0;
        }
        s->pos = 0;
        int rc = decode_chunk(it, s, s->c++, &s->buf, e);
        if (rc) return rc;
    }
    return 0;
}

static const codec_samples *src_data(scan_iter *it, source *s) { return s->b ? &s->buf : &it->head; }

/* The next merged batch into it->mout: the smallest timestamp first, the
 * source of highest precedence (latest in it->src) on equal ones. */
static int merge_batch(scan_iter *it, st_err *e)
{
    samples_clear(&it->mout);
    size_t limit = it->sc->batch;
    while (it->mout.n < limit) {
        int best = -1;
        int64_t bt = INT64_MAX;
        for (size_t i = 0; i < it->nsrc; i++) {
            source *s = &it->src[i];
            bool more;
            int rc = merge_fill(it, s, &more, e);
            if (rc) return rc;
            if (!more) continue;
            int64_t t = src_data(it, s)->ts[s->pos];
            if (t <= bt) { /* later sources win ties */
                bt = t;
                best = (int)i;
            }
        }
        if (best < 0) break;
        samples_push_from(&it->mout, it->is_str, src_data(it, &it->src[best]), it->src[best].pos);
        for (size_t i = 0; i < it->nsrc; i++) {
            source *s = &it->src[i];
            const codec_samples *d = src_data(it, s);
            if (s->pos < d->n && d->ts[s->pos] == bt) s->pos++;
        }
    }
    return 0;
}

/* Starts the samples of chunk ci. */
static int chunk_start(scan_iter *it, st_err *e)
{
    xchunk *x = &it->xc[it->ci];
    it->started = true;
    it->cpos = 0;
    it->merging = false;
    if (x->src < 0) {
        for (size_t i = 0; i < it->nsrc; i++) {
            it->src[i].c = it->src[i].c0;
            it->src[i].pos = 0;
            it->src[i].buf.n = 0;
        }
        it->merging = true;
        it->cur = &it->mout;
        return merge_batch(it, e);
    }
    source *s = &it->src[x->src];
    if (!s->b) {
        it->cur = &it->head;
        return 0;
    }
    it->cur = &it->dec;
    return decode_chunk(it, s, x->c, &it->dec, e);
}

/* The next batch of the current chunk: 1, or 0 when it is done. */
static int chunk_batch(scan_iter *it, scan_batch *out, st_err *e)
{
    if (!it->started) {
        int rc = chunk_start(it, e);
        if (rc) return rc;
    }
    if (it->cpos >= it->cur->n && it->merging && it->cur->n) {
        int rc = merge_batch(it, e);
        if (rc) return rc;
        it->cpos = 0;
    }
    if (it->cpos >= it->cur->n) return 0;
    size_t n = it->cur->n - it->cpos;
    if (n > it->sc->batch) n = it->sc->batch;
    out->ts = it->cur->ts + it->cpos;
    out->vals = it->cur->vals + it->cpos;
    out->strs = it->is_str ? it->cur->strs + it->cpos : NULL;
    out->n = n;
    it->cpos += n;
    return 1;
}

/* Drops leading chunks with no sample in the range, decoding where the
 * metadata cannot tell, so that a series is produced only when it has a
 * sample; the decoded chunk is kept for the walk. */
static int find_first_sample(scan_iter *it, bool *any, st_err *e)
{
    const scan *sc = it->sc;
    *any = false;
    while (it->ci < it->nxc) {
        const xchunk *x = &it->xc[it->ci];
        const scan_chunk *m = &x->meta;
        /* exact bounds, one of them in the range, nothing deleted: a sample is there */
        bool known = x->src >= 0 && m->exact_mint && !m->tombstoned &&
                     ((m->mint >= it->mint && m->mint <= sc->maxt) || (m->maxt >= it->mint && m->maxt <= sc->maxt));
        if (x->src >= 0 && !it->src[x->src].b) known = it->head.n > 0;
        if (known) {
            *any = true;
            return 0;
        }
        int rc = chunk_start(it, e);
        if (rc) return rc;
        if (it->cur->n) {
            *any = true;
            return 0;
        }
        it->ci++;
        it->started = false;
    }
    return 0;
}

static void describe(scan_iter *it, const sent *x, size_t pos, scan_series *out)
{
    size_t nl = 0;
    labels_key_parse(x->key, x->keylen, it->ls, LABELS_MAX, &nl);
    out->index = pos;
    out->key = x->key;
    out->keylen = x->keylen;
    out->labels = it->ls;
    out->nlabels = nl;
    out->metric = st_slice_of((const char *)x->key + x->name_off, x->name_len);
    out->table = ent_table(x);
    out->column = ent_column(x);
    out->type = (st_vtype)x->type;
}

int scan_iter_next(scan_iter *it, scan_series *out, st_err *e)
{
    scan *sc = it->sc;
    while (it->pos < it->end) {
        size_t pos = it->pos++;
        size_t a = sc->groups[pos], b = sc->groups[pos + 1];
        const sent *x = &sc->ents[a];
        it->type = (st_vtype)x->type;
        it->is_str = x->type == ST_VT_STRING;
        it->nxc = it->ci = 0;
        it->started = it->chunk_walk = false;
        if (sc->mode == SCAN_KEYS) {
            describe(it, x, pos, out);
            it->series_seen++;
            return 1;
        }
        if (sc->budget) {
            int rc = scan_budget_charge(sc->budget, 0, e);
            if (rc) return rc;
        }
        bool head_overlaps;
        int rc = resolve(it, a, b, &head_overlaps, e);
        if (rc == 0) rc = plan_chunks(it, e);
        if (rc) return rc;
        bool any;
        if (sc->mode == SCAN_CHUNKS) {
            any = head_overlaps || it->nxc > 0;
        } else {
            rc = find_first_sample(it, &any, e);
            if (rc) return rc;
        }
        if (!any) continue;
        describe(it, x, pos, out);
        it->series_seen++;
        return 1;
    }
    return 0;
}

int scan_iter_batch(scan_iter *it, scan_batch *out, st_err *e)
{
    if (it->sc->mode != SCAN_SAMPLES)
        return st_fail(e, ST_EINVAL, "scan: samples asked of a scan without samples");
    while (it->ci < it->nxc) {
        int rc = chunk_batch(it, out, e);
        if (rc) return rc;
        it->ci++;
        it->started = false;
    }
    return 0;
}

int scan_iter_read_all(scan_iter *it, codec_samples *out, st_err *e)
{
    samples_clear(out);
    scan_batch b;
    int rc;
    while ((rc = scan_iter_batch(it, &b, e)) == 1) {
        if (out->n + b.n > out->cap) {
            size_t cap = out->cap * 2 > out->n + b.n ? out->cap * 2 : out->n + b.n;
            codec_samples_reserve(out, cap);
        }
        if (it->is_str) {
            for (size_t i = 0; i < b.n; i++) samples_push(out, true, b.ts[i], 0, b.strs[i]);
            continue;
        }
        memcpy(out->ts + out->n, b.ts, b.n * sizeof *b.ts);
        memcpy(out->vals + out->n, b.vals, b.n * sizeof *b.vals);
        out->n += b.n;
    }
    return rc;
}

int scan_iter_chunk(scan_iter *it, scan_chunk *out)
{
    if (it->chunk_walk) {
        /* a chunk passed over without its samples was answered by its statistics */
        if (!it->started && it->xc[it->ci].meta.has_stats)
            it->chunks_by_stats++;
        it->ci++;
        it->started = false;
    }
    it->chunk_walk = true;
    if (it->ci >= it->nxc) return 0;
    *out = it->xc[it->ci].meta;
    return 1;
}

size_t scan_iter_head_spans(const scan_iter *it, const int64_t **spans)
{
    *spans = it->hspans;
    return it->nhspans;
}

int scan_iter_chunk_stats(scan_iter *it, scan_chunk *out, st_err *e)
{
    if (!it->chunk_walk || it->ci >= it->nxc) return 0;
    xchunk *x = &it->xc[it->ci];
    /* a block chunk's statistics sit beside its samples, under the same
     * checksum: read only for a chunk that will not be decoded anyway */
    if (x->src >= 0 && it->src[x->src].b && x->meta.exact_mint && !x->meta.tombstoned && !x->meta.count) {
        blk_chunk bc;
        int rc = blk_chunk_meta(it->src[x->src].b, it->src[x->src].id, x->c, &bc, e);
        if (rc) return rc;
        x->meta.count = bc.stats.count;
        x->meta.stats = bc.stats;
        x->meta.ms_aligned = bc.ms_aligned;
        x->meta.has_stats = bc.stats.count > 0;
    }
    *out = x->meta;
    return 0;
}

int scan_iter_chunk_samples(scan_iter *it, scan_batch *out, st_err *e)
{
    if (it->sc->mode != SCAN_SAMPLES)
        return st_fail(e, ST_EINVAL, "scan: samples asked of a scan without samples");
    if (!it->chunk_walk || it->ci >= it->nxc) return 0;
    return chunk_batch(it, out, e);
}

/* ------------------------------------------------------------------ label names and values */

static int cmp_slice(const void *a, const void *b)
{
    return st_slice_cmp(*(const st_slice *)a, *(const st_slice *)b);
}

/* Sorts and de-duplicates the list made with names_add, and lends it. */
static int names_done(scan *sc, st_slice **out, size_t *n)
{
    if (sc->nnames > 1) qsort(sc->names, sc->nnames, sizeof *sc->names, cmp_slice);
    size_t w = 0;
    for (size_t i = 0; i < sc->nnames; i++)
        if (!w || !st_slice_eq(sc->names[i], sc->names[w - 1])) sc->names[w++] = sc->names[i];
    sc->nnames = w;
    *out = sc->names;
    *n = w;
    return 0;
}

static void names_add(scan *sc, st_slice v)
{
    if (sc->nnames == sc->capnames) {
        sc->capnames = sc->capnames ? sc->capnames * 2 : 64;
        sc->names = st_realloc(sc->names, sc->capnames * sizeof *sc->names);
    }
    sc->names[sc->nnames++] = v;
}

/* Label names (want NULL) or values of one label, of every series, from
 * the indexes: the head's copied (its strings may go once unlocked), the
 * pinned blocks' borrowed. */
static void index_labels(scan *sc, const st_slice *want)
{
    head *h = sc->d->head;
    st_slice *v = NULL;
    size_t n = 0, cap = 0;
    for (unsigned sh = 0; sh < head_nshards(h); sh++) {
        n = 0;
        head_lock(h, sh);
        idx *ix = head_index_locked(h, sh);
        if (want) idx_label_values(ix, *want, NULL, &v, &n, &cap);
        else idx_label_names(ix, NULL, &v, &n, &cap);
        for (size_t i = 0; i < n; i++)
            names_add(sc, st_slice_of(st_arena_strndup(sc->arena, v[i].p, v[i].n), v[i].n));
        head_unlock(h, sh);
    }
    for (size_t b = 0; b < sc->nblocks; b++) {
        n = 0;
        if (want) blk_label_values(sc->blocks[b], *want, NULL, &v, &n, &cap);
        else blk_label_names(sc->blocks[b], NULL, &v, &n, &cap);
        for (size_t i = 0; i < n; i++) names_add(sc, v[i]);
    }
    st_free(v);
}

static int label_scan(scan *sc, const st_slice *want, st_slice **out, size_t *n, st_err *e)
{
    sc->nnames = 0;
    if (atomic_load(&sc->deferred)) {
        index_labels(sc, want);
        goto done;
    }
    (void)e;
    label ls[LABELS_MAX];
    /* keys are in the arena or pinned blocks: slices of them stay valid */
    for (size_t g = 0; g < sc->nseries; g++) {
        const sent *x = &sc->ents[sc->groups[g]];
        size_t nl = 0;
        if (labels_key_parse(x->key, x->keylen, ls, LABELS_MAX, &nl)) continue;
        for (size_t k = 0; k < nl; k++) {
            if (!want) names_add(sc, ls[k].name);
            else if (st_slice_eq(ls[k].name, *want)) names_add(sc, ls[k].value);
        }
    }
done:
    return names_done(sc, out, n);
}

int scan_label_names(scan *sc, st_slice **out, size_t *n, st_err *e)
{
    return label_scan(sc, NULL, out, n, e);
}

int scan_label_values(scan *sc, st_slice name, st_slice **out, size_t *n, st_err *e)
{
    return label_scan(sc, &name, out, n, e);
}

int scan_tables(scan *sc, st_slice **out, size_t *n, bool *exact, st_err *e)
{
    (void)e;
    sc->nnames = 0;
    *exact = true;
    head *h = sc->d->head;
    st_slice *v = NULL;
    size_t nv = 0, cap = 0;
    postings ids = {0};
    for (unsigned sh = 0; sh < head_nshards(h); sh++) {
        nv = 0;
        head_lock(h, sh);
        idx *ix = head_index_locked(h, sh);
        idx_label_values(ix, st_slice_of("", 0), NULL, &v, &nv, &cap);
        for (size_t i = 0; i < nv; i++) {
            /* a table whose series were all deleted, not yet gone from the index */
            head_select_table_locked(h, sh, v[i], &ids);
            bool live = false;
            for (size_t k = 0; k < ids.n && !live; k++) {
                hseries *hs = head_by_id_locked(h, sh, ids.ids[k]);
                live = hs && !hseries_empty(hs);
            }
            if (live) names_add(sc, st_slice_of(st_arena_strndup(sc->arena, v[i].p, v[i].n), v[i].n));
        }
        head_unlock(h, sh);
    }
    postings_free(&ids);
    st_free(v);
    for (size_t b = 0; b < sc->nblocks; b++) {
        const st_slice *t;
        size_t nt;
        blk_tables(sc->blocks[b], &t, &nt);
        for (size_t i = 0; i < nt; i++) names_add(sc, t[i]);
        if (blk_has_tombstones(sc->blocks[b])) *exact = false;
    }
    return names_done(sc, out, n);
}

/* ------------------------------------------------------------------ head cardinality */

/* A (name, value) pair's series count. Its identity is the name's bytes
 * and the value's, kept apart by the name's length: names may hold '='
 * (line protocol escapes it) and either may hold NUL bytes. text is
 * "name=value", the form the status endpoint shows. */
typedef struct card_ent {
    char *text;
    uint32_t name_len, len;
    uint64_t count;
} card_ent;

typedef struct card_ctx {
    /* distinct pairs across shards: open addressing on the pair's hash */
    uint64_t *h;
    uint32_t *at;     /* index + 1 into ents */
    size_t cap;
    card_ent *ents;
    size_t nents, capents;
    st_buf scratch;
} card_ctx;

static void card_pair(void *ctx, st_slice name, st_slice value, size_t count)
{
    card_ctx *c = ctx;
    c->scratch.len = 0;
    st_buf_put(&c->scratch, name.p, name.n);
    st_buf_putc(&c->scratch, '=');
    st_buf_put(&c->scratch, value.p, value.n);
    uint64_t h = st_hash64(c->scratch.p, c->scratch.len, name.n);
    if ((c->nents + 1) * 2 > c->cap) {
        size_t cap = c->cap ? c->cap * 2 : 1024;
        uint64_t *nh = st_malloc(cap * sizeof *nh);
        uint32_t *na = st_calloc(cap, sizeof *na);
        for (size_t i = 0; i < c->cap; i++) {
            if (!c->at[i]) continue;
            size_t j = c->h[i] & (cap - 1);
            while (na[j]) j = (j + 1) & (cap - 1);
            nh[j] = c->h[i];
            na[j] = c->at[i];
        }
        st_free(c->h);
        st_free(c->at);
        c->h = nh;
        c->at = na;
        c->cap = cap;
    }
    size_t j = h & (c->cap - 1);
    for (; c->at[j]; j = (j + 1) & (c->cap - 1)) {
        card_ent *p = &c->ents[c->at[j] - 1];
        if (c->h[j] == h && p->name_len == name.n && p->len == c->scratch.len &&
            !memcmp(p->text, c->scratch.p, c->scratch.len)) {
            p->count += count;
            return;
        }
    }
    if (c->nents == c->capents) {
        c->capents = c->capents ? c->capents * 2 : 1024;
        c->ents = st_realloc(c->ents, c->capents * sizeof *c->ents);
    }
    c->ents[c->nents] = (card_ent){st_strndup((const char *)c->scratch.p, c->scratch.len),
                                   (uint32_t)name.n, (uint32_t)c->scratch.len, count};
    c->h[j] = h;
    c->at[j] = (uint32_t)++c->nents;
}

/* By name, then value, bytewise: a name's pairs come together. */
static int cmp_card_ent(const void *a, const void *b)
{
    const card_ent *x = a, *y = b;
    size_t n = x->name_len < y->name_len ? x->name_len : y->name_len;
    int c = memcmp(x->text, y->text, n);
    if (c || x->name_len != y->name_len) return c ? c : (x->name_len < y->name_len ? -1 : 1);
    size_t xl = x->len - x->name_len, yl = y->len - y->name_len;
    c = memcmp(x->text + x->name_len, y->text + y->name_len, xl < yl ? xl : yl);
    return c ? c : (xl < yl ? -1 : xl > yl);
}

int scan_head_cardinality(store *s, const char *db, scan_cardinality *out, st_err *e)
{
    memset(out, 0, sizeof *out);
    sdb *d = store_db_get(s, db);
    if (!d) return st_fail(e, ST_ENOTFOUND, "database not found: \"%s\"", db);
    head_stats hs;
    head_get_stats(d->head, &hs);
    out->series = hs.series;
    out->chunks = hs.chunks;
    out->mint = hs.mint;
    out->maxt = hs.maxt;
    card_ctx c = {0};
    head *h = d->head;
    for (unsigned sh = 0; sh < head_nshards(h); sh++) {
        head_lock(h, sh);
        idx_each_pair(head_index_locked(h, sh), card_pair, &c);
        head_unlock(h, sh);
    }
    sdb_unref(s, d);
    st_free(c.h);
    st_free(c.at);
    st_buf_free(&c.scratch);
    if (c.nents > 1) qsort(c.ents, c.nents, sizeof *c.ents, cmp_card_ent);
    out->npairs = out->label_pairs = c.nents;
    out->pairs = st_calloc(c.nents + 1, sizeof *out->pairs);
    out->names = st_calloc(c.nents + 1, sizeof *out->names);
    out->name_bytes = st_calloc(c.nents + 1, sizeof *out->name_bytes);
    out->metrics = st_calloc(c.nents + 1, sizeof *out->metrics);
    for (size_t i = 0; i < c.nents; i++) {
        const card_ent *p = &c.ents[i];
        size_t nl = p->name_len, vl = p->len - nl - 1;
        const char *value = p->text + nl + 1;
        const card_ent *prev = i ? &c.ents[i - 1] : NULL;
        if (!prev || prev->name_len != nl || memcmp(prev->text, p->text, nl)) {
            out->names[out->nnames] = (scan_stat){st_strndup(p->text, nl), 0};
            out->name_bytes[out->nnames] = (scan_stat){st_strndup(p->text, nl), 0};
            out->nnames++;
        }
        out->names[out->nnames - 1].value++;
        out->name_bytes[out->nnames - 1].value += vl;
        if (nl == 8 && !memcmp(p->text, LABEL_METRIC_NAME, 8))
            out->metrics[out->nmetrics++] = (scan_stat){st_strndup(value, vl), p->count};
        out->pairs[i] = (scan_stat){p->text, p->count};
    }
    st_free(c.ents);
    return 0;
}

void scan_head_cardinality_free(scan_cardinality *c)
{
    for (size_t i = 0; i < c->npairs; i++) st_free(c->pairs[i].name);
    for (size_t i = 0; i < c->nnames; i++) {
        st_free(c->names[i].name);
        st_free(c->name_bytes[i].name);
    }
    for (size_t i = 0; i < c->nmetrics; i++) st_free(c->metrics[i].name);
    st_free(c->pairs);
    st_free(c->names);
    st_free(c->name_bytes);
    st_free(c->metrics);
    memset(c, 0, sizeof *c);
}

/* ------------------------------------------------------------------ table schemas */

/* One table's schema as the database keeps it (plain allocations). */
struct schema_memo {
    char *table;
    size_t tlen;
    uint64_t gen;
    scan_table_schema s; /* strings in blob */
    char *blob;
};

static void memo_clear(struct schema_memo *m)
{
    st_free(m->table);
    st_free(m->blob);
    st_free(m->s.fields);
    st_free(m->s.metrics);
    st_free(m->s.types);
    st_free(m->s.kinds);
    st_free(m->s.tags);
    memset(m, 0, sizeof *m);
}

/* scan_table_tagsets' answers: distinct value tuples of some tags over a
 * table's series, kept like the schema until the series change. */
#define TAGSET_MEMOS 8

struct tagset_memo {
    uint64_t gen;
    st_arena *a;         /* everything below */
    st_slice table;
    st_slice *tags;      /* ntags */
    size_t ntags;
    st_slice *vals;      /* ntuples x ntags; .p NULL: the series lacks the tag */
    size_t ntuples;
};

static void tsmemo_clear(struct tagset_memo *m)
{
    st_arena_free(m->a);
    memset(m, 0, sizeof *m);
}

void scan_memo_free(sdb *d)
{
    for (size_t i = 0; i < d->ntsmemo; i++) tsmemo_clear(&d->tsmemo[i]);
    st_free(d->tsmemo);
    d->tsmemo = NULL;
    d->ntsmemo = 0;
    for (size_t i = 0; i < d->nmemo; i++) memo_clear(&d->memo[i]);
    st_free(d->memo);
    d->memo = NULL;
    d->nmemo = d->capmemo = 0;
}

static int cmp_slice_ix(const void *a, const void *b, void *arg)
{
    const st_slice *v = arg;
    return st_slice_cmp(v[*(const size_t *)a], v[*(const size_t *)b]);
}

/* A copy of src: the arrays in a, the strings too. */
static void schema_copy(const scan_table_schema *src, st_arena *a, scan_table_schema *out)
{
    size_t nf = src->nfields, nt = src->ntags;
    out->nfields = nf;
    out->ntags = nt;
    out->fields = st_arena_alloc(a, (nf + 1) * sizeof *out->fields);
    out->metrics = st_arena_alloc(a, (nf + 1) * sizeof *out->metrics);
    out->types = st_arena_alloc(a, nf + 1);
    out->kinds = st_arena_alloc(a, nf + 1);
    out->tags = st_arena_alloc(a, (nt + 1) * sizeof *out->tags);
    for (size_t i = 0; i < nf; i++) {
        out->fields[i] = st_slice_of(st_arena_strndup(a, src->fields[i].p, src->fields[i].n), src->fields[i].n);
        out->metrics[i] = st_slice_of(st_arena_strndup(a, src->metrics[i].p, src->metrics[i].n), src->metrics[i].n);
    }
    if (nf) {
        memcpy(out->types, src->types, nf);
        memcpy(out->kinds, src->kinds, nf);
    }
    for (size_t i = 0; i < nt; i++)
        out->tags[i] = st_slice_of(st_arena_strndup(a, src->tags[i].p, src->tags[i].n), src->tags[i].n);
}

/* The schema from the table's series keys (no order asked: no sort). */
static int schema_compute(store *s, const char *db, st_slice table, st_arena *a, scan_table_schema *out, st_err *e)
{
    memset(out, 0, sizeof *out);
    scan_spec sp = {.db = db, .table = table, .mint = INT64_MIN, .maxt = INT64_MAX, .mode = SCAN_KEYS,
                    .order = SCAN_ORDER_CREATION};
    scan *sc;
    int rc = scan_open(s, &sp, &sc, e);
    if (rc) return rc;
    scan_iter *it;
    rc = scan_iter_open(sc, 0, SIZE_MAX, &it, e);
    size_t capf = 0, capt = 0, nf = 0, nt = 0;
    st_slice *f = NULL, *met = NULL, *t = NULL;
    uint8_t *ty = NULL, *kd = NULL;
    const st_slice mlabel = st_slice_cstr(SCAN_MEASURE_LABEL);
    scan_series ss;
    while (rc == 0 && (rc = scan_iter_next(it, &ss, e)) == 1) {
        rc = 0;
        uint8_t kind = SCAN_FIELD_PLAIN;
        for (size_t i = 0; i < ss.nlabels; i++)
            if (st_slice_eq(ss.labels[i].name, mlabel)) kind = SCAN_FIELD_MEASURED;
        size_t at = nf;
        for (size_t j = nf; j-- > 0 && at == nf;)
            if (st_slice_eq(f[j], ss.column)) at = j;
        if (at == nf) {
            if (nf == capf) {
                capf = capf ? capf * 2 : 16;
                f = st_realloc(f, capf * sizeof *f);
                met = st_realloc(met, capf * sizeof *met);
                ty = st_realloc(ty, capf);
                kd = st_realloc(kd, capf);
            }
            f[nf] = st_slice_of(st_arena_strndup(a, ss.column.p, ss.column.n), ss.column.n);
            met[nf] = st_slice_of(st_arena_strndup(a, ss.metric.p, ss.metric.n), ss.metric.n);
            kd[nf] = 0;
            ty[nf++] = (uint8_t)ss.type;
        }
        kd[at] |= kind;
        for (size_t i = 0; i < ss.nlabels; i++) {
            st_slice k = ss.labels[i].name;
            if (k.n == 8 && !memcmp(k.p, LABEL_METRIC_NAME, 8)) continue;
            bool seen = false;
            for (size_t j = 0; j < nt && !seen; j++) seen = st_slice_eq(t[j], k);
            if (seen) continue;
            if (nt == capt) {
                capt = capt ? capt * 2 : 16;
                t = st_realloc(t, capt * sizeof *t);
            }
            t[nt++] = st_slice_of(st_arena_strndup(a, k.p, k.n), k.n);
        }
    }
    scan_iter_close(it);
    scan_close(sc);
    if (rc == 0) {
        size_t *ix = st_malloc((nf + 1) * sizeof *ix);
        for (size_t i = 0; i < nf; i++) ix[i] = i;
        if (nf > 1) qsort_r(ix, nf, sizeof *ix, cmp_slice_ix, f);
        out->fields = st_arena_alloc(a, (nf + 1) * sizeof *out->fields);
        out->metrics = st_arena_alloc(a, (nf + 1) * sizeof *out->metrics);
        out->types = st_arena_alloc(a, nf + 1);
        out->kinds = st_arena_alloc(a, nf + 1);
        for (size_t i = 0; i < nf; i++) {
            out->fields[i] = f[ix[i]];
            out->metrics[i] = met[ix[i]];
            out->types[i] = ty[ix[i]];
            out->kinds[i] = kd[ix[i]];
        }
        out->nfields = nf;
        if (nt > 1) qsort(t, nt, sizeof *t, cmp_slice);
        out->tags = st_arena_alloc(a, (nt + 1) * sizeof *out->tags);
        if (nt) memcpy(out->tags, t, nt * sizeof *t);
        out->ntags = nt;
        st_free(ix);
    }
    st_free(f);
    st_free(met);
    st_free(ty);
    st_free(kd);
    st_free(t);
    return rc < 0 ? rc : 0;
}

/* Kept: the schema in plain allocations (one blob for the strings). */
static void memo_put(struct schema_memo *m, st_slice table, uint64_t gen, const scan_table_schema *src)
{
    memo_clear(m);
    m->table = st_malloc(table.n + 1);
    memcpy(m->table, table.p, table.n);
    m->tlen = table.n;
    m->gen = gen;
    size_t bytes = 1;
    for (size_t i = 0; i < src->nfields; i++) bytes += src->fields[i].n + src->metrics[i].n;
    for (size_t i = 0; i < src->ntags; i++) bytes += src->tags[i].n;
    m->blob = st_malloc(bytes);
    char *p = m->blob;
    m->s.nfields = src->nfields;
    m->s.ntags = src->ntags;
    m->s.fields = st_malloc((src->nfields + 1) * sizeof *m->s.fields);
    m->s.metrics = st_malloc((src->nfields + 1) * sizeof *m->s.metrics);
    m->s.types = st_malloc(src->nfields + 1);
    m->s.kinds = st_malloc(src->nfields + 1);
    m->s.tags = st_malloc((src->ntags + 1) * sizeof *m->s.tags);
    for (size_t i = 0; i < src->nfields; i++) {
        memcpy(p, src->fields[i].p, src->fields[i].n);
        m->s.fields[i] = st_slice_of(p, src->fields[i].n);
        p += src->fields[i].n;
        memcpy(p, src->metrics[i].p, src->metrics[i].n);
        m->s.metrics[i] = st_slice_of(p, src->metrics[i].n);
        p += src->metrics[i].n;
    }
    if (src->nfields) {
        memcpy(m->s.types, src->types, src->nfields);
        memcpy(m->s.kinds, src->kinds, src->nfields);
    }
    for (size_t i = 0; i < src->ntags; i++) {
        memcpy(p, src->tags[i].p, src->tags[i].n);
        m->s.tags[i] = st_slice_of(p, src->tags[i].n);
        p += src->tags[i].n;
    }
}

/* Tables a database keeps schemas for, at most (then the oldest goes). */
#define SCHEMA_MEMOS 256

int scan_table_bounds(store *s, const char *db, st_slice table, int64_t mint, int64_t maxt, int64_t *lo,
                      int64_t *hi, st_err *e)
{
    sdb *d = store_db_get(s, db);
    if (!d) return st_fail(e, ST_ENOTFOUND, "database not found: \"%s\"", db);
    int64_t l = INT64_MAX, u = INT64_MIN;
    /* one view: a flush moves data from memory into a block under the
     * view's write lock, so the data is seen in one place or the other */
    pthread_rwlock_rdlock(&d->view_lock);
    pthread_mutex_lock(&d->blocks_mu);
    for (size_t i = 0; i < d->nblocks; i++) {
        blk *b = d->blocks[i];
        if (blk_maxt(b) < mint || blk_mint(b) > maxt) continue;
        int64_t a, z;
        blk_table_bounds(b, table, &a, &z);
        if (a < l) l = a;
        if (z > u) u = z;
    }
    pthread_mutex_unlock(&d->blocks_mu);
    int64_t hl, hu;
    head_time_bounds(d->head, &hl, &hu);
    pthread_rwlock_unlock(&d->view_lock);
    if (hl < l) l = hl;
    if (hu > u) u = hu;
    *lo = l > mint ? l : mint;
    *hi = u < maxt ? u : maxt;
    sdb_unref(s, d);
    return 0;
}

static bool tsmemo_is(const struct tagset_memo *m, uint64_t gen, st_slice table, const st_slice *tags,
                      size_t ntags)
{
    if (!m->a || m->gen != gen || m->ntags != ntags || !st_slice_eq(m->table, table)) return false;
    for (size_t i = 0; i < ntags; i++)
        if (!st_slice_eq(m->tags[i], tags[i])) return false;
    return true;
}

typedef struct tuple_probe {
    const struct tagset_memo *m;
    const st_slice *vals;
} tuple_probe;

static bool tuple_seen(void *ctx, uint32_t row)
{
    const tuple_probe *p = ctx;
    return labels_tuple_eq(p->m->vals + (size_t)row * p->m->ntags, p->vals, p->m->ntags);
}

/* Walks the table's keys into m (outside every lock). */
static int tsmemo_compute(store *s, const char *db, st_slice table, const st_slice *tags, size_t ntags,
                          struct tagset_memo *m, st_err *e)
{
    m->a = st_arena_new(16 * 1024);
    m->table = st_slice_of(st_arena_strndup(m->a, table.p, table.n), table.n);
    m->tags = st_arena_alloc(m->a, (ntags + 1) * sizeof *m->tags);
    for (size_t i = 0; i < ntags; i++) m->tags[i] = st_slice_of(st_arena_strndup(m->a, tags[i].p, tags[i].n), tags[i].n);
    m->ntags = ntags;
    scan_spec sp = {.db = db, .table = table, .mint = INT64_MIN, .maxt = INT64_MAX, .mode = SCAN_KEYS,
                    .order = SCAN_ORDER_ANY};
    scan *sc;
    int rc = scan_open(s, &sp, &sc, e);
    if (rc) return rc;
    scan_iter *it;
    rc = scan_iter_open(sc, 0, SIZE_MAX, &it, e);
    size_t cap = 0;
    htab seen = {0};
    st_slice *cur = st_malloc((ntags + 1) * sizeof *cur);
    tuple_probe pr = {m, cur};
    scan_series ss;
    while (rc == 0 && (rc = scan_iter_next(it, &ss, e)) == 1) {
        rc = 0;
        labels_pick(ss.labels, ss.nlabels, tags, ntags, cur);
        uint64_t h = labels_tuple_hash(cur, ntags);
        if (htab_find(&seen, h, tuple_seen, &pr) != UINT32_MAX) continue;
        if (m->ntuples == cap) {
            size_t nc = cap ? cap * 2 : 256;
            st_slice *nv = st_arena_alloc(m->a, (nc * ntags + 1) * sizeof *nv);
            if (m->ntuples) memcpy(nv, m->vals, m->ntuples * ntags * sizeof *nv);
            m->vals = nv;
            cap = nc;
        }
        st_slice *dst = m->vals + m->ntuples * ntags;
        for (size_t k = 0; k < ntags; k++)
            dst[k] = cur[k].p ? st_slice_of(st_arena_strndup(m->a, cur[k].p, cur[k].n), cur[k].n) : (st_slice){0};
        htab_put(&seen, h, (uint32_t)m->ntuples++);
    }
    st_free(cur);
    htab_free(&seen);
    scan_iter_close(it);
    scan_close(sc);
    return rc < 0 ? rc : 0;
}

int scan_table_tagsets(store *s, const char *db, st_slice table, const st_slice *tags, size_t ntags,
                       int (*fn)(void *ctx, const st_slice *vals), void *ctx, st_err *e)
{
    sdb *d = store_db_get(s, db);
    if (!d) return st_fail(e, ST_ENOTFOUND, "database not found: \"%s\"", db);
    uint64_t gen = atomic_load(&d->series_gen);
    int rc = 0;
    pthread_mutex_lock(&d->schema_mu);
    struct tagset_memo *m = NULL;
    for (size_t i = 0; i < d->ntsmemo && !m; i++)
        if (tsmemo_is(&d->tsmemo[i], gen, table, tags, ntags)) m = &d->tsmemo[i];
    if (!m) {
        pthread_mutex_unlock(&d->schema_mu);
        /* computed outside the lock and kept under the generation read
         * before it (a change meanwhile moves it: the next call computes) */
        struct tagset_memo fresh = {0};
        rc = tsmemo_compute(s, db, table, tags, ntags, &fresh, e);
        if (rc) {
            tsmemo_clear(&fresh);
            sdb_unref(s, d);
            return rc;
        }
        fresh.gen = gen;
        pthread_mutex_lock(&d->schema_mu);
        size_t at = d->ntsmemo;
        for (size_t i = 0; i < d->ntsmemo; i++)
            if (d->tsmemo[i].gen != atomic_load(&d->series_gen) || tsmemo_is(&d->tsmemo[i], gen, table, tags, ntags)) at = i;
        if (at == d->ntsmemo && d->ntsmemo == TAGSET_MEMOS) {
            tsmemo_clear(&d->tsmemo[0]);
            memmove(d->tsmemo, d->tsmemo + 1, (TAGSET_MEMOS - 1) * sizeof *d->tsmemo);
            at = --d->ntsmemo;
        }
        if (at == d->ntsmemo) {
            if (!d->tsmemo) d->tsmemo = st_calloc(TAGSET_MEMOS, sizeof *d->tsmemo);
            d->ntsmemo++;
        } else {
            tsmemo_clear(&d->tsmemo[at]);
        }
        d->tsmemo[at] = fresh;
        m = &d->tsmemo[at];
    }
    for (size_t t = 0; t < m->ntuples && rc == 0; t++) rc = fn(ctx, m->vals + t * ntags);
    pthread_mutex_unlock(&d->schema_mu);
    sdb_unref(s, d);
    return rc;
}

int scan_table_schema_get(store *s, const char *db, st_slice table, st_arena *a, scan_table_schema *out,
                          st_err *e)
{
    sdb *d = store_db_get(s, db);
    if (!d) return st_fail(e, ST_ENOTFOUND, "database not found: \"%s\"", db);
    uint64_t gen = atomic_load(&d->series_gen);
    pthread_mutex_lock(&d->schema_mu);
    for (size_t i = 0; i < d->nmemo; i++) {
        struct schema_memo *m = &d->memo[i];
        if (m->gen == gen && m->tlen == table.n && !memcmp(m->table, table.p, table.n)) {
            schema_copy(&m->s, a, out);
            pthread_mutex_unlock(&d->schema_mu);
            sdb_unref(s, d);
            return 0;
        }
    }
    pthread_mutex_unlock(&d->schema_mu);
    /* computed outside the lock; kept under the generation read before it
     * (a change meanwhile moves the generation, and the next call computes
     * again) */
    int rc = schema_compute(s, db, table, a, out, e);
    if (rc == 0) {
        pthread_mutex_lock(&d->schema_mu);
        size_t at = d->nmemo;
        for (size_t i = 0; i < d->nmemo; i++)
            if (d->memo[i].tlen == table.n && !memcmp(d->memo[i].table, table.p, table.n)) at = i;
        if (at == d->nmemo) {
            if (d->nmemo == SCHEMA_MEMOS) {
                memo_clear(&d->memo[0]);
                memmove(d->memo, d->memo + 1, (d->nmemo - 1) * sizeof *d->memo);
                d->nmemo--;
                at = d->nmemo;
            }
            if (d->nmemo == d->capmemo) {
                d->capmemo = d->capmemo ? d->capmemo * 2 : 8;
                d->memo = st_realloc(d->memo, d->capmemo * sizeof *d->memo);
            }
            memset(&d->memo[d->nmemo++], 0, sizeof *d->memo);
        }
        memo_put(&d->memo[at], table, gen, out);
        pthread_mutex_unlock(&d->schema_mu);
    }
    sdb_unref(s, d);
    return rc;
}
