/* test_wal: the write-ahead log against the contract in wal.h.
 *
 * Round trips, rotation, checkpoints, torn-tail and bit-flip sweeps, group
 * commit, a proof that an fsync covers every acknowledged record (a recording
 * vfs), fault injection (fsync EIO, ENOSPC, short writes, failing open and
 * rename) and a small benchmark. STRATA_TEST_QUICK=1 shortens the slow parts.
 */
#include "bits.h"
#include "testlib.h"
#include "wal.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

static bool quick;

/* ---- records ---- */

typedef struct rec {
    uint8_t type;
    size_t n;
    uint8_t *p;
} rec;

typedef struct recs {
    rec *v;
    size_t n, cap;
} recs;

static void recs_add(recs *r, uint8_t type, const uint8_t *p, size_t n)
{
    if (r->n == r->cap) {
        r->cap = r->cap ? 2 * r->cap : 64;
        r->v = realloc(r->v, r->cap * sizeof *r->v);
    }
    rec *x = &r->v[r->n++];
    x->type = type;
    x->n = n;
    x->p = malloc(n ? n : 1);
    if (n) memcpy(x->p, p, n);
}

static void recs_free(recs *r)
{
    for (size_t i = 0; i < r->n; i++) free(r->v[i].p);
    free(r->v);
    memset(r, 0, sizeof *r);
}

static bool rec_eq(const rec *a, const rec *b)
{
    return a->type == b->type && a->n == b->n && memcmp(a->p, b->p, a->n) == 0;
}

static bool recs_eq(const recs *a, const recs *b)
{
    if (a->n != b->n) return false;
    for (size_t i = 0; i < a->n; i++)
        if (!rec_eq(&a->v[i], &b->v[i])) return false;
    return true;
}

static int collect(void *ctx, uint8_t type, const uint8_t *p, size_t n)
{
    recs_add(ctx, type, p, n);
    return 0;
}

/* Deterministic payload; the first 8 bytes carry the id when there is room. */
static void fill(uint8_t *p, size_t n, uint64_t id)
{
    for (size_t i = 0; i < n; i++) p[i] = (uint8_t)(id * 2654435761u + i * 7 + (i >> 8));
    if (n >= 8) put_u64le(p, id);
}

static void make_rec(recs *r, uint8_t type, size_t n, uint64_t id)
{
    uint8_t *p = malloc(n ? n : 1);
    fill(p, n, id);
    recs_add(r, type, p, n);
    free(p);
}

/* ---- files ---- */

static char *path_of(const char *dir, const char *name)
{
    static __thread char buf[4][4200];
    static __thread int k;
    char *p = buf[k++ & 3];
    snprintf(p, 4200, "%s/%s", dir, name);
    return p;
}

static long file_size(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 ? (long)st.st_size : -1;
}

static uint8_t *slurp(const char *path, size_t *n)
{
    FILE *f = fopen(path, "rb");
    if (!f) return NULL;
    fseek(f, 0, SEEK_END);
    long sz = ftell(f);
    fseek(f, 0, SEEK_SET);
    uint8_t *p = malloc(sz ? (size_t)sz : 1);
    *n = fread(p, 1, (size_t)sz, f);
    fclose(f);
    return p;
}

static void spit(const char *path, const uint8_t *p, size_t n)
{
    FILE *f = fopen(path, "wb");
    if (!f) {
        perror(path);
        exit(2);
    }
    if (n) fwrite(p, 1, n, f);
    fclose(f);
}

static int count_files(const char *dir, const char *suffix)
{
    DIR *d = opendir(dir);
    int n = 0;
    struct dirent *de;
    while (d && (de = readdir(d))) {
        size_t l = strlen(de->d_name), ls = strlen(suffix);
        if (de->d_name[0] != '.' && l >= ls && !strcmp(de->d_name + l - ls, suffix)) n++;
    }
    if (d) closedir(d);
    return n;
}

static bool exists(const char *path) { return access(path, F_OK) == 0; }

/* Size of the highest-numbered segment. */
static long last_segment_size(const char *dir)
{
    DIR *d = opendir(dir);
    struct dirent *de;
    unsigned best = 0, no;
    char name[32];
    while (d && (de = readdir(d)))
        if (sscanf(de->d_name, "%u.wal%1s", &no, name) == 1 && no > best) best = no;
    if (d) closedir(d);
    snprintf(name, sizeof name, "%08u.wal", best);
    return file_size(path_of(dir, name));
}

/* Empties a flat directory (the sweeps reuse one instead of forking rm -rf). */
static void clear_dir(const char *dir)
{
    DIR *d = opendir(dir);
    struct dirent *de;
    while (d && (de = readdir(d)))
        if (de->d_name[0] != '.') unlink(path_of(dir, de->d_name));
    if (d) closedir(d);
}

static void scrap(char *dir)
{
    testlib_rmrf(dir);
    free(dir);
}

/* The sweeps make the wal log thousands of repairs: keep stderr readable. */
static int saved_stderr = -1;
static void mute(bool on)
{
    if (getenv("STRATA_TEST_VERBOSE")) return;
    fflush(stderr);
    if (on) {
        saved_stderr = dup(2);
        int fd = open("/dev/null", O_WRONLY);
        dup2(fd, 2);
        close(fd);
    } else if (saved_stderr >= 0) {
        dup2(saved_stderr, 2);
        close(saved_stderr);
        saved_stderr = -1;
    }
}

/* ---- a fault-injecting, recording vfs ---- */

#define MAXID 8192

typedef struct fault {
    vfs v; /* handed to the wal; v.ctx points back here */
    const vfs *base;
    pthread_mutex_t mu;
    int fsync_err, write_err, open_err, rename_err, trunc_err;
    int fsync_skip; /* with fsync_err: fsyncs that still succeed first */
    long write_budget; /* with write_err: bytes that still succeed first */
    size_t short_max;  /* cap on the bytes of one write call */
    const char *open_match;
    bool nofsync; /* fsync does nothing: for the sweeps, where speed matters */
    int fsync_delay_us; /* a disk at least this slow, whatever TMPDIR is on */
    long nfsync, nwrite;
    bool record; /* ordering proof */
    uint64_t seq;
    int wfd[MAXID];
    uint64_t wseq[MAXID], sseq[MAXID];
} fault;

static void record_write(fault *f, int fd, const uint8_t *b, size_t n)
{
    if (n == 24 && get_u32le(b) == 0x4c415753u) return; /* a segment header */
    for (size_t o = 0; o + 9 <= n;) {
        uint32_t len = get_u32le(b + o);
        if (b[o + 8] == 0x42 && len >= 8 && o + 9 + len <= n) {
            uint64_t id = get_u64le(b + o + 9);
            if (id < MAXID) {
                f->wseq[id] = ++f->seq;
                f->wfd[id] = fd;
            }
        }
        o += 9 + (size_t)len;
    }
}

static size_t write_cap(fault *f, size_t n, int *err)
{
    size_t cap = n;
    *err = 0;
    if (f->write_err) {
        if (f->write_budget <= 0) *err = f->write_err;
        else if ((long)n > f->write_budget) cap = (size_t)f->write_budget;
    }
    if (f->short_max && cap > f->short_max) cap = f->short_max;
    return cap;
}

static ssize_t f_pwrite(const vfs *v, int fd, const void *b, size_t n, off_t off)
{
    fault *f = v->ctx;
    int err;
    pthread_mutex_lock(&f->mu);
    size_t cap = write_cap(f, n, &err);
    pthread_mutex_unlock(&f->mu);
    if (err) return err;
    ssize_t r = f->base->pwrite(f->base, fd, b, cap, off);
    pthread_mutex_lock(&f->mu);
    f->nwrite++;
    if (r > 0 && f->write_err) f->write_budget -= r;
    if (r == (ssize_t)n && f->record) record_write(f, fd, b, n);
    pthread_mutex_unlock(&f->mu);
    return r;
}

static ssize_t f_write(const vfs *v, int fd, const void *b, size_t n)
{
    fault *f = v->ctx;
    int err;
    pthread_mutex_lock(&f->mu);
    size_t cap = write_cap(f, n, &err);
    pthread_mutex_unlock(&f->mu);
    if (err) return err;
    ssize_t r = f->base->write(f->base, fd, b, cap);
    pthread_mutex_lock(&f->mu);
    f->nwrite++;
    if (r > 0 && f->write_err) f->write_budget -= r;
    pthread_mutex_unlock(&f->mu);
    return r;
}

static int f_fsync(const vfs *v, int fd)
{
    fault *f = v->ctx;
    pthread_mutex_lock(&f->mu);
    int err = f->fsync_err;
    if (err && f->fsync_skip > 0) {
        f->fsync_skip--;
        err = 0;
    }
    bool nof = f->nofsync;
    int delay = f->fsync_delay_us;
    uint64_t start = ++f->seq;
    pthread_mutex_unlock(&f->mu);
    if (err) return err;
    if (delay) usleep((useconds_t)delay);
    int r = nof ? 0 : f->base->fsync(f->base, fd);
    pthread_mutex_lock(&f->mu);
    f->nfsync++;
    if (r == 0 && f->record) {
        uint64_t done = ++f->seq;
        for (int id = 0; id < MAXID; id++)
            if (f->wseq[id] && f->wfd[id] == fd && f->wseq[id] < start && !f->sseq[id])
                f->sseq[id] = done;
    }
    pthread_mutex_unlock(&f->mu);
    return r;
}

static int f_open(const vfs *v, const char *path, int flags, int mode)
{
    fault *f = v->ctx;
    pthread_mutex_lock(&f->mu);
    int err = f->open_err && (!f->open_match || strstr(path, f->open_match)) ? f->open_err : 0;
    pthread_mutex_unlock(&f->mu);
    return err ? err : f->base->open(f->base, path, flags, mode);
}

static int f_rename(const vfs *v, const char *a, const char *b)
{
    fault *f = v->ctx;
    pthread_mutex_lock(&f->mu);
    int err = f->rename_err;
    pthread_mutex_unlock(&f->mu);
    return err ? err : f->base->rename(f->base, a, b);
}

static int f_ftruncate(const vfs *v, int fd, off_t len)
{
    fault *f = v->ctx;
    pthread_mutex_lock(&f->mu);
    int err = f->trunc_err;
    pthread_mutex_unlock(&f->mu);
    return err ? err : f->base->ftruncate(f->base, fd, len);
}

static fault *fault_new(void)
{
    fault *f = calloc(1, sizeof *f);
    f->base = vfs_posix();
    f->v = *f->base;
    f->v.pwrite = f_pwrite;
    f->v.write = f_write;
    f->v.fsync = f_fsync;
    f->v.open = f_open;
    f->v.rename = f_rename;
    f->v.ftruncate = f_ftruncate;
    f->v.ctx = f;
    pthread_mutex_init(&f->mu, NULL);
    return f;
}

static void fault_set(fault *f, int *field, int val)
{
    pthread_mutex_lock(&f->mu);
    *field = val;
    pthread_mutex_unlock(&f->mu);
}

static void fault_free(fault *f)
{
    pthread_mutex_destroy(&f->mu);
    free(f);
}

/* ---- wal helpers ---- */

static wal *open_wal(const char *dir, const vfs *v, size_t seg, int64_t interval)
{
    wal_opts o = {.vfs = v, .dir = dir, .fsync_interval = interval, .segment_size = seg};
    wal *w = NULL;
    st_err e = {0};
    int rc = wal_open(&o, &w, &e);
    CHECK_MSG(rc == 0, "wal_open %s: %d %s", dir, rc, e.msg);
    return w;
}

/* Opens, replays into out, returns the stats; leaves the wal open in *keep
 * if keep is given, else closes it. */
static int replay_dir(const char *dir, const vfs *v, size_t seg, recs *out, wal_stats *st, wal **keep)
{
    wal *w = open_wal(dir, v, seg, 0);
    if (!w) return -100;
    st_err e = {0};
    int rc = wal_replay(w, collect, out, &e);
    CHECK_MSG(rc == 0, "replay %s: %d %s", dir, rc, e.msg);
    if (st) wal_get_stats(w, st);
    if (keep) *keep = w;
    else CHECK_OK(wal_close(w, NULL));
    return rc;
}

static int append_rec(wal *w, const rec *r, uint64_t *lsn, st_err *e)
{
    /* split some payloads in two to exercise p1/p2 */
    size_t cut = r->n > 16 ? r->n / 3 : 0;
    return wal_append(w, r->type, r->p, cut, r->p + cut, r->n - cut, lsn, e);
}

static void append_all(wal *w, const recs *r, bool sync_each)
{
    uint64_t lsn = 0, prev = 0;
    for (size_t i = 0; i < r->n; i++) {
        st_err e = {0};
        int rc = append_rec(w, &r->v[i], &lsn, &e);
        CHECK_MSG(rc == 0, "append %zu: %d %s", i, rc, e.msg);
        CHECK(lsn > prev);
        prev = lsn;
        if (sync_each) CHECK_OK(wal_sync(w, lsn, NULL));
    }
    CHECK_OK(wal_sync(w, lsn, NULL));
}

/* ---- tests ---- */

static void test_roundtrip_sizes(void)
{
    char *dir = testlib_tmpdir("wal");
    /* the append buffer is 1 MiB: sizes around it take the direct path */
    size_t sizes[] = {0, 1, 7, 8, 9, 100, 4095, 4096, 65536, (1 << 20) - 9, (1 << 20) - 8,
                      1 << 20, (1 << 20) + 1, 3 << 20, 0, 5};
    recs want = {0}, got = {0};
    for (size_t i = 0; i < ST_ARRAY_LEN(sizes); i++) make_rec(&want, (uint8_t)i, sizes[i], i);
    for (uint64_t i = 0; i < 300; i++) make_rec(&want, (uint8_t)(i * 13), (i * 7919) % 3000, 100 + i);

    wal *w = open_wal(dir, NULL, 0, 0);
    CHECK_OK(wal_replay(w, collect, &got, NULL));
    CHECK_EQ_INT(got.n, 0);
    append_all(w, &want, false);
    wal_stats st;
    wal_get_stats(w, &st);
    CHECK_EQ_INT(st.records_written, want.n);
    CHECK(st.fsyncs >= 1);
    CHECK(st.disk_bytes > 4u << 20);
    CHECK_OK(wal_close(w, NULL));

    replay_dir(dir, NULL, 0, &got, &st, NULL);
    CHECK(recs_eq(&want, &got));
    CHECK_EQ_INT(st.replay_records, want.n);
    CHECK_EQ_INT(st.truncated_tails, 0);
    CHECK_EQ_INT(st.corrupt_segments, 0);

    /* a second life appends to a new segment; everything comes back in order */
    recs more = {0};
    for (uint64_t i = 0; i < 50; i++) make_rec(&more, 7, i * 3, 1000 + i);
    recs_free(&got);
    replay_dir(dir, NULL, 0, &got, NULL, &w);
    append_all(w, &more, true);
    CHECK_OK(wal_close(w, NULL));
    CHECK_EQ_INT(count_files(dir, ".wal"), 2);
    for (size_t i = 0; i < more.n; i++) recs_add(&want, more.v[i].type, more.v[i].p, more.v[i].n);
    recs_free(&got);
    replay_dir(dir, NULL, 0, &got, NULL, NULL);
    CHECK(recs_eq(&want, &got));
    recs_free(&want);
    recs_free(&got);
    recs_free(&more);
    scrap(dir);
}

static void test_rotation(void)
{
    char *dir = testlib_tmpdir("wal");
    recs want = {0}, got = {0};
    for (uint64_t i = 0; i < 600; i++) make_rec(&want, 1, 50 + (i * 37) % 250, i);
    make_rec(&want, 2, 10000, 600); /* bigger than a segment: a segment of its own */
    for (uint64_t i = 601; i < 700; i++) make_rec(&want, 1, 100, i);

    wal *w = open_wal(dir, NULL, 4096, 0);
    CHECK_OK(wal_replay(w, collect, &got, NULL));
    uint64_t lsn = 0;
    for (size_t i = 0; i < want.n; i++) {
        CHECK_OK(append_rec(w, &want.v[i], &lsn, NULL));
        if (i % 10 == 9) CHECK_OK(wal_sync(w, lsn, NULL));
    }
    CHECK_OK(wal_close(w, NULL));
    int nseg = count_files(dir, ".wal");
    CHECK_MSG(nseg > 30, "%d segments", nseg);
    DIR *d = opendir(dir);
    struct dirent *de;
    int big = 0;
    while ((de = readdir(d))) {
        long sz = file_size(path_of(dir, de->d_name));
        if (de->d_name[0] != '.' && sz > 4096) {
            big++;
            CHECK(sz == 24 + 9 + 10000);
        }
    }
    closedir(d);
    CHECK_EQ_INT(big, 1);
    wal_stats st;
    replay_dir(dir, NULL, 4096, &got, &st, NULL);
    CHECK(recs_eq(&want, &got));
    CHECK_EQ_INT(st.segments, nseg);
    recs_free(&want);
    recs_free(&got);
    scrap(dir);
}

static void test_checkpoint(void)
{
    char *dir = testlib_tmpdir("wal");
    recs before = {0}, state = {0}, after = {0}, got = {0};
    for (uint64_t i = 0; i < 200; i++) make_rec(&before, 1, 120, i);
    for (uint64_t i = 0; i < 5; i++) make_rec(&state, 9, 300, 5000 + i);
    for (uint64_t i = 200; i < 260; i++) make_rec(&after, 1, 120, i);

    wal *w = open_wal(dir, NULL, 2048, 0);
    CHECK_OK(wal_replay(w, collect, &got, NULL));
    append_all(w, &before, false);
    int nseg_before = count_files(dir, ".wal");
    CHECK(nseg_before > 5);

    wal_ckpt *c = NULL, *c2 = NULL;
    st_err e = {0};
    CHECK_OK(wal_checkpoint_begin(w, &c, &e));
    CHECK_EQ_INT(wal_checkpoint_begin(w, &c2, NULL), ST_EEXIST);
    /* appends go on while the checkpoint is written */
    append_all(w, &after, true);
    for (size_t i = 0; i < state.n; i++)
        CHECK_OK(wal_checkpoint_add(c, state.v[i].type, state.v[i].p, state.v[i].n, NULL));
    CHECK_OK(wal_checkpoint_commit(c, &e));
    CHECK_EQ_INT(count_files(dir, ".tmp"), 0);
    int nck = 0;
    DIR *d = opendir(dir);
    struct dirent *de;
    unsigned ckno = 0, minseg = ~0u;
    while ((de = readdir(d))) {
        unsigned no;
        if (sscanf(de->d_name, "checkpoint.%u", &no) == 1) {
            nck++;
            ckno = no;
        } else if (sscanf(de->d_name, "%u.wal", &no) == 1 && no < minseg) {
            minseg = no;
        }
    }
    closedir(d);
    CHECK_EQ_INT(nck, 1);
    CHECK_MSG(minseg == ckno, "oldest segment %u, checkpoint %u", minseg, ckno);
    wal_stats st;
    wal_get_stats(w, &st);
    CHECK_EQ_INT(st.segments, count_files(dir, ".wal"));
    CHECK_OK(wal_close(w, NULL));

    recs want = {0};
    for (size_t i = 0; i < state.n; i++) recs_add(&want, state.v[i].type, state.v[i].p, state.v[i].n);
    for (size_t i = 0; i < after.n; i++) recs_add(&want, after.v[i].type, after.v[i].p, after.v[i].n);
    replay_dir(dir, NULL, 2048, &got, &st, &w);
    CHECK(recs_eq(&want, &got));
    CHECK_EQ_INT(st.corrupt_segments, 0);

    /* a second checkpoint supersedes the first; an aborted one leaves nothing */
    CHECK_OK(wal_checkpoint_begin(w, &c, NULL));
    CHECK_OK(wal_checkpoint_add(c, 3, "abc", 3, NULL));
    wal_checkpoint_abort(c);
    CHECK_EQ_INT(count_files(dir, ".tmp"), 0);
    CHECK_OK(wal_checkpoint_begin(w, &c, NULL));
    CHECK_OK(wal_checkpoint_add(c, 3, "xyz", 3, NULL));
    CHECK_OK(wal_checkpoint_add(c, 4, NULL, 0, NULL));
    CHECK_OK(wal_checkpoint_commit(c, NULL));
    CHECK_OK(wal_close(w, NULL));
    nck = 0;
    d = opendir(dir);
    while ((de = readdir(d)))
        if (!strncmp(de->d_name, "checkpoint.", 11)) nck++;
    closedir(d);
    CHECK_EQ_INT(nck, 1);
    recs_free(&got);
    replay_dir(dir, NULL, 2048, &got, NULL, NULL);
    CHECK_EQ_INT(got.n, 2);
    CHECK(got.n == 2 && got.v[0].type == 3 && got.v[0].n == 3 && !memcmp(got.v[0].p, "xyz", 3));
    CHECK(got.n == 2 && got.v[1].type == 4 && got.v[1].n == 0);
    recs_free(&before);
    recs_free(&state);
    recs_free(&after);
    recs_free(&got);
    recs_free(&want);
    scrap(dir);
}

/* Leftovers of a commit that crashed after its rename: replay finishes it. */
static void test_checkpoint_leftovers(void)
{
    char *dir = testlib_tmpdir("wal");
    recs a = {0}, got = {0};
    for (uint64_t i = 0; i < 100; i++) make_rec(&a, 1, 100, i);
    wal *w = open_wal(dir, NULL, 1024, 0);
    CHECK_OK(wal_replay(w, collect, &got, NULL));
    append_all(w, &a, false);
    wal_ckpt *c;
    CHECK_OK(wal_checkpoint_begin(w, &c, NULL));
    CHECK_OK(wal_checkpoint_add(c, 5, "state", 5, NULL));
    CHECK_OK(wal_checkpoint_commit(c, NULL));
    CHECK_OK(wal_close(w, NULL));
    /* fake an old segment and an old checkpoint that a crash left behind, and
     * a tmp (with 1 KiB segments and 100 records the cut is far above 1) */
    CHECK(!exists(path_of(dir, "00000001.wal")));
    spit(path_of(dir, "00000001.wal"), (const uint8_t *)"garbage", 7);
    spit(path_of(dir, "checkpoint.00000001"), (const uint8_t *)"garbage", 7);
    spit(path_of(dir, "checkpoint.00009999.tmp"), (const uint8_t *)"x", 1);
    wal_stats st;
    replay_dir(dir, NULL, 1024, &got, &st, NULL);
    CHECK_EQ_INT(got.n, 1);
    CHECK_EQ_INT(st.corrupt_segments, 0);
    CHECK(!exists(path_of(dir, "00000001.wal")));
    CHECK(!exists(path_of(dir, "checkpoint.00000001")));
    CHECK(!exists(path_of(dir, "checkpoint.00009999.tmp")));
    recs_free(&a);
    recs_free(&got);
    scrap(dir);
}

static void test_checkpoint_corrupt(void)
{
    char *dir = testlib_tmpdir("wal");
    recs got = {0};
    wal *w = open_wal(dir, NULL, 0, 0);
    CHECK_OK(wal_replay(w, collect, &got, NULL));
    wal_ckpt *c;
    CHECK_OK(wal_checkpoint_begin(w, &c, NULL));
    for (int i = 0; i < 10; i++) {
        uint8_t p[40];
        fill(p, sizeof p, (uint64_t)i);
        CHECK_OK(wal_checkpoint_add(c, 8, p, sizeof p, NULL));
    }
    CHECK_OK(wal_checkpoint_commit(c, NULL));
    uint64_t lsn;
    CHECK_OK(wal_append(w, 1, "after", 5, NULL, 0, &lsn, NULL));
    CHECK_OK(wal_close(w, NULL));

    /* damage inside: record 3's payload; the rest is kept */
    char ck[4200];
    DIR *d = opendir(dir);
    struct dirent *de;
    while ((de = readdir(d)))
        if (!strncmp(de->d_name, "checkpoint.", 11)) snprintf(ck, sizeof ck, "%s", path_of(dir, de->d_name));
    closedir(d);
    size_t n;
    uint8_t *b = slurp(ck, &n);
    CHECK(n == 24 + 10 * 49 + 12);
    b[24 + 3 * 49 + 20] ^= 0x10;
    spit(ck, b, n);
    wal_stats st;
    replay_dir(dir, NULL, 0, &got, &st, NULL);
    CHECK_EQ_INT(got.n, 10); /* 9 of the checkpoint, 1 after */
    CHECK_EQ_INT(st.corrupt_segments, 1);
    char aside[4300];
    snprintf(aside, sizeof aside, "%s.corrupt", ck);
    CHECK(exists(aside));
    recs_free(&got);
    replay_dir(dir, NULL, 0, &got, &st, NULL);
    CHECK_EQ_INT(got.n, 10);
    CHECK_EQ_INT(st.corrupt_segments, 0);

    /* a checkpoint cut short (no end marker): salvaged with a new one */
    free(b);
    b = slurp(ck, &n);
    spit(ck, b, n - 12);
    recs_free(&got);
    replay_dir(dir, NULL, 0, &got, &st, NULL);
    CHECK_EQ_INT(got.n, 10);
    CHECK_EQ_INT(st.corrupt_segments, 1);
    CHECK_EQ_INT(file_size(ck), (long)n);
    recs_free(&got);
    replay_dir(dir, NULL, 0, &got, &st, NULL);
    CHECK_EQ_INT(st.corrupt_segments, 0);

    /* a bad header: moved aside, the segments alone are replayed */
    b[5] ^= 1;
    spit(ck, b, n);
    free(b);
    recs_free(&got);
    replay_dir(dir, NULL, 0, &got, &st, NULL);
    CHECK_EQ_INT(got.n, 1);
    CHECK(got.n == 1 && got.v[0].n == 5 && !memcmp(got.v[0].p, "after", 5));
    CHECK_EQ_INT(st.corrupt_segments, 1);
    CHECK(!exists(ck));
    recs_free(&got);
    scrap(dir);
}

/* Builds a one-segment wal of n records and returns its bytes and the
 * offset where each record ends (ends[i] = end of record i). */
static uint8_t *build_segment(const char *dir, recs *want, size_t n, size_t **ends, size_t *len, const vfs *v)
{
    for (uint64_t i = 0; i < n; i++) make_rec(want, (uint8_t)i, (i * 53) % 200, i);
    wal *w = open_wal(dir, v, 0, 0);
    recs none = {0};
    CHECK_OK(wal_replay(w, collect, &none, NULL));
    append_all(w, want, false);
    CHECK_OK(wal_close(w, NULL));
    *ends = malloc(n * sizeof **ends);
    size_t off = 24;
    for (size_t i = 0; i < n; i++) (*ends)[i] = off += 9 + want->v[i].n;
    uint8_t *b = slurp(path_of(dir, "00000001.wal"), len);
    CHECK(b && *len == off);
    return b;
}

static void test_torn_tail_sweep(void)
{
    fault *f = fault_new();
    f->nofsync = true;
    char *src = testlib_tmpdir("wal");
    recs want = {0};
    size_t *ends, len, n = 40;
    uint8_t *b = build_segment(src, &want, n, &ends, &len, &f->v);
    size_t from = quick ? ends[n - 3] : ends[n - 6];
    int bad = 0;
    char first[256] = "";
    char *dir = testlib_tmpdir("walt");
    mute(true);
    for (size_t cut = 0; cut <= len; cut++) {
        if (cut > 30 && cut < from) continue; /* every cut in the header, then the tail */
        clear_dir(dir);
        char *seg = path_of(dir, "00000001.wal");
        spit(seg, b, cut);
        size_t k = 0;
        while (k < n && ends[k] <= cut) k++;
        size_t good = k ? ends[k - 1] : (cut >= 24 ? 24 : 0);
        recs got = {0};
        wal_stats st;
        wal *w = NULL;
        replay_dir(dir, &f->v, 0, &got, &st, &w);
        bool ok = got.n == k;
        for (size_t i = 0; ok && i < k; i++) ok = rec_eq(&got.v[i], &want.v[i]);
        ok = ok && st.truncated_tails == (cut < 24 ? 1u : cut != good);
        ok = ok && st.truncated_bytes == (cut < 24 ? cut : cut - good);
        ok = ok && st.corrupt_segments == 0;
        ok = ok && file_size(seg) == (cut < 24 ? -1 : (long)good);
        /* the log goes on after the cut */
        uint64_t lsn;
        CHECK_OK(wal_append(w, 77, "next", 4, NULL, 0, &lsn, NULL));
        CHECK_OK(wal_sync(w, lsn, NULL));
        CHECK_OK(wal_close(w, NULL));
        recs_free(&got);
        replay_dir(dir, &f->v, 0, &got, &st, NULL);
        ok = ok && got.n == k + 1 && got.v[k].type == 77 && st.truncated_tails == 0 &&
             st.corrupt_segments == 0;
        if (!ok && !bad++)
            snprintf(first, sizeof first, "cut at %zu of %zu: %zu records, wanted %zu", cut, len, got.n, k + 1);
        recs_free(&got);
    }
    mute(false);
    scrap(dir);
    CHECK_MSG(bad == 0, "%d bad cuts, first: %s", bad, first);
    free(b);
    free(ends);
    recs_free(&want);
    scrap(src);
    fault_free(f);
}

static void test_tail_flip(void)
{
    char *dir = testlib_tmpdir("wal");
    recs want = {0}, got = {0};
    size_t *ends, len, n = 20;
    uint8_t *b = build_segment(dir, &want, n, &ends, &len, NULL);
    /* a flip in the last record's payload, then one in the last record's length */
    for (int round = 0; round < 2; round++) {
        size_t at = round == 0 ? ends[n - 2] + 9 + 3 : ends[n - 3];
        b[at] ^= 0x04;
        spit(path_of(dir, "00000001.wal"), b, len);
        b[at] ^= 0x04;
        size_t keep = round == 0 ? n - 1 : n - 2;
        wal_stats st;
        recs_free(&got);
        replay_dir(dir, NULL, 0, &got, &st, NULL);
        CHECK_EQ_INT(got.n, keep);
        CHECK_EQ_INT(st.truncated_tails, 1);
        CHECK_EQ_INT(st.corrupt_segments, 0);
        CHECK_EQ_INT(file_size(path_of(dir, "00000001.wal")), ends[keep - 1]);
        /* leave only the first segment for the next round */
        unlink(path_of(dir, "00000002.wal"));
    }
    free(b);
    free(ends);
    recs_free(&want);
    recs_free(&got);
    scrap(dir);
}

/* Zero-filled space (preallocation, a crash before data reached the disk):
 * an all-zero new segment is removed; a zero tail is cut off. */
static void test_zero_fill(void)
{
    char *dir = testlib_tmpdir("wal");
    recs want = {0}, got = {0};
    size_t *ends, len, n = 10;
    uint8_t *b = build_segment(dir, &want, n, &ends, &len, NULL);
    uint8_t *z = calloc(1, 8192);
    spit(path_of(dir, "00000002.wal"), z, 4096);
    wal_stats st;
    replay_dir(dir, NULL, 0, &got, &st, NULL);
    CHECK(recs_eq(&want, &got));
    CHECK_EQ_INT(st.truncated_tails, 1); /* segment 2, the last, removed */
    CHECK_EQ_INT(st.corrupt_segments, 0);
    CHECK(!exists(path_of(dir, "00000002.wal")));
    /* a zero tail on the last segment is cut (on any other it would be damage:
     * a segment is fsynced before the next one is created) */
    uint8_t *t = malloc(len + 8192);
    memcpy(t, b, len);
    memset(t + len, 0, 8192);
    spit(path_of(dir, "00000001.wal"), t, len + 8192);
    recs_free(&got);
    replay_dir(dir, NULL, 0, &got, &st, NULL);
    CHECK(recs_eq(&want, &got));
    CHECK_EQ_INT(st.truncated_tails, 1);
    CHECK_EQ_INT(st.truncated_bytes, 8192);
    CHECK_EQ_INT(file_size(path_of(dir, "00000001.wal")), (long)len);
    free(z);
    free(t);
    free(b);
    free(ends);
    recs_free(&want);
    recs_free(&got);
    scrap(dir);
}

static void test_middle_flip(void)
{
    char *dir = testlib_tmpdir("wal");
    recs want = {0}, got = {0};
    for (uint64_t i = 0; i < 60; i++) make_rec(&want, 1, 100, i); /* 109 bytes each */
    wal *w = open_wal(dir, NULL, 24 + 10 * 109, 0);
    CHECK_OK(wal_replay(w, collect, &got, NULL));
    append_all(w, &want, false);
    CHECK_OK(wal_close(w, NULL));
    CHECK_EQ_INT(count_files(dir, ".wal"), 6);
    char *seg2 = path_of(dir, "00000002.wal");
    size_t n;
    uint8_t *b = slurp(seg2, &n);
    CHECK(n == 24 + 10 * 109);

    /* payload flip in record 3 of segment 2: that one record is lost */
    b[24 + 3 * 109 + 50] ^= 0x80;
    spit(seg2, b, n);
    b[24 + 3 * 109 + 50] ^= 0x80;
    wal_stats st;
    replay_dir(dir, NULL, 0, &got, &st, NULL);
    CHECK_EQ_INT(got.n, 59);
    CHECK_EQ_INT(st.corrupt_segments, 1);
    CHECK_EQ_INT(st.truncated_tails, 0);
    CHECK(exists(path_of(dir, "00000002.wal.corrupt")));
    for (size_t i = 0, j = 0; i < got.n && j < want.n; i++, j++) {
        if (j == 13) j++;
        CHECK(rec_eq(&got.v[i], &want.v[j]));
    }
    /* the salvaged segment stays valid on the next start */
    recs_free(&got);
    replay_dir(dir, NULL, 0, &got, &st, NULL);
    CHECK_EQ_INT(got.n, 59);
    CHECK_EQ_INT(st.corrupt_segments, 0);

    /* length flip in record 2 of segment 3: the rest of it is lost, later segments stay */
    char *seg3 = path_of(dir, "00000003.wal");
    uint8_t *b3 = slurp(seg3, &n);
    b3[24 + 2 * 109 + 1] ^= 0x01;
    spit(seg3, b3, n);
    free(b3);
    recs_free(&got);
    replay_dir(dir, NULL, 0, &got, &st, NULL);
    CHECK_EQ_INT(got.n, 59 - 8);
    CHECK_EQ_INT(st.corrupt_segments, 1);
    CHECK(got.n > 0 && rec_eq(&got.v[got.n - 1], &want.v[59]));

    /* a bad segment header: the file goes aside whole */
    char *seg4 = path_of(dir, "00000004.wal");
    uint8_t *b4 = slurp(seg4, &n);
    b4[0] ^= 0xff;
    spit(seg4, b4, n);
    free(b4);
    recs_free(&got);
    replay_dir(dir, NULL, 0, &got, &st, NULL);
    CHECK_EQ_INT(got.n, 59 - 8 - 10);
    CHECK_EQ_INT(st.corrupt_segments, 1);
    CHECK(!exists(seg4) && exists(path_of(dir, "00000004.wal.corrupt")));
    free(b);
    recs_free(&want);
    recs_free(&got);
    scrap(dir);
}

/* Flip each byte of a small two-segment wal: replay must never crash, must
 * return only records that were written, in order, and be stable after. */
static void test_bitflip_sweep(void)
{
    fault *f = fault_new();
    f->nofsync = true;
    char *src = testlib_tmpdir("wal");
    recs want = {0}, none = {0};
    for (uint64_t i = 0; i < 24; i++) make_rec(&want, (uint8_t)i, (i * 29) % 60, i);
    wal *w = open_wal(src, &f->v, 500, 0);
    CHECK_OK(wal_replay(w, collect, &none, NULL));
    append_all(w, &want, false);
    CHECK_OK(wal_close(w, NULL));
    int nfiles = count_files(src, ".wal");
    CHECK(nfiles >= 2);
    uint8_t *files[16];
    size_t lens[16];
    for (int i = 0; i < nfiles && i < 16; i++) {
        char name[32];
        snprintf(name, sizeof name, "%08d.wal", i + 1);
        files[i] = slurp(path_of(src, name), &lens[i]);
    }
    int bad = 0, step = quick ? 3 : 1;
    char first[256] = "";
    char *dir = testlib_tmpdir("walb");
    mute(true);
    for (int fi = 0; fi < nfiles && fi < 16; fi++) {
        for (size_t at = 0; at < lens[fi]; at += (size_t)step) {
            clear_dir(dir);
            for (int j = 0; j < nfiles && j < 16; j++) {
                char name[32];
                snprintf(name, sizeof name, "%08d.wal", j + 1);
                if (j == fi) files[j][at] ^= (uint8_t)(1u << (at % 8));
                spit(path_of(dir, name), files[j], lens[j]);
                if (j == fi) files[j][at] ^= (uint8_t)(1u << (at % 8));
            }
            recs got = {0}, again = {0};
            wal_stats st;
            replay_dir(dir, &f->v, 500, &got, &st, &w);
            size_t j = 0;
            bool ok = true;
            for (size_t i = 0; ok && i < got.n; i++) {
                while (j < want.n && !rec_eq(&got.v[i], &want.v[j])) j++;
                ok = j++ < want.n;
            }
            uint64_t lsn;
            CHECK_OK(wal_append(w, 99, "z", 1, NULL, 0, &lsn, NULL));
            CHECK_OK(wal_close(w, NULL));
            replay_dir(dir, &f->v, 500, &again, &st, NULL);
            ok = ok && again.n == got.n + 1 && st.truncated_tails == 0 && st.corrupt_segments == 0;
            for (size_t i = 0; ok && i < got.n; i++) ok = rec_eq(&got.v[i], &again.v[i]);
            if (!ok && !bad++)
                snprintf(first, sizeof first, "flip in file %d at %zu: %zu then %zu records", fi + 1,
                         at, got.n, again.n);
            recs_free(&got);
            recs_free(&again);
        }
    }
    mute(false);
    scrap(dir);
    CHECK_MSG(bad == 0, "%d bad flips, first: %s", bad, first);
    for (int i = 0; i < nfiles && i < 16; i++) free(files[i]);
    recs_free(&want);
    scrap(src);
    fault_free(f);
}

/* ---- concurrency ---- */

typedef struct worker {
    wal *w;
    fault *f;
    int id, count, fails;
    size_t size;
    int64_t lat_ns;
} worker;

static void *gc_worker(void *arg)
{
    worker *k = arg;
    uint8_t p[256];
    for (int i = 0; i < k->count; i++) {
        uint64_t lsn;
        put_u32le(p, (uint32_t)k->id);
        put_u32le(p + 4, (uint32_t)i);
        fill(p + 8, 40, (uint64_t)(k->id * 100000 + i));
        st_err e = {0};
        int rc = wal_append(k->w, 1, p, 48, NULL, 0, &lsn, &e);
        if (rc == 0) rc = wal_sync(k->w, lsn, &e);
        if (rc) {
            if (k->fails++ < 3) fprintf(stderr, "worker %d: %d %s\n", k->id, rc, e.msg);
        }
    }
    return NULL;
}

/* fsync is given a floor of 300 us: on tmpfs it costs ~1 us, nothing piles
 * up behind it, and there would be nothing to group. */
static void test_group_commit(void)
{
    char *dir = testlib_tmpdir("wal");
    enum { T = 8 };
    int per = quick ? 500 : 2000;
    fault *f = fault_new();
    f->fsync_delay_us = 300;
    wal *w = open_wal(dir, &f->v, 1 << 20, 0);
    recs got = {0};
    CHECK_OK(wal_replay(w, collect, &got, NULL));
    pthread_t th[T];
    worker k[T];
    for (int i = 0; i < T; i++) {
        k[i] = (worker){.w = w, .id = i, .count = per};
        pthread_create(&th[i], NULL, gc_worker, &k[i]);
    }
    for (int i = 0; i < T; i++) {
        pthread_join(th[i], NULL);
        CHECK_EQ_INT(k[i].fails, 0);
    }
    wal_stats st;
    wal_get_stats(w, &st);
    CHECK_OK(wal_close(w, NULL));
    printf("group commit: %d syncs, %" PRIu64 " fsyncs (%.1f%%)\n", T * per, st.fsyncs,
           100.0 * (double)st.fsyncs / (T * per));
    CHECK_MSG(st.fsyncs * 2 < (uint64_t)(T * per), "%" PRIu64 " fsyncs for %d syncs", st.fsyncs, T * per);
    uint64_t hist = 0;
    for (int i = 0; i < 12; i++) hist += st.fsync_hist[i];
    CHECK_EQ_INT(hist, st.fsyncs);

    replay_dir(dir, NULL, 1 << 20, &got, NULL, NULL);
    CHECK_EQ_INT(got.n, T * per);
    int next[T] = {0};
    bool order = true;
    for (size_t i = 0; i < got.n; i++) {
        uint32_t id = get_u32le(got.v[i].p), seq = get_u32le(got.v[i].p + 4);
        if (id >= T || seq != (uint32_t)next[id]++) order = false;
    }
    CHECK(order);
    recs_free(&got);
    fault_free(f);
    scrap(dir);
}

typedef struct proof {
    wal *w;
    fault *f;
    int base, count, violations;
    bool interval;
} proof;

static void *proof_worker(void *arg)
{
    proof *p = arg;
    for (int i = 0; i < p->count; i++) {
        uint64_t id = (uint64_t)(p->base + i), lsn;
        uint8_t buf[64];
        fill(buf, sizeof buf, id);
        if (wal_append(p->w, 0x42, buf, sizeof buf, NULL, 0, &lsn, NULL) ||
            wal_sync(p->w, lsn, NULL)) {
            p->violations++;
            continue;
        }
        fault *f = p->f;
        pthread_mutex_lock(&f->mu);
        uint64_t ret = ++f->seq;
        bool ok = f->wseq[id] && f->wseq[id] < ret;
        if (!p->interval) ok = ok && f->sseq[id] && f->sseq[id] < ret;
        pthread_mutex_unlock(&f->mu);
        if (!ok) p->violations++;
    }
    return NULL;
}

/* When wal_sync(lsn) returns, the write holding the record happened, and (in
 * fsync-always mode) an fsync of that file started after it and finished. */
static void test_ordering_proof(void)
{
    for (int mode = 0; mode < 2; mode++) {
        char *dir = testlib_tmpdir("wal");
        fault *f = fault_new();
        f->record = true;
        wal *w = open_wal(dir, &f->v, 64 << 10, mode ? 20 * ST_NS_PER_MS : 0);
        recs got = {0};
        CHECK_OK(wal_replay(w, collect, &got, NULL));
        enum { T = 4 };
        int per = quick ? 300 : 1000;
        pthread_t th[T];
        proof p[T];
        for (int i = 0; i < T; i++) {
            p[i] = (proof){.w = w, .f = f, .base = 1 + i * per, .count = per, .interval = mode == 1};
            pthread_create(&th[i], NULL, proof_worker, &p[i]);
        }
        for (int i = 0; i < T; i++) {
            pthread_join(th[i], NULL);
            CHECK_EQ_INT(p[i].violations, 0);
        }
        CHECK_OK(wal_close(w, NULL));
        /* after close every record is covered by an fsync, in both modes */
        int unsynced = 0;
        for (int id = 1; id <= T * per; id++) unsynced += f->sseq[id] == 0;
        CHECK_EQ_INT(unsynced, 0);
        CHECK(count_files(dir, ".wal") > 1); /* rotation was covered too */
        fault_free(f);
        scrap(dir);
    }
}

/* Large records from several threads fill the append buffer: appenders must
 * wait for or lead flushes, and big ones go around the buffer. */
typedef struct presser {
    wal *w;
    int id, count, fails;
} presser;

static void *press_worker(void *arg)
{
    presser *p = arg;
    size_t cap = 1500 << 10;
    uint8_t *buf = malloc(cap);
    for (int i = 0; i < p->count; i++) {
        size_t n = 8 + (size_t)((p->id * 7919 + i * 104729) % (int)cap);
        fill(buf, n, (uint64_t)i);
        put_u32le(buf, (uint32_t)p->id);
        put_u32le(buf + 4, (uint32_t)i);
        uint64_t lsn;
        if (wal_append(p->w, 3, buf, n / 2, buf + n / 2, n - n / 2, &lsn, NULL) ||
            (i % 4 == 3 && wal_sync(p->w, lsn, NULL)))
            p->fails++;
    }
    free(buf);
    return NULL;
}

static void test_buffer_pressure(void)
{
    char *dir = testlib_tmpdir("wal");
    wal *w = open_wal(dir, NULL, 4 << 20, 0);
    recs got = {0};
    CHECK_OK(wal_replay(w, collect, &got, NULL));
    enum { T = 4 };
    pthread_t th[T];
    presser p[T];
    for (int i = 0; i < T; i++) {
        p[i] = (presser){.w = w, .id = i, .count = quick ? 12 : 40};
        pthread_create(&th[i], NULL, press_worker, &p[i]);
    }
    for (int i = 0; i < T; i++) {
        pthread_join(th[i], NULL);
        CHECK_EQ_INT(p[i].fails, 0);
    }
    CHECK_OK(wal_close(w, NULL));
    replay_dir(dir, NULL, 4 << 20, &got, NULL, NULL);
    int next[T] = {0};
    bool ok = got.n == (size_t)(T * p[0].count);
    for (size_t i = 0; ok && i < got.n; i++) {
        uint32_t id = get_u32le(got.v[i].p), seq = get_u32le(got.v[i].p + 4);
        ok = id < T && seq == (uint32_t)next[id]++;
    }
    CHECK_MSG(ok, "%zu records", got.n);
    recs_free(&got);
    scrap(dir);
}

/* Appenders and a checkpointer race; TSan runs this. Each thread's records
 * that survive the last checkpoint must be a contiguous run ending at its last
 * record (the checkpoint here holds one marker record, not the state). */
typedef struct racer {
    wal *w;
    int id, count;
    volatile int *stop;
} racer;

static void *race_appender(void *arg)
{
    racer *r = arg;
    for (int i = 0; i < r->count; i++) {
        uint8_t p[32];
        put_u32le(p, (uint32_t)r->id);
        put_u32le(p + 4, (uint32_t)i);
        fill(p + 8, 24, (uint64_t)i);
        uint64_t lsn;
        if (wal_append(r->w, 1, p, sizeof p, NULL, 0, &lsn, NULL) == 0 && (i % 3 == 0 || i == r->count - 1))
            wal_sync(r->w, lsn, NULL);
    }
    return NULL;
}

static void *race_checkpointer(void *arg)
{
    racer *r = arg;
    int n = 0;
    while (!__atomic_load_n(r->stop, __ATOMIC_ACQUIRE)) {
        wal_ckpt *c;
        if (wal_checkpoint_begin(r->w, &c, NULL) == 0) {
            CHECK_OK(wal_checkpoint_add(c, 9, "ck", 2, NULL));
            if (n++ % 4 == 3) wal_checkpoint_abort(c);
            else CHECK_OK(wal_checkpoint_commit(c, NULL));
        }
        wal_stats st;
        wal_get_stats(r->w, &st);
        usleep(2000);
    }
    return NULL;
}

static void test_concurrent_checkpoints(void)
{
    for (int mode = 0; mode < 2; mode++) {
        char *dir = testlib_tmpdir("wal");
        wal *w = open_wal(dir, NULL, 8 << 10, mode ? 5 * ST_NS_PER_MS : 0);
        recs got = {0};
        CHECK_OK(wal_replay(w, collect, &got, NULL));
        enum { T = 4 };
        volatile int stop = 0;
        pthread_t th[T], ck;
        racer r[T], rc = {.w = w, .stop = &stop};
        pthread_create(&ck, NULL, race_checkpointer, &rc);
        for (int i = 0; i < T; i++) {
            r[i] = (racer){.w = w, .id = i, .count = quick ? 1500 : 5000};
            pthread_create(&th[i], NULL, race_appender, &r[i]);
        }
        for (int i = 0; i < T; i++) pthread_join(th[i], NULL);
        __atomic_store_n(&stop, 1, __ATOMIC_RELEASE);
        pthread_join(ck, NULL);
        CHECK_OK(wal_close(w, NULL));
        wal_stats st;
        replay_dir(dir, NULL, 8 << 10, &got, &st, NULL);
        CHECK_EQ_INT(st.corrupt_segments + st.truncated_tails, 0);
        int first[T], last[T];
        bool ok = true;
        for (int i = 0; i < T; i++) first[i] = last[i] = -1;
        for (size_t i = 0; i < got.n; i++) {
            if (got.v[i].type == 9) {
                ok = ok && i == 0; /* only the checkpoint's record, first */
                continue;
            }
            int id = (int)get_u32le(got.v[i].p), seq = (int)get_u32le(got.v[i].p + 4);
            if (first[id] < 0) first[id] = seq;
            else ok = ok && seq == last[id] + 1;
            last[id] = seq;
        }
        /* a thread whose records were all before the last cut has none left */
        for (int i = 0; i < T; i++) ok = ok && (first[i] < 0 || last[i] == r[i].count - 1);
        CHECK_MSG(ok, "mode %d: %zu records", mode, got.n);
        recs_free(&got);
        scrap(dir);
    }
}

/* ---- faults ---- */

static void test_fsync_eio(void)
{
    char *dir = testlib_tmpdir("wal");
    fault *f = fault_new();
    wal *w = open_wal(dir, &f->v, 0, 0);
    recs got = {0};
    CHECK_OK(wal_replay(w, collect, &got, NULL));
    uint64_t l1, l2, l3;
    CHECK_OK(wal_append(w, 1, "one", 3, NULL, 0, &l1, NULL));
    CHECK_OK(wal_sync(w, l1, NULL));
    fault_set(f, &f->fsync_err, -EIO);
    CHECK_OK(wal_append(w, 1, "two", 3, NULL, 0, &l2, NULL));
    st_err e = {0};
    CHECK_EQ_INT(wal_sync(w, l2, &e), ST_EFATAL);
    CHECK(strstr(e.msg, "fsync") != NULL);
    fault_set(f, &f->fsync_err, 0); /* a later fsync "succeeding" changes nothing */
    CHECK_EQ_INT(wal_error(w), ST_EFATAL);
    CHECK_EQ_INT(wal_append(w, 1, "three", 5, NULL, 0, &l3, NULL), ST_EFATAL);
    CHECK_EQ_INT(wal_sync(w, l1, NULL), ST_EFATAL);
    wal_ckpt *c;
    CHECK_EQ_INT(wal_checkpoint_begin(w, &c, NULL), ST_EFATAL);
    CHECK_EQ_INT(wal_close(w, NULL), ST_EFATAL);
    /* replay recovers at least what was acknowledged */
    replay_dir(dir, NULL, 0, &got, NULL, NULL);
    CHECK(got.n >= 1 && got.v[0].n == 3 && !memcmp(got.v[0].p, "one", 3));

    /* the interval thread's fsync failing is fatal too */
    recs_free(&got);
    w = open_wal(dir, &f->v, 0, 5 * ST_NS_PER_MS);
    CHECK_OK(wal_replay(w, collect, &got, NULL));
    CHECK_OK(wal_append(w, 1, "four", 4, NULL, 0, &l1, NULL));
    CHECK_OK(wal_sync(w, l1, NULL)); /* creates (and fsyncs) the new segment */
    fault_set(f, &f->fsync_err, -EIO);
    CHECK_OK(wal_append(w, 1, "five", 4, NULL, 0, &l1, NULL));
    /* written; a leader finding the last fsync older than the interval syncs itself */
    int rc = wal_sync(w, l1, NULL);
    CHECK(rc == 0 || rc == ST_EFATAL);
    for (int i = 0; i < 200 && wal_error(w) == 0; i++) usleep(5000);
    CHECK_EQ_INT(wal_error(w), ST_EFATAL);
    CHECK_EQ_INT(wal_close(w, NULL), ST_EFATAL);

    /* the fsync that makes a new segment durable failing is fatal as well */
    recs_free(&got);
    w = open_wal(dir, &f->v, 0, 0);
    CHECK_OK(wal_replay(w, collect, &got, NULL));
    CHECK_OK(wal_append(w, 1, "six", 3, NULL, 0, &l1, NULL));
    fault_set(f, &f->fsync_err, -EIO);
    CHECK_EQ_INT(wal_sync(w, l1, NULL), ST_EFATAL);
    CHECK_EQ_INT(wal_close(w, NULL), ST_EFATAL);
    recs_free(&got);
    fault_free(f);
    scrap(dir);
}

static void add_rec(recs *r, uint8_t type, const char *p) { recs_add(r, type, (const uint8_t *)p, strlen(p)); }

/* A failed write: the file keeps no partial record, the callers get the
 * error, no lsn is acknowledged while a record before it is missing, and when
 * space returns the log resumes, rewriting what failed first, in order. */
static void test_enospc(void)
{
    char *dir = testlib_tmpdir("wal");
    fault *f = fault_new();
    recs all = {0}, got = {0}, part = {0};
    wal *w = open_wal(dir, &f->v, 0, 0);
    CHECK_OK(wal_replay(w, collect, &got, NULL));
    uint64_t lsn, lb[5];
    for (int i = 0; i < 10; i++) make_rec(&part, 1, 50, (uint64_t)i);
    append_all(w, &part, false);
    for (size_t i = 0; i < part.n; i++) recs_add(&all, part.v[i].type, part.v[i].p, part.v[i].n);
    long good = file_size(path_of(dir, "00000001.wal"));
    CHECK_EQ_INT(good, 24 + 10 * 59);

    /* the disk fills in the middle of the next write: 100 bytes get through */
    pthread_mutex_lock(&f->mu);
    f->write_err = -ENOSPC;
    f->write_budget = 100;
    pthread_mutex_unlock(&f->mu);
    for (int i = 0; i < 5; i++) {
        uint8_t p[50];
        fill(p, sizeof p, 100 + (uint64_t)i);
        CHECK_OK(wal_append(w, 2, p, sizeof p, NULL, 0, &lb[i], NULL));
        recs_add(&all, 2, p, sizeof p);
    }
    st_err e = {0};
    CHECK_EQ_INT(wal_sync(w, lb[4], &e), ST_ENOSPC);
    CHECK(strstr(e.msg, "No space") != NULL);
    CHECK_EQ_INT(wal_sync(w, lb[0], NULL), ST_ENOSPC); /* tries again, fails again */
    CHECK_EQ_INT(wal_error(w), 0);
    CHECK_EQ_INT(file_size(path_of(dir, "00000001.wal")), good); /* no partial record */
    /* a record after the failed ones is not acknowledged on its own (the
     * store writes a series record, then samples that need it) */
    CHECK_OK(wal_append(w, 3, "after", 5, NULL, 0, &lsn, NULL));
    add_rec(&all, 3, "after");
    CHECK_EQ_INT(wal_sync(w, lsn, NULL), ST_ENOSPC);
    CHECK_EQ_INT(file_size(path_of(dir, "00000001.wal")), good);

    /* space comes back: the failed records go out first, then the new ones */
    fault_set(f, &f->write_err, 0);
    CHECK_OK(wal_append(w, 3, "resumed", 7, NULL, 0, &lsn, NULL));
    add_rec(&all, 3, "resumed");
    CHECK_OK(wal_sync(w, lsn, NULL));
    CHECK_OK(wal_sync(w, lb[2], NULL));
    /* many short outages */
    for (int i = 0; i < 50; i++) {
        fault_set(f, &f->write_err, -ENOSPC);
        CHECK_OK(wal_append(w, 4, "f", 1, NULL, 0, &lsn, NULL));
        CHECK_EQ_INT(wal_sync(w, lsn, NULL), ST_ENOSPC);
        fault_set(f, &f->write_err, 0);
        CHECK_OK(wal_append(w, 4, "g", 1, NULL, 0, &lsn, NULL));
        CHECK_OK(wal_sync(w, lsn, NULL));
        add_rec(&all, 4, "f");
        add_rec(&all, 4, "g");
    }
    CHECK_OK(wal_close(w, NULL));
    wal_stats st;
    replay_dir(dir, NULL, 0, &got, &st, NULL);
    CHECK(recs_eq(&all, &got));
    CHECK_EQ_INT(st.truncated_tails + st.corrupt_segments, 0);

    /* ENOSPC when creating a segment (the open fails), then space returns */
    recs_free(&got);
    w = open_wal(dir, &f->v, 0, 0);
    CHECK_OK(wal_replay(w, collect, &got, NULL));
    pthread_mutex_lock(&f->mu);
    f->open_err = -ENOSPC;
    f->open_match = ".wal";
    pthread_mutex_unlock(&f->mu);
    CHECK_OK(wal_append(w, 5, "queued", 6, NULL, 0, &lsn, NULL));
    CHECK_EQ_INT(wal_sync(w, lsn, NULL), ST_ENOSPC);
    fault_set(f, &f->open_err, 0);
    CHECK_OK(wal_append(w, 5, "kept", 4, NULL, 0, &lsn, NULL));
    CHECK_OK(wal_sync(w, lsn, NULL));
    CHECK_OK(wal_close(w, NULL));
    add_rec(&all, 5, "queued");
    add_rec(&all, 5, "kept");

    /* a big record (written around the buffer) failing part-way */
    recs_free(&got);
    w = open_wal(dir, &f->v, 0, 0);
    CHECK_OK(wal_replay(w, collect, &got, NULL));
    pthread_mutex_lock(&f->mu);
    f->write_err = -EIO;
    f->write_budget = 1 << 20;
    pthread_mutex_unlock(&f->mu);
    size_t bign = 3 << 20;
    uint8_t *big = malloc(bign);
    fill(big, bign, 7);
    CHECK_OK(wal_append(w, 6, big, bign, NULL, 0, &lsn, NULL));
    CHECK_EQ_INT(wal_sync(w, lsn, &e), ST_EIO);
    CHECK_EQ_INT(last_segment_size(dir), 24); /* cut back to the header */
    fault_set(f, &f->write_err, 0);
    CHECK_OK(wal_append(w, 6, big, 1000, NULL, 0, &lsn, NULL));
    CHECK_OK(wal_sync(w, lsn, NULL));
    CHECK_OK(wal_close(w, NULL));
    recs_add(&all, 6, big, bign);
    recs_add(&all, 6, big, 1000);
    free(big);

    /* a long outage: appends are refused once 8 MiB wait, and resume after */
    recs_free(&got);
    w = open_wal(dir, &f->v, 0, 0);
    CHECK_OK(wal_replay(w, collect, &got, NULL));
    fault_set(f, &f->write_err, -ENOSPC);
    uint8_t chunk[64 << 10];
    int accepted = 0, rc = 0;
    for (int i = 0; i < 1000 && rc == 0; i++) {
        fill(chunk, sizeof chunk, 5000 + (uint64_t)i);
        rc = wal_append(w, 7, chunk, sizeof chunk, NULL, 0, &lsn, &e);
        if (rc == 0) {
            accepted++;
            recs_add(&all, 7, chunk, sizeof chunk);
        }
    }
    CHECK_EQ_INT(rc, ST_ENOSPC);
    CHECK(accepted >= 128 && accepted < 200); /* 8 MiB, plus one buffer */
    fault_set(f, &f->write_err, 0);
    CHECK_OK(wal_append(w, 7, "back", 4, NULL, 0, &lsn, NULL));
    add_rec(&all, 7, "back");
    CHECK_OK(wal_sync(w, lsn, NULL));
    CHECK_OK(wal_close(w, NULL));

    recs_free(&got);
    replay_dir(dir, NULL, 0, &got, &st, NULL);
    CHECK(recs_eq(&all, &got));
    CHECK_EQ_INT(st.truncated_tails + st.corrupt_segments, 0);
    recs_free(&all);
    recs_free(&part);
    recs_free(&got);
    fault_free(f);
    scrap(dir);
}

/* A new segment cannot be created: the records stay in the old one. A write
 * that fails and cannot be cut back leaves the file unknown: fatal. */
static void test_rotate_and_truncate_fail(void)
{
    char *dir = testlib_tmpdir("wal");
    fault *f = fault_new();
    recs want = {0}, got = {0};
    for (uint64_t i = 0; i < 40; i++) make_rec(&want, 1, 91, i); /* 100 bytes each */
    wal *w = open_wal(dir, &f->v, 1024, 0);
    CHECK_OK(wal_replay(w, collect, &got, NULL));
    recs part = {0};
    for (size_t i = 0; i < 5; i++) recs_add(&part, want.v[i].type, want.v[i].p, want.v[i].n);
    append_all(w, &part, false);
    pthread_mutex_lock(&f->mu);
    f->open_err = -EMFILE;
    f->open_match = ".wal";
    pthread_mutex_unlock(&f->mu);
    mute(true); /* each flush logs that it stays in the old segment */
    uint64_t lsn = 0;
    int fails = 0;
    for (size_t i = 5; i < 30; i++)
        fails += append_rec(w, &want.v[i], &lsn, NULL) != 0 || wal_sync(w, lsn, NULL) != 0;
    mute(false);
    CHECK_EQ_INT(fails, 0);
    CHECK_EQ_INT(count_files(dir, ".wal"), 1);
    CHECK_EQ_INT(file_size(path_of(dir, "00000001.wal")), 24 + 30 * 100);
    fault_set(f, &f->open_err, 0);
    for (size_t i = 30; i < 40; i++) CHECK_OK(append_rec(w, &want.v[i], &lsn, NULL));
    CHECK_OK(wal_sync(w, lsn, NULL));
    CHECK(count_files(dir, ".wal") > 1);

    pthread_mutex_lock(&f->mu);
    f->write_err = -EIO;
    f->write_budget = 5;
    f->trunc_err = -EIO;
    pthread_mutex_unlock(&f->mu);
    CHECK_OK(wal_append(w, 1, "doomed", 6, NULL, 0, &lsn, NULL));
    st_err e = {0};
    mute(true);
    int rc = wal_sync(w, lsn, &e);
    mute(false);
    CHECK_EQ_INT(rc, ST_EFATAL);
    CHECK(strstr(e.msg, "cutting it back") != NULL);
    CHECK_EQ_INT(wal_error(w), ST_EFATAL);
    CHECK_EQ_INT(wal_close(w, NULL), ST_EFATAL);
    wal_stats st;
    replay_dir(dir, NULL, 1024, &got, &st, NULL);
    CHECK(recs_eq(&want, &got));
    recs_free(&want);
    recs_free(&part);
    recs_free(&got);
    fault_free(f);
    scrap(dir);
}

static void test_open_fail(void)
{
    char *dir = testlib_tmpdir("wal");
    fault *f = fault_new();
    wal_opts o = {.vfs = &f->v, .dir = dir};
    wal *w = NULL;
    st_err e = {0};
    pthread_mutex_lock(&f->mu);
    f->open_err = -EACCES;
    f->open_match = dir;
    pthread_mutex_unlock(&f->mu);
    CHECK_EQ_INT(wal_open(&o, &w, &e), ST_EIO);
    CHECK(w == NULL);
    CHECK(strstr(e.msg, dir) && strstr(e.msg, "Permission denied"));
    fault_set(f, &f->open_err, -EIO);
    CHECK_EQ_INT(wal_open(&o, &w, &e), ST_EIO);
    CHECK(strstr(e.msg, "Input/output error") != NULL);
    o.dir = NULL;
    CHECK_EQ_INT(wal_open(&o, &w, &e), ST_EINVAL);
    o.dir = dir;

    /* replay cannot read a segment: an I/O error naming it, not a silent skip */
    fault_set(f, &f->open_err, 0);
    recs got = {0};
    w = open_wal(dir, &f->v, 0, 0);
    CHECK_OK(wal_replay(w, collect, &got, NULL));
    uint64_t lsn;
    CHECK_OK(wal_append(w, 1, "a", 1, NULL, 0, &lsn, NULL));
    CHECK_OK(wal_close(w, NULL));
    w = open_wal(dir, &f->v, 0, 0);
    pthread_mutex_lock(&f->mu);
    f->open_err = -EIO;
    f->open_match = "00000001.wal";
    pthread_mutex_unlock(&f->mu);
    CHECK_EQ_INT(wal_replay(w, collect, &got, &e), ST_EIO);
    CHECK(strstr(e.msg, "00000001.wal") != NULL);
    fault_set(f, &f->open_err, 0);
    CHECK_OK(wal_close(w, NULL));
    CHECK(exists(path_of(dir, "00000001.wal")));
    fault_free(f);
    scrap(dir);
}

static void test_rename_fail_checkpoint(void)
{
    char *dir = testlib_tmpdir("wal");
    fault *f = fault_new();
    recs want = {0}, got = {0};
    for (uint64_t i = 0; i < 80; i++) make_rec(&want, 1, 90, i);
    wal *w = open_wal(dir, &f->v, 1024, 0);
    CHECK_OK(wal_replay(w, collect, &got, NULL));
    append_all(w, &want, false);
    int nseg = count_files(dir, ".wal");
    wal_ckpt *c;
    CHECK_OK(wal_checkpoint_begin(w, &c, NULL));
    CHECK_OK(wal_checkpoint_add(c, 9, "state", 5, NULL));
    fault_set(f, &f->rename_err, -EIO);
    st_err e = {0};
    CHECK_EQ_INT(wal_checkpoint_commit(c, &e), ST_EIO);
    CHECK(strstr(e.msg, "checkpoint") != NULL);
    fault_set(f, &f->rename_err, 0);
    CHECK_EQ_INT(count_files(dir, ".tmp"), 0);
    CHECK(count_files(dir, ".wal") >= nseg);
    /* the wal goes on and a later checkpoint works */
    uint64_t lsn;
    CHECK_OK(wal_append(w, 1, "tail", 4, NULL, 0, &lsn, NULL));
    CHECK_OK(wal_sync(w, lsn, NULL));
    CHECK_OK(wal_close(w, NULL));
    recs_add(&want, 1, (const uint8_t *)"tail", 4);
    wal_stats st;
    replay_dir(dir, NULL, 1024, &got, &st, NULL);
    CHECK(recs_eq(&want, &got));
    CHECK_EQ_INT(st.corrupt_segments + st.truncated_tails, 0);

    /* fsync failing on the checkpoint file: an error, not fatal for the wal */
    recs_free(&got);
    w = open_wal(dir, &f->v, 1024, 0);
    CHECK_OK(wal_replay(w, collect, &got, NULL));
    CHECK_OK(wal_checkpoint_begin(w, &c, NULL));
    fault_set(f, &f->fsync_err, -EIO);
    CHECK_EQ_INT(wal_checkpoint_commit(c, NULL), ST_EIO);
    fault_set(f, &f->fsync_err, 0);
    CHECK_EQ_INT(wal_error(w), 0);

    /* the directory fsync after the rename fails: an error, the old files stay */
    CHECK_OK(wal_append(w, 1, "more", 4, NULL, 0, &lsn, NULL));
    CHECK_OK(wal_sync(w, lsn, NULL));
    recs_add(&want, 1, (const uint8_t *)"more", 4);
    int nseg2 = count_files(dir, ".wal");
    CHECK_OK(wal_checkpoint_begin(w, &c, NULL));
    pthread_mutex_lock(&f->mu);
    f->fsync_err = -EIO;
    f->fsync_skip = 1; /* the checkpoint file's own fsync passes */
    pthread_mutex_unlock(&f->mu);
    CHECK_EQ_INT(wal_checkpoint_commit(c, &e), ST_EIO);
    CHECK(strstr(e.msg, "directory") != NULL);
    fault_set(f, &f->fsync_err, 0);
    CHECK(count_files(dir, ".wal") >= nseg2);
    CHECK_EQ_INT(wal_error(w), 0);
    /* a write error in the checkpoint file, and a failed create */
    CHECK_OK(wal_checkpoint_begin(w, &c, NULL));
    fault_set(f, &f->write_err, -ENOSPC);
    CHECK_EQ_INT(wal_checkpoint_commit(c, NULL), ST_ENOSPC);
    fault_set(f, &f->write_err, 0);
    pthread_mutex_lock(&f->mu);
    f->open_err = -EACCES;
    f->open_match = "checkpoint";
    pthread_mutex_unlock(&f->mu);
    CHECK_EQ_INT(wal_checkpoint_begin(w, &c, &e), ST_EIO);
    CHECK(strstr(e.msg, "Permission denied") != NULL);
    /* cutting the segment fails: no checkpoint starts */
    CHECK_OK(wal_append(w, 1, "cut", 3, NULL, 0, &lsn, NULL));
    recs_add(&want, 1, (const uint8_t *)"cut", 3);
    fault_set(f, &f->open_err, 0);
    pthread_mutex_lock(&f->mu);
    f->open_err = -EMFILE;
    f->open_match = ".wal";
    pthread_mutex_unlock(&f->mu);
    CHECK_EQ_INT(wal_checkpoint_begin(w, &c, NULL), ST_EIO);
    fault_set(f, &f->open_err, 0);
    CHECK_EQ_INT(count_files(dir, ".tmp"), 0);
    CHECK_OK(wal_close(w, NULL));
    recs_free(&got);
    wal_stats st2;
    replay_dir(dir, NULL, 1024, &got, &st2, NULL);
    /* the (empty) checkpoint whose directory fsync failed was renamed, so it
     * stands for all before it: only "cut", appended after it, remains */
    CHECK_EQ_INT(got.n, 1);
    CHECK(got.n == 1 && rec_eq(&got.v[0], &want.v[want.n - 1]));
    CHECK_EQ_INT(st2.corrupt_segments, 0);
    recs_free(&want);
    recs_free(&got);
    fault_free(f);
    scrap(dir);
}

static void test_short_writes(void)
{
    char *dir = testlib_tmpdir("wal");
    fault *f = fault_new();
    f->short_max = 7;
    recs want = {0}, got = {0};
    for (uint64_t i = 0; i < 100; i++) make_rec(&want, 1, (i * 101) % 700, i);
    make_rec(&want, 2, (1 << 20) + 100, 999);
    wal *w = open_wal(dir, &f->v, 16 << 10, 0);
    CHECK_OK(wal_replay(w, collect, &got, NULL));
    append_all(w, &want, false);
    CHECK_OK(wal_close(w, NULL));
    CHECK(f->nwrite > 1000);
    wal_stats st;
    replay_dir(dir, NULL, 16 << 10, &got, &st, NULL);
    CHECK(recs_eq(&want, &got));
    CHECK_EQ_INT(st.truncated_tails + st.corrupt_segments, 0);
    recs_free(&want);
    recs_free(&got);
    fault_free(f);
    scrap(dir);
}

static void test_interval_mode(void)
{
    char *dir = testlib_tmpdir("wal");
    fault *f = fault_new();
    wal *w = open_wal(dir, &f->v, 0, 200 * ST_NS_PER_MS);
    recs got = {0};
    CHECK_OK(wal_replay(w, collect, &got, NULL));
    uint64_t lsn;
    CHECK_OK(wal_append(w, 1, "a", 1, NULL, 0, &lsn, NULL)); /* segment creation fsyncs once */
    CHECK_OK(wal_sync(w, lsn, NULL));
    pthread_mutex_lock(&f->mu);
    long before = f->nfsync;
    pthread_mutex_unlock(&f->mu);
    for (int i = 0; i < 20; i++) {
        CHECK_OK(wal_append(w, 1, "b", 1, NULL, 0, &lsn, NULL));
        CHECK_OK(wal_sync(w, lsn, NULL));
    }
    pthread_mutex_lock(&f->mu);
    long mid = f->nfsync;
    pthread_mutex_unlock(&f->mu);
    CHECK(mid - before <= 1); /* acknowledgements did not wait for fsyncs */
    CHECK_EQ_INT(file_size(path_of(dir, "00000001.wal")), 24 + 21 * 10); /* but were written */
    usleep(500 * 1000);
    wal_stats st;
    wal_get_stats(w, &st);
    pthread_mutex_lock(&f->mu);
    long after = f->nfsync;
    pthread_mutex_unlock(&f->mu);
    CHECK(after > mid); /* the background thread synced */
    CHECK_OK(wal_close(w, NULL));

    /* regression: an interval-due fsync in a flush that wrote nothing, before
     * any segment existed, fsynced fd -1 and went fatal */
    scrap(dir);
    dir = testlib_tmpdir("wal");
    w = open_wal(dir, &f->v, 0, 10 * ST_NS_PER_MS);
    CHECK_OK(wal_replay(w, collect, &got, NULL));
    usleep(30 * 1000);
    wal_ckpt *c;
    CHECK_OK(wal_checkpoint_begin(w, &c, NULL));
    CHECK_OK(wal_checkpoint_commit(c, NULL));
    CHECK_EQ_INT(wal_error(w), 0);
    CHECK_OK(wal_close(w, NULL));
    fault_free(f);
    recs_free(&got);
    scrap(dir);
}

static void test_misc(void)
{
    char *dir = testlib_tmpdir("wal");
    wal_opts o = {.dir = dir, .max_record = 100};
    wal *w;
    st_err e = {0};
    CHECK_OK(wal_open(&o, &w, &e));
    recs got = {0};
    uint64_t lsn;
    uint8_t p[200] = {0};
    CHECK_EQ_INT(wal_append(w, 1, p, 101, NULL, 0, &lsn, &e), ST_ELIMIT);
    CHECK_EQ_INT(wal_append(w, 1, p, 60, p, 41, &lsn, &e), ST_ELIMIT);
    CHECK_OK(wal_append(w, 1, p, 60, p, 40, &lsn, &e));
    CHECK_EQ_INT(wal_replay(w, collect, &got, &e), ST_EINVAL); /* after an append */
    CHECK_EQ_INT(wal_sync(w, lsn + 1, &e), ST_EINVAL);
    CHECK_OK(wal_sync(w, 0, &e));
    CHECK_OK(wal_sync(w, lsn, &e));
    CHECK_OK(wal_sync(w, lsn, &e));
    CHECK_OK(wal_close(w, &e));
    CHECK_OK(wal_close(NULL, NULL));

    /* replay twice; a callback error stops replay and comes back */
    CHECK_OK(wal_open(&o, &w, &e));
    CHECK_OK(wal_replay(w, collect, &got, &e));
    CHECK_EQ_INT(wal_replay(w, collect, &got, &e), ST_EINVAL);
    CHECK_OK(wal_close(w, &e));
    recs_free(&got);
    scrap(dir);
}

static int stop_cb(void *ctx, uint8_t type, const uint8_t *p, size_t n)
{
    (void)type, (void)p, (void)n;
    return ++*(int *)ctx == 2 ? 42 : 0;
}

static void test_replay_stop(void)
{
    char *dir = testlib_tmpdir("wal");
    wal *w = open_wal(dir, NULL, 0, 0);
    recs got = {0};
    CHECK_OK(wal_replay(w, collect, &got, NULL));
    uint64_t lsn;
    for (int i = 0; i < 5; i++) CHECK_OK(wal_append(w, 1, "r", 1, NULL, 0, &lsn, NULL));
    CHECK_OK(wal_close(w, NULL));
    w = open_wal(dir, NULL, 0, 0);
    int seen = 0;
    CHECK_EQ_INT(wal_replay(w, stop_cb, &seen, NULL), 42);
    CHECK_EQ_INT(seen, 2);
    CHECK_OK(wal_close(w, NULL));
    /* a segment from a newer format is refused, not destroyed (version 2
     * is a sealed file: without the key, refused too) */
    size_t n;
    uint8_t *b = slurp(path_of(dir, "00000001.wal"), &n);
    for (uint32_t version = 3; version >= 2; version--) {
        put_u32le(b + 4, version);
        put_u32le(b + 20, crc32c(0, b, 20));
        spit(path_of(dir, "00000001.wal"), b, n);
        w = open_wal(dir, NULL, 0, 0);
        st_err e = {0};
        CHECK_EQ_INT(wal_replay(w, collect, &got, &e), version == 3 ? ST_ECORRUPT : ST_EINVAL);
        CHECK(strstr(e.msg, version == 3 ? "newer" : "no key was given") != NULL);
        CHECK_OK(wal_close(w, NULL));
        CHECK_EQ_INT(file_size(path_of(dir, "00000001.wal")), (long)n);
    }
    free(b);
    recs_free(&got);
    scrap(dir);
}

/* ---- benchmark ---- */

typedef struct bench {
    wal *w;
    int64_t until;
    uint64_t n;
} bench;

static void *bench_worker(void *arg)
{
    bench *b = arg;
    uint8_t p[1024];
    fill(p, sizeof p, 1);
    while (st_mono_ns() < b->until) {
        uint64_t lsn;
        for (int i = 0; i < 16; i++) {
            if (wal_append(b->w, 1, p, sizeof p, NULL, 0, &lsn, NULL) || wal_sync(b->w, lsn, NULL))
                return NULL;
            b->n++;
        }
    }
    return NULL;
}

static void test_bench(void)
{
    int64_t intervals[2] = {0, ST_NS_PER_S};
    for (int m = 0; m < 2; m++) {
        char *dir = testlib_tmpdir("wal");
        wal *w = open_wal(dir, NULL, 0, intervals[m]);
        recs got = {0};
        CHECK_OK(wal_replay(w, collect, &got, NULL));
        double secs = quick ? 0.5 : 2.0;
        int64_t t0 = st_mono_ns();
        bench b[2];
        pthread_t th[2];
        for (int i = 0; i < 2; i++) {
            b[i] = (bench){.w = w, .until = t0 + (int64_t)(secs * ST_NS_PER_S)};
            pthread_create(&th[i], NULL, bench_worker, &b[i]);
        }
        for (int i = 0; i < 2; i++) pthread_join(th[i], NULL);
        double el = (double)(st_mono_ns() - t0) / ST_NS_PER_S;
        wal_stats st;
        wal_get_stats(w, &st);
        CHECK_OK(wal_close(w, NULL));
        uint64_t n = b[0].n + b[1].n;
        printf("bench: 2 threads, 1 KiB records, append+sync each, fsync_interval=%s: "
               "%.0f records/s, %.0f fsyncs/s, %.1f MB/s, mean fsync %.0f us\n",
               m ? "1s" : "0", (double)n / el, (double)st.fsyncs / el,
               (double)st.bytes_written / el / 1e6,
               st.fsyncs ? (double)st.fsync_ns_total / (double)st.fsyncs / 1e3 : 0.0);
        CHECK(n > 0);
        scrap(dir);
    }
}

int main(void)
{
    quick = getenv("STRATA_TEST_QUICK") != NULL;
    RUN(test_roundtrip_sizes);
    RUN(test_rotation);
    RUN(test_checkpoint);
    RUN(test_checkpoint_leftovers);
    RUN(test_checkpoint_corrupt);
    RUN(test_torn_tail_sweep);
    RUN(test_tail_flip);
    RUN(test_zero_fill);
    RUN(test_middle_flip);
    RUN(test_bitflip_sweep);
    RUN(test_group_commit);
    RUN(test_ordering_proof);
    RUN(test_buffer_pressure);
    RUN(test_concurrent_checkpoints);
    RUN(test_fsync_eio);
    RUN(test_enospc);
    RUN(test_rotate_and_truncate_fail);
    RUN(test_open_fail);
    RUN(test_rename_fail_checkpoint);
    RUN(test_short_writes);
    RUN(test_interval_mode);
    RUN(test_misc);
    RUN(test_replay_stop);
    RUN(test_bench);
    return testlib_done("test_wal");
}
