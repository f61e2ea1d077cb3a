/* parse_lit: the SQL parser, part three: literals and types.
 *
 * Literal values are computed here: bigint (out of range: Trino's "Invalid
 * numeric literal"), double, decoded strings (U&'\0041' escapes too),
 * binary X'..', interval literals in nanoseconds (day to second) or months
 * (year to month), both INTERVAL '1:30' HOUR TO MINUTE and Timestream's 5m.
 *
 * Types: the names Trino knows map to a kind (int is integer, double
 * precision is double); other names are kept for the analyzer to judge.
 * Parameters are integers or types; ROW fields may be named.
 */
#include "sql_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>


static int hexval(int c)
{
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

st_slice sqlp_string(sql_parser *p, const sql_token *t)
{
    size_t skip = t->kind == T_USTRING ? 3 : 1; /* U&' or ' */
    return sqlp_unquote(p, p->q + t->off + skip, t->len - skip - 1, '\'');
}

sql_expr *sqlp_number(sql_parser *p, const sql_token *minus)
{
    const sql_token *t = sqlp_cur(p), *at = minus ? minus : t;
    sqlp_advance(p);
    sql_expr *e = sqlp_mk(p, t->kind == T_INTEGER ? SQL_E_INT : t->kind == T_DECIMAL ? SQL_E_DECIMAL : SQL_E_DOUBLE, at);
    size_t n = t->len + (minus ? 1 : 0);
    char *text = st_arena_alloc(p->a, n + 1);
    if (minus) text[0] = '-';
    memcpy(text + (minus ? 1 : 0), p->q + t->off, t->len);
    text[n] = 0;
    e->u.num.text = st_slice_of(text, n);
    if (t->kind != T_INTEGER) {
        e->u.num.d = strtod(text, NULL);
        return e;
    }
    uint64_t v = 0;
    bool over = false;
    for (size_t j = minus ? 1 : 0; j < n; j++) {
        unsigned d = (unsigned)(text[j] - '0');
        if (v > (UINT64_MAX - d) / 10) over = true;
        else v = v * 10 + d;
    }
    uint64_t limit = minus ? (uint64_t)INT64_MAX + 1 : (uint64_t)INT64_MAX;
    if (over || v > limit)
        return sqlp_fatal(p, at, "Invalid numeric literal: %.*s%s", n > 100 ? 100 : (int)n, text, n > 100 ? "..." : "");
    e->u.num.i = minus ? (v == (uint64_t)INT64_MAX + 1 ? INT64_MIN : -(int64_t)v) : (int64_t)v;
    return e;
}

static void put_utf8(char *d, size_t *k, uint32_t cp)
{
    if (cp < 0x80) {
        d[(*k)++] = (char)cp;
    } else if (cp < 0x800) {
        d[(*k)++] = (char)(0xC0 | cp >> 6);
        d[(*k)++] = (char)(0x80 | (cp & 0x3F));
    } else if (cp < 0x10000) {
        d[(*k)++] = (char)(0xE0 | cp >> 12);
        d[(*k)++] = (char)(0x80 | ((cp >> 6) & 0x3F));
        d[(*k)++] = (char)(0x80 | (cp & 0x3F));
    } else {
        d[(*k)++] = (char)(0xF0 | cp >> 18);
        d[(*k)++] = (char)(0x80 | ((cp >> 12) & 0x3F));
        d[(*k)++] = (char)(0x80 | ((cp >> 6) & 0x3F));
        d[(*k)++] = (char)(0x80 | (cp & 0x3F));
    }
}

/* U&'...' [UESCAPE 'c']: \XXXX and \+XXXXXX escapes (the escape doubled is itself). */
sql_expr *sqlp_unicode_string(sql_parser *p)
{
    const sql_token *t = sqlp_cur(p);
    sqlp_advance(p);
    char esc = '\\';
    if (sqlp_accept_kw(p, KW_UESCAPE)) {
        const sql_token *u = sqlp_cur(p);
        st_slice c;
        if (!sqlp_take_string(p, &c)) return NULL;
        if (c.n != 1 || hexval((unsigned char)c.p[0]) >= 0 || c.p[0] == '+' || c.p[0] == '"' || c.p[0] == '\'' ||
            c.p[0] == ' ' || (unsigned char)c.p[0] >= 0x80)
            return sqlp_fatal(p, u, "Invalid Unicode escape character: %.*s", (int)(c.n > 20 ? 20 : c.n), c.p);
        esc = c.p[0];
    }
    st_slice raw = sqlp_string(p, t);
    char *d = st_arena_alloc(p->a, raw.n + 1);
    size_t k = 0;
    for (size_t j = 0; j < raw.n; j++) {
        if (raw.p[j] != esc) {
            d[k++] = raw.p[j];
            continue;
        }
        if (j + 1 < raw.n && raw.p[j + 1] == esc) {
            d[k++] = esc;
            j++;
            continue;
        }
        size_t digits = 4, s = j + 1;
        if (s < raw.n && raw.p[s] == '+') digits = 6, s++;
        uint32_t cp = 0;
        if (s + digits > raw.n) return sqlp_fatal(p, t, "Incomplete escape sequence: %.*s", (int)(raw.n - j > 8 ? 8 : raw.n - j), raw.p + j);
        for (size_t x = 0; x < digits; x++) {
            int h = hexval((unsigned char)raw.p[s + x]);
            if (h < 0) return sqlp_fatal(p, t, "Invalid hexadecimal digit: %c", raw.p[s + x] >= 0x20 && raw.p[s + x] < 0x7f ? raw.p[s + x] : '?');
            cp = cp * 16 + (uint32_t)h;
        }
        if (cp > 0x10FFFF || (cp >= 0xD800 && cp < 0xE000))
            return sqlp_fatal(p, t, "Invalid escaped character: %.*s", (int)(digits + s - j), raw.p + j);
        put_utf8(d, &k, cp); /* at most 4 bytes for at least 5 of escape: d is large enough */
        j = s + digits - 1;
    }
    d[k] = 0;
    sql_expr *e = sqlp_mk(p, SQL_E_STRING, t);
    e->u.str = st_slice_of(d, k);
    return e;
}

sql_expr *sqlp_binary_literal(sql_parser *p)
{
    const sql_token *t = sqlp_cur(p);
    sqlp_advance(p);
    const char *s = p->q + t->off + 2;
    size_t n = t->len - 3, nd = 0;
    char *d = st_arena_alloc(p->a, n / 2 + 1);
    int hi = -1;
    for (size_t j = 0; j < n; j++) {
        char c = s[j];
        if (c == ' ' || c == '\t' || c == '\n' || c == '\r') continue;
        int h = hexval((unsigned char)c);
        if (h < 0) return sqlp_fatal(p, t, "Binary literal can only contain hexadecimal digits");
        if (hi < 0) {
            hi = h;
        } else {
            d[nd++] = (char)(hi << 4 | h);
            hi = -1;
        }
    }
    if (hi >= 0) return sqlp_fatal(p, t, "Binary literal must contain an even number of digits");
    d[nd] = 0;
    sql_expr *e = sqlp_mk(p, SQL_E_BINARY, t);
    e->u.str = st_slice_of(d, nd);
    return e;
}

static int64_t unit_ns(sql_unit u)
{
    switch (u) {
    case SQL_UNIT_NANOSECOND: return 1;
    case SQL_UNIT_MICROSECOND: return 1000;
    case SQL_UNIT_MILLISECOND: return 1000000;
    case SQL_UNIT_SECOND: return ST_NS_PER_S;
    case SQL_UNIT_MINUTE: return 60 * ST_NS_PER_S;
    case SQL_UNIT_HOUR: return 3600 * ST_NS_PER_S;
    case SQL_UNIT_DAY: return 86400 * ST_NS_PER_S;
    default: return 0;
    }
}

/* Timestream's 5m, 1d, 3month: digits and a unit, nothing between. */
sql_expr *sqlp_short_interval(sql_parser *p)
{
    const sql_token *t = sqlp_cur(p);
    sqlp_advance(p);
    const char *s = p->q + t->off;
    size_t j = 0;
    uint64_t v = 0;
    bool over = false;
    while (j < t->len && s[j] >= '0' && s[j] <= '9') {
        unsigned d = (unsigned)(s[j++] - '0');
        if (v > (UINT64_MAX - d) / 10) over = true;
        else v = v * 10 + d;
    }
    sql_unit u = sql_unit_lookup(s + j, t->len - j);
    sql_expr *e = sqlp_mk(p, SQL_E_INTERVAL, t);
    e->u.interval.short_form = true;
    e->u.interval.from = u;
    e->u.interval.text = sqlp_ident_text(p, t); /* lowercased */
    int64_t r = 0;
    if (u == SQL_UNIT_YEAR || u == SQL_UNIT_MONTH) {
        e->u.interval.year_month = true;
        over |= v > INT64_MAX || __builtin_mul_overflow((int64_t)v, u == SQL_UNIT_YEAR ? 12 : 1, &r);
        e->u.interval.months = r;
    } else {
        over |= v > INT64_MAX || __builtin_mul_overflow((int64_t)v, unit_ns(u), &r);
        e->u.interval.ns = r;
    }
    if (over)
        return sqlp_fatal(p, t, "'%.*s' is not a valid interval literal", t->len > 60 ? 60 : (int)t->len, s);
    return e;
}

static sql_unit interval_field(sql_parser *p)
{
    static const struct {
        sql_kw kw;
        sql_unit unit;
    } fields[] = {
        {KW_YEAR, SQL_UNIT_YEAR}, {KW_MONTH, SQL_UNIT_MONTH}, {KW_DAY, SQL_UNIT_DAY},
        {KW_HOUR, SQL_UNIT_HOUR}, {KW_MINUTE, SQL_UNIT_MINUTE}, {KW_SECOND, SQL_UNIT_SECOND},
    };
    for (size_t i = 0; i < ST_ARRAY_LEN(fields); i++)
        if (sqlp_is_kw(p, fields[i].kw)) {
            sqlp_advance(p);
            return fields[i].unit;
        }
    for (size_t i = 0; i < ST_ARRAY_LEN(fields); i++) sqlp_expect_at(p, EXP_KW + fields[i].kw);
    return SQL_UNIT_NONE;
}

/* Reads an unsigned decimal number at s[*j..n). */
static bool read_num(const char *s, size_t n, size_t *j, int64_t *out)
{
    size_t k = *j;
    int64_t v = 0;
    while (k < n && s[k] >= '0' && s[k] <= '9') {
        if (__builtin_mul_overflow(v, 10, &v) || __builtin_add_overflow(v, s[k] - '0', &v)) return false;
        k++;
    }
    if (k == *j) return false;
    *j = k;
    *out = v;
    return true;
}

/* The value of INTERVAL 'v' from [TO to]: 'Y', 'Y-M', 'M' (year to month),
 * 'D', 'D H', 'D H:M', 'D H:M:S.f', 'H', 'H:M', 'H:M:S.f', 'M', 'M:S.f',
 * 'S.f' (day to second, fraction up to nanoseconds); a sign may lead. */
static bool interval_value(st_slice v, sql_unit from, sql_unit to, bool *ym, int64_t *months, int64_t *ns)
{
    const char *s = v.p;
    size_t n = v.n, j = 0;
    while (j < n && s[j] == ' ') j++;
    while (n > j && s[n - 1] == ' ') n--;
    bool neg = false;
    if (j < n && (s[j] == '-' || s[j] == '+')) neg = s[j++] == '-';
    int64_t a = 0, b = 0;
    if (from == SQL_UNIT_YEAR || from == SQL_UNIT_MONTH) {
        *ym = true;
        if (!read_num(s, n, &j, &a)) return false;
        if (from == SQL_UNIT_YEAR && to == SQL_UNIT_MONTH) {
            if (j >= n || s[j++] != '-' || !read_num(s, n, &j, &b)) return false;
        } else if (to != SQL_UNIT_NONE) {
            return false;
        }
        if (j != n) return false;
        int64_t m;
        if (from == SQL_UNIT_YEAR) {
            if (__builtin_mul_overflow(a, 12, &m) || __builtin_add_overflow(m, b, &m)) return false;
        } else {
            m = a;
        }
        *months = neg ? -m : m;
        return true;
    }
    *ym = false;
    sql_unit last = to == SQL_UNIT_NONE ? from : to;
    if (from < SQL_UNIT_DAY || from > SQL_UNIT_SECOND || last < from || last > SQL_UNIT_SECOND ||
        (to != SQL_UNIT_NONE && to == from))
        return false;
    int64_t total = 0;
    for (sql_unit f = from; f <= last; f++) {
        if (f != from) {
            char sep = f == SQL_UNIT_HOUR ? ' ' : ':';
            if (j >= n || s[j] != sep) return false;
            while (j < n && s[j] == sep && sep == ' ') j++;
            if (sep == ':') j++;
        }
        int64_t x = 0;
        if (!read_num(s, n, &j, &x)) return false;
        if (__builtin_mul_overflow(x, unit_ns(f), &x) || __builtin_add_overflow(total, x, &total)) return false;
        if (f == SQL_UNIT_SECOND && j < n && s[j] == '.') {
            j++;
            int64_t frac = 0, scale = 100000000;
            size_t d0 = j;
            while (j < n && s[j] >= '0' && s[j] <= '9') {
                if (j - d0 >= 9) return false;
                frac += (s[j++] - '0') * scale;
                scale /= 10;
            }
            if (j == d0 || __builtin_add_overflow(total, frac, &total)) return false;
        }
    }
    if (j != n) return false;
    *ns = neg ? -total : total;
    return true;
}

/* PostgreSQL's interval text: pairs "[-]N[.F] unit" ('5 minutes', '1 day
 * 2 hours', '90 s', '1.5h'), units from microseconds to years in their
 * singular, plural and short spellings. Months and years make a year to
 * month interval, the rest day to second; the two kinds do not mix (no
 * type holds both). */
bool sql_parse_pg_interval(st_slice v, bool *ym, int64_t *months, int64_t *ns)
{
    static const struct {
        const char *name;
        int64_t ns;      /* 0: months */
        int64_t months;
    } units[] = {
        {"microseconds", 1000, 0}, {"microsecond", 1000, 0}, {"usecs", 1000, 0}, {"usec", 1000, 0}, {"us", 1000, 0},
        {"milliseconds", 1000000, 0}, {"millisecond", 1000000, 0}, {"msecs", 1000000, 0}, {"msec", 1000000, 0},
        {"ms", 1000000, 0}, {"seconds", ST_NS_PER_S, 0}, {"second", ST_NS_PER_S, 0}, {"secs", ST_NS_PER_S, 0},
        {"sec", ST_NS_PER_S, 0}, {"s", ST_NS_PER_S, 0}, {"minutes", 60 * ST_NS_PER_S, 0}, {"minute", 60 * ST_NS_PER_S, 0},
        {"mins", 60 * ST_NS_PER_S, 0}, {"min", 60 * ST_NS_PER_S, 0}, {"m", 60 * ST_NS_PER_S, 0},
        {"hours", 3600 * ST_NS_PER_S, 0}, {"hour", 3600 * ST_NS_PER_S, 0}, {"hrs", 3600 * ST_NS_PER_S, 0},
        {"hr", 3600 * ST_NS_PER_S, 0}, {"h", 3600 * ST_NS_PER_S, 0}, {"days", 86400 * ST_NS_PER_S, 0},
        {"day", 86400 * ST_NS_PER_S, 0}, {"d", 86400 * ST_NS_PER_S, 0}, {"weeks", 7 * 86400 * ST_NS_PER_S, 0},
        {"week", 7 * 86400 * ST_NS_PER_S, 0}, {"w", 7 * 86400 * ST_NS_PER_S, 0}, {"months", 0, 1}, {"month", 0, 1},
        {"mons", 0, 1}, {"mon", 0, 1}, {"years", 0, 12}, {"year", 0, 12}, {"yrs", 0, 12}, {"yr", 0, 12}, {"y", 0, 12},
    };
    const char *s = v.p;
    size_t n = v.n, j = 0;
    bool any = false, has_m = false, has_ns = false;
    int64_t m = 0, t = 0;
    for (;;) {
        while (j < n && s[j] == ' ') j++;
        if (j == n) break;
        bool neg = false;
        if (s[j] == '-' || s[j] == '+') neg = s[j++] == '-';
        int64_t whole = 0, frac = 0, scale = 1;
        bool digits = j < n && s[j] >= '0' && s[j] <= '9';
        if (digits && !read_num(s, n, &j, &whole)) return false;
        if (j < n && s[j] == '.') {
            j++;
            while (j < n && s[j] >= '0' && s[j] <= '9') {
                if (scale < 1000000000) {
                    frac = frac * 10 + (s[j] - '0');
                    scale *= 10;
                }
                digits = true;
                j++;
            }
        }
        if (!digits) return false;
        while (j < n && s[j] == ' ') j++;
        size_t u0 = j;
        while (j < n && ((s[j] >= 'a' && s[j] <= 'z') || (s[j] >= 'A' && s[j] <= 'Z'))) j++;
        size_t ul = j - u0;
        size_t k = 0;
        for (; k < ST_ARRAY_LEN(units); k++)
            if (strlen(units[k].name) == ul && !strncasecmp(units[k].name, s + u0, ul)) break;
        if (k == ST_ARRAY_LEN(units)) return false;
        int64_t add;
        if (units[k].ns) {
            if (__builtin_mul_overflow(whole, units[k].ns, &add)) return false;
            /* the fraction of a unit, to the nanosecond */
            int64_t f = (int64_t)((__int128)frac * units[k].ns / scale);
            if (__builtin_add_overflow(add, f, &add)) return false;
            if (neg) add = -add;
            if (__builtin_add_overflow(t, add, &t)) return false;
            has_ns = true;
        } else {
            if (frac) return false; /* a fraction of a month has no length */
            if (__builtin_mul_overflow(whole, units[k].months, &add)) return false;
            if (neg) add = -add;
            if (__builtin_add_overflow(m, add, &m)) return false;
            has_m = true;
        }
        any = true;
    }
    if (!any || (has_m && has_ns)) return false;
    *ym = has_m;
    *months = m;
    *ns = t;
    return true;
}

/* INTERVAL [+|-] 'value' field [TO field], or PostgreSQL's INTERVAL 'N unit ...' */
sql_expr *sqlp_interval_literal(sql_parser *p)
{
    const sql_token *at = sqlp_cur(p);
    sqlp_advance(p);
    bool neg = false;
    if (sqlp_cur(p)->kind == T_MINUS || sqlp_cur(p)->kind == T_PLUS) {
        neg = sqlp_cur(p)->kind == T_MINUS;
        sqlp_advance(p);
    }
    sql_expr *e = sqlp_mk(p, SQL_E_INTERVAL, at);
    if (!sqlp_take_string(p, &e->u.interval.text)) return NULL;
    e->u.interval.negative = neg;
    st_slice text = e->u.interval.text;
    bool ym = false, ok;
    int64_t months = 0, ns = 0;
    if (!sqlp_is_ident_tok(sqlp_cur(p))) { /* the field words (YEAR ... SECOND) are not reserved */
        /* PostgreSQL's form, the units inside the string ('5 minutes',
         * '1 day 2 hours'), which Grafana's PostgreSQL users write */
        ok = sql_parse_pg_interval(text, &ym, &months, &ns);
    } else {
        if (!(e->u.interval.from = interval_field(p))) return sqlp_fail(p);
        if (sqlp_accept_kw(p, KW_TO) && !(e->u.interval.to = interval_field(p))) return sqlp_fail(p);
        ok = interval_value(text, e->u.interval.from, e->u.interval.to, &ym, &months, &ns);
    }
    if (!ok) return sqlp_fatal(p, at, "'%.*s' is not a valid interval literal", text.n > 60 ? 60 : (int)text.n, text.p);
    e->u.interval.year_month = ym;
    e->u.interval.months = neg ? -months : months;
    e->u.interval.ns = neg ? -ns : ns;
    return e;
}

sql_expr *sqlp_param(sql_parser *p)
{
    const sql_token *t = sqlp_cur(p);
    sqlp_advance(p);
    sql_expr *e = sqlp_mk(p, SQL_E_PARAM, t);
    if (t->len > 1) e->u.param.name = st_slice_of(st_arena_strndup(p->a, p->q + t->off + 1, t->len - 1), t->len - 1);
    e->u.param.index = ++p->nparams;
    return e;
}

/* --------------------------------------------------------------- types */

static const struct {
    const char *name;
    sql_type_kind kind;
    const char *canon;
} type_names[] = {
    {"boolean", SQL_T_BOOLEAN, "boolean"}, {"tinyint", SQL_T_TINYINT, "tinyint"},
    {"smallint", SQL_T_SMALLINT, "smallint"}, {"integer", SQL_T_INTEGER, "integer"},
    {"int", SQL_T_INTEGER, "integer"}, {"bigint", SQL_T_BIGINT, "bigint"}, {"real", SQL_T_REAL, "real"},
    {"double", SQL_T_DOUBLE, "double"}, {"decimal", SQL_T_DECIMAL, "decimal"},
    {"varchar", SQL_T_VARCHAR, "varchar"}, {"char", SQL_T_CHAR, "char"},
    {"varbinary", SQL_T_VARBINARY, "varbinary"}, {"json", SQL_T_JSON, "json"}, {"date", SQL_T_DATE, "date"},
    {"time", SQL_T_TIME, "time"}, {"timestamp", SQL_T_TIMESTAMP, "timestamp"},
    {"array", SQL_T_ARRAY, "array"}, {"map", SQL_T_MAP, "map"}, {"row", SQL_T_ROW, "row"},
    {"timeseries", SQL_T_TIMESERIES, "timeseries"},
};

static bool is_field_kw(const sql_token *t)
{
    return sqlp_tok_is_kw(t, KW_YEAR) || sqlp_tok_is_kw(t, KW_MONTH) || sqlp_tok_is_kw(t, KW_DAY) ||
           sqlp_tok_is_kw(t, KW_HOUR) || sqlp_tok_is_kw(t, KW_MINUTE) || sqlp_tok_is_kw(t, KW_SECOND);
}

static const char *const unit_names[] = {"", "year", "month", "day", "hour", "minute", "second"};

/* A ROW field is named when an identifier is followed by a type that is
 * not the rest of a type name (double precision, interval day, time without). */
static bool named_field_ahead(const sql_parser *p)
{
    const sql_token *t = sqlp_cur(p), *t1 = sqlp_peek(p, 1);
    if (!sqlp_is_ident_tok(t) || !sqlp_is_ident_tok(t1)) return false;
    if (sqlp_tok_is_kw(t, KW_DOUBLE) && sqlp_tok_is_kw(t1, KW_PRECISION)) return false;
    if (sqlp_tok_is_kw(t, KW_INTERVAL) && is_field_kw(t1)) return false;
    if ((sqlp_tok_is_kw(t, KW_TIME) || sqlp_tok_is_kw(t, KW_TIMESTAMP)) && sqlp_tok_is_kw(t1, KW_WITHOUT))
        return false;
    return true;
}

static bool type_params(sql_parser *p, sql_type *ty, bool row)
{
    size_t cap = 0;
    do {
        sql_type_param *tp = PUSH(p, ty->params, ty->nparams, cap);
        if (row && named_field_ahead(p) && !sqlp_take_ident(p, &tp->name)) return false;
        const sql_token *t = sqlp_cur(p);
        if (!row && t->kind == T_INTEGER) {
            sql_expr *x = sqlp_number(p, NULL);
            if (!x) return false;
            tp->value = x->u.num.i;
        } else if (sqlp_is_ident_tok(t)) {
            if (!(tp->type = sqlp_type(p))) return false;
            if (tp->type->height + 1 > ty->height) ty->height = tp->type->height + 1;
        } else {
            if (!row) sqlp_expect_at(p, T_INTEGER);
            sqlp_expect_at(p, EXP_TYPE);
            sqlp_fail(p);
            return false;
        }
    } while (sqlp_accept(p, T_COMMA));
    return sqlp_expect(p, T_RPAREN);
}

sql_type *sqlp_type(sql_parser *p)
{
    const sql_token *t = sqlp_cur(p);
    if (!sqlp_is_ident_tok(t)) {
        sqlp_expect_at(p, EXP_TYPE);
        return sqlp_fail(p);
    }
    if (!sqlp_enter(p)) return NULL;
    sql_type *ty = sqlp_node(p, sizeof *ty);
    ty->line = t->line;
    ty->col = t->col;
    ty->height = 1;
    sql_ident id;
    bool ok = sqlp_take_ident(p, &id);
    if (!ok) goto out;
    st_slice nm = sqlp_lower(p, id.name); /* a quoted name too */
    ty->kind = SQL_T_NAMED;
    ty->name = nm;
    for (size_t i = 0; i < ST_ARRAY_LEN(type_names); i++)
        if (st_slice_eq(nm, st_slice_cstr(type_names[i].name))) {
            ty->kind = type_names[i].kind;
            ty->name = st_slice_cstr(type_names[i].canon);
        }
    if (ty->kind == SQL_T_NAMED && st_slice_eq(nm, st_slice_cstr("interval")) && is_field_kw(sqlp_cur(p))) {
        sql_unit from = interval_field(p), to = SQL_UNIT_NONE;
        if (sqlp_accept_kw(p, KW_TO) && !(to = interval_field(p))) {
            sqlp_fail(p);
            ok = false;
            goto out;
        }
        if (from == SQL_UNIT_DAY && to == SQL_UNIT_SECOND) {
            ty->kind = SQL_T_INTERVAL_DS;
            ty->name = st_slice_cstr("interval day to second");
        } else if (from == SQL_UNIT_YEAR && to == SQL_UNIT_MONTH) {
            ty->kind = SQL_T_INTERVAL_YM;
            ty->name = st_slice_cstr("interval year to month");
        } else {
            char buf[48];
            int n = snprintf(buf, sizeof buf, "interval %s%s%s", unit_names[from], to ? " to " : "",
                             to ? unit_names[to] : "");
            ty->name = st_slice_of(st_arena_strndup(p->a, buf, (size_t)n), (size_t)n);
        }
    } else if (ty->kind == SQL_T_DOUBLE && sqlp_is_kw(p, KW_PRECISION)) {
        sqlp_advance(p);
    } else if (ty->kind == SQL_T_TIME || ty->kind == SQL_T_TIMESTAMP) {
        if (sqlp_accept(p, T_LPAREN) && !(ok = type_params(p, ty, false))) goto out;
        if (sqlp_accept_kw(p, KW_WITH)) {
            if (!(ok = sqlp_expect_kw(p, KW_TIME) && sqlp_expect_kw(p, KW_ZONE))) goto out;
            ty->with_time_zone = true;
        } else if (sqlp_accept_kw(p, KW_WITHOUT)) {
            if (!(ok = sqlp_expect_kw(p, KW_TIME) && sqlp_expect_kw(p, KW_ZONE))) goto out;
        }
    } else if (sqlp_accept(p, T_LPAREN)) {
        ok = type_params(p, ty, ty->kind == SQL_T_ROW);
    }
    if (ok) ok = sqlp_check_height(p, ty->height, t);
out:
    sqlp_leave(p);
    return ok ? ty : NULL;
}
