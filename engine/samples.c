/* samples: building and merging decoded sample lists. */
#include "samples.h"

#include <string.h>

void samples_clear(codec_samples *s)
{
    s->n = 0;
    s->strbuf.len = 0;
}

static void rebase(codec_samples *s, const uint8_t *old)
{
    if (old == s->strbuf.p || !old) return;
    ptrdiff_t d = (const char *)s->strbuf.p - (const char *)old;
    for (size_t i = 0; i < s->n; i++) s->strs[i].p += d;
}

static void grow(codec_samples *s, size_t extra)
{
    if (s->n + extra > s->cap) {
        size_t cap = s->cap ? s->cap * 2 : 64;
        while (cap < s->n + extra) cap *= 2;
        codec_samples_reserve(s, cap);
    }
}

void samples_push(codec_samples *s, bool is_string, int64_t ts, uint64_t val, st_slice str)
{
    grow(s, 1);
    s->ts[s->n] = ts;
    if (is_string) {
        const uint8_t *old = s->strbuf.p;
        /* at least one byte, so that an empty string still points somewhere */
        st_buf_reserve(&s->strbuf, str.n ? str.n : 1);
        rebase(s, old);
        char *p = (char *)s->strbuf.p + s->strbuf.len;
        if (str.n) memcpy(p, str.p, str.n);
        s->strbuf.len += str.n;
        s->strs[s->n] = st_slice_of(p, str.n);
        s->vals[s->n] = 0;
    } else {
        s->vals[s->n] = val;
    }
    s->n++;
}

void samples_push_from(codec_samples *dst, bool is_string, const codec_samples *src, size_t i)
{
    samples_push(dst, is_string, src->ts[i], is_string ? 0 : src->vals[i],
                 is_string ? src->strs[i] : st_slice_of(NULL, 0));
}

void samples_merge(codec_samples *dst, bool is_string, const codec_samples *lo,
                   const codec_samples *hi)
{
    samples_clear(dst);
    grow(dst, lo->n + hi->n);
    size_t i = 0, j = 0;
    while (i < lo->n || j < hi->n) {
        if (j >= hi->n || (i < lo->n && lo->ts[i] < hi->ts[j])) {
            samples_push_from(dst, is_string, lo, i++);
        } else {
            if (i < lo->n && lo->ts[i] == hi->ts[j]) i++;
            samples_push_from(dst, is_string, hi, j++);
        }
    }
}

void samples_trim(codec_samples *s, int64_t mint, int64_t maxt)
{
    size_t lo = 0, hi = s->n;
    while (lo < hi && s->ts[lo] < mint) lo++;
    while (hi > lo && s->ts[hi - 1] > maxt) hi--;
    if (lo == 0 && hi == s->n) return;
    size_t n = hi - lo;
    memmove(s->ts, s->ts + lo, n * sizeof *s->ts);
    memmove(s->vals, s->vals + lo, n * sizeof *s->vals);
    if (s->strs) memmove(s->strs, s->strs + lo, n * sizeof *s->strs);
    s->n = n;
}

void samples_swap(codec_samples *a, codec_samples *b)
{
    codec_samples t = *a;
    *a = *b;
    *b = t;
}
