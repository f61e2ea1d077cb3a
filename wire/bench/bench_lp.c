/* bench_lp: a line-protocol load generator, the same bytes for Strata,
 * VictoriaMetrics and InfluxDB 1.6 (scripts/run-bench.sh, section "line
 * protocol ingest", runs it against each of them in turn), and a check
 * through each server's query API that it stored every sample it
 * acknowledged.
 *
 * The data set is TSBS's cpu-only use case: --hosts hosts, each with TSBS's
 * 10 tags (hostname, region, datacenter, rack, os, arch, team, service,
 * service_version, service_environment; fixed per host, drawn from TSBS's
 * value sets by a hash of the host) and one line per --interval-ms (TSBS's
 * default 10 s) with TSBS's 10 usage_* fields, so a line is 10 samples and
 * the data set holds hosts x 10 series. Tags come in TSBS's order (not
 * sorted: the server sorts), every host shares a round's timestamp
 * (nanoseconds, as TSBS and Telegraf write them), and the fields are
 * random walks clamped to [0, 100] with 2 decimals, printed as Go's
 * strconv 'f' -1 prints them (58.1, not 58.10). A value is a function of
 * (host, field, round), so the bytes do not depend on the connection count
 * or the order the bodies are built in: every server gets the same bytes.
 * The last round's timestamp is before --end-ms.
 *
 * Host h is sent over connection h % conns, always: every series reaches
 * the server through one connection, in timestamp order. Per connection the
 * lines are cut into requests of --batch lines in (round, host) order, so a
 * request may span rounds, as a TSBS loader's batches do. Each connection
 * has one request in flight (TSBS workers and Telegraf write synchronously).
 *
 * Two bodies:
 *   plain     text/plain, identity (what TSBS's influx loader sends);
 *   telegraf  gzip (zlib level 6, Go's gzip default) with Telegraf 1.28's
 *             outputs.influxdb headers: User-Agent, Content-Encoding gzip,
 *             Content-Type text/plain; charset=utf-8.
 *
 * Every body is built (and compressed) before the clock starts, by the
 * writer threads in parallel. Round 0 (every series new to the server) is
 * timed apart from rounds 1.. (series known), with a barrier between them.
 * Any non-2xx answer ends the run with exit status 1 and the server's
 * message: a server that rejects cannot win. --max-samples and
 * --max-seconds cap a run for a slow server: each connection stops sending
 * once it has sent its share of the samples, or when the time is up; the
 * rate is then over what was acknowledged, and the result line says
 * complete=0 with the acknowledged lines and hosts, which verify takes.
 *
 * Modes (all take --addr HOST:PORT --hosts N --rounds R --interval-ms MS
 * --end-ms MS, which fix the data set):
 *   write   --path P (e.g. /write?db=bench) [--conns 2] [--batch 5000]
 *           [--telegraf] [--max-samples N] [--max-seconds S] [--server-pid PID]
 *           prints BENCHLP build/phase lines; with --server-pid, the
 *           server's CPU seconds (utime + stime) in each phase too
 *   verify  --server strata|vm|influx [--db NAME] [--lines N --new-hosts N]
 *           counts series and samples through the server's query API:
 *             strata, vm  GET /api/v1/export?match[]={__name__="cpu_<field>"}
 *                         for each field (JSON lines; VictoriaMetrics's
 *                         format, which Strata also writes): series are
 *                         lines, samples are timestamps;
 *             influx      GET /query: SELECT count(*) FROM cpu (a count per
 *                         field) and SHOW SERIES EXACT CARDINALITY (tag sets;
 *                         x 10 for series of one field each);
 *           exit 1 unless the server holds exactly what was sent (or, with
 *           --lines/--new-hosts from a capped write, what was acknowledged).
 */
#include <inttypes.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#define BENCH_NAME "bench_lp"
#define BENCH_TAG "BENCHLP"
#include "bench_http.h"

/* ------------------------------------------------------------ data set */

#define NFIELDS 10

static const char *const field_names[NFIELDS] = {
    "usage_user",   "usage_system", "usage_idle",    "usage_nice",  "usage_iowait",
    "usage_irq",    "usage_softirq", "usage_steal",  "usage_guest", "usage_guest_nice"};

/* TSBS's devops host tag values (pkg/data/usecases/devops/host.go): regions
 * with their availability zones, and the small sets of the other tags. */
static const struct {
    const char *name;
    const char *dcs[4];
    int ndc;
} regions[9] = {
    {"us-east-1", {"us-east-1a", "us-east-1b", "us-east-1c", "us-east-1e"}, 4},
    {"us-west-1", {"us-west-1a", "us-west-1b"}, 2},
    {"us-west-2", {"us-west-2a", "us-west-2b", "us-west-2c"}, 3},
    {"eu-west-1", {"eu-west-1a", "eu-west-1b", "eu-west-1c"}, 3},
    {"eu-central-1", {"eu-central-1a", "eu-central-1b"}, 2},
    {"ap-southeast-1", {"ap-southeast-1a", "ap-southeast-1b"}, 2},
    {"ap-southeast-2", {"ap-southeast-2a", "ap-southeast-2b"}, 2},
    {"ap-northeast-1", {"ap-northeast-1a", "ap-northeast-1c"}, 2},
    {"sa-east-1", {"sa-east-1a", "sa-east-1b", "sa-east-1c"}, 3},
};
static const char *const oses[3] = {"Ubuntu16.10", "Ubuntu16.04LTS", "Ubuntu15.10"};
static const char *const arches[2] = {"x64", "x86"};
static const char *const teams[4] = {"SF", "NYC", "LON", "CHI"};
static const char *const envs[3] = {"production", "staging", "test"};

typedef struct model {
    size_t hosts, rounds;
    int64_t interval_ns, start_ns; /* round r is at start_ns + r * interval_ns */
    char *keys;                    /* every host's "cpu,tags..." */
    size_t *key_off;               /* hosts + 1 offsets into keys */
    int16_t *cents;                /* [host][field]: current value x 100 */
} model;

static uint64_t hash3(uint64_t a, uint64_t b, uint64_t c)
{
    return mix64(a * 0x100000001b3ull ^ mix64(b * 0x9e3779b97f4a7c15ull ^ mix64(c)));
}

static void model_build(model *m, size_t hosts, size_t rounds, int64_t interval_ms, int64_t end_ms)
{
    m->hosts = hosts;
    m->rounds = rounds;
    m->interval_ns = interval_ms * 1000000;
    /* the last round at one interval before end_ms, the first rounds - 1
     * intervals before that */
    m->start_ns = end_ms * 1000000 - (int64_t)rounds * m->interval_ns;
    m->key_off = xmalloc((hosts + 1) * sizeof *m->key_off);
    m->cents = xmalloc(hosts * NFIELDS * sizeof *m->cents);
    buf k = {0};
    for (size_t h = 0; h < hosts; h++) {
        m->key_off[h] = k.len;
        /* each tag drawn apart, by a hash of (host, tag) */
#define PICK(tag, n) (hash3(h, tag, 1) % (uint64_t)(n))
        const size_t r = (size_t)PICK(0, 9);
        buf_printf(&k,
                   "cpu,hostname=host_%zu,region=%s,datacenter=%s,rack=%d,os=%s,arch=%s,team=%s,service=%d,"
                   "service_version=%d,service_environment=%s",
                   h, regions[r].name, regions[r].dcs[PICK(1, regions[r].ndc)], (int)PICK(2, 100), oses[PICK(3, 3)],
                   arches[PICK(4, 2)], teams[PICK(5, 4)], (int)PICK(6, 20), (int)PICK(7, 2), envs[PICK(8, 3)]);
#undef PICK
        for (int f = 0; f < NFIELDS; f++)
            m->cents[h * NFIELDS + (size_t)f] = (int16_t)(hash3(h, (uint64_t)f, 2) % 10001);
    }
    m->key_off[hosts] = k.len;
    m->keys = (char *)k.p;
}

static void model_free(model *m)
{
    free(m->keys);
    free(m->key_off);
    free(m->cents);
}

/* Advances host h's walks to round rnd (rounds in order, from 0): a step
 * of up to +-1.00, clamped to [0, 100]. */
static void advance(model *m, size_t h, size_t rnd)
{
    if (rnd == 0) return;
    for (int f = 0; f < NFIELDS; f++) {
        int16_t *v = &m->cents[h * NFIELDS + (size_t)f];
        int step = (int)(hash3(h, (uint64_t)f, rnd + 16) % 201) - 100;
        int nv = *v + step;
        *v = (int16_t)(nv < 0 ? 0 : nv > 10000 ? 10000 : nv);
    }
}

/* v/100 as Go's strconv.FormatFloat(x, 'f', -1, 64) writes the double
 * nearest to it (the shortest text that reads back the same): no trailing
 * zeros, no point for whole numbers. */
static char *put_cents(char *p, int v)
{
    int whole = v / 100, frac = v % 100;
    char t[8];
    int n = 0;
    do {
        t[n++] = (char)('0' + whole % 10);
        whole /= 10;
    } while (whole);
    while (n) *p++ = t[--n];
    if (frac) {
        *p++ = '.';
        *p++ = (char)('0' + frac / 10);
        if (frac % 10) *p++ = (char)('0' + frac % 10);
    }
    return p;
}

/* Host h's line of round rnd (after advance). */
static void put_line(buf *b, const model *m, size_t h, size_t rnd)
{
    size_t kl = m->key_off[h + 1] - m->key_off[h];
    /* a field is at most 16 + 1 + 6 + 1 bytes, the timestamp 1 + 20 + 1 */
    buf_reserve(b, kl + NFIELDS * 32 + 32);
    char *p = (char *)b->p + b->len;
    memcpy(p, m->keys + m->key_off[h], kl);
    p += kl;
    for (int f = 0; f < NFIELDS; f++) {
        *p++ = f ? ',' : ' ';
        size_t fl = strlen(field_names[f]);
        memcpy(p, field_names[f], fl);
        p += fl;
        *p++ = '=';
        p = put_cents(p, m->cents[h * NFIELDS + (size_t)f]);
    }
    p += sprintf(p, " %" PRId64 "\n", m->start_ns + (int64_t)rnd * m->interval_ns);
    b->len = (size_t)((uint8_t *)p - b->p);
}

/* ------------------------------------------------------------ bodies */

typedef struct req {
    uint8_t *body;
    size_t len;
    uint32_t lines;
    uint32_t new_hosts; /* lines of round 0: hosts first seen in this request */
} req;

typedef struct reqlist {
    req *r;
    size_t n, cap;
    uint64_t raw_bytes, lines;
} reqlist;

static void gzip_body(const buf *raw, uint8_t **out, size_t *outlen)
{
    z_stream z = {0};
    /* 15 window bits + 16: a gzip wrapper, as Go's compress/gzip writes */
    if (deflateInit2(&z, 6, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK) die("deflateInit2 failed");
    size_t cap = deflateBound(&z, (uLong)raw->len);
    *out = xmalloc(cap);
    z.next_in = raw->p;
    z.avail_in = (uInt)raw->len;
    z.next_out = *out;
    z.avail_out = (uInt)cap;
    if (deflate(&z, Z_FINISH) != Z_STREAM_END) die("deflate did not finish");
    *outlen = cap - z.avail_out;
    deflateEnd(&z);
}

static void seal(reqlist *l, buf *raw, uint32_t lines, uint32_t new_hosts, bool gz)
{
    if (!lines) return;
    uint8_t *body;
    size_t len;
    if (gz) {
        gzip_body(raw, &body, &len);
    } else {
        body = xmalloc(raw->len);
        memcpy(body, raw->p, raw->len);
        len = raw->len;
    }
    if (l->n == l->cap) {
        l->cap = l->cap ? l->cap * 2 : 64;
        l->r = xrealloc(l->r, l->cap * sizeof *l->r);
    }
    l->r[l->n++] = (req){body, len, lines, new_hosts};
    l->raw_bytes += raw->len;
    l->lines += lines;
    raw->len = 0;
}

/* Requests of connection c for rounds [r0, r1). */
static void build_requests(model *m, size_t c, size_t conns, size_t r0, size_t r1, size_t batch, bool gz,
                           reqlist *l)
{
    buf raw = {0};
    uint32_t in = 0, fresh = 0;
    for (size_t r = r0; r < r1; r++)
        for (size_t h = c; h < m->hosts; h += conns) {
            advance(m, h, r);
            put_line(&raw, m, h, r);
            fresh += r == 0;
            if (++in == batch) {
                seal(l, &raw, in, fresh, gz);
                in = fresh = 0;
            }
        }
    seal(l, &raw, in, fresh, gz);
    free(raw.p);
}

/* ------------------------------------------------------------ write */

typedef struct opts {
    const char *mode, *addr, *path, *server, *db;
    size_t hosts, rounds, conns, batch;
    int64_t interval_ms, end_ms;
    bool telegraf;
    uint64_t max_samples, expect_lines, expect_hosts;
    double max_seconds;
    long server_pid; /* 0: none */
} opts;

typedef struct wjob {
    const opts *o;
    model *m;
    size_t idx;
    conn c;
    reqlist ph[2];
    double *lat[2];
    size_t done[2];              /* requests acknowledged, per phase */
    uint64_t lines[2], new_hosts; /* acknowledged */
    bool capped;
    double build_s;
    pthread_barrier_t *bar;
} wjob;

/* TSBS's influx loader posts plain text; Telegraf 1.28's outputs.influxdb
 * sends these (its User-Agent is internal.ProductToken()). */
static const char PLAIN_HEADERS[] = "Content-Type: text/plain; charset=utf-8\r\n";
static const char TELEGRAF_HEADERS[] = "User-Agent: Telegraf/1.28.0 Go/1.21.3\r\n"
                                       "Content-Encoding: gzip\r\n"
                                       "Content-Type: text/plain; charset=utf-8\r\n";

static void *writer(void *arg)
{
    wjob *j = arg;
    const opts *o = j->o;
    double b0 = now_s();
    for (int p = 0; p < 2; p++) {
        size_t r0 = p == 0 ? 0 : 1, r1 = p == 0 ? 1 : o->rounds;
        build_requests(j->m, j->idx, o->conns, r0, r1, o->batch, o->telegraf, &j->ph[p]);
        j->lat[p] = xmalloc((j->ph[p].n + 1) * sizeof(double));
    }
    j->build_s = now_s() - b0;
    buf resp = {0};
    conn_open(&j->c);
    /* this connection's share of --max-samples, in lines */
    uint64_t cap_lines = o->max_samples ? (o->max_samples / NFIELDS + o->conns - 1) / o->conns : UINT64_MAX;
    uint64_t sent = 0;
    pthread_barrier_wait(j->bar); /* everyone built and connected: the clock starts */
    double deadline = o->max_seconds > 0 ? now_s() + o->max_seconds : 0;
    const char *hdr = o->telegraf ? TELEGRAF_HEADERS : PLAIN_HEADERS;
    for (int p = 0; p < 2; p++) {
        for (size_t k = 0; k < j->ph[p].n && !j->capped; k++) {
            if (sent >= cap_lines || (deadline > 0 && now_s() >= deadline)) {
                j->capped = true;
                break;
            }
            const req *r = &j->ph[p].r[k];
            double t0 = now_s();
            int st = http_exchange(&j->c, "POST", o->path, hdr, r->body, r->len, &resp);
            j->lat[p][k] = now_s() - t0;
            if (st < 200 || st > 299) fail_status("line protocol write", st, &resp);
            j->done[p]++;
            j->lines[p] += r->lines;
            j->new_hosts += r->new_hosts;
            sent += r->lines;
        }
        pthread_barrier_wait(j->bar); /* end of phase p */
    }
    conn_close(&j->c);
    free(resp.p);
    return NULL;
}

/* The server's CPU time so far (utime + stime of /proc/PID/stat, seconds),
 * read at the phase boundaries: CPU per sample is steadier than a rate on a
 * machine shared with other work. Negative when it cannot be read. */
static double server_cpu_s(long pid)
{
    if (pid <= 0) return -1;
    char path[64], text[1024];
    snprintf(path, sizeof path, "/proc/%ld/stat", pid);
    FILE *f = fopen(path, "r");
    if (!f) return -1;
    size_t n = fread(text, 1, sizeof text - 1, f);
    fclose(f);
    text[n] = 0;
    /* the command name (field 2) may hold spaces and parentheses: the
     * fields that follow start after the last ')' */
    const char *p = strrchr(text, ')');
    if (!p) return -1;
    /* utime and stime are fields 14 and 15; p is at the end of field 2 */
    unsigned long long v[2] = {0, 0};
    for (int field = 3; field <= 15; field++) {
        while (*p && *p != ' ') p++;
        while (*p == ' ') p++;
        if (!*p) return -1;
        if (field >= 14) v[field - 14] = strtoull(p, NULL, 10);
    }
    return (double)(v[0] + v[1]) / (double)sysconf(_SC_CLK_TCK);
}

static int run_write(const opts *o)
{
    model m = {0};
    model_build(&m, o->hosts, o->rounds, o->interval_ms, o->end_ms);
    wjob *jobs = calloc(o->conns, sizeof *jobs);
    pthread_t *tid = xmalloc(o->conns * sizeof *tid);
    if (!jobs) die("out of memory");
    pthread_barrier_t bar;
    pthread_barrier_init(&bar, NULL, (unsigned)o->conns + 1);
    for (size_t c = 0; c < o->conns; c++) {
        jobs[c].o = o;
        jobs[c].m = &m;
        jobs[c].idx = c;
        conn_init(&jobs[c].c, o->addr);
        jobs[c].bar = &bar;
        if (pthread_create(&tid[c], NULL, writer, &jobs[c])) die("pthread_create failed");
    }
    double t[3], cpu[3];
    for (int i = 0; i < 3; i++) {
        pthread_barrier_wait(&bar);
        t[i] = now_s();
        cpu[i] = server_cpu_s(o->server_pid);
    }
    for (size_t c = 0; c < o->conns; c++) pthread_join(tid[c], NULL);

    uint64_t raw = 0, packed = 0, nreq = 0, lines = 0;
    double build = 0;
    for (size_t c = 0; c < o->conns; c++) {
        if (jobs[c].build_s > build) build = jobs[c].build_s;
        for (int p = 0; p < 2; p++) {
            raw += jobs[c].ph[p].raw_bytes;
            lines += jobs[c].ph[p].lines;
            nreq += jobs[c].ph[p].n;
            for (size_t k = 0; k < jobs[c].ph[p].n; k++) packed += jobs[c].ph[p].r[k].len;
        }
    }
    printf("BENCHLP build hosts=%zu series=%zu rounds=%zu interval_ms=%" PRId64 " conns=%zu batch=%zu body=%s "
           "requests=%" PRIu64 " lines=%" PRIu64 " samples=%" PRIu64 " raw_bytes=%" PRIu64 " body_bytes=%" PRIu64
           " bytes_per_line=%.1f start_ns=%" PRId64 " build_seconds=%.2f\n",
           o->hosts, o->hosts * NFIELDS, o->rounds, o->interval_ms, o->conns, o->batch,
           o->telegraf ? "telegraf-gzip" : "plain", nreq, lines, lines * NFIELDS, raw, packed,
           lines ? (double)raw / (double)lines : 0, m.start_ns, build);

    static const char *const names[2] = {"create", "steady"};
    uint64_t total = 0, new_hosts = 0;
    bool complete = true;
    for (int p = 0; p < 2; p++) {
        uint64_t l = 0;
        size_t n = 0;
        for (size_t c = 0; c < o->conns; c++) {
            l += jobs[c].lines[p];
            n += jobs[c].done[p];
        }
        double *all = xmalloc((n + 1) * sizeof *all);
        size_t k = 0;
        for (size_t c = 0; c < o->conns; c++)
            for (size_t i = 0; i < jobs[c].done[p]; i++) all[k++] = jobs[c].lat[p][i];
        qsort(all, n, sizeof *all, cmp_double);
        double secs = t[p + 1] - t[p];
        printf("BENCHLP phase=%s samples=%" PRIu64 " lines=%" PRIu64 " requests=%zu seconds=%.4f rate=%.0f "
               "req_p50_ms=%.2f req_p99_ms=%.2f",
               names[p], l * NFIELDS, l, n, secs, secs > 0 ? (double)(l * NFIELDS) / secs : 0,
               pct(all, n, 0.5) * 1e3, pct(all, n, 0.99) * 1e3);
        if (cpu[p] >= 0 && cpu[p + 1] >= 0)
            printf(" server_cpu_s=%.2f server_cpu_us_per_sample=%.3f", cpu[p + 1] - cpu[p],
                   l ? (cpu[p + 1] - cpu[p]) / (double)(l * NFIELDS) * 1e6 : 0);
        printf("\n");
        free(all);
        total += l;
    }
    for (size_t c = 0; c < o->conns; c++) {
        new_hosts += jobs[c].new_hosts;
        if (jobs[c].capped) complete = false;
    }
    printf("BENCHLP phase=all samples=%" PRIu64 " seconds=%.4f rate=%.0f complete=%d acked_lines=%" PRIu64
           " acked_hosts=%" PRIu64 "\n",
           total * NFIELDS, t[2] - t[0], (double)(total * NFIELDS) / (t[2] - t[0]), complete, total, new_hosts);
    for (size_t c = 0; c < o->conns; c++) {
        for (int p = 0; p < 2; p++) {
            for (size_t k = 0; k < jobs[c].ph[p].n; k++) free(jobs[c].ph[p].r[k].body);
            free(jobs[c].ph[p].r);
            free(jobs[c].lat[p]);
        }
        free(jobs[c].c.in.p);
    }
    model_free(&m);
    free(jobs);
    free(tid);
    pthread_barrier_destroy(&bar);
    return 0;
}

/* ------------------------------------------------------------ verify */

/* In a body of JSON lines as /api/v1/export writes them, one series a line
 * with "timestamps":[t,t,...]: adds the series and the timestamps. */
static void count_export(const buf *b, uint64_t *series, uint64_t *samples)
{
    static const char key[] = "\"timestamps\":[";
    const uint8_t *p = b->p, *end = b->p + b->len;
    while (p < end) {
        const uint8_t *k = memmem(p, (size_t)(end - p), key, sizeof key - 1);
        if (!k) break;
        k += sizeof key - 1;
        (*series)++;
        /* timestamps are integers: the entries are one more than the commas */
        if (k < end && *k != ']') (*samples)++;
        while (k < end && *k != ']') {
            if (*k == ',') (*samples)++;
            k++;
        }
        p = k;
    }
}

static bool verify_export(const opts *o, conn *c, uint64_t *series, uint64_t *samples)
{
    buf target = {0}, body = {0};
    /* the whole data set with a minute's margin on each side (seconds) */
    int64_t start_ms = o->end_ms - (int64_t)o->rounds * o->interval_ms - 60000, end_ms = o->end_ms + 60000;
    for (int f = 0; f < NFIELDS; f++) {
        char sel[96];
        snprintf(sel, sizeof sel, "{__name__=\"cpu_%s\"}", field_names[f]);
        target.len = 0;
        buf_printf(&target, "/api/v1/export?match[]=");
        urlenc(&target, sel);
        buf_printf(&target, "&start=%" PRId64 "&end=%" PRId64, start_ms / 1000, end_ms / 1000);
        if (o->db) {
            buf_printf(&target, "&db=");
            urlenc(&target, o->db);
        }
        buf_byte(&target, 0);
        int st = http_exchange(c, "GET", (const char *)target.p, NULL, NULL, 0, &body);
        if (st != 200) fail_status("export", st, &body);
        count_export(&body, series, samples);
    }
    free(target.p);
    free(body.p);
    return true;
}

/* The numbers of the first row of an InfluxQL answer ("values":[[...]]),
 * the time column included (epoch=ns makes it a number too). */
static size_t first_row(const buf *b, uint64_t *v, size_t max)
{
    static const char key[] = "\"values\":[[";
    const uint8_t *p = memmem(b->p, b->len, key, sizeof key - 1);
    if (!p) return 0;
    const char *s = (const char *)p + sizeof key - 1, *end = (const char *)b->p + b->len;
    size_t n = 0;
    while (s < end && *s != ']' && n < max) {
        char *e;
        v[n++] = strtoull(s, &e, 10);
        if (e == s) break;
        s = e;
        if (s < end && *s == ',') s++;
    }
    return n;
}

static void influx_query(conn *c, const char *db, const char *q, buf *body)
{
    buf target = {0};
    buf_printf(&target, "/query?epoch=ns&db=");
    urlenc(&target, db);
    buf_printf(&target, "&q=");
    urlenc(&target, q);
    buf_byte(&target, 0);
    int st = http_exchange(c, "GET", (const char *)target.p, NULL, NULL, 0, body);
    if (st != 200 || memmem(body->p, body->len, "\"error\"", 7)) fail_status(q, st, body);
    free(target.p);
}

static bool verify_influx(const opts *o, conn *c, uint64_t *series, uint64_t *samples)
{
    buf body = {0};
    uint64_t v[NFIELDS + 1];
    const char *db = o->db ? o->db : "bench";
    influx_query(c, db, "SELECT count(*) FROM cpu", &body);
    size_t n = first_row(&body, v, NFIELDS + 1);
    if (n != NFIELDS + 1) die("SELECT count(*): %zu columns in %.300s", n, (const char *)body.p);
    for (size_t i = 1; i < n; i++) *samples += v[i];
    influx_query(c, db, "SHOW SERIES EXACT CARDINALITY FROM cpu", &body);
    if (first_row(&body, v, 1) != 1) die("SHOW SERIES EXACT CARDINALITY: %.300s", (const char *)body.p);
    *series = v[0] * NFIELDS; /* a tag set holds one series per field */
    free(body.p);
    return true;
}

static int run_verify(const opts *o)
{
    if (!o->server) die("verify needs --server strata|vm|influx");
    conn c;
    conn_init(&c, o->addr);
    uint64_t series = 0, samples = 0;
    double t0 = now_s();
    if (!strcmp(o->server, "influx")) verify_influx(o, &c, &series, &samples);
    else if (!strcmp(o->server, "strata") || !strcmp(o->server, "vm")) verify_export(o, &c, &series, &samples);
    else die("--server: strata, vm or influx");
    double secs = now_s() - t0;
    uint64_t want_lines = o->expect_lines ? o->expect_lines : (uint64_t)o->hosts * o->rounds;
    uint64_t want_hosts = o->expect_hosts ? o->expect_hosts : o->hosts;
    uint64_t want_series = want_hosts * NFIELDS, want_samples = want_lines * NFIELDS;
    bool ok = series == want_series && samples == want_samples;
    printf("BENCHLP verify server=%s series=%" PRIu64 " samples=%" PRIu64 " want_series=%" PRIu64
           " want_samples=%" PRIu64 " seconds=%.2f ok=%d\n",
           o->server, series, samples, want_series, want_samples, secs, ok);
    if (!ok)
        die("%s does not hold what it acknowledged (%" PRIu64 " of %" PRIu64 " series, %" PRIu64 " of %" PRIu64
            " samples)",
            o->server, series, want_series, samples, want_samples);
    conn_close(&c);
    free(c.in.p);
    return 0;
}

/* ------------------------------------------------------------ main */

static void usage(void)
{
    fprintf(stderr,
            "usage: bench_lp write|verify --addr HOST:PORT [options]\n"
            "  --hosts N         TSBS cpu-only hosts (default 1000; 10 series each)\n"
            "  --rounds R        lines per host (default 100)\n"
            "  --interval-ms MS  between a host's lines (default 10000)\n"
            "  --end-ms MS       lines lie before this unix time in ms (default: now - 2 min,\n"
            "                    rounded to the interval; give the same value to every mode)\n"
            "write:  --path P (default /write?db=bench) --conns N (default 2) --batch LINES (default 5000)\n"
            "        --telegraf (gzip, Telegraf's headers) --max-samples N --max-seconds S\n"
            "        --server-pid PID (the server's CPU seconds per phase, from /proc/PID/stat)\n"
            "verify: --server strata|vm|influx --db NAME --lines N --new-hosts N\n"
            "        (--lines, --new-hosts: a capped write's acked_lines and acked_hosts)\n");
    exit(2);
}

int main(int argc, char **argv)
{
    opts o = {.path = "/write?db=bench", .hosts = 1000, .rounds = 100, .conns = 2, .batch = 5000,
              .interval_ms = 10000};
    if (argc < 2) usage();
    o.mode = argv[1];
    for (int i = 2; i < argc; i++) {
        const char *a = argv[i];
        if (!strcmp(a, "--telegraf")) {
            o.telegraf = true;
            continue;
        }
        if (i + 1 >= argc) usage();
        const char *v = argv[++i];
        if (!strcmp(a, "--addr")) o.addr = v;
        else if (!strcmp(a, "--path")) o.path = v;
        else if (!strcmp(a, "--server")) o.server = v;
        else if (!strcmp(a, "--db")) o.db = v;
        else if (!strcmp(a, "--hosts")) o.hosts = parse_size(a, v);
        else if (!strcmp(a, "--rounds")) o.rounds = parse_size(a, v);
        else if (!strcmp(a, "--conns")) o.conns = parse_size(a, v);
        else if (!strcmp(a, "--batch")) o.batch = parse_size(a, v);
        else if (!strcmp(a, "--interval-ms")) o.interval_ms = (int64_t)parse_size(a, v);
        else if (!strcmp(a, "--end-ms")) o.end_ms = (int64_t)parse_size(a, v);
        else if (!strcmp(a, "--max-samples")) o.max_samples = parse_size(a, v);
        else if (!strcmp(a, "--max-seconds")) o.max_seconds = (double)parse_size(a, v);
        else if (!strcmp(a, "--lines")) o.expect_lines = parse_size(a, v);
        else if (!strcmp(a, "--new-hosts")) o.expect_hosts = parse_size(a, v);
        else if (!strcmp(a, "--server-pid")) o.server_pid = (long)parse_size(a, v);
        else usage();
    }
    if (!o.addr) usage();
    if (o.conns > 256) die("--conns at most 256");
    if (o.batch > UINT32_MAX) die("--batch too large");
    if (o.hosts > 100000000) die("--hosts at most 100000000");
    if (!o.end_ms) {
        struct timespec ts;
        clock_gettime(CLOCK_REALTIME, &ts);
        int64_t now = (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
        o.end_ms = (now - 120000) / o.interval_ms * o.interval_ms;
    }
    if (!strcmp(o.mode, "write")) return run_write(&o);
    if (!strcmp(o.mode, "verify")) return run_verify(&o);
    usage();
    return 2;
}
