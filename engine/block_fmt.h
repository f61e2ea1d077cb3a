/* block_fmt: what block.c (the reader, which documents the byte layout of
 * every file) and block_write.c (the writer) must agree on. Private to the
 * block module. */
#ifndef ST_BLOCK_FMT_H
#define ST_BLOCK_FMT_H

#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#define BLK_VERSION 1
#define BLK_HDR_LEN 5 /* magic + version, in chunks and index */
#define BLK_META_FIXED 75 /* without the crc */
#define BLK_ID_LEN 26
#define BLK_SEC_SYMBOLS 1
#define BLK_SEC_PAIRS 2
#define BLK_SEC_SERIES 3
#define BLK_CROCKFORD "0123456789ABCDEFGHJKMNPQRSTVWXYZ"

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
