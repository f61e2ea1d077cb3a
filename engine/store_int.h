/* store_int: the store's internals, shared by store.c (open, replay, write
 * path, databases), maint.c (flush, compaction, retention, checkpoint) and
 * scan.c (reads). Nothing outside these three files includes it.
 *
 * Locking order (never take an earlier lock while holding a later one):
 *   maint_mu -> dbs_lock -> sdb.view_lock -> sdb.blocks_mu -> head shard -> wal
 * view_lock is never held while a client is answered (see scan.c).
 */
#ifndef ST_STORE_INT_H
#define ST_STORE_INT_H

#include <limits.h>
#include <pthread.h>
#include <stdatomic.h>

#include "block.h"
#include "catalog.h"
#include "head.h"
#include "store.h"
#include "wal.h"

/* WAL record types (payload layouts in store.c). */
enum { REC_SERIES = 1, REC_SAMPLES = 2, REC_DELETE = 3 };

enum {
    REJ_TYPE_CONFLICT = 0,
    REJ_TOO_OLD = 1,
    REJ_TOO_NEW = 2,
    REJ_SERIES_LIMIT = 3,
    REJ_INVALID = 4,
    REJ_STORAGE = 5,
    REJ_MEMORY_LIMIT = 6,
    REJ_COUNT = 7,
};

typedef struct sdb {
    uint32_t id;
    char name[CATALOG_NAME_MAX + 1];
    int64_t retention;     /* as in the catalog: -1 = default */
    int64_t memory_window; /* -1 = default */
    char dir[PATH_MAX];    /* <data>/db/<name> */
    char blocks_dir[PATH_MAX];
    head *head;
    /* Queries hold it shared while they pin blocks, collect series and read
     * one series; a flush takes it exclusive only to swap frozen head data
     * for the block that now holds it. */
    pthread_rwlock_t view_lock;
    _Atomic uint64_t gen; /* bumped by each flush swap (under view_lock held exclusively) */
    pthread_mutex_t blocks_mu;
    blk **blocks; /* sorted by mint, then id (creation order) */
    size_t nblocks, capblocks;
    _Atomic int refs;
    _Atomic bool dropped;
    /* Value types of series that are in blocks but not in the head, by key
     * hash: a series written again after its data left memory keeps its
     * type (InfluxDB's field type conflict). Filled from the blocks at open
     * and when series leave the head; a leaf lock. */
    pthread_mutex_t types_mu;
    uint64_t *types; /* hash << 3 | type; 0 = empty */
    size_t ntypes, captypes;
    /* Moves whenever the set of series may change (a series created, a
     * block added or removed, a delete), so that what is derived from the
     * series alone (scan_table_schema) can be kept until it moves. */
    _Atomic uint64_t series_gen;
    pthread_mutex_t schema_mu;
    struct schema_memo *memo; /* scan.c's */
    size_t nmemo, capmemo;
    struct tagset_memo *tsmemo; /* scan.c's: scan_table_tagsets, under schema_mu */
    size_t ntsmemo;
} sdb;

/* Frees what scan.c keeps in the database (scan_table_schema's memo). */
void scan_memo_free(sdb *d);

/* Remembers (or looks up, 0 = unknown) the type of a series by key hash. */
void sdb_type_put(sdb *d, uint64_t hash, uint8_t type);
uint8_t sdb_type_get(sdb *d, uint64_t hash);

struct store {
    store_opts o;
    char *data_dir;
    char wal_dir[PATH_MAX];
    const vfs *vfs;
    wal *wal;
    int lock_fd; /* flock on <data>/LOCK while open */
    pthread_mutex_t cat_mu; /* catalog changes */
    _Atomic uint64_t cq_gen; /* moves on every change of the continuous queries */
    catalog cat;
    pthread_rwlock_t dbs_lock;
    sdb **dbs;
    size_t ndbs, capdbs;
    _Atomic uint64_t next_ref;
    _Atomic bool disk_full;
    _Atomic int fatal;
    pthread_mutex_t maint_mu; /* one flush/compaction/checkpoint at a time */
    pthread_t maint_thread;
    bool maint_running;
    pthread_mutex_t stop_mu;
    pthread_cond_t stop_cv;
    bool stopping;
    /* counters */
    _Atomic uint64_t samples_appended, series_created, series_clashes;
    _Atomic uint64_t rejected[REJ_COUNT];
    _Atomic uint64_t compactions, flushes, retention_deletions, block_corruptions;
    _Atomic uint64_t scans, scan_series, scan_samples, scan_chunks_decoded, scan_chunks_by_stats;
    uint64_t replay_ns, replay_records;
};

void store_log(store *s, const char *level, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

int64_t sdb_retention(const store *s, const sdb *d);
int64_t sdb_memory_window(const store *s, const sdb *d);
void sdb_ref(sdb *d);
void sdb_unref(store *s, sdb *d);
/* Finds a database and takes a reference; NULL if absent. */
sdb *store_db_get(store *s, const char *name);

/* Blocks of a database (blocks_mu held by the caller for the array). */
void sdb_add_block_locked(sdb *d, blk *b);
void sdb_remove_block_locked(sdb *d, blk *b);

/* WAL payload encoders shared by the write path and the checkpoint. */
void rec_series(st_buf *b, uint32_t db_id, uint64_t ref, series_meta m, const uint8_t *key,
                size_t keylen);
/* SAMPLES record with samples [from, to) of one series: appends to b. */
void rec_samples_one(st_buf *b, uint32_t db_id, uint64_t ref, uint8_t type,
                     const codec_samples *smp, size_t from, size_t to);

/* maint.c */
int maint_flush_db(store *s, sdb *d, int64_t cutoff, st_err *e);
int maint_compact_db(store *s, sdb *d, int64_t now, st_err *e);
int maint_retention_db(store *s, sdb *d, int64_t now, st_err *e);
int maint_checkpoint(store *s, st_err *e);
int maint_load_blocks(store *s, sdb *d, st_err *e);
void *maint_thread_main(void *arg);

#endif
