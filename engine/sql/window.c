/* window: the window-function operator (ranking, lag/lead, first/last_value, aggregates over ROWS/RANGE frames). */
#include <string.h>

#include "sql/ops_int.h"

/*
 * The operator holds its whole input (counted against max_rows as
 * "window"): it sorts it by (partition columns, ORDER BY keys), stably so
 * that peers keep their input order, then computes every function
 * partition by partition and answers the rows in that order. Partitions
 * come out in the order of their keys (SQL leaves it open).
 *
 * Frames: the default (RANGE UNBOUNDED PRECEDING .. CURRENT ROW with an
 * ORDER BY, peers included; the whole partition without), ROWS with
 * UNBOUNDED / n PRECEDING / CURRENT ROW / n FOLLOWING at either end, RANGE
 * with UNBOUNDED and CURRENT ROW bounds. RANGE with an offset and GROUPS
 * are refused with an error. An aggregate whose frame starts at the
 * partition's start keeps one running state (its frames only grow);
 * others are recomputed per row (rows times frame width).
 */

typedef struct win_op {
    sql_op op;
    sql_op *in;
    size_t *pcols, npcols;
    sql_sort_key *keys; /* partition columns, then the order keys */
    size_t nkeys, norder;
    sql_win *fns;
    size_t nfns;
    st_arena *a;  /* rows, results, types */
    st_arena *ev; /* evaluation, reset per value */
    sql_value **rows;
    size_t n, cap, at;
    sql_value *res; /* n * nfns results, in row order */
    sql_value *out;
    size_t *pstart, *pend; /* per row: its peer group [pstart, pend) */
    bool loaded;
    uint64_t held, tick;
} win_op;

static bool same_partition(const win_op *w, const sql_value *a, const sql_value *b)
{
    for (size_t i = 0; i < w->npcols; i++)
        if (!sqlv_same(&a[w->pcols[i]], &b[w->pcols[i]])) return false;
    return true;
}

/* The frame of row i of partition [ps, pe) as rows [*fs, *fe] (empty when
 * *fs > *fe). */
static int frame_of(const win_op *w, const sql_win *f, size_t ps, size_t pe, size_t i, int64_t *fs, int64_t *fe,
                    st_err *e)
{
    int64_t I = (int64_t)i, P = (int64_t)ps, E = (int64_t)pe - 1;
    if (f->frame == SQL_FRAME_NONE) {
        /* RANGE UNBOUNDED PRECEDING to CURRENT ROW (peers included) with an
         * ORDER BY; the whole partition without */
        *fs = P;
        *fe = w->norder ? (int64_t)w->pend[i] - 1 : E;
        return 0;
    }
    sql_bound_kind end = f->end == SQL_BOUND_NONE ? SQL_BOUND_CURRENT_ROW : f->end;
    if (f->frame == SQL_FRAME_ROWS) {
        switch (f->start) {
        case SQL_BOUND_UNBOUNDED_PRECEDING: *fs = P; break;
        case SQL_BOUND_PRECEDING: *fs = I - f->start_n; break;
        case SQL_BOUND_CURRENT_ROW: *fs = I; break;
        case SQL_BOUND_FOLLOWING: *fs = I + f->start_n; break;
        default: *fs = E + 1; break; /* UNBOUNDED FOLLOWING as a start: nothing */
        }
        switch (end) {
        case SQL_BOUND_UNBOUNDED_FOLLOWING: *fe = E; break;
        case SQL_BOUND_FOLLOWING: *fe = I + f->end_n; break;
        case SQL_BOUND_CURRENT_ROW: *fe = I; break;
        case SQL_BOUND_PRECEDING: *fe = I - f->end_n; break;
        default: *fe = P - 1; break;
        }
    } else if (f->frame == SQL_FRAME_RANGE) {
        switch (f->start) {
        case SQL_BOUND_UNBOUNDED_PRECEDING: *fs = P; break;
        case SQL_BOUND_CURRENT_ROW: *fs = (int64_t)w->pstart[i]; break;
        case SQL_BOUND_UNBOUNDED_FOLLOWING: *fs = E + 1; break;
        default: return st_fail(e, ST_EINVAL, "Window frame RANGE with an offset is not supported");
        }
        switch (end) {
        case SQL_BOUND_UNBOUNDED_FOLLOWING: *fe = E; break;
        case SQL_BOUND_CURRENT_ROW: *fe = (int64_t)w->pend[i] - 1; break;
        case SQL_BOUND_UNBOUNDED_PRECEDING: *fe = P - 1; break;
        default: return st_fail(e, ST_EINVAL, "Window frame RANGE with an offset is not supported");
        }
    } else {
        return st_fail(e, ST_EINVAL, "Window frame GROUPS is not supported");
    }
    if (*fs < P) *fs = P;
    if (*fe > E) *fe = E;
    return 0;
}

/* Evaluates x on row r; the value copied into the operator's arena. */
static int eval_keep(win_op *w, sx *x, const sql_value *r, sql_value *out, st_err *e)
{
    st_arena_reset(w->ev);
    sx_ctx c = {.a = w->ev, .e = e, .now_ns = w->op.x ? w->op.x->now_ns : 0};
    sql_value v;
    int rc = sx_eval(&c, x, r, &v);
    if (rc < 0) return rc;
    *out = sqlv_copy(w->a, &v);
    out->type = x->type;
    return 0;
}

static int agg_over(win_op *w, const sql_win *f, size_t ps, size_t pe, size_t fi, st_err *e)
{
    sql_aggst st;
    sql_agg_init(&st);
    int rc = 0;
    /* a frame that starts at the partition's start only grows from row to
     * row: one running state; other frames are computed afresh per row */
    bool running = f->frame == SQL_FRAME_NONE || f->start == SQL_BOUND_UNBOUNDED_PRECEDING;
    int64_t upto = (int64_t)ps - 1;
    /* what the state holds counts against the row limit beside the rows,
     * once: a state computed afresh starts from the rows' count again */
    uint64_t held = w->held;
    for (size_t i = ps; i < pe && rc == 0; i++) {
        int64_t fs, fe;
        if ((rc = frame_of(w, f, ps, pe, i, &fs, &fe, e))) break;
        if (!running) {
            sql_agg_free(&st);
            sql_agg_init(&st);
            upto = fs - 1;
            held = w->held;
        }
        for (; upto < fe && rc == 0; upto++) {
            st_arena_reset(w->ev);
            rc = sql_agg_step(w->op.x, &f->agg, &st, w->rows[upto + 1], w->ev, &held, "window", e);
            if (rc == 0) rc = sql_ops_poll(w->op.x, &w->tick, e);
        }
        if (rc) break;
        sql_value v;
        if ((rc = sql_agg_final(&f->agg, &st, &v, e))) break;
        w->res[i * w->nfns + fi] = sqlv_copy(w->a, &v); /* the state's bytes change with the next row */
    }
    sql_agg_free(&st);
    return rc;
}

static int partition(win_op *w, size_t ps, size_t pe, st_err *e)
{
    /* peer groups: rows equal on the order keys */
    for (size_t i = ps; i < pe;) {
        size_t j = i + 1;
        while (j < pe && sql_rows_cmp(w->rows[i], w->rows[j], w->keys + w->npcols, w->norder) == 0) j++;
        for (size_t k = i; k < j; k++) {
            w->pstart[k] = i;
            w->pend[k] = j;
        }
        i = j;
    }
    int rc = 0;
    for (size_t fi = 0; fi < w->nfns && rc == 0; fi++) {
        const sql_win *f = &w->fns[fi];
        if (f->fn == SQL_WIN_AGG) {
            rc = agg_over(w, f, ps, pe, fi, e);
            continue;
        }
        int64_t dense = 0;
        for (size_t i = ps; i < pe && rc == 0; i++) {
            sql_value *out = &w->res[i * w->nfns + fi];
            *out = sqlv_null(f->type);
            switch (f->fn) {
            case SQL_WIN_ROW_NUMBER: *out = sqlv_int(SQLT_BIGINT, (int64_t)(i - ps + 1)); break;
            case SQL_WIN_RANK: *out = sqlv_int(SQLT_BIGINT, (int64_t)(w->pstart[i] - ps + 1)); break;
            case SQL_WIN_DENSE_RANK:
                if (w->pstart[i] == i) dense++;
                *out = sqlv_int(SQLT_BIGINT, dense);
                break;
            case SQL_WIN_PERCENT_RANK: {
                size_t n = pe - ps;
                *out = sqlv_double(n > 1 ? (double)(w->pstart[i] - ps) / (double)(n - 1) : 0.0);
                break;
            }
            case SQL_WIN_CUME_DIST: *out = sqlv_double((double)(w->pend[i] - ps) / (double)(pe - ps)); break;
            case SQL_WIN_NTILE: {
                if (f->offset <= 0) {
                    rc = st_fail(e, ST_EINVAL, "Buckets must be greater than 0");
                    break;
                }
                /* the first n % k buckets take one row more */
                uint64_t n = pe - ps, k = (uint64_t)f->offset, r = i - ps;
                uint64_t b;
                if (k >= n) b = r;
                else {
                    uint64_t size = n / k, extra = n % k, big = extra * (size + 1);
                    b = r < big ? r / (size + 1) : extra + (r - big) / size;
                }
                *out = sqlv_int(SQLT_BIGINT, (int64_t)b + 1);
                break;
            }
            case SQL_WIN_LAG:
            case SQL_WIN_LEAD: {
                if (f->offset < 0) {
                    rc = st_fail(e, ST_EINVAL, "Offset must be at least 0");
                    break;
                }
                int64_t j = f->fn == SQL_WIN_LAG ? (int64_t)i - f->offset : (int64_t)i + f->offset;
                if (j >= (int64_t)ps && j < (int64_t)pe) rc = eval_keep(w, f->arg, w->rows[j], out, e);
                else if (f->dflt) rc = eval_keep(w, f->dflt, w->rows[i], out, e);
                out->type = f->type;
                break;
            }
            case SQL_WIN_FIRST_VALUE:
            case SQL_WIN_LAST_VALUE: {
                int64_t fs, fe;
                if ((rc = frame_of(w, f, ps, pe, i, &fs, &fe, e))) break;
                if (fs <= fe) rc = eval_keep(w, f->arg, w->rows[f->fn == SQL_WIN_FIRST_VALUE ? fs : fe], out, e);
                out->type = f->type;
                break;
            }
            default: rc = st_fail(e, ST_EINVAL, "unknown window function %d", (int)f->fn); break;
            }
            if (rc == 0) rc = sql_ops_poll(w->op.x, &w->tick, e);
        }
    }
    return rc;
}

static int win_load(win_op *w, st_err *e)
{
    const sql_value *r;
    int rc;
    while ((rc = sql_op_next(w->in, &r, e)) == 1) {
        if ((rc = sql_ops_hold(w->op.x, &w->held, "window", e))) return rc;
        if ((rc = sql_ops_poll(w->op.x, &w->tick, e))) return rc;
        if (w->n == w->cap) {
            w->cap = w->cap ? w->cap * 2 : 256;
            w->rows = st_realloc(w->rows, w->cap * sizeof *w->rows);
        }
        w->rows[w->n++] = sql_row_copy(w->a, r, w->in->ncols);
    }
    if (rc < 0) return rc;
    if ((rc = sql_rows_sort(w->op.x, w->rows, w->n, w->keys, w->nkeys, e))) return rc;
    w->res = st_malloc((w->n * w->nfns + 1) * sizeof *w->res);
    w->pstart = st_malloc((w->n ? w->n : 1) * sizeof *w->pstart);
    w->pend = st_malloc((w->n ? w->n : 1) * sizeof *w->pend);
    for (size_t ps = 0; ps < w->n;) {
        size_t pe = ps + 1;
        while (pe < w->n && same_partition(w, w->rows[ps], w->rows[pe])) pe++;
        if ((rc = partition(w, ps, pe, e))) return rc;
        ps = pe;
    }
    return 0;
}

static int win_next(sql_op *o, const sql_value **row, st_err *e)
{
    win_op *w = (win_op *)o;
    if (!w->loaded) {
        w->loaded = true;
        int rc = win_load(w, e);
        if (rc < 0) {
            w->at = w->n;
            return rc;
        }
    }
    if (w->at >= w->n) return 0;
    size_t i = w->at++, nin = w->in->ncols;
    memcpy(w->out, w->rows[i], nin * sizeof *w->out);
    if (w->nfns) memcpy(w->out + nin, w->res + i * w->nfns, w->nfns * sizeof *w->out);
    *row = w->out;
    return 1;
}

static void win_close(sql_op *o)
{
    win_op *w = (win_op *)o;
    sql_op_close(w->in);
    st_free(w->rows);
    st_free(w->res);
    st_free(w->pstart);
    st_free(w->pend);
    st_arena_free(w->a);
    st_arena_free(w->ev);
    st_free(w);
}

sql_op *sql_op_window(sql_exec_ctx *x, sql_op *in, const size_t *pcols, size_t npcols, const sql_sort_key *order,
                      size_t norder, sql_win *fns, size_t nfns)
{
    win_op *w = st_calloc(1, sizeof *w);
    size_t n = in->ncols + nfns;
    w->a = st_arena_new(1 << 14);
    w->ev = st_arena_new(1024);
    w->op = (sql_op){.next = win_next, .close = win_close, .ncols = n, .x = x};
    w->op.types = st_arena_alloc(w->a, n ? n : 1);
    if (in->ncols) memcpy(w->op.types, in->types, in->ncols);
    for (size_t f = 0; f < nfns; f++) w->op.types[in->ncols + f] = fns[f].type;
    w->out = st_arena_alloc(w->a, (n ? n : 1) * sizeof *w->out);
    w->in = in;
    w->npcols = npcols;
    w->pcols = st_arena_alloc(w->a, (npcols ? npcols : 1) * sizeof *w->pcols);
    if (npcols) memcpy(w->pcols, pcols, npcols * sizeof *pcols);
    /* rows sorted by partition (any order of partitions will do) then by
     * the window's ORDER BY; the sort is stable, so peers keep input order */
    w->nkeys = npcols + norder;
    w->norder = norder;
    w->keys = st_arena_alloc(w->a, (w->nkeys ? w->nkeys : 1) * sizeof *w->keys);
    for (size_t i = 0; i < npcols; i++) w->keys[i] = (sql_sort_key){.col = pcols[i]};
    if (norder) memcpy(w->keys + npcols, order, norder * sizeof *order);
    w->fns = fns;
    w->nfns = nfns;
    return &w->op;
}
