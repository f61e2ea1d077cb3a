/* matcher: Prometheus label matchers (=, !=, =~, !~) on one label value.
 *
 * A matcher answers with exactly Prometheus's semantics: a label that is
 * absent has the value "", so `{a=""}` selects series without a, `{a!=""}`
 * selects series with a, and a regex that matches "" also selects series
 * without the label. A selection must contain at least one matcher that does
 * not match "" (Prometheus's rule; the caller checks it with
 * matcher_matches_empty and answers 400 otherwise).
 *
 * Regexes are fully anchored (^(?:re)$), compiled with PCRE2 (JIT when
 * available) under match and depth limits. Syntax that Go's RE2 (and so
 * Prometheus) rejects is rejected here: back-references, look-around, atomic
 * groups, possessive quantifiers, recursion, \K, conditionals, callouts.
 * Literal patterns and alternations of literals are matched without PCRE2.
 *
 * A matcher is used by one thread at a time (it owns PCRE2 match data).
 */
#ifndef ST_MATCHER_H
#define ST_MATCHER_H

#include "st.h"

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

/* The values that decide m, when they can be listed (=, !=, and regexes that
 * are a literal or an alternation of literals): then for every v,
 * matcher_matches(m, v) == ((v in s[0..n)) != inv), and the caller (the
 * index) can look those values up instead of testing every value. False
 * when m is not of that shape. The slices are sorted and unique, may include
 * "" (the absent label), and are borrowed from m until matcher_free. */
/* Regexes with capturing groups, for label_replace: always PCRE2, groups
 * numbered as Go numbers them (named ones too). matcher_match_groups
 * returns the number of groups filled into ov (group 0 = the whole match,
 * unset groups as (size_t)-1 pairs), 0 when v does not match. */
int matcher_new_capture(st_slice re, matcher **out, st_err *e);
int matcher_match_groups(matcher *m, st_slice v, size_t *ov, int max);
/* The number of the group named name, or -1. */
int matcher_group_by_name(const matcher *m, st_slice name);
bool matcher_literals(const matcher *m, const st_slice **s, size_t *n, bool *inv);

#endif
