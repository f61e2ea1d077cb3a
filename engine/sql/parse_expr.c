/* parse_expr: the SQL parser, part two: expressions, literals and types
 * (the machinery is in parse.c).
 *
 * Precedence, loosest first, as Trino's grammar orders its alternatives:
 *   OR, AND (n-ary nodes), NOT, one predicate after a value expression
 *   (= <> != < <= > >=, quantified comparisons, [NOT] BETWEEN, [NOT] IN,
 *   [NOT] LIKE, IS [NOT] NULL, IS [NOT] DISTINCT FROM; a = b = c is an
 *   error, as in Trino), || , + -, * / %, unary + -, AT TIME ZONE, postfix
 *   [index], .field and ::type (PostgreSQL's cast, the tightest, so that
 *   -x::int is -(x::int) as in PostgreSQL), then primaries.
 * Binary operators are parsed by precedence climbing, so a long chain costs
 * no stack; the height of the tree is what SQL_MAX_DEPTH bounds.
 *
 * A '-' right before a number literal is folded into it (Trino's grammar
 * has a signed number rule), so -9223372036854775808 is a bigint; it is not
 * folded when a postfix operator or AT TIME ZONE follows the number, which
 * binds tighter than the sign. Literals and types are in parse_lit.c.
 */
#include "sql_int.h"

#include <string.h>


static void sub(sql_expr *parent, const sql_expr *child)
{
    if (child) parent->height = sqlp_hmax(parent->height, child->height + 1);
}

static void subq(sql_expr *parent, const sql_query *q)
{
    if (q) parent->height = sqlp_hmax(parent->height, q->height + 1);
}

static sql_expr *done(sql_parser *p, sql_expr *e, const sql_token *at)
{
    if (p->fatal) return NULL;
    return sqlp_check_height(p, e->height, at) ? e : NULL;
}

static sql_expr *parse_logical(sql_parser *p, bool is_or);
static sql_expr *call_node(sql_parser *p, const sql_token *at, const char *name);
static void add_arg(sql_parser *p, sql_expr *call, size_t *cap, sql_expr *arg);

static sql_expr *value_prec(sql_parser *p, int min);
static sql_expr *parse_unary(sql_parser *p);

sql_expr *sqlp_expr(sql_parser *p)
{
    if (!sqlp_enter(p)) return NULL;
    sql_expr *e = parse_logical(p, true);
    sqlp_leave(p);
    return e;
}

sql_expr *sqlp_value(sql_parser *p)
{
    if (!sqlp_enter(p)) return NULL;
    sql_expr *e = value_prec(p, 1);
    sqlp_leave(p);
    return e;
}

bool sqlp_can_start_expr(const sql_token *t)
{
    switch (t->kind) {
    case T_INTEGER: case T_DECIMAL: case T_DOUBLE: case T_STRING: case T_USTRING: case T_BINARY:
    case T_INTERVAL: case T_PARAM: case T_LPAREN: case T_PLUS: case T_MINUS: case T_QIDENT:
    case T_BQIDENT: case T_DIGIT_IDENT:
        return true;
    case T_IDENT:
        if (!sql_kw_reserved((sql_kw)t->kw)) return true;
        switch (t->kw) {
        case KW_CASE: case KW_CAST: case KW_EXISTS: case KW_EXTRACT: case KW_NULL: case KW_TRUE:
        case KW_FALSE: case KW_NOT: case KW_CURRENT_DATE: case KW_CURRENT_TIME: case KW_CURRENT_TIMESTAMP:
        case KW_CURRENT_USER: case KW_CURRENT_CATALOG: case KW_CURRENT_SCHEMA: case KW_CURRENT_PATH:
        case KW_LOCALTIME: case KW_LOCALTIMESTAMP: case KW_TRIM: case KW_GROUPING: case KW_NORMALIZE:
            return true;
        default: return false;
        }
    default: return false;
    }
}

/* ------------------------------------------------------------ boolean */

static sql_expr *parse_predicated(sql_parser *p);

static sql_expr *parse_not(sql_parser *p)
{
    if (!sqlp_is_kw(p, KW_NOT)) return parse_predicated(p);
    const sql_token *at = sqlp_cur(p);
    sqlp_advance(p);
    if (!sqlp_enter(p)) return NULL;
    sql_expr *arg = parse_not(p);
    sqlp_leave(p);
    if (!arg) return NULL;
    sql_expr *e = sqlp_mk(p, SQL_E_NOT, at);
    e->u.unary.arg = arg;
    sub(e, arg);
    return done(p, e, at);
}

/* a OR b OR c (or AND) as one node with a list of operands */
static sql_expr *parse_logical(sql_parser *p, bool is_or)
{
    sql_kw kw = is_or ? KW_OR : KW_AND;
    sql_expr *first = is_or ? parse_logical(p, false) : parse_not(p);
    if (!first) return NULL;
    if (!sqlp_is_kw(p, kw)) {
        sqlp_expect_at(p, EXP_KW + kw);
        return first;
    }
    const sql_token *at = sqlp_cur(p);
    sql_expr *e = sqlp_mk(p, is_or ? SQL_E_OR : SQL_E_AND, at);
    size_t cap = 0;
    *PUSH(p, e->u.list.items, e->u.list.n, cap) = first;
    sub(e, first);
    while (sqlp_accept_kw(p, kw)) {
        sql_expr *x = is_or ? parse_logical(p, false) : parse_not(p);
        if (!x) return NULL;
        *PUSH(p, e->u.list.items, e->u.list.n, cap) = x;
        sub(e, x);
    }
    return done(p, e, at);
}

static sql_binop cmp_op(tok_kind k)
{
    switch (k) {
    case T_EQ: return SQL_OP_EQ;
    case T_NE: return SQL_OP_NE;
    case T_LT: return SQL_OP_LT;
    case T_LE: return SQL_OP_LE;
    case T_GT: return SQL_OP_GT;
    case T_GE: return SQL_OP_GE;
    default: return 0;
    }
}

/* IN (query) or IN (list) */
static sql_expr *in_predicate(sql_parser *p, sql_expr *v, const sql_token *at, bool neg)
{
    sqlp_advance(p); /* IN */
    if (sqlp_cur(p)->kind == T_LPAREN && sqlp_query_start(sqlp_peek(p, 1))) {
        sql_query *q = sqlp_try_paren_query(p, 0);
        if (q) {
            sql_expr *e = sqlp_mk(p, SQL_E_IN_QUERY, at);
            e->u.pred.arg = v;
            e->u.pred.query = q;
            e->u.pred.negated = neg;
            sub(e, v);
            subq(e, q);
            return done(p, e, at);
        }
        if (p->fatal) return NULL;
    }
    if (!sqlp_expect(p, T_LPAREN)) return NULL;
    sql_expr *e = sqlp_mk(p, SQL_E_IN_LIST, at);
    e->u.pred.arg = v;
    e->u.pred.negated = neg;
    sub(e, v);
    size_t cap = 0;
    uint32_t h = 0;
    if (!sqlp_expr_list(p, &e->u.pred.list, &e->u.pred.n, &cap, &h) || !sqlp_expect(p, T_RPAREN)) return NULL;
    e->height = sqlp_hmax(e->height, h + 1);
    return done(p, e, at);
}

/* value [predicate] */
static sql_expr *parse_predicated(sql_parser *p)
{
    sql_expr *v = value_prec(p, 1);
    if (!v) return NULL;
    const sql_token *t = sqlp_cur(p);
    sql_binop op = cmp_op((tok_kind)t->kind);
    if (op) {
        sqlp_advance(p);
        const sql_token *q0 = sqlp_cur(p);
        sql_quant quant = sqlp_tok_is_kw(q0, KW_ALL)    ? SQL_QUANT_ALL
                          : sqlp_tok_is_kw(q0, KW_ANY)  ? SQL_QUANT_ANY
                          : sqlp_tok_is_kw(q0, KW_SOME) ? SQL_QUANT_SOME
                                                        : SQL_QUANT_NONE;
        if (quant && sqlp_peek(p, 1)->kind == T_LPAREN && sqlp_query_start(sqlp_peek(p, 2))) {
            /* = ANY (query), or a call of a function named any: try the query first */
            sql_query *q = sqlp_try_paren_query(p, 1);
            if (q) {
                sql_expr *e = sqlp_mk(p, SQL_E_QUANTIFIED, t);
                e->u.pred.arg = v;
                e->u.pred.op = op;
                e->u.pred.quant = quant;
                e->u.pred.query = q;
                sub(e, v);
                subq(e, q);
                return done(p, e, t);
            }
            if (p->fatal) return NULL;
        }
        sql_expr *r = value_prec(p, 1);
        if (!r) return NULL;
        sql_expr *e = sqlp_mk(p, SQL_E_BINOP, t);
        e->u.binop.op = op;
        e->u.binop.l = v;
        e->u.binop.r = r;
        sub(e, v);
        sub(e, r);
        return done(p, e, t);
    }
    bool neg = false;
    const sql_token *t1 = sqlp_peek(p, 1);
    if (sqlp_tok_is_kw(t, KW_NOT) && (sqlp_tok_is_kw(t1, KW_BETWEEN) || sqlp_tok_is_kw(t1, KW_IN) ||
                                      sqlp_tok_is_kw(t1, KW_LIKE) || sqlp_tok_is_kw(t1, KW_ILIKE))) {
        neg = true;
        sqlp_advance(p);
    }
    const sql_token *k = sqlp_cur(p);
    if (sqlp_tok_is_kw(k, KW_BETWEEN)) {
        sqlp_advance(p);
        sql_expr *e = sqlp_mk(p, SQL_E_BETWEEN, t);
        e->u.pred.arg = v;
        e->u.pred.negated = neg;
        if (!(e->u.pred.a = value_prec(p, 1)) || !sqlp_expect_kw(p, KW_AND) ||
            !(e->u.pred.b = value_prec(p, 1)))
            return NULL;
        sub(e, v);
        sub(e, e->u.pred.a);
        sub(e, e->u.pred.b);
        return done(p, e, t);
    }
    if (sqlp_tok_is_kw(k, KW_IN)) return in_predicate(p, v, t, neg);
    bool ilike = sqlp_tok_is_kw(k, KW_ILIKE);
    if (ilike || sqlp_tok_is_kw(k, KW_LIKE)) {
        sqlp_advance(p);
        sql_expr *e = sqlp_mk(p, SQL_E_LIKE, t);
        e->u.pred.negated = neg;
        sql_expr *pat = value_prec(p, 1);
        if (!pat) return NULL;
        if (ilike) {
            /* PostgreSQL's ILIKE, which Grafana's PostgreSQL users write:
             * read as lower(a) LIKE lower(p) */
            sql_expr *la = call_node(p, t, "lower"), *lp = call_node(p, t, "lower");
            size_t ca = 0, cp = 0;
            add_arg(p, la, &ca, v);
            add_arg(p, lp, &cp, pat);
            v = la;
            pat = lp;
        }
        e->u.pred.arg = v;
        e->u.pred.a = pat;
        if (sqlp_accept_kw(p, KW_ESCAPE) && !(e->u.pred.b = value_prec(p, 1))) return NULL;
        sub(e, v);
        sub(e, pat);
        sub(e, e->u.pred.b);
        return done(p, e, t);
    }
    if (sqlp_tok_is_kw(k, KW_IS)) {
        sqlp_advance(p);
        bool n = sqlp_accept_kw(p, KW_NOT);
        sql_expr *e;
        if (sqlp_accept_kw(p, KW_NULL)) {
            e = sqlp_mk(p, SQL_E_IS_NULL, t);
        } else if (sqlp_accept_kw(p, KW_DISTINCT)) {
            e = sqlp_mk(p, SQL_E_DISTINCT_FROM, t);
            if (!sqlp_expect_kw(p, KW_FROM) || !(e->u.pred.a = value_prec(p, 1))) return NULL;
            sub(e, e->u.pred.a);
        } else {
            return sqlp_fail(p);
        }
        e->u.pred.arg = v;
        e->u.pred.negated = n;
        sub(e, v);
        return done(p, e, t);
    }
    sqlp_expect_at(p, EXP_PREDICATE);
    return v;
}

/* ------------------------------------------------------- value expressions */

static int binop_of(const sql_token *t, sql_binop *op)
{
    switch (t->kind) {
    case T_CONCAT: *op = SQL_OP_CONCAT; return 1;
    case T_PLUS: *op = SQL_OP_ADD; return 2;
    case T_MINUS: *op = SQL_OP_SUB; return 2;
    case T_STAR: *op = SQL_OP_MUL; return 3;
    case T_SLASH: *op = SQL_OP_DIV; return 3;
    case T_PERCENT: *op = SQL_OP_MOD; return 3;
    default: return 0;
    }
}

static sql_expr *value_prec(sql_parser *p, int min)
{
    sql_expr *l = parse_unary(p);
    while (l) {
        const sql_token *t = sqlp_cur(p);
        sql_binop op;
        int prec = binop_of(t, &op);
        if (!prec) {
            static const tok_kind ops[] = {T_PERCENT, T_STAR, T_PLUS, T_MINUS, T_SLASH, T_CONCAT};
            for (size_t i = 0; i < ST_ARRAY_LEN(ops); i++) sqlp_expect_at(p, ops[i]);
            break;
        }
        if (prec < min) break;
        sqlp_advance(p);
        sql_expr *r = value_prec(p, prec + 1);
        if (!r) return NULL;
        sql_expr *e = sqlp_mk(p, SQL_E_BINOP, t);
        e->u.binop.op = op;
        e->u.binop.l = l;
        e->u.binop.r = r;
        sub(e, l);
        sub(e, r);
        l = done(p, e, t);
    }
    return l;
}

static sql_expr *parse_postfix(sql_parser *p);

static bool is_number_tok(const sql_token *t)
{
    return t->kind == T_INTEGER || t->kind == T_DECIMAL || t->kind == T_DOUBLE;
}

/* Does a postfix operator or AT TIME ZONE start k tokens ahead? */
static bool postfix_at(const sql_parser *p, size_t k)
{
    const sql_token *t = sqlp_peek(p, k);
    return t->kind == T_LBRACKET || t->kind == T_DOT || t->kind == T_DCOLON ||
           (sqlp_tok_is_kw(t, KW_AT) && sqlp_tok_is_kw(sqlp_peek(p, k + 1), KW_TIME));
}

static sql_expr *parse_unary(sql_parser *p)
{
    const sql_token *t = sqlp_cur(p);
    if (t->kind == T_MINUS || t->kind == T_PLUS) {
        if (t->kind == T_MINUS && is_number_tok(sqlp_peek(p, 1)) && !postfix_at(p, 2)) {
            sqlp_advance(p);
            return sqlp_number(p, t);
        }
        sqlp_advance(p);
        if (!sqlp_enter(p)) return NULL;
        sql_expr *arg = parse_unary(p);
        sqlp_leave(p);
        if (!arg) return NULL;
        sql_expr *e = sqlp_mk(p, SQL_E_UNARY, t);
        e->u.unary.op = t->kind == T_MINUS ? SQL_OP_NEG : SQL_OP_PLUS;
        e->u.unary.arg = arg;
        sub(e, arg);
        return done(p, e, t);
    }
    sql_expr *e = parse_postfix(p);
    while (e && sqlp_is_kw(p, KW_AT) && sqlp_tok_is_kw(sqlp_peek(p, 1), KW_TIME) &&
           sqlp_tok_is_kw(sqlp_peek(p, 2), KW_ZONE)) {
        const sql_token *at = sqlp_cur(p);
        sqlp_advance(p);
        sqlp_advance(p);
        sqlp_advance(p);
        const sql_token *z = sqlp_cur(p);
        sql_expr *zone;
        if (sqlp_tok_is_kw(z, KW_INTERVAL)) {
            zone = sqlp_interval_literal(p);
        } else if (z->kind == T_STRING) {
            zone = sqlp_mk(p, SQL_E_STRING, z);
            zone->u.str = sqlp_string(p, z);
            sqlp_advance(p);
        } else {
            sqlp_expect_at(p, EXP_KW + KW_INTERVAL);
            sqlp_expect_at(p, T_STRING);
            return sqlp_fail(p);
        }
        if (!zone) return NULL;
        sql_expr *n = sqlp_mk(p, SQL_E_AT_TIME_ZONE, at);
        n->line = e->line;
        n->col = e->col;
        n->u.binop.l = e;
        n->u.binop.r = zone;
        sub(n, e);
        sub(n, zone);
        e = done(p, n, at);
    }
    if (e && !sqlp_is_kw(p, KW_AT)) sqlp_expect_at(p, EXP_KW + KW_AT);
    return e;
}

static sql_expr *parse_primary(sql_parser *p);

static sql_expr *parse_postfix(sql_parser *p)
{
    sql_expr *e = parse_primary(p);
    while (e) {
        const sql_token *t = sqlp_cur(p);
        sql_expr *n;
        if (t->kind == T_LBRACKET) {
            sqlp_advance(p);
            sql_expr *idx = sqlp_value(p);
            if (!idx || !sqlp_expect(p, T_RBRACKET)) return NULL;
            n = sqlp_mk(p, SQL_E_SUBSCRIPT, t);
            n->u.subscript.base = e;
            n->u.subscript.index = idx;
            sub(n, idx);
        } else if (t->kind == T_DOT) {
            if (sqlp_peek(p, 1)->kind == T_STAR && p->depth == p->star_depth) {
                p->star_base = e; /* x.* ends a select item */
                return e;
            }
            sqlp_advance(p);
            if (p->depth == p->star_depth) sqlp_expect_at(p, T_STAR);
            n = sqlp_mk(p, SQL_E_FIELD, t);
            if (!sqlp_take_ident(p, &n->u.field.name)) return NULL;
            n->u.field.base = e;
        } else if (t->kind == T_DCOLON) {
            sqlp_advance(p);
            n = sqlp_mk(p, SQL_E_CAST, t);
            if (!(n->u.cast.type = sqlp_type(p))) return NULL;
            n->u.cast.arg = e;
            n->u.cast.pg = true;
            n->height = n->u.cast.type->height + 1;
        } else {
            sqlp_expect_at(p, T_LBRACKET);
            sqlp_expect_at(p, T_DOT);
            break;
        }
        n->line = e->line; /* postfix nodes start where their base does */
        n->col = e->col;
        sub(n, e);
        e = done(p, n, t);
    }
    return e;
}

/* ----------------------------------------------------------- literals */

/* -------------------------------------------------------- primaries */

static sql_expr *lambda(sql_parser *p)
{
    const sql_token *at = sqlp_cur(p);
    sql_expr *e = sqlp_mk(p, SQL_E_LAMBDA, at);
    size_t cap = 0;
    if (at->kind == T_LPAREN) {
        sqlp_advance(p);
        if (!sqlp_accept(p, T_RPAREN)) {
            do {
                if (!sqlp_take_ident(p, PUSH(p, e->u.lambda.params, e->u.lambda.nparams, cap))) return NULL;
            } while (sqlp_accept(p, T_COMMA));
            if (!sqlp_expect(p, T_RPAREN)) return NULL;
        }
    } else if (!sqlp_take_ident(p, PUSH(p, e->u.lambda.params, e->u.lambda.nparams, cap))) {
        return NULL;
    }
    if (!sqlp_expect(p, T_ARROW) || !(e->u.lambda.body = sqlp_expr(p))) return NULL;
    sub(e, e->u.lambda.body);
    return done(p, e, at);
}

/* Is the '(' at the current token the parameter list of a lambda? */
static bool paren_lambda_ahead(const sql_parser *p)
{
    size_t k = 1;
    if (sqlp_peek(p, k)->kind == T_RPAREN) return sqlp_peek(p, k + 1)->kind == T_ARROW;
    for (;;) {
        if (!sqlp_is_ident_tok(sqlp_peek(p, k))) return false;
        k++;
        const sql_token *t = sqlp_peek(p, k);
        if (t->kind == T_RPAREN) return sqlp_peek(p, k + 1)->kind == T_ARROW;
        if (t->kind != T_COMMA) return false;
        k++;
    }
}

/* '(' : a lambda, a subquery, a row (a, b) or a parenthesised expression */
static sql_expr *paren(sql_parser *p)
{
    const sql_token *t = sqlp_cur(p);
    if (paren_lambda_ahead(p)) return lambda(p);
    if (sqlp_query_start(sqlp_peek(p, 1))) {
        sql_query *q = sqlp_try_paren_query(p, 0);
        if (q) {
            sql_expr *e = sqlp_mk(p, SQL_E_SUBQUERY, t);
            e->u.query = q;
            subq(e, q);
            return done(p, e, t);
        }
        if (p->fatal) return NULL;
    }
    sqlp_advance(p);
    sql_expr *e = sqlp_expr(p);
    if (!e) return NULL;
    if (!sqlp_accept(p, T_COMMA)) return sqlp_expect(p, T_RPAREN) ? e : NULL;
    sql_expr *row = sqlp_mk(p, SQL_E_ROW, t);
    row->u.list.paren = true;
    size_t cap = 0;
    uint32_t h = e->height;
    *PUSH(p, row->u.list.items, row->u.list.n, cap) = e;
    if (!sqlp_expr_list(p, &row->u.list.items, &row->u.list.n, &cap, &h) || !sqlp_expect(p, T_RPAREN)) return NULL;
    row->height = sqlp_hmax(row->height, h + 1);
    return done(p, row, t);
}

/* '(' expr, ... ')' or '[' ... ']' into a list node; empty allowed if empty_ok */
static sql_expr *list_node(sql_parser *p, sql_expr_kind kind, const sql_token *at, tok_kind close, bool empty_ok)
{
    sql_expr *e = sqlp_mk(p, kind, at);
    size_t cap = 0;
    uint32_t h = 0;
    if (empty_ok && sqlp_accept(p, close)) return e;
    if (!sqlp_expr_list(p, &e->u.list.items, &e->u.list.n, &cap, &h) || !sqlp_expect(p, close)) return NULL;
    e->height = sqlp_hmax(e->height, h + 1);
    return done(p, e, at);
}

static sql_expr *cast(sql_parser *p, bool try_)
{
    const sql_token *at = sqlp_cur(p);
    sqlp_advance(p);
    sql_expr *e = sqlp_mk(p, SQL_E_CAST, at);
    e->u.cast.try_ = try_;
    if (!sqlp_expect(p, T_LPAREN) || !(e->u.cast.arg = sqlp_expr(p)) || !sqlp_expect_kw(p, KW_AS) ||
        !(e->u.cast.type = sqlp_type(p)) || !sqlp_expect(p, T_RPAREN))
        return NULL;
    sub(e, e->u.cast.arg);
    e->height = sqlp_hmax(e->height, e->u.cast.type->height + 1);
    return done(p, e, at);
}

static sql_expr *case_expr(sql_parser *p)
{
    const sql_token *at = sqlp_cur(p);
    sqlp_advance(p);
    sql_expr *e = sqlp_mk(p, SQL_E_CASE, at);
    if (!sqlp_is_kw(p, KW_WHEN)) {
        sqlp_expect_at(p, EXP_KW + KW_WHEN);
        if (!(e->u.case_.operand = sqlp_expr(p))) return NULL;
        sub(e, e->u.case_.operand);
    }
    size_t cap = 0;
    if (!sqlp_expect_kw(p, KW_WHEN)) return NULL;
    do {
        sql_when *w = PUSH(p, e->u.case_.whens, e->u.case_.nwhens, cap);
        if (!(w->cond = sqlp_expr(p)) || !sqlp_expect_kw(p, KW_THEN) || !(w->result = sqlp_expr(p))) return NULL;
        sub(e, w->cond);
        sub(e, w->result);
    } while (sqlp_accept_kw(p, KW_WHEN));
    if (sqlp_accept_kw(p, KW_ELSE)) {
        if (!(e->u.case_.else_ = sqlp_expr(p))) return NULL;
        sub(e, e->u.case_.else_);
    }
    if (!sqlp_expect_kw(p, KW_END)) return NULL;
    return done(p, e, at);
}

static sql_expr *call_node(sql_parser *p, const sql_token *at, const char *name)
{
    sql_expr *e = sqlp_mk(p, SQL_E_CALL, at);
    e->u.call.name = st_slice_cstr(name);
    return e;
}

static void add_arg(sql_parser *p, sql_expr *call, size_t *cap, sql_expr *arg)
{
    *PUSH(p, call->u.call.args, call->u.call.nargs, *cap) = arg;
    sub(call, arg);
}

/* TRIM([BOTH|LEADING|TRAILING] [chars] FROM s), TRIM(s [, chars]): trim, ltrim, rtrim */
static sql_expr *trim_expr(sql_parser *p)
{
    const sql_token *at = sqlp_cur(p);
    sqlp_advance(p);
    if (!sqlp_expect(p, T_LPAREN)) return NULL;
    const char *name = "trim";
    bool spec = false;
    if (sqlp_accept_kw(p, KW_LEADING)) name = "ltrim", spec = true;
    else if (sqlp_accept_kw(p, KW_TRAILING)) name = "rtrim", spec = true;
    else if (sqlp_accept_kw(p, KW_BOTH)) spec = true;
    sql_expr *chars = NULL, *src;
    if (spec && sqlp_accept_kw(p, KW_FROM)) {
        if (!(src = sqlp_value(p))) return NULL;
    } else {
        if (!spec) sqlp_expect_at(p, EXP_KW + KW_FROM);
        sql_expr *v = sqlp_value(p);
        if (!v) return NULL;
        if (sqlp_accept_kw(p, KW_FROM)) {
            chars = v;
            if (!(src = sqlp_value(p))) return NULL;
        } else if (spec) {
            return sqlp_fail(p);
        } else if (sqlp_accept(p, T_COMMA)) {
            src = v;
            if (!(chars = sqlp_value(p))) return NULL;
        } else {
            src = v;
        }
    }
    if (!sqlp_expect(p, T_RPAREN)) return NULL;
    sql_expr *e = call_node(p, at, name);
    size_t cap = 0;
    add_arg(p, e, &cap, src);
    if (chars) add_arg(p, e, &cap, chars);
    return done(p, e, at);
}

/* SUBSTRING(s FROM a [FOR b]) or substring(s, a [, b]) */
static sql_expr *substring_expr(sql_parser *p)
{
    const sql_token *at = sqlp_cur(p);
    sqlp_advance(p);
    sqlp_advance(p); /* ( */
    sql_expr *e = call_node(p, at, "substring");
    size_t cap = 0;
    sql_expr *s = sqlp_value(p), *x;
    if (!s) return NULL;
    add_arg(p, e, &cap, s);
    if (sqlp_accept_kw(p, KW_FROM)) {
        if (!(x = sqlp_value(p))) return NULL;
        add_arg(p, e, &cap, x);
        if (sqlp_accept_kw(p, KW_FOR)) {
            if (!(x = sqlp_value(p))) return NULL;
            add_arg(p, e, &cap, x);
        }
    } else {
        while (sqlp_accept(p, T_COMMA)) {
            if (!(x = sqlp_expr(p))) return NULL;
            add_arg(p, e, &cap, x);
        }
    }
    if (!sqlp_expect(p, T_RPAREN)) return NULL;
    return done(p, e, at);
}

static bool window_bound(sql_parser *p, sql_bound *b, sql_expr *owner)
{
    if (sqlp_accept_kw(p, KW_UNBOUNDED)) {
        if (sqlp_accept_kw(p, KW_PRECEDING)) b->kind = SQL_BOUND_UNBOUNDED_PRECEDING;
        else if (sqlp_expect_kw(p, KW_FOLLOWING)) b->kind = SQL_BOUND_UNBOUNDED_FOLLOWING;
        else return false;
        return true;
    }
    if (sqlp_accept_kw(p, KW_CURRENT)) {
        b->kind = SQL_BOUND_CURRENT_ROW;
        return sqlp_expect_kw(p, KW_ROW);
    }
    if (!(b->value = sqlp_expr(p))) return false;
    sub(owner, b->value);
    if (sqlp_accept_kw(p, KW_PRECEDING)) b->kind = SQL_BOUND_PRECEDING;
    else if (sqlp_expect_kw(p, KW_FOLLOWING)) b->kind = SQL_BOUND_FOLLOWING;
    else return false;
    return true;
}

/* OVER '(' [PARTITION BY ...] [ORDER BY ...] [frame] ')' */
static bool window(sql_parser *p, sql_expr *owner)
{
    sqlp_advance(p); /* OVER */
    sqlp_advance(p); /* ( */
    sql_window *w = owner->u.call.over = sqlp_node(p, sizeof *w);
    if (sqlp_accept_kw(p, KW_PARTITION)) {
        size_t cap = 0;
        uint32_t h = 0;
        if (!sqlp_expect_kw(p, KW_BY) || !sqlp_expr_list(p, &w->partition, &w->npartition, &cap, &h)) return false;
        owner->height = sqlp_hmax(owner->height, h + 1);
    }
    if (sqlp_accept_kw(p, KW_ORDER)) {
        uint32_t h = 0;
        if (!sqlp_order_items(p, &w->order, &w->norder, &h)) return false;
        owner->height = sqlp_hmax(owner->height, h + 1);
    }
    if (sqlp_accept_kw(p, KW_ROWS)) w->frame = SQL_FRAME_ROWS;
    else if (sqlp_accept_kw(p, KW_RANGE)) w->frame = SQL_FRAME_RANGE;
    else if (sqlp_accept_kw(p, KW_GROUPS)) w->frame = SQL_FRAME_GROUPS;
    if (w->frame) {
        if (sqlp_accept_kw(p, KW_BETWEEN)) {
            if (!window_bound(p, &w->start, owner) || !sqlp_expect_kw(p, KW_AND) ||
                !window_bound(p, &w->end, owner))
                return false;
        } else if (!window_bound(p, &w->start, owner)) {
            return false;
        }
    }
    return sqlp_expect(p, T_RPAREN);
}

/* name '(' [*] | [ALL|DISTINCT] args [ORDER BY ...] ')' [FILTER (WHERE ...)] [IGNORE|RESPECT NULLS] [OVER (...)] */
static sql_expr *call(sql_parser *p, const sql_token *at, st_slice name)
{
    sqlp_advance(p); /* ( */
    sql_expr *e = sqlp_mk(p, SQL_E_CALL, at);
    e->u.call.name = name;
    size_t cap = 0;
    if (sqlp_accept(p, T_STAR)) {
        e->u.call.star = true;
        if (!sqlp_expect(p, T_RPAREN)) return NULL;
    } else if (!sqlp_accept(p, T_RPAREN)) {
        bool quant = false;
        if (sqlp_accept_kw(p, KW_DISTINCT)) {
            e->u.call.distinct = quant = true;
        } else if (sqlp_is_kw(p, KW_ALL) && sqlp_can_start_expr(sqlp_peek(p, 1))) {
            sqlp_advance(p);
            quant = true;
        } else {
            sqlp_expect_at(p, EXP_KW + KW_ALL);
        }
        if (quant || !sqlp_is_kw(p, KW_ORDER)) {
            if (!quant) sqlp_expect_at(p, EXP_KW + KW_ORDER);
            uint32_t h = 0;
            if (!sqlp_expr_list(p, &e->u.call.args, &e->u.call.nargs, &cap, &h)) return NULL;
            e->height = sqlp_hmax(e->height, h + 1);
        }
        if (sqlp_accept_kw(p, KW_ORDER)) {
            uint32_t h = 0;
            if (!sqlp_order_items(p, &e->u.call.order, &e->u.call.norder, &h)) return NULL;
            e->height = sqlp_hmax(e->height, h + 1);
        }
        if (!sqlp_expect(p, T_RPAREN)) return NULL;
    }
    if (sqlp_is_kw(p, KW_FILTER) && sqlp_peek(p, 1)->kind == T_LPAREN) {
        sqlp_advance(p);
        sqlp_advance(p);
        if (!sqlp_expect_kw(p, KW_WHERE) || !(e->u.call.filter = sqlp_expr(p)) || !sqlp_expect(p, T_RPAREN))
            return NULL;
        sub(e, e->u.call.filter);
    } else {
        sqlp_expect_at(p, EXP_KW + KW_FILTER);
    }
    const sql_token *t1 = sqlp_peek(p, 1);
    if ((sqlp_is_kw(p, KW_IGNORE) || sqlp_is_kw(p, KW_RESPECT)) && sqlp_tok_is_kw(t1, KW_NULLS)) {
        e->u.call.nulls = sqlp_is_kw(p, KW_IGNORE) ? SQL_NT_IGNORE : SQL_NT_RESPECT;
        sqlp_advance(p);
        sqlp_advance(p);
        if (!sqlp_is_kw(p, KW_OVER) || sqlp_peek(p, 1)->kind != T_LPAREN) {
            sqlp_expect_at(p, EXP_KW + KW_OVER);
            return sqlp_fail(p);
        }
    } else {
        sqlp_expect_at(p, EXP_KW + KW_IGNORE);
        sqlp_expect_at(p, EXP_KW + KW_RESPECT);
    }
    if (sqlp_is_kw(p, KW_OVER) && sqlp_peek(p, 1)->kind == T_LPAREN) {
        if (!window(p, e)) return NULL;
    } else {
        sqlp_expect_at(p, EXP_KW + KW_OVER);
    }
    return done(p, e, at);
}

static sql_expr *current(sql_parser *p, sql_current which, bool precision)
{
    const sql_token *at = sqlp_cur(p);
    sqlp_advance(p);
    sql_expr *e = sqlp_mk(p, SQL_E_CURRENT, at);
    e->u.current.which = which;
    e->u.current.precision = -1;
    if (precision && sqlp_accept(p, T_LPAREN)) {
        const sql_token *n = sqlp_cur(p);
        if (n->kind != T_INTEGER) {
            sqlp_expect_at(p, T_INTEGER);
            return sqlp_fail(p);
        }
        sql_expr *x = sqlp_number(p, NULL);
        if (!x) return NULL;
        if (x->u.num.i > 12) return sqlp_fatal(p, n, "Invalid precision: %lld", (long long)x->u.num.i);
        e->u.current.precision = (int)x->u.num.i;
        if (!sqlp_expect(p, T_RPAREN)) return NULL;
    }
    return e;
}

/* Reserved words that begin an expression. */
static sql_expr *reserved_primary(sql_parser *p)
{
    const sql_token *t = sqlp_cur(p);
    sql_expr *e;
    switch (t->kw) {
    case KW_NULL:
        sqlp_advance(p);
        return sqlp_mk(p, SQL_E_NULL, t);
    case KW_TRUE:
    case KW_FALSE:
        sqlp_advance(p);
        e = sqlp_mk(p, SQL_E_BOOL, t);
        e->u.b = t->kw == KW_TRUE;
        return e;
    case KW_CASE: return case_expr(p);
    case KW_CAST: return cast(p, false);
    case KW_EXISTS: {
        sqlp_advance(p);
        if (sqlp_cur(p)->kind != T_LPAREN) {
            sqlp_expect_at(p, T_LPAREN);
            return sqlp_fail(p);
        }
        sql_query *q = sqlp_paren_query(p);
        if (!q) return NULL;
        e = sqlp_mk(p, SQL_E_EXISTS, t);
        e->u.query = q;
        subq(e, q);
        return done(p, e, t);
    }
    case KW_EXTRACT: {
        sqlp_advance(p);
        e = sqlp_mk(p, SQL_E_EXTRACT, t);
        sql_ident field;
        if (!sqlp_expect(p, T_LPAREN) || !sqlp_take_ident(p, &field) || !sqlp_expect_kw(p, KW_FROM) ||
            !(e->u.extract.arg = sqlp_value(p)) || !sqlp_expect(p, T_RPAREN))
            return NULL;
        e->u.extract.field = field.name;
        sub(e, e->u.extract.arg);
        return done(p, e, t);
    }
    case KW_CURRENT_DATE: return current(p, SQL_CUR_DATE, false);
    case KW_CURRENT_TIME: return current(p, SQL_CUR_TIME, true);
    case KW_CURRENT_TIMESTAMP: return current(p, SQL_CUR_TIMESTAMP, true);
    case KW_LOCALTIME: return current(p, SQL_CUR_LOCALTIME, true);
    case KW_LOCALTIMESTAMP: return current(p, SQL_CUR_LOCALTIMESTAMP, true);
    case KW_CURRENT_USER: return current(p, SQL_CUR_USER, false);
    case KW_CURRENT_CATALOG: return current(p, SQL_CUR_CATALOG, false);
    case KW_CURRENT_SCHEMA: return current(p, SQL_CUR_SCHEMA, false);
    case KW_CURRENT_PATH: return current(p, SQL_CUR_PATH, false);
    case KW_TRIM: return trim_expr(p);
    case KW_GROUPING: {
        /* GROUPING(a, t.b): a call over column names */
        sqlp_advance(p);
        if (!sqlp_expect(p, T_LPAREN)) return NULL;
        e = call_node(p, t, "grouping");
        size_t cap = 0;
        if (!sqlp_accept(p, T_RPAREN)) {
            do {
                const sql_token *c = sqlp_cur(p);
                sql_expr *col = sqlp_mk(p, SQL_E_COLUMN, c);
                size_t pcap = 0;
                do {
                    if (!sqlp_take_ident(p, PUSH(p, col->u.column.parts, col->u.column.n, pcap))) return NULL;
                } while (sqlp_accept(p, T_DOT));
                add_arg(p, e, &cap, col);
            } while (sqlp_accept(p, T_COMMA));
            if (!sqlp_expect(p, T_RPAREN)) return NULL;
        }
        return done(p, e, t);
    }
    case KW_NORMALIZE: {
        sqlp_advance(p);
        e = call_node(p, t, "normalize");
        size_t cap = 0;
        sql_expr *v;
        if (!sqlp_expect(p, T_LPAREN) || !(v = sqlp_value(p))) return NULL;
        add_arg(p, e, &cap, v);
        if (sqlp_accept(p, T_COMMA)) {
            const sql_token *f = sqlp_cur(p);
            sql_ident form;
            if (!sqlp_take_ident(p, &form)) return NULL;
            static const char *const forms[] = {"nfd", "nfc", "nfkd", "nfkc"};
            bool ok = false;
            for (size_t i = 0; i < ST_ARRAY_LEN(forms); i++) ok |= st_slice_eq(form.name, st_slice_cstr(forms[i]));
            if (!ok || form.quoted)
                return sqlp_fatal(p, f, "Invalid normal form: %.*s", (int)(form.name.n > 20 ? 20 : form.name.n),
                                  form.name.p);
            sql_expr *s = sqlp_mk(p, SQL_E_STRING, f);
            char *up = st_arena_strndup(p->a, form.name.p, form.name.n);
            for (char *c = up; *c; c++) *c = (char)(*c - 32);
            s->u.str = st_slice_of(up, form.name.n);
            add_arg(p, e, &cap, s);
        }
        if (!sqlp_expect(p, T_RPAREN)) return NULL;
        return done(p, e, t);
    }
    default:
        sqlp_expect_at(p, EXP_EXPRESSION);
        return sqlp_fail(p);
    }
}

/* Joins the canonical names of a dotted function name. */
static st_slice join_name(sql_parser *p, const sql_name *n)
{
    if (n->n == 1) return n->parts[0].name;
    size_t len = 0;
    for (size_t i = 0; i < n->n; i++) len += n->parts[i].name.n + 1;
    char *d = st_arena_alloc(p->a, len);
    size_t k = 0;
    for (size_t i = 0; i < n->n; i++) {
        if (i) d[k++] = '.';
        memcpy(d + k, n->parts[i].name.p, n->parts[i].name.n);
        k += n->parts[i].name.n;
    }
    d[k] = 0;
    return st_slice_of(d, k);
}

/* Identifiers and the non-reserved words that begin special syntax. */
static sql_expr *ident_primary(sql_parser *p)
{
    const sql_token *t = sqlp_cur(p), *t1 = sqlp_peek(p, 1), *t2 = sqlp_peek(p, 2);
    if (t->kind == T_IDENT) {
        switch (t->kw) {
        case KW_INTERVAL:
            if (t1->kind == T_STRING || ((t1->kind == T_PLUS || t1->kind == T_MINUS) && t2->kind == T_STRING))
                return sqlp_interval_literal(p);
            break;
        case KW_TRY_CAST:
            if (t1->kind == T_LPAREN) return cast(p, true);
            break;
        case KW_ARRAY:
            if (t1->kind == T_LBRACKET) {
                sqlp_advance(p);
                sqlp_advance(p);
                return list_node(p, SQL_E_ARRAY, t, T_RBRACKET, true);
            }
            break;
        case KW_ROW:
            if (t1->kind == T_LPAREN) {
                sqlp_advance(p);
                sqlp_advance(p);
                return list_node(p, SQL_E_ROW, t, T_RPAREN, false);
            }
            break;
        case KW_POSITION:
            if (t1->kind == T_LPAREN) {
                /* POSITION(needle IN haystack) is strpos(haystack, needle) */
                sqlp_advance(p);
                sqlp_advance(p);
                sql_expr *needle, *hay;
                if (!(needle = sqlp_value(p)) || !sqlp_expect_kw(p, KW_IN) || !(hay = sqlp_value(p)) ||
                    !sqlp_expect(p, T_RPAREN))
                    return NULL;
                sql_expr *e = call_node(p, t, "strpos");
                size_t cap = 0;
                add_arg(p, e, &cap, hay);
                add_arg(p, e, &cap, needle);
                return done(p, e, t);
            }
            break;
        case KW_SUBSTRING:
            if (t1->kind == T_LPAREN) return substring_expr(p);
            break;
        case KW_DOUBLE:
            if (sqlp_tok_is_kw(t1, KW_PRECISION) && t2->kind == T_STRING) {
                sqlp_advance(p);
                sqlp_advance(p);
                sql_expr *e = sqlp_mk(p, SQL_E_TYPED, t);
                e->u.typed.type = st_slice_cstr("double");
                e->u.typed.value = sqlp_string(p, t2);
                sqlp_advance(p);
                return e;
            }
            break;
        default: break;
        }
    }
    if (t1->kind == T_ARROW) return lambda(p);
    if (t1->kind == T_STRING) {
        /* type 'value': DATE '2024-01-01', TIMESTAMP '...', any type name */
        sql_ident id;
        if (!sqlp_take_ident(p, &id)) return NULL;
        sql_expr *e = sqlp_mk(p, SQL_E_TYPED, t);
        e->u.typed.type = sqlp_lower(p, id.name); /* a quoted name too */
        e->u.typed.value = sqlp_string(p, t1);
        sqlp_advance(p);
        return e;
    }
    /* a dotted name: a column (t.c, x.time) or a function (f(...), a.b(...)) */
    sql_name name = {0};
    size_t cap = 0;
    for (;;) {
        if (!sqlp_take_ident(p, PUSH(p, name.parts, name.n, cap))) return NULL;
        if (sqlp_cur(p)->kind != T_DOT || !sqlp_is_ident_tok(sqlp_peek(p, 1))) break;
        sqlp_advance(p);
    }
    if (sqlp_cur(p)->kind == T_LPAREN) return call(p, t, join_name(p, &name));
    sql_expr *e = sqlp_mk(p, SQL_E_COLUMN, t);
    e->u.column = name;
    return e;
}

static sql_expr *parse_primary(sql_parser *p)
{
    const sql_token *t = sqlp_cur(p);
    sql_expr *e;
    switch (t->kind) {
    case T_INTEGER:
    case T_DECIMAL:
    case T_DOUBLE: return sqlp_number(p, NULL);
    case T_STRING:
        e = sqlp_mk(p, SQL_E_STRING, t);
        e->u.str = sqlp_string(p, t);
        sqlp_advance(p);
        return e;
    case T_USTRING: return sqlp_unicode_string(p);
    case T_BINARY: return sqlp_binary_literal(p);
    case T_INTERVAL: return sqlp_short_interval(p);
    case T_PARAM: return sqlp_param(p);
    case T_LPAREN: return paren(p);
    case T_IDENT:
        if (sql_kw_reserved((sql_kw)t->kw)) return reserved_primary(p);
        return ident_primary(p);
    case T_QIDENT:
    case T_BQIDENT:
    case T_DIGIT_IDENT: return ident_primary(p);
    default:
        sqlp_expect_at(p, EXP_EXPRESSION);
        return sqlp_fail(p);
    }
}
