/* Tests for wire/sigv4: signatures recomputed as AWS's documentation and
 * botocore compute them, and what is refused besides a wrong signature
 * (an old date, a missing or unsigned header, a body that is not the one
 * signed). The vectors: the SigV4 documentation's IAM ListUsers example,
 * and one made with botocore 1.29's SigV4Auth (Debian's python3-botocore)
 * for a POST with an encoded path, repeated and empty query arguments. */
#include "sigv4.h"
#include "engine/tests/testlib.h"

typedef struct hdrs {
    const char *const *kv; /* name, value, ..., NULL */
} hdrs;

static const char *lookup(void *ctx, const char *name)
{
    hdrs *h = ctx;
    for (size_t i = 0; h->kv[i]; i += 2)
        if (!strcasecmp(h->kv[i], name)) return h->kv[i + 1];
    return NULL;
}

static sigv4_result verify(const char *az, sigv4_req *r, const char *secret, st_err *e)
{
    cred c;
    if (cred_parse(az, NULL, NULL, &c, e) || c.kind != CRED_SIGV4) return (sigv4_result)99;
    return sigv4_verify(&c, r, secret, e);
}

static void test_documentation_example(void)
{
    const char *kv[] = {"content-type", "application/x-www-form-urlencoded; charset=utf-8", "host",
                        "iam.amazonaws.com", "x-amz-date", "20150830T123600Z", NULL};
    hdrs h = {kv};
    const char *keys[] = {"Action", "Version"}, *vals[] = {"ListUsers", "2010-05-08"};
    sigv4_req r = {.method = "GET", .path = "/", .qkeys = keys, .qvals = vals, .nq = 2, .header = lookup,
                   .header_ctx = &h, .now_s = 1440938160};
    const char *secret = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";
    char sig[65];
    st_err e = {0};
    CHECK_OK(sigv4_sign(&r, secret, "20150830T123600Z", "us-east-1", "iam", "content-type;host;x-amz-date", sig, &e));
    CHECK(!strcmp(sig, "5d672d79c15b13162d9279b0855cfba6789a8edb4c82c400e06b5924a6f2b5d7"));
    const char *az = "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/iam/aws4_request, "
                     "SignedHeaders=content-type;host;x-amz-date, "
                     "Signature=5d672d79c15b13162d9279b0855cfba6789a8edb4c82c400e06b5924a6f2b5d7";
    CHECK_EQ_INT(verify(az, &r, secret, &e), SIGV4_OK);
    CHECK_EQ_INT(verify(az, &r, "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEz", &e), SIGV4_BAD_SIGNATURE);
    CHECK(strstr(e.msg, "does not match"));
    /* 15 minutes either way, not more */
    r.now_s = 1440938160 + 900;
    CHECK_EQ_INT(verify(az, &r, secret, &e), SIGV4_OK);
    r.now_s = 1440938160 + 901;
    CHECK_EQ_INT(verify(az, &r, secret, &e), SIGV4_EXPIRED);
    r.now_s = 1440938160 - 901;
    CHECK_EQ_INT(verify(az, &r, secret, &e), SIGV4_EXPIRED);
    r.now_s = 1440938160;
    /* any part of the request changed: another signature */
    vals[0] = "ListGroups";
    CHECK_EQ_INT(verify(az, &r, secret, &e), SIGV4_BAD_SIGNATURE);
    vals[0] = "ListUsers";
    r.method = "POST";
    CHECK_EQ_INT(verify(az, &r, secret, &e), SIGV4_BAD_SIGNATURE);
    r.method = "GET";
    kv[3] = "evil.example.com";
    CHECK_EQ_INT(verify(az, &r, secret, &e), SIGV4_BAD_SIGNATURE);
    kv[3] = "iam.amazonaws.com";
    CHECK_EQ_INT(verify(az, &r, secret, &e), SIGV4_OK);
    /* host and x-amz-date must be signed; a signed header must be there */
    const char *nohost = "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/iam/aws4_request, "
                         "SignedHeaders=content-type;x-amz-date, Signature=5d672d79c15b13162d9279b0855cfba6789a8edb4c"
                         "82c400e06b5924a6f2b5d7";
    CHECK_EQ_INT(verify(nohost, &r, secret, &e), SIGV4_INCOMPLETE);
    const char *extra = "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/iam/aws4_request, "
                        "SignedHeaders=content-type;host;x-amz-date;x-missing, Signature=5d672d79c15b13162d9279b0855cf"
                        "ba6789a8edb4c82c400e06b5924a6f2b5d7";
    CHECK_EQ_INT(verify(extra, &r, secret, &e), SIGV4_BAD_SIGNATURE);
    /* the credential's date is X-Amz-Date's */
    const char *otherday = "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150831/us-east-1/iam/aws4_request, "
                           "SignedHeaders=content-type;host;x-amz-date, Signature=5d672d79c15b13162d9279b0855cfba67"
                           "89a8edb4c82c400e06b5924a6f2b5d7";
    CHECK_EQ_INT(verify(otherday, &r, secret, &e), SIGV4_INCOMPLETE);
    kv[4] = "x-other";
    CHECK_EQ_INT(verify(az, &r, secret, &e), SIGV4_INCOMPLETE);
}

static void test_botocore_post(void)
{
    /* POST http://127.0.0.1:9201/db/my%20db/api/v1/write?b=2&a=x%2Fy&a=1&empty=
     * body "hello body", signed by botocore for service aps: it encodes the
     * already encoded path again */
    const char *kv[] = {"content-type", "application/x-protobuf", "host", "127.0.0.1:9201", "x-amz-date",
                        "20261207T100000Z", NULL, NULL, NULL};
    hdrs h = {kv};
    const char *keys[] = {"b", "a", "a", "empty"}, *vals[] = {"2", "x/y", "1", ""};
    sigv4_req r = {.method = "POST", .path = "/db/my db/api/v1/write", .qkeys = keys, .qvals = vals, .nq = 4,
                   .header = lookup, .header_ctx = &h, .body = "hello body", .body_len = 10, .now_s = 1796637600};
    const char *az = "AWS4-HMAC-SHA256 Credential=bob/20261207/eu-west-1/aps/aws4_request, "
                     "SignedHeaders=content-type;host;x-amz-date, "
                     "Signature=669a3d6bea0b173bb382d2c8052b0255c2a6c3a634e38dec3be7c8acf90fd057";
    st_err e = {0};
    CHECK_EQ_INT(verify(az, &r, "s3cr3t/Key+x", &e), SIGV4_OK);
    r.body = "hello bodY";
    CHECK_EQ_INT(verify(az, &r, "s3cr3t/Key+x", &e), SIGV4_BAD_SIGNATURE);
    r.body = "hello body";
    /* a sent payload hash must be the body's */
    kv[6] = "x-amz-content-sha256";
    kv[7] = "0000000000000000000000000000000000000000000000000000000000000000";
    CHECK_EQ_INT(verify(az, &r, "s3cr3t/Key+x", &e), SIGV4_BAD_SIGNATURE);
    CHECK(strstr(e.msg, "x-amz-content-sha256"));
    kv[7] = "UNSIGNED-PAYLOAD";
    CHECK_EQ_INT(verify(az, &r, "s3cr3t/Key+x", &e), SIGV4_BAD_SIGNATURE);
    kv[6] = NULL;
    /* a short or non-hex signature */
    const char *shortsig = "AWS4-HMAC-SHA256 Credential=bob/20261207/eu-west-1/aps/aws4_request, "
                           "SignedHeaders=content-type;host;x-amz-date, Signature=669a";
    CHECK_EQ_INT(verify(shortsig, &r, "s3cr3t/Key+x", &e), SIGV4_BAD_SIGNATURE);
}

int main(void)
{
    RUN(test_documentation_example);
    RUN(test_botocore_post);
    return testlib_done("test_sigv4");
}
