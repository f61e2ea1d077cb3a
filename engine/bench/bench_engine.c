/* bench_engine: the storage engine's hot paths, in process.
 *
 * Workloads (generated here, deterministic):
 *   tsbs  TSBS-like cpu-only: 1,000 hosts x 10 fields = 10,000 series, 360
 *         points at 10 s, values random walks in [0,100] with 2 decimals;
 *   prom  Prometheus-like: 10,000 series (40% counters, 40% gauges, 20%
 *         constants), 360 scrapes at 15 s with a few ms of jitter.
 * Figures: head append rate (head only, 1 and 2 threads), store_write rate
 * through the WAL (fsync every 1s, and fsync before every ack), bytes per
 * sample on disk after a flush (du -sb of the whole data directory, WAL
 * included), head bytes per active series, WAL replay time.
 *
 * usage: bench_engine [--emit-lp FILE | --emit-om FILE]: the tsbs data as
 * line protocol (ns timestamps) or OpenMetrics text, for feeding a peer the
 * same samples)
 *
 * STRATA_BENCH_ONLY=gc: flush of a head with many series (STRATA_BENCH_GC_HOSTS
 * hosts x 10 fields, default 100,000 = 1M series, one sample each, TSBS
 * labels), timing store_flush_all (freeze, block write, checkpoint, and the
 * removal of every emptied series from the head) and the longest store_write
 * a writer saw meanwhile (how long a shard lock was held against it).
 */
#include <dirent.h>
#include <inttypes.h>
#include <math.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "bits.h"
#include "head.h"
#include "labels.h"
#include "store.h"

#define HOSTS 1000
#define FIELDS 10
/* 360 points; STRATA_BENCH_POINTS makes a smaller run (for profiling under
 * callgrind), STRATA_BENCH_ONLY=head|store|flush runs one part. */
static size_t POINTS = 360;

typedef struct workload {
    const char *name;
    size_t nseries, npoints;
    label (*labels)[12];
    size_t *nlabels;
    uint16_t *table_len;
    int64_t *ts;     /* [point][series]: in the order requests carry them */
    uint64_t *vals;  /* [point][series] */
    char *strings;   /* label storage */
} workload;

static const char *fields[FIELDS] = {"usage_user", "usage_system", "usage_idle", "usage_nice",
                                     "usage_iowait", "usage_irq", "usage_softirq", "usage_steal",
                                     "usage_guest", "usage_guest_nice"};
static const char *regions[5] = {"us-east-1", "us-west-1", "eu-west-1", "eu-central-1",
                                 "ap-southeast-1"};

static uint64_t rng = 42;
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

static char *sdup(char **arena, const char *s)
{
    size_t n = strlen(s) + 1;
    char *p = *arena;
    memcpy(p, s, n);
    *arena += n;
    return p;
}

static void wl_alloc(workload *w, size_t nseries, size_t npoints)
{
    w->nseries = nseries;
    w->npoints = npoints;
    w->labels = calloc(nseries, sizeof *w->labels);
    w->nlabels = calloc(nseries, sizeof *w->nlabels);
    w->table_len = calloc(nseries, sizeof *w->table_len);
    w->ts = malloc(nseries * npoints * sizeof *w->ts);
    w->vals = malloc(nseries * npoints * sizeof *w->vals);
    w->strings = malloc(nseries * 400);
}

#define AT(w, s, p) ((size_t)(p) * (w)->nseries + (size_t)(s))

static void set_label(workload *w, size_t s, char **ar, const char *n, const char *v)
{
    size_t i = w->nlabels[s]++;
    w->labels[s][i].name = st_slice_cstr(sdup(ar, n));
    w->labels[s][i].value = st_slice_cstr(sdup(ar, v));
}

static int cmp_label(const void *a, const void *b)
{
    return st_slice_cmp(((const label *)a)->name, ((const label *)b)->name);
}

/* Clients send label sets sorted (Prometheus does; line-protocol tags are
 * sorted by the parser): so does the benchmark. */
static void sort_labels(workload *w)
{
    for (size_t s = 0; s < w->nseries; s++) qsort(w->labels[s], w->nlabels[s], sizeof(label), cmp_label);
}

static void gen_tsbs(workload *w, int64_t start)
{
    wl_alloc(w, HOSTS * FIELDS, POINTS);
    w->name = "tsbs";
    char *ar = w->strings;
    double state[HOSTS][FIELDS];
    rng = 42;
    for (size_t h = 0; h < HOSTS; h++) {
        char buf[64];
        for (int f = 0; f < FIELDS; f++) {
            size_t s = h * FIELDS + (size_t)f;
            snprintf(buf, sizeof buf, "cpu_%s", fields[f]);
            set_label(w, s, &ar, "__name__", buf);
            w->table_len[s] = 3;
            snprintf(buf, sizeof buf, "host_%zu", h);
            set_label(w, s, &ar, "hostname", buf);
            const char *r = regions[h % 5];
            set_label(w, s, &ar, "region", r);
            snprintf(buf, sizeof buf, "%sa", r);
            set_label(w, s, &ar, "datacenter", buf);
            snprintf(buf, sizeof buf, "%zu", h % 100);
            set_label(w, s, &ar, "rack", buf);
            set_label(w, s, &ar, "os", "Ubuntu16.04LTS");
            set_label(w, s, &ar, "arch", "x64");
            set_label(w, s, &ar, "team", "SF");
            snprintf(buf, sizeof buf, "%zu", h % 20);
            set_label(w, s, &ar, "service", buf);
            snprintf(buf, sizeof buf, "%zu", h % 2);
            set_label(w, s, &ar, "service_version", buf);
            set_label(w, s, &ar, "service_environment", "production");
            state[h][f] = urand() * 100;
        }
    }
    for (size_t p = 0; p < POINTS; p++)
        for (size_t h = 0; h < HOSTS; h++)
            for (int f = 0; f < FIELDS; f++) {
                double *x = &state[h][f];
                *x += urand() * 2 - 1;
                if (*x < 0) *x = 0;
                if (*x > 100) *x = 100;
                size_t s = h * FIELDS + (size_t)f;
                w->ts[AT(w, s, p)] = start + (int64_t)p * 10 * ST_NS_PER_S;
                /* the double strtod gives for the 2-decimal text */
                w->vals[AT(w, s, p)] = fbits((double)llround(*x * 100) / 100.0);
            }
}

static void gen_prom(workload *w, int64_t start)
{
    size_t n = 10000;
    wl_alloc(w, n, POINTS);
    w->name = "prom";
    char *ar = w->strings;
    rng = 7;
    for (size_t s = 0; s < n; s++) {
        char buf[64];
        int kind = s % 10 < 4 ? 0 : s % 10 < 8 ? 1 : 2;
        snprintf(buf, sizeof buf, "%s_%zu", kind == 0 ? "http_requests_total" : kind == 1 ? "memory_bytes" : "build_info", s % 50);
        set_label(w, s, &ar, "__name__", buf);
        w->table_len[s] = (uint16_t)strlen(buf);
        snprintf(buf, sizeof buf, "10.0.%zu.%zu:9100", s / 250, s % 250);
        set_label(w, s, &ar, "instance", buf);
        set_label(w, s, &ar, "job", "node");
        snprintf(buf, sizeof buf, "%zu", s % 7);
        set_label(w, s, &ar, "code", buf);
        double v = kind == 0 ? floor(urand() * 1e6) : urand() * 1e9;
        for (size_t p = 0; p < POINTS; p++) {
            int64_t jitter = (int64_t)(urand() * 6) - 3;
            w->ts[AT(w, s, p)] = start + ((int64_t)p * 15000 + jitter) * ST_NS_PER_MS;
            if (kind == 0) v += floor(urand() * 100);
            else if (kind == 1) v = floor(v + (urand() - 0.5) * 1e6);
            w->vals[AT(w, s, p)] = fbits(v);
        }
    }
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

/* ---- head only ---- */

typedef struct head_job {
    head *h;
    workload *w;
    hseries **ser;
    size_t *by_shard;     /* series indices grouped by shard */
    size_t *shard_start;  /* [nshards + 1] */
    unsigned first, step; /* this worker's shards: first, first+step, ... */
} head_job;

/* Appends point by point, a shard at a time, as store_write does with a
 * request: one lock hold per shard per batch. */
static void *head_worker(void *arg)
{
    head_job *j = arg;
    unsigned nsh = head_nshards(j->h);
    size_t np = j->w->npoints;
    for (size_t p = 0; p < np; p++) {
        for (unsigned sh = j->first; sh < nsh; sh += j->step) {
            head_lock(j->h, sh);
            size_t a = j->shard_start[sh], b = j->shard_start[sh + 1];
            for (size_t i = a; i < b; i++) {
                if (i + 16 < b) head_prefetch(j->ser[j->by_shard[i + 16]]);
                if (i + 8 < b) head_prefetch_buffer(j->ser[j->by_shard[i + 8]]);
                size_t s = j->by_shard[i];
                head_append_locked(j->h, j->ser[s], j->w->ts[AT(j->w, s, p)], j->w->vals[AT(j->w, s, p)],
                                   st_slice_of(NULL, 0));
            }
            head_unlock(j->h, sh);
        }
    }
    return NULL;
}

static double bench_head(workload *w, int threads, uint64_t *mem_per_series)
{
    head_opts ho = {0};
    head *h = head_new(&ho);
    unsigned nsh = head_nshards(h);
    hseries **ser = calloc(w->nseries, sizeof *ser);
    unsigned *shard = calloc(w->nseries, sizeof *shard);
    size_t *by_shard = calloc(w->nseries, sizeof *by_shard);
    size_t *shard_start = calloc(nsh + 1, sizeof *shard_start);
    st_buf key = {0};
    for (size_t s = 0; s < w->nseries; s++) {
        label ls[12];
        size_t n = w->nlabels[s];
        memcpy(ls, w->labels[s], n * sizeof *ls);
        labels_canonicalize(ls, &n, NULL);
        key.len = 0;
        labels_key(ls, n, &key);
        uint64_t hash = st_hash64(key.p, key.len, 0);
        unsigned sh = head_shard_of(h, hash);
        series_meta m = {ST_VT_FLOAT, w->table_len[s]};
        head_lock(h, sh);
        ser[s] = head_create_locked(h, sh, hash, key.p, key.len, m, s + 1);
        head_unlock(h, sh);
        shard[s] = sh;
        shard_start[sh + 1]++;
    }
    for (unsigned i = 0; i < nsh; i++) shard_start[i + 1] += shard_start[i];
    size_t *fill = calloc(nsh + 1, sizeof *fill);
    memcpy(fill, shard_start, (nsh + 1) * sizeof *fill);
    for (size_t s = 0; s < w->nseries; s++) by_shard[fill[shard[s]]++] = s;
    pthread_t tid[8];
    head_job jobs[8];
    int64_t t0 = st_mono_ns();
    for (int t = 0; t < threads; t++) {
        jobs[t] = (head_job){h, w, ser, by_shard, shard_start, (unsigned)t, (unsigned)threads};
        pthread_create(&tid[t], NULL, head_worker, &jobs[t]);
    }
    for (int t = 0; t < threads; t++) pthread_join(tid[t], NULL);
    double secs = (double)(st_mono_ns() - t0) / 1e9;
    head_stats hs;
    head_get_stats(h, &hs);
    if (mem_per_series) {
        /* memory beyond the samples: compressed chunks and raw buffers
         * (16 bytes a sample) are the samples themselves */
        uint64_t samples_mem = hs.chunk_bytes + hs.buffer_samples * 16;
        *mem_per_series = (hs.memory_bytes - samples_mem) / w->nseries;
    }
    free(ser);
    free(shard);
    free(by_shard);
    free(shard_start);
    free(fill);
    st_buf_free(&key);
    head_free(h);
    return (double)(w->nseries * w->npoints) / secs;
}

/* ---- through the store (WAL) ---- */

typedef struct store_job {
    store *s;
    workload *w;
    size_t from, to;
    int rc;
} store_job;

/* The writer keeps a series cache, as the protocol adapters do: the first
 * request of a series canonicalises its labels; later ones hand the store
 * the remembered canonical key and hash. */
typedef struct cached_key {
    uint8_t *key;
    size_t len;
    uint64_t hash;
} cached_key;

static void *store_worker(void *arg)
{
    store_job *j = arg;
    store_batch *b = store_batch_new();
    cached_key *cache = calloc(j->to - j->from, sizeof *cache);
    /* batches of 1,000 samples: 100 rows of 10 fields, as a line-protocol
     * request of 100 lines would carry */
    size_t per = 1000;
    for (size_t p = 0; p < j->w->npoints; p++) {
        for (size_t s = j->from; s < j->to; s += per) {
            store_batch_reset(b);
            size_t e = s + per < j->to ? s + per : j->to;
            for (size_t k = s; k < e; k++) {
                uint32_t h;
                series_meta m = {ST_VT_FLOAT, j->w->table_len[k]};
                cached_key *c = &cache[k - j->from];
                if (c->key) {
                    store_batch_series_key(b, c->key, c->len, c->hash, m, &h, NULL);
                } else {
                    label ls[12];
                    size_t n = j->w->nlabels[k];
                    memcpy(ls, j->w->labels[k], n * sizeof *ls);
                    store_batch_series(b, ls, n, m, &h, NULL);
                    const uint8_t *key;
                    store_batch_key(b, h, &key, &c->len, &c->hash);
                    c->key = malloc(c->len);
                    memcpy(c->key, key, c->len);
                }
                store_batch_add(b, h, j->w->ts[AT(j->w, k, p)], j->w->vals[AT(j->w, k, p)]);
            }
            store_write_result r;
            st_err e2;
            int rc = store_write(j->s, "default", b, &r, &e2);
            if (rc) {
                fprintf(stderr, "store_write: %s\n", e2.msg);
                j->rc = rc;
                break;
            }
        }
        if (j->rc) break;
    }
    for (size_t k = 0; k < j->to - j->from; k++) free(cache[k].key);
    free(cache);
    store_batch_free(b);
    return NULL;
}

static void quiet(void *ctx, const char *level, const char *msg)
{
    (void)ctx;
    (void)level;
    (void)msg;
}

static store *bench_open(const char *dir, int64_t fsync_interval)
{
    store_opts o;
    store_opts_default(&o);
    o.data_dir = dir;
    o.maintenance_interval = 0;
    o.retention = 0;
    o.memory_window = 24LL * 3600 * ST_NS_PER_S;
    o.wal_fsync_interval = fsync_interval;
    o.log = quiet;
    store *s;
    st_err e;
    if (store_open(&o, &s, &e)) {
        fprintf(stderr, "store_open: %s\n", e.msg);
        exit(1);
    }
    return s;
}

static double bench_store(workload *w, const char *dir, int threads, int64_t fsync_interval,
                          double *replay_s, uint64_t *bytes_after_flush)
{
    char cmd[4200];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    if (system(cmd) != 0) return 0;
    store *s = bench_open(dir, fsync_interval);
    pthread_t tid[8];
    store_job jobs[8];
    int64_t t0 = st_mono_ns();
    for (int t = 0; t < threads; t++) {
        jobs[t] = (store_job){s, w, w->nseries * (size_t)t / (size_t)threads,
                              w->nseries * (size_t)(t + 1) / (size_t)threads, 0};
        pthread_create(&tid[t], NULL, store_worker, &jobs[t]);
    }
    for (int t = 0; t < threads; t++) pthread_join(tid[t], NULL);
    double secs = (double)(st_mono_ns() - t0) / 1e9;
    if (replay_s) {
        store_close(s, NULL);
        int64_t r0 = st_mono_ns();
        s = bench_open(dir, fsync_interval);
        *replay_s = (double)(st_mono_ns() - r0) / 1e9;
    }
    if (bytes_after_flush) {
        st_err e;
        if (store_flush_all(s, &e)) fprintf(stderr, "flush: %s\n", e.msg);
        *bytes_after_flush = du(dir);
    }
    store_close(s, NULL);
    return (double)(w->nseries * w->npoints) / secs;
}

/* ---- flush of a head with many series ---- */

typedef struct gc_writer {
    store *s;
    _Atomic bool *stop;
    int64_t max_ns;
    uint64_t writes;
} gc_writer;

/* Writes one sample to one fresh series at a time, as a trickle of new
 * series would, and records the slowest write: a flush that held a shard
 * lock for long shows up here. */
static void *gc_writer_main(void *arg)
{
    gc_writer *g = arg;
    store_batch *b = store_batch_new();
    char host[32];
    for (uint64_t i = 0; !atomic_load(g->stop); i++) {
        store_batch_reset(b);
        snprintf(host, sizeof host, "late_%" PRIu64, i);
        label ls[2] = {{st_slice_cstr("__name__"), st_slice_cstr("cpu_late")},
                       {st_slice_cstr("hostname"), st_slice_cstr(host)}};
        uint32_t h;
        series_meta m = {ST_VT_FLOAT, 0};
        store_batch_series(b, ls, 2, m, &h, NULL);
        store_batch_add(b, h, st_now_ns(), fbits(1.0));
        store_write_result r;
        st_err e;
        int64_t t0 = st_mono_ns();
        if (store_write(g->s, "default", b, &r, &e)) break;
        int64_t dt = st_mono_ns() - t0;
        if (dt > g->max_ns) g->max_ns = dt;
        g->writes++;
        struct timespec ts = {0, 200000}; /* 5,000 writes a second at most */
        nanosleep(&ts, NULL);
    }
    store_batch_free(b);
    return NULL;
}

static void bench_gc(const char *dir)
{
    size_t hosts = getenv("STRATA_BENCH_GC_HOSTS") ? (size_t)atol(getenv("STRATA_BENCH_GC_HOSTS")) : 100000;
    char cmd[4200];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    if (system(cmd) != 0) return;
    store *s = bench_open(dir, ST_NS_PER_S);
    store_batch *b = store_batch_new();
    int64_t ts = (st_now_ns() - 3600 * ST_NS_PER_S) / ST_NS_PER_S * ST_NS_PER_S;
    int64_t t0 = st_mono_ns();
    char host[32], rack[8], svc[8], ver[4], name[40];
    for (size_t h = 0; h < hosts; h += 100) {
        store_batch_reset(b);
        for (size_t k = h; k < h + 100 && k < hosts; k++) {
            snprintf(host, sizeof host, "host_%zu", k);
            snprintf(rack, sizeof rack, "%zu", k % 100);
            snprintf(svc, sizeof svc, "%zu", k % 20);
            snprintf(ver, sizeof ver, "%zu", k % 2);
            for (int f = 0; f < FIELDS; f++) {
                snprintf(name, sizeof name, "cpu_%s", fields[f]);
                label ls[] = {{st_slice_cstr("__name__"), st_slice_cstr(name)},
                              {st_slice_cstr("arch"), st_slice_cstr("x64")},
                              {st_slice_cstr("datacenter"), st_slice_cstr(regions[k % 5])},
                              {st_slice_cstr("hostname"), st_slice_cstr(host)},
                              {st_slice_cstr("os"), st_slice_cstr("Ubuntu16.04LTS")},
                              {st_slice_cstr("rack"), st_slice_cstr(rack)},
                              {st_slice_cstr("region"), st_slice_cstr(regions[k % 5])},
                              {st_slice_cstr("service"), st_slice_cstr(svc)},
                              {st_slice_cstr("service_environment"), st_slice_cstr("production")},
                              {st_slice_cstr("service_version"), st_slice_cstr(ver)},
                              {st_slice_cstr("team"), st_slice_cstr("SF")}};
                uint32_t hd;
                series_meta m = {ST_VT_FLOAT, 3};
                store_batch_series(b, ls, ST_ARRAY_LEN(ls), m, &hd, NULL);
                store_batch_add(b, hd, ts, fbits((double)k));
            }
        }
        store_write_result r;
        st_err e;
        if (store_write(s, "default", b, &r, &e)) {
            fprintf(stderr, "store_write: %s\n", e.msg);
            exit(1);
        }
    }
    store_batch_free(b);
    double load = (double)(st_mono_ns() - t0) / 1e9;
    store_stats st0;
    store_get_stats(s, &st0);
    _Atomic bool stop = false;
    gc_writer g = {s, &stop, 0, 0};
    pthread_t tid;
    pthread_create(&tid, NULL, gc_writer_main, &g);
    t0 = st_mono_ns();
    st_err e;
    if (store_flush_all(s, &e)) fprintf(stderr, "flush: %s\n", e.msg);
    double flush = (double)(st_mono_ns() - t0) / 1e9;
    atomic_store(&stop, true);
    pthread_join(tid, NULL);
    store_stats st1;
    store_get_stats(s, &st1);
    printf("gc: %zu series written in %.1f s; store_flush_all %.2f s; head series %" PRIu64
           " -> %" PRIu64 "; concurrent writer: %" PRIu64 " writes, slowest %.1f ms\n",
           hosts * FIELDS, load, flush, st0.active_series, st1.active_series, g.writes,
           (double)g.max_ns / 1e6);
    printf("BENCH gc flush_all_s %.3f\n", flush);
    printf("BENCH gc writer_max_ms %.1f\n", (double)g.max_ns / 1e6);
    store_close(s, NULL);
}

static void emit_lp(workload *w, const char *path)
{
    FILE *f = fopen(path, "w");
    if (!f) {
        perror(path);
        exit(1);
    }
    for (size_t p = 0; p < w->npoints; p++)
        for (size_t h = 0; h < HOSTS; h++) {
            size_t s0 = h * FIELDS;
            fprintf(f, "cpu");
            for (size_t l = 0; l < w->nlabels[s0]; l++)
                if (!st_slice_eq(w->labels[s0][l].name, st_slice_cstr("__name__")))
                fprintf(f, ",%.*s=%.*s", (int)w->labels[s0][l].name.n, w->labels[s0][l].name.p,
                        (int)w->labels[s0][l].value.n, w->labels[s0][l].value.p);
            for (int fi = 0; fi < FIELDS; fi++) {
                double v;
                memcpy(&v, &w->vals[AT(w, s0 + (size_t)fi, p)], 8);
                fprintf(f, "%c%s=%.2f", fi ? ',' : ' ', fields[fi], v);
            }
            fprintf(f, " %" PRId64 "\n", w->ts[AT(w, s0, p)]);
        }
    fclose(f);
}

/* The same samples as OpenMetrics text, for promtool tsdb
 * create-blocks-from openmetrics (Prometheus's own block writer). */
static void emit_om(workload *w, const char *path)
{
    FILE *f = fopen(path, "w");
    if (!f) {
        perror(path);
        exit(1);
    }
    for (size_t s = 0; s < w->nseries; s++) {
        const label *ls = w->labels[s];
        st_slice name = {0};
        for (size_t l = 0; l < w->nlabels[s]; l++)
            if (st_slice_eq(ls[l].name, st_slice_cstr("__name__"))) name = ls[l].value;
        for (size_t p = 0; p < w->npoints; p++) {
            fprintf(f, "%.*s{", (int)name.n, name.p);
            bool first = true;
            for (size_t l = 0; l < w->nlabels[s]; l++) {
                if (st_slice_eq(ls[l].name, st_slice_cstr("__name__"))) continue;
                fprintf(f, "%s%.*s=\"%.*s\"", first ? "" : ",", (int)ls[l].name.n, ls[l].name.p,
                        (int)ls[l].value.n, ls[l].value.p);
                first = false;
            }
            double v;
            memcpy(&v, &w->vals[AT(w, s, p)], 8);
            int64_t ts = w->ts[AT(w, s, p)];
            fprintf(f, "} %.17g %lld.%03lld\n", v, (long long)(ts / ST_NS_PER_S),
                    (long long)((ts % ST_NS_PER_S) / ST_NS_PER_MS));
        }
    }
    fprintf(f, "# EOF\n");
    fclose(f);
}

int main(int argc, char **argv)
{
    if (getenv("STRATA_BENCH_POINTS")) POINTS = (size_t)atoi(getenv("STRATA_BENCH_POINTS"));
    const char *only = getenv("STRATA_BENCH_ONLY");
    /* aligned to a 2h partition, so that the hour of data lands in one block
     * whatever the time of day (a straddling run pays a second chunk header
     * per series) */
    int64_t P = 2 * 3600 * ST_NS_PER_S;
    int64_t start = (st_now_ns() - 3 * P) / P * P;
    workload tsbs, prom;
    gen_tsbs(&tsbs, start);
    gen_prom(&prom, start);
    sort_labels(&tsbs);
    sort_labels(&prom);
    if (argc == 3 && !strcmp(argv[1], "--emit-lp")) {
        emit_lp(&tsbs, argv[2]);
        return 0;
    }
    if (argc == 3 && !strcmp(argv[1], "--emit-om")) {
        emit_om(&tsbs, argv[2]);
        return 0;
    }
    const char *dir = getenv("STRATA_BENCH_DIR") ? getenv("STRATA_BENCH_DIR") : "/tmp/strata-bench";
    if (only && !strcmp(only, "gc")) {
        bench_gc(dir);
        if (getenv("STRATA_BENCH_KEEP")) return 0;
        char rm[4200];
        snprintf(rm, sizeof rm, "rm -rf '%s'", dir);
        return system(rm) != 0;
    }
    workload *wls[2] = {&tsbs, &prom};
    const char *which = getenv("STRATA_BENCH_WORKLOAD");
    for (int i = 0; i < 2; i++) {
        workload *w = wls[i];
        if (which && strcmp(which, w->name)) continue;
        size_t total = w->nseries * w->npoints;
        uint64_t mem = 0, bytes = 0;
        double replay = 0;
        bool all = !only;
        double h1 = all || !strcmp(only, "head") ? bench_head(w, 1, &mem) : 0;
        double h2 = all ? bench_head(w, 2, NULL) : 0;
        double w1 = all || !strcmp(only, "store") ? bench_store(w, dir, 1, ST_NS_PER_S, NULL, NULL) : 0;
        double w2 = all ? bench_store(w, dir, 2, ST_NS_PER_S, NULL, NULL) : 0;
        double a2 = all || !strcmp(only, "flush") ? bench_store(w, dir, 2, 0, &replay, &bytes) : 0;
        printf("%s: %zu series x %zu points = %zu samples\n", w->name, w->nseries, w->npoints, total);
        printf("  head append, head only      1 thread : %10.0f samples/s\n", h1);
        printf("  head append, head only      2 threads: %10.0f samples/s\n", h2);
        printf("  store_write, WAL fsync 1s   1 thread : %10.0f samples/s\n", w1);
        printf("  store_write, WAL fsync 1s   2 threads: %10.0f samples/s\n", w2);
        printf("  store_write, fsync always   2 threads: %10.0f samples/s\n", a2);
        printf("  head memory per series (beyond samples): %" PRIu64 " bytes\n", mem);
        printf("  WAL replay of %zu samples: %.3f s (%.0f samples/s)\n", total, replay,
               (double)total / replay);
        printf("  disk after flush (du -sb, WAL included): %" PRIu64 " bytes = %.3f bytes/sample\n",
               bytes, (double)bytes / (double)total);
        printf("BENCH %s bytes_per_sample %.4f\n", w->name, (double)bytes / (double)total);
        printf("BENCH %s head_append_1t %.0f\n", w->name, h1);
        printf("BENCH %s store_write_always_2t %.0f\n", w->name, a2);
    }
    if (getenv("STRATA_BENCH_KEEP")) return 0; /* leave the data directory to look at */
    char cmd[4200];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    if (system(cmd) != 0) return 1;
    return 0;
}
