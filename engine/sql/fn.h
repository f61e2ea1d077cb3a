/* fn: SQL's scalar functions and operators, resolved once by name and
 * argument types (Trino's rules: implicit widening bigint -> double, date ->
 * timestamp, unknown (a bare NULL) -> anything), then called per row
 * through an sx node (exec.h).
 *
 * What lives here: arithmetic and || over every type pair Trino allows
 * (timestamp +/- interval, timestamp - timestamp, date + interval, interval
 * arithmetic, integer division truncating), the comparison's common type,
 * and the function library: math, string, regexp (PCRE2, unanchored, Java
 * syntax where PCRE2 agrees), conversion (typeof), and time: now(), ago(),
 * bin(), date_trunc, date_add, date_diff, from_milliseconds,
 * from_nanoseconds, from_unixtime, to_milliseconds, to_nanoseconds,
 * to_unixtime, from_iso8601_timestamp, from_iso8601_date, to_iso8601,
 * date_format, date_parse, parse_duration, the field functions (year(t),
 * hour(t), ..., day_of_week) also behind EXTRACT. All times UTC.
 *
 * What does not: special forms the binder builds itself (CASE, IF,
 * COALESCE, NULLIF, TRY, IN, BETWEEN, LIKE, IS NULL, casts, AND/OR/NOT) and
 * aggregates (exec.h).
 *
 * Messages are Trino's, without the position (the binder prefixes
 * "line L:C: "): "Function 'foo' not registered", "Unexpected parameters
 * (varchar) for function abs. Expected: abs(bigint), abs(double)",
 * "Cannot apply operator: varchar + bigint".
 */
#ifndef ST_SQL_FN_H
#define ST_SQL_FN_H

#include "sql/exec.h"

#define SQL_FN_MAXARGS 8

typedef struct sql_fn_sig {
    sx_fn fn;
    uint8_t ret;                       /* sql_vtype of the result */
    uint8_t args[SQL_FN_MAXARGS];      /* the types arguments are cast to before the call */
    bool strict;                       /* NULL in, NULL out (fn not called) */
    bool needs_const[SQL_FN_MAXARGS];  /* argument must be a constant (a regex, a unit): the
                                          binder folds it and rejects otherwise */
    int op;                            /* copied into sx.op */
} sql_fn_sig;

/* A function call: name lowercased. nargs <= SQL_FN_MAXARGS (more is the
 * "Unexpected parameters" error). ST_ENOTFOUND for an unknown name,
 * ST_EINVAL for arguments it does not take. */
int sql_fn_resolve(st_slice name, const uint8_t *argtypes, size_t nargs, sql_fn_sig *out, st_err *e);
/* A binary operator: arithmetic, ||, and comparisons (ret boolean; args
 * the common type both sides are cast to). */
int sql_fn_binop(sql_binop op, uint8_t l, uint8_t r, sql_fn_sig *out, st_err *e);
/* Unary minus. */
int sql_fn_neg(uint8_t t, sql_fn_sig *out, st_err *e);
/* The type two values meet in (comparison, CASE branches, UNION columns,
 * IN lists, COALESCE): false when there is none. */
bool sql_fn_common_type(uint8_t a, uint8_t b, uint8_t *out);
/* EXTRACT(field FROM x): as the function of that field (year, quarter,
 * month, week, day, day_of_month, day_of_week, dow, day_of_year, doy,
 * hour, minute, second, millisecond, year_of_week, yow). */
int sql_fn_extract(st_slice field, uint8_t argtype, sql_fn_sig *out, st_err *e);

#endif
