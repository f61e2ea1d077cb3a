/* pgwire: SQL (Timestream's dialect, issue 11) over the PostgreSQL
 * frontend/backend protocol 3.0, so that psql, psycopg2, JDBC/ODBC tools and
 * Grafana's PostgreSQL data source connect to Strata unchanged.
 *
 * What it speaks:
 *  - start-up: SSLRequest answered 'S' and the session then TLS when the
 *    server has a certificate (tls.h; a session without it is refused),
 *    'N' otherwise; GSSENCRequest answered 'N'; a
 *    StartupMessage whose database is the Strata database the queries read
 *    (a missing one: FATAL 3D000), with --auth on a cleartext password
 *    (AuthenticationCleartextPassword: the hash stays Strata's; use TLS off
 *    loopback) checked by auth.h (FATAL 28P01 when wrong) and READ on the
 *    database (FATAL 42501 otherwise, whether or not it exists; tables of
 *    other databases are checked when a statement is planned),
 *    AuthenticationOk, the ParameterStatus values
 *    clients read, BackendKeyData, ReadyForQuery;
 *  - the simple query protocol (several statements a message) and the
 *    extended one (Parse/Bind/Describe/Execute/Close/Flush/Sync, named and
 *    unnamed statements and portals, $n parameters, row limits with
 *    PortalSuspended, errors skipping to Sync);
 *  - SQL cursors (DECLARE/FETCH/MOVE/CLOSE, forward only: psql's
 *    FETCH_COUNT, psycopg2's named cursors) and COPY (query) TO STDOUT in
 *    text or CSV (psql's \copy);
 *  - CancelRequest on a new connection, which stops the running query
 *    through its scan budget; SET statement_timeout, which may shorten
 *    --query-timeout;
 *  - BEGIN/COMMIT/ROLLBACK (no-ops: Strata's SQL only reads, but the
 *    transaction status clients track is kept, including the failed state),
 *    SET/SHOW/RESET of PostgreSQL settings, version(), current_database()
 *    and friends, and the pg_catalog / information_schema queries of psql's
 *    \l, \dt, \d, \dn and Grafana's table and column pickers, answered from
 *    Strata's catalog (pgwire_catalog.c). Everything else goes to the SQL
 *    engine (engine/sql/run.h).
 *
 * Values: see pgwire_value.c's header comment for the text and binary forms
 * (timestamps are `timestamp without time zone` in UTC, nanoseconds
 * truncated to PostgreSQL's microseconds).
 *
 * Resources: one thread per connection (a client that pipelines is served
 * in order; its queries run on that thread), at most max_connections sessions (more get FATAL 53300), a
 * message larger than PGWIRE_MAX_MESSAGE is refused (FATAL 54000, then the
 * connection closes), a connection idle longer than idle_timeout_s is
 * closed (FATAL 57P05), the statements and portals of a connection keep at
 * most 64 MiB of text, and everything a connection holds (statements,
 * portals, open cursors) is released when it goes.
 */
#ifndef ST_PGWIRE_H
#define ST_PGWIRE_H

#include "auth.h"
#include "flags.h"
#include "pool.h"
#include "sql/value.h"
#include "store.h"

#define PGWIRE_MAX_MESSAGE (64u << 20)
#define PGWIRE_IDLE_TIMEOUT_S 3600u

typedef struct pgwire_opts {
    const char *listen;        /* "host:port" */
    unsigned max_connections;  /* sessions at once; 0 = 64 */
    unsigned idle_timeout_s;   /* 0 = PGWIRE_IDLE_TIMEOUT_S */
    store *s;
    const flags *f;            /* query budgets: --query-timeout, --query-max-samples, --sql-max-rows... */
    pool *pool;                /* helpers a query may borrow (pool.h); NULL: none */
    bool tls;                  /* TLS is set up (tls.h): SSLRequest answered 'S', sessions without it refused */
    auth *auth;                /* users (auth.h): with auth on, a password is asked for at start-up */
} pgwire_opts;

typedef struct pgwire_server pgwire_server;

/* Binds and starts the acceptor thread. ST_EINVAL for a bad address, ST_EIO
 * when the address cannot be bound. */
int pgwire_start(const pgwire_opts *o, pgwire_server **out, st_err *e);
/* Stops accepting, cancels running queries, closes every connection and
 * waits (up to grace_s) for their threads, then frees the server. */
void pgwire_stop(pgwire_server *ps, unsigned grace_s);

/* ---- shared by the pgwire*.c files (not for other callers; see also pgwire_int.h) ---- */

/* PostgreSQL type OIDs used on the wire. */
enum {
    PGWIRE_BOOL = 16, PGWIRE_CHAR = 18, PGWIRE_NAME = 19, PGWIRE_INT8 = 20, PGWIRE_INT2 = 21,
    PGWIRE_INT4 = 23, PGWIRE_TEXT = 25, PGWIRE_OID = 26, PGWIRE_FLOAT4 = 700, PGWIRE_FLOAT8 = 701,
    PGWIRE_VARCHAR = 1043, PGWIRE_DATE = 1082, PGWIRE_TIMESTAMP = 1114, PGWIRE_TIMESTAMPTZ = 1184,
    PGWIRE_INTERVAL = 1186, PGWIRE_NUMERIC = 1700,
};

typedef struct pgwire_setting {
    char *name, *value;
} pgwire_setting;

/* What a statement answered locally needs from its session. */
typedef struct pgwire_sess {
    store *s;
    char db[128];
    char user[128];
    int32_t pid;
    unsigned max_connections;
    char txn;                /* ReadyForQuery status: 'I' idle, 'T' in a block, 'E' failed block */
    pgwire_setting *set;     /* SET values and start-up options (owned) */
    size_t nset;
    bool parsing;            /* a statement is only being parsed: answer, change nothing */
    /* whether the session's user may read a database (listings show only
     * those); NULL: every one */
    bool (*may_read)(void *ctx, const char *db);
    void *may_ctx;
} pgwire_sess;

/* An error as PostgreSQL reports it. */
typedef struct pgwire_error {
    char code[6];            /* SQLSTATE */
    char msg[600];
    size_t position;         /* 1-based character offset in the statement; 0 = none */
} pgwire_error;

/* Fills err with a SQLSTATE and a message; -1, for `return pgwire_fail(...)`. */
__attribute__((format(printf, 3, 4))) int pgwire_fail(pgwire_error *err, const char *code, const char *fmt, ...);

#define PGWIRE_LOCAL_MAXCOLS 16

typedef enum pgwire_action {
    PGWIRE_ACT_NONE = 0,
    PGWIRE_ACT_DEALLOCATE_ALL,
    PGWIRE_ACT_DEALLOCATE,   /* action_name */
    PGWIRE_ACT_REPORT,       /* send ParameterStatus for action_name (a SET of a reported setting) */
} pgwire_action;

/* An answer computed without the engine: columns, rows of text cells (each
 * a 4-byte big-endian length, -1 for NULL, then the bytes, as in DataRow),
 * the CommandComplete tag. */
typedef struct pgwire_result {
    bool rows;               /* a row-returning statement (RowDescription), else NoData */
    size_t ncols;
    char names[PGWIRE_LOCAL_MAXCOLS][64];
    uint32_t types[PGWIRE_LOCAL_MAXCOLS];
    st_buf cells;
    size_t nrows;
    char tag[64];            /* "" = "SELECT n" */
    pgwire_action action;
    char action_name[128];
} pgwire_result;

typedef enum pgwire_kind {
    PGWIRE_ENGINE = 0,       /* for the SQL engine */
    PGWIRE_LOCAL,            /* answered in r (or failed with err) */
    PGWIRE_EMPTY,            /* nothing but blanks and comments */
} pgwire_kind;

/* Classifies one statement and, when it is answered here, answers it into r
 * (r->cells empty on entry). Returns PGWIRE_LOCAL with err->code set when
 * it failed. A session in a failed transaction block gets 25P02 for all but
 * COMMIT/ROLLBACK. */
pgwire_kind pgwire_catalog_answer(pgwire_sess *ss, const char *q, size_t n, pgwire_result *r, pgwire_error *err);
/* The current value of a setting (SET, start-up option or default), or NULL. */
const char *pgwire_setting_get(const pgwire_sess *ss, const char *name);
/* Stores a setting (a start-up option or SET). 0, or fills err. */
int pgwire_setting_set(pgwire_sess *ss, const char *name, const char *value, pgwire_error *err);
void pgwire_sess_free(pgwire_sess *ss);
/* Adds a cell to the row being built in r (NULL p = SQL NULL). */
void pgwire_result_cell(pgwire_result *r, const char *p, size_t n);
/* Index just past a quoted string, quoted identifier, comment or
 * dollar-quoted string starting at q[i]; i when none starts there. */
size_t pgwire_skip_quoted(const char *q, size_t n, size_t i);
/* The server_version reported and shown (version()). */
#define PGWIRE_SERVER_VERSION "15.0 (Strata)"
#define PGWIRE_SERVER_VERSION_NUM "150000"

#endif
