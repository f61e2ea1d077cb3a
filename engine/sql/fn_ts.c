/* fn_ts: arrays and Timestream's time-series functions (see fn_int.h). */
#include "sql/fn_int.h"

int sql_fn_ts_resolve(st_slice name, const uint8_t *argtypes, size_t nargs, sql_fn_sig *out, st_err *e)
{
    (void)name, (void)argtypes, (void)nargs, (void)out, (void)e;
    return ST_ENOTFOUND;
}
