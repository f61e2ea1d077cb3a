/* test_prw: the remote_write decoder (wire/prw.h).
 *
 * Requests are built here with a tiny protobuf encoder (pb_*), compressed
 * with libsnappy/zstd/zlib, decompressed and decoded, and checked field by
 * field. Then a malformed corpus (truncations, lengths past the end, wrong
 * wire types, refs outside the symbol table, lying snappy preambles, huge
 * declared sizes, every prefix and single-byte mutation of a valid request)
 * must give errors, never a crash or a read out of bounds (run under ASan
 * by `make test-asan`). Last, decode throughput for 2,000 series x 1 sample
 * with 10 labels each, printed as samples/s.
 */
#include <math.h>
#include <snappy-c.h>
#include <string.h>
#include <time.h>
#include <zlib.h>
#include <zstd.h>

#include "prw.h"
#include "testlib.h"

/* --------------------------------------------------- protobuf encoder */

static void pb_varint(st_buf *b, uint64_t v)
{
    while (v >= 0x80) {
        st_buf_putc(b, (uint8_t)(v | 0x80));
        v >>= 7;
    }
    st_buf_putc(b, (uint8_t)v);
}
static void pb_tag(st_buf *b, uint32_t field, unsigned wt) { pb_varint(b, (uint64_t)field << 3 | wt); }
static void pb_bytes(st_buf *b, uint32_t field, const void *p, size_t n)
{
    pb_tag(b, field, 2);
    pb_varint(b, n);
    st_buf_put(b, p, n);
}
static void pb_str(st_buf *b, uint32_t field, const char *s) { pb_bytes(b, field, s, strlen(s)); }
static void pb_sub(st_buf *b, uint32_t field, const st_buf *sub) { pb_bytes(b, field, sub->p, sub->len); }
static void pb_fixed64(st_buf *b, uint32_t field, uint64_t v)
{
    pb_tag(b, field, 1);
    for (int i = 0; i < 8; i++) st_buf_putc(b, (uint8_t)(v >> (8 * i)));
}
static void pb_uint(st_buf *b, uint32_t field, uint64_t v)
{
    pb_tag(b, field, 0);
    pb_varint(b, v);
}

static uint64_t dbits(double d)
{
    uint64_t u;
    memcpy(&u, &d, 8);
    return u;
}

static void enc_sample(st_buf *ts, uint32_t field, uint64_t bits, int64_t ms)
{
    st_buf s = {0};
    pb_fixed64(&s, 1, bits);
    pb_uint(&s, 2, (uint64_t)ms);
    pb_sub(ts, field, &s);
    st_buf_free(&s);
}

static void enc_label(st_buf *ts, const char *n, const char *v)
{
    st_buf l = {0};
    pb_str(&l, 1, n);
    pb_str(&l, 2, v);
    pb_sub(ts, 1, &l);
    st_buf_free(&l);
}

static void snappy(const st_buf *in, st_buf *out)
{
    size_t cap = snappy_max_compressed_length(in->len);
    out->len = 0;
    st_buf_reserve(out, cap);
    size_t n = cap;
    if (snappy_compress((const char *)in->p, in->len, (char *)out->p, &n) != SNAPPY_OK) abort();
    out->len = n;
}

/* ------------------------------------------------------ collectors */

typedef struct got {
    const uint8_t *buf;
    size_t n;
    size_t nseries, nsamples, nmd, nhist, nex;
    char first_name[64], labels0[512];
    uint64_t bits[16];
    int64_t ts[16];
    bool out_of_buffer;
    char md_family[64], md_help[64], md_unit[64];
    unsigned md_type;
} got;

static bool inside(const got *g, st_slice s)
{
    return (const uint8_t *)s.p >= g->buf && (const uint8_t *)s.p + s.n <= g->buf + g->n;
}

static int cb_series(void *ctx, prw_series *s, st_err *e)
{
    (void)e;
    got *g = ctx;
    for (size_t i = 0; i < s->nlabels; i++)
        if (!inside(g, s->labels[i].name) || !inside(g, s->labels[i].value)) g->out_of_buffer = true;
    if (g->nseries == 0) {
        size_t o = 0;
        for (size_t i = 0; i < s->nlabels && o < sizeof g->labels0 - 200; i++)
            o += (size_t)snprintf(g->labels0 + o, sizeof g->labels0 - o, "%.*s=%.*s;", (int)s->labels[i].name.n,
                                  s->labels[i].name.p, (int)s->labels[i].value.n, s->labels[i].value.p);
    }
    for (size_t i = 0; i < s->nsamples && g->nsamples + i < 16; i++) {
        g->bits[g->nsamples + i] = s->samples[i].bits;
        g->ts[g->nsamples + i] = s->samples[i].ts_ms;
    }
    g->nseries++;
    g->nsamples += s->nsamples;
    g->nhist += s->nhistograms;
    g->nex += s->nexemplars;
    return 0;
}

static void cb_md(void *ctx, const prw_metadata *m)
{
    got *g = ctx;
    g->nmd++;
    g->md_type = m->type;
    snprintf(g->md_family, sizeof g->md_family, "%.*s", (int)m->family.n, m->family.p);
    snprintf(g->md_help, sizeof g->md_help, "%.*s", (int)m->help.n, m->help.p);
    snprintf(g->md_unit, sizeof g->md_unit, "%.*s", (int)m->unit.n, m->unit.p);
}

static int decode(int v, const uint8_t *p, size_t n, got *g, st_err *e)
{
    memset(g, 0, sizeof *g);
    g->buf = p;
    g->n = n;
    st_arena *a = st_arena_new(4096);
    prw_handler h = {cb_series, cb_md, g};
    int rc = prw_decode(v, p, n, a, &h, NULL, e);
    st_arena_free(a);
    return rc;
}

/* --------------------------------------------------------- requests */

/* A 1.0 request: two series (one with unsorted labels), metadata, an
 * exemplar, a histogram and unknown fields everywhere. */
static void build_v1(st_buf *req)
{
    st_buf ts = {0};
    enc_label(&ts, "__name__", "up");
    enc_label(&ts, "job", "prometheus");
    pb_uint(&ts, 9, 7); /* unknown varint field */
    enc_sample(&ts, 2, dbits(1.0), 1700000000000);
    enc_sample(&ts, 2, ST_STALE_NAN_BITS, 1700000001000);
    enc_sample(&ts, 2, dbits(-0.0), -5);
    st_buf ex = {0};
    enc_label(&ex, "trace_id", "abc");
    pb_sub(&ts, 3, &ex);
    st_buf_free(&ex);
    pb_str(&ts, 4, "histogram-bytes-not-decoded");
    pb_sub(req, 1, &ts);
    ts.len = 0;
    enc_label(&ts, "zone", "eu");
    enc_label(&ts, "__name__", "temp");
    enc_sample(&ts, 2, dbits(21.5), 1);
    pb_fixed64(&ts, 15, 0); /* unknown fixed64 */
    pb_sub(req, 1, &ts);
    st_buf md = {0};
    pb_uint(&md, 1, 1);
    pb_str(&md, 2, "http_requests_total");
    pb_str(&md, 4, "Requests.");
    pb_str(&md, 5, "requests");
    pb_sub(req, 3, &md);
    pb_str(req, 2, "reserved-cortex-source");
    st_buf_free(&md);
    st_buf_free(&ts);
}

static void test_negotiation(void)
{
    CHECK_EQ_INT(prw_content_type(NULL), PRW_V1);
    CHECK_EQ_INT(prw_content_type(""), PRW_V1);
    CHECK_EQ_INT(prw_content_type("application/x-protobuf"), PRW_V1);
    CHECK_EQ_INT(prw_content_type("Application/X-Protobuf; proto=prometheus.WriteRequest"), PRW_V1);
    CHECK_EQ_INT(prw_content_type("application/x-protobuf;proto=io.prometheus.write.v2.Request"), PRW_V2);
    CHECK_EQ_INT(prw_content_type("application/x-protobuf; proto=\"io.prometheus.write.v2.Request\""), PRW_V2);
    CHECK_EQ_INT(prw_content_type("application/x-protobuf;proto=io.prometheus.write.v3.Request"), 0);
    CHECK_EQ_INT(prw_content_type("application/json"), 0);
    CHECK_EQ_INT(prw_content_type("application/x-protobufx"), 0);
    CHECK_EQ_INT(prw_content_type("application/x-protobuf;garbage"), 0);
    CHECK_EQ_INT(prw_encoding_of(NULL), PRW_ENC_SNAPPY);
    CHECK_EQ_INT(prw_encoding_of("snappy"), PRW_ENC_SNAPPY);
    CHECK_EQ_INT(prw_encoding_of("ZSTD"), PRW_ENC_ZSTD);
    CHECK_EQ_INT(prw_encoding_of("gzip"), PRW_ENC_GZIP);
    CHECK_EQ_INT(prw_encoding_of("br"), 0);
    CHECK_EQ_INT(prw_encoding_of("deflate"), 0);
}

static void test_v1_roundtrip(void)
{
    st_buf req = {0}, z = {0}, plain = {0};
    build_v1(&req);
    snappy(&req, &z);
    st_err e = {0};
    CHECK_OK(prw_decompress(PRW_ENC_SNAPPY, z.p, z.len, 1 << 20, &plain, &e));
    CHECK(plain.len == req.len && memcmp(plain.p, req.p, req.len) == 0);
    got g;
    CHECK_OK(decode(PRW_V1, plain.p, plain.len, &g, &e));
    CHECK_EQ_INT(g.nseries, 2);
    CHECK_EQ_INT(g.nsamples, 4);
    CHECK_EQ_INT(g.nex, 1);
    CHECK_EQ_INT(g.nhist, 1);
    CHECK_EQ_INT(g.nmd, 1);
    CHECK(!g.out_of_buffer);
    CHECK(strcmp(g.labels0, "__name__=up;job=prometheus;") == 0);
    CHECK(g.bits[0] == dbits(1.0) && g.ts[0] == 1700000000000);
    CHECK(g.bits[1] == ST_STALE_NAN_BITS);
    CHECK(g.bits[2] == dbits(-0.0) && g.ts[2] == -5);
    CHECK(g.bits[3] == dbits(21.5) && g.ts[3] == 1);
    CHECK(!strcmp(g.md_family, "http_requests_total") && !strcmp(g.md_help, "Requests.") &&
          !strcmp(g.md_unit, "requests") && g.md_type == 1);
    /* a metadata-only request and an empty one */
    st_buf md = {0};
    pb_str(&md, 2, "x");
    req.len = 0;
    pb_sub(&req, 3, &md);
    CHECK_OK(decode(PRW_V1, req.p, req.len, &g, &e));
    CHECK(g.nseries == 0 && g.nmd == 1);
    CHECK_OK(decode(PRW_V1, req.p, 0, &g, &e));
    /* the same body read as 2.0 is empty, as the spec warns */
    build_v1(&req);
    CHECK_OK(decode(PRW_V2, req.p, req.len, &g, &e));
    CHECK(g.nseries == 0);
    st_buf_free(&md);
    st_buf_free(&req);
    st_buf_free(&z);
    st_buf_free(&plain);
}

static void build_v2(st_buf *req, bool packed)
{
    const char *syms[] = {"", "__name__", "cpu_seconds_total", "mode", "idle", "help text", "seconds", "trace"};
    for (size_t i = 0; i < 8; i++) pb_str(req, 4, syms[i]);
    st_buf ts = {0}, refs = {0};
    uint32_t r[] = {1, 2, 3, 4};
    if (packed) {
        for (int i = 0; i < 4; i++) pb_varint(&refs, r[i]);
        pb_sub(&ts, 1, &refs);
    } else {
        for (int i = 0; i < 4; i++) pb_uint(&ts, 1, r[i]);
    }
    st_buf s = {0};
    pb_fixed64(&s, 1, dbits(3.25));
    pb_uint(&s, 2, 1700000000123);
    pb_uint(&s, 3, 1690000000000); /* start_timestamp */
    pb_sub(&ts, 2, &s);
    st_buf ex = {0}, er = {0};
    pb_varint(&er, 7);
    pb_varint(&er, 4);
    pb_sub(&ex, 1, &er);
    pb_fixed64(&ex, 2, dbits(1));
    pb_sub(&ts, 4, &ex);
    st_buf md = {0};
    pb_uint(&md, 1, 1);
    pb_uint(&md, 3, 5);
    pb_uint(&md, 4, 6);
    pb_sub(&ts, 5, &md);
    pb_sub(req, 5, &ts);
    /* a symbol after the series: legal in proto3 */
    pb_str(req, 4, "late");
    st_buf_free(&ts);
    st_buf_free(&refs);
    st_buf_free(&s);
    st_buf_free(&ex);
    st_buf_free(&er);
    st_buf_free(&md);
}

static void test_v2_roundtrip(void)
{
    for (int packed = 0; packed < 2; packed++) {
        st_buf req = {0}, z = {0}, plain = {0};
        build_v2(&req, packed);
        snappy(&req, &z);
        st_err e = {0};
        CHECK_OK(prw_decompress(PRW_ENC_SNAPPY, z.p, z.len, 1 << 20, &plain, &e));
        got g;
        CHECK_OK(decode(PRW_V2, plain.p, plain.len, &g, &e));
        CHECK_MSG(g.nseries == 1, "%s", e.msg);
        CHECK(strcmp(g.labels0, "__name__=cpu_seconds_total;mode=idle;") == 0);
        CHECK(g.nsamples == 1 && g.bits[0] == dbits(3.25) && g.ts[0] == 1700000000123);
        CHECK(g.nex == 1 && g.nhist == 0 && g.nmd == 1);
        CHECK(!strcmp(g.md_family, "cpu_seconds_total") && !strcmp(g.md_help, "help text") &&
              !strcmp(g.md_unit, "seconds"));
        CHECK(!g.out_of_buffer);
        st_buf_free(&req);
        st_buf_free(&z);
        st_buf_free(&plain);
    }
}

/* label_bytes: the exact range of a series' Label fields when they are
 * contiguous (1.0), NULL when a Label follows another field, and never for
 * 2.0; prw_labels_of gives back the very labels the decoder gave. */
typedef struct lbgot {
    size_t n;
    const uint8_t *lb[4];
    size_t lblen[4];
    char labels[4][256];
} lbgot;

static void fmt_labels(const label *ls, size_t n, char *out, size_t cap)
{
    size_t o = 0;
    out[0] = 0;
    for (size_t i = 0; i < n && o < cap - 100; i++)
        o += (size_t)snprintf(out + o, cap - o, "%.*s=%.*s;", (int)ls[i].name.n, ls[i].name.p, (int)ls[i].value.n,
                              ls[i].value.p);
}

static int cb_lb(void *ctx, prw_series *s, st_err *e)
{
    (void)e;
    lbgot *g = ctx;
    if (g->n < 4) {
        g->lb[g->n] = s->label_bytes;
        g->lblen[g->n] = s->label_bytes_len;
        fmt_labels(s->labels, s->nlabels, g->labels[g->n], sizeof g->labels[0]);
    }
    g->n++;
    return 0;
}

static void test_label_bytes(void)
{
    st_buf req = {0}, ts = {0}, want = {0};
    /* 0: labels first (Prometheus, vmagent); the range is exactly them */
    enc_label(&ts, "__name__", "up");
    enc_label(&ts, "job", "node");
    want.len = 0;
    st_buf_put(&want, ts.p, ts.len);
    enc_sample(&ts, 2, dbits(1.0), 1000);
    pb_sub(&req, 1, &ts);
    /* 1: a sample between the labels: not contiguous */
    ts.len = 0;
    enc_label(&ts, "__name__", "up");
    enc_sample(&ts, 2, dbits(1.0), 1000);
    enc_label(&ts, "job", "node");
    pb_sub(&req, 1, &ts);
    /* 2: an unknown field between the labels: not contiguous; after them: fine */
    ts.len = 0;
    enc_label(&ts, "a", "1");
    pb_uint(&ts, 9, 7);
    enc_label(&ts, "b", "2");
    pb_sub(&req, 1, &ts);
    /* 3: samples first, labels after, with unknown fields inside a Label */
    ts.len = 0;
    enc_sample(&ts, 2, dbits(2.0), 2000);
    size_t at = ts.len;
    st_buf l = {0};
    pb_str(&l, 2, "v");
    pb_uint(&l, 7, 1);
    pb_str(&l, 1, "n");
    pb_sub(&ts, 1, &l);
    enc_label(&ts, "__name__", "m");
    size_t end = ts.len;
    pb_uint(&ts, 9, 7);
    pb_sub(&req, 1, &ts);

    lbgot g = {0};
    prw_handler h = {cb_lb, NULL, &g};
    st_arena *a = st_arena_new(4096);
    st_err e = {0};
    CHECK_OK(prw_decode(PRW_V1, req.p, req.len, a, &h, NULL, &e));
    CHECK(g.n == 4);
    CHECK(g.lb[0] && g.lblen[0] == want.len && memcmp(g.lb[0], want.p, want.len) == 0);
    CHECK(g.lb[0] >= req.p && g.lb[0] + g.lblen[0] <= req.p + req.len);
    CHECK(g.lb[1] == NULL && g.lblen[1] == 0);
    CHECK(g.lb[2] == NULL && g.lblen[2] == 0);
    CHECK(g.lb[3] && g.lblen[3] == end - at);
    /* the range decodes again to the same labels, in the same order */
    label *ls = NULL;
    size_t cap = 0, nl = 0;
    for (int i = 0; i < 4; i++) {
        if (!g.lb[i]) continue;
        char again[256];
        CHECK_OK(prw_labels_of(g.lb[i], g.lblen[i], a, &ls, &cap, &nl, &e));
        fmt_labels(ls, nl, again, sizeof again);
        CHECK_MSG(strcmp(again, g.labels[i]) == 0, "%s vs %s", again, g.labels[i]);
    }
    CHECK(strcmp(g.labels[3], "n=v;__name__=m;") == 0);
    /* a range that is not Label fields is refused, not misread */
    st_buf bad = {0};
    enc_sample(&bad, 2, dbits(1.0), 1);
    CHECK(prw_labels_of(bad.p, bad.len, a, &ls, &cap, &nl, &e) == ST_EINVAL);
    bad.len = 0;
    pb_uint(&bad, 1, 5);
    CHECK(prw_labels_of(bad.p, bad.len, a, &ls, &cap, &nl, &e) == ST_EINVAL);
    CHECK(prw_labels_of(want.p, want.len - 1, a, &ls, &cap, &nl, &e) == ST_EINVAL);

    /* 2.0: refs are per request: never a range */
    st_buf req2 = {0};
    build_v2(&req2, 1);
    memset(&g, 0, sizeof g);
    CHECK_OK(prw_decode(PRW_V2, req2.p, req2.len, a, &h, NULL, &e));
    CHECK(g.n == 1 && g.lb[0] == NULL && g.lblen[0] == 0);

    st_arena_free(a);
    st_buf_free(&req);
    st_buf_free(&req2);
    st_buf_free(&ts);
    st_buf_free(&want);
    st_buf_free(&l);
    st_buf_free(&bad);
}

static void test_other_encodings(void)
{
    st_buf req = {0}, plain = {0};
    build_v1(&req);
    st_err e = {0};
    /* zstd with a known size */
    size_t cap = ZSTD_compressBound(req.len);
    uint8_t *z = malloc(cap);
    size_t zn = ZSTD_compress(z, cap, req.p, req.len, 3);
    CHECK(!ZSTD_isError(zn));
    CHECK_OK(prw_decompress(PRW_ENC_ZSTD, z, zn, 1 << 20, &plain, &e));
    CHECK(plain.len == req.len && !memcmp(plain.p, req.p, req.len));
    CHECK_EQ_INT(prw_decompress(PRW_ENC_ZSTD, z, zn, 10, &plain, &e), ST_ELIMIT);
    CHECK_EQ_INT(prw_decompress(PRW_ENC_ZSTD, z, zn - 3, 1 << 20, &plain, &e), ST_EINVAL);
    CHECK_EQ_INT(prw_decompress(PRW_ENC_ZSTD, (const uint8_t *)"nope", 4, 1 << 20, &plain, &e), ST_EINVAL);
    /* zstd streamed (no content size in the header): the cap holds while inflating */
    {
        size_t big = 1 << 20;
        uint8_t *zeros = calloc(1, big);
        ZSTD_CCtx *cc = ZSTD_createCCtx();
        ZSTD_outBuffer ob = {z, cap, 0};
        free(z);
        cap = ZSTD_compressBound(big);
        z = malloc(cap);
        ob.dst = z;
        ob.size = cap;
        ZSTD_inBuffer ib = {zeros, big, 0};
        ZSTD_compressStream2(cc, &ob, &ib, ZSTD_e_continue);
        while (ZSTD_compressStream2(cc, &ob, &ib, ZSTD_e_end) != 0) {}
        CHECK(ZSTD_getFrameContentSize(z, ob.pos) == ZSTD_CONTENTSIZE_UNKNOWN);
        CHECK_EQ_INT(prw_decompress(PRW_ENC_ZSTD, z, ob.pos, 64 * 1024, &plain, &e), ST_ELIMIT);
        CHECK(plain.len < 64 * 1024 + 256 * 1024);
        CHECK_OK(prw_decompress(PRW_ENC_ZSTD, z, ob.pos, big, &plain, &e));
        CHECK(plain.len == big);
        ZSTD_freeCCtx(cc);
        free(zeros);
    }
    free(z);
    /* gzip, and a gzip bomb */
    {
        uint8_t gz[1 << 16];
        z_stream s = {0};
        deflateInit2(&s, 9, Z_DEFLATED, 16 + MAX_WBITS, 8, Z_DEFAULT_STRATEGY);
        s.next_in = req.p;
        s.avail_in = (uInt)req.len;
        s.next_out = gz;
        s.avail_out = sizeof gz;
        CHECK(deflate(&s, Z_FINISH) == Z_STREAM_END);
        size_t gn = sizeof gz - s.avail_out;
        deflateEnd(&s);
        CHECK_OK(prw_decompress(PRW_ENC_GZIP, gz, gn, 1 << 20, &plain, &e));
        CHECK(plain.len == req.len && !memcmp(plain.p, req.p, req.len));
        CHECK_EQ_INT(prw_decompress(PRW_ENC_GZIP, gz, gn - 5, 1 << 20, &plain, &e), ST_EINVAL);
        size_t big = 8 << 20;
        uint8_t *zeros = calloc(1, big);
        z_stream t = {0};
        deflateInit2(&t, 9, Z_DEFLATED, 16 + MAX_WBITS, 8, Z_DEFAULT_STRATEGY);
        t.next_in = zeros;
        t.avail_in = (uInt)big;
        t.next_out = gz;
        t.avail_out = sizeof gz;
        CHECK(deflate(&t, Z_FINISH) == Z_STREAM_END);
        gn = sizeof gz - t.avail_out;
        deflateEnd(&t);
        CHECK_EQ_INT(prw_decompress(PRW_ENC_GZIP, gz, gn, 1 << 20, &plain, &e), ST_ELIMIT);
        CHECK(plain.len < (1 << 20) + (1 << 18));
        free(zeros);
    }
    st_buf_free(&req);
    st_buf_free(&plain);
}

static void test_snappy_limits(void)
{
    st_buf plain = {0};
    st_err e = {0};
    /* preamble claims 4 GiB - 1: refused before any allocation */
    uint8_t huge[] = {0xff, 0xff, 0xff, 0xff, 0x0f, 0x00};
    CHECK_EQ_INT(prw_decompress(PRW_ENC_SNAPPY, huge, sizeof huge, 64 << 20, &plain, &e), ST_ELIMIT);
    CHECK(plain.cap == 0);
    CHECK(strstr(e.msg, "--max-decoded-size") != NULL);
    /* preamble claims more than the data delivers, and less */
    uint8_t lie_more[] = {0x0a, 0x08, 'a', 'b', 'c'}; /* 10 declared, 3-byte literal */
    CHECK_EQ_INT(prw_decompress(PRW_ENC_SNAPPY, lie_more, sizeof lie_more, 1 << 20, &plain, &e), ST_EINVAL);
    uint8_t lie_less[] = {0x02, 0x08, 'a', 'b', 'c'};
    CHECK_EQ_INT(prw_decompress(PRW_ENC_SNAPPY, lie_less, sizeof lie_less, 1 << 20, &plain, &e), ST_EINVAL);
    /* truncated preamble, empty body, framed format, bad copy offset */
    uint8_t trunc[] = {0x80, 0x80};
    CHECK_EQ_INT(prw_decompress(PRW_ENC_SNAPPY, trunc, sizeof trunc, 1 << 20, &plain, &e), ST_EINVAL);
    CHECK_EQ_INT(prw_decompress(PRW_ENC_SNAPPY, trunc, 0, 1 << 20, &plain, &e), ST_EINVAL);
    uint8_t framed[] = {0xff, 0x06, 0x00, 0x00, 's', 'N', 'a', 'P', 'p', 'Y', 0, 0};
    CHECK_EQ_INT(prw_decompress(PRW_ENC_SNAPPY, framed, sizeof framed, 1 << 20, &plain, &e), ST_EINVAL);
    CHECK(strstr(e.msg, "framed") != NULL);
    uint8_t badcopy[] = {0x08, 0x01 | (3 << 2), 0x05}; /* copy before any literal */
    CHECK_EQ_INT(prw_decompress(PRW_ENC_SNAPPY, badcopy, sizeof badcopy, 1 << 20, &plain, &e), ST_EINVAL);
    /* an empty WriteRequest: preamble 0 */
    uint8_t empty[] = {0x00};
    CHECK_OK(prw_decompress(PRW_ENC_SNAPPY, empty, 1, 1 << 20, &plain, &e));
    CHECK(plain.len == 0);
    st_buf_free(&plain);
}

/* Hand-made malformed 1.0/2.0 bodies: each must be ST_EINVAL with a message. */
static void test_malformed(void)
{
    struct {
        int v;
        const char *bytes;
        size_t n;
        const char *want; /* substring of the message */
    } cases[] = {
        {PRW_V1, "\x0a", 1, "truncated length"},
        {PRW_V1, "\x0a\x05\x0a\x02", 4, "runs past the end"},
        {PRW_V1, "\x0a\xff\xff\xff\xff\xff\xff\xff\xff\xff\x01", 11, "runs past the end"},
        {PRW_V1, "\x08\x01", 2, "wire type varint, want length-delimited"},
        {PRW_V1, "\x0a\x02\x10\x01", 4, "wire type varint"},                     /* sample as varint */
        {PRW_V1, "\x0a\x04\x12\x02\x08\x01", 6, "sample 0: field 1 has wire type varint"},
        {PRW_V1, "\x0a\x04\x12\x02\x09\x01", 6, "truncated value"},
        {PRW_V1, "\x0a\x04\x12\x02\x10\x80", 6, "truncated timestamp"},
        {PRW_V1, "\x0a\x04\x0a\x02\x08\x01", 6, "label 0: field 1 has wire type varint"},
        {PRW_V1, "\x0a\x03\x0a\x01\x0a", 5, "truncated length"},
        {PRW_V1, "\x0b\x0c", 2, "start-group"},
        {PRW_V1, "\x00", 1, "invalid field number 0"},
        {PRW_V1, "\x80", 1, "truncated or overlong field tag"},
        {PRW_V1, "\x78\xff\xff\xff\xff\xff\xff\xff\xff\xff\x7f", 11, "truncated varint"}, /* 10th byte > 1 */
        {PRW_V1, "\x79\x01\x02", 3, "truncated fixed64"},
        {PRW_V1, "\x7d\x01", 2, "truncated fixed32"},
        {PRW_V1, "\x1a\x02\x08\x80", 4, "truncated type"},
        {PRW_V1, "\x7e", 1, "invalid(6)"},
        /* labels first, then a bad sample: the message names the metric */
        {PRW_V1, "\x0a\x14\x0a\x0e\x0a\x08__name__\x12\x02up\x12\x02\x09\x01", 22, "(metric \"up\")"},
        {PRW_V2, "\x22\x00\x2a\x02\x0a\x05", 6, "runs past the end"},
        {PRW_V2, "\x22\x00\x2a\x03\x0a\x01\x05", 7, "ref 5 outside the symbol table (1 symbols)"},
        {PRW_V2, "\x22\x00\x2a\x02\x08\x09", 6, "ref 9 outside"},
        {PRW_V2, "\x22\x00\x2a\x03\x0a\x01\x00", 7, "odd length"},
        {PRW_V2, "\x22\x01x", 3, "symbols[0] must be the empty string"},
        {PRW_V2, "\x2a\x02\x08\x00", 4, "outside the symbol table (0 symbols)"},
        {PRW_V2, "\x20\x00", 2, "wire type varint"},
        {PRW_V2, "\x22\x00\x2a\x02\x28\x01", 6, "wire type varint, want length-delimited"},
        {PRW_V2, "\x22\x00\x2a\x04\x2a\x02\x18\x07", 8, "help_ref 7 outside"},
        {PRW_V2, "\x22\x00\x2a\x06\x22\x04\x0a\x02\x00\x03", 10, "exemplar labels_refs: ref 3 outside"},
        {PRW_V2, "\x22\x00\x2a\x05\x22\x03\x0a\x01\x00", 9, "exemplar labels_refs has an odd length"},
        {PRW_V2, "\x22\x00\x2a\x02\x0d\x00", 6, "want varint or packed"},
    };
    for (size_t i = 0; i < ST_ARRAY_LEN(cases); i++) {
        /* a private copy so that ASan sees reads past the end */
        uint8_t *p = malloc(cases[i].n ? cases[i].n : 1);
        memcpy(p, cases[i].bytes, cases[i].n);
        got g;
        st_err e = {0};
        int rc = decode(cases[i].v, p, cases[i].n, &g, &e);
        CHECK_MSG(rc == ST_EINVAL && strstr(e.msg, cases[i].want), "case %zu: rc %d, msg \"%s\", want \"%s\"", i, rc,
                  e.msg, cases[i].want);
        free(p);
    }
}

/* Every prefix and every single-byte mutation of valid requests: errors or
 * clean decodes, never out of bounds. */
/* ------------------------------------------------------ lazy labels */

/* What a decode gives, series by series, as text: the labels (decoded by
 * the decoder, or for a lazily framed series by prw_series_labels, as a
 * writer does on a cache miss), the samples, and the counts; or the first
 * error, which for a lazy decode may come from prw_series_labels. */
typedef struct trace {
    st_arena *a;
    bool lazy;
    st_buf out;
    char err[ST_ERR_MSG];
    bool label_err;
    size_t lazily; /* series that came framed only */
} trace;

static int cb_trace(void *ctx, prw_series *s, st_err *e)
{
    trace *t = ctx;
    char buf[1024];
    const label *ls = s->labels;
    size_t nl = s->nlabels;
    if (!ls && nl) {
        /* framed only: a lazy decode of contiguous Label fields */
        CHECK(t->lazy && s->label_bytes);
        t->lazily++;
        label *dl = NULL;
        size_t cap = 0, got_n = 0;
        int rc = prw_series_labels(s->label_bytes, s->label_bytes_len, s->index, t->a, &dl, &cap, &got_n, e);
        if (rc) {
            t->label_err = true;
            return rc;
        }
        CHECK(got_n == nl);
        ls = dl;
        nl = got_n;
    }
    fmt_labels(ls, nl, buf, sizeof buf);
    st_buf_put(&t->out, buf, strlen(buf));
    for (size_t i = 0; i < s->nsamples; i++) {
        int n = snprintf(buf, sizeof buf, "%016llx@%lld,", (unsigned long long)s->samples[i].bits,
                         (long long)s->samples[i].ts_ms);
        st_buf_put(&t->out, buf, (size_t)n);
    }
    int n = snprintf(buf, sizeof buf, "h%zu x%zu|", s->nhistograms, s->nexemplars);
    st_buf_put(&t->out, buf, (size_t)n);
    return 0;
}

static int run_trace(int v, const uint8_t *p, size_t n, bool lazy, trace *t)
{
    memset(t, 0, sizeof *t);
    t->a = st_arena_new(4096);
    t->lazy = lazy;
    prw_handler h = {cb_trace, NULL, t, lazy};
    st_err e = {0};
    int rc = prw_decode(v, p, n, t->a, &h, NULL, &e);
    if (rc) snprintf(t->err, sizeof t->err, "%s", e.msg);
    st_arena_free(t->a);
    return rc;
}

/* A lazy decode agrees with a full one: the same series, labels, samples
 * and outcome. Where the full decode fails inside a Label message, the lazy
 * one fails too: at the late decode of that series' labels, with the full
 * decode's very message, unless framing fails first further on. */
static bool lazy_agrees(int v, const uint8_t *p, size_t n)
{
    trace full, lazy;
    int rf = run_trace(v, p, n, false, &full);
    int rl = run_trace(v, p, n, true, &lazy);
    bool ok;
    if (rf == 0) {
        ok = rl == 0 && full.out.len == lazy.out.len && (full.out.len == 0 || memcmp(full.out.p, lazy.out.p, full.out.len) == 0);
    } else if (rl == 0) {
        ok = false; /* a lazy decode may not accept what a full one refuses */
    } else if (lazy.label_err) {
        /* refused for the same Label, in the same words, and what came
         * before agrees */
        ok = strcmp(full.err, lazy.err) == 0 && full.out.len == lazy.out.len &&
             (full.out.len == 0 || memcmp(full.out.p, lazy.out.p, full.out.len) == 0);
    } else {
        /* both refuse; the lazy decode may meet another fault first (a
         * later field of the series, or a later series, before the Label
         * the full decode stopped at), and says where */
        ok = strncmp(lazy.err, "invalid remote_write request: ", 30) == 0;
    }
    if (!ok)
        fprintf(stderr, "lazy decode differs: full rc=%d \"%s\" lazy rc=%d \"%s\" (label error: %d)\n", rf, full.err, rl,
                lazy.err, lazy.label_err);
    st_buf_free(&full.out);
    st_buf_free(&lazy.out);
    return ok;
}

static void test_lazy_labels(void)
{
    /* the round-trip requests: the same answers */
    st_buf req = {0};
    build_v1(&req);
    CHECK(lazy_agrees(PRW_V1, req.p, req.len));
    trace t;
    CHECK_OK(run_trace(PRW_V1, req.p, req.len, true, &t));
    CHECK(t.lazily == 2); /* both series have contiguous labels */
    st_buf_free(&t.out);
    req.len = 0;
    build_v2(&req, true);
    CHECK(lazy_agrees(PRW_V2, req.p, req.len));
    CHECK_OK(run_trace(PRW_V2, req.p, req.len, true, &t));
    CHECK(t.lazily == 0); /* 2.0 always comes decoded */
    st_buf_free(&t.out);

    /* interleaved labels come decoded even when lazy */
    st_buf ts = {0};
    req.len = 0;
    enc_label(&ts, "__name__", "up");
    enc_sample(&ts, 2, dbits(1.0), 1000);
    enc_label(&ts, "job", "node");
    pb_sub(&req, 1, &ts);
    CHECK(lazy_agrees(PRW_V1, req.p, req.len));
    CHECK_OK(run_trace(PRW_V1, req.p, req.len, true, &t));
    CHECK(t.lazily == 0);
    st_buf_free(&t.out);

    /* Samples in other spellings than {value, timestamp}: value left out
     * (proto3 omits zeros), timestamp first, a negative timestamp (a
     * 10-byte varint), an unknown field inside, fields repeated (the last
     * wins), an empty Sample */
    req.len = 0;
    ts.len = 0;
    enc_label(&ts, "__name__", "m");
    st_buf sm = {0};
    pb_uint(&sm, 2, 5);
    pb_sub(&ts, 2, &sm);
    sm.len = 0;
    pb_uint(&sm, 2, 6);
    pb_fixed64(&sm, 1, dbits(2.5));
    pb_sub(&ts, 2, &sm);
    enc_sample(&ts, 2, dbits(-1), -7);
    sm.len = 0;
    pb_fixed64(&sm, 1, dbits(3));
    pb_uint(&sm, 2, 8);
    pb_uint(&sm, 9, 1);
    pb_sub(&ts, 2, &sm);
    sm.len = 0;
    pb_fixed64(&sm, 1, dbits(4));
    pb_uint(&sm, 2, 9);
    pb_fixed64(&sm, 1, dbits(5));
    pb_sub(&ts, 2, &sm);
    sm.len = 0;
    pb_sub(&ts, 2, &sm);
    pb_sub(&req, 1, &ts);
    CHECK(lazy_agrees(PRW_V1, req.p, req.len));
    got g;
    st_err e = {0};
    CHECK_OK(decode(PRW_V1, req.p, req.len, &g, &e));
    CHECK(g.nsamples == 6);
    CHECK(g.bits[0] == 0 && g.ts[0] == 5);
    CHECK(g.bits[1] == dbits(2.5) && g.ts[1] == 6);
    CHECK(g.bits[2] == dbits(-1) && g.ts[2] == -7);
    CHECK(g.bits[3] == dbits(3) && g.ts[3] == 8);
    CHECK(g.bits[4] == dbits(5) && g.ts[4] == 9);
    CHECK(g.bits[5] == 0 && g.ts[5] == 0);

    /* a malformed Label: refused by both, in the same words, naming the
     * series and its metric (the lazy one through prw_series_labels) */
    req.len = 0;
    ts.len = 0;
    enc_label(&ts, "__name__", "up");
    st_buf l = {0};
    pb_uint(&l, 1, 3); /* name as a varint */
    pb_sub(&ts, 1, &l);
    enc_sample(&ts, 2, dbits(1.0), 1000);
    pb_sub(&req, 1, &ts);
    CHECK(lazy_agrees(PRW_V1, req.p, req.len));
    CHECK(run_trace(PRW_V1, req.p, req.len, true, &t) == ST_EINVAL);
    CHECK(t.label_err);
    CHECK_MSG(strstr(t.err, "timeseries[0] (metric \"up\"): label 1:") != NULL, "%s", t.err);
    st_buf_free(&t.out);
    /* a malformed Sample after lazily framed labels names the metric too */
    req.len = 0;
    ts.len = 0;
    enc_label(&ts, "job", "j");
    enc_label(&ts, "__name__", "cpu");
    sm.len = 0;
    pb_uint(&sm, 1, 5); /* value as a varint */
    pb_sub(&ts, 2, &sm);
    pb_sub(&req, 1, &ts);
    CHECK(lazy_agrees(PRW_V1, req.p, req.len));
    CHECK(run_trace(PRW_V1, req.p, req.len, true, &t) == ST_EINVAL);
    CHECK_MSG(strstr(t.err, "timeseries[0] (metric \"cpu\"): sample 0:") != NULL, "%s", t.err);
    st_buf_free(&t.out);

    st_buf_free(&l);
    st_buf_free(&sm);
    st_buf_free(&ts);
    st_buf_free(&req);
}


static void test_truncations_and_mutations(void)
{
    for (int v = PRW_V1; v <= PRW_V2; v++) {
        st_buf req = {0};
        if (v == PRW_V1) build_v1(&req);
        else build_v2(&req, true);
        size_t errs = 0, oks = 0;
        for (size_t n = 0; n < req.len; n++) {
            uint8_t *p = malloc(n + 1);
            memcpy(p, req.p, n);
            got g;
            st_err e = {0};
            int rc = decode(v, p, n, &g, &e);
            CHECK(lazy_agrees(v, p, n));
            if (rc) {
                errs++;
                CHECK(e.msg[0] != 0);
            } else {
                oks++;
            }
            CHECK(!g.out_of_buffer);
            free(p);
        }
        CHECK(errs > req.len / 2);
        static const uint8_t vals[] = {0x00, 0x01, 0x02, 0x07, 0x7f, 0x80, 0xff};
        for (size_t i = 0; i < req.len; i++)
            for (size_t k = 0; k < sizeof vals; k++) {
                uint8_t *p = malloc(req.len);
                memcpy(p, req.p, req.len);
                p[i] = vals[k];
                got g;
                st_err e = {0};
                (void)decode(v, p, req.len, &g, &e);
                CHECK(!g.out_of_buffer);
                CHECK(lazy_agrees(v, p, req.len));
                free(p);
            }
        /* and compressed: every prefix of the snappy body */
        st_buf z = {0}, plain = {0};
        snappy(&req, &z);
        for (size_t n = 0; n < z.len; n++) {
            uint8_t *p = malloc(n + 1);
            memcpy(p, z.p, n);
            st_err e = {0};
            CHECK(prw_decompress(PRW_ENC_SNAPPY, p, n, 1 << 20, &plain, &e) != 0);
            free(p);
        }
        st_buf_free(&z);
        st_buf_free(&plain);
        st_buf_free(&req);
    }
}


/* --------------------------------------------------------------- speed */

static int cb_count(void *ctx, prw_series *s, st_err *e)
{
    (void)e;
    uint64_t *n = ctx;
    *n += s->nsamples + s->nlabels;
    return 0;
}

static void test_speed(void)
{
    const size_t nseries = 2000;
    st_buf req = {0}, ts = {0}, z = {0}, plain = {0};
    char v[64];
    for (size_t i = 0; i < nseries; i++) {
        ts.len = 0;
        snprintf(v, sizeof v, "node_cpu_seconds_%zu", i % 50);
        enc_label(&ts, "__name__", v);
        enc_label(&ts, "cluster", "eu-west-1-prod");
        snprintf(v, sizeof v, "cpu%zu", i % 16);
        enc_label(&ts, "cpu", v);
        enc_label(&ts, "datacenter", "dc-3");
        snprintf(v, sizeof v, "host-%zu.example.internal", i / 20);
        enc_label(&ts, "instance", v);
        enc_label(&ts, "job", "node_exporter");
        enc_label(&ts, "mode", i % 2 ? "user" : "system");
        enc_label(&ts, "os", "linux");
        enc_label(&ts, "rack", "r12");
        enc_label(&ts, "team", "infrastructure");
        enc_sample(&ts, 2, dbits((double)i * 1.25), 1700000000000 + (int64_t)i);
        pb_sub(&req, 1, &ts);
    }
    snappy(&req, &z);
    const int rounds = getenv("STRATA_TEST_QUICK") ? 20 : 300;
    st_arena *a = st_arena_new(1 << 16);
    uint64_t sink = 0;
    st_err e = {0};
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    int bad = 0;
    for (int r = 0; r < rounds; r++) {
        bad |= prw_decompress(PRW_ENC_SNAPPY, z.p, z.len, 64 << 20, &plain, &e);
        prw_handler h = {cb_count, NULL, &sink};
        bad |= prw_decode(PRW_V1, plain.p, plain.len, a, &h, NULL, &e);
        st_arena_reset(a);
    }
    clock_gettime(CLOCK_MONOTONIC, &t1);
    double s = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
    CHECK(!bad);
    CHECK(sink == (uint64_t)rounds * nseries * 11);
    printf("decode (snappy + protobuf) of %zu series x 1 sample, 10 labels (%zu bytes, %zu snappy): "
           "%.0f samples/s, %.1f us/request, %.0f MB/s uncompressed\n",
           nseries, req.len, z.len, rounds * (double)nseries / s, s / rounds * 1e6, rounds * (double)req.len / s / 1e6);
    st_arena_free(a);
    st_buf_free(&req);
    st_buf_free(&ts);
    st_buf_free(&z);
    st_buf_free(&plain);
}

int main(void)
{
    RUN(test_negotiation);
    RUN(test_v1_roundtrip);
    RUN(test_v2_roundtrip);
    RUN(test_label_bytes);
    RUN(test_lazy_labels);
    RUN(test_other_encodings);
    RUN(test_snappy_limits);
    RUN(test_malformed);
    RUN(test_truncations_and_mutations);
    RUN(test_speed);
    return testlib_done("test_prw");
}
