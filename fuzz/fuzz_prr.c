/* fuzz_prr: libFuzzer target for the remote_read wire formats (wire/prr.h).
 *
 * The first byte picks what the rest is:
 *   0  a ReadRequest (raw protobuf): decode; if it decodes, negotiate, and
 *      encode -> decode again must give the same request
 *   1  the same, snappy-compressed (decompressed under a 1 MiB cap)
 *   2  an XOR chunk: decode; if it decodes, encode -> decode must give the
 *      same samples bit for bit
 *   3  a stream of frames: each frame's ChunkedReadResponse decoded, each
 *      chunk's XOR data decoded
 *   4  a ReadResponse (raw protobuf)
 *   5  samples (16 bytes each: timestamp, value bits) encoded as a chunk
 *      and as a series' frames, decoded back bit for bit
 * Any input must decode or fail with ST_EINVAL and a message, never crash
 * or read outside the input, and every slice handed out must lie inside it.
 */
#include "prr.h"
#include "prw.h"

#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const uint8_t *g_buf;
static size_t g_n;

static void inside(st_slice s)
{
    if (s.n && ((const uint8_t *)s.p < g_buf || (const uint8_t *)s.p + s.n > g_buf + g_n)) abort();
}

static void check_rc(int rc, const st_err *e)
{
    if (rc && (rc != ST_EINVAL || !e->msg[0])) abort();
}

static bool same_request(const prr_request *a, const prr_request *b)
{
    if (a->nqueries != b->nqueries || a->naccepted != b->naccepted) return false;
    for (size_t i = 0; i < a->naccepted; i++)
        if (a->accepted[i] != b->accepted[i]) return false;
    for (size_t i = 0; i < a->nqueries; i++) {
        const prr_query *x = &a->queries[i], *y = &b->queries[i];
        if (x->start_ms != y->start_ms || x->end_ms != y->end_ms || x->nmatchers != y->nmatchers ||
            x->has_hints != y->has_hints)
            return false;
        for (size_t j = 0; j < x->nmatchers; j++)
            if (x->matchers[j].type != y->matchers[j].type || !st_slice_eq(x->matchers[j].name, y->matchers[j].name) ||
                !st_slice_eq(x->matchers[j].value, y->matchers[j].value))
                return false;
    }
    return true;
}

static void request(const uint8_t *p, size_t n, st_arena *a)
{
    g_buf = p;
    g_n = n;
    prr_request r;
    st_err e = {0};
    int rc = prr_decode_request(p, n, a, &r, &e);
    check_rc(rc, &e);
    if (rc) return;
    for (size_t i = 0; i < r.nqueries; i++)
        for (size_t j = 0; j < r.queries[i].nmatchers; j++) {
            inside(r.queries[i].matchers[j].name);
            inside(r.queries[i].matchers[j].value);
        }
    int t;
    rc = prr_negotiate(&r, &t, &e);
    if (rc == 0 && t != PRR_SAMPLES && t != PRR_STREAMED_XOR_CHUNKS) abort();
    check_rc(rc, &e);
    st_buf b = {0};
    prr_encode_request(&r, n & 1, &b);
    prr_request r2;
    if (prr_decode_request(b.p, b.len, a, &r2, &e) != 0 || !same_request(&r, &r2)) abort();
    st_buf_free(&b);
}

static void xor_chunk(const uint8_t *p, size_t n)
{
    int64_t *ts = malloc(PRR_XOR_MAX_SAMPLES * sizeof *ts), *t2 = malloc(PRR_XOR_MAX_SAMPLES * sizeof *t2);
    uint64_t *v = malloc(PRR_XOR_MAX_SAMPLES * sizeof *v), *v2 = malloc(PRR_XOR_MAX_SAMPLES * sizeof *v2);
    size_t got = 0, got2 = 0;
    st_err e = {0};
    int rc = prr_xor_decode(p, n, ts, v, PRR_XOR_MAX_SAMPLES, &got, &e);
    check_rc(rc, &e);
    if (rc == 0 && got) {
        st_buf b = {0};
        if (prr_xor_encode(ts, v, got, &b, &e) != 0) abort();
        if (prr_xor_decode(b.p, b.len, t2, v2, PRR_XOR_MAX_SAMPLES, &got2, &e) != 0 || got2 != got) abort();
        if (memcmp(ts, t2, got * sizeof *ts) || memcmp(v, v2, got * sizeof *v)) abort();
        st_buf_free(&b);
    }
    free(ts);
    free(t2);
    free(v);
    free(v2);
}

static void frames(const uint8_t *p, size_t n, st_arena *a)
{
    g_buf = p;
    g_n = n;
    const uint8_t *q = p, *end = p + n;
    st_slice d;
    st_err e = {0};
    int rc;
    while ((rc = prr_frame_next(&q, end, 1 << 20, &d, &e)) == 1) {
        inside(d);
        prr_chunked_series *ss;
        size_t nss;
        int64_t qi;
        rc = prr_decode_chunked((const uint8_t *)d.p, d.n, a, &ss, &nss, &qi, &e);
        check_rc(rc, &e);
        if (rc) continue;
        for (size_t i = 0; i < nss; i++) {
            for (size_t j = 0; j < ss[i].nlabels; j++) {
                inside(ss[i].labels[j].name);
                inside(ss[i].labels[j].value);
            }
            for (size_t j = 0; j < ss[i].nchunks; j++) {
                inside(ss[i].chunks[j].data);
                xor_chunk((const uint8_t *)ss[i].chunks[j].data.p, ss[i].chunks[j].data.n);
            }
        }
    }
    check_rc(rc, &e);
}

static void response(const uint8_t *p, size_t n, st_arena *a)
{
    g_buf = p;
    g_n = n;
    prr_result *rs;
    size_t nr;
    st_err e = {0};
    int rc = prr_decode_read_response(p, n, a, &rs, &nr, &e);
    check_rc(rc, &e);
    if (rc) return;
    for (size_t i = 0; i < nr; i++)
        for (size_t j = 0; j < rs[i].nseries; j++)
            for (size_t k = 0; k < rs[i].series[j].nlabels; k++) {
                inside(rs[i].series[j].labels[k].name);
                inside(rs[i].series[j].labels[k].value);
            }
}

static uint64_t get64(const uint8_t *p)
{
    uint64_t v = 0;
    for (int i = 0; i < 8; i++) v = v << 8 | p[i];
    return v;
}

static void samples(const uint8_t *p, size_t n, st_arena *a)
{
    size_t cnt = n / 16;
    if (cnt == 0) return;
    if (cnt > 4096) cnt = 4096;
    int64_t *ts = malloc(cnt * sizeof *ts);
    uint64_t *v = malloc(cnt * sizeof *v);
    for (size_t i = 0; i < cnt; i++) {
        ts[i] = (int64_t)get64(p + 16 * i);
        v[i] = get64(p + 16 * i + 8);
    }
    st_buf b = {0};
    st_err e = {0};
    if (prr_xor_encode(ts, v, cnt, &b, &e) != 0) abort();
    xor_chunk(b.p, b.len);
    b.len = 0;
    label ls[1] = {{{"__name__", 8}, {"f", 1}}};
    if (prr_put_chunked_series(&b, (int64_t)(n % 3), ls, 1, ts, v, cnt, 64 + n % 4000, NULL, &e) != 0) abort();
    const uint8_t *q = b.p, *end = b.p + b.len;
    st_slice d;
    size_t k = 0;
    int64_t *t2 = malloc(PRR_CHUNK_SAMPLES * sizeof *t2);
    uint64_t *v2 = malloc(PRR_CHUNK_SAMPLES * sizeof *v2);
    while (prr_frame_next(&q, end, 1 << 24, &d, &e) == 1) {
        prr_chunked_series *ss;
        size_t nss, got;
        int64_t qi;
        if (prr_decode_chunked((const uint8_t *)d.p, d.n, a, &ss, &nss, &qi, &e) != 0 || nss != 1 ||
            qi != (int64_t)(n % 3))
            abort();
        for (size_t j = 0; j < ss[0].nchunks; j++) {
            if (prr_xor_decode((const uint8_t *)ss[0].chunks[j].data.p, ss[0].chunks[j].data.n, t2, v2,
                               PRR_CHUNK_SAMPLES, &got, &e) != 0)
                abort();
            for (size_t i = 0; i < got; i++, k++)
                if (k >= cnt || t2[i] != ts[k] || v2[i] != v[k]) abort();
        }
    }
    if (q != end || k != cnt) abort();
    free(t2);
    free(v2);
    free(ts);
    free(v);
    st_buf_free(&b);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1) return 0;
    /* a private copy, so that reads past the end are caught */
    size_t n = size - 1;
    uint8_t *body = malloc(n ? n : 1);
    memcpy(body, data + 1, n);
    st_arena *a = st_arena_new(4096);
    switch (data[0] % 6) {
    case 0: request(body, n, a); break;
    case 1: {
        st_buf plain = {0};
        st_err e = {0};
        int rc = prw_decompress(PRW_ENC_SNAPPY, body, n, 1 << 20, &plain, &e);
        if (rc && (rc != ST_EINVAL && rc != ST_ELIMIT)) abort();
        if (rc == 0) request(plain.p, plain.len, a);
        st_buf_free(&plain);
        break;
    }
    case 2: xor_chunk(body, n); break;
    case 3: frames(body, n, a); break;
    case 4: response(body, n, a); break;
    default: samples(body, n, a); break;
    }
    st_arena_free(a);
    free(body);
    return 0;
}
