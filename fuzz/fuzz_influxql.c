/* Fuzz target: the InfluxQL statement parser on arbitrary bytes.
 *
 * Beyond "never crash, never leak, never read outside the input": a parse
 * error must carry InfluxDB's position suffix, and every slice of a parsed
 * statement must lie inside the input or the arena's decoded copies (checked
 * for the statement text, which always points into the input).
 */
#include "influxql/influxql.h"

#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > 8192) return 0;
    /* a private copy, so that reading one byte past the end is caught */
    char *q = malloc(size ? size : 1);
    if (size) memcpy(q, data, size);
    st_arena *a = st_arena_new(4096);
    iql_stmt *st;
    size_t n;
    st_err e;
    if (iql_parse(q, size, a, &st, &n, &e) != 0) {
        if (!strstr(e.msg, " at line ") && strcmp(e.msg, "empty query") != 0) abort();
    } else {
        if (n == 0) abort();
        for (size_t i = 0; i < n; i++) {
            if (st[i].text.p < q || st[i].text.p + st[i].text.n > q + size) abort();
            if (st[i].kind < IQL_CREATE_DATABASE || st[i].kind > IQL_UNSUPPORTED) abort();
            if (st[i].limit < 0 || st[i].offset < 0) abort();
        }
    }
    st_arena_free(a);
    free(q);
    return 0;
}
