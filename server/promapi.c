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

/* Opens the query, or answers: an unknown database has no series (an empty
 * success), other errors as such. Returns 0 when q is open. */
static int open_or_answer(http_req *rq, http_resp *rs, store *s, int64_t mint, int64_t maxt,
                          sel_list *sl, store_query **q)
{
    st_err e = {0};
    int rc = store_query_open(s, rq->db, mint, maxt, q, &e);
    if (rc == 0) return 0;
    sel_free(sl);
    if (rc == ST_ENOTFOUND) {
        success_open(rs);
        success_close(rs);
    } else {
        api_error(rs, rc, e.msg);
    }
    return -1;
}

/* Merges sorted NUL-separated lists (one per selector) into a set. */
typedef struct strs {
    char **v;
    size_t n, cap;
} strs;

static int cmp_cstr(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static void labels_common(http_req *rq, http_resp *rs, store *s, const char *name)
{
    int64_t mint, maxt;
    if (parse_range(rq, rs, &mint, &maxt)) return;
    sel_list sl;
    if (parse_matches(rq, rs, &sl)) return;
    st_err e = {0};
    store_query *q;
    if (open_or_answer(rq, rs, s, mint, maxt, &sl, &q)) return;
    int rc = 0;
    st_buf list = {0};
    size_t count = 0;
    strs all = {0};
    size_t passes = sl.count ? sl.count : 1;
    for (size_t i = 0; i < passes && rc == 0; i++) {
        matcher *const *ms = sl.count ? sl.m[i] : NULL;
        size_t nm = sl.count ? sl.n[i] : 0;
        rc = name ? store_query_label_values(q, name, ms, nm, &list, &count, &e)
                  : store_query_label_names(q, ms, nm, &list, &count, &e);
        const char *p = (const char *)list.p;
        for (size_t k = 0; rc == 0 && k < count; k++) {
            if (all.n == all.cap) {
                all.cap = all.cap ? all.cap * 2 : 64;
                all.v = st_realloc(all.v, all.cap * sizeof *all.v);
            }
            size_t len = strlen(p);
            all.v[all.n++] = st_strndup(p, len);
            p += len + 1;
        }
    }
    store_query_close(q);
    sel_free(&sl);
    st_buf_free(&list);
    if (rc) {
        for (size_t i = 0; i < all.n; i++) st_free(all.v[i]);
        st_free(all.v);
        api_error(rs, rc, e.msg);
        return;
    }
    if (all.n > 1) qsort(all.v, all.n, sizeof *all.v, cmp_cstr);
    success_open(rs);
    size_t out = 0;
    for (size_t i = 0; i < all.n; i++) {
        if (i && !strcmp(all.v[i], all.v[i - 1])) continue;
        if (out++) st_buf_putc(&rs->body, ',');
        json_str_ex(&rs->body, all.v[i], strlen(all.v[i]), JSON_ESC_HTML);
    }
    success_close(rs);
    for (size_t i = 0; i < all.n; i++) st_free(all.v[i]);
    st_free(all.v);
}

void api_prom_labels(http_req *rq, http_resp *rs, store *s) { labels_common(rq, rs, s, NULL); }

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

void api_prom_label_values(http_req *rq, http_resp *rs, store *s, const char *name)
{
    if (!label_name_ok(name)) {
        st_buf msg = {0};
        st_buf_printf(&msg, "invalid label name: ");
        json_str(&msg, name, strlen(name)); /* Go's %q of a plain string */
        st_buf_putc(&msg, 0);
        api_error(rs, ST_EINVAL, (const char *)msg.p);
        st_buf_free(&msg);
        return;
    }
    labels_common(rq, rs, s, name);
}

/* Series as Prometheus orders them (labels.Compare). */
typedef struct sitem {
    uint8_t *key;
    size_t len;
} sitem;

static int cmp_series(const void *a, const void *b)
{
    const sitem *x = a, *y = b;
    return labels_key_compare(x->key, x->len, y->key, y->len);
}

void api_prom_series(http_req *rq, http_resp *rs, store *s)
{
    int64_t mint, maxt;
    if (parse_range(rq, rs, &mint, &maxt)) return;
    sel_list sl;
    if (parse_matches(rq, rs, &sl)) return;
    if (sl.count == 0) {
        api_error(rs, ST_EINVAL, "no match[] parameter provided");
        return;
    }
    st_err e = {0};
    store_query *q;
    if (open_or_answer(rq, rs, s, mint, maxt, &sl, &q)) return;
    int rc = 0;
    sitem *items = NULL;
    size_t n = 0, cap = 0;
    codec_samples smp = {0};
    for (size_t i = 0; i < sl.count && rc == 0; i++) {
        rc = store_query_select(q, sl.m[i], sl.n[i], &e);
        const uint8_t *key;
        size_t kl;
        series_meta meta;
        int more;
        while (rc == 0 && (more = store_query_next(q, &key, &kl, &meta, &smp, &e)) != 0) {
            if (more < 0) {
                rc = more;
                break;
            }
            if (meta.type == ST_VT_STRING) continue; /* PromQL sees numbers only */
            if (n == cap) {
                cap = cap ? cap * 2 : 64;
                items = st_realloc(items, cap * sizeof *items);
            }
            items[n].key = st_malloc(kl);
            memcpy(items[n].key, key, kl);
            items[n].len = kl;
            n++;
        }
    }
    store_query_close(q);
    sel_free(&sl);
    codec_samples_free(&smp);
    if (rc == 0) {
        if (n > 1) qsort(items, n, sizeof *items, cmp_series);
        success_open(rs);
        size_t out = 0;
        label ls[256];
        for (size_t i = 0; i < n; i++) {
            if (i && items[i].len == items[i - 1].len &&
                !memcmp(items[i].key, items[i - 1].key, items[i].len))
                continue;
            size_t nl = 0;
            if (labels_key_parse(items[i].key, items[i].len, ls, 256, &nl)) continue;
            if (out++) st_buf_putc(&rs->body, ',');
            st_buf_putc(&rs->body, '{');
            for (size_t k = 0; k < nl; k++) {
                if (k) st_buf_putc(&rs->body, ',');
                json_str_ex(&rs->body, ls[k].name.p, ls[k].name.n, JSON_ESC_HTML);
                st_buf_putc(&rs->body, ':');
                json_str_ex(&rs->body, ls[k].value.p, ls[k].value.n, JSON_ESC_HTML);
            }
            st_buf_putc(&rs->body, '}');
        }
        success_close(rs);
    } else {
        api_error(rs, rc, e.msg);
    }
    for (size_t i = 0; i < n; i++) st_free(items[i].key);
    st_free(items);
}
