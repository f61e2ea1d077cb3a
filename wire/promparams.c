/* promparams: times and series selectors of the Prometheus HTTP API. */
#include "promparams.h"

#include "promql/promql.h"

#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int64_t days_from_civil(int64_t y, unsigned m, unsigned d)
{
    /* proleptic Gregorian calendar, days since 1970-01-01 */
    y -= m <= 2;
    const int64_t era = (y >= 0 ? y : y - 399) / 400;
    const unsigned yoe = (unsigned)(y - era * 400);
    const unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + (int64_t)doe - 719468;
}

static int digits(const char **p, int n, int *out)
{
    int v = 0;
    for (int i = 0; i < n; i++) {
        if (!isdigit((unsigned char)(*p)[i])) return -1;
        v = v * 10 + ((*p)[i] - '0');
    }
    *p += n;
    *out = v;
    return 0;
}

static int parse_rfc3339(const char *s, int64_t *ns)
{
    const char *p = s;
    int Y, M, D, h, m, sec;
    if (digits(&p, 4, &Y) || *p++ != '-' || digits(&p, 2, &M) || *p++ != '-' ||
        digits(&p, 2, &D) || (*p != 'T' && *p != 't' && *p != ' '))
        return -1;
    p++;
    if (digits(&p, 2, &h) || *p++ != ':' || digits(&p, 2, &m) || *p++ != ':' ||
        digits(&p, 2, &sec))
        return -1;
    if (M < 1 || M > 12 || D < 1 || D > 31 || h > 23 || m > 59 || sec > 60) return -1;
    int64_t frac = 0;
    if (*p == '.') {
        p++;
        int nd = 0;
        while (isdigit((unsigned char)*p)) {
            if (nd < 9) {
                frac = frac * 10 + (*p - '0');
                nd++;
            }
            p++;
        }
        if (!nd) return -1;
        while (nd < 9) {
            frac *= 10;
            nd++;
        }
    }
    int64_t off = 0;
    if (*p == 'Z' || *p == 'z') {
        p++;
    } else if (*p == '+' || *p == '-') {
        int sign = *p == '-' ? -1 : 1;
        p++;
        int oh, om;
        if (digits(&p, 2, &oh) || *p++ != ':' || digits(&p, 2, &om)) return -1;
        off = sign * (oh * 3600 + om * 60);
    } else {
        return -1;
    }
    if (*p) return -1;
    int64_t days = days_from_civil(Y, (unsigned)M, (unsigned)D);
    int64_t secs = days * 86400 + h * 3600 + m * 60 + sec - off;
    if (secs > INT64_MAX / ST_NS_PER_S - 1 || secs < INT64_MIN / ST_NS_PER_S + 1) return -1;
    *ns = secs * ST_NS_PER_S + frac;
    return 0;
}

int pp_parse_time(const char *s, int64_t *ns, st_err *e)
{
    if (!s || !*s) return st_fail(e, ST_EINVAL, "missing time");
    /* unix seconds: digits with an optional fraction, parsed exactly (no double
     * rounding for the integer part) */
    const char *p = s;
    bool neg = false;
    if (*p == '-' || *p == '+') neg = *p++ == '-';
    if (isdigit((unsigned char)*p) || (*p == '.' && isdigit((unsigned char)p[1]))) {
        int64_t secs = 0;
        const char *q = p;
        while (isdigit((unsigned char)*q)) {
            if (secs > (INT64_MAX / ST_NS_PER_S - 9) / 10) goto try_float;
            secs = secs * 10 + (*q++ - '0');
        }
        int64_t frac = 0;
        int nd = 0;
        if (*q == '.') {
            q++;
            while (isdigit((unsigned char)*q)) {
                if (nd < 9) {
                    frac = frac * 10 + (*q - '0');
                    nd++;
                }
                q++;
            }
            while (nd < 9) {
                frac *= 10;
                nd++;
            }
        }
        if (*q == 0) {
            int64_t v = secs * ST_NS_PER_S + frac;
            *ns = neg ? -v : v;
            return 0;
        }
    }
try_float: {
        char *end;
        double d = strtod(s, &end);
        if (*end == 0 && end != s && isfinite(d)) {
            double v = d * 1e9;
            if (v >= 9.2e18 || v <= -9.2e18)
                return st_fail(e, ST_EINVAL, "cannot parse \"%s\" to a valid timestamp", s);
            *ns = (int64_t)llround(v);
            return 0;
        }
    }
    if (parse_rfc3339(s, ns) == 0) return 0;
    return st_fail(e, ST_EINVAL, "cannot parse \"%s\" to a valid timestamp", s);
}

void pp_free_matchers(matcher **ms, size_t n)
{
    for (size_t i = 0; i < n; i++) matcher_free(ms[i]);
    st_free(ms);
}

int pp_parse_selector(const char *s, matcher ***out, size_t *n, st_err *e)
{
    /* The PromQL parser decides, so a selector means exactly what it means
     * in a query, with Prometheus's errors; match[] takes a bare selector
     * (Prometheus's ParseMetricSelector), not any expression. */
    st_arena *a = st_arena_new(4096);
    promql_node *root;
    int rc = promql_parse(s, strlen(s), a, &root, e);
    if (rc == 0 && root->kind != PROMQL_VECTOR_SELECTOR)
        rc = st_fail(e, ST_EINVAL, "1:1: parse error: expected a series selector, got %s",
                     promql_type_name(promql_node_type(root)));
    if (rc == 0) rc = promql_compile_matchers(root, out, n, e);
    st_arena_free(a);
    return rc;
}
