/* influxauth: users statements and /query's access check (see influxauth.h). */
#include "influxauth.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "catalog.h"
#include "influx.h"
#include "influxql/access.h"
#include "json.h"

#define PUTS(b, lit) st_buf_put((b), (lit), sizeof(lit) - 1)

st_slice influxauth_redacted(st_arena *a, st_slice t)
{
    for (size_t i = 0; i + 8 <= t.n; i++) {
        if (strncasecmp(t.p + i, "password", 8) || (i && (isalnum((unsigned char)t.p[i - 1]) || t.p[i - 1] == '_')))
            continue;
        size_t keep = i + 8;
        char *out = st_arena_alloc(a, keep + 12);
        memcpy(out, t.p, keep);
        memcpy(out + keep, " [REDACTED]", 12);
        return st_slice_of(out, keep + 11);
    }
    return t;
}

/* ------------------------------------------------------------- access */

typedef struct check {
    api_server *sv;
    const http_req *rq;
    const iql_stmt *st;
    char db[CATALOG_NAME_MAX + 1];
    iql_priv need;
} check;

static int on_access(void *ctx, st_slice db, iql_priv p)
{
    check *c = ctx;
    auth_priv need = p == IQL_PRIV_READ ? AUTH_READ : p == IQL_PRIV_WRITE ? AUTH_WRITE : AUTH_ADMIN;
    /* no database (none given, none named): the statement fails on its
     * own, having touched nothing; a name too long for any grant is one
     * nobody may use */
    if (!db.n && need != AUTH_ADMIN) return 0;
    snprintf(c->db, sizeof c->db, "%.*s", (int)(db.n > CATALOG_NAME_MAX ? CATALOG_NAME_MAX : db.n), db.p);
    if (db.n > CATALOG_NAME_MAX && need != AUTH_ADMIN) {
        c->need = p;
        return 1;
    }
    /* a database's own admin is the server's: Strata has no per-database
     * ADMIN grant */
    const char *on = need == AUTH_ADMIN ? "" : c->db;
    if (c->st->kind == IQL_CREATE_DATABASE && !users_is_admin(auth_users(c->sv->auth), c->rq->user)) {
        char name[CATALOG_NAME_MAX + 1];
        snprintf(name, sizeof name, "%.*s", (int)(c->st->name.n > CATALOG_NAME_MAX ? CATALOG_NAME_MAX : c->st->name.n),
                 c->st->name.p);
        if (api_may(c->sv, c->rq, AUTH_FRONT_INFLUX_V1, name, AUTH_WRITE)) return 0;
        snprintf(c->db, sizeof c->db, "%s", name);
        c->need = IQL_PRIV_ADMIN;
        return 1;
    }
    if (api_may(c->sv, c->rq, AUTH_FRONT_INFLUX_V1, on, need)) return 0;
    c->need = p;
    return 1;
}

static bool manages_users(iql_kind k)
{
    switch (k) {
    case IQL_SHOW_USERS: case IQL_CREATE_USER: case IQL_DROP_USER: case IQL_SET_PASSWORD: case IQL_GRANT:
    case IQL_REVOKE: case IQL_SHOW_GRANTS: case IQL_CREATE_TOKEN: case IQL_SHOW_TOKENS: case IQL_DROP_TOKEN:
    case IQL_CREATE_ACCESS_KEY: case IQL_DROP_ACCESS_KEY:
        return true;
    default: return false;
    }
}

/* Whether a statement changes the server (anything but reading). */
static bool changes(const iql_stmt *st)
{
    switch (st->kind) {
    case IQL_SELECT: return st->sel && st->sel->has_into;
    case IQL_SHOW_DATABASES: case IQL_SHOW_RETENTION_POLICIES: case IQL_SHOW_MEASUREMENTS: case IQL_SHOW_TAG_KEYS:
    case IQL_SHOW_TAG_VALUES: case IQL_SHOW_FIELD_KEYS: case IQL_SHOW_SERIES: case IQL_SHOW_USERS:
    case IQL_SHOW_GRANTS: case IQL_SHOW_TOKENS: case IQL_SHOW_CQS:
        return false;
    default: return true;
    }
}

int influxauth_check(api_server *sv, http_req *rq, const iql_stmt *stmts, size_t n, const char *def,
                     http_resp *rs)
{
    if (!auth_enabled(sv->auth)) {
        /* users made while auth is off outlive it: only whoever is on the
         * server's own host may make them, as only they could turn auth on */
        for (size_t i = 0; i < n; i++)
            if (manages_users(stmts[i].kind) && !api_peer_is_loopback(rq)) {
                influx_error(rs, INFLUX_V1, 403,
                             "error authorizing query: users, grants, tokens and keys are managed from the server's "
                             "own host while --auth is off (or with --auth true)");
                return -1;
            }
        return 0;
    }
    char msg[600];
    /* a page of another site driving a browser that holds credentials for
     * Strata (Basic credentials are cached by browsers): it may not
     * change anything */
    const char *site = http_header(rq, "Sec-Fetch-Site");
    if (site && !strcmp(site, "cross-site"))
        for (size_t i = 0; i < n; i++)
            if (changes(&stmts[i])) {
                influx_error(rs, INFLUX_V1, 403, "error authorizing query: a statement that changes the server is not "
                                                 "run for another site's page (Sec-Fetch-Site: cross-site)");
                return -1;
            }
    if (!rq->user) { /* no admin yet, a loopback caller without credentials */
        for (size_t i = 0; i < n; i++)
            if (stmts[i].kind != IQL_CREATE_USER || !stmts[i].all_privileges) {
                influx_error(rs, INFLUX_V1, 403,
                             "error authorizing query: create admin user first or disable authentication");
                return -1;
            }
        return 0;
    }
    st_slice d = def ? st_slice_cstr(def) : (st_slice){0};
    for (size_t i = 0; i < n; i++) {
        check c = {.sv = sv, .rq = rq, .st = &stmts[i]};
        if (!iql_stmt_access(&stmts[i], d, on_access, &c)) continue;
        st_slice t = influxauth_redacted(rq->arena, stmts[i].text);
        char req[120];
        if (c.need == IQL_PRIV_ADMIN) snprintf(req, sizeof req, "admin privilege");
        else snprintf(req, sizeof req, "%s on %s", c.need == IQL_PRIV_READ ? "READ" : "WRITE", c.db);
        snprintf(msg, sizeof msg, "error authorizing query: %s not authorized to execute statement '%.*s', requires %s",
                 rq->user, (int)(t.n > 300 ? 300 : t.n), t.p, req);
        influx_error(rs, INFLUX_V1, 403, msg);
        return -1;
    }
    return 0;
}

/* ---------------------------------------------------------- statements */


typedef struct lister {
    st_buf *b;
    bool first;
} lister;

static void row_start(lister *l)
{
    if (l->first) PUTS(l->b, ",\"values\":[");
    else st_buf_putc(l->b, ',');
    l->first = false;
    st_buf_putc(l->b, '[');
}

static void on_user(void *ctx, const char *name, bool admin)
{
    lister *l = ctx;
    row_start(l);
    json_str(l->b, name, strlen(name));
    st_buf_printf(l->b, ",%s]", admin ? "true" : "false");
}

static void on_grant(void *ctx, const users_db_grant *g)
{
    lister *l = ctx;
    row_start(l);
    json_str(l->b, g->db, strlen(g->db));
    st_buf_printf(l->b, ",\"%s\"]", g->privs == USERS_ALL ? "ALL PRIVILEGES" : g->privs == USERS_READ ? "READ" : "WRITE");
}

static void on_token(void *ctx, const char *user, const char *id, int64_t created_ms)
{
    lister *l = ctx;
    row_start(l);
    json_str(l->b, id, strlen(id));
    st_buf_putc(l->b, ',');
    json_str(l->b, user, strlen(user));
    time_t t = (time_t)(created_ms / 1000);
    struct tm tm;
    gmtime_r(&t, &tm);
    char ts[40];
    strftime(ts, sizeof ts, "%Y-%m-%dT%H:%M:%SZ", &tm);
    st_buf_printf(l->b, ",\"%s\"]", ts);
}

static int cstr(st_slice s, char *out, size_t cap, const char *what, st_err *e)
{
    if (s.n >= cap) return st_fail(e, ST_EINVAL, "%s too long", what);
    memcpy(out, s.p, s.n);
    out[s.n] = 0;
    return 0;
}

int influxauth_exec(api_server *sv, const http_req *rq, const iql_stmt *st, st_buf *b, st_err *e)
{
    (void)rq;
    users *u = auth_users(sv->auth);
    char name[USERS_NAME_MAX + 1] = "", db[CATALOG_NAME_MAX + 1] = "", pw[256] = "";
    char hash[USERS_HASH_MAX + 1];
    if (st->user.n && cstr(st->user, name, sizeof name, "user name", e)) return ST_EINVAL;
    int rc = 0;
    switch (st->kind) {
    case IQL_SHOW_USERS: {
        lister l = {.b = b, .first = true};
        PUTS(b, "\"series\":[{\"columns\":[\"user\",\"admin\"]");
        users_list(u, on_user, &l);
        if (!l.first) st_buf_putc(b, ']');
        PUTS(b, "}]");
        return 0;
    }
    case IQL_SHOW_GRANTS: {
        size_t mark = b->len;
        lister l = {.b = b, .first = true};
        PUTS(b, "\"series\":[{\"columns\":[\"database\",\"privilege\"]");
        if (users_grants(u, name, on_grant, &l)) {
            b->len = mark;
            return st_fail(e, ST_ENOTFOUND, "user not found");
        }
        if (!l.first) st_buf_putc(b, ']');
        PUTS(b, "}]");
        return 0;
    }
    case IQL_SHOW_TOKENS: {
        lister l = {.b = b, .first = true};
        PUTS(b, "\"series\":[{\"columns\":[\"id\",\"user\",\"created\"]");
        users_tokens(u, st->user.n ? name : NULL, on_token, &l);
        if (!l.first) st_buf_putc(b, ']');
        PUTS(b, "}]");
        return 0;
    }
    case IQL_CREATE_USER:
    case IQL_SET_PASSWORD:
        if (cstr(st->password, pw, sizeof pw, "password", e)) return ST_EINVAL;
        if ((rc = users_name_valid(name, strlen(name), e)) || (rc = auth_hash_password(pw, hash, e))) break;
        if (st->kind == IQL_CREATE_USER) rc = users_create(u, name, hash, st->all_privileges, e);
        else rc = users_set_hash(u, name, hash, e);
        explicit_bzero(hash, sizeof hash);
        break;
    case IQL_DROP_USER: rc = users_drop(u, name, true, e); break;
    case IQL_GRANT:
    case IQL_REVOKE:
        if (st->all_privileges) {
            rc = users_set_admin(u, name, st->kind == IQL_GRANT, true, e);
            break;
        }
        if (cstr(st->on, db, sizeof db, "database name", e)) return ST_EINVAL;
        rc = users_grant(u, name, db, (unsigned)st->grant, st->kind == IQL_REVOKE, e);
        break;
    case IQL_CREATE_TOKEN: {
        char secret[72], id[USERS_TOKEN_ID_LEN + 1];
        if ((rc = auth_token_create(sv->auth, name, secret, id, e))) break;
        PUTS(b, "\"series\":[{\"columns\":[\"id\",\"user\",\"token\"],\"values\":[[");
        json_str(b, id, strlen(id));
        st_buf_putc(b, ',');
        json_str(b, name, strlen(name));
        st_buf_putc(b, ',');
        json_str(b, secret, strlen(secret));
        PUTS(b, "]]}]");
        explicit_bzero(secret, sizeof secret);
        break;
    }
    case IQL_DROP_TOKEN:
        if (cstr(st->name, db, sizeof db, "token id", e)) return ST_EINVAL;
        rc = users_token_drop(u, db, e);
        break;
    case IQL_CREATE_ACCESS_KEY: {
        char secret[USERS_KEY_MAX + 1];
        if ((rc = auth_key_create(sv->auth, name, secret, e))) break;
        PUTS(b, "\"series\":[{\"columns\":[\"access_key_id\",\"secret_access_key\"],\"values\":[[");
        json_str(b, name, strlen(name));
        st_buf_putc(b, ',');
        json_str(b, secret, strlen(secret));
        PUTS(b, "]]}]");
        explicit_bzero(secret, sizeof secret);
        break;
    }
    case IQL_DROP_ACCESS_KEY: rc = users_key_set(u, name, "", e); break;
    default: return st_fail(e, ST_EINVAL, "not a users statement");
    }
    explicit_bzero(pw, sizeof pw);
    return rc;
}
