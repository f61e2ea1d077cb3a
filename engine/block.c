/* block: immutable on-disk blocks: the reader. The contract is in block.h,
 * the writer in block_write.c; this comment fixes the bytes. Integers are
 * little-endian; "uv" is a LEB128 uvarint (bits.h), "sv" a zig-zag one; crc
 * is CRC-32C.
 *
 * meta (one record; every version keeps the first and last rule):
 *   "STBM" u8 version | ...version 1 body... | u32 crc of all bytes before it
 *   v1 body: id[26] i64 mint i64 maxt u32 level u32 nseries u64 nsamples
 *            u64 nchunks u32 nsources, then nsources x id[26]
 *   Valid when: the crc matches (checked before anything else, so a flipped
 *   version byte reads as damage, and an unknown version with a good crc is
 *   reported as such), version == 1, the length is exactly 79 + 26*nsources,
 *   ids are 26 Crockford base32 characters, mint <= maxt, level >= 1.
 *
 * chunks:
 *   "STBC" u8 version | for each series in id order, for each of its chunks:
 *   codec chunk (codec.h) | u32 crc of that chunk
 *   Offsets are not stored anywhere: chunk k starts where chunk k-1's crc
 *   ended, so the index only carries lengths (about 2 bytes per chunk instead
 *   of 4-5 for an offset). The sum of the index's lengths must equal the file
 *   size exactly, which catches truncation at open. A chunk's crc is checked
 *   on every read before the codec sees a byte of it (4 bytes per chunk:
 *   0.011 B/sample at 360 samples, inside the budget, and it lets a read
 *   verify exactly what it decodes rather than a whole page).
 *   A series has ceil(n / 65536) chunks (fewer samples per chunk when string
 *   payloads pass 16 MiB), so one read never decodes an unbounded chunk.
 *   Chunk timestamps are stored relative to base = mint (or to 0 when
 *   maxt - mint does not fit an int64): the codec writes its first timestamp
 *   as a zig-zag varint, 9 bytes for an absolute time in ns and 1-2 bytes
 *   relative to the block, i.e. 0.02 B/sample saved at 360 samples/chunk.
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
 *   series:  uv count (== meta nseries), then columns, each over all series
 *            in id order; columns keep like with like so zstd sees the long
 *            repeats (in TSBS-like data the label columns of metric k repeat
 *            those of metric 0 byte for byte):
 *            1. uv nlabels (>= 1)
 *            2. uv first pair id
 *            3. per series nlabels-1 x uv pair id increase (>= 1); label
 *               names must be strictly increasing within a series
 *            4. u8 vtype (1..5) uv table_len (<= length of the __name__ value)
 *            5. uv nchunks (>= 1; sum == meta nchunks)
 *            6. per chunk uv length (>= 2)
 *            7. only for series with nchunks > 1, per chunk uv maxt increase
 *               (the first over the block's mint); a chunk then holds
 *               (maxt of the previous chunk, its maxt], which lets a read skip
 *               chunks outside its range. One-chunk series store nothing.
 *   The canonical key of each series is rebuilt from its labels; keys must be
 *   strictly increasing with the id (so ids are dense in key order and
 *   blk_find is a binary search).
 *
 *   Postings are not stored: they are fully determined by the series column,
 *   and open rebuilds them with one counting pass (O(labels), no sort). A
 *   stored copy would cost bytes (delta varints + zstd: 0.8 B/series on the
 *   TSBS-like data, 40% of the whole index), need the same validation pass,
 *   and could disagree with the series it indexes; a derived one cannot.
 *
 * In memory a block holds the symbols, the pairs and their postings, each
 * series' pair ids, rebuilt key, meta and chunk refs: 320 bytes per series
 * on the TSBS-like data (11 labels), of which the keys (which blk_series_key
 * lends out, so they must exist) are 60%.
 *
 * tombstones (optional):
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
#include "block.h"

#include "bits.h"
#include "block_fmt.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zstd.h>

/* Fuzzing builds skip checksum verification (so the fuzzer can reach the
 * parsers behind them) and use small allocation caps. */
#ifdef FUZZING_BUILD_MODE_UNSAFE_FOR_PRODUCTION
#define CRC_BAD(got, want) ((void)(got), (void)(want), 0)
#define BLK_MAX_SECTION ((uint64_t)16 << 20)
#define BLK_MAX_MEM ((uint64_t)64 << 20)
#else
#define CRC_BAD(got, want) ((got) != (want))
#define BLK_MAX_SECTION ((uint64_t)UINT32_MAX) /* so counts within fit uint32 */
#define BLK_MAX_MEM ((uint64_t)1 << 38)
#endif
#define BLK_MAX_META ((size_t)1 << 20)

/* ------------------------------------------------------------------------ */
/* Shared helpers                                                           */

__attribute__((format(printf, 4, 5))) static int corrupt(st_err *e, const char *dir,
                                                         const char *file, const char *fmt, ...)
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

typedef struct tomb {
    uint32_t id;
    int64_t mint, maxt;
} tomb;

/* An immutable tombstone set. Readers take a reference under b->tmu (held
 * only for the pointer copy); blk_add_tombstones builds a new set, makes it
 * durable, swaps the pointer and drops the old set's reference. A read thus
 * sees the old or the new set, never a half-built one, and never waits for
 * the fsync of a concurrent add. */
typedef struct tombset {
    atomic_int refs;
    size_t n;
    tomb e[];
} tombset;

typedef struct bname {
    uint32_t sym, lo, hi; /* pairs [lo, hi) have this name */
} bname;

struct blk {
    atomic_int refs;
    atomic_bool deleted;
    const vfs *v;   /* NULL for blk_open_mem */
    char *dir;
    char id[BLK_ID_LEN + 1];
    int64_t mint, maxt;
    uint64_t base; /* chunk timestamps are relative to it */
    int level;
    uint32_t nseries;
    uint64_t nsamples, nchunks;
    _Atomic uint64_t disk_bytes;
    size_t nsources;
    char (*sources)[BLK_ID_LEN + 1];

    const uint8_t *chunks; /* mmap (or borrowed for blk_open_mem) */
    size_t chunks_len;
    bool mapped;

    char *symbuf;
    st_slice *syms;
    uint32_t nsyms;

    uint32_t npairs, nnames;
    uint32_t *pair_name, *pair_value, *pair_nidx; /* sym, sym, index into names */
    uint32_t *post_off, *post_ids;                /* postings, CSR over pairs */
    bname *names;

    uint8_t *keybuf;
    uint64_t *key_off; /* nseries + 1 */
    series_meta *meta;
    uint32_t *lab_off, *lab_pairs; /* labels as pair ids, CSR over series */
    uint32_t *chk_first;           /* nseries + 1 */
    uint64_t *chk_off;
    uint32_t *chk_len;
    int64_t *chk_maxt;

    pthread_mutex_t tmu;    /* guards the tomb pointer */
    pthread_mutex_t add_mu; /* serialises blk_add_tombstones */
    tombset *tomb;
    size_t tomb_bytes; /* size of the tombstones file; under add_mu */
    atomic_bool has_tomb;
};

static void tomb_unref(tombset *t)
{
    if (t && atomic_fetch_sub_explicit(&t->refs, 1, memory_order_acq_rel) == 1) st_free(t);
}

static tombset *tomb_get(blk *b)
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
    if (b->mapped) munmap((void *)b->chunks, b->chunks_len);
    tomb_unref(b->tomb);
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
    st_free(b->chk_off);
    st_free(b->chk_len);
    st_free(b->chk_maxt);
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
    return b;
}

/* ------------------------------------------------------------------------ */
/* Parsing: meta                                                            */

static int parse_meta(blk *b, const uint8_t *p, size_t n, st_err *e)
{
    const char *d = b->dir;
    if (n < 9 || memcmp(p, "STBM", 4) != 0)
        return corrupt(e, d, "meta", "not a block meta file (bad magic or %zu bytes)", n);
    if (CRC_BAD(crc32c(0, p, n - 4), get_u32le(p + n - 4)))
        return corrupt(e, d, "meta", "checksum mismatch (damaged or truncated)");
    if (p[4] != BLK_VERSION)
        return corrupt(e, d, "meta", "format version %u is not supported (this build reads %d)",
                       p[4], BLK_VERSION);
    if (n < BLK_META_FIXED + 4) return corrupt(e, d, "meta", "truncated (%zu bytes)", n);
    const uint8_t *q = p + 5;
    if (!blk_id_valid(q)) return corrupt(e, d, "meta", "invalid block id");
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
    if (b->mint > b->maxt) return corrupt(e, d, "meta", "mint > maxt");
    b->base = (uint64_t)b->maxt - (uint64_t)b->mint <= INT64_MAX ? (uint64_t)b->mint : 0;
    if (level < 1 || level > INT_MAX) return corrupt(e, d, "meta", "invalid level %u", level);
    b->level = (int)level;
    if ((uint64_t)nsrc * BLK_ID_LEN != n - 4 - BLK_META_FIXED)
        return corrupt(e, d, "meta", "length %zu does not match %u source ids", n, nsrc);
    b->nsources = nsrc;
    b->sources = st_malloc((nsrc ? nsrc : 1) * sizeof *b->sources);
    for (uint32_t i = 0; i < nsrc; i++, q += BLK_ID_LEN) {
        if (!blk_id_valid(q)) return corrupt(e, d, "meta", "invalid source id %u", i);
        memcpy(b->sources[i], q, BLK_ID_LEN);
        b->sources[i][BLK_ID_LEN] = 0;
    }
    if (b->nseries == UINT32_MAX) return corrupt(e, d, "meta", "series count out of range");
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
    if (p >= end) return corrupt(e, d, "index", "section %s: missing (file truncated)", name);
    if (*p++ != kind) return corrupt(e, d, "index", "section %s: bad section tag", name);
    if (varint_get(&p, end, &rlen) || varint_get(&p, end, &slen) || p >= end)
        return corrupt(e, d, "index", "section %s: truncated header", name);
    uint8_t method = *p++;
    if (slen > (uint64_t)(end - p) || (uint64_t)(end - p) - slen < 4)
        return corrupt(e, d, "index", "section %s: truncated (%llu bytes declared)", name,
                       (unsigned long long)slen);
    const uint8_t *payload = p;
    p += slen;
    if (CRC_BAD(crc32c(0, start, (size_t)(p - start)), get_u32le(p)))
        return corrupt(e, d, "index", "section %s: checksum mismatch", name);
    p += 4;
    if (rlen > BLK_MAX_SECTION)
        return corrupt(e, d, "index", "section %s: implausible size %llu", name,
                       (unsigned long long)rlen);
    if (method == 0) {
        if (rlen != slen) return corrupt(e, d, "index", "section %s: raw size mismatch", name);
        *raw = payload;
    } else if (method == 1) {
        if (ZSTD_getFrameContentSize(payload, (size_t)slen) != rlen)
            return corrupt(e, d, "index", "section %s: zstd frame size mismatch", name);
        *own = st_malloc(rlen ? (size_t)rlen : 1);
        size_t r = ZSTD_decompress(*own, (size_t)rlen, payload, (size_t)slen);
        if (ZSTD_isError(r) || r != rlen) {
            st_free(*own);
            *own = NULL;
            return corrupt(e, d, "index", "section %s: zstd: %s", name,
                           ZSTD_isError(r) ? ZSTD_getErrorName(r) : "short output");
        }
        *raw = *own;
    } else {
        return corrupt(e, d, "index", "section %s: unknown compression method %u", name, method);
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
    if (varint_get(&p, end, &cnt) || cnt > n / 2) return corrupt(e, d, f, "bad symbol count");
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
            rc = corrupt(e, d, f, "malformed symbol %llu", (unsigned long long)i);
            goto out;
        }
        size_t start = sb.len;
        st_buf_reserve(&sb, (size_t)(shared + slen));
        memcpy(sb.p + start, sb.p + prev_off, (size_t)shared);
        memcpy(sb.p + start + shared, p, (size_t)slen);
        sb.len += (size_t)(shared + slen);
        p += slen;
        if (i > 0 && blk_bytes_cmp(sb.p + prev_off, prev_len, sb.p + start, sb.len - start) >= 0) {
            rc = corrupt(e, d, f, "symbols not strictly increasing at %llu", (unsigned long long)i);
            goto out;
        }
        offs[i] = start;
        prev_off = start;
        prev_len = sb.len - start;
    }
    if (p != end) {
        rc = corrupt(e, d, f, "%zu trailing bytes", (size_t)(end - p));
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
    if (varint_get(&p, end, &cnt) || cnt > n / 2) return corrupt(e, d, f, "bad pair count");
    b->npairs = (uint32_t)cnt;
    b->pair_name = st_malloc(((size_t)cnt + 1) * sizeof(uint32_t));
    b->pair_value = st_malloc(((size_t)cnt + 1) * sizeof(uint32_t));
    b->pair_nidx = st_malloc(((size_t)cnt + 1) * sizeof(uint32_t));
    b->names = st_malloc(((size_t)cnt + 1) * sizeof(bname));
    uint64_t name = 0, value = 0;
    for (uint64_t i = 0; i < cnt; i++) {
        uint64_t dn, v;
        if (varint_get(&p, end, &dn) || varint_get(&p, end, &v) || dn > b->nsyms || v > b->nsyms)
            return corrupt(e, d, f, "malformed pair %llu", (unsigned long long)i);
        if (i > 0 && dn == 0) {
            if (v == 0) return corrupt(e, d, f, "pairs not strictly increasing at %llu",
                                       (unsigned long long)i);
            value += v;
        } else {
            name += dn;
            value = v;
        }
        if (name >= b->nsyms || value >= b->nsyms)
            return corrupt(e, d, f, "pair %llu: symbol ref out of range (%u symbols)",
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
    if (p != end) return corrupt(e, d, f, "%zu trailing bytes", (size_t)(end - p));
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
            if (keybytes > BLK_MAX_MEM) return corrupt(e, d, f, "implausible total key size");
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
            rc = corrupt(e, d, f, "series %u: table_len %u exceeds its name", i,
                         b->meta[i].table_len);
            break;
        }
        if (i > 0 && blk_bytes_cmp(kb.p + b->key_off[i - 1], b->key_off[i] - b->key_off[i - 1],
                               kb.p + b->key_off[i], kb.len - b->key_off[i]) >= 0) {
            rc = corrupt(e, d, f, "series %u: keys not strictly increasing", i);
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
        if (b->post_off[p + 1] == 0) return corrupt(e, d, f, "label pair %u is not used", p);
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

static int parse_series(blk *b, const uint8_t *p, size_t n, st_err *e)
{
    const char *d = b->dir, *f = "index: section series";
    const uint8_t *end = p + n;
    uint64_t cnt, v;
    if (varint_get(&p, end, &cnt)) return corrupt(e, d, f, "truncated");
    if (cnt != b->nseries)
        return corrupt(e, d, f, "%llu series, meta says %u", (unsigned long long)cnt, b->nseries);
    if (cnt > n) return corrupt(e, d, f, "series count exceeds section");
    uint32_t ns = (uint32_t)cnt;
    b->lab_off = st_malloc(((size_t)ns + 1) * sizeof(uint32_t));
    b->meta = st_malloc(((size_t)ns + 1) * sizeof(series_meta));
    b->chk_first = st_malloc(((size_t)ns + 1) * sizeof(uint32_t));

    /* 1: label counts */
    uint64_t total = 0;
    for (uint32_t i = 0; i < ns; i++) {
        if (varint_get(&p, end, &v) || v == 0 || v > n || total + v > n)
            return corrupt(e, d, f, "series %u: bad label count", i);
        b->lab_off[i] = (uint32_t)total;
        total += v;
    }
    b->lab_off[ns] = (uint32_t)total;
    b->lab_pairs = st_malloc(((size_t)total + 1) * sizeof(uint32_t));
    /* 2: first pair of each series */
    for (uint32_t i = 0; i < ns; i++) {
        if (varint_get(&p, end, &v) || v >= b->npairs)
            return corrupt(e, d, f, "series %u: pair ref out of range", i);
        b->lab_pairs[b->lab_off[i]] = (uint32_t)v;
    }
    /* 3: the other pairs as increases; names strictly increasing */
    for (uint32_t i = 0; i < ns; i++) {
        for (uint32_t k = b->lab_off[i] + 1; k < b->lab_off[i + 1]; k++) {
            uint32_t prev = b->lab_pairs[k - 1];
            if (varint_get(&p, end, &v) || v == 0 || v >= b->npairs - prev)
                return corrupt(e, d, f, "series %u: pair ref out of range", i);
            uint32_t pr = prev + (uint32_t)v;
            if (b->pair_name[pr] <= b->pair_name[prev])
                return corrupt(e, d, f, "series %u: duplicate or unsorted label names", i);
            b->lab_pairs[k] = pr;
        }
    }
    /* 4: meta */
    for (uint32_t i = 0; i < ns; i++) {
        if (p >= end || *p < ST_VT_FLOAT || *p > ST_VT_STRING)
            return corrupt(e, d, f, "series %u: bad value type", i);
        b->meta[i].type = *p++;
        if (varint_get(&p, end, &v) || v > UINT16_MAX)
            return corrupt(e, d, f, "series %u: bad table_len", i);
        b->meta[i].table_len = (uint16_t)v;
    }
    /* 5: chunk counts */
    uint64_t nch = 0;
    for (uint32_t i = 0; i < ns; i++) {
        if (varint_get(&p, end, &v) || v == 0 || v > n || nch + v > n)
            return corrupt(e, d, f, "series %u: bad chunk count", i);
        b->chk_first[i] = (uint32_t)nch;
        nch += v;
    }
    b->chk_first[ns] = (uint32_t)nch;
    if (nch != b->nchunks)
        return corrupt(e, d, f, "%llu chunks, meta says %llu", (unsigned long long)nch,
                       (unsigned long long)b->nchunks);
    b->chk_off = st_malloc(((size_t)nch + 1) * sizeof(uint64_t));
    b->chk_len = st_malloc(((size_t)nch + 1) * sizeof(uint32_t));
    b->chk_maxt = st_malloc(((size_t)nch + 1) * sizeof(int64_t));
    /* 6: chunk lengths; offsets follow from them */
    uint64_t off = BLK_HDR_LEN;
    for (uint64_t c = 0; c < nch; c++) {
        if (varint_get(&p, end, &v) || v < 2 || v > UINT32_MAX || v + 4 > b->chunks_len - off)
            return corrupt(e, d, f, "chunk %llu: length out of range of the chunks file",
                           (unsigned long long)c);
        b->chk_off[c] = off;
        b->chk_len[c] = (uint32_t)v;
        off += v + 4;
    }
    if (off != b->chunks_len)
        return corrupt(e, d, "chunks", "size %zu does not match the index (%llu)",
                       b->chunks_len, (unsigned long long)off);
    /* 7: per-chunk maxt of multi-chunk series */
    for (uint32_t i = 0; i < ns; i++) {
        uint32_t c0 = b->chk_first[i], c1 = b->chk_first[i + 1];
        if (c1 - c0 == 1) {
            b->chk_maxt[c0] = b->maxt;
            continue;
        }
        uint64_t t = (uint64_t)b->mint, room = (uint64_t)b->maxt - (uint64_t)b->mint;
        for (uint32_t c = c0; c < c1; c++) {
            if (varint_get(&p, end, &v) || v > room || (c > c0 && v == 0))
                return corrupt(e, d, f, "series %u: chunk time range out of the block", i);
            room -= v;
            t += v;
            b->chk_maxt[c] = (int64_t)t;
        }
    }
    if (p != end) return corrupt(e, d, f, "%zu trailing bytes", (size_t)(end - p));
    return build_series(b, e);
}

static int parse_index(blk *b, const uint8_t *p, size_t n, st_err *e)
{
    const char *d = b->dir;
    const uint8_t *end = p + n;
    if (n < BLK_HDR_LEN || memcmp(p, "STBI", 4) != 0)
        return corrupt(e, d, "index", "bad magic (%zu bytes)", n);
    if (p[4] != BLK_VERSION)
        return corrupt(e, d, "index", "format version %u is not supported (this build reads %d)",
                       p[4], BLK_VERSION);
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
        rc = corrupt(e, d, "index", "%zu trailing bytes after the last section", (size_t)(end - p));
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
    if (n < 9 || memcmp(p, "STBT", 4) != 0) return corrupt(e, d, f, "bad magic (%zu bytes)", n);
    if (CRC_BAD(crc32c(0, p, n - 4), get_u32le(p + n - 4)))
        return corrupt(e, d, f, "checksum mismatch (damaged or truncated)");
    if (p[4] != BLK_VERSION)
        return corrupt(e, d, f, "format version %u is not supported (this build reads %d)", p[4],
                       BLK_VERSION);
    const uint8_t *end = p + n - 4;
    p += 5;
    uint64_t cnt;
    if (varint_get(&p, end, &cnt) || cnt > n / 3) return corrupt(e, d, f, "bad count");
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
            return corrupt(e, d, f, "malformed entry %llu", (unsigned long long)i);
        }
        id += did;
        /* maxt = mint + span must not pass INT64_MAX; in uint64 arithmetic
         * INT64_MAX - mint is exact for every int64 mint */
        if (span > (uint64_t)INT64_MAX - (uint64_t)mint) {
            st_free(t);
            return corrupt(e, d, f, "entry %llu: time range overflows", (unsigned long long)i);
        }
        tomb *x = &t->e[i];
        x->id = (uint32_t)id;
        x->mint = mint;
        x->maxt = (int64_t)((uint64_t)mint + span);
        /* sorted, disjoint, not adjacent within a series */
        if (i > 0 && x->id == x[-1].id && (x[-1].maxt == INT64_MAX || x->mint <= x[-1].maxt + 1)) {
            st_free(t);
            return corrupt(e, d, f, "entry %llu: overlaps or precedes the previous one",
                           (unsigned long long)i);
        }
    }
    if (p != end) {
        st_free(t);
        return corrupt(e, d, f, "%zu trailing bytes", (size_t)(end - p));
    }
    b->tomb = t;
    atomic_store(&b->has_tomb, t->n > 0);
    return 0;
}

static void tombs_encode(const tombset *t, st_buf *out)
{
    st_buf_put(out, "STBT", 4);
    st_buf_putc(out, BLK_VERSION);
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

static int blk_load(blk *b, const uint8_t *meta, size_t meta_len, const uint8_t *index,
                    size_t index_len, const uint8_t *tombs, size_t tomb_len, st_err *e)
{
    int rc = parse_meta(b, meta, meta_len, e);
    if (rc) return rc;
    if (b->chunks_len < BLK_HDR_LEN || memcmp(b->chunks, "STBC", 4) != 0)
        return corrupt(e, b->dir, "chunks", "bad magic (%zu bytes)", b->chunks_len);
    if (b->chunks[4] != BLK_VERSION)
        return corrupt(e, b->dir, "chunks", "format version %u is not supported", b->chunks[4]);
    rc = parse_index(b, index, index_len, e);
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

/* Reads dir/name whole. *fd_out, if given, receives the open fd (for the
 * chunks mmap) instead of the bytes. */
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
    struct stat st;
    int rc = 0;
    if (fstat(fd, &st) != 0) {
        rc = io_fail(e, -errno, "stat", path);
    } else if ((uint64_t)st.st_size > max) {
        rc = corrupt(e, dir, name, "implausible size %lld", (long long)st.st_size);
    } else {
        *len = (size_t)st.st_size;
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
    if (fd == -ENOENT) return corrupt(e, b->dir, "chunks", "file is missing");
    if (fd < 0) return io_fail(e, fd, "opening", path);
    struct stat st;
    int rc = 0;
    if (fstat(fd, &st) != 0) {
        rc = io_fail(e, -errno, "stat", path);
    } else if (st.st_size < BLK_HDR_LEN) {
        rc = corrupt(e, b->dir, "chunks", "truncated (%lld bytes)", (long long)st.st_size);
    } else {
        void *m = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_SHARED, fd, 0);
        if (m == MAP_FAILED) {
            rc = io_fail(e, -errno, "mmap", path);
        } else {
            b->chunks = m;
            b->chunks_len = (size_t)st.st_size;
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
        if (b->mapped) munmap((void *)b->chunks, b->chunks_len);
        b->mapped = false;
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
    /* Matchers that exclude series without the label narrow the set first;
     * those that match "" can only subtract afterwards. */
    for (size_t i = 0; i < n; i++) {
        matcher *m = ms[i];
        if (matcher_matches_empty(m)) continue;
        const bname *nm = find_name(b, matcher_name(m));
        if (!nm) goto empty; /* no series has the label: "" does not match */
        uint32_t pr;
        if (matcher_op(m) == MATCH_EQ) {
            tmp.n = 0;
            if (find_pair(b, nm, matcher_value(m), &pr))
                postings_set(&tmp, b->post_ids + b->post_off[pr], b->post_off[pr + 1] - b->post_off[pr]);
        } else {
            collect(b, nm, m, true, &tmp);
        }
        if (!have) {
            postings t = *out;
            *out = tmp;
            tmp = t;
            have = true;
        } else {
            postings_intersect(out, &tmp);
        }
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
    return 0;
empty:
    out->n = 0;
    postings_free(&tmp);
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
/* Reading samples                                                          */

/* Verifies and decodes chunk c of series id into s. lo is the smallest
 * timestamp the chunk may hold. The crc is checked before the codec sees
 * the bytes; the type and time bounds are checked after, as a second line
 * against an index that points at the wrong (intact) chunk. */
static int chunk_decode(const blk *b, uint32_t id, uint32_t c, int64_t lo, codec_samples *s,
                        st_err *e)
{
    const uint8_t *p = b->chunks + b->chk_off[c];
    size_t len = b->chk_len[c];
    unsigned long long off = (unsigned long long)b->chk_off[c];
    if (CRC_BAD(crc32c(0, p, len), get_u32le(p + len)))
        return corrupt(e, b->dir, "chunks", "series %u: chunk at offset %llu: checksum mismatch",
                       id, off);
    if (p[1] != b->meta[id].type)
        return corrupt(e, b->dir, "chunks", "series %u: chunk at offset %llu: type %u, series has %u",
                       id, off, p[1], b->meta[id].type);
    if (codec_decode(p, len, s, e) != 0) {
        if (e) {
            st_wrap(e, "block %s: chunks: series %u: chunk at offset %llu", b->dir, id, off);
            e->code = ST_ECORRUPT;
        }
        s->n = 0;
        return ST_ECORRUPT;
    }
    for (size_t i = 0; i < s->n; i++) s->ts[i] = (int64_t)((uint64_t)s->ts[i] + b->base);
    if (s->n == 0 || s->ts[0] < lo || s->ts[s->n - 1] > b->chk_maxt[c]) {
        s->n = 0;
        return corrupt(e, b->dir, "chunks", "series %u: chunk at offset %llu: timestamps outside "
                       "its range", id, off);
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

static void apply_tombs(const tombset *t, uint32_t id, codec_samples *s, bool str)
{
    size_t lo = 0, hi = t->n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (t->e[mid].id < id) lo = mid + 1;
        else hi = mid;
    }
    size_t k = lo, j = 0;
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
        int64_t lo = c == b->chk_first[id] ? b->mint : b->chk_maxt[c - 1] + 1;
        rc = chunk_decode(b, id, c, lo, &tmp, e);
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
    uint32_t c0 = b->chk_first[id], c1 = b->chk_first[id + 1];
    /* chunk c holds (maxt of c-1, maxt of c]: skip those wholly outside */
    uint32_t c = c0;
    while (c < c1 && b->chk_maxt[c] < mint) c++;
    uint32_t cend = c;
    while (cend < c1 && (cend == c0 || b->chk_maxt[cend - 1] < maxt)) cend++;
    int rc = 0;
    if (cend - c == 1) {
        rc = chunk_decode(b, id, c, c == c0 ? b->mint : b->chk_maxt[c - 1] + 1, out, e);
        if (rc == 0) keep_range(out, str, mint, maxt);
    } else if (cend > c) {
        rc = read_chunks(b, id, c, cend, mint, maxt, out, e);
    }
    if (rc == 0 && out->n && atomic_load_explicit(&b->has_tomb, memory_order_acquire)) {
        tombset *t = tomb_get(b);
        if (t) apply_tombs(t, id, out, str);
        tomb_unref(t);
    }
    return rc;
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
    int rc = vfs_write_file_atomic(b->v, b->dir, "tombstones", buf.p, buf.len);
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
        tomb_unref(old);
    }
    st_buf_free(&buf);
    pthread_mutex_unlock(&b->add_mu);
    return rc;
}
