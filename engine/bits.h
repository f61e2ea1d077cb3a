/* bits: the integer codings shared by the WAL, the chunks and the blocks.
 *
 * Varints are LEB128 (7 bits per byte, low group first), as protobuf's.
 * Zig-zag maps signed to unsigned so that small magnitudes stay short.
 * The bit writer appends MSB-first into a growable st_buf; the reader never
 * reads past its end (it reports an error instead), because it runs on bytes
 * read from disk that may be corrupt.
 */
#ifndef ST_BITS_H
#define ST_BITS_H

#include <string.h>

#include "st.h"

/* A double's IEEE-754 bits and back (the type pun C allows: memcpy). */
static inline uint64_t f64_bits(double d)
{
    uint64_t u;
    memcpy(&u, &d, 8);
    return u;
}

static inline double f64_of(uint64_t u)
{
    double d;
    memcpy(&d, &u, 8);
    return d;
}

static inline uint64_t zigzag_enc(int64_t v) { return ((uint64_t)v << 1) ^ (uint64_t)(v >> 63); }
static inline int64_t zigzag_dec(uint64_t u) { return (int64_t)(u >> 1) ^ -(int64_t)(u & 1); }

/* Appends a varint; returns bytes written (1..10). out needs 10 bytes. */
size_t varint_put(uint8_t *out, uint64_t v);
void varint_buf(st_buf *b, uint64_t v);
void varint_buf_signed(st_buf *b, int64_t v);
/* Reads a varint from [*p, end); advances *p. Returns 0 or ST_ECORRUPT.
 * One-byte values (most lengths in keys) are read inline. */
int varint_get_long(const uint8_t **p, const uint8_t *end, uint64_t *v);
static inline int varint_get(const uint8_t **p, const uint8_t *end, uint64_t *v)
{
    if (*p < end && **p < 0x80) {
        *v = *(*p)++;
        return 0;
    }
    return varint_get_long(p, end, v);
}
int varint_get_signed(const uint8_t **p, const uint8_t *end, int64_t *v);

static inline void put_u32le(uint8_t *p, uint32_t v) { p[0]=(uint8_t)v; p[1]=(uint8_t)(v>>8); p[2]=(uint8_t)(v>>16); p[3]=(uint8_t)(v>>24); }
static inline uint32_t get_u32le(const uint8_t *p) { return (uint32_t)p[0] | (uint32_t)p[1]<<8 | (uint32_t)p[2]<<16 | (uint32_t)p[3]<<24; }
static inline void put_u64le(uint8_t *p, uint64_t v) { put_u32le(p, (uint32_t)v); put_u32le(p + 4, (uint32_t)(v >> 32)); }
static inline uint64_t get_u64le(const uint8_t *p) { return (uint64_t)get_u32le(p) | (uint64_t)get_u32le(p + 4) << 32; }

typedef struct bitw {
    st_buf *out;
    uint64_t acc; /* pending bits, right-aligned */
    unsigned nacc;
} bitw;

void bitw_init(bitw *w, st_buf *out);
void bitw_put(bitw *w, uint64_t v, unsigned nbits); /* nbits 0..64 */
void bitw_flush(bitw *w);                           /* pad to a byte with zeros */

typedef struct bitr {
    const uint8_t *p, *end;
    uint64_t acc;
    unsigned nacc;
    bool overrun;
} bitr;

void bitr_init(bitr *r, const uint8_t *p, size_t n);
uint64_t bitr_get(bitr *r, unsigned nbits); /* sets overrun past the end */

/* CRC-32C (Castagnoli), hardware-accelerated where the CPU has SSE4.2. */
uint32_t crc32c(uint32_t crc, const void *buf, size_t n);

/* Standard base64 with its padding (RFC 4648 §4): Basic credentials, key
 * files. The length decoded, or -1 when s is not base64 or out too small. */
long base64_decode(const char *s, size_t n, uint8_t *out, size_t cap);

/* A read (write = 0) or write (write = 1) prefetch of the line holding p.
 * The empty volatile asm keeps it: GCC infers that a function whose only
 * effect is __builtin_prefetch is const, and deletes calls to it whose
 * result is unused (which a prefetch helper's always is). */
#define st_prefetch(p, write)                                                                                \
    do {                                                                                                       \
        const void *st_pf_ = (p);                                                                              \
        __builtin_prefetch(st_pf_, (write), 3);                                                                \
        __asm__ volatile("" : : "r"(st_pf_));                                                                  \
    } while (0)

/* 64-bit hash of a byte string (series keys, raw label bytes). Fast, well
 * mixed, not cryptographic. */
uint64_t st_hash64(const void *p, size_t n, uint64_t seed);

#endif
