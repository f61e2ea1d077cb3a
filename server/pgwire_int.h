/* pgwire_int: what the files of the PostgreSQL front share (not for other
 * callers; the public interface is pgwire.h).
 *
 * The module is split by responsibility:
 *  - pgwire.c: messages in and out, the simple and extended protocol
 *    handlers, start-up, cancel requests, the connection and acceptor
 *    threads, pgwire_start/pgwire_stop;
 *  - pgwire_value.c: values on the wire (type OIDs, text and binary forms,
 *    Bind parameters, $n rewriting, SQLSTATEs of engine errors);
 *  - pgwire_portal.c: prepared statements and portals, SQL cursors, COPY
 *    TO STDOUT, running a portal and sending its rows;
 *  - pgwire_catalog.c: the statements answered without the engine.
 *
 * Invariants:
 *  - a pgconn belongs to its connection thread; other threads only set its
 *    cancel flag (atomic) and, under srv->mu, read its pid, secret and
 *    session, or shut its socket down (pgwire_stop);
 *  - c->held is the statement text kept by c->stmts and c->portals (each
 *    portal's share in its counted), never above PGWIRE_MAX_HELD;
 *    c->nstmts and c->nportals count the lists;
 *  - a portal's state goes 0 (not started) -> 1 (open) -> 2 (done); its
 *    engine cursor (cur) is released when its rows run out, at the latest
 *    when the portal is freed;
 *  - output accumulates in c->out and is sent by pgwire_flush_out (at
 *    ReadyForQuery, Flush, a FATAL error, or when rows fill OUT_FLUSH); once
 *    c->dead is set nothing more is sent.
 */
#ifndef ST_PGWIRE_INT_H
#define ST_PGWIRE_INT_H

#include <pthread.h>
#include <stdatomic.h>
#include <string.h>

#include "pgwire.h"
#include "sql/run.h"
#include "tls.h"

#define PGWIRE_MAX_PORTALS 1000      /* open portals (each may hold a suspended cursor) */
#define PGWIRE_MAX_HELD (64u << 20)  /* statement text a connection's statements and portals keep */

/* ------------------------------------------------------------ types */

typedef struct pstmt {
    char *name;
    char *sql;            /* $n rewritten to ? (padded: byte offsets unchanged) */
    size_t n;
    uint32_t *ptypes;     /* declared (or 0) type of $1..$nparams */
    size_t nparams;
    uint32_t *order;      /* per ? in text order, its $n (0-based) */
    size_t nocc;
    struct pstmt *next;
} pstmt;

typedef struct pportal {
    char *name;
    st_arena *a;          /* sql, params, formats */
    char *sql;
    size_t n;
    sql_value *params;    /* in ? order */
    st_slice *guessed;    /* per ?: the text of an untyped parameter read as a number, else {NULL, 0} */
    size_t nparams;
    int16_t *fmts;
    size_t nfmts;
    int state;            /* 0 not started, 1 open, 2 done */
    bool empty, local;
    bool hold;            /* DECLARE ... WITH HOLD: outlives its transaction */
    bool fetch, move;     /* FETCH / MOVE: rows of the cursor target */
    bool copy, csv, header; /* COPY (query) TO STDOUT: rows as CopyData lines */
    char delim;
    char *null_str;
    size_t counted;       /* its share of the connection's held bytes */
    uint64_t fetch_n;     /* 0 = ALL */
    struct pportal *target;
    pgwire_result res;
    size_t res_off, res_row;
    sql_cursor *cur;
    size_t ncols;         /* the cursor's columns, kept after it is closed (a FETCH past the end still describes them) */
    st_slice *colnames;
    uint8_t *coltypes;
    scan_budget budget;
    struct pportal *next;
} pportal;

typedef struct pgconn {
    pgwire_server *srv;
    int fd;
    int slot;
    int32_t pid, secret;
    bool session;         /* counted among max_connections */
    _Atomic bool cancel;
    st_buf in, out;
    bool dead;            /* the socket failed: stop */
    pgwire_sess sess;
    pstmt *stmts;
    pportal *portals;
    size_t nstmts, nportals;
    size_t held;          /* bytes of statement text kept by statements and portals */
    bool skip;            /* an extended-protocol error: ignore until Sync */
    tls_conn *tls;        /* after an SSLRequest, when the server has TLS */
    int64_t deadline_ns;  /* st_mono_ns() by which the start-up must be done; 0 = none */
    /* bytes received ahead of the message being read: a message costs one
     * receive, not one per header field */
    size_t ahead_at, ahead_len;
    uint8_t ahead[16384];
} pgconn;

struct pgwire_server {
    char host[256];
    int port;
    unsigned max_sessions, idle_timeout_s;
    store *s;
    const flags *f;
    pool *pool;
    bool tls;             /* SSL is offered and required (tls.h) */
    auth *auth;
    int lfd;
    int wake[2];
    pthread_t acceptor;
    pthread_mutex_t mu;
    pthread_cond_t cv;
    pgconn **conns;       /* every live connection thread's connection */
    unsigned nconns;      /* slots: max_sessions + EXTRA_THREADS (pgwire.c) */
    unsigned live, sessions;
    bool stopping;
    int32_t next_pid;
};

/* A message being read: a failed read sets bad and yields 0 or "". */
typedef struct rd {
    const uint8_t *p;
    size_t n, i;
    bool bad;
} rd;

/* ------------------------------------------------------------ wire integers
 * Inline here: rows_out and the value encoders call them for every cell. */

static inline void pgwire_put16(st_buf *b, int v)
{
    uint8_t x[2] = {(uint8_t)(v >> 8), (uint8_t)v};
    st_buf_put(b, x, 2);
}

static inline void pgwire_put32(st_buf *b, uint32_t v)
{
    uint8_t x[4] = {(uint8_t)(v >> 24), (uint8_t)(v >> 16), (uint8_t)(v >> 8), (uint8_t)v};
    st_buf_put(b, x, 4);
}

static inline void pgwire_put64(st_buf *b, uint64_t v)
{
    pgwire_put32(b, (uint32_t)(v >> 32));
    pgwire_put32(b, (uint32_t)v);
}

static inline void pgwire_putstr(st_buf *b, const char *s) { st_buf_put(b, s, strlen(s) + 1); }

/* A message is begun with its type and a length placeholder, ended by
 * patching the length. */
static inline size_t pgwire_msg_begin(st_buf *b, char type)
{
    st_buf_putc(b, (uint8_t)type);
    size_t at = b->len;
    pgwire_put32(b, 0);
    return at;
}

static inline void pgwire_msg_end(st_buf *b, size_t at)
{
    uint32_t l = (uint32_t)(b->len - at);
    b->p[at] = (uint8_t)(l >> 24), b->p[at + 1] = (uint8_t)(l >> 16), b->p[at + 2] = (uint8_t)(l >> 8),
    b->p[at + 3] = (uint8_t)l;
}

static inline int16_t pgwire_get16(rd *r)
{
    if (r->i + 2 > r->n) {
        r->bad = true;
        return 0;
    }
    int16_t v = (int16_t)((r->p[r->i] << 8) | r->p[r->i + 1]);
    r->i += 2;
    return v;
}

static inline int32_t pgwire_get32(rd *r)
{
    if (r->i + 4 > r->n) {
        r->bad = true;
        return 0;
    }
    uint32_t v = ((uint32_t)r->p[r->i] << 24) | ((uint32_t)r->p[r->i + 1] << 16) | ((uint32_t)r->p[r->i + 2] << 8) |
                 r->p[r->i + 3];
    r->i += 4;
    return (int32_t)v;
}

/* ------------------------------------------------------------ pgwire.c: messages out */

/* Sends what c->out holds. 0, or -1 when the socket failed (c->dead). */
int pgwire_flush_out(pgconn *c);
/* A message with no body (ParseComplete '1', NoData 'n', EmptyQueryResponse 'I'...). */
void pgwire_send_simple(pgconn *c, char type);
void pgwire_send_param_status(pgconn *c, const char *name, const char *value);
void pgwire_send_complete(pgconn *c, const char *tag);

/* ------------------------------------------------------------ pgwire_value.c */

uint32_t pgwire_oid_of(sql_vtype t);
/* The typlen of RowDescription: bytes, or -1 for variable length. */
int16_t pgwire_size_of(uint32_t oid);
/* A value in the text format. */
void pgwire_put_text(st_buf *b, const sql_value *v);
/* A value in the binary format (the text one for types without a binary form here). */
void pgwire_put_binary(st_buf *b, const sql_value *v);
/* A local (text) cell in binary, by its column's type. */
void pgwire_put_local_binary(st_buf *b, uint32_t oid, const char *p, size_t n);
/* A parameter's value from Bind (parameter pno, 0-based). 0, or fills err. */
int pgwire_decode_param(uint32_t oid, int fmt, const uint8_t *p, int32_t len, st_arena *a, sql_value *out,
                        pgwire_error *err, size_t pno);
/* Rewrites $n to "?" padded with blanks to the same length and records
 * which $n each ? stands for. Returns the highest n, or -1 past 65535. */
long pgwire_rewrite_params(char *q, size_t n, uint32_t **order, size_t *nocc);
/* UTF-8 characters in p[0..n). */
size_t pgwire_chars_in(const char *p, size_t n);
/* Fills err from an engine failure of the statement q[0..n), which begins
 * base_chars characters into the query string the client sent. */
void pgwire_engine_error(int rc, const st_err *e, const sql_error *where, const char *q, size_t n, size_t base_chars,
                         pgwire_error *err);

/* ------------------------------------------------------------ pgwire_portal.c */

pstmt *pgwire_find_stmt(pgconn *c, const char *name);
void pgwire_stmt_free(pstmt *s);
void pgwire_close_stmt(pgconn *c, const char *name);
void pgwire_close_all_stmts(pgconn *c);
pportal *pgwire_find_portal(pgconn *c, const char *name);
/* A portal over a copy of sql[0..n), not yet linked into the connection. */
pportal *pgwire_portal_new(const char *name, const char *sql, size_t n);
void pgwire_portal_free(pportal *p);
void pgwire_close_portal(pgconn *c, const char *name);
/* At the end of a transaction: every portal but the cursors declared WITH
 * HOLD (all of them when keep_hold is false: the connection ends). */
void pgwire_close_all_portals(pgconn *c, bool keep_hold);
/* Statements that change the session: described as NoData, run only by Execute. */
bool pgwire_changes_session(const char *q, size_t n);
/* Opens the answer of a portal: a local result or an engine cursor. 0, or
 * fills err. base_chars: where the statement begins in the client's text. */
int pgwire_portal_open(pgconn *c, pportal *p, size_t base_chars, pgwire_error *err);
/* Whether the portal answers with rows (RowDescription), else NoData. */
bool pgwire_portal_rows(const pportal *p);
void pgwire_send_row_description(pgconn *c, const pportal *p);
/* The result formats Bind asked for fit the columns. 0, or fills err. */
int pgwire_check_formats(const pportal *p, pgwire_error *err);
/* Runs a portal for up to max rows (0 = all): DataRows, then
 * CommandComplete, PortalSuspended or EmptyQueryResponse. 0, or fills err
 * (the portal is then done). */
int pgwire_portal_run(pgconn *c, pportal *p, uint64_t max, size_t base_chars, pgwire_error *err);

#endif
