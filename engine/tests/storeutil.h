/* storeutil: a store for tests that read through the query layer: in a
 * subdirectory of the test's directory, nothing flushed or dropped by
 * itself (no maintenance, a day of memory, no retention), four shards,
 * quiet unless STRATA_TEST_VERBOSE is set. */
#ifndef ST_TEST_STOREUTIL_H
#define ST_TEST_STOREUTIL_H

#include <stdio.h>
#include <stdlib.h>

#include "store.h"

static inline void test_store_log(void *ctx, const char *level, const char *msg)
{
    (void)ctx;
    if (getenv("STRATA_TEST_VERBOSE")) fprintf(stderr, "[%s] %s\n", level, msg);
}

/* NULL (the error printed) when the store cannot open. */
static inline store *test_store_open(const char *parent, const char *sub)
{
    static char dirs[8][4096]; /* data_dir must outlive the store */
    static int next;
    char *dir = dirs[next++ % 8];
    snprintf(dir, sizeof dirs[0], "%s/%s", parent, sub);
    store_opts o;
    store_opts_default(&o);
    o.data_dir = dir;
    o.maintenance_interval = 0;
    o.memory_window = 24LL * 3600 * ST_NS_PER_S;
    o.retention = 0;
    o.nshards = 4;
    o.log = test_store_log;
    store *s = NULL;
    st_err e = {0};
    if (store_open(&o, &s, &e)) fprintf(stderr, "store_open: %s\n", e.msg);
    return s;
}

#endif
