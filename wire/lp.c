/* lp: line protocol parser and writer. See lp.h for the grammar.
 *
 * This is the hottest code of the write path, so a line is parsed in one
 * forward pass without copying: memchr finds the end of the line, then
 * each token is scanned 16 bytes at a time (SSE2 compares against the
 * special bytes; a byte-class table for the tail) and returned as a slice
 * of the body; only a token that contains a backslash is decoded, into
 * the arena. Floats of the usual shape (d.d, at most 15 digits) are read
 * in the same pass that finds their end; others go through
 * json_parse_double (exact fast paths, strtod last). Timestamps are read
 * eight digits at a time. Tags are usually sorted already (one compare
 * per pair); when not, an insertion sort on 8-byte key prefixes.
 *
 * Where a line ends. InfluxDB first cuts the body into lines (scanLine:
 * a '\n' ends a line unless escaped or inside a quoted field value, with
 * quotes tracked by a heuristic), then parses each. We parse structurally
 * and let a string field value run past the '\n' that memchr found, which
 * gives the same line on every line that parses (the fuzzer checks this);
 * when a line fails, the skip to the next one uses scanLine's rules
 * (lp_line_end), so that partial writes drop exactly the lines InfluxDB
 * drops.
 *
 * Rule for every scanning loop: the bound is checked before each byte is
 * read, an escape consumes its second byte only if it is in bounds, and a
 * wide load (16 or 8 bytes) happens only when that many bytes remain.
 */
#include "lp.h"

#include "json.h"

#include <stdarg.h>
#include <stdio.h>
#ifdef __SSE2__
#include <emmintrin.h>
#endif
#include <stdlib.h>
#include <string.h>

/* Byte classes. */
enum { C_COMMA = 1, C_SPACE = 2, C_EQ = 4, C_BSL = 8, C_QUOTE = 16 };
static const uint8_t cls[256] = {
    [','] = C_COMMA, [' '] = C_SPACE, ['='] = C_EQ, ['\\'] = C_BSL, ['"'] = C_QUOTE,
};
#define ESC_MEAS (C_COMMA | C_SPACE | C_BSL)
#define ESC_KEY (C_COMMA | C_SPACE | C_EQ | C_BSL)
#define ESC_STR (C_QUOTE | C_BSL)

#define LP_MAX_KEY 65535
#define MIN_NANO_TIME (INT64_MIN + 2)
#define MAX_NANO_TIME (INT64_MAX - 1)

struct lp_parser {
    const char *body, *end, *p; /* p: where the next line starts */
    size_t lineno;              /* number of the line at p */
    lp_opts o;
    int64_t mult;
    st_arena *arena, *own;
    label *tags;
    uint64_t *tagpfx; /* prefix8 of each tag key, for sorting */
    size_t captags;
    lp_field *fields;
    size_t capfields;
    uint32_t *idx;
    size_t capidx;
};

/* One line being parsed. */
typedef struct cur {
    lp_parser *P;
    const char *ls; /* first byte of the point (after leading blanks) */
    const char *nl; /* the '\n' ending the line so far, or end */
    const char *le; /* nl, or nl - 1 when that is a '\r' */
    size_t extra;   /* '\n' bytes inside the line */
} cur;

bool lp_precision_parse(const char *s, lp_precision *out)
{
    static const struct {
        const char *name;
        lp_precision p;
    } t[] = {{"", LP_NS}, {"n", LP_NS}, {"ns", LP_NS}, {"u", LP_US}, {"us", LP_US},
             {"ms", LP_MS}, {"s", LP_S},  {"m", LP_M},   {"h", LP_H}};
    if (!s) s = "";
    for (size_t i = 0; i < ST_ARRAY_LEN(t); i++)
        if (strcmp(s, t[i].name) == 0) {
            *out = t[i].p;
            return true;
        }
    return false;
}

int64_t lp_precision_ns(lp_precision p)
{
    switch (p) {
    case LP_US: return 1000;
    case LP_MS: return 1000000;
    case LP_S: return 1000000000;
    case LP_M: return 60 * 1000000000LL;
    case LP_H: return 3600 * 1000000000LL;
    default: return 1;
    }
}

lp_parser *lp_parser_new(void) { return st_calloc(1, sizeof(lp_parser)); }

void lp_parser_free(lp_parser *p)
{
    if (!p) return;
    st_arena_free(p->own);
    st_free(p->tags);
    st_free(p->tagpfx);
    st_free(p->fields);
    st_free(p->idx);
    st_free(p);
}

void lp_reset(lp_parser *p, const char *body, size_t len, const lp_opts *o, st_arena *arena)
{
    p->body = p->p = body ? body : "";
    p->end = p->body + (body ? len : 0);
    p->lineno = 1;
    if (o) p->o = *o;
    else memset(&p->o, 0, sizeof p->o);
    p->mult = lp_precision_ns(p->o.precision);
    if (arena) {
        p->arena = arena;
    } else {
        if (!p->own) p->own = st_arena_new(4096);
        else st_arena_reset(p->own);
        p->arena = p->own;
    }
}

/* ------------------------------------------------------------ line ends */

const char *lp_line_end(const char *s, const char *end)
{
    bool quoted = false, fields = false, esc = false;
    long equals = 0, commas = 0;
    for (; s < end; s++) {
        char c = *s;
        if (esc) {
            esc = false;
            continue;
        }
        if (c == '\\') {
            esc = true;
            continue;
        }
        if (c == ' ') {
            fields = true;
            continue;
        }
        if (fields) {
            if (!quoted && c == '=') {
                equals++;
                continue;
            }
            if (!quoted && c == ',') {
                commas++;
                continue;
            }
            if (c == '"' && equals > commas) {
                quoted = !quoted;
                continue;
            }
        }
        if (c == '\n' && !quoted) return s;
    }
    return end;
}

/* The first '\n' at or after q that an odd run of backslashes does not
 * escape; counts the escaped ones into *extra. */
static const char *find_nl(const char *body, const char *q, const char *end, size_t *extra)
{
    for (;;) {
        const char *n = memchr(q, '\n', (size_t)(end - q));
        if (!n) return end;
        const char *b = n;
        while (b > body && b[-1] == '\\') b--;
        if (!((n - b) & 1)) return n;
        (*extra)++;
        q = n + 1;
    }
}

static void set_nl(cur *c, const char *nl)
{
    c->nl = nl;
    c->le = nl > c->ls && nl[-1] == '\r' ? nl - 1 : nl;
}

/* ---------------------------------------------------------------- errors */

static int fail(cur *c, lp_line *out, st_err *e, int code, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));

static int fail(cur *c, lp_line *out, st_err *e, int code, const char *fmt, ...)
{
    lp_parser *P = c->P;
    const char *le = lp_line_end(c->ls, P->end);
    size_t lines = 0;
    for (const char *q = c->ls; (q = memchr(q, '\n', (size_t)(le - q))) != NULL; q++) lines++;
    const char *shown_end = le > c->ls && le[-1] == '\r' ? le - 1 : le;
    out->lineno = P->lineno;
    out->raw = st_slice_of(c->ls, (size_t)(shown_end - c->ls));
    P->p = le < P->end ? le + 1 : P->end;
    P->lineno += lines + 1;
    if (e) {
        char reason[256];
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(reason, sizeof reason, fmt, ap);
        va_end(ap);
        int n = (int)(out->raw.n > 200 ? 200 : out->raw.n);
        st_fail(e, code, "unable to parse '%.*s%s': %s", n, out->raw.p,
                out->raw.n > 200 ? "..." : "", reason);
    }
    return code;
}

/* -------------------------------------------------------------- tokens */

/* Decodes the escapes of set in [s, s+n) into the arena. */
static st_slice unescape(lp_parser *P, const char *s, size_t n, int set)
{
    char *o = st_arena_alloc(P->arena, n ? n : 1), *w = o;
    for (size_t i = 0; i < n; i++) {
        if (s[i] == '\\' && i + 1 < n && (cls[(uint8_t)s[i + 1]] & set)) i++;
        *w++ = s[i];
    }
    return st_slice_of(o, (size_t)(w - o));
}

/* Scans from *qp to the first unescaped byte of class stop (or le).
 * Returns true if the token had a backslash. */
static inline bool scan_token(const char **qp, const char *le, int stop)
{
    const char *q = *qp;
    bool esc = false;
#ifdef __SSE2__
    /* 16 bytes at a time while 16 remain before the line end: compare with
     * each special byte, take the first hit. */
    const __m128i vc = _mm_set1_epi8(','), vs = _mm_set1_epi8(' '), vb = _mm_set1_epi8('\\'),
                  ve = _mm_set1_epi8('=');
    while (le - q >= 16) {
        __m128i x = _mm_loadu_si128((const __m128i *)(const void *)q);
        __m128i m = _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(x, vc), _mm_cmpeq_epi8(x, vs)),
                                 _mm_cmpeq_epi8(x, vb));
        if (stop & C_EQ) m = _mm_or_si128(m, _mm_cmpeq_epi8(x, ve));
        unsigned bits = (unsigned)_mm_movemask_epi8(m);
        if (!bits) {
            q += 16;
            continue;
        }
        q += __builtin_ctz(bits);
        if (*q != '\\') {
            *qp = q;
            return esc;
        }
        esc = true;
        q += q + 1 < le ? 2 : 1;
    }
#endif
    int mask = stop | C_BSL;
    while (q < le) {
        int k = cls[(uint8_t)*q];
        if (!(k & mask)) {
            q++;
            continue;
        }
        if (!(k & C_BSL)) break;
        esc = true;
        q += q + 1 < le ? 2 : 1;
    }
    *qp = q;
    return esc;
}

static lp_field *push_field(lp_parser *P, size_t n)
{
    if (n == P->capfields) {
        P->capfields = P->capfields ? P->capfields * 2 : 16;
        P->fields = st_realloc(P->fields, P->capfields * sizeof *P->fields);
    }
    return &P->fields[n];
}

static label *push_tag(lp_parser *P, size_t n)
{
    if (n == P->captags) {
        P->captags = P->captags ? P->captags * 2 : 16;
        P->tags = st_realloc(P->tags, P->captags * sizeof *P->tags);
        P->tagpfx = st_realloc(P->tagpfx, P->captags * sizeof *P->tagpfx);
    }
    return &P->tags[n];
}

/* ------------------------------------------------------------- values */

static bool all_digits(const char *s, const char *e)
{
    if (s == e) return false;
    for (; s < e; s++)
        if (*s < '0' || *s > '9') return false;
    return true;
}

/* Eight ASCII digits at p (little-endian load) to their value, or -1 if
 * they are not all digits: the usual SWAR reduction, pairs then quads. */
static inline int64_t eight_digits(const char *p)
{
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
    uint64_t v;
    memcpy(&v, p, 8);
    if (((v & 0xf0f0f0f0f0f0f0f0ull) | (((v + 0x0606060606060606ull) & 0xf0f0f0f0f0f0f0f0ull) >> 4)) !=
        0x3333333333333333ull)
        return -1;
    v -= 0x3030303030303030ull;
    v = v * 10 + (v >> 8);
    v = (((v & 0x000000ff000000ffull) * (100 + (1000000ull << 32))) +
         (((v >> 16) & 0x000000ff000000ffull) * (1 + (10000ull << 32)))) >>
        32;
    return (int64_t)(uint32_t)v;
#else
    (void)p;
    return -1;
#endif
}

/* Digits [s, e) to uint64; false on overflow. 19 digits cannot overflow,
 * so only the ones after need the check. */
static bool parse_u64(const char *s, const char *e, uint64_t *out)
{
    uint64_t v = 0;
    const char *safe = e - s > 19 ? s + 19 : e;
    int64_t x;
    while (safe - s >= 8 && (x = eight_digits(s)) >= 0) {
        v = v * 100000000 + (uint64_t)x;
        s += 8;
    }
    for (; s < safe; s++) v = v * 10 + (unsigned)(*s - '0');
    for (; s < e; s++) {
        unsigned d = (unsigned)(*s - '0');
        if (v > (UINT64_MAX - d) / 10) return false;
        v = v * 10 + d;
    }
    *out = v;
    return true;
}

static int hexval(char c)
{
    return c >= '0' && c <= '9'   ? c - '0'
           : c >= 'a' && c <= 'f' ? c - 'a' + 10
           : c >= 'A' && c <= 'F' ? c - 'A' + 10
                                  : -1;
}

/* Strata's non-finite tokens. */
static bool parse_ext_float(const char *s, size_t n, uint64_t *bits)
{
    if (n == 3 && memcmp(s, "NaN", 3) == 0) {
        *bits = LP_NAN_BITS;
        return true;
    }
    if (n == 4 && memcmp(s, "+Inf", 4) == 0) {
        *bits = 0x7ff0000000000000ull;
        return true;
    }
    if (n == 4 && memcmp(s, "-Inf", 4) == 0) {
        *bits = 0xfff0000000000000ull;
        return true;
    }
    if (n == 23 && memcmp(s, "NaN(0x", 6) == 0 && s[22] == ')') {
        uint64_t v = 0;
        for (int i = 6; i < 22; i++) {
            int h = hexval(s[i]);
            if (h < 0) return false;
            v = v << 4 | (uint64_t)h;
        }
        if ((v & 0x7ff0000000000000ull) != 0x7ff0000000000000ull || !(v & 0xfffffffffffffull))
            return false; /* not a NaN */
        *bits = v;
        return true;
    }
    return false;
}

static int parse_number(cur *c, lp_line *out, st_err *e, const char *s, const char *t,
                        lp_field *f)
{
    size_t n = (size_t)(t - s);
    char last = t[-1];
    if (c->P->o.extensions && (*s == 'N' || *s == '+' || (*s == '-' && n > 1 && s[1] == 'I'))) {
        if (!parse_ext_float(s, n, &f->bits)) return fail(c, out, e, ST_EINVAL, "invalid number");
        f->type = ST_VT_FLOAT;
        return 0;
    }
    if (last == 'i') {
        const char *d = *s == '-' ? s + 1 : s;
        uint64_t v;
        if (!all_digits(d, t - 1)) return fail(c, out, e, ST_EINVAL, "invalid number");
        if (!parse_u64(d, t - 1, &v) || v > (uint64_t)INT64_MAX + (*s == '-'))
            return fail(c, out, e, ST_ERANGE, "unable to parse integer %.*s: value out of range",
                        (int)(n - 1), s);
        f->type = ST_VT_INT;
        f->bits = *s == '-' ? 0 - v : v;
        return 0;
    }
    if (last == 'u') {
        uint64_t v;
        if (!all_digits(s, t - 1)) return fail(c, out, e, ST_EINVAL, "invalid number");
        if (!parse_u64(s, t - 1, &v))
            return fail(c, out, e, ST_ERANGE,
                        "unable to parse unsigned %.*s: value out of range", (int)(n - 1), s);
        f->type = ST_VT_UINT;
        f->bits = v;
        return 0;
    }
    for (const char *q = s; q < t; q++) {
        char ch = *q;
        if (!((ch >= '0' && ch <= '9') || ch == '.' || ch == 'e' || ch == 'E' || ch == '-' ||
              ch == '+'))
            return fail(c, out, e, ST_EINVAL, "invalid number");
    }
    double v;
    int rc = json_parse_double(s, n, &v);
    if (rc == -1) return fail(c, out, e, ST_EINVAL, "invalid number");
    if (rc == -2) return fail(c, out, e, ST_ERANGE, "invalid float");
    f->type = ST_VT_FLOAT;
    memcpy(&f->bits, &v, 8);
    return 0;
}

/* The common float, d[.d] with at most 15 digits in all, read in the same
 * pass that finds its end: the digits fit a double exactly and so does
 * 10^frac, so one division rounds correctly. Anything else (exponent,
 * suffix, more digits, junk) returns false for the general path. */
static inline bool fast_float(const char **qp, const char *le, lp_field *f)
{
    static const double p10[16] = {1e0, 1e1, 1e2,  1e3,  1e4,  1e5,  1e6,  1e7,
                                   1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15};
    const char *q = *qp, *d0;
    bool neg = *q == '-';
    q += neg;
    uint64_t m = 0;
    d0 = q;
    while (q < le && (unsigned)(*q - '0') < 10) m = m * 10 + (unsigned)(*q++ - '0');
    long ni = q - d0, nf = 0;
    if (q < le && *q == '.') {
        const char *f0 = ++q;
        while (q < le && (unsigned)(*q - '0') < 10) m = m * 10 + (unsigned)(*q++ - '0');
        nf = q - f0;
    }
    if (ni + nf == 0 || ni + nf > 15 || (q < le && *q != ',' && *q != ' ')) return false;
    double v = (double)m / p10[nf];
    if (neg) v = -v;
    f->type = ST_VT_FLOAT;
    memcpy(&f->bits, &v, 8);
    *qp = q;
    return true;
}

static int parse_bool(cur *c, lp_line *out, st_err *e, const char *s, const char *t, lp_field *f)
{
    static const struct {
        const char *w;
        uint8_t v;
    } words[] = {{"t", 1},    {"T", 1},     {"true", 1},  {"True", 1},  {"TRUE", 1},
                 {"f", 0},    {"F", 0},     {"false", 0}, {"False", 0}, {"FALSE", 0}};
    size_t n = (size_t)(t - s);
    for (size_t i = 0; i < ST_ARRAY_LEN(words); i++)
        if (strlen(words[i].w) == n && memcmp(words[i].w, s, n) == 0) {
            f->type = ST_VT_BOOL;
            f->bits = words[i].v;
            return 0;
        }
    return fail(c, out, e, ST_EINVAL, "invalid boolean");
}

/* A quoted string starting at *qp (the opening quote). May extend the line
 * past newlines inside the quotes. */
static int parse_string(cur *c, lp_line *out, st_err *e, const char **qp, lp_field *f)
{
    lp_parser *P = c->P;
    const char *s = *qp + 1, *q = s;
    bool esc = false;
    for (;;) {
        while (q < c->nl && *q != '"' && *q != '\\') q++;
        if (q < c->nl && *q == '"') break;
        if (q < c->nl) { /* backslash */
            if (q + 1 < P->end && (q[1] == '"' || q[1] == '\\')) {
                esc = true;
                q += 2;
            } else {
                q++;
            }
            continue;
        }
        /* At the line end, inside the quotes: the value goes on. */
        if (c->nl >= P->end) return fail(c, out, e, ST_EINVAL, "unbalanced quotes");
        c->extra++;
        q = c->nl + 1;
        set_nl(c, find_nl(P->body, q, P->end, &c->extra));
    }
    f->type = ST_VT_STRING;
    f->bits = 0;
    f->str = esc ? unescape(P, s, (size_t)(q - s), ESC_STR) : st_slice_of(s, (size_t)(q - s));
    *qp = q + 1;
    return 0;
}

/* -------------------------------------------------------- tags, fields */

static int tag_cmp(const void *a, const void *b)
{
    return st_slice_cmp(((const label *)a)->name, ((const label *)b)->name);
}

/* The first 8 bytes of a key, big-endian and zero-padded: two keys whose
 * prefixes differ compare as their prefixes do, so most comparisons in the
 * sort below are one integer compare. */
static inline uint64_t prefix8(const lp_parser *P, st_slice s)
{
    uint64_t v = 0;
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
    /* one load when 8 bytes are there to read (keys without escapes lie in
     * the body; decoded ones in the arena take the loop) */
    if ((uintptr_t)s.p >= (uintptr_t)P->body && (uintptr_t)P->end - (uintptr_t)s.p >= 8) {
        memcpy(&v, s.p, 8);
        v = __builtin_bswap64(v);
        return s.n >= 8 ? v : v & (~0ull << (8 * (8 - s.n)));
    }
#endif
    size_t n = s.n < 8 ? s.n : 8;
    for (size_t i = 0; i < n; i++) v |= (uint64_t)(uint8_t)s.p[i] << (56 - 8 * i);
    return v;
}

static inline int tag_order(const label *t, const uint64_t *pf, size_t a, size_t b)
{
    if (pf[a] != pf[b]) return pf[a] < pf[b] ? -1 : 1;
    return st_slice_cmp(t[a].name, t[b].name);
}

/* Sorts the tags by key (most bodies send them sorted: one pass), and
 * rejects repeated keys as InfluxDB does. */
static int sort_tags(cur *c, lp_line *out, st_err *e, label *t, uint64_t *pf, size_t n)
{
    bool sorted = true;
    for (size_t i = 1; i < n; i++) {
        int r = tag_order(t, pf, i - 1, i);
        if (r == 0) return fail(c, out, e, ST_EINVAL, "duplicate tags");
        if (r > 0) sorted = false;
    }
    if (sorted) return 0;
    if (n <= 32) {
        for (size_t i = 1; i < n; i++) {
            label x = t[i];
            uint64_t xp = pf[i];
            size_t j = i;
            for (; j > 0 && (pf[j - 1] > xp || (pf[j - 1] == xp &&
                                                st_slice_cmp(t[j - 1].name, x.name) > 0));
                 j--) {
                t[j] = t[j - 1];
                pf[j] = pf[j - 1];
            }
            t[j] = x;
            pf[j] = xp;
        }
    } else {
        qsort(t, n, sizeof *t, tag_cmp);
        for (size_t i = 0; i < n; i++) pf[i] = prefix8(c->P, t[i].name);
    }
    for (size_t i = 1; i < n; i++)
        if (pf[i - 1] == pf[i] && st_slice_eq(t[i - 1].name, t[i].name))
            return fail(c, out, e, ST_EINVAL, "duplicate tags");
    return 0;
}

static int idx_cmp(const void *a, const void *b, void *arg)
{
    const lp_field *f = arg;
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
    int r = st_slice_cmp(f[x].key, f[y].key);
    return r ? r : (x < y ? -1 : 1);
}

/* Repeated field keys: the last value wins; differing types are an error.
 * A 256-bit filter on (length, last bytes) settles the common case without
 * comparing keys. */
static int dedupe_fields(cur *c, lp_line *out, st_err *e, lp_field *f, size_t *np)
{
    size_t n = *np;
    if (n < 2) return 0;
    uint64_t seen[4] = {0};
    bool maybe = false;
    for (size_t i = 0; i < n; i++) {
        const uint8_t *k = (const uint8_t *)f[i].key.p;
        size_t kn = f[i].key.n;
        unsigned h = (unsigned)(kn * 131u + k[kn - 1] * 31u + (kn > 1 ? k[kn - 2] : 0) * 7u +
                                k[0]) & 255u;
        if (seen[h >> 6] & (1ull << (h & 63))) maybe = true;
        seen[h >> 6] |= 1ull << (h & 63);
    }
    if (!maybe) return 0;
    lp_parser *P = c->P;
    if (P->capidx < n) {
        P->capidx = n;
        P->idx = st_realloc(P->idx, n * sizeof *P->idx);
    }
    uint32_t *ix = P->idx;
    for (size_t i = 0; i < n; i++) ix[i] = (uint32_t)i;
    qsort_r(ix, n, sizeof *ix, idx_cmp, f);
    bool any = false;
    for (size_t i = 0; i + 1 < n; i++) {
        if (!st_slice_eq(f[ix[i]].key, f[ix[i + 1]].key)) continue;
        if (f[ix[i]].type != f[ix[i + 1]].type)
            return fail(c, out, e, ST_EINVAL,
                        "field \"%.*s\" is specified more than once with conflicting types",
                        (int)(f[ix[i]].key.n > 100 ? 100 : f[ix[i]].key.n), f[ix[i]].key.p);
        f[ix[i]].type = 0; /* superseded by a later occurrence */
        any = true;
    }
    if (!any) return 0;
    size_t w = 0;
    for (size_t i = 0; i < n; i++)
        if (f[i].type) f[w++] = f[i];
    *np = w;
    return 0;
}

/* ---------------------------------------------------------------- points */

static inline bool blank(char ch) { return ch == ' ' || ch == '\t' || ch == '\0'; }

static int parse_point(cur *c, lp_line *out, st_err *e)
{
    lp_parser *P = c->P;
    const char *q = c->ls, *s;
    bool esc;

    /* measurement */
    if (*q == ',') return fail(c, out, e, ST_EINVAL, "missing measurement");
    s = q;
    esc = scan_token(&q, c->le, C_COMMA | C_SPACE);
    if (q >= c->le) return fail(c, out, e, ST_EINVAL, "missing fields");
    out->measurement =
        esc ? unescape(P, s, (size_t)(q - s), ESC_MEAS) : st_slice_of(s, (size_t)(q - s));

    /* tags */
    size_t nt = 0;
    if (*q == ',') {
        q++;
        for (;;) {
            s = q;
            if (q >= c->le || (cls[(uint8_t)*q] & (C_COMMA | C_SPACE | C_EQ)))
                return fail(c, out, e, ST_EINVAL, "missing tag key");
            esc = scan_token(&q, c->le, C_COMMA | C_SPACE | C_EQ);
            if (q >= c->le || *q != '=') return fail(c, out, e, ST_EINVAL, "missing tag value");
            label *t = push_tag(P, nt);
            t->name = esc ? unescape(P, s, (size_t)(q - s), ESC_KEY) : st_slice_of(s, (size_t)(q - s));
            P->tagpfx[nt] = prefix8(P, t->name);
            s = ++q;
            if (q >= c->le || (cls[(uint8_t)*q] & (C_COMMA | C_SPACE)))
                return fail(c, out, e, ST_EINVAL, "missing tag value");
            esc = scan_token(&q, c->le, C_COMMA | C_SPACE | C_EQ);
            if (q >= c->le) return fail(c, out, e, ST_EINVAL, "missing fields");
            if (*q == '=') return fail(c, out, e, ST_EINVAL, "invalid tag format");
            t->value = esc ? unescape(P, s, (size_t)(q - s), ESC_KEY) : st_slice_of(s, (size_t)(q - s));
            nt++;
            if (*q == ' ') break;
            q++; /* comma */
        }
    }
    size_t keylen = (size_t)(q - c->ls);
    out->key = st_slice_of(c->ls, keylen);
    if (keylen > LP_MAX_KEY)
        return fail(c, out, e, ST_EINVAL, "max key length exceeded: %zu > %d", keylen, LP_MAX_KEY);
    if (nt > 1 && sort_tags(c, out, e, P->tags, P->tagpfx, nt)) return ST_EINVAL;

    /* fields */
    while (q < c->le && blank(*q)) q++;
    if (q >= c->le) return fail(c, out, e, ST_EINVAL, "missing fields");
    size_t nf = 0;
    for (;;) {
        s = q;
        if (q < c->le && *q == '=') return fail(c, out, e, ST_EINVAL, "missing field key");
        esc = scan_token(&q, c->le, C_COMMA | C_SPACE | C_EQ);
        if (q >= c->le || *q != '=') return fail(c, out, e, ST_EINVAL, "invalid field format");
        if (keylen + 4 + (size_t)(q - s) > LP_MAX_KEY)
            return fail(c, out, e, ST_EINVAL, "max key length exceeded: %zu > %d",
                        keylen + 4 + (size_t)(q - s), LP_MAX_KEY);
        lp_field *f = push_field(P, nf);
        f->key = esc ? unescape(P, s, (size_t)(q - s), ESC_KEY) : st_slice_of(s, (size_t)(q - s));
        q++;
        if (q >= c->le || *q == ',' || *q == ' ')
            return fail(c, out, e, ST_EINVAL, "missing field value");
        char ch = *q;
        if (ch == '"') {
            if (parse_string(c, out, e, &q, f)) return ST_EINVAL;
        } else {
            if (((ch >= '0' && ch <= '9') || ch == '-') && fast_float(&q, c->le, f)) goto next;
            s = q;
            while (q < c->le && *q != ',' && *q != ' ') q++;
            int rc;
            if ((ch >= '0' && ch <= '9') || ch == '.' || ch == '-' || ch == 'N' || ch == 'n' ||
                (ch == '+' && P->o.extensions))
                rc = parse_number(c, out, e, s, q, f);
            else
                rc = parse_bool(c, out, e, s, q, f);
            if (rc) return rc;
        }
    next:
        nf++;
        if (q >= c->le || *q == ' ') break;
        if (*q != ',') return fail(c, out, e, ST_EINVAL, "invalid field format");
        q++;
    }
    if (dedupe_fields(c, out, e, P->fields, &nf)) return ST_EINVAL;

    /* timestamp */
    out->has_ts = false;
    out->ts = 0;
    while (q < c->le && blank(*q)) q++;
    if (q < c->le) {
        s = q;
        bool neg = *q == '-';
        if (neg) q++;
        const char *d = q;
        while (c->le - q >= 8 && eight_digits(q) >= 0) q += 8;
        while (q < c->le && (unsigned)(*q - '0') < 10) q++;
        if (q == d || (q < c->le && *q != ' ')) return fail(c, out, e, ST_EINVAL, "bad timestamp");
        for (const char *r = q; r < c->le; r++)
            if (*r != ' ') return fail(c, out, e, ST_EINVAL, "point is invalid");
        uint64_t u;
        int64_t ts;
        bool ext = P->o.extensions;
        if (!parse_u64(d, q, &u) || u > (uint64_t)INT64_MAX + neg ||
            __builtin_mul_overflow(neg ? (int64_t)(0 - u) : (int64_t)u, P->mult, &ts) ||
            (!ext && (ts < MIN_NANO_TIME || ts > MAX_NANO_TIME)))
            return fail(c, out, e, ST_ERANGE, "time outside range %lld - %lld",
                        ext ? (long long)INT64_MIN : (long long)MIN_NANO_TIME,
                        ext ? (long long)INT64_MAX : (long long)MAX_NANO_TIME);
        out->has_ts = true;
        out->ts = ts;
    }

    out->tags = P->tags;
    out->ntags = nt;
    out->fields = P->fields;
    out->nfields = nf;
    out->lineno = P->lineno;
    out->raw = st_slice_of(c->ls, (size_t)(c->le - c->ls));
    P->p = c->nl < P->end ? c->nl + 1 : P->end;
    P->lineno += 1 + c->extra;
    return 0;
}

int lp_next(lp_parser *P, lp_line *out, st_err *e)
{
    for (;;) {
        const char *q = P->p, *end = P->end;
        while (q < end && blank(*q)) q++;
        if (q >= end) {
            P->p = end;
            return 0;
        }
        if (*q == '\n' || (*q == '\r' && (q + 1 == end || q[1] == '\n'))) {
            P->p = q + (*q == '\r' ? 2 : 1);
            if (P->p > end) P->p = end;
            P->lineno++;
            continue;
        }
        if (*q == '#') {
            const char *nl = memchr(q, '\n', (size_t)(end - q));
            P->p = nl ? nl + 1 : end;
            P->lineno++;
            continue;
        }
        cur c = {.P = P, .ls = q, .extra = 0};
        set_nl(&c, find_nl(P->body, q, end, &c.extra));
        int rc = parse_point(&c, out, e);
        return rc ? rc : 1;
    }
}

/* ---------------------------------------------------------------- writing */

bool lp_measurement_ok(st_slice s)
{
    if (!s.n || s.p[0] == '#' || s.p[0] == '\t' || s.p[0] == '\0') return false;
    return memchr(s.p, '\n', s.n) == NULL;
}

bool lp_key_ok(st_slice s) { return s.n && memchr(s.p, '\n', s.n) == NULL; }

bool lp_field_key_ok(st_slice s) { return lp_key_ok(s) && s.p[0] != '\t' && s.p[0] != '\0'; }

/* Escapes the bytes of class set; a backslash is doubled when the next
 * byte is one it would escape (or a backslash), or when it is the last. */
static void write_escaped(st_buf *b, st_slice s, int set)
{
    const char *p = s.p;
    size_t n = s.n, run = 0;
    st_buf_reserve(b, n);
    for (size_t i = 0; i < n; i++) {
        uint8_t ch = (uint8_t)p[i];
        int k = cls[ch];
        if (!(k & set)) continue;
        if (k & C_BSL) {
            if (i + 1 < n && !(cls[(uint8_t)p[i + 1]] & set)) continue;
        }
        st_buf_put(b, p + run, i - run);
        st_buf_putc(b, '\\');
        run = i;
    }
    st_buf_put(b, p + run, n - run);
}

void lp_write_measurement(st_buf *b, st_slice s) { write_escaped(b, s, ESC_MEAS); }
void lp_write_key(st_buf *b, st_slice s) { write_escaped(b, s, ESC_KEY); }

void lp_write_string(st_buf *b, st_slice s)
{
    st_buf_reserve(b, s.n + 2);
    st_buf_putc(b, '"');
    size_t run = 0;
    for (size_t i = 0; i < s.n; i++) {
        if (s.p[i] != '"' && s.p[i] != '\\') continue;
        st_buf_put(b, s.p + run, i - run);
        st_buf_putc(b, '\\');
        run = i;
    }
    st_buf_put(b, s.p + run, s.n - run);
    st_buf_putc(b, '"');
}

bool lp_write_float(st_buf *b, uint64_t bits)
{
    double v;
    memcpy(&v, &bits, 8);
    if ((bits & 0x7ff0000000000000ull) != 0x7ff0000000000000ull) {
        json_float_prom(b, v);
        return true;
    }
    if (bits == 0x7ff0000000000000ull) {
        st_buf_put(b, "+Inf", 4);
    } else if (bits == 0xfff0000000000000ull) {
        st_buf_put(b, "-Inf", 4);
    } else if (bits == LP_NAN_BITS) {
        st_buf_put(b, "NaN", 3);
    } else {
        st_buf_printf(b, "NaN(0x%016llx)", (unsigned long long)bits);
    }
    return false;
}

void lp_write_int(st_buf *b, int64_t v)
{
    json_int(b, v);
    st_buf_putc(b, 'i');
}

void lp_write_uint(st_buf *b, uint64_t v)
{
    json_uint(b, v);
    st_buf_putc(b, 'u');
}

void lp_write_bool(st_buf *b, bool v)
{
    if (v) st_buf_put(b, "true", 4);
    else st_buf_put(b, "false", 5);
}
