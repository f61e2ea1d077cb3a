/* promapi: the parts of Prometheus's HTTP API v1 that need no PromQL:
 * /api/v1/series, /api/v1/labels, /api/v1/label/NAME/values.
 *
 * Answers are Prometheus 2.42's, byte for byte where clients compare them:
 * {"status":"success","data":...}, lists sorted as Prometheus sorts them
 * (label sets by labels.Compare: name then value, pair by pair), strings
 * escaped as Go's encoding/json escapes them, [] never null. An unknown
 * database has no series: an empty success.
 */
#include <stdlib.h>
#include <string.h>

#include "api.h"
#include "json.h"
#include "labels.h"
#include "promparams.h"
#include "scan.h"

#define MAX_MATCH 64

/* Prometheus's minTime/maxTime (ms) as ns bounds. */
static int parse_range(http_req *rq, http_resp *rs, int64_t *mint, int64_t *maxt)
{
    st_err e = {0};
    *mint = INT64_MIN;
    *maxt = INT64_MAX;
    const char *a = http_arg(rq, "start"), *b = http_arg(rq, "end");
    if (a && *a && pp_parse_time(a, mint, &e)) {
        char msg[ST_ERR_MSG + 64];
        snprintf(msg, sizeof msg, "invalid parameter \"start\": Invalid time value for 'start': %s", e.msg);
        api_error(rs, ST_EINVAL, msg);
        return -1;
    }
    if (b && *b && pp_parse_time(b, maxt, &e)) {
        char msg[ST_ERR_MSG + 64];
        snprintf(msg, sizeof msg, "invalid parameter \"end\": Invalid time value for 'end': %s", e.msg);
        api_error(rs, ST_EINVAL, msg);
        return -1;
    }
    /* millisecond resolution: an end of 12.345 covers that whole millisecond */
    if (b && *b && *maxt < INT64_MAX - ST_NS_PER_MS && *maxt >= 0)
        *maxt = *maxt / ST_NS_PER_MS * ST_NS_PER_MS + ST_NS_PER_MS - 1;
    return 0;
}

typedef struct sel_list {
    matcher **m[MAX_MATCH];
    size_t n[MAX_MATCH];
    size_t count;
} sel_list;

static void sel_free(sel_list *l)
{
    for (size_t i = 0; i < l->count; i++) pp_free_matchers(l->m[i], l->n[i]);
}

static int parse_matches(http_req *rq, http_resp *rs, sel_list *l)
{
    const char *v[MAX_MATCH + 1];
    size_t n = http_args(rq, "match[]", v, MAX_MATCH + 1);
    l->count = 0;
    if (n > MAX_MATCH) {
        api_error(rs, ST_EINVAL, "too many match[] parameters (at most 64)");
        return -1;
    }
    for (size_t i = 0; i < n; i++) {
        st_err e = {0};
        if (pp_parse_selector(v[i], &l->m[i], &l->n[i], &e) != 0) {
            sel_free(l);
            char msg[ST_ERR_MSG + 64];
            snprintf(msg, sizeof msg, "invalid parameter \"match[]\": %s", e.msg);
            api_error(rs, ST_EINVAL, msg);
            return -1;
        }
        l->count++;
    }
    return 0;
}

static void success_open(http_resp *rs)
{
    rs->status = 200;
    rs->content_type = "application/json";
    st_buf_printf(&rs->body, "{\"status\":\"success\",\"data\":[");
}

static void success_close(http_resp *rs) { st_buf_put(&rs->body, "]}\n", 3); }

/* Opens a scan of the selectors, or answers: an unknown database has no
 * series (an empty success), other errors as such. Returns 0 when sc is
 * open. The selectors are freed either way. */
static int open_or_answer(api_server *sv, http_req *rq, http_resp *rs, int64_t mint, int64_t maxt,
                          sel_list *sl, scan_mode mode, unsigned types, scan **sc)
{
    st_err e = {0};
    scan_spec sp = {.db = rq->db, .sel = (matcher *const *const *)sl->m, .nsel = sl->n,
                    .nselectors = sl->count, .mint = mint, .maxt = maxt, .mode = mode,
                    .order = SCAN_ORDER_LABELS, .types = types, .pool = sv->pool};
    int rc = scan_open(sv->s, &sp, sc, &e);
    sel_free(sl);
    if (rc == 0) return 0;
    if (rc == ST_ENOTFOUND) {
        success_open(rs);
        success_close(rs);
    } else {
        api_error(rs, rc, e.msg);
    }
    return -1;
}

/* Label names, or the values of one label: read from the indexes without
 * match[], from the selected series' keys with it; no sample decoded
 * (scan.h, SCAN_KEYS). Series of every value type count (line-protocol
 * string fields carry tags as any field does). */
static void labels_common(api_server *sv, http_req *rq, http_resp *rs, const char *name)
{
    int64_t mint, maxt;
    if (parse_range(rq, rs, &mint, &maxt)) return;
    sel_list sl;
    if (parse_matches(rq, rs, &sl)) return;
    scan *sc;
    if (open_or_answer(sv, rq, rs, mint, maxt, &sl, SCAN_KEYS, 0, &sc)) return;
    st_err e = {0};
    st_slice *v;
    size_t n;
    int rc = name ? scan_label_values(sc, st_slice_cstr(name), &v, &n, &e) : scan_label_names(sc, &v, &n, &e);
    if (rc) {
        scan_close(sc);
        api_error(rs, rc, e.msg);
        return;
    }
    success_open(rs);
    for (size_t i = 0; i < n; i++) {
        if (i) st_buf_putc(&rs->body, ',');
        json_str_ex(&rs->body, v[i].p, v[i].n, JSON_ESC_HTML);
    }
    success_close(rs);
    scan_close(sc);
}

void api_prom_labels(api_server *sv, http_req *rq, http_resp *rs) { labels_common(sv, rq, rs, NULL); }

static bool label_name_ok(const char *n)
{
    if (!*n) return false;
    for (const char *p = n; *p; p++) {
        char c = *p;
        bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' ||
                  (p != n && c >= '0' && c <= '9');
        if (!ok) return false;
    }
    return true;
}

void api_prom_label_values(api_server *sv, http_req *rq, http_resp *rs)
{
    /* /api/v1/label/NAME/values */
    const char *at = rq->path + strlen("/api/v1/label/");
    size_t len = strlen(at);
    if (len <= 7 || strcmp(at + len - 7, "/values")) {
        http_text(rs, 404, "404 page not found\n");
        return;
    }
    char name[256];
    size_t n = len - 7 < sizeof name - 1 ? len - 7 : sizeof name - 1;
    memcpy(name, at, n);
    name[n] = 0;
    if (!label_name_ok(name)) {
        st_buf msg = {0};
        st_buf_printf(&msg, "invalid label name: ");
        json_str(&msg, name, strlen(name)); /* Go's %q of a plain string */
        st_buf_putc(&msg, 0);
        api_error(rs, ST_EINVAL, (const char *)msg.p);
        st_buf_free(&msg);
        return;
    }
    labels_common(sv, rq, rs, name);
}

/* Series with a chunk in the range, as Prometheus decides it: from chunk
 * bounds, no sample decoded (scan.h, SCAN_CHUNKS), in Prometheus's order. */
void api_prom_series(api_server *sv, http_req *rq, http_resp *rs)
{
    int64_t mint, maxt;
    if (parse_range(rq, rs, &mint, &maxt)) return;
    sel_list sl;
    if (parse_matches(rq, rs, &sl)) return;
    if (sl.count == 0) {
        api_error(rs, ST_EINVAL, "no match[] parameter provided");
        return;
    }
    scan *sc;
    if (open_or_answer(sv, rq, rs, mint, maxt, &sl, SCAN_CHUNKS, SCAN_TYPES_NUMERIC, &sc)) return;
    st_err e = {0};
    scan_iter *it;
    int rc = scan_iter_open(sc, 0, SIZE_MAX, &it, &e);
    size_t mark = rs->body.len;
    success_open(rs);
    scan_series ss;
    size_t out = 0;
    while (rc == 0 && (rc = scan_iter_next(it, &ss, &e)) == 1) {
        rc = 0;
        if (out++) st_buf_putc(&rs->body, ',');
        st_buf_putc(&rs->body, '{');
        for (size_t k = 0; k < ss.nlabels; k++) {
            if (k) st_buf_putc(&rs->body, ',');
            json_str_ex(&rs->body, ss.labels[k].name.p, ss.labels[k].name.n, JSON_ESC_HTML);
            st_buf_putc(&rs->body, ':');
            json_str_ex(&rs->body, ss.labels[k].value.p, ss.labels[k].value.n, JSON_ESC_HTML);
        }
        st_buf_putc(&rs->body, '}');
    }
    scan_iter_close(it);
    scan_close(sc);
    if (rc < 0) {
        rs->body.len = mark;
        api_error(rs, rc, e.msg);
        return;
    }
    success_close(rs);
}

/* ------------------------------------------------------------------ /api/v1/status/tsdb */

static int cmp_stat_desc(const void *a, const void *b)
{
    const scan_stat *x = a, *y = b;
    if (x->value != y->value) return x->value > y->value ? -1 : 1;
    return strcmp(x->name, y->name);
}

/* The ten largest, as Prometheus 2.42 lists them. */
static void put_top(st_buf *b, const char *key, scan_stat *v, size_t n)
{
    if (n > 1) qsort(v, n, sizeof *v, cmp_stat_desc);
    st_buf_printf(b, ",\"%s\":[", key);
    for (size_t i = 0; i < n && i < 10; i++) {
        if (i) st_buf_putc(b, ',');
        st_buf_printf(b, "{\"name\":");
        json_str_ex(b, v[i].name, strlen(v[i].name), JSON_ESC_HTML);
        st_buf_printf(b, ",\"value\":%llu}", (unsigned long long)v[i].value);
    }
    st_buf_putc(b, ']');
}

static int64_t ns_to_ms(int64_t ns)
{
    if (ns == INT64_MAX || ns == INT64_MIN) return ns; /* Prometheus's empty-head bounds */
    return ns >= 0 ? ns / ST_NS_PER_MS : -((-(ns + 1)) / ST_NS_PER_MS) - 1;
}

void api_prom_tsdb_status(api_server *sv, http_req *rq, http_resp *rs)
{
    store *s = sv->s;
    scan_cardinality c;
    st_err e = {0};
    int rc = scan_head_cardinality(s, rq->db, &c, &e);
    if (rc == ST_ENOTFOUND) {
        memset(&c, 0, sizeof c);
        c.mint = INT64_MAX;
        c.maxt = INT64_MIN;
    } else if (rc) {
        api_error(rs, rc, e.msg);
        return;
    }
    rs->status = 200;
    rs->content_type = "application/json";
    st_buf *b = &rs->body;
    st_buf_printf(b, "{\"status\":\"success\",\"data\":{\"headStats\":{\"numSeries\":%llu,\"numLabelPairs\":%llu,"
                  "\"chunkCount\":%llu,\"minTime\":%lld,\"maxTime\":%lld}",
                  (unsigned long long)c.series, (unsigned long long)c.label_pairs, (unsigned long long)c.chunks,
                  (long long)ns_to_ms(c.mint), (long long)ns_to_ms(c.maxt));
    put_top(b, "seriesCountByMetricName", c.metrics, c.nmetrics);
    put_top(b, "labelValueCountByLabelName", c.names, c.nnames);
    put_top(b, "memoryInBytesByLabelName", c.name_bytes, c.nnames);
    put_top(b, "seriesCountByLabelValuePair", c.pairs, c.npairs);
    st_buf_printf(b, "}}\n");
    scan_head_cardinality_free(&c);
}
