/* promquery: /api/v1/query and /api/v1/query_range.
 *
 * Every query is parsed with the full PromQL 2.42 grammar, so what
 * Prometheus rejects gets its 400 bad_data with Prometheus's message. What
 * parses is evaluated as far as Strata can today: number and string
 * literals and arithmetic and comparisons between scalars (Grafana's
 * "Save & test" sends 1+1). Anything else gets 422 "execution" naming the
 * part that cannot be evaluated yet, never a wrong answer.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api.h"
#include "json.h"
#include "promparams.h"
#include "promql/promql.h"

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

/* Prometheus 2.42 writes sample values with Go's 'f' format, always
 * (later versions switch to 'e' for tiny and huge magnitudes). */
static void put_value(st_buf *b, double v)
{
    char tmp[JSON_FLOAT_MAX];
    json_fmt_go(tmp, v, 'f');
    st_buf_putc(b, '"');
    st_buf_put(b, tmp, strlen(tmp));
    st_buf_putc(b, '"');
}

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

void api_prom_query(http_req *rq, http_resp *rs, store *s)
{
    (void)s;
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
    double v;
    const promql_node *bad = eval_scalar(root, &v);
    if (bad) {
        not_yet(rs, q, bad);
        return;
    }
    st_buf_printf(&rs->body, "{\"status\":\"success\",\"data\":{\"resultType\":\"scalar\",\"result\":[");
    put_time(&rs->body, t);
    st_buf_putc(&rs->body, ',');
    put_value(&rs->body, v);
    st_buf_printf(&rs->body, "]}}\n");
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
    (void)s;
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
        st_buf_putc(&rs->body, '[');
        put_time(&rs->body, t);
        st_buf_putc(&rs->body, ',');
        put_value(&rs->body, v);
        st_buf_putc(&rs->body, ']');
    }
    st_buf_printf(&rs->body, "]}]}}\n");
}
