/* flags: the command line. Every limit and knob Strata has is a flag here,
 * documented in --help; defaults are what a production user should get
 * without thinking. */
#ifndef ST_FLAGS_H
#define ST_FLAGS_H

#include <stdio.h>

#include "store.h"

typedef struct flags {
    char listen_host[256];
    int listen_port;
    const char *data_dir;
    int64_t retention;
    int64_t memory_window;
    int64_t block_duration;
    int64_t future_limit;
    int64_t wal_fsync_interval; /* 0 = always */
    uint64_t max_series;
    uint64_t max_head_bytes;
    unsigned shards;
    unsigned http_threads;
    unsigned http_timeout_s;
    unsigned http_max_connections;
    uint64_t max_body_bytes;
    uint64_t max_decoded_bytes;
    int64_t maintenance_interval;
    bool auto_create_db;
    int log_level; /* 0 debug, 1 info, 2 warn, 3 error */
    store_db_override *overrides;
    size_t noverrides;
} flags;

/* Parses argv. On --help prints usage and returns 1; on --version 2; on an
 * error fills e and returns ST_EINVAL. */
int flags_parse(flags *f, int argc, char **argv, st_err *e);
void flags_usage(FILE *out);
void flags_free(flags *f);

#endif
