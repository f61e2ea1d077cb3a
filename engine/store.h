/* store: the storage engine as the rest of Strata sees it.
 *
 * A store is a data directory holding the catalog of databases, one WAL
 * shared by all of them, and per database a head (memory tier) and blocks
 * (disk tier). Writers hand it batches; readers open a query over one
 * database and a time range and iterate series, merged across head and
 * blocks and de-duplicated by time (the write later in WAL order wins).
 *
 * Durability contract: store_write returns 0 only after the batch's WAL
 * records are durable per the fsync mode (see wal.h, invariant 1).
 *
 * Data directory layout:
 *   catalog                  databases (catalog.h)
 *   wal/                     segments and checkpoint (wal.h)
 *   db/<name>/blocks/<id>/   blocks (block.h)
 *
 * Thread-safety: every function may be called from any thread.
 */
#ifndef ST_STORE_H
#define ST_STORE_H

#include "codec.h"
#include "index.h"
#include "crypto.h"
#include "vfs.h"

typedef struct store store;

typedef struct store_db_override {
    const char *name;
    int64_t retention;
} store_db_override;

typedef void (*store_log_fn)(void *ctx, const char *level, const char *msg);

typedef struct store_opts {
    const vfs *vfs;               /* NULL = vfs_posix(); every file of data_dir goes through it */
    bool reseal_catalog;          /* write the catalog again once loaded (encryption just turned on) */
    crypto *keys;                 /* encryption at rest: the WAL seals its files with them (the other
                                   * files are sealed by vfs, a sealfs.h over the same keys); NULL: none */
    const char *data_dir;
    int64_t retention;            /* ns, 0 = forever (default 30d) */
    int64_t memory_window;        /* ns (default 2h) */
    int64_t block_duration;       /* ns, partition length of flushed blocks (default 2h) */
    int64_t future_limit;         /* ns (default 10m) */
    int64_t wal_fsync_interval;   /* 0 = fsync before every acknowledgement */
    uint64_t wal_checkpoint_bytes; /* checkpoint once segments since the last pass this (default 256 MiB) */
    uint64_t max_series;          /* active series per database, 0 = unlimited */
    uint64_t max_head_bytes;      /* memory of all heads, 0 = unlimited */
    unsigned nshards;             /* 0 = 2 x cores */
    int64_t maintenance_interval; /* ns between background flush/compact/retention; 0 = none */
    const store_db_override *db_overrides; /* retention per database, applied at open */
    size_t ndb_overrides;
    store_log_fn log;             /* NULL = stderr */
    void *log_ctx;
} store_opts;

/* Fills defaults. */
void store_opts_default(store_opts *o);

int store_open(const store_opts *o, store **out, st_err *e);
/* Stops the background thread, syncs and closes the WAL. */
int store_close(store *s, st_err *e);
/* The vfs the store was opened with: whatever else keeps files in the data
 * directory (the server's temporary files) goes through it too. */
const vfs *store_vfs(store *s);

/* ---- databases ---- */
typedef struct store_db_info {
    char name[65];
    int64_t retention;     /* effective, ns, 0 = forever */
    int64_t memory_window; /* effective, ns */
    uint64_t series;       /* active (head) series */
    uint64_t blocks;
    uint64_t block_samples;
    uint64_t block_bytes;
} store_db_info;

/* retention/memory_window: -1 = server default. ST_EEXIST if it exists. */
int store_db_create(store *s, const char *name, int64_t retention, int64_t memory_window,
                    st_err *e);
int store_db_alter(store *s, const char *name, int64_t retention, int64_t memory_window,
                   st_err *e);
int store_db_drop(store *s, const char *name, st_err *e);
bool store_db_exists(store *s, const char *name);
/* Array owned by the caller (st_free). Sorted by name. */
int store_db_list(store *s, store_db_info **out, size_t *n);

/* ---- continuous queries (kept in the catalog; run by the server) ---- */
typedef struct store_cq {
    char db[65];
    char *name;
    char *text; /* the CREATE CONTINUOUS QUERY statement */
} store_cq;

/* ST_ENOTFOUND without the database, ST_EEXIST if the name is taken there
 * by another statement (the same one again changes nothing). */
int store_cq_create(store *s, const char *db, const char *name, const char *text, st_err *e);
/* ST_ENOTFOUND if there is no such query. */
int store_cq_drop(store *s, const char *db, const char *name, st_err *e);
/* Copies of every continuous query, by database then creation; free them
 * with store_cq_list_free. gen (may be NULL) is a counter that moves on
 * every change, so a caller can tell when to list again. */
void store_cq_list(store *s, store_cq **out, size_t *n, uint64_t *gen);
void store_cq_list_free(store_cq *v, size_t n);

/* ---- named objects (kept in the catalog for the fronts: catalog.h) ---- */
typedef struct store_obj {
    char db[65];
    char *name;
    char *text;
} store_obj;

/* Sets kind/name in db ("" for the server's own) to text. ST_ENOTFOUND
 * without the database; with create_only, ST_EEXIST when it exists. The
 * change is on disk when 0 is returned. */
int store_obj_put(store *s, const char *kind, const char *db, const char *name, const char *text, bool create_only,
                  st_err *e);
/* A copy of its text (st_free), or ST_ENOTFOUND. */
int store_obj_get(store *s, const char *kind, const char *db, const char *name, char **text, st_err *e);
/* ST_ENOTFOUND if there is no such object. */
int store_obj_delete(store *s, const char *kind, const char *db, const char *name, st_err *e);
/* Copies of the objects of a kind in db (NULL: every database), sorted by
 * database then name; free with store_obj_list_free. */
void store_obj_list(store *s, const char *kind, const char *db, store_obj **out, size_t *n);
void store_obj_list_free(store_obj *v, size_t n);

/* ---- writing ---- */
typedef struct store_batch store_batch;

store_batch *store_batch_new(void);
void store_batch_reset(store_batch *b);
void store_batch_free(store_batch *b);
/* Adds a series. ls is canonicalised in place (labels.h); the strings are
 * copied into the batch. Returns a handle for store_batch_add. */
int store_batch_series(store_batch *b, label *ls, size_t n, series_meta meta, uint32_t *handle,
                       st_err *e);
/* Adds a series by its canonical key and that key's st_hash64 (seed 0), as
 * a writer's series cache remembers them from an earlier store_batch_series
 * (via store_batch_key): no canonicalisation, no copy of the labels. The
 * key must be canonical; it is copied. */
int store_batch_series_key(store_batch *b, const uint8_t *key, size_t keylen, uint64_t hash,
                           series_meta meta, uint32_t *handle, st_err *e);
/* A reference to a head series as store_write found it, for a writer's
 * series cache: given back with the same key, it lets the next write skip
 * the head's key lookup. Opaque; all zero = none. A reference can go stale
 * (the series left memory, the database was dropped, or it is another
 * database's): store_write detects that and looks the key up as usual, so
 * a stale reference costs time, never a wrong series. */
typedef struct store_series_ref {
    uint64_t epoch;
    uint32_t shard, id;
} store_series_ref;

/* store_batch_series_key with the reference the caller remembers for this
 * key (from store_batch_ref after an earlier write of the same key). It must
 * have been obtained for this very key; ref may be NULL. */
int store_batch_series_key_ref(store_batch *b, const uint8_t *key, size_t keylen, uint64_t hash,
                               series_meta meta, const store_series_ref *ref, uint32_t *handle,
                               st_err *e);
/* store_batch_series_key_ref without copying the key: the batch keeps the
 * pointer, so the caller keeps the bytes alive and unchanged until the
 * batch is reset or freed. For a writer's cache whose entries outlive the
 * write (a copy per series costs more than the rest of a cached lookup). */
int store_batch_series_borrowed(store_batch *b, const uint8_t *key, size_t keylen, uint64_t hash,
                                series_meta meta, const store_series_ref *ref, uint32_t *handle,
                                st_err *e);
/* After store_write: the head series that the handle's samples went to, or
 * all zero if none was stored (rejected, or the write failed first). */
void store_batch_ref(const store_batch *b, uint32_t handle, store_series_ref *out);
/* The canonical key and hash of a handle (valid until the batch is reset). */
void store_batch_key(const store_batch *b, uint32_t handle, const uint8_t **key, size_t *keylen,
                     uint64_t *hash);
void store_batch_add(store_batch *b, uint32_t handle, int64_t ts, uint64_t val);
void store_batch_add_str(store_batch *b, uint32_t handle, int64_t ts, st_slice str);
size_t store_batch_samples(const store_batch *b);

typedef struct store_write_result {
    uint64_t accepted;
    uint64_t rejected;
    int first_code;       /* code of the first rejection */
    char first_error[256];
} store_write_result;

/* Writes a batch into database db (which must exist). Samples that cannot
 * be stored (type conflict, timestamp out of range) are rejected one by one
 * and counted; the others are stored. Returns 0 if every sample was stored,
 * the code of the first rejection if some were not (with its message), or a
 * storage error (ST_ENOSPC, ST_EIO, ST_EFATAL, ST_ELIMIT, ST_ENOTFOUND) in
 * which case nothing of the batch is acknowledged. */
int store_write(store *s, const char *db, store_batch *b, store_write_result *res, st_err *e);

/* Deletes samples in [mint, maxt] of the series matching ms. Durable when
 * it returns. *nseries = series affected. */
int store_delete(store *s, const char *db, matcher *const *ms, size_t n, int64_t mint,
                 int64_t maxt, uint64_t *nseries, st_err *e);
/* The same for the series whose canonical keys (labels_key) are keys[0..n),
 * exactly those (no wider label set): one WAL record and one fsync per head
 * shard, however many series, where a store_delete per series would fsync
 * each. Keys of unknown series are skipped. */
int store_delete_series(store *s, const char *db, const st_slice *keys, size_t nkeys, int64_t mint,
                        int64_t maxt, uint64_t *nseries, st_err *e);

/* ---- maintenance ---- */
/* Writes all head data of every database into blocks and checkpoints the WAL.
 * Durable when it returns. */
int store_flush_all(store *s, st_err *e);
/* One round of what the background thread does (flush old data, compact,
 * apply retention, checkpoint). now_ns lets tests move time. */
int store_maintain(store *s, int64_t now_ns, st_err *e);

/* ---- reading ---- */
/* Reads go through the query layer, scan.h (scan.c is the fourth file of
 * this module and shares store_int.h). */

/* ---- observability ---- */
typedef struct store_stats {
    uint64_t samples_appended;
    uint64_t samples_rejected[8]; /* by reason, see store_reject_reason_name */
    uint64_t series_created;
    uint64_t series_clashes;      /* same identity written with another table/column */
    uint64_t active_series;
    uint64_t head_chunks, head_chunk_bytes, head_memory_bytes;
    uint64_t blocks, block_bytes, block_samples;
    uint64_t compactions, flushes, retention_deletions;
    uint64_t wal_bytes_written, wal_disk_bytes, wal_segments, wal_fsyncs;
    uint64_t wal_fsync_hist[12];
    uint64_t wal_fsync_ns_total;
    uint64_t wal_truncated_tails, wal_corrupt_segments;
    uint64_t replay_ns, replay_records;
    uint64_t block_corruptions;
    uint64_t databases;
    /* reads (scan.h) */
    uint64_t scans, scan_series, scan_samples_decoded, scan_chunks_decoded, scan_chunks_by_stats;
} store_stats;

const char *store_reject_reason_name(int i); /* NULL past the last */
void store_get_stats(store *s, store_stats *out);
/* True while writes are refused because the disk is full. */
bool store_disk_full(store *s);
/* True once an fsync of the WAL failed (ST_EFATAL): the state on disk is
 * unknown, every write is refused, and the process must stop so that
 * replay recovers a known state. Never cleared. */
bool store_failed(store *s);

#endif
