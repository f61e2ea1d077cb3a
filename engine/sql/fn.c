/* fn: the scalar function registry, the operators and the math functions (see fn.h). */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE /* arc4random, memmem */
#endif
#include <inttypes.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "sql/fn_int.h"

/* ---- math ---- */

#define SQL_PI 3.14159265358979323846
#define SQL_E 2.71828182845904523536

enum {
    MF_ABS = 1, MF_CEIL, MF_FLOOR, MF_ROUND, MF_TRUNC, MF_SIGN, MF_SQRT, MF_CBRT, MF_EXP, MF_LN, MF_LOG2, MF_LOG10,
    MF_SIN, MF_COS, MF_TAN, MF_ASIN, MF_ACOS, MF_ATAN, MF_SINH, MF_COSH, MF_TANH, MF_DEG, MF_RAD,
    MF_POW, MF_ATAN2, MF_LOG, MF_MOD,
    MF_PI, MF_E, MF_NAN, MF_INF,
    MF_IS_NAN, MF_IS_FINITE, MF_IS_INF,
};

static int fn_math_i(sx_ctx *c, const sx *x, const sql_value *v, sql_value *out)
{
    int64_t a = v[0].u.i, r = a;
    switch (x->op) {
    case MF_ABS:
        if (a == INT64_MIN)
            return st_fail(c->e, ST_EINVAL, "Value %" PRId64 " is out of range for abs(bigint)", a);
        r = a < 0 ? -a : a;
        break;
    case MF_SIGN: r = (a > 0) - (a < 0); break;
    case MF_MOD: {
        int rc = sqlv_mod_i64(a, v[1].u.i, &r, c->e);
        if (rc) return rc;
        break;
    }
    default: break; /* ceil, floor, round of a bigint: itself */
    }
    *out = sqlv_int(SQLT_BIGINT, r);
    return 0;
}

/* Java's Math.pow answers NaN where C's pow answers 1 (1 ** NaN, 1 ** inf). */
static double java_pow(double a, double b)
{
    if (isnan(b) || (isinf(b) && fabs(a) == 1)) return NAN;
    return pow(a, b);
}

/* glibc's cbrt can miss by an ulp (cbrt(27) = 3.0000000000000004) where
 * Java's, which Trino uses, is exact: take the neighbour whose cube is
 * nearest in extended precision. */
static double exact_cbrt(double a)
{
    double r = cbrt(a);
    if (!isfinite(r) || r == 0) return r;
    double best = r;
    long double err = fabsl((long double)r * r * r - a);
    double cand[2] = {nextafter(r, INFINITY), nextafter(r, -INFINITY)};
    for (int i = 0; i < 2; i++) {
        long double e2 = fabsl((long double)cand[i] * cand[i] * cand[i] - a);
        if (e2 < err) err = e2, best = cand[i];
    }
    return best;
}

static int fn_math_d(sx_ctx *c, const sx *x, const sql_value *v, sql_value *out)
{
    (void)c;
    double a = x->nargs ? v[0].u.d : 0, b = x->nargs > 1 ? v[1].u.d : 0, r;
    switch (x->op) {
    case MF_ABS: r = fabs(a); break;
    case MF_CEIL: r = ceil(a); break;
    case MF_FLOOR: r = floor(a); break;
    case MF_ROUND: r = isfinite(a) ? round(a) : a; break;
    case MF_TRUNC: r = trunc(a); break;
    case MF_SIGN: r = isnan(a) ? a : a > 0 ? 1.0 : a < 0 ? -1.0 : a; break;
    case MF_SQRT: r = sqrt(a); break;
    case MF_CBRT: r = exact_cbrt(a); break;
    case MF_EXP: r = exp(a); break;
    case MF_LN: r = log(a); break;
    case MF_LOG2: r = log(a) / log(2.0); break; /* as Trino computes it, to the last bit */
    case MF_LOG10: r = log10(a); break;
    case MF_SIN: r = sin(a); break;
    case MF_COS: r = cos(a); break;
    case MF_TAN: r = tan(a); break;
    case MF_ASIN: r = asin(a); break;
    case MF_ACOS: r = acos(a); break;
    case MF_ATAN: r = atan(a); break;
    case MF_SINH: r = sinh(a); break;
    case MF_COSH: r = cosh(a); break;
    case MF_TANH: r = tanh(a); break;
    case MF_DEG: r = a * (180.0 / SQL_PI); break;
    case MF_RAD: r = a * (SQL_PI / 180.0); break;
    case MF_POW: r = java_pow(a, b); break;
    case MF_ATAN2: r = atan2(a, b); break;
    case MF_LOG: r = log(b) / log(a); break;
    case MF_MOD: r = fmod(a, b); break;
    case MF_PI: r = SQL_PI; break;
    case MF_E: r = SQL_E; break;
    case MF_NAN: r = NAN; break;
    case MF_INF: r = INFINITY; break;
    case MF_IS_NAN: *out = sqlv_bool(isnan(a)); return 0;
    case MF_IS_FINITE: *out = sqlv_bool(isfinite(a)); return 0;
    case MF_IS_INF: *out = sqlv_bool(isinf(a)); return 0;
    default: r = NAN; break;
    }
    *out = sqlv_double(r);
    return 0;
}

/* round(x, d) on a bigint: half away from zero at 10^-d (d < 0). */
static int fn_round_i2(sx_ctx *c, const sx *x, const sql_value *v, sql_value *out)
{
    (void)x;
    int64_t a = v[0].u.i, d = v[1].u.i;
    if (d >= 0 || a == 0) {
        *out = v[0];
        return 0;
    }
    if (d < -18) {
        *out = sqlv_int(SQLT_BIGINT, 0);
        return 0;
    }
    int64_t p = 1;
    for (int64_t i = 0; i < -d; i++) p *= 10;
    int64_t rem = a % p, q = a - rem;
    uint64_t arem = rem < 0 ? (uint64_t)0 - (uint64_t)rem : (uint64_t)rem;
    if (arem >= (uint64_t)p - arem) {
        int64_t r = 0;
        if (__builtin_add_overflow(q, a < 0 ? -p : p, &r))
            return st_fail(c->e, ST_EINVAL, "bigint overflow in round(%" PRId64 ", %" PRId64 ")", a, d);
        q = r;
    }
    *out = sqlv_int(SQLT_BIGINT, q);
    return 0;
}

/* round(x, d) on a double: Trino scales by 10^d, rounds half away from zero
 * and scales back; a value too large to have digits at that place stays. */
static int fn_round_d2(sx_ctx *c, const sx *x, const sql_value *v, sql_value *out)
{
    (void)c, (void)x;
    double a = v[0].u.d;
    int64_t d = v[1].u.i;
    if (!isfinite(a) || d > 400) {
        *out = v[0];
        return 0;
    }
    double f = pow(10, (double)(d < -400 ? -400 : d));
    double s = fabs(a) * f;
    if (!isfinite(s) || s >= 4503599627370496.0) { /* 2^52: already integral */
        *out = v[0];
        return 0;
    }
    double r = round(s) / f;
    *out = sqlv_double(a < 0 ? -r : r);
    return 0;
}

static int fn_width_bucket(sx_ctx *c, const sx *x, const sql_value *v, sql_value *out)
{
    (void)x;
    double o = v[0].u.d, b1 = v[1].u.d, b2 = v[2].u.d;
    int64_t n = v[3].u.i, r = 0;
    if (n <= 0) return st_fail(c->e, ST_EINVAL, "bucketCount must be greater than 0");
    if (isnan(o)) return st_fail(c->e, ST_EINVAL, "operand must not be NaN");
    if (!isfinite(b1)) return st_fail(c->e, ST_EINVAL, "first bound must be finite");
    if (!isfinite(b2)) return st_fail(c->e, ST_EINVAL, "second bound must be finite");
    if (b1 == b2) return st_fail(c->e, ST_EINVAL, "bounds cannot equal each other");
    double lo = b1 < b2 ? b1 : b2, hi = b1 < b2 ? b2 : b1;
    if (o < lo) r = 0;
    else if (o >= hi) {
        if (n == INT64_MAX) return st_fail(c->e, ST_EINVAL, "Bucket for value %g is out of range", o);
        r = n + 1;
    } else {
        /* o - lo and hi - lo may overflow to infinity with bounds near
         * DBL_MAX: keep the bucket inside [1, n] whatever the rounding */
        double q = (double)n * (o - lo) / (hi - lo);
        r = !(q >= 0) ? 1 : q >= (double)n ? n : (int64_t)q + 1;
    }
    if (b1 > b2 && __builtin_add_overflow(n - r, 1, &r))
        return st_fail(c->e, ST_EINVAL, "Bucket for value %g is out of range", o);
    *out = sqlv_int(SQLT_BIGINT, r);
    return 0;
}

static int fn_random(sx_ctx *c, const sx *x, const sql_value *v, sql_value *out)
{
    if (x->nargs == 0) {
        /* 53 random bits: uniform in [0, 1) */
        uint64_t r = (uint64_t)arc4random() << 21 ^ (uint64_t)(arc4random() >> 11);
        *out = sqlv_double((double)(r & ((1ull << 53) - 1)) / 9007199254740992.0);
        return 0;
    }
    int64_t n = v[0].u.i;
    if (n <= 0) return st_fail(c->e, ST_EINVAL, "bound must be positive");
    uint64_t r = ((uint64_t)arc4random() << 32 | arc4random()) % (uint64_t)n; /* bias below 2^-32 for n < 2^32 */
    *out = sqlv_int(SQLT_BIGINT, (int64_t)r);
    return 0;
}

/* greatest/least over one common type; op 1 = greatest */
static int fn_greatest(sx_ctx *c, const sx *x, const sql_value *v, sql_value *out)
{
    const sql_value *best = &v[0];
    for (uint32_t i = 0; i < x->nargs; i++) {
        if (v[i].type == SQLT_DOUBLE && isnan(v[i].u.d))
            return st_fail(c->e, ST_EINVAL, "Invalid argument to %s(): NaN", x->op ? "greatest" : "least");
        int r = sqlv_cmp(&v[i], best);
        if (x->op ? r > 0 : r < 0) best = &v[i];
    }
    *out = *best;
    return 0;
}

static int fn_typeof(sx_ctx *c, const sx *x, const sql_value *v, sql_value *out)
{
    (void)c, (void)v;
    *out = sqlv_str(st_slice_cstr(sql_vtype_name((sql_vtype)x->op)));
    return 0;
}

static int fn_concat(sx_ctx *c, const sx *x, const sql_value *v, sql_value *out)
{
    size_t n = 0;
    for (uint32_t i = 0; i < x->nargs; i++) n += v[i].u.s.n;
    char *p = sql_fn_alloc(c, n);
    size_t k = 0;
    for (uint32_t i = 0; i < x->nargs; i++) {
        if (v[i].u.s.n) memcpy(p + k, v[i].u.s.p, v[i].u.s.n);
        k += v[i].u.s.n;
    }
    *out = sqlv_str(st_slice_of(p, n));
    return 0;
}

#define D1(n, o) {n, fn_math_d, o, FT_D, 1, {FT_D}, 0}
const sql_fn_entry sql_fn_math_tab[] = {
    {"abs", fn_math_i, MF_ABS, FT_I, 1, {FT_I}, 0},
    D1("abs", MF_ABS),
    {"ceil", fn_math_i, MF_CEIL, FT_I, 1, {FT_I}, 0},
    D1("ceil", MF_CEIL),
    {"ceiling", fn_math_i, MF_CEIL, FT_I, 1, {FT_I}, 0},
    D1("ceiling", MF_CEIL),
    {"floor", fn_math_i, MF_FLOOR, FT_I, 1, {FT_I}, 0},
    D1("floor", MF_FLOOR),
    {"round", fn_math_i, MF_ROUND, FT_I, 1, {FT_I}, 0},
    D1("round", MF_ROUND),
    {"round", fn_round_i2, 0, FT_I, 2, {FT_I, FT_I}, 0},
    {"round", fn_round_d2, 0, FT_D, 2, {FT_D, FT_I}, 0},
    D1("truncate", MF_TRUNC),
    {"sign", fn_math_i, MF_SIGN, FT_I, 1, {FT_I}, 0},
    D1("sign", MF_SIGN),
    D1("sqrt", MF_SQRT), D1("cbrt", MF_CBRT), D1("exp", MF_EXP), D1("ln", MF_LN), D1("log2", MF_LOG2),
    D1("log10", MF_LOG10), D1("sin", MF_SIN), D1("cos", MF_COS), D1("tan", MF_TAN), D1("asin", MF_ASIN),
    D1("acos", MF_ACOS), D1("atan", MF_ATAN), D1("sinh", MF_SINH), D1("cosh", MF_COSH), D1("tanh", MF_TANH),
    D1("degrees", MF_DEG), D1("radians", MF_RAD),
    {"log", fn_math_d, MF_LOG, FT_D, 2, {FT_D, FT_D}, 0},
    {"pow", fn_math_d, MF_POW, FT_D, 2, {FT_D, FT_D}, 0},
    {"power", fn_math_d, MF_POW, FT_D, 2, {FT_D, FT_D}, 0},
    {"atan2", fn_math_d, MF_ATAN2, FT_D, 2, {FT_D, FT_D}, 0},
    {"mod", fn_math_i, MF_MOD, FT_I, 2, {FT_I, FT_I}, 0},
    {"mod", fn_math_d, MF_MOD, FT_D, 2, {FT_D, FT_D}, 0},
    {"pi", fn_math_d, MF_PI, FT_D, 0, {0}, 0},
    {"e", fn_math_d, MF_E, FT_D, 0, {0}, 0},
    {"nan", fn_math_d, MF_NAN, FT_D, 0, {0}, 0},
    {"infinity", fn_math_d, MF_INF, FT_D, 0, {0}, 0},
    {"is_nan", fn_math_d, MF_IS_NAN, FT_B, 1, {FT_D}, 0},
    {"is_finite", fn_math_d, MF_IS_FINITE, FT_B, 1, {FT_D}, 0},
    {"is_infinite", fn_math_d, MF_IS_INF, FT_B, 1, {FT_D}, 0},
    {"random", fn_random, 0, FT_D, 0, {0}, FN_VOLATILE},
    {"rand", fn_random, 0, FT_D, 0, {0}, FN_VOLATILE},
    {"random", fn_random, 0, FT_I, 1, {FT_I}, FN_VOLATILE},
    {"rand", fn_random, 0, FT_I, 1, {FT_I}, FN_VOLATILE},
    {"width_bucket", fn_width_bucket, 0, FT_I, 4, {FT_D, FT_D, FT_D, FT_I}, 0},
};
#undef D1
const size_t sql_fn_math_n = ST_ARRAY_LEN(sql_fn_math_tab);

/* ---- registry ---- */

typedef struct tab_ref {
    const sql_fn_entry *t;
    size_t n;
} tab_ref;

#define NTABS 5

static size_t tabs(tab_ref out[NTABS])
{
    out[0] = (tab_ref){sql_fn_math_tab, sql_fn_math_n};
    out[1] = (tab_ref){sql_fn_str_tab, sql_fn_str_n};
    out[2] = (tab_ref){sql_fn_time_tab, sql_fn_time_n};
    out[3] = (tab_ref){sql_fn_array_tab, sql_fn_array_n};
    out[4] = (tab_ref){sql_fn_ts_tab, sql_fn_ts_n};
    return NTABS;
}

unsigned sql_fn_flags(sx_fn f)
{
    tab_ref t[NTABS];
    size_t nt = tabs(t);
    for (size_t k = 0; k < nt; k++)
        for (size_t i = 0; i < t[k].n; i++)
            if (t[k].t[i].fn == f) return t[k].t[i].flags;
    return 0;
}

static bool coercible(uint8_t from, uint8_t to)
{
    if (from == to || from == SQLT_UNKNOWN) return true;
    if (sqlt_is_composite(from) || sqlt_is_composite(to)) /* array(bigint) -> array(double), array(unknown) -> any */
        return (from & 0x60) == (to & 0x60) && coercible((uint8_t)sqlt_elem(from), (uint8_t)sqlt_elem(to));
    return (from == SQLT_BIGINT && to == SQLT_DOUBLE) || (from == SQLT_DATE && to == SQLT_TIMESTAMP);
}

/* 0 exact, 1 from unknown, 2 widened; -1 impossible */
static int coerce_cost(uint8_t from, uint8_t to)
{
    if (from == to) return 0;
    if (!coercible(from, to)) return -1;
    return from == SQLT_UNKNOWN ? 1 : 2;
}

static bool has_e(uint8_t t) { return (t & SQLT_ELEM_MASK) == FT_E; }
static uint8_t subst(uint8_t t, uint8_t e) { return has_e(t) ? (uint8_t)((t & 0x60) | e) : t; }

/* Binds the type variable E (fn_int.h) and prices the coercions: the total
 * cost (0 exact, 1 per bare NULL, 2 per widening), or -1 when the entry
 * does not take these types. */
static int match(const sql_fn_entry *f, const uint8_t *at, uint8_t *args, uint8_t *ret)
{
    bool bound = false;
    uint8_t e = SQLT_UNKNOWN;
    for (size_t i = 0; i < f->nargs; i++) {
        if (!has_e(f->args[i]) || at[i] == SQLT_UNKNOWN) continue;
        if ((at[i] & 0x60) != (f->args[i] & 0x60)) return -1;
        uint8_t cand = (uint8_t)sqlt_elem(at[i]);
        if (!bound || coercible(e, cand)) e = cand;
        else if (!coercible(cand, e)) return -1;
        bound = true;
    }
    int cost = 0;
    for (size_t i = 0; i < f->nargs; i++) {
        args[i] = subst(f->args[i], e);
        if (at[i] == args[i]) continue;
        if (!coercible(at[i], args[i])) return -1;
        cost += at[i] == SQLT_UNKNOWN ? 1 : 2;
    }
    *ret = subst(f->ret, e);
    return cost;
}

static void put_type(st_buf *b, uint8_t t)
{
    if (!has_e(t)) st_buf_printf(b, "%s", sql_vtype_name((sql_vtype)t));
    else st_buf_printf(b, "%s", sqlt_is_array(t) ? "array(E)" : sqlt_is_ts(t) ? "timeseries(E)" : "E");
}

/* name(types) as Trino lists it, with E's constraint for a generic one */
static void put_sig(st_buf *b, const sql_fn_entry *f)
{
    bool generic = has_e(f->ret);
    st_buf_printf(b, "%s(", f->name);
    for (size_t i = 0; i < f->nargs; i++) {
        if (i) st_buf_printf(b, ", ");
        put_type(b, f->args[i]);
        generic = generic || has_e(f->args[i]);
    }
    st_buf_putc(b, ')');
    if (generic)
        st_buf_printf(b, " E%s", f->flags & FN_E_ORDERABLE ? ":orderable" : f->flags & FN_E_COMPARABLE ? ":comparable" : "");
}

bool sql_fn_common_type(uint8_t a, uint8_t b, uint8_t *out)
{
    if (coercible(a, b)) *out = b;
    else if (coercible(b, a)) *out = a;
    else return false;
    return true;
}

static void put_types(st_buf *b, const uint8_t *t, size_t n)
{
    st_buf_putc(b, '(');
    for (size_t i = 0; i < n; i++) st_buf_printf(b, "%s%s", i ? ", " : "", sql_vtype_name((sql_vtype)t[i]));
    st_buf_putc(b, ')');
}

static int unexpected(st_slice name, const uint8_t *argtypes, size_t nargs, const char *expected, st_err *e)
{
    st_buf b = {0};
    put_types(&b, argtypes, nargs);
    int rc = st_fail(e, ST_EINVAL, "Unexpected parameters %.*s for function %.*s. Expected: %s", (int)b.len,
                     (const char *)b.p, (int)name.n, name.p, expected);
    st_buf_free(&b);
    return rc;
}

static void fill(sql_fn_sig *out, sx_fn fn, uint8_t ret, const uint8_t *args, size_t nargs, bool strict, int op)
{
    memset(out, 0, sizeof *out);
    out->fn = fn;
    out->ret = ret;
    for (size_t i = 0; i < nargs; i++) out->args[i] = args[i];
    out->strict = strict;
    out->op = op;
}

/* Functions whose argument count or types are not fixed. 1 handled, 0 not
 * one of them, <0 error. */
static int resolve_special(st_slice name, const uint8_t *at, size_t n, sql_fn_sig *out, st_err *e)
{
    bool g = st_slice_eq(name, st_slice_cstr("greatest")), l = st_slice_eq(name, st_slice_cstr("least"));
    if (g || l) {
        uint8_t t = SQLT_UNKNOWN;
        bool ok = n >= 1;
        for (size_t i = 0; i < n && ok; i++) ok = sql_fn_common_type(t, at[i], &t);
        if (!ok) return unexpected(name, at, n, g ? "greatest(E) E:orderable" : "least(E) E:orderable", e);
        uint8_t args[SQL_FN_MAXARGS];
        for (size_t i = 0; i < n; i++) args[i] = t;
        fill(out, fn_greatest, t, args, n, true, g);
        return 1;
    }
    if (st_slice_eq(name, st_slice_cstr("concat"))) {
        bool ok = true;
        for (size_t i = 0; i < n; i++) ok = ok && coercible(at[i], SQLT_VARCHAR);
        if (!ok) return unexpected(name, at, n, "concat(varchar)", e);
        if (n < 2) return st_fail(e, ST_EINVAL, "There must be two or more concatenation arguments");
        uint8_t args[SQL_FN_MAXARGS];
        for (size_t i = 0; i < n; i++) args[i] = SQLT_VARCHAR;
        fill(out, fn_concat, SQLT_VARCHAR, args, n, true, 0);
        return 1;
    }
    if (st_slice_eq(name, st_slice_cstr("typeof"))) {
        if (n != 1) return unexpected(name, at, n, "typeof(t) t", e);
        fill(out, fn_typeof, SQLT_VARCHAR, at, 1, false, at[0]);
        return 1;
    }
    return 0;
}

int sql_fn_resolve(st_slice name, const uint8_t *argtypes, size_t nargs, sql_fn_sig *out, st_err *e)
{
    if (nargs > SQL_FN_MAXARGS) {
        /* the message needs the types; show the first SQL_FN_MAXARGS */
        return st_fail(e, ST_EINVAL, "Too many arguments for function %.*s (%zu; at most %d)", (int)name.n, name.p,
                       nargs, SQL_FN_MAXARGS);
    }
    int rc = resolve_special(name, argtypes, nargs, out, e);
    if (rc) return rc < 0 ? rc : 0;
    tab_ref t[NTABS];
    size_t nt = tabs(t);
    const sql_fn_entry *best = NULL;
    uint8_t best_args[SQL_FN_MAXARGS], best_ret = 0;
    int best_cost = 0;
    bool known = false;
    for (size_t k = 0; k < nt; k++)
        for (size_t i = 0; i < t[k].n; i++) {
            const sql_fn_entry *f = &t[k].t[i];
            if (strlen(f->name) != name.n || memcmp(f->name, name.p, name.n)) continue;
            known = true;
            if (f->nargs != nargs) continue;
            uint8_t args[SQL_FN_MAXARGS], ret;
            int cost = match(f, argtypes, args, &ret);
            if (cost >= 0 && (!best || cost < best_cost)) {
                best = f, best_cost = cost, best_ret = ret;
                memcpy(best_args, args, nargs);
            }
        }
    if (!known) return st_fail(e, ST_ENOTFOUND, "Function '%.*s' not registered", (int)name.n, name.p);
    if (!best) {
        st_buf exp = {0};
        bool first = true;
        for (size_t k = 0; k < nt; k++)
            for (size_t i = 0; i < t[k].n; i++) {
                const sql_fn_entry *f = &t[k].t[i];
                if (strlen(f->name) != name.n || memcmp(f->name, name.p, name.n)) continue;
                if (!first) st_buf_printf(&exp, ", ");
                put_sig(&exp, f);
                first = false;
            }
        st_buf_putc(&exp, 0);
        rc = unexpected(name, argtypes, nargs, (const char *)exp.p, e);
        st_buf_free(&exp);
        return rc;
    }
    fill(out, best->fn, best_ret, best_args, nargs, true, best->op); /* NULL in, NULL out */
    return 0;
}

int sql_fn_extract(st_slice field, uint8_t argtype, sql_fn_sig *out, st_err *e)
{
    static const char *const fields[] = {"year", "quarter", "month", "week", "day", "day_of_month",
                                         "day_of_week", "dow", "day_of_year", "doy", "hour", "minute",
                                         "second", "millisecond", "year_of_week", "yow"};
    size_t i;
    for (i = 0; i < ST_ARRAY_LEN(fields); i++)
        if (st_slice_eq(field, st_slice_cstr(fields[i]))) break;
    if (i == ST_ARRAY_LEN(fields)) return st_fail(e, ST_EINVAL, "Invalid EXTRACT field: %.*s", (int)field.n, field.p);
    if (argtype != SQLT_TIMESTAMP && argtype != SQLT_DATE && argtype != SQLT_INTERVAL_DS &&
        argtype != SQLT_INTERVAL_YM && argtype != SQLT_UNKNOWN)
        return st_fail(e, ST_EINVAL, "Type of argument to extract must be DATE, TIME, TIMESTAMP, or INTERVAL (actual %s)",
                       sql_vtype_name((sql_vtype)argtype));
    st_err tmp;
    int rc = sql_fn_resolve(field, &argtype, 1, out, &tmp);
    if (rc) {
        char up[32];
        size_t k;
        for (k = 0; k < field.n && k < sizeof up - 1; k++) up[k] = (char)(field.p[k] >= 'a' && field.p[k] <= 'z' ? field.p[k] - 32 : field.p[k]);
        up[k] = 0;
        return st_fail(e, ST_EINVAL, "Cannot extract %s from %s", up, sql_vtype_name((sql_vtype)argtype));
    }
    return 0;
}

/* ---- operators ---- */

#define SWAP 0x100 /* op flag: the operands come in the other order */

static int fn_arith_i(sx_ctx *c, const sx *x, const sql_value *v, sql_value *out)
{
    int64_t a = v[0].u.i, b = v[1].u.i, r = 0;
    int rc;
    switch (x->op) {
    case SQL_OP_ADD: rc = sqlv_add_i64(a, b, &r, c->e); break;
    case SQL_OP_SUB: rc = sqlv_sub_i64(a, b, &r, c->e); break;
    case SQL_OP_MUL: rc = sqlv_mul_i64(a, b, &r, c->e); break;
    case SQL_OP_DIV: rc = sqlv_div_i64(a, b, &r, c->e); break;
    default: rc = sqlv_mod_i64(a, b, &r, c->e); break;
    }
    if (rc) return rc;
    *out = sqlv_int(SQLT_BIGINT, r);
    return 0;
}

static int fn_arith_d(sx_ctx *c, const sx *x, const sql_value *v, sql_value *out)
{
    (void)c;
    double a = v[0].u.d, b = v[1].u.d, r;
    switch (x->op) {
    case SQL_OP_ADD: r = a + b; break;
    case SQL_OP_SUB: r = a - b; break;
    case SQL_OP_MUL: r = a * b; break;
    case SQL_OP_DIV: r = a / b; break;
    default: r = fmod(a, b); break;
    }
    *out = sqlv_double(r);
    return 0;
}

static int range_err(st_err *e, sql_vtype t) { return st_fail(e, ST_EINVAL, "%s out of range", sql_vtype_name(t)); }

static int add_checked(sx_ctx *c, int64_t a, int64_t b, bool sub, sql_vtype t, sql_value *out)
{
    int64_t r = 0;
    if (sub ? __builtin_sub_overflow(a, b, &r) : __builtin_add_overflow(a, b, &r)) return range_err(c->e, t);
    *out = sqlv_int(t, r);
    return 0;
}

/* timestamp +/- interval day to second; interval +/- interval of one kind */
static int fn_add_same(sx_ctx *c, const sx *x, const sql_value *v, sql_value *out)
{
    bool sw = x->op & SWAP;
    const sql_value *a = &v[sw], *b = &v[!sw];
    return add_checked(c, a->u.i, b->u.i, (x->op & 0xff) == SQL_OP_SUB, (sql_vtype)a->type, out);
}

static int fn_ts_ts(sx_ctx *c, const sx *x, const sql_value *v, sql_value *out)
{
    (void)x;
    return add_checked(c, v[0].u.i, v[1].u.i, true, SQLT_INTERVAL_DS, out);
}

static int fn_ts_ym(sx_ctx *c, const sx *x, const sql_value *v, sql_value *out)
{
    bool sw = x->op & SWAP;
    int64_t m = v[!sw].u.i, r = 0;
    if ((x->op & 0xff) == SQL_OP_SUB) {
        if (m == INT64_MIN) return range_err(c->e, SQLT_TIMESTAMP);
        m = -m;
    }
    int rc = v[sw].type == SQLT_DATE ? sql_fn_add_months_days(v[sw].u.i, m, &r, c->e)
                                     : sql_fn_add_months_ns(v[sw].u.i, m, &r, c->e);
    if (rc) return rc;
    *out = sqlv_int((sql_vtype)v[sw].type, r);
    return 0;
}


/* date +/- interval day to second: whole days only, as Trino */
static int fn_date_ds(sx_ctx *c, const sx *x, const sql_value *v, sql_value *out)
{
    bool sw = x->op & SWAP, sub = (x->op & 0xff) == SQL_OP_SUB;
    int64_t ns = v[!sw].u.i;
    if (ns % SQL_NS_PER_DAY)
        return st_fail(c->e, ST_EINVAL, sub ? "Cannot subtract hour, minutes or seconds from a date"
                                            : "Cannot add hour, minutes or seconds to a date");
    int rc = add_checked(c, v[sw].u.i, ns / SQL_NS_PER_DAY, sub, SQLT_DATE, out);
    if (rc == 0 && (out->u.i > SQL_FN_MAX_DAYS || out->u.i < -SQL_FN_MAX_DAYS)) return range_err(c->e, SQLT_DATE);
    return rc;
}

/* interval * number, number * interval, interval / number */
static int fn_ivl_scale(sx_ctx *c, const sx *x, const sql_value *v, sql_value *out)
{
    bool sw = x->op & SWAP;
    const sql_value *iv = &v[sw], *k = &v[!sw];
    sql_vtype t = (sql_vtype)iv->type;
    bool div = (x->op & 0xff) == SQL_OP_DIV;
    if (k->type == SQLT_BIGINT) {
        int64_t r = 0;
        if (div) {
            if (k->u.i == 0) return st_fail(c->e, ST_EINVAL, "Division by zero");
            if (iv->u.i == INT64_MIN && k->u.i == -1) return range_err(c->e, t);
            r = iv->u.i / k->u.i;
        } else if (__builtin_mul_overflow(iv->u.i, k->u.i, &r))
            return range_err(c->e, t);
        *out = sqlv_int(t, r);
        return 0;
    }
    if (div && k->u.d == 0) return st_fail(c->e, ST_EINVAL, "Division by zero");
    double r = div ? (double)iv->u.i / k->u.d : (double)iv->u.i * k->u.d;
    if (isnan(r) || !(r > -9223372036854775808.0 && r < 9223372036854775808.0)) return range_err(c->e, t);
    *out = sqlv_int(t, (int64_t)r); /* truncated, as Trino's cast to long */
    return 0;
}


static int fn_compare(sx_ctx *c, const sx *x, const sql_value *v, sql_value *out)
{
    (void)c;
    *out = sqlv_bool(sql_fn_cmp(x->op, &v[0], &v[1]));
    return 0;
}

static int fn_neg(sx_ctx *c, const sx *x, const sql_value *v, sql_value *out)
{
    (void)x;
    if (v[0].type == SQLT_DOUBLE) {
        *out = sqlv_double(-v[0].u.d);
        return 0;
    }
    if (v[0].u.i == INT64_MIN) {
        if (v[0].type == SQLT_BIGINT)
            return st_fail(c->e, ST_EINVAL, "bigint negation overflow: %" PRId64, v[0].u.i);
        return range_err(c->e, (sql_vtype)v[0].type);
    }
    *out = sqlv_int((sql_vtype)v[0].type, -v[0].u.i);
    return 0;
}

#define B(o) (1u << (o))
#define ARITH (B(SQL_OP_ADD) | B(SQL_OP_SUB) | B(SQL_OP_MUL) | B(SQL_OP_DIV) | B(SQL_OP_MOD))
#define ADDSUB (B(SQL_OP_ADD) | B(SQL_OP_SUB))

typedef struct binop_ent {
    unsigned ops;
    uint8_t l, r, ret;
    sx_fn fn;
    int flags;
} binop_ent;

static const binop_ent binops[] = {
    {ARITH, FT_I, FT_I, FT_I, fn_arith_i, 0},
    {ARITH, FT_D, FT_D, FT_D, fn_arith_d, 0},
    {ADDSUB, FT_T, FT_DS, FT_T, fn_add_same, 0},
    {B(SQL_OP_ADD), FT_DS, FT_T, FT_T, fn_add_same, SWAP},
    {ADDSUB, FT_T, FT_YM, FT_T, fn_ts_ym, 0},
    {B(SQL_OP_ADD), FT_YM, FT_T, FT_T, fn_ts_ym, SWAP},
    {B(SQL_OP_SUB), FT_T, FT_T, FT_DS, fn_ts_ts, 0},
    {ADDSUB, FT_DT, FT_DS, FT_DT, fn_date_ds, 0},
    {B(SQL_OP_ADD), FT_DS, FT_DT, FT_DT, fn_date_ds, SWAP},
    {ADDSUB, FT_DT, FT_YM, FT_DT, fn_ts_ym, 0},
    {B(SQL_OP_ADD), FT_YM, FT_DT, FT_DT, fn_ts_ym, SWAP},
    {ADDSUB, FT_DS, FT_DS, FT_DS, fn_add_same, 0},
    {ADDSUB, FT_YM, FT_YM, FT_YM, fn_add_same, 0},
    {B(SQL_OP_MUL) | B(SQL_OP_DIV), FT_DS, FT_I, FT_DS, fn_ivl_scale, 0},
    {B(SQL_OP_MUL) | B(SQL_OP_DIV), FT_DS, FT_D, FT_DS, fn_ivl_scale, 0},
    {B(SQL_OP_MUL) | B(SQL_OP_DIV), FT_YM, FT_I, FT_YM, fn_ivl_scale, 0},
    {B(SQL_OP_MUL) | B(SQL_OP_DIV), FT_YM, FT_D, FT_YM, fn_ivl_scale, 0},
    {B(SQL_OP_MUL), FT_I, FT_DS, FT_DS, fn_ivl_scale, SWAP},
    {B(SQL_OP_MUL), FT_D, FT_DS, FT_DS, fn_ivl_scale, SWAP},
    {B(SQL_OP_MUL), FT_I, FT_YM, FT_YM, fn_ivl_scale, SWAP},
    {B(SQL_OP_MUL), FT_D, FT_YM, FT_YM, fn_ivl_scale, SWAP},
    {B(SQL_OP_CONCAT), FT_V, FT_V, FT_V, fn_concat, 0},
};

static int cannot_apply(sql_binop op, uint8_t l, uint8_t r, st_err *e)
{
    return st_fail(e, ST_EINVAL, "Cannot apply operator: %s %s %s", sql_vtype_name((sql_vtype)l), sql_binop_str(op),
                   sql_vtype_name((sql_vtype)r));
}

int sql_fn_binop(sql_binop op, uint8_t l, uint8_t r, sql_fn_sig *out, st_err *e)
{
    if (op >= SQL_OP_EQ && op <= SQL_OP_GE) {
        uint8_t t;
        if (!sql_fn_common_type(l, r, &t)) return cannot_apply(op, l, r, e);
        uint8_t args[2] = {t, t};
        fill(out, fn_compare, SQLT_BOOLEAN, args, 2, true, op);
        return 0;
    }
    const binop_ent *best = NULL;
    int best_cost = 0;
    for (size_t i = 0; i < ST_ARRAY_LEN(binops); i++) {
        const binop_ent *b = &binops[i];
        if (!(b->ops & B(op))) continue;
        int cl = coerce_cost(l, b->l), cr = coerce_cost(r, b->r);
        if (cl < 0 || cr < 0) continue;
        if (!best || cl + cr < best_cost) best = b, best_cost = cl + cr;
    }
    if (!best) return cannot_apply(op, l, r, e);
    uint8_t args[2] = {best->l, best->r};
    fill(out, best->fn, best->ret, args, 2, true, (int)op | best->flags);
    return 0;
}

int sql_fn_neg(uint8_t t, sql_fn_sig *out, st_err *e)
{
    if (t == SQLT_UNKNOWN) t = SQLT_BIGINT;
    if (t != SQLT_BIGINT && t != SQLT_DOUBLE && t != SQLT_INTERVAL_DS && t != SQLT_INTERVAL_YM)
        return st_fail(e, ST_EINVAL, "Cannot negate %s", sql_vtype_name((sql_vtype)t));
    fill(out, fn_neg, t, &t, 1, true, SQL_OP_NEG);
    return 0;
}
