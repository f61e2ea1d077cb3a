/* eval_call: PromQL's functions (Prometheus 2.42's functions.go as the
 * evaluator calls it): the numbers come from funcs.h; this file does the
 * labels, the steps and the special cases (timestamp of a selector,
 * absent and absent_over_time, histogram_quantile's grouping, sort,
 * label_replace and label_join). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "eval_int.h"
#include "matcher.h"

static bool is_fn(const promql_node *n, const char *name) { return !strcmp(n->u.call.func->name, name); }

static int eval_scalar_arg(pq_query *q, const promql_node *arg, const pq_steps *st, double **out)
{
    pq_val v;
    int rc = pq_eval(q, arg, st, &v);
    if (rc) return rc;
    *out = v.sc;
    return 0;
}

static st_slice string_arg(const promql_node *arg)
{
    const promql_node *n = pq_unparen(arg);
    return n->kind == PROMQL_STRING ? n->u.string : st_slice_of("", 0);
}

/* ------------------------------------------------------------------ range functions */

/* The extreme of the windows [lo_i, hi_i) of one series as they slide
 * forward, with Prometheus's rules: NaN only when the window holds nothing
 * else, and of equal values the earliest (which tells -0 from +0). A deque
 * of indexes whose values fall (max) or rise (min): O(samples + steps)
 * instead of O(steps x window). */
typedef struct slide {
    size_t *q;
    size_t head, tail;
} slide;

static bool worse(double a, double b, bool max) { return max ? a < b : a > b; }

static void slide_push(slide *s, const double *v, size_t i, bool max)
{
    if (isnan(v[i])) return;
    while (s->tail > s->head && worse(v[s->q[s->tail - 1]], v[i], max)) s->tail--;
    s->q[s->tail++] = i;
}

static double slide_get(slide *s, const double *v, size_t lo, size_t hi)
{
    while (s->tail > s->head && s->q[s->head] < lo) s->head++;
    return s->tail > s->head ? v[s->q[s->head]] : v[hi - 1]; /* all NaN: a NaN, as Prometheus's last */
}

/* Windows of fewer samples than this on average are scanned directly. */
#define SLIDE_MIN_WINDOW 24.0

typedef struct rfn_ctx {
    pq_query *q;
    pqf_range_fn f;
    const pq_steps *st;
    const pq_range_arg *ra;
    double *params[2]; /* per step */
    size_t nparams;
    bool keep_name;
    double range_secs;
} rfn_ctx;

/* count, min, max, last and present over windows made of samples and of
 * chunks answered by their statistics (every chunk is whole in a window or
 * out of it: pq_cstat). Prometheus's rules carry over: min and max of the
 * non-NaN values, NaN only when nothing else (the chunks hold no NaN). */
static int rfn_with_stats(const rfn_ctx *c, const int64_t *t, const double *v, size_t n, const pq_cstat *cs,
                          size_t ncs, pq_ser *out, bool *keep)
{
    const pq_steps *st = c->st;
    bool extreme = c->f == PQF_MAX_OVER_TIME || c->f == PQF_MIN_OVER_TIME, max = c->f == PQF_MAX_OVER_TIME;
    slide sl = {.q = extreme && n ? st_malloc(n * sizeof *sl.q) : NULL};
    size_t lo = 0, hi = 0, clo = 0, chi = 0;
    for (size_t i = 0; i < st->n; i++) {
        int64_t maxt = pq_step_time(st, i) - c->ra->offset, mint = maxt - c->ra->range;
        while (lo < n && t[lo] < mint) lo++;
        if (hi < lo) {
            hi = lo;
            sl.head = sl.tail = 0;
        }
        while (hi < n && t[hi] <= maxt) {
            if (extreme) slide_push(&sl, v, hi, max);
            hi++;
        }
        while (clo < ncs && cs[clo].mint < mint) clo++;
        if (chi < clo) chi = clo;
        while (chi < ncs && cs[chi].maxt <= maxt) chi++;
        if (hi == lo && chi == clo) continue;
        uint64_t count = hi - lo;
        for (size_t k = clo; k < chi; k++) count += cs[k].count;
        pq_count(c->q, st, i, count);
        double x;
        switch (c->f) {
        case PQF_COUNT_OVER_TIME: x = (double)count; break;
        case PQF_PRESENT_OVER_TIME: x = 1; break;
        case PQF_LAST_OVER_TIME:
            x = chi > clo && (hi == lo || cs[chi - 1].maxt > t[hi - 1]) ? cs[chi - 1].last : v[hi - 1];
            break;
        default: { /* min, max */
            bool have = hi > lo;
            x = have ? slide_get(&sl, v, lo, hi) : NAN;
            have = have && !isnan(x);
            for (size_t k = clo; k < chi; k++) {
                double y = max ? cs[k].max : cs[k].min;
                if (!have || (max ? y > x : y < x)) x = y; /* chunk values are never 0: no -0 tie */
                have = true;
            }
            break;
        }
        }
        pq_ser_put(out, i, x);
        *keep = true;
    }
    st_free(sl.q);
    return 0;
}

static int rfn_series(void *ctx, pq_lset lab, const int64_t *t, const double *v, size_t n, const pq_cstat *cs,
                      size_t ncs, st_arena *a, pq_ser *out, bool *keep, st_err *e)
{
    const rfn_ctx *c = ctx;
    const pq_steps *st = c->st;
    *keep = false;
    if (!n && !ncs) return 0;
    if (ncs) {
        pq_ser_init(a, out, pq_lset_copy_as(a, lab.ls, lab.n, !c->keep_name), st->n);
        return rfn_with_stats(c, t, v, n, cs, ncs, out, keep);
    }
    pq_ser_init(a, out, pq_lset_copy_as(a, lab.ls, lab.n, !c->keep_name), st->n);
    /* the last counter reset (a sample below the one before) among those
     * taken so far, for rate's shortcut: none in [lo, hi) if it is <= lo */
    bool counter = c->f == PQF_RATE || c->f == PQF_INCREASE;
    size_t last_reset = 0;
    bool extreme = c->f == PQF_MAX_OVER_TIME || c->f == PQF_MIN_OVER_TIME, max = c->f == PQF_MAX_OVER_TIME;
    /* Windows of a few samples are scanned directly, in Prometheus's order
     * and with its comparison (predictable branches); longer ones slide. */
    bool direct = extreme && (n < 2 || (double)(n - 1) * (double)c->ra->range <=
                                           SLIDE_MIN_WINDOW * (double)(t[n - 1] - t[0]));
    slide sl = {.q = extreme && !direct ? st_malloc(n * sizeof *sl.q) : NULL};
    size_t lo = 0, hi = 0;
    for (size_t i = 0; i < st->n; i++) {
        int64_t ts = pq_step_time(st, i);
        int64_t maxt = ts - c->ra->offset, mint = maxt - c->ra->range;
        while (lo < n && t[lo] < mint) lo++;
        if (hi < lo) {
            hi = lo;
            sl.head = sl.tail = 0;
        }
        if (direct) {
            while (hi < n && t[hi] <= maxt) hi++;
        } else {
            while (hi < n && t[hi] <= maxt) {
                if (extreme) slide_push(&sl, v, hi, max);
                if (hi && v[hi] < v[hi - 1]) last_reset = hi;
                hi++;
            }
        }
        if (hi == lo) continue;
        pq_count(c->q, st, i, hi - lo);
        if (extreme) {
            pq_ser_put(out, i, direct ? pqf_extreme(v + lo, hi - lo, max) : slide_get(&sl, v, lo, hi));
            *keep = true;
            continue;
        }
        pqf_window w = {.ts = t + lo, .v = v + lo, .n = hi - lo, .range_start = mint, .range_end = maxt,
                        .eval_ts = ts, .no_resets = counter && last_reset <= lo, .range_secs = c->range_secs};
        double params[2] = {0, 0};
        for (size_t p = 0; p < c->nparams; p++) params[p] = c->params[p][i];
        double x;
        int rc = pqf_range(c->f, &w, params, &x, e);
        if (rc < 0) {
            st_free(sl.q);
            if (e) e->code = ST_ECONFLICT; /* bad arguments: an execution error */
            return ST_ECONFLICT;
        }
        if (rc == 1) {
            pq_ser_put(out, i, x);
            *keep = true;
        }
    }
    st_free(sl.q);
    return 0;
}

/* absent()'s and absent_over_time()'s labels: the equality matchers of a
 * selector argument (a name matched twice, or otherwise, is left out). */
static pq_lset absent_labels(pq_query *q, const promql_node *arg)
{
    if (arg->step_invariant) return (pq_lset){NULL, 0}; /* Prometheus sees a wrapper, not a selector */
    const promql_node *n = pq_unparen(arg);
    if (n->kind == PROMQL_MATRIX_SELECTOR) n = n->u.ms.vs;
    if (n->kind != PROMQL_VECTOR_SELECTOR) return (pq_lset){NULL, 0};
    pq_lb b = {0};
    b.cap = n->u.vs.nmatchers + 1;
    b.ls = st_malloc(b.cap * sizeof *b.ls);
    st_slice *has = st_malloc(b.cap * sizeof *has);
    size_t nhas = 0;
    for (size_t i = 0; i < n->u.vs.nmatchers; i++) {
        const promql_label_matcher *m = &n->u.vs.matchers[i];
        if (m->name.n == 8 && !memcmp(m->name.p, LABEL_METRIC_NAME, 8)) continue;
        bool seen = false;
        for (size_t k = 0; k < nhas && !seen; k++) seen = st_slice_eq(has[k], m->name);
        if (m->op == MATCH_EQ && !seen) {
            pq_lb_set(&b, m->name, m->value);
            has[nhas++] = m->name;
        } else {
            pq_lb_del(&b, m->name);
        }
    }
    st_free(has);
    return pq_lb_done(&b, q->a);
}

/* A range function's context: its scalar arguments at every step (they
 * are evaluated first, as Prometheus does) and its range argument. */
static int rfn_setup(pq_query *q, const promql_node *n, size_t marg, pqf_range_fn f, const pq_steps *st,
                     rfn_ctx *c, pq_range_arg *ra)
{
    *c = (rfn_ctx){.q = q, .f = f, .st = st, .keep_name = !strcmp(n->u.call.func->name, "last_over_time")};
    for (size_t i = 0; i < n->u.call.nargs; i++) {
        if (i == marg) continue;
        if (c->nparams == 2) break;
        int rc = eval_scalar_arg(q, n->u.call.args[i], st, &c->params[c->nparams++]);
        if (rc) return rc;
    }
    int rc = pq_range_arg_init(q, n->u.call.args[marg], st, ra);
    if (rc) return rc;
    /* these need only count, min, max and last: whole chunks need no decoding */
    ra->stats = f == PQF_COUNT_OVER_TIME || f == PQF_MIN_OVER_TIME || f == PQF_MAX_OVER_TIME ||
                f == PQF_LAST_OVER_TIME || f == PQF_PRESENT_OVER_TIME;
    c->ra = ra;
    c->range_secs = pqf_range_seconds(ra->range);
    return 0;
}

int pq_call_stream(pq_query *q, const promql_node *n, const pq_steps *st, pq_fold_fn fold, void *fctx)
{
    const char *name = n->u.call.func->name;
    size_t marg = SIZE_MAX;
    for (size_t i = 0; i < n->u.call.nargs; i++) {
        const promql_node *a = pq_unparen(n->u.call.args[i]);
        if (a->kind == PROMQL_MATRIX_SELECTOR && !n->u.call.args[i]->step_invariant && !a->step_invariant) marg = i;
    }
    int f = pqf_range_lookup(name, strlen(name));
    if (marg == SIZE_MAX || f < 0 || !strcmp(name, "absent_over_time")) return 0;
    rfn_ctx c;
    pq_range_arg ra;
    int rc = rfn_setup(q, n, marg, (pqf_range_fn)f, st, &c, &ra);
    if (rc) return rc;
    pq_val unused;
    rc = pq_range_each(q, &ra, st, rfn_series, &c, fold, fctx, &unused);
    return rc ? rc : 1;
}

static int range_call(pq_query *q, const promql_node *n, size_t marg, const pq_steps *st, pq_val *out)
{
    const char *name = n->u.call.func->name;
    bool absent = !strcmp(name, "absent_over_time");
    int f = absent ? PQF_PRESENT_OVER_TIME : pqf_range_lookup(name, strlen(name));
    if (f < 0) return pq_fail(q, ST_EINVAL, "function %s is not a range function", name);
    rfn_ctx c;
    pq_range_arg ra;
    int rc = rfn_setup(q, n, marg, (pqf_range_fn)f, st, &c, &ra);
    if (rc) return rc;
    rc = pq_range_each(q, &ra, st, rfn_series, &c, NULL, NULL, out);
    if (rc) return rc;
    if (!absent) return pq_check_unique(q, out);
    /* 1 at the steps where no series had a sample */
    pq_val res = {.type = PROMQL_TYPE_VECTOR};
    pq_ser s;
    pq_ser_init(q->a, &s, absent_labels(q, n->u.call.args[marg]), st->n);
    bool any = false;
    for (size_t i = 0; i < st->n; i++) {
        bool found = false;
        for (size_t k = 0; k < out->n && !found; k++) found = pq_has(&out->s[k], i);
        if (!found) {
            pq_ser_put(&s, i, 1);
            any = true;
        }
    }
    if (any) {
        res.s = st_arena_alloc(q->a, sizeof *res.s);
        res.s[0] = s;
        res.n = 1;
    }
    *out = res;
    return 0;
}

/* ------------------------------------------------------------------ per-value functions */

static int value_call(pq_query *q, const promql_node *n, pqf_value_fn f, const pq_steps *st, pq_val *out)
{
    pq_val in;
    int rc = pq_eval(q, n->u.call.args[0], st, &in);
    if (rc) return rc;
    double *params[2] = {NULL, NULL};
    size_t np = n->u.call.nargs - 1;
    for (size_t i = 0; i < np && i < 2; i++) {
        rc = eval_scalar_arg(q, n->u.call.args[i + 1], st, &params[i]);
        if (rc) return rc;
    }
    pq_out o;
    pq_out_init(&o, q, st, out);
    for (size_t i = 0; i < in.n && !rc; i++) {
        const pq_ser *s = &in.s[i];
        long k = -1;
        for (size_t j = 0; j < st->n && !rc; j++) {
            if (!pq_has(s, j)) continue;
            double p[2] = {np > 0 ? params[0][j] : 0, np > 1 ? params[1][j] : 0};
            double x;
            if (pqf_value(f, s->v[j], p, np, &x) != 1) continue;
            if (k < 0) k = (long)pq_out_series(&o, pq_lset_drop_name(q->a, s->lab));
            rc = pq_out_put(&o, (size_t)k, j, x);
        }
    }
    pq_out_done(&o);
    return rc;
}

/* A function of the evaluation time alone (time(), the date functions
 * without an argument): one series without labels, or a scalar. */
static int time_call(pq_query *q, pqf_value_fn f, bool is_time, const pq_steps *st, pq_val *out)
{
    memset(out, 0, sizeof *out);
    double *v = pq_scalar_new(q, st, 0);
    for (size_t i = 0; i < st->n; i++) {
        int64_t ms = pq_step_time(st, i);
        if (is_time) {
            v[i] = (double)ms / 1000;
        } else {
            /* time.Unix(enh.Ts/1000, 0): whole seconds, toward zero */
            double x;
            pqf_value(f, (double)(ms / 1000), NULL, 0, &x);
            v[i] = x;
        }
    }
    if (is_time) {
        out->type = PROMQL_TYPE_SCALAR;
        out->sc = v;
        return 0;
    }
    out->type = PROMQL_TYPE_VECTOR;
    out->s = st_arena_alloc(q->a, sizeof *out->s);
    out->s[0] = (pq_ser){.lab = {NULL, 0}, .v = v};
    out->n = 1;
    return 0;
}

/* ------------------------------------------------------------------ label functions */


/* Go's Regexp.ExpandString: $1, ${1}, $name, ${name}, $$; a reference to a
 * group that did not match, or to an unknown name, is empty. */
static void expand(st_buf *out, st_slice tmpl, st_slice src, const size_t *ov, int ngroups, matcher *m)
{
    for (size_t i = 0; i < tmpl.n; i++) {
        char c = tmpl.p[i];
        if (c != '$' || i + 1 >= tmpl.n) {
            st_buf_putc(out, (uint8_t)c);
            continue;
        }
        if (tmpl.p[i + 1] == '$') {
            st_buf_putc(out, '$');
            i++;
            continue;
        }
        size_t j = i + 1, a, b;
        bool brace = tmpl.p[j] == '{';
        if (brace) j++;
        a = j;
        while (j < tmpl.n && ((tmpl.p[j] >= 'a' && tmpl.p[j] <= 'z') || (tmpl.p[j] >= 'A' && tmpl.p[j] <= 'Z') ||
                              (tmpl.p[j] >= '0' && tmpl.p[j] <= '9') || tmpl.p[j] == '_'))
            j++;
        b = j;
        if (b == a || (brace && (j >= tmpl.n || tmpl.p[j] != '}'))) {
            st_buf_putc(out, '$'); /* not a reference: Go writes the $ */
            continue;
        }
        if (brace) j++;
        /* a number names a group, anything else a named group */
        bool num = true;
        long g = 0;
        for (size_t k = a; k < b; k++) {
            if (tmpl.p[k] < '0' || tmpl.p[k] > '9') {
                num = false;
                break;
            }
            g = g * 10 + (tmpl.p[k] - '0');
            if (g > 1000000) break;
        }
        if (!num) g = matcher_group_by_name(m, st_slice_of(tmpl.p + a, b - a));
        if (g >= 0 && g < ngroups && ov[2 * g] != (size_t)-1)
            st_buf_put(out, src.p + ov[2 * g], ov[2 * g + 1] - ov[2 * g]);
        i = j - 1;
    }
}

static int label_replace(pq_query *q, const promql_node *n, const pq_steps *st, pq_val *out)
{
    pq_val in;
    int rc = pq_eval(q, n->u.call.args[0], st, &in);
    if (rc) return rc;
    st_slice dst = string_arg(n->u.call.args[1]), repl = string_arg(n->u.call.args[2]),
             src = string_arg(n->u.call.args[3]), re = string_arg(n->u.call.args[4]);
    matcher *m;
    st_err me = {0};
    if (matcher_new_capture(re, &m, &me))
        return pq_fail(q, ST_ECONFLICT, "invalid regular expression in label_replace(): %.*s", (int)re.n, re.p);
    if (!labels_name_valid(dst)) {
        matcher_free(m);
        return pq_fail(q, ST_ECONFLICT, "invalid destination label name in label_replace(): %.*s", (int)dst.n, dst.p);
    }
    pq_out o;
    pq_out_init(&o, q, st, out);
    st_buf buf = {0};
    size_t ov[2 * 64];
    for (size_t i = 0; i < in.n && !rc; i++) {
        const pq_ser *s = &in.s[i];
        st_slice sv = pq_lset_get(s->lab, src.p, src.n);
        int ng = matcher_match_groups(m, sv, ov, 64);
        pq_lset l = s->lab;
        if (ng > 0) {
            buf.len = 0;
            expand(&buf, repl, sv, ov, ng, m);
            pq_lb b;
            pq_lb_init(&b, s->lab);
            pq_lb_del(&b, dst);
            if (buf.len) /* an empty expansion deletes dst (buf.p may be NULL then) */
                pq_lb_set(&b, dst, st_slice_of(st_arena_strndup(q->a, (const char *)buf.p, buf.len), buf.len));
            l = pq_lb_done(&b, q->a);
        }
        long k = -1;
        for (size_t j = 0; j < st->n && !rc; j++) {
            if (!pq_has(s, j)) continue;
            if (k < 0) k = (long)pq_out_series(&o, l);
            rc = pq_out_put(&o, (size_t)k, j, s->v[j]);
        }
    }
    st_buf_free(&buf);
    pq_out_done(&o);
    matcher_free(m);
    return rc;
}

static int label_join(pq_query *q, const promql_node *n, const pq_steps *st, pq_val *out)
{
    pq_val in;
    int rc = pq_eval(q, n->u.call.args[0], st, &in);
    if (rc) return rc;
    st_slice dst = string_arg(n->u.call.args[1]), sep = string_arg(n->u.call.args[2]);
    size_t nsrc = n->u.call.nargs - 3;
    for (size_t i = 0; i < nsrc; i++) {
        st_slice s = string_arg(n->u.call.args[3 + i]);
        if (!labels_name_valid(s))
            return pq_fail(q, ST_ECONFLICT, "invalid source label name in label_join(): %.*s", (int)s.n, s.p);
    }
    if (!labels_name_valid(dst))
        return pq_fail(q, ST_ECONFLICT, "invalid destination label name in label_join(): %.*s", (int)dst.n, dst.p);
    pq_out o;
    pq_out_init(&o, q, st, out);
    st_buf buf = {0};
    for (size_t i = 0; i < in.n && !rc; i++) {
        const pq_ser *s = &in.s[i];
        buf.len = 0;
        for (size_t k = 0; k < nsrc; k++) {
            if (k) st_buf_put(&buf, sep.p, sep.n);
            st_slice name = string_arg(n->u.call.args[3 + k]);
            st_slice v = pq_lset_get(s->lab, name.p, name.n);
            st_buf_put(&buf, v.p, v.n);
        }
        pq_lb b;
        pq_lb_init(&b, s->lab);
        char *val = st_arena_strndup(q->a, buf.len ? (const char *)buf.p : "", buf.len);
        pq_lb_set(&b, dst, st_slice_of(val, buf.len));
        pq_lset l = pq_lb_done(&b, q->a);
        long k = -1;
        for (size_t j = 0; j < st->n && !rc; j++) {
            if (!pq_has(s, j)) continue;
            if (k < 0) k = (long)pq_out_series(&o, l);
            rc = pq_out_put(&o, (size_t)k, j, s->v[j]);
        }
    }
    st_buf_free(&buf);
    pq_out_done(&o);
    return rc;
}

/* ------------------------------------------------------------------ histogram_quantile */

/* A bucket's group: the group of representative series grep[ix] if its
 * labels but le are those of series i. */
typedef struct hq_group_ctx {
    const pq_val *in;
    const uint32_t *grep;
    size_t i;
} hq_group_ctx;

static bool hq_same_group(void *ctx, uint32_t ix)
{
    const hq_group_ctx *c = ctx;
    return pq_lset_eq_except(c->in->s[c->grep[ix]].lab, c->in->s[c->i].lab, st_slice_of("le", 2));
}

static int histogram_quantile(pq_query *q, const promql_node *n, const pq_steps *st, pq_val *out)
{
    double *qs;
    int rc = eval_scalar_arg(q, n->u.call.args[0], st, &qs);
    pq_val in;
    if (rc == 0) rc = pq_eval(q, n->u.call.args[1], st, &in);
    if (rc) return rc;
    size_t N = in.n ? in.n : 1;
    double *le = st_malloc(N * sizeof *le);
    uint32_t *gid = st_malloc(N * sizeof *gid), *grep = st_malloc(N * sizeof *grep);
    pq_map gm = {0};
    size_t ng = 0;
    for (size_t i = 0; i < in.n; i++) {
        st_slice v = pq_lset_get(in.s[i].lab, "le", 2);
        char tmp[128];
        char *end = NULL;
        le[i] = NAN;
        gid[i] = UINT32_MAX;
        if (!v.n || v.n >= sizeof tmp || v.p[0] == ' ' || v.p[0] == '\t') continue; /* not a bucket: skipped */
        memcpy(tmp, v.p, v.n);
        tmp[v.n] = 0;
        le[i] = strtod(tmp, &end);
        if (!end || *end) continue;
        /* the group: all labels but le (the metric name included) */
        uint64_t h = pq_lset_hash_except(in.s[i].lab, st_slice_of("le", 2));
        hq_group_ctx gc = {&in, grep, i};
        long k = pq_map_find(&gm, h, hq_same_group, &gc);
        if (k < 0) {
            k = (long)ng;
            grep[ng++] = (uint32_t)i;
            pq_map_put(&gm, h, (uint32_t)k);
        }
        gid[i] = (uint32_t)k;
    }
    pq_map_free(&gm);
    /* the members of each group in input order: mem[gstart[g] .. gstart[g + 1]) */
    size_t *gstart = st_calloc(ng + 1, sizeof *gstart);
    uint32_t *mem = st_malloc(N * sizeof *mem);
    for (size_t i = 0; i < in.n; i++)
        if (gid[i] != UINT32_MAX) gstart[gid[i] + 1]++;
    for (size_t g = 0; g < ng; g++) gstart[g + 1] += gstart[g];
    size_t *fill = st_malloc((ng ? ng : 1) * sizeof *fill);
    for (size_t g = 0; g < ng; g++) fill[g] = gstart[g];
    for (size_t i = 0; i < in.n; i++)
        if (gid[i] != UINT32_MAX) mem[fill[gid[i]]++] = (uint32_t)i;
    st_free(fill);
    pq_out o;
    pq_out_init(&o, q, st, out);
    long *gout = st_malloc((ng ? ng : 1) * sizeof *gout);
    for (size_t g = 0; g < ng; g++) gout[g] = -1;
    pqf_bucket *b = st_malloc(N * sizeof *b);
    for (size_t j = 0; j < st->n && !rc; j++) {
        for (size_t g = 0; g < ng && !rc; g++) {
            size_t nb = 0;
            for (size_t x = gstart[g]; x < gstart[g + 1]; x++) {
                uint32_t i = mem[x];
                if (pq_has(&in.s[i], j)) b[nb++] = (pqf_bucket){le[i], in.s[i].v[j]};
            }
            if (!nb) continue;
            if (gout[g] < 0) {
                pq_lb lb;
                pq_lb_init(&lb, in.s[grep[g]].lab);
                pq_lb_del(&lb, st_slice_of(LABEL_METRIC_NAME, 8));
                pq_lb_del(&lb, st_slice_of("le", 2));
                pq_lset l = {lb.ls, (uint32_t)lb.n};
                gout[g] = (long)pq_out_series(&o, l);
                st_free(lb.ls);
            }
            rc = pq_out_put(&o, (size_t)gout[g], j, pqf_bucket_quantile(qs[j], b, nb));
        }
    }
    st_free(b);
    st_free(gout);
    st_free(gstart);
    st_free(mem);
    st_free(le);
    st_free(gid);
    st_free(grep);
    pq_out_done(&o);
    return rc;
}

/* ------------------------------------------------------------------ the rest */

static bool sort_less(double a, double b, bool desc)
{
    /* NaN last either way */
    if (isnan(a) || isnan(b)) return !isnan(a) && isnan(b);
    return desc ? a > b : a < b;
}

/* A stable order: ties keep the input order (the original index decides). */
typedef struct sort_key {
    double v;
    size_t i;
} sort_key;

static int sort_key_cmp(const sort_key *x, const sort_key *y, bool desc)
{
    if (sort_less(x->v, y->v, desc)) return -1;
    if (sort_less(y->v, x->v, desc)) return 1;
    return (x->i > y->i) - (x->i < y->i);
}

static int sort_key_asc(const void *a, const void *b) { return sort_key_cmp(a, b, false); }
static int sort_key_desc(const void *a, const void *b) { return sort_key_cmp(a, b, true); }

static int sort_call(pq_query *q, const promql_node *n, const pq_steps *st, bool desc, pq_val *out)
{
    int rc = pq_eval(q, n->u.call.args[0], st, out);
    if (rc || st->n != 1 || out->n < 2) return rc; /* a range query's answer is sorted by labels anyway */
    size_t N = out->n;
    sort_key *k = st_malloc(N * sizeof *k);
    for (size_t i = 0; i < N; i++) k[i] = (sort_key){out->s[i].v[0], i};
    qsort(k, N, sizeof *k, desc ? sort_key_desc : sort_key_asc);
    pq_ser *s = st_malloc(N * sizeof *s);
    memcpy(s, out->s, N * sizeof *s);
    for (size_t i = 0; i < N; i++) out->s[i] = s[k[i].i];
    st_free(s);
    st_free(k);
    return 0;
}

static int absent_call(pq_query *q, const promql_node *n, const pq_steps *st, pq_val *out)
{
    pq_val in;
    int rc = pq_eval(q, n->u.call.args[0], st, &in);
    if (rc) return rc;
    memset(out, 0, sizeof *out);
    out->type = PROMQL_TYPE_VECTOR;
    pq_ser s;
    pq_ser_init(q->a, &s, absent_labels(q, n->u.call.args[0]), st->n);
    bool any = false;
    for (size_t j = 0; j < st->n; j++) {
        bool found = false;
        for (size_t i = 0; i < in.n && !found; i++) found = pq_has(&in.s[i], j);
        if (!found) {
            pq_ser_put(&s, j, 1);
            any = true;
        }
    }
    if (any) {
        out->s = st_arena_alloc(q->a, sizeof *out->s);
        out->s[0] = s;
        out->n = 1;
    }
    return 0;
}

static int timestamp_call(pq_query *q, const promql_node *n, const pq_steps *st, pq_val *out)
{
    const promql_node *arg = pq_unparen(n->u.call.args[0]);
    pq_val in;
    int rc;
    bool sel = arg->kind == PROMQL_VECTOR_SELECTOR;
    if (sel) rc = pq_eval_selector_ts(q, arg, st, arg->u.vs.mod.at != PROMQL_AT_NONE, &in);
    else rc = pq_eval(q, n->u.call.args[0], st, &in);
    if (rc) return rc;
    pq_out o;
    pq_out_init(&o, q, st, out);
    for (size_t i = 0; i < in.n && !rc; i++) {
        const pq_ser *s = &in.s[i];
        long k = -1;
        for (size_t j = 0; j < st->n && !rc; j++) {
            if (!pq_has(s, j)) continue;
            int64_t t = s->ts ? s->ts[j] : pq_step_time(st, j);
            if (k < 0) k = (long)pq_out_series(&o, pq_lset_drop_name(q->a, s->lab));
            rc = pq_out_put(&o, (size_t)k, j, (double)t / 1000);
        }
    }
    pq_out_done(&o);
    return rc;
}

static int scalar_call(pq_query *q, const promql_node *n, const pq_steps *st, pq_val *out)
{
    pq_val in;
    int rc = pq_eval(q, n->u.call.args[0], st, &in);
    if (rc) return rc;
    memset(out, 0, sizeof *out);
    out->type = PROMQL_TYPE_SCALAR;
    out->sc = pq_scalar_new(q, st, NAN);
    for (size_t j = 0; j < st->n; j++) {
        size_t cnt = 0, at = 0;
        for (size_t i = 0; i < in.n && cnt < 2; i++)
            if (pq_has(&in.s[i], j)) {
                cnt++;
                at = i;
            }
        if (cnt == 1) out->sc[j] = in.s[at].v[j];
    }
    return 0;
}

static int vector_call(pq_query *q, const promql_node *n, const pq_steps *st, pq_val *out)
{
    double *v;
    int rc = eval_scalar_arg(q, n->u.call.args[0], st, &v);
    if (rc) return rc;
    memset(out, 0, sizeof *out);
    out->type = PROMQL_TYPE_VECTOR;
    out->s = st_arena_alloc(q->a, sizeof *out->s);
    out->s[0] = (pq_ser){.lab = {NULL, 0}, .v = v};
    out->n = 1;
    return 0;
}

int pq_eval_call(pq_query *q, const promql_node *n, const pq_steps *st, pq_val *out)
{
    const char *name = n->u.call.func->name;
    memset(out, 0, sizeof *out);
    /* a range vector argument: the function runs per series over windows */
    for (size_t i = 0; i < n->u.call.nargs; i++) {
        const promql_node *a = pq_unparen(n->u.call.args[i]);
        if (a->kind == PROMQL_MATRIX_SELECTOR || a->kind == PROMQL_SUBQUERY) return range_call(q, n, i, st, out);
    }
    if (!strcmp(name, "time")) return time_call(q, PQF_VALUE_COUNT, true, st, out);
    if (!strcmp(name, "pi")) {
        out->type = PROMQL_TYPE_SCALAR;
        out->sc = pq_scalar_new(q, st, M_PI);
        return 0;
    }
    if (!strcmp(name, "vector")) return vector_call(q, n, st, out);
    if (!strcmp(name, "scalar")) return scalar_call(q, n, st, out);
    if (!strcmp(name, "timestamp")) return timestamp_call(q, n, st, out);
    if (!strcmp(name, "absent")) return absent_call(q, n, st, out);
    if (!strcmp(name, "sort")) return sort_call(q, n, st, false, out);
    if (!strcmp(name, "sort_desc")) return sort_call(q, n, st, true, out);
    if (!strcmp(name, "label_replace")) return label_replace(q, n, st, out);
    if (!strcmp(name, "label_join")) return label_join(q, n, st, out);
    if (!strcmp(name, "histogram_quantile")) return histogram_quantile(q, n, st, out);
    if (is_fn(n, "histogram_count") || is_fn(n, "histogram_sum") || is_fn(n, "histogram_fraction")) {
        /* native histograms only: a float sample gives nothing */
        int rc = 0;
        for (size_t i = 0; i < n->u.call.nargs && !rc; i++) {
            pq_val tmp;
            rc = pq_eval(q, n->u.call.args[i], st, &tmp);
        }
        out->type = PROMQL_TYPE_VECTOR;
        return rc;
    }
    int f = pqf_value_lookup(name, strlen(name));
    if (f < 0) return pq_fail(q, ST_EINVAL, "function %s is not supported", name);
    if (n->u.call.nargs == 0) return time_call(q, (pqf_value_fn)f, false, st, out);
    return value_call(q, n, (pqf_value_fn)f, st, out);
}
