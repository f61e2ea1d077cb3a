/* Fuzz target: matcher_new on arbitrary regex bytes, then matching.
 *
 * Input: byte 0 picks the operator (low two bits); the rest is split at
 * 0xFF bytes into the pattern and up to four subjects. Beyond "never
 * crash, never leak", it checks two properties on every input:
 *  - matcher_matches_empty agrees with matching "";
 *  - a regex's fast path (literal, set, .* / .+ around a literal) agrees
 *    with PCRE2: "(?:)" + pattern matches the same strings but defeats
 *    every fast path. Both must compile or the comparison is skipped.
 */
#include "index.h"

#include <stdlib.h>
#include <string.h>

uint64_t matcher_limit_hits_(const matcher *m);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1 || size > 4096) return 0;
    match_op op = (match_op)(data[0] & 3);
    st_slice seg[5];
    size_t nseg = 0, start = 1;
    for (size_t i = 1; i <= size && nseg < 5; i++) {
        if (i == size || data[i] == 0xFF) {
            seg[nseg++] = st_slice_of((const char *)data + start, i - start);
            start = i + 1;
        }
    }
    if (!nseg) seg[nseg++] = st_slice_of("", 0);
    matcher *m = NULL;
    st_err e;
    if (matcher_new(op, st_slice_of("x", 1), seg[0], &m, &e) != 0) {
        if (strncmp(e.msg, op >= MATCH_RE ? "invalid regular expression \"" : "invalid", 7) != 0)
            abort();
        return 0;
    }
    /* Subjects: the pattern itself (seg[0]), the others, and "". */
    if (matcher_matches_empty(m) != matcher_matches(m, st_slice_of("", 0))) abort();

    matcher *f = NULL;
    if (op == MATCH_RE && seg[0].n < 4000) {
        char *forced = malloc(seg[0].n + 4);
        memcpy(forced, "(?:)", 4);
        memcpy(forced + 4, seg[0].p, seg[0].n);
        if (matcher_new(MATCH_RE, st_slice_of("x", 1), st_slice_of(forced, seg[0].n + 4), &f, NULL))
            f = NULL;
        free(forced);
    }
    for (size_t i = 0; i < nseg; i++) {
        bool a = matcher_matches(m, seg[i]);
        if (f) {
            bool b = matcher_matches(f, seg[i]);
            if (a != b && !matcher_limit_hits_(m) && !matcher_limit_hits_(f)) abort();
        }
    }
    matcher_free(f);
    matcher_free(m);
    return 0;
}
