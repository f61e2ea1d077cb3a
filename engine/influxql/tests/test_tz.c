/* Tests for engine/influxql/tz: offsets from the system's zoneinfo around
 * summer time changes, past the file's last transition (its POSIX rule),
 * wall-clock times a change skips or repeats, and names refused. */
#include "influxql/tz.h"

#include "testlib.h"

/* ns of a UTC civil time */
static int64_t utc(int y, int mo, int d, int h, int mi)
{
    int64_t yy = y - (mo <= 2);
    int64_t era = (yy >= 0 ? yy : yy - 399) / 400, yoe = yy - era * 400;
    int64_t doy = (153 * (mo + (mo > 2 ? -3 : 9)) + 2) / 5 + d - 1, doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    int64_t days = era * 146097 + doe - 719468;
    return (days * 86400 + h * 3600 + mi * 60) * ST_NS_PER_S;
}

static iql_tz *load(const char *name)
{
    iql_tz *z = NULL;
    st_err e;
    if (iql_tz_load(st_slice_cstr(name), &z, &e)) fprintf(stderr, "  %s: %s\n", name, e.msg);
    return z;
}

static void test_paris(void)
{
    iql_tz *z = load("Europe/Paris");
    CHECK(z != NULL);
    if (!z) return;
    CHECK_EQ_INT(iql_tz_offset(z, utc(2026, 1, 15, 12, 0)), 3600);
    CHECK_EQ_INT(iql_tz_offset(z, utc(2026, 7, 15, 12, 0)), 7200);
    /* 2026-03-29 01:00 UTC: 02:00 local becomes 03:00 */
    CHECK_EQ_INT(iql_tz_offset(z, utc(2026, 3, 29, 0, 59)), 3600);
    CHECK_EQ_INT(iql_tz_offset(z, utc(2026, 3, 29, 1, 0)), 7200);
    /* 2026-10-25 01:00 UTC: 03:00 local becomes 02:00 */
    CHECK_EQ_INT(iql_tz_offset(z, utc(2026, 10, 25, 0, 59)), 7200);
    CHECK_EQ_INT(iql_tz_offset(z, utc(2026, 10, 25, 1, 0)), 3600);
    /* far past the file's transitions: the POSIX rule (last Sunday of March / October) */
    CHECK_EQ_INT(iql_tz_offset(z, utc(2100, 3, 28, 0, 59)), 3600);
    CHECK_EQ_INT(iql_tz_offset(z, utc(2100, 3, 28, 1, 0)), 7200);
    CHECK_EQ_INT(iql_tz_offset(z, utc(2100, 10, 31, 1, 0)), 3600);
    /* wall clock to instant: local midnight; 02:30 that does not exist is
     * the instant just after the gap; 02:30 that happens twice is the first */
    CHECK_EQ_INT(iql_tz_from_local(z, utc(2026, 3, 29, 0, 0)), utc(2026, 3, 28, 23, 0));
    CHECK_EQ_INT(iql_tz_from_local(z, utc(2026, 3, 29, 2, 30)), utc(2026, 3, 29, 1, 30));
    CHECK_EQ_INT(iql_tz_from_local(z, utc(2026, 10, 25, 2, 30)), utc(2026, 10, 25, 0, 30));
    iql_tz_free(z);
}

static void test_other_zones(void)
{
    iql_tz *z = load("America/New_York");
    CHECK(z && iql_tz_offset(z, utc(2026, 1, 15, 12, 0)) == -5 * 3600 && iql_tz_offset(z, utc(2026, 7, 15, 12, 0)) == -4 * 3600);
    /* second Sunday of March 2026 is the 8th: 07:00 UTC */
    CHECK(z && iql_tz_offset(z, utc(2026, 3, 8, 6, 59)) == -5 * 3600 && iql_tz_offset(z, utc(2026, 3, 8, 7, 0)) == -4 * 3600);
    iql_tz_free(z);
    z = load("Asia/Kolkata");
    CHECK(z && iql_tz_offset(z, utc(2026, 6, 1, 0, 0)) == 19800 && iql_tz_offset(z, utc(2090, 6, 1, 0, 0)) == 19800);
    iql_tz_free(z);
    z = load("Australia/Sydney"); /* the southern hemisphere: summer time over new year */
    CHECK(z && iql_tz_offset(z, utc(2026, 1, 15, 0, 0)) == 11 * 3600 && iql_tz_offset(z, utc(2026, 7, 15, 0, 0)) == 10 * 3600);
    CHECK(z && iql_tz_offset(z, utc(2099, 1, 15, 0, 0)) == 11 * 3600 && iql_tz_offset(z, utc(2099, 7, 15, 0, 0)) == 10 * 3600);
    iql_tz_free(z);
    z = load("UTC");
    CHECK(z && iql_tz_offset(z, utc(2026, 7, 15, 0, 0)) == 0);
    iql_tz_free(z);
}

static void test_refused(void)
{
    const char *bad[] = {"Mars/Olympus", "../../etc/passwd", "Europe/../Europe/Paris", "/etc/localtime", "Europe/",
                         "Europe\\Paris", "Europe/Paris\n"};
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        iql_tz *z = NULL;
        st_err e;
        int rc = iql_tz_load(st_slice_cstr(bad[i]), &z, &e);
        CHECK_MSG(rc == ST_EINVAL && !z && strstr(e.msg, "unknown time zone"), "%s accepted", bad[i]);
    }
}

int main(void)
{
    RUN(test_paris);
    RUN(test_other_zones);
    RUN(test_refused);
    return testlib_done("test_tz");
}
