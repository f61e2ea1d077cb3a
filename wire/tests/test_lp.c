/* test_lp: line protocol parsing and writing.
 *
 * Covers InfluxDB's grammar and its error wording, escapes, in-place
 * slices, partial bodies and line numbers, the extension tokens, a
 * write -> parse round trip over random names and values, random
 * mutations on exactly sized buffers (run under ASan to catch overreads),
 * and the parser's speed on TSBS-like lines (printed).
 */
#include "lp.h"
#include "engine/tests/testlib.h"

#include <math.h>
#include <time.h>

static lp_parser *P;
static st_arena *A;
static lp_line L;
static st_err E;

/* Parses body (copied to an exact-size heap buffer) and returns the first
 * lp_next result. */
static char *heap_body;
static int parse_ex(const char *body, size_t n, bool ext, lp_precision prec)
{
    free(heap_body);
    heap_body = malloc(n ? n : 1);
    memcpy(heap_body, body, n);
    lp_opts o = {.precision = prec, .extensions = ext};
    st_arena_reset(A);
    lp_reset(P, heap_body, n, &o, A);
    memset(&L, 0, sizeof L);
    E.msg[0] = 0;
    return lp_next(P, &L, &E);
}

static int parse(const char *body) { return parse_ex(body, strlen(body), false, LP_NS); }

static bool sl(st_slice s, const char *want)
{
    return s.n == strlen(want) && memcmp(s.p, want, s.n) == 0;
}

static bool in_body(st_slice s) { return s.p >= heap_body && s.p < heap_body + 100000; }

static double fval(const lp_field *f)
{
    double v;
    memcpy(&v, &f->bits, 8);
    return v;
}

static void test_basic(void)
{
    CHECK_EQ_INT(parse("cpu,host=a,region=us\\ west usage=1.5,idle=2i,n=3u,ok=true,s=\"x y\" "
                       "1700000000000000001\n"),
                 1);
    CHECK(sl(L.measurement, "cpu") && in_body(L.measurement));
    CHECK_EQ_INT(L.ntags, 2);
    CHECK(sl(L.tags[0].name, "host") && sl(L.tags[0].value, "a") && in_body(L.tags[0].value));
    CHECK(sl(L.tags[1].name, "region") && sl(L.tags[1].value, "us west"));
    CHECK(!in_body(L.tags[1].value)); /* decoded into the arena */
    CHECK_EQ_INT(L.nfields, 5);
    CHECK(sl(L.fields[0].key, "usage") && L.fields[0].type == ST_VT_FLOAT &&
          fval(&L.fields[0]) == 1.5);
    CHECK(L.fields[1].type == ST_VT_INT && L.fields[1].bits == 2);
    CHECK(L.fields[2].type == ST_VT_UINT && L.fields[2].bits == 3);
    CHECK(L.fields[3].type == ST_VT_BOOL && L.fields[3].bits == 1);
    CHECK(L.fields[4].type == ST_VT_STRING && sl(L.fields[4].str, "x y") &&
          in_body(L.fields[4].str));
    CHECK(L.has_ts && L.ts == 1700000000000000001LL);
    CHECK_EQ_INT(L.lineno, 1);
    CHECK(sl(L.raw, "cpu,host=a,region=us\\ west usage=1.5,idle=2i,n=3u,ok=true,s=\"x y\" "
                    "1700000000000000001"));
    CHECK_EQ_INT(lp_next(P, &L, &E), 0);

    /* no tags, no timestamp, several blanks between sections */
    CHECK_EQ_INT(parse("m  \t f=1   "), 1);
    CHECK(sl(L.measurement, "m") && L.ntags == 0 && L.nfields == 1 && !L.has_ts);
    CHECK_EQ_INT(parse("m f=1 -5"), 1);
    CHECK(L.has_ts && L.ts == -5);
    CHECK_EQ_INT(parse("m f=1 0"), 1);
    CHECK(L.has_ts && L.ts == 0);
    /* quotes in measurement, keys and tag values are literal */
    CHECK_EQ_INT(parse("\"m\",\"t\"=\"v\" \"f\"=1"), 1);
    CHECK(sl(L.measurement, "\"m\"") && sl(L.tags[0].name, "\"t\"") &&
          sl(L.tags[0].value, "\"v\"") && sl(L.fields[0].key, "\"f\""));
    /* '=' is an ordinary byte in a measurement */
    CHECK_EQ_INT(parse("a=b f=1"), 1);
    CHECK(sl(L.measurement, "a=b"));
}

static void test_tags_sorted(void)
{
    CHECK_EQ_INT(parse("m,c=3,a=1,b=2 f=1"), 1);
    CHECK(L.ntags == 3 && sl(L.tags[0].name, "a") && sl(L.tags[1].name, "b") &&
          sl(L.tags[2].name, "c") && sl(L.tags[2].value, "3"));
    CHECK_EQ_INT(parse("m,a=1,a=2 f=1"), ST_EINVAL);
    CHECK(strstr(E.msg, "duplicate tags") != NULL);
    CHECK_EQ_INT(parse("m,b=1,a=2,b=3 f=1"), ST_EINVAL);
    CHECK(strstr(E.msg, "duplicate tags") != NULL);
    /* many tags: the qsort path */
    char line[4096];
    size_t n = (size_t)snprintf(line, sizeof line, "m");
    for (int i = 40; i > 0; i--) n += (size_t)snprintf(line + n, sizeof line - n, ",t%02d=v%d", i, i);
    snprintf(line + n, sizeof line - n, " f=1");
    CHECK_EQ_INT(parse(line), 1);
    CHECK_EQ_INT(L.ntags, 40);
    for (size_t i = 1; i < L.ntags; i++) CHECK(st_slice_cmp(L.tags[i - 1].name, L.tags[i].name) < 0);
    CHECK(sl(L.tags[0].name, "t01") && sl(L.tags[0].value, "v1"));
}

static void test_escapes(void)
{
    CHECK_EQ_INT(parse("my\\ meas\\,x,t\\ k\\=\\,=v\\ 1\\,2\\=3 f\\ k\\=x=1"), 1);
    CHECK(sl(L.measurement, "my meas,x"));
    CHECK(sl(L.tags[0].name, "t k=,") && sl(L.tags[0].value, "v 1,2=3"));
    CHECK(sl(L.fields[0].key, "f k=x"));
    /* a backslash before anything else is literal; \\ is one backslash */
    CHECK_EQ_INT(parse("C:\\dir,p=C:\\temp\\x f\\n=1"), 1);
    CHECK(sl(L.measurement, "C:\\dir") && sl(L.tags[0].value, "C:\\temp\\x"));
    CHECK(sl(L.fields[0].key, "f\\n"));
    CHECK_EQ_INT(parse("m\\=,t=a\\\\ f=1"), 1);
    CHECK(sl(L.measurement, "m\\=") && sl(L.tags[0].value, "a\\"));
    CHECK_EQ_INT(parse("m,t=a\\\\\\,b f=1"), 1);
    CHECK(sl(L.tags[0].value, "a\\,b"));
    /* strings: \" and \\ only */
    CHECK_EQ_INT(parse("m s=\"a\\\"b\\\\c\\d\\n\""), 1);
    CHECK(sl(L.fields[0].str, "a\"b\\c\\d\\n"));
    CHECK_EQ_INT(parse("m s=\"\",t=\"\\\\\""), 1);
    CHECK(L.fields[0].str.n == 0 && sl(L.fields[1].str, "\\"));
    /* commas, spaces and '=' inside strings */
    CHECK_EQ_INT(parse("m s=\"a,b c=d\",x=1 5"), 1);
    CHECK(sl(L.fields[0].str, "a,b c=d") && fval(&L.fields[1]) == 1 && L.ts == 5);
}

static void check_float(const char *text, double want)
{
    char line[256];
    snprintf(line, sizeof line, "m f=%s", text);
    int rc = parse(line);
    CHECK_MSG(rc == 1, "%s: %s", text, E.msg);
    if (rc == 1) CHECK_MSG(fval(&L.fields[0]) == want, "%s -> %.17g", text, fval(&L.fields[0]));
}

static void test_numbers(void)
{
    check_float("1", 1);
    check_float("-1", -1);
    check_float("1.", 1);
    check_float(".5", 0.5);
    check_float("-.5", -0.5);
    check_float("1e9", 1e9);
    check_float("1.5E-3", 1.5e-3);
    check_float("-1.234456e+78", -1.234456e+78);
    check_float("1.e+78", 1e78);
    check_float("1000000000000000000000", 1e21);
    check_float("0.30000000000000004", 0.30000000000000004);
    check_float("58.13028242891234", 58.13028242891234);
    check_float("1e-400", 0);
    CHECK_EQ_INT(parse("m f=-0"), 1);
    CHECK(L.fields[0].bits == 0x8000000000000000ull);

    CHECK_EQ_INT(parse("m i=-9223372036854775808i,j=9223372036854775807i,z=-0i"), 1);
    CHECK((int64_t)L.fields[0].bits == INT64_MIN && (int64_t)L.fields[1].bits == INT64_MAX);
    CHECK(L.fields[2].type == ST_VT_INT && L.fields[2].bits == 0);
    CHECK_EQ_INT(parse("m i=9223372036854775808i"), ST_ERANGE);
    CHECK(strstr(E.msg, "value out of range") != NULL);
    CHECK_EQ_INT(parse("m i=-9223372036854775809i"), ST_ERANGE);
    CHECK_EQ_INT(parse("m u=18446744073709551615u,v=0u"), 1);
    CHECK(L.fields[0].type == ST_VT_UINT && L.fields[0].bits == UINT64_MAX);
    CHECK_EQ_INT(parse("m u=18446744073709551616u"), ST_ERANGE);
    CHECK(strstr(E.msg, "value out of range") != NULL);

    static const char *bad[] = {"1.5i", "9i10", "1i2", "-i", "-1u", "1.0u", "1.2.3", "1..2", "1x",
                                "-", ".", "1e", "1e+", "--1", "0x10", "1_000", "NaN", "nan",
                                "Inf", "-Inf", "1e5e5", "i"};
    for (size_t i = 0; i < ST_ARRAY_LEN(bad); i++) {
        char line[64];
        snprintf(line, sizeof line, "m f=%s", bad[i]);
        int rc = parse(line);
        CHECK_MSG(rc < 0, "accepted %s", bad[i]);
    }
    CHECK_EQ_INT(parse("m f=1e400"), ST_ERANGE);
    CHECK(strstr(E.msg, "invalid float") != NULL);
    CHECK_EQ_INT(parse("m f=NaN"), ST_EINVAL);
    CHECK(strstr(E.msg, "invalid number") != NULL);
}

static void test_bools(void)
{
    static const char *t[] = {"t", "T", "true", "True", "TRUE"};
    static const char *f[] = {"f", "F", "false", "False", "FALSE"};
    for (size_t i = 0; i < 5; i++) {
        char line[64];
        snprintf(line, sizeof line, "m a=%s,b=%s", t[i], f[i]);
        CHECK_EQ_INT(parse(line), 1);
        CHECK(L.fields[0].type == ST_VT_BOOL && L.fields[0].bits == 1);
        CHECK(L.fields[1].type == ST_VT_BOOL && L.fields[1].bits == 0);
    }
    static const char *bad[] = {"tru", "TRue", "yes", "truee", "+1", "\"true"};
    for (size_t i = 0; i < ST_ARRAY_LEN(bad); i++) {
        char line[64];
        snprintf(line, sizeof line, "m a=%s", bad[i]);
        CHECK_MSG(parse(line) < 0, "accepted %s", bad[i]);
    }
    CHECK_EQ_INT(parse("m a=tru"), ST_EINVAL);
    CHECK(strstr(E.msg, "invalid boolean") != NULL);
}

static void check_err(const char *line, const char *reason)
{
    int rc = parse(line);
    CHECK_MSG(rc < 0, "accepted %s", line);
    char want[512];
    snprintf(want, sizeof want, "unable to parse '%s': %s", line, reason);
    CHECK_MSG(strcmp(E.msg, want) == 0, "%s: got \"%s\" want \"%s\"", line, E.msg, want);
}

static void test_errors(void)
{
    check_err(",a=1 f=1", "missing measurement");
    check_err("cpu", "missing fields");
    check_err("cpu ", "missing fields");
    check_err("cpu,a=1", "missing fields");
    check_err("cpu,a=1 ", "missing fields");
    check_err("cpu,=a f=1", "missing tag key");
    check_err("cpu, f=1", "missing tag key");
    check_err("cpu,a f=1", "missing tag value");
    check_err("cpu,a= f=1", "missing tag value");
    check_err("cpu,a=, f=1", "missing tag value");
    check_err("cpu,a=b=c f=1", "invalid tag format");
    check_err("cpu =1", "missing field key");
    check_err("cpu f=1,=2", "missing field key");
    check_err("cpu f=", "missing field value");
    check_err("cpu f=,g=1", "missing field value");
    check_err("cpu f= 1", "missing field value");
    check_err("cpu f", "invalid field format");
    check_err("cpu f=1,", "invalid field format");
    check_err("cpu f=1,g", "invalid field format");
    check_err("cpu f=1,g 5", "invalid field format");
    check_err("cpu f=\"a\"b", "invalid field format");
    check_err("cpu f=\"abc", "unbalanced quotes");
    check_err("cpu f=1.2.3", "invalid number");
    check_err("cpu f=tru", "invalid boolean");
    check_err("cpu f=1 12a", "bad timestamp");
    check_err("cpu f=1 -", "bad timestamp");
    check_err("cpu f=1 12 13", "point is invalid");
    check_err("cpu f=1 9223372036854775807",
              "time outside range -9223372036854775806 - 9223372036854775806");
    check_err("cpu f=1 99999999999999999999",
              "time outside range -9223372036854775806 - 9223372036854775806");
    /* the quoted line is cut */
    char big[1000];
    memset(big, 'x', sizeof big);
    big[sizeof big - 1] = 0;
    CHECK(parse(big) == ST_EINVAL && strstr(E.msg, "...': missing fields") != NULL);
    /* key length */
    size_t n = 70000;
    char *k = malloc(n + 8);
    memset(k, 'm', n);
    memcpy(k + n, " f=1", 5);
    CHECK(parse(k) == ST_EINVAL && strstr(E.msg, "max key length exceeded: 70000 > 65535"));
    memcpy(k + 65531, " f=1", 5);
    CHECK_EQ_INT(parse(k), ST_EINVAL); /* 65531 + 4 + 1 > 65535 with the field key */
    memcpy(k + 65530, " f=1", 5);
    CHECK_EQ_INT(parse(k), 1);
    memcpy(k + 65530 - 10, " f=1", 5);
    CHECK_EQ_INT(parse(k), 1);
    free(k);
}

static void test_lines(void)
{
    const char *body = "# comment\n"
                       "\n"
                       "   \t\n"
                       "a f=1 1\r\n"
                       "  # indented comment, f=\"x\n"
                       "b f=\"multi\n"
                       "line\\\"\n"
                       "string\" 2\n"
                       "bad line\n"
                       "c,t=x\\\n"
                       "y f=1 3\n"
                       "d f=1 4\r\n"
                       "\r\n"
                       "e f=tru\n"
                       "f f=1";
    parse(body);
    CHECK(sl(L.measurement, "a") && L.ts == 1 && L.lineno == 4 && sl(L.raw, "a f=1 1"));
    CHECK_EQ_INT(lp_next(P, &L, &E), 1);
    CHECK(sl(L.measurement, "b") && sl(L.fields[0].str, "multi\nline\"\nstring") && L.ts == 2);
    CHECK_EQ_INT(L.lineno, 6);
    CHECK_EQ_INT(lp_next(P, &L, &E), ST_EINVAL);
    CHECK_EQ_INT(L.lineno, 9);
    CHECK(sl(L.raw, "bad line"));
    CHECK_EQ_INT(lp_next(P, &L, &E), 1);
    /* an escaped newline does not end the line (InfluxDB's scanLine) */
    CHECK(sl(L.measurement, "c") && sl(L.tags[0].value, "x\\\ny") && L.ts == 3);
    CHECK_EQ_INT(L.lineno, 10);
    CHECK_EQ_INT(lp_next(P, &L, &E), 1);
    CHECK(sl(L.measurement, "d") && L.ts == 4 && L.lineno == 12);
    CHECK_EQ_INT(lp_next(P, &L, &E), ST_EINVAL);
    CHECK_EQ_INT(L.lineno, 14);
    CHECK_EQ_INT(lp_next(P, &L, &E), 1);
    CHECK(sl(L.measurement, "f") && L.lineno == 15 && !L.has_ts);
    CHECK_EQ_INT(lp_next(P, &L, &E), 0);
    CHECK_EQ_INT(lp_next(P, &L, &E), 0);

    /* after a failure the skip follows scanLine: an opened quote swallows
     * the newline, so the next line is part of the bad one */
    parse("m f=1x,g=\"a\nb\" 1\nn f=2\n");
    CHECK(L.lineno == 1 && sl(L.raw, "m f=1x,g=\"a\nb\" 1"));
    CHECK_EQ_INT(lp_next(P, &L, &E), 1);
    CHECK(sl(L.measurement, "n") && L.lineno == 3);

    /* an unbalanced quote eats the rest of the body, as in InfluxDB */
    parse("m s=\"abc\nn f=1\n");
    CHECK(strstr(E.msg, "unbalanced quotes") != NULL);
    CHECK_EQ_INT(lp_next(P, &L, &E), 0);

    /* empty and blank bodies */
    CHECK_EQ_INT(parse(""), 0);
    CHECK_EQ_INT(parse("\n\n  \n# x"), 0);
    CHECK_EQ_INT(parse_ex("\0\0\n", 3, false, LP_NS), 0);
    CHECK_EQ_INT(lp_next(P, &L, &E), 0);
    static const char two[] = "ab\ncd";
    CHECK(lp_line_end(two, two + 5) == two + 2);
}

static void test_precision(void)
{
    CHECK_EQ_INT(parse_ex("m f=1 1700000000", 16, false, LP_S), 1);
    CHECK(L.ts == 1700000000000000000LL);
    CHECK_EQ_INT(parse_ex("m f=1 1700000000123", 19, false, LP_MS), 1);
    CHECK(L.ts == 1700000000123000000LL);
    CHECK_EQ_INT(parse_ex("m f=1 -3", 8, false, LP_US), 1);
    CHECK(L.ts == -3000);
    CHECK_EQ_INT(parse_ex("m f=1 2", 7, false, LP_M), 1);
    CHECK(L.ts == 120000000000LL);
    CHECK_EQ_INT(parse_ex("m f=1 2", 7, false, LP_H), 1);
    CHECK(L.ts == 7200000000000LL);
    CHECK_EQ_INT(parse_ex("m f=1 9223372037", 16, false, LP_S), ST_ERANGE);
    CHECK_EQ_INT(parse_ex("m f=1 9223372036", 16, false, LP_S), 1);
    CHECK_EQ_INT(parse_ex("m f=1 -9223372037", 17, false, LP_S), ST_ERANGE);
    /* extensions take the whole int64 range */
    CHECK_EQ_INT(parse_ex("m f=1 -9223372036854775808", 26, true, LP_NS), 1);
    CHECK(L.ts == INT64_MIN);
    CHECK_EQ_INT(parse_ex("m f=1 9223372036854775807", 25, true, LP_NS), 1);
    CHECK(L.ts == INT64_MAX);
    CHECK_EQ_INT(parse_ex("m f=1 9223372036854775808", 25, true, LP_NS), ST_ERANGE);

    lp_precision p;
    CHECK(lp_precision_parse(NULL, &p) && p == LP_NS);
    CHECK(lp_precision_parse("n", &p) && p == LP_NS);
    CHECK(lp_precision_parse("ns", &p) && p == LP_NS);
    CHECK(lp_precision_parse("u", &p) && p == LP_US);
    CHECK(lp_precision_parse("us", &p) && p == LP_US);
    CHECK(lp_precision_parse("ms", &p) && p == LP_MS);
    CHECK(lp_precision_parse("s", &p) && p == LP_S);
    CHECK(lp_precision_parse("m", &p) && p == LP_M);
    CHECK(lp_precision_parse("h", &p) && p == LP_H);
    CHECK(!lp_precision_parse("d", &p));
    CHECK(!lp_precision_parse("MS", &p));
    CHECK(lp_precision_ns(LP_H) == 3600000000000LL);
}

static void test_duplicate_fields(void)
{
    CHECK_EQ_INT(parse("m v=2,bananas=42,v=3,platanos=24"), 1);
    CHECK_EQ_INT(L.nfields, 3);
    CHECK(sl(L.fields[0].key, "bananas") && sl(L.fields[1].key, "v") && fval(&L.fields[1]) == 3);
    CHECK(sl(L.fields[2].key, "platanos"));
    CHECK_EQ_INT(parse("m a=1,a=2,a=3"), 1);
    CHECK(L.nfields == 1 && fval(&L.fields[0]) == 3);
    CHECK_EQ_INT(parse("m v=2,v=3i"), ST_EINVAL);
    CHECK(strstr(E.msg, "conflicting types") != NULL);
    /* many fields without duplicates keep their order */
    char line[8192];
    size_t n = (size_t)snprintf(line, sizeof line, "m ");
    for (int i = 0; i < 300; i++)
        n += (size_t)snprintf(line + n, sizeof line - n, "%sf%d=%d", i ? "," : "", i, i);
    CHECK_EQ_INT(parse(line), 1);
    CHECK_EQ_INT(L.nfields, 300);
    for (size_t i = 0; i < L.nfields; i++) CHECK(fval(&L.fields[i]) == (double)i);
}

static void test_extensions(void)
{
    const char *ext = "m a=NaN,b=+Inf,c=-Inf,d=NaN(0x7ff0000000000002),e=NaN(0xFFF8000000000000)";
    if (parse_ex(ext, strlen(ext), true, LP_NS) != 1 || L.nfields != 5) {
        CHECK_MSG(0, "%s", E.msg);
        return;
    }
    CHECK(L.fields[0].bits == LP_NAN_BITS);
    CHECK(L.fields[1].bits == 0x7ff0000000000000ull);
    CHECK(L.fields[2].bits == 0xfff0000000000000ull);
    CHECK(L.fields[3].bits == ST_STALE_NAN_BITS);
    CHECK(L.fields[4].bits == 0xfff8000000000000ull);
    static const char *bad[] = {"NaN(0x0000000000000001)", "NaN(0x7ff0000000000000)", "NaN(0x7ff)",
                                "NaN(7ff0000000000002)", "nan", "Inf", "+inf", "-NaN", "+1",
                                "NaN(0x7ff000000000000g)"};
    for (size_t i = 0; i < ST_ARRAY_LEN(bad); i++) {
        char line[64];
        int n = snprintf(line, sizeof line, "m f=%s", bad[i]);
        CHECK_MSG(parse_ex(line, (size_t)n, true, LP_NS) < 0, "accepted %s", bad[i]);
    }
    CHECK(parse("m f=+Inf") < 0);
    CHECK(parse("m f=NaN(0x7ff0000000000002)") < 0);
}

/* ------------------------------------------------------------ round trip */

static uint64_t rs = 0x243f6a8885a308d3ull;
static uint64_t rnd(void)
{
    rs ^= rs << 13;
    rs ^= rs >> 7;
    rs ^= rs << 17;
    return rs;
}

/* A random token drawn from bytes that matter to the grammar. */
static size_t rand_token(char *o, size_t max, bool is_meas)
{
    static const char pool[] = {' ', ',', '=', '\\', '"', '#', '\t', 'a', 'b', 'z', '0',
                                '9', '.', '-', '+', 'i', 'u', 'e', '\r', '\0'};
    static const char *utf[] = {"\xc3\xa9", "\xe2\x82\xac", "\xf0\x9f\x98\x80"};
    size_t n = 1 + rnd() % max, w = 0;
    while (w < n) {
        unsigned r = (unsigned)(rnd() % 24);
        if (r < ST_ARRAY_LEN(pool)) {
            o[w++] = pool[r];
        } else {
            const char *u = utf[rnd() % 3];
            size_t k = strlen(u);
            memcpy(o + w, u, k);
            w += k;
        }
    }
    if (is_meas && (o[0] == '#' || o[0] == '\t' || o[0] == '\0')) o[0] = 'm';
    return w;
}

static void test_round_trip(void)
{
    st_buf b = {0};
    int bad = 0;
    for (int it = 0; it < 20000; it++) {
        char meas[64], tk[4][64], tv[4][64], fk[64], sv[64];
        size_t mn = rand_token(meas, 12, true), fkn = rand_token(fk, 8, false), svn = rand_token(sv, 12, false);
        size_t nt = rnd() % 4, tkn[4], tvn[4];
        for (size_t i = 0; i < nt; i++) {
            tkn[i] = rand_token(tk[i], 8, false);
            tvn[i] = rand_token(tv[i], 8, false);
            tk[i][0] = (char)('A' + i); /* distinct, sorted keys */
        }
        if (fk[0] == '\t' || fk[0] == '\0') fk[0] = 'f';
        CHECK(lp_measurement_ok(st_slice_of(meas, mn)) && lp_field_key_ok(st_slice_of(fk, fkn)));
        b.len = 0;
        lp_write_measurement(&b, st_slice_of(meas, mn));
        for (size_t i = 0; i < nt; i++) {
            st_buf_putc(&b, ',');
            lp_write_key(&b, st_slice_of(tk[i], tkn[i]));
            st_buf_putc(&b, '=');
            lp_write_key(&b, st_slice_of(tv[i], tvn[i]));
        }
        st_buf_putc(&b, ' ');
        lp_write_key(&b, st_slice_of(fk, fkn));
        st_buf_putc(&b, '=');
        int type = 1 + (int)(rnd() % 5);
        uint64_t bits = rnd();
        switch (type) {
        case ST_VT_FLOAT:
            if (rnd() % 4 == 0) bits = (uint64_t[]){0x7ff8000000000001ull, ST_STALE_NAN_BITS,
                                                    0x7ff0000000000000ull, 0xfff0000000000000ull,
                                                    0x8000000000000000ull, 0, 1,
                                                    0x7fefffffffffffffull}[rnd() % 8];
            lp_write_float(&b, bits);
            break;
        case ST_VT_INT: lp_write_int(&b, (int64_t)bits); break;
        case ST_VT_UINT: lp_write_uint(&b, bits); break;
        case ST_VT_BOOL:
            bits &= 1;
            lp_write_bool(&b, bits);
            break;
        default: lp_write_string(&b, st_slice_of(sv, svn)); break;
        }
        int64_t ts = (int64_t)rnd();
        st_buf_printf(&b, " %lld\n", (long long)ts);
        int rc = parse_ex((const char *)b.p, b.len, true, LP_NS);
        bool ok = rc == 1 && L.lineno == 1 && L.ntags == nt && L.nfields == 1 && L.has_ts &&
                  L.ts == ts && L.measurement.n == mn && !memcmp(L.measurement.p, meas, mn) &&
                  L.fields[0].type == type && L.fields[0].key.n == fkn &&
                  !memcmp(L.fields[0].key.p, fk, fkn);
        for (size_t i = 0; ok && i < nt; i++)
            ok = L.tags[i].name.n == tkn[i] && !memcmp(L.tags[i].name.p, tk[i], tkn[i]) &&
                 L.tags[i].value.n == tvn[i] && !memcmp(L.tags[i].value.p, tv[i], tvn[i]);
        if (ok && type == ST_VT_STRING)
            ok = L.fields[0].str.n == svn && !memcmp(L.fields[0].str.p, sv, svn);
        else if (ok)
            ok = L.fields[0].bits == bits;
        if (ok) ok = lp_next(P, &L, &E) == 0;
        if (!ok && bad++ < 5) {
            char esc[1024];
            size_t w = 0;
            for (size_t i = 0; i < b.len && w < sizeof esc - 8; i++) {
                uint8_t c = b.p[i];
                if (c >= 0x20 && c < 0x7f) esc[w++] = (char)c;
                else w += (size_t)snprintf(esc + w, 8, "<%02x>", c);
            }
            esc[w] = 0;
            CHECK_MSG(0, "round trip of %s: rc %d %s", esc, rc, E.msg);
        }
    }
    CHECK_EQ_INT(bad, 0);

    /* what cannot be written */
    CHECK(!lp_measurement_ok(st_slice_cstr("#m")));
    CHECK(!lp_measurement_ok(st_slice_cstr("\tm")));
    CHECK(!lp_measurement_ok(st_slice_cstr("a\nb")));
    CHECK(!lp_measurement_ok(st_slice_cstr("")));
    CHECK(lp_measurement_ok(st_slice_cstr(" m#")));
    CHECK(!lp_key_ok(st_slice_cstr("a\nb")));
    CHECK(!lp_key_ok(st_slice_cstr("")));
    CHECK(lp_key_ok(st_slice_cstr("#\t\r")));
    CHECK(lp_key_ok(st_slice_cstr("\tx")) && !lp_field_key_ok(st_slice_cstr("\tx")));
    CHECK(!lp_field_key_ok(st_slice_of("\0x", 2)) && lp_field_key_ok(st_slice_cstr(" x")));

    /* exact text of the writers */
    b.len = 0;
    lp_write_measurement(&b, st_slice_cstr("a b,c=d\\e\\"));
    st_buf_putc(&b, '|');
    lp_write_key(&b, st_slice_cstr("a b,c=d\\e\\ \\"));
    st_buf_putc(&b, '|');
    lp_write_string(&b, st_slice_cstr("q\"b\\s"));
    st_buf_putc(&b, '|');
    lp_write_float(&b, 0x3fb999999999999aull); /* 0.1 */
    st_buf_putc(&b, '|');
    double d = 1e21;
    uint64_t u;
    memcpy(&u, &d, 8);
    lp_write_float(&b, u);
    st_buf_putc(&b, '|');
    lp_write_float(&b, ST_STALE_NAN_BITS);
    st_buf_putc(&b, '|');
    lp_write_int(&b, INT64_MIN);
    st_buf_putc(&b, '|');
    lp_write_uint(&b, UINT64_MAX);
    st_buf_putc(&b, '|');
    lp_write_bool(&b, true);
    lp_write_bool(&b, false);
    const char *want = "a\\ b\\,c=d\\e\\\\|a\\ b\\,c\\=d\\e\\\\\\ \\\\|\"q\\\"b\\\\s\"|0.1|1e+21|"
                       "NaN(0x7ff0000000000002)|-9223372036854775808i|18446744073709551615u|"
                       "truefalse";
    CHECK_MSG(b.len == strlen(want) && memcmp(b.p, want, b.len) == 0, "got %.*s", (int)b.len,
              (const char *)b.p);
    st_buf_free(&b);
}

/* Random mutations of valid lines on exactly sized buffers: must never
 * crash or read outside the body (ASan), must always make progress. */
static void test_mutations(void)
{
    static const char *seeds[] = {
        "cpu,host=a,region=b usage=1.5,idle=2i,n=3u,ok=true,s=\"x\\\"y\" 1700000000000000001\n",
        "m\\ x,t\\,=v\\= f\\ =\"a\nb\",g=NaN(0x7ff0000000000002) -5\r\n# c\n\nn f=-Inf",
        "a,b=c d=\"\\\\\",e=1e-5,f=.5,g=18446744073709551615u 0\nx y=t",
    };
    static const char alphabet[] = " ,=\\\"\n\r#\t0123456789.-+eiuNaIfxTF()";
    char buf[512];
    for (int it = 0; it < 200000; it++) {
        const char *s = seeds[rnd() % ST_ARRAY_LEN(seeds)];
        size_t n = strlen(s);
        memcpy(buf, s, n);
        int muts = 1 + (int)(rnd() % 4);
        for (int m = 0; m < muts; m++) {
            size_t at = rnd() % (n + 1);
            switch (rnd() % 3) {
            case 0:
                if (at < n) buf[at] = alphabet[rnd() % (sizeof alphabet - 1)];
                break;
            case 1:
                if (n < sizeof buf - 1) {
                    memmove(buf + at + 1, buf + at, n - at);
                    buf[at] = alphabet[rnd() % (sizeof alphabet - 1)];
                    n++;
                }
                break;
            default:
                if (at < n) {
                    memmove(buf + at, buf + at + 1, n - at - 1);
                    n--;
                }
            }
        }
        if (rnd() % 8 == 0) n = rnd() % (n + 1); /* truncate anywhere */
        int rc = parse_ex(buf, n, rnd() & 1, (lp_precision)(rnd() % 6));
        int guard = 0;
        while (rc != 0 && guard++ < 1000) rc = lp_next(P, &L, &E);
        CHECK(guard < 1000);
    }
}

/* ----------------------------------------------------------------- speed */

static double cpu_now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t); /* CPU time: CI machines are shared */
    return (double)t.tv_sec + t.tv_nsec / 1e9;
}

static void bench(const char *what, bool long_floats)
{
    static const char *fields[] = {"usage_user",   "usage_system", "usage_idle",  "usage_nice",
                                   "usage_iowait", "usage_irq",    "usage_softirq", "usage_steal",
                                   "usage_guest",  "usage_guest_nice"};
    static const char *regions[] = {"us-east-1", "us-west-1", "eu-west-1", "eu-central-1",
                                    "ap-southeast-1"};
    size_t nlines = 100000;
    st_buf b = {0};
    for (size_t i = 0; i < nlines; i++) {
        size_t h = i % 1000;
        const char *r = regions[h % 5];
        st_buf_printf(&b,
                      "cpu,hostname=host_%zu,region=%s,datacenter=%sa,rack=%zu,os=Ubuntu16.04LTS,"
                      "arch=x64,team=SF,service=%zu,service_version=%zu,"
                      "service_environment=production ",
                      h, r, r, h % 100, h % 20, h % 2);
        for (int f = 0; f < 10; f++) {
            double v = (double)(rnd() % 10000) / 100.0;
            if (long_floats) v = (double)(rnd() >> 11) / 9007199254740992.0 * 100.0;
            if (long_floats) st_buf_printf(&b, "%s%s=%.17g", f ? "," : "", fields[f], v);
            else st_buf_printf(&b, "%s%s=%.2f", f ? "," : "", fields[f], v);
        }
        st_buf_printf(&b, " %lld\n", 1700000000000000000LL + (long long)(i / 1000) * 10000000000LL);
    }
    lp_opts o = {0};
    size_t lines = 0, fieldsn = 0;
    double best = 1e9;
    for (int rep = 0; rep < 5; rep++) {
        st_arena_reset(A);
        lp_reset(P, (const char *)b.p, b.len, &o, A);
        double t0 = cpu_now();
        int rc;
        lines = fieldsn = 0;
        while ((rc = lp_next(P, &L, &E)) == 1) {
            lines++;
            fieldsn += L.nfields;
        }
        double t = cpu_now() - t0;
        if (t < best) best = t;
        CHECK_EQ_INT(rc, 0);
    }
    CHECK_EQ_INT(lines, nlines);
    CHECK_EQ_INT(fieldsn, nlines * 10);
    printf("  lp_next, %s: %.2f M lines/s, %.0f MB/s (%zu bytes/line, CPU time)\n", what,
           (double)lines / best / 1e6, (double)b.len / best / 1e6, b.len / nlines);
    st_buf_free(&b);
}

static void test_speed(void)
{
    bench("TSBS-like, 10 tags, 10 fields %.2f", false);
    bench("10 tags, 10 fields %.17g", true);
}

int main(void)
{
    P = lp_parser_new();
    A = st_arena_new(4096);
    RUN(test_basic);
    RUN(test_tags_sorted);
    RUN(test_escapes);
    RUN(test_numbers);
    RUN(test_bools);
    RUN(test_errors);
    RUN(test_lines);
    RUN(test_precision);
    RUN(test_duplicate_fields);
    RUN(test_extensions);
    RUN(test_round_trip);
    RUN(test_mutations);
    RUN(test_speed);
    lp_parser_free(P);
    st_arena_free(A);
    free(heap_body);
    return testlib_done("test_lp");
}
