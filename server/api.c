/* api: routing and the small endpoints (health, admin, deletes). */
#include "api.h"

#include <inttypes.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "catalog.h"
#include "promparams.h"
#include "influxquery.h"
#include "influx.h"
#include "metadata.h"
#include "prr.h"
#include "prw.h"
#include "sqlapi.h"

static store *g_store;
static const flags *g_flags;
static int g_log_level = 1;
static _Atomic bool g_fatal;
static _Atomic bool g_ready;

void api_init(store *s, const flags *f)
{
    g_store = s;
    g_flags = f;
}

static pool *g_pool;

void api_set_query_pool(pool *p) { g_pool = p; }
pool *api_query_pool(void) { return g_pool; }

void api_set_log_level(int level) { g_log_level = level; }

void api_log(void *ctx, const char *level, const char *msg)
{
    (void)ctx;
    static const char *const names[] = {"debug", "info", "warn", "error"};
    int lv = 1;
    for (int i = 0; i < 4; i++)
        if (!strcmp(level, names[i])) lv = i;
    if (lv < g_log_level) return;
    char ts[32];
    time_t now = time(NULL);
    struct tm tm;
    gmtime_r(&now, &tm);
    strftime(ts, sizeof ts, "%Y-%m-%dT%H:%M:%SZ", &tm);
    fprintf(stderr, "%s %s %s\n", ts, level, msg);
}

const char *api_client_message(int code, const char *msg)
{
    const char *said;
    switch (code) {
    case ST_ENOSPC: said = "no space left on device: writes are refused until space is freed"; break;
    case ST_EIO: said = "storage I/O error"; break;
    case ST_EFATAL: said = "fatal storage error: the server stops"; break;
    case ST_ECORRUPT: said = "corrupt data on disk"; break;
    default: return msg;
    }
    api_log(NULL, "error", msg);
    return said;
}

bool api_fatal(void) { return atomic_load(&g_fatal); }
void api_set_ready(bool ready) { atomic_store(&g_ready, ready); }

int api_status_of(int code)
{
    switch (code) {
    case ST_EINVAL: case ST_ECONFLICT: case ST_ERANGE: return 400;
    case ST_ENOTFOUND: return 404;
    case ST_ELIMIT: return 429;
    case ST_ENOSPC: case ST_ECLOSED: case ST_ETIMEOUT: return 503;
    case ST_ECANCELED: return 499;
    case ST_EEXIST: return 409;
    default: return 500;
    }
}

const char *api_error_type(int code)
{
    switch (code) {
    case ST_EINVAL: case ST_ECONFLICT: case ST_ERANGE: return "bad_data";
    case ST_ENOTFOUND: return "not_found";
    case ST_ELIMIT: return "too_many_requests";
    case ST_ENOSPC: case ST_ECLOSED: return "unavailable";
    case ST_ETIMEOUT: return "timeout";
    case ST_ECANCELED: return "canceled";
    default: return "internal";
    }
}

static void json_escape(st_buf *b, const char *s)
{
    st_buf_putc(b, '"');
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        if (c == '"' || c == '\\') {
            st_buf_putc(b, '\\');
            st_buf_putc(b, c);
        } else if (c < 0x20) {
            st_buf_printf(b, "\\u%04x", c);
        } else {
            st_buf_putc(b, c);
        }
    }
    st_buf_putc(b, '"');
}

void api_error(http_resp *rs, int code, const char *msg)
{
    if (code == ST_EFATAL) atomic_store(&g_fatal, true);
    rs->status = api_status_of(code);
    rs->content_type = "application/json";
    rs->body.len = 0;
    st_buf_printf(&rs->body, "{\"status\":\"error\",\"errorType\":\"%s\",\"error\":",
                  api_error_type(code));
    json_escape(&rs->body, api_client_message(code, msg));
    st_buf_put(&rs->body, "}\n", 2);
    if (code == ST_ELIMIT) http_set_header(rs, "Retry-After", "5");
    if (code == ST_ENOSPC) http_set_header(rs, "Retry-After", "30");
}

int api_db_for_write(http_req *rq, http_resp *rs)
{
    st_err e = {0};
    if (catalog_name_valid(rq->db, strlen(rq->db), &e) != 0) {
        api_error(rs, ST_EINVAL, e.msg);
        return -1;
    }
    if (store_db_exists(g_store, rq->db)) return 0;
    if (!g_flags->auto_create_db) {
        char msg[256];
        snprintf(msg, sizeof msg, "database not found: \"%s\"", rq->db);
        api_error(rs, ST_ENOTFOUND, msg);
        return -1;
    }
    int rc = store_db_create(g_store, rq->db, -1, -1, &e);
    if (rc && rc != ST_EEXIST) {
        api_error(rs, rc, e.msg);
        return -1;
    }
    return 0;
}

static void health(http_resp *rs)
{
    rs->status = 200;
    rs->content_type = "application/json";
    st_buf_printf(&rs->body,
                  "{\"name\":\"strata\",\"message\":\"ready for queries and writes\","
                  "\"status\":\"pass\",\"checks\":[],\"version\":\"%s\"}\n",
                  STRATA_VERSION);
    if (api_fatal()) {
        rs->status = 503;
        rs->body.len = 0;
        st_buf_printf(&rs->body,
                      "{\"name\":\"strata\",\"message\":\"storage failed\",\"status\":\"fail\","
                      "\"checks\":[],\"version\":\"%s\"}\n",
                      STRATA_VERSION);
    }
}

static void flush(http_resp *rs)
{
    st_err e = {0};
    int rc = store_flush_all(g_store, &e);
    if (rc) {
        api_error(rs, rc, e.msg);
        return;
    }
    rs->status = 204;
}

/* POST /api/v1/admin/tsdb/delete_series?match[]=...&start=&end= */
static void delete_series(http_req *rq, http_resp *rs)
{
    const char *sel[64];
    size_t nsel = http_args(rq, "match[]", sel, 64);
    if (nsel == 0) {
        api_error(rs, ST_EINVAL, "no match[] parameter provided");
        return;
    }
    if (nsel > 64) {
        api_error(rs, ST_EINVAL, "too many match[] parameters (at most 64)");
        return;
    }
    st_err e = {0};
    int64_t mint = INT64_MIN, maxt = INT64_MAX;
    const char *a = http_arg(rq, "start"), *b = http_arg(rq, "end");
    if ((a && pp_parse_time(a, &mint, &e)) || (b && pp_parse_time(b, &maxt, &e))) {
        api_error(rs, ST_EINVAL, e.msg);
        return;
    }
    if (!store_db_exists(g_store, rq->db)) {
        rs->status = 204;
        return;
    }
    for (size_t i = 0; i < nsel; i++) {
        matcher **ms;
        size_t n;
        int rc = pp_parse_selector(sel[i], &ms, &n, &e);
        if (rc) {
            api_error(rs, rc, e.msg);
            return;
        }
        uint64_t cnt;
        rc = store_delete(g_store, rq->db, ms, n, mint, maxt, &cnt, &e);
        pp_free_matchers(ms, n);
        if (rc) {
            api_error(rs, rc, e.msg);
            return;
        }
    }
    rs->status = 204;
}

bool api_body_is_data(const char *path)
{
    return !strcmp(path, "/api/v1/import") || !strcmp(path, "/api/v1/write") ||
           !strcmp(path, "/write") || !strcmp(path, "/api/v2/write") || !strcmp(path, "/api/v1/read");
}

static bool is(const http_req *rq, const char *method, const char *path)
{
    return (!method || !strcmp(rq->method, method)) && !strcmp(rq->path, path);
}

void api_too_large(http_req *rq, http_resp *rs, uint64_t max_body)
{
    if (!strcmp(rq->path, "/write") || !strcmp(rq->path, "/api/v2/write"))
        influx_too_large(rs, strcmp(rq->path, "/write") ? INFLUX_V2 : INFLUX_V1, max_body);
    else if (!strcmp(rq->path, "/api/v3/query_sql")) {
        rs->status = 413;
        rs->content_type = "application/json";
        st_buf_printf(&rs->body, "{\"error\":\"request body is larger than --max-body-size (%llu bytes)\"}\n",
                      (unsigned long long)max_body);
    } else
        http_text(rs, 413, "request body is larger than --max-body-size (%llu bytes)\n",
                  (unsigned long long)max_body);
}

void api_handle(http_req *rq, http_resp *rs)
{
    if (rq->db_in_path) {
        st_err e = {0};
        if (catalog_name_valid(rq->db, strlen(rq->db), &e) != 0) {
            api_error(rs, ST_EINVAL, e.msg);
            return;
        }
    }
    bool get = !strcmp(rq->method, "GET") || !strcmp(rq->method, "HEAD");
    bool post = !strcmp(rq->method, "POST");
    if (is(rq, NULL, "/health")) {
        health(rs);
    } else if (is(rq, NULL, "/-/healthy")) {
        http_text(rs, api_fatal() ? 503 : 200, api_fatal() ? "Strata storage failed.\n" : "Strata is Healthy.\n");
    } else if (is(rq, NULL, "/-/ready")) {
        bool ready = atomic_load(&g_ready) && !api_fatal();
        http_text(rs, ready ? 200 : 503, ready ? "Strata is Ready.\n" : "Service Unavailable\n");
    } else if (is(rq, NULL, "/ping")) {
        rs->status = 204;
        http_set_header(rs, "X-Influxdb-Version", "1.8.10");
        http_set_header(rs, "X-Influxdb-Build", "OSS");
    } else if (is(rq, NULL, "/metrics") && get) {
        api_metrics(rq, rs, g_store);
    } else if (is(rq, NULL, "/api/v1/admin/flush")) {
        if (!post) http_text(rs, 405, "use POST\n");
        else flush(rs);
    } else if (is(rq, NULL, "/api/v1/admin/tsdb/delete_series")) {
        if (!post && strcmp(rq->method, "PUT")) http_text(rs, 405, "use POST\n");
        else delete_series(rq, rs);
    } else if (is(rq, NULL, "/api/v1/export")) {
        if (!get && !post) http_text(rs, 405, "use GET or POST\n");
        else api_export(rq, rs, g_store);
    } else if (is(rq, NULL, "/api/v1/import")) {
        if (!post && strcmp(rq->method, "PUT")) http_text(rs, 405, "use POST\n");
        else api_import(rq, rs, g_store, g_flags->max_decoded_bytes);
    } else if (is(rq, NULL, "/query")) {
        if (!get && !post) http_text(rs, 405, "use GET or POST\n");
        else api_influx_query(rq, rs, g_store, g_flags);
    } else if (is(rq, NULL, "/api/v3/query_sql")) {
        if (!get && !post) http_text(rs, 405, "use GET or POST\n");
        else api_sql_query(rq, rs, g_store, g_flags);
    } else if (is(rq, NULL, "/api/v1/write")) {
        api_prw_write(rq, rs, g_store, g_flags);
    } else if (is(rq, NULL, "/api/v1/read")) {
        api_prr_read(rq, rs, g_store, g_flags);
    } else if (is(rq, NULL, "/write")) {
        api_influx_write(rq, rs, g_store, g_flags, INFLUX_V1);
    } else if (is(rq, NULL, "/api/v2/write")) {
        api_influx_write(rq, rs, g_store, g_flags, INFLUX_V2);
    } else if (is(rq, NULL, "/api/v1/metadata")) {
        if (!get) http_text(rs, 405, "use GET\n");
        else api_prom_metadata(rq, rs);
    } else if (is(rq, NULL, "/api/v1/status/buildinfo")) {
        /* Clients (Grafana) read the version to decide which Prometheus
         * features exist: Strata answers as the Prometheus it is compatible
         * with, and names itself in extra fields. */
        rs->status = 200;
        rs->content_type = "application/json";
        st_buf_printf(&rs->body,
                      "{\"status\":\"success\",\"data\":{\"version\":\"2.42.0\",\"revision\":\"strata\","
                      "\"branch\":\"strata\",\"buildUser\":\"strata\",\"buildDate\":\"\","
                      "\"goVersion\":\"\",\"application\":\"strata\",\"strataVersion\":\"%s\"}}\n",
                      STRATA_VERSION);
    } else if (is(rq, NULL, "/api/v1/status/tsdb")) {
        if (!get) http_text(rs, 405, "use GET\n");
        else api_prom_tsdb_status(rq, rs, g_store);
    } else if (is(rq, NULL, "/api/v1/query")) {
        if (!get && !post) http_text(rs, 405, "use GET or POST\n");
        else api_prom_query(rq, rs, g_store, g_flags);
    } else if (is(rq, NULL, "/api/v1/query_range")) {
        if (!get && !post) http_text(rs, 405, "use GET or POST\n");
        else api_prom_query_range(rq, rs, g_store, g_flags);
    } else if (is(rq, NULL, "/api/v1/query_exemplars")) {
        if (!get && !post) http_text(rs, 405, "use GET or POST\n");
        else api_prom_query_exemplars(rq, rs);
    } else if (is(rq, NULL, "/api/v1/series")) {
        if (!get && !post) http_text(rs, 405, "use GET or POST\n");
        else api_prom_series(rq, rs, g_store);
    } else if (is(rq, NULL, "/api/v1/labels")) {
        if (!get && !post) http_text(rs, 405, "use GET or POST\n");
        else api_prom_labels(rq, rs, g_store);
    } else if (!strncmp(rq->path, "/api/v1/label/", 14) && strlen(rq->path) > 21 &&
               !strcmp(rq->path + strlen(rq->path) - 7, "/values")) {
        char name[256];
        size_t n = strlen(rq->path) - 14 - 7;
        if (n >= sizeof name) n = sizeof name - 1;
        memcpy(name, rq->path + 14, n);
        name[n] = 0;
        if (!get) http_text(rs, 405, "use GET\n");
        else api_prom_label_values(rq, rs, g_store, name);
    } else {
        http_text(rs, 404, "404 page not found\n");
    }
}
