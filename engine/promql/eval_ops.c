/* eval_ops: unary and binary operators and aggregations, as Prometheus
 * 2.42's engine.go evaluates them, step by step in input order, with its
 * error messages. Per-series work (labels, signatures, groups) is done
 * once per series, not per step. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bits.h"
#include "eval_int.h"
#include "promql_int.h"


/* ------------------------------------------------------------------ arithmetic */

static double scalar_binop(promql_binop op, double a, double b)
{
    switch (op) {
    case PROMQL_ADD: return a + b;
    case PROMQL_SUB: return a - b;
    case PROMQL_MUL: return a * b;
    case PROMQL_DIV: return a / b;
    case PROMQL_POW: return pow(a, b);
    case PROMQL_MOD: return fmod(a, b);
    case PROMQL_EQLC: return a == b;
    case PROMQL_NEQ: return a != b;
    case PROMQL_GTR: return a > b;
    case PROMQL_LSS: return a < b;
    case PROMQL_GTE: return a >= b;
    case PROMQL_LTE: return a <= b;
    case PROMQL_ATAN2: return atan2(a, b);
    default: return NAN;
    }
}

/* vectorElemBinop: the value and whether the sample is kept. */
static double elem_binop(promql_binop op, double a, double b, bool *keep)
{
    *keep = true;
    switch (op) {
    case PROMQL_EQLC: *keep = a == b; return a;
    case PROMQL_NEQ: *keep = a != b; return a;
    case PROMQL_GTR: *keep = a > b; return a;
    case PROMQL_LSS: *keep = a < b; return a;
    case PROMQL_GTE: *keep = a >= b; return a;
    case PROMQL_LTE: *keep = a <= b; return a;
    default: return scalar_binop(op, a, b);
    }
}

static bool drops_name(promql_binop op)
{
    return op == PROMQL_ADD || op == PROMQL_SUB || op == PROMQL_MUL || op == PROMQL_DIV || op == PROMQL_POW ||
           op == PROMQL_MOD;
}

/* The whole vector may not hold one label set twice (Prometheus checks the
 * matrix, not each step, after a unary minus or a range function). */
typedef struct uniq_ctx {
    const pq_val *v;
    size_t i;
} uniq_ctx;

static bool same_lset(void *ctx, uint32_t k)
{
    const uniq_ctx *c = ctx;
    return pq_lset_eq(c->v->s[k].lab, c->v->s[c->i].lab);
}

int pq_check_unique(pq_query *q, const pq_val *v)
{
    pq_map m = {0};
    int rc = 0;
    for (size_t i = 0; i < v->n && !rc; i++) {
        uint64_t h = pq_lset_hash(v->s[i].lab);
        uniq_ctx c = {v, i};
        if (pq_map_find(&m, h, same_lset, &c) >= 0)
            rc = pq_fail(q, ST_ECONFLICT, "vector cannot contain metrics with the same labelset");
        pq_map_put(&m, h, (uint32_t)i);
    }
    pq_map_free(&m);
    return rc;
}

int pq_eval_unary(pq_query *q, const promql_node *n, const pq_steps *st, pq_val *out)
{
    int rc = pq_eval(q, n->u.unary.expr, st, out);
    if (rc || !n->u.unary.neg) return rc;
    if (out->type == PROMQL_TYPE_SCALAR) {
        double *v = pq_scalar_new(q, st, 0);
        for (size_t i = 0; i < st->n; i++) v[i] = -out->sc[i];
        out->sc = v;
        return 0;
    }
    for (size_t i = 0; i < out->n; i++) {
        pq_ser *s = &out->s[i];
        double *v = st_arena_alloc(q->a, st->n * sizeof *v);
        for (size_t k = 0; k < st->n; k++) v[k] = -s->v[k];
        s->v = v;
        s->lab = pq_lset_drop_name(q->a, s->lab);
    }
    return pq_check_unique(q, out);
}

/* ------------------------------------------------------------------ vector and scalar */

static int vector_scalar(pq_query *q, const promql_node *n, const pq_steps *st, const pq_val *vec,
                         const double *sc, bool swap, pq_val *out)
{
    promql_binop op = n->u.bin.op;
    bool rb = n->u.bin.return_bool, cmp = promql_binop_is_comparison(op);
    bool drop = drops_name(op) || rb;
    pq_out o;
    pq_out_init(&o, q, st, out);
    int rc = 0;
    for (size_t i = 0; i < vec->n && !rc; i++) {
        const pq_ser *s = &vec->s[i];
        long k = -1; /* the output series, made on the first kept sample */
        if ((rc = pq_poll(q))) break;
        for (size_t j = 0; j < st->n && !rc; j++) {
            if (!pq_has(s, j)) continue;
            double l = s->v[j], r = sc[j];
            if (swap) {
                double t = l;
                l = r;
                r = t;
            }
            bool keep;
            double x = elem_binop(op, l, r, &keep);
            if (cmp && swap) x = r; /* the vector's value, even on the right */
            if (rb) {
                x = keep ? 1 : 0;
                keep = true;
            }
            if (!keep) continue;
            if (k < 0) k = (long)pq_out_series(&o, drop ? pq_lset_drop_name(q->a, s->lab) : s->lab);
            rc = pq_out_put(&o, (size_t)k, j, x);
        }
    }
    pq_out_done(&o);
    return rc;
}

/* ------------------------------------------------------------------ vector and vector */

/* Signatures of every series of a vector, and the groups they form. */
typedef struct sigs {
    uint64_t *sig;  /* per series */
    uint32_t *grp;  /* per series: group index */
    uint32_t *first, *next; /* per group: first member; per series: next member (UINT32_MAX ends) */
    size_t ngroups;
    pq_map map;
} sigs;

static void sigs_build(sigs *g, const pq_val *v, const promql_matching *m)
{
    memset(g, 0, sizeof *g);
    size_t n = v->n ? v->n : 1;
    g->sig = st_malloc(n * sizeof *g->sig);
    g->grp = st_malloc(n * sizeof *g->grp);
    g->next = st_malloc(n * sizeof *g->next);
    g->first = st_malloc(n * sizeof *g->first);
    uint32_t *last = st_malloc(n * sizeof *last);
    for (size_t i = 0; i < v->n; i++) {
        g->sig[i] = pq_lset_sig(v->s[i].lab, m->on, m->labels, m->nlabels);
        long k = pq_map_find(&g->map, g->sig[i], NULL, NULL);
        g->next[i] = UINT32_MAX;
        if (k < 0) {
            k = (long)g->ngroups++;
            pq_map_put(&g->map, g->sig[i], (uint32_t)k);
            g->first[k] = (uint32_t)i;
        } else {
            g->next[last[k]] = (uint32_t)i;
        }
        last[k] = (uint32_t)i;
        g->grp[i] = (uint32_t)k;
    }
    st_free(last);
}

static void sigs_free(sigs *g)
{
    st_free(g->sig);
    st_free(g->grp);
    st_free(g->next);
    st_free(g->first);
    pq_map_free(&g->map);
}

/* The group of another vector's signature h, or -1. */
static long sigs_find(const sigs *g, uint64_t h) { return pq_map_find(&g->map, h, NULL, NULL); }

static size_t present_at(const pq_val *v, size_t j)
{
    size_t c = 0;
    for (size_t i = 0; i < v->n; i++) c += pq_has(&v->s[i], j);
    return c;
}

static int set_op(pq_query *q, const promql_node *n, const pq_steps *st, const pq_val *l, const pq_val *r,
                  pq_val *out)
{
    promql_binop op = n->u.bin.op;
    const promql_matching *m = n->u.bin.matching;
    sigs gl, gr;
    sigs_build(&gl, l, m);
    sigs_build(&gr, r, m);
    /* per step, is a signature present on the other side? */
    uint8_t *rpres = st_calloc(gr.ngroups * st->n + 1, 1), *lpres = st_calloc(gl.ngroups * st->n + 1, 1);
    for (size_t i = 0; i < r->n; i++)
        for (size_t j = 0; j < st->n; j++)
            if (pq_has(&r->s[i], j)) rpres[gr.grp[i] * st->n + j] = 1;
    for (size_t i = 0; i < l->n; i++)
        for (size_t j = 0; j < st->n; j++)
            if (pq_has(&l->s[i], j)) lpres[gl.grp[i] * st->n + j] = 1;
    size_t *lcount = st_calloc(st->n, sizeof *lcount), *rcount = st_calloc(st->n, sizeof *rcount);
    for (size_t j = 0; j < st->n; j++) {
        lcount[j] = present_at(l, j);
        rcount[j] = present_at(r, j);
    }
    pq_out o;
    pq_out_init(&o, q, st, out);
    int rc = 0;
    for (size_t i = 0; i < l->n && !rc; i++) {
        const pq_ser *s = &l->s[i];
        long rg = sigs_find(&gr, gl.sig[i]);
        long k = -1;
        for (size_t j = 0; j < st->n && !rc; j++) {
            if (!pq_has(s, j)) continue;
            bool other = rg >= 0 && rpres[(size_t)rg * st->n + j];
            bool keep = op == PROMQL_LAND ? other && rcount[j] : op == PROMQL_LUNLESS ? !other : true;
            if (!keep) continue;
            if (k < 0) k = (long)pq_out_series(&o, s->lab);
            rc = pq_out_put(&o, (size_t)k, j, s->v[j]);
        }
    }
    if (op == PROMQL_LOR) {
        for (size_t i = 0; i < r->n && !rc; i++) {
            const pq_ser *s = &r->s[i];
            long lg = sigs_find(&gl, gr.sig[i]);
            long k = -1;
            for (size_t j = 0; j < st->n && !rc; j++) {
                if (!pq_has(s, j)) continue;
                if (lcount[j] && lg >= 0 && lpres[(size_t)lg * st->n + j]) continue;
                if (k < 0) k = (long)pq_out_series(&o, s->lab);
                rc = pq_out_put(&o, (size_t)k, j, s->v[j]);
            }
        }
    }
    pq_out_done(&o);
    st_free(rpres);
    st_free(lpres);
    st_free(lcount);
    st_free(rcount);
    sigs_free(&gl);
    sigs_free(&gr);
    return rc;
}

/* resultMetric: the labels of one matched pair (l the "many" side, r the
 * "one" side, after a group_right swap). */
static pq_lset result_metric(pq_query *q, pq_lset l, pq_lset r, promql_binop op, const promql_matching *m, bool rb)
{
    pq_lb b;
    pq_lb_init(&b, l);
    if (drops_name(op)) pq_lb_del(&b, st_slice_of(LABEL_METRIC_NAME, 8));
    if (m->card == PROMQL_CARD_ONE_TO_ONE) {
        if (m->on) pq_lb_keep(&b, m->labels, m->nlabels);
        else
            for (size_t i = 0; i < m->nlabels; i++) pq_lb_del(&b, m->labels[i]);
    }
    for (size_t i = 0; i < m->ninclude; i++) {
        st_slice v = pq_lset_get(r, m->include[i].p, m->include[i].n);
        pq_lb_set(&b, m->include[i], v);
    }
    if (rb) pq_lb_del(&b, st_slice_of(LABEL_METRIC_NAME, 8));
    return pq_lb_done(&b, q->a);
}

/* The matching labels of a series, for the duplicate error's words. */
static pq_lset match_labels(pq_query *q, pq_lset l, const promql_matching *m)
{
    pq_lb b;
    pq_lb_init(&b, l);
    if (m->on) {
        pq_lb_keep(&b, m->labels, m->nlabels);
    } else {
        for (size_t i = 0; i < m->nlabels; i++) pq_lb_del(&b, m->labels[i]);
        pq_lb_del(&b, st_slice_of(LABEL_METRIC_NAME, 8));
    }
    return pq_lb_done(&b, q->a);
}

static int dup_error(pq_query *q, const promql_matching *m, pq_lset later, pq_lset earlier)
{
    st_buf b = {0};
    st_buf_printf(&b, "found duplicate series for the match group ");
    pq_lset_format(match_labels(q, later, m), &b);
    st_buf_printf(&b, " on the %s hand-side of the operation: [", m->card == PROMQL_CARD_ONE_TO_MANY ? "left" : "right");
    pq_lset_format(later, &b);
    st_buf_printf(&b, ", ");
    pq_lset_format(earlier, &b);
    st_buf_printf(&b, "];many-to-many matching not allowed: matching labels must be unique on one side");
    st_buf_putc(&b, 0);
    int rc = pq_fail(q, ST_ECONFLICT, "%s", (const char *)b.p);
    st_buf_free(&b);
    return rc;
}

/* A pair's output series, cached per (many, one) pair. */
typedef struct pair_key {
    uint32_t l, r;
    long out;
} pair_key;

static int vector_vector(pq_query *q, const promql_node *n, const pq_steps *st, const pq_val *lv, const pq_val *rv,
                         pq_val *out)
{
    promql_binop op = n->u.bin.op;
    const promql_matching *m = n->u.bin.matching;
    bool rb = n->u.bin.return_bool;
    bool swap = m->card == PROMQL_CARD_ONE_TO_MANY;
    const pq_val *l = swap ? rv : lv, *r = swap ? lv : rv; /* r: the "one" side */
    sigs gl, gr;
    sigs_build(&gl, l, m);
    sigs_build(&gr, r, m);
    size_t *lcount = st_calloc(st->n, sizeof *lcount), *rcount = st_calloc(st->n, sizeof *rcount);
    for (size_t j = 0; j < st->n; j++) {
        lcount[j] = present_at(l, j);
        rcount[j] = present_at(r, j);
    }
    int rc = 0;
    /* the "one" side may not hold a signature twice at a step where both
     * sides have samples (checked in its order, as Prometheus fills its map) */
    for (size_t j = 0; j < st->n && !rc; j++) {
        if (!lcount[j] || !rcount[j]) continue;
        for (size_t i = 0; i < r->n && !rc; i++) {
            if (!pq_has(&r->s[i], j) || gr.first[gr.grp[i]] == i) continue;
            for (uint32_t e = gr.first[gr.grp[i]]; e != i && !rc; e = gr.next[e])
                if (pq_has(&r->s[e], j)) rc = dup_error(q, m, r->s[i].lab, r->s[e].lab);
        }
    }
    /* the present "one" series of each signature group at each step */
    pq_out o;
    pq_out_init(&o, q, st, out);
    /* step stamps: a signature matched (one-to-one), an output series written via a signature */
    size_t *sig_stamp = st_calloc(gr.ngroups + 1, sizeof *sig_stamp);
    pq_map pairs = {0};
    pair_key *pk = NULL;
    size_t npk = 0, cappk = 0;
    size_t *out_stamp = NULL, *out_sig = NULL, capout = 0;
    /* the "one" side's group of each "many" series' signature (-1: none) */
    long *rgrp = st_malloc((l->n ? l->n : 1) * sizeof *rgrp);
    for (size_t i = 0; i < l->n; i++) rgrp[i] = sigs_find(&gr, gl.sig[i]);
    for (size_t j = 0; j < st->n && !rc; j++) {
        if (!lcount[j] || !rcount[j]) continue;
        if ((rc = pq_poll(q))) break;
        for (size_t i = 0; i < l->n && !rc; i++) {
            const pq_ser *ls = &l->s[i];
            if (!pq_has(ls, j)) continue;
            long g = rgrp[i];
            if (g < 0) continue;
            uint32_t ri = gr.first[g];
            while (ri != UINT32_MAX && !pq_has(&r->s[ri], j)) ri = gr.next[ri];
            if (ri == UINT32_MAX) continue;
            double vl = ls->v[j], vr = r->s[ri].v[j];
            if (swap) {
                double t = vl;
                vl = vr;
                vr = t;
            }
            bool keep;
            double x = elem_binop(op, vl, vr, &keep);
            if (rb) x = keep ? 1 : 0;
            else if (!keep) continue;
            /* the pair's output series */
            uint64_t ph = (uint64_t)i * 0x9e3779b97f4a7c15ull ^ ri;
            long pidx = -1;
            for (long c = pq_map_find(&pairs, ph, NULL, NULL); c >= 0;) {
                if (pk[c].l == i && pk[c].r == ri) pidx = c;
                break;
            }
            if (pidx < 0) {
                if (npk == cappk) {
                    cappk = cappk ? cappk * 2 : 64;
                    pk = st_realloc(pk, cappk * sizeof *pk);
                }
                pq_lset res = result_metric(q, ls->lab, r->s[ri].lab, op, m, rb);
                pk[npk] = (pair_key){(uint32_t)i, ri, (long)pq_out_series(&o, res)};
                if (pq_map_find(&pairs, ph, NULL, NULL) < 0) pq_map_put(&pairs, ph, (uint32_t)npk);
                pidx = (long)npk++;
            }
            long k = pk[pidx].out;
            if (m->card == PROMQL_CARD_ONE_TO_ONE) {
                if (sig_stamp[g] == j + 1) {
                    rc = pq_fail(q, ST_ECONFLICT,
                                 "multiple matches for labels: many-to-one matching must be explicit (group_left/group_right)");
                    break;
                }
                sig_stamp[g] = j + 1;
            } else {
                if ((size_t)k >= capout) {
                    size_t nc = capout ? capout * 2 : 64;
                    while (nc <= (size_t)k) nc *= 2;
                    out_stamp = st_realloc(out_stamp, nc * sizeof *out_stamp);
                    out_sig = st_realloc(out_sig, nc * sizeof *out_sig);
                    memset(out_stamp + capout, 0, (nc - capout) * sizeof *out_stamp);
                    capout = nc;
                }
                if (out_stamp[k] == j + 1 && out_sig[k] == (size_t)g) {
                    rc = pq_fail(q, ST_ECONFLICT, "multiple matches for labels: grouping labels must ensure unique matches");
                    break;
                }
                out_stamp[k] = j + 1;
                out_sig[k] = (size_t)g;
            }
            rc = pq_out_put(&o, (size_t)k, j, x);
        }
    }
    pq_out_done(&o);
    st_free(rgrp);
    pq_map_free(&pairs);
    st_free(pk);
    st_free(out_stamp);
    st_free(out_sig);
    st_free(sig_stamp);
    st_free(lcount);
    st_free(rcount);
    sigs_free(&gl);
    sigs_free(&gr);
    return rc;
}

int pq_eval_binary(pq_query *q, const promql_node *n, const pq_steps *st, pq_val *out)
{
    pq_val l, r;
    int rc = pq_eval(q, n->u.bin.lhs, st, &l);
    if (rc == 0) rc = pq_eval(q, n->u.bin.rhs, st, &r);
    if (rc) return rc;
    promql_binop op = n->u.bin.op;
    memset(out, 0, sizeof *out);
    if (l.type == PROMQL_TYPE_SCALAR && r.type == PROMQL_TYPE_SCALAR) {
        out->type = PROMQL_TYPE_SCALAR;
        out->sc = pq_scalar_new(q, st, 0);
        for (size_t i = 0; i < st->n; i++) out->sc[i] = scalar_binop(op, l.sc[i], r.sc[i]);
        return 0;
    }
    if (l.type == PROMQL_TYPE_VECTOR && r.type == PROMQL_TYPE_SCALAR) return vector_scalar(q, n, st, &l, r.sc, false, out);
    if (l.type == PROMQL_TYPE_SCALAR && r.type == PROMQL_TYPE_VECTOR) return vector_scalar(q, n, st, &r, l.sc, true, out);
    if (promql_binop_is_set(op)) return set_op(q, n, st, &l, &r, out);
    return vector_vector(q, n, st, &l, &r, out);
}

/* ------------------------------------------------------------------ aggregations */

/* Go's strconv.FormatFloat(v, 'f', -1, 64): the shortest digits that
 * round-trip, written without an exponent. */
static void format_float_f(double v, char *out, size_t cap)
{
    if (isnan(v)) {
        snprintf(out, cap, "NaN");
        return;
    }
    if (isinf(v)) {
        snprintf(out, cap, v > 0 ? "+Inf" : "-Inf");
        return;
    }
    char e[40];
    int prec;
    for (prec = 1; prec <= 17; prec++) {
        snprintf(e, sizeof e, "%.*e", prec - 1, v);
        if (strtod(e, NULL) == v) break;
    }
    /* e: [-]d.ddde[+-]x: digits and exponent */
    char digits[24];
    size_t nd = 0;
    const char *p = e;
    bool neg = *p == '-';
    if (neg) p++;
    for (; *p && *p != 'e'; p++)
        if (*p != '.') digits[nd++] = *p;
    int ex = atoi(p + 1);
    while (nd > 1 && digits[nd - 1] == '0') nd--;
    size_t w = 0;
    if (neg && cap > 1) out[w++] = '-';
    int point = ex + 1; /* digits before the decimal point */
    if (point <= 0) {
        w += (size_t)snprintf(out + w, cap - w, "0.");
        for (int i = 0; i < -point && w + 1 < cap; i++) out[w++] = '0';
        for (size_t i = 0; i < nd && w + 1 < cap; i++) out[w++] = digits[i];
    } else {
        for (int i = 0; i < point && w + 1 < cap; i++) out[w++] = (size_t)i < nd ? digits[i] : '0';
        if ((size_t)point < nd) {
            if (w + 1 < cap) out[w++] = '.';
            for (size_t i = (size_t)point; i < nd && w + 1 < cap; i++) out[w++] = digits[i];
        }
    }
    out[w] = 0;
}


/* The group labels of a series. */
static pq_lset group_labels(pq_query *q, pq_lset l, const st_slice *g, size_t ng, bool without)
{
    if (!without && !ng) return (pq_lset){NULL, 0};
    pq_lb b;
    pq_lb_init(&b, l);
    if (without) {
        for (size_t i = 0; i < ng; i++) pq_lb_del(&b, g[i]);
        pq_lb_del(&b, st_slice_of(LABEL_METRIC_NAME, 8));
    } else {
        pq_lb_keep(&b, g, ng);
    }
    return pq_lb_done(&b, q->a);
}

static uint64_t group_key(pq_lset l, const st_slice *g, size_t ng, bool without)
{
    if (!without && !ng) return 0;
    return pq_lset_sig(l, !without, g, ng);
}

/* Go's container/heap over (value, series) with Prometheus's orders:
 * topk keeps a min-heap (vectorByValueHeap), bottomk a max-heap. */
typedef struct hent {
    double v;
    uint32_t s;
} hent;

static bool heap_less(const hent *h, size_t i, size_t j, bool rev)
{
    if (!rev) return h[i].v < h[j].v || (isnan(h[i].v) && !isnan(h[j].v));
    return h[i].v > h[j].v || (isnan(h[i].v) && !isnan(h[j].v));
}

static void heap_swap(hent *h, size_t i, size_t j)
{
    hent t = h[i];
    h[i] = h[j];
    h[j] = t;
}

static void heap_up(hent *h, size_t j, bool rev)
{
    while (j > 0) {
        size_t i = (j - 1) / 2;
        if (i == j || !heap_less(h, j, i, rev)) break;
        heap_swap(h, i, j);
        j = i;
    }
}

static void heap_down(hent *h, size_t i0, size_t n, bool rev)
{
    size_t i = i0;
    for (;;) {
        size_t j1 = 2 * i + 1;
        if (j1 >= n) break;
        size_t j = j1;
        if (j1 + 1 < n && heap_less(h, j1 + 1, j1, rev)) j = j1 + 1;
        if (!heap_less(h, j, i, rev)) break;
        heap_swap(h, i, j);
        i = j;
    }
}

/* sort.Sort(sort.Reverse(heap)): by the heap's order reversed (stable
 * enough for distinct values; ties keep an insertion sort's order). */
static void heap_sort_reverse(hent *h, size_t n, bool rev)
{
    for (size_t i = 1; i < n; i++)
        for (size_t j = i; j > 0 && heap_less(h, j - 1, j, rev); j--) heap_swap(h, j, j - 1);
}

static int topk(pq_query *q, const promql_node *n, const pq_steps *st, const pq_val *in, const double *param,
                const uint64_t *key, pq_val *out)
{
    bool rev = n->u.agg.op == PROMQL_AGG_BOTTOMK;
    pq_out o;
    pq_out_init(&o, q, st, out);
    long *outidx = st_malloc((in->n ? in->n : 1) * sizeof *outidx);
    for (size_t i = 0; i < in->n; i++) outidx[i] = -1;
    hent *h = st_malloc((in->n + 1) * sizeof *h);
    /* groups in order of first appearance, each with its members in input
     * order (next[]); at one step (an instant query) every series of a
     * vector is present, so this is Prometheus's order there, and a range
     * query's answer is sorted anyway */
    pq_map gm = {0};
    size_t *gfirst = st_malloc((in->n + 1) * sizeof *gfirst), *glast = st_malloc((in->n + 1) * sizeof *glast);
    size_t *next = st_malloc((in->n + 1) * sizeof *next);
    size_t ng = 0;
    for (size_t i = 0; i < in->n; i++) {
        long g = pq_map_find(&gm, key[i], NULL, NULL);
        next[i] = SIZE_MAX;
        if (g < 0) {
            pq_map_put(&gm, key[i], (uint32_t)ng);
            gfirst[ng] = glast[ng] = i;
            ng++;
        } else {
            next[glast[g]] = i;
            glast[g] = i;
        }
    }
    int rc = 0;
    for (size_t j = 0; j < st->n && !rc; j++) {
        double f = param[j];
        if (!(f <= 9223372036854774784.0 && f >= -9223372036854775808.0)) { /* convertibleToInt64 */
            char num[64];
            promql_go_float(num, sizeof num, f);
            rc = pq_fail(q, ST_ECONFLICT, "Scalar value %s overflows int64", num);
            break;
        }
        int64_t k = (int64_t)f;
        if (k < 1) continue;
        if (j % 16 == 0 && (rc = pq_poll(q))) break;
        for (size_t g = 0; g < ng && !rc; g++) {
            size_t hn = 0;
            for (size_t i = gfirst[g]; i != SIZE_MAX; i = next[i]) {
                if (!pq_has(&in->s[i], j)) continue;
                double v = in->s[i].v[j];
                if (!hn) {
                    h[hn++] = (hent){v, (uint32_t)i};
                    continue;
                }
                bool better = rev ? (h[0].v > v || isnan(h[0].v)) : (h[0].v < v || isnan(h[0].v));
                if ((int64_t)hn < k || better) {
                    if ((int64_t)hn == k) {
                        if (k == 1) {
                            h[0] = (hent){v, (uint32_t)i};
                            continue;
                        }
                        heap_swap(h, 0, hn - 1); /* heap.Pop */
                        heap_down(h, 0, hn - 1, rev);
                        hn--;
                    }
                    h[hn] = (hent){v, (uint32_t)i}; /* heap.Push */
                    heap_up(h, hn, rev);
                    hn++;
                }
            }
            if (hn > 1) heap_sort_reverse(h, hn, rev);
            for (size_t x = 0; x < hn && !rc; x++) {
                uint32_t si = h[x].s;
                if (outidx[si] < 0) outidx[si] = (long)pq_out_series(&o, in->s[si].lab);
                rc = pq_out_put(&o, (size_t)outidx[si], j, h[x].v);
            }
        }
    }
    pq_map_free(&gm);
    st_free(gfirst);
    st_free(glast);
    st_free(next);
    st_free(h);
    st_free(outidx);
    pq_out_done(&o);
    return rc;
}

/* The accumulators of one group over the steps, Prometheus 2.42's
 * arithmetic (aggregation() in engine.go), fed one series at a time in
 * input order. sum, count, min, max and group need no first-value case:
 * -0.0 is the identity of + and a NaN start is replaced under the min/max
 * rule, as Prometheus's first value would be. */
typedef struct acc {
    double *value, *count;
    pqf_agg *m; /* avg, stddev, stdvar: funcs.h's running mean and variance */
} acc;

static void acc_init(acc *a, promql_aggop op, size_t S, st_arena *ar)
{
    a->value = st_arena_alloc(ar, S * sizeof *a->value);
    a->m = NULL;
    if (op == PROMQL_AGG_AVG || op == PROMQL_AGG_STDDEV || op == PROMQL_AGG_STDVAR) {
        a->m = st_arena_alloc(ar, S * sizeof *a->m);
        memset(a->m, 0, S * sizeof *a->m);
    }
    a->count = st_arena_alloc(ar, S * sizeof *a->count);
    double init = op == PROMQL_AGG_MAX || op == PROMQL_AGG_MIN ? NAN : -0.0;
    for (size_t j = 0; j < S; j++) {
        a->value[j] = init;
        a->count[j] = 0;
    }
}

static void acc_add(promql_aggop op, acc *a, const pq_ser *s, size_t S)
{
    double *val = a->value, *cnt = a->count;
    const double *x = s->v;
    const uint8_t *ok = s->ok;
    switch (op) {
    case PROMQL_AGG_SUM:
    case PROMQL_AGG_COUNT_VALUES: /* counts per value, summed */
        if (!ok)
            for (size_t j = 0; j < S; j++) val[j] += x[j], cnt[j] += 1;
        else
            for (size_t j = 0; j < S; j++)
                if (ok[j]) val[j] += x[j], cnt[j] += 1;
        return;
    case PROMQL_AGG_COUNT:
    case PROMQL_AGG_GROUP:
        for (size_t j = 0; j < S; j++) cnt[j] += !ok || ok[j];
        return;
    case PROMQL_AGG_MAX:
        for (size_t j = 0; j < S; j++) {
            if (ok && !ok[j]) continue;
            if (val[j] < x[j] || isnan(val[j])) val[j] = x[j];
            cnt[j] += 1;
        }
        return;
    case PROMQL_AGG_MIN:
        for (size_t j = 0; j < S; j++) {
            if (ok && !ok[j]) continue;
            if (val[j] > x[j] || isnan(val[j])) val[j] = x[j];
            cnt[j] += 1;
        }
        return;
    case PROMQL_AGG_AVG:
        for (size_t j = 0; j < S; j++) {
            if (ok && !ok[j]) continue;
            pqf_agg_avg_add(&a->m[j], x[j]);
            cnt[j] += 1;
        }
        return;
    case PROMQL_AGG_STDDEV:
    case PROMQL_AGG_STDVAR:
        for (size_t j = 0; j < S; j++) {
            if (ok && !ok[j]) continue;
            pqf_agg_stdvar_add(&a->m[j], x[j]);
            cnt[j] += 1;
        }
        return;
    default: return;
    }
}

static void acc_emit(promql_aggop op, const acc *a, pq_ser *o, size_t S)
{
    for (size_t j = 0; j < S; j++) {
        double c = a->count[j];
        if (c == 0) continue;
        double x;
        switch (op) {
        case PROMQL_AGG_AVG: x = a->m[j].value; break;
        case PROMQL_AGG_COUNT: x = c; break;
        case PROMQL_AGG_GROUP: x = 1; break;
        case PROMQL_AGG_STDVAR: x = pqf_agg_stdvar(&a->m[j]); break;
        case PROMQL_AGG_STDDEV: x = pqf_agg_stddev(&a->m[j]); break;
        default: x = a->value[j]; break;
        }
        pq_ser_put(o, j, x);
    }
}

/* An aggregation fed straight from a series pipeline (pq_selector_stream,
 * pq_call_stream): groups made in order of first appearance, no series
 * kept. Two inputs whose labels collide once the name is dropped are
 * Prometheus's labelset error: a set of 128-bit label hashes finds them. */
typedef struct agg_stream {
    pq_query *q;
    promql_aggop op;
    const st_slice *g;
    size_t ng;
    bool without, check_dups;
    size_t S;
    pq_map map;
    acc *acc;
    pq_lset *lab;
    size_t ngroups, cap;
    uint64_t *seen; /* pairs of hashes, open addressing */
    size_t nseen, capseen;
    int rc;
} agg_stream;

static uint64_t lset_hash2(pq_lset l)
{
    uint64_t h = 0x9e3779b97f4a7c15ull;
    for (uint32_t i = 0; i < l.n; i++) {
        h = (h ^ st_hash64(l.ls[i].name.p, l.ls[i].name.n, h)) * 0xff51afd7ed558ccdull;
        h = (h ^ st_hash64(l.ls[i].value.p, l.ls[i].value.n, h + 1)) * 0xc4ceb9fe1a85ec53ull;
    }
    return h;
}

/* false when (a, b) was seen before */
static bool seen_add(agg_stream *a, uint64_t h1, uint64_t h2)
{
    if ((a->nseen + 1) * 2 > a->capseen) {
        size_t cap = a->capseen ? a->capseen * 2 : 1024;
        uint64_t *t = st_calloc(cap * 2, sizeof *t);
        for (size_t i = 0; i < a->capseen; i++) {
            if (!a->seen[2 * i] && !a->seen[2 * i + 1]) continue;
            size_t j = a->seen[2 * i] & (cap - 1);
            while (t[2 * j] || t[2 * j + 1]) j = (j + 1) & (cap - 1);
            t[2 * j] = a->seen[2 * i];
            t[2 * j + 1] = a->seen[2 * i + 1];
        }
        st_free(a->seen);
        a->seen = t;
        a->capseen = cap;
    }
    if (!h1 && !h2) h2 = 1;
    size_t j = h1 & (a->capseen - 1);
    for (; a->seen[2 * j] || a->seen[2 * j + 1]; j = (j + 1) & (a->capseen - 1))
        if (a->seen[2 * j] == h1 && a->seen[2 * j + 1] == h2) return false;
    a->seen[2 * j] = h1;
    a->seen[2 * j + 1] = h2;
    a->nseen++;
    return true;
}

static void agg_fold(void *ctx, const pq_ser *s)
{
    agg_stream *a = ctx;
    if (a->rc) return;
    if (a->check_dups && !seen_add(a, pq_lset_hash(s->lab), lset_hash2(s->lab))) {
        a->rc = pq_fail(a->q, ST_ECONFLICT, "vector cannot contain metrics with the same labelset");
        return;
    }
    uint64_t key = group_key(s->lab, a->g, a->ng, a->without);
    long gi = pq_map_find(&a->map, key, NULL, NULL);
    if (gi < 0) {
        if (a->ngroups == a->cap) {
            a->cap = a->cap ? a->cap * 2 : 16;
            a->acc = st_realloc(a->acc, a->cap * sizeof *a->acc);
            a->lab = st_realloc(a->lab, a->cap * sizeof *a->lab);
        }
        gi = (long)a->ngroups++;
        acc_init(&a->acc[gi], a->op, a->S, a->q->a);
        a->lab[gi] = group_labels(a->q, s->lab, a->g, a->ng, a->without);
        pq_map_put(&a->map, key, (uint32_t)gi);
    }
    acc_add(a->op, &a->acc[gi], s, a->S);
}

/* Does the call's range argument select by one metric name (an equality
 * matcher on __name__)? Then its series differ in other labels than the
 * name, and dropping the name cannot make two of them collide. */
static bool one_name(const promql_node *call)
{
    for (size_t i = 0; i < call->u.call.nargs; i++) {
        const promql_node *a = pq_unparen(call->u.call.args[i]);
        if (a->kind != PROMQL_MATRIX_SELECTOR) continue;
        const promql_node *vs = a->u.ms.vs;
        for (size_t k = 0; k < vs->u.vs.nmatchers; k++) {
            const promql_label_matcher *m = &vs->u.vs.matchers[k];
            if (m->op == MATCH_EQ && m->name.n == 8 && !memcmp(m->name.p, LABEL_METRIC_NAME, 8)) return true;
        }
    }
    return false;
}

/* 1 when the aggregation was answered by streaming, 0 when its input is
 * not a series pipeline, or an error. */
static int agg_streamed(pq_query *q, const promql_node *n, const pq_steps *st, const st_slice *g, size_t ng,
                        pq_val *out)
{
    promql_aggop op = n->u.agg.op;
    if (op == PROMQL_AGG_TOPK || op == PROMQL_AGG_BOTTOMK || op == PROMQL_AGG_QUANTILE ||
        op == PROMQL_AGG_COUNT_VALUES)
        return 0;
    const promql_node *e = n->u.agg.expr;
    while (e->kind == PROMQL_PAREN && !e->step_invariant) e = e->u.paren.expr;
    if (e->step_invariant) return 0; /* evaluated once and repeated: pq_eval's business */
    agg_stream a = {.q = q, .op = op, .g = g, .ng = ng, .without = n->u.agg.without, .S = st->n};
    int rc;
    if (e->kind == PROMQL_VECTOR_SELECTOR) {
        rc = pq_selector_stream(q, e, st, agg_fold, &a);
        if (rc == 0) rc = 1;
    } else if (e->kind == PROMQL_CALL) {
        /* (last_over_time keeps names: its series are unique anyway) */
        a.check_dups = !one_name(e) && strcmp(e->u.call.func->name, "last_over_time") != 0;
        rc = pq_call_stream(q, e, st, agg_fold, &a);
    } else {
        return 0;
    }
    if (rc == 1 && a.rc) rc = a.rc;
    if (rc == 1) {
        memset(out, 0, sizeof *out);
        out->type = PROMQL_TYPE_VECTOR;
        out->s = st_arena_alloc(q->a, (a.ngroups ? a.ngroups : 1) * sizeof *out->s);
        for (size_t gi = 0; gi < a.ngroups; gi++) {
            pq_ser *o = &out->s[out->n++];
            pq_ser_init(q->a, o, a.lab[gi], st->n);
            acc_emit(op, &a.acc[gi], o, st->n);
        }
    }
    pq_map_free(&a.map);
    st_free(a.acc);
    st_free(a.lab);
    st_free(a.seen);
    return rc;
}

int pq_eval_aggregate(pq_query *q, const promql_node *n, const pq_steps *st, pq_val *out)
{
    promql_aggop op = n->u.agg.op;
    pq_val param = {0}, in;
    int rc = 0;
    if (n->u.agg.param) rc = pq_eval(q, n->u.agg.param, st, &param);
    if (rc) return rc;
    /* grouping labels sorted, as Prometheus sorts them */
    size_t ng = n->u.agg.ngrouping;
    st_slice *g = st_arena_alloc(q->a, (ng + 2) * sizeof *g);
    for (size_t i = 0; i < ng; i++) g[i] = n->u.agg.grouping[i];
    for (size_t i = 1; i < ng; i++)
        for (size_t j = i; j > 0 && st_slice_cmp(g[j - 1], g[j]) > 0; j--) {
            st_slice t = g[j];
            g[j] = g[j - 1];
            g[j - 1] = t;
        }
    rc = agg_streamed(q, n, st, g, ng, out);
    if (rc) return rc < 0 ? rc : 0;
    rc = pq_eval(q, n->u.agg.expr, st, &in);
    if (rc) return rc;
    bool without = n->u.agg.without;
    pq_val src = in;
    st_slice value_label = {0};
    if (op == PROMQL_AGG_COUNT_VALUES) {
        value_label = param.str;
        if (!labels_name_valid(value_label))
            return pq_fail(q, ST_ECONFLICT, "invalid label name \"%.*s\"", (int)value_label.n, value_label.p);
        if (!without) g[ng++] = value_label;
        /* each (series, value) is a series of its own: the value label set */
        pq_out o;
        pq_out_init(&o, q, st, &src);
        char buf[400];
        for (size_t i = 0; i < in.n && !rc; i++) {
            const pq_ser *s = &in.s[i];
            /* one builder per series: setting the value label again
             * replaces it in place; a value equal to the step before's
             * (bit for bit) has the same text, so the same output series */
            pq_lb b;
            pq_lb_init(&b, s->lab);
            bool have = false;
            uint64_t prev = 0;
            size_t k = 0;
            for (size_t j = 0; j < st->n && !rc; j++) {
                if (!pq_has(s, j)) continue;
                uint64_t bits;
                memcpy(&bits, &s->v[j], sizeof bits);
                if (!have || bits != prev) {
                    format_float_f(s->v[j], buf, sizeof buf);
                    pq_lb_set(&b, value_label, st_slice_of(buf, strlen(buf)));
                    k = pq_out_series(&o, (pq_lset){b.ls, (uint32_t)b.n});
                    have = true;
                    prev = bits;
                }
                /* distinct series of one label set after the change count
                 * once each: keep a count in the value */
                if (o.v->s[k].ok[j]) o.v->s[k].v[j] += 1;
                else pq_ser_put(&o.v->s[k], j, 1);
            }
            st_free(b.ls);
        }
        pq_out_done(&o);
        if (rc) return rc;
    }
    size_t N = src.n;
    uint64_t *key = st_malloc((N ? N : 1) * sizeof *key);
    for (size_t i = 0; i < N; i++) key[i] = group_key(src.s[i].lab, g, ng, without);
    if (op == PROMQL_AGG_TOPK || op == PROMQL_AGG_BOTTOMK) {
        rc = topk(q, n, st, &src, param.sc, key, out);
        st_free(key);
        return rc;
    }
    /* groups, in order of first appearance */
    pq_map gm = {0};
    uint32_t *gid = st_malloc((N ? N : 1) * sizeof *gid);
    size_t ngroups = 0;
    uint32_t *grep = st_malloc((N ? N : 1) * sizeof *grep); /* the first member of each group */
    uint32_t *glast = st_malloc((N ? N : 1) * sizeof *glast), *gnext = st_malloc((N ? N : 1) * sizeof *gnext);
    for (size_t i = 0; i < N; i++) {
        long k = pq_map_find(&gm, key[i], NULL, NULL);
        gnext[i] = UINT32_MAX;
        if (k < 0) {
            k = (long)ngroups;
            grep[ngroups] = glast[ngroups] = (uint32_t)i;
            ngroups++;
            pq_map_put(&gm, key[i], (uint32_t)k);
        } else {
            gnext[glast[k]] = (uint32_t)i;
            glast[k] = (uint32_t)i;
        }
        gid[i] = (uint32_t)k;
    }
    pq_map_free(&gm);
    size_t S = st->n;
    memset(out, 0, sizeof *out);
    out->type = PROMQL_TYPE_VECTOR;
    if (op == PROMQL_AGG_QUANTILE) {
        double *vals = st_malloc((N ? N : 1) * sizeof *vals);
        out->s = st_arena_alloc(q->a, (ngroups ? ngroups : 1) * sizeof *out->s);
        for (size_t gi = 0; gi < ngroups; gi++) {
            pq_ser *o = &out->s[out->n++];
            pq_ser_init(q->a, o, group_labels(q, src.s[grep[gi]].lab, g, ng, without), S);
        }
        for (size_t j = 0; j < S; j++) {
            for (size_t gi = 0; gi < ngroups; gi++) {
                size_t k = 0;
                for (uint32_t i = grep[gi]; i != UINT32_MAX; i = gnext[i])
                    if (pq_has(&src.s[i], j)) vals[k++] = src.s[i].v[j];
                if (k) pq_ser_put(&out->s[gi], j, pqf_quantile(param.sc[j], vals, k));
            }
        }
        st_free(vals);
    } else {
        acc *ac = st_malloc((ngroups ? ngroups : 1) * sizeof *ac);
        for (size_t gi = 0; gi < ngroups; gi++) acc_init(&ac[gi], op, S, q->a);
        for (size_t i = 0; i < N; i++) {
            if (i % 64 == 0 && (rc = pq_poll(q))) break;
            acc_add(op, &ac[gid[i]], &src.s[i], S);
        }
        out->s = st_arena_alloc(q->a, (ngroups ? ngroups : 1) * sizeof *out->s);
        for (size_t gi = 0; gi < ngroups && !rc; gi++) {
            pq_ser *o = &out->s[out->n++];
            pq_ser_init(q->a, o, group_labels(q, src.s[grep[gi]].lab, g, ng, without), S);
            acc_emit(op, &ac[gi], o, S);
        }
        st_free(ac);
    }
    st_free(gid);
    st_free(grep);
    st_free(glast);
    st_free(gnext);
    st_free(key);
    return rc;
}
