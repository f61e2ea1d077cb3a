/* flags: the command line (see flags.h). */
#include <stdio.h>

#include "flags.h"

#include <arpa/inet.h>
#include <inttypes.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>

#define DEF_RETENTION "30d"
#define DEF_MEMWIN "2h"

void flags_usage(FILE *out)
{
    fprintf(out,
        "Strata " STRATA_VERSION " - a time-series database for Prometheus, Telegraf/InfluxDB and SQL\n"
        "\n"
        "usage: strata [flags]\n"
        "\n"
        "  --listen HOST:PORT        address to serve every API on (default 127.0.0.1:9201).\n"
        "                            A non-loopback address needs --auth true, or --auth=false\n"
        "                            to serve it open on purpose.\n"
        "  --data-dir DIR            where the catalog, WAL and blocks live (default ./data)\n"
        "  --retention DUR           keep data this long, 0 = forever (default " DEF_RETENTION ").\n"
        "                            Whole expired blocks are deleted.\n"
        "  --retention-db NAME=DUR   retention of one database (repeatable); stored in the catalog\n"
        "  --memory-window DUR       data newer than now-DUR stays in memory; older data is\n"
        "                            written to compressed blocks (default " DEF_MEMWIN ")\n"
        "  --block-duration DUR      time partition of a block written from memory (default 2h)\n"
        "  --wal-fsync always|DUR    always (default): a write is acknowledged only after an fsync\n"
        "                            covers it - nothing acknowledged is lost, even on power loss.\n"
        "                            DUR (e.g. 1s): fsync every DUR and acknowledge after the\n"
        "                            write() - a power loss or kernel crash can lose up to DUR of\n"
        "                            acknowledged writes (a crash of Strata alone loses nothing).\n"
        "  --wal-checkpoint-size BYTES  rewrite what memory holds as a WAL checkpoint once the WAL\n"
        "                            segments written since the last one pass BYTES: bounds replay\n"
        "                            time after a crash (suffixes K,M,G; default 256M)\n"
        "  --future-limit DUR        reject samples more than DUR ahead of now (default 10m)\n"
        "  --max-series N            active (in-memory) series per database; new series over it\n"
        "                            are refused with 429 (default 0 = unlimited)\n"
        "  --max-head-memory BYTES   memory for in-memory data of all databases (suffixes K,M,G);\n"
        "                            over it writes get 429 until a flush frees memory\n"
        "                            (default 0 = 60%% of physical memory)\n"
        "  --max-body-size BYTES     largest request body accepted, 413 above (default 64M)\n"
        "  --max-decoded-size BYTES  largest body after decompression, 413 above (default 256M)\n"
"  --max-labels-per-series N  remote_write: labels in one series, __name__ included;\n"
        "                            a series with more is rejected with 400 (default 256)\n"
        "  --max-label-name-length N  remote_write: bytes in a label name (default 1024)\n"
        "  --max-label-value-length N remote_write: bytes in a label value (default 16384)\n"
        "  --max-series-per-request N remote_write: series (TimeSeries) in one request; a request\n"
        "                            with more is refused whole with 413 (default 1000000)\n"
        "  --remote-write-cache-size BYTES  remote_write: memory for the series cache (raw labels\n"
        "                            to series), plus up to an eighth more while it rotates (default 128M)\n"
        "  --line-protocol-cache-size BYTES  /write: memory for the series cache (line keys to\n"
        "                            series, ~100 B a series of TSBS's shape) (default 256M)\n"
        "  --remote-read-sample-limit N  remote_read: samples one read may return, all its\n"
        "                            queries together; more answers 400 (default 50000000,\n"
        "                            0 = unlimited)\n"
        "  --remote-read-max-frame-size BYTES  remote_read: target size of one streamed chunk\n"
        "                            frame (default 1M)\n"
        "  --remote-read-concurrency N  remote_read requests served at once, at most half the\n"
        "                            HTTP threads; more wait (default 10, 0 = half the threads)\n"
        "  --query-timeout DUR       a query running longer is stopped: 503 \"timeout\" (default 2m;\n"
        "                            a request's own ?timeout= can only shorten it)\n"
        "  --query-max-samples N     samples one query may load; more: 422 \"execution\"\n"
        "                            (default 50000000, 0 = unlimited)\n"
        "  --influxql-max-points N   points or buckets one InfluxQL SELECT may hold at once;\n"
        "                            more: the statement's error \"max-select-point limit\n"
        "                            exceeded\" or \"max-select-buckets ...\" (default 10000000)\n"
        "  --sql-max-rows N          rows one SQL sort, aggregation, join or DISTINCT may hold\n"
        "                            (and format=pretty, which holds its answer, at most\n"
        "                            100000 anyway); more: 422\n"
        "                            (default 10000000, 0 = unlimited)\n"
        "  --sql-max-result-rows N   rows one SQL answer may have; more: 422, or a streamed\n"
        "                            answer cut short (default 0 = unlimited)\n"
        "  --timestream-cache-size BYTES  WriteRecords: memory for the series keys of the\n"
        "                            records written (about 150 bytes a series; emptied\n"
        "                            when full; default 64M)\n"
        "  --timestream-max-queries N  Timestream queries kept open for paging at once; a\n"
        "                            new one past it closes the least recently used\n"
        "                            (default 64)\n"
        "  --query-lookback-delta DUR  how far back an instant selector looks (default 5m)\n"
        "  --query-subquery-step DUR  resolution of a subquery without a step, Prometheus's\n"
        "                            evaluation_interval (default 1m)\n"
        "  --query-threads N         threads one query reads and evaluates series with\n"
        "                            (PromQL, SQL folds; default 0 = cores)\n"
        "  --shards N                head shards (default 2 x cores)\n"
        "  --http-threads N          HTTP worker threads (default 2 x cores, at least 4)\n"
        "  --http-timeout SECONDS    idle connection timeout (default 60)\n"
        "  --http-max-connections N  concurrent connections (default 1024)\n"
        "  --tls-cert-file FILE      PEM certificate (then its chain): the HTTP listener speaks\n"
        "                            HTTPS only; with --tls-key-file; reloaded on SIGHUP\n"
        "  --tls-key-file FILE       PEM private key of that certificate (unencrypted)\n"
        "  --tls-min-version 1.2|1.3  oldest TLS version accepted (default 1.2)\n"
        "  --tls-priorities STRING   GnuTLS priority string (default: TLS 1.2 and 1.3 with\n"
        "                            AES-GCM and ChaCha20-Poly1305 only); the minimum version holds\n"
        "  --tls-client-ca-file FILE PEM CA certificates: every client must present a certificate\n"
        "                            they sign (both listeners); reloaded on SIGHUP\n"
        "  --pg-listen HOST:PORT     SQL over the PostgreSQL wire protocol (default 127.0.0.1:8812;\n"
        "                            empty = off); the same TLS, users and loopback rule as --listen\n"
        "  --pg-max-connections N    PostgreSQL sessions at once, a thread each (default 64)\n"
        "  --pg-idle-timeout SECONDS a PostgreSQL session silent this long is closed (default 3600)\n"
        "  --maintenance-interval DUR  how often to flush, compact and apply retention (default 30s)\n"
        "  --auto-create-db true|false  create a database on first write (default true)\n"
        "  --auth true|false         users and grants (default false): with true, every request but\n"
        "                            /health, /ping, /-/healthy and /-/ready needs credentials (Basic,\n"
        "                            ?u=&p=, Token user:password, or an API token), and each database\n"
        "                            a grant (InfluxQL's CREATE USER, GRANT ... over /query). With\n"
        "                            false, a non-loopback listener starts only if it is given\n"
        "  --encryption-key-file F   encrypt every file of the data directory (AES-256-GCM under\n"
        "                            keys of its own, wrapped by this file's master key): lines\n"
        "                            \"ID BASE64-32-BYTES\" (openssl rand -base64 32), the first one\n"
        "                            active; the file readable by its owner only. A new key goes\n"
        "                            first and SIGHUP (or a restart) rewraps; an old line may go\n"
        "                            once strata_encryption_seeds shows none under it\n"
        "  --encryption-cache-size BYTES  decrypted block data kept in memory for queries\n"
        "                            (default 256M)\n"
        "  --admin-user NAME         with --admin-password-file: create this admin at start if no\n"
        "                            user has the name (an existing one is never changed)\n"
        "  --admin-password-file F   its password (first line), plain or a bcrypt hash ($2b$...)\n"
        "  --auth-cache-size N       verified credentials remembered for 10 minutes, so a password\n"
        "                            costs bcrypt once, not per request (default 10000; 0 = off)\n"
        "  --auth-max-failures N     failed logins a minute from one address before it gets 429s\n"
        "                            for a minute (default 20; 0 = never)\n"
        "  --auth-hash-concurrency N password checks (bcrypt, ~60 ms each) at once; one waiting\n"
        "                            over a second gets a 503 (default 0 = half the cores)\n"
        "  --log-level debug|info|warn|error  (default info)\n"
        "  --help, --version\n"
        "\n"
        "Durations: 30d, 2h, 10m, 90s, 500ms, 1h30m; a bare number is seconds.\n");
}

static int parse_bytes(const char *s, uint64_t *out, st_err *e)
{
    char *end;
    unsigned long long v = strtoull(s, &end, 10);
    if (end == s) return st_fail(e, ST_EINVAL, "invalid size \"%s\"", s);
    uint64_t mult = 1;
    switch (*end) {
    case 0: break;
    case 'k': case 'K': mult = 1ull << 10; end++; break;
    case 'm': case 'M': mult = 1ull << 20; end++; break;
    case 'g': case 'G': mult = 1ull << 30; end++; break;
    case 't': case 'T': mult = 1ull << 40; end++; break;
    default: return st_fail(e, ST_EINVAL, "invalid size \"%s\"", s);
    }
    if (*end == 'B' || *end == 'b' || (*end == 'i' && end[1] == 'B')) end += *end == 'i' ? 2 : 1;
    if (*end) return st_fail(e, ST_EINVAL, "invalid size \"%s\"", s);
    if (v > UINT64_MAX / mult) return st_fail(e, ST_EINVAL, "size \"%s\" is too large", s);
    *out = v * mult;
    return 0;
}

static int parse_uint(const char *s, uint64_t max, uint64_t *out, st_err *e)
{
    char *end;
    if (!*s || *s == '-') return st_fail(e, ST_EINVAL, "invalid number \"%s\"", s);
    unsigned long long v = strtoull(s, &end, 10);
    if (*end || v > max) return st_fail(e, ST_EINVAL, "invalid number \"%s\"", s);
    *out = v;
    return 0;
}

static int parse_bool(const char *s, bool *out, st_err *e)
{
    if (!strcmp(s, "true") || !strcmp(s, "1") || !strcmp(s, "yes")) *out = true;
    else if (!strcmp(s, "false") || !strcmp(s, "0") || !strcmp(s, "no")) *out = false;
    else return st_fail(e, ST_EINVAL, "invalid boolean \"%s\" (true or false)", s);
    return 0;
}

bool flags_pg_loopback(const flags *f, char host[256])
{
    host[0] = 0;
    const char *colon = strrchr(f->pg_listen, ':');
    if (!f->pg_listen[0] || !colon) return true; /* off */
    size_t hl = (size_t)(colon - f->pg_listen);
    const char *h = f->pg_listen;
    if (hl >= 2 && h[0] == '[' && h[hl - 1] == ']') h++, hl -= 2;
    if (hl >= 256) return false;
    memcpy(host, h, hl);
    host[hl] = 0;
    return flags_loopback(host);
}

bool flags_loopback(const char *host)
{
    if (!strcmp(host, "localhost")) return true;
    struct in_addr a4;
    struct in6_addr a6;
    if (inet_pton(AF_INET, host, &a4) == 1) return (ntohl(a4.s_addr) >> 24) == 127;
    if (inet_pton(AF_INET6, host, &a6) == 1) return IN6_IS_ADDR_LOOPBACK(&a6);
    return false; /* a name (but localhost) or nothing: any address it resolves to */
}

static int parse_listen(flags *f, const char *s, st_err *e)
{
    const char *colon = strrchr(s, ':');
    if (!colon) return st_fail(e, ST_EINVAL, "--listen wants HOST:PORT, got \"%s\"", s);
    size_t hl = (size_t)(colon - s);
    if (hl >= sizeof f->listen_host) return st_fail(e, ST_EINVAL, "--listen host too long");
    const char *h = s;
    if (hl >= 2 && s[0] == '[' && s[hl - 1] == ']') {
        h++;
        hl -= 2;
    }
    memcpy(f->listen_host, h, hl);
    f->listen_host[hl] = 0;
    if (!hl) snprintf(f->listen_host, sizeof f->listen_host, "0.0.0.0");
    uint64_t port;
    if (parse_uint(colon + 1, 65535, &port, NULL))
        return st_fail(e, ST_EINVAL, "--listen: invalid port in \"%s\"", s);
    f->listen_port = (int)port;
    return 0;
}

int flags_parse(flags *f, int argc, char **argv, st_err *e)
{
    memset(f, 0, sizeof *f);
    snprintf(f->listen_host, sizeof f->listen_host, "127.0.0.1");
    f->listen_port = 9201;
    f->data_dir = "./data";
    st_parse_duration(DEF_RETENTION, &f->retention, NULL);
    st_parse_duration(DEF_MEMWIN, &f->memory_window, NULL);
    f->block_duration = 2LL * 3600 * ST_NS_PER_S;
    f->future_limit = 10LL * 60 * ST_NS_PER_S;
    f->maintenance_interval = 30LL * ST_NS_PER_S;
    f->http_timeout_s = 60;
    f->http_max_connections = 1024;
    snprintf(f->pg_listen, sizeof f->pg_listen, "127.0.0.1:8812");
    f->pg_max_connections = 64;
    f->pg_idle_timeout_s = 3600;
    f->tls_min_version = "1.2";
    f->max_body_bytes = 64ull << 20;
    f->max_decoded_bytes = 256ull << 20;
    f->auto_create_db = true;
    f->auth_cache_size = 10000;
    f->encryption_cache_bytes = 256ull << 20;
    f->auth_max_failures = 20;
    f->max_labels_per_series = 256;
    f->max_label_name_len = 1024;
    f->max_label_value_len = 16384;
    f->max_series_per_request = 1000000;
    f->remote_write_cache_bytes = 128ull << 20;
    f->line_protocol_cache_bytes = 256ull << 20;
    f->remote_read_sample_limit = 50000000;
    f->query_timeout = 120 * ST_NS_PER_S;
    f->query_max_samples = 50000000;
    f->influxql_max_points = 10000000;
    f->sql_max_rows = 10000000;
    f->query_lookback_delta = 300 * ST_NS_PER_S;
    f->timestream_max_queries = 64;
    f->timestream_cache_bytes = 64ull << 20;
    f->query_subquery_step = 60 * ST_NS_PER_S;
    f->remote_read_frame_bytes = 1ull << 20;
    f->remote_read_concurrency = 10;
    f->log_level = 1;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
            flags_usage(stdout);
            return 1;
        }
        if (!strcmp(a, "--version")) {
            printf("strata %s\n", STRATA_VERSION);
            return 2;
        }
        if (strncmp(a, "--", 2) != 0) return st_fail(e, ST_EINVAL, "unexpected argument \"%s\"", a);
        char name[64];
        const char *val = strchr(a, '=');
        size_t nl = val ? (size_t)(val - a) : strlen(a);
        if (nl >= sizeof name) return st_fail(e, ST_EINVAL, "unknown flag \"%s\"", a);
        memcpy(name, a, nl);
        name[nl] = 0;
        if (val) {
            val++;
        } else {
            if (i + 1 >= argc) return st_fail(e, ST_EINVAL, "flag %s needs a value", name);
            val = argv[++i];
        }
        int rc = 0;
        uint64_t u;
        if (!strcmp(name, "--listen")) rc = parse_listen(f, val, e);
        else if (!strcmp(name, "--data-dir")) f->data_dir = val;
        else if (!strcmp(name, "--retention")) rc = st_parse_duration(val, &f->retention, e);
        else if (!strcmp(name, "--memory-window")) rc = st_parse_duration(val, &f->memory_window, e);
        else if (!strcmp(name, "--block-duration")) {
            rc = st_parse_duration(val, &f->block_duration, e);
            if (!rc && f->block_duration < 60 * ST_NS_PER_S)
                rc = st_fail(e, ST_EINVAL, "--block-duration must be at least 1m");
        } else if (!strcmp(name, "--future-limit")) rc = st_parse_duration(val, &f->future_limit, e);
        else if (!strcmp(name, "--maintenance-interval")) {
            rc = st_parse_duration(val, &f->maintenance_interval, e);
            if (!rc && f->maintenance_interval <= 0)
                rc = st_fail(e, ST_EINVAL, "--maintenance-interval must be positive");
        } else if (!strcmp(name, "--wal-fsync")) {
            if (!strcmp(val, "always")) {
                f->wal_fsync_interval = 0;
            } else {
                rc = st_parse_duration(val, &f->wal_fsync_interval, e);
                if (!rc && f->wal_fsync_interval <= 0)
                    rc = st_fail(e, ST_EINVAL, "--wal-fsync wants \"always\" or a positive duration");
            }
        } else if (!strcmp(name, "--max-series")) rc = parse_uint(val, UINT64_MAX, &f->max_series, e);
        else if (!strcmp(name, "--max-head-memory")) rc = parse_bytes(val, &f->max_head_bytes, e);
        else if (!strcmp(name, "--wal-checkpoint-size")) {
            rc = parse_bytes(val, &f->wal_checkpoint_bytes, e);
            if (!rc && !f->wal_checkpoint_bytes) rc = st_fail(e, ST_EINVAL, "--wal-checkpoint-size must be positive");
        }
        else if (!strcmp(name, "--max-body-size")) rc = parse_bytes(val, &f->max_body_bytes, e);
        else if (!strcmp(name, "--max-decoded-size")) rc = parse_bytes(val, &f->max_decoded_bytes, e);
        else if (!strcmp(name, "--remote-write-cache-size")) rc = parse_bytes(val, &f->remote_write_cache_bytes, e);
        else if (!strcmp(name, "--line-protocol-cache-size")) rc = parse_bytes(val, &f->line_protocol_cache_bytes, e);
        else if (!strcmp(name, "--timestream-cache-size")) rc = parse_bytes(val, &f->timestream_cache_bytes, e);
        else if (!strcmp(name, "--max-labels-per-series")) {
            rc = parse_uint(val, 256, &u, e);
            if (!rc && u == 0) rc = st_fail(e, ST_EINVAL, "must be at least 1 (256 at most)");
            f->max_labels_per_series = (unsigned)u;
        } else if (!strcmp(name, "--max-label-name-length")) {
            rc = parse_uint(val, 65535, &u, e);
            if (!rc && u == 0) rc = st_fail(e, ST_EINVAL, "must be at least 1");
            f->max_label_name_len = (unsigned)u;
        } else if (!strcmp(name, "--max-label-value-length")) {
            rc = parse_uint(val, 1u << 24, &u, e);
            if (!rc && u == 0) rc = st_fail(e, ST_EINVAL, "must be at least 1");
            f->max_label_value_len = (unsigned)u;
        } else if (!strcmp(name, "--max-series-per-request")) {
            rc = parse_uint(val, UINT64_MAX, &f->max_series_per_request, e);
        } else if (!strcmp(name, "--remote-read-sample-limit")) {
            rc = parse_uint(val, UINT64_MAX, &f->remote_read_sample_limit, e);
        } else if (!strcmp(name, "--remote-read-max-frame-size")) {
            rc = parse_bytes(val, &f->remote_read_frame_bytes, e);
            if (!rc && (f->remote_read_frame_bytes < 1024 || f->remote_read_frame_bytes > (64ull << 20)))
                rc = st_fail(e, ST_EINVAL, "must be between 1K and 64M");
        } else if (!strcmp(name, "--remote-read-concurrency")) {
            rc = parse_uint(val, 100000, &u, e);
            f->remote_read_concurrency = (unsigned)u;
        } else if (!strcmp(name, "--query-timeout")) {
            rc = st_parse_duration(val, &f->query_timeout, e);
        } else if (!strcmp(name, "--query-max-samples")) {
            rc = parse_uint(val, UINT64_MAX, &f->query_max_samples, e);
        } else if (!strcmp(name, "--influxql-max-points")) {
            rc = parse_uint(val, UINT64_MAX, &f->influxql_max_points, e);
            if (!rc && f->influxql_max_points == 0) rc = st_fail(e, ST_EINVAL, "must be at least 1");
        } else if (!strcmp(name, "--sql-max-rows")) {
            rc = parse_uint(val, UINT64_MAX, &f->sql_max_rows, e);
        } else if (!strcmp(name, "--sql-max-result-rows")) {
            rc = parse_uint(val, UINT64_MAX, &f->sql_max_result_rows, e);
        } else if (!strcmp(name, "--timestream-max-queries")) {
            rc = parse_uint(val, 100000, &u, e);
            if (!rc && u == 0) rc = st_fail(e, ST_EINVAL, "must be at least 1");
            f->timestream_max_queries = (unsigned)u;
        } else if (!strcmp(name, "--query-lookback-delta")) {
            rc = st_parse_duration(val, &f->query_lookback_delta, e);
            if (!rc && f->query_lookback_delta < ST_NS_PER_MS) rc = st_fail(e, ST_EINVAL, "must be at least 1ms");
        } else if (!strcmp(name, "--query-subquery-step")) {
            rc = st_parse_duration(val, &f->query_subquery_step, e);
            if (!rc && f->query_subquery_step < ST_NS_PER_MS) rc = st_fail(e, ST_EINVAL, "must be at least 1ms");
        } else if (!strcmp(name, "--query-threads")) {
            rc = parse_uint(val, 1024, &u, e);
            f->query_threads = (unsigned)u;
        } else if (!strcmp(name, "--shards")) {
            rc = parse_uint(val, 4096, &u, e);
            f->shards = (unsigned)u;
        } else if (!strcmp(name, "--http-threads")) {
            rc = parse_uint(val, 1024, &u, e);
            f->http_threads = (unsigned)u;
        } else if (!strcmp(name, "--http-timeout")) {
            rc = parse_uint(val, 86400, &u, e);
            f->http_timeout_s = (unsigned)u;
        } else if (!strcmp(name, "--http-max-connections")) {
            rc = parse_uint(val, 1000000, &u, e);
            if (rc == 0 && u == 0) rc = st_fail(e, ST_EINVAL, "--http-max-connections must be at least 1");
            f->http_max_connections = (unsigned)u;
        } else if (!strcmp(name, "--tls-cert-file")) {
            f->tls_cert_file = val;
        } else if (!strcmp(name, "--tls-key-file")) {
            f->tls_key_file = val;
        } else if (!strcmp(name, "--tls-min-version")) {
            if (strcmp(val, "1.2") && strcmp(val, "1.3"))
                rc = st_fail(e, ST_EINVAL, "invalid --tls-min-version \"%s\" (1.2 or 1.3)", val);
            f->tls_min_version = val;
        } else if (!strcmp(name, "--tls-priorities")) {
            f->tls_priorities = val;
        } else if (!strcmp(name, "--tls-client-ca-file")) {
            f->tls_client_ca_file = val;
        } else if (!strcmp(name, "--pg-listen")) {
            if (strlen(val) >= sizeof f->pg_listen) rc = st_fail(e, ST_EINVAL, "too long: \"%.64s...\"", val);
            else snprintf(f->pg_listen, sizeof f->pg_listen, "%s", val);
            f->pg_listen_given = true;
        } else if (!strcmp(name, "--pg-max-connections")) {
            rc = parse_uint(val, 100000, &u, e);
            if (rc == 0 && u == 0) rc = st_fail(e, ST_EINVAL, "--pg-max-connections must be at least 1");
            f->pg_max_connections = (unsigned)u;
        } else if (!strcmp(name, "--pg-idle-timeout")) {
            rc = parse_uint(val, 86400 * 7, &u, e);
            if (rc == 0 && u == 0) rc = st_fail(e, ST_EINVAL, "--pg-idle-timeout must be at least 1");
            f->pg_idle_timeout_s = (unsigned)u;
        } else if (!strcmp(name, "--auto-create-db")) rc = parse_bool(val, &f->auto_create_db, e);
        else if (!strcmp(name, "--auth")) {
            rc = parse_bool(val, &f->auth, e);
            f->auth_off_given = rc == 0 && !f->auth;
        } else if (!strcmp(name, "--encryption-key-file")) {
            f->encryption_key_file = val;
        } else if (!strcmp(name, "--encryption-cache-size")) {
            rc = parse_bytes(val, &f->encryption_cache_bytes, e);
        } else if (!strcmp(name, "--admin-user")) {
            f->admin_user = val;
        } else if (!strcmp(name, "--admin-password-file")) {
            f->admin_password_file = val;
        } else if (!strcmp(name, "--auth-cache-size")) {
            rc = parse_uint(val, 100000000, &f->auth_cache_size, e);
        } else if (!strcmp(name, "--auth-max-failures")) {
            rc = parse_uint(val, 1000000, &u, e);
            f->auth_max_failures = (unsigned)u;
        } else if (!strcmp(name, "--auth-hash-concurrency")) {
            rc = parse_uint(val, 1024, &u, e);
            f->auth_hash_concurrency = (unsigned)u;
        }
        else if (!strcmp(name, "--log-level")) {
            static const char *lv[] = {"debug", "info", "warn", "error"};
            f->log_level = -1;
            for (int k = 0; k < 4; k++)
                if (!strcmp(val, lv[k])) f->log_level = k;
            if (f->log_level < 0) rc = st_fail(e, ST_EINVAL, "invalid --log-level \"%s\"", val);
        } else if (!strcmp(name, "--retention-db")) {
            const char *eq = strchr(val, '=');
            if (!eq) {
                rc = st_fail(e, ST_EINVAL, "--retention-db wants NAME=DURATION, got \"%s\"", val);
            } else {
                f->overrides = st_realloc(f->overrides, (f->noverrides + 1) * sizeof *f->overrides);
                store_db_override *o = &f->overrides[f->noverrides];
                o->name = st_strndup(val, (size_t)(eq - val));
                rc = st_parse_duration(eq + 1, &o->retention, e);
                if (rc) st_free((char *)o->name);
                else f->noverrides++;
            }
        } else {
            return st_fail(e, ST_EINVAL, "unknown flag \"%s\" (see --help)", name);
        }
        if (rc) return st_wrap(e, "%s", name);
    }
    if (!f->admin_user != !f->admin_password_file)
        return st_fail(e, ST_EINVAL, "--admin-user and --admin-password-file go together: give both or neither");
    if (!f->auth && !f->auth_off_given) {
        const char *open_at = !flags_loopback(f->listen_host) ? "--listen" : NULL, *host = f->listen_host;
        char pg_host[256] = "";
        if (!open_at && !flags_pg_loopback(f, pg_host)) open_at = "--pg-listen", host = pg_host;
        if (open_at)
            return st_fail(e, ST_EINVAL, "%s %s is not a loopback address and authentication is off: every client "
                                         "that reaches it could read, write and delete every database. Give --auth "
                                         "true (with --admin-user and --admin-password-file for the first admin), or "
                                         "--auth=false to serve it open on purpose", open_at, host);
    }
    if (!f->tls_cert_file != !f->tls_key_file)
        return st_fail(e, ST_EINVAL, "--tls-cert-file and --tls-key-file go together: give both or neither");
    if (!f->tls_cert_file && (f->tls_priorities || f->tls_client_ca_file || strcmp(f->tls_min_version, "1.2")))
        return st_fail(e, ST_EINVAL, "--tls-min-version, --tls-priorities and --tls-client-ca-file need "
                                     "--tls-cert-file and --tls-key-file");
    return 0;
}

void flags_free(flags *f)
{
    for (size_t i = 0; i < f->noverrides; i++) st_free((char *)f->overrides[i].name);
    st_free(f->overrides);
}
