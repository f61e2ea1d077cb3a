/* test_head: the head against a model.
 *
 * Random operations on a few series: in-order appends, out-of-order appends,
 * overwrites of existing timestamps, range deletes, freezes (with and without
 * the thaw that a completed flush does); after each, head_read_locked must
 * equal the model: a map ts -> value where the last write wins and deleted
 * or flushed ranges are gone. Strings exercise the owned-copy paths. */
#include <pthread.h>
#include <stdatomic.h>
#include <string.h>

#include "bits.h"
#include "head.h"
#include "labels.h"
#include "samples.h"
#include "testlib.h"

#define TS_SPACE 2000

typedef struct model {
    bool has[TS_SPACE];
    uint64_t val[TS_SPACE];
    bool frozen[TS_SPACE]; /* value lives only in frozen chunks */
} model;

static uint64_t rng = 1;
static uint64_t rnd(void)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return rng;
}

static hseries *mk(head *h, const char *name, uint8_t type, unsigned *shard)
{
    label ls[1] = {{st_slice_cstr("__name__"), st_slice_cstr(name)}};
    size_t n = 1;
    labels_canonicalize(ls, &n, NULL);
    st_buf k = {0};
    labels_key(ls, n, &k);
    uint64_t hash = st_hash64(k.p, k.len, 0);
    *shard = head_shard_of(h, hash);
    series_meta m = {type, (uint16_t)strlen(name)};
    head_lock(h, *shard);
    hseries *s = head_create_locked(h, *shard, hash, k.p, k.len, m, 1);
    CHECK(head_get_locked(h, *shard, hash, k.p, k.len) == s);
    head_unlock(h, *shard);
    st_buf_free(&k);
    return s;
}

static char strval[TS_SPACE][24];

static bool same(head *h, hseries *s, const model *m, bool is_str, int step)
{
    codec_samples out = {0}, scratch[3] = {{0}};
    st_err e;
    int rc = head_read_locked(h, s, INT64_MIN, INT64_MAX, &out, scratch, &e);
    bool ok = rc == 0;
    size_t j = 0;
    for (int t = 0; ok && t < TS_SPACE; t++) {
        if (!m->has[t]) continue;
        if (j >= out.n || out.ts[j] != t) {
            fprintf(stderr, "  step %d: missing ts %d (got %lld)\n", step, t,
                    j < out.n ? (long long)out.ts[j] : -1LL);
            ok = false;
            break;
        }
        bool eq = is_str ? st_slice_eq(out.strs[j], st_slice_cstr(strval[m->val[t] % TS_SPACE]))
                         : out.vals[j] == m->val[t];
        if (!eq) {
            fprintf(stderr, "  step %d: ts %d wrong value\n", step, t);
            ok = false;
        }
        j++;
    }
    if (ok && j != out.n) {
        fprintf(stderr, "  step %d: %zu extra samples\n", step, out.n - j);
        ok = false;
    }
    /* a sub-range read agrees too */
    if (ok) {
        codec_samples part = {0};
        head_read_locked(h, s, 500, 1499, &part, scratch, &e);
        size_t want = 0;
        for (int t = 500; t < 1500; t++) want += m->has[t];
        if (part.n != want) {
            fprintf(stderr, "  step %d: range read %zu, want %zu\n", step, part.n, want);
            ok = false;
        }
        codec_samples_free(&part);
    }
    codec_samples_free(&out);
    for (int i = 0; i < 3; i++) codec_samples_free(&scratch[i]);
    return ok;
}

static void run_model(uint8_t type, uint64_t seed)
{
    head_opts o = {.nshards = 2, .chunk_samples = 16, .ooo_samples = 8};
    head *h = head_new(&o);
    unsigned sh;
    hseries *s = mk(h, "m", type, &sh);
    bool is_str = type == ST_VT_STRING;
    model *m = calloc(1, sizeof *m);
    rng = seed;
    int64_t cursor = 0;
    bool ok = true;
    for (int step = 0; step < 3000 && ok; step++) {
        uint64_t r = rnd() % 100;
        head_lock(h, sh);
        bool dbg = getenv("HEAD_DEBUG") != NULL;
        if (r < 55 && cursor < TS_SPACE - 1) { /* in order */
            cursor += 1 + (int64_t)(rnd() % 3);
            if (cursor >= TS_SPACE) cursor = TS_SPACE - 1;
            uint64_t v = rnd() % TS_SPACE;
            head_append_locked(h, s, cursor, v, st_slice_cstr(strval[v]));
            if (dbg) fprintf(stderr, "%d append %lld\n", step, (long long)cursor);
            m->has[cursor] = true;
            m->val[cursor] = v;
            m->frozen[cursor] = false;
        } else if (r < 90) { /* anywhere: out of order or overwrite */
            int64_t t = (int64_t)(rnd() % TS_SPACE);
            uint64_t v = rnd() % TS_SPACE;
            head_append_locked(h, s, t, v, st_slice_cstr(strval[v]));
            if (dbg) fprintf(stderr, "%d put %lld\n", step, (long long)t);
            m->has[t] = true;
            m->val[t] = v;
            m->frozen[t] = false;
            if (t > cursor) cursor = t;
        } else if (r < 95) { /* delete a range */
            int64_t a = (int64_t)(rnd() % TS_SPACE), b = a + (int64_t)(rnd() % 100);
            CHECK_OK(head_delete_locked(h, s, a, b, NULL));
            if (dbg) fprintf(stderr, "%d delete %lld %lld\n", step, (long long)a, (long long)b);
            for (int64_t t = a; t <= b && t < TS_SPACE; t++) m->has[t] = m->frozen[t] = false;
        } else { /* freeze below a cutoff; half the time the flush completes */
            int64_t cut = (int64_t)(rnd() % TS_SPACE);
            CHECK_OK(head_freeze_locked(h, s, cut, NULL));
            if (dbg) fprintf(stderr, "%d freeze %lld\n", step, (long long)cut);
            /* what an earlier unfinished flush froze at or above the new
             * cutoff is live again */
            for (int t = (int)(cut < 0 ? 0 : cut); t < TS_SPACE; t++) m->frozen[t] = false;
            if (rnd() % 2) {
                /* the frozen part must be exactly what is below the cutoff,
                 * merged with what an earlier failed flush left */
                codec_samples fz = {0};
                head_read_frozen_locked(h, s, &fz, NULL);
                for (size_t i = 0; i < fz.n; i++)
                    if (fz.ts[i] < 0 || fz.ts[i] >= TS_SPACE || !m->has[fz.ts[i]]) ok = false;
                codec_samples_free(&fz);
                head_thaw_drop_locked(h, s);
                for (int t = 0; t < cut && t < TS_SPACE; t++) m->has[t] = m->frozen[t] = false;
            } else {
                for (int t = 0; t < cut && t < TS_SPACE; t++)
                    if (m->has[t]) m->frozen[t] = true;
            }
        }
        if (!same(h, s, m, is_str, step)) ok = false;
        head_unlock(h, sh);
        /* the head's time bounds hold every sample it has */
        int64_t lo, hi;
        head_time_bounds(h, &lo, &hi);
        for (int64_t t = 0; t < TS_SPACE; t++)
            if (m->has[t] && (t < lo || t > hi)) ok = false;
    }
    CHECK_MSG(ok, "type %u seed %llu", type, (unsigned long long)seed);
    free(m);
    head_free(h);
}

/* Bounds narrow again once a flush drops what it wrote out. */
static void test_time_bounds(void)
{
    head *h = head_new(NULL);
    unsigned sh;
    hseries *s = mk(h, "tb", ST_VT_FLOAT, &sh);
    int64_t lo, hi;
    head_time_bounds(h, &lo, &hi);
    CHECK(lo > hi);
    head_lock(h, sh);
    for (int64_t t = 10; t <= 20; t++) head_append_locked(h, s, t, 1, st_slice_cstr(""));
    head_append_locked(h, s, 5, 1, st_slice_cstr("")); /* out of order */
    head_unlock(h, sh);
    head_time_bounds(h, &lo, &hi);
    CHECK(lo == 5 && hi == 20);
    head_lock(h, sh);
    CHECK_OK(head_freeze_locked(h, s, 15, NULL));
    head_thaw_drop_locked(h, s);
    head_unlock(h, sh);
    head_time_bounds(h, &lo, &hi);
    CHECK_MSG(lo == 15 && hi == 20, "%lld %lld", (long long)lo, (long long)hi);
    head_lock(h, sh);
    CHECK_OK(head_freeze_locked(h, s, INT64_MAX, NULL));
    head_thaw_drop_locked(h, s);
    head_append_locked(h, s, 50, 1, st_slice_cstr(""));
    head_unlock(h, sh);
    head_time_bounds(h, &lo, &hi);
    CHECK(lo == 50 && hi == 50);
    head_free(h);
}

static void test_model_float(void)
{
    for (uint64_t seed = 1; seed <= 6; seed++) run_model(ST_VT_FLOAT, seed * 7919);
}

static void test_model_string(void)
{
    for (uint64_t seed = 1; seed <= 3; seed++) run_model(ST_VT_STRING, seed * 104729);
}

static void test_memory_accounting(void)
{
    head_opts o = {.nshards = 4};
    head *h = head_new(&o);
    uint64_t m0 = head_memory(h);
    unsigned sh;
    hseries *s = mk(h, "mem", ST_VT_FLOAT, &sh);
    head_lock(h, sh);
    for (int i = 0; i < 1000; i++) head_append_locked(h, s, i, (uint64_t)i, st_slice_of(NULL, 0));
    head_unlock(h, sh);
    CHECK(head_memory(h) > m0);
    CHECK_EQ_INT(head_series_count(h), 1);
    head_lock(h, sh);
    CHECK_OK(head_freeze_locked(h, s, INT64_MAX, NULL));
    head_thaw_drop_locked(h, s);
    CHECK(hseries_empty(s));
    head_remove_locked(h, sh, s);
    head_unlock(h, sh);
    CHECK_EQ_INT(head_series_count(h), 0);
    /* everything the series held is given back (the shard tables stay) */
    CHECK_MSG(head_memory(h) <= m0 + 8192, "memory %llu after, %llu before",
              (unsigned long long)head_memory(h), (unsigned long long)m0);
    head_free(h);
}

/* head_remove_empty against a model: of many series, the emptied ones go
 * (from the map, the table, the index, the counts), the others stay, while
 * another thread writes new series into the same shards and selects. */
typedef struct gc_racer {
    head *h;
    _Atomic bool stop;
    int bad;
    unsigned created;
} gc_racer;

static hseries *mk_labeled(head *h, const char *name, const char *host, unsigned *shard,
                           bool locked_create)
{
    label ls[3] = {{st_slice_cstr("__name__"), st_slice_cstr(name)},
                   {st_slice_cstr("host"), st_slice_cstr(host)},
                   {st_slice_cstr("dc"), st_slice_cstr("eu")}};
    size_t n = 3;
    labels_canonicalize(ls, &n, NULL);
    st_buf k = {0};
    labels_key(ls, n, &k);
    uint64_t hash = st_hash64(k.p, k.len, 0);
    *shard = head_shard_of(h, hash);
    series_meta m = {ST_VT_FLOAT, 0};
    if (!locked_create) head_lock(h, *shard);
    hseries *s = head_get_locked(h, *shard, hash, k.p, k.len);
    if (!s) s = head_create_locked(h, *shard, hash, k.p, k.len, m, 1);
    if (!locked_create) head_unlock(h, *shard);
    st_buf_free(&k);
    return s;
}

static void *gc_racer_main(void *arg)
{
    gc_racer *r = arg;
    matcher *m = NULL;
    st_err e;
    matcher_new(MATCH_EQ, st_slice_cstr("dc"), st_slice_cstr("eu"), &m, &e);
    postings got = {0};
    char host[32];
    for (unsigned i = 0; !atomic_load(&r->stop); i++) {
        snprintf(host, sizeof host, "late%u", i);
        unsigned sh;
        hseries *s = mk_labeled(r->h, "late", host, &sh, false);
        head_lock(r->h, sh);
        head_append_locked(r->h, s, 1, 1, st_slice_of(NULL, 0));
        /* every selected id is a live series */
        if (head_select_locked(r->h, sh, &m, 1, &got, &e)) r->bad++;
        for (size_t k = 0; k < got.n; k++)
            if (!head_by_id_locked(r->h, sh, got.ids[k])) r->bad++;
        head_unlock(r->h, sh);
        r->created++;
    }
    postings_free(&got);
    matcher_free(m);
    return NULL;
}

static void count_removed(void *ctx, const hseries *s)
{
    (void)s;
    (*(size_t *)ctx)++;
}

static void test_remove_empty(void)
{
    enum { N = 20000 };
    head_opts o = {.nshards = 3};
    head *h = head_new(&o);
    uint64_t m0 = head_memory(h);
    static hseries *ser[N];
    static unsigned shard[N];
    static bool keep[N];
    char host[32];
    for (size_t i = 0; i < N; i++) {
        snprintf(host, sizeof host, "h%zu", i);
        ser[i] = mk_labeled(h, i % 4 ? "cpu" : "mem", host, &shard[i], false);
        keep[i] = rnd() % 3 == 0;
        head_lock(h, shard[i]);
        for (int t = 0; t < 5; t++) head_append_locked(h, ser[i], t, (uint64_t)t, st_slice_of(NULL, 0));
        if (!keep[i]) {
            CHECK_OK(head_freeze_locked(h, ser[i], INT64_MAX, NULL));
            head_thaw_drop_locked(h, ser[i]);
        }
        head_unlock(h, shard[i]);
    }
    size_t nkeep = 0;
    for (size_t i = 0; i < N; i++) nkeep += keep[i];
    uint32_t bound0[3];
    for (unsigned sh = 0; sh < 3; sh++) {
        head_lock(h, sh);
        bound0[sh] = head_id_bound_locked(h, sh);
        head_unlock(h, sh);
    }
    gc_racer r = {.h = h};
    pthread_t tid;
    pthread_create(&tid, NULL, gc_racer_main, &r);
    size_t removed = 0, called = 0;
    for (unsigned sh = 0; sh < 3; sh++) removed += head_remove_empty(h, sh, count_removed, &called);
    atomic_store(&r.stop, true);
    pthread_join(tid, NULL);
    CHECK_EQ_INT(r.bad, 0);
    CHECK_EQ_INT(removed, N - nkeep);
    CHECK_EQ_INT(called, removed);
    CHECK_EQ_INT(head_series_count(h), nkeep + r.created);
    /* per shard: exactly the kept and late series are found and selected */
    matcher *ms[2] = {NULL, NULL};
    st_err e;
    CHECK_OK(matcher_new(MATCH_EQ, st_slice_cstr("dc"), st_slice_cstr("eu"), &ms[0], &e));
    CHECK_OK(matcher_new(MATCH_EQ, st_slice_cstr("__name__"), st_slice_cstr("mem"), &ms[1], &e));
    size_t selected = 0, mem_selected = 0, mem_kept = 0;
    postings got = {0};
    for (unsigned sh = 0; sh < 3; sh++) {
        head_lock(h, sh);
        CHECK_OK(head_select_locked(h, sh, ms, 1, &got, &e));
        selected += got.n;
        for (size_t k = 0; k < got.n; k++) CHECK(head_by_id_locked(h, sh, got.ids[k]) != NULL);
        CHECK_EQ_INT(idx_all(head_index_locked(h, sh))->n, got.n);
        CHECK_OK(head_select_locked(h, sh, ms + 1, 1, &got, &e));
        mem_selected += got.n;
        head_unlock(h, sh);
    }
    for (size_t i = 0; i < N; i++) mem_kept += keep[i] && i % 4 == 0;
    CHECK_EQ_INT(selected, nkeep + r.created);
    CHECK_EQ_INT(mem_selected, mem_kept);
    for (size_t i = 0; i < N; i++) {
        if (!keep[i]) continue;
        head_lock(h, shard[i]);
        CHECK(head_by_id_locked(h, shard[i], hseries_id(ser[i])) == ser[i]);
        head_unlock(h, shard[i]);
    }
    /* an emptied series written again is a new series, with a new id */
    size_t i0 = 0;
    while (keep[i0]) i0++;
    snprintf(host, sizeof host, "h%zu", i0);
    unsigned sh0;
    hseries *again = mk_labeled(h, i0 % 4 ? "cpu" : "mem", host, &sh0, false);
    CHECK(again != NULL && hseries_id(again) >= bound0[sh0]);
    /* nothing left after removing everything: memory goes back */
    for (unsigned sh = 0; sh < 3; sh++) {
        head_lock(h, sh);
        uint32_t bound = head_id_bound_locked(h, sh);
        for (uint32_t id = 0; id < bound; id++) {
            hseries *s = head_by_id_locked(h, sh, id);
            if (!s) continue;
            CHECK_OK(head_freeze_locked(h, s, INT64_MAX, NULL));
            head_thaw_drop_locked(h, s);
        }
        head_unlock(h, sh);
        head_remove_empty(h, sh, NULL, NULL);
    }
    CHECK_EQ_INT(head_series_count(h), 0);
    for (unsigned sh = 0; sh < 3; sh++) {
        head_lock(h, sh);
        CHECK_EQ_INT(idx_all(head_index_locked(h, sh))->n, 0);
        head_unlock(h, sh);
    }
    /* what stays is the shards' map and table, under 64 bytes per series
     * ever created (a series with its key took more than that) */
    CHECK_MSG(head_memory(h) <= m0 + 64 * (N + r.created + 1), "memory %llu after, %llu before",
              (unsigned long long)head_memory(h), (unsigned long long)m0);
    matcher_free(ms[0]);
    matcher_free(ms[1]);
    postings_free(&got);
    head_free(h);
}

int main(void)
{
    for (int i = 0; i < TS_SPACE; i++) snprintf(strval[i], sizeof strval[i], "v%d%s", i, i % 3 ? "" : "ü");
    RUN(test_time_bounds);
    RUN(test_model_float);
    RUN(test_model_string);
    RUN(test_memory_accounting);
    RUN(test_remove_empty);
    return testlib_done("test_head");
}
