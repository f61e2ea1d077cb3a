/* wal: the write-ahead log. The contract is in wal.h; this file adds the
 * on-disk format, the recovery policy and the concurrency design.
 *
 * FILES. A directory of segments NNNNNNNN.wal (decimal, at least 8 digits,
 * numbered upwards without gaps), at most one checkpoint.NNNNNNNN, and what
 * replay set aside: *.corrupt files (evidence of damage, never read back).
 * *.tmp files are unfinished writes and are deleted at open.
 *
 * FILE HEADER (24 bytes), the same layout for segments and checkpoints:
 *   u32 magic     "SWAL" (0x4c415753) for segments, "SCKP" (0x504b4353) for checkpoints
 *   u32 version   1
 *   u32 number    the N of the file's name (catches a file copied under another name)
 *   u64 base_lsn  lsn at the start of the segment (checkpoint N: that of segment N)
 *   u32 crc32c    of the 20 bytes before it
 * All integers are little-endian.
 *
 * RECORD (9-byte frame + payload), back to back after the file header:
 *   u32 len       payload bytes
 *   u32 crc       crc32c(len as 4 LE bytes || type || payload)
 *   u8  type
 *   u8  payload[len]
 * A record is valid iff its 9 frame bytes and its len payload bytes lie inside
 * the file and crc matches. The crc covers the length, so a flipped length is
 * caught; a zero-filled tail fails it too (the crc32c of five zero bytes is
 * not zero). max_record is not applied on replay, so that a smaller limit in a
 * later run cannot turn good records into damage. Records never span
 * segments. A record's lsn is the stream position of its end.
 *
 * CHECKPOINT FOOTER (12 bytes) after its last record:
 *   u32 magic "SEND" (0x444e4553), u32 record count, u32 crc32c of the 8 bytes before.
 * A checkpoint is complete iff header, records and footer are valid and the
 * count matches. It is written as checkpoint.N.tmp and renamed after an
 * fsync, so an incomplete checkpoint.N is damage, never a crash artefact.
 *
 * RECOVERY (wal_replay). The newest checkpoint whose header is valid is
 * replayed first, then every segment numbered >= its N (all segments when there
 * is none). While scanning a file, a bad record at offset X is classified:
 *  - if its length field is plausible and a valid record starts right after
 *    it, the damage is confined to that record: "corruption", and the scan
 *    goes on from the next record (one record lost, later ones kept);
 *  - otherwise nothing after X can be trusted: in the last segment this is a
 *    torn tail (the normal result of a crash during a write), anywhere else it
 *    is corruption and the rest of the file is lost.
 * A torn tail is cut off with ftruncate (+ fsync, so that the garbage cannot
 * come back behind a newer segment), counted and logged. A corrupt file is
 * copied to *.corrupt and then rewritten, through a .tmp and a rename, with
 * only its valid records. The header asks to "rename it aside"; a bare rename
 * would silently drop its valid records on the *next* restart, which is
 * worse than the damage, so the salvaged file takes its place. A file whose
 * own header is bad is renamed to *.corrupt whole (except the last segment
 * when it is shorter than a header or all zeros: a crash while creating it,
 * before any record could be acknowledged; it is removed and counted as a
 * torn tail).
 * A bad checkpoint header makes replay fall back to the next older checkpoint
 * (or to the segments alone); damage inside a checkpoint is salvaged like a
 * segment, and both count in corrupt_segments. Replay fails only for I/O
 * errors, and for files of a newer format version (never destroy data a
 * newer build wrote).
 *
 * After replay, appends go to a NEW segment, created on the first write: a
 * process never appends behind a tail that an earlier run may have torn.
 * Lsns continue from the end of the replayed data; they are compared only
 * within one process (records still queued behind a failed write when a
 * process ends were never acknowledged and leave no bytes).
 *
 * CONCURRENCY. mu guards the append buffer and the lsn counters; appenders
 * take it for a memcpy (the crc is computed before). A flush is done by one
 * "leader" at a time (flushing == true): it swaps the full buffer with the
 * empty spare, drops mu, writes with pwrite (explicit offsets, so a failed
 * write can be truncated away and overwritten), fdatasyncs if asked, then
 * retakes mu, publishes written_lsn/synced_lsn and broadcasts cv. Everything
 * about the open segment (fd, seg_len, dirty, ...) belongs to the leader.
 * wal_sync callers whose lsn is not yet covered either wait on cv or become
 * the next leader, so one fsync covers everything appended meanwhile.
 * A failed write (ENOSPC, EIO) is cut back off the file; its records and all
 * after them stay queued, in order, and the next flush rewrites them first.
 * wal_sync callers whose lsn it did not reach get its error; once the disk
 * takes writes again, everything goes out in order, so an acknowledged lsn
 * always implies every record before it (see lead()). Appends are refused
 * with the error when more than PEND_MAX bytes wait (each such append first
 * tries one flush, so the log un-sticks itself when space returns).
 *
 * ERRORS. Every fsync of a segment or of the directory on the write path is
 * fatal when it fails (the PostgreSQL rule: the kernel may have dropped the
 * dirty pages, a retry could "succeed" over lost data). A failed fsync of a
 * checkpoint's .tmp file is not: the file is discarded and the segments it
 * would have replaced stay, so commit just returns ST_EIO.
 *
 * INTERVAL MODE (fsync_interval > 0): wal_sync returns once the records are
 * written (in the page cache), without an fsync. A background thread fsyncs
 * when something is unsynced and the last fsync is older than the interval,
 * and a leader that finds the last fsync older than the interval fsyncs
 * itself, so the bound holds even when the background thread is starved.
 */
#include "wal.h"

#include "bits.h"
#include "wal_seal.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define SEG_MAGIC 0x4c415753u  /* "SWAL" */
#define CKPT_MAGIC 0x504b4353u /* "SCKP" */
#define END_MAGIC 0x444e4553u  /* "SEND" */
#define WAL_VERSION 1u
#define FILE_HDR 24
#define REC_HDR 9
#define FOOTER 12
#define BUF_CAP ((size_t)1 << 20) /* each of the two append buffers */
#define PEND_MAX ((size_t)8 << 20) /* unwritten bytes after which appends are refused */
#define DEF_SEGMENT ((size_t)64 << 20)
#define DEF_RECORD ((size_t)64 << 20)

typedef struct seginfo {
    uint32_t no;
    uint64_t size;
} seginfo;

struct wal {
    const vfs *v;
    crypto *keys;  /* sealed files (wal_seal.h) when set */
    size_t hdr_len; /* of the files this process writes: FILE_HDR, or WAL_SEAL_HDR */
    char *dir;
    int dirfd;
    int64_t interval;
    size_t seg_size, max_record;

    pthread_mutex_t mu;
    pthread_cond_t cv;    /* a flush finished */
    pthread_cond_t bg_cv; /* wakes the interval fsync thread (CLOCK_MONOTONIC) */
    pthread_t bg;
    bool bg_started, stop;

    /* under mu */
    uint8_t *cur, *spare;
    size_t cur_len;
    uint64_t next_lsn, written_lsn, synced_lsn;
    bool flushing, closing, replayed, appended, ckpt_active;
    int fatal;
    _Atomic bool failed;     /* fatal, readable without the lock */
    char errmsg[ST_ERR_MSG]; /* message of the fatal error or of the last failed flush */
    uint64_t fail_gen;       /* counts failed flushes */
    int fail_code;           /* ST_ENOSPC or ST_EIO of the last one */
    size_t pend_len;         /* mirror of pend.len for appenders */
    int64_t last_fsync_ns;
    wal_stats st;
    seginfo *segs; /* segment files present, ascending */
    size_t nsegs, capsegs;
    uint32_t *ckpts; /* checkpoint numbers present, ascending */
    size_t nckpts, capckpts;
    uint64_t ckpt_size;
    uint32_t max_aside; /* highest number of a *.wal.corrupt, never reused */

    /* owned by the leader */
    int fd; /* open segment, -1 until the first write */
    wal_seal *seal; /* its sealing, when keys are set */
    st_buf frame;   /* a write being sealed */
    uint32_t seg_no, next_seg;
    uint64_t seg_len;
    bool dirty;      /* written since the last fsync of fd */
    bool cut_failed; /* a new segment could not be made in this flush: stay put */
    uint64_t lead_recs, lead_bytes;
    st_buf pend; /* records (from lsn written_lsn on) whose write failed: next flush writes them first */
};

struct wal_ckpt {
    wal *w;
    uint32_t no;
    wal_seal *seal;
    st_buf frame;
    int fd, err;
    uint64_t off;
    uint32_t count;
    st_buf buf;
    char path[PATH_MAX], tmp[PATH_MAX + 8];
};

static void wal_log(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void wal_log(const char *fmt, ...)
{
    char line[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(line, sizeof line, fmt, ap);
    va_end(ap);
    fprintf(stderr, "wal: %s\n", line);
}

static void seg_path(const wal *w, uint32_t no, char *out)
{
    snprintf(out, PATH_MAX, "%s/%08" PRIu32 ".wal", w->dir, no);
}
static void ckpt_path(const wal *w, uint32_t no, char *out)
{
    snprintf(out, PATH_MAX, "%s/checkpoint.%08" PRIu32, w->dir, no);
}

static void put_file_hdr(uint8_t *h, uint32_t magic, uint32_t no, uint64_t base, bool sealed)
{
    put_u32le(h, magic);
    put_u32le(h + 4, sealed ? WAL_SEAL_VERSION : WAL_VERSION);
    put_u32le(h + 8, no);
    put_u64le(h + 12, base);
    put_u32le(h + 20, crc32c(0, h, 20));
}

enum { HDR_OK, HDR_BAD, HDR_NEWER };
static int check_file_hdr(const uint8_t *b, size_t n, uint32_t magic, uint32_t no, uint64_t *base)
{
    if (n < FILE_HDR || get_u32le(b) != magic || crc32c(0, b, 20) != get_u32le(b + 20) ||
        get_u32le(b + 8) != no)
        return HDR_BAD;
    if (get_u32le(b + 4) > WAL_SEAL_VERSION) return HDR_NEWER;
    if (get_u32le(b + 4) != WAL_VERSION && get_u32le(b + 4) != WAL_SEAL_VERSION) return HDR_BAD;
    *base = get_u64le(b + 12);
    return HDR_OK;
}

static void put_footer(uint8_t *f, uint32_t count)
{
    put_u32le(f, END_MAGIC);
    put_u32le(f + 4, count);
    put_u32le(f + 8, crc32c(0, f, 8));
}

/* Size of the valid record at off, or 0. */
static size_t rec_valid(const uint8_t *b, size_t end, size_t off)
{
    if (end - off < REC_HDR) return 0;
    uint32_t n = get_u32le(b + off);
    if (n > end - off - REC_HDR) return 0;
    uint32_t c = crc32c(crc32c(0, b + off, 4), b + off + 8, 1 + (size_t)n);
    return c == get_u32le(b + off + 4) ? REC_HDR + (size_t)n : 0;
}

static void fsync_hist(wal_stats *s, int64_t ns)
{
    static const int64_t limit_us[11] = {100, 250, 500, 1000, 2500, 5000,
                                         10000, 25000, 50000, 100000, 250000};
    int i = 0;
    while (i < 11 && ns > limit_us[i] * 1000) i++;
    s->fsync_hist[i]++;
    s->fsyncs++;
    s->fsync_ns_total += (uint64_t)ns;
}

/* fsync through the vfs, timed. Called without mu. */
static int do_fsync(wal *w, int fd, bool data)
{
    int64_t t0 = st_mono_ns();
    int rc = w->v->fsync(w->v, fd);
    int64_t t1 = st_mono_ns();
    pthread_mutex_lock(&w->mu);
    fsync_hist(&w->st, t1 - t0);
    if (data && rc == 0) w->last_fsync_ns = t0;
    pthread_mutex_unlock(&w->mu);
    return rc;
}

static int fsync_failed(uint32_t no, const char *dir, int rc, st_err *e)
{
    return st_fail(e, ST_EFATAL, "wal: fsync of segment %08" PRIu32 " in %s failed (%s); the log "
                   "state is unknown, restart to replay it", no, dir, strerror(-rc));
}

/* ---- the file list (under mu) ---- */

static void segs_add(wal *w, uint32_t no, uint64_t size)
{
    if (w->nsegs == w->capsegs) {
        w->capsegs = w->capsegs ? 2 * w->capsegs : 16;
        w->segs = st_realloc(w->segs, w->capsegs * sizeof *w->segs);
    }
    size_t i = w->nsegs++;
    while (i > 0 && w->segs[i - 1].no > no) {
        w->segs[i] = w->segs[i - 1];
        i--;
    }
    w->segs[i].no = no;
    w->segs[i].size = size;
}

static seginfo *segs_find(wal *w, uint32_t no)
{
    for (size_t i = w->nsegs; i-- > 0;)
        if (w->segs[i].no == no) return &w->segs[i];
    return NULL;
}

static void segs_del(wal *w, uint32_t no)
{
    seginfo *s = segs_find(w, no);
    if (!s) return;
    size_t i = (size_t)(s - w->segs);
    memmove(s, s + 1, (w->nsegs - i - 1) * sizeof *s);
    w->nsegs--;
}

static void ckpts_add(wal *w, uint32_t no)
{
    if (w->nckpts == w->capckpts) {
        w->capckpts = w->capckpts ? 2 * w->capckpts : 4;
        w->ckpts = st_realloc(w->ckpts, w->capckpts * sizeof *w->ckpts);
    }
    size_t i = w->nckpts++;
    while (i > 0 && w->ckpts[i - 1] > no) {
        w->ckpts[i] = w->ckpts[i - 1];
        i--;
    }
    w->ckpts[i] = no;
}

/* ---- the write side (leader only) ---- */

typedef struct piece {
    const void *p;
    size_t n;
} piece;

/* Appends pieces at the end of the open segment. On failure the segment is
 * cut back to its length before the call so no partial record stays behind;
 * if even that fails the state is unknown: fatal. */
static int seg_write(wal *w, const piece *pc, int npc, st_err *e)
{
    uint64_t off = w->seg_len;
    int rc = 0;
    piece sealed;
    if (w->seal) { /* the pieces as one frame: whole records under one seal */
        st_buf plain = {0};
        for (int i = 0; i < npc; i++) st_buf_put(&plain, pc[i].p, pc[i].n);
        w->frame.len = 0;
        rc = plain.len ? wal_seal_frame(w->seal, plain.p, plain.len, &w->frame, e) : 0;
        st_buf_free(&plain);
        if (rc) return rc;
        sealed = (piece){w->frame.p, w->frame.len};
        pc = &sealed;
        npc = 1;
    }
    for (int i = 0; i < npc && rc == 0; i++) {
        if (!pc[i].n) continue;
        rc = vfs_pwrite_all(w->v, w->fd, pc[i].p, pc[i].n, (off_t)off);
        off += pc[i].n;
    }
    if (rc == 0) {
        if (off == w->seg_len) return 0; /* nothing written: not dirty (fd may be -1) */
        w->lead_bytes += off - w->seg_len;
        w->seg_len = off;
        w->dirty = true;
        return 0;
    }
    int tr = w->v->ftruncate(w->v, w->fd, (off_t)w->seg_len);
    if (tr < 0)
        return st_fail(e, ST_EFATAL, "wal: writing segment %08" PRIu32 " in %s failed (%s) and "
                       "cutting it back failed too (%s)", w->seg_no, w->dir, strerror(-rc),
                       strerror(-tr));
    return st_fail(e, st_from_errno(rc), "wal: writing segment %08" PRIu32 " in %s: %s",
                   w->seg_no, w->dir, strerror(-rc));
}

/* Finishes the open segment (fsync) and starts the next one, whose header and
 * directory entry are made durable before any record goes into it. If the new
 * file cannot be created the old segment stays open and takes the records. */
static int rotate(wal *w, uint64_t base, st_err *e)
{
    char path[PATH_MAX];
    uint32_t no = w->next_seg;
    int rc;
    if (w->fd >= 0 && w->dirty) {
        if ((rc = do_fsync(w, w->fd, true)) < 0) return fsync_failed(w->seg_no, w->dir, rc, e);
        w->dirty = false;
    }
    seg_path(w, no, path);
    int fd = w->v->open(w->v, path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (fd < 0) return st_fail(e, st_from_errno(fd), "wal: creating %s: %s", path, strerror(-fd));
    uint8_t h[WAL_SEAL_HDR];
    put_file_hdr(h, SEG_MAGIC, no, base, w->keys != NULL);
    wal_seal *seal = NULL;
    if (w->keys && (rc = wal_seal_begin(w->keys, strrchr(path, '/') + 1, WAL_SEAL_SEGMENT, h, h, &seal, e))) {
        w->v->close(w->v, fd);
        w->v->unlink(w->v, path);
        return rc;
    }
    rc = vfs_pwrite_all(w->v, fd, h, w->hdr_len, 0);
    if (rc < 0) {
        wal_seal_free(seal);
        w->v->close(w->v, fd);
        w->v->unlink(w->v, path);
        return st_fail(e, st_from_errno(rc), "wal: writing %s: %s", path, strerror(-rc));
    }
    if ((rc = do_fsync(w, fd, false)) < 0 || (rc = do_fsync(w, w->dirfd, false)) < 0) {
        wal_seal_free(seal);
        w->v->close(w->v, fd);
        return fsync_failed(no, w->dir, rc, e);
    }
    if (w->fd >= 0) w->v->close(w->v, w->fd);
    wal_seal_free(w->seal);
    w->seal = seal;
    w->fd = fd;
    w->seg_no = no;
    w->next_seg = no + 1;
    w->seg_len = w->hdr_len;
    w->dirty = false;
    w->lead_bytes += w->hdr_len;
    pthread_mutex_lock(&w->mu);
    segs_add(w, no, w->hdr_len);
    pthread_mutex_unlock(&w->mu);
    return 0;
}

/* Whether a record of rl bytes, after pending bytes not yet written, needs a
 * new segment. A record alone in its segment may exceed the size. */
static bool must_cut(const wal *w, uint64_t pending, uint64_t rl)
{
    uint64_t used = w->seg_len + pending;
    return w->fd < 0 || (!w->cut_failed && used + rl > w->seg_size && used > w->hdr_len);
}

/* Writes framed records b[0..n), the first starting at lsn lo, in runs that
 * fit the segment size. *done is how many bytes were written, all of them or
 * those before the run that failed. */
static int write_recs(wal *w, const uint8_t *b, size_t n, uint64_t lo, size_t *done, st_err *e)
{
    size_t run = 0, off = 0;
    uint64_t recs = 0;
    int rc;
    *done = 0;
    if (!n) return 0;
    while (off < n) {
        size_t rl = REC_HDR + get_u32le(b + off);
        if (must_cut(w, off - run, rl)) {
            piece pc = {b + run, off - run};
            if (w->fd >= 0 && (rc = seg_write(w, &pc, 1, e)) != 0) return rc;
            w->lead_recs += recs;
            recs = 0;
            *done = run = off;
            if ((rc = rotate(w, lo + off, e)) != 0) {
                if (rc == ST_EFATAL || w->fd < 0) return rc;
                wal_log("%s; staying in segment %08" PRIu32, e->msg, w->seg_no);
                w->cut_failed = true;
            }
        }
        off += rl;
        recs++;
    }
    piece pc = {b + run, n - run};
    if ((rc = seg_write(w, &pc, 1, e)) != 0) return rc;
    w->lead_recs += recs;
    *done = n;
    return 0;
}

typedef struct direct { /* a record too large for the buffer, written from the caller's memory */
    uint8_t hdr[REC_HDR];
    const void *p1, *p2;
    size_t n1, n2;
    uint64_t lsn;
} direct;

static int write_direct(wal *w, const direct *d, uint64_t lo, st_err *e)
{
    int rc;
    if (must_cut(w, 0, REC_HDR + d->n1 + d->n2) && (rc = rotate(w, lo, e)) != 0) {
        if (rc == ST_EFATAL || w->fd < 0) return rc;
        wal_log("%s; staying in segment %08" PRIu32, e->msg, w->seg_no);
    }
    piece pc[3] = {{d->hdr, REC_HDR}, {d->p1, d->n1}, {d->p2, d->n2}};
    if ((rc = seg_write(w, pc, 3, e)) == 0) w->lead_recs++;
    return rc;
}

enum { LEAD_FSYNC = 1, LEAD_ROTATE = 2 };

/* Called with mu held and no leader; returns with mu held. Writes what an
 * earlier failed flush left pending, then the buffer, then d (if given);
 * fsyncs if asked or if the interval elapsed; cuts a new segment on
 * LEAD_ROTATE; publishes the result.
 *
 * Records whose write fails are not dropped: they stay pending, in order, and
 * every later flush writes them first. Dropping them would let a later
 * wal_sync succeed over a hole, e.g. over the lost series record that the
 * acknowledged sample records after it need. The price is that a record
 * whose caller was told ENOSPC may still reach the disk once space returns:
 * an unacknowledged write becoming durable, which any crash can do too. */
static int lead(wal *w, int flags, direct *d)
{
    w->flushing = true;
    uint8_t *batch = w->cur;
    size_t blen = w->cur_len;
    w->cur = w->spare;
    w->cur_len = 0;
    uint64_t lo = w->written_lsn, blo = lo + w->pend.len, dlo = blo + blen;
    if (d) d->lsn = w->next_lsn += REC_HDR + d->n1 + d->n2;
    uint64_t hi = w->next_lsn;
    bool want_fsync = (flags & LEAD_FSYNC) ||
                      (w->interval > 0 && st_mono_ns() - w->last_fsync_ns >= w->interval);
    pthread_mutex_unlock(&w->mu);

    st_err e = {0};
    size_t pdone = 0, bdone = 0;
    bool ddone = !d;
    w->cut_failed = false;
    int rc = write_recs(w, w->pend.p, w->pend.len, lo, &pdone, &e);
    if (rc == 0) rc = write_recs(w, batch, blen, blo, &bdone, &e);
    if (rc == 0 && d) ddone = (rc = write_direct(w, d, dlo, &e)) == 0;
    if (rc == 0) {
        w->pend.len = 0;
    } else if (rc != ST_EFATAL) { /* keep the unwritten rest, in order */
        st_buf *p = &w->pend;
        if (pdone) memmove(p->p, p->p + pdone, p->len - pdone);
        p->len -= pdone;
        st_buf_put(p, batch + bdone, blen - bdone);
        if (!ddone) {
            st_buf_put(p, d->hdr, REC_HDR);
            if (d->n1) st_buf_put(p, d->p1, d->n1);
            if (d->n2) st_buf_put(p, d->p2, d->n2);
        }
    }
    if (rc != ST_EFATAL && want_fsync && w->dirty) {
        int frc = do_fsync(w, w->fd, true);
        if (frc < 0) rc = fsync_failed(w->seg_no, w->dir, frc, &e);
        else w->dirty = false;
    }
    if (rc == 0 && (flags & LEAD_ROTATE) && (w->fd < 0 || w->seg_len > w->hdr_len))
        rc = rotate(w, hi, &e);

    pthread_mutex_lock(&w->mu);
    if (rc == ST_EFATAL) {
        w->fatal = ST_EFATAL;
        atomic_store(&w->failed, true);
        fprintf(stderr, "%s\n", e.msg);
    } else if (rc) {
        w->fail_gen++;
        w->fail_code = rc;
    }
    if (rc) memcpy(w->errmsg, e.msg, sizeof e.msg);
    w->written_lsn = hi - w->pend.len;
    w->pend_len = w->pend.len;
    if (!w->dirty && rc != ST_EFATAL) w->synced_lsn = w->written_lsn;
    w->st.records_written += w->lead_recs;
    w->st.bytes_written += w->lead_bytes;
    w->lead_recs = w->lead_bytes = 0;
    seginfo *s = w->fd >= 0 ? segs_find(w, w->seg_no) : NULL;
    if (s) s->size = w->seg_len;
    w->spare = batch;
    w->flushing = false;
    pthread_cond_broadcast(&w->cv);
    return rc;
}

static int fatal_err(wal *w, st_err *e)
{
    return st_fail(e, ST_EFATAL, "%s", w->errmsg[0] ? w->errmsg : "wal: fatal error");
}

int wal_append(wal *w, uint8_t type, const void *p1, size_t n1, const void *p2, size_t n2,
               uint64_t *lsn, st_err *e)
{
    if (!p1) n1 = 0;
    if (!p2) n2 = 0;
    size_t n = n1 + n2;
    if (n > w->max_record || n < n1)
        return st_fail(e, ST_ELIMIT, "wal: record of %zu bytes is over the limit of %zu bytes",
                       n, w->max_record);
    uint8_t h[REC_HDR];
    put_u32le(h, (uint32_t)n);
    h[8] = type;
    uint32_t c = crc32c(crc32c(0, h, 4), h + 8, 1);
    if (n1) c = crc32c(c, p1, n1);
    if (n2) c = crc32c(c, p2, n2);
    put_u32le(h + 4, c);
    size_t rl = REC_HDR + n;
    int rc = 0;
    bool led = false;

    pthread_mutex_lock(&w->mu);
    for (;;) {
        if (w->fatal) {
            rc = fatal_err(w, e);
            break;
        }
        if (w->closing) {
            rc = st_fail(e, ST_ECLOSED, "wal: closing");
            break;
        }
        if (w->pend_len >= PEND_MAX) { /* failing writes hold back too much: push back */
            if (w->flushing) {
                pthread_cond_wait(&w->cv, &w->mu);
                continue;
            }
            if (!led) {
                led = true;
                lead(w, 0, NULL);
                continue;
            }
            rc = st_fail(e, w->fail_code, "%s (%zu bytes wait to be rewritten)", w->errmsg,
                         w->pend_len);
            break;
        }
        if (w->cur_len + rl <= BUF_CAP) { /* the hot path */
            uint8_t *p = w->cur + w->cur_len;
            memcpy(p, h, REC_HDR);
            if (n1) memcpy(p + REC_HDR, p1, n1);
            if (n2) memcpy(p + REC_HDR + n1, p2, n2);
            w->cur_len += rl;
            *lsn = w->next_lsn += rl;
            break;
        }
        if (w->flushing) {
            pthread_cond_wait(&w->cv, &w->mu);
            continue;
        }
        led = true;
        if (rl > BUF_CAP) {
            direct d = {.p1 = p1, .p2 = p2, .n1 = n1, .n2 = n2};
            memcpy(d.hdr, h, REC_HDR);
            lead(w, 0, &d); /* written, or pending like any failed record */
            if (w->fatal) rc = fatal_err(w, e);
            else *lsn = d.lsn;
            break;
        }
        lead(w, 0, NULL); /* buffer full: write it out, then retry */
    }
    if (rc == 0) w->appended = true;
    pthread_mutex_unlock(&w->mu);
    return rc;
}

int wal_sync(wal *w, uint64_t lsn, st_err *e)
{
    int rc = 0;
    pthread_mutex_lock(&w->mu);
    uint64_t gen = w->fail_gen;
    for (;;) {
        if (w->fatal) {
            rc = fatal_err(w, e);
            break;
        }
        if (lsn > w->next_lsn) {
            rc = st_fail(e, ST_EINVAL, "wal: sync of lsn %" PRIu64 " beyond the end %" PRIu64,
                         lsn, w->next_lsn);
            break;
        }
        if (lsn <= (w->interval > 0 ? w->written_lsn : w->synced_lsn)) break;
        /* a flush failed since we came, before reaching our lsn: report it */
        if (w->fail_gen != gen && lsn > w->written_lsn) {
            rc = st_fail(e, w->fail_code, "%s", w->errmsg);
            break;
        }
        if (w->flushing) pthread_cond_wait(&w->cv, &w->mu);
        else lead(w, w->interval > 0 ? 0 : LEAD_FSYNC, NULL);
    }
    pthread_mutex_unlock(&w->mu);
    return rc;
}

/* INTERVAL mode: fsync what is unsynced once the last fsync is interval old. */
static void *bg_main(void *arg)
{
    wal *w = arg;
    pthread_mutex_lock(&w->mu);
    while (!w->stop && !w->fatal) {
        int64_t due = w->last_fsync_ns + w->interval, now = st_mono_ns();
        if (due <= now) due = now + w->interval;
        struct timespec ts = {(time_t)(due / ST_NS_PER_S), (long)(due % ST_NS_PER_S)};
        pthread_cond_timedwait(&w->bg_cv, &w->mu, &ts);
        if (w->stop || w->fatal) break;
        if (w->synced_lsn >= w->next_lsn || st_mono_ns() - w->last_fsync_ns < w->interval)
            continue;
        while (w->flushing && !w->stop) pthread_cond_wait(&w->cv, &w->mu);
        if (w->stop || w->fatal) break;
        lead(w, LEAD_FSYNC, NULL);
    }
    pthread_mutex_unlock(&w->mu);
    return NULL;
}

/* ---- open ---- */

/* "<pre><digits><suf>" where the digits are the canonical %08u form. */
static bool parse_name(const char *name, const char *pre, const char *suf, uint32_t *no)
{
    size_t lp = strlen(pre), ls = strlen(suf), ln = strlen(name);
    if (ln < lp + 8 + ls || strncmp(name, pre, lp) || strcmp(name + ln - ls, suf)) return false;
    uint64_t v = 0;
    for (size_t i = lp; i < ln - ls; i++) {
        if (name[i] < '0' || name[i] > '9' || v > UINT32_MAX) return false;
        v = v * 10 + (uint64_t)(name[i] - '0');
    }
    char canon[24];
    int k = snprintf(canon, sizeof canon, "%08" PRIu64, v);
    if (v > UINT32_MAX || (size_t)k != ln - ls - lp || memcmp(canon, name + lp, (size_t)k)) return false;
    *no = (uint32_t)v;
    return true;
}

static int list_entry(void *ctx, const char *nm, bool is_dir)
{
    wal *w = ctx;
    (void)is_dir;
    uint32_t no;
    if (parse_name(nm, "", ".wal", &no)) {
        segs_add(w, no, 0);
    } else if (parse_name(nm, "checkpoint.", "", &no)) {
        ckpts_add(w, no);
    } else if (parse_name(nm, "", ".wal.corrupt", &no)) {
        if (no > w->max_aside) w->max_aside = no;
    } else if (parse_name(nm, "checkpoint.", ".tmp", &no) || parse_name(nm, "", ".wal.tmp", &no)) {
        char p[PATH_MAX];
        snprintf(p, sizeof p, "%s/%s", w->dir, nm);
        w->v->unlink(w->v, p); /* an unfinished checkpoint or salvage */
    }
    return 0;
}

static int list_dir(wal *w, st_err *e)
{
    int rc = w->v->list(w->v, w->dir, list_entry, w);
    if (rc < 0) return st_fail(e, st_from_errno(rc), "wal: listing %s: %s", w->dir, strerror(-rc));
    return 0;
}

static uint32_t next_seg_no(const wal *w)
{
    uint32_t n = w->max_aside + 1;
    if (w->nsegs && w->segs[w->nsegs - 1].no >= n) n = w->segs[w->nsegs - 1].no + 1;
    if (w->nckpts && w->ckpts[w->nckpts - 1] > n) n = w->ckpts[w->nckpts - 1];
    return n;
}

int wal_open(const wal_opts *o, wal **out, st_err *e)
{
    *out = NULL;
    if (!o || !o->dir || !*o->dir) return st_fail(e, ST_EINVAL, "wal: no directory given");
    if (strlen(o->dir) > PATH_MAX - 64) return st_fail(e, ST_EINVAL, "wal: directory name too long");
    if (o->fsync_interval < 0) return st_fail(e, ST_EINVAL, "wal: negative fsync interval");
    const vfs *v = o->vfs ? o->vfs : vfs_posix();
    int rc = vfs_mkdir_p(v, o->dir, 0755);
    if (rc < 0)
        return st_fail(e, st_from_errno(rc), "wal: creating directory %s: %s", o->dir, strerror(-rc));
    int dfd = v->open(v, o->dir, O_RDONLY | O_DIRECTORY, 0);
    if (dfd < 0)
        return st_fail(e, st_from_errno(dfd), "wal: opening directory %s: %s", o->dir, strerror(-dfd));

    wal *w = st_calloc(1, sizeof *w);
    w->v = v;
    w->keys = o->keys;
    w->hdr_len = o->keys ? WAL_SEAL_HDR : FILE_HDR;
    w->dir = st_strndup(o->dir, strlen(o->dir));
    w->dirfd = dfd;
    w->fd = -1;
    w->interval = o->fsync_interval;
    w->seg_size = o->segment_size ? o->segment_size : DEF_SEGMENT;
    w->max_record = o->max_record ? o->max_record : DEF_RECORD;
    if (w->max_record > UINT32_MAX - REC_HDR) w->max_record = UINT32_MAX - REC_HDR;
    w->cur = st_malloc(BUF_CAP);
    w->spare = st_malloc(BUF_CAP);
    w->last_fsync_ns = st_mono_ns();
    pthread_mutex_init(&w->mu, NULL);
    pthread_cond_init(&w->cv, NULL);
    pthread_condattr_t ca;
    pthread_condattr_init(&ca);
    pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
    pthread_cond_init(&w->bg_cv, &ca);
    pthread_condattr_destroy(&ca);
    if ((rc = list_dir(w, e)) != 0) {
        wal_close(w, NULL);
        return rc;
    }
    w->next_seg = next_seg_no(w);
    if (w->interval > 0) {
        if (pthread_create(&w->bg, NULL, bg_main, w) != 0) {
            wal_close(w, NULL);
            return st_fail(e, ST_EIO, "wal: cannot start the fsync thread");
        }
        w->bg_started = true;
    }
    *out = w;
    return 0;
}

/* ---- replay ---- */

typedef struct rp {
    wal *w;
    wal_replay_fn cb;
    void *ctx;
    st_buf buf;    /* the file being scanned (a sealed one as plaintext) */
    st_buf ranges; /* [from, to) offsets of its runs of valid records */
    size_t kept;   /* bytes in those runs */
    st_err *e;
    /* a sealed file: its bytes as on disk, and where its frames start */
    bool sealed;
    st_buf raw, map;
} rp;

static int read_file(const vfs *v, const char *path, st_buf *out);

/* Reads path into r->buf, a sealed file turned into plaintext (raw and map
 * kept for the repairs). ST_ECORRUPT: a sealed header that is bad (the
 * caller treats it as a bad header). */
static int load_file(rp *r, const char *path, int kind, int *io)
{
    wal *w = r->w;
    *io = read_file(w->v, path, &r->raw);
    if (*io < 0) return *io;
    r->sealed = r->raw.len >= 8 && get_u32le(r->raw.p + 4) == WAL_SEAL_VERSION &&
                (get_u32le(r->raw.p) == SEG_MAGIC || get_u32le(r->raw.p) == CKPT_MAGIC);
    if (!r->sealed) { /* the plaintext itself */
        st_buf t = r->buf;
        r->buf = r->raw;
        r->raw = t;
        return 0;
    }
    if (!w->keys)
        return st_fail(r->e, ST_EINVAL, "wal: %s is encrypted and no key was given (--encryption-key-file)", path);
    uint32_t damaged;
    int rc = wal_unseal(w->keys, strrchr(path, '/') + 1, kind, r->raw.p, r->raw.len, &r->buf, &r->map, &damaged,
                        r->e);
    if (damaged) wal_log("%s: %" PRIu32 " sealed frame(s) failed their check", path, damaged);
    return rc;
}

/* Where plaintext offset at starts in the sealed file: a frame's start;
 * -1 when it is inside a frame. */
static int64_t phys_of(const rp *r, size_t at)
{
    const wal_seal_at *m = (const wal_seal_at *)(const void *)r->map.p;
    for (size_t i = 0; i < r->map.len / sizeof *m; i++)
        if (m[i].plain == at) return (int64_t)m[i].phys;
    return at == r->buf.len ? (int64_t)r->raw.len : -1;
}

static int read_file(const vfs *v, const char *path, st_buf *out)
{
    int fd = v->open(v, path, O_RDONLY, 0);
    if (fd < 0) return fd;
    out->len = 0;
    for (;;) {
        st_buf_reserve(out, (size_t)1 << 20);
        ssize_t r = v->pread(v, fd, out->p + out->len, out->cap - out->len, (off_t)out->len);
        if (r == -EINTR) continue;
        if (r <= 0) {
            v->close(v, fd);
            return (int)r;
        }
        out->len += (size_t)r;
    }
}

static int io_fail(rp *r, int rc, const char *what, const char *path)
{
    return st_fail(r->e, st_from_errno(rc), "wal: %s %s: %s", what, path, strerror(-rc));
}

/* Writes a new file and fsyncs it: p as it is (kind 0), or, with keys, a
 * plaintext layout p (header, records) sealed anew for its final name
 * (path without ".tmp"). */
static int put_file(wal *w, const char *path, const void *p, size_t n, int kind)
{
    st_buf sealed = {0};
    if (kind && w->keys && n >= FILE_HDR) {
        uint8_t h[WAL_SEAL_HDR];
        const uint8_t *b = p;
        put_file_hdr(h, get_u32le(b), get_u32le(b + 8), get_u64le(b + 12), true);
        char name[PATH_MAX];
        snprintf(name, sizeof name, "%s", strrchr(path, '/') + 1);
        size_t nl = strlen(name);
        if (nl > 4 && !strcmp(name + nl - 4, ".tmp")) name[nl - 4] = 0;
        wal_seal *ws;
        st_err e = {0};
        if (wal_seal_begin(w->keys, name, kind, h, h, &ws, &e)) return -EIO;
        st_buf_put(&sealed, h, WAL_SEAL_HDR);
        int rc = n > FILE_HDR ? wal_seal_frame(ws, b + FILE_HDR, n - FILE_HDR, &sealed, &e) : 0;
        wal_seal_free(ws);
        if (rc) {
            st_buf_free(&sealed);
            return -EIO;
        }
        p = sealed.p;
        n = sealed.len;
    }
    int fd = w->v->open(w->v, path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (fd < 0) {
        st_buf_free(&sealed);
        return fd;
    }
    int rc = vfs_pwrite_all(w->v, fd, p, n, 0);
    st_buf_free(&sealed);
    if (rc == 0) rc = do_fsync(w, fd, false);
    w->v->close(w->v, fd);
    return rc;
}

static int move_aside(rp *r, const char *path)
{
    char aside[PATH_MAX + 16];
    snprintf(aside, sizeof aside, "%s.corrupt", path);
    int rc = r->w->v->rename(r->w->v, path, aside);
    if (rc == 0) rc = do_fsync(r->w, r->w->dirfd, false);
    return rc < 0 ? io_fail(r, rc, "moving aside", path) : 0;
}

/* Keeps the damaged file as *.corrupt and replaces it with its valid records. */
static int salvage(rp *r, const char *path, bool ckpt, uint32_t count)
{
    wal *w = r->w;
    char aside[PATH_MAX + 16], tmp[PATH_MAX + 16];
    snprintf(aside, sizeof aside, "%s.corrupt", path);
    snprintf(tmp, sizeof tmp, "%s.tmp", path);
    /* the evidence as it was on disk (sealed files stay sealed) */
    const st_buf *disk = r->sealed ? &r->raw : &r->buf;
    int rc = put_file(w, aside, disk->p, disk->len, 0);
    if (rc < 0) return io_fail(r, rc, "writing", aside);
    st_buf keep = {0};
    st_buf_put(&keep, r->buf.p, FILE_HDR);
    const size_t *rg = (const size_t *)(void *)r->ranges.p;
    for (size_t i = 0; i < r->ranges.len / sizeof *rg; i += 2)
        st_buf_put(&keep, r->buf.p + rg[i], rg[i + 1] - rg[i]);
    if (ckpt) {
        uint8_t f[FOOTER];
        put_footer(f, count);
        st_buf_put(&keep, f, FOOTER);
    }
    rc = put_file(w, tmp, keep.p, keep.len, ckpt ? WAL_SEAL_CHECKPOINT : WAL_SEAL_SEGMENT);
    st_buf_free(&keep);
    if (rc == 0) rc = w->v->rename(w->v, tmp, path);
    if (rc == 0) rc = do_fsync(w, w->dirfd, false);
    if (rc < 0) {
        w->v->unlink(w->v, tmp);
        return io_fail(r, rc, "rewriting", path);
    }
    return 0;
}

static void keep_range(rp *r, size_t from, size_t to)
{
    if (to <= from) return;
    size_t rg[2] = {from, to};
    st_buf_put(&r->ranges, rg, sizeof rg);
    r->kept += to - from;
}

/* Replays the records of one file already in r->buf (header checked) and
 * repairs it as the policy at the top says. *size is its size afterwards. */
static int scan_file(rp *r, const char *path, bool ckpt, bool last, uint64_t base, uint64_t *size)
{
    wal *w = r->w;
    const uint8_t *b = r->buf.p;
    size_t end = r->buf.len, off = FILE_HDR, from = FILE_HDR, torn = 0;
    uint32_t count = 0;
    bool corrupt = false, footer = false;
    r->ranges.len = r->kept = 0;
    while (off < end) {
        if (ckpt && end - off == FOOTER && get_u32le(b + off) == END_MAGIC &&
            crc32c(0, b + off, 8) == get_u32le(b + off + 8)) {
            footer = get_u32le(b + off + 4) == count;
            break;
        }
        size_t rl = rec_valid(b, end, off);
        if (rl) {
            int rc = r->cb(r->ctx, b[off + 8], b + off + REC_HDR, rl - REC_HDR);
            if (rc) return rc;
            count++;
            off += rl;
            continue;
        }
        keep_range(r, from, off);
        uint64_t skip = (uint64_t)off + REC_HDR + (end - off >= 4 ? get_u32le(b + off) : 0);
        if (skip < end && rec_valid(b, end, (size_t)skip)) {
            wal_log("%s: bad record at offset %zu, skipped %" PRIu64 " bytes to the next one",
                    path, off, skip - off);
            corrupt = true;
            off = from = (size_t)skip;
            continue;
        }
        if (!ckpt && last) {
            torn = off;
        } else {
            wal_log("%s: bad record at offset %zu, the %zu bytes after it are lost", path, off,
                    end - off);
            corrupt = true;
        }
        from = end; /* nothing more to keep */
        break;
    }
    if (from < end) keep_range(r, from, off);
    if (ckpt && !footer && !corrupt) {
        wal_log("%s: no valid end marker, the checkpoint is incomplete", path);
        corrupt = true;
    }
    /* a sealed file is cut at a frame's start only: a bad record inside a
     * frame whose seal held is not a crash's torn write but damage */
    int64_t cut = (int64_t)torn;
    if (torn && r->sealed && (cut = phys_of(r, torn)) < 0) {
        wal_log("%s: bad record at offset %zu inside a sealed frame", path, torn);
        torn = 0;
        corrupt = true;
    }
    uint64_t lsn = ckpt ? base : base + r->kept;
    pthread_mutex_lock(&w->mu);
    if (lsn > w->next_lsn) w->next_lsn = w->written_lsn = w->synced_lsn = lsn;
    w->st.replay_records += count;
    if (torn) {
        w->st.truncated_tails++;
        w->st.truncated_bytes += end - torn;
    }
    if (corrupt) w->st.corrupt_segments++;
    pthread_mutex_unlock(&w->mu);
    *size = FILE_HDR + r->kept + (ckpt ? FOOTER : 0);

    if (corrupt) {
        int rc = salvage(r, path, ckpt, count);
        if (rc) return rc;
        wal_log("%s: damaged, kept as %s.corrupt and rewritten with its %" PRIu32 " valid records",
                path, path, count);
    } else if (torn) {
        wal_log("%s: torn tail cut off at offset %" PRId64 " (%zu bytes)", path, cut,
                (r->sealed ? r->raw.len : end) - (size_t)cut);
        if (r->sealed) *size = (uint64_t)cut;
        int fd = w->v->open(w->v, path, O_WRONLY, 0);
        int rc = fd < 0 ? fd : w->v->ftruncate(w->v, fd, (off_t)cut);
        if (rc == 0) rc = do_fsync(w, fd, false);
        if (fd >= 0) w->v->close(w->v, fd);
        if (rc < 0) return io_fail(r, rc, "truncating", path);
    } else {
        *size = r->sealed ? r->raw.len : end;
    }
    return 0;
}

static bool all_zero(const uint8_t *p, size_t n)
{
    while (n--)
        if (*p++) return false;
    return true;
}

static int newer_format(rp *r, const char *path)
{
    return st_fail(r->e, ST_ECORRUPT, "wal: %s was written by a newer format version (%" PRIu32
                   "); this build reads version %u", path, get_u32le(r->buf.p + 4), WAL_SEAL_VERSION);
}

/* Replays the newest usable checkpoint; *used is its number (0 = none). */
static int replay_ckpt(rp *r, uint32_t *used)
{
    wal *w = r->w;
    *used = 0;
    for (size_t i = w->nckpts; i-- > 0;) {
        char path[PATH_MAX];
        uint32_t no = w->ckpts[i];
        uint64_t base, size;
        ckpt_path(w, no, path);
        int io, rc = load_file(r, path, WAL_SEAL_CHECKPOINT, &io);
        if (io < 0) return io_fail(r, io, "reading", path);
        if (rc && rc != ST_ECORRUPT) return rc;
        int h = rc ? HDR_BAD : check_file_hdr(r->buf.p, r->buf.len, CKPT_MAGIC, no, &base);
        if (h == HDR_NEWER) return newer_format(r, path);
        if (h == HDR_BAD) {
            wal_log("%s: bad header, moved aside; falling back to older data", path);
            if ((rc = move_aside(r, path)) != 0) return rc;
            pthread_mutex_lock(&w->mu);
            w->st.corrupt_segments++;
            memmove(&w->ckpts[i], &w->ckpts[i + 1], (w->nckpts - i - 1) * sizeof *w->ckpts);
            w->nckpts--;
            pthread_mutex_unlock(&w->mu);
            continue;
        }
        uint64_t before = w->st.corrupt_segments;
        if ((rc = scan_file(r, path, true, false, base, &size)) != 0) return rc;
        pthread_mutex_lock(&w->mu);
        w->ckpt_size = size;
        bool clean = w->st.corrupt_segments == before;
        pthread_mutex_unlock(&w->mu);
        *used = no;
        /* A commit that crashed before its deletions left older files behind;
         * finish its work, but only when this checkpoint is intact. */
        if (clean) {
            bool any = false;
            while (w->nsegs && w->segs[0].no < no) {
                seg_path(w, w->segs[0].no, path);
                w->v->unlink(w->v, path);
                pthread_mutex_lock(&w->mu);
                segs_del(w, w->segs[0].no);
                pthread_mutex_unlock(&w->mu);
                any = true;
            }
            while (w->nckpts > 1 && w->ckpts[0] < no) {
                ckpt_path(w, w->ckpts[0], path);
                w->v->unlink(w->v, path);
                pthread_mutex_lock(&w->mu);
                memmove(w->ckpts, w->ckpts + 1, (--w->nckpts) * sizeof *w->ckpts);
                pthread_mutex_unlock(&w->mu);
                any = true;
            }
            if (any) do_fsync(w, w->dirfd, false);
        }
        return 0;
    }
    return 0;
}

int wal_replay(wal *w, wal_replay_fn cb, void *ctx, st_err *e)
{
    pthread_mutex_lock(&w->mu);
    if (w->replayed || w->appended || w->flushing) {
        pthread_mutex_unlock(&w->mu);
        return st_fail(e, ST_EINVAL, "wal: replay must come once, before the first append");
    }
    w->replayed = true;
    w->flushing = true; /* keeps the fsync thread out while files change */
    pthread_mutex_unlock(&w->mu);

    int64_t t0 = st_mono_ns();
    rp r = {.w = w, .cb = cb, .ctx = ctx, .e = e};
    uint32_t ck = 0;
    int rc = replay_ckpt(&r, &ck);
    uint32_t prev = ck ? ck - 1 : 0;
    for (size_t i = 0; rc == 0 && i < w->nsegs;) {
        char path[PATH_MAX];
        seginfo s = w->segs[i];
        bool last = i + 1 == w->nsegs;
        uint64_t base, size;
        if (s.no < ck) {
            i++;
            continue;
        }
        if (prev && s.no != prev + 1)
            wal_log("%s: segments %08" PRIu32 " to %08" PRIu32 " are missing", w->dir, prev + 1,
                    s.no - 1);
        prev = s.no;
        seg_path(w, s.no, path);
        int io;
        rc = load_file(&r, path, WAL_SEAL_SEGMENT, &io);
        if (io < 0) {
            rc = io_fail(&r, io, "reading", path);
            break;
        }
        if (rc && rc != ST_ECORRUPT) break;
        int h = rc ? HDR_BAD : check_file_hdr(r.buf.p, r.buf.len, SEG_MAGIC, s.no, &base);
        rc = 0;
        if (h == HDR_NEWER) {
            rc = newer_format(&r, path);
        } else if (h == HDR_BAD) {
            const st_buf *disk = r.sealed ? &r.raw : &r.buf;
            bool torn = last && (disk->len < r.w->hdr_len || all_zero(disk->p, disk->len));
            if (torn) {
                wal_log("%s: incomplete new segment (%zu bytes) removed", path, disk->len);
                rc = w->v->unlink(w->v, path);
                if (rc == 0) rc = do_fsync(w, w->dirfd, false);
                if (rc < 0) rc = io_fail(&r, rc, "removing", path);
            } else {
                wal_log("%s: bad segment header, file moved aside", path);
                rc = move_aside(&r, path);
                if (s.no > w->max_aside) w->max_aside = s.no;
            }
            pthread_mutex_lock(&w->mu);
            if (torn) {
                w->st.truncated_tails++;
                w->st.truncated_bytes += disk->len;
            } else {
                w->st.corrupt_segments++;
            }
            segs_del(w, s.no);
            pthread_mutex_unlock(&w->mu);
            continue;
        } else if ((rc = scan_file(&r, path, false, last, base, &size)) == 0) {
            pthread_mutex_lock(&w->mu);
            w->segs[i].size = size;
            pthread_mutex_unlock(&w->mu);
        }
        i++;
    }
    st_buf_free(&r.buf);
    st_buf_free(&r.ranges);
    st_buf_free(&r.raw);
    st_buf_free(&r.map);

    pthread_mutex_lock(&w->mu);
    w->next_seg = next_seg_no(w);
    w->st.replay_ns = (uint64_t)(st_mono_ns() - t0);
    w->flushing = false;
    pthread_cond_broadcast(&w->cv);
    pthread_mutex_unlock(&w->mu);
    return rc;
}

/* ---- checkpoints ---- */

static int ckpt_flush(wal_ckpt *c, st_err *e)
{
    if (c->err) return st_fail(e, c->err, "wal: checkpoint %s failed earlier", c->tmp);
    const st_buf *out = &c->buf;
    if (c->seal && c->buf.len) {
        c->frame.len = 0;
        int rc = wal_seal_frame(c->seal, c->buf.p, c->buf.len, &c->frame, e);
        if (rc) return c->err = rc;
        out = &c->frame;
    }
    int rc = vfs_pwrite_all(c->w->v, c->fd, out->p, out->len, (off_t)c->off);
    if (rc < 0) {
        c->err = st_from_errno(rc);
        return st_fail(e, c->err, "wal: writing %s: %s", c->tmp, strerror(-rc));
    }
    c->off += out->len;
    c->buf.len = 0;
    return 0;
}

int wal_checkpoint_begin(wal *w, wal_ckpt **out, st_err *e)
{
    *out = NULL;
    pthread_mutex_lock(&w->mu);
    while (w->flushing && !w->fatal) pthread_cond_wait(&w->cv, &w->mu);
    int rc = 0;
    if (w->fatal) rc = fatal_err(w, e);
    else if (w->closing) rc = st_fail(e, ST_ECLOSED, "wal: closing");
    else if (w->ckpt_active) rc = st_fail(e, ST_EEXIST, "wal: a checkpoint is already running");
    if (rc) {
        pthread_mutex_unlock(&w->mu);
        return rc;
    }
    w->ckpt_active = true;
    /* Everything appended so far goes to the segments below the cut. */
    rc = lead(w, LEAD_ROTATE, NULL);
    if (rc) {
        w->ckpt_active = false;
        st_fail(e, rc, "wal: starting a checkpoint: %s", w->errmsg);
        pthread_mutex_unlock(&w->mu);
        return rc;
    }
    uint32_t no = w->seg_no;
    uint64_t base = w->written_lsn;
    pthread_mutex_unlock(&w->mu);

    wal_ckpt *c = st_calloc(1, sizeof *c);
    c->w = w;
    c->no = no;
    ckpt_path(w, no, c->path);
    snprintf(c->tmp, sizeof c->tmp, "%s.tmp", c->path);
    c->fd = w->v->open(w->v, c->tmp, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (c->fd < 0) {
        rc = st_fail(e, st_from_errno(c->fd), "wal: creating %s: %s", c->tmp, strerror(-c->fd));
        c->fd = -1;
        wal_checkpoint_abort(c);
        return rc;
    }
    st_buf_reserve(&c->buf, WAL_SEAL_HDR);
    put_file_hdr(c->buf.p, CKPT_MAGIC, no, base, w->keys != NULL);
    c->buf.len = FILE_HDR;
    if (w->keys) { /* the header alone, then frames of records */
        uint8_t h[WAL_SEAL_HDR];
        rc = wal_seal_begin(w->keys, strrchr(c->path, '/') + 1, WAL_SEAL_CHECKPOINT, c->buf.p, h, &c->seal, e);
        if (!rc && (rc = vfs_pwrite_all(w->v, c->fd, h, WAL_SEAL_HDR, 0)) < 0)
            rc = st_fail(e, st_from_errno(rc), "wal: writing %s: %s", c->tmp, strerror(-rc));
        if (rc) {
            wal_checkpoint_abort(c);
            return rc;
        }
        c->off = WAL_SEAL_HDR;
        c->buf.len = 0;
    }
    *out = c;
    return 0;
}

int wal_checkpoint_add(wal_ckpt *c, uint8_t type, const void *p, size_t n, st_err *e)
{
    if (c->err) return st_fail(e, c->err, "wal: checkpoint %s failed earlier", c->tmp);
    if (n > c->w->max_record)
        return st_fail(e, ST_ELIMIT, "wal: checkpoint record of %zu bytes is over the limit", n);
    uint8_t h[REC_HDR];
    put_u32le(h, (uint32_t)n);
    h[8] = type;
    uint32_t crc = crc32c(crc32c(0, h, 4), h + 8, 1);
    if (n) crc = crc32c(crc, p, n);
    put_u32le(h + 4, crc);
    st_buf_put(&c->buf, h, REC_HDR);
    st_buf_put(&c->buf, p, n);
    c->count++;
    return c->buf.len >= BUF_CAP ? ckpt_flush(c, e) : 0;
}

int wal_checkpoint_commit(wal_ckpt *c, st_err *e)
{
    wal *w = c->w;
    uint8_t f[FOOTER];
    put_footer(f, c->count);
    st_buf_put(&c->buf, f, FOOTER);
    int rc = ckpt_flush(c, e);
    if (rc == 0 && (rc = do_fsync(w, c->fd, false)) < 0)
        rc = st_fail(e, ST_EIO, "wal: fsync of %s: %s", c->tmp, strerror(-rc));
    if (rc == 0) {
        w->v->close(w->v, c->fd);
        c->fd = -1;
        if ((rc = w->v->rename(w->v, c->tmp, c->path)) < 0)
            rc = st_fail(e, st_from_errno(rc), "wal: renaming %s: %s", c->tmp, strerror(-rc));
    }
    if (rc) { /* the segments still hold everything: give up this checkpoint */
        wal_checkpoint_abort(c);
        return rc;
    }
    uint64_t size = c->off;
    uint32_t no = c->no;
    st_buf_free(&c->buf);
    st_buf_free(&c->frame);
    wal_seal_free(c->seal);
    st_free(c);
    /* Until the rename is durable the files it replaces are still needed. */
    int drc = do_fsync(w, w->dirfd, false);
    if (drc < 0) {
        pthread_mutex_lock(&w->mu);
        ckpts_add(w, no);
        w->ckpt_active = false;
        pthread_mutex_unlock(&w->mu);
        return st_fail(e, ST_EIO, "wal: fsync of directory %s after checkpoint: %s", w->dir,
                       strerror(-drc));
    }

    /* Collect what the new checkpoint supersedes, delete it outside mu. */
    pthread_mutex_lock(&w->mu);
    size_t nold = 0;
    uint32_t *old = st_malloc((w->nsegs + w->nckpts + 1) * sizeof *old);
    while (w->nsegs && w->segs[0].no < no) {
        old[nold++] = w->segs[0].no;
        segs_del(w, w->segs[0].no);
    }
    size_t nseg_old = nold;
    for (size_t i = 0; i < w->nckpts; i++)
        if (w->ckpts[i] != no) old[nold++] = w->ckpts[i];
    w->nckpts = 0;
    ckpts_add(w, no);
    w->ckpt_size = size;
    w->ckpt_active = false;
    pthread_mutex_unlock(&w->mu);
    for (size_t i = 0; i < nold; i++) {
        char path[PATH_MAX];
        if (i < nseg_old) seg_path(w, old[i], path);
        else ckpt_path(w, old[i], path);
        int urc = w->v->unlink(w->v, path);
        if (urc < 0 && urc != -ENOENT) wal_log("removing %s: %s", path, strerror(-urc));
    }
    if (nold) do_fsync(w, w->dirfd, false); /* deletions are redone at open if lost */
    st_free(old);
    return 0;
}

void wal_checkpoint_abort(wal_ckpt *c)
{
    if (!c) return;
    wal *w = c->w;
    if (c->fd >= 0) w->v->close(w->v, c->fd);
    w->v->unlink(w->v, c->tmp);
    st_buf_free(&c->buf);
    st_buf_free(&c->frame);
    wal_seal_free(c->seal);
    st_free(c);
    pthread_mutex_lock(&w->mu);
    w->ckpt_active = false;
    pthread_mutex_unlock(&w->mu);
}

/* ---- stats, close ---- */

void wal_get_stats(wal *w, wal_stats *out)
{
    pthread_mutex_lock(&w->mu);
    *out = w->st;
    out->segments = w->nsegs;
    out->disk_bytes = out->checkpoint_bytes = w->ckpt_size;
    for (size_t i = 0; i < w->nsegs; i++) out->disk_bytes += w->segs[i].size;
    pthread_mutex_unlock(&w->mu);
}

bool wal_failed(wal *w) { return atomic_load(&w->failed); }

int wal_error(wal *w)
{
    pthread_mutex_lock(&w->mu);
    int rc = w->fatal;
    pthread_mutex_unlock(&w->mu);
    return rc;
}

int wal_close(wal *w, st_err *e)
{
    if (!w) return 0;
    pthread_mutex_lock(&w->mu);
    w->closing = w->stop = true;
    pthread_cond_broadcast(&w->bg_cv);
    pthread_mutex_unlock(&w->mu);
    if (w->bg_started) pthread_join(w->bg, NULL);

    pthread_mutex_lock(&w->mu);
    while (w->flushing) pthread_cond_wait(&w->cv, &w->mu);
    int rc = 0;
    if (!w->fatal && (w->cur_len || w->pend_len || w->written_lsn > w->synced_lsn)) {
        rc = lead(w, LEAD_FSYNC, NULL);
        if (rc) st_fail(e, rc, "%s", w->errmsg);
    }
    if (w->fatal) rc = fatal_err(w, e);
    pthread_mutex_unlock(&w->mu);

    if (w->fd >= 0) w->v->close(w->v, w->fd);
    wal_seal_free(w->seal);
    st_buf_free(&w->frame);
    if (w->dirfd >= 0) w->v->close(w->v, w->dirfd);
    pthread_cond_destroy(&w->bg_cv);
    pthread_cond_destroy(&w->cv);
    pthread_mutex_destroy(&w->mu);
    st_free(w->cur);
    st_free(w->spare);
    st_buf_free(&w->pend);
    st_free(w->segs);
    st_free(w->ckpts);
    st_free(w->dir);
    st_free(w);
    return rc;
}
