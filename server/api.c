/* api: the server context, the route table and the small endpoints
 * (health, admin, deletes). */
#include "api.h"

#include <inttypes.h>
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

/* the log's level: process-wide, as the log (stderr) is */
static int g_log_level = 1;

api_server *api_server_new(store *s, const flags *f, pool *query_pool)
{
    api_server *sv = st_calloc(1, sizeof *sv);
    sv->s = s;
    sv->f = f;
    sv->pool = query_pool;
    return sv;
}

void api_server_free(api_server *sv) { st_free(sv); }

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

bool api_failed(const api_server *sv) { return store_failed(sv->s); }

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

int api_db_for_write(api_server *sv, http_req *rq, http_resp *rs)
{
    st_err e = {0};
    if (catalog_name_valid(rq->db, strlen(rq->db), &e) != 0) {
        api_error(rs, ST_EINVAL, e.msg);
        return -1;
    }
    if (store_db_exists(sv->s, rq->db)) return 0;
    if (!sv->f->auto_create_db) {
        char msg[256];
        snprintf(msg, sizeof msg, "database not found: \"%s\"", rq->db);
        api_error(rs, ST_ENOTFOUND, msg);
        return -1;
    }
    int rc = store_db_create(sv->s, rq->db, -1, -1, &e);
    if (rc && rc != ST_EEXIST) {
        api_error(rs, rc, e.msg);
        return -1;
    }
    return 0;
}

/* ------------------------------------------------------------ endpoints */

static void health(api_server *sv, http_req *rq, http_resp *rs)
{
    (void)rq;
    bool failed = api_failed(sv);
    rs->status = failed ? 503 : 200;
    rs->content_type = "application/json";
    if (failed)
        st_buf_printf(&rs->body,
                      "{\"name\":\"strata\",\"message\":\"storage failed\",\"status\":\"fail\","
                      "\"checks\":[],\"version\":\"%s\"}\n",
                      STRATA_VERSION);
    else
        st_buf_printf(&rs->body,
                      "{\"name\":\"strata\",\"message\":\"ready for queries and writes\","
                      "\"status\":\"pass\",\"checks\":[],\"version\":\"%s\"}\n",
                      STRATA_VERSION);
}

static void healthy(api_server *sv, http_req *rq, http_resp *rs)
{
    (void)rq;
    bool failed = api_failed(sv);
    http_text(rs, failed ? 503 : 200, failed ? "Strata storage failed.\n" : "Strata is Healthy.\n");
}

static void ready(api_server *sv, http_req *rq, http_resp *rs)
{
    (void)rq;
    bool ok = atomic_load(&sv->ready) && !api_failed(sv);
    http_text(rs, ok ? 200 : 503, ok ? "Strata is Ready.\n" : "Service Unavailable\n");
}

static void ping(api_server *sv, http_req *rq, http_resp *rs)
{
    (void)sv, (void)rq;
    rs->status = 204;
    http_set_header(rs, "X-Influxdb-Version", "1.8.10");
    http_set_header(rs, "X-Influxdb-Build", "OSS");
}

/* Clients (Grafana) read the version to decide which Prometheus features
 * exist: Strata answers as the Prometheus it is compatible with, and names
 * itself in extra fields. */
static void buildinfo(api_server *sv, http_req *rq, http_resp *rs)
{
    (void)sv, (void)rq;
    rs->status = 200;
    rs->content_type = "application/json";
    st_buf_printf(&rs->body,
                  "{\"status\":\"success\",\"data\":{\"version\":\"2.42.0\",\"revision\":\"strata\","
                  "\"branch\":\"strata\",\"buildUser\":\"strata\",\"buildDate\":\"\","
                  "\"goVersion\":\"\",\"application\":\"strata\",\"strataVersion\":\"%s\"}}\n",
                  STRATA_VERSION);
}

static void flush(api_server *sv, http_req *rq, http_resp *rs)
{
    (void)rq;
    st_err e = {0};
    int rc = store_flush_all(sv->s, &e);
    if (rc) {
        api_error(rs, rc, e.msg);
        return;
    }
    rs->status = 204;
}

/* POST /api/v1/admin/tsdb/delete_series?match[]=...&start=&end= */
static void delete_series(api_server *sv, http_req *rq, http_resp *rs)
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
    if (!store_db_exists(sv->s, rq->db)) {
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
        rc = store_delete(sv->s, rq->db, ms, n, mint, maxt, &cnt, &e);
        pp_free_matchers(ms, n);
        if (rc) {
            api_error(rs, rc, e.msg);
            return;
        }
    }
    rs->status = 204;
}

static void influx_write_v1(api_server *sv, http_req *rq, http_resp *rs) { api_influx_write(sv, rq, rs, INFLUX_V1); }
static void influx_write_v2(api_server *sv, http_req *rq, http_resp *rs) { api_influx_write(sv, rq, rs, INFLUX_V2); }

/* ---------------------------------------------------------------- routes */

enum { M_GET = 1, M_HEAD = 2, M_POST = 4, M_PUT = 8 };

/* Who may call a route (the security issue's users and grants decide it
 * here, before the handler). READ and WRITE are privileges on the route's
 * databases; a route without databases needs only a known caller. */
typedef enum api_access { ACCESS_PUBLIC, ACCESS_READ, ACCESS_WRITE, ACCESS_ADMIN } api_access;

/* Where a route's databases come from: none; the request's (/db/NAME/ or
 * ?db=, else "default"); InfluxDB 2's bucket; or the statements (InfluxQL
 * ON db and db.rp.m, SQL's db.table), each resolved before any work. */
typedef enum api_dbs { DBS_NONE, DBS_REQUEST, DBS_BUCKET, DBS_STATEMENTS } api_dbs;

/* Whose error format a route answers in (405, 413, and the access
 * answers to come). */
typedef enum api_family { FAM_TEXT, FAM_PROM, FAM_INFLUX_V1, FAM_INFLUX_V2, FAM_SQL } api_family;

typedef struct api_route {
    const char *path;     /* exact; ending in '*': a prefix */
    unsigned methods;     /* 0: any, the handler answers the others in its protocol's words */
    const char *use;      /* the 405's advice */
    api_access access;
    api_dbs dbs;
    api_family family;
    bool body_is_data;    /* a POST body is data, never form arguments */
    void (*fn)(api_server *sv, http_req *rq, http_resp *rs);
} api_route;

#define GP (M_GET | M_HEAD | M_POST)
#define G (M_GET | M_HEAD)
static const api_route routes[] = {
    {"/health", 0, NULL, ACCESS_PUBLIC, DBS_NONE, FAM_TEXT, false, health},
    {"/-/healthy", 0, NULL, ACCESS_PUBLIC, DBS_NONE, FAM_TEXT, false, healthy},
    {"/-/ready", 0, NULL, ACCESS_PUBLIC, DBS_NONE, FAM_TEXT, false, ready},
    {"/ping", 0, NULL, ACCESS_PUBLIC, DBS_NONE, FAM_TEXT, false, ping},
    {"/metrics", G, "use GET", ACCESS_ADMIN, DBS_NONE, FAM_TEXT, false, api_metrics},
    {"/api/v1/admin/flush", M_POST, "use POST", ACCESS_ADMIN, DBS_NONE, FAM_PROM, false, flush},
    {"/api/v1/admin/tsdb/delete_series", M_POST | M_PUT, "use POST", ACCESS_WRITE, DBS_REQUEST, FAM_PROM, false,
     delete_series},
    {"/api/v1/export", GP, "use GET or POST", ACCESS_READ, DBS_REQUEST, FAM_PROM, false, api_export},
    {"/api/v1/import", M_POST | M_PUT, "use POST", ACCESS_WRITE, DBS_REQUEST, FAM_PROM, true, api_import},
    {"/query", GP, "use GET or POST", ACCESS_READ, DBS_STATEMENTS, FAM_INFLUX_V1, false, api_influx_query},
    {"/api/v3/query_sql", GP, "use GET or POST", ACCESS_READ, DBS_STATEMENTS, FAM_SQL, false, api_sql_query},
    {"/api/v1/write", 0, NULL, ACCESS_WRITE, DBS_REQUEST, FAM_TEXT, true, api_prw_write},
    {"/api/v1/read", 0, NULL, ACCESS_READ, DBS_REQUEST, FAM_TEXT, true, api_prr_read},
    {"/write", 0, NULL, ACCESS_WRITE, DBS_REQUEST, FAM_INFLUX_V1, true, influx_write_v1},
    {"/api/v2/write", 0, NULL, ACCESS_WRITE, DBS_BUCKET, FAM_INFLUX_V2, true, influx_write_v2},
    {"/api/v1/metadata", G, "use GET", ACCESS_READ, DBS_REQUEST, FAM_PROM, false, api_prom_metadata},
    {"/api/v1/status/buildinfo", 0, NULL, ACCESS_READ, DBS_NONE, FAM_PROM, false, buildinfo},
    {"/api/v1/status/tsdb", G, "use GET", ACCESS_READ, DBS_REQUEST, FAM_PROM, false, api_prom_tsdb_status},
    {"/api/v1/query", GP, "use GET or POST", ACCESS_READ, DBS_REQUEST, FAM_PROM, false, api_prom_query},
    {"/api/v1/query_range", GP, "use GET or POST", ACCESS_READ, DBS_REQUEST, FAM_PROM, false, api_prom_query_range},
    {"/api/v1/query_exemplars", GP, "use GET or POST", ACCESS_READ, DBS_REQUEST, FAM_PROM, false,
     api_prom_query_exemplars},
    {"/api/v1/series", GP, "use GET or POST", ACCESS_READ, DBS_REQUEST, FAM_PROM, false, api_prom_series},
    {"/api/v1/labels", GP, "use GET or POST", ACCESS_READ, DBS_REQUEST, FAM_PROM, false, api_prom_labels},
    {"/api/v1/label/*", G, "use GET", ACCESS_READ, DBS_REQUEST, FAM_PROM, false, api_prom_label_values},
};
#undef GP
#undef G

static const api_route *route_of(const char *path)
{
    for (size_t i = 0; i < sizeof routes / sizeof *routes; i++) {
        const char *p = routes[i].path;
        size_t n = strlen(p);
        if (p[n - 1] == '*' ? !strncmp(path, p, n - 1) : !strcmp(path, p)) return &routes[i];
    }
    return NULL;
}

static unsigned method_bit(const char *m)
{
    return !strcmp(m, "GET") ? M_GET : !strcmp(m, "HEAD") ? M_HEAD : !strcmp(m, "POST") ? M_POST
         : !strcmp(m, "PUT") ? M_PUT : 0;
}

bool api_body_is_data(void *ctx, const char *path)
{
    (void)ctx;
    const api_route *rt = route_of(path);
    return rt && rt->body_is_data;
}

void api_too_large(void *ctx, http_req *rq, http_resp *rs, uint64_t max_body)
{
    (void)ctx;
    const api_route *rt = route_of(rq->path);
    api_family fam = rt ? rt->family : FAM_TEXT;
    if (fam == FAM_INFLUX_V1 || fam == FAM_INFLUX_V2) {
        influx_too_large(rs, fam == FAM_INFLUX_V2 ? INFLUX_V2 : INFLUX_V1, max_body);
    } else if (fam == FAM_SQL) {
        rs->status = 413;
        rs->content_type = "application/json";
        st_buf_printf(&rs->body, "{\"error\":\"request body is larger than --max-body-size (%llu bytes)\"}\n",
                      (unsigned long long)max_body);
    } else {
        http_text(rs, 413, "request body is larger than --max-body-size (%llu bytes)\n",
                  (unsigned long long)max_body);
    }
}

/* An error before the handler, in the route's own format. */
static void refuse(const api_route *rt, http_resp *rs, int status, const char *msg)
{
    switch (rt->family) {
    case FAM_PROM:
        api_error(rs, ST_EINVAL, msg);
        rs->status = status;
        break;
    case FAM_INFLUX_V1:
    case FAM_INFLUX_V2: influx_error(rs, rt->family == FAM_INFLUX_V2 ? INFLUX_V2 : INFLUX_V1, status, msg); break;
    case FAM_SQL:
        rs->status = status;
        rs->content_type = "application/json";
        st_buf_put(&rs->body, "{\"error\":", 9);
        json_escape(&rs->body, msg);
        st_buf_put(&rs->body, "}\n", 2);
        break;
    default: http_text(rs, status, "%s\n", msg); break;
    }
}

/* The request's database, from /db/NAME/ or ?db= (one name only), checked
 * for a valid name. 0, or the refusal in rs. */
static int request_db(const api_route *rt, http_req *rq, http_resp *rs)
{
    const char *dbs[2];
    size_t n = http_args(rq, "db", dbs, 2);
    char msg[400];
    if (n > 1 && strcmp(dbs[0], dbs[1])) {
        snprintf(msg, sizeof msg, "the request names two databases: db=%.100s and db=%.100s", dbs[0], dbs[1]);
        refuse(rt, rs, 400, msg);
        return -1;
    }
    if (rq->db_in_path && n && *dbs[0] && strcmp(dbs[0], rq->db)) {
        snprintf(msg, sizeof msg, "the request names two databases: /db/%.100s/ in its path and db=%.100s",
                 rq->db, dbs[0]);
        refuse(rt, rs, 400, msg);
        return -1;
    }
    return 0;
}

void api_handle(void *ctx, http_req *rq, http_resp *rs)
{
    api_server *sv = ctx;
    if (rq->db_in_path) { /* /db/NAME/ is a database whatever follows it */
        st_err e = {0};
        if (catalog_name_valid(rq->db, strlen(rq->db), &e) != 0) {
            api_error(rs, ST_EINVAL, e.msg);
            return;
        }
    }
    const api_route *rt = route_of(rq->path);
    if (!rt) {
        http_text(rs, 404, "404 page not found\n");
        return;
    }
    if (rt->methods && !(rt->methods & method_bit(rq->method))) {
        http_text(rs, 405, "%s\n", rt->use);
        http_set_header(rs, "Allow", rt->methods & M_GET ? (rt->methods & M_POST ? "GET, HEAD, POST" : "GET, HEAD")
                                                         : rt->methods & M_PUT ? "POST, PUT" : "POST");
        return;
    }
    if ((rt->dbs == DBS_REQUEST || rt->dbs == DBS_STATEMENTS || rq->db_in_path) && request_db(rt, rq, rs)) return;
    rt->fn(sv, rq, rs);
}
