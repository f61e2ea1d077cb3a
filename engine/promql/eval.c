/* eval: the evaluator's core (eval.h, eval_int.h): the walk over the
 * tree, step-invariant parts, selectors and subqueries, the threads that
 * read independent series, and the answer.
 *
 * Offsets and @ follow Prometheus's mechanism: a node with @ T is read at
 * t - (offset + E - T) for evaluation time t, where E is the first step of
 * the evaluation the node belongs to; a step-invariant part is evaluated at
 * E alone, so it reads at T - offset, and the value is repeated at every
 * step. (Prometheus rewrites the offsets in the tree; the arithmetic here
 * is the same without changing the tree.)
 */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "eval_int.h"
#include "pool.h"

#define PARALLEL_MIN_SERIES 512

/* ------------------------------------------------------------------ plumbing */

int pq_fail(pq_query *q, int code, const char *fmt, ...)
{
    st_err *e = q->e;
    if (!e) return code;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(e->msg, sizeof e->msg, fmt, ap);
    va_end(ap);
    e->code = code;
    return code;
}

int pq_poll(pq_query *q) { return q->budget ? scan_budget_poll(q->budget, q->e) : 0; }

st_arena *pq_arena_new(pq_query *q)
{
    st_arena *a = st_arena_new(256 * 1024);
    pthread_mutex_lock(&q->mu);
    if (q->narenas == q->caparenas) {
        q->caparenas = q->caparenas ? q->caparenas * 2 : 8;
        q->arenas = st_realloc(q->arenas, q->caparenas * sizeof *q->arenas);
    }
    q->arenas[q->narenas++] = a;
    pthread_mutex_unlock(&q->mu);
    return a;
}

double *pq_scalar_new(pq_query *q, const pq_steps *st, double fill)
{
    double *v = st_arena_alloc(q->a, st->n * sizeof *v);
    for (size_t i = 0; i < st->n; i++) v[i] = fill;
    return v;
}

void pq_ser_init(st_arena *a, pq_ser *s, pq_lset lab, size_t n)
{
    s->lab = lab;
    s->v = st_arena_alloc(a, n * sizeof *s->v);
    s->ok = st_arena_alloc(a, n);
    memset(s->ok, 0, n);
    s->ts = NULL;
}

void pq_ser_put(pq_ser *s, size_t i, double v)
{
    s->v[i] = v;
    s->ok[i] = 1;
}

pq_ser *pq_vec_push(st_arena *a, pq_val *v, size_t *cap)
{
    if (v->n == *cap) {
        size_t nc = *cap ? *cap * 2 : 16;
        pq_ser *ns = st_arena_alloc(a, nc * sizeof *ns);
        if (v->n) memcpy(ns, v->s, v->n * sizeof *ns);
        v->s = ns;
        *cap = nc;
    }
    pq_ser *s = &v->s[v->n++];
    memset(s, 0, sizeof *s);
    return s;
}

int64_t pq_at(const pq_query *q, const promql_modifiers *m)
{
    switch (m->at) {
    case PROMQL_AT_TIMESTAMP: return m->at_ms;
    case PROMQL_AT_START: return q->qstart;
    case PROMQL_AT_END: return q->qend;
    default: return PQ_MS_NONE;
    }
}

/* The effective offset of a selector or subquery evaluated at steps st. */
static int64_t eff_offset(const pq_query *q, const promql_modifiers *m, const pq_steps *st)
{
    int64_t at = pq_at(q, m);
    return m->offset_ms + (at == PQ_MS_NONE ? 0 : st->start - at);
}

static bool is_stale(double v)
{
    uint64_t b;
    memcpy(&b, &v, 8);
    return b == ST_STALE_NAN_BITS;
}

static int64_t ms_floor(int64_t ns) { return ns >= 0 ? ns / ST_NS_PER_MS : -((-(ns + 1)) / ST_NS_PER_MS) - 1; }

static void ms_range_ns(int64_t lo, int64_t hi, int64_t *mint, int64_t *maxt)
{
    const int64_t lim = INT64_MAX / ST_NS_PER_MS - 1;
    *mint = lo <= -lim ? INT64_MIN : lo >= lim ? INT64_MAX : lo * ST_NS_PER_MS;
    *maxt = hi >= lim ? INT64_MAX : hi <= -lim ? INT64_MIN : hi * ST_NS_PER_MS + ST_NS_PER_MS - 1;
}

/* ------------------------------------------------------------------ reading series on threads */

/* One series' points in ms, the later of a millisecond winning, and the
 * chunks answered by their statistics. With drop_stale (range functions,
 * which never see stale markers) a millisecond whose winner is a stale
 * marker is left out as the points come, not in a pass of its own. */
typedef struct pts {
    int64_t *t;
    double *v;
    size_t n, cap;
    pq_cstat *cs;
    size_t ncs, capcs;
    bool drop_stale;
    bool last_kept;  /* the last millisecond added is t[n - 1] (not dropped) */
    int64_t last_ms; /* the last millisecond added */
} pts;

static void pts_reset(pts *p)
{
    p->n = p->ncs = 0;
    p->last_kept = false;
    p->last_ms = INT64_MIN;
}

static void pts_free(pts *p)
{
    st_free(p->t);
    st_free(p->v);
    st_free(p->cs);
}

static void pts_add_batch(pts *p, st_vtype type, const scan_batch *b)
{
    if (p->n + b->n > p->cap) {
        p->cap = (p->n + b->n) * 2;
        p->t = st_realloc(p->t, p->cap * sizeof *p->t);
        p->v = st_realloc(p->v, p->cap * sizeof *p->v);
    }
    size_t n = p->n;
    int64_t *t = p->t;
    double *v = p->v;
    /* the later of a millisecond wins: it replaces the point before it if
     * that one was kept; the state stays in registers (this loop runs for
     * every sample) */
    int64_t prev = p->last_ms;
    bool kept = p->last_kept;
    const int64_t *ts = b->ts;
    const uint64_t *vals = b->vals;
    if (type == ST_VT_FLOAT && p->drop_stale) {
        for (size_t i = 0; i < b->n; i++) {
            int64_t ms = ms_floor(ts[i]);
            n -= (ms == prev) & kept;
            kept = vals[i] != ST_STALE_NAN_BITS;
            t[n] = ms;
            memcpy(&v[n], &vals[i], 8);
            n += kept;
            prev = ms;
        }
    } else if (type == ST_VT_FLOAT) {
        for (size_t i = 0; i < b->n; i++) {
            int64_t ms = ms_floor(ts[i]);
            n -= (ms == prev) & kept;
            kept = true;
            t[n] = ms;
            memcpy(&v[n++], &vals[i], 8);
            prev = ms;
        }
    } else {
        for (size_t i = 0; i < b->n; i++) {
            int64_t ms = ms_floor(ts[i]);
            n -= (ms == prev) & kept;
            kept = true;
            t[n] = ms;
            v[n++] = scan_value_double(type, vals[i]);
            prev = ms;
        }
    }
    p->n = n;
    p->last_ms = prev;
    p->last_kept = kept;
}

/* What a worker does with one series: fill out (labels included) from the
 * series' points; keep = false drops it. */
typedef int (*pq_point_fn)(void *ctx, const scan_series *ss, const pts *p, st_arena *a, pq_ser *out,
                           bool *keep, st_err *e);

/* The ordered pipeline. The selection is cut into chunks of consecutive
 * series; threads claim chunks and evaluate their series into a slot; the
 * query's own thread evaluates too, and folds the slots strictly in chunk
 * order, so that whatever consumes the series (a list, an aggregation) sees
 * them in selection order, whatever the threads' timing. At most nslots chunks are in
 * flight: when streaming, a folded chunk's memory is reused, so memory is
 * bounded by the slots, not by the number of series. */
typedef struct pslot {
    pq_ser *res;   /* [csize], by position in the chunk */
    uint8_t *kept;
    st_arena *a;
    bool ready;
} pslot;

typedef struct pqpipe {
    pq_query *q;
    scan *sc;
    pq_point_fn fn;
    void *ctx;
    pq_fold_fn fold;  /* NULL: keep every series (each chunk keeps its arena) */
    void *fctx;
    size_t n, csize, nchunks;
    pslot *slots;
    size_t nslots;
    pthread_mutex_t mu;
    pthread_cond_t cv;
    size_t next_claim, next_fold;
    bool stop;
    int rc;
    st_err e;
    pq_val *out;      /* keep: the series so far */
    size_t cap;
    unsigned helpers; /* lent by the pool and not finished */
    /* chunks the windows take whole may come as statistics (pts.cs) */
    bool (*whole)(void *ctx, int64_t mint_ms, int64_t maxt_ms);
    bool drop_stale;  /* pts.drop_stale */
} pqpipe;

static bool stat_usable(const scan_chunk *ch, st_vtype type)
{
    if (!ch->has_stats || !(ch->stats.flags & CODEC_STATS_VALID) || !ch->ms_aligned || ch->tombstoned ||
        !ch->count || (type != ST_VT_FLOAT && type != ST_VT_INT && type != ST_VT_UINT))
        return false;
    if (type != ST_VT_FLOAT) return true;
    double mn = scan_value_double(type, ch->stats.min), mx = scan_value_double(type, ch->stats.max);
    return mn != 0 && mx != 0; /* 0 and -0 tie: which comes first decides */
}

/* A series chunk by chunk: statistics for the chunks every window takes
 * whole (or not at all), samples for the others. */
static int read_chunks(pqpipe *p, scan_iter *it, const scan_series *ss, pts *buf, st_err *e)
{
    scan_chunk ch;
    int rc;
    while ((rc = scan_iter_chunk(it, &ch)) == 1) {
        /* the windows first (bounds only), the statistics if they take it whole */
        bool whole = p->whole(p->ctx, ch.mint / ST_NS_PER_MS, ch.maxt / ST_NS_PER_MS);
        if (whole && (rc = scan_iter_chunk_stats(it, &ch, e)) != 0) return rc;
        if (whole && stat_usable(&ch, ss->type)) {
            if (buf->ncs == buf->capcs) {
                buf->capcs = buf->capcs ? buf->capcs * 2 : 16;
                buf->cs = st_realloc(buf->cs, buf->capcs * sizeof *buf->cs);
            }
            buf->cs[buf->ncs++] = (pq_cstat){ch.mint / ST_NS_PER_MS, ch.maxt / ST_NS_PER_MS, ch.count,
                                             scan_value_double(ss->type, ch.stats.min),
                                             scan_value_double(ss->type, ch.stats.max),
                                             scan_value_double(ss->type, ch.stats.last)};
            continue;
        }
        scan_batch b;
        while ((rc = scan_iter_chunk_samples(it, &b, e)) == 1) pts_add_batch(buf, ss->type, &b);
        if (rc) return rc;
    }
    return rc;
}

/* Evaluates chunk k into its slot (no lock held). */
static int pipe_process(pqpipe *p, size_t k, pts *buf, st_err *e)
{
    pslot *sl = &p->slots[k % p->nslots];
    size_t from = k * p->csize, to = from + p->csize < p->n ? from + p->csize : p->n;
    if (p->fold) st_arena_reset(sl->a);
    else sl->a = pq_arena_new(p->q); /* kept series live as long as the query */
    memset(sl->kept, 0, p->csize);
    scan_iter *it;
    int rc = scan_iter_open(p->sc, from, to, &it, e);
    scan_series ss;
    while (rc == 0) {
        int more = scan_iter_next(it, &ss, e);
        if (more <= 0) {
            rc = more;
            break;
        }
        pts_reset(buf);
        scan_batch b;
        if (p->whole) rc = read_chunks(p, it, &ss, buf, e);
        else
            while ((rc = scan_iter_batch(it, &b, e)) == 1) pts_add_batch(buf, ss.type, &b);
        if (rc) break;
        bool keep = false;
        rc = p->fn(p->ctx, &ss, buf, sl->a, &sl->res[ss.index - from], &keep, e);
        sl->kept[ss.index - from] = keep;
        if (rc == 0) rc = scan_budget_poll(p->q->budget, e);
    }
    scan_iter_close(it);
    return rc;
}

/* Hands chunk k's kept series to the consumer, in order. */
static void pipe_fold(pqpipe *p, size_t k)
{
    pslot *sl = &p->slots[k % p->nslots];
    size_t cnt = (k + 1) * p->csize <= p->n ? p->csize : p->n - k * p->csize;
    for (size_t i = 0; i < cnt; i++) {
        if (!sl->kept[i]) continue;
        if (p->fold) {
            p->fold(p->fctx, &sl->res[i]);
        } else {
            pq_ser *d = pq_vec_push(p->q->a, p->out, &p->cap);
            *d = sl->res[i];
        }
    }
}

static void pipe_fail(pqpipe *p, int rc, const st_err *e)
{
    if (!p->rc) {
        p->rc = rc;
        p->e = *e;
    }
    p->stop = true;
    /* a budget failure stops the other scans too */
    if (p->q->budget && rc != ST_ETIMEOUT && rc != ST_ELIMIT && rc != ST_ECANCELED)
        scan_budget_fail(p->q->budget, rc, e->msg, NULL);
}

static void pipe_run(pqpipe *p, bool main_thread)
{
    pts buf = {.drop_stale = p->drop_stale};
    st_err e = {0};
    pthread_mutex_lock(&p->mu);
    while (!p->stop) {
        pslot *next = &p->slots[p->next_fold % p->nslots];
        if (main_thread && p->next_fold < p->nchunks && next->ready) {
            size_t k = p->next_fold;
            pthread_mutex_unlock(&p->mu);
            pipe_fold(p, k);
            pthread_mutex_lock(&p->mu);
            next->ready = false;
            p->next_fold++;
            pthread_cond_broadcast(&p->cv);
            continue;
        }
        if (p->next_claim < p->nchunks && p->next_claim < p->next_fold + p->nslots) {
            size_t k = p->next_claim++;
            pthread_mutex_unlock(&p->mu);
            int rc = pipe_process(p, k, &buf, &e);
            pthread_mutex_lock(&p->mu);
            if (rc) pipe_fail(p, rc, &e);
            else p->slots[k % p->nslots].ready = true;
            pthread_cond_broadcast(&p->cv);
            continue;
        }
        if (main_thread ? p->next_fold >= p->nchunks : p->next_claim >= p->nchunks) break;
        pthread_cond_wait(&p->cv, &p->mu);
    }
    pthread_mutex_unlock(&p->mu);
    pts_free(&buf);
}

static void *pipe_worker(void *arg)
{
    pipe_run(arg, false);
    return NULL;
}

static void pipe_helper(void *arg)
{
    pqpipe *p = arg;
    pipe_run(p, false);
    pthread_mutex_lock(&p->mu);
    p->helpers--;
    pthread_cond_broadcast(&p->cv);
    pthread_mutex_unlock(&p->mu);
}

/* Runs fn over every series a vector selector selects in [lo, hi] (ms),
 * on several threads, and hands the kept series in selection order to
 * fold, or, without one, into out. A vector kept is in label order.
 * A fold takes Prometheus's own order (SCAN_ORDER_CREATION): the same
 * rounding of sums as Prometheus's, and over the head alone no label sort,
 * which was a sixth of a small aggregation's time. */
static int each_series(pq_query *q, const promql_node *vs, int64_t lo, int64_t hi, pq_point_fn fn,
                       void *ctx, pq_fold_fn fold, void *fctx, const pq_steps *st, pq_val *out,
                       bool (*whole)(void *ctx, int64_t mint_ms, int64_t maxt_ms), bool drop_stale)
{
    memset(out, 0, sizeof *out);
    out->type = PROMQL_TYPE_VECTOR;
    if (lo > hi) return 0;
    matcher **ms;
    size_t nm;
    st_err me = {0};
    int rc = promql_compile_matchers(vs, &ms, &nm, &me);
    if (rc) return pq_fail(q, ST_EINVAL, "%s", me.msg);
    int64_t mint, maxt;
    ms_range_ns(lo, hi, &mint, &maxt);
    matcher *const *sel[1] = {ms};
    size_t nsel[1] = {nm};
    scan_spec sp = {.db = q->db, .sel = sel, .nsel = nsel, .nselectors = 1, .mint = mint, .maxt = maxt,
                    .mode = SCAN_SAMPLES, .order = fold ? SCAN_ORDER_CREATION : SCAN_ORDER_LABELS,
                    .types = SCAN_TYPES_NUMERIC, .budget = q->budget, .pool = q->o ? q->o->pool : NULL};
    scan *sc;
    rc = scan_open(q->store, &sp, &sc, q->e);
    promql_free_matchers(ms, nm);
    if (rc == ST_ENOTFOUND) return 0; /* no database: no series */
    if (rc) return rc;
    size_t n = scan_count(sc);
    if (!n) {
        scan_close(sc);
        return 0;
    }
    unsigned nt = q->threads;
    if (n < PARALLEL_MIN_SERIES) nt = 1;
    if (nt > n / (PARALLEL_MIN_SERIES / 4) + 1) nt = (unsigned)(n / (PARALLEL_MIN_SERIES / 4) + 1);
    pqpipe p = {.q = q, .sc = sc, .fn = fn, .ctx = ctx, .fold = fold, .fctx = fctx, .n = n, .out = out,
                .whole = whole, .drop_stale = drop_stale};
    /* chunks of about a million points, 16 to 1024 series */
    p.csize = (1u << 20) / (st->n ? st->n : 1);
    if (p.csize < 16) p.csize = 16;
    if (p.csize > 1024) p.csize = 1024;
    /* enough chunks to share: a range query's series cost enough that small
     * chunks even out the threads' shares; an instant one's cost little,
     * and fewer chunks cost less to hand out */
    size_t per = (size_t)nt * (st->n > 1 ? 16 : 4);
    if (nt > 1 && p.csize > n / per + 1) p.csize = n / per + 1;
    p.nchunks = (n + p.csize - 1) / p.csize;
    p.nslots = 2 * (size_t)nt + 1;
    if (p.nslots > p.nchunks) p.nslots = p.nchunks;
    p.slots = st_calloc(p.nslots, sizeof *p.slots);
    for (size_t i = 0; i < p.nslots; i++) {
        p.slots[i].res = st_calloc(p.csize, sizeof *p.slots[i].res);
        p.slots[i].kept = st_calloc(p.csize, 1);
        if (fold) p.slots[i].a = st_arena_new(256 * 1024);
    }
    pthread_mutex_init(&p.mu, NULL);
    pthread_cond_init(&p.cv, NULL);
    pthread_t *th = st_calloc(nt, sizeof *th);
    bool *started = st_calloc(nt, sizeof *started);
    for (unsigned i = 1; i < nt; i++) {
        if (q->o && q->o->pool) {
            /* helpers come only if idle: concurrent queries share the cores */
            pthread_mutex_lock(&p.mu);
            p.helpers++;
            pthread_mutex_unlock(&p.mu);
            if (!pool_lend(q->o->pool, pipe_helper, &p)) {
                pthread_mutex_lock(&p.mu);
                p.helpers--;
                pthread_mutex_unlock(&p.mu);
                break;
            }
        } else {
            started[i] = pthread_create(&th[i], NULL, pipe_worker, &p) == 0;
        }
    }
    pipe_run(&p, true);
    for (unsigned i = 1; i < nt; i++)
        if (started[i]) pthread_join(th[i], NULL);
    pthread_mutex_lock(&p.mu);
    while (p.helpers) pthread_cond_wait(&p.cv, &p.mu);
    pthread_mutex_unlock(&p.mu);
    rc = p.rc;
    if (rc) {
        /* a budget failure names the budget, not the piece it stopped */
        if (q->budget && atomic_load(&q->budget->code) && rc == atomic_load(&q->budget->code))
            pq_fail(q, rc, "%s", q->budget->msg);
        else
            pq_fail(q, rc, "%s", p.e.msg);
    }
    for (size_t i = 0; i < p.nslots; i++) {
        st_free(p.slots[i].res);
        st_free(p.slots[i].kept);
        if (fold) st_arena_free(p.slots[i].a);
    }
    st_free(p.slots);
    st_free(th);
    st_free(started);
    pthread_mutex_destroy(&p.mu);
    pthread_cond_destroy(&p.cv);
    scan_close(sc);
    return rc;
}

/* ------------------------------------------------------------------ instant selectors */

typedef struct sel_ctx {
    pq_query *q;
    const pq_steps *st;
    int64_t offset;   /* effective */
    int64_t lookback;
    bool keep_ts;     /* timestamp(): sample times kept */
    bool at_ref;      /* timestamp(x @ T): read at T at every step */
    int64_t ref;
} sel_ctx;

static int sel_series(void *ctx, const scan_series *ss, const pts *p, st_arena *a, pq_ser *out, bool *keep,
                      st_err *e)
{
    (void)e;
    const sel_ctx *c = ctx;
    const pq_steps *st = c->st;
    pq_ser_init(a, out, pq_lset_copy(a, ss->labels, ss->nlabels), st->n);
    if (c->keep_ts) out->ts = st_arena_alloc(a, st->n * sizeof *out->ts);
    size_t j = 0;
    bool any = false;
    for (size_t i = 0; i < st->n; i++) {
        int64_t ref = c->at_ref ? c->ref : pq_step_time(st, i) - c->offset;
        while (j < p->n && p->t[j] <= ref) j++;
        if (!j) continue;
        size_t k = j - 1;
        if (p->t[k] < ref - c->lookback || is_stale(p->v[k])) continue;
        pq_ser_put(out, i, p->v[k]);
        if (out->ts) out->ts[i] = p->t[k];
        pq_count(c->q, st, i, 1);
        any = true;
    }
    *keep = any;
    return 0;
}

static int eval_selector(pq_query *q, const promql_node *vs, const pq_steps *st, bool keep_ts, bool at_ref,
                         pq_val *out)
{
    sel_ctx c = {.q = q, .st = st, .offset = eff_offset(q, &vs->u.vs.mod, st), .lookback = q->lookback,
                 .keep_ts = keep_ts};
    int64_t lo = pq_step_time(st, 0) - c.offset, hi = pq_step_time(st, st->n - 1) - c.offset;
    if (at_ref) {
        /* Prometheus's timestamp(x @ T) reads at T whatever the offset */
        c.at_ref = true;
        c.ref = pq_at(q, &vs->u.vs.mod);
        lo = hi = c.ref;
    }
    return each_series(q, vs, lo - c.lookback, hi, sel_series, &c, NULL, NULL, st, out, NULL, false);
}

int pq_selector_stream(pq_query *q, const promql_node *vs, const pq_steps *st, pq_fold_fn fold, void *fctx)
{
    sel_ctx c = {.q = q, .st = st, .offset = eff_offset(q, &vs->u.vs.mod, st), .lookback = q->lookback};
    int64_t lo = pq_step_time(st, 0) - c.offset, hi = pq_step_time(st, st->n - 1) - c.offset;
    pq_val unused;
    return each_series(q, vs, lo - c.lookback, hi, sel_series, &c, fold, fctx, st, &unused, NULL, false);
}

int pq_eval_selector_ts(pq_query *q, const promql_node *vs, const pq_steps *st, bool at_ref, pq_val *out)
{
    return eval_selector(q, vs, st, true, at_ref, out);
}

/* ------------------------------------------------------------------ range arguments */

int pq_range_arg_init(pq_query *q, const promql_node *arg, const pq_steps *st, pq_range_arg *ra)
{
    const promql_node *n = pq_unparen(arg);
    memset(ra, 0, sizeof *ra);
    ra->sel = n;
    if (n->kind == PROMQL_MATRIX_SELECTOR) {
        ra->range = n->u.ms.range_ms;
        ra->offset = eff_offset(q, &n->u.ms.vs->u.vs.mod, st);
    } else if (n->kind == PROMQL_SUBQUERY) {
        ra->range = n->u.sq.range_ms;
        ra->offset = eff_offset(q, &n->u.sq.mod, st);
    } else {
        return pq_fail(q, ST_EINVAL, "expected a range vector argument");
    }
    return 0;
}

typedef struct range_ctx {
    const pq_range_arg *ra;
    const pq_steps *st;
    pq_series_fn fn;
    void *ctx;
    int64_t lo, hi;
} range_ctx;

static int range_series(void *ctx, const scan_series *ss, const pts *p, st_arena *a, pq_ser *out, bool *keep,
                        st_err *e)
{
    range_ctx *c = ctx;
    /* Stale markers were left out as the points came (pts.drop_stale).
     * The scan's range is [lo, hi] in whole milliseconds, so points
     * outside it can only be at the ends, and only where the nanosecond
     * range saturated (ms_range_ns): trimmed there. */
    size_t a0 = 0, n = p->n;
    while (a0 < n && p->t[a0] < c->lo) a0++;
    while (n > a0 && p->t[n - 1] > c->hi) n--;
    pq_lset lab = {ss->labels, (uint32_t)ss->nlabels}; /* borrowed: fn copies what it keeps */
    /* a series answered from chunk summaries alone has no points (t, v
     * NULL): no offset may be applied to them */
    const int64_t *t = p->n ? p->t + a0 : p->t;
    const double *v = p->n ? p->v + a0 : p->v;
    return c->fn(c->ctx, lab, t, v, n - a0, p->cs, p->ncs, a, out, keep, e);
}

/* Is every window of the evaluation either around [mint, maxt] whole or
 * apart from it? (No window bound inside it: the windows' starts and ends
 * step by st->step from their first.) */
static bool whole_in_windows(void *ctx, int64_t mint, int64_t maxt)
{
    const range_ctx *c = ctx;
    const pq_steps *st = c->st;
    int64_t s0 = pq_step_time(st, 0) - c->ra->offset - c->ra->range, e0 = pq_step_time(st, 0) - c->ra->offset;
    int64_t step = st->step, n = (int64_t)st->n;
    if (mint < c->lo || maxt > c->hi) return false; /* cut by the read's range */
    /* the first window start > mint: is it <= maxt? */
    int64_t i = mint < s0 ? 0 : (mint - s0) / step + 1;
    if (i < n && s0 + i * step <= maxt) return false;
    /* the first window end >= mint: is it < maxt? */
    i = mint <= e0 ? 0 : (mint - e0 + step - 1) / step;
    if (i < n && e0 + i * step < maxt) return false;
    return true;
}

int pq_range_each(pq_query *q, const pq_range_arg *ra, const pq_steps *st, pq_series_fn fn, void *ctx,
                  pq_fold_fn fold, void *fctx, pq_val *out)
{
    range_ctx c = {.ra = ra, .st = st, .fn = fn, .ctx = ctx};
    c.hi = pq_step_time(st, st->n - 1) - ra->offset;
    c.lo = pq_step_time(st, 0) - ra->offset - ra->range;
    const promql_node *n = ra->sel;
    if (n->kind == PROMQL_MATRIX_SELECTOR)
        return each_series(q, n->u.ms.vs, c.lo, c.hi, range_series, &c, fold, fctx, st, out,
                           ra->stats && st->n > 0 ? whole_in_windows : NULL, true);
    /* a subquery: evaluate its expression at its own steps, then its
     * series are the points of that result */
    int64_t step = n->u.sq.step_ms ? n->u.sq.step_ms : q->substep;
    int64_t from = st->start - ra->offset - ra->range;
    pq_steps in = {.step = step, .end = st->end - ra->offset};
    in.start = step * (from / step);
    if (in.start < from) in.start += step;
    memset(out, 0, sizeof *out);
    out->type = PROMQL_TYPE_VECTOR;
    if (in.start > in.end) return 0;
    in.n = (size_t)((in.end - in.start) / step) + 1;
    pq_val inner;
    int rc = pq_eval(q, n->u.sq.expr, &in, &inner);
    if (rc) return rc;
    int64_t *t = st_malloc(in.n * sizeof *t);
    double *v = st_malloc(in.n * sizeof *v);
    out->s = st_arena_alloc(q->a, (inner.n ? inner.n : 1) * sizeof *out->s);
    for (size_t i = 0; i < inner.n && rc == 0; i++) {
        const pq_ser *s = &inner.s[i];
        size_t k = 0;
        for (size_t j = 0; j < in.n; j++) {
            if (!pq_has(s, j)) continue;
            int64_t tj = pq_step_time(&in, j);
            if (tj < c.lo || tj > c.hi) continue;
            t[k] = tj;
            v[k++] = s->v[j];
        }
        bool keep = false;
        rc = fn(ctx, s->lab, t, v, k, NULL, 0, q->a, &out->s[out->n], &keep, q->e);
        if (keep && fold) fold(fctx, &out->s[out->n]);
        else if (keep) out->n++;
        if (rc == 0) rc = pq_poll(q);
    }
    st_free(t);
    st_free(v);
    return rc;
}

/* ---- a range argument as a matrix (instant queries of x[5m] or x[5m:1m]) ---- */

typedef struct mat_ctx {
    pq_val *m;
    size_t cap;
    pthread_mutex_t mu;
    int64_t lo, hi;
} mat_ctx;

static int mat_series(void *ctx, pq_lset lab, const int64_t *t, const double *v, size_t n, const pq_cstat *cs,
                      size_t ncs, st_arena *a, pq_ser *out, bool *keep, st_err *e)
{
    (void)cs;
    (void)ncs;
    (void)out;
    (void)e;
    mat_ctx *c = ctx;
    *keep = false;
    size_t k = 0;
    for (size_t i = 0; i < n; i++) k += t[i] >= c->lo && t[i] <= c->hi;
    if (!k) return 0;
    pq_mser ms = {.lab = pq_lset_copy(a, lab.ls, lab.n), .t = st_arena_alloc(a, k * sizeof(int64_t)),
                  .v = st_arena_alloc(a, k * sizeof(double)), .n = 0};
    for (size_t i = 0; i < n; i++) {
        if (t[i] < c->lo || t[i] > c->hi) continue;
        ms.t[ms.n] = t[i];
        ms.v[ms.n++] = v[i];
    }
    /* matrix series are few and kept in the order they come: one lock */
    pthread_mutex_lock(&c->mu);
    if (c->m->n == c->cap) {
        c->cap = c->cap ? c->cap * 2 : 16;
        c->m->m = st_realloc(c->m->m, c->cap * sizeof *c->m->m);
    }
    c->m->m[c->m->n++] = ms;
    pthread_mutex_unlock(&c->mu);
    return 0;
}

static int cmp_mser(const void *a, const void *b)
{
    return pq_lset_cmp(((const pq_mser *)a)->lab, ((const pq_mser *)b)->lab);
}

int pq_eval_matrix(pq_query *q, const promql_node *n, const pq_steps *st, pq_val *out)
{
    pq_range_arg ra;
    int rc = pq_range_arg_init(q, n, st, &ra);
    if (rc) return rc;
    mat_ctx c = {.lo = st->start - ra.offset - ra.range, .hi = st->start - ra.offset};
    pthread_mutex_init(&c.mu, NULL);
    pq_val m = {.type = PROMQL_TYPE_MATRIX}, unused;
    c.m = &m;
    rc = pq_range_each(q, &ra, st, mat_series, &c, NULL, NULL, &unused);
    pthread_mutex_destroy(&c.mu);
    if (rc) {
        st_free(m.m);
        return rc;
    }
    /* threads finish in any order: Prometheus's is the selection's (labels) */
    if (m.n > 1) qsort(m.m, m.n, sizeof *m.m, cmp_mser);
    pq_mser *keep = st_arena_alloc(q->a, (m.n ? m.n : 1) * sizeof *keep);
    if (m.n) memcpy(keep, m.m, m.n * sizeof *keep);
    st_free(m.m);
    m.m = keep;
    *out = m;
    return 0;
}

/* ------------------------------------------------------------------ the walk */

static int eval_node(pq_query *q, const promql_node *n, const pq_steps *st, pq_val *out)
{
    memset(out, 0, sizeof *out);
    switch (n->kind) {
    case PROMQL_NUMBER:
        out->type = PROMQL_TYPE_SCALAR;
        out->sc = pq_scalar_new(q, st, n->u.number);
        return 0;
    case PROMQL_STRING:
        out->type = PROMQL_TYPE_STRING;
        out->str = n->u.string;
        return 0;
    case PROMQL_PAREN: return pq_eval(q, n->u.paren.expr, st, out);
    case PROMQL_UNARY: return pq_eval_unary(q, n, st, out);
    case PROMQL_BINARY: return pq_eval_binary(q, n, st, out);
    case PROMQL_AGGREGATE: return pq_eval_aggregate(q, n, st, out);
    case PROMQL_CALL: return pq_eval_call(q, n, st, out);
    case PROMQL_VECTOR_SELECTOR: return eval_selector(q, n, st, false, false, out);
    case PROMQL_MATRIX_SELECTOR:
    case PROMQL_SUBQUERY:
        if (st->n != 1) return pq_fail(q, ST_EINVAL, "cannot do range evaluation of matrix selector");
        return pq_eval_matrix(q, n, st, out);
    }
    return pq_fail(q, ST_EINVAL, "unknown expression");
}

int pq_eval(pq_query *q, const promql_node *n, const pq_steps *st, pq_val *out)
{
    int prc = pq_poll(q);
    if (prc) return prc;
    if (!n->step_invariant || st->n == 1 || n->kind == PROMQL_NUMBER || n->kind == PROMQL_STRING)
        return eval_node(q, n, st, out);
    /* once, at the first step, then the same value at every step */
    pq_steps one = {.start = st->start, .end = st->start, .step = st->step, .n = 1};
    int rc = eval_node(q, n, &one, out);
    if (rc || out->type == PROMQL_TYPE_MATRIX || out->type == PROMQL_TYPE_STRING) return rc;
    if (out->type == PROMQL_TYPE_SCALAR) {
        out->sc = pq_scalar_new(q, st, out->sc[0]);
        return 0;
    }
    for (size_t i = 0; i < out->n; i++) {
        pq_ser *s = &out->s[i];
        double v = s->v[0];
        s->v = st_arena_alloc(q->a, st->n * sizeof *s->v);
        for (size_t k = 0; k < st->n; k++) s->v[k] = v;
        s->ok = NULL; /* present at the one step, so at every step */
        if (s->ts) {
            int64_t t0 = s->ts[0];
            s->ts = st_arena_alloc(q->a, st->n * sizeof *s->ts);
            for (size_t k = 0; k < st->n; k++) s->ts[k] = t0;
        }
    }
    return 0;
}

/* ------------------------------------------------------------------ step invariance */

static bool at_unsafe(const promql_function *f)
{
    static const char *const names[] = {"days_in_month", "day_of_month", "day_of_week", "day_of_year", "hour",
                                        "minute", "month", "year", "predict_linear", "time", "timestamp"};
    for (size_t i = 0; i < ST_ARRAY_LEN(names); i++)
        if (!strcmp(f->name, names[i])) return true;
    return false;
}

/* Prometheus's preprocessExprHelper: marks the parts that are evaluated
 * once; returns whether n itself is step-invariant. */
static bool mark_invariant(promql_node *n)
{
    switch (n->kind) {
    case PROMQL_VECTOR_SELECTOR: return n->u.vs.mod.at != PROMQL_AT_NONE;
    case PROMQL_AGGREGATE: return mark_invariant(n->u.agg.expr);
    case PROMQL_BINARY: {
        bool a = mark_invariant(n->u.bin.lhs), b = mark_invariant(n->u.bin.rhs);
        if (a && b) return true;
        n->u.bin.lhs->step_invariant |= a;
        n->u.bin.rhs->step_invariant |= b;
        return false;
    }
    case PROMQL_CALL: {
        bool inv = !at_unsafe(n->u.call.func);
        bool *each = st_malloc((n->u.call.nargs + 1) * sizeof *each);
        for (size_t i = 0; i < n->u.call.nargs; i++) {
            each[i] = mark_invariant(n->u.call.args[i]);
            inv = inv && each[i];
        }
        if (!inv)
            for (size_t i = 0; i < n->u.call.nargs; i++) n->u.call.args[i]->step_invariant |= each[i];
        st_free(each);
        return inv;
    }
    case PROMQL_MATRIX_SELECTOR: return mark_invariant(n->u.ms.vs);
    case PROMQL_SUBQUERY:
        if (mark_invariant(n->u.sq.expr)) n->u.sq.expr->step_invariant = true;
        return n->u.sq.mod.at != PROMQL_AT_NONE;
    case PROMQL_PAREN: return mark_invariant(n->u.paren.expr);
    case PROMQL_UNARY: return mark_invariant(n->u.unary.expr);
    case PROMQL_NUMBER:
    case PROMQL_STRING: return true;
    }
    return false;
}

/* ------------------------------------------------------------------ the answer */

typedef struct result_mem {
    pq_query q;
} result_mem;

static int cmp_series(const void *a, const void *b)
{
    const promql_series *x = a, *y = b;
    return pq_lset_cmp((pq_lset){x->labels, (uint32_t)x->nlabels}, (pq_lset){y->labels, (uint32_t)y->nlabels});
}

static void make_result(pq_query *q, const pq_steps *st, bool instant, const pq_val *v, promql_result *out)
{
    st_arena *a = q->a;
    out->t = st->start;
    out->step = st->step;
    if (v->type == PROMQL_TYPE_STRING) {
        out->type = PROMQL_TYPE_STRING;
        out->string = v->str;
        return;
    }
    if (instant && v->type == PROMQL_TYPE_SCALAR) {
        out->type = PROMQL_TYPE_SCALAR;
        out->scalar = v->sc[0];
        return;
    }
    if (v->type == PROMQL_TYPE_MATRIX) {
        out->type = PROMQL_TYPE_MATRIX;
        out->series = st_arena_alloc(a, (v->n ? v->n : 1) * sizeof *out->series);
        for (size_t i = 0; i < v->n; i++)
            out->series[i] = (promql_series){v->m[i].lab.ls, v->m[i].lab.n, v->m[i].t, v->m[i].v, v->m[i].n};
        out->nseries = v->n;
        return;
    }
    if (instant) {
        out->type = PROMQL_TYPE_VECTOR;
        out->series = st_arena_alloc(a, (v->n ? v->n : 1) * sizeof *out->series);
        int64_t *t = st_arena_alloc(a, sizeof *t);
        *t = st->start;
        for (size_t i = 0; i < v->n; i++) {
            if (!pq_has(&v->s[i], 0)) continue;
            out->series[out->nseries++] = (promql_series){v->s[i].lab.ls, v->s[i].lab.n, t, v->s[i].v, 1};
        }
        return;
    }
    out->type = PROMQL_TYPE_MATRIX;
    if (v->type == PROMQL_TYPE_SCALAR) {
        int64_t *t = st_arena_alloc(a, st->n * sizeof *t);
        for (size_t i = 0; i < st->n; i++) t[i] = pq_step_time(st, i);
        out->series = st_arena_alloc(a, sizeof *out->series);
        out->series[0] = (promql_series){NULL, 0, t, v->sc, st->n};
        out->nseries = 1;
        return;
    }
    out->series = st_arena_alloc(a, (v->n ? v->n : 1) * sizeof *out->series);
    for (size_t i = 0; i < v->n; i++) {
        const pq_ser *s = &v->s[i];
        size_t k = 0;
        for (size_t j = 0; j < st->n; j++) k += pq_has(s, j);
        if (!k) continue;
        int64_t *t = st_arena_alloc(a, k * sizeof *t);
        double *x = st_arena_alloc(a, k * sizeof *x);
        k = 0;
        for (size_t j = 0; j < st->n; j++) {
            if (!pq_has(s, j)) continue;
            t[k] = pq_step_time(st, j);
            x[k++] = s->v[j];
        }
        out->series[out->nseries++] = (promql_series){s->lab.ls, s->lab.n, t, x, k};
    }
    if (out->nseries > 1) qsort(out->series, out->nseries, sizeof *out->series, cmp_series);
}

static void query_free(pq_query *q)
{
    for (size_t i = 0; i < q->narenas; i++) st_arena_free(q->arenas[i]);
    st_free(q->arenas);
    pthread_mutex_destroy(&q->mu);
}

int promql_exec(store *s, const char *db, promql_node *root, int64_t start_ms, int64_t end_ms, int64_t step_ms,
                const promql_opts *o, scan_budget *budget, promql_result *out, st_err *e)
{
    memset(out, 0, sizeof *out);
    bool instant = step_ms == 0;
    promql_type ty = promql_node_type(root);
    if (!instant && ty != PROMQL_TYPE_SCALAR && ty != PROMQL_TYPE_VECTOR)
        return st_fail(e, ST_EINVAL, "invalid expression type \"%s\" for range query, must be Scalar or instant Vector",
                       promql_type_name(ty));
    result_mem *rm = st_calloc(1, sizeof *rm);
    pq_query *q = &rm->q;
    q->store = s;
    q->db = db;
    q->o = o;
    q->lookback = o && o->lookback_ms ? o->lookback_ms : 5 * 60 * 1000;
    q->substep = o && o->subquery_step_ms ? o->subquery_step_ms : 60 * 1000;
    q->threads = o && o->threads ? o->threads : 0;
    if (!q->threads) {
        long c = sysconf(_SC_NPROCESSORS_ONLN);
        q->threads = c > 0 ? (unsigned)c : 1;
    }
    q->budget = budget;
    q->e = e;
    q->qstart = start_ms;
    q->qend = end_ms;
    pthread_mutex_init(&q->mu, NULL);
    q->a = pq_arena_new(q);
    pq_steps st = {.start = start_ms, .end = end_ms, .step = instant ? 1 : step_ms};
    st.n = (size_t)((end_ms - start_ms) / st.step) + 1;
    if (o && o->step_stats) {
        q->top = &st;
        q->step_samples = st_arena_alloc(q->a, st.n * sizeof *q->step_samples);
        for (size_t i = 0; i < st.n; i++) atomic_init(&q->step_samples[i], 0);
    }
    if (mark_invariant(root)) root->step_invariant = true;
    pq_val v;
    int rc = pq_eval(q, root, &st, &v);
    if (rc) {
        query_free(q);
        st_free(rm);
        return rc;
    }
    make_result(q, &st, instant, &v, out);
    if (q->step_samples) {
        uint64_t *ss = st_arena_alloc(q->a, st.n * sizeof *ss);
        for (size_t i = 0; i < st.n; i++) out->total_samples += ss[i] = atomic_load(&q->step_samples[i]);
        out->step_samples = ss;
        out->nsteps = st.n;
    }
    out->priv = rm;
    return 0;
}

void promql_result_free(promql_result *r)
{
    if (!r || !r->priv) return;
    result_mem *rm = r->priv;
    query_free(&rm->q);
    st_free(rm);
    r->priv = NULL;
}
