/* test_concurrency: writers, readers and maintenance at once.
 *
 * Two writer threads append to many series (some shared between them),
 * two reader threads query continuously and check every answer is sorted
 * and duplicate-free, and the main thread flushes, compacts and checkpoints
 * in between. At the end every written sample must be readable. Built with
 * ThreadSanitizer by `make tsan`; here it runs with the normal build. */
#include <pthread.h>
#include <stdatomic.h>
#include <string.h>

#include "labels.h"
#include "samples.h"
#include "store.h"
#include "scanutil.h"
#include "testlib.h"

#define WRITERS 2
#define READERS 2
#define SERIES 200
#define ROUNDS 60
#define PER_ROUND 5

static store *g_s;
static int64_t T0;
static _Atomic bool g_stop;
static _Atomic int g_bad_reads;
static _Atomic long g_reads;

static void quiet(void *ctx, const char *level, const char *msg)
{
    (void)ctx;
    (void)level;
    (void)msg;
}

static void *writer(void *arg)
{
    int id = (int)(intptr_t)arg;
    store_batch *b = store_batch_new();
    for (int r = 0; r < ROUNDS; r++) {
        store_batch_reset(b);
        for (int s = 0; s < SERIES; s++) {
            char sv[16], wv[16];
            snprintf(sv, sizeof sv, "s%d", s);
            /* half the series are written by both writers (at distinct times) */
            snprintf(wv, sizeof wv, "w%d", s < SERIES / 2 ? 0 : id);
            label ls[3] = {{st_slice_cstr("__name__"), st_slice_cstr("conc")},
                           {st_slice_cstr("s"), st_slice_cstr(sv)},
                           {st_slice_cstr("w"), st_slice_cstr(wv)}};
            uint32_t h;
            series_meta m = {ST_VT_INT, 4};
            store_batch_series(b, ls, 3, m, &h, NULL);
            for (int j = 0; j < PER_ROUND; j++) {
                int64_t t = T0 + ((int64_t)(r * PER_ROUND + j) * WRITERS + id) * ST_NS_PER_MS;
                store_batch_add(b, h, t, (uint64_t)t);
            }
        }
        store_write_result res;
        st_err e;
        if (store_write(g_s, "default", b, &res, &e) != 0) {
            fprintf(stderr, "writer %d: %s\n", id, e.msg);
            atomic_fetch_add(&g_bad_reads, 1000);
        }
    }
    store_batch_free(b);
    return NULL;
}

static void *reader(void *arg)
{
    (void)arg;
    matcher *m;
    matcher_new(MATCH_EQ, st_slice_cstr("__name__"), st_slice_cstr("conc"), &m, NULL);
    codec_samples out = {0};
    while (!atomic_load(&g_stop)) {
        tscan q;
        if (tscan_open(g_s, "default", &m, 1, INT64_MIN, INT64_MAX, &q, NULL)) {
            tscan_close(&q);
            continue;
        }
        const uint8_t *k;
        size_t kl;
        series_meta meta;
        while (tscan_next(&q, &k, &kl, &meta, &out, NULL) == 1) {
            for (size_t i = 0; i < out.n; i++) {
                if ((i && out.ts[i] <= out.ts[i - 1]) || out.vals[i] != (uint64_t)out.ts[i])
                    atomic_fetch_add(&g_bad_reads, 1);
            }
        }
        tscan_close(&q);
        atomic_fetch_add(&g_reads, 1);
    }
    codec_samples_free(&out);
    matcher_free(m);
    return NULL;
}

static void test_concurrent(void)
{
    char *dir = testlib_tmpdir("conc");
    store_opts o;
    store_opts_default(&o);
    o.data_dir = dir;
    o.maintenance_interval = 0;
    o.retention = 0;
    o.wal_fsync_interval = 50 * ST_NS_PER_MS;
    o.log = quiet;
    CHECK_OK(store_open(&o, &g_s, NULL));
    if (!g_s) return;
    pthread_t w[WRITERS], r[READERS];
    for (int i = 0; i < READERS; i++) pthread_create(&r[i], NULL, reader, NULL);
    for (int i = 0; i < WRITERS; i++) pthread_create(&w[i], NULL, writer, (void *)(intptr_t)i);
    for (int k = 0; k < 5; k++) {
        struct timespec ts = {0, 20 * 1000 * 1000};
        nanosleep(&ts, NULL);
        st_err e;
        if (store_flush_all(g_s, &e)) fprintf(stderr, "flush: %s\n", e.msg);
    }
    for (int i = 0; i < WRITERS; i++) pthread_join(w[i], NULL);
    atomic_store(&g_stop, true);
    for (int i = 0; i < READERS; i++) pthread_join(r[i], NULL);
    CHECK_EQ_INT(atomic_load(&g_bad_reads), 0);
    CHECK(atomic_load(&g_reads) > 0);
    /* everything is there, in blocks and head alike */
    CHECK_OK(store_flush_all(g_s, NULL));
    tscan q;
    matcher *m;
    matcher_new(MATCH_EQ, st_slice_cstr("__name__"), st_slice_cstr("conc"), &m, NULL);
    CHECK_OK(tscan_open(g_s, "default", &m, 1, INT64_MIN, INT64_MAX, &q, NULL));
    const uint8_t *k;
    size_t kl, total = 0, nseries = 0;
    series_meta meta;
    codec_samples out = {0};
    while (tscan_next(&q, &k, &kl, &meta, &out, NULL) == 1) {
        total += out.n;
        nseries++;
    }
    tscan_close(&q);
    matcher_free(m);
    codec_samples_free(&out);
    CHECK_EQ_INT(nseries, SERIES / 2 + (SERIES / 2) * WRITERS);
    CHECK_EQ_INT(total, (size_t)WRITERS * SERIES * ROUNDS * PER_ROUND);
    printf("concurrency: %ld reads during writes, %zu samples checked\n", atomic_load(&g_reads), total);
    CHECK_OK(store_close(g_s, NULL));
    testlib_rmrf(dir);
    free(dir);
}

int main(void)
{
    T0 = (st_now_ns() / ST_NS_PER_S - 3600) * ST_NS_PER_S;
    RUN(test_concurrent);
    return testlib_done("test_concurrency");
}
