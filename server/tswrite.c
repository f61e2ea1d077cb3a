/* tswrite: Timestream's WriteRecords.
 *
 * How a record becomes series (engine/sql/README.md shows how SQL reads
 * them back): the SQL table is the Timestream table T; the labels are the
 * record's dimensions plus measure_name = its MeasureName; then
 *  - a single-measure record of type DOUBLE, BIGINT, VARCHAR or BOOLEAN is
 *    one sample of the series T_measure_value::double (::bigint, ::varchar,
 *    ::boolean), whose column is that Timestream column;
 *  - a MULTI record is one sample per measure value, of the series T_<name>
 *    (column <name>); a TIMESTAMP value is stored as its nanoseconds under
 *    the column <name>::timestamp, which SQL shows as <name>, a timestamp;
 *  - a Version other than 1 is one more sample, of T_ts_version (column
 *    ts_version, hidden from SQL): a record without it has version 1.
 * Every sample of a record goes into one store_write, so the WAL has all of
 * it or none.
 *
 * Upserts (Timestream's rules): a record's identity is its dimensions,
 * measure name and time. Before writing, the stored records with the
 * batch's identities over the batch's time range are read through the
 * query layer (one scan per batch); a record whose identity exists is
 * written if its version is higher, is a no-op (still counted ingested)
 * with the same version and the same values, and is rejected otherwise,
 * with the stored version as ExistingVersion. The check and the write hold
 * one lock, so two batches cannot both pass the check on the same record.
 *
 * What is stored is read only for records that may meet it: a record
 * newer than the newest this process stored for its identity (a fixed
 * cache of 2^18 identities, emptied when full, by deletes and at restart)
 * cannot. So a point another front (line protocol, remote_write) wrote
 * into a Timestream record's own series, newer than that, is not seen by
 * the check: the record overwrites it as a later write does. Writes
 * through this API alone keep Timestream's rules exactly.
 *
 * A measure keeps the type it was first written with (per table), and a
 * multi-measure value name its type; a record that breaks either is
 * rejected. The time must lie in the table's memory store window [now -
 * memory retention, now + 15 min), or, with magnetic store writes on, in
 * [now - memory - magnetic retention, now + 15 min).
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bits.h"
#include "catalog.h"
#include "labels.h"
#include "matcher.h"
#include "scan.h"
#include "sql/value.h"
#include "ts_int.h"
#include "tsrec.h"

#define FUTURE_NS (15 * 60 * ST_NS_PER_S)

/* ------------------------------------------------------------ measure types */

/* The measures are found through a hash index of their positions
 * (mindex, UINT32_MAX: empty), rebuilt after a removal (rare: deletes,
 * claims given back). At most MTYPES_MAX are kept: past it all are
 * forgotten, to be learnt again from the store. */
#define MTYPES_MAX (1u << 16)

static void mtype_reindex(ts_state *t)
{
    size_t cap = 64;
    while (cap < 2 * t->nmtypes + 2) cap *= 2;
    st_free(t->mindex);
    t->mindex = st_malloc(cap * sizeof *t->mindex);
    memset(t->mindex, 0xff, cap * sizeof *t->mindex);
    t->mindex_cap = cap;
    for (size_t i = 0; i < t->nmtypes; i++) {
        size_t j = st_hash64(t->mtypes[i].key, t->mtypes[i].keylen, 0) & (cap - 1);
        while (t->mindex[j] != UINT32_MAX) j = (j + 1) & (cap - 1);
        t->mindex[j] = (uint32_t)i;
    }
}

static int mtype_find(ts_state *t, const char *key, size_t n)
{
    if (!t->mindex_cap) return -1;
    for (size_t j = st_hash64(key, n, 0) & (t->mindex_cap - 1); t->mindex[j] != UINT32_MAX;
         j = (j + 1) & (t->mindex_cap - 1)) {
        const ts_mtype *m = &t->mtypes[t->mindex[j]];
        if (m->keylen == n && !memcmp(m->key, key, n)) return (int)t->mindex[j];
    }
    return -1;
}

static size_t mtype_key(char *out, size_t cap, const char *db, st_slice table, st_slice measure)
{
    size_t dl = strlen(db);
    if (dl + table.n + measure.n + 2 > cap) return 0;
    memcpy(out, db, dl + 1);
    memcpy(out + dl + 1, table.p, table.n);
    out[dl + 1 + table.n] = 0;
    memcpy(out + dl + 2 + table.n, measure.p, measure.n);
    return dl + 2 + table.n + measure.n;
}

/* What the store holds of db.table.measure: its type, or -1. */
static int mtype_learn(store *s, const char *db, st_slice table, st_slice measure)
{
    matcher *m;
    if (matcher_new(MATCH_EQ, st_slice_cstr("measure_name"), measure, &m, NULL)) return -1;
    matcher *const sel0[1] = {m};
    matcher *const *sel[1] = {sel0};
    size_t nsel[1] = {1};
    scan_spec sp = {.db = db, .sel = sel, .nsel = nsel, .nselectors = 1, .table = table, .mint = INT64_MIN,
                    .maxt = INT64_MAX, .mode = SCAN_KEYS, .order = SCAN_ORDER_ANY};
    scan *sc;
    int type = -1;
    if (scan_open(s, &sp, &sc, NULL) == 0) {
        scan_iter *it;
        if (scan_iter_open(sc, 0, scan_count(sc), &it, NULL) == 0) {
            scan_series ss;
            while (type < 0 && scan_iter_next(it, &ss, NULL) == 1) {
                st_slice col = ss.column;
                if (st_slice_eq(col, st_slice_cstr("ts_version"))) continue;
                if (st_slice_eq(col, st_slice_cstr("measure_value::double"))) type = TSREC_DOUBLE;
                else if (st_slice_eq(col, st_slice_cstr("measure_value::bigint"))) type = TSREC_BIGINT;
                else if (st_slice_eq(col, st_slice_cstr("measure_value::varchar"))) type = TSREC_VARCHAR;
                else if (st_slice_eq(col, st_slice_cstr("measure_value::boolean"))) type = TSREC_BOOLEAN;
                else type = TSREC_MULTI;
            }
            scan_iter_close(it);
        }
        scan_close(sc);
    }
    matcher_free(m);
    return type;
}

int ts_mtype_claim(ts_state *t, const char *db, st_slice table, st_slice measure, int type)
{
    char key[CATALOG_NAME_MAX + 2 * 260];
    size_t n = mtype_key(key, sizeof key, db, table, measure);
    if (!n) return type;
    int at = mtype_find(t, key, n);
    if (at >= 0) return t->mtypes[at].type;
    if (t->nmtypes >= MTYPES_MAX) { /* forgotten, learnt again from the store */
        for (size_t i = 0; i < t->nmtypes; i++) st_free(t->mtypes[i].key);
        t->nmtypes = 0;
        mtype_reindex(t);
    }
    if (t->nmtypes == t->capmtypes) {
        t->capmtypes = t->capmtypes ? 2 * t->capmtypes : 64;
        t->mtypes = st_realloc(t->mtypes, t->capmtypes * sizeof *t->mtypes);
    }
    ts_mtype *m = &t->mtypes[t->nmtypes++];
    m->key = st_malloc(n);
    memcpy(m->key, key, n);
    m->keylen = n;
    m->type = type;
    if (2 * t->nmtypes + 2 > t->mindex_cap) {
        mtype_reindex(t);
    } else {
        size_t j = st_hash64(key, n, 0) & (t->mindex_cap - 1);
        while (t->mindex[j] != UINT32_MAX) j = (j + 1) & (t->mindex_cap - 1);
        t->mindex[j] = (uint32_t)(t->nmtypes - 1);
    }
    return type;
}

void ts_mtype_forget(ts_state *t, const char *db, const char *table)
{
    size_t k = 0, dl = strlen(db);
    for (size_t i = 0; i < t->nmtypes; i++) {
        ts_mtype *m = &t->mtypes[i];
        bool gone = m->keylen > dl && !memcmp(m->key, db, dl + 1) &&
                    (!table || !strcmp(m->key + dl + 1, table));
        if (gone) st_free(m->key);
        else t->mtypes[k++] = *m;
    }
    t->nmtypes = k;
    mtype_reindex(t);
}

/* The type a record's measure must have: learnt from the store outside the
 * lock the first time, then claimed; *claimed when this record's type was
 * claimed for a measure nothing holds yet (to be given back if the record
 * is not written after all). */
static int mtype_for(api_server *sv, const char *db, st_slice table, const tsrec *r, bool *claimed)
{
    ts_state *t = sv->ts;
    char key[CATALOG_NAME_MAX + 2 * 260];
    size_t n = mtype_key(key, sizeof key, db, table, r->measure);
    *claimed = false;
    pthread_mutex_lock(&t->mu);
    int at = n ? mtype_find(t, key, n) : -1;
    int known = at >= 0 ? t->mtypes[at].type : -2;
    pthread_mutex_unlock(&t->mu);
    if (known >= 0) return known;
    int stored = mtype_learn(sv->s, db, table, r->measure);
    pthread_mutex_lock(&t->mu);
    bool fresh = !n || mtype_find(t, key, n) < 0;
    int stands = ts_mtype_claim(t, db, table, r->measure, stored >= 0 ? stored : (int)r->type);
    *claimed = fresh && stored < 0 && stands == (int)r->type;
    pthread_mutex_unlock(&t->mu);
    return stands;
}

/* Gives back a claim of mtype_for whose records were not written. */
static void mtype_unclaim(ts_state *t, const char *db, st_slice table, st_slice measure, int type)
{
    char key[CATALOG_NAME_MAX + 2 * 260];
    size_t n = mtype_key(key, sizeof key, db, table, measure);
    pthread_mutex_lock(&t->mu);
    int at = n ? mtype_find(t, key, n) : -1;
    if (at >= 0 && t->mtypes[at].type == type) {
        st_free(t->mtypes[at].key);
        t->mtypes[at] = t->mtypes[--t->nmtypes];
        mtype_reindex(t);
    }
    pthread_mutex_unlock(&t->mu);
}

/* ------------------------------------------------------------ newest times */

#define NEWEST_CAP (1u << 18) /* identities remembered: 4 MiB */

void ts_newest_forget(ts_state *t)
{
    pthread_mutex_lock(&t->write_mu);
    if (t->newest_hash) memset(t->newest_hash, 0, NEWEST_CAP * sizeof *t->newest_hash);
    t->newest_n = 0;
    pthread_mutex_unlock(&t->write_mu);
}

/* The slot of h (0 is taken for "empty": h is never 0). Under write_mu. */
static size_t newest_slot(ts_state *t, uint64_t h)
{
    if (!t->newest_hash) {
        t->newest_hash = st_calloc(NEWEST_CAP, sizeof *t->newest_hash);
        t->newest_ns = st_calloc(NEWEST_CAP, sizeof *t->newest_ns);
    }
    size_t i = h & (NEWEST_CAP - 1);
    while (t->newest_hash[i] && t->newest_hash[i] != h) i = (i + 1) & (NEWEST_CAP - 1);
    return i;
}

static bool newest_get(ts_state *t, uint64_t h, int64_t *ns)
{
    size_t i = newest_slot(t, h);
    *ns = t->newest_ns[i];
    return t->newest_hash[i] == h;
}

static void newest_put(ts_state *t, uint64_t h, int64_t ns)
{
    if (t->newest_n >= NEWEST_CAP / 4 * 3) { /* full: start again (what is forgotten costs a scan) */
        memset(t->newest_hash, 0, NEWEST_CAP * sizeof *t->newest_hash);
        t->newest_n = 0;
    }
    size_t i = newest_slot(t, h);
    if (t->newest_hash[i] != h) {
        t->newest_hash[i] = h;
        t->newest_ns[i] = ns;
        t->newest_n++;
    } else if (ns > t->newest_ns[i]) {
        t->newest_ns[i] = ns;
    }
}

static uint64_t identity_hash(const char *db, st_slice table, st_slice key)
{
    uint64_t h = st_hash64(db, strlen(db) + 1, 0x7473);
    h = st_hash64(table.p, table.n, h);
    h = st_hash64(key.p, key.n, h);
    return h ? h : 1;
}

/* ------------------------------------------------------------ series keys */

/* A value's series: found by (identity hash, column), checked against
 * both, given as its canonical key, the key's hash and the head's
 * reference as the last write found them. */
typedef struct ts_key {
    uint64_t ih, h;
    uint8_t *col, *key; /* col then key in one allocation */
    size_t coln, keylen;
    uint64_t keyhash;
    store_series_ref ref;
} ts_key;

void ts_keys_free(ts_state *t)
{
    for (size_t i = 0; i < t->keys_cap; i++) st_free(t->keys[i]);
    st_free(t->keys);
    t->keys = NULL;
    t->keys_cap = t->keys_n = t->keys_bytes = 0;
}

static uint64_t key_hash(uint64_t ih, st_slice col) { return st_hash64(col.p, col.n, ih) | 1; }

/* Under keys_mu: the slot of (ih, col), empty when absent. */
static size_t key_slot(ts_state *t, uint64_t ih, st_slice col, uint64_t h)
{
    size_t i = h & (t->keys_cap - 1);
    for (ts_key *k; (k = t->keys[i]); i = (i + 1) & (t->keys_cap - 1))
        if (k->h == h && k->ih == ih && k->coln == col.n && !memcmp(k->col, col.p, col.n)) break;
    return i;
}

/* Copies the key and reference of (ih, col) into the batch as a series:
 * true with *handle, false when unknown. */
static bool key_use(ts_state *t, store_batch *b, uint64_t ih, st_slice col, series_meta meta, uint32_t *handle)
{
    uint64_t h = key_hash(ih, col);
    bool hit = false;
    pthread_mutex_lock(&t->keys_mu);
    if (t->keys_cap) {
        ts_key *k = t->keys[key_slot(t, ih, col, h)];
        hit = k && store_batch_series_key_ref(b, k->key, k->keylen, k->keyhash, meta, &k->ref, handle, NULL) == 0;
    }
    pthread_mutex_unlock(&t->keys_mu);
    return hit;
}

/* Remembers (or refreshes) the series of handle after a write. */
static void key_keep(ts_state *t, const store_batch *b, uint64_t ih, st_slice col, uint32_t handle)
{
    const uint8_t *key;
    size_t keylen;
    uint64_t keyhash;
    store_batch_key(b, handle, &key, &keylen, &keyhash);
    store_series_ref ref;
    store_batch_ref(b, handle, &ref);
    uint64_t h = key_hash(ih, col);
    size_t need = sizeof(ts_key) + col.n + keylen + 2 * sizeof(void *);
    pthread_mutex_lock(&t->keys_mu);
    if (t->keys_bytes + need > t->cache_bytes || 4 * (t->keys_n + 1) > 3 * t->keys_cap) {
        if (t->keys_bytes + need > t->cache_bytes || t->keys_cap >= (1u << 30)) {
            for (size_t i = 0; i < t->keys_cap; i++) { /* full: start again */
                st_free(t->keys[i]);
                t->keys[i] = NULL;
            }
            t->keys_n = t->keys_bytes = 0;
        }
        if (4 * (t->keys_n + 1) > 3 * t->keys_cap) { /* grow, rehashing */
            size_t cap = t->keys_cap ? 2 * t->keys_cap : 1024;
            ts_key **old = t->keys;
            size_t oldcap = t->keys_cap;
            t->keys = st_calloc(cap, sizeof *t->keys);
            t->keys_cap = cap;
            for (size_t i = 0; i < oldcap; i++)
                if (old[i]) {
                    size_t j = old[i]->h & (cap - 1);
                    while (t->keys[j]) j = (j + 1) & (cap - 1);
                    t->keys[j] = old[i];
                }
            st_free(old);
            t->keys_bytes += (cap - oldcap) * sizeof *t->keys;
        }
    }
    if (need <= t->cache_bytes) {
        size_t i = key_slot(t, ih, col, h);
        ts_key *k = t->keys[i];
        if (k) {
            k->ref = ref;
        } else {
            k = st_malloc(sizeof *k + col.n + keylen);
            k->ih = ih;
            k->h = h;
            k->col = (uint8_t *)(k + 1);
            k->key = k->col + col.n;
            memcpy(k->col, col.p, col.n);
            memcpy(k->key, key, keylen);
            k->coln = col.n;
            k->keylen = keylen;
            k->keyhash = keyhash;
            k->ref = ref;
            t->keys[i] = k;
            t->keys_n++;
            t->keys_bytes += need;
        }
    }
    pthread_mutex_unlock(&t->keys_mu);
}

/* ------------------------------------------------------------ claims */

typedef struct ts_claim {
    const uint64_t *h; /* sorted, unique */
    size_t n;
    struct ts_claim *next;
} ts_claim;

static int u64_cmp(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return (x > y) - (x < y);
}

static bool claims_meet(const ts_claim *a, const ts_claim *b)
{
    for (size_t i = 0, k = 0; i < a->n && k < b->n;) {
        if (a->h[i] == b->h[k]) return true;
        if (a->h[i] < b->h[k]) i++;
        else k++;
    }
    return false;
}

/* Under write_mu: waits until no claim meets c, then adds it. */
static void claim_take(ts_state *t, ts_claim *c)
{
    for (;;) {
        bool meets = false;
        for (const ts_claim *o = t->claims; o && !meets; o = o->next) meets = claims_meet(o, c);
        if (!meets) break;
        pthread_cond_wait(&t->write_cv, &t->write_mu);
    }
    c->next = t->claims;
    t->claims = c;
}

/* Under write_mu. */
static void claim_drop(ts_state *t, ts_claim *c)
{
    for (ts_claim **p = &t->claims; *p; p = &(*p)->next)
        if (*p == c) {
            *p = c->next;
            break;
        }
    pthread_cond_broadcast(&t->write_cv);
}

/* ------------------------------------------------------------ columns */

static const char *single_column(tsrec_type t)
{
    switch (t) {
    case TSREC_BIGINT: return "measure_value::bigint";
    case TSREC_VARCHAR: return "measure_value::varchar";
    case TSREC_BOOLEAN: return "measure_value::boolean";
    default: return "measure_value::double";
    }
}

static st_vtype vtype_of(tsrec_type t)
{
    switch (t) {
    case TSREC_BIGINT:
    case TSREC_TIMESTAMP: return ST_VT_INT;
    case TSREC_VARCHAR: return ST_VT_STRING;
    case TSREC_BOOLEAN: return ST_VT_BOOL;
    default: return ST_VT_FLOAT;
    }
}

/* The column a value is stored under, in a. */
static st_slice column_of(st_arena *a, const tsrec *r, const tsrec_value *v)
{
    if (r->type != TSREC_MULTI) return st_slice_cstr(single_column(r->type));
    if (v->type != TSREC_TIMESTAMP) return v->name;
    char *p = st_arena_alloc(a, v->name.n + 11);
    memcpy(p, v->name.p, v->name.n);
    memcpy(p + v->name.n, "::timestamp", 11);
    return st_slice_of(p, v->name.n + 11);
}

/* ------------------------------------------------------------ what is stored */

/* One stored value of an identity at one time. */
typedef struct cell {
    st_slice column;
    st_vtype type;
    uint64_t bits;
    st_slice str;
    st_slice key; /* its series' canonical key; empty for one of this batch */
} cell;

/* What is stored (or accepted earlier in the batch) for a record's
 * identity at its time. */
typedef struct stored {
    bool found;
    int64_t version;
    cell *cells;
    size_t n, cap;
} stored;

typedef struct ident {
    st_slice key; /* canonical key of dims + measure_name */
} ident;

/* A record's identity key (labels without __name__), in a. */
static st_slice ident_key(st_arena *a, const tsrec *r, st_buf *tmp)
{
    label *ls = st_arena_alloc(a, (r->ndims + 1) * sizeof *ls);
    memcpy(ls, r->dims, r->ndims * sizeof *ls);
    ls[r->ndims] = (label){.name = st_slice_cstr("measure_name"), .value = r->measure};
    size_t n = r->ndims + 1;
    /* sort by name: dims are unique and checked, so plain insertion */
    for (size_t i = 1; i < n; i++)
        for (size_t k = i; k > 0 && st_slice_cmp(ls[k - 1].name, ls[k].name) > 0; k--) {
            label x = ls[k];
            ls[k] = ls[k - 1];
            ls[k - 1] = x;
        }
    tmp->len = 0;
    labels_key(ls, n, tmp);
    return st_slice_of(st_arena_strndup(a, (const char *)tmp->p, tmp->len), tmp->len);
}

static void cell_add(st_arena *a, stored *s, st_slice column, st_vtype type, uint64_t bits, st_slice str,
                     st_slice key)
{
    for (size_t i = 0; i < s->n; i++)
        if (st_slice_eq(s->cells[i].column, column)) {
            s->cells[i] = (cell){column, type, bits, str, key};
            return;
        }
    if (s->n == s->cap) {
        size_t cap = s->cap ? 2 * s->cap : 4;
        cell *nc = st_arena_alloc(a, cap * sizeof *nc);
        if (s->n) memcpy(nc, s->cells, s->n * sizeof *nc);
        s->cells = nc;
        s->cap = cap;
    }
    s->cells[s->n++] = (cell){column, type, bits, str, key};
}

/* The good records of a batch by identity: chains of record indexes in
 * ascending order per hash slot (a chain may hold other identities that
 * share the slot: walkers compare keys). */
#define NONE SIZE_MAX
typedef struct ident_index {
    size_t *head, *next, mask;
    const st_slice *keys;
    const tsrec_req *req;
} ident_index;

static void index_build(st_arena *a, ident_index *x, const tsrec_req *req, const st_slice *keys)
{
    size_t cap = 16;
    while (cap < 2 * req->n) cap *= 2;
    x->mask = cap - 1;
    x->head = st_arena_alloc(a, cap * sizeof *x->head);
    x->next = st_arena_alloc(a, (req->n ? req->n : 1) * sizeof *x->next);
    x->keys = keys;
    x->req = req;
    for (size_t i = 0; i < cap; i++) x->head[i] = NONE;
    for (size_t i = req->n; i-- > 0;) {
        x->next[i] = NONE;
        if (req->recs[i].reason) continue;
        size_t slot = st_hash64(keys[i].p, keys[i].n, 0) & x->mask;
        x->next[i] = x->head[slot];
        x->head[slot] = i;
    }
}

/* The first good record at or after `from` in key's chain with that key. */
static size_t index_walk(const ident_index *x, size_t from, st_slice key)
{
    for (size_t i = from; i != NONE; i = x->next[i])
        if (st_slice_eq(x->keys[i], key)) return i;
    return NONE;
}

static size_t index_first(const ident_index *x, st_slice key)
{
    return index_walk(x, x->head[st_hash64(key.p, key.n, 0) & x->mask], key);
}

/* Reads what is stored for the good records' identities over their time
 * range into st[i] (for record i). 0 or an error. */
static int read_stored(api_server *sv, st_arena *a, const char *db, st_slice table, const tsrec_req *req,
                       const ident_index *ix, stored *st, st_err *e)
{
    size_t nsel = 0;
    int64_t mint = INT64_MAX, maxt = INT64_MIN;
    matcher ***sel = st_arena_alloc(a, req->n * sizeof *sel);
    size_t *nm = st_arena_alloc(a, req->n * sizeof *nm);
    int rc = 0;
    for (size_t i = 0; i < req->n && !rc; i++) {
        const tsrec *r = &req->recs[i];
        if (r->reason) continue;
        if (r->time_ns < mint) mint = r->time_ns;
        if (r->time_ns > maxt) maxt = r->time_ns;
        if (index_first(ix, ix->keys[i]) != i) continue; /* its identity has a selector already */
        matcher **ms = st_arena_alloc(a, (r->ndims + 1) * sizeof *ms);
        size_t n = 0;
        rc = matcher_new(MATCH_EQ, st_slice_cstr("measure_name"), r->measure, &ms[n], e);
        if (!rc) n++;
        for (size_t d = 0; d < r->ndims && !rc; d++) {
            rc = matcher_new(MATCH_EQ, r->dims[d].name, r->dims[d].value, &ms[n], e);
            if (!rc) n++;
        }
        sel[nsel] = ms;
        nm[nsel++] = n;
    }
    if (!rc && nsel) {
        scan_spec sp = {.db = db, .sel = (matcher *const *const *)sel, .nsel = nm, .nselectors = nsel, .table = table,
                        .mint = mint, .maxt = maxt, .mode = SCAN_SAMPLES, .order = SCAN_ORDER_ANY};
        scan *sc;
        rc = scan_open(sv->s, &sp, &sc, e);
        if (rc == ST_ENOTFOUND) rc = 0, sc = NULL;
        if (!rc && sc) {
            scan_iter *it;
            rc = scan_iter_open(sc, 0, scan_count(sc), &it, e);
            st_buf tmp = {0};
            scan_series ss;
            while (!rc && (rc = scan_iter_next(it, &ss, e)) == 1) {
                rc = 0;
                /* this series' identity: its labels but __name__ */
                tmp.len = 0;
                label ls[LABELS_MAX];
                size_t n = 0;
                for (size_t k = 0; k < ss.nlabels; k++)
                    if (!st_slice_eq(ss.labels[k].name, st_slice_cstr(LABEL_METRIC_NAME))) ls[n++] = ss.labels[k];
                labels_key(ls, n, &tmp);
                st_slice key = st_slice_of((const char *)tmp.p, tmp.len);
                size_t first = index_first(ix, key);
                if (first == NONE) continue;
                st_slice column = st_slice_of(st_arena_strndup(a, ss.column.p, ss.column.n), ss.column.n);
                st_slice skey = st_slice_of(st_arena_strndup(a, (const char *)ss.key, ss.keylen), ss.keylen);
                bool isver = st_slice_eq(column, st_slice_cstr("ts_version"));
                scan_batch bt;
                while ((rc = scan_iter_batch(it, &bt, e)) == 1) {
                    rc = 0;
                    for (size_t j = 0; j < bt.n; j++)
                        for (size_t i = first; i != NONE; i = index_walk(ix, ix->next[i], key)) {
                            if (req->recs[i].time_ns != bt.ts[j]) continue;
                            stored *s = &st[i];
                            if (isver) {
                                s->version = (int64_t)bt.vals[j];
                                continue;
                            }
                            s->found = true;
                            st_slice str = {0};
                            if (ss.type == ST_VT_STRING)
                                str = st_slice_of(st_arena_strndup(a, bt.strs[j].p, bt.strs[j].n), bt.strs[j].n);
                            cell_add(a, s, column, ss.type, ss.type == ST_VT_STRING ? 0 : bt.vals[j], str, skey);
                        }
                }
            }
            if (rc == 0 || rc == 1) rc = 0;
            st_buf_free(&tmp);
            scan_iter_close(it);
            scan_close(sc);
        }
    }
    for (size_t i = 0; i < nsel; i++)
        for (size_t k = 0; k < nm[i]; k++) matcher_free(sel[i][k]);
    return rc;
}

/* Whether a record holds exactly the values stored. */
static bool same_values(st_arena *a, const tsrec *r, const stored *s)
{
    if (s->n != r->nvals) return false;
    for (size_t i = 0; i < r->nvals; i++) {
        st_slice col = column_of(a, r, &r->vals[i]);
        bool hit = false;
        for (size_t k = 0; k < s->n && !hit; k++) {
            const cell *x = &s->cells[k];
            if (!st_slice_eq(x->column, col)) continue;
            hit = x->type == vtype_of(r->vals[i].type) &&
                  (x->type == ST_VT_STRING ? st_slice_eq(x->str, r->vals[i].str) : x->bits == r->vals[i].bits);
        }
        if (!hit) return false;
    }
    return true;
}

/* ------------------------------------------------------------ the call */


/* RFC 3339 to the millisecond, as Timestream's window reason has it:
 * 2023-02-13T19:22:45.051Z */
static void put_iso(st_buf *b, int64_t ns)
{
    st_buf tmp = {0};
    sqlv_format_rfc3339(ns, &tmp); /* ...45.051000000Z */
    st_buf_put(b, tmp.p, 23);
    st_buf_putc(b, 'Z');
    st_buf_free(&tmp);
}

static void answer_rejected(ts_call *c, const ts_rejection *rj, size_t n)
{
    st_buf b = {0};
    PUTS(&b, "{\"__type\":\"" TS_ERR_PREFIX "RejectedRecordsException\",\"message\":\"One or more records have "
             "been rejected. See RejectedRecords for details.\",\"RejectedRecords\":[");
    for (size_t i = 0; i < n; i++) {
        if (i) st_buf_putc(&b, ',');
        st_buf_printf(&b, "{\"RecordIndex\":%zu,\"Reason\":", rj[i].index);
        json_str(&b, rj[i].reason, strlen(rj[i].reason));
        if (rj[i].existing) st_buf_printf(&b, ",\"ExistingVersion\":%" PRId64, rj[i].existing);
        st_buf_putc(&b, '}');
    }
    PUTS(&b, "]}");
    ts_ok(c, &b);
    c->rs->status = 419;
}

int ts_ingest(api_server *sv, st_arena *a, const char *db, const char *table, const ts_table *tt, tsrec_req *req_in,
              ts_outcome *out, st_err *e_out)
{
    tsrec_req req = *req_in;
    ts_rejection *rj = st_arena_alloc(a, (req.n ? req.n : 1) * sizeof *rj);
    size_t nrj = 0;
    st_slice tslice = st_slice_cstr(table);
    int64_t now = st_now_ns();
    int64_t mem = tt->mem_hours * 3600 * ST_NS_PER_S;
    int64_t lo = now - mem, hi = now + FUTURE_NS;
    if (tt->mag_writes) lo = now - mem - tt->mag_days * 86400 * ST_NS_PER_S;
    /* the window, then the types */
    scan_table_schema sch = {0};
    bool have_schema = scan_table_schema_get(sv->s, db, tslice, a, &sch, NULL) == 0;
    bool *claimed = st_arena_alloc(a, req.n ? req.n : 1); /* record i claimed its measure's type */
    memset(claimed, 0, req.n);
    size_t nvals_all = 0, seen_cap = 16;
    for (size_t i = 0; i < req.n; i++) nvals_all += req.recs[i].type == TSREC_MULTI ? req.recs[i].nvals : 0;
    while (seen_cap < 2 * nvals_all) seen_cap *= 2;
    tsrec_value *seen = st_arena_alloc(a, (nvals_all + 1) * sizeof *seen); /* the batch's names and types so far */
    uint32_t *seen_at = st_arena_alloc(a, seen_cap * sizeof *seen_at);
    memset(seen_at, 0xff, seen_cap * sizeof *seen_at);
    size_t nseen = 0, seen_mask = seen_cap - 1;
    for (size_t i = 0; i < req.n; i++) {
        tsrec *r = &req.recs[i];
        if (r->reason) continue;
        if (r->time_ns < lo || r->time_ns >= hi) {
            st_buf m = {0};
            PUTS(&m, "The record timestamp is outside the time range [");
            put_iso(&m, lo);
            PUTS(&m, ", ");
            put_iso(&m, hi);
            st_buf_printf(&m, ") of the %s.", tt->mag_writes ? "data ingestion window" : "memory store");
            r->reason = st_arena_strndup(a, (const char *)m.p, m.len);
            st_buf_free(&m);
            continue;
        }
        for (size_t v = 0; r->type == TSREC_MULTI && v < r->nvals && !r->reason; v++) {
            st_slice col = column_of(a, r, &r->vals[v]);
            st_vtype want = vtype_of(r->vals[v].type);
            /* the table's fields are sorted: found by halving */
            size_t f0 = 0, f1 = have_schema ? sch.nfields : 0;
            while (f0 < f1) {
                size_t mid = f0 + (f1 - f0) / 2;
                int cmp = st_slice_cmp(sch.fields[mid], col);
                if (cmp == 0) {
                    if (sch.types[mid] != want)
                        r->reason = st_arena_printf(a, "Measure value name '%.*s' has another type in table %s; it "
                                                       "cannot be written as %s.",
                                                    (int)r->vals[v].name.n, r->vals[v].name.p, table,
                                                    tsrec_type_name(r->vals[v].type));
                    break;
                }
                if (cmp < 0) f0 = mid + 1;
                else f1 = mid;
            }
            /* and against the batch's earlier records (a hash of the names) */
            uint64_t hv = st_hash64(r->vals[v].name.p, r->vals[v].name.n, 0);
            size_t at = hv & seen_mask;
            while (seen_at[at] != UINT32_MAX && !st_slice_eq(seen[seen_at[at]].name, r->vals[v].name))
                at = (at + 1) & seen_mask;
            if (seen_at[at] == UINT32_MAX) {
                seen_at[at] = (uint32_t)nseen;
                seen[nseen++] = r->vals[v];
            } else if (seen[seen_at[at]].type != r->vals[v].type) {
                r->reason = st_arena_printf(a, "Measure value name '%.*s' is written with two types.",
                                            (int)r->vals[v].name.n, r->vals[v].name.p);
            }
        }
        if (r->reason) continue;
        int stands = mtype_for(sv, db, tslice, r, &claimed[i]);
        if (stands != (int)r->type) {
            const char *was = stands == TSREC_MULTI ? "MULTI" : tsrec_type_name((tsrec_type)stands);
            r->reason = st_arena_printf(a, "Measure name '%.*s' has type %s in table %s; it cannot be written as %s.",
                                        (int)r->measure.n, r->measure.p, was, table, tsrec_type_name(r->type));
        }
    }
    /* versions: what is stored, read and written under one lock */
    st_slice *keys = st_arena_alloc(a, req.n * sizeof *keys);
    stored *st = st_arena_alloc(a, req.n * sizeof *st);
    memset(st, 0, req.n * sizeof *st);
    st_buf tmp = {0};
    for (size_t i = 0; i < req.n; i++) {
        keys[i] = req.recs[i].reason ? (st_slice){0} : ident_key(a, &req.recs[i], &tmp);
        st[i].version = 1;
    }
    ident_index ix;
    index_build(a, &ix, &req, keys);
    uint64_t *ih = st_arena_alloc(a, (req.n ? req.n : 1) * sizeof *ih);
    uint64_t *mine = st_arena_alloc(a, (req.n ? req.n : 1) * sizeof *mine);
    ts_claim claim = {.h = mine};
    for (size_t i = 0; i < req.n; i++)
        if (!req.recs[i].reason) mine[claim.n++] = ih[i] = identity_hash(db, tslice, keys[i]);
    qsort(mine, claim.n, sizeof *mine, u64_cmp);
    size_t u = 0;
    for (size_t i = 0; i < claim.n; i++)
        if (!u || mine[u - 1] != mine[i]) mine[u++] = mine[i];
    claim.n = u;
    pthread_mutex_lock(&sv->ts->write_mu);
    claim_take(sv->ts, &claim);
    /* what is stored is read only when a record may meet it: one not
     * newer than what this process stored last for its identity */
    bool look = false;
    for (size_t i = 0; i < req.n; i++) {
        if (req.recs[i].reason) continue;
        int64_t last;
        look |= !newest_get(sv->ts, ih[i], &last) || req.recs[i].time_ns <= last;
    }
    pthread_mutex_unlock(&sv->ts->write_mu);
    int rc = look ? read_stored(sv, a, db, tslice, &req, &ix, st, e_out) : 0;
    if (rc) {
        pthread_mutex_lock(&sv->ts->write_mu);
        claim_drop(sv->ts, &claim);
        pthread_mutex_unlock(&sv->ts->write_mu);
        st_buf_free(&tmp);
        return rc;
    }
    store_batch *b = store_batch_new();
    uint64_t ingested = 0, magnetic = 0;
    typedef struct used_t {
        uint64_t ih;
        st_slice col;
        uint32_t handle;
    } used_t;
    used_t *used = NULL; /* the series of the batch, for the key cache */
    size_t nused = 0, capused = 0;
    typedef struct stale {
        st_slice key;
        int64_t t;
    } stale;
    stale *gone = NULL; /* values of replaced MULTI records that the new ones lack */
    size_t ngone = 0, capgone = 0;
    label ls[TSREC_MAX_DIMS + 2];
    /* first the decisions, record by record: a record meets what is stored,
     * or the batch's last accepted record of its identity and time, which
     * it then supersedes (only the last of them is written, so a MULTI
     * record replaced within the batch leaves nothing behind) */
    bool *written = st_arena_alloc(a, req.n ? req.n : 1), *superseded = st_arena_alloc(a, req.n ? req.n : 1);
    stored *base = st_arena_alloc(a, (req.n ? req.n : 1) * sizeof *base); /* what the winner replaces in the store */
    memset(written, 0, req.n);
    memset(superseded, 0, req.n);
    for (size_t i = 0; i < req.n; i++) {
        tsrec *r = &req.recs[i];
        if (r->reason) continue;
        base[i] = st[i];
        const stored *s = &st[i];
        size_t prev = NONE;
        for (size_t k = index_first(&ix, keys[i]); k != NONE && k < i; k = index_walk(&ix, ix.next[k], keys[i]))
            if (written[k] && !superseded[k] && req.recs[k].time_ns == r->time_ns) prev = k;
        stored cur = {0};
        if (prev != NONE) { /* the batch's record stands as stored */
            const tsrec *p = &req.recs[prev];
            cur = (stored){.found = true, .version = p->version};
            for (size_t v = 0; v < p->nvals; v++)
                cell_add(a, &cur, column_of(a, p, &p->vals[v]), vtype_of(p->vals[v].type), p->vals[v].bits,
                         p->vals[v].str, (st_slice){0});
            s = &cur;
        }
        if (s->found && r->version < s->version) {
            r->reason = st_arena_printf(a, "The record version %" PRId64 " is lower than the existing version %" PRId64
                                           ". A higher version is required to update the measure value.",
                                        r->version, s->version);
            rj[nrj++] = (ts_rejection){i, r->reason, s->version};
            continue;
        }
        if (s->found && r->version == s->version) {
            if (same_values(a, r, s)) {
                ingested++; /* the same record again: nothing to write */
                continue;
            }
            r->reason = "A record already exists with the same time, dimensions, measure name, and record version. "
                        "A higher record version must be specified in order to update the measure value.";
            rj[nrj++] = (ts_rejection){i, r->reason, s->version};
            continue;
        }
        written[i] = true;
        if (prev != NONE) {
            superseded[prev] = true;
            base[i] = base[prev];
        }
        ingested++;
        if (r->time_ns < now - mem) magnetic++;
    }
    /* then the samples of the records that stand */
    for (size_t i = 0; i < req.n; i++) {
        tsrec *r = &req.recs[i];
        if (!written[i] || superseded[i]) continue;
        const stored *s = &base[i];
        /* a higher version of a MULTI record replaces it: the values it
         * no longer has go */
        for (size_t k = 0; s->found && r->type == TSREC_MULTI && k < s->n; k++) {
            bool kept = false;
            for (size_t v = 0; v < r->nvals && !kept; v++) kept = st_slice_eq(s->cells[k].column, column_of(a, r, &r->vals[v]));
            if (kept || !s->cells[k].key.n) continue;
            if (ngone == capgone) {
                capgone = capgone ? 2 * capgone : 16;
                stale *ng = st_arena_alloc(a, capgone * sizeof *ng);
                if (ngone) memcpy(ng, gone, ngone * sizeof *ng);
                gone = ng;
            }
            gone[ngone++] = (stale){s->cells[k].key, r->time_ns};
        }
        /* every series of the record first, then its samples: all of it or none */
        size_t nv = r->nvals + (r->version != 1 || s->found);
        uint32_t *hs = st_arena_alloc(a, nv * sizeof *hs);
        st_slice *cols = st_arena_alloc(a, nv * sizeof *cols);
        int src = 0;
        for (size_t v = 0; v < nv && !src; v++) {
            bool isver = v == r->nvals;
            const tsrec_value *val = isver ? NULL : &r->vals[v];
            st_slice col = cols[v] = isver ? st_slice_cstr("ts_version") : column_of(a, r, val);
            memcpy(ls, r->dims, r->ndims * sizeof *ls);
            size_t n = r->ndims;
            ls[n++] = (label){.name = st_slice_cstr("measure_name"), .value = r->measure};
            char *name = st_arena_alloc(a, tslice.n + 1 + col.n);
            memcpy(name, tslice.p, tslice.n);
            name[tslice.n] = '_';
            memcpy(name + tslice.n + 1, col.p, col.n);
            ls[n++] = (label){.name = st_slice_cstr(LABEL_METRIC_NAME), .value = st_slice_of(name, tslice.n + 1 + col.n)};
            st_vtype vt = isver ? ST_VT_INT : vtype_of(val->type);
            series_meta meta = {.type = (uint8_t)vt, .table_len = (uint16_t)tslice.n};
            if (!key_use(sv->ts, b, ih[i], col, meta, &hs[v])) src = store_batch_series(b, ls, n, meta, &hs[v], e_out);
        }
        if (src) {
            /* a record the store's own gate refuses (a label it cannot
             * take): rejected alone, nothing of it written */
            r->reason = st_arena_printf(a, "%s", e_out->msg);
            rj[nrj++] = (ts_rejection){i, r->reason, 0};
            *e_out = (st_err){0};
            written[i] = false;
            ingested--;
            if (r->time_ns < now - mem) magnetic--;
            continue;
        }
        for (size_t v = 0; v < nv; v++) {
            bool isver = v == r->nvals;
            const tsrec_value *val = isver ? NULL : &r->vals[v];
            if (nused == capused) {
                capused = capused ? 2 * capused : 256;
                used_t *nu = st_arena_alloc(a, capused * sizeof *nu);
                if (nused) memcpy(nu, used, nused * sizeof *nu);
                used = nu;
            }
            used[nused++] = (used_t){ih[i], cols[v], hs[v]};
            if (isver) store_batch_add(b, hs[v], r->time_ns, (uint64_t)r->version);
            else if (val->type == TSREC_VARCHAR) store_batch_add_str(b, hs[v], r->time_ns, val->str);
            else store_batch_add(b, hs[v], r->time_ns, val->bits);
        }
    }
    int wrc = 0;
    store_write_result wr = {0};
    /* the replaced records' stale values deleted first, one time at a time
     * (a crash between leaves the old record without them, the new one
     * unacknowledged) */
    for (size_t k = 0; k < ngone && !wrc; k++) {
        if (!gone[k].key.n) continue;
        st_slice *dk = st_arena_alloc(a, ngone * sizeof *dk);
        size_t nk = 0;
        int64_t t = gone[k].t;
        for (size_t m = k; m < ngone; m++)
            if (gone[m].key.n && gone[m].t == t) {
                dk[nk++] = gone[m].key;
                gone[m].key = (st_slice){0};
            }
        uint64_t hit;
        wrc = store_delete_series(sv->s, db, dk, nk, t, t, &hit, e_out);
    }
    if (!wrc && store_batch_samples(b)) wrc = store_write(sv->s, db, b, &wr, e_out);
    pthread_mutex_lock(&sv->ts->write_mu);
    if (!wrc)
        for (size_t i = 0; i < req.n; i++)
            if (written[i]) newest_put(sv->ts, ih[i], req.recs[i].time_ns);
    claim_drop(sv->ts, &claim);
    pthread_mutex_unlock(&sv->ts->write_mu);
    if (!wrc)
        for (size_t k = 0; k < nused; k++) key_keep(sv->ts, b, used[k].ih, used[k].col, used[k].handle);
    /* a measure's type claimed by records none of which was written goes
     * back (a failed write: all of them) */
    for (size_t i = 0; i < req.n; i++) {
        if (!claimed[i]) continue;
        bool kept = false;
        for (size_t k = 0; k < req.n && !kept && !wrc; k++)
            kept = written[k] && st_slice_eq(req.recs[k].measure, req.recs[i].measure);
        if (!kept) mtype_unclaim(sv->ts, db, tslice, req.recs[i].measure, (int)req.recs[i].type);
    }
    store_batch_free(b);
    st_buf_free(&tmp);
    if (wrc && !(wr.rejected && wrc == wr.first_code)) return wrc; /* nothing of the batch acknowledged */
    if (wr.rejected) {
        /* the store refused single values the checks above let through
         * (a race with another front's write): the records written are
         * reported, so that their senders try again */
        for (size_t i = 0; i < req.n; i++)
            if (written[i]) {
                rj[nrj++] = (ts_rejection){i, st_arena_printf(a, "Strata refused a value: %s", wr.first_error), 0};
                ingested--;
            }
    }
    /* ts_rejections in index order, with those of the decoder */
    for (size_t i = 0; i < req.n; i++)
        if (req.recs[i].reason) {
            bool listed = false;
            for (size_t k = 0; k < nrj && !listed; k++) listed = rj[k].index == i;
            if (!listed) rj[nrj++] = (ts_rejection){i, req.recs[i].reason, 0};
        }
    for (size_t i = 1; i < nrj; i++)
        for (size_t k = i; k > 0 && rj[k - 1].index > rj[k].index; k--) {
            ts_rejection x = rj[k];
            rj[k] = rj[k - 1];
            rj[k - 1] = x;
        }
    atomic_fetch_add(&sv->ts->records[0], ingested);
    atomic_fetch_add(&sv->ts->records[1], nrj);
    out->rejected = rj;
    out->nrejected = nrj;
    out->ingested = ingested;
    out->magnetic = magnetic;
    return 0;
}

void ts_write_records(ts_call *c)
{
    st_arena *a = c->rq->arena;
    tsrec_req req;
    st_err e = {0};
    if (tsrec_decode_tree(c->in, a, &req, &e)) { /* the dispatcher parsed the body already */
        ts_fail(c, 400, "ValidationException", "%s", e.msg);
        return;
    }
    char db[CATALOG_NAME_MAX + 2];
    char *table = st_arena_strndup(a, req.table.p, req.table.n);
    snprintf(db, sizeof db, "%.*s", (int)(req.db.n > CATALOG_NAME_MAX + 1 ? CATALOG_NAME_MAX + 1 : req.db.n), req.db.p);
    st_buf arn = {0};
    ts_arn_table(c, &arn, db, table);
    st_buf_putc(&arn, 0);
    bool ok = ts_may(c, db, AUTH_WRITE, (const char *)arn.p);
    st_buf_free(&arn);
    if (!ok) return;
    if (req.db.n > CATALOG_NAME_MAX || !store_db_exists(c->sv->s, db)) {
        ts_fail(c, 404, "ResourceNotFoundException", "Database %.*s does not exist.", (int)req.db.n, req.db.p);
        return;
    }
    ts_table tt;
    int ex = ts_table_get(c->sv, a, db, table, &tt, &e);
    if (ex < 0) {
        ts_fail_code(c, ex, e.msg);
        return;
    }
    if (!ex) {
        ts_fail(c, 404, "ResourceNotFoundException", "Table %s does not exist in database %s.", table, db);
        return;
    }
    ts_outcome out;
    int rc = ts_ingest(c->sv, a, db, table, &tt, &req, &out, &e);
    if (rc) {
        ts_fail_code(c, rc, e.msg); /* nothing of the batch acknowledged: the SDK retries */
        return;
    }
    if (out.nrejected) {
        answer_rejected(c, out.rejected, out.nrejected);
        return;
    }
    st_buf b = {0};
    st_buf_printf(&b, "{\"RecordsIngested\":{\"Total\":%" PRIu64 ",\"MemoryStore\":%" PRIu64
                      ",\"MagneticStore\":%" PRIu64 "}}",
                  out.ingested, out.ingested - out.magnetic, out.magnetic);
    ts_ok(c, &b);
}
