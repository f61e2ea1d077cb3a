/* scanutil: reading whole series through the query layer (scan.h), for
 * tests that check what the store holds. One selector, every value type,
 * canonical-key order, each series' samples whole. */
#ifndef ST_TEST_SCANUTIL_H
#define ST_TEST_SCANUTIL_H

#include "scan.h"

typedef struct tscan {
    scan *sc;
    scan_iter *it;
    scan_series ss;
} tscan;

/* 0, ST_ENOTFOUND for an unknown database, or an error. */
static inline int tscan_open(store *s, const char *db, matcher *const *ms, size_t n, int64_t mint, int64_t maxt,
                             tscan *t, st_err *e)
{
    matcher *const *sel[1] = {ms};
    size_t nsel[1] = {n};
    scan_spec sp = {.db = db, .sel = sel, .nsel = nsel, .nselectors = 1, .mint = mint, .maxt = maxt,
                    .mode = SCAN_SAMPLES, .order = SCAN_ORDER_KEY};
    t->it = NULL;
    int rc = scan_open(s, &sp, &t->sc, e);
    if (rc) return rc;
    return scan_iter_open(t->sc, 0, SIZE_MAX, &t->it, e);
}

/* 1 with the next series' key, meta and samples; 0 at the end; or an error. */
static inline int tscan_next(tscan *t, const uint8_t **key, size_t *keylen, series_meta *meta, codec_samples *out,
                             st_err *e)
{
    int rc = scan_iter_next(t->it, &t->ss, e);
    if (rc != 1) return rc;
    *key = t->ss.key;
    *keylen = t->ss.keylen;
    meta->type = (uint8_t)t->ss.type;
    meta->table_len = (uint16_t)t->ss.table.n;
    rc = scan_iter_read_all(t->it, out, e);
    return rc ? rc : 1;
}

static inline void tscan_close(tscan *t)
{
    scan_iter_close(t->it);
    scan_close(t->sc);
}

#endif
