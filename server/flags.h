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
    uint64_t wal_checkpoint_bytes; /* 0 = the store's default */
    uint64_t max_series;
    uint64_t max_head_bytes;
    unsigned shards;
    unsigned http_threads;
    unsigned http_timeout_s;
    unsigned http_max_connections;
    /* HTTPS (tls.h): both files, or neither (plain HTTP) */
    const char *tls_cert_file;      /* PEM: the server's certificate, then its chain */
    const char *tls_key_file;       /* PEM: its private key, unencrypted */
    const char *tls_min_version;    /* "1.2" or "1.3" */
    const char *tls_priorities;     /* GnuTLS priority string; NULL = AEAD ciphers only */
    const char *tls_client_ca_file; /* PEM CAs: clients must present a certificate they sign */
    /* the PostgreSQL front (pgwire.h) */
    char pg_listen[256];            /* "HOST:PORT"; empty = off */
    bool pg_listen_given;           /* on the command line: failing to listen is then fatal */
    unsigned pg_max_connections;    /* sessions at once */
    unsigned pg_idle_timeout_s;     /* a session silent this long is closed */
    uint64_t max_body_bytes;
    uint64_t max_decoded_bytes;
    /* remote_write limits: a series over one is rejected (400, named) */
    unsigned max_labels_per_series;
    unsigned max_label_name_len;
    unsigned max_label_value_len;
    uint64_t max_series_per_request; /* whole request 413 above; 0 = unlimited */
    uint64_t remote_write_cache_bytes; /* series cache share of memory (prw.h) */
    uint64_t line_protocol_cache_bytes; /* (influx.h) */
    /* remote_read limits (Prometheus's --storage.remote.read-* defaults) */
    uint64_t remote_read_sample_limit;  /* per read, all queries; 0 = unlimited */
    uint64_t remote_read_frame_bytes;   /* target size of a streamed frame */
    unsigned remote_read_concurrency;   /* concurrent reads; more wait; 0 = unlimited */
    /* queries (PromQL and the readers after it) */
    int64_t query_timeout;          /* ns; 0 = none */
    uint64_t query_max_samples;     /* samples one query may load; 0 = unlimited */
    uint64_t influxql_max_points;   /* points or buckets one InfluxQL SELECT holds at most */
    uint64_t sql_max_rows;          /* rows one SQL sort, aggregation, join or DISTINCT holds; 0 = none */
    uint64_t sql_max_result_rows;   /* rows one SQL answer may have; 0 = none */
    unsigned timestream_max_queries; /* Timestream queries open for paging at once */
    uint64_t timestream_cache_bytes;  /* WriteRecords' series keys remembered */
    int64_t query_lookback_delta;   /* ns: how far an instant selector looks back */
    int64_t query_subquery_step;    /* ns: resolution of a subquery without a step */
    unsigned query_threads;         /* threads one query may use; 0 = cores */
    int64_t maintenance_interval;
    bool auto_create_db;
    /* encryption at rest (engine/crypto.h, sealfs.h) */
    const char *encryption_key_file; /* master keys: "ID BASE64" lines, the first active; NULL = off */
    uint64_t encryption_cache_bytes; /* decrypted block segments kept for readers */
    /* users and grants (auth.h) */
    bool auth;                      /* --auth true: every request but health checks needs credentials */
    bool auth_off_given;            /* --auth=false given: serving a non-loopback address open is wanted */
    const char *admin_user;         /* created as admin at start when missing, never overwritten */
    const char *admin_password_file; /* its password, plain or a bcrypt hash */
    uint64_t auth_cache_size;       /* verified credentials remembered */
    unsigned auth_max_failures;     /* failed logins a minute from one address before 429s; 0 = off */
    unsigned auth_hash_concurrency; /* bcrypt checks at once; 0 = half the cores */
    int log_level; /* 0 debug, 1 info, 2 warn, 3 error */
    store_db_override *overrides;
    size_t noverrides;
} flags;

/* Parses argv. On --help prints usage and returns 1; on --version 2; on an
 * error fills e and returns ST_EINVAL. */
int flags_parse(flags *f, int argc, char **argv, st_err *e);
void flags_usage(FILE *out);
void flags_free(flags *f);
/* Whether a listen host is a loopback address (127.0.0.0/8, ::1,
 * localhost); an empty host or another name is not. */
bool flags_loopback(const char *host);
/* Whether --pg-listen is off or on a loopback address; host gets its host. */
bool flags_pg_loopback(const flags *f, char host[256]);

#endif
