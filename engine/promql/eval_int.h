/* eval_int: what the evaluator's files share (eval.c: nodes, selectors,
 * subqueries, threads; eval_ops.c: operators and aggregations; eval_call.c:
 * functions; eval_labels.c: label sets and maps). Not public.
 *
 * Values are column-wise over the steps of the evaluation at hand: a
 * scalar is one double per step, an instant vector is a list of series
 * each with one double per step and a presence byte per step (ok == NULL:
 * present at every step). Prometheus evaluates step by step; the order in
 * which series are combined at one step (input order) is kept, so that
 * sums and means agree with it. A range vector (a matrix) is raw points
 * per series and only exists where a function or the answer takes it.
 *
 * All memory of an evaluation lives in arenas freed together at the end;
 * each worker thread allocates from its own.
 */
#ifndef ST_PROMQL_EVAL_INT_H
#define ST_PROMQL_EVAL_INT_H

#include <pthread.h>

#include "eval.h"
#include "funcs.h"
#include "labels.h"

#define PQ_MS_NONE INT64_MIN

/* A label set: sorted by name, no empty values; arena-owned. */
typedef struct pq_lset {
    const label *ls;
    uint32_t n;
} pq_lset;

typedef struct pq_steps {
    int64_t start, end, step; /* ms; step >= 1 */
    size_t n;                 /* (end - start) / step + 1 */
} pq_steps;

static inline int64_t pq_step_time(const pq_steps *st, size_t i) { return st->start + (int64_t)i * st->step; }

typedef struct pq_ser {
    pq_lset lab;
    double *v;      /* [n steps] */
    uint8_t *ok;    /* [n steps]; NULL = present at every step */
    int64_t *ts;    /* [n steps] sample times (only for timestamp()); NULL otherwise */
} pq_ser;

static inline bool pq_has(const pq_ser *s, size_t i) { return !s->ok || s->ok[i]; }

typedef struct pq_mser {
    pq_lset lab;
    int64_t *t;
    double *v;
    size_t n;
} pq_mser;

typedef struct pq_val {
    promql_type type;
    double *sc;     /* SCALAR: [n steps] */
    pq_ser *s;      /* VECTOR */
    pq_mser *m;     /* MATRIX */
    size_t n;       /* series */
    st_slice str;   /* STRING */
} pq_val;

typedef struct pq_query {
    store *store;
    const char *db;
    const promql_opts *o;
    int64_t lookback, substep;
    unsigned threads;
    scan_budget *budget;
    pthread_mutex_t mu;        /* arenas list */
    st_arena **arenas;
    size_t narenas, caparenas;
    st_arena *a;               /* the main thread's */
    int64_t qstart, qend;      /* the query's, for @ start() and end() */
    st_err *e;
    /* samples read at each step of the query itself (stats), or NULL */
    const pq_steps *top;
    _Atomic uint64_t *step_samples;
} pq_query;

/* Counts samples read at step i of st, when st is the query's own steps
 * and counting is on (n may be a worker's local count). */
static inline void pq_count(pq_query *q, const pq_steps *st, size_t i, uint64_t n)
{
    if (q->step_samples && st == q->top && n)
        atomic_fetch_add_explicit(&q->step_samples[i], n, memory_order_relaxed);
}

/* Evaluation of one node at the steps st; E = st->start is the time @
 * offsets are taken from (Prometheus's setOffsetForAtModifier). */
int pq_eval(pq_query *q, const promql_node *n, const pq_steps *st, pq_val *out);
st_arena *pq_arena_new(pq_query *q);

/* The deadline and the client, between pieces of work on the query's own
 * thread (workers poll the budget themselves): 0 or the budget's code. */
int pq_poll(pq_query *q);
/* Errors as Prometheus words them. */
int pq_fail(pq_query *q, int code, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* ---- values ---- */
double *pq_scalar_new(pq_query *q, const pq_steps *st, double fill);
/* A series of n steps, all absent, in arena a. */
void pq_ser_init(st_arena *a, pq_ser *s, pq_lset lab, size_t n);
void pq_ser_put(pq_ser *s, size_t i, double v);
/* Appends series to a vector under construction (array doubling). */
pq_ser *pq_vec_push(st_arena *a, pq_val *v, size_t *cap);

/* ---- label sets (eval_labels.c) ---- */
pq_lset pq_lset_copy(st_arena *a, const label *ls, size_t n);
/* A copy without __name__ when drop_name (two allocations whatever n). */
pq_lset pq_lset_copy_as(st_arena *a, const label *ls, size_t n, bool drop_name);
pq_lset pq_lset_drop_name(st_arena *a, pq_lset l);
st_slice pq_lset_get(pq_lset l, const char *name, size_t len);
uint64_t pq_lset_hash(pq_lset l);
bool pq_lset_eq(pq_lset a, pq_lset b);
/* Hash and equality of the labels other than the one named name. */
uint64_t pq_lset_hash_except(pq_lset l, st_slice name);
bool pq_lset_eq_except(pq_lset a, pq_lset b, st_slice name);
int pq_lset_cmp(pq_lset a, pq_lset b); /* Prometheus's labels.Compare */
/* Builder: a label set under change. */
typedef struct pq_lb {
    label *ls;
    size_t n, cap;
} pq_lb;
void pq_lb_init(pq_lb *b, pq_lset l);
void pq_lb_set(pq_lb *b, st_slice name, st_slice value); /* empty value = delete */
void pq_lb_del(pq_lb *b, st_slice name);
void pq_lb_keep(pq_lb *b, const st_slice *names, size_t n);
pq_lset pq_lb_done(pq_lb *b, st_arena *a); /* copies into a, frees the builder */
/* Hash of the labels named (on = true) or of all but those and __name__
 * (on = false): Prometheus's signatureFunc / HashForLabels. */
uint64_t pq_lset_sig(pq_lset l, bool on, const st_slice *names, size_t n);
/* Go's %s of a label set: {a="b", c="d"}. */
void pq_lset_format(pq_lset l, st_buf *out);

/* A map from 64-bit hashes to indexes (open addressing); keys may collide
 * on purpose (callers compare what the index names). */
typedef struct pq_map {
    uint64_t *h;
    uint32_t *v;  /* index + 1; 0 = empty */
    size_t cap, n;
} pq_map;
/* Finds (h, equal(ctx, idx)) or returns -1. */
long pq_map_find(const pq_map *m, uint64_t h, bool (*equal)(void *ctx, uint32_t ix), void *ctx);
void pq_map_put(pq_map *m, uint64_t h, uint32_t ix);
void pq_map_free(pq_map *m);

/* Collects result series by label set, as Prometheus's rangeEval does:
 * one output series per distinct label set; a second value for the same
 * label set at one step is "vector cannot contain metrics with the same
 * labelset". */
typedef struct pq_out {
    pq_query *q;
    const pq_steps *st;
    pq_val *v;
    size_t cap;
    pq_map map;
} pq_out;
void pq_out_init(pq_out *o, pq_query *q, const pq_steps *st, pq_val *v);
/* The output series with labels l (copied if new): its index. */
size_t pq_out_series(pq_out *o, pq_lset l);
/* Value x at step i of output series k; a second value is the labelset
 * error. */
int pq_out_put(pq_out *o, size_t k, size_t i, double x);
void pq_out_done(pq_out *o);

/* ---- operators and functions ---- */
int pq_eval_binary(pq_query *q, const promql_node *n, const pq_steps *st, pq_val *out);
int pq_eval_unary(pq_query *q, const promql_node *n, const pq_steps *st, pq_val *out);
int pq_eval_aggregate(pq_query *q, const promql_node *n, const pq_steps *st, pq_val *out);
int pq_eval_call(pq_query *q, const promql_node *n, const pq_steps *st, pq_val *out);
/* A vector may not hold one label set twice (checked over all steps). */
int pq_check_unique(pq_query *q, const pq_val *v);

/* Range vector arguments: the points of one series in the window
 * [maxt - range, maxt] of each step, stale markers left out. */
/* A block chunk answered by its statistics (scan.h): every window of the
 * evaluation holds it whole or not at all, its values hold no NaN, no
 * zero (which min and max could not tell from -0) and lie on whole
 * milliseconds, and no deletion touches it. Times in ms. */
typedef struct pq_cstat {
    int64_t mint, maxt;
    uint32_t count;
    double min, max, last;
} pq_cstat;

/* A series of a range argument: its points (stale markers out) and, when
 * the function asked for statistics (pq_range_arg.stats), the chunks
 * answered by them, both in time order and disjoint. */
typedef int (*pq_series_fn)(void *ctx, pq_lset lab, const int64_t *t, const double *v, size_t n,
                            const pq_cstat *cs, size_t ncs, st_arena *a, pq_ser *out, bool *keep, st_err *e);
/* Evaluates fn over every series of a matrix argument (a range selector or
 * a subquery, parentheses allowed): fn gets each series' points in
 * [lo, hi] (the union of its windows) and fills out (labels, values);
 * series run on several threads, results come back in series order,
 * series fn does not keep (keep = false) dropped. lo/hi are asked of the
 * caller through the selector's range and effective offset. */
typedef struct pq_range_arg {
    const promql_node *sel;   /* PROMQL_MATRIX_SELECTOR or PROMQL_SUBQUERY (unwrapped) */
    int64_t range;            /* ms */
    int64_t offset;           /* effective offset (ms), @ applied: window end = t - offset */
    bool stats;               /* chunks whole in every window may come as statistics */
} pq_range_arg;
int pq_range_arg_init(pq_query *q, const promql_node *arg, const pq_steps *st, pq_range_arg *ra);
/* With fold, each kept series goes to fold in series order instead of into
 * out, and its memory is reused once fold returns (a streaming consumer:
 * memory bounded by the pipeline's chunks, not by the series). */
typedef void (*pq_fold_fn)(void *ctx, const pq_ser *s);
int pq_range_each(pq_query *q, const pq_range_arg *ra, const pq_steps *st, pq_series_fn fn, void *ctx,
                  pq_fold_fn fold, void *fctx, pq_val *out);
/* Streaming evaluation for a consumer that folds series one at a time in
 * series order (an aggregation): of an instant selector, or of a range
 * function over a range selector (1 when it streamed, 0 when the call is
 * not of that shape, or an error). */
int pq_selector_stream(pq_query *q, const promql_node *vs, const pq_steps *st, pq_fold_fn fold, void *fctx);
int pq_call_stream(pq_query *q, const promql_node *n, const pq_steps *st, pq_fold_fn fold, void *fctx);
/* The raw points of a range argument as a matrix (an instant query of
 * x[5m] or of a subquery). */
int pq_eval_matrix(pq_query *q, const promql_node *n, const pq_steps *st, pq_val *out);
/* An instant selector evaluated with the sample timestamps kept
 * (timestamp()); ref_fixed: read at this time at every step (@). */
int pq_eval_selector_ts(pq_query *q, const promql_node *vs, const pq_steps *st, bool at_ref,
                        pq_val *out);

/* Strips parentheses. */
static inline const promql_node *pq_unparen(const promql_node *n)
{
    while (n && n->kind == PROMQL_PAREN) n = n->u.paren.expr;
    return n;
}

/* Resolved @ of a selector or subquery (PQ_MS_NONE when none). */
int64_t pq_at(const pq_query *q, const promql_modifiers *m);

#endif
