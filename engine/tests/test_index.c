/* Tests for index: matchers (Go RE2 syntax over PCRE2, fast paths), postings
 * operations, and idx_select against a brute-force oracle. */
#include "index.h"
#include "testlib.h"

/* Test hooks in index.c, not in the header. */
uint64_t matcher_limit_hits_(const matcher *m);
size_t idx_memory_recount_(const idx *x);

static uint64_t rng_state = 0x9E3779B97F4A7C15ull;
static uint64_t rnd(void)
{
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 7;
    rng_state ^= rng_state << 17;
    return rng_state;
}

static bool quick(void) { return getenv("STRATA_TEST_QUICK") != NULL; }

static matcher *mk(match_op op, const char *name, const char *v)
{
    matcher *m = NULL;
    st_err e = {0};
    int rc = matcher_new(op, st_slice_cstr(name), st_slice_cstr(v), &m, &e);
    if (rc) fprintf(stderr, "  matcher_new(%s): %s\n", v, e.msg);
    return m;
}

static bool re_matches(const char *re, const char *s, size_t sn)
{
    matcher *m = mk(MATCH_RE, "x", re);
    if (!m) return false;
    bool r = matcher_matches(m, st_slice_of(s, sn));
    matcher_free(m);
    return r;
}

/* ------------------------------------------------------------ postings */

static void fill(postings *p, uint8_t *bits, size_t universe, int density)
{
    p->n = 0;
    for (size_t i = 0; i < universe; i++) {
        bits[i] = (int)(rnd() % 100) < density;
        if (!bits[i]) continue;
        if (p->n == p->cap) {
            p->cap = p->cap ? p->cap * 2 : 8;
            p->ids = realloc(p->ids, p->cap * sizeof *p->ids);
        }
        p->ids[p->n++] = (uint32_t)i;
    }
}

static bool equals_bits(const postings *p, const uint8_t *bits, size_t universe)
{
    size_t k = 0;
    for (size_t i = 0; i < universe; i++) {
        if (!bits[i]) continue;
        if (k >= p->n || p->ids[k] != i) return false;
        k++;
    }
    return k == p->n;
}

static void test_postings_ops(void)
{
    enum { U = 3000 };
    static uint8_t ba[U], bb[U], want[U];
    int dens[] = {0, 1, 5, 50, 100};
    for (int it = 0; it < 400; it++) {
        postings a = {0}, b = {0};
        int da = dens[rnd() % 5], db = dens[rnd() % 5];
        for (int op = 0; op < 3; op++) {
            fill(&a, ba, U, da);
            fill(&b, bb, U, db);
            for (size_t i = 0; i < U; i++)
                want[i] = op == 0 ? ba[i] & bb[i] : op == 1 ? ba[i] | bb[i] : ba[i] & !bb[i];
            if (op == 0) postings_intersect(&a, &b);
            if (op == 1) postings_union(&a, &b);
            if (op == 2) postings_subtract(&a, &b);
            CHECK_MSG(equals_bits(&a, want, U), "op %d densities %d %d", op, da, db);
            CHECK(a.n <= a.cap || a.n == 0);
        }
        postings_free(&a);
        postings_free(&b);
        CHECK(a.ids == NULL && a.n == 0 && a.cap == 0);
    }
}

/* ------------------------------------------------------------ matchers */

static void test_matcher_basic(void)
{
    matcher *m = mk(MATCH_EQ, "job", "api");
    CHECK(matcher_op(m) == MATCH_EQ);
    CHECK(st_slice_eq(matcher_name(m), st_slice_cstr("job")));
    CHECK(st_slice_eq(matcher_value(m), st_slice_cstr("api")));
    CHECK(matcher_matches(m, st_slice_cstr("api")));
    CHECK(!matcher_matches(m, st_slice_cstr("apis")));
    CHECK(!matcher_matches_empty(m));
    matcher_free(m);

    m = mk(MATCH_EQ, "job", "");
    CHECK(matcher_matches_empty(m) && !matcher_matches(m, st_slice_cstr("x")));
    matcher_free(m);
    m = mk(MATCH_NEQ, "job", "");
    CHECK(!matcher_matches_empty(m) && matcher_matches(m, st_slice_cstr("x")));
    matcher_free(m);
    m = mk(MATCH_NEQ, "job", "api");
    CHECK(matcher_matches_empty(m) && !matcher_matches(m, st_slice_cstr("api")));
    matcher_free(m);
    m = mk(MATCH_RE, "job", "a.*");
    CHECK(!matcher_matches_empty(m) && matcher_matches(m, st_slice_cstr("abc")));
    CHECK(!matcher_matches(m, st_slice_cstr("xabc"))); /* anchored */
    matcher_free(m);
    m = mk(MATCH_NRE, "job", "a.*");
    CHECK(matcher_matches_empty(m) && !matcher_matches(m, st_slice_cstr("abc")));
    matcher_free(m);
    m = mk(MATCH_RE, "job", "b");
    CHECK(!matcher_matches(m, st_slice_cstr("abc"))); /* anchored both ends */
    matcher_free(m);
    matcher_free(NULL);

    /* The matcher owns copies of name and value. */
    char name[] = "nm", val[] = "v.*";
    m = mk(MATCH_RE, name, val);
    name[0] = val[0] = 'X';
    CHECK(st_slice_eq(matcher_name(m), st_slice_cstr("nm")));
    CHECK(matcher_matches(m, st_slice_cstr("vvv")));
    matcher_free(m);

    st_err e = {0};
    CHECK_EQ_INT(matcher_new((match_op)7, st_slice_cstr("a"), st_slice_cstr("b"), &m, &e), ST_EINVAL);
    CHECK(m == NULL);
}

static void test_matcher_rejects(void)
{
    /* Syntax Go's RE2 rejects (and PCRE2 would accept), and plain errors. */
    const char *bad[] = {
        "a(b", "a)b", "(a", "\\1", "(a)\\1", "\\8", "\\g1", "\\g{1}", "\\k<n>", "(?P=n)",
        "(?=a)", "(?!a)", "(?<=a)b", "(?<!a)b", "(?>a)", "a*+", "a++", "a?+", "a{2}+",
        "a**", "a{2}{3}", "(?R)", "(?1)", "(?+1)", "(?&n)", "(?P>n)", "(?(1)a|b)", "a\\Kb",
        "(?C1)", "\\C", "\\X", "\\R", "\\h", "\\H", "\\V", "\\N", "\\G", "\\Z", "\\e", "\\cA",
        "\\o{1}", "\\u0041", "\\E", "(*ACCEPT)", "(*UTF)a", "(?#c)", "(?x)a", "(?|a)",
        "(?'n'a)", "(?-)", "(?i-)", "a{1001}", "a{2,1}", "(a{100}){11}", "((a{10}){10}){11}",
        "*a", "a|*", "(*)", "+", "[a", "[]", "[z-a]", "[a-\\d]", "[[:foo:]]", "[\\b]",
        "[\\Q]\\E]", "\\xg", "\\x{110000}", "\\x{}", "\\p{Foo}", "\\é", "a\\", "\xff",
        "a\xc0\x80", "(?P<>a)", "(?P<a-b>a)",
    };
    for (size_t i = 0; i < ST_ARRAY_LEN(bad); i++) {
        matcher *m = NULL;
        st_err e = {0};
        int rc = matcher_new(MATCH_RE, st_slice_cstr("x"), st_slice_cstr(bad[i]), &m, &e);
        CHECK_MSG(rc == ST_EINVAL && m == NULL, "accepted %s", bad[i]);
        CHECK_MSG(!strncmp(e.msg, "invalid regular expression \"", 28), "%s", e.msg);
        /* NRE goes through the same compiler. */
        rc = matcher_new(MATCH_NRE, st_slice_cstr("x"), st_slice_cstr(bad[i]), &m, &e);
        CHECK(rc == ST_EINVAL);
    }
    st_err e = {0};
    matcher *m;
    matcher_new(MATCH_RE, st_slice_cstr("x"), st_slice_cstr("a(b"), &m, &e);
    CHECK_MSG(!strcmp(e.msg, "invalid regular expression \"a(b\": missing closing ): `a(b` at 3"),
              "%s", e.msg);
    matcher_new(MATCH_RE, st_slice_cstr("x"), st_slice_cstr("x\\Ky"), &m, &e);
    CHECK_MSG(strstr(e.msg, "invalid escape sequence: `\\K` at 1"), "%s", e.msg);
    matcher_new(MATCH_RE, st_slice_cstr("x"), st_slice_cstr("(?<=a)"), &m, &e);
    CHECK_MSG(strstr(e.msg, "invalid or unsupported Perl syntax: `(?<=`"), "%s", e.msg);
    matcher_new(MATCH_RE, st_slice_cstr("x"), st_slice_cstr("ab{2}*"), &m, &e);
    CHECK_MSG(strstr(e.msg, "invalid nested repetition operator: `{2}*` at 2"), "%s", e.msg);
    /* A PCRE2 error: its message, with the offset mapped back to the pattern. */
    matcher_new(MATCH_RE, st_slice_cstr("x"), st_slice_cstr("[[:alpha:]]\\p{Nope}"), &m, &e);
    CHECK_MSG(strstr(e.msg, "unknown property") && strstr(e.msg, " at "), "%s", e.msg);
    /* Quotes and newlines in the pattern are escaped in the message. */
    matcher_new(MATCH_RE, st_slice_cstr("x"), st_slice_cstr("\"\n("), &m, &e);
    CHECK_MSG(!strncmp(e.msg, "invalid regular expression \"\\\"\\n(\": ", 35), "%s", e.msg);
    /* A huge pattern's message is cut and stays within bounds. */
    char big[5000];
    memset(big, '(', sizeof big - 1);
    big[sizeof big - 1] = 0;
    CHECK_EQ_INT(matcher_new(MATCH_RE, st_slice_cstr("x"), st_slice_cstr(big), &m, &e), ST_EINVAL);
    CHECK(strlen(e.msg) < 400);
}

static void test_matcher_accepts(void)
{
    /* Go RE2 syntax that must compile. */
    const char *good[] = {
        "", ".*", ".+", "a|b", "(a|b)c?", "(?:a|b)", "(?i)abc", "(?i:a)b", "(?s).", "(?m)^a$",
        "(?U)a+", "(?i-s:a)", "(?)a", "(?P<name>a)", "(?<name>a)", "a{2}", "a{2,}", "a{2,5}?",
        "a*?", "a+?", "a??", "a{1000}", "(a{10}){100}", "((a{500}){0}){3}", "a{,3}", "a{01}",
        "x{", "}", "]", "[]a]", "[^]a]", "[a-]", "[-a]", "[\\d-z]", "[[:alpha:][:^digit:]]",
        "[\\pL\\p{Greek}]", "\\pN", "\\PL", "\\p{^Greek}", "\\x41\\x{1F600}", "\\0\\07\\012\\123",
        "\\a\\f\\t\\n\\r\\v", "\\A\\b\\B\\z", "^*a", "\\b+", "\\Qa.b(\\E", "\\Qunterminated(",
        "a\\Q\\E*", "\\_\\%\\ \\#\\-", "[\\s\\S\\w\\W\\d\\D]", "\\s\\S", "caf\xc3\xa9", "\xf0\x9f\x98\x80+",
        "(|a)", "()", "a||b", "[[]", "[a[]", "[\\[\\]]", "#", " ", "a b", "\\.\\*",
    };
    for (size_t i = 0; i < ST_ARRAY_LEN(good); i++) {
        matcher *m = NULL;
        st_err e = {0};
        int rc = matcher_new(MATCH_RE, st_slice_cstr("x"), st_slice_cstr(good[i]), &m, &e);
        CHECK_MSG(rc == 0, "rejected %s: %s", good[i], e.msg);
        matcher_free(m);
    }
}

static void test_matcher_go_semantics(void)
{
    struct { const char *re, *s; size_t sn; bool want; } c[] = {
        {"a$", "a\n", 2, false},     /* $ is end of text, not before a final \n */
        {".", "\n", 1, false},       /* . excludes \n (Prometheus 2.x) */
        {".*", "a\nb", 3, false},
        {"(?s).", "\n", 1, true},
        {"[^a]", "\n", 1, true},     /* negated classes do match \n */
        {"\\v", "\v", 1, true},
        {"\\v", "\n", 1, false},     /* Go \v is VT only */
        {"\\s", "\v", 1, false},     /* Go \s has no VT */
        {"\\s", "\f", 1, true},
        {"[\\s]", "\v", 1, false},
        {"\\S", "\v", 1, true},
        {"[\\S]", "\v", 1, true},
        {"[\\S]", " ", 1, false},
        {"[^\\S]", "\t", 1, true},
        {"\\12", "\n", 1, true},     /* octal, never a back-reference */
        {"\\0", "\0", 1, true},
        {"\\123", "S", 1, true},
        {"a{01}", "a{01}", 5, true}, /* not a valid repeat in Go: literal */
        {"a{,3}", "a{,3}", 5, true},
        {"x{", "x{", 2, true},
        {"a{2}", "aa", 2, true},
        {"[\\d-z]", "-", 1, true},   /* - after a class escape is literal */
        {"[\\d-z]", "y", 1, false},
        {"[]a]", "]", 1, true},
        {"[^]a]", "]", 1, false},
        {"[a-]", "-", 1, true},
        {"[[:alpha:]]+", "abc", 3, true},
        {"[[:^digit:]]", "1", 1, false},
        {"[[.a.]]", ".]", 2, true}, /* no collating elements: class [.a then literal ] */
        {"[[.a.]]", ".", 1, false},
        {"\\Qa.b\\E", "a.b", 3, true},
        {"\\Qa.b\\E", "axb", 3, false},
        {"a\\Q\\E*", "aaa", 3, true},
        {"\\x41", "A", 1, true},
        {"\\pL+", "caf\xc3\xa9", 5, true},
        {"\\p{Greek}", "\xce\xb1", 2, true},
        {"(?i)abc", "ABC", 3, true},
        {"(?i)k", "\xe2\x84\xaa", 3, true}, /* KELVIN SIGN folds to k, as in Go */
        {"(?U)a+", "aa", 2, true},
        {"a|ab", "ab", 2, true},     /* end anchoring backtracks into alternatives */
        {"(a|ab)(c|bcd)", "abcd", 4, true},
        {"^*a", "a", 1, true},
        {"\\b+a", "a", 1, true},
        {"\\d", "\xd9\xa3", 2, false}, /* \d is ASCII */
        {"\\w", "\xc3\xa9", 2, false},
        {"\\Aab\\z", "ab", 2, true},
        {"(?m)^b$", "b", 1, true},
        {"a.c", "a\xc3\xa9" "c", 4, true}, /* . is a character, not a byte */
        {"a.c", "a\xff" "c", 3, false},    /* invalid UTF-8 never matches */
        {"", "", 0, true},
        {"", "a", 1, false},
        {"#", "#", 1, true},
        {"a b", "a b", 3, true},
    };
    for (size_t i = 0; i < ST_ARRAY_LEN(c); i++)
        CHECK_MSG(re_matches(c[i].re, c[i].s, c[i].sn) == c[i].want, "%s on case %zu", c[i].re, i);
}

static void rand_str(char *s, size_t *n, const char *const *alpha, size_t na, size_t maxlen)
{
    size_t k = rnd() % (maxlen + 1), w = 0;
    for (size_t i = 0; i < k; i++) {
        const char *a = alpha[rnd() % na];
        size_t al = strlen(a) ? strlen(a) : 1; /* "" stands for NUL */
        memcpy(s + w, a, al);
        w += al;
    }
    *n = w;
}

/* Fast paths must agree with PCRE2 on every string. "(?:)" in front of a
 * pattern changes nothing about what it matches but defeats every fast path,
 * so it forces the PCRE2 route. */
static void test_fastpath_equivalence(void)
{
    static const char *const alpha[] = {"a", "b", "o", "f", ".", "\n", "\xc3\xa9", "\xff", "|", ""};
    static const char *const patalpha[] = {"a", "b", "o", "\\.", "\n", "\xc3\xa9", "\\|", "\\*"};
    const char *fixed[] = {
        "", ".*", ".+", "a", "ab", "a|b", "a|ab|", "|", "foo|bar|baz", "(a|b)", "(?:a|b|)",
        "a.*", "a.+", ".*a", ".+a", ".*a.*", ".+a.+", ".*a.+", ".+a.*", "fo.*", ".*oo", ".+o.+",
        "\\..*", "a\\.b", "\xc3\xa9.*", ".*\xc3\xa9", "a\nb", "a\n.*", ".*\na", "(.*)", "(?:a.*)",
        "()", "(?:)", "\\|", "a\\|b|c",
    };
    size_t nfix = ST_ARRAY_LEN(fixed), rounds = quick() ? 300 : 3000;
    char pat[64], forced[80], s[256];
    for (size_t it = 0; it < nfix + rounds; it++) {
        size_t pn;
        if (it < nfix) {
            snprintf(pat, sizeof pat, "%s", fixed[it]);
        } else {
            /* Random fast-path-shaped patterns: [dots] lit [dots] or lit|lit|... */
            int shape = (int)(rnd() % 3);
            size_t w = 0;
            if (shape == 0 && rnd() % 2) w += (size_t)snprintf(pat + w, 8, rnd() % 2 ? ".*" : ".+");
            int nalt = shape == 1 ? 2 + (int)(rnd() % 3) : 1;
            for (int a = 0; a < nalt; a++) {
                if (a) pat[w++] = '|';
                for (size_t k = rnd() % 4; k > 0; k--)
                    w += (size_t)snprintf(pat + w, 8, "%s", patalpha[rnd() % ST_ARRAY_LEN(patalpha)]);
            }
            if (shape == 0 && rnd() % 2) w += (size_t)snprintf(pat + w, 8, rnd() % 2 ? ".*" : ".+");
            pat[w] = 0;
        }
        pn = strlen(pat);
        snprintf(forced, sizeof forced, "(?:)%s", pat);
        matcher *fm = mk(MATCH_RE, "x", pat), *pm = mk(MATCH_RE, "x", forced);
        CHECK_MSG(fm && pm, "compile %s", pat);
        if (!fm || !pm) {
            matcher_free(fm);
            matcher_free(pm);
            continue;
        }
        CHECK(matcher_matches_empty(fm) == matcher_matches_empty(pm));
        for (int k = 0; k < 300; k++) {
            size_t sn;
            if (k == 0) memcpy(s, pat, sn = pn); /* the pattern itself, as a string */
            else rand_str(s, &sn, alpha, ST_ARRAY_LEN(alpha), k < 150 ? 4 : 12);
            bool a = matcher_matches(fm, st_slice_of(s, sn)), b = matcher_matches(pm, st_slice_of(s, sn));
            CHECK_MSG(a == b, "pattern %s on \"%.*s\": fast %d pcre2 %d", pat, (int)sn, s, a, b);
        }
        /* And a few strings built to match: fill the pattern's literal parts. */
        matcher_free(fm);
        matcher_free(pm);
    }
}

static void test_match_limit(void)
{
    /* Catastrophic backtracking is cut off by the match limit: a non-match,
     * counted, in bounded time. */
    matcher *m = mk(MATCH_RE, "x", "(?:a|aa)*[bc]");
    char s[64];
    memset(s, 'a', 60);
    int64_t t0 = st_mono_ns();
    CHECK(!matcher_matches(m, st_slice_of(s, 60)));
    CHECK_EQ_INT(matcher_limit_hits_(m), 1);
    CHECK(st_mono_ns() - t0 < 2 * ST_NS_PER_S);
    CHECK(matcher_matches(m, st_slice_of("aab", 3)));
    CHECK_EQ_INT(matcher_limit_hits_(m), 1);
    matcher_free(m);
    /* NRE: a limit hit is a non-match of the regex, so the NRE matches. */
    m = mk(MATCH_NRE, "x", "(?:a|aa)*[bc]");
    CHECK(matcher_matches(m, st_slice_of(s, 60)));
    CHECK_EQ_INT(matcher_limit_hits_(m), 1);
    matcher_free(m);
    /* A long subject overflows JIT's initial stack; the matcher grows one
     * and still matches (Go has no such limits; we approach them). */
    size_t n = 40000;
    char *big = malloc(n);
    for (size_t i = 0; i < n; i++) big[i] = "ab"[i % 2];
    m = mk(MATCH_RE, "x", "(?:ab|cd)*");
    CHECK(matcher_matches(m, st_slice_of(big, n)));
    CHECK(matcher_matches(m, st_slice_of(big, n)));
    CHECK_EQ_INT(matcher_limit_hits_(m), 0);
    matcher_free(m);
    free(big);
}

/* ------------------------------------------------------------ index */

static const char *const NAMES[] = {"__name__", "a", "b", "c", "job"};
static const char *const VALS[] = {"", "a", "b", "c", "ab", "ac", "abc", "bc", "a\nb", "x.y", "\xc3\xa9", "up"};
enum { NN = 5, NV = 12 };

typedef struct series {
    uint8_t v[NN]; /* index into VALS; 0 = absent */
    bool live;
} series;

static size_t series_labels(const series *s, label *ls)
{
    size_t k = 0;
    for (int j = 0; j < NN; j++)
        if (s->v[j]) ls[k++] = (label){st_slice_cstr(NAMES[j]), st_slice_cstr(VALS[s->v[j]])};
    return k;
}

static const char *const RES[] = {
    "", ".*", ".+", "a|b", "a.*", "(a|b)c?", "a", "ab|", "b.*", ".*c", ".+b.+", "[ab]+",
    "(?i)A.*", "x\\.y", "x.y", "\xc3\xa9|a", "(?s).*", "a\nb|c", "[^a]*", ".*\n.*", "up|",
    "a|b|c|ab|ac|abc|bc|up", "(?:)a|b", "zzz", "zzz|", "(?:)", "a.+|", "\\w+",
};
static const char *const EQS[] = {"", "a", "b", "ab", "x.y", "up", "zzz", "a\nb"};

static matcher *rand_matcher(void)
{
    match_op op = (match_op)(rnd() % 4);
    const char *name = rnd() % 8 == 0 ? "absent" : NAMES[rnd() % NN];
    const char *v = op <= MATCH_NEQ ? EQS[rnd() % ST_ARRAY_LEN(EQS)] : RES[rnd() % ST_ARRAY_LEN(RES)];
    return mk(op, name, v);
}

/* The oracle: apply every matcher to every live series (absent = ""). */
static void oracle(const series *ss, size_t n, matcher **ms, size_t nm, postings *out)
{
    bool cache[8][NV];
    int col[8];
    for (size_t i = 0; i < nm; i++) {
        col[i] = -1;
        for (int j = 0; j < NN; j++)
            if (st_slice_eq(matcher_name(ms[i]), st_slice_cstr(NAMES[j]))) col[i] = j;
        for (int v = 0; v < NV; v++) cache[i][v] = matcher_matches(ms[i], st_slice_cstr(VALS[v]));
    }
    out->n = 0;
    for (size_t s = 0; s < n; s++) {
        if (!ss[s].live) continue;
        bool ok = true;
        for (size_t i = 0; i < nm && ok; i++) ok = cache[i][col[i] < 0 ? 0 : ss[s].v[col[i]]];
        if (!ok) continue;
        if (out->n == out->cap) {
            out->cap = out->cap ? out->cap * 2 : 64;
            out->ids = realloc(out->ids, out->cap * sizeof *out->ids);
        }
        out->ids[out->n++] = (uint32_t)s;
    }
}

static void rand_series(series *s)
{
    for (int j = 0; j < NN; j++) {
        /* Skewed: some labels are mostly absent, values are few. */
        int absent = j == 0 ? 10 : 20 + 15 * j;
        s->v[j] = (int)(rnd() % 100) < absent ? 0 : (uint8_t)(1 + rnd() % (NV - 1));
    }
    s->live = true;
}

static int check_queries(idx *x, const series *ss, size_t n, size_t queries)
{
    int bad = 0;
    postings got = {0}, want = {0};
    for (size_t q = 0; q < queries; q++) {
        matcher *ms[8];
        size_t nm = 1 + rnd() % 4;
        for (size_t i = 0; i < nm; i++) ms[i] = rand_matcher();
        st_err e;
        CHECK_OK(idx_select(x, ms, nm, &got, &e));
        oracle(ss, n, ms, nm, &want);
        bool same = got.n == want.n && (!got.n || !memcmp(got.ids, want.ids, got.n * 4));
        if (!same && bad++ < 5) {
            fprintf(stderr, "  mismatch: got %zu want %zu for", got.n, want.n);
            for (size_t i = 0; i < nm; i++)
                fprintf(stderr, " %.*s%s\"%.*s\"", (int)matcher_name(ms[i]).n, matcher_name(ms[i]).p,
                        (const char *[]){"=", "!=", "=~", "!~"}[matcher_op(ms[i])],
                        (int)matcher_value(ms[i]).n, matcher_value(ms[i]).p);
            fputc('\n', stderr);
        }
        for (size_t i = 0; i < nm; i++) matcher_free(ms[i]);
    }
    postings_free(&got);
    postings_free(&want);
    return bad;
}

static void test_index_oracle(void)
{
    enum { N = 2000 };
    static series ss[N];
    idx *x = idx_new();
    for (size_t i = 0; i < N; i++) {
        rand_series(&ss[i]);
        label ls[NN];
        idx_add(x, (uint32_t)i, ls, series_labels(&ss[i], ls));
    }
    CHECK_EQ_INT(idx_all(x)->n, N);
    CHECK_EQ_INT(check_queries(x, ss, N, quick() ? 1000 : 6000), 0);
    CHECK_EQ_INT(idx_memory(x), idx_memory_recount_(x));

    /* Select with no matchers: everything. */
    postings got = {0};
    CHECK_OK(idx_select(x, NULL, 0, &got, NULL));
    CHECK_EQ_INT(got.n, N);
    postings_free(&got);
    idx_free(x);
}

static void test_index_out_of_order_and_remove(void)
{
    enum { N = 1500 };
    static series ss[N];
    idx *x = idx_new();
    size_t base = idx_memory(x);
    /* Add in a shuffled order, with a few duplicate adds. */
    uint32_t order[N];
    for (uint32_t i = 0; i < N; i++) order[i] = i;
    for (size_t i = N - 1; i > 0; i--) {
        size_t j = rnd() % (i + 1);
        uint32_t t = order[i];
        order[i] = order[j];
        order[j] = t;
    }
    for (size_t k = 0; k < N; k++) {
        uint32_t i = order[k];
        rand_series(&ss[i]);
        label ls[NN];
        size_t nl = series_labels(&ss[i], ls);
        idx_add(x, i, ls, nl);
        if (k % 7 == 0) idx_add(x, i, ls, nl);
    }
    const postings *all = idx_all(x);
    CHECK_EQ_INT(all->n, N);
    for (size_t i = 1; i < all->n; i++) CHECK(all->ids[i - 1] < all->ids[i]);
    CHECK_EQ_INT(check_queries(x, ss, N, quick() ? 300 : 1500), 0);

    /* Remove two thirds at random, check, re-add some, check again. */
    for (size_t i = 0; i < N; i++) {
        if (rnd() % 3 == 0) continue;
        label ls[NN];
        idx_remove(x, (uint32_t)i, ls, series_labels(&ss[i], ls));
        ss[i].live = false;
    }
    CHECK_EQ_INT(idx_memory(x), idx_memory_recount_(x));
    CHECK_EQ_INT(check_queries(x, ss, N, quick() ? 300 : 1500), 0);
    for (size_t i = 0; i < N; i += 5) {
        if (ss[i].live) continue;
        rand_series(&ss[i]);
        label ls[NN];
        idx_add(x, (uint32_t)i, ls, series_labels(&ss[i], ls));
    }
    CHECK_EQ_INT(check_queries(x, ss, N, quick() ? 300 : 1500), 0);
    /* Remove everything: every name and value goes away. */
    for (size_t i = 0; i < N; i++) {
        if (!ss[i].live) continue;
        label ls[NN];
        idx_remove(x, (uint32_t)i, ls, series_labels(&ss[i], ls));
        ss[i].live = false;
    }
    CHECK_EQ_INT(idx_all(x)->n, 0);
    st_slice *names = NULL;
    size_t nn = 0, cap = 0;
    idx_label_names(x, NULL, &names, &nn, &cap);
    CHECK_EQ_INT(nn, 0);
    free(names);
    CHECK_EQ_INT(idx_memory(x), idx_memory_recount_(x));
    CHECK(idx_memory(x) > base);
    /* Removing what is not there is harmless. */
    label ls[] = {{st_slice_cstr("a"), st_slice_cstr("zz")}};
    idx_remove(x, 5, ls, 1);
    idx_free(x);
}

/* Label names of the live series, against idx_label_names (all). */
static bool names_match(idx *x, const series *ss, size_t n)
{
    bool has[NN] = {0};
    for (size_t i = 0; i < n; i++)
        for (int j = 0; j < NN && ss[i].live; j++) has[j] |= ss[i].v[j] != 0;
    st_slice *out = NULL;
    size_t k = 0, cap = 0, want = 0;
    idx_label_names(x, NULL, &out, &k, &cap);
    bool ok = true;
    for (int j = 0; j < NN; j++) {
        want += has[j];
        bool found = false;
        for (size_t i = 0; i < k; i++) found |= st_slice_eq(out[i], st_slice_cstr(NAMES[j]));
        ok &= found == has[j];
    }
    free(out);
    return ok && k == want;
}

static bool all_matches(idx *x, const series *ss, size_t n)
{
    const postings *all = idx_all(x);
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        if (!ss[i].live) continue;
        if (k >= all->n || all->ids[k] != i) return false;
        k++;
    }
    return k == all->n;
}

/* Bulk removal against the oracle: random sets removed at once, or piece by
 * piece with adds, single removals and queries in between (where removed ids
 * may still be selected, and the caller drops them, as the head does). */
static void test_index_bulk_remove(void)
{
    enum { N = 3000, M = N + 1500 }; /* ids >= N are added during the rounds */
    static series ss[M];
    static uint64_t dead[M / 64 + 1];
    idx *x = idx_new();
    size_t next = N;
    for (size_t i = 0; i < N; i++) {
        rand_series(&ss[i]);
        label ls[NN];
        idx_add(x, (uint32_t)i, ls, series_labels(&ss[i], ls));
    }
    postings got = {0}, want = {0};
    for (int round = 0; round < 12; round++) {
        memset(dead, 0, sizeof dead);
        int pct = (int)(rnd() % 101); /* 0% to 100% of the live series */
        for (size_t i = 0; i < next; i++) {
            if (!ss[i].live || (int)(rnd() % 100) >= pct) continue;
            dead[i / 64] |= 1ull << (i % 64);
            ss[i].live = false;
        }
        /* words past the last id and ids never added are harmless */
        size_t nwords = round % 3 == 0 ? M / 64 + 1 : next / 64 + 1;
        if (round % 2 == 0) {
            idx_remove_bulk(x, dead, nwords);
        } else {
            idx_remove_bulk_begin(x, dead, nwords);
            CHECK(all_matches(x, ss, next));
            size_t budget = 1 + rnd() % 64;
            int steps = 0;
            while (!idx_remove_bulk_step(x, budget)) {
                CHECK(idx_remove_bulk_pending(x));
                steps++;
                if (steps % 7 == 0 && next < M) { /* a new series meanwhile */
                    rand_series(&ss[next]);
                    label ls[NN];
                    idx_add(x, (uint32_t)next, ls, series_labels(&ss[next], ls));
                    next++;
                }
                if (steps % 11 == 0) { /* selections: exact once removed ids are dropped */
                    matcher *ms[4];
                    size_t nm = 1 + rnd() % 3;
                    for (size_t i = 0; i < nm; i++) ms[i] = rand_matcher();
                    CHECK_OK(idx_select(x, ms, nm, &got, NULL));
                    size_t w = 0;
                    for (size_t i = 0; i < got.n; i++)
                        if (!(dead[got.ids[i] / 64] >> (got.ids[i] % 64) & 1)) got.ids[w++] = got.ids[i];
                    got.n = w;
                    oracle(ss, next, ms, nm, &want);
                    CHECK(got.n == want.n && (!got.n || !memcmp(got.ids, want.ids, got.n * 4)));
                    for (size_t i = 0; i < nm; i++) matcher_free(ms[i]);
                }
                if (steps == 40) { /* a single removal finishes the bulk one first */
                    size_t i = rnd() % next;
                    while (!ss[i].live) i = (i + 1) % next;
                    label ls[NN];
                    idx_remove(x, (uint32_t)i, ls, series_labels(&ss[i], ls));
                    ss[i].live = false;
                    CHECK(!idx_remove_bulk_pending(x));
                }
            }
        }
        CHECK(!idx_remove_bulk_pending(x));
        CHECK(all_matches(x, ss, next));
        CHECK(names_match(x, ss, next));
        CHECK_EQ_INT(check_queries(x, ss, next, quick() ? 100 : 400), 0);
        CHECK_EQ_INT(idx_memory(x), idx_memory_recount_(x));
        /* re-populate some fresh ids so the next round has work */
        for (int k = 0; k < 60 && next < M; k++, next++) {
            rand_series(&ss[next]);
            label ls[NN];
            idx_add(x, (uint32_t)next, ls, series_labels(&ss[next], ls));
        }
    }
    /* everything at once: every name and value goes */
    memset(dead, 0xff, sizeof dead);
    for (size_t i = 0; i < next; i++) ss[i].live = false;
    idx_remove_bulk(x, dead, M / 64 + 1);
    CHECK_EQ_INT(idx_all(x)->n, 0);
    CHECK(names_match(x, ss, next));
    CHECK_EQ_INT(idx_memory(x), idx_memory_recount_(x));
    /* and nothing pending, or an empty set, is harmless */
    CHECK(idx_remove_bulk_step(x, 1));
    idx_remove_bulk(x, NULL, 0);
    postings_free(&got);
    postings_free(&want);
    idx_free(x);
}

/* Scale: half of 400k series (TSBS-like labels: one value shared by all,
 * values shared by thousands, a host per 10 series) removed in one bulk
 * removal. One at a time this is ~10^10 ids moved; in bulk it is one pass.
 * The result is checked exactly, list by list. */
static void test_index_bulk_remove_scale(void)
{
    enum { N = 400000, HOSTS = N / 10 };
    idx *x = idx_new();
    char(*hosts)[16] = malloc(HOSTS * 16);
    for (size_t i = 0; i < HOSTS; i++) snprintf(hosts[i], 16, "host_%zu", i);
    const char *fields[] = {"f0", "f1", "f2", "f3", "f4", "f5", "f6", "f7", "f8", "f9"};
    const char *racks[] = {"r0", "r1", "r2", "r3", "r4", "r5", "r6"};
    for (size_t i = 0; i < N; i++) {
        label ls[] = {{st_slice_cstr("__name__"), st_slice_cstr(fields[i % 10])},
                      {st_slice_cstr("arch"), st_slice_cstr("x64")},
                      {st_slice_cstr("hostname"), st_slice_cstr(hosts[i / 10])},
                      {st_slice_cstr("rack"), st_slice_cstr(racks[(i / 10) % 7])}};
        idx_add(x, (uint32_t)i, ls, 4);
    }
    /* dead: a random half, plus every series of hosts whose number ends in 3
     * (so those hostname values disappear entirely) */
    uint64_t *dead = calloc(N / 64 + 1, sizeof *dead);
    bool *gone = calloc(N, 1);
    size_t ndead = 0;
    for (size_t i = 0; i < N; i++) {
        if ((i / 10) % 10 != 3 && rnd() % 2) continue;
        gone[i] = true;
        dead[i / 64] |= 1ull << (i % 64);
        ndead++;
    }
    CHECK(ndead > N / 2);
    idx_remove_bulk(x, dead, N / 64 + 1);
    /* every list, against brute force */
    const postings *all = idx_all(x);
    CHECK_EQ_INT(all->n, N - ndead);
    size_t k = 0;
    for (size_t i = 0; i < N && k <= all->n; i++)
        if (!gone[i]) CHECK(k < all->n && all->ids[k++] == i);
    postings got = {0};
    struct { const char *name; const char *const *vals; size_t nv; } cols[] = {
        {"__name__", fields, 10}, {"arch", (const char *[]){"x64"}, 1},
        {"rack", racks, 7}};
    for (size_t c = 0; c < ST_ARRAY_LEN(cols); c++)
        for (size_t v = 0; v < cols[c].nv; v++) {
            matcher *m = mk(MATCH_EQ, cols[c].name, cols[c].vals[v]);
            CHECK_OK(idx_select(x, &m, 1, &got, NULL));
            matcher_free(m);
            size_t j = 0;
            bool ok = true;
            for (size_t i = 0; i < N && ok; i++) {
                size_t val = c == 0 ? i % 10 : c == 1 ? 0 : (i / 10) % 7;
                if (gone[i] || val != v) continue;
                ok = j < got.n && got.ids[j++] == i;
            }
            CHECK_MSG(ok && j == got.n, "%s=%s", cols[c].name, cols[c].vals[v]);
        }
    size_t bad = 0;
    for (size_t hst = 0; hst < HOSTS; hst++) {
        matcher *m = mk(MATCH_EQ, "hostname", hosts[hst]);
        CHECK_OK(idx_select(x, &m, 1, &got, NULL));
        matcher_free(m);
        size_t j = 0;
        bool ok = true;
        for (size_t i = hst * 10; i < hst * 10 + 10 && ok; i++)
            if (!gone[i]) ok = j < got.n && got.ids[j++] == i;
        bad += !(ok && j == got.n);
    }
    CHECK_EQ_INT(bad, 0);
    /* hosts ending in 3 left no value behind */
    st_slice *out = NULL;
    size_t n = 0, cap = 0, live_hosts = 0;
    idx_label_values(x, st_slice_cstr("hostname"), NULL, &out, &n, &cap);
    for (size_t hst = 0; hst < HOSTS; hst++) {
        bool any = false;
        for (size_t i = hst * 10; i < hst * 10 + 10; i++) any |= !gone[i];
        live_hosts += any;
    }
    CHECK_EQ_INT(n, live_hosts);
    CHECK_EQ_INT(idx_memory(x), idx_memory_recount_(x));
    free(out);
    postings_free(&got);
    free(dead);
    free(gone);
    free(hosts);
    idx_free(x);
}

static bool slices_are(const st_slice *s, size_t n, const char *const *want, size_t nw)
{
    if (n != nw) return false;
    for (size_t i = 0; i < n; i++)
        if (!st_slice_eq(s[i], st_slice_cstr(want[i]))) return false;
    return true;
}

static void test_label_names_values(void)
{
    idx *x = idx_new();
    label s0[] = {{st_slice_cstr("__name__"), st_slice_cstr("up")}, {st_slice_cstr("job"), st_slice_cstr("api")}};
    label s1[] = {{st_slice_cstr("__name__"), st_slice_cstr("up")}, {st_slice_cstr("job"), st_slice_cstr("db")},
                  {st_slice_cstr("zone"), st_slice_cstr("eu")}};
    label s2[] = {{st_slice_cstr("__name__"), st_slice_cstr("cpu")}, {st_slice_cstr("host"), st_slice_cstr("h1")},
                  {st_slice_cstr("empty"), st_slice_cstr("")}};
    idx_add(x, 0, s0, 2);
    idx_add(x, 1, s1, 3);
    idx_add(x, 2, s2, 3);
    st_slice *out = NULL;
    size_t n = 0, cap = 0;
    idx_label_names(x, NULL, &out, &n, &cap);
    CHECK(slices_are(out, n, (const char *[]){"__name__", "host", "job", "zone"}, 4));
    postings of = {0};
    of.ids = (uint32_t[]){0, 2};
    of.n = 2;
    n = 0;
    idx_label_names(x, &of, &out, &n, &cap);
    CHECK(slices_are(out, n, (const char *[]){"__name__", "host", "job"}, 3));
    /* Appends after what the caller already has. */
    idx_label_values(x, st_slice_cstr("job"), NULL, &out, &n, &cap);
    CHECK(n == 5 && st_slice_eq(out[3], st_slice_cstr("api")) && st_slice_eq(out[4], st_slice_cstr("db")));
    n = 0;
    idx_label_values(x, st_slice_cstr("__name__"), &of, &out, &n, &cap);
    CHECK(slices_are(out, n, (const char *[]){"cpu", "up"}, 2));
    n = 0;
    of.ids = (uint32_t[]){1};
    of.n = 1;
    idx_label_values(x, st_slice_cstr("job"), &of, &out, &n, &cap);
    CHECK(slices_are(out, n, (const char *[]){"db"}, 1));
    n = 0;
    idx_label_values(x, st_slice_cstr("nope"), NULL, &out, &n, &cap);
    idx_label_values(x, st_slice_cstr("empty"), NULL, &out, &n, &cap);
    CHECK_EQ_INT(n, 0);
    of.n = 0;
    idx_label_names(x, &of, &out, &n, &cap);
    CHECK_EQ_INT(n, 0);
    free(out);

    /* Random: against the oracle series for many `of` sets. */
    enum { N = 800 };
    static series ss[N];
    idx *y = idx_new();
    for (size_t i = 0; i < N; i++) {
        rand_series(&ss[i]);
        label ls[NN];
        idx_add(y, (uint32_t)i, ls, series_labels(&ss[i], ls));
    }
    out = NULL;
    cap = 0;
    uint32_t ids[N];
    for (int it = 0; it < 200; it++) {
        size_t k = 0;
        int dens = (int)(rnd() % 20);
        for (uint32_t i = 0; i < N; i++)
            if ((int)(rnd() % 100) < dens) ids[k++] = i;
        postings o = {ids, k, k};
        bool has[NN] = {0}, hasv[NV] = {0};
        int col = (int)(rnd() % NN);
        for (size_t i = 0; i < k; i++) {
            for (int j = 0; j < NN; j++) has[j] |= ss[ids[i]].v[j] != 0;
            hasv[ss[ids[i]].v[col]] = true;
        }
        n = 0;
        idx_label_names(y, &o, &out, &n, &cap);
        size_t want = 0;
        for (int j = 0; j < NN; j++) want += has[j];
        CHECK_EQ_INT(n, want);
        for (size_t i = 1; i < n; i++) CHECK(st_slice_cmp(out[i - 1], out[i]) < 0);
        n = 0;
        idx_label_values(y, st_slice_cstr(NAMES[col]), &o, &out, &n, &cap);
        want = 0;
        for (int v = 1; v < NV; v++) want += hasv[v];
        CHECK_EQ_INT(n, want);
        for (size_t i = 0; i < n; i++) {
            int v = 1;
            while (v < NV && !st_slice_eq(out[i], st_slice_cstr(VALS[v]))) v++;
            CHECK(v < NV && hasv[v]);
        }
    }
    free(out);
    idx_free(x);
    idx_free(y);
}

static void test_select_semantics(void)
{
    /* The four matchers and Prometheus's treatment of absent labels. */
    idx *x = idx_new();
    const char *defs[][2] = {{"a", "1"}, {"a", "2"}, {NULL, NULL}, {"a", "10"}};
    for (uint32_t i = 0; i < 4; i++) {
        label ls[2] = {{st_slice_cstr("__name__"), st_slice_cstr("m")}};
        size_t n = 1;
        if (defs[i][0]) ls[n++] = (label){st_slice_cstr(defs[i][0]), st_slice_cstr(defs[i][1])};
        idx_add(x, i * 10, ls, n);
    }
    struct { match_op op; const char *v; const char *want; } c[] = {
        {MATCH_EQ, "1", "0"},         {MATCH_EQ, "", "20"},       {MATCH_NEQ, "1", "10,20,30"},
        {MATCH_NEQ, "", "0,10,30"},   {MATCH_RE, "1.*", "0,30"},  {MATCH_RE, ".*", "0,10,20,30"},
        {MATCH_RE, ".+", "0,10,30"},  {MATCH_RE, "1|", "0,20"},   {MATCH_NRE, "1.*", "10,20"},
        {MATCH_NRE, ".+", "20"},      {MATCH_NRE, "1|", "10,30"}, {MATCH_RE, "9", ""},
        {MATCH_NRE, "", "0,10,30"},   {MATCH_RE, "", "20"},
    };
    for (size_t i = 0; i < ST_ARRAY_LEN(c); i++) {
        matcher *ms[2] = {mk(MATCH_EQ, "__name__", "m"), mk(c[i].op, "a", c[i].v)};
        postings got = {0};
        CHECK_OK(idx_select(x, ms, 2, &got, NULL));
        char buf[64] = "";
        size_t w = 0;
        for (size_t k = 0; k < got.n; k++) w += (size_t)snprintf(buf + w, sizeof buf - w, "%s%u", k ? "," : "", got.ids[k]);
        CHECK_MSG(!strcmp(buf, c[i].want), "case %zu: got %s want %s", i, buf, c[i].want);
        postings_free(&got);
        matcher_free(ms[0]);
        matcher_free(ms[1]);
    }
    idx_free(x);
}

/* ------------------------------------------------------------ timing */

static double median(double *v, size_t n)
{
    for (size_t i = 1; i < n; i++)
        for (size_t j = i; j > 0 && v[j - 1] > v[j]; j--) {
            double t = v[j];
            v[j] = v[j - 1];
            v[j - 1] = t;
        }
    return v[n / 2];
}

static double time_select(idx *x, const char *const *spec, size_t nspec, size_t *nres)
{
    matcher *ms[4];
    for (size_t i = 0; i < nspec; i++) {
        match_op op = spec[i][0] == '=' ? MATCH_EQ : spec[i][0] == '~' ? MATCH_RE : spec[i][0] == '!' ? MATCH_NEQ : MATCH_NRE;
        const char *eq = strchr(spec[i] + 1, '=');
        char name[32];
        snprintf(name, sizeof name, "%.*s", (int)(eq - spec[i] - 1), spec[i] + 1);
        ms[i] = mk(op, name, eq + 1);
    }
    double t[21];
    postings out = {0};
    for (int r = 0; r < 21; r++) {
        int64_t t0 = st_mono_ns();
        idx_select(x, ms, nspec, &out, NULL);
        t[r] = (double)(st_mono_ns() - t0) / 1e3;
    }
    *nres = out.n;
    postings_free(&out);
    for (size_t i = 0; i < nspec; i++) matcher_free(ms[i]);
    return median(t, 21);
}

static void test_index_timing(void)
{
    size_t n = quick() ? 100000 : 1000000;
    idx *x = idx_new();
    /* Label strings are built first so the timing is idx_add's alone. */
    char(*names)[16] = malloc(100 * 16), (*insts)[24] = malloc(10000 * 24), (*ids)[12] = malloc(n * 12);
    for (size_t i = 0; i < 100; i++) snprintf(names[i], 16, "metric_%zu", i);
    for (size_t i = 0; i < 10000; i++) snprintf(insts[i], 24, "host-%zu:9100", i);
    for (size_t i = 0; i < n; i++) snprintf(ids[i], 12, "%zu", i);
    const char *jobs[] = {"job0", "job1", "job2", "job3", "job4", "job5", "job6", "job7", "job8", "job9"};
    const char *regions[] = {"r0", "r1", "r2", "r3", "r4"};
    int64_t t0 = st_mono_ns();
    for (size_t i = 0; i < n; i++) {
        label ls[] = {{st_slice_cstr("__name__"), st_slice_cstr(names[i % 100])},
                      {st_slice_cstr("id"), st_slice_cstr(ids[i])},
                      {st_slice_cstr("instance"), st_slice_cstr(insts[(i / 100) % 10000])},
                      {st_slice_cstr("job"), st_slice_cstr(jobs[i % 10])},
                      {st_slice_cstr("region"), st_slice_cstr(regions[i % 5])}};
        idx_add(x, (uint32_t)i, ls, 5);
    }
    double add_ns = (double)(st_mono_ns() - t0) / (double)(n * 5);
    size_t r1, r2, r3, r4, r5, r6;
    double eq1 = time_select(x, (const char *[]){"=id=12345"}, 1, &r1);
    double eq2 = time_select(x, (const char *[]){"=instance=host-42:9100"}, 1, &r2);
    double and3 = time_select(x, (const char *[]){"=__name__=metric_7", "=instance=host-42:9100", "!job=job3"}, 3, &r3);
    double re1 = time_select(x, (const char *[]){"=__name__=metric_7", "~instance=host-4.*"}, 2, &r4);
    double re2 = time_select(x, (const char *[]){"=__name__=metric_7", "~instance=.+"}, 2, &r5);
    double big = time_select(x, (const char *[]){"=job=job3", "=region=r3"}, 2, &r6);
    CHECK_EQ_INT(r1, 1);
    CHECK_EQ_INT(r2, 100);
    CHECK_EQ_INT(r3, 1);                     /* id 4207 */
    CHECK_EQ_INT(r4, quick() ? 111 : 1111);  /* instances whose number starts with 4 */
    CHECK_EQ_INT(r5, n / 100);
    CHECK_EQ_INT(r6, n / 10);                /* job3 implies r3 */
    printf("  %zu series: idx_add %.0f ns/label pair, %.1f bytes/series (idx_memory)\n", n, add_ns,
           (double)idx_memory(x) / (double)n);
    printf("  idx_select median: id= %.1fus, instance= %.1fus (%zu), 3 matchers %.1fus (%zu),\n"
           "    name+instance=~\"host-4.*\" %.1fus (%zu), name+instance=~\".+\" %.1fus (%zu),\n"
           "    job=,region= %.1fus (%zu)\n",
           eq1, eq2, r2, and3, r3, re1, r4, re2, r5, big, r6);
    idx_free(x);
    free(names);
    free(insts);
    free(ids);
}

int main(void)
{
    RUN(test_postings_ops);
    RUN(test_matcher_basic);
    RUN(test_matcher_rejects);
    RUN(test_matcher_accepts);
    RUN(test_matcher_go_semantics);
    RUN(test_fastpath_equivalence);
    RUN(test_match_limit);
    RUN(test_select_semantics);
    RUN(test_index_oracle);
    RUN(test_index_out_of_order_and_remove);
    RUN(test_index_bulk_remove);
    RUN(test_index_bulk_remove_scale);
    RUN(test_label_names_values);
    RUN(test_index_timing);
    return testlib_done("test_index");
}
