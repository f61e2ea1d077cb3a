/* join: the join operator (hash join on equality keys, nested loop otherwise; INNER, CROSS, LEFT, RIGHT, FULL). */
#include <string.h>

#include "sql/ops_int.h"

#define NONE UINT32_MAX

typedef struct join_op {
    sql_op op;
    sql_op *l, *r;
    sql_join_kind kind;
    size_t *lkeys, *rkeys, nkeys;
    sx *cond;
    st_arena *a;  /* the right side's rows, types, the output row */
    st_arena *ev; /* cond's evaluation, reset per joined row */
    sql_value **rrows;
    size_t nr, capr;
    bool *matched;          /* right rows joined at least once (RIGHT, FULL) */
    uint32_t *next, *tail;  /* chains of right rows with equal keys, in input order */
    htab h;             /* key -> first right row with it */
    bool built, left_done;
    const sql_value *lrow;  /* the left row being joined (the left input's, valid until we pull again) */
    bool lmatched;
    uint32_t cand;          /* the next right row to try for lrow */
    size_t rscan;           /* RIGHT/FULL: unmatched right rows answered after the left side */
    sql_value *out;
    uint64_t held, tick;
} join_op;

static uint64_t keys_hash(const sql_value *row, const size_t *cols, size_t n)
{
    uint64_t h = 0x9e3779b97f4a7c15ull;
    for (size_t i = 0; i < n; i++) h = sqlv_hash(&row[cols[i]], h) * 0xff51afd7ed558ccdull + i;
    return h;
}

static bool keys_null(const sql_value *row, const size_t *cols, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (row[cols[i]].null) return true;
    return false;
}

typedef struct kprobe {
    const join_op *j;
    const sql_value *row;
    const size_t *cols; /* the probing row's key columns */
} kprobe;

static bool key_eq(void *ctx, uint32_t ri)
{
    kprobe *p = ctx;
    const sql_value *r = p->j->rrows[ri];
    for (size_t i = 0; i < p->j->nkeys; i++)
        if (!sqlv_same(&r[p->j->rkeys[i]], &p->row[p->cols[i]])) return false;
    return true;
}

static int build(join_op *j, st_err *e)
{
    const sql_value *r;
    int rc;
    while ((rc = sql_op_next(j->r, &r, e)) == 1) {
        if ((rc = sql_ops_hold(j->op.x, &j->held, "JOIN", e))) return rc;
        if ((rc = sql_ops_poll(j->op.x, &j->tick, e))) return rc;
        if (j->nr == j->capr) {
            j->capr = j->capr ? j->capr * 2 : 64;
            j->rrows = st_realloc(j->rrows, j->capr * sizeof *j->rrows);
            j->next = st_realloc(j->next, j->capr * sizeof *j->next);
            j->tail = st_realloc(j->tail, j->capr * sizeof *j->tail);
        }
        uint32_t i = (uint32_t)j->nr++;
        j->rrows[i] = sql_row_copy(j->a, r, j->r->ncols);
        j->next[i] = j->tail[i] = NONE;
        if (!j->nkeys || keys_null(j->rrows[i], j->rkeys, j->nkeys)) continue; /* NULL never matches */
        uint64_t h = keys_hash(j->rrows[i], j->rkeys, j->nkeys);
        kprobe p = {j, j->rrows[i], j->rkeys};
        uint32_t head = htab_find(&j->h, h, key_eq, &p);
        if (head == NONE) {
            htab_put(&j->h, h, i);
            j->tail[i] = i;
        } else {
            j->next[j->tail[head]] = i;
            j->tail[head] = i;
        }
    }
    if (rc < 0) return rc;
    j->matched = st_calloc(j->nr ? j->nr : 1, sizeof *j->matched);
    return 0;
}

static void fill(join_op *j, const sql_value *l, const sql_value *r)
{
    size_t nl = j->l->ncols, nrc = j->r->ncols;
    for (size_t i = 0; i < nl; i++) j->out[i] = l ? l[i] : sqlv_null(j->l->types[i]);
    for (size_t i = 0; i < nrc; i++) j->out[nl + i] = r ? r[i] : sqlv_null(j->r->types[i]);
}

static int join_next(sql_op *o, const sql_value **row, st_err *e)
{
    join_op *j = (join_op *)o;
    int rc;
    if (!j->built) {
        j->built = true;
        if ((rc = build(j, e)) < 0) {
            j->left_done = true;
            j->rscan = j->nr; /* nothing more after a failure */
            return rc;
        }
    }
    sx_ctx c = {.a = j->ev, .e = e, .now_ns = o->x ? o->x->now_ns : 0};
    while (!j->left_done) {
        if (!j->lrow) {
            const sql_value *l;
            rc = sql_op_next(j->l, &l, e);
            if (rc < 0) return rc;
            if (rc == 0) {
                j->left_done = true;
                break;
            }
            j->lrow = l;
            j->lmatched = false;
            if (j->nkeys) {
                j->cand = NONE;
                if (!keys_null(l, j->lkeys, j->nkeys)) {
                    kprobe p = {j, l, j->lkeys};
                    j->cand = htab_find(&j->h, keys_hash(l, j->lkeys, j->nkeys), key_eq, &p);
                }
            } else {
                j->cand = j->nr ? 0 : NONE;
            }
        }
        while (j->cand != NONE) {
            uint32_t i = j->cand;
            j->cand = j->nkeys ? j->next[i] : (i + 1 < j->nr ? i + 1 : NONE);
            if ((rc = sql_ops_poll(o->x, &j->tick, e))) return rc;
            fill(j, j->lrow, j->rrows[i]);
            if (j->cond) {
                st_arena_reset(j->ev);
                int t = sx_truth(&c, j->cond, j->out);
                if (t < 0) return t;
                if (!t) continue;
            }
            j->matched[i] = true;
            j->lmatched = true;
            *row = j->out;
            return 1;
        }
        const sql_value *l = j->lrow;
        j->lrow = NULL;
        if (!j->lmatched && (j->kind == SQL_JOIN_LEFT || j->kind == SQL_JOIN_FULL)) {
            fill(j, l, NULL);
            *row = j->out;
            return 1;
        }
    }
    if (j->kind == SQL_JOIN_RIGHT || j->kind == SQL_JOIN_FULL) {
        while (j->rscan < j->nr) {
            size_t i = j->rscan++;
            if (j->matched[i]) continue;
            fill(j, NULL, j->rrows[i]);
            *row = j->out;
            return 1;
        }
    }
    return 0;
}

static void join_close(sql_op *o)
{
    join_op *j = (join_op *)o;
    sql_op_close(j->l);
    sql_op_close(j->r);
    htab_free(&j->h);
    st_free(j->rrows);
    st_free(j->next);
    st_free(j->tail);
    st_free(j->matched);
    st_arena_free(j->a);
    st_arena_free(j->ev);
    st_free(j);
}

sql_op *sql_op_join(sql_exec_ctx *x, sql_op *l, sql_op *r, sql_join_kind kind, const size_t *lkeys,
                    const size_t *rkeys, size_t nkeys, sx *cond)
{
    join_op *j = st_calloc(1, sizeof *j);
    size_t n = l->ncols + r->ncols;
    j->a = st_arena_new(1 << 14);
    j->ev = st_arena_new(1024);
    j->op = (sql_op){.next = join_next, .close = join_close, .ncols = n, .x = x};
    j->op.types = st_arena_alloc(j->a, n ? n : 1);
    if (l->ncols) memcpy(j->op.types, l->types, l->ncols);
    if (r->ncols) memcpy(j->op.types + l->ncols, r->types, r->ncols);
    j->out = st_arena_alloc(j->a, (n ? n : 1) * sizeof *j->out);
    j->l = l;
    j->r = r;
    j->kind = kind;
    j->nkeys = nkeys;
    j->lkeys = st_arena_alloc(j->a, (nkeys ? nkeys : 1) * sizeof *j->lkeys);
    j->rkeys = st_arena_alloc(j->a, (nkeys ? nkeys : 1) * sizeof *j->rkeys);
    if (nkeys) {
        memcpy(j->lkeys, lkeys, nkeys * sizeof *lkeys);
        memcpy(j->rkeys, rkeys, nkeys * sizeof *rkeys);
    }
    j->cond = cond;
    return &j->op;
}
