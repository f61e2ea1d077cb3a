/* bench_block: bytes per sample of one block directory and the memory an
 * open block holds per series, for the chunk cutting and statistics of
 * block format version 2 (block.c documents the figures this produced).
 *
 * Workloads, generated here, deterministic, with the shapes of
 * bench_engine.c's generators but per series (so any number of points fits
 * in memory): prom = 10,000 series, 40% counters, 40% gauges, 20%
 * constants, millisecond timestamps with +-3 ms of jitter; tsbs = 1,000
 * hosts x 10 fields, 2-decimal random walks in [0, 100], 11 labels.
 *
 * usage: bench_block prom|tsbs INTERVAL_SECONDS HOURS DIR
 *   writes one block of HOURS hours (aligned to 2 h) under DIR with
 *   blk_writer, as a flush (2 h) or a compaction (24 h) would, and prints
 *   du -sb of the block directory per sample, then opens it and prints the
 *   heap bytes blk_open kept per series (mallinfo2: build with NOJEMALLOC=1,
 *   e.g. make NOJEMALLOC=1 BUILD=build-nojm build-nojm/engine/bench/bench_block,
 *   else jemalloc's allocations are not seen and it prints 0).
 */
#include <dirent.h>
#include <malloc.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "block.h"

static uint64_t rng;
static double urand(void)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return (double)(rng >> 11) / (double)(1ull << 53);
}

static uint64_t fbits(double d)
{
    uint64_t u;
    memcpy(&u, &d, 8);
    return u;
}

static uint64_t du(const char *path)
{
    struct stat st;
    if (lstat(path, &st) != 0) return 0;
    uint64_t total = (uint64_t)st.st_size;
    if (!S_ISDIR(st.st_mode)) return total;
    DIR *d = opendir(path);
    if (!d) return total;
    struct dirent *de;
    while ((de = readdir(d))) {
        if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, "..")) continue;
        char sub[4096];
        snprintf(sub, sizeof sub, "%s/%s", path, de->d_name);
        total += du(sub);
    }
    closedir(d);
    return total;
}

typedef struct bser {
    st_buf key;
    int kind; /* prom: 0 counter, 1 gauge, 2 constant */
    uint16_t table_len;
    size_t idx;
} bser;

static int bser_cmp(const void *a, const void *b)
{
    const bser *x = a, *y = b;
    size_t n = x->key.len < y->key.len ? x->key.len : y->key.len;
    int c = memcmp(x->key.p, y->key.p, n);
    return c ? c : (x->key.len > y->key.len) - (x->key.len < y->key.len);
}

static const char *fields[10] = {"usage_user", "usage_system", "usage_idle", "usage_nice",
                                 "usage_iowait", "usage_irq", "usage_softirq", "usage_steal",
                                 "usage_guest", "usage_guest_nice"};
static const char *regions[5] = {"us-east-1", "us-west-1", "eu-west-1", "eu-central-1",
                                 "ap-southeast-1"};

static void make_key(bser *s, size_t i, bool tsbs)
{
    char name[64], b1[64], b2[64], b3[64], b4[16];
    label ls[12];
    size_t nl = 0;
    s->idx = i;
    if (tsbs) {
        size_t h = i / 10;
        snprintf(name, sizeof name, "cpu_%s", fields[i % 10]);
        snprintf(b1, sizeof b1, "host_%zu", h);
        snprintf(b2, sizeof b2, "%sa", regions[h % 5]);
        snprintf(b3, sizeof b3, "%zu", h % 100);
        snprintf(b4, sizeof b4, "%zu", h % 20);
        const char *kv[] = {"__name__", name, "hostname", b1, "region", regions[h % 5],
                            "datacenter", b2, "rack", b3, "os", "Ubuntu16.04LTS", "arch", "x64",
                            "team", "SF", "service", b4, "service_version", h % 2 ? "1" : "0",
                            "service_environment", "production"};
        for (nl = 0; nl < 11; nl++)
            ls[nl] = (label){st_slice_cstr(kv[2 * nl]), st_slice_cstr(kv[2 * nl + 1])};
        s->table_len = 3;
    } else {
        s->kind = i % 10 < 4 ? 0 : i % 10 < 8 ? 1 : 2;
        snprintf(name, sizeof name, "%s_%zu",
                 s->kind == 0 ? "http_requests_total" : s->kind == 1 ? "memory_bytes" : "build_info",
                 i % 50);
        snprintf(b1, sizeof b1, "10.0.%zu.%zu:9100", i / 250, i % 250);
        snprintf(b2, sizeof b2, "%zu", i % 7);
        const char *kv[] = {"__name__", name, "instance", b1, "job", "node", "code", b2};
        for (nl = 0; nl < 4; nl++)
            ls[nl] = (label){st_slice_cstr(kv[2 * nl]), st_slice_cstr(kv[2 * nl + 1])};
        s->table_len = (uint16_t)strlen(name);
    }
    labels_canonicalize(ls, &nl, NULL);
    labels_key(ls, nl, &s->key);
}

/* The samples of series s: *m of them. */
static void make_samples(const bser *s, bool tsbs, int64_t start, double interval, size_t npts,
                         int64_t *ts, uint64_t *vals, size_t *m)
{
    rng = 0x9E3779B97F4A7C15ull ^ (s->idx * 0x100000001B3ull + 1);
    for (int j = 0; j < 5; j++) urand();
    *m = 0;
    if (tsbs) {
        double v = urand() * 100;
        for (size_t p = 0; p < npts; p++) {
            v += urand() * 2 - 1;
            v = v < 0 ? 0 : v > 100 ? 100 : v;
            ts[*m] = start + (int64_t)((double)p * interval * 1e9);
            vals[(*m)++] = fbits((double)llround(v * 100) / 100.0);
        }
        return;
    }
    double v = s->kind == 0 ? floor(urand() * 1e6) : urand() * 1e9;
    for (size_t p = 0; p < npts; p++) {
        int64_t jitter = (int64_t)(urand() * 6) - 3;
        int64_t t = start + ((int64_t)((double)p * interval * 1000) + jitter) * ST_NS_PER_MS;
        if (s->kind == 0) v += floor(urand() * 100);
        else if (s->kind == 1) v = floor(v + (urand() - 0.5) * 1e6);
        if (t < start) continue;
        ts[*m] = t;
        vals[(*m)++] = fbits(v);
    }
}

int main(int argc, char **argv)
{
    if (argc != 5 || (strcmp(argv[1], "prom") && strcmp(argv[1], "tsbs"))) {
        fprintf(stderr, "usage: %s prom|tsbs INTERVAL_SECONDS HOURS DIR\n", argv[0]);
        return 2;
    }
    bool tsbs = !strcmp(argv[1], "tsbs");
    double interval = atof(argv[2]);
    int hours = atoi(argv[3]);
    const char *parent = argv[4];
    if (interval <= 0 || hours <= 0) return 2;
    size_t n = 10000;
    int64_t P = 2 * 3600 * ST_NS_PER_S;
    int64_t start = 1700000000LL * ST_NS_PER_S / P * P;
    int64_t span = (int64_t)hours * 3600 * ST_NS_PER_S;
    size_t npts = (size_t)((double)span / (interval * 1e9));
    bser *s = calloc(n, sizeof *s);
    for (size_t i = 0; i < n; i++) make_key(&s[i], i, tsbs);
    qsort(s, n, sizeof *s, bser_cmp);
    blk_writer *w;
    st_err e;
    if (blk_writer_open(vfs_posix(), parent, start, start + span - 1, 1, &w, &e)) {
        fprintf(stderr, "%s\n", e.msg);
        return 1;
    }
    int64_t *ts = malloc((npts + 1) * sizeof *ts);
    uint64_t *vals = malloc((npts + 1) * sizeof *vals);
    uint64_t total = 0;
    for (size_t k = 0; k < n; k++) {
        size_t m;
        make_samples(&s[k], tsbs, start, interval, npts, ts, vals, &m);
        series_meta meta = {ST_VT_FLOAT, s[k].table_len};
        if (blk_writer_add(w, s[k].key.p, s[k].key.len, meta, ts, vals, NULL, m, &e)) {
            fprintf(stderr, "%s\n", e.msg);
            return 1;
        }
        total += m;
    }
    char id[33], dir[4096], f1[4200], f2[4200];
    if (blk_writer_commit(w, id, &e)) {
        fprintf(stderr, "%s\n", e.msg);
        return 1;
    }
    snprintf(dir, sizeof dir, "%s/%s", parent, id);
    snprintf(f1, sizeof f1, "%s/chunks", dir);
    snprintf(f2, sizeof f2, "%s/index", dir);
    uint64_t bytes = du(dir);
    struct mallinfo2 a = mallinfo2();
    blk *b;
    if (blk_open(vfs_posix(), dir, &b, &e)) {
        fprintf(stderr, "%s\n", e.msg);
        return 1;
    }
    struct mallinfo2 z = mallinfo2();
    double mem = (double)(z.uordblks + z.hblkhd - a.uordblks - a.hblkhd) / (double)n;
    uint64_t nchunks = 0;
    for (uint32_t i = 0; i < blk_nseries(b); i++) nchunks += blk_series_nchunks(b, i);
    printf("%s %g s, %d h: %zu series, %llu samples, %.2f chunks a series; block %llu bytes = "
           "%.4f B/sample (chunks %llu, index %llu); blk memory %.1f B/series\n",
           argv[1], interval, hours, n, (unsigned long long)total, (double)nchunks / (double)n,
           (unsigned long long)bytes, (double)bytes / (double)total, (unsigned long long)du(f1),
           (unsigned long long)du(f2), mem);
    blk_unref(b);
    for (size_t i = 0; i < n; i++) st_buf_free(&s[i].key);
    free(s);
    free(ts);
    free(vals);
    return 0;
}
