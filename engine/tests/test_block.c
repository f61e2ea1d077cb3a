/* test_block: the on-disk block: round trips, selection against a brute-force
 * oracle, tombstones, corruption of every file (chunk metadata fails exactly
 * where reads do), injected I/O faults, reference counting, and the
 * compactness figure on a TSBS-like workload. What format version 2 added
 * (chunk cutting, statistics, the table index) and version 1 blocks read by
 * this code are in test_block_v2.c; the helpers in block_testutil.h. */
#include "block.h"
#include "bits.h"
#include "block_fmt.h"
#include "block_testutil.h"
#include "testlib.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <pthread.h>
#include <stdatomic.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <zstd.h>

/* ------------------------------------------------------------------------ */
/* Round trips                                                              */

static void test_roundtrip_types(void)
{
    char *parent = testlib_tmpdir("blk");
    tseries s[8];
    const int64_t T0 = 1700000000000000000LL;
    gen_series(&s[0], (const char *[]){"__name__", "f", "host", "a", NULL}, ST_VT_FLOAT, 500, T0,
               1000000000);
    /* edge floats: stale NaN, NaN payloads, +-Inf, -0.0, subnormals, extremes */
    static const uint64_t edge[] = {ST_STALE_NAN_BITS, 0x7ff8000000000001ull, 0xfff8dead00000000ull,
                                    0x7ff0000000000000ull, 0xfff0000000000000ull,
                                    0x8000000000000000ull, 0, 1, 0x000fffffffffffffull,
                                    0x7fefffffffffffffull, 0xffefffffffffffffull, 0x3fb999999999999aull};
    gen_series(&s[1], (const char *[]){"__name__", "f", "host", "b", NULL}, ST_VT_FLOAT,
               ST_ARRAY_LEN(edge), T0, 1);
    memcpy(s[1].vals, edge, sizeof edge);
    gen_series(&s[2], (const char *[]){"__name__", "i", NULL}, ST_VT_INT, 300, T0, 7);
    s[2].vals[0] = (uint64_t)INT64_MIN;
    s[2].vals[1] = (uint64_t)INT64_MAX;
    s[2].vals[2] = 0;
    gen_series(&s[3], (const char *[]){"__name__", "u", NULL}, ST_VT_UINT, 300, T0, 13);
    s[3].vals[0] = UINT64_MAX;
    s[3].vals[1] = 0;
    gen_series(&s[4], (const char *[]){"__name__", "b", "x", "y", NULL}, ST_VT_BOOL, 999, T0, 2);
    gen_series(&s[5], (const char *[]){"__name__", "s", "x", "\xc3\xa9t\xc3\xa9", NULL},
               ST_VT_STRING, 200, T0, 3);
    s[5].strs[1] = st_slice_of("\xe2\x82\xac \xf0\x9f\x98\x80", 9);
    /* one sample, at the block's extremes */
    gen_series(&s[6], (const char *[]){"__name__", "one", NULL}, ST_VT_FLOAT, 1, T0, 1);
    s[6].ts[0] = T0 - 1000;
    gen_series(&s[7], (const char *[]){"__name__", "cpu_usage_user", "host", "z", NULL},
               ST_VT_FLOAT, 10, T0 + 5000000000000LL, 1);
    s[7].meta.table_len = 3;
    char dir[4200];
    st_err e;
    int64_t mint = T0 - 1000, maxt = T0 + 5000000000000LL + 100;
    int rc = write_block(vfs_posix(), parent, s, 8, mint, maxt, dir, sizeof dir, &e);
    CHECK_MSG(rc == 0, "%s", e.msg);
    blk *b = NULL;
    rc = blk_open(vfs_posix(), dir, &b, &e);
    CHECK_MSG(rc == 0, "%s", e.msg);
    if (!b) goto out;
    CHECK_EQ_INT(blk_nseries(b), 8);
    uint64_t total = 0;
    for (int i = 0; i < 8; i++) total += s[i].n;
    CHECK_EQ_INT(blk_nsamples(b), total);
    CHECK_EQ_INT(blk_mint(b), mint);
    CHECK_EQ_INT(blk_maxt(b), maxt);
    CHECK_EQ_INT(blk_level(b), 1);
    CHECK_EQ_INT(strlen(blk_id(b)), 26);
    CHECK(strstr(blk_dir(b), blk_id(b)) != NULL);
    CHECK_EQ_INT(blk_nsources(b), 0);
    CHECK(!blk_has_tombstones(b));
    CHECK_EQ_INT(blk_disk_bytes(b), file_size(dir, "meta") + file_size(dir, "index") +
                                        file_size(dir, "chunks"));
    codec_samples cs = {0};
    for (uint32_t i = 0; i < 8; i++) {
        const uint8_t *k;
        size_t kl;
        blk_series_key(b, i, &k, &kl);
        CHECK(kl == s[i].key.len && memcmp(k, s[i].key.p, kl) == 0);
        uint32_t id = 99;
        CHECK_OK(blk_find(b, s[i].key.p, s[i].key.len, &id));
        CHECK_EQ_INT(id, i);
        series_meta m = blk_series_meta(b, i);
        CHECK_EQ_INT(m.type, s[i].meta.type);
        CHECK_EQ_INT(m.table_len, s[i].meta.table_len);
        CHECK_OK(blk_read(b, i, INT64_MIN, INT64_MAX, &cs, &e));
        CHECK_MSG(same(&cs, &s[i], INT64_MIN, INT64_MAX), "series %u", i);
    }
    uint32_t id;
    st_buf k = {0};
    mkkey(&k, (const char *[]){"__name__", "f", "host", "c", NULL});
    CHECK_EQ_INT(blk_find(b, k.p, k.len, &id), ST_ENOTFOUND);
    CHECK_EQ_INT(blk_find(b, k.p, 0, &id), ST_ENOTFOUND);
    CHECK_EQ_INT(blk_read(b, 8, INT64_MIN, INT64_MAX, &cs, &e), ST_EINVAL);
    st_buf_free(&k);
    codec_samples_free(&cs);
    blk_unref(b);
out:
    for (int i = 0; i < 8; i++) tseries_free(&s[i]);
    testlib_rmrf(parent);
    free(parent);
}

static void test_time_range_and_multichunk(void)
{
    char *parent = testlib_tmpdir("blk");
    const int64_t T0 = 1000000;
    size_t big = quick ? 140000 : 300000;
    tseries s[3];
    gen_series(&s[0], (const char *[]){"__name__", "big", NULL}, ST_VT_FLOAT, big, T0, 10);
    gen_series(&s[1], (const char *[]){"__name__", "small", NULL}, ST_VT_INT, 1000, T0, 1000);
    gen_series(&s[2], (const char *[]){"__name__", "strs", NULL}, ST_VT_STRING, 70000, T0, 17);
    int64_t mint = 0, maxt = T0 + (int64_t)big * 10 + 100;
    char dir[4200];
    st_err e;
    int rc = write_block(vfs_posix(), parent, s, 3, mint, maxt, dir, sizeof dir, &e);
    CHECK_MSG(rc == 0, "%s", e.msg);
    blk *b = NULL;
    CHECK_OK(blk_open(vfs_posix(), dir, &b, &e));
    if (!b) goto out;
    codec_samples cs = {0};
    for (uint32_t i = 0; i < 3; i++) {
        CHECK_OK(blk_read(b, i, INT64_MIN, INT64_MAX, &cs, &e));
        CHECK(same(&cs, &s[i], INT64_MIN, INT64_MAX));
    }
    for (int q = 0; q < (quick ? 60 : 300); q++) {
        uint32_t i = (uint32_t)(rnd() % 3);
        int64_t a = (int64_t)(rnd() % (uint64_t)(maxt + 200)) - 100;
        int64_t len = (q % 3 == 0) ? (int64_t)(rnd() % 2000000) : (int64_t)(rnd() % 200);
        if (q % 17 == 0) len = -5; /* mint > maxt: empty */
        int64_t z = a + len;
        CHECK_OK(blk_read(b, i, a, z, &cs, &e));
        CHECK_MSG(same(&cs, &s[i], a, z), "series %u [%lld, %lld] got %zu", i, (long long)a,
                  (long long)z, cs.n);
    }
    /* exactly at chunk boundaries of the big series */
    for (size_t k = 1; k * 65536 < big; k++) {
        int64_t t = s[0].ts[k * 65536];
        int64_t tp = s[0].ts[k * 65536 - 1];
        CHECK_OK(blk_read(b, 0, tp, t, &cs, &e));
        CHECK(cs.n == 2 && same(&cs, &s[0], tp, t));
        CHECK_OK(blk_read(b, 0, t, t, &cs, &e));
        CHECK(cs.n == 1 && cs.ts[0] == t);
        CHECK_OK(blk_read(b, 0, tp + 1, t - 1, &cs, &e));
        CHECK_EQ_INT(cs.n, 0);
    }
    codec_samples_free(&cs);
    blk_unref(b);
out:
    for (int i = 0; i < 3; i++) tseries_free(&s[i]);
    testlib_rmrf(parent);
    free(parent);
}

/* ------------------------------------------------------------------------ */
/* Selection against a brute-force oracle                                   */

static int slice_qcmp(const void *a, const void *b)
{
    return st_slice_cmp(*(const st_slice *)a, *(const st_slice *)b);
}

static void test_select_oracle(void)
{
    char *parent = testlib_tmpdir("blk");
    static const char *names[] = {"m1", "m2", "up"};
    static const char *avals[] = {"", "x", "y", "xy", "\xc3\xa9"};
    static const char *bvals[] = {"", "1", "2", "3", "4", "5"};
    static const char *cvals[] = {"", "foo", "bar", "baz"};
    enum { N = 240 };
    tseries s[N];
    size_t n = 0;
    for (int i = 0; i < N; i++) {
        const char *kv[] = {"__name__", names[rnd() % 3], "a", avals[rnd() % 5],
                            "b", bvals[rnd() % 6], "c", cvals[rnd() % 4],
                            "d", (rnd() % 5) ? "" : "rare", NULL};
        char uniq[16];
        snprintf(uniq, sizeof uniq, "%d", i % 40);
        const char *kv2[13];
        memcpy(kv2, kv, sizeof kv);
        kv2[10] = "i";
        kv2[11] = uniq;
        kv2[12] = NULL;
        tseries t;
        gen_series(&t, kv2, ST_VT_FLOAT, 3, 100, 10);
        bool dup = false;
        for (size_t k = 0; k < n && !dup; k++) dup = tseries_cmp(&t, &s[k]) == 0;
        if (dup) tseries_free(&t);
        else s[n++] = t;
    }
    char dir[4200];
    st_err e;
    CHECK_OK(write_block(vfs_posix(), parent, s, n, 0, 1000, dir, sizeof dir, &e));
    blk *b = NULL;
    CHECK_OK(blk_open(vfs_posix(), dir, &b, &e));
    if (!b) goto out;
    CHECK_EQ_INT(blk_nseries(b), n);

    static const char *mnames[] = {"__name__", "a", "b", "c", "d", "i", "zz"};
    static const char *mvals[] = {"", "x", "y", "xy", "1", "3", "foo", "up", "m1", "x|y", ".*",
                                  ".+", "f.*", "ba[rz]", "\xc3\xa9", "nope", "m.", "1|2|3",
                                  "rare", "1.*", "[0-9]+", "3.*"};
    postings got = {0}, want = {0};
    int checked = 0;
    for (int q = 0; q < (quick ? 600 : 3000); q++) {
        matcher *ms[3];
        size_t nm = 1 + rnd() % 3, ok = 0;
        for (size_t k = 0; k < nm; k++) {
            match_op op = (match_op)(rnd() % 4);
            const char *nmn = mnames[rnd() % ST_ARRAY_LEN(mnames)];
            const char *val = mvals[rnd() % ST_ARRAY_LEN(mvals)];
            if (matcher_new(op, st_slice_cstr(nmn), st_slice_cstr(val), &ms[ok], &e) == 0) ok++;
        }
        CHECK_OK(blk_select(b, ms, ok, &got, &e));
        want.n = 0;
        for (uint32_t id = 0; id < n; id++) {
            const uint8_t *key;
            size_t kl;
            blk_series_key(b, id, &key, &kl);
            bool all = true;
            for (size_t k = 0; k < ok && all; k++)
                all = matcher_matches(ms[k], labels_key_get(key, kl, matcher_name(ms[k])));
            if (all) {
                if (want.n == want.cap) {
                    want.cap = want.cap ? want.cap * 2 : 64;
                    want.ids = realloc(want.ids, want.cap * sizeof *want.ids);
                }
                want.ids[want.n++] = id;
            }
        }
        bool eq = got.n == want.n && (!got.n || !memcmp(got.ids, want.ids, got.n * 4));
        CHECK_MSG(eq, "query %d: got %zu want %zu", q, got.n, want.n);
        checked += eq;

        /* label names and values of the selection, against the keys */
        st_slice *out = NULL, *ref = NULL;
        size_t on = 0, ocap = 0, rn = 0, rcap = 0;
        const postings *of = (q % 4 == 0) ? NULL : &want;
        blk_label_names(b, of, &out, &on, &ocap);
        for (size_t j = 0; j < (of ? of->n : n); j++) {
            const uint8_t *key;
            size_t kl;
            blk_series_key(b, of ? of->ids[j] : (uint32_t)j, &key, &kl);
            label ls[16];
            size_t nl;
            labels_key_parse(key, kl, ls, 16, &nl);
            for (size_t t = 0; t < nl; t++) {
                if (rn == rcap) {
                    rcap = rcap ? rcap * 2 : 64;
                    ref = realloc(ref, rcap * sizeof *ref);
                }
                ref[rn++] = ls[t].name;
            }
        }
        if (rn) qsort(ref, rn, sizeof *ref, slice_qcmp);
        size_t u = 0;
        for (size_t t = 0; t < rn; t++)
            if (!u || !st_slice_eq(ref[u - 1], ref[t])) ref[u++] = ref[t];
        CHECK(on == u);
        for (size_t t = 0; t < on && t < u; t++) CHECK(st_slice_eq(out[t], ref[t]));
        st_slice vn = st_slice_cstr(mnames[q % ST_ARRAY_LEN(mnames)]);
        on = rn = 0;
        blk_label_values(b, vn, of, &out, &on, &ocap);
        for (size_t j = 0; j < (of ? of->n : n); j++) {
            const uint8_t *key;
            size_t kl;
            blk_series_key(b, of ? of->ids[j] : (uint32_t)j, &key, &kl);
            st_slice v = labels_key_get(key, kl, vn);
            if (!v.n) continue;
            if (rn == rcap) {
                rcap = rcap ? rcap * 2 : 64;
                ref = realloc(ref, rcap * sizeof *ref);
            }
            ref[rn++] = v;
        }
        if (rn) qsort(ref, rn, sizeof *ref, slice_qcmp);
        u = 0;
        for (size_t t = 0; t < rn; t++)
            if (!u || !st_slice_eq(ref[u - 1], ref[t])) ref[u++] = ref[t];
        CHECK(on == u);
        for (size_t t = 0; t < on && t < u; t++) CHECK(st_slice_eq(out[t], ref[t]));
        st_free(out);
        free(ref);
        for (size_t k = 0; k < ok; k++) matcher_free(ms[k]);
    }
    CHECK(checked > 0);
    /* no matchers: everything */
    CHECK_OK(blk_select(b, NULL, 0, &got, &e));
    CHECK_EQ_INT(got.n, n);
    postings_free(&got);
    free(want.ids);
    blk_unref(b);
out:
    for (size_t i = 0; i < n; i++) tseries_free(&s[i]);
    testlib_rmrf(parent);
    free(parent);
}

/* ------------------------------------------------------------------------ */
/* Writer validation, empty blocks, sources                                 */

static void test_writer_validation(void)
{
    char *parent = testlib_tmpdir("blk");
    st_err e;
    blk_writer *w;
    CHECK_EQ_INT(blk_writer_open(vfs_posix(), parent, 10, 5, 1, &w, &e), ST_EINVAL);
    CHECK_EQ_INT(blk_writer_open(vfs_posix(), parent, 0, 5, 0, &w, &e), ST_EINVAL);
    CHECK_OK(blk_writer_open(vfs_posix(), parent, 0, 1000, 2, &w, &e));
    CHECK_EQ_INT(dir_entries(parent), 1); /* the tmp dir */
    st_buf k1 = {0}, k2 = {0}, k0 = {0};
    mkkey(&k0, (const char *[]){"__name__", "a", NULL});
    mkkey(&k1, (const char *[]){"__name__", "b", "x", "1", NULL});
    mkkey(&k2, (const char *[]){"__name__", "c", NULL});
    int64_t ts[3] = {1, 2, 3}, bad_ts[3] = {1, 3, 3}, far[1] = {2000};
    uint64_t vals[3] = {1, 0, 1};
    series_meta fm = {ST_VT_FLOAT, 0}, bm = {ST_VT_BOOL, 0};
    CHECK_OK(blk_writer_add(w, k1.p, k1.len, fm, ts, vals, NULL, 3, &e));
    CHECK_EQ_INT(blk_writer_add(w, k1.p, k1.len, fm, ts, vals, NULL, 3, &e), ST_EINVAL); /* dup */
    CHECK_EQ_INT(blk_writer_add(w, k0.p, k0.len, fm, ts, vals, NULL, 3, &e), ST_EINVAL); /* order */
    CHECK(strstr(e.msg, "order") != NULL);
    CHECK_EQ_INT(blk_writer_add(w, k2.p, k2.len, fm, bad_ts, vals, NULL, 3, &e), ST_EINVAL);
    CHECK_EQ_INT(blk_writer_add(w, k2.p, k2.len, fm, far, vals, NULL, 1, &e), ST_ERANGE);
    series_meta badm = {9, 0}, badt = {ST_VT_FLOAT, 2};
    CHECK_EQ_INT(blk_writer_add(w, k2.p, k2.len, badm, ts, vals, NULL, 3, &e), ST_EINVAL);
    CHECK_EQ_INT(blk_writer_add(w, k2.p, k2.len, badt, ts, vals, NULL, 3, &e), ST_EINVAL);
    uint64_t badb[3] = {0, 2, 1};
    CHECK(blk_writer_add(w, k2.p, k2.len, bm, ts, badb, NULL, 3, &e) < 0);
    /* a non-canonical key: labels out of order */
    uint8_t nc[] = {1, 'z', 1, '1', 8, '_', '_', 'n', 'a', 'm', 'e', '_', '_', 1, 'q'};
    CHECK_EQ_INT(blk_writer_add(w, nc, sizeof nc, fm, ts, vals, NULL, 3, &e), ST_EINVAL);
    uint8_t junk[] = {200, 1};
    CHECK_EQ_INT(blk_writer_add(w, junk, sizeof junk, fm, ts, vals, NULL, 3, &e), ST_EINVAL);
    /* n == 0 is skipped; the writer is still usable after all that */
    CHECK_OK(blk_writer_add(w, k2.p, k2.len, bm, ts, vals, NULL, 0, &e));
    st_buf k3 = {0};
    mkkey(&k3, (const char *[]){"__name__", "d", NULL});
    CHECK_OK(blk_writer_add(w, k3.p, k3.len, bm, ts, vals, NULL, 3, &e));
    blk_writer_add_source(w, "01HZZZZZZZZZZZZZZZZZZZZZZZ");
    blk_writer_add_source(w, "01HAAAAAAAAAAAAAAAAAAAAAAA");
    char id[33];
    CHECK_OK(blk_writer_commit(w, id, &e));
    CHECK_EQ_INT(dir_entries(parent), 1);
    char dir[4200];
    snprintf(dir, sizeof dir, "%s/%s", parent, id);
    blk *b = NULL;
    int orc = blk_open(vfs_posix(), dir, &b, &e);
    CHECK_MSG(orc == 0, "%s", e.msg);
    if (b) {
        CHECK_EQ_INT(blk_nseries(b), 2);
        CHECK_EQ_INT(blk_level(b), 2);
        CHECK_EQ_INT(blk_nsources(b), 2);
        CHECK(!strcmp(blk_source(b, 0), "01HZZZZZZZZZZZZZZZZZZZZZZZ"));
        CHECK(!strcmp(blk_source(b, 1), "01HAAAAAAAAAAAAAAAAAAAAAAA"));
        uint32_t x;
        CHECK_EQ_INT(blk_find(b, k2.p, k2.len, &x), ST_ENOTFOUND);
        CHECK_OK(blk_find(b, k3.p, k3.len, &x));
        blk_unref(b);
    }
    /* a bad source id fails the commit and leaves nothing */
    CHECK_OK(blk_writer_open(vfs_posix(), parent, 0, 1000, 1, &w, &e));
    blk_writer_add_source(w, "not-an-id");
    CHECK_EQ_INT(blk_writer_commit(w, id, &e), ST_EINVAL);
    CHECK_EQ_INT(dir_entries(parent), 1);
    /* abort removes the tmp dir */
    CHECK_OK(blk_writer_open(vfs_posix(), parent, 0, 1000, 1, &w, &e));
    CHECK_OK(blk_writer_add(w, k3.p, k3.len, bm, ts, vals, NULL, 3, &e));
    CHECK_EQ_INT(dir_entries(parent), 2);
    blk_writer_abort(w);
    CHECK_EQ_INT(dir_entries(parent), 1);
    /* an empty block is valid */
    CHECK_OK(blk_writer_open(vfs_posix(), parent, -5, 5, 1, &w, &e));
    char id2[33];
    CHECK_OK(blk_writer_commit(w, id2, &e));
    CHECK(strcmp(id, id2) < 0); /* ids sort by creation */
    /* the first 10 characters are the creation time in ms, Crockford base32 */
    uint64_t ms = 0;
    for (int i = 0; i < 10; i++) {
        const char *al = "0123456789ABCDEFGHJKMNPQRSTVWXYZ", *c = strchr(al, id2[i]);
        CHECK(c != NULL);
        ms = ms * 32 + (uint64_t)(c ? c - al : 0);
    }
    int64_t now_ms = st_now_ns() / ST_NS_PER_MS;
    CHECK_MSG(ms <= (uint64_t)now_ms && ms + 60000 > (uint64_t)now_ms, "id %s: ms %llu", id2,
              (unsigned long long)ms);
    snprintf(dir, sizeof dir, "%s/%s", parent, id2);
    CHECK_OK(blk_open(vfs_posix(), dir, &b, &e));
    if (b) {
        postings p = {0};
        CHECK_EQ_INT(blk_nseries(b), 0);
        CHECK_OK(blk_select(b, NULL, 0, &p, &e));
        CHECK_EQ_INT(p.n, 0);
        st_slice *out = NULL;
        size_t on = 0, oc = 0;
        blk_label_names(b, NULL, &out, &on, &oc);
        CHECK_EQ_INT(on, 0);
        st_free(out);
        postings_free(&p);
        blk_unref(b);
    }
    /* a missing parent is an error, not a crash */
    char missing[4300];
    snprintf(missing, sizeof missing, "%s/nope", parent);
    CHECK_EQ_INT(blk_writer_open(vfs_posix(), missing, 0, 1, 1, &w, &e), ST_ENOTFOUND);
    CHECK_EQ_INT(blk_open(vfs_posix(), missing, &b, &e), ST_ENOTFOUND);
    st_buf_free(&k0);
    st_buf_free(&k1);
    st_buf_free(&k2);
    st_buf_free(&k3);
    testlib_rmrf(parent);
    free(parent);
}

/* ------------------------------------------------------------------------ */
/* Tombstones                                                               */

typedef struct tquery {
    tseries *s;
    int64_t lo, hi; /* deleted range of series 0 */
} tquery;


static void test_tombstones(void)
{
    char *parent = testlib_tmpdir("blk");
    tseries s[3];
    gen_series(&s[0], (const char *[]){"__name__", "a", NULL}, ST_VT_FLOAT, 1000, 0, 10);
    gen_series(&s[1], (const char *[]){"__name__", "b", NULL}, ST_VT_INT, 1000, 0, 10);
    gen_series(&s[2], (const char *[]){"__name__", "c", NULL}, ST_VT_UINT, 1000, 0, 10);
    char dir[4200];
    st_err e;
    CHECK_OK(write_block(vfs_posix(), parent, s, 3, 0, 20000, dir, sizeof dir, &e));
    blk *b = NULL;
    CHECK_OK(blk_open(vfs_posix(), dir, &b, &e));
    if (!b) goto out;
    uint64_t before = blk_disk_bytes(b);
    uint32_t ids[2] = {0, 2};
    CHECK_EQ_INT(blk_add_tombstones(b, ids, 2, 10, 5, &e), ST_EINVAL);
    uint32_t bad = 3;
    CHECK_EQ_INT(blk_add_tombstones(b, &bad, 1, 0, 5, &e), ST_EINVAL);
    CHECK_OK(blk_add_tombstones(b, ids, 2, 2000, 2999, &e));
    CHECK(blk_has_tombstones(b));
    CHECK(blk_disk_bytes(b) > before);
    CHECK_EQ_INT(blk_disk_bytes(b), file_size(dir, "meta") + file_size(dir, "index") +
                                        file_size(dir, "chunks") + file_size(dir, "tombstones"));
    /* overlapping and adjacent ranges merge; out of the block's range is clamped */
    CHECK_OK(blk_add_tombstones(b, ids, 1, 2500, 3500, &e));
    CHECK_OK(blk_add_tombstones(b, ids, 1, 3501, 3600, &e));
    CHECK_OK(blk_add_tombstones(b, ids + 1, 1, INT64_MIN, -1, &e)); /* nothing to do */
    CHECK_OK(blk_add_tombstones(b, ids + 1, 1, 19990, INT64_MAX, &e));
    codec_samples cs = {0};
    CHECK_OK(blk_read(b, 0, INT64_MIN, INT64_MAX, &cs, &e));
    CHECK(same_minus(&cs, &s[0], 2000, 3600));
    CHECK_OK(blk_read(b, 1, INT64_MIN, INT64_MAX, &cs, &e));
    CHECK(same(&cs, &s[1], INT64_MIN, INT64_MAX));
    CHECK_OK(blk_read(b, 2, INT64_MIN, INT64_MAX, &cs, &e));
    CHECK(same_minus(&cs, &s[2], 2000, 2999));
    /* a range read wholly inside a deleted span */
    CHECK_OK(blk_read(b, 0, 2100, 2200, &cs, &e));
    CHECK_EQ_INT(cs.n, 0);
    blk_unref(b);
    /* survives reopen */
    CHECK_OK(blk_open(vfs_posix(), dir, &b, &e));
    if (!b) goto out;
    CHECK(blk_has_tombstones(b));
    CHECK_OK(blk_read(b, 0, INT64_MIN, INT64_MAX, &cs, &e));
    CHECK(same_minus(&cs, &s[0], 2000, 3600));
    CHECK_OK(blk_read(b, 1, INT64_MIN, INT64_MAX, &cs, &e));
    CHECK(same(&cs, &s[1], INT64_MIN, INT64_MAX));
    CHECK_OK(blk_read(b, 2, 0, 20000, &cs, &e));
    CHECK(same_minus(&cs, &s[2], 2000, 2999));
    /* delete everything of series 1 */
    CHECK_OK(blk_add_tombstones(b, ids + 0, 1, INT64_MIN, INT64_MAX, &e));
    CHECK_OK(blk_read(b, 0, INT64_MIN, INT64_MAX, &cs, &e));
    CHECK_EQ_INT(cs.n, 0);
    codec_samples_free(&cs);
    blk_unref(b);
out:
    for (int i = 0; i < 3; i++) tseries_free(&s[i]);
    testlib_rmrf(parent);
    free(parent);
}

typedef struct rd_arg {
    blk *b;
    atomic_int *stop;
    int errors;
    tseries *s;
} rd_arg;

static void *reader_thread(void *p)
{
    rd_arg *a = p;
    codec_samples cs = {0};
    size_t last = SIZE_MAX;
    while (!atomic_load(a->stop)) {
        if (blk_read(a->b, 0, INT64_MIN, INT64_MAX, &cs, NULL) != 0) a->errors++;
        /* deletes only ever shrink what a read returns */
        if (cs.n > last) a->errors++;
        last = cs.n;
        for (size_t i = 1; i < cs.n; i++)
            if (cs.ts[i] <= cs.ts[i - 1]) a->errors++;
    }
    codec_samples_free(&cs);
    return NULL;
}

static void test_tombstones_concurrent(void)
{
    char *parent = testlib_tmpdir("blk");
    tseries s[1];
    gen_series(&s[0], (const char *[]){"__name__", "a", NULL}, ST_VT_FLOAT, 5000, 0, 10);
    char dir[4200];
    st_err e;
    CHECK_OK(write_block(vfs_posix(), parent, s, 1, 0, 100000, dir, sizeof dir, &e));
    blk *b = NULL;
    CHECK_OK(blk_open(vfs_posix(), dir, &b, &e));
    if (b) {
        atomic_int stop;
        atomic_init(&stop, 0);
        pthread_t th[3];
        rd_arg args[3];
        for (int i = 0; i < 3; i++) {
            args[i] = (rd_arg){b, &stop, 0, s};
            pthread_create(&th[i], NULL, reader_thread, &args[i]);
        }
        uint32_t id = 0;
        for (int k = 0; k < 40; k++) CHECK_OK(blk_add_tombstones(b, &id, 1, k * 1000, k * 1000 + 10, &e));
        atomic_store(&stop, 1);
        for (int i = 0; i < 3; i++) {
            pthread_join(th[i], NULL);
            CHECK_EQ_INT(args[i].errors, 0);
        }
        codec_samples cs = {0};
        CHECK_OK(blk_read(b, 0, INT64_MIN, INT64_MAX, &cs, &e));
        for (size_t i = 0; i < cs.n; i++) CHECK(cs.ts[i] >= 40000 || cs.ts[i] % 1000 > 10);
        codec_samples_free(&cs);
        blk_unref(b);
    }
    tseries_free(&s[0]);
    testlib_rmrf(parent);
    free(parent);
}

/* ------------------------------------------------------------------------ */
/* Corruption                                                               */

typedef struct corpus {
    char *parent;
    char dir[4200];
    tseries s[6];
} corpus;

/* A small block of every type, with one multi-chunk series and tombstones. */
static void corpus_make(corpus *c)
{
    c->parent = testlib_tmpdir("blk");
    gen_series(&c->s[0], (const char *[]){"__name__", "f", "h", "1", NULL}, ST_VT_FLOAT, 90, 0, 10);
    gen_series(&c->s[1], (const char *[]){"__name__", "i", "h", "2", NULL}, ST_VT_INT, 40, 0, 10);
    gen_series(&c->s[2], (const char *[]){"__name__", "u", NULL}, ST_VT_UINT, 30, 0, 10);
    gen_series(&c->s[3], (const char *[]){"__name__", "b", NULL}, ST_VT_BOOL, 70, 0, 10);
    gen_series(&c->s[4], (const char *[]){"__name__", "s", "h", "1", NULL}, ST_VT_STRING, 20, 0, 10);
    /* two chunks; constant values keep the chunks file small, so that every
     * one of its bytes can be damaged in turn */
    gen_series(&c->s[5], (const char *[]){"__name__", "big", NULL}, ST_VT_INT, 65536 + 50, 0, 1);
    for (size_t i = 0; i < c->s[5].n; i++) c->s[5].vals[i] = 7;
    st_err e;
    if (write_block(vfs_posix(), c->parent, c->s, 6, 0, 100000, c->dir, sizeof c->dir, &e)) {
        fprintf(stderr, "corpus: %s\n", e.msg);
        exit(2);
    }
    blk *b;
    if (blk_open(vfs_posix(), c->dir, &b, &e)) exit(2);
    uint32_t id = 1;
    blk_add_tombstones(b, &id, 1, 100, 200, &e);
    blk_unref(b);
}

static void corpus_free(corpus *c)
{
    for (int i = 0; i < 6; i++) tseries_free(&c->s[i]);
    testlib_rmrf(c->parent);
    free(c->parent);
}

/* Opens the (possibly damaged) block and reads every series. Returns -1 if
 * open failed (with ST_ECORRUPT, else -2), else the number of series whose
 * read failed; a read that succeeds must return exactly the right data. */
static int probe(corpus *c, int *bad_other)
{
    blk *b;
    st_err e;
    int rc = blk_open(vfs_posix(), c->dir, &b, &e);
    if (rc) {
        if (rc != ST_ECORRUPT) {
            (*bad_other)++;
            fprintf(stderr, "  open returned %d: %s\n", rc, e.msg);
        }
        return -1;
    }
    codec_samples cs = {0};
    int fails = 0;
    for (uint32_t i = 0; i < blk_nseries(b) && i < 6; i++) {
        /* chunk metadata fails exactly when the read does (one crc covers
         * a chunk and its statistics) */
        int mfail = 0;
        for (uint32_t k = 0; k < blk_series_nchunks(b, i); k++) {
            blk_chunk ch;
            int mrc = blk_chunk_meta(b, i, k, &ch, &e);
            if (mrc && mrc != ST_ECORRUPT) (*bad_other)++;
            mfail |= mrc != 0;
        }
        rc = blk_read(b, i, INT64_MIN, INT64_MAX, &cs, &e);
        if ((rc != 0) != mfail) {
            (*bad_other)++;
            fprintf(stderr, "  series %u: read %d but chunk metadata %s\n", i, rc,
                    mfail ? "failed" : "succeeded");
        }
        if (rc) {
            if (rc != ST_ECORRUPT) (*bad_other)++;
            fails++;
            continue;
        }
        bool ok = i == 1 ? same_minus(&cs, &c->s[i], 100, 200) : same(&cs, &c->s[i], INT64_MIN, INT64_MAX);
        if (!ok) {
            (*bad_other)++;
            fprintf(stderr, "  series %u: wrong data returned\n", i);
        }
    }
    if (blk_nseries(b) != 6) (*bad_other)++;
    codec_samples_free(&cs);
    blk_unref(b);
    return fails;
}

static void put_byte(const char *dir, const char *name, size_t pos, uint8_t v)
{
    char p[4200];
    snprintf(p, sizeof p, "%s/%s", dir, name);
    int fd = open(p, O_WRONLY);
    if (fd < 0 || pwrite(fd, &v, 1, (off_t)pos) != 1) {
        perror(p);
        exit(2);
    }
    close(fd);
}

static void test_corruption_flips(void)
{
    corpus c;
    corpus_make(&c);
    static const char *files[] = {"meta", "index", "tombstones", "chunks"};
    int bad = 0;
    CHECK_EQ_INT(probe(&c, &bad), 0);
    for (size_t f = 0; f < 4; f++) {
        size_t n;
        uint8_t *orig = slurp(c.dir, files[f], &n);
        CHECK(orig && n > 0);
        if (!orig) continue;
        size_t stride = f == 3 && quick ? 7 : 1;
        int opened = 0, failed_reads = 0, positions = 0;
        for (size_t pos = 0; pos < n; pos = pos < 64 || pos + 64 >= n ? pos + 1 : pos + stride) {
            for (int pat = 0; pat < 2; pat++) {
                put_byte(c.dir, files[f], pos, orig[pos] ^ (pat ? 0xff : (uint8_t)(1u << (pos % 8))));
                int r = probe(&c, &bad);
                put_byte(c.dir, files[f], pos, orig[pos]);
                positions++;
                if (r >= 0) opened++;
                if (r > 0) failed_reads++;
                /* Every byte of meta, index and tombstones is under a crc: a
                 * flip must fail the open. A flip in a chunk must fail the
                 * read of exactly that series. */
                if (f < 3) CHECK_MSG(r == -1, "%s byte %zu: open succeeded", files[f], pos);
                else if (pos >= 5) CHECK_MSG(r == 1, "chunks byte %zu: %d reads failed", pos, r);
            }
        }
        printf("  %s (%zu bytes): %d damaged copies, %d opened, %d with a failed read\n",
               files[f], n, positions, opened, failed_reads);
        free(orig);
    }
    CHECK_EQ_INT(bad, 0);
    CHECK_EQ_INT(probe(&c, &bad), 0);
    corpus_free(&c);
}

static void test_corruption_truncate(void)
{
    corpus c;
    corpus_make(&c);
    static const char *files[] = {"meta", "index", "tombstones", "chunks"};
    int bad = 0;
    for (size_t f = 0; f < 4; f++) {
        size_t n;
        uint8_t *orig = slurp(c.dir, files[f], &n);
        if (!orig) continue;
        char path[4300];
        snprintf(path, sizeof path, "%s/%s", c.dir, files[f]);
        for (size_t len = 0; len < n; len++) {
            CHECK(truncate(path, (off_t)len) == 0);
            CHECK_MSG(probe(&c, &bad) == -1, "%s truncated to %zu opened", files[f], len);
        }
        /* trailing garbage */
        uint8_t *longer = malloc(n + 3);
        memcpy(longer, orig, n);
        memcpy(longer + n, "xyz", 3);
        spit(c.dir, files[f], longer, n + 3);
        CHECK_MSG(probe(&c, &bad) == -1, "%s with trailing bytes opened", files[f]);
        free(longer);
        /* missing file */
        char p[4300];
        snprintf(p, sizeof p, "%s/%s", c.dir, files[f]);
        unlink(p);
        blk *b;
        st_err e;
        int rc = blk_open(vfs_posix(), c.dir, &b, &e);
        if (f == 0) CHECK_EQ_INT(rc, ST_ENOTFOUND); /* not a block at all */
        else if (f == 2) {                           /* no tombstones: fine */
            CHECK_EQ_INT(rc, 0);
            if (!rc) blk_unref(b);
        } else CHECK_EQ_INT(rc, ST_ECORRUPT);
        spit(c.dir, files[f], orig, n);
        free(orig);
    }
    CHECK_EQ_INT(bad, 0);
    CHECK_EQ_INT(probe(&c, &bad), 0);
    /* an unknown version with a valid crc is reported as such */
    size_t n;
    uint8_t *m = slurp(c.dir, "meta", &n);
    m[4] = 7;
    put_u32le(m + n - 4, crc32c(0, m, n - 4));
    spit(c.dir, "meta", m, n);
    blk *b;
    st_err e;
    CHECK_EQ_INT(blk_open(vfs_posix(), c.dir, &b, &e), ST_ECORRUPT);
    CHECK(strstr(e.msg, "version 7") != NULL);
    free(m);
    corpus_free(&c);
}

/* blk_open_mem sees the same block as blk_open. */
static void test_open_mem(void)
{
    corpus c;
    corpus_make(&c);
    size_t mn, in, cn, tn;
    uint8_t *m = slurp(c.dir, "meta", &mn), *ix = slurp(c.dir, "index", &in),
            *ch = slurp(c.dir, "chunks", &cn), *tb = slurp(c.dir, "tombstones", &tn);
    blk *b = NULL;
    st_err e;
    CHECK_OK(blk_open_mem(m, mn, ix, in, ch, cn, tb, tn, &b, &e));
    if (b) {
        CHECK_EQ_INT(blk_nseries(b), 6);
        CHECK(blk_has_tombstones(b));
        codec_samples cs = {0};
        CHECK_OK(blk_read(b, 1, INT64_MIN, INT64_MAX, &cs, &e));
        CHECK(same_minus(&cs, &c.s[1], 100, 200));
        CHECK_OK(blk_read(b, 5, INT64_MIN, INT64_MAX, &cs, &e));
        CHECK(same(&cs, &c.s[5], INT64_MIN, INT64_MAX));
        uint32_t id = 0;
        CHECK_EQ_INT(blk_add_tombstones(b, &id, 1, 0, 1, &e), ST_EINVAL);
        /* a checksum verified once is not verified again for queries, but
         * blk_read (compaction's read) verifies every time */
        for (uint32_t s = 0; s < blk_nseries(b); s++)
            for (uint32_t k = 0; k < blk_series_nchunks(b, s); k++)
                CHECK_OK(blk_read_chunk(b, s, k, INT64_MIN, INT64_MAX, &cs, &e));
        ch[cn / 2] ^= 0x5a;
        int bad = 0;
        for (uint32_t s = 0; s < blk_nseries(b); s++) {
            for (uint32_t k = 0; k < blk_series_nchunks(b, s); k++)
                CHECK_OK(blk_read_chunk(b, s, k, INT64_MIN, INT64_MAX, &cs, &e));
            int rc = blk_read(b, s, INT64_MIN, INT64_MAX, &cs, &e);
            if (rc == ST_ECORRUPT) bad++;
            else CHECK_OK(rc);
        }
        CHECK_EQ_INT(bad, 1);
        ch[cn / 2] ^= 0x5a;
        codec_samples_free(&cs);
        blk_mark_deleted(b);
        blk_unref(b);
    }
    /* the index against a chunks file of the wrong size */
    CHECK_EQ_INT(blk_open_mem(m, mn, ix, in, ch, cn - 1, tb, tn, &b, &e), ST_ECORRUPT);
    CHECK_EQ_INT(blk_open_mem(m, mn, ix, in, NULL, 0, NULL, 0, &b, &e), ST_ECORRUPT);
    free(m);
    free(ix);
    free(ch);
    free(tb);
    corpus_free(&c);
}

/* ------------------------------------------------------------------------ */
/* Fault injection                                                          */

enum { F_WRITE, F_FSYNC, F_RENAME, F_OPEN, F_MKDIR, F_CLOSE, F_NKINDS };
static const char *fault_names[] = {"write", "fsync", "rename", "open", "mkdir", "close"};

typedef struct fault {
    int kind, k, err, count, fired;
} fault;

static fault g_fault;

static bool fault_hit(int kind)
{
    if (g_fault.kind != kind) return false;
    if (++g_fault.count != g_fault.k) return false;
    g_fault.fired++;
    return true;
}

static ssize_t fw_write(const vfs *v, int fd, const void *b, size_t n)
{
    (void)v;
    if (fault_hit(F_WRITE)) {
        /* tear the write first: half of it lands, then the error */
        if (n > 1) vfs_posix()->write(vfs_posix(), fd, b, n / 2);
        return -g_fault.err;
    }
    return vfs_posix()->write(vfs_posix(), fd, b, n);
}
static int fw_fsync(const vfs *v, int fd)
{
    (void)v;
    return fault_hit(F_FSYNC) ? -g_fault.err : vfs_posix()->fsync(vfs_posix(), fd);
}
static int fw_rename(const vfs *v, const char *a, const char *b)
{
    (void)v;
    return fault_hit(F_RENAME) ? -g_fault.err : vfs_posix()->rename(vfs_posix(), a, b);
}
static int fw_open(const vfs *v, const char *p, int flags, int mode)
{
    (void)v;
    return fault_hit(F_OPEN) ? -g_fault.err : vfs_posix()->open(vfs_posix(), p, flags, mode);
}
static int fw_mkdir(const vfs *v, const char *p, int mode)
{
    (void)v;
    return fault_hit(F_MKDIR) ? -g_fault.err : vfs_posix()->mkdir(vfs_posix(), p, mode);
}
static int fw_close(const vfs *v, int fd)
{
    (void)v;
    int rc = vfs_posix()->close(vfs_posix(), fd); /* the fd is gone either way */
    return fault_hit(F_CLOSE) ? -g_fault.err : rc;
}

static vfs fault_vfs(void)
{
    vfs v = *vfs_posix();
    v.write = fw_write;
    v.fsync = fw_fsync;
    v.rename = fw_rename;
    v.open = fw_open;
    v.mkdir = fw_mkdir;
    v.close = fw_close;
    v.ctx = &g_fault;
    return v;
}

static void test_fault_injection(void)
{
    tseries s[3];
    gen_series(&s[0], (const char *[]){"__name__", "a", NULL}, ST_VT_FLOAT, 2000, 0, 10);
    gen_series(&s[1], (const char *[]){"__name__", "b", NULL}, ST_VT_INT, 2000, 0, 10);
    /* big incompressible strings so that chunks are flushed during add */
    gen_series(&s[2], (const char *[]){"__name__", "c", NULL}, ST_VT_STRING, 3, 0, 10);
    size_t big = 700000;
    char *pool = malloc(3 * big);
    for (size_t i = 0; i < 3 * big; i++) pool[i] = (char)(' ' + rnd() % 90);
    for (int i = 0; i < 3; i++) s[2].strs[i] = st_slice_of(pool + (size_t)i * big, big);
    qsort(s, 3, sizeof *s, tseries_cmp);
    vfs fv = fault_vfs();
    static const int errs[] = {EIO, ENOSPC};
    int runs = 0;
    for (int kind = 0; kind < F_NKINDS; kind++) {
        for (size_t ei = 0; ei < 2; ei++) {
            for (int k = 1; k < 100; k++) {
                char *parent = testlib_tmpdir("blkf");
                g_fault = (fault){kind, k, errs[ei], 0, 0};
                st_err e = {0};
                blk_writer *w;
                int rc = blk_writer_open(&fv, parent, 0, 100000, 1, &w, &e);
                for (int i = 0; rc == 0 && i < 3; i++)
                    rc = blk_writer_add(w, s[i].key.p, s[i].key.len, s[i].meta, s[i].ts, s[i].vals,
                                        s[i].strs, s[i].n, &e);
                char id[33];
                if (w && rc == 0) rc = blk_writer_commit(w, id, &e);
                else if (w && g_fault.fired) blk_writer_abort(w);
                bool fired = g_fault.fired > 0;
                g_fault.kind = -1;
                runs++;
                /* vfs_fsync_dir ignores the close of the directory fd it
                 * fsynced: such a fault may pass, as long as all is well. */
                bool harmless = fired && kind == F_CLOSE && rc == 0;
                if (fired && !harmless) {
                    CHECK_MSG(rc < 0, "%s #%d: fault ignored", fault_names[kind], k);
                    if (kind != F_OPEN && kind != F_MKDIR)
                        CHECK_MSG(rc == (errs[ei] == ENOSPC ? ST_ENOSPC : ST_EIO),
                                  "%s #%d: rc %d (%s)", fault_names[kind], k, rc, e.msg);
                    CHECK_MSG(dir_entries(parent) == 0, "%s #%d: %lld entries left behind",
                              fault_names[kind], k, dir_entries(parent));
                } else {
                    CHECK_MSG(rc == 0, "%s #%d: %s", fault_names[kind], k, e.msg);
                    CHECK_EQ_INT(dir_entries(parent), 1);
                    char dir[4300];
                    snprintf(dir, sizeof dir, "%s/%s", parent, id);
                    blk *b;
                    CHECK_OK(blk_open(vfs_posix(), dir, &b, &e));
                    if (rc == 0 && b) {
                        codec_samples cs = {0};
                        for (uint32_t i = 0; i < 3; i++) {
                            CHECK_OK(blk_read(b, i, INT64_MIN, INT64_MAX, &cs, &e));
                            CHECK(same(&cs, &s[i], INT64_MIN, INT64_MAX));
                        }
                        codec_samples_free(&cs);
                        /* tombstone writes under the same fault */
                        for (int tk = 1; tk < 10; tk++) {
                            blk *tb;
                            CHECK_OK(blk_open(&fv, dir, &tb, &e));
                            g_fault = (fault){kind, tk, errs[ei], 0, 0};
                            uint32_t tid = 0;
                            int trc = blk_add_tombstones(tb, &tid, 1, 0, 50, &e);
                            bool tf = g_fault.fired > 0;
                            g_fault.kind = -1;
                            if (!tb) break;
                            codec_samples c2 = {0};
                            CHECK_OK(blk_read(tb, 0, INT64_MIN, INT64_MAX, &c2, &e));
                            if (tf && kind == F_CLOSE && trc == 0) {
                                tf = false; /* a directory fd's close: harmless */
                            }
                            if (tf) {
                                CHECK(trc < 0);
                                CHECK(!blk_has_tombstones(tb));
                                CHECK(c2.n == s[0].n);
                            } else {
                                size_t gone = 0;
                                for (size_t i = 0; i < s[0].n; i++) gone += s[0].ts[i] <= 50;
                                CHECK_OK(trc);
                                CHECK(c2.n == s[0].n - gone);
                            }
                            codec_samples_free(&c2);
                            blk_unref(tb);
                            char tp[4400];
                            snprintf(tp, sizeof tp, "%s/tombstones", dir);
                            unlink(tp);
                            if (!tf) break;
                        }
                        blk_unref(b);
                    }
                }
                testlib_rmrf(parent);
                free(parent);
                if (!fired) break;
            }
        }
    }
    printf("  %d fault-injection runs\n", runs);
    free(pool);
    for (int i = 0; i < 3; i++) tseries_free(&s[i]);
}

/* ------------------------------------------------------------------------ */
/* Reference counting                                                       */

static void test_refcount(void)
{
    char *parent = testlib_tmpdir("blk");
    tseries s[1];
    gen_series(&s[0], (const char *[]){"__name__", "a", NULL}, ST_VT_FLOAT, 100, 0, 10);
    char dir[4200];
    st_err e;
    CHECK_OK(write_block(vfs_posix(), parent, s, 1, 0, 1000, dir, sizeof dir, &e));
    blk *b = NULL;
    CHECK_OK(blk_open(vfs_posix(), dir, &b, &e));
    if (b) {
        blk_unref(b); /* not deleted: the files stay */
        CHECK(exists(dir));
        CHECK_OK(blk_open(vfs_posix(), dir, &b, &e));
    }
    if (b) {
        blk_ref(b); /* a query */
        blk_mark_deleted(b);
        blk_unref(b); /* the store lets go */
        CHECK(exists(dir));
        codec_samples cs = {0};
        CHECK_OK(blk_read(b, 0, INT64_MIN, INT64_MAX, &cs, &e));
        CHECK(same(&cs, &s[0], INT64_MIN, INT64_MAX));
        codec_samples_free(&cs);
        blk_unref(b); /* the query ends */
        CHECK(!exists(dir));
        CHECK_EQ_INT(dir_entries(parent), 0);
    }
    tseries_free(&s[0]);
    testlib_rmrf(parent);
    free(parent);
}

/* ------------------------------------------------------------------------ */
/* Compactness on a TSBS-like workload                                      */

static void test_tsbs_compactness(void)
{
    enum { HOSTS = 1000, FIELDS = 10, POINTS = 360 };
    static const char *fields[FIELDS] = {"usage_user", "usage_system", "usage_idle", "usage_nice",
                                         "usage_iowait", "usage_irq", "usage_softirq",
                                         "usage_steal", "usage_guest", "usage_guest_nice"};
    static const char *regions[] = {"us-east-1", "us-west-1", "eu-west-1", "eu-central-1",
                                    "ap-southeast-1"};
    static const char *oses[] = {"Ubuntu16.10", "Ubuntu16.04LTS", "Ubuntu15.10"};
    static const char *arches[] = {"x64", "x86"};
    static const char *teams[] = {"SF", "NYC", "LON", "CHI"};
    static const char *envs[] = {"production", "staging", "test"};
    const int64_t T0 = 1700000000000000000LL, STEP = 10 * ST_NS_PER_S;
    size_t ns = HOSTS * FIELDS;
    tseries *s = calloc(ns, sizeof *s);
    int64_t *ts = malloc(POINTS * sizeof *ts);
    for (int p = 0; p < POINTS; p++) ts[p] = T0 + p * STEP;
    for (int h = 0; h < HOSTS; h++) {
        char host[32], rack[8], svc[8], ver[8], dc[32], name[64];
        const char *region = regions[h % 5];
        snprintf(host, sizeof host, "host_%d", h);
        snprintf(rack, sizeof rack, "%d", (int)(rnd() % 100));
        snprintf(svc, sizeof svc, "%d", (int)(rnd() % 20));
        snprintf(ver, sizeof ver, "%d", (int)(rnd() % 2));
        snprintf(dc, sizeof dc, "%s%c", region, (char)('a' + rnd() % 3));
        const char *os = oses[rnd() % 3], *arch = arches[rnd() % 2], *team = teams[rnd() % 4],
                   *env = envs[rnd() % 3];
        for (int f = 0; f < FIELDS; f++) {
            tseries *t = &s[h * FIELDS + f];
            snprintf(name, sizeof name, "cpu_%s", fields[f]);
            mkkey(&t->key, (const char *[]){"__name__", name, "hostname", host, "region", region,
                                            "datacenter", dc, "rack", rack, "os", os, "arch", arch,
                                            "team", team, "service", svc, "service_version", ver,
                                            "service_environment", env, NULL});
            t->meta.type = ST_VT_FLOAT;
            t->meta.table_len = 3;
            t->n = POINTS;
            t->ts = ts; /* shared, not freed per series */
            t->vals = malloc(POINTS * sizeof *t->vals);
            double v = rnd01() * 100;
            for (int p = 0; p < POINTS; p++) {
                v += rnd01() * 2 - 1;
                v = v < 0 ? 0 : v > 100 ? 100 : v;
                t->vals[p] = f2u((double)llround(v * 100) / 100); /* as "%.2f" parses */
            }
        }
    }
    char *parent = testlib_tmpdir("blk");
    char dir[4200];
    st_err e;
    double t0 = now_s();
    int rc = write_block(vfs_posix(), parent, s, ns, T0, T0 + POINTS * STEP, dir, sizeof dir, &e);
    double t_write = now_s() - t0;
    CHECK_MSG(rc == 0, "%s", e.msg);
    long long meta = file_size(dir, "meta"), index = file_size(dir, "index"),
              chunks = file_size(dir, "chunks");
    double samples = (double)ns * POINTS;
    double total = (double)(meta + index + chunks);
    /* overhead per series: everything but the codec's own bytes; each
     * series is one chunk (360 samples < BLK_CHUNK_MIN), whose statistics
     * record is re-encoded here to count it */
    st_buf sb = {0};
    for (size_t i = 0; i < ns; i++) {
        codec_stats cst;
        codec_stats_compute(ST_VT_FLOAT, s[i].vals, POINTS, &cst);
        blk_stats_put(ST_VT_FLOAT, &cst, &sb);
    }
    double crcs = 4.0 * (double)ns, stats = (double)sb.len;
    double payload = (double)chunks - crcs - stats - 5;
    st_buf_free(&sb);
    printf("  TSBS-like: %zu series x %d samples\n", ns, POINTS);
    printf("  block: %.4f B/sample (%lld bytes): chunks %.4f (codec %.4f + statistics %.4f + crc "
           "%.4f), index %.4f, meta %.5f\n", total / samples, (long long)total, chunks / samples,
           payload / samples, stats / samples, crcs / samples, index / samples, meta / samples);
    printf("  overhead per series: %.2f bytes (index %.2f, statistics %.2f, crc 4, meta+headers "
           "%.3f)\n", (total - payload) / (double)ns, (double)index / (double)ns,
           stats / (double)ns, (double)(meta + 5) / (double)ns);
    /* version 1 stored this in 1.0335 B/sample (5.9 bytes a series over
     * the codec's); version 2 adds the statistics (about 13 bytes a chunk)
     * and the exact chunk times, within the 5% budget (block.c) */
    CHECK_MSG(total / samples <= 1.085, "%.4f B/sample", total / samples);
    CHECK((total - payload) / (double)ns <= 36);

    blk *b = NULL;
    t0 = now_s();
    rc = blk_open(vfs_posix(), dir, &b, &e);
    double t_open = now_s() - t0;
    CHECK_MSG(rc == 0, "%s", e.msg);
    if (b) {
        /* selection speed */
        matcher *m1, *m2, *m3, *m4;
        matcher_new(MATCH_EQ, st_slice_cstr("__name__"), st_slice_cstr("cpu_usage_user"), &m1, &e);
        matcher_new(MATCH_EQ, st_slice_cstr("hostname"), st_slice_cstr("host_42"), &m2, &e);
        matcher_new(MATCH_RE, st_slice_cstr("hostname"), st_slice_cstr("host_1.*"), &m3, &e);
        matcher_new(MATCH_NEQ, st_slice_cstr("region"), st_slice_cstr("us-east-1"), &m4, &e);
        postings p = {0};
        int reps = 200;
        matcher *q1[] = {m1, m2}, *q2[] = {m1, m3, m4};
        t0 = now_s();
        for (int i = 0; i < reps; i++) blk_select(b, q1, 2, &p, &e);
        double t_sel1 = (now_s() - t0) / reps;
        CHECK_EQ_INT(p.n, 1);
        t0 = now_s();
        for (int i = 0; i < reps; i++) blk_select(b, q2, 3, &p, &e);
        double t_sel2 = (now_s() - t0) / reps;
        CHECK(p.n > 0 && p.n < 111);
        /* read everything */
        codec_samples cs = {0};
        t0 = now_s();
        size_t got = 0;
        bool ok = true;
        for (uint32_t i = 0; i < ns; i++) {
            if (blk_read(b, i, INT64_MIN, INT64_MAX, &cs, &e)) ok = false;
            got += cs.n;
            if (i % 997 == 0) ok &= same(&cs, &s[i], INT64_MIN, INT64_MAX);
        }
        double t_read = now_s() - t0;
        CHECK(ok);
        CHECK_EQ_INT(got, ns * POINTS);
        printf("  write %.0f ms, open %.2f ms, select {name,host} %.1f us, "
               "{name,host=~,region!=} %.1f us, read all %.0f ms (%.1f M samples/s)\n",
               t_write * 1e3, t_open * 1e3, t_sel1 * 1e6, t_sel2 * 1e6, t_read * 1e3,
               samples / t_read / 1e6);

        /* What would a stored postings section (delta varints, zstd) cost? */
        st_buf raw = {0};
        st_slice *names = NULL, *vals = NULL;
        size_t nn = 0, nc = 0, nv = 0, vc = 0;
        blk_label_names(b, NULL, &names, &nn, &nc);
        for (size_t i = 0; i < nn; i++) {
            nv = 0;
            blk_label_values(b, names[i], NULL, &vals, &nv, &vc);
            for (size_t j = 0; j < nv; j++) {
                matcher *m;
                matcher_new(MATCH_EQ, names[i], vals[j], &m, &e);
                blk_select(b, &m, 1, &p, &e);
                matcher_free(m);
                varint_buf(&raw, p.n);
                for (size_t k = 0; k < p.n; k++) varint_buf(&raw, k ? p.ids[k] - p.ids[k - 1] : p.ids[0]);
            }
        }
        size_t bound = ZSTD_compressBound(raw.len);
        void *z = malloc(bound);
        size_t zn = ZSTD_compress(z, bound, raw.p, raw.len, 9);
        printf("  (postings if stored: %zu raw, %zu zstd = %.2f bytes/series; derived at open "
               "instead)\n", raw.len, zn, (double)zn / (double)ns);
        free(z);
        st_buf_free(&raw);
        st_free(names);
        st_free(vals);
        codec_samples_free(&cs);
        postings_free(&p);
        matcher_free(m1);
        matcher_free(m2);
        matcher_free(m3);
        matcher_free(m4);
        blk_unref(b);
    }
    for (size_t i = 0; i < ns; i++) {
        s[i].ts = NULL;
        tseries_free(&s[i]);
    }
    free(ts);
    free(s);
    if (getenv("KEEP_TSBS")) printf("  kept %s\n", dir); else testlib_rmrf(parent);
    free(parent);
}

int main(void)
{
    quick = getenv("STRATA_TEST_QUICK") != NULL;
    RUN(test_roundtrip_types);
    RUN(test_time_range_and_multichunk);
    RUN(test_select_oracle);
    RUN(test_writer_validation);
    RUN(test_tombstones);
    RUN(test_tombstones_concurrent);
    RUN(test_corruption_flips);
    RUN(test_corruption_truncate);
    RUN(test_open_mem);
    RUN(test_fault_injection);
    RUN(test_refcount);
    RUN(test_tsbs_compactness);
    return testlib_done("test_block");
}
