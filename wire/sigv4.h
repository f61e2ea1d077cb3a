/* sigv4: AWS Signature Version 4 checked on a request (Timestream's SDKs,
 * vmagent's -remoteWrite.aws.useSigv4, Grafana's SigV4 option).
 *
 * The signature is recomputed from the request's parts as the
 * specification defines it: the canonical request (method, URI-encoded
 * path, sorted URI-encoded query, the signed headers lower-cased with
 * trimmed values, their names, and the payload's SHA-256), the string to
 * sign over it (algorithm, X-Amz-Date, scope), and the key derived from
 * the secret through the scope's date, region and service. The result is
 * compared in constant time.
 *
 * Beyond the signature: X-Amz-Date must be present, signed, within 15
 * minutes of now and on the credential's date; host must be signed; a
 * x-amz-content-sha256 header must be the body's hash (an unsigned payload
 * is refused).
 *
 * Nothing here knows users: the caller finds the secret for the access key
 * id (cred.h's user) and passes it.
 */
#ifndef ST_SIGV4_H
#define ST_SIGV4_H

#include "cred.h"

#define SIGV4_MAX_SKEW_S 900

typedef enum sigv4_result {
    SIGV4_OK = 0,
    SIGV4_INCOMPLETE,    /* a required header or part is missing */
    SIGV4_EXPIRED,       /* X-Amz-Date too far from now */
    SIGV4_BAD_SIGNATURE, /* the signature (or the payload hash) does not match */
} sigv4_result;

typedef struct sigv4_req {
    const char *method;
    const char *path;          /* decoded, as the client's URL names it */
    const char *const *qkeys;  /* the query string's arguments, decoded */
    const char *const *qvals;  /* NULL for "?key" without '=' */
    size_t nq;
    /* a header's value by its lower-case name, NULL when absent */
    const char *(*header)(void *ctx, const char *name);
    void *header_ctx;
    const void *body;
    size_t body_len;
    int64_t now_s;             /* Unix seconds */
} sigv4_req;

/* Checks c (CRED_SIGV4) on r with the access key's secret. e says why not. */
sigv4_result sigv4_verify(const cred *c, const sigv4_req *r, const char *secret, st_err *e);

/* The signature itself (64 hex digits and a NUL) of r under the given
 * scope and X-Amz-Date, for tests and clients. */
int sigv4_sign(const sigv4_req *r, const char *secret, const char *amz_date, const char *region,
               const char *service, const char *signed_headers, char out[65], st_err *e);

#endif
