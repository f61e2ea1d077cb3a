/* bench_prw: a remote_write load generator and query_range timer, the same
 * for Strata, VictoriaMetrics and Prometheus (scripts/run-bench.sh runs it
 * against each of them in turn).
 *
 * The load is what a Prometheus 2.42 sends for a fleet of node_exporter
 * targets: prometheus.WriteRequest (remote_write 1.0) bodies of --batch
 * TimeSeries (2,000, Prometheus's max_samples_per_send), one sample per
 * TimeSeries with its full sorted label set, snappy-compressed, with
 * Prometheus's headers, one request in flight per connection (a Prometheus
 * shard sends synchronously). Each host has 100 series modelled on
 * node_exporter's (cpu seconds, memory, filesystem, network, disk, load...):
 * __name__, instance, job, env, region and up to 2 metric labels; counters
 * increase, gauges wander, a few are constant, values have the decimals
 * node_exporter gives them. Host h is scraped every --interval-ms at its own
 * offset, so all timestamps of one round lie in one interval; the last one
 * is before --end-ms.
 *
 * Series are split over the connections by index (i % conns), as Prometheus
 * shards by series: every series goes through one connection, in timestamp
 * order, so no server sees an out-of-order sample. Per connection the
 * samples are cut into requests of --batch in (round, series) order; a
 * request may span two rounds, as Prometheus's queues do.
 *
 * Every body is built and compressed before the clock starts. Round 0 (every
 * series new to the server) is timed apart from rounds 1.. (series known),
 * with a barrier between them. Any non-2xx answer ends the run with exit
 * status 1 and the server's message: a server that rejects cannot win.
 *
 * The HTTP client and helpers are shared with bench_lp (bench_http.h).
 *
 * Modes (all take --addr HOST:PORT --series N --rounds R --interval-ms MS
 * --end-ms MS, which fix the data set):
 *   write  [--path /api/v1/write] [--conns 2] [--batch 2000]
 *          prints BENCHPRW build/phase lines
 *   verify [--verify-path /api/v1/query] counts series and samples through
 *          an instant query of {job="node"}[span] (raw samples, the Prometheus
 *          API all three serve); exit 1 unless exactly N series and N*R samples
 *   query  [--count K] query_range latency of two raw selectors, K requests
 *          each after 5 unrecorded ones, one connection, one at a time:
 *          narrow = node_cpu_seconds_total{instance="<one host>"} (32 series)
 *          wide   = one node_memory_* gauge of every host (N/100 series)
 *          each over the whole data span at step --interval-ms; every answer
 *          must be 200, "success", with the expected number of series.
 */
#include <inttypes.h>
#include <math.h>
#include <pthread.h>
#include <snappy-c.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define BENCH_NAME "bench_prw"
#define BENCH_TAG "BENCHPRW"
#include "bench_http.h"

/* ------------------------------------------------------------ protobuf */

static void buf_varint(buf *b, uint64_t v)
{
    uint8_t t[10];
    size_t n = 0;
    while (v >= 0x80) {
        t[n++] = (uint8_t)(v | 0x80);
        v >>= 7;
    }
    t[n++] = (uint8_t)v;
    buf_put(b, t, n);
}

static size_t varint_len(uint64_t v)
{
    size_t n = 1;
    while (v >= 0x80) {
        v >>= 7;
        n++;
    }
    return n;
}

/* Values come from a hash of (series, round, what), not from one shared
 * stream, so they do not depend on the number of connections or on the
 * order bodies are built in. */
static double unit(uint64_t series, uint64_t round, uint64_t what)
{
    uint64_t h = mix64(series * 0x100000001b3ull ^ mix64(round * 31 + what));
    return (double)(h >> 11) / (double)(1ull << 53);
}

/* ------------------------------------------------------------ data model */

enum kind {
    K_CPU,       /* counter, seconds with 2 decimals (USER_HZ ticks) */
    K_COUNTER,   /* integer counter, rate given per scrape */
    K_BYTES512,  /* integer counter in 512-byte sectors */
    K_MS,        /* counter, seconds with 3 decimals */
    K_PAGES,     /* gauge, bytes in 4 KiB pages, wanders */
    K_LOAD,      /* gauge, 2 decimals */
    K_SMALL,     /* small integer gauge */
    K_CONST,     /* never changes */
    K_TIME,      /* node_time_seconds: the scrape time, 3 decimals */
};

typedef struct series {
    uint8_t *labels;   /* encoded Label messages (field 1 of TimeSeries), sorted by name */
    uint32_t labels_len;
    uint32_t host;
    uint8_t kind;
    uint8_t metric;    /* index into metric_names, for the wide query */
    double rate;       /* per scrape */
    double v;          /* current value (state) */
} series;

typedef struct model {
    size_t n, hosts;
    series *s;
    int64_t interval_ms, start_ms, end_ms;
    size_t rounds;
} model;

static const char *const regions[4] = {"eu-west-1", "us-east-1", "us-west-2", "ap-southeast-1"};

static void host_instance(char *out, size_t n, size_t h)
{
    snprintf(out, n, "node-%04zu.%s.example.com:9100", h, regions[h % 4]);
}

/* Offset of host h's scrapes inside the interval: Prometheus spreads
 * targets over the interval by a hash of the target. */
static int64_t host_offset(const model *m, size_t h)
{
    return (int64_t)(mix64(h * 977 + 5) % (uint64_t)m->interval_ms);
}

typedef struct lbl {
    const char *name;
    char value[96];
} lbl;

static int lbl_cmp(const void *a, const void *b)
{
    return strcmp(((const lbl *)a)->name, ((const lbl *)b)->name);
}

static void put_label(buf *b, const char *name, const char *value)
{
    size_t nl = strlen(name), vl = strlen(value);
    buf_byte(b, 0x0a); /* TimeSeries.labels, length-delimited */
    buf_varint(b, 1 + varint_len(nl) + nl + 1 + varint_len(vl) + vl);
    buf_byte(b, 0x0a); /* Label.name */
    buf_varint(b, nl);
    buf_put(b, name, nl);
    buf_byte(b, 0x12); /* Label.value */
    buf_varint(b, vl);
    buf_put(b, value, vl);
}

#define MAX_METRICS 128
static const char *metric_names[MAX_METRICS];
static size_t n_metric_names;

static uint8_t metric_index(const char *name)
{
    for (size_t i = 0; i < n_metric_names; i++)
        if (!strcmp(metric_names[i], name)) return (uint8_t)i;
    if (n_metric_names == MAX_METRICS) die("internal: too many metric names");
    metric_names[n_metric_names] = name;
    return (uint8_t)n_metric_names++;
}

typedef struct adder {
    model *m;
    size_t host, cap;
    buf scratch;
} adder;

/* Adds one series of the current host; stops quietly at m->n series. The
 * extra label pairs (name, value) may be NULL. */
static void add(adder *a, const char *name, enum kind k, double start, double rate, const char *n1,
                const char *v1, const char *n2, const char *v2)
{
    model *m = a->m;
    if (m->n == a->cap) return;
    size_t h = a->host;
    lbl ls[8];
    size_t nl = 0;
    ls[nl].name = "__name__";
    snprintf(ls[nl++].value, sizeof ls[0].value, "%s", name);
    ls[nl].name = "instance";
    host_instance(ls[nl++].value, sizeof ls[0].value, h);
    ls[nl].name = "job";
    snprintf(ls[nl++].value, sizeof ls[0].value, "node");
    ls[nl].name = "env";
    snprintf(ls[nl++].value, sizeof ls[0].value, "%s", h % 10 < 7 ? "production" : "staging");
    ls[nl].name = "region";
    snprintf(ls[nl++].value, sizeof ls[0].value, "%s", regions[h % 4]);
    if (n1) {
        ls[nl].name = n1;
        snprintf(ls[nl++].value, sizeof ls[0].value, "%s", v1);
    }
    if (n2) {
        ls[nl].name = n2;
        snprintf(ls[nl++].value, sizeof ls[0].value, "%s", v2);
    }
    /* Prometheus sends label sets sorted by name */
    qsort(ls, nl, sizeof ls[0], lbl_cmp);
    a->scratch.len = 0;
    for (size_t i = 0; i < nl; i++) put_label(&a->scratch, ls[i].name, ls[i].value);
    series *s = &m->s[m->n];
    s->labels = xmalloc(a->scratch.len);
    memcpy(s->labels, a->scratch.p, a->scratch.len);
    s->labels_len = (uint32_t)a->scratch.len;
    s->host = (uint32_t)h;
    s->kind = (uint8_t)k;
    s->metric = metric_index(name);
    s->rate = rate;
    s->v = start;
    m->n++;
}

/* One node_exporter target: 100 series. */
static void add_host(adder *a)
{
    size_t h = a->host;
    double r = unit(h, 0, 1); /* this host's size / busyness */
    double ram = (double)(8ull << 30) * (1 + (double)(h % 4));
    /* cpu: 4 cpus x 8 modes; shares of the interval, in 1/100 s */
    static const char *const modes[8] = {"idle", "iowait", "irq", "nice", "softirq", "steal", "system", "user"};
    static const double share[8] = {0.80, 0.02, 0.005, 0.005, 0.01, 0.01, 0.05, 0.10};
    for (int c = 0; c < 4; c++) {
        char cpu[8];
        snprintf(cpu, sizeof cpu, "%d", c);
        for (int mo = 0; mo < 8; mo++)
            add(a, "node_cpu_seconds_total", K_CPU, floor(unit(h, 0, 100 + (uint64_t)(c * 8 + mo)) * 4e8) / 100,
                share[mo], "cpu", cpu, "mode", modes[mo]);
    }
    /* memory: 12 gauges */
    static const char *const mem[12] = {
        "node_memory_MemTotal_bytes", "node_memory_MemFree_bytes",  "node_memory_MemAvailable_bytes",
        "node_memory_Buffers_bytes",  "node_memory_Cached_bytes",   "node_memory_SwapTotal_bytes",
        "node_memory_SwapFree_bytes", "node_memory_Active_bytes",   "node_memory_Inactive_bytes",
        "node_memory_Dirty_bytes",    "node_memory_Shmem_bytes",    "node_memory_Slab_bytes"};
    static const double memfrac[12] = {1, 0.12, 0.45, 0.03, 0.30, 0.25, 0.24, 0.40, 0.35, 0.0005, 0.01, 0.04};
    for (int i = 0; i < 12; i++) {
        double v = floor(ram * memfrac[i] * (0.8 + 0.4 * unit(h, 0, 200 + (uint64_t)i)) / 4096) * 4096;
        bool fixed = i == 0 || i == 5;
        add(a, mem[i], fixed ? K_CONST : K_PAGES, fixed ? ram * memfrac[i] : v, v * 0.002, NULL, NULL, NULL, NULL);
    }
    /* filesystems: 5 metrics x 4 mounts */
    static const char *const mounts[4] = {"/", "/boot", "/var", "/home"};
    static const char *const devs[4] = {"/dev/nvme0n1p1", "/dev/nvme0n1p2", "/dev/nvme1n1p1", "/dev/nvme1n1p2"};
    static const double fsz[4] = {100e9, 1e9, 500e9, 250e9};
    for (int i = 0; i < 4; i++) {
        double size = floor(fsz[i] / 4096) * 4096;
        double avail = floor(size * (0.2 + 0.6 * unit(h, 0, 300 + (uint64_t)i)) / 4096) * 4096;
        double files = floor(size / 16384);
        add(a, "node_filesystem_avail_bytes", K_PAGES, avail, size * 1e-5, "device", devs[i], "mountpoint", mounts[i]);
        add(a, "node_filesystem_free_bytes", K_PAGES, avail + size * 0.05, size * 1e-5, "device", devs[i], "mountpoint",
            mounts[i]);
        add(a, "node_filesystem_size_bytes", K_CONST, size, 0, "device", devs[i], "mountpoint", mounts[i]);
        add(a, "node_filesystem_files", K_CONST, files, 0, "device", devs[i], "mountpoint", mounts[i]);
        add(a, "node_filesystem_files_free", K_SMALL, floor(files * 0.9), 20, "device", devs[i], "mountpoint", mounts[i]);
    }
    /* network: 4 counters x 3 devices */
    static const char *const nics[3] = {"eth0", "eth1", "lo"};
    for (int i = 0; i < 3; i++) {
        double bps = (i == 2 ? 2e4 : 2e6) * (0.5 + r);
        add(a, "node_network_receive_bytes_total", K_COUNTER, floor(unit(h, 0, 400 + (uint64_t)i) * 1e12), bps * 15,
            "device", nics[i], NULL, NULL);
        add(a, "node_network_transmit_bytes_total", K_COUNTER, floor(unit(h, 0, 410 + (uint64_t)i) * 1e12), bps * 12,
            "device", nics[i], NULL, NULL);
        add(a, "node_network_receive_packets_total", K_COUNTER, floor(unit(h, 0, 420 + (uint64_t)i) * 1e9), bps / 900 * 15,
            "device", nics[i], NULL, NULL);
        add(a, "node_network_transmit_packets_total", K_COUNTER, floor(unit(h, 0, 430 + (uint64_t)i) * 1e9),
            bps / 1100 * 15, "device", nics[i], NULL, NULL);
    }
    /* disks: 5 counters x 2 devices */
    static const char *const disks[2] = {"nvme0n1", "nvme1n1"};
    for (int i = 0; i < 2; i++) {
        add(a, "node_disk_read_bytes_total", K_BYTES512, floor(unit(h, 0, 500 + (uint64_t)i) * 1e9) * 512, 3e5 * (0.5 + r),
            "device", disks[i], NULL, NULL);
        add(a, "node_disk_written_bytes_total", K_BYTES512, floor(unit(h, 0, 510 + (uint64_t)i) * 1e9) * 512,
            9e5 * (0.5 + r), "device", disks[i], NULL, NULL);
        add(a, "node_disk_reads_completed_total", K_COUNTER, floor(unit(h, 0, 520 + (uint64_t)i) * 1e8), 40 * (0.5 + r),
            "device", disks[i], NULL, NULL);
        add(a, "node_disk_writes_completed_total", K_COUNTER, floor(unit(h, 0, 530 + (uint64_t)i) * 1e8), 120 * (0.5 + r),
            "device", disks[i], NULL, NULL);
        add(a, "node_disk_io_time_seconds_total", K_MS, floor(unit(h, 0, 540 + (uint64_t)i) * 1e9) / 1000, 0.8 * r,
            "device", disks[i], NULL, NULL);
    }
    /* load, kernel counters, processes, misc */
    add(a, "node_load1", K_LOAD, round(50 + 300 * r) / 100, 0.4, NULL, NULL, NULL, NULL);
    add(a, "node_load5", K_LOAD, round(50 + 300 * r) / 100, 0.15, NULL, NULL, NULL, NULL);
    add(a, "node_load15", K_LOAD, round(50 + 300 * r) / 100, 0.05, NULL, NULL, NULL, NULL);
    add(a, "node_context_switches_total", K_COUNTER, floor(unit(h, 0, 600) * 1e11), 15 * 4000 * (0.5 + r), NULL, NULL,
        NULL, NULL);
    add(a, "node_intr_total", K_COUNTER, floor(unit(h, 0, 601) * 1e11), 15 * 2500 * (0.5 + r), NULL, NULL, NULL, NULL);
    add(a, "node_forks_total", K_COUNTER, floor(unit(h, 0, 602) * 1e7), 15 * 3 * (0.5 + r), NULL, NULL, NULL, NULL);
    add(a, "node_procs_running", K_SMALL, 2, 2, NULL, NULL, NULL, NULL);
    add(a, "node_procs_blocked", K_SMALL, 0, 1, NULL, NULL, NULL, NULL);
    add(a, "node_time_seconds", K_TIME, 0, 0, NULL, NULL, NULL, NULL);
    add(a, "node_boot_time_seconds", K_CONST, 1.7e9 - floor(unit(h, 0, 603) * 1e7), 0, NULL, NULL, NULL, NULL);
    add(a, "node_filefd_allocated", K_SMALL, 1500 + floor(2000 * r), 30, NULL, NULL, NULL, NULL);
    add(a, "node_filefd_maximum", K_CONST, 9223372036854775807.0, 0, NULL, NULL, NULL, NULL);
    add(a, "node_sockstat_TCP_inuse", K_SMALL, 20 + floor(200 * r), 8, NULL, NULL, NULL, NULL);
    add(a, "node_entropy_available_bits", K_SMALL, 256, 0, NULL, NULL, NULL, NULL);
}

#define SERIES_PER_HOST 100

static void model_build(model *m, size_t n)
{
    m->s = calloc(n, sizeof *m->s);
    if (!m->s) die("out of memory");
    adder a = {.m = m, .cap = n};
    for (a.host = 0; m->n < n; a.host++) {
        size_t before = m->n;
        add_host(&a);
        if (a.host == 0 && m->n - before != SERIES_PER_HOST && m->n < n) die("internal: host has %zu series", m->n);
    }
    m->hosts = a.host;
    free(a.scratch.p);
}

static int64_t sample_ts(const model *m, const series *s, size_t rnd)
{
    return m->start_ms + (int64_t)rnd * m->interval_ms + host_offset(m, s->host);
}

/* The value of series i at this round; advances its state. Called once per
 * (series, round), rounds in order. */
static double next_value(const model *m, size_t i, size_t rnd)
{
    series *s = &m->s[i];
    if (rnd == 0 && s->kind != K_TIME) return s->v;
    double u = unit(i, rnd, 7), w = unit(i, rnd, 8);
    double scale = (double)m->interval_ms / 15000.0;
    switch (s->kind) {
    case K_CPU: /* ticks of 1/100 s: the interval times the share, +-30% */
        s->v = round((s->v + floor(s->rate * (double)m->interval_ms / 10.0 * (0.7 + 0.6 * u)) / 100) * 100) / 100;
        break;
    case K_COUNTER: s->v += floor(s->rate * scale * (0.6 + 0.8 * u)); break;
    case K_BYTES512: s->v += floor(s->rate * scale * (0.5 + u)) * 512; break;
    case K_MS: s->v = round((s->v + s->rate * scale * 15 * u) * 1000) / 1000; break;
    case K_PAGES: {
        double nv = s->v + floor((u - 0.5) * s->rate / 4096) * 4096;
        if (nv > 0) s->v = nv;
        break;
    }
    case K_LOAD: {
        double nv = round((s->v + (u - 0.5) * s->rate) * 100) / 100;
        s->v = nv < 0 ? 0 : nv;
        break;
    }
    case K_SMALL:
        if (w < 0.5) {
            double nv = s->v + floor((u - 0.5) * s->rate + 0.5);
            if (nv >= 0) s->v = nv;
        }
        break;
    case K_CONST: break;
    case K_TIME: s->v = (double)sample_ts(m, s, rnd) / 1000.0; break;
    }
    return s->v;
}

/* ------------------------------------------------------------ bodies */

typedef struct req {
    uint8_t *body; /* snappy */
    size_t len;
    uint32_t samples;
} req;

typedef struct reqlist {
    req *r;
    size_t n, cap;
    uint64_t raw_bytes, samples;
} reqlist;

static void put_le64(buf *b, uint64_t v)
{
    uint8_t t[8];
    for (int i = 0; i < 8; i++) t[i] = (uint8_t)(v >> (8 * i));
    buf_put(b, t, 8);
}

/* One TimeSeries with one Sample, framed as WriteRequest.timeseries (1).
 * Zero fields are left out, as Prometheus's gogo-protobuf marshalling does. */
static void put_timeseries(buf *b, const series *s, double v, int64_t ts)
{
    uint64_t bits;
    memcpy(&bits, &v, 8);
    size_t sl = (bits ? 9 : 0) + (ts ? 1 + varint_len((uint64_t)ts) : 0);
    size_t tl = s->labels_len + 1 + varint_len(sl) + sl;
    buf_byte(b, 0x0a);
    buf_varint(b, tl);
    buf_put(b, s->labels, s->labels_len);
    buf_byte(b, 0x12); /* TimeSeries.samples */
    buf_varint(b, sl);
    if (bits) {
        buf_byte(b, 0x09); /* Sample.value, fixed64 */
        put_le64(b, bits);
    }
    if (ts) {
        buf_byte(b, 0x10); /* Sample.timestamp, varint (int64: two's complement) */
        buf_varint(b, (uint64_t)ts);
    }
}

static void seal(reqlist *l, buf *raw, uint32_t samples)
{
    if (!samples) return;
    size_t cap = snappy_max_compressed_length(raw->len);
    uint8_t *out = xmalloc(cap);
    size_t outlen = cap;
    if (snappy_compress((const char *)raw->p, raw->len, (char *)out, &outlen) != SNAPPY_OK) die("snappy_compress failed");
    out = xrealloc(out, outlen);
    if (l->n == l->cap) {
        l->cap = l->cap ? l->cap * 2 : 64;
        l->r = xrealloc(l->r, l->cap * sizeof *l->r);
    }
    l->r[l->n++] = (req){out, outlen, samples};
    l->raw_bytes += raw->len;
    l->samples += samples;
    raw->len = 0;
}

/* Requests of connection c for rounds [r0, r1). */
static void build_requests(model *m, size_t c, size_t conns, size_t r0, size_t r1, size_t batch, reqlist *l)
{
    buf raw = {0};
    uint32_t in = 0;
    for (size_t r = r0; r < r1; r++)
        for (size_t i = c; i < m->n; i += conns) {
            double v = next_value(m, i, r);
            put_timeseries(&raw, &m->s[i], v, sample_ts(m, &m->s[i], r));
            if (++in == batch) {
                seal(l, &raw, in);
                in = 0;
            }
        }
    seal(l, &raw, in);
    free(raw.p);
}

/* ------------------------------------------------------------ write */

typedef struct opts {
    const char *mode, *addr, *path, *verify_path;
    size_t series, rounds, conns, batch, count;
    int64_t interval_ms, end_ms;
} opts;

typedef struct wjob {
    const opts *o;
    conn c;
    reqlist ph[2];
    double *lat[2];
    pthread_barrier_t *bar;
} wjob;

static const char PRW_HEADERS[] = "Content-Type: application/x-protobuf\r\n"
                                  "Content-Encoding: snappy\r\n"
                                  "X-Prometheus-Remote-Write-Version: 0.1.0\r\n"
                                  "User-Agent: Prometheus/2.42.0\r\n";

static void *writer(void *arg)
{
    wjob *j = arg;
    buf resp = {0};
    conn_open(&j->c);
    pthread_barrier_wait(j->bar); /* everyone connected: the clock starts */
    for (int p = 0; p < 2; p++) {
        for (size_t k = 0; k < j->ph[p].n; k++) {
            const req *r = &j->ph[p].r[k];
            double t0 = now_s();
            int st = http_exchange(&j->c, "POST", j->o->path, PRW_HEADERS, r->body, r->len, &resp);
            j->lat[p][k] = now_s() - t0;
            if (st < 200 || st > 299) fail_status("remote_write request", st, &resp);
        }
        pthread_barrier_wait(j->bar); /* end of phase p */
    }
    conn_close(&j->c);
    free(resp.p);
    return NULL;
}

static void model_times(model *m, const opts *o)
{
    m->interval_ms = o->interval_ms;
    m->rounds = o->rounds;
    m->end_ms = o->end_ms;
    m->start_ms = o->end_ms - (int64_t)o->rounds * o->interval_ms;
}

static int run_write(const opts *o)
{
    model m = {0};
    double b0 = now_s();
    model_build(&m, o->series);
    model_times(&m, o);
    wjob *jobs = calloc(o->conns, sizeof *jobs);
    if (!jobs) die("out of memory");
    uint64_t raw = 0, packed = 0, nreq = 0;
    for (int p = 0; p < 2; p++)
        for (size_t c = 0; c < o->conns; c++) {
            size_t r0 = p == 0 ? 0 : 1, r1 = p == 0 ? 1 : o->rounds;
            build_requests(&m, c, o->conns, r0, r1, o->batch, &jobs[c].ph[p]);
        }
    for (size_t c = 0; c < o->conns; c++)
        for (int p = 0; p < 2; p++) {
            raw += jobs[c].ph[p].raw_bytes;
            nreq += jobs[c].ph[p].n;
            for (size_t k = 0; k < jobs[c].ph[p].n; k++) packed += jobs[c].ph[p].r[k].len;
        }
    printf("BENCHPRW build series=%zu hosts=%zu rounds=%zu interval_ms=%" PRId64 " conns=%zu batch=%zu requests=%" PRIu64
           " samples=%zu raw_bytes=%" PRIu64 " snappy_bytes=%" PRIu64 " start_ms=%" PRId64 " end_ms=%" PRId64
           " build_seconds=%.2f\n",
           m.n, m.hosts, o->rounds, o->interval_ms, o->conns, o->batch, nreq, m.n * o->rounds, raw, packed, m.start_ms,
           m.end_ms, now_s() - b0);
    fflush(stdout);

    pthread_barrier_t bar;
    pthread_barrier_init(&bar, NULL, (unsigned)o->conns + 1);
    pthread_t *tid = xmalloc(o->conns * sizeof *tid);
    for (size_t c = 0; c < o->conns; c++) {
        jobs[c].o = o;
        conn_init(&jobs[c].c, o->addr);
        jobs[c].bar = &bar;
        for (int p = 0; p < 2; p++) jobs[c].lat[p] = xmalloc((jobs[c].ph[p].n + 1) * sizeof(double));
        if (pthread_create(&tid[c], NULL, writer, &jobs[c])) die("pthread_create failed");
    }
    double t[3];
    pthread_barrier_wait(&bar);
    t[0] = now_s();
    pthread_barrier_wait(&bar);
    t[1] = now_s();
    pthread_barrier_wait(&bar);
    t[2] = now_s();
    for (size_t c = 0; c < o->conns; c++) pthread_join(tid[c], NULL);

    static const char *const names[2] = {"create", "steady"};
    uint64_t total = 0;
    for (int p = 0; p < 2; p++) {
        uint64_t samples = 0;
        size_t n = 0;
        for (size_t c = 0; c < o->conns; c++) {
            samples += jobs[c].ph[p].samples;
            n += jobs[c].ph[p].n;
        }
        double *all = xmalloc((n + 1) * sizeof *all);
        size_t k = 0;
        for (size_t c = 0; c < o->conns; c++)
            for (size_t i = 0; i < jobs[c].ph[p].n; i++) all[k++] = jobs[c].lat[p][i];
        qsort(all, n, sizeof *all, cmp_double);
        double secs = t[p + 1] - t[p];
        printf("BENCHPRW phase=%s samples=%" PRIu64 " requests=%zu seconds=%.4f rate=%.0f req_p50_ms=%.2f "
               "req_p99_ms=%.2f\n",
               names[p], samples, n, secs, secs > 0 ? (double)samples / secs : 0, pct(all, n, 0.5) * 1e3,
               pct(all, n, 0.99) * 1e3);
        free(all);
        total += samples;
    }
    printf("BENCHPRW phase=all samples=%" PRIu64 " seconds=%.4f rate=%.0f\n", total, t[2] - t[0],
           (double)total / (t[2] - t[0]));
    for (size_t c = 0; c < o->conns; c++)
        for (int p = 0; p < 2; p++) {
            for (size_t k = 0; k < jobs[c].ph[p].n; k++) free(jobs[c].ph[p].r[k].body);
            free(jobs[c].ph[p].r);
            free(jobs[c].lat[p]);
            free(jobs[c].c.in.p);
        }
    for (size_t i = 0; i < m.n; i++) free(m.s[i].labels);
    free(m.s);
    free(jobs);
    free(tid);
    pthread_barrier_destroy(&bar);
    return 0;
}

/* ------------------------------------------------------------ queries */

/* Samples in a Prometheus JSON matrix: each is [<number>,"<value>"]; no
 * label of this data set holds a '[', so a '[' before a digit is a sample. */
static size_t count_samples(const buf *b)
{
    size_t n = 0;
    for (size_t i = 0; i + 1 < b->len; i++)
        if (b->p[i] == '[' && b->p[i + 1] >= '0' && b->p[i + 1] <= '9') n++;
    return n;
}

static bool is_success(const buf *b)
{
    static const char ok[] = "\"status\":\"success\"";
    return memmem(b->p, b->len, ok, sizeof ok - 1) != NULL;
}

static int run_verify(const opts *o)
{
    model m = {0};
    model_build(&m, o->series);
    model_times(&m, o);
    conn c;
    conn_init(&c, o->addr);
    buf target = {0}, body = {0};
    char q[128], tm[64];
    /* the range covers every sample sent, with a minute to spare */
    snprintf(q, sizeof q, "{job=\"node\"}[%" PRId64 "s]", ((int64_t)o->rounds * o->interval_ms) / 1000 + 60);
    snprintf(tm, sizeof tm, "%.3f", (double)m.end_ms / 1000.0);
    buf_printf(&target, "%s?query=", o->verify_path);
    urlenc(&target, q);
    buf_printf(&target, "&time=%s", tm);
    buf_byte(&target, 0);
    double t0 = now_s();
    int st = http_exchange(&c, "GET", (const char *)target.p, NULL, NULL, 0, &body);
    double secs = now_s() - t0;
    if (st != 200 || !is_success(&body)) fail_status("verify query", st, &body);
    size_t ns = count_str(&body, "\"metric\":"), nsamp = count_samples(&body);
    size_t want_s = m.n, want_samp = m.n * o->rounds;
    bool ok = ns == want_s && nsamp == want_samp;
    printf("BENCHPRW verify series=%zu samples=%zu want_series=%zu want_samples=%zu response_bytes=%zu seconds=%.2f ok=%d\n",
           ns, nsamp, want_s, want_samp, body.len, secs, ok);
    if (!ok) die("the server does not hold what was sent (%zu of %zu series, %zu of %zu samples)", ns, want_s, nsamp,
                 want_samp);
    conn_close(&c);
    free(target.p);
    free(body.p);
    free(c.in.p);
    for (size_t i = 0; i < m.n; i++) free(m.s[i].labels);
    free(m.s);
    return 0;
}

static int run_query(const opts *o)
{
    model m = {0};
    model_build(&m, o->series);
    model_times(&m, o);
    conn c;
    conn_init(&c, o->addr);
    buf target = {0}, body = {0};
    uint8_t cpu = metric_index("node_cpu_seconds_total");
    /* the wide query goes round the memory gauges, the narrow one round the
     * hosts, so that no answer is a repeat of the previous one */
    uint8_t memm[16];
    size_t nmem = 0;
    for (size_t i = 0; i < n_metric_names && nmem < 16; i++)
        if (!strncmp(metric_names[i], "node_memory_", 12)) memm[nmem++] = (uint8_t)i;
    if (!nmem) die("--series too small for the wide query");
    size_t *per_metric = calloc(n_metric_names, sizeof *per_metric);
    size_t *cpu_per_host = calloc(m.hosts, sizeof *cpu_per_host);
    if (!per_metric || !cpu_per_host) die("out of memory");
    for (size_t i = 0; i < m.n; i++) {
        per_metric[m.s[i].metric]++;
        if (m.s[i].metric == cpu) cpu_per_host[m.s[i].host]++;
    }
    const size_t warm = 5, n = o->count;
    double *lat = xmalloc((n + 1) * sizeof *lat);
    char step[32];
    snprintf(step, sizeof step, "%.3f", (double)o->interval_ms / 1000.0);
    static const char *const kinds[2] = {"narrow", "wide"};
    for (int kind = 0; kind < 2; kind++) {
        size_t series_seen = 0;
        for (size_t k = 0; k < warm + n; k++) {
            char q[256];
            size_t want;
            if (kind == 0) {
                size_t h = (k * 7919) % m.hosts;
                char inst[96];
                host_instance(inst, sizeof inst, h);
                snprintf(q, sizeof q, "node_cpu_seconds_total{instance=\"%s\"}", inst);
                want = cpu_per_host[h];
            } else {
                uint8_t mi = memm[k % nmem];
                snprintf(q, sizeof q, "%s", metric_names[mi]);
                want = per_metric[mi];
            }
            target.len = 0;
            buf_printf(&target, "/api/v1/query_range?query=");
            urlenc(&target, q);
            buf_printf(&target, "&start=%.3f&end=%.3f&step=%s", (double)m.start_ms / 1000.0,
                       (double)m.end_ms / 1000.0, step);
            buf_byte(&target, 0);
            double t0 = now_s();
            int st = http_exchange(&c, "GET", (const char *)target.p, NULL, NULL, 0, &body);
            double dt = now_s() - t0;
            if (st != 200 || !is_success(&body)) fail_status(q, st, &body);
            size_t got = count_str(&body, "\"metric\":");
            if (got != want) die("%s: %zu series in the answer, %zu expected", q, got, want);
            series_seen = got;
            if (k >= warm) lat[k - warm] = dt;
        }
        qsort(lat, n, sizeof *lat, cmp_double);
        double sum = 0;
        for (size_t i = 0; i < n; i++) sum += lat[i];
        printf("BENCHPRW query kind=%s count=%zu series=%zu points_per_series=%zu p50_ms=%.2f p99_ms=%.2f mean_ms=%.2f "
               "max_ms=%.2f\n",
               kinds[kind], n, series_seen, o->rounds, pct(lat, n, 0.5) * 1e3, pct(lat, n, 0.99) * 1e3,
               sum / (double)n * 1e3, lat[n - 1] * 1e3);
    }
    conn_close(&c);
    free(lat);
    free(per_metric);
    free(cpu_per_host);
    free(target.p);
    free(body.p);
    free(c.in.p);
    for (size_t i = 0; i < m.n; i++) free(m.s[i].labels);
    free(m.s);
    return 0;
}

/* ------------------------------------------------------------ main */

static void usage(void)
{
    fprintf(stderr,
            "usage: bench_prw write|verify|query --addr HOST:PORT [options]\n"
            "  --series N        series (default 10000; 100 per node_exporter host)\n"
            "  --rounds R        scrapes per series (default 20)\n"
            "  --interval-ms MS  scrape interval (default 15000)\n"
            "  --end-ms MS       samples lie before this unix time in ms (default: now - 2 min,\n"
            "                    rounded to the interval; give the same value to every mode)\n"
            "write:  --path P (default /api/v1/write) --conns N (default 2) --batch N (default 2000)\n"
            "verify: --verify-path P (default /api/v1/query)\n"
            "query:  --count K (default 100)\n");
    exit(2);
}

int main(int argc, char **argv)
{
    opts o = {.addr = NULL, .path = "/api/v1/write", .verify_path = "/api/v1/query", .series = 10000,
              .rounds = 20, .conns = 2, .batch = 2000, .count = 100, .interval_ms = 15000, .end_ms = 0};
    if (argc < 2) usage();
    o.mode = argv[1];
    for (int i = 2; i < argc; i++) {
        const char *a = argv[i];
        if (i + 1 >= argc) usage();
        const char *v = argv[++i];
        if (!strcmp(a, "--addr")) o.addr = v;
        else if (!strcmp(a, "--path")) o.path = v;
        else if (!strcmp(a, "--verify-path")) o.verify_path = v;
        else if (!strcmp(a, "--series")) o.series = parse_size(a, v);
        else if (!strcmp(a, "--rounds")) o.rounds = parse_size(a, v);
        else if (!strcmp(a, "--conns")) o.conns = parse_size(a, v);
        else if (!strcmp(a, "--batch")) o.batch = parse_size(a, v);
        else if (!strcmp(a, "--count")) o.count = parse_size(a, v);
        else if (!strcmp(a, "--interval-ms")) o.interval_ms = (int64_t)parse_size(a, v);
        else if (!strcmp(a, "--end-ms")) o.end_ms = (int64_t)parse_size(a, v);
        else usage();
    }
    if (!o.addr) usage();
    if (o.conns > 256) die("--conns at most 256");
    if (o.batch > UINT32_MAX) die("--batch too large");
    if (!o.end_ms) {
        struct timespec ts;
        clock_gettime(CLOCK_REALTIME, &ts);
        int64_t now = (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
        o.end_ms = (now - 120000) / o.interval_ms * o.interval_ms;
    }
    if (!strcmp(o.mode, "write")) return run_write(&o);
    if (!strcmp(o.mode, "verify")) return run_verify(&o);
    if (!strcmp(o.mode, "query")) return run_query(&o);
    usage();
    return 2;
}
