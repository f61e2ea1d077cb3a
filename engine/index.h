/* index: postings lists and the inverted index of one head shard or block.
 *
 * The index maps each label pair name=value to a sorted postings list of
 * series ids (uint32, local to the shard or block). idx_select answers the
 * intersection of Prometheus matchers (matcher.h) with exactly Prometheus's
 * semantics, including that an absent label has the value "": a matcher that
 * matches "" also selects the series without the label. An empty label value
 * is never indexed (it is an absent label).
 *
 * The empty label name, which no series can have (labels.h), is reserved
 * for the table index: the head adds each series under ("", its SQL
 * table), so that the series of a table are one postings lookup away.
 * idx_label_names never lists it.
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
void postings_intersect_ids(postings *a, const uint32_t *b, size_t bn); /* a = a & b[0..bn), b sorted */
void postings_union(postings *a, const postings *b);     /* a = a | b */
void postings_subtract(postings *a, const postings *b);  /* a = a - b */

typedef struct idx idx;

idx *idx_new(void);
void idx_free(idx *x);
/* Adds series id with its canonical labels. Ids need not arrive in order,
 * but adding in increasing order is the fast path (an append). */
void idx_add(idx *x, uint32_t id, const label *ls, size_t n);
/* Removes one series (its labels say which lists to touch). Each list it is
 * in shifts down by one: fine for a few, quadratic for many; use the bulk
 * removal below for those. Finishes a pending bulk removal first. */
void idx_remove(idx *x, uint32_t id, const label *ls, size_t n);

/* Bulk removal: every id whose bit is set in dead (bit id % 64 of word
 * id / 64, nwords words; copied) leaves the index, each postings list being
 * filtered in one pass, so removing k series costs O(postings + values), not
 * O(k x postings). The work can be split so that the owner's lock is
 * released between pieces:
 *   idx_remove_bulk_begin takes the ids out of idx_all at once (a pending
 *     removal is finished first);
 *   idx_remove_bulk_step filters value lists until about `budget` ids have
 *     been looked at, and returns true once the removal is complete (also
 *     when none is pending).
 * While a removal is pending (between begin and the step that returns true):
 *   - idx_all is exact;
 *   - idx_select and idx_label_* may still answer removed ids, or names and
 *     values only removed ids had: the owner must treat those ids as absent;
 *   - idx_add works as usual, but must not add a removed id back (it would
 *     be filtered out again): the head never reuses ids;
 *   - idx_remove and idx_remove_bulk_begin finish the pending removal first.
 * idx_remove_bulk does it all at once. */
void idx_remove_bulk_begin(idx *x, const uint64_t *dead, size_t nwords);
bool idx_remove_bulk_step(idx *x, size_t budget);
bool idx_remove_bulk_pending(const idx *x);
void idx_remove_bulk(idx *x, const uint64_t *dead, size_t nwords);
/* Every id ever added and not removed, sorted. Borrowed, valid until the next
 * change to x. */
const postings *idx_all(const idx *x);

/* The ids of series matching every matcher, sorted, into out (replacing). */
int idx_select(idx *x, matcher *const *ms, size_t n, postings *out, st_err *e);

/* The postings of one pair name=value (empty when absent), into out. */
void idx_postings(idx *x, st_slice name, st_slice value, postings *out);
/* a = a & the postings of name=value, without copying them (a few ids
 * against a long list: a galloping search). */
void idx_postings_filter(idx *x, st_slice name, st_slice value, postings *a);
/* Label names (sorted, unique) of the series in `of` (NULL = all), appended
 * to out as slices borrowed from the index (valid until the next change). */
void idx_label_names(idx *x, const postings *of, st_slice **out, size_t *n, size_t *cap);
/* Values of label `name` among series in `of` (NULL = all), sorted, unique. */
void idx_label_values(idx *x, st_slice name, const postings *of, st_slice **out, size_t *n,
                      size_t *cap);

/* Calls fn for every label pair with the number of series holding it
 * (the table index's reserved name left out). While a bulk removal is
 * pending the counts may include removed series. */
void idx_each_pair(idx *x, void (*fn)(void *ctx, st_slice name, st_slice value, size_t count), void *ctx);
/* Bytes of memory the index holds (for /metrics and limits). */
size_t idx_memory(const idx *x);

#endif
