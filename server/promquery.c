/* promquery: /api/v1/query and /api/v1/query_range.
 *
 * Every query is parsed with the full PromQL 2.42 grammar, so what
 * Prometheus rejects gets its 400 bad_data with Prometheus's message. What
 * parses is evaluated as far as Strata can today: number and string
 * literals and arithmetic and comparisons between scalars (Grafana's
 * "Save & test" sends 1+1), and instant and range vector selectors with
 * offset and @, evaluated as Prometheus 2.42 does: an instant selector takes
 * the newest sample in [t - 5m, t] unless it is a stale marker; a range
 * selector takes the samples in [t - range, t], stale markers left out;
 * Prometheus's timestamps are milliseconds, and of two samples in one
 * millisecond the later written shows. Anything else gets 422 "execution"
 * naming the part that cannot be evaluated yet, never a wrong answer.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api.h"
#include "json.h"
#include "promparams.h"
#include "labels.h"
#include "promql/promql.h"
#include "samples.h"

#define MAX_POINTS 11000

/* Evaluates a scalar expression; returns the unsupported node, or NULL. */
static const promql_node *eval_scalar(const promql_node *n, double *out)
{
    switch (n->kind) {
    case PROMQL_NUMBER: *out = n->u.number; return NULL;
    case PROMQL_PAREN: return eval_scalar(n->u.paren.expr, out);
    case PROMQL_UNARY: {
        const promql_node *bad = eval_scalar(n->u.unary.expr, out);
        if (!bad && n->u.unary.neg) *out = -*out;
        return bad;
    }
    case PROMQL_BINARY: {
        double a, b;
        const promql_node *bad = eval_scalar(n->u.bin.lhs, &a);
        if (!bad) bad = eval_scalar(n->u.bin.rhs, &b);
        if (bad) return bad;
        switch (n->u.bin.op) {
        case PROMQL_ADD: *out = a + b; break;
        case PROMQL_SUB: *out = a - b; break;
        case PROMQL_MUL: *out = a * b; break;
        case PROMQL_DIV: *out = a / b; break;
        case PROMQL_MOD: *out = fmod(a, b); break;
        case PROMQL_POW: *out = pow(a, b); break;
        case PROMQL_ATAN2: *out = atan2(a, b); break;
        /* between scalars the parser requires bool: 1 or 0 */
        case PROMQL_EQLC: *out = a == b; break;
        case PROMQL_NEQ: *out = a != b; break;
        case PROMQL_LTE: *out = a <= b; break;
        case PROMQL_LSS: *out = a < b; break;
        case PROMQL_GTE: *out = a >= b; break;
        case PROMQL_GTR: *out = a > b; break;
        default: return n;
        }
        return NULL;
    }
    default: return n;
    }
}

static const char *kind_name(const promql_node *n)
{
    switch (n->kind) {
    case PROMQL_VECTOR_SELECTOR: return "vector selectors";
    case PROMQL_MATRIX_SELECTOR: return "range vector selectors";
    case PROMQL_SUBQUERY: return "subqueries";
    case PROMQL_CALL: return "function calls";
    case PROMQL_AGGREGATE: return "aggregations";
    case PROMQL_BINARY: return "this binary operation";
    default: return "this expression";
    }
}

static void not_yet(http_resp *rs, const char *q, const promql_node *bad)
{
    char msg[600];
    int len = (int)(bad->end - bad->pos);
    snprintf(msg, sizeof msg, "Strata cannot evaluate %s yet: %.*s", kind_name(bad),
             len > 200 ? 200 : len, q + bad->pos);
    rs->status = 422;
    rs->content_type = "application/json";
    rs->body.len = 0;
    st_buf_printf(&rs->body, "{\"status\":\"error\",\"errorType\":\"execution\",\"error\":");
    json_str(&rs->body, msg, strlen(msg));
    st_buf_put(&rs->body, "}\n", 2);
}

/* Prometheus's timestamp style: seconds, up to 3 decimals, no trailing zeros. */
static void put_time(st_buf *b, int64_t ms)
{
    int64_t s = ms / 1000, f = ms % 1000;
    if (f < 0) {
        f += 1000;
        s -= 1;
    }
    if (!f) {
        st_buf_printf(b, "%lld", (long long)s);
        return;
    }
    char frac[8];
    snprintf(frac, sizeof frac, "%03lld", (long long)f);
    size_t n = strlen(frac);
    while (n && frac[n - 1] == '0') frac[--n] = 0;
    if (s < 0 || ms >= 0) st_buf_printf(b, "%lld.%s", (long long)s, frac);
    else st_buf_printf(b, "-0.%s", frac);
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

static int eval_selector_instant(http_req *rq, http_resp *rs, store *s, const promql_node *root,
                                 int64_t t);
static int eval_selector_range(http_req *rq, http_resp *rs, store *s, const promql_node *root,
                               int64_t start, int64_t end, int64_t step);

/* Strata does not keep exemplars (remote_write counts them as dropped), so
 * every valid request has an empty answer; invalid ones get Prometheus's
 * errors, so that Grafana's exemplar toggle behaves as against Prometheus. */
void api_prom_query_exemplars(http_req *rq, http_resp *rs)
{
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

void api_prom_query(http_req *rq, http_resp *rs, store *s)
{
    int64_t t;
    if (param_time(rq, rs, "time", &t, false)) return;
    const char *q;
    promql_node *root = parse_query(rq, rs, rq->arena, &q, true);
    if (!root) return;
    rs->status = 200;
    rs->content_type = "application/json";
    if (root->kind == PROMQL_STRING) {
        st_buf_printf(&rs->body, "{\"status\":\"success\",\"data\":{\"resultType\":\"string\",\"result\":[");
        put_time(&rs->body, t);
        st_buf_putc(&rs->body, ',');
        json_str(&rs->body, root->u.string.p, root->u.string.n);
        st_buf_printf(&rs->body, "]}}\n");
        return;
    }
    rs->status = 0;
    if (eval_selector_instant(rq, rs, s, root, t)) return;
    rs->status = 200;
    double v;
    const promql_node *bad = eval_scalar(root, &v);
    if (bad) {
        not_yet(rs, q, bad);
        return;
    }
    st_buf_printf(&rs->body, "{\"status\":\"success\",\"data\":{\"resultType\":\"scalar\",\"result\":[");
    put_time(&rs->body, t);
    st_buf_putc(&rs->body, ',');
    put_value_fmt(&rs->body, v, true);
    st_buf_printf(&rs->body, "]}}\n");
}

#define LOOKBACK_MS (5 * 60 * 1000)

/* One series' samples at millisecond resolution (the last of a millisecond
 * wins), numbers only. */
typedef struct pseries {
    uint8_t *key;
    size_t keylen;
    int64_t *t; /* ms */
    double *v;
    size_t n;
} pseries;

typedef struct pset {
    pseries *s;
    size_t n, cap;
} pset;

static void pset_free(pset *p)
{
    for (size_t i = 0; i < p->n; i++) {
        st_free(p->s[i].key);
        st_free(p->s[i].t);
        st_free(p->s[i].v);
    }
    st_free(p->s);
}

static double as_double(uint8_t type, uint64_t bits)
{
    switch (type) {
    case ST_VT_INT: return (double)(int64_t)bits;
    case ST_VT_UINT: return (double)bits;
    case ST_VT_BOOL: return bits ? 1 : 0;
    default: {
        double d;
        memcpy(&d, &bits, 8);
        return d;
    }
    }
}

static bool is_stale(double v)
{
    uint64_t b;
    memcpy(&b, &v, 8);
    return b == ST_STALE_NAN_BITS;
}

/* Loads the series a vector selector selects, with their samples in
 * [mint_ms, maxt_ms]. */
static int load_series(store *s, const char *db, const promql_node *vs, int64_t mint_ms,
                       int64_t maxt_ms, pset *out, st_err *e)
{
    matcher **ms;
    size_t nm;
    int rc = promql_compile_matchers(vs, &ms, &nm, e);
    if (rc) return rc;
    store_query *q;
    int64_t mint = mint_ms <= INT64_MIN / ST_NS_PER_MS ? INT64_MIN : mint_ms * ST_NS_PER_MS;
    int64_t maxt = maxt_ms >= INT64_MAX / ST_NS_PER_MS - 1 ? INT64_MAX : maxt_ms * ST_NS_PER_MS + ST_NS_PER_MS - 1;
    rc = store_query_open(s, db, mint, maxt, &q, e);
    if (rc == ST_ENOTFOUND) {
        promql_free_matchers(ms, nm);
        return 0;
    }
    if (rc == 0) rc = store_query_select(q, ms, nm, e);
    codec_samples smp = {0};
    const uint8_t *key;
    size_t kl;
    series_meta meta;
    int more;
    while (rc == 0 && (more = store_query_next(q, &key, &kl, &meta, &smp, e)) != 0) {
        if (more < 0) {
            rc = more;
            break;
        }
        if (meta.type == ST_VT_STRING) continue;
        if (out->n == out->cap) {
            out->cap = out->cap ? out->cap * 2 : 64;
            out->s = st_realloc(out->s, out->cap * sizeof *out->s);
        }
        pseries *ps = &out->s[out->n++];
        ps->key = st_malloc(kl);
        memcpy(ps->key, key, kl);
        ps->keylen = kl;
        ps->t = st_malloc((smp.n + 1) * sizeof *ps->t);
        ps->v = st_malloc((smp.n + 1) * sizeof *ps->v);
        ps->n = 0;
        for (size_t i = 0; i < smp.n; i++) {
            int64_t tms = smp.ts[i] >= 0 ? smp.ts[i] / ST_NS_PER_MS
                                          : -((-smp.ts[i] + ST_NS_PER_MS - 1) / ST_NS_PER_MS);
            double v = as_double(meta.type, smp.vals[i]);
            if (ps->n && ps->t[ps->n - 1] == tms) {
                ps->v[ps->n - 1] = v; /* later in the millisecond wins */
            } else {
                ps->t[ps->n] = tms;
                ps->v[ps->n++] = v;
            }
        }
    }
    codec_samples_free(&smp);
    store_query_close(q);
    promql_free_matchers(ms, nm);
    return rc;
}

static int cmp_pseries(const void *a, const void *b)
{
    const pseries *x = a, *y = b;
    return labels_key_compare(x->key, x->keylen, y->key, y->keylen);
}

/* Loads the selector's series in Prometheus's order, or answers the error.
 * Returns 0 with ps filled, -1 when the response is already made. */
static int load_or_answer(http_req *rq, http_resp *rs, store *s, const promql_node *vs,
                          int64_t mint_ms, int64_t maxt_ms, pset *ps)
{
    st_err e = {0};
    int rc = load_series(s, rq->db, vs, mint_ms, maxt_ms, ps, &e);
    if (rc) {
        pset_free(ps);
        api_error(rs, rc, e.msg);
        return -1;
    }
    if (ps->n > 1) qsort(ps->s, ps->n, sizeof *ps->s, cmp_pseries);
    return 0;
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

static void put_metric(st_buf *b, const pseries *ps)
{
    label ls[256];
    size_t n = 0;
    labels_key_parse(ps->key, ps->keylen, ls, 256, &n);
    st_buf_printf(b, "{\"metric\":{");
    for (size_t k = 0; k < n; k++) {
        if (k) st_buf_putc(b, ',');
        json_str_ex(b, ls[k].name.p, ls[k].name.n, JSON_ESC_HTML);
        st_buf_putc(b, ':');
        json_str_ex(b, ls[k].value.p, ls[k].value.n, JSON_ESC_HTML);
    }
    st_buf_putc(b, '}');
}

/* The newest sample in [t - lookback, t], or -1 (none, or a stale marker). */
static ssize_t instant_at(const pseries *ps, int64_t t)
{
    size_t lo = 0, hi = ps->n;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        if (ps->t[mid] <= t) lo = mid + 1;
        else hi = mid;
    }
    if (lo == 0) return -1;
    size_t i = lo - 1;
    if (ps->t[i] < t - LOOKBACK_MS || is_stale(ps->v[i])) return -1;
    return (ssize_t)i;
}

/* The evaluation time of a selector at query time t: @ and offset. */
static int64_t sel_time(const promql_modifiers *m, int64_t t, int64_t start, int64_t end)
{
    int64_t base = t;
    if (m->at == PROMQL_AT_TIMESTAMP) base = m->at_ms;
    else if (m->at == PROMQL_AT_START) base = start;
    else if (m->at == PROMQL_AT_END) base = end;
    return base - m->offset_ms;
}

static const promql_node *strip_parens(const promql_node *n)
{
    while (n->kind == PROMQL_PAREN) n = n->u.paren.expr;
    return n;
}

/* Instant query of a vector or range selector; returns 1 if it handled the
 * node, 0 if the node is something else. */
static int eval_selector_instant(http_req *rq, http_resp *rs, store *s, const promql_node *root,
                                 int64_t t)
{
    const promql_node *n = strip_parens(root);
    if (n->kind != PROMQL_VECTOR_SELECTOR && n->kind != PROMQL_MATRIX_SELECTOR) return 0;
    const promql_node *vs = n->kind == PROMQL_VECTOR_SELECTOR ? n : n->u.ms.vs;
    int64_t range = n->kind == PROMQL_MATRIX_SELECTOR ? n->u.ms.range_ms : LOOKBACK_MS;
    int64_t at = sel_time(&vs->u.vs.mod, t, t, t);
    pset ps = {0};
    if (load_or_answer(rq, rs, s, vs, at - range, at, &ps)) return 1;
    rs->status = 200;
    rs->content_type = "application/json";
    bool matrix = n->kind == PROMQL_MATRIX_SELECTOR;
    st_buf_printf(&rs->body, "{\"status\":\"success\",\"data\":{\"resultType\":\"%s\",\"result\":[",
                  matrix ? "matrix" : "vector");
    size_t out = 0;
    for (size_t i = 0; i < ps.n; i++) {
        pseries *p = &ps.s[i];
        if (matrix) {
            size_t cnt = 0;
            for (size_t k = 0; k < p->n; k++)
                if (p->t[k] >= at - range && p->t[k] <= at && !is_stale(p->v[k])) cnt++;
            if (!cnt) continue;
            if (out++) st_buf_putc(&rs->body, ',');
            put_metric(&rs->body, p);
            st_buf_printf(&rs->body, ",\"values\":[");
            size_t w = 0;
            for (size_t k = 0; k < p->n; k++) {
                if (p->t[k] < at - range || p->t[k] > at || is_stale(p->v[k])) continue;
                if (w++) st_buf_putc(&rs->body, ',');
                put_point(&rs->body, p->t[k], p->v[k]);
            }
            st_buf_printf(&rs->body, "]}");
        } else {
            ssize_t k = instant_at(p, at);
            if (k < 0) continue;
            if (out++) st_buf_putc(&rs->body, ',');
            put_metric(&rs->body, p);
            st_buf_printf(&rs->body, ",\"value\":[");
            put_time(&rs->body, t);
            st_buf_putc(&rs->body, ',');
            put_value(&rs->body, p->v[k]);
            st_buf_printf(&rs->body, "]}");
        }
    }
    st_buf_printf(&rs->body, "]}}\n");
    pset_free(&ps);
    return 1;
}

/* Range query of a vector selector. */
static int eval_selector_range(http_req *rq, http_resp *rs, store *s, const promql_node *root,
                               int64_t start, int64_t end, int64_t step)
{
    const promql_node *n = strip_parens(root);
    if (n->kind != PROMQL_VECTOR_SELECTOR) return 0;
    const promql_modifiers *m = &n->u.vs.mod;
    int64_t a = sel_time(m, start, start, end), b = sel_time(m, end, start, end);
    int64_t lo = a < b ? a : b, hi = a < b ? b : a;
    pset ps = {0};
    if (load_or_answer(rq, rs, s, n, lo - LOOKBACK_MS, hi, &ps)) return 1;
    rs->status = 200;
    rs->content_type = "application/json";
    st_buf_printf(&rs->body, "{\"status\":\"success\",\"data\":{\"resultType\":\"matrix\",\"result\":[");
    size_t out = 0;
    st_buf pts = {0};
    for (size_t i = 0; i < ps.n; i++) {
        pseries *p = &ps.s[i];
        pts.len = 0;
        size_t w = 0;
        for (int64_t t = start; t <= end; t += step) {
            ssize_t k = instant_at(p, sel_time(m, t, start, end));
            if (k < 0) continue;
            if (w++) st_buf_putc(&pts, ',');
            put_point(&pts, t, p->v[k]);
        }
        if (!w) continue;
        if (out++) st_buf_putc(&rs->body, ',');
        put_metric(&rs->body, p);
        st_buf_printf(&rs->body, ",\"values\":[");
        st_buf_put(&rs->body, pts.p, pts.len);
        st_buf_printf(&rs->body, "]}");
    }
    st_buf_free(&pts);
    st_buf_printf(&rs->body, "]}}\n");
    pset_free(&ps);
    return 1;
}

/* A step: float seconds or a Prometheus duration. */
static int parse_step(const char *v, int64_t *ms)
{
    char *end;
    double d = strtod(v, &end);
    if (*v && !*end && isfinite(d)) {
        double m = d * 1000;
        if (m > 9.2e18 || m < -9.2e18) return -1;
        *ms = (int64_t)llround(m);
        return 0;
    }
    int64_t ns;
    if (st_parse_duration(v, &ns, NULL) == 0) {
        *ms = ns / ST_NS_PER_MS;
        return 0;
    }
    return -1;
}

void api_prom_query_range(http_req *rq, http_resp *rs, store *s)
{
    int64_t start, end, step;
    if (param_time(rq, rs, "start", &start, true) || param_time(rq, rs, "end", &end, true)) return;
    if (end < start) {
        api_error(rs, ST_EINVAL, "end timestamp must not be before start time");
        return;
    }
    const char *sv = http_arg(rq, "step");
    if (!sv || parse_step(sv, &step) != 0) {
        char msg[256];
        snprintf(msg, sizeof msg, "invalid parameter \"step\": cannot parse \"%.100s\" to a valid duration",
                 sv ? sv : "");
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
    if (eval_selector_range(rq, rs, s, root, start, end, step)) return;
    double v;
    const promql_node *bad = eval_scalar(root, &v);
    if (bad) {
        not_yet(rs, q, bad);
        return;
    }
    rs->status = 200;
    rs->content_type = "application/json";
    st_buf_printf(&rs->body,
                  "{\"status\":\"success\",\"data\":{\"resultType\":\"matrix\",\"result\":[{\"metric\":{},\"values\":[");
    for (int64_t t = start; t <= end; t += step) {
        if (t != start) st_buf_putc(&rs->body, ',');
        put_point(&rs->body, t, v);
    }
    st_buf_printf(&rs->body, "]}]}}\n");
}
