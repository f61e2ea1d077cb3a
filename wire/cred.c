/* cred: see cred.h. */
#include "cred.h"

#include "bits.h"

#include <string.h>
#include <strings.h>

const char *cred_kind_name(cred_kind k)
{
    switch (k) {
    case CRED_BASIC: return "basic";
    case CRED_PARAMS: return "params";
    case CRED_TOKEN_USER: return "token_user";
    case CRED_TOKEN: return "token";
    case CRED_BEARER: return "bearer";
    case CRED_SIGV4: return "sigv4";
    default: return "none";
    }
}

static st_slice trim(const char *p, size_t n)
{
    while (n && (*p == ' ' || *p == '\t')) p++, n--;
    while (n && (p[n - 1] == ' ' || p[n - 1] == '\t')) n--;
    return st_slice_of(p, n);
}

/* One "Name=value" part of a SigV4 Authorization header, up to ','. */
static bool sigv4_part(const char *h, const char *name, st_slice *out)
{
    size_t nl = strlen(name);
    for (const char *p = h; (p = strstr(p, name)) != NULL; p += nl) {
        bool starts = p == h || p[-1] == ' ' || p[-1] == ',';
        if (!starts || p[nl] != '=') continue;
        const char *v = p + nl + 1, *end = strchr(v, ',');
        *out = trim(v, end ? (size_t)(end - v) : strlen(v));
        return out->n > 0;
    }
    return false;
}

static int sigv4(const char *h, cred *c, st_err *e)
{
    st_slice cr, sh, sig;
    if (!sigv4_part(h, "Credential", &cr) || !sigv4_part(h, "SignedHeaders", &sh) || !sigv4_part(h, "Signature", &sig))
        return st_fail(e, ST_EINVAL, "Authorization: AWS4-HMAC-SHA256 needs Credential, SignedHeaders and Signature");
    /* KEY/DATE/REGION/SERVICE/aws4_request */
    st_slice part[5];
    size_t np = 0, at = 0;
    for (size_t i = 0; i <= cr.n && np < 5; i++)
        if (i == cr.n || cr.p[i] == '/') {
            part[np++] = st_slice_of(cr.p + at, i - at);
            at = i + 1;
        }
    if (np != 5 || at <= cr.n || !part[0].n || part[1].n != 8 || !part[2].n || !part[3].n ||
        !st_slice_eq(part[4], st_slice_cstr("aws4_request")))
        return st_fail(e, ST_EINVAL, "Authorization: AWS4-HMAC-SHA256 Credential must be "
                                     "KEY/YYYYMMDD/REGION/SERVICE/aws4_request");
    for (size_t i = 0; i < sig.n; i++) {
        char ch = sig.p[i];
        if (!((ch >= '0' && ch <= '9') || (ch >= 'a' && ch <= 'f')))
            return st_fail(e, ST_EINVAL, "Authorization: AWS4-HMAC-SHA256 Signature must be lowercase hex");
    }
    c->kind = CRED_SIGV4;
    c->user = part[0];
    c->date = part[1];
    c->region = part[2];
    c->service = part[3];
    c->signed_headers = sh;
    c->signature = sig;
    return 0;
}

static int header(const char *h, cred *c, st_err *e)
{
    const char *sp = strchr(h, ' ');
    if (!sp) return st_fail(e, ST_EINVAL, "Authorization: a scheme and its credentials, separated by a space");
    size_t sl = (size_t)(sp - h);
    st_slice rest = trim(sp + 1, strlen(sp + 1));
    if (sl == 5 && !strncasecmp(h, "Basic", 5)) {
        long n = base64_decode(rest.p, rest.n, (uint8_t *)c->buf, sizeof c->buf - 1);
        if (n < 0) return st_fail(e, ST_EINVAL, "Authorization: Basic: not base64");
        const char *colon = memchr(c->buf, ':', (size_t)n);
        if (!colon) return st_fail(e, ST_EINVAL, "Authorization: Basic: no ':' between user and password");
        if (colon == c->buf) return st_fail(e, ST_EINVAL, "Authorization: Basic: an empty user name");
        if (memchr(c->buf, 0, (size_t)n)) /* "bob\0x" must not be bob */
            return st_fail(e, ST_EINVAL, "Authorization: Basic: a NUL byte in the user or password");
        c->kind = CRED_BASIC;
        c->user = st_slice_of(c->buf, (size_t)(colon - c->buf));
        c->secret = st_slice_of(colon + 1, (size_t)(c->buf + n - colon - 1));
        return 0;
    }
    if (!rest.n) return st_fail(e, ST_EINVAL, "Authorization: %.*s without credentials", (int)sl, h);
    if (sl == 5 && !strncasecmp(h, "Token", 5)) {
        const char *colon = memchr(rest.p, ':', rest.n);
        if (colon) {
            if (colon == rest.p) return st_fail(e, ST_EINVAL, "Authorization: Token: an empty user name");
            c->kind = CRED_TOKEN_USER;
            c->user = st_slice_of(rest.p, (size_t)(colon - rest.p));
            c->secret = st_slice_of(colon + 1, (size_t)(rest.p + rest.n - colon - 1));
        } else {
            c->kind = CRED_TOKEN;
            c->secret = rest;
        }
        return 0;
    }
    if (sl == 6 && !strncasecmp(h, "Bearer", 6)) {
        c->kind = CRED_BEARER;
        c->secret = rest;
        return 0;
    }
    if (sl == 16 && !strncmp(h, "AWS4-HMAC-SHA256", 16)) return sigv4(sp + 1, c, e);
    return st_fail(e, ST_EINVAL, "Authorization: unknown scheme \"%.*s\" (Basic, Token, Bearer or AWS4-HMAC-SHA256)",
                   (int)(sl > 40 ? 40 : sl), h);
}

int cred_parse(const char *authorization, const char *u, const char *p, cred *out, st_err *e)
{
    memset(out, 0, sizeof *out);
    if (authorization && *authorization) {
        int rc = header(authorization, out, e);
        if (rc) return rc;
    }
    if (!u && !p) return 0;
    if (!u || !*u) return st_fail(e, ST_EINVAL, "the p parameter without a user (u)");
    if (!p) return st_fail(e, ST_EINVAL, "the u parameter without a password (p)");
    if (out->kind == CRED_NONE) {
        out->kind = CRED_PARAMS;
        out->user = st_slice_cstr(u);
        out->secret = st_slice_cstr(p);
        return 0;
    }
    /* both: one user, or nothing decides which */
    if (!out->user.n || !st_slice_eq(out->user, st_slice_cstr(u)))
        return st_fail(e, ST_EINVAL, "the request carries credentials of two users (Authorization and u=)");
    if (!st_slice_eq(out->secret, st_slice_cstr(p)))
        return st_fail(e, ST_EINVAL, "the request carries two passwords for one user (Authorization and p=)");
    return 0;
}
