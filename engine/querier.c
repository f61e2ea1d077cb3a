/* querier: reads over one database, head and blocks merged.
 *
 * A query pins the blocks that overlap its range (references: compaction
 * and retention never free a block under it). The database's view_lock is
 * held shared only while the query pins, collects and reads one series,
 * never while a client is being answered, so a slow reader cannot stall a
 * flush. A flush swaps frozen head data for a new block under the lock held
 * exclusively and bumps the database's generation; a query that sees a new
 * generation pins the blocks added since, and reads them as sources too
 * (blk_find by key), so a sample is always found in the head or in a block.
 *
 * Selection gathers (key, source) pairs from the head shards and the blocks,
 * sorts them by key and then by precedence (older blocks first, the head
 * last), and store_query_next merges each key's sources in that order, a
 * later source winning on equal timestamps: the write later in WAL order.
 */
#include "store_int.h"

#include <stdlib.h>
#include <string.h>

#include "labels.h"
#include "samples.h"

typedef struct qent {
    const uint8_t *key; /* in the query's arena */
    uint32_t keylen;
    int32_t src;        /* block index in q->blocks, or -1 for the head */
    uint32_t id;        /* series id in the block or the shard */
    uint32_t shard;
} qent;

struct store_query {
    store *s;
    sdb *d;
    int64_t mint, maxt;
    blk **blocks; /* overlapping the range, in creation order */
    size_t nblocks, capblocks;
    size_t ncollected; /* blocks[0, ncollected) were searched by collect() */
    uint64_t gen;      /* the database's flush generation when blocks were pinned */
    st_arena *arena;
    qent *ents;
    size_t n, cap, pos;
    codec_samples cur, tmp, scratch[3];
};

static int cmp_blk_id(const void *a, const void *b)
{
    return strcmp(blk_id(*(blk *const *)a), blk_id(*(blk *const *)b));
}

static bool pinned(const store_query *q, const blk *b)
{
    for (size_t i = 0; i < q->nblocks; i++)
        if (q->blocks[i] == b) return true;
    return false;
}

/* Pins the database's blocks that overlap the range and are not pinned yet.
 * view_lock held (shared) by the caller. */
static void pin_blocks(store_query *q)
{
    sdb *d = q->d;
    pthread_mutex_lock(&d->blocks_mu);
    for (size_t i = 0; i < d->nblocks; i++) {
        blk *b = d->blocks[i];
        if (blk_maxt(b) < q->mint || blk_mint(b) > q->maxt || pinned(q, b)) continue;
        if (q->nblocks == q->capblocks) {
            q->capblocks = q->capblocks ? q->capblocks * 2 : 16;
            q->blocks = st_realloc(q->blocks, q->capblocks * sizeof *q->blocks);
        }
        blk_ref(b);
        q->blocks[q->nblocks++] = b;
    }
    q->gen = atomic_load(&d->gen);
    pthread_mutex_unlock(&d->blocks_mu);
}

int store_query_open(store *s, const char *db, int64_t mint, int64_t maxt, store_query **out,
                     st_err *e)
{
    sdb *d = store_db_get(s, db);
    if (!d) return st_fail(e, ST_ENOTFOUND, "database not found: \"%s\"", db);
    store_query *q = st_calloc(1, sizeof *q);
    q->s = s;
    q->d = d;
    q->mint = mint;
    q->maxt = maxt;
    q->arena = st_arena_new(64 * 1024);
    pthread_rwlock_rdlock(&d->view_lock);
    pin_blocks(q);
    pthread_rwlock_unlock(&d->view_lock);
    if (q->nblocks > 1) qsort(q->blocks, q->nblocks, sizeof *q->blocks, cmp_blk_id);
    *out = q;
    return 0;
}

void store_query_close(store_query *q)
{
    if (!q) return;
    for (size_t i = 0; i < q->nblocks; i++) blk_unref(q->blocks[i]);
    st_free(q->blocks);
    sdb_unref(q->s, q->d);
    st_arena_free(q->arena);
    st_free(q->ents);
    codec_samples_free(&q->cur);
    codec_samples_free(&q->tmp);
    for (int i = 0; i < 3; i++) codec_samples_free(&q->scratch[i]);
    st_free(q);
}

static void push_ent(store_query *q, const uint8_t *key, size_t keylen, int32_t src, uint32_t id,
                     uint32_t shard, bool copy)
{
    if (q->n == q->cap) {
        q->cap = q->cap ? q->cap * 2 : 256;
        q->ents = st_realloc(q->ents, q->cap * sizeof *q->ents);
    }
    qent *x = &q->ents[q->n++];
    if (copy) {
        uint8_t *k = st_arena_alloc(q->arena, keylen);
        memcpy(k, key, keylen);
        key = k;
    }
    x->key = key;
    x->keylen = (uint32_t)keylen;
    x->src = src;
    x->id = id;
    x->shard = shard;
}

static int cmp_ent(const void *a, const void *b)
{
    const qent *x = a, *y = b;
    size_t n = x->keylen < y->keylen ? x->keylen : y->keylen;
    int c = memcmp(x->key, y->key, n);
    if (c) return c;
    if (x->keylen != y->keylen) return x->keylen < y->keylen ? -1 : 1;
    /* precedence: blocks in creation order, the head (-1) last */
    uint32_t px = x->src < 0 ? UINT32_MAX : (uint32_t)x->src;
    uint32_t py = y->src < 0 ? UINT32_MAX : (uint32_t)y->src;
    return px < py ? -1 : px > py;
}

/* Collects (key, source) pairs; ms may be empty (= every series). Runs
 * under view_lock so that no series moves from the head to a block unseen. */
static int collect_locked(store_query *q, matcher *const *ms, size_t n, st_err *e);

static int collect(store_query *q, matcher *const *ms, size_t n, st_err *e)
{
    pthread_rwlock_rdlock(&q->d->view_lock);
    if (atomic_load(&q->d->gen) != q->gen) pin_blocks(q);
    if (q->nblocks > 1) qsort(q->blocks, q->nblocks, sizeof *q->blocks, cmp_blk_id);
    q->ncollected = q->nblocks;
    int rc = collect_locked(q, ms, n, e);
    pthread_rwlock_unlock(&q->d->view_lock);
    return rc;
}

static int collect_locked(store_query *q, matcher *const *ms, size_t n, st_err *e)
{
    q->n = q->pos = 0;
    st_arena_reset(q->arena);
    postings ids = {0};
    int rc = 0;
    head *h = q->d->head;
    for (unsigned sh = 0; sh < head_nshards(h) && rc == 0; sh++) {
        head_lock(h, sh);
        if (n) {
            rc = head_select_locked(h, sh, ms, n, &ids, e);
        } else {
            const postings *all = idx_all(head_index_locked(h, sh));
            ids.n = 0;
            postings_union(&ids, all);
        }
        for (size_t i = 0; rc == 0 && i < ids.n; i++) {
            hseries *hs = head_by_id_locked(h, sh, ids.ids[i]);
            if (!hs) continue;
            const uint8_t *k;
            size_t kl;
            hseries_key(hs, &k, &kl);
            push_ent(q, k, kl, -1, ids.ids[i], sh, true);
        }
        head_unlock(h, sh);
    }
    for (size_t b = 0; b < q->nblocks && rc == 0; b++) {
        if (n) {
            rc = blk_select(q->blocks[b], ms, n, &ids, e);
        } else {
            ids.n = 0;
            uint32_t cnt = blk_nseries(q->blocks[b]);
            if (ids.cap < cnt) {
                ids.ids = st_realloc(ids.ids, (cnt + 1) * sizeof *ids.ids);
                ids.cap = cnt + 1;
            }
            for (uint32_t k = 0; k < cnt; k++) ids.ids[ids.n++] = k;
        }
        for (size_t i = 0; rc == 0 && i < ids.n; i++) {
            const uint8_t *k;
            size_t kl;
            blk_series_key(q->blocks[b], ids.ids[i], &k, &kl);
            /* block keys stay valid while the block is referenced: no copy */
            push_ent(q, k, kl, (int32_t)b, ids.ids[i], 0, false);
        }
    }
    postings_free(&ids);
    if (rc == 0 && q->n > 1) qsort(q->ents, q->n, sizeof *q->ents, cmp_ent);
    return rc;
}

int store_query_select(store_query *q, matcher *const *ms, size_t n, st_err *e)
{
    return collect(q, ms, n, e);
}

/* Reads one source into q->cur and merges it over out (later wins). */
static int merge_source(store_query *q, series_meta xm, bool *have, series_meta *m,
                        codec_samples *out)
{
    if (*have && xm.type != m->type) {
        /* the series was recreated with another type after its old data
         * left the head: the newer type's samples stand */
        samples_clear(out);
    }
    *m = xm;
    *have = true;
    if (!out->n) {
        samples_swap(out, &q->cur);
    } else if (q->cur.n) {
        samples_merge(&q->tmp, m->type == ST_VT_STRING, out, &q->cur);
        samples_swap(&q->tmp, out);
    }
    return 0;
}

static int read_key_locked(store_query *q, size_t a, size_t b, series_meta *m, bool *have,
                           codec_samples *out, st_err *e)
{
    head *h = q->d->head;
    samples_clear(out);
    /* blocks in creation order: the collected ones, then those pinned later
     * (a flush's new blocks), then the head */
    size_t i = a;
    for (; i < b && q->ents[i].src >= 0; i++) {
        qent *x = &q->ents[i];
        blk *bk = q->blocks[x->src];
        int rc = blk_read(bk, x->id, q->mint, q->maxt, &q->cur, e);
        if (rc) return rc;
        merge_source(q, blk_series_meta(bk, x->id), have, m, out);
    }
    for (size_t k = q->ncollected; k < q->nblocks; k++) {
        uint32_t id;
        if (blk_find(q->blocks[k], q->ents[a].key, q->ents[a].keylen, &id) != 0) continue;
        int rc = blk_read(q->blocks[k], id, q->mint, q->maxt, &q->cur, e);
        if (rc) return rc;
        merge_source(q, blk_series_meta(q->blocks[k], id), have, m, out);
    }
    for (; i < b; i++) {
        qent *x = &q->ents[i];
        head_lock(h, x->shard);
        hseries *hs = head_by_id_locked(h, x->shard, x->id);
        if (!hs) {
            head_unlock(h, x->shard);
            continue;
        }
        series_meta xm = hseries_meta(hs);
        int rc = head_read_locked(h, hs, q->mint, q->maxt, &q->cur, q->scratch, e);
        head_unlock(h, x->shard);
        if (rc) return rc;
        merge_source(q, xm, have, m, out);
    }
    return 0;
}

int store_query_next(store_query *q, const uint8_t **key, size_t *keylen, series_meta *meta,
                     codec_samples *out, st_err *e)
{
    while (q->pos < q->n) {
        size_t a = q->pos, b = a + 1;
        while (b < q->n && q->ents[b].keylen == q->ents[a].keylen &&
               memcmp(q->ents[b].key, q->ents[a].key, q->ents[a].keylen) == 0)
            b++;
        q->pos = b;
        series_meta m = {0};
        bool have = false;
        /* one series' sources are read under the view lock: a flush cannot
         * move its head data into a block between two of them */
        pthread_rwlock_rdlock(&q->d->view_lock);
        if (atomic_load(&q->d->gen) != q->gen) {
            pin_blocks(q);
            size_t late = q->nblocks - q->ncollected;
            if (late > 1) qsort(q->blocks + q->ncollected, late, sizeof *q->blocks, cmp_blk_id);
        }
        int rc = read_key_locked(q, a, b, &m, &have, out, e);
        pthread_rwlock_unlock(&q->d->view_lock);
        if (rc) return rc;
        if (!have || !out->n) continue;
        *key = q->ents[a].key;
        *keylen = q->ents[a].keylen;
        *meta = m;
        return 1;
    }
    return 0;
}

/* A sorted set of strings, built in an st_buf as NUL-terminated entries. */
typedef struct strset {
    st_slice *v;
    size_t n, cap;
} strset;

static void strset_add(strset *s, st_slice x)
{
    if (s->n == s->cap) {
        s->cap = s->cap ? s->cap * 2 : 64;
        s->v = st_realloc(s->v, s->cap * sizeof *s->v);
    }
    s->v[s->n++] = x;
}

static int cmp_slice(const void *a, const void *b)
{
    return st_slice_cmp(*(const st_slice *)a, *(const st_slice *)b);
}

static void strset_emit(strset *s, st_buf *out, size_t *count)
{
    if (s->n > 1) qsort(s->v, s->n, sizeof *s->v, cmp_slice);
    *count = 0;
    out->len = 0;
    for (size_t i = 0; i < s->n; i++) {
        if (i && st_slice_eq(s->v[i], s->v[i - 1])) continue;
        st_buf_put(out, s->v[i].p, s->v[i].n);
        st_buf_putc(out, 0);
        (*count)++;
    }
    st_free(s->v);
}

static int labels_scan(store_query *q, const char *name, matcher *const *ms, size_t n,
                       st_buf *out, size_t *count, st_err *e)
{
    int rc = collect(q, ms, n, e);
    if (rc) return rc;
    strset set = {0};
    label ls[256];
    st_slice want = name ? st_slice_cstr(name) : st_slice_of(NULL, 0);
    for (size_t i = 0; i < q->n; i++) {
        if (i && q->ents[i].keylen == q->ents[i - 1].keylen &&
            memcmp(q->ents[i].key, q->ents[i - 1].key, q->ents[i].keylen) == 0)
            continue;
        size_t nl = 0;
        if (labels_key_parse(q->ents[i].key, q->ents[i].keylen, ls, 256, &nl)) continue;
        for (size_t k = 0; k < nl; k++) {
            if (!name) strset_add(&set, ls[k].name);
            else if (st_slice_eq(ls[k].name, want)) strset_add(&set, ls[k].value);
        }
    }
    strset_emit(&set, out, count);
    return 0;
}

int store_query_label_names(store_query *q, matcher *const *ms, size_t n, st_buf *out,
                            size_t *count, st_err *e)
{
    return labels_scan(q, NULL, ms, n, out, count, e);
}

int store_query_label_values(store_query *q, const char *name, matcher *const *ms, size_t n,
                             st_buf *out, size_t *count, st_err *e)
{
    return labels_scan(q, name, ms, n, out, count, e);
}
