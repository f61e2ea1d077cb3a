/* wal_seal: sealed WAL files (see wal_seal.h). */
#include "wal_seal.h"

#include <stdio.h>
#include <string.h>

#include "bits.h"

struct wal_seal {
    crypto_aead *aead;
    uint8_t hdr[WAL_SEAL_HDR];
    uint64_t next; /* the next frame's number */
};

static int key_for(crypto *keys, const char *name, int kind, const uint8_t hdr[WAL_SEAL_HDR], crypto_aead **out,
                   st_err *e)
{
    char path[300];
    snprintf(path, sizeof path, "wal/%s", name);
    uint8_t key[CRYPTO_KEY_BYTES];
    int rc = crypto_file_key(keys, get_u32le(hdr + 24), hdr + 28, (uint8_t)kind, path, key, e);
    if (!rc) rc = crypto_aead_new(key, out, e);
    explicit_bzero(key, sizeof key);
    return rc;
}

/* The key check: the tag of an empty seal of the header's first 44 bytes
 * under a nonce no frame uses. */
static int key_check(crypto_aead *a, const uint8_t *hdr, uint8_t tag[CRYPTO_TAG_BYTES])
{
    uint8_t nonce[CRYPTO_NONCE_BYTES];
    crypto_nonce(UINT64_MAX, true, nonce);
    return crypto_seal(a, nonce, hdr, 44, "", 0, tag);
}

int wal_seal_begin(crypto *keys, const char *name, int kind, const uint8_t hdr24[24], uint8_t out[WAL_SEAL_HDR],
                   wal_seal **s, st_err *e)
{
    wal_seal *w = st_calloc(1, sizeof *w);
    memcpy(w->hdr, hdr24, 24);
    put_u32le(w->hdr + 24, crypto_seed(keys));
    int rc = crypto_random(w->hdr + 28, CRYPTO_SALT_BYTES, e);
    if (!rc) rc = key_for(keys, name, kind, w->hdr, &w->aead, e);
    if (!rc && key_check(w->aead, w->hdr, w->hdr + 44)) rc = st_fail(e, ST_EIO, "wal: sealing a header failed");
    if (rc) {
        crypto_aead_free(w->aead);
        st_free(w);
        return rc;
    }
    put_u32le(w->hdr + 60, crc32c(0, w->hdr, 60));
    memcpy(out, w->hdr, WAL_SEAL_HDR);
    *s = w;
    return 0;
}

static void frame_aad(const uint8_t hdr[WAL_SEAL_HDR], const uint8_t fh[WAL_SEAL_FRAME_HDR],
                      uint8_t out[WAL_SEAL_HDR + WAL_SEAL_FRAME_HDR])
{
    memcpy(out, hdr, WAL_SEAL_HDR);
    memcpy(out + WAL_SEAL_HDR, fh, WAL_SEAL_FRAME_HDR);
}

int wal_seal_frame(wal_seal *s, const void *p, size_t n, st_buf *out, st_err *e)
{
    if (n > UINT32_MAX - CRYPTO_TAG_BYTES) return st_fail(e, ST_ELIMIT, "wal: a write too large to seal");
    size_t at = out->len;
    st_buf_reserve(out, WAL_SEAL_FRAME_HDR + n + CRYPTO_TAG_BYTES);
    uint8_t *fh = out->p + at;
    put_u32le(fh, (uint32_t)(n + CRYPTO_TAG_BYTES));
    put_u64le(fh + 4, s->next);
    uint8_t aad[WAL_SEAL_HDR + WAL_SEAL_FRAME_HDR], nonce[CRYPTO_NONCE_BYTES];
    frame_aad(s->hdr, fh, aad);
    crypto_nonce(s->next, false, nonce);
    s->next++; /* used, even if what follows fails: never sealed twice */
    if (crypto_seal(s->aead, nonce, aad, sizeof aad, p, n, fh + WAL_SEAL_FRAME_HDR))
        return st_fail(e, ST_EIO, "wal: sealing a frame failed");
    out->len = at + WAL_SEAL_FRAME_HDR + n + CRYPTO_TAG_BYTES;
    return 0;
}

void wal_seal_free(wal_seal *s)
{
    if (!s) return;
    crypto_aead_free(s->aead);
    st_free(s);
}

bool wal_seal_is(const uint8_t *raw, size_t n) { return n >= 8 && get_u32le(raw + 4) == WAL_SEAL_VERSION; }

static void at_add(st_buf *map, uint64_t plain, uint64_t phys)
{
    wal_seal_at a = {plain, phys};
    st_buf_put(map, &a, sizeof a);
}

int wal_unseal(crypto *keys, const char *name, int kind, const uint8_t *raw, size_t n, st_buf *plain, st_buf *map,
               uint32_t *damaged, st_err *e)
{
    plain->len = map->len = 0;
    *damaged = 0;
    if (n < WAL_SEAL_HDR || crc32c(0, raw, 60) != get_u32le(raw + 60))
        return st_fail(e, ST_ECORRUPT, "wal: %s: bad sealed header", name);
    crypto_aead *aead;
    st_err ke = {0};
    int rc = key_for(keys, name, kind, raw, &aead, &ke);
    if (rc) return st_fail(e, rc == ST_ENOTFOUND ? ST_EINVAL : rc, "wal: %s: %s", name, ke.msg);
    uint8_t tag[CRYPTO_TAG_BYTES];
    if (key_check(aead, raw, tag) || memcmp(tag, raw + 44, CRYPTO_TAG_BYTES)) {
        crypto_aead_free(aead);
        return st_fail(e, ST_EINVAL, "wal: %s was sealed under other keys: seed %u of keys/ is not the one it was "
                       "written with (keys/ from another data directory, or a file from one)", name,
                       get_u32le(raw + 24));
    }
    st_buf_put(plain, raw, 24);
    static const uint8_t hole[9] = {0}; /* a record that is not valid: the scan skips or cuts there */
    bool in_hole = false;
    uint64_t last_no = 0;
    bool any = false;
    size_t off = WAL_SEAL_HDR;
    while (off < n) {
        size_t left = n - off;
        uint32_t len = left >= WAL_SEAL_FRAME_HDR ? get_u32le(raw + off) : 0;
        if (left < WAL_SEAL_FRAME_HDR || len < CRYPTO_TAG_BYTES || len > left - WAL_SEAL_FRAME_HDR) {
            /* cut short, or a length that cannot be trusted: nothing after it can be found */
            if (!in_hole) {
                at_add(map, plain->len, off);
                st_buf_put(plain, hole, sizeof hole);
            }
            (*damaged)++;
            break;
        }
        uint64_t no = get_u64le(raw + off + 4);
        uint8_t aad[WAL_SEAL_HDR + WAL_SEAL_FRAME_HDR], nonce[CRYPTO_NONCE_BYTES];
        memcpy(aad, raw, WAL_SEAL_HDR);
        memcpy(aad + WAL_SEAL_HDR, raw + off, WAL_SEAL_FRAME_HDR);
        crypto_nonce(no, false, nonce);
        size_t pl = len - CRYPTO_TAG_BYTES;
        st_buf_reserve(plain, pl);
        bool ok = (!any || no > last_no) &&
                  !crypto_unseal(aead, nonce, aad, sizeof aad, raw + off + WAL_SEAL_FRAME_HDR, len, plain->p + plain->len);
        if (ok) {
            at_add(map, plain->len, off);
            plain->len += pl;
            last_no = no;
            any = true;
            in_hole = false;
        } else {
            if (!in_hole) { /* one record for a run of bad frames */
                at_add(map, plain->len, off);
                st_buf_put(plain, hole, sizeof hole);
            }
            in_hole = true;
            (*damaged)++;
        }
        off += WAL_SEAL_FRAME_HDR + len;
    }
    crypto_aead_free(aead);
    return 0;
}
