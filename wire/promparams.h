/* promparams: the parameter syntax of the Prometheus HTTP API.
 *
 * Times are unix seconds with an optional fraction ("1700000000.5") or
 * RFC 3339 ("2023-11-14T22:13:20.5Z", "...+02:00"); they become int64
 * nanoseconds. Series selectors (match[]) are PromQL vector selectors, parsed
 * by the PromQL parser (engine/promql) with its errors.
 */
#ifndef ST_PROMPARAMS_H
#define ST_PROMPARAMS_H

#include "index.h"

int pp_parse_time(const char *s, int64_t *ns, st_err *e);

/* Parses a selector into compiled matchers (caller frees each with
 * matcher_free and the array with st_free). Checks that at least one matcher
 * does not match the empty string, as Prometheus requires. */
int pp_parse_selector(const char *s, matcher ***out, size_t *n, st_err *e);
void pp_free_matchers(matcher **ms, size_t n);

#endif
