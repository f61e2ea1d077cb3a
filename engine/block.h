/* block: immutable, time-partitioned blocks on disk (the long-term tier).
 *
 * A block holds the samples of one database for the time range [mint, maxt]
 * (inclusive, ns). It is a directory:
 *   meta      format version, ULID-like id, mint, maxt, counts, level, the
 *             ids of the blocks it was compacted from; checksummed
 *   index     symbol table, label pairs, series (label set as pair refs, meta,
 *             chunk refs); sections zstd-compressed and checksummed. Postings
 *             per label pair are derived from the series at open, not stored
 *   chunks    codec chunks back to back, each followed by its crc32c
 *   tombstones (optional) deleted (series, time range) pairs; rewritten atomically
 *
 * Writes are atomic: the writer builds everything in "<parent>/.tmp-<id>",
 * fsyncs each file and the directory, renames to "<parent>/<id>" and fsyncs
 * the parent. A directory without a valid meta is not a block (the store
 * removes leftovers). Readers load the index into memory and map the chunks (vfs map);
 * a chunk's checksum is verified the first time a query reads it after the
 * block is opened, and on every read by compaction (ST_ECORRUPT, never a
 * crash, on any damage; the decoders check their bounds, so bytes damaged
 * after a query's check cannot crash a later query either). Blocks are reference counted: blk_unref of the last
 * reference unmaps and, if blk_mark_deleted was called, removes the
 * directory, so compaction and retention never free a block under a query.
 *
 * Series ids inside a block are dense 0..n-1 in canonical-key order.
 */
#ifndef ST_BLOCK_H
#define ST_BLOCK_H

#include "codec.h"
#include "index.h"
#include "vfs.h"

typedef struct blk_writer blk_writer;

/* Starts a block for [mint, maxt] under parent_dir. level: 1 for a flush
 * from the head, max(level of sources)+1 for compaction. */
int blk_writer_open(const vfs *v, const char *parent_dir, int64_t mint, int64_t maxt,
                    int level, blk_writer **out, st_err *e);
/* Adds one series with its samples (sorted, strictly increasing ts, all within
 * [mint, maxt]). Series must be added in strictly increasing canonical-key
 * byte order (ST_EINVAL otherwise). n may be 0 (the series is skipped). */
int blk_writer_add(blk_writer *w, const uint8_t *key, size_t keylen, series_meta meta,
                   const int64_t *ts, const uint64_t *vals, const st_slice *strs, size_t n,
                   st_err *e);
/* Records that this block replaces `src_id` (compaction provenance). */
void blk_writer_add_source(blk_writer *w, const char *src_id);
/* Writes index and meta, fsyncs, renames into place. Fills id_out (the
 * directory name, up to 32 chars + NUL). The writer is freed either way. */
int blk_writer_commit(blk_writer *w, char id_out[33], st_err *e);
void blk_writer_abort(blk_writer *w);

typedef struct blk blk;

/* Opens the block directory `dir` (full path). Verifies meta and index
 * checksums; returns ST_ECORRUPT on damage. */
int blk_open(const vfs *v, const char *dir, blk **out, st_err *e);
void blk_ref(blk *b);
void blk_unref(blk *b);
/* After this, the last unref removes the directory. */
void blk_mark_deleted(blk *b);

const char *blk_id(const blk *b);
const char *blk_dir(const blk *b);
int64_t blk_mint(const blk *b);
int64_t blk_maxt(const blk *b);
int blk_level(const blk *b);
uint32_t blk_nseries(const blk *b);
uint64_t blk_nsamples(const blk *b);
uint64_t blk_disk_bytes(const blk *b);
/* Source ids this block was compacted from (for cleanup after a crash
 * during compaction: a source that is still present is deleted). */
size_t blk_nsources(const blk *b);
const char *blk_source(const blk *b, size_t i);

/* Series selection with Prometheus matcher semantics (see index.h). */
int blk_select(blk *b, matcher *const *ms, size_t n, postings *out, st_err *e);
/* Canonical key of series id (borrowed, valid while the block is referenced). */
void blk_series_key(const blk *b, uint32_t id, const uint8_t **key, size_t *len);
series_meta blk_series_meta(const blk *b, uint32_t id);
/* Finds a series by canonical key; ST_ENOTFOUND if absent. */
int blk_find(const blk *b, const uint8_t *key, size_t len, uint32_t *id);
/* Decodes the samples of series id with mint <= ts <= maxt into out
 * (replacing), tombstones applied, every checksum verified again (what
 * compaction reads here it writes under a new checksum). */
int blk_read(blk *b, uint32_t id, int64_t mint, int64_t maxt, codec_samples *out, st_err *e);

/* Chunk metadata, for scans that skip chunks outside their range or answer
 * from statistics. Chunks of a series are in time order and disjoint. In
 * format version 2 blocks, mint is exact and stats are stored per chunk;
 * in version 1 blocks mint is only a lower bound (the previous chunk's
 * maxt + 1, or the block's mint) and stats are all zero (count 0 = unknown). */
typedef struct blk_chunk {
    int64_t mint, maxt;
    bool exact_mint;
    bool ms_aligned;  /* v2: every timestamp is a whole millisecond */
    codec_stats stats;
} blk_chunk;
uint32_t blk_series_nchunks(const blk *b, uint32_t id);
/* The time bounds of chunk i alone, from the index (no chunk page read):
 * for overlap checks. In version 1 blocks mint is a lower bound and, for a
 * one-chunk series, maxt the block's upper bound. */
void blk_chunk_bounds(const blk *b, uint32_t id, uint32_t i, int64_t *mint, int64_t *maxt, bool *exact);
/* Metadata of chunk i (0-based) of series id. May read the chunks file
 * (statistics stored beside the chunk are checksummed with it): 0 or
 * ST_ECORRUPT. */
int blk_chunk_meta(blk *b, uint32_t id, uint32_t i, blk_chunk *out, st_err *e);
/* Decodes chunk i of series id into out (replacing), keeping the samples
 * with mint <= ts <= maxt, tombstones applied. */
int blk_read_chunk(blk *b, uint32_t id, uint32_t i, int64_t mint, int64_t maxt, codec_samples *out,
                   st_err *e);
/* True when a tombstone of series id overlaps [mint, maxt] (statistics of
 * chunks there do not describe what a read returns). */
bool blk_tombstoned(blk *b, uint32_t id, int64_t mint, int64_t maxt);
/* The table index: ids (sorted) of the series whose SQL table is `table`
 * (labels.h: the __name__ prefix of length table_len), borrowed while the
 * block is referenced; *n = 0 when none. */
void blk_table_series(const blk *b, st_slice table, const uint32_t **ids, size_t *n);
/* The distinct tables of the block, sorted, borrowed like the above. */
/* Bounds of the table's chunks in the block, from the index (computed at
 * open): every sample of the table lies in [*lo, *hi]; *lo > *hi when the
 * block holds none of it. */
void blk_table_bounds(const blk *b, st_slice table, int64_t *lo, int64_t *hi);
void blk_tables(const blk *b, const st_slice **tables, size_t *n);
/* Label names / values of the series in `of` (NULL = all), like idx_*. */
void blk_label_names(blk *b, const postings *of, st_slice **out, size_t *n, size_t *cap);
void blk_label_values(blk *b, st_slice name, const postings *of, st_slice **out, size_t *n,
                      size_t *cap);

/* Tombstones: delete [mint, maxt] of the given series ids. Durable (written
 * atomically) before it returns. Reads honour it at once. */
int blk_add_tombstones(blk *b, const uint32_t *ids, size_t n, int64_t mint, int64_t maxt,
                       st_err *e);
bool blk_has_tombstones(const blk *b);

/* Test and fuzzing hook: a block from in-memory images of its files (tomb
 * may be NULL), validated exactly as blk_open validates them. The block
 * borrows `chunks`, which must outlive it, and has no directory: its
 * blk_dir is "<memory>", blk_add_tombstones fails with ST_EINVAL and
 * blk_mark_deleted removes nothing. */
int blk_open_mem(const uint8_t *meta, size_t meta_len, const uint8_t *index, size_t index_len,
                 const uint8_t *chunks, size_t chunks_len, const uint8_t *tomb, size_t tomb_len,
                 blk **out, st_err *e);

#endif
