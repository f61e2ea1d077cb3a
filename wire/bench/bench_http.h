/* bench_http: what the load generators under wire/bench/ share: failing
 * loudly, growable buffers, a deterministic hash, and a small blocking
 * HTTP/1.1 keep-alive client (one request in flight per connection, the
 * body sent with its headers in one sendmsg, responses framed by
 * Content-Length, chunked or close).
 *
 * Header-only on purpose: the Makefile builds every C file under
 * wire/bench/ into its own program against build/libstrata.a, so code
 * shared between two of them cannot live in a .c of its own. Everything is
 * static inline, so that a program using a part of it gets no
 * unused-function warning for the rest.
 *
 * Two environment variables make every program of it speak to a secured
 * server (the security benchmark of scripts/run-bench.sh): STRATA_BENCH_TLS=1
 * (HTTPS through GnuTLS; the certificate is not verified: loopback, a
 * benchmark's own) and STRATA_BENCH_AUTH="VALUE" (sent as Authorization:
 * VALUE on every request).
 *
 * Before including it, define BENCH_NAME (the program, for messages on
 * stderr) and BENCH_TAG (the prefix of the program's result lines, so that
 * a failure also shows in what scripts/run-bench.sh parses).
 */
#ifndef STRATA_BENCH_HTTP_H
#define STRATA_BENCH_HTTP_H

#if !defined(BENCH_NAME) || !defined(BENCH_TAG)
#error "define BENCH_NAME and BENCH_TAG before including bench_http.h"
#endif

#include <errno.h>
#include <gnutls/gnutls.h>
#include <math.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>

/* ------------------------------------------------------------ helpers */

static inline void die(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));

static inline void die(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fprintf(stderr, "%s: FAIL: ", BENCH_NAME);
    vfprintf(stderr, fmt, ap);
    fprintf(stderr, "\n");
    va_end(ap);
    printf("%s fail=1\n", BENCH_TAG);
    fflush(stdout);
    exit(1);
}

static inline void *xmalloc(size_t n)
{
    void *p = malloc(n ? n : 1);
    if (!p) die("out of memory (%zu bytes)", n);
    return p;
}

static inline void *xrealloc(void *p, size_t n)
{
    p = realloc(p, n ? n : 1);
    if (!p) die("out of memory (%zu bytes)", n);
    return p;
}

static inline double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

typedef struct buf {
    uint8_t *p;
    size_t len, cap;
} buf;

static inline void buf_reserve(buf *b, size_t more)
{
    if (b->len + more <= b->cap) return;
    size_t c = b->cap ? b->cap : 4096;
    while (c < b->len + more) c *= 2;
    b->p = xrealloc(b->p, c);
    b->cap = c;
}

static inline void buf_put(buf *b, const void *p, size_t n)
{
    buf_reserve(b, n);
    if (n) memcpy(b->p + b->len, p, n);
    b->len += n;
}

static inline void buf_byte(buf *b, uint8_t c) { buf_put(b, &c, 1); }

static inline void buf_printf(buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static inline void buf_printf(buf *b, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char tmp[2048];
    int n = vsnprintf(tmp, sizeof tmp, fmt, ap);
    va_end(ap);
    if (n < 0 || (size_t)n >= sizeof tmp) die("internal: formatted string too long");
    buf_put(b, tmp, (size_t)n);
}

/* splitmix64's finaliser: a well-mixed 64-bit hash of x, so that generated
 * values can be a function of (series, round, ...) rather than of one shared
 * random stream. */
static inline uint64_t mix64(uint64_t x)
{
    x += 0x9e3779b97f4a7c15ull;
    x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ull;
    x = (x ^ (x >> 27)) * 0x94d049bb133111ebull;
    return x ^ (x >> 31);
}

/* ------------------------------------------------------------ HTTP/1.1 client */

typedef struct conn {
    char host[256], port[16];
    int fd;
    buf in; /* received, not yet consumed */
    gnutls_session_t tls; /* STRATA_BENCH_TLS=1 */
} conn;

static inline bool bench_tls(void)
{
    const char *v = getenv("STRATA_BENCH_TLS");
    return v && !strcmp(v, "1");
}

/* "Authorization: VALUE\r\n" from STRATA_BENCH_AUTH, or "". */
static inline const char *bench_auth_header(void)
{
    static char h[1024];
    static bool done;
    if (!done) {
        const char *v = getenv("STRATA_BENCH_AUTH");
        if (v && *v) snprintf(h, sizeof h, "Authorization: %s\r\n", v);
        done = true;
    }
    return h;
}

static inline void tls_start(conn *c)
{
    static gnutls_certificate_credentials_t cred;
    if (!cred && gnutls_certificate_allocate_credentials(&cred)) die("gnutls credentials");
    /* AES-128-GCM first, as the Go clients that send Strata most of its data
     * (Prometheus, vmagent, Telegraf) choose it on AES-NI hardware */
    if (gnutls_init(&c->tls, GNUTLS_CLIENT) ||
        gnutls_priority_set_direct(c->tls, "NORMAL:-CIPHER-ALL:+AES-128-GCM:+AES-256-GCM:+CHACHA20-POLY1305", NULL) ||
        gnutls_credentials_set(c->tls, GNUTLS_CRD_CERTIFICATE, cred))
        die("gnutls session setup");
    gnutls_transport_set_int(c->tls, c->fd);
    int rc;
    do rc = gnutls_handshake(c->tls);
    while (rc < 0 && !gnutls_error_is_fatal(rc));
    if (rc < 0) die("TLS handshake with %s:%s: %s", c->host, c->port, gnutls_strerror(rc));
}

static inline void conn_open(conn *c)
{
    struct addrinfo hints = {0}, *ai = NULL;
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    int rc = getaddrinfo(c->host, c->port, &hints, &ai);
    if (rc) die("cannot resolve %s: %s", c->host, gai_strerror(rc));
    c->fd = -1;
    for (struct addrinfo *p = ai; p; p = p->ai_next) {
        int fd = socket(p->ai_family, p->ai_socktype, p->ai_protocol);
        if (fd < 0) continue;
        if (connect(fd, p->ai_addr, p->ai_addrlen) == 0) {
            c->fd = fd;
            break;
        }
        close(fd);
    }
    freeaddrinfo(ai);
    if (c->fd < 0) die("cannot connect to %s:%s: %s", c->host, c->port, strerror(errno));
    /* headers and body leave in one writev; no Nagle delay on small requests */
    int one = 1;
    setsockopt(c->fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    c->in.len = 0;
    if (bench_tls()) tls_start(c);
}

static inline void conn_close(conn *c)
{
    if (c->tls) {
        gnutls_deinit(c->tls);
        c->tls = NULL;
    }
    if (c->fd >= 0) close(c->fd);
    c->fd = -1;
    c->in.len = 0;
}

static inline void conn_init(conn *c, const char *addr)
{
    memset(c, 0, sizeof *c);
    c->fd = -1;
    const char *colon = strrchr(addr, ':');
    if (!colon || colon == addr || (size_t)(colon - addr) >= sizeof c->host || strlen(colon + 1) >= sizeof c->port)
        die("--addr wants HOST:PORT, got \"%s\"", addr);
    memcpy(c->host, addr, (size_t)(colon - addr));
    if (c->host[0] == '[') { /* [::1]:port */
        size_t hl = strlen(c->host);
        memmove(c->host, c->host + 1, hl);
        if (hl >= 2 && c->host[hl - 2] == ']') c->host[hl - 2] = 0;
    }
    snprintf(c->port, sizeof c->port, "%s", colon + 1);
}

/* Reads more into c->in; dies on EOF (a server that closes in the middle of
 * an exchange has failed the request). */
static inline void conn_fill(conn *c, bool eof_ok, bool *eof)
{
    buf_reserve(&c->in, 65536);
    for (;;) {
        ssize_t n;
        if (c->tls) {
            n = gnutls_record_recv(c->tls, c->in.p + c->in.len, c->in.cap - c->in.len);
            if (n == GNUTLS_E_AGAIN || n == GNUTLS_E_INTERRUPTED) continue;
            if (n == GNUTLS_E_PREMATURE_TERMINATION) n = 0;
            if (n < 0) die("TLS receive from %s:%s: %s", c->host, c->port, gnutls_strerror((int)n));
        } else {
            n = recv(c->fd, c->in.p + c->in.len, c->in.cap - c->in.len, 0);
        }
        if (n > 0) {
            c->in.len += (size_t)n;
            return;
        }
        if (n < 0 && errno == EINTR) continue;
        if (n == 0 && eof_ok) {
            *eof = true;
            return;
        }
        die("connection to %s:%s: %s before the response was complete", c->host, c->port,
            n == 0 ? "closed by the server" : strerror(errno));
    }
}

static inline void send_all(conn *c, struct iovec *iov, int iovcnt)
{
    if (c->tls) { /* records corked, so headers and body leave together */
        gnutls_record_cork(c->tls);
        for (int i = 0; i < iovcnt; i++) {
            ssize_t n;
            do n = gnutls_record_send(c->tls, iov[i].iov_base, iov[i].iov_len);
            while (n == GNUTLS_E_AGAIN || n == GNUTLS_E_INTERRUPTED);
            if (n < 0) die("TLS send to %s:%s: %s", c->host, c->port, gnutls_strerror((int)n));
        }
        int rc;
        do rc = gnutls_record_uncork(c->tls, GNUTLS_RECORD_WAIT);
        while (rc == GNUTLS_E_AGAIN || rc == GNUTLS_E_INTERRUPTED);
        if (rc < 0) die("TLS send to %s:%s: %s", c->host, c->port, gnutls_strerror(rc));
        return;
    }
    while (iovcnt > 0) {
        struct msghdr mh = {.msg_iov = iov, .msg_iovlen = (size_t)iovcnt};
        ssize_t n = sendmsg(c->fd, &mh, MSG_NOSIGNAL);
        if (n < 0) {
            if (errno == EINTR) continue;
            die("send to %s:%s: %s", c->host, c->port, strerror(errno));
        }
        size_t left = (size_t)n;
        while (iovcnt > 0 && left >= iov->iov_len) {
            left -= iov->iov_len;
            iov++;
            iovcnt--;
        }
        if (iovcnt > 0) {
            iov->iov_base = (char *)iov->iov_base + left;
            iov->iov_len -= left;
        }
    }
}

static inline const uint8_t *find_crlf(const uint8_t *p, size_t n, size_t from)
{
    for (size_t i = from; i + 1 < n; i++)
        if (p[i] == '\r' && p[i + 1] == '\n') return p + i;
    return NULL;
}

static inline bool header_is(const char *line, size_t n, const char *name, const char **val)
{
    size_t nl = strlen(name);
    if (n <= nl || strncasecmp(line, name, nl) || line[nl] != ':') return false;
    const char *v = line + nl + 1;
    while (*v == ' ' || *v == '\t') v++;
    *val = v;
    return true;
}

/* One request, one response. body (the response's) is reset and filled;
 * returns the status. The response framing follows RFC 9112: no body for
 * 1xx/204/304, else chunked, else Content-Length, else until close. */
static inline int http_exchange(conn *c, const char *method, const char *target, const char *extra_headers,
                         const uint8_t *body, size_t blen, buf *out)
{
    if (c->fd < 0) conn_open(c);
    char head[4096];
    int hl = snprintf(head, sizeof head,
                      "%s %s HTTP/1.1\r\nHost: %s:%s\r\n%s%sContent-Length: %zu\r\n\r\n", method, target, c->host,
                      c->port, extra_headers ? extra_headers : "", bench_auth_header(), blen);
    if (hl < 0 || (size_t)hl >= sizeof head) die("request line too long");
    struct iovec iov[2] = {{head, (size_t)hl}, {(void *)body, blen}};
    send_all(c, iov, blen ? 2 : 1);
    out->len = 0;
    for (;;) {
        /* status line and headers */
        const uint8_t *end;
        size_t hdr_end;
        for (;;) {
            end = NULL;
            for (size_t i = 0; i + 3 < c->in.len; i++)
                if (!memcmp(c->in.p + i, "\r\n\r\n", 4)) {
                    end = c->in.p + i;
                    break;
                }
            if (end) break;
            if (c->in.len > (1u << 20)) die("response headers over 1 MiB");
            conn_fill(c, false, NULL);
        }
        hdr_end = (size_t)(end - c->in.p) + 4;
        int status = 0;
        if (c->in.len < 12 || memcmp(c->in.p, "HTTP/1.", 7) || sscanf((const char *)c->in.p + 9, "%3d", &status) != 1)
            die("malformed status line from %s:%s", c->host, c->port);
        bool chunked = false, close_after = false, have_len = false;
        uint64_t clen = 0;
        size_t pos = (size_t)(find_crlf(c->in.p, hdr_end, 0) - c->in.p) + 2;
        while (pos < hdr_end - 2) {
            const uint8_t *le = find_crlf(c->in.p, hdr_end, pos);
            size_t n = (size_t)(le - c->in.p) - pos;
            char line[1024];
            size_t cp = n < sizeof line - 1 ? n : sizeof line - 1;
            memcpy(line, c->in.p + pos, cp);
            line[cp] = 0;
            const char *v;
            if (header_is(line, cp, "Content-Length", &v)) {
                clen = strtoull(v, NULL, 10);
                have_len = true;
            } else if (header_is(line, cp, "Transfer-Encoding", &v)) {
                chunked = strcasestr(v, "chunked") != NULL;
            } else if (header_is(line, cp, "Connection", &v)) {
                close_after = strcasestr(v, "close") != NULL;
            }
            pos += n + 2;
        }
        if (status >= 100 && status < 200) { /* interim: drop it, read the real one */
            memmove(c->in.p, c->in.p + hdr_end, c->in.len - hdr_end);
            c->in.len -= hdr_end;
            continue;
        }
        size_t consumed = hdr_end;
        if (status == 204 || status == 304 || !strcmp(method, "HEAD")) {
            /* no body */
        } else if (chunked) {
            for (;;) {
                const uint8_t *le;
                while (!(le = find_crlf(c->in.p, c->in.len, consumed))) conn_fill(c, false, NULL);
                uint64_t sz = strtoull((const char *)c->in.p + consumed, NULL, 16);
                consumed = (size_t)(le - c->in.p) + 2;
                if (sz == 0) {
                    /* trailers, then an empty line */
                    for (;;) {
                        while (!(le = find_crlf(c->in.p, c->in.len, consumed))) conn_fill(c, false, NULL);
                        bool empty = (size_t)(le - c->in.p) == consumed;
                        consumed = (size_t)(le - c->in.p) + 2;
                        if (empty) break;
                    }
                    break;
                }
                while (c->in.len < consumed + sz + 2) conn_fill(c, false, NULL);
                buf_put(out, c->in.p + consumed, sz);
                consumed += sz + 2;
            }
        } else if (have_len) {
            while (c->in.len < consumed + clen) conn_fill(c, false, NULL);
            buf_put(out, c->in.p + consumed, clen);
            consumed += clen;
        } else {
            bool eof = false;
            while (!eof) conn_fill(c, true, &eof);
            buf_put(out, c->in.p + consumed, c->in.len - consumed);
            consumed = c->in.len;
            close_after = true;
        }
        memmove(c->in.p, c->in.p + consumed, c->in.len - consumed);
        c->in.len -= consumed;
        if (close_after) conn_close(c);
        return status;
    }
}

static inline void fail_status(const char *what, int status, const buf *body)
{
    int n = (int)(body->len > 600 ? 600 : body->len);
    die("%s: HTTP %d: %.*s", what, status, n, (const char *)body->p);
}

static inline int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

/* nearest-rank percentile of a sorted array */
static inline double pct(const double *v, size_t n, double p)
{
    if (!n) return 0;
    size_t k = (size_t)ceil(p * (double)n);
    if (k < 1) k = 1;
    if (k > n) k = n;
    return v[k - 1];
}

static inline void urlenc(buf *b, const char *s)
{
    static const char hex[] = "0123456789ABCDEF";
    for (; *s; s++) {
        unsigned char ch = (unsigned char)*s;
        if ((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') || ch == '-' ||
            ch == '_' || ch == '.' || ch == '~') {
            buf_byte(b, ch);
        } else {
            buf_byte(b, '%');
            buf_byte(b, (uint8_t)hex[ch >> 4]);
            buf_byte(b, (uint8_t)hex[ch & 15]);
        }
    }
}

static inline size_t count_str(const buf *b, const char *needle)
{
    size_t n = 0, nl = strlen(needle);
    const uint8_t *p = b->p, *end = b->p + b->len;
    while (p && (size_t)(end - p) >= nl) {
        p = memmem(p, (size_t)(end - p), needle, nl);
        if (!p) break;
        n++;
        p += nl;
    }
    return n;
}

/* A positive decimal command-line number. */
static inline size_t parse_size(const char *name, const char *v)
{
    char *end;
    unsigned long long x = strtoull(v, &end, 10);
    if (!*v || *end || x == 0) die("%s wants a positive number, got \"%s\"", name, v);
    return (size_t)x;
}

#endif
