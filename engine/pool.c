/* pool: lent threads (pool.h). Each thread has its own slot with its own
 * condition variable: lending wakes exactly the thread chosen, and an idle
 * thread waits on nothing shared. */
#include "pool.h"

#include <pthread.h>

typedef struct worker {
    pthread_t th;
    pthread_cond_t cv;
    void (*fn)(void *arg);
    void *arg;
    bool busy;
    struct pool *p;
} worker;

struct pool {
    pthread_mutex_t mu;
    worker *w;
    unsigned n; /* threads started: fewer than asked if one failed to */
    bool stopping;
};

static void *run(void *arg)
{
    worker *w = arg;
    pool *p = w->p;
    pthread_mutex_lock(&p->mu);
    for (;;) {
        while (!w->busy && !p->stopping) pthread_cond_wait(&w->cv, &p->mu);
        if (!w->busy) break; /* stopping, nothing to do */
        void (*fn)(void *) = w->fn;
        void *a = w->arg;
        pthread_mutex_unlock(&p->mu);
        fn(a);
        pthread_mutex_lock(&p->mu);
        w->busy = false;
    }
    pthread_mutex_unlock(&p->mu);
    return NULL;
}

pool *pool_new(unsigned n)
{
    pool *p = st_calloc(1, sizeof *p);
    pthread_mutex_init(&p->mu, NULL);
    p->w = st_calloc(n ? n : 1, sizeof *p->w);
    for (unsigned i = 0; i < n; i++) {
        worker *w = &p->w[i];
        w->p = p;
        pthread_cond_init(&w->cv, NULL);
        if (pthread_create(&w->th, NULL, run, w) != 0) {
            pthread_cond_destroy(&w->cv);
            break;
        }
        p->n++;
    }
    return p;
}

void pool_free(pool *p)
{
    if (!p) return;
    pthread_mutex_lock(&p->mu);
    p->stopping = true;
    for (unsigned i = 0; i < p->n; i++) pthread_cond_signal(&p->w[i].cv);
    pthread_mutex_unlock(&p->mu);
    for (unsigned i = 0; i < p->n; i++) pthread_join(p->w[i].th, NULL);
    for (unsigned i = 0; i < p->n; i++) pthread_cond_destroy(&p->w[i].cv);
    pthread_mutex_destroy(&p->mu);
    st_free(p->w);
    st_free(p);
}

bool pool_lend(pool *p, void (*fn)(void *arg), void *arg)
{
    if (!p) return false;
    bool lent = false;
    pthread_mutex_lock(&p->mu);
    for (unsigned i = 0; i < p->n && !lent && !p->stopping; i++) {
        worker *w = &p->w[i];
        if (w->busy) continue;
        w->fn = fn;
        w->arg = arg;
        w->busy = true;
        pthread_cond_signal(&w->cv);
        lent = true;
    }
    pthread_mutex_unlock(&p->mu);
    return lent;
}

/* ---------------------------------------------------------------- pieces */

typedef struct pieces {
    const pool_pieces *pp;
    pthread_mutex_t mu;
    pthread_cond_t cv;
    size_t next_work, next_take;
    bool *ready;       /* per slot */
    bool stop;
    int rc;
    st_err e;
    unsigned helpers;  /* lent and not yet returned */
} pieces;

static void pieces_fail(pieces *x, int rc, const st_err *e)
{
    if (!x->rc) {
        x->rc = rc;
        x->e = *e;
    }
    x->stop = true;
}

/* The caller takes pieces in order and works when nothing is ready to
 * take; helpers only work. */
static void pieces_loop(pieces *x, bool caller)
{
    const pool_pieces *pp = x->pp;
    st_err e = {0};
    pthread_mutex_lock(&x->mu);
    while (!x->stop) {
        size_t ts = x->next_take % pp->nslots;
        if (caller && x->next_take < pp->npieces && x->ready[ts]) {
            size_t k = x->next_take;
            pthread_mutex_unlock(&x->mu);
            int rc = pp->take(pp->ctx, pp->slots[ts], k, &e);
            pthread_mutex_lock(&x->mu);
            if (rc) pieces_fail(x, rc, &e);
            x->ready[ts] = false;
            x->next_take++;
            pthread_cond_broadcast(&x->cv);
            continue;
        }
        if (x->next_work < pp->npieces && x->next_work < x->next_take + pp->nslots) {
            size_t k = x->next_work++;
            pthread_mutex_unlock(&x->mu);
            int rc = pp->work(pp->ctx, pp->slots[k % pp->nslots], k, &e);
            pthread_mutex_lock(&x->mu);
            if (rc) pieces_fail(x, rc, &e);
            else x->ready[k % pp->nslots] = true;
            pthread_cond_broadcast(&x->cv);
            continue;
        }
        if (caller ? x->next_take >= pp->npieces : x->next_work >= pp->npieces) break;
        pthread_cond_wait(&x->cv, &x->mu);
    }
    pthread_mutex_unlock(&x->mu);
}

static void pieces_helper(void *arg)
{
    pieces *x = arg;
    pieces_loop(x, false);
    pthread_mutex_lock(&x->mu);
    x->helpers--;
    pthread_cond_broadcast(&x->cv);
    pthread_mutex_unlock(&x->mu);
}

int pool_run_pieces(const pool_pieces *pp, st_err *e)
{
    if (!pp->npieces) return 0;
    if (!pp->pool || pp->threads < 2 || pp->nslots < 2 || pp->npieces < 2) {
        for (size_t k = 0; k < pp->npieces; k++) {
            int rc = pp->work(pp->ctx, pp->slots[0], k, e);
            if (!rc) rc = pp->take(pp->ctx, pp->slots[0], k, e);
            if (rc) return rc;
        }
        return 0;
    }
    pieces x = {.pp = pp};
    x.ready = st_calloc(pp->nslots, sizeof *x.ready);
    pthread_mutex_init(&x.mu, NULL);
    pthread_cond_init(&x.cv, NULL);
    for (unsigned i = 1; i < pp->threads && i < pp->npieces; i++) {
        /* counted before lending: a helper may finish before pool_lend returns */
        pthread_mutex_lock(&x.mu);
        x.helpers++;
        pthread_mutex_unlock(&x.mu);
        if (!pool_lend(pp->pool, pieces_helper, &x)) {
            pthread_mutex_lock(&x.mu);
            x.helpers--;
            pthread_mutex_unlock(&x.mu);
            break;
        }
    }
    pieces_loop(&x, true);
    pthread_mutex_lock(&x.mu);
    while (x.helpers) pthread_cond_wait(&x.cv, &x.mu);
    pthread_mutex_unlock(&x.mu);
    int rc = x.rc;
    if (rc && e) *e = x.e;
    st_free(x.ready);
    pthread_mutex_destroy(&x.mu);
    pthread_cond_destroy(&x.cv);
    return rc;
}
