/* select_read: the points of a SELECT, tag set by tag set, into groups
 * (see select_int.h): WHERE judged on each point, its tag conditions also
 * pushed into the scan as matchers; a subquery's answer read as points. */
#include <stdio.h>
#include <stdlib.h>

#include "bits.h"
#include "influxql/select_int.h"

/* ---- WHERE on a point ---- */

typedef struct pctx {
    const schema *sc;
    const need *nd;
    const tset *ts;
    const iql_val *row;
} pctx;

static iql_val operand(sctx *c, const pctx *p, const iql_expr *x, bool *tag)
{
    *tag = false;
    if (x->kind == IQL_E_IDENT) {
        if (iqs_is_tag(p->sc, x)) {
            *tag = true;
            return (iql_val){.t = IQL_VT_STRING, .s = iqs_tag_of(p->ts, x->str)};
        }
        long f = iqs_field_index(p->sc, x);
        if (f >= 0 && p->nd->slot[f] >= 0) return p->row[p->nd->slot[f]];
        if (f < 0) { /* neither: reads as an absent tag */
            *tag = true;
            return (iql_val){.t = IQL_VT_STRING, .s = st_slice_of("", 0)};
        }
        return iqv_null();
    }
    if (x->kind == IQL_E_BINARY && x->op >= IQL_OP_ADD) {
        bool t1, t2;
        iql_val a = operand(c, p, x->l, &t1), b = operand(c, p, x->r, &t2);
        return iqv_arith(x->op, a, b);
    }
    return iqv_literal(x);
}

static bool time_cmp(const iql_expr *x)
{
    return x && x->kind == IQL_E_BINARY && x->op != IQL_OP_AND && x->op != IQL_OP_OR && (is_time(x->l) || is_time(x->r));
}

/* A point's WHERE. Time comparisons are taken out of the expression (they
 * bound the read): an AND or OR with one on a side is its other side. */
static bool cond(sctx *c, const pctx *p, const iql_expr *x)
{
    if (!x) return true;
    if (x->kind == IQL_E_BOOL) return x->ns != 0;
    if (x->kind != IQL_E_BINARY) return false;
    if ((x->op == IQL_OP_AND || x->op == IQL_OP_OR) && time_cmp(x->l)) return cond(c, p, x->r);
    if ((x->op == IQL_OP_AND || x->op == IQL_OP_OR) && time_cmp(x->r)) return cond(c, p, x->l);
    if (x->op == IQL_OP_AND) return cond(c, p, x->l) && cond(c, p, x->r);
    if (x->op == IQL_OP_OR) return cond(c, p, x->l) || cond(c, p, x->r);
    if (is_time(x->l) || is_time(x->r)) return true; /* the read's bounds */
    const iql_expr *l = x->l, *r = x->r;
    iql_op op = x->op;
    if (r->kind == IQL_E_REGEX || l->kind == IQL_E_REGEX) {
        const iql_expr *id = r->kind == IQL_E_REGEX ? l : r, *re = r->kind == IQL_E_REGEX ? r : l;
        bool tag;
        iql_val v = operand(c, p, id, &tag);
        if (v.t != IQL_VT_STRING) return false;
        matcher *m = iqs_rx_get(c, re);
        bool hit = m && matcher_matches(m, v.s);
        return op == IQL_OP_RE ? hit : op == IQL_OP_NRE ? !hit : false;
    }
    bool lt, rt;
    iql_val a = operand(c, p, l, &lt), b = operand(c, p, r, &rt);
    if (a.t == IQL_VT_NULL || b.t == IQL_VT_NULL) return false;
    if (a.t == IQL_VT_STRING || b.t == IQL_VT_STRING) {
        if (a.t != b.t) return false;
    } else if ((a.t == IQL_VT_BOOL) != (b.t == IQL_VT_BOOL)) {
        return false;
    }
    int d = iqv_cmp(a, b);
    switch (op) {
    case IQL_OP_EQ: return d == 0;
    case IQL_OP_NEQ: return d != 0;
    case IQL_OP_LT: return d < 0;
    case IQL_OP_LTE: return d <= 0;
    case IQL_OP_GT: return d > 0;
    case IQL_OP_GTE: return d >= 0;
    default: return false;
    }
}

/* ---- reading ---- */

typedef struct fbuf {
    int64_t *ts;
    iql_val *v;
    size_t n, cap;
} fbuf;

static uint64_t key_hash(sctx *c, const tset *t)
{
    uint64_t h = 0x9e3779b97f4a7c15ull;
    for (size_t k = 0; k < c->ngtags; k++) {
        st_slice v = iqs_tag_of(t, c->gtags[k]);
        h = (h ^ st_hash64(v.p, v.n, h + v.n)) * 0xff51afd7ed558ccdull;
    }
    return h;
}

typedef struct gprobe {
    sctx *c;
    const pointset *ps;
    const tset *t;
} gprobe;

static bool group_is(void *ctx, uint32_t gi)
{
    const gprobe *p = ctx;
    for (size_t k = 0; k < p->c->ngtags; k++)
        if (!st_slice_eq(p->ps->groups[gi].key[k], iqs_tag_of(p->t, p->c->gtags[k]))) return false;
    return true;
}

static group *group_for(sctx *c, pointset *ps, const tset *t)
{
    uint64_t h = key_hash(c, t);
    gprobe pr = {c, ps, t};
    uint32_t gi = htab_find(&ps->gix, h, group_is, &pr);
    if (gi != UINT32_MAX) return &ps->groups[gi];
    ps->groups = grow(ps->groups, ps->ngroups, &ps->capgroups, sizeof *ps->groups);
    htab_put(&ps->gix, h, (uint32_t)ps->ngroups);
    group *g = &ps->groups[ps->ngroups++];
    memset(g, 0, sizeof *g);
    g->key = st_arena_alloc(c->a, (c->ngtags + 1) * sizeof *g->key);
    for (size_t k = 0; k < c->ngtags; k++) g->key[k] = iqs_tag_of(t, c->gtags[k]);
    return g;
}

/* One tag set's fields merged into points by time, filtered, into its group. */
static int flush_tset(sctx *c, const schema *sc, const need *nd, const iql_expr *where, pointset *ps, fbuf *fb)
{
    const tset *t = &ps->tsets[ps->ntsets - 1];
    group *g = NULL;
    size_t *at = st_calloc(nd->n + 1, sizeof *at);
    iql_val *row = st_malloc((nd->n + 1) * sizeof *row);
    pctx p = {.sc = sc, .nd = nd, .ts = t, .row = row};
    int rc = 0;
    for (;;) {
        int64_t tmin = INT64_MAX;
        bool any = false;
        for (size_t k = 0; k < nd->n; k++)
            if (at[k] < fb[k].n && (!any || fb[k].ts[at[k]] < tmin)) {
                tmin = fb[k].ts[at[k]];
                any = true;
            }
        if (!any) break;
        for (size_t k = 0; k < nd->n; k++) {
            row[k] = iqv_null();
            if (at[k] < fb[k].n && fb[k].ts[at[k]] == tmin) row[k] = fb[k].v[at[k]++];
        }
        if (!cond(c, &p, where)) continue;
        if (++c->npoints > c->max_points) {
            rc = st_fail(c->e, ST_ELIMIT, "max-select-point limit exceeded: (%zu/%zu)", c->npoints, c->max_points);
            break;
        }
        if (!g) g = group_for(c, ps, t);
        if (g->n == g->cap) {
            g->cap = g->cap ? g->cap * 2 : 64;
            g->ts = st_realloc(g->ts, g->cap * sizeof *g->ts);
            g->tset = st_realloc(g->tset, g->cap * sizeof *g->tset);
            g->vals = st_realloc(g->vals, g->cap * (nd->n ? nd->n : 1) * sizeof *g->vals);
        }
        g->ts[g->n] = tmin;
        g->tset[g->n] = (uint32_t)(ps->ntsets - 1);
        if (nd->n) memcpy(g->vals + g->n * nd->n, row, nd->n * sizeof *row);
        g->n++;
    }
    for (size_t k = 0; k < nd->n; k++) fb[k].n = 0;
    st_free(at);
    st_free(row);
    return rc;
}

static bool same_tags(const scan_series *ss, const tset *t)
{
    size_t k = 0;
    for (size_t i = 0; i < ss->nlabels; i++) {
        if (ss->labels[i].name.n == 8 && !memcmp(ss->labels[i].name.p, LABEL_METRIC_NAME, 8)) continue;
        if (k >= t->n || !st_slice_eq(ss->labels[i].name, t->tags[k].name) ||
            !st_slice_eq(ss->labels[i].value, t->tags[k].value))
            return false;
        k++;
    }
    return k == t->n;
}

static void new_tset(sctx *c, pointset *ps, const scan_series *ss)
{
    ps->tsets = grow(ps->tsets, ps->ntsets, &ps->captsets, sizeof *ps->tsets);
    tset *t = &ps->tsets[ps->ntsets++];
    t->tags = st_arena_alloc(c->a, (ss->nlabels + 1) * sizeof *t->tags);
    t->n = 0;
    for (size_t i = 0; i < ss->nlabels; i++) {
        const label *l = &ss->labels[i];
        if (l->name.n == 8 && !memcmp(l->name.p, LABEL_METRIC_NAME, 8)) continue;
        t->tags[t->n].name = st_slice_of(st_arena_strndup(c->a, l->name.p, l->name.n), l->name.n);
        t->tags[t->n++].value = st_slice_of(st_arena_strndup(c->a, l->value.p, l->value.n), l->value.n);
    }
}

/* Every point of the measurement the statement reads, in groups. */
/* ---- WHERE's tag conditions as the scan's matchers ---- */

/* The matchers a tag comparison of WHERE stands for (x is `tag op 'v'` or
 * `tag op /re/`), or NULL when it is not one. The scan then reads only the
 * series it can hold; cond() still judges every point. */
static matcher *tag_matcher(const schema *sc, const iql_expr *x)
{
    if (!x || x->kind != IQL_E_BINARY) return NULL;
    const iql_expr *id = x->l, *v = x->r;
    if (id->kind != IQL_E_IDENT || !iqs_is_tag(sc, id)) return NULL;
    match_op op;
    char buf[4200];
    st_slice val = v->str;
    if (v->kind == IQL_E_STRING && (x->op == IQL_OP_EQ || x->op == IQL_OP_NEQ)) {
        op = x->op == IQL_OP_EQ ? MATCH_EQ : MATCH_NEQ;
    } else if (v->kind == IQL_E_REGEX && (x->op == IQL_OP_RE || x->op == IQL_OP_NRE) && v->str.n <= 4096) {
        op = x->op == IQL_OP_RE ? MATCH_RE : MATCH_NRE;
        int n = snprintf(buf, sizeof buf, ".*(?:%.*s).*", (int)v->str.n, v->str.p);
        val = st_slice_of(buf, (size_t)n);
    } else {
        return NULL;
    }
    matcher *m;
    st_err e;
    return matcher_new(op, id->str, val, &m, &e) == 0 ? m : NULL;
}

typedef struct pushdown {
    matcher **all;    /* conditions every point must meet */
    size_t nall, capall;
    matcher **any;    /* one of these (an OR of tag equalities), or none */
    size_t nany, capany;
} pushdown;

static bool or_of_tags(const schema *sc, const iql_expr *x, pushdown *pd)
{
    if (x->kind == IQL_E_BINARY && x->op == IQL_OP_OR)
        return or_of_tags(sc, x->l, pd) && or_of_tags(sc, x->r, pd);
    matcher *m = tag_matcher(sc, x);
    if (!m) return false;
    pd->any = grow(pd->any, pd->nany, &pd->capany, sizeof *pd->any);
    pd->any[pd->nany++] = m;
    return true;
}

static void pushdown_free(pushdown *pd)
{
    for (size_t i = 0; i < pd->nall; i++) matcher_free(pd->all[i]);
    for (size_t i = 0; i < pd->nany; i++) matcher_free(pd->any[i]);
    st_free(pd->all);
    st_free(pd->any);
    memset(pd, 0, sizeof *pd);
}

/* The terms of WHERE's top AND chain that are tag conditions; one OR of
 * them at most. */
static void pushdown_walk(const schema *sc, const iql_expr *x, pushdown *pd)
{
    if (!x || x->kind != IQL_E_BINARY) return;
    if (x->op == IQL_OP_AND) {
        pushdown_walk(sc, x->l, pd);
        pushdown_walk(sc, x->r, pd);
        return;
    }
    if (x->op == IQL_OP_OR) {
        if (pd->nany) return;
        pushdown p2 = {0};
        if (or_of_tags(sc, x, &p2) && !time_cmp(x->l) && !time_cmp(x->r)) {
            pd->any = p2.any;
            pd->nany = p2.nany;
            pd->capany = p2.capany;
        } else {
            pushdown_free(&p2);
        }
        return;
    }
    matcher *m = tag_matcher(sc, x);
    if (!m) return;
    pd->all = grow(pd->all, pd->nall, &pd->capall, sizeof *pd->all);
    pd->all[pd->nall++] = m;
}

int iqs_scan_open(sctx *c, const schema *sc, const need *nd, scan_order order, bool tail, scan **out,
                  scan_iter **it)
{
    *out = NULL;
    *it = NULL;
    pushdown pd = {0};
    pushdown_walk(sc, c->st->where, &pd);
    /* a selector per field (and per alternative of the OR): the field's
     * series name, then the tag conditions */
    size_t alts = pd.nany ? pd.nany : 1, nsel_all = nd->n * alts, per = 2 + pd.nall;
    matcher **names = st_calloc(nd->n + 1, sizeof *names);
    matcher **flat = st_calloc(nsel_all * per + 1, sizeof *flat);
    matcher *const **sel = st_calloc(nsel_all + 1, sizeof *sel);
    size_t *nsel = st_calloc(nsel_all + 1, sizeof *nsel);
    int rc = 0;
    for (size_t k = 0; k < nd->n && rc == 0; k++)
        rc = matcher_new(MATCH_EQ, st_slice_of(LABEL_METRIC_NAME, 8), sc->metrics[nd->field[k]], &names[k], c->e);
    for (size_t k = 0; k < nd->n && rc == 0; k++)
        for (size_t a = 0; a < alts; a++) {
            matcher **row = flat + (k * alts + a) * per;
            size_t n = 0;
            row[n++] = names[k];
            for (size_t i = 0; i < pd.nall; i++) row[n++] = pd.all[i];
            if (pd.nany) row[n++] = pd.any[a];
            sel[k * alts + a] = row;
            nsel[k * alts + a] = n;
        }
    if (rc == 0) {
        scan_spec sp = {.db = c->db, .sel = sel, .nsel = nsel, .nselectors = nsel_all, .table = sc->name,
                        .mint = c->read_mint, .maxt = c->maxt, .mode = SCAN_SAMPLES, .order = order,
                        .tail = tail, .budget = c->o->budget};
        rc = scan_open(c->s, &sp, out, c->e);
        if (rc == ST_ENOTFOUND) rc = 0;
        else if (rc == 0) rc = scan_iter_open(*out, 0, SIZE_MAX, it, c->e);
    }
    for (size_t k = 0; k < nd->n; k++) matcher_free(names[k]);
    st_free(names);
    st_free(flat);
    st_free(sel);
    st_free(nsel);
    pushdown_free(&pd);
    return rc;
}

bool iqs_where_tags(sctx *c, const schema *sc, const need *nd, const tset *t)
{
    iql_val none[1] = {{.t = IQL_VT_NULL}};
    pctx p = {.sc = sc, .nd = nd, .ts = t, .row = none};
    return cond(c, &p, c->st->where);
}

int iqs_read_points(sctx *c, const schema *sc, const need *nd, pointset *ps)
{
    if (!nd->n) return 0;
    scan *scn = NULL;
    scan_iter *it = NULL;
    int rc = iqs_scan_open(c, sc, nd, SCAN_ORDER_TABLE, false, &scn, &it);
    fbuf *fb = st_calloc(nd->n, sizeof *fb);
    scan_series ss;
    while (rc == 0 && it && (rc = scan_iter_next(it, &ss, c->e)) == 1) {
        rc = 0;
        if (!ps->ntsets || !same_tags(&ss, &ps->tsets[ps->ntsets - 1])) {
            if (ps->ntsets && (rc = flush_tset(c, sc, nd, c->st->where, ps, fb))) break;
            new_tset(c, ps, &ss);
        }
        long f = iqs_find_slice(sc->fields, sc->nfields, ss.column);
        long k = f >= 0 ? nd->slot[f] : -1;
        if (k < 0) continue;
        fbuf *b = &fb[k];
        scan_batch bt;
        while ((rc = scan_iter_batch(it, &bt, c->e)) == 1) {
            rc = 0;
            if (b->n + bt.n > b->cap) {
                b->cap = (b->n + bt.n) * 2;
                b->ts = st_realloc(b->ts, b->cap * sizeof *b->ts);
                b->v = st_realloc(b->v, b->cap * sizeof *b->v);
            }
            for (size_t i = 0; i < bt.n; i++) {
                st_slice s = {0};
                if (ss.type == ST_VT_STRING) s = st_slice_of(st_arena_strndup(c->a, bt.strs[i].p, bt.strs[i].n), bt.strs[i].n);
                b->ts[b->n] = bt.ts[i];
                b->v[b->n++] = iqv_stored(ss.type, ss.type == ST_VT_STRING ? 0 : bt.vals[i], s);
            }
        }
    }
    if (rc == 0 && ps->ntsets) rc = flush_tset(c, sc, nd, c->st->where, ps, fb);
    for (size_t k = 0; k < nd->n; k++) {
        st_free(fb[k].ts);
        st_free(fb[k].v);
    }
    st_free(fb);
    scan_iter_close(it);
    scan_close(scn);
    return rc < 0 ? rc : 0;
}

void iqs_pointset_free(pointset *ps)
{
    for (size_t i = 0; i < ps->ngroups; i++) {
        st_free(ps->groups[i].ts);
        st_free(ps->groups[i].vals);
        st_free(ps->groups[i].tset);
    }
    st_free(ps->groups);
    st_free(ps->tsets);
    htab_free(&ps->gix);
}

/* A group's points in time order, ties in tag-set order (a stable sort:
 * the points came tag set by tag set, each in time order). */
static int cmp_pt(const void *a, const void *b, void *arg)
{
    const group *g = arg;
    size_t x = *(const size_t *)a, y = *(const size_t *)b;
    if (g->ts[x] != g->ts[y]) return g->ts[x] < g->ts[y] ? -1 : 1;
    return (x > y) - (x < y);
}

void iqs_group_sort(group *g, size_t nv)
{
    bool sorted = true;
    for (size_t i = 1; i < g->n && sorted; i++) sorted = g->ts[i - 1] <= g->ts[i];
    if (sorted) return;
    size_t *ix = st_malloc(g->n * sizeof *ix);
    for (size_t i = 0; i < g->n; i++) ix[i] = i;
    qsort_r(ix, g->n, sizeof *ix, cmp_pt, g);
    int64_t *ts = st_malloc(g->n * sizeof *ts);
    uint32_t *tsv = st_malloc(g->n * sizeof *tsv);
    iql_val *vals = st_malloc(g->n * (nv ? nv : 1) * sizeof *vals);
    for (size_t i = 0; i < g->n; i++) {
        ts[i] = g->ts[ix[i]];
        tsv[i] = g->tset[ix[i]];
        if (nv) memcpy(vals + i * nv, g->vals + ix[i] * nv, nv * sizeof *vals);
    }
    st_free(g->ts);
    st_free(g->tset);
    st_free(g->vals);
    g->ts = ts;
    g->tset = tsv;
    g->vals = vals;
    st_free(ix);
}


/* ---- a subquery's answer as the source of points ---- */

static uint8_t stored_type(iql_vt t)
{
    switch (t) {
    case IQL_VT_INT: return ST_VT_INT;
    case IQL_VT_UINT: return ST_VT_UINT;
    case IQL_VT_STRING: return ST_VT_STRING;
    case IQL_VT_BOOL: return ST_VT_BOOL;
    default: return ST_VT_FLOAT;
    }
}

/* The schema of the subquery's series named name: its columns are the
 * fields, its series' tags the tags. */
void iqs_sub_schema(sctx *c, st_slice name, schema *out)
{
    const iql_result *r = c->sub;
    memset(out, 0, sizeof *out);
    out->name = name;
    size_t capf = 0, capt = 0;
    st_slice *f = NULL, *t = NULL;
    uint8_t *ft = NULL;
    size_t nf = 0, nt = 0;
    for (size_t i = 0; i < r->nseries; i++) {
        const iql_rseries *x = &r->series[i];
        if (!st_slice_eq(x->name, name)) continue;
        for (size_t k = 1; k < x->ncols; k++) {
            bool seen = false;
            for (size_t j = 0; j < nf && !seen; j++) seen = st_slice_eq(f[j], x->cols[k]);
            if (seen) continue;
            iql_vt vt = IQL_VT_FLOAT;
            for (size_t row = 0; row < x->nrows; row++)
                if (x->vals[row * (x->ncols - 1) + k - 1].t != IQL_VT_NULL) {
                    vt = x->vals[row * (x->ncols - 1) + k - 1].t;
                    break;
                }
            size_t cf = capf;
            f = grow(f, nf, &capf, sizeof *f);
            if (capf != cf) ft = st_realloc(ft, capf);
            ft[nf] = stored_type(vt);
            f[nf++] = x->cols[k];
        }
        for (size_t k = 0; k < x->ntags; k++) {
            bool seen = false;
            for (size_t j = 0; j < nt && !seen; j++) seen = st_slice_eq(t[j], x->tags[k].name);
            if (seen) continue;
            t = grow(t, nt, &capt, sizeof *t);
            t[nt++] = x->tags[k].name;
        }
    }
    /* fields sorted (with their types), tags sorted */
    for (size_t i = 1; i < nf; i++)
        for (size_t j = i; j > 0 && st_slice_cmp(f[j - 1], f[j]) > 0; j--) {
            st_slice a = f[j];
            f[j] = f[j - 1];
            f[j - 1] = a;
            uint8_t b = ft[j];
            ft[j] = ft[j - 1];
            ft[j - 1] = b;
        }
    if (nt > 1) qsort(t, nt, sizeof *t, iqs_cmp_slice);
    out->fields = st_arena_alloc(c->a, (nf + 1) * sizeof *out->fields);
    out->metrics = st_arena_alloc(c->a, (nf + 1) * sizeof *out->metrics);
    out->ftypes = st_arena_alloc(c->a, nf + 1);
    if (nf) {
        memcpy(out->fields, f, nf * sizeof *f);
        memcpy(out->metrics, f, nf * sizeof *f);
        memcpy(out->ftypes, ft, nf);
    }
    out->nfields = nf;
    out->tags = st_arena_alloc(c->a, (nt + 1) * sizeof *out->tags);
    if (nt) memcpy(out->tags, t, nt * sizeof *t);
    out->ntags = nt;
    st_free(f);
    st_free(ft);
    st_free(t);
}

/* The subquery's rows of one name as points, tag set by tag set. */
int iqs_sub_points(sctx *c, const schema *sc, const need *nd, pointset *ps)
{
    const iql_result *r = c->sub;
    fbuf *fb = st_calloc(nd->n + 1, sizeof *fb);
    int rc = 0;
    for (size_t i = 0; i < r->nseries && rc == 0; i++) {
        const iql_rseries *x = &r->series[i];
        if (!st_slice_eq(x->name, sc->name)) continue;
        ps->tsets = grow(ps->tsets, ps->ntsets, &ps->captsets, sizeof *ps->tsets);
        ps->tsets[ps->ntsets++] = (tset){x->tags, x->ntags};
        size_t nv = x->ncols - 1;
        for (size_t k = 1; k < x->ncols; k++) {
            long f = iqs_find_slice(sc->fields, sc->nfields, x->cols[k]);
            long slot = f >= 0 ? nd->slot[f] : -1;
            if (slot < 0) continue;
            fbuf *b = &fb[slot];
            b->ts = st_realloc(b->ts, (x->nrows + 1) * sizeof *b->ts);
            b->v = st_realloc(b->v, (x->nrows + 1) * sizeof *b->v);
            b->cap = x->nrows + 1;
            for (size_t row = 0; row < x->nrows; row++) {
                iql_val v = x->vals[row * nv + k - 1];
                if (v.t == IQL_VT_NULL || x->time[row] < c->read_mint || x->time[row] > c->maxt) continue;
                b->ts[b->n] = x->time[row];
                b->v[b->n++] = v;
            }
        }
        rc = flush_tset(c, sc, nd, c->st->where, ps, fb);
    }
    for (size_t k = 0; k < nd->n; k++) {
        st_free(fb[k].ts);
        st_free(fb[k].v);
    }
    st_free(fb);
    return rc;
}
