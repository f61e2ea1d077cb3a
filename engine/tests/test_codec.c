/* test_codec: round trips (bit for bit), rejection of bad input, corruption
 * handling, and the compression and speed figures the format is built for. */
#include "codec.h"

#include "bits.h"
#include "testlib.h"

#include <math.h>
#include <time.h>

static bool quick; /* STRATA_TEST_QUICK: sanitizer runs do less */

#define F_DECX_TAG 0x20 /* float section tag: decimal with exceptions, scale 0 */

static uint64_t rng_s;
static uint64_t rnd(void) /* splitmix64 */
{
    uint64_t z = (rng_s += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}
static uint64_t rndn(uint64_t n) { return n ? rnd() % n : 0; }
static double rndu(void) { return (double)(rnd() >> 11) / 9007199254740992.0; } /* [0,1) */

static uint64_t d2u(double d)
{
    uint64_t u;
    memcpy(&u, &d, 8);
    return u;
}

/* CPU time, not wall time: CI machines are shared and busy. */
static double now_s(void)
{
    struct timespec t;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
    return (double)t.tv_sec + (double)t.tv_nsec * 1e-9;
}

/* Split a chunk into header, timestamp section and value section sizes. */
static void sections(const st_buf *b, size_t *hdr, size_t *tsl, size_t *val)
{
    const uint8_t *p = b->p + 2, *end = b->p + b->len;
    uint64_t v;
    for (int i = 0; i < 4; i++) varint_get(&p, end, &v);
    *hdr = (size_t)(p - b->p);
    *tsl = (size_t)v;
    *val = b->len - *hdr - *tsl;
}

static codec_samples dec; /* reused across decodes, as queries do */

/* Encodes, peeks, decodes and compares bit for bit; returns the size. */
static size_t roundtrip(st_vtype t, const int64_t *ts, const uint64_t *vals, const st_slice *strs,
                        size_t n, st_buf *keep)
{
    st_buf b = {0};
    st_err e = {0};
    int rc = codec_encode(t, ts, vals, strs, n, &b, &e);
    CHECK_MSG(rc == 0, "encode: %s", e.msg);
    if (rc) return 0;
    st_vtype pt;
    size_t pn;
    int64_t f, l;
    CHECK_OK(codec_peek(b.p, b.len, &pt, &pn, &f, &l, &e));
    CHECK(pt == t && pn == n && f == ts[0] && l == ts[n - 1]);
    rc = codec_decode(b.p, b.len, &dec, &e);
    CHECK_MSG(rc == 0, "decode: %s (type %d, n %zu)", e.msg, (int)t, n);
    if (rc == 0) {
        CHECK_EQ_INT(dec.n, n);
        size_t bad = n;
        for (size_t i = 0; i < n && bad == n; i++) {
            if (dec.ts[i] != ts[i]) bad = i;
            else if (t == ST_VT_STRING) {
                if (dec.strs[i].n != strs[i].n ||
                    (strs[i].n && memcmp(dec.strs[i].p, strs[i].p, strs[i].n)))
                    bad = i;
            } else if (dec.vals[i] != vals[i]) {
                bad = i;
            }
        }
        CHECK_MSG(bad == n, "mismatch at %zu of %zu (type %d): ts %lld/%lld val %016llx/%016llx",
                  bad, n, (int)t, (long long)(bad < n ? ts[bad] : 0),
                  (long long)(bad < n ? dec.ts[bad] : 0),
                  (unsigned long long)(bad < n && vals ? vals[bad] : 0),
                  (unsigned long long)(bad < n ? dec.vals[bad] : 0));
    }
    size_t len = b.len;
    if (keep) st_buf_put(keep, b.p, b.len);
    st_buf_free(&b);
    return len;
}

static size_t ints_roundtrip(const int64_t *x, size_t n)
{
    st_buf b = {0};
    codec_encode_ints(x, n, &b);
    st_buf_putc(&b, 0xAA); /* the packer must stop at its own end */
    int64_t *y = malloc((n + 1) * sizeof *y);
    const uint8_t *p = b.p;
    CHECK_OK(codec_decode_ints(&p, b.p + b.len, y, n));
    CHECK(p == b.p + b.len - 1);
    size_t bad = n;
    for (size_t i = 0; i < n && bad == n; i++)
        if (y[i] != x[i]) bad = i;
    CHECK_MSG(bad == n, "ints mismatch at %zu of %zu", bad, n);
    size_t len = b.len - 1;
    free(y);
    st_buf_free(&b);
    return len;
}

static void seq_ts(int64_t *ts, size_t n, int64_t start, int64_t step)
{
    for (size_t i = 0; i < n; i++) ts[i] = start + (int64_t)i * step;
}

/* ---- integer packer --------------------------------------------------- */

static void test_ints_edges(void)
{
    int64_t x[64] = {0};
    ints_roundtrip(x, 0);
    const int64_t ex[] = {0, 1, -1, INT64_MIN, INT64_MAX, INT64_MIN + 1, INT64_MAX - 1, 42};
    size_t ne = ST_ARRAY_LEN(ex);
    for (size_t a = 0; a < ne; a++) {
        x[0] = ex[a];
        ints_roundtrip(x, 1);
        for (size_t b = 0; b < ne; b++) {
            x[1] = ex[b];
            ints_roundtrip(x, 2);
            for (size_t c = 0; c < ne; c++) {
                x[2] = ex[c];
                ints_roundtrip(x, 3);
                x[3] = ex[(a + b) % ne];
                ints_roundtrip(x, 4);
            }
        }
    }
    /* UINT64 patterns: a counter crossing 2^63 and wrapping past 2^64. */
    uint64_t u[40];
    for (size_t i = 0; i < 40; i++) u[i] = (UINT64_MAX - 20) + i * 3;
    ints_roundtrip((int64_t *)u, 40);
    for (size_t i = 0; i < 40; i++) u[i] = ((uint64_t)1 << 63) - 20 + i;
    ints_roundtrip((int64_t *)u, 40);
    /* Alternating extremes: the span is the whole 2^64. */
    for (size_t i = 0; i < 64; i++) x[i] = i & 1 ? INT64_MAX : INT64_MIN;
    ints_roundtrip(x, 64);
    /* Constant, and constant deltas and delta-of-deltas. */
    for (size_t i = 0; i < 64; i++) x[i] = 7;
    CHECK(ints_roundtrip(x, 64) <= 3);
    for (size_t i = 0; i < 64; i++) x[i] = 1000 + 5 * (int64_t)i;
    CHECK(ints_roundtrip(x, 64) <= 6);
    for (size_t i = 0; i < 64; i++) x[i] = (int64_t)(i * i);
    CHECK(ints_roundtrip(x, 64) <= 6);
    /* Ranges around the mixed-radix boundaries. */
    const uint64_t ranges[] = {2, 3, 5, 7, 201, 1000, 65535, 65537, 1ull << 31,
                               (1ull << 32) - 1, (1ull << 32) + 1, 3000000000ull};
    for (size_t k = 0; k < ST_ARRAY_LEN(ranges); k++) {
        for (size_t n = 1; n <= 64; n++) {
            for (size_t i = 0; i < n; i++) x[i] = -5 + (int64_t)rndn(ranges[k]);
            x[n / 2] = -5 + (int64_t)ranges[k] - 1;
            x[0] = -5;
            ints_roundtrip(x, n);
        }
    }
}

/* Random sequences of the kinds the packer sees, over many seeds. */
static void gen_ints(int64_t *x, size_t n, int kind)
{
    int64_t acc = (int64_t)rnd();
    uint64_t r = 1 + rndn(1ull << rndn(40));
    for (size_t i = 0; i < n; i++) {
        switch (kind) {
        case 0: x[i] = (int64_t)rnd(); break;
        case 1: x[i] = (int64_t)rndn(r) - (int64_t)(r / 2); break;
        case 2: x[i] = acc += (int64_t)rndn(r); break;                 /* counter */
        case 3: x[i] = acc += (int64_t)rndn(r) - (int64_t)(r / 2); break; /* walk */
        case 4: x[i] = rndn(10) ? 0 : (int64_t)rndn(r) * 1000; break;    /* skewed */
        case 5: x[i] = (int64_t)(rndn(4) * 1000003); break;             /* few values */
        default: x[i] = (int64_t)i * 3 + (int64_t)rndn(3); break;
        }
    }
}

static void test_ints_random(void)
{
    size_t iters = quick ? 300 : 3000;
    int64_t *x = malloc(1000 * sizeof *x);
    for (size_t it = 0; it < iters; it++) {
        rng_s = it * 7919 + 1;
        size_t n = 1 + rndn(1000);
        gen_ints(x, n, (int)(it % 7));
        ints_roundtrip(x, n);
    }
    free(x);
}

static void test_ints_methods(void)
{
    /* R = 201 uniform noise: mixed radix, ~7.67 bits a value. */
    enum { N = 3000 };
    int64_t *x = malloc(N * sizeof *x);
    rng_s = 99;
    for (size_t i = 0; i < N; i++) x[i] = (int64_t)rndn(201);
    x[0] = 0;
    x[1] = 200;
    size_t len = ints_roundtrip(x, N);
    printf("  R=201 uniform: %.3f bits/value (entropy 7.651)\n", len * 8.0 / N);
    CHECK(len * 8.0 / N < 7.70);
    /* Skewed: mostly 0, sometimes large: zstd should beat 30-bit packing. */
    for (size_t i = 0; i < N; i++) x[i] = rndn(20) ? 0 : (int64_t)rndn(1u << 30);
    len = ints_roundtrip(x, N);
    printf("  skewed (95%% zero): %.3f bits/value\n", len * 8.0 / N);
    CHECK(len * 8.0 / N < 6);
    /* Two far-apart values alternate randomly: entropy 1 bit. */
    for (size_t i = 0; i < N; i++) x[i] = rndn(2) ? 0 : 123456789;
    len = ints_roundtrip(x, N);
    printf("  two values: %.3f bits/value\n", len * 8.0 / N);
    CHECK(len * 8.0 / N < 4);
    free(x);
}

/* ---- floats ----------------------------------------------------------- */

static const uint64_t float_edges[] = {
    0x7ff8000000000000ull, /* quiet NaN */
    0xfff8000000000000ull, /* negative quiet NaN */
    0x7ff0000000000002ull, /* Prometheus stale marker */
    0x7ff0000000000001ull, /* signalling NaN */
    0x7fffffffffffffffull, /* NaN, all payload bits */
    0x7ff0000000000000ull, /* +Inf */
    0xfff0000000000000ull, /* -Inf */
    0x8000000000000000ull, /* -0.0 */
    0x0000000000000000ull, /* +0.0 */
    0x0010000000000000ull, /* DBL_MIN */
    0x0000000000000001ull, /* smallest subnormal */
    0x000fffffffffffffull, /* largest subnormal */
    0x800fffffffffffffull, /* negative subnormal */
    0x7fefffffffffffffull, /* DBL_MAX */
    0xffefffffffffffffull, /* -DBL_MAX */
    0x3ff0000000000000ull, /* 1.0 */
    0x3fb999999999999aull, /* 0.1 */
    0x4340000000000000ull, /* 2^53 */
    0x4340000000000001ull, /* 2^53 + 2 */
    0x3fd5555555555555ull, /* 1/3 */
};

static void test_float_edges(void)
{
    size_t ne = ST_ARRAY_LEN(float_edges);
    int64_t ts[64];
    uint64_t v[64];
    seq_ts(ts, 64, 1700000000000000000ll, 15 * ST_NS_PER_S);
    for (size_t a = 0; a < ne; a++) {
        v[0] = float_edges[a];
        roundtrip(ST_VT_FLOAT, ts, v, NULL, 1, NULL);
        for (size_t b = 0; b < ne; b++) {
            v[1] = float_edges[b];
            roundtrip(ST_VT_FLOAT, ts, v, NULL, 2, NULL);
        }
    }
    /* Each edge value planted in an otherwise decimal series, at the start,
     * the middle and the end (the stale marker case). */
    for (size_t a = 0; a < ne; a++) {
        for (int where = 0; where < 3; where++) {
            for (size_t i = 0; i < 64; i++) v[i] = d2u((double)(1000 + (int64_t)i * 7) / 100);
            v[where == 0 ? 0 : where == 1 ? 31 : 63] = float_edges[a];
            roundtrip(ST_VT_FLOAT, ts, v, NULL, 64, NULL);
        }
        for (size_t i = 0; i < 64; i++) v[i] = float_edges[a];
        roundtrip(ST_VT_FLOAT, ts, v, NULL, 64, NULL);
    }
    /* All edges mixed, at random. */
    for (int it = 0; it < 200; it++) {
        rng_s = (uint64_t)it + 5;
        size_t n = 1 + rndn(64);
        for (size_t i = 0; i < n; i++) v[i] = float_edges[rndn(ne)];
        roundtrip(ST_VT_FLOAT, ts, v, NULL, n, NULL);
    }
    /* A stale marker at the end costs little: decimal with one exception. */
    for (size_t i = 0; i < 64; i++) v[i] = d2u((double)(5000 + (int64_t)rndn(100)) / 100);
    v[63] = ST_STALE_NAN_BITS;
    size_t with = roundtrip(ST_VT_FLOAT, ts, v, NULL, 64, NULL);
    v[63] = v[62];
    size_t without = roundtrip(ST_VT_FLOAT, ts, v, NULL, 64, NULL);
    CHECK_MSG(with <= without + 12, "stale marker: %zu vs %zu bytes", with, without);
}

static void gen_floats(uint64_t *v, size_t n, int kind)
{
    double x = (double)rndn(100000) / 100;
    unsigned sc = (unsigned)rndn(16);
    double p = pow(10, sc);
    for (size_t i = 0; i < n; i++) {
        switch (kind) {
        case 0: v[i] = rnd(); break; /* any bits, NaNs included */
        case 1: v[i] = d2u((double)((int64_t)rndn(2000000) - 1000000) / p); break;
        case 2: x += (double)((int64_t)rndn(201) - 100) / 100; v[i] = d2u(round(x * 100) / 100); break;
        case 3: v[i] = d2u(rndu() * 1000); break; /* full-precision noise */
        case 4: v[i] = d2u((double)((int64_t)rnd() >> rndn(64)) / p); break;
        case 5: /* decimals with the odd non-decimal one */
            v[i] = rndn(40) ? d2u((double)(int64_t)rndn(100000) / 1000)
                            : float_edges[rndn(ST_ARRAY_LEN(float_edges))];
            break;
        case 6: v[i] = d2u(x += 1.0 / 3); break;
        default: v[i] = d2u((double)(int64_t)(rnd() >> 10)); break; /* big integers */
        }
    }
}

static void test_float_random(void)
{
    size_t iters = quick ? 300 : 3000;
    int64_t *ts = malloc(1000 * sizeof *ts);
    uint64_t *v = malloc(1000 * sizeof *v);
    for (size_t it = 0; it < iters; it++) {
        rng_s = it * 104729 + 3;
        size_t n = 1 + rndn(1000);
        seq_ts(ts, n, (int64_t)rnd() >> 2, 1 + (int64_t)rndn(1000));
        gen_floats(v, n, (int)(it % 8));
        roundtrip(ST_VT_FLOAT, ts, v, NULL, n, NULL);
    }
    free(ts);
    free(v);
}

/* ---- timestamps and other types ---------------------------------------- */

static void test_ts_edges(void)
{
    uint64_t v[8] = {0};
    int64_t ts[8];
    ts[0] = INT64_MIN;
    ts[1] = INT64_MAX;
    roundtrip(ST_VT_INT, ts, v, NULL, 2, NULL);
    ts[0] = INT64_MIN;
    ts[1] = 0;
    ts[2] = INT64_MAX;
    roundtrip(ST_VT_INT, ts, v, NULL, 3, NULL);
    ts[0] = INT64_MIN;
    ts[1] = INT64_MIN + 1;
    ts[2] = INT64_MAX - 1;
    ts[3] = INT64_MAX;
    roundtrip(ST_VT_INT, ts, v, NULL, 4, NULL);
    for (int k = 0; k < 8; k++) ts[k] = INT64_MAX - 7 + k;
    roundtrip(ST_VT_INT, ts, v, NULL, 8, NULL);
    for (int k = 0; k < 8; k++) ts[k] = INT64_MIN + k;
    roundtrip(ST_VT_INT, ts, v, NULL, 8, NULL);
    ts[0] = INT64_MIN;
    roundtrip(ST_VT_INT, ts, v, NULL, 1, NULL);
    ts[0] = INT64_MAX;
    roundtrip(ST_VT_INT, ts, v, NULL, 1, NULL);
    ts[0] = -5;
    ts[1] = -3;
    ts[2] = 0;
    ts[3] = 1ll << 62;
    ts[4] = (1ll << 62) + 1;
    roundtrip(ST_VT_INT, ts, v, NULL, 5, NULL);
    /* Random strictly increasing runs with huge, tiny and mixed gaps. */
    int64_t *t = malloc(1000 * sizeof *t);
    uint64_t *z = calloc(1000, sizeof *z);
    for (int it = 0; it < (quick ? 300 : 3000); it++) {
        rng_s = (uint64_t)it * 31 + 11;
        size_t n = 1 + rndn(1000);
        uint64_t room = UINT64_MAX - 1, maxgap = room / n - 1;
        uint64_t unit = 1 + rndn(it % 3 ? 1000000 : 2);
        maxgap >>= rndn(64);
        uint64_t cur = rndn(room - (uint64_t)n * (maxgap + 1) + 1);
        for (size_t i = 0; i < n; i++) {
            uint64_t gap = 1 + rndn(maxgap);
            if (it % 4 == 1) gap = gap / unit * unit + unit;
            if (gap > maxgap + 1) gap = maxgap + 1;
            cur += gap;
            t[i] = (int64_t)(cur ^ (1ull << 63)); /* biased to int64 order */
        }
        roundtrip(ST_VT_UINT, t, z, NULL, n, NULL);
    }
    free(t);
    free(z);
}

static void test_types(void)
{
    enum { MAXN = 1000 };
    int64_t *ts = malloc(MAXN * sizeof *ts);
    uint64_t *v = malloc(MAXN * sizeof *v);
    st_slice *s = malloc(MAXN * sizeof *s);
    char pool[4096];
    seq_ts(ts, MAXN, -1000, 1000);
    for (int it = 0; it < (quick ? 100 : 1000); it++) {
        rng_s = (uint64_t)it + 77;
        size_t n = 1 + rndn(MAXN);
        for (size_t i = 0; i < n; i++) v[i] = rndn(it % 5 ? 2 : 1);
        roundtrip(ST_VT_BOOL, ts, v, NULL, n, NULL);
        gen_ints((int64_t *)v, n, it % 7);
        roundtrip(ST_VT_INT, ts, v, NULL, n, NULL);
        roundtrip(ST_VT_UINT, ts, v, NULL, n, NULL);
        for (size_t i = 0; i < sizeof pool; i++)
            pool[i] = it % 3 ? (char)('a' + rndn(4)) : (char)rnd();
        for (size_t i = 0; i < n; i++) {
            size_t len = rndn(it % 4 ? 20 : 3);
            s[i] = st_slice_of(pool + rndn(sizeof pool - len), len);
        }
        roundtrip(ST_VT_STRING, ts, NULL, s, n, NULL);
    }
    /* Empty strings only, non-ASCII, one long string. */
    for (size_t i = 0; i < 10; i++) s[i] = st_slice_of("", 0);
    roundtrip(ST_VT_STRING, ts, NULL, s, 10, NULL);
    s[3] = st_slice_cstr("h\xc3\xa9llo w\xc3\xb6rld \xe2\x82\xac \xf0\x9f\x98\x80");
    s[4] = st_slice_of("\0\xff\0", 3);
    roundtrip(ST_VT_STRING, ts, NULL, s, 10, NULL);
    char *big = malloc(100000);
    for (size_t i = 0; i < 100000; i++) big[i] = "abc"[i % 3];
    s[5] = st_slice_of(big, 100000);
    size_t len = roundtrip(ST_VT_STRING, ts, NULL, s, 10, NULL);
    CHECK(len < 1000); /* zstd took it */
    free(big);
    uint64_t u[4] = {0, UINT64_MAX, 1, UINT64_MAX - 1};
    roundtrip(ST_VT_UINT, ts, u, NULL, 4, NULL);
    free(ts);
    free(v);
    free(s);
}

static void test_invalid_input(void)
{
    int64_t ts[4] = {10, 20, 20, 30};
    uint64_t v[4] = {0, 1, 1, 0};
    st_buf b = {0};
    st_err e = {0};
    st_buf_put(&b, "xyz", 3);
    CHECK_EQ_INT(codec_encode(ST_VT_FLOAT, ts, v, NULL, 4, &b, &e), ST_EINVAL);
    CHECK(strstr(e.msg, "strictly increasing") != NULL);
    ts[2] = 15; /* decreasing */
    CHECK_EQ_INT(codec_encode(ST_VT_INT, ts, v, NULL, 4, &b, &e), ST_EINVAL);
    ts[2] = 25;
    CHECK_EQ_INT(codec_encode(ST_VT_INT, ts, v, NULL, 0, &b, &e), ST_EINVAL);
    CHECK_EQ_INT(codec_encode((st_vtype)9, ts, v, NULL, 4, &b, &e), ST_EINVAL);
    CHECK_EQ_INT(codec_encode(ST_VT_STRING, ts, v, NULL, 4, &b, NULL), ST_EINVAL);
    v[1] = 2;
    CHECK_EQ_INT(codec_encode(ST_VT_BOOL, ts, v, NULL, 4, &b, &e), ST_EINVAL);
    CHECK_EQ_INT(b.len, 3); /* nothing appended on failure */
    v[1] = 1;
    CHECK_OK(codec_encode(ST_VT_BOOL, ts, v, NULL, 4, &b, &e));
    /* Appending keeps earlier content; decoding the appended part works. */
    CHECK(memcmp(b.p, "xyz", 3) == 0);
    CHECK_OK(codec_decode(b.p + 3, b.len - 3, &dec, &e));
    CHECK_EQ_INT(dec.n, 4);
    st_buf_free(&b);
}

/* ---- corruption ------------------------------------------------------- */

/* Whatever decode accepts must look like a chunk: n samples, strictly
 * increasing timestamps from first to last, bools 0/1. */
static void check_sane(const uint8_t *p, size_t len)
{
    st_err e;
    int rc = codec_decode(p, len, &dec, &e);
    if (rc) {
        CHECK(rc == ST_ECORRUPT);
        CHECK(dec.n == 0);
        return;
    }
    st_vtype t;
    size_t n;
    int64_t f, l;
    CHECK_OK(codec_peek(p, len, &t, &n, &f, &l, &e));
    CHECK(dec.n == n && dec.ts[0] == f && dec.ts[n - 1] == l);
    for (size_t i = 1; i < n; i++)
        if (dec.ts[i] <= dec.ts[i - 1]) {
            CHECK_MSG(0, "decoded timestamps not increasing at %zu", i);
            break;
        }
    if (t == ST_VT_BOOL)
        for (size_t i = 0; i < n; i++) CHECK(dec.vals[i] <= 1);
}

static void corpus(st_buf *all, size_t *off, size_t *count)
{
    int64_t ts[400];
    uint64_t v[400];
    st_slice s[400];
    size_t k = 0;
    for (int kind = 0; kind < 8; kind++) {
        rng_s = (uint64_t)kind + 1000;
        size_t n = kind == 7 ? 1 : 50 + rndn(350);
        seq_ts(ts, n, 1600000000000ll, 15000);
        if (kind & 1)
            for (size_t i = 1; i < n; i++) ts[i] = ts[i - 1] + 14990 + (int64_t)rndn(21);
        gen_floats(v, n, kind);
        off[k++] = all->len;
        roundtrip(ST_VT_FLOAT, ts, v, NULL, n, all);
        gen_ints((int64_t *)v, n, kind % 7);
        off[k++] = all->len;
        roundtrip(ST_VT_INT, ts, v, NULL, n, all);
        for (size_t i = 0; i < n; i++) v[i] = rndn(kind % 2 + 1);
        off[k++] = all->len;
        roundtrip(ST_VT_BOOL, ts, v, NULL, n, all);
        for (size_t i = 0; i < n; i++) {
            size_t o = rndn(8);
            s[i] = kind & 2 ? st_slice_cstr("GET /api/v1/query_range 200 OK")
                            : st_slice_of(&"abcdefgh"[o], rndn(9 - o));
        }
        off[k++] = all->len;
        roundtrip(ST_VT_STRING, ts, NULL, s, n, all);
    }
    off[k] = all->len;
    *count = k;
}

static void test_corruption(void)
{
    st_buf all = {0};
    size_t off[40], count;
    corpus(&all, off, &count);
    uint8_t *tmp = malloc(all.len);
    for (size_t c = 0; c < count; c++) {
        const uint8_t *p = all.p + off[c];
        size_t len = off[c + 1] - off[c];
        /* Every truncation is detected: sections must be consumed exactly.
         * The copy sits at the end of a heap block, so ASan sees overreads. */
        for (size_t cut = 0; cut < len; cut++) {
            uint8_t *q = malloc(cut ? cut : 1);
            memcpy(q, p, cut);
            st_err e;
            int rc = codec_decode(q, cut, &dec, &e);
            CHECK_MSG(rc == ST_ECORRUPT, "chunk %zu cut at %zu/%zu decoded", c, cut, len);
            free(q);
        }
        /* Flipped bytes and bits: an error or a sane result, never a crash. */
        int flips = quick ? 300 : 3000;
        for (int it = 0; it < flips; it++) {
            memcpy(tmp, p, len);
            int nf = 1 + (int)rndn(3);
            for (int f = 0; f < nf; f++) {
                size_t at = rndn(len);
                if (rndn(2)) tmp[at] ^= (uint8_t)(1u << rndn(8));
                else tmp[at] = (uint8_t)rnd();
            }
            check_sane(tmp, len);
        }
    }
    free(tmp);
    st_buf_free(&all);
}

static void put_hdr(st_buf *b, int type, uint64_t n, int64_t first, uint64_t span)
{
    st_buf_putc(b, 1);
    st_buf_putc(b, (uint8_t)type);
    varint_buf(b, n);
    varint_buf_signed(b, first);
    varint_buf(b, span);
}

static int try_decode(const st_buf *b)
{
    st_err e = {0};
    int rc = codec_decode(b->p, b->len, &dec, &e);
    if (rc) CHECK(e.msg[0] != 0);
    return rc;
}

/* Hand-made malformed chunks hitting each validation. */
static void test_crafted(void)
{
    struct {
        const char *name;
        const uint8_t bytes[24];
        size_t len;
    } bad[] = {
        {"version 2", {2, 1, 1, 0, 0, 1, 1, 0x50, 0, 0, 0, 0, 0, 0, 0, 0}, 16},
        {"type 0", {1, 0, 1, 0, 0, 1, 1, 1, 0}, 9},
        {"type 6", {1, 6, 1, 0, 0, 1, 1, 1, 0}, 9},
        {"n 0", {1, 4, 0, 0, 0, 1, 1, 1, 0}, 9},
        {"n 1 with span", {1, 4, 1, 0, 5, 1, 1, 1, 0}, 9},
        {"span < n-1", {1, 4, 5, 0, 3, 1, 1, 1, 0}, 9},
        {"ts_len past end", {1, 4, 1, 0, 0, 9, 1, 1, 0}, 9},
        {"no value section", {1, 4, 1, 0, 0, 1, 1}, 7},
        {"unknown ts method", {1, 4, 1, 0, 0, 1, 7, 1, 0}, 9},
        {"regular span not multiple", {1, 4, 3, 0, 5, 1, 1, 1, 0}, 9},
        {"bool const 2", {1, 4, 1, 0, 0, 1, 1, 1, 2}, 9},
        {"bool unknown", {1, 4, 1, 0, 0, 1, 1, 3, 0}, 9},
        {"bool const trailing", {1, 4, 1, 0, 0, 1, 1, 1, 0, 0}, 10},
        {"float unknown", {1, 1, 1, 0, 0, 1, 1, 0x31, 0, 0, 0, 0, 0, 0, 0, 0}, 16},
        {"float const short", {1, 1, 1, 0, 0, 1, 1, 0x50, 0, 0, 0}, 11},
        {"int unknown order", {1, 2, 1, 0, 0, 1, 1, 0x03, 0}, 9},
        {"int order >= n", {1, 2, 2, 0, 1, 1, 1, 0x06, 0, 0, 1, 0}, 12},
        {"bits w 0", {1, 2, 2, 0, 1, 1, 1, 0x04, 0, 0, 0}, 11},
        {"bits w 65", {1, 2, 2, 0, 1, 1, 1, 0x04, 0, 65, 0xff, 0xff}, 12},
        {"radix R 4", {1, 2, 2, 0, 1, 1, 1, 0x08, 0, 4, 0xff}, 11},
        {"radix group >= R^g", {1, 2, 1, 0, 0, 1, 1, 0x08, 0, 3, 0xff}, 11},
        {"zstd garbage", {1, 2, 2, 0, 1, 1, 1, 0x0c, 2, 3, 1, 2, 3}, 13},
        {"string unknown", {1, 5, 1, 0, 0, 1, 1, 3, 0, 0}, 10},
        {"string bytes short", {1, 5, 1, 0, 0, 1, 1, 1, 0, 6, 'a'}, 11},
    };
    for (size_t i = 0; i < ST_ARRAY_LEN(bad); i++) {
        st_buf b = {0};
        st_buf_put(&b, bad[i].bytes, bad[i].len);
        CHECK_MSG(try_decode(&b) == ST_ECORRUPT, "%s", bad[i].name);
        st_buf_free(&b);
    }
    /* The same shapes, well formed, decode: the cases above fail for the
     * reason named, not by accident. */
    const uint8_t good[][12] = {
        {1, 4, 1, 0, 0, 1, 1, 1, 1},
        {1, 2, 2, 0, 1, 1, 1, 0x04, 0, 1, 0x40},
        {1, 5, 1, 0, 0, 1, 1, 1, 0, 4, 'a', 'b'},
    };
    const size_t glen[] = {9, 11, 12};
    for (size_t i = 0; i < 3; i++) {
        st_buf b = {0};
        st_buf_put(&b, good[i], glen[i]);
        CHECK_MSG(try_decode(&b) == 0, "good %zu", i);
        st_buf_free(&b);
    }
    /* Timestamp deltas that overshoot, undershoot or are zero. */
    int64_t deltas[][3] = {{1, 1, 5}, {1, 1, 1}, {0, 2, 2}};
    for (int k = 0; k < 3; k++) {
        st_buf b = {0}, ts = {0};
        put_hdr(&b, ST_VT_BOOL, 4, 100, 4);
        st_buf_putc(&ts, 2);
        varint_buf(&ts, 1);
        codec_encode_ints(deltas[k], 3, &ts);
        varint_buf(&b, ts.len);
        st_buf_put(&b, ts.p, ts.len);
        st_buf_putc(&b, 1);
        st_buf_putc(&b, 0);
        CHECK_MSG(try_decode(&b) == ST_ECORRUPT, "deltas %d", k);
        st_buf_free(&b);
        st_buf_free(&ts);
    }
    /* Last timestamp beyond INT64_MAX. */
    st_buf b = {0};
    put_hdr(&b, ST_VT_BOOL, 2, INT64_MAX - 1, 2);
    st_buf_put(&b, "\x01\x01\x01\x00", 4);
    CHECK(try_decode(&b) == ST_ECORRUPT);
    int64_t f;
    CHECK(codec_peek(b.p, b.len, NULL, NULL, &f, NULL, NULL) == ST_ECORRUPT);
    /* Float exceptions out of order. */
    b.len = 0;
    put_hdr(&b, ST_VT_FLOAT, 16, 0, 15);
    st_buf_put(&b, "\x01\x01", 2);
    st_buf_putc(&b, F_DECX_TAG);
    varint_buf(&b, 2);
    int64_t pos[2] = {5, 5};
    codec_encode_ints(pos, 2, &b);
    for (int i = 0; i < 16; i++) st_buf_putc(&b, 0);
    int64_t man[16] = {0};
    codec_encode_ints(man, 16, &b);
    CHECK(try_decode(&b) == ST_ECORRUPT);
    st_buf_free(&b);
}

static void test_large_chunk(void)
{
    size_t n = quick ? (1u << 18) : (1u << 24);
    int64_t *ts = malloc(n * sizeof *ts);
    uint64_t *v = malloc(n * sizeof *v);
    seq_ts(ts, n, -1000000, 3);
    for (size_t i = 0; i < n; i++) v[i] = d2u(2.5);
    size_t len = roundtrip(ST_VT_FLOAT, ts, v, NULL, n, NULL);
    CHECK(len < 32);
    st_buf b = {0};
    CHECK_EQ_INT(codec_encode(ST_VT_FLOAT, ts, v, NULL, (1u << 24) + 1, &b, NULL), ST_EINVAL);
    put_hdr(&b, ST_VT_BOOL, (1u << 24) + 1, 0, 1u << 24);
    st_buf_put(&b, "\x01\x01\x01\x00", 4);
    CHECK(try_decode(&b) == ST_ECORRUPT);
    st_buf_free(&b);
    free(ts);
    free(v);
}

/* ---- compression and speed figures ------------------------------------ */

typedef struct figure {
    size_t samples, hdr, ts, val;
} figure;

static void fig_add(figure *f, const st_buf *b, size_t n)
{
    size_t h, t, v;
    sections(b, &h, &t, &v);
    f->samples += n;
    f->hdr += h;
    f->ts += t;
    f->val += v;
}

static void fig_print(const char *name, const figure *f)
{
    double n = (double)f->samples;
    printf("  %-34s values %6.3f B/sample (%5.2f bits), ts section %6.3f, "
           "header %5.3f, total %6.3f B/sample\n",
           name, f->val / n, f->val * 8 / n, f->ts / n, f->hdr / n,
           (f->val + f->ts + f->hdr) / n);
}

static figure encode_fig(st_vtype t, const int64_t *ts, const uint64_t *v, size_t n, figure *f)
{
    st_buf b = {0};
    int rc = codec_encode(t, ts, v, NULL, n, &b, NULL);
    CHECK(rc == 0);
    fig_add(f, &b, n);
    CHECK_OK(codec_decode(b.p, b.len, &dec, NULL));
    CHECK(dec.n == n && memcmp(dec.vals, v, n * 8) == 0 && memcmp(dec.ts, ts, n * 8) == 0);
    st_buf_free(&b);
    return *f;
}

/* TSBS-like: 2-decimal random walk in [0,100], step uniform(-1,1). */
static void tsbs_walk(uint64_t *v, size_t n)
{
    double x = (double)rndn(10001) / 100;
    for (size_t i = 0; i < n; i++) {
        x += rndu() * 2 - 1;
        if (x < 0) x = 0;
        if (x > 100) x = 100;
        x = (double)llround(x * 100) / 100;
        v[i] = d2u(x);
    }
}

static void test_compression(void)
{
    enum { SERIES = 200, N = 360, C = 120 };
    int64_t ts[N];
    uint64_t v[N];
    figure f = {0};
    rng_s = 2024;
    printf("  compression (values section / timestamp section / chunk header):\n");
    for (int s = 0; s < SERIES; s++) {
        seq_ts(ts, N, 1700000000000000000ll + s, 10 * ST_NS_PER_S);
        tsbs_walk(v, N);
        encode_fig(ST_VT_FLOAT, ts, v, N, &f);
    }
    fig_print("TSBS-like walk, 360/chunk", &f);
    CHECK_MSG((double)f.val / f.samples <= 1.0, "TSBS values %.3f B/sample",
              (double)f.val / f.samples);
    CHECK((double)f.ts / f.samples <= 0.05);
    figure f120 = {0};
    for (int s = 0; s < SERIES; s++) {
        seq_ts(ts, C, 1700000000000000000ll, 10 * ST_NS_PER_S);
        tsbs_walk(v, C);
        encode_fig(ST_VT_FLOAT, ts, v, C, &f120);
    }
    fig_print("TSBS-like walk, 120/chunk", &f120);

    /* Prometheus-like, 120-sample chunks at 15 s. */
    figure cnt = {0}, g6 = {0}, gfull = {0}, cst = {0}, jit = {0}, reg = {0}, stale = {0};
    for (int s = 0; s < SERIES; s++) {
        int64_t t0 = 1700000000000ll * ST_NS_PER_MS;
        seq_ts(ts, C, t0, 15 * ST_NS_PER_S);
        encode_fig(ST_VT_FLOAT, ts, v, C, &reg);
        /* counters: integer increments that vary (bursty request rates) */
        double c = (double)rndn(1000000);
        uint64_t rate = 1 + rndn(200);
        for (size_t i = 0; i < C; i++) v[i] = d2u(c += (double)rndn(rate));
        encode_fig(ST_VT_FLOAT, ts, v, C, &cnt);
        /* gauges with many digits: 6-decimal walk */
        double x = (double)rndn(100000000) / 1000;
        for (size_t i = 0; i < C; i++) {
            x += (rndu() - 0.5) * 10;
            v[i] = d2u(round(x * 1e6) / 1e6);
        }
        encode_fig(ST_VT_FLOAT, ts, v, C, &g6);
        /* computed gauges (ratios): full binary precision */
        for (size_t i = 0; i < C; i++) v[i] = d2u((double)(1 + rndn(1000)) / (double)(1 + rndn(997)));
        encode_fig(ST_VT_FLOAT, ts, v, C, &gfull);
        for (size_t i = 0; i < C; i++) v[i] = d2u(1.0);
        encode_fig(ST_VT_FLOAT, ts, v, C, &cst);
        /* a decimal gauge that ends with a stale marker */
        for (size_t i = 0; i < C; i++) v[i] = d2u((double)(int64_t)rndn(10000) / 100);
        v[C - 1] = ST_STALE_NAN_BITS;
        encode_fig(ST_VT_FLOAT, ts, v, C, &stale);
        /* timestamps: 15 s +- 5 ms jitter, millisecond precision */
        for (size_t i = 0; i < C; i++)
            ts[i] = t0 + ((int64_t)i * 15000 + (int64_t)rndn(11) - 5) * ST_NS_PER_MS;
        for (size_t i = 0; i < C; i++) v[i] = d2u(1.0);
        encode_fig(ST_VT_FLOAT, ts, v, C, &jit);
    }
    fig_print("prom counter (float, +0..200)", &cnt);
    fig_print("prom gauge, 6 decimals", &g6);
    fig_print("prom gauge, full precision ratios", &gfull);
    fig_print("prom constant 1.0", &cst);
    fig_print("prom 2-dec uniform gauge + stale NaN", &stale);
    fig_print("ts regular 15 s (ns)", &reg);
    fig_print("ts 15 s +-5 ms jitter (ms in ns)", &jit);
    CHECK((double)reg.ts / reg.samples <= 0.05);
    CHECK((double)cst.val / cst.samples <= 0.1);
    CHECK((double)jit.ts / jit.samples <= 0.7);
    CHECK((double)stale.val / stale.samples <= 1.9);
}

static void test_speed(void)
{
    enum { C = 120, CHUNKS = 2000 };
    int rounds = quick ? 1 : 10;
    int64_t ts[C];
    uint64_t *vals = malloc((size_t)CHUNKS * C * sizeof *vals);
    st_buf *bufs = calloc(CHUNKS, sizeof *bufs);
    rng_s = 7;
    seq_ts(ts, C, 1700000000000000000ll, 15 * ST_NS_PER_S);
    for (int c = 0; c < CHUNKS; c++) tsbs_walk(vals + (size_t)c * C, C);
    double t0 = now_s();
    for (int r = 0; r < rounds; r++)
        for (int c = 0; c < CHUNKS; c++) {
            bufs[c].len = 0;
            codec_encode(ST_VT_FLOAT, ts, vals + (size_t)c * C, NULL, C, &bufs[c], NULL);
        }
    double enc = (now_s() - t0) / ((double)rounds * CHUNKS);
    t0 = now_s();
    for (int r = 0; r < rounds * 5; r++)
        for (int c = 0; c < CHUNKS; c++) codec_decode(bufs[c].p, bufs[c].len, &dec, NULL);
    double decs = (now_s() - t0) / ((double)rounds * 5 * CHUNKS);
    printf("  float chunk of 120 (TSBS walk): encode %.2f us (%.1f M samples/s), decode %.0f M samples/s\n",
           enc * 1e6, C / enc / 1e6, C / decs / 1e6);
    for (int c = 0; c < CHUNKS; c++) st_buf_free(&bufs[c]);
    free(bufs);
    free(vals);

    /* The integer packer alone, on long runs. */
    enum { M = 1 << 16 };
    int64_t *x = malloc(M * sizeof *x), *y = malloc(M * sizeof *y);
    const char *names[] = {"bits w=10", "bits w=33", "radix R=201", "deltas (counter)", "zstd skewed"};
    for (int k = 0; k < 5; k++) {
        int64_t acc = 0;
        for (size_t i = 0; i < M; i++) {
            switch (k) {
            case 0: x[i] = (int64_t)rndn(1024); break;
            case 1: x[i] = (int64_t)rndn(1ull << 33); break;
            case 2: x[i] = (int64_t)rndn(201); break;
            case 3: x[i] = acc += (int64_t)rndn(1000); break;
            default: x[i] = rndn(20) ? 0 : (int64_t)rndn(1 << 30); break;
            }
        }
        st_buf b = {0};
        t0 = now_s();
        for (int r = 0; r < rounds; r++) {
            b.len = 0;
            codec_encode_ints(x, M, &b);
        }
        double te = (now_s() - t0) / rounds;
        int reps = rounds * 10;
        t0 = now_s();
        for (int r = 0; r < reps; r++) {
            const uint8_t *p = b.p;
            codec_decode_ints(&p, b.p + b.len, y, M);
        }
        double td = (now_s() - t0) / reps;
        CHECK(memcmp(x, y, M * sizeof *x) == 0);
        printf("  ints %-18s %5.2f bits/value, encode %5.0f M/s, decode %5.0f M/s\n", names[k],
               b.len * 8.0 / M, M / te / 1e6, M / td / 1e6);
        st_buf_free(&b);
    }
    free(x);
    free(y);
}

/* ---- chunk statistics ------------------------------------------------- */

static void test_stats(void)
{
    codec_stats st;
    /* floats: min/max as doubles, sum left to right from +0.0 */
    uint64_t f[] = {d2u(2.5), d2u(-1.0), d2u(0.1), d2u(0.2), d2u(7.0)};
    codec_stats_compute(ST_VT_FLOAT, f, 5, &st);
    double sum = 0;
    for (int i = 0; i < 5; i++) {
        double v;
        memcpy(&v, &f[i], 8);
        sum += v;
    }
    CHECK_EQ_INT(st.count, 5);
    CHECK_EQ_INT(st.flags, CODEC_STATS_VALID);
    CHECK(st.first == f[0] && st.last == f[4]);
    CHECK(st.min == d2u(-1.0) && st.max == d2u(7.0));
    CHECK(st.sum == d2u(sum));
    CHECK(st.sum == d2u(((((0.0 + 2.5) + -1.0) + 0.1) + 0.2) + 7.0));
    /* the plain sum, not a compensated one: 1e16 + 1 + 1 stays 1e16 */
    uint64_t big[] = {d2u(1e16), d2u(1.0), d2u(1.0)};
    codec_stats_compute(ST_VT_FLOAT, big, 3, &st);
    CHECK(st.sum == d2u(1e16));
    /* -0.0 alone sums to +0.0 (PromQL's sum_over_time starts from 0) */
    uint64_t nz[] = {0x8000000000000000ull};
    codec_stats_compute(ST_VT_FLOAT, nz, 1, &st);
    CHECK(st.flags == CODEC_STATS_VALID && st.min == nz[0] && st.max == nz[0] && st.sum == 0);
    /* infinities keep VALID; +Inf + -Inf is a NaN sum, still VALID */
    uint64_t inf[] = {d2u(INFINITY), d2u(-INFINITY)};
    codec_stats_compute(ST_VT_FLOAT, inf, 2, &st);
    CHECK(st.flags == CODEC_STATS_VALID && st.min == d2u(-INFINITY) && st.max == d2u(INFINITY));
    double s2;
    memcpy(&s2, &st.sum, 8);
    CHECK(isnan(s2));
    /* any NaN, the stale marker included: not VALID, min/max/sum zero,
     * count, first and last kept */
    uint64_t stale[] = {d2u(1.0), ST_STALE_NAN_BITS, d2u(3.0)};
    codec_stats_compute(ST_VT_FLOAT, stale, 3, &st);
    CHECK(st.flags == 0 && st.count == 3 && st.first == d2u(1.0) && st.last == d2u(3.0));
    CHECK(st.min == 0 && st.max == 0 && st.sum == 0);
    uint64_t nanlast[] = {d2u(1.0), 0x7ff8000000000001ull};
    codec_stats_compute(ST_VT_FLOAT, nanlast, 2, &st);
    CHECK(st.flags == 0 && st.last == 0x7ff8000000000001ull);
    /* ints: exact sum, min/max as int64; overflow clears VALID */
    uint64_t iv[] = {(uint64_t)-5, 10, (uint64_t)INT64_MIN + 1, 3};
    codec_stats_compute(ST_VT_INT, iv, 4, &st);
    CHECK(st.flags == CODEC_STATS_VALID && st.min == (uint64_t)(INT64_MIN + 1) && st.max == 10);
    CHECK(st.sum == (uint64_t)(INT64_MIN + 1 + 8));
    uint64_t io[] = {(uint64_t)INT64_MAX, 1};
    codec_stats_compute(ST_VT_INT, io, 2, &st);
    CHECK(st.flags == 0 && st.count == 2 && st.first == (uint64_t)INT64_MAX && st.last == 1);
    CHECK(st.min == 0 && st.max == 0 && st.sum == 0);
    uint64_t iu[] = {(uint64_t)INT64_MIN, (uint64_t)-1};
    codec_stats_compute(ST_VT_INT, iu, 2, &st);
    CHECK(st.flags == 0);
    uint64_t ie[] = {(uint64_t)INT64_MAX, (uint64_t)INT64_MIN};
    codec_stats_compute(ST_VT_INT, ie, 2, &st); /* -1: no overflow */
    CHECK(st.flags == CODEC_STATS_VALID && st.sum == (uint64_t)-1);
    /* uints: unsigned order and sum */
    uint64_t uv[] = {UINT64_MAX - 1, 1, 0};
    codec_stats_compute(ST_VT_UINT, uv, 3, &st);
    CHECK(st.flags == CODEC_STATS_VALID && st.min == 0 && st.max == UINT64_MAX - 1);
    CHECK(st.sum == UINT64_MAX);
    uint64_t uo[] = {UINT64_MAX, 1};
    codec_stats_compute(ST_VT_UINT, uo, 2, &st);
    CHECK(st.flags == 0 && st.first == UINT64_MAX && st.last == 1);
    /* bools: sum = number of true */
    uint64_t bv[] = {0, 1, 1, 0, 1};
    codec_stats_compute(ST_VT_BOOL, bv, 5, &st);
    CHECK(st.flags == CODEC_STATS_VALID && st.sum == 3 && st.min == 0 && st.max == 1);
    CHECK(st.first == 0 && st.last == 1);
    /* strings: count only */
    codec_stats_compute(ST_VT_STRING, NULL, 4, &st);
    CHECK(st.count == 4 && st.flags == 0 && st.first == 0 && st.sum == 0);
    /* nothing: count 0 (unknown) */
    codec_stats_compute(ST_VT_FLOAT, f, 0, &st);
    CHECK(st.count == 0 && st.flags == 0);
    /* random floats against a direct computation */
    for (int r = 0; r < 200; r++) {
        size_t n = 1 + rndn(300);
        uint64_t v[300];
        double mn = INFINITY, mx = -INFINITY, s = 0;
        for (size_t i = 0; i < n; i++) {
            double x = (double)(int64_t)rndn(2000001) / 100.0 - 10000;
            v[i] = d2u(x);
            mn = x < mn ? x : mn;
            mx = x > mx ? x : mx;
            s += x;
        }
        codec_stats_compute(ST_VT_FLOAT, v, n, &st);
        CHECK(st.count == n && st.flags == CODEC_STATS_VALID);
        CHECK(st.min == d2u(mn) && st.max == d2u(mx) && st.sum == d2u(s));
    }
}

int main(void)
{
    quick = getenv("STRATA_TEST_QUICK") != NULL;
    RUN(test_ints_edges);
    RUN(test_ints_random);
    RUN(test_ints_methods);
    RUN(test_float_edges);
    RUN(test_float_random);
    RUN(test_ts_edges);
    RUN(test_types);
    RUN(test_invalid_input);
    RUN(test_corruption);
    RUN(test_crafted);
    RUN(test_large_chunk);
    RUN(test_compression);
    RUN(test_speed);
    RUN(test_stats);
    codec_samples_free(&dec);
    return testlib_done("test_codec");
}
