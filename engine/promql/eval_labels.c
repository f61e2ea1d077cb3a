/* eval_labels: label sets, the hash map and the result collector of the
 * evaluator (eval_int.h). */
#include <stdlib.h>
#include <string.h>

#include "bits.h"
#include "eval_int.h"

static bool is_name(st_slice s) { return s.n == 8 && !memcmp(s.p, LABEL_METRIC_NAME, 8); }

/* s copied to *p, NUL-terminated like st_arena_strndup's copies. */
static st_slice put_str(char **p, st_slice s)
{
    char *d = *p;
    if (s.n) memcpy(d, s.p, s.n);
    d[s.n] = 0;
    *p += s.n + 1;
    return st_slice_of(d, s.n);
}

pq_lset pq_lset_copy_as(st_arena *a, const label *ls, size_t n, bool drop_name)
{
    size_t bytes = 0;
    for (size_t i = 0; i < n; i++) bytes += ls[i].name.n + ls[i].value.n + 2;
    label *out = st_arena_alloc(a, (n ? n : 1) * sizeof *out);
    char *p = st_arena_alloc(a, bytes ? bytes : 1);
    uint32_t k = 0;
    for (size_t i = 0; i < n; i++) {
        if (drop_name && is_name(ls[i].name)) continue;
        out[k].name = put_str(&p, ls[i].name);
        out[k++].value = put_str(&p, ls[i].value);
    }
    return (pq_lset){out, k};
}

pq_lset pq_lset_copy(st_arena *a, const label *ls, size_t n) { return pq_lset_copy_as(a, ls, n, false); }

pq_lset pq_lset_drop_name(st_arena *a, pq_lset l)
{
    uint32_t at = l.n;
    for (uint32_t i = 0; i < l.n && at == l.n; i++)
        if (is_name(l.ls[i].name)) at = i;
    if (at == l.n) return l;
    label *out = st_arena_alloc(a, (l.n ? l.n : 1) * sizeof *out);
    uint32_t k = 0;
    for (uint32_t i = 0; i < l.n; i++)
        if (i != at) out[k++] = l.ls[i]; /* strings are shared: labels are immutable */
    return (pq_lset){out, k};
}

st_slice pq_lset_get(pq_lset l, const char *name, size_t len)
{
    for (uint32_t i = 0; i < l.n; i++)
        if (l.ls[i].name.n == len && !memcmp(l.ls[i].name.p, name, len)) return l.ls[i].value;
    return st_slice_of("", 0);
}

/* One label into a running hash: lengths keep "ab"+"c" apart from "a"+"bc". */
static uint64_t mix(uint64_t h, st_slice s)
{
    h ^= st_hash64(s.p, s.n, h + s.n);
    return h * 0x9e3779b97f4a7c15ull + 0x632be59bd9b4e019ull;
}

uint64_t pq_lset_hash(pq_lset l)
{
    uint64_t h = 0x51ed27u;
    for (uint32_t i = 0; i < l.n; i++) h = mix(mix(h, l.ls[i].name), l.ls[i].value);
    return h;
}

uint64_t pq_lset_hash_except(pq_lset l, st_slice name)
{
    uint64_t h = 0x51ed27u;
    for (uint32_t i = 0; i < l.n; i++)
        if (!st_slice_eq(l.ls[i].name, name)) h = mix(mix(h, l.ls[i].name), l.ls[i].value);
    return h;
}

bool pq_lset_eq_except(pq_lset a, pq_lset b, st_slice name)
{
    uint32_t i = 0, j = 0;
    for (;;) {
        while (i < a.n && st_slice_eq(a.ls[i].name, name)) i++;
        while (j < b.n && st_slice_eq(b.ls[j].name, name)) j++;
        if (i == a.n || j == b.n) return i == a.n && j == b.n;
        if (!st_slice_eq(a.ls[i].name, b.ls[j].name) || !st_slice_eq(a.ls[i].value, b.ls[j].value)) return false;
        i++;
        j++;
    }
}

bool pq_lset_eq(pq_lset a, pq_lset b)
{
    if (a.n != b.n) return false;
    for (uint32_t i = 0; i < a.n; i++)
        if (!st_slice_eq(a.ls[i].name, b.ls[i].name) || !st_slice_eq(a.ls[i].value, b.ls[i].value)) return false;
    return true;
}

int pq_lset_cmp(pq_lset a, pq_lset b)
{
    uint32_t n = a.n < b.n ? a.n : b.n;
    for (uint32_t i = 0; i < n; i++) {
        int c = st_slice_cmp(a.ls[i].name, b.ls[i].name);
        if (c) return c;
        c = st_slice_cmp(a.ls[i].value, b.ls[i].value);
        if (c) return c;
    }
    return a.n < b.n ? -1 : a.n > b.n;
}

static bool in_names(st_slice x, const st_slice *names, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (st_slice_eq(x, names[i])) return true;
    return false;
}

uint64_t pq_lset_sig(pq_lset l, bool on, const st_slice *names, size_t n)
{
    uint64_t h = 0x51ed27u;
    for (uint32_t i = 0; i < l.n; i++) {
        bool listed = in_names(l.ls[i].name, names, n);
        if (on ? !listed : (listed || is_name(l.ls[i].name))) continue;
        h = mix(mix(h, l.ls[i].name), l.ls[i].value);
    }
    return h;
}

void pq_lb_init(pq_lb *b, pq_lset l)
{
    b->cap = l.n + 4;
    b->ls = st_malloc(b->cap * sizeof *b->ls);
    if (l.n) memcpy(b->ls, l.ls, l.n * sizeof *b->ls); /* an empty set's ls may be NULL */
    b->n = l.n;
}

void pq_lb_del(pq_lb *b, st_slice name)
{
    for (size_t i = 0; i < b->n; i++) {
        if (!st_slice_eq(b->ls[i].name, name)) continue;
        memmove(b->ls + i, b->ls + i + 1, (b->n - i - 1) * sizeof *b->ls);
        b->n--;
        return;
    }
}

void pq_lb_set(pq_lb *b, st_slice name, st_slice value)
{
    if (!value.n) {
        pq_lb_del(b, name);
        return;
    }
    size_t i = 0;
    while (i < b->n && st_slice_cmp(b->ls[i].name, name) < 0) i++;
    if (i < b->n && st_slice_eq(b->ls[i].name, name)) {
        b->ls[i].value = value;
        return;
    }
    if (b->n == b->cap) {
        b->cap *= 2;
        b->ls = st_realloc(b->ls, b->cap * sizeof *b->ls);
    }
    memmove(b->ls + i + 1, b->ls + i, (b->n - i) * sizeof *b->ls);
    b->ls[i].name = name;
    b->ls[i].value = value;
    b->n++;
}

void pq_lb_keep(pq_lb *b, const st_slice *names, size_t n)
{
    size_t k = 0;
    for (size_t i = 0; i < b->n; i++)
        if (in_names(b->ls[i].name, names, n)) b->ls[k++] = b->ls[i];
    b->n = k;
}

pq_lset pq_lb_done(pq_lb *b, st_arena *a)
{
    pq_lset l = pq_lset_copy(a, b->ls, b->n);
    st_free(b->ls);
    b->ls = NULL;
    b->n = b->cap = 0;
    return l;
}

/* Go's strconv.Quote for label values in messages: \" \\ and \n escaped. */
static void quote(st_buf *out, st_slice s)
{
    st_buf_putc(out, '"');
    for (size_t i = 0; i < s.n; i++) {
        char c = s.p[i];
        if (c == '"' || c == '\\') {
            st_buf_putc(out, '\\');
            st_buf_putc(out, (uint8_t)c);
        } else if (c == '\n') {
            st_buf_put(out, "\\n", 2);
        } else {
            st_buf_putc(out, (uint8_t)c);
        }
    }
    st_buf_putc(out, '"');
}

void pq_lset_format(pq_lset l, st_buf *out)
{
    st_buf_putc(out, '{');
    for (uint32_t i = 0; i < l.n; i++) {
        if (i) st_buf_put(out, ", ", 2);
        st_buf_put(out, l.ls[i].name.p, l.ls[i].name.n);
        st_buf_putc(out, '=');
        quote(out, l.ls[i].value);
    }
    st_buf_putc(out, '}');
}

/* ------------------------------------------------------------------ map */

long pq_map_find(const pq_map *m, uint64_t h, bool (*equal)(void *ctx, uint32_t ix), void *ctx)
{
    if (!m->cap) return -1;
    size_t mask = m->cap - 1, i = (size_t)h & mask;
    while (m->v[i]) {
        if (m->h[i] == h && (!equal || equal(ctx, m->v[i] - 1))) return (long)(m->v[i] - 1);
        i = (i + 1) & mask;
    }
    return -1;
}

void pq_map_put(pq_map *m, uint64_t h, uint32_t ix)
{
    if ((m->n + 1) * 2 > m->cap) {
        size_t cap = m->cap ? m->cap * 2 : 64;
        uint64_t *nh = st_malloc(cap * sizeof *nh);
        uint32_t *nv = st_calloc(cap, sizeof *nv);
        for (size_t i = 0; i < m->cap; i++) {
            if (!m->v[i]) continue;
            size_t j = (size_t)m->h[i] & (cap - 1);
            while (nv[j]) j = (j + 1) & (cap - 1);
            nh[j] = m->h[i];
            nv[j] = m->v[i];
        }
        st_free(m->h);
        st_free(m->v);
        m->h = nh;
        m->v = nv;
        m->cap = cap;
    }
    size_t i = (size_t)h & (m->cap - 1);
    while (m->v[i]) i = (i + 1) & (m->cap - 1);
    m->h[i] = h;
    m->v[i] = ix + 1;
    m->n++;
}

void pq_map_free(pq_map *m)
{
    st_free(m->h);
    st_free(m->v);
    memset(m, 0, sizeof *m);
}

/* ------------------------------------------------------------------ output collector */

void pq_out_init(pq_out *o, pq_query *q, const pq_steps *st, pq_val *v)
{
    memset(o, 0, sizeof *o);
    o->q = q;
    o->st = st;
    o->v = v;
    memset(v, 0, sizeof *v);
    v->type = PROMQL_TYPE_VECTOR;
}

typedef struct eq_ctx {
    const pq_val *v;
    pq_lset l;
} eq_ctx;

static bool eq_series(void *ctx, uint32_t ix)
{
    eq_ctx *c = ctx;
    return pq_lset_eq(c->v->s[ix].lab, c->l);
}

size_t pq_out_series(pq_out *o, pq_lset l)
{
    uint64_t h = pq_lset_hash(l);
    eq_ctx c = {o->v, l};
    long k = pq_map_find(&o->map, h, eq_series, &c);
    if (k >= 0) return (size_t)k;
    pq_ser *s = pq_vec_push(o->q->a, o->v, &o->cap);
    pq_ser_init(o->q->a, s, pq_lset_copy(o->q->a, l.ls, l.n), o->st->n);
    pq_map_put(&o->map, h, (uint32_t)(o->v->n - 1));
    return o->v->n - 1;
}

int pq_out_put(pq_out *o, size_t k, size_t i, double x)
{
    pq_ser *s = &o->v->s[k];
    if (s->ok[i]) return pq_fail(o->q, ST_ECONFLICT, "vector cannot contain metrics with the same labelset");
    pq_ser_put(s, i, x);
    return 0;
}

void pq_out_done(pq_out *o) { pq_map_free(&o->map); }
