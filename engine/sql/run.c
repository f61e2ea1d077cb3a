/* run: a SQL statement from text to a cursor over its rows (see run.h):
 * queries through the planner, SHOW and DESCRIBE from the store's catalog
 * and tables, EXPLAIN from what the planner wrote down. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

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
};

size_t sql_cursor_ncols(const sql_cursor *c) { return c->ncols; }
st_slice sql_cursor_colname(const sql_cursor *c, size_t i) { return c->names[i]; }
sql_vtype sql_cursor_coltype(const sql_cursor *c, size_t i) { return (sql_vtype)c->types[i]; }
uint64_t sql_cursor_rows(const sql_cursor *c) { return c->rows; }

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

static const char *type_name(uint8_t st)
{
    switch (st) {
    case ST_VT_FLOAT: return "double";
    case ST_VT_INT:
    case ST_VT_UINT: return "bigint";
    case ST_VT_BOOL: return "boolean";
    default: return "varchar";
    }
}

static int table_schema(sql_cursor *c, const sql_stmt *s, char *db, size_t cap, scan_table_schema *sch)
{
    const sql_name *nm = &s->name;
    if (nm->n > 2) return sqlplan_fail(&c->p, s->line, s->col, ST_EINVAL, "Table names are db.table");
    int rc = db_of(c, s, nm, 1, db, cap);
    if (rc) return rc;
    st_slice t = nm->parts[nm->n - 1].name;
    if ((rc = scan_table_schema_get(c->x.s, db, t, c->a, sch, c->p.e))) return rc;
    if (!sch->nfields)
        return sqlplan_fail(&c->p, s->line, s->col, ST_EINVAL, "Table '%s.%.*s' does not exist", db, (int)t.n, t.p);
    return 0;
}

static int describe(sql_cursor *c, const sql_stmt *s)
{
    char db[CATALOG_NAME_MAX + 2];
    scan_table_schema sch;
    int rc = table_schema(c, s, db, sizeof db, &sch);
    if (rc) return rc;
    table_b t = {.ncols = 3};
    sql_value row[3];
    for (size_t i = 0; i < sch.ntags; i++) {
        row[0] = sqlv_str(sch.tags[i]);
        row[1] = sqlv_str(st_slice_cstr("varchar"));
        row[2] = sqlv_str(st_slice_cstr("DIMENSION"));
        tb_row(c, &t, row);
    }
    for (size_t i = 0; i < sch.nfields; i++) {
        row[0] = sqlv_str(sch.fields[i]);
        row[1] = sqlv_str(st_slice_cstr(type_name(sch.types[i])));
        row[2] = sqlv_str(st_slice_cstr("MULTI"));
        tb_row(c, &t, row);
    }
    row[0] = sqlv_str(st_slice_cstr("measure_name"));
    row[1] = sqlv_str(st_slice_cstr("varchar"));
    row[2] = sqlv_str(st_slice_cstr("MEASURE_NAME"));
    tb_row(c, &t, row);
    row[0] = sqlv_str(st_slice_cstr("time"));
    row[1] = sqlv_str(st_slice_cstr("timestamp"));
    row[2] = sqlv_str(st_slice_cstr("TIMESTAMP"));
    tb_row(c, &t, row);
    static const char *const names[] = {"Column", "Type", "Column Category"};
    static const uint8_t types[] = {SQLT_VARCHAR, SQLT_VARCHAR, SQLT_VARCHAR};
    return answer(c, &t, names, types);
}

static int show_measures(sql_cursor *c, const sql_stmt *s)
{
    char db[CATALOG_NAME_MAX + 2];
    scan_table_schema sch;
    int rc = table_schema(c, s, db, sizeof db, &sch);
    if (rc) return rc;
    /* dimensions as Timestream renders an array of rows */
    st_buf dims = {0};
    st_buf_putc(&dims, '[');
    for (size_t i = 0; i < sch.ntags; i++)
        st_buf_printf(&dims, "%s{dimension_name: %.*s, data_type: varchar}", i ? ", " : "", (int)sch.tags[i].n,
                      sch.tags[i].p);
    st_buf_putc(&dims, ']');
    sql_value row[3];
    row[2] = sqlv_str(st_slice_of(st_arena_strndup(c->a, (const char *)dims.p, dims.len), dims.len));
    st_buf_free(&dims);
    table_b t = {.ncols = 3};
    for (size_t i = 0; i < sch.nfields; i++) {
        if (!like_ok(s, sch.fields[i])) continue;
        row[0] = sqlv_str(sch.fields[i]);
        row[1] = sqlv_str(st_slice_cstr(type_name(sch.types[i])));
        tb_row(c, &t, row);
    }
    static const char *const names[] = {"measure_name", "data_type", "dimensions"};
    static const uint8_t types[] = {SQLT_VARCHAR, SQLT_VARCHAR, SQLT_VARCHAR};
    return answer(c, &t, names, types);
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
