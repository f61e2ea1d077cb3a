/* block_int: the reader's in-memory block, shared by block.c (open, index,
 * selection, tombstone writes) and block_chunks.c (chunk records: samples,
 * metadata, statistics). Private to the block module; the byte layout is in
 * block.c's top comment.
 */
#ifndef ST_BLOCK_INT_H
#define ST_BLOCK_INT_H

#include "block.h"
#include "block_fmt.h"

#include <pthread.h>
#include <stdatomic.h>

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

typedef struct tomb {
    uint32_t id;
    int64_t mint, maxt;
} tomb;

/* An immutable tombstone set. Readers take a reference under b->tmu (held
 * only for the pointer copy); blk_add_tombstones builds a new set, makes it
 * durable, swaps the pointer and drops the old set's reference. A read thus
 * sees the old or the new set, never a half-built one, and never waits for
 * the fsync of a concurrent add. Entries are sorted by (id, mint), disjoint
 * and not adjacent within a series. */
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
    const vfs *v; /* NULL for blk_open_mem */
    char *dir;
    char id[BLK_ID_LEN + 1];
    int version; /* BLK_VERSION_1 or BLK_VERSION_2 */
    int64_t mint, maxt;
    uint64_t base; /* version 1: chunk timestamps are relative to it */
    int level;
    uint32_t nseries;
    uint64_t nsamples, nchunks;
    _Atomic uint64_t disk_bytes;
    size_t nsources;
    char (*sources)[BLK_ID_LEN + 1];

    const uint8_t *chunks; /* v->map of the file (or borrowed for blk_open_mem); NULL: read with pread */
    size_t chunks_len;
    bool mapped;
    /* a vfs that does not map (an encrypting one: sealfs.h) serves the
     * chunks through pread on this fd, held for the block's life; -1: none */
    int chunks_fd;

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

    /* Chunks of series id: [chk_first[id], chk_first[id + 1]). Chunk c's
     * record ends (its crc included) at cend[c] and starts where c - 1's
     * ended: 4 bytes a chunk while the chunks file is under 4 GiB, else 8.
     * Its times are ctimes[2c] (mint) and ctimes[2c + 1] (maxt): in units
     * of tu from the block's mint as uint32 when the block's span allows
     * (ct32), else absolute (ct64). Version 1 keeps the lower bound of mint
     * there (block.h). See the blk_c* accessors below. */
    uint32_t *chk_first;
    uint32_t *cend32;
    uint64_t *cend64;
    uint32_t *ct32;
    int64_t *ct64;
    uint64_t tu;

    /* The table index: series of tables[t] are tab_ids[tab_off[t] ..
     * tab_off[t + 1]), ascending; tables sorted bytewise, their bytes
     * borrowed from the symbols. */
    uint32_t ntables;
    st_slice *tables;
    uint32_t *tab_off, *tab_ids;
    int64_t *tab_lo, *tab_hi; /* bounds of each table's chunks (lo > hi: none) */

    /* chunks whose checksum held when first read: a bit each (a dashboard
     * rereads the same chunks every refresh; the bytes are immutable) */
    _Atomic uint64_t *crc_ok;

    pthread_mutex_t tmu;    /* guards the tomb pointer */
    pthread_mutex_t add_mu; /* serialises blk_add_tombstones */
    tombset *tomb;
    size_t tomb_bytes; /* size of the tombstones file; under add_mu */
    atomic_bool has_tomb;
};

static inline uint64_t blk_cend(const blk *b, uint32_t c)
{
    return b->cend32 ? b->cend32[c] : b->cend64[c];
}

static inline uint64_t blk_cstart(const blk *b, uint32_t c)
{
    return c ? blk_cend(b, c - 1) : BLK_HDR_LEN;
}

static inline int64_t blk_ctime(const blk *b, size_t k)
{
    if (b->ct32) return (int64_t)((uint64_t)b->mint + (uint64_t)b->ct32[k] * b->tu);
    return b->ct64[k];
}

static inline int64_t blk_cmint(const blk *b, uint32_t c) { return blk_ctime(b, 2 * (size_t)c); }
static inline int64_t blk_cmaxt(const blk *b, uint32_t c) { return blk_ctime(b, 2 * (size_t)c + 1); }

/* ST_ECORRUPT with "block <dir>: <file>: <message>". */
__attribute__((format(printf, 4, 5))) int blk_corrupt(st_err *e, const char *dir, const char *file,
                                                      const char *fmt, ...);

/* A reference to the current tombstone set (NULL: none); drop it with
 * blk_tomb_unref. */
tombset *blk_tomb_get(blk *b);
void blk_tomb_unref(tombset *t);

#endif
