/* foldop: GROUP BY dimensions and a time bucket with count, sum, avg, min
 * and max of fields, folded series by series as the scan reads them.
 *
 * The general plan merges a tag set's fields into rows, evaluates bin()
 * per row and hashes each row into its group. When a query is only that
 * shape (see plan.c: every WHERE condition pushed into the scan exactly,
 * keys that are dimensions, measure_name or bin/date_trunc of time,
 * aggregates of plain fields), the rows need never be made: each field's
 * series is folded straight into its (group, bucket) accumulators, and a
 * chunk lying inside one bucket and inside the range is folded from its
 * statistics without being decoded.
 *
 * A group exists where a row exists: a bucket where some field of some of
 * its tag sets has a value, even when the aggregated fields have none
 * there (their aggregates are then NULL, count 0). Fields nobody
 * aggregates are therefore read too, but only for their times, and a
 * chunk that sits inside one bucket answers that from its bounds alone.
 *
 * Values convert as the scan operator converts them (scanop.c): integers
 * and unsigned integers into a double column, unsigned into bigint when
 * it fits (else the query fails), other mismatches are NULL. Of two series
 * stored for one (tag set, column), the one under the metric the schema
 * names is read (the scan operator prefers it as well; it differs only
 * when that series is missing from a tag set that has the other).
 *
 * In a table with Timestream's records (sql_scan_def.measured) a
 * measure_name key is one more key tag, the label measure_name, whose
 * absence reads as the table's name (so a series without the label and
 * one labelled with the table's name fall in one group); a field read
 * from series without the label alone (plain_only) is scanned with a
 * matcher that says so. A timestamp column counts and gives last values.
 */
#include <inttypes.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "labels.h"
#include "pool.h"
#include "sql/ops_int.h"

typedef struct facc {
    uint64_t n;
    bool has;
    union { /* which one: by the aggregate and its column's type */
        double d;       /* double sum, min, max */
        int64_t i;      /* bigint sum, min, max */
        __int128 wide;  /* avg of bigints */
        struct {
            int64_t t;   /* max_by: the time of v */
            sql_value v; /* max_by: the value, converted (strings in the operator's arena) */
        };
    };
} facc;

typedef struct fentry {
    uint32_t group;
    int64_t bucket;
    int64_t last;    /* last rows: the group's newest time */
    bool has_last;
} fentry;

typedef struct fold_op {
    sql_op op;
    sql_fold_def d;
    st_arena *a;
    /* groups: the key tags' values */
    st_slice *keynames;        /* the key tags' names, nkt */
    bool *kmeasure;            /* nkt: the key tag is measure_name (absent = the table's name) */
    bool any_kmeasure;
    st_slice *gvals;           /* ngroups x nkt; .p NULL = the tag is absent */
    size_t nkt, ngroups, capgroups;
    /* each group's buckets so far: their span and number (dense when it
     * fills the span), which answers whether a span is covered at once */
    int64_t *gbmin, *gbmax;
    uint64_t *gnb;
    /* each group's run: entries run0 .. run0 + runn - 1 are its buckets
     * runb, runb + width, ... in turn (a series' buckets as it makes them),
     * found by arithmetic; only entries outside runs are in etab */
    size_t *run0, *runn;
    int64_t *runb;
    htab gtab;
    /* (group, bucket) entries, and beside them their accumulators (naggs,
     * at least 1, each; kept apart so that sorting moves both in one pass) */
    fentry *ents;
    facc *accs;
    size_t nents, capents, stride;
    htab etab;
    uint64_t held, tick;
    /* each field's aggregates (indexes into d.aggs), and the most of any */
    size_t **fmine, *nfmine, maxmine;
    /* answering */
    bool done;
    size_t next;
    sql_value *out;
} fold_op;

static int64_t bucket_of(const fold_op *o, int64_t t)
{
    int64_t w = o->d.width;
    if (w <= 0) return 0;
    int64_t q = t / w;
    if (t % w != 0 && t < 0) q--;
    return q * w;
}

typedef struct gkey {
    fold_op *o;
    const st_slice *v;
} gkey;

static bool group_eq(void *ctx, uint32_t gi)
{
    gkey *k = ctx;
    return labels_tuple_eq(k->o->gvals + (size_t)gi * k->o->nkt, k->v, k->o->nkt);
}

/* The group of key values v (nkt of them, hash h): found, or added with
 * the values copied. */
static uint32_t group_at(fold_op *o, const st_slice *v, uint64_t h)
{
    gkey key = {o, v};
    uint32_t gi = htab_find(&o->gtab, h, group_eq, &key);
    if (gi != UINT32_MAX) return gi;
    if (o->ngroups == o->capgroups) {
        size_t nc = o->capgroups ? o->capgroups * 2 : 64;
        st_slice *nv = st_arena_alloc(o->a, nc * (o->nkt ? o->nkt : 1) * sizeof *nv);
        if (o->ngroups) memcpy(nv, o->gvals, o->ngroups * o->nkt * sizeof *nv);
        o->gvals = nv;
        o->capgroups = nc;
        o->gbmin = st_realloc(o->gbmin, nc * sizeof *o->gbmin);
        o->gbmax = st_realloc(o->gbmax, nc * sizeof *o->gbmax);
        o->gnb = st_realloc(o->gnb, nc * sizeof *o->gnb);
        o->run0 = st_realloc(o->run0, nc * sizeof *o->run0);
        o->runn = st_realloc(o->runn, nc * sizeof *o->runn);
        o->runb = st_realloc(o->runb, nc * sizeof *o->runb);
    }
    st_slice *g = o->gvals + o->ngroups * o->nkt;
    for (size_t k = 0; k < o->nkt; k++)
        g[k] = v[k].p ? st_slice_of(st_arena_strndup(o->a, v[k].p, v[k].n), v[k].n) : (st_slice){0};
    htab_put(&o->gtab, h, (uint32_t)o->ngroups);
    o->gbmin[o->ngroups] = INT64_MAX;
    o->gbmax[o->ngroups] = INT64_MIN;
    o->gnb[o->ngroups] = 0;
    o->runn[o->ngroups] = 0;
    return (uint32_t)o->ngroups++;
}

/* A series' values of the key tags into v (nkt). */
static void pick_keys(const fold_op *o, const scan_series *ss, st_slice *v)
{
    labels_pick(ss->labels, ss->nlabels, o->keynames, o->nkt, v);
    if (o->any_kmeasure)
        for (size_t k = 0; k < o->nkt; k++)
            if (o->kmeasure[k] && !v[k].p) v[k] = o->d.scan.table;
}

/* The group of a series: its values of the key tags. */
static uint32_t group_of(fold_op *o, const scan_series *ss)
{
    st_slice v[64];
    pick_keys(o, ss, v);
    return group_at(o, v, labels_tuple_hash(v, o->nkt));
}

typedef struct ekey {
    fold_op *o;
    uint32_t g;
    int64_t b;
} ekey;

static bool ent_eq(void *ctx, uint32_t ei)
{
    ekey *k = ctx;
    return k->o->ents[ei].group == k->g && k->o->ents[ei].bucket == k->b;
}

static facc *acc_of(const fold_op *o, const fentry *en) { return o->accs + (size_t)(en - o->ents) * o->stride; }

static uint64_t entry_hash(uint32_t g, int64_t b)
{
    uint64_t h = ((uint64_t)g * 0x9e3779b97f4a7c15ull) ^ ((uint64_t)b * 0xc2b2ae3d27d4eb4full);
    return h ^ (h >> 29);
}

/* The position of bucket b in group g's run, or SIZE_MAX. */
static size_t run_at(const fold_op *o, uint32_t g, int64_t b)
{
    if (!o->runn[g]) return SIZE_MAX;
    int64_t d;
    if (__builtin_sub_overflow(b, o->runb[g], &d) || d < 0) return SIZE_MAX;
    uint64_t k = o->d.width > 0 ? (d % o->d.width ? UINT64_MAX : (uint64_t)(d / o->d.width)) : (d ? UINT64_MAX : 0);
    return k < o->runn[g] ? o->run0[g] + (size_t)k : SIZE_MAX;
}

static fentry *entry_find(fold_op *o, uint32_t g, int64_t b)
{
    size_t at = run_at(o, g, b);
    if (at != SIZE_MAX) return &o->ents[at];
    ekey k = {o, g, b};
    uint32_t ei = htab_find(&o->etab, entry_hash(g, b), ent_eq, &k);
    return ei == UINT32_MAX ? NULL : &o->ents[ei];
}

static fentry *entry(fold_op *o, uint32_t g, int64_t b, st_err *e, int *rc)
{
    fentry *found = entry_find(o, g, b);
    if (found) return found;
    if ((*rc = sql_ops_hold(o->op.x, &o->held, "GROUP BY", e))) return NULL;
    if (o->nents == o->capents) {
        size_t nc = o->capents ? o->capents * 2 : 256;
        o->ents = st_realloc(o->ents, nc * sizeof *o->ents);
        o->accs = st_realloc(o->accs, nc * o->stride * sizeof *o->accs);
        o->capents = nc;
    }
    fentry *en = &o->ents[o->nents];
    en->group = g;
    en->bucket = b;
    if (b < o->gbmin[g]) o->gbmin[g] = b;
    if (b > o->gbmax[g]) o->gbmax[g] = b;
    o->gnb[g]++;
    en->last = INT64_MIN;
    en->has_last = false;
    memset(o->accs + o->nents * o->stride, 0, o->stride * sizeof *o->accs);
    int64_t next;
    if (!o->runn[g]) {
        o->run0[g] = o->nents;
        o->runb[g] = b;
        o->runn[g] = 1;
    } else if (o->d.width > 0 && o->run0[g] + o->runn[g] == o->nents &&
               !__builtin_mul_overflow((int64_t)o->runn[g], o->d.width, &next) &&
               !__builtin_add_overflow(next, o->runb[g], &next) && next == b) {
        o->runn[g]++;
    } else {
        htab_put(&o->etab, entry_hash(g, b), (uint32_t)o->nents);
    }
    return &o->ents[o->nents++];
}

/* How a series' stored values read in its column: 0 not at all (NULL),
 * 1 as double, 2 as bigint, 3 as bigint checked (unsigned), 4 as is
 * (count only: strings, booleans). */
static int reading(uint8_t ctype, uint8_t stype)
{
    switch (ctype) {
    case SQLT_DOUBLE: return stype == ST_VT_FLOAT || stype == ST_VT_INT || stype == ST_VT_UINT ? 1 : 0;
    case SQLT_BIGINT: return stype == ST_VT_INT ? 2 : stype == ST_VT_UINT ? 3 : 0;
    case SQLT_VARCHAR: return stype == ST_VT_STRING ? 4 : 0;
    case SQLT_BOOLEAN: return stype == ST_VT_BOOL ? 4 : 0;
    case SQLT_TIMESTAMP: return stype == ST_VT_INT ? 5 : 0;
    default: return 0;
    }
}

/* Trino's order of doubles for min and max: NaN above everything. */
static bool dbl_less(double a, double b)
{
    if (isnan(a)) return false;
    if (isnan(b)) return true;
    return a < b;
}

static int fold_value(const fold_op *o, const sql_fold_agg *ag, facc *a, int mode, uint8_t stype, uint64_t bits,
                      st_err *e)
{
    if (!mode) return 0;
    if (ag->kind == SQL_AGG_COUNT || mode >= 4) {
        a->n++;
        a->has = true;
        return 0;
    }
    if (mode == 1) {
        double v = scan_value_double((st_vtype)stype, bits);
        switch (ag->kind) {
        case SQL_AGG_SUM:
        case SQL_AGG_AVG: a->d += v; break;
        case SQL_AGG_MIN:
            if (!a->has || dbl_less(v, a->d)) a->d = v;
            break;
        case SQL_AGG_MAX:
            if (!a->has || dbl_less(a->d, v)) a->d = v;
            break;
        default: break;
        }
    } else {
        if (mode == 3 && bits > (uint64_t)INT64_MAX)
            return st_fail(e, ST_EINVAL, "value %" PRIu64 " of column '%.*s' is out of range for bigint", bits,
                           (int)o->d.scan.fields[ag->field].n, o->d.scan.fields[ag->field].p);
        int64_t v = (int64_t)bits;
        switch (ag->kind) {
        case SQL_AGG_SUM:
            if (__builtin_add_overflow(a->i, v, &a->i))
                return st_fail(e, ST_EINVAL, "bigint addition overflow: %" PRId64 " + %" PRId64, a->i, v);
            break;
        case SQL_AGG_AVG: a->wide += v; break;
        case SQL_AGG_MIN:
            if (!a->has || v < a->i) a->i = v;
            break;
        case SQL_AGG_MAX:
            if (!a->has || v > a->i) a->i = v;
            break;
        default: break;
        }
    }
    a->n++;
    a->has = true;
    return 0;
}

/* A run of floats into a double column, one bucket's: accumulated in
 * registers and merged once (the accumulator is memory the compiler must
 * otherwise store to on every sample). */
static void fold_floats(const sql_fold_agg *ag, facc *a, const uint64_t *vals, size_t n)
{
    if (!n) return;
    switch (ag->kind) {
    case SQL_AGG_COUNT: break;
    case SQL_AGG_SUM:
    case SQL_AGG_AVG: {
        double sum = 0;
        for (size_t i = 0; i < n; i++) {
            double v;
            memcpy(&v, &vals[i], 8);
            sum += v;
        }
        a->d += sum;
        break;
    }
    case SQL_AGG_MIN:
    case SQL_AGG_MAX: {
        bool max = ag->kind == SQL_AGG_MAX, nan = false, any = false;
        double best = 0;
        for (size_t i = 0; i < n; i++) {
            double v;
            memcpy(&v, &vals[i], 8);
            if (v != v) {
                nan = true;
                continue;
            }
            if (!any || (max ? v > best : v < best)) best = v;
            any = true;
        }
        /* NaN is above every number (Trino's order): max takes it, min only
         * when nothing else came */
        if (max && nan) best = NAN, any = true;
        if (!any) best = NAN;
        if (!a->has || (max ? dbl_less(a->d, best) : dbl_less(best, a->d))) a->d = best;
        break;
    }
    default: break;
    }
    a->n += n;
    a->has = true;
}

/* A whole chunk from its statistics (floats into double columns, integers
 * into bigint columns only: other pairs are decoded). */
static bool stats_fit(const scan_chunk *ch, const sql_fold_agg *const *mine, size_t nmine, uint8_t stype,
                      const uint8_t *ctypes)
{
    if (!ch->has_stats || !ch->stats.count || !(ch->stats.flags & CODEC_STATS_VALID)) return false;
    for (size_t k = 0; k < nmine; k++) {
        uint8_t ct = ctypes[mine[k]->field];
        bool ok = (stype == ST_VT_FLOAT && ct == SQLT_DOUBLE) || (stype == ST_VT_INT && ct == SQLT_BIGINT) ||
                  mine[k]->kind == SQL_AGG_COUNT;
        if (!ok || !reading(ct, stype)) return false;
    }
    return true;
}

static int fold_stats(const sql_fold_agg *ag, facc *a, const scan_chunk *ch, uint8_t stype, st_err *e)
{
    uint32_t n = ch->stats.count;
    if (ag->kind == SQL_AGG_COUNT) {
        a->n += n;
        a->has = true;
        return 0;
    }
    if (stype == ST_VT_FLOAT) {
        double sum, mn, mx;
        memcpy(&sum, &ch->stats.sum, 8);
        memcpy(&mn, &ch->stats.min, 8);
        memcpy(&mx, &ch->stats.max, 8);
        switch (ag->kind) {
        case SQL_AGG_SUM:
        case SQL_AGG_AVG: a->d += sum; break;
        case SQL_AGG_MIN:
            if (!a->has || dbl_less(mn, a->d)) a->d = mn;
            break;
        case SQL_AGG_MAX:
            if (!a->has || dbl_less(a->d, mx)) a->d = mx;
            break;
        default: break;
        }
    } else {
        int64_t sum = (int64_t)ch->stats.sum, mn = (int64_t)ch->stats.min, mx = (int64_t)ch->stats.max;
        switch (ag->kind) {
        case SQL_AGG_SUM:
            if (__builtin_add_overflow(a->i, sum, &a->i))
                return st_fail(e, ST_EINVAL, "bigint addition overflow: %" PRId64 " + %" PRId64, a->i, sum);
            break;
        case SQL_AGG_AVG: a->wide += sum; break;
        case SQL_AGG_MIN:
            if (!a->has || mn < a->i) a->i = mn;
            break;
        case SQL_AGG_MAX:
            if (!a->has || mx > a->i) a->i = mx;
            break;
        default: break;
        }
    }
    a->n += n;
    a->has = true;
    return 0;
}


/* Does every bucket a chunk of a field nobody aggregates could touch
 * already exist? Then the chunk cannot add a group: it is not read. */
static bool covered(fold_op *o, uint32_t g, const scan_chunk *ch)
{
    const sql_scan_def *d = &o->d.scan;
    int64_t lo = ch->mint > d->mint ? ch->mint : d->mint, hi = ch->maxt < d->maxt ? ch->maxt : d->maxt;
    if (lo > hi) return true;
    int64_t b0 = bucket_of(o, lo), b1 = bucket_of(o, hi);
    int64_t w = o->d.width;
    if (w > 0 && o->gnb[g] && b0 >= o->gbmin[g] && b1 <= o->gbmax[g] &&
        (uint64_t)((o->gbmax[g] - o->gbmin[g]) / w) + 1 == o->gnb[g])
        return true; /* every bucket of the group's span exists */
    if (w > 0 && (b1 - b0) / w > 64) return false;
    for (int64_t b = b0;; b += o->d.width) {
        if (!entry_find(o, g, b)) return false;
        if (b >= b1 || o->d.width <= 0) return true;
    }
}

/* The end of the run of samples from i that lie in bucket b. */
static size_t bucket_end(const fold_op *o, const scan_batch *bt, size_t i, int64_t b)
{
    if (o->d.width <= 0) return bt->n;
    int64_t next = b > INT64_MAX - o->d.width ? INT64_MAX : b + o->d.width;
    size_t j = i + 1;
    while (j < bt->n && bt->ts[j] < next) j++;
    return j;
}

/* A chunk inside the range and inside one bucket, untouched by deletions:
 * what its statistics (or its bounds alone) can answer. */
static bool whole_in_bucket(const fold_op *o, const scan_chunk *ch)
{
    const sql_scan_def *d = &o->d.scan;
    return ch->mint >= d->mint && ch->maxt <= d->maxt && !ch->tombstoned &&
           bucket_of(o, ch->mint) == bucket_of(o, ch->maxt);
}

/* Merges b, a part of the same aggregate, into a. */
static int acc_merge(const fold_op *o, const sql_fold_agg *ag, facc *a, const facc *b, st_err *e)
{
    if (!b->has) return 0;
    if (ag->kind != SQL_AGG_COUNT) {
        bool dbl = o->d.scan.ctypes[ag->field] == SQLT_DOUBLE;
        switch (ag->kind) {
        case SQL_AGG_SUM:
            if (dbl) a->d += b->d;
            else if (__builtin_add_overflow(a->i, b->i, &a->i))
                return st_fail(e, ST_EINVAL, "bigint addition overflow: %" PRId64 " + %" PRId64, a->i, b->i);
            break;
        case SQL_AGG_AVG:
            if (dbl) a->d += b->d;
            else a->wide += b->wide;
            break;
        case SQL_AGG_MIN:
            if (dbl ? !a->has || dbl_less(b->d, a->d) : !a->has || b->i < a->i) a->i = b->i; /* the same bits as d */
            break;
        case SQL_AGG_MAX:
            if (dbl ? !a->has || dbl_less(a->d, b->d) : !a->has || b->i > a->i) a->i = b->i;
            break;
        default: break;
        }
    }
    a->n += b->n;
    a->has = true;
    return 0;
}

/* Series folded alone, a piece of the scan at a time (on any thread): each
 * series' buckets with the partial aggregates of its field's aggregates,
 * which piece_take then adds into the groups in the scan's order (so the
 * answer is the same bit for bit however many threads did the pieces). */
typedef struct spart {
    const st_slice *gv; /* its key values (the slot's arena) */
    uint64_t hash;      /* of gv */
    size_t field;
    size_t b0, nb;      /* its buckets: bk[b0 .. b0 + nb), accs maxmine each */
} spart;

/* A series' newest sample (last rows): converted when taken, since only
 * the newest of a group's is kept. */
typedef struct lpart {
    const st_slice *gv;
    uint64_t hash;
    size_t field;
    uint8_t stype;
    int64_t t;
    uint64_t bits;
    st_slice str;       /* strings: in the slot's arena */
} lpart;

typedef struct fslot {
    st_arena *a;
    spart *ser;
    size_t nser, capser;
    lpart *lser;
    size_t nl, capl;
    int64_t *bk;
    facc *acc;
    size_t nbk, capbk;
} fslot;

typedef struct fpieces {
    fold_op *o;
    scan *sc;
    size_t n, size; /* series, series a piece */
    bool last;      /* last rows: each series' newest sample */
} fpieces;

/* The key values of a series, copied into the slot's arena. */
static const st_slice *part_keys(const fold_op *o, fslot *sl, const scan_series *ss, uint64_t *hash)
{
    st_slice v[64];
    pick_keys(o, ss, v);
    st_slice *gv = st_arena_alloc(sl->a, (o->nkt ? o->nkt : 1) * sizeof *gv);
    for (size_t k = 0; k < o->nkt; k++)
        gv[k] = v[k].p ? st_slice_of(st_arena_strndup(sl->a, v[k].p, v[k].n), v[k].n) : (st_slice){0};
    *hash = labels_tuple_hash(gv, o->nkt);
    return gv;
}

/* The accumulators of bucket b of the slot's last series (added zeroed
 * when new: buckets mostly come in time order, sources that overlap may
 * bring one back). */
static facc *part_acc(const fold_op *o, fslot *sl, spart *sp, int64_t b)
{
    size_t m = o->maxmine;
    for (size_t i = sp->b0 + sp->nb; i > sp->b0; i--) {
        if (sl->bk[i - 1] == b) return sl->acc + (i - 1) * m;
        if (sl->bk[i - 1] < b) break;
    }
    if (sl->nbk == sl->capbk) {
        sl->capbk = sl->capbk ? sl->capbk * 2 : 256;
        sl->bk = st_realloc(sl->bk, sl->capbk * sizeof *sl->bk);
        sl->acc = st_realloc(sl->acc, sl->capbk * m * sizeof *sl->acc);
    }
    sl->bk[sl->nbk] = b;
    facc *a = sl->acc + sl->nbk * m;
    memset(a, 0, m * sizeof *a);
    sl->nbk++;
    sp->nb++;
    return a;
}

/* One series of an aggregated field into the slot: chunks lying inside
 * the range and one bucket from their statistics, others decoded. */
static int fold_series(const fold_op *o, fslot *sl, scan_iter *it, const scan_series *ss, st_err *e)
{
    long fl = sql_scan_field(&o->d.scan, ss->column);
    if (fl < 0) return 0;
    size_t f = (size_t)fl, nmine = o->nfmine[f];
    if (!nmine || (o->d.scan.metrics && !st_slice_eq(ss->metric, o->d.scan.metrics[f]))) return 0;
    const sql_scan_def *d = &o->d.scan;
    const size_t *slot = o->fmine[f];
    const sql_fold_agg *mine[64];
    for (size_t k = 0; k < nmine; k++) mine[k] = &o->d.aggs[slot[k]];
    uint8_t stype = (uint8_t)ss->type;
    int mode = reading(d->ctypes[f], stype);
    if (sl->nser == sl->capser) {
        sl->capser = sl->capser ? sl->capser * 2 : 64;
        sl->ser = st_realloc(sl->ser, sl->capser * sizeof *sl->ser);
    }
    spart *sp = &sl->ser[sl->nser++];
    *sp = (spart){.field = f, .b0 = sl->nbk};
    sp->gv = part_keys(o, sl, ss, &sp->hash);
    scan_chunk ch;
    int rc;
    while ((rc = scan_iter_chunk(it, &ch)) == 1) {
        rc = 0;
        if (whole_in_bucket(o, &ch)) {
            if ((rc = scan_iter_chunk_stats(it, &ch, e))) return rc;
            if (stats_fit(&ch, mine, nmine, stype, d->ctypes)) {
                facc *a = part_acc(o, sl, sp, bucket_of(o, ch.mint));
                for (size_t k = 0; k < nmine; k++)
                    if ((rc = fold_stats(mine[k], &a[k], &ch, stype, e))) return rc;
                continue;
            }
        }
        scan_batch bt;
        while ((rc = scan_iter_chunk_samples(it, &bt, e)) == 1) {
            rc = 0;
            for (size_t i = 0; i < bt.n;) {
                int64_t b = bucket_of(o, bt.ts[i]);
                size_t j = bucket_end(o, &bt, i, b);
                facc *a = part_acc(o, sl, sp, b);
                for (size_t k = 0; k < nmine; k++) {
                    if (mode == 1 && stype == ST_VT_FLOAT) {
                        fold_floats(mine[k], &a[k], bt.vals + i, j - i);
                        continue;
                    }
                    for (size_t s = i; s < j; s++)
                        if ((rc = fold_value(o, mine[k], &a[k], mode, stype, bt.vals ? bt.vals[s] : 0, e)))
                            return rc;
                }
                i = j;
            }
        }
        if (rc) return rc;
    }
    return rc;
}

/* Last rows: a series' newest sample in the range (a tail scan) into
 * the slot. A chunk whose statistics hold gives it (its last value at its
 * end) without being decoded; others are read. Chunks come in time
 * order, so the last one seen wins. */
static int last_series(const fold_op *o, fslot *sl, scan_iter *it, const scan_series *ss, st_err *e)
{
    long f = sql_scan_field(&o->d.scan, ss->column);
    if (f < 0 || !st_slice_eq(ss->metric, o->d.scan.metrics[f])) return 0;
    scan_batch bt;
    scan_chunk ch;
    int64_t t = 0;
    uint64_t bits = 0;
    st_slice str = {0};
    bool any = false;
    const sql_scan_def *d = &o->d.scan;
    int rc;
    while ((rc = scan_iter_chunk(it, &ch)) == 1) {
        rc = 0;
        if (ss->type != ST_VT_STRING && !ch.tombstoned && ch.exact_mint && ch.mint >= d->mint && ch.maxt <= d->maxt) {
            if ((rc = scan_iter_chunk_stats(it, &ch, e))) return rc;
            if (ch.has_stats && ch.stats.count) {
                t = ch.maxt;
                bits = ch.stats.last;
                any = true;
                continue;
            }
        }
        while ((rc = scan_iter_chunk_samples(it, &bt, e)) == 1) {
            t = bt.ts[bt.n - 1];
            bits = bt.vals ? bt.vals[bt.n - 1] : 0;
            if (bt.strs) str = bt.strs[bt.n - 1];
            any = true;
        }
        if (rc < 0) return rc;
    }
    if (rc < 0 || !any) return rc;
    if (sl->nl == sl->capl) {
        sl->capl = sl->capl ? sl->capl * 2 : 64;
        sl->lser = st_realloc(sl->lser, sl->capl * sizeof *sl->lser);
    }
    lpart *lp = &sl->lser[sl->nl++];
    *lp = (lpart){.field = (size_t)f, .stype = (uint8_t)ss->type, .t = t, .bits = bits};
    if (str.n) lp->str = st_slice_of(st_arena_strndup(sl->a, str.p, str.n), str.n);
    lp->gv = part_keys(o, sl, ss, &lp->hash);
    return 0;
}

/* A newest sample as the value of its column. */
static int last_value(fold_op *o, const lpart *lp, sql_value *out, st_err *e)
{
    size_t f = lp->field;
    uint8_t ct = o->d.scan.ctypes[f];
    *out = sqlv_null(ct);
    switch (reading(ct, lp->stype)) {
    case 1: *out = sqlv_double(scan_value_double((st_vtype)lp->stype, lp->bits)); break;
    case 3:
        if (lp->bits > (uint64_t)INT64_MAX)
            return st_fail(e, ST_EINVAL, "value %" PRIu64 " of column '%.*s' is out of range for bigint", lp->bits,
                           (int)o->d.scan.fields[f].n, o->d.scan.fields[f].p);
        /* fall through */
    case 2: *out = sqlv_int(SQLT_BIGINT, (int64_t)lp->bits); break;
    case 4:
        if (ct == SQLT_BOOLEAN) *out = sqlv_bool(lp->bits != 0);
        else *out = sqlv_str(st_slice_of(lp->str.n ? st_arena_strndup(o->a, lp->str.p, lp->str.n) : "", lp->str.n));
        break;
    case 5: *out = sqlv_int(SQLT_TIMESTAMP, (int64_t)lp->bits); break;
    default: break;
    }
    return 0;
}

static int take_last(fold_op *o, const fslot *sl, st_err *e)
{
    int rc = 0;
    for (size_t i = 0; i < sl->nl && rc == 0; i++) {
        const lpart *lp = &sl->lser[i];
        fentry *en = entry(o, group_at(o, lp->gv, lp->hash), 0, e, &rc);
        if (!en) break;
        if (!en->has_last || lp->t > en->last) en->last = lp->t, en->has_last = true;
        for (size_t m = 0; m < o->nfmine[lp->field] && rc == 0; m++) {
            facc *a = &acc_of(o, en)[o->fmine[lp->field][m]];
            if (a->has && lp->t <= a->t) continue;
            sql_value v;
            if ((rc = last_value(o, lp, &v, e))) break;
            a->v = v;
            a->t = lp->t;
            a->has = true;
        }
    }
    return rc;
}

static int piece_work(void *ctx, void *slot, size_t k, st_err *e)
{
    fpieces *fp = ctx;
    fslot *sl = slot;
    st_arena_reset(sl->a);
    sl->nser = sl->nbk = sl->nl = 0;
    scan_iter *it;
    int rc = scan_iter_open(fp->sc, k * fp->size, (k + 1) * fp->size, &it, e);
    if (rc) return rc;
    scan_series ss;
    scan_budget *bu = fp->o->op.x->budget;
    while ((rc = scan_iter_next(it, &ss, e)) == 1)
        if ((rc = fp->last ? last_series(fp->o, sl, it, &ss, e) : fold_series(fp->o, sl, it, &ss, e)) ||
            (bu && (rc = scan_budget_poll(bu, e))))
            break;
    scan_iter_close(it);
    return rc < 0 ? rc : 0;
}

static int piece_take(void *ctx, void *slot, size_t k, st_err *e)
{
    (void)k;
    fold_op *o = ((fpieces *)ctx)->o;
    fslot *sl = slot;
    if (((fpieces *)ctx)->last) return take_last(o, sl, e);
    int rc = 0;
    for (size_t i = 0; i < sl->nser && rc == 0; i++) {
        const spart *sp = &sl->ser[i];
        uint32_t g = group_at(o, sp->gv, sp->hash);
        const size_t *slot_of = o->fmine[sp->field];
        for (size_t b = sp->b0; b < sp->b0 + sp->nb && rc == 0; b++) {
            fentry *en = entry(o, g, sl->bk[b], e, &rc);
            if (!en) break;
            const facc *part = sl->acc + b * o->maxmine;
            for (size_t m = 0; m < o->nfmine[sp->field] && rc == 0; m++)
                rc = acc_merge(o, &o->d.aggs[slot_of[m]], &acc_of(o, en)[slot_of[m]], &part[m], e);
        }
    }
    return rc;
}

/* The aggregated fields' series (or, for last rows, each series' newest
 * sample): in pieces over the query's threads when there are enough of
 * them to share. */
static int fold_scan(fold_op *o, scan *sc, bool last, st_err *e)
{
    const sql_exec_ctx *x = o->op.x;
    size_t n = scan_count(sc);
    if (!n) return 0;
    /* pieces of a size that does not depend on the thread count */
    size_t size = n / 64;
    if (size < 64) size = 64;
    if (size > 1024) size = 1024;
    fpieces fp = {.o = o, .sc = sc, .n = n, .size = size, .last = last};
    unsigned nt = x->threads ? x->threads : 1;
    size_t nslots = x->pool && nt > 1 ? 2 * (size_t)nt + 1 : 1;
    fslot *slots = st_calloc(nslots, sizeof *slots);
    void **sp = st_calloc(nslots, sizeof *sp);
    for (size_t i = 0; i < nslots; i++) {
        slots[i].a = st_arena_new(16384);
        sp[i] = &slots[i];
    }
    pool_pieces pp = {.pool = x->pool, .threads = nt, .npieces = (n + size - 1) / size, .slots = sp, .nslots = nslots,
                      .ctx = &fp, .work = piece_work, .take = piece_take};
    int rc = pool_run_pieces(&pp, e);
    for (size_t i = 0; i < nslots; i++) {
        st_arena_free(slots[i].a);
        st_free(slots[i].ser);
        st_free(slots[i].lser);
        st_free(slots[i].bk);
        st_free(slots[i].acc);
    }
    st_free(slots);
    st_free(sp);
    return rc;
}

/* One series of a field nobody aggregates: only the groups and buckets
 * it makes, and only its chunks that could make a new one are read. */
static int mark_series(fold_op *o, scan_iter *it, const scan_series *ss, st_err *e)
{
    long f = sql_scan_field(&o->d.scan, ss->column);
    if (f < 0) return 0;
    if (o->d.scan.metrics && !st_slice_eq(ss->metric, o->d.scan.metrics[f])) return 0;
    uint32_t g = group_of(o, ss);
    scan_chunk ch;
    int rc;
    while ((rc = scan_iter_chunk(it, &ch)) == 1) {
        rc = 0;
        if (!ch.tombstoned && covered(o, g, &ch)) continue;
        if (whole_in_bucket(o, &ch)) {
            if (!entry(o, g, bucket_of(o, ch.mint), e, &rc)) return rc;
            continue;
        }
        scan_batch bt;
        while ((rc = scan_iter_chunk_samples(it, &bt, e)) == 1) {
            rc = 0;
            if ((rc = sql_ops_poll(o->op.x, &o->tick, e))) return rc;
            for (size_t i = 0; i < bt.n;) {
                int64_t b = bucket_of(o, bt.ts[i]);
                size_t j = bucket_end(o, &bt, i, b);
                if (!entry(o, g, b, e, &rc)) return rc;
                i = j;
            }
        }
        if (rc) return rc;
    }
    return rc;
}

/* A scan of the table's series of the fields marked in which (by their
 * stored names), under the WHERE's dimension matchers. */
static int open_fields(fold_op *o, const bool *which, scan_mode mode, bool tail, scan **out, st_err *e)
{
    const sql_scan_def *d = &o->d.scan;
    size_t nf = d->nfields, per = d->nmatchers + 2, ns = 0;
    matcher **names = st_calloc(nf + 1, sizeof *names);
    matcher *plain = NULL; /* series without the label measure_name */
    matcher **flat = st_calloc((nf + 1) * per, sizeof *flat);
    matcher *const **sel = st_calloc(nf + 1, sizeof *sel);
    size_t *nsel = st_calloc(nf + 1, sizeof *nsel);
    int rc = 0;
    for (size_t f = 0; f < nf && rc == 0; f++) {
        if (!which[f]) continue;
        if ((rc = matcher_new(MATCH_EQ, st_slice_of(LABEL_METRIC_NAME, 8), d->metrics[f], &names[f], e))) break;
        matcher **row = flat + ns * per;
        size_t k = 0;
        row[k++] = names[f];
        for (size_t i = 0; i < d->nmatchers; i++) row[k++] = d->matchers[i];
        if (d->plain_only && d->plain_only[f]) {
            if (!plain && (rc = matcher_new(MATCH_EQ, st_slice_cstr(SCAN_MEASURE_LABEL), st_slice_of("", 0), &plain, e)))
                break;
            row[k++] = plain;
        }
        sel[ns] = row;
        nsel[ns++] = k;
    }
    *out = NULL;
    if (rc == 0 && ns) {
        scan_spec sp = {.db = o->op.x->db, .sel = sel, .nsel = nsel, .nselectors = ns, .table = d->table,
                        .mint = d->mint, .maxt = d->maxt, .mode = mode, .tail = tail, .order = SCAN_ORDER_ANY,
                        .budget = o->op.x->budget};
        rc = scan_open(o->op.x->s, &sp, out, e);
        if (rc == ST_ENOTFOUND) rc = st_fail(e, ST_EINVAL, "Database '%s' does not exist", o->op.x->db);
    }
    for (size_t f = 0; f < nf; f++) matcher_free(names[f]);
    matcher_free(plain);
    st_free(names);
    st_free(flat);
    st_free(sel);
    st_free(nsel);
    return rc;
}

static int mark_scan(fold_op *o, scan *sc, st_err *e)
{
    scan_iter *it;
    int rc = scan_iter_open(sc, 0, SIZE_MAX, &it, e);
    if (rc) return rc;
    scan_series ss;
    while ((rc = scan_iter_next(it, &ss, e)) == 1)
        if ((rc = mark_series(o, it, &ss, e)) < 0) break;
    scan_iter_close(it);
    return rc < 0 ? rc : 0;
}

/* Whether every series of the fields nobody aggregates lies, by its
 * chunks' bounds and its spans in memory, in groups and buckets that
 * already exist: then none of them is read. */
static int all_covered(fold_op *o, scan *sc, bool *yes, st_err *e)
{
    scan_iter *it;
    int rc = scan_iter_open(sc, 0, SIZE_MAX, &it, e);
    if (rc) return rc;
    scan_series ss;
    *yes = true;
    while (*yes && (rc = scan_iter_next(it, &ss, e)) == 1) {
        uint32_t g = group_of(o, &ss);
        scan_chunk ch;
        while (*yes && (rc = scan_iter_chunk(it, &ch)) == 1)
            if (ch.tombstoned || !covered(o, g, &ch)) *yes = false;
        if (rc < 0) break;
        const int64_t *sp;
        size_t n = scan_iter_head_spans(it, &sp);
        if (n > SCAN_HEAD_SPANS) *yes = false;
        for (size_t i = 0; *yes && i < n; i++) {
            scan_chunk span = {.mint = sp[2 * i], .maxt = sp[2 * i + 1]};
            if (!covered(o, g, &span)) *yes = false;
        }
        rc = 0;
    }
    scan_iter_close(it);
    return rc < 0 ? rc : 0;
}

/* A tag set of the table (scan_table_tagsets) that is no group yet. */
static int tagset_unknown(void *ctx, const st_slice *vals)
{
    fold_op *o = ctx;
    st_slice v[64];
    for (size_t k = 0; k < o->nkt; k++) v[k] = o->kmeasure[k] && !vals[k].p ? o->d.scan.table : vals[k];
    gkey key = {o, v};
    return htab_find(&o->gtab, labels_tuple_hash(v, o->nkt), group_eq, &key) == UINT32_MAX;
}

/* Whether the other fields can make no group of their own, from bounds
 * alone (nothing opened): every sample of the table lies in a span (block
 * indexes and memory's bounds), every group's buckets fill that span, and
 * every tag set the table has (a memo of its keys) is one of the groups.
 * Without key dimensions every series falls in the one group. */
static int covered_by_bounds(fold_op *o, bool *yes, st_err *e)
{
    *yes = false;
    if (!o->ngroups || !o->nents || !o->d.scan.table.n) return 0;
    if (!o->nkt && o->d.width <= 0) {
        *yes = true; /* the one row exists already */
        return 0;
    }
    int64_t lo, hi;
    int rc = scan_table_bounds(o->op.x->s, o->op.x->db, o->d.scan.table, o->d.scan.mint, o->d.scan.maxt, &lo, &hi,
                               e);
    if (rc) return rc == ST_ENOTFOUND ? 0 : rc;
    if (lo > hi) {
        *yes = true;
        return 0;
    }
    scan_chunk span = {.mint = lo, .maxt = hi};
    for (size_t g = 0; g < o->ngroups; g++)
        if (!covered(o, (uint32_t)g, &span)) return 0;
    if (!o->nkt) {
        *yes = true;
        return 0;
    }
    rc = scan_table_tagsets(o->op.x->s, o->op.x->db, o->d.scan.table, o->keynames, o->nkt, tagset_unknown, o, e);
    if (rc < 0) return rc == ST_ENOTFOUND ? 0 : rc;
    *yes = rc == 0;
    return 0;
}

/* Last rows of the fields nobody asks the value of: only their newest
 * time counts, read from chunk bounds and memory spans. *sure is false
 * when a bound was cut by the range's end (or a deletion): then that
 * time is not known without reading. */
static int last_times(fold_op *o, scan *sc, bool *sure, st_err *e)
{
    scan_iter *it;
    int rc = scan_iter_open(sc, 0, SIZE_MAX, &it, e);
    if (rc) return rc;
    const sql_scan_def *d = &o->d.scan;
    scan_series ss;
    *sure = true;
    while (*sure && (rc = scan_iter_next(it, &ss, e)) == 1) {
        long f = sql_scan_field(&o->d.scan, ss.column);
        if (f < 0 || !st_slice_eq(ss.metric, d->metrics[f])) continue;
        int64_t t = INT64_MIN;
        scan_chunk ch;
        while ((rc = scan_iter_chunk(it, &ch)) == 1) {
            if (ch.tombstoned || ch.maxt > d->maxt) *sure = false;
            else if (ch.maxt > t) t = ch.maxt;
        }
        if (rc < 0) break;
        const int64_t *sp;
        size_t n = scan_iter_head_spans(it, &sp);
        if (n > SCAN_HEAD_SPANS) *sure = false;
        for (size_t i = 0; i < n && i < SCAN_HEAD_SPANS; i++) {
            if (sp[2 * i + 1] == d->maxt && d->maxt != INT64_MAX) *sure = false; /* maybe cut */
            if (sp[2 * i + 1] > t) t = sp[2 * i + 1];
        }
        if (!*sure || t == INT64_MIN) continue;
        uint32_t g = group_of(o, &ss);
        fentry *en = entry(o, g, 0, e, &rc);
        if (!en) break;
        if (!en->has_last || t > en->last) en->last = t, en->has_last = true;
        rc = 0;
    }
    scan_iter_close(it);
    return rc < 0 ? rc : 0;
}

static int fold_last(fold_op *o, st_err *e)
{
    const sql_scan_def *d = &o->d.scan;
    size_t nf = d->nfields;
    bool *val = st_calloc(nf + 1, sizeof *val), *rest = st_calloc(nf + 1, sizeof *rest);
    bool any_rest = false;
    for (size_t k = 0; k < o->d.naggs; k++)
        if (o->d.aggs[k].field != SIZE_MAX) val[o->d.aggs[k].field] = true;
    for (size_t f = 0; f < nf; f++) any_rest |= rest[f] = !val[f];
    scan *sc = NULL;
    int rc = open_fields(o, val, SCAN_SAMPLES, true, &sc, e);
    if (rc == 0 && sc) rc = fold_scan(o, sc, true, e);
    scan_close(sc);
    sc = NULL;
    if (rc == 0 && any_rest) {
        bool sure = false;
        rc = open_fields(o, rest, SCAN_CHUNKS, false, &sc, e);
        if (rc == 0 && sc) rc = last_times(o, sc, &sure, e);
        scan_close(sc);
        sc = NULL;
        if (rc == 0 && !sure) {
            rc = open_fields(o, rest, SCAN_SAMPLES, true, &sc, e);
            if (rc == 0 && sc) rc = fold_scan(o, sc, true, e);
            scan_close(sc);
        }
    }
    st_free(val);
    st_free(rest);
    return rc;
}

/* The aggregated fields' series first (only theirs are decoded); then the
 * other fields', which matter only where they would make a group of their
 * own: answered from bounds when they cannot, read otherwise. */
static int fold_all(fold_op *o, st_err *e)
{
    const sql_scan_def *d = &o->d.scan;
    if (!d->nfields || d->mint > d->maxt) return 0;
    if (o->d.last) return fold_last(o, e);
    size_t nf = d->nfields;
    bool *agg = st_calloc(nf + 1, sizeof *agg), *rest = st_calloc(nf + 1, sizeof *rest);
    bool any_rest = false;
    for (size_t k = 0; k < o->d.naggs; k++) agg[o->d.aggs[k].field] = true;
    for (size_t f = 0; f < nf; f++) any_rest |= rest[f] = !agg[f];
    scan *sc = NULL;
    int rc = open_fields(o, agg, SCAN_SAMPLES, false, &sc, e);
    if (rc == 0 && sc) rc = fold_scan(o, sc, false, e);
    scan_close(sc);
    sc = NULL;
    if (rc == 0 && any_rest) {
        bool yes = false;
        rc = covered_by_bounds(o, &yes, e);
        if (rc == 0 && !yes && o->nents) {
            rc = open_fields(o, rest, SCAN_CHUNKS, false, &sc, e);
            if (rc == 0 && sc) rc = all_covered(o, sc, &yes, e);
            scan_close(sc);
            sc = NULL;
        }
        if (rc == 0 && !yes) {
            rc = open_fields(o, rest, SCAN_SAMPLES, false, &sc, e);
            if (rc == 0 && sc) rc = mark_scan(o, sc, e);
            scan_close(sc);
        }
    }
    st_free(agg);
    st_free(rest);
    return rc;
}

/* The buckets nearest one end of the range first, in windows of whole
 * buckets that double as they go, until the rows found number top: the
 * rows an ORDER BY of the bucket keeps all lie in those buckets, and each
 * bucket a window holds is complete (windows are disjoint and the folds
 * add up). Starts from the table's bounds, so a range reaching far past
 * the data costs nothing. */
static int fold_top(fold_op *o, st_err *e)
{
    sql_scan_def *d = &o->d.scan;
    const int64_t mint = d->mint, maxt = d->maxt, w = o->d.width;
    const bool desc = o->d.top_desc;
    int64_t lo, hi;
    int rc = d->table.n ? scan_table_bounds(o->op.x->s, o->op.x->db, d->table, mint, maxt, &lo, &hi, e) : ST_ENOTFOUND;
    if (rc == ST_ENOTFOUND) return fold_all(o, e);
    if (rc) return rc;
    if (lo > hi) return 0;
    /* the first window holds top buckets from the data's end; a, b: the
     * window, edge: where the next one would reach */
    int64_t span, a = mint, b = maxt, edge;
    if (__builtin_mul_overflow(w, o->d.top, &span)) return fold_all(o, e);
    bool far = desc ? __builtin_sub_overflow(bucket_of(o, hi), span - w, &edge)
                    : __builtin_add_overflow(bucket_of(o, lo), span - 1, &edge);
    for (;;) {
        bool last = far || (desc ? edge <= lo || edge <= mint : edge >= hi || edge >= maxt);
        if (desc) a = last ? mint : edge;
        else b = last ? maxt : edge;
        d->mint = a;
        d->maxt = b;
        rc = fold_all(o, e);
        if (rc || last || o->nents >= (uint64_t)o->d.top) break;
        far = desc ? __builtin_sub_overflow(a, span, &edge) : __builtin_add_overflow(b, span, &edge);
        if (desc) b = a - 1;
        else a = b + 1;
        if (span > INT64_MAX / 2) far = true;
        else span *= 2;
    }
    d->mint = mint;
    d->maxt = maxt;
    return rc;
}

static void acc_put(const fold_op *o, const sql_fold_agg *ag, const fentry *en, const facc *a, sql_value *out)
{
    if (o->d.last) {
        if (ag->field == SIZE_MAX) {
            if (en->has_last) sqlv_set_int(out, SQLT_TIMESTAMP, en->last);
            else sqlv_set_null(out, ag->type);
            return;
        }
        /* the value of the group's newest row: NULL when that row lacks it */
        if (!a->has || !en->has_last || a->t != en->last) sqlv_set_null(out, ag->type);
        else *out = a->v;
        return;
    }
    uint8_t ct = o->d.scan.ctypes[ag->field];
    if (ag->kind == SQL_AGG_COUNT) sqlv_set_int(out, SQLT_BIGINT, (int64_t)a->n);
    else if (!a->has) sqlv_set_null(out, ag->type);
    else if (ag->kind == SQL_AGG_AVG)
        sqlv_set_double(out, ct == SQLT_BIGINT ? (double)a->wide / (double)a->n : a->d / (double)a->n);
    else if (ct == SQLT_BIGINT) sqlv_set_int(out, SQLT_BIGINT, a->i);
    else sqlv_set_double(out, a->d);
}

/* Key order: each key tag's value ranked once over the groups, then the
 * entries sorted by integers alone. */
typedef struct order_ctx {
    const fold_op *o;
    size_t kt;            /* the tag being ranked */
    const uint32_t *rank; /* nkt x ngroups */
} order_ctx;

static int group_value_cmp(const void *a, const void *b, void *arg)
{
    const order_ctx *c = arg;
    const st_slice *x = &c->o->gvals[(size_t)*(const uint32_t *)a * c->o->nkt + c->kt];
    const st_slice *y = &c->o->gvals[(size_t)*(const uint32_t *)b * c->o->nkt + c->kt];
    if (!x->p || !y->p) return (x->p == NULL) - (y->p == NULL); /* NULLs last */
    return st_slice_cmp(*x, *y);
}

static int entry_cmp(const void *a, const void *b, void *arg)
{
    const order_ctx *c = arg;
    const fentry *x = a, *y = b;
    size_t kt = 0;
    for (size_t k = 0; k < c->o->d.nkeys; k++) {
        if (c->o->d.keys[k] == SQL_FOLD_KEY_BUCKET) {
            if (x->bucket != y->bucket) return x->bucket < y->bucket ? -1 : 1;
        } else if (c->o->d.keys[k] == SQL_FOLD_KEY_TAG) {
            const uint32_t *r = c->rank + kt * c->o->ngroups;
            if (r[x->group] != r[y->group]) return r[x->group] < r[y->group] ? -1 : 1;
            kt++;
        }
    }
    return 0;
}

/* Each entry's place as one integer, its keys' ranks in key order (mixed
 * radix), when those fit in 64 bits: then a radix sort orders them. */
static bool entry_ranks(const fold_op *o, const uint32_t *rank, uint64_t **out, uint64_t *max)
{
    int64_t bmin = INT64_MAX, bmax = INT64_MIN, w = o->d.width > 0 ? o->d.width : 1;
    for (size_t i = 0; i < o->nents; i++) {
        if (o->ents[i].bucket < bmin) bmin = o->ents[i].bucket;
        if (o->ents[i].bucket > bmax) bmax = o->ents[i].bucket;
    }
    uint64_t nb = ((uint64_t)bmax - (uint64_t)bmin) / (uint64_t)w + 1, span = 1;
    if (!nb) return false;
    uint64_t *radix = st_malloc((o->d.nkeys + 1) * sizeof *radix);
    size_t kt = 0;
    for (size_t k = 0; k < o->d.nkeys; k++) {
        radix[k] = 1;
        if (o->d.keys[k] == SQL_FOLD_KEY_BUCKET) radix[k] = nb;
        else if (o->d.keys[k] == SQL_FOLD_KEY_TAG) {
            const uint32_t *r = rank + kt++ * o->ngroups;
            for (size_t g = 0; g < o->ngroups; g++)
                if (r[g] + 1ull > radix[k]) radix[k] = r[g] + 1ull;
        }
        if (__builtin_mul_overflow(span, radix[k], &span)) {
            st_free(radix);
            return false;
        }
    }
    uint64_t *key = st_malloc((o->nents + 1) * sizeof *key);
    for (size_t i = 0; i < o->nents; i++) {
        const fentry *en = &o->ents[i];
        uint64_t v = 0;
        kt = 0;
        for (size_t k = 0; k < o->d.nkeys; k++) {
            uint64_t d = 0;
            if (o->d.keys[k] == SQL_FOLD_KEY_BUCKET) d = ((uint64_t)en->bucket - (uint64_t)bmin) / (uint64_t)w;
            else if (o->d.keys[k] == SQL_FOLD_KEY_TAG) d = rank[kt++ * o->ngroups + en->group];
            v = v * radix[k] + d;
        }
        key[i] = v;
    }
    st_free(radix);
    *out = key;
    *max = span - 1;
    return true;
}

static int entry_at_cmp(const void *a, const void *b, void *arg)
{
    const order_ctx *c = arg;
    return entry_cmp(&c->o->ents[*(const uint32_t *)a], &c->o->ents[*(const uint32_t *)b], arg);
}

static void order_entries(fold_op *o)
{
    if (o->nents < 2) return;
    order_ctx c = {o, 0, NULL};
    uint32_t *rank = st_malloc((o->nkt * o->ngroups + 1) * sizeof *rank);
    uint32_t *by = st_malloc((o->ngroups + 1) * sizeof *by);
    for (size_t kt = 0; kt < o->nkt; kt++) {
        for (size_t g = 0; g < o->ngroups; g++) by[g] = (uint32_t)g;
        c.kt = kt;
        qsort_r(by, o->ngroups, sizeof *by, group_value_cmp, &c);
        uint32_t *r = rank + kt * o->ngroups, at = 0;
        for (size_t i = 0; i < o->ngroups; i++) {
            if (i && group_value_cmp(&by[i - 1], &by[i], &c) != 0) at++;
            r[by[i]] = at;
        }
    }
    c.rank = rank;
    uint64_t *key, max;
    uint32_t *pos;
    if (entry_ranks(o, rank, &key, &max)) {
        st_radix_sort(&key, o->nents, max, &pos);
        st_free(key);
    } else {
        pos = st_malloc((o->nents + 1) * sizeof *pos);
        for (size_t i = 0; i < o->nents; i++) pos[i] = (uint32_t)i;
        qsort_r(pos, o->nents, sizeof *pos, entry_at_cmp, &c);
    }
    fentry *sorted = st_malloc((o->nents + 1) * sizeof *sorted);
    facc *accs = st_malloc((o->nents * o->stride + 1) * sizeof *accs);
    for (size_t i = 0; i < o->nents; i++) {
        sorted[i] = o->ents[pos[i]];
        const facc *from = o->accs + (size_t)pos[i] * o->stride;
        for (size_t k = 0; k < o->stride; k++) accs[i * o->stride + k] = from[k];
    }
    st_free(o->ents);
    st_free(o->accs);
    o->ents = sorted;
    o->accs = accs;
    o->capents = o->nents;
    st_free(pos);
    st_free(by);
    st_free(rank);
}

static int foldop_next(sql_op *op, const sql_value **row, st_err *e)
{
    fold_op *o = (fold_op *)op;
    if (!o->done) {
        o->done = true;
        int rc = o->d.top > 0 && o->d.width > 0 && !o->d.last ? fold_top(o, e) : fold_all(o, e);
        if (rc) {
            o->next = o->nents;
            return rc;
        }
        /* no key: one row even over nothing (count 0) */
        if (!o->d.nkeys && !o->nents) {
            scan_series none = {0};
            if (!entry(o, group_of(o, &none), 0, e, &rc)) return rc;
        }
        /* (the entry table's indexes are not used after this) */
        if (o->d.ordered) order_entries(o);
    }
    if (o->next >= o->nents) return 0;
    const fentry *en = &o->ents[o->next++];
    const st_slice *g = o->gvals + (size_t)en->group * o->nkt;
    if (o->next + 8 < o->nents) {
        /* rows in bucket order read groups made in series order */
        const fentry *ahead = &o->ents[o->next + 8];
        if (o->nkt) __builtin_prefetch(o->gvals + (size_t)ahead->group * o->nkt);
    }
    size_t kt = 0;
    for (size_t k = 0; k < o->d.nkeys; k++) {
        switch (o->d.keys[k]) {
        case SQL_FOLD_KEY_TAG:
            if (g[kt].p) sqlv_set_str(&o->out[k], g[kt]);
            else sqlv_set_null(&o->out[k], SQLT_VARCHAR);
            kt++;
            break;
        case SQL_FOLD_KEY_BUCKET: sqlv_set_int(&o->out[k], SQLT_TIMESTAMP, en->bucket); break;
        default: sqlv_set_str(&o->out[k], o->d.scan.table); break;
        }
    }
    for (size_t k = 0; k < o->d.naggs; k++) acc_put(o, &o->d.aggs[k], en, &acc_of(o, en)[k], &o->out[o->d.nkeys + k]);
    *row = o->out;
    return 1;
}

static void foldop_close(sql_op *op)
{
    fold_op *o = (fold_op *)op;
    for (size_t i = 0; i < o->d.scan.nmatchers; i++) matcher_free(o->d.scan.matchers[i]);
    htab_free(&o->gtab);
    htab_free(&o->etab);
    st_free(o->gbmin);
    st_free(o->gbmax);
    st_free(o->gnb);
    st_free(o->run0);
    st_free(o->runn);
    st_free(o->runb);
    st_free(o->ents);
    st_free(o->accs);
    st_arena_free(o->a);
    st_free(o);
}

int sql_op_fold(sql_exec_ctx *x, const sql_fold_def *d, sql_op **out, st_err *e)
{
    *out = NULL;
    fold_op *o = st_calloc(1, sizeof *o);
    o->a = st_arena_new(8192);
    o->d = *d;
    o->stride = d->naggs ? d->naggs : 1;
    o->d.aggs = st_arena_alloc(o->a, (d->naggs + 1) * sizeof *o->d.aggs);
    if (d->naggs) memcpy(o->d.aggs, d->aggs, d->naggs * sizeof *d->aggs);
    /* measure_name in a table with Timestream's records: a key tag */
    uint8_t *keys = st_arena_alloc(o->a, d->nkeys + 1);
    for (size_t k = 0; k < d->nkeys; k++) {
        keys[k] = d->keys[k] == SQL_FOLD_KEY_MEASURE && d->scan.measured ? SQL_FOLD_KEY_TAG : d->keys[k];
        o->nkt += keys[k] == SQL_FOLD_KEY_TAG;
    }
    o->d.keys = keys;
    size_t nf = d->scan.nfields;
    o->fmine = st_arena_alloc(o->a, (nf + 1) * sizeof *o->fmine);
    o->nfmine = st_arena_alloc(o->a, (nf + 1) * sizeof *o->nfmine);
    memset(o->nfmine, 0, (nf + 1) * sizeof *o->nfmine);
    for (size_t f = 0; f < nf; f++) {
        o->fmine[f] = st_arena_alloc(o->a, (d->naggs + 1) * sizeof **o->fmine);
        for (size_t k = 0; k < d->naggs; k++)
            if (d->aggs[k].field == f && o->nfmine[f] < 64) o->fmine[f][o->nfmine[f]++] = k;
        if (o->nfmine[f] > o->maxmine) o->maxmine = o->nfmine[f];
    }
    o->keynames = st_arena_alloc(o->a, (o->nkt + 1) * sizeof *o->keynames);
    o->kmeasure = st_arena_alloc(o->a, o->nkt + 1);
    for (size_t k = 0, kt = 0, j = 0; k < d->nkeys; k++) {
        if (keys[k] != SQL_FOLD_KEY_TAG) continue;
        bool m = d->keys[k] == SQL_FOLD_KEY_MEASURE;
        o->kmeasure[kt] = m;
        o->any_kmeasure |= m;
        o->keynames[kt++] = m ? st_slice_cstr(SCAN_MEASURE_LABEL) : d->scan.tags[d->keytags[j++]];
    }
    size_t n = d->nkeys + d->naggs;
    o->out = st_arena_alloc(o->a, (n + 1) * sizeof *o->out);
    o->op = (sql_op){.next = foldop_next, .close = foldop_close, .ncols = n, .x = x};
    o->op.types = st_arena_alloc(o->a, n + 1);
    for (size_t k = 0; k < d->nkeys; k++)
        o->op.types[k] = d->keys[k] == SQL_FOLD_KEY_BUCKET ? SQLT_TIMESTAMP : SQLT_VARCHAR;
    for (size_t k = 0; k < d->naggs; k++) o->op.types[d->nkeys + k] = d->aggs[k].type;
    if (o->nkt > 64) {
        foldop_close(&o->op);
        return st_fail(e, ST_EINVAL, "too many GROUP BY dimensions to fold");
    }
    *out = &o->op;
    return 0;
}
