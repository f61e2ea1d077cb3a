/* test_store: the engine end to end, in process: write, read, out-of-order
 * writes, duplicates (the later write wins), replay, flush to blocks,
 * compaction, retention, deletes, type conflicts, limits. */
#include <dirent.h>
#include <errno.h>
#include <sys/stat.h>
#include <math.h>
#include <string.h>

#include "labels.h"
#include "samples.h"
#include "store.h"
#include "scanutil.h"
#include "testlib.h"

static char *g_dir;

static void quiet(void *ctx, const char *level, const char *msg)
{
    (void)ctx;
    if (getenv("STRATA_TEST_VERBOSE")) fprintf(stderr, "[%s] %s\n", level, msg);
}

static store *open_store(const char *dir, int64_t memwin)
{
    store_opts o;
    store_opts_default(&o);
    o.data_dir = dir;
    o.maintenance_interval = 0;
    o.memory_window = memwin;
    o.retention = 0;
    o.nshards = 4;
    o.log = quiet;
    store *s = NULL;
    st_err e = {0};
    int rc = store_open(&o, &s, &e);
    if (rc) fprintf(stderr, "store_open: %s\n", e.msg);
    return s;
}

static uint32_t add_series(store_batch *b, const char *name, const char *host, uint8_t type)
{
    label ls[2] = {{st_slice_cstr("__name__"), st_slice_cstr(name)},
                   {st_slice_cstr("host"), st_slice_cstr(host)}};
    uint32_t h = 0;
    series_meta m = {type, (uint16_t)strlen(name)};
    st_err e;
    int rc = store_batch_series(b, ls, 2, m, &h, &e);
    if (rc) fprintf(stderr, "batch_series: %s\n", e.msg);
    return h;
}

static uint64_t fbits(double d)
{
    uint64_t u;
    memcpy(&u, &d, 8);
    return u;
}

/* Reads every sample of series name{host=host} in [mint,maxt]. */
static size_t read_series(store *s, const char *db, const char *name, const char *host,
                          int64_t mint, int64_t maxt, codec_samples *out)
{
    tscan q;
    st_err e = {0};
    matcher *ms[2];
    matcher_new(MATCH_EQ, st_slice_cstr("__name__"), st_slice_cstr(name), &ms[0], NULL);
    matcher_new(MATCH_EQ, st_slice_cstr("host"), st_slice_cstr(host), &ms[1], NULL);
    size_t nseries = 0;
    samples_clear(out);
    if (tscan_open(s, db, ms, 2, mint, maxt, &q, &e)) {
        fprintf(stderr, "query_open: %s\n", e.msg);
        matcher_free(ms[0]);
        matcher_free(ms[1]);
        tscan_close(&q);
        return 0;
    }
    {
        const uint8_t *k;
        size_t kl;
        series_meta m;
        codec_samples tmp = {0};
        while (tscan_next(&q, &k, &kl, &m, &tmp, &e) == 1) {
            nseries++;
            for (size_t i = 0; i < tmp.n; i++) samples_push_from(out, m.type == ST_VT_STRING, &tmp, i);
        }
        codec_samples_free(&tmp);
    }
    matcher_free(ms[0]);
    matcher_free(ms[1]);
    tscan_close(&q);
    return nseries;
}

static int64_t T0;

static void test_write_read(void)
{
    store *s = open_store(g_dir, 2LL * 3600 * ST_NS_PER_S);
    CHECK(s != NULL);
    if (!s) return;
    store_batch *b = store_batch_new();
    uint32_t h = add_series(b, "cpu_usage", "a", ST_VT_FLOAT);
    for (int i = 0; i < 1000; i++) store_batch_add(b, h, T0 + i * ST_NS_PER_S, fbits(i * 0.5));
    store_write_result r;
    st_err e = {0};
    CHECK_OK(store_write(s, "default", b, &r, &e));
    CHECK_EQ_INT(r.accepted, 1000);
    codec_samples out = {0};
    CHECK_EQ_INT(read_series(s, "default", "cpu_usage", "a", INT64_MIN, INT64_MAX, &out), 1);
    CHECK_EQ_INT(out.n, 1000);
    bool ok = out.n == 1000;
    for (size_t i = 0; ok && i < out.n; i++)
        ok = out.ts[i] == T0 + (int64_t)i * ST_NS_PER_S && out.vals[i] == fbits((double)i * 0.5);
    CHECK(ok);
    /* range restriction */
    read_series(s, "default", "cpu_usage", "a", T0 + 10 * ST_NS_PER_S, T0 + 19 * ST_NS_PER_S, &out);
    CHECK_EQ_INT(out.n, 10);
    codec_samples_free(&out);
    store_batch_free(b);
    CHECK_OK(store_close(s, NULL));
}

static void test_out_of_order_and_duplicates(void)
{
    store *s = open_store(g_dir, 2LL * 3600 * ST_NS_PER_S);
    if (!s) { CHECK(0); return; }
    store_batch *b = store_batch_new();
    store_write_result r;
    /* in-order, then older samples, then overwrites of existing timestamps */
    uint32_t h = add_series(b, "ooo", "x", ST_VT_FLOAT);
    for (int i = 100; i < 400; i++) store_batch_add(b, h, T0 + i * ST_NS_PER_S, fbits(1.0));
    CHECK_OK(store_write(s, "default", b, &r, NULL));
    store_batch_reset(b);
    h = add_series(b, "ooo", "x", ST_VT_FLOAT);
    for (int i = 99; i >= 0; i--) store_batch_add(b, h, T0 + i * ST_NS_PER_S, fbits(2.0));
    CHECK_OK(store_write(s, "default", b, &r, NULL));
    store_batch_reset(b);
    h = add_series(b, "ooo", "x", ST_VT_FLOAT);
    for (int i = 0; i < 400; i += 7) store_batch_add(b, h, T0 + i * ST_NS_PER_S, fbits(3.0));
    /* within one batch the later of two equal timestamps wins */
    store_batch_add(b, h, T0 + 1 * ST_NS_PER_S, fbits(4.0));
    store_batch_add(b, h, T0 + 1 * ST_NS_PER_S, fbits(5.0));
    CHECK_OK(store_write(s, "default", b, &r, NULL));
    codec_samples out = {0};
    read_series(s, "default", "ooo", "x", INT64_MIN, INT64_MAX, &out);
    CHECK_EQ_INT(out.n, 400);
    bool ok = out.n == 400;
    for (size_t i = 0; ok && i < 400; i++) {
        double want = i == 1 ? 5.0 : i % 7 == 0 ? 3.0 : i < 100 ? 2.0 : 1.0;
        ok = out.ts[i] == T0 + (int64_t)i * ST_NS_PER_S && out.vals[i] == fbits(want);
        if (!ok) fprintf(stderr, "  sample %zu: ts %lld val %g\n", i, (long long)out.ts[i], *(double *)&out.vals[i]);
    }
    CHECK(ok);
    CHECK_OK(store_close(s, NULL));
    /* the same after replay */
    s = open_store(g_dir, 2LL * 3600 * ST_NS_PER_S);
    read_series(s, "default", "ooo", "x", INT64_MIN, INT64_MAX, &out);
    CHECK_EQ_INT(out.n, 400);
    ok = out.n == 400;
    for (size_t i = 0; ok && i < 400; i++) {
        double want = i == 1 ? 5.0 : i % 7 == 0 ? 3.0 : i < 100 ? 2.0 : 1.0;
        ok = out.vals[i] == fbits(want);
    }
    CHECK(ok);
    /* and after a flush to blocks, plus a later overwrite that lands in the head */
    CHECK_OK(store_flush_all(s, NULL));
    store_batch_reset(b);
    h = add_series(b, "ooo", "x", ST_VT_FLOAT);
    store_batch_add(b, h, T0 + 2 * ST_NS_PER_S, fbits(9.0));
    CHECK_OK(store_write(s, "default", b, &r, NULL));
    read_series(s, "default", "ooo", "x", INT64_MIN, INT64_MAX, &out);
    CHECK_EQ_INT(out.n, 400);
    CHECK(out.n == 400 && out.vals[2] == fbits(9.0) && out.vals[1] == fbits(5.0));
    /* flush again: two overlapping blocks, compaction merges, newer wins */
    CHECK_OK(store_flush_all(s, NULL));
    read_series(s, "default", "ooo", "x", INT64_MIN, INT64_MAX, &out);
    CHECK_MSG(out.n == 400 && out.vals[2] == fbits(9.0) && out.vals[1] == fbits(5.0) &&
              out.vals[3] == fbits(2.0) && out.vals[399] == fbits(3.0) && out.vals[398] == fbits(1.0),
              "n %zu v1 %g v2 %g v3 %g v399 %g", out.n, *(double *)&out.vals[1],
              *(double *)&out.vals[2], *(double *)&out.vals[3], *(double *)&out.vals[399]);
    store_stats st;
    store_get_stats(s, &st);
    CHECK(st.blocks >= 1 && st.blocks <= 2); /* one per partition touched */
    CHECK(st.compactions >= 1);
    CHECK_OK(store_close(s, NULL));
    s = open_store(g_dir, 2LL * 3600 * ST_NS_PER_S);
    read_series(s, "default", "ooo", "x", INT64_MIN, INT64_MAX, &out);
    CHECK(out.n == 400 && out.vals[2] == fbits(9.0) && out.vals[1] == fbits(5.0));
    CHECK_OK(store_close(s, NULL));
    codec_samples_free(&out);
    store_batch_free(b);
}

static void test_types_and_conflicts(void)
{
    store *s = open_store(g_dir, 2LL * 3600 * ST_NS_PER_S);
    if (!s) { CHECK(0); return; }
    CHECK_OK(store_db_create(s, "typed", -1, -1, NULL));
    store_batch *b = store_batch_new();
    store_write_result r;
    uint32_t hi = add_series(b, "m_i", "a", ST_VT_INT);
    uint32_t hu = add_series(b, "m_u", "a", ST_VT_UINT);
    uint32_t hb = add_series(b, "m_b", "a", ST_VT_BOOL);
    uint32_t hs = add_series(b, "m_s", "a", ST_VT_STRING);
    uint32_t hf = add_series(b, "m_f", "a", ST_VT_FLOAT);
    int64_t ivals[] = {INT64_MIN, -1, 0, 1, INT64_MAX};
    uint64_t fvals[] = {ST_STALE_NAN_BITS, fbits(-0.0), fbits(INFINITY), fbits(-INFINITY), 1};
    const char *svals[] = {"", "hello", "ünïcødé", "with \"quotes\"\n", "x"};
    for (int i = 0; i < 5; i++) {
        int64_t t = T0 + i * ST_NS_PER_S;
        store_batch_add(b, hi, t, (uint64_t)ivals[i]);
        store_batch_add(b, hu, t, UINT64_MAX - (uint64_t)i);
        store_batch_add(b, hb, t, (uint64_t)(i & 1));
        store_batch_add_str(b, hs, t, st_slice_cstr(svals[i]));
        store_batch_add(b, hf, t, fvals[i]);
    }
    CHECK_OK(store_write(s, "typed", b, &r, NULL));
    for (int round = 0; round < 3; round++) {
        codec_samples out = {0};
        read_series(s, "typed", "m_i", "a", INT64_MIN, INT64_MAX, &out);
        bool ok = out.n == 5;
        for (int i = 0; ok && i < 5; i++) ok = (int64_t)out.vals[i] == ivals[i];
        CHECK_MSG(ok, "int round %d", round);
        read_series(s, "typed", "m_u", "a", INT64_MIN, INT64_MAX, &out);
        ok = out.n == 5;
        for (int i = 0; ok && i < 5; i++) ok = out.vals[i] == UINT64_MAX - (uint64_t)i;
        CHECK_MSG(ok, "uint round %d", round);
        read_series(s, "typed", "m_b", "a", INT64_MIN, INT64_MAX, &out);
        ok = out.n == 5;
        for (int i = 0; ok && i < 5; i++) ok = out.vals[i] == (uint64_t)(i & 1);
        CHECK_MSG(ok, "bool round %d", round);
        read_series(s, "typed", "m_s", "a", INT64_MIN, INT64_MAX, &out);
        ok = out.n == 5;
        for (int i = 0; ok && i < 5; i++) ok = st_slice_eq(out.strs[i], st_slice_cstr(svals[i]));
        CHECK_MSG(ok, "string round %d", round);
        read_series(s, "typed", "m_f", "a", INT64_MIN, INT64_MAX, &out);
        ok = out.n == 5;
        for (int i = 0; ok && i < 5; i++) ok = out.vals[i] == fvals[i];
        CHECK_MSG(ok, "float round %d", round);
        codec_samples_free(&out);
        if (round == 0) {
            CHECK_OK(store_close(s, NULL)); /* round 1: after replay */
            s = open_store(g_dir, 2LL * 3600 * ST_NS_PER_S);
        } else if (round == 1) {
            CHECK_OK(store_flush_all(s, NULL)); /* round 2: from blocks */
        }
    }
    /* a write of another type to an existing series is refused, others kept */
    store_batch_reset(b);
    hi = add_series(b, "m_i", "a", ST_VT_FLOAT);
    uint32_t ok2 = add_series(b, "m_new", "a", ST_VT_FLOAT);
    store_batch_add(b, ok2, T0 + 100 * ST_NS_PER_S, fbits(1));
    store_batch_reset(b);
    hi = add_series(b, "m_i", "b", ST_VT_INT);
    store_batch_add(b, hi, T0, 5);
    CHECK_OK(store_write(s, "typed", b, &r, NULL));
    store_batch_reset(b);
    hi = add_series(b, "m_i", "b", ST_VT_FLOAT);
    store_batch_add(b, hi, T0 + ST_NS_PER_S, fbits(1.5));
    ok2 = add_series(b, "m_new", "a", ST_VT_FLOAT);
    store_batch_add(b, ok2, T0 + ST_NS_PER_S, fbits(1.5));
    st_err e = {0};
    int rc = store_write(s, "typed", b, &r, &e);
    CHECK_EQ_INT(rc, ST_ECONFLICT);
    CHECK_EQ_INT(r.accepted, 1);
    CHECK_EQ_INT(r.rejected, 1);
    CHECK_MSG(strstr(e.msg, "field type conflict") != NULL, "%s", e.msg);
    /* the type stands after the series has left memory, and after a restart */
    CHECK_OK(store_flush_all(s, NULL));
    store_stats st;
    store_get_stats(s, &st);
    CHECK_EQ_INT(st.active_series, 0);
    for (int round = 0; round < 2; round++) {
        store_batch_reset(b);
        hi = add_series(b, "m_i", "b", ST_VT_FLOAT);
        store_batch_add(b, hi, T0 + 2 * ST_NS_PER_S, fbits(2.5));
        CHECK_EQ_INT(store_write(s, "typed", b, &r, &e), ST_ECONFLICT);
        CHECK_EQ_INT(r.accepted, 0);
        CHECK_OK(store_close(s, NULL));
        s = open_store(g_dir, 2LL * 3600 * ST_NS_PER_S);
    }
    store_batch_reset(b);
    hi = add_series(b, "m_i", "b", ST_VT_INT);
    store_batch_add(b, hi, T0 + 2 * ST_NS_PER_S, 9);
    CHECK_OK(store_write(s, "typed", b, &r, NULL)); /* the right type is welcome */
    CHECK_OK(store_close(s, NULL));
    store_batch_free(b);
}

static void test_limits_and_ranges(void)
{
    store_opts o;
    store_opts_default(&o);
    o.data_dir = g_dir;
    o.maintenance_interval = 0;
    o.max_series = 3;
    o.retention = 3600 * ST_NS_PER_S;
    o.log = quiet;
    store *s;
    CHECK_OK(store_open(&o, &s, NULL));
    CHECK_OK(store_db_create(s, "lim", -1, -1, NULL));
    store_batch *b = store_batch_new();
    store_write_result r;
    int64_t now = st_now_ns();
    for (int i = 0; i < 5; i++) {
        char host[8];
        snprintf(host, sizeof host, "h%d", i);
        uint32_t h = add_series(b, "lim_m", host, ST_VT_FLOAT);
        store_batch_add(b, h, now, fbits(1));
    }
    st_err e = {0};
    int rc = store_write(s, "lim", b, &r, &e);
    CHECK_EQ_INT(rc, ST_ELIMIT);
    CHECK_EQ_INT(r.accepted, 3);
    CHECK_EQ_INT(r.rejected, 2);
    CHECK_MSG(strstr(e.msg, "--max-series") != NULL, "%s", e.msg);
    store_batch_reset(b);
    uint32_t h = add_series(b, "lim_m", "h0", ST_VT_FLOAT);
    store_batch_add(b, h, now - 2 * 3600 * ST_NS_PER_S, fbits(1)); /* too old */
    store_batch_add(b, h, now + 3600 * ST_NS_PER_S, fbits(1));     /* too new */
    store_batch_add(b, h, now - 60 * ST_NS_PER_S, fbits(1));       /* fine */
    /* another database: which of h0..h4 got in under the limit above
     * depends on the shard order */
    CHECK_OK(store_db_create(s, "rng", -1, -1, NULL));
    rc = store_write(s, "rng", b, &r, &e);
    CHECK_EQ_INT(rc, ST_ERANGE);
    CHECK_EQ_INT(r.accepted, 1);
    CHECK_EQ_INT(r.rejected, 2);
    rc = store_write(s, "nope", b, &r, &e);
    CHECK_EQ_INT(rc, ST_ENOTFOUND);
    CHECK_EQ_INT(store_db_create(s, "../x", -1, -1, &e), ST_EINVAL);
    CHECK_EQ_INT(store_db_create(s, "a/b", -1, -1, &e), ST_EINVAL);
    CHECK_EQ_INT(store_db_create(s, "", -1, -1, &e), ST_EINVAL);
    CHECK_EQ_INT(store_db_create(s, "lim", -1, -1, &e), ST_EEXIST);
    /* a second process (or store) on the same data directory is refused */
    store *s2 = NULL;
    CHECK_EQ_INT(store_open(&o, &s2, &e), ST_EEXIST);
    CHECK_MSG(strstr(e.msg, "in use") != NULL, "%s", e.msg);
    store_batch_free(b);
    CHECK_OK(store_close(s, NULL));
}

static void test_retention_and_memory_window(void)
{
    /* A store whose memory window is 1h: maintenance at a simulated "now"
     * flushes older partitions; retention of 1 day drops blocks older than it. */
    store_opts o;
    store_opts_default(&o);
    o.data_dir = g_dir;
    o.maintenance_interval = 0;
    o.retention = 0;
    o.memory_window = 3600 * ST_NS_PER_S;
    o.block_duration = 3600 * ST_NS_PER_S;
    o.log = quiet;
    store *s;
    CHECK_OK(store_open(&o, &s, NULL));
    CHECK_OK(store_db_create(s, "ret", 24LL * 3600 * ST_NS_PER_S, -1, NULL));
    int64_t now = st_now_ns();
    int64_t H = 3600 * ST_NS_PER_S;
    int64_t base = (now / H) * H - 20 * H; /* 20 hours ago, aligned */
    store_batch *b = store_batch_new();
    uint32_t h = add_series(b, "ret_m", "a", ST_VT_FLOAT);
    for (int i = 0; i < 20 * 60; i++) store_batch_add(b, h, base + i * 60 * ST_NS_PER_S, fbits(i));
    store_write_result r;
    CHECK_OK(store_write(s, "ret", b, &r, NULL));
    CHECK_OK(store_maintain(s, now, NULL));
    store_stats st;
    store_get_stats(s, &st);
    CHECK_MSG(st.blocks >= 1, "blocks %llu", (unsigned long long)st.blocks);
    codec_samples out = {0};
    read_series(s, "ret", "ret_m", "a", INT64_MIN, INT64_MAX, &out);
    CHECK_EQ_INT(out.n, 20 * 60);
    /* simulate time passing: now + 10h: retention cuts the first 6 hours' blocks */
    CHECK_OK(store_maintain(s, now + 10 * H, NULL));
    read_series(s, "ret", "ret_m", "a", INT64_MIN, INT64_MAX, &out);
    /* everything older than (now + 10h - 24h) whose whole block is older goes */
    int64_t cutoff = now + 10 * H - 24 * H;
    size_t expect_min = 0;
    for (int i = 0; i < 20 * 60; i++)
        if (base + i * 60 * ST_NS_PER_S >= cutoff) expect_min++;
    CHECK_MSG(out.n >= expect_min && out.n < 20 * 60, "kept %zu, want >= %zu", out.n, expect_min);
    bool all_recent_kept = true;
    for (size_t i = 0; i < out.n; i++)
        if (out.ts[i] < cutoff - 3 * H) all_recent_kept = false; /* whole blocks (<= 2h) go */
    CHECK(all_recent_kept);
    codec_samples_free(&out);
    store_batch_free(b);
    CHECK_OK(store_close(s, NULL));
}

static void test_delete(void)
{
    store *s = open_store(g_dir, 2LL * 3600 * ST_NS_PER_S);
    if (!s) { CHECK(0); return; }
    CHECK_OK(store_db_create(s, "del", -1, -1, NULL));
    store_batch *b = store_batch_new();
    uint32_t h1 = add_series(b, "del_m", "a", ST_VT_FLOAT);
    uint32_t h2 = add_series(b, "del_m", "b", ST_VT_FLOAT);
    for (int i = 0; i < 100; i++) {
        store_batch_add(b, h1, T0 + i * ST_NS_PER_S, fbits(i));
        store_batch_add(b, h2, T0 + i * ST_NS_PER_S, fbits(i));
    }
    store_write_result r;
    CHECK_OK(store_write(s, "del", b, &r, NULL));
    CHECK_OK(store_flush_all(s, NULL)); /* half in blocks */
    store_batch_reset(b);
    h1 = add_series(b, "del_m", "a", ST_VT_FLOAT);
    for (int i = 100; i < 200; i++) store_batch_add(b, h1, T0 + i * ST_NS_PER_S, fbits(i));
    CHECK_OK(store_write(s, "del", b, &r, NULL));
    matcher *m;
    matcher_new(MATCH_EQ, st_slice_cstr("host"), st_slice_cstr("a"), &m, NULL);
    uint64_t n;
    CHECK_OK(store_delete(s, "del", &m, 1, T0 + 50 * ST_NS_PER_S, T0 + 149 * ST_NS_PER_S, &n, NULL));
    codec_samples out = {0};
    read_series(s, "del", "del_m", "a", INT64_MIN, INT64_MAX, &out);
    CHECK_EQ_INT(out.n, 100);
    read_series(s, "del", "del_m", "b", INT64_MIN, INT64_MAX, &out);
    CHECK_EQ_INT(out.n, 100);
    CHECK_OK(store_close(s, NULL));
    s = open_store(g_dir, 2LL * 3600 * ST_NS_PER_S);
    read_series(s, "del", "del_m", "a", INT64_MIN, INT64_MAX, &out);
    CHECK_EQ_INT(out.n, 100);
    bool ok = out.n == 100;
    for (size_t i = 0; ok && i < out.n; i++) ok = out.ts[i] < T0 + 50 * ST_NS_PER_S || out.ts[i] > T0 + 149 * ST_NS_PER_S;
    CHECK(ok);
    CHECK_OK(store_flush_all(s, NULL)); /* compaction applies the tombstones */
    read_series(s, "del", "del_m", "a", INT64_MIN, INT64_MAX, &out);
    CHECK_EQ_INT(out.n, 100);
    /* and the space is reclaimed: the blocks hold only what is left */
    store_db_info *info;
    size_t ndb;
    store_db_list(s, &info, &ndb);
    uint64_t in_blocks = 0;
    for (size_t i = 0; i < ndb; i++)
        if (!strcmp(info[i].name, "del")) in_blocks = info[i].block_samples;
    st_free(info);
    CHECK_MSG(in_blocks == 200, "block samples %llu", (unsigned long long)in_blocks);
    matcher_free(m);
    codec_samples_free(&out);
    store_batch_free(b);
    CHECK_OK(store_close(s, NULL));
}

/* store_delete_series: exactly the named series (not one with an extra
 * label), in head and blocks, one WAL fsync for all of them, durable. */
static void test_delete_series(void)
{
    store *s = open_store(g_dir, 2LL * 3600 * ST_NS_PER_S);
    if (!s) { CHECK(0); return; }
    CHECK_OK(store_db_create(s, "dels", -1, -1, NULL));
    store_batch *b = store_batch_new();
    const char *hosts[] = {"a", "b", "c"};
    st_buf keys = {0};
    size_t koff[4] = {0};
    for (int round = 0; round < 2; round++) {
        store_batch_reset(b);
        uint32_t hh[3];
        for (int k = 0; k < 3; k++) hh[k] = add_series(b, "dels_m", hosts[k], ST_VT_FLOAT);
        label wide[3] = {{st_slice_cstr("__name__"), st_slice_cstr("dels_m")},
                         {st_slice_cstr("host"), st_slice_cstr("a")},
                         {st_slice_cstr("rack"), st_slice_cstr("r1")}};
        uint32_t hw;
        CHECK_OK(store_batch_series(b, wide, 3, (series_meta){ST_VT_FLOAT, 6}, &hw, NULL));
        for (int i = round * 100; i < round * 100 + 100; i++) {
            for (int k = 0; k < 3; k++) store_batch_add(b, hh[k], T0 + i * ST_NS_PER_S, fbits(i));
            store_batch_add(b, hw, T0 + i * ST_NS_PER_S, fbits(i));
        }
        if (round == 0) {
            for (int k = 0; k < 2; k++) { /* the keys of a and b */
                const uint8_t *key;
                size_t kl;
                uint64_t kh;
                store_batch_key(b, hh[k], &key, &kl, &kh);
                st_buf_put(&keys, key, kl);
                koff[k + 1] = keys.len;
            }
        }
        store_write_result r;
        CHECK_OK(store_write(s, "dels", b, &r, NULL));
        if (round == 0) CHECK_OK(store_flush_all(s, NULL)); /* the first half in blocks */
    }
    st_slice ks[4] = {
        st_slice_of((const char *)keys.p + koff[0], koff[1] - koff[0]),
        st_slice_of((const char *)keys.p + koff[1], koff[2] - koff[1]),
        st_slice_of((const char *)keys.p + koff[0], koff[1] - koff[0]), /* given twice */
        st_slice_of("\x08__name__\x07unknown", 18),                  /* no such series */
    };
    store_stats st0, st1;
    store_get_stats(s, &st0);
    uint64_t n = 0;
    CHECK_OK(store_delete_series(s, "dels", ks, 4, T0 + 50 * ST_NS_PER_S, T0 + 149 * ST_NS_PER_S, &n, NULL));
    store_get_stats(s, &st1);
    CHECK_MSG(n == 4, "%llu series affected (2 in the head, 2 in a block)", (unsigned long long)n);
    CHECK_MSG(st1.wal_fsyncs - st0.wal_fsyncs <= 1, "%llu WAL fsyncs", (unsigned long long)(st1.wal_fsyncs - st0.wal_fsyncs));
    CHECK_OK(store_close(s, NULL));
    for (int pass = 0; pass < 2; pass++) {
        /* after a restart (WAL replay, block tombstones), then after a flush */
        s = open_store(g_dir, 2LL * 3600 * ST_NS_PER_S);
        if (!s) { CHECK(0); break; }
        if (pass == 1) CHECK_OK(store_flush_all(s, NULL));
        codec_samples out = {0};
        CHECK_EQ_INT(read_series(s, "dels", "dels_m", "b", INT64_MIN, INT64_MAX, &out), 1);
        CHECK_EQ_INT(out.n, 100);
        bool ok = true;
        for (size_t i = 0; i < out.n; i++) ok = ok && (out.ts[i] < T0 + 50 * ST_NS_PER_S || out.ts[i] > T0 + 149 * ST_NS_PER_S);
        CHECK(ok);
        /* host=a: the exact series lost 100, the one with rack=r1 kept its 200 */
        CHECK_EQ_INT(read_series(s, "dels", "dels_m", "a", INT64_MIN, INT64_MAX, &out), 2);
        CHECK_EQ_INT(out.n, 300);
        CHECK_EQ_INT(read_series(s, "dels", "dels_m", "c", INT64_MIN, INT64_MAX, &out), 1);
        CHECK_EQ_INT(out.n, 200);
        codec_samples_free(&out);
        CHECK_OK(store_close(s, NULL));
    }
    st_buf_free(&keys);
    store_batch_free(b);
}

static void test_databases_persist(void)
{
    store *s = open_store(g_dir, 2LL * 3600 * ST_NS_PER_S);
    if (!s) { CHECK(0); return; }
    CHECK_OK(store_db_create(s, "persist", 7LL * 86400 * ST_NS_PER_S, -1, NULL));
    store_batch *b = store_batch_new();
    uint32_t h = add_series(b, "p", "a", ST_VT_FLOAT);
    store_batch_add(b, h, T0, fbits(1));
    store_write_result r;
    CHECK_OK(store_write(s, "persist", b, &r, NULL));
    CHECK_OK(store_close(s, NULL));
    s = open_store(g_dir, 2LL * 3600 * ST_NS_PER_S);
    CHECK(store_db_exists(s, "persist"));
    CHECK(store_db_exists(s, "default"));
    store_db_info *info;
    size_t n;
    store_db_list(s, &info, &n);
    bool found = false;
    for (size_t i = 0; i < n; i++)
        if (!strcmp(info[i].name, "persist")) found = info[i].retention == 7LL * 86400 * ST_NS_PER_S;
    CHECK(found);
    st_free(info);
    CHECK_OK(store_db_drop(s, "persist", NULL));
    CHECK(!store_db_exists(s, "persist"));
    CHECK_OK(store_close(s, NULL));
    /* the drop survives a restart and the WAL records of the dropped
     * database are skipped */
    s = open_store(g_dir, 2LL * 3600 * ST_NS_PER_S);
    CHECK(!store_db_exists(s, "persist"));
    CHECK_OK(store_db_create(s, "persist", -1, -1, NULL));
    codec_samples out = {0};
    read_series(s, "persist", "p", "a", INT64_MIN, INT64_MAX, &out);
    CHECK_EQ_INT(out.n, 0);
    codec_samples_free(&out);
    store_batch_free(b);
    CHECK_OK(store_close(s, NULL));
}

static void test_flush_truncates_wal(void)
{
    store *s = open_store(g_dir, 2LL * 3600 * ST_NS_PER_S);
    if (!s) { CHECK(0); return; }
    store_batch *b = store_batch_new();
    for (int k = 0; k < 50; k++) {
        store_batch_reset(b);
        char host[16];
        snprintf(host, sizeof host, "w%d", k);
        uint32_t h = add_series(b, "walsz", host, ST_VT_FLOAT);
        for (int i = 0; i < 2000; i++) store_batch_add(b, h, T0 + i * ST_NS_PER_S, fbits(i * 1.25));
        store_write_result r;
        CHECK_OK(store_write(s, "default", b, &r, NULL));
    }
    store_stats before, after;
    store_get_stats(s, &before);
    CHECK_OK(store_flush_all(s, NULL));
    store_get_stats(s, &after);
    CHECK_MSG(after.wal_disk_bytes < before.wal_disk_bytes / 10, "wal %llu -> %llu",
              (unsigned long long)before.wal_disk_bytes, (unsigned long long)after.wal_disk_bytes);
    CHECK_EQ_INT(after.active_series, 0);
    codec_samples out = {0};
    read_series(s, "default", "walsz", "w7", INT64_MIN, INT64_MAX, &out);
    CHECK_EQ_INT(out.n, 2000);
    CHECK_OK(store_close(s, NULL));
    s = open_store(g_dir, 2LL * 3600 * ST_NS_PER_S);
    read_series(s, "default", "walsz", "w7", INT64_MIN, INT64_MAX, &out);
    CHECK_EQ_INT(out.n, 2000);
    codec_samples_free(&out);
    store_batch_free(b);
    CHECK_OK(store_close(s, NULL));
}

/* The WAL checkpoint file in dir/wal as "name:inode:mtime" (a rewrite
 * renames a new file over it, maybe under the same name), or "" when none. */
static void checkpoint_name(const char *dir, char *out, size_t cap)
{
    char path[4400];
    snprintf(path, sizeof path, "%.4200s/wal", dir);
    out[0] = 0;
    DIR *d = opendir(path);
    if (!d) return;
    struct dirent *de;
    while ((de = readdir(d)))
        if (!strncmp(de->d_name, "checkpoint.", 11)) {
            char f[4700];
            struct stat sb;
            snprintf(f, sizeof f, "%s/%.255s", path, de->d_name);
            if (stat(f, &sb)) memset(&sb, 0, sizeof sb);
            snprintf(out, cap, "%.64s:%llu:%lld.%09ld", de->d_name, (unsigned long long)sb.st_ino,
                     (long long)sb.st_mtim.tv_sec, sb.st_mtim.tv_nsec);
        }
    closedir(d);
}

/* Maintenance checkpoints once the segments written since the last
 * checkpoint pass --wal-checkpoint-size, not when the checkpoint alone is
 * that big: a big head was rewritten (its shards locked) every cycle. */
static void test_checkpoint_threshold(void)
{
    static char dir[4200];
    snprintf(dir, sizeof dir, "%s/ckpt", g_dir);
    store_opts o;
    store_opts_default(&o);
    CHECK_EQ_INT(o.wal_checkpoint_bytes, 256u << 20);
    o.data_dir = dir;
    o.maintenance_interval = 0;
    o.retention = 0;
    o.nshards = 4;
    o.log = quiet;
    o.wal_checkpoint_bytes = 64 << 10;
    store *s = NULL;
    CHECK_OK(store_open(&o, &s, NULL));
    if (!s) return;
    int64_t now = st_now_ns();
    store_batch *b = store_batch_new();
    store_write_result r;
    /* about 400 KiB of WAL, all of it recent (nothing to flush) */
    for (int k = 0; k < 20; k++) {
        store_batch_reset(b);
        char host[16];
        snprintf(host, sizeof host, "c%d", k);
        uint32_t h = add_series(b, "ckpt", host, ST_VT_FLOAT);
        for (int i = 0; i < 1000; i++)
            store_batch_add(b, h, now - (1000 - i) * ST_NS_PER_S, fbits((double)(i * 7919 % 1000) / 7));
        CHECK_OK(store_write(s, "default", b, &r, NULL));
    }
    char first[256], again[256], third[256];
    checkpoint_name(dir, first, sizeof first);
    CHECK_MSG(first[0] == 0, "no checkpoint before maintenance: %s", first);
    CHECK_OK(store_maintain(s, now, NULL));
    checkpoint_name(dir, first, sizeof first);
    CHECK_MSG(first[0] != 0, "a checkpoint once the segments passed 64 KiB");
    store_stats st;
    store_get_stats(s, &st);
    CHECK_MSG(st.wal_disk_bytes > 64 << 10, "the checkpoint is larger than the threshold: %llu",
              (unsigned long long)st.wal_disk_bytes);
    /* nothing written since: the big checkpoint stays as it is */
    for (int i = 0; i < 3; i++) {
        CHECK_OK(store_maintain(s, now, NULL));
        checkpoint_name(dir, again, sizeof again);
        if (strcmp(first, again)) break;
    }
    CHECK_MSG(!strcmp(first, again), "checkpoint rewritten without new writes: %s -> %s", first, again);
    /* new writes past the threshold: a new checkpoint */
    for (int k = 0; k < 20; k++) {
        store_batch_reset(b);
        char host[16];
        snprintf(host, sizeof host, "d%d", k);
        uint32_t h = add_series(b, "ckpt", host, ST_VT_FLOAT);
        for (int i = 0; i < 1000; i++)
            store_batch_add(b, h, now - (1000 - i) * ST_NS_PER_S, fbits((double)(i * 7919 % 1000) / 3));
        CHECK_OK(store_write(s, "default", b, &r, NULL));
    }
    CHECK_OK(store_maintain(s, now, NULL));
    checkpoint_name(dir, third, sizeof third);
    CHECK_MSG(third[0] && strcmp(third, first), "a new checkpoint after new writes: %s -> %s", first, third);
    store_batch_free(b);
    CHECK_OK(store_close(s, NULL));
    /* and everything is there after a restart from the checkpoint */
    CHECK_OK(store_open(&o, &s, NULL));
    if (!s) return;
    codec_samples out = {0};
    read_series(s, "default", "ckpt", "c3", INT64_MIN, INT64_MAX, &out);
    CHECK_EQ_INT(out.n, 1000);
    read_series(s, "default", "ckpt", "d19", INT64_MIN, INT64_MAX, &out);
    CHECK_EQ_INT(out.n, 1000);
    codec_samples_free(&out);
    CHECK_OK(store_close(s, NULL));
}

/* Continuous queries in the catalog: created, listed, kept across a
 * restart (any text: quotes, newlines, spaces), dropped alone or with
 * their database. */
static void test_continuous_queries(void)
{
    static char dir[4200];
    snprintf(dir, sizeof dir, "%s/cqs", g_dir);
    store *s = open_store(dir, 2LL * 3600 * ST_NS_PER_S);
    if (!s) { CHECK(0); return; }
    CHECK_OK(store_db_create(s, "d1", -1, -1, NULL));
    const char *t1 = "CREATE CONTINUOUS QUERY a ON d1 BEGIN SELECT mean(\"v x\") INTO m FROM \"c\"\n GROUP BY time(1m) END";
    CHECK_OK(store_cq_create(s, "d1", "a", t1, NULL));
    CHECK_OK(store_cq_create(s, "d1", "a", t1, NULL)); /* the same again: no change */
    CHECK(store_cq_create(s, "d1", "a", "other", NULL) == ST_EEXIST);
    CHECK(store_cq_create(s, "nodb", "b", "x", NULL) == ST_ENOTFOUND);
    CHECK_OK(store_cq_create(s, "default", "b b", "", NULL));
    store_cq *q;
    size_t n;
    uint64_t g1, g2;
    store_cq_list(s, &q, &n, &g1);
    CHECK_EQ_INT(n, 2);
    CHECK(n == 2 && !strcmp(q[0].db, "d1") && !strcmp(q[0].text, t1) && !strcmp(q[1].name, "b b") && !q[1].text[0]);
    store_cq_list_free(q, n);
    CHECK_OK(store_close(s, NULL));
    s = open_store(dir, 2LL * 3600 * ST_NS_PER_S);
    if (!s) { CHECK(0); return; }
    store_cq_list(s, &q, &n, &g1);
    CHECK_EQ_INT(n, 2);
    CHECK(n == 2 && !strcmp(q[0].name, "a") && !strcmp(q[0].text, t1));
    store_cq_list_free(q, n);
    CHECK(store_cq_drop(s, "d1", "nope", NULL) == ST_ENOTFOUND);
    CHECK_OK(store_db_drop(s, "d1", NULL));
    store_cq_list(s, &q, &n, &g2);
    CHECK(n == 1 && !strcmp(q[0].name, "b b") && g2 != g1);
    store_cq_list_free(q, n);
    CHECK_OK(store_cq_drop(s, "default", "b b", NULL));
    CHECK_OK(store_close(s, NULL));
    s = open_store(dir, 2LL * 3600 * ST_NS_PER_S);
    if (!s) { CHECK(0); return; }
    store_cq_list(s, &q, &n, NULL);
    CHECK_EQ_INT(n, 0);
    store_cq_list_free(q, n);
    CHECK_OK(store_close(s, NULL));
}

/* Named objects: put (created, replaced, create_only refused), listed by
 * kind and database in name order, kept across a restart whatever their
 * text holds, deleted alone or with their database. */
static void test_objects(void)
{
    static char dir[4200];
    snprintf(dir, sizeof dir, "%s/objs", g_dir);
    store *s = open_store(dir, 2LL * 3600 * ST_NS_PER_S);
    if (!s) { CHECK(0); return; }
    CHECK_OK(store_db_create(s, "d1", -1, -1, NULL));
    CHECK_OK(store_obj_put(s, "tstable", "d1", "t b", "{\"a\": 1}\n", true, NULL));
    CHECK(store_obj_put(s, "tstable", "d1", "t b", "x", true, NULL) == ST_EEXIST);
    CHECK_OK(store_obj_put(s, "tstable", "d1", "a", "", false, NULL));
    CHECK_OK(store_obj_put(s, "tstable", "d1", "a", "second", false, NULL));
    CHECK_OK(store_obj_put(s, "tssq", "", "q", "server's", true, NULL));
    CHECK(store_obj_put(s, "tstable", "nodb", "a", "x", false, NULL) == ST_ENOTFOUND);
    CHECK(store_obj_put(s, "", "d1", "a", "x", false, NULL) == ST_EINVAL);
    CHECK_OK(store_close(s, NULL));
    s = open_store(dir, 2LL * 3600 * ST_NS_PER_S);
    if (!s) { CHECK(0); return; }
    store_obj *v;
    size_t n;
    store_obj_list(s, "tstable", "d1", &v, &n);
    CHECK(n == 2 && !strcmp(v[0].name, "a") && !strcmp(v[0].text, "second") && !strcmp(v[1].name, "t b") &&
          !strcmp(v[1].text, "{\"a\": 1}\n"));
    store_obj_list_free(v, n);
    char *t = NULL;
    CHECK_OK(store_obj_get(s, "tssq", "", "q", &t, NULL));
    CHECK(t && !strcmp(t, "server's"));
    st_free(t);
    CHECK(store_obj_get(s, "tssq", "d1", "q", &t, NULL) == ST_ENOTFOUND);
    CHECK_OK(store_obj_delete(s, "tstable", "d1", "a", NULL));
    CHECK(store_obj_delete(s, "tstable", "d1", "a", NULL) == ST_ENOTFOUND);
    CHECK_OK(store_db_drop(s, "d1", NULL));
    store_obj_list(s, "tstable", NULL, &v, &n);
    CHECK_EQ_INT(n, 0);
    store_obj_list_free(v, n);
    CHECK_OK(store_db_create(s, "d1", -1, -1, NULL));
    store_obj_list(s, "tstable", "d1", &v, &n);
    CHECK_EQ_INT(n, 0); /* a database made again under the name starts empty */
    store_obj_list_free(v, n);
    store_obj_list(s, "tssq", NULL, &v, &n);
    CHECK(n == 1 && !v[0].db[0]);
    store_obj_list_free(v, n);
    CHECK_OK(store_close(s, NULL));
}

/* A vfs whose rename fails while armed: a flush's block commit fails. */
static int g_fail_rename;
static int fail_rename(const vfs *v, const char *a, const char *b)
{
    (void)v;
    if (g_fail_rename) return -ENOSPC;
    return vfs_posix()->rename(vfs_posix(), a, b);
}

static void test_flush_failure_and_damaged_block(void)
{
    static vfs fv;
    fv = *vfs_posix();
    fv.rename = fail_rename;
    store_opts o;
    store_opts_default(&o);
    o.data_dir = g_dir;
    o.maintenance_interval = 0;
    o.retention = 0;
    o.log = quiet;
    o.vfs = &fv;
    store *s;
    CHECK_OK(store_open(&o, &s, NULL));
    CHECK_OK(store_db_create(s, "faults", -1, -1, NULL));
    store_batch *b = store_batch_new();
    uint32_t h = add_series(b, "f_m", "a", ST_VT_FLOAT);
    for (int i = 0; i < 300; i++) store_batch_add(b, h, T0 + i * ST_NS_PER_S, fbits(i));
    store_write_result r;
    CHECK_OK(store_write(s, "faults", b, &r, NULL));
    g_fail_rename = 1;
    st_err e = {0};
    CHECK(store_flush_all(s, &e) != 0); /* the block cannot be committed */
    codec_samples out = {0};
    read_series(s, "faults", "f_m", "a", INT64_MIN, INT64_MAX, &out);
    CHECK_EQ_INT(out.n, 300); /* still readable from the head */
    g_fail_rename = 0;
    CHECK_OK(store_flush_all(s, &e)); /* the retry succeeds */
    read_series(s, "faults", "f_m", "a", INT64_MIN, INT64_MAX, &out);
    CHECK_EQ_INT(out.n, 300);
    store_stats st;
    store_get_stats(s, &st);
    CHECK_EQ_INT(st.active_series, 0);
    CHECK_OK(store_close(s, NULL));
    /* damage the block's index: at the next start it is moved aside and
     * counted, and the store still opens */
    char cmd[8192];
    snprintf(cmd, sizeof cmd,
             "f=$(ls -d %s/db/faults/blocks/*/index | head -1); printf 'XXXX' | dd of=\"$f\" bs=1 seek=20 conv=notrunc 2>/dev/null",
             g_dir);
    CHECK(system(cmd) == 0);
    o.vfs = NULL;
    CHECK_OK(store_open(&o, &s, NULL));
    store_get_stats(s, &st);
    CHECK_EQ_INT(st.block_corruptions, 1);
    read_series(s, "faults", "f_m", "a", INT64_MIN, INT64_MAX, &out);
    CHECK_EQ_INT(out.n, 0);
    snprintf(cmd, sizeof cmd, "ls -d %s/db/faults/blocks/*.corrupt >/dev/null 2>&1", g_dir);
    CHECK(system(cmd) == 0);
    CHECK_OK(store_close(s, NULL));
    codec_samples_free(&out);
    store_batch_free(b);
}

/* A series whose head data is larger than the WAL's record limit still
 * checkpoints (in several records) and comes back after a restart. */
static void test_big_checkpoint(void)
{
    store *s = open_store(g_dir, 2LL * 3600 * ST_NS_PER_S);
    if (!s) { CHECK(0); return; }
    CHECK_OK(store_db_create(s, "big", -1, -1, NULL));
    size_t len = 1u << 20;
    char *str = malloc(len);
    memset(str, 'x', len);
    store_batch *b = store_batch_new();
    store_write_result r;
    int64_t now = st_now_ns();
    for (int i = 0; i < 70; i++) {
        store_batch_reset(b);
        uint32_t h = add_series(b, "big_s", "a", ST_VT_STRING);
        str[0] = (char)('a' + i % 26);
        store_batch_add_str(b, h, now - (70 - i) * ST_NS_PER_S, st_slice_of(str, len));
        CHECK_OK(store_write(s, "big", b, &r, NULL));
    }
    /* an old sample makes maintenance flush, and so checkpoint */
    store_batch_reset(b);
    uint32_t h = add_series(b, "big_old", "a", ST_VT_FLOAT);
    store_batch_add(b, h, now - 20 * 3600 * ST_NS_PER_S, fbits(1));
    CHECK_OK(store_write(s, "big", b, &r, NULL));
    st_err e = {0};
    CHECK_MSG(store_maintain(s, now, &e) == 0, "%s", e.msg);
    store_stats st;
    store_get_stats(s, &st);
    CHECK_MSG(st.wal_disk_bytes < 100u << 20, "wal %llu bytes", (unsigned long long)st.wal_disk_bytes);
    CHECK_OK(store_close(s, NULL));
    s = open_store(g_dir, 2LL * 3600 * ST_NS_PER_S);
    codec_samples out = {0};
    read_series(s, "big", "big_s", "a", INT64_MIN, INT64_MAX, &out);
    CHECK_EQ_INT(out.n, 70);
    CHECK(out.n == 70 && out.strs[69].n == len && out.strs[69].p[0] == 'a' + 69 % 26);
    codec_samples_free(&out);
    store_batch_free(b);
    free(str);
    CHECK_OK(store_close(s, NULL));
}

/* store_batch_series_key_ref / store_batch_ref: a write by a remembered
 * reference reaches the same series as by key; a reference that is stale
 * (series left memory, database dropped and re-created), foreign (another
 * database), for another series (hash check) or garbage falls back to the
 * key, never to a wrong series; and what was written replays. */
static void write_by_ref(store *s, const char *db, const uint8_t *key, size_t kl, uint64_t kh,
                         const store_series_ref *ref, int64_t ts, double v, store_series_ref *out)
{
    store_batch *b = store_batch_new();
    uint32_t h;
    series_meta m = {ST_VT_FLOAT, 5};
    CHECK_OK(store_batch_series_key_ref(b, key, kl, kh, m, ref, &h, NULL));
    store_batch_add(b, h, ts, fbits(v));
    store_write_result r;
    st_err e = {0};
    CHECK_MSG(store_write(s, db, b, &r, &e) == 0, "%s", e.msg);
    CHECK_EQ_INT(r.accepted, 1);
    store_batch_ref(b, h, out);
    store_batch_free(b);
}

static bool same_ref(const store_series_ref *a, const store_series_ref *b)
{
    return a->epoch == b->epoch && a->shard == b->shard && a->id == b->id;
}

static void test_series_refs(void)
{
    store *s = open_store(g_dir, 2LL * 3600 * ST_NS_PER_S);
    if (!s) { CHECK(0); return; }
    CHECK_OK(store_db_create(s, "ra", -1, -1, NULL));
    CHECK_OK(store_db_create(s, "rb", -1, -1, NULL));
    /* two series by key; their references */
    store_batch *b = store_batch_new();
    uint32_t ha = add_series(b, "ref_m", "a", ST_VT_FLOAT);
    uint32_t hb = add_series(b, "ref_m", "b", ST_VT_FLOAT);
    store_series_ref ra, rb, none = {0}, got;
    store_batch_ref(b, ha, &ra);
    CHECK(ra.epoch == 0); /* nothing written yet */
    store_batch_add(b, ha, T0, fbits(1));
    store_batch_add(b, hb, T0, fbits(1));
    store_write_result r;
    CHECK_OK(store_write(s, "ra", b, &r, NULL));
    store_batch_ref(b, ha, &ra);
    store_batch_ref(b, hb, &rb);
    CHECK(ra.epoch != 0 && rb.epoch == ra.epoch && !same_ref(&ra, &rb));
    const uint8_t *k;
    size_t kl;
    uint64_t kh, khb;
    store_batch_key(b, ha, &k, &kl, &kh);
    uint8_t key[128], keyb[128];
    size_t klb;
    CHECK(kl <= sizeof key);
    memcpy(key, k, kl);
    store_batch_key(b, hb, &k, &klb, &khb);
    memcpy(keyb, k, klb);
    store_batch_free(b);

    /* by its own reference: the same series */
    write_by_ref(s, "ra", key, kl, kh, &ra, T0 + 1 * ST_NS_PER_S, 2, &got);
    CHECK(same_ref(&got, &ra));
    /* by another series' reference (a caller's mix-up): caught by the hash */
    write_by_ref(s, "ra", key, kl, kh, &rb, T0 + 2 * ST_NS_PER_S, 3, &got);
    CHECK(same_ref(&got, &ra));
    /* garbage: an id past the end, a shard past the end */
    store_series_ref bad = ra;
    bad.id += 1000000;
    write_by_ref(s, "ra", key, kl, kh, &bad, T0 + 3 * ST_NS_PER_S, 4, &got);
    CHECK(same_ref(&got, &ra));
    bad = ra;
    bad.shard = 1000;
    write_by_ref(s, "ra", key, kl, kh, &bad, T0 + 4 * ST_NS_PER_S, 5, &got);
    CHECK(same_ref(&got, &ra));
    /* none */
    write_by_ref(s, "ra", key, kl, kh, &none, T0 + 5 * ST_NS_PER_S, 6, &got);
    CHECK(same_ref(&got, &ra));
    codec_samples out = {0};
    CHECK_EQ_INT(read_series(s, "ra", "ref_m", "a", INT64_MIN, INT64_MAX, &out), 1);
    CHECK_EQ_INT(out.n, 6);
    CHECK_EQ_INT(read_series(s, "ra", "ref_m", "b", INT64_MIN, INT64_MAX, &out), 1);
    CHECK_EQ_INT(out.n, 1);

    /* foreign: ra's reference used for database rb creates rb's own series */
    store_series_ref in_rb;
    write_by_ref(s, "rb", key, kl, kh, &ra, T0, 7, &in_rb);
    CHECK(in_rb.epoch != 0 && in_rb.epoch != ra.epoch);
    CHECK_EQ_INT(read_series(s, "rb", "ref_m", "a", INT64_MIN, INT64_MAX, &out), 1);
    CHECK_EQ_INT(out.n, 1);
    CHECK(out.n == 1 && out.vals[0] == fbits(7));
    CHECK_EQ_INT(read_series(s, "ra", "ref_m", "a", INT64_MIN, INT64_MAX, &out), 1);
    CHECK_EQ_INT(out.n, 6);

    /* stale: the series leaves memory (flush, then the empty series is
     * removed); the old reference falls back to the key and a new series */
    CHECK_OK(store_flush_all(s, NULL));
    CHECK_OK(store_maintain(s, st_now_ns(), NULL));
    write_by_ref(s, "ra", key, kl, kh, &ra, T0 + 10 * ST_NS_PER_S, 8, &got);
    CHECK(got.epoch == ra.epoch);
    store_series_ref ra2 = got;
    CHECK(!same_ref(&ra2, &ra)); /* it was removed: a new id */
    CHECK_EQ_INT(read_series(s, "ra", "ref_m", "a", INT64_MIN, INT64_MAX, &out), 1);
    CHECK_EQ_INT(out.n, 7);
    /* and the new reference works, also for b which got none */
    write_by_ref(s, "ra", key, kl, kh, &ra2, T0 + 11 * ST_NS_PER_S, 9, &got);
    CHECK(same_ref(&got, &ra2));
    write_by_ref(s, "ra", keyb, klb, khb, &rb, T0 + 11 * ST_NS_PER_S, 9, &got);
    CHECK(got.epoch == rb.epoch);

    /* dropped and re-created: the old epoch is refused */
    CHECK_OK(store_db_drop(s, "rb", NULL));
    CHECK_OK(store_db_create(s, "rb", -1, -1, NULL));
    write_by_ref(s, "rb", key, kl, kh, &in_rb, T0, 10, &got);
    CHECK(got.epoch != 0 && got.epoch != in_rb.epoch);
    CHECK_EQ_INT(read_series(s, "rb", "ref_m", "a", INT64_MIN, INT64_MAX, &out), 1);
    CHECK(out.n == 1 && out.vals[0] == fbits(10));

    /* everything written by reference replays */
    CHECK_OK(store_close(s, NULL));
    s = open_store(g_dir, 2LL * 3600 * ST_NS_PER_S);
    if (!s) { CHECK(0); codec_samples_free(&out); return; }
    CHECK_EQ_INT(read_series(s, "ra", "ref_m", "a", INT64_MIN, INT64_MAX, &out), 1);
    CHECK_EQ_INT(out.n, 8);
    bool ok = out.n == 8;
    for (size_t i = 1; ok && i < out.n; i++) ok = out.ts[i] > out.ts[i - 1];
    CHECK(ok);
    CHECK_EQ_INT(read_series(s, "ra", "ref_m", "b", INT64_MIN, INT64_MAX, &out), 1);
    CHECK_EQ_INT(out.n, 2);
    CHECK_EQ_INT(read_series(s, "rb", "ref_m", "a", INT64_MIN, INT64_MAX, &out), 1);
    CHECK_EQ_INT(out.n, 1);
    /* a reference from before the restart is from another head */
    write_by_ref(s, "ra", key, kl, kh, &ra2, T0 + 12 * ST_NS_PER_S, 11, &got);
    CHECK(got.epoch != 0 && got.epoch != ra2.epoch);
    CHECK_EQ_INT(read_series(s, "ra", "ref_m", "a", INT64_MIN, INT64_MAX, &out), 1);
    CHECK_EQ_INT(out.n, 9);
    codec_samples_free(&out);
    CHECK_OK(store_close(s, NULL));
}

int main(void)
{
    T0 = (st_now_ns() / ST_NS_PER_S - 3600) * ST_NS_PER_S;
    g_dir = testlib_tmpdir("store");
    RUN(test_write_read);
    RUN(test_out_of_order_and_duplicates);
    RUN(test_types_and_conflicts);
    RUN(test_limits_and_ranges);
    RUN(test_retention_and_memory_window);
    RUN(test_delete);
    RUN(test_delete_series);
    RUN(test_databases_persist);
    RUN(test_flush_truncates_wal);
    RUN(test_flush_failure_and_damaged_block);
    RUN(test_big_checkpoint);
    RUN(test_checkpoint_threshold);
    RUN(test_continuous_queries);
    RUN(test_objects);
    RUN(test_series_refs);
    testlib_rmrf(g_dir);
    return testlib_done("test_store");
}
