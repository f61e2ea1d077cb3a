/* Tests for engine/sealfs: files written once through it read back the
 * same at any offset and through map, hold no plaintext on disk, and fail
 * to open (EBADMSG) when a byte changes, when cut (also at a segment
 * boundary), or when copied to another path; writes that are not appends
 * of a file being written are refused; plaintext files from before pass
 * through; the spill's unnamed files work. */
#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <dirent.h>
#include <pthread.h>

#include "matcher.h"
#include "scanutil.h"
#include "sealfs.h"
#include "storeutil.h"
#include "testlib.h"

static char *root;
static crypto *keys;
static vfs *sv;

static uint8_t *pattern(size_t n, uint8_t seed)
{
    uint8_t *p = malloc(n + 1);
    for (size_t i = 0; i < n; i++) p[i] = (uint8_t)(i * 31 + seed + (i >> 8));
    return p;
}

static void path_of(char *out, size_t cap, const char *rel) { snprintf(out, cap, "%s/%s", root, rel); }

/* Writes n bytes in pieces of step through the vfs, then fsync, close. */
static int write_file(const vfs *v, const char *rel, const uint8_t *p, size_t n, size_t step)
{
    char path[4200];
    path_of(path, sizeof path, rel);
    int fd = v->open(v, path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (fd < 0) return fd;
    for (size_t at = 0; at < n; at += step) {
        size_t k = n - at < step ? n - at : step;
        int rc = vfs_write_all(v, fd, p + at, k);
        if (rc) return rc;
    }
    int rc = v->fsync(v, fd);
    v->close(v, fd);
    return rc;
}

static int read_back(const char *rel, uint8_t *out, size_t n, uint64_t *size)
{
    char path[4200];
    path_of(path, sizeof path, rel);
    int fd = sv->open(sv, path, O_RDONLY, 0);
    if (fd < 0) return fd;
    int rc = sv->size(sv, fd, size);
    if (!rc && n) rc = vfs_pread_all(sv, fd, out, n, 0);
    sv->close(sv, fd);
    return rc;
}

static bool on_disk_has(const char *rel, const uint8_t *needle, size_t n)
{
    char path[4200];
    path_of(path, sizeof path, rel);
    FILE *fp = fopen(path, "rb");
    if (!fp) return false;
    static uint8_t buf[1 << 20];
    size_t got = fread(buf, 1, sizeof buf, fp);
    fclose(fp);
    return memmem(buf, got, needle, n) != NULL;
}

static void test_round_trips(void)
{
    static const size_t sizes[] = {0, 1, 65535, 65536, 65537, 131072, 200001};
    CHECK(mkdir(root, 0755) == 0 || errno == EEXIST);
    char dir[4200];
    path_of(dir, sizeof dir, "db/x/blocks/.tmp-01");
    CHECK_OK(vfs_mkdir_p(vfs_posix(), dir, 0755));
    for (size_t i = 0; i < sizeof sizes / sizeof *sizes; i++) {
        size_t n = sizes[i];
        uint8_t *p = pattern(n, (uint8_t)i), *q = malloc(n + 1);
        /* written under the block's temporary directory, read under its final name */
        CHECK_OK(write_file(sv, "db/x/blocks/.tmp-01/chunks", p, n, i % 2 ? 4096 : 70000));
        char from[4200], to[4200];
        path_of(from, sizeof from, "db/x/blocks/.tmp-01");
        path_of(to, sizeof to, "db/x/blocks/01");
        CHECK_OK(sv->rename(sv, from, to));
        uint64_t size = 0;
        CHECK_OK(read_back("db/x/blocks/01/chunks", q, n, &size));
        CHECK_MSG(size == n && !memcmp(p, q, n), "size %zu", n);
        /* any offset, any length */
        char path[4200];
        path_of(path, sizeof path, "db/x/blocks/01/chunks");
        int fd = sv->open(sv, path, O_RDONLY, 0);
        for (size_t at = 0; n && at < n; at += n / 7 + 1) {
            uint8_t small[100000];
            size_t k = n - at < sizeof small ? n - at : sizeof small;
            ssize_t got = sv->pread(sv, fd, small, k, (off_t)at);
            CHECK(got == (ssize_t)k && !memcmp(small, p + at, k));
        }
        uint8_t one;
        CHECK(sv->pread(sv, fd, &one, 1, (off_t)n) == 0); /* at the end */
        const void *m;
        CHECK_EQ_INT(sv->map(sv, fd, n ? n : 1, &m), -ENOTSUP); /* never mapped: read through the cache */
        sv->close(sv, fd);
        if (n >= 64) CHECK(!on_disk_has("db/x/blocks/01/chunks", p + n / 2, 32)); /* no plaintext on disk */
        CHECK_OK(vfs_remove_tree(sv, to));
        CHECK_OK(vfs_mkdir_p(vfs_posix(), dir, 0755));
        free(p);
        free(q);
    }
    /* the atomic writer (catalog, users, tombstones) */
    uint8_t *p = pattern(5000, 9), q[5000];
    CHECK_OK(vfs_write_file_atomic(sv, root, "catalog", p, 5000, 0644));
    uint64_t size;
    CHECK_OK(read_back("catalog", q, 5000, &size));
    CHECK(size == 5000 && !memcmp(p, q, 5000));
    /* the same contents again: another salt, so other bytes on disk */
    uint8_t a[200], b[200];
    char path[4200];
    path_of(path, sizeof path, "catalog");
    FILE *fp = fopen(path, "rb");
    CHECK(fread(a, 1, sizeof a, fp) == sizeof a);
    fclose(fp);
    CHECK_OK(vfs_write_file_atomic(sv, root, "catalog", p, 5000, 0644));
    fp = fopen(path, "rb");
    CHECK(fread(b, 1, sizeof b, fp) == sizeof b);
    fclose(fp);
    CHECK(memcmp(a + 16, b + 16, sizeof a - 16)); /* salt and everything after differ */
    free(p);
}

static void corrupt(const char *rel, long at, int how)
{
    char path[4200];
    path_of(path, sizeof path, rel);
    if (how == 0) { /* flip a byte */
        int fd = open(path, O_RDWR);
        uint8_t c;
        CHECK(pread(fd, &c, 1, at) == 1);
        c ^= 0x10;
        CHECK(pwrite(fd, &c, 1, at) == 1);
        close(fd);
    } else {
        CHECK(truncate(path, at) == 0);
    }
}

static void test_damage_detected(void)
{
    size_t n = 3 * 65536 + 1000;
    uint8_t *p = pattern(n, 3), *q = malloc(n);
    uint64_t size;
    long seg = SEALFS_SEGMENT + 16;
    /* a byte changed in the second segment: it fails, the first still reads */
    CHECK_OK(write_file(sv, "users", p, n, 65536));
    corrupt("users", SEALFS_HEADER + seg + 100, 0);
    char path[4200];
    path_of(path, sizeof path, "users");
    int fd = sv->open(sv, path, O_RDONLY, 0);
    CHECK(fd >= 0);
    CHECK(sv->pread(sv, fd, q, 1000, 0) == 1000 && !memcmp(q, p, 1000));
    CHECK_EQ_INT(sv->pread(sv, fd, q, 1000, 65536 + 10), -EBADMSG);
    sv->close(sv, fd);
    /* the header changed: nothing opens */
    CHECK_OK(write_file(sv, "users", p, n, 65536));
    corrupt("users", 20, 0);
    CHECK_EQ_INT(read_back("users", q, 10, &size), -EBADMSG);
    /* cut mid-segment, and cut exactly after a full segment */
    CHECK_OK(write_file(sv, "users", p, n, 65536));
    corrupt("users", SEALFS_HEADER + 3 * seg + 500, 1);
    CHECK_EQ_INT(read_back("users", q, n - 600, &size), -EBADMSG);
    CHECK_OK(write_file(sv, "users", p, n, 65536));
    corrupt("users", SEALFS_HEADER + 2 * seg, 1);
    fd = sv->open(sv, path, O_RDONLY, 0);
    CHECK(sv->pread(sv, fd, q, 100, 65536 + 5) == -EBADMSG); /* the new last one was not sealed as last */
    sv->close(sv, fd);
    /* copied to another path: another key */
    CHECK_OK(write_file(sv, "users", p, n, 65536));
    char other[4200], cmd[9000];
    path_of(other, sizeof other, "catalog");
    snprintf(cmd, sizeof cmd, "cp %s %s", path, other);
    CHECK(system(cmd) == 0);
    CHECK_EQ_INT(read_back("catalog", q, 10, &size), -EBADMSG);
    CHECK_OK(read_back("users", q, n, &size));
    CHECK(!memcmp(p, q, n));
    free(p);
    free(q);
}

static void test_write_once(void)
{
    char path[4200];
    path_of(path, sizeof path, "db/x/meta");
    char dir[4200];
    path_of(dir, sizeof dir, "db/x");
    CHECK_OK(vfs_mkdir_p(vfs_posix(), dir, 0755));
    int fd = sv->open(sv, path, O_WRONLY | O_CREAT | O_EXCL, 0644);
    CHECK(fd >= 0);
    CHECK(sv->pwrite(sv, fd, "abc", 3, 0) == 3);
    CHECK_EQ_INT(sv->pwrite(sv, fd, "x", 1, 1), -EINVAL); /* not at the end */
    CHECK(sv->pwrite(sv, fd, "def", 3, 3) == 3);
    CHECK_EQ_INT(sv->ftruncate(sv, fd, 1), -EINVAL);
    CHECK_OK(sv->fsync(sv, fd));
    CHECK_EQ_INT(sv->write(sv, fd, "g", 1), -EINVAL); /* finished */
    CHECK_OK(sv->close(sv, fd));
    CHECK_EQ_INT(sv->open(sv, path, O_WRONLY | O_APPEND, 0), -EINVAL); /* reopening a sealed file to add */
    uint8_t q[6];
    uint64_t size;
    CHECK_OK(read_back("db/x/meta", q, 6, &size));
    CHECK(size == 6 && !memcmp(q, "abcdef", 6));
}

static void test_plaintext_and_passthrough(void)
{
    /* a file from before encryption: served as it is, counted */
    uint64_t before = sealfs_plain_reads(sv);
    CHECK_OK(write_file(vfs_posix(), "old", (const uint8_t *)"plain old data", 14, 14));
    uint8_t q[14];
    uint64_t size;
    CHECK_OK(read_back("old", q, 14, &size));
    CHECK(size == 14 && !memcmp(q, "plain old data", 14));
    CHECK_EQ_INT(sealfs_plain_reads(sv), before + 1);
    /* LOCK and keys/ stay as they are */
    char lock[4200];
    path_of(lock, sizeof lock, "LOCK");
    int lfd;
    CHECK_OK(sv->lock(sv, lock, &lfd));
    sv->close(sv, lfd);
    CHECK_OK(write_file(sv, "keys/note", (const uint8_t *)"clear", 5, 5));
    CHECK(on_disk_has("keys/note", (const uint8_t *)"clear", 5));
    /* a file outside the data directory is not this layer's */
    char outside[4300];
    snprintf(outside, sizeof outside, "%s.outside", root);
    int fd = sv->open(sv, outside, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    CHECK(fd >= 0 && sv->write(sv, fd, "in the clear", 12) == 12);
    sv->close(sv, fd);
    FILE *fp = fopen(outside, "rb");
    char got[13] = "";
    CHECK(fp && fread(got, 1, 12, fp) == 12 && !strcmp(got, "in the clear"));
    if (fp) fclose(fp);
    unlink(outside);
}

static void test_spill(void)
{
    int fd = sv->tmpfile(sv, root);
    CHECK(fd >= 0);
    size_t n = 150000;
    uint8_t *p = pattern(n, 5), *q = malloc(n);
    for (size_t at = 0; at < n; at += 1 << 14) {
        size_t k = n - at < (1 << 14) ? n - at : 1 << 14;
        CHECK(sv->pwrite(sv, fd, p + at, k, (off_t)at) == (ssize_t)k);
    }
    CHECK_OK(vfs_pread_all(sv, fd, q, n, 0)); /* read back on the same fd */
    CHECK(!memcmp(p, q, n));
    CHECK_OK(sv->close(sv, fd));
    free(p);
    free(q);
}

typedef struct reader {
    const char *path;
    const uint8_t *want;
    size_t n;
    int bad;
    unsigned seed;
} reader;

static void *read_many(void *arg)
{
    reader *r = arg;
    int fd = sv->open(sv, r->path, O_RDONLY, 0);
    if (fd < 0) {
        r->bad++;
        return NULL;
    }
    uint8_t buf[70000];
    for (int i = 0; i < 400; i++) {
        size_t at = (size_t)rand_r(&r->seed) % r->n, k = (size_t)rand_r(&r->seed) % sizeof buf;
        if (k > r->n - at) k = r->n - at;
        if (sv->pread(sv, fd, buf, k, (off_t)at) != (ssize_t)k || memcmp(buf, r->want + at, k)) r->bad++;
    }
    sv->close(sv, fd);
    return NULL;
}

/* Readers of one file and of another at once, through a cache smaller
 * than them: every byte right. */
static void test_concurrent_reads(void)
{
    size_t n = 20 * 65536 + 123;
    uint8_t *p = pattern(n, 11), *q = pattern(n, 12);
    CHECK_OK(write_file(sv, "db/x/one", p, n, 100000));
    CHECK_OK(write_file(sv, "db/x/two", q, n, 100000));
    char one[4200], two[4200];
    path_of(one, sizeof one, "db/x/one");
    path_of(two, sizeof two, "db/x/two");
    reader r[4];
    pthread_t th[4];
    for (int i = 0; i < 4; i++) {
        r[i] = (reader){.path = i % 2 ? two : one, .want = i % 2 ? q : p, .n = n, .seed = (unsigned)i + 1};
        pthread_create(&th[i], NULL, read_many, &r[i]);
    }
    int bad = 0;
    for (int i = 0; i < 4; i++) {
        pthread_join(th[i], NULL);
        bad += r[i].bad;
    }
    CHECK_EQ_INT(bad, 0);
    uint64_t hits, misses;
    sealfs_cache_counts(sv, &hits, &misses);
    CHECK(hits > 0 && misses > 0);
    free(p);
    free(q);
}

static uint64_t fbits(double d)
{
    uint64_t u;
    memcpy(&u, &d, 8);
    return u;
}

static void write_series(store *st, const char *db, const char *host, int64_t t0, int n)
{
    store_batch *b = store_batch_new();
    label ls[2] = {{st_slice_cstr("__name__"), st_slice_cstr("hidden_metric_name")},
                   {st_slice_cstr("host"), st_slice_cstr(host)}};
    uint32_t h = 0;
    series_meta m = {ST_VT_FLOAT, 8};
    st_err e = {0};
    CHECK_OK(store_batch_series(b, ls, 2, m, &h, &e));
    for (int i = 0; i < n; i++) store_batch_add(b, h, t0 + i * ST_NS_PER_S, fbits(i * 1.5));
    store_write_result r;
    CHECK_OK(store_write(st, db, b, &r, &e));
    CHECK_EQ_INT(r.accepted, n);
    store_batch_free(b);
}

/* Samples of host in db, read through the query layer; -1 on an error. */
static long count_host(store *st, const char *db, const char *host)
{
    matcher *m;
    st_err e = {0};
    if (matcher_new(MATCH_EQ, st_slice_cstr("host"), st_slice_cstr(host), &m, &e)) return -1;
    tscan t;
    long total = 0;
    codec_samples cs = {0};
    if (tscan_open(st, db, &m, 1, INT64_MIN, INT64_MAX, &t, &e) == 0) {
        const uint8_t *key;
        size_t kl;
        series_meta meta;
        int rc;
        while ((rc = tscan_next(&t, &key, &kl, &meta, &cs, &e)) == 1) total += (long)cs.n;
        if (rc < 0) total = -1;
        tscan_close(&t);
    }
    codec_samples_free(&cs);
    matcher_free(m);
    return total;
}

static store *open_store(const char *dir)
{
    store_opts o;
    store_opts_default(&o);
    o.data_dir = dir;
    o.maintenance_interval = 0;
    o.memory_window = 24LL * 3600 * ST_NS_PER_S;
    o.retention = 0;
    o.vfs = sv;
    o.log = test_store_log;
    store *st = NULL;
    st_err e = {0};
    if (store_open(&o, &st, &e)) fprintf(stderr, "store_open: %s\n", e.msg);
    return st;
}

static int plaintext_in(const char *path, bool is_dir)
{
    if (is_dir || strstr(path, "/wal/")) return 0; /* the WAL's own framing comes next */
    static const char *const words[] = {"hidden_metric_name", "host-secret"};
    int bad = 0;
    FILE *fp = fopen(path, "rb");
    if (!fp) return 0;
    static uint8_t buf[4 << 20];
    size_t n = fread(buf, 1, sizeof buf, fp);
    fclose(fp);
    for (size_t i = 0; i < 2; i++)
        if (memmem(buf, n, words[i], strlen(words[i]))) {
            fprintf(stderr, "  %s holds \"%s\" in the clear\n", path, words[i]);
            bad++;
        }
    return bad;
}

static int walk(const char *dir, int (*fn)(const char *path, bool is_dir))
{
    int bad = 0;
    DIR *d = opendir(dir);
    if (!d) return 0;
    struct dirent *de;
    while ((de = readdir(d))) {
        if (de->d_name[0] == '.' && (!de->d_name[1] || (de->d_name[1] == '.' && !de->d_name[2]))) continue;
        char p[8192];
        snprintf(p, sizeof p, "%s/%s", dir, de->d_name);
        struct stat sb;
        if (lstat(p, &sb)) continue;
        bad += fn(p, S_ISDIR(sb.st_mode));
        if (S_ISDIR(sb.st_mode)) bad += walk(p, fn);
    }
    closedir(d);
    return bad;
}

/* A whole store over sealfs: blocks, catalog and tombstones written
 * sealed by the engine's own writers, read back after a restart, and no
 * label or metric name readable in them. */
static void test_store_session(void)
{
    char dir[4200];
    snprintf(dir, sizeof dir, "%s/store", root);
    char base_dir[4200];
    snprintf(base_dir, sizeof base_dir, "%s", root);
    int64_t t0 = (st_now_ns() / ST_NS_PER_S - 3 * 3600) * ST_NS_PER_S;
    /* sealfs is rooted at the data directory */
    sealfs_free(sv);
    CHECK_OK(vfs_mkdir_p(vfs_posix(), dir, 0755));
    st_err e = {0};
    crypto *k2 = NULL;
    char kf[4300];
    snprintf(kf, sizeof kf, "%s.keys", root);
    int fd = open(kf, O_WRONLY | O_CREAT | O_TRUNC, 0600);
    const char *line = "s1 ICEiIyQlJicoKSorLC0uLzAxMjM0NTY3ODk6Ozw9Pj8=\n";
    CHECK(write(fd, line, strlen(line)) == (ssize_t)strlen(line));
    close(fd);
    CHECK_OK(crypto_open(vfs_posix(), dir, kf, &k2, &e));
    CHECK_OK(sealfs_new(vfs_posix(), k2, dir, 1 << 20, &sv, &e)); /* a small cache: evictions */
    store *st = open_store(dir);
    CHECK(st != NULL);
    if (!st) return;
    CHECK_OK(store_db_create(st, "other", -1, -1, NULL));
    write_series(st, "default", "host-secret", t0, 500);
    write_series(st, "default", "host-b", t0, 300);
    write_series(st, "other", "host-secret", t0, 100);
    CHECK_OK(store_flush_all(st, NULL));
    /* a delete of part of a block: tombstones written sealed */
    matcher *m;
    CHECK_OK(matcher_new(MATCH_EQ, st_slice_cstr("host"), st_slice_cstr("host-b"), &m, &e));
    uint64_t nseries;
    CHECK_OK(store_delete(st, "default", &m, 1, t0, t0 + 99 * ST_NS_PER_S, &nseries, &e));
    matcher_free(m);
    CHECK_EQ_INT(count_host(st, "default", "host-secret"), 500);
    CHECK_EQ_INT(count_host(st, "default", "host-b"), 200);
    CHECK_OK(store_close(st, NULL));
    CHECK_EQ_INT(walk(dir, plaintext_in), 0);
    /* reopened: everything reads back through the seals */
    st = open_store(dir);
    CHECK(st != NULL);
    if (!st) return;
    store_stats ss;
    store_get_stats(st, &ss);
    CHECK(ss.blocks >= 2 && ss.block_corruptions == 0);
    CHECK_EQ_INT(count_host(st, "default", "host-secret"), 500);
    CHECK_EQ_INT(count_host(st, "default", "host-b"), 200);
    CHECK_EQ_INT(count_host(st, "other", "host-secret"), 100);
    CHECK_OK(store_close(st, NULL));
    /* a block file damaged on disk: found, moved aside, not served */
    char cmd[9000];
    snprintf(cmd, sizeof cmd, "f=$(ls %s/db/other/blocks/*/chunks | head -1); printf 'Z' | dd of=$f bs=1 seek=100 "
             "conv=notrunc 2>/dev/null", dir);
    CHECK(system(cmd) == 0);
    st = open_store(dir);
    CHECK(st != NULL);
    if (!st) return;
    long got = count_host(st, "other", "host-secret");
    store_get_stats(st, &ss);
    CHECK_MSG(got <= 0 || ss.block_corruptions > 0, "a damaged sealed block served %ld samples", got);
    CHECK_EQ_INT(count_host(st, "default", "host-secret"), 500);
    CHECK_OK(store_close(st, NULL));
    sealfs_free(sv);
    sv = NULL;
    crypto_close(k2);
    unlink(kf);
    (void)base_dir;
}

int main(void)
{
    char *base = testlib_tmpdir("sealfs");
    root = malloc(4200);
    snprintf(root, 4200, "%s/data", base);
    char kf[4200];
    snprintf(kf, sizeof kf, "%s/keys.txt", base);
    int fd = open(kf, O_WRONLY | O_CREAT | O_TRUNC, 0600);
    const char *k = "main AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=\n";
    if (write(fd, k, strlen(k)) != (ssize_t)strlen(k)) return 1;
    close(fd);
    mkdir(root, 0755);
    st_err e = {0};
    if (crypto_open(vfs_posix(), root, kf, &keys, &e) || sealfs_new(vfs_posix(), keys, root, 8 << 20, &sv, &e)) {
        fprintf(stderr, "%s\n", e.msg);
        return 1;
    }
    RUN(test_round_trips);
    RUN(test_damage_detected);
    RUN(test_write_once);
    RUN(test_plaintext_and_passthrough);
    RUN(test_spill);
    RUN(test_concurrent_reads);
    RUN(test_store_session);
    sealfs_free(sv);
    crypto_close(keys);
    char cmd[4300];
    snprintf(cmd, sizeof cmd, "rm -rf %s", base);
    free(base);
    if (system(cmd)) return 1;
    free(root);
    return testlib_done("test_sealfs");
}
