/* fn_int: what fn.c, fn_str.c, fn_time.c and expr.c share (not public). */
#ifndef ST_SQL_FN_INT_H
#define ST_SQL_FN_INT_H

#include <string.h>

#include "sql/fn.h"

/* Short type names for the signature tables. */
enum {
    FT_U = SQLT_UNKNOWN,
    FT_B = SQLT_BOOLEAN,
    FT_I = SQLT_BIGINT,
    FT_D = SQLT_DOUBLE,
    FT_V = SQLT_VARCHAR,
    FT_T = SQLT_TIMESTAMP,
    FT_DT = SQLT_DATE,
    FT_DS = SQLT_INTERVAL_DS,
    FT_YM = SQLT_INTERVAL_YM,
};

/* Entry flags (every table function is strict: a NULL argument, a NULL
 * answer; typeof, resolved apart, sees NULLs). */
#define FN_VOLATILE 2u /* a new value per call (random): never folded */
#define FN_AUX 4u      /* keeps a cache in sx.aux (a sql_fn_aux) */

/* One signature of a function. Functions whose types depend on their
 * arguments (greatest, least, concat, typeof) are resolved in fn.c itself. */
typedef struct sql_fn_entry {
    const char *name;
    sx_fn fn;
    int op;
    uint8_t ret;
    uint8_t nargs;
    uint8_t args[4];
    uint8_t flags;
} sql_fn_entry;

/* A cache hung on sx.aux: freed through its first member. */
typedef struct sql_fn_aux {
    void (*free)(struct sql_fn_aux *a);
} sql_fn_aux;

extern const sql_fn_entry sql_fn_math_tab[];
extern const size_t sql_fn_math_n;
extern const sql_fn_entry sql_fn_str_tab[];
extern const size_t sql_fn_str_n;
extern const sql_fn_entry sql_fn_time_tab[];
extern const size_t sql_fn_time_n;

/* Flags of the function f (0 when it is not in a table). */
unsigned sql_fn_flags(sx_fn f);
/* a op b for SQL_OP_EQ..SQL_OP_GE on two non-NULL values of one type, with
 * Trino's NaN rules (NaN equals nothing and orders against nothing). */
bool sql_fn_cmp(int op, const sql_value *a, const sql_value *b);

/* UTF-8: the code point at s[*i] (a bad byte counts as one code point of its
 * own value), advancing *i. */
uint32_t sql_fn_utf8_next(const char *s, size_t n, size_t *i);
size_t sql_fn_utf8_put(uint32_t cp, char *out);

/* A string of n bytes in the evaluation arena. */
static inline char *sql_fn_alloc(sx_ctx *c, size_t n) { return st_arena_alloc(c->a, n ? n : 1); }
/* A varchar of b's bytes in the call's arena; b is freed. */
static inline sql_value sql_fn_buf_value(sx_ctx *c, st_buf *b)
{
    char *p = sql_fn_alloc(c, b->len);
    if (b->len) memcpy(p, b->p, b->len);
    sql_value v = sqlv_str(st_slice_of(p, b->len));
    st_buf_free(b);
    return v;
}

/* Dates stay within about five million years of 1970, so that calendar
 * arithmetic on them never overflows int64. */
#define SQL_FN_MAX_DAYS 1800000000LL

/* Calendar pieces fn.c's operators share with fn_time.c. */
int sql_fn_add_months_ns(int64_t ns, int64_t months, int64_t *out, st_err *e);
int sql_fn_add_months_days(int64_t days, int64_t months, int64_t *out, st_err *e);

/* ---- arrays and time series (fn_array.c, fn_ts.c) ---- */

/* The type variable E of a generic signature in fn_array.c's and fn_ts.c's
 * tables: alone, or as the element of array(E) / timeseries(E). The
 * resolver binds it to the arguments' element type (no real type has
 * these low bits). */
#define FT_E SQLT_ELEM_MASK
/* Constraints on E, printed in the "Expected:" list as Trino does. */
#define FN_E_COMPARABLE 0x40u
#define FN_E_ORDERABLE 0x80u

extern const sql_fn_entry sql_fn_array_tab[];
extern const size_t sql_fn_array_n;
extern const sql_fn_entry sql_fn_ts_tab[];
extern const size_t sql_fn_ts_n;

#endif
