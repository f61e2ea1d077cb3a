/* influx: POST /write and POST /api/v2/write. Contract: influx.h.
 *
 * Per request: check the parameters as InfluxDB does (db first), gunzip
 * under --max-decoded-size, resolve the database (create it when allowed),
 * map the lines into one batch with import_line_ex (parsed in place: names
 * and values point into the body; known series through the cache below),
 * and hand the batch to store_write. Bad lines are dropped from the batch,
 * never the request: InfluxDB's partial write.
 *
 * A batch holds one type per series, while InfluxDB checks each point, in
 * order, against the type stored by then. So a line whose field type
 * differs from an earlier line's for the same series is deferred
 * (import_line_opts.defer) and written in a next round, after the first
 * batch: the store then refuses it or not, as InfluxDB would. Each round
 * removes at least one type per series: at most five rounds, and in
 * practice one.
 *
 * Where Strata answers otherwise than InfluxDB 1.6, on purpose (each is a
 * case of compat-tests/test_influx_write.py, checked against a real 1.6):
 *  - unsigned fields (12u) are stored; 1.6 refuses them;
 *  - precision us means microseconds and an unknown precision is a 400;
 *    1.6 reads both (and ns) as nanoseconds;
 *  - the store keeps a type per series, not per measurement and shard, and
 *    refuses the conflicting field value, not the whole point: the line's
 *    other fields are stored;
 *  - dropped=N counts the refused lines and field values (1.6 says
 *    dropped=0 for lines that do not parse);
 *  - an unknown rp is accepted (one retention per database);
 *  - a Content-Encoding other than gzip/identity is a 415 (1.6 ignores the
 *    header and parses the compressed bytes);
 *  - invalid UTF-8 in a tag or string value, and a tag named __name__, are
 *    refused; 1.6 stores them;
 *  - timestamps past now + --future-limit are refused (the store's rule).
 * Line protocol details (escapes, CRLF) are wire/lp.h's.
 */
#include "influx.h"

#include <inttypes.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "api.h"
#include "catalog.h"
#include "json.h"

/* ------------------------------------------------------------ stats */

static _Atomic uint64_t st_cache_hits, st_cache_misses;
static _Atomic int64_t st_cache_entries, st_cache_bytes;
static _Atomic uint64_t st_requests[2], st_failed[2], st_bytes, st_lines, st_rejected[IMPORT_REJ_N],
    st_written, st_samples_rejected;

void influx_get_stats(influx_stats *o)
{
    memset(o, 0, sizeof *o);
    for (int i = 0; i < 2; i++) {
        o->requests[i] = atomic_load(&st_requests[i]);
        o->requests_failed[i] = atomic_load(&st_failed[i]);
    }
    o->bytes = atomic_load(&st_bytes);
    o->lines = atomic_load(&st_lines);
    for (int i = 0; i < IMPORT_REJ_N; i++) o->lines_rejected[i] = atomic_load(&st_rejected[i]);
    o->samples_written = atomic_load(&st_written);
    o->samples_rejected = atomic_load(&st_samples_rejected);
    o->cache_hits = atomic_load(&st_cache_hits);
    o->cache_misses = atomic_load(&st_cache_misses);
    int64_t n = atomic_load(&st_cache_entries), b = atomic_load(&st_cache_bytes);
    o->cache_entries = n > 0 ? (uint64_t)n : 0;
    o->cache_bytes = b > 0 ? (uint64_t)b : 0;
}

/* ------------------------------------------------------------ cache */

/* The series cache (import_cache): a line's written key and field key to
 * the canonical key. Entries are compared byte for byte, so a hash
 * collision costs a miss, never a wrong series. 64 shards, each a mutex
 * and two generations of an open-addressing table: new entries go into
 * the current one, a hit in the old one is copied over, and when the
 * current one passes its share of CACHE_BYTES the old one is freed and the
 * current one becomes old. Memory stays under about twice CACHE_BYTES and
 * series still written survive the rotation. */
#define CACHE_SHARDS 64
#define CACHE_BYTES (128ull << 20)

typedef struct centry {
    uint64_t h, keyhash;
    uint32_t wlen, flen, klen;
    uint8_t data[]; /* written key, field key, canonical key */
} centry;

typedef struct ctab {
    centry **slots;
    size_t cap, n, bytes;
} ctab;

typedef struct cshard {
    pthread_mutex_t mu;
    ctab cur, old;
    char pad[64]; /* keep neighbouring shards' locks off one cache line */
} cshard;

static cshard g_shards[CACHE_SHARDS];
static pthread_once_t g_once = PTHREAD_ONCE_INIT;

static void cache_init(void)
{
    for (int i = 0; i < CACHE_SHARDS; i++) pthread_mutex_init(&g_shards[i].mu, NULL);
}

static size_t centry_size(const centry *c) { return sizeof *c + c->wlen + c->flen + c->klen; }

static centry *tab_find(const ctab *t, uint64_t h, st_slice w, st_slice f)
{
    if (!t->cap) return NULL;
    for (size_t j = h & (t->cap - 1);; j = (j + 1) & (t->cap - 1)) {
        centry *c = t->slots[j];
        if (!c) return NULL;
        if (c->h == h && c->wlen == w.n && c->flen == f.n && memcmp(c->data, w.p, w.n) == 0 &&
            memcmp(c->data + w.n, f.p, f.n) == 0)
            return c;
    }
}

static void tab_put(ctab *t, centry *c)
{
    if ((t->n + 1) * 2 > t->cap) {
        size_t cap = t->cap ? t->cap * 2 : 64;
        centry **s = st_calloc(cap, sizeof *s);
        for (size_t i = 0; i < t->cap; i++) {
            centry *x = t->slots[i];
            if (!x) continue;
            size_t j = x->h & (cap - 1);
            while (s[j]) j = (j + 1) & (cap - 1);
            s[j] = x;
        }
        st_free(t->slots);
        t->slots = s;
        t->cap = cap;
    }
    size_t j = c->h & (t->cap - 1);
    while (t->slots[j]) j = (j + 1) & (t->cap - 1);
    t->slots[j] = c;
    t->n++;
    t->bytes += centry_size(c);
    atomic_fetch_add(&st_cache_entries, 1);
    atomic_fetch_add(&st_cache_bytes, (int64_t)centry_size(c));
}

static void tab_free(ctab *t)
{
    for (size_t i = 0; i < t->cap; i++) {
        centry *c = t->slots[i];
        if (!c) continue;
        atomic_fetch_sub(&st_cache_entries, 1);
        atomic_fetch_sub(&st_cache_bytes, (int64_t)centry_size(c));
        st_free(c);
    }
    st_free(t->slots);
    memset(t, 0, sizeof *t);
}

static centry *centry_new(uint64_t h, st_slice w, st_slice f, const uint8_t *key, size_t klen,
                          uint64_t keyhash)
{
    centry *c = st_malloc(sizeof *c + w.n + f.n + klen);
    c->h = h;
    c->keyhash = keyhash;
    c->wlen = (uint32_t)w.n;
    c->flen = (uint32_t)f.n;
    c->klen = (uint32_t)klen;
    memcpy(c->data, w.p, w.n);
    memcpy(c->data + w.n, f.p, f.n);
    memcpy(c->data + w.n + f.n, key, klen);
    return c;
}

/* Into the current generation, rotating when it is over its share. */
static void shard_put(cshard *sh, centry *c)
{
    tab_put(&sh->cur, c);
    if (sh->cur.bytes > CACHE_BYTES / (2 * CACHE_SHARDS)) {
        tab_free(&sh->old);
        sh->old = sh->cur;
        memset(&sh->cur, 0, sizeof sh->cur);
    }
}

static int cache_add(void *ctx, uint64_t h, st_slice w, st_slice f, series_meta meta, store_batch *b,
                     uint32_t *handle, int *rc, st_err *e)
{
    (void)ctx;
    cshard *sh = &g_shards[h >> 58];
    pthread_mutex_lock(&sh->mu);
    centry *c = tab_find(&sh->cur, h, w, f);
    if (!c && (c = tab_find(&sh->old, h, w, f)) != NULL) {
        /* still written: carry it into the current generation */
        c = centry_new(h, w, f, c->data + c->wlen + c->flen, c->klen, c->keyhash);
        shard_put(sh, c);
    }
    /* under the lock: a rotation may free the entry once it is released */
    if (c) *rc = store_batch_series_key(b, c->data + c->wlen + c->flen, c->klen, c->keyhash, meta, handle, e);
    pthread_mutex_unlock(&sh->mu);
    atomic_fetch_add(c ? &st_cache_hits : &st_cache_misses, 1);
    return c != NULL;
}

static void cache_put(void *ctx, uint64_t h, st_slice w, st_slice f, const uint8_t *key, size_t klen,
                      uint64_t keyhash)
{
    (void)ctx;
    if (w.n > UINT32_MAX || f.n > UINT32_MAX || klen > UINT32_MAX) return;
    centry *c = centry_new(h, w, f, key, klen, keyhash);
    cshard *sh = &g_shards[h >> 58];
    pthread_mutex_lock(&sh->mu);
    if (tab_find(&sh->cur, h, w, f)) { /* another request was first */
        pthread_mutex_unlock(&sh->mu);
        st_free(c);
        return;
    }
    shard_put(sh, c);
    pthread_mutex_unlock(&sh->mu);
}

static const import_cache g_cache = {.add = cache_add, .put = cache_put};

/* ---------------------------------------------------------- answers */

/* 2.x's error codes (its errors.E* constants) by status. */
static const char *v2_code(int status)
{
    switch (status) {
    case 400: return "invalid";
    case 404: return "not found";
    case 405: return "method not allowed";
    case 413: return "request too large";
    case 415: return "unsupported media type";
    case 429: return "too many requests";
    case 503: return "unavailable";
    default: return "internal error";
    }
}

static void fail(http_resp *rs, influx_api api, int status, const char *msg)
{
    atomic_fetch_add(&st_failed[api], 1);
    rs->status = status;
    rs->content_type = "application/json";
    rs->body.len = 0;
    /* Go's encoding/json escaping (< > & too), as InfluxDB's bodies have it */
    if (api == INFLUX_V1) {
        st_buf_put(&rs->body, "{\"error\":", 9);
        json_str_ex(&rs->body, msg, strlen(msg), JSON_ESC_HTML);
        st_buf_put(&rs->body, "}\n", 2);
        /* a header value must not hold line breaks; http_set_header cuts it */
        char h[128];
        size_t n = 0;
        for (; msg[n] && n < sizeof h - 1; n++) h[n] = (unsigned char)msg[n] < 0x20 ? ' ' : msg[n];
        h[n] = 0;
        http_set_header(rs, "X-Influxdb-Error", h);
    } else {
        st_buf_printf(&rs->body, "{\"code\":\"%s\",\"message\":", v2_code(status));
        json_str_ex(&rs->body, msg, strlen(msg), JSON_ESC_HTML);
        st_buf_put(&rs->body, "}\n", 2);
    }
}

static void failf(http_resp *rs, influx_api api, int status, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static void failf(http_resp *rs, influx_api api, int status, const char *fmt, ...)
{
    char msg[ST_ERR_MSG + 128];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    fail(rs, api, status, msg);
}

/* A storage failure: nothing of the request is acknowledged. Limits are
 * worth retrying; 1.x Telegraf retries only 5xx. */
static void fail_storage(http_resp *rs, influx_api api, int code, const char *msg)
{
    if (code == ST_EFATAL) {
        /* api_error raises the process-wide flag that stops the server;
         * its body and headers are replaced below */
        int nh = rs->nheaders;
        api_error(rs, code, msg);
        rs->nheaders = nh;
    }
    const char *retry = NULL;
    int status;
    switch (code) {
    case ST_ELIMIT: status = api == INFLUX_V1 ? 503 : 429; retry = "5"; break;
    case ST_ENOSPC: status = 503; retry = "30"; break;
    case ST_ECLOSED: status = 503; retry = "5"; break;
    case ST_ENOTFOUND: status = 404; break;
    default: status = 500; break;
    }
    if (retry) http_set_header(rs, "Retry-After", retry);
    fail(rs, api, status, msg);
}

/* ---------------------------------------------------------- handler */

#define MAX_REASONS 10

/* The refused lines' messages, as the answer will show them. */
typedef struct reasons {
    st_buf text;
    uint64_t shown, more;
} reasons;

static void on_reject(void *ctx, size_t lineno, import_reject why, int code, const char *msg)
{
    (void)why;
    (void)code;
    reasons *r = ctx;
    if (r->shown == MAX_REASONS) {
        r->more++;
        return;
    }
    if (r->shown++) st_buf_putc(&r->text, '\n');
    st_buf_printf(&r->text, "%s (line %zu)", msg, lineno);
}

/* What writing a body came to, over its rounds. */
typedef struct outcome {
    uint64_t lines, lines_bad, rejected[IMPORT_REJ_N];
    uint64_t accepted, refused; /* field values, by the store */
    int first_code;             /* of the store's first refusal */
    char first_error[256];
    int fail_code;              /* storage failure or head memory limit: stop */
    char fail_msg[ST_ERR_MSG];
} outcome;

static void add_stats(outcome *out, const import_stats *st)
{
    out->lines_bad += st->lines_bad;
    for (int i = 0; i < IMPORT_REJ_N; i++) out->rejected[i] += st->rejected[i];
}

static void write_round(store *s, const char *db, store_batch *b, outcome *out)
{
    if (!store_batch_samples(b)) return;
    store_write_result wr;
    st_err e = {0};
    int rc = store_write(s, db, b, &wr, &e);
    out->accepted += wr.accepted;
    out->refused += wr.rejected;
    if (wr.rejected && !out->first_code) {
        out->first_code = wr.first_code;
        snprintf(out->first_error, sizeof out->first_error, "%s", wr.first_error);
    }
    /* refusals of single values come with rc = the first one's code; any
     * other code means the batch was not written */
    bool refusals = wr.rejected && rc == wr.first_code;
    if (rc && !refusals) {
        out->fail_code = rc;
        snprintf(out->fail_msg, sizeof out->fail_msg, "%s", e.msg);
    }
}

/* v1: n ns u us ms s m h (lp_precision_parse); v2: ns us ms s. */
static bool precision_of(influx_api api, const char *p, lp_precision *out)
{
    *out = LP_NS;
    if (!p || !*p) return true;
    if (api == INFLUX_V2 && strcmp(p, "ns") && strcmp(p, "us") && strcmp(p, "ms") && strcmp(p, "s"))
        return false;
    return lp_precision_parse(p, out);
}

/* The database exists afterwards, or rs holds the answer. The rules of
 * api_db_for_write, with InfluxDB's bodies. */
static int resolve_db(http_resp *rs, influx_api api, store *s, const flags *f, const char *db)
{
    st_err e = {0};
    if (catalog_name_valid(db, strlen(db), &e) != 0) {
        fail(rs, api, 400, e.msg);
        return -1;
    }
    if (store_db_exists(s, db)) return 0;
    if (!f->auto_create_db) {
        if (api == INFLUX_V1) failf(rs, api, 404, "database not found: \"%s\"", db);
        else failf(rs, api, 404, "bucket \"%s\" not found", db);
        return -1;
    }
    int rc = store_db_create(s, db, -1, -1, &e);
    if (rc && rc != ST_EEXIST) {
        fail_storage(rs, api, rc, e.msg);
        return -1;
    }
    return 0;
}

void api_influx_write(http_req *rq, http_resp *rs, store *s, const flags *f, influx_api api)
{
    atomic_fetch_add(&st_requests[api], 1);
    http_set_header(rs, "X-Influxdb-Version", INFLUX_COMPAT_VERSION);
    http_set_header(rs, "X-Influxdb-Build", "OSS");
    if (strcmp(rq->method, "POST")) {
        failf(rs, api, 405, "method %s not allowed: writes use POST", rq->method);
        return;
    }

    /* parameters, in the order InfluxDB checks them */
    const char *db;
    if (api == INFLUX_V1) {
        const char *arg = http_arg(rq, "db");
        if (!rq->db_in_path && (!arg || !*arg)) {
            fail(rs, api, 400, "database is required");
            return;
        }
        db = rq->db;
        const char *c = http_arg(rq, "consistency");
        if (c && *c && strcmp(c, "any") && strcmp(c, "one") && strcmp(c, "quorum") && strcmp(c, "all")) {
            fail(rs, api, 400, "invalid consistency level");
            return;
        }
    } else {
        db = http_arg(rq, "bucket");
        if (!db || !*db) {
            fail(rs, api, 400, "bucket is required");
            return;
        }
    }
    lp_precision prec;
    const char *p = http_arg(rq, "precision");
    if (!precision_of(api, p, &prec)) {
        if (api == INFLUX_V1)
            failf(rs, api, 400, "invalid precision \"%.64s\" (n, ns, u, us, ms, s, m, h)", p);
        else
            fail(rs, api, 400, "invalid precision; valid precision units are ns, us, ms, and s");
        return;
    }

    /* the body */
    st_err e = {0};
    const st_buf *body = &rq->body;
    st_buf plain = {0};
    const char *enc = http_header(rq, "Content-Encoding");
    if (enc && *enc && strcasecmp(enc, "identity")) {
        if (strcasecmp(enc, "gzip") && strcasecmp(enc, "x-gzip")) {
            failf(rs, api, 415, "unsupported Content-Encoding \"%.64s\": use gzip or identity", enc);
            return;
        }
        int rc = import_gunzip(rq->body.p, rq->body.len, f->max_decoded_bytes, &plain, &e);
        if (rc) {
            st_buf_free(&plain);
            if (rc == ST_ELIMIT) failf(rs, api, 413, "Request Entity Too Large: %s", e.msg);
            else fail(rs, api, 400, e.msg);
            return;
        }
        body = &plain;
    }
    atomic_fetch_add(&st_bytes, body->len);
    if (resolve_db(rs, api, s, f, db) != 0) {
        st_buf_free(&plain);
        return;
    }

    /* lines into one batch, then one write; lines deferred for a type
     * conflict inside the body in more rounds (import_line_opts.defer) */
    reasons why = {0};
    outcome out = {0};
    import_spans later = {0}, cur = {0};
    pthread_once(&g_once, cache_init);
    import_line_opts o = {.precision = prec, .now_ns = st_now_ns(), .influx = true,
                          .on_reject = on_reject, .ctx = &why, .defer = &later, .cache = &g_cache};
    store_batch *b = store_batch_new();
    import_stats st;
    import_line_ex((const char *)body->p, body->len, &o, b, &st, NULL);
    out.lines = st.lines;
    add_stats(&out, &st);
    write_round(s, db, b, &out);
    while (later.n && !out.fail_code) {
        import_spans t = cur;
        cur = later;
        later = t;
        later.n = 0;
        store_batch_reset(b);
        for (size_t i = 0; i < cur.n; i++) {
            import_span sp = cur.v[i];
            size_t before = later.n;
            o.first_lineno = sp.lineno;
            import_line_ex((const char *)body->p + sp.off, sp.len, &o, b, &st, NULL);
            for (size_t j = before; j < later.n; j++) later.v[j].off += sp.off;
            add_stats(&out, &st);
        }
        write_round(s, db, b, &out);
    }
    store_batch_free(b);
    st_free(later.v);
    st_free(cur.v);
    st_buf_free(&plain);
    atomic_fetch_add(&st_lines, out.lines);
    for (int i = 0; i < IMPORT_REJ_N; i++) atomic_fetch_add(&st_rejected[i], out.rejected[i]);
    atomic_fetch_add(&st_written, out.accepted);
    atomic_fetch_add(&st_samples_rejected, out.refused);

    /* A limit (before the write: head memory; or for some series:
     * --max-series) is retried by the sender; re-sent values are no-ops.
     * The body names the limit alone: Telegraf drops a batch whose answer
     * mentions a partial write or a parse error, whatever the status. */
    if (!out.fail_code && out.first_code == ST_ELIMIT) {
        out.fail_code = ST_ELIMIT;
        snprintf(out.fail_msg, sizeof out.fail_msg, "%s", out.first_error);
    }
    if (out.fail_code) {
        st_buf_free(&why.text);
        fail_storage(rs, api, out.fail_code, out.fail_msg);
        return;
    }
    if (!out.lines_bad && !out.refused) {
        st_buf_free(&why.text);
        rs->status = 204;
        return;
    }
    st_buf msg = {0};
    /* no line parsed: InfluxDB answers the parse errors alone */
    bool none = out.rejected[IMPORT_REJ_SYNTAX] + out.rejected[IMPORT_REJ_RANGE] == out.lines;
    if (!none) st_buf_put(&msg, "partial write: ", 15);
    st_buf_put(&msg, why.text.p, why.text.len);
    if (why.more) st_buf_printf(&msg, "\n(and %" PRIu64 " more lines)", why.more);
    if (out.refused) {
        if (why.text.len) st_buf_putc(&msg, '\n');
        st_buf_printf(&msg, "%s", out.first_error);
        if (out.refused > 1) st_buf_printf(&msg, " (and %" PRIu64 " more field values)", out.refused - 1);
    }
    if (!none) st_buf_printf(&msg, " dropped=%" PRIu64, out.lines_bad + out.refused);
    st_buf_putc(&msg, 0);
    fail(rs, api, 400, (const char *)msg.p);
    st_buf_free(&msg);
    st_buf_free(&why.text);
}
