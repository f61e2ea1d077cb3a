/* fuzz_import_json: libFuzzer target for the JSON reader and the
 * VictoriaMetrics JSON-lines import.
 *
 * The input is an /api/v1/import body: import_json must count every
 * non-blank line as good or bad, add exactly the samples it reports, and
 * never crash, hang or read outside the body. The same bytes as a single
 * document go through json_skip_value (the depth limit, no recursion), and
 * each string token found is decoded, which must give valid UTF-8 no
 * longer than its source.
 */
#include "export.h"
#include "json.h"

#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *body = (const char *)data;
    store_batch *b = store_batch_new();
    import_stats st;
    st_err e;
    int rc = import_json(body, size, b, &st, &e);
    if (st.lines_bad > st.lines || store_batch_samples(b) != st.samples) abort();
    if ((rc != 0) != (st.lines_bad != 0)) abort();
    if (rc && st.first_error_line == 0) abort();
    store_batch_free(b);

    st_arena *a = st_arena_new(256);
    json_reader r;
    json_reader_init(&r, body, size, a);
    if (json_skip_value(&r, &e) == 0) json_expect_end(&r, &e);
    if (r.p < body || r.p > body + size) abort();
    for (size_t i = 0; i < size; i++) {
        if (data[i] != '"') continue;
        json_reader_init(&r, body + i, size - i, a);
        st_slice s;
        if (json_read_string(&r, &s, &e) == 0) {
            if (s.n > (size_t)(r.p - (body + i))) abort();
            st_buf tmp = {0};
            json_str(&tmp, s.p, s.n); /* must not crash on any decoded bytes */
            st_buf_free(&tmp);
        }
    }
    st_arena_free(a);
    return 0;
}
