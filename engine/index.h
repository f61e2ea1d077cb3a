/* index: label matchers and the inverted index of one head shard or block.
 *
 * The index maps each label pair name=value to a sorted postings list of
 * series ids (uint32, local to the shard or block). It answers the four
 * Prometheus matchers and their intersection with exactly Prometheus's
 * semantics: a label that is absent has the value "", so `{a=""}` selects
 * series without a, `{a!=""}` selects series with a, and a regex that matches
 * "" also selects series without the label. A selection must contain at least
 * one matcher that does not match "" (Prometheus's rule; the caller checks it
 * with matcher_matches_empty and answers 400 otherwise).
 *
 * Regexes are fully anchored (^(?:re)$), compiled with PCRE2 (JIT when
 * available) under match and depth limits. Syntax that Go's RE2 (and so
 * Prometheus) rejects is rejected here: back-references, look-around, atomic
 * groups, possessive quantifiers, recursion, \K, conditionals, callouts.
 * Literal patterns and alternations of literals are matched without PCRE2.
 *
 * An idx is not thread-safe: the owner (a head shard, under its lock; a block,
 * read-only after build) serialises access. A matcher is used by one thread
 * at a time (it owns PCRE2 match data).
 */
#ifndef ST_INDEX_H
#define ST_INDEX_H

#include "labels.h"

typedef enum match_op { MATCH_EQ = 0, MATCH_NEQ = 1, MATCH_RE = 2, MATCH_NRE = 3 } match_op;

typedef struct matcher matcher;

/* Copies name and value. Regex errors are ST_EINVAL with PCRE2's message and
 * offset, e.g. "invalid regular expression \"a(b\": missing closing parenthesis at 3". */
int matcher_new(match_op op, st_slice name, st_slice value, matcher **out, st_err *e);
void matcher_free(matcher *m);
match_op matcher_op(const matcher *m);
st_slice matcher_name(const matcher *m);
st_slice matcher_value(const matcher *m);
/* Does the label value v (empty slice = absent) satisfy the matcher? */
bool matcher_matches(matcher *m, st_slice v);
bool matcher_matches_empty(matcher *m);

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
