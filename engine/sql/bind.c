/* bind: SQL expressions (sql.h) to bound expressions (exec.h): names
 * resolved to row positions, types checked, coercions made casts. */
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "sql/plan_int.h"

int sqlplan_fail(sqlplan *p, uint32_t line, uint32_t col, int code, const char *fmt, ...)
{
    char msg[ST_ERR_MSG];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    if (line) return st_fail(p->e, code, "line %u:%u: %s", line, col, msg);
    return st_fail(p->e, code, "%s", msg);
}

void *sqlplan_alloc(sqlplan *p, size_t n)
{
    void *m = st_arena_alloc(p->a, n ? n : 1);
    memset(m, 0, n ? n : 1);
    return m;
}

static sx *node(sqlplan *p, sx_kind k, uint8_t type, const sql_expr *src, uint32_t nargs)
{
    sx *x = sqlplan_alloc(p, sizeof *x);
    x->kind = k;
    x->type = type;
    if (src) {
        x->line = src->line;
        x->col = src->col;
    }
    x->nargs = nargs;
    if (nargs) x->args = sqlplan_alloc(p, nargs * sizeof *x->args);
    return x;
}

static int bind_cmp(sqlplan *p, const sql_expr *ex, sql_binop op, sx *l, sx *r, sx **out);

sx *sqlplan_col(sqlplan *p, size_t index, uint8_t type)
{
    sx *x = node(p, SX_COL, type, NULL, 0);
    x->index = (uint32_t)index;
    return x;
}

sx *sqlplan_const(sqlplan *p, sql_value v)
{
    sx *x = node(p, SX_CONST, v.type, NULL, 0);
    x->k = v;
    return x;
}

sx *sqlplan_cast(sqlplan *p, sx *in, uint8_t to)
{
    if (in->type == to) return in;
    if (in->kind == SX_CONST && in->k.null) {
        sx *c = sqlplan_const(p, sqlv_null(to));
        c->line = in->line, c->col = in->col;
        return c;
    }
    sx *x = node(p, SX_CAST, to, NULL, 1);
    x->line = in->line, x->col = in->col;
    x->args[0] = in;
    return x;
}

int sqlplan_eval_const(sqlplan *p, const sx *x, sql_value *out)
{
    sx_ctx c = {.a = p->a, .e = p->e, .now_ns = p->x->now_ns};
    return sx_eval(&c, x, NULL, out);
}

static const char *const agg_names[] = {
    "count", "count_if", "sum", "avg", "min", "max", "arbitrary", "any_value", "bool_and", "every", "bool_or",
    "stddev", "stddev_samp", "stddev_pop", "variance", "var_samp", "var_pop", "geometric_mean", "max_by",
    "min_by", "approx_distinct", "approx_percentile", "array_agg", "create_time_series", NULL,
};
static const char *const win_names[] = {
    "row_number", "rank", "dense_rank", "lag", "lead", "first_value", "last_value", "percent_rank",
    "cume_dist", "ntile", "nth_value", NULL,
};

static bool in_list(st_slice name, const char *const *l)
{
    for (; *l; l++)
        if (strlen(*l) == name.n && !memcmp(*l, name.p, name.n)) return true;
    return false;
}

bool sqlplan_is_aggregate_name(st_slice name) { return in_list(name, agg_names); }
bool sqlplan_is_window_name(st_slice name) { return in_list(name, win_names); }

static bool slice_is(st_slice s, const char *z) { return strlen(z) == s.n && !memcmp(s.p, z, s.n); }

static bool ieq(st_slice a, st_slice b)
{
    return a.n == b.n && !memcmp(a.p, b.p, a.n);
}

int sqlplan_find_col(const pcol *cols, size_t n, st_slice qual, st_slice name)
{
    int found = -1;
    for (size_t i = 0; i < n; i++) {
        if (!ieq(cols[i].name, name)) continue;
        if (qual.n) {
            if (!ieq(cols[i].qual, qual)) continue;
        } else if (cols[i].hidden) continue;
        if (found >= 0) return -2;
        found = (int)i;
    }
    return found;
}

static void push_unique(sqlplan *p, const sql_expr *ex, sql_expr ***v, size_t *n, size_t *cap)
{
    for (size_t i = 0; i < *n; i++)
        if (sql_expr_equal((*v)[i], ex)) return;
    if (*n == *cap) {
        size_t nc = *cap ? *cap * 2 : 8;
        sql_expr **nv = sqlplan_alloc(p, nc * sizeof *nv);
        if (*n) memcpy(nv, *v, *n * sizeof *nv);
        *v = nv;
        *cap = nc;
    }
    (*v)[(*n)++] = (sql_expr *)ex;
}

typedef struct cctx {
    sqlplan *p;
    sql_expr ***aggs, ***wins;
    size_t *naggs, *capaggs, *nwins, *capwins;
} cctx;

static void collect_each(void *ctx, const sql_expr *ex)
{
    cctx *c = ctx;
    sqlplan_collect(c->p, ex, c->aggs, c->naggs, c->capaggs, c->wins, c->nwins, c->capwins);
}

void sqlplan_collect(sqlplan *p, const sql_expr *ex, sql_expr ***aggs, size_t *naggs, size_t *capaggs, sql_expr ***wins,
                  size_t *nwins, size_t *capwins)
{
    if (!ex || ex->kind == SQL_E_LAMBDA) return; /* a lambda's body reads its parameters only */
    if (ex->kind == SQL_E_CALL && ex->u.call.over) {
        if (wins) push_unique(p, ex, wins, nwins, capwins);
    } else if (ex->kind == SQL_E_CALL && sqlplan_is_aggregate_name(ex->u.call.name)) {
        if (aggs) push_unique(p, ex, aggs, naggs, capaggs);
        return; /* what is inside an aggregate is its own */
    }
    cctx c = {p, aggs, wins, naggs, capaggs, nwins, capwins};
    sql_expr_each_child(ex, collect_each, &c);
}

int sqlplan_vtype_of(sqlplan *p, const sql_type *t, uint8_t *out)
{
    switch (t->kind) {
    case SQL_T_BOOLEAN: *out = SQLT_BOOLEAN; return 0;
    case SQL_T_TINYINT:
    case SQL_T_SMALLINT:
    case SQL_T_INTEGER:
    case SQL_T_BIGINT: *out = SQLT_BIGINT; return 0;
    case SQL_T_REAL:
    case SQL_T_DOUBLE:
    case SQL_T_DECIMAL: *out = SQLT_DOUBLE; return 0;
    case SQL_T_VARCHAR:
    case SQL_T_CHAR:
    case SQL_T_JSON: *out = SQLT_VARCHAR; return 0;
    case SQL_T_DATE: *out = SQLT_DATE; return 0;
    case SQL_T_TIMESTAMP: /* with time zone too: every time is UTC here */
        *out = SQLT_TIMESTAMP;
        return 0;
    case SQL_T_INTERVAL_DS: *out = SQLT_INTERVAL_DS; return 0;
    case SQL_T_INTERVAL_YM: *out = SQLT_INTERVAL_YM; return 0;
    case SQL_T_ARRAY:
    case SQL_T_TIMESERIES: {
        uint8_t el;
        if (t->nparams != 1 || !t->params[0].type)
            return sqlplan_fail(p, t->line, t->col, ST_EINVAL, "%s takes one element type",
                                t->kind == SQL_T_ARRAY ? "array" : "timeseries");
        int rc = sqlplan_vtype_of(p, t->params[0].type, &el);
        if (rc) return rc;
        if (sqlt_is_composite(el))
            return sqlplan_fail(p, t->line, t->col, ST_EINVAL, "nested arrays are not supported by Strata yet");
        *out = (uint8_t)((t->kind == SQL_T_ARRAY ? SQLT_ARRAY : SQLT_TIMESERIES) | el);
        return 0;
    }
    case SQL_T_NAMED:
        if (slice_is(t->name, "text")) { /* PostgreSQL's, from Grafana */
            *out = SQLT_VARCHAR;
            return 0;
        }
        if (slice_is(t->name, "float8") || slice_is(t->name, "float") || slice_is(t->name, "numeric")) {
            *out = SQLT_DOUBLE;
            return 0;
        }
        if (slice_is(t->name, "int8") || slice_is(t->name, "int4")) {
            *out = SQLT_BIGINT;
            return 0;
        }
        if (slice_is(t->name, "timestamptz")) {
            *out = SQLT_TIMESTAMP;
            return 0;
        }
        if (slice_is(t->name, "interval")) { /* PostgreSQL's bare interval */
            *out = SQLT_INTERVAL_DS;
            return 0;
        }
        if (slice_is(t->name, "bool")) {
            *out = SQLT_BOOLEAN;
            return 0;
        }
        return sqlplan_fail(p, t->line, t->col, ST_EINVAL, "Unknown type: %.*s", (int)t->name.n, t->name.p);
    default: break;
    }
    return sqlplan_fail(p, t->line, t->col, ST_EINVAL, "Type %.*s%s is not supported by Strata yet", (int)t->name.n,
                     t->name.p, t->with_time_zone ? " with time zone" : "");
}

/* The common type of n bound expressions, casting each to it. */
static int unify(sqlplan *p, sx **v, size_t n, const sql_expr *where, const char *what, uint8_t *out)
{
    uint8_t t = SQLT_UNKNOWN;
    for (size_t i = 0; i < n; i++) {
        uint8_t u;
        if (!sql_fn_common_type(t, v[i]->type, &u))
            return sqlplan_fail(p, where->line, where->col, ST_EINVAL, "%s must be the same type or coercible to a common type. Cannot find common type between %s and %s",
                             what, sql_vtype_name(t), sql_vtype_name(v[i]->type));
        t = u;
    }
    for (size_t i = 0; i < n; i++) v[i] = sqlplan_cast(p, v[i], t);
    *out = t;
    return 0;
}

static int want_bool(sqlplan *p, sx **x, const sql_expr *src, const char *what)
{
    if ((*x)->type == SQLT_UNKNOWN) *x = sqlplan_cast(p, *x, SQLT_BOOLEAN);
    if ((*x)->type != SQLT_BOOLEAN)
        return sqlplan_fail(p, src->line, src->col, ST_EINVAL, "%s must evaluate to a boolean: actual type %s", what,
                         sql_vtype_name((*x)->type));
    return 0;
}

static int fn_call(sqlplan *p, const sql_expr *src, const sql_fn_sig *sig, sx **args, size_t nargs, const char *name,
                   sx **out)
{
    sx *x = node(p, SX_FN, sig->ret, src, (uint32_t)nargs);
    for (size_t i = 0; i < nargs; i++) {
        x->args[i] = sqlplan_cast(p, args[i], sig->args[i]);
        if (sig->needs_const[i] && !sx_is_const(x->args[i]))
            return sqlplan_fail(p, src->line, src->col, ST_EINVAL, "argument %zu of %s must be a constant", i + 1, name);
    }
    x->fn = sig->fn;
    x->strict = sig->strict;
    x->op = sig->op;
    x->name = name;
    *out = x;
    return 0;
}

static int bind_list(sqlplan *p, const bscope *sc, sql_expr *const *in, size_t n, sx ***out)
{
    *out = sqlplan_alloc(p, (n ? n : 1) * sizeof **out);
    for (size_t i = 0; i < n; i++) {
        int rc = sqlplan_bind(p, sc, in[i], &(*out)[i]);
        if (rc) return rc;
    }
    return 0;
}

static bool same_ref(const sql_expr *a, st_slice qual, st_slice name)
{
    const sql_name *nm = &a->u.column;
    st_slice aq = {0}, an = nm->parts[nm->n - 1].name;
    if (nm->n >= 2) aq = nm->parts[nm->n - 2].name;
    return st_slice_eq(an, name) && aq.n == qual.n && (!qual.n || st_slice_eq(aq, qual));
}

/* A name the subquery's own relations do not have: the outer row's value
 * (a correlated subquery planned for that row), or, while a subquery is
 * planned once to find out, a reference to the enclosing query noted
 * (with a typed NULL standing in). */
static bool outer_ref(sqlplan *p, const sql_expr *ex, st_slice qual, st_slice name, sx **out)
{
    if (p->local && sqlplan_find_col(p->local, p->nlocal, qual, name) != -1) return false;
    if (p->corr) {
        for (size_t k = 0; k < p->corr->n; k++)
            if (same_ref(p->corr->refs[k], qual, name)) {
                *out = sqlplan_const(p, p->corr->vals[k]);
                (*out)->line = ex->line, (*out)->col = ex->col;
                return true;
            }
    }
    if (!p->probe) return false;
    int j = sqlplan_find_col(p->probe->cols, p->probe->ncols, qual, name);
    if (j < 0) return false;
    uint8_t t = p->probe->cols[j].type;
    bool seen = false;
    for (size_t k = 0; k < p->nprobe && !seen; k++) seen = same_ref(p->probe_refs[k], qual, name);
    if (!seen) {
        if (p->nprobe == p->capprobe) {
            size_t nc = p->capprobe ? p->capprobe * 2 : 8;
            sql_expr **nv = sqlplan_alloc(p, nc * sizeof *nv);
            uint8_t *nt = sqlplan_alloc(p, nc);
            if (p->nprobe) {
                memcpy(nv, p->probe_refs, p->nprobe * sizeof *nv);
                memcpy(nt, p->probe_types, p->nprobe);
            }
            p->probe_refs = nv;
            p->probe_types = nt;
            p->capprobe = nc;
        }
        p->probe_refs[p->nprobe] = (sql_expr *)ex;
        p->probe_types[p->nprobe++] = t;
    }
    *out = sqlplan_const(p, sqlv_null(t));
    return true;
}

static int bind_column(sqlplan *p, const bscope *sc, const sql_expr *ex, sx **out)
{
    const sql_name *nm = &ex->u.column;
    st_slice qual = {0}, name = nm->parts[nm->n - 1].name;
    if (nm->n == 2) qual = nm->parts[0].name;
    else if (nm->n > 2) {
        /* db.t.c: the qualifier is the table */
        qual = nm->parts[nm->n - 2].name;
    }
    int i = sqlplan_find_col(sc->cols, sc->ncols, qual, name);
    if (i == -2)
        return sqlplan_fail(p, ex->line, ex->col, ST_EINVAL, "Column '%.*s' is ambiguous", (int)name.n, name.p);
    if (i < 0 && outer_ref(p, ex, qual, name, out)) return 0;
    if (i < 0) {
        if (qual.n)
            return sqlplan_fail(p, ex->line, ex->col, ST_EINVAL, "Column '%.*s.%.*s' does not exist", (int)qual.n,
                             qual.p, (int)name.n, name.p);
        return sqlplan_fail(p, ex->line, ex->col, ST_EINVAL, "Column '%.*s' does not exist", (int)name.n, name.p);
    }
    if (sc->grouped && !sc->in_aggregate) {
        for (size_t k = 0; k < sc->nkeys; k++)
            if (sc->keycol[k] == i) {
                *out = sqlplan_col(p, k, sc->keytypes[k]);
                return 0;
            }
        return sqlplan_fail(p, ex->line, ex->col, ST_EINVAL,
                         "'%.*s' must be an aggregate expression or appear in GROUP BY clause", (int)name.n, name.p);
    }
    *out = sqlplan_col(p, (size_t)i, sc->cols[i].type);
    return 0;
}

static int bind_literal(sqlplan *p, const sql_expr *ex, sx **out)
{
    sql_value v;
    switch (ex->kind) {
    case SQL_E_NULL: v = sqlv_null(SQLT_UNKNOWN); break;
    case SQL_E_BOOL: v = sqlv_bool(ex->u.b); break;
    case SQL_E_INT: v = sqlv_int(SQLT_BIGINT, ex->u.num.i); break;
    case SQL_E_DECIMAL:
    case SQL_E_DOUBLE: v = sqlv_double(ex->u.num.d); break;
    case SQL_E_STRING: v = sqlv_str(ex->u.str); break;
    case SQL_E_INTERVAL:
        if (ex->u.interval.year_month) v = sqlv_int(SQLT_INTERVAL_YM, ex->u.interval.months);
        else v = sqlv_int(SQLT_INTERVAL_DS, ex->u.interval.ns);
        break;
    case SQL_E_TYPED: {
        st_slice t = ex->u.typed.type, s = ex->u.typed.value;
        int64_t i;
        if (slice_is(t, "timestamp")) {
            if (!sqlv_parse_timestamp(s, &i))
                return sqlplan_fail(p, ex->line, ex->col, ST_EINVAL, "'%.*s' is not a valid timestamp literal",
                                 (int)s.n, s.p);
            v = sqlv_int(SQLT_TIMESTAMP, i);
        } else if (slice_is(t, "date")) {
            if (!sqlv_parse_date(s, &i))
                return sqlplan_fail(p, ex->line, ex->col, ST_EINVAL, "'%.*s' is not a valid date literal", (int)s.n,
                                 s.p);
            v = sqlv_int(SQLT_DATE, i);
        } else {
            sql_vtype to;
            if (slice_is(t, "double") || slice_is(t, "real") || slice_is(t, "decimal")) to = SQLT_DOUBLE;
            else if (slice_is(t, "bigint") || slice_is(t, "integer") || slice_is(t, "int")) to = SQLT_BIGINT;
            else if (slice_is(t, "boolean")) to = SQLT_BOOLEAN;
            else if (slice_is(t, "varchar") || slice_is(t, "char")) to = SQLT_VARCHAR;
            else
                return sqlplan_fail(p, ex->line, ex->col, ST_EINVAL, "%.*s literals are not supported by Strata yet",
                                 (int)t.n, t.p);
            sql_value sv = sqlv_str(s);
            st_err e2 = {0};
            if (sqlv_cast(&sv, to, p->a, &v, &e2))
                return sqlplan_fail(p, ex->line, ex->col, ST_EINVAL, "%s", e2.msg);
        }
        break;
    }
    case SQL_E_PARAM: {
        uint32_t k = ex->u.param.index;
        if (k == 0 || k > p->o->nparams)
            return sqlplan_fail(p, ex->line, ex->col, ST_EINVAL,
                             "Incorrect number of parameters: expected at least %u but found %zu", k,
                             p->o->nparams);
        v = p->o->params[k - 1];
        break;
    }
    default: return sqlplan_fail(p, ex->line, ex->col, ST_EINVAL, "unexpected literal");
    }
    sx *x = sqlplan_const(p, v);
    x->line = ex->line, x->col = ex->col;
    *out = x;
    return 0;
}

/* ---- subqueries ---- */

typedef enum cq_mode { CQ_EXISTS = 1, CQ_SCALAR, CQ_IN } cq_mode;

typedef struct cq_memo {
    uint64_t hash;
    sql_value *key;
    sql_value *rows;
    size_t nrows;
    bool used;
} cq_memo;

/* A correlated subquery: planned and run again for each outer row whose
 * referenced values it has not seen (the answers are remembered). */
typedef struct corrq {
    sqlplan *parent;
    const sql_query *q;
    sql_expr **refs;
    size_t nrefs;
    cq_mode mode;
    bool negated;
    uint8_t type;    /* CQ_SCALAR: the result; CQ_IN: what both sides compare as */
    cq_memo *memo;
    size_t capmemo, nmemo;
} corrq;

#define CQ_MEMO_MAX 4096
#define CQ_MEMO_ROWS 1024

static int corr_rows(corrq *k, sx_ctx *c, const sql_value *keyv, const sql_value **rows, size_t *nrows)
{
    uint64_t h = 0x51ed2701;
    for (size_t i = 0; i < k->nrefs; i++) h = sqlv_hash(&keyv[i], h);
    if (k->capmemo) {
        for (size_t at = h & (k->capmemo - 1);; at = (at + 1) & (k->capmemo - 1)) {
            cq_memo *m = &k->memo[at];
            if (!m->used) break;
            if (m->hash != h) continue;
            bool same = true;
            for (size_t i = 0; i < k->nrefs && same; i++) same = sqlv_same(&m->key[i], &keyv[i]);
            if (same) {
                *rows = m->rows;
                *nrows = m->nrows;
                return 0;
            }
        }
    }
    sqlplan child = {0};
    child.x = k->parent->x;
    child.a = st_arena_new(4096);
    child.o = k->parent->o;
    child.e = c->e;
    child.depth = k->parent->depth + 1;
    sqlcorr corr = {k->refs, keyv, k->nrefs};
    child.corr = &corr;
    sql_value *got;
    size_t n, ncols;
    uint8_t *types;
    uint64_t max = k->mode == CQ_EXISTS ? 1 : k->mode == CQ_SCALAR ? 2 : 0;
    int rc = sqlplan_run_subquery(&child, k->q, max, &got, &n, &ncols, &types);
    for (size_t i = 0; i < child.nroots; i++) sx_release(child.roots[i]);
    if (rc) {
        st_arena_free(child.a);
        return rc < 0 ? rc : st_fail(c->e, ST_EINVAL, "subquery reads a column of a query two levels out: not supported by Strata yet");
    }
    if (ncols > 1 && k->mode != CQ_EXISTS) n = 0;
    /* kept in the query's arena when remembered, else the row's */
    bool keep = k->nmemo < CQ_MEMO_MAX && n <= CQ_MEMO_ROWS;
    st_arena *a = keep ? k->parent->a : c->a;
    sql_value *copy = st_arena_alloc(a, (n ? n : 1) * sizeof *copy);
    for (size_t i = 0; i < n; i++) copy[i] = *sql_row_copy(a, &got[i * ncols], 1);
    st_arena_free(child.a);
    *rows = copy;
    *nrows = n;
    if (!keep) return 0;
    if ((k->nmemo + 1) * 2 > k->capmemo) {
        size_t nc = k->capmemo ? k->capmemo * 2 : 64;
        cq_memo *nm = st_arena_alloc(k->parent->a, nc * sizeof *nm);
        memset(nm, 0, nc * sizeof *nm);
        for (size_t i = 0; i < k->capmemo; i++) {
            if (!k->memo[i].used) continue;
            size_t at = k->memo[i].hash & (nc - 1);
            while (nm[at].used) at = (at + 1) & (nc - 1);
            nm[at] = k->memo[i];
        }
        k->memo = nm;
        k->capmemo = nc;
    }
    size_t at = h & (k->capmemo - 1);
    while (k->memo[at].used) at = (at + 1) & (k->capmemo - 1);
    cq_memo *m = &k->memo[at];
    m->used = true;
    m->hash = h;
    m->key = sql_row_copy(k->parent->a, keyv, k->nrefs);
    m->rows = copy;
    m->nrows = n;
    k->nmemo++;
    return 0;
}

static int corr_fn(sx_ctx *c, const sx *x, const sql_value *argv, sql_value *out)
{
    corrq *k = x->aux;
    const sql_value *rows = NULL;
    size_t n = 0;
    int rc = corr_rows(k, c, argv + (k->mode == CQ_IN ? 1 : 0), &rows, &n);
    if (rc) return rc;
    switch (k->mode) {
    case CQ_EXISTS: *out = sqlv_bool(n > 0); return 0;
    case CQ_SCALAR:
        if (n > 1) return st_fail(c->e, ST_EINVAL, "Scalar sub-query has returned multiple rows");
        if (!n) {
            *out = sqlv_null(k->type);
            return 0;
        }
        return sqlv_cast(&rows[0], k->type, c->a, out, c->e);
    default: {
        const sql_value *v = &argv[0];
        if (!n) {
            *out = sqlv_bool(k->negated);
            return 0;
        }
        if (v->null) {
            *out = sqlv_null(SQLT_BOOLEAN);
            return 0;
        }
        bool null = false;
        for (size_t i = 0; i < n; i++) {
            sql_value w;
            if ((rc = sqlv_cast(&rows[i], k->type, c->a, &w, c->e))) return rc;
            if (w.null) null = true;
            else if (!sqlv_cmp(v, &w)) {
                *out = sqlv_bool(!k->negated);
                return 0;
            }
        }
        *out = null ? sqlv_null(SQLT_BOOLEAN) : sqlv_bool(k->negated);
        return 0;
    }
    }
}

/* Plans q once with sc as its outer scope: 0 with its rows when it reads
 * nothing of sc (run now, once); 1 with the outer references when it does
 * (run per outer row by corr_fn). */
static int subquery(sqlplan *p, const bscope *sc, const sql_query *q, uint64_t max, sql_value **rows, size_t *nrows,
                    size_t *ncols, uint8_t **types, sql_expr ***refs, size_t *nrefs)
{
    const bscope *sp = p->probe;
    sql_expr **sr = p->probe_refs;
    uint8_t *st = p->probe_types;
    size_t sn = p->nprobe, sc_ = p->capprobe;
    p->probe = sc;
    p->probe_refs = NULL;
    p->probe_types = NULL;
    p->nprobe = p->capprobe = 0;
    int rc = sqlplan_run_subquery(p, q, max, rows, nrows, ncols, types);
    *refs = p->probe_refs;
    *nrefs = p->nprobe;
    p->probe = sp;
    p->probe_refs = sr;
    p->probe_types = st;
    p->nprobe = sn;
    p->capprobe = sc_;
    return rc;
}

static int correlated(sqlplan *p, const bscope *sc, const sql_expr *ex, const sql_query *q, cq_mode mode, sx *arg,
                      bool negated, uint8_t type, sql_expr **refs, size_t nrefs, sx **out)
{
    corrq *k = sqlplan_alloc(p, sizeof *k);
    k->parent = p;
    k->q = q;
    k->refs = refs;
    k->nrefs = nrefs;
    k->mode = mode;
    k->negated = negated;
    k->type = type;
    size_t off = arg ? 1 : 0;
    sx *x = node(p, SX_FN, mode == CQ_SCALAR ? type : SQLT_BOOLEAN, ex, (uint32_t)(nrefs + off));
    if (arg) x->args[0] = arg;
    for (size_t i = 0; i < nrefs; i++) {
        int rc = sqlplan_bind(p, sc, refs[i], &x->args[off + i]);
        if (rc) return rc;
    }
    x->fn = corr_fn;
    x->aux = k;
    x->name = "subquery";
    sqlplan_explain(p, "Correlated subquery at line %u:%u: run for each outer row with new values of its %zu outer column%s",
                    ex->line, ex->col, nrefs, nrefs == 1 ? "" : "s");
    *out = x;
    return 0;
}

static int one_column(sqlplan *p, const sql_expr *ex, size_t ncols)
{
    if (ncols == 1) return 0;
    return sqlplan_fail(p, ex->line, ex->col, ST_EINVAL,
                        "Multiple columns returned by subquery are not yet supported. Found %zu", ncols);
}

/* (a, b) IN ((1, 2), ...) and (a, b) IN (SELECT x, y ...): rows equal
 * column by column, with SQL's NULLs (an OR of ANDs). */
static int row_in(sqlplan *p, const sql_expr *ex, sx **left, size_t n, sx **right, size_t nrows, bool negated,
                  sx **out)
{
    sx *any = node(p, SX_OR, SQLT_BOOLEAN, ex, (uint32_t)nrows);
    for (size_t r = 0; r < nrows; r++) {
        sx *all = node(p, SX_AND, SQLT_BOOLEAN, ex, (uint32_t)n);
        for (size_t i = 0; i < n; i++) {
            int rc = bind_cmp(p, ex, SQL_OP_EQ, left[i], right[r * n + i], &all->args[i]);
            if (rc) return rc;
        }
        any->args[r] = n == 1 ? all->args[0] : all;
    }
    sx *res = nrows ? any : sqlplan_const(p, sqlv_bool(false));
    if (nrows == 1) res = any->args[0];
    if (negated) {
        sx *nx = node(p, SX_NOT, SQLT_BOOLEAN, ex, 1);
        nx->args[0] = res;
        res = nx;
    }
    *out = res;
    return 0;
}

static int bind_call(sqlplan *p, const bscope *sc, const sql_expr *ex, sx **out)
{
    st_slice name = ex->u.call.name;
    size_t n = ex->u.call.nargs;
    char zname[64];
    snprintf(zname, sizeof zname, "%.*s", (int)(name.n < 63 ? name.n : 63), name.p);
    if (ex->u.call.over) {
        for (size_t i = 0; i < sc->nwins; i++)
            if (sql_expr_equal(sc->wins[i], ex)) {
                *out = sqlplan_col(p, sc->wincol[i], sc->wintypes[i]);
                return 0;
            }
        return sqlplan_fail(p, ex->line, ex->col, ST_EINVAL, "window function %s is not allowed here", zname);
    }
    if (sqlplan_is_aggregate_name(name)) {
        if (sc->grouped && !sc->in_aggregate) {
            for (size_t i = 0; i < sc->naggs; i++)
                if (sql_expr_equal(sc->aggs[i], ex)) {
                    *out = sqlplan_col(p, sc->nkeys + i, sc->aggtypes[i]);
                    return 0;
                }
        }
        if (sc->in_aggregate)
            return sqlplan_fail(p, ex->line, ex->col, ST_EINVAL, "Cannot nest aggregations inside aggregation '%s'",
                             zname);
        return sqlplan_fail(p, ex->line, ex->col, ST_EINVAL,
                         "'%s' cannot be used here: aggregate functions are allowed in SELECT, HAVING and ORDER BY only",
                         zname);
    }
    if (ex->u.call.distinct || ex->u.call.filter || ex->u.call.star)
        return sqlplan_fail(p, ex->line, ex->col, ST_EINVAL, "%s is not an aggregate function", zname);
    int lrc = sqlplan_bind_lambda_call(p, sc, ex, out);
    if (lrc != ST_ENOTFOUND) return lrc;
    for (size_t i = 0; i < n; i++)
        if (ex->u.call.args[i]->kind == SQL_E_LAMBDA)
            return sqlplan_fail(p, ex->line, ex->col, ST_EINVAL, "%s does not take a lambda", zname);
    sx **args;
    int rc = bind_list(p, sc, ex->u.call.args, n, &args);
    if (rc) return rc;
    if (slice_is(name, "if")) {
        if (n < 2 || n > 3)
            return sqlplan_fail(p, ex->line, ex->col, ST_EINVAL, "Invalid number of arguments (%zu) for function if",
                             n);
        if ((rc = want_bool(p, &args[0], ex->u.call.args[0], "IF condition"))) return rc;
        sx *x = node(p, SX_CASE, 0, ex, (uint32_t)n);
        sx *branches[2] = {args[1], n == 3 ? args[2] : sqlplan_const(p, sqlv_null(SQLT_UNKNOWN))};
        uint8_t t;
        if ((rc = unify(p, branches, 2, ex, "IF branches", &t))) return rc;
        x->args[0] = args[0];
        x->args[1] = branches[0];
        if (n == 3) x->args[2] = branches[1];
        x->type = t;
        *out = x;
        return 0;
    }
    if (slice_is(name, "coalesce")) {
        if (n < 1)
            return sqlplan_fail(p, ex->line, ex->col, ST_EINVAL, "Invalid number of arguments (0) for function coalesce");
        uint8_t t;
        if ((rc = unify(p, args, n, ex, "All COALESCE operands", &t))) return rc;
        sx *x = node(p, SX_COALESCE, t, ex, (uint32_t)n);
        memcpy(x->args, args, n * sizeof *args);
        *out = x;
        return 0;
    }
    if (slice_is(name, "nullif")) {
        if (n != 2)
            return sqlplan_fail(p, ex->line, ex->col, ST_EINVAL, "Invalid number of arguments (%zu) for function nullif",
                             n);
        sql_fn_sig sig;
        if (sql_fn_binop(SQL_OP_EQ, args[0]->type, args[1]->type, &sig, p->e))
            return sqlplan_fail(p, ex->line, ex->col, ST_EINVAL, "%s", p->e->msg);
        sx *cmp = node(p, SX_CMP, SQLT_BOOLEAN, ex, 2);
        cmp->op = SQL_OP_EQ;
        cmp->args[0] = sqlplan_cast(p, args[0], sig.args[0]);
        cmp->args[1] = sqlplan_cast(p, args[1], sig.args[1]);
        sx *x = node(p, SX_CASE, args[0]->type, ex, 3);
        x->args[0] = cmp;
        x->args[1] = sqlplan_const(p, sqlv_null(args[0]->type));
        x->args[2] = args[0];
        *out = x;
        return 0;
    }
    if (slice_is(name, "try")) {
        if (n != 1)
            return sqlplan_fail(p, ex->line, ex->col, ST_EINVAL, "Invalid number of arguments (%zu) for function try", n);
        sx *x = node(p, SX_TRY, args[0]->type, ex, 1);
        x->args[0] = args[0];
        *out = x;
        return 0;
    }
    if (n > SQL_FN_MAXARGS)
        return sqlplan_fail(p, ex->line, ex->col, ST_EINVAL, "Too many arguments for function call %s()", zname);
    if (slice_is(name, "date_bin") && n >= 1 && args[0]->kind == SX_CONST && args[0]->type == SQLT_VARCHAR &&
        !args[0]->k.null) {
        /* PostgreSQL's date_bin('1 minute', ...): the stride written as text */
        sql_value iv;
        st_err e2 = {0};
        if (sqlv_cast(&args[0]->k, SQLT_INTERVAL_DS, p->a, &iv, &e2))
            return sqlplan_fail(p, ex->line, ex->col, ST_EINVAL, "%s", e2.msg);
        args[0] = sqlplan_const(p, iv);
    }
    if (slice_is(name, "to_timestamp") && n == 1) {
        /* PostgreSQL's to_timestamp(epoch seconds), which Grafana writes */
        name = st_slice_cstr("from_unixtime");
    }
    uint8_t types[SQL_FN_MAXARGS];
    for (size_t i = 0; i < n; i++) types[i] = args[i]->type;
    sql_fn_sig sig;
    st_err e2 = {0};
    rc = sql_fn_resolve(name, types, n, &sig, &e2);
    if (rc) return sqlplan_fail(p, ex->line, ex->col, rc == ST_ENOTFOUND ? ST_EINVAL : rc, "%s", e2.msg);
    char *keep = st_arena_strndup(p->a, zname, strlen(zname));
    return fn_call(p, ex, &sig, args, n, keep, out);
}

/* A string literal beside a timestamp, a date or a boolean takes that
 * type, as in PostgreSQL, whose idioms Grafana's PostgreSQL data source
 * writes (`time BETWEEN '2024-01-01T00:00:00Z' AND ...`, `ok = 't'`);
 * Trino would refuse it. */
static int literal_coerce(sqlplan *p, sx **lit, const sx *other)
{
    sx *k = *lit;
    if (k->kind != SX_CONST || k->type != SQLT_VARCHAR || k->k.null) return 0;
    if (other->type == SQLT_BOOLEAN) {
        /* PostgreSQL's boolean text: ok = 't' */
        static const char *const yes[] = {"t", "true", "y", "yes", "on", "1"}, *const no[] = {"f", "false", "n", "no", "off", "0"};
        st_slice v = k->k.u.s;
        for (size_t i = 0; i < 6; i++) {
            bool y = strlen(yes[i]) == v.n && !strncasecmp(yes[i], v.p, v.n), n = strlen(no[i]) == v.n && !strncasecmp(no[i], v.p, v.n);
            if (y || n) {
                sx *c = sqlplan_const(p, sqlv_bool(y));
                c->line = k->line, c->col = k->col;
                *lit = c;
                return 0;
            }
        }
        return 0;
    }
    if (other->type != SQLT_TIMESTAMP && other->type != SQLT_DATE) return 0;
    sql_value v;
    st_err e2 = {0};
    if (sqlv_cast(&k->k, other->type, p->a, &v, &e2))
        return sqlplan_fail(p, k->line, k->col, ST_EINVAL, "%s", e2.msg);
    sx *c = sqlplan_const(p, v);
    c->line = k->line, c->col = k->col;
    *lit = c;
    return 0;
}

static int bind_cmp(sqlplan *p, const sql_expr *ex, sql_binop op, sx *l, sx *r, sx **out)
{
    sql_fn_sig sig;
    int rc = literal_coerce(p, &l, r);
    if (!rc) rc = literal_coerce(p, &r, l);
    if (rc) return rc;
    st_err e2 = {0};
    if (sql_fn_binop(op, l->type, r->type, &sig, &e2))
        return sqlplan_fail(p, ex->line, ex->col, ST_EINVAL, "%s", e2.msg);
    sx *x = node(p, SX_CMP, SQLT_BOOLEAN, ex, 2);
    x->op = op;
    x->args[0] = sqlplan_cast(p, l, sig.args[0]);
    x->args[1] = sqlplan_cast(p, r, sig.args[1]);
    *out = x;
    return 0;
}

static int in_constants(sqlplan *p, const sql_expr *ex, sx *arg, const sql_value *vals, size_t n, uint8_t vtype,
                        bool negated, sx **out)
{
    sx *x = node(p, SX_IN, SQLT_BOOLEAN, ex, (uint32_t)(n + 1));
    x->negated = negated;
    uint8_t t;
    if (!sql_fn_common_type(arg->type, vtype, &t))
        return sqlplan_fail(p, ex->line, ex->col, ST_EINVAL, "Value expression and result of subquery must be of the same type: %s vs %s",
                         sql_vtype_name(arg->type), sql_vtype_name(vtype));
    x->args[0] = sqlplan_cast(p, arg, t);
    for (size_t i = 0; i < n; i++) x->args[i + 1] = sqlplan_cast(p, sqlplan_const(p, vals[i]), t);
    *out = x;
    return 0;
}

int sqlplan_bind(sqlplan *p, const bscope *sc, const sql_expr *ex, sx **out)
{
    int rc;
    if (sc->grouped && !sc->in_aggregate && ex->kind != SQL_E_COLUMN) {
        for (size_t k = 0; k < sc->nkeys; k++)
            if (sc->keycol[k] < 0 && sql_expr_equal(sc->keys[k], ex)) {
                *out = sqlplan_col(p, k, sc->keytypes[k]);
                return 0;
            }
    }
    switch (ex->kind) {
    case SQL_E_NULL:
    case SQL_E_BOOL:
    case SQL_E_INT:
    case SQL_E_DECIMAL:
    case SQL_E_DOUBLE:
    case SQL_E_STRING:
    case SQL_E_TYPED:
    case SQL_E_INTERVAL:
    case SQL_E_PARAM: return bind_literal(p, ex, out);
    case SQL_E_COLUMN: return bind_column(p, sc, ex, out);
    case SQL_E_UNARY: {
        sx *a;
        if ((rc = sqlplan_bind(p, sc, ex->u.unary.arg, &a))) return rc;
        if (ex->u.unary.op == SQL_OP_PLUS) {
            *out = a;
            return 0;
        }
        sql_fn_sig sig;
        st_err e2 = {0};
        if (sql_fn_neg(a->type, &sig, &e2)) return sqlplan_fail(p, ex->line, ex->col, ST_EINVAL, "%s", e2.msg);
        return fn_call(p, ex, &sig, &a, 1, "-", out);
    }
    case SQL_E_NOT: {
        sx *a;
        if ((rc = sqlplan_bind(p, sc, ex->u.unary.arg, &a))) return rc;
        if ((rc = want_bool(p, &a, ex, "NOT operand"))) return rc;
        sx *x = node(p, SX_NOT, SQLT_BOOLEAN, ex, 1);
        x->args[0] = a;
        *out = x;
        return 0;
    }
    case SQL_E_AND:
    case SQL_E_OR: {
        sx **args;
        if ((rc = bind_list(p, sc, ex->u.list.items, ex->u.list.n, &args))) return rc;
        for (size_t i = 0; i < ex->u.list.n; i++)
            if ((rc = want_bool(p, &args[i], ex->u.list.items[i], ex->kind == SQL_E_AND ? "AND operand" : "OR operand")))
                return rc;
        sx *x = node(p, ex->kind == SQL_E_AND ? SX_AND : SX_OR, SQLT_BOOLEAN, ex, 0);
        x->args = args;
        x->nargs = (uint32_t)ex->u.list.n;
        *out = x;
        return 0;
    }
    case SQL_E_BINOP: {
        sx *lr[2];
        if ((rc = sqlplan_bind(p, sc, ex->u.binop.l, &lr[0]))) return rc;
        if ((rc = sqlplan_bind(p, sc, ex->u.binop.r, &lr[1]))) return rc;
        sql_binop op = ex->u.binop.op;
        if (op >= SQL_OP_EQ && op <= SQL_OP_GE) return bind_cmp(p, ex, op, lr[0], lr[1], out);
        sql_fn_sig sig;
        st_err e2 = {0};
        if (sql_fn_binop(op, lr[0]->type, lr[1]->type, &sig, &e2))
            return sqlplan_fail(p, ex->line, ex->col, ST_EINVAL, "%s", e2.msg);
        return fn_call(p, ex, &sig, lr, 2, sql_binop_str(op), out);
    }
    case SQL_E_IS_NULL: {
        sx *a;
        if ((rc = sqlplan_bind(p, sc, ex->u.pred.arg, &a))) return rc;
        sx *x = node(p, SX_IS_NULL, SQLT_BOOLEAN, ex, 1);
        x->args[0] = a;
        x->negated = ex->u.pred.negated;
        *out = x;
        return 0;
    }
    case SQL_E_DISTINCT_FROM: {
        sx *v[2];
        if ((rc = sqlplan_bind(p, sc, ex->u.pred.arg, &v[0]))) return rc;
        if ((rc = sqlplan_bind(p, sc, ex->u.pred.a, &v[1]))) return rc;
        uint8_t t;
        if ((rc = unify(p, v, 2, ex, "IS DISTINCT FROM operands", &t))) return rc;
        sx *x = node(p, SX_DISTINCT, SQLT_BOOLEAN, ex, 2);
        x->args[0] = v[0], x->args[1] = v[1];
        x->negated = ex->u.pred.negated;
        *out = x;
        return 0;
    }
    case SQL_E_BETWEEN: {
        sx *v[3];
        if ((rc = sqlplan_bind(p, sc, ex->u.pred.arg, &v[0]))) return rc;
        if ((rc = sqlplan_bind(p, sc, ex->u.pred.a, &v[1]))) return rc;
        if ((rc = sqlplan_bind(p, sc, ex->u.pred.b, &v[2]))) return rc;
        if ((rc = literal_coerce(p, &v[1], v[0])) || (rc = literal_coerce(p, &v[2], v[0]))) return rc;
        uint8_t t;
        if ((rc = unify(p, v, 3, ex, "BETWEEN operands", &t))) return rc;
        sx *x = node(p, SX_BETWEEN, SQLT_BOOLEAN, ex, 3);
        memcpy(x->args, v, sizeof v);
        x->negated = ex->u.pred.negated;
        *out = x;
        return 0;
    }
    case SQL_E_IN_LIST: {
        size_t n = ex->u.pred.n;
        if (ex->u.pred.arg->kind == SQL_E_ROW) {
            const sql_expr *l = ex->u.pred.arg;
            size_t w = l->u.list.n;
            sx **left, **right = sqlplan_alloc(p, (n * w + 1) * sizeof *right);
            if ((rc = bind_list(p, sc, l->u.list.items, w, &left))) return rc;
            for (size_t r = 0; r < n; r++) {
                const sql_expr *it = ex->u.pred.list[r];
                if (it->kind != SQL_E_ROW || it->u.list.n != w)
                    return sqlplan_fail(p, it->line, it->col, ST_EINVAL, "IN value and list items must be the same type: row(%zu) vs another", w);
                for (size_t i = 0; i < w; i++)
                    if ((rc = sqlplan_bind(p, sc, it->u.list.items[i], &right[r * w + i]))) return rc;
            }
            return row_in(p, ex, left, w, right, n, ex->u.pred.negated, out);
        }
        sx **v = sqlplan_alloc(p, (n + 1) * sizeof *v);
        if ((rc = sqlplan_bind(p, sc, ex->u.pred.arg, &v[0]))) return rc;
        for (size_t i = 0; i < n; i++)
            if ((rc = sqlplan_bind(p, sc, ex->u.pred.list[i], &v[i + 1]))) return rc;
        uint8_t t;
        if ((rc = unify(p, v, n + 1, ex, "IN value and list items", &t))) return rc;
        sx *x = node(p, SX_IN, SQLT_BOOLEAN, ex, 0);
        x->args = v;
        x->nargs = (uint32_t)(n + 1);
        x->negated = ex->u.pred.negated;
        *out = x;
        return 0;
    }
    case SQL_E_IN_QUERY: {
        const sql_expr *l = ex->u.pred.arg;
        size_t w = l->kind == SQL_E_ROW ? l->u.list.n : 1;
        sx **left;
        if (l->kind == SQL_E_ROW) {
            if ((rc = bind_list(p, sc, l->u.list.items, w, &left))) return rc;
        } else {
            left = sqlplan_alloc(p, sizeof *left);
            if ((rc = sqlplan_bind(p, sc, l, &left[0]))) return rc;
        }
        sql_value *rows;
        size_t nrows, ncols, nrefs;
        uint8_t *types;
        sql_expr **refs;
        rc = subquery(p, sc, ex->u.pred.query, 0, &rows, &nrows, &ncols, &types, &refs, &nrefs);
        if (rc < 0) return rc;
        if (ncols != w)
            return sqlplan_fail(p, ex->line, ex->col, ST_EINVAL, "Value expression and result of subquery must be of the same type: %zu column%s vs %zu",
                                w, w == 1 ? "" : "s", ncols);
        if (rc == 1) {
            if (w != 1)
                return sqlplan_fail(p, ex->line, ex->col, ST_EINVAL, "a row IN a correlated subquery is not supported by Strata yet");
            uint8_t t;
            if (!sql_fn_common_type(left[0]->type, types[0], &t))
                return sqlplan_fail(p, ex->line, ex->col, ST_EINVAL, "Value expression and result of subquery must be of the same type: %s vs %s",
                                    sql_vtype_name(left[0]->type), sql_vtype_name(types[0]));
            return correlated(p, sc, ex, ex->u.pred.query, CQ_IN, sqlplan_cast(p, left[0], t), ex->u.pred.negated, t,
                              refs, nrefs, out);
        }
        if (w == 1) return in_constants(p, ex, left[0], rows, nrows, types[0], ex->u.pred.negated, out);
        sx **right = sqlplan_alloc(p, (nrows * w + 1) * sizeof *right);
        for (size_t i = 0; i < nrows * w; i++) right[i] = sqlplan_const(p, rows[i]);
        return row_in(p, ex, left, w, right, nrows, ex->u.pred.negated, out);
    }
    case SQL_E_QUANTIFIED: {
        sx *a;
        if ((rc = sqlplan_bind(p, sc, ex->u.pred.arg, &a))) return rc;
        sql_value *rows;
        size_t nrows, ncols, nrefs;
        uint8_t *types;
        sql_expr **refs;
        rc = subquery(p, sc, ex->u.pred.query, 0, &rows, &nrows, &ncols, &types, &refs, &nrefs);
        if (rc < 0) return rc;
        if (rc == 1)
            return sqlplan_fail(p, ex->line, ex->col, ST_EINVAL, "ANY/SOME/ALL over a correlated subquery is not supported by Strata yet");
        if ((rc = one_column(p, ex, ncols))) return rc;
        uint8_t t = types[0];
        bool all = ex->u.pred.quant == SQL_QUANT_ALL;
        if (ex->u.pred.op == SQL_OP_EQ && !all) return in_constants(p, ex, a, rows, nrows, t, false, out);
        if (ex->u.pred.op == SQL_OP_NE && all) return in_constants(p, ex, a, rows, nrows, t, true, out);
        if (nrows == 0) {
            *out = sqlplan_const(p, sqlv_bool(all));
            return 0;
        }
        sx *x = node(p, all ? SX_AND : SX_OR, SQLT_BOOLEAN, ex, (uint32_t)nrows);
        for (size_t i = 0; i < nrows; i++)
            if ((rc = bind_cmp(p, ex, ex->u.pred.op, a, sqlplan_const(p, rows[i]), &x->args[i]))) return rc;
        *out = x;
        return 0;
    }
    case SQL_E_LIKE: {
        sx *v[3];
        size_t n = ex->u.pred.b ? 3 : 2;
        if ((rc = sqlplan_bind(p, sc, ex->u.pred.arg, &v[0]))) return rc;
        if ((rc = sqlplan_bind(p, sc, ex->u.pred.a, &v[1]))) return rc;
        if (n == 3 && (rc = sqlplan_bind(p, sc, ex->u.pred.b, &v[2]))) return rc;
        for (size_t i = 0; i < n; i++) {
            if (v[i]->type == SQLT_UNKNOWN) v[i] = sqlplan_cast(p, v[i], SQLT_VARCHAR);
            if (v[i]->type != SQLT_VARCHAR)
                return sqlplan_fail(p, ex->line, ex->col, ST_EINVAL, "Cannot apply operator: LIKE to %s",
                                 sql_vtype_name(v[i]->type));
        }
        sx *x = node(p, SX_LIKE, SQLT_BOOLEAN, ex, (uint32_t)n);
        memcpy(x->args, v, n * sizeof *v);
        x->negated = ex->u.pred.negated;
        *out = x;
        return 0;
    }
    case SQL_E_EXISTS: {
        sql_value *rows;
        size_t nrows, ncols, nrefs;
        uint8_t *types;
        sql_expr **refs;
        rc = subquery(p, sc, ex->u.query, 1, &rows, &nrows, &ncols, &types, &refs, &nrefs);
        if (rc < 0) return rc;
        if (rc == 1) return correlated(p, sc, ex, ex->u.query, CQ_EXISTS, NULL, false, SQLT_BOOLEAN, refs, nrefs, out);
        *out = sqlplan_const(p, sqlv_bool(nrows > 0));
        return 0;
    }
    case SQL_E_SUBQUERY: {
        sql_value *rows;
        size_t nrows, ncols, nrefs;
        uint8_t *types;
        sql_expr **refs;
        rc = subquery(p, sc, ex->u.query, 2, &rows, &nrows, &ncols, &types, &refs, &nrefs);
        if (rc < 0) return rc;
        int rc2 = one_column(p, ex, ncols);
        if (rc2) return rc2;
        if (rc == 1) return correlated(p, sc, ex, ex->u.query, CQ_SCALAR, NULL, false, types[0], refs, nrefs, out);
        if (nrows > 1)
            return sqlplan_fail(p, ex->line, ex->col, ST_EINVAL, "Scalar sub-query has returned multiple rows");
        *out = sqlplan_const(p, nrows ? rows[0] : sqlv_null(types[0]));
        return 0;
    }
    case SQL_E_CAST: {
        sx *a;
        if ((rc = sqlplan_bind(p, sc, ex->u.cast.arg, &a))) return rc;
        uint8_t to;
        if ((rc = sqlplan_vtype_of(p, ex->u.cast.type, &to))) return rc;
        if (a->type != SQLT_UNKNOWN && !sqlv_castable(a->type, to))
            return sqlplan_fail(p, ex->line, ex->col, ST_EINVAL, "Cannot cast %s to %s", sql_vtype_name(a->type),
                             sql_vtype_name(to));
        sx *x = node(p, SX_CAST, to, ex, 1);
        x->args[0] = a;
        x->try_ = ex->u.cast.try_;
        *out = x;
        return 0;
    }
    case SQL_E_CASE: {
        size_t nw = ex->u.case_.nwhens;
        sx **res = sqlplan_alloc(p, (nw + 1) * sizeof *res);
        sx *x = node(p, SX_CASE, 0, ex, (uint32_t)(2 * nw + (ex->u.case_.else_ ? 1 : 0)));
        sx *operand = NULL;
        if (ex->u.case_.operand && (rc = sqlplan_bind(p, sc, ex->u.case_.operand, &operand))) return rc;
        for (size_t i = 0; i < nw; i++) {
            sx *c;
            if ((rc = sqlplan_bind(p, sc, ex->u.case_.whens[i].cond, &c))) return rc;
            if (operand) {
                if ((rc = bind_cmp(p, ex->u.case_.whens[i].cond, SQL_OP_EQ, operand, c, &c))) return rc;
            } else if ((rc = want_bool(p, &c, ex->u.case_.whens[i].cond, "CASE WHEN clause")))
                return rc;
            x->args[2 * i] = c;
            if ((rc = sqlplan_bind(p, sc, ex->u.case_.whens[i].result, &res[i]))) return rc;
        }
        size_t nres = nw;
        if (ex->u.case_.else_) {
            if ((rc = sqlplan_bind(p, sc, ex->u.case_.else_, &res[nw]))) return rc;
            nres++;
        }
        uint8_t t;
        if ((rc = unify(p, res, nres, ex, "All CASE results", &t))) return rc;
        for (size_t i = 0; i < nw; i++) x->args[2 * i + 1] = res[i];
        if (ex->u.case_.else_) x->args[2 * nw] = res[nw];
        x->type = t;
        *out = x;
        return 0;
    }
    case SQL_E_CALL: return bind_call(p, sc, ex, out);
    case SQL_E_EXTRACT: {
        sx *a;
        if ((rc = sqlplan_bind(p, sc, ex->u.extract.arg, &a))) return rc;
        sql_fn_sig sig;
        st_err e2 = {0};
        if (st_slice_eq(ex->u.extract.field, st_slice_cstr("epoch"))) {
            /* PostgreSQL's, from Grafana's $__timeGroup: to_unixtime */
            uint8_t t = a->type == SQLT_DATE ? SQLT_TIMESTAMP : a->type;
            a = sqlplan_cast(p, a, t);
            if (sql_fn_resolve(st_slice_cstr("to_unixtime"), &t, 1, &sig, &e2))
                return sqlplan_fail(p, ex->line, ex->col, ST_EINVAL, "%s", e2.msg);
            return fn_call(p, ex, &sig, &a, 1, "extract", out);
        }
        if (sql_fn_extract(ex->u.extract.field, a->type, &sig, &e2))
            return sqlplan_fail(p, ex->line, ex->col, ST_EINVAL, "%s", e2.msg);
        return fn_call(p, ex, &sig, &a, 1, "extract", out);
    }
    case SQL_E_CURRENT: {
        sql_current w = ex->u.current.which;
        if (w == SQL_CUR_TIMESTAMP || w == SQL_CUR_LOCALTIMESTAMP || w == SQL_CUR_DATE) {
            sql_fn_sig sig;
            st_err e2 = {0};
            if (sql_fn_resolve(st_slice_cstr("now"), NULL, 0, &sig, &e2))
                return sqlplan_fail(p, ex->line, ex->col, ST_EINVAL, "%s", e2.msg);
            if ((rc = fn_call(p, ex, &sig, NULL, 0, "now", out))) return rc;
            if (w == SQL_CUR_DATE) *out = sqlplan_cast(p, *out, SQLT_DATE);
            return 0;
        }
        return sqlplan_fail(p, ex->line, ex->col, ST_EINVAL, "this special value is not supported by Strata yet");
    }
    case SQL_E_AT_TIME_ZONE: {
        const sql_expr *z = ex->u.binop.r;
        if (z->kind == SQL_E_STRING && (slice_is(z->u.str, "UTC") || slice_is(z->u.str, "utc") ||
                                        slice_is(z->u.str, "Z") || slice_is(z->u.str, "+00:00")))
            return sqlplan_bind(p, sc, ex->u.binop.l, out);
        return sqlplan_fail(p, ex->line, ex->col, ST_EINVAL, "AT TIME ZONE other than 'UTC' is not supported: all times are UTC");
    }
    case SQL_E_ARRAY: return sqlplan_bind_array(p, sc, ex, out);
    case SQL_E_SUBSCRIPT: return sqlplan_bind_subscript(p, sc, ex, out);
    case SQL_E_LAMBDA:
        return sqlplan_fail(p, ex->line, ex->col, ST_EINVAL, "a lambda expression is allowed only as an argument of filter, reduce or transform");
    case SQL_E_ROW:
    case SQL_E_FIELD:
    case SQL_E_BINARY:
    default: break;
    }
    return sqlplan_fail(p, ex->line, ex->col, ST_EINVAL, "this expression is not supported by Strata yet (arrays, rows, lambdas and binary values come later)");
}

int sqlplan_bind_root(sqlplan *p, const bscope *sc, const sql_expr *ex, sx **out)
{
    int rc = sqlplan_bind(p, sc, ex, out);
    if (rc) return rc;
    if (p->nroots == p->caproots) {
        size_t nc = p->caproots ? p->caproots * 2 : 32;
        sx **nv = sqlplan_alloc(p, nc * sizeof *nv);
        if (p->nroots) memcpy(nv, p->roots, p->nroots * sizeof *nv);
        p->roots = nv;
        p->caproots = nc;
    }
    p->roots[p->nroots++] = *out;
    return 0;
}
