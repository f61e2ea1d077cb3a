/* format: the canonical text of a parsed statement (sql_format).
 *
 * The rules, chosen so that parsing the text again gives an equal tree:
 *  - keywords in upper case; types and function names in lower case;
 *  - an identifier bare when it is lowercase [a-z_][a-z0-9_@$]*, not a
 *    reserved word and not `array` (array[1] would read as a constructor),
 *    else "quoted";
 *  - every operator, predicate, AND/OR list, NOT, unary sign, AT TIME ZONE
 *    and lambda in parentheses: (a OR (b AND c)), ((a - b) - c), (- x);
 *    a lambda that is a call's argument goes without them;
 *  - the base of .field, [index] and .* in parentheses when it would not
 *    read back as the same base: (x).f (x.f is a column name), (-5)[1];
 *  - integers by value, decimals and doubles as written, strings with ''
 *    doubled, intervals as written (5m stays 5m), x::t as CAST(x AS t);
 *  - set operations without added parentheses (a parenthesised operand is
 *    an SQL_Q_NESTED node and prints its own), joins left to right with a
 *    join on the right side in parentheses.
 */
#include "sql_int.h"

#include <stdio.h>
#include <string.h>

static void put(st_buf *b, const char *s) { st_buf_put(b, s, strlen(s)); }
static void put_slice(st_buf *b, st_slice s) { st_buf_put(b, s.p, s.n); }

/* Timestream's measure_value::double and its siblings lex as one identifier. */
static bool measure_value_name(st_slice s)
{
    static const char *const names[] = {"measure_value::double", "measure_value::bigint", "measure_value::varchar",
                                        "measure_value::boolean", "measure_value::timestamp", "measure_value::multi"};
    for (size_t i = 0; i < ST_ARRAY_LEN(names); i++)
        if (st_slice_eq(s, st_slice_cstr(names[i]))) return true;
    return false;
}

static bool bare_ok(st_slice s)
{
    if (measure_value_name(s)) return true;
    if (!s.n || !((s.p[0] >= 'a' && s.p[0] <= 'z') || s.p[0] == '_')) return false;
    for (size_t i = 1; i < s.n; i++) {
        char c = s.p[i];
        if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '@' || c == '$')) return false;
    }
    if (sql_is_reserved(s.p, s.n)) return false;
    return !st_slice_eq(s, st_slice_cstr("array"));
}

/* s between quotes, a quote inside doubled */
static void quoted(st_buf *b, st_slice s, char quote)
{
    st_buf_putc(b, (uint8_t)quote);
    for (size_t i = 0; i < s.n; i++) {
        if (s.p[i] == quote) st_buf_putc(b, (uint8_t)quote);
        st_buf_putc(b, (uint8_t)s.p[i]);
    }
    st_buf_putc(b, (uint8_t)quote);
}

void sql_ident_format(st_slice name, st_buf *out)
{
    if (bare_ok(name)) put_slice(out, name);
    else quoted(out, name, '"');
}

/* A keyword-like word (a type of a typed literal, an EXTRACT field) in upper case when it can be bare. */
static void upper_word(st_buf *b, st_slice s)
{
    if (st_slice_eq(s, st_slice_cstr("interval"))) {
        put(b, "\"interval\""); /* INTERVAL 'x' would read as an interval literal */
        return;
    }
    if (!bare_ok(s)) {
        sql_ident_format(s, b);
        return;
    }
    for (size_t i = 0; i < s.n; i++) {
        char c = s.p[i];
        st_buf_putc(b, (uint8_t)(c >= 'a' && c <= 'z' ? c - 32 : c));
    }
}

static void string_lit(st_buf *b, st_slice s) { quoted(b, s, '\''); }

static void name(st_buf *b, const sql_name *n)
{
    for (size_t i = 0; i < n->n; i++) {
        if (i) st_buf_putc(b, '.');
        sql_ident_format(n->parts[i].name, b);
    }
}

const char *sql_binop_str(sql_binop op)
{
    switch (op) {
    case SQL_OP_EQ: return "=";
    case SQL_OP_NE: return "<>";
    case SQL_OP_LT: return "<";
    case SQL_OP_LE: return "<=";
    case SQL_OP_GT: return ">";
    case SQL_OP_GE: return ">=";
    case SQL_OP_ADD: return "+";
    case SQL_OP_SUB: return "-";
    case SQL_OP_MUL: return "*";
    case SQL_OP_DIV: return "/";
    case SQL_OP_MOD: return "%";
    case SQL_OP_CONCAT: return "||";
    case SQL_OP_NEG: return "-";
    case SQL_OP_PLUS: return "+";
    }
    return "?";
}

static const char *const unit_words[] = {"", "YEAR", "MONTH", "DAY", "HOUR", "MINUTE", "SECOND"};

static void expr(st_buf *b, const sql_expr *e);
static void query(st_buf *b, const sql_query *q);

static void exprs(st_buf *b, sql_expr *const *v, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if (i) put(b, ", ");
        expr(b, v[i]);
    }
}

static void idents(st_buf *b, const sql_ident *v, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if (i) put(b, ", ");
        sql_ident_format(v[i].name, b);
    }
}

static void order_items(st_buf *b, const sql_order *o, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if (i) put(b, ", ");
        expr(b, o[i].expr);
        if (o[i].desc) put(b, " DESC");
        if (o[i].nulls == SQL_NULLS_FIRST) put(b, " NULLS FIRST");
        else if (o[i].nulls == SQL_NULLS_LAST) put(b, " NULLS LAST");
    }
}

void sql_type_format(const sql_type *t, st_buf *b)
{
    if (t->kind != SQL_T_NAMED) {
        put_slice(b, t->name);
    } else if (t->name.n > 9 && !memcmp(t->name.p, "interval ", 9)) {
        put_slice(b, t->name); /* interval hour to minute: lowercase words */
    } else {
        sql_ident_format(t->name, b);
    }
    if (t->nparams) {
        st_buf_putc(b, '(');
        for (size_t i = 0; i < t->nparams; i++) {
            const sql_type_param *tp = &t->params[i];
            if (i) put(b, ", ");
            if (tp->name.name.n) {
                sql_ident_format(tp->name.name, b);
                st_buf_putc(b, ' ');
            }
            if (tp->type) sql_type_format(tp->type, b);
            else st_buf_printf(b, "%lld", (long long)tp->value);
        }
        st_buf_putc(b, ')');
    }
    if (t->with_time_zone) put(b, " with time zone");
}

/* Can e be written right before .field, [index] or .* and read back as the same base? */
static bool postfix_safe(const sql_expr *e, bool field)
{
    switch (e->kind) {
    case SQL_E_INT:
    case SQL_E_DECIMAL:
    case SQL_E_DOUBLE: return false;
    case SQL_E_COLUMN: return !field;
    default: return true;
    }
}

static void postfix_base(st_buf *b, const sql_expr *e, bool field)
{
    if (postfix_safe(e, field)) {
        expr(b, e);
        return;
    }
    st_buf_putc(b, '(');
    expr(b, e);
    st_buf_putc(b, ')');
}

static void lambda(st_buf *b, const sql_expr *e)
{
    if (e->u.lambda.nparams == 1) {
        sql_ident_format(e->u.lambda.params[0].name, b);
    } else {
        st_buf_putc(b, '(');
        idents(b, e->u.lambda.params, e->u.lambda.nparams);
        st_buf_putc(b, ')');
    }
    put(b, " -> ");
    expr(b, e->u.lambda.body);
}

static void bound(st_buf *b, const sql_bound *bd)
{
    switch (bd->kind) {
    case SQL_BOUND_UNBOUNDED_PRECEDING: put(b, "UNBOUNDED PRECEDING"); break;
    case SQL_BOUND_UNBOUNDED_FOLLOWING: put(b, "UNBOUNDED FOLLOWING"); break;
    case SQL_BOUND_CURRENT_ROW: put(b, "CURRENT ROW"); break;
    case SQL_BOUND_PRECEDING:
        expr(b, bd->value);
        put(b, " PRECEDING");
        break;
    case SQL_BOUND_FOLLOWING:
        expr(b, bd->value);
        put(b, " FOLLOWING");
        break;
    default: break;
    }
}

static void window(st_buf *b, const sql_window *w)
{
    const char *sep = "";
    put(b, " OVER (");
    if (w->npartition) {
        put(b, "PARTITION BY ");
        exprs(b, w->partition, w->npartition);
        sep = " ";
    }
    if (w->norder) {
        put(b, sep);
        put(b, "ORDER BY ");
        order_items(b, w->order, w->norder);
        sep = " ";
    }
    if (w->frame) {
        put(b, sep);
        put(b, w->frame == SQL_FRAME_ROWS ? "ROWS " : w->frame == SQL_FRAME_RANGE ? "RANGE " : "GROUPS ");
        if (w->end.kind) {
            put(b, "BETWEEN ");
            bound(b, &w->start);
            put(b, " AND ");
            bound(b, &w->end);
        } else {
            bound(b, &w->start);
        }
    }
    st_buf_putc(b, ')');
}

static void call(st_buf *b, const sql_expr *e)
{
    /* dotted names print part by part; row, try_cast and position would read back as syntax */
    st_slice n = e->u.call.name;
    size_t s = 0;
    for (size_t i = 0; i <= n.n; i++) {
        if (i < n.n && n.p[i] != '.') continue;
        st_slice part = st_slice_of(n.p + s, i - s);
        if (s) st_buf_putc(b, '.');
        if (st_slice_eq(part, st_slice_cstr("row")) || st_slice_eq(part, st_slice_cstr("try_cast")) ||
            st_slice_eq(part, st_slice_cstr("position"))) {
            put(b, "\"");
            put_slice(b, part);
            put(b, "\"");
        } else {
            sql_ident_format(part, b);
        }
        s = i + 1;
    }
    st_buf_putc(b, '(');
    if (e->u.call.star) st_buf_putc(b, '*');
    if (e->u.call.distinct) put(b, "DISTINCT ");
    for (size_t i = 0; i < e->u.call.nargs; i++) {
        if (i) put(b, ", ");
        const sql_expr *a = e->u.call.args[i];
        if (a->kind == SQL_E_LAMBDA) lambda(b, a);
        else expr(b, a);
    }
    if (e->u.call.norder) {
        put(b, e->u.call.nargs ? " ORDER BY " : "ORDER BY ");
        order_items(b, e->u.call.order, e->u.call.norder);
    }
    st_buf_putc(b, ')');
    if (e->u.call.filter) {
        put(b, " FILTER (WHERE ");
        expr(b, e->u.call.filter);
        st_buf_putc(b, ')');
    }
    if (e->u.call.nulls == SQL_NT_IGNORE) put(b, " IGNORE NULLS");
    else if (e->u.call.nulls == SQL_NT_RESPECT) put(b, " RESPECT NULLS");
    if (e->u.call.over) window(b, e->u.call.over);
}

static const char *const current_words[] = {
    "", "CURRENT_DATE", "CURRENT_TIME", "CURRENT_TIMESTAMP", "LOCALTIME", "LOCALTIMESTAMP",
    "CURRENT_USER", "CURRENT_CATALOG", "CURRENT_SCHEMA", "CURRENT_PATH",
};

/* "NOT " for a negated predicate; only for the SQL_E_* kinds that use u.pred */
static const char *not_of(const sql_expr *e) { return e->u.pred.negated ? "NOT " : ""; }

static void expr(st_buf *b, const sql_expr *e)
{
    static const char hex[] = "0123456789ABCDEF";
    switch (e->kind) {
    case SQL_E_NULL: put(b, "NULL"); break;
    case SQL_E_BOOL: put(b, e->u.b ? "TRUE" : "FALSE"); break;
    case SQL_E_INT: st_buf_printf(b, "%lld", (long long)e->u.num.i); break;
    case SQL_E_DECIMAL:
    case SQL_E_DOUBLE: put_slice(b, e->u.num.text); break;
    case SQL_E_STRING: string_lit(b, e->u.str); break;
    case SQL_E_BINARY:
        put(b, "X'");
        for (size_t i = 0; i < e->u.str.n; i++) {
            st_buf_putc(b, (uint8_t)hex[(unsigned char)e->u.str.p[i] >> 4]);
            st_buf_putc(b, (uint8_t)hex[(unsigned char)e->u.str.p[i] & 15]);
        }
        st_buf_putc(b, '\'');
        break;
    case SQL_E_TYPED:
        upper_word(b, e->u.typed.type);
        st_buf_putc(b, ' ');
        string_lit(b, e->u.typed.value);
        break;
    case SQL_E_INTERVAL:
        if (e->u.interval.short_form) {
            put_slice(b, e->u.interval.text);
            break;
        }
        put(b, e->u.interval.negative ? "INTERVAL -" : "INTERVAL ");
        string_lit(b, e->u.interval.text);
        if (!e->u.interval.from) break; /* PostgreSQL's form: the units are in the string */
        st_buf_putc(b, ' ');
        put(b, unit_words[e->u.interval.from]);
        if (e->u.interval.to) {
            put(b, " TO ");
            put(b, unit_words[e->u.interval.to]);
        }
        break;
    case SQL_E_PARAM:
        if (e->u.param.name.n) {
            st_buf_putc(b, '@');
            put_slice(b, e->u.param.name);
        } else {
            st_buf_putc(b, '?');
        }
        break;
    case SQL_E_COLUMN: name(b, &e->u.column); break;
    case SQL_E_FIELD:
        postfix_base(b, e->u.field.base, true);
        st_buf_putc(b, '.');
        sql_ident_format(e->u.field.name.name, b);
        break;
    case SQL_E_SUBSCRIPT:
        postfix_base(b, e->u.subscript.base, false);
        st_buf_putc(b, '[');
        expr(b, e->u.subscript.index);
        st_buf_putc(b, ']');
        break;
    case SQL_E_UNARY: {
        const sql_expr *a = e->u.unary.arg;
        put(b, e->u.unary.op == SQL_OP_NEG ? "(- " : "(+ ");
        /* a number printed without a sign would fold into the sign: (- (5)) */
        bool num = (a->kind == SQL_E_INT && a->u.num.i >= 0) ||
                   ((a->kind == SQL_E_DECIMAL || a->kind == SQL_E_DOUBLE) &&
                    !(a->u.num.text.n && a->u.num.text.p[0] == '-'));
        if (num) st_buf_putc(b, '(');
        expr(b, a);
        if (num) st_buf_putc(b, ')');
        st_buf_putc(b, ')');
        break;
    }
    case SQL_E_BINOP:
        st_buf_putc(b, '(');
        expr(b, e->u.binop.l);
        st_buf_printf(b, " %s ", sql_binop_str(e->u.binop.op));
        expr(b, e->u.binop.r);
        st_buf_putc(b, ')');
        break;
    case SQL_E_AND:
    case SQL_E_OR:
        st_buf_putc(b, '(');
        for (size_t i = 0; i < e->u.list.n; i++) {
            if (i) put(b, e->kind == SQL_E_AND ? " AND " : " OR ");
            expr(b, e->u.list.items[i]);
        }
        st_buf_putc(b, ')');
        break;
    case SQL_E_NOT:
        put(b, "(NOT ");
        expr(b, e->u.unary.arg);
        st_buf_putc(b, ')');
        break;
    case SQL_E_IS_NULL:
        st_buf_putc(b, '(');
        expr(b, e->u.pred.arg);
        st_buf_printf(b, " IS %sNULL)", not_of(e));
        break;
    case SQL_E_DISTINCT_FROM:
        st_buf_putc(b, '(');
        expr(b, e->u.pred.arg);
        st_buf_printf(b, " IS %sDISTINCT FROM ", not_of(e));
        expr(b, e->u.pred.a);
        st_buf_putc(b, ')');
        break;
    case SQL_E_BETWEEN:
        st_buf_putc(b, '(');
        expr(b, e->u.pred.arg);
        st_buf_printf(b, " %sBETWEEN ", not_of(e));
        expr(b, e->u.pred.a);
        put(b, " AND ");
        expr(b, e->u.pred.b);
        st_buf_putc(b, ')');
        break;
    case SQL_E_IN_LIST:
        st_buf_putc(b, '(');
        expr(b, e->u.pred.arg);
        st_buf_printf(b, " %sIN (", not_of(e));
        exprs(b, e->u.pred.list, e->u.pred.n);
        put(b, "))");
        break;
    case SQL_E_IN_QUERY:
        st_buf_putc(b, '(');
        expr(b, e->u.pred.arg);
        st_buf_printf(b, " %sIN (", not_of(e));
        query(b, e->u.pred.query);
        put(b, "))");
        break;
    case SQL_E_LIKE:
        st_buf_putc(b, '(');
        expr(b, e->u.pred.arg);
        st_buf_printf(b, " %sLIKE ", not_of(e));
        expr(b, e->u.pred.a);
        if (e->u.pred.b) {
            put(b, " ESCAPE ");
            expr(b, e->u.pred.b);
        }
        st_buf_putc(b, ')');
        break;
    case SQL_E_QUANTIFIED:
        st_buf_putc(b, '(');
        expr(b, e->u.pred.arg);
        st_buf_printf(b, " %s %s (", sql_binop_str(e->u.pred.op),
                      e->u.pred.quant == SQL_QUANT_ALL ? "ALL" : e->u.pred.quant == SQL_QUANT_ANY ? "ANY" : "SOME");
        query(b, e->u.pred.query);
        put(b, "))");
        break;
    case SQL_E_EXISTS:
        put(b, "EXISTS (");
        query(b, e->u.query);
        st_buf_putc(b, ')');
        break;
    case SQL_E_SUBQUERY:
        st_buf_putc(b, '(');
        query(b, e->u.query);
        st_buf_putc(b, ')');
        break;
    case SQL_E_AT_TIME_ZONE:
        st_buf_putc(b, '(');
        expr(b, e->u.binop.l);
        put(b, " AT TIME ZONE ");
        expr(b, e->u.binop.r);
        st_buf_putc(b, ')');
        break;
    case SQL_E_CAST:
        put(b, e->u.cast.try_ ? "TRY_CAST(" : "CAST(");
        expr(b, e->u.cast.arg);
        put(b, " AS ");
        sql_type_format(e->u.cast.type, b);
        st_buf_putc(b, ')');
        break;
    case SQL_E_CASE:
        put(b, "CASE");
        if (e->u.case_.operand) {
            st_buf_putc(b, ' ');
            expr(b, e->u.case_.operand);
        }
        for (size_t i = 0; i < e->u.case_.nwhens; i++) {
            put(b, " WHEN ");
            expr(b, e->u.case_.whens[i].cond);
            put(b, " THEN ");
            expr(b, e->u.case_.whens[i].result);
        }
        if (e->u.case_.else_) {
            put(b, " ELSE ");
            expr(b, e->u.case_.else_);
        }
        put(b, " END");
        break;
    case SQL_E_CALL: call(b, e); break;
    case SQL_E_EXTRACT:
        put(b, "EXTRACT(");
        upper_word(b, e->u.extract.field);
        put(b, " FROM ");
        expr(b, e->u.extract.arg);
        st_buf_putc(b, ')');
        break;
    case SQL_E_ARRAY:
        put(b, "ARRAY[");
        exprs(b, e->u.list.items, e->u.list.n);
        st_buf_putc(b, ']');
        break;
    case SQL_E_ROW:
        put(b, "ROW(");
        exprs(b, e->u.list.items, e->u.list.n);
        st_buf_putc(b, ')');
        break;
    case SQL_E_LAMBDA:
        st_buf_putc(b, '(');
        lambda(b, e);
        st_buf_putc(b, ')');
        break;
    case SQL_E_CURRENT:
        put(b, current_words[e->u.current.which]);
        if (e->u.current.precision >= 0) st_buf_printf(b, "(%d)", e->u.current.precision);
        break;
    }
}

void sql_expr_format(const sql_expr *e, st_buf *out) { expr(out, e); }

/* ------------------------------------------------------------ queries */

static void relation(st_buf *b, const sql_relation *r);

static void alias(st_buf *b, const sql_relation *r)
{
    if (!r->alias.name.n) return;
    put(b, " AS ");
    sql_ident_format(r->alias.name, b);
    if (r->ncolumns) {
        put(b, " (");
        idents(b, r->columns, r->ncolumns);
        st_buf_putc(b, ')');
    }
}

static void join_side(st_buf *b, const sql_relation *r, bool right)
{
    if (r->kind == SQL_R_JOIN && right && !r->alias.name.n) {
        st_buf_putc(b, '(');
        relation(b, r);
        st_buf_putc(b, ')');
    } else {
        relation(b, r);
    }
}

static void relation(st_buf *b, const sql_relation *r)
{
    static const char *const joins[] = {"", " CROSS JOIN ", " JOIN ", " LEFT JOIN ", " RIGHT JOIN ", " FULL JOIN "};
    switch (r->kind) {
    case SQL_R_TABLE: name(b, &r->table); break;
    case SQL_R_SUBQUERY:
        put(b, r->lateral ? "LATERAL (" : "(");
        query(b, r->query);
        st_buf_putc(b, ')');
        break;
    case SQL_R_UNNEST:
        put(b, "UNNEST(");
        exprs(b, r->args, r->nargs);
        st_buf_putc(b, ')');
        if (r->ordinality) put(b, " WITH ORDINALITY");
        break;
    case SQL_R_JOIN:
        if (r->alias.name.n) st_buf_putc(b, '(');
        join_side(b, r->left, false);
        put(b, joins[r->join]);
        join_side(b, r->right, true);
        if (r->on) {
            put(b, " ON ");
            expr(b, r->on);
        } else if (r->nusing) {
            put(b, " USING (");
            idents(b, r->using_, r->nusing);
            st_buf_putc(b, ')');
        }
        if (r->alias.name.n) st_buf_putc(b, ')');
        break;
    }
    alias(b, r);
}

static void group_set(st_buf *b, const sql_group_set *s)
{
    if (s->n == 1) {
        expr(b, s->exprs[0]);
        return;
    }
    st_buf_putc(b, '(');
    exprs(b, s->exprs, s->n);
    st_buf_putc(b, ')');
}

static void select_core(st_buf *b, const sql_select *s)
{
    put(b, s->distinct ? "SELECT DISTINCT " : "SELECT ");
    for (size_t i = 0; i < s->nitems; i++) {
        const sql_select_item *it = &s->items[i];
        if (i) put(b, ", ");
        if (it->star && !it->expr) {
            st_buf_putc(b, '*');
            continue;
        }
        if (it->star) {
            postfix_base(b, it->expr, false);
            put(b, ".*");
            continue;
        }
        expr(b, it->expr);
        if (it->alias.name.n) {
            put(b, " AS ");
            sql_ident_format(it->alias.name, b);
        }
    }
    if (s->nfrom) {
        put(b, " FROM ");
        for (size_t i = 0; i < s->nfrom; i++) {
            if (i) put(b, ", ");
            relation(b, s->from[i]);
        }
    }
    if (s->where) {
        put(b, " WHERE ");
        expr(b, s->where);
    }
    if (s->ngroup) {
        put(b, " GROUP BY ");
        if (s->group_quant == SQL_QUANT_ALL) put(b, "ALL ");
        else if (s->group_quant == SQL_QUANT_DISTINCT) put(b, "DISTINCT ");
        for (size_t i = 0; i < s->ngroup; i++) {
            const sql_grouping *g = &s->group[i];
            if (i) put(b, ", ");
            if (g->kind == SQL_GROUP_SET) {
                group_set(b, &g->sets[0]);
                continue;
            }
            put(b, g->kind == SQL_GROUP_ROLLUP ? "ROLLUP (" : g->kind == SQL_GROUP_CUBE ? "CUBE (" : "GROUPING SETS (");
            for (size_t j = 0; j < g->nsets; j++) {
                if (j) put(b, ", ");
                group_set(b, &g->sets[j]);
            }
            st_buf_putc(b, ')');
        }
    }
    if (s->having) {
        put(b, " HAVING ");
        expr(b, s->having);
    }
}

static void query(st_buf *b, const sql_query *q)
{
    static const char *const ops[] = {"", " UNION", " INTERSECT", " EXCEPT"};
    if (q->nwith) {
        put(b, q->recursive ? "WITH RECURSIVE " : "WITH ");
        for (size_t i = 0; i < q->nwith; i++) {
            const sql_with *w = &q->with[i];
            if (i) put(b, ", ");
            sql_ident_format(w->name.name, b);
            if (w->ncolumns) {
                put(b, " (");
                idents(b, w->columns, w->ncolumns);
                st_buf_putc(b, ')');
            }
            put(b, " AS (");
            query(b, w->query);
            st_buf_putc(b, ')');
        }
        st_buf_putc(b, ' ');
    }
    switch (q->kind) {
    case SQL_Q_SELECT: select_core(b, q->select); break;
    case SQL_Q_SETOP:
        query(b, q->left);
        put(b, ops[q->op]);
        if (q->quant == SQL_QUANT_ALL) put(b, " ALL");
        else if (q->quant == SQL_QUANT_DISTINCT) put(b, " DISTINCT");
        st_buf_putc(b, ' ');
        query(b, q->right);
        break;
    case SQL_Q_VALUES:
        put(b, "VALUES ");
        exprs(b, q->rows, q->nrows);
        break;
    case SQL_Q_NESTED:
        st_buf_putc(b, '(');
        query(b, q->inner);
        st_buf_putc(b, ')');
        break;
    }
    if (q->norder) {
        put(b, " ORDER BY ");
        order_items(b, q->order, q->norder);
    }
    if (q->offset) {
        put(b, " OFFSET ");
        expr(b, q->offset);
    }
    if (q->fetch) {
        put(b, " FETCH FIRST ");
        expr(b, q->limit);
        put(b, q->with_ties ? " ROWS WITH TIES" : " ROWS ONLY");
    } else if (q->limit_all) {
        put(b, " LIMIT ALL");
    } else if (q->limit) {
        put(b, " LIMIT ");
        expr(b, q->limit);
    }
}

void sql_query_format(const sql_query *q, st_buf *out) { query(out, q); }

static void like(st_buf *b, const sql_stmt *s)
{
    if (!s->has_like) return;
    put(b, " LIKE ");
    string_lit(b, s->like);
    if (s->has_escape) {
        put(b, " ESCAPE ");
        string_lit(b, s->escape);
    }
}

void sql_format(const sql_stmt *s, st_buf *b)
{
    switch (s->kind) {
    case SQL_S_QUERY: query(b, s->query); break;
    case SQL_S_SHOW_DATABASES:
        put(b, "SHOW DATABASES");
        like(b, s);
        break;
    case SQL_S_SHOW_TABLES:
        put(b, "SHOW TABLES");
        if (s->name.n) {
            put(b, " FROM ");
            name(b, &s->name);
        }
        like(b, s);
        break;
    case SQL_S_SHOW_MEASURES:
        put(b, "SHOW MEASURES FROM ");
        name(b, &s->name);
        like(b, s);
        break;
    case SQL_S_DESCRIBE:
        put(b, "DESCRIBE ");
        name(b, &s->name);
        break;
    case SQL_S_EXPLAIN:
        put(b, "EXPLAIN ");
        if (s->analyze) put(b, s->verbose ? "ANALYZE VERBOSE " : "ANALYZE ");
        sql_format(s->explained, b);
        break;
    }
}
