/* matcher: label matchers (PCRE2 with Go RE2 syntax).
 *
 * A Prometheus regex is Go RE2 syntax, fully anchored. PCRE2 is a superset
 * with different meanings in a few places, so the pattern is not handed over
 * verbatim: a translator walks it with Go's grammar, rejects what Go rejects
 * (back-references, look-around, possessive and nested quantifiers, \K, \C,
 * (*VERB), ...), and re-emits every construct in a PCRE2 spelling with Go's
 * meaning: \v is only VT, \s excludes VT, a `{` that is not a valid repeat
 * is a literal, single characters inside classes become \x{...} so PCRE2
 * sees no special class syntax it would read differently. Anchoring is by
 * PCRE2_ANCHORED|PCRE2_ENDANCHORED rather than text, so a user's ")(" cannot
 * escape the wrapper; PCRE2_DOLLAR_ENDONLY makes `$` Go's end of text. Common
 * shapes never reach PCRE2: literals and alternations of literals (set
 * lookups, which matcher_literals hands to the index so it looks their
 * postings up directly), and `.*`/`.+` around a literal.
 */
#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

#include "matcher.h"

#include "labels.h" /* utf8_valid */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define RE_MATCH_LIMIT 1000000
#define RE_DEPTH_LIMIT 10000
#define RE_HEAP_LIMIT_KIB (64 * 1024)
#define RE_MAX_REPEAT 1000 /* Go's maxRepeat: per count and nested product */
#define RE_MAX_NEST 1000   /* Go's maxHeight-like nesting cap */
#define RE_MAX_LEN (64 * 1024)
#define RE_JIT_STACK_MAX (1024 * 1024)

enum { RK_PCRE, RK_EXACT, RK_SET, RK_AFFIX };
enum { DOT_NONE, DOT_STAR, DOT_PLUS };

struct matcher {
    match_op op;
    st_slice name, value; /* copies, in one allocation after the struct */
    bool empty_match;     /* matcher_matches(m, "") */
    uint8_t kind, lead, trail;
    st_buf lit;      /* RK_EXACT / RK_AFFIX literal, unescaped */
    st_slice *set;   /* RK_SET: sorted, unique; strings in setbuf */
    size_t nset;
    st_buf setbuf;
    pcre2_code *re;
    pcre2_match_data *md;
    pcre2_match_context *mctx;
    pcre2_jit_stack *jstack; /* made on the first JIT stack overflow */
    uint64_t limit_hits; /* matches abandoned at a PCRE2 limit */
    /* matcher_new_capture: the groups' names (empty when unnamed), by number - 1 */
    st_slice *gnames;
    size_t ngroups;
};

/* Test hook until the header grows a counter API. */
uint64_t matcher_limit_hits_(const matcher *m);
uint64_t matcher_limit_hits_(const matcher *m) { return m->limit_hits; }

/* -------------------------------------------------- regex translation */

typedef struct rx {
    const char *p;
    size_t n, i;
    st_buf out;
    uint32_t *map; /* out byte -> pattern offset, for PCRE2 error offsets */
    size_t mapcap;
    char err[200];
    size_t err_at;
    /* Go's repetition rules: no quantifier on nothing, none stacked on
     * another, and the product of nested counted repeats at most 1000. */
    enum { L_NONE, L_ATOM, L_REPEAT } last;
    uint32_t last_prod;
    size_t last_rep_at; /* where the last quantifier began, for messages */
    int depth;
    uint32_t gmax[RE_MAX_NEST + 1];
} rx;

static void rx_emit(rx *r, const char *s, size_t n, size_t at)
{
    if (r->out.len + n > r->mapcap) {
        r->mapcap = (r->out.len + n) * 2 + 64;
        r->map = st_realloc(r->map, r->mapcap * sizeof *r->map);
    }
    for (size_t k = 0; k < n; k++) r->map[r->out.len + k] = (uint32_t)at;
    st_buf_put(&r->out, s, n);
}

static void rx_emits(rx *r, const char *s, size_t at) { rx_emit(r, s, strlen(s), at); }

static void rx_emit_cp(rx *r, uint32_t cp, size_t at)
{
    char b[16];
    int k = snprintf(b, sizeof b, "\\x{%x}", cp);
    rx_emit(r, b, (size_t)k, at);
}

static int rx_fail(rx *r, size_t at, size_t len, const char *what)
{
    if (at + len > r->n) len = r->n - at;
    if (len > 40) len = 40;
    snprintf(r->err, sizeof r->err, "%s: `%.*s`", what, (int)len, r->p + at);
    r->err_at = at;
    return -1;
}

static bool is_alnum(unsigned c)
{
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static int hexval(unsigned c)
{
    if (c >= '0' && c <= '9') return (int)c - '0';
    if (c >= 'a' && c <= 'f') return (int)c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return (int)c - 'A' + 10;
    return -1;
}

/* Decodes the (valid) UTF-8 character at p[i]; returns its length. */
static size_t rx_rune(const char *p, size_t n, size_t i, uint32_t *cp)
{
    const unsigned char *u = (const unsigned char *)p + i;
    size_t k = u[0] < 0x80 ? 1 : u[0] < 0xE0 ? 2 : u[0] < 0xF0 ? 3 : 4;
    if (i + k > n) k = n - i;
    uint32_t c = k == 1 ? u[0] : k == 2 ? u[0] & 0x1Fu : k == 3 ? u[0] & 0x0Fu : u[0] & 0x07u;
    for (size_t j = 1; j < k; j++) c = c << 6 | (u[j] & 0x3Fu);
    *cp = c;
    return k;
}

/* A single-character escape (Go's parseEscape) at r->i, which is a '\'. */
static int rx_escape_char(rx *r, uint32_t *cp)
{
    size_t at = r->i;
    if (at + 1 >= r->n) return rx_fail(r, at, 1, "trailing backslash at end of expression");
    unsigned c = (unsigned char)r->p[at + 1];
    if (c < 0x80 && !is_alnum(c)) {
        *cp = c;
        r->i += 2;
        return 0;
    }
    size_t j = at + 2;
    switch (c) {
    case '1': case '2': case '3': case '4': case '5': case '6': case '7':
        if (j >= r->n || r->p[j] < '0' || r->p[j] > '7') break; /* back-reference */
        /* fall through */
    case '0': {
        uint32_t v = c - '0';
        for (int k = 1; k < 3 && j < r->n && r->p[j] >= '0' && r->p[j] <= '7'; k++)
            v = v * 8 + (uint32_t)(r->p[j++] - '0');
        *cp = v;
        r->i = j;
        return 0;
    }
    case 'x': {
        if (j >= r->n) break;
        if (r->p[j] == '{') {
            uint32_t v = 0;
            size_t k = j + 1, nh = 0;
            while (k < r->n && hexval((unsigned char)r->p[k]) >= 0) {
                v = v * 16 + (uint32_t)hexval((unsigned char)r->p[k++]);
                if (v > 0x10FFFF) break;
                nh++;
            }
            if (!nh || v > 0x10FFFF || k >= r->n || r->p[k] != '}') {
                j = k < r->n ? k + 1 : k;
                break;
            }
            *cp = v;
            r->i = k + 1;
            return 0;
        }
        if (j + 1 < r->n && hexval((unsigned char)r->p[j]) >= 0 &&
            hexval((unsigned char)r->p[j + 1]) >= 0) {
            *cp = (uint32_t)(hexval((unsigned char)r->p[j]) * 16 +
                             hexval((unsigned char)r->p[j + 1]));
            r->i = j + 2;
            return 0;
        }
        j += j + 1 < r->n ? 2 : 1;
        break;
    }
    case 'a': *cp = '\a'; r->i = j; return 0;
    case 'f': *cp = '\f'; r->i = j; return 0;
    case 'n': *cp = '\n'; r->i = j; return 0;
    case 'r': *cp = '\r'; r->i = j; return 0;
    case 't': *cp = '\t'; r->i = j; return 0;
    case 'v': *cp = '\v'; r->i = j; return 0;
    default: {
        uint32_t dummy;
        j = at + 1 + rx_rune(r->p, r->n, at + 1, &dummy);
    }
    }
    return rx_fail(r, at, j - at, "invalid escape sequence");
}

/* \pX, \p{Name}, \PX, \P{Name} at r->i: passed through, PCRE2 knows the
 * same category and script names. */
static int rx_unicode_class(rx *r)
{
    size_t at = r->i, j = at + 2;
    if (j >= r->n) return rx_fail(r, at, 2, "invalid character class range");
    if (r->p[j] == '{') {
        const char *e = memchr(r->p + j, '}', r->n - j);
        if (!e) return rx_fail(r, at, r->n - at, "invalid character class range");
        j = (size_t)(e - r->p) + 1;
    } else {
        uint32_t cp;
        j += rx_rune(r->p, r->n, j, &cp);
    }
    rx_emit(r, r->p + at, j - at, at);
    r->i = j;
    return 0;
}

static bool rx_perl_class(rx *r, bool in_class)
{
    if (r->i + 1 >= r->n || r->p[r->i] != '\\') return false;
    size_t at = r->i;
    switch (r->p[at + 1]) {
    case 'd': case 'D': case 'w': case 'W': rx_emit(r, r->p + at, 2, at); break;
    /* Go's \s is [\t\n\f\r ]; PCRE2's also has \v. */
    case 's': rx_emits(r, in_class ? "\\t\\n\\f\\r\\x{20}" : "[\\t\\n\\f\\r\\x{20}]", at); break;
    case 'S':
        rx_emits(r, in_class ? "\\x{0}-\\x{8}\\x{b}\\x{e}-\\x{1f}\\x{21}-\\x{10ffff}"
                             : "[^\\t\\n\\f\\r\\x{20}]", at);
        break;
    default: return false;
    }
    r->i += 2;
    return true;
}

static const char *const posix_names[] = {"alnum", "alpha", "ascii", "blank", "cntrl",
                                          "digit", "graph", "lower", "print", "punct",
                                          "space", "upper", "word",  "xdigit"};

static int rx_class(rx *r)
{
    size_t start = r->i;
    rx_emit(r, "[", 1, r->i++);
    if (r->i < r->n && r->p[r->i] == '^') rx_emit(r, "^", 1, r->i++);
    for (bool first = true;; first = false) {
        if (r->i >= r->n) return rx_fail(r, start, r->n - start, "missing closing ]");
        size_t at = r->i;
        char c = r->p[at];
        if (c == ']' && !first) {
            rx_emit(r, "]", 1, r->i++);
            return 0;
        }
        if (c == '[' && at + 2 < r->n && r->p[at + 1] == ':') {
            const char *e = NULL;
            for (size_t k = at + 2; k + 1 < r->n; k++)
                if (r->p[k] == ':' && r->p[k + 1] == ']') { e = r->p + k; break; }
            if (e) {
                size_t nl = (size_t)(e - r->p) - (at + 2), off = at + 2;
                if (nl && r->p[off] == '^') off++, nl--;
                bool ok = false;
                for (size_t k = 0; k < ST_ARRAY_LEN(posix_names) && !ok; k++)
                    ok = strlen(posix_names[k]) == nl && !memcmp(posix_names[k], r->p + off, nl);
                size_t len = (size_t)(e - r->p) + 2 - at;
                if (!ok) return rx_fail(r, at, len, "invalid character class range");
                rx_emit(r, r->p + at, len, at);
                r->i = at + len;
                continue;
            }
        }
        if (c == '\\' && at + 1 < r->n && (r->p[at + 1] == 'p' || r->p[at + 1] == 'P')) {
            if (rx_unicode_class(r) < 0) return -1;
            continue;
        }
        if (rx_perl_class(r, true)) continue;
        uint32_t lo, hi;
        if (c == '\\') {
            if (rx_escape_char(r, &lo) < 0) return -1;
        } else {
            r->i += rx_rune(r->p, r->n, at, &lo);
        }
        hi = lo;
        if (r->i + 1 < r->n && r->p[r->i] == '-' && r->p[r->i + 1] != ']') {
            r->i++;
            if (r->p[r->i] == '\\') {
                if (rx_escape_char(r, &hi) < 0) return -1;
            } else {
                r->i += rx_rune(r->p, r->n, r->i, &hi);
            }
            if (hi < lo) return rx_fail(r, at, r->i - at, "invalid character class range");
        }
        rx_emit_cp(r, lo, at);
        if (hi != lo) {
            rx_emit(r, "-", 1, at);
            rx_emit_cp(r, hi, at);
        }
    }
}

/* An item is complete: fold its repeat product into the enclosing group. */
static void rx_fold(rx *r)
{
    if (r->last != L_NONE && r->last_prod > r->gmax[r->depth]) r->gmax[r->depth] = r->last_prod;
}

static void rx_atom(rx *r)
{
    rx_fold(r);
    r->last = L_ATOM;
    r->last_prod = 1;
}

/* A quantifier spanning p[at..at+len), already validated; mn/mx for {}
 * forms (mx < 0: unbounded), counted = it was a {} form. */
static int rx_quant(rx *r, size_t at, size_t len, int mn, int mx, bool counted)
{
    size_t end = at + len;
    if (end < r->n && r->p[end] == '?') end++; /* non-greedy */
    if (r->last == L_REPEAT)
        return rx_fail(r, r->last_rep_at, end - r->last_rep_at, "invalid nested repetition operator");
    if (r->last == L_NONE) return rx_fail(r, at, end - at, "missing argument to repetition operator");
    if (counted && (mn >= 2 || mx >= 2)) {
        uint32_t m = (uint32_t)(mx < 0 ? mn : mx);
        if (m == 0) r->last_prod = 1;
        else if ((uint64_t)m * r->last_prod > RE_MAX_REPEAT)
            return rx_fail(r, at, len, "invalid repeat count");
        else r->last_prod *= m;
    } else if (counted && mx == 0) {
        r->last_prod = 1;
    }
    rx_emit(r, r->p + at, end - at, at);
    r->last = L_REPEAT;
    r->last_rep_at = at;
    r->i = end;
    return 0;
}

/* Go's parseRepeat: {n}, {n,}, {n,m}, no leading zeros; false = literal {. */
static bool rx_parse_repeat(const char *p, size_t n, size_t i, int *mn, int *mx, size_t *len)
{
    size_t j = i + 1;
    long v[2] = {-1, -1};
    for (int k = 0; k < 2; k++) {
        if (j >= n || p[j] < '0' || p[j] > '9') {
            if (k == 1 && j < n && p[j] == '}') break; /* {n,} */
            return false;
        }
        if (p[j] == '0' && j + 1 < n && p[j + 1] >= '0' && p[j + 1] <= '9') return false;
        long x = 0;
        for (; j < n && p[j] >= '0' && p[j] <= '9'; j++)
            if (x < 100000000) x = x * 10 + (p[j] - '0');
        v[k] = x >= 100000000 ? 100000000 : x;
        if (k == 0) {
            if (j < n && p[j] == '}') { v[1] = v[0]; break; }
            if (j >= n || p[j] != ',') return false;
            j++;
        }
    }
    if (j >= n || p[j] != '}') return false;
    *mn = (int)v[0];
    *mx = (int)v[1];
    *len = j + 1 - i;
    return true;
}

static int rx_group(rx *r)
{
    size_t at = r->i;
    if (at + 1 < r->n && r->p[at + 1] == '*')
        return rx_fail(r, at + 1, 1, "missing argument to repetition operator");
    if (at + 1 < r->n && r->p[at + 1] == '?') {
        size_t j = at + 2;
        bool named = (j + 1 < r->n && r->p[j] == 'P' && r->p[j + 1] == '<') ||
                     (j < r->n && r->p[j] == '<' &&
                      !(j + 1 < r->n && (r->p[j + 1] == '=' || r->p[j + 1] == '!')));
        if (named) {
            j += r->p[j] == 'P' ? 2 : 1;
            size_t k = j;
            while (k < r->n && (is_alnum((unsigned char)r->p[k]) || r->p[k] == '_')) k++;
            if (k == j || k >= r->n || r->p[k] != '>')
                return rx_fail(r, at, k + 1 - at, "invalid named capture");
            /* The name does not change what matches; PCRE2's naming rules
             * differ from Go's, so emit a plain group. */
            r->i = k + 1;
        } else {
            bool neg = false, saw = false;
            for (;; j++) {
                char c = j < r->n ? r->p[j] : 0;
                if (c == 'i' || c == 'm' || c == 's' || c == 'U') {
                    saw = true;
                } else if (c == '-' && !neg) {
                    neg = true;
                    saw = false;
                } else if ((c == ':' || c == ')') && (!neg || saw)) {
                    break;
                } else {
                    size_t len = j + 1 - at + (c == '<' && j + 1 < r->n); /* show (?<= */
                    return rx_fail(r, at, len, "invalid or unsupported Perl syntax");
                }
            }
            rx_emit(r, r->p + at, j + 1 - at, at);
            r->i = j + 1;
            if (r->p[j] == ')') return 0; /* flags only: pushes nothing, as in Go */
            goto push;
        }
    } else {
        r->i++;
    }
    rx_emit(r, "(", 1, at);
push:
    rx_fold(r);
    if (r->depth >= RE_MAX_NEST) return rx_fail(r, at, 1, "expression nests too deeply");
    r->gmax[++r->depth] = 1;
    r->last = L_NONE;
    return 0;
}

/* Go-RE2 pattern -> PCRE2 pattern in r->out. 0, or -1 with r->err set. */
static int rx_translate(rx *r)
{
    r->gmax[0] = 1;
    while (r->i < r->n) {
        size_t at = r->i;
        unsigned char c = (unsigned char)r->p[at];
        int mn = 0, mx = 0;
        size_t len;
        switch (c) {
        case '(':
            if (rx_group(r) < 0) return -1;
            break;
        case ')':
            if (r->depth == 0) return rx_fail(r, at, 1, "unexpected )");
            rx_fold(r);
            r->last_prod = r->gmax[r->depth--];
            r->last = L_ATOM;
            rx_emit(r, ")", 1, r->i++);
            break;
        case '|':
            rx_fold(r);
            r->last = L_NONE;
            rx_emit(r, "|", 1, r->i++);
            break;
        case '*': case '+': case '?':
            if (rx_quant(r, at, 1, 0, 0, false) < 0) return -1;
            break;
        case '{':
            if (rx_parse_repeat(r->p, r->n, at, &mn, &mx, &len)) {
                if (mn > RE_MAX_REPEAT || mx > RE_MAX_REPEAT || (mx >= 0 && mn > mx))
                    return rx_fail(r, at, len, "invalid repeat count");
                if (rx_quant(r, at, len, mn, mx, true) < 0) return -1;
            } else {
                rx_atom(r);
                rx_emit(r, "\\{", 2, r->i++);
            }
            break;
        case '[':
            rx_atom(r);
            if (rx_class(r) < 0) return -1;
            break;
        case '^': case '$': case '.':
            /* Go lets assertions take quantifiers; PCRE2 only inside a group. */
            rx_atom(r);
            if (c != '.') rx_emit(r, c == '^' ? "(?:^)" : "(?:$)", 5, r->i++);
            else rx_emit(r, ".", 1, r->i++);
            break;
        case '\\': {
            char e = at + 1 < r->n ? r->p[at + 1] : 0;
            if (e != 'Q') rx_atom(r);
            if (e == 'A' || e == 'z' || e == 'b' || e == 'B') {
                char b[8] = {'(', '?', ':', '\\', e, ')'};
                rx_emit(r, b, 6, at);
                r->i += 2;
            } else if (e == 'C') {
                return rx_fail(r, at, 2, "invalid escape sequence");
            } else if (e == 'Q') {
                /* \Q...\E: literals up to \E or the end. */
                size_t k = at + 2, end = r->n, next = r->n;
                for (size_t q = k; q + 1 < r->n; q++)
                    if (r->p[q] == '\\' && r->p[q + 1] == 'E') { end = q; next = q + 2; break; }
                while (k < end) { /* empty \Q\E adds nothing, as in Go */
                    uint32_t cp;
                    size_t kl = rx_rune(r->p, r->n, k, &cp);
                    rx_atom(r);
                    rx_emit_cp(r, cp, k);
                    k += kl;
                }
                r->i = next;
            } else if (e == 'p' || e == 'P') {
                if (rx_unicode_class(r) < 0) return -1;
            } else if (!rx_perl_class(r, false)) {
                uint32_t cp;
                if (rx_escape_char(r, &cp) < 0) return -1;
                rx_emit_cp(r, cp, at);
            }
            break;
        }
        default:
            rx_atom(r);
            if (c >= 0x80 || is_alnum(c)) {
                uint32_t cp;
                size_t k = rx_rune(r->p, r->n, at, &cp);
                rx_emit(r, r->p + at, k, at);
                r->i += k;
            } else {
                rx_emit_cp(r, c, at);
                r->i++;
            }
        }
    }
    if (r->depth > 0) {
        rx_fail(r, 0, r->n, "missing closing )");
        r->err_at = r->n;
        return -1;
    }
    return 0;
}

/* ------------------------------------------------------ fast paths */

/* Appends literal characters (plain, or \ + ASCII punctuation) from p[*i]
 * until a metacharacter; returns false on an escape that is not literal. */
static bool lit_scan(const char *p, size_t n, size_t *i, st_buf *lit)
{
    while (*i < n) {
        unsigned char c = (unsigned char)p[*i];
        if (c == '\\') {
            if (*i + 1 >= n) return false;
            unsigned char d = (unsigned char)p[*i + 1];
            if (d >= 0x80 || is_alnum(d)) return false;
            st_buf_putc(lit, d);
            *i += 2;
        } else if (c && strchr(".+*?()|[]{}^$", c)) {
            return true;
        } else {
            st_buf_putc(lit, c);
            (*i)++;
        }
    }
    return true;
}

static int dots(const char *p, size_t n, size_t i)
{
    if (i + 1 < n && p[i] == '.' && (p[i + 1] == '*' || p[i + 1] == '+'))
        return p[i + 1] == '*' ? DOT_STAR : DOT_PLUS;
    return DOT_NONE;
}

static int slice_cmpv(const void *a, const void *b)
{
    return st_slice_cmp(*(const st_slice *)a, *(const st_slice *)b);
}

/* Recognises literal, a|b|c, and [.*|.+] literal [.*|.+], optionally inside
 * one (...) or (?:...). Only shapes whose meaning is unmistakable. */
static bool analyze_fast(matcher *m, const char *p, size_t n)
{
    if (n >= 2 && p[0] == '(' && p[n - 1] == ')') {
        size_t skip = n >= 4 && p[1] == '?' ? (p[2] == ':' ? 3 : 0) : 1;
        if (skip && !(n >= 2 && p[n - 2] == '\\')) {
            p += skip;
            n -= skip + 1;
        }
    }
    size_t i = 0, nalt = 1;
    int lead = dots(p, n, 0), trail = DOT_NONE;
    if (lead) i = 2;
    st_buf_reserve(&m->setbuf, 1);
    size_t *ends = NULL, nends = 0;
    for (;;) {
        if (!lit_scan(p, n, &i, &m->setbuf)) goto no;
        ends = st_realloc(ends, (nends + 1) * sizeof *ends);
        ends[nends++] = m->setbuf.len;
        if (i == n) break;
        if (p[i] == '|' && !lead) {
            i++;
            nalt++;
            continue;
        }
        trail = dots(p, n, i);
        if (trail && nalt == 1 && i + 2 == n) break;
        goto no;
    }
    if (nalt == 1) {
        st_buf_put(&m->lit, m->setbuf.p, m->setbuf.len);
        m->setbuf.len = 0;
        if (lead && trail && (m->lit.len == 0 || memchr(m->lit.p, '\n', m->lit.len))) goto no;
        m->kind = lead || trail ? RK_AFFIX : RK_EXACT;
        if (m->kind == RK_EXACT) { /* also a one-element set, for the index */
            m->set = st_malloc(sizeof *m->set);
            m->set[0] = st_slice_of(m->lit.len ? (const char *)m->lit.p : "", m->lit.len);
            m->nset = 1;
        }
        m->lead = (uint8_t)lead;
        m->trail = (uint8_t)trail;
    } else {
        m->set = st_malloc(nends * sizeof *m->set);
        for (size_t k = 0, off = 0; k < nends; off = ends[k++])
            m->set[k] = st_slice_of((const char *)m->setbuf.p + off, ends[k] - off);
        qsort(m->set, nends, sizeof *m->set, slice_cmpv);
        size_t w = 0;
        for (size_t k = 0; k < nends; k++)
            if (!w || !st_slice_eq(m->set[w - 1], m->set[k])) m->set[w++] = m->set[k];
        m->nset = w;
        m->kind = RK_SET;
    }
    st_free(ends);
    return true;
no:
    st_free(ends);
    m->setbuf.len = 0;
    m->lit.len = 0;
    return false;
}

static bool no_newline(const char *v, size_t n) { return !n || !memchr(v, '\n', n); }

static bool affix_match(const matcher *m, const char *v, size_t n)
{
    const char *lit = (const char *)m->lit.p;
    size_t L = m->lit.len;
    /* PCRE2 in UTF mode fails on an invalid subject; so must we. */
    if (!utf8_valid(v, n) || n < L) return false;
    if (m->lead == DOT_NONE)
        return (!L || !memcmp(v, lit, L)) && no_newline(v + L, n - L) &&
               (m->trail != DOT_PLUS || n > L);
    if (m->trail == DOT_NONE)
        return (!L || !memcmp(v + n - L, lit, L)) && no_newline(v, n - L) &&
               (m->lead != DOT_PLUS || n > L);
    size_t lo = m->lead == DOT_PLUS, hi = n - (m->trail == DOT_PLUS);
    return no_newline(v, n) && hi >= lo + L && memmem(v + lo, hi - lo, lit, L) != NULL;
}

static bool set_has(const matcher *m, st_slice v)
{
    size_t lo = 0, hi = m->nset;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        int c = st_slice_cmp(m->set[mid], v);
        if (!c) return true;
        if (c < 0) lo = mid + 1;
        else hi = mid;
    }
    return false;
}

static bool re_match(matcher *m, st_slice v)
{
    const char *p = v.p ? v.p : "";
    switch (m->kind) {
    case RK_EXACT: return v.n == m->lit.len && (!v.n || !memcmp(p, m->lit.p, v.n));
    case RK_SET: return set_has(m, st_slice_of(p, v.n));
    case RK_AFFIX: return affix_match(m, p, v.n);
    }
    int rc = pcre2_match(m->re, (PCRE2_SPTR)p, v.n, 0, 0, m->md, m->mctx);
    /* JIT starts on a 32 KiB machine-stack area: on overflow, give this
     * matcher a growable JIT stack; past that, the interpreter (frames on
     * the heap, under the depth and heap limits) gets the last word. */
    if (rc == PCRE2_ERROR_JIT_STACKLIMIT && !m->jstack) {
        m->jstack = pcre2_jit_stack_create(32 * 1024, RE_JIT_STACK_MAX, NULL);
        pcre2_jit_stack_assign(m->mctx, NULL, m->jstack);
        rc = pcre2_match(m->re, (PCRE2_SPTR)p, v.n, 0, 0, m->md, m->mctx);
    }
    if (rc == PCRE2_ERROR_JIT_STACKLIMIT)
        rc = pcre2_match(m->re, (PCRE2_SPTR)p, v.n, 0, PCRE2_NO_JIT, m->md, m->mctx);
    if (rc >= 0) return true;
    if (rc == PCRE2_ERROR_MATCHLIMIT || rc == PCRE2_ERROR_DEPTHLIMIT ||
        rc == PCRE2_ERROR_HEAPLIMIT || rc == PCRE2_ERROR_JIT_STACKLIMIT)
        m->limit_hits++;
    return false;
}

/* Go-%q-ish rendering of a pattern for messages, capped. */
static void quote_msg(char *dst, size_t cap, st_slice s)
{
    size_t w = 0, max = 120;
    for (size_t i = 0; i < s.n && w + 8 < cap; i++) {
        unsigned char c = (unsigned char)s.p[i];
        if (i == max) {
            w += (size_t)snprintf(dst + w, cap - w, "...");
            break;
        }
        if (c == '"' || c == '\\') dst[w++] = '\\', dst[w++] = (char)c;
        else if (c == '\n') dst[w++] = '\\', dst[w++] = 'n';
        else if (c < 0x20 || c == 0x7f) w += (size_t)snprintf(dst + w, cap - w, "\\x%02x", c);
        else dst[w++] = (char)c;
    }
    dst[w] = 0;
}

static int compile_regex_ex(matcher *m, bool capture, st_err *e);

static int compile_regex(matcher *m, st_err *e) { return compile_regex_ex(m, false, e); }

static int compile_regex_ex(matcher *m, bool capture, st_err *e)
{
    st_slice v = m->value;
    char q[300];
    if (!utf8_valid(v.p, v.n) || v.n > RE_MAX_LEN) {
        quote_msg(q, sizeof q, v);
        return st_fail(e, ST_EINVAL, "invalid regular expression \"%s\": %s", q,
                       v.n > RE_MAX_LEN ? "expression too large" : "invalid UTF-8");
    }
    rx *r = st_calloc(1, sizeof *r);
    r->p = v.p;
    r->n = v.n;
    int rc = rx_translate(r);
    if (rc < 0) {
        quote_msg(q, sizeof q, v);
        st_fail(e, ST_EINVAL, "invalid regular expression \"%s\": %s at %zu", q, r->err,
                r->err_at);
        goto out;
    }
    if (!capture && analyze_fast(m, v.p, v.n)) goto out;
    pcre2_compile_context *cc = pcre2_compile_context_create(NULL);
    pcre2_set_newline(cc, PCRE2_NEWLINE_LF);
    pcre2_set_parens_nest_limit(cc, RE_MAX_NEST);
    int ec;
    PCRE2_SIZE eo;
    st_buf_putc(&r->out, 0); /* pcre2 does not need it; keeps p non-NULL */
    m->re = pcre2_compile((PCRE2_SPTR)r->out.p, r->out.len - 1,
                          PCRE2_UTF | PCRE2_ANCHORED | PCRE2_ENDANCHORED |
                              PCRE2_DOLLAR_ENDONLY | (capture ? 0 : PCRE2_NO_AUTO_CAPTURE) |
                              PCRE2_NEVER_BACKSLASH_C | PCRE2_NEVER_UCP,
                          &ec, &eo, cc);
    pcre2_compile_context_free(cc);
    if (!m->re) {
        char msg[160];
        pcre2_get_error_message(ec, (PCRE2_UCHAR *)msg, sizeof msg);
        size_t at = eo < r->out.len - 1 ? r->map[eo] : v.n;
        quote_msg(q, sizeof q, v);
        rc = st_fail(e, ST_EINVAL, "invalid regular expression \"%s\": %s at %zu", q, msg, at);
        goto out;
    }
    pcre2_jit_compile(m->re, PCRE2_JIT_COMPLETE); /* no JIT: the interpreter serves */
    m->md = capture ? pcre2_match_data_create_from_pattern(m->re, NULL) : pcre2_match_data_create(1, NULL);
    m->mctx = pcre2_match_context_create(NULL);
    pcre2_set_match_limit(m->mctx, RE_MATCH_LIMIT);
    pcre2_set_depth_limit(m->mctx, RE_DEPTH_LIMIT);
    pcre2_set_heap_limit(m->mctx, RE_HEAP_LIMIT_KIB);
out:
    st_free(r->map);
    st_buf_free(&r->out);
    st_free(r);
    return rc < 0 ? ST_EINVAL : 0;
}

/* The capturing groups of a Go pattern in order, with their names: every
 * '(' outside a class, \Q...\E and an escape opens one, except "(?" forms
 * other than (?P<name> and (?<name>. (The translation to PCRE2 drops the
 * names, whose rules differ: they are looked up here, by Go's numbering,
 * which the translation keeps.) */
static void group_names(matcher *m)
{
    const char *p = m->value.p;
    size_t n = m->value.n, cap = 0;
    bool cls = false;
    for (size_t i = 0; i < n; i++) {
        char c = p[i];
        if (c == '\\' && i + 1 < n && p[i + 1] == 'Q') { /* \Q...\E: literal text */
            const char *end = memmem(p + i + 2, n - i - 2, "\\E", 2);
            i = end ? (size_t)(end - p) + 1 : n;
            continue;
        }
        if (c == '\\') {
            i++;
            continue;
        }
        if (cls) {
            if (c == ']') cls = false;
            continue;
        }
        if (c == '[') {
            cls = true;
            if (i + 1 < n && p[i + 1] == '^') i++;
            if (i + 1 < n && p[i + 1] == ']') i++; /* a leading ] is a literal */
            continue;
        }
        if (c != '(') continue;
        st_slice name = {"", 0};
        if (i + 1 < n && p[i + 1] == '?') {
            size_t j = i + 2;
            if (j < n && p[j] == 'P') j++;
            if (j >= n || p[j] != '<' || (j + 1 < n && (p[j + 1] == '=' || p[j + 1] == '!'))) continue;
            size_t k = j + 1;
            while (k < n && p[k] != '>') k++;
            name = st_slice_of(p + j + 1, k - j - 1);
        }
        if (m->ngroups == cap) {
            cap = cap ? cap * 2 : 8;
            m->gnames = st_realloc(m->gnames, cap * sizeof *m->gnames);
        }
        m->gnames[m->ngroups++] = name;
    }
}

int matcher_new_capture(st_slice re, matcher **out, st_err *e)
{
    *out = NULL;
    matcher *m = st_calloc(1, sizeof *m + re.n + 3);
    char *s = (char *)(m + 1);
    if (re.n) memcpy(s + 2, re.p, re.n);
    m->op = MATCH_RE;
    m->name = st_slice_of(s, 0);
    m->value = st_slice_of(s + 2, re.n);
    m->kind = RK_PCRE;
    if (compile_regex_ex(m, true, e) < 0) {
        matcher_free(m);
        return ST_EINVAL;
    }
    group_names(m);
    m->empty_match = matcher_matches(m, st_slice_of("", 0));
    *out = m;
    return 0;
}

int matcher_match_groups(matcher *m, st_slice v, size_t *ov, int max)
{
    if (!m->re || !re_match(m, v)) return 0;
    uint32_t cnt = pcre2_get_ovector_count(m->md);
    PCRE2_SIZE *o = pcre2_get_ovector_pointer(m->md);
    int n = (int)cnt < max ? (int)cnt : max;
    for (int i = 0; i < n; i++) {
        bool set = o[2 * i] != PCRE2_UNSET;
        ov[2 * i] = set ? (size_t)o[2 * i] : (size_t)-1;
        ov[2 * i + 1] = set ? (size_t)o[2 * i + 1] : (size_t)-1;
    }
    return n;
}

int matcher_group_by_name(const matcher *m, st_slice name)
{
    for (size_t i = 0; i < m->ngroups; i++)
        if (m->gnames[i].n && st_slice_eq(m->gnames[i], name)) return (int)i + 1;
    return -1;
}

int matcher_new(match_op op, st_slice name, st_slice value, matcher **out, st_err *e)
{
    *out = NULL;
    if ((unsigned)op > MATCH_NRE) return st_fail(e, ST_EINVAL, "invalid matcher type %d", (int)op);
    matcher *m = st_calloc(1, sizeof *m + name.n + value.n + 2);
    char *s = (char *)(m + 1);
    if (name.n) memcpy(s, name.p, name.n);
    if (value.n) memcpy(s + name.n + 1, value.p, value.n);
    m->op = op;
    m->name = st_slice_of(s, name.n);
    m->value = st_slice_of(s + name.n + 1, value.n);
    m->kind = RK_PCRE;
    if (op == MATCH_RE || op == MATCH_NRE) {
        if (compile_regex(m, e) < 0) {
            matcher_free(m);
            return ST_EINVAL;
        }
    }
    m->empty_match = matcher_matches(m, st_slice_of("", 0));
    *out = m;
    return 0;
}

void matcher_free(matcher *m)
{
    if (!m) return;
    if (m->md) pcre2_match_data_free(m->md);
    if (m->mctx) pcre2_match_context_free(m->mctx);
    if (m->jstack) pcre2_jit_stack_free(m->jstack);
    if (m->re) pcre2_code_free(m->re);
    st_free(m->gnames);
    st_buf_free(&m->lit);
    st_buf_free(&m->setbuf);
    st_free(m->set);
    st_free(m);
}

match_op matcher_op(const matcher *m) { return m->op; }
st_slice matcher_name(const matcher *m) { return m->name; }
st_slice matcher_value(const matcher *m) { return m->value; }
bool matcher_matches_empty(matcher *m) { return m->empty_match; }

bool matcher_matches(matcher *m, st_slice v)
{
    switch (m->op) {
    case MATCH_EQ: return st_slice_eq(v, m->value);
    case MATCH_NEQ: return !st_slice_eq(v, m->value);
    case MATCH_RE: return re_match(m, v);
    case MATCH_NRE: return !re_match(m, v);
    }
    return false;
}

/* The values that decide m, when they can be listed: m(v) == (v in S) ^ inv. */
bool matcher_literals(const matcher *m, const st_slice **s, size_t *n, bool *inv)
{
    *inv = m->op == MATCH_NEQ || m->op == MATCH_NRE;
    if (m->op == MATCH_EQ || m->op == MATCH_NEQ) {
        *s = &m->value;
        *n = 1;
        return true;
    }
    if (m->kind == RK_SET || m->kind == RK_EXACT) {
        *s = m->set;
        *n = m->nset;
        return true;
    }
    return false;
}
