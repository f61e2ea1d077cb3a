/* main: start-up and shutdown.
 *
 * Order matters: the store opens (and replays the WAL) before the HTTP
 * server listens, so nothing is served from a half-recovered state; on
 * SIGINT/SIGTERM the server stops accepting, finishes in-flight requests,
 * then the store closes the WAL. A failed fsync (see wal.h) makes the
 * process exit without pretending: replay at the next start recovers.
 */
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "api.h"
#include "auth.h"
#include "cq.h"
#include "timestream.h"
#include "pool.h"
#include "flags.h"
#include "influx.h"
#include "pgwire.h"
#include "prw.h"
#include "http.h"
#include "store.h"
#include "tls.h"
#include "users.h"
#include "crypto.h"
#include "sealfs.h"
#include "vfs.h"

static uint64_t physical_memory(void)
{
    long pages = sysconf(_SC_PHYS_PAGES), size = sysconf(_SC_PAGESIZE);
    return pages > 0 && size > 0 ? (uint64_t)pages * (uint64_t)size : 0;
}

static void http_log(const char *msg) { api_log(NULL, "warn", msg); }

/* --encryption-key-file: the keys, and the encrypting vfs every file of
 * the data directory goes through. Without the flag, a data directory that
 * holds seeds (so encrypted files) is refused: nothing in it could be read. */
static int open_encryption(const flags *f, crypto **keys, vfs **sealed, st_err *e)
{
    *keys = NULL;
    *sealed = NULL;
    if (!f->encryption_key_file) {
        if (crypto_dir_has_seeds(vfs_posix(), f->data_dir))
            return st_fail(e, ST_EINVAL, "%s holds encrypted data (keys/): give --encryption-key-file", f->data_dir);
        return 0;
    }
    int rc = crypto_open(vfs_posix(), f->data_dir, f->encryption_key_file, keys, e);
    if (!rc) rc = sealfs_new(vfs_posix(), *keys, f->data_dir, (size_t)f->encryption_cache_bytes, sealed, e);
    if (rc) {
        crypto_close(*keys);
        *keys = NULL;
    }
    return rc;
}

int main(int argc, char **argv)
{
    flags f;
    st_err e = {0};
    int rc = flags_parse(&f, argc, argv, &e);
    if (rc == 1 || rc == 2) return 0;
    if (rc) {
        fprintf(stderr, "strata: %s\n", e.msg);
        return 2;
    }
    api_set_log_level(f.log_level);

    /* Signals are taken by sigwait in this thread only. */
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGTERM);
    sigaddset(&set, SIGHUP); /* reloads the TLS certificate */
    pthread_sigmask(SIG_BLOCK, &set, NULL);
    signal(SIGPIPE, SIG_IGN);

    /* One vfs for everything in the data directory: the store's files, the
     * users file and remote_read's spill files (reached via store_vfs), so
     * that a wrapping vfs (encryption at rest) sees every file. */
    /* a block read through an encrypting vfs holds a descriptor for its
     * life (no mapping): let the process have as many as the system allows */
    struct rlimit nofile;
    if (getrlimit(RLIMIT_NOFILE, &nofile) == 0 && nofile.rlim_cur < nofile.rlim_max) {
        nofile.rlim_cur = nofile.rlim_max;
        setrlimit(RLIMIT_NOFILE, &nofile);
    }
    crypto *keys;
    vfs *sealed;
    if (open_encryption(&f, &keys, &sealed, &e)) {
        fprintf(stderr, "strata: %s\n", e.msg);
        return 1;
    }
    const vfs *fs = sealed ? sealed : vfs_posix();
    store_opts so;
    store_opts_default(&so);
    so.vfs = fs;
    so.keys = keys;
    so.reseal_catalog = keys && crypto_fresh(keys); /* read in the clear this once, written sealed */
    so.data_dir = f.data_dir;
    so.retention = f.retention;
    so.memory_window = f.memory_window;
    so.block_duration = f.block_duration;
    so.future_limit = f.future_limit;
    so.wal_fsync_interval = f.wal_fsync_interval;
    if (f.wal_checkpoint_bytes) so.wal_checkpoint_bytes = f.wal_checkpoint_bytes;
    so.max_series = f.max_series;
    so.max_head_bytes = f.max_head_bytes ? f.max_head_bytes : physical_memory() / 10 * 6;
    so.nshards = f.shards;
    so.maintenance_interval = f.maintenance_interval;
    so.db_overrides = f.overrides;
    so.ndb_overrides = f.noverrides;
    so.log = api_log;
    store *s;
    rc = store_open(&so, &s, &e);
    if (rc) {
        api_log(NULL, "error", e.msg);
        fprintf(stderr, "strata: cannot open the data directory: %s\n", e.msg);
        sealfs_free(sealed);
        crypto_close(keys);
        return 1;
    }
    long cores = sysconf(_SC_NPROCESSORS_ONLN);
    /* query helpers: a query's own thread plus up to cores - 1 of these */
    unsigned qt = f.query_threads ? f.query_threads : (unsigned)(cores > 0 ? cores : 1);
    f.query_threads = qt; /* resolved once: asking the system costs a file read per query */
    pool *qpool = pool_new(qt > 1 ? qt - 1 : 0);
    users *us = NULL;
    auth *au = NULL;
    auth_opts ao = {.enabled = f.auth, .max_hashes = f.auth_hash_concurrency, .cache_entries = f.auth_cache_size,
                    .max_failures = f.auth_max_failures};
    bool created = false;
    if (users_open(fs, f.data_dir, &us, &e) || auth_new(us, &ao, &au, &e) ||
        (f.admin_user && auth_bootstrap_admin(au, f.admin_user, f.admin_password_file, &created, &e))) {
        fprintf(stderr, "strata: %s\n", e.msg);
        auth_free(au);
        users_close(us);
        pool_free(qpool);
        store_close(s, NULL);
        sealfs_free(sealed);
        crypto_close(keys);
        return 1;
    }
    if (keys && crypto_fresh(keys) && users_count(us) && users_rewrite(us, &e))
        api_log(NULL, "error", e.msg); /* read in the clear this once: kept sealed from now on */
    if (created) {
        char m[200];
        snprintf(m, sizeof m, "created the admin user \"%s\" (--admin-user)", f.admin_user);
        api_log(NULL, "info", m);
    }
    char pg_host[256];
    if (f.auth && !f.tls_cert_file && (!flags_loopback(f.listen_host) || !flags_pg_loopback(&f, pg_host)))
        api_log(NULL, "warn", "--auth true without --tls-cert-file on a non-loopback address: passwords and tokens "
                              "cross the network in the clear");
    if (f.auth && !users_any_admin(us))
        api_log(NULL, "warn", "--auth true and no admin user yet: every request is refused until one is created "
                              "(CREATE USER ... WITH ALL PRIVILEGES over /query from this host, or --admin-user)");
    api_server *sv = api_server_new(s, &f, qpool, au);
    sv->keys = keys;
    sv->sealed = sealed;
    prw_cache_set_limit(f.remote_write_cache_bytes);
    influx_cache_set_limit(f.line_protocol_cache_bytes);
    if (f.tls_cert_file) {
        tls_opts to = {.cert_file = f.tls_cert_file, .key_file = f.tls_key_file, .min_version = f.tls_min_version,
                       .priorities = f.tls_priorities, .client_ca_file = f.tls_client_ca_file};
        if (tls_start(&to, &e)) {
            fprintf(stderr, "strata: %s\n", e.msg);
            api_server_free(sv);
            auth_free(au);
            users_close(us);
            pool_free(qpool);
            store_close(s, NULL);
            sealfs_free(sealed);
            crypto_close(keys);
            return 1;
        }
    }
    http_opts ho = {
        .host = f.listen_host,
        .port = f.listen_port,
        .threads = f.http_threads ? f.http_threads : (unsigned)(cores > 2 ? cores * 2 : 4),
        .timeout_s = f.http_timeout_s,
        .max_connections = f.http_max_connections,
        .max_body = f.max_body_bytes,
        .handler = api_handle,
        .ctx = sv,
        .body_is_data = api_body_is_data,
        .too_large = api_too_large,
        .tls_priorities = f.tls_cert_file ? tls_priorities() : NULL,
        .tls_cert_callback = f.tls_cert_file ? tls_cert_callback() : NULL,
        .tls_client_ca_pem = f.tls_client_ca_file ? tls_client_ca_pem() : NULL,
        .tls_verify_client = f.tls_client_ca_file ? tls_verify_client : NULL,
        .log = http_log,
        .tls_handshake_failed = f.tls_cert_file ? tls_handshake_failed : NULL,
    };
    http_server *hs;
    rc = http_start(&ho, &hs, &e);
    if (rc) {
        fprintf(stderr, "strata: %s\n", e.msg);
        if (f.tls_cert_file) tls_stop();
        api_server_free(sv);
        auth_free(au);
        users_close(us);
        pool_free(qpool);
        store_close(s, NULL);
        sealfs_free(sealed);
        crypto_close(keys);
        return 1;
    }
    /* the PostgreSQL front (--pg-listen; empty = off) */
    pgwire_server *pg = NULL;
    if (f.pg_listen[0]) {
        pgwire_opts po = {.listen = f.pg_listen, .max_connections = f.pg_max_connections,
                          .idle_timeout_s = f.pg_idle_timeout_s, .s = s, .f = &f, .pool = qpool,
                          .tls = f.tls_cert_file != NULL, .auth = au};
        if (pgwire_start(&po, &pg, &e)) {
            if (f.pg_listen_given) {
                fprintf(stderr, "strata: %s\n", e.msg);
                http_quiesce(hs);
                http_stop(hs, 0);
                api_server_free(sv);
                auth_free(au);
                users_close(us);
                pool_free(qpool);
                store_close(s, NULL);
                sealfs_free(sealed);
                crypto_close(keys);
                return 1;
            }
            /* the default address taken (another server on this host):
             * everything else still starts, and the log says why psql
             * cannot connect */
            char m[600];
            snprintf(m, sizeof m, "%s: serving without the PostgreSQL protocol", e.msg);
            api_log(NULL, "warn", m);
            pg = NULL;
        } else {
            char m[300];
            snprintf(m, sizeof m, "PostgreSQL protocol on %s", f.pg_listen);
            api_log(NULL, "info", m);
        }
    }
    if (cq_start(s, &e)) api_log(NULL, "error", e.msg);
    if (ts_sched_start(sv, &e)) api_log(NULL, "error", e.msg);
    atomic_store(&sv->ready, true);
    char msg[512];
    snprintf(msg, sizeof msg, "strata %s listening on %s:%d, data in %s", STRATA_VERSION,
             f.listen_host, f.listen_port, f.data_dir);
    api_log(NULL, "info", msg);

    /* Wait for a signal, waking up to notice a fatal storage error. */
    struct timespec tick = {0, 200 * 1000 * 1000};
    int sig = 0;
    for (;;) {
        sig = sigtimedwait(&set, NULL, &tick);
        if (sig == SIGHUP) {
            if (keys) {
                st_err ke = {0};
                if (crypto_rekey(keys, f.encryption_key_file, &ke)) {
                    char m[sizeof ke.msg + 64];
                    snprintf(m, sizeof m, "SIGHUP: %s; the keys in use stay", ke.msg);
                    api_log(NULL, "error", m);
                } else {
                    api_log(NULL, "info", "SIGHUP: encryption keys read again, every seed wrapped by the first");
                }
            }
            if (f.tls_cert_file) {
                st_err re = {0};
                if (tls_reload(&re)) {
                    char m[sizeof re.msg + 64];
                    snprintf(m, sizeof m, "SIGHUP: %s; the certificate in use stays", re.msg);
                    api_log(NULL, "error", m);
                } else {
                    api_log(NULL, "info", "SIGHUP: TLS certificate reloaded");
                }
            }
            continue;
        }
        if (sig > 0) break;
        if (api_failed(sv)) {
            api_log(NULL, "error", "an fsync of the WAL failed: stopping so that replay recovers "
                                    "a known state at the next start");
            _exit(3);
        }
    }
    snprintf(msg, sizeof msg, "received %s: stopping", sig == SIGINT ? "SIGINT" : "SIGTERM");
    api_log(NULL, "info", msg);
    atomic_store(&sv->ready, false);
    http_quiesce(hs);
    pgwire_stop(pg, 10);
    http_stop(hs, 30);
    cq_stop();
    ts_sched_stop(sv);
    if (f.tls_cert_file) tls_stop();
    api_server_free(sv);
    auth_free(au);
    users_close(us);
    pool_free(qpool);
    rc = store_close(s, &e);
    sealfs_free(sealed);
    crypto_close(keys);
    if (rc) {
        api_log(NULL, "error", e.msg);
        flags_free(&f);
        return 1;
    }
    api_log(NULL, "info", "stopped cleanly");
    flags_free(&f);
    return 0;
}
