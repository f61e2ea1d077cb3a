/* prw (server side): the remote_write handler and its series cache.
 * Contract and status codes: prw.h. Decoding: wire/prw.h.
 *
 * Per request: negotiate (Content-Type -> 1.0/2.0, Content-Encoding), 
 * decompress under --max-decoded-size, decode in place (label slices point
 * into the decompressed buffer; scratch comes from the request's arena),
 * and for each series find its canonical key through the cache, add its
 * samples to one batch, and hand the batch to store_write once the whole
 * body has decoded cleanly (a malformed body is rejected whole, nothing
 * written).
 *
 * The series cache maps the raw label identity of a series as a sender
 * spells it (labels in received order, each as uvarint(len) name
 * uvarint(len) value: length prefixes keep "ab"+"c" apart from "a"+"bc")
 * to its canonical key, that key's st_hash64 and its table length. A hit
 * skips canonicalisation (sorting, UTF-8 and duplicate checks) and the key
 * build. Entries are compared byte for byte, so a 64-bit hash collision
 * costs a miss, never a wrong series. Only label sets that canonicalised
 * cleanly are cached.
 *
 * Concurrency and bounds: 64 shards, each a mutex and two generations of
 * an open-addressing table. New entries go into the current generation; a
 * hit in the old one moves the entry over. When the current generation of
 * a shard passes its share of the byte limit, the old generation is freed
 * and the current one becomes old: memory stays under about twice the
 * limit's share per shard, and series that are still written survive the
 * rotation (the scheme VictoriaMetrics's workingsetcache uses, written here
 * from scratch).
 */
#include "prw.h"
#include "metadata.h"

#include <inttypes.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>

#include "api.h"
#include "bits.h"
#include "labels.h"
#include "wire/prw.h"

/* ------------------------------------------------------------ stats */

static _Atomic uint64_t st_req_v1, st_req_v2, st_req_rejected, st_samples_received, st_samples_written,
    st_series_rejected, st_series_over_limit, st_exemplars_dropped, st_histograms_dropped, st_metadata_received, st_cache_hits,
    st_cache_misses;
static _Atomic int64_t st_cache_entries, st_cache_bytes;

/* ------------------------------------------------------------ cache */

#define CACHE_SHARDS 64
#define TOMB ((centry *)1)

typedef struct centry {
    uint64_t h;       /* st_hash64 of raw */
    uint64_t keyhash; /* st_hash64(key, seed 0), as store_batch_series_key wants */
    uint32_t rawlen, keylen;
    uint16_t table_len;
    uint8_t data[];   /* raw, then key */
} centry;

typedef struct ctab {
    centry **slots;
    size_t cap, n, tombs;
    size_t bytes;
} ctab;

typedef struct cshard {
    pthread_mutex_t mu;
    ctab cur, old;
    char pad[64]; /* keep neighbouring shards' locks off one cache line */
} cshard;

static cshard g_shards[CACHE_SHARDS];
static pthread_once_t g_once = PTHREAD_ONCE_INIT;
static _Atomic uint64_t g_limit = 128ull << 20;

static void cache_init(void)
{
    for (int i = 0; i < CACHE_SHARDS; i++) pthread_mutex_init(&g_shards[i].mu, NULL);
}

void prw_cache_set_limit(uint64_t bytes) { atomic_store(&g_limit, bytes); }

static size_t centry_size(const centry *c) { return sizeof *c + c->rawlen + c->keylen; }

static size_t tab_find(const ctab *t, uint64_t h, const uint8_t *raw, size_t rawlen)
{
    if (!t->cap) return SIZE_MAX;
    size_t j = h & (t->cap - 1);
    for (centry *c; (c = t->slots[j]); j = (j + 1) & (t->cap - 1))
        if (c != TOMB && c->h == h && c->rawlen == rawlen && memcmp(c->data, raw, rawlen) == 0) return j;
    return SIZE_MAX;
}

static void tab_put(ctab *t, centry *c)
{
    if ((t->n + t->tombs + 1) * 2 > t->cap) {
        size_t nc = t->cap ? t->cap : 64;
        while ((t->n + 1) * 2 > nc) nc *= 2;
        if (nc == t->cap && t->tombs == 0) nc *= 2;
        centry **s = st_calloc(nc, sizeof *s);
        for (size_t i = 0; i < t->cap; i++) {
            centry *x = t->slots[i];
            if (!x || x == TOMB) continue;
            size_t j = x->h & (nc - 1);
            while (s[j]) j = (j + 1) & (nc - 1);
            s[j] = x;
        }
        st_free(t->slots);
        t->slots = s;
        t->cap = nc;
        t->tombs = 0;
    }
    size_t j = c->h & (t->cap - 1);
    while (t->slots[j] && t->slots[j] != TOMB) j = (j + 1) & (t->cap - 1);
    if (t->slots[j] == TOMB) t->tombs--;
    t->slots[j] = c;
    t->n++;
    t->bytes += centry_size(c);
}

static void tab_free(ctab *t)
{
    for (size_t i = 0; i < t->cap; i++) {
        centry *c = t->slots[i];
        if (c && c != TOMB) {
            atomic_fetch_sub(&st_cache_entries, 1);
            atomic_fetch_sub(&st_cache_bytes, (int64_t)centry_size(c));
            st_free(c);
        }
    }
    st_free(t->slots);
    memset(t, 0, sizeof *t);
}

/* Rotates the shard's generations when the current one is over its share. */
static void shard_maybe_rotate(cshard *sh)
{
    uint64_t share = atomic_load(&g_limit) / (2 * CACHE_SHARDS);
    if (sh->cur.bytes <= share) return;
    tab_free(&sh->old);
    sh->old = sh->cur;
    memset(&sh->cur, 0, sizeof sh->cur);
}

/* Looks raw up; on a hit adds the series to b by its cached key (under the
 * shard lock: the entry may be freed by a rotation once it is released).
 * Returns 1 on a hit (rc in *rc), 0 on a miss. */
static int cache_add_series(uint64_t h, const uint8_t *raw, size_t rawlen, store_batch *b, uint32_t *handle,
                            int *rc, st_err *e)
{
    cshard *sh = &g_shards[h >> 58];
    pthread_mutex_lock(&sh->mu);
    centry *c = NULL;
    size_t j = tab_find(&sh->cur, h, raw, rawlen);
    if (j != SIZE_MAX) {
        c = sh->cur.slots[j];
    } else if ((j = tab_find(&sh->old, h, raw, rawlen)) != SIZE_MAX) {
        /* still in use: move it to the current generation */
        c = sh->old.slots[j];
        sh->old.slots[j] = TOMB;
        sh->old.n--;
        sh->old.tombs++;
        sh->old.bytes -= centry_size(c);
        tab_put(&sh->cur, c);
        shard_maybe_rotate(sh);
    }
    if (c) {
        series_meta meta = {.type = ST_VT_FLOAT, .table_len = c->table_len};
        *rc = store_batch_series_key(b, c->data + c->rawlen, c->keylen, c->keyhash, meta, handle, e);
    }
    pthread_mutex_unlock(&sh->mu);
    return c != NULL;
}

static void cache_insert(uint64_t h, const uint8_t *raw, size_t rawlen, const uint8_t *key, size_t keylen,
                         uint64_t keyhash, uint16_t table_len)
{
    if (rawlen > UINT32_MAX || keylen > UINT32_MAX) return;
    centry *c = st_malloc(sizeof *c + rawlen + keylen);
    c->h = h;
    c->keyhash = keyhash;
    c->rawlen = (uint32_t)rawlen;
    c->keylen = (uint32_t)keylen;
    c->table_len = table_len;
    memcpy(c->data, raw, rawlen);
    memcpy(c->data + rawlen, key, keylen);
    cshard *sh = &g_shards[h >> 58];
    pthread_mutex_lock(&sh->mu);
    if (tab_find(&sh->cur, h, raw, rawlen) != SIZE_MAX) { /* another request was first */
        pthread_mutex_unlock(&sh->mu);
        st_free(c);
        return;
    }
    tab_put(&sh->cur, c);
    atomic_fetch_add(&st_cache_entries, 1);
    atomic_fetch_add(&st_cache_bytes, (int64_t)centry_size(c));
    shard_maybe_rotate(sh);
    pthread_mutex_unlock(&sh->mu);
}

/* ---------------------------------------------------------- handler */

/* ms timestamps that fit in int64 nanoseconds */
#define MS_MAX (INT64_MAX / ST_NS_PER_MS)
#define MS_MIN (INT64_MIN / ST_NS_PER_MS)

typedef struct wctx {
    const char *db;
    const flags *f;
    store_batch *b;
    st_buf raw;
    uint64_t series_bad, samples_bad, samples_added;
    char first_bad[ST_ERR_MSG];
} wctx;

static void note_bad(wctx *w, const label *ls, size_t n, const char *why)
{
    w->series_bad++;
    if (w->series_bad > 1) return;
    st_buf name = {0};
    labels_format(ls, n, &name);
    snprintf(w->first_bad, sizeof w->first_bad, "series %.*s: %s", (int)(name.len > 200 ? 200 : name.len),
             (const char *)name.p, why);
    st_buf_free(&name);
}

/* The per-series limits, checked on the labels as received (before empty
 * values are dropped), so that a sender learns about them however it spells
 * its series. A series within them stays within them, so cache hits need no
 * second check. */
static bool over_limits(wctx *w, const prw_series *s)
{
    const flags *f = w->f;
    char why[160];
    if (s->nlabels > f->max_labels_per_series) {
        snprintf(why, sizeof why, "%zu labels, more than --max-labels-per-series=%u", s->nlabels,
                 f->max_labels_per_series);
        goto bad;
    }
    for (size_t i = 0; i < s->nlabels; i++) {
        const label *l = &s->labels[i];
        if (l->name.n > f->max_label_name_len) {
            snprintf(why, sizeof why, "label name of %zu bytes, more than --max-label-name-length=%u", l->name.n,
                     f->max_label_name_len);
            goto bad;
        }
        if (l->value.n > f->max_label_value_len) {
            snprintf(why, sizeof why, "label %.*s has a value of %zu bytes, more than --max-label-value-length=%u",
                     (int)(l->name.n > 64 ? 64 : l->name.n), (const char *)l->name.p, l->value.n,
                     f->max_label_value_len);
            goto bad;
        }
    }
    return false;
bad:;
    /* name the series by its metric name only: its labels are what is too big */
    st_slice name = {0};
    for (size_t i = 0; i < s->nlabels; i++)
        if (s->labels[i].name.n == 8 && memcmp(s->labels[i].name.p, LABEL_METRIC_NAME, 8) == 0)
            name = s->labels[i].value;
    atomic_fetch_add(&st_series_over_limit, 1);
    w->series_bad++;
    w->samples_bad += s->nsamples;
    if (w->series_bad == 1)
        snprintf(w->first_bad, sizeof w->first_bad, "series %zu (%.*s): %s", s->index,
                 (int)(name.n > 200 ? 200 : name.n), name.n ? (const char *)name.p : "", why);
    return true;
}

static int on_series(void *ctx, prw_series *s, st_err *e)
{
    wctx *w = ctx;
    if (w->f->max_series_per_request && s->index >= w->f->max_series_per_request)
        return st_fail(e, ST_ELIMIT, "request has more than %" PRIu64 " series (--max-series-per-request)",
                       w->f->max_series_per_request);
    if (over_limits(w, s)) return 0;
    /* the raw identity, before canonicalisation reorders the labels */
    w->raw.len = 0;
    size_t need = 0;
    st_slice name = {0};
    for (size_t i = 0; i < s->nlabels; i++) {
        need += 20 + s->labels[i].name.n + s->labels[i].value.n;
        if (s->labels[i].name.n == 8 && memcmp(s->labels[i].name.p, LABEL_METRIC_NAME, 8) == 0)
            name = s->labels[i].value;
    }
    st_buf_reserve(&w->raw, need);
    uint8_t *p = w->raw.p;
    for (size_t i = 0; i < s->nlabels; i++) {
        p += varint_put(p, s->labels[i].name.n);
        if (s->labels[i].name.n) memcpy(p, s->labels[i].name.p, s->labels[i].name.n);
        p += s->labels[i].name.n;
        p += varint_put(p, s->labels[i].value.n);
        if (s->labels[i].value.n) memcpy(p, s->labels[i].value.p, s->labels[i].value.n);
        p += s->labels[i].value.n;
    }
    w->raw.len = (size_t)(p - w->raw.p);
    if (name.n > UINT16_MAX) {
        note_bad(w, s->labels, s->nlabels, "metric name longer than 65535 bytes");
        w->samples_bad += s->nsamples;
        return 0;
    }
    uint64_t h = st_hash64(w->raw.p, w->raw.len, 0x70727721);
    uint32_t handle;
    int rc = 0;
    st_err le = {0};
    if (cache_add_series(h, w->raw.p, w->raw.len, w->b, &handle, &rc, &le)) {
        atomic_fetch_add(&st_cache_hits, 1);
    } else {
        atomic_fetch_add(&st_cache_misses, 1);
        series_meta meta = {.type = ST_VT_FLOAT, .table_len = (uint16_t)name.n};
        rc = store_batch_series(w->b, s->labels, s->nlabels, meta, &handle, &le);
        if (rc == 0) {
            const uint8_t *key;
            size_t kl;
            uint64_t kh;
            store_batch_key(w->b, handle, &key, &kl, &kh);
            cache_insert(h, w->raw.p, w->raw.len, key, kl, kh, meta.table_len);
        }
    }
    if (rc) {
        note_bad(w, s->labels, s->nlabels, le.msg);
        w->samples_bad += s->nsamples;
        return 0;
    }
    bool bad_ts = false;
    for (size_t i = 0; i < s->nsamples; i++) {
        int64_t ms = s->samples[i].ts_ms;
        if (ms > MS_MAX || ms < MS_MIN) {
            w->samples_bad++;
            if (!bad_ts) {
                char why[96];
                snprintf(why, sizeof why, "timestamp %" PRId64 " ms is out of range", ms);
                note_bad(w, s->labels, s->nlabels, why);
                bad_ts = true;
            }
            continue;
        }
        store_batch_add(w->b, handle, ms * ST_NS_PER_MS, s->samples[i].bits);
        w->samples_added++;
    }
    return 0;
}

static void on_metadata(void *ctx, const prw_metadata *m)
{
    wctx *w = ctx;
    metadata_put(w->db, m->family, m->type, m->help, m->unit);
}

static void set_written(http_resp *rs, bool v2, uint64_t samples)
{
    if (!v2) return;
    char n[32];
    snprintf(n, sizeof n, "%" PRIu64, samples);
    http_set_header(rs, "X-Prometheus-Remote-Write-Samples-Written", n);
    http_set_header(rs, "X-Prometheus-Remote-Write-Histograms-Written", "0");
    http_set_header(rs, "X-Prometheus-Remote-Write-Exemplars-Written", "0");
}

static void reject(http_resp *rs, int status, const char *msg)
{
    atomic_fetch_add(&st_req_rejected, 1);
    http_text(rs, status, "%s\n", msg);
}

void api_prw_write(http_req *rq, http_resp *rs, store *s, const flags *f)
{
    pthread_once(&g_once, cache_init);
    if (!strcmp(rq->method, "GET") && http_arg(rq, "get_vm_proto_version")) {
        /* vmagent 1.89 to 1.115 ask this before using zstd (VictoriaMetrics'
         * remote write protocol, same protobuf), which we decode */
        rs->status = 200;
        rs->content_type = "text/plain; charset=utf-8";
        st_buf_put(&rs->body, "1", 1);
        return;
    }
    if (strcmp(rq->method, "POST") && strcmp(rq->method, "PUT")) {
        reject(rs, 405, "remote_write needs POST");
        return;
    }
    const char *ct = http_header(rq, "Content-Type");
    int ver = prw_content_type(ct);
    if (!ver) {
        char m[512];
        snprintf(m, sizeof m,
                 "unsupported Content-Type \"%.200s\": want application/x-protobuf with proto "
                 "prometheus.WriteRequest or io.prometheus.write.v2.Request",
                 ct);
        reject(rs, 415, m);
        return;
    }
    bool v2 = ver == PRW_V2;
    atomic_fetch_add(v2 ? &st_req_v2 : &st_req_v1, 1);
    const char *ce = http_header(rq, "Content-Encoding");
    int enc = prw_encoding_of(ce);
    if (!enc) {
        char m[512];
        snprintf(m, sizeof m, "unsupported Content-Encoding \"%.200s\": want snappy, zstd or gzip", ce);
        reject(rs, 415, m);
        return;
    }
    st_err e = {0};
    st_buf plain = {0};
    int rc = prw_decompress(enc, rq->body.p, rq->body.len, f->max_decoded_bytes, &plain, &e);
    if (rc) {
        st_buf_free(&plain);
        atomic_fetch_add(&st_req_rejected, 1);
        if (rc == ST_ELIMIT) http_text(rs, 413, "%s\n", e.msg);
        else api_error(rs, rc, e.msg);
        return;
    }
    if (api_db_for_write(rq, rs) != 0) {
        st_buf_free(&plain);
        atomic_fetch_add(&st_req_rejected, 1);
        return;
    }
    wctx w = {.db = rq->db, .f = f, .b = store_batch_new()};
    prw_handler h = {.series = on_series, .metadata = on_metadata, .ctx = &w};
    prw_counts cnt;
    rc = prw_decode(ver, plain.p, plain.len, rq->arena, &h, &cnt, &e);
    atomic_fetch_add(&st_samples_received, cnt.samples);
    atomic_fetch_add(&st_metadata_received, cnt.metadata);
    if (rc) {
        /* rejected whole: the batch is dropped unwritten */
        store_batch_free(w.b);
        st_buf_free(&w.raw);
        st_buf_free(&plain);
        atomic_fetch_add(&st_req_rejected, 1);
        if (rc == ST_ELIMIT) http_text(rs, 413, "%s\n", e.msg);
        else api_error(rs, ST_EINVAL, e.msg);
        set_written(rs, v2, 0);
        return;
    }
    store_write_result wr = {0};
    int wrc = store_batch_samples(w.b) ? store_write(s, rq->db, w.b, &wr, &e) : 0;
    store_batch_free(w.b);
    st_buf_free(&w.raw);
    st_buf_free(&plain);
    atomic_fetch_add(&st_samples_written, wr.accepted);
    atomic_fetch_add(&st_series_rejected, w.series_bad);
    atomic_fetch_add(&st_exemplars_dropped, cnt.exemplars);
    atomic_fetch_add(&st_histograms_dropped, cnt.histograms);
    if (wrc && wrc != ST_ECONFLICT && wrc != ST_ERANGE && wrc != ST_EINVAL && wrc != ST_ELIMIT) {
        /* storage failure: nothing acknowledged, the sender retries */
        atomic_fetch_add(&st_req_rejected, 1);
        api_error(rs, wrc, e.msg);
        set_written(rs, v2, 0);
        return;
    }
    char msg[2 * ST_ERR_MSG + 200];
    size_t ml = 0;
    msg[0] = 0;
    if (w.series_bad)
        ml += (size_t)snprintf(msg + ml, sizeof msg - ml, "%" PRIu64 " series rejected (%" PRIu64 " samples), first: %s",
                               w.series_bad, w.samples_bad, w.first_bad);
    if (wrc && ml < sizeof msg)
        ml += (size_t)snprintf(msg + ml, sizeof msg - ml, "%s%" PRIu64 " samples rejected, first: %s", ml ? "; " : "",
                               wr.rejected, wr.first_error[0] ? wr.first_error : e.msg);
    if (v2 && (cnt.histograms || cnt.exemplars) && ml < sizeof msg)
        ml += (size_t)snprintf(msg + ml, sizeof msg - ml,
                               "%s%" PRIu64 " native histograms and %" PRIu64
                               " exemplars not written: not supported yet (samples were written)",
                               ml ? "; " : "", cnt.histograms, cnt.exemplars);
    if (ml) {
        atomic_fetch_add(&st_req_rejected, 1);
        /* a limit is worth retrying (re-sent samples are no-ops); the rest never succeeds */
        api_error(rs, wrc == ST_ELIMIT ? ST_ELIMIT : ST_EINVAL, msg);
        set_written(rs, v2, wr.accepted);
        return;
    }
    rs->status = 204;
    set_written(rs, v2, wr.accepted);
}

void prw_get_stats(prw_stats *o)
{
    memset(o, 0, sizeof *o);
    o->requests_v1 = atomic_load(&st_req_v1);
    o->requests_v2 = atomic_load(&st_req_v2);
    o->requests_rejected = atomic_load(&st_req_rejected);
    o->samples_received = atomic_load(&st_samples_received);
    o->samples_written = atomic_load(&st_samples_written);
    o->series_rejected = atomic_load(&st_series_rejected);
    o->series_over_limit = atomic_load(&st_series_over_limit);
    o->exemplars_dropped = atomic_load(&st_exemplars_dropped);
    o->histograms_dropped = atomic_load(&st_histograms_dropped);
    o->metadata_received = atomic_load(&st_metadata_received);
    o->cache_hits = atomic_load(&st_cache_hits);
    o->cache_misses = atomic_load(&st_cache_misses);
    int64_t n = atomic_load(&st_cache_entries), b = atomic_load(&st_cache_bytes);
    o->cache_entries = n > 0 ? (uint64_t)n : 0;
    o->cache_bytes = b > 0 ? (uint64_t)b : 0;
}
