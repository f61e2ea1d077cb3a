/* Tests for wire/tsrec: Timestream's WriteRecords body decoded, merged
 * with CommonAttributes by Timestream's rules, every value parsed by its
 * type and unit, and what is wrong either the whole request's fault (a
 * ValidationException) or one record's (a reason, the others going on). */
#include "tsrec.h"

#include <string.h>

#include "engine/tests/testlib.h"

static bool is(st_slice s, const char *c) { return s.n == strlen(c) && !memcmp(s.p, c, s.n); }

static int decode(const char *body, st_arena *a, tsrec_req *out, st_err *e)
{
    return tsrec_decode(body, strlen(body), a, out, e);
}

static void test_merge_and_types(void)
{
    st_arena *a = st_arena_new(4096);
    tsrec_req r;
    st_err e = {0};
    CHECK_OK(decode("{\"DatabaseName\":\"db\",\"TableName\":\"t\",\"CommonAttributes\":{\"Dimensions\":[{\"Name\":"
                    "\"region\",\"Value\":\"eu\"}],\"MeasureName\":\"cpu\",\"Time\":\"1500\",\"Version\":7},"
                    "\"Records\":[{\"Dimensions\":[{\"Name\":\"host\",\"Value\":\"a\"}],\"MeasureValue\":\"1.5\"},"
                    "{\"Dimensions\":[{\"Name\":\"host\",\"Value\":\"b\"}],\"MeasureName\":\"n\",\"MeasureValue\":\"-9\","
                    "\"MeasureValueType\":\"BIGINT\",\"Time\":\"2\",\"TimeUnit\":\"SECONDS\",\"Version\":1},"
                    "{\"Dimensions\":[{\"Name\":\"host\",\"Value\":\"c\"}],\"MeasureValue\":\"TRUE\","
                    "\"MeasureValueType\":\"BOOLEAN\",\"TimeUnit\":\"MICROSECONDS\"},"
                    "{\"Dimensions\":[{\"Name\":\"host\",\"Value\":\"d\"}],\"MeasureValue\":\"x\\u00e9\","
                    "\"MeasureValueType\":\"VARCHAR\",\"TimeUnit\":\"NANOSECONDS\"}]}",
                    a, &r, &e));
    CHECK(is(r.db, "db") && is(r.table, "t") && r.n == 4);
    const tsrec *x = &r.recs[0];
    double d;
    memcpy(&d, &x->vals[0].bits, 8);
    CHECK(!x->reason && x->ndims == 2 && is(x->dims[0].name, "region") && is(x->dims[1].value, "a") &&
          is(x->measure, "cpu") && x->type == TSREC_DOUBLE && d == 1.5 && x->time_ns == 1500000000LL &&
          x->version == 7);
    x = &r.recs[1];
    CHECK(!x->reason && is(x->measure, "n") && (int64_t)x->vals[0].bits == -9 && x->time_ns == 2000000000LL &&
          x->version == 1);
    x = &r.recs[2];
    CHECK(!x->reason && x->vals[0].bits == 1 && x->time_ns == 1500000LL);
    x = &r.recs[3];
    CHECK(!x->reason && is(x->vals[0].str, "x\xc3\xa9") && x->time_ns == 1500);
    st_arena_free(a);
}

static void test_multi(void)
{
    st_arena *a = st_arena_new(4096);
    tsrec_req r;
    st_err e = {0};
    CHECK_OK(decode("{\"DatabaseName\":\"db\",\"TableName\":\"t\",\"Records\":[{\"Dimensions\":[{\"Name\":\"d\","
                    "\"Value\":\"v\"}],\"MeasureName\":\"m\",\"MeasureValueType\":\"MULTI\",\"Time\":\"3\","
                    "\"TimeUnit\":\"SECONDS\",\"MeasureValues\":[{\"Name\":\"t\",\"Value\":\"4\",\"Type\":\"TIMESTAMP\"},"
                    "{\"Name\":\"x\",\"Value\":\"2.5\",\"Type\":\"DOUBLE\"}]},"
                    "{\"Dimensions\":[{\"Name\":\"d\",\"Value\":\"v\"}],\"MeasureName\":\"m\",\"MeasureValueType\":"
                    "\"MULTI\",\"Time\":\"3\",\"MeasureValues\":[{\"Name\":\"x\",\"Value\":\"1\",\"Type\":\"DOUBLE\"},"
                    "{\"Name\":\"x\",\"Value\":\"2\",\"Type\":\"DOUBLE\"}]},"
                    "{\"Dimensions\":[{\"Name\":\"d\",\"Value\":\"v\"}],\"MeasureName\":\"m\",\"MeasureValueType\":"
                    "\"MULTI\",\"Time\":\"3\",\"MeasureValue\":\"1\"},"
                    "{\"Dimensions\":[{\"Name\":\"x\",\"Value\":\"v\"}],\"MeasureName\":\"m\",\"MeasureValueType\":"
                    "\"MULTI\",\"Time\":\"3\",\"MeasureValues\":[{\"Name\":\"x\",\"Value\":\"1\",\"Type\":\"DOUBLE\"}]}]}",
                    a, &r, &e));
    const tsrec *x = &r.recs[0];
    CHECK(!x->reason && x->type == TSREC_MULTI && x->nvals == 2 && x->vals[0].type == TSREC_TIMESTAMP &&
          x->vals[0].bits == 4000000000ULL && x->time_ns == 3000000000LL);
    CHECK(r.recs[1].reason && strstr(r.recs[1].reason, "twice"));
    CHECK(r.recs[2].reason && strstr(r.recs[2].reason, "MeasureValues"));
    CHECK(r.recs[3].reason && strstr(r.recs[3].reason, "name of a measure value"));
    st_arena_free(a);
}

/* Each record wrong in its own way: a reason each, in Timestream's words
 * where Timestream has them; the request itself decodes. */
static void test_record_reasons(void)
{
    static const struct {
        const char *rec, *reason;
    } cases[] = {
        {"\"MeasureName\":\"m\",\"MeasureValue\":\"abc\",\"Time\":\"1\"", "of type DOUBLE"},
        {"\"MeasureName\":\"m\",\"MeasureValue\":\"NaN\",\"Time\":\"1\"", "of type DOUBLE"},
        {"\"MeasureName\":\"m\",\"MeasureValue\":\"1\",\"MeasureValueType\":\"BIGINT\",\"Time\":\"-5\"", "Invalid time"},
        {"\"MeasureName\":\"m\",\"MeasureValue\":\"99999999999999999999\",\"MeasureValueType\":\"BIGINT\",\"Time\":\"1\"",
         "of type BIGINT"},
        {"\"MeasureName\":\"m\",\"MeasureValue\":\"yes\",\"MeasureValueType\":\"BOOLEAN\",\"Time\":\"1\"", "BOOLEAN"},
        {"\"MeasureName\":\"m\",\"MeasureValue\":\"1\",\"MeasureValueType\":\"TIMESTAMP\",\"Time\":\"1\"",
         "TIMESTAMP is an invalid measure value type"},
        {"\"MeasureName\":\"time\",\"MeasureValue\":\"1\",\"Time\":\"1\"", "reserved"},
        {"\"MeasureName\":\"ts_x\",\"MeasureValue\":\"1\",\"Time\":\"1\"", "reserved"},
        {"\"MeasureName\":\"h\",\"MeasureValue\":\"1\",\"Time\":\"1\"", "name of the measure"},
        {"\"MeasureName\":\"a::timestamp\",\"MeasureValue\":\"1\",\"Time\":\"1\"", "reserved"},
        {"\"MeasureName\":\"__name__\",\"MeasureValue\":\"1\",\"Time\":\"1\"", "reserved"},
        {"\"MeasureName\":\"m\",\"MeasureValueType\":\"MULTI\",\"Time\":\"1\",\"MeasureValues\":[{\"Name\":"
         "\"x::timestamp\",\"Value\":\"1\",\"Type\":\"DOUBLE\"}]", "reserved"},
        {"\"MeasureValue\":\"1\",\"Time\":\"1\"", "MeasureName is required"},
        {"\"MeasureName\":\"m\",\"MeasureValue\":\"1\"", "Time is required"},
        {"\"MeasureName\":\"m\",\"MeasureValue\":\"1\",\"Time\":\"1\",\"Version\":0", "Version"},
        {"\"MeasureName\":\"m\",\"MeasureValue\":\"\",\"Time\":\"1\"", "1 to 2048 bytes"},
        {"\"MeasureName\":\"m\",\"MeasureValue\":\"1\",\"Time\":\"9223372036854775807\",\"TimeUnit\":\"SECONDS\"",
         "Invalid time"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        st_arena *a = st_arena_new(4096);
        char body[1024];
        snprintf(body, sizeof body,
                 "{\"DatabaseName\":\"db\",\"TableName\":\"t\",\"Records\":[{\"Dimensions\":[{\"Name\":\"h\",\"Value\":"
                 "\"a\"}],%s},{\"Dimensions\":[{\"Name\":\"h\",\"Value\":\"a\"}],\"MeasureName\":\"ok\","
                 "\"MeasureValue\":\"1\",\"Time\":\"1\"}]}",
                 cases[i].rec);
        tsrec_req r;
        st_err e = {0};
        int rc = decode(body, a, &r, &e);
        CHECK_MSG(rc == 0 && r.n == 2 && r.recs[0].reason && strstr(r.recs[0].reason, cases[i].reason) &&
                      !r.recs[1].reason,
                  "case %zu: rc %d reason %s", i, rc, rc ? e.msg : r.recs[0].reason ? r.recs[0].reason : "(none)");
        st_arena_free(a);
    }
}

/* What fails the whole request: its shape. */
static void test_request_errors(void)
{
    static const struct {
        const char *body, *msg;
    } cases[] = {
        {"[]", "JSON object"},
        {"{\"DatabaseName\":\"db\",\"TableName\":\"t\"", "request body"},
        {"{\"TableName\":\"t\",\"Records\":[{}]}", "DatabaseName"},
        {"{\"DatabaseName\":\"db\",\"TableName\":\"t\",\"Records\":[]}", "less than or equal to 100"},
        {"{\"DatabaseName\":\"db\",\"TableName\":\"t\",\"Records\":[{\"MeasureValueType\":\"FLOAT\"}]}", "enum value set"},
        {"{\"DatabaseName\":\"db\",\"TableName\":\"t\",\"Records\":[{\"TimeUnit\":\"HOURS\"}]}", "timeUnit"},
        {"{\"DatabaseName\":\"db\",\"TableName\":\"t\",\"Records\":[{\"Time\":1}]}", "must be a string"},
        {"{\"DatabaseName\":\"db\",\"TableName\":\"t\",\"CommonAttributes\":{\"Dimensions\":[{\"Name\":\"h\",\"Value\":"
         "\"a\"}]},\"Records\":[{\"Dimensions\":[{\"Name\":\"h\",\"Value\":\"b\"}]}]}",
         "both in CommonAttributes and in a record"},
        {"{\"DatabaseName\":\"db\",\"TableName\":\"t\",\"Records\":[{\"MeasureValueType\":\"MULTI\",\"MeasureValues\":"
         "[{\"Name\":\"a\",\"Value\":\"1\",\"Type\":\"MULTI\"}]}]}",
         "measureValues.1.member.type"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        st_arena *a = st_arena_new(4096);
        tsrec_req r;
        st_err e = {0};
        int rc = decode(cases[i].body, a, &r, &e);
        CHECK_MSG(rc == ST_EINVAL && strstr(e.msg, cases[i].msg), "case %zu: rc %d msg %s", i, rc, e.msg);
        st_arena_free(a);
    }
    /* an empty body, no buffer at all */
    {
        st_arena *a0 = st_arena_new(256);
        tsrec_req r0;
        st_err e0 = {0};
        CHECK(tsrec_decode(NULL, 0, a0, &r0, &e0) == ST_EINVAL);
        st_arena_free(a0);
    }
    /* 101 records */
    st_buf b = {0};
    st_buf_printf(&b, "{\"DatabaseName\":\"db\",\"TableName\":\"t\",\"Records\":[");
    for (int i = 0; i < 101; i++) st_buf_printf(&b, "%s{}", i ? "," : "");
    st_buf_printf(&b, "]}");
    st_arena *a = st_arena_new(4096);
    tsrec_req r;
    st_err e = {0};
    CHECK(tsrec_decode((const char *)b.p, b.len, a, &r, &e) == ST_EINVAL);
    st_buf_free(&b);
    st_arena_free(a);
}

int main(void)
{
    RUN(test_merge_and_types);
    RUN(test_multi);
    RUN(test_record_reasons);
    RUN(test_request_errors);
    return testlib_done("test_tsrec");
}
