/* sql_int: what the SQL lexer, parser and printer share (not public).
 *
 * The lexer turns the whole query into an array of tokens first: the parser
 * needs more than one token of look-ahead in a few places (lambdas
 * `(a, b) -> e`, `LIMIT 5` against an alias named limit) and backtracks
 * where Trino's grammar is ambiguous at '(' (a subquery or a parenthesised
 * expression or relation).
 *
 * Error model (Trino's, which ANTLR gives it): while it works, the parser
 * records every token it could have accepted at the furthest token it
 * reached; when the parse fails, the message names that token and lists
 * those expectations, sorted: "mismatched input 'x'. Expecting: ...".
 * Errors that are not about the grammar (a digit-led identifier, a number
 * out of range, nesting too deep) are "fatal": they end the parse at once
 * with their own message.
 */
#ifndef ST_SQL_INT_H
#define ST_SQL_INT_H

#include "sql.h"

/* Keywords: name, reserved in Trino. Sorted by name (the lexer searches the
 * table by bisection). */
#define SQL_KEYWORDS(X)                                                                            \
    X(ALL, 0) X(ALTER, 1) X(ANALYZE, 0) X(AND, 1) X(ANY, 0) X(ARRAY, 0) X(AS, 1) X(ASC, 0) X(AT, 0) \
    X(BETWEEN, 1) X(BOTH, 0) X(BY, 1) X(CASE, 1) X(CAST, 1) X(CONSTRAINT, 1) X(CREATE, 1)          \
    X(CROSS, 1) X(CUBE, 1) X(CURRENT, 0) X(CURRENT_CATALOG, 1) X(CURRENT_DATE, 1)                  \
    X(CURRENT_PATH, 1) X(CURRENT_ROLE, 1) X(CURRENT_SCHEMA, 1) X(CURRENT_TIME, 1)                  \
    X(CURRENT_TIMESTAMP, 1) X(CURRENT_USER, 1) X(DATABASES, 0) X(DATE, 0) X(DAY, 0)                \
    X(DEALLOCATE, 1) X(DELETE, 1) X(DESC, 0) X(DESCRIBE, 1) X(DISTINCT, 1) X(DOUBLE, 0)            \
    X(DROP, 1) X(ELSE, 1) X(END, 1) X(ESCAPE, 1) X(EXCEPT, 1) X(EXECUTE, 1) X(EXISTS, 1)           \
    X(EXPLAIN, 0) X(EXTRACT, 1) X(FALSE, 1) X(FETCH, 0) X(FILTER, 0) X(FIRST, 0) X(FOLLOWING, 0)  \
    X(FOR, 1) X(FROM, 1) X(FULL, 1) X(GROUP, 1) X(GROUPING, 1) X(GROUPS, 0) X(HAVING, 1)           \
    X(HOUR, 0) X(IGNORE, 0) X(ILIKE, 0) X(IN, 1) X(INNER, 1) X(INSERT, 1) X(INTERSECT, 1) X(INTERVAL, 0)       \
    X(INTO, 1) X(IS, 1) X(JOIN, 1) X(JSON_ARRAY, 1) X(JSON_EXISTS, 1) X(JSON_OBJECT, 1)            \
    X(JSON_QUERY, 1) X(JSON_TABLE, 1) X(JSON_VALUE, 1) X(LAST, 0) X(LATERAL, 0) X(LEADING, 0)      \
    X(LEFT, 1) X(LIKE, 1) X(LIMIT, 0) X(LISTAGG, 1) X(LOCALTIME, 1) X(LOCALTIMESTAMP, 1)           \
    X(MEASURES, 0) X(MINUTE, 0) X(MONTH, 0) X(NATURAL, 1) X(NEXT, 0) X(NORMALIZE, 1) X(NOT, 1)     \
    X(NULL, 1) X(NULLS, 0) X(OFFSET, 0) X(ON, 1) X(ONLY, 0) X(OR, 1) X(ORDER, 1)                   \
    X(ORDINALITY, 0) X(OUTER, 1) X(OVER, 0) X(PARTITION, 0) X(POSITION, 0) X(PRECEDING, 0)        \
    X(PRECISION, 0) X(PREPARE, 1) X(RANGE, 0) X(RECURSIVE, 1) X(RESPECT, 0) X(RIGHT, 1)           \
    X(ROLLUP, 1) X(ROW, 0) X(ROWS, 0) X(SECOND, 0) X(SELECT, 1) X(SETS, 0) X(SHOW, 0) X(SKIP, 1)   \
    X(SOME, 0) X(SUBSTRING, 0) X(TABLE, 1) X(TABLES, 0) X(THEN, 1) X(TIES, 0) X(TIME, 0)           \
    X(TIMESTAMP, 0) X(TO, 0) X(TRAILING, 0) X(TRIM, 1) X(TRUE, 1) X(TRY_CAST, 0) X(UESCAPE, 1)     \
    X(UNBOUNDED, 0) X(UNION, 1) X(UNNEST, 1) X(USING, 1) X(VALUES, 1) X(VERBOSE, 0) X(WHEN, 1)     \
    X(WHERE, 1) X(WITH, 1) X(WITHOUT, 0) X(YEAR, 0) X(ZONE, 0)

typedef enum sql_kw {
    KW_NONE = 0,
#define X(n, r) KW_##n,
    SQL_KEYWORDS(X)
#undef X
    KW_COUNT
} sql_kw;

typedef enum tok_kind {
    T_EOF = 0,
    T_IDENT,       /* unquoted; kw != KW_NONE when it is a keyword */
    T_QIDENT,      /* "quoted" */
    T_BQIDENT,     /* `backquoted`: an error wherever an identifier is taken */
    T_DIGIT_IDENT, /* 1x: an error wherever an identifier is taken */
    T_STRING,      /* 'text' */
    T_USTRING,     /* U&'text' */
    T_BINARY,      /* X'0A' */
    T_INTEGER,
    T_DECIMAL,
    T_DOUBLE,
    T_INTERVAL,    /* 5m */
    T_PARAM,       /* ? or @name */
    T_LPAREN,
    T_RPAREN,
    T_LBRACKET,
    T_RBRACKET,
    T_COMMA,
    T_DOT,
    T_SEMI,
    T_STAR,
    T_PLUS,
    T_MINUS,
    T_SLASH,
    T_PERCENT,
    T_CONCAT,
    T_EQ,
    T_NE,
    T_LT,
    T_LE,
    T_GT,
    T_GE,
    T_ARROW,       /* -> */
    T_DCOLON,      /* :: */
    T_BAD,         /* what no rule matches, an unterminated string or comment: never accepted */
    T_KIND_COUNT
} tok_kind;

/* Expectations named in error messages: token kinds (punctuation, <EOF>,
 * <identifier> for T_IDENT, <string>, <integer>), then keywords, then the
 * rules Trino names as a whole. */
enum {
    EXP_KW = T_KIND_COUNT,                 /* + sql_kw */
    EXP_EXPRESSION = EXP_KW + KW_COUNT,
    EXP_PREDICATE,
    EXP_QUERY,
    EXP_TYPE,
    EXP_COUNT
};
#define EXP_WORDS ((EXP_COUNT + 63) / 64)

#define TF_ESCAPED 1 /* a string or quoted identifier with a doubled quote inside */

typedef struct sql_token {
    uint8_t kind;
    uint8_t flags;
    uint16_t kw;
    uint32_t off, len; /* bytes of the query */
    uint32_t line, col;
} sql_token;

#define SQL_MAX_TOKENS 2000000

/* Splits q[0..n) into *out (st_malloc'd, ended by T_EOF; free with st_free).
 * Lexing stops after a T_BAD token. ST_ELIMIT past SQL_MAX_TOKENS or 4 GiB. */
int sql_lex(const char *q, size_t n, sql_token **out, size_t *nout);

sql_kw sql_kw_lookup(const char *s, size_t n);
const char *sql_kw_name(sql_kw kw);
bool sql_kw_reserved(sql_kw kw);
/* The unit of a Timestream interval literal's suffix (ns, ms, s, m, h, d,
 * y, month, and the long names), SQL_UNIT_NONE if it is none. */
sql_unit sql_unit_lookup(const char *s, size_t n);
/* How an expectation reads in a message: "'SELECT'", "'('", "<expression>". */
void sql_exp_name(int exp, char *out, size_t cap);

/* ----------------------------------------------------------------- parser */

/* The parser's own recursion: deeper than SQL_MAX_DEPTH, because the
 * canonical text of a tree SQL_MAX_DEPTH high nests its parentheses up to
 * twice as deep ((- (- x)) is two levels a node), and it must read back. */
#define SQL_MAX_RECURSION (2 * SQL_MAX_DEPTH + 50)

typedef struct sql_parser {
    const char *q;
    st_arena *a;
    sql_token *t;
    size_t nt, i;        /* tokens (the last is T_EOF) and the current one */
    bool failed, fatal;  /* failed: a grammar error (speculation may undo it); fatal: final */
    char msg[300];       /* the fatal error's message, without "line L:C: " */
    uint32_t msg_line, msg_col;
    size_t msg_off;
    size_t exp_i;        /* the furthest token with expectations, and them */
    uint64_t exp[EXP_WORDS];
    int depth;           /* recursion of the parser */
    int star_depth;      /* a select item's depth: `x.*` may end it */
    sql_expr *star_base; /* the expression before such a `.*` */
    size_t nodes;
    uint32_t nparams;
    /* memo of '(' query ')' by token: 0 unknown, 1 failed, 2 parsed */
    uint8_t *memo_st;
    sql_query **memo_q;
    uint32_t *memo_end, *memo_np;
} sql_parser;

/* parse.c */
const sql_token *sqlp_cur(const sql_parser *p);
const sql_token *sqlp_peek(const sql_parser *p, size_t k);
void sqlp_advance(sql_parser *p);
void sqlp_expect_at(sql_parser *p, int exp);       /* records an expectation at the current token */
bool sqlp_is_kw(const sql_parser *p, sql_kw kw);   /* no expectation recorded */
bool sqlp_tok_is_kw(const sql_token *t, sql_kw kw);
bool sqlp_accept(sql_parser *p, tok_kind k);       /* records k when absent */
bool sqlp_accept_kw(sql_parser *p, sql_kw kw);     /* records kw when absent */
bool sqlp_expect(sql_parser *p, tok_kind k);       /* accept or fail */
bool sqlp_expect_kw(sql_parser *p, sql_kw kw);
void *sqlp_fail(sql_parser *p);                    /* a grammar error here; returns NULL */
void *sqlp_fatal(sql_parser *p, const sql_token *at, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
bool sqlp_enter(sql_parser *p);                    /* one level deeper, or fatal */
void sqlp_leave(sql_parser *p);
void *sqlp_node(sql_parser *p, size_t size);       /* zeroed, counted against SQL_MAX_NODES */
/* An expression node of one kind at a token (height 1). */
static inline sql_expr *sqlp_mk(sql_parser *p, sql_expr_kind kind, const sql_token *at)
{
    sql_expr *e = sqlp_node(p, sizeof *e);
    e->kind = kind;
    e->line = at->line;
    e->col = at->col;
    e->height = 1;
    return e;
}
static inline uint32_t sqlp_hmax(uint32_t a, uint32_t b) { return a > b ? a : b; }
void *sqlp_grow(sql_parser *p, void *arr, size_t n, size_t *cap, size_t esz); /* a copy, doubled */
/* Appends a zeroed element to arr (n elements, cap allocated) and yields its address. */
#define PUSH(p, arr, n, cap)                                                                        \
    (((n) == (cap) ? (void)((arr) = sqlp_grow((p), (arr), (n), &(cap), sizeof *(arr))) : (void)0), \
     &(arr)[(n)++])
bool sqlp_is_ident_tok(const sql_token *t);
bool sqlp_take_ident(sql_parser *p, sql_ident *out); /* records <identifier> when absent */
st_slice sqlp_ident_text(sql_parser *p, const sql_token *t);
/* s[0..n), the body of a quoted token, each doubled quote made one (in the arena). */
st_slice sqlp_unquote(sql_parser *p, const char *s, size_t n, char quote);
/* An arena copy of s with A-Z in lower case (up to a NUL, which a quoted name may hold). */
st_slice sqlp_lower(sql_parser *p, st_slice s);
/* A 'string' literal, decoded, or <string> recorded and a grammar error. */
bool sqlp_take_string(sql_parser *p, st_slice *out);
bool sqlp_query_start(const sql_token *t);
sql_query *sqlp_paren_query(sql_parser *p);       /* '(' query ')', memoized */
/* '(' query ')' after skip tokens, or NULL with the parser where it was
 * (then the caller reads something else; a fatal error stays fatal) */
sql_query *sqlp_try_paren_query(sql_parser *p, size_t skip);
/* expr (',' expr)*, appended to *arr (*n elements, *cap allocated); *height
 * becomes the greatest of itself and the expressions' heights. */
bool sqlp_expr_list(sql_parser *p, sql_expr ***arr, size_t *n, size_t *cap, uint32_t *height);
bool sqlp_order_items(sql_parser *p, sql_order **out, size_t *n, uint32_t *height);
bool sqlp_check_height(sql_parser *p, uint32_t height, const sql_token *at);

/* parse_expr.c */
sql_expr *sqlp_expr(sql_parser *p);                /* expression (OR level) */
sql_expr *sqlp_value(sql_parser *p);               /* value expression (no predicate) */
bool sqlp_can_start_expr(const sql_token *t);

/* parse_lit.c */
st_slice sqlp_string(sql_parser *p, const sql_token *t); /* decoded 'text' */
sql_expr *sqlp_number(sql_parser *p, const sql_token *minus); /* minus: a folded '-' before it */
sql_expr *sqlp_unicode_string(sql_parser *p);
sql_expr *sqlp_binary_literal(sql_parser *p);
sql_expr *sqlp_short_interval(sql_parser *p);
sql_expr *sqlp_param(sql_parser *p);            /* ? or @name */
sql_expr *sqlp_interval_literal(sql_parser *p);
sql_type *sqlp_type(sql_parser *p);

#endif
