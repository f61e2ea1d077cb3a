/* value: SQL types and values as the executor holds them, with Trino's
 * semantics for arithmetic, comparison, casts and text.
 *
 * Types are the ones Strata's tables and this slice of SQL produce:
 * boolean, bigint, double, varchar, timestamp (nanoseconds since the epoch,
 * UTC), date (days since the epoch), interval day to second (nanoseconds),
 * interval year to month (months), and unknown (the type of a bare NULL).
 * Integer literals are bigint (Trino types small ones as integer; with one
 * integer type the answers are the same, only overflow messages name bigint).
 *
 * Invariants:
 *  - a value is NULL when null is set, whatever its type; type is always
 *    set (SQLT_UNKNOWN only for a NULL literal);
 *  - a varchar's bytes are borrowed: whoever produced the value says for how
 *    long they live (an operator's row until its next call; an arena);
 *  - arithmetic never overflows silently: bigint overflow is ST_EINVAL with
 *    Trino's words ("bigint addition overflow: 9223372036854775807 + 1"),
 *    integer division truncates toward zero, x / 0 and x % 0 on bigint are
 *    "Division by zero"; doubles follow IEEE-754 (1e0 / 0 is Infinity).
 */
#ifndef ST_SQL_VALUE_H
#define ST_SQL_VALUE_H

#include "st.h"

typedef enum sql_vtype {
    SQLT_UNKNOWN = 0,
    SQLT_BOOLEAN,
    SQLT_BIGINT,
    SQLT_DOUBLE,
    SQLT_VARCHAR,
    SQLT_TIMESTAMP,   /* ns since 1970-01-01 00:00:00 UTC */
    SQLT_DATE,        /* days since 1970-01-01 */
    SQLT_INTERVAL_DS, /* ns */
    SQLT_INTERVAL_YM, /* months */
    /* composites of one scalar element type T (the low bits): array(T),
     * and Timestream's timeseries(T), points of (time, value) ascending by
     * time. u.arr holds them. */
    SQLT_ARRAY = 0x20,
    SQLT_TIMESERIES = 0x40,
} sql_vtype;

#define SQLT_ELEM_MASK 0x1f
static inline bool sqlt_is_array(unsigned t) { return (t & 0x60) == SQLT_ARRAY; }
static inline bool sqlt_is_ts(unsigned t) { return (t & 0x60) == SQLT_TIMESERIES; }
static inline bool sqlt_is_composite(unsigned t) { return (t & 0x60) != 0; }
static inline unsigned sqlt_elem(unsigned t) { return t & SQLT_ELEM_MASK; }

typedef struct sql_value sql_value;

/* An array's or a timeseries' elements (a timeseries also has times[]).
 * Lives where the value that points at it lives (sql_row_copy copies it
 * whole). */
typedef struct sql_array {
    size_t n;
    const int64_t *times;  /* timeseries: n instants, ascending; NULL for an array */
    const sql_value *v;    /* n elements of the element type (each may be NULL) */
} sql_array;

struct sql_value {
    uint8_t type; /* sql_vtype */
    bool null;
    union {
        bool b;
        int64_t i; /* bigint, timestamp, date, intervals */
        double d;
        st_slice s;
        const sql_array *arr; /* array(T), timeseries(T) */
    } u;
};

/* "bigint", "interval day to second", "array(double)", "timeseries(double)"
 * (Trino's and Timestream's names). */
const char *sql_vtype_name(sql_vtype t);

/* A deep copy of v into a (strings and composites). */
sql_value sqlv_copy(st_arena *a, const sql_value *v);
/* A composite value of type t over n elements (and times for a
 * timeseries), which the caller fills before it is used. */
sql_value sqlv_array(st_arena *a, uint8_t t, size_t n, sql_value **elems, int64_t **times);

static inline sql_value sqlv_null(sql_vtype t)
{
    sql_value v = {.type = (uint8_t)t, .null = true};
    return v;
}
static inline sql_value sqlv_bool(bool b)
{
    sql_value v = {.type = SQLT_BOOLEAN};
    v.u.b = b;
    return v;
}
static inline sql_value sqlv_int(sql_vtype t, int64_t i)
{
    sql_value v = {.type = (uint8_t)t};
    v.u.i = i;
    return v;
}
static inline sql_value sqlv_double(double d)
{
    sql_value v = {.type = SQLT_DOUBLE};
    v.u.d = d;
    return v;
}
static inline sql_value sqlv_str(st_slice s)
{
    sql_value v = {.type = SQLT_VARCHAR};
    v.u.s = s;
    return v;
}

/* The same values stored in place, field by field: in loops that fill
 * rows, building one in a temporary and copying it costs a stalled load
 * (the temporary is written in bytes and read back in 16). */
static inline void sqlv_set_null(sql_value *v, sql_vtype t)
{
    v->type = (uint8_t)t;
    v->null = true;
    v->u.s.p = NULL;
    v->u.s.n = 0;
}
static inline void sqlv_set_int(sql_value *v, sql_vtype t, int64_t i)
{
    v->type = (uint8_t)t;
    v->null = false;
    v->u.i = i;
}
static inline void sqlv_set_double(sql_value *v, double d)
{
    v->type = SQLT_DOUBLE;
    v->null = false;
    v->u.d = d;
}
static inline void sqlv_set_str(sql_value *v, st_slice s)
{
    v->type = SQLT_VARCHAR;
    v->null = false;
    v->u.s = s;
}
static inline void sqlv_set_bool(sql_value *v, bool b)
{
    v->type = SQLT_BOOLEAN;
    v->null = false;
    v->u.b = b;
}

/* Checked bigint arithmetic: 0, or ST_EINVAL with Trino's message. */
int sqlv_add_i64(int64_t a, int64_t b, int64_t *out, st_err *e);
int sqlv_sub_i64(int64_t a, int64_t b, int64_t *out, st_err *e);
int sqlv_mul_i64(int64_t a, int64_t b, int64_t *out, st_err *e);
int sqlv_div_i64(int64_t a, int64_t b, int64_t *out, st_err *e);
int sqlv_mod_i64(int64_t a, int64_t b, int64_t *out, st_err *e);

/* Total order of two non-NULL values of one type (the comparison operators
 * and ORDER BY): doubles as Trino orders them for sorting (NaN largest). */
int sqlv_cmp(const sql_value *a, const sql_value *b);
/* Equality for grouping and DISTINCT: NULLs equal each other, NaN equals NaN,
 * -0.0 equals 0.0. */
bool sqlv_same(const sql_value *a, const sql_value *b);
uint64_t sqlv_hash(const sql_value *v, uint64_t seed);

/* CAST(v AS to). Strings produced go into a. ST_EINVAL with Trino's words
 * ("Cannot cast 'abc' to BIGINT", "Value cannot be cast to timestamp: x"). */
int sqlv_cast(const sql_value *v, sql_vtype to, st_arena *a, sql_value *out, st_err *e);
/* Is there a cast from one type to the other? */
bool sqlv_castable(sql_vtype from, sql_vtype to);

/* Text as Trino prints a value (CAST(v AS varchar) and Timestream's
 * rendering): doubles like Java's Double.toString (35.0, 1.0E10),
 * timestamps "2020-06-05 15:15:51.000000000", dates "2020-08-08",
 * intervals "1 21:00:00.000000000" and "2-7", arrays "[1, 2]",
 * timeseries "[{time: 2020-06-05 15:15:51.000000000, value: 35.0}, ...]".
 * NULL prints "NULL". */
void sqlv_format(const sql_value *v, st_buf *out);
/* A double as Java's Double.toString writes it (shortest round trip). */
void sqlv_format_double(double d, st_buf *out);
/* Java's layout of a finite nonzero double given its shortest digits
 * dig[0..nd) (no trailing zero) with |v| = 0.dig x 10^dp: for callers that
 * find the digits faster than printf (the HTTP answers). */
void sqlv_format_digits(bool neg, const char *dig, size_t nd, int dp, st_buf *out);
/* A timestamp as RFC 3339 with nanoseconds: 2020-06-05T15:15:51.000000000Z. */
void sqlv_format_rfc3339(int64_t ns, st_buf *out);

/* Parses a timestamp: 'YYYY-MM-DD[( |T)HH:MM[:SS[.fraction]]][Z|(+|-)HH[:MM]| UTC]'
 * (an offset moves it to UTC). false when s is not one or out of range. */
bool sqlv_parse_timestamp(st_slice s, int64_t *ns);
bool sqlv_parse_date(st_slice s, int64_t *days);

/* Civil calendar (proleptic Gregorian, UTC). */
int64_t sqlv_days_from_civil(int64_t y, unsigned m, unsigned d);
void sqlv_civil_from_days(int64_t days, int64_t *y, unsigned *m, unsigned *d);
#define SQL_NS_PER_DAY (86400 * ST_NS_PER_S)
static inline bool sqlv_is_leap(int64_t y) { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }
/* Days in month m (1..12) of year y. */
static inline unsigned sqlv_days_in_month(int64_t y, unsigned m)
{
    static const unsigned md[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    return m == 2 && sqlv_is_leap(y) ? 29 : md[m - 1];
}
/* floor(a / b) for b > 0. */
static inline int64_t sqlv_floordiv(int64_t a, int64_t b)
{
    int64_t q = a / b;
    return (a % b != 0 && a < 0) ? q - 1 : q;
}

#endif
