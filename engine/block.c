/* block: immutable on-disk blocks: the reader. The contract is in block.h,
 * the writer in block_write.c, chunk reads and the statistics record in
 * block_chunks.c, the in-memory block in block_int.h; this comment fixes the
 * bytes. Integers are little-endian; "uv" is a LEB128 uvarint (bits.h), "sv"
 * a zig-zag one; crc is CRC-32C. The writer writes format version 2; version
 * 1 blocks (written before it) are read forever: test_block_v2.c keeps a byte
 * image of one. A block's three files carry the same version.
 *
 * meta (one record; every version keeps the first and last rule):
 *   "STBM" u8 version | body | u32 crc of all bytes before it
 *   body (versions 1 and 2): id[26] i64 mint i64 maxt u32 level u32 nseries
 *            u64 nsamples u64 nchunks u32 nsources, then nsources x id[26]
 *   Valid when: the crc matches (checked before anything else, so a flipped
 *   version byte reads as damage, and an unknown version with a good crc is
 *   reported as such), version is 1 or 2, the length is exactly 79 +
 *   26*nsources, ids are 26 Crockford base32 characters, mint <= maxt,
 *   level >= 1.
 *
 * chunks:
 *   "STBC" u8 version | for each series in id order, for each of its chunks,
 *   a record and its crc:
 *     version 1: codec chunk (codec.h) | u32 crc of the codec chunk
 *     version 2: statistics | codec chunk | u32 crc of both
 *   Offsets are not stored anywhere: a record starts where the previous
 *   one's crc ended, so the index only carries lengths (about 2 bytes per
 *   chunk instead of 4-5 for an offset). The sum of the index's lengths must
 *   equal the file size exactly, which catches truncation at open. A record's
 *   crc is checked on every read before the codec sees a byte of it (4 bytes
 *   per chunk: 0.011 B/sample at 360 samples, inside the budget, and it lets
 *   a read verify exactly what it decodes rather than a whole page).
 *   Chunk timestamps: version 1 stores them relative to base = the block's
 *   mint (or 0 when maxt - mint does not fit an int64); version 2 relative to
 *   the chunk's own mint (exact in the index), so the codec's first
 *   timestamp is 0, one byte, and a chunk that starts hours into a block
 *   does not pay 6 bytes for it.
 *
 *   Cutting. Version 1: ceil(n / 65536) chunks a series (fewer samples per
 *   chunk when string payloads pass 16 MiB), so one read never decodes an
 *   unbounded chunk; a chunk was almost always the whole block. Version 2
 *   (block_fmt.h, blk_writer_add): a chunk ends at a multiple of S = 30 min
 *   from the epoch once it holds at least MIN = 480 samples and at least MIN
 *   samples of the series follow the boundary (a short span joins the next
 *   one, a short tail the chunk before it); and anywhere at 65536 samples,
 *   past 16 MiB of strings, or where its time span would pass INT64_MAX ns.
 *   So chunks are whole spans: 30 min at 1 s scrapes, 2 h at 15 s (one
 *   chunk per flush block, twelve per day in a compacted block), 90 min at
 *   10 s. Statistics answer a window only for the chunks it covers whole.
 *   Why MIN = 480: a chunk costs ~29 bytes besides its samples (codec header
 *   and per-section packer headers ~21, crc 4, index ~4) plus ~16 of
 *   statistics, against 1.74 B/sample of 15 s Prometheus-like data, so
 *   30-minute chunks at 15 s (120 samples) cost +18%. Measured with
 *   engine/bench/bench_block.c (du -sb of the block directory, 10k series:
 *   prom = 40% counters, 40% gauges, 20% constants, ms jitter; tsbs =
 *   2-decimal random walks), B/sample, version 1 -> 2 with S = 30 min and:
 *                         MIN=64          128           256          480
 *     prom 15 s, 2 h   1.743 -> 2.060  1.866         1.772        1.772 (+1.7%)
 *     prom  1 s, 2 h   1.663 -> 1.686  1.686         1.686        1.686 (+1.4%)
 *     prom 60 s, 2 h   1.990 -> 2.094  2.094         2.094        2.094 (+5.2%)
 *     tsbs 10 s, 2 h   0.997 -> 1.167  1.167         1.066        1.015 (+1.8%)
 *     prom 15 s, 24 h  1.664 -> 2.048  1.858         1.797        1.754 (+5.4%)
 *     tsbs 10 s, 24 h  0.962 ->  -      -             -           1.030 (+7.1%)
 *   (S = 1 h with MIN = 128 gave 1.866 / 1.672 / 2.094 / 1.066 / 1.858; one
 *   chunk per 2 h, i.e. statistics alone, 1.772 / 1.665 / 2.094 / 1.015 /
 *   1.764.) 60 s data pays +5.2% with one chunk per block: 120 samples
 *   carry the same statistics record. Compacted 24 h blocks give back the
 *   few % that version 1 won from one long chunk.
 *
 *   statistics (version 2), the chunk's codec_stats (codec.h) in the
 *   series' type; count is the codec header's n, not stored again:
 *     uv head, then fields by type and head:
 *     string: head 0, nothing.
 *     bool:   head = 1 | first << 1 | last << 2; uv sum (number of true);
 *             min = (sum == count), max = (sum > 0).
 *     int, uint: head = valid | at(first) << 1 | at(last) << 3, where
 *             at(x) is 1 when x == min, 2 when x == max (else 0: stored).
 *             valid: min (sv for int, uv for uint) | uv max - min |
 *                    [uv first - min] [uv last - min] (when at() is 0) |
 *                    sv sum - count x min - floor(count x (max - min) / 2),
 *                    modulo 2^64: a sum is stored as its distance from the
 *                    sum of values spread evenly over [min, max].
 *             not valid (the sum overflowed): head 0; first (sv int, uv
 *                    uint) | sv last - first (modulo 2^64).
 *     float:  head = valid | rawv << 1 | rawsum << 2 | E << 3 | at(first)
 *             << 7 | at(last) << 9 (one byte unless first or last is min or
 *             max, whose saved fields pay for the second). rawv = 0: min,
 *             max, first and last are decimals at scale E (0..15): v ==
 *             (double)m / 10^E exactly for integers |m| <= 2^53 (codec.c's
 *             rule), m stored; rawv = 1 (then E = 0): bit patterns.
 *             valid, decimals: sv m_min | uv m_max - m_min | [uv m_first -
 *                    m_min] [uv m_last - m_min] | sum
 *             valid, bit patterns: u64 min | uv max ^ min | [uv first ^ min]
 *                    [uv last ^ min] | sum
 *             sum: rawsum: u64 bits. Else bits(hint) + ulps modulo 2^64,
 *                    stored as: decimals: sv msum - count x m_min -
 *                    floor(count x (m_max - m_min) / 2) (modulo 2^64), sv
 *                    ulps, with hint = (double)msum / 10^E (msum = the sum
 *                    rounded to the scale: 0 ulps for integers, a few for
 *                    other decimals); bit patterns: sv ulps, with hint = min
 *                    x (double)count (a constant's sum). rawsum when that
 *                    would take more than 8 bytes, or msum (|sum| x 10^E <
 *                    2^62) or its difference overflows.
 *             not valid (a NaN among the values; at() and rawsum are 0):
 *                    decimals: sv m_first | sv m_last - m_first; bit
 *                    patterns: u64 first | uv last ^ first.
 *     When valid is clear, min, max and sum are 0 (codec_stats_compute).
 *     Decoding checks every head bit, field range and order (min <= first,
 *     last <= max; integer sums within count x [min, max]; no NaN in valid
 *     floats): a record that passes its crc but is inconsistent is
 *     ST_ECORRUPT (one that is merely different cannot be told).
 *   Sizes: 12 bytes for a counter, 13 for a non-decimal constant, 23 for a
 *   random-walk gauge at 1e9, 13 for a 2-decimal TSBS value; average 16.5
 *   on the prom data (the fields are near their entropy).
 *
 *   Where statistics live. Beside the chunk, inside its crc, read only by
 *   blk_chunk_meta: they cost no memory. In the index they would be in
 *   memory for every open block: 48 bytes a chunk decoded, or ~20 kept
 *   encoded with an offset, i.e. +10% of a one-chunk block's 207 B/series
 *   and +240 B/series for a 24 h block of 15 s data (twelve chunks), against
 *   2.3 bytes a chunk saved on disk (zstd shrinks the stats column from 16.5
 *   to 14.2 bytes a chunk on the prom data, 0.3%). The price: a scan that
 *   wants only statistics touches the chunk's page.
 *
 * index:
 *   "STBI" u8 version | section symbols | section pairs | section series
 *   section: u8 kind(1,2,3) uv raw_len uv stored_len u8 method(0 raw, 1 zstd)
 *            stored bytes | u32 crc of everything from kind to here
 *   The three sections come in that order and nothing follows the last.
 *   zstd is used when it shrinks the section (tiny blocks stay raw).
 *   symbols: uv count, then per symbol uv shared uv suffix_len suffix: the
 *            symbol is previous[0:shared] + suffix (front coding). Symbols are
 *            non-empty and strictly increasing bytewise, hence unique.
 *   pairs:   the distinct label pairs (name sym, value sym), strictly
 *            increasing. uv count, then per pair uv dname uv v: dname is the
 *            name's increase over the previous pair's name (absolute for the
 *            first); when dname is 0 (same name), v is the value's increase
 *            (>= 1), else the absolute value sym. Every pair is used by
 *            some series (else label values would list a value no series has).
 *   series:  uv count (== meta nseries), version 2: uv tu (>= 1, the time
 *            unit of columns 7 and 8: the largest that divides every chunk
 *            mint and maxt minus the block's mint, 1e6 for millisecond data),
 *            then columns, each over all series in id order; columns keep
 *            like with like so zstd sees the long repeats (in TSBS-like data
 *            the label columns of metric k repeat those of metric 0 byte for
 *            byte):
 *            1. uv nlabels (>= 1)
 *            2. uv first pair id
 *            3. per series nlabels-1 x uv pair id increase (>= 1); label
 *               names must be strictly increasing within a series
 *            4. u8 vtype (1..5) uv table_len (<= length of the __name__ value)
 *            5. uv nchunks (>= 1; sum == meta nchunks)
 *            6. per chunk uv record length without the crc (>= 2; version 2
 *               >= 3)
 *            version 1:
 *            7. only for series with nchunks > 1, per chunk uv maxt increase
 *               (the first over the block's mint); a chunk then holds
 *               (maxt of the previous chunk, its maxt], which lets a read skip
 *               chunks outside its range. One-chunk series store nothing:
 *               their chunk spans the block.
 *            version 2 (exact times, for every chunk):
 *            7. per chunk uv (mint - m) / tu, where m is the previous chunk's
 *               maxt (>= 1: chunks are disjoint and in order), or the
 *               block's mint for a series' first chunk
 *            8. per chunk uv (maxt - mint) / tu
 *            Times must stay within [mint, maxt] of the block; the decoded
 *            chunk must start at exactly its mint and end at its maxt.
 *   The canonical key of each series is rebuilt from its labels; keys must be
 *   strictly increasing with the id (so ids are dense in key order and
 *   blk_find is a binary search).
 *
 *   Postings are not stored: they are fully determined by the series column,
 *   and open rebuilds them with one counting pass (O(labels), no sort). A
 *   stored copy would cost bytes (delta varints + zstd: 0.8 B/series on the
 *   TSBS-like data, 40% of the whole index), need the same validation pass,
 *   and could disagree with the series it indexes; a derived one cannot.
 *   Likewise the table index (block.h: blk_tables), built at open in one
 *   pass from each series' __name__ pair and table_len.
 *
 * In memory a block holds the symbols, the pairs and their postings, each
 * series' pair ids, rebuilt key, meta and chunk refs, and the table index:
 * 319 bytes per series on the TSBS-like data (11 labels; version 1: 323), of
 * which the keys (which blk_series_key lends out, so they must exist) are
 * 60%; 207 on the prom data (4 labels; version 1: 211). A chunk costs 12
 * bytes: where its record ends (uint32 while the chunks file is under 4
 * GiB) and its mint and maxt as uint32 counts of tu from the block's mint
 * (when the block's span allows; else 8 bytes for the offset, 16 for the
 * times). The table index costs 4 bytes a series and 20 a table, its
 * strings borrowed from the symbols. Measured by bench_block (heap kept by
 * blk_open; version 1 -> 2): prom 15 s 2 h
 * 211 -> 207, 1 s 2 h (4 chunks) 211 -> 243, 15 s 24 h (12 chunks) 211 ->
 * 324, 1 s 24 h (48 chunks) 231 -> 771 B/series.
 *
 * tombstones (optional; version 1 in blocks of either version):
 *   "STBT" u8 version(1) | uv count | per entry uv id_increase sv mint
 *   uv (maxt - mint) | u32 crc of all bytes before it
 *   Entries are sorted by (id, mint), ids < nseries, and the intervals of one
 *   series are disjoint and not adjacent (they are merged on write).
 *
 * Every length, count and ref read from disk is bounds-checked before use;
 * anything malformed is ST_ECORRUPT naming the block, file and section.
 * Allocation sizes that come from disk are capped (BLK_MAX_*), so a damaged
 * count cannot make us allocate without bound.
 */
#include "block_int.h"

#include "bits.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zstd.h>

#define BLK_MAX_META ((size_t)1 << 20)

/* ------------------------------------------------------------------------ */
/* Shared helpers                                                           */

int blk_corrupt(st_err *e, const char *dir, const char *file, const char *fmt, ...)
{
    char msg[384];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    return st_fail(e, ST_ECORRUPT, "block %s: %s: %s", dir, file, msg);
}

static int io_fail(st_err *e, int rc, const char *what, const char *path)
{
    return st_fail(e, st_from_errno(rc), "%s %s: %s", what, path, strerror(-rc));
}

static size_t uv_len(uint64_t v)
{
    size_t n = 1;
    while (v >= 0x80) v >>= 7, n++;
    return n;
}

/* ------------------------------------------------------------------------ */
/* The in-memory block                                                      */

void blk_tomb_unref(tombset *t)
{
    if (t && atomic_fetch_sub_explicit(&t->refs, 1, memory_order_acq_rel) == 1) st_free(t);
}

tombset *blk_tomb_get(blk *b)
{
    pthread_mutex_lock(&b->tmu);
    tombset *t = b->tomb;
    if (t) atomic_fetch_add_explicit(&t->refs, 1, memory_order_relaxed);
    pthread_mutex_unlock(&b->tmu);
    return t;
}

static void blk_free(blk *b)
{
    if (!b) return;
    if (b->mapped) b->v->unmap(b->v, b->chunks, b->chunks_len);
    if (b->chunks_fd >= 0) b->v->close(b->v, b->chunks_fd);
    blk_tomb_unref(b->tomb);
    pthread_mutex_destroy(&b->tmu);
    pthread_mutex_destroy(&b->add_mu);
    st_free(b->dir);
    st_free(b->sources);
    st_free(b->symbuf);
    st_free(b->syms);
    st_free(b->pair_name);
    st_free(b->pair_value);
    st_free(b->pair_nidx);
    st_free(b->post_off);
    st_free(b->post_ids);
    st_free(b->names);
    st_free(b->keybuf);
    st_free(b->key_off);
    st_free(b->meta);
    st_free(b->lab_off);
    st_free(b->lab_pairs);
    st_free(b->chk_first);
    st_free(b->cend32);
    st_free(b->cend64);
    st_free(b->ct32);
    st_free(b->ct64);
    st_free(b->tables);
    st_free(b->tab_off);
    st_free(b->tab_ids);
    st_free(b->tab_lo);
    st_free(b->tab_hi);
    st_free((void *)b->crc_ok);
    st_free(b);
}

static blk *blk_alloc(const char *dir)
{
    blk *b = st_calloc(1, sizeof *b);
    atomic_init(&b->refs, 1);
    atomic_init(&b->deleted, false);
    atomic_init(&b->has_tomb, false);
    atomic_init(&b->disk_bytes, 0);
    pthread_mutex_init(&b->tmu, NULL);
    pthread_mutex_init(&b->add_mu, NULL);
    b->dir = st_strndup(dir, strlen(dir));
    b->chunks_fd = -1;
    return b;
}

/* ------------------------------------------------------------------------ */
/* Parsing: meta                                                            */

static int parse_meta(blk *b, const uint8_t *p, size_t n, st_err *e)
{
    const char *d = b->dir;
    if (n < 9 || memcmp(p, "STBM", 4) != 0)
        return blk_corrupt(e, d, "meta", "not a block meta file (bad magic or %zu bytes)", n);
    if (CRC_BAD(crc32c(0, p, n - 4), get_u32le(p + n - 4)))
        return blk_corrupt(e, d, "meta", "checksum mismatch (damaged or truncated)");
    if (p[4] != BLK_VERSION_1 && p[4] != BLK_VERSION_2)
        return blk_corrupt(e, d, "meta", "format version %u is not supported (this build reads "
                           "%d and %d)", p[4], BLK_VERSION_1, BLK_VERSION_2);
    b->version = p[4];
    if (n < BLK_META_FIXED + 4) return blk_corrupt(e, d, "meta", "truncated (%zu bytes)", n);
    const uint8_t *q = p + 5;
    if (!blk_id_valid(q)) return blk_corrupt(e, d, "meta", "invalid block id");
    memcpy(b->id, q, BLK_ID_LEN);
    b->id[BLK_ID_LEN] = 0;
    q += BLK_ID_LEN;
    b->mint = (int64_t)get_u64le(q);
    b->maxt = (int64_t)get_u64le(q + 8);
    uint32_t level = get_u32le(q + 16);
    b->nseries = get_u32le(q + 20);
    b->nsamples = get_u64le(q + 24);
    b->nchunks = get_u64le(q + 32);
    uint32_t nsrc = get_u32le(q + 40);
    q += 44;
    if (b->mint > b->maxt) return blk_corrupt(e, d, "meta", "mint > maxt");
    b->base = (uint64_t)b->maxt - (uint64_t)b->mint <= INT64_MAX ? (uint64_t)b->mint : 0;
    if (level < 1 || level > INT_MAX) return blk_corrupt(e, d, "meta", "invalid level %u", level);
    b->level = (int)level;
    if ((uint64_t)nsrc * BLK_ID_LEN != n - 4 - BLK_META_FIXED)
        return blk_corrupt(e, d, "meta", "length %zu does not match %u source ids", n, nsrc);
    b->nsources = nsrc;
    b->sources = st_malloc((nsrc ? nsrc : 1) * sizeof *b->sources);
    for (uint32_t i = 0; i < nsrc; i++, q += BLK_ID_LEN) {
        if (!blk_id_valid(q)) return blk_corrupt(e, d, "meta", "invalid source id %u", i);
        memcpy(b->sources[i], q, BLK_ID_LEN);
        b->sources[i][BLK_ID_LEN] = 0;
    }
    if (b->nseries == UINT32_MAX) return blk_corrupt(e, d, "meta", "series count out of range");
    return 0;
}

/* ------------------------------------------------------------------------ */
/* Parsing: index                                                           */

/* Reads section `kind` at *pp. On success *raw and *rawlen hold its decoded
 * bytes: inside the input for raw sections, else in *own (caller frees). */
static int section_read(const blk *b, const uint8_t **pp, const uint8_t *end, uint8_t kind,
                        const char *name, const uint8_t **raw, size_t *rawlen, uint8_t **own,
                        st_err *e)
{
    const char *d = b->dir;
    const uint8_t *start = *pp, *p = *pp;
    uint64_t rlen, slen;
    *own = NULL;
    if (p >= end) return blk_corrupt(e, d, "index", "section %s: missing (file truncated)", name);
    if (*p++ != kind) return blk_corrupt(e, d, "index", "section %s: bad section tag", name);
    if (varint_get(&p, end, &rlen) || varint_get(&p, end, &slen) || p >= end)
        return blk_corrupt(e, d, "index", "section %s: truncated header", name);
    uint8_t method = *p++;
    if (slen > (uint64_t)(end - p) || (uint64_t)(end - p) - slen < 4)
        return blk_corrupt(e, d, "index", "section %s: truncated (%llu bytes declared)", name,
                       (unsigned long long)slen);
    const uint8_t *payload = p;
    p += slen;
    if (CRC_BAD(crc32c(0, start, (size_t)(p - start)), get_u32le(p)))
        return blk_corrupt(e, d, "index", "section %s: checksum mismatch", name);
    p += 4;
    if (rlen > BLK_MAX_SECTION)
        return blk_corrupt(e, d, "index", "section %s: implausible size %llu", name,
                       (unsigned long long)rlen);
    if (method == 0) {
        if (rlen != slen) return blk_corrupt(e, d, "index", "section %s: raw size mismatch", name);
        *raw = payload;
    } else if (method == 1) {
        if (ZSTD_getFrameContentSize(payload, (size_t)slen) != rlen)
            return blk_corrupt(e, d, "index", "section %s: zstd frame size mismatch", name);
        *own = st_malloc(rlen ? (size_t)rlen : 1);
        size_t r = ZSTD_decompress(*own, (size_t)rlen, payload, (size_t)slen);
        if (ZSTD_isError(r) || r != rlen) {
            st_free(*own);
            *own = NULL;
            return blk_corrupt(e, d, "index", "section %s: zstd: %s", name,
                           ZSTD_isError(r) ? ZSTD_getErrorName(r) : "short output");
        }
        *raw = *own;
    } else {
        return blk_corrupt(e, d, "index", "section %s: unknown compression method %u", name, method);
    }
    *rawlen = (size_t)rlen;
    *pp = p;
    return 0;
}

static int parse_symbols(blk *b, const uint8_t *p, size_t n, st_err *e)
{
    const char *d = b->dir, *f = "index: section symbols";
    const uint8_t *end = p + n;
    uint64_t cnt;
    if (varint_get(&p, end, &cnt) || cnt > n / 2) return blk_corrupt(e, d, f, "bad symbol count");
    b->nsyms = (uint32_t)cnt;
    st_buf sb = {0};
    uint64_t *offs = st_malloc(((size_t)cnt + 1) * sizeof *offs);
    size_t prev_off = 0, prev_len = 0;
    int rc = 0;
    for (uint64_t i = 0; i < cnt; i++) {
        uint64_t shared, slen;
        if (varint_get(&p, end, &shared) || varint_get(&p, end, &slen) ||
            slen > (uint64_t)(end - p) || shared > prev_len || shared + slen == 0 ||
            sb.len + shared + slen > BLK_MAX_MEM) {
            rc = blk_corrupt(e, d, f, "malformed symbol %llu", (unsigned long long)i);
            goto out;
        }
        size_t start = sb.len;
        st_buf_reserve(&sb, (size_t)(shared + slen));
        memcpy(sb.p + start, sb.p + prev_off, (size_t)shared);
        memcpy(sb.p + start + shared, p, (size_t)slen);
        sb.len += (size_t)(shared + slen);
        p += slen;
        if (i > 0 && blk_bytes_cmp(sb.p + prev_off, prev_len, sb.p + start, sb.len - start) >= 0) {
            rc = blk_corrupt(e, d, f, "symbols not strictly increasing at %llu", (unsigned long long)i);
            goto out;
        }
        offs[i] = start;
        prev_off = start;
        prev_len = sb.len - start;
    }
    if (p != end) {
        rc = blk_corrupt(e, d, f, "%zu trailing bytes", (size_t)(end - p));
        goto out;
    }
    offs[cnt] = sb.len;
    b->symbuf = (char *)sb.p;
    sb.p = NULL;
    b->syms = st_malloc(((size_t)cnt + 1) * sizeof *b->syms);
    for (uint64_t i = 0; i < cnt; i++)
        b->syms[i] = st_slice_of(b->symbuf + offs[i], (size_t)(offs[i + 1] - offs[i]));
out:
    st_buf_free(&sb);
    st_free(offs);
    return rc;
}

static int parse_pairs(blk *b, const uint8_t *p, size_t n, st_err *e)
{
    const char *d = b->dir, *f = "index: section pairs";
    const uint8_t *end = p + n;
    uint64_t cnt;
    if (varint_get(&p, end, &cnt) || cnt > n / 2) return blk_corrupt(e, d, f, "bad pair count");
    b->npairs = (uint32_t)cnt;
    b->pair_name = st_malloc(((size_t)cnt + 1) * sizeof(uint32_t));
    b->pair_value = st_malloc(((size_t)cnt + 1) * sizeof(uint32_t));
    b->pair_nidx = st_malloc(((size_t)cnt + 1) * sizeof(uint32_t));
    b->names = st_malloc(((size_t)cnt + 1) * sizeof(bname));
    uint64_t name = 0, value = 0;
    for (uint64_t i = 0; i < cnt; i++) {
        uint64_t dn, v;
        if (varint_get(&p, end, &dn) || varint_get(&p, end, &v) || dn > b->nsyms || v > b->nsyms)
            return blk_corrupt(e, d, f, "malformed pair %llu", (unsigned long long)i);
        if (i > 0 && dn == 0) {
            if (v == 0) return blk_corrupt(e, d, f, "pairs not strictly increasing at %llu",
                                       (unsigned long long)i);
            value += v;
        } else {
            name += dn;
            value = v;
        }
        if (name >= b->nsyms || value >= b->nsyms)
            return blk_corrupt(e, d, f, "pair %llu: symbol ref out of range (%u symbols)",
                           (unsigned long long)i, b->nsyms);
        b->pair_name[i] = (uint32_t)name;
        b->pair_value[i] = (uint32_t)value;
        if (i == 0 || dn > 0) {
            b->names[b->nnames].sym = (uint32_t)name;
            b->names[b->nnames].lo = (uint32_t)i;
            b->nnames++;
        }
        b->names[b->nnames - 1].hi = (uint32_t)i + 1;
        b->pair_nidx[i] = b->nnames - 1;
    }
    if (p != end) return blk_corrupt(e, d, f, "%zu trailing bytes", (size_t)(end - p));
    return 0;
}

/* Rebuilds keys from labels, checks key order and table_len, derives
 * postings. Runs after the series columns are in place. */
static int build_series(blk *b, st_err *e)
{
    const char *d = b->dir, *f = "index: section series";
    uint32_t n = b->nseries;
    uint64_t keybytes = 0, maxl = 0;
    for (uint32_t i = 0; i < n; i++) {
        uint32_t nl = b->lab_off[i + 1] - b->lab_off[i];
        if (nl > maxl) maxl = nl;
        for (uint32_t k = b->lab_off[i]; k < b->lab_off[i + 1]; k++) {
            uint32_t pr = b->lab_pairs[k];
            size_t ln = b->syms[b->pair_name[pr]].n, lv = b->syms[b->pair_value[pr]].n;
            keybytes += uv_len(ln) + ln + uv_len(lv) + lv; /* the labels.h key layout */
            if (keybytes > BLK_MAX_MEM) return blk_corrupt(e, d, f, "implausible total key size");
        }
    }
    /* exact size: keys are the largest part of a block's memory */
    st_buf kb = {st_malloc((size_t)keybytes + 1), 0, (size_t)keybytes + 1};
    label *ls = st_malloc((size_t)(maxl ? maxl : 1) * sizeof *ls);
    b->key_off = st_malloc(((size_t)n + 1) * sizeof *b->key_off);
    st_slice metric = st_slice_cstr(LABEL_METRIC_NAME);
    int rc = 0;
    for (uint32_t i = 0; i < n; i++) {
        size_t nl = 0, namelen = 0;
        for (uint32_t k = b->lab_off[i]; k < b->lab_off[i + 1]; k++, nl++) {
            uint32_t pr = b->lab_pairs[k];
            ls[nl].name = b->syms[b->pair_name[pr]];
            ls[nl].value = b->syms[b->pair_value[pr]];
            if (st_slice_eq(ls[nl].name, metric)) namelen = ls[nl].value.n;
        }
        b->key_off[i] = kb.len;
        labels_key(ls, nl, &kb);
        if (b->meta[i].table_len > namelen) {
            rc = blk_corrupt(e, d, f, "series %u: table_len %u exceeds its name", i,
                         b->meta[i].table_len);
            break;
        }
        if (i > 0 && blk_bytes_cmp(kb.p + b->key_off[i - 1], b->key_off[i] - b->key_off[i - 1],
                               kb.p + b->key_off[i], kb.len - b->key_off[i]) >= 0) {
            rc = blk_corrupt(e, d, f, "series %u: keys not strictly increasing", i);
            break;
        }
    }
    b->key_off[n] = kb.len;
    b->keybuf = kb.len + 1 < kb.cap ? st_realloc(kb.p, kb.len + 1) : kb.p;
    st_free(ls);
    if (rc) return rc;

    /* Postings by counting sort: ids come out sorted because series are
     * visited in id order. */
    uint32_t np = b->npairs;
    b->post_off = st_calloc((size_t)np + 1, sizeof(uint32_t));
    uint32_t total = b->lab_off[n];
    b->post_ids = st_malloc(((size_t)total + 1) * sizeof(uint32_t));
    for (uint32_t k = 0; k < total; k++) b->post_off[b->lab_pairs[k] + 1]++;
    for (uint32_t p = 0; p < np; p++) {
        /* an unused pair would make label values answer with a value that
         * no series has */
        if (b->post_off[p + 1] == 0) return blk_corrupt(e, d, f, "label pair %u is not used", p);
        b->post_off[p + 1] += b->post_off[p];
    }
    uint32_t *fill = st_malloc(((size_t)np + 1) * sizeof(uint32_t));
    memcpy(fill, b->post_off, (size_t)np * sizeof(uint32_t));
    for (uint32_t i = 0; i < n; i++)
        for (uint32_t k = b->lab_off[i]; k < b->lab_off[i + 1]; k++)
            b->post_ids[fill[b->lab_pairs[k]]++] = i;
    st_free(fill);
    return 0;
}

/* Version 1, column 7: maxt of each chunk of multi-chunk series, as
 * increases from the block's mint. Kept in ct64 with mint as the lower bound
 * block.h documents (the previous chunk's maxt + 1, or the block's mint);
 * a one-chunk series spans the block. */
static int parse_times_v1(blk *b, const uint8_t **pp, const uint8_t *end, st_err *e)
{
    const uint8_t *p = *pp;
    b->ct64 = st_malloc((2 * (size_t)b->nchunks + 1) * sizeof(int64_t));
    for (uint32_t i = 0; i < b->nseries; i++) {
        uint32_t c0 = b->chk_first[i], c1 = b->chk_first[i + 1];
        if (c1 - c0 == 1) {
            b->ct64[2 * c0] = b->mint;
            b->ct64[2 * c0 + 1] = b->maxt;
            continue;
        }
        uint64_t t = (uint64_t)b->mint, room = (uint64_t)b->maxt - (uint64_t)b->mint, v;
        for (uint32_t c = c0; c < c1; c++) {
            if (varint_get(&p, end, &v) || v > room || (c > c0 && v == 0))
                return blk_corrupt(e, b->dir, "index: section series",
                                   "series %u: chunk time range out of the block", i);
            b->ct64[2 * c] = c == c0 ? b->mint : (int64_t)(t + 1);
            room -= v;
            t += v;
            b->ct64[2 * c + 1] = (int64_t)t;
        }
    }
    *pp = p;
    return 0;
}

/* Version 2, columns 7 and 8: per chunk, its mint as an increase in time
 * units over the previous chunk's maxt (over the block's mint for a first
 * chunk; >= 1 otherwise, so chunks are disjoint and in order), then per
 * chunk its maxt - mint in time units. Kept as uint32 units when the block's
 * span allows, else absolute. */
static int parse_times_v2(blk *b, const uint8_t **pp, const uint8_t *end, uint64_t tu, st_err *e)
{
    const char *d = b->dir, *f = "index: section series";
    const uint8_t *p = *pp;
    size_t nch = (size_t)b->nchunks;
    uint64_t units = ((uint64_t)b->maxt - (uint64_t)b->mint) / tu;
    uint64_t *u = st_malloc((2 * nch + 1) * sizeof *u);
    int rc = 0;
    for (size_t k = 0; k < 2 * nch && rc == 0; k++) {
        size_t at = k < nch ? 2 * k : 2 * (k - nch) + 1; /* the mints, then the spans */
        if (varint_get(&p, end, &u[at])) rc = blk_corrupt(e, d, f, "chunk times truncated");
    }
    for (uint32_t i = 0; i < b->nseries && rc == 0; i++) {
        uint64_t prev = 0;
        for (uint32_t c = b->chk_first[i]; c < b->chk_first[i + 1] && rc == 0; c++) {
            uint64_t dv = u[2 * c], span = u[2 * c + 1];
            if ((c > b->chk_first[i] && dv == 0) || dv > units - prev || span > units - prev - dv) {
                rc = blk_corrupt(e, d, f, "series %u: chunk %u: time range overlaps its "
                                 "neighbour or leaves the block", i, c - b->chk_first[i]);
                break;
            }
            u[2 * c] = prev + dv;
            u[2 * c + 1] = prev = prev + dv + span;
        }
    }
    if (rc == 0 && units <= UINT32_MAX) {
        b->tu = tu;
        b->ct32 = st_malloc((2 * nch + 1) * sizeof(uint32_t));
        for (size_t k = 0; k < 2 * nch; k++) b->ct32[k] = (uint32_t)u[k];
    } else if (rc == 0) {
        b->ct64 = st_malloc((2 * nch + 1) * sizeof(int64_t));
        for (size_t k = 0; k < 2 * nch; k++) b->ct64[k] = (int64_t)((uint64_t)b->mint + u[k] * tu);
    }
    st_free(u);
    *pp = p;
    return rc;
}

static int parse_series(blk *b, const uint8_t *p, size_t n, st_err *e)
{
    const char *d = b->dir, *f = "index: section series";
    const uint8_t *end = p + n;
    uint64_t cnt, v;
    if (varint_get(&p, end, &cnt)) return blk_corrupt(e, d, f, "truncated");
    if (cnt != b->nseries)
        return blk_corrupt(e, d, f, "%llu series, meta says %u", (unsigned long long)cnt, b->nseries);
    if (cnt > n) return blk_corrupt(e, d, f, "series count exceeds section");
    uint64_t tu = 1;
    if (b->version >= BLK_VERSION_2 && (varint_get(&p, end, &tu) || tu == 0))
        return blk_corrupt(e, d, f, "bad time unit");
    uint32_t ns = (uint32_t)cnt;
    b->lab_off = st_malloc(((size_t)ns + 1) * sizeof(uint32_t));
    b->meta = st_malloc(((size_t)ns + 1) * sizeof(series_meta));
    b->chk_first = st_malloc(((size_t)ns + 1) * sizeof(uint32_t));

    /* 1: label counts */
    uint64_t total = 0;
    for (uint32_t i = 0; i < ns; i++) {
        if (varint_get(&p, end, &v) || v == 0 || v > n || total + v > n)
            return blk_corrupt(e, d, f, "series %u: bad label count", i);
        b->lab_off[i] = (uint32_t)total;
        total += v;
    }
    b->lab_off[ns] = (uint32_t)total;
    b->lab_pairs = st_malloc(((size_t)total + 1) * sizeof(uint32_t));
    /* 2: first pair of each series */
    for (uint32_t i = 0; i < ns; i++) {
        if (varint_get(&p, end, &v) || v >= b->npairs)
            return blk_corrupt(e, d, f, "series %u: pair ref out of range", i);
        b->lab_pairs[b->lab_off[i]] = (uint32_t)v;
    }
    /* 3: the other pairs as increases; names strictly increasing */
    for (uint32_t i = 0; i < ns; i++) {
        for (uint32_t k = b->lab_off[i] + 1; k < b->lab_off[i + 1]; k++) {
            uint32_t prev = b->lab_pairs[k - 1];
            if (varint_get(&p, end, &v) || v == 0 || v >= b->npairs - prev)
                return blk_corrupt(e, d, f, "series %u: pair ref out of range", i);
            uint32_t pr = prev + (uint32_t)v;
            if (b->pair_name[pr] <= b->pair_name[prev])
                return blk_corrupt(e, d, f, "series %u: duplicate or unsorted label names", i);
            b->lab_pairs[k] = pr;
        }
    }
    /* 4: meta */
    for (uint32_t i = 0; i < ns; i++) {
        if (p >= end || *p < ST_VT_FLOAT || *p > ST_VT_STRING)
            return blk_corrupt(e, d, f, "series %u: bad value type", i);
        b->meta[i].type = *p++;
        if (varint_get(&p, end, &v) || v > UINT16_MAX)
            return blk_corrupt(e, d, f, "series %u: bad table_len", i);
        b->meta[i].table_len = (uint16_t)v;
    }
    /* 5: chunk counts */
    uint64_t nch = 0;
    for (uint32_t i = 0; i < ns; i++) {
        if (varint_get(&p, end, &v) || v == 0 || v > n || nch + v > n)
            return blk_corrupt(e, d, f, "series %u: bad chunk count", i);
        b->chk_first[i] = (uint32_t)nch;
        nch += v;
    }
    b->chk_first[ns] = (uint32_t)nch;
    if (nch != b->nchunks)
        return blk_corrupt(e, d, f, "%llu chunks, meta says %llu", (unsigned long long)nch,
                       (unsigned long long)b->nchunks);
    b->crc_ok = st_calloc((size_t)nch / 64 + 1, sizeof *b->crc_ok);
    /* 6: record lengths; offsets follow from them */
    if (b->chunks_len <= UINT32_MAX) b->cend32 = st_malloc(((size_t)nch + 1) * sizeof(uint32_t));
    else b->cend64 = st_malloc(((size_t)nch + 1) * sizeof(uint64_t));
    uint64_t off = BLK_HDR_LEN, minlen = b->version >= BLK_VERSION_2 ? 3 : 2;
    for (uint64_t c = 0; c < nch; c++) {
        if (varint_get(&p, end, &v) || v < minlen || v > UINT32_MAX || v + 4 > b->chunks_len - off)
            return blk_corrupt(e, d, f, "chunk %llu: length out of range of the chunks file",
                               (unsigned long long)c);
        off += v + 4;
        if (b->cend32) b->cend32[c] = (uint32_t)off;
        else b->cend64[c] = off;
    }
    if (off != b->chunks_len)
        return blk_corrupt(e, d, "chunks", "size %zu does not match the index (%llu)",
                           b->chunks_len, (unsigned long long)off);
    /* 7 (and 8): chunk times */
    int rc = b->version >= BLK_VERSION_2 ? parse_times_v2(b, &p, end, tu, e)
                                          : parse_times_v1(b, &p, end, e);
    if (rc) return rc;
    if (p != end) return blk_corrupt(e, d, f, "%zu trailing bytes", (size_t)(end - p));
    return build_series(b, e);
}

static int parse_index(blk *b, const uint8_t *p, size_t n, st_err *e)
{
    const char *d = b->dir;
    const uint8_t *end = p + n;
    if (n < BLK_HDR_LEN || memcmp(p, "STBI", 4) != 0)
        return blk_corrupt(e, d, "index", "bad magic (%zu bytes)", n);
    if (p[4] != b->version)
        return blk_corrupt(e, d, "index", "format version %u, meta says %d", p[4], b->version);
    p += BLK_HDR_LEN;
    static const char *const names[] = {"", "symbols", "pairs", "series"};
    int rc = 0;
    for (uint8_t k = BLK_SEC_SYMBOLS; k <= BLK_SEC_SERIES && rc == 0; k++) {
        const uint8_t *raw = NULL;
        size_t rawlen = 0;
        uint8_t *own = NULL;
        rc = section_read(b, &p, end, k, names[k], &raw, &rawlen, &own, e);
        if (rc) break;
        if (k == BLK_SEC_SYMBOLS) rc = parse_symbols(b, raw, rawlen, e);
        else if (k == BLK_SEC_PAIRS) rc = parse_pairs(b, raw, rawlen, e);
        else rc = parse_series(b, raw, rawlen, e);
        st_free(own);
    }
    if (rc == 0 && p != end)
        rc = blk_corrupt(e, d, "index", "%zu trailing bytes after the last section", (size_t)(end - p));
    return rc;
}

/* ------------------------------------------------------------------------ */
/* Tombstones                                                               */

static int tomb_cmp(const void *a, const void *b)
{
    const tomb *x = a, *y = b;
    if (x->id != y->id) return x->id < y->id ? -1 : 1;
    if (x->mint != y->mint) return x->mint < y->mint ? -1 : 1;
    return (x->maxt > y->maxt) - (x->maxt < y->maxt);
}

static int parse_tombs(blk *b, const uint8_t *p, size_t n, st_err *e)
{
    const char *d = b->dir, *f = "tombstones";
    if (n < 9 || memcmp(p, "STBT", 4) != 0) return blk_corrupt(e, d, f, "bad magic (%zu bytes)", n);
    if (CRC_BAD(crc32c(0, p, n - 4), get_u32le(p + n - 4)))
        return blk_corrupt(e, d, f, "checksum mismatch (damaged or truncated)");
    if (p[4] != BLK_TOMB_VERSION)
        return blk_corrupt(e, d, f, "format version %u is not supported (this build reads %d)", p[4],
                           BLK_TOMB_VERSION);
    const uint8_t *end = p + n - 4;
    p += 5;
    uint64_t cnt;
    if (varint_get(&p, end, &cnt) || cnt > n / 3) return blk_corrupt(e, d, f, "bad count");
    tombset *t = st_malloc(sizeof *t + ((size_t)cnt + 1) * sizeof(tomb));
    atomic_init(&t->refs, 1);
    t->n = (size_t)cnt;
    uint64_t id = 0;
    for (uint64_t i = 0; i < cnt; i++) {
        uint64_t did, span;
        int64_t mint;
        if (varint_get(&p, end, &did) || varint_get_signed(&p, end, &mint) ||
            varint_get(&p, end, &span) || did >= b->nseries || id + did >= b->nseries) {
            st_free(t);
            return blk_corrupt(e, d, f, "malformed entry %llu", (unsigned long long)i);
        }
        id += did;
        /* maxt = mint + span must not pass INT64_MAX; in uint64 arithmetic
         * INT64_MAX - mint is exact for every int64 mint */
        if (span > (uint64_t)INT64_MAX - (uint64_t)mint) {
            st_free(t);
            return blk_corrupt(e, d, f, "entry %llu: time range overflows", (unsigned long long)i);
        }
        tomb *x = &t->e[i];
        x->id = (uint32_t)id;
        x->mint = mint;
        x->maxt = (int64_t)((uint64_t)mint + span);
        /* sorted, disjoint, not adjacent within a series */
        if (i > 0 && x->id == x[-1].id && (x[-1].maxt == INT64_MAX || x->mint <= x[-1].maxt + 1)) {
            st_free(t);
            return blk_corrupt(e, d, f, "entry %llu: overlaps or precedes the previous one",
                           (unsigned long long)i);
        }
    }
    if (p != end) {
        st_free(t);
        return blk_corrupt(e, d, f, "%zu trailing bytes", (size_t)(end - p));
    }
    b->tomb = t;
    atomic_store(&b->has_tomb, t->n > 0);
    return 0;
}

static void tombs_encode(const tombset *t, st_buf *out)
{
    st_buf_put(out, "STBT", 4);
    st_buf_putc(out, BLK_TOMB_VERSION);
    varint_buf(out, t->n);
    uint32_t prev = 0;
    for (size_t i = 0; i < t->n; i++) {
        varint_buf(out, t->e[i].id - prev);
        varint_buf_signed(out, t->e[i].mint);
        varint_buf(out, (uint64_t)t->e[i].maxt - (uint64_t)t->e[i].mint);
        prev = t->e[i].id;
    }
    uint8_t c[4];
    put_u32le(c, crc32c(0, out->p, out->len));
    st_buf_put(out, c, 4);
}

/* ------------------------------------------------------------------------ */
/* Open                                                                     */

static void build_tables(blk *b);

static int blk_load(blk *b, const uint8_t *meta, size_t meta_len, const uint8_t *index,
                    size_t index_len, const uint8_t *tombs, size_t tomb_len, st_err *e)
{
    int rc = parse_meta(b, meta, meta_len, e);
    if (rc) return rc;
    uint8_t head[BLK_HDR_LEN] = {0};
    if (b->chunks_len >= BLK_HDR_LEN) {
        if (b->chunks) {
            memcpy(head, b->chunks, BLK_HDR_LEN);
        } else if ((rc = vfs_pread_all(b->v, b->chunks_fd, head, BLK_HDR_LEN, 0)) < 0) {
            return rc == -EBADMSG ? blk_corrupt(e, b->dir, "chunks", "its seal does not hold")
                                  : st_fail(e, st_from_errno(rc), "block %s: reading chunks: %s", b->dir, strerror(-rc));
        }
    }
    if (b->chunks_len < BLK_HDR_LEN || memcmp(head, "STBC", 4) != 0)
        return blk_corrupt(e, b->dir, "chunks", "bad magic (%zu bytes)", b->chunks_len);
    if (head[4] != b->version)
        return blk_corrupt(e, b->dir, "chunks", "format version %u, meta says %d", head[4], b->version);
    rc = parse_index(b, index, index_len, e);
    if (rc == 0) build_tables(b);
    if (rc == 0 && tombs) rc = parse_tombs(b, tombs, tomb_len, e);
    if (rc == 0 && tombs) b->tomb_bytes = tomb_len;
    return rc;
}

int blk_open_mem(const uint8_t *meta, size_t meta_len, const uint8_t *index, size_t index_len,
                 const uint8_t *chunks, size_t chunks_len, const uint8_t *tombs, size_t tomb_len,
                 blk **out, st_err *e)
{
    *out = NULL;
    blk *b = blk_alloc("<memory>");
    b->chunks = chunks;
    b->chunks_len = chunks ? chunks_len : 0;
    int rc = blk_load(b, meta, meta_len, index, index_len, tombs, tomb_len, e);
    if (rc) {
        blk_free(b);
        return rc;
    }
    atomic_store(&b->disk_bytes, meta_len + index_len + chunks_len + (tombs ? tomb_len : 0));
    *out = b;
    return 0;
}

/* Reads dir/name whole (the chunks are mapped instead, by map_chunks). */
static int read_file(const vfs *v, const char *dir, const char *name, size_t max, uint8_t **buf,
                     size_t *len, int missing_code, st_err *e)
{
    char path[PATH_MAX];
    if (snprintf(path, sizeof path, "%s/%s", dir, name) >= (int)sizeof path)
        return st_fail(e, ST_EINVAL, "block %s: path too long", dir);
    *buf = NULL;
    int fd = v->open(v, path, O_RDONLY, 0);
    if (fd == -ENOENT)
        return st_fail(e, missing_code, "block %s: %s is missing", dir, name);
    if (fd < 0) return io_fail(e, fd, "opening", path);
    uint64_t size = 0;
    int rc = v->size(v, fd, &size);
    if (rc < 0) {
        rc = io_fail(e, rc, "stat", path);
    } else if (size > max) {
        rc = blk_corrupt(e, dir, name, "implausible size %lld", (long long)size);
    } else {
        *len = (size_t)size;
        *buf = st_malloc(*len ? *len : 1);
        int r = vfs_pread_all(v, fd, *buf, *len, 0);
        if (r) {
            rc = io_fail(e, r, "reading", path);
            st_free(*buf);
            *buf = NULL;
        }
    }
    v->close(v, fd);
    return rc;
}

static int map_chunks(const vfs *v, blk *b, st_err *e)
{
    char path[PATH_MAX];
    if (snprintf(path, sizeof path, "%s/chunks", b->dir) >= (int)sizeof path)
        return st_fail(e, ST_EINVAL, "block %s: path too long", b->dir);
    int fd = v->open(v, path, O_RDONLY, 0);
    if (fd == -ENOENT) return blk_corrupt(e, b->dir, "chunks", "file is missing");
    if (fd < 0) return io_fail(e, fd, "opening", path);
    uint64_t size = 0;
    int rc = v->size(v, fd, &size);
    if (rc < 0) {
        rc = io_fail(e, rc, "stat", path);
    } else if (size < BLK_HDR_LEN) {
        rc = blk_corrupt(e, b->dir, "chunks", "truncated (%lld bytes)", (long long)size);
    } else {
        const void *m = NULL;
        int mr = v->map(v, fd, size, &m);
        if (mr == -ENOTSUP) { /* read piece by piece instead (an encrypting vfs) */
            b->chunks_fd = fd;
            b->chunks_len = (size_t)size;
            return 0;
        }
        if (mr < 0) {
            rc = io_fail(e, mr, "mmap", path);
        } else {
            b->chunks = m;
            b->chunks_len = (size_t)size;
            b->mapped = true;
        }
    }
    v->close(v, fd);
    return rc;
}

int blk_open(const vfs *v, const char *dir, blk **out, st_err *e)
{
    *out = NULL;
    blk *b = blk_alloc(dir);
    b->v = v;
    uint8_t *meta = NULL, *index = NULL, *tombs = NULL;
    size_t meta_len = 0, index_len = 0, tomb_len = 0;
    int rc = read_file(v, dir, "meta", BLK_MAX_META, &meta, &meta_len, ST_ENOTFOUND, e);
    if (rc == 0) rc = read_file(v, dir, "index", (size_t)BLK_MAX_MEM, &index, &index_len,
                                ST_ECORRUPT, e);
    if (rc == 0) rc = map_chunks(v, b, e);
    if (rc == 0) {
        rc = read_file(v, dir, "tombstones", (size_t)BLK_MAX_MEM, &tombs, &tomb_len,
                       ST_ENOTFOUND, e);
        if (rc == ST_ENOTFOUND) rc = 0;
    }
    if (rc == 0) rc = blk_load(b, meta, meta_len, index, index_len, tombs, tomb_len, e);
    if (rc == 0)
        atomic_store(&b->disk_bytes, meta_len + index_len + b->chunks_len + tomb_len);
    st_free(meta);
    st_free(index);
    st_free(tombs);
    if (rc) {
        blk_free(b);
        return rc;
    }
    *out = b;
    return 0;
}

void blk_ref(blk *b) { atomic_fetch_add_explicit(&b->refs, 1, memory_order_relaxed); }

void blk_unref(blk *b)
{
    if (!b || atomic_fetch_sub_explicit(&b->refs, 1, memory_order_acq_rel) != 1) return;
    if (atomic_load(&b->deleted) && b->v) {
        /* Unlink meta first: from then on the directory is not a block, so a
         * crash in the middle of the removal leaves a leftover the store
         * deletes, never a half-deleted block that fails to open. */
        if (b->mapped) b->v->unmap(b->v, b->chunks, b->chunks_len);
        b->mapped = false;
        if (b->chunks_fd >= 0) b->v->close(b->v, b->chunks_fd);
        b->chunks_fd = -1;
        char path[PATH_MAX];
        if (snprintf(path, sizeof path, "%s/meta", b->dir) < (int)sizeof path)
            b->v->unlink(b->v, path);
        vfs_remove_tree(b->v, b->dir);
    }
    blk_free(b);
}

void blk_mark_deleted(blk *b) { atomic_store(&b->deleted, true); }

const char *blk_id(const blk *b) { return b->id; }
const char *blk_dir(const blk *b) { return b->dir; }
int64_t blk_mint(const blk *b) { return b->mint; }
int64_t blk_maxt(const blk *b) { return b->maxt; }
int blk_level(const blk *b) { return b->level; }
uint32_t blk_nseries(const blk *b) { return b->nseries; }
uint64_t blk_nsamples(const blk *b) { return b->nsamples; }
uint64_t blk_disk_bytes(const blk *b) { return atomic_load(&((blk *)b)->disk_bytes); }
size_t blk_nsources(const blk *b) { return b->nsources; }
const char *blk_source(const blk *b, size_t i) { return i < b->nsources ? b->sources[i] : NULL; }
bool blk_has_tombstones(const blk *b) { return atomic_load(&((blk *)b)->has_tomb); }

/* ------------------------------------------------------------------------ */
/* Lookup                                                                   */

void blk_series_key(const blk *b, uint32_t id, const uint8_t **key, size_t *len)
{
    if (id >= b->nseries) {
        *key = NULL;
        *len = 0;
        return;
    }
    *key = b->keybuf + b->key_off[id];
    *len = (size_t)(b->key_off[id + 1] - b->key_off[id]);
}

series_meta blk_series_meta(const blk *b, uint32_t id)
{
    series_meta m = {0, 0};
    return id < b->nseries ? b->meta[id] : m;
}

int blk_find(const blk *b, const uint8_t *key, size_t len, uint32_t *id)
{
    uint32_t lo = 0, hi = b->nseries;
    while (lo < hi) {
        uint32_t mid = lo + (hi - lo) / 2;
        int c = blk_bytes_cmp(b->keybuf + b->key_off[mid], b->key_off[mid + 1] - b->key_off[mid],
                          key, len);
        if (c == 0) {
            *id = mid;
            return 0;
        }
        if (c < 0) lo = mid + 1;
        else hi = mid;
    }
    return ST_ENOTFOUND;
}

static const bname *find_name(const blk *b, st_slice name)
{
    uint32_t lo = 0, hi = b->nnames;
    while (lo < hi) {
        uint32_t mid = lo + (hi - lo) / 2;
        int c = st_slice_cmp(b->syms[b->names[mid].sym], name);
        if (c == 0) return &b->names[mid];
        if (c < 0) lo = mid + 1;
        else hi = mid;
    }
    return NULL;
}

static bool find_pair(const blk *b, const bname *nm, st_slice value, uint32_t *pair)
{
    uint32_t lo = nm->lo, hi = nm->hi;
    while (lo < hi) {
        uint32_t mid = lo + (hi - lo) / 2;
        int c = st_slice_cmp(b->syms[b->pair_value[mid]], value);
        if (c == 0) {
            *pair = mid;
            return true;
        }
        if (c < 0) lo = mid + 1;
        else hi = mid;
    }
    return false;
}

static void postings_set(postings *p, const uint32_t *ids, size_t n)
{
    if (p->cap < n) {
        p->ids = st_realloc(p->ids, n * sizeof *p->ids);
        p->cap = n;
    }
    if (n) memcpy(p->ids, ids, n * sizeof *ids);
    p->n = n;
}

static void postings_all(const blk *b, postings *p)
{
    if (p->cap < b->nseries) {
        p->ids = st_realloc(p->ids, (size_t)b->nseries * sizeof *p->ids);
        p->cap = b->nseries;
    }
    for (uint32_t i = 0; i < b->nseries; i++) p->ids[i] = i;
    p->n = b->nseries;
}

/* Ids of the series that have label nm with a value v such that
 * matcher_matches(m, v) == want. Values of one name are disjoint sets of
 * series, so several lists are merged through a bitmap, not pairwise. */
static void collect(const blk *b, const bname *nm, matcher *m, bool want, postings *out)
{
    out->n = 0;
    uint32_t first = 0, nmatch = 0;
    size_t total = 0;
    uint64_t *bits = NULL;
    for (uint32_t p = nm->lo; p < nm->hi; p++) {
        if (matcher_matches(m, b->syms[b->pair_value[p]]) != want) continue;
        if (nmatch++ == 0) {
            first = p;
            continue;
        }
        if (!bits) {
            bits = st_calloc(((size_t)b->nseries + 63) / 64, sizeof *bits);
            for (uint32_t k = b->post_off[first]; k < b->post_off[first + 1]; k++)
                bits[b->post_ids[k] >> 6] |= (uint64_t)1 << (b->post_ids[k] & 63);
            total = b->post_off[first + 1] - b->post_off[first];
        }
        for (uint32_t k = b->post_off[p]; k < b->post_off[p + 1]; k++)
            bits[b->post_ids[k] >> 6] |= (uint64_t)1 << (b->post_ids[k] & 63);
        total += b->post_off[p + 1] - b->post_off[p];
    }
    if (nmatch == 0) return;
    if (!bits) {
        postings_set(out, b->post_ids + b->post_off[first],
                     b->post_off[first + 1] - b->post_off[first]);
        return;
    }
    if (out->cap < total) {
        out->ids = st_realloc(out->ids, total * sizeof *out->ids);
        out->cap = total;
    }
    for (size_t w = 0; w < ((size_t)b->nseries + 63) / 64; w++)
        for (uint64_t x = bits[w]; x; x &= x - 1)
            out->ids[out->n++] = (uint32_t)(w * 64 + (size_t)__builtin_ctzll(x));
    st_free(bits);
}

int blk_select(blk *b, matcher *const *ms, size_t n, postings *out, st_err *e)
{
    ST_UNUSED(e);
    postings tmp = {0};
    bool have = false;
    out->n = 0;
    /* Matchers that exclude series without the label narrow the set first,
     * equalities smallest first and read in place (a metric name's postings
     * can hold every series); those that match "" can only subtract
     * afterwards. */
    typedef struct bsel {
        matcher *m;
        const bname *nm;
        const uint32_t *ids; /* equalities: their postings */
        size_t n;            /* SIZE_MAX: not an equality */
    } bsel;
    bsel stack[16], *pl = n > 16 ? st_malloc(n * sizeof *pl) : stack;
    size_t np = 0;
    for (size_t i = 0; i < n; i++) {
        matcher *m = ms[i];
        if (matcher_matches_empty(m)) continue;
        const bname *nm = find_name(b, matcher_name(m));
        if (!nm) goto empty; /* no series has the label: "" does not match */
        bsel s = {m, nm, NULL, SIZE_MAX};
        if (matcher_op(m) == MATCH_EQ) {
            uint32_t pr;
            if (!find_pair(b, nm, matcher_value(m), &pr)) goto empty;
            s.ids = b->post_ids + b->post_off[pr];
            s.n = b->post_off[pr + 1] - b->post_off[pr];
        }
        size_t j = np++;
        for (; j > 0 && pl[j - 1].n > s.n; j--) pl[j] = pl[j - 1];
        pl[j] = s;
    }
    for (size_t i = 0; i < np; i++) {
        if (pl[i].n != SIZE_MAX) {
            if (!have) postings_set(out, pl[i].ids, pl[i].n);
            else postings_intersect_ids(out, pl[i].ids, pl[i].n);
        } else {
            tmp.n = 0;
            collect(b, pl[i].nm, pl[i].m, true, &tmp);
            if (!have) {
                postings t = *out;
                *out = tmp;
                tmp = t;
            } else {
                postings_intersect(out, &tmp);
            }
        }
        have = true;
        if (out->n == 0) goto empty;
    }
    for (size_t i = 0; i < n; i++) {
        matcher *m = ms[i];
        if (!matcher_matches_empty(m)) continue;
        const bname *nm = find_name(b, matcher_name(m));
        if (!nm) continue; /* every series lacks it, and "" matches */
        collect(b, nm, m, false, &tmp);
        if (!have) postings_all(b, out);
        have = true;
        if (tmp.n) postings_subtract(out, &tmp);
    }
    if (!have) postings_all(b, out);
    postings_free(&tmp);
    if (pl != stack) st_free(pl);
    return 0;
empty:
    out->n = 0;
    postings_free(&tmp);
    if (pl != stack) st_free(pl);
    return 0;
}

static void slices_append(st_slice **out, size_t *n, size_t *cap, st_slice s)
{
    if (*n == *cap) {
        *cap = *cap ? *cap * 2 : 16;
        *out = st_realloc(*out, *cap * sizeof **out);
    }
    (*out)[(*n)++] = s;
}

void blk_label_names(blk *b, const postings *of, st_slice **out, size_t *n, size_t *cap)
{
    if (!of) {
        for (uint32_t i = 0; i < b->nnames; i++) slices_append(out, n, cap, b->syms[b->names[i].sym]);
        return;
    }
    uint8_t *seen = st_calloc((size_t)b->nnames + 1, 1);
    for (size_t i = 0; i < of->n; i++) {
        uint32_t id = of->ids[i];
        if (id >= b->nseries) continue;
        for (uint32_t k = b->lab_off[id]; k < b->lab_off[id + 1]; k++)
            seen[b->pair_nidx[b->lab_pairs[k]]] = 1;
    }
    for (uint32_t i = 0; i < b->nnames; i++)
        if (seen[i]) slices_append(out, n, cap, b->syms[b->names[i].sym]);
    st_free(seen);
}

void blk_label_values(blk *b, st_slice name, const postings *of, st_slice **out, size_t *n,
                      size_t *cap)
{
    const bname *nm = find_name(b, name);
    if (!nm) return;
    if (!of) {
        for (uint32_t p = nm->lo; p < nm->hi; p++)
            slices_append(out, n, cap, b->syms[b->pair_value[p]]);
        return;
    }
    uint8_t *seen = st_calloc((size_t)(nm->hi - nm->lo) + 1, 1);
    for (size_t i = 0; i < of->n; i++) {
        uint32_t id = of->ids[i];
        if (id >= b->nseries) continue;
        /* a series' pairs are sorted by name: binary search for nm */
        uint32_t lo = b->lab_off[id], hi = b->lab_off[id + 1];
        while (lo < hi) {
            uint32_t mid = lo + (hi - lo) / 2, pr = b->lab_pairs[mid];
            if (pr >= nm->hi) hi = mid;
            else if (pr < nm->lo) lo = mid + 1;
            else {
                seen[pr - nm->lo] = 1;
                break;
            }
        }
    }
    for (uint32_t p = nm->lo; p < nm->hi; p++)
        if (seen[p - nm->lo]) slices_append(out, n, cap, b->syms[b->pair_value[p]]);
    st_free(seen);
}

/* ------------------------------------------------------------------------ */
/* Tombstone writes                                                         */

int blk_add_tombstones(blk *b, const uint32_t *ids, size_t n, int64_t mint, int64_t maxt,
                       st_err *e)
{
    if (!b->v) return st_fail(e, ST_EINVAL, "block %s: has no directory", b->dir);
    if (mint > maxt) return st_fail(e, ST_EINVAL, "tombstone: mint > maxt");
    for (size_t i = 0; i < n; i++)
        if (ids[i] >= b->nseries)
            return st_fail(e, ST_EINVAL, "block %s: tombstone for series id %u out of range",
                           b->dir, ids[i]);
    if (mint < b->mint) mint = b->mint;
    if (maxt > b->maxt) maxt = b->maxt;
    if (n == 0 || mint > maxt) return 0;

    pthread_mutex_lock(&b->add_mu);
    tombset *old = b->tomb; /* stable: only this function, under add_mu, swaps it */
    size_t on = old ? old->n : 0;
    tombset *t = st_malloc(sizeof *t + (on + n) * sizeof(tomb));
    atomic_init(&t->refs, 1);
    if (on) memcpy(t->e, old->e, on * sizeof(tomb));
    for (size_t i = 0; i < n; i++) t->e[on + i] = (tomb){ids[i], mint, maxt};
    qsort(t->e, on + n, sizeof(tomb), tomb_cmp);
    /* merge overlapping or adjacent intervals of a series */
    size_t k = 0;
    for (size_t i = 0; i < on + n; i++) {
        tomb *x = &t->e[i];
        if (k && t->e[k - 1].id == x->id &&
            (t->e[k - 1].maxt == INT64_MAX || x->mint <= t->e[k - 1].maxt + 1)) {
            if (x->maxt > t->e[k - 1].maxt) t->e[k - 1].maxt = x->maxt;
        } else {
            t->e[k++] = *x;
        }
    }
    t->n = k;
    st_buf buf = {0};
    tombs_encode(t, &buf);
    int rc = vfs_write_file_atomic(b->v, b->dir, "tombstones", buf.p, buf.len, 0644);
    if (rc) {
        rc = io_fail(e, rc, "writing tombstones of block", b->dir);
        st_free(t);
    } else {
        atomic_fetch_add(&b->disk_bytes, (uint64_t)buf.len - b->tomb_bytes); /* mod 2^64 */
        b->tomb_bytes = buf.len;
        pthread_mutex_lock(&b->tmu);
        b->tomb = t;
        pthread_mutex_unlock(&b->tmu);
        atomic_store_explicit(&b->has_tomb, true, memory_order_release);
        blk_tomb_unref(old);
    }
    st_buf_free(&buf);
    pthread_mutex_unlock(&b->add_mu);
    return rc;
}

/* ------------------------------------------------------------------------ */
/* The table index                                                          */

/* A (metric name, table length) pair that occurs: one per metric name in
 * practice. */
typedef struct tcombo {
    uint32_t q;     /* the name's pair - the first __name__ pair */
    uint32_t tlen;  /* the table is the first tlen bytes of the name */
    uint32_t next;  /* another combo of the same name, or UINT32_MAX */
    uint32_t table;
} tcombo;

typedef struct tsort {
    st_slice table;
    uint32_t combo;
} tsort;

static int tsort_cmp(const void *a, const void *b)
{
    const tsort *x = a, *y = b;
    return blk_bytes_cmp(x->table.p, x->table.n, y->table.p, y->table.n);
}

/* Builds the table index in one pass over the series (labels.h: the table
 * is the __name__ value's first table_len bytes, or all of it when
 * table_len is 0 or its length). The distinct (name, table_len) pairs are
 * sorted by table and equal tables merged; then a counting pass files the
 * ids, ascending since series are visited in id order. Series without a
 * __name__ have no table. Kept: 4 bytes a named series and 20 a table; the
 * table bytes are the symbols'. */
static void build_tables(blk *b)
{
    const bname *nm = find_name(b, st_slice_cstr(LABEL_METRIC_NAME));
    if (!nm || b->nseries == 0) return;
    uint32_t nnv = nm->hi - nm->lo, n = b->nseries;
    uint32_t *head = st_malloc(((size_t)nnv + 1) * sizeof *head);
    for (uint32_t q = 0; q < nnv; q++) head[q] = UINT32_MAX;
    uint32_t *of = st_malloc(((size_t)n + 1) * sizeof *of); /* combo of each series */
    tcombo *cb = NULL;
    size_t ncb = 0, capcb = 0;
    for (uint32_t i = 0; i < n; i++) {
        /* the series' pairs are sorted: binary search the __name__ range */
        uint32_t lo = b->lab_off[i], hi = b->lab_off[i + 1], pr = UINT32_MAX;
        while (lo < hi) {
            uint32_t mid = lo + (hi - lo) / 2, x = b->lab_pairs[mid];
            if (x >= nm->hi) hi = mid;
            else if (x < nm->lo) lo = mid + 1;
            else {
                pr = x;
                break;
            }
        }
        of[i] = UINT32_MAX;
        if (pr == UINT32_MAX) continue;
        uint32_t q = pr - nm->lo, namelen = (uint32_t)b->syms[b->pair_value[pr]].n;
        uint32_t tl = b->meta[i].table_len; /* <= namelen: build_series checked it */
        uint32_t tlen = tl == 0 || tl >= namelen ? namelen : tl, k = head[q];
        while (k != UINT32_MAX && cb[k].tlen != tlen) k = cb[k].next;
        if (k == UINT32_MAX) {
            if (ncb == capcb) {
                capcb = capcb ? capcb * 2 : 64;
                cb = st_realloc(cb, capcb * sizeof *cb);
            }
            cb[ncb] = (tcombo){q, tlen, head[q], 0};
            k = head[q] = (uint32_t)ncb++;
        }
        of[i] = k;
    }
    tsort *ts = st_malloc((ncb + 1) * sizeof *ts);
    for (size_t k = 0; k < ncb; k++)
        ts[k] = (tsort){st_slice_of(b->syms[b->pair_value[nm->lo + cb[k].q]].p, cb[k].tlen),
                        (uint32_t)k};
    qsort(ts, ncb, sizeof *ts, tsort_cmp);
    b->tables = st_malloc((ncb + 1) * sizeof *b->tables);
    for (size_t k = 0; k < ncb; k++) {
        if (k == 0 || tsort_cmp(&ts[k - 1], &ts[k]) != 0) b->tables[b->ntables++] = ts[k].table;
        cb[ts[k].combo].table = b->ntables - 1;
    }
    b->tab_off = st_calloc((size_t)b->ntables + 1, sizeof *b->tab_off);
    for (uint32_t i = 0; i < n; i++)
        if (of[i] != UINT32_MAX) b->tab_off[cb[of[i]].table + 1]++;
    for (uint32_t t = 0; t < b->ntables; t++) b->tab_off[t + 1] += b->tab_off[t];
    b->tab_ids = st_malloc(((size_t)b->tab_off[b->ntables] + 1) * sizeof *b->tab_ids);
    uint32_t *fill = st_malloc(((size_t)b->ntables + 1) * sizeof *fill);
    memcpy(fill, b->tab_off, (size_t)b->ntables * sizeof *fill);
    for (uint32_t i = 0; i < n; i++)
        if (of[i] != UINT32_MAX) b->tab_ids[fill[cb[of[i]].table]++] = i;
    b->tab_lo = st_malloc(((size_t)b->ntables + 1) * sizeof *b->tab_lo);
    b->tab_hi = st_malloc(((size_t)b->ntables + 1) * sizeof *b->tab_hi);
    for (uint32_t t = 0; t < b->ntables; t++) {
        int64_t lo = INT64_MAX, hi = INT64_MIN;
        for (uint32_t k = b->tab_off[t]; k < b->tab_off[t + 1]; k++) {
            uint32_t id = b->tab_ids[k], c0 = b->chk_first[id], c1 = b->chk_first[id + 1];
            if (c0 == c1) continue;
            /* a series' chunks are in time order */
            if (blk_cmint(b, c0) < lo) lo = blk_cmint(b, c0);
            if (blk_cmaxt(b, c1 - 1) > hi) hi = blk_cmaxt(b, c1 - 1);
        }
        b->tab_lo[t] = lo;
        b->tab_hi[t] = hi;
    }
    st_free(fill);
    st_free(ts);
    st_free(cb);
    st_free(of);
    st_free(head);
}

/* The table's index in the table index, or ntables. */
static uint32_t table_index(const blk *b, st_slice table)
{
    uint32_t lo = 0, hi = b->ntables;
    while (lo < hi) {
        uint32_t mid = lo + (hi - lo) / 2;
        int c = blk_bytes_cmp(b->tables[mid].p, b->tables[mid].n, table.p, table.n);
        if (c == 0) return mid;
        if (c < 0) lo = mid + 1;
        else hi = mid;
    }
    return b->ntables;
}

void blk_table_series(const blk *b, st_slice table, const uint32_t **ids, size_t *n)
{
    uint32_t t = table_index(b, table);
    *ids = t < b->ntables ? b->tab_ids + b->tab_off[t] : NULL;
    *n = t < b->ntables ? b->tab_off[t + 1] - b->tab_off[t] : 0;
}

void blk_table_bounds(const blk *b, st_slice table, int64_t *lo, int64_t *hi)
{
    uint32_t t = table_index(b, table);
    *lo = t < b->ntables ? b->tab_lo[t] : INT64_MAX;
    *hi = t < b->ntables ? b->tab_hi[t] : INT64_MIN;
}

void blk_tables(const blk *b, const st_slice **tables, size_t *n)
{
    *tables = b->tables;
    *n = b->ntables;
}
