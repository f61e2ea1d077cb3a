/* test_crash: acknowledged samples survive SIGKILL, and the fsync comes
 * before the acknowledgement.
 *
 * Crash rounds: a child process opens the store (with fast background
 * maintenance, so kills land in flushes, compactions and checkpoints too),
 * writes batches and reports each acknowledged batch number on a pipe. The
 * parent kills it with SIGKILL at a random moment, reopens the data
 * directory and checks that every acknowledged batch is there, value for
 * value. STRATA_CRASH_ROUNDS sets the number of rounds (default 20).
 *
 * SIGKILL leaves the page cache intact, so it cannot prove the fsync; a
 * recording vfs does: every store_write must be preceded, within the call,
 * by an fsync that follows the WAL write carrying its data. Fault injection
 * makes fsync and write fail and checks the documented behaviour.
 */
#include <errno.h>
#include <signal.h>
#include <stdatomic.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "labels.h"
#include "samples.h"
#include "store.h"
#include "scanutil.h"
#include "testlib.h"

#define SERIES_PER_BATCH 10
#define SAMPLES_PER_SERIES 5

static int64_t T0;

static void quiet(void *ctx, const char *level, const char *msg)
{
    (void)ctx;
    if (getenv("STRATA_TEST_VERBOSE")) fprintf(stderr, "[%d %s] %s\n", getpid(), level, msg);
}

static void opts(store_opts *o, const char *dir, int64_t maint)
{
    store_opts_default(o);
    o->data_dir = dir;
    o->maintenance_interval = maint;
    o->memory_window = 60 * ST_NS_PER_S;
    o->block_duration = 60 * ST_NS_PER_S;
    o->retention = 0;
    o->nshards = 4;
    o->log = quiet;
}

static void fill_batch(store_batch *b, uint64_t k)
{
    store_batch_reset(b);
    for (int w = 0; w < SERIES_PER_BATCH; w++) {
        char wv[16];
        snprintf(wv, sizeof wv, "w%d", w);
        label ls[2] = {{st_slice_cstr("__name__"), st_slice_cstr("crash")},
                       {st_slice_cstr("w"), st_slice_cstr(wv)}};
        uint32_t h;
        series_meta m = {ST_VT_INT, 5};
        store_batch_series(b, ls, 2, m, &h, NULL);
        for (int j = 0; j < SAMPLES_PER_SERIES; j++)
            store_batch_add(b, h, T0 + (int64_t)(k * SAMPLES_PER_SERIES + (uint64_t)j) * ST_NS_PER_MS,
                            k * 1000 + (uint64_t)j);
    }
}

static void child(const char *dir, uint64_t first, int fd)
{
    store_opts o;
    opts(&o, dir, 20 * ST_NS_PER_MS);
    store *s;
    st_err e;
    if (store_open(&o, &s, &e)) {
        fprintf(stderr, "child: store_open: %s\n", e.msg);
        _exit(3);
    }
    store_batch *b = store_batch_new();
    for (uint64_t k = first;; k++) {
        fill_batch(b, k);
        store_write_result r;
        if (store_write(s, "default", b, &r, &e) != 0) {
            fprintf(stderr, "child: store_write: %s\n", e.msg);
            _exit(4);
        }
        if (write(fd, &k, sizeof k) != sizeof k) _exit(5);
        if (k % 97 == 0) store_flush_all(s, NULL);
    }
}

/* Which batches are fully present, value for value. */
static int verify(const char *dir, const uint64_t *acked, size_t nacked, uint64_t *missing)
{
    store_opts o;
    opts(&o, dir, 0);
    store *s;
    st_err e;
    if (store_open(&o, &s, &e)) {
        fprintf(stderr, "verify: store_open: %s\n", e.msg);
        return -1;
    }
    tscan q;
    matcher *m;
    matcher_new(MATCH_EQ, st_slice_cstr("__name__"), st_slice_cstr("crash"), &m, NULL);
    tscan_open(s, "default", &m, 1, INT64_MIN, INT64_MAX, &q, NULL);
    /* have[k] counts the samples of batch k found with the right value */
    uint64_t maxk = 0;
    for (size_t i = 0; i < nacked; i++)
        if (acked[i] > maxk) maxk = acked[i];
    uint32_t *have = calloc(maxk + 2, sizeof *have);
    const uint8_t *key;
    size_t kl;
    series_meta meta;
    codec_samples out = {0};
    while (tscan_next(&q, &key, &kl, &meta, &out, NULL) == 1) {
        for (size_t i = 0; i < out.n; i++) {
            int64_t pos = (out.ts[i] - T0) / ST_NS_PER_MS;
            uint64_t k = (uint64_t)pos / SAMPLES_PER_SERIES, j = (uint64_t)pos % SAMPLES_PER_SERIES;
            if (k <= maxk && out.vals[i] == k * 1000 + j) have[k]++;
        }
    }
    codec_samples_free(&out);
    matcher_free(m);
    tscan_close(&q);
    store_close(s, NULL);
    *missing = 0;
    for (size_t i = 0; i < nacked; i++)
        if (have[acked[i]] != SERIES_PER_BATCH * SAMPLES_PER_SERIES) (*missing)++;
    free(have);
    return 0;
}

static void test_sigkill_rounds(void)
{
    const char *env = getenv("STRATA_CRASH_ROUNDS");
    int rounds = env ? atoi(env) : 20;
    char *dir = testlib_tmpdir("crash");
    uint64_t *acked = NULL;
    size_t nacked = 0, cap = 0;
    uint64_t next = 0;
    srand((unsigned)time(NULL));
    int failures = 0;
    for (int r = 0; r < rounds; r++) {
        int pfd[2];
        if (pipe(pfd) != 0) { CHECK(0); return; }
        pid_t pid = fork();
        if (pid == 0) {
            close(pfd[0]);
            child(dir, next, pfd[1]);
        }
        close(pfd[1]);
        /* kill after 30..400 ms of writing */
        struct timespec ts = {0, (long)(30 + rand() % 370) * 1000000L};
        nanosleep(&ts, NULL);
        kill(pid, SIGKILL);
        uint64_t k;
        while (read(pfd[0], &k, sizeof k) == sizeof k) {
            if (nacked == cap) {
                cap = cap ? cap * 2 : 1024;
                acked = realloc(acked, cap * sizeof *acked);
            }
            acked[nacked++] = k;
            if (k + 1 > next) next = k + 1;
        }
        close(pfd[0]);
        int status;
        waitpid(pid, &status, 0);
        CHECK_MSG(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL, "child exited early, status %d", status);
        uint64_t missing = 0;
        int rc = verify(dir, acked, nacked, &missing);
        CHECK_MSG(rc == 0 && missing == 0, "round %d: %llu of %zu acknowledged batches missing", r,
                  (unsigned long long)missing, nacked);
        if (missing) failures++;
        next += 1000; /* a fresh range: unacknowledged batches may or may not be there */
    }
    printf("crash: %d rounds, %zu acknowledged batches checked, %d rounds with losses\n", rounds,
           nacked, failures);
    free(acked);
    testlib_rmrf(dir);
    free(dir);
}

/* ---- a recording, fault-injecting vfs ---- */

typedef struct rec_state {
    _Atomic int seq;         /* global op counter */
    _Atomic int last_write;  /* seq of the last write to a WAL file */
    _Atomic int last_fsync;  /* seq of the last successful fsync */
    _Atomic int fail_fsync;  /* errno to return from fsync, 0 = none */
    _Atomic int fail_write;  /* errno to return from write/pwrite */
} rec_state;

static rec_state g_rec;
static vfs g_vfs;

static ssize_t rec_write(const vfs *v, int fd, const void *b, size_t n)
{
    (void)v;
    int f = atomic_load(&g_rec.fail_write);
    if (f) return -f;
    ssize_t r = vfs_posix()->write(vfs_posix(), fd, b, n);
    atomic_store(&g_rec.last_write, atomic_fetch_add(&g_rec.seq, 1) + 1);
    return r;
}

static ssize_t rec_pwrite(const vfs *v, int fd, const void *b, size_t n, off_t off)
{
    (void)v;
    int f = atomic_load(&g_rec.fail_write);
    if (f) return -f;
    ssize_t r = vfs_posix()->pwrite(vfs_posix(), fd, b, n, off);
    atomic_store(&g_rec.last_write, atomic_fetch_add(&g_rec.seq, 1) + 1);
    return r;
}

static int rec_fsync(const vfs *v, int fd)
{
    (void)v;
    int f = atomic_load(&g_rec.fail_fsync);
    if (f) return -f;
    int r = vfs_posix()->fsync(vfs_posix(), fd);
    atomic_store(&g_rec.last_fsync, atomic_fetch_add(&g_rec.seq, 1) + 1);
    return r;
}

static store *open_rec(const char *dir)
{
    g_vfs = *vfs_posix();
    g_vfs.write = rec_write;
    g_vfs.pwrite = rec_pwrite;
    g_vfs.fsync = rec_fsync;
    store_opts o;
    opts(&o, dir, 0);
    o.vfs = &g_vfs;
    store *s = NULL;
    st_err e;
    if (store_open(&o, &s, &e)) fprintf(stderr, "open_rec: %s\n", e.msg);
    return s;
}

static void test_fsync_precedes_ack(void)
{
    char *dir = testlib_tmpdir("fsync");
    memset(&g_rec, 0, sizeof g_rec);
    store *s = open_rec(dir);
    if (!s) { CHECK(0); return; }
    store_batch *b = store_batch_new();
    bool ok = true;
    for (uint64_t k = 0; k < 200; k++) {
        fill_batch(b, k);
        int before = atomic_load(&g_rec.seq);
        store_write_result r;
        if (store_write(s, "default", b, &r, NULL) != 0) { ok = false; break; }
        int w = atomic_load(&g_rec.last_write), f = atomic_load(&g_rec.last_fsync);
        /* the data went out in this call and an fsync followed it */
        if (!(w > before && f > w)) {
            fprintf(stderr, "  batch %llu: before %d write %d fsync %d\n", (unsigned long long)k, before, w, f);
            ok = false;
            break;
        }
    }
    CHECK(ok);
    store_batch_free(b);
    CHECK_OK(store_close(s, NULL));
    testlib_rmrf(dir);
    free(dir);
}

static void test_fsync_failure_is_fatal(void)
{
    char *dir = testlib_tmpdir("fsyncfail");
    memset(&g_rec, 0, sizeof g_rec);
    store *s = open_rec(dir);
    if (!s) { CHECK(0); return; }
    store_batch *b = store_batch_new();
    store_write_result r;
    fill_batch(b, 1);
    CHECK_OK(store_write(s, "default", b, &r, NULL));
    CHECK(!store_failed(s));
    atomic_store(&g_rec.fail_fsync, EIO);
    fill_batch(b, 2);
    st_err e = {0};
    CHECK_EQ_INT(store_write(s, "default", b, &r, &e), ST_EFATAL);
    CHECK(store_failed(s)); /* what the server polls to stop */
    atomic_store(&g_rec.fail_fsync, 0);
    /* sticky: no pretending after a failed fsync */
    fill_batch(b, 3);
    CHECK_EQ_INT(store_write(s, "default", b, &r, &e), ST_EFATAL);
    store_close(s, NULL);
    /* replay recovers batch 1 */
    uint64_t acked[] = {1}, missing = 99;
    CHECK_OK(verify(dir, acked, 1, &missing));
    CHECK_EQ_INT(missing, 0);
    store_batch_free(b);
    testlib_rmrf(dir);
    free(dir);
}

/* A delete whose WAL fsync fails leaves the store failed as a write's
 * does: the server learns it from the store, not from an error body. */
static void test_fsync_failure_in_delete(void)
{
    char *dir = testlib_tmpdir("fsyncdel");
    memset(&g_rec, 0, sizeof g_rec);
    store *s = open_rec(dir);
    if (!s) { CHECK(0); return; }
    store_batch *b = store_batch_new();
    store_write_result r;
    fill_batch(b, 1);
    CHECK_OK(store_write(s, "default", b, &r, NULL));
    matcher *m;
    CHECK_OK(matcher_new(MATCH_EQ, st_slice_cstr("__name__"), st_slice_cstr("crash"), &m, NULL));
    atomic_store(&g_rec.fail_fsync, EIO);
    uint64_t n = 0;
    st_err e = {0};
    CHECK_EQ_INT(store_delete(s, "default", &m, 1, INT64_MIN, INT64_MAX, &n, &e), ST_EFATAL);
    CHECK(store_failed(s));
    atomic_store(&g_rec.fail_fsync, 0);
    matcher_free(m);
    store_close(s, NULL);
    store_batch_free(b);
    testlib_rmrf(dir);
    free(dir);
}

static void test_enospc_then_resume(void)
{
    char *dir = testlib_tmpdir("enospc");
    memset(&g_rec, 0, sizeof g_rec);
    store *s = open_rec(dir);
    if (!s) { CHECK(0); return; }
    store_batch *b = store_batch_new();
    store_write_result r;
    fill_batch(b, 1);
    CHECK_OK(store_write(s, "default", b, &r, NULL));
    atomic_store(&g_rec.fail_write, ENOSPC);
    fill_batch(b, 2);
    st_err e = {0};
    CHECK_EQ_INT(store_write(s, "default", b, &r, &e), ST_ENOSPC);
    CHECK(store_disk_full(s));
    /* reads go on while the disk is full */
    {
        matcher *m;
        matcher_new(MATCH_EQ, st_slice_cstr("__name__"), st_slice_cstr("crash"), &m, NULL);
        tscan q;
        CHECK_OK(tscan_open(s, "default", &m, 1, INT64_MIN, INT64_MAX, &q, NULL));
        const uint8_t *key;
        size_t kl;
        series_meta meta;
        codec_samples out = {0};
        CHECK_EQ_INT(tscan_next(&q, &key, &kl, &meta, &out, NULL), 1);
        codec_samples_free(&out);
        tscan_close(&q);
        matcher_free(m);
    }
    atomic_store(&g_rec.fail_write, 0);
    fill_batch(b, 3);
    CHECK_OK(store_write(s, "default", b, &r, &e));
    CHECK(!store_disk_full(s));
    CHECK_OK(store_close(s, NULL));
    uint64_t acked[] = {1, 3}, missing = 99;
    CHECK_OK(verify(dir, acked, 2, &missing));
    CHECK_EQ_INT(missing, 0);
    store_batch_free(b);
    testlib_rmrf(dir);
    free(dir);
}

int main(void)
{
    T0 = (st_now_ns() / ST_NS_PER_S - 7200) * ST_NS_PER_S;
    RUN(test_fsync_precedes_ack);
    RUN(test_fsync_failure_is_fatal);
    RUN(test_fsync_failure_in_delete);
    RUN(test_enospc_then_resume);
    RUN(test_sigkill_rounds);
    return testlib_done("test_crash");
}
