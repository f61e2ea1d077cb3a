/* tz: time zones for InfluxQL's tz('Area/City'): the offset from UTC at
 * any instant, from the system's zoneinfo (TZif files, version 2 and later:
 * the transitions, then the POSIX rule of the footer past the last one).
 *
 * Names are those of the tz database ([A-Za-z0-9_+-] parts joined by '/',
 * no "." or ".." part), looked up under /usr/share/zoneinfo; "UTC" and
 * "" are UTC without a file. Loading reads the file once; an iql_tz is then
 * read-only and may be shared by threads.
 */
#ifndef ST_IQL_TZ_H
#define ST_IQL_TZ_H

#include "st.h"

typedef struct iql_tz iql_tz;

/* ST_EINVAL "unknown time zone NAME" for a bad name or file. */
int iql_tz_load(st_slice name, iql_tz **out, st_err *e);
void iql_tz_free(iql_tz *z);
/* Seconds east of UTC at the instant utc_ns. */
int32_t iql_tz_offset(const iql_tz *z, int64_t utc_ns);
/* The UTC instant whose wall clock reads local_ns (ns since 1970 on the
 * wall clock): for a time a change skips, the instant just after it; for
 * one it repeats, the first. */
int64_t iql_tz_from_local(const iql_tz *z, int64_t local_ns);

#endif
