/* block_chunks: the chunk records of a block: the statistics record of
 * format version 2 (written by block_write.c, read here), and every read of
 * the chunks file: samples (blk_read, blk_read_chunk), chunk metadata with
 * statistics (blk_chunk_meta), and the tombstone checks that go with them.
 * The bytes are documented in block.c's top comment; the in-memory block is
 * in block_int.h.
 *
 * A record's crc is verified before anything in it is used; the statistics
 * and codec header are then validated against each other and the index (a
 * record whose crc is intact but that disagrees with the index is damage
 * too: ST_ECORRUPT naming the block, file, series and chunk, never a crash).
 */
#include "block_int.h"

#include "bits.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

/* ------------------------------------------------------------------------ */
/* The statistics record                                                    */

/* Head bits (block.c has the layout). */
enum {
    H_VALID = 1,   /* CODEC_STATS_VALID */
    H_RAWV = 2,    /* float: values as bit patterns, not decimals */
    H_RAWSUM = 4,  /* float: the sum as a bit pattern, not hint + ulps */
    H_ESHIFT = 3,  /* float: bits 3..6, the decimal scale */
    H_BFIRST = 2,  /* bool: the first value */
    H_BLAST = 4,   /* bool: the last value */
};
/* Where first and last are: stored, or equal to min or max (a counter's
 * first is its min and its last its max: two fields saved). */
enum { AT_OWN = 0, AT_MIN = 1, AT_MAX = 2 };

#define M53 ((int64_t)1 << 53)

/* The shift of the first/last states in the head, by type. */
static unsigned at_shift(st_vtype type) { return type == ST_VT_FLOAT ? 7 : 1; }

static unsigned at_of(uint64_t v, const codec_stats *s)
{
    return v == s->min ? AT_MIN : v == s->max ? AT_MAX : AT_OWN;
}

/* The smallest scale at which all k values are decimals, with their
 * mantissas in m; -1 if there is none. */
static int dec_scale(const uint64_t *v, size_t k, int64_t *m)
{
    unsigned E = 0;
    for (size_t i = 0; i < k; i++) {
        while (E <= 15 && !codec_decimal_at(v[i], E, &m[i])) E++;
        if (E > 15) return -1;
    }
    for (size_t i = 0; i < k; i++)
        if (!codec_decimal_at(v[i], E, &m[i])) return -1;
    return (int)E;
}

/* count x range / 2, modulo 2^64: sums are stored as their distance from
 * it (the sum of values spread evenly over [min, max]), which is shorter
 * than the distance from count x min for most shapes. */
static uint64_t mid_sum(uint32_t count, uint64_t range)
{
    return (uint64_t)(((unsigned __int128)count * range) >> 1);
}

static void put_raw(st_buf *out, uint64_t v)
{
    uint8_t b[8];
    put_u64le(b, v);
    st_buf_put(out, b, 8);
}

/* The sum of a valid float record as a hint the reader recomputes plus the
 * distance in ulps (bit patterns modulo 2^64, so any sum round-trips), into
 * tmp; its length, or 0 when 8 raw bytes are shorter. Decimals (E >= 0,
 * mantissas m): the hint is the sum rounded to the scale, msum / 10^E, a few
 * ulps from a left-to-right sum of decimals (none for integers), and msum
 * is stored around mid_sum. Other floats: min x count, close for a constant
 * chunk. */
static size_t float_sum(const codec_stats *s, int E, const int64_t *m, uint8_t tmp[20])
{
    size_t tl = 0;
    if (E >= 0) {
        double t = f64_of(s->sum) * codec_pow10[E];
        int64_t base, d;
        if (!(fabs(t) < 4611686018427387904.0) /* 2^62; NaN too */ ||
            __builtin_mul_overflow((int64_t)s->count, m[0], &base))
            return 0;
        int64_t ms = (int64_t)(t < 0 ? t - 0.5 : t + 0.5);
        if (__builtin_sub_overflow(ms, base, &d)) return 0;
        uint64_t off = (uint64_t)d - mid_sum(s->count, (uint64_t)(m[1] - m[0]));
        uint64_t ulps = s->sum - f64_bits((double)ms / codec_pow10[E]);
        tl = varint_put(tmp, zigzag_enc((int64_t)off));
        tl += varint_put(tmp + tl, zigzag_enc((int64_t)ulps));
    } else {
        uint64_t ulps = s->sum - f64_bits(f64_of(s->min) * (double)s->count);
        tl = varint_put(tmp, zigzag_enc((int64_t)ulps));
    }
    return tl <= 8 ? tl : 0;
}

static void float_put(const codec_stats *s, st_buf *out)
{
    bool valid = s->flags & CODEC_STATS_VALID;
    uint64_t v[4] = {s->min, s->max, s->first, s->last};
    int64_t m[4];
    int E = dec_scale(valid ? v : v + 2, valid ? 4 : 2, m);
    uint64_t head = (valid ? H_VALID : 0) | (E >= 0 ? (uint64_t)E << H_ESHIFT : H_RAWV);
    if (!valid) {
        varint_buf(out, head);
        if (E >= 0) {
            varint_buf_signed(out, m[0]);
            varint_buf_signed(out, m[1] - m[0]);
        } else {
            put_raw(out, s->first);
            varint_buf(out, s->last ^ s->first);
        }
        return;
    }
    unsigned af = at_of(s->first, s), al = at_of(s->last, s);
    uint8_t tmp[20];
    size_t tl = float_sum(s, E, m, tmp);
    head |= (uint64_t)(af | al << 2) << 7 | (tl ? 0 : H_RAWSUM);
    varint_buf(out, head);
    if (E >= 0) {
        varint_buf_signed(out, m[0]);
        varint_buf(out, (uint64_t)(m[1] - m[0]));
        if (af == AT_OWN) varint_buf(out, (uint64_t)(m[2] - m[0]));
        if (al == AT_OWN) varint_buf(out, (uint64_t)(m[3] - m[0]));
    } else {
        put_raw(out, s->min);
        varint_buf(out, s->max ^ s->min);
        if (af == AT_OWN) varint_buf(out, s->first ^ s->min);
        if (al == AT_OWN) varint_buf(out, s->last ^ s->min);
    }
    if (tl) st_buf_put(out, tmp, tl);
    else put_raw(out, s->sum);
}

void blk_stats_put(st_vtype type, const codec_stats *s, st_buf *out)
{
    bool valid = s->flags & CODEC_STATS_VALID;
    switch (type) {
    case ST_VT_FLOAT: float_put(s, out); return;
    case ST_VT_INT:
    case ST_VT_UINT:
        if (!valid) {
            st_buf_putc(out, 0);
            if (type == ST_VT_INT) varint_buf_signed(out, (int64_t)s->first);
            else varint_buf(out, s->first);
            varint_buf_signed(out, (int64_t)(s->last - s->first));
            return;
        }
        unsigned af = at_of(s->first, s), al = at_of(s->last, s);
        st_buf_putc(out, (uint8_t)(H_VALID | af << 1 | al << 3));
        if (type == ST_VT_INT) varint_buf_signed(out, (int64_t)s->min);
        else varint_buf(out, s->min);
        varint_buf(out, s->max - s->min);
        if (af == AT_OWN) varint_buf(out, s->first - s->min);
        if (al == AT_OWN) varint_buf(out, s->last - s->min);
        /* sum - count x min lies in [0, count x range]: stored modulo
         * 2^64 around mid_sum */
        varint_buf_signed(out, (int64_t)(s->sum - (uint64_t)s->count * s->min -
                                         mid_sum(s->count, s->max - s->min)));
        return;
    case ST_VT_BOOL:
        st_buf_putc(out, (uint8_t)(H_VALID | (s->first ? H_BFIRST : 0) | (s->last ? H_BLAST : 0)));
        varint_buf(out, s->sum);
        return;
    case ST_VT_STRING: st_buf_putc(out, 0); return;
    }
}

/* The fields that follow a head, one letter each: 'u' uvarint, 's' zig-zag
 * varint (kept as its int64 bits), '8' u64le. False for a head the type
 * cannot have. */
static bool layout(st_vtype type, uint64_t h, char out[8])
{
    unsigned sh = at_shift(type), af = (unsigned)(h >> sh) & 3, al = (unsigned)(h >> (sh + 2)) & 3;
    bool valid = h & H_VALID;
    const char *own = "", *rest = "";
    switch (type) {
    case ST_VT_STRING:
        if (h) return false;
        break;
    case ST_VT_BOOL:
        if ((h & ~(uint64_t)7) || !valid) return false;
        rest = "u";
        break;
    case ST_VT_INT:
    case ST_VT_UINT:
        if ((h >> (sh + 4)) || af == 3 || al == 3 || (!valid && h)) return false;
        if (!valid) {
            rest = type == ST_VT_INT ? "ss" : "us";
            break;
        }
        own = type == ST_VT_INT ? "su" : "uu";
        rest = "s";
        break;
    case ST_VT_FLOAT: {
        bool rawv = h & H_RAWV, rawsum = h & H_RAWSUM;
        unsigned E = (unsigned)(h >> H_ESHIFT) & 15;
        if ((h >> (sh + 4)) || af == 3 || al == 3 || (rawv && E)) return false;
        if (!valid) {
            if (rawsum || af || al) return false;
            rest = rawv ? "8u" : "ss";
            break;
        }
        own = rawv ? "8u" : "su";
        rest = rawsum ? "8" : rawv ? "s" : "ss";
        break;
    }
    default: return false;
    }
    size_t k = 0;
    for (; *own; own++) out[k++] = *own;
    if (valid && type != ST_VT_BOOL) {
        if (af == AT_OWN) out[k++] = 'u';
        if (al == AT_OWN) out[k++] = 'u';
    }
    for (; *rest; rest++) out[k++] = *rest;
    out[k] = 0;
    return true;
}

/* Reads the head and fields of the record at [p, end) (6 fields at most);
 * *used is the record's length. */
static int stats_fields(st_vtype type, const uint8_t *p, const uint8_t *end, uint64_t *head,
                        uint64_t f[6], size_t *used, const char **why)
{
    const uint8_t *q = p;
    char l[8];
    if (varint_get(&q, end, head)) {
        *why = "truncated";
        return ST_ECORRUPT;
    }
    if (!layout(type, *head, l)) {
        *why = "invalid head";
        return ST_ECORRUPT;
    }
    for (size_t i = 0; l[i]; i++) {
        bool bad;
        if (l[i] == '8') {
            bad = end - q < 8;
            if (!bad) f[i] = get_u64le(q), q += 8;
        } else {
            bad = varint_get(&q, end, &f[i]) != 0;
            if (!bad && l[i] == 's') f[i] = (uint64_t)zigzag_dec(f[i]);
        }
        if (bad) {
            *why = "truncated";
            return ST_ECORRUPT;
        }
    }
    *used = (size_t)(q - p);
    return 0;
}

int blk_stats_skip(st_vtype type, const uint8_t *rec, size_t len, size_t *stats_len,
                   const char **why)
{
    uint64_t h, f[6];
    return stats_fields(type, rec, rec + len, &h, f, stats_len, why);
}

static int bad(const char **why, const char *msg)
{
    *why = msg;
    return ST_ECORRUPT;
}

static bool fle(uint64_t a, uint64_t b) { return f64_of(a) <= f64_of(b); }

/* Sets first and last by their states in the head; stored ones come from
 * f[*k], which must not exceed limit. False if one does. */
static bool place(st_vtype type, uint64_t h, const uint64_t *f, size_t *k, uint64_t limit,
                  codec_stats *o, uint64_t (*own)(const codec_stats *o, uint64_t field, const void *ctx),
                  const void *ctx)
{
    unsigned sh = at_shift(type), at[2] = {(unsigned)(h >> sh) & 3, (unsigned)(h >> (sh + 2)) & 3};
    uint64_t *dst[2] = {&o->first, &o->last};
    for (int i = 0; i < 2; i++) {
        if (at[i] == AT_OWN && f[*k] > limit) return false;
        *dst[i] = at[i] == AT_MIN ? o->min : at[i] == AT_MAX ? o->max : own(o, f[(*k)++], ctx);
    }
    return true;
}

static uint64_t own_int(const codec_stats *o, uint64_t field, const void *ctx)
{
    (void)ctx;
    return o->min + field; /* field <= range: checked by the caller */
}

static uint64_t own_xor(const codec_stats *o, uint64_t field, const void *ctx)
{
    (void)ctx;
    return o->min ^ field;
}

typedef struct decctx {
    int64_t m0;
    unsigned E;
} decctx;

static uint64_t own_dec(const codec_stats *o, uint64_t field, const void *ctx)
{
    (void)o;
    const decctx *c = ctx;
    return f64_bits((double)(c->m0 + (int64_t)field) / codec_pow10[c->E]);
}

/* The float record's values, by its head (layout has checked it). */
static int float_decode(uint64_t h, const uint64_t *f, uint32_t count, codec_stats *o,
                        const char **why)
{
    bool valid = h & H_VALID, rawv = h & H_RAWV;
    unsigned E = (unsigned)(h >> H_ESHIFT) & 15;
    if (!valid) {
        if (rawv) {
            o->first = f[0];
            o->last = f[0] ^ f[1];
            return 0;
        }
        int64_t m0 = (int64_t)f[0], d = (int64_t)f[1];
        if (m0 > M53 || m0 < -M53 || d > 2 * M53 || d < -2 * M53 || m0 + d > M53 || m0 + d < -M53)
            return bad(why, "mantissa out of range");
        o->first = f64_bits((double)m0 / codec_pow10[E]);
        o->last = f64_bits((double)(m0 + d) / codec_pow10[E]);
        return 0;
    }
    o->flags = CODEC_STATS_VALID;
    size_t k = 2;
    if (rawv) {
        o->min = f[0];
        o->max = f[0] ^ f[1];
        place(ST_VT_FLOAT, h, f, &k, UINT64_MAX, o, own_xor, NULL);
        uint64_t v[4] = {o->min, o->max, o->first, o->last};
        for (int i = 0; i < 4; i++)
            if (f64_of(v[i]) != f64_of(v[i])) return bad(why, "NaN in statistics marked valid");
        if (!fle(o->min, o->first) || !fle(o->first, o->max) || !fle(o->min, o->last) ||
            !fle(o->last, o->max))
            return bad(why, "first or last outside [min, max]");
        if (h & H_RAWSUM) o->sum = f[k];
        else o->sum = f64_bits(f64_of(o->min) * (double)count) + f[k];
        return 0;
    }
    int64_t m0 = (int64_t)f[0];
    uint64_t range = f[1];
    if (m0 > M53 || m0 < -M53 || range > (uint64_t)(M53 - m0))
        return bad(why, "mantissa out of range");
    decctx c = {m0, E};
    o->min = f64_bits((double)m0 / codec_pow10[E]);
    o->max = f64_bits((double)(m0 + (int64_t)range) / codec_pow10[E]);
    if (!place(ST_VT_FLOAT, h, f, &k, range, o, own_dec, &c))
        return bad(why, "first or last outside [min, max]");
    if (h & H_RAWSUM) {
        o->sum = f[k];
        return 0;
    }
    int64_t base, ms;
    uint64_t d = f[k] + mid_sum(count, range);
    if (__builtin_mul_overflow((int64_t)count, m0, &base) ||
        __builtin_add_overflow(base, (int64_t)d, &ms))
        return bad(why, "sum out of range");
    o->sum = f64_bits((double)ms / codec_pow10[E]) + f[k + 1];
    return 0;
}

int blk_stats_decode(st_vtype type, const uint8_t *rec, size_t stats_len, uint32_t count,
                     codec_stats *out, const char **why)
{
    uint64_t h, f[6];
    size_t used;
    memset(out, 0, sizeof *out);
    int rc = stats_fields(type, rec, rec + stats_len, &h, f, &used, why);
    if (rc) return rc;
    if (used != stats_len) return bad(why, "length mismatch");
    if (count == 0) return bad(why, "empty chunk");
    out->count = count;
    bool valid = h & H_VALID;
    switch (type) {
    case ST_VT_STRING: return 0;
    case ST_VT_BOOL: {
        uint64_t sum = f[0], first = (h & H_BFIRST) != 0, last = (h & H_BLAST) != 0;
        if (sum > count) return bad(why, "more true values than samples");
        if ((sum == 0 && (first || last)) || (sum == count && (!first || !last)))
            return bad(why, "first or last disagrees with the sum");
        out->flags = CODEC_STATS_VALID;
        out->sum = sum;
        out->first = first;
        out->last = last;
        out->min = sum == count;
        out->max = sum > 0;
        return 0;
    }
    case ST_VT_INT:
    case ST_VT_UINT: {
        bool sgn = type == ST_VT_INT;
        if (!valid) {
            out->first = f[0];
            out->last = f[0] + f[1]; /* modulo 2^64 */
            return 0;
        }
        uint64_t mn = f[0], range = f[1];
        if (sgn ? (__int128)(int64_t)mn + (__int128)range > INT64_MAX : range > UINT64_MAX - mn)
            return bad(why, "max out of range");
        out->flags = CODEC_STATS_VALID;
        out->min = mn;
        out->max = mn + range;
        size_t k = 2;
        if (!place(type, h, f, &k, range, out, own_int, NULL))
            return bad(why, "first or last outside [min, max]");
        out->sum = (uint64_t)count * mn + mid_sum(count, range) + f[k]; /* modulo 2^64 */
        bool in;
        if (sgn) {
            __int128 s = (int64_t)out->sum;
            in = s >= (__int128)count * (int64_t)out->min && s <= (__int128)count * (int64_t)out->max;
        } else {
            unsigned __int128 s = out->sum;
            in = s >= (unsigned __int128)count * out->min && s <= (unsigned __int128)count * out->max;
        }
        if (!in) return bad(why, "sum outside count x [min, max]");
        return 0;
    }
    case ST_VT_FLOAT: return float_decode(h, f, count, out, why);
    }
    return bad(why, "unknown type");
}

/* ------------------------------------------------------------------------ */
/* Chunk records                                                            */

/* The record of chunk c (series id), its crc verified (once per open for
 * queries; every time when recheck: what compaction copies into a new
 * block under a new checksum must be what was written); *codec and *clen
 * are the codec chunk inside it, *slen the statistics record before it
 * (0 in version 1). They point into the mapping, or, for a block read
 * with pread (an encrypting vfs), into scratch. */
static int chunk_record(const blk *b, uint32_t id, uint32_t c, bool recheck, const uint8_t **codec, size_t *clen,
                        size_t *slen, st_buf *scratch, st_err *e)
{
    uint64_t start = blk_cstart(b, c);
    const uint8_t *p = b->chunks ? b->chunks + start : NULL;
    size_t len = (size_t)(blk_cend(b, c) - start - 4);
    if (!p) {
        st_buf_reserve(scratch, len + 4);
        int rc = vfs_pread_all(b->v, b->chunks_fd, scratch->p, len + 4, (off_t)start);
        if (rc == -EBADMSG)
            return blk_corrupt(e, b->dir, "chunks", "series %u: chunk at offset %llu: its seal does not hold", id,
                               (unsigned long long)start);
        if (rc < 0)
            return st_fail(e, st_from_errno(rc), "block %s: reading chunks at offset %llu: %s", b->dir,
                           (unsigned long long)start, strerror(-rc));
        p = scratch->p;
    }
    uint32_t k = c - b->chk_first[id];
    uint64_t bit = 1ull << (c % 64);
    if (recheck || !(atomic_load_explicit(&b->crc_ok[c / 64], memory_order_relaxed) & bit)) {
        if (CRC_BAD(crc32c(0, p, len), get_u32le(p + len)))
            return blk_corrupt(e, b->dir, "chunks", "series %u: chunk %u at offset %llu: checksum mismatch",
                               id, k, (unsigned long long)start);
        atomic_fetch_or_explicit(&b->crc_ok[c / 64], bit, memory_order_relaxed);
    }
    *slen = 0;
    if (b->version >= BLK_VERSION_2) {
        const char *why = "";
        int rc = blk_stats_skip((st_vtype)b->meta[id].type, p, len, slen, &why);
        if (rc == 0 && len - *slen < 2) why = "no chunk after them";
        if (rc || len - *slen < 2)
            return blk_corrupt(e, b->dir, "chunks", "series %u: chunk %u at offset %llu: "
                               "statistics: %s", id, k, (unsigned long long)start, why);
    }
    *codec = p + *slen;
    *clen = len - *slen;
    if ((*codec)[1] != b->meta[id].type)
        return blk_corrupt(e, b->dir, "chunks", "series %u: chunk %u at offset %llu: type %u, "
                           "series has %u", id, k, (unsigned long long)start, (*codec)[1],
                           b->meta[id].type);
    return 0;
}

/* Verifies and decodes chunk c of series id into s. Version 2 timestamps are
 * relative to the chunk's mint and must span exactly [mint, maxt] of the
 * index; version 1 ones are relative to b->base and must lie within the
 * chunk's bounds: a second line against an index that points at the wrong
 * (intact) chunk. */
static int chunk_decode(const blk *b, uint32_t id, uint32_t c, bool recheck, codec_samples *s, st_err *e)
{
    const uint8_t *p;
    size_t len, slen;
    st_buf scratch = {0};
    int rc = chunk_record(b, id, c, recheck, &p, &len, &slen, &scratch, e);
    if (rc) {
        st_buf_free(&scratch);
        s->n = 0;
        return rc;
    }
    unsigned long long off = (unsigned long long)blk_cstart(b, c);
    uint32_t k = c - b->chk_first[id];
    int drc = codec_decode(p, len, s, e); /* copies out: the record is not needed after */
    st_buf_free(&scratch);
    if (drc != 0) {
        if (e) {
            st_wrap(e, "block %s: chunks: series %u: chunk %u at offset %llu", b->dir, id, k, off);
            e->code = ST_ECORRUPT;
        }
        s->n = 0;
        return ST_ECORRUPT;
    }
    int64_t lo = blk_cmint(b, c), hi = blk_cmaxt(b, c);
    bool v2 = b->version >= BLK_VERSION_2;
    uint64_t base = v2 ? (uint64_t)lo : b->base;
    for (size_t i = 0; i < s->n; i++) s->ts[i] = (int64_t)((uint64_t)s->ts[i] + base);
    /* The codec's timestamps increase; rebased modulo 2^64 they still do
     * unless they wrapped past INT64_MAX, and then the last is below the
     * first (the span is under 2^64), which the bounds alone would miss. */
    if (s->n == 0 || s->ts[0] < lo || s->ts[s->n - 1] > hi || s->ts[s->n - 1] < s->ts[0] ||
        (v2 && (s->ts[0] != lo || s->ts[s->n - 1] != hi))) {
        s->n = 0;
        return blk_corrupt(e, b->dir, "chunks", "series %u: chunk %u at offset %llu: timestamps "
                           "disagree with the index", id, k, off);
    }
    return 0;
}

static size_t ts_lower(const int64_t *ts, size_t n, int64_t t)
{
    size_t lo = 0, hi = n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (ts[mid] < t) lo = mid + 1;
        else hi = mid;
    }
    return lo;
}

/* Keeps the samples with mint <= ts <= maxt. */
static void keep_range(codec_samples *s, bool str, int64_t mint, int64_t maxt)
{
    size_t from = ts_lower(s->ts, s->n, mint);
    size_t to = maxt == INT64_MAX ? s->n : ts_lower(s->ts, s->n, maxt + 1);
    if (to <= from) {
        s->n = 0;
        return;
    }
    if (from) {
        memmove(s->ts, s->ts + from, (to - from) * sizeof *s->ts);
        if (str) memmove(s->strs, s->strs + from, (to - from) * sizeof *s->strs);
        else memmove(s->vals, s->vals + from, (to - from) * sizeof *s->vals);
    }
    s->n = to - from;
}

/* The first tombstone entry of series id (t->n if none). */
static size_t tomb_first(const tombset *t, uint32_t id)
{
    size_t lo = 0, hi = t->n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (t->e[mid].id < id) lo = mid + 1;
        else hi = mid;
    }
    return lo;
}

static void apply_tombs(const tombset *t, uint32_t id, codec_samples *s, bool str)
{
    size_t k = tomb_first(t, id), j = 0;
    for (size_t i = 0; i < s->n; i++) {
        int64_t ts = s->ts[i];
        while (k < t->n && t->e[k].id == id && t->e[k].maxt < ts) k++;
        if (k < t->n && t->e[k].id == id && t->e[k].mint <= ts) continue;
        if (j != i) {
            s->ts[j] = ts;
            if (str) s->strs[j] = s->strs[i];
            else s->vals[j] = s->vals[i];
        }
        j++;
    }
    s->n = j;
}

static void tombs_apply(blk *b, uint32_t id, codec_samples *s, bool str)
{
    if (!s->n || !atomic_load_explicit(&b->has_tomb, memory_order_acquire)) return;
    tombset *t = blk_tomb_get(b);
    if (t) apply_tombs(t, id, s, str);
    blk_tomb_unref(t);
}

/* Several chunks: decode each into a scratch struct and append its kept
 * samples to out. Strings are copied into out->strbuf and their slices
 * fixed up at the end, since strbuf may move while it grows. */
static int read_chunks(blk *b, uint32_t id, uint32_t c, uint32_t cend, int64_t mint, int64_t maxt,
                       codec_samples *out, st_err *e)
{
    bool str = b->meta[id].type == ST_VT_STRING;
    codec_samples tmp = {0};
    size_t *soff = NULL, total = 0;
    int rc = 0;
    out->n = 0;
    out->strbuf.len = 0;
    for (; c < cend; c++) {
        rc = chunk_decode(b, id, c, true, &tmp, e);
        if (rc) break;
        keep_range(&tmp, str, mint, maxt);
        if (!tmp.n) continue;
        codec_samples_reserve(out, total + tmp.n); /* keeps the first `total` */
        memcpy(out->ts + total, tmp.ts, tmp.n * sizeof *tmp.ts);
        if (!str) {
            memcpy(out->vals + total, tmp.vals, tmp.n * sizeof *tmp.vals);
        } else {
            soff = st_realloc(soff, (total + tmp.n) * sizeof *soff);
            for (size_t i = 0; i < tmp.n; i++) {
                soff[total + i] = out->strbuf.len;
                st_buf_put(&out->strbuf, tmp.strs[i].p, tmp.strs[i].n);
                out->strs[total + i].n = tmp.strs[i].n;
            }
        }
        total += tmp.n;
    }
    if (rc == 0 && str && total) {
        st_buf_reserve(&out->strbuf, 1); /* never base a slice on a NULL buffer */
        for (size_t i = 0; i < total; i++)
            out->strs[i].p = (const char *)out->strbuf.p + soff[i];
    }
    out->n = rc ? 0 : total;
    st_free(soff);
    codec_samples_free(&tmp);
    return rc;
}

int blk_read(blk *b, uint32_t id, int64_t mint, int64_t maxt, codec_samples *out, st_err *e)
{
    out->n = 0;
    if (id >= b->nseries)
        return st_fail(e, ST_EINVAL, "block %s: series id %u out of range (%u series)", b->dir, id,
                       b->nseries);
    if (mint > maxt || maxt < b->mint || mint > b->maxt) return 0;
    bool str = b->meta[id].type == ST_VT_STRING;
    /* chunks are in time order and disjoint: skip those wholly outside */
    uint32_t c = b->chk_first[id], c1 = b->chk_first[id + 1];
    while (c < c1 && blk_cmaxt(b, c) < mint) c++;
    uint32_t cend = c;
    while (cend < c1 && blk_cmint(b, cend) <= maxt) cend++;
    int rc = 0;
    if (cend - c == 1) {
        rc = chunk_decode(b, id, c, true, out, e);
        if (rc == 0) keep_range(out, str, mint, maxt);
    } else if (cend > c) {
        rc = read_chunks(b, id, c, cend, mint, maxt, out, e);
    }
    if (rc == 0) tombs_apply(b, id, out, str);
    return rc;
}

uint32_t blk_series_nchunks(const blk *b, uint32_t id)
{
    return id < b->nseries ? b->chk_first[id + 1] - b->chk_first[id] : 0;
}

static int chunk_ref(const blk *b, uint32_t id, uint32_t i, uint32_t *c, st_err *e)
{
    if (id >= b->nseries)
        return st_fail(e, ST_EINVAL, "block %s: series id %u out of range (%u series)", b->dir, id,
                       b->nseries);
    if (i >= b->chk_first[id + 1] - b->chk_first[id])
        return st_fail(e, ST_EINVAL, "block %s: series %u has no chunk %u", b->dir, id, i);
    *c = b->chk_first[id] + i;
    return 0;
}

int blk_read_chunk(blk *b, uint32_t id, uint32_t i, int64_t mint, int64_t maxt, codec_samples *out,
                   st_err *e)
{
    uint32_t c = 0;
    out->n = 0;
    int rc = chunk_ref(b, id, i, &c, e);
    if (rc) return rc;
    if (mint > maxt || maxt < blk_cmint(b, c) || mint > blk_cmaxt(b, c)) return 0;
    rc = chunk_decode(b, id, c, false, out, e);
    if (rc) return rc;
    keep_range(out, b->meta[id].type == ST_VT_STRING, mint, maxt);
    tombs_apply(b, id, out, b->meta[id].type == ST_VT_STRING);
    return 0;
}

void blk_chunk_bounds(const blk *b, uint32_t id, uint32_t i, int64_t *mint, int64_t *maxt, bool *exact)
{
    uint32_t c = 0;
    if (chunk_ref((blk *)b, id, i, &c, NULL)) {
        *mint = INT64_MAX;
        *maxt = INT64_MIN;
        *exact = false;
        return;
    }
    *mint = blk_cmint(b, c);
    *maxt = blk_cmaxt(b, c);
    *exact = b->version >= BLK_VERSION_2;
}

static int chunk_meta_of(blk *b, uint32_t id, uint32_t i, uint32_t c, const uint8_t *p, size_t len, size_t slen,
                         blk_chunk *out, st_err *e);

int blk_chunk_meta(blk *b, uint32_t id, uint32_t i, blk_chunk *out, st_err *e)
{
    uint32_t c = 0;
    memset(out, 0, sizeof *out);
    int rc = chunk_ref(b, id, i, &c, e);
    if (rc) return rc;
    out->mint = blk_cmint(b, c);
    out->maxt = blk_cmaxt(b, c);
    if (b->version < BLK_VERSION_2) return 0; /* a lower bound, no stats */
    out->exact_mint = true;
    const uint8_t *p;
    size_t len, slen;
    st_buf scratch = {0};
    rc = chunk_record(b, id, c, false, &p, &len, &slen, &scratch, e);
    if (rc == 0) rc = chunk_meta_of(b, id, i, c, p, len, slen, out, e);
    st_buf_free(&scratch);
    return rc;
}

/* blk_chunk_meta's reading of a verified record. */
static int chunk_meta_of(blk *b, uint32_t id, uint32_t i, uint32_t c, const uint8_t *p, size_t len, size_t slen,
                         blk_chunk *out, st_err *e)
{
    st_vtype t;
    size_t n;
    int64_t first, last;
    unsigned long long off = (unsigned long long)blk_cstart(b, c);
    if (codec_peek(p, len, &t, &n, &first, &last, e) != 0) {
        if (e) {
            st_wrap(e, "block %s: chunks: series %u: chunk %u at offset %llu", b->dir, id, i, off);
            e->code = ST_ECORRUPT;
        }
        return ST_ECORRUPT;
    }
    if (first != 0 || (uint64_t)last != (uint64_t)out->maxt - (uint64_t)out->mint)
        return blk_corrupt(e, b->dir, "chunks", "series %u: chunk %u at offset %llu: time range "
                           "disagrees with the index", id, i, off);
    const char *why = "";
    if (blk_stats_decode(t, p - slen, slen, (uint32_t)n, &out->stats, &why) != 0)
        return blk_corrupt(e, b->dir, "chunks", "series %u: chunk %u at offset %llu: statistics: %s",
                           id, i, off, why);
    uint64_t unit;
    int64_t f0;
    if (codec_ts_unit(p, len, &f0, &unit, NULL) == 0)
        out->ms_aligned = out->mint % ST_NS_PER_MS == 0 && unit % ST_NS_PER_MS == 0;
    return 0;
}

bool blk_tombstoned(blk *b, uint32_t id, int64_t mint, int64_t maxt)
{
    if (mint > maxt || !atomic_load_explicit(&b->has_tomb, memory_order_acquire)) return false;
    tombset *t = blk_tomb_get(b);
    bool hit = false;
    if (t) {
        for (size_t k = tomb_first(t, id); k < t->n && t->e[k].id == id && !hit; k++) {
            if (t->e[k].mint > maxt) break;
            hit = t->e[k].maxt >= mint;
        }
    }
    blk_tomb_unref(t);
    return hit;
}
