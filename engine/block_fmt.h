/* block_fmt: what block.c (the reader, which documents the byte layout of
 * every file) and block_write.c (the writer) must agree on. Private to the
 * block module. */
#ifndef ST_BLOCK_FMT_H
#define ST_BLOCK_FMT_H

#include "codec.h"

#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#define BLK_VERSION_1 1 /* read forever */
#define BLK_VERSION_2 2
#define BLK_VERSION BLK_VERSION_2 /* what the writer writes */
#define BLK_TOMB_VERSION 1        /* tombstones files of either block version */
#define BLK_HDR_LEN 5 /* magic + version, in chunks and index */
#define BLK_META_FIXED 75 /* without the crc */
#define BLK_ID_LEN 26
#define BLK_SEC_SYMBOLS 1
#define BLK_SEC_PAIRS 2
#define BLK_SEC_SERIES 3
#define BLK_CROCKFORD "0123456789ABCDEFGHJKMNPQRSTVWXYZ"

/* Chunk cutting (version 2, block.c explains the choice): a chunk ends at a
 * multiple of BLK_CHUNK_SPAN ns from the epoch once it holds at least
 * BLK_CHUNK_MIN samples and at least BLK_CHUNK_MIN samples of the series
 * follow; it ends anywhere at BLK_CHUNK_MAX_SAMPLES samples, past
 * BLK_CHUNK_MAX_STRBYTES string bytes, or where its time span would not fit
 * an int64. */
#define BLK_CHUNK_SPAN ((int64_t)30 * 60 * 1000000000)
#define BLK_CHUNK_MIN 480
#define BLK_CHUNK_MAX_SAMPLES 65536
#define BLK_CHUNK_MAX_STRBYTES ((size_t)16 << 20)

/* The statistics record that starts a version 2 chunk record (block.c has
 * the bytes; block_chunks.c the code). put appends the record of s, which
 * must be what codec_stats_compute gave for the chunk's values. skip finds
 * its length in rec[0..len); decode rebuilds the stats, given the chunk's
 * sample count (from the codec header that follows the record). Both
 * return 0 or ST_ECORRUPT with *why set, on any bytes. */
void blk_stats_put(st_vtype type, const codec_stats *s, st_buf *out);
int blk_stats_skip(st_vtype type, const uint8_t *rec, size_t len, size_t *stats_len,
                   const char **why);
int blk_stats_decode(st_vtype type, const uint8_t *rec, size_t stats_len, uint32_t count,
                     codec_stats *out, const char **why);

/* Bytewise order, a proper prefix first: the order of keys and symbols. */
static inline int blk_bytes_cmp(const void *a, size_t an, const void *b, size_t bn)
{
    size_t n = an < bn ? an : bn;
    int c = n ? memcmp(a, b, n) : 0;
    if (c) return c;
    return an < bn ? -1 : an > bn;
}

/* 26 Crockford base32 characters; 26 x 5 = 130 bits hold 128, so the first
 * character is at most '7'. */
static inline bool blk_id_valid(const uint8_t *p)
{
    if (p[0] < '0' || p[0] > '7') return false;
    for (int i = 0; i < BLK_ID_LEN; i++)
        if (!p[i] || !strchr(BLK_CROCKFORD, p[i])) return false;
    return true;
}

#endif
