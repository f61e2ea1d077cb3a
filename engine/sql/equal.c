/* equal: structural equality of parsed SQL (sql_*_equal in sql.h).
 *
 * Two trees are equal when they mean the same text up to formatting:
 * positions, heights, whether an identifier was quoted, how a keyword or
 * operator was spelled (<> or !=), the text of an integer, whether a cast
 * was written x::t and whether a row was written (a, b) are all ignored;
 * names compare after case folding (unquoted ones were lowercased by the
 * parser), decimals and doubles by their text, as their type depends on it.
 */
#include "sql_int.h"

#include <string.h>


static bool ident_eq(const sql_ident *a, const sql_ident *b) { return st_slice_eq(a->name, b->name); }

static bool idents_eq(const sql_ident *a, size_t na, const sql_ident *b, size_t nb)
{
    if (na != nb) return false;
    for (size_t i = 0; i < na; i++)
        if (!ident_eq(&a[i], &b[i])) return false;
    return true;
}

static bool name_eq(const sql_name *a, const sql_name *b) { return idents_eq(a->parts, a->n, b->parts, b->n); }

static bool opt_expr_eq(const sql_expr *a, const sql_expr *b)
{
    if (!a || !b) return a == b;
    return sql_expr_equal(a, b);
}

static bool opt_query_eq(const sql_query *a, const sql_query *b)
{
    if (!a || !b) return a == b;
    return sql_query_equal(a, b);
}

static bool exprs_eq(sql_expr *const *a, size_t na, sql_expr *const *b, size_t nb)
{
    if (na != nb) return false;
    for (size_t i = 0; i < na; i++)
        if (!sql_expr_equal(a[i], b[i])) return false;
    return true;
}

static bool orders_eq(const sql_order *a, size_t na, const sql_order *b, size_t nb)
{
    if (na != nb) return false;
    for (size_t i = 0; i < na; i++)
        if (a[i].desc != b[i].desc || a[i].nulls != b[i].nulls || !sql_expr_equal(a[i].expr, b[i].expr))
            return false;
    return true;
}

bool sql_type_equal(const sql_type *a, const sql_type *b)
{
    if (a->kind != b->kind || !st_slice_eq(a->name, b->name) || a->with_time_zone != b->with_time_zone ||
        a->nparams != b->nparams)
        return false;
    for (size_t i = 0; i < a->nparams; i++) {
        const sql_type_param *x = &a->params[i], *y = &b->params[i];
        if (!ident_eq(&x->name, &y->name) || !x->type != !y->type) return false;
        if (x->type ? !sql_type_equal(x->type, y->type) : x->value != y->value) return false;
    }
    return true;
}

static bool bound_eq(const sql_bound *a, const sql_bound *b)
{
    return a->kind == b->kind && opt_expr_eq(a->value, b->value);
}

static bool window_eq(const sql_window *a, const sql_window *b)
{
    if (!a || !b) return a == b;
    return exprs_eq(a->partition, a->npartition, b->partition, b->npartition) &&
           orders_eq(a->order, a->norder, b->order, b->norder) && a->frame == b->frame &&
           bound_eq(&a->start, &b->start) && bound_eq(&a->end, &b->end);
}

bool sql_expr_equal(const sql_expr *a, const sql_expr *b)
{
    if (a->kind != b->kind) return false;
    switch (a->kind) {
    case SQL_E_NULL: return true;
    case SQL_E_BOOL: return a->u.b == b->u.b;
    case SQL_E_INT: return a->u.num.i == b->u.num.i;
    case SQL_E_DECIMAL:
    case SQL_E_DOUBLE: return st_slice_eq(a->u.num.text, b->u.num.text);
    case SQL_E_STRING:
    case SQL_E_BINARY: return st_slice_eq(a->u.str, b->u.str);
    case SQL_E_TYPED: return st_slice_eq(a->u.typed.type, b->u.typed.type) && st_slice_eq(a->u.typed.value, b->u.typed.value);
    case SQL_E_INTERVAL:
        return a->u.interval.short_form == b->u.interval.short_form &&
               a->u.interval.year_month == b->u.interval.year_month && a->u.interval.from == b->u.interval.from &&
               a->u.interval.to == b->u.interval.to && a->u.interval.months == b->u.interval.months &&
               a->u.interval.ns == b->u.interval.ns && a->u.interval.negative == b->u.interval.negative &&
               st_slice_eq(a->u.interval.text, b->u.interval.text);
    case SQL_E_PARAM: return st_slice_eq(a->u.param.name, b->u.param.name) && a->u.param.index == b->u.param.index;
    case SQL_E_COLUMN: return name_eq(&a->u.column, &b->u.column);
    case SQL_E_FIELD:
        return ident_eq(&a->u.field.name, &b->u.field.name) && sql_expr_equal(a->u.field.base, b->u.field.base);
    case SQL_E_SUBSCRIPT:
        return sql_expr_equal(a->u.subscript.base, b->u.subscript.base) &&
               sql_expr_equal(a->u.subscript.index, b->u.subscript.index);
    case SQL_E_UNARY: return a->u.unary.op == b->u.unary.op && sql_expr_equal(a->u.unary.arg, b->u.unary.arg);
    case SQL_E_NOT: return sql_expr_equal(a->u.unary.arg, b->u.unary.arg);
    case SQL_E_BINOP:
        return a->u.binop.op == b->u.binop.op && sql_expr_equal(a->u.binop.l, b->u.binop.l) &&
               sql_expr_equal(a->u.binop.r, b->u.binop.r);
    case SQL_E_AT_TIME_ZONE: return sql_expr_equal(a->u.binop.l, b->u.binop.l) && sql_expr_equal(a->u.binop.r, b->u.binop.r);
    case SQL_E_AND:
    case SQL_E_OR:
    case SQL_E_ARRAY:
    case SQL_E_ROW: return exprs_eq(a->u.list.items, a->u.list.n, b->u.list.items, b->u.list.n);
    case SQL_E_IS_NULL:
    case SQL_E_DISTINCT_FROM:
    case SQL_E_BETWEEN:
    case SQL_E_IN_LIST:
    case SQL_E_IN_QUERY:
    case SQL_E_LIKE:
    case SQL_E_QUANTIFIED:
        return a->u.pred.negated == b->u.pred.negated && a->u.pred.op == b->u.pred.op &&
               a->u.pred.quant == b->u.pred.quant && sql_expr_equal(a->u.pred.arg, b->u.pred.arg) &&
               opt_expr_eq(a->u.pred.a, b->u.pred.a) && opt_expr_eq(a->u.pred.b, b->u.pred.b) &&
               exprs_eq(a->u.pred.list, a->u.pred.n, b->u.pred.list, b->u.pred.n) &&
               opt_query_eq(a->u.pred.query, b->u.pred.query);
    case SQL_E_EXISTS:
    case SQL_E_SUBQUERY: return sql_query_equal(a->u.query, b->u.query);
    case SQL_E_CAST:
        return a->u.cast.try_ == b->u.cast.try_ && sql_expr_equal(a->u.cast.arg, b->u.cast.arg) &&
               sql_type_equal(a->u.cast.type, b->u.cast.type);
    case SQL_E_CASE:
        if (a->u.case_.nwhens != b->u.case_.nwhens || !opt_expr_eq(a->u.case_.operand, b->u.case_.operand) ||
            !opt_expr_eq(a->u.case_.else_, b->u.case_.else_))
            return false;
        for (size_t i = 0; i < a->u.case_.nwhens; i++)
            if (!sql_expr_equal(a->u.case_.whens[i].cond, b->u.case_.whens[i].cond) ||
                !sql_expr_equal(a->u.case_.whens[i].result, b->u.case_.whens[i].result))
                return false;
        return true;
    case SQL_E_CALL:
        return st_slice_eq(a->u.call.name, b->u.call.name) && a->u.call.distinct == b->u.call.distinct &&
               a->u.call.star == b->u.call.star && a->u.call.nulls == b->u.call.nulls &&
               exprs_eq(a->u.call.args, a->u.call.nargs, b->u.call.args, b->u.call.nargs) &&
               orders_eq(a->u.call.order, a->u.call.norder, b->u.call.order, b->u.call.norder) &&
               opt_expr_eq(a->u.call.filter, b->u.call.filter) && window_eq(a->u.call.over, b->u.call.over);
    case SQL_E_EXTRACT:
        return st_slice_eq(a->u.extract.field, b->u.extract.field) && sql_expr_equal(a->u.extract.arg, b->u.extract.arg);
    case SQL_E_LAMBDA:
        return idents_eq(a->u.lambda.params, a->u.lambda.nparams, b->u.lambda.params, b->u.lambda.nparams) &&
               sql_expr_equal(a->u.lambda.body, b->u.lambda.body);
    case SQL_E_CURRENT:
        return a->u.current.which == b->u.current.which && a->u.current.precision == b->u.current.precision;
    }
    return false;
}

static bool relation_eq(const sql_relation *a, const sql_relation *b)
{
    if (a->kind != b->kind || !ident_eq(&a->alias, &b->alias) ||
        !idents_eq(a->columns, a->ncolumns, b->columns, b->ncolumns))
        return false;
    switch (a->kind) {
    case SQL_R_TABLE: return name_eq(&a->table, &b->table);
    case SQL_R_SUBQUERY: return a->lateral == b->lateral && sql_query_equal(a->query, b->query);
    case SQL_R_UNNEST: return a->ordinality == b->ordinality && exprs_eq(a->args, a->nargs, b->args, b->nargs);
    case SQL_R_JOIN:
        return a->join == b->join && relation_eq(a->left, b->left) && relation_eq(a->right, b->right) &&
               opt_expr_eq(a->on, b->on) && idents_eq(a->using_, a->nusing, b->using_, b->nusing);
    }
    return false;
}

static bool select_eq(const sql_select *a, const sql_select *b)
{
    if (a->distinct != b->distinct || a->nitems != b->nitems || a->nfrom != b->nfrom ||
        a->group_quant != b->group_quant || a->ngroup != b->ngroup || !opt_expr_eq(a->where, b->where) ||
        !opt_expr_eq(a->having, b->having))
        return false;
    for (size_t i = 0; i < a->nitems; i++) {
        const sql_select_item *x = &a->items[i], *y = &b->items[i];
        if (x->star != y->star || !ident_eq(&x->alias, &y->alias) || !opt_expr_eq(x->expr, y->expr)) return false;
    }
    for (size_t i = 0; i < a->nfrom; i++)
        if (!relation_eq(a->from[i], b->from[i])) return false;
    for (size_t i = 0; i < a->ngroup; i++) {
        const sql_grouping *x = &a->group[i], *y = &b->group[i];
        if (x->kind != y->kind || x->nsets != y->nsets) return false;
        for (size_t j = 0; j < x->nsets; j++)
            if (!exprs_eq(x->sets[j].exprs, x->sets[j].n, y->sets[j].exprs, y->sets[j].n)) return false;
    }
    return true;
}

bool sql_query_equal(const sql_query *a, const sql_query *b)
{
    if (a->kind != b->kind || a->nwith != b->nwith || a->recursive != b->recursive ||
        !orders_eq(a->order, a->norder, b->order, b->norder) || !opt_expr_eq(a->offset, b->offset) ||
        !opt_expr_eq(a->limit, b->limit) || a->limit_all != b->limit_all || a->fetch != b->fetch ||
        a->with_ties != b->with_ties)
        return false;
    for (size_t i = 0; i < a->nwith; i++) {
        const sql_with *x = &a->with[i], *y = &b->with[i];
        if (!ident_eq(&x->name, &y->name) || !idents_eq(x->columns, x->ncolumns, y->columns, y->ncolumns) ||
            !sql_query_equal(x->query, y->query))
            return false;
    }
    switch (a->kind) {
    case SQL_Q_SELECT: return select_eq(a->select, b->select);
    case SQL_Q_SETOP:
        return a->op == b->op && a->quant == b->quant && sql_query_equal(a->left, b->left) &&
               sql_query_equal(a->right, b->right);
    case SQL_Q_VALUES: return exprs_eq(a->rows, a->nrows, b->rows, b->nrows);
    case SQL_Q_NESTED: return sql_query_equal(a->inner, b->inner);
    }
    return false;
}

bool sql_stmt_equal(const sql_stmt *a, const sql_stmt *b)
{
    if (a->kind != b->kind || !name_eq(&a->name, &b->name) || a->has_like != b->has_like ||
        !st_slice_eq(a->like, b->like) || a->has_escape != b->has_escape || !st_slice_eq(a->escape, b->escape) ||
        a->analyze != b->analyze || a->verbose != b->verbose || a->nparams != b->nparams)
        return false;
    if (a->kind == SQL_S_QUERY) return sql_query_equal(a->query, b->query);
    if (a->kind == SQL_S_EXPLAIN) return sql_stmt_equal(a->explained, b->explained);
    return true;
}

void sql_expr_each_child(const sql_expr *e, void (*fn)(void *ctx, const sql_expr *child), void *ctx)
{
#define KID(x)                        \
    do {                              \
        if (x) fn(ctx, (x));          \
    } while (0)
    switch (e->kind) {
    case SQL_E_FIELD: KID(e->u.field.base); return;
    case SQL_E_SUBSCRIPT:
        KID(e->u.subscript.base);
        KID(e->u.subscript.index);
        return;
    case SQL_E_UNARY:
    case SQL_E_NOT: KID(e->u.unary.arg); return;
    case SQL_E_BINOP:
    case SQL_E_AT_TIME_ZONE:
        KID(e->u.binop.l);
        KID(e->u.binop.r);
        return;
    case SQL_E_AND:
    case SQL_E_OR:
    case SQL_E_ARRAY:
    case SQL_E_ROW:
        for (size_t i = 0; i < e->u.list.n; i++) KID(e->u.list.items[i]);
        return;
    case SQL_E_IS_NULL:
    case SQL_E_DISTINCT_FROM:
    case SQL_E_BETWEEN:
    case SQL_E_IN_LIST:
    case SQL_E_IN_QUERY:
    case SQL_E_LIKE:
    case SQL_E_QUANTIFIED:
        KID(e->u.pred.arg);
        KID(e->u.pred.a);
        KID(e->u.pred.b);
        for (size_t i = 0; i < e->u.pred.n; i++) KID(e->u.pred.list[i]);
        return;
    case SQL_E_CAST: KID(e->u.cast.arg); return;
    case SQL_E_CASE:
        KID(e->u.case_.operand);
        for (size_t i = 0; i < e->u.case_.nwhens; i++) {
            KID(e->u.case_.whens[i].cond);
            KID(e->u.case_.whens[i].result);
        }
        KID(e->u.case_.else_);
        return;
    case SQL_E_CALL:
        for (size_t i = 0; i < e->u.call.nargs; i++) KID(e->u.call.args[i]);
        KID(e->u.call.filter);
        for (size_t i = 0; i < e->u.call.norder; i++) KID(e->u.call.order[i].expr);
        if (e->u.call.over) {
            for (size_t i = 0; i < e->u.call.over->npartition; i++) KID(e->u.call.over->partition[i]);
            for (size_t i = 0; i < e->u.call.over->norder; i++) KID(e->u.call.over->order[i].expr);
        }
        return;
    case SQL_E_EXTRACT: KID(e->u.extract.arg); return;
    case SQL_E_LAMBDA: KID(e->u.lambda.body); return;
    default: return;
    }
#undef KID
}
