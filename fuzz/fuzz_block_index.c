/* fuzz_block_index: arbitrary bytes as a block's meta, index, tombstones and
 * chunks files, through the same validation blk_open runs (blk_open_mem), then
 * through every read entry point of the block. Whatever the bytes, the block
 * must refuse them with ST_ECORRUPT or answer consistently; never crash,
 * overread or leak.
 *
 * Input: u16le meta_len | meta | u32le index_len | index | u16le tomb_len
 *        (0xffff: no tombstones file) | tombstones | chunks (the rest)
 * Lengths past the end of the input are clipped. The seeds in
 * fuzz/corpus/block_index are real blocks written by block_write.c (small
 * ones, whose index sections are stored raw so that mutations stay
 * parseable).
 *
 * Built with -DFUZZING_BUILD_MODE_UNSAFE_FOR_PRODUCTION, block.c skips its
 * checksum comparisons so the fuzzer reaches the parsers behind them; the
 * replay build (without it) checks them as production does.
 */
#include "block.h"

#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static size_t take(const uint8_t **p, size_t *left, size_t want, const uint8_t **out)
{
    if (want > *left) want = *left;
    *out = *p;
    *p += want;
    *left -= want;
    return want;
}

static size_t get_len(const uint8_t **p, size_t *left, int bytes)
{
    size_t v = 0;
    for (int i = 0; i < bytes && *left; i++, (*p)++, (*left)--) v |= (size_t)**p << (8 * i);
    return v;
}

/* An invariant the block promises on any accepted input. */
#define MUST(cond)                                                                  \
    do {                                                                            \
        if (!(cond)) abort();                                                       \
    } while (0)

static void exercise(blk *b)
{
    uint32_t n = blk_nseries(b);
    codec_samples cs = {0};
    st_err e;
    for (uint32_t id = 0; id < n && id < 256; id++) {
        const uint8_t *key;
        size_t kl;
        blk_series_key(b, id, &key, &kl);
        uint32_t found;
        MUST(blk_find(b, key, kl, &found) == 0 && found == id);
        int rc = blk_read(b, id, INT64_MIN, INT64_MAX, &cs, &e);
        MUST(rc == 0 || rc == ST_ECORRUPT);
        for (size_t i = 0; rc == 0 && i < cs.n; i++)
            MUST(cs.ts[i] >= blk_mint(b) && cs.ts[i] <= blk_maxt(b));
        int64_t mid = blk_mint(b) / 2 + blk_maxt(b) / 2;
        rc = blk_read(b, id, mid, blk_maxt(b), &cs, &e);
        MUST(rc == 0 || rc == ST_ECORRUPT);
        for (size_t i = 0; rc == 0 && i < cs.n; i++) MUST(cs.ts[i] >= mid);
    }
    MUST(blk_read(b, n, INT64_MIN, INT64_MAX, &cs, &e) == ST_EINVAL);
    codec_samples_free(&cs);

    st_slice *names = NULL, *vals = NULL;
    size_t nn = 0, nc = 0, nv = 0, vc = 0;
    blk_label_names(b, NULL, &names, &nn, &nc);
    postings p = {0};
    for (size_t i = 0; i < nn && i < 8; i++) {
        nv = 0;
        blk_label_values(b, names[i], NULL, &vals, &nv, &vc);
        if (!nv) continue;
        matcher *ms[2];
        if (matcher_new(MATCH_EQ, names[i], vals[nv / 2], &ms[0], &e)) continue;
        if (matcher_new(MATCH_NRE, names[i], st_slice_cstr("a.*|"), &ms[1], &e)) {
            matcher_free(ms[0]);
            continue;
        }
        MUST(blk_select(b, ms, 1, &p, &e) == 0 && p.n >= 1);
        for (size_t k = 0; k < p.n; k++) MUST(p.ids[k] < n && (k == 0 || p.ids[k] > p.ids[k - 1]));
        postings sub = p;
        p = (postings){0};
        nv = 0;
        blk_label_values(b, names[i], &sub, &vals, &nv, &vc);
        MUST(nv == 1);
        size_t nn2 = 0, nc2 = 0;
        st_slice *n2 = NULL;
        blk_label_names(b, &sub, &n2, &nn2, &nc2);
        MUST(nn2 >= 1);
        st_free(n2);
        MUST(blk_select(b, ms, 2, &p, &e) == 0);
        /* a matcher that matches "": the subtracting pass */
        matcher *ne;
        if (matcher_new(MATCH_NEQ, names[i], vals[0], &ne, &e) == 0) {
            MUST(blk_select(b, &ne, 1, &p, &e) == 0);
            for (size_t k = 0; k < p.n; k++) MUST(p.ids[k] < n);
            matcher_free(ne);
        }
        postings_free(&sub);
        matcher_free(ms[0]);
        matcher_free(ms[1]);
    }
    postings_free(&p);
    st_free(names);
    st_free(vals);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const uint8_t *p = data, *meta, *index, *tomb, *chunks;
    size_t left = size;
    size_t meta_len = take(&p, &left, get_len(&p, &left, 2), &meta);
    size_t index_len = take(&p, &left, get_len(&p, &left, 4), &index);
    size_t tl = get_len(&p, &left, 2);
    size_t tomb_len = tl == 0xffff ? 0 : take(&p, &left, tl, &tomb);
    size_t chunks_len = take(&p, &left, left, &chunks);
    /* private copies, so an overread is caught at the exact end of each file */
    uint8_t *m = malloc(meta_len + 1), *x = malloc(index_len + 1), *c = malloc(chunks_len + 1),
            *t = tl == 0xffff ? NULL : malloc(tomb_len + 1);
    memcpy(m, meta, meta_len);
    memcpy(x, index, index_len);
    memcpy(c, chunks, chunks_len);
    if (t) memcpy(t, tomb, tomb_len);
    blk *b = NULL;
    st_err e;
    int rc = blk_open_mem(m, meta_len, x, index_len, c, chunks_len, t, tomb_len, &b, &e);
    MUST(rc == 0 || rc == ST_ECORRUPT);
    MUST((rc == 0) == (b != NULL));
    if (b) {
        exercise(b);
        blk_unref(b);
    }
    free(m);
    free(x);
    free(c);
    free(t);
    return 0;
}
