/* lex: the PromQL lexer, a state-for-state rendering of Prometheus 2.42's
 * promql/parser/lex.go, plus the Go formatting helpers (quoting, floats,
 * durations) that both error messages and the printer need.
 *
 * Why mirror lex.go so closely: many of Prometheus's user-visible errors are
 * lexer errors ("unexpected character inside braces: '>'", "bad duration
 * syntax: \"5mm\"", "unclosed left parenthesis"), and some of its oddities
 * decide what parses at all (keywords are case-insensitive; inside braces
 * they are plain identifiers; "inf" and "nan" are numbers; a DURATION token
 * may appear anywhere and is then a syntax error).
 *
 * Invariants: positions are byte offsets into the query; l->start is the first
 * byte of the token being scanned (a T_ERROR carries it); string tokens are
 * unquoted while they are scanned, into the arena, so the parser never sees
 * escapes.
 */
#include "promql_int.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define EOF_RUNE (-1)

/* ---- UTF-8 and Go quoting ---- */

int32_t promql_utf8_decode(const char *s, size_t n, int *w)
{
    const unsigned char *p = (const unsigned char *)s;
    unsigned c = p[0];
    if (c < 0x80) {
        *w = 1;
        return (int32_t)c;
    }
    int need;
    uint32_t r, min;
    if (c >= 0xc2 && c <= 0xdf) { need = 1; r = c & 0x1f; min = 0x80; }
    else if (c >= 0xe0 && c <= 0xef) { need = 2; r = c & 0x0f; min = 0x800; }
    else if (c >= 0xf0 && c <= 0xf4) { need = 3; r = c & 0x07; min = 0x10000; }
    else { *w = 1; return 0xfffd; }
    if ((size_t)need >= n) { *w = 1; return 0xfffd; }
    for (int i = 1; i <= need; i++) {
        if ((p[i] & 0xc0) != 0x80) { *w = 1; return 0xfffd; }
        r = r << 6 | (p[i] & 0x3f);
    }
    if (r < min || r > 0x10ffff || (r >= 0xd800 && r < 0xe000)) { *w = 1; return 0xfffd; }
    *w = need + 1;
    return (int32_t)r;
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

/* An approximation of Go's unicode.IsPrint: exact for ASCII and Latin-1, and
 * for the usual invisible characters beyond. Only the choice between a raw
 * rune and a \u escape depends on it; both read back the same. */
static bool go_isprint(int32_t r)
{
    if (r < 0x20) return false;
    if (r < 0x7f) return true;
    if (r <= 0xa0 || r == 0xad) return false;
    if (r >= 0xd800 && r < 0xe000) return false;
    if ((r >= 0x2000 && r <= 0x200f) || (r >= 0x2028 && r <= 0x202f) ||
        (r >= 0x205f && r <= 0x206f) || r == 0x3000 || r == 0x1680 || r == 0x180e)
        return false;
    if (r == 0xfeff || (r >= 0xfff9 && r <= 0xfffb) || r >= 0xfffd) {
        /* U+FFFD is printable in Go, but escaping it keeps printing
         * re-parseable (the lexer rejects a literal U+FFFD). */
        return r > 0xffff && r <= 0x10ffff && !(r >= 0xf0000);
    }
    if (r >= 0xe000 && r <= 0xf8ff) return false;
    return r <= 0x10ffff;
}

static void quote_rune_body(st_buf *b, int32_t r, char q)
{
    static const char hex[] = "0123456789abcdef";
    if (r == q || r == '\\') {
        st_buf_putc(b, '\\');
        st_buf_putc(b, (uint8_t)r);
        return;
    }
    if (go_isprint(r)) {
        utf8_put(b, (uint32_t)r);
        return;
    }
    switch (r) {
    case '\a': st_buf_put(b, "\\a", 2); return;
    case '\b': st_buf_put(b, "\\b", 2); return;
    case '\f': st_buf_put(b, "\\f", 2); return;
    case '\n': st_buf_put(b, "\\n", 2); return;
    case '\r': st_buf_put(b, "\\r", 2); return;
    case '\t': st_buf_put(b, "\\t", 2); return;
    case '\v': st_buf_put(b, "\\v", 2); return;
    default: break;
    }
    if (r < ' ' || r == 0x7f) {
        st_buf_put(b, "\\x", 2);
        st_buf_putc(b, (uint8_t)hex[(r >> 4) & 15]);
        st_buf_putc(b, (uint8_t)hex[r & 15]);
    } else if (r < 0x10000) {
        st_buf_printf(b, "\\u%04x", (unsigned)r);
    } else {
        st_buf_printf(b, "\\U%08x", (unsigned)r);
    }
}

void promql_go_quote(st_buf *b, const char *s, size_t n)
{
    static const char hex[] = "0123456789abcdef";
    st_buf_putc(b, '"');
    size_t i = 0;
    while (i < n) {
        int w;
        int32_t r = promql_utf8_decode(s + i, n - i, &w);
        if (r == 0xfffd && w == 1 && (unsigned char)s[i] >= 0x80) {
            st_buf_put(b, "\\x", 2);
            st_buf_putc(b, (uint8_t)hex[((unsigned char)s[i]) >> 4]);
            st_buf_putc(b, (uint8_t)hex[((unsigned char)s[i]) & 15]);
        } else {
            quote_rune_body(b, r, '"');
        }
        i += (size_t)w;
    }
    st_buf_putc(b, '"');
}

void promql_go_quote_trunc(st_buf *b, const char *s, size_t n)
{
    if (n <= 10) {
        promql_go_quote(b, s, n);
        return;
    }
    /* %.10q keeps the first ten runes */
    size_t i = 0;
    for (int k = 0; k < 10 && i < n; k++) {
        int w;
        promql_utf8_decode(s + i, n - i, &w);
        i += (size_t)w;
    }
    promql_go_quote(b, s, i);
    st_buf_put(b, "...", 3);
}

void promql_go_quote_rune(char *out, size_t cap, int32_t r)
{
    st_buf b = {0};
    if (r < 0 || r > 0x10ffff || (r >= 0xd800 && r < 0xe000)) r = 0xfffd;
    st_buf_putc(&b, '\'');
    if (r == 0xfffd) utf8_put(&b, 0xfffd); /* Go prints the replacement rune raw */
    else quote_rune_body(&b, r, '\'');
    st_buf_putc(&b, '\'');
    snprintf(out, cap, "%.*s", (int)b.len, (const char *)b.p);
    st_buf_free(&b);
}

void promql_go_unicode(char *out, size_t cap, int32_t r)
{
    if (r < 0) r = 0xfffd;
    if (go_isprint(r) || r == 0xfffd) {
        st_buf b = {0};
        utf8_put(&b, (uint32_t)r);
        snprintf(out, cap, "U+%04X '%.*s'", (unsigned)r, (int)b.len, (const char *)b.p);
        st_buf_free(&b);
    } else {
        snprintf(out, cap, "U+%04X", (unsigned)r);
    }
}

/* ---- Go number and duration formatting ---- */

void promql_go_float(char *out, size_t cap, double v)
{
    if (isnan(v)) { snprintf(out, cap, "NaN"); return; }
    if (isinf(v)) { snprintf(out, cap, v > 0 ? "+Inf" : "-Inf"); return; }
    if (v == 0) { snprintf(out, cap, signbit(v) ? "-0" : "0"); return; }
    /* shortest digits that read back exactly */
    char e[40];
    for (int prec = 1; prec <= 17; prec++) {
        snprintf(e, sizeof e, "%.*e", prec - 1, v);
        if (strtod(e, NULL) == v) break;
    }
    /* e is [-]d[.ddd]e[+-]xx: split into digits and decimal exponent */
    const char *p = e;
    bool neg = *p == '-';
    if (neg) p++;
    char digs[24];
    int nd = 0;
    for (; *p && *p != 'e'; p++)
        if (*p != '.') digs[nd++] = *p;
    int exp = atoi(p + 1);
    while (nd > 1 && digs[nd - 1] == '0') nd--;
    digs[nd] = 0;
    st_buf b = {0};
    if (neg) st_buf_putc(&b, '-');
    if (exp < -4 || exp >= 6) {
        /* %e: Go uses it when exp < -4 || exp >= 6 for shortest %v */
        st_buf_putc(&b, (uint8_t)digs[0]);
        if (nd > 1) {
            st_buf_putc(&b, '.');
            st_buf_put(&b, digs + 1, (size_t)nd - 1);
        }
        st_buf_printf(&b, "e%c%02d", exp < 0 ? '-' : '+', exp < 0 ? -exp : exp);
    } else if (exp < 0) {
        st_buf_put(&b, "0.", 2);
        for (int i = 0; i < -exp - 1; i++) st_buf_putc(&b, '0');
        st_buf_put(&b, digs, (size_t)nd);
    } else {
        for (int i = 0; i <= exp; i++) st_buf_putc(&b, (uint8_t)(i < nd ? digs[i] : '0'));
        if (nd > exp + 1) {
            st_buf_putc(&b, '.');
            st_buf_put(&b, digs + exp + 1, (size_t)(nd - exp - 1));
        }
    }
    snprintf(out, cap, "%.*s", (int)b.len, (const char *)b.p);
    st_buf_free(&b);
}

void promql_go_duration(char *out, size_t cap, int64_t ms)
{
    if (ms == 0) {
        snprintf(out, cap, "0s");
        return;
    }
    /* model.Duration.String: years and weeks only when they divide exactly */
    static const struct { const char *u; int64_t mult; bool exact; } units[] = {
        {"y", 365LL * 24 * 3600 * 1000, true}, {"w", 7LL * 24 * 3600 * 1000, true},
        {"d", 24LL * 3600 * 1000, false},      {"h", 3600LL * 1000, false},
        {"m", 60LL * 1000, false},             {"s", 1000, false},
        {"ms", 1, false},
    };
    size_t n = 0;
    out[0] = 0;
    for (size_t i = 0; i < ST_ARRAY_LEN(units); i++) {
        if (units[i].exact && ms % units[i].mult != 0) continue;
        int64_t v = ms / units[i].mult;
        if (v > 0) {
            int k = snprintf(out + n, n < cap ? cap - n : 0, "%lld%s", (long long)v, units[i].u);
            if (k > 0) n += (size_t)k;
            ms -= v * units[i].mult;
        }
    }
}

/* ---- the lexer ---- */

void promql_lex_init(promql_lexer *l, const char *in, size_t len, st_arena *a)
{
    memset(l, 0, sizeof *l);
    l->in = in;
    l->len = len;
    l->a = a;
}

static int32_t lnext(promql_lexer *l, int *w)
{
    if (l->pos >= l->len) {
        *w = 0;
        return EOF_RUNE;
    }
    int32_t r = promql_utf8_decode(l->in + l->pos, l->len - l->pos, w);
    l->pos += (size_t)*w;
    return r;
}

static int32_t lpeek(promql_lexer *l)
{
    int w;
    size_t save = l->pos;
    int32_t r = lnext(l, &w);
    l->pos = save;
    return r;
}

static bool accept(promql_lexer *l, const char *valid)
{
    int w;
    int32_t r = lnext(l, &w);
    if (r > 0 && r < 128 && strchr(valid, (int)r)) return true;
    l->pos -= (size_t)w;
    return false;
}

static void accept_run(promql_lexer *l, const char *valid)
{
    while (accept(l, valid)) {
    }
}

static bool is_space(int32_t r) { return r == ' ' || r == '\t' || r == '\n' || r == '\r'; }
static bool is_alpha(int32_t r) { return r == '_' || (r >= 'a' && r <= 'z') || (r >= 'A' && r <= 'Z'); }
static bool is_digit(int32_t r) { return r >= '0' && r <= '9'; }
static bool is_alnum(int32_t r) { return is_alpha(r) || is_digit(r); }

static void emit(promql_lexer *l, promql_token *t, tok_type type)
{
    t->type = type;
    t->pos = l->start;
    t->len = l->pos - l->start;
    t->str = NULL;
    t->str_len = 0;
    l->start = l->pos;
}

static void errorf(promql_lexer *l, promql_token *t, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static void errorf(promql_lexer *l, promql_token *t, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(l->err, sizeof l->err, fmt, ap);
    va_end(ap);
    t->type = T_ERROR;
    t->pos = l->start;
    t->len = 0;
    t->str = NULL;
    t->str_len = 0;
    l->dead = true;
}

/* Quote a byte range for a message ("%q" of Go). */
static const char *q_of(promql_lexer *l, char *buf, size_t cap, size_t from, size_t to)
{
    st_buf b = {0};
    promql_go_quote(&b, l->in + from, to - from);
    snprintf(buf, cap, "%.*s", (int)b.len, (const char *)b.p);
    st_buf_free(&b);
    (void)l;
    return buf;
}

/* scanNumber of 2.42: digits (hex after 0x), fraction, exponent; true when
 * what follows is not alphanumeric. */
static bool scan_number(promql_lexer *l)
{
    const char *digits = "0123456789";
    if (accept(l, "0") && accept(l, "xX")) digits = "0123456789abcdefABCDEF";
    accept_run(l, digits);
    if (accept(l, ".")) accept_run(l, digits);
    if (accept(l, "eE")) {
        accept(l, "+-");
        accept_run(l, "0123456789");
    }
    return !is_alnum(lpeek(l));
}

/* acceptRemainingDuration: a unit, then more number-unit pairs; the rune
 * after must not be alphanumeric. lex.go reads that rune and backs up over
 * it on success, so *last is where it started. */
static bool accept_remaining_duration(promql_lexer *l, size_t *last)
{
    *last = l->pos;
    if (!accept(l, "smhdwy")) return false;
    accept(l, "s"); /* ms; bad units like hs are caught when parsing */
    while (accept(l, "0123456789")) {
        accept_run(l, "0123456789");
        if (!accept(l, "smhdw")) return false;
        accept(l, "s");
    }
    int w;
    *last = l->pos;
    return !is_alnum(lnext(l, &w));
}

static void lex_duration(promql_lexer *l, promql_token *t)
{
    char buf[300];
    size_t last;
    if (scan_number(l)) {
        errorf(l, t, "missing unit character in duration");
        return;
    }
    if (!accept_remaining_duration(l, &last)) {
        errorf(l, t, "bad duration syntax: %s", q_of(l, buf, sizeof buf, l->start, l->pos));
        return;
    }
    l->pos = last;
    emit(l, t, T_DURATION);
}

static void lex_number_or_duration(promql_lexer *l, promql_token *t)
{
    char buf[300];
    size_t last;
    if (scan_number(l)) {
        emit(l, t, T_NUMBER);
        return;
    }
    if (accept_remaining_duration(l, &last)) {
        l->pos = last;
        emit(l, t, T_DURATION);
        return;
    }
    errorf(l, t, "bad number or duration syntax: %s", q_of(l, buf, sizeof buf, l->start, l->pos));
}

static int hexval(int32_t c)
{
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return 16;
}

/* A quoted string; the opening quote q is consumed. Validates escapes with
 * lexEscape's messages and unquotes into the arena at the same time. */
static void lex_string(promql_lexer *l, promql_token *t, int32_t q)
{
    /* unquoted text is never longer than the quoted text */
    char *out = st_arena_alloc(l->a, l->len - l->pos + 1);
    size_t n = 0;
    char u[64];
    for (;;) {
        int w;
        size_t at = l->pos;
        int32_t r = lnext(l, &w);
        if (r == q) break;
        if (r == EOF_RUNE || (r == '\n' && q != '`')) {
            errorf(l, t, q == '`' ? "unterminated raw string" : "unterminated quoted string");
            return;
        }
        if (r == 0xfffd) {
            errorf(l, t, "invalid UTF-8 rune");
            return;
        }
        if (r != '\\' || q == '`') {
            memcpy(out + n, l->in + at, (size_t)w);
            n += (size_t)w;
            continue;
        }
        int32_t ch = lnext(l, &w);
        int nd;
        uint32_t base, max;
        switch (ch) {
        case 'a': out[n++] = '\a'; continue;
        case 'b': out[n++] = '\b'; continue;
        case 'f': out[n++] = '\f'; continue;
        case 'n': out[n++] = '\n'; continue;
        case 'r': out[n++] = '\r'; continue;
        case 't': out[n++] = '\t'; continue;
        case 'v': out[n++] = '\v'; continue;
        case '\\': out[n++] = '\\'; continue;
        case '0': case '1': case '2': case '3': case '4': case '5': case '6': case '7':
            nd = 3, base = 8, max = 255;
            break;
        case 'x': ch = lnext(l, &w); nd = 2, base = 16, max = 255; break;
        case 'u': ch = lnext(l, &w); nd = 4, base = 16, max = 0x10ffff; break;
        case 'U': ch = lnext(l, &w); nd = 8, base = 16, max = 0x10ffff; break;
        case EOF_RUNE:
            errorf(l, t, "escape sequence not terminated");
            return;
        default:
            if (ch == q) {
                out[n++] = (char)q;
                continue;
            }
            promql_go_unicode(u, sizeof u, ch);
            errorf(l, t, "unknown escape sequence %s", u);
            return;
        }
        uint32_t x = 0;
        while (nd > 0) {
            uint32_t d = (uint32_t)hexval(ch);
            if (d >= base) {
                if (ch == EOF_RUNE) {
                    errorf(l, t, "escape sequence not terminated");
                    return;
                }
                promql_go_unicode(u, sizeof u, ch);
                errorf(l, t, "illegal character %s in escape sequence", u);
                return;
            }
            x = x * base + d;
            nd--;
            if (nd > 0) ch = lnext(l, &w);
        }
        if (x > max || (x >= 0xd800 && x < 0xe000)) {
            errorf(l, t, "escape sequence is an invalid Unicode code point");
            return;
        }
        if (max == 255) {
            out[n++] = (char)x;
        } else {
            st_buf b = {0};
            utf8_put(&b, x);
            memcpy(out + n, b.p, b.len);
            n += b.len;
            st_buf_free(&b);
        }
    }
    out[n] = 0;
    emit(l, t, T_STRING);
    t->str = out;
    t->str_len = n;
}

static const struct { const char *w; tok_type t; } keywords[] = {
    {"and", T_LAND}, {"or", T_LOR}, {"unless", T_LUNLESS}, {"atan2", T_ATAN2},
    {"sum", T_SUM}, {"avg", T_AVG}, {"count", T_COUNT}, {"min", T_MIN}, {"max", T_MAX},
    {"group", T_GROUP}, {"stddev", T_STDDEV}, {"stdvar", T_STDVAR}, {"topk", T_TOPK},
    {"bottomk", T_BOTTOMK}, {"count_values", T_COUNT_VALUES}, {"quantile", T_QUANTILE},
    {"offset", T_OFFSET}, {"by", T_BY}, {"without", T_WITHOUT}, {"on", T_ON},
    {"ignoring", T_IGNORING}, {"group_left", T_GROUP_LEFT}, {"group_right", T_GROUP_RIGHT},
    {"bool", T_BOOL}, {"start", T_START}, {"end", T_END},
    {"inf", T_NUMBER}, {"nan", T_NUMBER},
};

static void lex_keyword_or_ident(promql_lexer *l, promql_token *t)
{
    int w;
    for (;;) {
        size_t at = l->pos;
        int32_t r = lnext(l, &w);
        if (!(is_alnum(r) || r == ':')) {
            l->pos = at;
            break;
        }
    }
    size_t n = l->pos - l->start;
    const char *word = l->in + l->start;
    for (size_t i = 0; i < ST_ARRAY_LEN(keywords); i++) {
        if (strlen(keywords[i].w) == n && strncasecmp(keywords[i].w, word, n) == 0) {
            emit(l, t, keywords[i].t);
            return;
        }
    }
    emit(l, t, memchr(word, ':', n) ? T_METRIC_IDENT : T_IDENT);
}

static void skip_comment(promql_lexer *l)
{
    while (l->pos < l->len && l->in[l->pos] != '\n' && l->in[l->pos] != '\r') l->pos++;
    l->start = l->pos;
}

static void lex_inside_braces(promql_lexer *l, promql_token *t)
{
    char qb[64];
    for (;;) {
        if (l->pos < l->len && l->in[l->pos] == '#') {
            skip_comment(l);
            continue;
        }
        int w;
        int32_t r = lnext(l, &w);
        if (r == EOF_RUNE) {
            errorf(l, t, "unexpected end of input inside braces");
            return;
        }
        if (is_space(r)) {
            while (is_space(lpeek(l))) lnext(l, &w);
            l->start = l->pos;
            continue;
        }
        if (is_alpha(r)) {
            while (is_alnum(lpeek(l))) lnext(l, &w);
            emit(l, t, T_IDENT);
            return;
        }
        switch (r) {
        case ',': emit(l, t, T_COMMA); return;
        case '"': case '\'': case '`': lex_string(l, t, r); return;
        case '=':
            if (accept(l, "~")) emit(l, t, T_EQL_REGEX);
            else emit(l, t, T_EQL);
            return;
        case '!': {
            int32_t nr = lnext(l, &w);
            if (nr == '~') { emit(l, t, T_NEQ_REGEX); return; }
            if (nr == '=') { emit(l, t, T_NEQ); return; }
            promql_go_quote_rune(qb, sizeof qb, nr);
            errorf(l, t, "unexpected character after '!' inside braces: %s", qb);
            return;
        }
        case '{':
            errorf(l, t, "unexpected left brace '{'");
            return;
        case '}':
            emit(l, t, T_RBRACE);
            l->brace_open = false;
            return;
        default:
            promql_go_quote_rune(qb, sizeof qb, r);
            errorf(l, t, "unexpected character inside braces: %s", qb);
            return;
        }
    }
}

void promql_lex_next(promql_lexer *l, promql_token *t)
{
    char qb[64];
    if (l->dead) {
        l->start = l->pos = l->len;
        emit(l, t, T_EOF);
        return;
    }
    l->start = l->pos;
    if (l->want_duration) {
        l->want_duration = false;
        lex_duration(l, t);
        return;
    }
    for (;;) {
        if (l->brace_open) {
            lex_inside_braces(l, t);
            return;
        }
        if (l->pos < l->len && l->in[l->pos] == '#') {
            skip_comment(l);
            continue;
        }
        int w;
        int32_t r = lnext(l, &w);
        if (r == EOF_RUNE) {
            if (l->paren_depth != 0) errorf(l, t, "unclosed left parenthesis");
            else if (l->bracket_open) errorf(l, t, "unclosed left bracket");
            else {
                emit(l, t, T_EOF);
                l->dead = true;
            }
            return;
        }
        if (is_space(r)) {
            while (is_space(lpeek(l))) lnext(l, &w);
            l->start = l->pos;
            continue;
        }
        switch (r) {
        case ',': emit(l, t, T_COMMA); return;
        case '*': emit(l, t, T_MUL); return;
        case '/': emit(l, t, T_DIV); return;
        case '%': emit(l, t, T_MOD); return;
        case '+': emit(l, t, T_ADD); return;
        case '-': emit(l, t, T_SUB); return;
        case '^': emit(l, t, T_POW); return;
        case '@': emit(l, t, T_AT); return;
        case '=': {
            int32_t n = lpeek(l);
            if (n == '=') {
                lnext(l, &w);
                emit(l, t, T_EQLC);
            } else if (n == '~') {
                errorf(l, t, "unexpected character after '=': '~'");
            } else {
                emit(l, t, T_EQL);
            }
            return;
        }
        case '!': {
            int32_t n = lnext(l, &w);
            if (n != '=') {
                promql_go_quote_rune(qb, sizeof qb, n);
                errorf(l, t, "unexpected character after '!': %s", qb);
                return;
            }
            emit(l, t, T_NEQ);
            return;
        }
        case '<':
            if (accept(l, "=")) emit(l, t, T_LTE);
            else emit(l, t, T_LSS);
            return;
        case '>':
            if (accept(l, "=")) emit(l, t, T_GTE);
            else emit(l, t, T_GTR);
            return;
        case '"': case '\'': case '`':
            lex_string(l, t, r);
            return;
        case '(':
            emit(l, t, T_LPAREN);
            l->paren_depth++;
            return;
        case ')':
            emit(l, t, T_RPAREN);
            l->paren_depth--;
            /* lex.go emits first, so the error sits just after the ')' */
            if (l->paren_depth < 0) errorf(l, t, "unexpected right parenthesis ')'");
            return;
        case '{':
            emit(l, t, T_LBRACE);
            l->brace_open = true;
            return;
        case '[':
            if (l->bracket_open) {
                errorf(l, t, "unexpected left bracket '['");
                return;
            }
            l->got_colon = false;
            emit(l, t, T_LBRACKET);
            while (is_space(lpeek(l))) lnext(l, &w);
            l->start = l->pos;
            l->bracket_open = true;
            l->want_duration = true;
            return;
        case ']':
            if (!l->bracket_open) {
                errorf(l, t, "unexpected right bracket ']'");
                return;
            }
            emit(l, t, T_RBRACKET);
            l->bracket_open = false;
            return;
        default:
            break;
        }
        if (is_digit(r) || (r == '.' && is_digit(lpeek(l)))) {
            l->pos = l->start;
            lex_number_or_duration(l, t);
            return;
        }
        if (is_alpha(r) || r == ':') {
            if (!l->bracket_open) {
                l->pos = l->start;
                lex_keyword_or_ident(l, t);
                return;
            }
            /* 2.42: inside brackets any letter or ':' lexes as the colon */
            if (l->got_colon) {
                promql_go_quote_rune(qb, sizeof qb, r);
                errorf(l, t, "unexpected colon %s", qb);
                return;
            }
            emit(l, t, T_COLON);
            l->got_colon = true;
            return;
        }
        promql_go_quote_rune(qb, sizeof qb, r);
        errorf(l, t, "unexpected character: %s", qb);
        return;
    }
}
