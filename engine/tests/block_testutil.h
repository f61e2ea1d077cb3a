/* block_testutil: helpers shared by test_block.c and test_block_v2.c:
 * generated series, canonical keys, whole files in and out, block writing
 * and bit-for-bit comparison of what a read returned. */
#ifndef ST_BLOCK_TESTUTIL_H
#define ST_BLOCK_TESTUTIL_H

#include "block.h"
#include "testlib.h"

#include <dirent.h>
#include <math.h>
#include <sys/stat.h>

static bool quick; /* STRATA_TEST_QUICK: sanitizer runs do less */

/* ------------------------------------------------------------------------ */
/* Helpers                                                                  */

static uint64_t rng_state = 0x9E3779B97F4A7C15ull;
static inline uint64_t rnd(void)
{
    uint64_t x = rng_state; /* xorshift64*: fixed seed, reproducible */
    x ^= x >> 12;
    x ^= x << 25;
    x ^= x >> 27;
    rng_state = x;
    return x * 0x2545F4914F6CDD1Dull;
}
static inline double rnd01(void) { return (double)(rnd() >> 11) / 9007199254740992.0; }

typedef struct tseries {
    st_buf key;
    series_meta meta;
    size_t n;
    int64_t *ts;
    uint64_t *vals;
    st_slice *strs;
    char *strpool;
} tseries;

static inline void tseries_free(tseries *s)
{
    st_buf_free(&s->key);
    free(s->ts);
    free(s->vals);
    free(s->strs);
    free(s->strpool);
    memset(s, 0, sizeof *s);
}

/* Canonical key from name/value pairs (NULL-terminated). */
static inline void mkkey(st_buf *out, const char *const *kv)
{
    label ls[32];
    size_t n = 0;
    for (; kv[2 * n]; n++) {
        ls[n].name = st_slice_cstr(kv[2 * n]);
        ls[n].value = st_slice_cstr(kv[2 * n + 1]);
    }
    st_err e;
    int rc = labels_canonicalize(ls, &n, &e);
    if (rc) {
        fprintf(stderr, "bad test labels: %s\n", e.msg);
        exit(2);
    }
    out->len = 0;
    labels_key(ls, n, out);
}

static inline int tseries_cmp(const void *a, const void *b)
{
    const tseries *x = a, *y = b;
    size_t n = x->key.len < y->key.len ? x->key.len : y->key.len;
    int c = memcmp(x->key.p, y->key.p, n);
    if (c) return c;
    return (x->key.len > y->key.len) - (x->key.len < y->key.len);
}

static inline long long dir_entries(const char *dir)
{
    DIR *d = opendir(dir);
    if (!d) return -1;
    long long n = 0;
    struct dirent *de;
    while ((de = readdir(d)))
        if (strcmp(de->d_name, ".") && strcmp(de->d_name, "..")) n++;
    closedir(d);
    return n;
}

static inline bool exists(const char *p)
{
    struct stat st;
    return stat(p, &st) == 0;
}

static inline long long file_size(const char *dir, const char *name)
{
    char p[8400];
    snprintf(p, sizeof p, "%s/%s", dir, name);
    struct stat st;
    return stat(p, &st) == 0 ? (long long)st.st_size : -1;
}

static inline uint8_t *slurp(const char *dir, const char *name, size_t *n)
{
    char p[8400];
    snprintf(p, sizeof p, "%s/%s", dir, name);
    FILE *f = fopen(p, "rb");
    if (!f) return NULL;
    fseek(f, 0, SEEK_END);
    long sz = ftell(f);
    fseek(f, 0, SEEK_SET);
    uint8_t *b = malloc((size_t)sz + 1);
    *n = fread(b, 1, (size_t)sz, f);
    fclose(f);
    return b;
}

static inline void spit(const char *dir, const char *name, const uint8_t *b, size_t n)
{
    char p[8400];
    snprintf(p, sizeof p, "%s/%s", dir, name);
    FILE *f = fopen(p, "wb");
    if (!f) {
        perror(p);
        exit(2);
    }
    if (n) fwrite(b, 1, n, f);
    fclose(f);
}

static inline double now_s(void) { return (double)st_mono_ns() / 1e9; }

/* Sorts series by key and writes them as one block; returns its dir. */
static inline int write_block(const vfs *v, const char *parent, tseries *s, size_t n, int64_t mint,
                       int64_t maxt, char *dir_out, size_t cap, st_err *e)
{
    qsort(s, n, sizeof *s, tseries_cmp);
    blk_writer *w;
    int rc = blk_writer_open(v, parent, mint, maxt, 1, &w, e);
    if (rc) return rc;
    for (size_t i = 0; i < n; i++) {
        rc = blk_writer_add(w, s[i].key.p, s[i].key.len, s[i].meta, s[i].ts, s[i].vals, s[i].strs,
                            s[i].n, e);
        if (rc) {
            blk_writer_abort(w);
            return rc;
        }
    }
    char id[33];
    rc = blk_writer_commit(w, id, e);
    if (rc == 0) snprintf(dir_out, cap, "%s/%s", parent, id);
    return rc;
}

/* Does got equal the samples of s within [mint, maxt]? Bit for bit. */
static inline bool same(const codec_samples *got, const tseries *s, int64_t mint, int64_t maxt)
{
    size_t k = 0;
    for (size_t i = 0; i < s->n; i++) {
        if (s->ts[i] < mint || s->ts[i] > maxt) continue;
        if (k >= got->n || got->ts[k] != s->ts[i]) return false;
        if (s->meta.type == ST_VT_STRING) {
            if (!st_slice_eq(got->strs[k], s->strs[i])) return false;
        } else if (got->vals[k] != s->vals[i]) {
            return false;
        }
        k++;
    }
    return k == got->n;
}

static inline uint64_t f2u(double d)
{
    uint64_t u;
    memcpy(&u, &d, 8);
    return u;
}

static inline void gen_series(tseries *s, const char *const *kv, st_vtype type, size_t n, int64_t t0,
                       int64_t step)
{
    memset(s, 0, sizeof *s);
    mkkey(&s->key, kv);
    s->meta.type = (uint8_t)type;
    s->meta.table_len = 0;
    s->n = n;
    s->ts = malloc((n + 1) * sizeof *s->ts);
    s->vals = malloc((n + 1) * sizeof *s->vals);
    s->strs = calloc(n + 1, sizeof *s->strs);
    size_t pool = 0;
    for (size_t i = 0; i < n; i++) pool += type == ST_VT_STRING ? 1 + i % 23 : 0;
    s->strpool = malloc(pool + 1);
    size_t at = 0;
    double walk = 50;
    for (size_t i = 0; i < n; i++) {
        s->ts[i] = t0 + (int64_t)i * step + (step > 3 ? (int64_t)(rnd() % 3) : 0);
        switch (type) {
        case ST_VT_FLOAT:
            walk += rnd01() - 0.5;
            s->vals[i] = f2u((double)llround(walk * 100) / 100);
            break;
        case ST_VT_INT: s->vals[i] = (uint64_t)(int64_t)(rnd() % 2001) - 1000; break;
        case ST_VT_UINT: s->vals[i] = rnd(); break;
        case ST_VT_BOOL: s->vals[i] = rnd() & 1; break;
        case ST_VT_STRING: {
            size_t len = i % 23;
            for (size_t k = 0; k < len; k++) s->strpool[at + k] = (char)('a' + rnd() % 26);
            s->strs[i] = st_slice_of(s->strpool + at, len);
            at += len + 1;
            break;
        }
        }
    }
}


static inline bool same_minus(const codec_samples *got, const tseries *s, int64_t dlo, int64_t dhi)
{
    size_t k = 0;
    for (size_t i = 0; i < s->n; i++) {
        if (s->ts[i] >= dlo && s->ts[i] <= dhi) continue;
        if (k >= got->n || got->ts[k] != s->ts[i] || got->vals[k] != s->vals[i]) return false;
        k++;
    }
    return k == got->n;
}

#endif
