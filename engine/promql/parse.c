/* parse: the PromQL parser (Prometheus 2.42 grammar) and its type checker.
 *
 * A recursive-descent rendering of generated_parser.y. Precedence and
 * associativity follow the yacc declarations: or < and/unless < comparisons
 * < + - < * / % atan2 < ^ (right-associative); a unary sign binds like '*'
 * (so -a^b is -(a^b)); '[...]', offset and @ bind tighter than everything and
 * apply to the expression just before them.
 *
 * Errors follow parse.go: every error is recorded in order of discovery and
 * only the first is reported. Syntax errors stop the parse (longjmp back to
 * promql_parse_ex; all memory is in the arena, so nothing leaks). Semantic
 * errors found while parsing (unknown function, bad duration, offset on a
 * function call...) are recorded and parsing continues, as yacc actions do.
 * Type checking (check()) runs only on a tree without errors and visits
 * nodes in checkAST's order, so the first error is the one Prometheus gives.
 *
 * The wording of a syntax error depends on which yacc error production
 * catches it; each site below passes the context/expected pair of the
 * production yacc would use, and the innermost enclosing aggregation (whose
 * "aggregate_op error" rule catches errors of everything nested inside it)
 * supplies " in aggregation" otherwise.
 */
#include "promql_int.h"

#include <errno.h>
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- function table (promql/parser/functions.go of 2.42) ---- */

#define S PROMQL_TYPE_SCALAR
#define V PROMQL_TYPE_VECTOR
#define M PROMQL_TYPE_MATRIX
#define STR PROMQL_TYPE_STRING
static const promql_function functions[] = {
    {"abs", {V}, 1, 0, V},
    {"absent", {V}, 1, 0, V},
    {"absent_over_time", {M}, 1, 0, V},
    {"acos", {V}, 1, 0, V},
    {"acosh", {V}, 1, 0, V},
    {"asin", {V}, 1, 0, V},
    {"asinh", {V}, 1, 0, V},
    {"atan", {V}, 1, 0, V},
    {"atanh", {V}, 1, 0, V},
    {"avg_over_time", {M}, 1, 0, V},
    {"ceil", {V}, 1, 0, V},
    {"changes", {M}, 1, 0, V},
    {"clamp", {V, S, S}, 3, 0, V},
    {"clamp_max", {V, S}, 2, 0, V},
    {"clamp_min", {V, S}, 2, 0, V},
    {"cos", {V}, 1, 0, V},
    {"cosh", {V}, 1, 0, V},
    {"count_over_time", {M}, 1, 0, V},
    {"day_of_month", {V}, 1, 1, V},
    {"day_of_week", {V}, 1, 1, V},
    {"day_of_year", {V}, 1, 1, V},
    {"days_in_month", {V}, 1, 1, V},
    {"deg", {V}, 1, 0, V},
    {"delta", {M}, 1, 0, V},
    {"deriv", {M}, 1, 0, V},
    {"exp", {V}, 1, 0, V},
    {"floor", {V}, 1, 0, V},
    {"histogram_count", {V}, 1, 0, V},
    {"histogram_fraction", {S, S, V}, 3, 0, V},
    {"histogram_quantile", {S, V}, 2, 0, V},
    {"histogram_sum", {V}, 1, 0, V},
    {"holt_winters", {M, S, S}, 3, 0, V},
    {"hour", {V}, 1, 1, V},
    {"idelta", {M}, 1, 0, V},
    {"increase", {M}, 1, 0, V},
    {"irate", {M}, 1, 0, V},
    {"label_join", {V, STR, STR, STR}, 4, -1, V},
    {"label_replace", {V, STR, STR, STR, STR}, 5, 0, V},
    {"last_over_time", {M}, 1, 0, V},
    {"ln", {V}, 1, 0, V},
    {"log10", {V}, 1, 0, V},
    {"log2", {V}, 1, 0, V},
    {"max_over_time", {M}, 1, 0, V},
    {"min_over_time", {M}, 1, 0, V},
    {"minute", {V}, 1, 1, V},
    {"month", {V}, 1, 1, V},
    {"pi", {PROMQL_TYPE_NONE}, 0, 0, S},
    {"predict_linear", {M, S}, 2, 0, V},
    {"present_over_time", {M}, 1, 0, V},
    {"quantile_over_time", {S, M}, 2, 0, V},
    {"rad", {V}, 1, 0, V},
    {"rate", {M}, 1, 0, V},
    {"resets", {M}, 1, 0, V},
    {"round", {V, S}, 2, 1, V},
    {"scalar", {V}, 1, 0, S},
    {"sgn", {V}, 1, 0, V},
    {"sin", {V}, 1, 0, V},
    {"sinh", {V}, 1, 0, V},
    {"sort", {V}, 1, 0, V},
    {"sort_desc", {V}, 1, 0, V},
    {"sqrt", {V}, 1, 0, V},
    {"stddev_over_time", {M}, 1, 0, V},
    {"stdvar_over_time", {M}, 1, 0, V},
    {"sum_over_time", {M}, 1, 0, V},
    {"tan", {V}, 1, 0, V},
    {"tanh", {V}, 1, 0, V},
    {"time", {PROMQL_TYPE_NONE}, 0, 0, S},
    {"timestamp", {V}, 1, 0, V},
    {"vector", {S}, 1, 0, V},
    {"year", {V}, 1, 1, V},
};
#undef S
#undef V
#undef M
#undef STR

const promql_function *promql_functions(size_t *n)
{
    *n = ST_ARRAY_LEN(functions);
    return functions;
}

const promql_function *promql_function_lookup(const char *name, size_t len)
{
    size_t lo = 0, hi = ST_ARRAY_LEN(functions);
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        int c = strncmp(functions[mid].name, name, len);
        if (c == 0 && functions[mid].name[len] != 0) c = 1;
        if (c == 0) return &functions[mid];
        if (c < 0) lo = mid + 1;
        else hi = mid;
    }
    return NULL;
}

/* ---- names ---- */

const char *promql_type_name(promql_type t)
{
    switch (t) {
    case PROMQL_TYPE_SCALAR: return "scalar";
    case PROMQL_TYPE_VECTOR: return "instant vector";
    case PROMQL_TYPE_MATRIX: return "range vector";
    case PROMQL_TYPE_STRING: return "string";
    default: return "none";
    }
}

/* ValueType's own String(), used by the subquery message. */
static const char *value_type_str(promql_type t)
{
    switch (t) {
    case PROMQL_TYPE_SCALAR: return "scalar";
    case PROMQL_TYPE_VECTOR: return "vector";
    case PROMQL_TYPE_MATRIX: return "matrix";
    case PROMQL_TYPE_STRING: return "string";
    default: return "none";
    }
}

const char *promql_binop_str(promql_binop op)
{
    static const char *s[] = {"+", "-", "*", "/", "%", "^", "atan2", "==", "!=", "<=", "<",
                              ">=", ">", "and", "or", "unless"};
    return (size_t)op < ST_ARRAY_LEN(s) ? s[op] : "?";
}

const char *promql_aggop_str(promql_aggop op)
{
    static const char *s[] = {"sum", "avg", "count", "min", "max", "group", "stddev",
                              "stdvar", "topk", "bottomk", "count_values", "quantile"};
    return (size_t)op < ST_ARRAY_LEN(s) ? s[op] : "?";
}

bool promql_binop_is_comparison(promql_binop op) { return op >= PROMQL_EQLC && op <= PROMQL_GTR; }
bool promql_binop_is_set(promql_binop op) { return op >= PROMQL_LAND && op <= PROMQL_LUNLESS; }

promql_type promql_node_type(const promql_node *n)
{
    switch (n->kind) {
    case PROMQL_NUMBER: return PROMQL_TYPE_SCALAR;
    case PROMQL_STRING: return PROMQL_TYPE_STRING;
    case PROMQL_VECTOR_SELECTOR: return PROMQL_TYPE_VECTOR;
    case PROMQL_MATRIX_SELECTOR: return PROMQL_TYPE_MATRIX;
    case PROMQL_SUBQUERY: return PROMQL_TYPE_MATRIX;
    case PROMQL_CALL: return n->u.call.func ? n->u.call.func->ret : PROMQL_TYPE_NONE;
    case PROMQL_AGGREGATE: return PROMQL_TYPE_VECTOR;
    case PROMQL_BINARY:
        if (promql_node_type(n->u.bin.lhs) == PROMQL_TYPE_SCALAR &&
            promql_node_type(n->u.bin.rhs) == PROMQL_TYPE_SCALAR)
            return PROMQL_TYPE_SCALAR;
        return PROMQL_TYPE_VECTOR;
    case PROMQL_UNARY: return promql_node_type(n->u.unary.expr);
    case PROMQL_PAREN: return promql_node_type(n->u.paren.expr);
    }
    return PROMQL_TYPE_NONE;
}

/* ---- parser state ---- */

typedef struct parser {
    promql_lexer lx;
    promql_token tok;
    bool have;
    size_t last_end; /* end of the last consumed token (Prometheus's lastClosing, near enough) */
    st_arena *a;
    const char *q;
    size_t qlen;
    bool failed;
    size_t err_pos;
    char err[ST_ERR_MSG];
    int agg_depth; /* enclosing aggregations: their error rule catches nested errors */
    int depth;     /* recursion depth */
    jmp_buf jb;
} parser;

static void record(parser *p, size_t pos, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void record(parser *p, size_t pos, const char *fmt, ...)
{
    if (p->failed) return;
    p->failed = true;
    p->err_pos = pos;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(p->err, sizeof p->err, fmt, ap);
    va_end(ap);
}

static promql_token *peek(parser *p)
{
    if (!p->have) {
        promql_lex_next(&p->lx, &p->tok);
        p->have = true;
        if (p->tok.type == T_ERROR) {
            /* lexer errors are recorded when lexed; yacc then sees EOF */
            record(p, p->tok.pos, "%s", p->lx.err);
            longjmp(p->jb, 1);
        }
    }
    return &p->tok;
}

static promql_token advance(parser *p)
{
    promql_token t = *peek(p);
    p->have = false;
    p->last_end = t.pos + t.len;
    return t;
}

static bool tok_is_op(tok_type t) { return t >= T_OP_FIRST && t <= T_OP_LAST; }
static bool tok_is_agg(tok_type t) { return t >= T_AGG_FIRST && t <= T_AGG_LAST; }
static bool tok_is_kw(tok_type t) { return t >= T_KW_FIRST && t <= T_KW_LAST; }

/* Item.desc() of lex.go. */
static void tok_desc(parser *p, const promql_token *t, st_buf *b)
{
    const char *text = p->q + t->pos;
    switch (t->type) {
    case T_EOF: st_buf_printf(b, "end of input"); return;
    case T_IDENT: st_buf_printf(b, "identifier "); promql_go_quote(b, text, t->len); return;
    case T_METRIC_IDENT:
        st_buf_printf(b, "metric identifier ");
        promql_go_quote(b, text, t->len);
        return;
    case T_STRING: st_buf_printf(b, "string "); promql_go_quote_trunc(b, text, t->len); return;
    case T_NUMBER: st_buf_printf(b, "number "); promql_go_quote_trunc(b, text, t->len); return;
    case T_DURATION: st_buf_printf(b, "duration "); promql_go_quote_trunc(b, text, t->len); return;
    default: break;
    }
    if (tok_is_kw(t->type)) st_buf_printf(b, "<%.*s>", (int)t->len, text);
    else if (tok_is_op(t->type)) st_buf_printf(b, "<op:%.*s>", (int)t->len, text);
    else if (tok_is_agg(t->type)) st_buf_printf(b, "<aggr:%.*s>", (int)t->len, text);
    else promql_go_quote_trunc(b, text, t->len);
}

/* unexpected(context, expected) of parse.go, on the current token; stops. */
static void syntax_error(parser *p, const char *ctx, const char *expected) __attribute__((noreturn));
static void syntax_error(parser *p, const char *ctx, const char *expected)
{
    promql_token *t = peek(p);
    if (!ctx && p->agg_depth > 0) ctx = "aggregation";
    st_buf b = {0};
    st_buf_printf(&b, "unexpected ");
    tok_desc(p, t, &b);
    if (ctx && *ctx) st_buf_printf(&b, " in %s", ctx);
    if (expected && *expected) st_buf_printf(&b, ", expected %s", expected);
    record(p, t->pos, "%.*s", (int)b.len, (const char *)b.p);
    st_buf_free(&b);
    longjmp(p->jb, 1);
}

static promql_node *new_node(parser *p, promql_kind k, size_t pos)
{
    promql_node *n = st_arena_alloc(p->a, sizeof *n);
    memset(n, 0, sizeof *n);
    n->kind = k;
    n->pos = pos;
    n->end = p->last_end;
    n->depth = 1;
    return n;
}

/* Tree height is bounded so that check(), promql_format() and evaluators
 * may recurse freely. */
static void set_depth(parser *p, promql_node *n, int child_depth)
{
    if (child_depth + 1 > n->depth) n->depth = child_depth + 1;
    if (n->depth > PROMQL_MAX_DEPTH) {
        record(p, n->pos, "expression nests deeper than %d levels", PROMQL_MAX_DEPTH);
        longjmp(p->jb, 1);
    }
}

static st_slice arena_slice(parser *p, const char *s, size_t n)
{
    return st_slice_of(st_arena_strndup(p->a, s, n), n);
}

/* Growable array of pointers or slices in the arena. */
typedef struct vec {
    void *p;
    size_t n, cap, elem;
} vec;

static void *vec_push(parser *p, vec *v)
{
    if (v->n == v->cap) {
        size_t cap = v->cap ? v->cap * 2 : 4;
        void *np = st_arena_alloc(p->a, cap * v->elem);
        if (v->n) memcpy(np, v->p, v->n * v->elem);
        v->p = np;
        v->cap = cap;
    }
    return (char *)v->p + v->n++ * v->elem;
}

/* ---- literals ---- */

/* strconv.ParseFloat's error text for s. */
static void parse_float_err(parser *p, size_t pos, const char *s, size_t n, const char *why)
{
    st_buf b = {0};
    promql_go_quote(&b, s, n);
    record(p, pos, "error parsing number: strconv.ParseFloat: parsing %.*s: %s", (int)b.len,
           (const char *)b.p, why);
    st_buf_free(&b);
}

/* parser.number of parse.go: strconv.ParseInt(s, 0, 64), else ParseFloat,
 * restricted to what the lexer can produce. */
static double go_number(parser *p, const promql_token *t)
{
    const char *s = p->q + t->pos;
    size_t n = t->len;
    if (n == 3 && strncasecmp(s, "inf", 3) == 0) return INFINITY;
    if (n == 3 && strncasecmp(s, "nan", 3) == 0) return NAN;
    bool hex = n >= 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X');
    if (hex) {
        uint64_t v = 0;
        bool ok = n > 2;
        for (size_t i = 2; i < n && ok; i++) {
            int d = (s[i] >= '0' && s[i] <= '9') ? s[i] - '0'
                    : (s[i] >= 'a' && s[i] <= 'f') ? s[i] - 'a' + 10
                    : (s[i] >= 'A' && s[i] <= 'F') ? s[i] - 'A' + 10 : -1;
            if (d < 0 || v > (UINT64_C(0x7fffffffffffffff) - (uint64_t)d) / 16) ok = false;
            else v = v * 16 + (uint64_t)d;
        }
        if (ok) return (double)(int64_t)v;
        /* ParseFloat wants a 'p' exponent on hex mantissas: never lexed */
        parse_float_err(p, t->pos, s, n, "invalid syntax");
        return 0;
    }
    bool all_digits = n > 0;
    for (size_t i = 0; i < n; i++)
        if (s[i] < '0' || s[i] > '9') all_digits = false;
    if (all_digits && n > 1 && s[0] == '0') {
        /* base 0: a leading zero means octal */
        uint64_t v = 0;
        bool ok = true;
        for (size_t i = 1; i < n && ok; i++) {
            if (s[i] > '7' || v > (UINT64_C(0x7fffffffffffffff) - 7) / 8) ok = false;
            else v = v * 8 + (uint64_t)(s[i] - '0');
        }
        if (ok) return (double)(int64_t)v;
    }
    /* decimal float syntax: digits [. digits] [e [+-] digits], a digit required */
    size_t i = 0, md = 0;
    while (i < n && s[i] >= '0' && s[i] <= '9') i++, md++;
    if (i < n && s[i] == '.') {
        i++;
        while (i < n && s[i] >= '0' && s[i] <= '9') i++, md++;
    }
    bool ok = md > 0;
    if (ok && i < n && (s[i] == 'e' || s[i] == 'E')) {
        i++;
        if (i < n && (s[i] == '+' || s[i] == '-')) i++;
        size_t ed = 0;
        while (i < n && s[i] >= '0' && s[i] <= '9') i++, ed++;
        if (!ed) ok = false;
    }
    if (!ok || i != n) {
        parse_float_err(p, t->pos, s, n, "invalid syntax");
        return 0;
    }
    char *c = st_arena_strndup(p->a, s, n);
    double v = strtod(c, NULL);
    if (isinf(v)) {
        parse_float_err(p, t->pos, s, n, "value out of range");
        return v;
    }
    return v;
}

/* model.ParseDuration (y w d h m s ms, each at most once, in that order)
 * plus parse.go's "duration must be greater than 0". Returns milliseconds. */
static int64_t go_duration(parser *p, const promql_token *t)
{
    static const struct { const char *u; int64_t ms; } units[] = {
        {"y", 365LL * 86400000}, {"w", 7LL * 86400000}, {"d", 86400000}, {"h", 3600000},
        {"m", 60000}, {"s", 1000}, {"ms", 1},
    };
    const char *s = p->q + t->pos;
    size_t n = t->len, i = 0, next_unit = 0;
    int64_t total = 0;
    bool range = false;
    while (i < n) {
        size_t d0 = i;
        uint64_t v = 0;
        while (i < n && s[i] >= '0' && s[i] <= '9') {
            if (v > UINT64_C(1) << 62) range = true;
            else v = v * 10 + (uint64_t)(s[i] - '0');
            i++;
        }
        if (i == d0) goto bad;
        size_t ul = (i + 1 < n && s[i] == 'm' && s[i + 1] == 's') ? 2 : 1;
        if (i >= n) goto bad;
        size_t u = next_unit;
        while (u < ST_ARRAY_LEN(units) &&
               !(strlen(units[u].u) == ul && strncmp(units[u].u, s + i, ul) == 0))
            u++;
        if (u == ST_ARRAY_LEN(units)) goto bad;
        i += ul;
        next_unit = u + 1;
        /* time.Duration is int64 nanoseconds */
        const int64_t max_ms = INT64_MAX / 1000000;
        if (range || v > (uint64_t)(max_ms / units[u].ms) ||
            total > max_ms - (int64_t)v * units[u].ms)
            range = true;
        else
            total += (int64_t)v * units[u].ms;
    }
    if (n == 0) goto bad;
    if (range) {
        record(p, t->pos, "duration out of range");
        return 0;
    }
    if (total == 0) {
        record(p, t->pos, "duration must be greater than 0");
        return 0;
    }
    return total;
bad: {
        st_buf b = {0};
        promql_go_quote(&b, s, n);
        record(p, t->pos, "not a valid duration string: %.*s", (int)b.len, (const char *)b.p);
        st_buf_free(&b);
        return 0;
    }
}

/* Milliseconds of an @ timestamp: timestamp.FromFloatSeconds (round(ts*1000)).
 * A plain decimal is converted exactly, which is what the float computation
 * gives for every timestamp below ~2^51 ms, and makes printing (exact, three
 * decimals) and re-parsing a fixed point everywhere. */
static int64_t at_millis(parser *p, const promql_token *t, bool neg, double v)
{
    const char *s = p->q + t->pos;
    size_t n = t->len, i = 0;
    bool plain = n > 0 && !(n > 1 && s[0] == '0' && s[1] >= '0' && s[1] <= '9' && !memchr(s, '.', n));
    for (size_t k = 0; k < n && plain; k++)
        if (!((s[k] >= '0' && s[k] <= '9') || s[k] == '.')) plain = false;
    if (plain) {
        unsigned __int128 ms = 0;
        bool over = false;
        while (i < n && s[i] != '.') {
            ms = ms * 10 + (unsigned)(s[i++] - '0');
            if (ms > ((unsigned __int128)1 << 70)) over = true, ms = (unsigned __int128)1 << 70;
        }
        int frac = 0, nd = 0;
        bool up = false;
        if (i < n) i++;
        for (; i < n; i++, nd++) {
            if (nd < 3) frac = frac * 10 + (s[i] - '0');
            else if (nd == 3) up = s[i] >= '5';
        }
        for (; nd < 3; nd++) frac *= 10;
        ms = ms * 1000 + (unsigned)frac + (up ? 1 : 0);
        /* Go converts an out-of-range float to INT64_MIN on amd64 */
        if (over || ms > (unsigned __int128)INT64_MAX + (neg ? 1 : 0)) return INT64_MIN;
        return neg ? (int64_t)(0 - (uint64_t)ms) : (int64_t)ms;
    }
    double r = round(v * 1000);
    if (!(r >= -9223372036854775808.0 && r < 9223372036854775808.0)) return INT64_MIN;
    return (int64_t)r;
}

/* ---- grammar ---- */

static promql_node *parse_expr(parser *p, int min_prec);

static int binop_prec(tok_type t, promql_binop *op)
{
    switch (t) {
    case T_LOR: *op = PROMQL_LOR; return 1;
    case T_LAND: *op = PROMQL_LAND; return 2;
    case T_LUNLESS: *op = PROMQL_LUNLESS; return 2;
    case T_EQLC: *op = PROMQL_EQLC; return 3;
    case T_NEQ: *op = PROMQL_NEQ; return 3;
    case T_LTE: *op = PROMQL_LTE; return 3;
    case T_LSS: *op = PROMQL_LSS; return 3;
    case T_GTE: *op = PROMQL_GTE; return 3;
    case T_GTR: *op = PROMQL_GTR; return 3;
    case T_ADD: *op = PROMQL_ADD; return 4;
    case T_SUB: *op = PROMQL_SUB; return 4;
    case T_MUL: *op = PROMQL_MUL; return 5;
    case T_DIV: *op = PROMQL_DIV; return 5;
    case T_MOD: *op = PROMQL_MOD; return 5;
    case T_ATAN2: *op = PROMQL_ATAN2; return 5;
    case T_POW: *op = PROMQL_POW; return 6;
    default: return 0;
    }
}
#define PREC_POW 6

/* maybe_label: identifiers and the keywords that may name a label. */
static bool is_maybe_label(tok_type t)
{
    switch (t) {
    case T_IDENT: case T_METRIC_IDENT: case T_BOOL: case T_BY: case T_GROUP_LEFT:
    case T_GROUP_RIGHT: case T_IGNORING: case T_LAND: case T_LOR: case T_LUNLESS:
    case T_OFFSET: case T_ON: case T_START: case T_END: case T_ATAN2:
        return true;
    default:
        return tok_is_agg(t);
    }
}

/* metric_identifier: identifiers and the keywords that may name a metric. */
static bool is_metric_identifier(tok_type t)
{
    switch (t) {
    case T_IDENT: case T_METRIC_IDENT: case T_BY: case T_LAND: case T_LOR: case T_LUNLESS:
    case T_OFFSET: case T_WITHOUT: case T_START: case T_END:
        return true;
    default:
        return tok_is_agg(t);
    }
}

/* grouping_labels: "(" label, ... [","] ")". */
static void parse_grouping(parser *p, st_slice **out, size_t *nout)
{
    vec v = {.elem = sizeof(st_slice)};
    if (peek(p)->type != T_LPAREN) syntax_error(p, "grouping opts", "\"(\"");
    advance(p);
    if (peek(p)->type == T_RPAREN) {
        advance(p);
        *out = NULL;
        *nout = 0;
        return;
    }
    for (;;) {
        promql_token *t = peek(p);
        if (!is_maybe_label(t->type)) syntax_error(p, "grouping opts", "label");
        promql_token lt = *t;
        if (lt.type == T_METRIC_IDENT) {
            /* grouping_label's isLabel check: reported, parsing goes on */
            st_buf b = {0};
            tok_desc(p, &lt, &b);
            record(p, lt.pos, "unexpected %.*s in grouping opts, expected label", (int)b.len,
                   (const char *)b.p);
            st_buf_free(&b);
        }
        advance(p);
        *(st_slice *)vec_push(p, &v) = arena_slice(p, p->q + lt.pos, lt.len);
        t = peek(p);
        if (t->type == T_RPAREN) {
            advance(p);
            break;
        }
        if (t->type != T_COMMA) syntax_error(p, "grouping opts", "\",\" or \")\"");
        advance(p);
        if (peek(p)->type == T_RPAREN) {
            advance(p);
            break;
        }
    }
    *out = v.p;
    *nout = v.n;
}

/* function_call_body: "(" [expr {"," expr}] ")"; the "(" is current. */
static void parse_call_body(parser *p, promql_node ***args, size_t *nargs)
{
    vec v = {.elem = sizeof(promql_node *)};
    if (peek(p)->type != T_LPAREN) syntax_error(p, NULL, NULL);
    advance(p);
    if (peek(p)->type == T_RPAREN) {
        advance(p);
        *args = NULL;
        *nargs = 0;
        return;
    }
    for (;;) {
        *(promql_node **)vec_push(p, &v) = parse_expr(p, 1);
        for (;;) {
            promql_token *t = peek(p);
            if (t->type == T_RPAREN) {
                advance(p);
                goto done;
            }
            if (t->type != T_COMMA) syntax_error(p, NULL, NULL);
            size_t comma = advance(p).pos;
            tok_type nt = peek(p)->type;
            if (nt == T_RPAREN || nt == T_COMMA) {
                record(p, comma, "trailing commas not allowed in function call args");
                continue;
            }
            break;
        }
    }
done:
    *args = v.p;
    *nargs = v.n;
}

static int64_t parse_duration_tok(parser *p)
{
    promql_token t = advance(p);
    return go_duration(p, &t);
}

static void compile_check(parser *p, promql_label_matcher *m, size_t pos)
{
    if (m->op == MATCH_EQ) {
        m->matches_empty = m->value.n == 0;
        return;
    }
    if (m->op == MATCH_NEQ) {
        m->matches_empty = m->value.n != 0;
        return;
    }
    matcher *cm;
    st_err e;
    if (matcher_new(m->op, m->name, m->value, &cm, &e) != 0) {
        record(p, pos, "%s", e.msg);
        return;
    }
    m->matches_empty = matcher_matches_empty(cm);
    matcher_free(cm);
}

/* label_matchers: "{" [matcher {"," matcher}] [","] "}"; "{" is current. */
static void parse_matchers(parser *p, vec *v)
{
    advance(p);
    if (peek(p)->type == T_RBRACE) {
        advance(p);
        return;
    }
    for (;;) {
        promql_token *t = peek(p);
        if (t->type != T_IDENT) syntax_error(p, "label matching", "identifier or \"}\"");
        promql_token name = advance(p);
        t = peek(p);
        match_op op;
        switch (t->type) {
        case T_EQL: op = MATCH_EQ; break;
        case T_NEQ: op = MATCH_NEQ; break;
        case T_EQL_REGEX: op = MATCH_RE; break;
        case T_NEQ_REGEX: op = MATCH_NRE; break;
        default: syntax_error(p, "label matching", "label matching operator");
        }
        advance(p);
        if (peek(p)->type != T_STRING) syntax_error(p, "label matching", "string");
        promql_token val = advance(p);
        promql_label_matcher *m = vec_push(p, v);
        m->op = op;
        m->name = arena_slice(p, p->q + name.pos, name.len);
        m->value = st_slice_of(val.str, val.str_len);
        compile_check(p, m, name.pos);
        t = peek(p);
        if (t->type == T_RBRACE) {
            advance(p);
            return;
        }
        if (t->type != T_COMMA) syntax_error(p, "label matching", "\",\" or \"}\"");
        advance(p);
        if (peek(p)->type == T_RBRACE) {
            advance(p);
            return;
        }
    }
}

/* vector_selector: [metric_identifier] [label_matchers]. The name token
 * (if any) is consumed; the current token may be "{". */
static promql_node *parse_vector_selector(parser *p, const promql_token *name, size_t pos)
{
    promql_node *n = new_node(p, PROMQL_VECTOR_SELECTOR, pos);
    vec v = {.elem = sizeof(promql_label_matcher)};
    if (!name || peek(p)->type == T_LBRACE) parse_matchers(p, &v);
    if (name) {
        n->u.vs.name = arena_slice(p, p->q + name->pos, name->len);
        promql_label_matcher *m = vec_push(p, &v);
        m->op = MATCH_EQ;
        m->name = st_slice_cstr("__name__");
        m->value = n->u.vs.name;
        m->matches_empty = name->len == 0;
    } else {
        n->u.vs.name = st_slice_of("", 0);
    }
    n->u.vs.matchers = v.p;
    n->u.vs.nmatchers = v.n;
    n->end = p->last_end;
    return n;
}

/* newAggregateExpr: argument count rules. */
static void finish_aggregate(parser *p, promql_node *n, promql_node **args, size_t nargs)
{
    n->end = p->last_end;
    if (nargs == 0) {
        record(p, n->pos, "no arguments for aggregate expression provided");
        return;
    }
    promql_aggop op = n->u.agg.op;
    size_t want = 1;
    if (op == PROMQL_AGG_TOPK || op == PROMQL_AGG_BOTTOMK || op == PROMQL_AGG_COUNT_VALUES ||
        op == PROMQL_AGG_QUANTILE) {
        want = 2;
        n->u.agg.param = args[0];
        set_depth(p, n, args[0]->depth);
    }
    if (nargs != want) {
        record(p, n->pos,
               "wrong number of arguments for aggregate expression provided, expected %zu, got %zu",
               want, nargs);
        return;
    }
    n->u.agg.expr = args[want - 1];
    set_depth(p, n, args[want - 1]->depth);
}

static promql_node *parse_aggregate(parser *p, promql_token op)
{
    promql_node *n = new_node(p, PROMQL_AGGREGATE, op.pos);
    n->u.agg.op = (promql_aggop)(op.type - T_AGG_FIRST);
    promql_node **args;
    size_t nargs;
    p->agg_depth++;
    tok_type t = peek(p)->type;
    if (t == T_BY || t == T_WITHOUT) {
        advance(p);
        n->u.agg.without = t == T_WITHOUT;
        parse_grouping(p, &n->u.agg.grouping, &n->u.agg.ngrouping);
        parse_call_body(p, &args, &nargs);
        p->agg_depth--;
        finish_aggregate(p, n, args, nargs);
        return n;
    }
    parse_call_body(p, &args, &nargs);
    p->agg_depth--;
    /* yacc needs the next token to see whether a modifier follows */
    t = peek(p)->type;
    if (t == T_BY || t == T_WITHOUT) {
        advance(p);
        n->u.agg.without = t == T_WITHOUT;
        parse_grouping(p, &n->u.agg.grouping, &n->u.agg.ngrouping);
    }
    finish_aggregate(p, n, args, nargs);
    return n;
}

static promql_node *parse_primary(parser *p)
{
    promql_token *t = peek(p);
    switch (t->type) {
    case T_NUMBER: {
        promql_token nt = advance(p);
        promql_node *n = new_node(p, PROMQL_NUMBER, nt.pos);
        n->u.number = go_number(p, &nt);
        return n;
    }
    case T_STRING: {
        promql_token st = advance(p);
        promql_node *n = new_node(p, PROMQL_STRING, st.pos);
        n->u.string = st_slice_of(st.str, st.str_len);
        return n;
    }
    case T_LPAREN: {
        size_t pos = advance(p).pos;
        promql_node *e = parse_expr(p, 1);
        if (peek(p)->type != T_RPAREN) syntax_error(p, NULL, NULL);
        advance(p);
        promql_node *n = new_node(p, PROMQL_PAREN, pos);
        n->u.paren.expr = e;
        set_depth(p, n, e->depth);
        return n;
    }
    case T_LBRACE:
        return parse_vector_selector(p, NULL, t->pos);
    case T_IDENT: {
        promql_token id = advance(p);
        if (peek(p)->type == T_LPAREN) {
            promql_node *n = new_node(p, PROMQL_CALL, id.pos);
            parse_call_body(p, &n->u.call.args, &n->u.call.nargs);
            n->end = p->last_end;
            n->u.call.func = promql_function_lookup(p->q + id.pos, id.len);
            if (!n->u.call.func) {
                st_buf b = {0};
                promql_go_quote(&b, p->q + id.pos, id.len);
                record(p, id.pos, "unknown function with name %.*s", (int)b.len, (const char *)b.p);
                st_buf_free(&b);
            }
            for (size_t i = 0; i < n->u.call.nargs; i++) set_depth(p, n, n->u.call.args[i]->depth);
            return n;
        }
        return parse_vector_selector(p, &id, id.pos);
    }
    default:
        break;
    }
    if (is_metric_identifier(t->type)) {
        promql_token id = advance(p);
        if (tok_is_agg(id.type)) {
            /* yacc's reduce/reduce choice: an aggregation only when "(",
             * by or without follows; otherwise the keyword names a metric */
            tok_type nt = peek(p)->type;
            if (nt == T_LPAREN || nt == T_BY || nt == T_WITHOUT) return parse_aggregate(p, id);
        }
        return parse_vector_selector(p, &id, id.pos);
    }
    syntax_error(p, NULL, NULL);
}

/* addOffset / getAtModifierVars: where the modifiers of e live. */
static promql_modifiers *modifiers_of(parser *p, promql_node *e, const char *what)
{
    switch (e->kind) {
    case PROMQL_VECTOR_SELECTOR: return &e->u.vs.mod;
    case PROMQL_MATRIX_SELECTOR:
        if (e->u.ms.vs->kind != PROMQL_VECTOR_SELECTOR) {
            record(p, e->pos, "ranges only allowed for vector selectors");
            return NULL;
        }
        return &e->u.ms.vs->u.vs.mod;
    case PROMQL_SUBQUERY: return &e->u.sq.mod;
    default:
        record(p, e->pos, "%s must be preceded by an instant vector selector or range vector "
                          "selector or a subquery", what);
        return NULL;
    }
}

static void set_end(promql_node *e, size_t end)
{
    e->end = end;
}

static promql_node *parse_postfix(parser *p, promql_node *e)
{
    for (;;) {
        promql_token *t = peek(p);
        if (t->type == T_LBRACKET) {
            size_t lb = advance(p).pos;
            if (peek(p)->type != T_DURATION) syntax_error(p, "subquery selector", "duration");
            int64_t range = parse_duration_tok(p);
            t = peek(p);
            if (t->type == T_RBRACKET) {
                advance(p);
                const char *msg = NULL;
                if (e->kind != PROMQL_VECTOR_SELECTOR) msg = "ranges only allowed for vector selectors";
                else if (e->u.vs.mod.offset_ms != 0) msg = "no offset modifiers allowed before range";
                else if (e->u.vs.mod.at == PROMQL_AT_TIMESTAMP) msg = "no @ modifiers allowed before range";
                if (msg) record(p, lb, "%s", msg);
                promql_node *n = new_node(p, PROMQL_MATRIX_SELECTOR, e->pos);
                n->u.ms.vs = e;
                n->u.ms.range_ms = range;
                set_depth(p, n, e->depth);
                e = n;
                continue;
            }
            if (t->type != T_COLON) syntax_error(p, "subquery or range", "\":\" or \"]\"");
            advance(p);
            int64_t step = 0;
            t = peek(p);
            if (t->type == T_DURATION) {
                step = parse_duration_tok(p);
                if (peek(p)->type != T_RBRACKET) syntax_error(p, "subquery selector", "\"]\"");
            } else if (t->type != T_RBRACKET) {
                syntax_error(p, "subquery selector", "duration or \"]\"");
            }
            advance(p);
            promql_node *n = new_node(p, PROMQL_SUBQUERY, e->pos);
            n->u.sq.expr = e;
            n->u.sq.range_ms = range;
            n->u.sq.step_ms = step;
            set_depth(p, n, e->depth);
            e = n;
            continue;
        }
        if (t->type == T_OFFSET) {
            advance(p);
            bool neg = false;
            if (peek(p)->type == T_SUB) {
                advance(p);
                neg = true;
            }
            if (peek(p)->type != T_DURATION) syntax_error(p, "offset", "duration");
            int64_t d = parse_duration_tok(p);
            promql_modifiers *m = modifiers_of(p, e, "offset modifier");
            if (m) {
                if (m->offset_ms != 0) record(p, e->pos, "offset may not be set multiple times");
                else m->offset_ms = neg ? -d : d;
                set_end(e, p->last_end);
            }
            continue;
        }
        if (t->type == T_AT) {
            advance(p);
            t = peek(p);
            if (t->type == T_START || t->type == T_END) {
                promql_at which = t->type == T_START ? PROMQL_AT_START : PROMQL_AT_END;
                advance(p);
                if (peek(p)->type != T_LPAREN) syntax_error(p, "@", "timestamp");
                advance(p);
                if (peek(p)->type != T_RPAREN) syntax_error(p, "@", "timestamp");
                advance(p);
                promql_modifiers *m = modifiers_of(p, e, "@ modifier");
                if (m && m->at != PROMQL_AT_NONE) {
                    record(p, e->pos, "@ <timestamp> may not be set multiple times");
                } else if (m) {
                    m->at = which;
                    set_end(e, p->last_end);
                }
                continue;
            }
            bool neg = false;
            if (t->type == T_ADD || t->type == T_SUB) {
                neg = t->type == T_SUB;
                advance(p);
                t = peek(p);
            }
            if (t->type != T_NUMBER) syntax_error(p, "@", "timestamp");
            promql_token nt = advance(p);
            double ts = go_number(p, &nt);
            if (neg) ts = -ts;
            if (isinf(ts) || isnan(ts) || ts >= 9223372036854775807.0 || ts <= -9223372036854775808.0) {
                char f[400];
                if (isnan(ts)) snprintf(f, sizeof f, "NaN");
                else if (isinf(ts)) snprintf(f, sizeof f, ts > 0 ? "+Inf" : "-Inf");
                else snprintf(f, sizeof f, "%f", ts);
                record(p, e->pos, "timestamp out of bounds for @ modifier: %s", f);
            }
            promql_modifiers *m = modifiers_of(p, e, "@ modifier");
            if (m && m->at != PROMQL_AT_NONE) {
                record(p, e->pos, "@ <timestamp> may not be set multiple times");
            } else if (m) {
                m->at = PROMQL_AT_TIMESTAMP;
                m->at_ms = isnan(ts) ? INT64_MIN : at_millis(p, &nt, neg, ts);
                set_end(e, p->last_end);
            }
            continue;
        }
        return e;
    }
}

/* A unary sign, or a primary with its postfix modifiers. */
static promql_node *parse_operand(parser *p)
{
    if (++p->depth > PROMQL_MAX_DEPTH) {
        record(p, peek(p)->pos, "expression nests deeper than %d levels", PROMQL_MAX_DEPTH);
        longjmp(p->jb, 1);
    }
    promql_node *r;
    tok_type t = peek(p)->type;
    if (t == T_ADD || t == T_SUB) {
        size_t pos = advance(p).pos;
        /* unary_op expr %prec MUL: only ^ binds tighter */
        promql_node *e = parse_expr(p, PREC_POW);
        if (e->kind == PROMQL_NUMBER) {
            if (t == T_SUB) e->u.number = -e->u.number;
            e->pos = pos;
            r = e;
        } else {
            r = new_node(p, PROMQL_UNARY, pos);
            r->u.unary.neg = t == T_SUB;
            r->u.unary.expr = e;
            r->end = e->end;
            set_depth(p, r, e->depth);
        }
    } else {
        r = parse_postfix(p, parse_primary(p));
    }
    p->depth--;
    return r;
}

static promql_node *parse_expr(parser *p, int min_prec)
{
    promql_node *lhs = parse_operand(p);
    for (;;) {
        promql_binop op;
        int prec = binop_prec(peek(p)->type, &op);
        if (!prec || prec < min_prec) return lhs;
        advance(p);
        promql_node *n = new_node(p, PROMQL_BINARY, lhs->pos);
        promql_matching *vm = st_arena_alloc(p->a, sizeof *vm);
        memset(vm, 0, sizeof *vm);
        vm->card = PROMQL_CARD_ONE_TO_ONE;
        n->u.bin.op = op;
        n->u.bin.matching = vm;
        /* bin_modifier: [bool] [(on|ignoring) labels [(group_left|group_right) [labels]]] */
        if (peek(p)->type == T_BOOL) {
            advance(p);
            n->u.bin.return_bool = true;
        }
        tok_type t = peek(p)->type;
        if (t == T_ON || t == T_IGNORING) {
            advance(p);
            vm->on = t == T_ON;
            parse_grouping(p, &vm->labels, &vm->nlabels);
            t = peek(p)->type;
            if (t == T_GROUP_LEFT || t == T_GROUP_RIGHT) {
                advance(p);
                vm->card = t == T_GROUP_LEFT ? PROMQL_CARD_MANY_TO_ONE : PROMQL_CARD_ONE_TO_MANY;
                if (peek(p)->type == T_LPAREN) parse_grouping(p, &vm->include, &vm->ninclude);
            }
        }
        promql_node *rhs = parse_expr(p, op == PROMQL_POW ? prec : prec + 1);
        n->u.bin.lhs = lhs;
        n->u.bin.rhs = rhs;
        n->end = rhs->end;
        set_depth(p, n, lhs->depth);
        set_depth(p, n, rhs->depth);
        lhs = n;
    }
}

/* ---- type checking: checkAST of parse.go, same order ---- */

static promql_type check(parser *p, promql_node *n);

static void expect_type(parser *p, promql_node *n, promql_type want, const char *ctx)
{
    promql_type t = check(p, n);
    if (t != want)
        record(p, n->pos, "expected type %s in %s, got %s", promql_type_name(want), ctx,
               promql_type_name(t));
}

static bool is_space_byte(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

static size_t op_pos(parser *p, promql_node *n)
{
    size_t s = n->u.bin.lhs->end;
    while (s < p->qlen && is_space_byte(p->q[s])) s++;
    return s;
}

static promql_type check(parser *p, promql_node *n)
{
    promql_type typ = promql_node_type(n);
    switch (n->kind) {
    case PROMQL_AGGREGATE:
        expect_type(p, n->u.agg.expr, PROMQL_TYPE_VECTOR, "aggregation expression");
        if (n->u.agg.op == PROMQL_AGG_TOPK || n->u.agg.op == PROMQL_AGG_BOTTOMK ||
            n->u.agg.op == PROMQL_AGG_QUANTILE)
            expect_type(p, n->u.agg.param, PROMQL_TYPE_SCALAR, "aggregation parameter");
        if (n->u.agg.op == PROMQL_AGG_COUNT_VALUES)
            expect_type(p, n->u.agg.param, PROMQL_TYPE_STRING, "aggregation parameter");
        break;
    case PROMQL_BINARY: {
        promql_type lt = check(p, n->u.bin.lhs);
        promql_type rt = check(p, n->u.bin.rhs);
        promql_binop op = n->u.bin.op;
        promql_matching *vm = n->u.bin.matching;
        if (n->u.bin.return_bool && !promql_binop_is_comparison(op))
            record(p, op_pos(p, n), "bool modifier can only be used on comparison operators");
        if (promql_binop_is_comparison(op) && !n->u.bin.return_bool &&
            promql_node_type(n->u.bin.rhs) == PROMQL_TYPE_SCALAR &&
            promql_node_type(n->u.bin.lhs) == PROMQL_TYPE_SCALAR)
            record(p, op_pos(p, n), "comparisons between scalars must use BOOL modifier");
        if (promql_binop_is_set(op) && vm->card == PROMQL_CARD_ONE_TO_ONE)
            vm->card = PROMQL_CARD_MANY_TO_MANY;
        for (size_t i = 0; i < vm->nlabels; i++)
            for (size_t j = 0; j < vm->ninclude; j++)
                if (vm->on && st_slice_eq(vm->labels[i], vm->include[j])) {
                    st_buf b = {0};
                    promql_go_quote(&b, vm->labels[i].p, vm->labels[i].n);
                    record(p, op_pos(p, n), "label %.*s must not occur in ON and GROUP clause at once",
                           (int)b.len, (const char *)b.p);
                    st_buf_free(&b);
                }
        if (lt != PROMQL_TYPE_SCALAR && lt != PROMQL_TYPE_VECTOR)
            record(p, n->u.bin.lhs->pos, "binary expression must contain only scalar and instant vector types");
        if (rt != PROMQL_TYPE_SCALAR && rt != PROMQL_TYPE_VECTOR)
            record(p, n->u.bin.rhs->pos, "binary expression must contain only scalar and instant vector types");
        if (lt != PROMQL_TYPE_VECTOR || rt != PROMQL_TYPE_VECTOR) {
            if (vm->nlabels > 0) record(p, n->pos, "vector matching only allowed between instant vectors");
            n->u.bin.matching = NULL;
        } else if (promql_binop_is_set(op)) {
            if (vm->card == PROMQL_CARD_ONE_TO_MANY || vm->card == PROMQL_CARD_MANY_TO_ONE)
                record(p, n->pos, "no grouping allowed for \"%s\" operation", promql_binop_str(op));
            if (vm->card != PROMQL_CARD_MANY_TO_MANY)
                record(p, n->pos, "set operations must always be many-to-many");
        }
        if ((lt == PROMQL_TYPE_SCALAR || rt == PROMQL_TYPE_SCALAR) && promql_binop_is_set(op))
            record(p, n->pos, "set operator \"%s\" not allowed in binary scalar expression",
                   promql_binop_str(op));
        break;
    }
    case PROMQL_CALL: {
        const promql_function *f = n->u.call.func;
        size_t nargs = (size_t)f->nargs, got = n->u.call.nargs;
        if (f->variadic == 0) {
            if (nargs != got)
                record(p, n->pos, "expected %zu argument(s) in call to \"%s\", got %zu", nargs,
                       f->name, got);
        } else {
            size_t na = nargs - 1;
            if (na > got)
                record(p, n->pos, "expected at least %zu argument(s) in call to \"%s\", got %zu",
                       na, f->name, got);
            else if (f->variadic > 0 && na + (size_t)f->variadic < got)
                record(p, n->pos, "expected at most %zu argument(s) in call to \"%s\", got %zu",
                       na + (size_t)f->variadic, f->name, got);
        }
        char ctx[128];
        snprintf(ctx, sizeof ctx, "call to function \"%s\"", f->name);
        for (size_t i = 0; i < got; i++) {
            size_t k = i;
            if (k >= nargs) {
                if (f->variadic == 0) break;
                k = nargs - 1;
            }
            expect_type(p, n->u.call.args[i], f->arg_types[k], ctx);
        }
        break;
    }
    case PROMQL_PAREN:
        check(p, n->u.paren.expr);
        break;
    case PROMQL_UNARY: {
        promql_type t = check(p, n->u.unary.expr);
        if (t != PROMQL_TYPE_SCALAR && t != PROMQL_TYPE_VECTOR)
            record(p, n->pos, "unary expression only allowed on expressions of type scalar or "
                              "instant vector, got \"%s\"", promql_type_name(t));
        break;
    }
    case PROMQL_SUBQUERY: {
        promql_type t = check(p, n->u.sq.expr);
        if (t != PROMQL_TYPE_VECTOR)
            record(p, n->pos, "subquery is only allowed on instant vector, got %s instead",
                   value_type_str(t));
        break;
    }
    case PROMQL_MATRIX_SELECTOR:
        check(p, n->u.ms.vs);
        break;
    case PROMQL_VECTOR_SELECTOR:
        if (n->u.vs.name.n) {
            /* the last matcher is the name's own */
            for (size_t i = 0; i + 1 < n->u.vs.nmatchers; i++) {
                const promql_label_matcher *m = &n->u.vs.matchers[i];
                if (m->name.n == 8 && memcmp(m->name.p, "__name__", 8) == 0) {
                    st_buf b = {0};
                    promql_go_quote(&b, n->u.vs.name.p, n->u.vs.name.n);
                    st_buf_put(&b, " or ", 4);
                    promql_go_quote(&b, m->value.p, m->value.n);
                    record(p, n->pos, "metric name must not be set twice: %.*s", (int)b.len,
                           (const char *)b.p);
                    st_buf_free(&b);
                }
            }
            break;
        }
        {
            bool not_empty = false;
            for (size_t i = 0; i < n->u.vs.nmatchers; i++)
                if (!n->u.vs.matchers[i].matches_empty) not_empty = true;
            if (!not_empty) record(p, n->pos, "vector selector must contain at least one non-empty matcher");
        }
        break;
    case PROMQL_NUMBER:
    case PROMQL_STRING:
        break;
    }
    return typ;
}

/* ---- entry points ---- */

static void fill_error(parser *p, st_err *e, promql_error *detail)
{
    int line = 1;
    size_t last_nl = (size_t)-1;
    size_t pos = p->err_pos > p->qlen ? p->qlen : p->err_pos;
    for (size_t i = 0; i < pos; i++)
        if (p->q[i] == '\n') {
            line++;
            last_nl = i;
        }
    int col = (int)(pos - last_nl);
    st_fail(e, ST_EINVAL, "%d:%d: parse error: %s", line, col, p->err);
    if (detail) {
        detail->pos = pos;
        detail->line = line;
        detail->col = col;
        snprintf(detail->msg, sizeof detail->msg, "%s", p->err);
    }
}

static int run(parser *p, promql_node **out)
{
    /* kept apart from promql_parse_ex so that no local lives across longjmp */
    if (setjmp(p->jb) != 0) return -1;
    if (peek(p)->type == T_EOF) {
        record(p, 0, "no expression found in input");
        return -1;
    }
    promql_node *root = parse_expr(p, 1);
    if (peek(p)->type != T_EOF) syntax_error(p, NULL, NULL);
    *out = root;
    return 0;
}

int promql_parse_ex(const char *q, size_t len, st_arena *a, promql_node **out, st_err *e,
                    promql_error *detail)
{
    parser *p = st_calloc(1, sizeof *p);
    p->a = a;
    p->q = q;
    p->qlen = len;
    promql_lex_init(&p->lx, q, len, a);
    promql_node *root = NULL;
    *out = NULL;
    int rc = run(p, &root);
    if (rc == 0 && !p->failed) check(p, root);
    if (p->failed) {
        fill_error(p, e, detail);
        st_free(p);
        return ST_EINVAL;
    }
    st_free(p);
    *out = root;
    return 0;
}

int promql_parse(const char *q, size_t len, st_arena *a, promql_node **out, st_err *e)
{
    return promql_parse_ex(q, len, a, out, e, NULL);
}

int promql_compile_matchers(const promql_node *vs, matcher ***out, size_t *n, st_err *e)
{
    *out = NULL;
    *n = 0;
    if (vs->kind != PROMQL_VECTOR_SELECTOR) return st_fail(e, ST_EINVAL, "not a vector selector");
    matcher **ms = st_calloc(vs->u.vs.nmatchers ? vs->u.vs.nmatchers : 1, sizeof *ms);
    for (size_t i = 0; i < vs->u.vs.nmatchers; i++) {
        const promql_label_matcher *m = &vs->u.vs.matchers[i];
        int rc = matcher_new(m->op, m->name, m->value, &ms[i], e);
        if (rc) {
            promql_free_matchers(ms, i);
            return rc;
        }
    }
    *out = ms;
    *n = vs->u.vs.nmatchers;
    return 0;
}

void promql_free_matchers(matcher **ms, size_t n)
{
    for (size_t i = 0; i < n; i++) matcher_free(ms[i]);
    st_free(ms);
}
