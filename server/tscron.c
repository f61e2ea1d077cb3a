/* tscron: Timestream's ScheduleExpression (see tscron.h). */
#include "tscron.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#define NS_PER_MIN (60LL * ST_NS_PER_S)

enum { F_MIN, F_HOUR, F_MDAY, F_MON, F_WDAY, F_YEAR, NFIELDS = TSCRON_NFIELDS };
typedef tscron_fields cron;

/* ------------------------------------------------------------ cron */


typedef struct field_def {
    const char *what;
    int lo, hi;
    const char *names; /* three letters for each of lo, lo + 1, ...; NULL: numbers only */
} field_def;

static const field_def fields[NFIELDS] = {
    {"minutes", 0, 59, NULL},      {"hours", 0, 23, NULL},
    {"day-of-month", 1, 31, NULL}, {"month", 1, 12, "JANFEBMARAPRMAYJUNJULAUGSEPOCTNOVDEC"},
    {"day-of-week", 1, 7, "SUNMONTUEWEDTHUFRISAT"}, {"year", 1970, 2199, NULL},
};



static void cron_set(cron *c, int f, int v)
{
    int o = v - fields[f].lo;
    c->bits[f][o >> 6] |= 1ull << (o & 63);
}

static bool cron_has(const cron *c, int f, int v)
{
    int o = v - fields[f].lo;
    return o >= 0 && v <= fields[f].hi && (c->bits[f][o >> 6] >> (o & 63) & 1);
}

/* A number or (months, days of the week) a name at *p, within the field's
 * range; *p moves past it. */
static bool cron_value(const char **p, const char *end, int f, int *out)
{
    const field_def *fd = &fields[f];
    const char *s = *p;
    long v = 0;
    if (s < end && isdigit((unsigned char)*s)) {
        while (s < end && isdigit((unsigned char)*s) && v < 100000) v = v * 10 + (*s++ - '0');
    } else if (fd->names && end - s >= 3) {
        for (int i = 0; i <= fd->hi - fd->lo && s == *p; i++)
            if (!strncasecmp(s, fd->names + 3 * i, 3)) {
                v = fd->lo + i;
                s += 3;
            }
    }
    if (s == *p || v < fd->lo || v > fd->hi) return false;
    *out = (int)v;
    *p = s;
    return true;
}

/* The items that name days by their place rather than a set of values: L,
 * LW, nW in day-of-month; L, nL, n#k in day-of-week. 1 when s..end is one
 * (recorded), 0 when not, -1 when it is one gone wrong. */
static int cron_special(cron *c, int f, const char *s, const char *end)
{
    size_t n = (size_t)(end - s);
    const char *p = s;
    int v = 0;
    if (f == F_MDAY && n == 1 && *s == 'L') c->last_mday = true;
    else if (f == F_MDAY && n == 2 && !strncmp(s, "LW", 2)) c->last_weekday = true;
    else if (f == F_WDAY && n == 1 && *s == 'L') cron_set(c, f, 7); /* Saturday, the week's last day */
    else if ((f != F_MDAY && f != F_WDAY) || !cron_value(&p, end, f, &v)) return 0;
    else if (f == F_MDAY && p + 1 == end && *p == 'W') c->near_weekday |= 1u << v;
    else if (f == F_WDAY && p + 1 == end && *p == 'L') c->last_wday |= (uint8_t)(1u << v);
    else if (f == F_WDAY && p < end && *p == '#') {
        if (p + 2 != end || p[1] < '1' || p[1] > '5') return -1;
        c->nth[v] |= (uint8_t)(1u << (p[1] - '0'));
    } else return 0;
    return 1;
}

/* One item of a list: *, v, a-b, each with an optional /step. */
static bool cron_item(cron *c, int f, const char *s, const char *end)
{
    const field_def *fd = &fields[f];
    int sp = cron_special(c, f, s, end);
    if (sp) return sp > 0;
    const char *p = s;
    int lo = fd->lo, hi = fd->hi, step = 1;
    if (p < end && *p == '*') {
        p++;
    } else {
        if (!cron_value(&p, end, f, &lo)) return false;
        hi = lo;
        if (p < end && *p == '-') {
            p++;
            if (!cron_value(&p, end, f, &hi) || (f == F_YEAR && hi < lo)) return false;
        } else if (p < end && *p == '/') {
            hi = fd->hi; /* a/n: from a to the end of the range */
        }
    }
    if (p < end && *p == '/') {
        long st = 0;
        for (p++; p < end && isdigit((unsigned char)*p) && st < 100000; p++) st = st * 10 + (*p - '0');
        if (st < 1 || st > fd->hi - fd->lo + 1) return false;
        step = (int)st;
    }
    if (p != end) return false;
    int width = fd->hi - fd->lo + 1;
    int span = hi >= lo ? hi - lo : hi - lo + width; /* FRI-MON wraps around */
    for (int k = 0; k <= span; k += step) cron_set(c, f, lo + k > fd->hi ? lo + k - width : lo + k);
    return true;
}

/* One field: '?' or a comma-separated list. */
static bool cron_field(cron *c, int f, const char *s, const char *end, char *why, size_t cap)
{
    if (end - s == 1 && *s == '?' && (f == F_MDAY || f == F_WDAY)) {
        *(f == F_MDAY ? &c->mday_any : &c->wday_any) = true;
        return true;
    }
    for (const char *p = s; p <= end;) {
        const char *comma = memchr(p, ',', (size_t)(end - p)), *ie = comma ? comma : end;
        if (!cron_item(c, f, p, ie)) {
            snprintf(why, cap, "the %s field '%.*s' is invalid (values %d-%d%s%s)", fields[f].what,
                     (int)(end - s > 64 ? 64 : end - s), s, fields[f].lo, fields[f].hi, fields[f].names ? " or names" : "",
                     f == F_MDAY ? "; also ?, L, LW, nW" : f == F_WDAY ? "; also ?, L, nL, n#k" : "");
            return false;
        }
        p = ie + 1;
    }
    return true;
}

/* The six fields of cron(...) (s..end: what the parentheses hold). */
static bool cron_parse(const char *s, const char *end, cron *c, char *why, size_t cap)
{
    memset(c, 0, sizeof *c);
    int f = 0;
    for (const char *p = s; p < end && f <= NFIELDS;) {
        while (p < end && *p == ' ') p++;
        const char *fe = p;
        while (fe < end && *fe != ' ') fe++;
        if (fe > p && f < NFIELDS && !cron_field(c, f, p, fe, why, cap)) return false;
        f += fe > p;
        p = fe;
    }
    const char *bad = f != NFIELDS ? "a cron expression has 6 fields: minutes hours day-of-month month day-of-week year"
                      : c->mday_any == c->wday_any ? "exactly one of day-of-month and day-of-week must be '?'"
                                                   : NULL;
    if (bad) snprintf(why, cap, "%s", bad);
    return !bad;
}

static int month_days(int y, int m)
{
    static const int d[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    return d[m - 1] + (m == 2 && ((y % 4 == 0 && y % 100 != 0) || y % 400 == 0));
}

/* The weekday (1..7) of day n of the month whose day d is weekday wd. */
static int wday_of(int n, int d, int wd) { return ((wd - 1 + n - d) % 7 + 7) % 7 + 1; }

/* Whether the day of tm (whose year and month match) is one of c's. */
static bool cron_day(const cron *c, const struct tm *tm)
{
    int d = tm->tm_mday, wd = tm->tm_wday + 1, nd = month_days(tm->tm_year + 1900, tm->tm_mon + 1);
    if (c->mday_any) /* the day of the week decides */
        return cron_has(c, F_WDAY, wd) || ((c->last_wday >> wd & 1) && d + 7 > nd) ||
               (c->nth[wd] >> ((d - 1) / 7 + 1) & 1);
    if (cron_has(c, F_MDAY, d) || (c->last_mday && d == nd)) return true;
    if (wd == 1 || wd == 7) return false; /* LW and nW are weekdays */
    int wl = wday_of(nd, d, wd);         /* LW: the Friday before a weekend that ends the month */
    if (c->last_weekday && d == (wl == 7 ? nd - 1 : wl == 1 ? nd - 2 : nd)) return true;
    for (int n = 1; n <= nd; n++) { /* nW: a weekend day n moves to its weekday in the month */
        int wn = wday_of(n, d, wd);
        int near = wn == 7 ? (n == 1 ? 3 : n - 1) : wn == 1 ? (n == nd ? n - 2 : n + 1) : n;
        if ((c->near_weekday >> n & 1) && near == d) return true;
    }
    return false;
}

/* The first hour:minute of c at or after h0:m0 on a day. */
static bool cron_time(const cron *c, int h0, int m0, int *h, int *m)
{
    for (int hh = h0; hh < 24; hh++)
        for (int mm = hh == h0 ? m0 : 0; mm < 60 && cron_has(c, F_HOUR, hh); mm++)
            if (cron_has(c, F_MIN, mm)) {
                *h = hh;
                *m = mm;
                return true;
            }
    return false;
}

/* The first minute after after_ns that c names; INT64_MAX: none (past 2199). */
static int64_t cron_next(const cron *c, int64_t after_ns)
{
    time_t tt = (time_t)(after_ns / NS_PER_MIN * 60 + 60);
    struct tm tm;
    gmtime_r(&tt, &tm);
    int h0 = tm.tm_hour, m0 = tm.tm_min;
    /* a day at a time, past the years and months that do not match: at
     * most ~40 steps a year */
    for (int guard = 0; guard < 200000 && tm.tm_year + 1900 <= fields[F_YEAR].hi; guard++) {
        bool year = !cron_has(c, F_YEAR, tm.tm_year + 1900), month = !cron_has(c, F_MON, tm.tm_mon + 1);
        int h, m;
        if (!year && !month && cron_day(c, &tm) && cron_time(c, h0, m0, &h, &m)) {
            tm.tm_hour = h;
            tm.tm_min = m;
            tm.tm_sec = 0;
            return (int64_t)timegm(&tm) * ST_NS_PER_S;
        }
        if (year) tm = (struct tm){.tm_year = tm.tm_year + 1, .tm_mday = 1};
        else if (month) tm = (struct tm){.tm_year = tm.tm_year, .tm_mon = tm.tm_mon + 1, .tm_mday = 1};
        else tm = (struct tm){.tm_year = tm.tm_year, .tm_mon = tm.tm_mon, .tm_mday = tm.tm_mday + 1};
        tt = timegm(&tm); /* brings the fields back in range */
        gmtime_r(&tt, &tm);
        h0 = m0 = 0;
    }
    return INT64_MAX;
}

/* ------------------------------------------------------------ schedules */


/* rate(N unit) (s..end: what the parentheses hold). */
static bool rate_parse(const char *s, const char *end, int64_t *period, char *why, size_t cap)
{
    static const struct {
        const char *one, *many;
        int64_t ns;
    } units[] = {{"minute", "minutes", NS_PER_MIN}, {"hour", "hours", 60 * NS_PER_MIN}, {"day", "days", 1440 * NS_PER_MIN}};
    long n = 0;
    char u[16];
    int digits = 0, used = 0; /* "N unit", what follows is the closing parenthesis */
    bool ok = isdigit((unsigned char)*s) && sscanf(s, "%7ld%n %15[a-z]%n", &n, &digits, u, &used) == 2 &&
              s[digits] == ' ' && s + used == end;
    for (size_t i = 0; ok && n >= 1 && i < sizeof units / sizeof *units; i++) {
        bool one = !strcmp(u, units[i].one);
        if (!one && strcmp(u, units[i].many)) continue;
        if (one != (n == 1)) {
            snprintf(why, cap, "the unit is singular for 1 (rate(1 %s)) and plural above (rate(5 %s))", units[i].one,
                     units[i].many);
            return false;
        }
        if (n > 36500 * 1440 / (units[i].ns / NS_PER_MIN)) {
            snprintf(why, cap, "the rate is longer than 100 years");
            return false;
        }
        *period = n * units[i].ns;
        return true;
    }
    snprintf(why, cap, "a rate is rate(N minute|minutes|hour|hours|day|days), N a whole number of at least 1");
    return false;
}

/* A ScheduleExpression (n bytes); why says what is wrong with it. */
bool tscron_parse(const char *given, size_t n, tscron *out, char *why, size_t cap)
{
    char text[260]; /* NUL-terminated, for sscanf */
    memcpy(text, given, n < 257 ? n : 257);
    text[n < 257 ? n : 257] = 0;
    memset(out, 0, sizeof *out);
    bool rate = n > 6 && !strncmp(text, "rate(", 5), cr = n > 6 && !strncmp(text, "cron(", 5);
    if (n > 256 || (!rate && !cr) || text[n - 1] != ')') {
        snprintf(why, cap, "a schedule is rate(N minute|minutes|hour|hours|day|days) or cron(minutes hours "
                           "day-of-month month day-of-week year), at most 256 characters");
        return false;
    }
    out->is_rate = rate;
    if (rate) return rate_parse(text + 5, text + n - 1, &out->period, why, cap);
    if (!cron_parse(text + 5, text + n - 1, &out->c, why, cap)) return false;
    if (cron_next(&out->c, st_now_ns()) != INT64_MAX) return true;
    snprintf(why, cap, "the cron expression names no time to come");
    return false;
}

/* The first invocation after after_ns (INT64_MAX: none). A rate fires
 * every period from anchor (the minute of creation). */
int64_t tscron_next(const tscron *s, int64_t anchor, int64_t after_ns)
{
    if (!s->is_rate) return cron_next(&s->c, after_ns);
    return anchor + (after_ns < anchor ? 1 : (after_ns - anchor) / s->period + 1) * s->period;
}

/* The latest invocation in [from, now] (from is one, due already): what a
 * query that missed several runs once. A cron is searched forward from
 * ever further back, so that an every-minute schedule costs an hour of
 * minutes, not the downtime's. */
int64_t tscron_latest(const tscron *s, int64_t anchor, int64_t from, int64_t now)
{
    if (s->is_rate) {
        int64_t last = anchor + (now - anchor) / s->period * s->period;
        return last > from ? last : from;
    }
    static const int64_t back[] = {3600, 86400, 32 * 86400, 366 * 86400, 3660LL * 86400, 0};
    for (size_t i = 0; i < sizeof back / sizeof *back; i++) {
        int64_t start = back[i] && now - back[i] * ST_NS_PER_S > from ? now - back[i] * ST_NS_PER_S : from - 1;
        int64_t last = INT64_MIN;
        for (int64_t t = cron_next(&s->c, start); t <= now; t = cron_next(&s->c, t)) last = t;
        if (last != INT64_MIN) return last;
    }
    return from;
}

