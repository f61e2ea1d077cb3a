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
 * parseable): format version 1 ones (all_types_*, empty, many_series_zstd,
 * multi_chunk*, one_float) from before version 2, and version 2 ones (v2_*,
 * written by STRATA_WRITE_BLOCK_SEEDS=DIR build/engine/tests/test_block_v2)
 * with several chunks a series, statistics of every type, tombstones.
 *
 * Besides reads, every chunk goes through blk_chunk_meta and
 * blk_read_chunk (statistics records, the index's chunk times), and the
 * table index is checked against the series' names.
 *
 * Built with -DFUZZING_BUILD_MODE_UNSAFE_FOR_PRODUCTION, block.c skips its
 * checksum comparisons so the fuzzer reaches the parsers behind them; the
 * replay build (without it) checks them as production does.
 */
#include "block.h"

#include <math.h>
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

static double u2d(uint64_t u)
{
    double d;
    memcpy(&d, &u, 8);
    return d;
}

/* What a chunk's metadata promises on any accepted input. */
static void check_meta(blk *b, uint32_t id, const blk_chunk *ch)
{
    const codec_stats *st = &ch->stats;
    MUST(ch->mint <= ch->maxt && ch->mint >= blk_mint(b) && ch->maxt <= blk_maxt(b));
    if (!ch->exact_mint) { /* version 1: no statistics */
        MUST(st->count == 0 && st->flags == 0 && st->min == 0 && st->sum == 0);
        return;
    }
    MUST(st->count >= 1 && (st->flags & ~CODEC_STATS_VALID) == 0);
    if (!(st->flags & CODEC_STATS_VALID)) {
        MUST(st->min == 0 && st->max == 0 && st->sum == 0);
        return;
    }
    uint64_t v[3] = {st->first, st->last, st->max};
    switch ((st_vtype)blk_series_meta(b, id).type) {
    case ST_VT_FLOAT:
        MUST(!isnan(u2d(st->min)) && !isnan(u2d(st->max)));
        for (int i = 0; i < 3; i++) MUST(u2d(st->min) <= u2d(v[i]) && u2d(v[i]) <= u2d(st->max));
        break;
    case ST_VT_INT:
        for (int i = 0; i < 3; i++)
            MUST((int64_t)st->min <= (int64_t)v[i] && (int64_t)v[i] <= (int64_t)st->max);
        break;
    case ST_VT_BOOL:
    case ST_VT_UINT:
        MUST(blk_series_meta(b, id).type == ST_VT_UINT || (st->max <= 1 && st->sum <= st->count));
        for (int i = 0; i < 3; i++) MUST(st->min <= v[i] && v[i] <= st->max);
        break;
    case ST_VT_STRING: MUST(0); /* never valid */
    }
}

/* Every chunk of series id (the first 64): metadata, reads one by one, and
 * blk_read equal to their concatenation. */
static void exercise_chunks(blk *b, uint32_t id, codec_samples *cs)
{
    st_err e;
    uint32_t nc = blk_series_nchunks(b, id);
    MUST(nc >= 1);
    size_t total = 0;
    bool all = nc <= 64, have_prev = false;
    int64_t prev = 0;
    for (uint32_t i = 0; i < nc && i < 64; i++) {
        blk_chunk ch;
        int rm = blk_chunk_meta(b, id, i, &ch, &e);
        MUST(rm == 0 || rm == ST_ECORRUPT);
        if (rm == 0) {
            check_meta(b, id, &ch);
            MUST(!have_prev || ch.mint > prev);
        }
        have_prev = rm == 0;
        prev = ch.maxt;
        int rr = blk_read_chunk(b, id, i, INT64_MIN, INT64_MAX, cs, &e);
        MUST(rr == 0 || rr == ST_ECORRUPT);
        all &= rr == 0;
        if (rr) continue;
        total += cs->n;
        for (size_t k = 0; k < cs->n; k++) MUST(k == 0 || cs->ts[k] > cs->ts[k - 1]);
        if (rm == 0) {
            for (size_t k = 0; k < cs->n; k++) MUST(cs->ts[k] >= ch.mint && cs->ts[k] <= ch.maxt);
            if (ch.exact_mint && !blk_tombstoned(b, id, ch.mint, ch.maxt))
                MUST(cs->n == ch.stats.count && cs->ts[0] == ch.mint && cs->ts[cs->n - 1] == ch.maxt);
        }
        /* a range inside the chunk */
        if (cs->n > 2) {
            int64_t lo = cs->ts[1], hi = cs->ts[cs->n - 2];
            MUST(blk_read_chunk(b, id, i, lo, hi, cs, &e) == 0);
            for (size_t k = 0; k < cs->n; k++) MUST(cs->ts[k] >= lo && cs->ts[k] <= hi);
        }
    }
    if (all) {
        MUST(blk_read(b, id, INT64_MIN, INT64_MAX, cs, &e) == 0 && cs->n == total);
    }
    (void)blk_tombstoned(b, id, blk_mint(b), blk_maxt(b));
    blk_chunk ch;
    MUST(blk_chunk_meta(b, id, nc, &ch, &e) == ST_EINVAL);
    MUST(blk_read_chunk(b, id, nc, INT64_MIN, INT64_MAX, cs, &e) == ST_EINVAL);
}

/* The table index: sorted distinct tables, each with ascending ids whose
 * names map to it (labels.h). */
static void exercise_tables(blk *b)
{
    const st_slice *tabs;
    size_t nt, total = 0;
    uint32_t n = blk_nseries(b);
    blk_tables(b, &tabs, &nt);
    for (size_t t = 0; t < nt; t++) {
        MUST(tabs[t].n > 0);
        if (t) {
            size_t m = tabs[t - 1].n < tabs[t].n ? tabs[t - 1].n : tabs[t].n;
            int c = memcmp(tabs[t - 1].p, tabs[t].p, m);
            MUST(c < 0 || (c == 0 && tabs[t - 1].n < tabs[t].n));
        }
        const uint32_t *ids;
        size_t cnt;
        blk_table_series(b, tabs[t], &ids, &cnt);
        MUST(cnt >= 1);
        total += cnt;
        for (size_t k = 0; k < cnt; k++) {
            MUST(ids[k] < n && (k == 0 || ids[k] > ids[k - 1]));
            if (k > 4) continue;
            const uint8_t *key;
            size_t kl;
            blk_series_key(b, ids[k], &key, &kl);
            st_slice name = labels_key_name(key, kl);
            uint16_t tl = blk_series_meta(b, ids[k]).table_len;
            size_t want = tl == 0 || tl >= name.n ? name.n : tl;
            MUST(want == tabs[t].n && memcmp(name.p, tabs[t].p, want) == 0);
        }
    }
    MUST(total <= n);
}

static void exercise(blk *b)
{
    uint32_t n = blk_nseries(b);
    codec_samples cs = {0};
    st_err e;
    exercise_tables(b);
    MUST(blk_series_nchunks(b, n) == 0);
    for (uint32_t id = 0; id < n && id < 64; id++) exercise_chunks(b, id, &cs);
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
