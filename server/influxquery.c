/* influxquery: /query for InfluxQL schema and administration statements
 * (see influxquery.h). */
#include "influxquery.h"
#include "influxauth.h"

#include <ctype.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api.h"
#include "catalog.h"
#include "export.h"
#include "influxql/influxql.h"
#include "influxql/select.h"
#include "json.h"
#include "labels.h"
#include "lp.h"
#include "matcher.h"
#include "promparams.h"
#include "scan.h"

/* a string literal, its length counted by the compiler */
#define PUTS(b, lit) st_buf_put((b), (lit), sizeof(lit) - 1)

/* InfluxDB's smallest retention policy duration */
#define MIN_RETENTION (3600LL * ST_NS_PER_S)

/* ------------------------------------------------------------ contexts */

typedef struct rx {
    const iql_expr *x; /* or NULL for a source regex */
    st_slice src;      /* the pattern, for source regexes */
    matcher *m;
} rx;

/* One statement's evaluation: compiled regexes and the time range. */
typedef struct qctx {
    store *s;
    const char *db;
    int64_t now;
    const flags *f;
    st_arena *arena;
    int64_t epoch_unit;   /* ns per unit of ?epoch=; 0 = RFC3339 strings */
    bool chunked;         /* ?chunked=true: a JSON object a line, chunk_size rows at most each */
    size_t chunk_size;
    size_t stmt_id;
    rx rxs[32];
    size_t nrx;
    int64_t mint, maxt;
    st_err e;
    api_server *sv;       /* NULL for continuous queries (the server's own) */
    const http_req *rq;
} qctx;

static void qctx_free(qctx *c)
{
    for (size_t i = 0; i < c->nrx; i++) matcher_free(c->rxs[i].m);
    c->nrx = 0;
}

/* InfluxQL regexes are unanchored: wrap them for the anchored matcher. */
static int regex_compile(qctx *c, st_slice re, matcher **out)
{
    char buf[4200];
    if (re.n > 4096) return st_fail(&c->e, ST_EINVAL, "regex longer than 4096 bytes");
    /* the pattern alone first: wrapped, an unbalanced one like "a)|(b" would
     * compile and mean something else */
    matcher *alone;
    if (matcher_new(MATCH_RE, st_slice_of("x", 1), re, &alone, &c->e)) return ST_EINVAL;
    matcher_free(alone);
    int n = snprintf(buf, sizeof buf, ".*(?:%.*s).*", (int)re.n, re.p);
    return matcher_new(MATCH_RE, st_slice_of("x", 1), st_slice_of(buf, (size_t)n), out, &c->e);
}

static matcher *regex_for(qctx *c, const iql_expr *x, st_slice src)
{
    for (size_t i = 0; i < c->nrx; i++)
        if ((x && c->rxs[i].x == x) || (!x && !c->rxs[i].x && st_slice_eq(c->rxs[i].src, src))) return c->rxs[i].m;
    return NULL;
}

/* Compiles every regex of e (before the scan, so errors come first). */
static int compile_regexes(qctx *c, const iql_expr *x)
{
    if (!x) return 0;
    if (x->kind == IQL_E_REGEX) {
        if (c->nrx == sizeof c->rxs / sizeof *c->rxs) return st_fail(&c->e, ST_EINVAL, "too many regexes");
        matcher *m;
        if (regex_compile(c, x->str, &m)) return ST_EINVAL;
        c->rxs[c->nrx++] = (rx){.x = x, .m = m};
        return 0;
    }
    if (x->kind == IQL_E_BINARY) return compile_regexes(c, x->l) || compile_regexes(c, x->r) ? ST_EINVAL : 0;
    return 0;
}

static int compile_source_regex(qctx *c, st_slice re)
{
    if (regex_for(c, NULL, re)) return 0;
    if (c->nrx == sizeof c->rxs / sizeof *c->rxs) return st_fail(&c->e, ST_EINVAL, "too many regexes");
    matcher *m;
    if (regex_compile(c, re, &m)) return ST_EINVAL;
    c->rxs[c->nrx++] = (rx){.src = re, .m = m};
    return 0;
}

/* ------------------------------------------------------------ time */

static bool is_time(const iql_expr *x)
{
    return x && x->kind == IQL_E_IDENT && x->str.n == 4 && !strncasecmp(x->str.p, "time", 4);
}

/* A time value: integer ns, duration literal (epoch offset), RFC3339
 * string, now(), and sums/differences of those. */
static int time_value(qctx *c, const iql_expr *x, int64_t *out)
{
    switch (x->kind) {
    case IQL_E_NUMBER:
        if (x->ns) {
            *out = x->ns;
            return 0;
        }
        if (!(x->num >= -0x1p63 && x->num < 0x1p63)) return st_fail(&c->e, ST_ERANGE, "time outside range");
        *out = (int64_t)x->num;
        return 0;
    case IQL_E_DURATION: *out = x->ns; return 0;
    case IQL_E_NOW: *out = c->now; return 0;
    case IQL_E_STRING: {
        char buf[64];
        if (x->str.n >= sizeof buf) break;
        memcpy(buf, x->str.p, x->str.n);
        buf[x->str.n] = 0;
        if (pp_parse_time(buf, out, NULL) == 0 && memchr(buf, '-', x->str.n)) return 0;
        return st_fail(&c->e, ST_EINVAL, "invalid time string '%.*s'", (int)x->str.n, x->str.p);
    }
    case IQL_E_BINARY:
        if (x->op == IQL_OP_ADD || x->op == IQL_OP_SUB) {
            int64_t a, b;
            if (time_value(c, x->l, &a) || time_value(c, x->r, &b)) return ST_EINVAL;
            bool ovf = x->op == IQL_OP_ADD ? __builtin_add_overflow(a, b, out) : __builtin_sub_overflow(a, b, out);
            if (ovf) return st_fail(&c->e, ST_ERANGE, "time outside range");
            return 0;
        }
        break;
    default: break;
    }
    return st_fail(&c->e, ST_EINVAL, "invalid time condition");
}

static bool has_time(const iql_expr *x)
{
    if (!x || x->kind != IQL_E_BINARY) return is_time(x);
    return has_time(x->l) || has_time(x->r);
}

/* Time comparisons bound the scan, so they must hold for every series:
 * only comparisons joined by AND at the top of WHERE can do that. Under an
 * OR one would have to select per series, which a deletion must not
 * approximate, so it is refused. */
static int check_time_placement(qctx *c, const iql_expr *x)
{
    if (!x || x->kind != IQL_E_BINARY) return 0;
    if (x->op == IQL_OP_AND) return check_time_placement(c, x->l) || check_time_placement(c, x->r) ? ST_EINVAL : 0;
    if (x->op == IQL_OP_OR && has_time(x))
        return st_fail(&c->e, ST_EINVAL, "time conditions joined by OR are not supported: join them with AND");
    return 0;
}

/* Narrows [mint, maxt] by the time comparisons of the top-level AND chain. */
static int time_bounds(qctx *c, const iql_expr *x)
{
    if (!x || x->kind != IQL_E_BINARY) return 0;
    if (x->op == IQL_OP_AND) return time_bounds(c, x->l) || time_bounds(c, x->r) ? ST_EINVAL : 0;
    const iql_expr *v = NULL;
    iql_op op = x->op;
    if (is_time(x->l)) {
        v = x->r;
    } else if (is_time(x->r)) {
        v = x->l;
        switch (op) { /* 5 < time  ==  time > 5 */
        case IQL_OP_LT: op = IQL_OP_GT; break;
        case IQL_OP_LTE: op = IQL_OP_GTE; break;
        case IQL_OP_GT: op = IQL_OP_LT; break;
        case IQL_OP_GTE: op = IQL_OP_LTE; break;
        default: break;
        }
    } else {
        return 0;
    }
    int64_t t;
    if (time_value(c, v, &t)) return ST_EINVAL;
    switch (op) {
    case IQL_OP_GT: if (t < INT64_MAX && t + 1 > c->mint) c->mint = t + 1; break;
    case IQL_OP_GTE: if (t > c->mint) c->mint = t; break;
    case IQL_OP_LT: if (t > INT64_MIN && t - 1 < c->maxt) c->maxt = t - 1; break;
    case IQL_OP_LTE: if (t < c->maxt) c->maxt = t; break;
    case IQL_OP_EQ:
        if (t > c->mint) c->mint = t;
        if (t < c->maxt) c->maxt = t;
        break;
    default: return st_fail(&c->e, ST_EINVAL, "invalid time comparison operator");
    }
    return 0;
}

/* ------------------------------------------------------------ series */

typedef struct sinfo {
    st_slice measurement, field;
    uint8_t type;
    const label *tags; /* sorted by key, __name__ excluded */
    size_t ntags;
} sinfo;

static st_slice tag_value(const sinfo *si, st_slice key)
{
    for (size_t i = 0; i < si->ntags; i++)
        if (st_slice_eq(si->tags[i].name, key)) return si->tags[i].value;
    return st_slice_of("", 0);
}

/* Evaluates a WHERE on a series' tags: time comparisons are true here (they
 * bound the scan instead); a missing tag reads as "". */
static bool eval(qctx *c, const iql_expr *x, const sinfo *si)
{
    if (!x) return true;
    if (x->kind == IQL_E_BOOL) return x->ns != 0;
    if (x->kind != IQL_E_BINARY) return false;
    if (x->op == IQL_OP_AND) return eval(c, x->l, si) && eval(c, x->r, si);
    if (x->op == IQL_OP_OR) return eval(c, x->l, si) || eval(c, x->r, si);
    if (is_time(x->l) || is_time(x->r)) return true;
    const iql_expr *id = x->l, *v = x->r;
    iql_op op = x->op;
    if (id->kind != IQL_E_IDENT && v->kind == IQL_E_IDENT) {
        id = x->r;
        v = x->l;
        switch (op) {
        case IQL_OP_LT: op = IQL_OP_GT; break;
        case IQL_OP_LTE: op = IQL_OP_GTE; break;
        case IQL_OP_GT: op = IQL_OP_LT; break;
        case IQL_OP_GTE: op = IQL_OP_LTE; break;
        default: break;
        }
    }
    if (id->kind != IQL_E_IDENT) return false;
    st_slice tv = tag_value(si, id->str);
    if (v->kind == IQL_E_REGEX) {
        matcher *m = regex_for(c, v, v->str);
        bool hit = m && matcher_matches(m, tv);
        if (op == IQL_OP_RE) return hit;
        if (op == IQL_OP_NRE) return !hit;
        return false;
    }
    if (v->kind != IQL_E_STRING && v->kind != IQL_E_IDENT) return false;
    int cmp = st_slice_cmp(tv, v->str);
    switch (op) {
    case IQL_OP_EQ: return cmp == 0;
    case IQL_OP_NEQ: return cmp != 0;
    case IQL_OP_LT: return cmp < 0;
    case IQL_OP_LTE: return cmp <= 0;
    case IQL_OP_GT: return cmp > 0;
    case IQL_OP_GTE: return cmp >= 0;
    default: return false;
    }
}

/* Does the WHERE mention something other than tags and time? DELETE and
 * DROP SERIES refuse fields, as InfluxDB does; ours cannot tell a field
 * from an absent tag, so only the shapes are checked. */
static bool where_shapes_ok(const iql_expr *x)
{
    if (!x) return true;
    if (x->kind == IQL_E_BOOL) return true;
    if (x->kind != IQL_E_BINARY) return false;
    if (x->op == IQL_OP_AND || x->op == IQL_OP_OR) return where_shapes_ok(x->l) && where_shapes_ok(x->r);
    if (is_time(x->l) || is_time(x->r)) return true;
    return (x->l->kind == IQL_E_IDENT || x->r->kind == IQL_E_IDENT);
}

static bool source_matches(qctx *c, const iql_stmt *st, st_slice m)
{
    if (!st->nfrom) return true;
    for (size_t i = 0; i < st->nfrom; i++) {
        const iql_source *src = &st->from[i];
        if (src->regex) {
            matcher *rm = regex_for(c, NULL, src->name);
            if (rm && matcher_matches(rm, m)) return true;
        } else if (st_slice_eq(src->name, m)) {
            return true;
        }
    }
    return false;
}

typedef int (*series_fn)(void *ctx, const sinfo *si, const uint8_t *key, size_t keylen);

/* Calls fn for every series of one scan whose tags satisfy the WHERE. */
static int scan_one(qctx *c, const iql_stmt *st, const iql_expr *where, st_slice table, series_fn fn,
                    void *ctx)
{
    /* keys and chunk bounds only: a series has data in the range when a
     * chunk of it does (deleted points leave no chunk), nothing decoded */
    scan_spec sp = {.db = c->db, .table = table, .mint = c->mint, .maxt = c->maxt, .mode = SCAN_CHUNKS,
                    .order = SCAN_ORDER_TABLE};
    scan *sc;
    int rc = scan_open(c->s, &sp, &sc, &c->e);
    if (rc) return rc;
    scan_iter *it;
    rc = scan_iter_open(sc, 0, SIZE_MAX, &it, &c->e);
    label ls[LABELS_MAX];
    scan_series ss;
    while (rc == 0 && (rc = scan_iter_next(it, &ss, &c->e)) == 1) {
        rc = 0;
        size_t k = 0;
        for (size_t i = 0; i < ss.nlabels; i++)
            if (!(ss.labels[i].name.n == 8 && !memcmp(ss.labels[i].name.p, LABEL_METRIC_NAME, 8))) ls[k++] = ss.labels[i];
        sinfo si = {.type = ss.type, .tags = ls, .ntags = k, .measurement = ss.table, .field = ss.column};
        if (!source_matches(c, st, si.measurement) || !eval(c, where, &si)) continue;
        rc = fn(ctx, &si, ss.key, ss.keylen);
    }
    scan_iter_close(it);
    scan_close(sc);
    return rc;
}

/* Calls fn for every series of the statement's sources whose tags satisfy
 * its WHERE, over [c->mint, c->maxt]: exact measurements through the table
 * index, one scan each; regexes test every measurement. */
static int each_series(qctx *c, const iql_stmt *st, const iql_expr *where, series_fn fn, void *ctx)
{
    for (size_t i = 0; i < st->nfrom; i++)
        if (st->from[i].regex && compile_source_regex(c, st->from[i].name)) return ST_EINVAL;
    if (compile_regexes(c, where)) return ST_EINVAL;
    bool all_exact = st->nfrom > 0;
    for (size_t i = 0; i < st->nfrom; i++)
        if (st->from[i].regex) all_exact = false;
    int rc = 0;
    if (!all_exact) {
        rc = scan_one(c, st, where, st_slice_of(NULL, 0), fn, ctx);
    } else {
        for (size_t i = 0; i < st->nfrom && rc == 0; i++) {
            bool dup = false; /* FROM cpu, cpu: each series once */
            for (size_t j = 0; j < i && !dup; j++) dup = st_slice_eq(st->from[j].name, st->from[i].name);
            if (!dup && st->from[i].name.n) rc = scan_one(c, st, where, st->from[i].name, fn, ctx);
        }
    }
    if (rc == ST_ENOTFOUND) {
        /* InfluxDB 1.6 answers SHOW MEASUREMENTS on a missing database with
         * nothing, every other statement with this error */
        return st->kind == IQL_SHOW_MEASUREMENTS ? 0 : st_fail(&c->e, ST_ENOTFOUND, "database not found: %s", c->db);
    }
    return rc;
}

/* ------------------------------------------------------------ row sets */

/* Rows of up to 3 strings, sorted and de-duplicated at the end; a row is
 * stored as its strings joined by '\0' (which InfluxDB names cannot hold). */
typedef struct rowset {
    st_buf data;
    size_t *off;
    size_t n, cap;
} rowset;

static void rows_add(rowset *r, st_slice a, st_slice b, st_slice c3)
{
    if (r->n == r->cap) {
        r->cap = r->cap ? r->cap * 2 : 256;
        r->off = st_realloc(r->off, r->cap * sizeof *r->off);
    }
    r->off[r->n++] = r->data.len;
    st_buf_put(&r->data, a.p, a.n);
    st_buf_putc(&r->data, 0);
    st_buf_put(&r->data, b.p, b.n);
    st_buf_putc(&r->data, 0);
    st_buf_put(&r->data, c3.p, c3.n);
    st_buf_putc(&r->data, 0);
    st_buf_putc(&r->data, 1); /* row terminator, so rows compare by field */
}

/* qsort has no context argument in C11 */
static _Thread_local const uint8_t *t_sort_base;

static int row_cmp(const void *x, const void *y)
{
    const uint8_t *a = t_sort_base + *(const size_t *)x, *b = t_sort_base + *(const size_t *)y;
    for (;; a++, b++) {
        if (*a != *b) return *a < *b ? -1 : 1;
        if (*a == 1) return 0;
    }
}

static void rows_sort(rowset *r)
{
    t_sort_base = r->data.p;
    if (r->n > 1) qsort(r->off, r->n, sizeof *r->off, row_cmp);
    size_t k = 0;
    for (size_t i = 0; i < r->n; i++)
        if (!k || row_cmp(&r->off[i], &r->off[k - 1]) != 0) r->off[k++] = r->off[i];
    r->n = k;
}

static void row_get(const rowset *r, size_t i, st_slice out[3])
{
    const char *p = (const char *)r->data.p + r->off[i];
    for (int f = 0; f < 3; f++) {
        size_t n = strlen(p);
        out[f] = st_slice_of(p, n);
        p += n + 1;
    }
}

static void rows_free(rowset *r)
{
    st_buf_free(&r->data);
    st_free(r->off);
}

/* ------------------------------------------------------------ output */

static void jstr(st_buf *b, st_slice s) { json_str(b, s.p, s.n); }

static void series_open(st_buf *b, bool *first, const st_slice *name, const char *columns)
{
    st_buf_put(b, *first ? "\"series\":[" : ",", *first ? 10 : 1);
    *first = false;
    st_buf_putc(b, '{');
    if (name) {
        PUTS(b, "\"name\":");
        jstr(b, *name);
        st_buf_putc(b, ',');
    }
    st_buf_printf(b, "\"columns\":[%s],\"values\":[", columns);
}

static void series_close(st_buf *b) { PUTS(b, "]}"); }

/* Rows grouped per measurement (field 0), columns from fields 1..ncols:
 * LIMIT/OFFSET apply within each measurement, as InfluxDB applies them. */
static void emit_grouped(st_buf *b, rowset *r, const char *columns, int ncols, int64_t limit, int64_t offset)
{
    bool first = true;
    size_t i = 0;
    while (i < r->n) {
        st_slice f[3];
        row_get(r, i, f);
        st_slice m = f[0];
        size_t j = i;
        int64_t pos = 0, shown = 0;
        bool open = false;
        for (; j < r->n; j++) {
            st_slice g[3];
            row_get(r, j, g);
            if (!st_slice_eq(g[0], m)) break;
            if (pos++ < offset || (limit && shown >= limit)) continue;
            if (!open) {
                series_open(b, &first, &m, columns);
                open = true;
            } else {
                st_buf_putc(b, ',');
            }
            shown++;
            st_buf_putc(b, '[');
            for (int k = 1; k <= ncols; k++) {
                if (k > 1) st_buf_putc(b, ',');
                jstr(b, g[k]);
            }
            st_buf_putc(b, ']');
        }
        if (open) series_close(b);
        i = j;
    }
    if (!first) st_buf_putc(b, ']');
}

/* A flat list (one column), LIMIT/OFFSET over the whole list. */
static void emit_flat(st_buf *b, rowset *r, const char *name, const char *column, int64_t limit, int64_t offset)
{
    bool first = true;
    int64_t shown = 0;
    for (size_t i = (size_t)offset; i < r->n; i++) {
        if (limit && shown >= limit) break;
        st_slice f[3];
        row_get(r, i, f);
        if (first) {
            st_slice nm = st_slice_cstr(name ? name : "");
            series_open(b, &first, name ? &nm : NULL, column);
        } else {
            st_buf_putc(b, ',');
        }
        shown++;
        PUTS(b, "[");
        jstr(b, f[0]);
        st_buf_putc(b, ']');
    }
    if (!first) PUTS(b, "]}]");
}

/* ------------------------------------------------------------ statements */

typedef struct collect {
    rowset rows;
    const iql_stmt *st;
    qctx *c;
    int what;
    /* deletes: the series to remove, by key */
    st_buf keys;
    size_t *koff;
    size_t nkeys, capkeys;
} collect;

enum { C_MEASUREMENTS, C_TAG_KEYS, C_TAG_VALUES, C_FIELD_KEYS, C_SERIES, C_KEYS };

static const char *type_name(uint8_t t)
{
    switch (t) {
    case ST_VT_INT: return "integer";
    case ST_VT_UINT: return "unsigned";
    case ST_VT_BOOL: return "boolean";
    case ST_VT_STRING: return "string";
    default: return "float";
    }
}

static bool key_wanted(const iql_stmt *st, qctx *c, st_slice k)
{
    if (st->nwith_in) {
        for (size_t i = 0; i < st->nwith_in; i++)
            if (st_slice_eq(st->with_in[i], k)) return true;
        return false;
    }
    switch (st->with_op) {
    case IQL_OP_EQ: return st_slice_eq(k, st->with_value);
    case IQL_OP_NEQ: return !st_slice_eq(k, st->with_value);
    case IQL_OP_RE:
    case IQL_OP_NRE: {
        matcher *m = regex_for(c, NULL, st->with_value);
        bool hit = m && matcher_matches(m, k);
        return st->with_op == IQL_OP_RE ? hit : !hit;
    }
    default: return true;
    }
}

/* SHOW MEASUREMENTS' WITH MEASUREMENT = / =~ */
static bool measurement_wanted(collect *co, st_slice m)
{
    if (co->st->with_op == IQL_OP_EQ && !st_slice_eq(m, co->st->with_value)) return false;
    if (co->st->with_op == IQL_OP_RE) {
        matcher *re = regex_for(co->c, NULL, co->st->with_value);
        if (!re || !matcher_matches(re, m)) return false;
    }
    return true;
}

static int on_series(void *ctx, const sinfo *si, const uint8_t *key, size_t keylen)
{
    collect *co = ctx;
    st_slice none = {"", 0};
    switch (co->what) {
    case C_MEASUREMENTS:
        if (measurement_wanted(co, si->measurement)) rows_add(&co->rows, si->measurement, none, none);
        break;
    case C_TAG_KEYS:
        for (size_t i = 0; i < si->ntags; i++) rows_add(&co->rows, si->measurement, si->tags[i].name, none);
        break;
    case C_TAG_VALUES:
        for (size_t i = 0; i < si->ntags; i++)
            if (key_wanted(co->st, co->c, si->tags[i].name))
                rows_add(&co->rows, si->measurement, si->tags[i].name, si->tags[i].value);
        break;
    case C_FIELD_KEYS:
        rows_add(&co->rows, si->measurement, si->field, st_slice_cstr(type_name(si->type)));
        break;
    case C_SERIES: {
        /* the series key as InfluxDB prints it: escaped line protocol */
        st_buf k = {0};
        lp_write_measurement(&k, si->measurement);
        for (size_t i = 0; i < si->ntags; i++) {
            st_buf_putc(&k, ',');
            lp_write_key(&k, si->tags[i].name);
            st_buf_putc(&k, '=');
            lp_write_key(&k, si->tags[i].value);
        }
        rows_add(&co->rows, st_slice_of((const char *)k.p, k.len), none, none);
        st_buf_free(&k);
        break;
    }
    case C_KEYS:
        if (co->nkeys == co->capkeys) {
            co->capkeys = co->capkeys ? co->capkeys * 2 : 64;
            co->koff = st_realloc(co->koff, (co->capkeys + 1) * sizeof *co->koff);
        }
        co->koff[co->nkeys++] = co->keys.len;
        st_buf_put(&co->keys, key, keylen);
        co->koff[co->nkeys] = co->keys.len;
        break;
    }
    return 0;
}

/* Deletes [c->mint, c->maxt] of every collected series, each by its exact
 * label set (its canonical key: a series with one more label is another
 * series), all in one store_delete_series: one WAL fsync per head shard,
 * not one per series. */
static int delete_keys(qctx *c, collect *co, uint64_t *deleted)
{
    if (!co->nkeys) return 0;
    st_slice *ks = st_malloc(co->nkeys * sizeof *ks);
    for (size_t i = 0; i < co->nkeys; i++)
        ks[i] = st_slice_of((const char *)co->keys.p + co->koff[i], co->koff[i + 1] - co->koff[i]);
    uint64_t n = 0;
    int rc = store_delete_series(c->s, c->db, ks, co->nkeys, c->mint, c->maxt, &n, &c->e);
    *deleted += n;
    st_free(ks);
    return rc;
}

static void collect_free(collect *co)
{
    rows_free(&co->rows);
    st_buf_free(&co->keys);
    st_free(co->koff);
}

/* Statement text safe to echo (errors, warnings): what follows a PASSWORD
 * keyword (CREATE USER ... WITH PASSWORD '...', SET PASSWORD FOR u = '...',
 * quoted or not) replaced by [REDACTED]. In a. */
/* Whether a query sets a password somewhere (its parse errors, which may
 * quote any token, are then not echoed). */
static bool mentions_password(const char *q)
{
    for (const char *p = q; *p; p++)
        if (!strncasecmp(p, "password", 8)) return true;
    return false;
}

static const char *db_of(const iql_stmt *st, const char *def, char *buf, size_t cap)
{
    if (st->on.n) {
        snprintf(buf, cap, "%.*s", (int)st->on.n, st->on.p);
        return buf;
    }
    return def;
}

/* SHOW MEASUREMENTS without WHERE: the table index's names, no series
 * walked. 1 when it answered, 0 when the series must be walked (a block
 * with deletions may list a measurement with no point left), or an error. */
static int measurements_from_index(qctx *c, const iql_stmt *st, collect *co)
{
    if (st->where) return 0;
    scan_spec sp = {.db = c->db, .mint = c->mint, .maxt = c->maxt, .mode = SCAN_KEYS};
    scan *sc;
    int rc = scan_open(c->s, &sp, &sc, &c->e);
    if (rc == ST_ENOTFOUND) return 1; /* InfluxDB 1.6: nothing, no error */
    if (rc) return rc;
    st_slice *t;
    size_t n;
    bool exact;
    rc = scan_tables(sc, &t, &n, &exact, &c->e);
    if (rc == 0 && exact) {
        for (size_t i = 0; i < n; i++)
            if (source_matches(c, st, t[i]) && measurement_wanted(co, t[i]))
                rows_add(&co->rows, t[i], st_slice_of(NULL, 0), st_slice_of(NULL, 0));
        rc = 1;
    }
    scan_close(sc);
    return rc;
}

static int exec_schema(qctx *c, const iql_stmt *st, int what, st_buf *b)
{
    if (!c->db || !*c->db) return st_fail(&c->e, ST_EINVAL, "database name required");
    if (st->with_regex && compile_source_regex(c, st->with_value)) return ST_EINVAL;
    if (check_time_placement(c, st->where) || time_bounds(c, st->where)) return ST_EINVAL;
    collect co = {.st = st, .c = c, .what = what};
    int rc = what == C_MEASUREMENTS ? measurements_from_index(c, st, &co) : 0;
    if (rc == 1) rc = 0;
    else if (rc == 0) rc = each_series(c, st, st->where, on_series, &co);
    if (rc == 0) {
        rows_sort(&co.rows);
        switch (what) {
        case C_MEASUREMENTS:
            emit_flat(b, &co.rows, "measurements", "\"name\"", st->limit, st->offset);
            break;
        case C_TAG_KEYS: emit_grouped(b, &co.rows, "\"tagKey\"", 1, st->limit, st->offset); break;
        case C_TAG_VALUES: emit_grouped(b, &co.rows, "\"key\",\"value\"", 2, st->limit, st->offset); break;
        case C_FIELD_KEYS: emit_grouped(b, &co.rows, "\"fieldKey\",\"fieldType\"", 2, st->limit, st->offset); break;
        case C_SERIES: emit_flat(b, &co.rows, NULL, "\"key\"", st->limit, st->offset); break;
        }
    }
    collect_free(&co);
    return rc;
}

static int exec_delete(qctx *c, const iql_stmt *st)
{
    if (!c->db || !*c->db) return st_fail(&c->e, ST_EINVAL, "database name required");
    if (!store_db_exists(c->s, c->db)) return st_fail(&c->e, ST_ENOTFOUND, "database not found: %s", c->db);
    if (!where_shapes_ok(st->where))
        return st_fail(&c->e, ST_EINVAL, "fields not supported in WHERE clause during deletion");
    if (st->kind == IQL_DELETE) {
        if (check_time_placement(c, st->where) || time_bounds(c, st->where)) return ST_EINVAL;
    } else if (has_time(st->where)) {
        /* DROP SERIES drops whole series: InfluxDB refuses any time condition */
        return st_fail(&c->e, ST_EINVAL, "DROP SERIES doesn't support time in WHERE clause");
    }
    collect co = {.st = st, .c = c, .what = C_KEYS};
    /* find the series over all time, delete only the asked range */
    int64_t mint = c->mint, maxt = c->maxt;
    c->mint = INT64_MIN;
    c->maxt = INT64_MAX;
    int rc = each_series(c, st, st->where, on_series, &co);
    c->mint = mint;
    c->maxt = maxt;
    uint64_t n = 0;
    if (rc == 0) rc = delete_keys(c, &co, &n);
    collect_free(&co);
    return rc;
}

static void fmt_dur(int64_t ns, char *out, size_t cap) { iql_format_duration(ns, out, cap); }

/* InfluxDB's shard group duration for a retention duration. */
static int64_t shard_group_for(int64_t retention)
{
    const int64_t h = 3600LL * ST_NS_PER_S;
    if (retention == 0 || retention > 180 * 24 * h) return 168 * h;
    if (retention < 2 * 24 * h) return h;
    return 24 * h;
}

static int exec_rp(qctx *c, const iql_stmt *st, st_buf *b)
{
    char dbb[CATALOG_NAME_MAX + 8];
    switch (st->kind) {
    case IQL_SHOW_RETENTION_POLICIES: {
        const char *db = db_of(st, c->db, dbb, sizeof dbb);
        if (!db || !*db) return st_fail(&c->e, ST_EINVAL, "database name required");
        store_db_info *dbs;
        size_t n;
        store_db_list(c->s, &dbs, &n);
        int rc = st_fail(&c->e, ST_ENOTFOUND, "database not found: %s", db);
        for (size_t i = 0; i < n; i++) {
            if (strcmp(dbs[i].name, db)) continue;
            char d[64], sg[64];
            fmt_dur(dbs[i].retention, d, sizeof d);
            fmt_dur(shard_group_for(dbs[i].retention), sg, sizeof sg);
            st_buf_printf(b,
                          "\"series\":[{\"columns\":[\"name\",\"duration\",\"shardGroupDuration\",\"replicaN\","
                          "\"default\"],\"values\":[[\"autogen\",\"%s\",\"%s\",1,true]]}]",
                          d, sg);
            rc = 0;
            c->e.msg[0] = 0;
        }
        st_free(dbs);
        return rc;
    }
    case IQL_CREATE_RETENTION_POLICY:
    case IQL_ALTER_RETENTION_POLICY: {
        char db[CATALOG_NAME_MAX + 8];
        snprintf(db, sizeof db, "%.*s", (int)st->on.n, st->on.p);
        if (!store_db_exists(c->s, db)) return st_fail(&c->e, ST_ENOTFOUND, "database not found: %s", db);
        bool autogen = st->name.n == 7 && !memcmp(st->name.p, "autogen", 7);
        if (!st->is_default && !autogen)
            return st_fail(&c->e, ST_EINVAL,
                           "Strata keeps one retention policy per database (autogen, the database's "
                           "retention): create it with DEFAULT or alter autogen");
        if (!st->has_duration) return 0; /* REPLICATION/SHARD only: nothing Strata keeps */
        if (st->duration && st->duration < MIN_RETENTION)
            return st_fail(&c->e, ST_EINVAL, "retention policy duration must be at least 1h0m0s");
        return store_db_alter(c->s, db, st->duration, -1, &c->e);
    }
    case IQL_DROP_RETENTION_POLICY:
        return st_fail(&c->e, ST_EINVAL,
                       "Strata keeps one retention policy per database; it goes with DROP DATABASE");
    default: return 0;
    }
}

static int exec_db(qctx *c, const iql_stmt *st, st_buf *b)
{
    char name[CATALOG_NAME_MAX + 8];
    if (st->kind == IQL_SHOW_DATABASES) {
        store_db_info *dbs;
        size_t n;
        store_db_list(c->s, &dbs, &n);
        PUTS(b, "\"series\":[{\"name\":\"databases\",\"columns\":[\"name\"]");
        bool any = false;
        for (size_t i = 0; i < n; i++) {
            if (c->sv && !api_sees(c->sv, c->rq, dbs[i].name)) continue; /* only what the caller may read */
            if (any) st_buf_putc(b, ',');
            else PUTS(b, ",\"values\":[");
            any = true;
            st_buf_putc(b, '[');
            json_str(b, dbs[i].name, strlen(dbs[i].name));
            st_buf_putc(b, ']');
        }
        if (any) st_buf_putc(b, ']');
        PUTS(b, "}]");
        st_free(dbs);
        return 0;
    }
    if (st->name.n > CATALOG_NAME_MAX) return st_fail(&c->e, ST_EINVAL, "database name too long");
    snprintf(name, sizeof name, "%.*s", (int)st->name.n, st->name.p);
    if (st->kind == IQL_DROP_DATABASE) {
        int rc = store_db_drop(c->s, name, &c->e);
        return rc == ST_ENOTFOUND ? 0 : rc; /* as InfluxDB: dropping what is not there succeeds */
    }
    /* CREATE DATABASE */
    if (catalog_name_valid(name, strlen(name), &c->e)) return ST_EINVAL;
    if (st->has_duration && st->duration && st->duration < MIN_RETENTION)
        return st_fail(&c->e, ST_EINVAL, "retention policy duration must be at least 1h0m0s");
    int64_t ret = st->has_duration ? st->duration : -1;
    int rc = store_db_create(c->s, name, ret, -1, &c->e);
    if (rc == ST_EEXIST) {
        if (!st->has_duration) return 0;
        store_db_info *dbs;
        size_t n;
        store_db_list(c->s, &dbs, &n);
        rc = 0;
        for (size_t i = 0; i < n; i++)
            if (!strcmp(dbs[i].name, name) && dbs[i].retention != st->duration)
                rc = st_fail(&c->e, ST_ECONFLICT, "retention policy conflicts with an existing policy");
        st_free(dbs);
    }
    return rc;
}

static bool needs_post(iql_kind k)
{
    switch (k) {
    case IQL_CREATE_DATABASE: case IQL_DROP_DATABASE: case IQL_CREATE_RETENTION_POLICY:
    case IQL_ALTER_RETENTION_POLICY: case IQL_DROP_RETENTION_POLICY: case IQL_DROP_SERIES:
    case IQL_DROP_MEASUREMENT: case IQL_DELETE: case IQL_CREATE_CQ: case IQL_DROP_CQ:
        return true;
    default:
        return false;
    }
}

/* Runs one statement, appending its result members (after statement_id). */
/* ------------------------------------------------------------ SELECT */

/* Go's time.Format(RFC3339Nano): the fraction without trailing zeros, the
 * wall clock of a zone zone_s seconds east of UTC with its offset (Z at 0). */
static void put_rfc3339_zone(st_buf *b, int64_t ns, int32_t zone_s);

static void put_rfc3339(st_buf *b, int64_t ns) { put_rfc3339_zone(b, ns, 0); }

static void put_rfc3339_zone(st_buf *b, int64_t ns, int32_t zone_s)
{
    if (zone_s && !__builtin_add_overflow(ns, (int64_t)zone_s * ST_NS_PER_S, &ns)) {
    } else {
        zone_s = 0;
    }
    int64_t secs = ns / ST_NS_PER_S, frac = ns % ST_NS_PER_S;
    if (frac < 0) {
        frac += ST_NS_PER_S;
        secs--;
    }
    int64_t days = secs / 86400, rem = secs % 86400;
    if (rem < 0) {
        rem += 86400;
        days--;
    }
    /* civil date from days since 1970-01-01 */
    int64_t z = days + 719468, era = (z >= 0 ? z : z - 146096) / 146097;
    int64_t doe = z - era * 146097, yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    int64_t y = yoe + era * 400, doy = doe - (365 * yoe + yoe / 4 - yoe / 100), mp = (5 * doy + 2) / 153;
    int64_t d = doy - (153 * mp + 2) / 5 + 1, m = mp < 10 ? mp + 3 : mp - 9;
    y += m <= 2;
    st_buf_printf(b, "\"%04lld-%02lld-%02lldT%02lld:%02lld:%02lld", (long long)y, (long long)m, (long long)d,
                  (long long)(rem / 3600), (long long)(rem / 60 % 60), (long long)(rem % 60));
    if (frac) {
        char f[16];
        int n = snprintf(f, sizeof f, ".%09lld", (long long)frac);
        while (n > 1 && f[n - 1] == '0') n--;
        st_buf_put(b, f, (size_t)n);
    }
    if (!zone_s) {
        PUTS(b, "Z\"");
        return;
    }
    int32_t a = zone_s < 0 ? -zone_s : zone_s;
    st_buf_printf(b, "%c%02d:%02d\"", zone_s < 0 ? '-' : '+', a / 3600, a / 60 % 60);
}

/* encoding/json's float: 'f', or 'e' below 1e-6 and from 1e21 (e-07 as e-7). */
static void put_float(st_buf *b, double v)
{
    if (isnan(v) || isinf(v)) {
        PUTS(b, "null");
        return;
    }
    char tmp[JSON_FLOAT_MAX];
    size_t n = json_fmt_prom(tmp, v);
    if (n >= 4 && tmp[n - 4] == 'e' && tmp[n - 3] == '-' && tmp[n - 2] == '0') {
        tmp[n - 2] = tmp[n - 1];
        n--;
    }
    st_buf_put(b, tmp, n);
}

static void put_val(st_buf *b, const iql_val *v)
{
    switch (v->t) {
    case IQL_VT_FLOAT: put_float(b, v->f); break;
    case IQL_VT_INT: json_int(b, v->i); break;
    case IQL_VT_UINT: json_uint(b, v->u); break;
    case IQL_VT_STRING: jstr(b, v->s); break;
    case IQL_VT_BOOL: if (v->b) PUTS(b, "true"); else PUTS(b, "false"); break;
    default: PUTS(b, "null"); break;
    }
}

/* Line protocol's escapes: measurement (commas, spaces), tag keys and
 * values and field keys (commas, equal signs, spaces). */
static void lp_escaped(st_buf *b, st_slice s, bool measurement)
{
    for (size_t i = 0; i < s.n; i++) {
        char ch = s.p[i];
        if (ch == ',' || ch == ' ' || (!measurement && ch == '=')) st_buf_putc(b, '\\');
        st_buf_putc(b, ch);
    }
}

/* SELECT ... INTO: the answer's rows written through the normal write path
 * (WAL, fsync before the answer) as points of the target measurement, the
 * series' tags as tags and the columns as fields; answers InfluxDB's
 * "result" series with the number of points written. */
static int exec_into(qctx *c, const iql_stmt *st, const iql_result *r, st_buf *b)
{
    const iql_select *sel = st->sel;
    char dbname[CATALOG_NAME_MAX + 1];
    if (!sel->into.db.n && !c->db) return st_fail(&c->e, ST_EINVAL, "database name required");
    st_slice tdb = sel->into.db.n ? sel->into.db : st_slice_of(c->db, strlen(c->db));
    if (tdb.n > CATALOG_NAME_MAX) return st_fail(&c->e, ST_EINVAL, "database name too long");
    memcpy(dbname, tdb.p, tdb.n);
    dbname[tdb.n] = 0;
    if (!store_db_exists(c->s, dbname)) return st_fail(&c->e, ST_ENOTFOUND, "database not found: %s", dbname);
    st_buf lp = {0};
    uint64_t points = 0;
    for (size_t i = 0; i < r->nseries; i++) {
        const iql_rseries *x = &r->series[i];
        size_t nv = x->ncols - 1;
        for (size_t row = 0; row < x->nrows; row++) {
            size_t at = lp.len;
            lp_escaped(&lp, sel->into_backref ? x->name : sel->into.name, true);
            for (size_t k = 0; k < x->ntags; k++) {
                if (!x->tags[k].value.n) continue;
                st_buf_putc(&lp, ',');
                lp_escaped(&lp, x->tags[k].name, false);
                st_buf_putc(&lp, '=');
                lp_escaped(&lp, x->tags[k].value, false);
            }
            bool any = false;
            for (size_t k = 0; k < nv; k++) {
                const iql_val *v = &x->vals[row * nv + k];
                if (v->t == IQL_VT_NULL || (v->t == IQL_VT_FLOAT && !isfinite(v->f))) continue;
                st_buf_putc(&lp, any ? ',' : ' ');
                any = true;
                lp_escaped(&lp, x->cols[k + 1], false);
                st_buf_putc(&lp, '=');
                switch (v->t) {
                case IQL_VT_FLOAT: put_float(&lp, v->f); break;
                case IQL_VT_INT: st_buf_printf(&lp, "%" PRId64 "i", v->i); break;
                case IQL_VT_UINT: st_buf_printf(&lp, "%" PRIu64 "u", v->u); break;
                case IQL_VT_BOOL: st_buf_put(&lp, v->b ? "true" : "false", v->b ? 4 : 5); break;
                default:
                    st_buf_putc(&lp, '"');
                    for (size_t j = 0; j < v->s.n; j++) {
                        if (v->s.p[j] == '"' || v->s.p[j] == '\\') st_buf_putc(&lp, '\\');
                        st_buf_putc(&lp, v->s.p[j]);
                    }
                    st_buf_putc(&lp, '"');
                }
            }
            if (!any) {
                lp.len = at;
                continue;
            }
            st_buf_printf(&lp, " %" PRId64 "\n", x->time[row]);
            points++;
        }
    }
    int rc = 0;
    if (lp.len) {
        store_batch *batch = store_batch_new();
        import_stats is = {0};
        rc = import_line((const char *)lp.p, lp.len, LP_NS, c->now, batch, &is, &c->e);
        if (rc == 0) {
            store_write_result wr;
            rc = store_write(c->s, dbname, batch, &wr, &c->e);
        }
        store_batch_free(batch);
    }
    st_buf_free(&lp);
    if (rc) return rc;
    st_buf_printf(b, "\"series\":[{\"name\":\"result\",\"columns\":[\"time\",\"written\"],\"values\":[[");
    if (c->epoch_unit) PUTS(b, "0");
    else put_rfc3339(b, 0);
    st_buf_printf(b, ",%" PRIu64 "]]}]", points);
    return 0;
}

static int exec_select(qctx *c, const iql_stmt *st, st_buf *b)
{
    scan_budget bud = {.max_samples = c->f ? c->f->query_max_samples : 0};
    if (c->f && c->f->query_timeout > 0) bud.deadline_ns = st_mono_ns() + c->f->query_timeout;
    scan_budget_init(&bud);
    iql_select_opts o = {.now = c->now, .budget = &bud, .max_points = c->f ? (size_t)c->f->influxql_max_points : 0};
    iql_result r;
    iql_stmt plain;
    iql_select psel;
    const iql_stmt *run = st;
    if (st->sel->has_into) { /* evaluated as a SELECT, then written */
        plain = *st;
        psel = *st->sel;
        psel.has_into = false;
        plain.sel = &psel;
        run = &plain;
    }
    int rc = iql_select_exec(c->s, c->db, run, &o, c->arena, &r, &c->e);
    if (rc) {
        if (atomic_load(&bud.code)) {
            c->e.code = atomic_load(&bud.code);
            snprintf(c->e.msg, sizeof c->e.msg, "%s", bud.msg);
        }
        return rc;
    }
    if (st->sel->has_into) return exec_into(c, st, &r, b);
    if (!r.nseries) return 0;
    /* Unchunked: every series in this statement's object. Chunked (as
     * InfluxDB 1.x streams): one series, or chunk_size rows of one, a line;
     * "partial" on a series cut short, and on every line of the statement
     * but its last. */
    size_t per = c->chunked ? (c->chunk_size ? c->chunk_size : 10000) : SIZE_MAX;
    if (!c->chunked) PUTS(b, "\"series\":[");
    bool first_line = true;
    for (size_t i = 0; i < r.nseries; i++) {
        const iql_rseries *x = &r.series[i];
        size_t nv = x->ncols - 1;
        for (size_t row0 = 0; row0 < x->nrows || (row0 == 0 && !x->nrows); row0 += per) {
            size_t row1 = x->nrows - row0 > per ? row0 + per : x->nrows;
            bool cut = row1 < x->nrows, last = !cut && i + 1 == r.nseries;
            if (c->chunked) {
                if (!first_line) st_buf_printf(b, "{\"results\":[{\"statement_id\":%zu,", c->stmt_id);
                PUTS(b, "\"series\":[");
            } else if (i) {
                st_buf_putc(b, ',');
            }
            PUTS(b, "{\"name\":");
            jstr(b, x->name);
            if (x->ntags) {
                PUTS(b, ",\"tags\":{");
                for (size_t k = 0; k < x->ntags; k++) {
                    if (k) st_buf_putc(b, ',');
                    jstr(b, x->tags[k].name);
                    st_buf_putc(b, ':');
                    jstr(b, x->tags[k].value);
                }
                st_buf_putc(b, '}');
            }
            PUTS(b, ",\"columns\":[");
            for (size_t k = 0; k < x->ncols; k++) {
                if (k) st_buf_putc(b, ',');
                jstr(b, x->cols[k]);
            }
            PUTS(b, "],\"values\":[");
            for (size_t row = row0; row < row1; row++) {
                if (row > row0) st_buf_putc(b, ',');
                st_buf_putc(b, '[');
                if (c->epoch_unit) json_int(b, x->time[row] / c->epoch_unit);
                else put_rfc3339_zone(b, x->time[row], x->zone ? x->zone[row] : 0);
                for (size_t k = 0; k < nv; k++) {
                    st_buf_putc(b, ',');
                    put_val(b, &x->vals[row * nv + k]);
                }
                st_buf_putc(b, ']');
            }
            st_buf_putc(b, ']');
            if (c->chunked && cut) PUTS(b, ",\"partial\":true");
            st_buf_putc(b, '}');
            if (c->chunked) {
                st_buf_putc(b, ']');
                if (!last) PUTS(b, ",\"partial\":true}]}\n");
                first_line = false;
            }
            if (!x->nrows) break;
        }
    }
    if (!c->chunked) st_buf_putc(b, ']');
    return 0;
}

/* ------------------------------------------------------------ continuous queries */

int influx_cq_check(const iql_stmt *cq, st_err *e)
{
    const iql_select *sel = cq->sel;
    bool by_time = false;
    for (size_t d = 0; d < sel->ndims; d++) by_time |= sel->dims[d].kind == IQL_DIM_TIME && sel->dims[d].interval > 0;
    if (!sel->has_into) return st_fail(e, ST_EINVAL, "continuous query must contain an INTO clause");
    if (!by_time) return st_fail(e, ST_EINVAL, "continuous query must contain a GROUP BY time() clause");
    return 0;
}

int influx_cq_run(store *s, const char *db, const iql_stmt *cq, int64_t mint, int64_t maxt, uint64_t *written,
                  st_err *e)
{
    qctx c = {.s = s, .db = db, .now = st_now_ns()};
    st_buf b = {0};
    /* the window as the outer time range: the statement names none of its own */
    scan_budget bud = {0};
    scan_budget_init(&bud);
    iql_select_opts o = {.now = c.now, .budget = &bud, .outer = true, .outer_has_min = true, .outer_has_max = true,
                         .outer_mint = mint, .outer_maxt = maxt};
    iql_stmt plain = *cq;
    iql_select psel = *cq->sel;
    psel.has_into = false;
    plain.sel = &psel;
    st_arena *a = st_arena_new(64 * 1024);
    iql_result r;
    int rc = iql_select_exec(s, db, &plain, &o, a, &r, &c.e);
    if (rc == 0) rc = exec_into(&c, cq, &r, &b);
    if (rc) *e = c.e;
    /* the answer holds the count: "written", the last number */
    *written = 0;
    if (rc == 0 && b.len) {
        const char *p = (const char *)b.p + b.len;
        while (p > (const char *)b.p && p[-1] != ',') p--;
        *written = strtoull(p, NULL, 10);
    }
    st_buf_free(&b);
    st_arena_free(a);
    return rc;
}

static int exec_cq(qctx *c, const iql_stmt *st, st_buf *b)
{
    char db[CATALOG_NAME_MAX + 1], name[256];
    if (st->kind == IQL_SHOW_CQS) {
        store_cq *q;
        size_t nq;
        store_cq_list(c->s, &q, &nq, NULL);
        store_db_info *dbs;
        size_t n;
        store_db_list(c->s, &dbs, &n);
        bool first = true;
        for (size_t i = 0; i < n; i++) {
            st_slice dn = st_slice_of(dbs[i].name, strlen(dbs[i].name));
            size_t k = 0;
            for (size_t j = 0; j < nq; j++) k += !strcmp(q[j].db, dbs[i].name);
            if (!k) {
                st_buf_put(b, first ? "\"series\":[" : ",", first ? 10 : 1);
                first = false;
                PUTS(b, "{\"name\":");
                jstr(b, dn);
                PUTS(b, ",\"columns\":[\"name\",\"query\"]}");
                continue;
            }
            series_open(b, &first, &dn, "\"name\",\"query\"");
            bool firstrow = true;
            for (size_t j = 0; j < nq; j++) {
                if (strcmp(q[j].db, dbs[i].name)) continue;
                if (!firstrow) st_buf_putc(b, ',');
                firstrow = false;
                st_buf_putc(b, '[');
                json_str(b, q[j].name, strlen(q[j].name));
                st_buf_putc(b, ',');
                json_str(b, q[j].text, strlen(q[j].text));
                st_buf_putc(b, ']');
            }
            series_close(b);
        }
        if (!first) st_buf_putc(b, ']');
        st_free(dbs);
        store_cq_list_free(q, nq);
        return 0;
    }
    if (st->on.n > CATALOG_NAME_MAX || st->name.n >= sizeof name) return st_fail(&c->e, ST_EINVAL, "name too long");
    snprintf(db, sizeof db, "%.*s", (int)st->on.n, st->on.p);
    snprintf(name, sizeof name, "%.*s", (int)st->name.n, st->name.p);
    if (st->kind == IQL_DROP_CQ) { /* as InfluxDB: dropping what is not there succeeds */
        int rc = store_cq_drop(c->s, db, name, &c->e);
        return rc == ST_ENOTFOUND ? 0 : rc;
    }
    if (influx_cq_check(st->cq, &c->e)) return ST_EINVAL;
    char *text = st_malloc(st->text.n + 1);
    memcpy(text, st->text.p, st->text.n);
    text[st->text.n] = 0;
    int rc = store_cq_create(c->s, db, name, text, &c->e);
    st_free(text);
    return rc;
}

static int exec_one(qctx *c, const iql_stmt *st, st_buf *b)
{
    char dbb[CATALOG_NAME_MAX + 8];
    const char *db_def = c->db;
    c->db = db_of(st, db_def, dbb, sizeof dbb);
    c->mint = INT64_MIN;
    c->maxt = INT64_MAX;
    int rc = 0;
    switch (st->kind) {
    case IQL_CREATE_DATABASE: case IQL_DROP_DATABASE: case IQL_SHOW_DATABASES:
        rc = exec_db(c, st, b);
        break;
    case IQL_SHOW_RETENTION_POLICIES: case IQL_CREATE_RETENTION_POLICY: case IQL_ALTER_RETENTION_POLICY:
    case IQL_DROP_RETENTION_POLICY:
        rc = exec_rp(c, st, b);
        break;
    case IQL_SHOW_USERS: case IQL_CREATE_USER: case IQL_DROP_USER: case IQL_SET_PASSWORD: case IQL_GRANT:
    case IQL_REVOKE: case IQL_SHOW_GRANTS: case IQL_CREATE_TOKEN: case IQL_SHOW_TOKENS: case IQL_DROP_TOKEN:
    case IQL_CREATE_ACCESS_KEY: case IQL_DROP_ACCESS_KEY:
        rc = c->sv ? influxauth_exec(c->sv, c->rq, st, b, &c->e) : st_fail(&c->e, ST_EINVAL, "not in a continuous query");
        break;
    case IQL_SHOW_MEASUREMENTS: rc = exec_schema(c, st, C_MEASUREMENTS, b); break;
    case IQL_SHOW_TAG_KEYS: rc = exec_schema(c, st, C_TAG_KEYS, b); break;
    case IQL_SHOW_TAG_VALUES:
        if (st->with_regex && compile_source_regex(c, st->with_value)) {
            rc = ST_EINVAL;
            break;
        }
        rc = exec_schema(c, st, C_TAG_VALUES, b);
        break;
    case IQL_SHOW_FIELD_KEYS: rc = exec_schema(c, st, C_FIELD_KEYS, b); break;
    case IQL_SHOW_SERIES: rc = exec_schema(c, st, C_SERIES, b); break;
    case IQL_DROP_SERIES: case IQL_DELETE: rc = exec_delete(c, st); break;
    case IQL_DROP_MEASUREMENT: {
        iql_source src = {.name = st->name};
        iql_stmt del = *st;
        del.kind = IQL_DROP_SERIES;
        del.from = &src;
        del.nfrom = 1;
        del.where = NULL;
        rc = exec_delete(c, &del);
        break;
    }
    case IQL_SELECT: rc = exec_select(c, st, b); break;
    case IQL_CREATE_CQ: case IQL_DROP_CQ: case IQL_SHOW_CQS: rc = exec_cq(c, st, b); break;
    case IQL_UNSUPPORTED: {
        st_slice t = influxauth_redacted(c->arena, st->text);
        rc = st_fail(&c->e, ST_EINVAL, "statement not supported by Strata yet: %.*s", (int)(t.n > 200 ? 200 : t.n), t.p);
        break;
    }
    }
    c->db = db_def;
    return rc;
}

/* ------------------------------------------------------------ CSV */

/* encoding/csv's quoting: a field with a comma, a quote, a line break or a
 * leading space is quoted, its quotes doubled. */
static void csv_field(st_buf *b, st_slice v)
{
    bool quote = v.n && (v.p[0] == ' ' || v.p[0] == '\t');
    for (size_t i = 0; i < v.n && !quote; i++) quote = v.p[i] == ',' || v.p[i] == '"' || v.p[i] == '\n' || v.p[i] == '\r';
    if (!quote) {
        st_buf_put(b, v.p, v.n);
        return;
    }
    st_buf_putc(b, '"');
    for (size_t i = 0; i < v.n; i++) {
        if (v.p[i] == '"') st_buf_putc(b, '"');
        st_buf_putc(b, v.p[i]);
    }
    st_buf_putc(b, '"');
}

/* One value of a "values" row as a CSV field: strings unquoted from JSON,
 * numbers and booleans as written, null empty. */
static int csv_value(json_reader *r, st_buf *b, st_err *e)
{
    int c = json_peek(r);
    st_slice v;
    if (c == '"') {
        if (json_read_string(r, &v, e)) return ST_EINVAL;
        csv_field(b, v);
        return 0;
    }
    if (json_read_word(r, &v, e)) return ST_EINVAL;
    if (!(v.n == 4 && !memcmp(v.p, "null", 4))) st_buf_put(b, v.p, v.n);
    return 0;
}

/* InfluxDB 1.x's CSV (Accept: application/csv) from the JSON answer: per
 * statement a header "name,tags,<columns>" (again when the columns change),
 * a row per value row with the series' name and its tags as k=v,...; a
 * blank line between statements; a statement's error is left out. */
static int results_to_csv(const st_buf *json, st_arena *a, st_buf *out, st_err *e)
{
    json_reader r;
    json_reader_init(&r, (const char *)json->p, json->len, a);
    if (json_expect(&r, '{', e)) return ST_EINVAL;
    st_slice k;
    if (json_read_string(&r, &k, e) || json_expect(&r, ':', e) || json_expect(&r, '[', e)) return ST_EINVAL;
    bool first_stmt = true;
    st_buf header = {0}, cols = {0};
    int rc = 0;
    while (rc == 0 && !json_accept(&r, ']')) {
        json_accept(&r, ',');
        if ((rc = json_expect(&r, '{', e))) break;
        bool stmt_printed = false;
        header.len = 0;
        while (rc == 0 && !json_accept(&r, '}')) {
            json_accept(&r, ',');
            if ((rc = json_read_string(&r, &k, e)) || (rc = json_expect(&r, ':', e))) break;
            if (!(k.n == 6 && !memcmp(k.p, "series", 6))) {
                rc = json_skip_value(&r, e);
                continue;
            }
            if ((rc = json_expect(&r, '[', e))) break;
            while (rc == 0 && !json_accept(&r, ']')) {
                json_accept(&r, ',');
                if ((rc = json_expect(&r, '{', e))) break;
                st_slice name = {0};
                st_buf tags = {0};
                cols.len = 0;
                while (rc == 0 && !json_accept(&r, '}')) {
                    json_accept(&r, ',');
                    if ((rc = json_read_string(&r, &k, e)) || (rc = json_expect(&r, ':', e))) break;
                    if (k.n == 4 && !memcmp(k.p, "name", 4)) {
                        rc = json_read_string(&r, &name, e);
                    } else if (k.n == 4 && !memcmp(k.p, "tags", 4)) {
                        rc = json_expect(&r, '{', e);
                        while (rc == 0 && !json_accept(&r, '}')) {
                            json_accept(&r, ',');
                            st_slice tk, tv;
                            if ((rc = json_read_string(&r, &tk, e)) || (rc = json_expect(&r, ':', e)) ||
                                (rc = json_read_string(&r, &tv, e)))
                                break;
                            if (!tv.n) continue; /* as 1.x: a tag without a value is not listed */
                            if (tags.len) st_buf_putc(&tags, ',');
                            st_buf_put(&tags, tk.p, tk.n);
                            st_buf_putc(&tags, '=');
                            st_buf_put(&tags, tv.p, tv.n);
                        }
                    } else if (k.n == 7 && !memcmp(k.p, "columns", 7)) {
                        rc = json_expect(&r, '[', e);
                        while (rc == 0 && !json_accept(&r, ']')) {
                            json_accept(&r, ',');
                            st_slice cn;
                            if ((rc = json_read_string(&r, &cn, e))) break;
                            st_buf_putc(&cols, ',');
                            csv_field(&cols, cn);
                        }
                    } else if (k.n == 6 && !memcmp(k.p, "values", 6)) {
                        /* the header first, when it is new for this statement */
                        if (!stmt_printed || header.len != cols.len || memcmp(header.p, cols.p, cols.len)) {
                            if (!stmt_printed && !first_stmt) st_buf_putc(out, '\n');
                            PUTS(out, "name,tags");
                            st_buf_put(out, cols.p, cols.len);
                            st_buf_putc(out, '\n');
                            header.len = 0;
                            st_buf_put(&header, cols.p, cols.len);
                            stmt_printed = true;
                        }
                        rc = json_expect(&r, '[', e);
                        while (rc == 0 && !json_accept(&r, ']')) {
                            json_accept(&r, ',');
                            csv_field(out, name);
                            st_buf_putc(out, ',');
                            csv_field(out, st_slice_of((const char *)tags.p, tags.len));
                            if ((rc = json_expect(&r, '[', e))) break;
                            while (rc == 0 && !json_accept(&r, ']')) {
                                json_accept(&r, ',');
                                st_buf_putc(out, ',');
                                rc = csv_value(&r, out, e);
                            }
                            st_buf_putc(out, '\n');
                        }
                    } else {
                        rc = json_skip_value(&r, e);
                    }
                }
                st_buf_free(&tags);
            }
        }
        if (stmt_printed) first_stmt = false;
    }
    st_buf_free(&header);
    st_buf_free(&cols);
    return rc;
}

void api_influx_query(api_server *sv, http_req *rq, http_resp *rs)
{
    store *s = sv->s;
    const flags *f = sv->f;
    http_set_header(rs, "X-Influxdb-Version", "1.8.10");
    http_set_header(rs, "X-Influxdb-Build", "OSS");
    rs->content_type = "application/json";
    const char *q = http_arg(rq, "q");
    if (!q) {
        rs->status = 400;
        PUTS(&rs->body, "{\"error\":\"missing required parameter \\\"q\\\"\"}\n");
        return;
    }
    st_err e = {0};
    iql_stmt *stmts;
    size_t n;
    const char *accept = http_header(rq, "Accept");
    bool csv = accept && strstr(accept, "application/csv");
    if (iql_parse(q, strlen(q), rq->arena, &stmts, &n, &e)) {
        rs->status = 400;
        char msg[ST_ERR_MSG + 40];
        if (mentions_password(q)) /* the token quoted may be the password */
            snprintf(msg, sizeof msg, "error parsing query: a statement with a password does not parse "
                                      "(its text is not repeated here)");
        else
            snprintf(msg, sizeof msg, "error parsing query: %s", e.msg);
        if (csv) {
            rs->content_type = "text/csv";
            PUTS(&rs->body, "error\n");
            csv_field(&rs->body, st_slice_of(msg, strlen(msg)));
            st_buf_putc(&rs->body, '\n');
            return;
        }
        PUTS(&rs->body, "{\"error\":");
        json_str(&rs->body, msg, strlen(msg));
        PUTS(&rs->body, "}\n");
        return;
    }
    bool post = !strcmp(rq->method, "POST");
    const char *chunked = http_arg(rq, "chunked");
    bool chunk = chunked && !strcmp(chunked, "true") && !csv; /* CSV comes whole */
    const char *csz = http_arg(rq, "chunk_size");
    /* /db/NAME/query names the database as ?db= does (Grafana users put the
     * prefix in the data source URL); ?db= wins when both are given */
    const char *dbp = http_arg(rq, "db");
    if ((!dbp || !*dbp) && rq->db_in_path) dbp = rq->db;
    if (influxauth_check(sv, rq, stmts, n, dbp && *dbp ? dbp : NULL, rs)) return;
    qctx c = {.sv = sv, .rq = rq, .s = s, .db = dbp && *dbp ? dbp : NULL, .now = st_now_ns(), .f = f, .arena = rq->arena,
              .chunked = chunk, .chunk_size = csz && atoll(csz) > 0 ? (size_t)atoll(csz) : 0};
    const char *epoch = http_arg(rq, "epoch");
    if (csv && (!epoch || !*epoch)) epoch = "ns"; /* CSV times are numbers */
    if (epoch && *epoch) {
        static const struct {
            const char *name;
            int64_t ns;
        } units[] = {{"ns", 1}, {"n", 1}, {"u", 1000}, {"\xc2\xb5", 1000}, {"ms", 1000000}, {"s", ST_NS_PER_S},
                     {"m", 60 * ST_NS_PER_S}, {"h", 3600 * ST_NS_PER_S}};
        for (size_t i = 0; i < sizeof units / sizeof *units; i++)
            if (!strcmp(epoch, units[i].name)) c.epoch_unit = units[i].ns;
    }
    st_buf *b = &rs->body;
    if (!chunk) PUTS(b, "{\"results\":[");
    for (size_t i = 0; i < n; i++) {
        if (chunk) PUTS(b, "{\"results\":[");
        else if (i) st_buf_putc(b, ',');
        st_buf_printf(b, "{\"statement_id\":%zu", i);
        c.stmt_id = i;
        size_t before = b->len;
        st_buf_putc(b, ',');
        c.e.msg[0] = 0;
        int rc = exec_one(&c, &stmts[i], b);
        qctx_free(&c);
        if (rc) b->len = before;
        else if (b->len == before + 1) b->len = before; /* nothing to show: {"statement_id":i} */
        if (!post && needs_post(stmts[i].kind)) {
            /* InfluxDB 1.x runs these on GET too, with this warning */
            char msg[400];
            st_slice t = influxauth_redacted(rq->arena, stmts[i].text);
            snprintf(msg, sizeof msg,
                     "deprecated use of '%.*s' in a read only context, please use a POST request instead",
                     (int)(t.n > 300 ? 300 : t.n), t.p);
            PUTS(b, ",\"messages\":[{\"level\":\"warning\",\"text\":");
            json_str(b, msg, strlen(msg));
            PUTS(b, "}]");
        }
        /* A SELECT that fails stops the request: InfluxDB 1.x answers the
         * statements after it "not executed", merged into the failed one's
         * result unless chunked (its own error is then lost, as there). */
        bool stop = rc && stmts[i].kind == IQL_SELECT && i + 1 < n && !strstr(c.e.msg, "not supported by Strata yet");
        if (rc) {
            PUTS(b, ",\"error\":");
            const char *said = stop && !chunk ? "not executed" : api_client_message(c.e.code ? c.e.code : rc, c.e.msg);
            json_str(b, said, strlen(said));
        }
        st_buf_putc(b, '}');
        if (chunk) PUTS(b, "]}\n");
        if (stop) {
            if (chunk) st_buf_printf(b, "{\"results\":[{\"statement_id\":%zu,\"error\":\"not executed\"}]}\n", i);
            break;
        }
    }
    if (!chunk) PUTS(b, "]}\n");
    rs->status = 200;
    if (csv) {
        st_buf out = {0};
        st_err ce = {0};
        if (results_to_csv(b, rq->arena, &out, &ce) == 0) {
            st_buf_free(b);
            *b = out;
            rs->content_type = "text/csv";
        } else {
            st_buf_free(&out);
        }
    }
}
