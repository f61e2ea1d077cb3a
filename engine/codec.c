/* codec: one series' samples (a chunk) as a compact, self-checking byte string.
 *
 * Chunk layout (uvarint = LEB128, zvarint = zig-zag LEB128, see bits.h):
 *
 *   u8       version = 1
 *   u8       vtype              st_vtype
 *   uvarint  n                  1 .. 2^24 samples
 *   zvarint  first_ts
 *   uvarint  last_ts - first_ts (modulo 2^64: any strictly increasing int64
 *                                run spans at most 2^64 - 1)
 *   uvarint  ts_len             bytes in the timestamp section
 *   ts section                  exactly ts_len bytes
 *   value section               the rest of the chunk, to its last byte
 *
 * The fixed fields come first so codec_peek answers "which type, how many,
 * which time range" without touching the body: queries skip chunks by time.
 * Every section must be consumed exactly; a short, long or inconsistent chunk
 * is ST_ECORRUPT, which makes truncation always detectable.
 *
 * Timestamp section (deltas d[i] = ts[i] - ts[i-1], all >= 1):
 *   u8 1 REGULAR                every d equal: span / (n-1). Nothing else, so
 *                               a regular scrape costs one byte per chunk.
 *   u8 2 GCD, uvarint g, ints(d[1..n-1] / g)
 *                               g is the GCD of the deltas, so millisecond
 *                               data in nanoseconds pays for milliseconds.
 *                               The packer below takes their deltas (= the
 *                               delta-of-delta) when that spans less.
 *   u8 3 GRID, uvarint g, ints(e[1..n-2])
 *                               ts[i] = first + g * (i * step + e[i]) with
 *                               step = span / g / (n-1) rounded to nearest
 *                               (offsets e wrap modulo 2^64): jittered scrapes
 *                               pay for the jitter, not for its difference.
 *                               The encoder keeps the smaller of GCD, GRID.
 *
 * ints(x[0..n)) is the integer packer, shared with ints, uints, mantissas,
 * string lengths. All arithmetic is modulo 2^64, so uint64 bit patterns and
 * int64 extremes round-trip with no special cases.
 *   u8 tag = method << 2 | order    order: 0 raw, 1 deltas, 2 delta-of-deltas
 *   order >= 1: zvarint x[0];  order 2: zvarint x[1] - x[0]
 *   then the m = n - order residuals r by method:
 *   0 CONST  zvarint r                      (one value repeated)
 *   1 BITS   zvarint min, u8 w (1..64), m fields of w bits of r - min
 *   2 RADIX  zvarint min, uvarint R: the digits r - min < R packed g per
 *            number, V = sum digit[j] * R^j, in bitlen(R^g - 1) bits (a last
 *            short group uses its own width). g <= 40 is chosen from R alone
 *            (fewest bits per digit, R^g < 2^64), so it is not stored. For
 *            R = 201 that is 3 digits in 23 bits: 7.67 bits against 7.65 of
 *            entropy, where BITS pays 8.
 *   3 ZSTD   uvarint raw_len, uvarint zlen, zstd frame of m uvarint zigzag(r)
 *            (for skewed values; tried only when an entropy estimate says it
 *            can win, because zstd costs microseconds).
 *   Bit fields are MSB first, like bitw in bits.h.
 *
 * Value section:
 *   float   u8 0x10|E, ints(mantissas)          v = (double)m / 10^E
 *           u8 0x20|E, uvarint k, ints(k positions), k x u64le bits, ints(mantissas)
 *                                               the same with 1 <= k <= n/8
 *                                               exceptions stored raw (stale
 *                                               markers, -0.0, 1/3, ...)
 *           u8 0x30, XOR stream                 Gorilla-like, for the rest
 *           u8 0x40, n x u64le                  when XOR would be larger
 *           u8 0x50, u64le                      all bit patterns equal
 *   int,uint ints(values)                       the packer's tag is the tag
 *   bool    u8 1, u8 v (all equal) | u8 2, ceil(n/8) bytes, MSB first
 *   string  u8 1, ints(lengths), bytes | u8 2, ints(lengths), zstd frame
 *
 * Decimal floats: metrics are mostly printed decimals (12.34, 0.5, counters);
 * as binary64 they XOR badly, as integers at one scale they pack tightly
 * (VictoriaMetrics' observation). A value qualifies when m / 10^E gives back
 * its exact bits, which the encoder checks for every value.
 *
 * XOR stream: the first value in 64 bits; then per value x = v ^ prev:
 *   '0' x == 0 | '10' + the previous window's bits | '11' + 6 bits leading
 *   zeros + 6 bits (length - 1) + length bits.
 */
#include "codec.h"

#include "bits.h"

#include <math.h>
#include <stdlib.h>
#include <pthread.h>
#include <string.h>
#include <zstd.h>

#define CODEC_VERSION 1
#define CODEC_MAX_N ((uint64_t)1 << 24)
#define CODEC_MAX_STR ((uint64_t)1 << 30) /* string bytes per chunk */
#define CODEC_ZSTD_LEVEL 3
/* Decoded bytes per compressed byte we accept: above any real zstd ratio
 * (RLE blocks reach ~2^15), and it caps what a forged length can allocate. */
#define CODEC_ZSTD_RATIO 65536
#define STACK_N 512 /* scratch arrays up to this many values live on the stack */

enum { TS_REGULAR = 1, TS_GCD = 2, TS_GRID = 3 };
enum { PK_CONST = 0, PK_BITS = 1, PK_RADIX = 2, PK_ZSTD = 3 };
enum { F_DEC = 0x10, F_DECX = 0x20, F_XOR = 0x30, F_RAW = 0x40, F_CONST = 0x50 };
enum { B_CONST = 1, B_BITMAP = 2 };
enum { S_RAW = 1, S_ZSTD = 2 };

#define CORRUPT(e, ...) st_fail(e, ST_ECORRUPT, __VA_ARGS__)

/* ---- small helpers ---------------------------------------------------- */

static inline uint64_t load_be64(const uint8_t *p)
{
    uint64_t v;
    memcpy(&v, p, 8);
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
    v = __builtin_bswap64(v);
#endif
    return v;
}

static inline void store_be64(uint8_t *p, uint64_t v)
{
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
    v = __builtin_bswap64(v);
#endif
    memcpy(p, &v, 8);
}

static inline unsigned bitlen(uint64_t v) { return v ? 64 - (unsigned)__builtin_clzll(v) : 0; }

/* Scratch arrays: small chunks (the common 120-sample case) never allocate. */
typedef struct scratch {
    uint64_t stack[STACK_N];
    uint64_t *p;
} scratch;

static uint64_t *scratch_get(scratch *s, size_t n)
{
    s->p = n <= STACK_N ? s->stack : st_malloc((n ? n : 1) * sizeof(uint64_t));
    return s->p;
}

static void scratch_put(scratch *s)
{
    if (s->p != s->stack) st_free(s->p);
}

/* zstd contexts are cached per thread: creating one costs more than
 * compressing a chunk. A thread-specific key frees them when the thread
 * exits (HTTP workers come and go with libmicrohttpd's pool). */
typedef struct zctx {
    ZSTD_CCtx *c;
    ZSTD_DCtx *d;
} zctx;

static pthread_key_t zctx_key;
static pthread_once_t zctx_once = PTHREAD_ONCE_INIT;

static void zctx_free(void *p)
{
    zctx *z = p;
    ZSTD_freeCCtx(z->c);
    ZSTD_freeDCtx(z->d);
    st_free(z);
}

static void zctx_init(void) { pthread_key_create(&zctx_key, zctx_free); }

static zctx *zctx_get(void)
{
    pthread_once(&zctx_once, zctx_init);
    zctx *z = pthread_getspecific(zctx_key);
    if (!z) {
        z = st_calloc(1, sizeof *z);
        pthread_setspecific(zctx_key, z);
    }
    return z;
}

static ZSTD_CCtx *cctx(void)
{
    zctx *z = zctx_get();
    if (!z->c) z->c = ZSTD_createCCtx();
    return z->c;
}

static ZSTD_DCtx *dctx(void)
{
    zctx *z = zctx_get();
    if (!z->d) z->d = ZSTD_createDCtx();
    return z->d;
}

/* log2 good to ~0.01 for the entropy estimate: no libm call in the loop. */
static double approx_log2(double x)
{
    uint64_t b = f64_bits(x);
    int ex = (int)((b >> 52) & 0x7ff) - 1023;
    b = (b & 0xfffffffffffffull) | 0x3ff0000000000000ull;
    double f;
    memcpy(&f, &b, 8);
    f -= 1.0;
    return ex + f * (1.3465553 - 0.3465553 * f);
}

/* A cheap lower-ish estimate, in bits, of what an entropy coder needs for
 * r - mn: code each value's bit length by its frequency, then the bits
 * below its top one. Uniform values over the range come out near m * w, so
 * zstd is not even tried on them; skewed or few-valued data come out far
 * lower. */
static uint64_t class_entropy_bits(const uint64_t *r, size_t m, uint64_t mn)
{
    uint32_t h[65] = {0};
    uint64_t mant = 0;
    for (size_t i = 0; i < m; i++) {
        unsigned c = bitlen(r[i] - mn);
        h[c]++;
        mant += c > 1 ? c - 1 : 0;
    }
    double s = (double)m * approx_log2((double)m);
    for (int k = 0; k < 65; k++)
        if (h[k]) s -= h[k] * approx_log2(h[k]);
    return mant + (s > 0 ? (uint64_t)s : 0); /* the approximation can dip below 0 */
}

/* ---- bit streams -------------------------------------------------------
 * A local MSB-first writer and reader, format-compatible with bitw/bitr but
 * inlined: these loops are the codec's hot path. */

typedef struct bwr {
    uint8_t *p;   /* next byte; the caller reserved enough room plus 8 */
    uint64_t acc; /* pending bits, left-aligned */
    unsigned n;   /* pending bit count, < 64 */
} bwr;

static inline void bwr_put(bwr *w, uint64_t v, unsigned k) /* k 0..64, v < 2^k */
{
    if (k == 0) return;
    unsigned room = 64 - w->n;
    if (k < room) {
        w->acc |= v << (room - k);
        w->n += k;
        return;
    }
    w->acc |= v >> (k - room);
    store_be64(w->p, w->acc);
    w->p += 8;
    w->n = k - room;
    w->acc = w->n ? v << (64 - w->n) : 0;
}

static inline uint8_t *bwr_end(bwr *w)
{
    store_be64(w->p, w->acc);
    return w->p + (w->n + 7) / 8;
}

/* k (1..64) bits at bit offset pos; the caller checked pos + k <= 8 * len. */
static inline uint64_t bits_at(const uint8_t *b, size_t len, uint64_t pos, unsigned k)
{
    size_t i = (size_t)(pos >> 3);
    unsigned s = (unsigned)(pos & 7);
    uint64_t v = 0;
    if (i + 8 <= len) {
        v = load_be64(b + i);
    } else {
        for (size_t j = 0; j < 8; j++) v = v << 8 | (i + j < len ? b[i + j] : 0);
    }
    v <<= s;
    if (s + k > 64) v |= (uint64_t)b[i + 8] >> (8 - s);
    return v >> (64 - k);
}

/* Sequential reads for the XOR stream: past the end is an error, not a read. */
static inline uint64_t take_bits(const uint8_t *b, size_t len, uint64_t *pos, unsigned k,
                                 bool *bad)
{
    if (*pos + k > (uint64_t)len * 8) {
        *bad = true;
        return 0;
    }
    *pos += k;
    return bits_at(b, len, *pos - k, k);
}

/* ---- the integer packer ----------------------------------------------- */

/* Mixed-radix plan for a range R (3 <= R <= 2^32, not a power of two). */
typedef struct radix {
    uint64_t R;
    unsigned g;      /* digits per group */
    bool exact;      /* R^(2g-1) < 2^64: see radix_split */
    unsigned B[41];  /* B[k] = bits of a k-digit group */
    uint64_t P[41];  /* P[k] = R^k */
    uint64_t M[41];  /* M[k] = ceil(2^64 / R^k): division by multiplication */
} radix;

/* The plan depends on R only, and a series keeps meeting the same few R
 * values, so a small per-thread cache keeps it off the decode path. */
#define RADIX_CACHE_BITS 2
#define RADIX_CACHE (1u << RADIX_CACHE_BITS)
static _Thread_local radix tl_radix[RADIX_CACHE];

static const radix *radix_plan(uint64_t R)
{
    radix *x = &tl_radix[(R * 0x9E3779B97F4A7C15ull) >> (64 - RADIX_CACHE_BITS)];
    if (x->R == R) return x;
    unsigned k = 1;
    x->P[0] = 1;
    x->B[0] = 0;
    x->g = 1;
    for (;; k++) {
        x->P[k] = x->P[k - 1] * R;
        x->B[k] = bitlen(x->P[k] - 1);
        if (x->B[k] * x->g < x->B[x->g] * k) x->g = k;
        uint64_t next;
        if (k == 40 || __builtin_mul_overflow(x->P[k], R, &next)) break;
    }
    for (unsigned j = 1; j < x->g; j++) x->M[j] = UINT64_MAX / x->P[j] + 1;
    x->exact = 2 * x->g - 1 <= k;
    x->R = R;
    return x;
}

static inline uint64_t radix_bits(const radix *x, uint64_t m)
{
    return (m / x->g) * x->B[x->g] + x->B[m % x->g];
}

/* Splits a group v < R^h into its h digits. Digit j is q[j] - R * q[j+1]
 * with q[j] = v / R^j; each q[j] comes straight from v, so the divisions
 * run in parallel instead of as a chain. q = mulhi(M[j], v) is exact when
 * v * R^j <= 2^64 (the error term v * (M[j] R^j - 2^64) / (R^j 2^64) stays
 * below 1 / R^j; Lemire et al. 2019), which x->exact guarantees for every
 * j < h <= g. Otherwise q may be one too large, and R^j < 2^63 makes the
 * sign of v - q * R^j tell. */
static inline __attribute__((always_inline)) void
radix_split(const radix *restrict x, uint64_t v, size_t h, uint64_t mn, uint64_t *restrict out,
            bool exact)
{
    uint64_t prev = v;
    for (size_t j = 1; j < h; j++) {
        uint64_t q = (uint64_t)(((__uint128_t)x->M[j] * v) >> 64);
        if (!exact) q += (uint64_t)((int64_t)(v - q * x->P[j]) >> 63);
        out[j - 1] = mn + (prev - q * x->R);
        prev = q;
    }
    out[h - 1] = mn + prev;
}

static void put_zv(st_buf *b, uint64_t v) { varint_buf(b, zigzag_enc((int64_t)v)); }

void codec_encode_ints(const int64_t *x, size_t n, st_buf *out)
{
    const uint64_t *u = (const uint64_t *)x;
    if (n == 0) {
        st_buf_putc(out, PK_CONST << 2);
        return;
    }
    /* Span of the raw values, their deltas and delta-of-deltas, in one pass. */
    int64_t lo[3] = {x[0], INT64_MAX, INT64_MAX}, hi[3] = {x[0], INT64_MIN, INT64_MIN};
    uint64_t pd = 0;
    for (size_t i = 1; i < n; i++) {
        uint64_t d = u[i] - u[i - 1];
        int64_t a = x[i], b = (int64_t)d, c = (int64_t)(d - pd);
        if (a < lo[0]) lo[0] = a;
        if (a > hi[0]) hi[0] = a;
        if (b < lo[1]) lo[1] = b;
        if (b > hi[1]) hi[1] = b;
        if (i >= 2) {
            if (c < lo[2]) lo[2] = c;
            if (c > hi[2]) hi[2] = c;
        }
        pd = d;
    }
    unsigned order = 0;
    uint64_t span = (uint64_t)hi[0] - (uint64_t)lo[0];
    for (unsigned k = 1; k <= 2 && k < n; k++) {
        uint64_t s = (uint64_t)hi[k] - (uint64_t)lo[k];
        if (s < span) {
            span = s;
            order = k;
        }
    }
    size_t m = n - order;
    uint64_t mn = (uint64_t)lo[order];

    scratch sc;
    const uint64_t *r = u;
    if (order) {
        uint64_t *t = scratch_get(&sc, m);
        for (size_t i = 0; i < m; i++) {
            uint64_t d1 = u[i + 1] - u[i];
            t[i] = order == 1 ? d1 : u[i + 2] - u[i + 1] - d1;
        }
        r = t;
    }

    size_t tagpos = out->len;
    st_buf_putc(out, 0);
    if (order >= 1) put_zv(out, u[0]);
    if (order == 2) put_zv(out, u[1] - u[0]);

    unsigned method = PK_CONST, w = bitlen(span);
    uint64_t best = 0; /* payload bits */
    const radix *rx = NULL;
    if (span) {
        method = PK_BITS;
        best = (uint64_t)m * w;
        if (span < 0xffffffffull && (span & (span + 1))) {
            rx = radix_plan(span + 1);
            uint64_t b = radix_bits(rx, m);
            if (rx->g > 1 && b < best) {
                method = PK_RADIX;
                best = b;
            }
        }
    }
    /* zstd only when it could plausibly win: enough data, and values that
     * are far from uniform over their range (see class_entropy_bits). */
    if (span && m >= 32 && best / 8 > 48 && class_entropy_bits(r, m, mn) + 256 < best) {
        uint8_t *vb = st_malloc(m * 10);
        size_t vl = 0;
        for (size_t i = 0; i < m; i++) vl += varint_put(vb + vl, zigzag_enc((int64_t)r[i]));
        size_t cap = ZSTD_compressBound(vl);
        st_buf_reserve(out, cap + 20);
        uint8_t hdr[20], *dst = out->p + out->len + 20;
        size_t hl = varint_put(hdr, vl);
        size_t zl = ZSTD_compressCCtx(cctx(), dst, cap, vb, vl, CODEC_ZSTD_LEVEL);
        if (!ZSTD_isError(zl) && (zl + 4) * 8 < best && vl <= (uint64_t)zl * CODEC_ZSTD_RATIO) {
            hl += varint_put(hdr + hl, zl);
            memcpy(out->p + out->len, hdr, hl);
            memmove(out->p + out->len + hl, dst, zl);
            out->len += hl + zl;
            method = PK_ZSTD;
        }
        st_free(vb);
    }
    out->p[tagpos] = (uint8_t)(method << 2 | order);

    if (method == PK_CONST) {
        put_zv(out, mn);
    } else if (method == PK_BITS || method == PK_RADIX) {
        put_zv(out, mn);
        if (method == PK_BITS) st_buf_putc(out, (uint8_t)w);
        else varint_buf(out, rx->R);
        st_buf_reserve(out, (size_t)(best / 8) + 9);
        bwr bw = {out->p + out->len, 0, 0};
        if (method == PK_BITS) {
            for (size_t i = 0; i < m; i++) bwr_put(&bw, r[i] - mn, w);
        } else {
            for (size_t i = 0; i < m; i += rx->g) {
                size_t h = m - i < rx->g ? m - i : rx->g;
                uint64_t v = 0;
                for (size_t j = h; j-- > 0;) v = v * rx->R + (r[i + j] - mn);
                bwr_put(&bw, v, rx->B[h]);
            }
        }
        out->len = (size_t)(bwr_end(&bw) - out->p);
    }
    if (order) scratch_put(&sc);
}

static int unpack_zstd(const uint8_t **pp, const uint8_t *end, uint64_t *r, size_t m)
{
    const uint8_t *p = *pp;
    uint64_t raw, zl;
    if (varint_get(&p, end, &raw) || varint_get(&p, end, &zl)) return ST_ECORRUPT;
    if (zl > (uint64_t)(end - p) || raw < m || raw / 10 > m || raw > zl * CODEC_ZSTD_RATIO)
        return ST_ECORRUPT;
    uint8_t *buf = st_malloc(raw ? raw : 1);
    size_t got = ZSTD_decompressDCtx(dctx(), buf, raw, p, zl);
    int rc = ST_ECORRUPT;
    if (!ZSTD_isError(got) && got == raw) {
        const uint8_t *q = buf, *qe = buf + raw;
        size_t i = 0;
        for (; i < m; i++) {
            uint64_t v;
            if (varint_get(&q, qe, &v)) break;
            r[i] = (uint64_t)zigzag_dec(v);
        }
        if (i == m && q == qe) rc = 0;
    }
    st_free(buf);
    if (rc == 0) *pp = p + zl;
    return rc;
}

/* Fixed-width fields, 8 at a time: with w a constant every shift and offset
 * in a group of 8 (w bytes) is a constant, so each value is a load, a byte
 * swap, two shifts and an add. */
static inline __attribute__((always_inline)) void unpack8(const uint8_t *q, uint64_t *o,
                                                          size_t groups, uint64_t mn,
                                                          const unsigned w)
{
    for (size_t gi = 0; gi < groups; gi++, q += w, o += 8) {
#pragma GCC unroll 8
        for (unsigned j = 0; j < 8; j++)
            o[j] = mn + ((load_be64(q + (j * w >> 3)) << (j * w & 7)) >> (64 - w));
    }
}

static void unpack_bits(const uint8_t *p, size_t len, uint64_t *r, size_t m, unsigned w,
                        uint64_t mn)
{
    /* Groups whose last 8-byte load stays inside the len field bytes. */
    size_t reach = (7 * w >> 3) + 8, groups = 0;
    if (w <= 56 && len >= reach) {
        groups = (len - reach) / w + 1;
        if (groups > m / 8) groups = m / 8;
    }
    switch (groups ? w : 0) {
#define UNPACK_W(W) case W: unpack8(p, r, groups, mn, W); break;
        UNPACK_W(1) UNPACK_W(2) UNPACK_W(3) UNPACK_W(4) UNPACK_W(5) UNPACK_W(6) UNPACK_W(7)
        UNPACK_W(8) UNPACK_W(9) UNPACK_W(10) UNPACK_W(11) UNPACK_W(12) UNPACK_W(13)
        UNPACK_W(14) UNPACK_W(15) UNPACK_W(16) UNPACK_W(17) UNPACK_W(18) UNPACK_W(19)
        UNPACK_W(20) UNPACK_W(21) UNPACK_W(22) UNPACK_W(23) UNPACK_W(24) UNPACK_W(25)
        UNPACK_W(26) UNPACK_W(27) UNPACK_W(28) UNPACK_W(29) UNPACK_W(30) UNPACK_W(31)
        UNPACK_W(32) UNPACK_W(33) UNPACK_W(34) UNPACK_W(35) UNPACK_W(36) UNPACK_W(37)
        UNPACK_W(38) UNPACK_W(39) UNPACK_W(40) UNPACK_W(41) UNPACK_W(42) UNPACK_W(43)
        UNPACK_W(44) UNPACK_W(45) UNPACK_W(46) UNPACK_W(47) UNPACK_W(48) UNPACK_W(49)
        UNPACK_W(50) UNPACK_W(51) UNPACK_W(52) UNPACK_W(53) UNPACK_W(54) UNPACK_W(55)
        UNPACK_W(56)
#undef UNPACK_W
    default: break;
    }
    uint64_t pos = (uint64_t)groups * 8 * w;
    for (size_t i = groups * 8; i < m; i++, pos += w) r[i] = mn + bits_at(p, len, pos, w);
}

int codec_decode_ints(const uint8_t **pp, const uint8_t *end, int64_t *x, size_t n)
{
    const uint8_t *p = *pp;
    uint64_t *u = (uint64_t *)x, v, d1 = 0;
    if (p >= end) return ST_ECORRUPT;
    unsigned tag = *p++, order = tag & 3, method = tag >> 2;
    if (n == 0) {
        if (tag != 0) return ST_ECORRUPT;
        *pp = p;
        return 0;
    }
    if (method > PK_ZSTD || order >= n) return ST_ECORRUPT;
    if (order >= 1) {
        if (varint_get(&p, end, &v)) return ST_ECORRUPT;
        u[0] = (uint64_t)zigzag_dec(v);
    }
    if (order == 2) {
        if (varint_get(&p, end, &v)) return ST_ECORRUPT;
        d1 = (uint64_t)zigzag_dec(v);
    }
    size_t m = n - order;
    uint64_t *r = u + order;

    if (method == PK_ZSTD) {
        if (unpack_zstd(&p, end, r, m)) return ST_ECORRUPT;
    } else {
        if (varint_get(&p, end, &v)) return ST_ECORRUPT;
        uint64_t mn = (uint64_t)zigzag_dec(v);
        if (method == PK_CONST) {
            for (size_t i = 0; i < m; i++) r[i] = mn;
        } else if (method == PK_BITS) {
            if (p >= end) return ST_ECORRUPT;
            unsigned w = *p++;
            size_t avail = (size_t)(end - p);
            if (w == 0 || w > 64 || m > (uint64_t)avail * 8 / w) return ST_ECORRUPT;
            size_t len = (size_t)(((uint64_t)m * w + 7) / 8);
            unpack_bits(p, len, r, m, w, mn);
            p += len;
        } else {
            uint64_t R;
            if (varint_get(&p, end, &R)) return ST_ECORRUPT;
            if (R < 3 || R > 0x100000000ull || !(R & (R - 1))) return ST_ECORRUPT;
            const radix *rx = radix_plan(R);
            size_t avail = (size_t)(end - p);
            if (rx->g < 2 || m / rx->g > (uint64_t)avail * 8 / rx->B[rx->g]) return ST_ECORRUPT;
            uint64_t bits = radix_bits(rx, m);
            if (bits > (uint64_t)avail * 8) return ST_ECORRUPT;
            size_t len = (size_t)((bits + 7) / 8), g = rx->g, full = m / g * g, i = 0;
            unsigned b = rx->B[g];
            uint64_t pos = 0, top = rx->P[g] - 1;
            /* Constant group sizes let the compiler unroll the common cases. */
#define RADIX_LOOP(H, EXACT)                                                     \
    for (; i < full; i += g, pos += b) {                                        \
        uint64_t grp = bits_at(p, len, pos, b);                                  \
        if (grp > top) return ST_ECORRUPT;                                       \
        radix_split(rx, grp, H, mn, r + i, EXACT);                               \
    }                                                                            \
    break;
            switch (rx->exact ? g : 0) {
            case 2: RADIX_LOOP(2, true)
            case 3: RADIX_LOOP(3, true)
            case 4: RADIX_LOOP(4, true)
            case 5: RADIX_LOOP(5, true)
            case 6: RADIX_LOOP(6, true)
            case 7: RADIX_LOOP(7, true)
            case 8: RADIX_LOOP(8, true)
            default:
                if (rx->exact) {
                    RADIX_LOOP(g, true)
                } else {
                    RADIX_LOOP(g, false)
                }
            }
#undef RADIX_LOOP
            if (full < m) {
                uint64_t grp = bits_at(p, len, pos, rx->B[m - full]);
                if (grp > rx->P[m - full] - 1) return ST_ECORRUPT;
                radix_split(rx, grp, m - full, mn, r + full, false);
            }
            p += len;
        }
    }
    if (order == 1) {
        uint64_t acc = u[0];
        for (size_t i = 1; i < n; i++) u[i] = acc += u[i];
    } else if (order == 2) {
        uint64_t d = d1;
        u[1] = u[0] + d;
        for (size_t i = 2; i < n; i++) {
            d += u[i];
            u[i] = u[i - 1] + d;
        }
    }
    *pp = p;
    return 0;
}

/* ---- timestamps ------------------------------------------------------- */

/* Binary GCD: no divisions, which cost ~40-90 cycles each on common CPUs. */
uint64_t codec_gcd(uint64_t a, uint64_t b)
{
    if (!a || !b) return a | b;
    unsigned sh = (unsigned)__builtin_ctzll(a | b);
    a >>= __builtin_ctzll(a);
    do {
        b >>= __builtin_ctzll(b);
        if (a > b) {
            uint64_t t = a;
            a = b;
            b = t;
        }
        b -= a;
    } while (b);
    return a << sh;
}

/* Exact division by g of known multiples of g, and divisibility tests, by
 * multiplying with the inverse of g's odd part modulo 2^64. */
typedef struct exdiv {
    uint64_t g, inv, lim;
    unsigned s;
} exdiv;

static void exdiv_init(exdiv *x, uint64_t g)
{
    x->g = g;
    x->s = (unsigned)__builtin_ctzll(g);
    uint64_t o = g >> x->s, inv = o; /* right to 3 bits; Newton doubles that */
    for (int i = 0; i < 5; i++) inv *= 2 - o * inv;
    x->inv = inv;
    x->lim = UINT64_MAX / o;
}

static inline bool exdiv_divides(const exdiv *x, uint64_t v)
{
    return !(v & ((1ull << x->s) - 1)) && (v >> x->s) * x->inv <= x->lim;
}

static inline uint64_t exdiv_div(const exdiv *x, uint64_t v) { return (v >> x->s) * x->inv; }

/* The grid step: the mean step rounded to nearest, so jitter around a
 * whole-unit interval leaves offsets in the jitter's own range. */
static inline uint64_t grid_step(uint64_t S, size_t n)
{
    uint64_t q = S / (n - 1), r = S % (n - 1);
    return q + (2 * r >= n - 1);
}

static void ts_encode(const int64_t *ts, size_t n, st_buf *out)
{
    const uint64_t *u = (const uint64_t *)ts;
    if (n == 1) {
        st_buf_putc(out, TS_REGULAR);
        return;
    }
    /* Deltas of a strictly increasing int64 run are 1 .. 2^64-1: exact in
     * uint64 even across the whole int64 range. */
    uint64_t d0 = u[1] - u[0], prev = d0;
    exdiv dv;
    exdiv_init(&dv, d0);
    bool regular = true;
    for (size_t i = 2; i < n; i++) {
        uint64_t d = u[i] - u[i - 1];
        if (d == prev) continue;
        regular = false;
        prev = d;
        if (dv.g != 1 && !exdiv_divides(&dv, d)) exdiv_init(&dv, codec_gcd(d, dv.g));
    }
    if (regular) {
        st_buf_putc(out, TS_REGULAR);
        return;
    }
    size_t start = out->len;
    st_buf_putc(out, TS_GCD);
    varint_buf(out, dv.g);
    scratch sc;
    uint64_t *q = scratch_get(&sc, n - 1);
    for (size_t i = 1; i < n; i++) q[i - 1] = exdiv_div(&dv, u[i] - u[i - 1]);
    codec_encode_ints((const int64_t *)q, n - 1, out);
    /* Also try offsets from the straight line first..last: scrape jitter
     * j[i] costs log2 of its own range there, while deltas pay for
     * j[i] - j[i-1], twice the range. Keep the smaller. */
    if (n >= 3) {
        size_t gl = out->len - start;
        uint64_t step = grid_step(exdiv_div(&dv, u[n - 1] - u[0]), n);
        for (size_t i = 1; i + 1 < n; i++) q[i - 1] = exdiv_div(&dv, u[i] - u[0]) - i * step;
        st_buf_putc(out, TS_GRID);
        varint_buf(out, dv.g);
        codec_encode_ints((const int64_t *)q, n - 2, out);
        size_t rl = out->len - start - gl;
        if (rl < gl) memmove(out->p + start, out->p + start + gl, rl);
        out->len = start + (rl < gl ? rl : gl);
    }
    scratch_put(&sc);
}

typedef struct hdr {
    st_vtype type;
    size_t n, ts_len, body; /* body: offset of the ts section */
    int64_t first;
    uint64_t span;
} hdr;

static int hdr_parse(const uint8_t *p, size_t len, hdr *h, st_err *e)
{
    if (len < 2) return CORRUPT(e, "chunk: %zu bytes, shorter than a header", len);
    if (p[0] != CODEC_VERSION) return CORRUPT(e, "chunk: unsupported format version %u", p[0]);
    if (p[1] < ST_VT_FLOAT || p[1] > ST_VT_STRING)
        return CORRUPT(e, "chunk: unknown value type %u", p[1]);
    const uint8_t *q = p + 2, *end = p + len;
    uint64_t n, zf, span, tl;
    if (varint_get(&q, end, &n) || varint_get(&q, end, &zf) || varint_get(&q, end, &span) ||
        varint_get(&q, end, &tl))
        return CORRUPT(e, "chunk: truncated header");
    if (n == 0 || n > CODEC_MAX_N)
        return CORRUPT(e, "chunk: %llu samples (want 1..%llu)", (unsigned long long)n,
                       (unsigned long long)CODEC_MAX_N);
    int64_t first = zigzag_dec(zf);
    if (span < n - 1 || (n == 1 && span))
        return CORRUPT(e, "chunk: time span %llu cannot hold %llu increasing timestamps",
                       (unsigned long long)span, (unsigned long long)n);
    /* In the order-preserving biased form, first + span must not pass 2^64. */
    if (span > ~((uint64_t)first ^ (1ull << 63)))
        return CORRUPT(e, "chunk: last timestamp out of the int64 range");
    if (tl > (uint64_t)(end - q))
        return CORRUPT(e, "chunk: timestamp section of %llu bytes runs past the end",
                       (unsigned long long)tl);
    h->type = (st_vtype)p[1];
    h->n = (size_t)n;
    h->first = first;
    h->span = span;
    h->ts_len = (size_t)tl;
    h->body = (size_t)(q - p);
    return 0;
}

static int ts_decode(const uint8_t *p, const uint8_t *end, const hdr *h, int64_t *ts, st_err *e)
{
    uint64_t *u = (uint64_t *)ts, first = (uint64_t)h->first, span = h->span;
    size_t n = h->n;
    if (p >= end) return CORRUPT(e, "chunk: empty timestamp section");
    unsigned tag = *p++;
    u[0] = first;
    if (tag == TS_REGULAR) {
        if (p != end) return CORRUPT(e, "chunk: trailing bytes in timestamp section");
        if (n == 1) return 0;
        if (span % (n - 1)) return CORRUPT(e, "chunk: span not a multiple of a regular step");
        uint64_t step = span / (n - 1), t = first;
        for (size_t i = 1; i < n; i++) u[i] = t += step;
        return 0;
    }
    if (tag != TS_GCD && tag != TS_GRID)
        return CORRUPT(e, "chunk: unknown timestamp method %u", tag);
    uint64_t g;
    if (n < 2 + (tag == TS_GRID) || varint_get(&p, end, &g) || g == 0 || g > span)
        return CORRUPT(e, "chunk: bad timestamp unit");
    uint64_t S = span / g; /* the span in units of g */
    if (tag == TS_GRID) {
        /* Offsets e[1..n-2] from i * step; the ends are fixed by the header. */
        if (span % g || codec_decode_ints(&p, end, ts + 1, n - 2) || p != end)
            return CORRUPT(e, "chunk: bad timestamp offsets");
        uint64_t step = grid_step(S, n), last = 0;
        for (size_t i = 1; i + 1 < n; i++) {
            uint64_t k = i * step + u[i];
            if (k <= last || k >= S) return CORRUPT(e, "chunk: timestamp offset out of range");
            last = k;
            u[i] = first + k * g;
        }
        u[n - 1] = first + span;
        return 0;
    }
    if (codec_decode_ints(&p, end, ts + 1, n - 1) || p != end)
        return CORRUPT(e, "chunk: bad timestamp deltas");
    /* Every delta must be >= 1 and their sum must be exactly the span: the
     * result is strictly increasing and inside [first, last]. */
    uint64_t acc = 0;
    for (size_t i = 1; i < n; i++) {
        uint64_t q = u[i];
        if (q - 1 >= S) return CORRUPT(e, "chunk: timestamp delta out of range");
        uint64_t d = q * g;
        if (d > span - acc) return CORRUPT(e, "chunk: timestamps pass the last one");
        acc += d;
        u[i] = first + acc;
    }
    if (acc != span) return CORRUPT(e, "chunk: timestamps do not reach the last one");
    return 0;
}

/* ---- floats ----------------------------------------------------------- */

const double codec_pow10[16] = {1e0, 1e1, 1e2,  1e3,  1e4,  1e5,  1e6,  1e7,
                                1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15};

#define TWO53 9007199254740992.0

/* Is bits = m / 10^e exactly, for an integer |m| <= 2^53? -0.0, NaN and Inf
 * never are. The decoder evaluates the same expression, so checking it here
 * makes the round trip exact by construction. */
static inline bool dec_try(uint64_t bits, unsigned e, int64_t *m)
{
    double v;
    memcpy(&v, &bits, 8);
    double t = v * codec_pow10[e];
    if (!(fabs(t) <= TWO53)) return false;
    int64_t mi = (int64_t)(t < 0 ? t - 0.5 : t + 0.5);
    if (mi > (int64_t)1 << 53 || mi < -((int64_t)1 << 53)) return false;
    if (f64_bits((double)mi / codec_pow10[e]) != bits) return false;
    *m = mi;
    return true;
}

bool codec_decimal_at(uint64_t bits, unsigned e, int64_t *m) { return dec_try(bits, e, m); }

/* Appends the decimal form if the values allow it; false leaves out as it was. */
static bool float_dec_encode(const uint64_t *v, size_t n, st_buf *out)
{
    size_t maxk = n / 8, k = 0, firstok = n, since = 0;
    unsigned E = 0;
    scratch sm, sp;
    int64_t *man = (int64_t *)scratch_get(&sm, n);
    uint64_t *pos = scratch_get(&sp, maxk + 1);
    bool ok = true;
    /* One pass at the scale so far; a value that needs more raises E, and
     * the mantissas before it (since) are redone at the new scale below.
     * Misfits at every scale are exceptions; their slots repeat a neighbour
     * so the mantissa deltas stay small. */
    for (size_t i = 0; i < n && ok; i++) {
        if (dec_try(v[i], E, &man[i])) {
            if (firstok == n) firstok = i;
            continue;
        }
        unsigned e = E + 1;
        while (e <= 15 && !dec_try(v[i], e, &man[i])) e++;
        if (e <= 15) {
            E = e;
            since = i;
            if (firstok == n) firstok = i;
        } else if (k < maxk) {
            pos[k++] = i;
            man[i] = i ? man[i - 1] : 0;
        } else {
            ok = false;
        }
    }
    /* Values before the last raise of E, verified again at the final E: a
     * decimal at scale e is one at any larger scale unless |m| passes 2^53. */
    for (size_t i = 0, j = 0; ok && i < since; i++) {
        if (j < k && pos[j] == i) {
            j++;
            man[i] = i ? man[i - 1] : 0;
        } else if (!dec_try(v[i], E, &man[i])) {
            ok = false;
        }
    }
    ok = ok && firstok < n;
    if (ok) {
        for (size_t i = 0; i < firstok; i++) man[i] = man[firstok];
        st_buf_putc(out, (uint8_t)((k ? F_DECX : F_DEC) | E));
        if (k) {
            varint_buf(out, k);
            codec_encode_ints((const int64_t *)pos, k, out);
            st_buf_reserve(out, 8 * k);
            for (size_t j = 0; j < k; j++, out->len += 8) put_u64le(out->p + out->len, v[pos[j]]);
        }
        codec_encode_ints(man, n, out);
    }
    scratch_put(&sm);
    scratch_put(&sp);
    return ok;
}

static void float_xor_encode(const uint64_t *v, size_t n, st_buf *out)
{
    size_t start = out->len;
    st_buf_reserve(out, 1 + 10 * n + 16); /* a value costs at most 78 bits */
    out->p[out->len++] = F_XOR;
    bwr w = {out->p + out->len, 0, 0};
    bwr_put(&w, v[0], 64);
    uint64_t prev = v[0];
    unsigned ptz = 0, plen = 0;
    bool win = false;
    for (size_t i = 1; i < n; i++) {
        uint64_t x = v[i] ^ prev;
        prev = v[i];
        if (!x) {
            bwr_put(&w, 0, 1);
            continue;
        }
        unsigned lz = (unsigned)__builtin_clzll(x), tz = (unsigned)__builtin_ctzll(x);
        unsigned len = 64 - lz - tz;
        /* Reuse the window unless a fresh one saves more than its 12 bits. */
        if (win && tz >= ptz && 64 - lz <= ptz + plen && plen <= len + 12) {
            bwr_put(&w, 2, 2);
            bwr_put(&w, x >> ptz, plen);
        } else {
            bwr_put(&w, 3u << 12 | lz << 6 | (len - 1), 14);
            bwr_put(&w, x >> tz, len);
            win = true;
            ptz = tz;
            plen = len;
        }
    }
    out->len = (size_t)(bwr_end(&w) - out->p);
    if (out->len - start > 1 + 8 * n) { /* noise: raw is smaller */
        out->len = start;
        st_buf_reserve(out, 1 + 8 * n);
        out->p[out->len++] = F_RAW;
        for (size_t i = 0; i < n; i++, out->len += 8) put_u64le(out->p + out->len, v[i]);
    }
}

static void float_encode(const uint64_t *v, size_t n, st_buf *out)
{
    bool same = true;
    for (size_t i = 1; i < n && same; i++) same = v[i] == v[0];
    size_t start = out->len, dl = float_dec_encode(v, n, out) ? out->len - start : 0;
    if (dl && dl <= (same ? 9 : 4 * n + 8)) return;
    if (same) {
        out->len = start;
        st_buf_reserve(out, 9);
        out->p[out->len] = F_CONST;
        put_u64le(out->p + out->len + 1, v[0]);
        out->len += 9;
        return;
    }
    /* No decimal form, or one with long mantissas that XOR may beat: it is
     * appended after the decimal one, and the smaller stays. */
    float_xor_encode(v, n, out);
    size_t xl = out->len - start - dl;
    if (dl && xl < dl) memmove(out->p + start, out->p + start + dl, xl);
    out->len = start + (dl && dl <= xl ? dl : xl);
}

static int float_decode(const uint8_t *p, const uint8_t *end, size_t n, uint64_t *vals, st_err *e)
{
    unsigned tag = *p++;
    unsigned method = tag & 0xf0, E = tag & 0x0f;
    if (method != F_DEC && method != F_DECX && E)
        return CORRUPT(e, "chunk: unknown float method 0x%02x", tag);
    if (method == F_CONST) {
        if (end - p != 8) return CORRUPT(e, "chunk: bad constant float section");
        uint64_t c = get_u64le(p);
        for (size_t i = 0; i < n; i++) vals[i] = c;
        return 0;
    }
    if (method == F_RAW) {
        if ((uint64_t)(end - p) != (uint64_t)n * 8) return CORRUPT(e, "chunk: bad raw float section");
        for (size_t i = 0; i < n; i++) vals[i] = get_u64le(p + 8 * i);
        return 0;
    }
    if (method == F_XOR) {
        size_t len = (size_t)(end - p);
        uint64_t pos = 0, prev;
        unsigned tz = 0, nb = 0;
        bool bad = false, win = false;
        vals[0] = prev = take_bits(p, len, &pos, 64, &bad);
        size_t i = 1;
        /* Fast path while 17 bytes remain: one 64-bit read holds a value's
         * control bits and window (at most 14 bits), one more its bits
         * (at most 64, 9 bytes from any bit offset): no bounds checks. */
        while (i < n && !bad && (pos >> 3) + 17 <= len) {
            uint64_t w = load_be64(p + (pos >> 3)) << (pos & 7);
            if (!(w >> 63)) {
                vals[i++] = prev;
                pos += 1;
                continue;
            }
            if (w >> 62 & 1) {
                unsigned c = (unsigned)(w >> 50 & 0xfff), lz = c >> 6;
                nb = (c & 63) + 1;
                if (lz + nb > 64) return CORRUPT(e, "chunk: bad XOR window");
                tz = 64 - lz - nb;
                win = true;
                pos += 14;
            } else {
                if (!win) return CORRUPT(e, "chunk: XOR window used before it is set");
                pos += 2;
            }
            size_t at = (size_t)(pos >> 3);
            unsigned sh = (unsigned)(pos & 7);
            uint64_t v = load_be64(p + at) << sh;
            if (sh + nb > 64) v |= (uint64_t)p[at + 8] >> (8 - sh);
            prev ^= (v >> (64 - nb)) << tz;
            pos += nb;
            vals[i++] = prev;
        }
        for (; i < n && !bad; i++) {
            if (take_bits(p, len, &pos, 1, &bad)) {
                if (take_bits(p, len, &pos, 1, &bad)) {
                    unsigned c = (unsigned)take_bits(p, len, &pos, 12, &bad), lz = c >> 6;
                    nb = (c & 63) + 1;
                    if (lz + nb > 64) return CORRUPT(e, "chunk: bad XOR window");
                    tz = 64 - lz - nb;
                    win = true;
                } else if (!win) {
                    return CORRUPT(e, "chunk: XOR window used before it is set");
                }
                prev ^= take_bits(p, len, &pos, nb, &bad) << tz;
            }
            vals[i] = prev;
        }
        if (bad || (pos + 7) / 8 != len) return CORRUPT(e, "chunk: XOR stream length mismatch");
        return 0;
    }
    if (method != F_DEC && method != F_DECX)
        return CORRUPT(e, "chunk: unknown float method 0x%02x", tag);
    uint64_t k = 0;
    const uint8_t *exc = NULL;
    scratch sp;
    uint64_t *pos = NULL;
    if (method == F_DECX) {
        if (varint_get(&p, end, &k) || k == 0 || k > n / 8)
            return CORRUPT(e, "chunk: bad float exception count");
        pos = scratch_get(&sp, (size_t)k);
        int bad = codec_decode_ints(&p, end, (int64_t *)pos, (size_t)k);
        for (size_t j = 0; !bad && j < k; j++)
            bad = pos[j] >= n || (j && pos[j] <= pos[j - 1]);
        if (bad || (uint64_t)(end - p) < 8 * k) {
            scratch_put(&sp);
            return CORRUPT(e, "chunk: bad float exceptions");
        }
        exc = p;
        p += 8 * k;
    }
    int rc = codec_decode_ints(&p, end, (int64_t *)vals, n);
    if (rc || p != end) {
        if (pos) scratch_put(&sp);
        return CORRUPT(e, "chunk: bad decimal mantissas");
    }
    if (E == 0) {
        for (size_t i = 0; i < n; i++) vals[i] = f64_bits((double)(int64_t)vals[i]);
    } else {
        /* Two divisions per instruction where the target has them (divpd
         * on x86-64): division is the cost of this loop. */
        typedef double v2d __attribute__((vector_size(16)));
        double s = codec_pow10[E];
        v2d sv = {s, s};
        size_t i = 0;
        for (; i + 2 <= n; i += 2) {
            v2d a = {(double)(int64_t)vals[i], (double)(int64_t)vals[i + 1]};
            a /= sv;
            memcpy(vals + i, &a, 16);
        }
        if (i < n) vals[i] = f64_bits((double)(int64_t)vals[i] / s);
    }
    for (size_t j = 0; j < k; j++) vals[pos[j]] = get_u64le(exc + 8 * j);
    if (pos) scratch_put(&sp);
    return 0;
}

/* ---- bools and strings ------------------------------------------------ */

static void bool_encode(const uint64_t *v, size_t n, st_buf *out)
{
    bool same = true;
    for (size_t i = 1; i < n && same; i++) same = v[i] == v[0];
    if (same) {
        st_buf_putc(out, B_CONST);
        st_buf_putc(out, (uint8_t)v[0]);
        return;
    }
    size_t nb = (n + 7) / 8;
    st_buf_reserve(out, 1 + nb);
    out->p[out->len++] = B_BITMAP;
    uint8_t *b = out->p + out->len;
    memset(b, 0, nb);
    for (size_t i = 0; i < n; i++) b[i >> 3] |= (uint8_t)(v[i] << (7 - (i & 7)));
    out->len += nb;
}

static int bool_decode(const uint8_t *p, const uint8_t *end, size_t n, uint64_t *vals, st_err *e)
{
    unsigned tag = *p++;
    if (tag == B_CONST) {
        if (end - p != 1 || *p > 1) return CORRUPT(e, "chunk: bad constant bool section");
        for (size_t i = 0; i < n; i++) vals[i] = *p;
        return 0;
    }
    if (tag != B_BITMAP) return CORRUPT(e, "chunk: unknown bool method %u", tag);
    if ((size_t)(end - p) != (n + 7) / 8) return CORRUPT(e, "chunk: bad bool bitmap size");
    for (size_t i = 0; i < n; i++) vals[i] = (p[i >> 3] >> (7 - (i & 7))) & 1;
    return 0;
}

static void str_encode(const st_slice *s, size_t n, uint64_t total, st_buf *out)
{
    size_t tagpos = out->len;
    st_buf_putc(out, S_RAW);
    scratch sl;
    uint64_t *lens = scratch_get(&sl, n);
    for (size_t i = 0; i < n; i++) lens[i] = s[i].n;
    codec_encode_ints((const int64_t *)lens, n, out);
    scratch_put(&sl);
    size_t raw = out->len;
    st_buf_reserve(out, (size_t)total);
    for (size_t i = 0; i < n; i++)
        if (s[i].n) {
            memcpy(out->p + out->len, s[i].p, s[i].n);
            out->len += s[i].n;
        }
    if (total < 64) return;
    size_t cap = ZSTD_compressBound((size_t)total);
    uint8_t *z = st_malloc(cap);
    size_t zl = ZSTD_compressCCtx(cctx(), z, cap, out->p + raw, (size_t)total, CODEC_ZSTD_LEVEL);
    if (!ZSTD_isError(zl) && zl + 8 < total && total <= (uint64_t)zl * CODEC_ZSTD_RATIO) {
        memcpy(out->p + raw, z, zl);
        out->len = raw + zl;
        out->p[tagpos] = S_ZSTD;
    }
    st_free(z);
}

static int str_decode(const uint8_t *p, const uint8_t *end, size_t n, codec_samples *out,
                      st_err *e)
{
    unsigned tag = *p++;
    if (tag != S_RAW && tag != S_ZSTD) return CORRUPT(e, "chunk: unknown string method %u", tag);
    uint64_t *lens = out->vals, total = 0; /* vals is free for strings */
    if (codec_decode_ints(&p, end, (int64_t *)lens, n))
        return CORRUPT(e, "chunk: bad string lengths");
    for (size_t i = 0; i < n; i++) {
        if (lens[i] > CODEC_MAX_STR - total) return CORRUPT(e, "chunk: strings too long");
        total += lens[i];
    }
    size_t avail = (size_t)(end - p);
    st_buf *sb = &out->strbuf;
    sb->len = 0;
    if (tag == S_RAW) {
        if (total != avail) return CORRUPT(e, "chunk: string bytes do not match lengths");
        st_buf_reserve(sb, (size_t)total + 1);
        if (total) memcpy(sb->p, p, (size_t)total);
    } else {
        if (total > (uint64_t)avail * CODEC_ZSTD_RATIO ||
            ZSTD_getFrameContentSize(p, avail) != total)
            return CORRUPT(e, "chunk: bad compressed string size");
        st_buf_reserve(sb, (size_t)total + 1);
        size_t got = ZSTD_decompressDCtx(dctx(), sb->p, (size_t)total, p, avail);
        if (ZSTD_isError(got) || got != total) return CORRUPT(e, "chunk: bad compressed strings");
    }
    sb->len = (size_t)total;
    size_t off = 0;
    for (size_t i = 0; i < n; i++) {
        out->strs[i] = st_slice_of((const char *)sb->p + off, (size_t)lens[i]);
        off += (size_t)lens[i];
        out->vals[i] = 0;
    }
    return 0;
}

/* ---- chunks ----------------------------------------------------------- */

void codec_samples_reserve(codec_samples *s, size_t cap)
{
    if (cap <= s->cap) return;
    /* callers append chunk by chunk, batch by batch: grow by half at least,
     * or appending n samples in k steps copies O(n k) */
    if (s->cap && cap < s->cap + s->cap / 2) cap = s->cap + s->cap / 2;
    s->ts = st_realloc(s->ts, cap * sizeof *s->ts);
    s->vals = st_realloc(s->vals, cap * sizeof *s->vals);
    s->strs = st_realloc(s->strs, cap * sizeof *s->strs);
    s->cap = cap;
}

void codec_samples_free(codec_samples *s)
{
    st_free(s->ts);
    st_free(s->vals);
    st_free(s->strs);
    st_buf_free(&s->strbuf);
    memset(s, 0, sizeof *s);
}

int codec_encode(st_vtype type, const int64_t *ts, const uint64_t *vals, const st_slice *strs,
                 size_t n, st_buf *out, st_err *e)
{
    if (type < ST_VT_FLOAT || type > ST_VT_STRING)
        return st_fail(e, ST_EINVAL, "codec: unknown value type %d", (int)type);
    if (n == 0 || n > CODEC_MAX_N)
        return st_fail(e, ST_EINVAL, "codec: chunk of %zu samples (want 1..%llu)", n,
                       (unsigned long long)CODEC_MAX_N);
    for (size_t i = 1; i < n; i++)
        if (ts[i] <= ts[i - 1])
            return st_fail(e, ST_EINVAL,
                           "codec: timestamps not strictly increasing at sample %zu (%lld after %lld)",
                           i, (long long)ts[i], (long long)ts[i - 1]);
    uint64_t total = 0;
    if (type == ST_VT_BOOL) {
        for (size_t i = 0; i < n; i++)
            if (vals[i] > 1)
                return st_fail(e, ST_EINVAL, "codec: boolean sample %zu is %llu, not 0 or 1", i,
                               (unsigned long long)vals[i]);
    } else if (type == ST_VT_STRING) {
        if (!strs) return st_fail(e, ST_EINVAL, "codec: string chunk without strings");
        for (size_t i = 0; i < n; i++) {
            if (strs[i].n > CODEC_MAX_STR - total)
                return st_fail(e, ST_EINVAL, "codec: more than %llu string bytes in a chunk",
                               (unsigned long long)CODEC_MAX_STR);
            total += strs[i].n;
        }
    }

    uint64_t span = (uint64_t)ts[n - 1] - (uint64_t)ts[0];
    st_buf_reserve(out, 32);
    uint8_t *h = out->p + out->len;
    size_t k = 2;
    h[0] = CODEC_VERSION;
    h[1] = (uint8_t)type;
    k += varint_put(h + k, n);
    k += varint_put(h + k, zigzag_enc(ts[0]));
    k += varint_put(h + k, span);
    out->len += k;

    /* ts_len precedes the section: encode, then shift it past the length. */
    size_t tspos = out->len;
    ts_encode(ts, n, out);
    size_t tslen = out->len - tspos;
    uint8_t lb[10];
    size_t ll = varint_put(lb, tslen);
    st_buf_reserve(out, ll);
    memmove(out->p + tspos + ll, out->p + tspos, tslen);
    memcpy(out->p + tspos, lb, ll);
    out->len += ll;

    switch (type) {
    case ST_VT_FLOAT: float_encode(vals, n, out); break;
    case ST_VT_INT:
    case ST_VT_UINT: codec_encode_ints((const int64_t *)vals, n, out); break;
    case ST_VT_BOOL: bool_encode(vals, n, out); break;
    case ST_VT_STRING: str_encode(strs, n, total, out); break;
    }
    return 0;
}

int codec_peek(const uint8_t *p, size_t len, st_vtype *type, size_t *n, int64_t *first_ts,
               int64_t *last_ts, st_err *e)
{
    hdr h;
    int rc = hdr_parse(p, len, &h, e);
    if (rc) return rc;
    if (type) *type = h.type;
    if (n) *n = h.n;
    if (first_ts) *first_ts = h.first;
    if (last_ts) *last_ts = (int64_t)((uint64_t)h.first + h.span);
    return 0;
}

int codec_ts_unit(const uint8_t *p, size_t len, int64_t *first, uint64_t *unit, st_err *e)
{
    hdr h;
    int rc = hdr_parse(p, len, &h, e);
    if (rc) return rc;
    *first = h.first;
    const uint8_t *q = p + h.body, *end = q + h.ts_len;
    if (q >= end) return CORRUPT(e, "chunk: empty timestamp section");
    unsigned tag = *q++;
    if (tag == TS_REGULAR) {
        *unit = h.n > 1 ? h.span / (h.n - 1) : 1;
        return 0;
    }
    if (varint_get(&q, end, unit) || *unit == 0) return CORRUPT(e, "chunk: bad timestamp unit");
    return 0;
}

int codec_decode(const uint8_t *p, size_t len, codec_samples *out, st_err *e)
{
    out->n = 0;
    hdr h;
    int rc = hdr_parse(p, len, &h, e);
    if (rc) return rc;
    const uint8_t *ts = p + h.body, *vs = ts + h.ts_len, *end = p + len;
    if (vs >= end) return CORRUPT(e, "chunk: no value section");
    codec_samples_reserve(out, h.n);
    rc = ts_decode(ts, vs, &h, out->ts, e);
    if (rc) return rc;
    switch (h.type) {
    case ST_VT_FLOAT: rc = float_decode(vs, end, h.n, out->vals, e); break;
    case ST_VT_INT:
    case ST_VT_UINT:
        if (codec_decode_ints(&vs, end, (int64_t *)out->vals, h.n) || vs != end)
            rc = CORRUPT(e, "chunk: bad integer values");
        break;
    case ST_VT_BOOL: rc = bool_decode(vs, end, h.n, out->vals, e); break;
    case ST_VT_STRING: rc = str_decode(vs, end, h.n, out, e); break;
    }
    if (rc) return rc;
    out->n = h.n;
    return 0;
}

/* ---- chunk statistics ------------------------------------------------- */

/* As codec.h specifies. When CODEC_STATS_VALID is clear, min, max and sum
 * are 0, so that equal inputs give equal structs bit for bit (blocks store
 * them and tests compare them whole). The float sum starts from +0.0, as
 * PromQL's sum_over_time does: ((0 + v0) + v1) + ...; min and max keep the
 * first of equal values (-0.0 and +0.0 compare equal). */
void codec_stats_compute(st_vtype type, const uint64_t *vals, size_t n, codec_stats *out)
{
    memset(out, 0, sizeof *out);
    if (n == 0) return;
    out->count = n > UINT32_MAX ? UINT32_MAX : (uint32_t)n;
    if (type == ST_VT_STRING) return;
    out->first = vals[0];
    out->last = vals[n - 1];
    bool valid = true;
    switch (type) {
    case ST_VT_FLOAT: {
        double mn, mx, sum = 0;
        memcpy(&mn, &vals[0], 8);
        mx = mn;
        uint64_t bmn = vals[0], bmx = vals[0];
        for (size_t i = 0; i < n && valid; i++) {
            double v;
            memcpy(&v, &vals[i], 8);
            if (v != v) valid = false;
            if (v < mn) mn = v, bmn = vals[i];
            if (v > mx) mx = v, bmx = vals[i];
            sum += v;
        }
        out->min = bmn;
        out->max = bmx;
        out->sum = f64_bits(sum);
        break;
    }
    case ST_VT_INT: {
        int64_t mn = (int64_t)vals[0], mx = mn, sum = 0;
        for (size_t i = 0; i < n && valid; i++) {
            int64_t v = (int64_t)vals[i];
            if (v < mn) mn = v;
            if (v > mx) mx = v;
            if (__builtin_add_overflow(sum, v, &sum)) valid = false;
        }
        out->min = (uint64_t)mn;
        out->max = (uint64_t)mx;
        out->sum = (uint64_t)sum;
        break;
    }
    case ST_VT_UINT:
    case ST_VT_BOOL: {
        uint64_t mn = vals[0], mx = mn, sum = 0;
        for (size_t i = 0; i < n && valid; i++) {
            uint64_t v = vals[i];
            if (v < mn) mn = v;
            if (v > mx) mx = v;
            if (__builtin_add_overflow(sum, v, &sum)) valid = false;
        }
        out->min = mn;
        out->max = mx;
        out->sum = sum;
        break;
    }
    case ST_VT_STRING: break;
    }
    if (valid) out->flags = CODEC_STATS_VALID;
    else out->min = out->max = out->sum = 0;
}
