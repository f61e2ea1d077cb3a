/* fn_str: SQL's string and regexp functions (UTF-8, code point positions; regexps by PCRE2). */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE /* arc4random, memmem */
#endif
#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>
#include <inttypes.h>
#include <string.h>

#include "sql/fn_int.h"

#define NEXT(s, n, i) sql_fn_utf8_next((s), (n), (i))

static size_t count_cp(st_slice s)
{
    size_t i = 0, n = 0;
    while (i < s.n) NEXT(s.p, s.n, &i), n++;
    return n;
}

/* Byte offset of code point k (0-based) from byte `from`; s.n when past the end. */
static size_t offset_of(st_slice s, size_t from, uint64_t k)
{
    size_t i = from;
    while (k-- && i < s.n) NEXT(s.p, s.n, &i);
    return i;
}

static sql_value str_of(const char *p, size_t n) { return sqlv_str(st_slice_of(p, n)); }

static int fn_length(sx_ctx *c, const sx *x, const sql_value *v, sql_value *out)
{
    (void)c, (void)x;
    *out = sqlv_int(SQLT_BIGINT, (int64_t)count_cp(v[0].u.s));
    return 0;
}

/* Case mapping for ASCII, Latin-1, Latin Extended-A, Greek and Cyrillic:
 * the scripts where a one-to-one mapping is the whole story. */
static uint32_t to_lower(uint32_t c)
{
    if (c < 0x80) return c >= 'A' && c <= 'Z' ? c + 32 : c;
    if ((c >= 0xc0 && c <= 0xde && c != 0xd7) || (c >= 0x391 && c <= 0x3ab && c != 0x3a2) ||
        (c >= 0x410 && c <= 0x42f))
        return c + 32;
    if (c >= 0x400 && c <= 0x40f) return c + 80;
    if (((c >= 0x100 && c <= 0x137) || (c >= 0x14a && c <= 0x177)) && !(c & 1)) return c + 1;
    if (c >= 0x139 && c <= 0x148 && (c & 1)) return c + 1;
    if (c == 0x178) return 0xff;
    if (c == 0x179 || c == 0x17b || c == 0x17d) return c + 1;
    return c;
}

static uint32_t to_upper(uint32_t c)
{
    if (c < 0x80) return c >= 'a' && c <= 'z' ? c - 32 : c;
    if ((c >= 0xe0 && c <= 0xfe && c != 0xf7) || (c >= 0x3b1 && c <= 0x3cb && c != 0x3c2) ||
        (c >= 0x430 && c <= 0x44f))
        return c - 32;
    if (c >= 0x450 && c <= 0x45f) return c - 80;
    if (((c >= 0x101 && c <= 0x137) || (c >= 0x14b && c <= 0x177)) && (c & 1)) return c - 1;
    if (c >= 0x13a && c <= 0x148 && !(c & 1)) return c - 1;
    if (c == 0xff) return 0x178;
    if (c == 0x17a || c == 0x17c || c == 0x17e) return c - 1;
    return c;
}

static int fn_case(sx_ctx *c, const sx *x, const sql_value *v, sql_value *out)
{
    st_slice s = v[0].u.s;
    char *o = sql_fn_alloc(c, s.n + 4);
    size_t i = 0, k = 0;
    while (i < s.n) {
        size_t at = i;
        uint32_t cp = NEXT(s.p, s.n, &i);
        uint32_t m = x->op ? to_upper(cp) : to_lower(cp);
        if (m == cp) {
            /* copied as is: keeps invalid bytes intact */
            memcpy(o + k, s.p + at, i - at);
            k += i - at;
        } else {
            /* every mapped pair above has the same encoded length */
            k += sql_fn_utf8_put(m, o + k);
        }
    }
    *out = str_of(o, k);
    return 0;
}

static int fn_substr(sx_ctx *c, const sx *x, const sql_value *v, sql_value *out)
{
    (void)c;
    st_slice s = v[0].u.s;
    int64_t start = v[1].u.i, len = x->nargs > 2 ? v[2].u.i : INT64_MAX;
    *out = str_of(s.p, 0);
    if (start == 0 || len <= 0 || s.n == 0) return 0;
    size_t from;
    if (start > 0) {
        from = offset_of(s, 0, (uint64_t)start - 1);
        if (from >= s.n) return 0;
    } else {
        uint64_t n = count_cp(s), back = start == INT64_MIN ? UINT64_MAX : (uint64_t)-start;
        if (back > n) return 0;
        from = offset_of(s, 0, n - back);
    }
    size_t to = offset_of(s, from, (uint64_t)len);
    *out = str_of(s.p + from, to - from);
    return 0;
}

static int fn_replace(sx_ctx *c, const sx *x, const sql_value *v, sql_value *out)
{
    st_slice s = v[0].u.s, a = v[1].u.s, b = x->nargs > 2 ? v[2].u.s : st_slice_of("", 0);
    st_buf o = {0};
    if (a.n == 0) {
        /* an empty search string matches before every character and at the end */
        size_t i = 0;
        st_buf_put(&o, b.p, b.n);
        while (i < s.n) {
            size_t at = i;
            NEXT(s.p, s.n, &i);
            st_buf_put(&o, s.p + at, i - at);
            st_buf_put(&o, b.p, b.n);
        }
    } else {
        size_t i = 0;
        while (i < s.n) {
            const char *hit = i + a.n <= s.n ? memmem(s.p + i, s.n - i, a.p, a.n) : NULL;
            if (!hit) break;
            st_buf_put(&o, s.p + i, (size_t)(hit - (s.p + i)));
            st_buf_put(&o, b.p, b.n);
            i = (size_t)(hit - s.p) + a.n;
        }
        st_buf_put(&o, s.p + i, s.n - i);
    }
    *out = sql_fn_buf_value(c, &o);
    return 0;
}

static int fn_reverse(sx_ctx *c, const sx *x, const sql_value *v, sql_value *out)
{
    (void)x;
    st_slice s = v[0].u.s;
    char *o = sql_fn_alloc(c, s.n);
    size_t i = 0;
    while (i < s.n) {
        size_t at = i;
        NEXT(s.p, s.n, &i);
        memcpy(o + s.n - i, s.p + at, i - at);
    }
    *out = str_of(o, s.n);
    return 0;
}

/* Java's Character.isWhitespace for the code points Trino's trim removes. */
static bool is_ws(uint32_t c)
{
    return c == ' ' || (c >= 0x09 && c <= 0x0d) || (c >= 0x1c && c <= 0x1f) || c == 0x1680 ||
           (c >= 0x2000 && c <= 0x2006) || (c >= 0x2008 && c <= 0x200a) || c == 0x2028 || c == 0x2029 ||
           c == 0x205f || c == 0x3000;
}

static bool in_set(uint32_t cp, st_slice set)
{
    size_t i = 0;
    while (i < set.n)
        if (NEXT(set.p, set.n, &i) == cp) return true;
    return false;
}

/* op: 1 left, 2 right, 3 both */
static int fn_trim(sx_ctx *c, const sx *x, const sql_value *v, sql_value *out)
{
    (void)c;
    st_slice s = v[0].u.s;
    bool set = x->nargs > 1;
    size_t from = 0, to = s.n;
    if (x->op & 1)
        while (from < to) {
            size_t i = from;
            uint32_t cp = NEXT(s.p, s.n, &i);
            if (set ? !in_set(cp, v[1].u.s) : !is_ws(cp)) break;
            from = i;
        }
    if (x->op & 2)
        while (to > from) {
            size_t st = to - 1;
            while (st > from && ((unsigned char)s.p[st] & 0xc0) == 0x80 && to - st < 4) st--;
            size_t i = st;
            uint32_t cp = NEXT(s.p, s.n, &i);
            if (i != to) st = to - 1, i = st, cp = NEXT(s.p, s.n, &i); /* not one sequence: the last byte alone */
            if (set ? !in_set(cp, v[1].u.s) : !is_ws(cp)) break;
            to = st;
        }
    *out = str_of(s.p + from, to - from);
    return 0;
}

/* op: 0 lpad, 1 rpad */
static int fn_pad(sx_ctx *c, const sx *x, const sql_value *v, sql_value *out)
{
    st_slice s = v[0].u.s, pad = v[2].u.s;
    int64_t size = v[1].u.i;
    if (size < 0 || size > INT32_MAX)
        return st_fail(c->e, ST_EINVAL, "Target length must be in the range [0..%d]", INT32_MAX);
    if (pad.n == 0) return st_fail(c->e, ST_EINVAL, "Padding string must not be empty");
    size_t n = count_cp(s);
    if ((uint64_t)size <= n) {
        *out = str_of(s.p, offset_of(s, 0, (uint64_t)size));
        return 0;
    }
    uint64_t need = (uint64_t)size - n;
    if (need * 4 + s.n > (64u << 20)) return st_fail(c->e, ST_EINVAL, "%s result too large", x->op ? "rpad" : "lpad");
    st_buf o = {0};
    if (x->op) st_buf_put(&o, s.p, s.n);
    size_t pi = 0;
    for (uint64_t k = 0; k < need; k++) {
        size_t at = pi;
        NEXT(pad.p, pad.n, &pi);
        st_buf_put(&o, pad.p + at, pi - at);
        if (pi >= pad.n) pi = 0;
    }
    if (!x->op) st_buf_put(&o, s.p, s.n);
    *out = sql_fn_buf_value(c, &o);
    return 0;
}

/* strpos(s, sub[, instance]): a negative instance counts matches from the end. */
static int fn_strpos(sx_ctx *c, const sx *x, const sql_value *v, sql_value *out)
{
    st_slice s = v[0].u.s, sub = v[1].u.s;
    int64_t inst = x->nargs > 2 ? v[2].u.i : 1;
    if (inst == 0) return st_fail(c->e, ST_EINVAL, "'instance' must be a positive or negative number.");
    if (sub.n == 0) {
        *out = sqlv_int(SQLT_BIGINT, 1);
        return 0;
    }
    *out = sqlv_int(SQLT_BIGINT, 0);
    if (sub.n > s.n) return 0;
    if (inst > 0) {
        size_t i = 0;
        for (;;) {
            const char *hit = i + sub.n <= s.n ? memmem(s.p + i, s.n - i, sub.p, sub.n) : NULL;
            if (!hit) return 0;
            if (--inst == 0) {
                *out = sqlv_int(SQLT_BIGINT, (int64_t)count_cp(st_slice_of(s.p, (size_t)(hit - s.p))) + 1);
                return 0;
            }
            i = (size_t)(hit - s.p) + 1;
        }
    }
    for (size_t at = s.n - sub.n + 1; at-- > 0;) {
        if (memcmp(s.p + at, sub.p, sub.n)) continue;
        if (++inst == 0) {
            *out = sqlv_int(SQLT_BIGINT, (int64_t)count_cp(st_slice_of(s.p, at)) + 1);
            return 0;
        }
    }
    return 0;
}

static int fn_starts_with(sx_ctx *c, const sx *x, const sql_value *v, sql_value *out)
{
    (void)c, (void)x;
    st_slice s = v[0].u.s, p = v[1].u.s;
    *out = sqlv_bool(p.n <= s.n && !memcmp(s.p, p.p, p.n));
    return 0;
}

static int fn_split_part(sx_ctx *c, const sx *x, const sql_value *v, sql_value *out)
{
    (void)x;
    st_slice s = v[0].u.s, d = v[1].u.s;
    int64_t part = v[2].u.i;
    if (part <= 0) return st_fail(c->e, ST_EINVAL, "Index must be greater than zero");
    if (d.n == 0) {
        /* an empty delimiter splits between every two characters */
        size_t from = offset_of(s, 0, (uint64_t)part - 1), to = from;
        if (from >= s.n) {
            *out = sqlv_null(SQLT_VARCHAR);
            return 0;
        }
        NEXT(s.p, s.n, &to);
        *out = str_of(s.p + from, to - from);
        return 0;
    }
    size_t from = 0;
    for (int64_t k = 1;; k++) {
        const char *hit = from + d.n <= s.n ? memmem(s.p + from, s.n - from, d.p, d.n) : NULL;
        size_t end = hit ? (size_t)(hit - s.p) : s.n;
        if (k == part) {
            *out = str_of(s.p + from, end - from);
            return 0;
        }
        if (!hit) break;
        from = end + d.n;
    }
    *out = sqlv_null(SQLT_VARCHAR);
    return 0;
}

static int fn_chr(sx_ctx *c, const sx *x, const sql_value *v, sql_value *out)
{
    (void)x;
    int64_t cp = v[0].u.i;
    if (cp < 0 || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
        return st_fail(c->e, ST_EINVAL, "Not a valid Unicode code point: %" PRId64, cp);
    char *o = sql_fn_alloc(c, 4);
    *out = str_of(o, sql_fn_utf8_put((uint32_t)cp, o));
    return 0;
}

static int fn_codepoint(sx_ctx *c, const sx *x, const sql_value *v, sql_value *out)
{
    (void)x;
    st_slice s = v[0].u.s;
    size_t i = 0;
    uint32_t cp = s.n ? NEXT(s.p, s.n, &i) : 0;
    if (s.n == 0 || i != s.n)
        return st_fail(c->e, ST_EINVAL, "Input string must be a single character string");
    *out = sqlv_int(SQLT_BIGINT, cp);
    return 0;
}

static int fn_levenshtein(sx_ctx *c, const sx *x, const sql_value *v, sql_value *out)
{
    (void)x;
    st_slice a = v[0].u.s, b = v[1].u.s;
    size_t na = count_cp(a), nb = count_cp(b);
    if (na == 0 || nb == 0) {
        *out = sqlv_int(SQLT_BIGINT, (int64_t)(na + nb));
        return 0;
    }
    if ((uint64_t)(na > nb ? na : nb) * ((na < nb ? na : nb) - 1) > 1000000)
        return st_fail(c->e, ST_EINVAL, "The combined inputs for Levenshtein distance are too large");
    uint32_t *ca = st_arena_alloc(c->a, na * 4), *cb = st_arena_alloc(c->a, nb * 4);
    size_t *row = st_arena_alloc(c->a, (nb + 1) * sizeof *row);
    size_t i = 0, k = 0;
    while (i < a.n) ca[k++] = NEXT(a.p, a.n, &i);
    i = 0, k = 0;
    while (i < b.n) cb[k++] = NEXT(b.p, b.n, &i);
    for (size_t j = 0; j <= nb; j++) row[j] = j;
    for (size_t r = 1; r <= na; r++) {
        size_t diag = row[0];
        row[0] = r;
        for (size_t j = 1; j <= nb; j++) {
            size_t up = row[j];
            size_t best = diag + (ca[r - 1] != cb[j - 1]);
            if (up + 1 < best) best = up + 1;
            if (row[j - 1] + 1 < best) best = row[j - 1] + 1;
            row[j] = best;
            diag = up;
        }
    }
    *out = sqlv_int(SQLT_BIGINT, (int64_t)row[nb]);
    return 0;
}

static int fn_hamming(sx_ctx *c, const sx *x, const sql_value *v, sql_value *out)
{
    (void)x;
    st_slice a = v[0].u.s, b = v[1].u.s;
    size_t i = 0, j = 0;
    int64_t d = 0;
    while (i < a.n && j < b.n) d += NEXT(a.p, a.n, &i) != NEXT(b.p, b.n, &j);
    if (i != a.n || j != b.n)
        return st_fail(c->e, ST_EINVAL, "The input strings to hamming_distance function must have the same length");
    *out = sqlv_int(SQLT_BIGINT, d);
    return 0;
}

/* ---- regexps ---- */

#define RX_MATCH_LIMIT 5000000u
#define RX_HEAP_LIMIT_KB 65536u

/* A compiled pattern kept on the node across rows: recompiled only when the
 * pattern changes (it is constant in nearly every query). */
typedef struct rx {
    sql_fn_aux base;
    char *pat;
    size_t n;
    pcre2_code *re;
    pcre2_match_data *md;
    pcre2_match_context *mc;
    uint32_t ncap;
} rx;

static void rx_clear(rx *r)
{
    pcre2_match_data_free(r->md);
    pcre2_code_free(r->re);
    pcre2_match_context_free(r->mc);
    st_free(r->pat);
    r->pat = NULL, r->md = NULL, r->re = NULL, r->mc = NULL;
}

static void rx_free(sql_fn_aux *a)
{
    rx_clear((rx *)a);
    st_free(a);
}

static int rx_get(sx_ctx *c, const sx *x, st_slice pat, rx **out)
{
    /* the node is the query's own (one thread): caching on it through the
     * const pointer is how exec.h means aux to be used */
    sx *node = (sx *)x;
    rx *r = node->aux;
    if (r && r->re && r->n == pat.n && !memcmp(r->pat, pat.p, pat.n)) {
        *out = r;
        return 0;
    }
    if (!r) {
        r = st_calloc(1, sizeof *r);
        r->base.free = rx_free;
        node->aux = r;
    }
    rx_clear(r);
    int err;
    PCRE2_SIZE off;
    r->re = pcre2_compile((PCRE2_SPTR)pat.p, pat.n, PCRE2_UTF | PCRE2_MATCH_INVALID_UTF, &err, &off, NULL);
    if (!r->re) {
        PCRE2_UCHAR msg[256];
        pcre2_get_error_message(err, msg, sizeof msg);
        return st_fail(c->e, ST_EINVAL, "Invalid regular expression '%.*s': %s at offset %zu", (int)pat.n, pat.p,
                       (const char *)msg, (size_t)off);
    }
    r->pat = st_strndup(pat.p, pat.n);
    r->n = pat.n;
    r->md = pcre2_match_data_create_from_pattern(r->re, NULL);
    r->mc = pcre2_match_context_create(NULL);
    pcre2_set_match_limit(r->mc, RX_MATCH_LIMIT);
    pcre2_set_heap_limit(r->mc, RX_HEAP_LIMIT_KB);
    pcre2_pattern_info(r->re, PCRE2_INFO_CAPTURECOUNT, &r->ncap);
    *out = r;
    return 0;
}

/* Next match at or after byte `from`: 1 with *ov set, 0 none, <0 error. */
static int rx_find(sx_ctx *c, rx *r, st_slice s, size_t from, PCRE2_SIZE **ov)
{
    int rc = pcre2_match(r->re, (PCRE2_SPTR)s.p, s.n, from, 0, r->md, r->mc);
    if (rc == PCRE2_ERROR_NOMATCH) return 0;
    if (rc == PCRE2_ERROR_MATCHLIMIT || rc == PCRE2_ERROR_HEAPLIMIT || rc == PCRE2_ERROR_DEPTHLIMIT)
        return st_fail(c->e, ST_EINVAL, "regexp match exceeded its limit");
    if (rc < 0) {
        PCRE2_UCHAR msg[256];
        pcre2_get_error_message(rc, msg, sizeof msg);
        return st_fail(c->e, ST_EINVAL, "regexp match failed: %s", (const char *)msg);
    }
    *ov = pcre2_get_ovector_pointer(r->md);
    return 1;
}

/* Where the search after a match [ms, me) resumes: past an empty match by one
 * code point, as Java's Matcher.find does. */
static size_t rx_after(st_slice s, size_t ms, size_t me)
{
    if (me > ms) return me;
    size_t i = me;
    if (i < s.n) NEXT(s.p, s.n, &i);
    else i = s.n + 1;
    return i;
}

static int fn_regexp_like(sx_ctx *c, const sx *x, const sql_value *v, sql_value *out)
{
    rx *r;
    PCRE2_SIZE *ov = NULL;
    int rc = rx_get(c, x, v[1].u.s, &r);
    if (rc) return rc;
    if ((rc = rx_find(c, r, v[0].u.s, 0, &ov)) < 0) return rc;
    *out = sqlv_bool(rc == 1);
    return 0;
}

static int fn_regexp_count(sx_ctx *c, const sx *x, const sql_value *v, sql_value *out)
{
    rx *r;
    PCRE2_SIZE *ov = NULL;
    st_slice s = v[0].u.s;
    int rc = rx_get(c, x, v[1].u.s, &r);
    if (rc) return rc;
    int64_t n = 0;
    size_t from = 0;
    while (from <= s.n && (rc = rx_find(c, r, s, from, &ov)) == 1) {
        n++;
        from = rx_after(s, ov[0], ov[1]);
    }
    if (rc < 0) return rc;
    *out = sqlv_int(SQLT_BIGINT, n);
    return 0;
}

static int check_group(sx_ctx *c, rx *r, int64_t g)
{
    if (g < 0) return st_fail(c->e, ST_EINVAL, "Group cannot be negative");
    if (g > r->ncap)
        return st_fail(c->e, ST_EINVAL, "Pattern has %u groups. Cannot access group %" PRId64, r->ncap, g);
    return 0;
}

static int fn_regexp_extract(sx_ctx *c, const sx *x, const sql_value *v, sql_value *out)
{
    rx *r;
    PCRE2_SIZE *ov = NULL;
    int64_t g = x->nargs > 2 ? v[2].u.i : 0;
    int rc = rx_get(c, x, v[1].u.s, &r);
    if (rc) return rc;
    if ((rc = check_group(c, r, g))) return rc;
    if ((rc = rx_find(c, r, v[0].u.s, 0, &ov)) < 0) return rc;
    if (rc == 0 || ov[2 * g] == PCRE2_UNSET) {
        *out = sqlv_null(SQLT_VARCHAR);
        return 0;
    }
    *out = str_of(v[0].u.s.p + ov[2 * g], ov[2 * g + 1] - ov[2 * g]);
    return 0;
}

/* Appends the replacement for one match, read as Trino reads it: $n (the
 * longest group number that exists, as Java reads $12) and ${name} are
 * groups, a backslash makes the next character literal. */
static int put_replacement(sx_ctx *c, rx *r, st_slice s, const PCRE2_SIZE *ov, st_slice rep, st_buf *o)
{
#define ILLEGAL() \
    st_fail(c->e, ST_EINVAL, "Illegal replacement sequence: %.*s", (int)rep.n, rep.p)
    for (size_t i = 0; i < rep.n; i++) {
        char ch = rep.p[i];
        if (ch == '\\') {
            if (++i == rep.n) return ILLEGAL();
            st_buf_putc(o, (uint8_t)rep.p[i]);
            continue;
        }
        if (ch != '$') {
            st_buf_putc(o, (uint8_t)ch);
            continue;
        }
        if (++i == rep.n) return ILLEGAL();
        int64_t g;
        if (rep.p[i] == '{') {
            size_t j = i + 1;
            while (j < rep.n && rep.p[j] != '}') j++;
            char name[128];
            size_t nl = j - i - 1 < sizeof name - 1 ? j - i - 1 : sizeof name - 1;
            memcpy(name, rep.p + i + 1, nl);
            name[nl] = 0;
            int num = nl ? pcre2_substring_number_from_name(r->re, (PCRE2_SPTR)name) : -1;
            if (num < 0) return st_fail(c->e, ST_EINVAL, "Illegal replacement sequence: unknown group { %s }", name);
            g = num;
            i = j;
        } else if (rep.p[i] >= '0' && rep.p[i] <= '9') {
            g = rep.p[i] - '0';
            if (g > r->ncap) return st_fail(c->e, ST_EINVAL, "Illegal replacement sequence: unknown group %" PRId64, g);
            while (i + 1 < rep.n && rep.p[i + 1] >= '0' && rep.p[i + 1] <= '9' &&
                   g * 10 + (rep.p[i + 1] - '0') <= r->ncap)
                g = g * 10 + (rep.p[++i] - '0');
        } else {
            return ILLEGAL();
        }
        if (ov[2 * g] != PCRE2_UNSET) st_buf_put(o, s.p + ov[2 * g], ov[2 * g + 1] - ov[2 * g]);
    }
    return 0;
#undef ILLEGAL
}

static int fn_regexp_replace(sx_ctx *c, const sx *x, const sql_value *v, sql_value *out)
{
    rx *r;
    PCRE2_SIZE *ov = NULL;
    st_slice s = v[0].u.s, rep = x->nargs > 2 ? v[2].u.s : st_slice_of("", 0);
    int rc = rx_get(c, x, v[1].u.s, &r);
    if (rc) return rc;
    st_buf o = {0};
    size_t from = 0, copied = 0;
    while (from <= s.n && (rc = rx_find(c, r, s, from, &ov)) == 1) {
        size_t ms = ov[0], me = ov[1];
        st_buf_put(&o, s.p + copied, ms - copied);
        if ((rc = put_replacement(c, r, s, ov, rep, &o))) break;
        copied = me;
        from = rx_after(s, ms, me);
    }
    if (rc < 0) {
        st_buf_free(&o);
        return rc;
    }
    st_buf_put(&o, s.p + copied, s.n - copied);
    *out = sql_fn_buf_value(c, &o);
    return 0;
}

/* regexp_position(s, p[, start[, occurrence]]): the 1-based code point where
 * the occurrence-th match at or after start begins, -1 when none. */
static int fn_regexp_position(sx_ctx *c, const sx *x, const sql_value *v, sql_value *out)
{
    rx *r;
    PCRE2_SIZE *ov = NULL;
    st_slice s = v[0].u.s;
    int64_t start = x->nargs > 2 ? v[2].u.i : 1, occ = x->nargs > 3 ? v[3].u.i : 1;
    if (start < 1) return st_fail(c->e, ST_EINVAL, "start position cannot be smaller than 1");
    if (occ < 1) return st_fail(c->e, ST_EINVAL, "occurrence cannot be smaller than 1");
    int rc = rx_get(c, x, v[1].u.s, &r);
    if (rc) return rc;
    if ((uint64_t)start > count_cp(s)) {
        *out = sqlv_int(SQLT_BIGINT, -1);
        return 0;
    }
    size_t from = offset_of(s, 0, (uint64_t)start - 1);
    while (from <= s.n && (rc = rx_find(c, r, s, from, &ov)) == 1) {
        if (--occ == 0) {
            *out = sqlv_int(SQLT_BIGINT, (int64_t)count_cp(st_slice_of(s.p, ov[0])) + 1);
            return 0;
        }
        from = rx_after(s, ov[0], ov[1]);
    }
    if (rc < 0) return rc;
    *out = sqlv_int(SQLT_BIGINT, -1);
    return 0;
}

const sql_fn_entry sql_fn_str_tab[] = {
    {"length", fn_length, 0, FT_I, 1, {FT_V}, 0},
    {"lower", fn_case, 0, FT_V, 1, {FT_V}, 0},
    {"upper", fn_case, 1, FT_V, 1, {FT_V}, 0},
    {"substr", fn_substr, 0, FT_V, 2, {FT_V, FT_I}, 0},
    {"substr", fn_substr, 0, FT_V, 3, {FT_V, FT_I, FT_I}, 0},
    {"substring", fn_substr, 0, FT_V, 2, {FT_V, FT_I}, 0},
    {"substring", fn_substr, 0, FT_V, 3, {FT_V, FT_I, FT_I}, 0},
    {"replace", fn_replace, 0, FT_V, 2, {FT_V, FT_V}, 0},
    {"replace", fn_replace, 0, FT_V, 3, {FT_V, FT_V, FT_V}, 0},
    {"reverse", fn_reverse, 0, FT_V, 1, {FT_V}, 0},
    {"ltrim", fn_trim, 1, FT_V, 1, {FT_V}, 0},
    {"rtrim", fn_trim, 2, FT_V, 1, {FT_V}, 0},
    {"trim", fn_trim, 3, FT_V, 1, {FT_V}, 0},
    {"ltrim", fn_trim, 1, FT_V, 2, {FT_V, FT_V}, 0},
    {"rtrim", fn_trim, 2, FT_V, 2, {FT_V, FT_V}, 0},
    {"trim", fn_trim, 3, FT_V, 2, {FT_V, FT_V}, 0},
    {"lpad", fn_pad, 0, FT_V, 3, {FT_V, FT_I, FT_V}, 0},
    {"rpad", fn_pad, 1, FT_V, 3, {FT_V, FT_I, FT_V}, 0},
    {"strpos", fn_strpos, 0, FT_I, 2, {FT_V, FT_V}, 0},
    {"strpos", fn_strpos, 0, FT_I, 3, {FT_V, FT_V, FT_I}, 0},
    {"starts_with", fn_starts_with, 0, FT_B, 2, {FT_V, FT_V}, 0},
    {"split_part", fn_split_part, 0, FT_V, 3, {FT_V, FT_V, FT_I}, 0},
    {"chr", fn_chr, 0, FT_V, 1, {FT_I}, 0},
    {"codepoint", fn_codepoint, 0, FT_I, 1, {FT_V}, 0},
    {"levenshtein_distance", fn_levenshtein, 0, FT_I, 2, {FT_V, FT_V}, 0},
    {"hamming_distance", fn_hamming, 0, FT_I, 2, {FT_V, FT_V}, 0},
    {"regexp_like", fn_regexp_like, 0, FT_B, 2, {FT_V, FT_V}, FN_AUX},
    {"regexp_count", fn_regexp_count, 0, FT_I, 2, {FT_V, FT_V}, FN_AUX},
    {"regexp_extract", fn_regexp_extract, 0, FT_V, 2, {FT_V, FT_V}, FN_AUX},
    {"regexp_extract", fn_regexp_extract, 0, FT_V, 3, {FT_V, FT_V, FT_I}, FN_AUX},
    {"regexp_replace", fn_regexp_replace, 0, FT_V, 2, {FT_V, FT_V}, FN_AUX},
    {"regexp_replace", fn_regexp_replace, 0, FT_V, 3, {FT_V, FT_V, FT_V}, FN_AUX},
    {"regexp_position", fn_regexp_position, 0, FT_I, 2, {FT_V, FT_V}, FN_AUX},
    {"regexp_position", fn_regexp_position, 0, FT_I, 3, {FT_V, FT_V, FT_I}, FN_AUX},
    {"regexp_position", fn_regexp_position, 0, FT_I, 4, {FT_V, FT_V, FT_I, FT_I}, FN_AUX},
};
const size_t sql_fn_str_n = ST_ARRAY_LEN(sql_fn_str_tab);
