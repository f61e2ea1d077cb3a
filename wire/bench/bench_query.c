/* bench_query: PromQL latency of Strata, VictoriaMetrics and Prometheus on
 * the same data, answers compared before timing (scripts/run-bench.sh,
 * section query).
 *
 * Data set (a function of --series, --span-s, --interval-s and --end-ms
 * only): hosts of 20 series each, every series with env, host, instance,
 * job="bench" and region (5 values) labels:
 *   x_requests_total{method,code}  6 counters (requests/s a function of the host)
 *   x_bytes_total{direction}       2 counters (large integers)
 *   x_gauge{core}                  2 gauges, random walks in [0, 100], full
 *                                  double precision (no ties for topk)
 *   h_bucket{le}                   8 cumulative buckets, 0.01 .. +Inf
 *   h_sum, h_count                 the classic histogram's sum and count
 * so {__name__=~"x_.*"} matches 10 series a host under 3 names. Host h is
 * scraped every --interval-s at its own offset inside the interval; every
 * 50th host restarts (its counters reset) half way through the span.
 *
 * Modes:
 *   load   --addr HOST:PORT: the data set by remote_write 1.0 (snappy), in
 *          time order, --conns connections (series i on connection
 *          i % conns), --per-series consecutive samples of a series in one
 *          TimeSeries (a backfill, not a scrape), about --batch samples a
 *          request, bodies built while sending. Prints BENCHQ load.
 *   run    --strata/--vm/--prom HOST:PORT (any subset) with --*-pid PID:
 *          for each of the six queries, as a range query over the whole
 *          span (--points steps) and as an instant query at the end: one
 *          untimed request to each server whose answers are compared
 *          (Strata with Prometheus: same series, same timestamps, values
 *          bit for bit and within 1e-6 relative; with VictoriaMetrics: the
 *          series set, and value agreement reported), then --reps timed
 *          requests per server, servers interleaved. Client-side wall time
 *          from sending the request to the last byte of the answer. Memory:
 *          the server's VmRSS before the query, and its VmHWM over the
 *          query's requests (reset through /proc/PID/clear_refs first).
 *          VictoriaMetrics gets nocache=1 on every request.
 *   meta   the same servers on a set of --series series: /api/v1/series,
 *          /api/v1/labels, /api/v1/label/host/values, answers compared,
 *          and Strata's InfluxQL SHOW MEASUREMENTS.
 */
#include <fcntl.h>
#include <inttypes.h>
#include <math.h>
#include <pthread.h>
#include <snappy-c.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define BENCH_NAME "bench_query"
#define BENCH_TAG "BENCHQ"
#include "bench_http.h"

/* ------------------------------------------------------------ data set */

#define PER_HOST 20
enum kind { K_REQ, K_BYTES, K_GAUGE, K_BUCKET, K_SUM, K_COUNT };

static const char *const regions[5] = {"eu-west-1", "eu-central-1", "us-east-1", "us-west-2", "ap-south-1"};
static const struct {
    const char *method, *code;
    double share;
} reqs[6] = {{"GET", "200", 0.60},  {"GET", "404", 0.05},  {"GET", "500", 0.01},
             {"POST", "200", 0.30}, {"POST", "404", 0.02}, {"POST", "500", 0.02}};
static const char *const les[8] = {"0.01", "0.025", "0.05", "0.1", "0.25", "0.5", "1", "+Inf"};
static const double le_v[8] = {0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, INFINITY};

typedef struct dset {
    size_t n, hosts, rounds;
    int64_t interval_ms, span_ms, start_ms, end_ms;
} dset;

/* a uniform double in [0, 1) from (a, b, c) */
static double u01(uint64_t a, uint64_t b, uint64_t c)
{
    uint64_t h = mix64(mix64(a ^ 0x5bd1e9955bd1e995ull) + b * 0x9fb21c651e98df25ull + c);
    return (double)(h >> 11) / (double)(1ull << 53);
}

static enum kind slot_kind(size_t slot, size_t *sub)
{
    if (slot < 6) return *sub = slot, K_REQ;
    if (slot < 8) return *sub = slot - 6, K_BYTES;
    if (slot < 10) return *sub = slot - 8, K_GAUGE;
    if (slot < 18) return *sub = slot - 10, K_BUCKET;
    *sub = 0;
    return slot == 18 ? K_SUM : K_COUNT;
}

static int64_t host_offset(const dset *d, size_t h) { return (int64_t)(mix64(h * 131 + 17) % (uint64_t)d->interval_ms); }

static int64_t sample_ts(const dset *d, size_t h, size_t r)
{
    return d->start_ms + (int64_t)r * d->interval_ms + host_offset(d, h);
}

static bool host_restarts(size_t h) { return h % 50 == 7; }

/* requests per second of host h */
static double host_rate(size_t h) { return 5 + 95 * u01(h, 0, 1); }

/* observations of host h's histogram in round r */
static double hist_n(const dset *d, size_t h, size_t r)
{
    return floor(host_rate(h) * (double)d->interval_ms / 1000.0 * (0.5 + u01(h, r, 2)));
}

/* The value of series i at round r, given its value at round r - 1 in *v
 * (ignored for r == 0). Rounds are visited in order for each series. */
static double next_value(const dset *d, size_t i, size_t r, double *v)
{
    size_t h = i / PER_HOST, sub;
    enum kind k = slot_kind(i % PER_HOST, &sub);
    double iv = (double)d->interval_ms / 1000.0, inc = 0;
    double u = u01(i, r, 3);
    bool reset = host_restarts(h) && r == d->rounds / 2 && r > 0;
    switch (k) {
    case K_REQ:
        if (r == 0) return *v = floor(u01(i, 0, 4) * 1e6);
        inc = floor(host_rate(h) * reqs[sub].share * iv * (0.5 + u));
        break;
    case K_BYTES:
        if (r == 0) return *v = floor(u01(i, 0, 4) * 1e12);
        inc = floor(host_rate(h) * (sub ? 20000 : 1500) * iv * (0.5 + u));
        break;
    case K_GAUGE: {
        if (r == 0) return *v = 100 * u01(i, 0, 4);
        double x = *v + (u - 0.5) * 20;
        if (x < 0) x = -x;
        if (x > 100) x = 200 - x;
        return *v = x;
    }
    case K_BUCKET: {
        double mean = 0.02 + 0.3 * u01(h, 0, 5);
        double n = hist_n(d, h, r);
        inc = isinf(le_v[sub]) ? n : floor(n * (1 - exp(-le_v[sub] / mean)));
        if (r == 0) return *v = inc;
        break;
    }
    case K_SUM: {
        double mean = 0.02 + 0.3 * u01(h, 0, 5);
        inc = round(hist_n(d, h, r) * mean * (0.8 + 0.4 * u01(h, r, 6)) * 1000) / 1000;
        if (r == 0) return *v = inc;
        break;
    }
    case K_COUNT:
        inc = hist_n(d, h, r);
        if (r == 0) return *v = inc;
        break;
    }
    if (reset) return *v = inc;
    /* h_sum keeps 3 decimals */
    return *v = k == K_SUM ? round((*v + inc) * 1000) / 1000 : *v + inc;
}

/* ------------------------------------------------------------ protobuf */

static void pb_varint(buf *b, uint64_t v)
{
    uint8_t t[10];
    size_t n = 0;
    for (; v >= 0x80; v >>= 7) t[n++] = (uint8_t)(v | 0x80);
    t[n++] = (uint8_t)v;
    buf_put(b, t, n);
}

static size_t pb_varint_len(uint64_t v)
{
    size_t n = 1;
    for (; v >= 0x80; v >>= 7) n++;
    return n;
}

typedef struct lpair {
    const char *name;
    char value[64];
} lpair;

static int lpair_cmp(const void *a, const void *b) { return strcmp(((const lpair *)a)->name, ((const lpair *)b)->name); }

/* the sorted label pairs of series i; returns how many */
static size_t series_labels(size_t i, lpair *p)
{
    size_t h = i / PER_HOST, sub, n = 0;
    enum kind k = slot_kind(i % PER_HOST, &sub);
    static const char *const names[6] = {"x_requests_total", "x_bytes_total", "x_gauge", "h_bucket", "h_sum", "h_count"};
#define PAIR(nm, ...) (p[n].name = (nm), snprintf(p[n].value, sizeof p[n].value, __VA_ARGS__), n++)
    PAIR("__name__", "%s", names[k]);
    PAIR("env", "%s", h % 10 < 7 ? "prod" : "staging");
    PAIR("host", "host-%05zu", h);
    PAIR("instance", "host-%05zu:9100", h);
    PAIR("job", "bench");
    PAIR("region", "%s", regions[h % 5]);
    switch (k) {
    case K_REQ:
        PAIR("method", "%s", reqs[sub].method);
        PAIR("code", "%s", reqs[sub].code);
        break;
    case K_BYTES: PAIR("direction", "%s", sub ? "out" : "in"); break;
    case K_GAUGE: PAIR("core", "%zu", sub); break;
    case K_BUCKET: PAIR("le", "%s", les[sub]); break;
    default: break;
    }
#undef PAIR
    qsort(p, n, sizeof *p, lpair_cmp);
    return n;
}

/* the TimeSeries.labels fields of series i */
static void encode_labels(buf *b, size_t i)
{
    lpair p[10];
    size_t n = series_labels(i, p);
    for (size_t j = 0; j < n; j++) {
        size_t nl = strlen(p[j].name), vl = strlen(p[j].value);
        buf_byte(b, 0x0a);
        pb_varint(b, 1 + pb_varint_len(nl) + nl + 1 + pb_varint_len(vl) + vl);
        buf_byte(b, 0x0a);
        pb_varint(b, nl);
        buf_put(b, p[j].name, nl);
        buf_byte(b, 0x12);
        pb_varint(b, vl);
        buf_put(b, p[j].value, vl);
    }
}

/* ------------------------------------------------------------ load */

typedef struct opts {
    const char *mode, *addr, *set;
    const char *srv_addr[3];
    int srv_pid[3];
    size_t series, conns, batch, per_series, reps, points;
    int64_t span_s, interval_s, end_ms;
} opts;

typedef struct ljob {
    const opts *o;
    const dset *d;
    size_t c;
    conn cn;
    pthread_barrier_t *bar;
    uint64_t samples, requests;
} ljob;

static const char PRW_HEADERS[] = "Content-Type: application/x-protobuf\r\n"
                                  "Content-Encoding: snappy\r\n"
                                  "X-Prometheus-Remote-Write-Version: 0.1.0\r\n"
                                  "User-Agent: Prometheus/2.42.0\r\n";

static void send_body(ljob *j, buf *raw, buf *z, buf *resp)
{
    size_t cap = snappy_max_compressed_length(raw->len);
    buf_reserve(z, cap);
    size_t zl = cap;
    if (snappy_compress((const char *)raw->p, raw->len, (char *)z->p, &zl) != SNAPPY_OK) die("snappy_compress failed");
    int st = http_exchange(&j->cn, "POST", "/api/v1/write", PRW_HEADERS, z->p, zl, resp);
    if (st < 200 || st > 299) fail_status("remote_write", st, resp);
    j->requests++;
    raw->len = 0;
}

static void *loader(void *arg)
{
    ljob *j = arg;
    const dset *d = j->d;
    size_t conns = j->o->conns, K = j->o->per_series;
    size_t mine = (d->n + conns - 1 - j->c) / conns;
    double *state = xmalloc((mine + 1) * sizeof *state);
    buf raw = {0}, z = {0}, resp = {0}, lab = {0}, ts = {0};
    size_t in = 0;
    conn_open(&j->cn);
    for (size_t r0 = 0; r0 < d->rounds; r0 += K) {
        size_t r1 = r0 + K < d->rounds ? r0 + K : d->rounds;
        for (size_t i = j->c, k = 0; i < d->n; i += conns, k++) {
            size_t h = i / PER_HOST;
            lab.len = 0;
            encode_labels(&lab, i);
            ts.len = 0;
            for (size_t r = r0; r < r1; r++) {
                double v = next_value(d, i, r, &state[k]);
                int64_t t = sample_ts(d, h, r);
                uint64_t bits;
                memcpy(&bits, &v, 8);
                buf_byte(&ts, 0x12); /* TimeSeries.samples */
                pb_varint(&ts, 9 + 1 + pb_varint_len((uint64_t)t));
                buf_byte(&ts, 0x09); /* Sample.value */
                for (int b = 0; b < 8; b++) buf_byte(&ts, (uint8_t)(bits >> (8 * b)));
                buf_byte(&ts, 0x10); /* Sample.timestamp */
                pb_varint(&ts, (uint64_t)t);
            }
            buf_byte(&raw, 0x0a); /* WriteRequest.timeseries */
            pb_varint(&raw, lab.len + ts.len);
            buf_put(&raw, lab.p, lab.len);
            buf_put(&raw, ts.p, ts.len);
            in += r1 - r0;
            j->samples += r1 - r0;
            if (in >= j->o->batch) {
                send_body(j, &raw, &z, &resp);
                in = 0;
            }
        }
        /* the connections move through time together, as Prometheus's
         * shards do: none gets ahead by more than a chunk of rounds */
        pthread_barrier_wait(j->bar);
    }
    if (raw.len) send_body(j, &raw, &z, &resp);
    conn_close(&j->cn);
    free(raw.p);
    free(z.p);
    free(resp.p);
    free(lab.p);
    free(ts.p);
    free(j->cn.in.p);
    free(state);
    return NULL;
}

static void dset_init(dset *d, const opts *o)
{
    d->n = o->series;
    d->hosts = (o->series + PER_HOST - 1) / PER_HOST;
    d->interval_ms = o->interval_s * 1000;
    d->span_ms = o->span_s * 1000;
    d->rounds = (size_t)(d->span_ms / d->interval_ms);
    if (!d->rounds) die("--span-s shorter than --interval-s");
    d->end_ms = o->end_ms;
    d->start_ms = d->end_ms - (int64_t)d->rounds * d->interval_ms;
}

static int run_load(const opts *o)
{
    dset d;
    dset_init(&d, o);
    ljob *jobs = calloc(o->conns, sizeof *jobs);
    pthread_t *tid = calloc(o->conns, sizeof *tid);
    if (!jobs || !tid) die("out of memory");
    pthread_barrier_t bar;
    pthread_barrier_init(&bar, NULL, (unsigned)o->conns);
    double t0 = now_s();
    for (size_t c = 0; c < o->conns; c++) {
        jobs[c].o = o;
        jobs[c].d = &d;
        jobs[c].c = c;
        jobs[c].bar = &bar;
        conn_init(&jobs[c].cn, o->addr);
        if (pthread_create(&tid[c], NULL, loader, &jobs[c])) die("pthread_create failed");
    }
    uint64_t samples = 0, requests = 0;
    for (size_t c = 0; c < o->conns; c++) {
        pthread_join(tid[c], NULL);
        samples += jobs[c].samples;
        requests += jobs[c].requests;
    }
    double secs = now_s() - t0;
    pthread_barrier_destroy(&bar);
    printf("BENCHQ load series=%zu hosts=%zu rounds=%zu interval_s=%" PRId64 " samples=%" PRIu64 " requests=%" PRIu64
           " seconds=%.1f rate=%.0f start_ms=%" PRId64 " end_ms=%" PRId64 "\n",
           d.n, d.hosts, d.rounds, o->interval_s, samples, requests, secs, (double)samples / secs, d.start_ms, d.end_ms);
    free(jobs);
    free(tid);
    return 0;
}

/* ------------------------------------------------------------ JSON */

typedef struct jcur {
    const char *p, *end;
} jcur;

static void jws(jcur *j)
{
    while (j->p < j->end && (*j->p == ' ' || *j->p == '\n' || *j->p == '\r' || *j->p == '\t')) j->p++;
}

static bool jpeek(jcur *j, char c)
{
    jws(j);
    return j->p < j->end && *j->p == c;
}

static void jexpect(jcur *j, char c)
{
    jws(j);
    if (j->p >= j->end || *j->p != c) die("JSON: '%c' expected at \"%.40s\"", c, j->p < j->end ? j->p : "");
    j->p++;
}

static void put_utf8(buf *b, unsigned cp)
{
    if (cp < 0x80) buf_byte(b, (uint8_t)cp);
    else if (cp < 0x800) {
        buf_byte(b, (uint8_t)(0xc0 | cp >> 6));
        buf_byte(b, (uint8_t)(0x80 | (cp & 63)));
    } else {
        buf_byte(b, (uint8_t)(0xe0 | cp >> 12));
        buf_byte(b, (uint8_t)(0x80 | ((cp >> 6) & 63)));
        buf_byte(b, (uint8_t)(0x80 | (cp & 63)));
    }
}

/* a string into out (reset), without its quotes, escapes decoded */
static void jstr(jcur *j, buf *out)
{
    out->len = 0;
    jexpect(j, '"');
    for (;;) {
        if (j->p >= j->end) die("JSON: unterminated string");
        char c = *j->p++;
        if (c == '"') break;
        if (c != '\\') {
            buf_byte(out, (uint8_t)c);
            continue;
        }
        if (j->p >= j->end) die("JSON: bad escape");
        c = *j->p++;
        switch (c) {
        case 'n': buf_byte(out, '\n'); break;
        case 't': buf_byte(out, '\t'); break;
        case 'r': buf_byte(out, '\r'); break;
        case 'b': buf_byte(out, '\b'); break;
        case 'f': buf_byte(out, '\f'); break;
        case 'u': {
            if (j->end - j->p < 4) die("JSON: bad \\u escape");
            char hx[5] = {j->p[0], j->p[1], j->p[2], j->p[3], 0};
            j->p += 4;
            put_utf8(out, (unsigned)strtoul(hx, NULL, 16));
            break;
        }
        default: buf_byte(out, (uint8_t)c); break;
        }
    }
    buf_byte(out, 0);
    out->len--;
}

static double jnum(jcur *j)
{
    jws(j);
    char tmp[64];
    size_t n = 0;
    while (j->p < j->end && n < sizeof tmp - 1 && strchr("+-.0123456789eE", *j->p)) tmp[n++] = *j->p++;
    tmp[n] = 0;
    char *e;
    double v = strtod(tmp, &e);
    if (!n || *e) die("JSON: number expected at \"%.40s\"", j->p);
    return v;
}

static void jskip(jcur *j)
{
    jws(j);
    if (j->p >= j->end) die("JSON: value expected");
    char c = *j->p;
    if (c == '"') {
        buf tmp = {0};
        jstr(j, &tmp);
        free(tmp.p);
    } else if (c == '{' || c == '[') {
        char close = c == '{' ? '}' : ']';
        j->p++;
        if (jpeek(j, close)) {
            j->p++;
            return;
        }
        for (;;) {
            if (c == '{') {
                buf tmp = {0};
                jstr(j, &tmp);
                free(tmp.p);
                jexpect(j, ':');
            }
            jskip(j);
            if (jpeek(j, ',')) {
                j->p++;
                continue;
            }
            jexpect(j, close);
            return;
        }
    } else {
        while (j->p < j->end && !strchr(",}] \n\r\t", *j->p)) j->p++;
    }
}

/* ------------------------------------------------------------ results */

typedef struct qseries {
    char *key; /* {a="b", c="d"}: labels sorted by name */
    size_t n;
    int64_t *ts;
    double *v;
} qseries;

typedef struct qresult {
    char type[16];
    qseries *s;
    size_t n, cap, points;
    char **strs; /* meta answers that are lists of strings */
    size_t nstrs;
} qresult;

static void qresult_free(qresult *r)
{
    for (size_t i = 0; i < r->n; i++) {
        free(r->s[i].key);
        free(r->s[i].ts);
        free(r->s[i].v);
    }
    for (size_t i = 0; i < r->nstrs; i++) free(r->strs[i]);
    free(r->s);
    free(r->strs);
    memset(r, 0, sizeof *r);
}

typedef struct kv {
    char *k, *v;
} kv;

static int kv_cmp(const void *a, const void *b) { return strcmp(((const kv *)a)->k, ((const kv *)b)->k); }

/* a label set object -> its canonical key */
static char *jlabels(jcur *j)
{
    kv *p = NULL;
    size_t n = 0, cap = 0;
    buf s = {0};
    jexpect(j, '{');
    if (jpeek(j, '}')) j->p++;
    else
        for (;;) {
            if (n == cap) {
                cap = cap ? cap * 2 : 16;
                p = xrealloc(p, cap * sizeof *p);
            }
            jstr(j, &s);
            p[n].k = strdup((const char *)s.p);
            jexpect(j, ':');
            jstr(j, &s);
            p[n].v = strdup((const char *)s.p);
            n++;
            if (jpeek(j, ',')) {
                j->p++;
                continue;
            }
            jexpect(j, '}');
            break;
        }
    qsort(p, n, sizeof *p, kv_cmp);
    s.len = 0;
    buf_byte(&s, '{');
    for (size_t i = 0; i < n; i++) {
        buf_printf(&s, "%s%s=\"", i ? ", " : "", p[i].k);
        buf_put(&s, p[i].v, strlen(p[i].v));
        buf_byte(&s, '"');
        free(p[i].k);
        free(p[i].v);
    }
    buf_byte(&s, '}');
    buf_byte(&s, 0);
    free(p);
    return (char *)s.p;
}

/* [t, "v"] */
static void jpoint(jcur *j, qseries *s, size_t *cap)
{
    buf tmp = {0};
    jexpect(j, '[');
    double t = jnum(j);
    jexpect(j, ',');
    jstr(j, &tmp);
    jexpect(j, ']');
    if (s->n == *cap) {
        *cap = *cap ? *cap * 2 : 8;
        s->ts = xrealloc(s->ts, *cap * sizeof *s->ts);
        s->v = xrealloc(s->v, *cap * sizeof *s->v);
    }
    s->ts[s->n] = llround(t * 1000);
    char *e;
    s->v[s->n] = strtod((const char *)tmp.p, &e);
    if (*e) die("JSON: value \"%s\" is not a number", (const char *)tmp.p);
    s->n++;
    free(tmp.p);
}

static qseries *qresult_add(qresult *r)
{
    if (r->n == r->cap) {
        r->cap = r->cap ? r->cap * 2 : 64;
        r->s = xrealloc(r->s, r->cap * sizeof *r->s);
    }
    qseries *s = &r->s[r->n++];
    memset(s, 0, sizeof *s);
    return s;
}

static int qseries_cmp(const void *a, const void *b) { return strcmp(((const qseries *)a)->key, ((const qseries *)b)->key); }
static int str_cmp(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

/* One result element: {"metric":{...}, "values":[[t,"v"]...]} or "value":[t,"v"]. */
static void jelement(jcur *j, qresult *r)
{
    qseries *s = qresult_add(r);
    size_t cap = 0;
    buf k = {0};
    jexpect(j, '{');
    if (!jpeek(j, '}'))
        for (;;) {
            jstr(j, &k);
            jexpect(j, ':');
            if (!strcmp((const char *)k.p, "metric")) {
                s->key = jlabels(j);
            } else if (!strcmp((const char *)k.p, "values")) {
                jexpect(j, '[');
                if (jpeek(j, ']')) j->p++;
                else
                    for (;;) {
                        jpoint(j, s, &cap);
                        if (jpeek(j, ',')) {
                            j->p++;
                            continue;
                        }
                        jexpect(j, ']');
                        break;
                    }
            } else if (!strcmp((const char *)k.p, "value")) {
                jpoint(j, s, &cap);
            } else {
                jskip(j);
            }
            if (jpeek(j, ',')) {
                j->p++;
                continue;
            }
            break;
        }
    jexpect(j, '}');
    if (!s->key) s->key = strdup("{}");
    r->points += s->n;
    free(k.p);
}

/* A Prometheus API answer: status must be success. Query answers
 * (data.resultType/result) fill series; /api/v1/series fills series with
 * label sets; /api/v1/labels and label values fill strs. Sorted. Returns
 * false (with the status in err) unless success. */
static bool parse_answer(const buf *body, qresult *r, char *err, size_t errlen)
{
    memset(r, 0, sizeof *r);
    jcur j = {(const char *)body->p, (const char *)body->p + body->len};
    buf k = {0}, s = {0};
    bool ok = false;
    jexpect(&j, '{');
    for (;;) {
        jstr(&j, &k);
        jexpect(&j, ':');
        if (!strcmp((const char *)k.p, "status")) {
            jstr(&j, &s);
            ok = !strcmp((const char *)s.p, "success");
        } else if (!strcmp((const char *)k.p, "data") && jpeek(&j, '{')) {
            jexpect(&j, '{');
            for (;;) {
                jstr(&j, &k);
                jexpect(&j, ':');
                if (!strcmp((const char *)k.p, "resultType")) {
                    jstr(&j, &s);
                    snprintf(r->type, sizeof r->type, "%s", (const char *)s.p);
                } else if (!strcmp((const char *)k.p, "result") && !strcmp(r->type, "scalar")) {
                    size_t cap = 0;
                    qseries *q = qresult_add(r);
                    q->key = strdup("scalar");
                    jpoint(&j, q, &cap);
                    r->points++;
                } else if (!strcmp((const char *)k.p, "result") && jpeek(&j, '[')) {
                    jexpect(&j, '[');
                    if (jpeek(&j, ']')) j.p++;
                    else
                        for (;;) {
                            jelement(&j, r);
                            if (jpeek(&j, ',')) {
                                j.p++;
                                continue;
                            }
                            jexpect(&j, ']');
                            break;
                        }
                } else {
                    jskip(&j);
                }
                if (jpeek(&j, ',')) {
                    j.p++;
                    continue;
                }
                jexpect(&j, '}');
                break;
            }
        } else if (!strcmp((const char *)k.p, "data") && jpeek(&j, '[')) {
            jexpect(&j, '[');
            size_t cap = 0;
            if (jpeek(&j, ']')) j.p++;
            else
                for (;;) {
                    if (jpeek(&j, '{')) {
                        qseries *q = qresult_add(r);
                        q->key = jlabels(&j);
                    } else {
                        jstr(&j, &s);
                        if (r->nstrs == cap) {
                            cap = cap ? cap * 2 : 64;
                            r->strs = xrealloc(r->strs, cap * sizeof *r->strs);
                        }
                        r->strs[r->nstrs++] = strdup((const char *)s.p);
                    }
                    if (jpeek(&j, ',')) {
                        j.p++;
                        continue;
                    }
                    jexpect(&j, ']');
                    break;
                }
        } else if (!strcmp((const char *)k.p, "error")) {
            jstr(&j, &s);
            snprintf(err, errlen, "%s", (const char *)s.p);
        } else {
            jskip(&j);
        }
        if (jpeek(&j, ',')) {
            j.p++;
            continue;
        }
        jexpect(&j, '}');
        break;
    }
    free(k.p);
    free(s.p);
    if (r->n) qsort(r->s, r->n, sizeof *r->s, qseries_cmp);
    if (r->nstrs) qsort(r->strs, r->nstrs, sizeof *r->strs, str_cmp);
    return ok;
}

/* ------------------------------------------------------------ comparison */

typedef struct qcmp {
    size_t only_a, only_b, both;          /* series */
    size_t pts_only_a, pts_only_b, pts;   /* points of common series */
    size_t exact, within, beyond;         /* values: bit-equal (NaN = NaN), within 1e-6 relative, beyond */
    double max_rel;
    char first[3][400];                   /* examples of differences */
    size_t nfirst;
} qcmp;

static bool same_value(double a, double b) { return (isnan(a) && isnan(b)) || a == b; }

static double rel_diff(double a, double b)
{
    if (same_value(a, b)) return 0;
    if (isnan(a) || isnan(b) || isinf(a) || isinf(b)) return INFINITY;
    double m = fmax(fabs(a), fabs(b));
    return fabs(a - b) / m;
}

static void cmp_note(qcmp *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void cmp_note(qcmp *c, const char *fmt, ...)
{
    if (c->nfirst >= 3) return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(c->first[c->nfirst++], sizeof c->first[0], fmt, ap);
    va_end(ap);
}

static void fmt_g17(char *out, size_t n, double v) { snprintf(out, n, "%.17g", v); }

static void compare(const qresult *a, const qresult *b, const char *an, const char *bn, qcmp *c)
{
    memset(c, 0, sizeof *c);
    size_t i = 0, k = 0;
    while (i < a->n || k < b->n) {
        int d = i >= a->n ? 1 : k >= b->n ? -1 : strcmp(a->s[i].key, b->s[k].key);
        if (d < 0) {
            cmp_note(c, "series only in %s: %s (%zu points)", an, a->s[i].key, a->s[i].n);
            c->only_a++;
            i++;
            continue;
        }
        if (d > 0) {
            cmp_note(c, "series only in %s: %s (%zu points)", bn, b->s[k].key, b->s[k].n);
            c->only_b++;
            k++;
            continue;
        }
        const qseries *x = &a->s[i++], *y = &b->s[k++];
        c->both++;
        size_t p = 0, q = 0;
        while (p < x->n || q < y->n) {
            if (q >= y->n || (p < x->n && x->ts[p] < y->ts[q])) {
                if (!c->pts_only_a) cmp_note(c, "%s t=%.3f: a point only in %s (%.17g)", x->key, (double)x->ts[p] / 1000, an, x->v[p]);
                c->pts_only_a++;
                p++;
                continue;
            }
            if (p >= x->n || y->ts[q] < x->ts[p]) {
                if (!c->pts_only_b) cmp_note(c, "%s t=%.3f: a point only in %s (%.17g)", y->key, (double)y->ts[q] / 1000, bn, y->v[q]);
                c->pts_only_b++;
                q++;
                continue;
            }
            double va = x->v[p], vb = y->v[q], r = rel_diff(va, vb);
            c->pts++;
            if (same_value(va, vb)) c->exact++;
            else if (r <= 1e-6) c->within++;
            else c->beyond++;
            if (r > c->max_rel) c->max_rel = r;
            if (!same_value(va, vb) && (r > 1e-6 || c->within == 1)) {
                char sa[40], sb[40];
                fmt_g17(sa, sizeof sa, va);
                fmt_g17(sb, sizeof sb, vb);
                cmp_note(c, "%s t=%.3f: %s %s, %s %s", x->key, (double)x->ts[p] / 1000, an, sa, bn, sb);
            }
            p++;
            q++;
        }
    }
}

/* A copy of r with the __name__ label dropped from every series (the keys
 * are sorted by label name, so __name__ comes first). */
static void strip_name(const qresult *r, qresult *out)
{
    memset(out, 0, sizeof *out);
    snprintf(out->type, sizeof out->type, "%s", r->type);
    for (size_t i = 0; i < r->n; i++) {
        qseries *s = qresult_add(out);
        const char *k = r->s[i].key;
        if (!strncmp(k, "{__name__=\"", 11)) {
            const char *e = strchr(k + 11, '"');
            buf b = {0};
            buf_byte(&b, '{');
            if (e && e[1] == ',') e += 3;
            else if (e) e += 1;
            buf_put(&b, e ? e : "}", strlen(e ? e : "}"));
            buf_byte(&b, 0);
            s->key = (char *)b.p;
        } else {
            s->key = strdup(k);
        }
        s->n = r->s[i].n;
        s->ts = xmalloc((s->n + 1) * sizeof *s->ts);
        s->v = xmalloc((s->n + 1) * sizeof *s->v);
        if (s->n) {
            memcpy(s->ts, r->s[i].ts, s->n * sizeof *s->ts);
            memcpy(s->v, r->s[i].v, s->n * sizeof *s->v);
        }
        out->points += s->n;
    }
    if (out->n) qsort(out->s, out->n, sizeof *out->s, qseries_cmp);
}

static bool cmp_same_set(const qcmp *c) { return !c->only_a && !c->only_b && !c->pts_only_a && !c->pts_only_b; }

/* "exact", "1e-6" (all within), or "DIFF" */
static const char *cmp_verdict(const qcmp *c)
{
    if (!cmp_same_set(c) || c->beyond) return "DIFF";
    return c->within ? "1e-6" : "exact";
}

/* The verdict for the table: how close "within" was (sums of many floats
 * taken in another order differ in their last bits: ~1e-16). */
static void cmp_verdict_short(const qcmp *c, char *out, size_t n)
{
    if (!cmp_same_set(c) || c->beyond || !c->within) snprintf(out, n, "%s", cmp_verdict(c));
    else snprintf(out, n, "%.0e", c->max_rel);
}

static void cmp_print(const char *set, const char *what, const char *kind, const char *an, const char *bn, const qcmp *c)
{
    printf("BENCHQ check set=%s q=\"%s\" kind=%s %s_vs_%s=%s series=%zu only_%s=%zu only_%s=%zu points=%zu "
           "points_only_%s=%zu points_only_%s=%zu exact=%zu within_1e-6=%zu beyond=%zu max_rel=%.3g\n",
           set, what, kind, an, bn, cmp_verdict(c), c->both, an, c->only_a, bn, c->only_b, c->pts, an, c->pts_only_a, bn,
           c->pts_only_b, c->exact, c->within, c->beyond, c->max_rel);
    for (size_t i = 0; i < c->nfirst; i++) printf("BENCHQ   e.g. %s\n", c->first[i]);
}

/* ------------------------------------------------------------ servers */

enum { S_STRATA, S_VM, S_PROM, NSRV };
static const char *const srv_name[NSRV] = {"strata", "vm", "prom"};

typedef struct server {
    bool on;
    conn c;
    int pid;
} server;

static long proc_kb(int pid, const char *key)
{
    if (pid <= 0) return -1;
    char path[64], line[256];
    snprintf(path, sizeof path, "/proc/%d/status", pid);
    FILE *f = fopen(path, "r");
    if (!f) return -1;
    long v = -1;
    size_t kl = strlen(key);
    while (fgets(line, sizeof line, f))
        if (!strncmp(line, key, kl) && line[kl] == ':') {
            v = strtol(line + kl + 1, NULL, 10);
            break;
        }
    fclose(f);
    return v;
}

/* resets VmHWM to the current VmRSS (Linux 4.0+) */
static void reset_hwm(int pid)
{
    if (pid <= 0) return;
    char path[64];
    snprintf(path, sizeof path, "/proc/%d/clear_refs", pid);
    int fd = open(path, O_WRONLY);
    if (fd < 0) return;
    if (write(fd, "5", 1) != 1) { /* not supported: VmHWM is then the peak since start */
    }
    close(fd);
}

/* ------------------------------------------------------------ run */

#define NQ 6
typedef struct qstat {
    bool ok;
    char err[300];
    double p50, p90, min;
    size_t bytes, series, points;
    long rss0, hwm, rss1;
} qstat;

static void fmt_secs(char *out, size_t n, int64_t ms)
{
    if (ms % 1000) snprintf(out, n, "%" PRId64 ".%03" PRId64, ms / 1000, ms % 1000);
    else snprintf(out, n, "%" PRId64, ms / 1000);
}

static void dur(char *out, size_t n, int64_t ms)
{
    if (ms % 3600000 == 0) snprintf(out, n, "%" PRId64 "h", ms / 3600000);
    else if (ms % 60000 == 0) snprintf(out, n, "%" PRId64 "m", ms / 60000);
    else snprintf(out, n, "%" PRId64 "s", ms / 1000);
}

static void build_target(buf *t, bool range, bool vm, const char *q, int64_t start_ms, int64_t end_ms, int64_t step_ms)
{
    char a[32], b[32], c[32];
    t->len = 0;
    buf_printf(t, "/api/v1/%s?query=", range ? "query_range" : "query");
    urlenc(t, q);
    fmt_secs(a, sizeof a, start_ms);
    fmt_secs(b, sizeof b, end_ms);
    fmt_secs(c, sizeof c, step_ms);
    if (range) buf_printf(t, "&start=%s&end=%s&step=%s", a, b, c);
    else buf_printf(t, "&time=%s", b);
    if (vm) buf_printf(t, "&nocache=1");
    buf_byte(t, 0);
}

static void servers_open(server *sv, const opts *o)
{
    for (int s = 0; s < NSRV; s++) {
        sv[s].on = o->srv_addr[s] != NULL;
        sv[s].pid = o->srv_pid[s];
        if (sv[s].on) conn_init(&sv[s].c, o->srv_addr[s]);
    }
    if (!sv[S_STRATA].on) die("--strata is required");
}

static void servers_close(server *sv)
{
    for (int s = 0; s < NSRV; s++)
        if (sv[s].on) {
            conn_close(&sv[s].c);
            free(sv[s].c.in.p);
        }
}

static const char *fmt_ms(char *out, size_t n, const qstat *st)
{
    if (!st->ok) snprintf(out, n, "error");
    else if (st->p50 < 0.0995) snprintf(out, n, "%.3f", st->p50 * 1e3);
    else if (st->p50 < 9.95) snprintf(out, n, "%.1f", st->p50 * 1e3);
    else snprintf(out, n, "%.0f", st->p50 * 1e3);
    return out;
}

static const char *fmt_ratio(char *out, size_t n, const qstat *a, const qstat *b)
{
    if (!a->ok || !b->ok || b->p50 <= 0) snprintf(out, n, "-");
    else snprintf(out, n, "%.2f", a->p50 / b->p50);
    return out;
}

static const char *fmt_mb(char *out, size_t n, const qstat *st)
{
    if (!st->ok || st->rss0 < 0 || st->hwm < 0) snprintf(out, n, "-");
    else snprintf(out, n, "%.0f", st->hwm > st->rss0 ? (double)(st->hwm - st->rss0) / 1024.0 : 0.0);
    return out;
}

/* One request, timed; the answer in body. */
static double timed(server *s, const char *target, buf *body, int *status)
{
    double t0 = now_s();
    *status = http_exchange(&s->c, "GET", target, NULL, NULL, 0, body);
    return now_s() - t0;
}

static int run_queries(const opts *o)
{
    dset d;
    dset_init(&d, o);
    server sv[NSRV];
    servers_open(sv, o);
    char wr[32], wm[32], span[32], stepd[32], ival[32];
    int64_t wrate = 5 * 60000 > 4 * d.interval_ms ? 5 * 60000 : 4 * d.interval_ms;
    int64_t wmax = 10 * 60000 > 2 * d.interval_ms ? 10 * 60000 : 2 * d.interval_ms;
    int64_t step = d.span_ms / (int64_t)o->points;
    step = step / 1000 * 1000;
    if (step < 1000) step = 1000;
    dur(wr, sizeof wr, wrate);
    dur(wm, sizeof wm, wmax);
    dur(span, sizeof span, d.span_ms);
    dur(stepd, sizeof stepd, step);
    dur(ival, sizeof ival, d.interval_ms);
    char qs[NQ][160];
    snprintf(qs[0], sizeof qs[0], "sum by (region)(rate(x_requests_total[%s]))", wr);
    snprintf(qs[1], sizeof qs[1], "topk(5, avg by (host)(x_gauge))");
    snprintf(qs[2], sizeof qs[2], "count({__name__=~\"x_.*\"})");
    snprintf(qs[3], sizeof qs[3], "histogram_quantile(0.9, sum by (le)(rate(h_bucket[%s])))", wr);
    snprintf(qs[4], sizeof qs[4], "max_over_time(x_gauge[%s])", wm);
    snprintf(qs[5], sizeof qs[5], "x_gauge > 50");
    static const char *const qshort[NQ] = {"sum/rate", "topk/avg", "count", "histogram_quantile", "max_over_time", "x_gauge > 50"};
    /* range: [end - span, end], aligned to the step (end is) */
    int64_t rend = d.end_ms / step * step, rstart = rend - d.span_ms / step * step;
    printf("BENCHQ set=%s series=%zu hosts=%zu span=%s interval=%s samples_per_series=%zu range_step=%s "
           "range_points=%" PRId64 " reps=%zu end_ms=%" PRId64 "\n",
           o->set, d.n, d.hosts, span, ival, d.rounds, stepd, (rend - rstart) / step + 1, o->reps, rend);
    fflush(stdout);

    qstat st[NQ][2][NSRV];
    char verdict_p[NQ][2][16], verdict_v[NQ][2][64];
    memset(st, 0, sizeof st);
    buf target = {0}, body = {0};
    double *lat[NSRV];
    for (int s = 0; s < NSRV; s++) lat[s] = xmalloc((o->reps + 1) * sizeof(double));
    size_t diffs = 0;
    for (int q = 0; q < NQ; q++)
        for (int kind = 0; kind < 2; kind++) { /* 0 range, 1 instant */
            bool range = kind == 0;
            const char *kname = range ? "range" : "instant";
            qresult res[NSRV];
            memset(res, 0, sizeof res);
            /* the untimed request whose answers are compared; it warms
             * whatever each server caches of the data (not answers: VM has
             * nocache=1 and -search.disableCache) */
            for (int s = 0; s < NSRV; s++) {
                if (!sv[s].on) continue;
                qstat *x = &st[q][kind][s];
                reset_hwm(sv[s].pid);
                x->rss0 = proc_kb(sv[s].pid, "VmRSS");
                build_target(&target, range, s == S_VM, qs[q], rstart, rend, step);
                int status;
                timed(&sv[s], (const char *)target.p, &body, &status);
                x->bytes = body.len;
                char err[256] = "";
                bool ok = status == 200 && parse_answer(&body, &res[s], err, sizeof err);
                if (!ok) {
                    if (!err[0]) snprintf(err, sizeof err, "%.200s", body.len ? (const char *)body.p : "");
                    snprintf(x->err, sizeof x->err, "HTTP %d: %.250s", status, err);
                    printf("BENCHQ error set=%s q=\"%s\" kind=%s server=%s %s\n", o->set, qs[q], kname, srv_name[s], x->err);
                    qresult_free(&res[s]);
                    continue;
                }
                x->ok = true;
                x->series = res[s].n;
                x->points = res[s].points;
            }
            qcmp c;
            snprintf(verdict_p[q][kind], sizeof verdict_p[q][kind], "-");
            snprintf(verdict_v[q][kind], sizeof verdict_v[q][kind], "-");
            if (st[q][kind][S_STRATA].ok && st[q][kind][S_PROM].ok) {
                compare(&res[S_STRATA], &res[S_PROM], "strata", "prom", &c);
                cmp_print(o->set, qs[q], kname, "strata", "prom", &c);
                cmp_verdict_short(&c, verdict_p[q][kind], sizeof verdict_p[q][kind]);
                if (!strcmp(cmp_verdict(&c), "DIFF")) diffs++;
            }
            if (st[q][kind][S_STRATA].ok && st[q][kind][S_VM].ok) {
                const char *bar = "";
                compare(&res[S_STRATA], &res[S_VM], "strata", "vm", &c);
                if (!cmp_same_set(&c)) {
                    /* VictoriaMetrics 1.79 keeps the metric name where Prometheus drops it */
                    qresult a2, b2;
                    qcmp c2;
                    strip_name(&res[S_STRATA], &a2);
                    strip_name(&res[S_VM], &b2);
                    compare(&a2, &b2, "strata", "vm", &c2);
                    if (cmp_same_set(&c2)) {
                        c = c2;
                        bar = " bar __name__";
                        printf("BENCHQ check set=%s q=\"%s\" kind=%s strata_vs_vm: VictoriaMetrics keeps __name__, otherwise:\n",
                               o->set, qs[q], kname);
                    }
                    qresult_free(&a2);
                    qresult_free(&b2);
                }
                cmp_print(o->set, qs[q], kname, "strata", "vm", &c);
                if (!cmp_same_set(&c))
                    snprintf(verdict_v[q][kind], sizeof verdict_v[q][kind], "set differs (%zu/%zu series, %zu/%zu pts only)",
                             c.only_a, c.only_b, c.pts_only_a, c.pts_only_b);
                else if (!c.beyond)
                    snprintf(verdict_v[q][kind], sizeof verdict_v[q][kind], "same%s, %s", bar, c.within ? "1e-6" : "exact");
                else
                    snprintf(verdict_v[q][kind], sizeof verdict_v[q][kind], "same set%s, %.0f%% values differ (max %.2g)",
                             bar, 100.0 * (double)c.beyond / (double)(c.pts ? c.pts : 1), c.max_rel);
            }
            if (st[q][kind][S_PROM].ok && st[q][kind][S_VM].ok) {
                /* for reference: how VictoriaMetrics's answer compares with Prometheus's */
                compare(&res[S_PROM], &res[S_VM], "prom", "vm", &c);
                printf("BENCHQ check set=%s q=\"%s\" kind=%s prom_vs_vm=%s series=%zu only_prom=%zu only_vm=%zu "
                       "points=%zu points_only_prom=%zu points_only_vm=%zu beyond=%zu max_rel=%.3g\n",
                       o->set, qs[q], kname, cmp_verdict(&c), c.both, c.only_a, c.only_b, c.pts, c.pts_only_a, c.pts_only_b,
                       c.beyond, c.max_rel);
            }
            for (int s = 0; s < NSRV; s++) qresult_free(&res[s]);
            /* timed requests, servers interleaved, starting with another one each round */
            int order[NSRV];
            size_t nord = 0;
            for (int s = 0; s < NSRV; s++)
                if (sv[s].on && st[q][kind][s].ok) order[nord++] = s;
            for (size_t rep = 0; rep < o->reps; rep++)
                for (size_t k = 0; k < nord; k++) {
                    int s = order[(k + rep) % nord];
                    build_target(&target, range, s == S_VM, qs[q], rstart, rend, step);
                    int status;
                    lat[s][rep] = timed(&sv[s], (const char *)target.p, &body, &status);
                    if (status != 200) fail_status(qs[q], status, &body);
                    /* VictoriaMetrics's answers vary in their last digits from run to run */
                    if (s != S_VM && body.len != st[q][kind][s].bytes)
                        printf("BENCHQ note set=%s q=\"%s\" kind=%s server=%s: answer of %zu bytes, the first had %zu\n", o->set,
                               qs[q], kname, srv_name[s], body.len, st[q][kind][s].bytes);
                }
            for (size_t k = 0; k < nord; k++) {
                int s = order[k];
                qstat *x = &st[q][kind][s];
                x->hwm = proc_kb(sv[s].pid, "VmHWM");
                x->rss1 = proc_kb(sv[s].pid, "VmRSS");
                qsort(lat[s], o->reps, sizeof(double), cmp_double);
                x->p50 = pct(lat[s], o->reps, 0.5);
                x->p90 = pct(lat[s], o->reps, 0.9);
                x->min = lat[s][0];
                printf("BENCHQ time set=%s q=\"%s\" kind=%s server=%s p50_ms=%.3f p90_ms=%.3f min_ms=%.3f series=%zu "
                       "points=%zu bytes=%zu rss_before_kb=%ld hwm_kb=%ld rss_after_kb=%ld\n",
                       o->set, qs[q], kname, srv_name[s], x->p50 * 1e3, x->p90 * 1e3, x->min * 1e3, x->series, x->points,
                       x->bytes, x->rss0, x->hwm, x->rss1);
            }
            fflush(stdout);
        }

    /* the table */
    printf("\n== side by side, PromQL, %s: %zu series (%zu hosts), %s at %s (%zu samples a series), range step %s "
           "(%" PRId64 " points), %zu timed runs each\n",
           o->set, d.n, d.hosts, span, ival, d.rounds, stepd, (rend - rstart) / step + 1, o->reps);
    printf("  %-62s %9s %9s %9s %6s %6s | %8s %8s %8s | %6s %6s %6s | %14s | %-6s %s\n", "query (median ms)", "Strata", "VM",
           "Prom", "S/VM", "S/Prom", "p90 S", "p90 VM", "p90 P", "MB S", "MB VM", "MB P", "series/points", "S=Prom",
           "S vs VM");
    int met = 0, total = 0;
    buf missed = {0};
    for (int q = 0; q < NQ; q++)
        for (int kind = 0; kind < 2; kind++) {
            char label[1024], a[4][24], r1[16], r2[16], p90[3][24], mb[3][16];
            snprintf(label, sizeof label, "%s %s", kind ? "instant" : "range  ", qs[q]);
            const qstat *x = st[q][kind];
            for (int s = 0; s < NSRV; s++) {
                if (!sv[s].on) snprintf(a[s], sizeof a[s], "-");
                else fmt_ms(a[s], sizeof a[s], &x[s]);
                if (!sv[s].on || !x[s].ok) snprintf(p90[s], sizeof p90[s], "-");
                else snprintf(p90[s], sizeof p90[s], "%.1f", x[s].p90 * 1e3);
                fmt_mb(mb[s], sizeof mb[s], &x[s]);
            }
            /* the size of the answer (Strata's, else Prometheus's) */
            char size[32] = "-";
            const qstat *z = x[S_STRATA].ok ? &x[S_STRATA] : x[S_PROM].ok ? &x[S_PROM] : NULL;
            if (z && z->points >= 100000) snprintf(size, sizeof size, "%zu/%.1fM", z->series, (double)z->points / 1e6);
            else if (z) snprintf(size, sizeof size, "%zu/%zu", z->series, z->points);
            printf("  %-62s %9s %9s %9s %6s %6s | %8s %8s %8s | %6s %6s %6s | %14s | %-6s %s\n", label, a[0], a[1], a[2],
                   fmt_ratio(r1, sizeof r1, &x[S_STRATA], &x[S_VM]), fmt_ratio(r2, sizeof r2, &x[S_STRATA], &x[S_PROM]),
                   p90[0], p90[1], p90[2], mb[0], mb[1], mb[2], size, verdict_p[q][kind], verdict_v[q][kind]);
            if (x[S_VM].ok) {
                total++;
                if (x[S_STRATA].ok && x[S_STRATA].p50 <= 0.5 * x[S_VM].p50) met++;
                else buf_printf(&missed, "%s%s %s", missed.len ? ", " : "", kind ? "instant" : "range", qshort[q]);
            }
        }
    for (int q = 0; q < NQ; q++)
        for (int kind = 0; kind < 2; kind++)
            for (int s = 0; s < NSRV; s++)
                if (sv[s].on && !st[q][kind][s].ok)
                    printf("  %s failed %s %s: %s\n", srv_name[s], kind ? "instant" : "range", qs[q], st[q][kind][s].err);
    buf_byte(&missed, 0);
    if (met == total && total) printf("  goal (median <= 0.5 x VictoriaMetrics): met for %d of %d queries\n", met, total);
    else
        printf("  goal (median <= 0.5 x VictoriaMetrics): not met: met for %d of %d queries; not for %s\n", met, total,
               (const char *)missed.p);
    free(missed.p);
    printf("  Strata's answers: %s\n", diffs ? "DIFFER from Prometheus's (BENCHQ check lines above)"
                                             : "equal to Prometheus's for every query");
    printf("BENCH query-%s goal_met %d\nBENCH query-%s goal_queries %d\nBENCH query-%s answers_differing %zu\n", o->set,
           met, o->set, total, o->set, diffs);
    for (int s = 0; s < NSRV; s++) free(lat[s]);
    free(target.p);
    free(body.p);
    servers_close(sv);
    return 0;
}

/* ------------------------------------------------------------ meta */

static int run_meta(const opts *o)
{
    dset d;
    dset_init(&d, o);
    server sv[NSRV];
    servers_open(sv, o);
    char a[32], b[32];
    fmt_secs(a, sizeof a, d.start_ms - 60000);
    fmt_secs(b, sizeof b, d.end_ms);
    enum { M_SERIES_ALL, M_SERIES_X, M_SERIES_GAUGE, M_LABELS, M_VALUES, M_SHOW, NM };
    static const char *const names[NM] = {"/api/v1/series match[]={job=\"bench\"}",
                                           "/api/v1/series match[]={__name__=~\"x_.*\"}",
                                           "/api/v1/series match[]=x_gauge", "/api/v1/labels",
                                           "/api/v1/label/host/values", "SHOW MEASUREMENTS (InfluxQL, Strata only)"};
    size_t want[NM] = {d.n, 0, 0, 11, d.hosts, 6};
    for (size_t i = 0; i < d.n; i++) {
        size_t sub;
        enum kind k = slot_kind(i % PER_HOST, &sub);
        want[M_SERIES_X] += k == K_REQ || k == K_BYTES || k == K_GAUGE;
        want[M_SERIES_GAUGE] += k == K_GAUGE;
    }
    buf t = {0}, body = {0};
    qstat st[NM][NSRV];
    memset(st, 0, sizeof st);
    char verdict[NM][80];
    double *lat = xmalloc((o->reps + 1) * sizeof *lat);
    printf("BENCHQ set=%s series=%zu hosts=%zu reps=%zu\n", o->set, d.n, d.hosts, o->reps);
    for (int m = 0; m < NM; m++) {
        qresult res[NSRV];
        memset(res, 0, sizeof res);
        snprintf(verdict[m], sizeof verdict[m], "-");
        for (int s = 0; s < NSRV; s++) {
            if (!sv[s].on || (m == M_SHOW && s != S_STRATA)) continue;
            t.len = 0;
            switch (m) {
            case M_SERIES_ALL: buf_printf(&t, "/api/v1/series?match[]="); urlenc(&t, "{job=\"bench\"}"); break;
            case M_SERIES_X: buf_printf(&t, "/api/v1/series?match[]="); urlenc(&t, "{__name__=~\"x_.*\"}"); break;
            case M_SERIES_GAUGE: buf_printf(&t, "/api/v1/series?match[]=x_gauge"); break;
            case M_LABELS: buf_printf(&t, "/api/v1/labels?x=1"); break;
            case M_VALUES: buf_printf(&t, "/api/v1/label/host/values?x=1"); break;
            case M_SHOW: buf_printf(&t, "/query?db=default&q=SHOW+MEASUREMENTS"); break;
            }
            if (m != M_SHOW) buf_printf(&t, "&start=%s&end=%s", a, b);
            buf_byte(&t, 0);
            qstat *x = &st[m][s];
            reset_hwm(sv[s].pid);
            x->rss0 = proc_kb(sv[s].pid, "VmRSS");
            int status;
            timed(&sv[s], (const char *)t.p, &body, &status);
            x->bytes = body.len;
            char err[256] = "";
            bool ok;
            size_t got;
            if (m == M_SHOW) {
                ok = status == 200 && memmem(body.p, body.len, "\"measurements\"", 14);
                got = count_str(&body, "[\"");
                if (got) got--; /* "columns":["name"] */
            } else {
                ok = status == 200 && parse_answer(&body, &res[s], err, sizeof err);
                got = m == M_LABELS || m == M_VALUES ? res[s].nstrs : res[s].n;
            }
            if (!ok || got != want[m]) {
                snprintf(x->err, sizeof x->err, "HTTP %d, %zu items (%zu expected): %.200s", status, got, want[m],
                         err[0] ? err : (const char *)body.p);
                printf("BENCHQ error set=%s what=\"%s\" server=%s %s\n", o->set, names[m], srv_name[s], x->err);
                if (status != 200) continue;
            }
            x->ok = status == 200;
            x->series = got;
            for (size_t r = 0; r < o->reps; r++) {
                lat[r] = timed(&sv[s], (const char *)t.p, &body, &status);
                if (status != 200) fail_status(names[m], status, &body);
            }
            x->hwm = proc_kb(sv[s].pid, "VmHWM");
            x->rss1 = proc_kb(sv[s].pid, "VmRSS");
            qsort(lat, o->reps, sizeof *lat, cmp_double);
            x->p50 = pct(lat, o->reps, 0.5);
            x->p90 = pct(lat, o->reps, 0.9);
            x->min = lat[0];
            printf("BENCHQ time set=%s what=\"%s\" server=%s p50_ms=%.3f p90_ms=%.3f items=%zu bytes=%zu rss_before_kb=%ld "
                   "hwm_kb=%ld\n",
                   o->set, names[m], srv_name[s], x->p50 * 1e3, x->p90 * 1e3, got, x->bytes, x->rss0, x->hwm);
            fflush(stdout);
        }
        if (m != M_SHOW) {
            bool same = true;
            int nsame = 0;
            for (int s = 1; s < NSRV; s++) {
                if (!st[m][S_STRATA].ok || !st[m][s].ok) continue;
                nsame++;
                if (m == M_LABELS || m == M_VALUES) {
                    bool eq = res[s].nstrs == res[S_STRATA].nstrs;
                    for (size_t i = 0; eq && i < res[s].nstrs; i++) eq = !strcmp(res[s].strs[i], res[S_STRATA].strs[i]);
                    if (!eq) printf("BENCHQ check set=%s what=\"%s\" strata_vs_%s=DIFF\n", o->set, names[m], srv_name[s]);
                    same &= eq;
                } else {
                    qcmp c;
                    compare(&res[S_STRATA], &res[s], "strata", srv_name[s], &c);
                    if (!cmp_same_set(&c)) cmp_print(o->set, names[m], "meta", "strata", srv_name[s], &c);
                    same &= cmp_same_set(&c);
                }
            }
            snprintf(verdict[m], sizeof verdict[m], "%s", !nsame ? "-" : same ? "same" : "DIFF");
        }
        for (int s = 0; s < NSRV; s++) qresult_free(&res[s]);
    }
    printf("\n== side by side, series metadata, %s: %zu series (%zu hosts), %zu timed runs each\n", o->set, d.n, d.hosts,
           o->reps);
    printf("  %-46s %8s %9s %9s %9s %6s %6s | %6s %6s %6s | %s\n", "request (median ms)", "items", "Strata", "VM", "Prom",
           "S/VM", "S/Prom", "MB S", "MB VM", "MB P", "answers");
    for (int m = 0; m < NM; m++) {
        char x[NSRV][24], r1[16], r2[16], mb[NSRV][16];
        for (int s = 0; s < NSRV; s++) {
            if (!sv[s].on || (m == M_SHOW && s != S_STRATA)) snprintf(x[s], sizeof x[s], "-");
            else fmt_ms(x[s], sizeof x[s], &st[m][s]);
            fmt_mb(mb[s], sizeof mb[s], &st[m][s]);
        }
        printf("  %-46s %8zu %9s %9s %9s %6s %6s | %6s %6s %6s | %s\n", names[m], want[m], x[0], x[1], x[2],
               fmt_ratio(r1, sizeof r1, &st[m][S_STRATA], &st[m][S_VM]),
               fmt_ratio(r2, sizeof r2, &st[m][S_STRATA], &st[m][S_PROM]), mb[0], mb[1], mb[2], verdict[m]);
    }
    for (int m = 0; m < NM; m++)
        for (int s = 0; s < NSRV; s++)
            if (st[m][s].err[0]) printf("  %s, %s: %s\n", srv_name[s], names[m], st[m][s].err);
    free(lat);
    free(t.p);
    free(body.p);
    servers_close(sv);
    return 0;
}

/* ------------------------------------------------------------ main */

static void usage(void)
{
    fprintf(stderr,
            "usage: bench_query load|run|meta [options]\n"
            "  data set: --series N (default 10000) --span-s S (3600) --interval-s S (15) --end-ms MS\n"
            "            (default: now - 2 min rounded down to the interval; give every mode the same)\n"
            "  load: --addr HOST:PORT --conns N (2) --batch SAMPLES (2000) --per-series K (10)\n"
            "  run, meta: --strata HOST:PORT [--vm HOST:PORT] [--prom HOST:PORT] [--strata-pid P --vm-pid P\n"
            "             --prom-pid P] --reps N (7) --points N (240: range step = span / N) --set NAME\n");
    exit(2);
}

int main(int argc, char **argv)
{
    opts o = {.series = 10000, .conns = 2, .batch = 2000, .per_series = 10, .reps = 7, .points = 240, .span_s = 3600,
              .interval_s = 15, .set = "set"};
    if (argc < 2) usage();
    o.mode = argv[1];
    for (int i = 2; i < argc; i++) {
        const char *a = argv[i];
        if (i + 1 >= argc) usage();
        const char *v = argv[++i];
        if (!strcmp(a, "--addr")) o.addr = v;
        else if (!strcmp(a, "--set")) o.set = v;
        else if (!strcmp(a, "--strata")) o.srv_addr[S_STRATA] = v;
        else if (!strcmp(a, "--vm")) o.srv_addr[S_VM] = v;
        else if (!strcmp(a, "--prom")) o.srv_addr[S_PROM] = v;
        else if (!strcmp(a, "--strata-pid")) o.srv_pid[S_STRATA] = (int)parse_size(a, v);
        else if (!strcmp(a, "--vm-pid")) o.srv_pid[S_VM] = (int)parse_size(a, v);
        else if (!strcmp(a, "--prom-pid")) o.srv_pid[S_PROM] = (int)parse_size(a, v);
        else if (!strcmp(a, "--series")) o.series = parse_size(a, v);
        else if (!strcmp(a, "--conns")) o.conns = parse_size(a, v);
        else if (!strcmp(a, "--batch")) o.batch = parse_size(a, v);
        else if (!strcmp(a, "--per-series")) o.per_series = parse_size(a, v);
        else if (!strcmp(a, "--reps")) o.reps = parse_size(a, v);
        else if (!strcmp(a, "--points")) o.points = parse_size(a, v);
        else if (!strcmp(a, "--span-s")) o.span_s = (int64_t)parse_size(a, v);
        else if (!strcmp(a, "--interval-s")) o.interval_s = (int64_t)parse_size(a, v);
        else if (!strcmp(a, "--end-ms")) o.end_ms = (int64_t)parse_size(a, v);
        else usage();
    }
    if (o.conns > 64) die("--conns at most 64");
    if (!o.end_ms) {
        struct timespec ts;
        clock_gettime(CLOCK_REALTIME, &ts);
        int64_t now = (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
        o.end_ms = (now - 120000) / (o.interval_s * 1000) * (o.interval_s * 1000);
    }
    if (!strcmp(o.mode, "load")) {
        if (!o.addr) usage();
        return run_load(&o);
    }
    if (!strcmp(o.mode, "run")) return run_queries(&o);
    if (!strcmp(o.mode, "meta")) return run_meta(&o);
    usage();
    return 2;
}
