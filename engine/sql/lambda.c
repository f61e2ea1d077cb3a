/* lambda: what the binder builds for arrays and lambdas: ARRAY[...],
 * subscripts, and filter / reduce / transform, whose lambda bodies are
 * bound over their parameters and evaluated per element.
 *
 * A lambda's parameters are the columns of its body's row: a scalar
 * element is one column named after the parameter; a timeseries point is
 * two, x.time and x.value (Timestream's way of writing them). A body sees
 * its parameters only: a column of the query inside a lambda is refused
 * by name ("Column 'c' does not exist") rather than read wrongly. */
#include <string.h>

#include "sql/plan_int.h"

typedef enum lkind { L_FILTER = 1, L_REDUCE, L_TRANSFORM } lkind;

typedef struct lam {
    lkind kind;
    bool ts;            /* over a timeseries (else an array) */
    uint8_t elem;       /* the element type */
    uint8_t state;      /* reduce's state type */
    sx *body, *out;     /* filter/transform: body; reduce: combine (body) and output (out) */
} lam;

static sx *fn_node(sqlplan *p, const sql_expr *src, uint8_t type, uint32_t nargs, sx_fn fn, const char *name)
{
    sx *x = sqlplan_alloc(p, sizeof *x);
    x->kind = SX_FN;
    x->type = type;
    x->line = src->line;
    x->col = src->col;
    x->nargs = nargs;
    x->args = sqlplan_alloc(p, (nargs ? nargs : 1) * sizeof *x->args);
    x->fn = fn;
    x->name = name;
    return x;
}

/* ---- ARRAY[...] and subscripts ---- */

static int array_fn(sx_ctx *c, const sx *x, const sql_value *argv, sql_value *out)
{
    sql_value *el;
    *out = sqlv_array(c->a, x->type, x->nargs, &el, NULL);
    memcpy(el, argv, x->nargs * sizeof *el);
    return 0;
}

int sqlplan_bind_array(sqlplan *p, const bscope *sc, const sql_expr *ex, sx **out)
{
    size_t n = ex->u.list.n;
    sx **v = sqlplan_alloc(p, (n + 1) * sizeof *v);
    uint8_t t = SQLT_UNKNOWN;
    for (size_t i = 0; i < n; i++) {
        int rc = sqlplan_bind(p, sc, ex->u.list.items[i], &v[i]);
        if (rc) return rc;
        uint8_t u;
        if (sqlt_is_composite(v[i]->type))
            return sqlplan_fail(p, ex->line, ex->col, ST_EINVAL, "arrays of %s are not supported by Strata yet",
                                sql_vtype_name(v[i]->type));
        if (!sql_fn_common_type(t, v[i]->type, &u))
            return sqlplan_fail(p, ex->line, ex->col, ST_EINVAL,
                                "All ARRAY elements must be the same type: %s, %s", sql_vtype_name(t),
                                sql_vtype_name(v[i]->type));
        t = u;
    }
    sx *x = fn_node(p, ex, (uint8_t)(SQLT_ARRAY | t), (uint32_t)n, array_fn, "array");
    for (size_t i = 0; i < n; i++) x->args[i] = sqlplan_cast(p, v[i], t);
    *out = x;
    return 0;
}

static int subscript_fn(sx_ctx *c, const sx *x, const sql_value *argv, sql_value *out)
{
    (void)x;
    const sql_array *a = argv[0].u.arr;
    int64_t i = argv[1].u.i;
    if (i < 1 || (uint64_t)i > a->n)
        return st_fail(c->e, ST_EINVAL, "Array subscript must be %s: %lld",
                       i < 1 ? "greater than or equal to 1" : "within the array's size", (long long)i);
    *out = a->v[i - 1];
    return 0;
}

int sqlplan_bind_subscript(sqlplan *p, const bscope *sc, const sql_expr *ex, sx **out)
{
    sx *b, *i;
    int rc = sqlplan_bind(p, sc, ex->u.subscript.base, &b);
    if (!rc) rc = sqlplan_bind(p, sc, ex->u.subscript.index, &i);
    if (rc) return rc;
    if (!sqlt_is_array(b->type))
        return sqlplan_fail(p, ex->line, ex->col, ST_EINVAL, "Cannot use subscript on %s: arrays only",
                            sql_vtype_name(b->type));
    if (i->type != SQLT_BIGINT && i->type != SQLT_UNKNOWN)
        return sqlplan_fail(p, ex->line, ex->col, ST_EINVAL, "Array subscript must be a bigint, not %s",
                            sql_vtype_name(i->type));
    sx *x = fn_node(p, ex, (uint8_t)sqlt_elem(b->type), 2, subscript_fn, "subscript");
    x->args[0] = b;
    x->args[1] = sqlplan_cast(p, i, SQLT_BIGINT);
    x->strict = true;
    *out = x;
    return 0;
}

/* ---- lambdas ---- */

/* The body's row for one element: [prefix..., element (or time, value)]. */
static void element_row(const lam *l, const sql_array *a, size_t i, sql_value *row)
{
    if (l->ts) {
        row[0] = sqlv_int(SQLT_TIMESTAMP, a->times[i]);
        row[1] = a->v[i];
    } else {
        row[0] = a->v[i];
    }
}

static int lambda_fn(sx_ctx *c, const sx *x, const sql_value *argv, sql_value *out)
{
    const lam *l = x->aux;
    if (argv[0].null) { /* a NULL array gives NULL; a NULL initial state does not */
        *out = sqlv_null(x->type);
        return 0;
    }
    const sql_array *a = argv[0].u.arr;
    sql_value row[4];
    int rc;
    switch (l->kind) {
    case L_FILTER: {
        sql_value *el;
        int64_t *ts;
        size_t n = 0;
        *out = sqlv_array(c->a, x->type, a->n, &el, &ts);
        for (size_t i = 0; i < a->n; i++) {
            element_row(l, a, i, row);
            int t = sx_truth(c, l->body, row);
            if (t < 0) return t;
            if (!t) continue;
            el[n] = a->v[i];
            if (ts) ts[n] = a->times[i];
            n++;
        }
        ((sql_array *)out->u.arr)->n = n;
        return 0;
    }
    case L_TRANSFORM: {
        sql_value *el;
        *out = sqlv_array(c->a, x->type, a->n, &el, NULL);
        for (size_t i = 0; i < a->n; i++) {
            element_row(l, a, i, row);
            if ((rc = sx_eval(c, l->body, row, &el[i])) < 0) return rc;
        }
        return 0;
    }
    default: {
        sql_value s = argv[1];
        for (size_t i = 0; i < a->n; i++) {
            row[0] = s;
            element_row(l, a, i, row + 1);
            if ((rc = sx_eval(c, l->body, row, &s)) < 0) return rc;
        }
        row[0] = s;
        rc = sx_eval(c, l->out, row, out);
        return rc < 0 ? rc : 0;
    }
    }
}

/* Binds a lambda's body over its parameters: prefix (reduce's state)
 * then the element. */
static int bind_body(sqlplan *p, const sql_expr *lx, size_t nparams, const uint8_t *ptypes, bool ts, uint8_t elem,
                     sx **out)
{
    if (lx->kind != SQL_E_LAMBDA)
        return sqlplan_fail(p, lx->line, lx->col, ST_EINVAL, "expected a lambda expression (x -> ...)");
    if (lx->u.lambda.nparams != nparams)
        return sqlplan_fail(p, lx->line, lx->col, ST_EINVAL, "lambda takes %zu parameter%s here, not %zu", nparams,
                            nparams == 1 ? "" : "s", lx->u.lambda.nparams);
    pcol *cols = sqlplan_alloc(p, (nparams + 2) * sizeof *cols);
    size_t nc = 0;
    for (size_t i = 0; i < nparams; i++) {
        st_slice name = lx->u.lambda.params[i].name;
        bool element = ptypes == NULL || i == nparams - 1;
        if (element && ts) {
            cols[nc++] = (pcol){.qual = name, .name = st_slice_cstr("time"), .type = SQLT_TIMESTAMP};
            cols[nc++] = (pcol){.qual = name, .name = st_slice_cstr("value"), .type = elem};
        } else {
            cols[nc++] = (pcol){.name = name, .type = element ? elem : ptypes[i]};
        }
    }
    bscope sc = {.cols = cols, .ncols = nc};
    /* the query's own columns are not the lambda's: no outer rows either */
    const sqlcorr *corr = p->corr;
    const bscope *probe = p->probe;
    p->corr = NULL;
    p->probe = NULL;
    int rc = sqlplan_bind_root(p, &sc, lx->u.lambda.body, out);
    p->corr = corr;
    p->probe = probe;
    return rc;
}

int sqlplan_bind_lambda_call(sqlplan *p, const bscope *sc, const sql_expr *ex, sx **out)
{
    st_slice name = ex->u.call.name;
    lkind k = st_slice_eq(name, st_slice_cstr("filter"))      ? L_FILTER
              : st_slice_eq(name, st_slice_cstr("reduce"))    ? L_REDUCE
              : st_slice_eq(name, st_slice_cstr("transform")) ? L_TRANSFORM
                                                              : 0;
    if (!k) return ST_ENOTFOUND;
    size_t n = ex->u.call.nargs, want = k == L_REDUCE ? 4 : 2;
    if (n != want)
        return sqlplan_fail(p, ex->line, ex->col, ST_EINVAL, "Invalid number of arguments (%zu) for function %.*s", n,
                            (int)name.n, name.p);
    sx *coll;
    int rc = sqlplan_bind(p, sc, ex->u.call.args[0], &coll);
    if (rc) return rc;
    if (!sqlt_is_composite(coll->type))
        return sqlplan_fail(p, ex->line, ex->col, ST_EINVAL,
                            "Unexpected parameters (%s) for function %.*s: an array or a timeseries first",
                            sql_vtype_name(coll->type), (int)name.n, name.p);
    lam *l = sqlplan_alloc(p, sizeof *l);
    l->kind = k;
    l->ts = sqlt_is_ts(coll->type);
    l->elem = (uint8_t)sqlt_elem(coll->type);
    if (k == L_TRANSFORM && l->ts)
        return sqlplan_fail(p, ex->line, ex->col, ST_EINVAL, "transform takes an array; for a timeseries use filter or reduce");
    sx *x;
    if (k == L_FILTER || k == L_TRANSFORM) {
        if ((rc = bind_body(p, ex->u.call.args[1], 1, NULL, l->ts, l->elem, &l->body))) return rc;
        if (k == L_FILTER) {
            if (l->body->type == SQLT_UNKNOWN) l->body = sqlplan_cast(p, l->body, SQLT_BOOLEAN);
            if (l->body->type != SQLT_BOOLEAN)
                return sqlplan_fail(p, ex->line, ex->col, ST_EINVAL, "filter's lambda must return a boolean, not %s",
                                    sql_vtype_name(l->body->type));
        } else if (sqlt_is_composite(l->body->type)) {
            return sqlplan_fail(p, ex->line, ex->col, ST_EINVAL, "transform into arrays of arrays is not supported");
        }
        uint8_t t = k == L_FILTER ? coll->type : (uint8_t)(SQLT_ARRAY | l->body->type);
        x = fn_node(p, ex, t, 1, lambda_fn, k == L_FILTER ? "filter" : "transform");
        x->args[0] = coll;
    } else {
        sx *init;
        if ((rc = sqlplan_bind(p, sc, ex->u.call.args[1], &init))) return rc;
        uint8_t st = init->type;
        if (st == SQLT_UNKNOWN) st = SQLT_DOUBLE;
        /* the state's type is the initial value's, widened once if the
         * combining lambda gives a wider one (0 then 0.5: double) */
        for (int pass = 0; pass < 2; pass++) {
            uint8_t pt[2] = {st, 0};
            if ((rc = bind_body(p, ex->u.call.args[2], 2, pt, l->ts, l->elem, &l->body))) return rc;
            uint8_t u;
            if (!sql_fn_common_type(st, l->body->type, &u))
                return sqlplan_fail(p, ex->line, ex->col, ST_EINVAL, "reduce's lambda returns %s for a state of %s",
                                    sql_vtype_name(l->body->type), sql_vtype_name(st));
            if (u == st) break;
            st = u;
        }
        l->body = sqlplan_cast(p, l->body, st);
        l->state = st;
        if ((rc = bind_body(p, ex->u.call.args[3], 1, NULL, false, st, &l->out))) return rc;
        x = fn_node(p, ex, l->out->type, 2, lambda_fn, "reduce");
        x->args[0] = coll;
        x->args[1] = sqlplan_cast(p, init, st);
    }
    x->aux = l;
    x->strict = false; /* lambda_fn answers a NULL array itself */
    *out = x;
    return 0;
}
