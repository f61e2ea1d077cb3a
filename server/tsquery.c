/* tsquery: Timestream's Query (with its paging), CancelQuery and
 * PrepareQuery, on the SQL engine (engine/sql/run.h).
 *
 * A query's cursor stays open between pages: a page is the rows the cursor
 * gives next, up to MaxRows (when given) and about 1 MB of answer, and the
 * last page has no NextToken. Open queries are kept in the front's state,
 * at most --timestream-max-queries (a new one past it closes the least
 * recently used idle one; none idle: ThrottlingException) and none idle for
 * more than an hour. As in Timestream, only the latest token of a query is
 * good, it must come back with the same QueryString, and a query answers
 * the data as of its first call (the cursor's now and its pinned blocks).
 * Rows are written as Timestream's Datum (9-digit timestamps, Java-style
 * doubles, NullValue) and every page carries ColumnInfo and QueryStatus
 * (Grafana reads CumulativeBytesMetered on every page).
 */
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <sys/random.h>

#include "sql/run.h"
#include "sqlapi.h"
#include "ts_int.h"
#include "users.h"

#define PAGE_BYTES (1 << 20)
#define QUERY_MAX_TEXT (256 * 1024)
#define IDLE_NS (3600LL * ST_NS_PER_S)

struct tsq {
    char id[33];
    char token[80];    /* the only NextToken good now */
    char *user;        /* the owner; NULL with auth off */
    char *text;
    size_t textlen;
    sql_cursor *cur;
    scan_budget budget;
    api_server *sv;
    int64_t used_ns;   /* st_mono_ns of the last page */
    bool busy;         /* a page is being produced */
    _Atomic bool cancelled;
    st_buf pending;    /* a row rendered past the last page's end */
    uint64_t rows;
};

static void tsq_free(tsq *q)
{
    if (q->cur) sql_cursor_close(q->cur);
    st_buf_free(&q->pending);
    st_free(q->user);
    st_free(q->text);
    st_free(q);
}

void ts_queries_free(ts_state *t)
{
    for (size_t i = 0; i < t->nqueries; i++) tsq_free(t->queries[i]);
    st_free(t->queries);
    t->queries = NULL;
    t->nqueries = 0;
}

static bool tsq_cancelled(void *ctx)
{
    tsq *q = ctx;
    return atomic_load(&q->cancelled);
}

static bool tsq_may_read(void *ctx, const char *db)
{
    tsq *q = ctx;
    return !auth_enabled(q->sv->auth) ||
           (q->user && (users_privs(auth_users(q->sv->auth), q->user, db) & USERS_READ));
}

/* Under t->mu: drops the queries idle past an hour; makes room for one
 * more. false when every slot is busy. */
static bool make_room(ts_state *t)
{
    int64_t now = st_mono_ns();
    size_t k = 0;
    for (size_t i = 0; i < t->nqueries; i++) {
        tsq *q = t->queries[i];
        if (!q->busy && now - q->used_ns > IDLE_NS) tsq_free(q);
        else t->queries[k++] = q;
    }
    t->nqueries = k;
    if (t->nqueries < t->max_queries) return true;
    size_t lru = SIZE_MAX;
    for (size_t i = 0; i < t->nqueries; i++)
        if (!t->queries[i]->busy && (lru == SIZE_MAX || t->queries[i]->used_ns < t->queries[lru]->used_ns)) lru = i;
    if (lru == SIZE_MAX) return false;
    tsq_free(t->queries[lru]);
    t->queries[lru] = t->queries[--t->nqueries];
    return true;
}

static void drop_query(ts_state *t, tsq *q)
{
    for (size_t i = 0; i < t->nqueries; i++)
        if (t->queries[i] == q) {
            t->queries[i] = t->queries[--t->nqueries];
            break;
        }
    tsq_free(q);
}

static void new_token(tsq *q)
{
    uint64_t r = 0;
    if (getrandom(&r, sizeof r, GRND_NONBLOCK) != sizeof r) r = (uint64_t)st_mono_ns() * 0x9e3779b97f4a7c15ull;
    snprintf(q->token, sizeof q->token, "%s-%" PRIx64 "-%016" PRIx64, q->id, q->rows, r);
}

/* ------------------------------------------------------------ rendering */

static const char *scalar_name(unsigned t)
{
    switch (t) {
    case SQLT_BOOLEAN: return "BOOLEAN";
    case SQLT_BIGINT: return "BIGINT";
    case SQLT_DOUBLE: return "DOUBLE";
    case SQLT_VARCHAR: return "VARCHAR";
    case SQLT_TIMESTAMP: return "TIMESTAMP";
    case SQLT_DATE: return "DATE";
    case SQLT_INTERVAL_DS: return "INTERVAL_DAY_TO_SECOND";
    case SQLT_INTERVAL_YM: return "INTERVAL_YEAR_TO_MONTH";
    default: return "UNKNOWN";
    }
}

static void put_type(st_buf *b, unsigned t)
{
    if (sqlt_is_array(t)) {
        PUTS(b, "{\"ArrayColumnInfo\":{\"Type\":");
        put_type(b, sqlt_elem(t));
        PUTS(b, "}}");
    } else if (sqlt_is_ts(t)) {
        PUTS(b, "{\"TimeSeriesMeasureValueColumnInfo\":{\"Type\":");
        put_type(b, sqlt_elem(t));
        PUTS(b, "}}");
    } else {
        st_buf_printf(b, "{\"ScalarType\":\"%s\"}", scalar_name(t));
    }
}

static void put_scalar(st_buf *b, const sql_value *v, st_buf *tmp)
{
    (void)tmp;
    PUTS(b, "{\"ScalarValue\":");
    if (v->type == SQLT_VARCHAR) {
        json_str(b, v->u.s.p, v->u.s.n);
    } else {
        /* numbers, times and booleans: nothing to escape */
        st_buf_putc(b, '"');
        if (v->type == SQLT_DOUBLE) sqlapi_put_double(b, v->u.d);
        else if (v->type == SQLT_BIGINT) json_int(b, v->u.i);
        else sqlv_format(v, b);
        st_buf_putc(b, '"');
    }
    st_buf_putc(b, '}');
}

static void put_datum(st_buf *b, const sql_value *v, st_buf *tmp)
{
    if (v->null) {
        PUTS(b, "{\"NullValue\":true}");
        return;
    }
    if (!sqlt_is_composite(v->type)) {
        put_scalar(b, v, tmp);
        return;
    }
    const sql_array *a = v->u.arr;
    bool ts = sqlt_is_ts(v->type);
    st_buf_put(b, ts ? "{\"TimeSeriesValue\":[" : "{\"ArrayValue\":[", ts ? 20 : 15);
    for (size_t i = 0; i < a->n; i++) {
        if (i) st_buf_putc(b, ',');
        if (ts) {
            PUTS(b, "{\"Time\":\"");
            sql_value tv = sqlv_int(SQLT_TIMESTAMP, a->times[i]);
            sqlv_format(&tv, b); /* 2020-06-05 15:15:51.000000000, as Timestream writes it */
            PUTS(b, "\",\"Value\":");
        }
        put_datum(b, &a->v[i], tmp);
        if (ts) st_buf_putc(b, '}');
    }
    PUTS(b, "]}");
}

/* SHOW MEASURES's dimensions: Timestream's array(row(dimension_name
 * varchar, data_type varchar)), which the SQL engine gives as text and,
 * structured, through sql_cursor_dimensions */
#define DIMS_TYPE                                                                                            \
    "{\"ArrayColumnInfo\":{\"Type\":{\"RowColumnInfo\":[{\"Name\":\"dimension_name\",\"Type\":{"            \
    "\"ScalarType\":\"VARCHAR\"}},{\"Name\":\"data_type\",\"Type\":{\"ScalarType\":\"VARCHAR\"}}]}}}"

static void put_dims(st_buf *b, const sql_cursor *cur, size_t col)
{
    const st_slice *names;
    size_t n = sql_cursor_dimensions(cur, col, &names);
    PUTS(b, "{\"ArrayValue\":[");
    for (size_t i = 0; i < n; i++) {
        if (i) st_buf_putc(b, ',');
        PUTS(b, "{\"RowValue\":{\"Data\":[{\"ScalarValue\":");
        json_str(b, names[i].p, names[i].n);
        PUTS(b, "},{\"ScalarValue\":\"varchar\"}]}}");
    }
    PUTS(b, "]}");
}

static void put_columns(st_buf *b, sql_cursor *cur)
{
    PUTS(b, "\"ColumnInfo\":[");
    for (size_t i = 0; i < sql_cursor_ncols(cur); i++) {
        if (i) st_buf_putc(b, ',');
        st_slice n = sql_cursor_colname(cur, i);
        PUTS(b, "{\"Name\":");
        json_str(b, n.p, n.n);
        PUTS(b, ",\"Type\":");
        if (sql_cursor_col_is_dimensions(cur, i)) PUTS(b, DIMS_TYPE);
        else put_type(b, sql_cursor_coltype(cur, i));
        st_buf_putc(b, '}');
    }
    st_buf_putc(b, ']');
}

static void put_row(st_buf *b, const sql_cursor *cur, const sql_value *row, size_t n, st_buf *tmp)
{
    PUTS(b, "{\"Data\":[");
    for (size_t i = 0; i < n; i++) {
        if (i) st_buf_putc(b, ',');
        if (!row[i].null && sql_cursor_col_is_dimensions(cur, i)) put_dims(b, cur, i);
        else put_datum(b, &row[i], tmp);
    }
    PUTS(b, "]}");
}

/* ------------------------------------------------------------ errors */

static void query_error(ts_call *c, int code, const char *msg)
{
    const char *said = api_client_message(code, msg);
    switch (code) {
    case ST_EINVAL:
    case ST_ENOTFOUND:
    case ST_ERANGE: ts_fail(c, 400, "ValidationException", "%s", said); break;
    case ST_EDENIED:
        auth_denied(c->sv->auth, AUTH_FRONT_TIMESTREAM, AUTH_READ);
        ts_fail(c, 403, "AccessDeniedException", "%s", said);
        break;
    case ST_ELIMIT:
    case ST_ETIMEOUT: ts_fail(c, 400, "QueryExecutionException", "%s", said); break;
    case ST_ECANCELED: ts_fail(c, 409, "ConflictException", "The query has been cancelled: %s", said); break;
    default: ts_fail_code(c, code, msg); break;
    }
}

/* ------------------------------------------------------------ Query */

/* The next page of q into b (after its opening brace): rows, then the
 * token when more remain. 0, or the error code with e. */
static int page(ts_call *c, tsq *q, int64_t max_rows, st_buf *b, bool *done, st_err *e)
{
    st_buf tmp = {0};
    size_t ncols = sql_cursor_ncols(q->cur);
    st_buf_printf(b, "\"QueryId\":\"%s\",\"Rows\":[", q->id);
    int64_t n = 0;
    int rc = 0;
    *done = false;
    /* rows are rendered into q->pending first: one that would take the
     * page past PAGE_BYTES waits there for the next page (a page holds at
     * least one row), and a row read past the page's last tells that it is
     * not the last page */
    const size_t start = b->len;
    for (;;) {
        if (!q->pending.len) {
            const sql_value *row;
            rc = sql_cursor_next(q->cur, &row, e);
            if (rc < 0) {
                rc = scan_budget_error(&q->budget, rc, e);
                break;
            }
            if (rc == 0) {
                *done = true;
                break;
            }
            rc = 0;
            put_row(&q->pending, q->cur, row, ncols, &tmp);
            q->rows++;
        }
        if ((max_rows && n >= max_rows) || (n && b->len - start + q->pending.len + 1 > PAGE_BYTES)) break;
        if (n) st_buf_putc(b, ',');
        st_buf_put(b, q->pending.p, q->pending.len);
        q->pending.len = 0;
        n++;
    }
    st_buf_free(&tmp);
    if (rc) return rc;
    PUTS(b, "],");
    put_columns(b, q->cur);
    (void)c;
    uint64_t scanned = atomic_load(&q->budget.samples) * 16;
    st_buf_printf(b, ",\"QueryStatus\":{\"ProgressPercentage\":%s,\"CumulativeBytesScanned\":%" PRIu64
                     ",\"CumulativeBytesMetered\":%" PRIu64 "}",
                  *done ? "100.0" : "50.0", scanned, scanned);
    return 0;
}

static int64_t max_rows_of(ts_call *c, bool *bad)
{
    const json_node *mr = json_tree_get(c->in, "MaxRows");
    int64_t m = 0;
    if (mr && mr->kind != JSON_NULL && (mr->kind != JSON_NUMBER || !json_parse_int64(mr->s, &m) || m < 1 || m > 1000)) {
        ts_fail(c, 400, "ValidationException",
                "1 validation error detected: Value at 'maxRows' failed to satisfy constraint: Member must have value "
                "between 1 and 1000");
        *bad = true;
    }
    return m;
}

void ts_query(ts_call *c)
{
    bool bad = false;
    const char *text = ts_str(c, "QueryString", true, &bad);
    const char *token = ts_str(c, "NextToken", false, &bad);
    (void)ts_str(c, "ClientToken", false, &bad);
    int64_t max_rows = bad ? 0 : max_rows_of(c, &bad);
    if (bad) return;
    size_t tlen = strlen(text);
    if (tlen == 0 || tlen > QUERY_MAX_TEXT) {
        ts_fail(c, 400, "ValidationException", "QueryString must be 1 to %d bytes long", QUERY_MAX_TEXT);
        return;
    }
    ts_state *t = c->sv->ts;
    const flags *f = c->sv->f;
    tsq *q = NULL;
    st_err e = {0};
    if (token) {
        pthread_mutex_lock(&t->mu);
        for (size_t i = 0; i < t->nqueries && !q; i++)
            if (!strcmp(t->queries[i]->token, token)) q = t->queries[i];
        bool mine = q && !q->busy && q->textlen == tlen && !memcmp(q->text, text, tlen) &&
                    (!q->user || (c->rq->user && !strcmp(q->user, c->rq->user)));
        bool gone = q && atomic_load(&q->cancelled);
        char id[sizeof q->id] = "";
        if (q) memcpy(id, q->id, sizeof id); /* q may go once the lock is let go */
        if (mine && !gone) q->busy = true;
        pthread_mutex_unlock(&t->mu);
        if (gone) {
            ts_fail(c, 409, "ConflictException", "Query %s has been cancelled.", id);
            return;
        }
        if (!mine) {
            ts_fail(c, 400, "ValidationException", "Invalid pagination token.");
            return;
        }
    } else {
        q = st_calloc(1, sizeof *q);
        q->sv = c->sv;
        q->user = c->rq->user ? st_strndup(c->rq->user, strlen(c->rq->user)) : NULL;
        q->text = st_strndup(text, tlen);
        q->textlen = tlen;
        q->budget = (scan_budget){.max_samples = f->query_max_samples, .cancelled = tsq_cancelled, .cancel_ctx = q};
        scan_budget_init(&q->budget);
        if (f->query_timeout > 0) q->budget.deadline_ns = st_mono_ns() + f->query_timeout;
        sql_run_opts o = {.s = c->sv->s, .max_rows = f->sql_max_rows, .max_result_rows = f->sql_max_result_rows,
                          .budget = &q->budget, .pool = c->sv->pool, .threads = f->query_threads,
                          .may_read = tsq_may_read, .may_ctx = q};
        int rc = sql_cursor_open(&o, q->text, q->textlen, &q->cur, &e, NULL);
        if (rc) {
            q->cur = NULL;
            rc = scan_budget_error(&q->budget, rc, &e);
            tsq_free(q);
            query_error(c, rc, e.msg);
            return;
        }
        pthread_mutex_lock(&t->mu);
        bool room = make_room(t);
        if (room) {
            snprintf(q->id, sizeof q->id, "AEDQC%011" PRIu64 "%016" PRIx64, ++t->query_seq,
                     (uint64_t)((uint64_t)st_mono_ns() * 0x9e3779b97f4a7c15ull));
            q->busy = true;
            t->queries = st_realloc(t->queries, (t->nqueries + 1) * sizeof *t->queries);
            t->queries[t->nqueries++] = q;
        }
        pthread_mutex_unlock(&t->mu);
        if (!room) {
            tsq_free(q);
            ts_fail(c, 429, "ThrottlingException", "Too many queries are open (--timestream-max-queries %u): try again",
                    t->max_queries);
            return;
        }
    }
    /* the page: a deadline of its own (a client reads pages at its pace) */
    if (f->query_timeout > 0) q->budget.deadline_ns = st_mono_ns() + f->query_timeout;
    st_buf b = {0};
    st_buf_putc(&b, '{');
    bool done;
    int rc = page(c, q, max_rows, &b, &done, &e);
    char next_token[sizeof q->token] = "";
    pthread_mutex_lock(&t->mu);
    q->busy = false;
    q->used_ns = st_mono_ns();
    if (rc || done) {
        drop_query(t, q);
    } else {
        new_token(q);
        memcpy(next_token, q->token, sizeof next_token); /* an idle q may be evicted once the lock is let go */
    }
    q = NULL;
    pthread_mutex_unlock(&t->mu);
    if (rc) {
        st_buf_free(&b);
        query_error(c, rc, e.msg);
        return;
    }
    if (*next_token) {
        PUTS(&b, ",\"NextToken\":");
        json_str(&b, next_token, strlen(next_token));
    }
    st_buf_putc(&b, '}');
    ts_ok(c, &b);
}

void ts_cancel_query(ts_call *c)
{
    bool bad = false;
    const char *id = ts_str(c, "QueryId", true, &bad);
    if (bad) return;
    ts_state *t = c->sv->ts;
    pthread_mutex_lock(&t->mu);
    tsq *q = NULL;
    for (size_t i = 0; i < t->nqueries && !q; i++)
        if (!strcmp(t->queries[i]->id, id)) q = t->queries[i];
    bool mine = q && (!q->user || (c->rq->user && !strcmp(q->user, c->rq->user)));
    bool was = mine && atomic_exchange(&q->cancelled, true);
    if (mine && !q->busy && q->cur) { /* its resources go now; the entry answers later calls */
        sql_cursor_close(q->cur);
        q->cur = NULL;
        q->used_ns = st_mono_ns();
    }
    pthread_mutex_unlock(&t->mu);
    if (!mine) {
        /* a finished query, another user's, or none: nothing to cancel */
        ts_fail(c, 400, "ValidationException", "Query %s is not running.", id);
        return;
    }
    st_buf b = {0};
    if (was) PUTS(&b, "{\"CancellationMessage\":\"Query has already been cancelled.\"}");
    else PUTS(&b, "{}");
    ts_ok(c, &b);
}

void ts_prepare_query(ts_call *c)
{
    bool bad = false;
    const char *text = ts_str(c, "QueryString", true, &bad);
    if (bad) return;
    const json_node *vo = json_tree_get(c->in, "ValidateOnly");
    if (!vo || vo->kind != JSON_BOOL || !vo->b) {
        ts_fail(c, 400, "ValidationException", "PrepareQuery supports ValidateOnly=true only.");
        return;
    }
    size_t tlen = strlen(text);
    if (tlen == 0 || tlen > QUERY_MAX_TEXT) {
        ts_fail(c, 400, "ValidationException", "QueryString must be 1 to %d bytes long", QUERY_MAX_TEXT);
        return;
    }
    /* Query's budgets: planning runs metadata statements and EXPLAIN ANALYZE */
    const flags *f = c->sv->f;
    tsq q = {.sv = c->sv, .user = (char *)c->rq->user};
    q.budget = (scan_budget){.max_samples = f->query_max_samples, .cancelled = tsq_cancelled, .cancel_ctx = &q};
    scan_budget_init(&q.budget);
    if (f->query_timeout > 0) q.budget.deadline_ns = st_mono_ns() + f->query_timeout;
    sql_run_opts o = {.s = c->sv->s, .max_rows = f->sql_max_rows, .max_result_rows = f->sql_max_result_rows,
                      .budget = &q.budget, .pool = c->sv->pool, .threads = f->query_threads,
                      .may_read = tsq_may_read, .may_ctx = &q};
    sql_cursor *cur;
    st_err e = {0};
    int rc = sql_cursor_open(&o, text, tlen, &cur, &e, NULL);
    if (rc) {
        query_error(c, scan_budget_error(&q.budget, rc, &e), e.msg);
        return;
    }
    st_buf b = {0};
    PUTS(&b, "{\"QueryString\":");
    json_str(&b, text, strlen(text));
    PUTS(&b, ",\"Columns\":[");
    for (size_t i = 0; i < sql_cursor_ncols(cur); i++) {
        if (i) st_buf_putc(&b, ',');
        st_slice n = sql_cursor_colname(cur, i);
        PUTS(&b, "{\"Name\":");
        json_str(&b, n.p, n.n);
        PUTS(&b, ",\"Type\":");
        put_type(&b, sql_cursor_coltype(cur, i));
        PUTS(&b, ",\"Aliased\":false}");
    }
    PUTS(&b, "],\"Parameters\":[]}");
    sql_cursor_close(cur);
    ts_ok(c, &b);
}
