/* Fuzz target: the PromQL parser on arbitrary bytes.
 *
 * Beyond "never crash, never leak", every input that parses must print to a
 * fixed point: parse -> format -> parse must succeed and format the same
 * text again. Errors must carry Prometheus's "L:C: parse error: " prefix.
 */
#include "promql/promql.h"

#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > 8192) return 0;
    st_arena *a = st_arena_new(4096);
    promql_node *n;
    st_err e;
    if (promql_parse((const char *)data, size, a, &n, &e) != 0) {
        if (!strstr(e.msg, ": parse error: ")) abort();
        st_arena_free(a);
        return 0;
    }
    st_buf b1 = {0}, b2 = {0};
    promql_format(n, &b1);
    promql_node *n2;
    if (promql_parse((const char *)b1.p, b1.len, a, &n2, &e) != 0) abort();
    if (promql_node_type(n) != promql_node_type(n2)) abort();
    promql_format(n2, &b2);
    if (b1.len != b2.len || memcmp(b1.p, b2.p, b1.len) != 0) abort();
    st_buf_free(&b1);
    st_buf_free(&b2);
    st_arena_free(a);
    return 0;
}
