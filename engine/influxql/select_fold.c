/* select_fold: the aggregates that fold as samples come (see select_int.h).
 *
 * The general path holds every point of a group, sorts it by time and
 * then aggregates bucket by bucket; for count, sum, mean, min, max, first,
 * last and spread nothing of that is needed. Here each series is folded
 * straight into its group's accumulators, one per bucket and call, as the
 * scan hands over its batches, and series come in the scan's cheapest
 * order. What the general path decides by its (time, tag set) order is
 * kept: a selector's tie in value goes to the earlier time, then to the
 * tag set InfluxDB orders first (first, min, max) or last (last), which is
 * why the tag sets of selector statements are interned.
 *
 * Chunks a bucket takes whole are folded from their statistics (count,
 * sum, min, max, first, last) when the chunk has them: nothing decoded. */
#include <stdlib.h>

#include "bits.h"

#include "influxql/select_int.h"

typedef enum fkind { F_COUNT, F_SUM, F_MEAN, F_MIN, F_MAX, F_FIRST, F_LAST, F_SPREAD } fkind;

typedef struct fcall {
    const iql_expr *x;
    fkind k;
    long field;      /* schema field */
    uint8_t type;    /* its stored type */
} fcall;

/* One call's fold over one bucket. Values are bit patterns of the
 * field's stored type, as the scan gives them; a string is its bytes'
 * address and length, copied into the statement's arena. */
typedef struct facc {
    uint64_t n;      /* values folded */
    int64_t t;       /* selectors: the chosen value's time */
    uint64_t a, b;   /* sum; min (a) and max (b); the chosen value */
    uint32_t tset;   /* selectors: the chosen value's tag set */
} facc;

typedef struct fgroup {
    st_slice *key;   /* values of c->gtags */
    int64_t b0;      /* bucket of acc's first row */
    size_t nb, capb; /* rows held */
    facc *acc;       /* nb x ncalls */
    int64_t mint;    /* the earliest point folded */
} fgroup;

typedef struct fold {
    sctx *c;
    const schema *sc;
    const need *nd;
    fcall *calls;
    size_t ncalls;
    bool ties;       /* selectors present: tag sets interned for ties */
    fgroup *groups;
    size_t ngroups, capgroups;
    htab gix;        /* the groups by their key */
    tset *tsets;     /* interned tag sets (ties only) */
    size_t ntsets, captsets;
    htab tix;        /* the tag sets */
    size_t cells;    /* accumulators held, against max_points */
} fold;

/* ------------------------------------------------------------ eligibility */

static bool fold_kind(st_slice name, fkind *k)
{
    static const struct {
        const char *name;
        fkind k;
    } kinds[] = {{"count", F_COUNT}, {"sum", F_SUM}, {"mean", F_MEAN}, {"min", F_MIN},
                 {"max", F_MAX}, {"first", F_FIRST}, {"last", F_LAST}, {"spread", F_SPREAD}};
    for (size_t i = 0; i < sizeof kinds / sizeof *kinds; i++)
        if (slice_ieq(name, kinds[i].name)) {
            *k = kinds[i].k;
            return true;
        }
    return false;
}

static bool numeric(uint8_t t) { return t == ST_VT_FLOAT || t == ST_VT_INT || t == ST_VT_UINT; }

/* x is made of foldable calls of fields, math and literals; *calls counts
 * the calls. */
static bool column_fits(const schema *sc, const iql_expr *x, size_t *calls)
{
    switch (x->kind) {
    case IQL_E_CALL: {
        if (iqs_is_math(x->str)) {
            for (size_t i = 0; i < x->nargs; i++)
                if (!column_fits(sc, x->args[i], calls)) return false;
            return true;
        }
        fkind k;
        if (!fold_kind(x->str, &k) || x->nargs != 1) return false;
        const iql_expr *arg = x->args[0];
        if (arg->kind != IQL_E_IDENT || arg->cast.n || is_time(arg) || iqs_is_tag(sc, arg)) return false;
        long f = iqs_field_index(sc, arg);
        if (f < 0) return false;
        uint8_t t = sc->ftypes[f];
        if (k != F_COUNT && k != F_FIRST && k != F_LAST && !numeric(t)) return false;
        (*calls)++;
        return true;
    }
    case IQL_E_BINARY: return column_fits(sc, x->l, calls) && column_fits(sc, x->r, calls);
    case IQL_E_IDENT:
    case IQL_E_REGEX:
    case IQL_E_WILDCARD: return false;
    default: return true; /* a literal */
    }
}

/* WHERE names no field (tags, time and names of neither are constant per
 * tag set). */
static bool where_fits(const schema *sc, const iql_expr *x)
{
    if (!x) return true;
    if (x->kind == IQL_E_IDENT && !is_time(x) && !iqs_is_tag(sc, x) && iqs_field_index(sc, x) >= 0) return false;
    if (x->kind == IQL_E_CALL || x->kind == IQL_E_WILDCARD) return false;
    if (!where_fits(sc, x->l) || !where_fits(sc, x->r)) return false;
    for (size_t i = 0; i < x->nargs; i++)
        if (!where_fits(sc, x->args[i])) return false;
    return true;
}

bool iqs_fold_fits(sctx *c, const schema *sc, const ocol *cols, size_t ncols)
{
    if (c->sub || c->wide || c->tz || !c->aggregate || !ncols || c->read_mint != c->mint) return false;
    if (c->by_time && c->interval <= 0) return false;
    if (!where_fits(sc, c->st->where)) return false;
    for (size_t k = 0; k < ncols; k++) {
        size_t n = 0;
        if (!column_fits(sc, cols[k].x, &n) || !n) return false;
    }
    return true;
}

/* ------------------------------------------------------------ tag sets and groups */

static uint64_t mix(uint64_t h, st_slice v) { return (h ^ st_hash64(v.p, v.n, h + v.n)) * 0xff51afd7ed558ccdull; }

static bool is_name(const label *l) { return l->name.n == 8 && !memcmp(l->name.p, LABEL_METRIC_NAME, 8); }

/* The tags of a series (its labels but __name__), borrowed. */
static tset tags_of(const scan_series *ss, label *buf)
{
    tset t = {buf, 0};
    for (size_t i = 0; i < ss->nlabels; i++)
        if (!is_name(&ss->labels[i])) buf[t.n++] = ss->labels[i];
    return t;
}

/* labels.Compare over tags: InfluxDB's series order */
static int tset_cmp(const tset *a, const tset *b)
{
    size_t n = a->n < b->n ? a->n : b->n;
    for (size_t i = 0; i < n; i++) {
        int d = st_slice_cmp(a->tags[i].name, b->tags[i].name);
        if (d) return d;
        if ((d = st_slice_cmp(a->tags[i].value, b->tags[i].value))) return d;
    }
    return (a->n > b->n) - (a->n < b->n);
}

static bool tset_eq(const tset *a, const tset *b)
{
    if (a->n != b->n) return false;
    for (size_t i = 0; i < a->n; i++)
        if (!st_slice_eq(a->tags[i].name, b->tags[i].name) || !st_slice_eq(a->tags[i].value, b->tags[i].value))
            return false;
    return true;
}

typedef struct tprobe {
    const fold *f;
    const tset *t;
} tprobe;

static bool tset_is(void *ctx, uint32_t i)
{
    const tprobe *p = ctx;
    return tset_eq(&p->f->tsets[i], p->t);
}

/* The interned tag set t, copied on first sight. */
static uint32_t tset_intern(fold *f, const tset *t)
{
    uint64_t h = 0x9e3779b97f4a7c15ull;
    for (size_t i = 0; i < t->n; i++) h = mix(mix(h, t->tags[i].name), t->tags[i].value);
    tprobe pr = {f, t};
    uint32_t found = htab_find(&f->tix, h, tset_is, &pr);
    if (found != UINT32_MAX) return found;
    if (f->ntsets == f->captsets) {
        f->captsets = f->captsets ? f->captsets * 2 : 64;
        f->tsets = st_realloc(f->tsets, f->captsets * sizeof *f->tsets);
    }
    tset *n = &f->tsets[f->ntsets];
    n->tags = st_arena_alloc(f->c->a, (t->n + 1) * sizeof *n->tags);
    n->n = t->n;
    for (size_t i = 0; i < t->n; i++) {
        const label *l = &t->tags[i];
        n->tags[i].name = st_slice_of(st_arena_strndup(f->c->a, l->name.p, l->name.n), l->name.n);
        n->tags[i].value = st_slice_of(st_arena_strndup(f->c->a, l->value.p, l->value.n), l->value.n);
    }
    htab_put(&f->tix, h, (uint32_t)f->ntsets);
    return (uint32_t)f->ntsets++;
}

typedef struct gprobe {
    const fold *f;
    const tset *t;
} gprobe;

static bool group_is(void *ctx, uint32_t gi)
{
    const gprobe *p = ctx;
    const sctx *c = p->f->c;
    for (size_t k = 0; k < c->ngtags; k++)
        if (!st_slice_eq(p->f->groups[gi].key[k], iqs_tag_of(p->t, c->gtags[k]))) return false;
    return true;
}

static fgroup *group_of(fold *f, const tset *t)
{
    sctx *c = f->c;
    uint64_t h = 0x9e3779b97f4a7c15ull;
    for (size_t k = 0; k < c->ngtags; k++) h = mix(h, iqs_tag_of(t, c->gtags[k]));
    gprobe pr = {f, t};
    uint32_t gi = htab_find(&f->gix, h, group_is, &pr);
    if (gi != UINT32_MAX) return &f->groups[gi];
    if (f->ngroups == f->capgroups) {
        f->capgroups = f->capgroups ? f->capgroups * 2 : 64;
        f->groups = st_realloc(f->groups, f->capgroups * sizeof *f->groups);
    }
    htab_put(&f->gix, h, (uint32_t)f->ngroups);
    fgroup *g = &f->groups[f->ngroups++];
    memset(g, 0, sizeof *g);
    g->mint = INT64_MAX;
    g->key = st_arena_alloc(c->a, (c->ngtags + 1) * sizeof *g->key);
    for (size_t k = 0; k < c->ngtags; k++) {
        st_slice v = iqs_tag_of(t, c->gtags[k]);
        g->key[k] = st_slice_of(st_arena_strndup(c->a, v.p, v.n), v.n);
    }
    return g;
}

static int limit_fail(sctx *c, uint64_t nb)
{
    return st_fail(c->e, ST_ELIMIT, "max-select-buckets limit exceeded: (%llu/%zu)", (unsigned long long)nb,
                   c->max_points);
}

/* The accumulators of bucket b in g (made on first use). */
static facc *bucket_row(fold *f, fgroup *g, int64_t b, int *rc)
{
    sctx *c = f->c;
    size_t nc = f->ncalls;
    int64_t step = c->by_time ? c->interval : 1;
    if (!g->nb) {
        /* with a lower bound every bucket of the range at once; without, as points come */
        int64_t lo = b, hi = b;
        if (c->by_time && c->has_min) {
            lo = iqs_bucket_of(c, c->mint);
            hi = iqs_bucket_of(c, c->maxt);
        }
        uint64_t nb = ((uint64_t)hi - (uint64_t)lo) / (uint64_t)step + 1;
        if (hi < lo || nb > c->max_points || f->cells + nb * nc > c->max_points || nb * nc / nc != nb) {
            *rc = limit_fail(c, nb);
            return NULL;
        }
        g->acc = st_calloc(nb * nc, sizeof *g->acc);
        g->b0 = lo;
        g->nb = g->capb = nb;
        f->cells += nb * nc;
    }
    if (b < g->b0) {
        uint64_t more = ((uint64_t)g->b0 - (uint64_t)b) / (uint64_t)step;
        uint64_t nb = g->nb + more;
        if (nb > c->max_points || f->cells + more * nc > c->max_points) {
            *rc = limit_fail(c, nb);
            return NULL;
        }
        facc *a = st_calloc(nb * nc, sizeof *a);
        memcpy(a + more * nc, g->acc, g->nb * nc * sizeof *a);
        st_free(g->acc);
        g->acc = a;
        g->nb = g->capb = nb;
        g->b0 = b;
        f->cells += more * nc;
    }
    uint64_t i = ((uint64_t)b - (uint64_t)g->b0) / (uint64_t)step;
    if (i >= g->nb) {
        uint64_t nb = i + 1;
        if (nb > c->max_points || f->cells + (nb - g->nb) * nc > c->max_points) {
            *rc = limit_fail(c, nb);
            return NULL;
        }
        if (nb > g->capb) {
            size_t cap = g->capb * 2 > nb ? g->capb * 2 : nb;
            g->acc = st_realloc(g->acc, cap * nc * sizeof *g->acc);
            g->capb = cap;
        }
        memset(g->acc + g->nb * nc, 0, (nb - g->nb) * nc * sizeof *g->acc);
        f->cells += (nb - g->nb) * nc;
        g->nb = nb;
    }
    return g->acc + i * nc;
}

/* ------------------------------------------------------------ folding */

static double as_f(uint64_t bits)
{
    double d;
    memcpy(&d, &bits, 8);
    return d;
}

static uint64_t f_bits(double d)
{
    uint64_t u;
    memcpy(&u, &d, 8);
    return u;
}

/* <0, 0, >0 of two values of type t (NaN aside: the caller sees to it) */
static int vcmp(uint8_t t, uint64_t x, uint64_t y)
{
    switch (t) {
    case ST_VT_FLOAT: {
        double a = as_f(x), b = as_f(y);
        return (a > b) - (a < b);
    }
    case ST_VT_INT: return ((int64_t)x > (int64_t)y) - ((int64_t)x < (int64_t)y);
    default: return (x > y) - (x < y);
    }
}

static uint64_t keep_str(fold *f, st_slice s, uint64_t *len)
{
    *len = s.n;
    return (uint64_t)(uintptr_t)st_arena_strndup(f->c->a, s.p, s.n);
}

/* Whether the candidate (time t, tag set ts) goes before the chosen one
 * in the general path's (time, tag set) order. */
static bool earlier(const fold *f, int64_t t, uint32_t ts, const facc *a)
{
    if (t != a->t) return t < a->t;
    return f->ties && ts != a->tset && tset_cmp(&f->tsets[ts], &f->tsets[a->tset]) < 0;
}

/* Whether a first() or last() candidate (value v or string sv at time t,
 * tag set ts) replaces the chosen one: the earlier (first) or later
 * (last) time wins. On equal times (points of several tag sets), with
 * GROUP BY time InfluxDB's reducers keep the larger value (of booleans,
 * false for first and true for last); without it, the tag set it orders
 * first (first) or last (last). */
static bool pick(const fold *f, const fcall *fc, const facc *a, int64_t t, uint64_t v, st_slice sv, uint32_t ts)
{
    bool last = fc->k == F_LAST;
    if (!a->n) return true;
    if (t != a->t) return last ? t > a->t : t < a->t;
    if (f->c->by_time) {
        if (fc->type == ST_VT_BOOL) return last ? (v && !a->a) : (!v && a->a);
        if (fc->type == ST_VT_STRING)
            return st_slice_cmp(sv, st_slice_of((const char *)(uintptr_t)a->a, (size_t)a->b)) > 0;
        return vcmp(fc->type, v, a->a) > 0;
    }
    if (!f->ties || ts == a->tset) return last;
    int d = tset_cmp(&f->tsets[ts], &f->tsets[a->tset]);
    return last ? d >= 0 : d < 0;
}

/* Folds values [i, j) of a batch into a. IQS_FOLD_NO on a NaN that an
 * order-dependent call would see. */
static int fold_run(fold *f, const fcall *fc, facc *a, const scan_batch *bt, size_t i, size_t j, uint32_t ts)
{
    uint8_t t = fc->type;
    size_t m = j - i;
    switch (fc->k) {
    case F_COUNT: break;
    case F_SUM:
    case F_MEAN:
        if (t == ST_VT_FLOAT) {
            double s = as_f(a->a);
            for (size_t k = i; k < j; k++) s += as_f(bt->vals[k]);
            a->a = f_bits(s);
        } else if (fc->k == F_MEAN) {
            double s = as_f(a->a);
            for (size_t k = i; k < j; k++) s += t == ST_VT_INT ? (double)(int64_t)bt->vals[k] : (double)bt->vals[k];
            a->a = f_bits(s);
        } else {
            uint64_t s = a->a; /* int64 and uint64 wrap alike */
            for (size_t k = i; k < j; k++) s += bt->vals[k];
            a->a = s;
        }
        break;
    case F_MIN:
    case F_MAX:
    case F_SPREAD: {
        size_t lo = i, hi = i;
        if (t == ST_VT_FLOAT && as_f(bt->vals[i]) != as_f(bt->vals[i])) return IQS_FOLD_NO;
        for (size_t k = i + 1; k < j; k++) {
            if (t == ST_VT_FLOAT && as_f(bt->vals[k]) != as_f(bt->vals[k])) return IQS_FOLD_NO;
            if (vcmp(t, bt->vals[k], bt->vals[lo]) < 0) lo = k;
            if (vcmp(t, bt->vals[k], bt->vals[hi]) > 0) hi = k;
        }
        if (fc->k == F_SPREAD) {
            if (!a->n || vcmp(t, bt->vals[lo], a->a) < 0) a->a = bt->vals[lo];
            if (!a->n || vcmp(t, bt->vals[hi], a->b) > 0) a->b = bt->vals[hi];
            break;
        }
        size_t k = fc->k == F_MIN ? lo : hi;
        int d = a->n ? vcmp(t, bt->vals[k], a->a) : 0;
        if (fc->k == F_MIN) d = -d;
        if (!a->n || d > 0 || (d == 0 && earlier(f, bt->ts[k], ts, a))) {
            a->a = bt->vals[k];
            a->t = bt->ts[k];
            a->tset = ts;
        }
        break;
    }
    case F_FIRST:
    case F_LAST: {
        size_t k = fc->k == F_FIRST ? i : j - 1;
        st_slice sv = t == ST_VT_STRING ? bt->strs[k] : st_slice_of(NULL, 0);
        if (pick(f, fc, a, bt->ts[k], t == ST_VT_STRING ? 0 : bt->vals[k], sv, ts)) {
            a->a = t == ST_VT_STRING ? keep_str(f, sv, &a->b) : bt->vals[k];
            a->t = bt->ts[k];
            a->tset = ts;
        }
        break;
    }
    }
    a->n += m;
    return 0;
}

/* Folds a chunk's statistics (every sample of it in one bucket). */
static void fold_stats(fold *f, const fcall *fc, facc *a, const scan_chunk *ch, uint32_t ts)
{
    const codec_stats *s = &ch->stats;
    uint8_t t = fc->type;
    switch (fc->k) {
    case F_COUNT: break;
    case F_SUM:
    case F_MEAN:
        if (t == ST_VT_FLOAT) a->a = f_bits(as_f(a->a) + as_f(s->sum));
        else if (fc->k == F_MEAN) a->a = f_bits(as_f(a->a) + (t == ST_VT_INT ? (double)(int64_t)s->sum : (double)s->sum));
        else a->a += s->sum;
        break;
    case F_SPREAD:
        if (!a->n || vcmp(t, s->min, a->a) < 0) a->a = s->min;
        if (!a->n || vcmp(t, s->max, a->b) > 0) a->b = s->max;
        break;
    case F_MIN:
    case F_MAX: {
        /* the time of the extreme is not kept: only where it is not seen
         * (stats_fit sees to that) and the value cannot tie another */
        uint64_t v = fc->k == F_MIN ? s->min : s->max;
        int d = a->n ? vcmp(t, v, a->a) : 1;
        if (fc->k == F_MIN && a->n) d = -d;
        if (d > 0) {
            a->a = v;
            a->t = ch->mint;
            a->tset = ts;
        }
        break;
    }
    case F_FIRST:
        if (pick(f, fc, a, ch->mint, s->first, st_slice_of(NULL, 0), ts)) {
            a->a = s->first;
            a->t = ch->mint;
            a->tset = ts;
        }
        break;
    case F_LAST:
        if (pick(f, fc, a, ch->maxt, s->last, st_slice_of(NULL, 0), ts)) {
            a->a = s->last;
            a->t = ch->maxt;
            a->tset = ts;
        }
        break;
    }
    a->n += s->count;
}

/* Whether every call over this series can take the chunk from its
 * statistics: it lies whole in the range and in one bucket, and what the
 * statistics leave out (the time of a min or max, the sign of a zero, the
 * order of a float sum's terms across chunks is as the general path's
 * within tolerance) cannot show. */
static bool stats_fit(const fold *f, const scan_chunk *ch, const fcall *const *mine, size_t nmine, uint8_t type)
{
    sctx *c = f->c;
    if (!ch->has_stats || ch->tombstoned || !ch->exact_mint || !ch->count || type == ST_VT_STRING) return false;
    if (ch->mint < c->mint || ch->maxt > c->maxt) return false;
    if (c->by_time && iqs_bucket_of(c, ch->mint) != iqs_bucket_of(c, ch->maxt)) return false;
    bool valid = ch->stats.flags & CODEC_STATS_VALID;
    for (size_t k = 0; k < nmine; k++) {
        fkind kd = mine[k]->k;
        if (kd == F_COUNT || kd == F_FIRST || kd == F_LAST) continue;
        if (!valid) return false;
        if (kd == F_MIN || kd == F_MAX) {
            /* no row time from it: by time, or beside other calls */
            if (!c->by_time && f->ncalls == 1) return false;
            if (type == ST_VT_FLOAT) {
                double v = as_f(kd == F_MIN ? ch->stats.min : ch->stats.max);
                if (v == 0) return false;
            }
        }
        if (kd == F_SPREAD && type == ST_VT_FLOAT && (as_f(ch->stats.min) == 0 || as_f(ch->stats.max) == 0)) return false;
    }
    return true;
}

/* One series into its group. */
static int fold_series(fold *f, scan_iter *it, const scan_series *ss, label *tagbuf)
{
    sctx *c = f->c;
    tset t = tags_of(ss, tagbuf);
    if (c->st->where && !iqs_where_tags(c, f->sc, f->nd, &t)) return 0;
    long fi = -1;
    for (size_t i = 0; i < f->sc->nfields && fi < 0; i++)
        if (st_slice_eq(f->sc->fields[i], ss->column)) fi = (long)i;
    const fcall *mine[64];
    size_t nmine = 0;
    size_t slot_of[64];
    for (size_t k = 0; k < f->ncalls; k++) {
        if (f->calls[k].field != fi) continue;
        /* a field of several types: the general path mixes them */
        if (f->calls[k].type != ss->type || nmine == 64) return IQS_FOLD_NO;
        slot_of[nmine] = k;
        mine[nmine++] = &f->calls[k];
    }
    if (!nmine) return 0;
    uint32_t ts = f->ties ? tset_intern(f, &t) : 0;
    fgroup *g = group_of(f, &t);
    int rc = 0;
    scan_chunk ch;
    while ((rc = scan_iter_chunk(it, &ch)) == 1) {
        rc = 0;
        if (ch.mint >= c->mint && ch.maxt <= c->maxt && (rc = scan_iter_chunk_stats(it, &ch, c->e)) != 0) return rc;
        if (stats_fit(f, &ch, mine, nmine, ss->type)) {
            facc *row = bucket_row(f, g, c->by_time ? iqs_bucket_of(c, ch.mint) : 0, &rc);
            if (!row) return rc;
            for (size_t k = 0; k < nmine; k++) fold_stats(f, mine[k], &row[slot_of[k]], &ch, ts);
            if (ch.mint < g->mint) g->mint = ch.mint;
            continue;
        }
        scan_batch bt;
        while ((rc = scan_iter_chunk_samples(it, &bt, c->e)) == 1) {
            rc = 0;
            if (bt.ts[0] < g->mint) g->mint = bt.ts[0];
            for (size_t i = 0; i < bt.n;) {
                int64_t b = c->by_time ? iqs_bucket_of(c, bt.ts[i]) : 0;
                size_t j = i + 1;
                if (c->by_time) {
                    int64_t bn = iqs_bucket_next(c, b);
                    while (j < bt.n && bt.ts[j] < bn) j++;
                } else {
                    j = bt.n;
                }
                facc *row = bucket_row(f, g, b, &rc);
                if (!row) return rc;
                for (size_t k = 0; k < nmine && rc == 0; k++) rc = fold_run(f, mine[k], &row[slot_of[k]], &bt, i, j, ts);
                if (rc) return rc;
                i = j;
            }
        }
        if (rc) return rc;
    }
    return rc;
}

/* ------------------------------------------------------------ rows */

static iql_val acc_value(const fcall *fc, const facc *a)
{
    if (!a->n) return iqv_null();
    uint8_t t = fc->type;
    switch (fc->k) {
    case F_COUNT: return iqv_int((int64_t)a->n);
    case F_MEAN: return iqv_float(as_f(a->a) / (double)a->n);
    case F_SPREAD: return iqv_arith(IQL_OP_SUB, iqv_stored(t, a->b, st_slice_of(NULL, 0)), iqv_stored(t, a->a, st_slice_of(NULL, 0)));
    default:
        if (t == ST_VT_STRING) return iqv_stored(t, 0, st_slice_of((const char *)(uintptr_t)a->a, a->b));
        return iqv_stored(t, a->a, st_slice_of(NULL, 0));
    }
}

/* A column of one bucket, as iqs_eval_bucket makes it. */
static iql_val eval(fold *f, const iql_expr *x, const facc *row, aggv *sel, int *rc)
{
    sctx *c = f->c;
    switch (x->kind) {
    case IQL_E_CALL:
        for (size_t k = 0; k < f->ncalls; k++) {
            if (f->calls[k].x != x) continue;
            iql_val v = acc_value(&f->calls[k], &row[k]);
            fkind kd = f->calls[k].k;
            if (sel && row[k].n && (kd == F_MIN || kd == F_MAX || kd == F_FIRST || kd == F_LAST)) {
                sel->v = v;
                sel->t = row[k].t;
                sel->has_t = true;
            }
            if (v.t == IQL_VT_NULL && c->by_time && c->sel->fill == IQL_FILL_VALUE) return iqv_literal(c->sel->fill_value);
            return v;
        }
        {
            /* not one of the calls: math over them */
            iql_val args[2];
            size_t n = x->nargs < 2 ? x->nargs : 2;
            for (size_t k = 0; k < n; k++) args[k] = eval(f, x->args[k], row, sel, rc);
            for (size_t k = 0; k < n; k++)
                if (args[k].t == IQL_VT_NULL) return iqv_null();
            return iqs_math(c, x, args, n, rc);
        }
    case IQL_E_BINARY: {
        iql_val a = eval(f, x->l, row, sel, rc), b = eval(f, x->r, row, sel, rc);
        if (a.t == IQL_VT_NULL || b.t == IQL_VT_NULL) return iqv_null();
        return iqv_arith(x->op, a, b);
    }
    default: return iqv_literal(x);
    }
}

static int group_table(fold *f, const fgroup *g, const ocol *cols, size_t ncols, table *tb)
{
    sctx *c = f->c;
    int rc = 0;
    tb->ncols = ncols;
    facc *empty = st_calloc(f->ncalls + 1, sizeof *empty);
    iql_val *row = st_malloc((ncols + 1) * sizeof *row);
    if (!c->by_time) {
        aggv sel = {0};
        bool any = false;
        for (size_t k = 0; k < ncols && rc == 0; k++) {
            row[k] = eval(f, cols[k].x, g->nb ? g->acc : empty, &sel, &rc);
            any |= row[k].t != IQL_VT_NULL;
        }
        const iql_expr *only = NULL;
        size_t ncalls = 0;
        for (size_t k = 0; k < ncols; k++) ncalls += iqs_count_calls(cols[k].x, &only);
        bool point_time = ncalls == 1 && iqs_is_selector(only->str);
        int64_t t = point_time && sel.has_t ? sel.t : c->has_min ? c->mint : 0;
        if (rc == 0 && any) memcpy(iqs_table_row(tb, t), row, ncols * sizeof *row);
        c->npoints += ncols;
    } else {
        int64_t first = iqs_bucket_of(c, c->has_min ? c->read_mint : g->mint), last = iqs_bucket_of(c, c->maxt);
        uint64_t nb = last >= first ? ((uint64_t)last - (uint64_t)first) / (uint64_t)c->interval + 1 : 1;
        uint64_t vals = nb * ncols;
        if (nb > c->max_points || vals / ncols != nb || c->npoints + vals > c->max_points) rc = limit_fail(c, nb);
        for (int64_t b = first; rc == 0; b = iqs_bucket_next(c, b)) {
            const facc *acc = empty;
            if (g->nb && b >= g->b0) {
                uint64_t i = ((uint64_t)b - (uint64_t)g->b0) / (uint64_t)c->interval;
                if (i < g->nb) acc = g->acc + i * f->ncalls;
            }
            for (size_t k = 0; k < ncols && rc == 0; k++) row[k] = eval(f, cols[k].x, acc, NULL, &rc);
            memcpy(iqs_table_row(tb, b), row, ncols * sizeof *row);
            c->npoints += ncols;
            if (b >= last) break;
        }
        if (rc == 0 && c->sel->desc) iqs_table_reverse(tb);
        if (rc == 0) iqs_fill(c, tb, cols);
    }
    st_free(row);
    st_free(empty);
    return rc;
}

static int cmp_fgroup(const void *a, const void *b, void *arg)
{
    const sctx *c = arg;
    const fgroup *x = a, *y = b;
    for (size_t k = 0; k < c->ngtags; k++) {
        int d = st_slice_cmp(x->key[k], y->key[k]);
        if (d) return d;
    }
    return 0;
}

static void add_calls(fold *f, const schema *sc, const iql_expr *x, size_t *cap)
{
    if (x->kind == IQL_E_BINARY) {
        add_calls(f, sc, x->l, cap);
        add_calls(f, sc, x->r, cap);
        return;
    }
    if (x->kind != IQL_E_CALL) return;
    if (iqs_is_math(x->str)) {
        for (size_t i = 0; i < x->nargs; i++) add_calls(f, sc, x->args[i], cap);
        return;
    }
    f->calls = grow(f->calls, f->ncalls, cap, sizeof *f->calls);
    fcall *fc = &f->calls[f->ncalls++];
    fc->x = x;
    (void)fold_kind(x->str, &fc->k);
    fc->field = iqs_field_index(sc, x->args[0]);
    fc->type = sc->ftypes[fc->field];
    f->ties |= fc->k == F_MIN || fc->k == F_MAX || fc->k == F_FIRST || fc->k == F_LAST;
}

int iqs_fold(sctx *c, const schema *sc, const need *nd, const ocol *cols, size_t ncols, iql_result *res, size_t *cap)
{
    fold f = {.c = c, .sc = sc, .nd = nd};
    size_t capc = 0;
    for (size_t k = 0; k < ncols; k++) add_calls(&f, sc, cols[k].x, &capc);
    scan *scn = NULL;
    scan_iter *it = NULL;
    /* last() alone over one bucket: only each series' newest samples matter */
    bool tail = !c->by_time;
    for (size_t k = 0; k < f.ncalls; k++) tail &= f.calls[k].k == F_LAST;
    int rc = iqs_scan_open(c, sc, nd, SCAN_ORDER_ANY, tail, &scn, &it);
    label *tagbuf = NULL;
    size_t captag = 0;
    scan_series ss;
    size_t npoints0 = c->npoints;
    while (rc == 0 && it && (rc = scan_iter_next(it, &ss, c->e)) == 1) {
        if (ss.nlabels + 1 > captag) {
            captag = (ss.nlabels + 1) * 2;
            tagbuf = st_realloc(tagbuf, captag * sizeof *tagbuf);
        }
        rc = fold_series(&f, it, &ss, tagbuf);
    }
    scan_iter_close(it);
    scan_close(scn);
    st_free(tagbuf);
    if (rc == 0 && f.ngroups > 1) qsort_r(f.groups, f.ngroups, sizeof *f.groups, cmp_fgroup, c);
    if (rc == 0 && c->sel->desc) /* DESC reverses the series too */
        for (size_t i = 0, j = f.ngroups ? f.ngroups - 1 : 0; i < j; i++, j--) {
            fgroup t = f.groups[i];
            f.groups[i] = f.groups[j];
            f.groups[j] = t;
        }
    for (size_t gi = 0; gi < f.ngroups && rc == 0; gi++) {
        table tb = {0};
        rc = group_table(&f, &f.groups[gi], cols, ncols, &tb);
        if (rc == 0) iqs_emit(c, res, cap, sc, f.groups[gi].key, cols, ncols, &tb);
        iqs_table_free(&tb);
    }
    if (rc == IQS_FOLD_NO) c->npoints = npoints0;
    for (size_t i = 0; i < f.ngroups; i++) st_free(f.groups[i].acc);
    st_free(f.groups);
    htab_free(&f.gix);
    st_free(f.tsets);
    htab_free(&f.tix);
    st_free(f.calls);
    return rc;
}
