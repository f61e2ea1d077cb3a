/* test_export: VictoriaMetrics JSON lines and line protocol, out and in.
 *
 * The exact bytes of both export formats, import's acceptance rules and
 * partial-failure reporting, and round trips through a real store: series
 * of every value type with edge values are written, read back, exported,
 * imported into a second database and read back again; line protocol must
 * give the same keys, types and bits, JSON the same floats at milliseconds.
 */
#include "export.h"
#include "engine/tests/scanutil.h"
#include "engine/tests/testlib.h"

#include <math.h>
#include <time.h>

static uint64_t fb(double d)
{
    uint64_t u;
    memcpy(&u, &d, 8);
    return u;
}

/* A key from "name", "l1", "v1", ... (NULL-terminated). */
static void make_key(st_buf *key, const char *const *kv)
{
    label ls[32];
    size_t n = 0;
    for (; kv[2 * n]; n++) {
        ls[n].name = st_slice_cstr(kv[2 * n]);
        ls[n].value = st_slice_cstr(kv[2 * n + 1]);
    }
    CHECK_OK(labels_canonicalize(ls, &n, NULL));
    key->len = 0;
    labels_key(ls, n, key);
}

static void samples(codec_samples *s, size_t n, const int64_t *ts, const uint64_t *vals)
{
    codec_samples_reserve(s, n);
    s->n = n;
    memcpy(s->ts, ts, n * sizeof *ts);
    if (vals) memcpy(s->vals, vals, n * sizeof *vals);
}

static bool has(const st_buf *b, const char *want)
{
    return memmem(b->p, b->len, want, strlen(want)) != NULL;
}

static bool buf_is(const st_buf *b, const char *want)
{
    bool ok = b->len == strlen(want) && memcmp(b->p, want, b->len) == 0;
    if (!ok) fprintf(stderr, "  got:  %.*s\n  want: %s\n", (int)b->len, (const char *)b->p, want);
    return ok;
}

static void test_json_format(void)
{
    st_buf key = {0}, out = {0};
    codec_samples s = {0};
    static const char *const kv[] = {"__name__", "up", "zone", "a", "instance", "i:9100",
                                     "job", "node", "Host", "h", "alpha", "<'\"\\\n\x01\xc3\xa9",
                                     "namespace", "ns1", "Job", "J", NULL};
    make_key(&key, kv);
    int64_t ts[] = {-1, 1500000, 2000000, 2999999, 3000000, 4000000, 5000000, 6000000, 7000000};
    uint64_t v[] = {fb(NAN), fb(1), fb(1.5), fb(-0.0), fb(NAN), fb(INFINITY), fb(-INFINITY),
                    fb(1e21), fb(1e-7)};
    samples(&s, 9, ts, v);
    series_meta m = {ST_VT_FLOAT, 2};
    CHECK_OK(export_json_series(key.p, key.len, m, &s, &out));
    /* __name__ first; then job-like keys (namespace < Job = job, ties in
     * key order), instance-like keys (instance < Host), then the rest by
     * bytes; quicktemplate's escapes; values through QWriter.F; the first
     * NaN bare, later ones null; ms floor-divided, the last sample of a
     * millisecond kept (2000000 replaced by 2999999). */
    CHECK(buf_is(&out, "{\"metric\":{\"__name__\":\"up\",\"namespace\":\"ns1\",\"Job\":\"J\","
                       "\"job\":\"node\",\"instance\":\"i:9100\",\"Host\":\"h\","
                       "\"alpha\":\"\\u003c\\u0027\\\"\\\\\\n\\u0001\xc3\xa9\",\"zone\":\"a\"},"
                       "\"values\":[NaN,1,0,null,+Inf,-Inf,1000000000000000000000,0.0000001],"
                       "\"timestamps\":[-1,1,2,3,4,5,6,7]}\n"));
    out.len = 0;
    CHECK_OK(export_json_series_ex(key.p, key.len, m, &s, EXPORT_JSON_STRICT, &out));
    CHECK(has(&out, "\"values\":[null,1,0,null,\"Infinity\",\"-Infinity\","
                                      "1000000000000000000000,0.0000001]"));

    /* numbers as QWriter.F writes them */
    static const char *const kv2[] = {"__name__", "x", NULL};
    make_key(&key, kv2);
    int64_t t2[] = {1000000, 2000000, 3000000, 4000000, 5000000};
    uint64_t v2[] = {fb(123456789012345680000.0), fb(-9223372036854775808.0), fb(0.1),
                     fb(-2.5e-300), fb(9007199254740993.0)};
    samples(&s, 5, t2, v2);
    out.len = 0;
    CHECK_OK(export_json_series(key.p, key.len, m, &s, &out));
    char want[1024];
    snprintf(want, sizeof want,
             "{\"metric\":{\"__name__\":\"x\"},\"values\":[123456789012345680000,"
             "-9223372036854775808,0.1,-0.%0299d25,9007199254740992],\"timestamps\":[1,2,3,4,5]}\n",
             0);
    CHECK(buf_is(&out, want));

    /* integers exactly, booleans as 0/1, strings and empty sets skipped */
    uint64_t v3[] = {(uint64_t)INT64_MIN, (uint64_t)INT64_MAX, 0, 1, 5};
    samples(&s, 5, t2, v3);
    out.len = 0;
    CHECK_OK(export_json_series(key.p, key.len, (series_meta){ST_VT_INT, 1}, &s, &out));
    CHECK(has(&out, "[-9223372036854775808,9223372036854775807,0,1,5]"));
    out.len = 0;
    v3[0] = UINT64_MAX;
    samples(&s, 5, t2, v3);
    CHECK_OK(export_json_series(key.p, key.len, (series_meta){ST_VT_UINT, 1}, &s, &out));
    CHECK(has(&out, "[18446744073709551615,9223372036854775807,0,1,5]"));
    out.len = 0;
    CHECK_OK(export_json_series(key.p, key.len, (series_meta){ST_VT_BOOL, 1}, &s, &out));
    CHECK(has(&out, "[1,1,0,1,1]"));
    out.len = 0;
    CHECK_OK(export_json_series(key.p, key.len, (series_meta){ST_VT_STRING, 1}, &s, &out));
    CHECK_EQ_INT(out.len, 0);
    s.n = 0;
    CHECK_OK(export_json_series(key.p, key.len, m, &s, &out));
    CHECK_EQ_INT(out.len, 0);
    samples(&s, 1, t2, v2);
    CHECK_EQ_INT(export_json_series((const uint8_t *)"\x05zz", 3, m, &s, &out), ST_ECORRUPT);
    CHECK_EQ_INT(out.len, 0);

    st_buf_free(&key);
    st_buf_free(&out);
    codec_samples_free(&s);
}

static void test_line_format(void)
{
    st_buf key = {0}, out = {0};
    codec_samples s = {0};
    st_err e;
    int64_t ts[] = {-5, 1700000000000000001};
    static const char *const rw[] = {"__name__", "http_requests_total", "job", "a b", "le", "0.5",
                                     NULL};
    make_key(&key, rw);
    uint64_t v[] = {fb(1.5), ST_STALE_NAN_BITS};
    samples(&s, 2, ts, v);
    CHECK_OK(export_line_series(key.p, key.len, (series_meta){ST_VT_FLOAT, 19}, &s, &out, &e));
    CHECK(buf_is(&out, "http_requests_total,job=a\\ b,le=0.5 value=1.5 -5\n"
                       "http_requests_total,job=a\\ b,le=0.5 value=NaN(0x7ff0000000000002) "
                       "1700000000000000001\n"));

    static const char *const lp[] = {"__name__", "cpu_usage user", "host", "x,y=z\\", NULL};
    make_key(&key, lp);
    uint64_t vi[] = {(uint64_t)-3, 7};
    samples(&s, 2, ts, vi);
    out.len = 0;
    CHECK_OK(export_line_series(key.p, key.len, (series_meta){ST_VT_INT, 3}, &s, &out, &e));
    CHECK(buf_is(&out, "cpu,host=x\\,y\\=z\\\\ usage\\ user=-3i -5\n"
                       "cpu,host=x\\,y\\=z\\\\ usage\\ user=7i 1700000000000000001\n"));
    out.len = 0;
    CHECK_OK(export_line_series(key.p, key.len, (series_meta){ST_VT_UINT, 3}, &s, &out, &e));
    CHECK(has(&out, "usage\\ user=18446744073709551613u -5\n"));
    out.len = 0;
    CHECK_OK(export_line_series(key.p, key.len, (series_meta){ST_VT_BOOL, 3}, &s, &out, &e));
    CHECK(has(&out, "usage\\ user=true -5\n"));
    st_slice strs[2] = {st_slice_cstr("say \"hi\"\n\\"), st_slice_cstr("")}, *own = s.strs;
    s.strs = strs;
    out.len = 0;
    CHECK_OK(export_line_series(key.p, key.len, (series_meta){ST_VT_STRING, 3}, &s, &out, &e));
    CHECK(buf_is(&out, "cpu,host=x\\,y\\=z\\\\ usage\\ user=\"say \\\"hi\\\"\n\\\\\" -5\n"
                       "cpu,host=x\\,y\\=z\\\\ usage\\ user=\"\" 1700000000000000001\n"));
    s.strs = own;

    /* what line protocol cannot say */
    static const char *const nl[] = {"__name__", "m", "t", "a\nb", NULL};
    static const char *const hash[] = {"__name__", "#m", NULL};
    static const char *const val[] = {"__name__", "m_value", NULL};
    static const char *const und[] = {"__name__", "m.x", NULL};
    static const char *const tab[] = {"__name__", "m_\tx", NULL};
    struct {
        const char *const *kv;
        uint16_t table_len;
        int code;
    } bad[] = {{nl, 0, ST_EINVAL},  {hash, 2, ST_EINVAL}, {val, 1, ST_EINVAL},
               {und, 1, ST_EINVAL}, {tab, 1, ST_EINVAL},  {val, 8, ST_ECORRUPT},
               {nl, 1, ST_EINVAL}};
    samples(&s, 2, ts, v);
    for (size_t i = 0; i < ST_ARRAY_LEN(bad); i++) {
        make_key(&key, bad[i].kv);
        out.len = 0;
        CHECK_EQ_INT(export_line_series(key.p, key.len, (series_meta){ST_VT_FLOAT, bad[i].table_len},
                                        &s, &out, &e),
                     bad[i].code);
        CHECK_EQ_INT(out.len, 0);
    }
    CHECK(strstr(e.msg, "cannot be written as line protocol") != NULL);
    st_buf_free(&key);
    st_buf_free(&out);
    codec_samples_free(&s);
}

/* ------------------------------------------------------------ with a store */

static void quiet(void *ctx, const char *level, const char *msg)
{
    (void)ctx;
    (void)level;
    (void)msg;
}

static store *open_store(const char *dir)
{
    store_opts o;
    store_opts_default(&o);
    o.data_dir = dir;
    o.maintenance_interval = 0;
    o.retention = 0;
    o.nshards = 2;
    o.log = quiet;
    store *s = NULL;
    st_err e = {0};
    if (store_open(&o, &s, &e)) fprintf(stderr, "store_open: %s\n", e.msg);
    return s;
}

/* Every series of db, with its samples, one after another: keys, metas and
 * the samples serialised into out for comparison. */
typedef struct dump {
    st_buf keys;  /* key length, key, meta, count, then samples */
    size_t nseries;
} dump;

static void dump_db(store *s, const char *db, dump *d, st_buf *json, st_buf *lp, int *lp_errors)
{
    tscan q;
    st_err e;
    matcher *m = NULL;
    CHECK_OK(matcher_new(MATCH_RE, st_slice_cstr("__name__"), st_slice_cstr(".+"), &m, &e));
    CHECK_OK(tscan_open(s, db, &m, 1, INT64_MIN, INT64_MAX, &q, &e));
    const uint8_t *key;
    size_t keylen;
    series_meta meta;
    codec_samples smp = {0};
    int rc;
    while ((rc = tscan_next(&q, &key, &keylen, &meta, &smp, &e)) == 1) {
        d->nseries++;
        uint32_t kl = (uint32_t)keylen, n = (uint32_t)smp.n;
        st_buf_put(&d->keys, &kl, 4);
        st_buf_put(&d->keys, key, keylen);
        st_buf_put(&d->keys, &meta.type, 1);
        st_buf_put(&d->keys, &meta.table_len, 2);
        st_buf_put(&d->keys, &n, 4);
        for (size_t i = 0; i < smp.n; i++) {
            st_buf_put(&d->keys, &smp.ts[i], 8);
            if (meta.type == ST_VT_STRING) {
                uint32_t sl = (uint32_t)smp.strs[i].n;
                st_buf_put(&d->keys, &sl, 4);
                st_buf_put(&d->keys, smp.strs[i].p, sl);
            } else {
                st_buf_put(&d->keys, &smp.vals[i], 8);
            }
        }
        if (json) CHECK_OK(export_json_series(key, keylen, meta, &smp, json));
        if (lp && export_line_series(key, keylen, meta, &smp, lp, &e)) (*lp_errors)++;
    }
    CHECK_EQ_INT(rc, 0);
    codec_samples_free(&smp);
    matcher_free(m);
    tscan_close(&q);
}

static uint64_t rs = 0x853c49e6748fea9bull;
static uint64_t rnd(void)
{
    rs ^= rs << 13;
    rs ^= rs >> 7;
    rs ^= rs << 17;
    return rs;
}

static const char *const names[] = {"up", "cpu_usage_user", "cpu_usage user", "m:x_y",
                                    "weird\xc3\xa9_name", "a,b c=d\\e\"f_g"};
static const char *const values[] = {"a", "b c", "x,y=z", "trail\\", "\\\\", "\xe2\x82\xac\"'<",
                                     "#", "\t", "q\"", "back\\slash"};

static void test_round_trips(void)
{
    char *dir = testlib_tmpdir("export");
    store *s = open_store(dir);
    CHECK(s != NULL);
    if (!s) return;
    st_err e;
    CHECK_OK(store_db_create(s, "src", -1, -1, &e));
    CHECK_OK(store_db_create(s, "lp", -1, -1, &e));
    CHECK_OK(store_db_create(s, "json", -1, -1, &e));
    int64_t now = st_now_ns(), base = now - 1800 * ST_NS_PER_S;

    /* The source: every type, edge values, odd names, ns timestamps. */
    store_batch *b = store_batch_new();
    static const uint64_t edge_f[] = {0x7ff8000000000001ull, ST_STALE_NAN_BITS, 0x7ff8000000000000ull,
                                      0xfff8000000000123ull, 0x7ff0000000000000ull,
                                      0xfff0000000000000ull, 0x8000000000000000ull, 0, 1,
                                      0x7fefffffffffffffull, 0x3fb999999999999aull};
    static const uint64_t edge_i[] = {(uint64_t)INT64_MIN, (uint64_t)INT64_MAX, 0, (uint64_t)-1};
    static const uint64_t edge_u[] = {UINT64_MAX, 0, 1, 1ull << 63};
    size_t nseries = 0;
    for (size_t ni = 0; ni < ST_ARRAY_LEN(names); ni++) {
        for (int type = ST_VT_FLOAT; type <= ST_VT_STRING; type++) {
            char name[128];
            snprintf(name, sizeof name, "%s_t%d", names[ni], type);
            const char *v1 = values[rnd() % ST_ARRAY_LEN(values)];
            const char *v2 = values[rnd() % ST_ARRAY_LEN(values)];
            label ls[3] = {{st_slice_cstr("__name__"), st_slice_cstr(name)},
                           {st_slice_cstr("tag one"), st_slice_cstr(v1)},
                           {st_slice_cstr("t=2"), st_slice_cstr(v2)}};
            /* remote_write identity (column "value") or line protocol's
             * (table names[ni], column "t<type>") */
            uint16_t tl = ni % 2 ? (uint16_t)strlen(names[ni]) : (uint16_t)strlen(name);
            uint32_t h;
            CHECK_OK(store_batch_series(b, ls, 3, (series_meta){(uint8_t)type, tl}, &h, &e));
            nseries++;
            for (int i = 0; i < 12; i++) {
                int64_t t = base + (int64_t)(rnd() % (1000 * ST_NS_PER_S));
                uint64_t v = rnd();
                switch (type) {
                case ST_VT_FLOAT:
                    if (i < (int)ST_ARRAY_LEN(edge_f)) v = edge_f[i];
                    break;
                case ST_VT_INT:
                    if (i < (int)ST_ARRAY_LEN(edge_i)) v = edge_i[i];
                    break;
                case ST_VT_UINT:
                    if (i < (int)ST_ARRAY_LEN(edge_u)) v = edge_u[i];
                    break;
                case ST_VT_BOOL: v &= 1; break;
                default: break;
                }
                if (type == ST_VT_STRING) {
                    static const char *const strs[] = {"", "plain", "q\"uote", "back\\",
                                                       "multi\nline\r\n", "\xf0\x9f\x98\x80"};
                    store_batch_add_str(b, h, t, st_slice_cstr(strs[i % 6]));
                } else {
                    store_batch_add(b, h, t, v);
                }
            }
        }
    }
    store_write_result res;
    CHECK_OK(store_write(s, "src", b, &res, &e));
    CHECK_EQ_INT(res.rejected, 0);

    dump src = {0};
    st_buf json = {0}, lp = {0};
    int lp_errors = 0;
    dump_db(s, "src", &src, &json, &lp, &lp_errors);
    CHECK_EQ_INT(src.nseries, nseries);
    CHECK_EQ_INT(lp_errors, 0);

    /* line protocol: everything comes back */
    store_batch_reset(b);
    import_stats st;
    CHECK_OK(import_line((const char *)lp.p, lp.len, LP_NS, now, b, &st, &e));
    CHECK_EQ_INT(st.lines_bad, 0);
    CHECK_EQ_INT(st.samples, nseries * 12);
    CHECK_OK(store_write(s, "lp", b, &res, &e));
    dump back = {0};
    dump_db(s, "lp", &back, NULL, NULL, NULL);
    CHECK_EQ_INT(back.nseries, src.nseries);
    CHECK(back.keys.len == src.keys.len && memcmp(back.keys.p, src.keys.p, src.keys.len) == 0);

    /* JSON: the numeric series come back as floats at milliseconds */
    store_batch_reset(b);
    CHECK_OK(import_json((const char *)json.p, json.len, b, &st, &e));
    CHECK_EQ_INT(st.lines_bad, 0);
    CHECK_EQ_INT(st.lines, nseries / 5 * 4);
    CHECK_OK(store_write(s, "json", b, &res, &e));
    st_buf json2 = {0};
    dump jback = {0};
    dump_db(s, "json", &jback, &json2, NULL, NULL);
    CHECK_EQ_INT(jback.nseries, nseries / 5 * 4);
    /* exporting the import gives the same text, except that integers
     * beyond 2^53 were rounded to floats: compare only float series. */
    size_t same = 0;
    for (const char *p = (const char *)json.p, *end = p + json.len; p < end;) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        if (memmem(p, (size_t)(nl - p), "_t1\"", 4)) {
            CHECK(memmem(json2.p, json2.len, p, (size_t)(nl - p + 1)) != NULL);
            same++;
        }
        p = nl + 1;
    }
    CHECK_EQ_INT(same, ST_ARRAY_LEN(names));

    store_batch_free(b);
    st_buf_free(&src.keys);
    st_buf_free(&back.keys);
    st_buf_free(&jback.keys);
    st_buf_free(&json);
    st_buf_free(&json2);
    st_buf_free(&lp);
    CHECK_OK(store_close(s, &e));
    testlib_rmrf(dir);
    free(dir);
}

static void test_import_json_rules(void)
{
    char *dir = testlib_tmpdir("import");
    store *s = open_store(dir);
    CHECK(s != NULL);
    if (!s) return;
    st_err e;
    CHECK_OK(store_db_create(s, "db", -1, -1, &e));
    int64_t ms = st_now_ns() / ST_NS_PER_MS - 60000;
    char body[4096];
    snprintf(body, sizeof body,
             "{\"metric\":{\"__name__\":\"a\",\"x\":\"1\",\"x\":\"2\",\"\":\"skip\"},"
             "\"values\":[1,null,NaN,\"Infinity\",\"-inf\",+Inf,-Infinity,\"NaN\",1e3,-0.5],"
             "\"timestamps\":[%lld,%lld,%lld,%lld,%lld,%lld,%lld,%lld,%lld,%lld],"
             "\"extra\":{\"deep\":[1,{\"a\":null}]}}\r\n"
             "\n"
             "   \n"
             "{\"metric\":{\"__name__\":\"b\"},\"values\":[1,2],\"timestamps\":[%lld]}\n"
             "{\"metric\":{\"job\":\"x\"},\"values\":[1],\"timestamps\":[%lld]}\n"
             "not json\n"
             "{\"metric\":{\"__name__\":\"c\",\"l\":1},\"values\":[1],\"timestamps\":[%lld]}\n"
             "{\"metric\":{\"__name__\":\"d\"},\"values\":[\"x\"],\"timestamps\":[%lld]}\n"
             "{\"metric\":{\"__name__\":\"e\"},\"values\":[1],\"timestamps\":[1.5]}\n"
             "{\"metric\":{\"__name__\":\"f\"},\"values\":[],\"timestamps\":[]}\n"
             "{\"metric\":{\"__name__\":\"g\"},\"values\":[1],\"timestamps\":[9223372036854775]}\n"
             "{\"metric\":{\"__name__\":\"h\"},\"values\":[7],\"timestamps\":[%lld]} x\n"
             "{\"metric\":{\"__name__\":\"i\"},\"timestamps\":[%lld],\"values\":[7]}",
             (long long)ms, (long long)ms + 1, (long long)ms + 2, (long long)ms + 3,
             (long long)ms + 4, (long long)ms + 5, (long long)ms + 6, (long long)ms + 7,
             (long long)ms + 8, (long long)ms + 9, (long long)ms, (long long)ms, (long long)ms,
             (long long)ms, (long long)ms, (long long)ms);
    store_batch *b = store_batch_new();
    import_stats st;
    CHECK_EQ_INT(import_json(body, strlen(body), b, &st, &e), ST_EINVAL);
    CHECK_EQ_INT(st.lines, 11);
    CHECK_EQ_INT(st.lines_bad, 9);
    CHECK_EQ_INT(st.first_error_line, 4);
    CHECK(strstr(e.msg, "line 4: `timestamps` array size must match `values` array size; "
                        "got 1; want 2") != NULL);
    CHECK_EQ_INT(st.series, 2);
    CHECK_EQ_INT(st.samples, 11);
    store_write_result res;
    CHECK_OK(store_write(s, "db", b, &res, &e));

    tscan q;
    matcher *m;
    CHECK_OK(matcher_new(MATCH_EQ, st_slice_cstr("__name__"), st_slice_cstr("a"), &m, &e));
    CHECK_OK(tscan_open(s, "db", &m, 1, INT64_MIN, INT64_MAX, &q, &e));
    const uint8_t *key = NULL;
    size_t kl = 0;
    series_meta meta = {0};
    codec_samples smp = {0};
    CHECK_EQ_INT(tscan_next(&q, &key, &kl, &meta, &smp, &e), 1);
    CHECK(meta.type == ST_VT_FLOAT && meta.table_len == 1);
    CHECK_EQ_INT(labels_key_count(key, kl), 2);
    st_slice x = labels_key_get(key, kl, st_slice_cstr("x"));
    CHECK(x.n == 1 && x.p[0] == '2'); /* the last of a repeated label */
    CHECK_EQ_INT(smp.n, 10);
    uint64_t want[] = {fb(1), 0x7ff8000000000001ull, 0x7ff8000000000001ull, fb(INFINITY),
                       fb(-INFINITY), fb(INFINITY), fb(-INFINITY), 0x7ff8000000000001ull,
                       fb(1000), fb(-0.5)};
    for (size_t i = 0; i < smp.n && i < 10; i++) {
        CHECK(smp.ts[i] == (ms + (int64_t)i) * ST_NS_PER_MS);
        CHECK_MSG(smp.vals[i] == want[i], "value %zu: %016llx", i, (unsigned long long)smp.vals[i]);
    }
    CHECK_EQ_INT(tscan_next(&q, &key, &kl, &meta, &smp, &e), 0);
    matcher_free(m);
    tscan_close(&q);

    /* each bad line's reason */
    static const struct {
        const char *line, *why;
    } bad[] = {
        {"{\"metric\":{\"job\":\"x\"},\"values\":[1],\"timestamps\":[0]}", "missing __name__"},
        {"not json", "expected '{' at offset 0"},
        {"{\"metric\":{\"__name__\":\"c\",\"l\":1},\"values\":[1],\"timestamps\":[0]}",
         "value of label \"l\" in `metric` is not a string"},
        {"{\"metric\":{\"__name__\":\"d\"},\"values\":[\"x\"],\"timestamps\":[0]}",
         "cannot unmarshal value at position 0: unsupported string"},
        {"{\"metric\":{\"__name__\":\"e\"},\"values\":[1],\"timestamps\":[1.5]}",
         "cannot unmarshal timestamp at position 0"},
        {"{\"metric\":{\"__name__\":\"f\"},\"values\":[],\"timestamps\":[]}", "missing `values`"},
        {"{\"metric\":{\"__name__\":\"g\"},\"values\":[1],\"timestamps\":[9223372036854775]}",
         "out of range"},
        {"{\"metric\":{\"__name__\":\"h\"},\"values\":[7],\"timestamps\":[1]} x",
         "expected end of input at offset"},
        {"{\"values\":[7],\"timestamps\":[1]}", "missing `metric` object"},
        {"{\"metric\":{\"__name__\":\"a\"},\"values\":[1e999],\"timestamps\":[1]}", "out of range"},
        {"{\"metric\":{\"__name__\":\"a\"},\"values\":[true],\"timestamps\":[1]}", "not a number"},
        {NULL, "nesting deeper than 64"},
    };
    char deep[512];
    int dn = snprintf(deep, sizeof deep, "{\"metric\":{\"__name__\":\"a\"},\"x\":");
    for (int i = 0; i < 70; i++) deep[dn++] = '[';
    for (int i = 0; i < 70; i++) deep[dn++] = ']';
    snprintf(deep + dn, sizeof deep - (size_t)dn, ",\"values\":[1],\"timestamps\":[1]}");
    for (size_t i = 0; i < ST_ARRAY_LEN(bad); i++) {
        store_batch_reset(b);
        const char *line = bad[i].line ? bad[i].line : deep;
        int rc = import_json(line, strlen(line), b, &st, &e);
        CHECK_MSG(rc < 0 && strstr(e.msg, bad[i].why) && strncmp(e.msg, "line 1: ", 8) == 0,
                  "%s: %s", line, e.msg);
        CHECK_EQ_INT(store_batch_samples(b), 0);
    }
    store_batch_free(b);
    codec_samples_free(&smp);
    CHECK_OK(store_close(s, &e));
    testlib_rmrf(dir);
    free(dir);
}

static void test_import_line_rules(void)
{
    store_batch *b = store_batch_new();
    import_stats st;
    st_err e;
    const char *body = "cpu,host=a usage_user=1.5,value=2i,s=\"x\" 1000\n"
                       "cpu,host=a bad=\n"
                       "mem,host=b free=1u\n"
                       "cpu,host=a usage_user=1i 2000\n"
                       "cpu,__name__=x f=1 3000\n"
                       "cpu,host=a s=\"\xff\" 4000\n"
                       "cpu,host=a n=NaN(0x7ff0000000000002),p=+Inf 5000\n";
    CHECK_EQ_INT(import_line(body, strlen(body), LP_S, 1700000000123456789LL, b, &st, &e),
                 ST_EINVAL);
    CHECK_EQ_INT(st.lines, 7);
    CHECK_EQ_INT(st.lines_bad, 4);
    CHECK_EQ_INT(st.first_error_line, 2);
    CHECK(strstr(e.msg, "line 2: unable to parse 'cpu,host=a bad=': missing field value"));
    CHECK_EQ_INT(st.samples, 3 + 1 + 2);
    CHECK_EQ_INT(store_batch_samples(b), 6);
    /* the reasons of the others */
    static const struct {
        const char *line, *why;
    } bad[] = {
        {"cpu,host=a usage_user=1.5 1\ncpu,host=a usage_user=1i 2", "type conflict"},
        {"cpu,__name__=x f=1 3000", "duplicate label name"},
        {"cpu,host=a s=\"\xff\" 4000", "invalid UTF-8 in string field \"s\""},
        {"m,t=\xff f=1", "invalid UTF-8"},
    };
    for (size_t i = 0; i < ST_ARRAY_LEN(bad); i++) {
        store_batch_reset(b);
        import_line(bad[i].line, strlen(bad[i].line), LP_NS, 0, b, &st, &e);
        CHECK_MSG(st.lines_bad == 1 && strstr(e.msg, bad[i].why), "%s: %s", bad[i].line, e.msg);
    }
    /* a line is all or nothing */
    store_batch_reset(b);
    const char *two = "m a=1,b=2 1\nm a=1i,c=3 2\n";
    import_line(two, strlen(two), LP_NS, 0, b, &st, &e);
    CHECK_EQ_INT(st.lines_bad, 1);
    CHECK_EQ_INT(store_batch_samples(b), 2);
    store_batch_free(b);
}

static double cpu_now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t); /* CPU time: CI machines are shared */
    return (double)t.tv_sec + t.tv_nsec / 1e9;
}

/* import_line on TSBS-like lines: parsing plus the batch's labels work
 * (cached per raw series key). Printed, not judged. */
static void test_speed(void)
{
    static const char *fields[] = {"usage_user",   "usage_system", "usage_idle",  "usage_nice",
                                   "usage_iowait", "usage_irq",    "usage_softirq", "usage_steal",
                                   "usage_guest",  "usage_guest_nice"};
    st_buf body = {0};
    size_t nlines = 50000;
    for (size_t i = 0; i < nlines; i++) {
        size_t h = i % 1000;
        st_buf_printf(&body, "cpu,hostname=host_%zu,region=r%zu,datacenter=d%zu,rack=%zu,"
                             "os=Ubuntu16.04LTS,arch=x64,team=SF,service=%zu,service_version=%zu,"
                             "service_environment=production ",
                      h, h % 5, h % 10, h % 100, h % 20, h % 2);
        for (int f = 0; f < 10; f++)
            st_buf_printf(&body, "%s%s=%.2f", f ? "," : "", fields[f], (double)(rnd() % 10000) / 100);
        st_buf_printf(&body, " %lld\n", 1700000000000000000LL + (long long)(i / 1000) * 10000000000LL);
    }
    store_batch *b = store_batch_new();
    import_stats st;
    st_err e;
    double best = 1e9;
    for (int rep = 0; rep < 3; rep++) {
        store_batch_reset(b);
        double t0 = cpu_now();
        CHECK_OK(import_line((const char *)body.p, body.len, LP_NS, 0, b, &st, &e));
        double t = cpu_now() - t0;
        if (t < best) best = t;
    }
    CHECK_EQ_INT(store_batch_samples(b), nlines * 10);
    printf("  import_line, TSBS-like: %.2f M lines/s, %.1f M samples/s (CPU time)\n",
           (double)nlines / best / 1e6, (double)nlines * 10 / best / 1e6);
    store_batch_free(b);
    st_buf_free(&body);
}

/* An empty request body reaches the importers as (NULL, 0): both accept
 * it as zero lines, with no arithmetic on the null pointer (UBSan). */
static void test_import_empty_body(void)
{
    st_err e;
    import_stats st;
    store_batch *b = store_batch_new();
    CHECK_OK(import_json(NULL, 0, b, &st, &e));
    CHECK_EQ_INT(st.lines, 0);
    CHECK_EQ_INT(store_batch_samples(b), 0);
    CHECK_OK(import_line(NULL, 0, LP_NS, st_now_ns(), b, &st, &e));
    CHECK_EQ_INT(st.lines, 0);
    CHECK_EQ_INT(store_batch_samples(b), 0);
    store_batch_free(b);
    st_buf plain = {0};
    CHECK_OK(import_gunzip(NULL, 0, 1 << 20, &plain, &e)); /* Content-Encoding: gzip, no body */
    CHECK_EQ_INT(plain.len, 0);
    st_buf_free(&plain);
}

int main(void)
{
    RUN(test_import_empty_body);
    RUN(test_json_format);
    RUN(test_line_format);
    RUN(test_round_trips);
    RUN(test_import_json_rules);
    RUN(test_import_line_rules);
    RUN(test_speed);
    return testlib_done("test_export");
}
