/* fuzz_prw: libFuzzer target for the remote_write decoder (wire/prw.h).
 *
 * The first byte picks the version (bit 0: 1.0 or 2.0) and the body's
 * encoding (bits 1-2: raw protobuf, snappy, zstd, gzip, decompressed under
 * a 1 MiB cap); the rest is the body. Any input must decode or fail with
 * ST_EINVAL/ST_ELIMIT and a message, never crash or read outside the body,
 * and (the zero-copy invariant) every label slice handed to the callback
 * must lie inside the decompressed buffer, counts must match the callbacks.
 * The same body is decoded again with lazy_labels, as the server does: it
 * must accept what the full decode accepts, with the same samples, and the
 * labels of each framed-only series (prw_series_labels) must be the full
 * decode's; what the full decode refuses, the lazy one refuses too (in the
 * framing, or when a series' labels are decoded late).
 */
#include "prw.h"

#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

typedef struct fz {
    const uint8_t *buf;
    size_t n;
    uint64_t series, samples;
    bool lazy;
    st_arena *a;
    st_buf trace; /* labels and samples, as bytes */
} fz;

static void inside(const fz *f, st_slice s)
{
    if (s.n && ((const uint8_t *)s.p < f->buf || (const uint8_t *)s.p + s.n > f->buf + f->n)) abort();
}

static int on_series(void *ctx, prw_series *s, st_err *e)
{
    (void)e;
    fz *f = ctx;
    label *ls = s->labels;
    size_t nl = s->nlabels;
    if (!ls && nl) {
        if (!f->lazy || !s->label_bytes) abort();
        size_t cap = 0, got = 0;
        int rc = prw_series_labels(s->label_bytes, s->label_bytes_len, s->index, f->a, &ls, &cap, &got, e);
        if (rc) return rc;
        if (got != nl) abort();
    }
    for (size_t i = 0; i < nl; i++) {
        inside(f, ls[i].name);
        inside(f, ls[i].value);
        st_buf_put(&f->trace, &ls[i].name.p, sizeof ls[i].name.p);
        st_buf_put(&f->trace, &ls[i].name.n, sizeof ls[i].name.n);
        st_buf_put(&f->trace, &ls[i].value.p, sizeof ls[i].value.p);
        st_buf_put(&f->trace, &ls[i].value.n, sizeof ls[i].value.n);
    }
    if (s->nsamples) st_buf_put(&f->trace, s->samples, s->nsamples * sizeof *s->samples);
    st_buf_put(&f->trace, "|", 1);
    f->series++;
    f->samples += s->nsamples;
    return 0;
}

static void on_md(void *ctx, const prw_metadata *m)
{
    fz *f = ctx;
    inside(f, m->family);
    inside(f, m->help);
    inside(f, m->unit);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1) return 0;
    int ver = (data[0] & 1) ? PRW_V2 : PRW_V1;
    int enc = (data[0] >> 1) & 3;
    /* a private copy, so that reads past the end are caught */
    uint8_t *body = malloc(size);
    memcpy(body, data + 1, size - 1);
    st_buf plain = {0};
    const uint8_t *p = body;
    size_t n = size - 1;
    st_err e = {0};
    if (enc) {
        int rc = prw_decompress(enc, body, n, 1 << 20, &plain, &e);
        if (rc) {
            if ((rc != ST_EINVAL && rc != ST_ELIMIT) || !e.msg[0]) abort();
            goto out;
        }
        if (plain.len > (1 << 20)) abort();
        p = plain.p;
        n = plain.len;
    }
    st_arena *a = st_arena_new(4096);
    fz f = {.buf = p, .n = n, .a = a};
    prw_handler h = {on_series, on_md, &f, false};
    prw_counts c;
    int rc = prw_decode(ver, p, n, a, &h, &c, &e);
    if (rc && (rc != ST_EINVAL || !e.msg[0])) abort();
    if (c.series != f.series || c.samples != f.samples) abort();
    fz lz = {.buf = p, .n = n, .a = a, .lazy = true};
    prw_handler hl = {on_series, on_md, &lz, true};
    st_err le = {0};
    int lrc = prw_decode(ver, p, n, a, &hl, NULL, &le);
    if (lrc && (lrc != ST_EINVAL || !le.msg[0])) abort();
    if ((rc == 0) != (lrc == 0)) abort();
    if (rc == 0 && (f.trace.len != lz.trace.len || (f.trace.len && memcmp(f.trace.p, lz.trace.p, f.trace.len) != 0)))
        abort();
    st_buf_free(&f.trace);
    st_buf_free(&lz.trace);
    st_arena_free(a);
out:
    st_buf_free(&plain);
    free(body);
    return 0;
}
