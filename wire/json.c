/* json: number and string formatting the way Go writes them, and a small
 * strict pull reader. See json.h for the contract.
 *
 * Shortest round-trip digits (json_shortest), exactly as Go chooses them.
 * Integers below 2^53 are printed directly. Otherwise v and the two ends of
 * its rounding interval (the midpoints to its neighbours; included when
 * the mantissa is even, since round-half-even reads them back as v) are
 * integers x * 2^p, and with 128-bit integer arithmetic we find the largest
 * k such that a multiple of 10^k lies in the interval: its digits are the
 * shortest. Of the multiples around v we take the one inside, or if both
 * are, the nearer (ties to an even digit): Go's roundShortest does the
 * same. Feasibility is monotone in k, so we start at log10 of the width and
 * step or bisect. This covers |v| from about 1e-22 to 1e38. Outside that,
 * printf's correctly rounded %.*e and a strtod round-trip check decide: 15
 * digits (no two decimals of <= 15 digits map to one normal double, so if
 * a <= 15 digit form exists this finds it), 16 (the nearest 16-digit
 * decimal, else its neighbour across v: the interval is lopsided at powers
 * of two), then 17 (always enough); subnormals try every length.
 *
 * Parsing decimals (json_parse_double): Clinger's fast path when the
 * mantissa and the power of ten are both exact doubles; else x87 extended
 * precision where its one rounding is provably harmless; else exact
 * 128-bit division; else strtod_l.
 *
 * strtod and printf depend on the locale's decimal point: parsing goes
 * through strtod_l with a private "C" locale, and printf's output is read
 * without assuming the point's spelling.
 */
#include "json.h"

#include <float.h>
#include <locale.h>
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ------------------------------------------------------------ C locale */

static locale_t c_locale;
static pthread_once_t c_locale_once = PTHREAD_ONCE_INIT;

static void c_locale_init(void) { c_locale = newlocale(LC_ALL_MASK, "C", (locale_t)0); }

/* strtod over a NUL-terminated copy of [p, p+n), C locale. */
static double strtod_c(const char *p, size_t n)
{
    pthread_once(&c_locale_once, c_locale_init);
    char small[128];
    char *s = n < sizeof small ? small : st_malloc(n + 1);
    memcpy(s, p, n);
    s[n] = 0;
    double v = c_locale ? strtod_l(s, NULL, c_locale) : strtod(s, NULL);
    if (s != small) st_free(s);
    return v;
}

static const double pow10_exact[23] = {1e0,  1e1,  1e2,  1e3,  1e4,  1e5,  1e6,  1e7,
                                       1e8,  1e9,  1e10, 1e11, 1e12, 1e13, 1e14, 1e15,
                                       1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22};

static uint64_t dbits(double v)
{
    uint64_t u;
    memcpy(&u, &v, 8);
    return u;
}

/* ------------------------------------------------------------- integers */

static const char digit_pairs[] = "00010203040506070809101112131415161718192021222324252627282930313233"
                                  "34353637383940414243444546474849505152535455565758596061626364656667"
                                  "6869707172737475767778798081828384858687888990919293949596979899";

/* Exactly 8 digits of x < 10^8, leading zeros kept: 32-bit arithmetic, the
 * two halves independent of each other. */
static inline void put8(char *w, uint32_t x)
{
    uint32_t a = x / 10000, b = x % 10000;
    memcpy(w, digit_pairs + 2 * (a / 100), 2);
    memcpy(w + 2, digit_pairs + 2 * (a % 100), 2);
    memcpy(w + 4, digit_pairs + 2 * (b / 100), 2);
    memcpy(w + 6, digit_pairs + 2 * (b % 100), 2);
}

/* Digits of m into d (no NUL), returns their count: written backwards
 * from the counted length, eight at a time, then two at a time. */
static int u64_digits(uint64_t m, char *d)
{
    static const uint64_t p10[20] = {1ull, 10ull, 100ull, 1000ull, 10000ull, 100000ull,
                                     1000000ull, 10000000ull, 100000000ull, 1000000000ull,
                                     10000000000ull, 100000000000ull, 1000000000000ull,
                                     10000000000000ull, 100000000000000ull,
                                     1000000000000000ull, 10000000000000000ull,
                                     100000000000000000ull, 1000000000000000000ull,
                                     10000000000000000000ull};
    /* digits = floor(log10 m) + 1, from log2 via 1233 / 4096 ~ log10(2) */
    int n = (int)(((64 - __builtin_clzll(m | 1)) * 1233) >> 12);
    n += n < 20 && m >= p10[n];
    if (n == 0) n = 1;
    char *w = d + n;
    while (m >= 100000000) {
        w -= 8;
        put8(w, (uint32_t)(m % 100000000));
        m /= 100000000;
    }
    uint32_t x = (uint32_t)m;
    while (x >= 100) {
        uint32_t r = x % 100;
        x /= 100;
        w -= 2;
        memcpy(w, digit_pairs + 2 * r, 2);
    }
    if (x >= 10) {
        w -= 2;
        memcpy(w, digit_pairs + 2 * x, 2);
    } else {
        *--w = (char)('0' + x);
    }
    return n;
}

size_t json_fmt_u64(char *out, uint64_t v) { return (size_t)u64_digits(v, out); }

void json_uint(st_buf *b, uint64_t v)
{
    st_buf_reserve(b, 20);
    b->len += (size_t)u64_digits(v, (char *)b->p + b->len);
}

void json_int(st_buf *b, int64_t v)
{
    st_buf_reserve(b, 21);
    if (v < 0) {
        b->p[b->len++] = '-';
        json_uint(b, 0 - (uint64_t)v);
    } else {
        json_uint(b, (uint64_t)v);
    }
}

/* ------------------------------------------------------ shortest digits */

/* Parses printf's "%.*e" output: d[.ddd]e[+-]xx, into digits and dp. */
static int parse_printf_e(const char *s, char *d, int *dp)
{
    int nd = 0;
    while (*s && *s != 'e') {
        if (*s >= '0' && *s <= '9') d[nd++] = *s;
        s++;
    }
    int exp = 0, sign = 1;
    if (*s == 'e') {
        s++;
        if (*s == '-') sign = -1;
        if (*s == '-' || *s == '+') s++;
        while (*s >= '0' && *s <= '9') exp = exp * 10 + (*s++ - '0');
    }
    *dp = sign * exp + 1;
    return nd;
}

/* Does the decimal 0.d[0..nd) x 10^dp parse back to exactly v? */
static bool round_trips(double v, const char *d, int nd, int dp)
{
    char s[48];
    int n = 0;
    s[n++] = d[0];
    s[n++] = '.';
    for (int i = 1; i < nd; i++) s[n++] = d[i];
    n += snprintf(s + n, sizeof s - (size_t)n, "e%d", dp - 1);
    return dbits(strtod_c(s, (size_t)n)) == dbits(v);
}

/* Moves d (nd digits) one unit in the last place up or down, keeping nd
 * digits: 999 + 1 -> 100 with dp + 1; 100 - 1 -> 999 with dp - 1. */
static void step_digits(char *d, int nd, int *dp, bool up)
{
    int i = nd - 1;
    if (up) {
        while (i >= 0 && d[i] == '9') d[i--] = '0';
        if (i >= 0) {
            d[i]++;
        } else {
            d[0] = '1';
            (*dp)++;
        }
    } else {
        while (i >= 0 && d[i] == '0') d[i--] = '9';
        if (i >= 0) d[i]--;
        if (d[0] == '0') {
            memmove(d, d + 1, (size_t)nd - 1);
            d[nd - 1] = '9';
            (*dp)--;
        }
    }
}

static int strip_zeros(const char *d, int nd)
{
    while (nd > 1 && d[nd - 1] == '0') nd--;
    return nd;
}

/* The n-digit decimal Go would choose, if any n-digit decimal round-trips. */
static bool try_digits(double v, int n, bool neighbours, char *d, int *dp)
{
    char s[64];
    snprintf(s, sizeof s, "%.*e", n - 1, v);
    int nd = parse_printf_e(s, d, dp);
    if (nd != n) return false; /* cannot happen with a sane printf */
    if (round_trips(v, d, nd, *dp)) return true;
    if (!neighbours) return false;
    /* The nearest n-digit decimal falls outside v's rounding interval; the
     * neighbour on the other side of v may still be inside it (the interval
     * is lopsided at powers of two). */
    char s2[48];
    int m = 0;
    s2[m++] = d[0];
    s2[m++] = '.';
    for (int i = 1; i < nd; i++) s2[m++] = d[i];
    m += snprintf(s2 + m, sizeof s2 - (size_t)m, "e%d", *dp - 1);
    bool below = strtod_c(s2, (size_t)m) < v;
    step_digits(d, nd, dp, below);
    return round_trips(v, d, nd, *dp);
}

#ifdef __SIZEOF_INT128__
typedef unsigned __int128 u128;

static const uint64_t pow10_u64[20] = {
    1ull,          10ull,          100ull,          1000ull,          10000ull,
    100000ull,     1000000ull,     10000000ull,     100000000ull,     1000000000ull,
    10000000000ull, 100000000000ull, 1000000000000ull, 10000000000000ull, 100000000000000ull,
    1000000000000000ull, 10000000000000000ull, 100000000000000000ull,
    1000000000000000000ull, 10000000000000000000ull};

static u128 pow10_u128(int k) /* 0 <= k <= 38 */
{
    return k <= 19 ? (u128)pow10_u64[k] : (u128)pow10_u64[19] * pow10_u64[k - 19];
}

/* (x * 10^j) >> s as 128 bits, exact = no bits shifted out were set.
 * x < 2^56, j <= 38, s <= 191. False if the result needs more bits. */
static bool mul_shift(uint64_t x, int j, int s, u128 *q, bool *exact)
{
    u128 P = pow10_u128(j);
    u128 lo = (u128)x * (uint64_t)P, hi = (u128)x * (uint64_t)(P >> 64);
    u128 mid = (lo >> 64) + (uint64_t)hi;
    uint64_t w[3] = {(uint64_t)lo, (uint64_t)mid, (uint64_t)(hi >> 64) + (uint64_t)(mid >> 64)};
    int limb = s / 64, bit = s % 64;
    bool ex = true;
    for (int i = 0; i < limb; i++) ex &= w[i] == 0;
    if (bit) ex &= (w[limb] & ((1ull << bit) - 1)) == 0;
    uint64_t r[3] = {0, 0, 0};
    for (int i = 0; limb + i < 3; i++) {
        r[i] = w[limb + i] >> bit;
        if (bit && limb + i + 1 < 3) r[i] |= w[limb + i + 1] << (64 - bit);
    }
    if (r[2]) return false;
    *q = (u128)r[1] << 64 | r[0];
    *exact = ex;
    return true;
}

static int64_t floor_div_i(int64_t a, int64_t b)
{
    int64_t q = a / b;
    return a % b < 0 ? q - 1 : q;
}

typedef struct interval {
    uint64_t x[3]; /* v's lower bound, v, upper bound, in units of 2^p */
    int p;
    bool incl;     /* bounds included (even mantissa: ties round to v) */
} interval;

/* floor(x * 2^p / 10^k) into *q, whether that division is exact, and if
 * half is non-NULL how its fraction compares with 1/2 (-1, 0, 1). Integer
 * arithmetic only, and divisions only where the values need them (128-bit
 * division is slow). False when out of range: the caller falls back. */
static inline bool scale1(uint64_t x, int p, int k, u128 *q, bool *ex, int *half)
{
    if (half) *half = -1;
    if (k <= 0 && p <= 0) {
        int j = -k, s = -p;
        if (j > 38 || s > 191) return false;
        if (j > 21 || s > 127) {
            if (!mul_shift(x, j, s, q, ex)) return false;
            if (half && s && !*ex) {
                u128 q2;
                bool e2;
                if (!mul_shift(x, j, s - 1, &q2, &e2)) return false;
                *half = q2 == 2 * *q ? -1 : e2 ? 0 : 1;
            }
            return true;
        }
        u128 A = (u128)x * pow10_u128(j); /* < 2^56 * 10^21 < 2^126 */
        if (!s) {
            *q = A;
            *ex = true;
            return true;
        }
        if (s < 64) { /* |v| >= 2^-9: the remainder is in the low word */
            uint64_t R = (uint64_t)A & ((1ull << s) - 1), h = 1ull << (s - 1);
            *q = A >> s;
            *ex = R == 0;
            if (half) *half = R < h ? -1 : R > h;
            return true;
        }
        u128 R = A & ((((u128)1) << s) - 1), h = (u128)1 << (s - 1);
        *q = A >> s;
        *ex = R == 0;
        if (half) *half = R < h ? -1 : R > h;
        return true;
    }
    if (k < 0) return false;
    if (p <= 0) {
        int s = -p;
        uint64_t a = s >= 64 ? 0 : x >> s, low = s >= 64 ? x : x & ((1ull << s) - 1);
        uint64_t d = k <= 19 ? pow10_u64[k] : 0, rem = d ? a % d : a;
        *q = d ? a / d : 0;
        *ex = low == 0 && rem == 0;
        if (half && s < 64 && d) {
            /* 2 * (rem * 2^s + low) against 10^k * 2^s; else 10^k 2^s dwarfs x */
            u128 two_f = ((u128)rem << s | low) * 2, one = (u128)d << s;
            *half = two_f < one ? -1 : two_f > one;
        }
        return true;
    }
    if (p > 71) return false;
    u128 a = (u128)x << p, rem, d;
    if (k > 38) {
        *q = 0;
        rem = a;
        d = 0;
    } else if (!(a >> 64) && k <= 19) {
        d = pow10_u64[k];
        *q = (uint64_t)a / (uint64_t)d;
        rem = (uint64_t)a % (uint64_t)d;
    } else {
        d = pow10_u128(k);
        *q = a / d;
        rem = a % d;
    }
    *ex = rem == 0;
    if (half && d) *half = 2 * rem < d ? -1 : 2 * rem > d;
    return true;
}

/* Is there a multiple of 10^k in the interval? 1 yes, 0 no, -1 unknown.
 * On yes, [nl, nh] is the range of such multiples / 10^k. */
static int feasible(const interval *iv, int k, u128 *nl, u128 *nh)
{
    u128 ql, qh;
    bool el, eh;
    if (!scale1(iv->x[0], iv->p, k, &ql, &el, NULL) || !scale1(iv->x[2], iv->p, k, &qh, &eh, NULL))
        return -1;
    *nl = el && iv->incl ? ql : ql + 1;
    if (eh && !iv->incl) {
        if (qh == 0) return 0;
        qh--;
    }
    *nh = qh;
    return *nl <= qh;
}

/* Go's shortest digits by exact integer arithmetic: the largest k such
 * that a multiple of 10^k lies in v's rounding interval, then of the two
 * multiples around v the one inside, or the nearer (ties to even). False
 * when v is out of this method's 128-bit range. */
static bool shortest_exact(double v, char *d, int *nd_out, int *dp)
{
    uint64_t bits = dbits(v) & 0x7fffffffffffffffull;
    int be = (int)(bits >> 52);
    uint64_t frac = bits & 0xfffffffffffffull, m;
    int e;
    bool boundary;
    if (be == 0) {
        m = frac;
        e = -1074;
        boundary = false;
    } else {
        m = frac | (1ull << 52);
        e = be - 1075;
        boundary = frac == 0 && be > 1;
    }
    interval iv = {.x = {boundary ? 4 * m - 1 : 4 * m - 2, 4 * m, 4 * m + 2},
                   .p = e - 2,
                   .incl = (m & 1) == 0};
    /* Start at log10 of the interval's width: feasible, or one above a
     * feasible k. Go down until feasible. The integers [nl, nh] are then
     * the multiples of 10^k in the interval, and the shortest digits are
     * at the largest z with a multiple of 10^z among them (one division by
     * ten per digit saved, no more scaling of the bounds). */
    /* floor(log10(2^(p+2))), with 78913 / 2^18 ~ log10(2); the interval is
     * 3 or 4 units wide. */
    int k = (int)floor_div_i((int64_t)(iv.p + 2) * 78913, 262144);
    u128 nl, nh;
    int f;
    while ((f = feasible(&iv, k, &nl, &nh)) == 0) k--;
    if (f < 0 || nh >> 64) return false;
    uint64_t lo = (uint64_t)nl - 1, hi = (uint64_t)nh; /* nl >= 1: the interval is above 0 */
    while (hi / 10 > lo / 10) {
        lo /= 10;
        hi /= 10;
        k++;
    }
    nl = (u128)lo + 1;
    nh = hi;
    u128 q, n;
    bool ex;
    int half;
    if (!scale1(iv.x[1], iv.p, k, &q, &ex, &half)) return false;
    n = q;
    if (!ex) {
        bool fin = q >= nl, cin = q + 1 <= nh;
        if (fin && cin) n = half > 0 || (half == 0 && (q & 1)) ? q + 1 : q;
        else n = fin ? q : q + 1;
    }
    if (n >> 64) return false;
    int nd = u64_digits((uint64_t)n, d);
    *dp = nd + k;
    *nd_out = strip_zeros(d, nd);
    return true;
}

/* q * 2^e2 rounded to the nearest double (ties to even), with sticky set
 * if the true value is a little above q. q must have at least 55
 * significant bits when sticky is set, so that the sticky bit lands below
 * the rounding position once q is cut to 64 bits. */
static double round_u128(u128 q, bool sticky, int e2)
{
    int sh = 0;
    if (q >> 64) {
        sh = 64 - __builtin_clzll((uint64_t)(q >> 64));
        sticky |= (q & (((u128)1 << sh) - 1)) != 0;
        q >>= sh;
    }
    return ldexp((double)((uint64_t)q | sticky), sh + e2);
}

/* mant * 10^exp10 correctly rounded, for mant > 0 and -21 <= exp10 <= 19. */
static bool exact_decimal(uint64_t mant, int exp10, double *out)
{
    if (exp10 >= 0) {
        if (exp10 > 19) return false;
        *out = round_u128((u128)mant * pow10_u64[exp10], false, 0);
        return true;
    }
    if (exp10 < -21) return false;
    /* mant << t in [2^126, 2^127), so the quotient has >= 56 bits */
    int t = 63 + __builtin_clzll(mant);
    u128 a = (u128)mant << t, d = pow10_u128(-exp10);
    *out = round_u128(a / d, a % d != 0, -t);
    return true;
}
#endif

int json_shortest(double v, char *d, int *dp)
{
    v = fabs(v);
    if (v < 9007199254740992.0 && v == floor(v)) {
        int nd = u64_digits((uint64_t)v, d);
        *dp = nd;
        return strip_zeros(d, nd);
    }
    /* A few decimals (most measurements are): v = m / 10^e with e <= 4,
     * checked by dividing back, which rounds as reading "m e-e" does. With
     * m under 10^15 no other string of at most 15 digits reads as v, so
     * the fewest digits of m are the shortest. */
    if (v >= 1e-4 && v < 1e11) {
        static const double p10[5] = {1, 10, 100, 1000, 10000};
        double x = v * 1e4, r = nearbyint(x);
        if (fabs(x - r) <= x * 1e-12) {
            uint64_t m = (uint64_t)r;
            int e = 4;
            while (e > 0 && m % 10 == 0) m /= 10, e--;
            if (m && (double)m / p10[e] == v) {
                int nd = u64_digits(m, d);
                *dp = nd - e;
                return strip_zeros(d, nd);
            }
        }
    }
#ifdef __SIZEOF_INT128__
    int nd;
    if (shortest_exact(v, d, &nd, dp)) return nd;
#endif
    if (v >= DBL_MIN) {
        if (try_digits(v, 15, false, d, dp)) return strip_zeros(d, 15);
        if (try_digits(v, 16, true, d, dp)) return strip_zeros(d, 16);
        try_digits(v, 17, false, d, dp);
        return strip_zeros(d, 17);
    }
    for (int n = 1; n < 17; n++)
        if (try_digits(v, n, true, d, dp)) return strip_zeros(d, n);
    try_digits(v, 17, false, d, dp);
    return strip_zeros(d, 17);
}

/* -------------------------------------------------------- Go's layouts */

static size_t fmt_f(char *o, bool neg, const char *d, int nd, int dp)
{
    size_t n = 0;
    if (neg) o[n++] = '-';
    if (dp > 0) {
        int m = nd < dp ? nd : dp;
        memcpy(o + n, d, (size_t)m);
        n += (size_t)m;
        for (int i = m; i < dp; i++) o[n++] = '0';
    } else {
        o[n++] = '0';
    }
    int prec = nd - dp;
    if (prec > 0) {
        o[n++] = '.';
        for (int i = 1; i <= prec; i++) {
            int j = dp + i - 1;
            o[n++] = j >= 0 && j < nd ? d[j] : '0';
        }
    }
    o[n] = 0;
    return n;
}

static size_t fmt_e(char *o, bool neg, const char *d, int nd, int dp)
{
    size_t n = 0;
    if (neg) o[n++] = '-';
    o[n++] = nd ? d[0] : '0';
    if (nd > 1) {
        o[n++] = '.';
        memcpy(o + n, d + 1, (size_t)nd - 1);
        n += (size_t)nd - 1;
    }
    o[n++] = 'e';
    int exp = nd ? dp - 1 : 0;
    o[n++] = exp < 0 ? '-' : '+';
    if (exp < 0) exp = -exp;
    if (exp < 10) {
        o[n++] = '0';
        o[n++] = (char)('0' + exp);
    } else if (exp < 100) {
        o[n++] = (char)('0' + exp / 10);
        o[n++] = (char)('0' + exp % 10);
    } else {
        o[n++] = (char)('0' + exp / 100);
        o[n++] = (char)('0' + exp / 10 % 10);
        o[n++] = (char)('0' + exp % 10);
    }
    o[n] = 0;
    return n;
}

static size_t fmt_special(char *out, double v)
{
    const char *s = isnan(v) ? "NaN" : v > 0 ? "+Inf" : "-Inf";
    size_t n = strlen(s);
    memcpy(out, s, n + 1);
    return n;
}

size_t json_fmt_go(char *out, double v, char fmt)
{
    if (!isfinite(v)) return fmt_special(out, v);
    char d[20];
    int dp = 0, nd = v == 0 ? 0 : json_shortest(v, d, &dp);
    bool neg = signbit(v);
    switch (fmt) {
    case 'e': return fmt_e(out, neg, d, nd, dp);
    case 'g': {
        /* Go: with the shortest precision, %e when exp < -4 || exp >= 6. */
        int exp = dp - 1;
        if (exp < -4 || exp >= 6) return fmt_e(out, neg, d, nd, dp);
        return fmt_f(out, neg, d, nd, dp);
    }
    default: return fmt_f(out, neg, d, nd, dp);
    }
}

size_t json_fmt_prom(char *out, double v)
{
    double a = fabs(v);
    char fmt = a != 0 && (a < 1e-6 || a >= 1e21) ? 'e' : 'f';
    return json_fmt_go(out, v, fmt);
}

void json_float_go(st_buf *b, double v, char fmt)
{
    st_buf_reserve(b, JSON_FLOAT_MAX);
    b->len += json_fmt_go((char *)b->p + b->len, v, fmt);
}

void json_float_prom(st_buf *b, double v)
{
    st_buf_reserve(b, JSON_FLOAT_MAX);
    b->len += json_fmt_prom((char *)b->p + b->len, v);
}

/* ------------------------------------------------------ parsing floats */

/* mant * 10^exp10 through x87 extended precision, where that is exact
 * enough: mant < 2^64 and 10^|exp10| (|exp10| <= 27) are exact in 64-bit
 * mantissas, so the one operation rounds correctly to 64 bits; rounding
 * that to 53 bits is then right unless the 64-bit result sits exactly on a
 * midpoint between two doubles (it may have been rounded onto it), which
 * is detected and left to the exact path. */
static bool ld_decimal(uint64_t mant, int exp10, double *out)
{
#if (defined(__x86_64__) || defined(__i386__)) && LDBL_MANT_DIG == 64
    static const long double p10l[28] = {
        1e0L,  1e1L,  1e2L,  1e3L,  1e4L,  1e5L,  1e6L,  1e7L,  1e8L,  1e9L,
        1e10L, 1e11L, 1e12L, 1e13L, 1e14L, 1e15L, 1e16L, 1e17L, 1e18L, 1e19L,
        1e20L, 1e21L, 1e22L, 1e23L, 1e24L, 1e25L, 1e26L, 1e27L};
    if (exp10 < -27 || exp10 > 27) return false;
    long double x = exp10 >= 0 ? (long double)mant * p10l[exp10] : (long double)mant / p10l[-exp10];
    uint64_t bits;
    memcpy(&bits, &x, 8); /* the explicit 64-bit mantissa */
    if ((bits & 0x7ff) == 0x400) return false;
    *out = (double)x;
    return true;
#else
    (void)mant;
    (void)exp10;
    (void)out;
    return false;
#endif
}

int json_parse_double(const char *p, size_t n, double *out)
{
    const char *s = p, *e = p + n;
    bool neg = false;
    if (s < e && (*s == '+' || *s == '-')) neg = *s++ == '-';
    uint64_t mant = 0;
    int sig = 0, exp10 = 0, ndig = 0;
    bool trunc = false;
    while (s < e && *s >= '0' && *s <= '9') {
        int dg = *s++ - '0';
        ndig++;
        if (sig < 19) {
            mant = mant * 10 + (uint64_t)dg;
            if (mant) sig++;
        } else {
            exp10++;
            trunc |= dg != 0;
        }
    }
    if (s < e && *s == '.') {
        s++;
        while (s < e && *s >= '0' && *s <= '9') {
            int dg = *s++ - '0';
            ndig++;
            if (sig < 19) {
                mant = mant * 10 + (uint64_t)dg;
                if (mant) sig++;
                exp10--;
            } else {
                trunc |= dg != 0;
            }
        }
    }
    if (!ndig) return -1;
    if (s < e && (*s == 'e' || *s == 'E')) {
        s++;
        bool eneg = false;
        if (s < e && (*s == '+' || *s == '-')) eneg = *s++ == '-';
        if (s == e || *s < '0' || *s > '9') return -1;
        int x = 0;
        while (s < e && *s >= '0' && *s <= '9') {
            if (x < 100000) x = x * 10 + (*s - '0');
            s++;
        }
        exp10 += eneg ? -x : x;
    }
    if (s != e) return -1;
    double v;
    if (mant == 0) {
        v = 0;
    } else if (!trunc && mant <= (1ull << 53) && exp10 >= -22 && exp10 <= 22) {
        /* Clinger's fast path: both operands exact, one rounding. */
        v = exp10 >= 0 ? (double)mant * pow10_exact[exp10] : (double)mant / pow10_exact[-exp10];
    } else if (trunc || !ld_decimal(mant, exp10, &v)) {
#ifdef __SIZEOF_INT128__
        if (trunc || !exact_decimal(mant, exp10, &v))
#endif
            v = fabs(strtod_c(p, n));
    }
    *out = neg ? -v : v;
    return isinf(v) ? -2 : 0;
}

/* ---------------------------------------------------------------- strings */

/* Length of the valid UTF-8 sequence at p[0..avail), 0 if invalid (Unicode
 * table 3-7: no overlongs, no surrogates, nothing above U+10FFFF). */
static size_t utf8_len(const uint8_t *p, size_t avail)
{
    uint8_t c = p[0];
    if (c < 0x80) return 1;
    if (c < 0xC2 || c > 0xF4) return 0;
    size_t n = c < 0xE0 ? 2 : c < 0xF0 ? 3 : 4;
    if (avail < n) return 0;
    uint8_t lo = 0x80, hi = 0xBF;
    if (c == 0xE0) lo = 0xA0;
    else if (c == 0xED) hi = 0x9F;
    else if (c == 0xF0) lo = 0x90;
    else if (c == 0xF4) hi = 0x8F;
    if (p[1] < lo || p[1] > hi) return 0;
    for (size_t i = 2; i < n; i++)
        if ((p[i] & 0xC0) != 0x80) return 0;
    return n;
}

/* Bytes that need a look: controls, '"', '\\', and (flag bits) extras. */
enum { SP_BASE = 1, SP_HTML = 2, SP_QT = 4, SP_HIGH = 8 };
static uint8_t special[256];
static pthread_once_t special_once = PTHREAD_ONCE_INIT;

static void special_init(void)
{
    for (int c = 0; c < 0x20; c++) special[c] = SP_BASE;
    special['"'] = special['\\'] = SP_BASE;
    special['<'] = SP_HTML | SP_QT;
    special['>'] = special['&'] = SP_HTML;
    special['\''] = SP_QT;
    for (int c = 0x80; c < 0x100; c++) special[c] = SP_HIGH;
}

static void put_u4(st_buf *b, unsigned u)
{
    static const char hex[] = "0123456789abcdef";
    uint8_t *o = b->p + b->len;
    o[0] = '\\';
    o[1] = 'u';
    o[2] = (uint8_t)hex[(u >> 12) & 15];
    o[3] = (uint8_t)hex[(u >> 8) & 15];
    o[4] = (uint8_t)hex[(u >> 4) & 15];
    o[5] = (uint8_t)hex[u & 15];
    b->len += 6;
}

void json_str_ex(st_buf *b, const char *s, size_t n, unsigned flags)
{
    pthread_once(&special_once, special_init);
    const uint8_t *p = (const uint8_t *)s;
    uint8_t mask = SP_BASE | (flags & JSON_ESC_HTML ? SP_HTML : 0) |
                   (flags & JSON_ESC_QT ? SP_QT : SP_HIGH);
    st_buf_reserve(b, n + 2);
    b->p[b->len++] = '"';
    size_t run = 0, i = 0;
    while (i < n) {
        uint8_t c = p[i];
        if (!(special[c] & mask)) {
            i++;
            continue;
        }
        if (c >= 0x80) {
            size_t k = utf8_len(p + i, n - i);
            bool sep = k == 3 && (flags & JSON_ESC_HTML) && c == 0xE2 && p[i + 1] == 0x80 &&
                       (p[i + 2] == 0xA8 || p[i + 2] == 0xA9);
            if (k && !sep) {
                i += k;
                continue;
            }
            st_buf_put(b, p + run, i - run);
            st_buf_reserve(b, 6);
            put_u4(b, sep ? (p[i + 2] == 0xA8 ? 0x2028u : 0x2029u) : 0xFFFDu);
            i += k ? k : 1;
            run = i;
            continue;
        }
        st_buf_put(b, p + run, i - run);
        st_buf_reserve(b, 6);
        switch (c) {
        case '"': st_buf_put(b, "\\\"", 2); break;
        case '\\': st_buf_put(b, "\\\\", 2); break;
        case '\n': st_buf_put(b, "\\n", 2); break;
        case '\r': st_buf_put(b, "\\r", 2); break;
        case '\t': st_buf_put(b, "\\t", 2); break;
        default: put_u4(b, c); break;
        }
        run = ++i;
    }
    st_buf_put(b, p + run, n - run);
    st_buf_putc(b, '"');
}

void json_str(st_buf *b, const char *s, size_t n) { json_str_ex(b, s, n, 0); }

/* ---------------------------------------------------------------- reader */

void json_reader_init(json_reader *r, const char *p, size_t n, st_arena *a)
{
    if (!p) { /* an empty body's buffer may be no buffer at all */
        p = "";
        n = 0;
    }
    r->base = r->p = p;
    r->end = p + n;
    r->arena = a;
    r->max_depth = 64;
}

static void skip_ws(json_reader *r)
{
    while (r->p < r->end && (*r->p == ' ' || *r->p == '\t' || *r->p == '\n' || *r->p == '\r'))
        r->p++;
}

int json_peek(json_reader *r)
{
    skip_ws(r);
    return r->p < r->end ? (uint8_t)*r->p : -1;
}

bool json_accept(json_reader *r, char c)
{
    if (json_peek(r) != (uint8_t)c) return false;
    r->p++;
    return true;
}

static int unexpected(json_reader *r, const char *what, st_err *e)
{
    if (r->p >= r->end)
        return st_fail(e, ST_EINVAL, "expected %s at offset %zu, found end of input", what,
                       json_offset(r));
    uint8_t c = (uint8_t)*r->p;
    if (c > 0x20 && c < 0x7f)
        return st_fail(e, ST_EINVAL, "expected %s at offset %zu, found '%c'", what,
                       json_offset(r), c);
    return st_fail(e, ST_EINVAL, "expected %s at offset %zu, found byte 0x%02x", what,
                   json_offset(r), c);
}

int json_expect(json_reader *r, char c, st_err *e)
{
    if (json_accept(r, c)) return 0;
    char what[4] = {'\'', c, '\'', 0};
    return unexpected(r, what, e);
}

static int hex4(const char *p)
{
    int v = 0;
    for (int i = 0; i < 4; i++) {
        char c = p[i];
        int d = c >= '0' && c <= '9'   ? c - '0'
                : c >= 'a' && c <= 'f' ? c - 'a' + 10
                : c >= 'A' && c <= 'F' ? c - 'A' + 10
                                       : -1;
        if (d < 0) return -1;
        v = v * 16 + d;
    }
    return v;
}

static size_t put_utf8(char *o, unsigned cp)
{
    if (cp < 0x80) {
        o[0] = (char)cp;
        return 1;
    }
    if (cp < 0x800) {
        o[0] = (char)(0xC0 | cp >> 6);
        o[1] = (char)(0x80 | (cp & 0x3F));
        return 2;
    }
    if (cp < 0x10000) {
        o[0] = (char)(0xE0 | cp >> 12);
        o[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
        o[2] = (char)(0x80 | (cp & 0x3F));
        return 3;
    }
    o[0] = (char)(0xF0 | cp >> 18);
    o[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
    o[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
    o[3] = (char)(0x80 | (cp & 0x3F));
    return 4;
}

int json_read_string(json_reader *r, st_slice *out, st_err *e)
{
    if (json_peek(r) != '"') return unexpected(r, "a string", e);
    const char *start = ++r->p, *q = start;
    bool esc = false;
    /* Pass 1: find the end, validate. */
    for (;;) {
        if (q >= r->end) {
            r->p = q;
            return st_fail(e, ST_EINVAL, "unterminated string starting at offset %zu",
                           (size_t)(start - 1 - r->base));
        }
        uint8_t c = (uint8_t)*q;
        if (c == '"') break;
        if (c < 0x20) {
            r->p = q;
            return st_fail(e, ST_EINVAL, "control character 0x%02x in string at offset %zu", c,
                           json_offset(r));
        }
        if (c == '\\') {
            esc = true;
            if (q + 1 >= r->end) {
                q = r->end; /* reported as unterminated */
                continue;
            }
            char x = q[1];
            if (x == 'u') {
                if (r->end - q < 6 || hex4(q + 2) < 0) {
                    r->p = q;
                    return st_fail(e, ST_EINVAL, "invalid \\u escape at offset %zu",
                                   json_offset(r));
                }
                q += 6;
            } else if (strchr("\"\\/bfnrt", x) && x) {
                q += 2;
            } else {
                r->p = q;
                return st_fail(e, ST_EINVAL, "invalid escape at offset %zu", json_offset(r));
            }
            continue;
        }
        if (c >= 0x80) {
            size_t k = utf8_len((const uint8_t *)q, (size_t)(r->end - q));
            if (!k) {
                r->p = q;
                return st_fail(e, ST_EINVAL, "invalid UTF-8 in string at offset %zu",
                               json_offset(r));
            }
            q += k;
            continue;
        }
        q++;
    }
    r->p = q + 1;
    if (!esc) {
        *out = st_slice_of(start, (size_t)(q - start));
        return 0;
    }
    if (!r->arena)
        return st_fail(e, ST_EINVAL, "escaped string at offset %zu needs an arena",
                       (size_t)(start - 1 - r->base));
    /* Pass 2: decode; the result is never longer than the source. */
    char *o = st_arena_alloc(r->arena, (size_t)(q - start) + 1), *w = o;
    for (const char *s = start; s < q;) {
        if (*s != '\\') {
            *w++ = *s++;
            continue;
        }
        char x = s[1];
        s += 2;
        switch (x) {
        case 'b': *w++ = '\b'; break;
        case 'f': *w++ = '\f'; break;
        case 'n': *w++ = '\n'; break;
        case 'r': *w++ = '\r'; break;
        case 't': *w++ = '\t'; break;
        case 'u': {
            unsigned cp = (unsigned)hex4(s);
            s += 4;
            if (cp >= 0xD800 && cp < 0xDC00 && q - s >= 6 && s[0] == '\\' && s[1] == 'u') {
                int lo = hex4(s + 2);
                if (lo >= 0xDC00 && lo < 0xE000) {
                    cp = 0x10000 + ((cp - 0xD800) << 10) + ((unsigned)lo - 0xDC00);
                    s += 6;
                }
            }
            if (cp >= 0xD800 && cp < 0xE000) cp = 0xFFFD; /* lone surrogate, as Go */
            w += put_utf8(w, cp);
            break;
        }
        default: *w++ = x; break; /* " \ / */
        }
    }
    *out = st_slice_of(o, (size_t)(w - o));
    return 0;
}

static bool is_digit(int c) { return c >= '0' && c <= '9'; }

int json_read_number(json_reader *r, st_slice *out, st_err *e)
{
    skip_ws(r);
    const char *s = r->p, *q = s, *end = r->end;
    if (q < end && *q == '-') q++;
    if (q < end && *q == '0') {
        q++;
    } else if (q < end && *q >= '1' && *q <= '9') {
        while (q < end && is_digit(*q)) q++;
    } else {
        r->p = q;
        return unexpected(r, "a number", e);
    }
    if (q < end && *q == '.') {
        q++;
        if (q >= end || !is_digit(*q)) {
            r->p = q;
            return unexpected(r, "a digit", e);
        }
        while (q < end && is_digit(*q)) q++;
    }
    if (q < end && (*q == 'e' || *q == 'E')) {
        q++;
        if (q < end && (*q == '+' || *q == '-')) q++;
        if (q >= end || !is_digit(*q)) {
            r->p = q;
            return unexpected(r, "a digit", e);
        }
        while (q < end && is_digit(*q)) q++;
    }
    r->p = q;
    *out = st_slice_of(s, (size_t)(q - s));
    return 0;
}

static bool is_word(int c)
{
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
           c == '.' || c == '+' || c == '-';
}

int json_read_word(json_reader *r, st_slice *out, st_err *e)
{
    skip_ws(r);
    const char *s = r->p;
    while (r->p < r->end && is_word((uint8_t)*r->p)) r->p++;
    if (r->p == s) return unexpected(r, "a value", e);
    *out = st_slice_of(s, (size_t)(r->p - s));
    return 0;
}

static bool word_is(st_slice w, const char *lit)
{
    size_t n = strlen(lit);
    return w.n == n && memcmp(w.p, lit, n) == 0;
}

int json_skip_value(json_reader *r, st_err *e)
{
    /* Containers open on a bit stack (1 = object) instead of recursing. */
    uint64_t stack = 0;
    unsigned depth = 0, maxd = r->max_depth && r->max_depth < 64 ? r->max_depth : 64;
    st_slice tmp;
    int rc;
    for (;;) {
        int c = json_peek(r);
        if (c == '{' || c == '[') {
            if (depth >= maxd)
                return st_fail(e, ST_EINVAL, "nesting deeper than %u at offset %zu", maxd,
                               json_offset(r));
            r->p++;
            stack = (stack << 1) | (c == '{');
            depth++;
            if (json_accept(r, c == '{' ? '}' : ']')) {
                stack >>= 1;
                depth--;
            } else {
                if (c == '{') {
                    if ((rc = json_read_string(r, &tmp, e)) || (rc = json_expect(r, ':', e)))
                        return rc;
                }
                continue;
            }
        } else if (c == '"') {
            if ((rc = json_read_string(r, &tmp, e))) return rc;
        } else if (c == '-' || is_digit(c)) {
            if ((rc = json_read_number(r, &tmp, e))) return rc;
        } else {
            const char *at = r->p;
            if ((rc = json_read_word(r, &tmp, e))) return rc;
            if (!word_is(tmp, "true") && !word_is(tmp, "false") && !word_is(tmp, "null")) {
                r->p = at;
                return unexpected(r, "a value", e);
            }
        }
        /* After a value: close containers, or go on to the next element. */
        for (;;) {
            if (!depth) return 0;
            bool obj = stack & 1;
            if (json_accept(r, ',')) {
                if (obj && ((rc = json_read_string(r, &tmp, e)) || (rc = json_expect(r, ':', e))))
                    return rc;
                break;
            }
            if (json_accept(r, obj ? '}' : ']')) {
                stack >>= 1;
                depth--;
                continue;
            }
            return unexpected(r, obj ? "',' or '}'" : "',' or ']'", e);
        }
    }
}

int json_expect_end(json_reader *r, st_err *e)
{
    if (json_peek(r) < 0) return 0;
    return unexpected(r, "end of input", e);
}

bool json_parse_int64(st_slice s, int64_t *out)
{
    size_t i = 0;
    bool neg = false;
    if (i < s.n && s.p[i] == '-') {
        neg = true;
        i++;
    }
    if (i == s.n) return false;
    uint64_t v = 0, lim = neg ? (uint64_t)INT64_MAX + 1 : (uint64_t)INT64_MAX;
    for (; i < s.n; i++) {
        char c = s.p[i];
        if (c < '0' || c > '9') return false;
        unsigned d = (unsigned)(c - '0');
        if (v > (lim - d) / 10) return false;
        v = v * 10 + d;
    }
    *out = neg ? (int64_t)(0 - v) : (int64_t)v;
    return true;
}

/* ------------------------------------------------------------------ trees */

/* Elements are gathered on a growing array per container, then kept in
 * the arena at their final size. Recursion is bounded by max_depth. */
static int tree_value(json_reader *r, unsigned depth, unsigned maxd, json_node *out, st_err *e)
{
    memset(out, 0, sizeof *out);
    int c = json_peek(r);
    int rc;
    if (c == '{' || c == '[') {
        if (depth >= maxd)
            return st_fail(e, ST_EINVAL, "nesting deeper than %u at offset %zu", maxd, json_offset(r));
        bool obj = c == '{';
        r->p++;
        out->kind = obj ? JSON_OBJECT : JSON_ARRAY;
        size_t cap = 0;
        json_node *items = NULL;
        st_slice *keys = NULL;
        if (!json_accept(r, obj ? '}' : ']')) {
            do {
                if (out->n == cap) {
                    cap = cap ? cap * 2 : 8;
                    json_node *ni = st_arena_alloc(r->arena, cap * sizeof *ni);
                    if (out->n) memcpy(ni, items, out->n * sizeof *ni);
                    items = ni;
                    if (obj) {
                        st_slice *nk = st_arena_alloc(r->arena, cap * sizeof *nk);
                        if (out->n) memcpy(nk, keys, out->n * sizeof *nk);
                        keys = nk;
                    }
                }
                if (obj && ((rc = json_read_string(r, &keys[out->n], e)) || (rc = json_expect(r, ':', e))))
                    return rc;
                if ((rc = tree_value(r, depth + 1, maxd, &items[out->n], e))) return rc;
                out->n++;
            } while (json_accept(r, ','));
            if ((rc = json_expect(r, obj ? '}' : ']', e))) return rc;
        }
        out->items = items;
        out->keys = keys;
        return 0;
    }
    if (c == '"') {
        out->kind = JSON_STRING;
        return json_read_string(r, &out->s, e);
    }
    if (c == '-' || is_digit(c)) {
        out->kind = JSON_NUMBER;
        return json_read_number(r, &out->s, e);
    }
    const char *at = r->p;
    st_slice w;
    if ((rc = json_read_word(r, &w, e))) return rc;
    if (word_is(w, "true") || word_is(w, "false")) {
        out->kind = JSON_BOOL;
        out->b = word_is(w, "true");
        return 0;
    }
    if (word_is(w, "null")) return 0;
    r->p = at;
    return unexpected(r, "a value", e);
}

int json_tree_parse(const char *p, size_t n, st_arena *a, unsigned max_depth, json_node **out, st_err *e)
{
    json_reader r;
    json_reader_init(&r, p, n, a);
    unsigned maxd = max_depth && max_depth < 64 ? max_depth : 64;
    json_node *root = st_arena_alloc(a, sizeof *root);
    int rc = tree_value(&r, 0, maxd, root, e);
    if (!rc) rc = json_expect_end(&r, e);
    if (rc) return rc;
    *out = root;
    return 0;
}

const json_node *json_tree_get(const json_node *o, const char *key)
{
    if (!o || o->kind != JSON_OBJECT) return NULL;
    size_t kl = strlen(key);
    for (size_t i = o->n; i-- > 0;)
        if (o->keys[i].n == kl && !memcmp(o->keys[i].p, key, kl)) return &o->items[i];
    return NULL;
}

void json_tree_write(st_buf *b, const json_node *v)
{
    switch (v->kind) {
    case JSON_NULL: st_buf_put(b, "null", 4); break;
    case JSON_BOOL: v->b ? st_buf_put(b, "true", 4) : st_buf_put(b, "false", 5); break;
    case JSON_NUMBER: st_buf_put(b, v->s.p, v->s.n); break;
    case JSON_STRING: json_str(b, v->s.p, v->s.n); break;
    case JSON_ARRAY:
    case JSON_OBJECT:
        st_buf_putc(b, v->kind == JSON_ARRAY ? '[' : '{');
        for (size_t i = 0; i < v->n; i++) {
            if (i) st_buf_putc(b, ',');
            if (v->kind == JSON_OBJECT) {
                json_str(b, v->keys[i].p, v->keys[i].n);
                st_buf_putc(b, ':');
            }
            json_tree_write(b, &v->items[i]);
        }
        st_buf_putc(b, v->kind == JSON_ARRAY ? ']' : '}');
        break;
    }
}
