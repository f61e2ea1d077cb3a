/* run: a SQL statement from text to a cursor over its rows (see run.h):
 * queries through the planner, SHOW and DESCRIBE from the store's catalog
 * and tables, EXPLAIN from what the planner wrote down. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bits.h"
#include "labels.h"
#include "sql/ops_int.h"
#include "sql/plan_int.h"

struct sql_cursor {
    st_arena *a;
    sqlplan p;
    sql_exec_ctx x;
    sql_run_opts o;
    st_err perr;
    sql_op *root;
    size_t ncols;
    st_slice *names;
    uint8_t *types;
    uint64_t rows;
    /* SHOW MEASURES: its dimensions column, and each row's names */
    size_t dims_col;          /* SIZE_MAX: none */
    st_slice **dims;
    size_t *ndims;
};

size_t sql_cursor_ncols(const sql_cursor *c) { return c->ncols; }
st_slice sql_cursor_colname(const sql_cursor *c, size_t i) { return c->names[i]; }
sql_vtype sql_cursor_coltype(const sql_cursor *c, size_t i) { return (sql_vtype)c->types[i]; }
uint64_t sql_cursor_rows(const sql_cursor *c) { return c->rows; }

bool sql_cursor_col_is_dimensions(const sql_cursor *c, size_t col) { return col == c->dims_col; }

size_t sql_cursor_dimensions(const sql_cursor *c, size_t col, const st_slice **names)
{
    *names = NULL;
    if (col != c->dims_col || !c->rows) return 0;
    *names = c->dims[c->rows - 1];
    return c->ndims[c->rows - 1];
}

int sql_cursor_next(sql_cursor *c, const sql_value **row, st_err *e)
{
    if (!c->root) return 0;
    int rc = sql_op_next(c->root, row, e);
    if (rc == 1) {
        if (c->o.max_result_rows && c->rows >= c->o.max_result_rows)
            return st_fail(e, ST_ELIMIT, "Query answer exceeded the maximum of %" PRIu64 " rows (--sql-max-result-rows)",
                           c->o.max_result_rows);
        c->rows++;
    }
    return rc;
}

void sql_cursor_close(sql_cursor *c)
{
    if (!c) return;
    if (c->root) sql_op_close(c->root);
    for (size_t i = 0; i < c->p.nroots; i++) sx_release(c->p.roots[i]);
    st_arena_free(c->a);
    free(c);
}

int sqlplan_run_subquery(sqlplan *p, const sql_query *q, uint64_t max, sql_value **rows, size_t *nrows, size_t *ncols,
                      uint8_t **types)
{
    prel r;
    sqlplan_explain(p, "Subquery");
    p->depth++;
    int rc = sqlplan_plan_query(p, q, &r);
    p->depth--;
    if (rc) return rc;
    if (p->probe && p->nprobe) {
        sql_op_close(r.op);
        *ncols = r.ncols;
        *types = sqlplan_alloc(p, r.ncols + 1);
        for (size_t i = 0; i < r.ncols; i++) (*types)[i] = r.cols[i].type;
        *rows = NULL;
        *nrows = 0;
        return 1;
    }
    size_t n = 0, cap = 16;
    sql_value *v = sqlplan_alloc(p, cap * (r.ncols ? r.ncols : 1) * sizeof *v);
    const sql_value *row;
    while ((!max || n < max) && (rc = sql_op_next(r.op, &row, p->e)) == 1) {
        if (p->x->max_rows && n >= p->x->max_rows) {
            rc = st_fail(p->e, ST_ELIMIT, "Subquery returned more than %" PRIu64 " rows (--sql-max-rows)", p->x->max_rows);
            break;
        }
        if (n == cap) {
            cap *= 2;
            sql_value *nv = sqlplan_alloc(p, cap * r.ncols * sizeof *nv);
            memcpy(nv, v, n * r.ncols * sizeof *nv);
            v = nv;
        }
        sql_value *copy = sql_row_copy(p->a, row, r.ncols);
        memcpy(v + n * r.ncols, copy, r.ncols * sizeof *v);
        n++;
    }
    sql_op_close(r.op);
    if (rc < 0) return rc;
    sqlplan_explain(p, "Subquery answered while planning: %zu row%s", n, n == 1 ? "" : "s");
    *rows = v;
    *nrows = n;
    *ncols = r.ncols;
    *types = sqlplan_alloc(p, r.ncols + 1);
    for (size_t i = 0; i < r.ncols; i++) (*types)[i] = r.cols[i].type;
    return 0;
}

/* ------------------------------------------------------------ answers */

typedef struct table_b {
    size_t ncols;
    sql_value *v;
    size_t n, cap;
} table_b;

static void tb_row(sql_cursor *c, table_b *t, const sql_value *row)
{
    if (t->n == t->cap) {
        size_t nc = t->cap ? t->cap * 2 : 32;
        sql_value *nv = sqlplan_alloc(&c->p, nc * t->ncols * sizeof *nv);
        if (t->n) memcpy(nv, t->v, t->n * t->ncols * sizeof *nv);
        t->v = nv;
        t->cap = nc;
    }
    sql_value *copy = sql_row_copy(c->a, row, t->ncols);
    memcpy(t->v + t->n * t->ncols, copy, t->ncols * sizeof *copy);
    t->n++;
}

static int answer(sql_cursor *c, table_b *t, const char *const *names, const uint8_t *types)
{
    c->ncols = t->ncols;
    c->names = sqlplan_alloc(&c->p, t->ncols * sizeof *c->names);
    c->types = sqlplan_alloc(&c->p, t->ncols);
    for (size_t i = 0; i < t->ncols; i++) {
        c->names[i] = st_slice_cstr(names[i]);
        c->types[i] = types[i];
    }
    static const sql_value none[1];
    c->root = sql_op_values(&c->x, t->ncols, c->types, t->n ? t->v : none, t->n);
    return c->root ? 0 : st_fail(c->p.e, ST_EIO, "out of memory");
}

static bool like_ok(const sql_stmt *s, st_slice v)
{
    if (!s->has_like) return true;
    uint32_t esc = s->has_escape && s->escape.n ? (uint8_t)s->escape.p[0] : 0;
    return sql_like_match(v, s->like, esc);
}

static int show_databases(sql_cursor *c, const sql_stmt *s)
{
    store_db_info *dbs;
    size_t n;
    int rc = store_db_list(c->x.s, &dbs, &n);
    if (rc) return st_fail(c->p.e, rc, "cannot list databases");
    table_b t = {.ncols = 1};
    for (size_t i = 0; i < n; i++) {
        if (c->o.may_read && !c->o.may_read(c->o.may_ctx, dbs[i].name)) continue;
        st_slice name = st_slice_cstr(dbs[i].name);
        if (!like_ok(s, name)) continue;
        sql_value v = sqlv_str(name);
        tb_row(c, &t, &v);
    }
    st_free(dbs);
    static const char *const names[] = {"Database"};
    static const uint8_t types[] = {SQLT_VARCHAR};
    return answer(c, &t, names, types);
}

static int db_of(sql_cursor *c, const sql_stmt *s, const sql_name *nm, size_t table_parts, char *db, size_t cap)
{
    if (nm->n > table_parts) {
        st_slice d = nm->parts[nm->n - table_parts - 1].name;
        snprintf(db, cap, "%.*s", (int)d.n, d.p);
        if (!nm->parts[nm->n - table_parts - 1].quoted) sqltable_fold_db(c->x.s, db, cap);
    } else if (c->o.db && *c->o.db) {
        snprintf(db, cap, "%s", c->o.db);
    } else {
        return sqlplan_fail(&c->p, s->line, s->col, ST_EINVAL, "No database given: name it (db.table, FROM db) or pass db");
    }
    if (c->o.may_read && !c->o.may_read(c->o.may_ctx, db))
        return sqlplan_fail(&c->p, s->line, s->col, ST_EDENIED, "Access denied: no READ privilege on database '%s'",
                            db);
    if (!store_db_exists(c->x.s, db))
        return sqlplan_fail(&c->p, s->line, s->col, ST_EINVAL, "Database '%s' does not exist", db);
    return 0;
}

static int show_tables(sql_cursor *c, const sql_stmt *s)
{
    char db[CATALOG_NAME_MAX + 2];
    int rc = db_of(c, s, &s->name, 0, db, sizeof db);
    if (rc) return rc;
    scan_spec sp = {.db = db, .mint = INT64_MIN, .maxt = INT64_MAX, .mode = SCAN_KEYS, .budget = c->o.budget};
    scan *sc;
    if ((rc = scan_open(c->x.s, &sp, &sc, c->p.e))) return rc;
    st_slice *tables;
    size_t n;
    bool exact;
    rc = scan_tables(sc, &tables, &n, &exact, c->p.e);
    table_b t = {.ncols = 1};
    for (size_t i = 0; !rc && i < n; i++) {
        if (!like_ok(s, tables[i])) continue;
        sql_value v = sqlv_str(tables[i]);
        tb_row(c, &t, &v); /* copied: the scan's slices go with it */
    }
    scan_close(sc);
    if (rc) return rc;
    static const char *const names[] = {"Table"};
    static const uint8_t types[] = {SQLT_VARCHAR};
    return answer(c, &t, names, types);
}

/* The table a DESCRIBE or SHOW MEASURES names: its database into db. */
static int table_named(sql_cursor *c, const sql_stmt *s, char *db, size_t cap, st_slice *name)
{
    const sql_name *nm = &s->name;
    if (nm->n > 2) return sqlplan_fail(&c->p, s->line, s->col, ST_EINVAL, "Table names are db.table");
    *name = nm->parts[nm->n - 1].name;
    int rc = db_of(c, s, nm, 1, db, cap);
    if (!rc && !nm->parts[nm->n - 1].quoted) *name = sqltable_fold_table(c->x.s, db, *name, c->a);
    return rc;
}

static int no_table(sql_cursor *c, const sql_stmt *s, const char *db, st_slice name)
{
    return sqlplan_fail(&c->p, s->line, s->col, ST_EINVAL, "Table '%s.%.*s' does not exist", db, (int)name.n, name.p);
}

static int describe(sql_cursor *c, const sql_stmt *s)
{
    char db[CATALOG_NAME_MAX + 2];
    st_slice name;
    int rc = table_named(c, s, db, sizeof db, &name);
    if (rc) return rc;
    sql_table_col *cols;
    size_t n;
    if ((rc = sql_table_columns(c->x.s, db, name, c->a, &cols, &n, c->p.e))) return rc;
    if (!n) return no_table(c, s, db, name);
    table_b t = {.ncols = 3};
    sql_value row[3];
    for (size_t i = 0; i < n; i++) {
        row[0] = sqlv_str(cols[i].name);
        row[1] = sqlv_str(st_slice_cstr(sql_vtype_name(cols[i].type)));
        row[2] = sqlv_str(st_slice_cstr(sql_col_category_name(cols[i].category)));
        tb_row(c, &t, row);
    }
    static const char *const names[] = {"Column", "Type", "Timestream attribute type"};
    static const uint8_t types[] = {SQLT_VARCHAR, SQLT_VARCHAR, SQLT_VARCHAR};
    return answer(c, &t, names, types);
}

/* ------------------------------------------------------- SHOW MEASURES */

/* A set of names (dimensions), each once; few, so searched in turn. */
typedef struct nameset {
    st_slice *v;
    size_t n, cap;
} nameset;

static void nameset_add(sql_cursor *c, nameset *s, st_slice x)
{
    for (size_t i = 0; i < s->n; i++)
        if (st_slice_eq(s->v[i], x)) return;
    if (s->n == s->cap) {
        size_t nc = s->cap ? s->cap * 2 : 8;
        st_slice *nv = sqlplan_alloc(&c->p, nc * sizeof *nv);
        if (s->n) memcpy(nv, s->v, s->n * sizeof *nv);
        s->v = nv;
        s->cap = nc;
    }
    s->v[s->n++] = sqlplan_keep(&c->p, x);
}

static int slice_order(const void *a, const void *b) { return st_slice_cmp(*(const st_slice *)a, *(const st_slice *)b); }

/* One measure of Timestream's records: the data types its series hold
 * (bits of MT_*) and the dimensions they use. */
enum { MT_DOUBLE, MT_BIGINT, MT_VARCHAR, MT_BOOLEAN, MT_TIMESTAMP, MT_MULTI, MT_N };
static const char *const mt_names[MT_N] = {"double", "bigint", "varchar", "boolean", "timestamp", "multi"};

typedef struct measure {
    st_slice name;
    unsigned types;
    nameset dims;
} measure;

typedef struct mrow {
    st_slice name;
    const char *type;
    const nameset *dims;
} mrow;

static int mrow_cmp(const void *a, const void *b)
{
    const mrow *x = a, *y = b;
    int r = st_slice_cmp(x->name, y->name);
    return r ? r : strcmp(x->type, y->type);
}

typedef struct mfind {
    const measure *v;
    st_slice name;
} mfind;

static bool measure_is(void *ctx, uint32_t row)
{
    const mfind *f = ctx;
    return st_slice_eq(f->v[row].name, f->name);
}

/* A series' data type in SHOW MEASURES: a single-measure record's
 * measure_value::<type> column is of that type, any other column is an
 * attribute of a multi-measure record. */
static int measure_type(const scan_series *ss)
{
    st_slice c = ss->column;
    if (c.n < 15 || memcmp(c.p, "measure_value::", 15)) return MT_MULTI;
    switch (ss->type) {
    case ST_VT_FLOAT: return MT_DOUBLE;
    case ST_VT_INT: return c.n == 24 && !memcmp(c.p + 15, "timestamp", 9) ? MT_TIMESTAMP : MT_BIGINT;
    case ST_VT_UINT: return MT_BIGINT;
    case ST_VT_BOOL: return MT_BOOLEAN;
    default: return MT_VARCHAR;
    }
}

/* The measures of a table with Timestream's records, from its series'
 * keys (no sample is read): each measure name with its types and
 * dimensions, and which other fields series without the label hold, with
 * the dimensions those use. */
static int walk_measures(sql_cursor *c, const char *db, st_slice table, const sqltable *t, measure **out, size_t *nout,
                         bool *plain, nameset *plain_dims)
{
    sql_scan_def d = {.fields = t->fields, .byname = t->byname, .nfields = t->nfields};
    scan_spec sp = {.db = db, .table = table, .mint = INT64_MIN, .maxt = INT64_MAX, .mode = SCAN_KEYS,
                    .order = SCAN_ORDER_ANY, .budget = c->o.budget};
    scan *sc;
    int rc = scan_open(c->x.s, &sp, &sc, c->p.e);
    if (rc) return rc;
    scan_iter *it;
    if ((rc = scan_iter_open(sc, 0, SIZE_MAX, &it, c->p.e))) {
        scan_close(sc);
        return rc;
    }
    const st_slice mlabel = st_slice_cstr(SCAN_MEASURE_LABEL), version = st_slice_cstr("ts_version");
    measure *v = NULL;
    size_t n = 0, cap = 0;
    htab h = {0};
    scan_series ss;
    while ((rc = scan_iter_next(it, &ss, c->p.e)) == 1) {
        st_slice mv = {0};
        for (size_t i = 0; i < ss.nlabels; i++)
            if (st_slice_eq(ss.labels[i].name, mlabel)) mv = ss.labels[i].value;
        nameset *dims;
        if (!mv.p) {
            long f = sql_scan_field(&d, ss.column);
            if (f < 0) continue; /* a column made after the schema was read */
            plain[f] = true;
            dims = plain_dims;
        } else {
            if (st_slice_eq(ss.column, version)) continue;
            uint64_t hash = st_hash64(mv.p, mv.n, 0);
            mfind key = {v, mv};
            uint32_t at = htab_find(&h, hash, measure_is, &key);
            if (at == UINT32_MAX) {
                if (n == cap) {
                    size_t nc = cap ? cap * 2 : 16;
                    measure *nv = sqlplan_alloc(&c->p, nc * sizeof *nv);
                    if (n) memcpy(nv, v, n * sizeof *nv);
                    v = nv;
                    cap = nc;
                }
                v[n] = (measure){.name = sqlplan_keep(&c->p, mv)};
                at = (uint32_t)n++;
                htab_put(&h, hash, at);
            }
            v[at].types |= 1u << measure_type(&ss);
            dims = &v[at].dims;
        }
        for (size_t i = 0; i < ss.nlabels; i++) {
            st_slice k = ss.labels[i].name;
            if (!st_slice_eq(k, mlabel) && !st_slice_eq(k, st_slice_cstr(LABEL_METRIC_NAME))) nameset_add(c, dims, k);
        }
    }
    htab_free(&h);
    scan_iter_close(it);
    scan_close(sc);
    *out = v;
    *nout = n;
    return rc < 0 ? rc : 0;
}

/* One row per measure: for Timestream's records each measure name with
 * its data type (multi for a multi-measure record) and the dimensions its
 * series use; for other series each field, with the dimensions of those
 * series. */
static int show_measures(sql_cursor *c, const sql_stmt *s)
{
    char db[CATALOG_NAME_MAX + 2];
    st_slice name;
    int rc = table_named(c, s, db, sizeof db, &name);
    if (rc) return rc;
    sqltable t;
    if ((rc = sqltable_get(c->x.s, db, name, c->a, &t, c->p.e))) return rc;
    if (!t.nfields) return no_table(c, s, db, name);
    bool *plain = sqlplan_alloc(&c->p, t.nfields + 1);
    nameset plain_dims = {.v = t.tags, .n = t.ntags};
    measure *ms = NULL;
    size_t nms = 0;
    if (!t.measured) {
        for (size_t i = 0; i < t.nfields; i++) plain[i] = true;
    } else {
        memset(plain, 0, t.nfields + 1);
        plain_dims = (nameset){0};
        if ((rc = walk_measures(c, db, name, &t, &ms, &nms, plain, &plain_dims))) return rc;
    }
    mrow *rows = sqlplan_alloc(&c->p, (t.nfields + nms * MT_N + 1) * sizeof *rows);
    size_t nrows = 0;
    for (size_t i = 0; i < t.nfields; i++)
        if (plain[i]) rows[nrows++] = (mrow){t.names[i], sql_vtype_name(t.ctypes[i]), &plain_dims};
    for (size_t i = 0; i < nms; i++)
        for (unsigned k = 0; k < MT_N; k++)
            if (ms[i].types & (1u << k)) rows[nrows++] = (mrow){ms[i].name, mt_names[k], &ms[i].dims};
    if (nrows > 1) qsort(rows, nrows, sizeof *rows, mrow_cmp);
    for (size_t i = 0; i < nms; i++)
        if (ms[i].dims.n > 1) qsort(ms[i].dims.v, ms[i].dims.n, sizeof *ms[i].dims.v, slice_order);
    if (t.measured && plain_dims.n > 1) qsort(plain_dims.v, plain_dims.n, sizeof *plain_dims.v, slice_order);
    table_b tb = {.ncols = 3};
    c->dims = sqlplan_alloc(&c->p, (nrows + 1) * sizeof *c->dims);
    c->ndims = sqlplan_alloc(&c->p, (nrows + 1) * sizeof *c->ndims);
    size_t kept = 0;
    for (size_t i = 0; i < nrows; i++) {
        const mrow *r = &rows[i];
        if (!like_ok(s, r->name)) continue;
        /* dimensions as Timestream renders an array of rows */
        st_buf txt = {0};
        st_buf_putc(&txt, '[');
        for (size_t k = 0; k < r->dims->n; k++)
            st_buf_printf(&txt, "%s{dimension_name: %.*s, data_type: varchar}", k ? ", " : "", (int)r->dims->v[k].n,
                          r->dims->v[k].p);
        st_buf_putc(&txt, ']');
        sql_value row[3] = {sqlv_str(r->name), sqlv_str(st_slice_cstr(r->type)),
                            sqlv_str(st_slice_of((const char *)txt.p, txt.len))};
        tb_row(c, &tb, row); /* copies */
        st_buf_free(&txt);
        c->dims[kept] = r->dims->v;
        c->ndims[kept++] = r->dims->n;
    }
    static const char *const names[] = {"measure_name", "data_type", "dimensions"};
    static const uint8_t types[] = {SQLT_VARCHAR, SQLT_VARCHAR, SQLT_VARCHAR};
    rc = answer(c, &tb, names, types);
    if (!rc) c->dims_col = 2;
    return rc;
}

static int run_query(sql_cursor *c, const sql_query *q)
{
    prel r;
    int rc = sqlplan_plan_query(&c->p, q, &r);
    if (rc) return rc;
    c->root = r.op;
    c->ncols = r.ncols;
    c->names = sqlplan_alloc(&c->p, (r.ncols + 1) * sizeof *c->names);
    c->types = sqlplan_alloc(&c->p, r.ncols + 1);
    for (size_t i = 0; i < r.ncols; i++) {
        c->names[i] = r.cols[i].name;
        c->types[i] = r.cols[i].type;
    }
    return 0;
}

static int explain(sql_cursor *c, const sql_stmt *s)
{
    const sql_stmt *in = s->explained;
    if (in->kind != SQL_S_QUERY) {
        table_b t = {.ncols = 1};
        sql_value v = sqlv_str(st_slice_cstr("Metadata statement: answered from the catalog and the table index"));
        tb_row(c, &t, &v);
        static const char *const names[] = {"Query Plan"};
        static const uint8_t types[] = {SQLT_VARCHAR};
        return answer(c, &t, names, types);
    }
    st_buf plan = {0};
    c->p.explain = &plan;
    int64_t t0 = st_mono_ns();
    int rc = run_query(c, in->query);
    c->p.explain = NULL;
    if (rc) {
        st_buf_free(&plan);
        return rc;
    }
    if (s->analyze) {
        const sql_value *row;
        uint64_t n = 0;
        while ((rc = sql_op_next(c->root, &row, c->p.e)) == 1) n++;
        if (rc < 0) {
            st_buf_free(&plan);
            return rc;
        }
        st_buf_printf(&plan, "Answer: %" PRIu64 " row%s in %.3f ms\n", n, n == 1 ? "" : "s",
                      (double)(st_mono_ns() - t0) / 1e6);
    }
    sql_op_close(c->root);
    c->root = NULL;
    table_b t = {.ncols = 1};
    const char *p = (const char *)plan.p, *end = p + plan.len;
    while (p < end) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        if (!nl) nl = end;
        sql_value v = sqlv_str(st_slice_of(p, (size_t)(nl - p)));
        tb_row(c, &t, &v);
        p = nl + 1;
    }
    st_buf_free(&plan);
    static const char *const names[] = {"Query Plan"};
    static const uint8_t types[] = {SQLT_VARCHAR};
    return answer(c, &t, names, types);
}

int sql_cursor_open(const sql_run_opts *o, const char *q, size_t n, sql_cursor **out, st_err *e, sql_error *where)
{
    *out = NULL;
    sql_cursor *c = calloc(1, sizeof *c);
    if (!c) return st_fail(e, ST_EIO, "out of memory");
    c->a = st_arena_new(16384);
    c->dims_col = SIZE_MAX;
    c->o = *o;
    c->x.s = o->s;
    c->x.db = o->db;
    c->x.now_ns = o->now_ns ? o->now_ns : st_now_ns();
    c->x.max_rows = o->max_rows;
    c->x.budget = o->budget;
    c->x.pool = o->pool;
    c->x.threads = o->threads;
    if (!c->x.threads) {
        long cores = sysconf(_SC_NPROCESSORS_ONLN);
        c->x.threads = cores > 0 ? (unsigned)cores : 1;
    }
    c->p.x = &c->x;
    c->p.a = c->a;
    c->p.o = &c->o;
    c->p.e = e;
    sql_stmt *s;
    int rc = sql_parse_ex(q, n, c->a, &s, e, where);
    if (!rc) {
        switch (s->kind) {
        case SQL_S_QUERY: rc = run_query(c, s->query); break;
        case SQL_S_SHOW_DATABASES: rc = show_databases(c, s); break;
        case SQL_S_SHOW_TABLES: rc = show_tables(c, s); break;
        case SQL_S_SHOW_MEASURES: rc = show_measures(c, s); break;
        case SQL_S_DESCRIBE: rc = describe(c, s); break;
        case SQL_S_EXPLAIN: rc = explain(c, s); break;
        default: rc = st_fail(e, ST_EINVAL, "statement not supported");
        }
    }
    if (rc) {
        sql_cursor_close(c);
        return rc;
    }
    *out = c;
    return 0;
}
