/* unnest: the UNNEST operator, an array's or a timeseries' elements as
 * rows beside the row that holds them (see exec.h). */
#include <string.h>

#include "sql/ops_int.h"

typedef struct unnest_op {
    sql_op op;
    sql_op *in;
    sx **args;
    size_t nargs;
    bool ordinality, outer;
    st_arena *ev;          /* the current input row's arrays */
    const sql_value *row;  /* the current input row */
    sql_value *vals;       /* its arrays */
    size_t len, at;        /* elements to give, given */
    bool have;
    bool padded;           /* LEFT JOIN over no element: the one row of NULLs */
    size_t nin;
    sql_value *out;
    uint64_t tick;
} unnest_op;

static int unnest_next(sql_op *op, const sql_value **row, st_err *e)
{
    unnest_op *o = (unnest_op *)op;
    int rc;
    while (!o->have || o->at >= o->len) {
        if ((rc = sql_op_next(o->in, &o->row, e)) <= 0) return rc;
        if ((rc = sql_ops_poll(op->x, &o->tick, e))) return rc;
        st_arena_reset(o->ev);
        sx_ctx c = {.a = o->ev, .e = e, .now_ns = op->x->now_ns};
        o->len = 0;
        for (size_t i = 0; i < o->nargs; i++) {
            if ((rc = sx_eval(&c, o->args[i], o->row, &o->vals[i])) < 0) return rc;
            if (!o->vals[i].null && o->vals[i].u.arr->n > o->len) o->len = o->vals[i].u.arr->n;
        }
        o->at = 0;
        o->have = true;
        o->padded = !o->len && o->outer;
        if (o->padded) {
            o->len = 1; /* one padded row */
            o->at = 0;
            for (size_t i = 0; i < o->nargs; i++) o->vals[i] = sqlv_null(o->args[i]->type);
        }
    }
    if (o->nin) memcpy(o->out, o->row, o->nin * sizeof *o->out);
    size_t k = o->nin;
    for (size_t i = 0; i < o->nargs; i++) {
        const sql_value *v = &o->vals[i];
        uint8_t t = o->args[i]->type, el = (uint8_t)sqlt_elem(t);
        bool has = !v->null && o->at < v->u.arr->n;
        if (sqlt_is_ts(t)) {
            o->out[k++] = has ? sqlv_int(SQLT_TIMESTAMP, v->u.arr->times[o->at]) : sqlv_null(SQLT_TIMESTAMP);
        }
        o->out[k++] = has ? v->u.arr->v[o->at] : sqlv_null(el);
        o->out[k - 1].type = el;
    }
    if (o->ordinality) {
        o->out[k++] = o->padded ? sqlv_null(SQLT_BIGINT) : sqlv_int(SQLT_BIGINT, (int64_t)o->at + 1);
    }
    o->at++;
    *row = o->out;
    return 1;
}

static void unnest_close(sql_op *op)
{
    unnest_op *o = (unnest_op *)op;
    sql_op_close(o->in);
    st_arena_free(o->ev);
    st_free(o->vals);
    st_free(o->out);
    st_free(op->types);
    st_free(o);
}

sql_op *sql_op_unnest(sql_exec_ctx *x, sql_op *in, sx **args, size_t nargs, bool ordinality, bool outer)
{
    unnest_op *o = st_calloc(1, sizeof *o);
    o->in = in;
    o->args = args;
    o->nargs = nargs;
    o->ordinality = ordinality;
    o->outer = outer;
    o->nin = in->ncols;
    o->ev = st_arena_new(4096);
    o->vals = st_calloc(nargs + 1, sizeof *o->vals);
    size_t n = in->ncols + (ordinality ? 1 : 0);
    for (size_t i = 0; i < nargs; i++) n += sqlt_is_ts(args[i]->type) ? 2 : 1;
    o->out = st_calloc(n + 1, sizeof *o->out);
    o->op = (sql_op){.next = unnest_next, .close = unnest_close, .ncols = n, .x = x};
    o->op.types = st_calloc(n + 1, 1);
    if (in->ncols) memcpy(o->op.types, in->types, in->ncols);
    size_t k = in->ncols;
    for (size_t i = 0; i < nargs; i++) {
        if (sqlt_is_ts(args[i]->type)) o->op.types[k++] = SQLT_TIMESTAMP;
        o->op.types[k++] = (uint8_t)sqlt_elem(args[i]->type);
    }
    if (ordinality) o->op.types[k++] = SQLT_BIGINT;
    return &o->op;
}
