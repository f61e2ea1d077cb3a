/* pgwire_catalog: the statements the PostgreSQL front answers itself
 * (see pgwire.h): transaction control, SET/SHOW/RESET, the session
 * functions tools call right after connecting, and the pg_catalog /
 * information_schema queries of psql and Grafana.
 *
 * Why recognise queries instead of emulating pg_catalog as tables: the
 * tools send fixed queries full of PostgreSQL-only machinery (regclass
 * casts, OPERATOR(pg_catalog.~), arrays, generate_series, quote_ident)
 * that the Timestream dialect has no business accepting, and each tool reads
 * a known set of columns by position. So a statement is tokenised once, the
 * catalog relations it reads are listed, and the shape each tool expects is
 * produced from Strata's catalog (store_db_list, scan_tables,
 * scan_table_schema_get). A catalog query not recognised answers no rows
 * (psql's optional footers: policies, publications, inheritance), which is
 * what PostgreSQL answers for a table that has none of them.
 *
 * Mapping: the connected Strata database is PostgreSQL's current database
 * with one schema, public, holding its measurements as tables; a table's
 * columns are its tags (character varying), its fields (double precision,
 * bigint, boolean, character varying), measure_name and time (timestamp
 * without time zone, UTC), in the engine's SELECT * order. Table OIDs are a
 * hash of the name, so psql's \d steps (name -> OID -> details) agree
 * without any state kept between statements.
 */
#include "pgwire.h"

#include <ctype.h>
#include <inttypes.h>
#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "scan.h"
#include "sql/run.h"

#define MAX_TOKENS 4096

/* ------------------------------------------------------------ tokens */

enum { TK_IDENT, TK_QIDENT, TK_STR, TK_NUM, TK_OP, TK_PARAM };

typedef struct tok {
    int kind;
    char *v;       /* identifiers lower-cased, strings unescaped, operators as written */
    size_t off;    /* byte offset in the statement */
} tok;

typedef struct toks {
    tok *t;
    size_t n;
    st_arena *a;
} toks;

size_t pgwire_skip_quoted(const char *q, size_t n, size_t i)
{
    char c = q[i];
    if (c == '\'' || c == '"') {
        /* E'...' strings take backslash escapes; standard_conforming_strings
         * is on, so a plain '...' does not */
        bool esc = c == '\'' && i > 0 && (q[i - 1] == 'e' || q[i - 1] == 'E') &&
                   (i < 2 || !(isalnum((unsigned char)q[i - 2]) || q[i - 2] == '_'));
        for (size_t j = i + 1; j < n; j++) {
            if (esc && q[j] == '\\') {
                j++;
                continue;
            }
            if (q[j] == c) {
                if (j + 1 < n && q[j + 1] == c) {
                    j++;
                    continue;
                }
                return j + 1;
            }
        }
        return n;
    }
    if (c == '-' && i + 1 < n && q[i + 1] == '-') {
        size_t j = i;
        while (j < n && q[j] != '\n') j++;
        return j;
    }
    if (c == '/' && i + 1 < n && q[i + 1] == '*') {
        int depth = 0; /* PostgreSQL's block comments nest */
        for (size_t j = i; j + 1 < n; j++) {
            if (q[j] == '/' && q[j + 1] == '*') depth++, j++;
            else if (q[j] == '*' && q[j + 1] == '/') {
                j++;
                if (--depth == 0) return j + 1;
            }
        }
        return n;
    }
    if (c == '$' && !(i > 0 && (isalnum((unsigned char)q[i - 1]) || q[i - 1] == '_'))) {
        /* $tag$ ... $tag$; $1 is a parameter, not a quote */
        size_t j = i + 1;
        if (j < n && isdigit((unsigned char)q[j])) return i;
        while (j < n && (isalnum((unsigned char)q[j]) || q[j] == '_')) j++;
        if (j >= n || q[j] != '$') return i;
        size_t tl = j + 1 - i;
        for (size_t k = j + 1; k + tl <= n; k++)
            if (q[k] == '$' && !memcmp(q + k, q + i, tl)) return k + tl;
        return n;
    }
    return i;
}

static int lex(const char *q, size_t n, toks *ts)
{
    size_t cap = 64;
    ts->t = st_arena_alloc(ts->a, cap * sizeof *ts->t);
    ts->n = 0;
    size_t i = 0;
    while (i < n) {
        unsigned char c = (unsigned char)q[i];
        if (isspace(c)) {
            i++;
            continue;
        }
        size_t j = pgwire_skip_quoted(q, n, i);
        bool comment = j > i && (c == '-' || c == '/');
        if (comment) {
            i = j;
            continue;
        }
        if (ts->n == MAX_TOKENS) return -1;
        if (ts->n == cap) {
            tok *nt = st_arena_alloc(ts->a, cap * 2 * sizeof *nt);
            memcpy(nt, ts->t, cap * sizeof *nt);
            ts->t = nt;
            cap *= 2;
        }
        tok *t = &ts->t[ts->n++];
        t->off = i;
        if (j > i) { /* a string or quoted identifier */
            char quote = (char)c;
            if (c == '$') {
                size_t tl = 1;
                while (q[i + tl] != '$') tl++;
                tl++;
                t->kind = TK_STR;
                size_t len = j - i >= 2 * tl ? j - i - 2 * tl : 0;
                t->v = st_arena_strndup(ts->a, q + i + tl, len);
            } else {
                t->kind = quote == '"' ? TK_QIDENT : TK_STR;
                char *v = st_arena_alloc(ts->a, j - i + 1);
                size_t k = 0;
                for (size_t p = i + 1; p < j && p < n; p++) {
                    if (q[p] == quote) {
                        if (p + 1 < j && q[p + 1] == quote) v[k++] = quote, p++;
                        continue;
                    }
                    v[k++] = q[p];
                }
                v[k] = 0;
                t->v = v;
            }
            i = j;
            continue;
        }
        if (isalpha(c) || c == '_' || c >= 0x80) {
            size_t k = i;
            while (k < n && (isalnum((unsigned char)q[k]) || q[k] == '_' || q[k] == '$' || (unsigned char)q[k] >= 0x80))
                k++;
            if (k < n && q[k] == '\'' && k == i + 1 && (c == 'e' || c == 'E')) {
                /* E'...': backslash escapes (psql writes its patterns so:
                 * E'^(a\\.b)$') */
                size_t e = pgwire_skip_quoted(q, n, k), o = 0;
                char *v = st_arena_alloc(ts->a, e - k + 1);
                for (size_t m = k + 1; m + 1 < e; m++) {
                    if (q[m] == '\\' && m + 2 < e) {
                        char x = q[++m];
                        v[o++] = x == 'n' ? '\n' : x == 't' ? '\t' : x == 'r' ? '\r' : x == 'b' ? '\b' : x == 'f' ? '\f' : x;
                    } else if (q[m] == '\'' && m + 2 < e && q[m + 1] == '\'') {
                        v[o++] = '\'';
                        m++;
                    } else {
                        v[o++] = q[m];
                    }
                }
                v[o] = 0;
                t->kind = TK_STR;
                t->v = v;
                i = e;
                continue;
            }
            char *v = st_arena_strndup(ts->a, q + i, k - i);
            for (char *p = v; *p; p++) *p = (char)tolower((unsigned char)*p);
            t->kind = TK_IDENT;
            t->v = v;
            i = k;
            continue;
        }
        if (isdigit(c) || (c == '.' && i + 1 < n && isdigit((unsigned char)q[i + 1]))) {
            size_t k = i;
            while (k < n && (isalnum((unsigned char)q[k]) || q[k] == '.')) k++;
            t->kind = TK_NUM;
            t->v = st_arena_strndup(ts->a, q + i, k - i);
            i = k;
            continue;
        }
        if (c == '$' && i + 1 < n && isdigit((unsigned char)q[i + 1])) {
            size_t k = i + 1;
            while (k < n && isdigit((unsigned char)q[k])) k++;
            t->kind = TK_PARAM;
            t->v = st_arena_strndup(ts->a, q + i, k - i);
            i = k;
            continue;
        }
        static const char *const ops[] = {"::", "<>", "!=", "<=", ">=", "||", "!~*", "!~", "~*", NULL};
        size_t len = 1;
        for (int o = 0; ops[o]; o++) {
            size_t ol = strlen(ops[o]);
            if (i + ol <= n && !memcmp(q + i, ops[o], ol)) {
                len = ol;
                break;
            }
        }
        t->kind = TK_OP;
        t->v = st_arena_strndup(ts->a, q + i, len);
        i += len;
    }
    return 0;
}

static bool tk_is(const toks *ts, size_t i, const char *w)
{
    return i < ts->n && (ts->t[i].kind == TK_IDENT || ts->t[i].kind == TK_OP) && !strcmp(ts->t[i].v, w);
}

static bool tk_has(const toks *ts, int kind, const char *w)
{
    for (size_t i = 0; i < ts->n; i++)
        if (ts->t[i].kind == kind && !strcasecmp(ts->t[i].v, w)) return true;
    return false;
}

/* Is token i in a FROM list (after FROM or JOIN, or after a comma that
 * follows one)? */
static bool in_from(const toks *ts, size_t i)
{
    static const char *const clause[] = {"select", "where", "group", "order", "having", "on", "limit", "using",
                                         "set", "returning", "window", NULL};
    if (i == 0) return false;
    if (tk_is(ts, i - 1, "from") || tk_is(ts, i - 1, "join")) return true;
    if (!tk_is(ts, i - 1, ",")) return false;
    for (size_t k = i - 1; k-- > 0;) {
        if (tk_is(ts, k, "from") || tk_is(ts, k, "join")) return true;
        for (int c = 0; clause[c]; c++)
            if (tk_is(ts, k, clause[c])) return false;
    }
    return false;
}

/* Is relation schema.name read by the statement? A bare name (pg_class
 * without pg_catalog.) counts for pg_catalog where a FROM list names it, so
 * that a column of a user's table called pg_type is not taken for one. */
static bool reads(const toks *ts, const char *schema, const char *name)
{
    for (size_t i = 0; i < ts->n; i++) {
        if (ts->t[i].kind != TK_IDENT || strcmp(ts->t[i].v, name)) continue;
        if (tk_is(ts, i + 1, "(")) continue; /* a function */
        if (i >= 2 && tk_is(ts, i - 1, ".")) {
            if (!strcmp(ts->t[i - 2].v, schema)) return true;
            continue;
        }
        if (!strcmp(schema, "pg_catalog") && in_from(ts, i)) return true;
    }
    return false;
}

/* The first string literal after the token sequence a [b [c]] (NULL-ended
 * words), within 6 tokens of it; NULL if none. */
static const char *literal_after(const toks *ts, const char *a, const char *b)
{
    for (size_t i = 0; i < ts->n; i++) {
        if (!tk_is(ts, i, a)) continue;
        size_t j = i + 1;
        if (b) {
            bool found = false;
            for (; j < ts->n && j < i + 6; j++)
                if (tk_is(ts, j, b)) {
                    found = true;
                    break;
                }
            if (!found) continue;
            j++;
        }
        for (size_t k = j; k < ts->n && k < j + 6; k++) {
            if (ts->t[k].kind == TK_STR) return ts->t[k].v;
            if (ts->t[k].kind == TK_NUM) return ts->t[k].v;
        }
    }
    return NULL;
}

/* ------------------------------------------------------------ results */

void pgwire_result_cell(pgwire_result *r, const char *p, size_t n)
{
    uint8_t len[4];
    uint32_t l = p ? (uint32_t)n : 0xffffffffu;
    len[0] = (uint8_t)(l >> 24), len[1] = (uint8_t)(l >> 16), len[2] = (uint8_t)(l >> 8), len[3] = (uint8_t)l;
    st_buf_put(&r->cells, len, 4);
    if (p) st_buf_put(&r->cells, p, n);
}

static void cell(pgwire_result *r, const char *s) { pgwire_result_cell(r, s, s ? strlen(s) : 0); }

static void cols(pgwire_result *r, size_t n, const char *const *names, const uint32_t *types)
{
    r->rows = true;
    r->ncols = n;
    for (size_t i = 0; i < n && i < PGWIRE_LOCAL_MAXCOLS; i++) {
        snprintf(r->names[i], sizeof r->names[i], "%s", names[i]);
        r->types[i] = types ? types[i] : PGWIRE_TEXT;
    }
}

/* ------------------------------------------------------------ settings */

typedef struct known_setting {
    const char *name, *def, *desc;
    bool reported; /* sent as ParameterStatus at start-up and when SET */
} known_setting;

static const known_setting settings[] = {
    {"application_name", "", "Sets the application name to be reported in statistics and logs.", true},
    {"client_encoding", "UTF8", "Sets the client's character set encoding.", true},
    {"DateStyle", "ISO, MDY", "Sets the display format for date and time values.", true},
    {"default_transaction_isolation", "read committed", "Sets the transaction isolation level of each new transaction.", false},
    {"default_transaction_read_only", "on", "Sets the default read-only status of new transactions.", true},
    {"extra_float_digits", "1", "Sets the number of digits displayed for floating-point values.", false},
    {"in_hot_standby", "off", "Shows whether hot standby is currently active.", true},
    {"integer_datetimes", "on", "Shows whether datetimes are integer based.", true},
    {"IntervalStyle", "postgres", "Sets the display format for interval values.", true},
    {"is_superuser", "off", "Shows whether the current user is a superuser.", true},
    {"lc_collate", "C", "Shows the collation order locale.", false},
    {"lc_ctype", "C", "Shows the character classification and case conversion locale.", false},
    {"max_identifier_length", "63", "Shows the maximum identifier length.", false},
    {"search_path", "\"$user\", public", "Sets the schema search order for names that are not schema-qualified.", false},
    {"server_encoding", "UTF8", "Shows the server (database) character set encoding.", true},
    {"server_version", PGWIRE_SERVER_VERSION, "Shows the server version.", true},
    {"server_version_num", PGWIRE_SERVER_VERSION_NUM, "Shows the server version as an integer.", false},
    {"session_authorization", "", "Sets the session user name.", true},
    {"standard_conforming_strings", "on", "Causes '...' strings to treat backslashes literally.", true},
    {"statement_timeout", "0", "Sets the maximum allowed duration of any statement.", false},
    {"TimeZone", "UTC", "Sets the time zone for displaying and interpreting time stamps.", true},
    {"transaction_isolation", "read committed", "Sets the current transaction's isolation level.", false},
    {"transaction_read_only", "on", "Sets the current transaction's read-only status.", false},
};
#define NSETTINGS (sizeof settings / sizeof settings[0])

static const known_setting *known(const char *name)
{
    if (!strcasecmp(name, "timezone")) name = "TimeZone";
    for (size_t i = 0; i < NSETTINGS; i++)
        if (!strcasecmp(settings[i].name, name)) return &settings[i];
    return NULL;
}

const char *pgwire_setting_get(const pgwire_sess *ss, const char *name)
{
    const known_setting *k = known(name);
    const char *canon = k ? k->name : name;
    for (size_t i = 0; i < ss->nset; i++)
        if (!strcasecmp(ss->set[i].name, canon)) return ss->set[i].value;
    if (k && !strcmp(k->name, "session_authorization")) return ss->user;
    if (k) return k->def;
    return NULL;
}

static bool ieq_any(const char *v, const char *const *opts)
{
    for (; *opts; opts++)
        if (!strcasecmp(v, *opts)) return true;
    return false;
}

int pgwire_setting_set(pgwire_sess *ss, const char *name, const char *value, pgwire_error *err)
{
    const known_setting *k = known(name);
    const char *canon = k ? k->name : name;
    char norm[256];
    snprintf(norm, sizeof norm, "%s", value);
    /* the values whose text the output depends on: only what this server
     * produces may be set (a client asking for another DateStyle must be
     * told, not given ISO text it would misread) */
    if (k && !strcmp(canon, "client_encoding")) {
        static const char *const ok[] = {"UTF8", "UTF-8", "UNICODE", NULL};
        if (!ieq_any(value, ok)) {
            pgwire_fail(err, "22023", "invalid value for parameter \"client_encoding\": \"%.200s\": "
                     "Strata speaks UTF8 only", value);
            return -1;
        }
        snprintf(norm, sizeof norm, "UTF8");
    } else if (k && !strcmp(canon, "DateStyle")) {
        if (!strcasestr(value, "iso")) {
            pgwire_fail(err, "22023", "invalid value for parameter \"DateStyle\": \"%.200s\": "
                     "Strata writes ISO dates only", value);
            return -1;
        }
        snprintf(norm, sizeof norm, "ISO, %s", strcasestr(value, "dmy") ? "DMY" : strcasestr(value, "ymd") ? "YMD" : "MDY");
    } else if (k && !strcmp(canon, "IntervalStyle")) {
        if (strcasecmp(value, "postgres")) {
            pgwire_fail(err, "22023", "invalid value for parameter \"IntervalStyle\": \"%.200s\": "
                     "Strata writes the postgres style only", value);
            return -1;
        }
    } else if (k && !strcmp(canon, "standard_conforming_strings")) {
        static const char *const ok[] = {"on", "true", "1", "yes", NULL};
        if (!ieq_any(value, ok)) {
            pgwire_fail(err, "0A000", "standard_conforming_strings cannot be turned off");
            return -1;
        }
        snprintf(norm, sizeof norm, "on");
    } else if (k && !strncmp(k->desc, "Shows", 5)) { /* read-only, as in PostgreSQL */
        pgwire_fail(err, "55P02", "parameter \"%.100s\" cannot be changed", canon);
        return -1;
    }
    for (size_t i = 0; i < ss->nset; i++)
        if (!strcasecmp(ss->set[i].name, canon)) {
            free(ss->set[i].value);
            ss->set[i].value = strdup(norm);
            return 0;
        }
    if (ss->nset >= 256) {
        pgwire_fail(err, "54000", "too many settings in one session");
        return -1;
    }
    ss->set = st_realloc(ss->set, (ss->nset + 1) * sizeof *ss->set);
    ss->set[ss->nset].name = strdup(canon);
    ss->set[ss->nset].value = strdup(norm);
    ss->nset++;
    return 0;
}

static void setting_reset(pgwire_sess *ss, const char *name)
{
    const known_setting *k = known(name);
    const char *canon = k ? k->name : name;
    for (size_t i = 0; i < ss->nset; i++)
        if (!strcasecmp(ss->set[i].name, canon)) {
            free(ss->set[i].name);
            free(ss->set[i].value);
            ss->set[i] = ss->set[--ss->nset];
            return;
        }
}

void pgwire_sess_free(pgwire_sess *ss)
{
    for (size_t i = 0; i < ss->nset; i++) {
        free(ss->set[i].name);
        free(ss->set[i].value);
    }
    st_free(ss->set);
    ss->set = NULL;
    ss->nset = 0;
}

/* ------------------------------------------------------------ statements */

static pgwire_kind done_tag(pgwire_result *r, const char *tag)
{
    snprintf(r->tag, sizeof r->tag, "%s", tag);
    return PGWIRE_LOCAL;
}

/* SET [SESSION|LOCAL] name {TO|=} value[, ...] | SET TIME ZONE v | SET NAMES v */
static pgwire_kind do_set(pgwire_sess *ss, const toks *ts, pgwire_result *r, pgwire_error *err)
{
    size_t i = 1;
    if (tk_is(ts, i, "session") || tk_is(ts, i, "local")) i++;
    if (tk_is(ts, i, "transaction") || tk_is(ts, i, "characteristics")) return done_tag(r, "SET");
    char name[128] = "";
    if (tk_is(ts, i, "time") && tk_is(ts, i + 1, "zone")) {
        snprintf(name, sizeof name, "TimeZone");
        i += 2;
    } else if (tk_is(ts, i, "names")) {
        snprintf(name, sizeof name, "client_encoding");
        i++;
    } else {
        /* a dotted name: a custom option (myapp.x) */
        while (i < ts->n && (ts->t[i].kind == TK_IDENT || ts->t[i].kind == TK_QIDENT)) {
            size_t l = strlen(name);
            snprintf(name + l, sizeof name - l, "%s", ts->t[i].v);
            i++;
            if (!tk_is(ts, i, ".")) break;
            l = strlen(name);
            snprintf(name + l, sizeof name - l, ".");
            i++;
        }
        if (!*name) {
            pgwire_fail(err, "42601", "syntax error in SET");
            return PGWIRE_LOCAL;
        }
        if (!tk_is(ts, i, "to") && !tk_is(ts, i, "=")) {
            pgwire_fail(err, "42601", "syntax error at or near \"%s\": SET name TO value", i < ts->n ? ts->t[i].v : "end");
            return PGWIRE_LOCAL;
        }
        i++;
    }
    char value[256] = "";
    bool deflt = false;
    for (; i < ts->n; i++) {
        const tok *t = &ts->t[i];
        if (tk_is(ts, i, ";")) break;
        size_t l = strlen(value);
        if (tk_is(ts, i, ",")) {
            snprintf(value + l, sizeof value - l, ", ");
            continue;
        }
        if (t->kind == TK_IDENT && (!strcmp(t->v, "default") || !strcmp(t->v, "local"))) {
            deflt = true;
            continue;
        }
        snprintf(value + l, sizeof value - l, "%s", t->v);
    }
    if (deflt && !*value) setting_reset(ss, name);
    else if (pgwire_setting_set(ss, name, value, err)) return PGWIRE_LOCAL;
    const known_setting *k = known(name);
    if (k && k->reported) {
        r->action = PGWIRE_ACT_REPORT;
        snprintf(r->action_name, sizeof r->action_name, "%s", k->name);
    }
    return done_tag(r, "SET");
}

static pgwire_kind do_show(pgwire_sess *ss, const toks *ts, pgwire_result *r, pgwire_error *err)
{
    if (tk_is(ts, 1, "all")) {
        static const char *const names[] = {"name", "setting", "description"};
        cols(r, 3, names, NULL);
        for (size_t i = 0; i < NSETTINGS; i++) {
            cell(r, settings[i].name);
            cell(r, pgwire_setting_get(ss, settings[i].name));
            cell(r, settings[i].desc);
            r->nrows++;
        }
        return PGWIRE_LOCAL;
    }
    char name[128] = "";
    if (tk_is(ts, 1, "time") && tk_is(ts, 2, "zone")) snprintf(name, sizeof name, "TimeZone");
    else if (tk_is(ts, 1, "transaction") && tk_is(ts, 2, "isolation")) /* JDBC's getTransactionIsolation */
        snprintf(name, sizeof name, "transaction_isolation");
    else if (tk_is(ts, 1, "session") && tk_is(ts, 2, "authorization"))
        snprintf(name, sizeof name, "session_authorization");
    else if (ts->n >= 2 && (ts->t[1].kind == TK_IDENT || ts->t[1].kind == TK_QIDENT)) {
        snprintf(name, sizeof name, "%s", ts->t[1].v);
        for (size_t i = 2; i + 1 < ts->n && tk_is(ts, i, "."); i += 2) {
            size_t l = strlen(name);
            snprintf(name + l, sizeof name - l, ".%s", ts->t[i + 1].v);
        }
    }
    const char *v = *name ? pgwire_setting_get(ss, name) : NULL;
    if (!v) {
        pgwire_fail(err, "42704", "unrecognized configuration parameter \"%s\"", name);
        return PGWIRE_LOCAL;
    }
    const known_setting *k = known(name);
    const char *colname = k ? k->name : name;
    cols(r, 1, &colname, NULL);
    cell(r, v);
    r->nrows = 1;
    return PGWIRE_LOCAL;
}

/* SELECT of session functions only: version(), current_database(),
 * current_setting('x')::int/100 (Grafana's version probe), ... */
static bool select_functions(pgwire_sess *ss, const toks *ts, pgwire_result *r)
{
    const char *names[PGWIRE_LOCAL_MAXCOLS];
    char vals[PGWIRE_LOCAL_MAXCOLS][256];
    uint32_t types[PGWIRE_LOCAL_MAXCOLS];
    bool isnull[PGWIRE_LOCAL_MAXCOLS];
    size_t nc = 0, i = 1, end = ts->n;
    while (end > 1 && tk_is(ts, end - 1, ";")) end--;
    while (i < end) {
        if (nc == PGWIRE_LOCAL_MAXCOLS) return false;
        if (tk_is(ts, i, "pg_catalog") && tk_is(ts, i + 1, ".")) i += 2;
        if (i >= end || ts->t[i].kind != TK_IDENT) return false;
        const char *fn = ts->t[i].v;
        const char *args[3] = {0};
        size_t nargs = 0;
        bool call = tk_is(ts, i + 1, "(");
        i++;
        if (call) {
            i++;
            while (i < end && !tk_is(ts, i, ")")) {
                if (tk_is(ts, i, ",")) {
                    i++;
                    continue;
                }
                if (nargs == 3 || (ts->t[i].kind != TK_STR && ts->t[i].kind != TK_IDENT && ts->t[i].kind != TK_NUM))
                    return false;
                args[nargs++] = ts->t[i].v;
                i++;
            }
            if (i >= end) return false;
            i++;
        }
        char *v = vals[nc];
        uint32_t type = PGWIRE_TEXT;
        isnull[nc] = false;
        names[nc] = fn;
        if (call && !strcmp(fn, "version") && !nargs)
            snprintf(v, 256, "PostgreSQL %s %s on x86_64-pc-linux-gnu, compiled by %s, 64-bit", "15.0",
                     "(Strata " STRATA_VERSION ")",
#ifdef __clang__
                     "clang"
#else
                     "gcc"
#endif
            );
        else if ((call && !strcmp(fn, "current_database") && !nargs) || (!call && !strcmp(fn, "current_catalog")))
            snprintf(v, 256, "%s", ss->db);
        else if ((call && !strcmp(fn, "current_schema") && !nargs) || (!call && !strcmp(fn, "current_schema")))
            snprintf(v, 256, "public");
        else if (call && !strcmp(fn, "current_schemas") && nargs == 1)
            snprintf(v, 256, "{public}");
        else if (!call && (!strcmp(fn, "current_user") || !strcmp(fn, "session_user") || !strcmp(fn, "user") ||
                           !strcmp(fn, "current_role")))
            snprintf(v, 256, "%s", ss->user), type = PGWIRE_NAME;
        else if (call && !strcmp(fn, "current_setting") && nargs >= 1) {
            const char *s = pgwire_setting_get(ss, args[0]);
            if (!s && !(nargs == 2 && !strcmp(args[1], "true"))) return false; /* the engine words the error */
            if (s) snprintf(v, 256, "%s", s);
            else isnull[nc] = true;
        } else if (call && !strcmp(fn, "set_config") && nargs == 3) {
            pgwire_error e2 = {{0}};
            if (!ss->parsing && pgwire_setting_set(ss, args[0], args[1], &e2)) return false;
            snprintf(v, 256, "%s", args[1]);
        } else if (call && !strcmp(fn, "pg_backend_pid") && !nargs)
            snprintf(v, 256, "%" PRId32, ss->pid), type = PGWIRE_INT4;
        else if (call && (!strcmp(fn, "pg_client_encoding") || !strcmp(fn, "getdatabaseencoding")) && !nargs)
            snprintf(v, 256, "UTF8"), type = PGWIRE_NAME;
        else if (call && !strcmp(fn, "pg_is_in_recovery") && !nargs)
            snprintf(v, 256, "f"), type = PGWIRE_BOOL;
        else
            return false;
        /* ::type casts and an integer division (current_setting(...)::int/100) */
        while (tk_is(ts, i, "::") && i + 1 < end) {
            const char *t = ts->t[i + 1].v;
            if (!strcmp(t, "int") || !strcmp(t, "int4") || !strcmp(t, "integer") || !strcmp(t, "int8") ||
                !strcmp(t, "bigint")) {
                char *ep;
                long long x = strtoll(v, &ep, 10);
                if (isnull[nc] || ep == v || *ep) return false;
                snprintf(v, 256, "%lld", x);
                type = strcmp(t, "int8") && strcmp(t, "bigint") ? PGWIRE_INT4 : PGWIRE_INT8;
            } else if (!strcmp(t, "text") || !strcmp(t, "varchar") || !strcmp(t, "name")) {
                type = PGWIRE_TEXT;
            } else {
                return false;
            }
            i += 2;
        }
        if (tk_is(ts, i, "/") && i + 1 < end && ts->t[i + 1].kind == TK_NUM) {
            if (type != PGWIRE_INT4 && type != PGWIRE_INT8) return false;
            long long d = strtoll(ts->t[i + 1].v, NULL, 10);
            if (d == 0) return false;
            snprintf(v, 256, "%lld", strtoll(v, NULL, 10) / d);
            names[nc] = "?column?";
            i += 2;
        }
        if (tk_is(ts, i, "as")) i++;
        if (i < end && (ts->t[i].kind == TK_IDENT || ts->t[i].kind == TK_QIDENT) && !tk_is(ts, i, ",")) {
            names[nc] = ts->t[i].v;
            i++;
        }
        types[nc] = type;
        nc++;
        if (i < end && !tk_is(ts, i, ",")) return false;
        i++;
    }
    if (!nc) return false;
    cols(r, nc, names, types);
    for (size_t c = 0; c < nc; c++) cell(r, isnull[c] ? NULL : vals[c]);
    r->nrows = 1;
    return true;
}

/* ------------------------------------------------------------ the catalog */

typedef struct tables {
    st_slice *names;
    size_t n;
    scan *sc;
} tables;

static int list_tables(pgwire_sess *ss, tables *t)
{
    memset(t, 0, sizeof *t);
    if (ss->may_read && !ss->may_read(ss->may_ctx, ss->db)) return 0; /* READ revoked since the start-up */
    scan_spec sp = {.db = ss->db, .mint = INT64_MIN, .maxt = INT64_MAX, .mode = SCAN_KEYS};
    st_err e = {0};
    if (scan_open(ss->s, &sp, &t->sc, &e)) {
        t->sc = NULL;
        return 0; /* dropped meanwhile: no tables */
    }
    bool exact;
    if (scan_tables(t->sc, &t->names, &t->n, &exact, &e)) t->n = 0;
    return 0;
}

static void tables_free(tables *t)
{
    if (t->sc) scan_close(t->sc);
}

static uint32_t table_oid(st_slice name)
{
    uint32_t h = 2166136261u;
    for (size_t i = 0; i < name.n; i++) h = (h ^ (uint8_t)name.p[i]) * 16777619u;
    return 16384u + h % 0x7fff0000u;
}

/* A regex filter of psql (OPERATOR(pg_catalog.~) '^(cpu)$'); NULL = none. */
typedef struct rx {
    regex_t re;
    bool on, bad;
} rx;

static void rx_init(rx *x, const char *pattern)
{
    x->on = pattern != NULL;
    x->bad = false;
    /* psql writes its patterns with *, ., ?, |, ( ) and escapes only: a
     * counted repetition (which the regex compiler expands copy by copy)
     * or a long pattern is no pattern of psql's, and matches nothing */
    bool counted = false;
    for (const char *p = pattern; x->on && *p && !counted; p++) {
        if (*p == '\\' && p[1]) p++; /* psql escapes a { of a name: \{ */
        else counted = *p == '{';
    }
    if (x->on && (counted || strlen(pattern) > 1024)) {
        x->on = false;
        x->bad = true;
        return;
    }
    if (x->on && regcomp(&x->re, pattern, REG_EXTENDED | REG_NOSUB)) x->on = false, x->bad = true;
}

static bool rx_match(rx *x, st_slice s)
{
    if (x->bad) return false;
    if (!x->on) return true;
    char buf[512];
    snprintf(buf, sizeof buf, "%.*s", (int)s.n, s.p);
    return regexec(&x->re, buf, 0, NULL, 0) == 0;
}

static void rx_free(rx *x)
{
    if (x->on) regfree(&x->re);
}

/* The pattern of "<column> OPERATOR(pg_catalog.~) '...'" or "<column> ~ '...'". */
static const char *regex_on(const toks *ts, const char *column)
{
    for (size_t i = 0; i < ts->n; i++) {
        if (!tk_is(ts, i, column)) continue;
        for (size_t k = i + 1; k < ts->n && k < i + 9; k++) {
            if (ts->t[k].kind == TK_STR) {
                bool tilde = false;
                for (size_t m = i + 1; m < k; m++) tilde |= tk_is(ts, m, "~");
                if (tilde) return ts->t[k].v;
                break;
            }
        }
    }
    return NULL;
}

typedef struct colinfo {
    st_slice name;
    const char *pgtype;   /* format_type / information_schema data_type */
    bool notnull;
} colinfo;

static const char *pgtype_of(uint8_t t)
{
    switch (t) {
    case SQLT_DOUBLE: return "double precision";
    case SQLT_BIGINT: return "bigint";
    case SQLT_BOOLEAN: return "boolean";
    case SQLT_TIMESTAMP: return "timestamp without time zone";
    default: return "character varying";
    }
}

/* The columns of table name as SQL shows them (SELECT * order, Timestream's
 * records as Timestream shows them: sql_table_columns); 0 if it has none
 * (no such table). measure_name and time are never NULL. */
static size_t table_columns(pgwire_sess *ss, st_slice name, st_arena *a, colinfo **out)
{
    sql_table_col *cols;
    size_t n = 0;
    st_err e = {0};
    if (ss->may_read && !ss->may_read(ss->may_ctx, ss->db)) return 0;
    if (sql_table_columns(ss->s, ss->db, name, a, &cols, &n, &e) || !n) return 0;
    colinfo *c = st_arena_alloc(a, n * sizeof *c);
    for (size_t i = 0; i < n; i++)
        c[i] = (colinfo){cols[i].name, pgtype_of(cols[i].type),
                         cols[i].category == SQL_COL_MEASURE_NAME || cols[i].category == SQL_COL_TIMESTAMP};
    *out = c;
    return n;
}

static bool plain_ident(st_slice s)
{
    if (!s.n || !(islower((unsigned char)s.p[0]) || s.p[0] == '_')) return false;
    for (size_t i = 0; i < s.n; i++)
        if (!(islower((unsigned char)s.p[i]) || isdigit((unsigned char)s.p[i]) || s.p[i] == '_')) return false;
    return true;
}

/* quote_ident(): "a b" for names that need quotes. */
static void quote_ident(st_slice s, char *out, size_t cap)
{
    if (plain_ident(s)) {
        snprintf(out, cap, "%.*s", (int)s.n, s.p);
        return;
    }
    size_t k = 0;
    if (cap < 3) return;
    out[k++] = '"';
    for (size_t i = 0; i < s.n && k + 3 < cap; i++) {
        if (s.p[i] == '"') out[k++] = '"';
        out[k++] = s.p[i];
    }
    out[k++] = '"';
    out[k] = 0;
}

static pgwire_kind cat_databases(pgwire_sess *ss, const toks *ts, pgwire_result *r)
{
    store_db_info *dbs = NULL;
    size_t n = 0;
    store_db_list(ss->s, &dbs, &n);
    rx x;
    rx_init(&x, regex_on(ts, "datname"));
    bool psql = tk_has(ts, TK_QIDENT, "Name");
    if (psql) {
        static const char *const names[] = {"Name", "Owner", "Encoding", "Collate", "Ctype", "ICU Locale",
                                            "Locale Provider", "Access privileges"};
        cols(r, 8, names, NULL);
    } else {
        static const char *const names[] = {"datname"};
        cols(r, 1, names, NULL);
    }
    for (size_t i = 0; i < n; i++) {
        if (!rx_match(&x, st_slice_cstr(dbs[i].name))) continue;
        if (ss->may_read && !ss->may_read(ss->may_ctx, dbs[i].name)) continue;
        cell(r, dbs[i].name);
        if (psql) {
            cell(r, "strata");
            cell(r, "UTF8");
            cell(r, "C");
            cell(r, "C");
            cell(r, NULL);
            cell(r, "libc");
            cell(r, NULL);
        }
        r->nrows++;
    }
    rx_free(&x);
    st_free(dbs);
    return PGWIRE_LOCAL;
}

static pgwire_kind cat_namespaces(const toks *ts, pgwire_result *r)
{
    rx x;
    rx_init(&x, regex_on(ts, "nspname"));
    bool psql = tk_has(ts, TK_QIDENT, "Name");
    static const char *const names[] = {"Name", "Owner"};
    static const char *const plain[] = {"nspname"};
    cols(r, psql ? 2 : 1, psql ? names : plain, NULL);
    if (rx_match(&x, st_slice_cstr("public"))) {
        cell(r, "public");
        if (psql) cell(r, "strata");
        r->nrows++;
    }
    rx_free(&x);
    return PGWIRE_LOCAL;
}

/* psql \dt (a listing with "Name") and \d's first step (oid, nspname, relname). */
static pgwire_kind cat_classes(pgwire_sess *ss, const toks *ts, pgwire_result *r)
{
    rx x, nx;
    rx_init(&x, regex_on(ts, "relname"));
    rx_init(&nx, regex_on(ts, "nspname"));
    bool listing = tk_has(ts, TK_QIDENT, "Name");
    /* \dt, \dv, \di ... ask for kinds (c.relkind IN ('r','p','')): tables
     * ('r') must be among them */
    bool kinds = true;
    for (size_t i = 0; i + 2 < ts->n; i++) {
        if (!tk_is(ts, i, "relkind") || !tk_is(ts, i + 1, "in") || !tk_is(ts, i + 2, "(")) continue;
        kinds = false;
        for (size_t k = i + 3; k < ts->n && !tk_is(ts, k, ")"); k++)
            if (ts->t[k].kind == TK_STR && !strcmp(ts->t[k].v, "r")) kinds = true;
    }
    if (listing) {
        static const char *const names[] = {"Schema", "Name", "Type", "Owner"};
        cols(r, 4, names, NULL);
    } else {
        static const char *const names[] = {"oid", "nspname", "relname"};
        static const uint32_t types[] = {PGWIRE_OID, PGWIRE_NAME, PGWIRE_NAME};
        cols(r, 3, names, types);
    }
    tables t;
    list_tables(ss, &t);
    for (size_t i = 0; kinds && rx_match(&nx, st_slice_cstr("public")) && i < t.n; i++) {
        if (!rx_match(&x, t.names[i])) continue;
        char name[512], oid[16];
        snprintf(name, sizeof name, "%.*s", (int)t.names[i].n, t.names[i].p);
        if (listing) {
            cell(r, "public");
            cell(r, name);
            cell(r, "table");
            cell(r, "strata");
        } else {
            snprintf(oid, sizeof oid, "%" PRIu32, table_oid(t.names[i]));
            cell(r, oid);
            cell(r, "public");
            cell(r, name);
        }
        r->nrows++;
    }
    tables_free(&t);
    rx_free(&x);
    rx_free(&nx);
    return PGWIRE_LOCAL;
}

/* The table whose OID is the literal after "<col> =" (psql's '16384'). */
static bool table_by_oid(pgwire_sess *ss, const toks *ts, const char *col, char *name, size_t cap)
{
    const char *lit = literal_after(ts, col, "=");
    if (!lit) return false;
    uint32_t want = (uint32_t)strtoul(lit, NULL, 10);
    tables t;
    list_tables(ss, &t);
    bool found = false;
    for (size_t i = 0; i < t.n && !found; i++)
        if (table_oid(t.names[i]) == want) {
            snprintf(name, cap, "%.*s", (int)t.names[i].n, t.names[i].p);
            found = true;
        }
    tables_free(&t);
    return found;
}

/* \d's second step: the 15 columns psql 15 reads by position. */
static pgwire_kind cat_class_details(pgwire_sess *ss, const toks *ts, pgwire_result *r)
{
    static const char *const names[] = {"relchecks", "relkind", "relhasindex", "relhasrules", "relhastriggers",
                                        "relrowsecurity", "relforcerowsecurity", "relhasoids", "relispartition",
                                        "array_to_string", "reltablespace", "reloftype", "relpersistence",
                                        "relreplident", "amname"};
    static const uint32_t types[] = {PGWIRE_INT2, PGWIRE_CHAR, PGWIRE_BOOL, PGWIRE_BOOL, PGWIRE_BOOL,
                                     PGWIRE_BOOL, PGWIRE_BOOL, PGWIRE_BOOL, PGWIRE_BOOL, PGWIRE_TEXT,
                                     PGWIRE_OID, PGWIRE_TEXT, PGWIRE_CHAR, PGWIRE_CHAR, PGWIRE_NAME};
    cols(r, 15, names, types);
    char name[512];
    if (!table_by_oid(ss, ts, "oid", name, sizeof name)) return PGWIRE_LOCAL;
    static const char *const row[] = {"0", "r", "f", "f", "f", "f", "f", "f", "f", "", "0", "", "p", "d"};
    for (int i = 0; i < 14; i++) cell(r, row[i]);
    cell(r, "heap");
    r->nrows = 1;
    return PGWIRE_LOCAL;
}

/* \d's third step: attname, format_type, default, attnotnull, collation,
 * attidentity, attgenerated. */
static pgwire_kind cat_attributes(pgwire_sess *ss, const toks *ts, pgwire_result *r)
{
    static const char *const names[] = {"attname", "format_type", "pg_get_expr", "attnotnull", "attcollation",
                                        "attidentity", "attgenerated"};
    static const uint32_t types[] = {PGWIRE_NAME, PGWIRE_TEXT, PGWIRE_TEXT, PGWIRE_BOOL,
                                     PGWIRE_NAME, PGWIRE_CHAR, PGWIRE_CHAR};
    /* \d+ adds attstorage, attcompression, attstattarget and the column's
     * description, read by position too */
    static const char *const vnames[] = {"attname", "format_type", "pg_get_expr", "attnotnull", "attcollation",
                                         "attidentity", "attgenerated", "attstorage", "attcompression",
                                         "attstattarget", "col_description"};
    static const uint32_t vtypes[] = {PGWIRE_NAME, PGWIRE_TEXT, PGWIRE_TEXT, PGWIRE_BOOL, PGWIRE_NAME,
                                      PGWIRE_CHAR, PGWIRE_CHAR, PGWIRE_CHAR, PGWIRE_CHAR, PGWIRE_INT2,
                                      PGWIRE_TEXT};
    bool verbose = tk_has(ts, TK_IDENT, "attstorage");
    if (verbose) cols(r, 11, vnames, vtypes);
    else cols(r, 7, names, types);
    char name[512];
    if (!table_by_oid(ss, ts, "attrelid", name, sizeof name)) return PGWIRE_LOCAL;
    st_arena *a = st_arena_new(4096);
    colinfo *c;
    size_t n = table_columns(ss, st_slice_cstr(name), a, &c);
    for (size_t i = 0; i < n; i++) {
        pgwire_result_cell(r, c[i].name.p, c[i].name.n);
        cell(r, c[i].pgtype);
        cell(r, NULL);
        cell(r, c[i].notnull ? "t" : "f");
        cell(r, NULL);
        cell(r, "");
        cell(r, "");
        if (verbose) {
            cell(r, strcmp(c[i].pgtype, "character varying") ? "p" : "x"); /* plain / extended storage */
            cell(r, "");
            cell(r, NULL);
            cell(r, NULL);
        }
        r->nrows++;
    }
    st_arena_free(a);
    return PGWIRE_LOCAL;
}

/* A schema named in the query ('public' after table_schema =); NULL = any. */
static bool schema_ok(const toks *ts)
{
    const char *s = literal_after(ts, "table_schema", "=");
    return !s || !strcmp(s, "public");
}

/* Grafana's table picker: SELECT ... quote_ident(table_name) AS "table". */
static pgwire_kind cat_info_tables(pgwire_sess *ss, const toks *ts, pgwire_result *r)
{
    static const char *const names[] = {"table"};
    cols(r, 1, names, NULL);
    if (!schema_ok(ts)) return PGWIRE_LOCAL;
    tables t;
    list_tables(ss, &t);
    for (size_t i = 0; i < t.n; i++) {
        char q[600];
        quote_ident(t.names[i], q, sizeof q);
        cell(r, q);
        r->nrows++;
    }
    tables_free(&t);
    return PGWIRE_LOCAL;
}

/* Grafana's column picker: quote_ident(column_name) AS "column", data_type AS "type". */
static pgwire_kind cat_info_columns(pgwire_sess *ss, const toks *ts, pgwire_result *r)
{
    static const char *const names[] = {"column", "type"};
    cols(r, 2, names, NULL);
    const char *tn = literal_after(ts, "parse_ident", "(");
    if (!tn) tn = literal_after(ts, "table_name", "=");
    if (!tn) return PGWIRE_LOCAL;
    if (!strncmp(tn, "public.", 7)) tn += 7;
    char name[512];
    size_t tl = strlen(tn);
    if (tl >= 2 && tn[0] == '"' && tn[tl - 1] == '"') { /* a quote_ident()ed name */
        size_t k = 0;
        for (size_t i = 1; i + 1 < tl && k + 1 < sizeof name; i++) {
            name[k++] = tn[i];
            if (tn[i] == '"' && tn[i + 1] == '"') i++;
        }
        name[k] = 0;
    } else {
        snprintf(name, sizeof name, "%s", tn);
    }
    /* Grafana's older editor asks for columns of some types only:
     * data_type IN ('text', 'character varying', ...) */
    size_t tin = 0;
    for (size_t i = 0; i + 2 < ts->n && !tin; i++)
        if (tk_is(ts, i, "data_type") && tk_is(ts, i + 1, "in") && tk_is(ts, i + 2, "(")) tin = i + 3;
    st_arena *a = st_arena_new(4096);
    colinfo *c;
    size_t n = table_columns(ss, st_slice_cstr(name), a, &c);
    for (size_t i = 0; i < n; i++) {
        bool want = !tin;
        for (size_t k = tin; tin && k < ts->n && !tk_is(ts, k, ")") && !want; k++)
            want = ts->t[k].kind == TK_STR && !strcmp(ts->t[k].v, c[i].pgtype);
        if (!want) continue;
        char q[600];
        quote_ident(c[i].name, q, sizeof q);
        cell(r, q);
        cell(r, c[i].pgtype);
        r->nrows++;
    }
    st_arena_free(a);
    return PGWIRE_LOCAL;
}

/* Relations of pg_catalog a client may read; a query reading one of them
 * is answered here. */
static const char *const pg_relations[] = {
    "pg_database", "pg_class", "pg_namespace", "pg_attribute", "pg_type", "pg_proc", "pg_settings",
    "pg_extension", "pg_roles", "pg_user", "pg_tables", "pg_views", "pg_index", "pg_inherits",
    "pg_constraint", "pg_description", "pg_am", "pg_matviews", "pg_stat_activity", "pg_tablespace",
    "pg_trigger", "pg_collation", "pg_attrdef", "pg_policy", "pg_statistic_ext", "pg_publication",
    "pg_publication_rel", "pg_publication_namespace", "pg_rewrite", "pg_foreign_table",
    "pg_partitioned_table", "pg_shdescription", "pg_range", "pg_enum", "pg_authid", "pg_auth_members",
    "pg_sequence", "pg_event_trigger", "pg_opclass", "pg_operator", "pg_cast", "pg_language",
    "pg_foreign_data_wrapper", "pg_foreign_server", "pg_user_mapping", "pg_db_role_setting",
    "pg_default_acl", "pg_subscription", "pg_timezone_names", "pg_timezone_abbrevs", NULL};

/* Does the statement read only relations among allowed (NULL-ended)? */
static bool reads_only(const toks *ts, const char *const *allowed)
{
    for (int i = 0; pg_relations[i]; i++) {
        bool ok = false;
        for (int k = 0; allowed[k] && !ok; k++) ok = !strcmp(allowed[k], pg_relations[i]);
        if (!ok && reads(ts, "pg_catalog", pg_relations[i])) return false;
    }
    return true;
}

static pgwire_kind catalog(pgwire_sess *ss, const toks *ts, pgwire_result *r)
{
    /* each tool's query is told by the relations it reads: psql's \l reads
     * pg_database alone, \dt and \d's first two steps pg_class with
     * pg_namespace and pg_am, \d's columns pg_attribute (with pg_attrdef,
     * pg_collation and pg_type in subqueries), \dn pg_namespace alone */
    static const char *const dbs[] = {"pg_database", NULL};
    static const char *const classes[] = {"pg_class", "pg_namespace", "pg_am", NULL};
    static const char *const attrs[] = {"pg_attribute", "pg_attrdef", "pg_collation", "pg_type", "pg_class", NULL};
    static const char *const nsps[] = {"pg_namespace", NULL};
    /* every relation below is a pg_* name or information_schema's: a
     * statement naming none (every query of the data) is the engine's */
    bool names_one = false;
    for (size_t i = 0; i < ts->n && !names_one; i++)
        names_one = ts->t[i].kind == TK_IDENT &&
                    (!strncmp(ts->t[i].v, "pg_", 3) || !strcmp(ts->t[i].v, "information_schema"));
    if (!names_one) return PGWIRE_ENGINE;
    if (reads(ts, "pg_catalog", "pg_database") && reads_only(ts, dbs)) return cat_databases(ss, ts, r);
    if (reads(ts, "pg_catalog", "pg_attribute") && tk_has(ts, TK_IDENT, "attrelid") && reads_only(ts, attrs))
        return cat_attributes(ss, ts, r);
    if (reads(ts, "pg_catalog", "pg_class") && reads_only(ts, classes)) {
        if (tk_has(ts, TK_IDENT, "relchecks")) return cat_class_details(ss, ts, r);
        if (tk_has(ts, TK_IDENT, "relname")) return cat_classes(ss, ts, r);
        goto empty;
    }
    if (reads(ts, "pg_catalog", "pg_namespace") && reads_only(ts, nsps)) return cat_namespaces(ts, r);
    if (reads(ts, "information_schema", "tables") && tk_has(ts, TK_IDENT, "quote_ident"))
        return cat_info_tables(ss, ts, r);
    if (reads(ts, "information_schema", "columns") && tk_has(ts, TK_IDENT, "quote_ident"))
        return cat_info_columns(ss, ts, r);
    if (reads(ts, "information_schema", "schemata")) {
        static const char *const names[] = {"name"};
        cols(r, 1, names, NULL);
        cell(r, "public");
        r->nrows = 1;
        return PGWIRE_LOCAL;
    }
    for (int i = 0; pg_relations[i]; i++)
        if (reads(ts, "pg_catalog", pg_relations[i])) goto empty;
    return PGWIRE_ENGINE;
empty:
    r->rows = true;
    r->ncols = 0;
    return PGWIRE_LOCAL;
}

pgwire_kind pgwire_catalog_answer(pgwire_sess *ss, const char *q, size_t n, pgwire_result *r, pgwire_error *err)
{
    st_arena *a = st_arena_new(4096);
    toks ts = {.a = a};
    pgwire_kind k = PGWIRE_ENGINE;
    if (lex(q, n, &ts)) goto out; /* too long to be one of ours */
    if (!ts.n || (ts.n == 1 && tk_is(&ts, 0, ";"))) {
        k = PGWIRE_EMPTY;
        goto out;
    }
    const char *first = ts.t[0].kind == TK_IDENT ? ts.t[0].v : "";
    bool ends = !strcmp(first, "commit") || !strcmp(first, "end") || !strcmp(first, "rollback") ||
                !strcmp(first, "abort");
    if (ss->txn == 'E' && !ends) {
        k = PGWIRE_LOCAL;
        pgwire_fail(err, "25P02", "current transaction is aborted, commands ignored until end of transaction block");
        goto out;
    }
    k = PGWIRE_LOCAL;
    if (!strcmp(first, "begin") || (!strcmp(first, "start") && tk_is(&ts, 1, "transaction"))) {
        ss->txn = 'T';
        done_tag(r, "BEGIN");
    } else if (!strcmp(first, "commit") || !strcmp(first, "end")) {
        done_tag(r, ss->txn == 'E' ? "ROLLBACK" : "COMMIT");
        ss->txn = 'I';
    } else if (!strcmp(first, "rollback") || !strcmp(first, "abort")) {
        if (tk_is(&ts, 1, "to") || tk_is(&ts, 2, "to")) { /* ROLLBACK [WORK] TO SAVEPOINT: the block goes on */
            if (ss->txn == 'E') ss->txn = 'T';
        } else {
            ss->txn = 'I';
        }
        done_tag(r, "ROLLBACK");
    } else if (!strcmp(first, "savepoint")) {
        done_tag(r, "SAVEPOINT");
    } else if (!strcmp(first, "release")) {
        done_tag(r, "RELEASE");
    } else if (!strcmp(first, "set")) {
        do_set(ss, &ts, r, err);
    } else if (!strcmp(first, "reset")) {
        if (tk_is(&ts, 1, "all")) pgwire_sess_free(ss);
        else if (ts.n > 1) setting_reset(ss, ts.t[1].v);
        done_tag(r, "RESET");
    } else if (!strcmp(first, "discard")) {
        if (tk_is(&ts, 1, "all")) {
            r->action = PGWIRE_ACT_DEALLOCATE_ALL;
            pgwire_sess_free(ss);
        }
        snprintf(r->tag, sizeof r->tag, "DISCARD %s", ts.n > 1 ? "ALL" : "");
        for (char *p = r->tag; *p; p++) *p = (char)toupper((unsigned char)*p);
    } else if (!strcmp(first, "deallocate")) {
        size_t i = tk_is(&ts, 1, "prepare") ? 2 : 1;
        if (tk_is(&ts, i, "all")) r->action = PGWIRE_ACT_DEALLOCATE_ALL;
        else if (i < ts.n) {
            r->action = PGWIRE_ACT_DEALLOCATE;
            snprintf(r->action_name, sizeof r->action_name, "%s", ts.t[i].v);
        }
        done_tag(r, r->action == PGWIRE_ACT_DEALLOCATE_ALL ? "DEALLOCATE ALL" : "DEALLOCATE");
    } else if (!strcmp(first, "show") && !(tk_is(&ts, 1, "databases") || tk_is(&ts, 1, "tables") ||
                                           tk_is(&ts, 1, "measures"))) {
        do_show(ss, &ts, r, err);
    } else if (!strcmp(first, "select") && select_functions(ss, &ts, r)) {
        /* answered */
    } else {
        k = catalog(ss, &ts, r);
    }
out:
    st_arena_free(a);
    return k;
}
