/* htab: an open-addressing index of rows kept elsewhere (groups, tag
 * sets, distinct values): a slot holds a row number and its 64-bit hash;
 * the caller's eq decides equality against its own rows. At most half
 * full, so probes stay short; grows by doubling. Rows are never removed. */
#ifndef ST_HTAB_H
#define ST_HTAB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct htab {
    uint64_t *hashes;
    uint32_t *slots; /* row number + 1; 0 = empty */
    size_t cap, n;
} htab;

typedef bool (*htab_eq)(void *ctx, uint32_t row);

/* The first row with this hash that eq accepts, or UINT32_MAX. */
uint32_t htab_find(const htab *h, uint64_t hash, htab_eq eq, void *ctx);
void htab_put(htab *h, uint64_t hash, uint32_t row);
void htab_free(htab *h);

#endif
