/* promql_int: what the PromQL lexer, parser and printer share (not public).
 *
 * The lexer reproduces Prometheus 2.42's lex.go state by state, because the
 * wording and position of many user-visible errors come from it: a token
 * that cannot be lexed becomes T_ERROR with the message in lexer.err and the
 * position of the token's first byte.
 */
#ifndef ST_PROMQL_INT_H
#define ST_PROMQL_INT_H

#include "promql.h"

typedef enum tok_type {
    T_EOF, T_ERROR, T_IDENT, T_METRIC_IDENT, T_NUMBER, T_STRING, T_DURATION,
    T_LPAREN, T_RPAREN, T_LBRACE, T_RBRACE, T_LBRACKET, T_RBRACKET, T_COMMA, T_EQL, T_COLON,
    /* operators (Prometheus prints them as <op:x>) */
    T_OP_FIRST,
    T_ADD = T_OP_FIRST, T_SUB, T_MUL, T_DIV, T_MOD, T_POW, T_EQLC, T_NEQ, T_LTE, T_LSS,
    T_GTE, T_GTR, T_EQL_REGEX, T_NEQ_REGEX, T_LAND, T_LOR, T_LUNLESS, T_ATAN2, T_AT,
    T_OP_LAST = T_AT,
    /* aggregators (<aggr:x>) */
    T_AGG_FIRST,
    T_SUM = T_AGG_FIRST, T_AVG, T_COUNT, T_MIN, T_MAX, T_GROUP, T_STDDEV, T_STDVAR, T_TOPK,
    T_BOTTOMK, T_COUNT_VALUES, T_QUANTILE,
    T_AGG_LAST = T_QUANTILE,
    /* keywords (<x>) */
    T_KW_FIRST,
    T_BOOL = T_KW_FIRST, T_BY, T_GROUP_LEFT, T_GROUP_RIGHT, T_IGNORING, T_OFFSET, T_ON, T_WITHOUT,
    T_KW_LAST = T_WITHOUT,
    /* @ preprocessors */
    T_START, T_END,
} tok_type;

typedef struct promql_token {
    tok_type type;
    size_t pos, len;     /* bytes of the query */
    const char *str;     /* T_STRING: unquoted value in the arena, NUL-terminated */
    size_t str_len;
} promql_token;

typedef struct promql_lexer {
    const char *in;
    size_t len, pos, start;
    int paren_depth;
    bool brace_open, bracket_open, got_colon, want_duration, dead;
    st_arena *a;
    char err[256];
} promql_lexer;

void promql_lex_init(promql_lexer *l, const char *in, size_t len, st_arena *a);
/* Next token, comments skipped. After T_ERROR (or T_EOF) only T_EOF follows. */
void promql_lex_next(promql_lexer *l, promql_token *t);

/* Go's strconv.Quote (what %q prints) of s[0..n), appended to b. U+FFFD is
 * escaped (Go prints it raw, but its own lexer then rejects it). */
void promql_go_quote(st_buf *b, const char *s, size_t n);
/* %.10q followed by "..." when the string has more than 10 bytes, as Item.String. */
void promql_go_quote_trunc(st_buf *b, const char *s, size_t n);
/* strconv.QuoteRune / %#U, for messages. r < 0 is Go's eof (-1). */
void promql_go_quote_rune(char *out, size_t cap, int32_t r);
void promql_go_unicode(char *out, size_t cap, int32_t r);
/* Decode one UTF-8 rune at s[0..n): returns the rune or 0xFFFD with *w = 1
 * for an invalid sequence (Go's utf8.DecodeRuneInString). n > 0. */
int32_t promql_utf8_decode(const char *s, size_t n, int *w);

/* Go %v of a float64 (strconv 'g', shortest). */
void promql_go_float(char *out, size_t cap, double v);
/* Prometheus model.Duration.String() of ms. */
void promql_go_duration(char *out, size_t cap, int64_t ms);

#endif
