/* test_block_v2: format version 2 of the on-disk block: chunk cutting at
 * time-aligned spans, per-chunk metadata and statistics (against
 * codec_stats_compute over what the chunk decodes to), blk_read_chunk,
 * blk_tombstoned, damage to the new fields (statistics records, the index's
 * time columns), the table index, and version 1 blocks (a byte image
 * written by the version 1 writer) read by this code. test_block.c covers
 * what both versions share.
 *
 * STRATA_WRITE_BLOCK_SEEDS=DIR also writes the fuzz/corpus/block_index
 * seeds of version 2 blocks into DIR. */
#include "bits.h"
#include "block.h"
#include "block_fmt.h"
#include "block_testutil.h"
#include "testlib.h"

/* ------------------------------------------------------------------------ */
/* Format version 2: chunks and their statistics                            */

#define MIN_NS (60 * ST_NS_PER_S)
static const int64_t T2H = 1700006400LL * ST_NS_PER_S; /* a multiple of 2 h */

static bool stats_eq(const codec_stats *a, const codec_stats *b)
{
    return a->count == b->count && a->flags == b->flags && a->first == b->first &&
           a->last == b->last && a->min == b->min && a->max == b->max && a->sum == b->sum;
}

static double as_double(uint64_t u)
{
    double d;
    memcpy(&d, &u, 8);
    return d;
}

/* x <= y in the order statistics use for type t (codec.h). */
static bool stat_le(st_vtype t, uint64_t x, uint64_t y)
{
    if (t == ST_VT_INT) return (int64_t)x <= (int64_t)y;
    if (t == ST_VT_FLOAT) return as_double(x) <= as_double(y);
    return x <= y;
}

/* What any statistics a reader accepts must hold, whatever bytes they came
 * from: the count given, no flag but VALID, and when VALID a min and max
 * (no NaN) that bound first and last, an integer sum within count times
 * them, booleans whose sum, first and last agree; never VALID for strings. */
static bool stats_sane(st_vtype t, const codec_stats *s, uint32_t count)
{
    if (s->count != count || (s->flags & ~CODEC_STATS_VALID) != 0) return false;
    if (!(s->flags & CODEC_STATS_VALID)) return t != ST_VT_BOOL;
    if (t == ST_VT_STRING) return false;
    if (t == ST_VT_FLOAT) {
        uint64_t v[4] = {s->min, s->max, s->first, s->last};
        for (int i = 0; i < 4; i++)
            if (isnan(as_double(v[i]))) return false;
    }
    if (!stat_le(t, s->min, s->first) || !stat_le(t, s->first, s->max) || !stat_le(t, s->min, s->last) ||
        !stat_le(t, s->last, s->max))
        return false;
    if (t == ST_VT_BOOL)
        return s->sum <= count && s->first <= 1 && s->last <= 1 && s->min == (s->sum == count) &&
               s->max == (s->sum > 0);
    if (t == ST_VT_INT)
        return (__int128)(int64_t)s->sum >= (__int128)count * (int64_t)s->min &&
               (__int128)(int64_t)s->sum <= (__int128)count * (int64_t)s->max;
    if (t == ST_VT_UINT)
        return (unsigned __int128)s->sum >= (unsigned __int128)count * s->min &&
               (unsigned __int128)s->sum <= (unsigned __int128)count * s->max;
    return true;
}

/* Every chunk of series id against s: metadata exact, in time order and
 * disjoint; statistics equal to codec_stats_compute over the decoded chunk;
 * the chunks concatenate to s, as blk_read does. Returns the number of
 * chunks, or -1 after reporting a mismatch. */
static int check_chunks(blk *b, uint32_t id, const tseries *s)
{
    uint32_t nc = blk_series_nchunks(b, id);
    codec_samples cs = {0};
    st_err e;
    size_t at = 0;
    int64_t prev = INT64_MIN;
    bool ok = nc > 0;
    for (uint32_t i = 0; i < nc && ok; i++) {
        blk_chunk ch;
        if (blk_chunk_meta(b, id, i, &ch, &e) ||
            blk_read_chunk(b, id, i, INT64_MIN, INT64_MAX, &cs, &e)) {
            CHECK_MSG(0, "series %u chunk %u: %s", id, i, e.msg);
            ok = false;
            break;
        }
        codec_stats want;
        codec_stats_compute((st_vtype)s->meta.type, cs.vals, cs.n, &want);
        ok = ch.exact_mint && cs.n > 0 && ch.mint == cs.ts[0] && ch.maxt == cs.ts[cs.n - 1] &&
             (i == 0 || ch.mint > prev) && stats_eq(&ch.stats, &want) && at + cs.n <= s->n;
        for (size_t k = 0; ok && k < cs.n; k++)
            ok = cs.ts[k] == s->ts[at + k] &&
                 (s->meta.type == ST_VT_STRING ? st_slice_eq(cs.strs[k], s->strs[at + k])
                                               : cs.vals[k] == s->vals[at + k]);
        CHECK_MSG(ok, "series %u chunk %u of %u", id, i, nc);
        at += cs.n;
        prev = ch.maxt;
    }
    CHECK_MSG(!ok || at == s->n, "series %u: chunks hold %zu of %zu samples", id, at, s->n);
    CHECK_OK(blk_read(b, id, INT64_MIN, INT64_MAX, &cs, &e));
    CHECK(same(&cs, s, INT64_MIN, INT64_MAX));
    codec_samples_free(&cs);
    return ok && at == s->n ? (int)nc : -1;
}

/* n samples every step ns from t0, no jitter. */
static void gen_regular(tseries *s, const char *name, st_vtype type, size_t n, int64_t t0, int64_t step)
{
    gen_series(s, (const char *[]){"__name__", name, NULL}, type, n, t0, step);
    for (size_t i = 0; i < n; i++) s->ts[i] = t0 + (int64_t)i * step;
}

static blk *open_written(const char *parent, tseries *s, size_t n, int64_t mint, int64_t maxt)
{
    char dir[4200];
    st_err e;
    blk *b = NULL;
    int rc = write_block(vfs_posix(), parent, s, n, mint, maxt, dir, sizeof dir, &e);
    CHECK_MSG(rc == 0, "%s", e.msg);
    if (rc == 0) {
        rc = blk_open(vfs_posix(), dir, &b, &e);
        CHECK_MSG(rc == 0, "%s", e.msg);
    }
    return b;
}

static void chunk_stats(blk *b, uint32_t id, uint32_t i, codec_stats *out)
{
    blk_chunk ch;
    st_err e;
    memset(out, 0, sizeof *out);
    CHECK_OK(blk_chunk_meta(b, id, i, &ch, &e));
    *out = ch.stats;
}

/* Every value type and shape through the statistics record, 1 s data over
 * a 2 h block: four 30-minute chunks a series. */
static void test_v2_stats_types(void)
{
    enum { N = 7200, NS = 14 };
    char *parent = testlib_tmpdir("blk");
    tseries s[NS];
    char names[NS][8];
    static const st_vtype types[NS] = {ST_VT_FLOAT, ST_VT_FLOAT, ST_VT_FLOAT, ST_VT_FLOAT,
                                       ST_VT_FLOAT, ST_VT_FLOAT, ST_VT_INT,   ST_VT_UINT,
                                       ST_VT_INT,   ST_VT_BOOL,  ST_VT_STRING, ST_VT_FLOAT,
                                       ST_VT_FLOAT, ST_VT_INT};
    for (int k = 0; k < NS; k++) {
        snprintf(names[k], sizeof names[k], "s%02d", k);
        gen_regular(&s[k], names[k], types[k], k == 12 ? 1 : N, T2H, ST_NS_PER_S);
    }
    double pi = 3.14159265358979;
    for (size_t i = 0; i < N; i++) {
        s[1].vals[i] = f2u(rnd01() * 1e-3);                        /* not decimals */
        s[2].vals[i] = f2u(pi);                                    /* a constant */
        s[3].vals[i] = f2u((double)(1000000 + i * 7 + i % 5));     /* a counter */
        s[4].vals[i] = f2u((double)(100000 - (int64_t)i * 3) / 10); /* decreasing */
        s[5].vals[i] = f2u((double)(int64_t)(rnd() % 1000) - 500);
        s[6].vals[i] = i % 2 ? (uint64_t)(INT64_MIN + 1) : (uint64_t)INT64_MAX; /* sums stay in range */
        s[7].vals[i] = i < 1800 ? rnd() % 1000 : UINT64_MAX / 2 + i;  /* chunk 1 on overflows */
        s[8].vals[i] = (uint64_t)(INT64_MAX - (int64_t)i);              /* every chunk overflows */
        s[9].vals[i] = i < 1800 ? 0 : i < 3600 ? 1 : rnd() & 1;
        s[11].vals[i] = f2u((double)(i % 100) / 4);
        s[13].vals[i] = (uint64_t)-42;
    }
    s[5].vals[0] = 0x8000000000000000ull;      /* -0.0 first: not a decimal */
    s[5].vals[2000] = f2u(INFINITY);           /* chunk 1: +Inf, still valid */
    s[5].vals[2001] = f2u(-INFINITY);          /* and a NaN sum */
    s[11].vals[3599] = ST_STALE_NAN_BITS;      /* chunk 1 ends stale */
    s[11].vals[3600] = 0x7ff8000000000001ull;  /* chunk 2 starts with a NaN */
    s[12].vals[0] = f2u(-1.5);
    blk *b = open_written(parent, s, NS, T2H, T2H + 2 * 3600 * ST_NS_PER_S - 1);
    if (!b) goto out;
    for (uint32_t k = 0; k < NS; k++) {
        int nc = check_chunks(b, k, &s[k]);
        CHECK_MSG(nc == (k == 12 ? 1 : 4), "series %u: %d chunks", k, nc);
    }
    codec_stats st;
    for (uint32_t i = 0; i < 4; i++) {
        chunk_stats(b, 11, i, &st); /* NaNs: no min, max, sum */
        CHECK_EQ_INT(st.flags, i == 1 || i == 2 ? 0 : CODEC_STATS_VALID);
        chunk_stats(b, 8, i, &st);
        CHECK(st.flags == 0 && st.count == 1800 && st.first == (uint64_t)(INT64_MAX - 1800 * (int64_t)i));
        chunk_stats(b, 2, i, &st);
        CHECK(st.flags == CODEC_STATS_VALID && st.min == f2u(pi) && st.max == f2u(pi));
        chunk_stats(b, 3, i, &st);
        CHECK(st.first == st.min && st.last == st.max);
        chunk_stats(b, 4, i, &st);
        CHECK(st.first == st.max && st.last == st.min);
        chunk_stats(b, 6, i, &st);
        CHECK(st.flags == CODEC_STATS_VALID && st.min == (uint64_t)(INT64_MIN + 1) &&
              st.max == (uint64_t)INT64_MAX && st.sum == 0);
    }
    chunk_stats(b, 7, 0, &st);
    CHECK_EQ_INT(st.flags, CODEC_STATS_VALID);
    chunk_stats(b, 7, 1, &st);
    CHECK_EQ_INT(st.flags, 0);
    chunk_stats(b, 9, 0, &st);
    CHECK(st.flags == CODEC_STATS_VALID && st.sum == 0 && st.max == 0);
    chunk_stats(b, 9, 1, &st);
    CHECK(st.sum == 1800 && st.min == 1 && st.first == 1);
    chunk_stats(b, 10, 0, &st);
    CHECK(st.count == 1800 && st.flags == 0);
    chunk_stats(b, 5, 1, &st);
    CHECK(st.flags == CODEC_STATS_VALID && st.max == f2u(INFINITY) && st.min == f2u(-INFINITY));
    chunk_stats(b, 12, 0, &st);
    CHECK(st.count == 1 && st.sum == f2u(-1.5) && st.first == st.last);
    blk_unref(b);
out:
    for (int k = 0; k < NS; k++) tseries_free(&s[k]);
    testlib_rmrf(parent);
    free(parent);
}

static void expect_chunks(blk *b, uint32_t id, uint32_t n, const int64_t *mints, const uint32_t *counts)
{
    CHECK_EQ_INT(blk_series_nchunks(b, id), n);
    for (uint32_t i = 0; i < n && i < blk_series_nchunks(b, id); i++) {
        blk_chunk ch;
        st_err e;
        CHECK_OK(blk_chunk_meta(b, id, i, &ch, &e));
        CHECK_MSG(ch.mint == mints[i], "series %u chunk %u: mint %lld want %lld", id, i,
                  (long long)ch.mint, (long long)mints[i]);
        if (counts) CHECK_MSG(ch.stats.count == counts[i], "series %u chunk %u: %u samples, want %u",
                              id, i, ch.stats.count, counts[i]);
    }
}

/* Chunks end at multiples of 30 minutes from the epoch; a span with too
 * few samples joins the next one, a short tail the chunk before it. */
static void test_v2_cutting(void)
{
    char *parent = testlib_tmpdir("blk");
    const int64_t H = 3600 * ST_NS_PER_S, M30 = 30 * MIN_NS, S = ST_NS_PER_S;
    tseries s[7];
    gen_regular(&s[0], "c0", ST_VT_FLOAT, 7200, T2H, S);      /* 4 spans of 1800 */
    gen_regular(&s[1], "c1", ST_VT_FLOAT, 480, T2H, 15 * S);  /* 120 a span: one chunk */
    /* 10 samples in the first span, then 1 s data: the first span joins the second */
    gen_regular(&s[2], "c2", ST_VT_INT, 10 + 5400, T2H, S);
    for (size_t i = 0; i < 10; i++) s[2].ts[i] = T2H + (int64_t)i * 60 * S;
    for (size_t i = 10; i < s[2].n; i++) s[2].ts[i] = T2H + M30 + (int64_t)(i - 10) * S;
    /* an hour of 1 s data and 100 samples after it: the tail joins the second chunk */
    gen_regular(&s[3], "c3", ST_VT_FLOAT, 3700, T2H, S);
    /* exactly the minimum on both sides of a boundary: cut; one less: not */
    gen_regular(&s[4], "c4", ST_VT_UINT, 2 * BLK_CHUNK_MIN, T2H, 3 * S);
    for (size_t i = BLK_CHUNK_MIN; i < s[4].n; i++)
        s[4].ts[i] = T2H + M30 + (int64_t)(i - BLK_CHUNK_MIN) * 3 * S;
    gen_regular(&s[5], "c5", ST_VT_UINT, 2 * BLK_CHUNK_MIN, T2H, 3 * S);
    for (size_t i = BLK_CHUNK_MIN - 1; i < s[5].n; i++)
        s[5].ts[i] = T2H + M30 + (int64_t)(i - BLK_CHUNK_MIN + 1) * 3 * S;
    /* one span, more than the sample limit */
    gen_regular(&s[6], "c6", ST_VT_BOOL, BLK_CHUNK_MAX_SAMPLES + 4464, T2H, 10 * ST_NS_PER_MS);
    blk *b = open_written(parent, s, 7, T2H, T2H + 2 * H - 1);
    if (b) {
        for (uint32_t k = 0; k < 7; k++) CHECK(check_chunks(b, k, &s[k]) > 0);
        expect_chunks(b, 0, 4, (int64_t[]){T2H, T2H + M30, T2H + 2 * M30, T2H + 3 * M30},
                      (uint32_t[]){1800, 1800, 1800, 1800});
        blk_chunk ch;
        st_err e;
        CHECK_OK(blk_chunk_meta(b, 0, 1, &ch, &e));
        CHECK_EQ_INT(ch.maxt, T2H + 2 * M30 - S);
        expect_chunks(b, 1, 1, (int64_t[]){T2H}, (uint32_t[]){480});
        expect_chunks(b, 2, 3, (int64_t[]){T2H, T2H + 2 * M30, T2H + 3 * M30},
                      (uint32_t[]){1810, 1800, 1800});
        expect_chunks(b, 3, 2, (int64_t[]){T2H, T2H + M30}, (uint32_t[]){1800, 1900});
        expect_chunks(b, 4, 2, (int64_t[]){T2H, T2H + M30},
                      (uint32_t[]){BLK_CHUNK_MIN, BLK_CHUNK_MIN});
        expect_chunks(b, 5, 1, (int64_t[]){T2H}, (uint32_t[]){2 * BLK_CHUNK_MIN});
        expect_chunks(b, 6, 2, (int64_t[]){T2H, T2H + BLK_CHUNK_MAX_SAMPLES * 10 * ST_NS_PER_MS},
                      (uint32_t[]){BLK_CHUNK_MAX_SAMPLES, 4464});
        blk_unref(b);
    }
    for (int k = 0; k < 7; k++) tseries_free(&s[k]);
    /* before the epoch: spans are still multiples of 30 minutes */
    gen_regular(&s[0], "neg", ST_VT_FLOAT, 7200, -2 * H, S);
    b = open_written(parent, s, 1, -2 * H, -1);
    if (b) {
        CHECK_EQ_INT(check_chunks(b, 0, &s[0]), 4);
        expect_chunks(b, 0, 4, (int64_t[]){-2 * H, -2 * H + M30, -H, -M30}, NULL);
        blk_unref(b);
    }
    tseries_free(&s[0]);
    /* the whole int64 range: a chunk never spans more than INT64_MAX ns */
    gen_regular(&s[0], "wide", ST_VT_INT, 4, 0, 1);
    int64_t wide[4] = {INT64_MIN, -1, 0, INT64_MAX};
    memcpy(s[0].ts, wide, sizeof wide);
    b = open_written(parent, s, 1, INT64_MIN, INT64_MAX);
    if (b) {
        CHECK_EQ_INT(check_chunks(b, 0, &s[0]), 2);
        expect_chunks(b, 0, 2, (int64_t[]){INT64_MIN, 0}, (uint32_t[]){2, 2});
        blk_unref(b);
    }
    tseries_free(&s[0]);
    testlib_rmrf(parent);
    free(parent);
}

/* blk_read over many chunks is blk_read_chunk over each; ranges and
 * tombstones apply to both; blk_tombstoned answers from the tombstones. */
static void test_v2_read_chunk(void)
{
    char *parent = testlib_tmpdir("blk");
    const int64_t S = ST_NS_PER_S, M30 = 30 * MIN_NS;
    tseries s[3];
    gen_regular(&s[0], "f", ST_VT_FLOAT, 7200, T2H, S);
    gen_regular(&s[1], "s", ST_VT_STRING, 7200, T2H, S);
    gen_regular(&s[2], "z", ST_VT_INT, 300, T2H + 5 * S, 7 * S);
    char dir[4200];
    st_err e;
    int rc = write_block(vfs_posix(), parent, s, 3, T2H, T2H + 4 * M30 - 1, dir, sizeof dir, &e);
    CHECK_MSG(rc == 0, "%s", e.msg);
    blk *b = NULL;
    if (rc == 0) CHECK_OK(blk_open(vfs_posix(), dir, &b, &e));
    if (!b) goto out;
    codec_samples all = {0}, one = {0};
    for (int pass = 0; pass < 2; pass++) {
        if (pass == 1) {
            uint32_t ids[2] = {0, 1};
            CHECK(!blk_tombstoned(b, 0, INT64_MIN, INT64_MAX));
            CHECK_OK(blk_add_tombstones(b, ids, 2, T2H + 20 * MIN_NS, T2H + 40 * MIN_NS, &e));
            CHECK_OK(blk_add_tombstones(b, ids, 1, T2H + 100 * MIN_NS, T2H + 100 * MIN_NS, &e));
        }
        for (int q = 0; q < (quick ? 60 : 300); q++) {
            uint32_t id = (uint32_t)(rnd() % 3);
            int64_t a = T2H - 10 * S + (int64_t)(rnd() % (uint64_t)(4 * M30 + 20 * S));
            int64_t z = a + (q % 4 == 0 ? (int64_t)(rnd() % (uint64_t)(3 * M30))
                                        : (int64_t)(rnd() % 100) * S);
            if (q % 13 == 0) z = a - 1;
            CHECK_OK(blk_read(b, id, a, z, &all, &e));
            /* the same from the chunks one by one */
            size_t n = 0;
            bool ok = true;
            for (uint32_t i = 0; i < blk_series_nchunks(b, id); i++) {
                CHECK_OK(blk_read_chunk(b, id, i, a, z, &one, &e));
                for (size_t k = 0; k < one.n; k++, n++) {
                    ok &= n < all.n && one.ts[k] == all.ts[n];
                    if (ok && id == 1) ok = st_slice_eq(one.strs[k], all.strs[n]);
                    else if (ok) ok = one.vals[k] == all.vals[n];
                }
            }
            CHECK_MSG(ok && n == all.n, "series %u [%lld, %lld]: %zu by chunks, %zu by blk_read", id,
                      (long long)a, (long long)z, n, all.n);
            if (pass == 0) CHECK(same(&all, &s[id], a, z));
            bool dead = false;
            for (size_t k = 0; k < all.n; k++)
                dead |= id < 2 && ((all.ts[k] >= T2H + 20 * MIN_NS && all.ts[k] <= T2H + 40 * MIN_NS) ||
                                   (id == 0 && all.ts[k] == T2H + 100 * MIN_NS));
            CHECK(!(pass == 1 && dead));
        }
    }
    /* what the tombstones cover */
    CHECK(blk_tombstoned(b, 0, T2H, T2H + M30 - 1));       /* chunk 0 */
    CHECK(blk_tombstoned(b, 1, T2H + M30, T2H + 2 * M30)); /* chunk 1 */
    CHECK(!blk_tombstoned(b, 1, T2H + 2 * M30, T2H + 3 * M30));
    CHECK(blk_tombstoned(b, 0, T2H + 100 * MIN_NS, T2H + 100 * MIN_NS));
    CHECK(!blk_tombstoned(b, 0, T2H + 100 * MIN_NS + 1, T2H + 110 * MIN_NS));
    CHECK(!blk_tombstoned(b, 0, T2H + 40 * MIN_NS + 1, T2H + 100 * MIN_NS - 1));
    CHECK(!blk_tombstoned(b, 2, INT64_MIN, INT64_MAX));
    CHECK(!blk_tombstoned(b, 0, 5, 4));
    /* statistics describe the chunk as written, tombstones or not */
    blk_chunk ch;
    CHECK_OK(blk_chunk_meta(b, 0, 0, &ch, &e));
    CHECK_EQ_INT(ch.stats.count, 1800);
    CHECK_OK(blk_read_chunk(b, 0, 0, INT64_MIN, INT64_MAX, &one, &e));
    CHECK_EQ_INT(one.n, 1200); /* [20 min, 30 min) deleted */
    CHECK_OK(blk_read_chunk(b, 0, 3, T2H + 3 * M30 + 10 * S, T2H + 3 * M30 + 19 * S, &one, &e));
    CHECK(one.n == 10 && one.ts[0] == T2H + 3 * M30 + 10 * S);
    CHECK_OK(blk_read_chunk(b, 0, 3, T2H, T2H + M30, &one, &e)); /* outside the chunk */
    CHECK_EQ_INT(one.n, 0);
    /* out of range */
    CHECK_EQ_INT(blk_read_chunk(b, 0, 4, INT64_MIN, INT64_MAX, &one, &e), ST_EINVAL);
    CHECK_EQ_INT(blk_read_chunk(b, 3, 0, INT64_MIN, INT64_MAX, &one, &e), ST_EINVAL);
    CHECK_EQ_INT(blk_chunk_meta(b, 2, 1, &ch, &e), ST_EINVAL);
    CHECK_EQ_INT(blk_chunk_meta(b, 3, 0, &ch, &e), ST_EINVAL);
    CHECK_EQ_INT(blk_series_nchunks(b, 3), 0);
    CHECK_EQ_INT(blk_series_nchunks(b, 2), 1);
    codec_samples_free(&all);
    codec_samples_free(&one);
    blk_unref(b);
out:
    for (int k = 0; k < 3; k++) tseries_free(&s[k]);
    testlib_rmrf(parent);
    free(parent);
}

/* ------------------------------------------------------------------------ */
/* Version 1 blocks                                                         */

/* Written by the version 1 writer (git 1bd6e76) before version 2 existed:
 * [0, 100000], series b, i, s, u, big (two chunks), cpu_usage_user{host=a}
 * (table_len 3), values by the formulas in v1_value, and a tombstone
 * [5000, 9000] on series i. */
static const uint8_t v1_meta[79] = {
    0x53, 0x54, 0x42, 0x4d, 0x01, 0x30, 0x31, 0x4d, 0x39, 0x36, 0x58, 0x39, 0x43, 0x37, 0x43, 0x54,
    0x4d, 0x5a, 0x51, 0x44, 0x44, 0x56, 0x50, 0x4e, 0x31, 0x52, 0x4d, 0x42, 0x42, 0x4e, 0x54, 0x00,
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0xa0, 0x86, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01,
    0x00, 0x00, 0x00, 0x06, 0x00, 0x00, 0x00, 0xd7, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x07,
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0xa9, 0xdc, 0x7b, 0x5a,
};
static const uint8_t v1_index[139] = {
    0x53, 0x54, 0x42, 0x49, 0x01, 0x01, 0x34, 0x34, 0x00, 0x09, 0x00, 0x08, 0x5f, 0x5f, 0x6e, 0x61,
    0x6d, 0x65, 0x5f, 0x5f, 0x00, 0x01, 0x61, 0x00, 0x01, 0x62, 0x01, 0x02, 0x69, 0x67, 0x00, 0x0e,
    0x63, 0x70, 0x75, 0x5f, 0x75, 0x73, 0x61, 0x67, 0x65, 0x5f, 0x75, 0x73, 0x65, 0x72, 0x00, 0x04,
    0x68, 0x6f, 0x73, 0x74, 0x00, 0x01, 0x69, 0x00, 0x01, 0x73, 0x00, 0x01, 0x75, 0x86, 0xba, 0x8b,
    0x58, 0x02, 0x0f, 0x0f, 0x00, 0x07, 0x00, 0x02, 0x00, 0x01, 0x00, 0x01, 0x00, 0x02, 0x00, 0x01,
    0x00, 0x01, 0x05, 0x01, 0xc2, 0xf9, 0x48, 0x28, 0x03, 0x2b, 0x2b, 0x00, 0x06, 0x01, 0x01, 0x01,
    0x01, 0x01, 0x02, 0x00, 0x03, 0x04, 0x05, 0x01, 0x02, 0x04, 0x04, 0x00, 0x02, 0x00, 0x05, 0x00,
    0x03, 0x00, 0x02, 0x00, 0x01, 0x03, 0x01, 0x01, 0x01, 0x01, 0x02, 0x01, 0x0f, 0x0f, 0x43, 0x12,
    0x0d, 0x0b, 0x39, 0xff, 0xff, 0x03, 0x32, 0xc8, 0xc7, 0xf6, 0x5a,
};
static const uint8_t v1_chunks[229] = {
    0x53, 0x54, 0x42, 0x43, 0x01, 0x01, 0x04, 0x1e, 0xd0, 0x0f, 0xc8, 0xe2, 0x01, 0x01, 0x01, 0x02,
    0x92, 0x49, 0x24, 0x90, 0xe4, 0x6a, 0xdc, 0x83, 0x01, 0x02, 0x28, 0xd2, 0x0f, 0xd8, 0xb0, 0x02,
    0x01, 0x01, 0x02, 0xc7, 0x01, 0x02, 0x04, 0x89, 0xce, 0x5b, 0xfc, 0x01, 0x05, 0x14, 0xd4, 0x0f,
    0xb8, 0x94, 0x01, 0x01, 0x01, 0x01, 0x04, 0x04, 0x01, 0x00, 0x3f, 0xf0, 0x73, 0x30, 0x73, 0x31,
    0x73, 0x32, 0x73, 0x33, 0x73, 0x34, 0x73, 0x35, 0x73, 0x36, 0x73, 0x37, 0x73, 0x38, 0x73, 0x39,
    0x73, 0x31, 0x30, 0x73, 0x31, 0x31, 0x73, 0x31, 0x32, 0x73, 0x31, 0x33, 0x73, 0x31, 0x34, 0x73,
    0x31, 0x35, 0x73, 0x31, 0x36, 0x73, 0x31, 0x37, 0x73, 0x31, 0x38, 0x73, 0x31, 0x39, 0xfd, 0xf5,
    0xc4, 0x29, 0x01, 0x03, 0x19, 0xd6, 0x0f, 0xc0, 0xbb, 0x01, 0x01, 0x01, 0x05, 0x01, 0xd0, 0x0f,
    0x01, 0x80, 0x00, 0x00, 0x29, 0xf1, 0x64, 0xae, 0x01, 0x02, 0x80, 0x80, 0x04, 0x00, 0xff, 0xff,
    0x03, 0x01, 0x01, 0x00, 0x0e, 0x3a, 0xbe, 0x02, 0xfd, 0x01, 0x02, 0x32, 0x80, 0x80, 0x08, 0x31,
    0x01, 0x01, 0x00, 0x0e, 0xc4, 0x12, 0xe3, 0x05, 0x01, 0x01, 0x32, 0xda, 0x0f, 0xe8, 0xfe, 0x02,
    0x01, 0x01, 0x21, 0x01, 0x00, 0x14, 0x02, 0x00, 0x00, 0x00, 0x00, 0x00, 0xf0, 0x7f, 0x04, 0x00,
    0x05, 0x01, 0x54, 0xfa, 0x67, 0xc0, 0x2a, 0x95, 0x4c, 0xf8, 0x05, 0x53, 0xe9, 0x9f, 0x00, 0xaa,
    0x7d, 0x33, 0xe0, 0x15, 0x4f, 0xa6, 0x7c, 0x02, 0xa9, 0xf4, 0xcf, 0x80, 0x55, 0x3e, 0x99, 0xf0,
    0x00, 0x74, 0x63, 0x48, 0xd5,
};
static const uint8_t v1_tombs[15] = {
    0x53, 0x54, 0x42, 0x54, 0x01, 0x01, 0x01, 0x90, 0x4e, 0xa0, 0x1f, 0xbc, 0xa9, 0x18, 0xc8,
};

static const struct {
    const char *name;
    st_vtype type;
    size_t n;
} v1_series[6] = {{"b", ST_VT_BOOL, 30},       {"i", ST_VT_INT, 40},
                  {"s", ST_VT_STRING, 20},     {"u", ST_VT_UINT, 25},
                  {"big", ST_VT_INT, 65586},   {"cpu_usage_user", ST_VT_FLOAT, 50}};

/* The v1 image's samples of series id, as the generator made them. */
static void v1_expect(uint32_t id, tseries *s)
{
    static char sb[20][24];
    memset(s, 0, sizeof *s);
    s->n = v1_series[id].n;
    s->meta.type = (uint8_t)v1_series[id].type;
    s->ts = malloc(s->n * sizeof *s->ts);
    s->vals = malloc(s->n * sizeof *s->vals);
    s->strs = calloc(s->n, sizeof *s->strs);
    for (size_t j = 0; j < s->n; j++) {
        s->ts[j] = id == 4 ? (int64_t)j : (int64_t)(1000 + j * 1000 + id);
        switch (v1_series[id].type) {
        case ST_VT_BOOL: s->vals[j] = (j % 3) == 0; break;
        case ST_VT_INT: s->vals[j] = id == 4 ? 7 : (uint64_t)((int64_t)(j * j) - 100); break;
        case ST_VT_FLOAT: s->vals[j] = j == 10 ? ST_STALE_NAN_BITS : f2u((double)(j % 7) * 0.5); break;
        case ST_VT_UINT: s->vals[j] = j == 0 ? UINT64_MAX : j * 1000; break;
        case ST_VT_STRING:
            snprintf(sb[j], sizeof sb[j], "s%zu", j);
            s->strs[j] = st_slice_cstr(sb[j]);
            break;
        }
    }
}

static void check_v1(blk *b)
{
    st_err e;
    codec_samples cs = {0};
    CHECK_EQ_INT(blk_nseries(b), 6);
    CHECK(blk_has_tombstones(b));
    for (uint32_t id = 0; id < 6; id++) {
        tseries want;
        v1_expect(id, &want);
        const uint8_t *k;
        size_t kl;
        blk_series_key(b, id, &k, &kl);
        CHECK(st_slice_eq(labels_key_name(k, kl), st_slice_cstr(v1_series[id].name)));
        CHECK_OK(blk_read(b, id, INT64_MIN, INT64_MAX, &cs, &e));
        CHECK_MSG(id == 1 ? same_minus(&cs, &want, 5000, 9000) : same(&cs, &want, INT64_MIN, INT64_MAX),
                  "v1 series %u", id);
        /* chunks: mint a lower bound, no statistics; reads per chunk work */
        uint32_t nc = blk_series_nchunks(b, id);
        CHECK_EQ_INT(nc, id == 4 ? 2 : 1);
        size_t total = 0;
        int64_t prev = 0;
        for (uint32_t i = 0; i < nc; i++) {
            blk_chunk ch;
            CHECK_OK(blk_chunk_meta(b, id, i, &ch, &e));
            CHECK(!ch.exact_mint && ch.stats.count == 0 && ch.stats.flags == 0 && ch.stats.sum == 0 &&
                  ch.stats.min == 0 && ch.stats.first == 0);
            CHECK_EQ_INT(ch.mint, i == 0 ? 0 : prev + 1);
            CHECK_OK(blk_read_chunk(b, id, i, INT64_MIN, INT64_MAX, &cs, &e));
            CHECK(cs.n > 0 && cs.ts[0] >= ch.mint && cs.ts[cs.n - 1] <= ch.maxt);
            total += cs.n;
            prev = ch.maxt;
        }
        CHECK_EQ_INT(total, id == 1 ? want.n - 4 : want.n); /* 5001 .. 8001 deleted */
        if (id == 4) CHECK_EQ_INT(prev, 65585);          /* multi-chunk maxt are exact */
        if (id != 4) CHECK_EQ_INT(prev, 100000);         /* a single chunk spans the block */
        want.strs = (free(want.strs), NULL);
        free(want.ts);
        free(want.vals);
    }
    CHECK(blk_tombstoned(b, 1, 0, 5000) && !blk_tombstoned(b, 1, 9001, 100000));
    /* the table index of a version 1 block */
    const st_slice *tabs;
    size_t nt;
    blk_tables(b, &tabs, &nt);
    CHECK_EQ_INT(nt, 6);
    const char *want_tabs[] = {"b", "big", "cpu", "i", "s", "u"};
    for (size_t t = 0; t < nt && t < 6; t++) CHECK(st_slice_eq(tabs[t], st_slice_cstr(want_tabs[t])));
    const uint32_t *ids;
    size_t n;
    blk_table_series(b, st_slice_cstr("cpu"), &ids, &n);
    CHECK(n == 1 && ids[0] == 5);
    codec_samples_free(&cs);
}

/* Version 1 blocks stay readable: in memory and on disk, where tombstones
 * can still be added. */
static void test_v1_image(void)
{
    blk *b = NULL;
    st_err e;
    int rc = blk_open_mem(v1_meta, sizeof v1_meta, v1_index, sizeof v1_index, v1_chunks,
                          sizeof v1_chunks, v1_tombs, sizeof v1_tombs, &b, &e);
    CHECK_MSG(rc == 0, "%s", e.msg);
    if (b) {
        check_v1(b);
        blk_unref(b);
    }
    char *parent = testlib_tmpdir("blk");
    char dir[4300];
    snprintf(dir, sizeof dir, "%s/01M96X9C7CTMZQDDVPN1RMBBNT", parent);
    mkdir(dir, 0755);
    spit(dir, "meta", v1_meta, sizeof v1_meta);
    spit(dir, "index", v1_index, sizeof v1_index);
    spit(dir, "chunks", v1_chunks, sizeof v1_chunks);
    spit(dir, "tombstones", v1_tombs, sizeof v1_tombs);
    rc = blk_open(vfs_posix(), dir, &b, &e);
    CHECK_MSG(rc == 0, "%s", e.msg);
    if (b) {
        check_v1(b);
        uint32_t id = 0;
        CHECK_OK(blk_add_tombstones(b, &id, 1, 0, 1500, &e));
        blk_unref(b);
        CHECK_OK(blk_open(vfs_posix(), dir, &b, &e));
    }
    if (b) {
        codec_samples cs = {0};
        CHECK_OK(blk_read(b, 0, INT64_MIN, INT64_MAX, &cs, &e));
        CHECK(cs.n == 29 && cs.ts[0] == 2000);
        codec_samples_free(&cs);
        blk_unref(b);
    }
    /* a version 1 meta with a version 2 index is damage */
    uint8_t ix[sizeof v1_index];
    memcpy(ix, v1_index, sizeof ix);
    ix[4] = 2;
    CHECK_EQ_INT(blk_open_mem(v1_meta, sizeof v1_meta, ix, sizeof ix, v1_chunks, sizeof v1_chunks,
                              NULL, 0, &b, &e), ST_ECORRUPT);
    CHECK(strstr(e.msg, "index") != NULL);
    testlib_rmrf(parent);
    free(parent);
}

static void put_section_raw(st_buf *out, uint8_t kind, const st_buf *raw)
{
    size_t start = out->len;
    st_buf_putc(out, kind);
    varint_buf(out, raw->len);
    varint_buf(out, raw->len);
    st_buf_putc(out, 0);
    st_buf_put(out, raw->p, raw->len);
    uint8_t c[4];
    put_u32le(c, crc32c(0, out->p + start, out->len - start));
    st_buf_put(out, c, 4);
}

/* A version 1 block by hand, every checksum right: one int series {w} of
 * one chunk whose codec timestamps, relative to the block's mint near
 * INT64_MAX, run past INT64_MAX when rebased. The reader must refuse the
 * chunk (it once checked only that the first was >= mint and the last <=
 * maxt, which the wrapped last passes). The fuzzer found it. */
static void test_v1_wrapped_chunk(void)
{
    const int64_t mint = INT64_MAX - 1000;
    st_buf meta = {0}, ix = {0}, ch = {0}, raw = {0};
    uint8_t f[8];
    st_buf_put(&meta, "STBM\x01" "01M96X9C7CTMZQDDVPN1RMBBNT", 31);
    put_u64le(f, (uint64_t)mint), st_buf_put(&meta, f, 8);
    put_u64le(f, (uint64_t)INT64_MAX), st_buf_put(&meta, f, 8);
    put_u32le(f, 1), st_buf_put(&meta, f, 4); /* level */
    put_u32le(f, 1), st_buf_put(&meta, f, 4); /* nseries */
    put_u64le(f, 2), st_buf_put(&meta, f, 8); /* nsamples */
    put_u64le(f, 1), st_buf_put(&meta, f, 8); /* nchunks */
    put_u32le(f, 0), st_buf_put(&meta, f, 4); /* nsources */
    put_u32le(f, crc32c(0, meta.p, meta.len)), st_buf_put(&meta, f, 4);
    int64_t rel[2] = {0, 2000}; /* the second is mint + 2000: past INT64_MAX */
    uint64_t vals[2] = {1, 2};
    st_buf_put(&ch, "STBC\x01", 5);
    st_err e;
    CHECK_OK(codec_encode(ST_VT_INT, rel, vals, NULL, 2, &ch, &e));
    size_t clen = ch.len - 5;
    put_u32le(f, crc32c(0, ch.p + 5, clen)), st_buf_put(&ch, f, 4);
    st_buf_put(&ix, "STBI\x01", 5);
    varint_buf(&raw, 2); /* symbols: __name__, w */
    varint_buf(&raw, 0), varint_buf(&raw, 8), st_buf_put(&raw, "__name__", 8);
    varint_buf(&raw, 0), varint_buf(&raw, 1), st_buf_put(&raw, "w", 1);
    put_section_raw(&ix, 1, &raw);
    raw.len = 0;
    varint_buf(&raw, 1), varint_buf(&raw, 0), varint_buf(&raw, 1); /* the pair (0, 1) */
    put_section_raw(&ix, 2, &raw);
    raw.len = 0;
    varint_buf(&raw, 1); /* one series: 1 label, pair 0, int, table_len 0, 1 chunk */
    varint_buf(&raw, 1), varint_buf(&raw, 0), st_buf_putc(&raw, ST_VT_INT), varint_buf(&raw, 0);
    varint_buf(&raw, 1), varint_buf(&raw, clen);
    put_section_raw(&ix, 3, &raw);
    blk *b = NULL;
    int rc = blk_open_mem(meta.p, meta.len, ix.p, ix.len, ch.p, ch.len, NULL, 0, &b, &e);
    CHECK_MSG(rc == 0, "%s", e.msg);
    if (b) {
        codec_samples cs = {0};
        CHECK_EQ_INT(blk_read(b, 0, INT64_MIN, INT64_MAX, &cs, &e), ST_ECORRUPT);
        CHECK(strstr(e.msg, "disagree") != NULL);
        CHECK_EQ_INT(blk_read_chunk(b, 0, 0, INT64_MIN, INT64_MAX, &cs, &e), ST_ECORRUPT);
        codec_samples_free(&cs);
        blk_unref(b);
    }
    /* the same block with the chunk inside the range reads */
    st_buf_free(&ch);
    rel[1] = 1000;
    st_buf_put(&ch, "STBC\x01", 5);
    CHECK_OK(codec_encode(ST_VT_INT, rel, vals, NULL, 2, &ch, &e));
    CHECK_EQ_INT(ch.len - 5, clen);
    put_u32le(f, crc32c(0, ch.p + 5, clen)), st_buf_put(&ch, f, 4);
    CHECK_OK(blk_open_mem(meta.p, meta.len, ix.p, ix.len, ch.p, ch.len, NULL, 0, &b, &e));
    if (b) {
        codec_samples cs = {0};
        CHECK_OK(blk_read(b, 0, INT64_MIN, INT64_MAX, &cs, &e));
        CHECK(cs.n == 2 && cs.ts[0] == mint && cs.ts[1] == INT64_MAX);
        codec_samples_free(&cs);
        blk_unref(b);
    }
    st_buf_free(&meta);
    st_buf_free(&ix);
    st_buf_free(&ch);
    st_buf_free(&raw);
}

/* ------------------------------------------------------------------------ */
/* Corruption of the version 2 fields                                       */

/* Statistics records that pass the crc but not validation. */
static void test_v2_stats_records(void)
{
    const char *why = "";
    codec_stats st;
    size_t len;
    struct {
        st_vtype t;
        uint8_t b[24];
        size_t n;
        uint32_t count;
        bool ok;
    } cases[] = {
        {ST_VT_INT, {0x01, 0x00, 0x05, 0x00, 0x00, 0x00}, 6, 2, true},  /* min 0 range 5 */
        {ST_VT_INT, {0x01, 0x00, 0x05, 0x06, 0x00, 0x00}, 6, 2, false}, /* first past range */
        {ST_VT_INT, {0x01, 0x00, 0x05, 0x00, 0x00, 0x7f}, 6, 2, false}, /* sum past 2 x max */
        {ST_VT_INT, {0x01, 0x00, 0x05, 0x00, 0x00, 0x00}, 5, 2, false}, /* truncated */
        {ST_VT_INT, {0x01, 0x00, 0x05, 0x00, 0x00, 0x00, 0x00}, 7, 2, false}, /* trailing */
        {ST_VT_INT, {0x07, 0x00, 0x05, 0x00, 0x00}, 5, 2, false},   /* first state 3 */
        {ST_VT_INT, {0x02, 0x00, 0x05}, 3, 2, false},               /* states without VALID */
        {ST_VT_UINT, {0x01, 0x7f, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01, 0, 0, 0}, 15, 1,
         false}, /* max past UINT64_MAX */
        {ST_VT_BOOL, {0x01, 0x03}, 2, 2, false},                    /* 3 true of 2 */
        {ST_VT_BOOL, {0x03, 0x00}, 2, 2, false},                    /* first true, none true */
        {ST_VT_BOOL, {0x01, 0x02}, 2, 2, false},                    /* all true, first false */
        {ST_VT_BOOL, {0x07, 0x02}, 2, 2, true},
        {ST_VT_BOOL, {0x06, 0x02}, 2, 2, false},                    /* not VALID */
        {ST_VT_STRING, {0x00}, 1, 3, true},
        {ST_VT_STRING, {0x01}, 1, 3, false},
        {ST_VT_FLOAT, {0x13, 0x00}, 2, 1, false},                   /* raw values with a scale */
        {ST_VT_FLOAT, {0x04, 0x00, 0x00}, 3, 1, false},             /* raw sum, not VALID */
        {ST_VT_FLOAT, {0x03, 0, 0, 0, 0, 0, 0, 0xf8, 0x7f, 0, 0, 0, 0}, 13, 1, false}, /* NaN min */
        {ST_VT_FLOAT, {0x03, 0, 0, 0, 0, 0, 0, 0xf0, 0x3f, 0, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80,
                       0x40, 0, 0}, 21, 1, false}, /* first above max */
        {ST_VT_FLOAT, {0x01, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x02, 0, 0, 0, 0, 0}, 15, 1,
         false}, /* mantissa past 2^53 */
        {ST_VT_FLOAT, {0x01, 0x02, 0x04, 0x00, 0x04, 0x00, 0x00}, 7, 5, true},
        {ST_VT_FLOAT, {0x01, 0x02, 0x04, 0x05, 0x04, 0x00, 0x00}, 7, 5, false}, /* first past range */
        {ST_VT_FLOAT, {0x81, 0x10}, 2, 1, false},                   /* head bits past the states */
    };
    for (size_t i = 0; i < ST_ARRAY_LEN(cases); i++) {
        int rc = blk_stats_skip(cases[i].t, cases[i].b, cases[i].n, &len, &why);
        if (rc == 0) rc = blk_stats_decode(cases[i].t, cases[i].b, cases[i].n, cases[i].count, &st, &why);
        CHECK_MSG((rc == 0) == cases[i].ok, "case %zu: rc %d (%s)", i, rc, why);
        CHECK(rc == 0 || rc == ST_ECORRUPT);
    }
    /* every record the writer makes decodes to the stats it was made from */
    for (int r = 0; r < 3000; r++) {
        st_vtype t = (st_vtype)(1 + r % 5);
        size_t n = 1 + rnd() % 40;
        uint64_t v[40];
        int shape = r / 5 % 6;
        for (size_t i = 0; i < n; i++) {
            uint64_t x = rnd();
            if (shape == 0) x %= 100;
            if (shape == 1) x = (uint64_t)(int64_t)(x % 2001) - 1000;
            if (shape == 2) x = i + 1000;
            if (t == ST_VT_FLOAT)
                x = shape == 3   ? x
                    : shape == 4 ? f2u((double)(int64_t)(x % 100000) / 1000)
                                 : f2u((double)(int64_t)x);
            if (t == ST_VT_FLOAT && shape == 5 && i == n / 2) x = ST_STALE_NAN_BITS;
            if (t == ST_VT_BOOL) x &= 1;
            v[i] = x;
        }
        codec_stats want, got;
        codec_stats_compute(t, v, n, &want);
        st_buf b = {0};
        blk_stats_put(t, &want, &b);
        int rc = blk_stats_skip(t, b.p, b.len, &len, &why);
        CHECK(rc == 0 && len == b.len);
        rc = blk_stats_decode(t, b.p, b.len, (uint32_t)n, &got, &why);
        CHECK_MSG(rc == 0 && stats_eq(&got, &want), "type %d shape %d n %zu: rc %d %s", (int)t,
                  shape, n, rc, why);
        /* and any single damaged byte decodes to statistics that hold
         * together, or is refused (ST_ECORRUPT), never more */
        for (size_t k = 0; k < b.len; k++) {
            uint8_t keep = b.p[k];
            b.p[k] ^= (uint8_t)(1u << (r % 8));
            int rs = blk_stats_skip(t, b.p, b.len, &len, &why);
            CHECK_MSG(rs == 0 || rs == ST_ECORRUPT, "type %d byte %zu: skip rc %d", (int)t, k, rs);
            if (rs == 0) {
                CHECK_MSG(len > 0 && len <= b.len, "type %d byte %zu: length %zu of %zu", (int)t, k, len, b.len);
                int rd = blk_stats_decode(t, b.p, len, (uint32_t)n, &got, &why);
                CHECK_MSG(rd == 0 || rd == ST_ECORRUPT, "type %d byte %zu: decode rc %d", (int)t, k, rd);
                CHECK_MSG(rd != 0 || stats_sane(t, &got, (uint32_t)n),
                          "type %d shape %d n %zu byte %zu: decoded statistics do not hold together", (int)t,
                          shape, n, k);
            }
            b.p[k] = keep;
        }
        st_buf_free(&b);
    }
}

/* Rewrites the raw (uncompressed) series section of an index after fn
 * changed its decoded values, with a correct crc. */
typedef struct sercols {
    uint64_t count, tu, nl, pair, type, tl, nch, len[2], mint[2], span[2];
} sercols;

static size_t put_varint(uint8_t *p, uint64_t v)
{
    size_t n = 0;
    while (v >= 0x80) p[n++] = (uint8_t)(v | 0x80), v >>= 7;
    p[n++] = (uint8_t)v;
    return n;
}

/* The series section of a one-series, two-chunk block, rebuilt from c. */
static size_t index_with(const uint8_t *ix, size_t sec, const sercols *c, uint8_t *out)
{
    uint8_t raw[128];
    size_t r = 0;
    uint64_t v[] = {c->count, c->tu, c->nl, c->pair};
    for (size_t i = 0; i < 4; i++) r += put_varint(raw + r, v[i]);
    raw[r++] = (uint8_t)c->type;
    r += put_varint(raw + r, c->tl);
    r += put_varint(raw + r, c->nch);
    for (int i = 0; i < 2; i++) r += put_varint(raw + r, c->len[i]);
    for (int i = 0; i < 2; i++) r += put_varint(raw + r, c->mint[i]);
    for (int i = 0; i < 2; i++) r += put_varint(raw + r, c->span[i]);
    memcpy(out, ix, sec);
    size_t o = sec;
    out[o++] = 3;
    o += put_varint(out + o, r);
    o += put_varint(out + o, r);
    out[o++] = 0;
    memcpy(out + o, raw, r);
    o += r;
    put_u32le(out + o, crc32c(0, out + sec, o - sec));
    return o + 4;
}

/* The index's new columns (time unit, chunk mints and spans) are checked
 * at open; times that pass but disagree with the chunks fail their reads. */
static void test_v2_index_columns(void)
{
    char *parent = testlib_tmpdir("blk");
    tseries s[1];
    gen_regular(&s[0], "x", ST_VT_INT, 3600, T2H, ST_NS_PER_S);
    for (size_t i = 0; i < 3600; i++) s[0].vals[i] = i % 2;
    char dir[4200];
    st_err e;
    CHECK_OK(write_block(vfs_posix(), parent, s, 1, T2H, T2H + 3600 * ST_NS_PER_S - 1, dir, sizeof dir, &e));
    size_t mn, in, cn;
    uint8_t *m = slurp(dir, "meta", &mn), *ix = slurp(dir, "index", &in), *ch = slurp(dir, "chunks", &cn);
    /* find the series section: after the header and two sections */
    size_t at = 5;
    for (int k = 0; k < 2; k++) {
        const uint8_t *p = ix + at + 1, *end = ix + in;
        uint64_t rl, sl;
        varint_get(&p, end, &rl);
        varint_get(&p, end, &sl);
        at = (size_t)(p - ix) + 1 + sl + 4;
    }
    const uint8_t *p = ix + at + 1, *end = ix + in;
    uint64_t rl, sl;
    varint_get(&p, end, &rl);
    varint_get(&p, end, &sl);
    CHECK(*p == 0); /* stored raw */
    p++;
    sercols c;
    uint64_t *f[] = {&c.count, &c.tu, &c.nl, &c.pair};
    for (int i = 0; i < 4; i++) varint_get(&p, end, f[i]);
    c.type = *p++;
    varint_get(&p, end, &c.tl);
    varint_get(&p, end, &c.nch);
    CHECK_EQ_INT(c.nch, 2);
    for (int i = 0; i < 2; i++) varint_get(&p, end, &c.len[i]);
    for (int i = 0; i < 2; i++) varint_get(&p, end, &c.mint[i]);
    for (int i = 0; i < 2; i++) varint_get(&p, end, &c.span[i]);
    CHECK(c.tu == ST_NS_PER_S && c.mint[0] == 0 && c.span[0] == 1799 && c.mint[1] == 1 &&
          c.span[1] == 1799);
    uint8_t out[512];
    blk *b = NULL;
    size_t on = index_with(ix, at, &c, out);
    CHECK(on == in && memcmp(out, ix, in) == 0); /* the rebuild is exact */
    struct {
        const char *what;
        void (*fn)(sercols *c);
        bool opens;
    } muts[] = {
        {"time unit 0", NULL, false},
        {"second chunk starts at the first's maxt", NULL, false},
        {"span past the block", NULL, false},
        {"first chunk starts past the block", NULL, false},
        {"time unit 2 s", NULL, true},
        {"span one unit short", NULL, true},
    };
    for (size_t k = 0; k < ST_ARRAY_LEN(muts); k++) {
        sercols d = c;
        if (k == 0) d.tu = 0;
        if (k == 1) d.mint[1] = 0;
        if (k == 2) d.span[1] = 1801;
        if (k == 3) d.mint[0] = 3601;
        if (k == 4) d.tu = 2 * ST_NS_PER_S, d.span[0] = 899, d.span[1] = 899;
        if (k == 5) d.span[1] = 1798;
        on = index_with(ix, at, &d, out);
        int rc = blk_open_mem(m, mn, out, on, ch, cn, NULL, 0, &b, &e);
        if (!muts[k].opens) {
            CHECK_MSG(rc == ST_ECORRUPT && strstr(e.msg, "index: section series"), "%s: %d %s",
                      muts[k].what, rc, rc ? e.msg : "");
            continue;
        }
        CHECK_MSG(rc == 0, "%s: %s", muts[k].what, e.msg);
        if (!b) continue;
        /* the chunks disagree with these times: every read says so */
        codec_samples cs = {0};
        blk_chunk bc;
        CHECK_EQ_INT(blk_read(b, 0, INT64_MIN, INT64_MAX, &cs, &e), ST_ECORRUPT);
        CHECK(strstr(e.msg, "chunks") != NULL);
        CHECK_EQ_INT(blk_chunk_meta(b, 0, 1, &bc, &e), ST_ECORRUPT);
        CHECK(strstr(e.msg, "disagrees") != NULL);
        codec_samples_free(&cs);
        blk_unref(b);
    }
    /* a damaged statistics record under a recomputed crc: refused, never a
     * crash; statistics that are read hold together; the samples never
     * depend on them: while the record keeps its length the chunk reads
     * whole and unchanged, and a record whose length changes takes the
     * chunk with it */
    size_t rec0 = 5, len0 = (size_t)c.len[0], slen = 0;
    const char *why;
    CHECK_OK(blk_stats_skip(ST_VT_INT, ch + rec0, len0, &slen, &why));
    int refused = 0, tries = 0, kept = 0;
    for (size_t k = 0; k < slen; k++) {
        for (int pat = 0; pat < 8; pat++, tries++) {
            uint8_t keep = ch[rec0 + k];
            uint8_t crc[4];
            memcpy(crc, ch + rec0 + len0, 4);
            ch[rec0 + k] ^= (uint8_t)(1u << pat);
            put_u32le(ch + rec0 + len0, crc32c(0, ch + rec0, len0));
            size_t dlen = 0;
            bool same_len = blk_stats_skip(ST_VT_INT, ch + rec0, len0, &dlen, &why) == 0 && dlen == slen;
            kept += same_len;
            CHECK_OK(blk_open_mem(m, mn, ix, in, ch, cn, NULL, 0, &b, &e));
            if (b) {
                blk_chunk bc;
                codec_samples cs = {0};
                int r1 = blk_chunk_meta(b, 0, 0, &bc, &e);
                int r2 = blk_read(b, 0, INT64_MIN, INT64_MAX, &cs, &e);
                CHECK(r1 == 0 || r1 == ST_ECORRUPT);
                CHECK(r2 == 0 || r2 == ST_ECORRUPT);
                CHECK_MSG(same_len ? r2 == 0 && same(&cs, &s[0], INT64_MIN, INT64_MAX) : r1 != 0 && r2 != 0,
                          "byte %zu bit %d: record length %s, meta rc %d, read rc %d", k, pat,
                          same_len ? "kept" : "changed", r1, r2);
                refused += r1 != 0;
                if (r1 == 0)
                    CHECK_MSG(bc.mint == T2H && bc.maxt == T2H + 1799 * ST_NS_PER_S &&
                                  stats_sane(ST_VT_INT, &bc.stats, 1800),
                              "byte %zu bit %d: chunk meta accepted but does not hold together", k, pat);
                codec_samples_free(&cs);
                blk_unref(b);
            }
            ch[rec0 + k] = keep;
            memcpy(ch + rec0 + len0, crc, 4);
        }
    }
    printf("  statistics damaged under a good crc: %d of %d refused, %d kept the record's length\n", refused,
           tries, kept);
    CHECK(refused > 0);
    CHECK(kept > 0); /* some damage keeps the record's length: those reads must work */
    free(m);
    free(ix);
    free(ch);
    tseries_free(&s[0]);
    testlib_rmrf(parent);
    free(parent);
}

/* ------------------------------------------------------------------------ */
/* The table index                                                          */

static void test_tables(void)
{
    char *parent = testlib_tmpdir("blk");
    struct {
        const char *name, *host;
        uint16_t tl;
    } def[] = {
        {"cpu_usage_user", "a", 3},   /* line protocol: table cpu */
        {"cpu_usage_user", "b", 3},
        {"cpu_usage_system", "a", 3},
        {"cpu", "a", 3},              /* cpu,host=a value=1: the whole name */
        {"http_requests_total", "a", 19}, /* remote_write: the whole name */
        {"http_requests_total", "b", 0},  /* table_len 0: the whole name too */
        {"mem_used", "a", 3},         /* table mem */
        {"mem_used", "b", 8},         /* another series, table mem_used */
        {"cpu-x", "a", 3},            /* table cpu as well */
        {"up", "z", 2},
    };
    enum { N = ST_ARRAY_LEN(def) };
    tseries s[N];
    for (size_t i = 0; i < N; i++) {
        gen_series(&s[i], (const char *[]){"__name__", def[i].name, "host", def[i].host, NULL},
                   ST_VT_FLOAT, 3, 100, 10);
        s[i].meta.table_len = def[i].tl;
    }
    blk *b = open_written(parent, s, N, 0, 1000);
    if (b) {
        const st_slice *tabs;
        size_t nt;
        blk_tables(b, &tabs, &nt);
        const char *want[] = {"cpu", "http_requests_total", "mem", "mem_used", "up"};
        CHECK_EQ_INT(nt, ST_ARRAY_LEN(want));
        for (size_t t = 0; t < nt && t < ST_ARRAY_LEN(want); t++)
            CHECK_MSG(st_slice_eq(tabs[t], st_slice_cstr(want[t])), "table %zu: %.*s", t,
                      (int)tabs[t].n, tabs[t].p);
        size_t total = 0;
        for (size_t t = 0; t < nt; t++) {
            const uint32_t *ids;
            size_t n;
            blk_table_series(b, tabs[t], &ids, &n);
            total += n;
            for (size_t k = 0; k < n; k++) {
                CHECK(k == 0 || ids[k] > ids[k - 1]);
                /* the series' own mapping (labels.h) gives this table */
                const uint8_t *key;
                size_t kl;
                blk_series_key(b, ids[k], &key, &kl);
                st_slice name = labels_key_name(key, kl);
                uint16_t tl = blk_series_meta(b, ids[k]).table_len;
                st_slice tab = st_slice_of(name.p, tl == 0 || tl >= name.n ? name.n : tl);
                CHECK(st_slice_eq(tab, tabs[t]));
            }
            if (t == 0) CHECK_EQ_INT(n, 5);
            if (t == 1) CHECK_EQ_INT(n, 2);
        }
        CHECK_EQ_INT(total, N);
        const uint32_t *ids = (const uint32_t *)1;
        size_t n = 7;
        blk_table_series(b, st_slice_cstr("cp"), &ids, &n);
        CHECK(n == 0);
        blk_table_series(b, st_slice_cstr("cpu_"), &ids, &n);
        CHECK(n == 0);
        blk_table_series(b, st_slice_cstr(""), &ids, &n);
        CHECK(n == 0);
        blk_table_series(b, st_slice_cstr("zz"), &ids, &n);
        CHECK(n == 0);
        blk_unref(b);
    }
    for (size_t i = 0; i < N; i++) tseries_free(&s[i]);
    /* no series, no tables */
    b = open_written(parent, s, 0, 0, 10);
    if (b) {
        const st_slice *tabs;
        size_t nt = 9;
        blk_tables(b, &tabs, &nt);
        CHECK_EQ_INT(nt, 0);
        const uint32_t *ids;
        size_t n = 9;
        blk_table_series(b, st_slice_cstr("cpu"), &ids, &n);
        CHECK_EQ_INT(n, 0);
        blk_unref(b);
    }
    testlib_rmrf(parent);
    free(parent);
}

/* ------------------------------------------------------------------------ */
/* Fuzzing seeds                                                            */

/* STRATA_WRITE_BLOCK_SEEDS=DIR: writes fuzz/corpus/block_index-style inputs
 * (u16le meta_len | meta | u32le index_len | index | u16le tomb_len or
 * 0xffff | tombstones | chunks) of small version 2 blocks into DIR. */
static void write_seed(const char *out, const char *name, const char *dir)
{
    size_t mn, in, cn, tn = 0;
    uint8_t *m = slurp(dir, "meta", &mn), *ix = slurp(dir, "index", &in), *ch = slurp(dir, "chunks", &cn),
            *tb = slurp(dir, "tombstones", &tn);
    st_buf b = {0};
    uint8_t h[4];
    put_u32le(h, (uint32_t)mn);
    st_buf_put(&b, h, 2);
    st_buf_put(&b, m, mn);
    put_u32le(h, (uint32_t)in);
    st_buf_put(&b, h, 4);
    st_buf_put(&b, ix, in);
    put_u32le(h, tb ? (uint32_t)tn : 0xffff);
    st_buf_put(&b, h, 2);
    if (tb) st_buf_put(&b, tb, tn);
    st_buf_put(&b, ch, cn);
    spit(out, name, b.p, b.len);
    st_buf_free(&b);
    free(m);
    free(ix);
    free(ch);
    free(tb);
}

static void write_seeds(const char *out)
{
    char *parent = testlib_tmpdir("seeds");
    char dir[4200];
    st_err e;
    tseries s[6];
    /* every type, several chunks each (2 h at 15 s), tombstones */
    const int64_t S = ST_NS_PER_S;
    gen_regular(&s[0], "f", ST_VT_FLOAT, 1000, T2H, 3 * S);
    gen_regular(&s[1], "i", ST_VT_INT, 1000, T2H, 3 * S);
    gen_regular(&s[2], "u", ST_VT_UINT, 600, T2H, 6 * S);
    gen_regular(&s[3], "b", ST_VT_BOOL, 1000, T2H, 3 * S);
    gen_regular(&s[4], "s", ST_VT_STRING, 1000, T2H, 3 * S);
    gen_regular(&s[5], "cpu_usage_user", ST_VT_FLOAT, 3, T2H, S);
    s[5].meta.table_len = 3;
    for (size_t i = 0; i < 1000; i++) { /* cheap values: small seeds */
        s[0].vals[i] = i % 97 == 5 ? ST_STALE_NAN_BITS : f2u((double)(i % 50) / 4);
        s[1].vals[i] = (uint64_t)(int64_t)(i * 3) - 700;
        s[3].vals[i] = i / 300 % 2;
        s[4].strs[i] = st_slice_cstr(i % 100 ? "x" : "\xc3\xa9t\xc3\xa9");
        if (i < 600) s[2].vals[i] = i < 300 ? 5 : UINT64_MAX - i;
    }
    if (write_block(vfs_posix(), parent, s, 6, T2H, T2H + 7200 * S - 1, dir, sizeof dir, &e) == 0) {
        write_seed(out, "v2_all_types_chunks", dir);
        blk *b;
        if (blk_open(vfs_posix(), dir, &b, &e) == 0) {
            uint32_t ids[2] = {1, 4};
            blk_add_tombstones(b, ids, 2, T2H + 600 * S, T2H + 2000 * S, &e);
            blk_unref(b);
            write_seed(out, "v2_all_types_tombstones", dir);
        }
    }
    for (int k = 0; k < 6; k++) tseries_free(&s[k]);
    /* ns timestamps, negative times, one sample, overflowing ints */
    gen_regular(&s[0], "n", ST_VT_INT, 700, -1000000, 1777);
    for (size_t i = 0; i < 700; i++) s[0].vals[i] = (uint64_t)INT64_MAX - i;
    gen_regular(&s[1], "o", ST_VT_FLOAT, 1, 5, 1);
    if (write_block(vfs_posix(), parent, s, 2, -1000000, 1000000, dir, sizeof dir, &e) == 0)
        write_seed(out, "v2_ns_overflow", dir);
    for (int k = 0; k < 2; k++) tseries_free(&s[k]);
    /* four chunks of a constant; floats whose statistics are bit patterns */
    gen_regular(&s[0], "c", ST_VT_INT, 7200, T2H, S);
    for (size_t i = 0; i < 7200; i++) s[0].vals[i] = 7;
    gen_regular(&s[1], "r", ST_VT_FLOAT, 4, T2H, S);
    uint64_t raw[4] = {0x8000000000000000ull, f2u(1.0 / 3), f2u(INFINITY), f2u(-2.5)};
    memcpy(s[1].vals, raw, sizeof raw);
    if (write_block(vfs_posix(), parent, s, 2, T2H, T2H + 7200 * S - 1, dir, sizeof dir, &e) == 0)
        write_seed(out, "v2_const_chunks_raw_floats", dir);
    for (int k = 0; k < 2; k++) tseries_free(&s[k]);
    testlib_rmrf(parent);
    free(parent);
}

int main(void)
{
    quick = getenv("STRATA_TEST_QUICK") != NULL;
    const char *seeds = getenv("STRATA_WRITE_BLOCK_SEEDS");
    if (seeds) write_seeds(seeds);
    RUN(test_v2_stats_types);
    RUN(test_v2_cutting);
    RUN(test_v2_read_chunk);
    RUN(test_v1_image);
    RUN(test_v1_wrapped_chunk);
    RUN(test_v2_stats_records);
    RUN(test_v2_index_columns);
    RUN(test_tables);
    return testlib_done("test_block_v2");
}
