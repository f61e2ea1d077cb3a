/* crypto: the keys of encryption at rest (issue 12 §4) and the sealing of
 * bytes with them. Envelope encryption in three levels:
 *
 *   master keys (KEKs)  --encryption-key-file: lines "ID BASE64(32 bytes)",
 *                       the first the active one; the file readable by its
 *                       owner only. Never written anywhere by Strata.
 *   seeds               32 random bytes each, kept in keys/seed-N of the data
 *                       directory wrapped (AES-256-GCM) by a KEK, the
 *                       file naming the KEK's id. A new seed is drawn when
 *                       the data directory has none and whenever the
 *                       active KEK changes; new files use the newest.
 *   file keys           HKDF-SHA256(seed, the file's random 16-byte salt,
 *                       kind + the file's path in the data directory): one
 *                       key per file, so a file copied to another path or
 *                       made anew never shares a key with another.
 *
 * Rotation without rewriting data: put the new KEK first in the key file
 * and restart (or crypto_rekey on SIGHUP); every seed is wrapped again by
 * it (tiny files, replaced atomically) and a new seed is drawn, after
 * which the old KEK's line may go. A seed whose KEK is not in the file, or
 * does not open with it, refuses the start, naming the seed and key id.
 *
 * Sealing is AES-256-GCM with 12-byte nonces made of a 64-bit counter and
 * a last-piece flag; each key seals each counter value at most once, which
 * the formats using it guarantee (a file's key is never reused: it is new
 * with every file). Key material lives in memory excluded from core dumps
 * and is wiped when freed.
 */
#ifndef ST_CRYPTO_H
#define ST_CRYPTO_H

#include "st.h"
#include "vfs.h"

#define CRYPTO_KEY_BYTES 32
#define CRYPTO_SALT_BYTES 16
#define CRYPTO_NONCE_BYTES 12
#define CRYPTO_TAG_BYTES 16
#define CRYPTO_KEY_ID_MAX 32

typedef struct crypto crypto;

/* Loads key_file and the seeds under data_dir/keys (made when missing),
 * wraps every seed with the active KEK and draws a new seed when it
 * changed. ST_EINVAL with what to do when a key is missing, wrong or the
 * key file is unsafe; ST_ECORRUPT for a damaged seed file. */
int crypto_open(const vfs *v, const char *data_dir, const char *key_file, crypto **out, st_err *e);
void crypto_close(crypto *c);

/* Whether data_dir holds seeds (so that starting without a key file must
 * be refused: its encrypted files could not be read). */
bool crypto_dir_has_seeds(const vfs *v, const char *data_dir);

/* Whether this open made the data directory's first seed (encryption just
 * turned on: its files are still plaintext). */
bool crypto_fresh(const crypto *c);

/* The seed new files use, and the active KEK's id. */
uint32_t crypto_seed(const crypto *c);
void crypto_active_key_id(const crypto *c, char out[CRYPTO_KEY_ID_MAX + 1]);
/* Seeds per KEK id, for /metrics (fn called for each id with a count). */
void crypto_seed_counts(const crypto *c, void (*fn)(void *ctx, const char *kek_id, unsigned n), void *ctx);

/* Reads key_file again (SIGHUP): as at open, seeds wrapped by its first
 * KEK and a new seed drawn when that changed. On an error nothing changes. */
int crypto_rekey(crypto *c, const char *key_file, st_err *e);

/* The key of one file: seed, the file's salt, its kind (a format's byte)
 * and its path relative to the data directory. ST_ENOTFOUND: no such
 * seed. */
int crypto_file_key(const crypto *c, uint32_t seed, const uint8_t salt[CRYPTO_SALT_BYTES], uint8_t kind,
                    const char *path, uint8_t key[CRYPTO_KEY_BYTES], st_err *e);

/* Random bytes (salts, seeds). */
int crypto_random(void *p, size_t n, st_err *e);

/* AES-256-GCM with one key. */
typedef struct crypto_aead crypto_aead;
int crypto_aead_new(const uint8_t key[CRYPTO_KEY_BYTES], crypto_aead **out, st_err *e);
void crypto_aead_free(crypto_aead *a);
/* The nonce of piece counter (last: the file's or stream's final piece). */
void crypto_nonce(uint64_t counter, bool last, uint8_t out[CRYPTO_NONCE_BYTES]);
/* out gets n + CRYPTO_TAG_BYTES bytes. */
int crypto_seal(crypto_aead *a, const uint8_t nonce[CRYPTO_NONCE_BYTES], const void *aad, size_t aad_len,
                const void *in, size_t n, void *out);
/* in holds n bytes, the tag last; out gets n - CRYPTO_TAG_BYTES. ST_ECORRUPT
 * when the tag does not verify (damaged, moved, or another key). */
int crypto_unseal(crypto_aead *a, const uint8_t nonce[CRYPTO_NONCE_BYTES], const void *aad, size_t aad_len,
                  const void *in, size_t n, void *out);

#endif
