/* promql: parser for the PromQL grammar of Prometheus 2.42.
 *
 * promql_parse turns a query into an AST whose nodes all live in the caller's
 * st_arena: freeing (or resetting) the arena releases the whole tree, and the
 * query buffer may be freed as soon as promql_parse returns (every name and
 * string in the tree is an arena copy, NUL-terminated after its length).
 *
 * Errors are worded and positioned as Prometheus 2.42 words them, e.g.
 *   1:6: parse error: unexpected identifier "bar" in label matching, expected "," or "}"
 * which is what its HTTP API returns after `invalid parameter "query": `.
 * As in Prometheus, only the first error is reported; type checking runs only
 * when the query is free of syntax errors.
 *
 * Known deviations from Prometheus 2.42, all on malformed or exotic input:
 *  - a bad regular expression is reported with matcher_new's (PCRE2-based)
 *    message, not Go's regexp message;
 *  - expressions nested deeper than PROMQL_MAX_DEPTH levels are rejected (Go
 *    has no such limit; C has a fixed stack);
 *  - when a syntax error and a semantic error race, the order in which they
 *    are found can differ from yacc's in a few lookahead-dependent corners.
 *
 * Thread safety: none needed; a parse uses only its arguments.
 */
#ifndef ST_PROMQL_H
#define ST_PROMQL_H

#include "st.h"
#include "matcher.h"

#define PROMQL_MAX_DEPTH 256

/* Value types. Names as Prometheus documents them: promql_type_name. */
typedef enum promql_type {
    PROMQL_TYPE_NONE = 0,
    PROMQL_TYPE_SCALAR,
    PROMQL_TYPE_VECTOR, /* instant vector */
    PROMQL_TYPE_MATRIX, /* range vector */
    PROMQL_TYPE_STRING,
} promql_type;

typedef enum promql_kind {
    PROMQL_NUMBER,          /* u.number */
    PROMQL_STRING,          /* u.string */
    PROMQL_VECTOR_SELECTOR, /* u.vs */
    PROMQL_MATRIX_SELECTOR, /* u.ms: a vector selector plus a range */
    PROMQL_SUBQUERY,        /* u.sq */
    PROMQL_CALL,            /* u.call */
    PROMQL_AGGREGATE,       /* u.agg */
    PROMQL_BINARY,          /* u.bin */
    PROMQL_UNARY,           /* u.unary (a unary minus on a number literal is folded) */
    PROMQL_PAREN,           /* u.paren: kept so that printing round-trips */
} promql_kind;

typedef enum promql_binop {
    PROMQL_ADD, PROMQL_SUB, PROMQL_MUL, PROMQL_DIV, PROMQL_MOD, PROMQL_POW, PROMQL_ATAN2,
    PROMQL_EQLC, PROMQL_NEQ, PROMQL_LTE, PROMQL_LSS, PROMQL_GTE, PROMQL_GTR,
    PROMQL_LAND, PROMQL_LOR, PROMQL_LUNLESS,
} promql_binop;

typedef enum promql_aggop {
    PROMQL_AGG_SUM, PROMQL_AGG_AVG, PROMQL_AGG_COUNT, PROMQL_AGG_MIN, PROMQL_AGG_MAX,
    PROMQL_AGG_GROUP, PROMQL_AGG_STDDEV, PROMQL_AGG_STDVAR, PROMQL_AGG_TOPK,
    PROMQL_AGG_BOTTOMK, PROMQL_AGG_COUNT_VALUES, PROMQL_AGG_QUANTILE,
} promql_aggop;

typedef enum promql_card {
    PROMQL_CARD_ONE_TO_ONE,
    PROMQL_CARD_MANY_TO_ONE,  /* group_left */
    PROMQL_CARD_ONE_TO_MANY,  /* group_right */
    PROMQL_CARD_MANY_TO_MANY, /* set operators */
} promql_card;

typedef enum promql_at {
    PROMQL_AT_NONE, PROMQL_AT_TIMESTAMP, PROMQL_AT_START, PROMQL_AT_END,
} promql_at;

/* offset and @ of a vector selector or subquery. A range selector keeps them
 * on its inner vector selector, as Prometheus does. */
typedef struct promql_modifiers {
    int64_t offset_ms; /* 0 = none; negative offsets are allowed */
    promql_at at;
    int64_t at_ms;     /* when at == PROMQL_AT_TIMESTAMP */
} promql_modifiers;

/* One label matcher, as written. The regex (if any) compiled at parse time;
 * promql_compile_matchers compiles the list again for evaluation. */
typedef struct promql_label_matcher {
    match_op op;
    st_slice name, value;
    bool matches_empty; /* does it select series without the label? */
} promql_label_matcher;

/* Vector matching of a binary expression. NULL on a binary node when an
 * operand is a scalar (type checking clears it, as Prometheus does). */
typedef struct promql_matching {
    promql_card card;
    bool on;                 /* on(...) rather than ignoring(...) */
    st_slice *labels;        /* on/ignoring labels */
    size_t nlabels;
    st_slice *include;       /* group_left/group_right labels */
    size_t ninclude;
} promql_matching;

typedef struct promql_function {
    const char *name;
    promql_type arg_types[5];
    int nargs;       /* entries of arg_types */
    int variadic;    /* 0: exactly nargs; n > 0: up to n optional trailing args of
                        the last type; -1: unbounded (label_join) */
    promql_type ret;
} promql_function;

typedef struct promql_node promql_node;
struct promql_node {
    promql_kind kind;
    size_t pos, end; /* byte range in the query, [pos, end) */
    int depth;       /* height of the subtree (a leaf is 1) */
    /* Set by the evaluator (eval.c) before it runs: the node is
     * step-invariant (Prometheus's StepInvariantExpr) and is evaluated
     * once, at the first step. */
    bool step_invariant;
    union {
        double number;
        st_slice string; /* unquoted value */
        struct {
            st_slice name;                 /* "" for {..} without a metric name */
            promql_label_matcher *matchers; /* includes __name__="name" last when named */
            size_t nmatchers;
            promql_modifiers mod;
        } vs;
        struct {
            promql_node *vs; /* PROMQL_VECTOR_SELECTOR once the query type-checks */
            int64_t range_ms;
        } ms;
        struct {
            promql_node *expr;
            int64_t range_ms, step_ms; /* step 0: the default resolution */
            promql_modifiers mod;
        } sq;
        struct {
            const promql_function *func;
            promql_node **args;
            size_t nargs;
        } call;
        struct {
            promql_aggop op;
            promql_node *expr;
            promql_node *param; /* topk, bottomk, quantile, count_values; else NULL */
            st_slice *grouping;
            size_t ngrouping;
            bool without;
        } agg;
        struct {
            promql_binop op;
            promql_node *lhs, *rhs;
            bool return_bool;
            promql_matching *matching;
        } bin;
        struct {
            bool neg; /* '-' (else '+') */
            promql_node *expr;
        } unary;
        struct {
            promql_node *expr;
        } paren;
    } u;
};

/* Detail of a parse error, for callers that want the position. */
typedef struct promql_error {
    size_t pos;        /* byte offset */
    int line, col;     /* 1-based; col counts bytes as Prometheus does */
    char msg[ST_ERR_MSG]; /* without the "L:C: parse error: " prefix */
} promql_error;

/* Parse q[0..len). On success *out is the type-checked AST. On failure
 * returns ST_EINVAL and e->msg is "L:C: parse error: <msg>". */
int promql_parse(const char *q, size_t len, st_arena *a, promql_node **out, st_err *e);
/* Same, also filling detail (may be NULL) on failure. */
int promql_parse_ex(const char *q, size_t len, st_arena *a, promql_node **out, st_err *e,
                    promql_error *detail);

promql_type promql_node_type(const promql_node *n);
/* "scalar", "instant vector", "range vector", "string", "none". */
const char *promql_type_name(promql_type t);
const char *promql_binop_str(promql_binop op);
const char *promql_aggop_str(promql_aggop op);
bool promql_binop_is_comparison(promql_binop op);
bool promql_binop_is_set(promql_binop op);

/* The function table of Prometheus 2.42; NULL when unknown. */
const promql_function *promql_function_lookup(const char *name, size_t len);
const promql_function *promql_functions(size_t *n);

/* Print n as Prometheus's String() does (canonical: sorted matchers,
 * normalised numbers and durations). Appends to out. */
void promql_format(const promql_node *n, st_buf *out);

/* Compile the matchers of a PROMQL_VECTOR_SELECTOR. *out is st_malloc'd;
 * release with promql_free_matchers. */
int promql_compile_matchers(const promql_node *vs, matcher ***out, size_t *n, st_err *e);
void promql_free_matchers(matcher **ms, size_t n);

#endif
