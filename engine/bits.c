/* bits: varints, bit streams, CRC-32C and the series hash. */
#include "bits.h"

#include <string.h>
#if defined(__x86_64__)
#include <cpuid.h>
#include <nmmintrin.h>
#endif

size_t varint_put(uint8_t *out, uint64_t v)
{
    size_t i = 0;
    while (v >= 0x80) {
        out[i++] = (uint8_t)(v | 0x80);
        v >>= 7;
    }
    out[i++] = (uint8_t)v;
    return i;
}

void varint_buf(st_buf *b, uint64_t v)
{
    st_buf_reserve(b, 10);
    b->len += varint_put(b->p + b->len, v);
}

void varint_buf_signed(st_buf *b, int64_t v) { varint_buf(b, zigzag_enc(v)); }

int varint_get_long(const uint8_t **pp, const uint8_t *end, uint64_t *v)
{
    const uint8_t *p = *pp;
    uint64_t r = 0;
    for (unsigned shift = 0; shift < 64; shift += 7) {
        if (p >= end) return ST_ECORRUPT;
        uint8_t c = *p++;
        if (shift == 63 && c > 1) return ST_ECORRUPT;
        r |= (uint64_t)(c & 0x7f) << shift;
        if (!(c & 0x80)) {
            *v = r;
            *pp = p;
            return 0;
        }
    }
    return ST_ECORRUPT;
}

int varint_get_signed(const uint8_t **p, const uint8_t *end, int64_t *v)
{
    uint64_t u;
    int rc = varint_get(p, end, &u);
    if (rc == 0) *v = zigzag_dec(u);
    return rc;
}

void bitw_init(bitw *w, st_buf *out)
{
    w->out = out;
    w->acc = 0;
    w->nacc = 0;
}

void bitw_put(bitw *w, uint64_t v, unsigned nbits)
{
    if (nbits == 0) return;
    if (nbits < 64) v &= ((uint64_t)1 << nbits) - 1;
    /* Keep fewer than 8 bits pending between calls, so acc never overflows
     * when up to 64 new bits arrive: split large puts. */
    if (nbits > 56) {
        bitw_put(w, v >> 32, nbits - 32);
        bitw_put(w, v & 0xffffffffu, 32);
        return;
    }
    w->acc = (w->acc << nbits) | v;
    w->nacc += nbits;
    st_buf_reserve(w->out, 8);
    while (w->nacc >= 8) {
        w->nacc -= 8;
        w->out->p[w->out->len++] = (uint8_t)(w->acc >> w->nacc);
    }
    w->acc &= ((uint64_t)1 << w->nacc) - 1;
}

void bitw_flush(bitw *w)
{
    if (w->nacc) {
        st_buf_putc(w->out, (uint8_t)(w->acc << (8 - w->nacc)));
        w->acc = 0;
        w->nacc = 0;
    }
}

void bitr_init(bitr *r, const uint8_t *p, size_t n)
{
    r->p = p;
    r->end = p + n;
    r->acc = 0;
    r->nacc = 0;
    r->overrun = false;
}

uint64_t bitr_get(bitr *r, unsigned nbits)
{
    if (nbits == 0) return 0;
    if (nbits > 56) {
        uint64_t hi = bitr_get(r, nbits - 32);
        return (hi << 32) | bitr_get(r, 32);
    }
    while (r->nacc < nbits) {
        if (r->p < r->end) {
            r->acc = (r->acc << 8) | *r->p++;
        } else {
            r->overrun = true;
            r->acc <<= 8;
        }
        r->nacc += 8;
    }
    r->nacc -= nbits;
    uint64_t v = (r->acc >> r->nacc) & (nbits == 64 ? ~(uint64_t)0 : (((uint64_t)1 << nbits) - 1));
    r->acc &= ((uint64_t)1 << r->nacc) - 1;
    return v;
}

/* CRC-32C: reflected polynomial 0x82F63B78. */
static uint32_t crc_table[8][256];
static int crc_hw = -1;

static void crc_init(void)
{
    for (uint32_t i = 0; i < 256; i++) {
        uint32_t c = i;
        for (int k = 0; k < 8; k++) c = (c >> 1) ^ (0x82F63B78u & (0u - (c & 1)));
        crc_table[0][i] = c;
    }
    for (uint32_t i = 0; i < 256; i++)
        for (int t = 1; t < 8; t++)
            crc_table[t][i] = (crc_table[t - 1][i] >> 8) ^ crc_table[0][crc_table[t - 1][i] & 0xff];
#if defined(__x86_64__)
    unsigned a, b, c, d;
    crc_hw = __get_cpuid(1, &a, &b, &c, &d) && (c & bit_SSE4_2);
#else
    crc_hw = 0;
#endif
}

#if defined(__x86_64__)
__attribute__((target("sse4.2"))) static uint32_t crc_hw_run(uint32_t crc, const uint8_t *p, size_t n)
{
    uint64_t c = crc;
    while (n >= 8) {
        uint64_t w;
        memcpy(&w, p, 8);
        c = _mm_crc32_u64(c, w);
        p += 8;
        n -= 8;
    }
    uint32_t c32 = (uint32_t)c;
    while (n--) c32 = _mm_crc32_u8(c32, *p++);
    return c32;
}
#endif

uint32_t crc32c(uint32_t crc, const void *buf, size_t n)
{
    /* The tables are filled once; a racing first call fills identical values. */
    if (__atomic_load_n(&crc_hw, __ATOMIC_ACQUIRE) < 0) {
        crc_init();
        __atomic_store_n(&crc_hw, crc_hw, __ATOMIC_RELEASE);
    }
    const uint8_t *p = buf;
    crc = ~crc;
#if defined(__x86_64__)
    if (crc_hw) return ~crc_hw_run(crc, p, n);
#endif
    while (n >= 8) {
        uint32_t lo = get_u32le(p) ^ crc, hi = get_u32le(p + 4);
        crc = crc_table[7][lo & 0xff] ^ crc_table[6][(lo >> 8) & 0xff] ^
              crc_table[5][(lo >> 16) & 0xff] ^ crc_table[4][lo >> 24] ^
              crc_table[3][hi & 0xff] ^ crc_table[2][(hi >> 8) & 0xff] ^
              crc_table[1][(hi >> 16) & 0xff] ^ crc_table[0][hi >> 24];
        p += 8;
        n -= 8;
    }
    while (n--) crc = (crc >> 8) ^ crc_table[0][(crc ^ *p++) & 0xff];
    return ~crc;
}

static inline uint64_t mix64(uint64_t a, uint64_t b)
{
    __uint128_t m = (__uint128_t)a * b;
    return (uint64_t)m ^ (uint64_t)(m >> 64);
}

uint64_t st_hash64(const void *data, size_t n, uint64_t seed)
{
    /* Multiply-fold over 16-byte lanes; constants are odd 64-bit values with
     * well-spread bits. */
    const uint64_t k0 = 0x9E3779B97F4A7C15ull, k1 = 0xC2B2AE3D27D4EB4Full,
                   k2 = 0x165667B19E3779F9ull;
    const uint8_t *p = data;
    uint64_t h = seed ^ mix64(n ^ k0, k1);
    while (n >= 16) {
        uint64_t a, b;
        memcpy(&a, p, 8);
        memcpy(&b, p + 8, 8);
        h = mix64(a ^ k1 ^ h, b ^ k2);
        p += 16;
        n -= 16;
    }
    uint64_t a = 0, b = 0;
    if (n >= 8) {
        memcpy(&a, p, 8);
        memcpy(&b, p + n - 8, 8);
    } else if (n >= 4) {
        uint32_t x, y;
        memcpy(&x, p, 4);
        memcpy(&y, p + n - 4, 4);
        a = x;
        b = y;
    } else if (n > 0) {
        a = ((uint64_t)p[0] << 16) | ((uint64_t)p[n >> 1] << 8) | p[n - 1];
    }
    h = mix64(a ^ k2 ^ h, b ^ k0 ^ n);
    return mix64(h, k1);
}

static int b64_value(unsigned char c)
{
    if (c >= 'A' && c <= 'Z') return c - 'A';
    if (c >= 'a' && c <= 'z') return c - 'a' + 26;
    if (c >= '0' && c <= '9') return c - '0' + 52;
    if (c == '+') return 62;
    if (c == '/') return 63;
    return -1;
}

long base64_decode(const char *s, size_t n, uint8_t *out, size_t cap)
{
    if (n % 4) return -1;
    size_t len = 0;
    for (size_t i = 0; i < n; i += 4) {
        int v[4];
        size_t pad = 0;
        for (int k = 0; k < 4; k++) {
            unsigned char c = (unsigned char)s[i + (size_t)k];
            if (c == '=' && i + 4 == n && k >= 2) {
                v[k] = 0;
                pad++;
                continue;
            }
            if (pad || (v[k] = b64_value(c)) < 0) return -1; /* data after '=' */
        }
        uint32_t w = (uint32_t)v[0] << 18 | (uint32_t)v[1] << 12 | (uint32_t)v[2] << 6 | (uint32_t)v[3];
        size_t take = 3 - pad;
        if (len + take > cap) return -1;
        uint8_t b[3] = {(uint8_t)(w >> 16), (uint8_t)(w >> 8), (uint8_t)w};
        memcpy(out + len, b, take);
        len += take;
    }
    return (long)len;
}
