/* ops: the executor's row operators (values, filter, project, distinct, sort, limit, concat, setop) and shared helpers. */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "sql/ops_int.h"

/* ---- shared helpers ---- */

uint64_t sql_row_hash(const sql_value *row, size_t n)
{
    uint64_t h = 0x9e3779b97f4a7c15ull;
    for (size_t i = 0; i < n; i++) h = sqlv_hash(&row[i], h) * 0xff51afd7ed558ccdull + i;
    return h;
}

bool sql_row_same(const sql_value *a, const sql_value *b, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (!sqlv_same(&a[i], &b[i])) return false;
    return true;
}

int sql_ops_hold(sql_exec_ctx *x, uint64_t *held, const char *what, st_err *e)
{
    ++*held;
    if (x && x->max_rows && *held > x->max_rows)
        return st_fail(e, ST_ELIMIT, "Query exceeded the maximum of %" PRIu64 " rows held by %s (--sql-max-rows)",
                       x->max_rows, what);
    return 0;
}

int sql_ops_poll(sql_exec_ctx *x, uint64_t *tick, st_err *e)
{
    if (!x || !x->budget || (++*tick & 1023)) return 0;
    return scan_budget_poll(x->budget, e);
}


sql_value *sql_row_copy(st_arena *a, const sql_value *row, size_t n)
{
    sql_value *r = st_arena_alloc(a, (n ? n : 1) * sizeof *r);
    for (size_t i = 0; i < n; i++) r[i] = sqlv_copy(a, &row[i]);
    return r;
}

int sql_rows_cmp(const sql_value *a, const sql_value *b, const sql_sort_key *keys, size_t nkeys)
{
    for (size_t k = 0; k < nkeys; k++) {
        const sql_value *x = &a[keys[k].col], *y = &b[keys[k].col];
        if (x->null || y->null) {
            if (x->null && y->null) continue;
            return (x->null ? -1 : 1) * (keys[k].nulls_first ? 1 : -1);
        }
        int c = sqlv_cmp(x, y);
        if (c) return keys[k].desc ? (c < 0 ? 1 : -1) : (c < 0 ? -1 : 1);
    }
    return 0;
}

int sql_rows_sort(sql_exec_ctx *x, sql_value **rows, size_t n, const sql_sort_key *keys, size_t nkeys, st_err *e)
{
    if (n < 2 || !nkeys) return 0;
    /* rows that come in order (a fold answers in key order) cost a pass */
    size_t in_order = 1;
    while (in_order < n && sql_rows_cmp(rows[in_order], rows[in_order - 1], keys, nkeys) >= 0) in_order++;
    if (in_order == n) return 0;
    /* bottom-up merge sort: stable, n log n, one scratch array */
    sql_value **tmp = st_malloc(n * sizeof *tmp), **src = rows, **dst = tmp;
    uint64_t tick = 0;
    int rc = 0;
    for (size_t w = 1; w < n && rc == 0; w *= 2) {
        for (size_t lo = 0; lo < n; lo += 2 * w) {
            size_t mid = lo + w < n ? lo + w : n, hi = lo + 2 * w < n ? lo + 2 * w : n;
            size_t i = lo, j = mid, k = lo;
            while (i < mid && j < hi) dst[k++] = sql_rows_cmp(src[j], src[i], keys, nkeys) < 0 ? src[j++] : src[i++];
            while (i < mid) dst[k++] = src[i++];
            while (j < hi) dst[k++] = src[j++];
            if ((rc = sql_ops_poll(x, &tick, e))) break;
        }
        sql_value **t = src;
        src = dst;
        dst = t;
    }
    if (rc == 0 && src != rows) memcpy(rows, src, n * sizeof *rows);
    st_free(tmp);
    return rc;
}

void sql_op_close(sql_op *o)
{
    if (o) o->close(o);
}

static uint8_t *types_dup(st_arena *a, const uint8_t *t, size_t n)
{
    uint8_t *r = st_arena_alloc(a, n ? n : 1);
    if (n) memcpy(r, t, n);
    return r;
}

/* ---- values ---- */

typedef struct values_op {
    sql_op op;
    st_arena *a;
    const sql_value *rows;
    size_t nrows, at;
    sql_value none[1]; /* the row of a zero-column VALUES (rows may then be NULL) */
} values_op;

static int values_next(sql_op *o, const sql_value **row, st_err *e)
{
    (void)e;
    values_op *v = (values_op *)o;
    if (v->at >= v->nrows) return 0;
    *row = o->ncols ? v->rows + v->at * o->ncols : v->none;
    v->at++;
    return 1;
}

static void values_close(sql_op *o)
{
    values_op *v = (values_op *)o;
    st_arena_free(v->a);
    st_free(v);
}

sql_op *sql_op_values(sql_exec_ctx *x, size_t ncols, const uint8_t *types, const sql_value *rows, size_t nrows)
{
    values_op *v = st_calloc(1, sizeof *v);
    v->a = st_arena_new(256);
    v->op = (sql_op){.next = values_next, .close = values_close, .ncols = ncols, .x = x};
    v->op.types = types_dup(v->a, types, ncols);
    v->rows = rows;
    v->nrows = nrows;
    return &v->op;
}

/* ---- filter ---- */

typedef struct filter_op {
    sql_op op;
    sql_op *in;
    sx *cond;
    st_arena *a; /* evaluation arena, reset per row */
    uint64_t tick;
} filter_op;

static int filter_next(sql_op *o, const sql_value **row, st_err *e)
{
    filter_op *f = (filter_op *)o;
    sx_ctx c = {.a = f->a, .e = e, .now_ns = o->x ? o->x->now_ns : 0};
    for (;;) {
        const sql_value *r;
        int rc = sql_op_next(f->in, &r, e);
        if (rc <= 0) return rc;
        st_arena_reset(f->a);
        int t = sx_truth(&c, f->cond, r);
        if (t < 0) return t;
        if (t) {
            *row = r;
            return 1;
        }
        if ((rc = sql_ops_poll(o->x, &f->tick, e))) return rc;
    }
}

static void filter_close(sql_op *o)
{
    filter_op *f = (filter_op *)o;
    sql_op_close(f->in);
    st_arena_free(f->a);
    st_free(f);
}

sql_op *sql_op_filter(sql_exec_ctx *x, sql_op *in, sx *cond)
{
    filter_op *f = st_calloc(1, sizeof *f);
    f->op = (sql_op){.next = filter_next, .close = filter_close, .ncols = in->ncols, .types = in->types, .x = x};
    f->in = in;
    f->cond = cond;
    f->a = st_arena_new(1024);
    return &f->op;
}

/* ---- project ---- */

typedef struct project_op {
    sql_op op;
    sql_op *in;
    sx **exprs;
    st_arena *a;    /* evaluation arena: the returned row's strings live here until the next call */
    st_arena *keep; /* types, the row buffer */
    sql_value *out;
} project_op;

static int project_next(sql_op *o, const sql_value **row, st_err *e)
{
    project_op *p = (project_op *)o;
    const sql_value *r;
    int rc = sql_op_next(p->in, &r, e);
    if (rc <= 0) return rc;
    st_arena_reset(p->a);
    sx_ctx c = {.a = p->a, .e = e, .now_ns = o->x ? o->x->now_ns : 0};
    for (size_t i = 0; i < o->ncols; i++)
        if ((rc = sx_eval(&c, p->exprs[i], r, &p->out[i])) < 0) return rc;
    *row = p->out;
    return 1;
}

static void project_close(sql_op *o)
{
    project_op *p = (project_op *)o;
    sql_op_close(p->in);
    st_arena_free(p->a);
    st_arena_free(p->keep);
    st_free(p);
}

sql_op *sql_op_project(sql_exec_ctx *x, sql_op *in, sx **exprs, size_t n)
{
    project_op *p = st_calloc(1, sizeof *p);
    p->keep = st_arena_new(256);
    p->a = st_arena_new(1024);
    p->op = (sql_op){.next = project_next, .close = project_close, .ncols = n, .x = x};
    p->op.types = st_arena_alloc(p->keep, n ? n : 1);
    for (size_t i = 0; i < n; i++) p->op.types[i] = exprs[i]->type;
    p->out = st_arena_alloc(p->keep, (n ? n : 1) * sizeof *p->out);
    p->in = in;
    p->exprs = exprs;
    return &p->op;
}

/* ---- a set of distinct rows (DISTINCT, INTERSECT, EXCEPT) ---- */

typedef struct rowset {
    htab h;
    sql_value **rows;
    size_t n, cap, ncols;
} rowset;

typedef struct rs_probe {
    const rowset *rs;
    const sql_value *row;
} rs_probe;

static bool rs_eq(void *ctx, uint32_t ri)
{
    rs_probe *p = ctx;
    return sql_row_same(p->rs->rows[ri], p->row, p->rs->ncols);
}

static bool rs_has(const rowset *rs, const sql_value *row, uint64_t h)
{
    rs_probe p = {rs, row};
    return htab_find(&rs->h, h, rs_eq, &p) != UINT32_MAX;
}

static sql_value *rs_add(rowset *rs, st_arena *a, const sql_value *row, uint64_t h)
{
    if (rs->n == rs->cap) {
        rs->cap = rs->cap ? rs->cap * 2 : 64;
        rs->rows = st_realloc(rs->rows, rs->cap * sizeof *rs->rows);
    }
    sql_value *c = sql_row_copy(a, row, rs->ncols);
    rs->rows[rs->n] = c;
    htab_put(&rs->h, h, (uint32_t)rs->n++);
    return c;
}

static void rs_free(rowset *rs)
{
    htab_free(&rs->h);
    st_free(rs->rows);
}

/* ---- distinct ---- */

typedef struct distinct_op {
    sql_op op;
    sql_op *in;
    st_arena *a;
    rowset seen;
    uint64_t held, tick;
} distinct_op;

static int distinct_next(sql_op *o, const sql_value **row, st_err *e)
{
    distinct_op *d = (distinct_op *)o;
    for (;;) {
        const sql_value *r;
        int rc = sql_op_next(d->in, &r, e);
        if (rc <= 0) return rc;
        uint64_t h = sql_row_hash(r, o->ncols);
        if (!rs_has(&d->seen, r, h)) {
            if ((rc = sql_ops_hold(o->x, &d->held, "DISTINCT", e))) return rc;
            *row = rs_add(&d->seen, d->a, r, h);
            return 1;
        }
        if ((rc = sql_ops_poll(o->x, &d->tick, e))) return rc;
    }
}

static void distinct_close(sql_op *o)
{
    distinct_op *d = (distinct_op *)o;
    sql_op_close(d->in);
    rs_free(&d->seen);
    st_arena_free(d->a);
    st_free(d);
}

sql_op *sql_op_distinct(sql_exec_ctx *x, sql_op *in)
{
    distinct_op *d = st_calloc(1, sizeof *d);
    d->op = (sql_op){.next = distinct_next, .close = distinct_close, .ncols = in->ncols, .types = in->types, .x = x};
    d->in = in;
    d->a = st_arena_new(4096);
    d->seen.ncols = in->ncols;
    return &d->op;
}

/* ---- sort ---- */

typedef struct sort_op {
    sql_op op;
    sql_op *in;
    sql_sort_key *keys;
    size_t nkeys;
    st_arena *a;
    sql_value **rows;
    size_t n, cap, at;
    bool loaded;
} sort_op;

static int sort_load(sort_op *s, st_err *e)
{
    uint64_t held = 0, tick = 0;
    int rc;
    const sql_value *r;
    while ((rc = sql_op_next(s->in, &r, e)) == 1) {
        if ((rc = sql_ops_hold(s->op.x, &held, "ORDER BY", e))) return rc;
        if ((rc = sql_ops_poll(s->op.x, &tick, e))) return rc;
        if (s->n == s->cap) {
            s->cap = s->cap ? s->cap * 2 : 256;
            s->rows = st_realloc(s->rows, s->cap * sizeof *s->rows);
        }
        s->rows[s->n++] = sql_row_copy(s->a, r, s->op.ncols);
    }
    if (rc < 0) return rc;
    return sql_rows_sort(s->op.x, s->rows, s->n, s->keys, s->nkeys, e);
}

static int sort_next(sql_op *o, const sql_value **row, st_err *e)
{
    sort_op *s = (sort_op *)o;
    if (!s->loaded) {
        s->loaded = true;
        int rc = sort_load(s, e);
        if (rc < 0) {
            s->n = 0;
            return rc;
        }
    }
    if (s->at >= s->n) return 0;
    *row = s->rows[s->at++];
    return 1;
}

static void sort_close(sql_op *o)
{
    sort_op *s = (sort_op *)o;
    sql_op_close(s->in);
    st_free(s->rows);
    st_arena_free(s->a);
    st_free(s);
}

sql_op *sql_op_sort(sql_exec_ctx *x, sql_op *in, const sql_sort_key *keys, size_t nkeys)
{
    sort_op *s = st_calloc(1, sizeof *s);
    s->op = (sql_op){.next = sort_next, .close = sort_close, .ncols = in->ncols, .types = in->types, .x = x};
    s->in = in;
    s->a = st_arena_new(1 << 14);
    s->keys = st_arena_alloc(s->a, (nkeys ? nkeys : 1) * sizeof *keys);
    if (nkeys) memcpy(s->keys, keys, nkeys * sizeof *keys);
    s->nkeys = nkeys;
    return &s->op;
}

/* ---- ORDER BY with a LIMIT: the best rows in a bounded heap ---- */

/* A row kept by the heap: values and string bytes in one allocation, so a
 * row pushed out returns its memory (an arena would keep every row ever
 * seen). seq breaks ties by input order, which keeps the sort stable. */
typedef struct tn_row {
    sql_value *v;
    uint64_t seq;
} tn_row;

typedef struct topn_op {
    sql_op op;
    sql_op *in;
    sql_sort_key *keys;
    size_t nkeys;
    size_t limit;
    st_arena *a; /* keys */
    tn_row *heap;
    size_t n, at;
    bool loaded;
} topn_op;

static int tn_cmp(const topn_op *t, const tn_row *a, const tn_row *b)
{
    int c = sql_rows_cmp(a->v, b->v, t->keys, t->nkeys);
    if (c) return c;
    return (a->seq > b->seq) - (a->seq < b->seq);
}

/* max-heap: the worst kept row on top, the one a better row replaces */
static void tn_down(topn_op *t, size_t i)
{
    for (;;) {
        size_t l = 2 * i + 1, r = l + 1, m = i;
        if (l < t->n && tn_cmp(t, &t->heap[l], &t->heap[m]) > 0) m = l;
        if (r < t->n && tn_cmp(t, &t->heap[r], &t->heap[m]) > 0) m = r;
        if (m == i) return;
        tn_row x = t->heap[i];
        t->heap[i] = t->heap[m];
        t->heap[m] = x;
        i = m;
    }
}

static void tn_up(topn_op *t, size_t i)
{
    while (i > 0) {
        size_t p = (i - 1) / 2;
        if (tn_cmp(t, &t->heap[i], &t->heap[p]) <= 0) return;
        tn_row x = t->heap[i];
        t->heap[i] = t->heap[p];
        t->heap[p] = x;
        i = p;
    }
}

static sql_value *tn_copy(const sql_value *row, size_t n)
{
    size_t bytes = (n ? n : 1) * sizeof(sql_value);
    for (size_t i = 0; i < n; i++)
        if (!row[i].null && row[i].type == SQLT_VARCHAR) bytes += row[i].u.s.n;
    sql_value *c = st_malloc(bytes);
    char *p = (char *)(c + (n ? n : 1));
    for (size_t i = 0; i < n; i++) {
        c[i] = row[i];
        if (!row[i].null && row[i].type == SQLT_VARCHAR && row[i].u.s.n) {
            memcpy(p, row[i].u.s.p, row[i].u.s.n);
            c[i].u.s.p = p;
            p += row[i].u.s.n;
        }
    }
    return c;
}

static int tn_cmp_sort(const void *a, const void *b, void *ctx) { return tn_cmp(ctx, a, b); }

static int topn_load(topn_op *t, st_err *e)
{
    uint64_t held = 0, tick = 0, seq = 0;
    const sql_value *r;
    int rc;
    while ((rc = sql_op_next(t->in, &r, e)) == 1) {
        if ((rc = sql_ops_poll(t->op.x, &tick, e))) return rc;
        tn_row nr = {.v = (sql_value *)r, .seq = seq++};
        if (t->n < t->limit) {
            if ((rc = sql_ops_hold(t->op.x, &held, "ORDER BY", e))) return rc;
            nr.v = tn_copy(r, t->op.ncols);
            t->heap[t->n++] = nr;
            tn_up(t, t->n - 1);
        } else if (tn_cmp(t, &nr, &t->heap[0]) < 0) {
            st_free(t->heap[0].v);
            nr.v = tn_copy(r, t->op.ncols);
            t->heap[0] = nr;
            tn_down(t, 0);
        }
    }
    if (rc < 0) return rc;
    qsort_r(t->heap, t->n, sizeof *t->heap, tn_cmp_sort, t); /* (keys, seq) is a total order: stable */
    return 0;
}

static int topn_next(sql_op *o, const sql_value **row, st_err *e)
{
    topn_op *t = (topn_op *)o;
    if (!t->loaded) {
        t->loaded = true;
        int rc = t->limit ? topn_load(t, e) : 0;
        if (rc < 0) {
            t->at = t->n;
            return rc;
        }
    }
    if (t->at >= t->n) return 0;
    *row = t->heap[t->at++].v;
    return 1;
}

static void topn_close(sql_op *o)
{
    topn_op *t = (topn_op *)o;
    sql_op_close(t->in);
    for (size_t i = 0; i < t->n; i++) st_free(t->heap[i].v);
    st_free(t->heap);
    st_arena_free(t->a);
    st_free(t);
}

sql_op *sql_op_sort_limit(sql_exec_ctx *x, sql_op *in, const sql_sort_key *keys, size_t nkeys, int64_t limit)
{
    if (limit < 0 || (uint64_t)limit > ((uint64_t)1 << 24)) return sql_op_sort(x, in, keys, nkeys);
    /* the heap keeps flat copies (tn_copy): arrays are copied by the sort */
    for (size_t i = 0; i < in->ncols; i++)
        if (sqlt_is_composite(in->types[i])) return sql_op_sort(x, in, keys, nkeys);
    topn_op *t = st_calloc(1, sizeof *t);
    t->op = (sql_op){.next = topn_next, .close = topn_close, .ncols = in->ncols, .types = in->types, .x = x};
    t->in = in;
    t->a = st_arena_new(256);
    t->keys = st_arena_alloc(t->a, (nkeys ? nkeys : 1) * sizeof *keys);
    if (nkeys) memcpy(t->keys, keys, nkeys * sizeof *keys);
    t->nkeys = nkeys;
    t->limit = (size_t)limit;
    t->heap = st_malloc((t->limit ? t->limit : 1) * sizeof *t->heap);
    return &t->op;
}

/* ---- limit ---- */

typedef struct limit_op {
    sql_op op;
    sql_op *in;
    int64_t offset, limit, passed;
} limit_op;

static int limit_next(sql_op *o, const sql_value **row, st_err *e)
{
    limit_op *l = (limit_op *)o;
    if (l->limit >= 0 && l->passed >= l->limit) return 0; /* no more pulls: the input may be a scan */
    const sql_value *r;
    int rc;
    while (l->offset > 0) {
        if ((rc = sql_op_next(l->in, &r, e)) <= 0) return rc;
        l->offset--;
    }
    if ((rc = sql_op_next(l->in, &r, e)) <= 0) return rc;
    l->passed++;
    *row = r;
    return 1;
}

static void limit_close(sql_op *o)
{
    limit_op *l = (limit_op *)o;
    sql_op_close(l->in);
    st_free(l);
}

sql_op *sql_op_limit(sql_exec_ctx *x, sql_op *in, int64_t offset, int64_t limit)
{
    limit_op *l = st_calloc(1, sizeof *l);
    l->op = (sql_op){.next = limit_next, .close = limit_close, .ncols = in->ncols, .types = in->types, .x = x};
    l->in = in;
    l->offset = offset > 0 ? offset : 0;
    l->limit = limit;
    return &l->op;
}

/* ---- concat ---- */

typedef struct concat_op {
    sql_op op;
    sql_op *a, *b;
    bool second;
} concat_op;

static int concat_next(sql_op *o, const sql_value **row, st_err *e)
{
    concat_op *c = (concat_op *)o;
    if (!c->second) {
        int rc = sql_op_next(c->a, row, e);
        if (rc) return rc;
        c->second = true;
    }
    return sql_op_next(c->b, row, e);
}

static void concat_close(sql_op *o)
{
    concat_op *c = (concat_op *)o;
    sql_op_close(c->a);
    sql_op_close(c->b);
    st_free(c);
}

sql_op *sql_op_concat(sql_exec_ctx *x, sql_op *a, sql_op *b)
{
    concat_op *c = st_calloc(1, sizeof *c);
    c->op = (sql_op){.next = concat_next, .close = concat_close, .ncols = a->ncols, .types = a->types, .x = x};
    c->a = a;
    c->b = b;
    return &c->op;
}

/* ---- INTERSECT / EXCEPT ---- */

typedef struct setop_op {
    sql_op op;
    sql_op *a, *b;
    bool intersect, built;
    st_arena *ar;
    rowset right, out; /* b's distinct rows; rows already answered */
    uint64_t held, tick;
} setop_op;

static int setop_next(sql_op *o, const sql_value **row, st_err *e)
{
    setop_op *s = (setop_op *)o;
    const char *what = s->intersect ? "INTERSECT" : "EXCEPT";
    int rc;
    const sql_value *r;
    if (!s->built) {
        s->built = true;
        while ((rc = sql_op_next(s->b, &r, e)) == 1) {
            uint64_t h = sql_row_hash(r, o->ncols);
            if (rs_has(&s->right, r, h)) continue;
            if ((rc = sql_ops_hold(o->x, &s->held, what, e))) return rc;
            rs_add(&s->right, s->ar, r, h);
        }
        if (rc < 0) return rc;
    }
    for (;;) {
        if ((rc = sql_op_next(s->a, &r, e)) <= 0) return rc;
        uint64_t h = sql_row_hash(r, o->ncols);
        if (rs_has(&s->right, r, h) == s->intersect && !rs_has(&s->out, r, h)) {
            if ((rc = sql_ops_hold(o->x, &s->held, what, e))) return rc;
            *row = rs_add(&s->out, s->ar, r, h);
            return 1;
        }
        if ((rc = sql_ops_poll(o->x, &s->tick, e))) return rc;
    }
}

static void setop_close(sql_op *o)
{
    setop_op *s = (setop_op *)o;
    sql_op_close(s->a);
    sql_op_close(s->b);
    rs_free(&s->right);
    rs_free(&s->out);
    st_arena_free(s->ar);
    st_free(s);
}

sql_op *sql_op_setop(sql_exec_ctx *x, sql_op *a, sql_op *b, bool intersect)
{
    setop_op *s = st_calloc(1, sizeof *s);
    s->op = (sql_op){.next = setop_next, .close = setop_close, .ncols = a->ncols, .types = a->types, .x = x};
    s->a = a;
    s->b = b;
    s->intersect = intersect;
    s->ar = st_arena_new(4096);
    s->right.ncols = s->out.ncols = a->ncols;
    return &s->op;
}
