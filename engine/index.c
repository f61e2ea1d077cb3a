/* index: the inverted index of one head shard or block (label matchers are
 * in matcher.c).
 *
 * Per label name an open-addressing table of values; each value owns a
 * sorted uint32 postings list (up to two ids inline, no allocation, because
 * most values of high-cardinality labels have one series). Strings are
 * interned into blocks the index owns. Tables store (hash32 << 32 | index+1)
 * in their slots so probing rarely touches the entries. Selection asks
 * matcher_literals for the values that decide a matcher, so literals and
 * alternations of literals look their postings up directly instead of
 * testing every value.
 *
 * Removal of many series (a head shard after a flush) is one filtering pass
 * over every list against a bitmap of the dead ids, resumable so that the
 * owner can let writers in between pieces (see index.h).
 */
#include "index.h"

#include "bits.h"

#include <stdlib.h>
#include <string.h>

/* ------------------------------------------------------ postings */

static void p_reserve(postings *p, size_t n)
{
    if (n <= p->cap) return;
    size_t cap = p->cap ? p->cap : 16;
    while (cap < n) cap *= 2;
    p->ids = st_realloc(p->ids, cap * sizeof *p->ids);
    p->cap = cap;
}

static void p_set(postings *p, const uint32_t *ids, size_t n)
{
    p_reserve(p, n);
    if (n) memcpy(p->ids, ids, n * sizeof *ids);
    p->n = n;
}

void postings_free(postings *p)
{
    st_free(p->ids);
    p->ids = NULL;
    p->n = p->cap = 0;
}

/* First index in a[lo..n) with a[i] >= v, by galloping from lo: cheap when
 * the answer is near, logarithmic when it is far. */
static size_t gallop(const uint32_t *a, size_t lo, size_t n, uint32_t v)
{
    size_t step = 1, hi = lo;
    while (hi < n && a[hi] < v) {
        lo = hi + 1;
        hi += step;
        step *= 2;
    }
    if (hi > n) hi = n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (a[mid] < v) lo = mid + 1;
        else hi = mid;
    }
    return lo;
}

/* a = a & b or a = a - b, in place. */
static void p_filter(postings *a, const uint32_t *b, size_t bn, bool keep_common)
{
    size_t w = 0, j = 0;
    if (keep_common && a->n > 16 * bn) {
        /* few ids against many: walk the few, gallop through the many
         * (matches land at or after where they are written) */
        size_t i = 0;
        for (size_t k = 0; k < bn && i < a->n; k++) {
            i = gallop(a->ids, i, a->n, b[k]);
            if (i < a->n && a->ids[i] == b[k]) a->ids[w++] = a->ids[i++];
        }
        a->n = w;
        return;
    }
    bool skewed = bn > 16 * a->n;
    for (size_t i = 0; i < a->n; i++) {
        uint32_t v = a->ids[i];
        if (skewed) {
            j = gallop(b, j, bn, v);
        } else {
            while (j < bn && b[j] < v) j++;
        }
        bool in = j < bn && b[j] == v;
        if (in == keep_common) a->ids[w++] = v;
        if (j >= bn && keep_common) break;
    }
    a->n = w;
}

void postings_intersect(postings *a, const postings *b) { p_filter(a, b->ids, b->n, true); }
void postings_intersect_ids(postings *a, const uint32_t *b, size_t bn) { p_filter(a, b, bn, true); }
void postings_subtract(postings *a, const postings *b) { p_filter(a, b->ids, b->n, false); }

static size_t merge2(uint32_t *out, const uint32_t *a, size_t an, const uint32_t *b, size_t bn)
{
    size_t i = 0, j = 0, w = 0;
    while (i < an && j < bn) {
        uint32_t x = a[i], y = b[j];
        out[w++] = x < y ? x : y;
        i += x <= y;
        j += y <= x;
    }
    while (i < an) out[w++] = a[i++];
    while (j < bn) out[w++] = b[j++];
    return w;
}

void postings_union(postings *a, const postings *b)
{
    if (!b->n) return;
    if (!a->n || a->ids[a->n - 1] < b->ids[0]) {
        p_reserve(a, a->n + b->n);
        memcpy(a->ids + a->n, b->ids, b->n * sizeof *b->ids);
        a->n += b->n;
        return;
    }
    size_t total = a->n + b->n;
    uint32_t *m = st_malloc(total * sizeof *m);
    a->n = merge2(m, a->ids, a->n, b->ids, b->n);
    st_free(a->ids);
    a->ids = m;
    a->cap = total;
}

/* ------------------------------------------------------ index */

typedef struct skey {
    const char *s;
    uint32_t len, hash;
} skey;

/* A dense array of entries, each starting with an skey, indexed by an
 * open-addressing table: linear probing, slot = hash << 32 | (index + 1), so
 * probes compare hashes without touching the entries; deletion shifts back
 * (no tombstones) and swap-removes the entry. */
typedef struct table {
    char *ents;
    uint32_t n, cap, mask;
    uint64_t *slots;
} table;

typedef struct vent {
    skey k;
    uint32_t n, cap; /* cap 0: ids inline */
    union {
        uint32_t *heap;
        uint32_t inl[2];
    } u;
} vent;

typedef struct nent {
    skey k;
    table vals; /* of vent */
} nent;

typedef struct sblock {
    struct sblock *next;
    size_t cap, used;
    char data[];
} sblock;

struct idx {
    uint64_t seed;
    table names; /* of nent */
    postings all;
    uint32_t max_id; /* largest id ever added: bounds every bitmap, even if a
                        caller's idx_remove left stray postings behind */
    sblock *strs;
    size_t str_live, str_dead;
    size_t mem; /* bytes allocated, kept current by xrealloc */
    /* A pending bulk removal: the dead ids (NULL: none pending) and the
     * cursor of the filtering pass. The pass walks names, and values within
     * a name, from the last entry down: the swap-removal of an emptied entry
     * moves the table's last entry, which is then either filtered already
     * or added since the pass began (so it holds no dead id), into the
     * filtered range; entries added between pieces land above the cursor
     * for the same reason. The bitmap is scratch, not counted in mem. */
    uint64_t *dead;
    size_t dead_words;
    uint32_t bulk_name; /* names [0, bulk_name) are still to filter */
    uint32_t bulk_val;  /* values [0, bulk_val) of name bulk_name - 1 are */
};

#define VIDS(v) ((v)->cap ? (v)->u.heap : (v)->u.inl)
#define NAME(x, i) ((nent *)(x)->names.ents + (i))
#define VAL(ne, i) ((vent *)(ne)->vals.ents + (i))
#define NOPE UINT32_MAX

static void *xrealloc(idx *x, void *p, size_t old, size_t new)
{
    x->mem += new - old;
    if (!new) {
        st_free(p);
        return NULL;
    }
    return st_realloc(p, new);
}

static uint32_t hash32(const idx *x, st_slice s)
{
    uint64_t h = st_hash64(s.p, s.n, x->seed);
    return (uint32_t)(h ^ (h >> 32));
}

static const char *intern(idx *x, const char *s, size_t n)
{
    sblock *b = x->strs;
    if (!b || b->cap - b->used < n) {
        size_t cap = n > 16384 ? n : 65536;
        b = xrealloc(x, NULL, 0, sizeof *b + cap);
        b->cap = cap;
        b->used = 0;
        b->next = x->strs;
        x->strs = b;
    }
    char *d = b->data + b->used;
    if (n) memcpy(d, s, n);
    b->used += n;
    x->str_live += n;
    return d;
}

static uint32_t tab_find(const table *t, size_t stride, st_slice s, uint32_t h, uint32_t *slot)
{
    if (!t->slots) return NOPE;
    for (uint32_t i = h & t->mask;; i = (i + 1) & t->mask) {
        uint64_t v = t->slots[i];
        *slot = i;
        if (!v) return NOPE;
        const skey *k = (const skey *)(t->ents + ((uint32_t)v - 1) * stride);
        if ((uint32_t)(v >> 32) == h && k->len == s.n && (!s.n || !memcmp(k->s, s.p, s.n)))
            return (uint32_t)v - 1;
    }
}

/* Finds s, or adds a zeroed entry for it (copying the string). */
static uint32_t tab_add(idx *x, table *t, size_t stride, st_slice s, uint32_t h)
{
    uint32_t slot, i = tab_find(t, stride, s, h, &slot);
    if (i != NOPE) return i;
    uint32_t cap = t->slots ? t->mask + 1 : 0;
    if ((uint64_t)(t->n + 1) * 4 > (uint64_t)cap * 3) { /* keep load <= 3/4 */
        uint32_t nc = cap ? cap * 2 : 4;
        uint64_t *ns = xrealloc(x, NULL, 0, nc * sizeof *ns);
        memset(ns, 0, nc * sizeof *ns);
        for (uint32_t j = 0; j < cap; j++) {
            uint64_t v = t->slots[j];
            uint32_t k = (uint32_t)(v >> 32) & (nc - 1);
            if (!v) continue;
            while (ns[k]) k = (k + 1) & (nc - 1);
            ns[k] = v;
        }
        xrealloc(x, t->slots, cap * sizeof *ns, 0);
        t->slots = ns;
        t->mask = nc - 1;
        tab_find(t, stride, s, h, &slot);
    }
    if (t->n == t->cap) {
        uint32_t nc = t->cap ? t->cap * 2 : 2;
        t->ents = xrealloc(x, t->ents, t->cap * stride, nc * stride);
        t->cap = nc;
    }
    i = t->n++;
    skey *k = memset(t->ents + i * stride, 0, stride);
    *k = (skey){intern(x, s.p, s.n), (uint32_t)s.n, h};
    t->slots[slot] = (uint64_t)h << 32 | (i + 1);
    return i;
}

/* Removes entry i found at slot (the caller has freed what it owns). */
static void tab_del(idx *x, table *t, size_t stride, uint32_t i, uint32_t slot)
{
    uint32_t hole = slot, mask = t->mask;
    for (uint32_t j = (hole + 1) & mask; t->slots[j]; j = (j + 1) & mask) {
        uint32_t home = (uint32_t)(t->slots[j] >> 32) & mask;
        /* Move the entry back into the hole unless its home is in (hole, j]. */
        if (hole <= j ? (home <= hole || home > j) : (home <= hole && home > j)) {
            t->slots[hole] = t->slots[j];
            hole = j;
        }
    }
    t->slots[hole] = 0;
    x->str_dead += ((skey *)(t->ents + i * stride))->len;
    uint32_t last = --t->n;
    if (i == last) return;
    memcpy(t->ents + i * stride, t->ents + last * stride, stride);
    uint32_t h = ((skey *)(t->ents + i * stride))->hash;
    for (uint32_t j = h & mask;; j = (j + 1) & mask)
        if (t->slots[j] == ((uint64_t)h << 32 | (last + 1))) {
            t->slots[j] = (uint64_t)h << 32 | (i + 1);
            return;
        }
}

static void tab_free(idx *x, table *t, size_t stride)
{
    xrealloc(x, t->ents, t->cap * stride, 0);
    xrealloc(x, t->slots, t->slots ? (t->mask + 1) * sizeof(uint64_t) : 0, 0);
}

static nent *name_find(const idx *x, st_slice name)
{
    uint32_t slot, i = tab_find(&x->names, sizeof(nent), name, hash32(x, name), &slot);
    return i == NOPE ? NULL : NAME(x, i);
}

static vent *value_find(const idx *x, const nent *ne, st_slice v)
{
    uint32_t slot, i = tab_find(&ne->vals, sizeof(vent), v, hash32(x, v), &slot);
    return i == NOPE ? NULL : VAL(ne, i);
}

idx *idx_new(void)
{
    idx *x = st_calloc(1, sizeof *x);
    /* A per-index seed keeps crafted label values from colliding on purpose. */
    x->seed = (uint64_t)st_mono_ns() ^ ((uint64_t)(uintptr_t)x * 0x9E3779B97F4A7C15ull);
    x->mem = sizeof *x;
    return x;
}

void idx_free(idx *x)
{
    if (!x) return;
    for (uint32_t i = 0; i < x->names.n; i++) {
        nent *ne = NAME(x, i);
        for (uint32_t j = 0; j < ne->vals.n; j++)
            if (VAL(ne, j)->cap) st_free(VAL(ne, j)->u.heap);
        tab_free(x, &ne->vals, sizeof(vent));
    }
    tab_free(x, &x->names, sizeof(nent));
    postings_free(&x->all);
    st_free(x->dead);
    for (sblock *b = x->strs, *nb; b; b = nb) {
        nb = b->next;
        st_free(b);
    }
    st_free(x);
}

static size_t lower_bound(const uint32_t *a, size_t n, uint32_t v)
{
    size_t lo = 0, hi = n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (a[mid] < v) lo = mid + 1;
        else hi = mid;
    }
    return lo;
}

/* Where id goes in sorted ids[0..n): n for the append fast path; NOPE if
 * it is already there. */
static size_t insert_pos(const uint32_t *ids, size_t n, uint32_t id)
{
    if (!n || ids[n - 1] < id) return n;
    size_t pos = lower_bound(ids, n, id);
    return ids[pos] == id ? NOPE : pos;
}

static bool ids_remove(uint32_t *ids, size_t *n, uint32_t id)
{
    size_t pos = lower_bound(ids, *n, id);
    if (pos == *n || ids[pos] != id) return false;
    memmove(ids + pos, ids + pos + 1, (*n - pos - 1) * sizeof *ids);
    (*n)--;
    return true;
}

static void vent_add(idx *x, vent *v, uint32_t id)
{
    uint32_t *ids = VIDS(v), cap = v->cap ? v->cap : 2;
    size_t pos = insert_pos(ids, v->n, id);
    if (pos == NOPE) return;
    if (v->n == cap) {
        uint32_t nc = cap < 1024 ? cap * 2 : cap + cap / 2;
        uint32_t *h = xrealloc(x, v->cap ? v->u.heap : NULL, v->cap * sizeof *h, nc * sizeof *h);
        if (!v->cap) memcpy(h, v->u.inl, sizeof v->u.inl);
        v->u.heap = ids = h;
        v->cap = nc;
    }
    memmove(ids + pos + 1, ids + pos, (v->n - pos) * sizeof *ids);
    ids[pos] = id;
    v->n++;
}

void idx_add(idx *x, uint32_t id, const label *ls, size_t n)
{
    postings *a = &x->all;
    size_t pos = insert_pos(a->ids, a->n, id);
    if (pos != NOPE) {
        size_t old = a->cap;
        p_reserve(a, a->n + 1);
        x->mem += (a->cap - old) * sizeof *a->ids;
        memmove(a->ids + pos + 1, a->ids + pos, (a->n - pos) * sizeof *a->ids);
        a->ids[pos] = id;
        a->n++;
    }
    if (id > x->max_id) x->max_id = id;
    for (size_t i = 0; i < n; i++) {
        if (!ls[i].value.n) continue; /* an empty value is an absent label */
        uint32_t ni = tab_add(x, &x->names, sizeof(nent), ls[i].name, hash32(x, ls[i].name));
        nent *ne = NAME(x, ni);
        uint32_t vi = tab_add(x, &ne->vals, sizeof(vent), ls[i].value, hash32(x, ls[i].value));
        vent_add(x, VAL(ne, vi), id);
    }
}

/* Copies every live string into fresh blocks and frees the old ones. */
static void strings_compact(idx *x)
{
    sblock *old = x->strs;
    x->strs = NULL;
    x->str_live = x->str_dead = 0;
    for (uint32_t i = 0; i < x->names.n; i++) {
        nent *ne = NAME(x, i);
        ne->k.s = intern(x, ne->k.s, ne->k.len);
        for (uint32_t j = 0; j < ne->vals.n; j++)
            VAL(ne, j)->k.s = intern(x, VAL(ne, j)->k.s, VAL(ne, j)->k.len);
    }
    for (sblock *nb; old; old = nb) {
        nb = old->next;
        xrealloc(x, old, sizeof *old + old->cap, 0);
    }
}

/* Strings of removed names and values stay in their blocks until they are
 * most of what the blocks hold. */
static void maybe_compact(idx *x)
{
    if (x->str_dead > (1u << 20) && x->str_dead > x->str_live - x->str_dead) strings_compact(x);
}

void idx_remove(idx *x, uint32_t id, const label *ls, size_t n)
{
    /* the bulk pass's cursor assumes only it deletes entries */
    idx_remove_bulk_step(x, SIZE_MAX);
    ids_remove(x->all.ids, &x->all.n, id);
    for (size_t i = 0; i < n; i++) {
        uint32_t ns, vs, ni, vi;
        if (!ls[i].value.n) continue;
        ni = tab_find(&x->names, sizeof(nent), ls[i].name, hash32(x, ls[i].name), &ns);
        if (ni == NOPE) continue;
        nent *ne = NAME(x, ni);
        vi = tab_find(&ne->vals, sizeof(vent), ls[i].value, hash32(x, ls[i].value), &vs);
        if (vi == NOPE) continue;
        vent *v = VAL(ne, vi);
        size_t cnt = v->n;
        if (!ids_remove(VIDS(v), &cnt, id)) continue;
        if ((v->n = (uint32_t)cnt) > 0) continue;
        /* Last series with this value: drop the value, then maybe the name. */
        if (v->cap) xrealloc(x, v->u.heap, v->cap * sizeof(uint32_t), 0);
        tab_del(x, &ne->vals, sizeof(vent), vi, vs);
        if (ne->vals.n) continue;
        tab_free(x, &ne->vals, sizeof(vent));
        tab_del(x, &x->names, sizeof(nent), ni, ns);
    }
    maybe_compact(x);
}

/* ------------------------------------------------------ bulk removal */

static bool is_dead(const idx *x, uint32_t id)
{
    size_t w = id >> 6;
    return w < x->dead_words && ((x->dead[w] >> (id & 63)) & 1);
}

/* Keeps the live ids of ids[0..n), in order; returns how many. */
static size_t ids_filter(const idx *x, uint32_t *ids, size_t n)
{
    size_t w = 0;
    for (size_t i = 0; i < n; i++)
        if (!is_dead(x, ids[i])) ids[w++] = ids[i];
    return w;
}

/* The slot of table entry i (its slot value is unique: hash and index). */
static uint32_t tab_slot(const table *t, size_t stride, uint32_t i)
{
    uint32_t h = ((const skey *)(t->ents + i * stride))->hash;
    uint64_t want = (uint64_t)h << 32 | (i + 1);
    uint32_t j = h & t->mask;
    while (t->slots[j] != want) j = (j + 1) & t->mask;
    return j;
}

/* Gives back the room of a list that a removal left mostly empty (after a
 * flush most lists lose nearly all their ids, and a list of a value every
 * series had would otherwise keep its peak size for the head's life). */
static void vent_shrink(idx *x, vent *v)
{
    if (!v->cap) return;
    if (v->n <= 2) {
        uint32_t keep[2] = {0, 0}, *heap = v->u.heap; /* inl overlays heap */
        memcpy(keep, heap, v->n * sizeof *keep);
        xrealloc(x, heap, v->cap * sizeof *heap, 0);
        memcpy(v->u.inl, keep, sizeof keep);
        v->cap = 0;
    } else if (v->n < v->cap / 4) {
        uint32_t nc = v->n * 2;
        v->u.heap = xrealloc(x, v->u.heap, v->cap * sizeof(uint32_t), nc * sizeof(uint32_t));
        v->cap = nc;
    }
}

void idx_remove_bulk_begin(idx *x, const uint64_t *dead, size_t nwords)
{
    idx_remove_bulk_step(x, SIZE_MAX);
    x->dead = st_malloc((nwords ? nwords : 1) * sizeof *x->dead);
    if (nwords) memcpy(x->dead, dead, nwords * sizeof *dead);
    x->dead_words = nwords;
    /* idx_all is exact from here on: one pass over the shard's ids */
    postings *a = &x->all;
    a->n = ids_filter(x, a->ids, a->n);
    if (a->cap > 16 && a->n < a->cap / 4) {
        size_t nc = a->n * 2 > 16 ? a->n * 2 : 16;
        a->ids = st_realloc(a->ids, nc * sizeof *a->ids);
        x->mem -= (a->cap - nc) * sizeof *a->ids;
        a->cap = nc;
    }
    x->bulk_name = x->names.n;
    x->bulk_val = NOPE;
}

bool idx_remove_bulk_step(idx *x, size_t budget)
{
    if (!x->dead) return true;
    size_t spent = 0;
    while (x->bulk_name > 0) {
        uint32_t ni = x->bulk_name - 1;
        nent *ne = NAME(x, ni);
        if (x->bulk_val > ne->vals.n) x->bulk_val = ne->vals.n; /* NOPE: start of a name */
        while (x->bulk_val > 0) {
            if (spent >= budget) return false;
            uint32_t vi = --x->bulk_val;
            vent *v = VAL(ne, vi);
            spent += 1 + v->n;
            size_t n = ids_filter(x, VIDS(v), v->n);
            if (n == v->n) continue;
            v->n = (uint32_t)n;
            if (n) {
                vent_shrink(x, v);
                continue;
            }
            if (v->cap) xrealloc(x, v->u.heap, v->cap * sizeof(uint32_t), 0);
            tab_del(x, &ne->vals, sizeof(vent), vi, tab_slot(&ne->vals, sizeof(vent), vi));
        }
        if (!ne->vals.n) {
            tab_free(x, &ne->vals, sizeof(vent));
            tab_del(x, &x->names, sizeof(nent), ni, tab_slot(&x->names, sizeof(nent), ni));
        }
        x->bulk_name--;
        x->bulk_val = NOPE;
    }
    st_free(x->dead);
    x->dead = NULL;
    x->dead_words = 0;
    maybe_compact(x);
    return true;
}

bool idx_remove_bulk_pending(const idx *x) { return x->dead != NULL; }

void idx_remove_bulk(idx *x, const uint64_t *dead, size_t nwords)
{
    idx_remove_bulk_begin(x, dead, nwords);
    idx_remove_bulk_step(x, SIZE_MAX);
}

const postings *idx_all(const idx *x) { return &x->all; }

size_t idx_memory(const idx *x) { return x->mem; }

/* Test hook: recompute idx_memory from the structures. */
size_t idx_memory_recount_(const idx *x);
size_t idx_memory_recount_(const idx *x)
{
    size_t m = sizeof *x + x->all.cap * sizeof(uint32_t);
    const table *t = &x->names;
    m += t->cap * sizeof(nent) + (t->slots ? (t->mask + 1) * sizeof(uint64_t) : 0);
    for (uint32_t i = 0; i < x->names.n; i++) {
        t = &NAME(x, i)->vals;
        m += t->cap * sizeof(vent) + (t->slots ? (t->mask + 1) * sizeof(uint64_t) : 0);
        for (uint32_t j = 0; j < t->n; j++) m += VAL(NAME(x, i), j)->cap * sizeof(uint32_t);
    }
    for (const sblock *b = x->strs; b; b = b->next) m += sizeof *b + b->cap;
    return m;
}

/* ------------------------------------------------------ selection */

typedef struct vlist {
    const uint32_t **ids;
    size_t *n;
    size_t k, cap, total;
} vlist;

static void vl_push(vlist *l, const vent *v)
{
    if (l->k == l->cap) {
        l->cap = l->cap ? l->cap * 2 : 16;
        l->ids = st_realloc(l->ids, l->cap * sizeof *l->ids);
        l->n = st_realloc(l->n, l->cap * sizeof *l->n);
    }
    l->ids[l->k] = VIDS(v);
    l->n[l->k++] = v->n;
    l->total += v->n;
}

static void vl_free(vlist *l)
{
    st_free(l->ids);
    st_free(l->n);
}

/* Pushes the postings of ne's values v with matcher_matches(m, v) == want. */
static void collect(idx *x, nent *ne, matcher *m, bool want, vlist *l)
{
    const st_slice *lits;
    size_t nl;
    bool inv;
    if (matcher_literals(m, &lits, &nl, &inv) && want != inv) {
        for (size_t i = 0; i < nl; i++) {
            vent *v = lits[i].n ? value_find(x, ne, lits[i]) : NULL;
            if (v) vl_push(l, v);
        }
        return;
    }
    for (uint32_t i = 0; i < ne->vals.n; i++) {
        vent *v = VAL(ne, i);
        if (matcher_matches(m, st_slice_of(v->k.s, v->k.len)) == want) vl_push(l, v);
    }
}

static size_t bm_words(const idx *x) { return x->max_id / 64 + 1; }

static uint64_t *bm_build(const idx *x, const vlist *l)
{
    uint64_t *bm = st_calloc(bm_words(x), sizeof *bm);
    for (size_t i = 0; i < l->k; i++) {
        /* Lists are sorted and often dense: gather each word's bits in a
         * register, since read-modify-writes of one word back to back
         * serialise on store forwarding. */
        const uint32_t *ids = l->ids[i];
        size_t n = l->n[i], w = n ? ids[0] >> 6 : 0;
        uint64_t acc = 0;
        for (size_t j = 0; j < n; j++) {
            if (ids[j] >> 6 != w) {
                bm[w] |= acc;
                w = ids[j] >> 6;
                acc = 0;
            }
            acc |= 1ull << (ids[j] & 63);
        }
        bm[w] |= acc;
    }
    return bm;
}

static size_t ilog2(size_t v)
{
    size_t r = 1;
    while (v >>= 1) r++;
    return r;
}

/* Union by rounds of pairwise merges of adjacent runs: T log k, and every
 * pass is sequential. */
static void merge_union(const vlist *l, postings *out)
{
    uint32_t *a = st_malloc(l->total * sizeof *a), *b = st_malloc(l->total * sizeof *b), *t;
    size_t *run = st_malloc((l->k + 1) * sizeof *run), k = l->k, w = 0;
    for (size_t i = 0; i < k; i++) {
        run[i] = w;
        memcpy(a + w, l->ids[i], l->n[i] * sizeof *a);
        w += l->n[i];
    }
    run[k] = w;
    while (k > 1) {
        size_t nk = 0, o = 0;
        for (size_t i = 0; i < k; i += 2) {
            size_t s = run[i], mid = run[i + 1], e = i + 2 <= k ? run[i + 2] : mid;
            run[nk++] = o; /* nk <= i: the reads above came first */
            o += merge2(b + o, a + s, mid - s, a + mid, e - mid);
        }
        run[nk] = o;
        k = nk;
        t = a, a = b, b = t;
    }
    st_free(out->ids);
    out->ids = a;
    out->n = run[1];
    out->cap = l->total;
    st_free(b);
    st_free(run);
}

/* out = union of l. */
static void vl_union(const idx *x, const vlist *l, postings *out)
{
    out->n = 0;
    if (l->k == 0) return;
    if (l->k == 1) {
        p_set(out, l->ids[0], l->n[0]);
        return;
    }
    if (l->k == 2) {
        p_reserve(out, l->total);
        out->n = merge2(out->ids, l->ids[0], l->n[0], l->ids[1], l->n[1]);
        return;
    }
    size_t w = bm_words(x);
    if (2 * w + l->total < l->total * ilog2(l->k)) {
        uint64_t *bm = bm_build(x, l);
        p_reserve(out, l->total);
        for (size_t i = 0; i < w; i++)
            for (uint64_t b = bm[i]; b; b &= b - 1)
                out->ids[out->n++] = (uint32_t)(i * 64 + (size_t)__builtin_ctzll(b));
        st_free(bm);
        return;
    }
    merge_union(l, out);
}

static bool vl_contains(const vlist *l, uint32_t id)
{
    for (size_t i = 0; i < l->k; i++) {
        size_t p = lower_bound(l->ids[i], l->n[i], id);
        if (p < l->n[i] && l->ids[i][p] == id) return true;
    }
    return false;
}

/* r = r & union(l) (keep) or r - union(l) (!keep), choosing the cheapest of
 * probing each id of r, a bitmap of l, or merging l first. */
static void vl_apply(const idx *x, postings *r, const vlist *l, bool keep)
{
    if (!l->k) {
        if (keep) r->n = 0;
        return;
    }
    if (l->k == 1) {
        p_filter(r, l->ids[0], l->n[0], keep);
        return;
    }
    size_t w = bm_words(x), avg = l->total / l->k + 1;
    double probe = (double)r->n * (double)l->k * (double)ilog2(avg);
    double bitmap = (double)(w + l->total + r->n);
    double merge = (double)l->total * (double)ilog2(l->k) + (double)r->n;
    size_t wr = 0;
    if (probe <= bitmap && probe <= merge) {
        for (size_t i = 0; i < r->n; i++)
            if (vl_contains(l, r->ids[i]) == keep) r->ids[wr++] = r->ids[i];
        r->n = wr;
    } else if (bitmap <= merge) {
        uint64_t *bm = bm_build(x, l);
        for (size_t i = 0; i < r->n; i++) {
            uint32_t id = r->ids[i];
            if (((bm[id >> 6] >> (id & 63)) & 1) == keep) r->ids[wr++] = id;
        }
        r->n = wr;
        st_free(bm);
    } else {
        postings u = {0};
        merge_union(l, &u);
        p_filter(r, u.ids, u.n, keep);
        postings_free(&u);
    }
}

typedef struct plan {
    matcher *m;
    nent *ne;
    size_t est; /* SIZE_MAX: unknown until the values are scanned */
} plan;

static int plan_cmp(const void *a, const void *b)
{
    size_t x = ((const plan *)a)->est, y = ((const plan *)b)->est;
    return x < y ? -1 : x > y;
}

int idx_select(idx *x, matcher *const *ms, size_t n, postings *out, st_err *e)
{
    ST_UNUSED(e);
    out->n = 0;
    plan stack[16], *pl = n > 16 ? st_malloc(n * sizeof *pl) : stack;
    size_t np = 0;
    vlist neg = {0}, l = {0};
    bool have = false;
    for (size_t i = 0; i < n; i++) {
        nent *ne = name_find(x, matcher_name(ms[i]));
        if (matcher_matches_empty(ms[i])) {
            /* Selects series without the label, minus those whose value
             * fails: collect the failing values' postings to subtract. */
            if (ne) collect(x, ne, ms[i], false, &neg);
            continue;
        }
        if (!ne) goto done; /* every series has "" here, which fails */
        pl[np++] = (plan){ms[i], ne, SIZE_MAX};
    }
    /* Positive matchers with listable values are cheap to size: order by
     * size so the most selective one starts the intersection. */
    for (size_t i = 0; i < np; i++) {
        const st_slice *lits;
        size_t nl;
        bool inv;
        if (matcher_literals(pl[i].m, &lits, &nl, &inv) && !inv) {
            pl[i].est = 0;
            for (size_t j = 0; j < nl; j++) {
                vent *ve = lits[j].n ? value_find(x, pl[i].ne, lits[j]) : NULL;
                pl[i].est += ve ? ve->n : 0;
            }
        }
    }
    qsort(pl, np, sizeof *pl, plan_cmp);
    for (size_t i = 0; i < np; i++) {
        l.k = l.total = 0;
        collect(x, pl[i].ne, pl[i].m, true, &l);
        if (!have) {
            vl_union(x, &l, out);
            have = true;
        } else {
            vl_apply(x, out, &l, true);
        }
        if (!out->n) goto done;
    }
    if (!have) p_set(out, x->all.ids, x->all.n);
    if (neg.k) vl_apply(x, out, &neg, false);
done:
    vl_free(&neg);
    vl_free(&l);
    if (pl != stack) st_free(pl);
    return 0;
}

/* ------------------------------------------------------ names and values */

static bool vent_in(const vent *v, const uint64_t *bm)
{
    const uint32_t *ids = VIDS(v);
    for (uint32_t i = 0; i < v->n; i++)
        if ((bm[ids[i] >> 6] >> (ids[i] & 63)) & 1) return true;
    return false;
}

static uint64_t *bm_of(const idx *x, const postings *of)
{
    if (!of) return NULL;
    size_t w = bm_words(x);
    uint64_t *bm = st_calloc(w, sizeof *bm);
    for (size_t i = 0; i < of->n; i++)
        if (of->ids[i] / 64 < w) bm[of->ids[i] >> 6] |= 1ull << (of->ids[i] & 63);
    return bm;
}

static int slice_cmpv(const void *a, const void *b)
{
    return st_slice_cmp(*(const st_slice *)a, *(const st_slice *)b);
}

static void out_push(st_slice **out, size_t *n, size_t *cap, const skey *k)
{
    if (*n == *cap) {
        *cap = *cap ? *cap * 2 : 16;
        *out = st_realloc(*out, *cap * sizeof **out);
    }
    (*out)[(*n)++] = st_slice_of(k->s, k->len);
}

void idx_label_names(idx *x, const postings *of, st_slice **out, size_t *n, size_t *cap)
{
    size_t start = *n;
    uint64_t *bm = bm_of(x, of);
    for (uint32_t i = 0; i < x->names.n; i++) {
        const nent *ne = NAME(x, i);
        if (!ne->k.len) continue; /* the table index's reserved name */
        bool any = !bm;
        for (uint32_t j = 0; j < ne->vals.n && !any; j++) any = vent_in(VAL(ne, j), bm);
        if (any) out_push(out, n, cap, &ne->k);
    }
    st_free(bm);
    if (*n > start) qsort(*out + start, *n - start, sizeof **out, slice_cmpv);
}

void idx_postings(idx *x, st_slice name, st_slice value, postings *out)
{
    out->n = 0;
    nent *ne = name_find(x, name);
    vent *ve = ne && value.n ? value_find(x, ne, value) : NULL;
    if (ve) p_set(out, VIDS(ve), ve->n);
}

void idx_postings_filter(idx *x, st_slice name, st_slice value, postings *a)
{
    nent *ne = name_find(x, name);
    vent *ve = ne && value.n ? value_find(x, ne, value) : NULL;
    if (!ve) a->n = 0;
    else p_filter(a, VIDS(ve), ve->n, true);
}

void idx_each_pair(idx *x, void (*fn)(void *ctx, st_slice name, st_slice value, size_t count), void *ctx)
{
    for (uint32_t i = 0; i < x->names.n; i++) {
        const nent *ne = NAME(x, i);
        if (!ne->k.len) continue;
        for (uint32_t j = 0; j < ne->vals.n; j++) {
            const vent *v = VAL(ne, j);
            fn(ctx, st_slice_of(ne->k.s, ne->k.len), st_slice_of(v->k.s, v->k.len), v->n);
        }
    }
}

void idx_label_values(idx *x, st_slice name, const postings *of, st_slice **out, size_t *n,
                      size_t *cap)
{
    size_t start = *n;
    nent *ne = name_find(x, name);
    if (!ne) return;
    uint64_t *bm = bm_of(x, of);
    for (uint32_t j = 0; j < ne->vals.n; j++)
        if (!bm || vent_in(VAL(ne, j), bm)) out_push(out, n, cap, &VAL(ne, j)->k);
    st_free(bm);
    if (*n > start) qsort(*out + start, *n - start, sizeof **out, slice_cmpv);
}
