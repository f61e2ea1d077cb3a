/* tls: the HTTPS listener's certificate and its settings (GnuTLS, through
 * libmicrohttpd).
 *
 * The certificate (PEM, the server's first and then its chain) and its
 * unencrypted private key are read at start and again on tls_reload
 * (SIGHUP): handshakes that start after a reload use the new pair, those
 * already running finish with the one they took, connections open stay
 * open. A reload that fails (a file missing, unreadable, or a key that is
 * not the certificate's) keeps the pair in use and says why. Pairs
 * replaced are kept until tls_stop, since libmicrohttpd holds no reference.
 *
 * With a client CA file, every client must present a certificate chain
 * it signs, valid now (tls_verify_client): HTTPS before any handler, the
 * PostgreSQL listener before the session starts. The file is read again
 * with the pair on a reload.
 *
 * The priority string: --tls-priorities, else TLS 1.2 and 1.3 with AEAD
 * ciphers only (AES-GCM, ChaCha20-Poly1305); --tls-min-version's floor is
 * appended to either, so no string can bring back TLS 1.0 or 1.1.
 *
 * Global state (the certificate callback libmicrohttpd calls has no
 * context argument): one TLS setup per process, set up before the HTTP
 * threads start and stopped after they stop.
 */
#ifndef ST_TLS_H
#define ST_TLS_H

#include "st.h"

typedef struct tls_opts {
    const char *cert_file, *key_file;
    const char *client_ca_file; /* NULL: no client certificate asked for */
    const char *min_version; /* "1.2" or "1.3" */
    const char *priorities;  /* NULL: the default */
} tls_opts;

/* Reads the pair and checks the priority string; ST_EINVAL naming the
 * file or the part of the string at fault. */
int tls_start(const tls_opts *o, st_err *e);
/* Reads the files again; on failure the pair in use stays. */
int tls_reload(st_err *e);
void tls_stop(void);

/* For the HTTP daemon: the priority string in force, and the certificate
 * callback (a gnutls_certificate_retrieve_function2 *). */
const char *tls_priorities(void);
void *tls_cert_callback(void);

typedef struct tls_conn tls_conn;

/* The client CA file's PEM (libmicrohttpd asks clients for a certificate
 * when given it); NULL without --tls-client-ca-file. Read at start. */
const char *tls_client_ca_pem(void);
/* Whether the peer of a GnuTLS session (libmicrohttpd's, or a tls_conn's)
 * presented a chain the client CA signs, valid now: 0, or ST_EINVAL with
 * why not (no certificate, an unknown signer, expired...). */
int tls_verify_client(void *gnutls_session, st_err *e);
/* The same for a tls_conn; 0 when no client CA is set. */
int tls_conn_verify_client(tls_conn *t, st_err *e);

/* Reloads done and failed, for /metrics. */
void tls_reload_counts(uint64_t *ok, uint64_t *failed);
/* Failed handshakes on either listener (http_opts' tls_handshake_failed
 * and tls_accept count them), and when the certificate in use expires
 * (Unix seconds), for /metrics. */
void tls_handshake_failed(void);
uint64_t tls_handshake_failures(void);
int64_t tls_cert_expiry(void);

/* A TLS session over a connected blocking socket, with the same
 * certificate and priorities (the PostgreSQL listener's, after its
 * SSLRequest). tls_accept runs the handshake, waiting at most timeout_ms;
 * ST_EIO with GnuTLS's reason when it fails. */
int tls_accept(int fd, int timeout_ms, tls_conn **out, st_err *e);
/* Bytes received (> 0), 0 when the peer closed, < 0 on an error. */
long tls_conn_recv(tls_conn *t, void *buf, size_t n);
/* Bytes sent (> 0) or < 0 on an error. */
long tls_conn_send(tls_conn *t, const void *buf, size_t n);
/* Whether decrypted bytes wait (a poll of the socket would not see them). */
bool tls_conn_pending(tls_conn *t);
/* Sends the closing alert (if it can at once) and frees the session; the
 * socket is the caller's. */
void tls_conn_free(tls_conn *t);

#endif
