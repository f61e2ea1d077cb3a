/* Tests for wire/cred: every form of credentials Strata's clients send,
 * read by one parser, and what is malformed or ambiguous refused. */
#include "cred.h"
#include "engine/tests/testlib.h"

static bool is(st_slice s, const char *c) { return s.n == strlen(c) && !memcmp(s.p, c, s.n); }

static void test_basic(void)
{
    cred c;
    st_err e = {0};
    /* "prom:se:cr et" (a password may hold ':' and spaces) */
    CHECK_OK(cred_parse("Basic cHJvbTpzZTpjciBldA==", NULL, NULL, &c, &e));
    CHECK(c.kind == CRED_BASIC && is(c.user, "prom") && is(c.secret, "se:cr et"));
    CHECK_OK(cred_parse("basic   dTpw  ", NULL, NULL, &c, &e)); /* scheme case, spaces around */
    CHECK(c.kind == CRED_BASIC && is(c.user, "u") && is(c.secret, "p"));
    CHECK_OK(cred_parse("Basic dTo=", NULL, NULL, &c, &e)); /* "u:": an empty password is one */
    CHECK(c.kind == CRED_BASIC && is(c.user, "u") && c.secret.n == 0);
    CHECK(cred_parse("Basic dXNlcg==", NULL, NULL, &c, &e) == ST_EINVAL && strstr(e.msg, "no ':'"));
    CHECK(cred_parse("Basic OnA=", NULL, NULL, &c, &e) == ST_EINVAL && strstr(e.msg, "empty user"));
    CHECK(cred_parse("Basic dTpw=", NULL, NULL, &c, &e) == ST_EINVAL && strstr(e.msg, "base64"));
    CHECK(cred_parse("Basic dT=w", NULL, NULL, &c, &e) == ST_EINVAL); /* data after padding */
    CHECK(cred_parse("Basic d*pw", NULL, NULL, &c, &e) == ST_EINVAL);
    CHECK(cred_parse("Basic", NULL, NULL, &c, &e) == ST_EINVAL);
    /* "bob\0x:pw" and "bob:pw\0x": a NUL byte is refused, never cut at */
    CHECK(cred_parse("Basic Ym9iAHg6cHc=", NULL, NULL, &c, &e) == ST_EINVAL && strstr(e.msg, "NUL"));
    CHECK(cred_parse("Basic Ym9iOnB3AHg=", NULL, NULL, &c, &e) == ST_EINVAL && strstr(e.msg, "NUL"));
}

static void test_params_and_tokens(void)
{
    cred c;
    st_err e = {0};
    CHECK_OK(cred_parse(NULL, NULL, NULL, &c, &e));
    CHECK(c.kind == CRED_NONE);
    CHECK_OK(cred_parse("", NULL, NULL, &c, &e));
    CHECK(c.kind == CRED_NONE);
    CHECK_OK(cred_parse(NULL, "cli", "pw", &c, &e));
    CHECK(c.kind == CRED_PARAMS && is(c.user, "cli") && is(c.secret, "pw"));
    CHECK(cred_parse(NULL, "cli", NULL, &c, &e) == ST_EINVAL && strstr(e.msg, "without a password"));
    CHECK(cred_parse(NULL, NULL, "pw", &c, &e) == ST_EINVAL && strstr(e.msg, "without a user"));
    CHECK_OK(cred_parse("Token telegraf:pw:x", NULL, NULL, &c, &e));
    CHECK(c.kind == CRED_TOKEN_USER && is(c.user, "telegraf") && is(c.secret, "pw:x"));
    CHECK_OK(cred_parse("Token abcDEF-_123==", NULL, NULL, &c, &e));
    CHECK(c.kind == CRED_TOKEN && is(c.secret, "abcDEF-_123==") && c.user.n == 0);
    CHECK_OK(cred_parse("Bearer eyJhbGciOi.x.y", NULL, NULL, &c, &e));
    CHECK(c.kind == CRED_BEARER && is(c.secret, "eyJhbGciOi.x.y"));
    CHECK(cred_parse("Bearer ", NULL, NULL, &c, &e) == ST_EINVAL && strstr(e.msg, "without credentials"));
    CHECK(cred_parse("Token :pw", NULL, NULL, &c, &e) == ST_EINVAL);
    CHECK(cred_parse("Digest username=x", NULL, NULL, &c, &e) == ST_EINVAL && strstr(e.msg, "unknown scheme"));
    /* two places: one user is one credential, two users refused */
    CHECK_OK(cred_parse("Basic dTpw", "u", "p", &c, &e));
    CHECK(c.kind == CRED_BASIC && is(c.user, "u"));
    CHECK(cred_parse("Basic dTpw", "v", "p", &c, &e) == ST_EINVAL && strstr(e.msg, "two users"));
    CHECK(cred_parse("Basic dTpw", "u", "q", &c, &e) == ST_EINVAL && strstr(e.msg, "two passwords"));
    CHECK(cred_parse("Bearer tok", "u", "p", &c, &e) == ST_EINVAL && strstr(e.msg, "two users"));
}

static void test_sigv4(void)
{
    cred c;
    st_err e = {0};
    const char *h = "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20261207/us-east-1/timestream/aws4_request, "
                    "SignedHeaders=content-type;host;x-amz-date;x-amz-target, "
                    "Signature=5d672d79c15b13162d9279b0855cfba6789a8edb4c82c400e06b5924a6f2b5d7";
    CHECK_OK(cred_parse(h, NULL, NULL, &c, &e));
    CHECK(c.kind == CRED_SIGV4 && is(c.user, "AKIDEXAMPLE") && is(c.date, "20261207") && is(c.region, "us-east-1") &&
          is(c.service, "timestream") && is(c.signed_headers, "content-type;host;x-amz-date;x-amz-target") &&
          is(c.signature, "5d672d79c15b13162d9279b0855cfba6789a8edb4c82c400e06b5924a6f2b5d7"));
    /* without the spaces after the commas (botocore writes them, others do not) */
    CHECK_OK(cred_parse("AWS4-HMAC-SHA256 Credential=K/20261207/r/aps/aws4_request,SignedHeaders=host,Signature=00ff",
                        NULL, NULL, &c, &e));
    CHECK(c.kind == CRED_SIGV4 && is(c.user, "K") && is(c.service, "aps") && is(c.signature, "00ff"));
    const char *bad[] = {
        "AWS4-HMAC-SHA256 Credential=K/20261207/r/s/aws4_request, SignedHeaders=host",         /* no Signature */
        "AWS4-HMAC-SHA256 Credential=K/2026127/r/s/aws4_request, SignedHeaders=host, Signature=00", /* date */
        "AWS4-HMAC-SHA256 Credential=K/20261207/r/s/aws5_request, SignedHeaders=host, Signature=00",
        "AWS4-HMAC-SHA256 Credential=K/20261207/r/s/aws4_request/x, SignedHeaders=host, Signature=00",
        "AWS4-HMAC-SHA256 Credential=/20261207/r/s/aws4_request, SignedHeaders=host, Signature=00",
        "AWS4-HMAC-SHA256 Credential=K/20261207/r/s/aws4_request, SignedHeaders=host, Signature=00FG",
        "AWS4-HMAC-SHA256 XCredential=K/20261207/r/s/aws4_request, SignedHeaders=host, Signature=00",
    };
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++)
        CHECK_MSG(cred_parse(bad[i], NULL, NULL, &c, &e) == ST_EINVAL, "accepted: %s", bad[i]);
}

int main(void)
{
    RUN(test_basic);
    RUN(test_params_and_tokens);
    RUN(test_sigv4);
    return testlib_done("test_cred");
}
