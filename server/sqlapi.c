/* sqlapi: /api/v3/query_sql (see sqlapi.h). */
#include "sqlapi.h"

#include <inttypes.h>
#include <math.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "api.h"
#include "json.h"
#include "sql/run.h"

/* a string literal, its length counted by the compiler */
#define PUTS(b, lit) st_buf_put((b), (lit), sizeof(lit) - 1)

/* Text produced before the status is sent, and per refill while streaming. */
#define SQL_CHUNK (64 * 1024)
#define SQL_MAX_PARAMS 1024
/* format=pretty holds its answer: at most this many rows (or --sql-max-rows) */
#define PRETTY_MAX_ROWS 100000

typedef enum { FMT_JSON, FMT_JSONL, FMT_CSV, FMT_PRETTY } sql_fmt;

/* Outcomes, as PromQL's (api.h): success, bad_data, execution, timeout,
 * canceled, internal. */
static _Atomic uint64_t g_queries[6], g_query_ns;

static int outcome_of(int code)
{
    switch (code) {
    case 0: return 0;
    case ST_EINVAL: case ST_ENOTFOUND: case ST_ERANGE: case ST_ECONFLICT: return 1;
    case ST_ELIMIT: return 2;
    case ST_ETIMEOUT: return 3;
    case ST_ECANCELED: return 4;
    default: return 5;
    }
}

static void count(int code, int64_t t0)
{
    atomic_fetch_add(&g_queries[outcome_of(code)], 1);
    atomic_fetch_add(&g_query_ns, (uint64_t)(st_mono_ns() - t0));
}

void api_sql_metrics(st_buf *b)
{
    static const char *const names[] = {"success", "bad_data", "execution", "timeout", "canceled", "internal"};
    st_buf_printf(b, "# HELP strata_sql_queries_total SQL queries (/api/v3/query_sql) by outcome.\n"
                     "# TYPE strata_sql_queries_total counter\n");
    for (int i = 0; i < 6; i++)
        st_buf_printf(b, "strata_sql_queries_total{result=\"%s\"} %" PRIu64 "\n", names[i],
                      atomic_load(&g_queries[i]));
    st_buf_printf(b, "# HELP strata_sql_query_seconds_total Time spent answering SQL queries, streaming included.\n"
                     "# TYPE strata_sql_query_seconds_total counter\n"
                     "strata_sql_query_seconds_total %.6f\n",
                  (double)atomic_load(&g_query_ns) / 1e9);
}

/* ------------------------------------------------------------ errors */

static int status_of(int code)
{
    switch (code) {
    case ST_EINVAL: case ST_ENOTFOUND: case ST_ERANGE: case ST_ECONFLICT: return 400;
    case ST_ELIMIT: return 422;
    case ST_EDENIED: return 403;
    case ST_ETIMEOUT: case ST_ECANCELED: case ST_ECLOSED: case ST_ENOSPC: return 503;
    default: return 500;
    }
}

/* {"error":"..."} with the status of code; where (may be NULL) adds the
 * line and column of a parse error. */
static void sql_error_resp(http_resp *rs, int status, int code, const char *msg, const sql_error *where)
{
    const char *said = api_client_message(code, msg);
    rs->status = status;
    rs->content_type = "application/json";
    rs->body.len = 0;
    PUTS(&rs->body, "{\"error\":");
    json_str(&rs->body, said, strlen(said));
    if (where && where->line)
        st_buf_printf(&rs->body, ",\"line\":%" PRIu32 ",\"column\":%" PRIu32, where->line, where->col);
    PUTS(&rs->body, "}\n");
}

/* ------------------------------------------------------------ values */

static void csv_field(st_buf *b, const char *p, size_t n)
{
    bool quote = false;
    for (size_t i = 0; i < n && !quote; i++)
        quote = p[i] == ',' || p[i] == '"' || p[i] == '\n' || p[i] == '\r';
    if (!quote) {
        st_buf_put(b, p, n);
        return;
    }
    st_buf_putc(b, '"');
    for (size_t i = 0; i < n; i++) {
        if (p[i] == '"') st_buf_putc(b, '"');
        st_buf_putc(b, (uint8_t)p[i]);
    }
    st_buf_putc(b, '"');
}

/* A finite double as Java's Double.toString writes it (Trino's text:
 * 35.0, 0.001, 1.0E7, 1.0E-4), from the shortest round-trip digits, which
 * json_shortest finds without printf: answers of many doubles spend their
 * time here. */
void sqlapi_put_double(st_buf *b, double d)
{
    if (!isfinite(d) || d == 0) {
        sqlv_format_double(d, b);
        return;
    }
    char dg[24];
    int dp, nd = json_shortest(d, dg, &dp);
    sqlv_format_digits(d < 0, dg, (size_t)nd, dp, b);
}

/* A non-NULL value as text: Trino's, but timestamps in RFC 3339. */
static void put_text(st_buf *b, const sql_value *v)
{
    if (v->type == SQLT_DOUBLE) sqlapi_put_double(b, v->u.d);
    else if (v->type == SQLT_TIMESTAMP) sqlv_format_rfc3339(v->u.i, b);
    else if (v->type == SQLT_VARCHAR) st_buf_put(b, v->u.s.p, v->u.s.n);
    else sqlv_format(v, b);
}

static void put_json_value(st_buf *b, const sql_value *v, st_buf *tmp)
{
    if (sqlt_is_composite(v->type)) {
        /* an array as a JSON array; a timeseries as its points
         * [{"time": ..., "value": ...}], NULL elements as null */
        const sql_array *a = v->u.arr;
        st_buf_putc(b, '[');
        for (size_t i = 0; i < a->n; i++) {
            if (i) st_buf_putc(b, ',');
            if (a->times) {
                PUTS(b, "{\"time\":\"");
                sqlv_format_rfc3339(a->times[i], b);
                PUTS(b, "\",\"value\":");
            }
            if (a->v[i].null) PUTS(b, "null");
            else put_json_value(b, &a->v[i], tmp);
            if (a->times) st_buf_putc(b, '}');
        }
        st_buf_putc(b, ']');
        return;
    }
    switch (v->type) {
    case SQLT_BOOLEAN:
        if (v->u.b) PUTS(b, "true");
        else PUTS(b, "false");
        return;
    case SQLT_BIGINT: json_int(b, v->u.i); return;
    case SQLT_DOUBLE:
        if (!isfinite(v->u.d)) PUTS(b, "null");
        else sqlapi_put_double(b, v->u.d); /* 35.0, 1.0E10: JSON numbers */
        return;
    case SQLT_VARCHAR: json_str(b, v->u.s.p, v->u.s.n); return;
    case SQLT_TIMESTAMP: /* digits, '-', ':', 'T', '.' and 'Z': nothing to escape */
        st_buf_putc(b, '"');
        sqlv_format_rfc3339(v->u.i, b);
        st_buf_putc(b, '"');
        return;
    default:
        tmp->len = 0;
        put_text(tmp, v);
        json_str(b, (const char *)tmp->p, tmp->len);
        return;
    }
}

/* ------------------------------------------------------------ the query */

typedef struct sql_ctx {
    st_arena *arena;  /* q, db, params: the cursor may point into them */
    sql_cursor *cur;
    scan_budget budget;
    http_req *rq;     /* for the client check, while the handler runs only */
    bool live;
    sql_fmt fmt;
    size_t ncols;
    st_slice *names;  /* JSON-escaped keys ("\"name\":") for json/jsonl */
    st_buf out, tmp;
    size_t pos;
    uint64_t rows;
    bool done, failed;
    int code;         /* the outcome, counted when the context goes */
    int64_t t0;
    api_server *sv;
    const char *user; /* the caller (in arena), NULL when auth is off */
} sql_ctx;

/* sql_run_opts' may_read: the caller's READ grants (counted as a denial
 * by the handler when a statement is refused, not per listing) */
static bool ctx_may_read(void *arg, const char *db)
{
    sql_ctx *x = arg;
    return !auth_enabled(x->sv->auth) ||
           (x->user && (users_privs(auth_users(x->sv->auth), x->user, db) & USERS_READ));
}

static bool ctx_client_gone(void *arg)
{
    sql_ctx *x = arg;
    return x->live && x->rq && http_client_gone(x->rq);
}

static void ctx_free(void *arg)
{
    sql_ctx *x = arg;
    if (x->cur) sql_cursor_close(x->cur);
    count(x->code, x->t0);
    st_buf_free(&x->out);
    st_buf_free(&x->tmp);
    st_arena_free(x->arena);
    st_free(x);
}

/* A request refused before any row: the error answered, the context gone. */
static void refuse(sql_ctx *x, http_resp *rs, int status, int code, const char *msg, const sql_error *where)
{
    x->code = code;
    sql_error_resp(rs, status, code, msg, where);
    ctx_free(x);
}

/* The error code of a failed cursor call: the budget's when it was the
 * budget that stopped it. */
static void put_row(sql_ctx *x, const sql_value *row)
{
    st_buf *b = &x->out;
    if (x->fmt == FMT_CSV) {
        for (size_t i = 0; i < x->ncols; i++) {
            if (i) st_buf_putc(b, ',');
            if (row[i].null) continue;
            x->tmp.len = 0;
            put_text(&x->tmp, &row[i]);
            csv_field(b, (const char *)x->tmp.p, x->tmp.len);
        }
        st_buf_putc(b, '\n');
        return;
    }
    if (x->fmt == FMT_JSON && x->rows) st_buf_putc(b, ',');
    st_buf_putc(b, '{');
    bool first = true;
    for (size_t i = 0; i < x->ncols; i++) {
        if (row[i].null) continue;
        if (!first) st_buf_putc(b, ',');
        first = false;
        st_buf_put(b, x->names[i].p, x->names[i].n);
        put_json_value(b, &row[i], &x->tmp);
    }
    st_buf_putc(b, '}');
    if (x->fmt == FMT_JSONL) st_buf_putc(b, '\n');
}

/* Produces rows into x->out until it holds limit bytes or the answer ends.
 * 0, or the error code (x->out then ends with the error line if rows were
 * already sent). */
static int produce(sql_ctx *x, size_t limit, st_err *e)
{
    while (!x->done && x->out.len - x->pos < limit) {
        const sql_value *row;
        int rc = sql_cursor_next(x->cur, &row, e);
        if (rc < 0) return scan_budget_error(&x->budget, rc, e);
        if (rc == 0) {
            x->done = true;
            if (x->fmt == FMT_JSON) PUTS(&x->out, "]\n");
            break;
        }
        put_row(x, row);
        x->rows++;
    }
    return 0;
}

static long sql_read(void *arg, char *buf, size_t max)
{
    sql_ctx *x = arg;
    if (x->pos == x->out.len) {
        x->out.len = x->pos = 0;
        if (x->failed) return -1;
        if (x->done) return 0;
        st_err e = {0};
        int rc = produce(x, SQL_CHUNK, &e);
        if (rc) {
            /* rows went out already: say why in a last line, then cut the
             * transfer short so that no client takes it for the whole answer */
            x->code = rc;
            x->failed = true;
            const char *said = api_client_message(rc, e.msg);
            PUTS(&x->out, "\n{\"error\":");
            json_str(&x->out, said, strlen(said));
            PUTS(&x->out, "}\n");
        }
        if (x->out.len == 0) return x->failed ? -1 : 0;
    }
    size_t n = x->out.len - x->pos < max ? x->out.len - x->pos : max;
    memcpy(buf, x->out.p + x->pos, n);
    x->pos += n;
    return (long)n;
}

/* ------------------------------------------------------------ pretty */

static size_t utf8_width(const uint8_t *p, size_t n)
{
    size_t w = 0;
    for (size_t i = 0; i < n; i++) w += (p[i] & 0xc0) != 0x80;
    return w;
}

static void pretty_rule(st_buf *b, const size_t *w, size_t ncols)
{
    st_buf_putc(b, '+');
    for (size_t i = 0; i < ncols; i++) {
        for (size_t k = 0; k < w[i] + 2; k++) st_buf_putc(b, '-');
        st_buf_putc(b, '+');
    }
    st_buf_putc(b, '\n');
}

static void pretty_cell(st_buf *b, const char *p, size_t n, size_t width)
{
    st_buf_putc(b, ' ');
    st_buf_put(b, p, n);
    for (size_t k = utf8_width((const uint8_t *)p, n); k < width + 1; k++) st_buf_putc(b, ' ');
    st_buf_putc(b, '|');
}

/* The whole answer as an ASCII table, or an error code. */
static int pretty(sql_ctx *x, uint64_t max_rows, st_buf *outb, st_err *e)
{
    size_t nc = x->ncols;
    size_t *w = st_calloc(nc ? nc : 1, sizeof *w);
    st_buf cells = {0};        /* every cell's text, one after the other */
    st_buf lens = {0};         /* their lengths (size_t) */
    for (size_t i = 0; i < nc; i++) {
        st_slice s = sql_cursor_colname(x->cur, i);
        w[i] = utf8_width((const uint8_t *)s.p, s.n);
    }
    int rc = 0;
    for (;;) {
        const sql_value *row;
        int r = sql_cursor_next(x->cur, &row, e);
        if (r < 0) {
            rc = scan_budget_error(&x->budget, r, e);
            break;
        }
        if (r == 0) break;
        if (x->rows >= max_rows) {
            rc = st_fail(e, ST_ELIMIT,
                         "format=pretty holds the whole answer and it has more than %" PRIu64
                         " rows: use format=json, jsonl or csv, which stream",
                         max_rows);
            break;
        }
        for (size_t i = 0; i < nc; i++) {
            size_t at = cells.len;
            if (!row[i].null) put_text(&cells, &row[i]);
            size_t n = cells.len - at;
            st_buf_put(&lens, &n, sizeof n);
            size_t cw = utf8_width(cells.p + at, n);
            if (cw > w[i]) w[i] = cw;
        }
        x->rows++;
    }
    if (rc == 0) {
        pretty_rule(outb, w, nc);
        st_buf_putc(outb, '|');
        for (size_t i = 0; i < nc; i++) {
            st_slice s = sql_cursor_colname(x->cur, i);
            pretty_cell(outb, s.p, s.n, w[i]);
        }
        st_buf_putc(outb, '\n');
        pretty_rule(outb, w, nc);
        const size_t *ln = (const size_t *)lens.p;
        size_t at = 0;
        for (uint64_t r = 0; r < x->rows; r++) {
            st_buf_putc(outb, '|');
            for (size_t i = 0; i < nc; i++) {
                size_t n = ln[r * nc + i];
                pretty_cell(outb, (const char *)cells.p + at, n, w[i]);
                at += n;
            }
            st_buf_putc(outb, '\n');
        }
        if (x->rows) pretty_rule(outb, w, nc);
    }
    st_buf_free(&cells);
    st_buf_free(&lens);
    st_free(w);
    return rc;
}

/* ------------------------------------------------------------ parameters */

typedef struct sql_params {
    const char *db, *q, *format;
    size_t qlen;
    bool db_given;
    sql_value *vals;
    size_t nvals;
} sql_params;

/* One parameter value (a string, number, boolean or null). */
static int read_param(json_reader *r, sql_value *v, st_err *e)
{
    int c = json_peek(r);
    if (c == '"') {
        st_slice s;
        if (json_read_string(r, &s, e)) return ST_EINVAL;
        *v = sqlv_str(s);
        return 0;
    }
    if (c == '{' || c == '[' || c < 0)
        return st_fail(e, ST_EINVAL, "params: a value must be a string, a number, a boolean or null (offset %zu)",
                       json_offset(r));
    st_slice w;
    if (json_read_word(r, &w, e)) return ST_EINVAL;
    int64_t i;
    double d;
    if (w.n == 4 && !memcmp(w.p, "true", 4)) *v = sqlv_bool(true);
    else if (w.n == 5 && !memcmp(w.p, "false", 5)) *v = sqlv_bool(false);
    else if (w.n == 4 && !memcmp(w.p, "null", 4)) *v = sqlv_null(SQLT_UNKNOWN);
    else if (json_parse_int64(w, &i)) *v = sqlv_int(SQLT_BIGINT, i);
    else if (json_parse_double(w.p, w.n, &d) == 0) *v = sqlv_double(d);
    else return st_fail(e, ST_EINVAL, "params: invalid value \"%.*s\"", (int)(w.n > 64 ? 64 : w.n), w.p);
    return 0;
}

/* params: a JSON object (values in key order) or array. */
static int read_params(json_reader *r, st_arena *a, sql_params *p, st_err *e)
{
    int c = json_peek(r);
    if (c == 'n') { /* "params": null */
        st_slice w;
        return json_read_word(r, &w, e) ? ST_EINVAL : 0;
    }
    bool obj = c == '{';
    if (!obj && c != '[') return st_fail(e, ST_EINVAL, "params must be a JSON object or array");
    json_expect(r, obj ? '{' : '[', e);
    p->vals = st_arena_alloc(a, SQL_MAX_PARAMS * sizeof *p->vals);
    p->nvals = 0;
    if (json_accept(r, obj ? '}' : ']')) return 0;
    do {
        if (p->nvals == SQL_MAX_PARAMS) return st_fail(e, ST_EINVAL, "params: more than %d values", SQL_MAX_PARAMS);
        if (obj) {
            st_slice k;
            if (json_read_string(r, &k, e) || json_expect(r, ':', e)) return ST_EINVAL;
        }
        if (read_param(r, &p->vals[p->nvals++], e)) return ST_EINVAL;
    } while (json_accept(r, ','));
    return json_expect(r, obj ? '}' : ']', e) ? ST_EINVAL : 0;
}

static const char *arena_cstr(st_arena *a, st_slice s) { return st_arena_strndup(a, s.p, s.n); }

/* A JSON request body: {"db","q","format","params"}; other keys ignored. */
static int read_json_body(const char *body, size_t n, st_arena *a, sql_params *p, st_err *e)
{
    json_reader r;
    json_reader_init(&r, body, n, a);
    if (json_expect(&r, '{', e)) return st_wrap(e, "request body");
    if (!json_accept(&r, '}')) {
        do {
            st_slice k;
            if (json_read_string(&r, &k, e) || json_expect(&r, ':', e)) return st_wrap(e, "request body");
            bool isdb = k.n == 2 && !memcmp(k.p, "db", 2), isq = k.n == 1 && k.p[0] == 'q';
            bool isfmt = k.n == 6 && !memcmp(k.p, "format", 6);
            if (k.n == 6 && !memcmp(k.p, "params", 6)) {
                if (read_params(&r, a, p, e)) return st_wrap(e, "request body");
            } else if ((isdb || isq || isfmt) && json_peek(&r) == '"') {
                st_slice v;
                if (json_read_string(&r, &v, e)) return st_wrap(e, "request body");
                if (isdb) {
                    p->db = arena_cstr(a, v);
                    p->db_given = v.n > 0;
                } else if (isq) {
                    p->q = arena_cstr(a, v);
                    p->qlen = v.n;
                } else {
                    p->format = arena_cstr(a, v);
                }
            } else if (isdb || isq || isfmt) {
                if (json_peek(&r) == 'n') {
                    st_slice w;
                    if (json_read_word(&r, &w, e)) return st_wrap(e, "request body");
                } else {
                    return st_fail(e, ST_EINVAL, "request body: \"%.*s\" must be a string", (int)k.n, k.p);
                }
            } else if (json_skip_value(&r, e)) {
                return st_wrap(e, "request body");
            }
        } while (json_accept(&r, ','));
        if (json_expect(&r, '}', e)) return st_wrap(e, "request body");
    }
    return json_expect_end(&r, e) ? st_wrap(e, "request body") : 0;
}

static bool body_is_json(const http_req *rq)
{
    if (strcmp(rq->method, "POST") || !rq->body.len) return false;
    const char *ct = http_header(rq, "Content-Type");
    if (ct && !strncasecmp(ct, "application/json", 16)) return true;
    /* curl -d sends any body as a form: a body that is a JSON object is one */
    for (size_t i = 0; i < rq->body.len; i++) {
        char c = (char)rq->body.p[i];
        if (c == ' ' || c == '\t' || c == '\r' || c == '\n') continue;
        return c == '{';
    }
    return false;
}

/* ------------------------------------------------------------ the handler */

void api_sql_query(api_server *sv, http_req *rq, http_resp *rs)
{
    store *s = sv->s;
    const flags *f = sv->f;
    int64_t t0 = st_mono_ns();
    sql_ctx *x = st_calloc(1, sizeof *x);
    x->arena = st_arena_new(4096);
    x->t0 = t0;
    x->rq = rq;
    sql_params p = {0};
    st_err e = {0};
    if (body_is_json(rq) && read_json_body((const char *)rq->body.p, rq->body.len, x->arena, &p, &e)) {
        refuse(x, rs, 400, ST_EINVAL, e.msg, NULL);
        return;
    }
    /* the query string (and a form body) fill what the JSON body did not */
    const char *v;
    if (!p.q && (v = http_arg(rq, "q"))) {
        p.qlen = strlen(v);
        p.q = st_arena_strndup(x->arena, v, p.qlen);
    }
    if (!p.format) p.format = http_arg(rq, "format");
    if (!p.db_given) {
        v = http_arg(rq, "db");
        if (v && *v) p.db = st_arena_strndup(x->arena, v, strlen(v));
        else if (rq->db_in_path) p.db = st_arena_strndup(x->arena, rq->db, strlen(rq->db));
        p.db_given = p.db != NULL;
    }
    if (!p.vals && (v = http_arg(rq, "params")) && *v) {
        json_reader r;
        const char *copy = st_arena_strndup(x->arena, v, strlen(v));
        json_reader_init(&r, copy, strlen(copy), x->arena);
        if (read_params(&r, x->arena, &p, &e) || json_expect_end(&r, &e)) {
            st_wrap(&e, "params");
            refuse(x, rs, 400, ST_EINVAL, e.msg, NULL);
            return;
        }
    }
    if (!p.q || !p.qlen) {
        refuse(x, rs, 400, ST_EINVAL, "missing query parameter \"q\"", NULL);
        return;
    }
    if (!p.format || !*p.format) {
        /* no format: the Accept header may ask for one */
        const char *acc = http_header(rq, "Accept");
        p.format = "json";
        if (acc && strstr(acc, "application/jsonl")) p.format = "jsonl";
        else if (acc && strstr(acc, "text/csv")) p.format = "csv";
        else if (acc && strstr(acc, "text/plain")) p.format = "pretty";
    }
    if (!strcmp(p.format, "json")) x->fmt = FMT_JSON;
    else if (!strcmp(p.format, "jsonl")) x->fmt = FMT_JSONL;
    else if (!strcmp(p.format, "csv")) x->fmt = FMT_CSV;
    else if (!strcmp(p.format, "pretty")) x->fmt = FMT_PRETTY;
    else {
        char msg[200];
        snprintf(msg, sizeof msg, "invalid format \"%.64s\": json, jsonl, csv or pretty", p.format);
        refuse(x, rs, 400, ST_EINVAL, msg, NULL);
        return;
    }
    x->sv = sv;
    x->user = rq->user ? st_arena_strndup(x->arena, rq->user, strlen(rq->user)) : NULL;
    if (p.db_given && !ctx_may_read(x, p.db)) {
        char msg[300];
        snprintf(msg, sizeof msg, "Access denied: no READ privilege on database '%.128s'", p.db);
        auth_denied(sv->auth, AUTH_FRONT_SQL, AUTH_READ);
        refuse(x, rs, 403, ST_EDENIED, msg, NULL);
        return;
    }
    if (p.db_given && !store_db_exists(s, p.db)) {
        char msg[256];
        snprintf(msg, sizeof msg, "database not found: \"%.128s\"", p.db);
        refuse(x, rs, 404, ST_ENOTFOUND, msg, NULL);
        return;
    }

    x->budget = (scan_budget){.max_samples = f->query_max_samples, .cancelled = ctx_client_gone, .cancel_ctx = x};
    if (f->query_timeout > 0) x->budget.deadline_ns = st_mono_ns() + f->query_timeout;
    scan_budget_init(&x->budget);
    x->live = true;
    sql_run_opts o = {.s = s, .db = p.db, .max_rows = f->sql_max_rows, .max_result_rows = f->sql_max_result_rows,
                      .budget = &x->budget, .pool = sv->pool, .threads = f->query_threads,
                      .params = p.vals, .nparams = p.nvals, .may_read = ctx_may_read, .may_ctx = x};
    sql_error where = {0};
    int rc = sql_cursor_open(&o, p.q, p.qlen, &x->cur, &e, &where);
    if (rc == ST_EDENIED) auth_denied(sv->auth, AUTH_FRONT_SQL, AUTH_READ);
    if (rc) {
        x->cur = NULL;
        rc = scan_budget_error(&x->budget, rc, &e);
        refuse(x, rs, status_of(rc), rc, e.msg, where.line ? &where : NULL);
        return;
    }
    x->ncols = sql_cursor_ncols(x->cur);
    rs->status = 200;
    if (x->fmt == FMT_PRETTY) {
        uint64_t cap = f->sql_max_rows && f->sql_max_rows < PRETTY_MAX_ROWS ? f->sql_max_rows : PRETTY_MAX_ROWS;
        rc = pretty(x, cap, &rs->body, &e);
        x->code = rc;
        if (rc) sql_error_resp(rs, status_of(rc), rc, e.msg, NULL);
        else rs->content_type = "text/plain; charset=utf-8";
        ctx_free(x);
        return;
    }
    /* the header, then rows until the first chunk is full or the answer ends */
    if (x->fmt == FMT_CSV) {
        for (size_t i = 0; i < x->ncols; i++) {
            if (i) st_buf_putc(&x->out, ',');
            st_slice n = sql_cursor_colname(x->cur, i);
            csv_field(&x->out, n.p, n.n);
        }
        st_buf_putc(&x->out, '\n');
    } else {
        x->names = st_arena_alloc(x->arena, (x->ncols ? x->ncols : 1) * sizeof *x->names);
        for (size_t i = 0; i < x->ncols; i++) {
            st_slice n = sql_cursor_colname(x->cur, i);
            x->tmp.len = 0;
            json_str(&x->tmp, n.p, n.n);
            st_buf_putc(&x->tmp, ':');
            x->names[i] = st_slice_of(st_arena_strndup(x->arena, (const char *)x->tmp.p, x->tmp.len), x->tmp.len);
        }
        if (x->fmt == FMT_JSON) st_buf_putc(&x->out, '[');
    }
    rc = produce(x, SQL_CHUNK, &e);
    x->live = false; /* from here on the request may go before the context */
    if (rc) {
        refuse(x, rs, status_of(rc), rc, e.msg, NULL);
        return;
    }
    rs->content_type = x->fmt == FMT_JSON    ? "application/json"
                       : x->fmt == FMT_JSONL ? "application/jsonl"
                                             : "text/csv; charset=utf-8";
    if (x->done) {
        st_buf_put(&rs->body, x->out.p, x->out.len);
        ctx_free(x);
        return;
    }
    rs->stream = sql_read;
    rs->stream_ctx = x;
    rs->stream_free = ctx_free;
}
