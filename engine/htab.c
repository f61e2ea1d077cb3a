/* htab: see htab.h. */
#include "htab.h"

#include <string.h>

#include "st.h"

uint32_t htab_find(const htab *h, uint64_t hash, htab_eq eq, void *ctx)
{
    if (!h->cap) return UINT32_MAX;
    for (size_t j = hash & (h->cap - 1); h->slots[j]; j = (j + 1) & (h->cap - 1))
        if (h->hashes[j] == hash && eq(ctx, h->slots[j] - 1)) return h->slots[j] - 1;
    return UINT32_MAX;
}

static void place(htab *h, uint64_t hash, uint32_t slot)
{
    size_t j = hash & (h->cap - 1);
    while (h->slots[j]) j = (j + 1) & (h->cap - 1);
    h->slots[j] = slot;
    h->hashes[j] = hash;
}

void htab_put(htab *h, uint64_t hash, uint32_t row)
{
    if ((h->n + 1) * 2 > h->cap) {
        size_t ocap = h->cap, cap = ocap ? ocap * 2 : 64;
        uint64_t *oh = h->hashes;
        uint32_t *os = h->slots;
        h->hashes = st_malloc(cap * sizeof *h->hashes);
        h->slots = st_calloc(cap, sizeof *h->slots);
        h->cap = cap;
        for (size_t j = 0; j < ocap; j++)
            if (os[j]) place(h, oh[j], os[j]);
        st_free(oh);
        st_free(os);
    }
    place(h, hash, row + 1);
    h->n++;
}

void htab_free(htab *h)
{
    st_free(h->hashes);
    st_free(h->slots);
    memset(h, 0, sizeof *h);
}
