/* http: the libmicrohttpd glue (see http.h). */
#include "http.h"

#include <arpa/inet.h>
#include <microhttpd.h>
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <unistd.h>

/* One MHD daemon per HTTP thread, each with its own polling thread and
 * no listening socket. Connections are accepted here and handed to the
 * daemon with the fewest open connections: with MHD's own thread pool,
 * every pool thread accepts for itself and the first to wake takes every
 * connection waiting, and MHD_add_connection into a pool picks a thread by
 * descriptor number; either way two clients often shared one thread (and
 * one core) while the others idled. */
typedef struct http_worker {
    struct MHD_Daemon *d;
    /* Connections handed over and not yet started, and started and not yet
     * closed (MHD_OPTION_NOTIFY_CONNECTION; MHD starts them in its own
     * thread, later): their sum is the thread's load, and over all threads
     * what --http-max-connections bounds. */
    _Atomic int handed, open;
    /* requests begun and not completed: a thread busy in a handler (a long
     * read, a slow query) takes no new connection while another is idle */
    _Atomic int busy;
} http_worker;

struct http_server {
    http_worker *w;
    unsigned nw;
    http_opts o;
    _Atomic int in_flight; /* requests begun and not completed */
    int lfd;
    int wake[2]; /* a byte on wake[1] stops the acceptor */
    pthread_t acceptor;
    bool accepting;
    _Atomic int64_t log_second; /* mhd_log: the second of the last line written */
    _Atomic uint64_t log_passed; /* ...and the lines passed over since */
};

/* libmicrohttpd's messages, one a second at most: a client failing its
 * handshakes in a loop must not fill the log. */
static void mhd_log(void *cls, const char *fmt, va_list ap)
{
    http_server *s = cls;
    char msg[512];
    int n = vsnprintf(msg, sizeof msg, fmt, ap);
    if (s->o.tls_handshake_failed && strstr(msg, "handshake")) s->o.tls_handshake_failed();
    int64_t now = st_mono_ns() / ST_NS_PER_S, last = atomic_load(&s->log_second);
    if (now == last || !atomic_compare_exchange_strong(&s->log_second, &last, now)) {
        atomic_fetch_add(&s->log_passed, 1);
        return;
    }
    while (n > 0 && (size_t)n < sizeof msg && (msg[n - 1] == '\n' || msg[n - 1] == ' ')) msg[--n] = 0;
    uint64_t passed = atomic_exchange(&s->log_passed, 0);
    if (passed) {
        size_t len = strlen(msg);
        snprintf(msg + len, sizeof msg - len, " (%llu more passed over since the last one logged)",
                 (unsigned long long)passed);
    }
    if (s->o.log) s->o.log(msg);
    else fprintf(stderr, "%s\n", msg);
}

static int worker_load(http_worker *w) { return atomic_load(&w->handed) + atomic_load(&w->open); }

/* Placement order: threads with no request running first, then the
 * fewest connections. */
static long worker_rank(http_worker *w) { return (atomic_load(&w->busy) > 0 ? 1L << 40 : 0) + worker_load(w); }

static void *accept_loop(void *arg)
{
    http_server *s = arg;
    struct pollfd pf[2] = {{.fd = s->wake[0], .events = POLLIN}, {.fd = s->lfd, .events = POLLIN}};
    unsigned next = 0;
    for (;;) {
        /* at the connection limit, connections wait in the listen backlog
         * (as with MHD's own listening socket) until one closes */
        int total = 0;
        for (unsigned i = 0; i < s->nw; i++) total += worker_load(&s->w[i]);
        bool full = total >= (int)s->o.max_connections;
        if (poll(pf, full ? 1 : 2, full ? 20 : -1) < 0) {
            /* EINTR; anything else (ENOMEM) is retried after a pause: the
             * acceptor must not go away while the server keeps running */
            if (errno != EINTR) usleep(10 * 1000);
            continue;
        }
        if (pf[0].revents) break;
        if (!full && (pf[1].revents & (POLLERR | POLLHUP | POLLNVAL)) && !(pf[1].revents & POLLIN))
            usleep(10 * 1000); /* an error on the listening socket: do not spin on it */
        if (full || !(pf[1].revents & POLLIN)) continue;
        struct sockaddr_storage sa;
        socklen_t sl = sizeof sa;
        int fd = accept4(s->lfd, (struct sockaddr *)&sa, &sl, SOCK_CLOEXEC | SOCK_NONBLOCK);
        if (fd < 0) {
            /* out of descriptors or memory: back off rather than spin; the
             * connection waits in the backlog */
            if (errno == EMFILE || errno == ENFILE || errno == ENOBUFS || errno == ENOMEM) usleep(10 * 1000);
            /* EAGAIN (taken back before accept), EINTR, ECONNABORTED: poll again */
            continue;
        }
        /* the least loaded idle thread; ties go round, so that a burst of
         * connections before any is counted still spreads */
        unsigned best = next % s->nw;
        for (unsigned i = 1; i < s->nw; i++) {
            unsigned k = (next + i) % s->nw;
            if (worker_rank(&s->w[k]) < worker_rank(&s->w[best])) best = k;
        }
        next = best + 1;
        atomic_fetch_add(&s->w[best].handed, 1);
        /* MHD closes fd itself when it refuses it */
        if (MHD_add_connection(s->w[best].d, fd, (const struct sockaddr *)&sa, sl) != MHD_YES)
            atomic_fetch_sub(&s->w[best].handed, 1);
    }
    return NULL;
}

static void notify_connection(void *cls, struct MHD_Connection *c, void **socket_context,
                              enum MHD_ConnectionNotificationCode toe)
{
    (void)c;
    http_worker *w = cls;
    if (toe == MHD_CONNECTION_NOTIFY_STARTED) {
        /* open first: a concurrent reader may count it twice (a 20 ms wait
         * at the limit), never miss it (and admit one connection too many) */
        atomic_fetch_add(&w->open, 1);
        atomic_fetch_sub(&w->handed, 1);
        *socket_context = w; /* for on_request: which thread runs it */
    } else if (toe == MHD_CONNECTION_NOTIFY_CLOSED) {
        atomic_fetch_sub(&w->open, 1);
    }
}

static int listen_on(const struct addrinfo *ai, int *out)
{
    /* non-blocking: a connection reset between poll and accept must not
     * leave the acceptor stuck in accept, deaf to the stop byte */
    int fd = socket(ai->ai_family, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
    if (fd < 0) return -1;
    int one = 1;
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    /* an IPv6 address listens on IPv6 only, as an IPv4 one on IPv4 only */
    if (ai->ai_family == AF_INET6) setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof one);
    if (bind(fd, ai->ai_addr, ai->ai_addrlen) != 0 || listen(fd, 1024) != 0) {
        close(fd);
        return -1;
    }
    *out = fd;
    return 0;
}

static void add_arg(http_req *rq, const char *k, size_t kl, const char *v, size_t vl)
{
    if (rq->nargs == rq->capargs) {
        size_t cap = rq->capargs ? rq->capargs * 2 : 16;
        http_kv *n = st_arena_alloc(rq->arena, cap * sizeof *n);
        if (rq->nargs) memcpy(n, rq->args, rq->nargs * sizeof *n);
        rq->args = n;
        rq->capargs = cap;
    }
    http_kv *a = &rq->args[rq->nargs++];
    a->key = st_arena_strndup(rq->arena, k, kl);
    a->value = st_arena_strndup(rq->arena, v, vl);
    a->value_len = vl;
}

static enum MHD_Result collect_arg(void *cls, enum MHD_ValueKind kind, const char *key,
                                   const char *value)
{
    (void)kind;
    http_req *rq = cls;
    add_arg(rq, key, strlen(key), value ? value : "", value ? strlen(value) : 0);
    return MHD_YES;
}

static int hexval(char c)
{
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

/* Decodes application/x-www-form-urlencoded in place; returns the new length. */
static size_t url_decode(char *s, size_t n)
{
    size_t w = 0;
    for (size_t i = 0; i < n; i++) {
        if (s[i] == '+') {
            s[w++] = ' ';
        } else if (s[i] == '%' && i + 2 < n + 0 && hexval(s[i + 1]) >= 0 && hexval(s[i + 2]) >= 0) {
            s[w++] = (char)(hexval(s[i + 1]) * 16 + hexval(s[i + 2]));
            i += 2;
        } else {
            s[w++] = s[i];
        }
    }
    return w;
}

static void parse_form(http_req *rq)
{
    /* decode a copy: the body itself stays as the client sent it */
    char *p = st_arena_alloc(rq->arena, rq->body.len + 1);
    if (rq->body.len) memcpy(p, rq->body.p, rq->body.len);
    char *end = p + rq->body.len;
    while (p < end) {
        char *amp = memchr(p, '&', (size_t)(end - p));
        if (!amp) amp = end;
        char *eq = memchr(p, '=', (size_t)(amp - p));
        char *kend = eq ? eq : amp;
        size_t kl = url_decode(p, (size_t)(kend - p));
        size_t vl = eq ? url_decode(eq + 1, (size_t)(amp - eq - 1)) : 0;
        if (kl) add_arg(rq, p, kl, eq ? eq + 1 : "", vl);
        p = amp + 1;
    }
}

const char *http_arg(const http_req *rq, const char *key)
{
    for (size_t i = 0; i < rq->nargs; i++)
        if (!strcmp(rq->args[i].key, key)) return rq->args[i].value;
    return NULL;
}

size_t http_args(const http_req *rq, const char *key, const char **out, size_t max)
{
    size_t n = 0;
    for (size_t i = 0; i < rq->nargs; i++)
        if (!strcmp(rq->args[i].key, key)) {
            if (n < max) out[n] = rq->args[i].value;
            n++;
        }
    return n;
}

void http_peer(const http_req *rq, char *out, size_t cap)
{
    out[0] = 0;
    if (!rq->conn) return;
    const union MHD_ConnectionInfo *ci = MHD_get_connection_info(rq->conn, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
    if (!ci || !ci->client_addr) return;
    const struct sockaddr *sa = ci->client_addr;
    if (sa->sa_family == AF_INET)
        inet_ntop(AF_INET, &((const struct sockaddr_in *)(const void *)sa)->sin_addr, out, (socklen_t)cap);
    else if (sa->sa_family == AF_INET6)
        inet_ntop(AF_INET6, &((const struct sockaddr_in6 *)(const void *)sa)->sin6_addr, out, (socklen_t)cap);
}

bool http_client_gone(const http_req *rq)
{
    if (!rq->conn) return false;
    const union MHD_ConnectionInfo *ci = MHD_get_connection_info(rq->conn, MHD_CONNECTION_INFO_CONNECTION_FD);
    if (!ci) return false;
    char c;
    ssize_t n = recv(ci->connect_fd, &c, 1, MSG_PEEK | MSG_DONTWAIT);
    /* 0: an orderly shutdown; an error other than "nothing yet": a reset */
    return n == 0 || (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR);
}

const char *http_header(const http_req *rq, const char *name)
{
    return MHD_lookup_connection_value(rq->conn, MHD_HEADER_KIND, name);
}

void http_set_header(http_resp *rs, const char *name, const char *value)
{
    st_buf_put(&rs->headers, name, strlen(name) + 1);
    st_buf_put(&rs->headers, value, strlen(value) + 1);
}

void http_resp_free(http_resp *rs)
{
    st_buf_free(&rs->body);
    st_buf_free(&rs->headers);
}

void http_text(http_resp *rs, int status, const char *fmt, ...)
{
    rs->status = status;
    rs->content_type = "text/plain; charset=utf-8";
    rs->body.len = 0;
    va_list ap;
    va_start(ap, fmt);
    char tmp[2048];
    int n = vsnprintf(tmp, sizeof tmp, fmt, ap);
    va_end(ap);
    if (n > 0) st_buf_put(&rs->body, tmp, (size_t)n < sizeof tmp ? (size_t)n : sizeof tmp - 1);
}

void http_json_raw(http_resp *rs, int status, const char *json)
{
    rs->status = status;
    rs->content_type = "application/json";
    rs->body.len = 0;
    st_buf_put(&rs->body, json, strlen(json));
}

typedef struct stream_state {
    http_stream_fn fn;
    void *ctx;
    void (*free_fn)(void *);
} stream_state;

static ssize_t stream_reader(void *cls, uint64_t pos, char *buf, size_t max)
{
    (void)pos;
    stream_state *ss = cls;
    long n = ss->fn(ss->ctx, buf, max);
    if (n < 0) return MHD_CONTENT_READER_END_WITH_ERROR;
    if (n == 0) return MHD_CONTENT_READER_END_OF_STREAM;
    return (ssize_t)n;
}

static void stream_free(void *cls)
{
    stream_state *ss = cls;
    if (ss->free_fn) ss->free_fn(ss->ctx);
    st_free(ss);
}

static enum MHD_Result respond(struct MHD_Connection *c, http_resp *rs)
{
    struct MHD_Response *r;
    if (rs->stream) {
        stream_state *ss = st_malloc(sizeof *ss);
        ss->fn = rs->stream;
        ss->ctx = rs->stream_ctx;
        ss->free_fn = rs->stream_free;
        r = MHD_create_response_from_callback(MHD_SIZE_UNKNOWN, 64 * 1024, stream_reader, ss,
                                              stream_free);
        if (!r) {
            stream_free(ss); /* releases the producer (and the query it holds) */
            return MHD_NO;
        }
    } else {
        r = MHD_create_response_from_buffer(rs->body.len, rs->body.p, MHD_RESPMEM_MUST_COPY);
    }
    if (!r) return MHD_NO;
    if (rs->content_type) MHD_add_response_header(r, "Content-Type", rs->content_type);
    for (size_t at = 0; at < rs->headers.len;) {
        const char *name = (const char *)rs->headers.p + at;
        const char *value = name + strlen(name) + 1;
        MHD_add_response_header(r, name, value);
        at = (size_t)(value + strlen(value) + 1 - (const char *)rs->headers.p);
    }
    enum MHD_Result ret = MHD_queue_response(c, (unsigned)rs->status, r);
    MHD_destroy_response(r);
    return ret;
}

typedef struct conn_state {
    http_req rq;
    uint64_t max_body;
    http_worker *w; /* the thread running it (its busy count) */
} conn_state;

static void resolve_db(http_req *rq, const char *url)
{
    snprintf(rq->db, sizeof rq->db, "default");
    rq->path = url;
    rq->url = url;
    if (strncmp(url, "/db/", 4) == 0) {
        const char *name = url + 4;
        const char *slash = strchr(name, '/');
        size_t n = slash ? (size_t)(slash - name) : strlen(name);
        if (n < sizeof rq->db) {
            memcpy(rq->db, name, n);
            rq->db[n] = 0;
            rq->db_in_path = true;
            rq->path = slash ? slash : "/";
        }
    }
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *c, const char *url,
                                  const char *method, const char *version,
                                  const char *upload, size_t *upload_size, void **con_cls)
{
    (void)version;
    http_server *srv = cls;
    conn_state *cs = *con_cls;
    if (!cs) {
        cs = st_calloc(1, sizeof *cs);
        atomic_fetch_add(&srv->in_flight, 1);
        const union MHD_ConnectionInfo *ci = MHD_get_connection_info(c, MHD_CONNECTION_INFO_SOCKET_CONTEXT);
        cs->w = ci ? ci->socket_context : NULL;
        if (cs->w) atomic_fetch_add(&cs->w->busy, 1);
        cs->max_body = srv->o.max_body;
        cs->rq.conn = c;
        cs->rq.arena = st_arena_new(8192);
        cs->rq.method = method;
        *con_cls = cs;
        /* libmicrohttpd frames only "chunked" bodies; with another transfer
         * coding it would read the body until the client closes, and the
         * client waits for an answer: refuse it before reading. */
        if (srv->o.tls_verify_client) {
            const union MHD_ConnectionInfo *ti = MHD_get_connection_info(c, MHD_CONNECTION_INFO_GNUTLS_SESSION);
            st_err ve = {0};
            if (!ti || srv->o.tls_verify_client(ti->tls_session, &ve)) {
                http_resp rs = {0};
                http_text(&rs, 403, "%s\n", ti ? ve.msg : "no TLS session");
                enum MHD_Result ret = respond(c, &rs);
                http_resp_free(&rs);
                return ret;
            }
        }
        const char *te = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Transfer-Encoding");
        if (te && strcasecmp(te, "chunked")) {
            http_resp rs = {0};
            http_text(&rs, 400,
                      "unsupported Transfer-Encoding \"%.100s\": send the body with Content-Length or "
                      "Transfer-Encoding: chunked (compression goes in Content-Encoding)\n", te);
            enum MHD_Result ret = respond(c, &rs);
            http_resp_free(&rs);
            return ret;
        }
        return MHD_YES;
    }
    http_req *rq = &cs->rq;
    if (*upload_size) {
        if (!rq->body_too_large) {
            if (rq->body.len + *upload_size > cs->max_body) {
                rq->body_too_large = true;
                st_buf_free(&rq->body);
            } else {
                st_buf_put(&rq->body, upload, *upload_size);
            }
        }
        *upload_size = 0;
        return MHD_YES;
    }
    http_resp rs = {.status = 200};
    if (rq->body_too_large) {
        resolve_db(rq, url);
        if (srv->o.too_large)
            srv->o.too_large(srv->o.ctx, rq, &rs, cs->max_body);
        else
            http_text(&rs, 413, "request body is larger than --max-body-size (%llu bytes)\n",
                      (unsigned long long)cs->max_body);
    } else {
        resolve_db(rq, url);
        MHD_get_connection_values(c, MHD_GET_ARGUMENT_KIND, collect_arg, rq);
        rq->nquery = rq->nargs;
        const char *ct = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Content-Type");
        if (!strcmp(method, "POST") && ct &&
            strncasecmp(ct, "application/x-www-form-urlencoded", 33) == 0 &&
            (!srv->o.body_is_data || !srv->o.body_is_data(srv->o.ctx, rq->path))) {
            parse_form(rq);
        }
        const char *db = http_arg(rq, "db");
        if (db && !rq->db_in_path && *db) snprintf(rq->db, sizeof rq->db, "%s", db);
        srv->o.handler(srv->o.ctx, rq, &rs);
    }
    enum MHD_Result ret = respond(c, &rs);
    http_resp_free(&rs);
    return ret;
}

static void on_completed(void *cls, struct MHD_Connection *c, void **con_cls,
                         enum MHD_RequestTerminationCode toe)
{
    http_server *srv = cls;
    (void)c;
    (void)toe;
    conn_state *cs = *con_cls;
    if (!cs) return;
    st_buf_free(&cs->rq.body);
    st_arena_free(cs->rq.arena);
    if (cs->w) atomic_fetch_sub(&cs->w->busy, 1);
    st_free(cs);
    *con_cls = NULL;
    atomic_fetch_sub(&srv->in_flight, 1);
}

int http_start(const http_opts *o, http_server **out, st_err *e)
{
    struct addrinfo hints = {0}, *ai = NULL;
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    hints.ai_flags = AI_NUMERICSERV | AI_PASSIVE;
    char port[16];
    snprintf(port, sizeof port, "%d", o->port);
    int gai = getaddrinfo(o->host, port, &hints, &ai);
    if (gai != 0) return st_fail(e, ST_EINVAL, "cannot resolve listen address %s: %s", o->host, gai_strerror(gai));
    http_server *s = st_calloc(1, sizeof *s);
    s->o = *o;
    s->lfd = -1;
    if (listen_on(ai, &s->lfd) != 0) {
        freeaddrinfo(ai);
        st_free(s);
        return st_fail(e, ST_EIO, "cannot listen on %s:%d (address in use or not available)", o->host, o->port);
    }
    unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_ERROR_LOG | MHD_USE_EPOLL | MHD_USE_ITC |
                     MHD_ALLOW_SUSPEND_RESUME | MHD_USE_NO_LISTEN_SOCKET;
    if (ai->ai_family == AF_INET6) flags |= MHD_USE_IPv6;
    if (o->tls_cert_callback) flags |= MHD_USE_TLS;
    struct MHD_OptionItem tls[] = {
        {MHD_OPTION_HTTPS_PRIORITIES, 0, (void *)o->tls_priorities},
        {MHD_OPTION_HTTPS_CERT_CALLBACK, 0, o->tls_cert_callback},
        {o->tls_client_ca_pem ? MHD_OPTION_HTTPS_MEM_TRUST : MHD_OPTION_END, 0, (void *)o->tls_client_ca_pem},
        {MHD_OPTION_END, 0, NULL},
    };
    if (!o->tls_cert_callback) tls[0].option = MHD_OPTION_END;
    freeaddrinfo(ai);
    s->nw = o->threads ? o->threads : 1;
    s->w = st_calloc(s->nw, sizeof *s->w);
    s->wake[0] = s->wake[1] = -1;
    /* --http-max-connections is enforced by the acceptor over all threads;
     * each daemon's own limit is above it, so that MHD never refuses (and
     * resets) a connection the acceptor admitted */
    unsigned limit = (o->max_connections ? o->max_connections : 1) + s->nw;
    bool ok = pipe2(s->wake, O_CLOEXEC) == 0;
    for (unsigned i = 0; ok && i < s->nw; i++) {
        s->w[i].d = MHD_start_daemon(flags, 0, NULL, NULL, on_request, s,
                                     MHD_OPTION_EXTERNAL_LOGGER, mhd_log, s, /* first: it must be */
                                     MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)o->timeout_s,
                                     MHD_OPTION_CONNECTION_LIMIT, limit,
                                     MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)(256 * 1024),
                                     MHD_OPTION_NOTIFY_COMPLETED, on_completed, s,
                                     MHD_OPTION_NOTIFY_CONNECTION, notify_connection, &s->w[i],
                                     MHD_OPTION_ARRAY, tls, MHD_OPTION_END);
        ok = s->w[i].d != NULL;
    }
    if (ok && pthread_create(&s->acceptor, NULL, accept_loop, s) != 0) ok = false;
    if (!ok) {
        for (unsigned i = 0; i < s->nw; i++)
            if (s->w[i].d) MHD_stop_daemon(s->w[i].d);
        close(s->lfd);
        if (s->wake[0] >= 0) {
            close(s->wake[0]);
            close(s->wake[1]);
        }
        st_free(s->w);
        st_free(s);
        return st_fail(e, ST_EIO, "cannot start the HTTP server threads on %s:%d", o->host, o->port);
    }
    s->accepting = true;
    *out = s;
    return 0;
}

void http_quiesce(http_server *s)
{
    if (!s->accepting) return;
    ssize_t wr = write(s->wake[1], "x", 1);
    (void)wr;
    pthread_join(s->acceptor, NULL);
    close(s->lfd);
    close(s->wake[0]);
    close(s->wake[1]);
    s->lfd = -1;
    s->accepting = false;
}

void http_stop(http_server *s, unsigned grace_s)
{
    /* In-flight requests finish (up to grace_s) before the threads stop;
     * idle keep-alive connections do not hold shutdown up. MHD_stop_daemon
     * closes whatever connections are left. */
    http_quiesce(s);
    for (unsigned waited = 0; waited < grace_s * 10 && atomic_load(&s->in_flight) > 0; waited++)
        usleep(100 * 1000);
    for (unsigned i = 0; i < s->nw; i++) MHD_stop_daemon(s->w[i].d);
    st_free(s->w);
    st_free(s);
}
