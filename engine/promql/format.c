/* format: print a PromQL AST back as Prometheus 2.42's String() methods do.
 *
 * The output is canonical: label matchers sorted by their printed form, the
 * metric name's own matcher folded into the name, numbers in Go's %v form,
 * durations in model.Duration form, @ timestamps with three decimals, and @
 * printed before offset. No parentheses are added: ParenExpr nodes keep the
 * ones the user wrote, and the parser's precedence rules re-create the same
 * tree from the printed text, so parse -> format -> parse -> format is a
 * fixed point (the tests and fuzz/fuzz_promql.c check it).
 */
#include "promql_int.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void put_slice(st_buf *b, st_slice s) { st_buf_put(b, s.p, s.n); }

static void put_modifiers(st_buf *b, const promql_modifiers *m)
{
    char d[64];
    switch (m->at) {
    case PROMQL_AT_TIMESTAMP: {
        /* %.3f of ms/1000, done exactly in integers */
        uint64_t a = m->at_ms < 0 ? 0 - (uint64_t)m->at_ms : (uint64_t)m->at_ms;
        st_buf_printf(b, " @ %s%llu.%03llu", m->at_ms < 0 ? "-" : "",
                      (unsigned long long)(a / 1000), (unsigned long long)(a % 1000));
        break;
    }
    case PROMQL_AT_START: st_buf_printf(b, " @ start()"); break;
    case PROMQL_AT_END: st_buf_printf(b, " @ end()"); break;
    default: break;
    }
    if (m->offset_ms > 0) {
        promql_go_duration(d, sizeof d, m->offset_ms);
        st_buf_printf(b, " offset %s", d);
    } else if (m->offset_ms < 0) {
        promql_go_duration(d, sizeof d, -m->offset_ms);
        st_buf_printf(b, " offset -%s", d);
    }
}

static int cmp_str(const void *a, const void *b)
{
    const st_buf *x = a, *y = b;
    size_t n = x->len < y->len ? x->len : y->len;
    int c = memcmp(x->p, y->p, n);
    if (c) return c;
    return x->len < y->len ? -1 : x->len > y->len;
}

static void put_selector(st_buf *b, const promql_node *n, bool with_mods)
{
    static const char *ops[] = {"=", "!=", "=~", "!~"};
    size_t cnt = 0;
    st_buf *strs = st_calloc(n->u.vs.nmatchers ? n->u.vs.nmatchers : 1, sizeof *strs);
    for (size_t i = 0; i < n->u.vs.nmatchers; i++) {
        const promql_label_matcher *m = &n->u.vs.matchers[i];
        if (m->op == MATCH_EQ && m->name.n == 8 && memcmp(m->name.p, "__name__", 8) == 0 &&
            st_slice_eq(m->value, n->u.vs.name))
            continue;
        st_buf *s = &strs[cnt++];
        put_slice(s, m->name);
        st_buf_printf(s, "%s", ops[m->op & 3]);
        promql_go_quote(s, m->value.p, m->value.n);
    }
    qsort(strs, cnt, sizeof *strs, cmp_str);
    put_slice(b, n->u.vs.name);
    if (cnt) {
        st_buf_putc(b, '{');
        for (size_t i = 0; i < cnt; i++) {
            if (i) st_buf_putc(b, ',');
            st_buf_put(b, strs[i].p, strs[i].len);
        }
        st_buf_putc(b, '}');
    }
    for (size_t i = 0; i < cnt; i++) st_buf_free(&strs[i]);
    st_free(strs);
    if (with_mods) put_modifiers(b, &n->u.vs.mod);
}

static void put_labels(st_buf *b, const st_slice *l, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if (i) st_buf_put(b, ", ", 2);
        put_slice(b, l[i]);
    }
}

void promql_format(const promql_node *n, st_buf *b)
{
    char tmp[64];
    switch (n->kind) {
    case PROMQL_NUMBER:
        promql_go_float(tmp, sizeof tmp, n->u.number);
        st_buf_printf(b, "%s", tmp);
        return;
    case PROMQL_STRING:
        promql_go_quote(b, n->u.string.p, n->u.string.n);
        return;
    case PROMQL_VECTOR_SELECTOR:
        put_selector(b, n, true);
        return;
    case PROMQL_MATRIX_SELECTOR: {
        const promql_node *vs = n->u.ms.vs;
        promql_go_duration(tmp, sizeof tmp, n->u.ms.range_ms);
        if (vs->kind == PROMQL_VECTOR_SELECTOR) {
            put_selector(b, vs, false);
            st_buf_printf(b, "[%s]", tmp);
            put_modifiers(b, &vs->u.vs.mod);
        } else {
            promql_format(vs, b);
            st_buf_printf(b, "[%s]", tmp);
        }
        return;
    }
    case PROMQL_SUBQUERY:
        promql_format(n->u.sq.expr, b);
        promql_go_duration(tmp, sizeof tmp, n->u.sq.range_ms);
        st_buf_printf(b, "[%s:", tmp);
        if (n->u.sq.step_ms) {
            promql_go_duration(tmp, sizeof tmp, n->u.sq.step_ms);
            st_buf_printf(b, "%s", tmp);
        }
        st_buf_putc(b, ']');
        put_modifiers(b, &n->u.sq.mod);
        return;
    case PROMQL_CALL:
        st_buf_printf(b, "%s(", n->u.call.func ? n->u.call.func->name : "?");
        for (size_t i = 0; i < n->u.call.nargs; i++) {
            if (i) st_buf_put(b, ", ", 2);
            promql_format(n->u.call.args[i], b);
        }
        st_buf_putc(b, ')');
        return;
    case PROMQL_AGGREGATE:
        st_buf_printf(b, "%s", promql_aggop_str(n->u.agg.op));
        if (n->u.agg.without) {
            st_buf_printf(b, " without (");
            put_labels(b, n->u.agg.grouping, n->u.agg.ngrouping);
            st_buf_put(b, ") ", 2);
        } else if (n->u.agg.ngrouping) {
            st_buf_printf(b, " by (");
            put_labels(b, n->u.agg.grouping, n->u.agg.ngrouping);
            st_buf_put(b, ") ", 2);
        }
        st_buf_putc(b, '(');
        if (n->u.agg.param) {
            promql_format(n->u.agg.param, b);
            st_buf_put(b, ", ", 2);
        }
        if (n->u.agg.expr) promql_format(n->u.agg.expr, b);
        st_buf_putc(b, ')');
        return;
    case PROMQL_BINARY: {
        const promql_matching *vm = n->u.bin.matching;
        const promql_node *l = n->u.bin.lhs;
        if (n->u.bin.op == PROMQL_POW && l->kind == PROMQL_NUMBER && isinf(l->u.number) &&
            l->u.number > 0)
            /* Go prints "+Inf", but "+Inf ^ x" reads back as +(Inf ^ x) */
            st_buf_printf(b, "Inf");
        else
            promql_format(l, b);
        st_buf_printf(b, " %s", promql_binop_str(n->u.bin.op));
        if (n->u.bin.return_bool) st_buf_printf(b, " bool");
        if (vm && (vm->nlabels > 0 || vm->on)) {
            st_buf_printf(b, " %s (", vm->on ? "on" : "ignoring");
            put_labels(b, vm->labels, vm->nlabels);
            st_buf_putc(b, ')');
            if (vm->card == PROMQL_CARD_MANY_TO_ONE || vm->card == PROMQL_CARD_ONE_TO_MANY) {
                st_buf_printf(b, " group_%s (", vm->card == PROMQL_CARD_MANY_TO_ONE ? "left" : "right");
                put_labels(b, vm->include, vm->ninclude);
                st_buf_putc(b, ')');
            }
        }
        st_buf_putc(b, ' ');
        promql_format(n->u.bin.rhs, b);
        return;
    }
    case PROMQL_UNARY:
        st_buf_putc(b, n->u.unary.neg ? '-' : '+');
        promql_format(n->u.unary.expr, b);
        return;
    case PROMQL_PAREN:
        st_buf_putc(b, '(');
        promql_format(n->u.paren.expr, b);
        st_buf_putc(b, ')');
        return;
    }
}
