/* cred: the credentials a request carries, in every form Strata's clients
 * send them, read by one parser (issue 12's section 3):
 *
 *   Authorization: Basic base64(user:password)   Prometheus, vmagent, Grafana, Telegraf v1
 *   ?u=user&p=password                           the influx CLI, InfluxDB 1.x client libraries
 *   Authorization: Token user:password           InfluxDB 1.x's form of the v2 API
 *   Authorization: Token <api token>             Telegraf v2, Grafana (a token has no ':')
 *   Authorization: Bearer <api token>            vmagent, Grafana
 *   Authorization: AWS4-HMAC-SHA256 Credential=KEY/DATE/REGION/SERVICE/aws4_request,
 *                  SignedHeaders=a;b, Signature=hex   Timestream's SDKs (SigV4)
 *
 * Parsing only: nothing here knows users or checks a secret. A request
 * with credentials in two places that name different users is refused
 * (which one would decide?); the same user twice is one credential.
 * Malformed credentials (bad base64, no ':' in Basic, an empty user, a
 * SigV4 header missing a part) are an error, never taken as none.
 *
 * Slices point into the strings given or into the cred's own buffer (a
 * Basic pair decoded); they live as long as both.
 */
#ifndef ST_CRED_H
#define ST_CRED_H

#include "st.h"

typedef enum cred_kind {
    CRED_NONE = 0,
    CRED_BASIC,       /* user, secret */
    CRED_PARAMS,      /* user, secret: ?u= and ?p= */
    CRED_TOKEN_USER,  /* user, secret: Token user:password */
    CRED_TOKEN,       /* secret: Token <api token> */
    CRED_BEARER,      /* secret: Bearer <api token> */
    CRED_SIGV4,       /* user (the access key id), and the fields below */
} cred_kind;

typedef struct cred {
    cred_kind kind;
    st_slice user, secret;
    /* SigV4: Credential=KEY/DATE/REGION/SERVICE/aws4_request */
    st_slice date, region, service, signed_headers, signature;
    char buf[512]; /* a decoded Basic pair */
} cred;

/* "basic", "params", "token", ... for logs and metrics */
const char *cred_kind_name(cred_kind k);

/* Reads the credentials of a request from its Authorization header (NULL
 * when absent) and its u and p parameters (NULL when absent). 0 with
 * out->kind (CRED_NONE when there are none), or ST_EINVAL with what is
 * malformed. */
int cred_parse(const char *authorization, const char *u, const char *p, cred *out, st_err *e);

#endif
