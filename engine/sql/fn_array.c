/* fn_array: Trino's array functions and sequence() (see fn_int.h; resolved
 * by sql_fn_ts_resolve in fn_ts.c, whose tables bind the type variable E).
 *
 * Semantics follow Trino: indices are 1-based and negative ones count from
 * the end; element equality is the = operator (NaN equals nothing, a NULL
 * element is skipped by contains/array_position); ordering (array_max,
 * array_min, array_sort) is ORDER BY's (NaN largest, NULLs last);
 * array_distinct treats NULLs as one value and NaN as equal to NaN, as
 * DISTINCT does. Every result lives in the evaluation arena c->a.
 */
#include <inttypes.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "sql/fn_int.h"

enum { AF_CARD = 1, AF_ELEMENT_AT, AF_CONTAINS, AF_POSITION, AF_MAX, AF_MIN };

static sql_value new_array(sx_ctx *c, uint8_t type, size_t n, sql_value **el)
{
    int64_t *ts;
    return sqlv_array(c->a, type, n, el, &ts);
}

/* cardinality, element_at, contains, array_position, array_max, array_min:
 * one pass over the elements, a scalar out. */
static int fn_arr_scalar(sx_ctx *c, const sx *x, const sql_value *v, sql_value *out)
{
    const sql_array *a = v[0].u.arr;
    uint8_t et = (uint8_t)sqlt_elem(v[0].type);
    switch (x->op) {
    case AF_CARD: *out = sqlv_int(SQLT_BIGINT, (int64_t)a->n); return 0;
    case AF_ELEMENT_AT: {
        int64_t i = v[1].u.i, n = (int64_t)a->n;
        if (i == 0) return st_fail(c->e, ST_EINVAL, "SQL array indices start at 1");
        /* past either end is NULL, as Trino's element_at (not its subscript) */
        if (i > n || (i < 0 && i < -n)) *out = sqlv_null((sql_vtype)et);
        else *out = a->v[i > 0 ? i - 1 : n + i];
        return 0;
    }
    case AF_CONTAINS:
    case AF_POSITION: {
        bool saw_null = false;
        for (size_t i = 0; i < a->n; i++) {
            if (a->v[i].null) {
                saw_null = true;
                continue;
            }
            if (sql_fn_cmp(SQL_OP_EQ, &a->v[i], &v[1])) {
                *out = x->op == AF_CONTAINS ? sqlv_bool(true) : sqlv_int(SQLT_BIGINT, (int64_t)i + 1);
                return 0;
            }
        }
        /* not found: contains cannot say no when a NULL might have been it */
        if (x->op == AF_POSITION) *out = sqlv_int(SQLT_BIGINT, 0);
        else *out = saw_null ? sqlv_null(SQLT_BOOLEAN) : sqlv_bool(false);
        return 0;
    }
    default: { /* max, min: NULL for an empty array or any NULL element */
        const sql_value *best = NULL;
        for (size_t i = 0; i < a->n; i++) {
            if (a->v[i].null) {
                best = NULL;
                break;
            }
            int r = best ? sqlv_cmp(&a->v[i], best) : 0;
            if (!best || (x->op == AF_MAX ? r > 0 : r < 0)) best = &a->v[i];
        }
        *out = best ? *best : sqlv_null((sql_vtype)et);
        return 0;
    }
    }
}

/* array_join(a, delimiter[, null_replacement]): elements as CAST(e AS
 * varchar) writes them; NULL elements are left out (with their delimiter)
 * unless a replacement is given. */
static int fn_array_join(sx_ctx *c, const sx *x, const sql_value *v, sql_value *out)
{
    const sql_array *a = v[0].u.arr;
    st_buf b = {0};
    bool first = true;
    int rc = 0;
    for (size_t i = 0; i < a->n; i++) {
        st_slice s;
        if (a->v[i].null) {
            if (x->nargs < 3) continue;
            s = v[2].u.s;
        } else {
            sql_value t;
            rc = sqlv_cast(&a->v[i], SQLT_VARCHAR, c->a, &t, c->e);
            if (rc) break;
            s = t.u.s;
        }
        if (!first && v[1].u.s.n) st_buf_put(&b, v[1].u.s.p, v[1].u.s.n);
        if (s.n) st_buf_put(&b, s.p, s.n);
        first = false;
    }
    if (rc == 0) *out = sql_fn_buf_value(c, &b);
    else st_buf_free(&b);
    return rc;
}

static int cmp_nulls_last(const void *pa, const void *pb)
{
    const sql_value *a = pa, *b = pb;
    if (a->null || b->null) return (int)a->null - (int)b->null;
    return sqlv_cmp(a, b);
}

static int fn_array_sort(sx_ctx *c, const sx *x, const sql_value *v, sql_value *out)
{
    (void)x;
    const sql_array *a = v[0].u.arr;
    sql_value *el;
    *out = new_array(c, v[0].type, a->n, &el);
    if (a->n) memcpy(el, a->v, a->n * sizeof *el);
    if (a->n > 1) qsort(el, a->n, sizeof *el, cmp_nulls_last);
    return 0;
}

/* First occurrences in order, found through an open-addressing set of
 * indices into the result (linear in the array, which sequence() lets
 * reach 10,000 elements and an aggregate further). */
static int fn_array_distinct(sx_ctx *c, const sx *x, const sql_value *v, sql_value *out)
{
    (void)x;
    const sql_array *a = v[0].u.arr;
    size_t cap = 16;
    while (cap < a->n * 2) cap *= 2;
    size_t *slot = st_arena_alloc(c->a, cap * sizeof *slot);
    for (size_t i = 0; i < cap; i++) slot[i] = SIZE_MAX;
    sql_value *tmp = st_arena_alloc(c->a, (a->n ? a->n : 1) * sizeof *tmp);
    size_t k = 0;
    for (size_t i = 0; i < a->n; i++) {
        size_t h = (size_t)sqlv_hash(&a->v[i], 0x5eed) & (cap - 1);
        while (slot[h] != SIZE_MAX && !sqlv_same(&tmp[slot[h]], &a->v[i])) h = (h + 1) & (cap - 1);
        if (slot[h] != SIZE_MAX) continue;
        slot[h] = k;
        tmp[k++] = a->v[i];
    }
    sql_value *el;
    *out = new_array(c, v[0].type, k, &el);
    if (k) memcpy(el, tmp, k * sizeof *el);
    return 0;
}

/* slice(a, start, length): Trino's rules, start 0 an error, a negative
 * start counted from the end, what falls outside the array dropped. */
static int fn_slice(sx_ctx *c, const sx *x, const sql_value *v, sql_value *out)
{
    (void)x;
    const sql_array *a = v[0].u.arr;
    int64_t from = v[1].u.i, len = v[2].u.i, n = (int64_t)a->n;
    if (len < 0) return st_fail(c->e, ST_EINVAL, "length must be greater than or equal to 0");
    if (from == 0) return st_fail(c->e, ST_EINVAL, "SQL array indices start at 1");
    if (from < 0) from = from < -n ? 0 : n + from + 1; /* too far back: nothing */
    size_t k = 0;
    if (from >= 1 && from <= n) /* then from + min(len, n) cannot overflow */
        k = (size_t)((len > n ? n : len) < n + 1 - from ? (len > n ? n : len) : n + 1 - from);
    sql_value *el;
    *out = new_array(c, v[0].type, k, &el);
    if (k) memcpy(el, a->v + from - 1, k * sizeof *el);
    return 0;
}

/* ---- sequence ---- */

#define SEQ_MAX 10000

enum { SQ_BIGINT = 1, SQ_DATE, SQ_DATE_DS, SQ_DATE_YM, SQ_TS_DS, SQ_TS_YM };

static int seq_too_long(st_err *e)
{
    return st_fail(e, ST_EINVAL, "result of sequence function must not have more than %d entries", SEQ_MAX);
}

static int seq_check_step(int64_t start, int64_t stop, int64_t step, st_err *e)
{
    if (step == 0) return st_fail(e, ST_EINVAL, "step must not be zero");
    if (step > 0 ? stop < start : stop > start)
        return st_fail(e, ST_EINVAL,
                       "sequence stop value should be greater than or equal to start value if step is greater than "
                       "zero otherwise stop should be less than or equal to start");
    return 0;
}

/* start, start + step, ... up to stop inclusive, for fixed steps. The count
 * is worked out in unsigned arithmetic, exact for any int64 bounds. */
static int seq_fixed(sx_ctx *c, uint8_t et, int64_t start, int64_t stop, int64_t step, sql_value *out)
{
    int rc = seq_check_step(start, stop, step, c->e);
    if (rc) return rc;
    uint64_t span = step > 0 ? (uint64_t)stop - (uint64_t)start : (uint64_t)start - (uint64_t)stop;
    uint64_t astep = step > 0 ? (uint64_t)step : (uint64_t)0 - (uint64_t)step;
    if (span / astep >= SEQ_MAX) return seq_too_long(c->e); /* before the + 1, which may wrap */
    uint64_t n = span / astep + 1;
    sql_value *el;
    *out = new_array(c, (uint8_t)(SQLT_ARRAY | et), (size_t)n, &el);
    for (uint64_t i = 0; i < n; i++) /* stays within [start, stop]: no overflow */
        el[i] = sqlv_int((sql_vtype)et, (int64_t)((uint64_t)start + i * (uint64_t)step));
    return 0;
}

static int add_months(bool date, int64_t t, int64_t m, int64_t *out, st_err *e)
{
    return date ? sql_fn_add_months_days(t, m, out, e) : sql_fn_add_months_ns(t, m, out, e);
}

/* Year-to-month steps: the k-th element is start + k * step months (from
 * start each time, so Jan 31 gives Feb 29 then Mar 31, as Trino). The
 * count comes from the whole months between the bounds: the calendar
 * difference, less one when adding it to start overshoots stop (the end of
 * month clamp or the time of day). */
static int seq_months(sx_ctx *c, bool date, int64_t start, int64_t stop, int64_t step, sql_value *out)
{
    int rc = seq_check_step(start, stop, step, c->e);
    if (rc) return rc;
    int64_t d1 = date ? start : sqlv_floordiv(start, SQL_NS_PER_DAY), d2 = date ? stop : sqlv_floordiv(stop, SQL_NS_PER_DAY);
    int64_t y1, y2, k, t;
    unsigned m1, m2, dd;
    sqlv_civil_from_days(d1, &y1, &m1, &dd);
    sqlv_civil_from_days(d2, &y2, &m2, &dd);
    k = (y2 * 12 + m2) - (y1 * 12 + m1);
    if ((rc = add_months(date, start, k, &t, c->e))) return rc;
    if (k > 0 && t > stop) k--;
    else if (k < 0 && t < stop) k++;
    int64_t n = k / step + 1; /* k and step have one sign, or k is 0 */
    if (n > SEQ_MAX) return seq_too_long(c->e);
    sql_value *el;
    uint8_t et = date ? SQLT_DATE : SQLT_TIMESTAMP;
    *out = new_array(c, (uint8_t)(SQLT_ARRAY | et), (size_t)n, &el);
    for (int64_t i = 0; i < n; i++) {
        if ((rc = add_months(date, start, i * step, &t, c->e))) return rc;
        el[i] = sqlv_int((sql_vtype)et, t);
    }
    return 0;
}

static int fn_sequence(sx_ctx *c, const sx *x, const sql_value *v, sql_value *out)
{
    int64_t a = v[0].u.i, b = v[1].u.i;
    switch (x->op) {
    case SQ_BIGINT: return seq_fixed(c, SQLT_BIGINT, a, b, x->nargs > 2 ? v[2].u.i : b >= a ? 1 : -1, out);
    case SQ_DATE: return seq_fixed(c, SQLT_DATE, a, b, b >= a ? 1 : -1, out);
    case SQ_DATE_DS:
        if (v[2].u.i % SQL_NS_PER_DAY)
            return st_fail(c->e, ST_EINVAL, "sequence step must be a day interval if start and end values are dates");
        return seq_fixed(c, SQLT_DATE, a, b, v[2].u.i / SQL_NS_PER_DAY, out);
    case SQ_TS_DS: return seq_fixed(c, SQLT_TIMESTAMP, a, b, v[2].u.i, out);
    case SQ_DATE_YM: return seq_months(c, true, a, b, v[2].u.i, out);
    default: return seq_months(c, false, a, b, v[2].u.i, out);
    }
}

/* FT_E is the element type variable; the resolver's Expected list prints
 * the constraint flags after the signature, as Trino does. */
#define AE (SQLT_ARRAY | FT_E)
#define AT(t) (SQLT_ARRAY | (t))
const sql_fn_entry sql_fn_array_tab[] = {
    {"cardinality", fn_arr_scalar, AF_CARD, FT_I, 1, {AE}, 0},
    {"cardinality", fn_arr_scalar, AF_CARD, FT_I, 1, {SQLT_TIMESERIES | FT_E}, 0},
    {"element_at", fn_arr_scalar, AF_ELEMENT_AT, FT_E, 2, {AE, FT_I}, 0},
    {"contains", fn_arr_scalar, AF_CONTAINS, FT_B, 2, {AE, FT_E}, FN_E_COMPARABLE},
    {"array_position", fn_arr_scalar, AF_POSITION, FT_I, 2, {AE, FT_E}, FN_E_COMPARABLE},
    {"array_max", fn_arr_scalar, AF_MAX, FT_E, 1, {AE}, FN_E_ORDERABLE},
    {"array_min", fn_arr_scalar, AF_MIN, FT_E, 1, {AE}, FN_E_ORDERABLE},
    {"array_join", fn_array_join, 0, FT_V, 2, {AE, FT_V}, 0},
    {"array_join", fn_array_join, 0, FT_V, 3, {AE, FT_V, FT_V}, 0},
    {"array_distinct", fn_array_distinct, 0, AE, 1, {AE}, FN_E_COMPARABLE},
    {"array_sort", fn_array_sort, 0, AE, 1, {AE}, FN_E_ORDERABLE},
    {"slice", fn_slice, 0, AE, 3, {AE, FT_I, FT_I}, 0},
    {"sequence", fn_sequence, SQ_BIGINT, AT(FT_I), 2, {FT_I, FT_I}, 0},
    {"sequence", fn_sequence, SQ_BIGINT, AT(FT_I), 3, {FT_I, FT_I, FT_I}, 0},
    {"sequence", fn_sequence, SQ_DATE, AT(FT_DT), 2, {FT_DT, FT_DT}, 0},
    {"sequence", fn_sequence, SQ_DATE_DS, AT(FT_DT), 3, {FT_DT, FT_DT, FT_DS}, 0},
    {"sequence", fn_sequence, SQ_DATE_YM, AT(FT_DT), 3, {FT_DT, FT_DT, FT_YM}, 0},
    {"sequence", fn_sequence, SQ_TS_DS, AT(FT_T), 3, {FT_T, FT_T, FT_DS}, 0},
    {"sequence", fn_sequence, SQ_TS_YM, AT(FT_T), 3, {FT_T, FT_T, FT_YM}, 0},
};
#undef AE
#undef AT
const size_t sql_fn_array_n = ST_ARRAY_LEN(sql_fn_array_tab);
