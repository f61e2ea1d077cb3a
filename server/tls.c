/* tls: see tls.h. */
#include "tls.h"

#include <errno.h>
#include <gnutls/abstract.h>
#include <gnutls/gnutls.h>
#include <gnutls/x509.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

/* A certificate chain and its key, as the handshake takes them. */
typedef struct pair {
    gnutls_pcert_st *certs;
    int64_t expires; /* the leaf's notAfter, Unix seconds */
    unsigned ncerts;
    gnutls_privkey_t key;
    gnutls_x509_trust_list_t trust; /* the client CA's; NULL when none */
    struct pair *replaced; /* older pairs, kept until tls_stop */
} pair;

#define MAX_CHAIN 16

static pthread_mutex_t g_mu = PTHREAD_MUTEX_INITIALIZER; /* reloads */
static _Atomic(pair *) g_pair;
static char *g_cert, *g_key, *g_client_ca;
static char *g_client_ca_pem; /* as read at start, for libmicrohttpd */
static char g_prio[2048];
static _Atomic uint64_t g_reloads, g_reload_failures;
static gnutls_certificate_credentials_t g_cred;   /* tls_accept's sessions: the callback's pair */
static gnutls_priority_t g_priority;

/* The AEAD suites of TLS 1.2 and 1.3; the version floor is appended. */
static const char default_prio[] = "NORMAL:-VERS-ALL:+VERS-TLS1.3:+VERS-TLS1.2:-CIPHER-ALL:+AES-256-GCM:"
                                   "+AES-128-GCM:+CHACHA20-POLY1305:-MAC-ALL:+AEAD";

static void pair_free(pair *p)
{
    while (p) {
        pair *next = p->replaced;
        for (unsigned i = 0; i < p->ncerts; i++) gnutls_pcert_deinit(&p->certs[i]);
        st_free(p->certs);
        if (p->key) gnutls_privkey_deinit(p->key);
        if (p->trust) gnutls_x509_trust_list_deinit(p->trust, 1);
        st_free(p);
        p = next;
    }
}

static int readable(const char *path, const char *what, st_err *e)
{
    if (access(path, R_OK) == 0) return 0;
    return st_fail(e, ST_EINVAL, "cannot read the TLS %s %s: %s", what, path, strerror(errno));
}

static int load(pair **out, st_err *e)
{
    *out = NULL;
    int rc = readable(g_cert, "certificate", e);
    if (!rc) rc = readable(g_key, "key", e);
    if (rc) return rc;
    /* the pair as GnuTLS's own loader sees it: a key that is not the
     * certificate's is refused here, not at the first handshake */
    gnutls_certificate_credentials_t cr;
    if (gnutls_certificate_allocate_credentials(&cr) < 0) return st_fail(e, ST_EINVAL, "TLS: out of memory");
    int r = gnutls_certificate_set_x509_key_file(cr, g_cert, g_key, GNUTLS_X509_FMT_PEM);
    gnutls_certificate_free_credentials(cr);
    if (r < 0)
        return st_fail(e, ST_EINVAL, "TLS certificate %s with key %s: %s", g_cert, g_key, gnutls_strerror(r));
    pair *p = st_calloc(1, sizeof *p);
    p->certs = st_calloc(MAX_CHAIN, sizeof *p->certs);
    p->ncerts = MAX_CHAIN;
    r = gnutls_pcert_list_import_x509_file(p->certs, &p->ncerts, g_cert, GNUTLS_X509_FMT_PEM, NULL, NULL, 0);
    if (r < 0) {
        p->ncerts = 0;
        pair_free(p);
        return st_fail(e, ST_EINVAL, "TLS certificate %s: %s (a chain of at most %d)", g_cert, gnutls_strerror(r),
                       MAX_CHAIN);
    }
    gnutls_x509_crt_t leaf;
    if (gnutls_pcert_export_x509(&p->certs[0], &leaf) >= 0) {
        p->expires = (int64_t)gnutls_x509_crt_get_expiration_time(leaf);
        gnutls_x509_crt_deinit(leaf);
    }
    gnutls_datum_t d = {0};
    r = gnutls_load_file(g_key, &d);
    if (r >= 0) r = gnutls_privkey_init(&p->key);
    if (r >= 0) r = gnutls_privkey_import_x509_raw(p->key, &d, GNUTLS_X509_FMT_PEM, NULL, 0);
    if (d.data) {
        memset(d.data, 0, d.size); /* the key's bytes do not linger */
        gnutls_free(d.data);
    }
    if (r < 0) {
        pair_free(p);
        return st_fail(e, ST_EINVAL, "TLS key %s: %s", g_key, gnutls_strerror(r));
    }
    if (g_client_ca) {
        if ((rc = readable(g_client_ca, "client CA file", e))) {
            pair_free(p);
            return rc;
        }
        r = gnutls_x509_trust_list_init(&p->trust, 0);
        if (r >= 0) r = gnutls_x509_trust_list_add_trust_file(p->trust, g_client_ca, NULL, GNUTLS_X509_FMT_PEM, 0, 0);
        if (r <= 0) {
            pair_free(p);
            return st_fail(e, ST_EINVAL, "TLS client CA file %s: %s", g_client_ca,
                           r == 0 ? "no certificate in it" : gnutls_strerror(r));
        }
    }
    *out = p;
    return 0;
}

static int retrieve(gnutls_session_t s, const gnutls_datum_t *req_ca, int nreq, const gnutls_pk_algorithm_t *algos,
                    int nalgos, gnutls_pcert_st **pcert, unsigned int *n, gnutls_privkey_t *key)
{
    (void)s, (void)req_ca, (void)nreq, (void)algos, (void)nalgos;
    pair *p = atomic_load(&g_pair);
    if (!p) return -1;
    *pcert = p->certs;
    *n = p->ncerts;
    *key = p->key;
    return 0;
}

int tls_start(const tls_opts *o, st_err *e)
{
    int r = gnutls_global_init();
    if (r < 0) return st_fail(e, ST_EINVAL, "TLS: %s", gnutls_strerror(r));
    g_cert = st_strndup(o->cert_file, strlen(o->cert_file));
    g_key = st_strndup(o->key_file, strlen(o->key_file));
    if (o->client_ca_file) {
        g_client_ca = st_strndup(o->client_ca_file, strlen(o->client_ca_file));
        gnutls_datum_t d = {0};
        if (gnutls_load_file(g_client_ca, &d) < 0) {
            int rc = st_fail(e, ST_EINVAL, "cannot read the TLS client CA file %s: %s", g_client_ca, strerror(errno));
            tls_stop();
            return rc;
        }
        g_client_ca_pem = st_strndup((const char *)d.data, d.size);
        gnutls_free(d.data);
    }
    bool v13 = o->min_version && !strcmp(o->min_version, "1.3");
    snprintf(g_prio, sizeof g_prio, "%s:-VERS-SSL3.0:-VERS-TLS1.0:-VERS-TLS1.1%s",
             o->priorities ? o->priorities : default_prio, v13 ? ":-VERS-TLS1.2" : "");
    const char *at = NULL;
    r = gnutls_priority_init(&g_priority, g_prio, &at);
    if (r < 0) {
        g_priority = NULL;
        int rc = st_fail(e, ST_EINVAL, "--tls-priorities: %s at \"%.60s\"", gnutls_strerror(r), at ? at : g_prio);
        tls_stop();
        return rc;
    }
    if (gnutls_certificate_allocate_credentials(&g_cred) < 0) {
        g_cred = NULL;
        tls_stop();
        return st_fail(e, ST_EINVAL, "TLS: out of memory");
    }
    gnutls_certificate_set_retrieve_function2(g_cred, retrieve);
    pair *p;
    int rc = load(&p, e);
    if (rc) {
        tls_stop();
        return rc;
    }
    atomic_store(&g_pair, p);
    return 0;
}

int tls_reload(st_err *e)
{
    pthread_mutex_lock(&g_mu);
    pair *p;
    int rc = load(&p, e);
    if (rc == 0) {
        p->replaced = atomic_exchange(&g_pair, p);
        atomic_fetch_add(&g_reloads, 1);
    } else {
        atomic_fetch_add(&g_reload_failures, 1);
    }
    pthread_mutex_unlock(&g_mu);
    return rc;
}

void tls_stop(void)
{
    if (g_cred) gnutls_certificate_free_credentials(g_cred);
    if (g_priority) gnutls_priority_deinit(g_priority);
    g_cred = NULL;
    g_priority = NULL;
    pair_free(atomic_exchange(&g_pair, NULL));
    st_free(g_cert);
    st_free(g_key);
    st_free(g_client_ca);
    st_free(g_client_ca_pem);
    g_cert = g_key = g_client_ca = g_client_ca_pem = NULL;
    gnutls_global_deinit();
}

const char *tls_priorities(void) { return g_prio; }

const char *tls_client_ca_pem(void) { return g_client_ca_pem; }

#define MAX_PEER_CHAIN 16

int tls_verify_client(void *session, st_err *e)
{
    pair *p = atomic_load(&g_pair);
    if (!p || !p->trust) return 0;
    unsigned n = 0;
    const gnutls_datum_t *der = gnutls_certificate_get_peers((gnutls_session_t)session, &n);
    if (!der || !n) return st_fail(e, ST_EINVAL, "a client certificate is required (--tls-client-ca-file)");
    if (n > MAX_PEER_CHAIN) n = MAX_PEER_CHAIN;
    gnutls_x509_crt_t chain[MAX_PEER_CHAIN];
    unsigned k = 0;
    int r = 0;
    for (; k < n; k++) {
        if ((r = gnutls_x509_crt_init(&chain[k])) < 0) break;
        if ((r = gnutls_x509_crt_import(chain[k], &der[k], GNUTLS_X509_FMT_DER)) < 0) {
            gnutls_x509_crt_deinit(chain[k]);
            break;
        }
    }
    unsigned status = 0;
    if (r >= 0) r = gnutls_x509_trust_list_verify_crt2(p->trust, chain, n, NULL, 0, 0, &status, NULL);
    for (unsigned i = 0; i < k; i++) gnutls_x509_crt_deinit(chain[i]);
    if (r < 0) return st_fail(e, ST_EINVAL, "the client certificate cannot be read: %s", gnutls_strerror(r));
    if (status) {
        gnutls_datum_t why = {0};
        gnutls_certificate_verification_status_print(status, GNUTLS_CRT_X509, &why, 0);
        int rc = st_fail(e, ST_EINVAL, "the client certificate is not accepted: %s",
                         why.data ? (const char *)why.data : "verification failed");
        gnutls_free(why.data);
        return rc;
    }
    return 0;
}

void *tls_cert_callback(void)
{
    gnutls_certificate_retrieve_function2 *f = retrieve;
    void *v;
    memcpy(&v, &f, sizeof v); /* libmicrohttpd takes it as a pointer argument */
    return v;
}

static _Atomic uint64_t g_handshake_failures;

void tls_handshake_failed(void) { atomic_fetch_add(&g_handshake_failures, 1); }
uint64_t tls_handshake_failures(void) { return atomic_load(&g_handshake_failures); }

int64_t tls_cert_expiry(void)
{
    pair *p = atomic_load(&g_pair);
    return p ? p->expires : 0;
}

void tls_reload_counts(uint64_t *ok, uint64_t *failed)
{
    *ok = atomic_load(&g_reloads);
    *failed = atomic_load(&g_reload_failures);
}

/* ------------------------------------------------------ sessions on a socket */

struct tls_conn {
    gnutls_session_t s;
};

int tls_accept(int fd, int timeout_ms, tls_conn **out, st_err *e)
{
    *out = NULL;
    if (!g_cred) return st_fail(e, ST_EIO, "TLS is not set up");
    tls_conn *t = st_calloc(1, sizeof *t);
    int r = gnutls_init(&t->s, GNUTLS_SERVER);
    if (r >= 0) r = gnutls_priority_set(t->s, g_priority);
    if (r >= 0) r = gnutls_credentials_set(t->s, GNUTLS_CRD_CERTIFICATE, g_cred);
    if (r < 0) {
        if (t->s) gnutls_deinit(t->s);
        st_free(t);
        return st_fail(e, ST_EIO, "TLS: %s", gnutls_strerror(r));
    }
    if (g_client_ca) gnutls_certificate_server_set_request(t->s, GNUTLS_CERT_REQUEST);
    gnutls_transport_set_int(t->s, fd);
    gnutls_handshake_set_timeout(t->s, (unsigned)timeout_ms);
    do {
        r = gnutls_handshake(t->s);
    } while (r < 0 && !gnutls_error_is_fatal(r));
    if (r < 0) {
        gnutls_deinit(t->s);
        st_free(t);
        tls_handshake_failed();
        return st_fail(e, ST_EIO, "TLS handshake: %s", gnutls_strerror(r));
    }
    *out = t;
    return 0;
}

long tls_conn_recv(tls_conn *t, void *buf, size_t n)
{
    for (;;) {
        ssize_t r = gnutls_record_recv(t->s, buf, n);
        if (r == GNUTLS_E_INTERRUPTED || r == GNUTLS_E_AGAIN) continue;
        if (r == GNUTLS_E_PREMATURE_TERMINATION) return 0;
        return (long)r;
    }
}

long tls_conn_send(tls_conn *t, const void *buf, size_t n)
{
    for (;;) {
        ssize_t r = gnutls_record_send(t->s, buf, n);
        if (r == GNUTLS_E_INTERRUPTED || r == GNUTLS_E_AGAIN) continue;
        return (long)r;
    }
}

int tls_conn_verify_client(tls_conn *t, st_err *e) { return tls_verify_client(t->s, e); }

bool tls_conn_pending(tls_conn *t) { return gnutls_record_check_pending(t->s) > 0; }

void tls_conn_free(tls_conn *t)
{
    if (!t) return;
    gnutls_bye(t->s, GNUTLS_SHUT_WR);
    gnutls_deinit(t->s);
    st_free(t);
}
