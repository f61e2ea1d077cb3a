/* influxql: the InfluxQL statements that clients send before any data
 * query (Telegraf's CREATE DATABASE, the influx CLI, Grafana's schema
 * explorer): parsed into statement structs, evaluated by server/influxquery.c.
 *
 * Lexing follows InfluxQL 1.x: keywords case-insensitive; identifiers
 * [A-Za-z_][A-Za-z0-9_]* or "double quoted" (escapes \" \\ \n); strings
 * 'single quoted' (escapes \" \' \\ \n in either); regexes /.../ (escape \/)
 * where the grammar expects a value or a source, '/' being division
 * elsewhere, and compiled (with matcher.h) so that a bad one is a syntax
 * error as in InfluxDB; duration
 * literals 10s, 1h30m, 5ms, 3u, 3µ, 1d, 2w (and INF where a retention
 * duration is expected); `--` line comments; statements separated by ';'.
 *
 * Statements parsed in full: CREATE DATABASE [WITH DURATION d ...], DROP
 * DATABASE, SHOW DATABASES, SHOW RETENTION POLICIES [ON db], CREATE|ALTER
 * RETENTION POLICY rp ON db [DURATION d] [REPLICATION n] [SHARD DURATION d]
 * [DEFAULT], DROP RETENTION POLICY, SHOW MEASUREMENTS [WITH MEASUREMENT
 * =|=~ ...], SHOW TAG KEYS, SHOW TAG VALUES WITH KEY =|!=|=~|!~|IN ...,
 * SHOW FIELD KEYS, SHOW SERIES, SHOW USERS, DROP SERIES, DROP MEASUREMENT,
 * DELETE: each with the ON, FROM, WHERE, LIMIT and OFFSET clauses InfluxDB
 * allows for it. SELECT in full: fields (expressions with calls, `*`,
 * `x::type`, aliases), INTO, FROM (measurements, regexes, db.rp.m,
 * subqueries), WHERE, GROUP BY (time(i[, offset]), tags, regexes, `*`),
 * fill(), ORDER BY time, LIMIT, OFFSET, SLIMIT, SOFFSET and tz(); CREATE,
 * DROP and SHOW CONTINUOUS QUERIES (with RESAMPLE EVERY/FOR); what the
 * statement means is the evaluator's (select.h) to check. Users and
 * grants as InfluxDB 1.8 has them: CREATE USER u WITH PASSWORD 'pw' [WITH
 * ALL PRIVILEGES], DROP USER u, SET PASSWORD FOR u = 'pw', GRANT
 * READ|WRITE|ALL [PRIVILEGES] ON db TO u, GRANT ALL [PRIVILEGES] TO u
 * (the server's admin), REVOKE the same with FROM u, SHOW GRANTS FOR u
 * (PRIVILEGES only after ALL, as in InfluxDB); and Strata's API tokens:
 * CREATE TOKEN FOR u, SHOW TOKENS [FOR u], DROP TOKEN 'id' (a string or an
 * identifier); and SigV4 keys: CREATE ACCESS KEY FOR u, DROP ACCESS KEY FOR u. Other statements InfluxQL knows (CREATE/DROP SUBSCRIPTION,
 * SHOW SHARDS, SHOW QUERIES, SHOW STATS, SHOW DIAGNOSTICS, KILL, EXPLAIN,
 * ...) are recognised by their leading keywords and returned as
 * IQL_UNSUPPORTED with their text, so the caller can answer for each one;
 * anything else is a parse error in InfluxDB's words ("found X, expected
 * Y at line L, char C").
 *
 * Expressions nest at most 200 deep and hold at most 10,000 nodes, so any
 * recursive walk of one stays far inside a thread's stack.
 *
 * Invariants: every slice in a parsed statement points into the query text
 * or into the arena given to iql_parse (decoded escapes); nothing is read
 * outside [q, q + n).
 */
#ifndef ST_INFLUXQL_H
#define ST_INFLUXQL_H

#include "st.h"

typedef enum iql_kind {
    IQL_CREATE_DATABASE = 1,
    IQL_DROP_DATABASE,
    IQL_SHOW_DATABASES,
    IQL_SHOW_RETENTION_POLICIES,
    IQL_CREATE_RETENTION_POLICY,
    IQL_ALTER_RETENTION_POLICY,
    IQL_DROP_RETENTION_POLICY,
    IQL_SHOW_MEASUREMENTS,
    IQL_SHOW_TAG_KEYS,
    IQL_SHOW_TAG_VALUES,
    IQL_SHOW_FIELD_KEYS,
    IQL_SHOW_SERIES,
    IQL_SHOW_USERS,
    IQL_DROP_SERIES,
    IQL_DROP_MEASUREMENT,
    IQL_DELETE,
    IQL_SELECT,
    IQL_CREATE_CQ,   /* CREATE CONTINUOUS QUERY name ON db [RESAMPLE ...] BEGIN select END */
    IQL_DROP_CQ,     /* DROP CONTINUOUS QUERY name ON db */
    IQL_SHOW_CQS,    /* SHOW CONTINUOUS QUERIES */
    IQL_CREATE_USER, /* CREATE USER user WITH PASSWORD 'password' [WITH ALL PRIVILEGES] */
    IQL_DROP_USER,   /* DROP USER user */
    IQL_SET_PASSWORD, /* SET PASSWORD FOR user = 'password' */
    IQL_GRANT,       /* GRANT grant ON db TO user; GRANT ALL TO user (all_privileges) */
    IQL_REVOKE,      /* REVOKE grant ON db FROM user; REVOKE ALL FROM user (all_privileges) */
    IQL_SHOW_GRANTS, /* SHOW GRANTS FOR user */
    IQL_CREATE_TOKEN, /* CREATE TOKEN FOR user */
    IQL_SHOW_TOKENS, /* SHOW TOKENS [FOR user] */
    IQL_DROP_TOKEN,  /* DROP TOKEN id: the id in name */
    IQL_CREATE_ACCESS_KEY, /* CREATE ACCESS KEY FOR user: a SigV4 secret (the key id is the user's name) */
    IQL_DROP_ACCESS_KEY,   /* DROP ACCESS KEY FOR user */
    IQL_UNSUPPORTED, /* valid InfluxQL that Strata does not run (yet) */
} iql_kind;

typedef enum iql_op {
    IQL_OP_EQ = 1,
    IQL_OP_NEQ,
    IQL_OP_RE,
    IQL_OP_NRE,
    IQL_OP_LT,
    IQL_OP_LTE,
    IQL_OP_GT,
    IQL_OP_GTE,
    IQL_OP_AND,
    IQL_OP_OR,
    IQL_OP_ADD,
    IQL_OP_SUB,
    IQL_OP_MUL,
    IQL_OP_DIV,
    IQL_OP_MOD,
    IQL_OP_BAND, /* & */
    IQL_OP_BOR,  /* | */
    IQL_OP_BXOR, /* ^ */
} iql_op;

typedef enum iql_expr_kind {
    IQL_E_BINARY = 1,
    IQL_E_IDENT,    /* str: tag, field or "time"; cast: its ::type, if any */
    IQL_E_STRING,   /* str */
    IQL_E_REGEX,    /* str: the pattern as written between the slashes */
    IQL_E_NUMBER,   /* num; integer literals also in ns, with is_int */
    IQL_E_DURATION, /* ns */
    IQL_E_NOW,      /* now() */
    IQL_E_BOOL,     /* ns = 0 or 1 */
    IQL_E_CALL,     /* str: the function's name as written; args */
    IQL_E_WILDCARD, /* `*`; cast: "field" or "tag" when narrowed */
} iql_expr_kind;

typedef struct iql_expr {
    iql_expr_kind kind;
    iql_op op;
    struct iql_expr *l, *r;
    st_slice str;
    st_slice cast;
    double num;
    int64_t ns;
    bool is_int;
    struct iql_expr **args;
    size_t nargs;
} iql_expr;

/* The privileges GRANT and REVOKE give or take on one database. */
typedef enum iql_priv_set { IQL_GRANT_READ = 1, IQL_GRANT_WRITE = 2, IQL_GRANT_ALL = 3 } iql_priv_set;

struct iql_stmt;

/* FROM item: [[db.]rp.]measurement, a regex over measurement names, or a
 * subquery (sub != NULL). */
typedef struct iql_source {
    st_slice db, rp, name;
    bool regex;
    struct iql_stmt *sub;
} iql_source;

/* A SELECT field: an expression and its AS name (n == 0 when absent). */
typedef struct iql_field {
    iql_expr *expr;
    st_slice alias;
} iql_field;

typedef enum iql_dim_kind { IQL_DIM_TIME = 1, IQL_DIM_TAG, IQL_DIM_REGEX, IQL_DIM_ALL } iql_dim_kind;

/* A GROUP BY item: time(interval[, offset]), a tag, a regex over tag keys, or *. */
typedef struct iql_dim {
    iql_dim_kind kind;
    st_slice name;
    int64_t interval, offset; /* ns */
    bool offset_now;          /* time(i, now()) */
} iql_dim;

typedef enum iql_fill { IQL_FILL_NULL = 0, IQL_FILL_NONE, IQL_FILL_PREVIOUS, IQL_FILL_LINEAR, IQL_FILL_VALUE } iql_fill;

typedef struct iql_select {
    iql_field *fields;
    size_t nfields;
    bool has_into;
    iql_source into;        /* [db.][rp.]measurement */
    bool into_backref;      /* INTO db.rp.:MEASUREMENT */
    iql_dim *dims;
    size_t ndims;
    iql_fill fill;
    iql_expr *fill_value;   /* IQL_FILL_VALUE: a number literal */
    bool desc;              /* ORDER BY time DESC */
    int64_t slimit, soffset; /* 0 = none (LIMIT and OFFSET are the statement's) */
    st_slice tz;            /* tz('...'); n == 0 when absent */
} iql_select;

typedef struct iql_stmt {
    iql_kind kind;
    st_slice text;     /* the statement as written, for messages */
    st_slice name;     /* database (CREATE/DROP DATABASE), policy, measurement, or token id (DROP TOKEN) */
    st_slice on;       /* ON db; n == 0 when absent */
    /* retention policies and CREATE DATABASE ... WITH */
    bool has_duration, has_shard_duration, has_replication, is_default, has_rp_name;
    int64_t duration;  /* ns, 0 = INF */
    int64_t shard_duration;
    int64_t replication;
    st_slice rp_name;  /* CREATE DATABASE ... WITH NAME rp */
    /* FROM */
    iql_source *from;
    size_t nfrom;
    /* SHOW MEASUREMENTS WITH MEASUREMENT op x; SHOW TAG VALUES WITH KEY op x */
    iql_op with_op;    /* 0 when absent; IQL_OP_EQ with with_in for IN (...) */
    st_slice with_value;
    bool with_regex;
    st_slice *with_in;
    size_t nwith_in;
    iql_expr *where;   /* NULL when absent */
    int64_t limit, offset; /* 0 = none */
    iql_select *sel;   /* IQL_SELECT */
    /* IQL_CREATE_CQ: the SELECT, and RESAMPLE EVERY / FOR (ns, 0 when absent) */
    struct iql_stmt *cq;
    int64_t cq_every, cq_for;
    /* users and grants */
    /* the user a users statement names (SHOW TOKENS without FOR: n == 0) */
    st_slice user;
    st_slice password;    /* CREATE USER ... WITH PASSWORD, SET PASSWORD: the string, escapes decoded */
    /* CREATE USER ... WITH ALL PRIVILEGES; GRANT/REVOKE ALL [PRIVILEGES]
     * without ON: the server's admin */
    bool all_privileges;
    iql_priv_set grant;   /* GRANT/REVOKE READ|WRITE|ALL ON db: which; db in `on` */
} iql_stmt;

/* Parses q[0..n) into *out (an array of *nout statements, allocated in a).
 * ST_EINVAL with InfluxDB's message on a syntax error. An empty query
 * (only spaces, comments and ';') is ST_EINVAL "empty query". */
int iql_parse(const char *q, size_t n, st_arena *a, iql_stmt **out, size_t *nout, st_err *e);

/* Go's time.Duration String() of ns: "0s", "1h0m0s", "168h0m0s", "1.5s". */
void iql_format_duration(int64_t ns, char *out, size_t cap);

#endif
