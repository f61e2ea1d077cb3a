/* export: GET /api/v1/export and POST /api/v1/import.
 *
 * Export streams: the response is produced series by series as the client
 * reads it (a libmicrohttpd content reader), so an export of any size takes
 * memory for one series at a time. Several match[] selectors give the union
 * of their series, each series once. The query pins the database's view for
 * the length of the export (see querier.c).
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "api.h"
#include "bits.h"
#include "export.h"
#include "labels.h"
#include "promparams.h"

#define MAX_SELECTORS 64

typedef struct export_ctx {
    store_query *q;
    matcher **sel[MAX_SELECTORS];
    size_t nsel[MAX_SELECTORS];
    size_t nselectors, cur;
    bool selected, done, line, failed;
    st_buf out;
    size_t pos;
    codec_samples smp;
    /* keys already written (several selectors may match one series) */
    uint64_t *seen;
    size_t nseen, capseen;
    char db[128];
} export_ctx;

static void export_free(void *arg)
{
    export_ctx *x = arg;
    if (x->q) store_query_close(x->q);
    for (size_t i = 0; i < x->nselectors; i++) pp_free_matchers(x->sel[i], x->nsel[i]);
    st_buf_free(&x->out);
    codec_samples_free(&x->smp);
    st_free(x->seen);
    st_free(x);
}

static bool seen_add(export_ctx *x, uint64_t h)
{
    if ((x->nseen + 1) * 2 > x->capseen) {
        size_t cap = x->capseen ? x->capseen * 2 : 1024;
        uint64_t *t = st_calloc(cap, sizeof *t);
        for (size_t i = 0; i < x->capseen; i++) {
            if (!x->seen[i]) continue;
            size_t j = x->seen[i] & (cap - 1);
            while (t[j]) j = (j + 1) & (cap - 1);
            t[j] = x->seen[i];
        }
        st_free(x->seen);
        x->seen = t;
        x->capseen = cap;
    }
    if (!h) h = 1;
    size_t j = h & (x->capseen - 1);
    while (x->seen[j]) {
        if (x->seen[j] == h) return false;
        j = (j + 1) & (x->capseen - 1);
    }
    x->seen[j] = h;
    x->nseen++;
    return true;
}

/* Produces the next series' text into x->out; false at the end. */
static bool produce(export_ctx *x)
{
    while (x->cur < x->nselectors) {
        st_err e = {0};
        if (!x->selected) {
            if (store_query_select(x->q, x->sel[x->cur], x->nsel[x->cur], &e) != 0) {
                x->failed = true;
                fprintf(stderr, "export: %s\n", e.msg);
                return false;
            }
            x->selected = true;
        }
        const uint8_t *key;
        size_t kl;
        series_meta meta;
        int rc = store_query_next(x->q, &key, &kl, &meta, &x->smp, &e);
        if (rc < 0) {
            /* a damaged chunk: end the response with an error (the
             * connection closes) rather than as a clean, shorter export */
            x->failed = true;
            fprintf(stderr, "export: %s\n", e.msg);
            return false;
        }
        if (rc == 0) {
            x->cur++;
            x->selected = false;
            continue;
        }
        /* one selector cannot repeat a series; only unions need the set */
        if (x->nselectors > 1 && !seen_add(x, st_hash64(key, kl, 7))) continue;
        if (x->line) {
            if (export_line_series(key, kl, meta, &x->smp, &x->out, &e) != 0) {
                /* Line protocol cannot carry this series (a newline in a label,
                 * say). Say so in a comment line, which importers skip, rather
                 * than leave it out silently or break the stream with another
                 * format; the JSON export has it. */
                st_buf name = {0};
                labels_format_key(key, kl, &name);
                st_buf_printf(&x->out, "# strata: %zu samples of %.*s not exported: %s (use format=json)\n",
                              x->smp.n, (int)(name.len > 300 ? 300 : name.len), (const char *)name.p,
                              e.msg);
                st_buf_free(&name);
            }
        } else {
            export_json_series(key, kl, meta, &x->smp, &x->out);
        }
        if (x->out.len) return true;
    }
    return false;
}

static long export_read(void *arg, char *buf, size_t max)
{
    export_ctx *x = arg;
    size_t n = 0;
    while (n < max) {
        if (x->pos == x->out.len) {
            x->out.len = x->pos = 0;
            if (x->done || !produce(x)) {
                x->done = true;
                if (x->failed && n == 0) return -1;
                break;
            }
        }
        size_t k = x->out.len - x->pos;
        if (k > max - n) k = max - n;
        memcpy(buf + n, x->out.p + x->pos, k);
        x->pos += k;
        n += k;
    }
    return (long)n;
}

void api_export(http_req *rq, http_resp *rs, store *s)
{
    const char *sel[MAX_SELECTORS + 1];
    size_t nsel = http_args(rq, "match[]", sel, MAX_SELECTORS + 1);
    if (nsel == 0) {
        api_error(rs, ST_EINVAL, "missing `match[]` arg");
        return;
    }
    if (nsel > MAX_SELECTORS) {
        api_error(rs, ST_EINVAL, "too many match[] arguments (at most 64)");
        return;
    }
    st_err e = {0};
    int64_t mint = INT64_MIN, maxt = INT64_MAX;
    const char *a = http_arg(rq, "start"), *b = http_arg(rq, "end");
    if ((a && *a && pp_parse_time(a, &mint, &e)) || (b && *b && pp_parse_time(b, &maxt, &e))) {
        api_error(rs, ST_EINVAL, e.msg);
        return;
    }
    /* Prometheus-side times are milliseconds: an end of 12.345 includes the
     * whole millisecond 12.345 */
    if (b && *b && maxt < INT64_MAX - ST_NS_PER_MS) maxt = maxt / ST_NS_PER_MS * ST_NS_PER_MS + ST_NS_PER_MS - 1;
    const char *fmt = http_arg(rq, "format");
    bool line = fmt && !strcmp(fmt, "line");
    if (fmt && !line && strcmp(fmt, "json")) {
        api_error(rs, ST_EINVAL, "unknown format (json or line)");
        return;
    }
    export_ctx *x = st_calloc(1, sizeof *x);
    x->line = line;
    for (size_t i = 0; i < nsel; i++) {
        int rc = pp_parse_selector(sel[i], &x->sel[i], &x->nsel[i], &e);
        if (rc) {
            export_free(x);
            api_error(rs, rc, e.msg);
            return;
        }
        x->nselectors++;
    }
    rs->status = 200;
    rs->content_type = line ? "text/plain; charset=utf-8" : "application/stream+json";
    int rc = store_query_open(s, rq->db, mint, maxt, &x->q, &e);
    if (rc == ST_ENOTFOUND) {
        /* an unknown database has no series: an empty export, as for an
         * unknown metric */
        export_free(x);
        return;
    }
    if (rc) {
        export_free(x);
        api_error(rs, rc, e.msg);
        return;
    }
    rs->stream = export_read;
    rs->stream_ctx = x;
    rs->stream_free = export_free;
}

void api_import(http_req *rq, http_resp *rs, store *s, uint64_t max_decoded)
{
    st_err e = {0};
    const char *fmt = http_arg(rq, "format");
    bool line = fmt && !strcmp(fmt, "line");
    if (fmt && !line && strcmp(fmt, "json")) {
        api_error(rs, ST_EINVAL, "unknown format (json or line)");
        return;
    }
    lp_precision prec = LP_NS;
    const char *p = http_arg(rq, "precision");
    if (p && *p && !lp_precision_parse(p, &prec)) {
        api_error(rs, ST_EINVAL, "invalid precision (n, ns, u, us, ms, s, m, h)");
        return;
    }
    const st_buf *body = &rq->body;
    st_buf plain = {0};
    const char *enc = http_header(rq, "Content-Encoding");
    if (enc && *enc && strcasecmp(enc, "identity")) {
        if (strcasecmp(enc, "gzip")) {
            rs->status = 415;
            http_text(rs, 415, "unsupported Content-Encoding \"%s\" (gzip or none)\n", enc);
            return;
        }
        int rc = import_gunzip(rq->body.p, rq->body.len, max_decoded, &plain, &e);
        if (rc) {
            st_buf_free(&plain);
            if (rc == ST_ELIMIT) http_text(rs, 413, "%s\n", e.msg);
            else api_error(rs, rc, e.msg);
            return;
        }
        body = &plain;
    }
    if (api_db_for_write(rq, rs) != 0) {
        st_buf_free(&plain);
        return;
    }
    store_batch *b = store_batch_new();
    import_stats st;
    int prc = line ? import_line((const char *)body->p, body->len, prec, st_now_ns(), b, &st, &e)
                   : import_json((const char *)body->p, body->len, b, &st, &e);
    char parse_err[ST_ERR_MSG];
    snprintf(parse_err, sizeof parse_err, "%s", prc ? e.msg : "");
    store_write_result wr;
    int wrc = store_batch_samples(b) ? store_write(s, rq->db, b, &wr, &e) : 0;
    store_batch_free(b);
    st_buf_free(&plain);
    if (wrc && wrc != ST_ECONFLICT && wrc != ST_ERANGE && wrc != ST_EINVAL && wrc != ST_ELIMIT) {
        api_error(rs, wrc, e.msg); /* storage failure: nothing acknowledged */
        return;
    }
    if (prc || wrc) {
        char msg[2 * ST_ERR_MSG + 64];
        if (prc && wrc)
            snprintf(msg, sizeof msg, "%s (%" PRIu64 " bad lines); %s", parse_err, st.lines_bad, e.msg);
        else if (prc)
            snprintf(msg, sizeof msg, "%s (%" PRIu64 " bad lines)", parse_err, st.lines_bad);
        else
            snprintf(msg, sizeof msg, "%s (%" PRIu64 " samples rejected)", e.msg, wr.rejected);
        api_error(rs, wrc == ST_ELIMIT ? ST_ELIMIT : ST_EINVAL, msg);
        return;
    }
    rs->status = 204;
}
