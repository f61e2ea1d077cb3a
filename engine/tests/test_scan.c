/* test_scan: the query layer (scan.h) over a real store: selection (union
 * of selectors, types, the table index, columns), the four orders, the
 * three modes and what each decodes, merges across blocks and memory with
 * the later write winning, bounded batches, iterators on several threads,
 * a flush under a running scan, chunk statistics, budgets, label lists,
 * head cardinality, and the label limit at the gate. */
#include <math.h>
#include <pthread.h>
#include <string.h>

#include "labels.h"
#include "samples.h"
#include "scan.h"
#include "store.h"
#include "storeutil.h"
#include "testlib.h"

static char *g_dir;
static int64_t T0; /* a whole hour, an hour ago */

static store *open_store(const char *sub) { return test_store_open(g_dir, sub); }

/* Writes n samples 10 s apart from t0 to name{host=...,dc=...}; value i*mul. */
static void put(store *s, const char *name, uint16_t table_len, const char *host, const char *dc, uint8_t type,
                int64_t t0, size_t n, double mul)
{
    store_batch *b = store_batch_new();
    label ls[3] = {{st_slice_cstr("__name__"), st_slice_cstr(name)},
                   {st_slice_cstr("host"), st_slice_cstr(host)},
                   {st_slice_cstr("dc"), st_slice_cstr(dc)}};
    uint32_t h;
    st_err e = {0};
    if (store_batch_series(b, ls, 3, (series_meta){type, table_len}, &h, &e)) fprintf(stderr, "%s\n", e.msg);
    for (size_t i = 0; i < n; i++) {
        int64_t ts = t0 + (int64_t)i * 10 * ST_NS_PER_S;
        if (type == ST_VT_STRING) {
            char v[32];
            snprintf(v, sizeof v, "s%zu", i);
            store_batch_add_str(b, h, ts, st_slice_cstr(v));
        } else if (type == ST_VT_FLOAT) {
            double d = (double)i * mul;
            uint64_t u;
            memcpy(&u, &d, 8);
            store_batch_add(b, h, ts, u);
        } else {
            store_batch_add(b, h, ts, (uint64_t)i);
        }
    }
    store_write_result r;
    if (store_write(s, "default", b, &r, &e)) fprintf(stderr, "write: %s\n", e.msg);
    store_batch_free(b);
}

static matcher *eq(const char *name, const char *value)
{
    matcher *m;
    matcher_new(MATCH_EQ, st_slice_cstr(name), st_slice_cstr(value), &m, NULL);
    return m;
}

static matcher *re(const char *name, const char *value)
{
    matcher *m;
    matcher_new(MATCH_RE, st_slice_cstr(name), st_slice_cstr(value), &m, NULL);
    return m;
}

static uint64_t decoded(store *s)
{
    store_stats st;
    store_get_stats(s, &st);
    return st.scan_samples_decoded;
}

/* Opens a scan of one selector. */
static int open1(store *s, matcher **ms, size_t n, scan_mode mode, scan_order order, int64_t mint, int64_t maxt,
                 scan **out)
{
    matcher *const *sel[1] = {ms};
    size_t nsel[1] = {n};
    scan_spec sp = {.db = "default", .sel = sel, .nsel = nsel, .nselectors = n ? 1 : 0, .mint = mint, .maxt = maxt,
                    .mode = mode, .order = order};
    return scan_open(s, &sp, out, NULL);
}

/* Every series' metric and host, joined, in scan order. */
static void names_of(scan *sc, char *out, size_t cap)
{
    scan_iter *it;
    st_err e = {0};
    out[0] = 0;
    int rc = scan_iter_open(sc, 0, SIZE_MAX, &it, &e);
    CHECK_MSG(rc == 0, "scan_iter_open: %d %s", rc, e.msg);
    if (rc) {
        snprintf(out, cap, "<scan_iter_open failed>");
        return;
    }
    scan_series ss;
    while (scan_iter_next(it, &ss, NULL) == 1) {
        size_t l = strlen(out);
        st_slice host = labels_key_get(ss.key, ss.keylen, st_slice_cstr("host"));
        snprintf(out + l, cap - l, "%s%.*s/%.*s", l ? " " : "", (int)ss.metric.n, ss.metric.p, (int)host.n, host.p);
    }
    scan_iter_close(it);
}

/* A copy of one series' labels, for comparing with the next one's. */
typedef struct lcopy {
    size_t n;
    char k[4][64], v[4][64];
} lcopy;

static void lcopy_set(lcopy *c, const label *ls, size_t n)
{
    c->n = n < 4 ? n : 4;
    for (size_t i = 0; i < c->n; i++) {
        snprintf(c->k[i], sizeof c->k[i], "%.*s", (int)ls[i].name.n, ls[i].name.p);
        snprintf(c->v[i], sizeof c->v[i], "%.*s", (int)ls[i].value.n, ls[i].value.p);
    }
}

/* Prometheus's labels.Compare of the copy against ls: name, then value,
 * pair by pair; the shorter set first when one is a prefix. */
static int lcopy_compare(const lcopy *c, const label *ls, size_t n)
{
    for (size_t i = 0; i < c->n && i < n; i++) {
        int d = st_slice_cmp(st_slice_cstr(c->k[i]), ls[i].name);
        if (!d) d = st_slice_cmp(st_slice_cstr(c->v[i]), ls[i].value);
        if (d) return d;
    }
    return (c->n > n) - (c->n < n);
}

static void test_selection_and_orders(void)
{
    store *s = open_store("sel");
    CHECK(s != NULL);
    if (!s) return;
    put(s, "cpu_usage_user", 3, "b", "x", ST_VT_FLOAT, T0, 5, 1);
    put(s, "cpu_usage_user", 3, "a", "y", ST_VT_FLOAT, T0, 5, 1);
    put(s, "cpu_idle", 3, "a", "y", ST_VT_INT, T0, 5, 1);
    put(s, "cpu", 3, "a", "y", ST_VT_FLOAT, T0, 5, 1);     /* line protocol field "value" */
    put(s, "cpu_total", 9, "a", "y", ST_VT_FLOAT, T0, 5, 1); /* remote_write metric cpu_total: table cpu_total */
    put(s, "mem_free", 3, "a", "y", ST_VT_STRING, T0, 5, 1);
    CHECK_OK(store_flush_all(s, NULL));
    put(s, "cpu_usage_user", 3, "c", "x", ST_VT_FLOAT, T0, 5, 1); /* in memory only */
    char got[512];
    scan *sc;
    /* the table index: cpu holds cpu_usage_user, cpu_idle and cpu, not cpu_total */
    scan_spec sp = {.db = "default", .table = st_slice_cstr("cpu"), .mint = INT64_MIN, .maxt = INT64_MAX,
                    .mode = SCAN_KEYS, .order = SCAN_ORDER_TABLE};
    CHECK_OK(scan_open(s, &sp, &sc, NULL));
    names_of(sc, got, sizeof got);
    /* table, then tags (dc before host), then column */
    CHECK_MSG(!strcmp(got, "cpu_usage_user/b cpu_usage_user/c cpu_idle/a cpu_usage_user/a cpu/a"), "%s", got);
    scan_close(sc);
    sp.column = st_slice_cstr("value");
    CHECK_OK(scan_open(s, &sp, &sc, NULL));
    names_of(sc, got, sizeof got);
    CHECK_MSG(!strcmp(got, "cpu/a"), "%s", got);
    scan_close(sc);
    sp.table = st_slice_cstr("cpu_total");
    CHECK_OK(scan_open(s, &sp, &sc, NULL));
    names_of(sc, got, sizeof got);
    CHECK_MSG(!strcmp(got, "cpu_total/a"), "%s", got);
    scan_close(sc);
    /* two selectors: their union, each series once, numbers only */
    matcher *a[1] = {eq("host", "a")}, *b[1] = {eq("dc", "y")};
    matcher *const *sel[2] = {a, b};
    size_t nsel[2] = {1, 1};
    scan_spec u = {.db = "default", .sel = sel, .nsel = nsel, .nselectors = 2, .mint = INT64_MIN, .maxt = INT64_MAX,
                   .mode = SCAN_KEYS, .order = SCAN_ORDER_LABELS, .types = SCAN_TYPES_NUMERIC};
    CHECK_OK(scan_open(s, &u, &sc, NULL));
    CHECK_EQ_INT(scan_count(sc), 4);
    /* labels order (labels.Compare): by the parsed labels, pair by pair,
     * against a copy of the previous series' (what an iterator returns is
     * borrowed until its next call); "__name__" < "dc" < "host" */
    scan_iter *it;
    CHECK_OK(scan_iter_open(sc, 0, SIZE_MAX, &it, NULL));
    scan_series ss;
    lcopy prev = {0};
    uint8_t pk[512];
    size_t pkl = 0, n = 0;
    char seq[256] = "";
    while (scan_iter_next(it, &ss, NULL) == 1) {
        if (n++) {
            CHECK(labels_key_compare(pk, pkl, ss.key, ss.keylen) < 0);
            CHECK_MSG(lcopy_compare(&prev, ss.labels, ss.nlabels) < 0, "series %zu (%.*s) not after %s", n,
                      (int)ss.metric.n, ss.metric.p, prev.v[0]);
        }
        CHECK(ss.nlabels == 3 && st_slice_eq(ss.labels[0].name, st_slice_cstr("__name__")) &&
              st_slice_eq(ss.labels[0].value, ss.metric));
        lcopy_set(&prev, ss.labels, ss.nlabels);
        memcpy(pk, ss.key, ss.keylen);
        pkl = ss.keylen;
        CHECK(ss.type != ST_VT_STRING);
        size_t l = strlen(seq);
        snprintf(seq + l, sizeof seq - l, "%s%.*s", l ? " " : "", (int)ss.metric.n, ss.metric.p);
    }
    CHECK_EQ_INT(n, 4);
    CHECK_MSG(!strcmp(seq, "cpu cpu_idle cpu_total cpu_usage_user"), "%s", seq);
    scan_iter_close(it);
    scan_close(sc);
    matcher_free(a[0]);
    matcher_free(b[0]);
    /* key order is bytewise */
    matcher *m[1] = {re("__name__", "cpu.*")};
    CHECK_OK(open1(s, m, 1, SCAN_KEYS, SCAN_ORDER_KEY, INT64_MIN, INT64_MAX, &sc));
    CHECK_OK(scan_iter_open(sc, 0, SIZE_MAX, &it, NULL));
    n = 0;
    while (scan_iter_next(it, &ss, NULL) == 1) {
        if (n++) {
            size_t k = pkl < ss.keylen ? pkl : ss.keylen;
            int c = memcmp(pk, ss.key, k);
            CHECK(c < 0 || (c == 0 && pkl < ss.keylen));
        }
        memcpy(pk, ss.key, ss.keylen);
        pkl = ss.keylen;
    }
    CHECK_EQ_INT(n, 6);
    scan_iter_close(it);
    scan_close(sc);
    matcher_free(m[0]);
    /* label names and values come from keys alone */
    uint64_t before = decoded(s);
    CHECK_OK(open1(s, NULL, 0, SCAN_KEYS, SCAN_ORDER_KEY, INT64_MIN, INT64_MAX, &sc));
    st_slice *v;
    size_t nv;
    CHECK_OK(scan_label_names(sc, &v, &nv, NULL));
    CHECK_EQ_INT(nv, 3);
    CHECK(nv == 3 && st_slice_eq(v[0], st_slice_cstr("__name__")) && st_slice_eq(v[1], st_slice_cstr("dc")));
    CHECK_OK(scan_label_values(sc, st_slice_cstr("host"), &v, &nv, NULL));
    CHECK_EQ_INT(nv, 3);
    scan_close(sc);
    CHECK_EQ_INT(decoded(s), before);
    store_close(s, NULL);
}

/* SCAN_ORDER_CREATION: over the head alone, the order series were
 * created in, whatever their labels and shards (each series with its own
 * samples); a type filter still applies; once blocks are read, labels. */
static void test_creation_order(void)
{
    store *s = open_store("creation");
    CHECK(s != NULL);
    if (!s) return;
    enum { N = 40 };
    char want[N * 8] = "", host[16];
    /* created z39 ... z00 (label order is the reverse), a string series among them */
    for (int i = N - 1; i >= 0; i--) {
        snprintf(host, sizeof host, "z%02d", i);
        put(s, "m", 1, host, "d", ST_VT_FLOAT, T0, 3, i + 1);
        if (i == N / 2) put(s, "m", 1, "s", "d", ST_VT_STRING, T0, 3, 1);
        size_t l = strlen(want);
        snprintf(want + l, sizeof want - l, "%sm/%s", l ? " " : "", host);
    }
    matcher *m[1] = {eq("__name__", "m")};
    matcher *const *sel[1] = {m};
    size_t nsel[1] = {1};
    scan_spec sp = {.db = "default", .sel = sel, .nsel = nsel, .nselectors = 1, .mint = INT64_MIN,
                    .maxt = INT64_MAX, .mode = SCAN_SAMPLES, .order = SCAN_ORDER_CREATION,
                    .types = SCAN_TYPES_NUMERIC};
    scan *sc;
    char got[N * 8];
    CHECK_OK(scan_open(s, &sp, &sc, NULL));
    CHECK_EQ_INT(scan_count(sc), N);
    names_of(sc, got, sizeof got);
    CHECK_MSG(!strcmp(got, want), "%s", got);
    /* each series' own samples: value 1 * (i + 1) at the second sample of z<i> */
    scan_iter *it;
    CHECK_OK(scan_iter_open(sc, 0, SIZE_MAX, &it, NULL));
    scan_series ss;
    int bad = 0, seen = 0;
    while (scan_iter_next(it, &ss, NULL) == 1) {
        st_slice h = labels_key_get(ss.key, ss.keylen, st_slice_cstr("host"));
        int i = atoi(h.p + 1);
        scan_batch b;
        CHECK(scan_iter_batch(it, &b, NULL) == 1);
        if (b.n != 3 || scan_value_double(ss.type, b.vals[1]) != (double)(i + 1)) bad++;
        seen++;
    }
    scan_iter_close(it);
    CHECK_EQ_INT(seen, N);
    CHECK_EQ_INT(bad, 0);
    scan_close(sc);
    /* with blocks: label order */
    CHECK_OK(store_flush_all(s, NULL));
    put(s, "m", 1, "a", "d", ST_VT_FLOAT, T0 + 3600 * ST_NS_PER_S, 3, 1); /* new, in memory */
    CHECK_OK(scan_open(s, &sp, &sc, NULL));
    names_of(sc, got, sizeof got);
    char sorted[N * 8] = "m/a";
    for (int i = 0; i < N; i++) {
        size_t l = strlen(sorted);
        snprintf(sorted + l, sizeof sorted - l, " m/z%02d", i);
    }
    CHECK_MSG(!strcmp(got, sorted), "%s", got);
    scan_close(sc);
    matcher_free(m[0]);
    store_close(s, NULL);
}

/* scan_table_schema_get: fields sorted with their types and series names,
 * tags sorted; kept until the series change: a new field, a new tag, a
 * flush (the same answer from blocks), a delete. */
static void test_table_schema(void)
{
    store *s = open_store("schema");
    CHECK(s != NULL);
    if (!s) return;
    put(s, "cpu_usage_user", 3, "a", "x", ST_VT_FLOAT, T0, 3, 1);
    put(s, "cpu_idle", 3, "b", "y", ST_VT_INT, T0, 3, 1);
    st_arena *a = st_arena_new(4096);
    scan_table_schema ts;
    CHECK_OK(scan_table_schema_get(s, "default", st_slice_cstr("cpu"), a, &ts, NULL));
    CHECK(ts.nfields == 2 && st_slice_eq(ts.fields[0], st_slice_cstr("idle")) && ts.types[0] == ST_VT_INT &&
          st_slice_eq(ts.metrics[0], st_slice_cstr("cpu_idle")) && st_slice_eq(ts.fields[1], st_slice_cstr("usage_user")));
    CHECK(ts.ntags == 2 && st_slice_eq(ts.tags[0], st_slice_cstr("dc")) && st_slice_eq(ts.tags[1], st_slice_cstr("host")));
    /* asked again: the same (kept) */
    CHECK_OK(scan_table_schema_get(s, "default", st_slice_cstr("cpu"), a, &ts, NULL));
    CHECK_EQ_INT(ts.nfields, 2);
    CHECK(ts.kinds[0] == SCAN_FIELD_PLAIN && ts.kinds[1] == SCAN_FIELD_PLAIN);
    /* a new field shows at once */
    put(s, "cpu_steal", 3, "a", "x", ST_VT_FLOAT, T0, 3, 1);
    CHECK_OK(scan_table_schema_get(s, "default", st_slice_cstr("cpu"), a, &ts, NULL));
    CHECK(ts.nfields == 3 && st_slice_eq(ts.fields[1], st_slice_cstr("steal")));
    /* series carrying measure_name (Timestream's records): which fields they hold */
    store_batch *b = store_batch_new();
    label ls[3] = {{st_slice_cstr("__name__"), st_slice_cstr("cpu_usage_user")},
                   {st_slice_cstr("host"), st_slice_cstr("m")},
                   {st_slice_cstr(SCAN_MEASURE_LABEL), st_slice_cstr("load")}};
    uint32_t h;
    CHECK_OK(store_batch_series(b, ls, 3, (series_meta){ST_VT_FLOAT, 3}, &h, NULL));
    store_batch_add(b, h, T0, 0);
    ls[0].value = st_slice_cstr("cpu_zz");
    CHECK_OK(store_batch_series(b, ls, 3, (series_meta){ST_VT_FLOAT, 3}, &h, NULL));
    store_batch_add(b, h, T0, 0);
    store_write_result r;
    CHECK_OK(store_write(s, "default", b, &r, NULL));
    store_batch_free(b);
    CHECK_OK(scan_table_schema_get(s, "default", st_slice_cstr("cpu"), a, &ts, NULL));
    CHECK(ts.nfields == 4 && ts.kinds[0] == SCAN_FIELD_PLAIN && ts.kinds[2] == (SCAN_FIELD_PLAIN | SCAN_FIELD_MEASURED) &&
          ts.kinds[3] == SCAN_FIELD_MEASURED);
    CHECK(ts.ntags == 3 && st_slice_eq(ts.tags[2], st_slice_cstr(SCAN_MEASURE_LABEL)));
    /* the same from blocks */
    CHECK_OK(store_flush_all(s, NULL));
    CHECK_OK(scan_table_schema_get(s, "default", st_slice_cstr("cpu"), a, &ts, NULL));
    CHECK(ts.nfields == 4 && ts.kinds[2] == (SCAN_FIELD_PLAIN | SCAN_FIELD_MEASURED) && ts.kinds[3] == SCAN_FIELD_MEASURED);
    /* a field whose series is deleted goes */
    matcher *m[1] = {eq("__name__", "cpu_steal")};
    uint64_t nser;
    CHECK_OK(store_delete(s, "default", m, 1, INT64_MIN, INT64_MAX, &nser, NULL));
    matcher_free(m[0]);
    CHECK_OK(store_flush_all(s, NULL));
    CHECK_OK(scan_table_schema_get(s, "default", st_slice_cstr("cpu"), a, &ts, NULL));
    CHECK_MSG(ts.nfields == 3, "%zu fields after the delete", ts.nfields);
    /* written again, in memory (its series known, empty there): back at once */
    put(s, "cpu_steal", 3, "a", "x", ST_VT_FLOAT, T0 + 10 * ST_NS_PER_S, 1, 1);
    CHECK_OK(scan_table_schema_get(s, "default", st_slice_cstr("cpu"), a, &ts, NULL));
    CHECK_MSG(ts.nfields == 4, "%zu fields after writing the deleted field again", ts.nfields);
    /* a whole table deleted in memory, then written again */
    put(s, "mem_used", 3, "a", "x", ST_VT_FLOAT, T0, 2, 1);
    CHECK_OK(scan_table_schema_get(s, "default", st_slice_cstr("mem"), a, &ts, NULL));
    CHECK_EQ_INT(ts.nfields, 1);
    m[0] = eq("__name__", "mem_used");
    CHECK_OK(store_delete(s, "default", m, 1, INT64_MIN, INT64_MAX, &nser, NULL));
    matcher_free(m[0]);
    CHECK_OK(scan_table_schema_get(s, "default", st_slice_cstr("mem"), a, &ts, NULL));
    CHECK_EQ_INT(ts.nfields, 0);
    put(s, "mem_used", 3, "a", "x", ST_VT_FLOAT, T0, 1, 1);
    CHECK_OK(scan_table_schema_get(s, "default", st_slice_cstr("mem"), a, &ts, NULL));
    CHECK_MSG(ts.nfields == 1, "%zu fields after writing the deleted table again", ts.nfields);
    CHECK(scan_table_schema_get(s, "nodb", st_slice_cstr("cpu"), a, &ts, NULL) == ST_ENOTFOUND);
    st_arena_free(a);
    store_close(s, NULL);
}

/* Reads series name{host} whole through a scan, in batches of `batch`. */
static size_t read_all(store *s, const char *name, int64_t mint, int64_t maxt, size_t batch, codec_samples *out,
                       size_t *max_batch, int *order_errors)
{
    matcher *m[1] = {eq("__name__", name)};
    matcher *const *sel[1] = {m};
    size_t nsel[1] = {1};
    scan_spec sp = {.db = "default", .sel = sel, .nsel = nsel, .nselectors = 1, .mint = mint, .maxt = maxt,
                    .mode = SCAN_SAMPLES, .order = SCAN_ORDER_KEY, .batch = batch};
    scan *sc;
    samples_clear(out);
    *max_batch = 0;
    *order_errors = 0;
    if (scan_open(s, &sp, &sc, NULL)) {
        matcher_free(m[0]);
        return 0;
    }
    scan_iter *it;
    st_err e = {0};
    int rc = scan_iter_open(sc, 0, SIZE_MAX, &it, &e);
    CHECK_MSG(rc == 0, "scan_iter_open: %d %s", rc, e.msg);
    if (rc) {
        scan_close(sc);
        matcher_free(m[0]);
        return 0;
    }
    scan_series ss;
    size_t nseries = 0;
    while (scan_iter_next(it, &ss, NULL) == 1) {
        nseries++;
        scan_batch b;
        while (scan_iter_batch(it, &b, NULL) == 1) {
            if (b.n > *max_batch) *max_batch = b.n;
            for (size_t i = 0; i < b.n; i++) {
                if (out->n && b.ts[i] <= out->ts[out->n - 1]) (*order_errors)++;
                samples_push(out, false, b.ts[i], b.vals[i], st_slice_of(NULL, 0));
            }
        }
    }
    scan_iter_close(it);
    scan_close(sc);
    matcher_free(m[0]);
    return nseries;
}

static void test_merge_and_batches(void)
{
    store *s = open_store("merge");
    CHECK(s != NULL);
    if (!s) return;
    /* block 1: 0..99, then memory overwrites 50..59 (out of order, later
     * wins) and adds 100..149 */
    put(s, "m", 1, "a", "x", ST_VT_INT, T0, 100, 1);
    CHECK_OK(store_flush_all(s, NULL));
    store_batch *b = store_batch_new();
    label ls[3] = {{st_slice_cstr("__name__"), st_slice_cstr("m")},
                   {st_slice_cstr("host"), st_slice_cstr("a")},
                   {st_slice_cstr("dc"), st_slice_cstr("x")}};
    uint32_t h;
    CHECK_OK(store_batch_series(b, ls, 3, (series_meta){ST_VT_INT, 1}, &h, NULL));
    for (int i = 50; i < 60; i++) store_batch_add(b, h, T0 + i * 10 * ST_NS_PER_S, 1000 + (uint64_t)i);
    for (int i = 100; i < 150; i++) store_batch_add(b, h, T0 + i * 10 * ST_NS_PER_S, (uint64_t)i);
    store_write_result r;
    CHECK_OK(store_write(s, "default", b, &r, NULL));
    store_batch_free(b);
    codec_samples out = {0};
    size_t maxb;
    int oerr;
    CHECK_EQ_INT(read_all(s, "m", INT64_MIN, INT64_MAX, 7, &out, &maxb, &oerr), 1);
    CHECK_EQ_INT(out.n, 150);
    CHECK_EQ_INT(oerr, 0);
    CHECK(maxb <= 7);
    for (size_t i = 0; i < out.n && i < 150; i++) {
        uint64_t want = i >= 50 && i < 60 ? 1000 + i : i;
        CHECK_MSG(out.vals[i] == want && out.ts[i] == T0 + (int64_t)i * 10 * ST_NS_PER_S, "sample %zu", i);
    }
    /* a range: [25, 124] */
    CHECK_EQ_INT(read_all(s, "m", T0 + 250 * ST_NS_PER_S, T0 + 1240 * ST_NS_PER_S, 4096, &out, &maxb, &oerr), 1);
    CHECK_EQ_INT(out.n, 100);
    CHECK(out.n && out.vals[0] == 25 && out.vals[out.n - 1] == 124);
    /* a range with nothing: no series */
    CHECK_EQ_INT(read_all(s, "m", T0 - 100 * ST_NS_PER_S, T0 - 1, 4096, &out, &maxb, &oerr), 0);
    /* flushed again: two blocks overlap in time (the second holds the
     * overwrites); the later block wins */
    CHECK_OK(store_flush_all(s, NULL));
    CHECK_EQ_INT(read_all(s, "m", INT64_MIN, INT64_MAX, 16, &out, &maxb, &oerr), 1);
    CHECK_EQ_INT(out.n, 150);
    CHECK(out.n == 150 && out.vals[55] == 1055 && out.vals[149] == 149);
    codec_samples_free(&out);
    store_close(s, NULL);
}

/* Several iterators of one scan on their own threads. Each reads its first
 * batch, then waits at the barrier while the main thread flushes, then reads
 * the rest; it records every sample it sees, by series (host hNNN, value i at
 * T0 + i * 10 s), so that a sample lost or seen twice shows. */
enum { PAR_SERIES = 200, PAR_SAMPLES = 30, PAR_BATCH = 7 };

typedef struct par {
    scan *sc;
    size_t from, to;
    pthread_barrier_t *gate;    /* NULL: no pause */
    int open_rc, rc;            /* scan_iter_open's, the last scan_iter_next/batch's */
    size_t before;              /* samples read before the pause */
    int order_errors, foreign;  /* samples out of time order; not of a written sample */
    uint8_t seen[PAR_SERIES][PAR_SAMPLES];
} par;

static void *par_run(void *arg)
{
    par *p = arg;
    scan_iter *it = NULL;
    st_err e = {0};
    p->open_rc = scan_iter_open(p->sc, p->from, p->to, &it, &e);
    bool paused = p->gate == NULL;
    if (p->open_rc == 0) {
        scan_series ss;
        while ((p->rc = scan_iter_next(it, &ss, &e)) == 1) {
            st_slice host = labels_key_get(ss.key, ss.keylen, st_slice_cstr("host"));
            int h = -1; /* hNNN */
            if (host.n == 4 && host.p[0] == 'h') {
                h = 0;
                for (int k = 1; k < 4 && h >= 0; k++)
                    h = host.p[k] >= '0' && host.p[k] <= '9' ? h * 10 + (host.p[k] - '0') : -1;
            }
            int64_t last = INT64_MIN;
            scan_batch b;
            while ((p->rc = scan_iter_batch(it, &b, &e)) == 1) {
                for (size_t i = 0; i < b.n; i++) {
                    uint64_t v = b.vals[i];
                    p->order_errors += b.ts[i] <= last;
                    last = b.ts[i];
                    if (h < 0 || h >= PAR_SERIES || v >= PAR_SAMPLES ||
                        b.ts[i] != T0 + (int64_t)v * 10 * ST_NS_PER_S)
                        p->foreign++;
                    else
                        p->seen[h][v]++;
                }
                if (!paused) { /* mid-way through the first series: the flush runs now */
                    p->before = b.n;
                    pthread_barrier_wait(p->gate);
                    pthread_barrier_wait(p->gate);
                    paused = true;
                }
            }
            if (p->rc) break;
        }
        scan_iter_close(it);
    }
    if (!paused) { /* nothing read: still meet the main thread twice */
        pthread_barrier_wait(p->gate);
        pthread_barrier_wait(p->gate);
    }
    return NULL;
}

/* Over the three iterators: samples read, written samples never read,
 * samples read more than once. */
static void par_tally(const par *p, size_t *total, size_t *missing, size_t *twice)
{
    *total = *missing = *twice = 0;
    for (int h = 0; h < PAR_SERIES; h++)
        for (int v = 0; v < PAR_SAMPLES; v++) {
            int n = p[0].seen[h][v] + p[1].seen[h][v] + p[2].seen[h][v];
            *total += (size_t)n;
            *missing += n == 0;
            *twice += n > 1;
        }
}

static void test_threads_and_flush_under_scan(void)
{
    store *s = open_store("par");
    CHECK(s != NULL);
    if (!s) return;
    char host[16];
    for (int i = 0; i < PAR_SERIES; i++) {
        snprintf(host, sizeof host, "h%03d", i);
        put(s, "p", 1, host, "x", ST_VT_INT, T0, PAR_SAMPLES, 1);
    }
    matcher *m[1] = {eq("__name__", "p")};
    matcher *const *sel[1] = {m};
    size_t nsel[1] = {1};
    scan_spec sp = {.db = "default", .sel = sel, .nsel = nsel, .nselectors = 1, .mint = INT64_MIN,
                    .maxt = INT64_MAX, .mode = SCAN_SAMPLES, .order = SCAN_ORDER_LABELS, .batch = PAR_BATCH};
    scan *sc;
    CHECK_OK(scan_open(s, &sp, &sc, NULL));
    CHECK_EQ_INT(scan_count(sc), PAR_SERIES);
    /* every sample moves into a block while the iterators are open, each
     * one batch into its first series: they must still see each sample
     * once, in order */
    store_stats st0, st1;
    store_get_stats(s, &st0);
    pthread_barrier_t gate;
    pthread_barrier_init(&gate, NULL, 4);
    static par p[3];
    size_t cut[4] = {0, 70, 140, SIZE_MAX};
    pthread_t th[3];
    for (int i = 0; i < 3; i++) {
        p[i] = (par){.sc = sc, .from = cut[i], .to = cut[i + 1], .gate = &gate};
        pthread_create(&th[i], NULL, par_run, &p[i]);
    }
    pthread_barrier_wait(&gate); /* every iterator has read its first batch */
    CHECK_OK(store_flush_all(s, NULL));
    store_get_stats(s, &st1);
    pthread_barrier_wait(&gate);
    for (int i = 0; i < 3; i++) pthread_join(th[i], NULL);
    pthread_barrier_destroy(&gate);
    CHECK_MSG(st1.blocks > st0.blocks && st1.block_samples >= st0.block_samples + PAR_SERIES * PAR_SAMPLES,
              "the flush wrote no block of the samples: blocks %llu -> %llu, samples %llu -> %llu",
              (unsigned long long)st0.blocks, (unsigned long long)st1.blocks,
              (unsigned long long)st0.block_samples, (unsigned long long)st1.block_samples);
    size_t total, missing, twice;
    par_tally(p, &total, &missing, &twice);
    for (int i = 0; i < 3; i++) {
        CHECK_MSG(p[i].open_rc == 0 && p[i].rc == 0, "iterator %d: open %d, read %d", i, p[i].open_rc, p[i].rc);
        CHECK_MSG(p[i].before == PAR_BATCH, "iterator %d: %zu samples before the flush", i, p[i].before);
        CHECK_EQ_INT(p[i].order_errors, 0);
        CHECK_EQ_INT(p[i].foreign, 0);
    }
    CHECK_MSG(total == PAR_SERIES * PAR_SAMPLES && missing == 0 && twice == 0,
              "%zu samples read, %zu missing, %zu more than once", total, missing, twice);
    scan_close(sc);
    /* and a scan opened after the flush reads them all from the block, on three threads */
    CHECK_OK(scan_open(s, &sp, &sc, NULL));
    for (int i = 0; i < 3; i++) {
        p[i] = (par){.sc = sc, .from = cut[i], .to = cut[i + 1]};
        pthread_create(&th[i], NULL, par_run, &p[i]);
    }
    for (int i = 0; i < 3; i++) pthread_join(th[i], NULL);
    par_tally(p, &total, &missing, &twice);
    CHECK_MSG(total == PAR_SERIES * PAR_SAMPLES && missing == 0 && twice == 0,
              "after the flush: %zu samples read, %zu missing, %zu more than once", total, missing, twice);
    for (int i = 0; i < 3; i++) CHECK(p[i].open_rc == 0 && p[i].rc == 0 && p[i].order_errors == 0);
    scan_close(sc);
    matcher_free(m[0]);
    store_close(s, NULL);
}

static void test_modes_decode(void)
{
    store *s = open_store("modes");
    CHECK(s != NULL);
    if (!s) return;
    put(s, "k", 1, "old", "x", ST_VT_FLOAT, T0, 10, 1.5);  /* T0 .. T0+90s */
    CHECK_OK(store_flush_all(s, NULL));
    const int64_t NEW = T0 + 3 * 3600 * ST_NS_PER_S; /* past the old block's 2 h partition */
    put(s, "k", 1, "new", "x", ST_VT_FLOAT, NEW, 10, 1.5);
    matcher *m[1] = {eq("__name__", "k")};
    scan *sc;
    uint64_t before = decoded(s);
    char got[256];
    /* keys: no range check below a block's partition */
    CHECK_OK(open1(s, m, 1, SCAN_KEYS, SCAN_ORDER_KEY, NEW - 600 * ST_NS_PER_S, INT64_MAX, &sc));
    names_of(sc, got, sizeof got);
    CHECK_MSG(!strcmp(got, "k/new"), "%s", got); /* the old block does not overlap the range */
    scan_close(sc);
    /* chunks: by chunk bounds, nothing decoded */
    CHECK_OK(open1(s, m, 1, SCAN_CHUNKS, SCAN_ORDER_KEY, T0 + 50 * ST_NS_PER_S, T0 + 60 * ST_NS_PER_S, &sc));
    names_of(sc, got, sizeof got);
    CHECK_MSG(!strcmp(got, "k/old"), "%s", got);
    scan_close(sc);
    CHECK_OK(open1(s, m, 1, SCAN_CHUNKS, SCAN_ORDER_KEY, T0 + 95 * ST_NS_PER_S, NEW - 1, &sc));
    names_of(sc, got, sizeof got);
    CHECK_MSG(!strcmp(got, ""), "%s", got);
    scan_close(sc);
    CHECK_EQ_INT(decoded(s), before);
    /* samples: decoded, and only series with a sample in range */
    CHECK_OK(open1(s, m, 1, SCAN_SAMPLES, SCAN_ORDER_KEY, NEW, INT64_MAX, &sc));
    names_of(sc, got, sizeof got);
    CHECK_MSG(!strcmp(got, "k/new"), "%s", got);
    scan_close(sc);
    CHECK(decoded(s) > before);
    /* chunk statistics of the flushed series agree with its samples */
    CHECK_OK(open1(s, m, 1, SCAN_SAMPLES, SCAN_ORDER_KEY, INT64_MIN, T0 + 300 * ST_NS_PER_S, &sc));
    scan_iter *it;
    CHECK_OK(scan_iter_open(sc, 0, SIZE_MAX, &it, NULL));
    scan_series ss;
    CHECK_EQ_INT(scan_iter_next(it, &ss, NULL), 1);
    scan_chunk ch;
    size_t nchunks = 0, with_stats = 0, total = 0, read_late = 0;
    while (scan_iter_chunk(it, &ch) == 1) {
        nchunks++;
        /* a block chunk comes with its bounds; its statistics when asked */
        bool before_stats = ch.has_stats;
        CHECK_OK(scan_iter_chunk_stats(it, &ch, NULL));
        read_late += !before_stats && ch.has_stats;
        scan_batch b;
        uint64_t vals[64];
        size_t k = 0;
        while (scan_iter_chunk_samples(it, &b, NULL) == 1)
            for (size_t i = 0; i < b.n && k < 64; i++) vals[k++] = b.vals[i];
        total += k;
        if (!ch.has_stats) continue;
        with_stats++;
        codec_stats want;
        codec_stats_compute(ST_VT_FLOAT, vals, k, &want);
        CHECK_EQ_INT(ch.stats.count, k);
        CHECK(ch.stats.sum == want.sum && ch.stats.min == want.min && ch.stats.max == want.max);
        CHECK(ch.stats.first == want.first && ch.stats.last == want.last);
    }
    CHECK(nchunks >= 1);
    CHECK(with_stats >= 1);
    CHECK_EQ_INT(read_late, with_stats);
    CHECK_EQ_INT(total, 10);
    CHECK_EQ_INT(scan_iter_next(it, &ss, NULL), 0);
    scan_iter_close(it);
    scan_close(sc);
    matcher_free(m[0]);
    store_close(s, NULL);
}

static bool cancel_now(void *ctx)
{
    (void)ctx;
    return true;
}

static int budget_run(store *s, scan_budget *b, st_err *e)
{
    matcher *m[1] = {eq("__name__", "bud")};
    matcher *const *sel[1] = {m};
    size_t nsel[1] = {1};
    scan_spec sp = {.db = "default", .sel = sel, .nsel = nsel, .nselectors = 1, .mint = INT64_MIN,
                    .maxt = INT64_MAX, .mode = SCAN_SAMPLES, .budget = b};
    scan *sc;
    int rc = scan_open(s, &sp, &sc, e);
    matcher_free(m[0]);
    if (rc) return rc;
    scan_iter *it;
    rc = scan_iter_open(sc, 0, SIZE_MAX, &it, e);
    if (rc) { /* a budget may fail the open too: its code, as any call */
        scan_close(sc);
        return rc;
    }
    scan_series ss;
    while ((rc = scan_iter_next(it, &ss, e)) == 1) {
        scan_batch bt;
        while ((rc = scan_iter_batch(it, &bt, e)) == 1) {
        }
        if (rc) break;
    }
    scan_iter_close(it);
    scan_close(sc);
    return rc;
}

static void test_budgets(void)
{
    store *s = open_store("budget");
    CHECK(s != NULL);
    if (!s) return;
    char host[16];
    for (int i = 0; i < 50; i++) {
        snprintf(host, sizeof host, "h%d", i);
        put(s, "bud", 3, host, "x", ST_VT_INT, T0, 1000, 1);
    }
    st_err e = {0};
    scan_budget b = {.max_samples = 20000};
    scan_budget_init(&b);
    CHECK_EQ_INT(budget_run(s, &b, &e), ST_ELIMIT);
    CHECK_MSG(strstr(e.msg, "too many samples") != NULL, "%s", e.msg);
    scan_budget b2 = {.max_samples = 100000};
    scan_budget_init(&b2);
    CHECK_EQ_INT(budget_run(s, &b2, &e), 0);
    scan_budget b3 = {.deadline_ns = st_mono_ns() - 1};
    scan_budget_init(&b3);
    CHECK_EQ_INT(budget_run(s, &b3, &e), ST_ETIMEOUT);
    CHECK_MSG(strstr(e.msg, "timed out") != NULL, "%s", e.msg);
    scan_budget b4 = {.cancelled = cancel_now};
    scan_budget_init(&b4);
    CHECK_EQ_INT(budget_run(s, &b4, &e), ST_ECANCELED);
    store_close(s, NULL);
}

static void test_cardinality_and_label_limit(void)
{
    store *s = open_store("card");
    CHECK(s != NULL);
    if (!s) return;
    put(s, "up", 2, "a", "x", ST_VT_FLOAT, T0, 3, 1);
    put(s, "up", 2, "b", "x", ST_VT_FLOAT, T0, 3, 1);
    put(s, "cpu", 3, "a", "y", ST_VT_FLOAT, T0, 3, 1);
    scan_cardinality c;
    CHECK_OK(scan_head_cardinality(s, "default", &c, NULL));
    CHECK_EQ_INT(c.series, 3);
    CHECK_EQ_INT(c.label_pairs, 6); /* __name__ x2, host x2, dc x2 */
    CHECK_EQ_INT(c.nmetrics, 2);
    CHECK(c.nmetrics == 2 && !strcmp(c.metrics[1].name, "up") && c.metrics[1].value == 2);
    CHECK_EQ_INT(c.nnames, 3);
    bool host_ok = false;
    for (size_t i = 0; i < c.nnames; i++)
        if (!strcmp(c.names[i].name, "host")) host_ok = c.names[i].value == 2 && c.name_bytes[i].value == 2;
    CHECK(host_ok);
    scan_head_cardinality_free(&c);
    /* a name may hold '=' (line protocol escapes it) and a value NUL bytes:
     * {a="b=c"} and {"a=b"="c"} read alike as "a=b=c" but are two pairs
     * of two names; before, the pair text was split at its first '=' */
    {
        store_batch *b = store_batch_new();
        label l1[2] = {{st_slice_cstr("__name__"), st_slice_cstr("eqs")}, {st_slice_cstr("a"), st_slice_cstr("b=c")}};
        label l2[2] = {{st_slice_cstr("__name__"), st_slice_cstr("eqs")}, {st_slice_cstr("a=b"), st_slice_cstr("c")}};
        label l3[2] = {{st_slice_cstr("__name__"), st_slice_cstr("eqs")}, {st_slice_cstr("n"), st_slice_of("\0x", 2)}};
        uint32_t h1, h2, h3;
        st_err e = {0};
        CHECK_OK(store_batch_series(b, l1, 2, (series_meta){ST_VT_FLOAT, 3}, &h1, &e));
        CHECK_OK(store_batch_series(b, l2, 2, (series_meta){ST_VT_FLOAT, 3}, &h2, &e));
        CHECK_OK(store_batch_series(b, l3, 2, (series_meta){ST_VT_FLOAT, 3}, &h3, &e));
        store_batch_add(b, h1, T0, 0);
        store_batch_add(b, h2, T0, 0);
        store_batch_add(b, h3, T0, 0);
        store_write_result r;
        CHECK_OK(store_write(s, "default", b, &r, NULL));
        store_batch_free(b);
        CHECK_OK(scan_head_cardinality(s, "default", &c, NULL));
        CHECK_EQ_INT(c.label_pairs, 6 + 4); /* __name__="eqs", a="b=c", "a=b"="c", n="\0x" */
        size_t same_text = 0;
        for (size_t i = 0; i < c.npairs; i++) same_text += !strcmp(c.pairs[i].name, "a=b=c");
        CHECK_EQ_INT(same_text, 2);
        int a = -1, ab = -1, nn = -1;
        for (size_t i = 0; i < c.nnames; i++) {
            if (!strcmp(c.names[i].name, "a")) a = (int)c.names[i].value;
            if (!strcmp(c.names[i].name, "a=b")) ab = (int)c.names[i].value;
            if (!strcmp(c.names[i].name, "n")) nn = (int)c.name_bytes[i].value;
        }
        CHECK_MSG(a == 1 && ab == 1 && nn == 2, "a %d, a=b %d, n bytes %d", a, ab, nn);
        CHECK_EQ_INT(c.nmetrics, 3);
        scan_head_cardinality_free(&c);
    }
    /* more labels than a series may have: refused at the gate, with the limit named */
    store_batch *b = store_batch_new();
    label ls[LABELS_MAX + 1];
    char names[LABELS_MAX + 1][16];
    ls[0] = (label){st_slice_cstr("__name__"), st_slice_cstr("wide")};
    for (int i = 1; i <= LABELS_MAX; i++) {
        snprintf(names[i], sizeof names[i], "t%03d", i);
        ls[i] = (label){st_slice_cstr(names[i]), st_slice_cstr("v")};
    }
    uint32_t h;
    st_err e = {0};
    size_t n = LABELS_MAX + 1;
    CHECK_EQ_INT(store_batch_series(b, ls, n, (series_meta){ST_VT_FLOAT, 4}, &h, &e), ST_EINVAL);
    CHECK_MSG(strstr(e.msg, "256") != NULL, "%s", e.msg);
    CHECK_OK(store_batch_series(b, ls, LABELS_MAX, (series_meta){ST_VT_FLOAT, 4}, &h, &e));
    store_batch_add(b, h, T0, 0);
    store_write_result r;
    CHECK_OK(store_write(s, "default", b, &r, NULL));
    store_batch_free(b);
    /* the widest series allowed is findable by its last label, in memory and after a flush */
    for (int round = 0; round < 2; round++) {
        matcher *m[1] = {eq("t255", "v")};
        scan *sc;
        CHECK_OK(open1(s, m, 1, SCAN_SAMPLES, SCAN_ORDER_KEY, INT64_MIN, INT64_MAX, &sc));
        char got[64];
        names_of(sc, got, sizeof got);
        CHECK_MSG(!strcmp(got, "wide/"), "round %d: %s", round, got);
        scan_close(sc);
        matcher_free(m[0]);
        CHECK_OK(store_flush_all(s, NULL));
    }
    store_close(s, NULL);
}

/* SCAN_ORDER_TABLE against a comparator written from its definition:
 * table, then the tags (no __name__) pair by pair, name then value, a tag
 * set that is a prefix of another first, then the column. Random series
 * whose tags share prefixes, have empty values and prefix-related names;
 * half of them flushed into a block, so the merged order is checked too. */
static int ref_table_cmp(const scan_series *a, const scan_series *b)
{
    int d = st_slice_cmp(a->table, b->table);
    if (d) return d;
    size_t i = 0, j = 0;
    for (;;) {
        while (i < a->nlabels && st_slice_eq(a->labels[i].name, st_slice_cstr("__name__"))) i++;
        while (j < b->nlabels && st_slice_eq(b->labels[j].name, st_slice_cstr("__name__"))) j++;
        if (i == a->nlabels || j == b->nlabels) {
            if ((i == a->nlabels) != (j == b->nlabels)) return i == a->nlabels ? -1 : 1;
            break;
        }
        if ((d = st_slice_cmp(a->labels[i].name, b->labels[j].name))) return d;
        if ((d = st_slice_cmp(a->labels[i].value, b->labels[j].value))) return d;
        i++, j++;
    }
    return st_slice_cmp(a->column, b->column);
}

typedef struct scopy {
    char buf[512];
    label ls[8];
    scan_series ss;
} scopy;

static void scopy_set(scopy *c, const scan_series *ss)
{
    size_t w = 0;
    c->ss = *ss;
    for (size_t i = 0; i < ss->nlabels && i < 8; i++) {
        const label *l = &ss->labels[i];
        memcpy(c->buf + w, l->name.p, l->name.n);
        c->ls[i].name = st_slice_of(c->buf + w, l->name.n);
        w += l->name.n;
        memcpy(c->buf + w, l->value.p, l->value.n);
        c->ls[i].value = st_slice_of(c->buf + w, l->value.n);
        w += l->value.n;
    }
    c->ss.labels = c->ls;
    memcpy(c->buf + w, ss->table.p, ss->table.n);
    c->ss.table = st_slice_of(c->buf + w, ss->table.n);
    w += ss->table.n;
    memcpy(c->buf + w, ss->column.p, ss->column.n);
    c->ss.column = st_slice_of(c->buf + w, ss->column.n);
}

static void test_table_order_random(void)
{
    store *s = open_store("torder");
    CHECK(s != NULL);
    if (!s) return;
    static const char *names[] = {"a", "ab", "b", "ba", "host"};
    static const char *values[] = {"", "x", "xy", "x y", "y", "0"};
    static const char *metrics[][2] = {{"cpu_user", "cpu"}, {"cpu_idle", "cpu"}, {"cpu", "cpu"}, {"cp_u", "cp"}};
    uint64_t r = 88172645463325252ull;
    for (int round = 0; round < 2; round++) {
        for (int k = 0; k < 300; k++) {
            store_batch *b = store_batch_new();
            label ls[6];
            size_t n = 0;
            r ^= r << 13, r ^= r >> 7, r ^= r << 17;
            int m = (int)(r % 4);
            ls[n++] = (label){st_slice_cstr("__name__"), st_slice_cstr(metrics[m][0])};
            for (int t = 0; t < 5; t++) {
                r ^= r << 13, r ^= r >> 7, r ^= r << 17;
                if (r % 3 == 0) continue;
                ls[n++] = (label){st_slice_cstr(names[t]), st_slice_cstr(values[(r >> 8) % 6])};
            }
            uint32_t h;
            st_err e = {0};
            if (store_batch_series(b, ls, n, (series_meta){ST_VT_FLOAT, (uint16_t)strlen(metrics[m][1])}, &h, &e) == 0) {
                store_batch_add(b, h, T0 + round, 0);
                store_write_result wr;
                if (store_write(s, "default", b, &wr, &e)) fprintf(stderr, "write: %s\n", e.msg);
            }
            store_batch_free(b);
        }
        if (round == 0) CHECK_OK(store_flush_all(s, NULL));
    }
    scan_spec sp = {.db = "default", .mint = INT64_MIN, .maxt = INT64_MAX, .mode = SCAN_KEYS,
                    .order = SCAN_ORDER_TABLE};
    scan *sc;
    CHECK_OK(scan_open(s, &sp, &sc, NULL));
    scan_iter *it;
    CHECK_OK(scan_iter_open(sc, 0, SIZE_MAX, &it, NULL));
    scan_series ss;
    static scopy prev;
    size_t n = 0, bad = 0;
    while (scan_iter_next(it, &ss, NULL) == 1) {
        if (n++ && ref_table_cmp(&prev.ss, &ss) > 0) bad++;
        scopy_set(&prev, &ss);
    }
    CHECK(n > 100);
    CHECK_MSG(bad == 0, "%zu of %zu series out of table order", bad, n);
    scan_iter_close(it);
    scan_close(sc);
    store_close(s, NULL);
}

/* SCAN_ORDER_ANY gives every selected series once with the samples the
 * ordered scans give; a tail scan gives the same last sample per series.
 * Series: 60 with old samples in a block and newer ones in memory, one of
 * them rewritten in memory at a time the block holds (the later write
 * wins), some only in the block, some only in memory; ranges that end
 * before the newest samples in memory and start after the oldest. */
typedef struct lastof {
    char host[16];
    int64_t t;
    uint64_t v;
    size_t n;
} lastof;

static size_t read_last(store *s, scan_order order, bool tail, int64_t mint, int64_t maxt, lastof *out, size_t cap)
{
    matcher *m[1] = {eq("__name__", "any")};
    matcher *const *sel[1] = {m};
    size_t nsel[1] = {1};
    scan_spec sp = {.db = "default", .sel = sel, .nsel = nsel, .nselectors = 1, .mint = mint, .maxt = maxt,
                    .mode = SCAN_SAMPLES, .order = order, .tail = tail};
    scan *sc;
    size_t n = 0;
    if (scan_open(s, &sp, &sc, NULL)) return 0;
    scan_iter *it;
    CHECK_OK(scan_iter_open(sc, 0, SIZE_MAX, &it, NULL));
    scan_series ss;
    while (scan_iter_next(it, &ss, NULL) == 1 && n < cap) {
        lastof *l = &out[n++];
        st_slice h = labels_key_get(ss.key, ss.keylen, st_slice_cstr("host"));
        snprintf(l->host, sizeof l->host, "%.*s", (int)h.n, h.p);
        l->n = 0;
        scan_batch b;
        while (scan_iter_batch(it, &b, NULL) == 1) {
            l->t = b.ts[b.n - 1];
            l->v = b.vals[b.n - 1];
            l->n += b.n;
        }
    }
    scan_iter_close(it);
    scan_close(sc);
    matcher_free(m[0]);
    return n;
}

static int cmp_lastof(const void *a, const void *b) { return strcmp(((const lastof *)a)->host, ((const lastof *)b)->host); }

static void put1(store *s, const char *host, int64_t t, uint64_t v)
{
    store_batch *b = store_batch_new();
    label ls[2] = {{st_slice_cstr("__name__"), st_slice_cstr("any")}, {st_slice_cstr("host"), st_slice_cstr(host)}};
    uint32_t h;
    st_err e = {0};
    if (store_batch_series(b, ls, 2, (series_meta){ST_VT_FLOAT, 3}, &h, &e) == 0) {
        store_batch_add(b, h, t, v);
        store_write_result r;
        if (store_write(s, "default", b, &r, &e)) fprintf(stderr, "write: %s\n", e.msg);
    }
    store_batch_free(b);
}

static void test_any_order_and_tail(void)
{
    store *s = open_store("anytail");
    CHECK(s != NULL);
    if (!s) return;
    enum { N = 60 };
    char host[16];
    for (int i = 0; i < N; i++) {
        snprintf(host, sizeof host, "h%02d", i);
        if (i % 5 != 4) /* h04, h09, ... only in memory */
            for (int k = 0; k < 30; k++) put1(s, host, T0 + k * ST_NS_PER_S, (uint64_t)(i * 1000 + k));
    }
    CHECK_OK(store_flush_all(s, NULL));
    for (int i = 0; i < N; i++) {
        snprintf(host, sizeof host, "h%02d", i);
        if (i % 5 == 3) continue; /* h03, h08, ... only in the block */
        for (int k = 30; k < 60; k++) put1(s, host, T0 + k * ST_NS_PER_S, (uint64_t)(i * 1000 + k));
        if (i % 7 == 0) put1(s, host, T0 + 29 * ST_NS_PER_S, 777); /* rewrites the block's last sample */
    }
    const int64_t ranges[][2] = {{INT64_MIN, INT64_MAX}, {T0 + 10 * ST_NS_PER_S, T0 + 45 * ST_NS_PER_S},
                                        {T0 + 31 * ST_NS_PER_S, T0 + 29 * ST_NS_PER_S + 1}, {INT64_MIN, T0 + 29 * ST_NS_PER_S},
                                        {T0 + 29 * ST_NS_PER_S, T0 + 29 * ST_NS_PER_S}};
    for (size_t r = 0; r < sizeof ranges / sizeof *ranges; r++) {
        static lastof want[N], any[N], tail[N];
        size_t nw = read_last(s, SCAN_ORDER_LABELS, false, ranges[r][0], ranges[r][1], want, N);
        size_t na = read_last(s, SCAN_ORDER_ANY, false, ranges[r][0], ranges[r][1], any, N);
        size_t nt = read_last(s, SCAN_ORDER_ANY, true, ranges[r][0], ranges[r][1], tail, N);
        qsort(any, na, sizeof *any, cmp_lastof);
        qsort(tail, nt, sizeof *tail, cmp_lastof);
        CHECK_MSG(nw == na && nw == nt, "range %zu: %zu %zu %zu series", r, nw, na, nt);
        int bad = 0;
        size_t fewer = 0;
        for (size_t i = 0; i < nw && i < na && i < nt; i++) {
            if (strcmp(want[i].host, any[i].host) || want[i].t != any[i].t || want[i].v != any[i].v ||
                want[i].n != any[i].n)
                bad++;
            if (strcmp(want[i].host, tail[i].host) || want[i].t != tail[i].t || want[i].v != tail[i].v) bad++;
            fewer += tail[i].n < want[i].n;
        }
        CHECK_MSG(bad == 0, "range %zu: %d differences", r, bad);
        /* a tail scan reads less wherever memory's newest sample is in the range */
        if (r == 0) CHECK_MSG(fewer >= N / 2, "tail read fewer samples for %zu series", fewer);
    }
    store_close(s, NULL);
}

/* SCAN_CHUNKS gives a series' spans in memory: every sample of the range
 * lies in one, each lies in the range, and a series only in blocks has
 * none. */
static void test_head_spans(void)
{
    store *s = open_store("spans");
    CHECK(s != NULL);
    if (!s) return;
    for (int k = 0; k < 40; k++) put1(s, "blk", T0 + k * ST_NS_PER_S, (uint64_t)k);
    CHECK_OK(store_flush_all(s, NULL));
    for (int k = 0; k < 400; k += 3) put1(s, "mem", T0 + k * ST_NS_PER_S, (uint64_t)k);
    put1(s, "mem", T0 + 7 * ST_NS_PER_S, 1); /* out of order */
    const int64_t ranges[][2] = {{INT64_MIN, INT64_MAX}, {T0 + 5 * ST_NS_PER_S, T0 + 200 * ST_NS_PER_S},
                                 {T0 + 398 * ST_NS_PER_S, T0 + 500 * ST_NS_PER_S}};
    for (size_t r = 0; r < sizeof ranges / sizeof *ranges; r++) {
        int64_t lo = ranges[r][0], hi = ranges[r][1];
        scan_spec sp = {.db = "default", .mint = lo, .maxt = hi, .mode = SCAN_CHUNKS, .order = SCAN_ORDER_LABELS};
        scan *sc;
        scan_iter *it;
        st_err e = {0};
        CHECK_OK(scan_open(s, &sp, &sc, &e));
        CHECK_OK(scan_iter_open(sc, 0, SIZE_MAX, &it, &e));
        scan_series ss;
        int seen = 0;
        while (scan_iter_next(it, &ss, &e) == 1) {
            const int64_t *v;
            size_t n = scan_iter_head_spans(it, &v);
            bool mem = ss.labels[1].value.n == 3 && !memcmp(ss.labels[1].value.p, "mem", 3);
            if (!mem) {
                CHECK_MSG(n == 0, "range %zu: a series in blocks only has %zu spans in memory", r, n);
                continue;
            }
            seen++;
            CHECK(n >= 1 && n <= SCAN_HEAD_SPANS);
            for (size_t i = 0; i < n && i < SCAN_HEAD_SPANS; i++)
                CHECK_MSG(v[2 * i] <= v[2 * i + 1] && v[2 * i] >= lo && v[2 * i + 1] <= hi, "range %zu: span %zu", r, i);
            int outside = 0;
            for (int k = 0; k < 400; k++) {
                int64_t t = T0 + k * ST_NS_PER_S;
                if ((k % 3 && k != 7) || t < lo || t > hi) continue;
                bool in = false;
                for (size_t i = 0; i < n && !in; i++) in = t >= v[2 * i] && t <= v[2 * i + 1];
                outside += !in;
            }
            CHECK_MSG(outside == 0, "range %zu: %d samples outside every span", r, outside);
        }
        CHECK_MSG(seen == 1, "range %zu: the series in memory seen %d times", r, seen);
        scan_iter_close(it);
        scan_close(sc);
    }
    store_close(s, NULL);
}

int main(void)
{
    T0 = (st_now_ns() / ST_NS_PER_S / 3600 - 6) * 3600 * ST_NS_PER_S;
    g_dir = testlib_tmpdir("scan");
    RUN(test_selection_and_orders);
    RUN(test_creation_order);
    RUN(test_table_order_random);
    RUN(test_any_order_and_tail);
    RUN(test_head_spans);
    RUN(test_table_schema);
    RUN(test_merge_and_batches);
    RUN(test_threads_and_flush_under_scan);
    RUN(test_modes_decode);
    RUN(test_budgets);
    RUN(test_cardinality_and_label_limit);
    testlib_rmrf(g_dir);
    return testlib_done("test_scan");
}
