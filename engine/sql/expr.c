/* expr: evaluation of bound expressions (exec.h's sx) with SQL's three-valued logic. */
#include <math.h>
#include <string.h>

#include "sql/exec.h"
#include "sql/fn_int.h"

bool sql_fn_cmp(int op, const sql_value *a, const sql_value *b)
{
    if (a->type == SQLT_DOUBLE && b->type == SQLT_DOUBLE) {
        double x = a->u.d, y = b->u.d;
        /* IEEE comparisons already give Trino's NaN answers; sqlv_cmp would
         * order NaN last, which is only for sorting */
        switch (op) {
        case SQL_OP_EQ: return x == y;
        case SQL_OP_NE: return !(x == y);
        case SQL_OP_LT: return x < y;
        case SQL_OP_LE: return x <= y;
        case SQL_OP_GT: return x > y;
        case SQL_OP_GE: return x >= y;
        default: return false;
        }
    }
    int r = sqlv_cmp(a, b);
    switch (op) {
    case SQL_OP_EQ: return r == 0;
    case SQL_OP_NE: return r != 0;
    case SQL_OP_LT: return r < 0;
    case SQL_OP_LE: return r <= 0;
    case SQL_OP_GT: return r > 0;
    case SQL_OP_GE: return r >= 0;
    default: return false;
    }
}

/* ---- LIKE ---- */

uint32_t sql_fn_utf8_next(const char *s, size_t n, size_t *i)
{
    const unsigned char *p = (const unsigned char *)s + *i;
    size_t left = n - *i;
    unsigned c = p[0];
    size_t len = c < 0x80 ? 1 : (c >> 5) == 6 ? 2 : (c >> 4) == 14 ? 3 : (c >> 3) == 30 ? 4 : 0;
    if (len <= 1 || len > left) {
        (*i)++;
        return c;
    }
    uint32_t cp = c & (0xff >> (len + 1));
    for (size_t k = 1; k < len; k++) {
        if ((p[k] & 0xc0) != 0x80) {
            (*i)++;
            return c;
        }
        cp = cp << 6 | (p[k] & 0x3f);
    }
    *i += len;
    return cp;
}

size_t sql_fn_utf8_put(uint32_t cp, char *out)
{
    unsigned char *o = (unsigned char *)out;
    if (cp < 0x80) {
        o[0] = (unsigned char)cp;
        return 1;
    }
    if (cp < 0x800) {
        o[0] = (unsigned char)(0xc0 | cp >> 6);
        o[1] = (unsigned char)(0x80 | (cp & 0x3f));
        return 2;
    }
    if (cp < 0x10000) {
        o[0] = (unsigned char)(0xe0 | cp >> 12);
        o[1] = (unsigned char)(0x80 | (cp >> 6 & 0x3f));
        o[2] = (unsigned char)(0x80 | (cp & 0x3f));
        return 3;
    }
    o[0] = (unsigned char)(0xf0 | cp >> 18);
    o[1] = (unsigned char)(0x80 | (cp >> 12 & 0x3f));
    o[2] = (unsigned char)(0x80 | (cp >> 6 & 0x3f));
    o[3] = (unsigned char)(0x80 | (cp & 0x3f));
    return 4;
}

/* One pattern element at pat[*pi]: '%' (returns 1), '_' (2), or a literal
 * code point (0, in *lit). An escape makes the next character literal; an
 * escape at the end is taken literally (the caller rejects such patterns). */
static int like_tok(st_slice pat, size_t *pi, uint32_t esc, uint32_t *lit)
{
    uint32_t c = sql_fn_utf8_next(pat.p, pat.n, pi);
    if (esc && c == esc && *pi < pat.n) {
        *lit = sql_fn_utf8_next(pat.p, pat.n, pi);
        return 0;
    }
    if (c == '%') return 1;
    if (c == '_') return 2;
    *lit = c;
    return 0;
}

/* Greedy matching with one backtrack point, the last '%' seen: what follows
 * it is tried at each later position of s, which is linear per '%' and never
 * exponential. */
bool sql_like_match(st_slice s, st_slice pat, uint32_t esc)
{
    size_t si = 0, pi = 0;
    size_t star_p = SIZE_MAX, star_s = 0;
    while (si < s.n) {
        if (pi < pat.n) {
            size_t save = pi;
            uint32_t lit = 0;
            int t = like_tok(pat, &pi, esc, &lit);
            if (t == 1) {
                star_p = pi;
                star_s = si;
                continue;
            }
            size_t sj = si;
            uint32_t c = sql_fn_utf8_next(s.p, s.n, &sj);
            if (t == 2 || c == lit) {
                si = sj;
                continue;
            }
            pi = save;
        }
        if (star_p == SIZE_MAX) return false;
        /* let the last % swallow one more character and retry */
        pi = star_p;
        sql_fn_utf8_next(s.p, s.n, &star_s);
        si = star_s;
    }
    while (pi < pat.n) {
        uint32_t lit;
        if (like_tok(pat, &pi, esc, &lit) != 1) return false;
    }
    return true;
}

/* Trino rejects an escape that is not followed by %, _ or itself. */
static int like_check(st_slice pat, uint32_t esc, st_err *e)
{
    size_t i = 0;
    while (i < pat.n) {
        uint32_t c = sql_fn_utf8_next(pat.p, pat.n, &i);
        if (c != esc) continue;
        if (i >= pat.n) return st_fail(e, ST_EINVAL, "Escape character must be followed by '%%', '_' or the escape character");
        uint32_t d = sql_fn_utf8_next(pat.p, pat.n, &i);
        if (d != '%' && d != '_' && d != esc)
            return st_fail(e, ST_EINVAL, "Escape character must be followed by '%%', '_' or the escape character");
    }
    return 0;
}

/* ---- evaluation ---- */

static sql_value null_of(const sx *x) { return sqlv_null((sql_vtype)x->type); }

/* 1 true, 0 false, -1 NULL; <-1 never (errors go through rc) */
static int tri(const sql_value *v) { return v->null ? -1 : v->u.b ? 1 : 0; }

static sql_value from_tri(int t) { return t < 0 ? sqlv_null(SQLT_BOOLEAN) : sqlv_bool(t == 1); }

static int eval_cmp(sx_ctx *c, int op, const sx *l, const sx *r, const sql_value *row, int *out)
{
    sql_value a, b;
    int rc = sx_eval(c, l, row, &a);
    if (rc) return rc;
    rc = sx_eval(c, r, row, &b);
    if (rc) return rc;
    if (a.null || b.null) *out = -1;
    else *out = sql_fn_cmp(op, &a, &b);
    return 0;
}

int sx_eval(sx_ctx *c, const sx *x, const sql_value *row, sql_value *out)
{
    int rc;
    switch (x->kind) {
    case SX_CONST: *out = x->k; return 0;
    case SX_COL: *out = row[x->index]; return 0;
    case SX_FN: {
        sql_value small[SQL_FN_MAXARGS];
        /* ARRAY[...] may have many elements: their values go in the arena */
        sql_value *argv = x->nargs <= SQL_FN_MAXARGS ? small : st_arena_alloc(c->a, x->nargs * sizeof *argv);
        for (uint32_t i = 0; i < x->nargs; i++) {
            if ((rc = sx_eval(c, x->args[i], row, &argv[i]))) return rc;
            if (argv[i].null && x->strict) {
                /* the remaining arguments may still raise errors in Trino,
                 * which evaluates them all; stopping early is allowed since
                 * the result is NULL either way */
                *out = null_of(x);
                return 0;
            }
        }
        rc = x->fn(c, x, argv, out);
        if (rc == 0 && out->null) out->type = x->type;
        return rc;
    }
    case SX_AND:
    case SX_OR: {
        /* AND: false wins over NULL; OR: true wins over NULL */
        int stop = x->kind == SX_AND ? 0 : 1, acc = !stop;
        for (uint32_t i = 0; i < x->nargs; i++) {
            sql_value v;
            if ((rc = sx_eval(c, x->args[i], row, &v))) return rc;
            int t = tri(&v);
            if (t == stop) {
                *out = sqlv_bool(stop);
                return 0;
            }
            if (t < 0) acc = -1;
        }
        *out = from_tri(acc);
        return 0;
    }
    case SX_NOT: {
        sql_value v;
        if ((rc = sx_eval(c, x->args[0], row, &v))) return rc;
        *out = v.null ? v : sqlv_bool(!v.u.b);
        out->type = SQLT_BOOLEAN;
        return 0;
    }
    case SX_CASE: {
        uint32_t i = 0;
        for (; i + 1 < x->nargs; i += 2) {
            rc = sx_truth(c, x->args[i], row);
            if (rc < 0) return rc;
            if (rc) return sx_eval(c, x->args[i + 1], row, out);
        }
        if (i < x->nargs) return sx_eval(c, x->args[i], row, out);
        *out = null_of(x);
        return 0;
    }
    case SX_COALESCE:
        for (uint32_t i = 0; i < x->nargs; i++) {
            if ((rc = sx_eval(c, x->args[i], row, out))) return rc;
            if (!out->null) return 0;
        }
        *out = null_of(x);
        return 0;
    case SX_IN: {
        sql_value v;
        if ((rc = sx_eval(c, x->args[0], row, &v))) return rc;
        if (v.null) {
            *out = sqlv_null(SQLT_BOOLEAN);
            return 0;
        }
        int res = 0;
        for (uint32_t i = 1; i < x->nargs; i++) {
            sql_value w;
            if ((rc = sx_eval(c, x->args[i], row, &w))) return rc;
            if (w.null) res = -1;
            else if (sql_fn_cmp(SQL_OP_EQ, &v, &w)) {
                res = 1;
                break;
            }
        }
        if (x->negated && res >= 0) res = !res;
        *out = from_tri(res);
        return 0;
    }
    case SX_BETWEEN: {
        int lo, hi;
        if ((rc = eval_cmp(c, SQL_OP_GE, x->args[0], x->args[1], row, &lo))) return rc;
        if ((rc = eval_cmp(c, SQL_OP_LE, x->args[0], x->args[2], row, &hi))) return rc;
        int res = (lo == 0 || hi == 0) ? 0 : (lo < 0 || hi < 0) ? -1 : 1;
        if (x->negated && res >= 0) res = !res;
        *out = from_tri(res);
        return 0;
    }
    case SX_LIKE: {
        sql_value s, p, esc = sqlv_null(SQLT_VARCHAR);
        if ((rc = sx_eval(c, x->args[0], row, &s))) return rc;
        if ((rc = sx_eval(c, x->args[1], row, &p))) return rc;
        if (x->nargs > 2 && (rc = sx_eval(c, x->args[2], row, &esc))) return rc;
        if (s.null || p.null || (x->nargs > 2 && esc.null)) {
            *out = sqlv_null(SQLT_BOOLEAN);
            return 0;
        }
        uint32_t ec = 0;
        if (x->nargs > 2) {
            size_t i = 0;
            if (esc.u.s.n) ec = sql_fn_utf8_next(esc.u.s.p, esc.u.s.n, &i);
            if (esc.u.s.n == 0 || i != esc.u.s.n)
                return st_fail(c->e, ST_EINVAL, "Escape string must be a single character");
            if ((rc = like_check(p.u.s, ec, c->e))) return rc;
        }
        bool m = sql_like_match(s.u.s, p.u.s, ec);
        *out = sqlv_bool(m != x->negated);
        return 0;
    }
    case SX_IS_NULL: {
        sql_value v;
        if ((rc = sx_eval(c, x->args[0], row, &v))) return rc;
        *out = sqlv_bool(v.null != x->negated);
        return 0;
    }
    case SX_DISTINCT: {
        sql_value a, b;
        if ((rc = sx_eval(c, x->args[0], row, &a))) return rc;
        if ((rc = sx_eval(c, x->args[1], row, &b))) return rc;
        bool same;
        if (a.null || b.null) same = a.null && b.null;
        else if (a.type == SQLT_DOUBLE && b.type == SQLT_DOUBLE) same = sqlv_same(&a, &b);
        else same = sqlv_cmp(&a, &b) == 0;
        *out = sqlv_bool(same == x->negated);
        return 0;
    }
    case SX_CMP: {
        int t;
        if ((rc = eval_cmp(c, x->op, x->args[0], x->args[1], row, &t))) return rc;
        *out = from_tri(t);
        return 0;
    }
    case SX_CAST: {
        sql_value v;
        if ((rc = sx_eval(c, x->args[0], row, &v))) return rc;
        rc = sqlv_cast(&v, (sql_vtype)x->type, c->a, out, c->e);
        if (rc && x->try_) {
            *out = null_of(x);
            return 0;
        }
        return rc;
    }
    case SX_TRY:
        rc = sx_eval(c, x->args[0], row, out);
        /* only the user's data errors become NULL; budgets, cancellation
         * and internal failures still stop the query */
        if (rc == ST_EINVAL || rc == ST_ERANGE) {
            *out = null_of(x);
            return 0;
        }
        return rc;
    }
    return st_fail(c->e, ST_EINVAL, "unknown expression kind %d", (int)x->kind);
}

int sx_truth(sx_ctx *c, const sx *x, const sql_value *row)
{
    sql_value v;
    int rc = sx_eval(c, x, row, &v);
    if (rc) return rc;
    return !v.null && v.type == SQLT_BOOLEAN && v.u.b;
}

bool sx_is_const(const sx *x)
{
    if (x->kind == SX_COL) return false;
    if (x->kind == SX_FN && (sql_fn_flags(x->fn) & FN_VOLATILE)) return false;
    for (uint32_t i = 0; i < x->nargs; i++)
        if (!sx_is_const(x->args[i])) return false;
    return true;
}

void sx_release(sx *x)
{
    if (!x) return;
    for (uint32_t i = 0; i < x->nargs; i++) sx_release(x->args[i]);
    if (x->kind == SX_FN && x->aux && (sql_fn_flags(x->fn) & FN_AUX)) {
        sql_fn_aux *a = x->aux;
        a->free(a);
        x->aux = NULL;
    }
}
