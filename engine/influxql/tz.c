/* tz: zone offsets from TZif files and POSIX TZ rules (see tz.h). */
#include "influxql/tz.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define ZONEINFO "/usr/share/zoneinfo"

/* A POSIX TZ rule: "STDoff[DST[off][,start[/time],end[/time]]]", the
 * dates as Mm.w.d (month, week 1-5 with 5 the last, weekday 0 = Sunday). */
typedef struct rule {
    int32_t std_off, dst_off; /* seconds east of UTC */
    bool has_dst;
    int sm, sw, sd, em, ew, ed;
    int32_t stime, etime;     /* seconds after local midnight */
} rule;

struct iql_tz {
    int64_t *at;      /* transitions (s since 1970, UTC), increasing */
    int32_t *off;     /* the offset from each transition on */
    size_t n;
    int32_t first;    /* before the first transition */
    bool has_rule;
    rule r;           /* after the last transition */
};

static uint32_t be32(const unsigned char *p) { return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3]; }

static int64_t be64(const unsigned char *p) { return (int64_t)((uint64_t)be32(p) << 32 | be32(p + 4)); }

/* [+-]hh[:mm[:ss]] as seconds; *p moves past it. */
static bool hms(const char **p, int32_t *out)
{
    const char *s = *p;
    int sign = 1;
    if (*s == '+' || *s == '-') sign = *s++ == '-' ? -1 : 1;
    if (*s < '0' || *s > '9') return false;
    int32_t v[3] = {0, 0, 0};
    for (int k = 0; k < 3; k++) {
        if (k && *s != ':') break;
        if (k) s++;
        int d = 0;
        while (*s >= '0' && *s <= '9') d = d * 10 + (*s++ - '0');
        v[k] = d;
    }
    *out = sign * (v[0] * 3600 + v[1] * 60 + v[2]);
    *p = s;
    return true;
}

static bool zone_name(const char **p)
{
    const char *s = *p;
    if (*s == '<') {
        while (*s && *s != '>') s++;
        if (*s != '>') return false;
        *p = s + 1;
        return true;
    }
    const char *b = s;
    while ((*s >= 'A' && *s <= 'Z') || (*s >= 'a' && *s <= 'z')) s++;
    *p = s;
    return s - b >= 3;
}

static bool mdate(const char **p, int *m, int *w, int *d, int32_t *t)
{
    const char *s = *p;
    if (*s++ != 'M') return false;
    if (sscanf(s, "%d.%d.%d", m, w, d) != 3) return false;
    while (*s && *s != ',' && *s != '/') s++;
    *t = 7200;
    if (*s == '/') {
        s++;
        if (!hms(&s, t)) return false;
    }
    *p = s;
    return *m >= 1 && *m <= 12 && *w >= 1 && *w <= 5 && *d >= 0 && *d <= 6;
}

static bool parse_rule(const char *s, rule *r)
{
    memset(r, 0, sizeof *r);
    int32_t v;
    if (!zone_name(&s) || !hms(&s, &v)) return false;
    r->std_off = -v; /* POSIX counts west of UTC */
    if (!*s) return true;
    if (!zone_name(&s)) return false;
    r->has_dst = true;
    r->dst_off = r->std_off + 3600;
    if (*s && *s != ',') {
        if (!hms(&s, &v)) return false;
        r->dst_off = -v;
    }
    if (*s++ != ',') return false;
    if (!mdate(&s, &r->sm, &r->sw, &r->sd, &r->stime) || *s++ != ',') return false;
    return mdate(&s, &r->em, &r->ew, &r->ed, &r->etime);
}

static int64_t days_from_civil(int64_t y, int m, int d)
{
    y -= m <= 2;
    int64_t era = (y >= 0 ? y : y - 399) / 400, yoe = y - era * 400;
    int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1, doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

static int64_t year_of(int64_t secs)
{
    int64_t z = (secs >= 0 ? secs : secs - 86399) / 86400 + 719468;
    int64_t era = (z >= 0 ? z : z - 146096) / 146097, doe = z - era * 146097;
    int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365, doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    int64_t mp = (5 * doy + 2) / 153, m = mp < 10 ? mp + 3 : mp - 9;
    return yoe + era * 400 + (m <= 2);
}

/* Local seconds (since 1970 on the wall clock) of rule date m.w.d of year y. */
static int64_t rule_day(int64_t y, int m, int w, int d)
{
    int64_t first = days_from_civil(y, m, 1);
    int wd = (int)(((first + 4) % 7 + 7) % 7); /* 1970-01-01 was a Thursday */
    int64_t day = first + (d - wd + 7) % 7 + (int64_t)(w - 1) * 7;
    int64_t next = m == 12 ? days_from_civil(y + 1, 1, 1) : days_from_civil(y, m + 1, 1);
    while (day >= next) day -= 7;
    return day * 86400;
}

static int32_t rule_offset(const rule *r, int64_t t)
{
    if (!r->has_dst) return r->std_off;
    int64_t y = year_of(t + r->std_off);
    int64_t start = rule_day(y, r->sm, r->sw, r->sd) + r->stime - r->std_off;
    int64_t end = rule_day(y, r->em, r->ew, r->ed) + r->etime - r->dst_off;
    bool dst = start < end ? t >= start && t < end : t >= start || t < end;
    return dst ? r->dst_off : r->std_off;
}

int32_t iql_tz_offset(const iql_tz *z, int64_t utc_ns)
{
    if (!z) return 0;
    int64_t t = utc_ns >= 0 ? utc_ns / ST_NS_PER_S : -((-utc_ns + ST_NS_PER_S - 1) / ST_NS_PER_S);
    if (!z->n || t < z->at[0]) return z->n ? z->first : (z->has_rule ? rule_offset(&z->r, t) : z->first);
    if (t >= z->at[z->n - 1] && z->has_rule) return rule_offset(&z->r, t);
    size_t lo = 0, hi = z->n;
    while (hi - lo > 1) {
        size_t mid = (lo + hi) / 2;
        if (z->at[mid] <= t) lo = mid;
        else hi = mid;
    }
    return z->off[lo];
}

int64_t iql_tz_from_local(const iql_tz *z, int64_t local_ns)
{
    if (!z) return local_ns;
    /* the offsets half a day either side cover any one change: with each,
     * a candidate; of those whose wall clock reads local_ns the earlier,
     * and when none does (a skipped time) the later */
    const int64_t half = 12 * 3600 * ST_NS_PER_S;
    int64_t lo, hi, ca, cb;
    if (__builtin_sub_overflow(local_ns, half, &lo)) lo = local_ns;
    if (__builtin_add_overflow(local_ns, half, &hi)) hi = local_ns;
    int64_t oa = (int64_t)iql_tz_offset(z, lo) * ST_NS_PER_S, ob = (int64_t)iql_tz_offset(z, hi) * ST_NS_PER_S;
    if (__builtin_sub_overflow(local_ns, oa, &ca) || __builtin_sub_overflow(local_ns, ob, &cb)) return local_ns;
    bool va = ca + (int64_t)iql_tz_offset(z, ca) * ST_NS_PER_S == local_ns;
    bool vb = cb + (int64_t)iql_tz_offset(z, cb) * ST_NS_PER_S == local_ns;
    if (va && vb) return ca < cb ? ca : cb;
    if (va) return ca;
    if (vb) return cb;
    return ca > cb ? ca : cb;
}

static bool name_ok(st_slice n)
{
    if (!n.n || n.n > 200 || n.p[0] == '/') return false;
    size_t part = 0;
    for (size_t i = 0; i <= n.n; i++) {
        char c = i < n.n ? n.p[i] : '/';
        if (c == '/') {
            if (part == 0 || (part == 1 && n.p[i - 1] == '.') || (part == 2 && n.p[i - 1] == '.' && n.p[i - 2] == '.'))
                return false;
            part = 0;
            continue;
        }
        if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '+' ||
              c == '-' || c == '.'))
            return false;
        part++;
    }
    return true;
}

void iql_tz_free(iql_tz *z)
{
    if (!z) return;
    st_free(z->at);
    st_free(z->off);
    st_free(z);
}

int iql_tz_load(st_slice name, iql_tz **out, st_err *e)
{
    *out = NULL;
    iql_tz *z = st_calloc(1, sizeof *z);
    if (!name.n || (name.n == 3 && !memcmp(name.p, "UTC", 3))) {
        *out = z;
        return 0;
    }
    if (!name_ok(name)) {
        iql_tz_free(z);
        return st_fail(e, ST_EINVAL, "unknown time zone %.*s", (int)(name.n > 100 ? 100 : name.n), name.p);
    }
    char path[300];
    snprintf(path, sizeof path, "%s/%.*s", ZONEINFO, (int)name.n, name.p);
    FILE *f = fopen(path, "rb");
    unsigned char *buf = NULL;
    size_t len = 0;
    if (f) {
        buf = st_malloc(1 << 20);
        len = fread(buf, 1, 1 << 20, f);
        fclose(f);
    }
    /* the version 1 block is skipped: its 32-bit times end in 2038 */
    bool ok = buf && len >= 44 && !memcmp(buf, "TZif", 4) && buf[4] >= '2';
    size_t at = 0;
    if (ok) {
        uint32_t isut = be32(buf + 20), isstd = be32(buf + 24), leap = be32(buf + 28), tc = be32(buf + 32),
                 tyc = be32(buf + 36), ch = be32(buf + 40);
        at = 44 + (size_t)tc * 5 + (size_t)tyc * 6 + ch + (size_t)leap * 8 + isstd + isut;
        ok = at + 44 <= len && !memcmp(buf + at, "TZif", 4);
    }
    if (ok) {
        const unsigned char *h = buf + at;
        uint32_t isut = be32(h + 20), isstd = be32(h + 24), leap = be32(h + 28), tc = be32(h + 32), tyc = be32(h + 36),
                 ch = be32(h + 40);
        size_t body = at + 44, need = (size_t)tc * 9 + (size_t)tyc * 6 + ch + (size_t)leap * 12 + isstd + isut;
        ok = tyc > 0 && body + need <= len;
        if (ok) {
            const unsigned char *times = buf + body, *idx = times + (size_t)tc * 8, *types = idx + tc;
            z->n = tc;
            z->at = st_malloc((tc + 1) * sizeof *z->at);
            z->off = st_malloc((tc + 1) * sizeof *z->off);
            for (uint32_t i = 0; i < tc && ok; i++) {
                z->at[i] = be64(times + (size_t)i * 8);
                ok = idx[i] < tyc && (i == 0 || z->at[i] > z->at[i - 1]);
                if (ok) z->off[i] = (int32_t)be32(types + (size_t)idx[i] * 6);
            }
            /* before the first transition: the first standard-time type */
            z->first = (int32_t)be32(types);
            for (uint32_t k = 0; k < tyc; k++)
                if (!types[k * 6 + 4]) {
                    z->first = (int32_t)be32(types + (size_t)k * 6);
                    break;
                }
            const char *foot = (const char *)buf + body + need;
            size_t fl = len - (body + need);
            if (fl > 2 && foot[0] == '\n') {
                char rs[128];
                size_t k = 0;
                for (size_t i = 1; i < fl && foot[i] != '\n' && k + 1 < sizeof rs; i++) rs[k++] = foot[i];
                rs[k] = 0;
                z->has_rule = k > 0 && parse_rule(rs, &z->r);
            }
        }
    }
    st_free(buf);
    if (!ok) {
        iql_tz_free(z);
        return st_fail(e, ST_EINVAL, "unknown time zone %.*s", (int)(name.n > 100 ? 100 : name.n), name.p);
    }
    *out = z;
    return 0;
}
