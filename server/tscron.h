/* tscron: the ScheduleExpression of Timestream's scheduled queries, in
 * UTC: rate(N minute|minutes|hour|hours|day|days) (singular for 1, plural
 * above, as AWS wants), every N units from an anchor (the minute a query
 * was created), and AWS's six-field cron(minutes hours day-of-month month
 * day-of-week year): values, names (JAN-DEC, SUN-SAT; 1 = Sunday), `*`,
 * lists, ranges (FRI-MON wraps), steps, `?` in exactly one of the day
 * fields, L, LW and nW in day-of-month, L, nL and n#k in day-of-week.
 * Parsing checks that a cron names a time to come. */
#ifndef ST_TSCRON_H
#define ST_TSCRON_H

#include "st.h"

#define TSCRON_NFIELDS 6 /* minutes, hours, day-of-month, month, day-of-week, year */

typedef struct tscron_fields {
    uint64_t bits[TSCRON_NFIELDS][4];    /* bit v - lo of field f: value v is in it (years need 230 bits) */
    bool mday_any, wday_any;      /* '?' */
    bool last_mday, last_weekday; /* L, LW in day-of-month */
    uint32_t near_weekday;        /* nW: bit n */
    uint8_t last_wday;            /* nL in day-of-week: bit n */
    uint8_t nth[8];               /* n#k: bit k of nth[n] */
} tscron_fields;

typedef struct tscron {
    bool is_rate;
    int64_t period; /* rate */
    tscron_fields c;
} tscron;

/* A ScheduleExpression (n bytes); false with why (cap bytes) saying what
 * is wrong with it. */
bool tscron_parse(const char *given, size_t n, tscron *out, char *why, size_t cap);
/* The first invocation after after_ns (INT64_MAX: none). */
int64_t tscron_next(const tscron *s, int64_t anchor, int64_t after_ns);
/* The latest invocation in [from, now] (from is one, due already). */
int64_t tscron_latest(const tscron *s, int64_t anchor, int64_t from, int64_t now);

#endif
