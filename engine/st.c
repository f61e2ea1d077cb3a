/* st: errors, allocation, buffers, arenas, time and durations. */
#include "st.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

int st_fail(st_err *e, int code, const char *fmt, ...)
{
    if (e) {
        va_list ap;
        va_start(ap, fmt);
        e->code = code;
        vsnprintf(e->msg, sizeof e->msg, fmt, ap);
        va_end(ap);
    }
    return code;
}

int st_wrap(st_err *e, const char *fmt, ...)
{
    if (!e) return ST_EINVAL;
    char prefix[ST_ERR_MSG], old[ST_ERR_MSG];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(prefix, sizeof prefix, fmt, ap);
    va_end(ap);
    memcpy(old, e->msg, sizeof old);
    /* a long message loses its tail, never its head */
    if (snprintf(e->msg, sizeof e->msg, "%s: %s", prefix, old) >= (int)sizeof e->msg)
        e->msg[sizeof e->msg - 1] = 0;
    return e->code;
}

const char *st_strerror(int code)
{
    switch (code) {
    case ST_OK: return "ok";
    case ST_EINVAL: return "invalid input";
    case ST_ENOTFOUND: return "not found";
    case ST_ECONFLICT: return "conflict";
    case ST_ELIMIT: return "limit exceeded";
    case ST_ENOSPC: return "no space left on device";
    case ST_EIO: return "I/O error";
    case ST_ECORRUPT: return "corrupt data";
    case ST_EFATAL: return "fatal storage error";
    case ST_EEXIST: return "already exists";
    case ST_ERANGE: return "out of range";
    case ST_ECLOSED: return "shutting down";
    case ST_ETIMEOUT: return "timed out";
    case ST_ECANCELED: return "canceled";
    case ST_EDENIED: return "permission denied";
    default: return "unknown error";
    }
}

int st_from_errno(int errnum)
{
    if (errnum < 0) errnum = -errnum;
    if (errnum == ENOSPC || errnum == EDQUOT) return ST_ENOSPC;
    if (errnum == ENOENT) return ST_ENOTFOUND;
    if (errnum == EEXIST) return ST_EEXIST;
    if (errnum == EBADMSG) return ST_ECORRUPT; /* an encrypted file whose seal fails (sealfs.h): damaged */
    return ST_EIO;
}

st_slice st_slice_cstr(const char *s) { return st_slice_of(s, strlen(s)); }

bool st_slice_eq(st_slice a, st_slice b)
{
    return a.n == b.n && (a.n == 0 || memcmp(a.p, b.p, a.n) == 0);
}

int st_slice_cmp(st_slice a, st_slice b)
{
    size_t n = a.n < b.n ? a.n : b.n;
    int c = n ? memcmp(a.p, b.p, n) : 0;
    if (c) return c;
    return a.n < b.n ? -1 : a.n > b.n;
}

static void oom(size_t n)
{
    fprintf(stderr, "strata: out of memory allocating %zu bytes\n", n);
    abort();
}

void *st_malloc(size_t n)
{
    void *p = malloc(n ? n : 1);
    if (!p) oom(n);
    return p;
}

/* Zeroed by writing, not by calloc: fresh pages that calloc leaves
 * untouched are first mapped to the shared zero page on a read, and the
 * first write then copies them and flushes the TLB of every core running
 * the process (an interrupt each): for hash tables probed before they are
 * filled, that cost more than the writing. */
void *st_calloc(size_t count, size_t size)
{
    if (!count) count = 1;
    if (!size) size = 1;
    if (count > SIZE_MAX / size) oom(SIZE_MAX);
    void *p = malloc(count * size);
    if (!p) oom(count * size);
    /* explicit_bzero: GCC turns malloc + memset(0) back into calloc */
    explicit_bzero(p, count * size);
    return p;
}

void *st_realloc(void *p, size_t n)
{
    void *q = realloc(p, n ? n : 1);
    if (!q) oom(n);
    return q;
}

char *st_strndup(const char *s, size_t n)
{
    char *d = st_malloc(n + 1);
    if (n) memcpy(d, s, n); /* an empty slice may carry a NULL pointer */
    d[n] = 0;
    return d;
}

void st_free(void *p) { free(p); }

void st_buf_reserve(st_buf *b, size_t extra)
{
    if (b->len + extra <= b->cap) return;
    size_t cap = b->cap ? b->cap : 64;
    while (cap < b->len + extra) cap *= 2;
    b->p = st_realloc(b->p, cap);
    b->cap = cap;
}

void st_buf_put(st_buf *b, const void *p, size_t n)
{
    if (!n) return;
    st_buf_reserve(b, n);
    memcpy(b->p + b->len, p, n);
    b->len += n;
}

void st_buf_putc(st_buf *b, uint8_t c)
{
    if (b->len == b->cap) st_buf_reserve(b, 1);
    b->p[b->len++] = c;
}

void st_buf_printf(st_buf *b, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char tmp[256];
    int n = vsnprintf(tmp, sizeof tmp, fmt, ap);
    va_end(ap);
    if (n < 0) return;
    if ((size_t)n < sizeof tmp) {
        st_buf_put(b, tmp, (size_t)n);
        return;
    }
    st_buf_reserve(b, (size_t)n + 1);
    va_start(ap, fmt);
    vsnprintf((char *)b->p + b->len, (size_t)n + 1, fmt, ap);
    va_end(ap);
    b->len += (size_t)n;
}

void st_buf_free(st_buf *b)
{
    st_free(b->p);
    b->p = NULL;
    b->len = b->cap = 0;
}

typedef struct arena_block {
    struct arena_block *next;
    size_t cap, used;
    _Alignas(16) uint8_t data[];
} arena_block;

struct st_arena {
    arena_block *head; /* current block; older ones chained behind */
    size_t first;
};

static arena_block *arena_block_new(size_t cap)
{
    arena_block *b = st_malloc(sizeof *b + cap);
    b->next = NULL;
    b->cap = cap;
    b->used = 0;
    return b;
}

st_arena *st_arena_new(size_t first_block)
{
    st_arena *a = st_malloc(sizeof *a);
    a->first = first_block ? first_block : 4096;
    a->head = arena_block_new(a->first);
    return a;
}

void *st_arena_alloc(st_arena *a, size_t n)
{
    n = (n + 15) & ~(size_t)15;
    arena_block *b = a->head;
    if (b->used + n > b->cap) {
        size_t cap = b->cap * 2;
        while (cap < n) cap *= 2;
        arena_block *nb = arena_block_new(cap);
        nb->next = b;
        a->head = b = nb;
    }
    void *p = b->data + b->used;
    b->used += n;
    return p;
}

char *st_arena_strndup(st_arena *a, const char *s, size_t n)
{
    char *d = st_arena_alloc(a, n + 1);
    memcpy(d, s, n);
    d[n] = 0;
    return d;
}

char *st_arena_printf(st_arena *a, const char *fmt, ...)
{
    char buf[1024];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    if (n < 0) n = 0;
    return st_arena_strndup(a, buf, (size_t)n < sizeof buf ? (size_t)n : sizeof buf - 1);
}

void st_arena_reset(st_arena *a)
{
    /* Keep the largest (newest) block so a steady request size stops allocating. */
    arena_block *keep = a->head, *b = keep->next;
    while (b) {
        arena_block *n = b->next;
        st_free(b);
        b = n;
    }
    keep->next = NULL;
    keep->used = 0;
}

void st_arena_free(st_arena *a)
{
    if (!a) return;
    arena_block *b = a->head;
    while (b) {
        arena_block *n = b->next;
        st_free(b);
        b = n;
    }
    st_free(a);
}

int st_path(char *out, size_t cap, const char *a, const char *b)
{
    size_t la = strlen(a), lb = strlen(b);
    if (la + 1 + lb + 1 > cap) {
        if (cap) out[0] = 0;
        return ST_EINVAL;
    }
    memcpy(out, a, la);
    out[la] = '/';
    memcpy(out + la + 1, b, lb + 1);
    return 0;
}

int64_t st_now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * ST_NS_PER_S + ts.tv_nsec;
}

int64_t st_mono_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * ST_NS_PER_S + ts.tv_nsec;
}

int st_parse_duration(const char *s, int64_t *ns_out, st_err *e)
{
    static const struct { const char *unit; int64_t ns; } units[] = {
        {"ns", 1}, {"us", 1000}, {"µs", 1000}, {"ms", 1000000},
        {"s", ST_NS_PER_S}, {"m", 60 * ST_NS_PER_S}, {"h", 3600 * ST_NS_PER_S},
        {"d", 86400 * ST_NS_PER_S}, {"w", 7 * 86400 * ST_NS_PER_S},
        {"y", 365 * 86400 * ST_NS_PER_S},
    };
    const char *p = s;
    if (!*p) return st_fail(e, ST_EINVAL, "empty duration");
    int64_t total = 0;
    bool any = false;
    while (*p) {
        if (*p < '0' || *p > '9')
            return st_fail(e, ST_EINVAL, "invalid duration \"%s\": expected a number", s);
        int64_t num = 0;
        while (*p >= '0' && *p <= '9') {
            if (num > (INT64_MAX - 9) / 10)
                return st_fail(e, ST_EINVAL, "duration \"%s\" is too large", s);
            num = num * 10 + (*p++ - '0');
        }
        if (!*p) {
            if (any || num != 0) {
                /* a bare number means seconds, only on its own */
                if (any) return st_fail(e, ST_EINVAL, "invalid duration \"%s\": missing unit", s);
                if (num > INT64_MAX / ST_NS_PER_S)
                    return st_fail(e, ST_EINVAL, "duration \"%s\" is too large", s);
                total = num * ST_NS_PER_S;
            }
            *ns_out = total;
            return 0;
        }
        size_t best = 0;
        int64_t mult = 0;
        for (size_t i = 0; i < ST_ARRAY_LEN(units); i++) {
            size_t ul = strlen(units[i].unit);
            if (ul > best && strncmp(p, units[i].unit, ul) == 0) {
                best = ul;
                mult = units[i].ns;
            }
        }
        if (!best) return st_fail(e, ST_EINVAL, "invalid duration \"%s\": unknown unit at \"%s\"", s, p);
        if (num > (INT64_MAX - total) / mult)
            return st_fail(e, ST_EINVAL, "duration \"%s\" is too large", s);
        total += num * mult;
        p += best;
        any = true;
    }
    *ns_out = total;
    return 0;
}

void st_format_duration(int64_t ns, char *out, size_t cap)
{
    static const struct { const char *unit; int64_t ns; } units[] = {
        {"d", 86400 * ST_NS_PER_S}, {"h", 3600 * ST_NS_PER_S}, {"m", 60 * ST_NS_PER_S},
        {"s", ST_NS_PER_S}, {"ms", 1000000}, {"us", 1000}, {"ns", 1},
    };
    if (ns == 0) {
        snprintf(out, cap, "0");
        return;
    }
    for (size_t i = 0; i < ST_ARRAY_LEN(units); i++) {
        if (ns % units[i].ns == 0) {
            snprintf(out, cap, "%lld%s", (long long)(ns / units[i].ns), units[i].unit);
            return;
        }
    }
}

/* A stable LSD radix sort of n keys, 11 bits a pass up to max's highest
 * bit: *key ends sorted (the buffer may be swapped for another: the
 * caller frees what *key points to) and *pos holds the entries'
 * original positions. */
void st_radix_sort(uint64_t **keyp, size_t n, uint64_t max, uint32_t **posp)
{
    uint64_t *key = *keyp, *ktmp = st_malloc((n + 1) * sizeof *ktmp);
    uint32_t *pos = st_malloc((n + 1) * sizeof *pos), *itmp = st_malloc((n + 1) * sizeof *itmp);
    for (size_t i = 0; i < n; i++) pos[i] = (uint32_t)i;
    size_t *cnt = st_malloc(2048 * sizeof *cnt);
    for (unsigned shift = 0; shift < 64 && (max >> shift); shift += 11) {
        memset(cnt, 0, 2048 * sizeof *cnt);
        for (size_t i = 0; i < n; i++) cnt[key[i] >> shift & 2047]++;
        size_t sum = 0;
        for (size_t d = 0; d < 2048; d++) {
            size_t c = cnt[d];
            cnt[d] = sum;
            sum += c;
        }
        for (size_t i = 0; i < n; i++) {
            size_t at = cnt[key[i] >> shift & 2047]++;
            ktmp[at] = key[i];
            itmp[at] = pos[i];
        }
        uint64_t *kt = key;
        key = ktmp;
        ktmp = kt;
        uint32_t *it = pos;
        pos = itmp;
        itmp = it;
    }
    st_free(ktmp);
    st_free(itmp);
    st_free(cnt);
    *keyp = key;
    *posp = pos;
}
