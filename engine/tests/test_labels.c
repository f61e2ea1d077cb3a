/* Tests for labels: canonicalisation, keys, UTF-8 validation, formatting. */
#include "labels.h"
#include "testlib.h"

#define L(n, v) {{n, sizeof(n) - 1}, {v, sizeof(v) - 1}}

static uint64_t rng_state = 0x2545F4914F6CDD1Dull;
static uint64_t rnd(void)
{
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 7;
    rng_state ^= rng_state << 17;
    return rng_state;
}

/* A slow, obviously-correct UTF-8 checker: decode, then check ranges. */
static bool ref_utf8(const uint8_t *p, size_t n)
{
    size_t i = 0;
    while (i < n) {
        uint8_t c = p[i];
        size_t k;
        uint32_t cp, min;
        if (c < 0x80) { i++; continue; }
        else if ((c & 0xE0) == 0xC0) { k = 2; cp = c & 0x1F; min = 0x80; }
        else if ((c & 0xF0) == 0xE0) { k = 3; cp = c & 0x0F; min = 0x800; }
        else if ((c & 0xF8) == 0xF0) { k = 4; cp = c & 0x07; min = 0x10000; }
        else return false;
        if (i + k > n) return false;
        for (size_t j = 1; j < k; j++) {
            if ((p[i + j] & 0xC0) != 0x80) return false;
            cp = cp << 6 | (p[i + j] & 0x3F);
        }
        if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return false;
        i += k;
    }
    return true;
}

static void test_vtype_name(void)
{
    CHECK(!strcmp(st_vtype_name(ST_VT_FLOAT), "float"));
    CHECK(!strcmp(st_vtype_name(ST_VT_INT), "integer"));
    CHECK(!strcmp(st_vtype_name(ST_VT_UINT), "unsigned"));
    CHECK(!strcmp(st_vtype_name(ST_VT_BOOL), "boolean"));
    CHECK(!strcmp(st_vtype_name(ST_VT_STRING), "string"));
    CHECK(!strcmp(st_vtype_name((st_vtype)99), "unknown"));
}

static void test_utf8_edges(void)
{
    struct { const char *s; size_t n; bool ok; } cases[] = {
        {"", 0, true},
        {"plain ascii text, long enough for the word loop", 48, true},
        {"\x7f", 1, true},
        {"\xc2\x80", 2, true},          /* U+0080 */
        {"\xc1\xbf", 2, false},         /* overlong U+007F */
        {"\xc0\x80", 2, false},         /* overlong NUL */
        {"\xdf\xbf", 2, true},          /* U+07FF */
        {"\xe0\x9f\xbf", 3, false},     /* overlong U+07FF */
        {"\xe0\xa0\x80", 3, true},      /* U+0800 */
        {"\xed\x9f\xbf", 3, true},      /* U+D7FF */
        {"\xed\xa0\x80", 3, false},     /* U+D800 surrogate */
        {"\xed\xbf\xbf", 3, false},     /* U+DFFF surrogate */
        {"\xee\x80\x80", 3, true},      /* U+E000 */
        {"\xef\xbf\xbf", 3, true},      /* U+FFFF */
        {"\xf0\x8f\xbf\xbf", 4, false}, /* overlong U+FFFF */
        {"\xf0\x90\x80\x80", 4, true},  /* U+10000 */
        {"\xf4\x8f\xbf\xbf", 4, true},  /* U+10FFFF */
        {"\xf4\x90\x80\x80", 4, false}, /* U+110000 */
        {"\xf5\x80\x80\x80", 4, false},
        {"\xff", 1, false},
        {"\x80", 1, false},
        {"\xe2\x82", 2, false},         /* truncated */
        {"abcdefg\xe2\x82", 9, false},  /* truncated after the word loop */
        {"abcdefgh\xc3\xa9", 10, true},
        {"a\0b", 3, true},
    };
    for (size_t i = 0; i < ST_ARRAY_LEN(cases); i++)
        CHECK_MSG(utf8_valid(cases[i].s, cases[i].n) == cases[i].ok, "case %zu", i);
}

static void test_utf8_exhaustive(void)
{
    /* Every 1-, 2- and 3-byte string, plus random 4-byte ones, at several
     * alignments and behind ASCII prefixes that exercise the 8-byte path. */
    uint8_t buf[32];
    int bad = 0;
    for (uint32_t v = 0; v < (1u << 24); v++) {
        size_t n = v < 256 ? 1 : v < 65536 ? 2 : 3;
        for (size_t j = 0; j < n; j++) buf[j] = (uint8_t)(v >> (8 * (n - 1 - j)));
        if (utf8_valid((char *)buf, n) != ref_utf8(buf, n)) bad++;
    }
    CHECK_EQ_INT(bad, 0);
    for (int it = 0; it < 2000000; it++) {
        size_t pre = rnd() % 12, n = pre + 1 + rnd() % 6;
        memset(buf, 'x', pre);
        for (size_t j = pre; j < n; j++) {
            uint64_t r = rnd();
            /* Bias toward the interesting bytes. */
            buf[j] = (r & 3) == 0 ? (uint8_t)(0x80 | (r >> 8 & 0x3F))
                     : (r & 3) == 1 ? (uint8_t)(0xC0 | (r >> 8 & 0x3F))
                                    : (uint8_t)(r >> 8);
        }
        if (utf8_valid((char *)buf, n) != ref_utf8(buf, n)) bad++;
    }
    CHECK_EQ_INT(bad, 0);
}

static void test_canonicalize(void)
{
    st_err e = {0};
    label ls[] = {L("job", "api"), L("__name__", "up"), L("instance", "h:1"), L("zone", "")};
    size_t n = 4;
    CHECK_OK(labels_canonicalize(ls, &n, &e));
    CHECK_EQ_INT(n, 3);
    CHECK(st_slice_eq(ls[0].name, st_slice_cstr("__name__")));
    CHECK(st_slice_eq(ls[1].name, st_slice_cstr("instance")));
    CHECK(st_slice_eq(ls[2].name, st_slice_cstr("job")));

    /* Byte order: uppercase before '_' before lowercase. */
    label ls2[] = {L("a", "1"), L("__name__", "m"), L("B", "2"), L("_", "3")};
    n = 4;
    CHECK_OK(labels_canonicalize(ls2, &n, &e));
    CHECK(st_slice_eq(ls2[0].name, st_slice_cstr("B")));
    CHECK(st_slice_eq(ls2[1].name, st_slice_cstr("_")));
    CHECK(st_slice_eq(ls2[2].name, st_slice_cstr("__name__")));
    CHECK(st_slice_eq(ls2[3].name, st_slice_cstr("a")));

    label d[] = {L("__name__", "m"), L("host", "a"), L("host", "b")};
    n = 3;
    CHECK_EQ_INT(labels_canonicalize(d, &n, &e), ST_EINVAL);
    CHECK(!strcmp(e.msg, "duplicate label name \"host\""));

    label d2[] = {L("__name__", "m"), L("host", ""), L("host", "b")};
    n = 3;
    CHECK_EQ_INT(labels_canonicalize(d2, &n, &e), ST_EINVAL);

    label em[] = {L("__name__", "m"), L("", "x")};
    n = 2;
    CHECK_EQ_INT(labels_canonicalize(em, &n, &e), ST_EINVAL);
    CHECK(!strcmp(e.msg, "label name \"\" is empty"));

    label nn[] = {L("job", "x")};
    n = 1;
    CHECK_EQ_INT(labels_canonicalize(nn, &n, &e), ST_EINVAL);
    CHECK(!strcmp(e.msg, "metric name missing"));

    label en[] = {L("__name__", ""), L("job", "x")};
    n = 2;
    CHECK_EQ_INT(labels_canonicalize(en, &n, &e), ST_EINVAL);
    CHECK(!strcmp(e.msg, "metric name missing"));

    label uv[] = {L("__name__", "m"), L("x", "a\xff")};
    n = 2;
    CHECK_EQ_INT(labels_canonicalize(uv, &n, &e), ST_EINVAL);
    CHECK(!strcmp(e.msg, "invalid UTF-8 in value of label \"x\""));

    label un[] = {L("__name__", "m"), L("b\xc0\x80", "v")};
    n = 2;
    CHECK_EQ_INT(labels_canonicalize(un, &n, &e), ST_EINVAL);
    CHECK_MSG(!strcmp(e.msg, "invalid UTF-8 in label name \"b\\xc0\\x80\""), "%s", e.msg);

    /* UTF-8 names are allowed (line protocol tags, Prometheus 3). */
    label u8[] = {L("__name__", "m"), L("h\xc3\xb4te", "v")};
    n = 2;
    CHECK_OK(labels_canonicalize(u8, &n, NULL));

    /* A long name in a message is cut, never overflows. */
    char big[2000];
    memset(big, 'q', sizeof big);
    label lg[] = {{{big, sizeof big}, {"x", 1}}, {{big, sizeof big}, {"y", 1}}, L("__name__", "m")};
    n = 3;
    CHECK_EQ_INT(labels_canonicalize(lg, &n, &e), ST_EINVAL);
    CHECK(strstr(e.msg, "duplicate label name \"qqq") && strstr(e.msg, "\"..."));
}

static void test_canonicalize_random(void)
{
    /* Random sets of up to 60 labels (both sort paths): result is sorted,
     * free of empties, and a permutation of the non-empty input. */
    char names[64][8];
    for (int it = 0; it < 3000; it++) {
        size_t n = 1 + rnd() % 60, kept = 0;
        label ls[64];
        for (size_t i = 0; i < n; i++) {
            snprintf(names[i], sizeof names[i], "l%03zu", (size_t)(rnd() % 1000 * 64 + i) % 100000);
            ls[i].name = st_slice_cstr(i == 0 ? "__name__" : names[i]);
            ls[i].value = (rnd() % 4 || i == 0) ? st_slice_of("v", 1) : st_slice_of("", 0);
            kept += ls[i].value.n > 0;
        }
        /* names are unique by construction (index in the low digits) */
        size_t m = n;
        int rc = labels_canonicalize(ls, &m, NULL);
        CHECK_EQ_INT(rc, 0);
        CHECK_EQ_INT(m, kept);
        for (size_t i = 1; i < m; i++) CHECK(st_slice_cmp(ls[i - 1].name, ls[i].name) < 0);
        for (size_t i = 0; i < m; i++) CHECK(ls[i].value.n > 0);
    }
}

static void test_key(void)
{
    label ls[] = {L("__name__", "cpu"), L("host", "a"), L("zone", "")};
    size_t n = 3;
    CHECK_OK(labels_canonicalize(ls, &n, NULL));
    st_buf k = {0};
    labels_key(ls, n, &k);
    CHECK_EQ_INT(k.len, 1 + 8 + 1 + 3 + 1 + 4 + 1 + 1);
    CHECK_EQ_INT(labels_key_count(k.p, k.len), 2);
    CHECK(st_slice_eq(labels_key_name(k.p, k.len), st_slice_cstr("cpu")));
    CHECK(st_slice_eq(labels_key_get(k.p, k.len, st_slice_cstr("host")), st_slice_cstr("a")));
    CHECK_EQ_INT(labels_key_get(k.p, k.len, st_slice_cstr("zone")).n, 0);
    CHECK_EQ_INT(labels_key_get(k.p, k.len, st_slice_cstr("hos")).n, 0);

    label out[4];
    size_t m;
    CHECK_OK(labels_key_parse(k.p, k.len, out, 4, &m));
    CHECK_EQ_INT(m, 2);
    CHECK(st_slice_eq(out[1].value, st_slice_cstr("a")));
    CHECK_EQ_INT(labels_key_parse(k.p, k.len, out, 1, &m), ST_ECORRUPT);

    /* Every truncation of a key is malformed except at the label boundary
     * (13 bytes: a shorter valid key); none crash. */
    for (size_t cut = 1; cut < k.len; cut++) {
        CHECK_EQ_INT(labels_key_parse(k.p, cut, out, 4, &m), cut == 13 ? 0 : ST_ECORRUPT);
        CHECK_EQ_INT(labels_key_count(k.p, cut), cut == 13 ? 1 : 0);
        labels_key_get(k.p, cut, st_slice_cstr("host"));
    }
    /* A huge length varint. */
    uint8_t bad[] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01, 'a'};
    CHECK_EQ_INT(labels_key_parse(bad, sizeof bad, out, 4, &m), ST_ECORRUPT);
    CHECK_EQ_INT(labels_key_count(bad, sizeof bad), 0);
    CHECK_EQ_INT(labels_key_parse(bad, 0, out, 4, &m), 0);
    CHECK_EQ_INT(m, 0);

    /* Equal sets, different input order: equal keys. */
    label a[] = {L("x", "1"), L("__name__", "m"), L("y", "2")};
    label b[] = {L("y", "2"), L("x", "1"), L("__name__", "m"), L("q", "")};
    size_t na = 3, nb = 4;
    labels_canonicalize(a, &na, NULL);
    labels_canonicalize(b, &nb, NULL);
    st_buf ka = {0}, kb = {0};
    labels_key(a, na, &ka);
    labels_key(b, nb, &kb);
    CHECK(ka.len == kb.len && !memcmp(ka.p, kb.p, ka.len));
    /* Key boundaries are unambiguous: {ab=c} vs {a=bc}. */
    label c1[] = {L("__name__", "m"), L("ab", "c")}, c2[] = {L("__name__", "m"), L("a", "bc")};
    st_buf k1 = {0}, k2 = {0};
    labels_key(c1, 2, &k1);
    labels_key(c2, 2, &k2);
    CHECK(k1.len != k2.len || memcmp(k1.p, k2.p, k1.len) != 0);
    st_buf_free(&k);
    st_buf_free(&ka);
    st_buf_free(&kb);
    st_buf_free(&k1);
    st_buf_free(&k2);
}

static bool fmt_is(const label *ls, size_t n, const char *want)
{
    st_buf b = {0};
    labels_format(ls, n, &b);
    bool ok = b.len == strlen(want) && !memcmp(b.p, want, b.len);
    if (!ok) fprintf(stderr, "    got  %.*s\n    want %s\n", (int)b.len, (char *)b.p, want);
    st_buf_free(&b);
    return ok;
}

static void test_format(void)
{
    label a[] = {L("__name__", "up"), L("instance", "h:1"), L("job", "api")};
    CHECK(fmt_is(a, 3, "up{instance=\"h:1\",job=\"api\"}"));
    CHECK(fmt_is(a, 1, "up"));
    label b[] = {L("__name__", "my.metric"), L("a", "x")};
    CHECK(fmt_is(b, 2, "{__name__=\"my.metric\",a=\"x\"}"));
    label c[] = {L("a", "q\"uo\\te\nnl\ttab\x01")};
    CHECK(fmt_is(c, 1, "{a=\"q\\\"uo\\\\te\\nnl\\ttab\\x01\"}"));
    CHECK(fmt_is(NULL, 0, "{}"));
    label d[] = {L("__name__", "m"), L("0bad", "v"), L("dotted.name", "w")};
    CHECK(fmt_is(d, 3, "m{\"0bad\"=\"v\",\"dotted.name\"=\"w\"}"));
    label e[] = {L("__name__", "a:b_c9"), L("v", "caf\xc3\xa9 \xe2\x80\xa8 \xff")};
    CHECK(fmt_is(e, 2, "a:b_c9{v=\"caf\xc3\xa9 \\u2028 \\xff\"}"));
    label f[] = {L("__name__", "9m"), L("__name", "x")};
    CHECK(fmt_is(f, 2, "{__name__=\"9m\",__name=\"x\"}"));

    st_buf k = {0}, out = {0};
    labels_key(a, 3, &k);
    labels_format_key(k.p, k.len, &out);
    CHECK(out.len == 28 && !memcmp(out.p, "up{instance=\"h:1\",job=\"api\"}", 28));
    /* More labels than the stack buffer in labels_format_key. */
    st_buf_free(&k);
    char nm[40][8];
    label many[40];
    many[0] = (label)L("__name__", "m");
    for (int i = 1; i < 40; i++) {
        snprintf(nm[i], sizeof nm[i], "l%02d", i);
        many[i].name = st_slice_cstr(nm[i]);
        many[i].value = st_slice_of("v", 1);
    }
    labels_key(many, 40, &k);
    out.len = 0;
    labels_format_key(k.p, k.len, &out);
    CHECK(out.len > 2 && !memcmp(out.p, "m{l01=\"v\",", 10) && out.p[out.len - 1] == '}');
    out.len = 0;
    labels_format_key(k.p, 3, &out);
    CHECK(out.len > 0);
    st_buf_free(&k);
    st_buf_free(&out);
}

static void test_utf8_speed(void)
{
    size_t n = 1 << 20;
    char *s = malloc(n);
    for (size_t i = 0; i < n; i++) s[i] = (char)('a' + i % 26);
    int64_t t0 = st_mono_ns();
    int ok = 0;
    for (int r = 0; r < 50; r++) ok += utf8_valid(s, n);
    double ascii = (double)(st_mono_ns() - t0) / (50.0 * (double)n);
    for (size_t i = 0; i + 2 < n; i += 3) memcpy(s + i, "\xc3\xa9", 2), s[i + 2] = 'x';
    t0 = st_mono_ns();
    for (int r = 0; r < 20; r++) ok += utf8_valid(s, n - n % 3);
    double mixed = (double)(st_mono_ns() - t0) / (20.0 * (double)n);
    CHECK_EQ_INT(ok, 70);
    printf("  utf8_valid: %.3f ns/byte ASCII, %.3f ns/byte mixed\n", ascii, mixed);
    free(s);
}

static int cmp_sets(const char *an, const char *av, const char *bn, const char *bv)
{
    label a[2] = {{st_slice_cstr("__name__"), st_slice_cstr("m")}, {st_slice_cstr(an), st_slice_cstr(av)}};
    label b[2] = {{st_slice_cstr("__name__"), st_slice_cstr("m")}, {st_slice_cstr(bn), st_slice_cstr(bv)}};
    size_t na = an[0] ? 2 : 1, nb = bn[0] ? 2 : 1;
    labels_canonicalize(a, &na, NULL);
    labels_canonicalize(b, &nb, NULL);
    st_buf ka = {0}, kb = {0};
    labels_key(a, na, &ka);
    labels_key(b, nb, &kb);
    int c = labels_key_compare(ka.p, ka.len, kb.p, kb.len);
    st_buf_free(&ka);
    st_buf_free(&kb);
    return c;
}

/* Prometheus's order (labels.Compare), not the keys' byte order. */
/* Grouping tuples: an absent label is not an empty value. */
static void test_pick(void)
{
    label ls[2] = {{st_slice_cstr("host"), st_slice_cstr("a")}, {st_slice_cstr("region"), st_slice_cstr("eu")}};
    st_slice names[3] = {st_slice_cstr("region"), st_slice_cstr("dc"), st_slice_cstr("host")}, v[3], w[3];
    labels_pick(ls, 2, names, 3, v);
    CHECK(st_slice_eq(v[0], st_slice_cstr("eu")) && v[1].p == NULL && st_slice_eq(v[2], st_slice_cstr("a")));
    memcpy(w, v, sizeof w);
    CHECK(labels_tuple_eq(v, w, 3) && labels_tuple_hash(v, 3) == labels_tuple_hash(w, 3));
    w[1] = st_slice_of("", 0);
    CHECK(!labels_tuple_eq(v, w, 3) && labels_tuple_hash(v, 3) != labels_tuple_hash(w, 3));
    w[1] = v[1];
    w[2] = st_slice_cstr("b");
    CHECK(!labels_tuple_eq(v, w, 3));
}

static void test_key_compare(void)
{
    CHECK(cmp_sets("aa", "1", "b", "1") < 0); /* "aa" < "b", though its key is longer */
    CHECK(cmp_sets("b", "1", "aa", "1") > 0);
    CHECK(cmp_sets("a", "10", "a", "9") < 0);  /* values bytewise */
    CHECK(cmp_sets("", "", "a", "1") < 0);     /* a prefix first */
    CHECK(cmp_sets("a", "1", "a", "1") == 0);
}

/* The reference: labels compared pair by pair, name then value, bytewise;
 * the set that runs out first is smaller. */
static int ref_compare(const label *a, size_t na, const label *b, size_t nb)
{
    for (size_t i = 0; i < na && i < nb; i++) {
        int c = st_slice_cmp(a[i].name, b[i].name);
        if (!c) c = st_slice_cmp(a[i].value, b[i].value);
        if (c) return c;
    }
    return (na > nb) - (na < nb);
}

static int sign(int x) { return (x > 0) - (x < 0); }

static uint64_t next_rand(uint64_t *r)
{
    *r = *r * 6364136223846793005ull + 1442695040888963407ull;
    return *r >> 33;
}

/* Random label sets that share long prefixes (most strings are the same
 * at the same place), lengths around the one- and two-byte varint
 * boundary (127/128), bytes 0 and 0xff: the key comparison must agree
 * with the reference both ways round. */
static void test_key_compare_random(void)
{
    static const size_t lens[6] = {0, 1, 2, 127, 128, 200};
    static const uint8_t bytes[4] = {0, 'a', 'b', 0xff};
    static char strs[2][6][2][200];
    uint64_t rng = 42;
    int wrong = 0, wrong_enc = 0, bad_len = 0;
    for (int iter = 0; iter < 20000; iter++) {
        label ls[2][6];
        size_t n[2];
        st_buf k[2] = {{0}, {0}};
        for (int w = 0; w < 2; w++) {
            n[w] = 1 + next_rand(&rng) % 5;
            for (size_t i = 0; i < n[w]; i++)
                for (int f = 0; f < 2; f++) {
                    uint64_t pick = next_rand(&rng) % 16, len = lens[(i + f + pick / 12) % 6];
                    char *d = strs[w][i][f];
                    for (size_t j = 0; j < len; j++) d[j] = (char)bytes[(i + f + j) % 4];
                    if (pick >= 12 && len) d[next_rand(&rng) % len] = (char)bytes[next_rand(&rng) % 4];
                    if (f == 0) ls[w][i].name = st_slice_of(d, len);
                    else ls[w][i].value = st_slice_of(d, len);
                }
            labels_key(ls[w], n[w], &k[w]);
        }
        int want = sign(ref_compare(ls[0], n[0], ls[1], n[1]));
        wrong += sign(labels_key_compare(k[0].p, k[0].len, k[1].p, k[1].len)) != want;
        wrong += sign(labels_key_compare(k[1].p, k[1].len, k[0].p, k[0].len)) != -want;
        /* the order encoding: bytes compare as the label sets do */
        uint8_t o[2][2 * 6 * 2 * 203];
        size_t on[2];
        for (int w = 0; w < 2; w++) {
            on[w] = labels_key_order_bytes(k[w].p, k[w].len, o[w]);
            bad_len += on[w] == 0 || on[w] > 2 * k[w].len;
        }
        int c = memcmp(o[0], o[1], on[0] < on[1] ? on[0] : on[1]);
        if (!c) c = (on[0] > on[1]) - (on[0] < on[1]);
        wrong_enc += sign(c) != want;
        st_buf_free(&k[0]);
        st_buf_free(&k[1]);
    }
    CHECK_EQ_INT(wrong, 0);
    CHECK_EQ_INT(wrong_enc, 0);
    CHECK_EQ_INT(bad_len, 0);
}

int main(void)
{
    RUN(test_vtype_name);
    RUN(test_utf8_edges);
    RUN(test_utf8_exhaustive);
    RUN(test_canonicalize);
    RUN(test_canonicalize_random);
    RUN(test_key);
    RUN(test_format);
    RUN(test_utf8_speed);
    RUN(test_pick);
    RUN(test_key_compare);
    RUN(test_key_compare_random);
    return testlib_done("test_labels");
}
