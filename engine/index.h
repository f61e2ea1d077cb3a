/* index: postings lists and the inverted index of one head shard or block.
 *
 * The index maps each label pair name=value to a sorted postings list of
 * series ids (uint32, local to the shard or block). idx_select answers the
 * intersection of Prometheus matchers (matcher.h) with exactly Prometheus's
 * semantics, including that an absent label has the value "": a matcher that
 * matches "" also selects the series without the label. An empty label value
 * is never indexed (it is an absent label).
 *
 * An idx is not thread-safe: the owner (a head shard, under its lock; a block,
 * read-only after build) serialises access. idx_select uses its matchers on
 * the calling thread, so they obey matcher.h's one-thread-at-a-time rule.
 */
#ifndef ST_INDEX_H
#define ST_INDEX_H

#include "labels.h"
#include "matcher.h" /* idx_select takes matchers; users of index.h get both */

/* A sorted, duplicate-free list of ids. Owned by whoever declared it. */
typedef struct postings {
    uint32_t *ids;
    size_t n, cap;
} postings;

void postings_free(postings *p);
void postings_intersect(postings *a, const postings *b); /* a = a & b */
void postings_union(postings *a, const postings *b);     /* a = a | b */
void postings_subtract(postings *a, const postings *b);  /* a = a - b */

typedef struct idx idx;

idx *idx_new(void);
void idx_free(idx *x);
/* Adds series id with its canonical labels. Ids need not arrive in order,
 * but adding in increasing order is the fast path (an append). */
void idx_add(idx *x, uint32_t id, const label *ls, size_t n);
void idx_remove(idx *x, uint32_t id, const label *ls, size_t n);
/* Every id ever added and not removed, sorted. Borrowed, valid until the next
 * change to x. */
const postings *idx_all(const idx *x);

/* The ids of series matching every matcher, sorted, into out (replacing). */
int idx_select(idx *x, matcher *const *ms, size_t n, postings *out, st_err *e);

/* Label names (sorted, unique) of the series in `of` (NULL = all), appended
 * to out as slices borrowed from the index (valid until the next change). */
void idx_label_names(idx *x, const postings *of, st_slice **out, size_t *n, size_t *cap);
/* Values of label `name` among series in `of` (NULL = all), sorted, unique. */
void idx_label_values(idx *x, st_slice name, const postings *of, st_slice **out, size_t *n,
                      size_t *cap);

/* Bytes of memory the index holds (for /metrics and limits). */
size_t idx_memory(const idx *x);

#endif
