/* codec: compression of one series' samples (a chunk).
 *
 * A chunk holds n >= 1 samples of one value type with strictly increasing
 * timestamps. decode(encode(x)) == x bit for bit for every input: NaN
 * payloads (including the stale marker), +-Inf, -0.0, subnormals, INT64_MIN,
 * UINT64_MAX, empty and non-ASCII strings.
 *
 * Timestamps (int64 ns): first value, then the deltas divided by their
 * greatest common divisor (so millisecond data pays for milliseconds, not
 * nanoseconds), coded as delta-of-delta through the integer packer.
 *
 * Floats: when every value is a decimal with at most 15 significant digits
 * that round-trips exactly (m / 10^e == v bit for bit), the values become
 * int64 mantissas at one scale and go through the integer packer (as
 * VictoriaMetrics does); otherwise a Gorilla-style XOR stream. Ints and
 * uints: through the integer packer. Bools: a bitmap. Strings: lengths and
 * bytes, zstd when it pays.
 *
 * The integer packer takes deltas (or delta-of-deltas for counters, whichever
 * spans less), then picks the smallest of: constant, fixed-width bit packing
 * of (x - min), mixed-radix packing of (x - min) when the range R is not a
 * power of two (k values in ceil(k*log2 R) bits: near the entropy of uniform
 * noise), zstd over zig-zag varints.
 *
 * Layout (all integers uvarint unless said):
 *   u8 version(=1) | u8 vtype | n | zigzag first_ts | last_ts - first_ts |
 *   ts_len | ts section | value section
 * n is at most 2^24. codec_encode refuses (ST_EINVAL) n = 0, n > 2^24, bool
 * values other than 0/1 and more than 1 GiB of strings in one chunk.
 * Every section starts with a one-byte method tag so readers can dispatch and
 * reject unknown methods (ST_ECORRUPT), never crash, on any input bytes.
 */
#ifndef ST_CODEC_H
#define ST_CODEC_H

#include "labels.h"

/* Decoded samples. Arrays are owned by the struct and reused across
 * decodes; strs[i] point into strbuf (valid until the next decode into the
 * same struct or codec_samples_free). vals holds float bits, int64, uint64 or
 * 0/1; for strings vals is unused. */
typedef struct codec_samples {
    int64_t *ts;
    uint64_t *vals;
    st_slice *strs;
    size_t n, cap;
    st_buf strbuf;
} codec_samples;

/* The decimal-float rule that chunks and block statistics share: is bits
 * exactly m / 10^e (codec_pow10[e], e <= 15) for an integer |m| <= 2^53?
 * -0.0, NaN and Inf never are; the decoders evaluate the same expression. */
extern const double codec_pow10[16];
bool codec_decimal_at(uint64_t bits, unsigned e, int64_t *m);
/* Greatest common divisor (of 0 and x: x). */
uint64_t codec_gcd(uint64_t a, uint64_t b);

/* Grows ts, vals and strs to at least cap entries, keeping the contents. */
void codec_samples_reserve(codec_samples *s, size_t cap);
void codec_samples_free(codec_samples *s);

/* Appends the encoding of n samples to out. ts must be strictly increasing
 * (ST_EINVAL otherwise). strs is used only for ST_VT_STRING (may be NULL
 * otherwise), vals only for the other types. */
int codec_encode(st_vtype type, const int64_t *ts, const uint64_t *vals,
                 const st_slice *strs, size_t n, st_buf *out, st_err *e);

/* Decodes a whole chunk into out (replacing its content). Any malformed
 * input gives ST_ECORRUPT with a message, never a crash or an overread. */
int codec_decode(const uint8_t *p, size_t len, codec_samples *out, st_err *e);

/* Reads only the header: type, count, first and last timestamp. */
int codec_peek(const uint8_t *p, size_t len, st_vtype *type, size_t *n,
               int64_t *first_ts, int64_t *last_ts, st_err *e);

/* Statistics of one chunk's samples, kept beside the chunk (blocks of
 * format version 2) so that reads whose window covers a whole chunk can
 * answer count, sum, min, max, first and last without decoding it.
 * Values are bit patterns in the chunk's type, as in codec_samples.vals:
 * float bits, int64, uint64, 0/1. sum is the left-to-right (time order)
 * sum: a double for floats, exact int64/uint64 for integers, the number of
 * true values for booleans. min/max order floats as doubles, ints as int64,
 * uints and bools as uint64. CODEC_STATS_VALID says min, max and sum hold:
 * it is clear for strings, for floats when the chunk holds any NaN (stale
 * markers included: readers must then decode), for integers whose sum
 * overflowed. count, first and last always hold (count = 0: unknown). */
#define CODEC_STATS_VALID 1u
typedef struct codec_stats {
    uint32_t count;
    uint32_t flags;
    uint64_t first, last, min, max, sum;
} codec_stats;

void codec_stats_compute(st_vtype type, const uint64_t *vals, size_t n, codec_stats *out);

/* The unit every timestamp of a chunk is a multiple of, counted from its
 * first: each ts = first + k * unit (from the header and the timestamp
 * section's first bytes, nothing decoded). A reader that needs to know
 * whether all of a chunk's samples fall on whole milliseconds asks this. */
int codec_ts_unit(const uint8_t *p, size_t len, int64_t *first, uint64_t *unit, st_err *e);

/* The building blocks, exposed for the WAL, blocks and tests. */
void codec_encode_ints(const int64_t *x, size_t n, st_buf *out);
int codec_decode_ints(const uint8_t **p, const uint8_t *end, int64_t *x, size_t n);

#endif
