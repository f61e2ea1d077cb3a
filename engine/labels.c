/* labels: canonical label sets, their keys, UTF-8 validation, formatting.
 *
 * Everything here runs on the write path (canonicalisation and keys for every
 * series of every request) or in error messages, so the common cases are
 * kept cheap: label sets arrive sorted from remote_write, so the sort is an
 * insertion sort that is linear on sorted input, and UTF-8 validation skips
 * ASCII eight bytes at a time.
 */
#include "labels.h"

#include "bits.h"

#include <stdlib.h>
#include <string.h>

const char *st_vtype_name(st_vtype t)
{
    switch (t) {
    case ST_VT_FLOAT: return "float";
    case ST_VT_INT: return "integer";
    case ST_VT_UINT: return "unsigned";
    case ST_VT_BOOL: return "boolean";
    case ST_VT_STRING: return "string";
    }
    return "unknown";
}

/* ---------------------------------------------------------------- UTF-8 */

#define ASCII_MASK 0x8080808080808080ull

/* Length of the valid UTF-8 sequence at p[0..avail), or 0 if it is invalid.
 * The ranges are those of Unicode's table 3-7 ("well-formed byte
 * sequences"): they exclude overlong forms (C0, C1, E0 80..9F, F0 80..8F),
 * surrogates (ED A0..BF) and code points above U+10FFFF (F4 90.., F5..FF). */
static size_t utf8_seq(const uint8_t *p, size_t avail)
{
    uint8_t c = p[0], lo = 0x80, hi = 0xBF;
    if (c < 0x80) return 1;
    if (c < 0xC2) return 0; /* stray continuation byte or overlong lead */
    if (c < 0xE0) {
        return avail >= 2 && p[1] >= 0x80 && p[1] <= 0xBF ? 2 : 0;
    }
    if (c < 0xF0) {
        if (c == 0xE0) lo = 0xA0;
        else if (c == 0xED) hi = 0x9F;
        return avail >= 3 && p[1] >= lo && p[1] <= hi && (p[2] & 0xC0) == 0x80 ? 3 : 0;
    }
    if (c < 0xF5) {
        if (c == 0xF0) lo = 0x90;
        else if (c == 0xF4) hi = 0x8F;
        return avail >= 4 && p[1] >= lo && p[1] <= hi && (p[2] & 0xC0) == 0x80 &&
                       (p[3] & 0xC0) == 0x80
                   ? 4
                   : 0;
    }
    return 0;
}

bool utf8_valid(const char *s, size_t n)
{
    const uint8_t *p = (const uint8_t *)s, *end = p + n;
    while (p < end) {
        if (end - p >= 8) {
            uint64_t w;
            memcpy(&w, p, 8);
            if (!(w & ASCII_MASK)) {
                p += 8;
                continue;
            }
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
            /* Skip the ASCII bytes before the first high bit in one step. */
            p += (unsigned)__builtin_ctzll(w & ASCII_MASK) >> 3;
#endif
        }
        if (*p < 0x80) {
            p++;
            continue;
        }
        size_t k = utf8_seq(p, (size_t)(end - p));
        if (!k) return false;
        p += k;
    }
    return true;
}

/* -------------------------------------------------------------- quoting */

/* Go's strconv.Quote for the cases label values meet: \" \\ and the C
 * escapes, other controls and DEL as \xNN, invalid bytes as \xNN, and the
 * non-printing C1 controls, soft hyphen, line/paragraph separators and BOM
 * as \uNNNN. (Go consults the full Unicode tables for "printable"; those
 * cover the code points that occur in practice.) */
static void quote_go(st_buf *out, const char *s, size_t n)
{
    static const char hex[] = "0123456789abcdef";
    const uint8_t *p = (const uint8_t *)s, *end = p + n;
    st_buf_reserve(out, n + 2);
    st_buf_putc(out, '"');
    while (p < end) {
        const uint8_t *run = p; /* printable ASCII goes out in one piece */
        while (p < end && *p >= 0x20 && *p < 0x7f && *p != '"' && *p != '\\') p++;
        if (p > run) {
            st_buf_put(out, run, (size_t)(p - run));
            continue;
        }
        uint8_t c = *p;
        if (c < 0x80) {
            char esc = 0;
            switch (c) {
            case '"': esc = '"'; break;
            case '\\': esc = '\\'; break;
            case '\a': esc = 'a'; break;
            case '\b': esc = 'b'; break;
            case '\f': esc = 'f'; break;
            case '\n': esc = 'n'; break;
            case '\r': esc = 'r'; break;
            case '\t': esc = 't'; break;
            case '\v': esc = 'v'; break;
            }
            if (esc) {
                char e2[2] = {'\\', esc};
                st_buf_put(out, e2, 2);
            } else {
                char e4[4] = {'\\', 'x', hex[c >> 4], hex[c & 15]};
                st_buf_put(out, e4, 4);
            }
            p++;
            continue;
        }
        size_t k = utf8_seq(p, (size_t)(end - p));
        if (!k) {
            char e4[4] = {'\\', 'x', hex[c >> 4], hex[c & 15]};
            st_buf_put(out, e4, 4);
            p++;
            continue;
        }
        uint32_t cp = k == 2   ? (uint32_t)(c & 0x1F) << 6 | (p[1] & 0x3F)
                      : k == 3 ? (uint32_t)(c & 0x0F) << 12 | (uint32_t)(p[1] & 0x3F) << 6 |
                                     (p[2] & 0x3F)
                               : 0x10000; /* 4-byte forms are all printable enough */
        if ((cp >= 0x80 && cp <= 0x9F) || cp == 0xAD || cp == 0x2028 || cp == 0x2029 ||
            cp == 0xFEFF) {
            char e6[6] = {'\\', 'u', hex[cp >> 12], hex[(cp >> 8) & 15], hex[(cp >> 4) & 15],
                          hex[cp & 15]};
            st_buf_put(out, e6, 6);
        } else {
            st_buf_put(out, p, k);
        }
        p += k;
    }
    st_buf_putc(out, '"');
}

/* A quoted, length-capped rendering of s for an error message. */
static const char *msg_quote(char *dst, size_t cap, st_slice s)
{
    st_buf b = {0};
    size_t max = 96;
    bool cut = s.n > max;
    quote_go(&b, s.p, cut ? max : s.n);
    if (cut) {
        b.len--; /* drop the closing quote, mark the cut */
        st_buf_put(&b, "\"...", 4);
    }
    size_t k = b.len < cap - 1 ? b.len : cap - 1;
    memcpy(dst, b.p, k);
    dst[k] = 0;
    st_buf_free(&b);
    return dst;
}

/* ------------------------------------------------------ canonicalisation */

static int label_cmp(const void *a, const void *b)
{
    return st_slice_cmp(((const label *)a)->name, ((const label *)b)->name);
}

static void labels_sort(label *ls, size_t n)
{
    if (n > 32) {
        qsort(ls, n, sizeof *ls, label_cmp);
        return;
    }
    for (size_t i = 1; i < n; i++) {
        if (st_slice_cmp(ls[i - 1].name, ls[i].name) <= 0) continue;
        label t = ls[i];
        size_t j = i;
        while (j > 0 && st_slice_cmp(ls[j - 1].name, t.name) > 0) {
            ls[j] = ls[j - 1];
            j--;
        }
        ls[j] = t;
    }
}

static bool all_ascii(const label *ls, size_t n)
{
    uint64_t acc = 0;
    for (size_t i = 0; i < n; i++) {
        const st_slice *pair[2] = {&ls[i].name, &ls[i].value};
        for (int k = 0; k < 2; k++) {
            const uint8_t *p = (const uint8_t *)pair[k]->p;
            size_t len = pair[k]->n, j = 0;
            for (; j + 8 <= len; j += 8) {
                uint64_t w;
                memcpy(&w, p + j, 8);
                acc |= w;
            }
            if (j < len && len >= 8) {
                uint64_t w; /* the last 8 bytes, overlapping what was read */
                memcpy(&w, p + len - 8, 8);
                acc |= w;
            } else if (j < len) {
                uint32_t w = 0;
                if (len >= 4) {
                    uint32_t a, b;
                    memcpy(&a, p, 4);
                    memcpy(&b, p + len - 4, 4);
                    w = a | b;
                } else {
                    for (; j < len; j++) w |= p[j];
                }
                acc |= w;
            }
        }
    }
    return !(acc & ASCII_MASK);
}

/* Strictly less, bytewise (equal names are not "sorted": duplicates). */
static inline bool slice_less(st_slice a, st_slice b)
{
    size_t m = a.n < b.n ? a.n : b.n;
    int c = m ? memcmp(a.p, b.p, m) : 0;
    return c < 0 || (c == 0 && a.n < b.n);
}

int labels_canonicalize(label *ls, size_t *n, st_err *e)
{
    char q[400]; /* 96 bytes quoted, each up to 4 */
    size_t cnt = *n;
    /* Validate in input order first, so the error names the first bad label
     * as the client wrote it. Label sets are nearly always ASCII: one pass of
     * word-wide ORs settles that before any per-string UTF-8 walk. */
    bool ascii = all_ascii(ls, cnt);
    for (size_t i = 0; i < cnt; i++) {
        if (ascii) {
            if (ls[i].name.n == 0) return st_fail(e, ST_EINVAL, "label name \"\" is empty");
            continue;
        }
        if (ls[i].name.n == 0) return st_fail(e, ST_EINVAL, "label name \"\" is empty");
        if (!utf8_valid(ls[i].name.p, ls[i].name.n))
            return st_fail(e, ST_EINVAL, "invalid UTF-8 in label name %s",
                           msg_quote(q, sizeof q, ls[i].name));
        if (!utf8_valid(ls[i].value.p, ls[i].value.n))
            return st_fail(e, ST_EINVAL, "invalid UTF-8 in value of label %s",
                           msg_quote(q, sizeof q, ls[i].name));
    }
    /* Writers usually send sorted labels: check before sorting. */
    bool sorted = true;
    for (size_t i = 1; i < cnt && sorted; i++) sorted = slice_less(ls[i - 1].name, ls[i].name);
    if (!sorted) labels_sort(ls, cnt);
    /* Duplicates are rejected even when one of them is empty: the client
     * said two different things about one label. */
    for (size_t i = 1; i < cnt; i++)
        if (st_slice_eq(ls[i - 1].name, ls[i].name))
            return st_fail(e, ST_EINVAL, "duplicate label name %s",
                           msg_quote(q, sizeof q, ls[i].name));
    size_t w = 0;
    bool named = false;
    for (size_t i = 0; i < cnt; i++) {
        if (ls[i].value.n == 0) continue;
        if (ls[i].name.n == 8 && memcmp(ls[i].name.p, LABEL_METRIC_NAME, 8) == 0) named = true;
        ls[w++] = ls[i];
    }
    if (!named) return st_fail(e, ST_EINVAL, "metric name missing");
    if (w > LABELS_MAX)
        return st_fail(e, ST_EINVAL, "series has %zu labels, more than the limit of %d per series "
                       "(the metric name counts as one)", w, LABELS_MAX);
    *n = w;
    return 0;
}

/* ------------------------------------------------------------------ keys */

void labels_key(const label *ls, size_t n, st_buf *out)
{
    size_t total = 0;
    for (size_t i = 0; i < n; i++) total += 20 + ls[i].name.n + ls[i].value.n;
    st_buf_reserve(out, total);
    uint8_t *p = out->p + out->len;
    for (size_t i = 0; i < n; i++) {
        p += varint_put(p, ls[i].name.n);
        memcpy(p, ls[i].name.p, ls[i].name.n);
        p += ls[i].name.n;
        p += varint_put(p, ls[i].value.n);
        if (ls[i].value.n) memcpy(p, ls[i].value.p, ls[i].value.n);
        p += ls[i].value.n;
    }
    out->len = (size_t)(p - out->p);
}

/* Reads one length-prefixed string; 0 or ST_ECORRUPT. */
static int key_str(const uint8_t **p, const uint8_t *end, st_slice *s)
{
    uint64_t len;
    if (varint_get(p, end, &len) < 0 || len > (uint64_t)(end - *p)) return ST_ECORRUPT;
    s->p = (const char *)*p;
    s->n = (size_t)len;
    *p += len;
    return 0;
}

int labels_key_parse(const uint8_t *key, size_t len, label *out, size_t cap, size_t *n)
{
    const uint8_t *p = key, *end = key + len;
    size_t k = 0;
    *n = 0;
    while (p < end) {
        label l;
        if (key_str(&p, end, &l.name) < 0 || key_str(&p, end, &l.value) < 0)
            return ST_ECORRUPT;
        if (k == cap) return ST_ECORRUPT;
        out[k++] = l;
    }
    *n = k;
    return 0;
}

st_slice labels_key_get(const uint8_t *key, size_t len, st_slice name)
{
    const uint8_t *p = key, *end = key + len;
    st_slice none = {"", 0};
    while (p < end) {
        st_slice ln, lv;
        if (key_str(&p, end, &ln) < 0 || key_str(&p, end, &lv) < 0) return none;
        if (st_slice_eq(ln, name)) return lv;
    }
    return none;
}

void labels_pick(const label *ls, size_t n, const st_slice *names, size_t nnames, st_slice *out)
{
    for (size_t k = 0; k < nnames; k++) {
        out[k] = (st_slice){0};
        for (size_t i = 0; i < n; i++)
            if (st_slice_eq(ls[i].name, names[k])) {
                out[k] = ls[i].value;
                if (!out[k].p) out[k].p = "";
                break;
            }
    }
}

uint64_t labels_tuple_hash(const st_slice *v, size_t n)
{
    uint64_t h = 0x9e3779b97f4a7c15ull;
    for (size_t i = 0; i < n; i++) h = (h ^ (v[i].p ? st_hash64(v[i].p, v[i].n, 0) : 0x5bd1e995u)) * 0x100000001b3ull;
    return h;
}

bool labels_tuple_eq(const st_slice *a, const st_slice *b, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if ((a[i].p == NULL) != (b[i].p == NULL)) return false;
        if (a[i].p && !st_slice_eq(a[i], b[i])) return false;
    }
    return true;
}

st_slice labels_key_name(const uint8_t *key, size_t len)
{
    return labels_key_get(key, len, st_slice_of(LABEL_METRIC_NAME, 8));
}

size_t labels_key_count(const uint8_t *key, size_t len)
{
    const uint8_t *p = key, *end = key + len;
    size_t k = 0;
    while (p < end) {
        st_slice a, b;
        if (key_str(&p, end, &a) < 0 || key_str(&p, end, &b) < 0) return 0;
        k++;
    }
    return k;
}

/* ------------------------------------------------------------ formatting */

static bool is_metric_ident(st_slice s)
{
    if (!s.n) return false;
    for (size_t i = 0; i < s.n; i++) {
        unsigned char c = (unsigned char)s.p[i];
        bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || c == ':' ||
                  (i > 0 && c >= '0' && c <= '9');
        if (!ok) return false;
    }
    return true;
}

bool labels_name_valid(st_slice s)
{
    if (!s.n) return false;
    for (size_t i = 0; i < s.n; i++) {
        unsigned char c = (unsigned char)s.p[i];
        bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' ||
                  (i > 0 && c >= '0' && c <= '9');
        if (!ok) return false;
    }
    return true;
}

/* name="value"; a name that is not an identifier is quoted, as Prometheus 3
 * writes UTF-8 label names, so the output stays unambiguous. */
static void format_pair(st_buf *out, const label *l)
{
    if (labels_name_valid(l->name)) st_buf_put(out, l->name.p, l->name.n);
    else quote_go(out, l->name.p, l->name.n);
    st_buf_putc(out, '=');
    quote_go(out, l->value.p, l->value.n);
}

void labels_format(const label *ls, size_t n, st_buf *out)
{
    const label *name = NULL;
    for (size_t i = 0; i < n; i++)
        if (ls[i].name.n == 8 && memcmp(ls[i].name.p, LABEL_METRIC_NAME, 8) == 0) {
            name = &ls[i];
            break;
        }
    bool first = true;
    if (name && is_metric_ident(name->value)) {
        st_buf_put(out, name->value.p, name->value.n);
        if (n == 1) return;
    } else if (name) {
        st_buf_putc(out, '{');
        format_pair(out, name);
        first = false;
    }
    if (first) st_buf_putc(out, '{');
    for (size_t i = 0; i < n; i++) {
        if (&ls[i] == name) continue;
        if (!first) st_buf_putc(out, ',');
        first = false;
        format_pair(out, &ls[i]);
    }
    st_buf_putc(out, '}');
}

void labels_format_key(const uint8_t *key, size_t len, st_buf *out)
{
    label stack[32], *ls = stack;
    size_t cnt = labels_key_count(key, len), n = 0;
    if (cnt == 0 && len > 0) {
        st_buf_put(out, "{<malformed series key>}", 24);
        return;
    }
    if (cnt > ST_ARRAY_LEN(stack)) ls = st_malloc(cnt * sizeof *ls);
    labels_key_parse(key, len, ls, cnt, &n);
    labels_format(ls, n, out);
    if (ls != stack) st_free(ls);
}

size_t labels_key_order_bytes(const uint8_t *key, size_t len, uint8_t *out)
{
    const uint8_t *p = key, *end = key + len;
    uint8_t *o = out;
    while (p < end) {
        st_slice s;
        if (key_str(&p, end, &s)) return 0;
        const uint8_t *q = (const uint8_t *)s.p, *qe = q + s.n;
        /* the varint before each string is at least a byte, and a string of
         * n bytes takes at most 2n here: 2 x len bounds the whole */
        while (q < qe) {
            const uint8_t *z = memchr(q, 0, (size_t)(qe - q));
            size_t run = z ? (size_t)(z - q) : (size_t)(qe - q);
            memcpy(o, q, run);
            o += run;
            q += run;
            if (z) {
                *o++ = 0;
                *o++ = 1;
                q++;
            }
        }
        *o++ = 0;
        *o++ = 0;
    }
    return (size_t)(o - out);
}

/* The first position where a and b differ (n if none before n). */
static size_t first_difference(const uint8_t *a, const uint8_t *b, size_t n)
{
    size_t i = 0;
    for (; i + 8 <= n; i += 8) {
        uint64_t x, y;
        memcpy(&x, a + i, 8);
        memcpy(&y, b + i, 8);
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
        if (x != y) return i + (size_t)(__builtin_clzll(x ^ y) >> 3); /* big-endian: first byte highest */
#else
        if (x != y) return i + (size_t)(__builtin_ctzll(x ^ y) >> 3); /* little-endian: first byte lowest */
#endif
    }
    while (i < n && a[i] == b[i]) i++;
    return i;
}

/* Keys that agree up to their first difference d were parsed alike up to
 * it: the first string that differs is the one holding d (in its length
 * when the lengths differ, else in its bytes), so only it is compared. */
int labels_key_compare(const uint8_t *a, size_t alen, const uint8_t *b, size_t blen)
{
    size_t n = alen < blen ? alen : blen, d = first_difference(a, b, n);
    if (d == n) return (alen > blen) - (alen < blen); /* equal, or one ends where the other goes on */
    const uint8_t *pa = a, *ea = a + alen, *pb, *eb = b + blen;
    for (;;) {
        size_t at = (size_t)(pa - a);
        st_slice sa, sb;
        if (key_str(&pa, ea, &sa)) return 0; /* malformed keys: keep them as they are */
        if ((size_t)(pa - a) <= d) continue;
        if ((const uint8_t *)sa.p > a + d) { /* the lengths differ */
            pb = b + at;
            if (key_str(&pb, eb, &sb)) return 0;
            return st_slice_cmp(sa, sb);
        }
        return a[d] < b[d] ? -1 : 1;
    }
}
