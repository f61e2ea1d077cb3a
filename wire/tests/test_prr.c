/* test_prr: the remote_read wire formats (wire/prr.h).
 *
 * XOR chunks: encode -> decode round trips over the edge cases (1, 2, 120,
 * 121 and 65535 samples; every delta-of-delta bucket boundary, checked by
 * the exact bit length the bucket costs; value windows reused, widened,
 * clamped at 31 leading zeros and 64 significant bits; NaN payloads, the
 * stale marker, +-Inf, -0.0, subnormals; random and wrapping timestamps),
 * a chunk Prometheus 2.42 wrote (known answer), and every strict prefix of
 * a chunk failing cleanly. Frames: the CRC-32C and layout, corruption,
 * truncation, the size limit, and the way a series is cut into chunks and
 * frames (Prometheus's frame budget). ReadRequest: packed and unpacked
 * response types, hints, unknown fields, 10-byte negative timestamps,
 * negotiation, a malformed corpus, and every prefix and single-byte
 * mutation of a valid request (no crash, no read out of bounds under
 * ASan). SAMPLES: byte-exact encoding against hand-assembled gogo output
 * (with the -0.0 difference), decode round trip, snappy.
 */
#include <math.h>
#include <string.h>

#include "bits.h"
#include "prr.h"
#include "prw.h"
#include "testlib.h"

static uint64_t dbits(double d)
{
    uint64_t u;
    memcpy(&u, &d, 8);
    return u;
}

static uint64_t rng_state = 0x9e3779b97f4a7c15ull;
static uint64_t rnd(void)
{
    uint64_t x = rng_state;
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    return rng_state = x;
}

/* Encodes and decodes n samples; true when they come back bit for bit. */
static bool roundtrip(const int64_t *ts, const uint64_t *vals, size_t n, size_t *bytes)
{
    st_buf b = {0};
    st_err e = {0};
    bool ok = prr_xor_encode(ts, vals, n, &b, &e) == 0;
    int64_t *t2 = malloc((n + 1) * sizeof *t2);
    uint64_t *v2 = malloc((n + 1) * sizeof *v2);
    size_t got = 0;
    if (ok && prr_xor_decode(b.p, b.len, t2, v2, n, &got, &e) != 0) {
        fprintf(stderr, "  decode: %s\n", e.msg);
        ok = false;
    }
    if (ok && got != n) ok = false;
    for (size_t i = 0; ok && i < n; i++)
        if (t2[i] != ts[i] || v2[i] != vals[i]) {
            fprintf(stderr, "  sample %zu: %" PRId64 "/%016" PRIx64 " back as %" PRId64 "/%016" PRIx64 "\n", i, ts[i],
                    vals[i], t2[i], v2[i]);
            ok = false;
        }
    if (bytes) *bytes = b.len;
    st_buf_free(&b);
    free(t2);
    free(v2);
    return ok;
}

static void test_xor_sizes_and_counts(void)
{
    int64_t ts[200];
    uint64_t v[200];
    for (int i = 0; i < 200; i++) {
        ts[i] = 1700000000000 + i * 15000;
        v[i] = dbits(i * 0.5);
    }
    size_t nb;
    CHECK(roundtrip(ts, v, 1, &nb));
    /* header, zig-zag varint of the timestamp (6 bytes), 64 value bits */
    CHECK_EQ_INT(nb, 2 + 6 + 8);
    CHECK(roundtrip(ts, v, 2, NULL));
    CHECK(roundtrip(ts, v, 3, NULL));
    CHECK(roundtrip(ts, v, 120, NULL));
    CHECK(roundtrip(ts, v, 121, NULL));
    CHECK(roundtrip(ts, v, 200, NULL));
    st_buf b = {0};
    st_err e = {0};
    CHECK(prr_xor_encode(ts, v, 0, &b, &e) == ST_EINVAL && e.msg[0]);
    int64_t *bt = malloc(65536 * sizeof *bt);
    uint64_t *bv = malloc(65536 * sizeof *bv);
    for (int i = 0; i < 65536; i++) {
        bt[i] = -5000000 + (int64_t)i * 1000 + (int64_t)(rnd() % 7);
        bv[i] = rnd();
    }
    CHECK(roundtrip(bt, bv, 65535, NULL));
    CHECK(prr_xor_encode(bt, bv, 65536, &b, &e) == ST_EINVAL);
    /* the header is the count, big-endian */
    b.len = 0;
    CHECK_OK(prr_xor_encode(bt, bv, 300, &b, &e));
    CHECK(b.p[0] == 1 && b.p[1] == 44);
    size_t n;
    CHECK_OK(prr_xor_count(b.p, b.len, &n, &e));
    CHECK_EQ_INT(n, 300);
    /* room for fewer samples than the chunk holds */
    size_t got;
    CHECK(prr_xor_decode(b.p, b.len, bt, bv, 299, &got, &e) == ST_EINVAL && strstr(e.msg, "room"));
    CHECK(prr_xor_count(b.p, 1, &n, &e) == ST_EINVAL);
    /* a zero count decodes to nothing, as in Prometheus */
    uint8_t zero[2] = {0, 0};
    CHECK_OK(prr_xor_decode(zero, 2, bt, bv, 10, &got, &e));
    CHECK_EQ_INT(got, 0);
    st_buf_free(&b);
    free(bt);
    free(bv);
}

/* Chunk size of 3 samples with equal values whose third timestamp has the
 * given delta-of-delta: pins the bucket the encoder picked. */
static size_t size_for_dod(int64_t dod, bool *ok)
{
    int64_t ts[3] = {1000, 1000 + 100000000, 0};
    ts[2] = ts[1] + 100000000 + dod;
    uint64_t v[3] = {dbits(1), dbits(1), dbits(1)};
    size_t nb = 0;
    *ok = roundtrip(ts, v, 3, &nb);
    return nb;
}

static void test_xor_dod_buckets(void)
{
    /* after the header: varint(zz 1000) 2 bytes, 8 value bytes, varint(1e8)
     * 4 bytes, then bits: '0' (value 2), the dod bucket, '0' (value 3) */
    const size_t base = 2 + 2 + 8 + 4;
    struct {
        int64_t dod;
        unsigned bits;
    } cases[] = {
        {0, 1},
        {1, 16},
        {-1, 16},
        {8192, 16},    /* 2^13: the top of the 14-bit bucket */
        {-8191, 16},   /* -(2^13 - 1): its bottom */
        {-8192, 20},   /* one past: the 17-bit bucket */
        {8193, 20},
        {65536, 20},   /* 2^16 */
        {-65535, 20},
        {-65536, 24},  /* 20-bit bucket */
        {65537, 24},
        {524288, 24},  /* 2^19 */
        {-524287, 24},
        {-524288, 68}, /* 64 bits */
        {524289, 68},
        {(int64_t)1 << 40, 68},
        {-((int64_t)1 << 40), 68},
    };
    for (size_t i = 0; i < ST_ARRAY_LEN(cases); i++) {
        bool ok;
        size_t got = size_for_dod(cases[i].dod, &ok);
        size_t want = base + (1 + cases[i].bits + 1 + 7) / 8;
        CHECK_MSG(ok, "dod %" PRId64 " round trip", cases[i].dod);
        CHECK_MSG(got == want, "dod %" PRId64 ": %zu bytes, want %zu", cases[i].dod, got, want);
    }
    /* a sequence crossing every boundary, both directions */
    int64_t ts[64];
    uint64_t v[64];
    int64_t step = 10, t = 0;
    int64_t dods[] = {0, 8192, -8191, -8192, 8193, 65536, -65535, -65536, 65537, 524288, -524287, -524288,
                      524289, 1, -1, 0, 0, 123456789, -123456789};
    ts[0] = t;
    v[0] = 0;
    size_t n = 1;
    ts[n] = t += step;
    v[n++] = 0;
    for (size_t i = 0; i < ST_ARRAY_LEN(dods); i++) {
        step += dods[i];
        ts[n] = t += step;
        v[n++] = dbits((double)i);
    }
    CHECK(roundtrip(ts, v, n, NULL));
}

static void test_xor_values(void)
{
    const uint64_t specials[] = {
        dbits(0.0), dbits(-0.0), dbits(INFINITY), dbits(-INFINITY), ST_STALE_NAN_BITS,
        0x7ff8000000000001ull, /* NaN with a payload */
        0xfff8000000000000ull, /* negative quiet NaN */
        0x7ff0000000000001ull, /* signalling NaN */
        1,                     /* smallest subnormal */
        0x800fffffffffffffull, /* largest negative subnormal */
        dbits(1.7976931348623157e308), dbits(-1.7976931348623157e308), dbits(1e-300), dbits(42),
        dbits(-42), dbits(0.1), dbits(1e15), 0x8000000000000001ull, 0xffffffffffffffffull,
    };
    size_t ns = ST_ARRAY_LEN(specials);
    /* every ordered pair, so each XOR shape follows each other one */
    int64_t ts[1000];
    uint64_t v[1000];
    size_t n = 0;
    for (size_t i = 0; i < ns; i++)
        for (size_t j = 0; j < ns; j++) {
            ts[n] = (int64_t)n * 1000;
            v[n++] = specials[i];
            ts[n] = (int64_t)n * 1000;
            v[n++] = specials[j];
        }
    CHECK(roundtrip(ts, v, n, NULL));
    /* the exact cost of each value path after a first value of 0 (bits
     * of values 2 and 3): '0' for an equal value, '10' + the window for a
     * XOR inside the previous window, '11' + 5 + 6 + significant bits for
     * a new one */
    struct {
        uint64_t v1, v2;
        size_t bits;
    } cases[] = {
        /* 64 significant bits: written as 0 in the 6-bit field */
        {0x8000000000000001ull, 0x8000000000000001ull, 2 + 5 + 6 + 64 + 1},
        /* 63 leading zeros, clamped to 31: 33 significant bits */
        {1, 1, 2 + 5 + 6 + 33 + 1},
        /* 1 ^ 3 = 2 fits the window 1 opened: '10' + 33 bits */
        {1, 3, 2 + 5 + 6 + 33 + 2 + 33},
        /* 0x100 opens bits 32..8 (25); 0x100 ^ 0x10001 has a trailing bit
         * below it: a new window of 33 */
        {0x100, 0x10001, 2 + 5 + 6 + 25 + 2 + 5 + 6 + 33},
        /* the same shifted: 0x10000 ^ 0x30000 fits 0x10000's window */
        {0x10000, 0x30000, 2 + 5 + 6 + 17 + 2 + 17},
    };
    for (size_t i = 0; i < ST_ARRAY_LEN(cases); i++) {
        int64_t t3[3] = {0, 1, 2};
        uint64_t v3[3] = {0, cases[i].v1, cases[i].v2};
        size_t nb;
        CHECK(roundtrip(t3, v3, 3, &nb));
        /* header 2, varint(0) 1, value 8, varint(1) 1, then bits; dod 0 = 1 bit */
        size_t want = 2 + 1 + 8 + 1 + (cases[i].bits + 1 + 7) / 8;
        CHECK_MSG(nb == want, "case %zu: %zu bytes, want %zu", i, nb, want);
    }
    /* random values and irregular timestamps, including wrapping ones */
    for (int round = 0; round < 50; round++) {
        int64_t t = (int64_t)rnd();
        for (size_t i = 0; i < 500; i++) {
            int r = (int)(rnd() % 4);
            t += r == 0 ? (int64_t)(rnd() % 30) : r == 1 ? 15000 : r == 2 ? (int64_t)(rnd() % 100000000) : 1;
            ts[i] = round % 5 == 4 ? (int64_t)rnd() : t; /* any int64 sequence */
            uint64_t x = rnd();
            v[i] = round % 3 == 0 ? x : round % 3 == 1 ? dbits((double)(x % 1000)) : (i ? v[i - 1] ^ (x & 0xff0) : x);
        }
        CHECK_MSG(roundtrip(ts, v, 500, NULL), "random round %d", round);
    }
}

/* A chunk Prometheus 2.42 wrote (captured from its remote_read stream for
 * a series with samples 1.5, -0.0, +Inf, the stale marker, 3 and NaN at
 * irregular times): our decoder reads it, our encoder writes the same
 * bytes. */
static void test_xor_known_answer(void)
{
    static const uint8_t chunk[] = {
        0x00, 0x06, 0xd0, 0xaf, 0xab, 0xfe, 0xf9, 0x62, 0x3f, 0xf8, 0x00, 0x00, 0x00, 0x00,
        0x00, 0x00, 0xe8, 0x07, 0xc0, 0x6d, 0xff, 0xef, 0x83, 0x2f, 0xff, 0x61, 0x28, 0xe7,
        0xf8, 0x00, 0x00, 0x00, 0x00, 0x77, 0x63, 0xc7, 0x17, 0xbf, 0xfc, 0x00, 0x00, 0x00,
        0x00, 0x00, 0x01, 0xc2, 0x70, 0xfc, 0x5f, 0x7f, 0xe0, 0x00, 0x00, 0x00, 0x00, 0x00,
        0x02,
    };
    const int64_t want_t[] = {1700000001000, 1700000002000, 1700000002500, 1700000012500, 1700000012501,
                              1700000022501};
    const uint64_t want_v[] = {dbits(1.5), dbits(-0.0), dbits(INFINITY), ST_STALE_NAN_BITS, dbits(3),
                               0x7ff8000000000001ull};
    int64_t t[8];
    uint64_t v[8];
    size_t n = 0;
    st_err e = {0};
    int rc = prr_xor_decode(chunk, sizeof chunk, t, v, 8, &n, &e);
    CHECK_MSG(rc == 0, "%s", e.msg);
    CHECK_EQ_INT(n, 6);
    for (size_t i = 0; i < n && i < 6; i++) {
        CHECK_MSG(t[i] == want_t[i], "ts[%zu] %" PRId64, i, t[i]);
        CHECK_MSG(v[i] == want_v[i], "val[%zu] %016" PRIx64, i, v[i]);
    }
    st_buf b = {0};
    CHECK_OK(prr_xor_encode(want_t, want_v, 6, &b, &e));
    CHECK(b.len == sizeof chunk && memcmp(b.p, chunk, sizeof chunk) == 0);
    st_buf_free(&b);
}

static void test_xor_malformed(void)
{
    int64_t ts[300];
    uint64_t v[300];
    for (int i = 0; i < 300; i++) {
        ts[i] = 1000 + i * 1000 + (int64_t)(rnd() % 5000);
        for (int j = 0; j < i; j++) ts[i] = ts[i] > ts[j] ? ts[i] : ts[j] + 1;
        v[i] = rnd();
    }
    st_buf b = {0};
    st_err e = {0};
    CHECK_OK(prr_xor_encode(ts, v, 300, &b, &e));
    int64_t t2[300];
    uint64_t v2[300];
    size_t n;
    /* every strict prefix loses bits the samples need */
    int ok_prefixes = 0;
    for (size_t l = 0; l < b.len; l++) {
        uint8_t *cp = malloc(l ? l : 1);
        memcpy(cp, b.p, l);
        e.msg[0] = 0;
        int rc = prr_xor_decode(cp, l, t2, v2, 300, &n, &e);
        if (rc == 0) ok_prefixes++;
        else CHECK(rc == ST_EINVAL && e.msg[0]);
        free(cp);
    }
    CHECK_EQ_INT(ok_prefixes, 0);
    /* single-byte mutations: decode or fail, never crash */
    for (size_t i = 0; i < b.len; i++) {
        uint8_t *cp = malloc(b.len);
        memcpy(cp, b.p, b.len);
        cp[i] ^= (uint8_t)(1 + rnd() % 255);
        (void)prr_xor_decode(cp, b.len, t2, v2, 300, &n, &e);
        free(cp);
    }
    /* a new window whose leading zeros and length exceed 64 bits:
     * 2 samples, ts 0, value 0, delta 1, then '11' 11111 (31) 100001 (33) */
    const uint8_t bad[] = {0x00, 0x02, 0x00, 0, 0, 0, 0, 0, 0, 0, 0, 0x01, 0xff, 0xe1, 0, 0, 0, 0, 0, 0};
    CHECK(prr_xor_decode(bad, sizeof bad, t2, v2, 300, &n, &e) == ST_EINVAL && strstr(e.msg, "64 bits"));
    /* an overlong first timestamp varint */
    const uint8_t overlong[] = {0x00, 0x01, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x7f, 0, 0,
                                0,    0,    0,    0,    0,    0};
    CHECK(prr_xor_decode(overlong, sizeof overlong, t2, v2, 300, &n, &e) == ST_EINVAL);
    st_buf_free(&b);
}

/* ---------------------------------------------------------------- frames */

static void test_frames(void)
{
    st_buf b = {0};
    prr_frame_put(&b, (const uint8_t *)"123456789", 9);
    /* uvarint 9, CRC-32C("123456789") = e3069283 big-endian, the data */
    const uint8_t want[] = {9, 0xe3, 0x06, 0x92, 0x83, '1', '2', '3', '4', '5', '6', '7', '8', '9'};
    CHECK(b.len == sizeof want && memcmp(b.p, want, sizeof want) == 0);
    uint8_t big[300];
    for (int i = 0; i < 300; i++) big[i] = (uint8_t)i;
    prr_frame_put(&b, big, 300);
    prr_frame_put(&b, big, 0);
    const uint8_t *p = b.p, *end = b.p + b.len;
    st_slice d;
    st_err e = {0};
    CHECK(prr_frame_next(&p, end, 1000, &d, &e) == 1 && d.n == 9 && memcmp(d.p, "123456789", 9) == 0);
    CHECK(prr_frame_next(&p, end, 1000, &d, &e) == 1 && d.n == 300 && memcmp(d.p, big, 300) == 0);
    CHECK(prr_frame_next(&p, end, 1000, &d, &e) == 1 && d.n == 0);
    CHECK(prr_frame_next(&p, end, 1000, &d, &e) == 0);
    /* the limit */
    p = b.p + 14;
    CHECK(prr_frame_next(&p, end, 299, &d, &e) == ST_EINVAL && strstr(e.msg, "limit"));
    /* a flipped bit in the data */
    b.p[7] ^= 4;
    p = b.p;
    CHECK(prr_frame_next(&p, end, 1000, &d, &e) == ST_EINVAL && strstr(e.msg, "checksum"));
    b.p[7] ^= 4;
    /* every truncation of the stream fails at the cut frame */
    for (size_t l = 1; l < 14; l++) {
        p = b.p;
        CHECK(prr_frame_next(&p, b.p + l, 1000, &d, &e) == ST_EINVAL);
    }
    st_buf_free(&b);
}

static size_t pb_sov(uint64_t v)
{
    size_t n = 1;
    while (v >= 0x80) v >>= 7, n++;
    return n;
}

static void test_chunked_series(void)
{
    label ls[3] = {{{"__name__", 8}, {"up", 2}}, {{"instance", 8}, {"h:9100", 6}}, {{"job", 3}, {"node", 4}}};
    enum { N = 1000 };
    int64_t *ts = malloc(N * sizeof *ts);
    uint64_t *v = malloc(N * sizeof *v);
    for (int i = 0; i < N; i++) {
        ts[i] = 1700000000000 + (int64_t)i * 15000 + (int64_t)(rnd() % 40);
        v[i] = rnd();
    }
    size_t lsz = 0;
    for (int i = 0; i < 3; i++) lsz += 2 + ls[i].name.n + 2 + ls[i].value.n;
    for (int qi = 0; qi < 3; qi++) {
        uint64_t max = qi == 0 ? 1u << 20 : qi == 1 ? 3000 : 10;
        st_buf b = {0};
        st_err e = {0};
        prr_chunked_stats cs = {0};
        CHECK_OK(prr_put_chunked_series(&b, qi, ls, 3, ts, v, N, max, &cs, &e));
        CHECK_EQ_INT(cs.chunks, (N + 119) / 120);
        CHECK_EQ_INT(cs.samples, N);
        const uint8_t *p = b.p, *end = b.p + b.len;
        st_slice d;
        size_t frames = 0, got = 0, chunks = 0;
        int rc;
        while ((rc = prr_frame_next(&p, end, 1u << 24, &d, &e)) == 1) {
            st_arena *a = st_arena_new(4096);
            prr_chunked_series *ss;
            size_t nss;
            int64_t q;
            CHECK_OK(prr_decode_chunked((const uint8_t *)d.p, d.n, a, &ss, &nss, &q, &e));
            CHECK_EQ_INT(q, qi);
            /* query_index 0 is left out, as proto3 does: the frame is the
             * chunked_series field alone */
            if (qi == 0) {
                const uint8_t *q0 = (const uint8_t *)d.p + 1;
                uint64_t l0 = 0;
                CHECK(((const uint8_t *)d.p)[0] == 0x0a && varint_get(&q0, q0 + d.n - 1, &l0) == 0 &&
                      (size_t)(q0 - (const uint8_t *)d.p) + l0 == d.n);
            }
            CHECK_EQ_INT(nss, 1);
            if (nss != 1) break;
            CHECK_EQ_INT(ss[0].nlabels, 3);
            CHECK(ss[0].labels[1].value.n == 6 && !memcmp(ss[0].labels[1].value.p, "h:9100", 6));
            size_t csum = 0, last = 0;
            for (size_t c = 0; c < ss[0].nchunks; c++) {
                prr_chunk *ch = &ss[0].chunks[c];
                int64_t t2[PRR_CHUNK_SAMPLES + 1];
                uint64_t v2[PRR_CHUNK_SAMPLES + 1];
                size_t n2;
                CHECK(ch->type == PRR_ENC_XOR);
                CHECK_OK(prr_xor_decode((const uint8_t *)ch->data.p, ch->data.n, t2, v2, PRR_CHUNK_SAMPLES, &n2, &e));
                CHECK(n2 >= 1 && n2 <= PRR_CHUNK_SAMPLES);
                CHECK(ch->min_ms == t2[0] && ch->max_ms == t2[n2 - 1]);
                for (size_t k = 0; k < n2 && got + k < N; k++) CHECK(t2[k] == ts[got + k] && v2[k] == v[got + k]);
                got += n2;
                last = 2 + 1 + pb_sov((uint64_t)ch->min_ms) + 1 + pb_sov((uint64_t)ch->max_ms) + 1 +
                       pb_sov(ch->data.n) + ch->data.n;
                csum += last;
            }
            chunks += ss[0].nchunks;
            /* Prometheus's rule: the frame was open while its budget
             * (max - labels) was positive; it closes once spent or at the
             * series' end */
            if (ss[0].nchunks > 1) CHECK((int64_t)(lsz + csum - last) < (int64_t)max);
            if (got < N) CHECK(lsz + csum >= max);
            frames++;
            st_arena_free(a);
        }
        CHECK_EQ_INT(rc, 0);
        CHECK_EQ_INT(got, N);
        CHECK_EQ_INT(chunks, cs.chunks);
        CHECK_EQ_INT(frames, cs.frames);
        if (qi == 0) CHECK_EQ_INT(frames, 1);
        if (qi == 2) CHECK_EQ_INT(frames, chunks); /* budget below the labels: a chunk per frame */
        if (qi == 1) CHECK(frames > 1 && frames < chunks);
        st_buf_free(&b);
    }
    st_buf b = {0};
    st_err e = {0};
    CHECK(prr_put_chunked_series(&b, 0, ls, 3, ts, v, 0, 100, NULL, &e) == ST_EINVAL);
    st_buf_free(&b);
    free(ts);
    free(v);
}

/* ---------------------------------------------------------- ReadRequest */

static bool sl_eq(st_slice s, const char *c) { return s.n == strlen(c) && memcmp(s.p, c, s.n) == 0; }

static void test_request_roundtrip(void)
{
    prr_matcher m1[] = {{PRR_EQ, {"__name__", 8}, {"up", 2}}, {PRR_NRE, {"job", 3}, {"a|b", 3}}};
    prr_matcher m2[] = {{PRR_RE, {"x", 1}, {"", 0}}, {PRR_NEQ, {"", 0}, {"v", 1}}};
    prr_query qs[] = {
        {1000, 2000, m1, 2, false},
        {-5, INT64_MAX, m2, 2, true},
        {INT64_MIN, -1, NULL, 0, false},
    };
    int64_t types[] = {PRR_STREAMED_XOR_CHUNKS, PRR_SAMPLES, 7};
    prr_request r = {qs, 3, types, 3};
    for (int packed = 0; packed < 2; packed++) {
        st_buf b = {0};
        prr_encode_request(&r, packed, &b);
        st_arena *a = st_arena_new(1024);
        prr_request d;
        st_err e = {0};
        CHECK_OK(prr_decode_request(b.p, b.len, a, &d, &e));
        CHECK_EQ_INT(d.nqueries, 3);
        CHECK_EQ_INT(d.naccepted, 3);
        if (d.nqueries == 3 && d.naccepted == 3) {
            CHECK(d.accepted[0] == 1 && d.accepted[1] == 0 && d.accepted[2] == 7);
            CHECK(d.queries[0].start_ms == 1000 && d.queries[0].end_ms == 2000 && d.queries[0].nmatchers == 2);
            CHECK(d.queries[1].start_ms == -5 && d.queries[1].end_ms == INT64_MAX && d.queries[1].has_hints);
            CHECK(d.queries[2].start_ms == INT64_MIN && d.queries[2].end_ms == -1 && d.queries[2].nmatchers == 0);
            CHECK(d.queries[0].matchers[1].type == PRR_NRE && sl_eq(d.queries[0].matchers[1].name, "job") &&
                  sl_eq(d.queries[0].matchers[1].value, "a|b"));
            CHECK(d.queries[1].matchers[0].type == PRR_RE && sl_eq(d.queries[1].matchers[0].value, ""));
            CHECK(d.queries[1].matchers[1].type == PRR_NEQ && sl_eq(d.queries[1].matchers[1].name, ""));
            int t;
            CHECK_OK(prr_negotiate(&d, &t, &e));
            CHECK_EQ_INT(t, PRR_STREAMED_XOR_CHUNKS);
        }
        st_arena_free(a);
        st_buf_free(&b);
    }
}

static void test_negotiate(void)
{
    struct {
        int64_t types[3];
        size_t n;
        int want; /* -1: error */
    } cases[] = {
        {{0}, 0, PRR_SAMPLES},       {{0}, 1, PRR_SAMPLES},         {{1}, 1, PRR_STREAMED_XOR_CHUNKS},
        {{1, 0}, 2, 1},              {{0, 1}, 2, 0},                {{5, 1, 0}, 3, 1},
        {{5, 7}, 2, -1},             {{-1}, 1, -1},
    };
    for (size_t i = 0; i < ST_ARRAY_LEN(cases); i++) {
        prr_request r = {NULL, 0, cases[i].types, cases[i].n};
        int t = -5;
        st_err e = {0};
        int rc = prr_negotiate(&r, &t, &e);
        if (cases[i].want < 0) CHECK_MSG(rc == ST_EINVAL && strstr(e.msg, "does not support"), "case %zu", i);
        else CHECK_MSG(rc == 0 && t == cases[i].want, "case %zu: %d", i, t);
    }
    int64_t bad[2] = {5, 7};
    prr_request r = {NULL, 0, bad, 2};
    int t;
    st_err e = {0};
    prr_negotiate(&r, &t, &e);
    CHECK(strstr(e.msg, "[5 7]") != NULL);
}

static void test_request_handmade(void)
{
    /* unknown fields of every wire type are skipped; a matcher without
     * fields is EQ "" "" */
    const uint8_t ok[] = {
        0x0a, 0x16,                   /* queries, 22 bytes */
        0x08, 0x01,                   /* start 1 */
        0x1a, 0x00,                   /* matchers: empty */
        0x29, 1, 2, 3, 4, 5, 6, 7, 8, /* field 5 fixed64 */
        0x35, 1, 2, 3, 4,             /* field 6 fixed32 */
        0x22, 0x02, 0x08, 0x05,       /* hints { step_ms 5 } */
        0x10, 0x01,                   /* accepted: STREAMED (unpacked) */
        0x12, 0x02, 0x00, 0x01,       /* accepted: packed SAMPLES, STREAMED */
        0x78, 0x05,                   /* field 15 varint */
    };
    st_arena *a = st_arena_new(1024);
    prr_request d;
    st_err e = {0};
    int rc = prr_decode_request(ok, sizeof ok, a, &d, &e);
    CHECK_MSG(rc == 0, "%s", e.msg);
    CHECK(d.nqueries == 1 && d.queries[0].start_ms == 1 && d.queries[0].nmatchers == 1 && d.queries[0].has_hints);
    CHECK(d.naccepted == 3 && d.accepted[0] == 1 && d.accepted[1] == 0 && d.accepted[2] == 1);
    CHECK(d.nqueries == 1 && d.queries[0].nmatchers == 1 && d.queries[0].matchers[0].type == 0 &&
          d.queries[0].matchers[0].name.n == 0);
    /* a negative start: a 10-byte varint */
    const uint8_t neg[] = {0x0a, 0x0b, 0x08, 0xfe, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01};
    CHECK_OK(prr_decode_request(neg, sizeof neg, a, &d, &e));
    CHECK(d.nqueries == 1 && d.queries[0].start_ms == -2);
    /* empty body: no queries */
    CHECK_OK(prr_decode_request(ok, 0, a, &d, &e));
    CHECK(d.nqueries == 0 && d.naccepted == 0);
    struct {
        const char *name;
        uint8_t b[16];
        size_t n;
        const char *msg;
    } bad[] = {
        {"truncated tag", {0x8a}, 1, "tag"},
        {"field 0", {0x00, 0x01}, 2, "field number 0"},
        {"queries as varint", {0x08, 0x01}, 2, "queries"},
        {"length past end", {0x0a, 0x05, 0x08}, 3, "past the end"},
        {"group", {0x0b, 0x0c}, 2, "start-group"},
        {"wire type 7", {0x0f}, 1, "invalid(7)"},
        {"start as string", {0x0a, 0x02, 0x0a, 0x00}, 4, "start_timestamp_ms"},
        {"matcher name as varint", {0x0a, 0x04, 0x1a, 0x02, 0x10, 0x01}, 6, "queries[0].matchers[0]"},
        {"matcher type as bytes", {0x0a, 0x04, 0x1a, 0x02, 0x0a, 0x00}, 6, "type"},
        {"hints func as varint", {0x0a, 0x04, 0x22, 0x02, 0x10, 0x01}, 6, "queries[0].hints"},
        {"hints truncated", {0x0a, 0x03, 0x22, 0x01, 0x08}, 5, "hints"},
        {"accepted fixed64", {0x11, 0, 0, 0, 0, 0, 0, 0, 0}, 9, "accepted_response_types"},
        {"accepted packed truncated", {0x12, 0x01, 0x80}, 3, "packed"},
        {"overlong varint", {0x10, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x7f}, 11, "varint"},
        {"truncated fixed32", {0x0d, 0x01}, 2, "fixed32"},
    };
    for (size_t i = 0; i < ST_ARRAY_LEN(bad); i++) {
        e.msg[0] = 0;
        rc = prr_decode_request(bad[i].b, bad[i].n, a, &d, &e);
        CHECK_MSG(rc == ST_EINVAL && strstr(e.msg, bad[i].msg) && strstr(e.msg, "remote_read request"),
                  "%s: rc %d msg %s", bad[i].name, rc, e.msg);
    }
    st_arena_free(a);
}

static void test_request_mutations(void)
{
    prr_matcher m1[] = {{PRR_EQ, {"__name__", 8}, {"up", 2}}, {PRR_RE, {"job", 3}, {"n.*", 3}}};
    prr_query qs[] = {{1000, 2000, m1, 2, true}, {-1, 5, m1, 1, false}};
    int64_t types[] = {1, 0};
    prr_request r = {qs, 2, types, 2};
    st_buf b = {0};
    prr_encode_request(&r, true, &b);
    st_arena *a = st_arena_new(1024);
    int fails = 0;
    for (size_t l = 0; l <= b.len; l++) {
        uint8_t *cp = malloc(l ? l : 1);
        memcpy(cp, b.p, l);
        prr_request d;
        st_err e = {0};
        int rc = prr_decode_request(cp, l, a, &d, &e);
        if (rc) {
            fails++;
            CHECK(rc == ST_EINVAL && e.msg[0]);
        }
        free(cp);
        st_arena_reset(a);
    }
    CHECK(fails > 0);
    for (size_t i = 0; i < b.len; i++)
        for (int k = 0; k < 8; k++) {
            uint8_t *cp = malloc(b.len);
            memcpy(cp, b.p, b.len);
            cp[i] ^= (uint8_t)(1u << k);
            prr_request d;
            st_err e = {0};
            int rc = prr_decode_request(cp, b.len, a, &d, &e);
            CHECK(rc == 0 || (rc == ST_EINVAL && e.msg[0]));
            free(cp);
            st_arena_reset(a);
        }
    st_arena_free(a);
    st_buf_free(&b);
}

/* -------------------------------------------------------------- SAMPLES */

static void test_samples_encoding(void)
{
    label ls[2] = {{{"__name__", 8}, {"m", 1}}, {{"k", 1}, {"v", 1}}};
    int64_t ts[4] = {0, 1, -1, 1700000000000};
    uint64_t v[4] = {dbits(0.0), dbits(-0.0), ST_STALE_NAN_BITS, dbits(1.5)};
    st_buf b = {0};
    prr_put_timeseries(&b, ls, 2, ts, v, 4);
    /* what gogo writes, except that -0.0 is kept: Prometheus drops it */
    const uint8_t want[] = {
        0x0a, 0x4e,                                                                    /* timeseries */
        0x0a, 0x0d, 0x0a, 0x08, '_', '_', 'n', 'a', 'm', 'e', '_', '_', 0x12, 0x01, 'm', /* label */
        0x0a, 0x06, 0x0a, 0x01, 'k', 0x12, 0x01, 'v',                                  /* label */
        0x12, 0x00,                                                                    /* 0 @ 0 */
        0x12, 0x0b, 0x09, 0, 0, 0, 0, 0, 0, 0, 0x80, 0x10, 0x01,                       /* -0 @ 1 */
        0x12, 0x14, 0x09, 0x02, 0, 0, 0, 0, 0, 0xf0, 0x7f, 0x10, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
        0xff, 0xff, 0x01, /* stale @ -1 */
        0x12, 0x10, 0x09, 0, 0, 0, 0, 0, 0, 0xf8, 0x3f, 0x10, 0x80, 0xd0, 0x95, 0xff, 0xbc, 0x31,
    };
    CHECK_MSG(b.len == sizeof want && memcmp(b.p, want, sizeof want) == 0, "len %zu want %zu", b.len, sizeof want);
    /* a ReadResponse of three results, the middle one empty */
    st_buf resp = {0};
    prr_put_result_header(&resp, b.len);
    st_buf_put(&resp, b.p, b.len);
    prr_put_result_header(&resp, 0);
    prr_put_result_header(&resp, 2 * b.len);
    st_buf_put(&resp, b.p, b.len);
    st_buf_put(&resp, b.p, b.len);
    st_arena *a = st_arena_new(1024);
    prr_result *rs;
    size_t nr;
    st_err e = {0};
    CHECK_OK(prr_decode_read_response(resp.p, resp.len, a, &rs, &nr, &e));
    CHECK_EQ_INT(nr, 3);
    if (nr == 3) {
        CHECK(rs[0].nseries == 1 && rs[1].nseries == 0 && rs[2].nseries == 2);
        prr_series *s = &rs[2].series[1];
        CHECK(s->nlabels == 2 && sl_eq(s->labels[0].name, "__name__") && sl_eq(s->labels[1].value, "v"));
        CHECK_EQ_INT(s->n, 4);
        for (size_t i = 0; i < 4 && i < s->n; i++) CHECK(s->ts[i] == ts[i] && s->vals[i] == v[i]);
    }
    /* snappy both ways */
    st_buf z = {0}, back = {0};
    CHECK_OK(prr_snappy_compress(resp.p, resp.len, &z, &e));
    CHECK_OK(prw_decompress(PRW_ENC_SNAPPY, z.p, z.len, 1 << 20, &back, &e));
    CHECK(back.len == resp.len && memcmp(back.p, resp.p, resp.len) == 0);
    /* malformed responses fail with a message */
    for (size_t l = 0; l < resp.len; l++) {
        uint8_t *cp = malloc(l ? l : 1);
        memcpy(cp, resp.p, l);
        int rc = prr_decode_read_response(cp, l, a, &rs, &nr, &e);
        CHECK(rc == 0 || (rc == ST_EINVAL && e.msg[0]));
        free(cp);
    }
    const uint8_t wrong[] = {0x0a, 0x04, 0x0a, 0x02, 0x12, 0x00 /* ok */, 0x0a, 0x02, 0x08, 0x01};
    CHECK(prr_decode_read_response(wrong, sizeof wrong, a, &rs, &nr, &e) == ST_EINVAL && strstr(e.msg, "results[1]"));
    st_arena_free(a);
    st_buf_free(&b);
    st_buf_free(&resp);
    st_buf_free(&z);
    st_buf_free(&back);
}

int main(void)
{
    RUN(test_xor_sizes_and_counts);
    RUN(test_xor_dod_buckets);
    RUN(test_xor_values);
    RUN(test_xor_known_answer);
    RUN(test_xor_malformed);
    RUN(test_frames);
    RUN(test_chunked_series);
    RUN(test_request_roundtrip);
    RUN(test_negotiate);
    RUN(test_request_handmade);
    RUN(test_request_mutations);
    RUN(test_samples_encoding);
    return testlib_done("test_prr");
}
