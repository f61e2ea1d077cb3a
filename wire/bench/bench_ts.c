/* bench_ts: Timestream's API against Strata's own line protocol, on the
 * same points (issue 13 §5).
 *
 *   bench_ts write ADDR KEY SECRET DB TABLE single|multi HOSTS ROUNDS
 *       WriteRecords of 100-record batches from 2 connections, each
 *       request SigV4-signed as the AWS SDKs sign it (KEY "-": unsigned,
 *       for a server with auth off: the signature's cost is the
 *       difference). A TSBS-like host has 3 dimensions (hostname, region,
 *       datacenter) and 10 measures a round, 10 s apart: "single" sends
 *       them as 10 single-measure DOUBLE records, "multi" as one MULTI
 *       record of 10 DOUBLE values (so a request holds 100 or 1,000
 *       points).
 *   bench_ts lp ADDR DB single|multi HOSTS ROUNDS
 *       the same points as line protocol to /write?db=DB&precision=ms,
 *       the same points a request (100 lines of one field, or 100 lines of
 *       10 fields), from 2 connections.
 *   bench_ts setup ADDR KEY SECRET DB TABLE
 *       CreateDatabase and CreateTable (24 h of memory store).
 *   bench_ts query ADDR KEY SECRET DB REPS SQL
 *       the median and p90 latency of SQL through Timestream's Query
 *       (every page read) and through /api/v3/query_sql (json, with
 *       Authorization: $STRATA_BENCH_SQL_AUTH when set), requests
 *       interleaved; the answers' row counts compared.
 *
 * Result lines start with BENCHTS. Requests are built before the clock
 * starts (their signatures too: a signature is good for 15 minutes), so
 * the rates are the server's, the load generator's own JSON kept out.
 */
#define BENCH_NAME "bench_ts"
#define BENCH_TAG "BENCHTS"
#include "bench_http.h"

#include <inttypes.h>
#include <pthread.h>

#include "sigv4.h"

#define CONNS 2
#define BATCH 100
#define NMEASURES 10
#define INTERVAL_MS 10000

static const char *const MEASURES[NMEASURES] = {"usage_user", "usage_system", "usage_idle", "usage_nice",
                                                "usage_iowait", "usage_irq", "usage_softirq", "usage_steal",
                                                "usage_guest", "usage_guest_nice"};

typedef struct hdrs {
    const char *names[4], *vals[4];
} hdrs;

static const char *hdr_get(void *ctx, const char *name)
{
    hdrs *h = ctx;
    for (int i = 0; i < 4; i++)
        if (h->names[i] && !strcmp(h->names[i], name)) return h->vals[i];
    return NULL;
}

/* The headers of one Timestream call, signed when key is given. */
static void ts_headers(buf *out, const char *host, const char *op, const char *key, const char *secret,
                       const uint8_t *body, size_t len)
{
    char target[128], date[32], scope_date[16];
    snprintf(target, sizeof target, "Timestream_20181101.%s", op);
    time_t now = time(NULL);
    struct tm tm;
    gmtime_r(&now, &tm);
    strftime(date, sizeof date, "%Y%m%dT%H%M%SZ", &tm);
    strftime(scope_date, sizeof scope_date, "%Y%m%d", &tm);
    out->len = 0;
    buf_printf(out, "Content-Type: application/x-amz-json-1.0\r\nX-Amz-Target: %s\r\nX-Amz-Date: %s\r\n", target,
               date);
    if (!key || !strcmp(key, "-")) return;
    hdrs h = {{"content-type", "host", "x-amz-date", "x-amz-target"},
              {"application/x-amz-json-1.0", host, date, target}};
    sigv4_req r = {.method = "POST", .path = "/", .header = hdr_get, .header_ctx = &h, .body = body,
                   .body_len = len, .now_s = (int64_t)now};
    char sig[65];
    st_err e = {0};
    if (sigv4_sign(&r, secret, date, "us-east-1", "timestream", "content-type;host;x-amz-date;x-amz-target", sig, &e))
        die("signing: %s", e.msg);
    buf_printf(out,
               "Authorization: AWS4-HMAC-SHA256 Credential=%s/%s/us-east-1/timestream/aws4_request, "
               "SignedHeaders=content-type;host;x-amz-date;x-amz-target, Signature=%s\r\n",
               key, scope_date, sig);
}

typedef struct req {
    uint8_t *body;
    size_t len;
    char *headers;
    uint64_t points;
} req;

typedef struct job {
    const char *addr, *path;
    req *reqs;
    size_t n;
    uint64_t points;
    pthread_barrier_t *bar;
} job;

static double value_of(size_t host, size_t round, size_t m)
{
    return (double)(mix64(host * 1000003u + round * 31u + m) % 10000) / 100.0;
}

/* The requests of connection c: hosts h with h % CONNS == c, round by round. */
static void build_ts(job *j, size_t c, const char *host_hdr, const char *key, const char *secret, const char *db,
                     const char *table, bool multi, size_t hosts, size_t rounds, int64_t base_ms)
{
    size_t per_req = multi ? BATCH : BATCH / NMEASURES; /* hosts a request */
    size_t cap = (hosts / CONNS + 1) * rounds / per_req + rounds + 2;
    j->reqs = xmalloc(cap * sizeof *j->reqs);
    j->n = 0;
    buf b = {0}, h = {0};
    for (size_t r = 0; r < rounds; r++) {
        for (size_t h0 = c; h0 < hosts;) {
            b.len = 0;
            buf_printf(&b, "{\"DatabaseName\":\"%s\",\"TableName\":\"%s\",\"CommonAttributes\":{\"MeasureValueType\":"
                           "\"%s\",\"Time\":\"%" PRId64 "\"},\"Records\":[",
                       db, table, multi ? "MULTI" : "DOUBLE", base_ms + (int64_t)r * INTERVAL_MS);
            size_t k = 0;
            uint64_t pts = 0;
            for (; h0 < hosts && k < per_req; h0 += CONNS, k++) {
                char dims[256];
                snprintf(dims, sizeof dims,
                         "\"Dimensions\":[{\"Name\":\"hostname\",\"Value\":\"host_%zu\"},{\"Name\":\"region\","
                         "\"Value\":\"region_%zu\"},{\"Name\":\"datacenter\",\"Value\":\"dc_%zu\"}]",
                         h0, h0 % 7, h0 % 23);
                if (multi) {
                    buf_printf(&b, "%s{%s,\"MeasureName\":\"cpu\",\"MeasureValues\":[", k ? "," : "", dims);
                    for (size_t m = 0; m < NMEASURES; m++)
                        buf_printf(&b, "%s{\"Name\":\"%s\",\"Value\":\"%.2f\",\"Type\":\"DOUBLE\"}", m ? "," : "",
                                   MEASURES[m], value_of(h0, r, m));
                    buf_printf(&b, "]}");
                } else {
                    for (size_t m = 0; m < NMEASURES; m++)
                        buf_printf(&b, "%s{%s,\"MeasureName\":\"%s\",\"MeasureValue\":\"%.2f\"}", k || m ? "," : "",
                                   dims, MEASURES[m], value_of(h0, r, m));
                }
                pts += NMEASURES;
            }
            buf_printf(&b, "]}");
            ts_headers(&h, host_hdr, "WriteRecords", key, secret, b.p, b.len);
            req *q = &j->reqs[j->n++];
            q->body = xmalloc(b.len);
            memcpy(q->body, b.p, b.len);
            q->len = b.len;
            q->headers = xmalloc(h.len + 1);
            memcpy(q->headers, h.p, h.len);
            q->headers[h.len] = 0;
            q->points = pts;
        }
    }
    free(b.p);
    free(h.p);
}

static void build_lp(job *j, size_t c, bool multi, size_t hosts, size_t rounds, int64_t base_ms)
{
    size_t per_req = multi ? BATCH : BATCH / NMEASURES;
    size_t cap = (hosts / CONNS + 1) * rounds / per_req + rounds + 2;
    j->reqs = xmalloc(cap * sizeof *j->reqs);
    j->n = 0;
    buf b = {0};
    for (size_t r = 0; r < rounds; r++) {
        for (size_t h0 = c; h0 < hosts;) {
            b.len = 0;
            size_t k = 0;
            uint64_t pts = 0;
            int64_t t = base_ms + (int64_t)r * INTERVAL_MS;
            for (; h0 < hosts && k < per_req; h0 += CONNS, k++) {
                if (multi) {
                    buf_printf(&b, "cpu,datacenter=dc_%zu,hostname=host_%zu,region=region_%zu ", h0 % 23, h0, h0 % 7);
                    for (size_t m = 0; m < NMEASURES; m++)
                        buf_printf(&b, "%s%s=%.2f", m ? "," : "", MEASURES[m], value_of(h0, r, m));
                    buf_printf(&b, " %" PRId64 "\n", t);
                } else {
                    for (size_t m = 0; m < NMEASURES; m++)
                        buf_printf(&b, "cpu,datacenter=dc_%zu,hostname=host_%zu,region=region_%zu %s=%.2f %" PRId64 "\n",
                                   h0 % 23, h0, h0 % 7, MEASURES[m], value_of(h0, r, m), t);
                }
                pts += NMEASURES;
            }
            req *q = &j->reqs[j->n++];
            q->body = xmalloc(b.len);
            memcpy(q->body, b.p, b.len);
            q->len = b.len;
            q->headers = NULL;
            q->points = pts;
        }
    }
    free(b.p);
}

static void *sender(void *arg)
{
    job *j = arg;
    conn c;
    conn_init(&c, j->addr);
    conn_open(&c);
    buf resp = {0};
    pthread_barrier_wait(j->bar);
    for (size_t k = 0; k < j->n; k++) {
        req *q = &j->reqs[k];
        int st = http_exchange(&c, "POST", j->path,
                               q->headers ? q->headers : "Content-Type: text/plain; charset=utf-8\r\n", q->body,
                               q->len, &resp);
        if (st < 200 || st > 299) fail_status(j->path, st, &resp);
        j->points += q->points;
    }
    pthread_barrier_wait(j->bar);
    conn_close(&c);
    free(resp.p);
    return NULL;
}

static void run(job *jobs, const char *what, bool multi)
{
    pthread_barrier_t bar;
    pthread_barrier_init(&bar, NULL, CONNS + 1);
    pthread_t tid[CONNS];
    for (size_t c = 0; c < CONNS; c++) {
        jobs[c].bar = &bar;
        if (pthread_create(&tid[c], NULL, sender, &jobs[c])) die("pthread_create failed");
    }
    pthread_barrier_wait(&bar);
    double t0 = now_s();
    pthread_barrier_wait(&bar);
    double t1 = now_s();
    uint64_t pts = 0, bytes = 0, nreq = 0;
    for (size_t c = 0; c < CONNS; c++) {
        pthread_join(tid[c], NULL);
        pts += jobs[c].points;
        nreq += jobs[c].n;
        for (size_t k = 0; k < jobs[c].n; k++) bytes += jobs[c].reqs[k].len;
    }
    printf("BENCHTS %s shape=%s requests=%" PRIu64 " points=%" PRIu64 " body_bytes_per_point=%.1f seconds=%.3f "
           "points_per_s=%.0f\n",
           what, multi ? "multi" : "single", nreq, pts, (double)bytes / (double)pts, t1 - t0, (double)pts / (t1 - t0));
}

static void host_of(const char *addr, char *out, size_t cap)
{
    snprintf(out, cap, "%s", addr);
}

static int call(const char *addr, const char *key, const char *secret, const char *op, const char *body, buf *resp)
{
    conn c;
    conn_init(&c, addr);
    char host[256];
    host_of(addr, host, sizeof host);
    buf h = {0};
    ts_headers(&h, host, op, key, secret, (const uint8_t *)body, strlen(body));
    buf_byte(&h, 0);
    int st = http_exchange(&c, "POST", "/", (const char *)h.p, (const uint8_t *)body, strlen(body), resp);
    conn_close(&c);
    free(h.p);
    return st;
}

static double median(double *v, size_t n)
{
    qsort(v, n, sizeof *v, cmp_double);
    return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

static int query_bench(const char *addr, const char *key, const char *secret, const char *db, size_t reps,
                       const char *sql)
{
    buf body = {0}, resp = {0}, url = {0}, h = {0};
    double *ts = xmalloc(reps * sizeof *ts), *sq = xmalloc(reps * sizeof *sq);
    char host[256];
    host_of(addr, host, sizeof host);
    conn c;
    conn_init(&c, addr);
    size_t ts_rows = 0, sql_rows = 0;
    /* the SQL front's credentials (Basic: what its clients send) */
    char sql_auth[512] = "";
    const char *sa = getenv("STRATA_BENCH_SQL_AUTH");
    if (sa && *sa) snprintf(sql_auth, sizeof sql_auth, "Authorization: %s\r\n", sa);
    for (size_t i = 0; i < reps + 1; i++) { /* the first of each: a warm-up, not timed */
        /* Timestream: every page; each request signed before the clock
         * runs for it (the SDK's signing is the client's time) */
        double spent = 0;
        size_t rows = 0;
        char token[256] = "";
        do {
            body.len = 0;
            buf_printf(&body, "{\"QueryString\":\"");
            for (const char *p = sql; *p; p++) {
                if (*p == '"' || *p == '\\') buf_byte(&body, '\\');
                buf_byte(&body, (uint8_t)*p);
            }
            buf_printf(&body, "\"");
            if (*token) buf_printf(&body, ",\"NextToken\":\"%s\"", token);
            buf_printf(&body, "}");
            ts_headers(&h, host, "Query", key, secret, body.p, body.len);
            buf_byte(&h, 0);
            double t0 = now_s();
            int st = http_exchange(&c, "POST", "/", (const char *)h.p, body.p, body.len, &resp);
            spent += now_s() - t0;
            if (st != 200) fail_status("Query", st, &resp);
            rows += count_str(&resp, "{\"Data\":");
            buf_byte(&resp, 0);
            const char *nt = strstr((const char *)resp.p, "\"NextToken\":\"");
            token[0] = 0;
            if (nt) {
                nt += 13;
                size_t n = strcspn(nt, "\"");
                if (n >= sizeof token) die("token too long");
                memcpy(token, nt, n);
                token[n] = 0;
            }
        } while (*token);
        /* /api/v3/query_sql */
        url.len = 0;
        buf_printf(&url, "/api/v3/query_sql?db=%s&format=json&q=", db);
        urlenc(&url, sql);
        buf_byte(&url, 0);
        double t1 = now_s();
        int st = http_exchange(&c, "GET", (const char *)url.p, sql_auth, NULL, 0, &resp);
        if (st != 200) fail_status("query_sql", st, &resp);
        size_t srows = resp.len > 2 ? count_str(&resp, "},{") + 1 : 0;
        double t2 = now_s();
        if (i) {
            ts[i - 1] = spent;
            sq[i - 1] = t2 - t1;
        }
        ts_rows = rows;
        sql_rows = srows;
    }
    double mt = median(ts, reps), ms = median(sq, reps);
    printf("BENCHTS query rows_timestream=%zu rows_sql=%zu timestream_ms=%.3f sql_ms=%.3f ratio=%.3f p90_ts_ms=%.3f "
           "p90_sql_ms=%.3f sql=%s\n",
           ts_rows, sql_rows, mt * 1e3, ms * 1e3, mt / ms, pct(ts, reps, 0.9) * 1e3, pct(sq, reps, 0.9) * 1e3, sql);
    conn_close(&c);
    return ts_rows == sql_rows ? 0 : 1;
}

int main(int argc, char **argv)
{
    if (argc < 2) die("usage: see the comment at the top of wire/bench/bench_ts.c");
    const char *mode = argv[1];
    int64_t now_ms = (int64_t)time(NULL) * 1000;
    if (!strcmp(mode, "setup") && argc == 7) {
        buf resp = {0};
        char body[512];
        snprintf(body, sizeof body, "{\"DatabaseName\":\"%s\"}", argv[5]);
        int st = call(argv[2], argv[3], argv[4], "CreateDatabase", body, &resp);
        if (st != 200 && st != 409) fail_status("CreateDatabase", st, &resp);
        snprintf(body, sizeof body,
                 "{\"DatabaseName\":\"%s\",\"TableName\":\"%s\",\"RetentionProperties\":{"
                 "\"MemoryStoreRetentionPeriodInHours\":24,\"MagneticStoreRetentionPeriodInDays\":30}}",
                 argv[5], argv[6]);
        st = call(argv[2], argv[3], argv[4], "CreateTable", body, &resp);
        if (st != 200) fail_status("CreateTable", st, &resp);
        return 0;
    }
    if (!strcmp(mode, "write") && argc == 10) {
        bool multi = !strcmp(argv[7], "multi");
        size_t hosts = parse_size("HOSTS", argv[8]), rounds = parse_size("ROUNDS", argv[9]);
        int64_t base = now_ms - (int64_t)rounds * INTERVAL_MS - 60000;
        job jobs[CONNS] = {0};
        for (size_t c = 0; c < CONNS; c++) {
            jobs[c].addr = argv[2];
            jobs[c].path = "/";
            build_ts(&jobs[c], c, argv[2], argv[3], argv[4], argv[5], argv[6], multi, hosts, rounds, base);
        }
        run(jobs, strcmp(argv[3], "-") ? "writerecords_sigv4" : "writerecords_unsigned", multi);
        return 0;
    }
    if (!strcmp(mode, "lp") && argc == 7) {
        bool multi = !strcmp(argv[4], "multi");
        size_t hosts = parse_size("HOSTS", argv[5]), rounds = parse_size("ROUNDS", argv[6]);
        int64_t base = now_ms - (int64_t)rounds * INTERVAL_MS - 60000;
        char path[256];
        snprintf(path, sizeof path, "/write?db=%s&precision=ms", argv[3]);
        job jobs[CONNS] = {0};
        for (size_t c = 0; c < CONNS; c++) {
            jobs[c].addr = argv[2];
            jobs[c].path = path;
            build_lp(&jobs[c], c, multi, hosts, rounds, base);
        }
        run(jobs, "line_protocol", multi);
        return 0;
    }
    if (!strcmp(mode, "query") && argc == 8)
        return query_bench(argv[2], argv[3], argv[4], argv[5], parse_size("REPS", argv[6]), argv[7]);
    die("usage: see the comment at the top of wire/bench/bench_ts.c");
}
