/* table: a table of the store as SQL shows it, Timestream's flat model over
 * Strata's series (engine/sql/README.md, "Tables").
 *
 * Most series map one to one: a tag is a dimension, a column a field of
 * its type. Records written through Timestream's API carry their measure
 * name as the label measure_name, and three conventions of that writer are
 * undone here so that SQL sees them as Timestream does:
 *   - the label measure_name is the measure_name column, not a dimension
 *     (the scan and fold operators read it per series);
 *   - ts_version (a record's Version) is no column: Timestream keeps the
 *     version for its upserts and never shows it, and reserves the ts_
 *     prefix, so no user column of such a record can be named so;
 *   - a TIMESTAMP attribute a is stored as the integer column a::timestamp
 *     (nanoseconds) and shown as a timestamp column a.
 * Nothing here is kept: the query layer keeps the schema this is derived
 * from, and deriving it is one pass over the columns (plus a sort when
 * Timestream's columns change the order).
 */
#include <stdlib.h>
#include <stdio.h>
#include <string.h>

#include "sql/plan_int.h"

#define TS_SUFFIX "::timestamp"
#define MV_PREFIX "measure_value::"
#define VERSION_COLUMN "ts_version"

uint8_t sqltable_ctype(uint8_t st)
{
    switch (st) {
    case ST_VT_FLOAT: return SQLT_DOUBLE;
    case ST_VT_INT:
    case ST_VT_UINT: return SQLT_BIGINT;
    case ST_VT_BOOL: return SQLT_BOOLEAN;
    default: return SQLT_VARCHAR;
    }
}

const char *sql_col_category_name(sql_col_category c)
{
    switch (c) {
    case SQL_COL_DIMENSION: return "DIMENSION";
    case SQL_COL_MEASURE_VALUE: return "MEASURE_VALUE";
    case SQL_COL_MULTI: return "MULTI";
    case SQL_COL_MEASURE_NAME: return "MEASURE_NAME";
    case SQL_COL_TIMESTAMP: return "TIMESTAMP";
    }
    return "";
}

static bool starts_with(st_slice s, const char *p)
{
    size_t n = strlen(p);
    return s.n >= n && !memcmp(s.p, p, n);
}

static bool ends_with(st_slice s, const char *p)
{
    size_t n = strlen(p);
    return s.n > n && !memcmp(s.p + s.n - n, p, n);
}

static bool in_sorted(const st_slice *v, size_t n, st_slice x)
{
    size_t lo = 0, hi = n;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        int c = st_slice_cmp(v[mid], x);
        if (c == 0) return true;
        if (c < 0) lo = mid + 1;
        else hi = mid;
    }
    return false;
}

/* SQL's order of fields: measure values, then the others; by SQL name
 * (then by stored name, for two that share one). */
typedef struct fcol {
    size_t at; /* in the schema */
    st_slice name;
    uint8_t ctype, cat;
    bool plain_only;
} fcol;

static int fcol_cmp(const void *a, const void *b)
{
    const fcol *x = a, *y = b;
    if (x->cat != y->cat) return x->cat < y->cat ? -1 : 1;
    int c = st_slice_cmp(x->name, y->name);
    return c ? c : (x->at > y->at) - (x->at < y->at);
}

int sqltable_get(store *s, const char *db, st_slice table, st_arena *a, sqltable *out, st_err *e)
{
    memset(out, 0, sizeof *out);
    scan_table_schema sch;
    int rc = scan_table_schema_get(s, db, table, a, &sch, e);
    if (rc) return rc;
    const st_slice mlabel = st_slice_cstr(SCAN_MEASURE_LABEL);
    out->tags = st_arena_alloc(a, (sch.ntags + 1) * sizeof *out->tags);
    for (size_t i = 0; i < sch.ntags; i++)
        if (!st_slice_eq(sch.tags[i], mlabel)) out->tags[out->ntags++] = sch.tags[i];
    size_t nf = sch.nfields, n = 0;
    fcol *fc = st_arena_alloc(a, (nf + 1) * sizeof *fc);
    bool sorted = true, any_plain_only = false;
    for (size_t i = 0; i < nf; i++) {
        st_slice name = sch.fields[i];
        uint8_t kind = sch.kinds[i];
        out->measured |= (kind & SCAN_FIELD_MEASURED) != 0;
        bool version = st_slice_eq(name, st_slice_cstr(VERSION_COLUMN)) && (kind & SCAN_FIELD_MEASURED);
        if (version && !(kind & SCAN_FIELD_PLAIN)) continue;
        fcol *f = &fc[n++];
        /* a ts_version of series without the label too (a line-protocol
         * field beside Timestream's records) stays, theirs alone are read */
        *f = (fcol){.at = i, .name = name, .ctype = sqltable_ctype(sch.types[i]),
                    .cat = starts_with(name, MV_PREFIX) ? SQL_COL_MEASURE_VALUE : SQL_COL_MULTI,
                    .plain_only = version};
        any_plain_only |= version;
        if (ends_with(name, TS_SUFFIX) && sch.types[i] == ST_VT_INT) {
            f->ctype = SQLT_TIMESTAMP;
            st_slice stem = st_slice_of(name.p, name.n - strlen(TS_SUFFIX));
            /* measure_value::timestamp keeps its name, as does an attribute
             * whose bare name another column has already */
            if (f->cat == SQL_COL_MULTI && !in_sorted(sch.fields, nf, stem) &&
                !in_sorted(out->tags, out->ntags, stem) && !st_slice_eq(stem, st_slice_cstr("time")) &&
                !st_slice_eq(stem, mlabel))
                f->name = stem;
        }
        if (n > 1 && fcol_cmp(&fc[n - 2], f) > 0) sorted = false;
    }
    if (!sorted) qsort(fc, n, sizeof *fc, fcol_cmp);
    out->nfields = n;
    out->fields = st_arena_alloc(a, (n + 1) * sizeof *out->fields);
    out->metrics = st_arena_alloc(a, (n + 1) * sizeof *out->metrics);
    out->names = st_arena_alloc(a, (n + 1) * sizeof *out->names);
    out->ftypes = st_arena_alloc(a, n + 1);
    out->ctypes = st_arena_alloc(a, n + 1);
    out->cats = st_arena_alloc(a, n + 1);
    out->byname = st_arena_alloc(a, (n + 1) * sizeof *out->byname);
    if (any_plain_only) out->plain_only = st_arena_alloc(a, n + 1);
    size_t *pos = st_arena_alloc(a, (nf + 1) * sizeof *pos);
    for (size_t i = 0; i < nf; i++) pos[i] = SIZE_MAX;
    for (size_t k = 0; k < n; k++) {
        const fcol *f = &fc[k];
        pos[f->at] = k;
        out->fields[k] = sch.fields[f->at];
        out->metrics[k] = sch.metrics[f->at];
        out->ftypes[k] = sch.types[f->at];
        out->names[k] = f->name;
        out->ctypes[k] = f->ctype;
        out->cats[k] = f->cat;
        if (any_plain_only) out->plain_only[k] = f->plain_only;
    }
    /* the schema's fields are in stored-name order */
    size_t j = 0;
    for (size_t i = 0; i < nf; i++)
        if (pos[i] != SIZE_MAX) out->byname[j++] = pos[i];
    return 0;
}

int sql_table_columns(store *s, const char *db, st_slice table, st_arena *a, sql_table_col **cols, size_t *n,
                      st_err *e)
{
    *cols = NULL;
    *n = 0;
    sqltable t;
    int rc = sqltable_get(s, db, table, a, &t, e);
    if (rc || !t.nfields) return rc;
    size_t m = t.ntags + t.nfields + 2, k = 0;
    sql_table_col *c = st_arena_alloc(a, m * sizeof *c);
    /* Timestream's order (DESCRIBE and SELECT * of a real table): the
     * dimensions, measure_name, time, then the measures */
    for (size_t i = 0; i < t.ntags; i++) c[k++] = (sql_table_col){t.tags[i], SQLT_VARCHAR, SQL_COL_DIMENSION};
    c[k++] = (sql_table_col){st_slice_cstr("measure_name"), SQLT_VARCHAR, SQL_COL_MEASURE_NAME};
    c[k++] = (sql_table_col){st_slice_cstr("time"), SQLT_TIMESTAMP, SQL_COL_TIMESTAMP};
    for (size_t i = 0; i < t.nfields; i++)
        c[k++] = (sql_table_col){t.names[i], (sql_vtype)t.ctypes[i], (sql_col_category)t.cats[i]};
    *cols = c;
    *n = m;
    return 0;
}

static bool ci_eq(st_slice a, st_slice b)
{
    if (a.n != b.n) return false;
    for (size_t i = 0; i < a.n; i++) {
        unsigned char x = (unsigned char)a.p[i], y = (unsigned char)b.p[i];
        if (x >= 'A' && x <= 'Z') x = (unsigned char)(x + 32);
        if (y >= 'A' && y <= 'Z') y = (unsigned char)(y + 32);
        if (x != y) return false;
    }
    return true;
}

void sqltable_fold_db(store *s, char *db, size_t cap)
{
    if (store_db_exists(s, db)) return;
    store_db_info *dbs;
    size_t n, hits = 0, at = 0;
    store_db_list(s, &dbs, &n);
    for (size_t i = 0; i < n; i++)
        if (ci_eq(st_slice_cstr(dbs[i].name), st_slice_cstr(db))) hits++, at = i;
    if (hits == 1) snprintf(db, cap, "%s", dbs[at].name);
    st_free(dbs);
}

st_slice sqltable_fold_table(store *s, const char *db, st_slice table, st_arena *a)
{
    scan_table_schema sch;
    if (scan_table_schema_get(s, db, table, a, &sch, NULL) != 0 || sch.nfields) return table; /* as written */
    scan_spec sp = {.db = db, .mint = INT64_MIN, .maxt = INT64_MAX, .mode = SCAN_KEYS};
    scan *sc;
    if (scan_open(s, &sp, &sc, NULL)) return table;
    st_slice *tables, out = table;
    size_t n, hits = 0;
    bool exact;
    if (scan_tables(sc, &tables, &n, &exact, NULL) == 0) {
        bool same = false;
        for (size_t i = 0; i < n; i++) {
            same |= st_slice_eq(tables[i], table);
            if (ci_eq(tables[i], table)) hits++, out = tables[i];
        }
        if (same || hits != 1) out = table;
        else out = st_slice_of(st_arena_strndup(a, out.p, out.n), out.n);
    }
    scan_close(sc);
    return out;
}
