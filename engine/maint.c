/* maint: moving data from the head to blocks, merging blocks, dropping
 * expired ones, and keeping the WAL bounded.
 *
 * Flush (per database, data older than a cutoff):
 *   1. per series, under its shard lock: head_freeze_locked moves samples
 *      with ts < cutoff into frozen chunks (still visible to queries);
 *   2. without locks: the frozen samples of every series, in key order, are
 *      written into one new block per time partition (block_duration);
 *   3. under view_lock held exclusively: the blocks join the database and
 *      the frozen chunks are dropped, so a query sees the data either in the
 *      head or in a block, never neither; empty series leave the head.
 * A failure in step 2 leaves the frozen chunks in place (still readable and
 * still in the WAL); the next round folds them in again.
 *
 * Checkpoint: after a flush the WAL's old segments only repeat what blocks
 * hold, plus what is still in the head. wal_checkpoint_begin cuts a segment;
 * every live series and its head samples are written to the checkpoint; then
 * the older segments go. Records appended after the cut are in the new
 * segments, and those appended before it are already applied to the head
 * (append and apply share the shard lock), so nothing is lost either way.
 *
 * Compaction: blocks of a database whose time ranges overlap (out-of-order
 * data flushed late) are merged, the newer block winning on equal
 * timestamps; then runs of adjacent small blocks are merged up to
 * max_block_span; then a block with tombstones is rewritten alone, which is
 * when deleted samples leave the disk. The new block records its sources; at open, a block that
 * another lists as a source is deleted (a crash between commit and delete).
 *
 * Retention: a block whose maxt is older than now - retention is deleted
 * whole.
 */
#include "store_int.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bits.h"
#include "labels.h"
#include "samples.h"

/* ---------------------------------------------------------------- loading */

typedef struct load_ctx {
    store *s;
    sdb *d;
    st_err *e;
    int rc; /* an error that stops the load (the listing is stopped by 1) */
    blk **found;
    size_t n, cap;
} load_ctx;

static int load_entry(void *ctx, const char *name, bool is_dir)
{
    load_ctx *c = ctx;
    store *s = c->s;
    sdb *d = c->d;
    (void)is_dir; /* a stray file fails blk_open like a block without meta */
    if (name[0] == '.') {
        if (strncmp(name, ".tmp", 4) == 0) {
            char p[PATH_MAX];
            if (st_path(p, sizeof p, d->blocks_dir, name)) return 0;
            vfs_remove_tree(s->vfs, p);
            store_log(s, "info", "removed unfinished block %s", p);
        }
        return 0;
    }
    char p[PATH_MAX];
    if (st_path(p, sizeof p, d->blocks_dir, name)) return 0;
    blk *b;
    st_err be;
    int orc = blk_open(s->vfs, p, &b, &be);
    if (orc == ST_ENOTFOUND) {
        /* no meta: a removal that a crash interrupted (meta goes first) */
        vfs_remove_tree(s->vfs, p);
        store_log(s, "info", "removed the remains of deleted block %s", p);
        return 0;
    }
    if (orc != 0 && orc != ST_ECORRUPT) {
        /* out of descriptors, memory or permissions: not the block's fault */
        c->rc = st_fail(c->e, orc, "opening block %s: %s", p, be.msg);
        return 1;
    }
    if (orc != 0) {
        /* keep the data for an operator; never serve it */
        char aside[PATH_MAX + 16];
        snprintf(aside, sizeof aside, "%s.corrupt", p);
        if (strstr(name, ".corrupt") == NULL) {
            s->vfs->rename(s->vfs, p, aside);
            atomic_fetch_add(&s->block_corruptions, 1);
            store_log(s, "error", "block %s is damaged (%s); moved aside to %s", p, be.msg, aside);
        }
        return 0;
    }
    if (c->n == c->cap) {
        c->cap = c->cap ? c->cap * 2 : 16;
        c->found = st_realloc(c->found, c->cap * sizeof *c->found);
    }
    c->found[c->n++] = b;
    return 0;
}

int maint_load_blocks(store *s, sdb *d, st_err *e)
{
    load_ctx c = {.s = s, .d = d, .e = e};
    int lrc = s->vfs->list(s->vfs, d->blocks_dir, load_entry, &c);
    if (c.rc) {
        for (size_t i = 0; i < c.n; i++) blk_unref(c.found[i]);
        st_free(c.found);
        return c.rc;
    }
    /* an unreadable directory loads no blocks, as it always has (store_open
     * has just created it, so this is a permissions or I/O problem) */
    if (lrc < 0 && lrc != -ENOENT)
        store_log(s, "error", "listing %s: %s", d->blocks_dir, strerror(-lrc));
    blk **found = c.found;
    size_t n = c.n;
    /* blocks superseded by a committed compaction are deleted */
    for (size_t i = 0; i < n; i++) {
        bool superseded = false;
        for (size_t j = 0; j < n && !superseded; j++)
            for (size_t k = 0; j != i && found[j] && k < blk_nsources(found[j]); k++)
                if (strcmp(blk_source(found[j], k), blk_id(found[i])) == 0) superseded = true;
        if (superseded) {
            store_log(s, "info", "removing block %s, superseded by a compaction", blk_dir(found[i]));
            blk_mark_deleted(found[i]);
            blk_unref(found[i]);
            found[i] = NULL;
        }
    }
    pthread_mutex_lock(&d->blocks_mu);
    for (size_t i = 0; i < n; i++)
        if (found[i]) sdb_add_block_locked(d, found[i]);
    /* types of the series on disk, the newest block's last (blocks are in
     * (mint, id) order; a type change is rare enough for that to do) */
    for (size_t i = 0; i < d->nblocks; i++) {
        blk *b = d->blocks[i];
        for (uint32_t id = 0; id < blk_nseries(b); id++) {
            const uint8_t *k;
            size_t kl;
            blk_series_key(b, id, &k, &kl);
            sdb_type_put(d, st_hash64(k, kl, 0), blk_series_meta(b, id).type);
        }
    }
    pthread_mutex_unlock(&d->blocks_mu);
    st_free(found);
    return 0;
}

/* ---------------------------------------------------------------- flush */

typedef struct fser {
    unsigned shard;
    uint32_t id;
    uint64_t ref;
    uint8_t *key;
    size_t keylen;
    series_meta meta;
} fser;

static int cmp_fser(const void *a, const void *b)
{
    const fser *x = a, *y = b;
    size_t n = x->keylen < y->keylen ? x->keylen : y->keylen;
    int c = memcmp(x->key, y->key, n);
    if (c) return c;
    return x->keylen < y->keylen ? -1 : x->keylen > y->keylen;
}

typedef struct pwriter {
    int64_t start;
    blk_writer *w;
} pwriter;

static int64_t floor_div(int64_t a, int64_t b)
{
    int64_t q = a / b;
    if ((a % b != 0) && ((a < 0) != (b < 0))) q--;
    return q;
}

int maint_flush_db(store *s, sdb *d, int64_t cutoff, st_err *e)
{
    head *h = d->head;
    fser *list = NULL;
    size_t n = 0, cap = 0;
    int rc = 0;
    /* 1. freeze, a few hundred series per lock hold so writers keep going */
    for (unsigned sh = 0; sh < head_nshards(h) && rc == 0; sh++) {
        head_lock(h, sh);
        uint32_t bound = head_id_bound_locked(h, sh);
        for (uint32_t id = 0; id < bound && rc == 0; id++) {
            if (id % 256 == 255) {
                head_unlock(h, sh);
                head_lock(h, sh);
            }
            hseries *hs = head_by_id_locked(h, sh, id);
            if (!hs) continue;
            rc = head_freeze_locked(h, hs, cutoff, e);
            if (rc || !hseries_has_frozen(hs)) continue;
            if (n == cap) {
                cap = cap ? cap * 2 : 1024;
                list = st_realloc(list, cap * sizeof *list);
            }
            const uint8_t *k;
            size_t kl;
            hseries_key(hs, &k, &kl);
            fser *f = &list[n++];
            f->shard = sh;
            f->id = id;
            f->ref = hseries_ref(hs);
            f->key = st_malloc(kl);
            memcpy(f->key, k, kl);
            f->keylen = kl;
            f->meta = hseries_meta(hs);
        }
        head_unlock(h, sh);
    }
    if (rc || n == 0) goto out;
    qsort(list, n, sizeof *list, cmp_fser);

    /* 2. write one block per partition touched */
    pwriter *pw = NULL;
    size_t npw = 0;
    codec_samples smp = {0};
    int64_t P = s->o.block_duration;
    for (size_t i = 0; i < n && rc == 0; i++) {
        fser *f = &list[i];
        head_lock(h, f->shard);
        hseries *hs = head_by_id_locked(h, f->shard, f->id);
        rc = hs ? head_read_frozen_locked(h, hs, &smp, e) : 0;
        if (!hs) smp.n = 0;
        head_unlock(h, f->shard);
        bool is_str = f->meta.type == ST_VT_STRING;
        size_t a = 0;
        while (rc == 0 && a < smp.n) {
            int64_t pstart = floor_div(smp.ts[a], P) * P;
            int64_t pend = pstart > INT64_MAX - P ? INT64_MAX : pstart + P - 1;
            size_t b = a;
            while (b < smp.n && smp.ts[b] <= pend) b++;
            pwriter *w = NULL;
            for (size_t k = 0; k < npw; k++)
                if (pw[k].start == pstart) w = &pw[k];
            if (!w) {
                pw = st_realloc(pw, (npw + 1) * sizeof *pw);
                w = &pw[npw];
                w->start = pstart;
                rc = blk_writer_open(s->vfs, d->blocks_dir, pstart, pend, 1, &w->w, e);
                if (rc) break;
                npw++;
            }
            rc = blk_writer_add(w->w, f->key, f->keylen, f->meta, smp.ts + a, smp.vals + a,
                                is_str ? smp.strs + a : NULL, b - a, e);
            a = b;
        }
    }
    codec_samples_free(&smp);
    blk **made = st_calloc(npw + 1, sizeof *made);
    size_t nmade = 0;
    for (size_t k = 0; k < npw; k++) {
        if (rc) {
            blk_writer_abort(pw[k].w);
            continue;
        }
        char id[33], path[PATH_MAX];
        rc = blk_writer_commit(pw[k].w, id, e);
        if (rc) continue;
        st_path(path, sizeof path, d->blocks_dir, id);
        rc = blk_open(s->vfs, path, &made[nmade], e);
        if (rc == 0) nmade++;
        else vfs_remove_tree(s->vfs, path); /* never load it at the next start */
    }
    st_free(pw);
    if (rc) {
        /* the blocks already committed hold data that is also still frozen in
         * the head: drop them so that the retry writes it once */
        for (size_t k = 0; k < nmade; k++) {
            blk_mark_deleted(made[k]);
            blk_unref(made[k]);
        }
        st_free(made);
        store_log(s, "error", "flush of database \"%s\" failed: %s (will retry)", d->name,
                  e ? e->msg : "");
        goto out;
    }

    /* 3. swap: blocks in, frozen data out */
    pthread_rwlock_wrlock(&d->view_lock);
    pthread_mutex_lock(&d->blocks_mu);
    for (size_t k = 0; k < nmade; k++) sdb_add_block_locked(d, made[k]);
    pthread_mutex_unlock(&d->blocks_mu);
    for (size_t i = 0; i < n; i++) {
        fser *f = &list[i];
        head_lock(h, f->shard);
        hseries *hs = head_by_id_locked(h, f->shard, f->id);
        /* empty series stay until a checkpoint no longer needs them (see
         * maint_gc_after_checkpoint) */
        if (hs) head_thaw_drop_locked(h, hs);
        head_unlock(h, f->shard);
    }
    atomic_fetch_add(&d->gen, 1);
    pthread_rwlock_unlock(&d->view_lock);
    st_free(made);
    atomic_fetch_add(&s->flushes, 1);
    store_log(s, "info", "flushed %zu series of database \"%s\" into %zu block(s)", n, d->name,
              nmade);
out:
    for (size_t i = 0; i < n; i++) st_free(list[i].key);
    st_free(list);
    return rc;
}

/* ---------------------------------------------------------------- checkpoint */

int maint_checkpoint(store *s, st_err *e)
{
    wal_ckpt *ck;
    int rc = wal_checkpoint_begin(s->wal, &ck, e);
    if (rc) return rc;
    st_buf rec = {0};
    codec_samples smp = {0}, scratch[3] = {{0}};
    pthread_rwlock_rdlock(&s->dbs_lock);
    for (size_t i = 0; i < s->ndbs && rc == 0; i++) {
        sdb *d = s->dbs[i];
        head *h = d->head;
        for (unsigned sh = 0; sh < head_nshards(h) && rc == 0; sh++) {
            head_lock(h, sh);
            uint32_t bound = head_id_bound_locked(h, sh);
            for (uint32_t id = 0; id < bound && rc == 0; id++) {
                /* The lock is let go between pieces of a shard, so that writers
                 * and readers wait for a piece, not for a whole shard of a big
                 * head. Safe: what is written meanwhile is also in the segment
                 * the checkpoint began (replay applies it after, the same
                 * sample twice being harmless), series created meanwhile are
                 * logged there too, and only this thread removes series. */
                if (id && id % 256 == 0) {
                    head_unlock(h, sh);
                    head_lock(h, sh);
                }
                hseries *hs = head_by_id_locked(h, sh, id);
                if (!hs) continue;
                const uint8_t *k;
                size_t kl;
                hseries_key(hs, &k, &kl);
                rec.len = 0;
                rec_series(&rec, d->id, hseries_ref(hs), hseries_meta(hs), k, kl);
                rc = wal_checkpoint_add(ck, REC_SERIES, rec.p, rec.len, e);
                if (rc) break;
                rc = head_read_locked(h, hs, INT64_MIN, INT64_MAX, &smp, scratch, e);
                if (rc || !smp.n) continue;
                /* records of at most 64k samples (strings: at most ~8 MiB) stay
                 * far below the WAL's record limit, however big the series */
                for (size_t a = 0; a < smp.n && rc == 0;) {
                    size_t b = a, bytes = 0;
                    while (b < smp.n && b - a < 65536 && bytes < (8u << 20)) {
                        bytes += 20 + (hseries_meta(hs).type == ST_VT_STRING ? smp.strs[b].n : 0);
                        b++;
                    }
                    rec.len = 0;
                    rec_samples_one(&rec, d->id, hseries_ref(hs), hseries_meta(hs).type, &smp, a, b);
                    rc = wal_checkpoint_add(ck, REC_SAMPLES, rec.p, rec.len, e);
                    a = b;
                }
            }
            head_unlock(h, sh);
        }
    }
    pthread_rwlock_unlock(&s->dbs_lock);
    st_buf_free(&rec);
    codec_samples_free(&smp);
    for (int i = 0; i < 3; i++) codec_samples_free(&scratch[i]);
    if (rc) {
        wal_checkpoint_abort(ck);
        return rc;
    }
    return wal_checkpoint_commit(ck, e);
}

/* Series whose data has all gone to blocks: their type lives on (see
 * sdb.types). */
static void gc_keep_type(void *ctx, const hseries *hs)
{
    const uint8_t *k;
    size_t kl;
    hseries_key(hs, &k, &kl);
    sdb_type_put(ctx, st_hash64(k, kl, 0), hseries_meta(hs).type);
}

/* Removes series with no samples left in the head. Only after a checkpoint
 * has committed: until then, old WAL segments may still hold samples of such
 * a series, and a delete must find it in the head to log a REC_DELETE that
 * replay applies after them. A flush empties most series at once, so each
 * shard is cleaned in bulk (linear in its size, not quadratic), with its
 * lock released between pieces. Returns the number removed. */
static uint64_t maint_gc(store *s)
{
    uint64_t removed = 0;
    pthread_rwlock_rdlock(&s->dbs_lock);
    for (size_t i = 0; i < s->ndbs; i++) {
        head *h = s->dbs[i]->head;
        for (unsigned sh = 0; sh < head_nshards(h); sh++)
            removed += head_remove_empty(h, sh, gc_keep_type, s->dbs[i]);
    }
    pthread_rwlock_unlock(&s->dbs_lock);
    return removed;
}

/* ---------------------------------------------------------------- retention */

int maint_retention_db(store *s, sdb *d, int64_t now, st_err *e)
{
    (void)e;
    int64_t ret = sdb_retention(s, d);
    if (ret <= 0) return 0;
    int64_t cutoff = now - ret;
    pthread_mutex_lock(&d->blocks_mu);
    for (size_t i = 0; i < d->nblocks;) {
        blk *b = d->blocks[i];
        if (blk_maxt(b) < cutoff) {
            sdb_remove_block_locked(d, b);
            store_log(s, "info", "retention: deleting block %s of database \"%s\"", blk_id(b),
                      d->name);
            blk_mark_deleted(b);
            blk_unref(b);
            atomic_fetch_add(&s->retention_deletions, 1);
        } else {
            i++;
        }
    }
    pthread_mutex_unlock(&d->blocks_mu);
    return 0;
}

/* ---------------------------------------------------------------- compaction */

typedef struct msrc {
    blk *b;
    postings ids;
    size_t pos;
} msrc;

/* Merges blocks src[0..n) (ordered oldest first: later ones win) into one. */
static int merge_blocks(store *s, sdb *d, blk **src, size_t n, st_err *e)
{
    int64_t mint = INT64_MAX, maxt = INT64_MIN;
    int level = 0;
    for (size_t i = 0; i < n; i++) {
        if (blk_mint(src[i]) < mint) mint = blk_mint(src[i]);
        if (blk_maxt(src[i]) > maxt) maxt = blk_maxt(src[i]);
        if (blk_level(src[i]) > level) level = blk_level(src[i]);
    }
    blk_writer *w;
    int rc = blk_writer_open(s->vfs, d->blocks_dir, mint, maxt, level + 1, &w, e);
    if (rc) return rc;
    for (size_t i = 0; i < n; i++) blk_writer_add_source(w, blk_id(src[i]));
    msrc *ms = st_calloc(n, sizeof *ms);
    for (size_t i = 0; i < n; i++) {
        ms[i].b = src[i];
        uint32_t cnt = blk_nseries(src[i]);
        ms[i].ids.ids = st_malloc((cnt + 1) * sizeof(uint32_t));
        ms[i].ids.cap = cnt + 1;
        for (uint32_t k = 0; k < cnt; k++) ms[i].ids.ids[k] = k;
        ms[i].ids.n = cnt;
    }
    codec_samples acc = {0}, cur = {0}, tmp = {0};
    for (;;) {
        /* smallest key among the sources' current series (ids are in key order) */
        const uint8_t *minkey = NULL;
        size_t minlen = 0;
        for (size_t i = 0; i < n; i++) {
            if (ms[i].pos >= ms[i].ids.n) continue;
            const uint8_t *k;
            size_t kl;
            blk_series_key(ms[i].b, ms[i].ids.ids[ms[i].pos], &k, &kl);
            if (!minkey || st_slice_cmp(st_slice_of((const char *)k, kl),
                                        st_slice_of((const char *)minkey, minlen)) < 0) {
                minkey = k;
                minlen = kl;
            }
        }
        if (!minkey) break;
        samples_clear(&acc);
        series_meta meta = {0};
        bool have = false;
        for (size_t i = 0; i < n && rc == 0; i++) {
            if (ms[i].pos >= ms[i].ids.n) continue;
            uint32_t id = ms[i].ids.ids[ms[i].pos];
            const uint8_t *k;
            size_t kl;
            blk_series_key(ms[i].b, id, &k, &kl);
            if (kl != minlen || memcmp(k, minkey, kl) != 0) continue;
            series_meta m = blk_series_meta(ms[i].b, id);
            rc = blk_read(ms[i].b, id, INT64_MIN, INT64_MAX, &cur, e);
            if (rc == 0) {
                /* sources go oldest first: a series recreated with another
                 * type keeps only the newer type's samples, as reads do */
                if (have && m.type != meta.type) samples_clear(&acc);
                meta = m;
                have = true;
                samples_merge(&tmp, meta.type == ST_VT_STRING, &acc, &cur);
                samples_swap(&tmp, &acc);
            }
            ms[i].pos++;
        }
        if (rc == 0 && acc.n)
            rc = blk_writer_add(w, minkey, minlen, meta, acc.ts, acc.vals,
                                meta.type == ST_VT_STRING ? acc.strs : NULL, acc.n, e);
        if (rc) break;
    }
    codec_samples_free(&acc);
    codec_samples_free(&cur);
    codec_samples_free(&tmp);
    for (size_t i = 0; i < n; i++) postings_free(&ms[i].ids);
    st_free(ms);
    if (rc) {
        blk_writer_abort(w);
        return rc;
    }
    char id[33], path[PATH_MAX];
    rc = blk_writer_commit(w, id, e);
    if (rc) return rc;
    st_path(path, sizeof path, d->blocks_dir, id);
    blk *nb;
    rc = blk_open(s->vfs, path, &nb, e);
    if (rc) {
        /* a committed block that cannot be opened would replace its sources
         * at the next start: remove it */
        vfs_remove_tree(s->vfs, path);
        return rc;
    }
    pthread_mutex_lock(&d->blocks_mu);
    for (size_t i = 0; i < n; i++) {
        sdb_remove_block_locked(d, src[i]);
        blk_mark_deleted(src[i]);
        blk_unref(src[i]); /* the database's reference */
    }
    sdb_add_block_locked(d, nb);
    pthread_mutex_unlock(&d->blocks_mu);
    atomic_fetch_add(&s->compactions, 1);
    store_log(s, "info", "compacted %zu blocks of database \"%s\" into %s", n, d->name, id);
    return 0;
}

static int cmp_blk_age(const void *a, const void *b)
{
    /* ids are time-sortable: creation order */
    return strcmp(blk_id(*(blk *const *)a), blk_id(*(blk *const *)b));
}

int maint_compact_db(store *s, sdb *d, int64_t now, st_err *e)
{
    (void)now;
    /* Find one group: the first set of blocks whose ranges overlap, or else a
     * run of adjacent blocks that together span at most max_span. */
    int64_t max_span = s->o.block_duration * 12;
    int64_t ret = sdb_retention(s, d);
    if (ret > 0 && max_span > ret / 10 && ret / 10 >= s->o.block_duration) max_span = ret / 10;
    max_span = max_span / s->o.block_duration * s->o.block_duration;
    for (int pass = 0; pass < 64; pass++) {
        pthread_mutex_lock(&d->blocks_mu);
        size_t nb = d->nblocks;
        blk **g = NULL;
        size_t ng = 0;
        for (size_t i = 0; i + 1 < nb && !ng; i++) {
            /* overlap group starting at i (blocks sorted by mint) */
            int64_t end = blk_maxt(d->blocks[i]);
            size_t j = i + 1;
            while (j < nb && blk_mint(d->blocks[j]) <= end) {
                if (blk_maxt(d->blocks[j]) > end) end = blk_maxt(d->blocks[j]);
                j++;
            }
            if (j - i >= 2) {
                ng = j - i;
                g = st_malloc(ng * sizeof *g);
                for (size_t k = 0; k < ng; k++) g[k] = d->blocks[i + k];
            }
        }
        if (!ng) {
            /* adjacent, aligned run within one max_span window, none too recent */
            for (size_t i = 0; i + 1 < nb && !ng; i++) {
                int64_t win = blk_mint(d->blocks[i]) - (blk_mint(d->blocks[i]) % max_span);
                if (blk_mint(d->blocks[i]) < 0 && blk_mint(d->blocks[i]) % max_span) win -= max_span;
                size_t j = i;
                while (j < nb && blk_maxt(d->blocks[j]) < win + max_span &&
                       blk_mint(d->blocks[j]) >= win)
                    j++;
                /* only merge a window that is complete (ends before the head) */
                if (j - i >= 2 && win + max_span <= now - sdb_memory_window(s, d)) {
                    ng = j - i;
                    g = st_malloc(ng * sizeof *g);
                    for (size_t k = 0; k < ng; k++) g[k] = d->blocks[i + k];
                }
            }
        }
        if (!ng) {
            /* a block with tombstones is rewritten alone: deleted samples leave
             * the disk (reads already skip them) */
            for (size_t i = 0; i < nb && !ng; i++) {
                if (!blk_has_tombstones(d->blocks[i])) continue;
                ng = 1;
                g = st_malloc(sizeof *g);
                g[0] = d->blocks[i];
            }
        }
        for (size_t k = 0; k < ng; k++) blk_ref(g[k]);
        pthread_mutex_unlock(&d->blocks_mu);
        if (!ng) return 0;
        qsort(g, ng, sizeof *g, cmp_blk_age);
        int rc = merge_blocks(s, d, g, ng, e);
        for (size_t k = 0; k < ng; k++) blk_unref(g[k]);
        st_free(g);
        if (rc) return rc;
    }
    return 0;
}

/* ---------------------------------------------------------------- driver */

static int maintain_locked(store *s, int64_t now, bool everything, st_err *e)
{
    int rc = 0, first = 0;
    st_err local;
    if (!e) e = &local;
    pthread_rwlock_rdlock(&s->dbs_lock);
    size_t n = s->ndbs;
    sdb **dbs = st_malloc((n + 1) * sizeof *dbs);
    for (size_t i = 0; i < n; i++) {
        dbs[i] = s->dbs[i];
        sdb_ref(dbs[i]);
    }
    pthread_rwlock_unlock(&s->dbs_lock);
    bool flushed = false;
    uint64_t before = atomic_load(&s->flushes);
    for (size_t i = 0; i < n; i++) {
        sdb *d = dbs[i];
        int64_t cutoff;
        if (everything) {
            cutoff = INT64_MAX;
        } else {
            int64_t P = s->o.block_duration;
            cutoff = floor_div(now - sdb_memory_window(s, d), P) * P;
        }
        rc = maint_flush_db(s, d, cutoff, e);
        if (rc && !first) first = rc;
        rc = maint_retention_db(s, d, now, e);
        if (rc && !first) first = rc;
        rc = maint_compact_db(s, d, everything ? INT64_MAX / 2 : now, e);
        if (rc && !first) first = rc;
        sdb_unref(s, d);
    }
    st_free(dbs);
    flushed = atomic_load(&s->flushes) != before;
    wal_stats ws;
    wal_get_stats(s->wal, &ws);
    /* Bounded replay: a checkpoint once the segments written since the last
     * one pass wal_checkpoint_bytes. Not the checkpoint's own size: a head that big alone
     * would be rewritten every cycle, its shards locked while it is. */
    if (flushed || everything || ws.disk_bytes - ws.checkpoint_bytes > s->o.wal_checkpoint_bytes) {
        rc = maint_checkpoint(s, e);
        if (rc && !first) first = rc;
        /* a second, small checkpoint drops the emptied series' records too,
         * when the caller wants everything written out (admin flush) */
        if (rc == 0 && maint_gc(s) && everything) {
            rc = maint_checkpoint(s, e);
            if (rc && !first) first = rc;
        }
    }
    return first;
}

int store_maintain(store *s, int64_t now, st_err *e)
{
    pthread_mutex_lock(&s->maint_mu);
    int rc = maintain_locked(s, now, false, e);
    pthread_mutex_unlock(&s->maint_mu);
    return rc;
}

int store_flush_all(store *s, st_err *e)
{
    pthread_mutex_lock(&s->maint_mu);
    int rc = maintain_locked(s, st_now_ns(), true, e);
    pthread_mutex_unlock(&s->maint_mu);
    return rc;
}

void *maint_thread_main(void *arg)
{
    store *s = arg;
    for (;;) {
        pthread_mutex_lock(&s->stop_mu);
        struct timespec ts;
        clock_gettime(CLOCK_REALTIME, &ts);
        int64_t when = (int64_t)ts.tv_sec * ST_NS_PER_S + ts.tv_nsec + s->o.maintenance_interval;
        ts.tv_sec = when / ST_NS_PER_S;
        ts.tv_nsec = when % ST_NS_PER_S;
        while (!s->stopping) {
            if (pthread_cond_timedwait(&s->stop_cv, &s->stop_mu, &ts) == ETIMEDOUT) break;
        }
        bool stop = s->stopping;
        pthread_mutex_unlock(&s->stop_mu);
        if (stop) return NULL;
        st_err e = {0};
        int rc = store_maintain(s, st_now_ns(), &e);
        if (rc) store_log(s, "warn", "maintenance: %s", e.msg);
    }
}
