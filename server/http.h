/* http: Strata's HTTP front over libmicrohttpd.
 *
 * One libmicrohttpd daemon per HTTP thread; the acceptor places each
 * connection on an idle thread with the fewest connections, and keeps at
 * most max_connections open (more wait in the backlog). Each request gets
 * an http_req with its own arena (freed when the request completes), its
 * body accumulated up to
 * --max-body-size (413 past it, without reading the rest into memory), its
 * query and form arguments decoded, and its database resolved from the
 * /db/NAME/ path prefix or ?db= (default "default"). Handlers fill an
 * http_resp: a status, a content type and a body, or a streaming producer
 * for responses too large to build in memory (export).
 */
#ifndef ST_HTTP_H
#define ST_HTTP_H

#include <stdio.h>

#include "st.h"

typedef struct http_kv {
    const char *key, *value;
    size_t value_len;
} http_kv;

typedef struct http_req {
    void *conn; /* struct MHD_Connection */
    const char *method;
    const char *path;  /* without the /db/NAME prefix */
    const char *url;   /* the whole path, decoded (what a signature covers) */
    char db[128];
    bool db_in_path;
    st_buf body;
    bool body_too_large;
    st_arena *arena;
    http_kv *args; /* query string, then form body (POST x-www-form-urlencoded) */
    size_t nargs, capargs;
    size_t nquery; /* args[0..nquery) came from the query string */
    const char *user; /* who sent it, once authenticated (api.c); NULL: nobody, or auth off */
} http_req;

/* A producer writes up to max bytes into buf and returns the count, 0 at the
 * end, or -1 on an error (the connection is then closed: the client sees a
 * truncated body, as with any streaming HTTP server). */
typedef long (*http_stream_fn)(void *ctx, char *buf, size_t max);

typedef struct http_resp {
    int status;
    const char *content_type;
    st_buf body;
    st_buf headers;   /* name NUL value NUL, in the order set (http_set_header) */
    http_stream_fn stream;
    void *stream_ctx;
    void (*stream_free)(void *ctx);
} http_resp;

/* What a response holds (its body and headers); the stream is the
 * server's once the response is sent. */
void http_resp_free(http_resp *rs);

typedef void (*http_handler_fn)(void *ctx, http_req *rq, http_resp *rs);

typedef struct http_opts {
    const char *host;
    int port;
    unsigned threads;
    unsigned timeout_s;
    unsigned max_connections;
    uint64_t max_body;
    http_handler_fn handler;
    void *ctx; /* given to handler, body_is_data and too_large */
    /* HTTPS only when set (tls.h): the GnuTLS priority string and the
     * certificate callback (a gnutls_certificate_retrieve_function2 *); a
     * client speaking plain HTTP fails its handshake and is closed */
    const char *tls_priorities;
    void *tls_cert_callback;
    /* client certificates: the CAs' PEM (clients are asked for one) and
     * the check every request passes before its handler (a 403 when it
     * fails, saying why); NULL: none asked for */
    const char *tls_client_ca_pem;
    int (*tls_verify_client)(void *gnutls_session, st_err *e);
    /* libmicrohttpd's own messages (a failed handshake, a socket error),
     * at most one a second with the count of those passed over; NULL:
     * stderr */
    void (*log)(const char *msg);
    /* called for each failed TLS handshake (counted before the log's
     * limit); NULL: none */
    void (*tls_handshake_failed)(void);
    /* Paths whose POST body is data (imports, writes), never form arguments,
     * whatever Content-Type the client sends (curl -d sends a form type). */
    bool (*body_is_data)(void *ctx, const char *path);
    /* The 413 for a body over max_body, in the format of the API at
     * rq->path (its body is not kept); NULL: a plain-text 413. */
    void (*too_large)(void *ctx, http_req *rq, http_resp *rs, uint64_t max_body);
} http_opts;

typedef struct http_server http_server;

int http_start(const http_opts *o, http_server **out, st_err *e);
/* Stops accepting new connections; in-flight requests go on. */
void http_quiesce(http_server *s);
/* Waits (up to grace_s seconds) for open connections to finish their
 * requests, then stops the threads. */
void http_stop(http_server *s, unsigned grace_s);

/* Request helpers. */
const char *http_arg(const http_req *rq, const char *key); /* first value or NULL */
size_t http_args(const http_req *rq, const char *key, const char **out, size_t max);
const char *http_header(const http_req *rq, const char *name);
/* True when the client has closed its end of the connection (a long query
 * for it can stop). A peek at the socket; never blocks. */
bool http_client_gone(const http_req *rq);
/* The peer's address ("127.0.0.1", "::1"), or "" when unknown. */
void http_peer(const http_req *rq, char *out, size_t cap);

/* Response helpers. A header set twice is sent twice (as Set-Cookie or
 * WWW-Authenticate may need); names and values are copied. */
void http_set_header(http_resp *rs, const char *name, const char *value);
void http_text(http_resp *rs, int status, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
void http_json_raw(http_resp *rs, int status, const char *json);

#endif
