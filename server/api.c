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
#include "timestream.h"

/* the log's level: process-wide, as the log (stderr) is */
static int g_log_level = 1;

api_server *api_server_new(store *s, const flags *f, pool *query_pool, auth *a)
{
    api_server *sv = st_calloc(1, sizeof *sv);
    sv->s = s;
    sv->f = f;
    sv->pool = query_pool;
    sv->auth = a;
    sv->ts = ts_state_new(f->timestream_max_queries, f->timestream_cache_bytes);
    return sv;
}

void api_server_free(api_server *sv)
{
    ts_state_free(sv->ts);
    st_free(sv);
}

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
    case ST_EDENIED: return 403;
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
    case ST_EDENIED: return "forbidden";
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
typedef enum api_family { FAM_TEXT, FAM_PROM, FAM_INFLUX_V1, FAM_INFLUX_V2, FAM_SQL, FAM_TIMESTREAM } api_family;

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
    /* Timestream's API: each operation checks its own database's grant */
    {"/", 0, NULL, ACCESS_READ, DBS_STATEMENTS, FAM_TIMESTREAM, true, api_timestream},
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

/* Timestream's error body (timestream.h), for refusals before the handler. */
static void timestream_refusal(http_resp *rs, int status, const char *code, const char *msg)
{
    rs->status = status;
    rs->content_type = "application/x-amz-json-1.0";
    rs->body.len = 0;
    st_buf_printf(&rs->body, "{\"__type\":\"com.amazonaws.timestream.v20181101#%s\",\"message\":", code);
    json_escape(&rs->body, msg);
    st_buf_putc(&rs->body, '}');
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
    } else if (fam == FAM_TIMESTREAM) {
        timestream_refusal(rs, 413, "ValidationException", "request body is larger than --max-body-size");
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

/* An error before the handler, in the route's own format (prom_type: the
 * Prometheus API's errorType). */
static void refuse_as(const api_route *rt, http_resp *rs, int status, const char *prom_type, const char *msg)
{
    switch (rt->family) {
    case FAM_PROM:
        rs->status = status;
        rs->content_type = "application/json";
        rs->body.len = 0;
        st_buf_printf(&rs->body, "{\"status\":\"error\",\"errorType\":\"%s\",\"error\":", prom_type);
        json_escape(&rs->body, msg);
        st_buf_put(&rs->body, "}\n", 2);
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
    case FAM_TIMESTREAM:
        timestream_refusal(rs, status,
                           status == 403   ? "AccessDeniedException"
                           : status == 429 || status == 503 ? "ThrottlingException"
                           : status == 401 ? "UnrecognizedClientException"
                                           : "ValidationException",
                           msg);
        break;
    default: http_text(rs, status, "%s\n", msg); break;
    }
}

static void refuse(const api_route *rt, http_resp *rs, int status, const char *msg)
{
    refuse_as(rt, rs, status, "bad_data", msg);
}

/* The request's database, from /db/NAME/ or ?db= (one name only), checked
 * for a valid name. 0, or the refusal in rs. */
static int request_db(const api_route *rt, http_req *rq, http_resp *rs)
{
    const char *dbs[16];
    size_t n = http_args(rq, "db", dbs, 16);
    char msg[400];
    if (n > 16) {
        refuse(rt, rs, 400, "the request repeats db= more than 16 times");
        return -1;
    }
    for (size_t i = 1; i < n; i++)
        if (strcmp(dbs[0], dbs[i])) {
            snprintf(msg, sizeof msg, "the request names two databases: db=%.100s and db=%.100s", dbs[0], dbs[i]);
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

/* ------------------------------------------------------------- access */

static auth_front front_of(const api_route *rt)
{
    switch (rt->family) {
    case FAM_PROM: return AUTH_FRONT_PROMETHEUS;
    case FAM_INFLUX_V1: return AUTH_FRONT_INFLUX_V1;
    case FAM_INFLUX_V2: return AUTH_FRONT_INFLUX_V2;
    case FAM_SQL: return AUTH_FRONT_SQL;
    case FAM_TIMESTREAM: return AUTH_FRONT_TIMESTREAM;
    default: return AUTH_FRONT_REMOTE;
    }
}

static bool peer_is_loopback(const char *peer)
{
    return !strncmp(peer, "127.", 4) || !strcmp(peer, "::1") || !strncmp(peer, "::ffff:127.", 11);
}

bool api_peer_is_loopback(const http_req *rq)
{
    char peer[64];
    http_peer(rq, peer, sizeof peer);
    return peer_is_loopback(peer);
}

/* Failed logins in the log: at most one line a second, the lines passed
 * over counted in the next; the name escaped and cut, never a secret. */
static void log_failure(const char *user, size_t n, const char *peer, auth_front front, auth_reason r)
{
    static _Atomic int64_t last_s;
    static _Atomic uint64_t skipped;
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    int64_t prev = atomic_load(&last_s);
    if (prev == ts.tv_sec || !atomic_compare_exchange_strong(&last_s, &prev, ts.tv_sec)) {
        atomic_fetch_add(&skipped, 1);
        return;
    }
    char name[4 * 64 + 1];
    size_t o = 0;
    for (size_t i = 0; i < n && i < 64; i++) {
        unsigned char c = (unsigned char)user[i];
        if (c < 0x20 || c == 0x7f || c == '"' || c == '\\') o += (size_t)snprintf(name + o, 5, "\\x%02x", c);
        else name[o++] = (char)c;
    }
    name[o] = 0;
    char more[64] = "", msg[600];
    uint64_t sk = atomic_exchange(&skipped, 0);
    if (sk) snprintf(more, sizeof more, "; %llu failures before it not logged", (unsigned long long)sk);
    snprintf(msg, sizeof msg, "authentication failed: user \"%s\" from %s (%s, %s)%s", name, *peer ? peer : "?",
             auth_front_name(front), auth_reason_name(r), more);
    api_log(NULL, "warn", msg);
}

/* The 401 (or 429, 503) for a request whose credentials failed. */
static void unauthorized(const api_route *rt, http_resp *rs, auth_reason r, const char *why, bool no_admin)
{
    if (r == AUTH_THROTTLED) {
        refuse_as(rt, rs, 429, "too_many_requests",
                  "too many failed logins from this address: try again in a minute");
        http_set_header(rs, "Retry-After", "60");
        return;
    }
    if (r == AUTH_BUSY) {
        refuse_as(rt, rs, 503, "unavailable", "too many password checks at once: try again");
        http_set_header(rs, "Retry-After", "1");
        return;
    }
    char msg[400];
    if (rt->family == FAM_TIMESTREAM) {
        /* the AWS words: an unknown key is told what a wrong signature is */
        if (r == AUTH_MISSING)
            timestream_refusal(rs, 400, "MissingAuthenticationTokenException", "Missing Authentication Token");
        else if (r == AUTH_MALFORMED)
            timestream_refusal(rs, 400, "IncompleteSignatureException", why);
        else if (r == AUTH_BAD_SIGNATURE || r == AUTH_EXPIRED || (r == AUTH_UNKNOWN_USER && *why))
            timestream_refusal(rs, 403, "InvalidSignatureException", why);
        else
            timestream_refusal(rs, 403, "UnrecognizedClientException",
                               "The security token included in the request is invalid.");
        return;
    }
    if (rt->family == FAM_INFLUX_V1)
        snprintf(msg, sizeof msg, "%s", r == AUTH_MISSING || r == AUTH_MALFORMED
                                             ? "unable to parse authentication credentials"
                                             : "authorization failed");
    else if (rt->family == FAM_INFLUX_V2)
        snprintf(msg, sizeof msg, "unauthorized access");
    else if (r == AUTH_MISSING)
        snprintf(msg, sizeof msg, "%s", no_admin ? "authentication required; no admin user exists yet: start Strata "
                                                   "with --admin-user, or create one from the server's own host with "
                                                   "CREATE USER ... WITH ALL PRIVILEGES"
                                                 : "authentication required");
    else if (r == AUTH_MALFORMED)
        snprintf(msg, sizeof msg, "malformed credentials: %.300s", why);
    else if (r == AUTH_BAD_SIGNATURE || r == AUTH_EXPIRED || (r == AUTH_UNKNOWN_USER && *why))
        snprintf(msg, sizeof msg, "%.300s", why); /* SigV4: an unknown key is told what a wrong signature is */
    else
        snprintf(msg, sizeof msg, "authentication failed");
    refuse_as(rt, rs, 401, "unauthorized", msg);
    if (rt->family == FAM_INFLUX_V2) {
        rs->body.len = 0;
        st_buf_printf(&rs->body, "{\"code\":\"unauthorized\",\"message\":\"%s\"}\n", msg);
    }
    http_set_header(rs, "WWW-Authenticate", "Basic realm=\"strata\"");
}

/* The 403 for an authenticated caller lacking priv (on db). */
static void forbidden(const api_route *rt, http_resp *rs, const char *user, const char *db, auth_priv priv)
{
    char msg[400];
    if (priv == AUTH_ADMIN)
        snprintf(msg, sizeof msg, "user \"%s\" lacks the admin privilege", user);
    else if (rt->family == FAM_INFLUX_V1)
        snprintf(msg, sizeof msg, "\"%s\" user is not authorized to %s database \"%s\"", user,
                 priv == AUTH_WRITE ? "write to" : "read from", db);
    else if (rt->family == FAM_INFLUX_V2)
        snprintf(msg, sizeof msg, "insufficient permissions for %s on bucket \"%s\"",
                 priv == AUTH_WRITE ? "write" : "read", db);
    else
        snprintf(msg, sizeof msg, "user \"%s\" lacks %s on database \"%s\"", user, auth_priv_name(priv), db);
    refuse_as(rt, rs, 403, "forbidden", msg);
}

bool api_may(api_server *sv, const http_req *rq, auth_front front, const char *db, auth_priv priv)
{
    if (!auth_enabled(sv->auth)) return true;
    if (!rq->user) return false;
    /* a database's own admin is the server's (no per-database ADMIN grant) */
    return auth_may(sv->auth, front, rq->user, db, priv);
}

bool api_sees(api_server *sv, const http_req *rq, const char *db)
{
    if (!auth_enabled(sv->auth)) return true;
    return rq->user && (users_privs(auth_users(sv->auth), rq->user, db) & USERS_READ);
}

static const char *req_header(void *ctx, const char *name) { return http_header(ctx, name); }

/* A SigV4-signed request: its canonical parts as the client signed them
 * (the whole path, the query string's arguments only, the body as sent). */
static auth_reason sigv4_login(api_server *sv, auth_front front, http_req *rq, const cred *c, const char *peer,
                               char user[USERS_NAME_MAX + 1], st_err *why)
{
    const char **keys = st_arena_alloc(rq->arena, (rq->nquery + 1) * sizeof *keys);
    const char **vals = st_arena_alloc(rq->arena, (rq->nquery + 1) * sizeof *vals);
    for (size_t i = 0; i < rq->nquery; i++) {
        keys[i] = rq->args[i].key;
        vals[i] = rq->args[i].value;
    }
    sigv4_req r = {.method = rq->method, .path = rq->url, .qkeys = keys, .qvals = vals, .nq = rq->nquery,
                   .header = req_header, .header_ctx = rq, .body = rq->body.p, .body_len = rq->body.len,
                   .now_s = (int64_t)time(NULL)};
    return auth_login_sigv4(sv->auth, front, c, &r, peer, user, why);
}

/* Authenticates rq and checks the route's privilege. 0 to go on (rq->user
 * set; NULL only for the first admin's creation from loopback), or the
 * refusal in rs. */
static int authorize(api_server *sv, const api_route *rt, http_req *rq, http_resp *rs)
{
    cred c = {0};
    st_err e = {0};
    char peer[64];
    http_peer(rq, peer, sizeof peer);
    auth_front front = front_of(rt);
    int bad = cred_parse(http_header(rq, "Authorization"), http_arg(rq, "u"), http_arg(rq, "p"), &c, &e);
    /* asked only of requests without credentials (a scan of the users):
     * the bootstrap exemption and the 401's advice need it */
    bool no_admin = !bad && c.kind == CRED_NONE && !users_any_admin(auth_users(sv->auth));
    if (no_admin && rt->dbs == DBS_STATEMENTS && rt->family == FAM_INFLUX_V1 && peer_is_loopback(peer)) {
        rq->user = NULL; /* influxquery allows CREATE USER ... WITH ALL PRIVILEGES only */
        return 0;
    }
    char user[USERS_NAME_MAX + 1];
    auth_reason r;
    if (bad) {
        c = (cred){0};
        r = AUTH_MALFORMED;
        auth_failed(sv->auth, front, r, peer);
    } else if (c.kind == CRED_SIGV4) {
        r = sigv4_login(sv, front, rq, &c, peer, user, &e);
    } else {
        r = auth_login(sv->auth, front, &c, peer, user);
    }
    if (r != AUTH_OK) {
        if (r != AUTH_MISSING && r != AUTH_THROTTLED)
            log_failure(c.user.p ? c.user.p : "", c.user.p ? c.user.n : 0, peer, front, r);
        unauthorized(rt, rs, r, e.msg, no_admin);
        return -1;
    }
    rq->user = st_arena_strndup(rq->arena, user, strlen(user));
    /* a page of another site driving a browser that holds credentials for
     * Strata (browsers replay cached Basic credentials): nothing it asks
     * may change data or the server */
    const char *site = http_header(rq, "Sec-Fetch-Site");
    if (site && !strcmp(site, "cross-site") && (rt->access == ACCESS_WRITE || rt->access == ACCESS_ADMIN)) {
        refuse_as(rt, rs, 403, "forbidden", "a request that changes data is not served for another site's page "
                                            "(Sec-Fetch-Site: cross-site)");
        return -1;
    }
    const char *db = NULL;
    auth_priv need = rt->access == ACCESS_ADMIN ? AUTH_ADMIN : rt->access == ACCESS_WRITE ? AUTH_WRITE : AUTH_READ;
    if (rt->access == ACCESS_ADMIN) db = "";
    else if (rt->dbs == DBS_REQUEST) db = rq->db;
    else if (rt->dbs == DBS_BUCKET) db = http_arg(rq, "bucket"); /* none: the handler's 400 */
    if (!db || (need != AUTH_ADMIN && !*db)) return 0;
    if (!auth_may(sv->auth, front, rq->user, db, need)) {
        forbidden(rt, rs, rq->user, db, need);
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
    if (auth_enabled(sv->auth) && rt->access != ACCESS_PUBLIC && authorize(sv, rt, rq, rs)) return;
    rt->fn(sv, rq, rs);
}
