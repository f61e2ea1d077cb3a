/* head: the in-memory tier of one database.
 *
 * The head is split into shards by series hash; each shard has its own
 * mutex, series map, inverted index (idx) and series table, so that writers
 * on different shards never contend. Callers lock a shard, work on it with
 * the *_locked functions, and unlock; the store does its WAL append inside
 * the same critical section so that, per series, head order == WAL order.
 *
 * Per series, samples live in four places. Invariants:
 *  (1) sealed chunks are codec chunks, time-ordered and pairwise disjoint;
 *  (2) the open buffer holds raw samples, strictly increasing, all later than
 *      every sealed chunk;
 *  (3) the out-of-order buffer holds raw samples, strictly increasing, all
 *      earlier than the open buffer's first sample; on an equal timestamp it
 *      wins over a sealed chunk (it was written later);
 *  (4) frozen chunks hold samples taken out for a flush to disk that is
 *      under way; everything else in the series was written after them, so
 *      it wins on equal timestamps; they are dropped once the block is live.
 * Of two writes of the same timestamp the later one always wins, which is
 * what replaying the WAL in order reproduces.
 *
 * Series ids are local to a shard, dense, never reused while the head lives.
 * A series' ref is its identity in the WAL (assigned by the store).
 */
#ifndef ST_HEAD_H
#define ST_HEAD_H

#include "codec.h"
#include "index.h"

typedef struct head head;
typedef struct hseries hseries;

typedef struct head_opts {
    unsigned nshards;       /* 0 = 2 x online cores */
    unsigned chunk_samples; /* seal the open buffer at this many samples (0 = 120) */
    unsigned ooo_samples;   /* fold the out-of-order buffer in at this many (0 = 64) */
} head_opts;

head *head_new(const head_opts *o);
void head_free(head *h);

unsigned head_nshards(const head *h);
unsigned head_shard_of(const head *h, uint64_t hash);
void head_lock(head *h, unsigned shard);
void head_unlock(head *h, unsigned shard);

/* The series with this canonical key, or NULL. */
hseries *head_get_locked(head *h, unsigned shard, uint64_t hash, const uint8_t *key,
                         size_t keylen);
/* Creates a series (it must not exist). The key is copied. */
hseries *head_create_locked(head *h, unsigned shard, uint64_t hash, const uint8_t *key,
                            size_t keylen, series_meta meta, uint64_t ref);
/* The series with local id, or NULL if it has been removed. */
hseries *head_by_id_locked(head *h, unsigned shard, uint32_t id);

/* Series references: (head epoch, shard, id) names one series of one head
 * instance for as long as it lives, so a writer that remembers it can skip
 * the key lookup. The epoch is unique per head_new in the process (never
 * 0). head_by_ref_locked returns the series only if epoch is this head's,
 * the id is live and the series' key hash is hash; otherwise NULL, and the
 * caller falls back to head_get_locked (the series was removed, re-created
 * under another id, or the reference is from another head). */
uint64_t head_epoch(const head *h);
hseries *head_by_ref_locked(head *h, unsigned shard, uint64_t epoch, uint32_t id, uint64_t hash);
/* Prefetches the shard's series-table slot of id (see head_prefetch). */
void head_prefetch_id(head *h, unsigned shard, uint32_t id);

uint64_t hseries_ref(const hseries *s);
uint32_t hseries_id(const hseries *s);
series_meta hseries_meta(const hseries *s);
void hseries_key(const hseries *s, const uint8_t **key, size_t *len);
size_t hseries_nsamples(const hseries *s); /* all places, duplicates counted once at most per place */
bool hseries_empty(const hseries *s);

/* Appends one sample (val is the bit pattern; str for string series, copied).
 * Returns true if it replaced an existing sample of the same timestamp that
 * was still in a buffer. */
void head_append_locked(head *h, hseries *s, int64_t ts, uint64_t val, st_slice str);

/* Appends of one sample to each of many series are bound by cache misses
 * on the series and on its open buffer. A caller walking a list of series
 * hides them by prefetching ahead: head_prefetch for the series some
 * distance ahead, head_prefetch_buffer for one nearer (its struct has
 * arrived by then). Neither changes anything. */
void head_prefetch(const hseries *s);
/* The same for a lookup of hash in a shard (its map slot). */
void head_prefetch_lookup(head *h, unsigned shard, uint64_t hash);
void head_prefetch_buffer(const hseries *s);

/* Reads the samples of s in [mint, maxt], merged per the invariants, into
 * out (replacing). scratch lists are reused buffers owned by the caller. */
int head_read_locked(head *h, hseries *s, int64_t mint, int64_t maxt, codec_samples *out,
                     codec_samples scratch[3], st_err *e);

/* The same in two steps, for readers of many series: the data of a numeric
 * series in [mint, maxt] copied under the shard lock (chunk bytes and
 * buffered samples, nothing decoded), then read from the copy after the
 * lock is released, so that readers on several threads hold a shard for a
 * copy, not for a decode. A snapshot is reused from series to series by
 * one reader. take returns false for a string series (read it with
 * head_read_locked). */
typedef struct head_snap head_snap;
head_snap *head_snap_new(void);
void head_snap_free(head_snap *sn);
bool head_snap_take_locked(const hseries *s, int64_t mint, int64_t maxt, head_snap *sn);
int head_snap_read(const head_snap *sn, int64_t mint, int64_t maxt, codec_samples *out, codec_samples scratch[3],
                   st_err *e);

/* Deletes samples of s in [mint, maxt] from every place (tombstone applied
 * at once in memory). */
int head_delete_locked(head *h, hseries *s, int64_t mint, int64_t maxt, st_err *e);

/* Flush support. head_freeze_locked moves every sample with ts < cutoff into
 * frozen chunks; head_read_frozen_locked reads them; head_thaw_drop_locked
 * drops them once the block that holds them is live. */
int head_freeze_locked(head *h, hseries *s, int64_t cutoff, st_err *e);
bool hseries_has_frozen(const hseries *s);
int head_read_frozen_locked(head *h, hseries *s, codec_samples *out, st_err *e);
void head_thaw_drop_locked(head *h, hseries *s);

/* Removes an empty series (no samples anywhere) from the shard. Its cost
 * grows with the postings lists it is in: for one or a few series. */
void head_remove_locked(head *h, unsigned shard, hseries *s);

/* Removes every empty series of a shard in bulk, in linear time, with the
 * shard lock NOT held by the caller: it takes and releases the lock itself,
 * between bounded pieces of work, so that writers to the shard wait for a
 * piece at most, not for the whole cleanup. A series is checked for
 * emptiness and removed within one lock hold, so one written to meanwhile
 * stays. on_remove (may be NULL) is called under the lock for each series
 * just before it goes. One cleanup per shard at a time (the store runs it
 * under maint_mu). Returns the number removed.
 *
 * Until it returns, the shard's index may still hold ids of removed series
 * (index.h, bulk removal): head_select_locked leaves them out, and a caller
 * of head_index_locked must skip ids for which head_by_id_locked is NULL. */
size_t head_remove_empty(head *h, unsigned shard, void (*on_remove)(void *ctx, const hseries *s),
                         void *ctx);

/* Selection and exploration over one shard (see index.h). head_select_locked
 * answers live series only. */
int head_select_locked(head *h, unsigned shard, matcher *const *ms, size_t n, postings *out,
                       st_err *e);
/* The live series of one SQL table (the table index, index.h). */
void head_select_table_locked(head *h, unsigned shard, st_slice table, postings *out);
/* a = a & the series of that table (a few selected ids against a table's
 * many: nothing copied). */
void head_filter_table_locked(head *h, unsigned shard, st_slice table, postings *a);
/* Does s hold data in [mint, maxt]? Decided from chunk and buffer bounds,
 * without decoding (a chunk that overlaps counts even if the samples
 * inside it miss the range, as Prometheus decides for /api/v1/series). */
bool hseries_overlaps(const hseries *s, int64_t mint, int64_t maxt);
/* The newest timestamp of s's in-order data (INT64_MIN when none);
 * out-of-order samples are older by construction. Shard lock held. */
int64_t hseries_last_ts(const hseries *s);
/* The time spans [mint, maxt] of the series' parts in memory (sealed and
 * frozen chunks, the open and out-of-order buffers) that overlap [mint,
 * maxt], clipped to it, as pairs into out (at most cap pairs): their
 * count, or more than cap when they did not all fit. Each span holds a
 * sample at both its ends (before clipping). */
size_t hseries_spans(const hseries *s, int64_t mint, int64_t maxt, int64_t *out, size_t cap);
/* The shard's index: its ids may name removed series while a
 * head_remove_empty is under way (see above). */
idx *head_index_locked(head *h, unsigned shard);
/* All series of a shard: ids up to this bound (some may be removed). */
uint32_t head_id_bound_locked(head *h, unsigned shard);

typedef struct head_stats {
    uint64_t series;
    uint64_t chunks;
    uint64_t chunk_bytes;
    uint64_t buffer_samples;
    uint64_t memory_bytes; /* estimate of everything the head holds */
    int64_t mint, maxt;    /* INT64_MAX / INT64_MIN when empty */
} head_stats;

void head_get_stats(head *h, head_stats *out);
/* Bounds that every sample time in memory lies within (lo > hi: none);
 * they may be wider than the data (deletes do not narrow them). */
void head_time_bounds(head *h, int64_t *lo, int64_t *hi);
/* Cheap, lock-free estimate of the memory the head holds. */
uint64_t head_memory(const head *h);
uint64_t head_series_count(const head *h);

#endif
