/* Tests for the SQL table scan operator (scanop.c) over a real store:
 * series written as line protocol maps them (table_len), tag sets with a
 * tag missing, fields of every type with values missing at some times, a
 * column whose type differs between tag sets, a (tags, column) stored as
 * two series, data in memory and in blocks; exact rows for all fields,
 * some fields, tag matchers, time bounds, an unsigned value out of bigint's
 * range, budgets. */
#include <errno.h>
#include <stdlib.h>

#include "labels.h"
#include "scan.h"
#include "sql/exec.h"
#include "store.h"

#include "storeutil.h"
#include "testlib.h"

static char *g_dir;
static int64_t T0; /* a whole hour, six hours ago */

static store *open_store(const char *sub) { return test_store_open(g_dir, sub); }

/* Writes series name{tags} ("host=a,dc=x") of a type: samples at T0 + secs[i]
 * seconds with values written as text ("1.5", "-3", "1" for true, "hi"). */
static void put(store *s, const char *name, uint16_t table_len, const char *tags, uint8_t type, const int *secs,
                const char *const *vals, size_t n)
{
    label ls[8];
    char buf[256];
    size_t nl = 0;
    ls[nl++] = (label){st_slice_cstr("__name__"), st_slice_cstr(name)};
    snprintf(buf, sizeof buf, "%s", tags);
    for (char *p = buf; *p && nl < 8;) {
        char *eq = strchr(p, '='), *end = strchr(p, ',');
        if (!eq) break;
        if (end) *end = 0;
        *eq = 0;
        ls[nl++] = (label){st_slice_cstr(p), st_slice_cstr(eq + 1)};
        if (!end) break;
        p = end + 1;
    }
    store_batch *b = store_batch_new();
    uint32_t h;
    st_err e = {0};
    if (store_batch_series(b, ls, nl, (series_meta){type, table_len}, &h, &e)) fprintf(stderr, "series: %s\n", e.msg);
    for (size_t i = 0; i < n; i++) {
        int64_t ts = T0 + (int64_t)secs[i] * ST_NS_PER_S;
        uint64_t u = 0;
        switch (type) {
        case ST_VT_STRING: store_batch_add_str(b, h, ts, st_slice_cstr(vals[i])); continue;
        case ST_VT_FLOAT: {
            double d = strtod(vals[i], NULL);
            memcpy(&u, &d, 8);
            break;
        }
        case ST_VT_INT: u = (uint64_t)strtoll(vals[i], NULL, 10); break;
        default: u = strtoull(vals[i], NULL, 10); break;
        }
        store_batch_add(b, h, ts, u);
    }
    store_write_result r;
    if (store_write(s, "default", b, &r, &e)) fprintf(stderr, "write: %s\n", e.msg);
    store_batch_free(b);
}

#define PUT(s, name, tl, tags, type, ...)                                                    \
    do {                                                                                     \
        static const struct { int t; const char *v; } pts_[] = {__VA_ARGS__};               \
        int secs_[16];                                                                       \
        const char *vals_[16];                                                               \
        size_t n_ = sizeof pts_ / sizeof pts_[0];                                            \
        for (size_t i_ = 0; i_ < n_; i_++) {                                                 \
            secs_[i_] = pts_[i_].t;                                                          \
            vals_[i_] = pts_[i_].v;                                                          \
        }                                                                                    \
        put(s, name, tl, tags, type, secs_, vals_, n_);                                      \
    } while (0)

/* The planner's definition of table cpu: tags dc, host; fields big (uint
 * as bigint), count, msg, ok, usage, value. */
static const char *const CPU_FIELDS[] = {"big", "count", "msg", "ok", "usage", "value"};
static const char *const CPU_METRICS[] = {"cpu_big", "cpu_count", "cpu_msg", "cpu_ok", "cpu_usage", "cpu"};
static const uint8_t CPU_FT[] = {ST_VT_UINT, ST_VT_INT, ST_VT_STRING, ST_VT_BOOL, ST_VT_FLOAT, ST_VT_FLOAT};
static const uint8_t CPU_CT[] = {SQLT_BIGINT, SQLT_BIGINT, SQLT_VARCHAR, SQLT_BOOLEAN, SQLT_DOUBLE, SQLT_DOUBLE};

typedef struct def_buf {
    sql_scan_def d;
    st_slice tags[4], fields[8], metrics[8];
    uint8_t ft[8], ct[8];
    bool read[8];
    matcher *ms[4];
} def_buf;

/* read: the fields read, by name, comma-separated ("" none, NULL all). */
static void cpu_def(def_buf *b, const char *table, const char *read, bool all_fields)
{
    memset(b, 0, sizeof *b);
    b->tags[0] = st_slice_cstr("dc");
    b->tags[1] = st_slice_cstr("host");
    for (size_t i = 0; i < 6; i++) {
        b->fields[i] = st_slice_cstr(CPU_FIELDS[i]);
        b->metrics[i] = st_slice_cstr(CPU_METRICS[i]);
        b->ft[i] = CPU_FT[i];
        b->ct[i] = CPU_CT[i];
        if (!read) b->read[i] = true;
        else {
            const char *p = strstr(read, CPU_FIELDS[i]);
            size_t l = strlen(CPU_FIELDS[i]);
            b->read[i] = p && (p == read || p[-1] == ',') && (p[l] == 0 || p[l] == ',');
        }
    }
    b->d = (sql_scan_def){.table = st_slice_cstr(table), .tags = b->tags, .ntags = 2, .fields = b->fields,
                          .metrics = b->metrics, .ftypes = b->ft, .ctypes = b->ct, .read = b->read, .nfields = 6,
                          .all_fields = all_fields, .mint = INT64_MIN, .maxt = INT64_MAX, .matchers = b->ms};
}

static void add_matcher(def_buf *b, match_op op, const char *name, const char *value)
{
    matcher *m = NULL;
    matcher_new(op, st_slice_cstr(name), st_slice_cstr(value), &m, NULL);
    b->ms[b->d.nmatchers++] = m;
}

/* Every row as text, the time as +seconds from T0; "ERR code msg" on an error. */
static char *rows_of(sql_op *o, size_t timecol)
{
    st_buf b = {0};
    st_err e = {0};
    const sql_value *r;
    int rc, n = 0;
    while ((rc = sql_op_next(o, &r, &e)) == 1) {
        if (n++) st_buf_putc(&b, ';');
        for (size_t i = 0; i < o->ncols; i++) {
            if (i) st_buf_putc(&b, '|');
            if (i == timecol && !r[i].null && r[i].type == SQLT_TIMESTAMP) {
                int64_t d = r[i].u.i - T0;
                if (d % ST_NS_PER_S) st_buf_printf(&b, "+%" PRId64 "ns", d);
                else st_buf_printf(&b, "+%" PRId64, (int64_t)(d / ST_NS_PER_S));
            } else {
                sqlv_format(&r[i], &b);
            }
        }
    }
    if (rc < 0) {
        b.len = 0;
        st_buf_printf(&b, "ERR %d %s", rc, e.msg);
    }
    st_buf_putc(&b, 0);
    char *s = strdup((const char *)b.p);
    st_buf_free(&b);
    return s;
}

/* Opens the scan of b, answers every row, closes. */
static char *scan_rows(store *s, def_buf *b, scan_budget *bud)
{
    sql_exec_ctx x = {.s = s, .db = "default", .budget = bud};
    sql_op *o = NULL;
    st_err e = {0};
    int rc = sql_op_scan(&x, &b->d, &o, &e);
    if (rc) {
        char *m = malloc(600);
        snprintf(m, 600, "ERR %d %s", rc, e.msg);
        return m;
    }
    char *r = rows_of(o, b->d.ntags + 1);
    sql_op_close(o);
    return r;
}

#define CHECK_SCAN(s, b, want)                                                                   \
    do {                                                                                         \
        char *tl_got = scan_rows(s, b, NULL);                                                    \
        const char *tl_want = (want);                                                            \
        CHECK_MSG(strcmp(tl_got, tl_want) == 0, "\n   got  %s\n   want %s", tl_got, tl_want);    \
        free(tl_got);                                                                            \
    } while (0)

static void write_cpu(store *s)
{
    /* tag set A: dc=x, host=a: every type */
    PUT(s, "cpu_usage", 3, "host=a,dc=x", ST_VT_FLOAT, {0, "1.5"}, {10, "2.5"}, {20, "3.5"});
    PUT(s, "cpu_count", 3, "host=a,dc=x", ST_VT_INT, {0, "7"}, {20, "-3"});
    PUT(s, "cpu_msg", 3, "host=a,dc=x", ST_VT_STRING, {10, "hi"});
    PUT(s, "cpu_ok", 3, "host=a,dc=x", ST_VT_BOOL, {0, "1"});
    PUT(s, "cpu_big", 3, "host=a,dc=x", ST_VT_UINT, {10, "5"});
    PUT(s, "cpu", 3, "host=a,dc=x", ST_VT_FLOAT, {30, "9"}); /* column value */
    /* the same (tags, column value) under another series name: not the schema's, not read */
    PUT(s, "cpu_value", 3, "host=a,dc=x", ST_VT_FLOAT, {30, "100"}, {40, "200"});
    /* tag set B: host=b without dc */
    PUT(s, "cpu_usage", 3, "host=b", ST_VT_FLOAT, {10, "4"});
    PUT(s, "cpu_count", 3, "host=b", ST_VT_INT, {10, "1"});
    PUT(s, "cpu_value", 3, "host=b", ST_VT_FLOAT, {50, "8"}); /* the only value series here: taken */
    /* tag set C: dc=y, host=c, with other types than the schema's */
    PUT(s, "cpu_count", 3, "host=c,dc=y", ST_VT_UINT, {0, "12"});
    PUT(s, "cpu_usage", 3, "host=c,dc=y", ST_VT_INT, {0, "2"});
    PUT(s, "cpu_msg", 3, "host=c,dc=y", ST_VT_FLOAT, {5, "1"}); /* no varchar: NULL, the row still exists */
    /* another table */
    PUT(s, "mem_free", 3, "host=a,dc=x", ST_VT_FLOAT, {0, "1"}, {15, "2"});
}

/* tag sets A, C, B: SCAN_ORDER_TABLE orders tags pair by pair, "dc" < "host" */
#define ROW_A0 "x|a|cpu|+0|NULL|7|NULL|true|1.5|NULL"
#define ROW_A10 "x|a|cpu|+10|5|NULL|hi|NULL|2.5|NULL"
#define ROW_A20 "x|a|cpu|+20|NULL|-3|NULL|NULL|3.5|NULL"
#define ROW_A30 "x|a|cpu|+30|NULL|NULL|NULL|NULL|NULL|9.0"
#define ROW_C0 "y|c|cpu|+0|NULL|12|NULL|NULL|2.0|NULL"
#define ROW_C5 "y|c|cpu|+5|NULL|NULL|NULL|NULL|NULL|NULL"
#define ROW_B10 "NULL|b|cpu|+10|NULL|1|NULL|NULL|4.0|NULL"
#define ROW_B50 "NULL|b|cpu|+50|NULL|NULL|NULL|NULL|NULL|8.0"
#define ALL_ROWS ROW_A0 ";" ROW_A10 ";" ROW_A20 ";" ROW_A30 ";" ROW_C0 ";" ROW_C5 ";" ROW_B10 ";" ROW_B50

static void check_cpu(store *s)
{
    def_buf b;
    cpu_def(&b, "cpu", NULL, true);
    CHECK_SCAN(s, &b, ALL_ROWS);
    /* only msg read, rows where msg has a value */
    cpu_def(&b, "cpu", "msg", false);
    CHECK_SCAN(s, &b, "x|a|cpu|+10|NULL|NULL|hi|NULL|NULL|NULL;" ROW_C5);
    /* only msg read, rows wherever any field has a value (count(*)) */
    cpu_def(&b, "cpu", "msg", true);
    CHECK_SCAN(s, &b,
               "x|a|cpu|+0|NULL|NULL|NULL|NULL|NULL|NULL;x|a|cpu|+10|NULL|NULL|hi|NULL|NULL|NULL;"
               "x|a|cpu|+20|NULL|NULL|NULL|NULL|NULL|NULL;x|a|cpu|+30|NULL|NULL|NULL|NULL|NULL|NULL;"
               "y|c|cpu|+0|NULL|NULL|NULL|NULL|NULL|NULL;" ROW_C5 ";"
               "NULL|b|cpu|+10|NULL|NULL|NULL|NULL|NULL|NULL;NULL|b|cpu|+50|NULL|NULL|NULL|NULL|NULL|NULL");
    /* two fields */
    cpu_def(&b, "cpu", "count,ok", false);
    CHECK_SCAN(s, &b,
               "x|a|cpu|+0|NULL|7|NULL|true|NULL|NULL;x|a|cpu|+20|NULL|-3|NULL|NULL|NULL|NULL;"
               "y|c|cpu|+0|NULL|12|NULL|NULL|NULL|NULL;NULL|b|cpu|+10|NULL|1|NULL|NULL|NULL|NULL");
    /* no field read: a row per (tag set, time) all the same */
    cpu_def(&b, "cpu", "", false);
    CHECK_SCAN(s, &b,
               "x|a|cpu|+0|NULL|NULL|NULL|NULL|NULL|NULL;x|a|cpu|+10|NULL|NULL|NULL|NULL|NULL|NULL;"
               "x|a|cpu|+20|NULL|NULL|NULL|NULL|NULL|NULL;x|a|cpu|+30|NULL|NULL|NULL|NULL|NULL|NULL;"
               "y|c|cpu|+0|NULL|NULL|NULL|NULL|NULL|NULL;" ROW_C5 ";"
               "NULL|b|cpu|+10|NULL|NULL|NULL|NULL|NULL|NULL;NULL|b|cpu|+50|NULL|NULL|NULL|NULL|NULL|NULL");
    /* tag matchers */
    cpu_def(&b, "cpu", NULL, true);
    add_matcher(&b, MATCH_EQ, "host", "b");
    CHECK_SCAN(s, &b, ROW_B10 ";" ROW_B50);
    cpu_def(&b, "cpu", NULL, true);
    add_matcher(&b, MATCH_RE, "host", "a|c");
    add_matcher(&b, MATCH_NEQ, "dc", "x");
    CHECK_SCAN(s, &b, ROW_C0 ";" ROW_C5);
    /* time bounds, inclusive */
    cpu_def(&b, "cpu", NULL, true);
    b.d.mint = T0 + 10 * ST_NS_PER_S;
    b.d.maxt = T0 + 20 * ST_NS_PER_S;
    CHECK_SCAN(s, &b, ROW_A10 ";" ROW_A20 ";" ROW_B10);
    b.d.mint = T0 + 21 * ST_NS_PER_S;
    b.d.maxt = T0 + 29 * ST_NS_PER_S;
    CHECK_SCAN(s, &b, "");
    b.d.mint = 5;
    b.d.maxt = 4;
    CHECK_SCAN(s, &b, "");
    /* another table, an unknown one */
    cpu_def(&b, "nosuch", NULL, true);
    CHECK_SCAN(s, &b, "");
    static st_slice memf[1] = {{"free", 4}};
    static uint8_t memft[1] = {ST_VT_FLOAT}, memct[1] = {SQLT_DOUBLE};
    static bool memr[1] = {true};
    static st_slice memtags[2] = {{"dc", 2}, {"host", 4}};
    sql_scan_def md = {.table = st_slice_cstr("mem"), .tags = memtags, .ntags = 2, .fields = memf, .ftypes = memft,
                       .ctypes = memct, .read = memr, .nfields = 1, .mint = INT64_MIN, .maxt = INT64_MAX};
    def_buf mb = {.d = md};
    CHECK_SCAN(s, &mb, "x|a|mem|+0|1.0;x|a|mem|+15|2.0");
}

static void test_rows(void)
{
    store *s = open_store("rows");
    CHECK(s != NULL);
    if (!s) return;
    write_cpu(s);
    /* the operator's columns */
    def_buf b;
    cpu_def(&b, "cpu", NULL, true);
    sql_exec_ctx x = {.s = s, .db = "default"};
    sql_op *o = NULL;
    CHECK_OK(sql_op_scan(&x, &b.d, &o, NULL));
    if (o) {
        static const uint8_t want[] = {SQLT_VARCHAR, SQLT_VARCHAR, SQLT_VARCHAR, SQLT_TIMESTAMP, SQLT_BIGINT,
                                       SQLT_BIGINT,  SQLT_VARCHAR, SQLT_BOOLEAN, SQLT_DOUBLE,   SQLT_DOUBLE};
        CHECK_EQ_INT(o->ncols, 10);
        CHECK(o->ncols == 10 && !memcmp(o->types, want, 10));
        sql_op_close(o);
    }
    check_cpu(s);
    /* the same answers from blocks */
    CHECK_OK(store_flush_all(s, NULL));
    check_cpu(s);
    /* newer writes in memory over the blocks: the later write wins, new times add rows */
    PUT(s, "cpu_usage", 3, "host=a,dc=x", ST_VT_FLOAT, {0, "1.75"}, {60, "7.5"});
    PUT(s, "cpu_msg", 3, "host=b", ST_VT_STRING, {10, "b10"});
    cpu_def(&b, "cpu", NULL, true);
    CHECK_SCAN(s, &b,
               "x|a|cpu|+0|NULL|7|NULL|true|1.75|NULL;" ROW_A10 ";" ROW_A20 ";" ROW_A30
               ";x|a|cpu|+60|NULL|NULL|NULL|NULL|7.5|NULL;" ROW_C0 ";" ROW_C5
               ";NULL|b|cpu|+10|NULL|1|b10|NULL|4.0|NULL;" ROW_B50);
    store_close(s, NULL);
}

static void test_unsigned_range_and_budget(void)
{
    store *s = open_store("uint");
    CHECK(s != NULL);
    if (!s) return;
    PUT(s, "big_v", 3, "host=a", ST_VT_UINT, {0, "9223372036854775807"}, {10, "18446744073709551615"});
    PUT(s, "big_w", 3, "host=a", ST_VT_FLOAT, {0, "1"}, {10, "2"}, {20, "3"});
    static st_slice f[2] = {{"v", 1}, {"w", 1}}, tags[1] = {{"host", 4}};
    static uint8_t ft[2] = {ST_VT_UINT, ST_VT_FLOAT}, ct[2] = {SQLT_BIGINT, SQLT_DOUBLE};
    static bool rd[2] = {true, true};
    def_buf b = {.d = {.table = st_slice_cstr("big"), .tags = tags, .ntags = 1, .fields = f, .ftypes = ft, .ctypes = ct,
                       .read = rd, .nfields = 2, .mint = INT64_MIN, .maxt = INT64_MAX}};
    /* the first row is fine, the second fails: never a wrapped value */
    sql_exec_ctx x = {.s = s, .db = "default"};
    sql_op *o = NULL;
    st_err e = {0};
    CHECK_OK(sql_op_scan(&x, &b.d, &o, &e));
    if (o) {
        const sql_value *r;
        CHECK_EQ_INT(sql_op_next(o, &r, &e), 1);
        CHECK(r[3].u.i == INT64_MAX && r[4].u.d == 1.0);
        CHECK_EQ_INT(sql_op_next(o, &r, &e), ST_EINVAL);
        CHECK_MSG(!strcmp(e.msg, "value 18446744073709551615 of column 'v' is out of range for bigint"), "%s", e.msg);
        CHECK_EQ_INT(sql_op_next(o, &r, &e), 0);
        sql_op_close(o);
    }
    /* not reading v: no error */
    static bool rw[2] = {false, true};
    b.d.read = rw;
    CHECK_SCAN(s, &b, "a|big|+0|NULL|1.0;a|big|+10|NULL|2.0;a|big|+20|NULL|3.0");
    /* a sample budget shared with the scan */
    b.d.read = rd;
    scan_budget bud = {.max_samples = 2};
    scan_budget_init(&bud);
    char *got = scan_rows(s, &b, &bud);
    CHECK_MSG(!strncmp(got, "ERR -4 ", 7), "%s", got);
    free(got);
    /* an unknown database */
    sql_exec_ctx nx = {.s = s, .db = "nodb"};
    o = NULL;
    CHECK_EQ_INT(sql_op_scan(&nx, &b.d, &o, &e), ST_ENOTFOUND);
    CHECK(o == NULL);
    store_close(s, NULL);
}

/* Many tag sets and samples: rows come tag set by tag set, each in time
 * order, every sample once. */
static void test_many(void)
{
    store *s = open_store("many");
    CHECK(s != NULL);
    if (!s) return;
    enum { NH = 40, NT = 300 };
    for (int h = 0; h < NH; h++) {
        store_batch *bt = store_batch_new();
        char host[16];
        snprintf(host, sizeof host, "h%02d", h);
        label l1[2] = {{st_slice_cstr("__name__"), st_slice_cstr("m_a")}, {st_slice_cstr("host"), st_slice_cstr(host)}};
        label l2[2] = {{st_slice_cstr("__name__"), st_slice_cstr("m_b")}, {st_slice_cstr("host"), st_slice_cstr(host)}};
        uint32_t ha, hb;
        store_batch_series(bt, l1, 2, (series_meta){ST_VT_INT, 1}, &ha, NULL);
        store_batch_series(bt, l2, 2, (series_meta){ST_VT_STRING, 1}, &hb, NULL);
        for (int t = 0; t < NT; t++) {
            int64_t ts = T0 + (int64_t)t * ST_NS_PER_S;
            if (t % 2 == 0) store_batch_add(bt, ha, ts, (uint64_t)(h * 1000 + t));
            if (t % 3 == 0) {
                char v[24];
                snprintf(v, sizeof v, "s%d-%d", h, t);
                store_batch_add_str(bt, hb, ts, st_slice_cstr(v));
            }
        }
        store_write_result r;
        store_write(s, "default", bt, &r, NULL);
        store_batch_free(bt);
        if (h == NH / 2) CHECK_OK(store_flush_all(s, NULL));
    }
    static st_slice f[2] = {{"a", 1}, {"b", 1}}, tags[1] = {{"host", 4}};
    static uint8_t ft[2] = {ST_VT_INT, ST_VT_STRING}, ct[2] = {SQLT_BIGINT, SQLT_VARCHAR};
    static bool rd[2] = {true, true};
    sql_scan_def d = {.table = st_slice_cstr("m"), .tags = tags, .ntags = 1, .fields = f, .ftypes = ft, .ctypes = ct,
                      .read = rd, .nfields = 2, .all_fields = true, .mint = INT64_MIN, .maxt = INT64_MAX};
    sql_exec_ctx x = {.s = s, .db = "default"};
    sql_op *o = NULL;
    CHECK_OK(sql_op_scan(&x, &d, &o, NULL));
    if (!o) return;
    const sql_value *r;
    int n = 0, bad = 0, h = 0, t = -1;
    while (sql_op_next(o, &r, NULL) == 1) {
        char host[16];
        snprintf(host, sizeof host, "h%02d", h);
        /* the next time with a value: t even or a multiple of 3 */
        int nt = t + 1;
        while (nt % 2 && nt % 3) nt++;
        if (nt >= NT) {
            h++;
            nt = 0;
            snprintf(host, sizeof host, "h%02d", h);
        }
        t = nt;
        char v[24];
        snprintf(v, sizeof v, "s%d-%d", h, t);
        bool ok = r[0].u.s.n == 3 && !memcmp(r[0].u.s.p, host, 3) && r[2].u.i == T0 + (int64_t)t * ST_NS_PER_S &&
                  (t % 2 ? r[3].null : (!r[3].null && r[3].u.i == h * 1000 + t)) &&
                  (t % 3 ? r[4].null : (!r[4].null && r[4].u.s.n == strlen(v) && !memcmp(r[4].u.s.p, v, strlen(v))));
        if (!ok && bad++ < 3) fprintf(stderr, "  row %d wrong (host %d, t %d)\n", n, h, t);
        n++;
    }
    sql_op_close(o);
    int per = 0;
    for (int i = 0; i < NT; i++) per += (i % 2 == 0 || i % 3 == 0);
    CHECK_EQ_INT(n, NH * per);
    CHECK_EQ_INT(bad, 0);
    store_close(s, NULL);
}

int main(void)
{
    T0 = (st_now_ns() / ST_NS_PER_S / 3600 - 6) * 3600 * ST_NS_PER_S;
    g_dir = testlib_tmpdir("sqlscan");
    RUN(test_rows);
    RUN(test_unsigned_range_and_budget);
    RUN(test_many);
    testlib_rmrf(g_dir);
    return testlib_done("test_sql_scanop");
}
