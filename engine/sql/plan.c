/* plan: queries to operator trees: SELECT (WHERE, GROUP BY, folds and last
 * rows, windows, the select list, ORDER BY, LIMIT), set operations, VALUES.
 * FROM is plan_from.c's. */
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "sql/ops_int.h"
#include "sql/plan_int.h"
/* --------------------------------------------------------------- SELECT */

static int int_arg(sqlplan *p, const sql_expr *ex, const char *what, int64_t *out)
{
    sql_value v;
    if (!ex) return 0;
    if (!sqlplan_const_value(p, ex, &v) || v.null || v.type != SQLT_BIGINT || v.u.i < 0)
        return sqlplan_fail(p, ex->line, ex->col, ST_EINVAL, "%s must be a non-negative integer", what);
    *out = v.u.i;
    return 0;
}

/* ORDER BY, holding only offset + limit rows when a LIMIT follows. */
static sql_op *sort_op(sqlplan *p, const sql_query *q, sql_op *in, const sql_sort_key *keys, size_t nkeys)
{
    int64_t off = 0, lim = -1;
    sql_value v;
    if (q->limit && !q->with_ties && sqlplan_const_value(p, q->limit, &v) && v.type == SQLT_BIGINT && !v.null && v.u.i >= 0)
        lim = v.u.i;
    if (lim >= 0 && q->offset && sqlplan_const_value(p, q->offset, &v) && v.type == SQLT_BIGINT && !v.null && v.u.i >= 0)
        off = v.u.i;
    if (lim >= 0 && !__builtin_add_overflow(lim, off, &lim) && lim <= (1 << 24)) {
        sqlplan_explain(p, "Sort: %zu key%s, top %" PRId64, nkeys, nkeys == 1 ? "" : "s", lim);
        return sql_op_sort_limit(p->x, in, keys, nkeys, lim);
    }
    sqlplan_explain(p, "Sort: %zu key%s", nkeys, nkeys == 1 ? "" : "s");
    return sql_op_sort(p->x, in, keys, nkeys);
}

static int limit_of(sqlplan *p, const sql_query *q, prel *r)
{
    if (q->with_ties)
        return sqlplan_fail(p, q->line, q->col, ST_EINVAL, "FETCH FIRST ... WITH TIES is not supported by Strata yet");
    int64_t off = 0, lim = -1;
    int rc = int_arg(p, q->offset, "OFFSET", &off);
    if (!rc && q->limit) rc = int_arg(p, q->limit, "LIMIT", &lim);
    if (rc) return rc;
    if (!q->offset && !q->limit) return 0;
    sqlplan_explain(p, "Limit %" PRId64 " offset %" PRId64, lim, off);
    r->op = sql_op_limit(p->x, r->op, off, lim);
    return 0;
}

static st_slice col_name(sqlplan *p, const sql_select_item *it, size_t i)
{
    if (it->alias.name.n) return sqlplan_keep(p, it->alias.name);
    if (it->expr && it->expr->kind == SQL_E_COLUMN)
        return sqlplan_keep(p, it->expr->u.column.parts[it->expr->u.column.n - 1].name);
    char buf[32];
    int n = snprintf(buf, sizeof buf, "_col%zu", i);
    return st_slice_of(st_arena_strndup(p->a, buf, (size_t)n), (size_t)n);
}

static int agg_of(sqlplan *p, const bscope *in, const sql_expr *call, sx_agg *out)
{
    bscope sc = *in;
    sc.grouped = false;
    sc.in_aggregate = true;
    sc.nwins = 0;
    memset(out, 0, sizeof *out);
    out->src = call;
    out->distinct = call->u.call.distinct;
    size_t n = call->u.call.nargs;
    st_slice name = call->u.call.name;
    if (call->u.call.norder || call->u.call.nulls)
        return sqlplan_fail(p, call->line, call->col, ST_EINVAL, "ORDER BY and IGNORE NULLS inside %.*s() are not supported by Strata yet",
                         (int)name.n, name.p);
    uint8_t types[2] = {0, 0};
    sx *args[2] = {NULL, NULL};
    if (n > 2)
        return sqlplan_fail(p, call->line, call->col, ST_EINVAL, "Unexpected parameters for function %.*s: %zu arguments",
                         (int)name.n, name.p, n);
    for (size_t i = 0; i < n; i++) {
        int rc = sqlplan_bind_root(p, &sc, call->u.call.args[i], &args[i]);
        if (rc) return rc;
        types[i] = args[i]->type;
    }
    sql_aggk kind;
    uint8_t ret;
    st_err e2 = {0};
    if (call->u.call.star) kind = SQL_AGG_COUNT_STAR, ret = SQLT_BIGINT;
    else {
        int rc = sql_agg_resolve(name, types, n, out->distinct, &kind, &ret, &e2);
        if (rc) return sqlplan_fail(p, call->line, call->col, ST_EINVAL, "%s", e2.msg);
    }
    out->kind = kind;
    out->type = ret;
    out->arg = args[0];
    out->arg2 = args[1];
    if (call->u.call.filter) {
        sx *f;
        int rc = sqlplan_bind_root(p, &sc, call->u.call.filter, &f);
        if (rc) return rc;
        if (f->type == SQLT_UNKNOWN) f = sqlplan_cast(p, f, SQLT_BOOLEAN);
        if (f->type != SQLT_BOOLEAN)
            return sqlplan_fail(p, call->line, call->col, ST_EINVAL, "Filter expression must evaluate to a boolean: actual type %s",
                             sql_vtype_name(f->type));
        out->filter = f;
    }
    return 0;
}

/* Appends an expression to a projection being built: its column. */
typedef struct projb {
    sx **v;
    size_t n, cap;
} projb;

static size_t proj_add(sqlplan *p, projb *b, sx *x)
{
    if (b->n == b->cap) {
        size_t nc = b->cap ? b->cap * 2 : 16;
        sx **nv = sqlplan_alloc(p, nc * sizeof *nv);
        if (b->n) memcpy(nv, b->v, b->n * sizeof *nv);
        b->v = nv;
        b->cap = nc;
    }
    b->v[b->n] = x;
    return b->n++;
}

static int frame_n(sqlplan *p, const sql_bound *b, int64_t *out)
{
    *out = 0;
    if (b->kind != SQL_BOUND_PRECEDING && b->kind != SQL_BOUND_FOLLOWING) return 0;
    return int_arg(p, b->value, "Window frame offset", out);
}

/* Window operators, one per distinct (PARTITION BY, ORDER BY), appended to
 * the row; wincol gets each call's column. */
static int plan_windows(sqlplan *p, prel *cur, bscope *view, sql_expr **wins, size_t nwins, size_t *wincol,
                        uint8_t *wintypes)
{
    bscope sc = *view;
    sc.nwins = 0;
    bool *done = sqlplan_alloc(p, nwins);
    for (size_t w = 0; w < nwins; w++) {
        if (done[w]) continue;
        const sql_window *spec = wins[w]->u.call.over;
        /* keys: existing columns or computed ones projected first */
        projb pb = {0};
        for (size_t i = 0; i < cur->ncols; i++) proj_add(p, &pb, sqlplan_col(p, i, cur->cols[i].type));
        size_t *pcols = sqlplan_alloc(p, (spec->npartition + 1) * sizeof *pcols);
        sql_sort_key *ok = sqlplan_alloc(p, (spec->norder + 1) * sizeof *ok);
        for (size_t i = 0; i < spec->npartition; i++) {
            sx *k;
            int rc = sqlplan_bind_root(p, &sc, spec->partition[i], &k);
            if (rc) return rc;
            pcols[i] = k->kind == SX_COL ? k->index : proj_add(p, &pb, k);
        }
        for (size_t i = 0; i < spec->norder; i++) {
            sx *k;
            int rc = sqlplan_bind_root(p, &sc, spec->order[i].expr, &k);
            if (rc) return rc;
            ok[i].col = k->kind == SX_COL ? k->index : proj_add(p, &pb, k);
            ok[i].desc = spec->order[i].desc;
            ok[i].nulls_first = spec->order[i].nulls == SQL_NULLS_FIRST;
        }
        size_t base = pb.n;
        pcol *ncols = sqlplan_alloc(p, (pb.n + nwins) * sizeof *ncols);
        memcpy(ncols, cur->cols, cur->ncols * sizeof *ncols);
        if (pb.n > cur->ncols) {
            uint8_t *unused = NULL;
            (void)unused;
            for (size_t i = cur->ncols; i < pb.n; i++) ncols[i] = (pcol){.type = pb.v[i]->type, .hidden = true};
            cur->op = sql_op_project(p->x, cur->op, pb.v, pb.n);
        }
        sql_win *fns = sqlplan_alloc(p, nwins * sizeof *fns);
        size_t nf = 0;
        for (size_t j = w; j < nwins; j++) {
            const sql_window *o = wins[j]->u.call.over;
            if (done[j]) continue;
            bool same = o->npartition == spec->npartition && o->norder == spec->norder;
            for (size_t i = 0; same && i < o->npartition; i++) same = sql_expr_equal(o->partition[i], spec->partition[i]);
            for (size_t i = 0; same && i < o->norder; i++)
                same = sql_expr_equal(o->order[i].expr, spec->order[i].expr) && o->order[i].desc == spec->order[i].desc &&
                       o->order[i].nulls == spec->order[i].nulls;
            if (!same) continue;
            done[j] = true;
            const sql_expr *call = wins[j];
            sql_win *f = &fns[nf];
            st_slice name = call->u.call.name;
            size_t na = call->u.call.nargs;
            f->frame = o->frame;
            f->start = o->start.kind;
            f->end = o->end.kind;
            if (o->frame != SQL_FRAME_NONE && o->end.kind == SQL_BOUND_NONE) f->end = SQL_BOUND_CURRENT_ROW;
            int rc = frame_n(p, &o->start, &f->start_n);
            if (!rc) rc = frame_n(p, &o->end, &f->end_n);
            if (rc) return rc;
            if (o->frame == SQL_FRAME_GROUPS || (o->frame == SQL_FRAME_RANGE && (f->start_n || f->end_n)))
                return sqlplan_fail(p, call->line, call->col, ST_EINVAL, "this window frame is not supported by Strata yet");
            if (sqlplan_is_aggregate_name(name)) {
                f->fn = SQL_WIN_AGG;
                if ((rc = agg_of(p, &sc, call, &f->agg))) return rc;
                f->type = f->agg.type;
            } else if (st_slice_eq(name, st_slice_cstr("row_number")) || st_slice_eq(name, st_slice_cstr("rank")) ||
                       st_slice_eq(name, st_slice_cstr("dense_rank"))) {
                f->fn = name.p[0] == 'r' ? (name.n == 10 ? SQL_WIN_ROW_NUMBER : SQL_WIN_RANK) : SQL_WIN_DENSE_RANK;
                f->type = SQLT_BIGINT;
                if (na) return sqlplan_fail(p, call->line, call->col, ST_EINVAL, "%.*s() takes no arguments", (int)name.n, name.p);
            } else if (st_slice_eq(name, st_slice_cstr("percent_rank")) || st_slice_eq(name, st_slice_cstr("cume_dist"))) {
                f->fn = name.p[0] == 'p' ? SQL_WIN_PERCENT_RANK : SQL_WIN_CUME_DIST;
                f->type = SQLT_DOUBLE;
                if (na) return sqlplan_fail(p, call->line, call->col, ST_EINVAL, "%.*s() takes no arguments", (int)name.n, name.p);
            } else if (st_slice_eq(name, st_slice_cstr("ntile"))) {
                f->fn = SQL_WIN_NTILE;
                f->type = SQLT_BIGINT;
                if (na != 1) return sqlplan_fail(p, call->line, call->col, ST_EINVAL, "ntile() takes the number of buckets");
                if ((rc = int_arg(p, call->u.call.args[0], "ntile's buckets", &f->offset))) return rc;
            } else if (st_slice_eq(name, st_slice_cstr("lag")) || st_slice_eq(name, st_slice_cstr("lead")) ||
                       st_slice_eq(name, st_slice_cstr("first_value")) || st_slice_eq(name, st_slice_cstr("last_value"))) {
                bool lagged = name.n < 5;
                f->fn = name.p[0] == 'f' ? SQL_WIN_FIRST_VALUE
                        : name.n == 10  ? SQL_WIN_LAST_VALUE
                        : name.p[1] == 'a' ? SQL_WIN_LAG
                                           : SQL_WIN_LEAD;
                if (na < 1 || na > (lagged ? 3u : 1u))
                    return sqlplan_fail(p, call->line, call->col, ST_EINVAL, "Invalid number of arguments (%zu) for %.*s()", na,
                                     (int)name.n, name.p);
                if ((rc = sqlplan_bind_root(p, &sc, call->u.call.args[0], &f->arg))) return rc;
                f->type = f->arg->type;
                f->offset = 1;
                if (na >= 2 && (rc = int_arg(p, call->u.call.args[1], "lag/lead offset", &f->offset))) return rc;
                if (na == 3) {
                    if ((rc = sqlplan_bind_root(p, &sc, call->u.call.args[2], &f->dflt))) return rc;
                    uint8_t t;
                    if (!sql_fn_common_type(f->type, f->dflt->type, &t))
                        return sqlplan_fail(p, call->line, call->col, ST_EINVAL, "lag/lead default must have the argument's type");
                    f->arg = sqlplan_cast(p, f->arg, t);
                    f->dflt = sqlplan_cast(p, f->dflt, t);
                    f->type = t;
                }
            } else {
                return sqlplan_fail(p, call->line, call->col, ST_EINVAL, "Window function %.*s is not supported by Strata yet",
                                 (int)name.n, name.p);
            }
            wincol[j] = base + nf;
            wintypes[j] = f->type;
            ncols[base + nf] = (pcol){.type = f->type, .hidden = true};
            nf++;
        }
        sqlplan_explain(p, "Window: %zu function%s, %zu partition key%s, %zu order key%s", nf, nf == 1 ? "" : "s",
                     spec->npartition, spec->npartition == 1 ? "" : "s", spec->norder, spec->norder == 1 ? "" : "s");
        cur->op = sql_op_window(p->x, cur->op, pcols, spec->npartition, ok, spec->norder, fns, nf);
        cur->cols = ncols;
        cur->ncols = base + nf;
    }
    view->wins = wins;
    view->nwins = nwins;
    view->wincol = wincol;
    view->wintypes = wintypes;
    return 0;
}

/* The FROM relation opened, with the WHERE filter on it. */
/* The bound WHERE without the conditions the scan answers exactly (the
 * AND trees of ex and x walked side by side: binding keeps their shape):
 * NULL when nothing is left to check. *text: what is left, for EXPLAIN. */
static void unpushed_walk(sqlplan *p, const sql_expr *ex, sx *x, const sql_expr *const *pushed, size_t npushed,
                          sx ***left, const sql_expr ***lex, size_t *n, size_t *cap)
{
    if (ex->kind == SQL_E_AND && x->kind == SX_AND && x->nargs == ex->u.list.n) {
        for (size_t i = 0; i < ex->u.list.n; i++)
            unpushed_walk(p, ex->u.list.items[i], x->args[i], pushed, npushed, left, lex, n, cap);
        return;
    }
    for (size_t i = 0; i < npushed; i++)
        if (pushed[i] == ex) return;
    if (*n == *cap) {
        size_t nc = *cap ? *cap * 2 : 8;
        sx **nv = sqlplan_alloc(p, nc * sizeof *nv);
        const sql_expr **ne = sqlplan_alloc(p, nc * sizeof *ne);
        if (*n) memcpy(nv, *left, *n * sizeof *nv), memcpy(ne, *lex, *n * sizeof *ne);
        *left = nv;
        *lex = ne;
        *cap = nc;
    }
    (*left)[*n] = x;
    (*lex)[(*n)++] = ex;
}

static sx *unpushed(sqlplan *p, const sql_expr *where, sx *x, const sql_expr *const *pushed, size_t npushed,
                    const char **text)
{
    sx **left = NULL;
    const sql_expr **lex = NULL;
    size_t n = 0, cap = 0;
    unpushed_walk(p, where, x, pushed, npushed, &left, &lex, &n, &cap);
    *text = NULL;
    if (!n) return NULL;
    if (n == 1) {
        *text = sqlplan_expr_text(p, lex[0]);
        return left[0];
    }
    st_buf b = {0};
    for (size_t i = 0; i < n; i++) st_buf_printf(&b, "%s%s", i ? " AND " : "", sqlplan_expr_text(p, lex[i]));
    char *t = sqlplan_alloc(p, b.len + 1);
    memcpy(t, b.p, b.len);
    t[b.len] = 0;
    st_buf_free(&b);
    *text = t;
    sx *all = sqlplan_alloc(p, sizeof *all);
    memset(all, 0, sizeof *all);
    all->kind = SX_AND;
    all->type = SQLT_BOOLEAN;
    all->line = where->line;
    all->col = where->col;
    all->args = left;
    all->nargs = (uint32_t)n;
    return all;
}

static int open_input(sqlplan *p, pnode *from, sx *wcond, const char *wtext, prel *cur)
{
    if (cur->op) return 0;
    int rc = sqlplan_materialize(p, from, cur);
    if (rc) return rc;
    if (wcond) {
        sqlplan_explain(p, "Filter %s", wtext);
        cur->op = sql_op_filter(p->x, cur->op, wcond);
    }
    return 0;
}

/* bin(time, w) or date_trunc('unit', time) for a unit of fixed length:
 * the bucket's width, else 0. */
static int64_t bucket_width(const pnode *leaf, const sx *k)
{
    if (k->kind != SX_FN || !k->name || k->nargs != 2) return 0;
    if (!strcmp(k->name, "bin")) {
        const sx *t = k->args[0], *w = k->args[1];
        if (t->kind == SX_COL && t->index == leaf->time_col && w->kind == SX_CONST && !w->k.null &&
            w->k.type == SQLT_INTERVAL_DS && w->k.u.i > 0)
            return w->k.u.i;
        return 0;
    }
    if (!strcmp(k->name, "date_trunc")) {
        const sx *u = k->args[0], *t = k->args[1];
        if (t->kind != SX_COL || t->index != leaf->time_col || u->kind != SX_CONST || u->k.null ||
            u->k.type != SQLT_VARCHAR)
            return 0;
        static const struct {
            const char *unit;
            int64_t ns;
        } units[] = {{"second", ST_NS_PER_S}, {"minute", 60 * ST_NS_PER_S}, {"hour", 3600 * ST_NS_PER_S},
                     {"day", 86400 * ST_NS_PER_S}};
        for (size_t i = 0; i < sizeof units / sizeof *units; i++)
            if (u->k.u.s.n == strlen(units[i].unit) && !strncasecmp(u->k.u.s.p, units[i].unit, u->k.u.s.n))
                return units[i].ns;
    }
    return 0;
}

/* Does the query want only each tag set's last row? A GROUP BY of
 * dimensions whose aggregates are max(time) and max_by(x, time), or an
 * ORDER BY time DESC LIMIT 1: then the scan may skip all but the newest
 * samples (scan.h's tail). */
static bool wants_tail_grouped(const pnode *leaf, sx **kx, size_t nkeys, const sx_agg *ax, size_t naggs)
{
    if (!naggs) return false;
    for (size_t i = 0; i < nkeys; i++)
        if (kx[i]->kind != SX_COL || kx[i]->index > leaf->ntags) return false;
    for (size_t j = 0; j < naggs; j++) {
        const sx_agg *a = &ax[j];
        if (a->distinct || a->filter) return false;
        const sx *key = a->kind == SQL_AGG_MAX ? a->arg : a->kind == SQL_AGG_MAX_BY ? a->arg2 : NULL;
        if (!key || key->kind != SX_COL || key->index != leaf->time_col) return false;
    }
    return true;
}

static bool wants_tail_ordered(sqlplan *p, const sql_query *q, const pnode *leaf)
{
    const sql_select *s = q->select;
    if (!q->norder || !q->limit || q->offset || s->distinct || !q->order[0].desc) return false;
    sql_value v;
    if (!sqlplan_const_value(p, q->limit, &v) || v.type != SQLT_BIGINT || v.null || v.u.i != 1) return false;
    const sql_expr *ex = q->order[0].expr;
    if (sqlplan_column_of(leaf, ex) != (int)leaf->time_col) return false;
    /* an output column named like it would be what ORDER BY means */
    st_slice name = ex->u.column.parts[ex->u.column.n - 1].name;
    for (size_t i = 0; i < s->nitems; i++) {
        const sql_select_item *it = &s->items[i];
        if (it->alias.name.n && st_slice_eq(it->alias.name, name) &&
            !(it->expr && sqlplan_column_of(leaf, it->expr) == (int)leaf->time_col))
            return false;
    }
    return true;
}

/* Which GROUP BY key an ORDER BY's first item sorts by, when only its
 * first LIMIT + OFFSET rows are wanted and nothing between the grouping
 * and the sort can drop or add rows (HAVING, DISTINCT, windows): the fold
 * may then read only the buckets those rows come from. -1 otherwise. */
static long top_key(sqlplan *p, const sql_query *q, sql_expr *const *keys, size_t nkeys, size_t nwins, int64_t *top)
{
    const sql_select *s = q->select;
    if (!q->norder || !q->limit || q->with_ties || s->distinct || s->having || nwins) return -1;
    sql_value v;
    int64_t lim, off = 0;
    if (!sqlplan_const_value(p, q->limit, &v) || v.type != SQLT_BIGINT || v.null || v.u.i < 0) return -1;
    lim = v.u.i;
    if (q->offset) {
        if (!sqlplan_const_value(p, q->offset, &v) || v.type != SQLT_BIGINT || v.null || v.u.i < 0) return -1;
        off = v.u.i;
    }
    if (__builtin_add_overflow(lim, off, top) || *top < 1 || *top > (1 << 20)) return -1;
    const sql_expr *ex = q->order[0].expr;
    for (size_t i = 0; i < s->nitems; i++)
        if (s->items[i].star) return -1;
    if (ex->kind == SQL_E_INT) {
        if (ex->u.num.i < 1 || (uint64_t)ex->u.num.i > s->nitems) return -1;
        ex = s->items[ex->u.num.i - 1].expr;
    } else if (ex->kind == SQL_E_COLUMN && ex->u.column.n == 1) {
        /* an output name is what ORDER BY means first */
        const sql_expr *named = NULL;
        for (size_t i = 0; i < s->nitems; i++) {
            const sql_select_item *it = &s->items[i];
            st_slice name = it->alias.name.n ? it->alias.name
                          : it->expr->kind == SQL_E_COLUMN ? it->expr->u.column.parts[it->expr->u.column.n - 1].name
                                                           : (st_slice){0};
            if (!name.n || !st_slice_eq(name, ex->u.column.parts[0].name)) continue;
            if (named && !sql_expr_equal(named, it->expr)) return -1;
            named = it->expr;
        }
        if (named) ex = named;
    }
    for (size_t k = 0; k < nkeys; k++)
        if (sql_expr_equal(ex, keys[k])) return (long)k;
    return -1;
}

/* GROUP BY over one table whose WHERE went into the scan whole: folded
 * from the series (foldop.c) when the keys are dimensions, measure_name
 * and one time bucket, and the aggregates count/sum/avg/min/max of
 * fields. *out stays NULL when the shape is another. */
static int fold_plan(sqlplan *p, pnode *leaf, sx **kx, size_t nkeys, const sx_agg *ax, size_t naggs, bool ordered,
                     long topk, int64_t top, bool top_desc, sql_op **out)
{
    *out = NULL;
    uint8_t *keys = sqlplan_alloc(p, nkeys + 1);
    size_t *keytags = sqlplan_alloc(p, (nkeys + 1) * sizeof *keytags);
    size_t nkt = 0;
    int64_t width = 0;
    for (size_t i = 0; i < nkeys; i++) {
        const sx *k = kx[i];
        if (k->kind == SX_COL && k->index < leaf->ntags) {
            keys[i] = SQL_FOLD_KEY_TAG;
            keytags[nkt++] = k->index;
        } else if (k->kind == SX_COL && k->index == leaf->ntags) {
            keys[i] = SQL_FOLD_KEY_MEASURE;
        } else {
            int64_t w = bucket_width(leaf, k);
            if (!w || (width && w != width)) return 0;
            width = w;
            keys[i] = SQL_FOLD_KEY_BUCKET;
        }
    }
    size_t fbase = leaf->ntags + 2, nf = leaf->def.nfields;
    sql_fold_agg *fa = sqlplan_alloc(p, (naggs + 1) * sizeof *fa);
    /* last rows: max(time), max_by(field, time) and nothing else */
    size_t nlast = 0;
    for (size_t j = 0; j < naggs; j++) {
        const sx_agg *a = &ax[j];
        if (a->distinct || a->filter) break;
        if (a->kind == SQL_AGG_MAX && a->arg && a->arg->kind == SX_COL && a->arg->index == leaf->time_col)
            fa[nlast++] = (sql_fold_agg){.kind = SQL_AGG_MAX, .field = SIZE_MAX, .type = a->type};
        else if (a->kind == SQL_AGG_MAX_BY && a->arg && a->arg->kind == SX_COL && a->arg->index >= fbase && a->arg2 &&
                 a->arg2->kind == SX_COL && a->arg2->index == leaf->time_col)
            fa[nlast++] = (sql_fold_agg){.kind = SQL_AGG_MAX_BY, .field = a->arg->index - fbase, .type = a->type};
        else break;
    }
    bool last = nlast && nlast == naggs;
    if (nlast && !last) return 0;
    if (last && width) return 0;
    for (size_t j = 0; j < naggs && !last; j++) {
        const sx_agg *a = &ax[j];
        if (a->distinct || a->filter || a->arg2) return 0;
        size_t field;
        sql_aggk kind = a->kind;
        if (kind == SQL_AGG_COUNT_STAR) {
            if (nf != 1) return 0; /* rows are times of any field: only one field counts them */
            field = 0;
            kind = SQL_AGG_COUNT;
        } else {
            if (!a->arg || a->arg->kind != SX_COL || a->arg->index < fbase) return 0;
            field = a->arg->index - fbase;
            uint8_t ct = leaf->def.ctypes[field];
            if (kind != SQL_AGG_COUNT &&
                !((kind == SQL_AGG_SUM || kind == SQL_AGG_AVG || kind == SQL_AGG_MIN || kind == SQL_AGG_MAX) &&
                  (ct == SQLT_DOUBLE || ct == SQLT_BIGINT)))
                return 0;
        }
        fa[j] = (sql_fold_agg){.kind = kind, .field = field, .type = a->type};
    }
    sql_fold_def d = {.scan = leaf->def, .width = width, .keys = keys, .nkeys = nkeys, .keytags = keytags,
                      .aggs = fa, .naggs = naggs, .last = last, .ordered = ordered};
    if (topk >= 0 && keys[topk] == SQL_FOLD_KEY_BUCKET && width > 0) {
        d.top = top;
        d.top_desc = top_desc;
    }
    if (leaf->empty) {
        d.scan.mint = 1;
        d.scan.maxt = 0;
    }
    d.scan.matchers = leaf->m;
    d.scan.nmatchers = leaf->nm;
    if (p->explain) {
        char what[256];
        if (last)
            snprintf(what, sizeof what, ", %zu key%s, the last row of each group from the series' newest samples", nkeys,
                     nkeys == 1 ? "" : "s");
        else
            snprintf(what, sizeof what, ", %zu key%s, bucket %" PRId64 " ns, %zu aggregate%s from chunk statistics where a chunk lies in one bucket%s",
                     nkeys, nkeys == 1 ? "" : "s", width, naggs, naggs == 1 ? "" : "s",
                     d.top ? (d.top_desc ? ", newest buckets first until the LIMIT's rows are whole"
                                         : ", oldest buckets first until the LIMIT's rows are whole") : "");
        sqlplan_explain_scan(p, "Fold scan", leaf, d.scan.mint, d.scan.maxt, what);
    }
    leaf->m = NULL;
    leaf->nm = 0; /* the operator's from here on */
    sql_exec_ctx *x = sqlplan_alloc(p, sizeof *x);
    *x = *p->x;
    x->db = leaf->db;
    return sql_op_fold(x, &d, out, p->e);
}

/* Does the ORDER BY ask for the grouping keys' own order: its items the
 * first keys in turn, each ascending with NULLs last (a fold's order)? */
static bool keys_in_order(const sql_query *q, size_t nkeys, sx *const *proj, const sql_sort_key *keys)
{
    if (q->norder > nkeys) return false;
    for (size_t i = 0; i < q->norder; i++) {
        const sx *v = proj[keys[i].col];
        if (keys[i].desc || keys[i].nulls_first || v->kind != SX_COL || v->index != i) return false;
    }
    return true;
}

static int plan_select_in(sqlplan *p, const sql_query *q, prel *out, prel *cur, pnode **fromp)
{
    const sql_select *s = q->select;
    int rc;
    pnode *from = NULL;
    bool exact = true; /* every WHERE condition went into the scan exactly */
    bool fold_ordered = false; /* a fold hands its rows in key order */
    const sql_expr **pushed = NULL; /* WHERE's conditions the scan answers exactly */
    size_t npushed = 0;
    /* FROM */
    if (!s->nfrom) {
        static const sql_value none[1];
        cur->op = sql_op_values(p->x, 0, NULL, none, 1);
    } else {
        for (size_t i = 0; i < s->nfrom; i++) {
            pnode *n;
            if (from && s->from[i]->kind == SQL_R_UNNEST) {
                /* FROM t, UNNEST(t.x): lateral, as in Trino */
                if ((rc = sqlplan_unnest(p, s->from[i], from, false, &n))) return rc;
                from = *fromp = n;
                continue;
            }
            if ((rc = sqlplan_relation(p, s->from[i], &n))) return rc;
            if (!from) from = *fromp = n;
            else {
                pnode *j = sqlplan_alloc(p, sizeof *j);
                j->kind = PN_JOIN;
                j->jk = SQL_JOIN_CROSS;
                j->l = from;
                j->r = n;
                j->src = sqlplan_alloc(p, sizeof *j->src);
                j->ncols = from->ncols + n->ncols;
                j->cols = sqlplan_alloc(p, j->ncols * sizeof *j->cols);
                memcpy(j->cols, from->cols, from->ncols * sizeof *j->cols);
                memcpy(j->cols + from->ncols, n->cols, n->ncols * sizeof *j->cols);
                from = *fromp = j;
            }
        }
        if (s->where) {
            const sql_expr **cs = NULL;
            size_t ncs = 0, capcs = 0;
            sqlplan_conjuncts(p, s->where, &cs, &ncs, &capcs);
            pushed = sqlplan_alloc(p, (ncs + 1) * sizeof *pushed);
            for (size_t i = 0; i < ncs; i++) {
                if (sqlplan_push(p, from, cs[i])) pushed[npushed++] = cs[i];
                else exact = false;
            }
        }
        mentions m = {0};
        sqlplan_mention_query(p, q, &m);
        sqlplan_mark_read(from, &m.star, m.v, m.n);
        /* opened once GROUP BY is known: it may fold the scan instead */
        cur->cols = from->cols;
        cur->ncols = from->ncols;
    }
    pcol *fromcols = cur->cols;
    size_t nfromcols = cur->ncols;
    bscope view = {.cols = fromcols, .ncols = nfromcols};
    /* WHERE */
    sx *wcond = NULL;
    const char *wtext = NULL;
    if (s->where) {
        sql_expr **aggs = NULL, **wins = NULL;
        size_t na = 0, ca = 0, nw = 0, cw = 0;
        sqlplan_collect(p, s->where, &aggs, &na, &ca, &wins, &nw, &cw);
        if (na || nw)
            return sqlplan_fail(p, s->where->line, s->where->col, ST_EINVAL,
                             "WHERE clause cannot contain aggregations, window functions or grouping operations: %s",
                             sqlplan_expr_text(p, na ? aggs[0] : wins[0]));
        if ((rc = sqlplan_bind_root(p, &view, s->where, &wcond))) return rc;
        if (wcond->type == SQLT_UNKNOWN) wcond = sqlplan_cast(p, wcond, SQLT_BOOLEAN);
        if (wcond->type != SQLT_BOOLEAN)
            return sqlplan_fail(p, s->where->line, s->where->col, ST_EINVAL,
                             "WHERE clause must evaluate to a boolean: actual type %s", sql_vtype_name(wcond->type));
        /* a scan answers what went into it; through a join a condition on
         * an outer join's NULL side must still be checked after it */
        if (from && from->kind == PN_SCAN) wcond = unpushed(p, s->where, wcond, pushed, npushed, &wtext);
        else wtext = sqlplan_expr_text(p, s->where);
    }
    /* aggregates and windows named anywhere after WHERE */
    sql_expr **aggs = NULL, **wins = NULL;
    size_t naggs = 0, capaggs = 0, nwins = 0, capwins = 0;
    for (size_t i = 0; i < s->nitems; i++)
        sqlplan_collect(p, s->items[i].expr, &aggs, &naggs, &capaggs, &wins, &nwins, &capwins);
    if (s->having) {
        sql_expr **hw = NULL;
        size_t nhw = 0, chw = 0;
        sqlplan_collect(p, s->having, &aggs, &naggs, &capaggs, &hw, &nhw, &chw);
        if (nhw)
            return sqlplan_fail(p, s->having->line, s->having->col, ST_EINVAL, "HAVING clause cannot contain window functions");
    }
    for (size_t i = 0; i < q->norder; i++)
        sqlplan_collect(p, q->order[i].expr, &aggs, &naggs, &capaggs, &wins, &nwins, &capwins);
    /* GROUP BY */
    size_t nkeys = 0;
    for (size_t g = 0; g < s->ngroup; g++) {
        if (s->group[g].kind != SQL_GROUP_SET || s->group[g].nsets != 1)
            return sqlplan_fail(p, s->group[g].line, s->group[g].col, ST_EINVAL,
                             "ROLLUP, CUBE and GROUPING SETS are not supported by Strata yet");
        nkeys += s->group[g].sets[0].n;
    }
    bool grouped = s->ngroup || naggs || s->having;
    if (grouped) {
        sql_expr **keys = sqlplan_alloc(p, (nkeys + 1) * sizeof *keys);
        sx **kx = sqlplan_alloc(p, (nkeys + 1) * sizeof *kx);
        int *keycol = sqlplan_alloc(p, (nkeys + 1) * sizeof *keycol);
        uint8_t *keytypes = sqlplan_alloc(p, nkeys + 1);
        size_t k = 0;
        for (size_t g = 0; g < s->ngroup; g++)
            for (size_t j = 0; j < s->group[g].sets[0].n; j++) {
                sql_expr *ex = s->group[g].sets[0].exprs[j];
                if (ex->kind == SQL_E_INT) {
                    int64_t ord = ex->u.num.i;
                    if (ord < 1 || (uint64_t)ord > s->nitems)
                        return sqlplan_fail(p, ex->line, ex->col, ST_EINVAL, "GROUP BY position %" PRId64 " is not in select list", ord);
                    const sql_select_item *it = &s->items[ord - 1];
                    if (!it->expr)
                        return sqlplan_fail(p, ex->line, ex->col, ST_EINVAL, "GROUP BY position %" PRId64 " is not an expression", ord);
                    ex = it->expr;
                }
                sql_expr **ca = NULL, **cw = NULL;
                size_t nca = 0, cca = 0, ncw = 0, ccw = 0;
                sqlplan_collect(p, ex, &ca, &nca, &cca, &cw, &ncw, &ccw);
                if (nca || ncw)
                    return sqlplan_fail(p, ex->line, ex->col, ST_EINVAL, "GROUP BY clause cannot contain aggregations or window functions: %s",
                                     sqlplan_expr_text(p, nca ? ca[0] : cw[0]));
                if ((rc = sqlplan_bind_root(p, &view, ex, &kx[k]))) return rc;
                keys[k] = ex;
                keycol[k] = kx[k]->kind == SX_COL ? (int)kx[k]->index : -1;
                keytypes[k] = kx[k]->type;
                k++;
            }
        sx_agg *ax = sqlplan_alloc(p, (naggs + 1) * sizeof *ax);
        uint8_t *aggtypes = sqlplan_alloc(p, naggs + 1);
        for (size_t i = 0; i < naggs; i++) {
            if ((rc = agg_of(p, &view, aggs[i], &ax[i]))) return rc;
            aggtypes[i] = ax[i].type;
        }
        if (!cur->op && exact && s->nfrom == 1 && from->kind == PN_SCAN) {
            /* keys in order help an ascending ORDER BY that sorts everything (a
             * LIMIT keeps a heap, which gains nothing from it) */
            bool ordered = q->norder > 0 && !q->order[0].desc && !q->limit;
            int64_t top = 0;
            long topk = top_key(p, q, keys, nkeys, nwins, &top);
            bool top_desc = topk >= 0 && q->order[0].desc;
            if ((rc = fold_plan(p, from, kx, nkeys, ax, naggs, ordered, topk, top, top_desc, &cur->op))) return rc;
            fold_ordered = cur->op && ordered;
            if (!cur->op && wants_tail_grouped(from, kx, nkeys, ax, naggs)) {
                from->def.tail = true;
                sqlplan_explain(p, "Scan from each series' newest sample (last row per tag set)");
            }
        }
        if (!cur->op) {
            if ((rc = open_input(p, from, wcond, wtext, cur))) return rc;
            sqlplan_explain(p, "Aggregate: %zu key%s, %zu aggregate%s", nkeys, nkeys == 1 ? "" : "s", naggs,
                            naggs == 1 ? "" : "s");
            cur->op = sql_op_aggregate(p->x, cur->op, kx, nkeys, ax, naggs);
        }
        pcol *gcols = sqlplan_alloc(p, (nkeys + naggs + 1) * sizeof *gcols);
        for (size_t i = 0; i < nkeys; i++)
            gcols[i] = keycol[i] >= 0 ? fromcols[keycol[i]] : (pcol){.type = keytypes[i], .hidden = true};
        for (size_t i = 0; i < naggs; i++) gcols[nkeys + i] = (pcol){.type = aggtypes[i], .hidden = true};
        cur->cols = gcols;
        cur->ncols = nkeys + naggs;
        view.grouped = true;
        view.keys = keys;
        view.nkeys = nkeys;
        view.keycol = keycol;
        view.keytypes = keytypes;
        view.aggs = aggs;
        view.naggs = naggs;
        view.aggtypes = aggtypes;
        if (s->having) {
            sx *c;
            if ((rc = sqlplan_bind_root(p, &view, s->having, &c))) return rc;
            if (c->type == SQLT_UNKNOWN) c = sqlplan_cast(p, c, SQLT_BOOLEAN);
            if (c->type != SQLT_BOOLEAN)
                return sqlplan_fail(p, s->having->line, s->having->col, ST_EINVAL,
                                 "HAVING clause must evaluate to a boolean: actual type %s", sql_vtype_name(c->type));
            sqlplan_explain(p, "Filter (HAVING) %s", sqlplan_expr_text(p, s->having));
            cur->op = sql_op_filter(p->x, cur->op, c);
        }
    }
    if (!cur->op && exact && !grouped && !nwins && s->nfrom == 1 && from->kind == PN_SCAN &&
        wants_tail_ordered(p, q, from)) {
        from->def.tail = true;
        sqlplan_explain(p, "Scan from each series' newest sample (ORDER BY time DESC LIMIT 1)");
    }
    if (!cur->op && (rc = open_input(p, from, wcond, wtext, cur))) return rc;
    if (nwins) {
        size_t *wincol = sqlplan_alloc(p, nwins * sizeof *wincol);
        uint8_t *wintypes = sqlplan_alloc(p, nwins);
        if ((rc = plan_windows(p, cur, &view, wins, nwins, wincol, wintypes))) return rc;
    }
    /* SELECT list */
    projb pb = {0};
    pcol *ocols = NULL;
    size_t nocols = 0, capocols = 0;
    for (size_t i = 0; i < s->nitems; i++) {
        const sql_select_item *it = &s->items[i];
        if (it->star) {
            st_slice qual = {0};
            if (it->expr) {
                if (it->expr->kind != SQL_E_COLUMN)
                    return sqlplan_fail(p, it->line, it->col, ST_EINVAL, "expr.* is supported for a table name only");
                qual = it->expr->u.column.parts[it->expr->u.column.n - 1].name;
            }
            if (grouped)
                return sqlplan_fail(p, it->line, it->col, ST_EINVAL, "SELECT * with GROUP BY or aggregates is not supported: name the columns");
            bool any = false;
            /* the relation's own order: a table's is Timestream's
             * (dimensions, measure_name, time, then the measures) */
            for (size_t c = 0; c < nfromcols; c++) {
                const pcol *pc = &fromcols[c];
                if (pc->hidden || (qual.n && !st_slice_eq(pc->qual, qual))) continue;
                any = true;
                if (nocols == capocols) {
                    size_t nc = capocols ? capocols * 2 : 16;
                    pcol *nv = sqlplan_alloc(p, nc * sizeof *nv);
                    if (nocols) memcpy(nv, ocols, nocols * sizeof *nv);
                    ocols = nv;
                    capocols = nc;
                }
                ocols[nocols++] = (pcol){.name = pc->name, .type = pc->type};
                proj_add(p, &pb, sqlplan_col(p, c, pc->type));
            }
            if (!any && qual.n)
                return sqlplan_fail(p, it->line, it->col, ST_EINVAL, "Table '%.*s' not found", (int)qual.n, qual.p);
            continue;
        }
        sx *x;
        if ((rc = sqlplan_bind_root(p, &view, it->expr, &x))) return rc;
        if (nocols == capocols) {
            size_t nc = capocols ? capocols * 2 : 16;
            pcol *nv = sqlplan_alloc(p, nc * sizeof *nv);
            if (nocols) memcpy(nv, ocols, nocols * sizeof *nv);
            ocols = nv;
            capocols = nc;
        }
        ocols[nocols] = (pcol){.name = col_name(p, it, nocols), .type = x->type};
        nocols++;
        proj_add(p, &pb, x);
    }
    size_t visible = nocols;
    /* ORDER BY: output names and ordinals first, then expressions */
    sql_sort_key *keys = sqlplan_alloc(p, (q->norder + 1) * sizeof *keys);
    for (size_t i = 0; i < q->norder; i++) {
        const sql_order *o = &q->order[i];
        const sql_expr *ex = o->expr;
        long col = -1;
        if (ex->kind == SQL_E_INT) {
            if (ex->u.num.i < 1 || (uint64_t)ex->u.num.i > visible)
                return sqlplan_fail(p, ex->line, ex->col, ST_EINVAL, "ORDER BY position %" PRId64 " is not in select list",
                                 ex->u.num.i);
            col = (long)ex->u.num.i - 1;
        } else if (ex->kind == SQL_E_COLUMN && ex->u.column.n == 1) {
            int hits = 0;
            for (size_t c = 0; c < visible; c++)
                if (st_slice_eq(ocols[c].name, ex->u.column.parts[0].name)) {
                    if (!hits) col = (long)c;
                    hits++;
                }
            if (hits > 1) {
                /* the same column twice is no ambiguity */
                bool same = true;
                for (size_t c = 0; c < visible; c++)
                    if (st_slice_eq(ocols[c].name, ex->u.column.parts[0].name) &&
                        !(s->items[0].expr && pb.v[c]->kind == SX_COL && pb.v[col]->kind == SX_COL &&
                          pb.v[c]->index == pb.v[col]->index))
                        same = false;
                if (!same)
                    return sqlplan_fail(p, ex->line, ex->col, ST_EINVAL, "'%.*s' in ORDER BY is ambiguous",
                                     (int)ex->u.column.parts[0].name.n, ex->u.column.parts[0].name.p);
            }
        }
        if (col < 0)
            for (size_t c = 0; c < s->nitems && col < 0; c++)
                if (!s->items[c].star && s->items[c].expr && sql_expr_equal(s->items[c].expr, ex)) {
                    /* the item's output position: items before it may be stars */
                    size_t pos = 0;
                    bool stars = false;
                    for (size_t d = 0; d < c; d++) stars |= s->items[d].star;
                    if (!stars) {
                        pos = c;
                        col = (long)pos;
                    }
                }
        if (col < 0) {
            if (s->distinct)
                return sqlplan_fail(p, ex->line, ex->col, ST_EINVAL, "For SELECT DISTINCT, ORDER BY expressions must appear in select list");
            sx *x;
            if ((rc = sqlplan_bind_root(p, &view, ex, &x))) return rc;
            col = (long)proj_add(p, &pb, x);
        }
        keys[i].col = (size_t)col;
        keys[i].desc = o->desc;
        keys[i].nulls_first = o->nulls == SQL_NULLS_FIRST;
    }
    sqlplan_explain(p, "Project %zu column%s", visible, visible == 1 ? "" : "s");
    cur->op = sql_op_project(p->x, cur->op, pb.v, pb.n);
    if (s->distinct) {
        sqlplan_explain(p, "Distinct");
        cur->op = sql_op_distinct(p->x, cur->op);
    }
    if (q->norder && !(fold_ordered && !s->distinct && !nwins && keys_in_order(q, nkeys, pb.v, keys))) {
        cur->op = sort_op(p, q, cur->op, keys, q->norder);
    } else if (q->norder) {
        sqlplan_explain(p, "Sort: none, the fold's rows come in this order");
    }
    if ((rc = limit_of(p, q, cur))) return rc;
    if (pb.n > visible) {
        sx **trim = sqlplan_alloc(p, visible * sizeof *trim);
        for (size_t c = 0; c < visible; c++) trim[c] = sqlplan_col(p, c, ocols[c].type);
        cur->op = sql_op_project(p->x, cur->op, trim, visible);
    }
    out->op = cur->op;
    out->cols = ocols;
    out->ncols = visible;
    return 0;
}

/* On failure nothing stays open: the operators built so far are closed. */
static int plan_select(sqlplan *p, const sql_query *q, prel *out)
{
    prel cur = {0};
    pnode *from = NULL;
    int rc = plan_select_in(p, q, out, &cur, &from);
    if (rc) {
        if (cur.op) sql_op_close(cur.op);
        sqlplan_free_pnode(from);
        out->op = NULL;
    }
    return rc;
}

/* ------------------------------------------------ set operations, VALUES */

static int cast_cols(sqlplan *p, prel *r, const uint8_t *types)
{
    bool need = false;
    for (size_t i = 0; i < r->ncols; i++) need |= r->cols[i].type != types[i];
    if (!need) return 0;
    sx **v = sqlplan_alloc(p, r->ncols * sizeof *v);
    for (size_t i = 0; i < r->ncols; i++) {
        v[i] = sqlplan_cast(p, sqlplan_col(p, i, r->cols[i].type), types[i]);
        if (v[i]->kind == SX_CAST) {
            if (p->nroots == p->caproots) {
                size_t nc = p->caproots ? p->caproots * 2 : 32;
                sx **nv = sqlplan_alloc(p, nc * sizeof *nv);
                if (p->nroots) memcpy(nv, p->roots, p->nroots * sizeof *nv);
                p->roots = nv;
                p->caproots = nc;
            }
            p->roots[p->nroots++] = v[i];
        }
    }
    r->op = sql_op_project(p->x, r->op, v, r->ncols);
    return 0;
}

static int plan_setop_in(sqlplan *p, const sql_query *q, prel *lp, prel *rp, prel *out);

static int plan_setop(sqlplan *p, const sql_query *q, prel *out)
{
    static const char *const names[] = {"", "UNION", "INTERSECT", "EXCEPT"};
    prel l, r;
    sqlplan_explain(p, "%s%s", names[q->op], q->quant == SQL_QUANT_ALL ? " ALL" : "");
    p->depth++;
    int rc = sqlplan_plan_query(p, q->left, &l);
    if (rc) {
        p->depth--;
        return rc;
    }
    rc = sqlplan_plan_query(p, q->right, &r);
    p->depth--;
    if (rc) {
        sql_op_close(l.op);
        return rc;
    }
    rc = plan_setop_in(p, q, &l, &r, out);
    if (rc) {
        sql_op_close(l.op);
        sql_op_close(r.op);
    }
    return rc;
}

static int plan_setop_in(sqlplan *p, const sql_query *q, prel *lp, prel *rp, prel *out)
{
    static const char *const names[] = {"", "UNION", "INTERSECT", "EXCEPT"};
    prel l = *lp, r = *rp;
    if (l.ncols != r.ncols)
        return sqlplan_fail(p, q->line, q->col, ST_EINVAL, "%s query has different number of fields: %zu, %zu", names[q->op],
                         l.ncols, r.ncols);
    uint8_t *types = sqlplan_alloc(p, l.ncols + 1);
    for (size_t i = 0; i < l.ncols; i++)
        if (!sql_fn_common_type(l.cols[i].type, r.cols[i].type, &types[i]))
            return sqlplan_fail(p, q->line, q->col, ST_EINVAL, "column %zu in %s query has incompatible types: %s, %s", i + 1,
                             names[q->op], sql_vtype_name(l.cols[i].type), sql_vtype_name(r.cols[i].type));
    if (q->quant == SQL_QUANT_ALL && q->op != SQL_UNION)
        return sqlplan_fail(p, q->line, q->col, ST_EINVAL, "%s ALL is not supported by Strata yet", names[q->op]);
    cast_cols(p, &l, types);
    cast_cols(p, &r, types);
    *lp = l;
    *rp = r;
    sql_op *op;
    if (q->op == SQL_UNION) {
        op = sql_op_concat(p->x, l.op, r.op);
        if (q->quant != SQL_QUANT_ALL) op = sql_op_distinct(p->x, op);
    } else {
        op = sql_op_setop(p->x, l.op, r.op, q->op == SQL_INTERSECT);
    }
    out->op = op;
    out->ncols = l.ncols;
    out->cols = sqlplan_alloc(p, (l.ncols + 1) * sizeof *out->cols);
    for (size_t i = 0; i < l.ncols; i++) out->cols[i] = (pcol){.name = l.cols[i].name, .type = types[i]};
    return 0;
}

static int plan_values(sqlplan *p, const sql_query *q, prel *out)
{
    size_t nrows = q->nrows, ncols = 0;
    for (size_t i = 0; i < nrows; i++) {
        const sql_expr *r = q->rows[i];
        size_t n = r->kind == SQL_E_ROW ? r->u.list.n : 1;
        if (i && n != ncols)
            return sqlplan_fail(p, r->line, r->col, ST_EINVAL, "Values rows have mismatched sizes: %zu vs %zu", ncols, n);
        ncols = n;
    }
    sql_value *rows = sqlplan_alloc(p, (nrows * ncols + 1) * sizeof *rows);
    uint8_t *types = sqlplan_alloc(p, ncols + 1);
    bscope none = {0};
    for (size_t i = 0; i < nrows; i++) {
        const sql_expr *r = q->rows[i];
        for (size_t c = 0; c < ncols; c++) {
            const sql_expr *ex = r->kind == SQL_E_ROW ? r->u.list.items[c] : r;
            sx *x;
            int rc = sqlplan_bind(p, &none, ex, &x);
            if (rc) return rc;
            if ((rc = sqlplan_eval_const(p, x, &rows[i * ncols + c]))) {
                sx_release(x);
                return sqlplan_fail(p, ex->line, ex->col, rc, "%s", p->e->msg);
            }
            sx_release(x);
            rows[i * ncols + c] = *sql_row_copy(p->a, &rows[i * ncols + c], 1);
            uint8_t t;
            if (!sql_fn_common_type(types[c], rows[i * ncols + c].type, &t))
                return sqlplan_fail(p, ex->line, ex->col, ST_EINVAL, "Values rows have mismatched types: %s vs %s",
                                 sql_vtype_name(types[c]), sql_vtype_name(rows[i * ncols + c].type));
            types[c] = t;
        }
    }
    for (size_t i = 0; i < nrows * ncols; i++) {
        uint8_t t = types[i % ncols];
        if (rows[i].type != t) {
            sql_value v;
            int rc = sqlv_cast(&rows[i], t, p->a, &v, p->e);
            if (rc) return rc;
            rows[i] = v;
        }
    }
    out->op = sql_op_values(p->x, ncols, types, rows, nrows);
    out->ncols = ncols;
    out->cols = sqlplan_alloc(p, (ncols + 1) * sizeof *out->cols);
    for (size_t c = 0; c < ncols; c++) {
        char buf[32];
        int n = snprintf(buf, sizeof buf, "_col%zu", c);
        out->cols[c] = (pcol){.name = st_slice_of(st_arena_strndup(p->a, buf, (size_t)n), (size_t)n), .type = types[c]};
    }
    sqlplan_explain(p, "Values: %zu row%s", nrows, nrows == 1 ? "" : "s");
    return 0;
}

/* ORDER BY and LIMIT over a query's output columns (set operations,
 * VALUES, nested queries). */
static int order_output(sqlplan *p, const sql_query *q, prel *r)
{
    if (q->norder) {
        bscope sc = {.cols = r->cols, .ncols = r->ncols};
        projb pb = {0};
        for (size_t i = 0; i < r->ncols; i++) proj_add(p, &pb, sqlplan_col(p, i, r->cols[i].type));
        sql_sort_key *keys = sqlplan_alloc(p, q->norder * sizeof *keys);
        for (size_t i = 0; i < q->norder; i++) {
            const sql_expr *ex = q->order[i].expr;
            size_t col;
            if (ex->kind == SQL_E_INT) {
                if (ex->u.num.i < 1 || (uint64_t)ex->u.num.i > r->ncols)
                    return sqlplan_fail(p, ex->line, ex->col, ST_EINVAL, "ORDER BY position %" PRId64 " is not in select list",
                                     ex->u.num.i);
                col = (size_t)ex->u.num.i - 1;
            } else {
                sx *x;
                int rc = sqlplan_bind_root(p, &sc, ex, &x);
                if (rc) return rc;
                col = x->kind == SX_COL ? x->index : proj_add(p, &pb, x);
            }
            keys[i].col = col;
            keys[i].desc = q->order[i].desc;
            keys[i].nulls_first = q->order[i].nulls == SQL_NULLS_FIRST;
        }
        if (pb.n > r->ncols) r->op = sql_op_project(p->x, r->op, pb.v, pb.n);
        r->op = sort_op(p, q, r->op, keys, q->norder);
        int rc = limit_of(p, q, r);
        if (rc) return rc;
        if (pb.n > r->ncols) {
            sx **trim = sqlplan_alloc(p, r->ncols * sizeof *trim);
            for (size_t c = 0; c < r->ncols; c++) trim[c] = sqlplan_col(p, c, r->cols[c].type);
            r->op = sql_op_project(p->x, r->op, trim, r->ncols);
        }
        return 0;
    }
    return limit_of(p, q, r);
}

int sqlplan_plan_query(sqlplan *p, const sql_query *q, prel *out)
{
    if (p->depth > 64) return sqlplan_fail(p, q->line, q->col, ST_EINVAL, "Query is nested too deeply");
    sqlplan_cte *saved = p->ctes;
    if (q->recursive && q->nwith)
        return sqlplan_fail(p, q->line, q->col, ST_EINVAL, "WITH RECURSIVE is not supported by Strata yet");
    for (size_t i = 0; i < q->nwith; i++) {
        sqlplan_cte *c = sqlplan_alloc(p, sizeof *c);
        c->name = q->with[i].name.name;
        c->w = &q->with[i];
        c->next = p->ctes;
        p->ctes = c;
    }
    int rc;
    out->op = NULL;
    switch (q->kind) {
    case SQL_Q_SELECT: rc = plan_select(p, q, out); break;
    case SQL_Q_SETOP:
        rc = plan_setop(p, q, out);
        if (!rc) rc = order_output(p, q, out);
        break;
    case SQL_Q_VALUES:
        rc = plan_values(p, q, out);
        if (!rc) rc = order_output(p, q, out);
        break;
    case SQL_Q_NESTED:
        rc = sqlplan_plan_query(p, q->inner, out);
        if (!rc) rc = order_output(p, q, out);
        break;
    default: rc = sqlplan_fail(p, q->line, q->col, ST_EINVAL, "unknown query kind");
    }
    p->ctes = saved;
    if (!rc && !out->op) rc = st_fail(p->e, ST_EIO, "out of memory");
    if (rc && out->op) {
        sql_op_close(out->op);
        out->op = NULL;
    }
    return rc;
}
