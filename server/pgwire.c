/* pgwire: the PostgreSQL frontend/backend protocol 3.0 (see pgwire.h).
 *
 * Layout: this file holds the listener (an acceptor thread, a thread per
 * connection, the registry cancel requests look up), the start-up, and the
 * message loop with the simple and extended query protocols. Statements and
 * portals, cursors and COPY are in pgwire_portal.c; the values' text and
 * binary forms, parameters and SQLSTATEs in pgwire_value.c; statements the
 * front answers itself in pgwire_catalog.c. What they share is in
 * pgwire_int.h.
 */
#include "pgwire.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
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

#include "pgwire_int.h"

#define MAX_STARTUP 10000          /* PostgreSQL's own limit for the start-up packet */
#define EXTRA_THREADS 8            /* connections beyond max_connections: cancel requests, refusals */
#define MAX_STATEMENTS 10000       /* prepared statements a connection may hold */

/* ------------------------------------------------------------ output */

/* Receives into buf (TLS or not): > 0 bytes, 0 closed, < 0 error. */
static long conn_recv(pgconn *c, void *buf, size_t n)
{
    for (;;) {
        long r = c->tls ? tls_conn_recv(c->tls, buf, n) : (long)recv(c->fd, buf, n, 0);
        if (r < 0 && !c->tls && errno == EINTR) continue;
        return r;
    }
}

int pgwire_flush_out(pgconn *c)
{
    size_t off = 0;
    while (off < c->out.len && !c->dead) {
        ssize_t w = c->tls ? tls_conn_send(c->tls, c->out.p + off, c->out.len - off)
                           : send(c->fd, c->out.p + off, c->out.len - off, MSG_NOSIGNAL);
        if (w < 0 && !c->tls && errno == EINTR) continue;
        if (w <= 0) {
            c->dead = true;
            break;
        }
        off += (size_t)w;
    }
    c->out.len = 0;
    return c->dead ? -1 : 0;
}

void pgwire_send_simple(pgconn *c, char type)
{
    size_t at = pgwire_msg_begin(&c->out, type);
    pgwire_msg_end(&c->out, at);
}

void pgwire_send_param_status(pgconn *c, const char *name, const char *value)
{
    size_t at = pgwire_msg_begin(&c->out, 'S');
    pgwire_putstr(&c->out, name);
    pgwire_putstr(&c->out, value ? value : "");
    pgwire_msg_end(&c->out, at);
}

static void send_ready(pgconn *c)
{
    size_t at = pgwire_msg_begin(&c->out, 'Z');
    st_buf_putc(&c->out, (uint8_t)c->sess.txn);
    pgwire_msg_end(&c->out, at);
    pgwire_flush_out(c);
}

void pgwire_send_complete(pgconn *c, const char *tag)
{
    size_t at = pgwire_msg_begin(&c->out, 'C');
    pgwire_putstr(&c->out, tag);
    pgwire_msg_end(&c->out, at);
}

static void send_error(pgconn *c, const char *severity, const pgwire_error *err)
{
    size_t at = pgwire_msg_begin(&c->out, 'E');
    st_buf_putc(&c->out, 'S');
    pgwire_putstr(&c->out, severity);
    st_buf_putc(&c->out, 'V');
    pgwire_putstr(&c->out, severity);
    st_buf_putc(&c->out, 'C');
    pgwire_putstr(&c->out, err->code[0] ? err->code : "XX000");
    st_buf_putc(&c->out, 'M');
    pgwire_putstr(&c->out, err->msg);
    if (err->position) {
        char pos[24];
        snprintf(pos, sizeof pos, "%zu", err->position);
        st_buf_putc(&c->out, 'P');
        pgwire_putstr(&c->out, pos);
    }
    st_buf_putc(&c->out, 0);
    pgwire_msg_end(&c->out, at);
}

static void fatal(pgconn *c, const char *code, const char *msg)
{
    pgwire_error err = {{0}};
    snprintf(err.code, sizeof err.code, "%s", code);
    snprintf(err.msg, sizeof err.msg, "%s", msg);
    send_error(c, "FATAL", &err);
    pgwire_flush_out(c);
}

/* ------------------------------------------------------------ input */

/* Reads exactly n bytes, waiting at most timeout_ms for each part, and not
 * past c->deadline_ns when set (a client trickling a byte at a time must
 * not hold a slot through the start-up). 0, or -1 when the peer closed,
 * failed or stayed silent (*idle set then). What has arrived beyond them
 * waits in c->ahead for the next read. */
static int read_full(pgconn *c, void *buf, size_t n, int timeout_ms, bool *idle)
{
    size_t got = 0;
    while (got < n) {
        if (c->ahead_at < c->ahead_len) {
            size_t k = c->ahead_len - c->ahead_at < n - got ? c->ahead_len - c->ahead_at : n - got;
            memcpy((char *)buf + got, c->ahead + c->ahead_at, k);
            c->ahead_at += k;
            got += k;
            continue;
        }
        if (!c->tls || !tls_conn_pending(c->tls)) { /* TLS may hold decrypted bytes the socket does not show */
            int wait = timeout_ms;
            if (c->deadline_ns) {
                int64_t left = (c->deadline_ns - st_mono_ns()) / 1000000;
                if (left <= 0) return -1;
                if (left < wait) wait = (int)left;
            }
            struct pollfd pf = {.fd = c->fd, .events = POLLIN};
            int pr = poll(&pf, 1, wait);
            if (pr < 0 && errno == EINTR) continue;
            if (pr == 0) {
                if (idle) *idle = true;
                return -1;
            }
            if (pr < 0) return -1;
        }
        if (n - got >= sizeof c->ahead) { /* a large part: straight into place */
            long r = conn_recv(c, (char *)buf + got, n - got);
            if (r <= 0) return -1;
            got += (size_t)r;
            continue;
        }
        long r = conn_recv(c, c->ahead, sizeof c->ahead);
        if (r <= 0) return -1;
        c->ahead_at = 0;
        c->ahead_len = (size_t)r;
    }
    return 0;
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

/* An error during a statement: the failed-transaction state in a block. */
static void statement_failed(pgconn *c, const pgwire_error *err)
{
    send_error(c, "ERROR", err);
    if (c->sess.txn == 'T') c->sess.txn = 'E';
}

/* ------------------------------------------------------------ simple query */

/* The statements of a Query message, split at ; outside quotes and comments. */
static void simple_query(pgconn *c, const char *q, size_t n)
{
    pgwire_close_portal(c, "");
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
        pportal *p = pgwire_portal_new("", q + start, end - start);
        uint32_t *order;
        size_t nocc;
        long np = pgwire_rewrite_params(p->sql, p->n, &order, &nocc);
        st_free(order);
        pgwire_error err = {{0}};
        size_t base = pgwire_chars_in(q, start);
        if (np > 0) {
            snprintf(err.code, sizeof err.code, "42P02");
            snprintf(err.msg, sizeof err.msg, "there is no parameter $1: the simple query protocol takes no "
                                              "parameters (use Parse/Bind)");
            statement_failed(c, &err);
            pgwire_portal_free(p);
            failed = true;
            break;
        }
        atomic_store(&c->cancel, false);
        int rc = pgwire_portal_open(c, p, base, &err);
        if (!rc && p->empty) { /* blank statements between semicolons are skipped */
            pgwire_portal_free(p);
            start = next;
            continue;
        }
        any = true;
        if (!rc && pgwire_portal_rows(p)) {
            if (pgwire_check_formats(p, &err)) rc = -1;
            else pgwire_send_row_description(c, p);
        }
        if (!rc) rc = pgwire_portal_run(c, p, 0, base, &err);
        pgwire_portal_free(p);
        if (rc) {
            if (!c->dead) statement_failed(c, &err);
            failed = true;
            break;
        }
        start = next;
    }
    if (!any && !failed && !c->dead) pgwire_send_simple(c, 'I'); /* an empty query string */
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
    int np = pgwire_get16(r);
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
    if (*name && pgwire_find_stmt(c, name)) {
        char msg[300];
        snprintf(msg, sizeof msg, "prepared statement \"%.200s\" already exists", name);
        proto_error(c, "42P05", msg);
        return;
    }
    if (c->nstmts >= MAX_STATEMENTS) {
        proto_error(c, "54000", "too many prepared statements on this connection");
        return;
    }
    if (c->held + n > PGWIRE_MAX_HELD) {
        proto_error(c, "54000", "the statements and portals of this connection would hold more than 64 MiB of "
                                "text: close some");
        return;
    }
    if (!*name) pgwire_close_stmt(c, "");
    pstmt *s = st_calloc(1, sizeof *s);
    s->sql = st_malloc(n + 1);
    memcpy(s->sql, q, n);
    s->sql[n] = 0;
    s->n = n;
    long maxp = pgwire_rewrite_params(s->sql, n, &s->order, &s->nocc);
    if (maxp < 0) {
        pgwire_stmt_free(s);
        proto_error(c, "42P02", "parameter numbers go from $1 to $65535");
        return;
    }
    s->nparams = (size_t)(np > maxp ? np : maxp);
    s->ptypes = st_calloc(s->nparams ? s->nparams : 1, sizeof *s->ptypes);
    for (int i = 0; i < np; i++) s->ptypes[i] = (uint32_t)pgwire_get32(r);
    if (r->bad) {
        pgwire_stmt_free(s);
        proto_error(c, "08P01", "invalid Parse message");
        return;
    }
    /* PostgreSQL reports a syntax error (and a failed block) at Parse:
     * statements for the engine are parsed here (not planned: planning may
     * run subqueries, and Describe or Execute plan with the values) */
    if (!pgwire_changes_session(s->sql, s->n)) {
        pgwire_result tmp = {0};
        pgwire_error err = {{0}};
        c->sess.parsing = true; /* set_config() takes effect when executed */
        pgwire_kind k = pgwire_catalog_answer(&c->sess, s->sql, s->n, &tmp, &err);
        c->sess.parsing = false;
        st_buf_free(&tmp.cells);
        if (k == PGWIRE_ENGINE) {
            st_arena *a = st_arena_new(4096);
            sql_stmt *parsed;
            st_err e = {0};
            sql_error where = {0};
            if (sql_parse_ex(s->sql, s->n, a, &parsed, &e, &where))
                pgwire_engine_error(ST_EINVAL, &e, &where, s->sql, s->n, 0, &err);
            st_arena_free(a);
        }
        if (err.code[0]) {
            pgwire_stmt_free(s);
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
    pgwire_send_simple(c, '1');
}

static void do_bind(pgconn *c, rd *r)
{
    const char *pname = getstr(r);
    const char *sname = getstr(r);
    pstmt *s = pgwire_find_stmt(c, sname);
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
    if (*pname && pgwire_find_portal(c, pname)) {
        char msg[300];
        snprintf(msg, sizeof msg, "portal \"%.200s\" already exists", pname);
        proto_error(c, "42P03", msg);
        return;
    }
    if (c->nportals >= PGWIRE_MAX_PORTALS) {
        proto_error(c, "54000", "too many portals on this connection");
        return;
    }
    if (c->held + s->n > PGWIRE_MAX_HELD) {
        proto_error(c, "54000", "the statements and portals of this connection would hold more than 64 MiB of "
                                "text: close some");
        return;
    }
    if (!*pname) pgwire_close_portal(c, "");
    int npf = pgwire_get16(r);
    if (npf < 0 || r->bad) {
        proto_error(c, "08P01", "invalid Bind message");
        return;
    }
    int16_t *pf = st_calloc((size_t)npf + 1, sizeof *pf);
    for (int i = 0; i < npf; i++) pf[i] = pgwire_get16(r);
    int np = pgwire_get16(r);
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
    pportal *p = pgwire_portal_new(pname, s->sql, s->n);
    sql_value *byn = st_arena_alloc(p->a, (s->nparams + 1) * sizeof *byn);
    st_slice *guess = st_arena_alloc(p->a, (s->nparams + 1) * sizeof *guess);
    pgwire_error err = {{0}};
    for (size_t i = 0; i < s->nparams; i++) {
        int32_t len = pgwire_get32(r);
        if (r->bad || (len >= 0 && r->i + (size_t)len > r->n)) {
            r->bad = true;
            break;
        }
        int fmt = npf == 0 ? 0 : npf == 1 ? pf[0] : pf[i];
        if (pgwire_decode_param(s->ptypes[i], fmt, r->p + r->i, len, p->a, &byn[i], &err, i)) break;
        guess[i] = st_slice_of(NULL, 0);
        if (!s->ptypes[i] && fmt == 0 && len >= 0 && (byn[i].type == SQLT_BIGINT || byn[i].type == SQLT_DOUBLE))
            guess[i] = st_slice_of(st_arena_strndup(p->a, (const char *)r->p + r->i, (size_t)len), (size_t)len);
        if (len > 0) r->i += (size_t)len;
    }
    st_free(pf);
    if (!r->bad && !err.code[0]) {
        p->nfmts = (size_t)(uint16_t)pgwire_get16(r);
        p->fmts = st_arena_alloc(p->a, (p->nfmts + 1) * sizeof *p->fmts);
        for (size_t i = 0; i < p->nfmts; i++) p->fmts[i] = pgwire_get16(r);
    }
    if (r->bad || err.code[0]) {
        pgwire_portal_free(p);
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
    pgwire_send_simple(c, '2');
}

static void send_param_description(pgconn *c, const pstmt *s)
{
    size_t at = pgwire_msg_begin(&c->out, 't');
    pgwire_put16(&c->out, (int)s->nparams);
    for (size_t i = 0; i < s->nparams; i++) pgwire_put32(&c->out, s->ptypes[i] ? s->ptypes[i] : PGWIRE_TEXT);
    pgwire_msg_end(&c->out, at);
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
        pportal *p = pgwire_find_portal(c, name);
        if (!p) {
            snprintf(msg, sizeof msg, "portal \"%.200s\" does not exist", name);
            proto_error(c, "34000", msg);
            return;
        }
        if (!p->state && pgwire_changes_session(p->sql, p->n)) {
            pgwire_send_simple(c, 'n');
            return;
        }
        if (pgwire_portal_open(c, p, 0, &err) || pgwire_check_formats(p, &err)) {
            statement_failed(c, &err);
            c->skip = true;
            return;
        }
        if (pgwire_portal_rows(p)) pgwire_send_row_description(c, p);
        else pgwire_send_simple(c, 'n');
        return;
    }
    pstmt *s = pgwire_find_stmt(c, name);
    if (!s) {
        snprintf(msg, sizeof msg, "prepared statement \"%.200s\" does not exist", name);
        proto_error(c, "26000", msg);
        return;
    }
    send_param_description(c, s);
    if (pgwire_changes_session(s->sql, s->n)) {
        pgwire_send_simple(c, 'n');
        return;
    }
    /* the columns: planned with every parameter NULL (the engine types a
     * NULL parameter as unknown, which every operator accepts) */
    pportal *p = pgwire_portal_new("", s->sql, s->n);
    p->nparams = s->nocc;
    p->params = st_arena_alloc(p->a, (s->nocc + 1) * sizeof *p->params);
    for (size_t i = 0; i < s->nocc; i++) p->params[i] = sqlv_null(SQLT_UNKNOWN);
    if (pgwire_portal_open(c, p, 0, &err)) {
        pgwire_portal_free(p);
        statement_failed(c, &err);
        c->skip = true;
        return;
    }
    if (pgwire_portal_rows(p)) pgwire_send_row_description(c, p);
    else pgwire_send_simple(c, 'n');
    pgwire_portal_free(p);
}

static void do_execute(pgconn *c, rd *r)
{
    const char *name = getstr(r);
    int32_t max = pgwire_get32(r);
    if (r->bad) {
        proto_error(c, "08P01", "invalid Execute message");
        return;
    }
    pportal *p = pgwire_find_portal(c, name);
    if (!p) {
        char msg[300];
        snprintf(msg, sizeof msg, "portal \"%.200s\" does not exist", name);
        proto_error(c, "34000", msg);
        return;
    }
    if (p->state == 2 && !(p->local && !p->res.rows)) {
        pgwire_send_complete(c, "SELECT 0");
        return;
    }
    pgwire_error err = {{0}};
    atomic_store(&c->cancel, false);
    if (pgwire_portal_run(c, p, max > 0 ? (uint64_t)max : 0, 0, &err) && !c->dead) {
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
    if (what == 'S') pgwire_close_stmt(c, name);
    else pgwire_close_portal(c, name);
    pgwire_send_simple(c, '3');
}

/* ------------------------------------------------------------ start-up */

static bool sess_may_read(void *ctx, const char *db)
{
    pgconn *c = ctx;
    return (users_privs(auth_users(c->srv->auth), c->sess.user, db) & USERS_READ) != 0;
}

/* With --auth on: asks for the password (cleartext: the stored hash is
 * bcrypt, which no PostgreSQL challenge can use; TLS protects it off
 * loopback), checks it (auth.h), then READ on the database, refused alike
 * whether or not it exists. 0 lets the session start; otherwise err says
 * why not. */
static int authenticate(pgconn *c, const char *user, const char *db, pgwire_error *err)
{
    auth *a = c->srv->auth;
    if (!a || !auth_enabled(a)) return 0;
    size_t at = pgwire_msg_begin(&c->out, 'R');
    pgwire_put32(&c->out, 3); /* AuthenticationCleartextPassword */
    pgwire_msg_end(&c->out, at);
    if (pgwire_flush_out(c)) return -1;
    uint8_t hdr[5];
    char pw[1024];
    if (read_full(c, hdr, 5, 10000, NULL)) return -1;
    uint32_t len = ((uint32_t)hdr[1] << 24) | ((uint32_t)hdr[2] << 16) | ((uint32_t)hdr[3] << 8) | hdr[4];
    if (hdr[0] != 'p' || len < 5 || len - 4 > sizeof pw) {
        snprintf(err->code, sizeof err->code, "08P01");
        snprintf(err->msg, sizeof err->msg, "expected a password message");
        return -1;
    }
    if (read_full(c, pw, len - 4, 10000, NULL)) return -1;
    pw[len - 5] = 0; /* NUL-terminated on the wire: keep it so whatever came */
    char peer[64] = "";
    struct sockaddr_storage ss;
    socklen_t sl = sizeof ss;
    if (!getpeername(c->fd, (struct sockaddr *)&ss, &sl)) {
        if (ss.ss_family == AF_INET) inet_ntop(AF_INET, &((struct sockaddr_in *)&ss)->sin_addr, peer, sizeof peer);
        else if (ss.ss_family == AF_INET6)
            inet_ntop(AF_INET6, &((struct sockaddr_in6 *)&ss)->sin6_addr, peer, sizeof peer);
    }
    cred cr = {.kind = CRED_BASIC, .user = st_slice_cstr(user), .secret = st_slice_of(pw, strlen(pw))};
    char who[USERS_NAME_MAX + 1];
    auth_reason r = strlen(user) > USERS_NAME_MAX ? AUTH_UNKNOWN_USER
                                                   : auth_login(a, AUTH_FRONT_POSTGRES, &cr, peer, who);
    explicit_bzero(pw, sizeof pw);
    if (r == AUTH_THROTTLED || r == AUTH_BUSY) {
        snprintf(err->code, sizeof err->code, "53300");
        snprintf(err->msg, sizeof err->msg, "%s", r == AUTH_BUSY ? "too many password checks at once: try again"
                                                                  : "too many failed logins from this address: "
                                                                    "try again in a minute");
        return -1;
    }
    if (r != AUTH_OK) {
        snprintf(err->code, sizeof err->code, "28P01");
        snprintf(err->msg, sizeof err->msg, "password authentication failed for user \"%.64s\"", user);
        return -1;
    }
    if (!auth_may(a, AUTH_FRONT_POSTGRES, user, db, AUTH_READ)) {
        snprintf(err->code, sizeof err->code, "42501");
        snprintf(err->msg, sizeof err->msg, "permission denied for database \"%.64s\": user \"%.64s\" lacks READ",
                 db, user);
        return -1;
    }
    c->sess.may_read = sess_may_read;
    c->sess.may_ctx = c;
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
        int32_t code = pgwire_get32(&r);
        if (code == 80877103 && srv->tls && !c->tls) { /* SSLRequest */
            st_buf_putc(&c->out, 'S');
            if (pgwire_flush_out(c)) return -1;
            /* bytes sent before the handshake would be taken as if they
             * came through it (plaintext injection): refused */
            if (c->ahead_at < c->ahead_len) return -1;
            st_err e = {0};
            if (tls_accept(c->fd, tmo, &c->tls, &e)) return -1;
            if (tls_conn_verify_client(c->tls, &e)) {
                fatal(c, "28000", e.msg);
                return -1;
            }
            continue;
        }
        if (code == 80877103 || code == 80877104) { /* SSLRequest again or without TLS, GSSENCRequest */
            st_buf_putc(&c->out, 'N');
            if (pgwire_flush_out(c)) return -1;
            continue;
        }
        if (code == 80877102) { /* CancelRequest */
            int32_t pid = pgwire_get32(&r), secret = pgwire_get32(&r);
            if (!r.bad) do_cancel(srv, pid, secret);
            return -1;
        }
        if (srv->tls && !c->tls && (code >> 16) == 3) {
            fatal(c, "28000", "SSL is required: this server runs with --tls-cert-file (connect with sslmode=require "
                              "or verify-full)");
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
            pgwire_flush_out(c);
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
            size_t at = pgwire_msg_begin(&c->out, 'v');
            pgwire_put32(&c->out, 196608);
            pgwire_put32(&c->out, (uint32_t)nunknown);
            for (size_t i = 0; i < nunknown; i++) pgwire_putstr(&c->out, unknown[i]);
            pgwire_msg_end(&c->out, at);
        }
        if (authenticate(c, user, db, &err)) {
            if (!err.code[0]) return -1; /* the connection went */
            send_error(c, "FATAL", &err);
            pgwire_flush_out(c);
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
        size_t at = pgwire_msg_begin(&c->out, 'R');
        pgwire_put32(&c->out, 0); /* AuthenticationOk */
        pgwire_msg_end(&c->out, at);
        static const char *const reported[] = {"application_name", "client_encoding", "DateStyle",
                                               "default_transaction_read_only", "in_hot_standby",
                                               "integer_datetimes", "IntervalStyle", "is_superuser",
                                               "server_encoding", "server_version", "session_authorization",
                                               "standard_conforming_strings", "TimeZone", NULL};
        for (int i = 0; reported[i]; i++) pgwire_send_param_status(c, reported[i], pgwire_setting_get(&c->sess, reported[i]));
        at = pgwire_msg_begin(&c->out, 'K');
        pgwire_put32(&c->out, (uint32_t)c->pid);
        pgwire_put32(&c->out, (uint32_t)c->secret);
        pgwire_msg_end(&c->out, at);
        send_ready(c);
        return c->dead ? -1 : 0;
    }
}

/* ------------------------------------------------------------ the connection */

static void serve(pgconn *c)
{
    /* the whole start-up, password included, within a minute (PostgreSQL's
     * authentication_timeout; --pg-idle-timeout when shorter), however the
     * client paces its bytes */
    unsigned limit_s = c->srv->idle_timeout_s < 60 ? c->srv->idle_timeout_s : 60;
    c->deadline_ns = st_mono_ns() + (int64_t)limit_s * ST_NS_PER_S;
    int rc = startup(c);
    c->deadline_ns = 0;
    if (rc) return;
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
            if (c->sess.txn == 'I') pgwire_close_all_portals(c, true);
            send_ready(c);
            break;
        }
        case 'P': do_parse(c, &r); break;
        case 'B': do_bind(c, &r); break;
        case 'D': do_describe(c, &r); break;
        case 'E': do_execute(c, &r); break;
        case 'C': do_close(c, &r); break;
        case 'H': pgwire_flush_out(c); break;
        case 'S':
            c->skip = false;
            /* outside a block, Sync ends the implicit transaction and its portals */
            if (c->sess.txn == 'I') pgwire_close_all_portals(c, true);
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
    pgwire_flush_out(c);
    /* cursors go before the server is told: once the last connection is
     * counted out, the store may close */
    pgwire_close_all_portals(c, false);
    pgwire_close_all_stmts(c);
    pgwire_sess_free(&c->sess);
    st_buf_free(&c->in);
    st_buf_free(&c->out);
    pthread_mutex_lock(&srv->mu);
    srv->conns[c->slot] = NULL;
    if (c->session) srv->sessions--;
    srv->live--;
    pthread_cond_broadcast(&srv->cv);
    pthread_mutex_unlock(&srv->mu);
    tls_conn_free(c->tls);
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
    srv->pool = o->pool;
    srv->tls = o->tls;
    srv->auth = o->auth;
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
