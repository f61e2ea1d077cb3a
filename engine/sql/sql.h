/* sql: lexer and parser for Strata's SQL, the dialect of Amazon Timestream
 * for LiveAnalytics: Trino's SQL plus Timestream's time-series constructs,
 * plus the few PostgreSQL forms Grafana's PostgreSQL data source writes.
 * sql_parse turns one statement into an AST that the planner walks;
 * sql_format prints an AST back in a canonical form.
 *
 * What is parsed (see engine/sql/README.md for the grammar and the known
 * deviations from Trino):
 *  - statements: a query; SHOW DATABASES [LIKE p]; SHOW TABLES [FROM|IN db]
 *    [LIKE p [ESCAPE e]]; SHOW MEASURES FROM|IN [db.]t [LIKE p]; DESCRIBE|DESC
 *    [db.]t; EXPLAIN [ANALYZE [VERBOSE]] statement; one optional trailing ';'.
 *  - queries: WITH [RECURSIVE], SELECT [ALL|DISTINCT], FROM (tables,
 *    subqueries, LATERAL, UNNEST [WITH ORDINALITY], all joins), WHERE,
 *    GROUP BY [ALL|DISTINCT] (expressions, ordinals, (a, b), (), ROLLUP,
 *    CUBE, GROUPING SETS), HAVING, UNION/INTERSECT/EXCEPT [ALL|DISTINCT]
 *    (INTERSECT binds tighter), VALUES, ORDER BY, OFFSET, LIMIT, FETCH.
 *  - expressions with Trino's precedence (loosest first): OR, AND, NOT, one
 *    predicate (comparison, quantified comparison, [NOT] BETWEEN, [NOT] IN,
 *    [NOT] LIKE [ESCAPE], IS [NOT] NULL, IS [NOT] DISTINCT FROM), ||, + -,
 *    * / %, unary + -, AT TIME ZONE, then postfix [i], .field and ::type.
 *  - Timestream's interval literals (5m, 1h, 30s, 10ms, 15ns, 2us, 1d, 1y,
 *    3month) and its column names measure_value::double (also ::bigint,
 *    ::varchar, ::boolean, ::timestamp, ::multi): one identifier, not a cast.
 *
 * Identifiers: unquoted ones are case-insensitive and stored lowercased, as
 * Trino does; "quoted" ones keep their case ("" is a quote). Reserved words
 * are Trino's; they can be used as identifiers only when quoted.
 *
 * Errors are worded and positioned as Trino words them (Timestream returns
 * Trino's parser messages), 1-based line and column (in characters) of the
 * offending token:
 *   line 1:8: mismatched input 'FROM'. Expecting: '*', 'ALL', 'DISTINCT', <expression>
 *   line 1:8: identifiers must not start with a digit; surround the identifier with double quotes
 *
 * Invariants:
 *  - any input gives either a statement or ST_EINVAL with a message, never a
 *    crash; nothing is read outside [q, q + n);
 *  - every node, name and string of the AST lives in the arena given to
 *    sql_parse (strings are NUL-terminated after their length): the query
 *    text may be freed as soon as sql_parse returns;
 *  - no expression, query, relation or type is more than SQL_MAX_DEPTH
 *    levels high (the height of a node counts what it contains: a subquery,
 *    a cast's type) and a statement holds at most SQL_MAX_NODES nodes, so a
 *    recursive walk of the tree stays far inside a thread's stack;
 *  - every node carries a line and column for later errors such as
 *    "line 1:36: Column 'x' cannot be resolved": where it starts, except
 *    binary operators, comparisons, predicates and AND/OR lists, which are
 *    where their operator is, as in Trino (postfix nodes and AT TIME ZONE
 *    start where their operand does).
 *
 * Thread safety: none needed; a parse uses only its arguments.
 */
#ifndef ST_SQL_H
#define ST_SQL_H

#include "st.h"

#define SQL_MAX_DEPTH 200
#define SQL_MAX_NODES 100000

typedef struct sql_expr sql_expr;
typedef struct sql_query sql_query;
typedef struct sql_relation sql_relation;
typedef struct sql_type sql_type;
typedef struct sql_window sql_window;
typedef struct sql_stmt sql_stmt;

/* An identifier: name is lowercased when it was written unquoted. */
typedef struct sql_ident {
    st_slice name;
    bool quoted;
    uint32_t line, col;
} sql_ident;

/* A dotted name: table, db.table, a.b.c. */
typedef struct sql_name {
    sql_ident *parts;
    size_t n;
} sql_name;

/* ------------------------------------------------------------------ types */

typedef enum sql_type_kind {
    SQL_T_NAMED = 0, /* a name this parser does not know (the analyzer decides) */
    SQL_T_BOOLEAN,
    SQL_T_TINYINT,
    SQL_T_SMALLINT,
    SQL_T_INTEGER, /* also written int */
    SQL_T_BIGINT,
    SQL_T_REAL,
    SQL_T_DOUBLE, /* also written double precision */
    SQL_T_DECIMAL,
    SQL_T_VARCHAR,
    SQL_T_CHAR,
    SQL_T_VARBINARY,
    SQL_T_JSON,
    SQL_T_DATE,
    SQL_T_TIME,
    SQL_T_TIMESTAMP,
    SQL_T_INTERVAL_DS, /* interval day to second */
    SQL_T_INTERVAL_YM, /* interval year to month */
    SQL_T_ARRAY,
    SQL_T_MAP,
    SQL_T_ROW,
    SQL_T_TIMESERIES,
} sql_type_kind;

/* A type parameter: an integer (type == NULL) or a type; a ROW field may
 * carry a name (name.name.n == 0 when anonymous). */
typedef struct sql_type_param {
    sql_type *type;
    int64_t value;
    sql_ident name;
} sql_type_param;

struct sql_type {
    sql_type_kind kind;
    /* canonical lowercase name: "bigint", "double", "interval day to second",
     * "timestamp"; for SQL_T_NAMED the name as written (lowercased) */
    st_slice name;
    sql_type_param *params; /* decimal(p, s), varchar(n), timestamp(p), array(T), ... */
    size_t nparams;
    bool with_time_zone;    /* time/timestamp ... WITH TIME ZONE */
    uint32_t line, col;
    uint32_t height;        /* 1, plus the highest parameter type */
};

/* ------------------------------------------------------------ expressions */

typedef enum sql_expr_kind {
    SQL_E_NULL = 1,
    SQL_E_BOOL,         /* u.b */
    SQL_E_INT,          /* u.num.i; a bigint (Trino: out of range is an error) */
    SQL_E_DECIMAL,      /* u.num.d; 1.5, .5, 5. (Trino: DECIMAL; Timestream: DOUBLE) */
    SQL_E_DOUBLE,       /* u.num.d; with an exponent: 1e3, 2.5E-3 */
    SQL_E_STRING,       /* u.str: decoded ('' and U&'\0041' escapes) */
    SQL_E_BINARY,       /* u.str: the bytes of X'0AFF' */
    SQL_E_TYPED,        /* u.typed: DATE '...', TIMESTAMP '...', TIME '...', any `type 'value'` */
    SQL_E_INTERVAL,     /* u.interval: INTERVAL '2' DAY, INTERVAL '1:30' HOUR TO MINUTE, 5m */
    SQL_E_PARAM,        /* u.param: ? or @name */
    SQL_E_COLUMN,       /* u.column: a name, maybe qualified: c, t.c, db.t.c, x.time */
    SQL_E_FIELD,        /* u.field: base.name where base is not a name: f(x).a, (x).a */
    SQL_E_SUBSCRIPT,    /* u.subscript: base[index] */
    SQL_E_UNARY,        /* u.unary: - or + (a minus before a number literal is folded into it) */
    SQL_E_BINOP,        /* u.binop: arithmetic, || and comparisons */
    SQL_E_AND,          /* u.list: two or more operands (a AND b AND c is one node) */
    SQL_E_OR,           /* u.list */
    SQL_E_NOT,          /* u.unary.arg */
    SQL_E_IS_NULL,      /* u.pred: arg, negated */
    SQL_E_DISTINCT_FROM,/* u.pred: arg, a; negated = IS NOT DISTINCT FROM */
    SQL_E_BETWEEN,      /* u.pred: arg, a (low), b (high), negated */
    SQL_E_IN_LIST,      /* u.pred: arg, list, negated */
    SQL_E_IN_QUERY,     /* u.pred: arg, query, negated */
    SQL_E_LIKE,         /* u.pred: arg, a (pattern), b (escape or NULL), negated */
    SQL_E_QUANTIFIED,   /* u.pred: arg op quant (query): x = ANY (SELECT ...) */
    SQL_E_EXISTS,       /* u.query */
    SQL_E_SUBQUERY,     /* u.query: a scalar subquery */
    SQL_E_AT_TIME_ZONE, /* u.binop: l AT TIME ZONE r (r: a string or an interval) */
    SQL_E_CAST,         /* u.cast: CAST, TRY_CAST and x::type */
    SQL_E_CASE,         /* u.case_ */
    SQL_E_CALL,         /* u.call: every function, aggregate and window function */
    SQL_E_EXTRACT,      /* u.extract: EXTRACT(field FROM arg) */
    SQL_E_ARRAY,        /* u.list: ARRAY[...] */
    SQL_E_ROW,          /* u.list: ROW(a, b) or (a, b) */
    SQL_E_LAMBDA,       /* u.lambda: x -> e, (a, b) -> e */
    SQL_E_CURRENT,      /* u.current: current_date, current_timestamp(3), localtime, ... */
} sql_expr_kind;

typedef enum sql_binop {
    SQL_OP_EQ = 1,
    SQL_OP_NE, /* <> and != */
    SQL_OP_LT,
    SQL_OP_LE,
    SQL_OP_GT,
    SQL_OP_GE,
    SQL_OP_ADD,
    SQL_OP_SUB,
    SQL_OP_MUL,
    SQL_OP_DIV,
    SQL_OP_MOD,
    SQL_OP_CONCAT,
    SQL_OP_NEG,  /* unary */
    SQL_OP_PLUS, /* unary */
} sql_binop;

typedef enum sql_quant { SQL_QUANT_NONE = 0, SQL_QUANT_ALL, SQL_QUANT_DISTINCT, SQL_QUANT_ANY, SQL_QUANT_SOME } sql_quant;

/* Units of interval literals. INTERVAL 'v' f [TO g] uses YEAR..SECOND;
 * Timestream's short literals (5m) also the sub-second ones. */
typedef enum sql_unit {
    SQL_UNIT_NONE = 0,
    SQL_UNIT_YEAR,
    SQL_UNIT_MONTH,
    SQL_UNIT_DAY,
    SQL_UNIT_HOUR,
    SQL_UNIT_MINUTE,
    SQL_UNIT_SECOND,
    SQL_UNIT_MILLISECOND,
    SQL_UNIT_MICROSECOND,
    SQL_UNIT_NANOSECOND,
} sql_unit;

typedef enum sql_current {
    SQL_CUR_DATE = 1,
    SQL_CUR_TIME,
    SQL_CUR_TIMESTAMP,
    SQL_CUR_LOCALTIME,
    SQL_CUR_LOCALTIMESTAMP,
    SQL_CUR_USER,
    SQL_CUR_CATALOG,
    SQL_CUR_SCHEMA,
    SQL_CUR_PATH,
} sql_current;

typedef enum sql_nulls { SQL_NULLS_DEFAULT = 0, SQL_NULLS_FIRST, SQL_NULLS_LAST } sql_nulls;

/* ORDER BY item, also inside calls and windows. */
typedef struct sql_order {
    sql_expr *expr;
    bool desc;
    sql_nulls nulls;
} sql_order;

typedef struct sql_when {
    sql_expr *cond, *result;
} sql_when;

typedef enum sql_frame_kind { SQL_FRAME_NONE = 0, SQL_FRAME_ROWS, SQL_FRAME_RANGE, SQL_FRAME_GROUPS } sql_frame_kind;

typedef enum sql_bound_kind {
    SQL_BOUND_NONE = 0,
    SQL_BOUND_UNBOUNDED_PRECEDING,
    SQL_BOUND_PRECEDING, /* value PRECEDING */
    SQL_BOUND_CURRENT_ROW,
    SQL_BOUND_FOLLOWING, /* value FOLLOWING */
    SQL_BOUND_UNBOUNDED_FOLLOWING,
} sql_bound_kind;

typedef struct sql_bound {
    sql_bound_kind kind;
    sql_expr *value;
} sql_bound;

/* OVER (PARTITION BY ... ORDER BY ... ROWS|RANGE|GROUPS [BETWEEN] start [AND end]) */
struct sql_window {
    sql_expr **partition;
    size_t npartition;
    sql_order *order;
    size_t norder;
    sql_frame_kind frame;
    sql_bound start, end; /* end.kind == SQL_BOUND_NONE without BETWEEN */
};

typedef enum sql_null_treatment { SQL_NT_NONE = 0, SQL_NT_IGNORE, SQL_NT_RESPECT } sql_null_treatment;

struct sql_expr {
    sql_expr_kind kind;
    uint32_t line, col;
    uint32_t height; /* 1 for a leaf; subqueries count with their own height */
    union {
        bool b;
        struct {
            st_slice text; /* as written, with a folded '-' */
            int64_t i;     /* SQL_E_INT */
            double d;      /* SQL_E_DECIMAL, SQL_E_DOUBLE */
        } num;
        st_slice str;
        struct {
            st_slice type;  /* lowercased: "date", "timestamp", "time", "double", ... */
            st_slice value; /* decoded string */
        } typed;
        struct {
            bool short_form;   /* Timestream's 5m */
            bool year_month;   /* months is the value (else ns) */
            bool negative;     /* INTERVAL -'2' DAY */
            sql_unit from, to; /* to == SQL_UNIT_NONE without TO; short form: from = unit */
            st_slice text;     /* the quoted value, or the whole short literal as written */
            int64_t months, ns;
        } interval;
        struct {
            st_slice name; /* @name without the @; n == 0 for ? */
            uint32_t index; /* 1-based position among the statement's parameters */
        } param;
        sql_name column;
        struct {
            sql_expr *base;
            sql_ident name;
        } field;
        struct {
            sql_expr *base, *index;
        } subscript;
        struct {
            sql_binop op; /* SQL_OP_NEG, SQL_OP_PLUS; unused for SQL_E_NOT */
            sql_expr *arg;
        } unary;
        struct {
            sql_binop op; /* unused for SQL_E_AT_TIME_ZONE */
            sql_expr *l, *r;
        } binop;
        struct {
            sql_expr **items;
            size_t n;
            bool paren; /* SQL_E_ROW written (a, b) rather than ROW(a, b) */
        } list;
        struct {
            sql_expr *arg, *a, *b;
            sql_expr **list;
            size_t n;
            sql_query *query;
            bool negated;
            sql_binop op;     /* SQL_E_QUANTIFIED */
            sql_quant quant;  /* SQL_E_QUANTIFIED: ALL, ANY or SOME */
        } pred;
        sql_query *query;
        struct {
            sql_expr *arg;
            sql_type *type;
            bool try_;  /* TRY_CAST */
            bool pg;    /* written x::type */
        } cast;
        struct {
            sql_expr *operand; /* CASE operand WHEN ...; NULL for searched CASE */
            sql_when *whens;
            size_t nwhens;
            sql_expr *else_;
        } case_;
        struct {
            st_slice name;   /* lowercased (quoted parts keep case), dotted when qualified */
            sql_expr **args;
            size_t nargs;
            bool distinct;   /* f(DISTINCT x) */
            bool star;       /* count(*) */
            sql_order *order; /* array_agg(x ORDER BY y) */
            size_t norder;
            sql_expr *filter; /* FILTER (WHERE ...) */
            sql_null_treatment nulls; /* IGNORE NULLS / RESPECT NULLS */
            sql_window *over;
        } call;
        struct {
            st_slice field; /* lowercased: year, month, day, hour, epoch, ... */
            sql_expr *arg;
        } extract;
        struct {
            sql_ident *params;
            size_t nparams;
            sql_expr *body;
        } lambda;
        struct {
            sql_current which;
            int precision; /* -1 when absent */
        } current;
    } u;
};

/* ---------------------------------------------------------------- queries */

typedef enum sql_relation_kind { SQL_R_TABLE = 1, SQL_R_SUBQUERY, SQL_R_UNNEST, SQL_R_JOIN } sql_relation_kind;

typedef enum sql_join_kind {
    SQL_JOIN_CROSS = 1,
    SQL_JOIN_INNER, /* JOIN and INNER JOIN */
    SQL_JOIN_LEFT,
    SQL_JOIN_RIGHT,
    SQL_JOIN_FULL,
} sql_join_kind;

struct sql_relation {
    sql_relation_kind kind;
    uint32_t line, col;
    uint32_t height;
    sql_name table;          /* SQL_R_TABLE: t, db.t, catalog.db.t */
    sql_query *query;        /* SQL_R_SUBQUERY */
    bool lateral;            /* LATERAL (query) */
    sql_expr **args;         /* SQL_R_UNNEST */
    size_t nargs;
    bool ordinality;         /* WITH ORDINALITY */
    sql_join_kind join;      /* SQL_R_JOIN */
    sql_relation *left, *right;
    sql_expr *on;            /* ON cond (NULL with USING or CROSS) */
    sql_ident *using_;       /* USING (a, b) */
    size_t nusing;
    sql_ident alias;         /* [AS] alias; name.n == 0 when absent */
    sql_ident *columns;      /* alias (c1, c2) */
    size_t ncolumns;
};

typedef struct sql_select_item {
    sql_expr *expr; /* NULL for `*` */
    bool star;      /* `*` (expr == NULL) or `expr.*` (t.*) */
    sql_ident alias; /* name.n == 0 when absent */
    uint32_t line, col;
} sql_select_item;

typedef enum sql_group_kind { SQL_GROUP_SET = 1, SQL_GROUP_ROLLUP, SQL_GROUP_CUBE, SQL_GROUP_SETS } sql_group_kind;

typedef struct sql_group_set {
    sql_expr **exprs;
    size_t n;
} sql_group_set;

/* A GROUP BY element. SQL_GROUP_SET: one set (nsets == 1): `a` (n == 1),
 * `(a, b)`, `()`; an integer literal is an ordinal (GROUP BY 1). */
typedef struct sql_grouping {
    sql_group_kind kind;
    sql_group_set *sets;
    size_t nsets;
    uint32_t line, col;
} sql_grouping;

typedef struct sql_select {
    bool distinct;
    sql_select_item *items;
    size_t nitems;
    sql_relation **from; /* FROM a, b: several are cross joined */
    size_t nfrom;
    sql_expr *where;
    sql_quant group_quant; /* GROUP BY ALL|DISTINCT ... (grouping sets' quantifier) */
    sql_grouping *group;
    size_t ngroup;
    sql_expr *having;
} sql_select;

typedef struct sql_with {
    sql_ident name;
    sql_ident *columns;
    size_t ncolumns;
    sql_query *query;
} sql_with;

typedef enum sql_query_kind { SQL_Q_SELECT = 1, SQL_Q_SETOP, SQL_Q_VALUES, SQL_Q_NESTED } sql_query_kind;

typedef enum sql_setop { SQL_UNION = 1, SQL_INTERSECT, SQL_EXCEPT } sql_setop;

/* A query. The body is a SELECT, a set operation of two queries, VALUES, or
 * a parenthesised query (SQL_Q_NESTED, which keeps its own ORDER BY and
 * LIMIT). WITH, ORDER BY, OFFSET and LIMIT/FETCH apply to the whole node;
 * the operands of a set operation never carry them (they would be NESTED). */
struct sql_query {
    sql_query_kind kind;
    uint32_t line, col;
    uint32_t height;
    sql_with *with;
    size_t nwith;
    bool recursive;
    sql_select *select;        /* SQL_Q_SELECT */
    sql_setop op;              /* SQL_Q_SETOP */
    sql_quant quant;           /* NONE, ALL or DISTINCT */
    sql_query *left, *right;
    sql_expr **rows;           /* SQL_Q_VALUES: each row an expression (a ROW for several columns) */
    size_t nrows;
    sql_query *inner;          /* SQL_Q_NESTED */
    sql_order *order;
    size_t norder;
    sql_expr *offset;          /* an integer literal or a parameter; NULL when absent */
    sql_expr *limit;           /* likewise; NULL with LIMIT ALL or without LIMIT */
    bool limit_all;            /* LIMIT ALL */
    bool fetch;                /* the limit was written FETCH FIRST n ROWS ONLY|WITH TIES */
    bool with_ties;
};

/* ------------------------------------------------------------- statements */

typedef enum sql_stmt_kind {
    SQL_S_QUERY = 1,
    SQL_S_SHOW_DATABASES,
    SQL_S_SHOW_TABLES,
    SQL_S_SHOW_MEASURES,
    SQL_S_DESCRIBE,
    SQL_S_EXPLAIN,
} sql_stmt_kind;

struct sql_stmt {
    sql_stmt_kind kind;
    uint32_t line, col;
    sql_query *query;   /* SQL_S_QUERY */
    sql_name name;      /* SHOW TABLES FROM db (n == 0 when absent); SHOW MEASURES, DESCRIBE: [db.]t */
    bool has_like;      /* LIKE pattern [ESCAPE escape] */
    st_slice like;
    bool has_escape;
    st_slice escape;
    sql_stmt *explained; /* SQL_S_EXPLAIN */
    bool analyze, verbose;
    uint32_t nparams;   /* ? and @name parameters in the statement */
};

/* Where a parse error is, for callers that want it apart from the message
 * (the PostgreSQL wire protocol reports a character position). */
typedef struct sql_error {
    uint32_t line, col; /* 1-based; col counts characters */
    size_t offset;      /* byte offset of the offending token in the query */
} sql_error;

/* Parses the statement q[0..n) into *out (allocated in a). ST_EINVAL with
 * Trino's message ("line L:C: ...") on a syntax error. */
int sql_parse(const char *q, size_t n, st_arena *a, sql_stmt **out, st_err *e);
/* Same, also filling detail (may be NULL) on failure. */
int sql_parse_ex(const char *q, size_t n, st_arena *a, sql_stmt **out, st_err *e, sql_error *detail);
/* Parses one expression (Trino's standalone expression). */
int sql_parse_expr(const char *q, size_t n, st_arena *a, sql_expr **out, st_err *e);

/* Canonical text, appended to out: keywords upper case, identifiers quoted
 * when they must be, every operator and predicate in parentheses
 * ("a OR b AND c" -> "(a OR (b AND c))"). Parsing it again gives an equal
 * tree (sql_stmt_equal). */
void sql_format(const sql_stmt *s, st_buf *out);
void sql_query_format(const sql_query *q, st_buf *out);
void sql_expr_format(const sql_expr *e, st_buf *out);
void sql_type_format(const sql_type *t, st_buf *out);
/* An identifier as it must be written to read back as name (quoted when it
 * is not lowercase, is a reserved word or does not lex as one identifier). */
void sql_ident_format(st_slice name, st_buf *out);

/* Structural equality: positions, heights, the quoting of identifiers, the
 * spelling of keywords and the text of integers are ignored. The planner
 * uses sql_expr_equal to match GROUP BY expressions. */
bool sql_stmt_equal(const sql_stmt *a, const sql_stmt *b);
bool sql_query_equal(const sql_query *a, const sql_query *b);
bool sql_expr_equal(const sql_expr *a, const sql_expr *b);
bool sql_type_equal(const sql_type *a, const sql_type *b);

/* PostgreSQL's interval text ('5 minutes', '1 day 2 hours', '2h'): a year
 * to month interval (*ym, *months) or a day to second one (*ns). */
bool sql_parse_pg_interval(st_slice v, bool *ym, int64_t *months, int64_t *ns);

/* Calls fn on each expression directly inside e, in order: operands,
 * arguments, FILTER, ORDER BY and window keys of a call, CASE branches, a
 * lambda's body; not the subqueries (u.query, u.pred.query), which a
 * walker that wants them visits itself. */
void sql_expr_each_child(const sql_expr *e, void (*fn)(void *ctx, const sql_expr *child), void *ctx);

/* "=", "<>", "+", "||", ...; "-" and "+" for the unary ones. */
const char *sql_binop_str(sql_binop op);
/* Is s[0..n) (any case) a reserved word of Trino's SQL? */
bool sql_is_reserved(const char *s, size_t n);

#endif
