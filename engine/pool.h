/* pool: a fixed set of threads that lend a hand to work that can use one.
 *
 * A query evaluates series on its own thread and asks the pool for helpers
 * (pool_lend): a helper is given only if one is idle at that moment, and it
 * starts at once, so work never waits in a queue behind other queries and
 * concurrent queries share the cores instead of oversubscribing them. The
 * caller knows a lent helper has finished when fn returns (it counts them
 * itself). Threads are made once, at pool_new: a query creates none.
 *
 * Thread-safety: every function may be called from any thread.
 */
#ifndef ST_POOL_H
#define ST_POOL_H

#include "st.h"

typedef struct pool pool;

/* n threads (0 = none: pool_lend always says no). */
pool *pool_new(unsigned n);
/* Waits for running work, then stops the threads. */
void pool_free(pool *p);
/* Runs fn(arg) on an idle pool thread: true when one took it (fn is then
 * running or about to), false when all are busy. */
bool pool_lend(pool *p, void (*fn)(void *arg), void *arg);

/* Work cut into pieces, done on the caller's thread and on whatever
 * helpers the pool lends, and handed back in order: work(ctx, slot, k)
 * does piece k (any thread, no lock held) into slots[k % nslots]; take(ctx,
 * slot, k) consumes it on the caller's thread, pieces 0, 1, 2, ... At most
 * nslots pieces are done ahead of the one taken next. The first failure
 * (of work or take) stops the rest and is returned with its message;
 * pieces already started finish first. With no pool, one thread or one
 * slot, each piece is done and taken in turn on the caller's thread. */
typedef struct pool_pieces {
    pool *pool;
    unsigned threads;  /* the caller included */
    size_t npieces;
    void **slots;
    size_t nslots;
    void *ctx;
    int (*work)(void *ctx, void *slot, size_t k, st_err *e);
    int (*take)(void *ctx, void *slot, size_t k, st_err *e);
} pool_pieces;

int pool_run_pieces(const pool_pieces *pp, st_err *e);

#endif
