/* pgwire: the PostgreSQL frontend/backend protocol 3.0 (see pgwire.h).
 *
 * Layout: the listener (an acceptor thread, a thread per connection, the
 * registry cancel requests look up), the start-up, the message loop with
 * the simple and extended query protocols, and the values' text and binary
 * forms. Statements the front answers itself are in pgwire_catalog.c.
 *
 * Values (what a client reads):
 *  - boolean: bool (16), 't'/'f'; bigint: int8 (20); double: float8 (701)
 *    as PostgreSQL 15 prints it (shortest text that reads back the same
 *    double, exponent form below 1e-4 and from 1e15, "NaN", "Infinity");
 *    varchar: varchar (1043); date: date (1082);
 *  - timestamp: timestamp without time zone (1114), UTC, e.g.
 *    "2024-01-01 00:00:10.5". PostgreSQL's timestamps have microseconds, so
 *    nanoseconds are truncated toward the past to the microsecond, in text
 *    and binary alike (floor, not round: a point stays in the second, minute
 *    or bin it belongs to). A client that needs the nanoseconds selects
 *    to_nanoseconds(time) or CAST(time AS varchar);
 *  - intervals: interval (1186) in IntervalStyle postgres ("1 day
 *    02:00:00", "1 year 2 mons", "00:00:00.5"), microseconds likewise;
 *  - binary format where Bind asks for it: bool, int8, float8, text/varchar,
 *    timestamp (microseconds since 2000-01-01), date (days since
 *    2000-01-01), interval (microseconds, days, months).
 *  - parameters ($1..$n, rewritten to the engine's positional ?): typed by
 *    the OIDs Parse gives, text or binary; an untyped text parameter is a
 *    bigint when it reads as one, a double when it reads as a number, else
 *    varchar (so `usage > $1` and `host = $1` both work as clients expect).
 *
 * Errors: ErrorResponse with SQLSTATE mapped from the engine's error (42601
 * syntax, 42703 column, 42P01 table, 42883 function or operator, 22xxx
 * data, 54000 limits, 57014 timeout and cancel, XX000 internal), the
 * engine's message as the HTTP front gives it, and Position (1-based
 * characters in the query string) for parse errors and errors whose
 * message names a line and column.
 */
#include "pgwire.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <math.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "api.h"
#include "sql/run.h"

#define MAX_STARTUP 10000          /* PostgreSQL's own limit for the start-up packet */
#define EXTRA_THREADS 8            /* connections beyond max_connections: cancel requests, refusals */
#define OUT_FLUSH (64 * 1024)      /* rows are sent in chunks of about this much */
#define MAX_STATEMENTS 10000       /* prepared statements a connection may hold */
#define MAX_PORTALS 1000           /* open portals (each may hold a suspended cursor) */
#define MAX_HELD (64u << 20)       /* statement text a connection's statements and portals keep */
#define MAX_PARAMS 65535

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
} pgconn;

struct pgwire_server {
    char host[256];
    int port;
    unsigned max_sessions, idle_timeout_s;
    store *s;
    const flags *f;
    int lfd;
    int wake[2];
    pthread_t acceptor;
    pthread_mutex_t mu;
    pthread_cond_t cv;
    pgconn **conns;       /* every live connection thread's connection */
    unsigned nconns;      /* slots: max_sessions + EXTRA_THREADS */
    unsigned live, sessions;
    bool stopping;
    int32_t next_pid;
};

/* ------------------------------------------------------------ output */

static void put16(st_buf *b, int v)
{
    uint8_t x[2] = {(uint8_t)(v >> 8), (uint8_t)v};
    st_buf_put(b, x, 2);
}

static void put32(st_buf *b, uint32_t v)
{
    uint8_t x[4] = {(uint8_t)(v >> 24), (uint8_t)(v >> 16), (uint8_t)(v >> 8), (uint8_t)v};
    st_buf_put(b, x, 4);
}

static void put64(st_buf *b, uint64_t v)
{
    put32(b, (uint32_t)(v >> 32));
    put32(b, (uint32_t)v);
}

static void putstr(st_buf *b, const char *s) { st_buf_put(b, s, strlen(s) + 1); }

/* A message is begun with its type and a length placeholder, ended by
 * patching the length. */
static size_t msg_begin(st_buf *b, char type)
{
    st_buf_putc(b, (uint8_t)type);
    size_t at = b->len;
    put32(b, 0);
    return at;
}

static void msg_end(st_buf *b, size_t at)
{
    uint32_t l = (uint32_t)(b->len - at);
    b->p[at] = (uint8_t)(l >> 24), b->p[at + 1] = (uint8_t)(l >> 16), b->p[at + 2] = (uint8_t)(l >> 8),
    b->p[at + 3] = (uint8_t)l;
}

static int flush_out(pgconn *c)
{
    size_t off = 0;
    while (off < c->out.len && !c->dead) {
        ssize_t w = send(c->fd, c->out.p + off, c->out.len - off, MSG_NOSIGNAL);
        if (w < 0 && errno == EINTR) continue;
        if (w <= 0) {
            c->dead = true;
            break;
        }
        off += (size_t)w;
    }
    c->out.len = 0;
    return c->dead ? -1 : 0;
}

static void send_simple(pgconn *c, char type)
{
    size_t at = msg_begin(&c->out, type);
    msg_end(&c->out, at);
}

static void send_param_status(pgconn *c, const char *name, const char *value)
{
    size_t at = msg_begin(&c->out, 'S');
    putstr(&c->out, name);
    putstr(&c->out, value ? value : "");
    msg_end(&c->out, at);
}

static void send_ready(pgconn *c)
{
    size_t at = msg_begin(&c->out, 'Z');
    st_buf_putc(&c->out, (uint8_t)c->sess.txn);
    msg_end(&c->out, at);
    flush_out(c);
}

static void send_complete(pgconn *c, const char *tag)
{
    size_t at = msg_begin(&c->out, 'C');
    putstr(&c->out, tag);
    msg_end(&c->out, at);
}

static void send_error(pgconn *c, const char *severity, const pgwire_error *err)
{
    size_t at = msg_begin(&c->out, 'E');
    st_buf_putc(&c->out, 'S');
    putstr(&c->out, severity);
    st_buf_putc(&c->out, 'V');
    putstr(&c->out, severity);
    st_buf_putc(&c->out, 'C');
    putstr(&c->out, err->code[0] ? err->code : "XX000");
    st_buf_putc(&c->out, 'M');
    putstr(&c->out, err->msg);
    if (err->position) {
        char pos[24];
        snprintf(pos, sizeof pos, "%zu", err->position);
        st_buf_putc(&c->out, 'P');
        putstr(&c->out, pos);
    }
    st_buf_putc(&c->out, 0);
    msg_end(&c->out, at);
}

static void fatal(pgconn *c, const char *code, const char *msg)
{
    pgwire_error err = {{0}};
    snprintf(err.code, sizeof err.code, "%s", code);
    snprintf(err.msg, sizeof err.msg, "%s", msg);
    send_error(c, "FATAL", &err);
    flush_out(c);
}

/* ------------------------------------------------------------ input */

/* Reads exactly n bytes, waiting at most timeout_ms for each part. 0, or -1
 * when the peer closed, failed or stayed silent (*idle set then). */
static int read_full(pgconn *c, void *buf, size_t n, int timeout_ms, bool *idle)
{
    size_t got = 0;
    while (got < n) {
        struct pollfd pf = {.fd = c->fd, .events = POLLIN};
        int pr = poll(&pf, 1, timeout_ms);
        if (pr < 0 && errno == EINTR) continue;
        if (pr == 0) {
            if (idle) *idle = true;
            return -1;
        }
        if (pr < 0) return -1;
        ssize_t r = recv(c->fd, (char *)buf + got, n - got, 0);
        if (r < 0 && errno == EINTR) continue;
        if (r <= 0) return -1;
        got += (size_t)r;
    }
    return 0;
}

typedef struct rd {
    const uint8_t *p;
    size_t n, i;
    bool bad;
} rd;

static int16_t get16(rd *r)
{
    if (r->i + 2 > r->n) {
        r->bad = true;
        return 0;
    }
    int16_t v = (int16_t)((r->p[r->i] << 8) | r->p[r->i + 1]);
    r->i += 2;
    return v;
}

static int32_t get32(rd *r)
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

static const char *getstr(rd *r)
{
    const uint8_t *z = r->i < r->n ? memchr(r->p + r->i, 0, r->n - r->i) : NULL;
    if (!z) {
        r->bad = true;
        return "";
    }
    const char *s = (const char *)r->p + r->i;
    r->i = (size_t)(z - r->p) + 1;
    return s;
}

/* ------------------------------------------------------------ values */

static uint32_t oid_of(sql_vtype t)
{
    switch (t) {
    case SQLT_BOOLEAN: return PGWIRE_BOOL;
    case SQLT_BIGINT: return PGWIRE_INT8;
    case SQLT_DOUBLE: return PGWIRE_FLOAT8;
    case SQLT_VARCHAR: return PGWIRE_VARCHAR;
    case SQLT_TIMESTAMP: return PGWIRE_TIMESTAMP;
    case SQLT_DATE: return PGWIRE_DATE;
    case SQLT_INTERVAL_DS:
    case SQLT_INTERVAL_YM: return PGWIRE_INTERVAL;
    default: return PGWIRE_TEXT;
    }
}

static int16_t size_of(uint32_t oid)
{
    switch (oid) {
    case PGWIRE_BOOL: case PGWIRE_CHAR: return 1;
    case PGWIRE_INT2: return 2;
    case PGWIRE_INT4: case PGWIRE_OID: case PGWIRE_DATE: case PGWIRE_FLOAT4: return 4;
    case PGWIRE_INT8: case PGWIRE_FLOAT8: case PGWIRE_TIMESTAMP: return 8;
    case PGWIRE_NAME: return 64;
    case PGWIRE_INTERVAL: return 16;
    default: return -1;
    }
}

/* float8out of PostgreSQL 12+: the shortest digits that read back exactly,
 * fixed notation for decimal exponents -4..14, else d.ddde+XX. */
static void put_double(st_buf *b, double d)
{
    if (isnan(d)) {
        st_buf_put(b, "NaN", 3);
        return;
    }
    if (isinf(d)) {
        if (d < 0) st_buf_put(b, "-Infinity", 9);
        else st_buf_put(b, "Infinity", 8);
        return;
    }
    char e[40];
    for (int prec = 1; prec <= 17; prec++) {
        snprintf(e, sizeof e, "%.*e", prec - 1, d);
        if (strtod(e, NULL) == d) break;
    }
    const char *p = e;
    bool neg = *p == '-';
    if (neg) p++;
    char digits[24];
    size_t nd = 0;
    for (; *p && *p != 'e'; p++)
        if (*p != '.') digits[nd++] = *p;
    int exp = atoi(p + 1);
    while (nd > 1 && digits[nd - 1] == '0') nd--;
    if (neg) st_buf_putc(b, '-');
    if (exp >= -4 && exp < 15) {
        if (exp < 0) {
            st_buf_put(b, "0.", 2);
            for (int i = -1; i > exp; i--) st_buf_putc(b, '0');
            st_buf_put(b, digits, nd);
            return;
        }
        for (int i = 0; i <= exp; i++) st_buf_putc(b, (size_t)i < nd ? (uint8_t)digits[i] : '0');
        if ((size_t)exp + 1 < nd) {
            st_buf_putc(b, '.');
            st_buf_put(b, digits + exp + 1, nd - (size_t)exp - 1);
        }
        return;
    }
    st_buf_putc(b, (uint8_t)digits[0]);
    if (nd > 1) {
        st_buf_putc(b, '.');
        st_buf_put(b, digits + 1, nd - 1);
    }
    st_buf_printf(b, "e%c%02d", exp < 0 ? '-' : '+', exp < 0 ? -exp : exp);
}

static void put_date(st_buf *b, int64_t days)
{
    int64_t y;
    unsigned m, d;
    sqlv_civil_from_days(days, &y, &m, &d);
    if (y <= 0) st_buf_printf(b, "%04" PRId64 "-%02u-%02u", 1 - y, m, d);
    else st_buf_printf(b, "%04" PRId64 "-%02u-%02u", y, m, d);
}

static void put_fraction(st_buf *b, int64_t us)
{
    if (!us) return;
    char f[8];
    snprintf(f, sizeof f, "%06" PRId64, us);
    int n = 6;
    while (n > 1 && f[n - 1] == '0') n--;
    st_buf_putc(b, '.');
    st_buf_put(b, f, (size_t)n);
}

static void put_timestamp(st_buf *b, int64_t ns)
{
    int64_t us = sqlv_floordiv(ns, 1000);
    int64_t days = sqlv_floordiv(us, 86400000000LL);
    int64_t rem = us - days * 86400000000LL;
    int64_t y;
    unsigned m, d;
    sqlv_civil_from_days(days, &y, &m, &d);
    int64_t secs = rem / 1000000;
    st_buf_printf(b, "%04" PRId64 "-%02u-%02u %02d:%02d:%02d", y <= 0 ? 1 - y : y, m, d, (int)(secs / 3600),
                  (int)(secs / 60 % 60), (int)(secs % 60));
    put_fraction(b, rem % 1000000);
    if (y <= 0) st_buf_put(b, " BC", 3);
}

/* IntervalStyle postgres: "-1 days +02:00:00", "1 year 2 mons", "00:00:00". */
static void put_interval(st_buf *b, int64_t months, int64_t days, int64_t us)
{
    bool any = false, neg = false;
    int64_t y = months / 12, mo = months % 12;
    const int64_t parts[3] = {y, mo, days};
    static const char *const unit[3] = {"year", "mon", "day"};
    for (int i = 0; i < 3; i++) {
        if (!parts[i]) continue;
        st_buf_printf(b, "%s%s%" PRId64 " %s%s", any ? " " : "", neg && parts[i] > 0 ? "+" : "", parts[i], unit[i],
                      parts[i] == 1 ? "" : "s");
        any = true;
        neg = parts[i] < 0;
    }
    if (us || !any) {
        if (any) st_buf_putc(b, ' ');
        if (us < 0) st_buf_putc(b, '-');
        else if (neg) st_buf_putc(b, '+');
        uint64_t a = us < 0 ? (uint64_t)0 - (uint64_t)us : (uint64_t)us;
        uint64_t secs = a / 1000000;
        st_buf_printf(b, "%02" PRIu64 ":%02d:%02d", secs / 3600, (int)(secs / 60 % 60), (int)(secs % 60));
        put_fraction(b, (int64_t)(a % 1000000));
    }
}

static void split_ds(int64_t ns, int64_t *days, int64_t *us)
{
    int64_t u = ns / 1000; /* toward zero: an interval is symmetric */
    *days = u / 86400000000LL;
    *us = u % 86400000000LL;
}

static void put_text(st_buf *b, const sql_value *v)
{
    int64_t days, us;
    switch (v->type) {
    case SQLT_BOOLEAN: st_buf_putc(b, v->u.b ? 't' : 'f'); return;
    case SQLT_BIGINT: st_buf_printf(b, "%" PRId64, v->u.i); return;
    case SQLT_DOUBLE: put_double(b, v->u.d); return;
    case SQLT_VARCHAR: st_buf_put(b, v->u.s.p, v->u.s.n); return;
    case SQLT_TIMESTAMP: put_timestamp(b, v->u.i); return;
    case SQLT_DATE: put_date(b, v->u.i); return;
    case SQLT_INTERVAL_DS:
        split_ds(v->u.i, &days, &us);
        put_interval(b, 0, days, us);
        return;
    case SQLT_INTERVAL_YM: put_interval(b, v->u.i, 0, 0); return;
    default: sqlv_format(v, b); return;
    }
}

#define PG_EPOCH_US 946684800000000LL /* 2000-01-01 in microseconds since 1970 */
#define PG_EPOCH_DAYS 10957

static void put_binary(st_buf *b, const sql_value *v)
{
    int64_t days, us;
    uint64_t bits;
    switch (v->type) {
    case SQLT_BOOLEAN: st_buf_putc(b, v->u.b ? 1 : 0); return;
    case SQLT_BIGINT: put64(b, (uint64_t)v->u.i); return;
    case SQLT_DOUBLE:
        memcpy(&bits, &v->u.d, 8);
        put64(b, bits);
        return;
    case SQLT_TIMESTAMP: put64(b, (uint64_t)(sqlv_floordiv(v->u.i, 1000) - PG_EPOCH_US)); return;
    case SQLT_DATE: put32(b, (uint32_t)(int32_t)(v->u.i - PG_EPOCH_DAYS)); return;
    case SQLT_INTERVAL_DS:
        split_ds(v->u.i, &days, &us);
        put64(b, (uint64_t)us);
        put32(b, (uint32_t)(int32_t)days);
        put32(b, 0);
        return;
    case SQLT_INTERVAL_YM:
        put64(b, 0);
        put32(b, 0);
        put32(b, (uint32_t)(int32_t)v->u.i);
        return;
    default: put_text(b, v); return;
    }
}

/* A local (text) cell in binary, by its column's type. */
static void put_local_binary(st_buf *b, uint32_t oid, const char *p, size_t n)
{
    char tmp[32];
    snprintf(tmp, sizeof tmp, "%.*s", (int)(n < 31 ? n : 31), p);
    switch (oid) {
    case PGWIRE_BOOL: st_buf_putc(b, tmp[0] == 't'); return;
    case PGWIRE_INT2: put16(b, atoi(tmp)); return;
    case PGWIRE_INT4: case PGWIRE_OID: put32(b, (uint32_t)strtoul(tmp, NULL, 10)); return;
    case PGWIRE_INT8: put64(b, (uint64_t)strtoll(tmp, NULL, 10)); return;
    default: st_buf_put(b, p, n); return;
    }
}

/* ------------------------------------------------------------ parameters */

/* A parameter's value from Bind. 0, or fills err. */
static int decode_param(uint32_t oid, int fmt, const uint8_t *p, int32_t len, st_arena *a, sql_value *out,
                        pgwire_error *err, size_t pno)
{
    if (len < 0) {
        *out = sqlv_null(SQLT_UNKNOWN);
        return 0;
    }
    size_t n = (size_t)len;
    if (fmt == 1) {
        rd r = {p, n, 0, false};
        uint64_t u;
        switch (oid) {
        case PGWIRE_BOOL:
            if (n != 1) goto badlen;
            *out = sqlv_bool(p[0] != 0);
            return 0;
        case PGWIRE_INT2:
            if (n != 2) goto badlen;
            *out = sqlv_int(SQLT_BIGINT, get16(&r));
            return 0;
        case PGWIRE_INT4:
            if (n != 4) goto badlen;
            *out = sqlv_int(SQLT_BIGINT, get32(&r));
            return 0;
        case PGWIRE_INT8:
        case PGWIRE_TIMESTAMP:
        case PGWIRE_TIMESTAMPTZ:
        case PGWIRE_FLOAT8:
            if (n != 8) goto badlen;
            u = ((uint64_t)(uint32_t)get32(&r) << 32) | (uint32_t)get32(&r);
            if (oid == PGWIRE_INT8) *out = sqlv_int(SQLT_BIGINT, (int64_t)u);
            else if (oid == PGWIRE_FLOAT8) {
                double d;
                memcpy(&d, &u, 8);
                *out = sqlv_double(d);
            } else {
                int64_t usec = (int64_t)u;
                if (usec > INT64_MAX / 1000 - PG_EPOCH_US || usec < INT64_MIN / 1000 + PG_EPOCH_US) goto range;
                *out = sqlv_int(SQLT_TIMESTAMP, (usec + PG_EPOCH_US) * 1000);
            }
            return 0;
        case PGWIRE_FLOAT4: {
            if (n != 4) goto badlen;
            uint32_t w = (uint32_t)get32(&r);
            float f;
            memcpy(&f, &w, 4);
            *out = sqlv_double(f);
            return 0;
        }
        case PGWIRE_DATE:
            if (n != 4) goto badlen;
            *out = sqlv_int(SQLT_DATE, (int64_t)get32(&r) + PG_EPOCH_DAYS);
            return 0;
        case PGWIRE_TEXT:
        case PGWIRE_VARCHAR:
        case PGWIRE_NAME:
        case PGWIRE_CHAR:
            *out = sqlv_str(st_slice_of(st_arena_strndup(a, (const char *)p, n), n));
            return 0;
        default:
            snprintf(err->code, sizeof err->code, "0A000");
            snprintf(err->msg, sizeof err->msg,
                     "binary format of parameter $%zu (type %" PRIu32 ") is not supported: send it as text or "
                     "declare bool, int2, int4, int8, float4, float8, text, varchar, date or timestamp",
                     pno + 1, oid);
            return -1;
        }
    badlen:
        snprintf(err->code, sizeof err->code, "22P03");
        snprintf(err->msg, sizeof err->msg, "incorrect binary data format in bind parameter %zu", pno + 1);
        return -1;
    range:
        snprintf(err->code, sizeof err->code, "22008");
        snprintf(err->msg, sizeof err->msg, "timestamp out of range in bind parameter %zu", pno + 1);
        return -1;
    }
    char *s = st_arena_strndup(a, (const char *)p, n);
    st_slice sl = st_slice_of(s, n);
    char *ep;
    int64_t i;
    switch (oid) {
    case PGWIRE_BOOL:
        if (!strcasecmp(s, "t") || !strcasecmp(s, "true") || !strcasecmp(s, "on") || !strcasecmp(s, "yes") ||
            !strcmp(s, "1"))
            *out = sqlv_bool(true);
        else if (!strcasecmp(s, "f") || !strcasecmp(s, "false") || !strcasecmp(s, "off") || !strcasecmp(s, "no") ||
                 !strcmp(s, "0"))
            *out = sqlv_bool(false);
        else goto syntax;
        return 0;
    case PGWIRE_INT2:
    case PGWIRE_INT4:
    case PGWIRE_INT8:
        errno = 0;
        i = strtoll(s, &ep, 10);
        if (ep == s || *ep || errno) goto syntax;
        *out = sqlv_int(SQLT_BIGINT, i);
        return 0;
    case PGWIRE_FLOAT4:
    case PGWIRE_FLOAT8:
    case PGWIRE_NUMERIC: {
        double d = strtod(s, &ep);
        if (ep == s || *ep) goto syntax;
        *out = sqlv_double(d);
        return 0;
    }
    case PGWIRE_TIMESTAMP:
    case PGWIRE_TIMESTAMPTZ:
        if (!sqlv_parse_timestamp(sl, &i)) goto syntax;
        *out = sqlv_int(SQLT_TIMESTAMP, i);
        return 0;
    case PGWIRE_DATE:
        if (!sqlv_parse_date(sl, &i)) goto syntax;
        *out = sqlv_int(SQLT_DATE, i);
        return 0;
    case 0: {
        /* untyped: what the text reads as */
        errno = 0;
        i = strtoll(s, &ep, 10);
        if (n && ep != s && !*ep && !errno) {
            *out = sqlv_int(SQLT_BIGINT, i);
            return 0;
        }
        double d = strtod(s, &ep);
        bool numeric = n && ep != s && !*ep && (isdigit((unsigned char)s[n - 1]) || s[n - 1] == '.');
        if (numeric) {
            *out = sqlv_double(d);
            return 0;
        }
        *out = sqlv_str(sl);
        return 0;
    }
    default: *out = sqlv_str(sl); return 0;
    }
syntax:
    snprintf(err->code, sizeof err->code, "22P02");
    snprintf(err->msg, sizeof err->msg, "invalid input syntax for type %s: \"%.200s\" (parameter $%zu)",
             oid == PGWIRE_BOOL ? "boolean" : oid == PGWIRE_TIMESTAMP || oid == PGWIRE_TIMESTAMPTZ ? "timestamp"
             : oid == PGWIRE_DATE ? "date" : oid == PGWIRE_FLOAT4 || oid == PGWIRE_FLOAT8 || oid == PGWIRE_NUMERIC
             ? "double precision" : "bigint", s, pno + 1);
    return -1;
}

/* Rewrites $n to "?" padded with blanks to the same length (so that byte
 * offsets, and with them error positions, do not move) and records which
 * $n each ? stands for. Returns the highest n, or -1 past MAX_PARAMS. */
static long rewrite_params(char *q, size_t n, uint32_t **order, size_t *nocc)
{
    long max = 0;
    size_t cap = 0;
    *order = NULL;
    *nocc = 0;
    for (size_t i = 0; i < n;) {
        size_t j = pgwire_skip_quoted(q, n, i);
        if (j > i) {
            i = j;
            continue;
        }
        bool word_before = i > 0 && (isalnum((unsigned char)q[i - 1]) || q[i - 1] == '_');
        if (q[i] == '$' && !word_before && i + 1 < n && q[i + 1] >= '0' && q[i + 1] <= '9') {
            size_t k = i + 1;
            long v = 0;
            while (k < n && q[k] >= '0' && q[k] <= '9') {
                if (v <= MAX_PARAMS) v = v * 10 + (q[k] - '0');
                k++;
            }
            if (v < 1 || v > MAX_PARAMS) {
                st_free(*order);
                *order = NULL;
                return -1;
            }
            if (*nocc == cap) {
                cap = cap ? cap * 2 : 8;
                *order = st_realloc(*order, cap * sizeof **order);
            }
            (*order)[(*nocc)++] = (uint32_t)(v - 1);
            if (v > max) max = v;
            q[i] = '?';
            for (size_t m = i + 1; m < k; m++) q[m] = ' ';
            i = k;
            continue;
        }
        i++;
    }
    return max;
}

/* ------------------------------------------------------------ errors */

static size_t chars_in(const char *p, size_t n)
{
    size_t c = 0;
    for (size_t i = 0; i < n; i++) c += ((uint8_t)p[i] & 0xc0) != 0x80;
    return c;
}

static bool has(const char *msg, const char *w) { return strstr(msg, w) != NULL; }

/* SQLSTATE of an engine failure. */
static const char *sqlstate(int rc, const char *msg, bool parse)
{
    switch (rc) {
    case ST_ETIMEOUT: case ST_ECANCELED: return "57014";
    case ST_ELIMIT: return "54000";
    case ST_ENOSPC: return "53100";
    case ST_ECLOSED: return "57P01";
    case ST_EINVAL: case ST_ENOTFOUND: case ST_ERANGE: case ST_ECONFLICT: break;
    default: return "XX000";
    }
    if (parse || has(msg, "mismatched input") || has(msg, "extraneous input") || has(msg, "no viable alternative"))
        return "42601";
    if (has(msg, "Column '") && (has(msg, "does not exist") || has(msg, "cannot be resolved"))) return "42703";
    if (has(msg, "Database '") && has(msg, "does not exist")) return "3D000";
    if (has(msg, "Table '") && (has(msg, "does not exist") || has(msg, "not found"))) return "42P01";
    if (has(msg, "Function '") || has(msg, "Unexpected parameters") || has(msg, "Cannot apply operator") ||
        has(msg, "Unknown function"))
        return "42883";
    if (has(msg, "must be an aggregate expression or appear in GROUP BY")) return "42803";
    if (has(msg, "Cannot nest aggregations")) return "42803";
    if (has(msg, "Division by zero")) return "22012";
    if (has(msg, "overflow") || has(msg, "out of range") || has(msg, "Out of range")) return "22003";
    if (has(msg, "regexp")) return "2201B";
    if (has(msg, "timestamp") || has(msg, "date")) {
        if (has(msg, "cast") || has(msg, "valid") || has(msg, "parse") || has(msg, "Invalid format")) return "22007";
    }
    if (has(msg, "Cannot cast") || has(msg, "cannot be cast") || has(msg, "Cannot parse") || has(msg, "Invalid format") ||
        has(msg, "not a valid"))
        return "22P02";
    if (has(msg, "Incorrect number of parameters")) return "08P01";
    if (has(msg, "Unknown type")) return "42704";
    if (has(msg, "not supported") || has(msg, "not yet supported")) return "0A000";
    if (has(msg, "too deeply") || has(msg, "exceeded") || has(msg, "too large")) return "54000";
    return "42000";
}

/* Fills err from an engine failure of the statement q[0..n), which begins
 * base_chars characters into the query string the client sent. */
static void engine_error(int rc, const st_err *e, const sql_error *where, const char *q, size_t n, size_t base_chars,
                         pgwire_error *err)
{
    const char *msg = api_client_message(rc, e->msg);
    snprintf(err->code, sizeof err->code, "%s", sqlstate(rc, msg, where && where->line));
    if (rc == ST_ECANCELED) snprintf(err->msg, sizeof err->msg, "canceling statement due to user request");
    else snprintf(err->msg, sizeof err->msg, "%s", msg);
    err->position = 0;
    size_t off = SIZE_MAX;
    if (where && where->line && where->offset <= n) {
        off = where->offset;
    } else {
        unsigned line, col;
        if (sscanf(msg, "line %u:%u:", &line, &col) == 2 && line >= 1 && col >= 1) {
            size_t i = 0;
            for (unsigned l = 1; l < line && i < n; i++)
                if (q[i] == '\n') l++;
            /* col counts characters: step over col - 1 of them */
            for (unsigned k = 1; k < col && i < n; k++) {
                i++;
                while (i < n && ((uint8_t)q[i] & 0xc0) == 0x80) i++;
            }
            off = i;
        }
    }
    if (off != SIZE_MAX) err->position = base_chars + chars_in(q, off) + 1;
}

/* ------------------------------------------------------------ statements */

static pstmt *find_stmt(pgconn *c, const char *name)
{
    for (pstmt *s = c->stmts; s; s = s->next)
        if (!strcmp(s->name, name)) return s;
    return NULL;
}

static pportal *find_portal(pgconn *c, const char *name)
{
    for (pportal *p = c->portals; p; p = p->next)
        if (!strcmp(p->name, name)) return p;
    return NULL;
}

static void stmt_free(pstmt *s)
{
    free(s->name);
    st_free(s->sql);
    st_free(s->ptypes);
    st_free(s->order);
    st_free(s);
}

static void close_stmt(pgconn *c, const char *name)
{
    for (pstmt **pp = &c->stmts; *pp; pp = &(*pp)->next)
        if (!strcmp((*pp)->name, name)) {
            pstmt *s = *pp;
            *pp = s->next;
            c->held -= s->n;
            stmt_free(s);
            c->nstmts--;
            return;
        }
}

static void close_all_stmts(pgconn *c)
{
    while (c->stmts) {
        pstmt *s = c->stmts;
        c->stmts = s->next;
        c->held -= s->n;
        stmt_free(s);
    }
    c->nstmts = 0;
}

static void portal_free(pportal *p)
{
    if (p->cur) sql_cursor_close(p->cur);
    st_buf_free(&p->res.cells);
    free(p->name);
    st_arena_free(p->a);
    st_free(p);
}

/* Unlinks and frees *pp; a FETCH portal reading it is left without a target. */
static void unlink_portal(pgconn *c, pportal **pp)
{
    pportal *p = *pp;
    *pp = p->next;
    for (pportal *q = c->portals; q; q = q->next)
        if (q->target == p) q->target = NULL;
    c->held -= p->counted;
    portal_free(p);
    c->nportals--;
}

static void close_portal(pgconn *c, const char *name)
{
    for (pportal **pp = &c->portals; *pp; pp = &(*pp)->next)
        if (!strcmp((*pp)->name, name)) {
            unlink_portal(c, pp);
            return;
        }
}

/* At the end of a transaction: every portal but the cursors declared WITH
 * HOLD (all of them when the connection ends). */
static void close_all_portals(pgconn *c, bool keep_hold)
{
    for (pportal **pp = &c->portals; *pp;) {
        if (keep_hold && (*pp)->hold) pp = &(*pp)->next;
        else unlink_portal(c, pp);
    }
}

static bool conn_cancelled(void *ctx)
{
    pgconn *c = ctx;
    if (atomic_load(&c->cancel)) return true;
    /* a client that hung up: its query need not run to the end */
    struct pollfd pf = {.fd = c->fd, .events = POLLRDHUP};
    return poll(&pf, 1, 0) > 0 && (pf.revents & (POLLRDHUP | POLLHUP | POLLERR));
}

/* Statements that change the session: described as NoData, run only by Execute. */
static bool changes_session(const char *q, size_t n)
{
    static const char *const words[] = {"begin", "start", "commit", "end", "rollback", "abort", "set", "reset",
                                        "discard", "deallocate", "savepoint", "release", "declare", "close",
                                        "move", NULL};
    size_t i = 0;
    for (;;) {
        while (i < n && isspace((unsigned char)q[i])) i++;
        size_t j = pgwire_skip_quoted(q, n, i);
        if (j > i && (q[i] == '-' || q[i] == '/')) {
            i = j;
            continue;
        }
        break;
    }
    size_t k = i;
    while (k < n && isalpha((unsigned char)q[k])) k++;
    for (int w = 0; words[w]; w++)
        if (k - i == strlen(words[w]) && !strncasecmp(q + i, words[w], k - i)) return true;
    return false;
}

/* The next word of q from *i (blanks and comments skipped): an identifier
 * lower-cased, a "quoted identifier" as written, or a number. false at the end. */
static bool next_word(const char *q, size_t n, size_t *i, char *out, size_t cap)
{
    size_t k = *i;
    for (;;) {
        while (k < n && isspace((unsigned char)q[k])) k++;
        size_t j = pgwire_skip_quoted(q, n, k);
        if (j > k && (q[k] == '-' || q[k] == '/')) {
            k = j;
            continue;
        }
        break;
    }
    if (k >= n || cap < 2) return false;
    size_t o = 0;
    if (q[k] == '"') {
        size_t j = pgwire_skip_quoted(q, n, k);
        for (size_t m = k + 1; m + 1 < j && o + 1 < cap; m++) {
            out[o++] = q[m];
            if (q[m] == '"') m++;
        }
        k = j;
    } else if (isalnum((unsigned char)q[k]) || q[k] == '_' || q[k] == '-' || q[k] == '+') {
        out[o++] = (char)tolower((unsigned char)q[k++]);
        while (k < n && (isalnum((unsigned char)q[k]) || q[k] == '_' || q[k] == '$') && o + 1 < cap)
            out[o++] = (char)tolower((unsigned char)q[k++]);
    } else {
        out[o++] = q[k++];
    }
    out[o] = 0;
    *i = k;
    return true;
}

static pportal *portal_new(const char *name, const char *sql, size_t n);
static int portal_open(pgconn *c, pportal *p, size_t base_chars, pgwire_error *err);

static int cursor_error(pgwire_error *err, const char *code, const char *fmt, const char *arg)
{
    snprintf(err->code, sizeof err->code, "%s", code);
    snprintf(err->msg, sizeof err->msg, fmt, arg);
    return -1;
}

/* DECLARE, FETCH, MOVE and CLOSE: SQL cursors, which are portals (psql's
 * FETCH_COUNT, psycopg2's named cursors). 1 when q is one of them (p is
 * then set up, or err filled and -1), 0 otherwise. */
static int cursor_statement(pgconn *c, pportal *p, size_t base_chars, pgwire_error *err)
{
    char w[256], name[256];
    size_t i = 0;
    if (!next_word(p->sql, p->n, &i, w, sizeof w)) return 0;
    p->local = true;
    p->res.rows = false;
    if (!strcmp(w, "declare")) {
        if (!next_word(p->sql, p->n, &i, name, sizeof name))
            return cursor_error(err, "42601", "syntax error at end of input%s", "");
        bool binary = false, hold = false, cursor = false, no = false;
        while (next_word(p->sql, p->n, &i, w, sizeof w)) {
            if (!strcmp(w, "binary")) binary = true;
            else if (!strcmp(w, "cursor")) cursor = true;
            else if (!strcmp(w, "with") && cursor) hold = true;
            else if (!strcmp(w, "for") && cursor) break;
            else if (!strcmp(w, "scroll") && !cursor && !no)
                return cursor_error(err, "0A000", "SCROLL cursors are not supported: cursors move forward only%s", "");
            no = !strcmp(w, "no");
        }
        if (!cursor || i >= p->n) return cursor_error(err, "42601", "syntax error in DECLARE%s", "");
        /* a cursor is over a query: not over another cursor statement (which
         * would also let a long DECLARE ... FOR DECLARE ... chain recurse) */
        size_t peek = i;
        char q1[32] = "";
        next_word(p->sql, p->n, &peek, q1, sizeof q1);
        if (!strcmp(q1, "declare") || !strcmp(q1, "fetch") || !strcmp(q1, "move") ||
            changes_session(p->sql + i, p->n - i))
            return cursor_error(err, "42601", "DECLARE CURSOR must be followed by a query, not %s", q1);
        if (c->sess.txn == 'I' && !hold)
            return cursor_error(err, "25P01", "DECLARE CURSOR can only be used in transaction blocks%s", "");
        if (find_portal(c, name)) return cursor_error(err, "42P03", "cursor \"%.200s\" already exists", name);
        if (c->nportals >= MAX_PORTALS || c->held + (p->n - i) > MAX_HELD)
            return cursor_error(err, "54000", "too many cursors, or too much text held by them%s", "");
        pportal *t = portal_new(name, p->sql + i, p->n - i);
        t->hold = hold;
        /* DECLARE ... FOR SELECT ... $1 in the extended protocol: the
         * cursor outlives this portal, so it keeps copies of the values */
        t->nparams = p->nparams;
        t->params = st_arena_alloc(t->a, (p->nparams + 1) * sizeof *t->params);
        for (size_t k = 0; k < p->nparams; k++) {
            t->params[k] = p->params[k];
            if (t->params[k].type == SQLT_VARCHAR && !t->params[k].null)
                t->params[k].u.s.p = st_arena_strndup(t->a, p->params[k].u.s.p, p->params[k].u.s.n);
        }
        if (binary) {
            t->nfmts = 1;
            t->fmts = st_arena_alloc(t->a, sizeof *t->fmts);
            t->fmts[0] = 1;
        }
        /* planned now, as PostgreSQL plans at DECLARE: errors come here */
        size_t at_chars = base_chars;
        for (size_t k = 0; k < i; k++) at_chars += ((uint8_t)p->sql[k] & 0xc0) != 0x80;
        if (portal_open(c, t, at_chars, err)) {
            portal_free(t);
            return -1;
        }
        t->next = c->portals;
        c->portals = t;
        c->nportals++;
        t->counted = t->n;
        c->held += t->counted;
        snprintf(p->res.tag, sizeof p->res.tag, "DECLARE CURSOR");
        return 1;
    }
    if (!strcmp(w, "close")) {
        if (!next_word(p->sql, p->n, &i, name, sizeof name))
            return cursor_error(err, "42601", "syntax error at end of input%s", "");
        if (!strcmp(name, "all")) {
            for (pportal **pp = &c->portals; *pp;) {
                if ((*pp)->sql && *(*pp)->name && *pp != p) unlink_portal(c, pp);
                else pp = &(*pp)->next;
            }
        } else {
            pportal *t = find_portal(c, name);
            if (!t || t == p) return cursor_error(err, "34000", "cursor \"%.200s\" does not exist", name);
            close_portal(c, name);
        }
        snprintf(p->res.tag, sizeof p->res.tag, "CLOSE CURSOR");
        return 1;
    }
    bool fetch = !strcmp(w, "fetch");
    if (!fetch && strcmp(w, "move")) {
        p->local = false;
        return 0;
    }
    /* [NEXT | FORWARD [n | ALL] | n | ALL] [FROM | IN] name */
    uint64_t count = 1;
    if (!next_word(p->sql, p->n, &i, w, sizeof w)) return cursor_error(err, "42601", "syntax error at end of input%s", "");
    static const char *const backward[] = {"prior", "first", "last", "absolute", "relative", "backward", NULL};
    for (int b = 0; backward[b]; b++)
        if (!strcmp(w, backward[b]))
            return cursor_error(err, "0A000", "FETCH %s is not supported: cursors move forward only", w);
    if (!strcmp(w, "next") || !strcmp(w, "forward")) {
        bool fwd = !strcmp(w, "forward");
        size_t save = i;
        if (!next_word(p->sql, p->n, &i, w, sizeof w)) return cursor_error(err, "42601", "syntax error%s", "");
        if (fwd && !strcmp(w, "all")) count = 0;
        else if (fwd && (isdigit((unsigned char)w[0]) || w[0] == '+')) count = strtoull(w, NULL, 10);
        else i = save;
        if (!next_word(p->sql, p->n, &i, w, sizeof w)) return cursor_error(err, "42601", "syntax error%s", "");
    } else if (!strcmp(w, "all")) {
        count = 0;
        if (!next_word(p->sql, p->n, &i, w, sizeof w)) return cursor_error(err, "42601", "syntax error%s", "");
    } else if (isdigit((unsigned char)w[0]) || w[0] == '+' || w[0] == '-') {
        if (w[0] == '-') return cursor_error(err, "0A000", "FETCH %s is not supported: cursors move forward only", w);
        count = strtoull(w, NULL, 10);
        if (count == 0) return cursor_error(err, "0A000", "FETCH 0 (the current row) is not supported%s", "");
        if (!next_word(p->sql, p->n, &i, w, sizeof w)) return cursor_error(err, "42601", "syntax error%s", "");
    }
    if (!strcmp(w, "from") || !strcmp(w, "in")) {
        if (!next_word(p->sql, p->n, &i, w, sizeof w)) return cursor_error(err, "42601", "syntax error%s", "");
    }
    pportal *t = find_portal(c, w);
    if (!t || t == p || !*w) return cursor_error(err, "34000", "cursor \"%.200s\" does not exist", w);
    p->local = false;
    p->fetch = fetch;
    p->move = !fetch;
    p->fetch_n = count;
    p->target = t;
    return 1;
}

/* The time a statement may run (ns, 0 = no limit): --query-timeout, or the
 * session's statement_timeout when that is shorter (a client may lower the
 * server's limit, never raise it). statement_timeout is milliseconds, or a
 * number with us, ms, s, min, h or d, as PostgreSQL reads it. */
static int64_t query_timeout(pgconn *c)
{
    const flags *f = c->srv->f;
    int64_t t = f && f->query_timeout > 0 ? f->query_timeout : 0;
    const char *v = pgwire_setting_get(&c->sess, "statement_timeout");
    char *ep;
    double x = v ? strtod(v, &ep) : 0;
    if (!v || ep == v || x <= 0) return t;
    while (*ep == ' ') ep++;
    double unit = 1e6; /* ms */
    if (!strcmp(ep, "us")) unit = 1e3;
    else if (!strcmp(ep, "s")) unit = 1e9;
    else if (!strcmp(ep, "min")) unit = 60e9;
    else if (!strcmp(ep, "h")) unit = 3600e9;
    else if (!strcmp(ep, "d")) unit = 86400e9;
    else if (*ep && strcmp(ep, "ms")) return t;
    double ns = x * unit;
    if (ns >= 9e18) return t;
    int64_t st = ns < 1 ? 1 : (int64_t)ns;
    return t && t < st ? t : st;
}

/* A '...' literal at q[*i] (blanks skipped): its text into out. */
static bool copy_literal(const char *q, size_t n, size_t *i, char *out, size_t cap)
{
    size_t k = *i;
    while (k < n && isspace((unsigned char)q[k])) k++;
    if (k >= n || q[k] != '\'') return false;
    size_t e = pgwire_skip_quoted(q, n, k), o = 0;
    for (size_t m = k + 1; m + 1 < e && o + 1 < cap; m++) {
        out[o++] = q[m];
        if (q[m] == '\'') m++;
    }
    out[o] = 0;
    *i = e;
    return true;
}

/* COPY (query) TO STDOUT [[WITH] (FORMAT text|csv, HEADER, DELIMITER 'c',
 * NULL 's')] and the older COPY ... TO STDOUT [CSV] [HEADER] [DELIMITER
 * [AS] 'c'] [NULL [AS] 's'] (psql's \copy ... to 'file' sends these);
 * COPY table [(columns)] TO STDOUT reads SELECT columns FROM table. When q
 * is one, p's text becomes the query and p->copy is set; -1 with err for a
 * COPY Strata does not do; 0 otherwise. */
static int copy_statement(pportal *p, size_t *base_chars, pgwire_error *err)
{
    char w[256];
    size_t i = 0;
    if (!next_word(p->sql, p->n, &i, w, sizeof w) || strcmp(w, "copy")) return 0;
    while (i < p->n && isspace((unsigned char)p->sql[i])) i++;
    const char *qs = NULL;
    size_t qn = 0;
    st_buf sel = {0};
    if (i < p->n && p->sql[i] == '(') {
        size_t k = i + 1;
        int depth = 1;
        while (k < p->n && depth) {
            size_t j = pgwire_skip_quoted(p->sql, p->n, k);
            if (j > k) {
                k = j;
                continue;
            }
            if (p->sql[k] == '(') depth++;
            else if (p->sql[k] == ')') depth--;
            k++;
        }
        if (depth) return cursor_error(err, "42601", "syntax error at end of input: COPY (query) is not closed%s", "");
        qs = p->sql + i + 1;
        qn = k - i - 2;
        for (size_t m = 0; m <= i; m++) *base_chars += ((uint8_t)p->sql[m] & 0xc0) != 0x80;
        i = k;
    } else {
        /* a table, and maybe its columns */
        size_t t0 = i;
        if (!next_word(p->sql, p->n, &i, w, sizeof w)) return cursor_error(err, "42601", "syntax error in COPY%s", "");
        st_buf_printf(&sel, "SELECT ");
        size_t save = i;
        char col[256];
        if (next_word(p->sql, p->n, &i, col, sizeof col) && !strcmp(col, "(")) {
            bool firstcol = true;
            while (next_word(p->sql, p->n, &i, col, sizeof col) && strcmp(col, ")")) {
                if (!strcmp(col, ",")) continue;
                st_buf_printf(&sel, "%s\"%s\"", firstcol ? "" : ", ", col);
                firstcol = false;
            }
        } else {
            i = save;
            st_buf_putc(&sel, '*');
        }
        st_buf_printf(&sel, " FROM %.*s", (int)(save - t0), p->sql + t0);
        qs = (const char *)sel.p;
        qn = sel.len;
    }
    int rc = 0;
    char copy_delim = 0, nul[64] = "\\N";
    bool csv = false, header = false, nul_set = false;
    if (!next_word(p->sql, p->n, &i, w, sizeof w) || strcmp(w, "to")) {
        rc = cursor_error(err, "0A000", "COPY FROM is not supported by Strata: write with line protocol or "
                                        "remote_write%s", "");
        goto out;
    }
    if (!next_word(p->sql, p->n, &i, w, sizeof w) || strcmp(w, "stdout")) {
        rc = cursor_error(err, "0A000", "COPY to a file is not supported: COPY ... TO STDOUT (psql's \\copy)%s", "");
        goto out;
    }
    while (next_word(p->sql, p->n, &i, w, sizeof w)) {
        if (!strcmp(w, "with") || !strcmp(w, "(") || !strcmp(w, ")") || !strcmp(w, ",") || !strcmp(w, "as") ||
            !strcmp(w, ";"))
            continue;
        if (!strcmp(w, "csv")) csv = true;
        else if (!strcmp(w, "binary")) {
            rc = cursor_error(err, "0A000", "COPY BINARY is not supported: use text or csv%s", "");
            goto out;
        } else if (!strcmp(w, "format")) {
            if (!next_word(p->sql, p->n, &i, w, sizeof w)) break;
            if (!strcmp(w, "csv")) csv = true;
            else if (strcmp(w, "text")) {
                rc = cursor_error(err, "0A000", "COPY format %s is not supported: text or csv", w);
                goto out;
            }
        } else if (!strcmp(w, "header")) {
            header = true;
            size_t save = i;
            if (next_word(p->sql, p->n, &i, w, sizeof w) &&
                (!strcmp(w, "false") || !strcmp(w, "off") || !strcmp(w, "0")))
                header = false;
            else if (strcmp(w, "true") && strcmp(w, "on") && strcmp(w, "1"))
                i = save;
        } else if (!strcmp(w, "delimiter")) {
            char d[8];
            size_t save = i;
            if (!next_word(p->sql, p->n, &i, w, sizeof w) || strcmp(w, "as")) i = save;
            if (!copy_literal(p->sql, p->n, &i, d, sizeof d) || strlen(d) != 1) {
                rc = cursor_error(err, "0A000", "COPY delimiter must be a single one-byte character%s", "");
                goto out;
            }
            copy_delim = d[0];
        } else if (!strcmp(w, "null")) {
            size_t save = i;
            if (!next_word(p->sql, p->n, &i, w, sizeof w) || strcmp(w, "as")) i = save;
            if (!copy_literal(p->sql, p->n, &i, nul, sizeof nul)) {
                rc = cursor_error(err, "42601", "COPY NULL wants a string%s", "");
                goto out;
            }
            nul_set = true;
        } else {
            rc = cursor_error(err, "0A000", "COPY option %s is not supported", w);
            goto out;
        }
    }
    p->copy = true;
    p->csv = csv;
    p->header = header && csv;
    p->delim = copy_delim ? copy_delim : csv ? ',' : '\t';
    p->null_str = st_arena_strndup(p->a, csv && !nul_set ? "" : nul, strlen(csv && !nul_set ? "" : nul));
    p->sql = st_arena_strndup(p->a, qs, qn);
    p->n = qn;
out:
    st_buf_free(&sel);
    return rc;
}

/* Opens the answer of a portal: a local result or an engine cursor. 0, or
 * fills err. base_chars: where the statement begins in the client's text. */
static int portal_open(pgconn *c, pportal *p, size_t base_chars, pgwire_error *err)
{
    if (p->state) return 0;
    p->state = 1;
    memset(&p->res, 0, sizeof p->res);
    int cs = copy_statement(p, &base_chars, err);
    if (cs < 0) {
        p->state = 2;
        return -1;
    }
    cs = cursor_statement(c, p, base_chars, err);
    if (cs) {
        if (cs < 0) p->state = 2;
        return cs < 0 ? -1 : 0;
    }
    pgwire_kind k = pgwire_catalog_answer(&c->sess, p->sql, p->n, &p->res, err);
    if (k == PGWIRE_EMPTY) {
        p->empty = true;
        return 0;
    }
    if (k == PGWIRE_LOCAL) {
        p->local = true;
        if (err->code[0]) {
            p->state = 2;
            return -1;
        }
        if (p->res.action == PGWIRE_ACT_DEALLOCATE_ALL) close_all_stmts(c);
        else if (p->res.action == PGWIRE_ACT_DEALLOCATE) close_stmt(c, p->res.action_name);
        return 0;
    }
    const flags *f = c->srv->f;
    p->budget = (scan_budget){.max_samples = f ? f->query_max_samples : 0, .cancelled = conn_cancelled,
                              .cancel_ctx = c};
    int64_t tmo = query_timeout(c);
    if (tmo > 0) p->budget.deadline_ns = st_mono_ns() + tmo;
    scan_budget_init(&p->budget);
    sql_run_opts o = {.s = c->srv->s, .db = c->sess.db, .max_rows = f ? f->sql_max_rows : 0,
                      .max_result_rows = f ? f->sql_max_result_rows : 0, .budget = &p->budget,
                      .params = p->params, .nparams = p->nparams};
    st_err e = {0};
    sql_error where = {0};
    int rc = sql_cursor_open(&o, p->sql, p->n, &p->cur, &e, &where);
    /* an untyped parameter taken for a number where the statement wants
     * text (note = $1 with '12'): try it as the text it was, keeping each
     * change that moves the error later in the statement (the planner checks
     * from left to right), until the statement plans or nothing helps */
    for (size_t i = 0, tries = 0; rc == ST_EINVAL && !where.line && p->guessed && i < p->nparams && tries < 16; i++) {
        if (!p->guessed[i].p) continue;
        tries++;
        sql_value was = p->params[i];
        p->params[i] = sqlv_str(p->guessed[i]);
        st_err e2 = {0};
        sql_error w2 = {0};
        sql_cursor *c2 = NULL;
        int rc2 = sql_cursor_open(&o, p->sql, p->n, &c2, &e2, &w2);
        if (rc2 == 0) {
            p->cur = c2;
            rc = 0;
            break;
        }
        unsigned l1 = 0, c1 = 0, l2 = 0, cc2 = 0;
        sscanf(e.msg, "line %u:%u:", &l1, &c1);
        sscanf(e2.msg, "line %u:%u:", &l2, &cc2);
        if (rc2 == ST_EINVAL && (l2 > l1 || (l2 == l1 && cc2 > c1))) e = e2; /* progress: keep it */
        else p->params[i] = was;
    }
    if (rc) {
        p->cur = NULL;
        p->state = 2;
        int bc = atomic_load(&p->budget.code);
        if (bc) rc = bc;
        engine_error(rc, &e, &where, p->sql, p->n, base_chars, err);
        return -1;
    }
    p->ncols = sql_cursor_ncols(p->cur);
    p->colnames = st_arena_alloc(p->a, (p->ncols + 1) * sizeof *p->colnames);
    p->coltypes = st_arena_alloc(p->a, p->ncols + 1);
    for (size_t i = 0; i < p->ncols; i++) {
        st_slice n = sql_cursor_colname(p->cur, i);
        p->colnames[i] = st_slice_of(st_arena_strndup(p->a, n.p, n.n), n.n);
        p->coltypes[i] = (uint8_t)sql_cursor_coltype(p->cur, i);
    }
    return 0;
}

static size_t portal_ncols(const pportal *p)
{
    if (p->move) return 0;
    if (p->fetch) return p->target ? portal_ncols(p->target) : 0;
    if (p->empty) return 0;
    if (p->local) return p->res.rows ? p->res.ncols : 0;
    return p->ncols;
}

static bool portal_rows(const pportal *p)
{
    if (p->copy) return false; /* CopyOutResponse, not RowDescription */
    if (p->fetch) return p->target != NULL;
    if (p->move) return false;
    return !p->empty && (p->local ? p->res.rows : p->colnames != NULL);
}

/* A FETCH answers in the cursor's columns and, unless Bind asked for
 * formats, the cursor's formats (text, or binary for DECLARE BINARY). */
static const pportal *source_of(const pportal *p) { return p->fetch && p->target ? p->target : p; }

static uint32_t portal_type(const pportal *p, size_t i)
{
    p = source_of(p);
    return p->local ? p->res.types[i] : oid_of((sql_vtype)p->coltypes[i]);
}

static const int16_t *formats_of(const pportal *p, size_t *n)
{
    const pportal *s = p->nfmts ? p : source_of(p);
    *n = s->nfmts;
    return s->fmts;
}

static int fmt_of(const int16_t *fmts, size_t nfmts, size_t i)
{
    if (!nfmts) return 0;
    return nfmts == 1 ? fmts[0] : fmts[i];
}

static void send_row_description(pgconn *c, const pportal *p)
{
    size_t nc = portal_ncols(p), nf;
    const int16_t *fmts = formats_of(p, &nf);
    const pportal *src = source_of(p);
    size_t at = msg_begin(&c->out, 'T');
    put16(&c->out, (int)nc);
    for (size_t i = 0; i < nc; i++) {
        if (src->local) {
            putstr(&c->out, src->res.names[i]);
        } else {
            st_slice n = src->colnames[i];
            st_buf_put(&c->out, n.p, n.n);
            st_buf_putc(&c->out, 0);
        }
        uint32_t oid = portal_type(p, i);
        put32(&c->out, 0);     /* not a column of a table */
        put16(&c->out, 0);
        put32(&c->out, oid);
        put16(&c->out, size_of(oid));
        put32(&c->out, 0xffffffffu); /* no type modifier */
        put16(&c->out, fmt_of(fmts, nf, i));
    }
    msg_end(&c->out, at);
}

static int check_formats(const pportal *p, pgwire_error *err)
{
    size_t nc = portal_ncols(p);
    if (p->nfmts > 1 && p->nfmts != nc) {
        snprintf(err->code, sizeof err->code, "08P01");
        snprintf(err->msg, sizeof err->msg, "bind message has %zu result formats but query has %zu columns",
                 p->nfmts, nc);
        return -1;
    }
    for (size_t i = 0; i < p->nfmts; i++)
        if (p->fmts[i] != 0 && p->fmts[i] != 1) {
            snprintf(err->code, sizeof err->code, "22023");
            snprintf(err->msg, sizeof err->msg, "unsupported format code: %d", p->fmts[i]);
            return -1;
        }
    return 0;
}

/* One field of a COPY line: text format escapes backslash, newline,
 * carriage return, tab and the delimiter; CSV quotes a field holding the
 * delimiter, a quote, CR or LF, or equal to the NULL string. */
static void copy_field(st_buf *b, const pportal *p, const char *v, size_t n)
{
    if (p->csv) {
        bool quote = n == 0 ? !*p->null_str : strlen(p->null_str) == n && !memcmp(v, p->null_str, n);
        for (size_t i = 0; i < n && !quote; i++)
            quote = v[i] == p->delim || v[i] == '"' || v[i] == '\n' || v[i] == '\r';
        if (!quote) {
            st_buf_put(b, v, n);
            return;
        }
        st_buf_putc(b, '"');
        for (size_t i = 0; i < n; i++) {
            if (v[i] == '"') st_buf_putc(b, '"');
            st_buf_putc(b, (uint8_t)v[i]);
        }
        st_buf_putc(b, '"');
        return;
    }
    for (size_t i = 0; i < n; i++) {
        char ch = v[i];
        if (ch == '\\') st_buf_put(b, "\\\\", 2);
        else if (ch == '\n') st_buf_put(b, "\\n", 2);
        else if (ch == '\r') st_buf_put(b, "\\r", 2);
        else if (ch == '\t') st_buf_put(b, "\\t", 2);
        else if (ch == p->delim) {
            st_buf_putc(b, '\\');
            st_buf_putc(b, (uint8_t)ch);
        } else st_buf_putc(b, (uint8_t)ch);
    }
}

/* Turns the DataRow just written at c->out[at - 1 ..] (text cells) into a
 * CopyData line. */
static void copy_line(pgconn *c, const pportal *p, size_t at)
{
    st_buf line = {0};
    rd r = {c->out.p + at + 4, c->out.len - at - 4, 0, false};
    int nc = get16(&r);
    for (int i = 0; i < nc; i++) {
        if (i) st_buf_putc(&line, (uint8_t)p->delim);
        int32_t l = get32(&r);
        if (l < 0) {
            st_buf_put(&line, p->null_str, strlen(p->null_str));
            continue;
        }
        copy_field(&line, p, (const char *)r.p + r.i, (size_t)l);
        r.i += (size_t)l;
    }
    st_buf_putc(&line, '\n');
    c->out.len = at - 1;
    size_t m = msg_begin(&c->out, 'd');
    st_buf_put(&c->out, line.p, line.len);
    msg_end(&c->out, m);
    st_buf_free(&line);
}

/* Sends up to max (0 = all) rows of an open portal as DataRows in the
 * formats fmts (none when discard: MOVE). 1 when max was reached, 0 at the
 * end of the answer (the portal is then done), or -1 with err filled. */
static int rows_out(pgconn *c, pportal *p, const int16_t *fmts, size_t nfmts, uint64_t max, bool discard,
                    size_t base_chars, pgwire_error *err, uint64_t *sent)
{
    size_t nc = portal_ncols(p);
    *sent = 0;
    int64_t tmo = query_timeout(c);
    if (!p->local && tmo > 0) p->budget.deadline_ns = st_mono_ns() + tmo;
    while (p->state == 1) {
        if (max && *sent == max) return 1;
        size_t at = msg_begin(&c->out, 'D');
        put16(&c->out, (int)nc);
        if (p->local) {
            if (p->res_row == p->res.nrows) {
                c->out.len = at - 1;
                p->state = 2;
                break;
            }
            rd r = {p->res.cells.p, p->res.cells.len, p->res_off, false};
            for (size_t i = 0; i < nc; i++) {
                int32_t l = get32(&r);
                if (l < 0) {
                    put32(&c->out, 0xffffffffu);
                    continue;
                }
                const char *cp = (const char *)r.p + r.i;
                r.i += (size_t)l;
                if (fmt_of(fmts, nfmts, i) == 1) {
                    size_t lat = c->out.len;
                    put32(&c->out, 0);
                    put_local_binary(&c->out, p->res.types[i], cp, (size_t)l);
                    uint32_t vl = (uint32_t)(c->out.len - lat - 4);
                    c->out.p[lat] = (uint8_t)(vl >> 24), c->out.p[lat + 1] = (uint8_t)(vl >> 16),
                    c->out.p[lat + 2] = (uint8_t)(vl >> 8), c->out.p[lat + 3] = (uint8_t)vl;
                } else {
                    put32(&c->out, (uint32_t)l);
                    st_buf_put(&c->out, cp, (size_t)l);
                }
            }
            p->res_off = r.i;
            p->res_row++;
        } else {
            const sql_value *row;
            st_err e = {0};
            int rc = sql_cursor_next(p->cur, &row, &e);
            if (rc <= 0) {
                c->out.len = at - 1;
                p->state = 2;
                if (rc < 0) {
                    int bc = atomic_load(&p->budget.code);
                    if (bc && (rc == bc || !e.code || e.code == bc)) {
                        rc = bc;
                        snprintf(e.msg, sizeof e.msg, "%s", p->budget.msg);
                    } else if (e.code) {
                        rc = e.code;
                    }
                    engine_error(rc, &e, NULL, p->sql, p->n, base_chars, err);
                    return -1;
                }
                break;
            }
            for (size_t i = 0; i < nc; i++) {
                if (row[i].null) {
                    put32(&c->out, 0xffffffffu);
                    continue;
                }
                size_t lat = c->out.len;
                put32(&c->out, 0);
                if (fmt_of(fmts, nfmts, i) == 1) put_binary(&c->out, &row[i]);
                else put_text(&c->out, &row[i]);
                uint32_t vl = (uint32_t)(c->out.len - lat - 4);
                c->out.p[lat] = (uint8_t)(vl >> 24), c->out.p[lat + 1] = (uint8_t)(vl >> 16),
                c->out.p[lat + 2] = (uint8_t)(vl >> 8), c->out.p[lat + 3] = (uint8_t)vl;
            }
        }
        if (discard) c->out.len = at - 1;
        else if (p->copy) copy_line(c, p, at);
        else msg_end(&c->out, at);
        (*sent)++;
        if (c->out.len >= OUT_FLUSH && flush_out(c)) return -1;
    }
    if (p->cur) { /* done: release what the cursor holds now */
        sql_cursor_close(p->cur);
        p->cur = NULL;
    }
    return 0;
}

/* Runs a portal for up to max rows (0 = all): DataRows, then
 * CommandComplete, PortalSuspended or EmptyQueryResponse. 0, or fills err
 * (the portal is then done). */
static int portal_run(pgconn *c, pportal *p, uint64_t max, size_t base_chars, pgwire_error *err)
{
    if (portal_open(c, p, base_chars, err)) return -1;
    if (check_formats(p, err)) {
        p->state = 2;
        return -1;
    }
    if (p->empty) {
        send_simple(c, 'I');
        p->state = 2;
        return 0;
    }
    uint64_t sent = 0;
    char tag[64];
    if (p->fetch || p->move) {
        pportal *t = p->target;
        p->state = 2;
        if (!t) return cursor_error(err, "34000", "cursor \"%s\" does not exist", "(closed)");
        size_t nf;
        const int16_t *fmts = formats_of(p, &nf);
        int r = t->state == 1 ? rows_out(c, t, fmts, nf, p->fetch_n, p->move, base_chars, err, &sent) : 0;
        if (r < 0) return -1;
        snprintf(tag, sizeof tag, "%s %" PRIu64, p->fetch ? "FETCH" : "MOVE", sent);
        send_complete(c, tag);
        return 0;
    }
    if (p->local && !p->res.rows) {
        send_complete(c, p->res.tag);
        if (p->state != 2 && p->res.action == PGWIRE_ACT_REPORT)
            send_param_status(c, p->res.action_name, pgwire_setting_get(&c->sess, p->res.action_name));
        p->state = 2;
        return 0;
    }
    if (p->copy && p->state == 1 && !p->empty) {
        /* CopyOutResponse: text, every column text; a CSV header line first */
        size_t nc = portal_ncols(p);
        size_t at = msg_begin(&c->out, 'H');
        st_buf_putc(&c->out, 0);
        put16(&c->out, (int)nc);
        for (size_t i = 0; i < nc; i++) put16(&c->out, 0);
        msg_end(&c->out, at);
        if (p->header) {
            at = msg_begin(&c->out, 'd');
            for (size_t i = 0; i < nc; i++) {
                if (i) st_buf_putc(&c->out, (uint8_t)p->delim);
                st_slice nm = p->local ? st_slice_cstr(p->res.names[i]) : p->colnames[i];
                copy_field(&c->out, p, nm.p, nm.n);
            }
            st_buf_putc(&c->out, '\n');
            msg_end(&c->out, at);
        }
        int r = rows_out(c, p, NULL, 0, 0, false, base_chars, err, &sent);
        if (r < 0) return -1;
        send_simple(c, 'c');
        snprintf(tag, sizeof tag, "COPY %" PRIu64, sent);
        send_complete(c, tag);
        return 0;
    }
    int r = rows_out(c, p, p->fmts, p->nfmts, max, false, base_chars, err, &sent);
    if (r < 0) return -1;
    if (r == 1) {
        send_simple(c, 's');
        return c->dead ? -1 : 0;
    }
    if (p->local && p->res.tag[0]) snprintf(tag, sizeof tag, "%s", p->res.tag);
    else snprintf(tag, sizeof tag, "SELECT %" PRIu64, sent);
    send_complete(c, tag);
    return 0;
}

/* An error during a statement: the failed-transaction state in a block. */
static void statement_failed(pgconn *c, const pgwire_error *err)
{
    send_error(c, "ERROR", err);
    if (c->sess.txn == 'T') c->sess.txn = 'E';
}

static pportal *portal_new(const char *name, const char *sql, size_t n)
{
    pportal *p = st_calloc(1, sizeof *p);
    p->name = strdup(name);
    p->a = st_arena_new(1024);
    p->sql = st_arena_strndup(p->a, sql, n);
    p->n = n;
    return p;
}

/* ------------------------------------------------------------ simple query */

/* The statements of a Query message, split at ; outside quotes and comments. */
static void simple_query(pgconn *c, const char *q, size_t n)
{
    close_portal(c, "");
    size_t start = 0;
    bool any = false, failed = false;
    while (start < n && !c->dead) {
        size_t i = start;
        while (i < n && q[i] != ';') {
            size_t j = pgwire_skip_quoted(q, n, i);
            i = j > i ? j : i + 1;
        }
        size_t end = i;
        size_t next = i < n ? i + 1 : n;
        pportal *p = portal_new("", q + start, end - start);
        uint32_t *order;
        size_t nocc;
        long np = rewrite_params(p->sql, p->n, &order, &nocc);
        st_free(order);
        pgwire_error err = {{0}};
        size_t base = chars_in(q, start);
        if (np > 0) {
            snprintf(err.code, sizeof err.code, "42P02");
            snprintf(err.msg, sizeof err.msg, "there is no parameter $1: the simple query protocol takes no "
                                              "parameters (use Parse/Bind)");
            statement_failed(c, &err);
            portal_free(p);
            failed = true;
            break;
        }
        atomic_store(&c->cancel, false);
        int rc = portal_open(c, p, base, &err);
        if (!rc && p->empty) { /* blank statements between semicolons are skipped */
            portal_free(p);
            start = next;
            continue;
        }
        any = true;
        if (!rc && portal_rows(p)) {
            if (check_formats(p, &err)) rc = -1;
            else send_row_description(c, p);
        }
        if (!rc) rc = portal_run(c, p, 0, base, &err);
        portal_free(p);
        if (rc) {
            if (!c->dead) statement_failed(c, &err);
            failed = true;
            break;
        }
        start = next;
    }
    if (!any && !failed && !c->dead) send_simple(c, 'I'); /* an empty query string */
}

/* ------------------------------------------------------------ extended */

static void proto_error(pgconn *c, const char *code, const char *msg)
{
    pgwire_error err = {{0}};
    snprintf(err.code, sizeof err.code, "%s", code);
    snprintf(err.msg, sizeof err.msg, "%s", msg);
    statement_failed(c, &err);
    c->skip = true;
}

static void do_parse(pgconn *c, rd *r)
{
    const char *name = getstr(r);
    const char *q = getstr(r);
    int np = get16(r);
    if (r->bad || np < 0) {
        proto_error(c, "08P01", "invalid Parse message");
        return;
    }
    size_t n = strlen(q);
    /* one statement only, as PostgreSQL requires of a prepared statement */
    for (size_t i = 0; i < n;) {
        size_t j = pgwire_skip_quoted(q, n, i);
        if (j > i) {
            i = j;
            continue;
        }
        if (q[i] == ';') {
            size_t k = i + 1;
            bool more = false;
            while (k < n) {
                size_t m = pgwire_skip_quoted(q, n, k);
                if (m > k && (q[k] == '-' || q[k] == '/')) {
                    k = m;
                    continue;
                }
                if (!isspace((unsigned char)q[k]) && q[k] != ';') {
                    more = true;
                    break;
                }
                k++;
            }
            if (more) {
                proto_error(c, "42601", "cannot insert multiple commands into a prepared statement");
                return;
            }
            n = i;
            break;
        }
        i++;
    }
    if (*name && find_stmt(c, name)) {
        char msg[300];
        snprintf(msg, sizeof msg, "prepared statement \"%.200s\" already exists", name);
        proto_error(c, "42P05", msg);
        return;
    }
    if (c->nstmts >= MAX_STATEMENTS) {
        proto_error(c, "54000", "too many prepared statements on this connection");
        return;
    }
    if (c->held + n > MAX_HELD) {
        proto_error(c, "54000", "the statements and portals of this connection would hold more than 64 MiB of "
                                "text: close some");
        return;
    }
    if (!*name) close_stmt(c, "");
    pstmt *s = st_calloc(1, sizeof *s);
    s->sql = st_malloc(n + 1);
    memcpy(s->sql, q, n);
    s->sql[n] = 0;
    s->n = n;
    long maxp = rewrite_params(s->sql, n, &s->order, &s->nocc);
    if (maxp < 0) {
        stmt_free(s);
        proto_error(c, "42P02", "parameter numbers go from $1 to $65535");
        return;
    }
    s->nparams = (size_t)(np > maxp ? np : maxp);
    s->ptypes = st_calloc(s->nparams ? s->nparams : 1, sizeof *s->ptypes);
    for (int i = 0; i < np; i++) s->ptypes[i] = (uint32_t)get32(r);
    if (r->bad) {
        stmt_free(s);
        proto_error(c, "08P01", "invalid Parse message");
        return;
    }
    /* PostgreSQL reports a syntax error (and a failed block) at Parse:
     * statements for the engine are parsed here (not planned: planning may
     * run subqueries, and Describe or Execute plan with the values) */
    if (!changes_session(s->sql, s->n)) {
        pgwire_result tmp = {0};
        pgwire_error err = {{0}};
        pgwire_kind k = pgwire_catalog_answer(&c->sess, s->sql, s->n, &tmp, &err);
        st_buf_free(&tmp.cells);
        if (k == PGWIRE_ENGINE) {
            st_arena *a = st_arena_new(4096);
            sql_stmt *parsed;
            st_err e = {0};
            sql_error where = {0};
            if (sql_parse_ex(s->sql, s->n, a, &parsed, &e, &where))
                engine_error(ST_EINVAL, &e, &where, s->sql, s->n, 0, &err);
            st_arena_free(a);
        }
        if (err.code[0]) {
            stmt_free(s);
            statement_failed(c, &err);
            c->skip = true;
            return;
        }
    }
    s->name = strdup(name);
    s->next = c->stmts;
    c->stmts = s;
    c->nstmts++;
    c->held += s->n;
    send_simple(c, '1');
}

static void do_bind(pgconn *c, rd *r)
{
    const char *pname = getstr(r);
    const char *sname = getstr(r);
    pstmt *s = find_stmt(c, sname);
    if (r->bad) {
        proto_error(c, "08P01", "invalid Bind message");
        return;
    }
    if (!s) {
        char msg[300];
        snprintf(msg, sizeof msg, "prepared statement \"%.200s\" does not exist", sname);
        proto_error(c, "26000", msg);
        return;
    }
    if (*pname && find_portal(c, pname)) {
        char msg[300];
        snprintf(msg, sizeof msg, "portal \"%.200s\" already exists", pname);
        proto_error(c, "42P03", msg);
        return;
    }
    if (c->nportals >= MAX_PORTALS) {
        proto_error(c, "54000", "too many portals on this connection");
        return;
    }
    if (c->held + s->n > MAX_HELD) {
        proto_error(c, "54000", "the statements and portals of this connection would hold more than 64 MiB of "
                                "text: close some");
        return;
    }
    if (!*pname) close_portal(c, "");
    int npf = get16(r);
    if (npf < 0 || r->bad) {
        proto_error(c, "08P01", "invalid Bind message");
        return;
    }
    int16_t *pf = st_calloc((size_t)npf + 1, sizeof *pf);
    for (int i = 0; i < npf; i++) pf[i] = get16(r);
    int np = get16(r);
    char msg[300];
    if (r->bad || (size_t)(uint16_t)np != s->nparams) {
        snprintf(msg, sizeof msg, "bind message supplies %d parameters, but prepared statement \"%.200s\" requires %zu",
                 np, sname, s->nparams);
        st_free(pf);
        proto_error(c, "08P01", msg);
        return;
    }
    if (npf > 1 && npf != np) {
        st_free(pf);
        proto_error(c, "08P01", "bind message has a parameter format count unlike its parameter count");
        return;
    }
    pportal *p = portal_new(pname, s->sql, s->n);
    sql_value *byn = st_arena_alloc(p->a, (s->nparams + 1) * sizeof *byn);
    st_slice *guess = st_arena_alloc(p->a, (s->nparams + 1) * sizeof *guess);
    pgwire_error err = {{0}};
    for (size_t i = 0; i < s->nparams; i++) {
        int32_t len = get32(r);
        if (r->bad || (len >= 0 && r->i + (size_t)len > r->n)) {
            r->bad = true;
            break;
        }
        int fmt = npf == 0 ? 0 : npf == 1 ? pf[0] : pf[i];
        if (decode_param(s->ptypes[i], fmt, r->p + r->i, len, p->a, &byn[i], &err, i)) break;
        guess[i] = st_slice_of(NULL, 0);
        if (!s->ptypes[i] && fmt == 0 && len >= 0 && (byn[i].type == SQLT_BIGINT || byn[i].type == SQLT_DOUBLE))
            guess[i] = st_slice_of(st_arena_strndup(p->a, (const char *)r->p + r->i, (size_t)len), (size_t)len);
        if (len > 0) r->i += (size_t)len;
    }
    st_free(pf);
    if (!r->bad && !err.code[0]) {
        p->nfmts = (size_t)(uint16_t)get16(r);
        p->fmts = st_arena_alloc(p->a, (p->nfmts + 1) * sizeof *p->fmts);
        for (size_t i = 0; i < p->nfmts; i++) p->fmts[i] = get16(r);
    }
    if (r->bad || err.code[0]) {
        portal_free(p);
        if (err.code[0]) {
            statement_failed(c, &err);
            c->skip = true;
        } else {
            proto_error(c, "08P01", "invalid Bind message");
        }
        return;
    }
    p->nparams = s->nocc;
    p->params = st_arena_alloc(p->a, (s->nocc + 1) * sizeof *p->params);
    p->guessed = st_arena_alloc(p->a, (s->nocc + 1) * sizeof *p->guessed);
    for (size_t i = 0; i < s->nocc; i++) {
        p->params[i] = byn[s->order[i]];
        p->guessed[i] = guess[s->order[i]];
    }
    p->next = c->portals;
    c->portals = p;
    c->nportals++;
    p->counted = p->n;
    c->held += p->counted;
    send_simple(c, '2');
}

static void send_param_description(pgconn *c, const pstmt *s)
{
    size_t at = msg_begin(&c->out, 't');
    put16(&c->out, (int)s->nparams);
    for (size_t i = 0; i < s->nparams; i++) put32(&c->out, s->ptypes[i] ? s->ptypes[i] : PGWIRE_TEXT);
    msg_end(&c->out, at);
}

static void do_describe(pgconn *c, rd *r)
{
    char what = (char)(r->i < r->n ? r->p[r->i++] : 0);
    const char *name = getstr(r);
    if (r->bad || (what != 'S' && what != 'P')) {
        proto_error(c, "08P01", "invalid Describe message");
        return;
    }
    pgwire_error err = {{0}};
    char msg[300];
    if (what == 'P') {
        pportal *p = find_portal(c, name);
        if (!p) {
            snprintf(msg, sizeof msg, "portal \"%.200s\" does not exist", name);
            proto_error(c, "34000", msg);
            return;
        }
        if (!p->state && changes_session(p->sql, p->n)) {
            send_simple(c, 'n');
            return;
        }
        if (portal_open(c, p, 0, &err) || check_formats(p, &err)) {
            statement_failed(c, &err);
            c->skip = true;
            return;
        }
        if (portal_rows(p)) send_row_description(c, p);
        else send_simple(c, 'n');
        return;
    }
    pstmt *s = find_stmt(c, name);
    if (!s) {
        snprintf(msg, sizeof msg, "prepared statement \"%.200s\" does not exist", name);
        proto_error(c, "26000", msg);
        return;
    }
    send_param_description(c, s);
    if (changes_session(s->sql, s->n)) {
        send_simple(c, 'n');
        return;
    }
    /* the columns: planned with every parameter NULL (the engine types a
     * NULL parameter as unknown, which every operator accepts) */
    pportal *p = portal_new("", s->sql, s->n);
    p->nparams = s->nocc;
    p->params = st_arena_alloc(p->a, (s->nocc + 1) * sizeof *p->params);
    for (size_t i = 0; i < s->nocc; i++) p->params[i] = sqlv_null(SQLT_UNKNOWN);
    if (portal_open(c, p, 0, &err)) {
        portal_free(p);
        statement_failed(c, &err);
        c->skip = true;
        return;
    }
    if (portal_rows(p)) send_row_description(c, p);
    else send_simple(c, 'n');
    portal_free(p);
}

static void do_execute(pgconn *c, rd *r)
{
    const char *name = getstr(r);
    int32_t max = get32(r);
    if (r->bad) {
        proto_error(c, "08P01", "invalid Execute message");
        return;
    }
    pportal *p = find_portal(c, name);
    if (!p) {
        char msg[300];
        snprintf(msg, sizeof msg, "portal \"%.200s\" does not exist", name);
        proto_error(c, "34000", msg);
        return;
    }
    if (p->state == 2 && !(p->local && !p->res.rows)) {
        send_complete(c, "SELECT 0");
        return;
    }
    pgwire_error err = {{0}};
    atomic_store(&c->cancel, false);
    if (portal_run(c, p, max > 0 ? (uint64_t)max : 0, 0, &err) && !c->dead) {
        statement_failed(c, &err);
        c->skip = true;
    }
}

static void do_close(pgconn *c, rd *r)
{
    char what = (char)(r->i < r->n ? r->p[r->i++] : 0);
    const char *name = getstr(r);
    if (r->bad || (what != 'S' && what != 'P')) {
        proto_error(c, "08P01", "invalid Close message");
        return;
    }
    if (what == 'S') close_stmt(c, name);
    else close_portal(c, name);
    send_simple(c, '3');
}

/* ------------------------------------------------------------ start-up */

/* Where authentication will plug in (the security issue): 0 lets the
 * session start; otherwise err says why not (28P01, 28000). Today every
 * user is trusted and AuthenticationOk follows. */
static int authenticate(pgconn *c, const char *user, pgwire_error *err)
{
    (void)c, (void)user, (void)err;
    return 0;
}

/* The options start-up parameter: "-c name=value --name=value ...". */
static int apply_options(pgconn *c, const char *opts, pgwire_error *err)
{
    char buf[1024];
    snprintf(buf, sizeof buf, "%s", opts);
    char *save = NULL;
    bool want = false;
    for (char *t = strtok_r(buf, " \t", &save); t; t = strtok_r(NULL, " \t", &save)) {
        if (!strcmp(t, "-c")) {
            want = true;
            continue;
        }
        if (!strncmp(t, "--", 2)) t += 2, want = true;
        else if (!strncmp(t, "-c", 2)) t += 2, want = true;
        if (!want) continue;
        want = false;
        char *eq = strchr(t, '=');
        if (!eq) continue;
        *eq = 0;
        for (char *p = t; *p; p++)
            if (*p == '-') *p = '_';
        if (pgwire_setting_set(&c->sess, t, eq + 1, err)) return -1;
    }
    return 0;
}

static void do_cancel(pgwire_server *srv, int32_t pid, int32_t secret)
{
    pthread_mutex_lock(&srv->mu);
    for (unsigned i = 0; i < srv->nconns; i++) {
        pgconn *o = srv->conns[i];
        if (o && o->session && o->pid == pid && o->secret == secret) atomic_store(&o->cancel, true);
    }
    pthread_mutex_unlock(&srv->mu);
}

/* 0: a session is up; -1: the connection ends (refused, cancel request, gone). */
static int startup(pgconn *c)
{
    pgwire_server *srv = c->srv;
    int tmo = 10000; /* the start-up must not linger: PostgreSQL's authentication_timeout is a minute */
    for (;;) {
        uint8_t lb[4];
        if (read_full(c, lb, 4, tmo, NULL)) return -1;
        uint32_t len = ((uint32_t)lb[0] << 24) | ((uint32_t)lb[1] << 16) | ((uint32_t)lb[2] << 8) | lb[3];
        if (len < 8 || len > MAX_STARTUP) {
            fatal(c, "08P01", "invalid length of startup packet");
            return -1;
        }
        st_buf_reserve(&c->in, len);
        c->in.len = 0;
        if (read_full(c, c->in.p, len - 4, tmo, NULL)) return -1;
        c->in.len = len - 4;
        rd r = {c->in.p, c->in.len, 0, false};
        int32_t code = get32(&r);
        if (code == 80877103 || code == 80877104) { /* SSLRequest, GSSENCRequest: not yet */
            st_buf_putc(&c->out, 'N');
            if (flush_out(c)) return -1;
            continue;
        }
        if (code == 80877102) { /* CancelRequest */
            int32_t pid = get32(&r), secret = get32(&r);
            if (!r.bad) do_cancel(srv, pid, secret);
            return -1;
        }
        if ((code >> 16) != 3) {
            char msg[200];
            snprintf(msg, sizeof msg, "unsupported frontend protocol %d.%d: server supports 3.0 to 3.0",
                     code >> 16, code & 0xffff);
            fatal(c, "0A000", msg);
            return -1;
        }
        const char *user = NULL, *db = NULL, *unknown[64];
        size_t nunknown = 0;
        pgwire_error err = {{0}};
        for (;;) {
            const char *k = getstr(&r);
            if (r.bad || !*k) break;
            const char *v = getstr(&r);
            if (r.bad) break;
            if (!strcmp(k, "user")) user = v;
            else if (!strcmp(k, "database")) db = v;
            else if (!strcmp(k, "options")) {
                if (apply_options(c, v, &err)) break;
            } else if (!strcmp(k, "replication")) {
                if (strcasecmp(v, "false") && strcasecmp(v, "off") && strcmp(v, "0")) {
                    fatal(c, "0A000", "replication connections are not supported by Strata");
                    return -1;
                }
            } else if (!strncmp(k, "_pq_.", 5)) {
                if (nunknown < 64) unknown[nunknown++] = k;
            } else if (pgwire_setting_set(&c->sess, k, v, &err)) {
                break;
            }
        }
        if (r.bad) {
            fatal(c, "08P01", "invalid startup packet layout: expected terminator as last byte");
            return -1;
        }
        if (err.code[0]) {
            send_error(c, "FATAL", &err);
            flush_out(c);
            return -1;
        }
        if (!user || !*user) {
            fatal(c, "28000", "no PostgreSQL user name specified in startup packet");
            return -1;
        }
        if (!db || !*db) db = user;
        if (strlen(db) >= sizeof c->sess.db || strlen(user) >= sizeof c->sess.user) {
            /* no Strata database has such a name (a prefix of it might) */
            fatal(c, strlen(db) >= sizeof c->sess.db ? "3D000" : "28000", "database or user name too long");
            return -1;
        }
        snprintf(c->sess.user, sizeof c->sess.user, "%s", user);
        snprintf(c->sess.db, sizeof c->sess.db, "%s", db);
        if ((code & 0xffff) != 0 || nunknown) {
            /* a newer minor version or protocol options: say what we speak */
            size_t at = msg_begin(&c->out, 'v');
            put32(&c->out, 196608);
            put32(&c->out, (uint32_t)nunknown);
            for (size_t i = 0; i < nunknown; i++) putstr(&c->out, unknown[i]);
            msg_end(&c->out, at);
        }
        if (authenticate(c, user, &err)) {
            send_error(c, "FATAL", &err);
            flush_out(c);
            return -1;
        }
        if (!store_db_exists(srv->s, db)) {
            char msg[300];
            snprintf(msg, sizeof msg, "database \"%.200s\" does not exist", db);
            fatal(c, "3D000", msg);
            return -1;
        }
        pthread_mutex_lock(&srv->mu);
        bool full = srv->sessions >= srv->max_sessions || srv->stopping;
        if (!full) {
            srv->sessions++;
            c->session = true;
        }
        pthread_mutex_unlock(&srv->mu);
        if (full) {
            fatal(c, "53300", "sorry, too many clients already");
            return -1;
        }
        size_t at = msg_begin(&c->out, 'R');
        put32(&c->out, 0); /* AuthenticationOk */
        msg_end(&c->out, at);
        static const char *const reported[] = {"application_name", "client_encoding", "DateStyle",
                                               "default_transaction_read_only", "in_hot_standby",
                                               "integer_datetimes", "IntervalStyle", "is_superuser",
                                               "server_encoding", "server_version", "session_authorization",
                                               "standard_conforming_strings", "TimeZone", NULL};
        for (int i = 0; reported[i]; i++) send_param_status(c, reported[i], pgwire_setting_get(&c->sess, reported[i]));
        at = msg_begin(&c->out, 'K');
        put32(&c->out, (uint32_t)c->pid);
        put32(&c->out, (uint32_t)c->secret);
        msg_end(&c->out, at);
        send_ready(c);
        return c->dead ? -1 : 0;
    }
}

/* ------------------------------------------------------------ the connection */

static void serve(pgconn *c)
{
    if (startup(c)) return;
    pgwire_server *srv = c->srv;
    int idle_ms = (int)(srv->idle_timeout_s > 2000000 ? 2000000000 : srv->idle_timeout_s * 1000);
    while (!c->dead) {
        uint8_t h[5];
        bool idle = false;
        /* output waits for Sync, Flush or a full buffer, as the protocol
         * lets a server batch it */
        if (read_full(c, h, 1, idle_ms, &idle)) {
            if (idle) fatal(c, "57P05", "terminating connection due to idle-session timeout");
            return;
        }
        if (read_full(c, h + 1, 4, idle_ms, NULL)) return;
        uint32_t len = ((uint32_t)h[1] << 24) | ((uint32_t)h[2] << 16) | ((uint32_t)h[3] << 8) | h[4];
        if (len < 4) {
            fatal(c, "08P01", "invalid message length");
            return;
        }
        if (len - 4 > PGWIRE_MAX_MESSAGE) {
            char msg[200];
            snprintf(msg, sizeof msg, "message of %" PRIu32 " bytes is larger than the maximum of %u bytes", len - 4,
                     PGWIRE_MAX_MESSAGE);
            fatal(c, "54000", msg);
            return;
        }
        /* read in steps, so that a large message announced is only held
         * as far as it has actually arrived */
        c->in.len = 0;
        size_t need = len - 4;
        st_buf_reserve(&c->in, 1);
        while (c->in.len < need) {
            size_t step = need - c->in.len < (1u << 20) ? need - c->in.len : (1u << 20);
            st_buf_reserve(&c->in, step + 1);
            if (read_full(c, c->in.p + c->in.len, step, idle_ms, NULL)) return;
            c->in.len += step;
        }
        c->in.p[c->in.len] = 0;
        rd r = {c->in.p, c->in.len, 0, false};
        char type = (char)h[0];
        if (type == 'X') return;
        /* a cancel that arrived while the session was idle cancels nothing */
        atomic_store(&c->cancel, false);
        if (c->skip && type != 'S') continue; /* after an error, until Sync */
        switch (type) {
        case 'Q': {
            const char *q = getstr(&r);
            if (r.bad) {
                fatal(c, "08P01", "invalid Query message");
                return;
            }
            simple_query(c, q, strlen(q));
            if (c->sess.txn == 'I') close_all_portals(c, true);
            send_ready(c);
            break;
        }
        case 'P': do_parse(c, &r); break;
        case 'B': do_bind(c, &r); break;
        case 'D': do_describe(c, &r); break;
        case 'E': do_execute(c, &r); break;
        case 'C': do_close(c, &r); break;
        case 'H': flush_out(c); break;
        case 'S':
            c->skip = false;
            /* outside a block, Sync ends the implicit transaction and its portals */
            if (c->sess.txn == 'I') close_all_portals(c, true);
            send_ready(c);
            break;
        case 'F':
            proto_error(c, "0A000", "the function call protocol is not supported");
            c->skip = false;
            send_ready(c);
            break;
        case 'd': case 'c': case 'f': break; /* COPY data after an error: dropped */
        default: {
            char msg[100];
            snprintf(msg, sizeof msg, "invalid frontend message type %d", (int)(uint8_t)type);
            fatal(c, "08P01", msg);
            return;
        }
        }
        /* a large message's buffer is not kept for the idle life of the connection */
        if (c->in.cap > (1u << 20)) {
            st_buf_free(&c->in);
            memset(&c->in, 0, sizeof c->in);
        }
    }
}

static void *conn_main(void *arg)
{
    pgconn *c = arg;
    pgwire_server *srv = c->srv;
    serve(c);
    flush_out(c);
    /* cursors go before the server is told: once the last connection is
     * counted out, the store may close */
    close_all_portals(c, false);
    close_all_stmts(c);
    pgwire_sess_free(&c->sess);
    st_buf_free(&c->in);
    st_buf_free(&c->out);
    pthread_mutex_lock(&srv->mu);
    srv->conns[c->slot] = NULL;
    if (c->session) srv->sessions--;
    srv->live--;
    pthread_cond_broadcast(&srv->cv);
    pthread_mutex_unlock(&srv->mu);
    close(c->fd); /* after leaving the registry, which pgwire_stop shuts sockets down through */
    st_free(c);
    return NULL;
}

static void *acceptor_main(void *arg)
{
    pgwire_server *srv = arg;
    for (;;) {
        struct pollfd pf[2] = {{.fd = srv->lfd, .events = POLLIN}, {.fd = srv->wake[0], .events = POLLIN}};
        int pr = poll(pf, 2, -1);
        if (pr < 0 && errno == EINTR) continue;
        if (pf[1].revents) break;
        if (!(pf[0].revents & POLLIN)) continue;
        int fd = accept4(srv->lfd, NULL, NULL, SOCK_CLOEXEC);
        if (fd < 0) {
            if (errno == EMFILE || errno == ENFILE) usleep(100000); /* let connections go first */
            continue;
        }
        int one = 1;
        setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
        setsockopt(fd, SOL_SOCKET, SO_KEEPALIVE, &one, sizeof one);
        /* a client that stops reading must not hold its thread forever */
        struct timeval tv = {.tv_sec = srv->idle_timeout_s};
        setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
        pgconn *c = st_calloc(1, sizeof *c);
        c->srv = srv;
        c->fd = fd;
        c->sess.s = srv->s;
        c->sess.txn = 'I';
        c->sess.max_connections = srv->max_sessions;
        uint32_t secret = 0;
        if (getrandom(&secret, sizeof secret, GRND_NONBLOCK) != sizeof secret)
            secret = (uint32_t)st_mono_ns() * 2654435761u;
        c->secret = (int32_t)secret;
        pthread_mutex_lock(&srv->mu);
        int slot = -1;
        for (unsigned i = 0; i < srv->nconns && slot < 0; i++)
            if (!srv->conns[i]) slot = (int)i;
        if (slot >= 0 && !srv->stopping) {
            srv->next_pid = srv->next_pid >= 0x3fffffff ? 1000 : srv->next_pid + 1;
            c->pid = c->sess.pid = srv->next_pid;
            c->slot = slot;
            srv->conns[slot] = c;
            srv->live++;
        }
        pthread_mutex_unlock(&srv->mu);
        if (slot < 0 || c->slot != slot) {
            /* beyond sessions and spare threads: refuse without a thread */
            fatal(c, "53300", "sorry, too many clients already");
            close(fd);
            st_buf_free(&c->out);
            st_free(c);
            continue;
        }
        pthread_attr_t at;
        pthread_attr_init(&at);
        pthread_attr_setdetachstate(&at, PTHREAD_CREATE_DETACHED);
        pthread_t t;
        if (pthread_create(&t, &at, conn_main, c)) {
            pthread_mutex_lock(&srv->mu);
            srv->conns[slot] = NULL;
            srv->live--;
            pthread_mutex_unlock(&srv->mu);
            close(fd);
            st_free(c);
        }
        pthread_attr_destroy(&at);
    }
    return NULL;
}

/* ------------------------------------------------------------ the server */

int pgwire_start(const pgwire_opts *o, pgwire_server **out, st_err *e)
{
    const char *colon = o->listen ? strrchr(o->listen, ':') : NULL;
    if (!colon || !colon[1]) /* ":8812" is every interface, as --listen reads it */
        return st_fail(e, ST_EINVAL, "--pg-listen: \"%s\" is not host:port", o->listen ? o->listen : "");
    pgwire_server *srv = st_calloc(1, sizeof *srv);
    size_t hl = (size_t)(colon - o->listen);
    const char *h = o->listen;
    if (h[0] == '[' && hl >= 2 && h[hl - 1] == ']') h++, hl -= 2; /* [::1]:8812 */
    snprintf(srv->host, sizeof srv->host, "%.*s", (int)hl, h);
    char *ep;
    long port = strtol(colon + 1, &ep, 10);
    if (*ep || port < 0 || port > 65535) {
        st_free(srv);
        return st_fail(e, ST_EINVAL, "--pg-listen: bad port in \"%s\"", o->listen);
    }
    srv->port = (int)port;
    srv->max_sessions = o->max_connections ? o->max_connections : 64;
    srv->idle_timeout_s = o->idle_timeout_s ? o->idle_timeout_s : PGWIRE_IDLE_TIMEOUT_S;
    srv->s = o->s;
    srv->f = o->f;
    srv->next_pid = 1000;
    struct addrinfo hints = {.ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM, .ai_flags = AI_PASSIVE};
    struct addrinfo *ai = NULL;
    char ps[16];
    snprintf(ps, sizeof ps, "%d", srv->port);
    int gr = getaddrinfo(*srv->host ? srv->host : NULL, ps, &hints, &ai);
    if (gr) {
        st_free(srv);
        return st_fail(e, ST_EINVAL, "--pg-listen %s: %s", o->listen, gai_strerror(gr));
    }
    int fd = -1, err = 0;
    for (struct addrinfo *a = ai; a && fd < 0; a = a->ai_next) {
        fd = socket(a->ai_family, a->ai_socktype | SOCK_CLOEXEC, a->ai_protocol);
        if (fd < 0) {
            err = errno;
            continue;
        }
        int one = 1;
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
        if (bind(fd, a->ai_addr, a->ai_addrlen) || listen(fd, 128)) {
            err = errno;
            close(fd);
            fd = -1;
        }
    }
    freeaddrinfo(ai);
    if (fd < 0) {
        st_free(srv);
        return st_fail(e, ST_EIO, "--pg-listen %s: cannot listen: %s", o->listen, strerror(err));
    }
    srv->lfd = fd;
    if (pipe2(srv->wake, O_CLOEXEC)) {
        close(fd);
        st_free(srv);
        return st_fail(e, ST_EIO, "pgwire: pipe: %s", strerror(errno));
    }
    srv->nconns = srv->max_sessions + EXTRA_THREADS;
    srv->conns = st_calloc(srv->nconns, sizeof *srv->conns);
    pthread_mutex_init(&srv->mu, NULL);
    pthread_cond_init(&srv->cv, NULL);
    if (pthread_create(&srv->acceptor, NULL, acceptor_main, srv)) {
        close(fd);
        close(srv->wake[0]);
        close(srv->wake[1]);
        st_free(srv->conns);
        st_free(srv);
        return st_fail(e, ST_EIO, "pgwire: cannot start the acceptor thread");
    }
    *out = srv;
    return 0;
}

void pgwire_stop(pgwire_server *srv, unsigned grace_s)
{
    if (!srv) return;
    pthread_mutex_lock(&srv->mu);
    srv->stopping = true;
    pthread_mutex_unlock(&srv->mu);
    ssize_t w = write(srv->wake[1], "x", 1);
    (void)w;
    pthread_join(srv->acceptor, NULL);
    close(srv->lfd);
    /* running queries stop at their next budget poll; reads and writes
     * return at once */
    pthread_mutex_lock(&srv->mu);
    for (unsigned i = 0; i < srv->nconns; i++)
        if (srv->conns[i]) {
            atomic_store(&srv->conns[i]->cancel, true);
            shutdown(srv->conns[i]->fd, SHUT_RDWR);
        }
    struct timespec until;
    clock_gettime(CLOCK_REALTIME, &until);
    until.tv_sec += grace_s;
    while (srv->live > 0)
        if (pthread_cond_timedwait(&srv->cv, &srv->mu, &until)) break;
    bool left = srv->live > 0;
    pthread_mutex_unlock(&srv->mu);
    if (left) return; /* threads still hold it: leaked on purpose at exit */
    close(srv->wake[0]);
    close(srv->wake[1]);
    pthread_mutex_destroy(&srv->mu);
    pthread_cond_destroy(&srv->cv);
    st_free(srv->conns);
    st_free(srv);
}
