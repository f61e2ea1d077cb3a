/* sealfs: a vfs (vfs.h) that keeps the files it writes encrypted, over
 * another vfs, with crypto.h's keys (issue 12 §4).
 *
 * A sealed file is a 32-byte header {"STSE", version, kind, seed id,
 * segment size, 16-byte random salt} and then its contents in segments of
 * 64 KiB, each AES-256-GCM sealed on its own (nonce: the segment's number
 * and whether it is the last; AAD: the SHA-256 of the header), the key
 * derived from the seed, the salt, the kind and the file's path in the data
 * directory (crypto_file_key). So a changed byte, a cut file (even at a
 * segment boundary: the new last segment was not sealed as last), a file
 * swapped with another or copied to another path, all fail to open: EBADMSG,
 * which the engine treats as corruption. A file made anew has a new salt,
 * hence a new key: no key ever seals the same nonce twice (a file whose
 * seal or write failed seals nothing more). A file naming a seed keys/
 * does not have is -ENOKEY: the keys given are wrong, not the file.
 *
 * What it serves: files written once, front to back (write, or pwrite at
 * the end), finished by fsync or close, then read anywhere (pread, map).
 * That is every file of the data directory but the WAL's (wal/), whose
 * appends come after fsyncs: they pass through, and the WAL seals its own
 * writes as frames (wal_seal.h). A write after the finish, or anywhere but
 * the end, is -EINVAL.
 *
 * Paths: "X.tmp" is keyed as X, and a directory ".tmp-ID" as ID, so a
 * file written under its temporary name opens under its final one. keys/
 * (the seeds) and the LOCK file pass through unsealed. A file without the
 * header, read, is served as it is (data written before encryption was
 * on), and counted (sealfs_plain_reads) -- except the catalog and the users
 * file, taken in the clear only at the start that turns encryption on
 * (crypto_fresh; the server then writes them sealed), never after.
 *
 * Readers share one cache of decrypted segments, bounded (cache_bytes),
 * least recently used out first, a file's entries dropped when it
 * closes. A sealed file is never mapped (map: -ENOTSUP): block.c then reads
 * its chunks with pread, so memory stays bounded however large the data.
 */
#ifndef ST_SEALFS_H
#define ST_SEALFS_H

#include "crypto.h"
#include "vfs.h"

#define SEALFS_HEADER 32
#define SEALFS_SEGMENT 65536

/* base and keys outlive the vfs; root is the data directory (copied);
 * cache_bytes bounds the decrypted segments kept for readers (0: none). */
int sealfs_new(const vfs *base, crypto *keys, const char *root, size_t cache_bytes, vfs **out, st_err *e);
void sealfs_free(vfs *v);

/* Files read that had no header (plaintext from before). */
uint64_t sealfs_plain_reads(const vfs *v);
/* Segment reads served by the cache, and decrypted. */
void sealfs_cache_counts(const vfs *v, uint64_t *hits, uint64_t *misses);

#endif
