/* Fuzz target: cred_parse on arbitrary Authorization, u and p values.
 *
 * Input: split at 0xFF bytes into the Authorization header, u and p (a
 * missing part is absent, NUL bytes end a value as in a C string). Beyond
 * "never crash, never overread", it checks that an answer is coherent:
 * every slice lies inside the strings given or the cred's own buffer, a
 * user-naming kind has a user, and an error says which credential. */
#include "cred.h"

#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static bool inside(st_slice s, const char *base, size_t n)
{
    return !s.n || (s.p >= base && s.p + s.n <= base + n);
}

static bool in_any(st_slice s, char *const *part, const size_t *len, const cred *c)
{
    if (inside(s, c->buf, sizeof c->buf)) return true;
    for (int i = 0; i < 3; i++)
        if (part[i] && inside(s, part[i], len[i])) return true;
    return false;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > 4096) return 0;
    char *part[3] = {NULL, NULL, NULL};
    size_t len[3] = {0, 0, 0}, np = 0, start = 0;
    for (size_t i = 0; i <= size && np < 3; i++) {
        if (i == size || data[i] == 0xFF) {
            part[np] = malloc(i - start + 1);
            memcpy(part[np], data + start, i - start);
            part[np][i - start] = 0;
            len[np] = strlen(part[np]);
            np++;
            start = i + 1;
        }
    }
    cred c;
    st_err e = {0};
    int rc = cred_parse(part[0], part[1], part[2], &c, &e);
    if (rc) {
        if (rc != ST_EINVAL || (strncmp(e.msg, "Authorization", 13) && strncmp(e.msg, "the ", 4))) abort();
    } else {
        st_slice all[] = {c.user, c.secret, c.date, c.region, c.service, c.signed_headers, c.signature};
        for (size_t i = 0; i < sizeof all / sizeof *all; i++)
            if (!in_any(all[i], part, len, &c)) abort();
        bool names = c.kind == CRED_BASIC || c.kind == CRED_PARAMS || c.kind == CRED_TOKEN_USER || c.kind == CRED_SIGV4;
        if (names != (c.user.n > 0)) abort();
        if ((c.kind == CRED_TOKEN || c.kind == CRED_BEARER) && !c.secret.n) abort();
    }
    for (int i = 0; i < 3; i++) free(part[i]);
    return 0;
}
