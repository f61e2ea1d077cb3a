/* promquery: /api/v1/query and /api/v1/query_range.
 *
 * Parameters and errors as Prometheus 2.42's HTTP API has them (400
 * bad_data for what does not parse, 422 execution, 503 timeout or
 * canceled), evaluation by engine/promql/eval.h under a budget: the
 * request's own timeout (never longer than --query-timeout), the sample
 * limit of --query-max-samples, and a check that the client is still there.
 * Answers are Prometheus's JSON, values as its Go formatting writes them.
 */
#include <math.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api.h"
#include "json.h"
#include "promparams.h"
#include "labels.h"
#include "promql/eval.h"
#include "promql/promql.h"
#include "samples.h"

#define MAX_POINTS 11000

/* Queries by outcome, for /metrics: success, bad_data, execution, timeout,
 * canceled, internal (api.h, api_promql_stats). */
static _Atomic uint64_t g_queries[6], g_query_ns;

void api_promql_stats(uint64_t by_result[6], uint64_t *ns)
{
    for (int i = 0; i < 6; i++) by_result[i] = atomic_load(&g_queries[i]);
    *ns = atomic_load(&g_query_ns);
}

/* Prometheus's timestamp style: seconds, up to 3 decimals, no trailing zeros. */
/* (float64(ms) / 1000 with Go's shortest 'f' format, which for any
 * millisecond count a double holds exactly is the decimal with its
 * trailing zeros cut.) At most 24 bytes. */
static size_t fmt_time(char *o, int64_t ms)
{
    char *p = o;
    uint64_t a = ms < 0 ? -(uint64_t)ms : (uint64_t)ms;
    if (ms < 0) *p++ = '-';
    uint64_t sec = a / 1000, f = a % 1000;
    p += json_fmt_u64(p, sec);
    if (f) {
        *p++ = '.';
        *p++ = (char)('0' + f / 100);
        if (f % 100) {
            *p++ = (char)('0' + f / 10 % 10);
            if (f % 10) *p++ = (char)('0' + f % 10);
        }
    }
    return (size_t)(p - o);
}

static void put_time(st_buf *b, int64_t ms)
{
    st_buf_reserve(b, 24);
    b->len += fmt_time((char *)b->p + b->len, ms);
}

/* Prometheus 2.42 writes the values of vectors and matrices as Go's 'f'
 * format, switching to 'e' below 1e-6 and from 1e21 on (json_fmt_prom), but
 * the value of an instant scalar result with 'f' always: checked against
 * the real server (compat-tests/test_grafana_prom.py, test_promql_api.py). */
static void put_value_fmt(st_buf *b, double v, bool scalar)
{
    char tmp[JSON_FLOAT_MAX];
    if (scalar) json_fmt_go(tmp, v, 'f');
    else json_fmt_prom(tmp, v);
    st_buf_putc(b, '"');
    st_buf_put(b, tmp, strlen(tmp));
    st_buf_putc(b, '"');
}

static void put_value(st_buf *b, double v) { put_value_fmt(b, v, false); }

static int param_time(http_req *rq, http_resp *rs, const char *name, int64_t *ms, bool required)
{
    const char *v = http_arg(rq, name);
    if (!v || !*v) {
        if (required) {
            char msg[128];
            snprintf(msg, sizeof msg, "invalid parameter \"%s\": cannot parse \"\" to a valid timestamp", name);
            api_error(rs, ST_EINVAL, msg);
            return -1;
        }
        *ms = st_now_ns() / ST_NS_PER_MS;
        return 0;
    }
    /* Prometheus's parseTime: a number of seconds has its fraction rounded
     * to the millisecond (math.Modf, math.Round); an RFC 3339 time is cut to
     * the millisecond */
    char *end;
    double d = strtod(v, &end);
    if (!*end && isfinite(d) && fabs(d) < 9.2e9) {
        double ip, fp = modf(d, &ip);
        fp = round(fp * 1000) / 1000;
        int64_t ns = (int64_t)ip * ST_NS_PER_S + (int64_t)(fp * 1e9);
        *ms = ns / ST_NS_PER_MS;
        return 0;
    }
    int64_t ns;
    st_err e = {0};
    if (pp_parse_time(v, &ns, &e)) {
        char msg[ST_ERR_MSG + 64];
        snprintf(msg, sizeof msg, "invalid parameter \"%s\": %s", name, e.msg);
        api_error(rs, ST_EINVAL, msg);
        return -1;
    }
    *ms = ns / ST_NS_PER_MS;
    return 0;
}

/* Prometheus 2.42 words a parse error "invalid parameter \"query\": ..." in
 * /api/v1/query but without that prefix in /api/v1/query_range. */
static promql_node *parse_query(http_req *rq, http_resp *rs, st_arena *a, const char **qout,
                                bool prefix)
{
    const char *q = http_arg(rq, "query");
    if (!q) q = "";
    *qout = q;
    promql_node *root;
    st_err e = {0};
    if (promql_parse(q, strlen(q), a, &root, &e) != 0) {
        char msg[ST_ERR_MSG + 64];
        snprintf(msg, sizeof msg, "%s%s", prefix ? "invalid parameter \"query\": " : "", e.msg);
        api_error(rs, ST_EINVAL, msg);
        return NULL;
    }
    return root;
}

/* Strata does not keep exemplars (remote_write counts them as dropped), so
 * every valid request has an empty answer; invalid ones get Prometheus's
 * errors, so that Grafana's exemplar toggle behaves as against Prometheus. */
void api_prom_query_exemplars(api_server *sv, http_req *rq, http_resp *rs)
{
    (void)sv;
    int64_t start = INT64_MIN, end = INT64_MAX;
    const char *names[2] = {"start", "end"};
    int64_t *outs[2] = {&start, &end};
    for (int i = 0; i < 2; i++) {
        const char *v = http_arg(rq, names[i]);
        st_err e = {0};
        if (v && *v && pp_parse_time(v, outs[i], &e)) {
            char msg[ST_ERR_MSG + 80];
            snprintf(msg, sizeof msg, "invalid parameter \"%s\": Invalid time value for '%s': %s", names[i],
                     names[i], e.msg);
            api_error(rs, ST_EINVAL, msg);
            return;
        }
    }
    if (end < start) {
        api_error(rs, ST_EINVAL, "end timestamp must not be before start timestamp");
        return;
    }
    const char *q;
    if (!parse_query(rq, rs, rq->arena, &q, false)) return;
    rs->status = 200;
    rs->content_type = "application/json";
    st_buf_printf(&rs->body, "{\"status\":\"success\",\"data\":[]}\n");
}

/* A step: float seconds or a Prometheus duration. */
static int parse_step(const char *v, int64_t *ms)
{
    char *end;
    double d = strtod(v, &end);
    if (*v && !*end && isfinite(d)) {
        /* Prometheus's parseDuration: whole nanoseconds, then milliseconds,
         * each cut toward zero */
        double ns = d * 1e9;
        if (ns >= 9.2e18 || ns <= -9.2e18) return -1;
        *ms = (int64_t)ns / ST_NS_PER_MS;
        return 0;
    }
    int64_t ns;
    if (st_parse_duration(v, &ns, NULL) == 0) {
        *ms = ns / ST_NS_PER_MS;
        return 0;
    }
    return -1;
}

static void put_labels(st_buf *b, const promql_series *ps)
{
    st_buf_printf(b, "{\"metric\":{");
    for (size_t k = 0; k < ps->nlabels; k++) {
        if (k) st_buf_putc(b, ',');
        json_str_ex(b, ps->labels[k].name.p, ps->labels[k].name.n, JSON_ESC_HTML);
        st_buf_putc(b, ':');
        json_str_ex(b, ps->labels[k].value.p, ps->labels[k].value.n, JSON_ESC_HTML);
    }
    st_buf_putc(b, '}');
}

/* One [t, "v"] pair. */
static void put_point(st_buf *b, int64_t t_ms, double v)
{
    st_buf_putc(b, '[');
    put_time(b, t_ms);
    st_buf_putc(b, ',');
    put_value(b, v);
    st_buf_putc(b, ']');
}

static void put_seconds(st_buf *b, int64_t ns)
{
    char tmp[JSON_FLOAT_MAX];
    json_fmt_go(tmp, (double)ns / 1e9, 'g');
    st_buf_put(b, tmp, strlen(tmp));
}

/* Prometheus's "stats" (?stats=): timings and the samples the query read,
 * per step too with stats=all. */
static void put_stats(st_buf *b, int64_t eval_ns, int64_t total_ns, const promql_result *r, bool all)
{
    uint64_t samples = r->total_samples, peak = 0;
    for (size_t i = 0; i < r->nsteps; i++)
        if (r->step_samples[i] > peak) peak = r->step_samples[i];
    st_buf_printf(b, ",\"stats\":{\"timings\":{\"evalTotalTime\":");
    put_seconds(b, eval_ns);
    st_buf_printf(b, ",\"resultSortTime\":0,\"queryPreparationTime\":0,\"innerEvalTime\":");
    put_seconds(b, eval_ns);
    st_buf_printf(b, ",\"execQueueTime\":0,\"execTotalTime\":");
    put_seconds(b, total_ns);
    st_buf_printf(b, "},\"samples\":{");
    if (all) {
        st_buf_printf(b, "\"totalQueryableSamplesPerStep\":[");
        for (size_t i = 0; i < r->nsteps; i++) {
            if (i) st_buf_putc(b, ',');
            st_buf_putc(b, '[');
            put_time(b, r->t + (int64_t)i * r->step);
            st_buf_printf(b, ",%llu]", (unsigned long long)r->step_samples[i]);
        }
        st_buf_printf(b, "],");
    }
    st_buf_printf(b, "\"totalQueryableSamples\":%llu,\"peakSamples\":%llu}}", (unsigned long long)samples,
                  (unsigned long long)peak);
}

/* One series of a matrix, its points written straight into reserved room. */
static void put_matrix_series(st_buf *b, const promql_series *ps, size_t i)
{
    if (i) st_buf_putc(b, ',');
    put_labels(b, ps);
    st_buf_printf(b, ",\"values\":[");
    /* [t,"v"], : at most 24 + JSON_FLOAT_MAX + 6 bytes a point */
    st_buf_reserve(b, ps->n * (30 + JSON_FLOAT_MAX) + 4);
    char *o = (char *)b->p + b->len, *start = o;
    for (size_t k = 0; k < ps->n; k++) {
        if (k) *o++ = ',';
        *o++ = '[';
        o += fmt_time(o, ps->t[k]);
        *o++ = ',';
        *o++ = '"';
        o += json_fmt_prom(o, ps->v[k]);
        *o++ = '"';
        *o++ = ']';
    }
    b->len += (size_t)(o - start);
    st_buf_put(b, "]}", 2);
}

static void put_result(st_buf *b, const promql_result *r)
{
    switch (r->type) {
    case PROMQL_TYPE_SCALAR:
        st_buf_printf(b, "\"resultType\":\"scalar\",\"result\":[");
        put_time(b, r->t);
        st_buf_putc(b, ',');
        put_value_fmt(b, r->scalar, true);
        st_buf_putc(b, ']');
        return;
    case PROMQL_TYPE_STRING:
        st_buf_printf(b, "\"resultType\":\"string\",\"result\":[");
        put_time(b, r->t);
        st_buf_putc(b, ',');
        json_str(b, r->string.p, r->string.n);
        st_buf_putc(b, ']');
        return;
    case PROMQL_TYPE_VECTOR:
        st_buf_printf(b, "\"resultType\":\"vector\",\"result\":[");
        for (size_t i = 0; i < r->nseries; i++) {
            if (i) st_buf_putc(b, ',');
            put_labels(b, &r->series[i]);
            st_buf_printf(b, ",\"value\":");
            put_point(b, r->t, r->series[i].v[0]);
            st_buf_putc(b, '}');
        }
        st_buf_putc(b, ']');
        return;
    default:
        st_buf_printf(b, "\"resultType\":\"matrix\",\"result\":[");
        for (size_t i = 0; i < r->nseries; i++) put_matrix_series(b, &r->series[i], i);
        st_buf_putc(b, ']');
        return;
    }
}

/* The error of a failed evaluation, as Prometheus's API classes it. */
static void exec_error(http_resp *rs, int rc, const char *msg)
{
    const char *type;
    int status, k;
    switch (rc) {
    case ST_EINVAL: type = "bad_data"; status = 400; k = 1; break;
    case ST_ETIMEOUT: type = "timeout"; status = 503; k = 3; break;
    case ST_ECANCELED: type = "canceled"; status = 503; k = 4; break;
    case ST_ELIMIT: case ST_ECONFLICT: case ST_ERANGE: type = "execution"; status = 422; k = 2; break;
    default: type = "internal"; status = 500; k = 5; break;
    }
    atomic_fetch_add(&g_queries[k], 1);
    rs->status = status;
    rs->content_type = "application/json";
    rs->body.len = 0;
    st_buf_printf(&rs->body, "{\"status\":\"error\",\"errorType\":\"%s\",\"error\":", type);
    json_str(&rs->body, msg, strlen(msg));
    st_buf_put(&rs->body, "}\n", 2);
}

static bool client_gone(void *ctx) { return http_client_gone((http_req *)ctx); }

/* A large matrix goes out as the client reads it, a few series at a time,
 * rather than as one body built whole (a million points are tens of MB).
 * Formatting numbers is most of the work: a pool thread, when one is idle,
 * formats the second half of each batch while the connection's thread
 * formats the first. */
typedef struct qstream {
    promql_result r;
    st_buf buf;
    size_t pos, next; /* bytes of buf sent; next series to write */
    st_buf tail;      /* what follows the last series (stats=all: a pair a step) */
    bool done;
    /* the helper's half */
    st_buf half;
    size_t from, to;
    bool half_done;
    pthread_mutex_t mu;
    pthread_cond_t cv;
    pool *pool;          /* the helper formatting the other half */
} qstream;

/* Points a refill formats: about 256 KB of text at ~30 bytes a point. */
#define STREAM_BATCH_POINTS 8192

static void qstream_free(void *arg)
{
    qstream *x = arg;
    promql_result_free(&x->r);
    st_buf_free(&x->buf);
    st_buf_free(&x->tail);
    st_buf_free(&x->half);
    pthread_mutex_destroy(&x->mu);
    pthread_cond_destroy(&x->cv);
    st_free(x);
}

static void format_half(void *arg)
{
    qstream *x = arg;
    for (size_t i = x->from; i < x->to; i++) put_matrix_series(&x->half, &x->r.series[i], i);
    pthread_mutex_lock(&x->mu);
    x->half_done = true;
    pthread_cond_signal(&x->cv);
    pthread_mutex_unlock(&x->mu);
}

static void refill(qstream *x)
{
    size_t a = x->next, e = a, points = 0, mid = a;
    while (e < x->r.nseries && points < STREAM_BATCH_POINTS) {
        points += x->r.series[e++].n + 1;
        if (points <= STREAM_BATCH_POINTS / 2) mid = e;
    }
    if (mid == a) mid = a + (e - a) / 2;
    x->half.len = 0;
    x->from = mid;
    x->to = e;
    x->half_done = false;
    pool *p = x->pool;
    bool lent = mid < e && p && pool_lend(p, format_half, x);
    size_t own_end = lent ? mid : e;
    for (size_t i = a; i < own_end; i++) put_matrix_series(&x->buf, &x->r.series[i], i);
    if (lent) {
        pthread_mutex_lock(&x->mu);
        while (!x->half_done) pthread_cond_wait(&x->cv, &x->mu);
        pthread_mutex_unlock(&x->mu);
        st_buf_put(&x->buf, x->half.p, x->half.len);
    }
    x->next = e;
}

static long qstream_read(void *arg, char *out, size_t max)
{
    qstream *x = arg;
    if (x->pos == x->buf.len) {
        x->buf.len = x->pos = 0;
        if (x->done) return 0;
        if (x->next < x->r.nseries) refill(x);
        if (x->next == x->r.nseries) {
            st_buf_put(&x->buf, x->tail.p, x->tail.len);
            x->done = true;
        }
    }
    size_t n = x->buf.len - x->pos < max ? x->buf.len - x->pos : max;
    memcpy(out, x->buf.p + x->pos, n);
    x->pos += n;
    return (long)n;
}

/* The request's ?timeout=, never past --query-timeout. */
static int query_deadline(http_req *rq, http_resp *rs, const flags *f, int64_t *deadline)
{
    int64_t timeout = f->query_timeout;
    const char *to = http_arg(rq, "timeout");
    if (to && *to) {
        int64_t ms;
        if (parse_step(to, &ms) != 0) {
            char msg[256];
            snprintf(msg, sizeof msg, "invalid parameter \"timeout\": cannot parse \"%.100s\" to a valid duration",
                     to);
            api_error(rs, ST_EINVAL, msg);
            return -1;
        }
        int64_t ns = ms > INT64_MAX / ST_NS_PER_MS ? INT64_MAX : ms * ST_NS_PER_MS;
        if (!timeout || ns < timeout) timeout = ns;
    }
    *deadline = timeout > 0 ? st_mono_ns() + timeout : 0;
    return 0;
}

static void run(api_server *sv, http_req *rq, http_resp *rs, promql_node *root, int64_t start,
                int64_t end, int64_t step)
{
    store *s = sv->s;
    const flags *f = sv->f;
    int64_t t0 = st_mono_ns();
    scan_budget b = {.max_samples = f->query_max_samples, .cancelled = client_gone, .cancel_ctx = rq};
    if (query_deadline(rq, rs, f, &b.deadline_ns)) return;
    scan_budget_init(&b);
    const char *stats = http_arg(rq, "stats");
    promql_opts o = {.lookback_ms = f->query_lookback_delta / ST_NS_PER_MS,
                     .subquery_step_ms = f->query_subquery_step / ST_NS_PER_MS, .threads = f->query_threads,
                     .pool = sv->pool, .step_stats = stats && *stats};
    promql_result r;
    st_err e = {0};
    int rc = promql_exec(s, rq->db, root, start, end, step, &o, &b, &r, &e);
    int64_t t1 = st_mono_ns();
    atomic_fetch_add(&g_query_ns, (uint64_t)(t1 - t0));
    if (rc) {
        exec_error(rs, rc, e.msg);
        return;
    }
    atomic_fetch_add(&g_queries[0], 1);
    rs->status = 200;
    rs->content_type = "application/json";
    st_buf_printf(&rs->body, "{\"status\":\"success\",\"data\":{");
    size_t points = 0;
    for (size_t i = 0; r.type == PROMQL_TYPE_MATRIX && i < r.nseries; i++) points += r.series[i].n;
    if (points > 20000) {
        qstream *x = st_calloc(1, sizeof *x);
        x->pool = sv->pool;
        pthread_mutex_init(&x->mu, NULL);
        pthread_cond_init(&x->cv, NULL);
        st_buf_putc(&x->tail, ']');
        if (stats && *stats) put_stats(&x->tail, t1 - t0, st_mono_ns() - t0, &r, !strcmp(stats, "all"));
        st_buf_printf(&x->tail, "}}\n");
        x->r = r;
        st_buf_put(&x->buf, rs->body.p, rs->body.len); /* the opening written above */
        st_buf_printf(&x->buf, "\"resultType\":\"matrix\",\"result\":[");
        rs->body.len = 0;
        rs->stream = qstream_read;
        rs->stream_ctx = x;
        rs->stream_free = qstream_free;
        return;
    }
    put_result(&rs->body, &r);
    if (stats && *stats) put_stats(&rs->body, t1 - t0, st_mono_ns() - t0, &r, !strcmp(stats, "all"));
    st_buf_printf(&rs->body, "}}\n");
    promql_result_free(&r);
}

void api_prom_query(api_server *sv, http_req *rq, http_resp *rs)
{
    int64_t t;
    if (param_time(rq, rs, "time", &t, false)) return;
    const char *q;
    promql_node *root = parse_query(rq, rs, rq->arena, &q, true);
    if (!root) return;
    run(sv, rq, rs, root, t, t, 0);
}

void api_prom_query_range(api_server *sv, http_req *rq, http_resp *rs)
{
    int64_t start, end, step;
    if (param_time(rq, rs, "start", &start, true) || param_time(rq, rs, "end", &end, true)) return;
    if (end < start) {
        api_error(rs, ST_EINVAL, "end timestamp must not be before start time");
        return;
    }
    const char *stepv = http_arg(rq, "step");
    if (!stepv || parse_step(stepv, &step) != 0) {
        char msg[256];
        snprintf(msg, sizeof msg, "invalid parameter \"step\": cannot parse \"%.100s\" to a valid duration",
                 stepv ? stepv : "");
        api_error(rs, ST_EINVAL, msg);
        return;
    }
    if (step <= 0) {
        api_error(rs, ST_EINVAL,
                  "zero or negative query resolution step widths are not accepted. Try a positive integer");
        return;
    }
    if ((end - start) / step > MAX_POINTS) {
        api_error(rs, ST_EINVAL,
                  "exceeded maximum resolution of 11,000 points per timeseries. Try decreasing the query "
                  "resolution (?step=XX)");
        return;
    }
    const char *q;
    promql_node *root = parse_query(rq, rs, rq->arena, &q, false);
    if (!root) return;
    promql_type ty = promql_node_type(root);
    if (ty != PROMQL_TYPE_SCALAR && ty != PROMQL_TYPE_VECTOR) {
        char msg[200];
        snprintf(msg, sizeof msg,
                 "invalid expression type \"%s\" for range query, must be Scalar or instant Vector",
                 promql_type_name(ty));
        api_error(rs, ST_EINVAL, msg);
        return;
    }
    run(sv, rq, rs, root, start, end, step);
}
