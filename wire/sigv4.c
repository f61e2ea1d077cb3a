/* sigv4: see sigv4.h. */
#include "sigv4.h"

#include <gnutls/crypto.h>
#include <gnutls/gnutls.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

static void hex(const uint8_t *d, size_t n, char *out)
{
    static const char digits[] = "0123456789abcdef";
    for (size_t i = 0; i < n; i++) {
        out[2 * i] = digits[d[i] >> 4];
        out[2 * i + 1] = digits[d[i] & 15];
    }
    out[2 * n] = 0;
}

static void sha256_hex(const void *p, size_t n, char out[65])
{
    uint8_t d[32];
    gnutls_hash_fast(GNUTLS_DIG_SHA256, p, n, d);
    hex(d, 32, out);
}

static void hmac(const void *key, size_t kn, const void *msg, size_t mn, uint8_t out[32])
{
    gnutls_hmac_fast(GNUTLS_MAC_SHA256, key, kn, msg, mn, out);
}

/* RFC 3986 encoding as SigV4 has it: unreserved characters kept, every
 * other byte %XX (upper-case hex); '/' kept in paths. */
static void uri_encode(st_buf *b, const char *s, size_t n, bool keep_slash)
{
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_' ||
            c == '.' || c == '~' || (keep_slash && c == '/'))
            st_buf_putc(b, (char)c);
        else
            st_buf_printf(b, "%%%02X", c);
    }
}

typedef struct qpair {
    char *k, *v;
} qpair;

static int qcmp(const void *a, const void *b)
{
    const qpair *x = a, *y = b;
    int c = strcmp(x->k, y->k);
    return c ? c : strcmp(x->v, y->v);
}

static char *encoded(const char *s, bool keep_slash)
{
    st_buf b = {0};
    uri_encode(&b, s, strlen(s), keep_slash);
    st_buf_putc(&b, 0);
    return (char *)b.p;
}

/* The canonical request of r; double_path: the path encoded twice, as
 * SDKs sign for services other than S3 (they encode an already encoded
 * path). -1 with e when a signed header is absent. */
static int canonical_request(const sigv4_req *r, st_slice signed_headers, bool double_path, const char *payload_hex,
                             st_buf *out, st_err *e)
{
    st_buf_printf(out, "%s\n", r->method);
    const char *path = r->path && *r->path ? r->path : "/";
    if (double_path) {
        char *once = encoded(path, true);
        uri_encode(out, once, strlen(once), true);
        st_free(once);
    } else {
        uri_encode(out, path, strlen(path), true);
    }
    st_buf_putc(out, '\n');
    qpair *q = st_calloc(r->nq + 1, sizeof *q);
    for (size_t i = 0; i < r->nq; i++) {
        q[i].k = encoded(r->qkeys[i], false);
        q[i].v = encoded(r->qvals[i] ? r->qvals[i] : "", false);
    }
    qsort(q, r->nq, sizeof *q, qcmp);
    for (size_t i = 0; i < r->nq; i++) {
        st_buf_printf(out, "%s%s=%s", i ? "&" : "", q[i].k, q[i].v);
        st_free(q[i].k);
        st_free(q[i].v);
    }
    st_free(q);
    st_buf_putc(out, '\n');
    int rc = 0;
    for (size_t i = 0; i < signed_headers.n && !rc;) {
        size_t j = i;
        while (j < signed_headers.n && signed_headers.p[j] != ';') j++;
        char name[128];
        if (j - i == 0 || j - i >= sizeof name) {
            rc = st_fail(e, ST_EINVAL, "SignedHeaders is malformed");
            break;
        }
        memcpy(name, signed_headers.p + i, j - i);
        name[j - i] = 0;
        const char *v = r->header(r->header_ctx, name);
        if (!v) {
            rc = st_fail(e, ST_EINVAL, "signed header %s is not in the request", name);
            break;
        }
        st_buf_printf(out, "%s:", name);
        /* the value trimmed, inner runs of spaces made one */
        while (*v == ' ' || *v == '\t') v++;
        size_t n = strlen(v);
        while (n && (v[n - 1] == ' ' || v[n - 1] == '\t')) n--;
        bool space = false;
        for (size_t k = 0; k < n; k++) {
            if (v[k] == ' ' || v[k] == '\t') {
                space = true;
                continue;
            }
            if (space) st_buf_putc(out, ' ');
            space = false;
            st_buf_putc(out, v[k]);
        }
        st_buf_putc(out, '\n');
        i = j + 1;
    }
    st_buf_printf(out, "\n%.*s\n%s", (int)signed_headers.n, signed_headers.p, payload_hex);
    return rc;
}

static int signature(const sigv4_req *r, const char *secret, const char *amz_date, st_slice date, st_slice region,
                     st_slice service, st_slice signed_headers, bool double_path, const char *payload_hex,
                     char out[65], st_err *e)
{
    st_buf cr = {0};
    int rc = canonical_request(r, signed_headers, double_path, payload_hex, &cr, e);
    if (rc) {
        st_buf_free(&cr);
        return rc;
    }
    char crh[65];
    sha256_hex(cr.p, cr.len, crh);
    st_buf_free(&cr);
    st_buf sts = {0};
    st_buf_printf(&sts, "AWS4-HMAC-SHA256\n%s\n%.*s/%.*s/%.*s/aws4_request\n%s", amz_date, (int)date.n, date.p,
                  (int)region.n, region.p, (int)service.n, service.p, crh);
    char k0[300];
    int kn = snprintf(k0, sizeof k0, "AWS4%s", secret);
    uint8_t k[32];
    hmac(k0, (size_t)kn, date.p, date.n, k);
    explicit_bzero(k0, sizeof k0);
    hmac(k, 32, region.p, region.n, k);
    hmac(k, 32, service.p, service.n, k);
    hmac(k, 32, "aws4_request", 12, k);
    uint8_t sig[32];
    hmac(k, 32, sts.p, sts.len, sig);
    explicit_bzero(k, sizeof k);
    st_buf_free(&sts);
    hex(sig, 32, out);
    return 0;
}

static bool needs_encoding(const char *s)
{
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || strchr("-_.~/", c)))
            return true;
    }
    return false;
}

static bool has_header(st_slice list, const char *name)
{
    size_t n = strlen(name);
    for (size_t i = 0; i < list.n;) {
        size_t j = i;
        while (j < list.n && list.p[j] != ';') j++;
        if (j - i == n && !memcmp(list.p + i, name, n)) return true;
        i = j + 1;
    }
    return false;
}

/* YYYYMMDDTHHMMSSZ as Unix seconds; -1 when malformed. */
static int64_t amz_time(const char *s)
{
    struct tm tm = {0};
    if (strlen(s) != 16 || s[8] != 'T' || s[15] != 'Z') return -1;
    for (int i = 0; i < 15; i++)
        if (i != 8 && (s[i] < '0' || s[i] > '9')) return -1;
    tm.tm_year = atoi((char[]){s[0], s[1], s[2], s[3], 0}) - 1900;
    tm.tm_mon = atoi((char[]){s[4], s[5], 0}) - 1;
    tm.tm_mday = atoi((char[]){s[6], s[7], 0});
    tm.tm_hour = atoi((char[]){s[9], s[10], 0});
    tm.tm_min = atoi((char[]){s[11], s[12], 0});
    tm.tm_sec = atoi((char[]){s[13], s[14], 0});
    return (int64_t)timegm(&tm);
}

static bool ct_eq(const char *a, const char *b, size_t n)
{
    unsigned char d = 0;
    for (size_t i = 0; i < n; i++) d |= (unsigned char)(a[i] ^ b[i]);
    return d == 0;
}

sigv4_result sigv4_verify(const cred *c, const sigv4_req *r, const char *secret, st_err *e)
{
    const char *amz = r->header(r->header_ctx, "x-amz-date");
    if (!amz) {
        st_fail(e, ST_EINVAL, "SigV4 needs an X-Amz-Date header");
        return SIGV4_INCOMPLETE;
    }
    if (!has_header(c->signed_headers, "host") || !has_header(c->signed_headers, "x-amz-date")) {
        st_fail(e, ST_EINVAL, "SigV4: SignedHeaders must include host and x-amz-date");
        return SIGV4_INCOMPLETE;
    }
    int64_t t = amz_time(amz);
    if (t < 0 || c->date.n != 8 || memcmp(amz, c->date.p, 8)) {
        st_fail(e, ST_EINVAL, "SigV4: X-Amz-Date is malformed or not on the credential's date");
        return SIGV4_INCOMPLETE;
    }
    if (t < r->now_s - SIGV4_MAX_SKEW_S || t > r->now_s + SIGV4_MAX_SKEW_S) {
        st_fail(e, ST_EINVAL, "Signature expired: X-Amz-Date %s is more than 15 minutes from the server's time",
                amz);
        return SIGV4_EXPIRED;
    }
    char body_hex[65];
    sha256_hex(r->body ? r->body : "", r->body_len, body_hex);
    const char *sent = r->header(r->header_ctx, "x-amz-content-sha256");
    if (sent && (strlen(sent) != 64 || strncasecmp(sent, body_hex, 64))) {
        st_fail(e, ST_EINVAL, "SigV4: x-amz-content-sha256 is not the SHA-256 of the body");
        return SIGV4_BAD_SIGNATURE;
    }
    if (c->signature.n != 64) {
        st_fail(e, ST_EINVAL, "SigV4: the signature is not 64 hex digits");
        return SIGV4_BAD_SIGNATURE;
    }
    char want[65];
    for (int pass = 0; pass < 2; pass++) {
        if (pass && !needs_encoding(r->path ? r->path : "/")) break;
        if (signature(r, secret, amz, c->date, c->region, c->service, c->signed_headers, pass == 1, body_hex, want,
                      e))
            return SIGV4_BAD_SIGNATURE;
        if (ct_eq(want, c->signature.p, 64)) return SIGV4_OK;
    }
    st_fail(e, ST_EINVAL, "The request signature we calculated does not match the signature you provided");
    return SIGV4_BAD_SIGNATURE;
}

int sigv4_sign(const sigv4_req *r, const char *secret, const char *amz_date, const char *region, const char *service,
               const char *signed_headers, char out[65], st_err *e)
{
    char body_hex[65];
    sha256_hex(r->body ? r->body : "", r->body_len, body_hex);
    if (strlen(amz_date) < 8) return st_fail(e, ST_EINVAL, "amz_date is YYYYMMDDTHHMMSSZ");
    return signature(r, secret, amz_date, st_slice_of(amz_date, 8), st_slice_cstr(region), st_slice_cstr(service),
                     st_slice_cstr(signed_headers), false, body_hex, out, e);
}
