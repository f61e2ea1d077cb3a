/* export: GET /api/v1/export and POST /api/v1/import.
 *
 * Export streams: the response is produced as the client reads it (a
 * libmicrohttpd content reader) from a scan in bounded batches, so an export
 * of any size takes memory for one batch at a time; a long series is written
 * as several JSON lines, as VictoriaMetrics writes its own (an importer
 * appends them). Several match[] selectors give the union of their series,
 * each series once. The scan pins the database's view for the length of the
 * export (scan.h).
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "api.h"
#include "export.h"
#include "labels.h"
#include "promparams.h"
#include "scan.h"

#define MAX_SELECTORS 64
#define EXPORT_BATCH 65536

typedef struct export_ctx {
    scan *sc;
    scan_iter *it;
    bool in_series, done, line, failed;
    scan_series cur;
    series_meta meta;
    st_buf out;
    size_t pos;
} export_ctx;

static void export_free(void *arg)
{
    export_ctx *x = arg;
    scan_iter_close(x->it);
    scan_close(x->sc);
    st_buf_free(&x->out);
    st_free(x);
}

/* Writes one batch of the current series into x->out. */
static void write_batch(export_ctx *x, const scan_batch *b)
{
    codec_samples v = {.ts = (int64_t *)b->ts, .vals = (uint64_t *)b->vals, .strs = (st_slice *)b->strs,
                       .n = b->n};
    const scan_series *s = &x->cur;
    if (!x->line) {
        export_json_series(s->key, s->keylen, x->meta, &v, &x->out);
        return;
    }
    st_err e = {0};
    if (export_line_series(s->key, s->keylen, x->meta, &v, &x->out, &e) != 0) {
        /* Line protocol cannot carry this series (a newline in a label,
         * say). Say so in a comment line, which importers skip, rather than
         * leave it out silently or break the stream with another format; the
         * JSON export has it. */
        st_buf name = {0};
        labels_format_key(s->key, s->keylen, &name);
        st_buf_printf(&x->out, "# strata: %zu samples of %.*s not exported: %s (use format=json)\n", b->n,
                      (int)(name.len > 300 ? 300 : name.len), (const char *)name.p, e.msg);
        st_buf_free(&name);
    }
}

/* Produces the next batch's text into x->out; false at the end. */
static bool produce(export_ctx *x)
{
    st_err e = {0};
    for (;;) {
        if (!x->in_series) {
            int rc = scan_iter_next(x->it, &x->cur, &e);
            if (rc == 0) return false;
            if (rc < 0) break;
            x->meta = (series_meta){.type = (uint8_t)x->cur.type, .table_len = (uint16_t)x->cur.table.n};
            x->in_series = true;
        }
        scan_batch b;
        int rc = scan_iter_batch(x->it, &b, &e);
        if (rc < 0) break;
        if (rc == 0) {
            x->in_series = false;
            continue;
        }
        write_batch(x, &b);
        if (x->out.len) return true;
    }
    /* a damaged chunk: end the response with an error (the connection
     * closes) rather than as a clean, shorter export */
    x->failed = true;
    fprintf(stderr, "export: %s\n", e.msg);
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

void api_export(api_server *sv, http_req *rq, http_resp *rs)
{
    store *s = sv->s;
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
    matcher **ms[MAX_SELECTORS];
    size_t nms[MAX_SELECTORS], parsed = 0;
    int rc = 0;
    for (size_t i = 0; i < nsel && rc == 0; i++) {
        rc = pp_parse_selector(sel[i], &ms[i], &nms[i], &e);
        if (rc == 0) parsed++;
    }
    export_ctx *x = st_calloc(1, sizeof *x);
    x->line = line;
    rs->status = 200;
    rs->content_type = line ? "text/plain; charset=utf-8" : "application/stream+json";
    if (rc == 0) {
        scan_spec sp = {.db = rq->db, .sel = (matcher *const *const *)ms, .nsel = nms, .nselectors = nsel,
                        .mint = mint, .maxt = maxt, .mode = SCAN_SAMPLES, .order = SCAN_ORDER_KEY,
                        .batch = EXPORT_BATCH};
        rc = scan_open(s, &sp, &x->sc, &e);
        if (rc == 0) rc = scan_iter_open(x->sc, 0, SIZE_MAX, &x->it, &e);
    }
    for (size_t i = 0; i < parsed; i++) pp_free_matchers(ms[i], nms[i]);
    if (rc) {
        export_free(x);
        /* an unknown database has no series: an empty export, as for an
         * unknown metric */
        if (rc != ST_ENOTFOUND) api_error(rs, rc, e.msg);
        return;
    }
    rs->stream = export_read;
    rs->stream_ctx = x;
    rs->stream_free = export_free;
}

void api_import(api_server *sv, http_req *rq, http_resp *rs)
{
    store *s = sv->s;
    uint64_t max_decoded = sv->f->max_decoded_bytes;
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
    if (api_db_for_write(sv, rq, rs) != 0) {
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
