/* wal_seal: the WAL's files encrypted (issue 12 §4), for wal.c.
 *
 * A sealed file (version 2) starts with a 64-byte header: the 24 bytes of
 * wal.c's own (magic, version 2, number, base lsn, crc), then the seed id
 * (u32 LE), a random 16-byte salt, a key check (the tag of an empty seal
 * under the file's key, so that a file read with other keys is told from a
 * damaged one) and a crc32c of the 60 bytes before. The records follow in
 * frames, one per write:
 *   u32 len (LE, the ciphertext with its tag), u64 frame number (LE),
 *   AES-256-GCM ciphertext of the write's bytes and its 16-byte tag
 * with nonce = the frame number, AAD = the header, len and frame number;
 * the key from the seed, the salt, the kind and "wal/NAME" (crypto.h).
 * Frame numbers count up from 0 in each file and are never used twice
 * (a frame cut back after a failed write leaves its number used), and a
 * file is never appended to after it was closed (wal.c's rule), so no
 * nonce repeats under a key; a file made anew has a new salt.
 *
 * Reading turns a sealed file back into wal.c's plaintext layout (its
 * 24-byte header, then the records), so that its scan and recovery apply
 * unchanged: a frame that fails its tag becomes a 9-byte record that is
 * not valid (zero length, zero crc), which the scan skips to the frame
 * after it (records never span frames: each write holds whole records);
 * damage at the end becomes that record at the end, a torn tail. The map
 * gives, for each frame and each such record, where it starts in the
 * plaintext and in the file, to cut a torn tail at a frame's start.
 * A header whose crc holds but whose key check fails was sealed under
 * other keys (a seed replaced, a file from another data directory): that
 * refuses the replay, never taken for damage (which would cut records).
 */
#ifndef ST_WAL_SEAL_H
#define ST_WAL_SEAL_H

#include "crypto.h"

#define WAL_SEAL_HDR 64
#define WAL_SEAL_FRAME_HDR 12
#define WAL_SEAL_VERSION 2u

enum { WAL_SEAL_SEGMENT = 7, WAL_SEAL_CHECKPOINT = 8 }; /* crypto_file_key kinds */

typedef struct wal_seal wal_seal;

/* Begins a sealed file named name (its final name, e.g. "00000003.wal"):
 * hdr24 is wal.c's header (with version 2), out gets the 48 bytes to write
 * first. */
int wal_seal_begin(crypto *keys, const char *name, int kind, const uint8_t hdr24[24], uint8_t out[WAL_SEAL_HDR],
                   wal_seal **s, st_err *e);
/* Appends to out the frame of p[0..n) (the next frame number). */
int wal_seal_frame(wal_seal *s, const void *p, size_t n, st_buf *out, st_err *e);
void wal_seal_free(wal_seal *s);

/* Whether a file's first bytes are a sealed header (version 2). */
bool wal_seal_is(const uint8_t *raw, size_t n);

typedef struct wal_seal_at {
    uint64_t plain, phys; /* where a frame (or a damage record) starts in each */
} wal_seal_at;

/* raw (a whole sealed file) as plaintext into plain (24-byte header, then
 * the records), and the frame starts into map (wal_seal_at entries).
 * *damaged counts frames that failed. ST_ECORRUPT when the header itself
 * is bad (the caller moves the file aside), ST_EINVAL with a message when
 * its seed is not in the keys or its key check fails. */
int wal_unseal(crypto *keys, const char *name, int kind, const uint8_t *raw, size_t n, st_buf *plain, st_buf *map,
               uint32_t *damaged, st_err *e);

#endif
