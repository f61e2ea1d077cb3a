/* Tests for the WAL's sealed files (engine/wal_seal, wal.c with keys): every
 * record back after a restart, nothing readable on disk, a refusal without
 * the key, and the recovery rules of plain files kept: a torn frame cut off
 * at its start, a damaged frame in the middle losing only its own records
 * (the file kept aside and rewritten sealed), checkpoints, plain files from
 * before read, a failed write cut back and its frame number never reused. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "testlib.h"
#include "wal.h"
#include "wal_seal.h"

static char *base;
static char waldir[4200];
static crypto *keys;

typedef struct got {
    int n;
    int ids[4096];
} got;

static int collect(void *ctx, uint8_t type, const uint8_t *p, size_t n)
{
    got *g = ctx;
    int id = -1;
    if (n >= 4) memcpy(&id, p, 4);
    /* each record's payload: its id, then a pattern that proves the body */
    for (size_t i = 4; i < n; i++)
        if (p[i] != (uint8_t)(id + i)) return 0;
    if (type == 7 && g->n < 4096) g->ids[g->n++] = id;
    return 0;
}

static int fail_pwrite_once;
static ssize_t faulty_pwrite(const vfs *v, int fd, const void *buf, size_t n, off_t off)
{
    const vfs *b = v->ctx;
    if (fail_pwrite_once && n > WAL_SEAL_HDR) {
        fail_pwrite_once = 0;
        return -EIO;
    }
    return b->pwrite(b, fd, buf, n, off);
}
static vfs faulty;

static wal *open_wal(crypto *k, got *g, int *rc_out)
{
    wal_opts o = {.vfs = &faulty, .dir = waldir, .keys = k, .segment_size = 1 << 20};
    wal *w = NULL;
    st_err e = {0};
    int rc = wal_open(&o, &w, &e);
    if (!rc) rc = wal_replay(w, collect, g, &e);
    if (rc_out) *rc_out = rc;
    if (rc && w) {
        wal_close(w, NULL);
        w = NULL;
    }
    if (rc && !rc_out) fprintf(stderr, "  wal: %s\n", e.msg);
    return w;
}

static void append(wal *w, int id, size_t n)
{
    uint8_t *p = malloc(n < 4 ? 4 : n);
    memcpy(p, &id, 4);
    for (size_t i = 4; i < n; i++) p[i] = (uint8_t)(id + i);
    uint64_t lsn;
    st_err e = {0};
    CHECK_OK(wal_append(w, 7, p, n, NULL, 0, &lsn, &e));
    CHECK_OK(wal_sync(w, lsn, &e)); /* one frame per sync here */
    free(p);
}

static bool ids_are(const got *g, const int *want, int n)
{
    if (g->n != n) return false;
    for (int i = 0; i < n; i++)
        if (g->ids[i] != want[i]) return false;
    return true;
}

/* The only (or newest) segment's path. */
static void last_segment(char *out, size_t cap)
{
    DIR *d = opendir(waldir);
    char best[300] = "";
    struct dirent *de;
    while ((de = readdir(d))) {
        size_t l = strlen(de->d_name);
        if (l > 4 && !strcmp(de->d_name + l - 4, ".wal") && strcmp(de->d_name, best) > 0)
            snprintf(best, sizeof best, "%s", de->d_name);
    }
    closedir(d);
    snprintf(out, cap, "%s/%s", waldir, best);
}

static long file_size(const char *p)
{
    struct stat sb;
    return stat(p, &sb) ? -1 : (long)sb.st_size;
}

static void reset_dir(void)
{
    char cmd[4300];
    snprintf(cmd, sizeof cmd, "rm -rf %s", waldir);
    CHECK(system(cmd) == 0);
}

static void test_round_trip(void)
{
    reset_dir();
    got g = {0};
    wal *w = open_wal(keys, &g, NULL);
    CHECK(w != NULL);
    if (!w) return;
    int want[40];
    for (int i = 0; i < 40; i++) {
        want[i] = i;
        append(w, i, i == 17 ? (2u << 20) : (size_t)(4 + i * 97)); /* one past the append buffer */
    }
    CHECK_OK(wal_close(w, NULL));
    /* nothing of a record on disk */
    char seg[4400];
    last_segment(seg, sizeof seg);
    FILE *fp = fopen(seg, "rb");
    static uint8_t buf[1 << 22];
    size_t n = fread(buf, 1, sizeof buf, fp);
    fclose(fp);
    uint8_t pat[16];
    for (int i = 0; i < 16; i++) pat[i] = (uint8_t)(39 + 4 + i); /* record 39's body */
    CHECK(n > WAL_SEAL_HDR && wal_seal_is(buf, n) && !memmem(buf, n, pat, 16));
    g.n = 0;
    w = open_wal(keys, &g, NULL);
    CHECK(w != NULL && ids_are(&g, want, 40));
    if (w) wal_close(w, NULL);
    /* without the key: refused, nothing changed */
    int rc = 0;
    g.n = 0;
    CHECK(open_wal(NULL, &g, &rc) == NULL && rc == ST_EINVAL);
    g.n = 0;
    w = open_wal(keys, &g, NULL);
    CHECK(w != NULL && ids_are(&g, want, 40));
    if (w) wal_close(w, NULL);
}

static void test_torn_and_damaged(void)
{
    reset_dir();
    got g = {0};
    wal *w = open_wal(keys, &g, NULL);
    if (!w) return;
    for (int i = 0; i < 5; i++) append(w, i, 1000);
    CHECK_OK(wal_close(w, NULL));
    char seg[4400];
    last_segment(seg, sizeof seg);
    long full = file_size(seg), frame = WAL_SEAL_FRAME_HDR + 1000 + 9 + 16;
    CHECK_EQ_INT(full, WAL_SEAL_HDR + 5 * frame);
    /* torn: the last frame cut in two */
    CHECK(truncate(seg, full - 300) == 0);
    g.n = 0;
    w = open_wal(keys, &g, NULL);
    int four[] = {0, 1, 2, 3};
    CHECK(w != NULL && ids_are(&g, four, 4));
    wal_stats st;
    if (w) {
        wal_get_stats(w, &st);
        CHECK_EQ_INT(st.truncated_tails, 1);
        wal_close(w, NULL);
    }
    CHECK_EQ_INT(file_size(seg), WAL_SEAL_HDR + 4 * frame); /* cut at the frame's start */
    /* damaged: a byte of frame 2 (of 0..3) changed; the segment is not the
     * last (a new one follows), so this is damage, not a torn tail */
    int fd = open(seg, O_RDWR);
    uint8_t c;
    off_t at = WAL_SEAL_HDR + 2 * frame + 100;
    CHECK(pread(fd, &c, 1, at) == 1);
    c ^= 1;
    CHECK(pwrite(fd, &c, 1, at) == 1);
    close(fd);
    g.n = 0;
    w = open_wal(keys, &g, NULL);
    int three[] = {0, 1, 3};
    CHECK(w != NULL && ids_are(&g, three, 3));
    if (w) {
        wal_get_stats(w, &st);
        CHECK_EQ_INT(st.corrupt_segments, 1);
        append(w, 9, 50); /* a new segment */
        wal_close(w, NULL);
    }
    char aside[4500];
    snprintf(aside, sizeof aside, "%s.corrupt", seg);
    CHECK(file_size(aside) == WAL_SEAL_HDR + 4 * frame); /* the evidence, as it was (sealed) */
    /* the rewritten file is sealed anew and reads back */
    g.n = 0;
    w = open_wal(keys, &g, NULL);
    int after[] = {0, 1, 3, 9};
    CHECK(w != NULL && ids_are(&g, after, 4));
    if (w) wal_close(w, NULL);
    fd = open(seg, O_RDONLY);
    uint8_t h[8];
    CHECK(pread(fd, h, 8, 0) == 8 && wal_seal_is(h, 8));
    close(fd);
}

static void test_checkpoint_and_plain_files(void)
{
    reset_dir();
    /* a plain WAL from before encryption */
    got g = {0};
    wal *w = open_wal(NULL, &g, NULL);
    if (!w) return;
    append(w, 1, 100);
    append(w, 2, 100);
    CHECK_OK(wal_close(w, NULL));
    g.n = 0;
    w = open_wal(keys, &g, NULL); /* read with keys; new writes sealed */
    int two[] = {1, 2};
    CHECK(w != NULL && ids_are(&g, two, 2));
    if (!w) return;
    append(w, 3, 100);
    /* a checkpoint of what the records say, sealed */
    wal_ckpt *c;
    st_err e = {0};
    CHECK_OK(wal_checkpoint_begin(w, &c, &e));
    for (int id = 1; id <= 3; id++) {
        uint8_t p[200];
        memcpy(p, &id, 4);
        for (size_t i = 4; i < sizeof p; i++) p[i] = (uint8_t)(id + i);
        CHECK_OK(wal_checkpoint_add(c, 7, p, sizeof p, &e));
    }
    CHECK_OK(wal_checkpoint_commit(c, &e));
    append(w, 4, 100);
    CHECK_OK(wal_close(w, NULL));
    g.n = 0;
    w = open_wal(keys, &g, NULL);
    int four[] = {1, 2, 3, 4};
    CHECK_MSG(w != NULL && ids_are(&g, four, 4), "%d records", g.n);
    if (w) wal_close(w, NULL);
    char ck[4400];
    snprintf(ck, sizeof ck, "%s/checkpoint.00000002", waldir);
    DIR *d = opendir(waldir);
    struct dirent *de;
    int sealed_ckpts = 0;
    while ((de = readdir(d)))
        if (!strncmp(de->d_name, "checkpoint.", 11)) {
            snprintf(ck, sizeof ck, "%.4000s/%.200s", waldir, de->d_name);
            int fd = open(ck, O_RDONLY);
            uint8_t h[8];
            sealed_ckpts += pread(fd, h, 8, 0) == 8 && wal_seal_is(h, 8);
            close(fd);
        }
    closedir(d);
    CHECK_EQ_INT(sealed_ckpts, 1);
}

static void test_failed_write(void)
{
    reset_dir();
    got g = {0};
    wal *w = open_wal(keys, &g, NULL);
    if (!w) return;
    append(w, 1, 300);
    /* the next frame's write fails: it is cut back; the retry seals the
     * records again under a new frame number */
    fail_pwrite_once = 1;
    uint8_t p[300];
    int id = 2;
    memcpy(p, &id, 4);
    for (size_t i = 4; i < sizeof p; i++) p[i] = (uint8_t)(id + i);
    uint64_t lsn;
    st_err e = {0};
    CHECK_OK(wal_append(w, 7, p, sizeof p, NULL, 0, &lsn, &e));
    CHECK(wal_sync(w, lsn, &e) == ST_EIO);
    CHECK_OK(wal_sync(w, lsn, &e));
    append(w, 3, 300);
    CHECK_OK(wal_close(w, NULL));
    g.n = 0;
    w = open_wal(keys, &g, NULL);
    int three[] = {1, 2, 3};
    CHECK(w != NULL && ids_are(&g, three, 3));
    if (w) wal_close(w, NULL);
    /* frame numbers on disk: 0, then 2 (1 was burnt by the failed write), then 3 */
    char seg[4400];
    last_segment(seg, sizeof seg);
    int fd = open(seg, O_RDONLY);
    uint64_t nos[3];
    off_t off = WAL_SEAL_HDR;
    for (int i = 0; i < 3; i++) {
        uint8_t fh[12];
        CHECK(pread(fd, fh, 12, off) == 12);
        uint32_t len;
        memcpy(&len, fh, 4);
        memcpy(&nos[i], fh + 4, 8);
        off += 12 + len;
    }
    close(fd);
    CHECK_MSG(nos[0] == 0 && nos[1] == 2 && nos[2] == 3, "%lu %lu %lu", (unsigned long)nos[0],
              (unsigned long)nos[1], (unsigned long)nos[2]);
}

/* A WAL read with other keys (keys/ of another data directory, whose
 * seed 1 has other bytes): refused, never taken for damage and cut. */
static void test_other_keys(void)
{
    reset_dir();
    got g = {0};
    wal *w = open_wal(keys, &g, NULL);
    if (!w) return;
    for (int i = 0; i < 3; i++) append(w, i, 500);
    CHECK_OK(wal_close(w, NULL));
    char seg[4400];
    last_segment(seg, sizeof seg);
    long before = file_size(seg);
    char other[4300], kf[4400];
    snprintf(other, sizeof other, "%s/otherdir", base);
    mkdir(other, 0700);
    snprintf(kf, sizeof kf, "%s/keys.txt", base);
    crypto *k2;
    st_err e = {0};
    CHECK_OK(crypto_open(vfs_posix(), other, kf, &k2, &e)); /* the same master key, another seed */
    int rc = 0;
    g.n = 0;
    wal_opts o = {.vfs = &faulty, .dir = waldir, .keys = k2};
    CHECK_OK(wal_open(&o, &w, &e));
    rc = wal_replay(w, collect, &g, &e);
    CHECK(rc == ST_EINVAL && strstr(e.msg, "sealed under other keys"));
    wal_close(w, NULL);
    CHECK_EQ_INT(file_size(seg), before); /* nothing cut */
    crypto_close(k2);
    g.n = 0;
    w = open_wal(keys, &g, NULL);
    int three[] = {0, 1, 2};
    CHECK(w != NULL && ids_are(&g, three, 3));
    if (w) wal_close(w, NULL);
    (void)rc;
}

int main(void)
{
    base = testlib_tmpdir("walseal");
    snprintf(waldir, sizeof waldir, "%s/wal", base);
    char kf[4300];
    snprintf(kf, sizeof kf, "%s/keys.txt", base);
    int fd = open(kf, O_WRONLY | O_CREAT | O_TRUNC, 0600);
    const char *k = "w1 AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=\n";
    if (write(fd, k, strlen(k)) != (ssize_t)strlen(k)) return 1;
    close(fd);
    st_err e = {0};
    if (crypto_open(vfs_posix(), base, kf, &keys, &e)) {
        fprintf(stderr, "%s\n", e.msg);
        return 1;
    }
    faulty = *vfs_posix();
    faulty.pwrite = faulty_pwrite;
    faulty.ctx = (void *)vfs_posix();
    RUN(test_round_trip);
    RUN(test_torn_and_damaged);
    RUN(test_checkpoint_and_plain_files);
    RUN(test_failed_write);
    RUN(test_other_keys);
    crypto_close(keys);
    char cmd[4300];
    snprintf(cmd, sizeof cmd, "rm -rf %s", base);
    if (system(cmd)) return 1;
    return testlib_done("test_wal_seal");
}
