/* wal: the write-ahead log. Durability of every acknowledged sample rests here.
 *
 * The WAL is a directory of numbered segment files (00000001.wal, ...) and
 * at most one checkpoint file (checkpoint.NNNNNNNN) that stands for every
 * segment numbered below NNNNNNNN. Records are opaque to the WAL: a type byte
 * and a payload that the store defines.
 *
 * Invariants:
 *  (1) wal_sync(lsn) returns 0 only when every record with an lsn <= that lsn
 *      is durable: written and covered by an fsync (mode ALWAYS), or written
 *      to the file (mode INTERVAL: the fsync follows within the interval;
 *      that interval is the loss window on power failure).
 *  (2) Group commit: concurrent callers of wal_sync share one write+fsync.
 *  (3) Replay yields the records in append order: checkpoint first, then the
 *      segments in order. A torn or corrupt tail of the last segment is
 *      truncated at the last good record (counted, logged). Corruption before
 *      the tail of any segment moves that segment aside (renamed *.corrupt)
 *      and counts it, and replay goes on with the next segment; it never
 *      refuses to start.
 *  (4) A failed fsync is fatal: the WAL enters a sticky error state and every
 *      later call returns ST_EFATAL; the server stops and replay recovers.
 *      A failed write (EIO, ENOSPC) is not fatal: the segment is cut back to
 *      its last good length (if that fails too, fatal), the waiting callers
 *      get ST_ENOSPC / ST_EIO, and the unwritten records stay queued in
 *      order and are written first by the next flush. So a successful
 *      wal_sync(lsn) always means every earlier record is durable, and a
 *      record whose caller was refused may still reach the disk later (a
 *      re-send of it is then a no-op). With more than 8 MiB queued this way,
 *      wal_append refuses with the error until space returns.
 *  (5) Lsns are byte positions in a virtual stream that only grows.
 */
#ifndef ST_WAL_H
#define ST_WAL_H

#include "st.h"
#include "crypto.h"
#include "vfs.h"

typedef struct wal wal;

typedef struct wal_opts {
    const vfs *vfs;          /* NULL = vfs_posix() */
    const char *dir;         /* created if missing */
    int64_t fsync_interval;  /* 0 = fsync before every acknowledgement; > 0 = ns between fsyncs */
    size_t segment_size;     /* cut a new segment after this many bytes (0 = 64 MiB) */
    size_t max_record;       /* largest payload accepted (0 = 64 MiB) */
    crypto *keys;            /* set: new files are sealed (wal_seal.h), sealed ones are read; NULL: plain
                              * files only (a sealed one refuses the replay) */
} wal_opts;

typedef struct wal_stats {
    uint64_t bytes_written;     /* since open */
    uint64_t records_written;
    uint64_t fsyncs;
    uint64_t fsync_ns_total;
    uint64_t fsync_hist[12];    /* fsync latency buckets: <=0.1,0.25,0.5,1,2.5,5,10,25,50,100,250 ms,+Inf (non-cumulative) */
    uint64_t segments;          /* segment files present */
    uint64_t disk_bytes;        /* bytes of segments + checkpoint on disk */
    uint64_t checkpoint_bytes;  /* of which the checkpoint's */
    uint64_t replay_records;
    uint64_t replay_ns;
    uint64_t truncated_tails;   /* torn/corrupt tails cut off during replay */
    uint64_t truncated_bytes;
    uint64_t corrupt_segments;  /* segments moved aside */
} wal_stats;

int wal_open(const wal_opts *o, wal **out, st_err *e);

/* Calls cb for every valid record, in order. Must be called once, after open
 * and before the first append. A non-zero return from cb stops replay and is
 * returned. */
typedef int (*wal_replay_fn)(void *ctx, uint8_t type, const uint8_t *p, size_t n);
int wal_replay(wal *w, wal_replay_fn cb, void *ctx, st_err *e);

/* Appends one record to the in-memory tail (thread-safe, no I/O except when
 * the buffer is full) and returns its lsn. The record is not durable until
 * wal_sync(lsn) returns 0. Payloads may be split in two parts (p1 may be
 * NULL/0) to avoid a copy of a header. */
int wal_append(wal *w, uint8_t type, const void *p1, size_t n1, const void *p2, size_t n2,
               uint64_t *lsn, st_err *e);

/* Blocks until lsn is durable per invariant (1). */
int wal_sync(wal *w, uint64_t lsn, st_err *e);

/* Checkpointing: wal_checkpoint_begin cuts a new segment (so that every
 * record appended from now on lies at or after it) and opens a temporary
 * checkpoint file. The caller writes into it (with wal_checkpoint_add) every
 * record still needed to rebuild state that is not yet durable elsewhere, then
 * wal_checkpoint_commit fsyncs and renames it and deletes the segments and
 * the checkpoint it supersedes. wal_checkpoint_abort removes the temporary
 * file. Only one checkpoint at a time (the call returns ST_EEXIST). */
typedef struct wal_ckpt wal_ckpt;
int wal_checkpoint_begin(wal *w, wal_ckpt **out, st_err *e);
int wal_checkpoint_add(wal_ckpt *c, uint8_t type, const void *p, size_t n, st_err *e);
int wal_checkpoint_commit(wal_ckpt *c, st_err *e);
void wal_checkpoint_abort(wal_ckpt *c);

void wal_get_stats(wal *w, wal_stats *out);
/* The sticky error, 0 if none (ST_EFATAL after a failed fsync). */
int wal_error(wal *w);
/* Whether that error is ST_EFATAL, without taking the log's lock (a health
 * check must not wait behind an fsync). */
bool wal_failed(wal *w);

/* Writes and fsyncs what is buffered, then closes. An open checkpoint must
 * be committed or aborted first. Returns the sticky error
 * or the result of the last flush. */
int wal_close(wal *w, st_err *e);

#endif
