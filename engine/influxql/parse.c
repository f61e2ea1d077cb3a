/* influxql: lexer and parser for the schema and administration statements
 * (see influxql.h). A hand-written recursive-descent parser over a token
 * stream produced on demand; one token of look-ahead is enough for every
 * statement here. */
#include "influxql.h"

#include "influxql/tz.h"
#include "matcher.h"

#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

typedef enum tok_kind {
    T_EOF = 0,
    T_IDENT,     /* unquoted: may be a keyword */
    T_QIDENT,    /* "quoted" identifier */
    T_STRING,
    T_REGEX,
    T_NUMBER,
    T_INTEGER,
    T_DURATION,
    T_OP,        /* = != <> =~ !~ < <= > >= + - * */
    T_LPAREN,
    T_RPAREN,
    T_COMMA,
    T_DOT,
    T_SEMI,
    T_COLONS,    /* :: */
    T_COLON,     /* : (INTO ...:MEASUREMENT) */
    T_BAD,
} tok_kind;

typedef struct tok {
    tok_kind kind;
    const char *pos; /* start in the query */
    size_t len;      /* raw length */
    st_slice val;    /* decoded value (identifiers, strings, regexes) */
    iql_op op;
    double num;
    int64_t ns;      /* durations and integers */
} tok;

typedef struct parser {
    const char *q, *end, *p;
    st_arena *a;
    tok t;           /* current token */
    st_err *e;
    bool failed;
    unsigned depth;  /* nesting of parentheses and unary minus */
    bool cq;         /* parsing a continuous query's SELECT: INTO and GROUP BY time(...) first */
    size_t nodes;    /* expression nodes of the statement */
} parser;

/* Bounds that keep every recursive walk of an expression (here and in the
 * executor) far inside a thread's stack, whatever a client sends. */
#define MAX_DEPTH 200
#define MAX_NODES 10000

/* ------------------------------------------------------------------ lexer */

static bool is_letter(int c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
static bool is_digit(int c) { return c >= '0' && c <= '9'; }
static bool is_ident_char(int c) { return is_letter(c) || is_digit(c) || c == '_'; }

static void where_of(const parser *ps, const char *at, int *line, int *col)
{
    *line = 1;
    *col = 1;
    for (const char *c = ps->q; c < at && c < ps->end; c++) {
        if (*c == '\n') {
            (*line)++;
            *col = 1;
        } else {
            (*col)++;
        }
    }
}

static int fail_at(parser *ps, const char *at, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static int fail_at(parser *ps, const char *at, const char *fmt, ...)
{
    if (ps->failed) return ST_EINVAL;
    ps->failed = true;
    char msg[300];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    int line, col;
    where_of(ps, at > ps->end ? ps->end : at, &line, &col);
    if (at > ps->end) col++;
    return st_fail(ps->e, ST_EINVAL, "%s at line %d, char %d", msg, line, col);
}

/* A message InfluxDB gives without a position. */
static int fail_plain(parser *ps, const char *msg)
{
    if (ps->failed) return ST_EINVAL;
    ps->failed = true;
    return st_fail(ps->e, ST_EINVAL, "%s", msg);
}

/* How InfluxDB names a token in "found X": its text, or EOF. */
static void tok_name(const tok *t, char *out, size_t cap)
{
    if (t->kind == T_EOF) {
        snprintf(out, cap, "EOF");
        return;
    }
    size_t n = t->len > 60 ? 60 : t->len;
    bool decoded = t->kind == T_QIDENT || t->kind == T_STRING || (t->kind == T_BAD && t->val.p);
    if (decoded) n = t->val.n > 60 ? 60 : t->val.n;
    snprintf(out, cap, "%.*s", (int)n, decoded ? t->val.p : t->pos);
}

static int expected(parser *ps, const char *what)
{
    char found[80];
    tok_name(&ps->t, found, sizeof found);
    /* InfluxDB's scanner reports EOF one character past the end, and an
     * unterminated string one before its quote */
    const char *at = ps->t.kind == T_EOF ? ps->t.pos + 1 : ps->t.pos;
    if (ps->t.kind == T_BAD && ps->t.val.p && at > ps->q) at--;
    return fail_at(ps, at, "found %s, expected %s", found, what);
}

/* Decodes a quoted token body [s, e); escapes \" \' \\ \n (either quote in
 * either kind of token, as InfluxDB's scanner allows). */
static int unquote(parser *ps, const char *s, const char *e, st_slice *out)
{
    bool esc = false;
    for (const char *c = s; c < e; c++)
        if (*c == '\\') esc = true;
    if (!esc) {
        *out = st_slice_of(s, (size_t)(e - s));
        return 0;
    }
    char *b = st_arena_alloc(ps->a, (size_t)(e - s) + 1);
    size_t n = 0;
    for (const char *c = s; c < e; c++) {
        if (*c == '\\' && c + 1 < e) {
            char x = c[1];
            if (x == '"' || x == '\'' || x == '\\') { /* either quote, in either kind */
                b[n++] = x;
                c++;
                continue;
            }
            if (x == 'n') {
                b[n++] = '\n';
                c++;
                continue;
            }
            return fail_at(ps, c, "bad escape sequence \\%c", x);
        }
        b[n++] = *c;
    }
    *out = st_slice_of(b, n);
    return 0;
}

static int64_t unit_ns(const char *u, size_t n)
{
    if (n == 2 && !memcmp(u, "ns", 2)) return 1;
    if (n == 1 && *u == 'u') return 1000;
    if (n == 2 && !memcmp(u, "\xc2\xb5", 2)) return 1000; /* µ */
    if (n == 2 && !memcmp(u, "ms", 2)) return 1000000;
    if (n == 1 && *u == 's') return ST_NS_PER_S;
    if (n == 1 && *u == 'm') return 60 * ST_NS_PER_S;
    if (n == 1 && *u == 'h') return 3600 * ST_NS_PER_S;
    if (n == 1 && *u == 'd') return 86400 * ST_NS_PER_S;
    if (n == 1 && *u == 'w') return 7 * 86400 * ST_NS_PER_S;
    return 0;
}

/* After digits: a unit makes it a duration; several number+unit pairs may
 * follow one another (1h30m). Returns the end of the duration, or NULL if
 * the digits carry no unit. */
static const char *scan_duration(const char *p, const char *end, int64_t *ns, bool *overflow)
{
    int64_t total = 0;
    const char *c = p;
    bool any = false;
    *overflow = false;
    while (c < end && is_digit((unsigned char)*c)) {
        const char *d = c;
        uint64_t v = 0;
        while (c < end && is_digit((unsigned char)*c)) {
            if (v > (uint64_t)INT64_MAX / 10) *overflow = true;
            v = v * 10 + (uint64_t)(*c - '0');
            c++;
        }
        const char *u = c;
        /* longest unit first: ms/ns before m/s, the two-byte µ */
        size_t un = 0;
        if (u + 1 < end && ((u[0] == 'm' && u[1] == 's') || (u[0] == 'n' && u[1] == 's'))) un = 2;
        else if (u + 1 < end && (unsigned char)u[0] == 0xc2 && (unsigned char)u[1] == 0xb5) un = 2;
        else if (u < end && *u && strchr("usmhdw", *u)) un = 1;
        if (!un) {
            if (!any) return NULL;
            c = d; /* a trailing bare number is not part of the duration */
            break;
        }
        int64_t m = unit_ns(u, un);
        if (v > (uint64_t)(INT64_MAX / m) || total > INT64_MAX - (int64_t)v * m) *overflow = true;
        else total += (int64_t)v * m;
        c = u + un;
        any = true;
        if (c < end && is_ident_char((unsigned char)*c) && !is_digit((unsigned char)*c)) return NULL; /* 5mx */
    }
    *ns = total;
    return c;
}

static void next(parser *ps)
{
    tok *t = &ps->t;
    memset(t, 0, sizeof *t);
    const char *p = ps->p, *end = ps->end;
    for (;;) {
        while (p < end && (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r')) p++;
        if (p + 1 < end && p[0] == '-' && p[1] == '-') {
            while (p < end && *p != '\n') p++;
            continue;
        }
        break;
    }
    t->pos = p;
    if (p >= end) {
        t->kind = T_EOF;
        ps->p = p;
        return;
    }
    unsigned char c = (unsigned char)*p;
    const char *s = p;
    if (is_letter(c) || c == '_') {
        while (p < end && is_ident_char((unsigned char)*p)) p++;
        t->kind = T_IDENT;
        t->val = st_slice_of(s, (size_t)(p - s));
    } else if (c == '"' || c == '\'') {
        p++;
        while (p < end && *p != (char)c && *p != '\n') {
            if (*p == '\\' && p + 1 < end) p++;
            p++;
        }
        if (p >= end || *p == '\n') {
            /* like InfluxDB's bad string token: the parser names what it read */
            t->kind = T_BAD;
            t->val = st_slice_of(s + 1, (size_t)(p - s - 1));
        } else {
            t->kind = c == '"' ? T_QIDENT : T_STRING;
            if (unquote(ps, s + 1, p, &t->val)) t->kind = T_BAD;
            p++;
        }
    } else if (is_digit(c) || (c == '.' && p + 1 < end && is_digit((unsigned char)p[1]))) {
        bool ovf;
        const char *de = is_digit(c) ? scan_duration(p, end, &t->ns, &ovf) : NULL;
        if (de) {
            t->kind = T_DURATION;
            p = de;
            if (ovf) {
                t->kind = T_BAD;
                fail_at(ps, s, "overflowed duration %.*s", (int)(p - s), s);
            }
        } else {
            bool isfloat = false;
            while (p < end && is_digit((unsigned char)*p)) p++;
            if (p < end && *p == '.') {
                isfloat = true;
                p++;
                while (p < end && is_digit((unsigned char)*p)) p++;
            }
            if (p < end && (*p == 'e' || *p == 'E')) {
                const char *x = p + 1;
                if (x < end && (*x == '+' || *x == '-')) x++;
                if (x < end && is_digit((unsigned char)*x)) {
                    isfloat = true;
                    p = x;
                    while (p < end && is_digit((unsigned char)*p)) p++;
                }
            }
            if (is_digit(c) && !isfloat && p < end && (is_letter((unsigned char)*p) || *p == '_')) {
                /* digits run into letters that are no duration unit: InfluxDB's words */
                t->kind = T_BAD;
                while (p < end && is_ident_char((unsigned char)*p)) p++;
                t->len = (size_t)(p - s);
                ps->p = p;
                fail_plain(ps, "invalid duration");
                return;
            }
            char buf[64];
            if ((size_t)(p - s) >= sizeof buf) {
                t->kind = T_BAD;
                fail_at(ps, s, "number %.20s... is too long", s);
                t->len = (size_t)(p - s);
                ps->p = p;
                return;
            }
            size_t n = (size_t)(p - s);
            memcpy(buf, s, n);
            buf[n] = 0;
            t->num = strtod(buf, NULL);
            t->kind = isfloat ? T_NUMBER : T_INTEGER;
            if (!isfloat) {
                errno = 0;
                long long v = strtoll(buf, NULL, 10);
                t->ns = v;
                if (errno) t->kind = T_NUMBER;
            }
        }
    } else {
        p++;
        t->kind = T_OP;
        switch (c) {
        case '=':
            if (p < end && *p == '~') {
                p++;
                t->op = IQL_OP_RE;
            } else {
                t->op = IQL_OP_EQ;
            }
            break;
        case '!':
            if (p < end && *p == '=') {
                p++;
                t->op = IQL_OP_NEQ;
            } else if (p < end && *p == '~') {
                p++;
                t->op = IQL_OP_NRE;
            } else {
                t->kind = T_BAD;
            }
            break;
        case '<':
            if (p < end && *p == '=') {
                p++;
                t->op = IQL_OP_LTE;
            } else if (p < end && *p == '>') {
                p++;
                t->op = IQL_OP_NEQ;
            } else {
                t->op = IQL_OP_LT;
            }
            break;
        case '>':
            if (p < end && *p == '=') {
                p++;
                t->op = IQL_OP_GTE;
            } else {
                t->op = IQL_OP_GT;
            }
            break;
        case '+': t->op = IQL_OP_ADD; break;
        case '*': t->op = IQL_OP_MUL; break;
        case '/': t->op = IQL_OP_DIV; break;
        case '-': t->op = IQL_OP_SUB; break;
        case '%': t->op = IQL_OP_MOD; break;
        case '&': t->op = IQL_OP_BAND; break;
        case '|': t->op = IQL_OP_BOR; break;
        case '^': t->op = IQL_OP_BXOR; break;
        case '(': t->kind = T_LPAREN; break;
        case ')': t->kind = T_RPAREN; break;
        case ',': t->kind = T_COMMA; break;
        case '.': t->kind = T_DOT; break;
        case ';': t->kind = T_SEMI; break;
        case ':':
            if (p < end && *p == ':') {
                p++;
                t->kind = T_COLONS;
            } else {
                t->kind = T_COLON;
            }
            break;
        default:
            t->kind = T_BAD;
            /* one whole UTF-8 character in the message */
            while (p < end && ((unsigned char)*p & 0xc0) == 0x80) p++;
        }
    }
    t->len = (size_t)(p - s);
    ps->p = p;
}

/* A '/' where the grammar wants a regex starts one (InfluxDB's parser
 * rescans the same way): the current token, an operator '/', is replaced by
 * the regex that starts there. Elsewhere '/' stays division, so the math in
 * a SELECT that Strata only skips lexes as InfluxQL does. */
static bool want_regex(parser *ps)
{
    tok *t = &ps->t;
    if (t->kind == T_REGEX) return true;
    if (t->kind != T_OP || t->op != IQL_OP_DIV) return false;
    const char *s = t->pos, *p = s + 1, *end = ps->end;
    while (p < end && *p != '/') {
        if (*p == '\\' && p + 1 < end) p++;
        p++;
    }
    if (p >= end) {
        t->kind = T_BAD;
        fail_at(ps, s, "unterminated regex");
        return false;
    }
    t->kind = T_REGEX;
    /* \/ is the only escape InfluxQL decodes in a regex; the rest
     * (\d, \.) belong to the regex syntax */
    const char *b = s + 1;
    size_t n = (size_t)(p - b);
    if (memchr(b, '\\', n)) {
        char *d = st_arena_alloc(ps->a, n + 1);
        size_t k = 0;
        for (size_t i = 0; i < n; i++) {
            if (b[i] == '\\' && i + 1 < n && b[i + 1] == '/') continue;
            d[k++] = b[i];
        }
        t->val = st_slice_of(d, k);
    } else {
        t->val = st_slice_of(b, n);
    }
    p++;
    t->len = (size_t)(p - s);
    ps->p = p;
    /* a regex that does not compile is a syntax error, as InfluxDB's parser
     * has it (Go's RE2 syntax: matcher.h rejects what RE2 rejects) */
    matcher *m;
    st_err me;
    if (matcher_new(MATCH_RE, st_slice_of("x", 1), t->val, &m, &me)) {
        t->kind = T_BAD;
        fail_at(ps, s, "error parsing regexp: %s", me.msg);
        return false;
    }
    matcher_free(m);
    return true;
}

static bool is_kw(const tok *t, const char *kw)
{
    size_t n = strlen(kw);
    return t->kind == T_IDENT && t->val.n == n && !strncasecmp(t->val.p, kw, n);
}

static bool accept_kw(parser *ps, const char *kw)
{
    if (!is_kw(&ps->t, kw)) return false;
    next(ps);
    return true;
}

static int expect_kw(parser *ps, const char *kw)
{
    if (accept_kw(ps, kw)) return 0;
    return expected(ps, kw);
}

/* Words InfluxQL reserves: unquoted they cannot name anything. */
static const char *const reserved[] = {
    "ALL", "ALTER", "ANALYZE", "ANY", "AS", "ASC", "BEGIN", "BY", "CARDINALITY", "CREATE", "CONTINUOUS",
    "DATABASE", "DATABASES", "DEFAULT", "DELETE", "DESC", "DESTINATIONS", "DIAGNOSTICS", "DISTINCT", "DROP",
    "DURATION", "END", "EVERY", "EXACT", "EXPLAIN", "FIELD", "FOR", "FROM", "GRANT", "GRANTS", "GROUP",
    "GROUPS", "IN", "INF", "INSERT", "INTO", "KEY", "KEYS", "KILL", "LIMIT", "MEASUREMENT", "MEASUREMENTS",
    "NAME", "OFFSET", "ON", "ORDER", "PASSWORD", "POLICIES", "POLICY", "PRIVILEGES", "QUERIES", "QUERY",
    "READ", "REPLICATION", "RESAMPLE", "RETENTION", "REVOKE", "SELECT", "SERIES", "SET", "SHARD", "SHARDS",
    "SLIMIT", "SOFFSET", "STATS", "SUBSCRIPTION", "SUBSCRIPTIONS", "TAG", "TO", "USER", "USERS", "VALUES",
    "WHERE", "WITH", "WRITE",
};

static bool is_reserved(const tok *t)
{
    if (t->kind != T_IDENT) return false;
    for (size_t i = 0; i < sizeof reserved / sizeof *reserved; i++)
        if (is_kw(t, reserved[i])) return true;
    return false;
}

static int parse_ident(parser *ps, st_slice *out)
{
    if ((ps->t.kind == T_IDENT && !is_reserved(&ps->t)) || ps->t.kind == T_QIDENT) {
        *out = ps->t.val;
        next(ps);
        return 0;
    }
    return expected(ps, "identifier");
}

static int parse_int(parser *ps, int64_t *out)
{
    if (ps->t.kind != T_INTEGER) return expected(ps, "integer");
    *out = ps->t.ns;
    next(ps);
    return 0;
}

static int parse_duration(parser *ps, bool allow_inf, int64_t *out)
{
    if (allow_inf && accept_kw(ps, "INF")) {
        *out = 0;
        return 0;
    }
    if (ps->t.kind != T_DURATION) return expected(ps, "duration");
    *out = ps->t.ns;
    next(ps);
    return 0;
}

/* ------------------------------------------------------------ expressions */

static iql_expr *new_expr(parser *ps, iql_expr_kind k)
{
    ps->nodes++;
    iql_expr *x = st_arena_alloc(ps->a, sizeof *x);
    memset(x, 0, sizeof *x);
    x->kind = k;
    return x;
}

static int parse_expr(parser *ps, int minprec, iql_expr **out);

static int parse_unary_at(parser *ps, iql_expr **out);
static int peek_char(const parser *ps);
static int parse_cast(parser *ps, st_slice *out);
static int parse_call_args(parser *ps, iql_expr *call);

static int parse_unary(parser *ps, iql_expr **out)
{
    if (ps->depth >= MAX_DEPTH) return fail_at(ps, ps->t.pos, "expression nested deeper than %d", MAX_DEPTH);
    if (ps->nodes >= MAX_NODES) return fail_at(ps, ps->t.pos, "expression longer than %d terms", MAX_NODES);
    ps->depth++;
    int rc = parse_unary_at(ps, out);
    ps->depth--;
    return rc;
}

static int parse_unary_at(parser *ps, iql_expr **out)
{
    tok *t = &ps->t;
    iql_expr *x;
    switch (t->kind) {
    case T_LPAREN:
        next(ps);
        if (parse_expr(ps, 0, out)) return ST_EINVAL;
        if (ps->t.kind != T_RPAREN) return expected(ps, ")");
        next(ps);
        return 0;
    case T_IDENT:
        if (is_kw(t, "true") || is_kw(t, "false")) {
            x = new_expr(ps, IQL_E_BOOL);
            x->ns = is_kw(t, "true");
            next(ps);
            break;
        }
        if (is_kw(t, "now")) {
            const char *at = t->pos;
            next(ps);
            if (ps->t.kind != T_LPAREN) return fail_at(ps, at, "undefined identifier now");
            next(ps);
            if (ps->t.kind != T_RPAREN) return expected(ps, ")");
            next(ps);
            x = new_expr(ps, IQL_E_NOW);
            break;
        }
        if (is_kw(t, "DISTINCT")) {
            /* DISTINCT x and DISTINCT(x) are distinct(x) */
            next(ps);
            x = new_expr(ps, IQL_E_CALL);
            x->str = st_slice_of("distinct", 8);
            if (ps->t.kind == T_LPAREN) {
                if (parse_call_args(ps, x)) return ST_EINVAL;
            } else {
                iql_expr *arg = new_expr(ps, IQL_E_IDENT);
                if (parse_ident(ps, &arg->str)) return ST_EINVAL;
                x->args = st_arena_alloc(ps->a, sizeof *x->args);
                x->args[0] = arg;
                x->nargs = 1;
            }
            break;
        }
        if (is_reserved(t)) return expected(ps, "identifier, string, number, bool");
        if (peek_char(ps) == '(') { /* a call */
            x = new_expr(ps, IQL_E_CALL);
            x->str = t->val;
            next(ps);
            if (parse_call_args(ps, x)) return ST_EINVAL;
            break;
        }
        /* fall through */
    case T_QIDENT:
        x = new_expr(ps, IQL_E_IDENT);
        x->str = t->val;
        next(ps);
        if (ps->t.kind == T_COLONS && parse_cast(ps, &x->cast)) return ST_EINVAL;
        break;
    case T_STRING:
        x = new_expr(ps, IQL_E_STRING);
        x->str = t->val;
        next(ps);
        break;
    case T_REGEX:
    regex:
        x = new_expr(ps, IQL_E_REGEX);
        x->str = t->val;
        next(ps);
        break;
    case T_NUMBER:
    case T_INTEGER:
        x = new_expr(ps, IQL_E_NUMBER);
        x->num = t->num;
        x->ns = t->ns;
        x->is_int = t->kind == T_INTEGER;
        next(ps);
        break;
    case T_DURATION:
        x = new_expr(ps, IQL_E_DURATION);
        x->ns = t->ns;
        next(ps);
        break;
    case T_OP:
        if (t->op == IQL_OP_DIV) {
            if (!want_regex(ps)) return ST_EINVAL;
            goto regex;
        }
        if (t->op == IQL_OP_MUL) { /* a wildcard, maybe narrowed: *::field, *::tag */
            x = new_expr(ps, IQL_E_WILDCARD);
            next(ps);
            if (ps->t.kind == T_COLONS && parse_cast(ps, &x->cast)) return ST_EINVAL;
            break;
        }
        if (t->op == IQL_OP_SUB) { /* a negative literal, or -x as -1 * x */
            next(ps);
            if (parse_unary(ps, &x)) return ST_EINVAL;
            if (x->kind == IQL_E_NUMBER || x->kind == IQL_E_DURATION) {
                x->num = -x->num;
                x->ns = -x->ns;
                break;
            }
            iql_expr *m1 = new_expr(ps, IQL_E_NUMBER), *b = new_expr(ps, IQL_E_BINARY);
            m1->num = -1;
            m1->ns = -1;
            m1->is_int = true;
            b->op = IQL_OP_MUL;
            b->l = m1;
            b->r = x;
            x = b;
            break;
        }
        /* fall through */
    default:
        return expected(ps, "identifier, string, number, bool");
    }
    *out = x;
    return 0;
}

/* The character the next token starts with (after blanks), or 0. */
static int peek_char(const parser *ps)
{
    const char *p = ps->p;
    while (p < ps->end && (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r')) p++;
    return p < ps->end ? (unsigned char)*p : 0;
}

/* ::type after an identifier or a wildcard; the type is checked by the
 * evaluator, as InfluxDB's parser takes any word here. */
static int parse_cast(parser *ps, st_slice *out)
{
    next(ps);
    if (ps->t.kind != T_IDENT) return expected(ps, "data type");
    *out = ps->t.val;
    next(ps);
    return 0;
}

/* (arg, ...) of a call; the current token is the '('. */
static int parse_call_args(parser *ps, iql_expr *call)
{
    next(ps);
    size_t cap = 0;
    if (ps->t.kind == T_RPAREN) {
        next(ps);
        return 0;
    }
    for (;;) {
        if (call->nargs == cap) {
            cap = cap ? cap * 2 : 4;
            iql_expr **m = st_arena_alloc(ps->a, cap * sizeof *m);
            if (call->nargs) memcpy(m, call->args, call->nargs * sizeof *m);
            call->args = m;
        }
        if (parse_expr(ps, 0, &call->args[call->nargs++])) return ST_EINVAL;
        if (ps->t.kind != T_COMMA) break;
        next(ps);
    }
    if (ps->t.kind != T_RPAREN) return expected(ps, ")");
    next(ps);
    return 0;
}

static int prec_of(const tok *t, iql_op *op)
{
    if (is_kw(t, "OR")) {
        *op = IQL_OP_OR;
        return 1;
    }
    if (is_kw(t, "AND")) {
        *op = IQL_OP_AND;
        return 2;
    }
    if (t->kind != T_OP) return -1;
    *op = t->op;
    switch (t->op) {
    case IQL_OP_EQ: case IQL_OP_NEQ: case IQL_OP_RE: case IQL_OP_NRE:
    case IQL_OP_LT: case IQL_OP_LTE: case IQL_OP_GT: case IQL_OP_GTE:
        return 4;
    case IQL_OP_ADD: case IQL_OP_SUB: case IQL_OP_BOR: case IQL_OP_BXOR:
        return 5;
    case IQL_OP_MUL: case IQL_OP_DIV: case IQL_OP_MOD: case IQL_OP_BAND:
        return 6;
    default:
        return -1;
    }
}

static int parse_expr(parser *ps, int minprec, iql_expr **out)
{
    iql_expr *l;
    if (parse_unary(ps, &l)) return ST_EINVAL;
    for (;;) {
        iql_op op;
        int p = prec_of(&ps->t, &op);
        if (p < 0 || p < minprec) break;
        next(ps);
        iql_expr *r;
        if (parse_expr(ps, p + 1, &r)) return ST_EINVAL;
        iql_expr *b = new_expr(ps, IQL_E_BINARY);
        b->op = op;
        b->l = l;
        b->r = r;
        l = b;
    }
    *out = l;
    return 0;
}

/* -------------------------------------------------------------- clauses */

static int parse_on(parser *ps, iql_stmt *s)
{
    if (accept_kw(ps, "ON")) return parse_ident(ps, &s->on);
    return 0;
}

static int parse_select(parser *ps, iql_stmt *s);

static int parse_source(parser *ps, iql_source *src)
{
    memset(src, 0, sizeof *src);
    if (ps->t.kind == T_LPAREN) { /* a subquery */
        if (ps->depth >= MAX_DEPTH) return fail_at(ps, ps->t.pos, "subqueries nested deeper than %d", MAX_DEPTH);
        next(ps);
        if (!is_kw(&ps->t, "SELECT")) return expected(ps, "SELECT");
        const char *start = ps->t.pos;
        src->sub = st_arena_alloc(ps->a, sizeof *src->sub);
        memset(src->sub, 0, sizeof *src->sub);
        ps->depth++;
        int rc = parse_select(ps, src->sub);
        ps->depth--;
        if (rc) return ST_EINVAL;
        if (ps->t.kind != T_RPAREN) return expected(ps, ")");
        src->sub->text = st_slice_of(start, (size_t)(ps->t.pos - start));
        next(ps);
        return 0;
    }
    if (want_regex(ps)) {
        src->regex = true;
        src->name = ps->t.val;
        next(ps);
        return 0;
    }
    st_slice parts[3];
    int n = 0;
    for (;;) {
        if (ps->t.kind == T_DOT) { /* db..m: the default policy */
            parts[n++] = st_slice_of("", 0);
        } else {
            if (n > 0 && want_regex(ps)) {
                src->regex = true;
                parts[n++] = ps->t.val;
                next(ps);
                break;
            }
            if (parse_ident(ps, &parts[n++])) return ST_EINVAL;
        }
        if (ps->t.kind != T_DOT || n == 3) break;
        next(ps);
    }
    src->name = parts[n - 1];
    if (n >= 2) src->rp = parts[n - 2];
    if (n == 3) src->db = parts[0];
    return 0;
}

static int parse_from(parser *ps, iql_stmt *s, bool required)
{
    if (!accept_kw(ps, "FROM")) return required ? expected(ps, "FROM") : 0;
    size_t cap = 4;
    s->from = st_arena_alloc(ps->a, cap * sizeof *s->from);
    for (;;) {
        if (s->nfrom == cap) {
            iql_source *m = st_arena_alloc(ps->a, 2 * cap * sizeof *m);
            memcpy(m, s->from, cap * sizeof *m);
            s->from = m;
            cap *= 2;
        }
        if (parse_source(ps, &s->from[s->nfrom++])) return ST_EINVAL;
        if (ps->t.kind != T_COMMA) break;
        next(ps);
    }
    return 0;
}

static int parse_where(parser *ps, iql_stmt *s)
{
    if (!accept_kw(ps, "WHERE")) return 0;
    return parse_expr(ps, 0, &s->where);
}

static int parse_limits(parser *ps, iql_stmt *s)
{
    if (accept_kw(ps, "LIMIT") && parse_int(ps, &s->limit)) return ST_EINVAL;
    if (accept_kw(ps, "OFFSET") && parse_int(ps, &s->offset)) return ST_EINVAL;
    if (s->limit < 0 || s->offset < 0) return fail_at(ps, ps->t.pos, "LIMIT and OFFSET must be positive");
    return 0;
}

/* ----------------------------------------------------------- SELECT */

static void *grow(parser *ps, void *old, size_t n, size_t *cap, size_t size)
{
    if (n < *cap) return old;
    size_t nc = *cap ? *cap * 2 : 4;
    void *m = st_arena_alloc(ps->a, nc * size);
    if (n) memcpy(m, old, n * size);
    *cap = nc;
    return m;
}

/* INTO [[db.]rp.]measurement, or db.rp.:MEASUREMENT (each source's name). */
static int parse_into(parser *ps, iql_select *sel)
{
    st_slice parts[3];
    int n = 0;
    sel->has_into = true;
    for (;;) {
        if (ps->t.kind == T_COLON) {
            next(ps);
            if (!is_kw(&ps->t, "MEASUREMENT")) return expected(ps, "MEASUREMENT");
            next(ps);
            sel->into_backref = true;
            parts[n++] = st_slice_of("", 0);
            break;
        }
        if (ps->t.kind == T_DOT) parts[n++] = st_slice_of("", 0);
        else if (parse_ident(ps, &parts[n++])) return ST_EINVAL;
        if (ps->t.kind != T_DOT || n == 3) break;
        next(ps);
    }
    sel->into.name = parts[n - 1];
    if (n >= 2) sel->into.rp = parts[n - 2];
    if (n == 3) sel->into.db = parts[0];
    return 0;
}

/* A duration, maybe negative (GROUP BY time offsets). */
static int parse_signed_duration(parser *ps, int64_t *out)
{
    bool neg = ps->t.kind == T_OP && ps->t.op == IQL_OP_SUB;
    if (neg) next(ps);
    if (parse_duration(ps, false, out)) return ST_EINVAL;
    if (neg) *out = -*out;
    return 0;
}

static int parse_dims(parser *ps, iql_select *sel)
{
    size_t cap = 0;
    for (;;) {
        sel->dims = grow(ps, sel->dims, sel->ndims, &cap, sizeof *sel->dims);
        iql_dim *d = &sel->dims[sel->ndims++];
        memset(d, 0, sizeof *d);
        if (ps->t.kind == T_OP && ps->t.op == IQL_OP_MUL) {
            d->kind = IQL_DIM_ALL;
            next(ps);
        } else if (want_regex(ps)) {
            d->kind = IQL_DIM_REGEX;
            d->name = ps->t.val;
            next(ps);
        } else if (ps->failed) {
            return ST_EINVAL;
        } else if (is_kw(&ps->t, "time") && peek_char(ps) == '(') {
            d->kind = IQL_DIM_TIME;
            next(ps);
            next(ps);
            if (ps->t.kind != T_DURATION) return fail_at(ps, ps->t.pos, "time dimension must have duration argument");
            if (parse_duration(ps, false, &d->interval)) return ST_EINVAL;
            if (ps->t.kind == T_COMMA) {
                next(ps);
                if (is_kw(&ps->t, "now")) {
                    iql_expr *x;
                    if (parse_unary(ps, &x)) return ST_EINVAL;
                    if (x->kind != IQL_E_NOW) return expected(ps, "duration");
                    d->offset_now = true;
                } else if (parse_signed_duration(ps, &d->offset)) {
                    return ST_EINVAL;
                }
            }
            if (ps->t.kind != T_RPAREN) return expected(ps, ")");
            next(ps);
        } else {
            d->kind = IQL_DIM_TAG;
            if (ps->t.kind != T_IDENT && ps->t.kind != T_QIDENT) return expected(ps, "identifier, string, number, bool");
            if (parse_ident(ps, &d->name)) return ST_EINVAL;
            if (ps->t.kind == T_COLONS) { /* host::tag */
                st_slice cast;
                if (parse_cast(ps, &cast)) return ST_EINVAL;
            }
        }
        if (ps->t.kind != T_COMMA) break;
        next(ps);
    }
    return 0;
}

static int parse_fill(parser *ps, iql_select *sel)
{
    next(ps); /* fill */
    if (ps->t.kind != T_LPAREN) return expected(ps, "(");
    next(ps);
    if (accept_kw(ps, "null")) sel->fill = IQL_FILL_NULL;
    else if (accept_kw(ps, "none")) sel->fill = IQL_FILL_NONE;
    else if (accept_kw(ps, "previous")) sel->fill = IQL_FILL_PREVIOUS;
    else if (accept_kw(ps, "linear")) sel->fill = IQL_FILL_LINEAR;
    else {
        if (ps->t.kind != T_NUMBER && ps->t.kind != T_INTEGER && !(ps->t.kind == T_OP && ps->t.op == IQL_OP_SUB))
            return fail_plain(ps, "expected number argument in fill()");
        iql_expr *x;
        if (parse_unary(ps, &x)) return ST_EINVAL;
        if (x->kind != IQL_E_NUMBER) return fail_plain(ps, "expected number argument in fill()");
        sel->fill = IQL_FILL_VALUE;
        sel->fill_value = x;
    }
    if (ps->t.kind != T_RPAREN) return expected(ps, ")");
    next(ps);
    return 0;
}

static int parse_select(parser *ps, iql_stmt *s)
{
    s->kind = IQL_SELECT;
    iql_select *sel = st_arena_alloc(ps->a, sizeof *sel);
    memset(sel, 0, sizeof *sel);
    s->sel = sel;
    if (expect_kw(ps, "SELECT")) return ST_EINVAL;
    size_t cap = 0;
    for (;;) {
        sel->fields = grow(ps, sel->fields, sel->nfields, &cap, sizeof *sel->fields);
        iql_field *f = &sel->fields[sel->nfields++];
        memset(f, 0, sizeof *f);
        if (parse_expr(ps, 0, &f->expr)) return ST_EINVAL;
        if (accept_kw(ps, "AS") && parse_ident(ps, &f->alias)) return ST_EINVAL;
        if (ps->t.kind != T_COMMA) break;
        next(ps);
    }
    if (accept_kw(ps, "INTO")) {
        if (parse_into(ps, sel)) return ST_EINVAL;
    } else if (ps->cq && ps->depth == 0) {
        return expected(ps, "INTO");
    }
    if (parse_from(ps, s, true) || parse_where(ps, s)) return ST_EINVAL;
    bool cq = ps->cq && ps->depth == 0;
    if (accept_kw(ps, "GROUP")) {
        if (expect_kw(ps, "BY")) return ST_EINVAL;
        /* a continuous query groups by time first */
        if (cq && !(is_kw(&ps->t, "time") && peek_char(ps) == '(')) return expected(ps, "GROUP BY time(...)");
        if (parse_dims(ps, sel)) return ST_EINVAL;
    } else if (cq) {
        /* InfluxDB names the statement's source as the token found */
        char found[80];
        const iql_source *src = s->nfrom ? &s->from[0] : NULL;
        snprintf(found, sizeof found, "%.*s", src ? (int)(src->name.n > 60 ? 60 : src->name.n) : 3,
                 src ? src->name.p : "EOF");
        return fail_at(ps, src && src->name.p ? src->name.p : ps->t.pos, "found %s, expected GROUP BY time(...)", found);
    }
    if (is_kw(&ps->t, "fill") && parse_fill(ps, sel)) return ST_EINVAL;
    if (accept_kw(ps, "ORDER")) {
        if (expect_kw(ps, "BY")) return ST_EINVAL;
        if (!is_kw(&ps->t, "time")) return fail_plain(ps, "only ORDER BY time supported at this time");
        next(ps);
        if (accept_kw(ps, "DESC")) sel->desc = true;
        else accept_kw(ps, "ASC");
        if (ps->t.kind == T_COMMA) return fail_plain(ps, "only ORDER BY time supported at this time");
    }
    if (accept_kw(ps, "LIMIT") && parse_int(ps, &s->limit)) return ST_EINVAL;
    if (accept_kw(ps, "OFFSET") && parse_int(ps, &s->offset)) return ST_EINVAL;
    if (accept_kw(ps, "SLIMIT") && parse_int(ps, &sel->slimit)) return ST_EINVAL;
    if (accept_kw(ps, "SOFFSET") && parse_int(ps, &sel->soffset)) return ST_EINVAL;
    if (is_kw(&ps->t, "tz") && peek_char(ps) == '(') {
        next(ps);
        next(ps);
        if (ps->t.kind != T_STRING) return expected(ps, "string");
        sel->tz = ps->t.val;
        /* an unknown zone is a parse error in InfluxDB */
        iql_tz *z;
        st_err ze;
        if (iql_tz_load(sel->tz, &z, &ze)) {
            char msg[200];
            snprintf(msg, sizeof msg, "unable to find time zone %.*s", (int)(sel->tz.n > 100 ? 100 : sel->tz.n), sel->tz.p);
            return fail_plain(ps, msg);
        }
        iql_tz_free(z);
        next(ps);
        if (ps->t.kind != T_RPAREN) return expected(ps, ")");
        next(ps);
    }
    return 0;
}

/* ----------------------------------------------------------- statements */

static int parse_rp_options(parser *ps, iql_stmt *s, bool create)
{
    bool any = false;
    for (;;) {
        if (accept_kw(ps, "DURATION")) {
            if (s->has_duration) return fail_at(ps, ps->t.pos, "found option DURATION twice");
            if (parse_duration(ps, true, &s->duration)) return ST_EINVAL;
            s->has_duration = true;
        } else if (accept_kw(ps, "REPLICATION")) {
            if (parse_int(ps, &s->replication)) return ST_EINVAL;
            if (s->replication < 1) return fail_at(ps, ps->t.pos, "invalid value %" PRId64 ": must be 1 <= n <= 2147483647", s->replication);
            s->has_replication = true;
        } else if (is_kw(&ps->t, "SHARD")) {
            next(ps);
            if (expect_kw(ps, "DURATION") || parse_duration(ps, true, &s->shard_duration)) return ST_EINVAL;
            s->has_shard_duration = true;
        } else if (accept_kw(ps, "DEFAULT")) {
            s->is_default = true;
        } else {
            break;
        }
        any = true;
    }
    if (create && (!s->has_duration || !s->has_replication)) {
        if (!s->has_duration) return expected(ps, "DURATION");
        return expected(ps, "REPLICATION");
    }
    if (!any) return expected(ps, "DURATION, REPLICATION, SHARD, DEFAULT");
    return 0;
}

/* ------------------------------------------------ users, grants, tokens */

/* A 'string' literal, its escapes decoded (a password: never an identifier,
 * as in InfluxDB). */
static int parse_string(parser *ps, st_slice *out)
{
    if (ps->t.kind != T_STRING) return expected(ps, "string");
    *out = ps->t.val;
    next(ps);
    return 0;
}

/* CREATE USER u WITH PASSWORD 'pw' [WITH ALL PRIVILEGES], after USER. */
static int parse_create_user(parser *ps, iql_stmt *s)
{
    s->kind = IQL_CREATE_USER;
    if (parse_ident(ps, &s->user) || expect_kw(ps, "WITH") || expect_kw(ps, "PASSWORD") ||
        parse_string(ps, &s->password))
        return ST_EINVAL;
    if (!accept_kw(ps, "WITH")) return 0;
    if (expect_kw(ps, "ALL") || expect_kw(ps, "PRIVILEGES")) return ST_EINVAL;
    s->all_privileges = true;
    return 0;
}

/* SET PASSWORD FOR u = 'pw', after SET. */
static int parse_set_password(parser *ps, iql_stmt *s)
{
    s->kind = IQL_SET_PASSWORD;
    if (expect_kw(ps, "PASSWORD") || expect_kw(ps, "FOR") || parse_ident(ps, &s->user)) return ST_EINVAL;
    if (ps->t.kind != T_OP || ps->t.op != IQL_OP_EQ) return expected(ps, "=");
    next(ps);
    return parse_string(ps, &s->password);
}

/* READ, WRITE or ALL [PRIVILEGES] (PRIVILEGES only after ALL, as InfluxDB
 * has it); 0 after an error. */
static iql_priv_set parse_privilege(parser *ps)
{
    if (accept_kw(ps, "READ")) return IQL_GRANT_READ;
    if (accept_kw(ps, "WRITE")) return IQL_GRANT_WRITE;
    if (accept_kw(ps, "ALL")) {
        accept_kw(ps, "PRIVILEGES");
        return IQL_GRANT_ALL;
    }
    expected(ps, "READ, WRITE, ALL [PRIVILEGES]");
    return 0;
}

/* After GRANT: priv ON db TO u, or ALL [PRIVILEGES] TO u (the server's
 * admin); after REVOKE the same with FROM u. */
static int parse_grant(parser *ps, iql_stmt *s, bool revoke)
{
    const char *to = revoke ? "FROM" : "TO";
    s->kind = revoke ? IQL_REVOKE : IQL_GRANT;
    iql_priv_set p = parse_privilege(ps);
    if (!p) return ST_EINVAL;
    if (accept_kw(ps, "ON")) {
        s->grant = p;
        return parse_ident(ps, &s->on) || expect_kw(ps, to) || parse_ident(ps, &s->user) ? ST_EINVAL : 0;
    }
    if (p == IQL_GRANT_ALL && accept_kw(ps, to)) {
        s->all_privileges = true;
        return parse_ident(ps, &s->user);
    }
    if (p != IQL_GRANT_ALL) return expected(ps, "ON");
    return expected(ps, revoke ? "ON, FROM" : "ON, TO");
}

static int parse_create(parser *ps, iql_stmt *s)
{
    if (accept_kw(ps, "DATABASE")) {
        s->kind = IQL_CREATE_DATABASE;
        if (parse_ident(ps, &s->name)) return ST_EINVAL;
        if (!accept_kw(ps, "WITH")) return 0;
        bool any = false;
        for (;;) {
            if (accept_kw(ps, "DURATION")) {
                if (parse_duration(ps, true, &s->duration)) return ST_EINVAL;
                s->has_duration = true;
            } else if (accept_kw(ps, "REPLICATION")) {
                if (parse_int(ps, &s->replication)) return ST_EINVAL;
                s->has_replication = true;
            } else if (accept_kw(ps, "SHARD")) {
                if (expect_kw(ps, "DURATION") || parse_duration(ps, true, &s->shard_duration)) return ST_EINVAL;
                s->has_shard_duration = true;
            } else if (accept_kw(ps, "NAME")) {
                if (parse_ident(ps, &s->rp_name)) return ST_EINVAL;
                s->has_rp_name = true;
            } else {
                break;
            }
            any = true;
        }
        if (!any) return expected(ps, "DURATION, NAME, REPLICATION, SHARD");
        return 0;
    }
    if (accept_kw(ps, "RETENTION")) {
        s->kind = IQL_CREATE_RETENTION_POLICY;
        if (expect_kw(ps, "POLICY") || parse_ident(ps, &s->name) || expect_kw(ps, "ON") ||
            parse_ident(ps, &s->on))
            return ST_EINVAL;
        return parse_rp_options(ps, s, true);
    }
    if (accept_kw(ps, "CONTINUOUS")) {
        s->kind = IQL_CREATE_CQ;
        if (expect_kw(ps, "QUERY") || parse_ident(ps, &s->name) || expect_kw(ps, "ON") || parse_ident(ps, &s->on))
            return ST_EINVAL;
        if (accept_kw(ps, "RESAMPLE")) {
            bool any = false;
            if (accept_kw(ps, "EVERY")) {
                if (parse_duration(ps, false, &s->cq_every)) return ST_EINVAL;
                any = true;
            }
            if (accept_kw(ps, "FOR")) {
                if (parse_duration(ps, false, &s->cq_for)) return ST_EINVAL;
                any = true;
            }
            if (!any) return expected(ps, "EVERY, FOR");
        }
        if (expect_kw(ps, "BEGIN")) return ST_EINVAL;
        if (!is_kw(&ps->t, "SELECT")) return expected(ps, "SELECT");
        const char *start = ps->t.pos;
        s->cq = st_arena_alloc(ps->a, sizeof *s->cq);
        memset(s->cq, 0, sizeof *s->cq);
        ps->cq = true;
        int rc = parse_select(ps, s->cq);
        ps->cq = false;
        if (rc) return ST_EINVAL;
        s->cq->text = st_slice_of(start, (size_t)(ps->t.pos - start));
        while (s->cq->text.n && (s->cq->text.p[s->cq->text.n - 1] == ' ' || s->cq->text.p[s->cq->text.n - 1] == '\n'))
            s->cq->text.n--;
        return expect_kw(ps, "END");
    }
    if (accept_kw(ps, "USER")) return parse_create_user(ps, s);
    if (accept_kw(ps, "TOKEN")) {
        s->kind = IQL_CREATE_TOKEN;
        return expect_kw(ps, "FOR") || parse_ident(ps, &s->user) ? ST_EINVAL : 0;
    }
    if (accept_kw(ps, "ACCESS")) {
        s->kind = IQL_CREATE_ACCESS_KEY;
        return expect_kw(ps, "KEY") || expect_kw(ps, "FOR") || parse_ident(ps, &s->user) ? ST_EINVAL : 0;
    }
    if (is_kw(&ps->t, "SUBSCRIPTION")) {
        s->kind = IQL_UNSUPPORTED;
        return 0;
    }
    return expected(ps, "CONTINUOUS, DATABASE, USER, RETENTION, SUBSCRIPTION");
}

static int parse_drop(parser *ps, iql_stmt *s)
{
    if (accept_kw(ps, "DATABASE")) {
        s->kind = IQL_DROP_DATABASE;
        return parse_ident(ps, &s->name);
    }
    if (accept_kw(ps, "RETENTION")) {
        s->kind = IQL_DROP_RETENTION_POLICY;
        return expect_kw(ps, "POLICY") || parse_ident(ps, &s->name) || expect_kw(ps, "ON") ||
                       parse_ident(ps, &s->on)
                   ? ST_EINVAL
                   : 0;
    }
    if (accept_kw(ps, "SERIES")) {
        s->kind = IQL_DROP_SERIES;
        if (!is_kw(&ps->t, "FROM") && !is_kw(&ps->t, "WHERE")) return expected(ps, "FROM, WHERE");
        if (parse_from(ps, s, false) || parse_where(ps, s)) return ST_EINVAL;
        return 0;
    }
    if (accept_kw(ps, "MEASUREMENT")) {
        s->kind = IQL_DROP_MEASUREMENT;
        return parse_ident(ps, &s->name);
    }
    if (accept_kw(ps, "CONTINUOUS")) {
        s->kind = IQL_DROP_CQ;
        return expect_kw(ps, "QUERY") || parse_ident(ps, &s->name) || expect_kw(ps, "ON") || parse_ident(ps, &s->on)
                   ? ST_EINVAL
                   : 0;
    }
    if (accept_kw(ps, "USER")) {
        s->kind = IQL_DROP_USER;
        return parse_ident(ps, &s->user);
    }
    if (accept_kw(ps, "ACCESS")) {
        s->kind = IQL_DROP_ACCESS_KEY;
        return expect_kw(ps, "KEY") || expect_kw(ps, "FOR") || parse_ident(ps, &s->user) ? ST_EINVAL : 0;
    }
    if (accept_kw(ps, "TOKEN")) { /* its id: a 'string' or an identifier */
        s->kind = IQL_DROP_TOKEN;
        if (ps->t.kind == T_STRING) return parse_string(ps, &s->name);
        if (ps->t.kind == T_QIDENT || (ps->t.kind == T_IDENT && !is_reserved(&ps->t))) return parse_ident(ps, &s->name);
        return expected(ps, "string, identifier");
    }
    if (is_kw(&ps->t, "SHARD") || is_kw(&ps->t, "SUBSCRIPTION")) {
        s->kind = IQL_UNSUPPORTED;
        return 0;
    }
    return expected(ps, "CONTINUOUS, DATABASE, MEASUREMENT, RETENTION, SERIES, SHARD, SUBSCRIPTION, USER");
}

static int parse_with_key(parser *ps, iql_stmt *s)
{
    if (expect_kw(ps, "WITH") || expect_kw(ps, "KEY")) return ST_EINVAL;
    if (accept_kw(ps, "IN")) {
        if (ps->t.kind != T_LPAREN) return expected(ps, "(");
        next(ps);
        size_t cap = 8;
        s->with_in = st_arena_alloc(ps->a, cap * sizeof *s->with_in);
        for (;;) {
            if (s->nwith_in == cap) {
                st_slice *m = st_arena_alloc(ps->a, 2 * cap * sizeof *m);
                memcpy(m, s->with_in, cap * sizeof *m);
                s->with_in = m;
                cap *= 2;
            }
            if (parse_ident(ps, &s->with_in[s->nwith_in++])) return ST_EINVAL;
            if (ps->t.kind != T_COMMA) break;
            next(ps);
        }
        if (ps->t.kind != T_RPAREN) return expected(ps, ")");
        next(ps);
        s->with_op = IQL_OP_EQ;
        return 0;
    }
    if (ps->t.kind != T_OP || (ps->t.op != IQL_OP_EQ && ps->t.op != IQL_OP_NEQ && ps->t.op != IQL_OP_RE &&
                               ps->t.op != IQL_OP_NRE))
        return expected(ps, "IN, =, =~");
    s->with_op = ps->t.op;
    next(ps);
    if (s->with_op == IQL_OP_RE || s->with_op == IQL_OP_NRE) {
        if (!want_regex(ps)) return ps->failed ? ST_EINVAL : expected(ps, "regex");
        s->with_value = ps->t.val;
        s->with_regex = true;
        next(ps);
        return 0;
    }
    return parse_ident(ps, &s->with_value);
}

static int parse_show(parser *ps, iql_stmt *s)
{
    if (accept_kw(ps, "DATABASES")) {
        s->kind = IQL_SHOW_DATABASES;
        return 0;
    }
    if (accept_kw(ps, "RETENTION")) {
        s->kind = IQL_SHOW_RETENTION_POLICIES;
        return expect_kw(ps, "POLICIES") || parse_on(ps, s) ? ST_EINVAL : 0;
    }
    if (accept_kw(ps, "USERS")) {
        s->kind = IQL_SHOW_USERS;
        return 0;
    }
    if (accept_kw(ps, "MEASUREMENTS")) {
        s->kind = IQL_SHOW_MEASUREMENTS;
        if (parse_on(ps, s)) return ST_EINVAL;
        if (accept_kw(ps, "WITH")) {
            if (expect_kw(ps, "MEASUREMENT")) return ST_EINVAL;
            if (ps->t.kind != T_OP || (ps->t.op != IQL_OP_EQ && ps->t.op != IQL_OP_RE)) return expected(ps, "=, =~");
            s->with_op = ps->t.op;
            next(ps);
            if (s->with_op == IQL_OP_RE) {
                if (!want_regex(ps)) return ps->failed ? ST_EINVAL : expected(ps, "regex");
                s->with_value = ps->t.val;
                s->with_regex = true;
                next(ps);
            } else if (parse_ident(ps, &s->with_value)) {
                return ST_EINVAL;
            }
        }
        return parse_where(ps, s) || parse_limits(ps, s) ? ST_EINVAL : 0;
    }
    if (accept_kw(ps, "TAG")) {
        if (accept_kw(ps, "KEYS")) {
            s->kind = IQL_SHOW_TAG_KEYS;
            return parse_on(ps, s) || parse_from(ps, s, false) || parse_where(ps, s) || parse_limits(ps, s)
                       ? ST_EINVAL
                       : 0;
        }
        if (accept_kw(ps, "VALUES")) {
            s->kind = IQL_SHOW_TAG_VALUES;
            return parse_on(ps, s) || parse_from(ps, s, false) || parse_with_key(ps, s) || parse_where(ps, s) ||
                           parse_limits(ps, s)
                       ? ST_EINVAL
                       : 0;
        }
        return expected(ps, "KEYS, VALUES");
    }
    if (accept_kw(ps, "FIELD")) {
        if (!accept_kw(ps, "KEYS")) return expected(ps, "KEYS");
        s->kind = IQL_SHOW_FIELD_KEYS;
        return parse_on(ps, s) || parse_from(ps, s, false) || parse_limits(ps, s) ? ST_EINVAL : 0;
    }
    if (accept_kw(ps, "SERIES")) {
        if (is_kw(&ps->t, "CARDINALITY") || is_kw(&ps->t, "EXACT")) {
            s->kind = IQL_UNSUPPORTED;
            return 0;
        }
        s->kind = IQL_SHOW_SERIES;
        return parse_on(ps, s) || parse_from(ps, s, false) || parse_where(ps, s) || parse_limits(ps, s)
                   ? ST_EINVAL
                   : 0;
    }
    if (accept_kw(ps, "CONTINUOUS")) {
        s->kind = IQL_SHOW_CQS;
        return expect_kw(ps, "QUERIES");
    }
    if (accept_kw(ps, "GRANTS")) { /* FOR is required, as in InfluxDB */
        s->kind = IQL_SHOW_GRANTS;
        return expect_kw(ps, "FOR") || parse_ident(ps, &s->user) ? ST_EINVAL : 0;
    }
    if (accept_kw(ps, "TOKENS")) { /* without FOR: every user's */
        s->kind = IQL_SHOW_TOKENS;
        return accept_kw(ps, "FOR") ? parse_ident(ps, &s->user) : 0;
    }
    static const char *const other[] = {"DIAGNOSTICS", "QUERIES", "SHARD", "SHARDS",
                                        "STATS", "SUBSCRIPTIONS", "MEASUREMENT"};
    for (size_t i = 0; i < sizeof other / sizeof *other; i++)
        if (is_kw(&ps->t, other[i])) {
            s->kind = IQL_UNSUPPORTED;
            return 0;
        }
    return expected(ps, "CONTINUOUS, DATABASES, DIAGNOSTICS, FIELD, GRANTS, MEASUREMENT, MEASUREMENTS, "
                        "QUERIES, RETENTION, SERIES, SHARD, SHARDS, STATS, SUBSCRIPTIONS, TAG, USERS");
}

/* Skips an unsupported statement to its ';' or the end, keeping quoted
 * tokens whole so a ';' inside a string does not end it. */
static void skip_statement(parser *ps)
{
    while (ps->t.kind != T_EOF && ps->t.kind != T_SEMI && !ps->failed) next(ps);
}

static int parse_statement(parser *ps, iql_stmt *s)
{
    memset(s, 0, sizeof *s);
    ps->nodes = 0;
    const char *start = ps->t.pos;
    int rc;
    if (accept_kw(ps, "CREATE")) rc = parse_create(ps, s);
    else if (accept_kw(ps, "DROP")) rc = parse_drop(ps, s);
    else if (accept_kw(ps, "SHOW")) rc = parse_show(ps, s);
    else if (accept_kw(ps, "ALTER")) {
        s->kind = IQL_ALTER_RETENTION_POLICY;
        rc = expect_kw(ps, "RETENTION") || expect_kw(ps, "POLICY") || parse_ident(ps, &s->name) ||
                     expect_kw(ps, "ON") || parse_ident(ps, &s->on) || parse_rp_options(ps, s, false)
                 ? ST_EINVAL
                 : 0;
    } else if (accept_kw(ps, "DELETE")) {
        s->kind = IQL_DELETE;
        if (!is_kw(&ps->t, "FROM") && !is_kw(&ps->t, "WHERE")) rc = expected(ps, "FROM, WHERE");
        else rc = parse_from(ps, s, false) || parse_where(ps, s) ? ST_EINVAL : 0;
    } else if (is_kw(&ps->t, "SELECT")) {
        rc = parse_select(ps, s);
    } else if (accept_kw(ps, "GRANT")) {
        rc = parse_grant(ps, s, false);
    } else if (accept_kw(ps, "REVOKE")) {
        rc = parse_grant(ps, s, true);
    } else if (accept_kw(ps, "SET")) {
        rc = parse_set_password(ps, s);
    } else if (is_kw(&ps->t, "EXPLAIN") || is_kw(&ps->t, "KILL")) {
        s->kind = IQL_UNSUPPORTED;
        rc = 0;
    } else {
        rc = expected(ps, "SELECT, DELETE, SHOW, CREATE, DROP, EXPLAIN, GRANT, REVOKE, ALTER, SET, KILL");
    }
    if (rc) return rc;
    if (s->kind == IQL_UNSUPPORTED) skip_statement(ps);
    if (ps->failed) return ST_EINVAL;
    if (ps->t.kind != T_EOF && ps->t.kind != T_SEMI) return expected(ps, ";");
    const char *stop = ps->t.kind == T_EOF ? ps->end : ps->t.pos;
    while (stop > start && (stop[-1] == ' ' || stop[-1] == '\n' || stop[-1] == '\t' || stop[-1] == '\r')) stop--;
    s->text = st_slice_of(start, (size_t)(stop - start));
    return 0;
}

int iql_parse(const char *q, size_t n, st_arena *a, iql_stmt **out, size_t *nout, st_err *e)
{
    parser ps = {.q = q, .end = q + n, .p = q, .a = a, .e = e};
    size_t cap = 4, cnt = 0;
    iql_stmt *v = st_arena_alloc(a, cap * sizeof *v);
    next(&ps);
    for (;;) {
        while (ps.t.kind == T_SEMI) next(&ps);
        if (ps.failed) return ST_EINVAL;
        if (ps.t.kind == T_EOF) break;
        if (cnt == cap) {
            iql_stmt *m = st_arena_alloc(a, 2 * cap * sizeof *m);
            memcpy(m, v, cap * sizeof *m);
            v = m;
            cap *= 2;
        }
        if (parse_statement(&ps, &v[cnt])) return ST_EINVAL;
        cnt++;
    }
    if (!cnt) return st_fail(e, ST_EINVAL, "empty query");
    *out = v;
    *nout = cnt;
    return 0;
}

void iql_format_duration(int64_t ns, char *out, size_t cap)
{
    /* Go's Duration.String: h, m and s always shown once hours are; seconds
     * carry the fraction; below a second ms/µs/ns units */
    if (ns == 0) {
        snprintf(out, cap, "0s");
        return;
    }
    const char *sign = ns < 0 ? "-" : "";
    uint64_t u = ns < 0 ? (uint64_t)0 - (uint64_t)ns : (uint64_t)ns;
    if (u < (uint64_t)ST_NS_PER_S) {
        const char *unit = "ns";
        uint64_t div = 1;
        if (u >= 1000000) {
            unit = "ms";
            div = 1000000;
        } else if (u >= 1000) {
            unit = "\xc2\xb5s";
            div = 1000;
        }
        char frac[16] = "";
        if (u % div) {
            snprintf(frac, sizeof frac, ".%0*" PRIu64, div == 1000000 ? 6 : 3, u % div);
            size_t k = strlen(frac);
            while (k > 1 && frac[k - 1] == '0') frac[--k] = 0;
        }
        snprintf(out, cap, "%s%" PRIu64 "%s%s", sign, u / div, frac, unit);
        return;
    }
    uint64_t secs = u / (uint64_t)ST_NS_PER_S, sub = u % (uint64_t)ST_NS_PER_S;
    char frac[16] = "";
    if (sub) {
        snprintf(frac, sizeof frac, ".%09" PRIu64, sub);
        size_t k = strlen(frac);
        while (frac[k - 1] == '0') frac[--k] = 0;
    }
    uint64_t h = secs / 3600, m = secs / 60 % 60, s = secs % 60;
    if (h) snprintf(out, cap, "%s%" PRIu64 "h%" PRIu64 "m%" PRIu64 "%ss", sign, h, m, s, frac);
    else if (m) snprintf(out, cap, "%s%" PRIu64 "m%" PRIu64 "%ss", sign, m, s, frac);
    else snprintf(out, cap, "%s%" PRIu64 "%ss", sign, s, frac);
}
