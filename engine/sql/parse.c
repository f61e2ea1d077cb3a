/* parse: the SQL parser, part one: the machinery (tokens, expectations,
 * errors, limits, speculation), statements, queries and relations.
 * Expressions, literals and types are in parse_expr.c.
 *
 * A hand-written recursive-descent parser over the token array of lex.c,
 * rule for rule after Trino's grammar (SqlBase.g4) for what sql.h lists.
 * Where Trino's grammar needs more than one token of look-ahead, the parser
 * looks further ahead (lambdas, `LIMIT 5` against an alias `limit`, `ALL`
 * as a quantifier or a column); where it is ambiguous at '(' (a subquery,
 * or a parenthesised expression or relation), it tries the subquery first,
 * as ANTLR's rule order does, and backtracks. Each '(' query ')' attempt is
 * memoized by token, so backtracking never costs more than linear time.
 *
 * Expectations (see sql_int.h): sqlp_accept*() record what they looked for
 * when it is not there; rules that Trino names as a whole (<expression>,
 * <query>, <type>, <predicate>) record their name instead of their first
 * tokens. A failed parse reports the furthest token reached and what was
 * expected there, the way Trino's ErrorHandler does.
 *
 * Limits: every node's height is checked as it is built (SQL_MAX_DEPTH);
 * the recursion itself is bounded by sqlp_enter (SQL_MAX_RECURSION), so that
 * neither `((((...` nor `- - - ...` can exhaust the stack before a node
 * exists to be measured.
 */
#include "sql_int.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void *sqlp_grow(sql_parser *p, void *arr, size_t n, size_t *cap, size_t esz)
{
    size_t nc = *cap ? *cap * 2 : 4;
    char *na = st_arena_alloc(p->a, nc * esz);
    if (n) memcpy(na, arr, n * esz);
    memset(na + n * esz, 0, (nc - n) * esz);
    *cap = nc;
    return na;
}

/* ------------------------------------------------------------ machinery */

const sql_token *sqlp_cur(const sql_parser *p) { return &p->t[p->i]; }

const sql_token *sqlp_peek(const sql_parser *p, size_t k)
{
    size_t j = p->i + k;
    return j < p->nt ? &p->t[j] : &p->t[p->nt - 1];
}

void sqlp_advance(sql_parser *p)
{
    if (p->t[p->i].kind != T_EOF) p->i++;
}

void sqlp_expect_at(sql_parser *p, int exp)
{
    if (p->i > p->exp_i) {
        p->exp_i = p->i;
        memset(p->exp, 0, sizeof p->exp);
    }
    if (p->i == p->exp_i) p->exp[exp / 64] |= 1ull << (exp % 64);
}

bool sqlp_tok_is_kw(const sql_token *t, sql_kw kw) { return t->kind == T_IDENT && t->kw == kw; }

bool sqlp_is_kw(const sql_parser *p, sql_kw kw) { return sqlp_tok_is_kw(sqlp_cur(p), kw); }

bool sqlp_accept(sql_parser *p, tok_kind k)
{
    if (sqlp_cur(p)->kind == k) {
        sqlp_advance(p);
        return true;
    }
    sqlp_expect_at(p, k);
    return false;
}

bool sqlp_accept_kw(sql_parser *p, sql_kw kw)
{
    if (sqlp_is_kw(p, kw)) {
        sqlp_advance(p);
        return true;
    }
    sqlp_expect_at(p, EXP_KW + kw);
    return false;
}

void *sqlp_fail(sql_parser *p)
{
    p->failed = true;
    return NULL;
}

bool sqlp_expect(sql_parser *p, tok_kind k)
{
    if (sqlp_accept(p, k)) return true;
    sqlp_fail(p);
    return false;
}

bool sqlp_expect_kw(sql_parser *p, sql_kw kw)
{
    if (sqlp_accept_kw(p, kw)) return true;
    sqlp_fail(p);
    return false;
}

void *sqlp_fatal(sql_parser *p, const sql_token *at, const char *fmt, ...)
{
    if (p->fatal) return NULL;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(p->msg, sizeof p->msg, fmt, ap);
    va_end(ap);
    p->msg_line = at->line;
    p->msg_col = at->col;
    p->msg_off = at->off;
    p->fatal = p->failed = true;
    return NULL;
}

#define TOO_LARGE "statement is too large (stack overflow while parsing)"

bool sqlp_enter(sql_parser *p)
{
    if (p->fatal) return false;
    if (p->depth >= SQL_MAX_RECURSION) {
        sqlp_fatal(p, sqlp_cur(p), TOO_LARGE);
        return false;
    }
    p->depth++;
    return true;
}

void sqlp_leave(sql_parser *p) { p->depth--; }

bool sqlp_check_height(sql_parser *p, uint32_t height, const sql_token *at)
{
    if (height <= SQL_MAX_DEPTH) return true;
    sqlp_fatal(p, at, TOO_LARGE);
    return false;
}

void *sqlp_node(sql_parser *p, size_t size)
{
    if (++p->nodes > SQL_MAX_NODES)
        sqlp_fatal(p, sqlp_cur(p), "statement is too large (more than %d nodes)", SQL_MAX_NODES);
    void *n = st_arena_alloc(p->a, size);
    memset(n, 0, size);
    return n;
}

bool sqlp_is_ident_tok(const sql_token *t)
{
    switch (t->kind) {
    case T_IDENT: return !sql_kw_reserved((sql_kw)t->kw);
    case T_QIDENT:
    case T_BQIDENT:
    case T_DIGIT_IDENT: return true;
    default: return false;
    }
}

st_slice sqlp_unquote(sql_parser *p, const char *s, size_t n, char quote)
{
    char *d = st_arena_alloc(p->a, n + 1);
    size_t k = 0;
    for (size_t j = 0; j < n; j++) {
        d[k++] = s[j];
        if (s[j] == quote) j++; /* doubled */
    }
    d[k] = 0;
    return st_slice_of(d, k);
}

st_slice sqlp_lower(sql_parser *p, st_slice s)
{
    char *d = st_arena_strndup(p->a, s.p, s.n);
    for (size_t j = 0; j < s.n && d[j]; j++)
        if (d[j] >= 'A' && d[j] <= 'Z') d[j] = (char)(d[j] + 32);
    return st_slice_of(d, s.n);
}

st_slice sqlp_ident_text(sql_parser *p, const sql_token *t)
{
    const char *s = p->q + t->off;
    if (t->kind == T_QIDENT) return sqlp_unquote(p, s + 1, t->len - 2, '"');
    return sqlp_lower(p, st_slice_of(s, t->len));
}

bool sqlp_take_ident(sql_parser *p, sql_ident *out)
{
    const sql_token *t = sqlp_cur(p);
    if (!sqlp_is_ident_tok(t)) {
        sqlp_expect_at(p, T_IDENT);
        sqlp_fail(p);
        return false;
    }
    if (t->kind == T_DIGIT_IDENT) {
        sqlp_fatal(p, t, "identifiers must not start with a digit; surround the identifier with double quotes");
        return false;
    }
    if (t->kind == T_BQIDENT) {
        sqlp_fatal(p, t, "backquoted identifiers are not supported; use double quotes to quote identifiers");
        return false;
    }
    if (t->kind == T_QIDENT && t->len == 2) {
        sqlp_fatal(p, t, "Zero-length delimited identifier not allowed");
        return false;
    }
    out->name = sqlp_ident_text(p, t);
    out->quoted = t->kind == T_QIDENT;
    out->line = t->line;
    out->col = t->col;
    sqlp_advance(p);
    return true;
}

bool sqlp_take_string(sql_parser *p, st_slice *out)
{
    const sql_token *t = sqlp_cur(p);
    if (t->kind != T_STRING) {
        sqlp_expect_at(p, T_STRING);
        sqlp_fail(p);
        return false;
    }
    *out = sqlp_string(p, t);
    sqlp_advance(p);
    return true;
}

bool sqlp_query_start(const sql_token *t)
{
    return t->kind == T_LPAREN || sqlp_tok_is_kw(t, KW_SELECT) || sqlp_tok_is_kw(t, KW_WITH) ||
           sqlp_tok_is_kw(t, KW_VALUES);
}

static bool take_name(sql_parser *p, sql_name *out)
{
    size_t cap = 0;
    do {
        sql_ident *id = PUSH(p, out->parts, out->n, cap);
        if (!sqlp_take_ident(p, id)) return false;
    } while (sqlp_accept(p, T_DOT));
    return true;
}

/* '(' ident, ... ')' */
static bool ident_list(sql_parser *p, sql_ident **out, size_t *n)
{
    size_t cap = 0;
    if (!sqlp_expect(p, T_LPAREN)) return false;
    do {
        if (!sqlp_take_ident(p, PUSH(p, *out, *n, cap))) return false;
    } while (sqlp_accept(p, T_COMMA));
    return sqlp_expect(p, T_RPAREN);
}

/* May the current token be an alias written without AS? Not a reserved
 * word; LIMIT, OFFSET and FETCH only when what follows cannot continue
 * their clause (a comma, a parenthesis, the end, a reserved word), as
 * ANTLR's look-ahead decides for Trino. */
static bool bare_alias_ok(const sql_parser *p)
{
    const sql_token *t = sqlp_cur(p), *t1 = sqlp_peek(p, 1);
    if (!sqlp_is_ident_tok(t)) return false;
    if (sqlp_tok_is_kw(t, KW_LIMIT) || sqlp_tok_is_kw(t, KW_OFFSET) || sqlp_tok_is_kw(t, KW_FETCH))
        return t1->kind == T_COMMA || t1->kind == T_RPAREN || t1->kind == T_LPAREN || t1->kind == T_SEMI ||
               t1->kind == T_EOF || (t1->kind == T_IDENT && sql_kw_reserved((sql_kw)t1->kw));
    return true;
}


/* ------------------------------------------------------------ queries */

static sql_query *parse_query(sql_parser *p);
static sql_relation *parse_relation(sql_parser *p);

sql_query *sqlp_paren_query(sql_parser *p)
{
    size_t at = p->i;
    if (!p->memo_st) {
        p->memo_st = st_calloc(p->nt, 1);
        p->memo_q = st_calloc(p->nt, sizeof *p->memo_q);
        p->memo_end = st_calloc(p->nt, sizeof *p->memo_end);
        p->memo_np = st_calloc(p->nt, sizeof *p->memo_np);
    }
    if (p->memo_st[at] == 1) return sqlp_fail(p);
    if (p->memo_st[at] == 2) {
        p->i = p->memo_end[at];
        p->nparams += p->memo_np[at];
        return p->memo_q[at];
    }
    uint32_t np = p->nparams;
    sql_query *q = NULL;
    if (sqlp_expect(p, T_LPAREN)) {
        q = parse_query(p);
        if (q && !sqlp_expect(p, T_RPAREN)) q = NULL;
    }
    if (p->fatal) return NULL;
    if (!q) {
        p->memo_st[at] = 1;
        return sqlp_fail(p);
    }
    p->memo_st[at] = 2;
    p->memo_q[at] = q;
    p->memo_end[at] = (uint32_t)p->i;
    p->memo_np[at] = p->nparams - np;
    return q;
}

sql_query *sqlp_try_paren_query(sql_parser *p, size_t skip)
{
    size_t save = p->i;
    uint32_t np = p->nparams;
    int depth = p->depth;
    for (size_t k = 0; k < skip; k++) sqlp_advance(p);
    sql_query *q = sqlp_paren_query(p);
    if (q || p->fatal) return q;
    p->i = save;
    p->failed = false;
    p->nparams = np;
    p->depth = depth;
    return NULL;
}

bool sqlp_expr_list(sql_parser *p, sql_expr ***arr, size_t *n, size_t *cap, uint32_t *height)
{
    do {
        sql_expr *e = sqlp_expr(p);
        if (!e) return false;
        *PUSH(p, *arr, *n, *cap) = e;
        *height = sqlp_hmax(*height, e->height);
    } while (sqlp_accept(p, T_COMMA));
    return true;
}

bool sqlp_order_items(sql_parser *p, sql_order **out, size_t *n, uint32_t *height)
{
    size_t cap = 0;
    if (!sqlp_expect_kw(p, KW_BY)) return false;
    do {
        sql_order *o = PUSH(p, *out, *n, cap);
        if (!(o->expr = sqlp_expr(p))) return false;
        *height = sqlp_hmax(*height, o->expr->height);
        if (sqlp_accept_kw(p, KW_DESC)) o->desc = true;
        else sqlp_accept_kw(p, KW_ASC);
        if (sqlp_accept_kw(p, KW_NULLS)) {
            if (sqlp_accept_kw(p, KW_FIRST)) o->nulls = SQL_NULLS_FIRST;
            else if (sqlp_accept_kw(p, KW_LAST)) o->nulls = SQL_NULLS_LAST;
            else return sqlp_fail(p);
        }
    } while (sqlp_accept(p, T_COMMA));
    return true;
}

/* LIMIT/OFFSET count: an integer or a parameter. */
static sql_expr *row_count(sql_parser *p)
{
    const sql_token *t = sqlp_cur(p);
    if (t->kind == T_INTEGER) return sqlp_number(p, NULL);
    if (t->kind == T_PARAM) return sqlp_param(p);
    sqlp_expect_at(p, T_INTEGER);
    return sqlp_fail(p);
}

/* ORDER BY ... [OFFSET n [ROW|ROWS]] [LIMIT n|ALL | FETCH FIRST|NEXT [n] ROW|ROWS ONLY|WITH TIES],
 * and LIMIT before OFFSET as PostgreSQL allows it. */
static bool query_tail(sql_parser *p, sql_query *q, uint32_t *h)
{
    if (sqlp_accept_kw(p, KW_ORDER) && !sqlp_order_items(p, &q->order, &q->norder, h)) return false;
    if (sqlp_accept_kw(p, KW_OFFSET)) {
        if (!(q->offset = row_count(p))) return false;
        if (!sqlp_accept_kw(p, KW_ROW)) sqlp_accept_kw(p, KW_ROWS);
    }
    if (sqlp_accept_kw(p, KW_LIMIT)) {
        if (sqlp_accept_kw(p, KW_ALL)) q->limit_all = true;
        else if (!(q->limit = row_count(p))) return false;
        /* PostgreSQL's order, which Grafana users write; not suggested in errors */
        if (!q->offset && sqlp_is_kw(p, KW_OFFSET)) {
            sqlp_advance(p);
            if (!(q->offset = row_count(p))) return false;
        }
    } else if (sqlp_accept_kw(p, KW_FETCH)) {
        if (!sqlp_accept_kw(p, KW_FIRST) && !sqlp_expect_kw(p, KW_NEXT)) return false;
        q->fetch = true;
        const sql_token *t = sqlp_cur(p);
        if (t->kind == T_INTEGER || t->kind == T_PARAM) {
            if (!(q->limit = row_count(p))) return false;
        } else {
            /* FETCH FIRST ROW ONLY: one row */
            sql_expr *one = sqlp_mk(p, SQL_E_INT, t);
            one->u.num.text = st_slice_of("1", 1);
            one->u.num.i = 1;
            q->limit = one;
            sqlp_expect_at(p, T_INTEGER);
        }
        if (!sqlp_accept_kw(p, KW_ROW) && !sqlp_expect_kw(p, KW_ROWS)) return false;
        if (sqlp_accept_kw(p, KW_WITH)) {
            if (!sqlp_expect_kw(p, KW_TIES)) return false;
            q->with_ties = true;
        } else if (!sqlp_expect_kw(p, KW_ONLY)) {
            return false;
        }
    }
    return true;
}

static sql_query *new_query(sql_parser *p, sql_query_kind kind, const sql_token *at)
{
    sql_query *q = sqlp_node(p, sizeof *q);
    q->kind = kind;
    q->line = at->line;
    q->col = at->col;
    q->height = 1;
    return q;
}

/* SELECT [ALL|DISTINCT] items [FROM ...] [WHERE ...] [GROUP BY ...] [HAVING ...] */
static bool select_item(sql_parser *p, sql_select *s, size_t *cap, uint32_t *h)
{
    const sql_token *t = sqlp_cur(p);
    sql_select_item *it = PUSH(p, s->items, s->nitems, *cap);
    it->line = t->line;
    it->col = t->col;
    if (sqlp_accept(p, T_STAR)) {
        it->star = true;
        return true;
    }
    int saved = p->star_depth;
    p->star_depth = p->depth + 1;
    p->star_base = NULL;
    sql_expr *e = sqlp_expr(p);
    p->star_depth = saved;
    if (!e) return false;
    it->expr = e;
    *h = sqlp_hmax(*h, e->height);
    if (sqlp_cur(p)->kind == T_DOT && sqlp_peek(p, 1)->kind == T_STAR && p->star_base == e) {
        sqlp_advance(p);
        sqlp_advance(p);
        it->star = true;
        return true;
    }
    if (sqlp_accept_kw(p, KW_AS)) return sqlp_take_ident(p, &it->alias);
    if (bare_alias_ok(p)) return sqlp_take_ident(p, &it->alias);
    sqlp_expect_at(p, T_IDENT);
    return true;
}

/* One grouping set: `a`, `(a, b)` or `()`. */
static bool grouping_set(sql_parser *p, sql_group_set *gs, uint32_t *h)
{
    size_t cap = 0;
    if (sqlp_cur(p)->kind == T_LPAREN && sqlp_peek(p, 1)->kind == T_RPAREN) {
        sqlp_advance(p);
        sqlp_advance(p);
        return true;
    }
    sqlp_expect_at(p, T_LPAREN);
    sql_expr *e = sqlp_expr(p);
    if (!e) return false;
    *h = sqlp_hmax(*h, e->height);
    if (e->kind == SQL_E_ROW && e->u.list.paren) {
        gs->exprs = e->u.list.items;
        gs->n = e->u.list.n;
        return true;
    }
    *PUSH(p, gs->exprs, gs->n, cap) = e;
    return true;
}

static bool grouping_element(sql_parser *p, sql_grouping *g, uint32_t *h)
{
    const sql_token *t = sqlp_cur(p);
    size_t cap = 0;
    g->line = t->line;
    g->col = t->col;
    bool rollup = sqlp_tok_is_kw(t, KW_ROLLUP), cube = sqlp_tok_is_kw(t, KW_CUBE);
    if ((rollup || cube) && sqlp_peek(p, 1)->kind == T_LPAREN) {
        g->kind = rollup ? SQL_GROUP_ROLLUP : SQL_GROUP_CUBE;
        sqlp_advance(p);
        sqlp_advance(p);
        if (sqlp_accept(p, T_RPAREN)) return true;
        do {
            if (!grouping_set(p, PUSH(p, g->sets, g->nsets, cap), h)) return false;
        } while (sqlp_accept(p, T_COMMA));
        return sqlp_expect(p, T_RPAREN);
    }
    if (sqlp_tok_is_kw(t, KW_GROUPING) && sqlp_tok_is_kw(sqlp_peek(p, 1), KW_SETS)) {
        g->kind = SQL_GROUP_SETS;
        sqlp_advance(p);
        sqlp_advance(p);
        if (!sqlp_expect(p, T_LPAREN)) return false;
        do {
            if (!grouping_set(p, PUSH(p, g->sets, g->nsets, cap), h)) return false;
        } while (sqlp_accept(p, T_COMMA));
        return sqlp_expect(p, T_RPAREN);
    }
    sqlp_expect_at(p, EXP_KW + KW_ROLLUP);
    sqlp_expect_at(p, EXP_KW + KW_CUBE);
    sqlp_expect_at(p, EXP_KW + KW_GROUPING);
    g->kind = SQL_GROUP_SET;
    return grouping_set(p, PUSH(p, g->sets, g->nsets, cap), h);
}

/* ALL as a quantifier, not a column named all: something must follow it. */
static bool all_quantifier(const sql_parser *p, bool star_ok)
{
    const sql_token *t1 = sqlp_peek(p, 1);
    return sqlp_is_kw(p, KW_ALL) && ((star_ok && t1->kind == T_STAR) || sqlp_can_start_expr(t1));
}

static sql_query *select_core(sql_parser *p)
{
    const sql_token *at = sqlp_cur(p);
    sqlp_advance(p); /* SELECT */
    sql_query *q = new_query(p, SQL_Q_SELECT, at);
    sql_select *s = q->select = sqlp_node(p, sizeof *s);
    uint32_t h = 0;
    size_t cap = 0;
    if (sqlp_accept_kw(p, KW_DISTINCT)) s->distinct = true;
    else if (all_quantifier(p, true)) sqlp_advance(p);
    else sqlp_expect_at(p, EXP_KW + KW_ALL);
    do {
        if (!select_item(p, s, &cap, &h)) return NULL;
    } while (sqlp_accept(p, T_COMMA));
    if (sqlp_accept_kw(p, KW_FROM)) {
        cap = 0;
        do {
            sql_relation *r = parse_relation(p);
            if (!r) return NULL;
            *PUSH(p, s->from, s->nfrom, cap) = r;
            h = sqlp_hmax(h, r->height);
        } while (sqlp_accept(p, T_COMMA));
    }
    if (sqlp_accept_kw(p, KW_WHERE)) {
        if (!(s->where = sqlp_expr(p))) return NULL;
        h = sqlp_hmax(h, s->where->height);
    }
    if (sqlp_accept_kw(p, KW_GROUP)) {
        if (!sqlp_expect_kw(p, KW_BY)) return NULL;
        if (sqlp_accept_kw(p, KW_DISTINCT)) s->group_quant = SQL_QUANT_DISTINCT;
        else if (all_quantifier(p, false)) {
            sqlp_advance(p);
            s->group_quant = SQL_QUANT_ALL;
        } else {
            sqlp_expect_at(p, EXP_KW + KW_ALL);
        }
        cap = 0;
        do {
            if (!grouping_element(p, PUSH(p, s->group, s->ngroup, cap), &h)) return NULL;
        } while (sqlp_accept(p, T_COMMA));
    }
    if (sqlp_accept_kw(p, KW_HAVING)) {
        if (!(s->having = sqlp_expr(p))) return NULL;
        h = sqlp_hmax(h, s->having->height);
    }
    q->height = h + 1;
    return sqlp_check_height(p, q->height, at) ? q : NULL;
}

static sql_query *query_primary(sql_parser *p)
{
    const sql_token *t = sqlp_cur(p);
    if (sqlp_tok_is_kw(t, KW_SELECT)) return select_core(p);
    if (sqlp_tok_is_kw(t, KW_VALUES)) {
        sqlp_advance(p);
        sql_query *q = new_query(p, SQL_Q_VALUES, t);
        size_t cap = 0;
        uint32_t h = 0;
        if (!sqlp_expr_list(p, &q->rows, &q->nrows, &cap, &h)) return NULL;
        q->height = h + 1;
        return sqlp_check_height(p, q->height, t) ? q : NULL;
    }
    if (t->kind == T_LPAREN) {
        sql_query *inner = sqlp_paren_query(p);
        if (!inner) return NULL;
        sql_query *q = new_query(p, SQL_Q_NESTED, t);
        q->inner = inner;
        q->height = inner->height + 1;
        return sqlp_check_height(p, q->height, t) ? q : NULL;
    }
    sqlp_expect_at(p, T_LPAREN);
    sqlp_expect_at(p, EXP_KW + KW_SELECT);
    sqlp_expect_at(p, EXP_KW + KW_VALUES);
    return sqlp_fail(p);
}

/* Set operations by precedence climbing: INTERSECT (2) binds tighter than
 * UNION and EXCEPT (1); all are left-associative. */
static sql_query *parse_setop(sql_parser *p, int min)
{
    sql_query *l = query_primary(p);
    while (l) {
        const sql_token *t = sqlp_cur(p);
        sql_setop op;
        int prec;
        if (sqlp_tok_is_kw(t, KW_INTERSECT)) op = SQL_INTERSECT, prec = 2;
        else if (sqlp_tok_is_kw(t, KW_UNION)) op = SQL_UNION, prec = 1;
        else if (sqlp_tok_is_kw(t, KW_EXCEPT)) op = SQL_EXCEPT, prec = 1;
        else {
            sqlp_expect_at(p, EXP_KW + KW_UNION);
            sqlp_expect_at(p, EXP_KW + KW_EXCEPT);
            sqlp_expect_at(p, EXP_KW + KW_INTERSECT);
            break;
        }
        if (prec < min) break;
        sqlp_advance(p);
        sql_query *q = new_query(p, SQL_Q_SETOP, t);
        q->op = op;
        if (sqlp_accept_kw(p, KW_ALL)) q->quant = SQL_QUANT_ALL;
        else if (sqlp_accept_kw(p, KW_DISTINCT)) q->quant = SQL_QUANT_DISTINCT;
        q->left = l;
        if (!(q->right = parse_setop(p, prec + 1))) return NULL;
        q->height = sqlp_hmax(l->height, q->right->height) + 1;
        if (!sqlp_check_height(p, q->height, t)) return NULL;
        l = q;
    }
    return l;
}

static sql_query *parse_query(sql_parser *p)
{
    const sql_token *at = sqlp_cur(p);
    if (!sqlp_query_start(at)) {
        sqlp_expect_at(p, EXP_QUERY);
        return sqlp_fail(p);
    }
    if (!sqlp_enter(p)) return NULL;
    sql_with *with = NULL;
    size_t nwith = 0, cap = 0;
    bool recursive = false;
    uint32_t h = 0;
    sql_query *q = NULL;
    if (sqlp_is_kw(p, KW_WITH)) {
        sqlp_advance(p);
        recursive = sqlp_accept_kw(p, KW_RECURSIVE);
        do {
            sql_with *w = PUSH(p, with, nwith, cap);
            if (!sqlp_take_ident(p, &w->name)) goto out;
            if (sqlp_cur(p)->kind == T_LPAREN) {
                if (!ident_list(p, &w->columns, &w->ncolumns)) goto out;
            } else {
                sqlp_expect_at(p, T_LPAREN);
            }
            if (!sqlp_expect_kw(p, KW_AS)) goto out;
            if (!(w->query = sqlp_paren_query(p))) goto out;
            h = sqlp_hmax(h, w->query->height);
        } while (sqlp_accept(p, T_COMMA));
    }
    q = parse_setop(p, 0);
    if (!q) goto out;
    q->with = with;
    q->nwith = nwith;
    q->recursive = recursive;
    if (!query_tail(p, q, &h)) {
        q = NULL;
        goto out;
    }
    if (q->limit) h = sqlp_hmax(h, q->limit->height);
    if (q->offset) h = sqlp_hmax(h, q->offset->height);
    q->height = sqlp_hmax(q->height, h + 1);
    if (!sqlp_check_height(p, q->height, at)) q = NULL;
out:
    sqlp_leave(p);
    return q;
}

/* ---------------------------------------------------------- relations */

static sql_relation *new_rel(sql_parser *p, sql_relation_kind kind, const sql_token *at)
{
    sql_relation *r = sqlp_node(p, sizeof *r);
    r->kind = kind;
    r->line = at->line;
    r->col = at->col;
    r->height = 1;
    return r;
}

static sql_relation *relation_primary(sql_parser *p)
{
    const sql_token *t = sqlp_cur(p);
    if (t->kind == T_LPAREN) {
        if (sqlp_query_start(sqlp_peek(p, 1))) {
            sql_query *q = sqlp_try_paren_query(p, 0);
            if (q) {
                sql_relation *r = new_rel(p, SQL_R_SUBQUERY, t);
                r->query = q;
                r->height = q->height + 1;
                return r;
            }
            if (p->fatal) return NULL;
        }
        sqlp_advance(p);
        if (!sqlp_query_start(sqlp_cur(p))) sqlp_expect_at(p, EXP_QUERY);
        sql_relation *r = parse_relation(p);
        if (!r || !sqlp_expect(p, T_RPAREN)) return NULL;
        return r;
    }
    if (sqlp_tok_is_kw(t, KW_UNNEST)) {
        sqlp_advance(p);
        sql_relation *r = new_rel(p, SQL_R_UNNEST, t);
        size_t cap = 0;
        uint32_t h = 0;
        if (!sqlp_expect(p, T_LPAREN) || !sqlp_expr_list(p, &r->args, &r->nargs, &cap, &h) ||
            !sqlp_expect(p, T_RPAREN))
            return NULL;
        if (sqlp_is_kw(p, KW_WITH) && sqlp_tok_is_kw(sqlp_peek(p, 1), KW_ORDINALITY)) {
            sqlp_advance(p);
            sqlp_advance(p);
            r->ordinality = true;
        }
        r->height = h + 1;
        return sqlp_check_height(p, r->height, t) ? r : NULL;
    }
    if (sqlp_tok_is_kw(t, KW_LATERAL) && sqlp_peek(p, 1)->kind == T_LPAREN) {
        sqlp_advance(p);
        sql_query *q = sqlp_paren_query(p);
        if (!q) return NULL;
        sql_relation *r = new_rel(p, SQL_R_SUBQUERY, t);
        r->query = q;
        r->lateral = true;
        r->height = q->height + 1;
        return r;
    }
    if (sqlp_is_ident_tok(t)) {
        sql_relation *r = new_rel(p, SQL_R_TABLE, t);
        return take_name(p, &r->table) ? r : NULL;
    }
    sqlp_expect_at(p, T_LPAREN);
    sqlp_expect_at(p, EXP_KW + KW_LATERAL);
    sqlp_expect_at(p, EXP_KW + KW_UNNEST);
    sqlp_expect_at(p, T_IDENT);
    return sqlp_fail(p);
}

/* relationPrimary [[AS] alias [(columns)]] */
static sql_relation *aliased_primary(sql_parser *p)
{
    sql_relation *r = relation_primary(p);
    if (!r || r->alias.name.n) return r; /* (t AS x) takes no second alias */
    bool as = sqlp_accept_kw(p, KW_AS);
    if (!as && !bare_alias_ok(p)) {
        sqlp_expect_at(p, T_IDENT);
        return r;
    }
    if (!sqlp_take_ident(p, &r->alias)) return NULL;
    if (sqlp_cur(p)->kind == T_LPAREN) {
        if (!ident_list(p, &r->columns, &r->ncolumns)) return NULL;
    } else {
        sqlp_expect_at(p, T_LPAREN);
    }
    return r;
}

/* relation: primary, then joins, left to right; the right side of a
 * non-cross join is itself a relation (a JOIN b JOIN c ON x ON y). */
static sql_relation *parse_relation(sql_parser *p)
{
    if (!sqlp_enter(p)) return NULL;
    sql_relation *l = aliased_primary(p);
    while (l) {
        const sql_token *t = sqlp_cur(p);
        sql_join_kind jk;
        sql_relation *right;
        if (sqlp_accept_kw(p, KW_CROSS)) {
            if (!sqlp_expect_kw(p, KW_JOIN) || !(right = aliased_primary(p))) {
                l = NULL;
                break;
            }
            jk = SQL_JOIN_CROSS;
        } else {
            if (sqlp_accept_kw(p, KW_JOIN)) jk = SQL_JOIN_INNER;
            else if (sqlp_accept_kw(p, KW_INNER)) jk = SQL_JOIN_INNER;
            else if (sqlp_accept_kw(p, KW_LEFT)) jk = SQL_JOIN_LEFT;
            else if (sqlp_accept_kw(p, KW_RIGHT)) jk = SQL_JOIN_RIGHT;
            else if (sqlp_accept_kw(p, KW_FULL)) jk = SQL_JOIN_FULL;
            else break;
            if (!sqlp_tok_is_kw(t, KW_JOIN)) {
                if (jk != SQL_JOIN_INNER) sqlp_accept_kw(p, KW_OUTER);
                if (!sqlp_expect_kw(p, KW_JOIN)) {
                    l = NULL;
                    break;
                }
            }
            if (!(right = parse_relation(p))) {
                l = NULL;
                break;
            }
        }
        sql_relation *j = new_rel(p, SQL_R_JOIN, t);
        j->join = jk;
        j->left = l;
        j->right = right;
        j->height = sqlp_hmax(l->height, right->height) + 1;
        if (jk != SQL_JOIN_CROSS) {
            if (sqlp_accept_kw(p, KW_ON)) {
                if (!(j->on = sqlp_expr(p))) {
                    l = NULL;
                    break;
                }
                j->height = sqlp_hmax(j->height, j->on->height + 1);
            } else if (sqlp_accept_kw(p, KW_USING)) {
                if (!ident_list(p, &j->using_, &j->nusing)) {
                    l = NULL;
                    break;
                }
            } else {
                sqlp_fail(p);
                l = NULL;
                break;
            }
        }
        if (!sqlp_check_height(p, j->height, t)) {
            l = NULL;
            break;
        }
        l = j;
    }
    sqlp_leave(p);
    return l;
}

/* --------------------------------------------------------- statements */

static bool like_clause(sql_parser *p, sql_stmt *s)
{
    if (!sqlp_accept_kw(p, KW_LIKE)) return true;
    if (!(s->has_like = sqlp_take_string(p, &s->like))) return false;
    if (!sqlp_accept_kw(p, KW_ESCAPE)) return true;
    return s->has_escape = sqlp_take_string(p, &s->escape);
}

static sql_stmt *parse_statement(sql_parser *p)
{
    const sql_token *t = sqlp_cur(p);
    sql_stmt *s = sqlp_node(p, sizeof *s);
    s->line = t->line;
    s->col = t->col;
    if (sqlp_tok_is_kw(t, KW_SHOW)) {
        sqlp_advance(p);
        if (sqlp_accept_kw(p, KW_DATABASES)) {
            s->kind = SQL_S_SHOW_DATABASES;
        } else if (sqlp_accept_kw(p, KW_TABLES)) {
            s->kind = SQL_S_SHOW_TABLES;
            if ((sqlp_accept_kw(p, KW_FROM) || sqlp_accept_kw(p, KW_IN)) && !take_name(p, &s->name)) return NULL;
        } else if (sqlp_accept_kw(p, KW_MEASURES)) {
            s->kind = SQL_S_SHOW_MEASURES;
            if (!sqlp_accept_kw(p, KW_FROM) && !sqlp_expect_kw(p, KW_IN)) return NULL;
            if (!take_name(p, &s->name)) return NULL;
        } else {
            return sqlp_fail(p);
        }
        return like_clause(p, s) ? s : NULL;
    }
    if (sqlp_tok_is_kw(t, KW_DESCRIBE) || sqlp_tok_is_kw(t, KW_DESC)) {
        sqlp_advance(p);
        s->kind = SQL_S_DESCRIBE;
        return take_name(p, &s->name) ? s : NULL;
    }
    if (sqlp_tok_is_kw(t, KW_EXPLAIN)) {
        sqlp_advance(p);
        s->kind = SQL_S_EXPLAIN;
        if (sqlp_accept_kw(p, KW_ANALYZE)) {
            s->analyze = true;
            s->verbose = sqlp_accept_kw(p, KW_VERBOSE);
        }
        if (!sqlp_enter(p)) return NULL;
        s->explained = parse_statement(p);
        sqlp_leave(p);
        return s->explained ? s : NULL;
    }
    if (sqlp_query_start(t)) {
        s->kind = SQL_S_QUERY;
        s->query = parse_query(p);
        return s->query ? s : NULL;
    }
    sqlp_expect_at(p, EXP_KW + KW_DESC);
    sqlp_expect_at(p, EXP_KW + KW_DESCRIBE);
    sqlp_expect_at(p, EXP_KW + KW_EXPLAIN);
    sqlp_expect_at(p, EXP_KW + KW_SHOW);
    sqlp_expect_at(p, EXP_QUERY);
    return sqlp_fail(p);
}

/* ------------------------------------------------------------- errors */

static int exp_cmp(const void *a, const void *b) { return strcmp(a, b); }

/* The token's text for "mismatched input '...'", cut at 60 bytes. */
static void token_text(const sql_parser *p, const sql_token *t, char *out, size_t cap)
{
    if (t->kind == T_EOF) {
        snprintf(out, cap, "<EOF>");
        return;
    }
    size_t n = t->len;
    bool cut = false;
    if (n > 60) {
        n = 60;
        while (n > 0 && ((unsigned char)p->q[t->off + n] & 0xC0) == 0x80) n--;
        cut = true;
    }
    snprintf(out, cap, "%.*s%s", (int)n, p->q + t->off, cut ? "..." : "");
}

static int report(sql_parser *p, st_err *e, sql_error *d)
{
    if (p->fatal) {
        if (d) {
            d->line = p->msg_line;
            d->col = p->msg_col;
            d->offset = p->msg_off;
        }
        return st_fail(e, ST_EINVAL, "line %u:%u: %s", p->msg_line, p->msg_col, p->msg);
    }
    size_t at = p->exp_i < p->nt ? p->exp_i : p->nt - 1;
    bool any = false;
    for (size_t w = 0; w < EXP_WORDS; w++) any |= p->exp[w] != 0;
    if (!any) at = p->i;
    const sql_token *t = &p->t[at];
    char names[EXP_COUNT][40];
    size_t k = 0;
    for (int x = 0; x < EXP_COUNT; x++)
        if (p->exp[x / 64] >> (x % 64) & 1) sql_exp_name(x, names[k++], sizeof names[0]);
    qsort(names, k, sizeof names[0], exp_cmp);
    char list[1024];
    size_t len = 0;
    list[0] = 0;
    for (size_t j = 0; j < k && len < sizeof list - 64; j++)
        len += (size_t)snprintf(list + len, sizeof list - len, "%s%s", j ? ", " : "", names[j]);
    char text[80];
    token_text(p, t, text, sizeof text);
    if (d) {
        d->line = t->line;
        d->col = t->col;
        d->offset = t->off;
    }
    if (!k) return st_fail(e, ST_EINVAL, "line %u:%u: mismatched input '%s'", t->line, t->col, text);
    return st_fail(e, ST_EINVAL, "line %u:%u: mismatched input '%s'. Expecting: %s", t->line, t->col, text, list);
}

/* ---------------------------------------------------------- entry points */

static int start(sql_parser *p, const char *q, size_t n, st_arena *a, st_err *e, sql_error *d)
{
    memset(p, 0, sizeof *p);
    p->q = q;
    p->a = a;
    p->star_depth = -1;
    if (sql_lex(q, n, &p->t, &p->nt) != 0) {
        if (d) {
            d->line = d->col = 1;
            d->offset = 0;
        }
        return st_fail(e, ST_EINVAL, "line 1:1: statement is too large (more than %d tokens)", SQL_MAX_TOKENS);
    }
    return 0;
}

static int finish(sql_parser *p, st_err *e, sql_error *d)
{
    if (!p->failed && sqlp_cur(p)->kind == T_SEMI) sqlp_advance(p);
    if (!p->failed && !sqlp_accept(p, T_EOF)) sqlp_fail(p);
    int rc = p->failed ? report(p, e, d) : 0;
    st_free(p->t);
    st_free(p->memo_st);
    st_free(p->memo_q);
    st_free(p->memo_end);
    st_free(p->memo_np);
    return rc;
}

int sql_parse_ex(const char *q, size_t n, st_arena *a, sql_stmt **out, st_err *e, sql_error *detail)
{
    sql_parser p;
    *out = NULL;
    int rc = start(&p, q, n, a, e, detail);
    if (rc) return rc;
    sql_stmt *s = parse_statement(&p);
    if (!s) sqlp_fail(&p);
    rc = finish(&p, e, detail);
    if (rc) return rc;
    s->nparams = p.nparams;
    *out = s;
    return 0;
}

int sql_parse(const char *q, size_t n, st_arena *a, sql_stmt **out, st_err *e)
{
    return sql_parse_ex(q, n, a, out, e, NULL);
}

int sql_parse_expr(const char *q, size_t n, st_arena *a, sql_expr **out, st_err *e)
{
    sql_parser p;
    *out = NULL;
    int rc = start(&p, q, n, a, e, NULL);
    if (rc) return rc;
    sql_expr *x = sqlp_expr(&p);
    if (!x) sqlp_fail(&p);
    rc = finish(&p, e, NULL);
    if (rc) return rc;
    *out = x;
    return 0;
}
