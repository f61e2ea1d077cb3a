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
