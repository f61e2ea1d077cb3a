/* fuzz_lp: libFuzzer target for the line protocol parser and writer.
 *
 * The first byte picks the options (extensions, precision); the rest is a
 * request body, parsed to its end. Any input must give errors or points,
 * never a crash, a hang or a read outside the body. Each point must then
 * hold up:
 *  (a) at least one field, non-empty names, tags sorted and unique, field
 *      keys unique, the raw line inside the body and ending where
 *      InfluxDB's scanLine (lp_line_end) ends it;
 *  (b) written back with the lp_write_* helpers (when line protocol can
 *      say it), it parses to the same point, bit for bit;
 * and (c) the body goes through import_line into a batch, whose sample
 * count must match the stats.
 */
#include "export.h"
#include "lp.h"

#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static bool same(st_slice a, st_slice b) { return a.n == b.n && (!a.n || !memcmp(a.p, b.p, a.n)); }

static void check_rewrite(const lp_line *L)
{
    if (!lp_measurement_ok(L->measurement) || !lp_field_key_ok(L->fields[0].key)) return;
    for (size_t i = 0; i < L->ntags; i++)
        if (!lp_key_ok(L->tags[i].name) || !lp_key_ok(L->tags[i].value)) return;
    for (size_t i = 1; i < L->nfields; i++)
        if (!lp_key_ok(L->fields[i].key)) return;
    st_buf b = {0};
    lp_write_measurement(&b, L->measurement);
    for (size_t i = 0; i < L->ntags; i++) {
        st_buf_putc(&b, ',');
        lp_write_key(&b, L->tags[i].name);
        st_buf_putc(&b, '=');
        lp_write_key(&b, L->tags[i].value);
    }
    for (size_t i = 0; i < L->nfields; i++) {
        const lp_field *f = &L->fields[i];
        st_buf_putc(&b, i ? ',' : ' ');
        lp_write_key(&b, f->key);
        st_buf_putc(&b, '=');
        switch (f->type) {
        case ST_VT_FLOAT: lp_write_float(&b, f->bits); break;
        case ST_VT_INT: lp_write_int(&b, (int64_t)f->bits); break;
        case ST_VT_UINT: lp_write_uint(&b, f->bits); break;
        case ST_VT_BOOL: lp_write_bool(&b, f->bits != 0); break;
        case ST_VT_STRING: lp_write_string(&b, f->str); break;
        default: abort();
        }
    }
    if (L->has_ts) st_buf_printf(&b, " %lld", (long long)L->ts);
    st_buf_putc(&b, '\n');

    lp_parser *P = lp_parser_new();
    lp_opts o = {.precision = LP_NS, .extensions = true};
    lp_reset(P, (const char *)b.p, b.len, &o, NULL);
    lp_line R;
    st_err e;
    if (lp_next(P, &R, &e) != 1) abort();
    if (!same(R.measurement, L->measurement) || R.ntags != L->ntags ||
        R.nfields != L->nfields || R.has_ts != L->has_ts || (L->has_ts && R.ts != L->ts))
        abort();
    for (size_t i = 0; i < L->ntags; i++)
        if (!same(R.tags[i].name, L->tags[i].name) || !same(R.tags[i].value, L->tags[i].value))
            abort();
    for (size_t i = 0; i < L->nfields; i++) {
        const lp_field *x = &R.fields[i], *y = &L->fields[i];
        if (!same(x->key, y->key) || x->type != y->type) abort();
        if (x->type == ST_VT_STRING ? !same(x->str, y->str) : x->bits != y->bits) abort();
    }
    if (lp_next(P, &R, &e) != 0) abort();
    lp_parser_free(P);
    st_buf_free(&b);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1) return 0;
    lp_opts o = {.precision = (lp_precision)(data[0] % 6), .extensions = (data[0] & 8) != 0};
    const char *body = (const char *)data + 1, *end = body + size - 1;
    lp_parser *P = lp_parser_new();
    lp_reset(P, body, size - 1, &o, NULL);
    lp_line L;
    st_err e;
    int rc;
    size_t steps = 0, last_line = 0;
    while ((rc = lp_next(P, &L, &e)) != 0) {
        if (++steps > size + 1) abort(); /* no progress */
        if (L.lineno <= last_line && steps > 1) abort();
        last_line = L.lineno;
        if (L.raw.p < body || L.raw.p + L.raw.n > end) abort();
        if (rc < 0) continue;
        if (!L.nfields || !L.measurement.n) abort();
        const char *le = lp_line_end(L.raw.p, end), *re = L.raw.p + L.raw.n;
        if (le != re && !(le == re + 1 && *re == '\r')) abort();
        for (size_t i = 0; i < L.ntags; i++) {
            if (!L.tags[i].name.n || !L.tags[i].value.n) abort();
            if (i && st_slice_cmp(L.tags[i - 1].name, L.tags[i].name) >= 0) abort();
        }
        for (size_t i = 0; i < L.nfields; i++) {
            if (!L.fields[i].key.n || L.fields[i].type < ST_VT_FLOAT ||
                L.fields[i].type > ST_VT_STRING)
                abort();
            for (size_t j = 0; j < i; j++)
                if (same(L.fields[i].key, L.fields[j].key)) abort();
        }
        check_rewrite(&L);
    }
    lp_parser_free(P);

    store_batch *b = store_batch_new();
    import_stats st;
    import_line(body, size - 1, o.precision, 1700000000000000000LL, b, &st, &e);
    if (st.lines_bad > st.lines || store_batch_samples(b) != st.samples) abort();
    store_batch_free(b);
    return 0;
}
