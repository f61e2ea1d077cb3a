/* fuzz_codec: libFuzzer target for the chunk codec.
 *
 * (a) The input as a chunk: codec_decode must return an error or a sane
 *     result (strictly increasing timestamps from the header's first to its
 *     last), never crash or read out of bounds.
 * (b) The input as a recipe for samples (type, timestamp pattern, value
 *     pattern, then the bytes the patterns consume): encode, decode, and
 *     abort unless the result is bit for bit what went in. The patterns aim
 *     at every method: regular, jittered and extreme timestamps; decimal,
 *     exceptional and raw floats; packed, radix and skewed integers.
 * (c) The input as int64s through the integer packer alone.
 */
#include "codec.h"

#include "bits.h"

#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define MAX_SAMPLES 4096

typedef struct src {
    const uint8_t *p, *end;
} src;

static uint64_t take(src *s, unsigned nbytes) /* little-endian, zero past the end */
{
    uint64_t v = 0;
    for (unsigned i = 0; i < nbytes; i++) v |= (uint64_t)(s->p < s->end ? *s->p++ : 0) << (8 * i);
    return v;
}

static void check_decoded(const uint8_t *p, size_t len, const codec_samples *d)
{
    st_vtype t;
    size_t n;
    int64_t f, l;
    if (codec_peek(p, len, &t, &n, &f, &l, NULL) != 0) abort();
    if (d->n != n || d->ts[0] != f || d->ts[n - 1] != l) abort();
    for (size_t i = 1; i < n; i++)
        if (d->ts[i] <= d->ts[i - 1]) abort();
    if (t == ST_VT_BOOL)
        for (size_t i = 0; i < n; i++)
            if (d->vals[i] > 1) abort();
}

static void fuzz_decode(const uint8_t *data, size_t size, codec_samples *d)
{
    size_t n;
    /* A few header bytes can claim 2^24 constant samples (legal, 400 MB
     * decoded); keep the fuzzer fast by decoding only modest counts. */
    if (codec_peek(data, size, NULL, &n, NULL, NULL, NULL) == 0 && n > (1u << 16)) return;
    /* Copy so the buffer ends exactly at size: ASan then sees any overread. */
    uint8_t *copy = malloc(size ? size : 1);
    if (size) memcpy(copy, data, size);
    if (codec_decode(copy, size, d, NULL) == 0) check_decoded(copy, size, d);
    free(copy);
}

static const double p10[] = {1, 10, 100, 1000, 1e4, 1e5, 1e6, 1e9, 1e15};

static uint64_t gen_float(src *s, unsigned mode, double *walk)
{
    double d;
    uint64_t b;
    switch (mode & 3) {
    case 0: return take(s, 8);
    case 1: /* decimals at one scale */
        d = (double)(int16_t)take(s, 2) / p10[(mode >> 2) % 9];
        break;
    case 2: /* decimals with the odd raw value (NaN, -0.0, anything) */
        b = take(s, 1);
        if (b < 16) return take(s, 8);
        d = (double)(int32_t)take(s, 3) / p10[b % 9];
        break;
    default: /* 2-decimal random walk */
        *walk += (double)(int8_t)take(s, 1) / 100;
        d = *walk;
        break;
    }
    memcpy(&b, &d, 8);
    return b;
}

static uint64_t gen_int(src *s, unsigned mode, uint64_t *acc)
{
    switch (mode & 3) {
    case 0: return take(s, 8);
    case 1: return *acc += (uint64_t)(int64_t)(int8_t)take(s, 1); /* walk, wraps */
    case 2: return *acc += take(s, 1) % 7 == 0 ? take(s, 4) : take(s, 1); /* counter */
    default: return take(s, 2) % (3 + (mode >> 2)); /* small range: radix */
    }
}

static void fuzz_roundtrip(const uint8_t *data, size_t size, codec_samples *d)
{
    static int64_t ts[MAX_SAMPLES];
    static uint64_t vals[MAX_SAMPLES];
    static st_slice strs[MAX_SAMPLES];
    src s = {data, data + size};
    st_vtype type = (st_vtype)(1 + take(&s, 1) % 5);
    unsigned tsmode = (unsigned)take(&s, 1), vmode = (unsigned)take(&s, 1);
    int64_t t = (int64_t)take(&s, tsmode & 4 ? 8 : 4);
    uint64_t step = 1 + take(&s, 2) * (tsmode & 8 ? 1000000 : 1);
    double walk = 0;
    uint64_t acc = 0;
    size_t n = 0;
    while (n < MAX_SAMPLES && (n == 0 || s.p < s.end)) {
        if (n) {
            uint64_t gap;
            switch (tsmode & 3) {
            case 0: gap = step; break;
            case 1: gap = step + take(&s, 1) % 11; break;
            case 2: gap = 1 + take(&s, 1 + (tsmode >> 4) % 8); break;
            default: gap = take(&s, 1) & 1 ? step : 2 * step; break;
            }
            if (gap == 0) gap = 1;
            if (gap > (uint64_t)INT64_MAX - (uint64_t)t) break; /* room left, mod 2^64 */
            t = (int64_t)((uint64_t)t + gap);
        }
        ts[n] = t;
        switch (type) {
        case ST_VT_FLOAT: vals[n] = gen_float(&s, vmode, &walk); break;
        case ST_VT_INT:
        case ST_VT_UINT: vals[n] = gen_int(&s, vmode, &acc); break;
        case ST_VT_BOOL: vals[n] = take(&s, 1) & 1; break;
        case ST_VT_STRING: {
            size_t len = (size_t)take(&s, 1) % 16;
            if (len > (size_t)(s.end - s.p)) len = (size_t)(s.end - s.p);
            strs[n] = st_slice_of((const char *)s.p, len);
            s.p += len;
            break;
        }
        }
        n++;
    }
    st_buf b = {0};
    if (codec_encode(type, ts, vals, strs, n, &b, NULL) != 0) abort();
    if (codec_decode(b.p, b.len, d, NULL) != 0 || d->n != n) abort();
    for (size_t i = 0; i < n; i++) {
        if (d->ts[i] != ts[i]) abort();
        if (type == ST_VT_STRING) {
            if (d->strs[i].n != strs[i].n ||
                (strs[i].n && memcmp(d->strs[i].p, strs[i].p, strs[i].n) != 0))
                abort();
        } else if (d->vals[i] != vals[i]) {
            abort();
        }
    }
    check_decoded(b.p, b.len, d);
    st_buf_free(&b);
}

static void fuzz_ints(const uint8_t *data, size_t size)
{
    size_t n = size / 8;
    if (n > MAX_SAMPLES) n = MAX_SAMPLES;
    int64_t *x = malloc((n + 1) * sizeof *x), *y = malloc((n + 1) * sizeof *y);
    for (size_t i = 0; i < n; i++) x[i] = (int64_t)get_u64le(data + 8 * i);
    st_buf b = {0};
    codec_encode_ints(x, n, &b);
    const uint8_t *p = b.p;
    if (codec_decode_ints(&p, b.p + b.len, y, n) != 0 || p != b.p + b.len) abort();
    if (n && memcmp(x, y, n * sizeof *x) != 0) abort();
    st_buf_free(&b);
    free(x);
    free(y);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static codec_samples d; /* reused across inputs, as queries reuse it */
    fuzz_decode(data, size, &d);
    fuzz_roundtrip(data, size, &d);
    fuzz_ints(data, size);
    return 0;
}
