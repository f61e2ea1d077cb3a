/* test_head: the head against a model.
 *
 * Random operations on a few series: in-order appends, out-of-order appends,
 * overwrites of existing timestamps, range deletes, freezes (with and without
 * the thaw that a completed flush does); after each, head_read_locked must
 * equal the model: a map ts -> value where the last write wins and deleted
 * or flushed ranges are gone. Strings exercise the owned-copy paths. */
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
    }
    CHECK_MSG(ok, "type %u seed %llu", type, (unsigned long long)seed);
    free(m);
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

int main(void)
{
    for (int i = 0; i < TS_SPACE; i++) snprintf(strval[i], sizeof strval[i], "v%d%s", i, i % 3 ? "" : "ü");
    RUN(test_model_float);
    RUN(test_model_string);
    RUN(test_memory_accounting);
    return testlib_done("test_head");
}
