/* plan_from: FROM to operators: tables, subqueries, joins, UNNEST and
 * information_schema, with WHERE's time ranges and dimension conditions
 * pushed into the table scans. */
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "sql/ops_int.h"
#include "sql/plan_int.h"

void sqlplan_explain(sqlplan *p, const char *fmt, ...)
{
    if (!p->explain) return;
    for (int i = 0; i < p->depth; i++) st_buf_put(p->explain, "  ", 2);
    va_list ap;
    va_start(ap, fmt);
    char line[1024];
    vsnprintf(line, sizeof line, fmt, ap);
    va_end(ap);
    st_buf_put(p->explain, line, strlen(line));
    st_buf_putc(p->explain, '\n');
}

const char *sqlplan_expr_text(sqlplan *p, const sql_expr *ex)
{
    st_buf b = {0};
    sql_expr_format(ex, &b);
    char *s = st_arena_strndup(p->a, (const char *)b.p, b.len);
    st_buf_free(&b);
    return s;
}

st_slice sqlplan_keep(sqlplan *p, st_slice s)
{
    return st_slice_of(st_arena_strndup(p->a, s.p ? s.p : "", s.n), s.n);
}

/* ---------------------------------------------------------------- FROM */


static void name_cols(sqlplan *p, pcol *cols, size_t n, const sql_relation *r, st_slice qual)
{
    for (size_t i = 0; i < n; i++) {
        cols[i].qual = qual;
        if (r && i < r->ncolumns) cols[i].name = sqlplan_keep(p, r->columns[i].name);
    }
}

/* information_schema.tables and .columns, for SQL tools: every database is
 * a schema, every measurement a table. */
static int info_schema(sqlplan *p, const sql_relation *r, st_slice which, pnode **out)
{
    bool tables = st_slice_eq(which, st_slice_cstr("tables"));
    if (!tables && !st_slice_eq(which, st_slice_cstr("columns")))
        return sqlplan_fail(p, r->line, r->col, ST_EINVAL, "Table 'information_schema.%.*s' does not exist",
                            (int)which.n, which.p);
    static const char *const tnames[] = {"table_catalog", "table_schema", "table_name", "table_type"};
    static const char *const cnames[] = {"table_catalog", "table_schema", "table_name", "column_name",
                                         "ordinal_position", "data_type", "is_nullable"};
    size_t ncols = tables ? 4 : 7;
    uint8_t *types = sqlplan_alloc(p, ncols);
    for (size_t i = 0; i < ncols; i++) types[i] = SQLT_VARCHAR;
    if (!tables) types[4] = SQLT_BIGINT;
    store_db_info *dbs;
    size_t ndbs;
    int rc = store_db_list(p->x->s, &dbs, &ndbs);
    if (rc) return sqlplan_fail(p, r->line, r->col, rc, "cannot list databases");
    sql_value *rows = NULL;
    size_t nrows = 0, cap = 0;
    for (size_t d = 0; d < ndbs && !rc; d++) {
        if (p->o->may_read && !p->o->may_read(p->o->may_ctx, dbs[d].name)) continue;
        scan_spec sp = {.db = dbs[d].name, .mint = INT64_MIN, .maxt = INT64_MAX, .mode = SCAN_KEYS};
        scan *sc;
        if (scan_open(p->x->s, &sp, &sc, p->e)) continue; /* dropped meanwhile */
        st_slice *tl;
        size_t nt;
        bool exact;
        if (scan_tables(sc, &tl, &nt, &exact, p->e)) nt = 0;
        st_slice dbname = sqlplan_keep(p, st_slice_cstr(dbs[d].name));
        for (size_t t = 0; t < nt; t++) {
            st_slice tname = sqlplan_keep(p, tl[t]);
            sql_table_col *tc = NULL;
            size_t ntc = 0;
            if (!tables && sql_table_columns(p->x->s, dbs[d].name, tname, p->a, &tc, &ntc, p->e)) continue;
            size_t add = tables ? 1 : ntc;
            if (nrows + add > cap) {
                size_t nc = (nrows + add) * 2 + 16;
                sql_value *nv = sqlplan_alloc(p, nc * ncols * sizeof *nv);
                if (nrows) memcpy(nv, rows, nrows * ncols * sizeof *nv);
                rows = nv;
                cap = nc;
            }
            if (tables) {
                sql_value *v = rows + nrows++ * ncols;
                v[0] = sqlv_str(st_slice_cstr("strata"));
                v[1] = sqlv_str(dbname);
                v[2] = sqlv_str(tname);
                v[3] = sqlv_str(st_slice_cstr("BASE TABLE"));
                continue;
            }
            for (size_t c = 0; c < add; c++) {
                sql_value *v = rows + nrows++ * ncols;
                v[0] = sqlv_str(st_slice_cstr("strata"));
                v[1] = sqlv_str(dbname);
                v[2] = sqlv_str(tname);
                v[3] = sqlv_str(tc[c].name);
                v[4] = sqlv_int(SQLT_BIGINT, (int64_t)c + 1);
                v[5] = sqlv_str(st_slice_cstr(sql_vtype_name(tc[c].type)));
                v[6] = sqlv_str(st_slice_cstr("YES"));
            }
        }
        scan_close(sc);
    }
    st_free(dbs);
    pnode *n = sqlplan_alloc(p, sizeof *n);
    n->kind = PN_REL;
    static const sql_value none[1];
    n->rel.op = sql_op_values(p->x, ncols, types, nrows ? rows : none, nrows);
    n->ncols = ncols;
    n->cols = sqlplan_alloc(p, ncols * sizeof *n->cols);
    for (size_t i = 0; i < ncols; i++)
        n->cols[i] = (pcol){.name = st_slice_cstr(tables ? tnames[i] : cnames[i]), .type = types[i]};
    n->rel.cols = n->cols;
    n->rel.ncols = ncols;
    name_cols(p, n->cols, ncols, r, r->alias.name.n ? sqlplan_keep(p, r->alias.name) : sqlplan_keep(p, which));
    sqlplan_explain(p, "information_schema.%.*s: %zu rows", (int)which.n, which.p, nrows);
    *out = n;
    return 0;
}

static int plan_table(sqlplan *p, const sql_relation *r, pnode **out)
{
    const sql_name *nm = &r->table;
    st_slice tname = nm->parts[nm->n - 1].name;
    /* a WITH query */
    if (nm->n == 1) {
        for (sqlplan_cte *c = p->ctes; c; c = c->next)
            if (st_slice_eq(c->name, tname)) {
                sqlplan_cte *saved = p->ctes;
                p->ctes = c->next; /* a CTE sees the ones before it, not itself */
                pnode *n = sqlplan_alloc(p, sizeof *n);
                n->kind = PN_REL;
                sqlplan_explain(p, "With %.*s", (int)tname.n, tname.p);
                p->depth++;
                int rc = sqlplan_plan_query(p, c->w->query, &n->rel);
                p->depth--;
                p->ctes = saved;
                if (rc) return rc;
                if (c->w->ncolumns && c->w->ncolumns != n->rel.ncols)
                    return sqlplan_fail(p, r->line, r->col, ST_EINVAL,
                                     "WITH column alias list has %zu entries but WITH query has %zu columns",
                                     c->w->ncolumns, n->rel.ncols);
                n->cols = n->rel.cols;
                n->ncols = n->rel.ncols;
                for (size_t i = 0; i < c->w->ncolumns; i++) n->cols[i].name = sqlplan_keep(p, c->w->columns[i].name);
                name_cols(p, n->cols, n->ncols, r, r->alias.name.n ? sqlplan_keep(p, r->alias.name) : tname);
                *out = n;
                return 0;
            }
    }
    if (nm->n >= 2 && st_slice_eq(nm->parts[nm->n - 2].name, st_slice_cstr("information_schema")))
        return info_schema(p, r, tname, out);
    char db[CATALOG_NAME_MAX + 1];
    if (nm->n == 1) {
        if (!p->o->db || !*p->o->db)
            return sqlplan_fail(p, r->line, r->col, ST_EINVAL,
                             "Table '%.*s' needs a database: write db.%.*s or pass db", (int)tname.n, tname.p,
                             (int)tname.n, tname.p);
        snprintf(db, sizeof db, "%s", p->o->db);
    } else if (nm->n == 2) {
        st_slice d = nm->parts[0].name;
        if (d.n > CATALOG_NAME_MAX)
            return sqlplan_fail(p, r->line, r->col, ST_EINVAL, "Database '%.*s' does not exist", (int)d.n, d.p);
        snprintf(db, sizeof db, "%.*s", (int)d.n, d.p);
    } else {
        return sqlplan_fail(p, r->line, r->col, ST_EINVAL, "Table names are db.table; '%s' has too many parts",
                         sqlplan_expr_text(p, &(sql_expr){.kind = SQL_E_COLUMN, .u.column = *nm}));
    }
    if (nm->n == 2 && !nm->parts[0].quoted) sqltable_fold_db(p->x->s, db, sizeof db);
    if (p->o->may_read && !p->o->may_read(p->o->may_ctx, db))
        return sqlplan_fail(p, r->line, r->col, ST_EDENIED, "Access denied: no READ privilege on database '%s'", db);
    if (!store_db_exists(p->x->s, db))
        return sqlplan_fail(p, r->line, r->col, ST_EINVAL, "Database '%s' does not exist", db);
    if (!nm->parts[nm->n - 1].quoted) tname = sqltable_fold_table(p->x->s, db, tname, p->a);
    sqltable t;
    st_err e2 = {0};
    int rc = sqltable_get(p->x->s, db, tname, p->a, &t, &e2);
    if (rc) return sqlplan_fail(p, r->line, r->col, rc, "%s", e2.msg);
    if (!t.nfields)
        return sqlplan_fail(p, r->line, r->col, ST_EINVAL, "Table '%s.%.*s' does not exist", db, (int)tname.n,
                         tname.p);
    pnode *n = sqlplan_alloc(p, sizeof *n);
    n->kind = PN_SCAN;
    n->db = st_arena_strndup(p->a, db, strlen(db));
    n->table = sqlplan_keep(p, tname);
    n->ntags = t.ntags;
    n->time_col = t.ntags + 1;
    n->ncols = t.ntags + 2 + t.nfields;
    n->cols = sqlplan_alloc(p, n->ncols * sizeof *n->cols);
    for (size_t i = 0; i < t.ntags; i++) n->cols[i] = (pcol){.name = t.tags[i], .type = SQLT_VARCHAR};
    n->cols[t.ntags] = (pcol){.name = st_slice_cstr("measure_name"), .type = SQLT_VARCHAR};
    n->cols[t.ntags + 1] = (pcol){.name = st_slice_cstr("time"), .type = SQLT_TIMESTAMP};
    sql_scan_def *d = &n->def;
    d->table = n->table;
    d->tags = t.tags;
    d->ntags = t.ntags;
    d->fields = t.fields;
    d->metrics = t.metrics;
    d->byname = t.byname;
    d->ftypes = t.ftypes;
    d->ctypes = t.ctypes;
    d->plain_only = t.plain_only;
    d->measured = t.measured;
    d->nfields = t.nfields;
    d->read = sqlplan_alloc(p, t.nfields * sizeof *d->read);
    for (size_t i = 0; i < t.nfields; i++) {
        d->read[i] = true;
        n->cols[t.ntags + 2 + i] = (pcol){.name = t.names[i], .type = t.ctypes[i]};
    }
    d->all_fields = true;
    d->mint = INT64_MIN;
    d->maxt = INT64_MAX;
    name_cols(p, n->cols, n->ncols, r, r->alias.name.n ? sqlplan_keep(p, r->alias.name) : n->table);
    *out = n;
    return 0;
}

/* UNNEST(...) [WITH ORDINALITY] [AS t(c, ...)] over the rows of left (a
 * lateral join: its arguments read left's columns). */
int sqlplan_unnest(sqlplan *p, const sql_relation *r, pnode *left, bool outer, pnode **out)
{
    pnode *n = sqlplan_alloc(p, sizeof *n);
    n->kind = PN_UNNEST;
    n->l = left;
    n->src = r;
    n->outer = outer;
    n->nuargs = r->nargs;
    n->uargs = sqlplan_alloc(p, (r->nargs + 1) * sizeof *n->uargs);
    bscope sc = {.cols = left ? left->cols : NULL, .ncols = left ? left->ncols : 0};
    size_t nl = left ? left->ncols : 0, add = r->ordinality ? 1 : 0;
    for (size_t i = 0; i < r->nargs; i++) {
        int rc = sqlplan_bind_root(p, &sc, r->args[i], &n->uargs[i]);
        if (rc) return rc;
        uint8_t t = n->uargs[i]->type;
        if (!sqlt_is_composite(t))
            return sqlplan_fail(p, r->args[i]->line, r->args[i]->col, ST_EINVAL,
                                "Cannot unnest type: %s", sql_vtype_name(t));
        add += sqlt_is_ts(t) ? 2 : 1;
    }
    if (r->ncolumns && r->ncolumns != add)
        return sqlplan_fail(p, r->line, r->col, ST_EINVAL, "Column alias list has %zu entries but UNNEST has %zu columns",
                            r->ncolumns, add);
    n->ncols = nl + add;
    n->cols = sqlplan_alloc(p, (n->ncols + 1) * sizeof *n->cols);
    if (nl) memcpy(n->cols, left->cols, nl * sizeof *n->cols);
    st_slice qual = r->alias.name.n ? sqlplan_keep(p, r->alias.name) : (st_slice){0};
    size_t k = nl;
    for (size_t i = 0; i < r->nargs; i++) {
        uint8_t t = n->uargs[i]->type;
        if (sqlt_is_ts(t)) {
            n->cols[k++] = (pcol){.qual = qual, .name = st_slice_cstr("time"), .type = SQLT_TIMESTAMP};
            n->cols[k++] = (pcol){.qual = qual, .name = st_slice_cstr("value"), .type = (uint8_t)sqlt_elem(t)};
        } else {
            char buf[32];
            int m = snprintf(buf, sizeof buf, "_col%zu", k - nl);
            n->cols[k++] = (pcol){.qual = qual, .name = st_slice_of(st_arena_strndup(p->a, buf, (size_t)m), (size_t)m),
                                  .type = (uint8_t)sqlt_elem(t)};
        }
    }
    if (r->ordinality) n->cols[k++] = (pcol){.qual = qual, .name = st_slice_cstr("ordinality"), .type = SQLT_BIGINT};
    for (size_t i = 0; i < r->ncolumns; i++) n->cols[nl + i].name = sqlplan_keep(p, r->columns[i].name);
    *out = n;
    return 0;
}

int sqlplan_relation(sqlplan *p, const sql_relation *r, pnode **out)
{
    switch (r->kind) {
    case SQL_R_TABLE: return plan_table(p, r, out);
    case SQL_R_SUBQUERY: {
        if (r->lateral)
            return sqlplan_fail(p, r->line, r->col, ST_EINVAL, "LATERAL is not supported by Strata yet");
        pnode *n = sqlplan_alloc(p, sizeof *n);
        n->kind = PN_REL;
        sqlplan_explain(p, "Subquery%s%.*s", r->alias.name.n ? " " : "", (int)r->alias.name.n, r->alias.name.p);
        p->depth++;
        int rc = sqlplan_plan_query(p, r->query, &n->rel);
        p->depth--;
        if (rc) return rc;
        if (r->ncolumns && r->ncolumns != n->rel.ncols)
            return sqlplan_fail(p, r->line, r->col, ST_EINVAL, "Column alias list has %zu entries but '%.*s' has %zu columns",
                             r->ncolumns, (int)r->alias.name.n, r->alias.name.p, n->rel.ncols);
        n->cols = n->rel.cols;
        n->ncols = n->rel.ncols;
        name_cols(p, n->cols, n->ncols, r, sqlplan_keep(p, r->alias.name));
        *out = n;
        return 0;
    }
    case SQL_R_JOIN: {
        if (r->right->kind == SQL_R_UNNEST) {
            /* CROSS JOIN UNNEST(...), JOIN UNNEST(...) ON true, LEFT JOIN UNNEST(...) ON true */
            bool on_true = !r->on || (r->on->kind == SQL_E_BOOL && r->on->u.b);
            if (r->join == SQL_JOIN_RIGHT || r->join == SQL_JOIN_FULL || !on_true || r->nusing)
                return sqlplan_fail(p, r->line, r->col, ST_EINVAL,
                                    "UNNEST joins only as CROSS JOIN, or JOIN/LEFT JOIN ... ON true");
            pnode *left;
            int rc = sqlplan_relation(p, r->left, &left);
            if (rc) return rc;
            return sqlplan_unnest(p, r->right, left, r->join == SQL_JOIN_LEFT, out);
        }
        pnode *n = sqlplan_alloc(p, sizeof *n);
        n->kind = PN_JOIN;
        n->jk = r->join;
        n->src = r;
        int rc = sqlplan_relation(p, r->left, &n->l);
        if (!rc) rc = sqlplan_relation(p, r->right, &n->r);
        if (rc) return rc;
        n->ncols = n->l->ncols + n->r->ncols;
        n->cols = sqlplan_alloc(p, n->ncols * sizeof *n->cols);
        memcpy(n->cols, n->l->cols, n->l->ncols * sizeof *n->cols);
        memcpy(n->cols + n->l->ncols, n->r->cols, n->r->ncols * sizeof *n->cols);
        if (r->alias.name.n) name_cols(p, n->cols, n->ncols, NULL, sqlplan_keep(p, r->alias.name));
        *out = n;
        return 0;
    }
    case SQL_R_UNNEST: return sqlplan_unnest(p, r, NULL, false, out);
    default: return sqlplan_fail(p, r->line, r->col, ST_EINVAL, "unknown relation");
    }
}

/* The scan leaf holding combined column c, and c's place in it. */
static pnode *leaf_of(pnode *n, size_t c, size_t *at)
{
    if (n->kind == PN_UNNEST) return n->l && c < n->l->ncols ? leaf_of(n->l, c, at) : NULL;
    if (n->kind == PN_JOIN) {
        if (c < n->l->ncols) return leaf_of(n->l, c, at);
        return leaf_of(n->r, c - n->l->ncols, at);
    }
    *at = c;
    return n->kind == PN_SCAN ? n : NULL;
}

static void add_matcher(sqlplan *p, pnode *n, matcher *m)
{
    if (n->nm == n->capm) {
        size_t nc = n->capm ? n->capm * 2 : 4;
        matcher **v = sqlplan_alloc(p, nc * sizeof *v);
        if (n->nm) memcpy(v, n->m, n->nm * sizeof *v);
        n->m = v;
        n->capm = nc;
    }
    n->m[n->nm++] = m;
}

/* A constant's value, when ex binds to one (no column, no error). */
static bool const_value_in(sqlplan *p, const sql_expr *ex, sql_value *out);

/* A constant's value, for pushdown into from's scans: an outer row's
 * column (a correlated subquery's) counts as one, from's own do not. */
static bool const_value_for(sqlplan *p, const pnode *from, const sql_expr *ex, sql_value *out)
{
    const pcol *sl = p->local;
    size_t sn = p->nlocal;
    p->local = from->cols;
    p->nlocal = from->ncols;
    bool ok = const_value_in(p, ex, out);
    p->local = sl;
    p->nlocal = sn;
    return ok;
}

bool sqlplan_const_value(sqlplan *p, const sql_expr *ex, sql_value *out)
{
    const sqlcorr *c = p->corr;
    const bscope *pr = p->probe;
    p->corr = NULL;
    p->probe = NULL;
    bool ok = const_value_in(p, ex, out);
    p->corr = c;
    p->probe = pr;
    return ok;
}

static bool const_value_in(sqlplan *p, const sql_expr *ex, sql_value *out)
{
    bscope none = {0};
    st_err saved = *p->e, tmp = {0};
    st_err *pe = p->e;
    p->e = &tmp;
    sx *x;
    bool ok = !sqlplan_bind(p, &none, ex, &x) && sx_is_const(x) && !sqlplan_eval_const(p, x, out);
    if (ok && x->kind != SX_CONST) sx_release(x);
    p->e = pe;
    *p->e = saved;
    return ok;
}

/* The FROM column ex names, or -1. */
int sqlplan_column_of(const pnode *from, const sql_expr *ex)
{
    if (ex->kind != SQL_E_COLUMN) return -1;
    const sql_name *nm = &ex->u.column;
    st_slice qual = {0};
    if (nm->n >= 2) qual = nm->parts[nm->n - 2].name;
    return sqlplan_find_col(from->cols, from->ncols, qual, nm->parts[nm->n - 1].name);
}

static bool as_time(const sql_value *v, int64_t *ns)
{
    if (v->null) return false;
    if (v->type == SQLT_TIMESTAMP) *ns = v->u.i;
    else if (v->type == SQLT_VARCHAR) return sqlv_parse_timestamp(v->u.s, ns); /* the binder's PostgreSQL rule */
    else if (v->type == SQLT_DATE) {
        if (v->u.i > INT64_MAX / 86400 / ST_NS_PER_S || v->u.i < INT64_MIN / 86400 / ST_NS_PER_S) return false;
        *ns = v->u.i * 86400 * ST_NS_PER_S;
    } else return false;
    return true;
}

static void bound_time(pnode *leaf, sql_binop op, int64_t t)
{
    sql_scan_def *d = &leaf->def;
    switch (op) {
    case SQL_OP_EQ:
        if (t > d->mint) d->mint = t;
        if (t < d->maxt) d->maxt = t;
        break;
    case SQL_OP_GT:
        if (t == INT64_MAX) leaf->empty = true;
        else if (t + 1 > d->mint) d->mint = t + 1;
        break;
    case SQL_OP_GE:
        if (t > d->mint) d->mint = t;
        break;
    case SQL_OP_LT:
        if (t == INT64_MIN) leaf->empty = true;
        else if (t - 1 < d->maxt) d->maxt = t - 1;
        break;
    case SQL_OP_LE:
        if (t < d->maxt) d->maxt = t;
        break;
    default: break;
    }
}

static sql_binop flip(sql_binop op)
{
    switch (op) {
    case SQL_OP_LT: return SQL_OP_GT;
    case SQL_OP_LE: return SQL_OP_GE;
    case SQL_OP_GT: return SQL_OP_LT;
    case SQL_OP_GE: return SQL_OP_LE;
    default: return op;
    }
}

static void regex_quote(st_buf *b, st_slice s)
{
    for (size_t i = 0; i < s.n; i++) {
        char c = s.p[i];
        if (strchr("\\^$.|?*+()[]{}", c)) st_buf_putc(b, '\\');
        st_buf_putc(b, (uint8_t)c);
    }
}

/* measure_name IN (vals) (NOT IN with negated; = and <> with one value),
 * exactly. A row's measure_name is its series' label measure_name, or the
 * table's name where the series lacks the label (table.c), so in a table
 * with such series the condition becomes matchers on the label in which
 * the absent label ("" to a matcher) stands for the table's name. */
static bool push_measure(sqlplan *p, pnode *leaf, const st_slice *vals, size_t n, bool negated)
{
    bool table_in = false;
    for (size_t i = 0; i < n; i++) table_in |= st_slice_eq(vals[i], leaf->table);
    bool table_kept = table_in != negated;
    if (!leaf->def.measured) {
        if (!table_kept) leaf->empty = true;
        return true;
    }
    /* a label is never stored with an empty value: "" names no series */
    st_buf re = {0};
    size_t nv = 0;
    const st_slice *one = NULL;
    for (size_t i = 0; i < n; i++) {
        if (!vals[i].n) continue;
        if (nv++) st_buf_putc(&re, '|');
        regex_quote(&re, vals[i]);
        one = &vals[i];
    }
    /* the label in vals (or absent, where the table's name is kept) */
    match_op op = nv == 1 ? MATCH_EQ : MATCH_RE;
    st_slice v = nv == 1 ? *one : st_slice_of(re.len ? (const char *)re.p : "", re.len);
    if (!negated && table_kept && nv) {
        st_buf_putc(&re, '|');
        op = MATCH_RE;
        v = st_slice_of((const char *)re.p, re.len);
    }
    bool ok = true;
    matcher *m;
    st_err e2 = {0};
    const st_slice name = st_slice_cstr(SCAN_MEASURE_LABEL);
    if (!negated) {
        if (!nv && !table_kept) leaf->empty = true;
        else if (!matcher_new(nv ? op : MATCH_EQ, name, v, &m, &e2)) add_matcher(p, leaf, m);
        else ok = false;
    } else {
        /* a label not in vals (absent passes that), and present unless
         * the table's name is kept */
        if (nv) {
            if (!matcher_new(op == MATCH_EQ ? MATCH_NEQ : MATCH_NRE, name, v, &m, &e2)) add_matcher(p, leaf, m);
            else ok = false;
        }
        if (ok && !table_kept) {
            if (!matcher_new(MATCH_NEQ, name, st_slice_of("", 0), &m, &e2)) add_matcher(p, leaf, m);
            else ok = false;
        }
    }
    st_buf_free(&re);
    return ok;
}

/* Narrows scans by one WHERE conjunct; the filter above still checks it,
 * so what is pushed only has to sqlplan_keep every row the conjunct keeps. */
bool sqlplan_push(sqlplan *p, pnode *from, const sql_expr *c)
{
    size_t at;
    if (c->kind == SQL_E_BINOP && c->u.binop.op >= SQL_OP_EQ && c->u.binop.op <= SQL_OP_GE) {
        const sql_expr *col = c->u.binop.l, *k = c->u.binop.r;
        sql_binop op = c->u.binop.op;
        int ci = sqlplan_column_of(from, col);
        if (ci < 0) {
            col = c->u.binop.r, k = c->u.binop.l, op = flip(op);
            ci = sqlplan_column_of(from, col);
        }
        if (ci < 0) return false;
        pnode *leaf = leaf_of(from, (size_t)ci, &at);
        if (!leaf) return false;
        sql_value v;
        if (!const_value_for(p, from, k, &v)) return false;
        int64_t t;
        if (at == leaf->time_col && op != SQL_OP_NE && as_time(&v, &t)) {
            bound_time(leaf, op, t);
            return true;
        } else if (at < leaf->ntags && op == SQL_OP_EQ && v.type == SQLT_VARCHAR && !v.null && v.u.s.n) {
            matcher *m;
            st_err e2 = {0};
            if (!matcher_new(MATCH_EQ, leaf->cols[at].name, v.u.s, &m, &e2)) {
                add_matcher(p, leaf, m);
                return true;
            }
        } else if (at == leaf->ntags && (op == SQL_OP_EQ || op == SQL_OP_NE) && v.type == SQLT_VARCHAR && !v.null) {
            return push_measure(p, leaf, &v.u.s, 1, op == SQL_OP_NE);
        }
        return false;
    }
    if (c->kind == SQL_E_BETWEEN && !c->u.pred.negated) {
        int ci = sqlplan_column_of(from, c->u.pred.arg);
        if (ci < 0) return false;
        pnode *leaf = leaf_of(from, (size_t)ci, &at);
        if (!leaf || at != leaf->time_col) return false;
        sql_value a, b;
        int64_t ta, tb;
        bool ea = const_value_for(p, from, c->u.pred.a, &a) && as_time(&a, &ta);
        bool eb = const_value_for(p, from, c->u.pred.b, &b) && as_time(&b, &tb);
        if (ea) bound_time(leaf, SQL_OP_GE, ta);
        if (eb) bound_time(leaf, SQL_OP_LE, tb);
        return ea && eb;
    }
    if (c->kind == SQL_E_LIKE && !c->u.pred.negated && !c->u.pred.b) {
        /* tag LIKE 'p': % becomes .*; a pattern with _ (one character, which
         * may be several bytes) is left to the filter */
        int ci = sqlplan_column_of(from, c->u.pred.arg);
        if (ci < 0) return false;
        pnode *leaf = leaf_of(from, (size_t)ci, &at);
        sql_value v;
        if (!leaf || at >= leaf->ntags || !const_value_for(p, from, c->u.pred.a, &v) || v.type != SQLT_VARCHAR || v.null ||
            memchr(v.u.s.p, '_', v.u.s.n))
            return false;
        st_buf re = {0};
        for (size_t i = 0; i < v.u.s.n;) {
            size_t j = i;
            while (j < v.u.s.n && v.u.s.p[j] != '%') j++;
            regex_quote(&re, st_slice_of(v.u.s.p + i, j - i));
            if (j < v.u.s.n) st_buf_put(&re, "(?s:.*)", 7);
            i = j + 1;
        }
        matcher *m;
        st_err e2 = {0};
        if (!matcher_new(MATCH_RE, leaf->cols[at].name, st_slice_of(re.len ? (const char *)re.p : "", re.len), &m, &e2)) {
            if (matcher_matches_empty(m)) matcher_free(m); /* "" is also the absent tag: sqlplan_keep the scan whole */
            else {
                add_matcher(p, leaf, m);
                st_buf_free(&re);
                return true;
            }
        }
        st_buf_free(&re);
        return false;
    }
    if (c->kind == SQL_E_CALL && !c->u.call.over && c->u.call.nargs == 2 &&
        st_slice_eq(c->u.call.name, st_slice_cstr("regexp_like"))) {
        int ci = sqlplan_column_of(from, c->u.call.args[0]);
        if (ci < 0) return false;
        pnode *leaf = leaf_of(from, (size_t)ci, &at);
        sql_value v;
        if (!leaf || at >= leaf->ntags || !const_value_for(p, from, c->u.call.args[1], &v) || v.type != SQLT_VARCHAR || v.null)
            return false;
        st_buf re = {0};
        st_buf_printf(&re, "(?s:.*)(?:%.*s)(?s:.*)", (int)v.u.s.n, v.u.s.p);
        matcher *m;
        st_err e2 = {0};
        if (!matcher_new(MATCH_RE, leaf->cols[at].name, st_slice_of((const char *)re.p, re.len), &m, &e2)) {
            if (matcher_matches_empty(m)) matcher_free(m);
            else {
                add_matcher(p, leaf, m);
                st_buf_free(&re);
                return true;
            }
        }
        st_buf_free(&re);
        return false;
    }
    if (c->kind == SQL_E_IN_LIST) {
        int ci = sqlplan_column_of(from, c->u.pred.arg);
        if (ci < 0) return false;
        pnode *leaf = leaf_of(from, (size_t)ci, &at);
        if (leaf && at == leaf->ntags) {
            st_slice *vals = sqlplan_alloc(p, (c->u.pred.n + 1) * sizeof *vals);
            for (size_t i = 0; i < c->u.pred.n; i++) {
                sql_value v;
                /* a NULL in the list makes NOT IN unknown for every other value */
                if (!const_value_for(p, from, c->u.pred.list[i], &v) || v.type != SQLT_VARCHAR || v.null) return false;
                vals[i] = v.u.s;
            }
            return push_measure(p, leaf, vals, c->u.pred.n, c->u.pred.negated);
        }
        if (!leaf || at >= leaf->ntags || c->u.pred.negated) return false;
        st_buf re = {0};
        for (size_t i = 0; i < c->u.pred.n; i++) {
            sql_value v;
            if (!const_value_for(p, from, c->u.pred.list[i], &v) || v.type != SQLT_VARCHAR || v.null || !v.u.s.n) {
                st_buf_free(&re);
                return false;
            }
            if (i) st_buf_putc(&re, '|');
            regex_quote(&re, v.u.s);
        }
        matcher *m;
        st_err e2 = {0};
        bool ok = re.len && !matcher_new(MATCH_RE, leaf->cols[at].name, st_slice_of((const char *)re.p, re.len), &m, &e2);
        if (ok) add_matcher(p, leaf, m);
        st_buf_free(&re);
        return ok;
    }
    return false;
}

void sqlplan_conjuncts(sqlplan *p, const sql_expr *ex, const sql_expr ***v, size_t *n, size_t *cap)
{
    if (ex->kind == SQL_E_AND) {
        for (size_t i = 0; i < ex->u.list.n; i++) sqlplan_conjuncts(p, ex->u.list.items[i], v, n, cap);
        return;
    }
    if (*n == *cap) {
        size_t nc = *cap ? *cap * 2 : 8;
        const sql_expr **nv = sqlplan_alloc(p, nc * sizeof *nv);
        if (*n) memcpy(nv, *v, *n * sizeof *nv);
        *v = nv;
        *cap = nc;
    }
    (*v)[(*n)++] = ex;
}

static void sqlplan_fmt_time(int64_t t, char *buf, size_t n)
{
    if (t == INT64_MIN) snprintf(buf, n, "-inf");
    else if (t == INT64_MAX) snprintf(buf, n, "+inf");
    else {
        st_buf b = {0};
        sqlv_format_rfc3339(t, &b);
        snprintf(buf, n, "%.*s", (int)b.len, (const char *)b.p);
        st_buf_free(&b);
    }
}

/* A scan's line of EXPLAIN: its range and the dimension conditions pushed. */
void sqlplan_explain_scan(sqlplan *p, const char *what, const pnode *n, int64_t mint, int64_t maxt, const char *more)
{
    if (!p->explain) return;
    char a[48], b[48];
    sqlplan_fmt_time(mint, a, sizeof a);
    sqlplan_fmt_time(maxt, b, sizeof b);
    st_buf ms = {0};
    for (size_t i = 0; i < n->nm; i++) {
        st_slice mn = matcher_name(n->m[i]), mv = matcher_value(n->m[i]);
        static const char *const ops[] = {"=", "!=", "=~", "!~"};
        st_buf_printf(&ms, "%s%.*s%s\"%.*s\"", i ? ", " : "", (int)mn.n, mn.p, ops[matcher_op(n->m[i]) & 3],
                      (int)mv.n, mv.p);
    }
    sqlplan_explain(p, "%s %s.%.*s: time [%s, %s], dimensions {%.*s}%s", what, n->db, (int)n->table.n, n->table.p, a,
                    b, (int)ms.len, ms.len ? (const char *)ms.p : "", more);
    st_buf_free(&ms);
}

static int join_op_in(sqlplan *p, pnode *n, prel *lp, prel *rp, prel *out);

static int join_op(sqlplan *p, pnode *n, prel *out)
{
    prel l, r;
    int rc = sqlplan_materialize(p, n->l, &l);
    if (rc) return rc;
    if ((rc = sqlplan_materialize(p, n->r, &r))) {
        sql_op_close(l.op);
        return rc;
    }
    rc = join_op_in(p, n, &l, &r, out);
    if (rc) {
        sql_op_close(l.op);
        sql_op_close(r.op);
    }
    return rc;
}

static int join_op_in(sqlplan *p, pnode *n, prel *lp, prel *rp, prel *out)
{
    prel l = *lp, r = *rp;
    int rc;
    const sql_relation *src = n->src;
    size_t nl = l.ncols;
    size_t *lk = sqlplan_alloc(p, (n->ncols + src->nusing + 1) * sizeof *lk);
    size_t *rk = sqlplan_alloc(p, (n->ncols + src->nusing + 1) * sizeof *rk);
    size_t nk = 0;
    sx *cond = NULL;
    bscope sc = {.cols = n->cols, .ncols = n->ncols};
    for (size_t i = 0; i < src->nusing; i++) {
        st_slice name = src->using_[i].name;
        int a = sqlplan_find_col(l.cols, nl, (st_slice){0}, name), b = sqlplan_find_col(r.cols, r.ncols, (st_slice){0}, name);
        if (a < 0 || b < 0)
            return sqlplan_fail(p, src->using_[i].line, src->using_[i].col, ST_EINVAL,
                             "Column '%.*s' is missing from %s side of the join", (int)name.n, name.p,
                             a < 0 ? "left" : "right");
        if (l.cols[a].type != r.cols[b].type)
            return sqlplan_fail(p, src->using_[i].line, src->using_[i].col, ST_EINVAL,
                             "Column types of the USING column '%.*s' differ: %s vs %s", (int)name.n, name.p,
                             sql_vtype_name(l.cols[a].type), sql_vtype_name(r.cols[b].type));
        lk[nk] = (size_t)a;
        rk[nk++] = (size_t)b;
        n->cols[nl + (size_t)b].hidden = true;
    }
    if (src->on) {
        const sql_expr **cs = NULL;
        size_t ncs = 0, capcs = 0;
        sqlplan_conjuncts(p, src->on, &cs, &ncs, &capcs);
        sx **rest = sqlplan_alloc(p, ncs * sizeof *rest);
        size_t nrest = 0;
        for (size_t i = 0; i < ncs; i++) {
            sx *b;
            if ((rc = sqlplan_bind_root(p, &sc, cs[i], &b))) return rc;
            if (b->type == SQLT_UNKNOWN) b = sqlplan_cast(p, b, SQLT_BOOLEAN);
            if (b->type != SQLT_BOOLEAN)
                return sqlplan_fail(p, cs[i]->line, cs[i]->col, ST_EINVAL, "JOIN ON clause must evaluate to a boolean: actual type %s",
                                 sql_vtype_name(b->type));
            if (b->kind == SX_CMP && b->op == SQL_OP_EQ && b->args[0]->kind == SX_COL && b->args[1]->kind == SX_COL) {
                size_t x = b->args[0]->index, y = b->args[1]->index;
                if (x >= nl && y < nl) {
                    size_t t = x;
                    x = y;
                    y = t;
                }
                if (x < nl && y >= nl) {
                    lk[nk] = x;
                    rk[nk++] = y - nl;
                    continue;
                }
            }
            rest[nrest++] = b;
        }
        if (nrest == 1) cond = rest[0];
        else if (nrest > 1) {
            cond = sqlplan_alloc(p, sizeof *cond);
            cond->kind = SX_AND;
            cond->type = SQLT_BOOLEAN;
            cond->args = rest;
            cond->nargs = (uint32_t)nrest;
        }
    }
    static const char *const kinds[] = {"", "Cross", "Inner", "Left", "Right", "Full"};
    sqlplan_explain(p, "%s join: %zu hash key%s%s", kinds[n->jk], nk, nk == 1 ? "" : "s",
                 cond ? ", with a condition" : "");
    out->op = sql_op_join(p->x, l.op, r.op, n->jk, lk, rk, nk, cond);
    out->cols = n->cols;
    out->ncols = n->ncols;
    return out->op ? 0 : st_fail(p->e, ST_EIO, "out of memory");
}

int sqlplan_materialize(sqlplan *p, pnode *n, prel *out)
{
    if (n->kind == PN_REL) {
        *out = n->rel;
        out->cols = n->cols;
        n->rel.op = NULL;
        return 0;
    }
    if (n->kind == PN_JOIN) return join_op(p, n, out);
    if (n->kind == PN_UNNEST) {
        prel in = {0};
        if (n->l) {
            int rc = sqlplan_materialize(p, n->l, &in);
            if (rc) return rc;
        } else {
            static const sql_value none[1];
            in.op = sql_op_values(p->x, 0, NULL, none, 1);
        }
        sqlplan_explain(p, "Unnest: %zu argument%s%s%s", n->nuargs, n->nuargs == 1 ? "" : "s",
                        n->src->ordinality ? ", with ordinality" : "", n->outer ? ", outer" : "");
        out->op = sql_op_unnest(p->x, in.op, n->uargs, n->nuargs, n->src->ordinality, n->outer);
        out->cols = n->cols;
        out->ncols = n->ncols;
        return 0;
    }
    sql_scan_def *d = &n->def;
    if (n->empty) {
        d->mint = 1;
        d->maxt = 0;
    }
    d->matchers = n->m;
    d->nmatchers = n->nm;
    sqlplan_explain_scan(p, "Scan", n, d->mint, d->maxt, "");
    sql_exec_ctx *saved = p->x;
    /* the scan reads its own database */
    sql_exec_ctx *x = sqlplan_alloc(p, sizeof *x);
    *x = *saved;
    x->db = n->db;
    n->m = NULL;
    n->nm = 0; /* owned by the operator from here on, even when it fails */
    int rc = sql_op_scan(x, d, &out->op, p->e);
    if (rc) return rc;
    out->cols = n->cols;
    out->ncols = n->ncols;
    return 0;
}

/* Which fields a query can read: every name it mentions (a superset). */
void sqlplan_mark_read(pnode *n, const bool *any_star, st_slice *names, size_t nnames)
{
    if (n->kind == PN_UNNEST) {
        if (n->l) sqlplan_mark_read(n->l, any_star, names, nnames);
        return;
    }
    if (n->kind == PN_JOIN) {
        sqlplan_mark_read(n->l, any_star, names, nnames);
        sqlplan_mark_read(n->r, any_star, names, nnames);
        return;
    }
    if (n->kind != PN_SCAN || *any_star) return;
    for (size_t i = 0; i < n->def.nfields; i++) {
        st_slice name = n->cols[n->ntags + 2 + i].name; /* the SQL name: a::timestamp is a */
        bool hit = false;
        for (size_t k = 0; k < nnames && !hit; k++) hit = st_slice_eq(names[k], name);
        n->def.read[i] = hit;
    }
}

/* ----------------------------------------------------------- mentions */


typedef struct mctx {
    sqlplan *p;
    mentions *m;
} mctx;

static void mention_each(void *ctx, const sql_expr *ex);

static void mention(sqlplan *p, const sql_expr *ex, mentions *m)
{
    if (!ex) return;
    if (ex->kind == SQL_E_COLUMN) {
        if (m->n == m->cap) {
            size_t nc = m->cap ? m->cap * 2 : 16;
            st_slice *nv = sqlplan_alloc(p, nc * sizeof *nv);
            if (m->n) memcpy(nv, m->v, m->n * sizeof *nv);
            m->v = nv;
            m->cap = nc;
        }
        m->v[m->n++] = ex->u.column.parts[ex->u.column.n - 1].name;
        return;
    }
    if (ex->kind == SQL_E_EXISTS || ex->kind == SQL_E_SUBQUERY) sqlplan_mention_query(p, ex->u.query, m);
    else if ((ex->kind == SQL_E_IN_QUERY || ex->kind == SQL_E_QUANTIFIED) && ex->u.pred.query)
        sqlplan_mention_query(p, ex->u.pred.query, m);
    mctx c = {p, m};
    sql_expr_each_child(ex, mention_each, &c);
}

static void mention_each(void *ctx, const sql_expr *ex)
{
    mctx *c = ctx;
    mention(c->p, ex, c->m);
}

static void mention_rel(sqlplan *p, const sql_relation *r, mentions *m)
{
    if (!r) return;
    if (r->kind == SQL_R_JOIN) {
        mention_rel(p, r->left, m);
        mention_rel(p, r->right, m);
        mention(p, r->on, m);
        for (size_t i = 0; i < r->nusing; i++) mention(p, &(sql_expr){.kind = SQL_E_COLUMN, .u.column = {&r->using_[i], 1}}, m);
    }
    for (size_t i = 0; i < r->nargs; i++) mention(p, r->args[i], m);
}

void sqlplan_mention_query(sqlplan *p, const sql_query *q, mentions *m)
{
    if (!q) return;
    for (size_t i = 0; i < q->nwith; i++) sqlplan_mention_query(p, q->with[i].query, m);
    sqlplan_mention_query(p, q->left, m);
    sqlplan_mention_query(p, q->right, m);
    sqlplan_mention_query(p, q->inner, m);
    for (size_t i = 0; i < q->norder; i++) mention(p, q->order[i].expr, m);
    if (q->select) {
        const sql_select *s = q->select;
        for (size_t i = 0; i < s->nitems; i++) {
            if (s->items[i].star) m->star = true;
            mention(p, s->items[i].expr, m);
        }
        for (size_t i = 0; i < s->nfrom; i++) mention_rel(p, s->from[i], m);
        mention(p, s->where, m);
        for (size_t g = 0; g < s->ngroup; g++)
            for (size_t k = 0; k < s->group[g].nsets; k++)
                for (size_t j = 0; j < s->group[g].sets[k].n; j++) mention(p, s->group[g].sets[k].exprs[j], m);
        mention(p, s->having, m);
    }
    for (size_t i = 0; i < q->nrows; i++) mention(p, q->rows[i], m);
}

void sqlplan_free_pnode(pnode *n)
{
    if (!n) return;
    if (n->kind == PN_REL && n->rel.op) {
        sql_op_close(n->rel.op);
        n->rel.op = NULL;
    }
    for (size_t i = 0; i < n->nm; i++) matcher_free(n->m[i]);
    n->nm = 0;
    if (n->kind == PN_JOIN || n->kind == PN_UNNEST) {
        sqlplan_free_pnode(n->l);
        sqlplan_free_pnode(n->r);
    }
}

