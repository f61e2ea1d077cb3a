/* promparams: times and series selectors of the Prometheus HTTP API. */
#include "promparams.h"

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

typedef struct lexer {
    const char *s, *p;
    st_err *e;
} lexer;

static void skip_ws(lexer *l)
{
    while (*l->p == ' ' || *l->p == '\t' || *l->p == '\n' || *l->p == '\r') l->p++;
}

static bool ident_start(char c, bool metric)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || (metric && c == ':');
}

static bool ident_char(char c, bool metric)
{
    return ident_start(c, metric) || (c >= '0' && c <= '9');
}

static void utf8_put(st_buf *b, uint32_t cp)
{
    if (cp < 0x80) {
        st_buf_putc(b, (uint8_t)cp);
    } else if (cp < 0x800) {
        st_buf_putc(b, (uint8_t)(0xc0 | cp >> 6));
        st_buf_putc(b, (uint8_t)(0x80 | (cp & 0x3f)));
    } else if (cp < 0x10000) {
        st_buf_putc(b, (uint8_t)(0xe0 | cp >> 12));
        st_buf_putc(b, (uint8_t)(0x80 | ((cp >> 6) & 0x3f)));
        st_buf_putc(b, (uint8_t)(0x80 | (cp & 0x3f)));
    } else {
        st_buf_putc(b, (uint8_t)(0xf0 | cp >> 18));
        st_buf_putc(b, (uint8_t)(0x80 | ((cp >> 12) & 0x3f)));
        st_buf_putc(b, (uint8_t)(0x80 | ((cp >> 6) & 0x3f)));
        st_buf_putc(b, (uint8_t)(0x80 | (cp & 0x3f)));
    }
}

/* Go string literal: "..." with escapes, '...' likewise, `raw`. */
static int lex_string(lexer *l, st_buf *out)
{
    char q = *l->p;
    if (q != '"' && q != '\'' && q != '`')
        return st_fail(l->e, ST_EINVAL, "parse error at char %d: expected a string",
                       (int)(l->p - l->s) + 1);
    l->p++;
    out->len = 0;
    while (*l->p && *l->p != q) {
        char c = *l->p++;
        if (c != '\\' || q == '`') {
            if (c == '\n' && q != '`')
                return st_fail(l->e, ST_EINVAL, "parse error: unterminated quoted string");
            st_buf_putc(out, (uint8_t)c);
            continue;
        }
        char x = *l->p++;
        switch (x) {
        case 'a': st_buf_putc(out, '\a'); break;
        case 'b': st_buf_putc(out, '\b'); break;
        case 'f': st_buf_putc(out, '\f'); break;
        case 'n': st_buf_putc(out, '\n'); break;
        case 'r': st_buf_putc(out, '\r'); break;
        case 't': st_buf_putc(out, '\t'); break;
        case 'v': st_buf_putc(out, '\v'); break;
        case '\\': st_buf_putc(out, '\\'); break;
        case '"': case '\'':
            if (x != q) return st_fail(l->e, ST_EINVAL, "parse error: unknown escape sequence");
            st_buf_putc(out, (uint8_t)x);
            break;
        case 'x': case 'u': case 'U': {
            int nd = x == 'x' ? 2 : x == 'u' ? 4 : 8;
            uint32_t v = 0;
            for (int i = 0; i < nd; i++) {
                char h = *l->p++;
                int d = isdigit((unsigned char)h) ? h - '0'
                        : (h >= 'a' && h <= 'f') ? h - 'a' + 10
                        : (h >= 'A' && h <= 'F') ? h - 'A' + 10 : -1;
                if (d < 0) return st_fail(l->e, ST_EINVAL, "parse error: invalid escape sequence");
                v = v * 16 + (uint32_t)d;
            }
            if (x == 'x') st_buf_putc(out, (uint8_t)v);
            else if (v > 0x10ffff || (v >= 0xd800 && v < 0xe000))
                return st_fail(l->e, ST_EINVAL, "parse error: invalid Unicode code point");
            else utf8_put(out, v);
            break;
        }
        default:
            if (x >= '0' && x <= '7') {
                uint32_t v = (uint32_t)(x - '0');
                for (int i = 0; i < 2; i++) {
                    char o = *l->p++;
                    if (o < '0' || o > '7') return st_fail(l->e, ST_EINVAL, "parse error: invalid octal escape");
                    v = v * 8 + (uint32_t)(o - '0');
                }
                if (v > 255) return st_fail(l->e, ST_EINVAL, "parse error: octal escape out of range");
                st_buf_putc(out, (uint8_t)v);
            } else {
                return st_fail(l->e, ST_EINVAL, "parse error: unknown escape sequence");
            }
        }
    }
    if (*l->p != q) return st_fail(l->e, ST_EINVAL, "parse error: unterminated quoted string");
    l->p++;
    return 0;
}

void pp_free_matchers(matcher **ms, size_t n)
{
    for (size_t i = 0; i < n; i++) matcher_free(ms[i]);
    st_free(ms);
}

static int push(matcher ***ms, size_t *n, match_op op, st_slice name, st_slice val, st_err *e)
{
    matcher *m;
    int rc = matcher_new(op, name, val, &m, e);
    if (rc) return rc;
    *ms = st_realloc(*ms, (*n + 1) * sizeof **ms);
    (*ms)[(*n)++] = m;
    return 0;
}

int pp_parse_selector(const char *s, matcher ***out, size_t *n, st_err *e)
{
    lexer l = {s, s, e};
    matcher **ms = NULL;
    size_t cnt = 0;
    st_buf str = {0};
    int rc = 0;
    skip_ws(&l);
    if (ident_start(*l.p, true)) {
        const char *a = l.p;
        while (ident_char(*l.p, true)) l.p++;
        rc = push(&ms, &cnt, MATCH_EQ, st_slice_cstr(LABEL_METRIC_NAME),
                  st_slice_of(a, (size_t)(l.p - a)), e);
        skip_ws(&l);
    }
    if (rc == 0 && *l.p == '{') {
        l.p++;
        for (;;) {
            skip_ws(&l);
            if (*l.p == '}') {
                l.p++;
                break;
            }
            const char *a = l.p;
            if (*l.p == '"' || *l.p == '\'') {
                rc = st_fail(e, ST_EINVAL, "parse error at char %d: quoted label names are not supported",
                             (int)(l.p - s) + 1);
                break;
            }
            if (!ident_start(*l.p, false)) {
                rc = st_fail(e, ST_EINVAL, "parse error at char %d: unexpected character inside braces: '%c'",
                             (int)(l.p - s) + 1, *l.p ? *l.p : ' ');
                break;
            }
            while (ident_char(*l.p, false)) l.p++;
            st_slice name = st_slice_of(a, (size_t)(l.p - a));
            skip_ws(&l);
            match_op op;
            if (l.p[0] == '=' && l.p[1] == '~') { op = MATCH_RE; l.p += 2; }
            else if (l.p[0] == '!' && l.p[1] == '~') { op = MATCH_NRE; l.p += 2; }
            else if (l.p[0] == '!' && l.p[1] == '=') { op = MATCH_NEQ; l.p += 2; }
            else if (l.p[0] == '=') { op = MATCH_EQ; l.p += 1; }
            else {
                rc = st_fail(e, ST_EINVAL, "parse error at char %d: expected a label matching operator",
                             (int)(l.p - s) + 1);
                break;
            }
            skip_ws(&l);
            rc = lex_string(&l, &str);
            if (rc) break;
            rc = push(&ms, &cnt, op, name, st_slice_of((const char *)str.p, str.len), e);
            if (rc) break;
            skip_ws(&l);
            if (*l.p == ',') {
                l.p++;
                continue;
            }
            if (*l.p != '}') {
                rc = st_fail(e, ST_EINVAL, "parse error at char %d: unexpected character inside braces: '%c'",
                             (int)(l.p - s) + 1, *l.p ? *l.p : ' ');
                break;
            }
        }
        skip_ws(&l);
    }
    if (rc == 0 && *l.p)
        rc = st_fail(e, ST_EINVAL, "parse error at char %d: unexpected character '%c' after the selector",
                     (int)(l.p - s) + 1, *l.p);
    if (rc == 0 && cnt == 0) rc = st_fail(e, ST_EINVAL, "parse error: empty selector");
    if (rc == 0) {
        bool ok = false;
        for (size_t i = 0; i < cnt; i++)
            if (!matcher_matches_empty(ms[i])) ok = true;
        if (!ok)
            rc = st_fail(e, ST_EINVAL,
                         "vector selector must contain at least one non-empty matcher");
    }
    st_buf_free(&str);
    if (rc) {
        pp_free_matchers(ms, cnt);
        return rc;
    }
    *out = ms;
    *n = cnt;
    return 0;
}
