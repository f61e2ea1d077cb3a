/* cq: the continuous-query runner (see cq.h). */
#include "cq.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "api.h"
#include "influxql/influxql.h"
#include "influxquery.h"

typedef struct cqent {
    char db[65];
    char name[256];
    st_arena *a;          /* the parsed statement's */
    const iql_stmt *sel;  /* the SELECT ... INTO */
    int64_t interval, offset, every, window;
    int64_t last;         /* the run time it last ran for; INT64_MIN before its first */
} cqent;

static pthread_t g_thread;
static pthread_mutex_t g_mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t g_cv = PTHREAD_COND_INITIALIZER;
static bool g_running, g_stop;
static store *g_store;
static _Atomic uint64_t g_queries, g_runs, g_failures, g_points, g_run_ns;

void cq_get_stats(cq_stats *out)
{
    out->queries = atomic_load(&g_queries);
    out->runs = atomic_load(&g_runs);
    out->failures = atomic_load(&g_failures);
    out->points = atomic_load(&g_points);
    out->run_ns = atomic_load(&g_run_ns);
}

static int64_t floor_to(int64_t t, int64_t step, int64_t offset)
{
    int64_t x = t - offset, q = x / step;
    if (x % step && x < 0) q--;
    return q * step + offset;
}

static void entries_free(cqent *v, size_t n)
{
    for (size_t i = 0; i < n; i++) st_arena_free(v[i].a);
    st_free(v);
}

/* The queries of the catalog, parsed; a run time kept for those still there. */
static cqent *load(cqent *old, size_t nold, size_t *n)
{
    store_cq *q;
    size_t nq;
    store_cq_list(g_store, &q, &nq, NULL);
    cqent *v = st_calloc(nq ? nq : 1, sizeof *v);
    size_t k = 0;
    for (size_t i = 0; i < nq; i++) {
        cqent *x = &v[k];
        x->a = st_arena_new(4096);
        /* the parsed statement points into its text: the text lives in the arena too */
        size_t tl = strlen(q[i].text);
        char *text = st_arena_strndup(x->a, q[i].text, tl);
        iql_stmt *st;
        size_t ns;
        st_err e = {0};
        if (iql_parse(text, tl, x->a, &st, &ns, &e) || ns != 1 || st->kind != IQL_CREATE_CQ ||
            influx_cq_check(st->cq, &e)) {
            char msg[600];
            snprintf(msg, sizeof msg, "continuous query %.100s on %s cannot run: %.300s", q[i].name, q[i].db, e.msg);
            api_log(NULL, "error", msg);
            st_arena_free(x->a);
            continue;
        }
        snprintf(x->db, sizeof x->db, "%s", q[i].db);
        snprintf(x->name, sizeof x->name, "%s", q[i].name);
        x->sel = st->cq;
        for (size_t d = 0; d < st->cq->sel->ndims; d++)
            if (st->cq->sel->dims[d].kind == IQL_DIM_TIME && st->cq->sel->dims[d].interval > 0) {
                x->interval = st->cq->sel->dims[d].interval;
                x->offset = st->cq->sel->dims[d].offset % x->interval;
            }
        x->every = st->cq_every > 0 ? st->cq_every : x->interval;
        x->window = st->cq_for > 0 ? st->cq_for : x->interval;
        x->last = INT64_MIN;
        for (size_t j = 0; j < nold; j++)
            if (!strcmp(old[j].db, x->db) && !strcmp(old[j].name, x->name)) x->last = old[j].last;
        k++;
    }
    store_cq_list_free(q, nq);
    atomic_store(&g_queries, k);
    *n = k;
    return v;
}

static void run_one(cqent *x, int64_t at)
{
    int64_t end = floor_to(at, x->interval, x->offset);
    int64_t start = floor_to(at - x->window, x->interval, x->offset);
    if (start >= end) start = end - x->interval;
    uint64_t written = 0;
    st_err e = {0};
    int64_t t0 = st_mono_ns();
    int rc = influx_cq_run(g_store, x->db, x->sel, start, end - 1, &written, &e);
    atomic_fetch_add(&g_run_ns, (uint64_t)(st_mono_ns() - t0));
    atomic_fetch_add(&g_runs, 1);
    atomic_fetch_add(&g_points, written);
    if (rc) {
        atomic_fetch_add(&g_failures, 1);
        char msg[700];
        snprintf(msg, sizeof msg, "continuous query %.100s on %s failed: %.300s", x->name, x->db, e.msg);
        api_log(NULL, "error", msg);
    }
}

static void *runner(void *arg)
{
    (void)arg;
    cqent *v = NULL;
    size_t n = 0;
    uint64_t gen = UINT64_MAX;
    pthread_mutex_lock(&g_mu);
    while (!g_stop) {
        pthread_mutex_unlock(&g_mu);
        uint64_t now_gen;
        store_cq *tmp;
        size_t ntmp;
        store_cq_list(g_store, &tmp, &ntmp, &now_gen);
        store_cq_list_free(tmp, ntmp);
        if (now_gen != gen) {
            size_t nn;
            cqent *nv = load(v, n, &nn);
            entries_free(v, n);
            v = nv;
            n = nn;
            gen = now_gen;
        }
        int64_t now = st_now_ns();
        for (size_t i = 0; i < n; i++) {
            int64_t due = floor_to(now, v[i].every, 0);
            if (v[i].last != INT64_MIN && due <= v[i].last) continue;
            v[i].last = due;
            run_one(&v[i], now);
        }
        pthread_mutex_lock(&g_mu);
        if (g_stop) break;
        /* next second (runs are due on whole intervals) */
        struct timespec ts;
        clock_gettime(CLOCK_REALTIME, &ts);
        ts.tv_sec += 1;
        ts.tv_nsec = 0;
        pthread_cond_timedwait(&g_cv, &g_mu, &ts);
    }
    pthread_mutex_unlock(&g_mu);
    entries_free(v, n);
    return NULL;
}

int cq_start(store *s, st_err *e)
{
    pthread_mutex_lock(&g_mu);
    g_store = s;
    g_stop = false;
    int rc = pthread_create(&g_thread, NULL, runner, NULL);
    g_running = rc == 0;
    pthread_mutex_unlock(&g_mu);
    return rc ? st_fail(e, ST_EIO, "starting the continuous-query thread: %s", strerror(rc)) : 0;
}

void cq_stop(void)
{
    pthread_mutex_lock(&g_mu);
    bool running = g_running;
    g_stop = true;
    g_running = false;
    pthread_cond_broadcast(&g_cv);
    pthread_mutex_unlock(&g_mu);
    if (running) pthread_join(g_thread, NULL);
}
