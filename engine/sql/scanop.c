/* scanop: the SQL table scan operator: a table's series, tag set by tag set, merged by time into rows. */
#include <inttypes.h>
#include <string.h>

#include "labels.h"
#include "sql/ops_int.h"

/*
 * How rows come about. The scan is opened in SCAN_ORDER_TABLE, so every
 * series of one tag set (one (table, tags) with one series per column) is
 * adjacent. A tag set's series are read whole (scan_iter_read_all), one
 * buffer per field column, and merged by time: each distinct time with a
 * value in any loaded column is one row.
 *
 * Memory: the samples in [mint, maxt] of one tag set's loaded columns, plus
 * the copies of its tag values; nothing of earlier tag sets is kept. That
 * is the price of a row holding all of its fields at once (a k-way merge of
 * batches would bound it by batch size times columns; reading whole series
 * keeps the code simple, and a tag set's series are what a PromQL range
 * query over the same range would hold too).
 *
 * Which series load: the columns the planner reads (read[i]); with
 * all_fields also every other field column, whose timestamps make rows
 * (SELECT count(*) counts a time where only an unread field has a value)
 * while their values stay NULL. Series of columns the planner's schema does
 * not know (a field created after planning) are skipped unread.
 *
 * Clashes: the protocols never store one (table, tags, column) as two
 * series (line protocol's field "value" is the series named after the
 * measurement, remote_write's m{...} itself; DESIGN.md: a name that maps
 * twice is one series), but the store's API takes any table_len, so a
 * series m_value with table length 1 (table m, column value) can sit next
 * to m. A row has one value per column, so one series is taken per column
 * and tag set: the one stored
 * under the metric the schema names for the column (sql_scan_def.metrics),
 * else the first in scan order; the other is not read. The same column can
 * also have another type in another tag set (each series has its own type):
 * a value converts to the column's SQL type where that is exact in Trino's
 * terms (integer and unsigned to double, unsigned to bigint when it fits);
 * a value of a type that does not convert (a string in a double column)
 * reads as NULL. An unsigned value above INT64_MAX in a bigint column fails
 * the query rather than wrap.
 *
 * Timestream's records (table.c): a series that carries the label
 * measure_name has that label in its tag set like any other, so each
 * measure's series make rows of their own; the row's measure_name is the
 * label's value (the table's name for a series without it), and no tag
 * column shows the label. A field marked plain_only (ts_version) is not
 * read from such series. A timestamp column holds the integers stored
 * (nanoseconds).
 */

typedef struct slot {
    codec_samples s; /* the samples of the series taken for the column (this tag set) */
    bool has;        /* a series was taken */
    bool preferred;  /* its metric is the one the schema names */
    uint8_t stype;   /* its st_vtype */
    size_t at;       /* the merge's position */
} slot;

typedef struct scan_op {
    sql_op op;
    sql_scan_def d; /* copied into a */
    st_arena *a;    /* the definition's copies, types, the row buffer */
    st_arena *g;    /* the current tag set's labels and tag values */
    scan *sc;
    scan_iter *it;
    slot *slots;    /* one per field */
    label *gl;      /* the current tag set (labels but __name__) */
    size_t ngl;
    bool measured;  /* the current tag set carries the label measure_name */
    sql_value *out;
    scan_series ss; /* the first series of the next tag set, not yet read */
    bool pending, eof, ingroup, failed;
    uint64_t tick;
} scan_op;

static st_slice slice_dup(st_arena *a, st_slice s)
{
    return st_slice_of(s.n ? st_arena_strndup(a, s.p, s.n) : "", s.n);
}

static bool is_name(st_slice n) { return n.n == 8 && !memcmp(n.p, LABEL_METRIC_NAME, 8); }

long sql_scan_field(const sql_scan_def *d, st_slice col)
{
    size_t lo = 0, hi = d->nfields;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2, f = d->byname ? d->byname[mid] : mid;
        int c = st_slice_cmp(d->fields[f], col);
        if (c == 0) return (long)f;
        if (c < 0) lo = mid + 1;
        else hi = mid;
    }
    return -1;
}

static bool same_tags(const scan_op *o, const scan_series *ss)
{
    size_t k = 0;
    for (size_t i = 0; i < ss->nlabels; i++) {
        if (is_name(ss->labels[i].name)) continue;
        if (k >= o->ngl || !st_slice_eq(ss->labels[i].name, o->gl[k].name) ||
            !st_slice_eq(ss->labels[i].value, o->gl[k].value))
            return false;
        k++;
    }
    return k == o->ngl;
}

static void set_tags(scan_op *o, const scan_series *ss)
{
    st_arena_reset(o->g);
    o->gl = st_arena_alloc(o->g, (ss->nlabels + 1) * sizeof *o->gl);
    o->ngl = 0;
    o->measured = false;
    sqlv_set_str(&o->out[o->d.ntags], o->d.table);
    for (size_t i = 0; i < ss->nlabels; i++) {
        if (is_name(ss->labels[i].name)) continue;
        o->gl[o->ngl].name = slice_dup(o->g, ss->labels[i].name);
        o->gl[o->ngl].value = slice_dup(o->g, ss->labels[i].value);
        if (st_slice_eq(o->gl[o->ngl].name, st_slice_cstr(SCAN_MEASURE_LABEL))) {
            o->measured = true;
            sqlv_set_str(&o->out[o->d.ntags], o->gl[o->ngl].value);
        }
        o->ngl++;
    }
    /* a tag the series lacks is NULL (labels with empty values are never
     * stored); the row's tag cells hold for every row of the tag set */
    for (size_t k = 0; k < o->d.ntags; k++) {
        sqlv_set_null(&o->out[k], SQLT_VARCHAR);
        for (size_t i = 0; i < o->ngl; i++)
            if (st_slice_eq(o->gl[i].name, o->d.tags[k])) {
                sqlv_set_str(&o->out[k], o->gl[i].value);
                break;
            }
    }
}

/* A series of the current tag set: taken for its column, or passed over
 * unread. */
static int take(scan_op *o, const scan_series *ss, st_err *e)
{
    long f = sql_scan_field(&o->d, ss->column);
    if (f < 0 || (!o->d.read[f] && !o->d.all_fields) || (o->measured && o->d.plain_only && o->d.plain_only[f]))
        return 0;
    slot *sl = &o->slots[f];
    bool pref = o->d.metrics && st_slice_eq(ss->metric, o->d.metrics[f]);
    if (sl->has && (sl->preferred || !pref)) return 0;
    int rc = scan_iter_read_all(o->it, &sl->s, e);
    if (rc < 0) return rc;
    sl->has = true;
    sl->preferred = pref;
    sl->stype = (uint8_t)ss->type;
    sl->at = 0;
    return 0;
}

/* Reads the next tag set: 1, or 0 at the end. */
static int load_group(scan_op *o, st_err *e)
{
    for (size_t i = 0; i < o->d.nfields; i++) {
        o->slots[i].has = false;
        o->slots[i].at = 0;
        o->slots[i].s.n = 0;
    }
    if (o->eof || !o->it) return 0;
    int rc;
    if (!o->pending) {
        rc = scan_iter_next(o->it, &o->ss, e);
        if (rc <= 0) {
            o->eof = true;
            return rc;
        }
    }
    o->pending = false;
    /* the descriptor is borrowed until the iterator's next call: the tag
     * set is copied before the samples are read */
    set_tags(o, &o->ss);
    for (;;) {
        if ((rc = take(o, &o->ss, e)) < 0) return rc;
        rc = scan_iter_next(o->it, &o->ss, e);
        if (rc < 0) return rc;
        if (rc == 0) {
            o->eof = true;
            break;
        }
        if (!same_tags(o, &o->ss)) {
            o->pending = true;
            break;
        }
    }
    return 1;
}

static int convert(const scan_op *o, size_t f, const slot *sl, size_t k, sql_value *v, st_err *e)
{
    uint8_t ct = o->d.ctypes[f];
    uint64_t bits = sl->s.vals ? sl->s.vals[k] : 0;
    switch (ct) {
    case SQLT_DOUBLE:
        if (sl->stype == ST_VT_FLOAT || sl->stype == ST_VT_INT || sl->stype == ST_VT_UINT)
            sqlv_set_double(v, scan_value_double((st_vtype)sl->stype, bits));
        break;
    case SQLT_BIGINT:
        if (sl->stype == ST_VT_INT) sqlv_set_int(v, SQLT_BIGINT, (int64_t)bits);
        else if (sl->stype == ST_VT_UINT) {
            if (bits > (uint64_t)INT64_MAX)
                return st_fail(e, ST_EINVAL, "value %" PRIu64 " of column '%.*s' is out of range for bigint", bits,
                               (int)o->d.fields[f].n, o->d.fields[f].p);
            sqlv_set_int(v, SQLT_BIGINT, (int64_t)bits);
        }
        break;
    case SQLT_VARCHAR:
        if (sl->stype == ST_VT_STRING) sqlv_set_str(v, sl->s.strs[k]);
        break;
    case SQLT_BOOLEAN:
        if (sl->stype == ST_VT_BOOL) sqlv_set_bool(v, bits != 0);
        break;
    case SQLT_TIMESTAMP:
        if (sl->stype == ST_VT_INT) sqlv_set_int(v, SQLT_TIMESTAMP, (int64_t)bits);
        break;
    default: break;
    }
    return 0;
}

static int scanop_next(sql_op *op, const sql_value **row, st_err *e)
{
    scan_op *o = (scan_op *)op;
    if (o->failed) return 0;
    int rc;
    for (;;) {
        if (!o->ingroup) {
            rc = load_group(o, e);
            if (rc <= 0) {
                if (rc < 0) o->failed = true;
                return rc;
            }
            o->ingroup = true;
        }
        int64_t t = 0;
        bool any = false;
        for (size_t i = 0; i < o->d.nfields; i++) {
            slot *sl = &o->slots[i];
            if (sl->has && sl->at < sl->s.n && (!any || sl->s.ts[sl->at] < t)) {
                t = sl->s.ts[sl->at];
                any = true;
            }
        }
        if (!any) {
            o->ingroup = false;
            continue;
        }
        if ((rc = sql_ops_poll(op->x, &o->tick, e))) {
            o->failed = true;
            return rc;
        }
        size_t nt = o->d.ntags; /* tags and measure_name: set with the tag set */
        sqlv_set_int(&o->out[nt + 1], SQLT_TIMESTAMP, t);
        for (size_t i = 0; i < o->d.nfields; i++) {
            slot *sl = &o->slots[i];
            sql_value *v = &o->out[nt + 2 + i];
            sqlv_set_null(v, o->d.ctypes[i]);
            if (!sl->has || sl->at >= sl->s.n || sl->s.ts[sl->at] != t) continue;
            size_t k = sl->at++;
            if (o->d.read[i] && (rc = convert(o, i, sl, k, v, e))) {
                o->failed = true;
                return rc;
            }
        }
        *row = o->out;
        return 1;
    }
}

static void scanop_close(sql_op *op)
{
    scan_op *o = (scan_op *)op;
    scan_iter_close(o->it);
    scan_close(o->sc);
    for (size_t i = 0; i < o->d.nfields; i++) codec_samples_free(&o->slots[i].s);
    for (size_t i = 0; i < o->d.nmatchers; i++) matcher_free(o->d.matchers[i]);
    st_free(o->slots);
    st_arena_free(o->g);
    st_arena_free(o->a);
    st_free(o);
}

int sql_op_scan(sql_exec_ctx *x, const sql_scan_def *d, sql_op **out, st_err *e)
{
    *out = NULL;
    scan_op *o = st_calloc(1, sizeof *o);
    o->a = st_arena_new(4096);
    o->g = st_arena_new(1024);
    st_arena *a = o->a;
    sql_scan_def *c = &o->d;
    size_t nt = d->ntags, nf = d->nfields, n = nt + 2 + nf;
    /* the definition is the planner's; what the operator reads later is copied */
    c->table = slice_dup(a, d->table);
    c->ntags = nt;
    c->tags = st_arena_alloc(a, (nt + 1) * sizeof *c->tags);
    for (size_t k = 0; k < nt; k++) c->tags[k] = slice_dup(a, d->tags[k]);
    c->nfields = nf;
    c->fields = st_arena_alloc(a, (nf + 1) * sizeof *c->fields);
    c->metrics = d->metrics ? st_arena_alloc(a, (nf + 1) * sizeof *c->metrics) : NULL;
    size_t *byname = d->byname ? st_arena_alloc(a, (nf + 1) * sizeof *byname) : NULL;
    bool *plain_only = d->plain_only ? st_arena_alloc(a, nf + 1) : NULL;
    c->ftypes = st_arena_alloc(a, nf + 1);
    c->ctypes = st_arena_alloc(a, nf + 1);
    c->read = st_arena_alloc(a, nf + 1);
    for (size_t i = 0; i < nf; i++) {
        c->fields[i] = slice_dup(a, d->fields[i]);
        if (c->metrics) c->metrics[i] = slice_dup(a, d->metrics[i]);
        c->ftypes[i] = d->ftypes ? d->ftypes[i] : 0;
        c->ctypes[i] = d->ctypes[i];
        c->read[i] = d->read ? d->read[i] : true;
        if (byname) byname[i] = d->byname[i];
        if (plain_only) plain_only[i] = d->plain_only[i];
    }
    c->byname = byname;
    c->plain_only = plain_only;
    c->measured = d->measured;
    c->all_fields = d->all_fields;
    c->mint = d->mint;
    c->maxt = d->maxt;
    c->tail = d->tail;
    c->nmatchers = d->nmatchers;
    c->matchers = st_arena_alloc(a, (d->nmatchers + 1) * sizeof *c->matchers);
    for (size_t i = 0; i < d->nmatchers; i++) c->matchers[i] = d->matchers[i];

    o->slots = st_calloc(nf + 1, sizeof *o->slots);
    o->out = st_arena_alloc(a, n * sizeof *o->out);
    o->op = (sql_op){.next = scanop_next, .close = scanop_close, .ncols = n, .x = x};
    o->op.types = st_arena_alloc(a, n);
    for (size_t k = 0; k < nt; k++) o->op.types[k] = SQLT_VARCHAR;
    o->op.types[nt] = SQLT_VARCHAR;
    o->op.types[nt + 1] = SQLT_TIMESTAMP;
    for (size_t i = 0; i < nf; i++) o->op.types[nt + 2 + i] = c->ctypes[i];

    /* a query that reads no field (SELECT DISTINCT host) still has a row
     * per (tag set, time): then every field's times make rows */
    bool any_read = false;
    for (size_t i = 0; i < nf; i++) any_read = any_read || c->read[i];
    if (!any_read) c->all_fields = true;
    int rc = 0;
    if (nf && c->mint <= c->maxt) { /* else no row can exist: nothing to open */
        matcher *const *sel[1] = {c->matchers};
        size_t nsel[1] = {c->nmatchers};
        scan_spec sp = {.db = x->db, .sel = sel, .nsel = nsel, .nselectors = c->nmatchers ? 1 : 0,
                        .table = c->table, .mint = c->mint, .maxt = c->maxt, .mode = SCAN_SAMPLES, .tail = c->tail,
                        .order = SCAN_ORDER_TABLE, .budget = x->budget};
        rc = scan_open(x->s, &sp, &o->sc, e);
        if (rc == 0) rc = scan_iter_open(o->sc, 0, SIZE_MAX, &o->it, e);
    }
    if (rc < 0) {
        scanop_close(&o->op);
        return rc;
    }
    *out = &o->op;
    return 0;
}
