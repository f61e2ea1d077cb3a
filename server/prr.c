/* prr (server side): the remote_read handler. Contract: prr.h; wire
 * formats: wire/prr.h.
 *
 * Per request: wait for a turn at the gate, decompress and decode the
 * ReadRequest, negotiate the response type, compile every matcher (so that
 * a bad one is a 400 before any work), then run the queries in order, each
 * a scan (scan.h) in Prometheus's label order, which the client expects.
 * Each series is converted to milliseconds and encoded at once, as a
 * TimeSeries for SAMPLES or as its frames for STREAMED_XOR_CHUNKS, into a
 * spool, in the order it goes out.
 *
 * The spool keeps its bytes in memory up to SPOOL_MEM; a streamed response
 * larger than that continues in an unnamed temporary file (the store's vfs
 * tmpfile: O_TMPFILE, or a file unlinked at once) in the data directory,
 * read back entry by entry while the client reads. Memory for a streamed
 * response is therefore an entry per series plus one series' samples,
 * whatever its size, and the store's view is released before the first
 * byte goes out. A SAMPLES response is one snappy block (the format has no
 * other way), so it is built whole, bounded by --remote-read-sample-limit.
 */
#include "prr.h"

#include <errno.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include "api.h"
#include "labels.h"
#include "matcher.h"
#include "scan.h"
#include "vfs.h"
#include "wire/prr.h"
#include "wire/prw.h"

#define SPOOL_MEM (16u << 20)    /* response bytes kept in memory before spilling */
#define SPOOL_WRITE (1u << 20)   /* write-behind once spilled */
#define STREAMS_MEM (64ull << 20) /* memory all answers being sent may hold; beyond, they wait in files */

/* ------------------------------------------------------------ stats */

static _Atomic uint64_t st_req_samples, st_req_streamed, st_rejected, st_queries, st_series, st_samples,
    st_frames, st_chunks, st_spilled, st_in_flight, st_streams;
static _Atomic uint64_t g_streams_mem; /* bytes of in-memory answers being sent */

void prr_get_stats(prr_stats *o)
{
    memset(o, 0, sizeof *o);
    o->requests_samples = atomic_load(&st_req_samples);
    o->requests_streamed = atomic_load(&st_req_streamed);
    o->requests_rejected = atomic_load(&st_rejected);
    o->queries = atomic_load(&st_queries);
    o->series = atomic_load(&st_series);
    o->samples = atomic_load(&st_samples);
    o->frames = atomic_load(&st_frames);
    o->chunks = atomic_load(&st_chunks);
    o->spilled = atomic_load(&st_spilled);
    o->in_flight = atomic_load(&st_in_flight);
    o->streams = atomic_load(&st_streams);
}

/* ------------------------------------------------------------- gate */

static pthread_mutex_t g_gate_mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t g_gate_cv = PTHREAD_COND_INITIALIZER;
static unsigned g_gate_busy, g_gate_waiting;

/* A read, running or waiting for its turn, holds an HTTP thread, and with
 * it every connection that thread serves: reads may hold at most half the
 * threads together, so that writes and health checks always find one. */
static unsigned max_waiters(const flags *f)
{
    unsigned threads = f->http_threads;
    if (!threads) {
        long cores = sysconf(_SC_NPROCESSORS_ONLN);
        threads = cores > 2 ? (unsigned)cores * 2 : 4; /* main.c's default */
    }
    return threads / 2 ? threads / 2 : 1;
}

/* Reads that may run at once: --remote-read-concurrency (0 = no limit of
 * its own), never more than half the HTTP threads. */
static unsigned gate_limit(const flags *f)
{
    unsigned cap = max_waiters(f), limit = f->remote_read_concurrency;
    return limit == 0 || limit > cap ? cap : limit;
}

typedef enum { GATE_IN, GATE_BUSY, GATE_TIMEOUT } gate_rc;

/* Waits (up to --http-timeout) until fewer than the limit of reads run. */
static gate_rc gate_enter(const flags *f)
{
    unsigned cap = max_waiters(f);
    unsigned limit = gate_limit(f);
    atomic_fetch_add(&st_in_flight, 1);
    struct timespec dl;
    clock_gettime(CLOCK_REALTIME, &dl);
    dl.tv_sec += f->http_timeout_s ? f->http_timeout_s : 60;
    pthread_mutex_lock(&g_gate_mu);
    gate_rc rc = GATE_IN;
    if (g_gate_busy >= limit) {
        if (g_gate_busy + g_gate_waiting >= cap) {
            rc = GATE_BUSY;
        } else {
            g_gate_waiting++;
            int w = 0;
            while (g_gate_busy >= limit && w != ETIMEDOUT) w = pthread_cond_timedwait(&g_gate_cv, &g_gate_mu, &dl);
            g_gate_waiting--;
            if (g_gate_busy >= limit) rc = GATE_TIMEOUT;
        }
    }
    if (rc == GATE_IN) g_gate_busy++;
    pthread_mutex_unlock(&g_gate_mu);
    if (rc != GATE_IN) atomic_fetch_sub(&st_in_flight, 1);
    return rc;
}

static void gate_leave(unsigned limit)
{
    (void)limit;
    atomic_fetch_sub(&st_in_flight, 1);
    pthread_mutex_lock(&g_gate_mu);
    g_gate_busy--;
    pthread_cond_signal(&g_gate_cv);
    pthread_mutex_unlock(&g_gate_mu);
}

/* ------------------------------------------------------------ spool */

typedef struct sent {
    uint32_t query;
    uint64_t off, len;
} sent;

typedef struct spool {
    st_buf mem;    /* bytes [base, base + mem.len) of the response */
    uint64_t base; /* bytes before mem, in the file */
    int fd;        /* -1 while everything is in mem */
    bool may_spill;
    const vfs *v; /* the store's: the file lives in the data directory */
    const char *dir;
    sent *ents;
    size_t n, cap;
    /* reading */
    size_t cur;
    uint64_t pos;
} spool;

static void spool_init(spool *sp, bool may_spill, const vfs *v, const char *dir)
{
    memset(sp, 0, sizeof *sp);
    sp->fd = -1;
    sp->may_spill = may_spill;
    sp->v = v;
    sp->dir = dir;
}

static void spool_free(spool *sp)
{
    if (sp->fd >= 0) sp->v->close(sp->v, sp->fd);
    st_buf_free(&sp->mem);
    st_free(sp->ents);
    memset(sp, 0, sizeof *sp);
    sp->fd = -1;
}

static uint64_t spool_end(const spool *sp) { return sp->base + sp->mem.len; }

static void spool_add(spool *sp, uint32_t query, uint64_t off)
{
    if (sp->n == sp->cap) {
        sp->cap = sp->cap ? sp->cap * 2 : 256;
        sp->ents = st_realloc(sp->ents, sp->cap * sizeof *sp->ents);
    }
    sent *x = &sp->ents[sp->n++];
    x->query = query;
    x->off = off;
    x->len = spool_end(sp) - off;
}

static int spool_open_file(spool *sp, st_err *e)
{
    /* unnamed: nothing to clean up after a crash */
    int fd = sp->v->tmpfile(sp->v, sp->dir);
    if (fd < 0)
        return st_fail(e, st_from_errno(fd), "remote_read: cannot create a temporary file in %s for a large response: %s",
                       sp->dir, strerror(-fd));
    sp->fd = fd;
    atomic_fetch_add(&st_spilled, 1);
    return 0;
}

/* Moves mem to the file when it is large enough to be worth a write. */
static int spool_flush(spool *sp, bool all, st_err *e)
{
    if (!sp->may_spill) return 0;
    if (sp->fd < 0) {
        if (sp->mem.len <= SPOOL_MEM) return 0; /* small responses never touch the disk */
        int rc = spool_open_file(sp, e);
        if (rc) return rc;
    } else if (!all && sp->mem.len < SPOOL_WRITE) {
        return 0;
    }
    if (!sp->mem.len) return 0;
    int rc = vfs_pwrite_all(sp->v, sp->fd, sp->mem.p, sp->mem.len, (off_t)sp->base);
    if (rc) return st_fail(e, st_from_errno(-rc), "remote_read: writing a temporary file for a large response: %s",
                           strerror(-rc));
    sp->base += sp->mem.len;
    sp->mem.len = 0;
    if (all) st_buf_free(&sp->mem); /* the last write: nothing more comes */
    return 0;
}

/* Copies the next response bytes (in entry order) into buf. */
static long spool_read(spool *sp, char *buf, size_t max)
{
    size_t n = 0;
    while (n < max && sp->cur < sp->n) {
        sent *x = &sp->ents[sp->cur];
        uint64_t left = x->len - sp->pos;
        size_t k = left < max - n ? (size_t)left : max - n;
        uint64_t at = x->off + sp->pos;
        if (sp->fd >= 0) {
            int rc = vfs_pread_all(sp->v, sp->fd, buf + n, k, (off_t)at);
            if (rc) {
                fprintf(stderr, "remote_read: reading back a temporary file: %s\n", strerror(-rc));
                return -1;
            }
        } else {
            memcpy(buf + n, sp->mem.p + at, k);
        }
        n += k;
        sp->pos += k;
        if (sp->pos == x->len) {
            sp->cur++;
            sp->pos = 0;
        }
    }
    return (long)n;
}

/* ---------------------------------------------------------- request */

typedef struct rctx {
    store *s;
    const flags *f;
    char db[128];
    int type;
    prr_request req;
    matcher ***ms; /* per query; freed when the queries have run */
    size_t *nms;
    spool sp;
    uint64_t mem_counted; /* share of g_streams_mem this answer holds */
    uint64_t samples_total; /* of every query so far: --remote-read-sample-limit bounds the read */
    int64_t *ts;
    uint64_t *vals;
    size_t capv;
    uint64_t series, samples;
    prr_chunked_stats cst;
} rctx;

/* The request (x->req) lives in the request's arena, which may go before a
 * stream is released: nothing after the queries may touch it. */
static void drop_matchers(rctx *x)
{
    if (!x->ms) return;
    for (size_t i = 0; i < x->req.nqueries; i++) {
        if (!x->ms[i]) continue;
        for (size_t j = 0; j < x->nms[i]; j++) matcher_free(x->ms[i][j]);
        st_free(x->ms[i]);
    }
    st_free(x->ms);
    st_free(x->nms);
    x->ms = NULL;
    x->nms = NULL;
    memset(&x->req, 0, sizeof x->req);
}

static void rctx_free(rctx *x)
{
    drop_matchers(x);
    spool_free(&x->sp);
    st_free(x->ts);
    st_free(x->vals);
    st_free(x);
}

static void reject(http_resp *rs, int status, const char *msg)
{
    atomic_fetch_add(&st_rejected, 1);
    http_text(rs, status, "%s\n", msg);
    if (status == 503) http_set_header(rs, "Retry-After", "5");
}

/* Words for a body that did not decode, when the client's headers already
 * say it is not what remote_read reads. Prometheus ignores both headers
 * and reads snappy-compressed protobuf whatever they say; so do we. */
static void header_hint(http_req *rq, char *out, size_t cap)
{
    out[0] = 0;
    const char *ce = http_header(rq, "Content-Encoding");
    const char *ct = http_header(rq, "Content-Type");
    if (ce && *ce && prw_encoding_of(ce) != PRW_ENC_SNAPPY) {
        snprintf(out, cap, " (Content-Encoding \"%.100s\" is not supported: remote_read bodies are snappy, block format)",
                 ce);
    } else if (ct && *ct && strncasecmp(ct, "application/x-protobuf", 22) != 0) {
        snprintf(out, cap, " (Content-Type \"%.100s\": remote_read bodies are application/x-protobuf, snappy-compressed)",
                 ct);
    }
}

static int compile_matchers(rctx *x, st_err *e)
{
    x->ms = st_calloc(x->req.nqueries ? x->req.nqueries : 1, sizeof *x->ms);
    x->nms = st_calloc(x->req.nqueries ? x->req.nqueries : 1, sizeof *x->nms);
    for (size_t i = 0; i < x->req.nqueries; i++) {
        prr_query *q = &x->req.queries[i];
        x->ms[i] = st_calloc(q->nmatchers ? q->nmatchers : 1, sizeof **x->ms);
        for (size_t j = 0; j < q->nmatchers; j++) {
            prr_matcher *m = &q->matchers[j];
            if (m->type < PRR_EQ || m->type > PRR_NRE)
                return st_fail(e, ST_EINVAL,
                               "queries[%zu].matchers[%zu]: invalid matcher type %" PRId64 " (EQ=0, NEQ=1, RE=2, NRE=3)",
                               i, j, m->type);
            st_err me = {0};
            if (matcher_new((match_op)m->type, m->name, m->value, &x->ms[i][j], &me))
                return st_fail(e, ST_EINVAL, "queries[%zu].matchers[%zu] (label %.*s): %s", i, j,
                               (int)(m->name.n > 100 ? 100 : m->name.n), m->name.p, me.msg);
            x->nms[i]++;
        }
    }
    return 0;
}

/* Appends a batch of the store's samples (ns) to x->ts/x->vals as
 * Prometheus sees them: milliseconds, the later of two samples in one
 * millisecond winning (also across batches), floats bit for bit. n is the
 * series' count so far; returns the new one. */
static size_t add_ms(rctx *x, uint8_t type, const scan_batch *in, size_t n)
{
    if (x->capv < n + in->n) {
        x->capv = (n + in->n) * 2;
        x->ts = st_realloc(x->ts, x->capv * sizeof *x->ts);
        x->vals = st_realloc(x->vals, x->capv * sizeof *x->vals);
    }
    for (size_t i = 0; i < in->n; i++) {
        int64_t ns = in->ts[i];
        /* floor, also before 1970 */
        int64_t ms = ns >= 0 ? ns / ST_NS_PER_MS : -((-(ns + 1)) / ST_NS_PER_MS) - 1;
        uint64_t bits = in->vals[i];
        if (type != ST_VT_FLOAT) {
            double d = scan_value_double((st_vtype)type, bits);
            memcpy(&bits, &d, 8);
        }
        if (n && x->ts[n - 1] == ms) {
            x->vals[n - 1] = bits;
        } else {
            x->ts[n] = ms;
            x->vals[n++] = bits;
        }
    }
    return n;
}

static void ms_to_ns_range(int64_t s, int64_t e, int64_t *mint, int64_t *maxt)
{
    const int64_t lo = INT64_MIN / ST_NS_PER_MS, hi = INT64_MAX / ST_NS_PER_MS;
    *mint = s <= lo ? INT64_MIN : s > hi ? INT64_MAX : s * ST_NS_PER_MS;
    *maxt = e >= hi - 1 ? INT64_MAX : e < lo ? INT64_MIN : e * ST_NS_PER_MS + ST_NS_PER_MS - 1;
}

/* Runs query qi into the spool. ST_ELIMIT (a 400) past the sample limit. */
static int run_query(rctx *x, size_t qi, st_err *e)
{
    prr_query *q = &x->req.queries[qi];
    atomic_fetch_add(&st_queries, 1);
    /* Prometheus's index intersects the postings of no matcher: nothing */
    if (q->nmatchers == 0) return 0;
    int64_t mint, maxt;
    ms_to_ns_range(q->start_ms, q->end_ms, &mint, &maxt);
    if (mint > maxt) return 0;
    matcher *const *sel[1] = {x->ms[qi]};
    size_t nsel[1] = {q->nmatchers};
    scan_spec sp = {.db = x->db, .sel = sel, .nsel = nsel, .nselectors = 1, .mint = mint, .maxt = maxt,
                    .mode = SCAN_SAMPLES, .order = SCAN_ORDER_LABELS, .types = SCAN_TYPES_NUMERIC};
    scan *sc;
    int rc = scan_open(x->s, &sp, &sc, e);
    if (rc == ST_ENOTFOUND) return 0; /* no database: no series, like an unknown metric */
    if (rc) return rc;
    scan_iter *it;
    rc = scan_iter_open(sc, 0, SIZE_MAX, &it, e);
    /* the limit covers the whole read, whatever its type: per query, a request
     * repeating one query would multiply the answer (and a streamed one is
     * spooled to disk before it is sent) */
    uint64_t limit = x->f->remote_read_sample_limit;
    scan_series ss;
    while (rc == 0) {
        int more = scan_iter_next(it, &ss, e);
        if (more <= 0) {
            rc = more;
            break;
        }
        size_t n = 0;
        scan_batch b;
        while ((rc = scan_iter_batch(it, &b, e)) == 1) n = add_ms(x, (uint8_t)ss.type, &b, n);
        if (rc) break;
        x->samples_total += n;
        if (limit && x->samples_total > limit) {
            rc = st_fail(e, ST_ELIMIT,
                         "exceeded sample limit (%" PRIu64 "): the read selects more samples (query %zu passed it); "
                         "narrow its time ranges or matchers, or raise --remote-read-sample-limit",
                         limit, qi);
            break;
        }
        uint64_t off = spool_end(&x->sp);
        if (x->type == PRR_SAMPLES) {
            prr_put_timeseries(&x->sp.mem, ss.labels, ss.nlabels, x->ts, x->vals, n);
        } else {
            rc = prr_put_chunked_series(&x->sp.mem, (int64_t)qi, ss.labels, ss.nlabels, x->ts, x->vals, n,
                                        x->f->remote_read_frame_bytes, &x->cst, e);
            if (rc) break;
        }
        spool_add(&x->sp, (uint32_t)qi, off);
        x->series++;
        x->samples += n;
        rc = spool_flush(&x->sp, false, e);
    }
    scan_iter_close(it);
    scan_close(sc);
    return rc;
}

static long stream_read(void *arg, char *buf, size_t max) { return spool_read(&((rctx *)arg)->sp, buf, max); }

static void stream_done(void *arg)
{
    rctx *x = arg;
    atomic_fetch_sub(&g_streams_mem, x->mem_counted);
    atomic_fetch_sub(&st_streams, 1);
    rctx_free(x);
}

/* Answers a failed query: the sample limit and bad input are the client's
 * (400, as Prometheus answers them), the rest is storage (5xx). */
static void query_failed(http_resp *rs, int rc, const st_err *e)
{
    if (rc == ST_ELIMIT || rc == ST_EINVAL) {
        reject(rs, 400, e->msg);
        return;
    }
    reject(rs, api_status_of(rc) >= 500 ? api_status_of(rc) : 500, api_client_message(rc, e->msg));
}

static void answer_samples(rctx *x, http_resp *rs)
{
    st_err e = {0};
    for (size_t i = 0; i < x->req.nqueries; i++) {
        int rc = run_query(x, i, &e);
        if (rc) {
            query_failed(rs, rc, &e);
            return;
        }
    }
    spool *sp = &x->sp;
    st_buf body = {0};
    st_buf_reserve(&body, sp->mem.len + 16 * x->req.nqueries + 16);
    size_t k = 0;
    for (size_t i = 0; i < x->req.nqueries; i++) {
        size_t a = k, len = 0;
        while (k < sp->n && sp->ents[k].query == i) len += sp->ents[k++].len;
        prr_put_result_header(&body, len);
        for (size_t j = a; j < k; j++) st_buf_put(&body, sp->mem.p + sp->ents[j].off, sp->ents[j].len);
    }
    spool_free(sp); /* before compressing: peak memory is the body twice, not three times */
    int rc = prr_snappy_compress(body.p, body.len, &rs->body, &e);
    st_buf_free(&body);
    if (rc) {
        query_failed(rs, rc, &e);
        return;
    }
    atomic_fetch_add(&st_series, x->series);
    atomic_fetch_add(&st_samples, x->samples);
    rs->status = 200;
    rs->content_type = "application/x-protobuf";
    http_set_header(rs, "Content-Encoding", "snappy");
}

/* Returns true when the response streams (the stream then owns x). */
static bool answer_streamed(rctx *x, http_resp *rs)
{
    st_err e = {0};
    for (size_t i = 0; i < x->req.nqueries; i++) {
        int rc = run_query(x, i, &e);
        if (rc) {
            query_failed(rs, rc, &e);
            return false;
        }
    }
    drop_matchers(x);
    int rc = spool_flush(&x->sp, true, &e);
    if (rc) {
        query_failed(rs, rc, &e);
        return false;
    }
    spool *sp = &x->sp;
    /* Answers wait for slow clients outside the gate: all of them together
     * keep at most STREAMS_MEM in memory, the rest waits in files. */
    if (sp->fd < 0 && sp->mem.len) {
        uint64_t before = atomic_fetch_add(&g_streams_mem, sp->mem.len);
        if (before + sp->mem.len > STREAMS_MEM) {
            atomic_fetch_sub(&g_streams_mem, sp->mem.len);
            rc = spool_open_file(sp, &e);
            if (rc == 0) rc = spool_flush(sp, true, &e);
            if (rc) {
                query_failed(rs, rc, &e);
                return false;
            }
        } else {
            x->mem_counted = sp->mem.len;
        }
    }
    atomic_fetch_add(&st_streams, 1);
    atomic_fetch_add(&st_series, x->series);
    atomic_fetch_add(&st_samples, x->samples);
    atomic_fetch_add(&st_frames, x->cst.frames);
    atomic_fetch_add(&st_chunks, x->cst.chunks);
    rs->status = 200;
    rs->content_type = "application/x-streamed-protobuf; proto=prometheus.ChunkedReadResponse";
    rs->stream = stream_read;
    rs->stream_ctx = x;
    rs->stream_free = stream_done;
    return true;
}

void api_prr_read(api_server *sv, http_req *rq, http_resp *rs)
{
    store *s = sv->s;
    const flags *f = sv->f;
    if (strcmp(rq->method, "POST")) {
        reject(rs, 405, "remote_read needs POST");
        http_set_header(rs, "Allow", "POST");
        return;
    }
    unsigned limit = gate_limit(f);
    gate_rc g = gate_enter(f);
    if (g != GATE_IN) {
        char m[300];
        snprintf(m, sizeof m,
                 "too many concurrent remote reads: %u run (--remote-read-concurrency, at most half the HTTP "
                 "threads) and %s; try again later",
                 limit, g == GATE_BUSY ? "as many as may wait are waiting" : "this one waited --http-timeout");
        reject(rs, 503, m);
        return;
    }
    st_err e = {0};
    st_buf plain = {0};
    char hint[300];
    rctx *x = NULL;
    int rc = prw_decompress(PRW_ENC_SNAPPY, rq->body.p, rq->body.len, f->max_decoded_bytes, &plain, &e);
    if (rc) {
        header_hint(rq, hint, sizeof hint);
        char m[ST_ERR_MSG + 400];
        snprintf(m, sizeof m, "remote_read: %s%s", e.msg, rc == ST_ELIMIT ? "" : hint);
        reject(rs, rc == ST_ELIMIT ? 413 : 400, m);
        goto out;
    }
    x = st_calloc(1, sizeof *x);
    x->sp.fd = -1; /* spool_init comes once the type is known; until then nothing to close */
    x->s = s;
    x->f = f;
    snprintf(x->db, sizeof x->db, "%s", rq->db);
    rc = prr_decode_request(plain.p, plain.len, rq->arena, &x->req, &e);
    if (rc) {
        header_hint(rq, hint, sizeof hint);
        char m[ST_ERR_MSG + 400];
        snprintf(m, sizeof m, "%s%s", e.msg, hint);
        reject(rs, 400, m);
        goto out;
    }
    if (prr_negotiate(&x->req, &x->type, &e)) {
        reject(rs, 400, e.msg);
        goto out;
    }
    if (compile_matchers(x, &e)) {
        reject(rs, 400, e.msg);
        goto out;
    }
    atomic_fetch_add(x->type == PRR_SAMPLES ? &st_req_samples : &st_req_streamed, 1);
    spool_init(&x->sp, x->type == PRR_STREAMED_XOR_CHUNKS, store_vfs(s), f->data_dir);
    if (x->type == PRR_SAMPLES) {
        answer_samples(x, rs);
    } else if (answer_streamed(x, rs)) {
        x = NULL; /* the stream owns it now */
    }
out:
    st_buf_free(&plain);
    if (x) rctx_free(x);
    gate_leave(limit);
}
