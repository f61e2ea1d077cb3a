/* pgwire_portal: prepared statements and portals of the PostgreSQL front
 * (see pgwire_int.h): finding and closing them, SQL cursors (DECLARE,
 * FETCH, MOVE, CLOSE, forward only), COPY (query) TO STDOUT, opening a
 * portal (a local answer from pgwire_catalog.c or an engine cursor) and
 * sending its rows in the formats Bind asked for.
 *
 * Invariants: a portal's engine cursor is closed as soon as its rows are
 * all sent, or else when the portal is freed; a FETCH or MOVE portal points at its cursor's
 * portal (target), which a CLOSE of the cursor clears; a DECLAREd cursor
 * keeps its own copies of its parameters, as it outlives the Bind.
 */
#include <ctype.h>
#include <inttypes.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "api.h"
#include "pgwire_int.h"

#define OUT_FLUSH (64 * 1024)      /* rows are sent in chunks of about this much */

/* ------------------------------------------------------------ statements */

pstmt *pgwire_find_stmt(pgconn *c, const char *name)
{
    for (pstmt *s = c->stmts; s; s = s->next)
        if (!strcmp(s->name, name)) return s;
    return NULL;
}

pportal *pgwire_find_portal(pgconn *c, const char *name)
{
    for (pportal *p = c->portals; p; p = p->next)
        if (!strcmp(p->name, name)) return p;
    return NULL;
}

void pgwire_stmt_free(pstmt *s)
{
    free(s->name);
    st_free(s->sql);
    st_free(s->ptypes);
    st_free(s->order);
    st_free(s);
}

void pgwire_close_stmt(pgconn *c, const char *name)
{
    for (pstmt **pp = &c->stmts; *pp; pp = &(*pp)->next)
        if (!strcmp((*pp)->name, name)) {
            pstmt *s = *pp;
            *pp = s->next;
            c->held -= s->n;
            pgwire_stmt_free(s);
            c->nstmts--;
            return;
        }
}

void pgwire_close_all_stmts(pgconn *c)
{
    while (c->stmts) {
        pstmt *s = c->stmts;
        c->stmts = s->next;
        c->held -= s->n;
        pgwire_stmt_free(s);
    }
    c->nstmts = 0;
}

void pgwire_portal_free(pportal *p)
{
    if (p->cur) sql_cursor_close(p->cur);
    st_buf_free(&p->res.cells);
    free(p->name);
    st_arena_free(p->a);
    st_free(p);
}

/* Unlinks and frees *pp; a FETCH portal reading it is left without a target. */
static void unlink_portal(pgconn *c, pportal **pp)
{
    pportal *p = *pp;
    *pp = p->next;
    for (pportal *q = c->portals; q; q = q->next)
        if (q->target == p) q->target = NULL;
    c->held -= p->counted;
    pgwire_portal_free(p);
    c->nportals--;
}

void pgwire_close_portal(pgconn *c, const char *name)
{
    for (pportal **pp = &c->portals; *pp; pp = &(*pp)->next)
        if (!strcmp((*pp)->name, name)) {
            unlink_portal(c, pp);
            return;
        }
}

/* At the end of a transaction: every portal but the cursors declared WITH
 * HOLD (all of them when the connection ends). */
void pgwire_close_all_portals(pgconn *c, bool keep_hold)
{
    for (pportal **pp = &c->portals; *pp;) {
        if (keep_hold && (*pp)->hold) pp = &(*pp)->next;
        else unlink_portal(c, pp);
    }
}

static bool conn_cancelled(void *ctx)
{
    pgconn *c = ctx;
    if (atomic_load(&c->cancel)) return true;
    /* a client that hung up: its query need not run to the end */
    struct pollfd pf = {.fd = c->fd, .events = POLLRDHUP};
    return poll(&pf, 1, 0) > 0 && (pf.revents & (POLLRDHUP | POLLHUP | POLLERR));
}

/* Statements that change the session: described as NoData, run only by Execute. */
bool pgwire_changes_session(const char *q, size_t n)
{
    static const char *const words[] = {"begin", "start", "commit", "end", "rollback", "abort", "set", "reset",
                                        "discard", "deallocate", "savepoint", "release", "declare", "close",
                                        "move", NULL};
    size_t i = 0;
    for (;;) {
        while (i < n && isspace((unsigned char)q[i])) i++;
        size_t j = pgwire_skip_quoted(q, n, i);
        if (j > i && (q[i] == '-' || q[i] == '/')) {
            i = j;
            continue;
        }
        break;
    }
    size_t k = i;
    while (k < n && isalpha((unsigned char)q[k])) k++;
    for (int w = 0; words[w]; w++)
        if (k - i == strlen(words[w]) && !strncasecmp(q + i, words[w], k - i)) return true;
    return false;
}

/* The next word of q from *i (blanks and comments skipped): an identifier
 * lower-cased, a "quoted identifier" as written, or a number. false at the end. */
static bool next_word(const char *q, size_t n, size_t *i, char *out, size_t cap)
{
    size_t k = *i;
    for (;;) {
        while (k < n && isspace((unsigned char)q[k])) k++;
        size_t j = pgwire_skip_quoted(q, n, k);
        if (j > k && (q[k] == '-' || q[k] == '/')) {
            k = j;
            continue;
        }
        break;
    }
    if (k >= n || cap < 2) return false;
    size_t o = 0;
    if (q[k] == '"') {
        size_t j = pgwire_skip_quoted(q, n, k);
        for (size_t m = k + 1; m + 1 < j && o + 1 < cap; m++) {
            out[o++] = q[m];
            if (q[m] == '"') m++;
        }
        k = j;
    } else if (isalnum((unsigned char)q[k]) || q[k] == '_' || q[k] == '-' || q[k] == '+') {
        out[o++] = (char)tolower((unsigned char)q[k++]);
        while (k < n && (isalnum((unsigned char)q[k]) || q[k] == '_' || q[k] == '$') && o + 1 < cap)
            out[o++] = (char)tolower((unsigned char)q[k++]);
    } else {
        out[o++] = q[k++];
    }
    out[o] = 0;
    *i = k;
    return true;
}

pportal *pgwire_portal_new(const char *name, const char *sql, size_t n)
{
    pportal *p = st_calloc(1, sizeof *p);
    p->name = strdup(name);
    p->a = st_arena_new(1024);
    p->sql = st_arena_strndup(p->a, sql, n);
    p->n = n;
    return p;
}

/* DECLARE, FETCH, MOVE and CLOSE: SQL cursors, which are portals (psql's
 * FETCH_COUNT, psycopg2's named cursors). 1 when q is one of them (p is
 * then set up, or err filled and -1), 0 otherwise. */
static int cursor_statement(pgconn *c, pportal *p, size_t base_chars, pgwire_error *err)
{
    char w[256], name[256];
    size_t i = 0;
    if (!next_word(p->sql, p->n, &i, w, sizeof w)) return 0;
    p->local = true;
    p->res.rows = false;
    if (!strcmp(w, "declare")) {
        if (!next_word(p->sql, p->n, &i, name, sizeof name))
            return pgwire_fail(err, "42601", "syntax error at end of input");
        bool binary = false, hold = false, cursor = false, no = false;
        while (next_word(p->sql, p->n, &i, w, sizeof w)) {
            if (!strcmp(w, "binary")) binary = true;
            else if (!strcmp(w, "cursor")) cursor = true;
            else if (!strcmp(w, "with") && cursor) hold = true;
            else if (!strcmp(w, "for") && cursor) break;
            else if (!strcmp(w, "scroll") && !cursor && !no)
                return pgwire_fail(err, "0A000", "SCROLL cursors are not supported: cursors move forward only");
            no = !strcmp(w, "no");
        }
        if (!cursor || i >= p->n) return pgwire_fail(err, "42601", "syntax error in DECLARE");
        /* a cursor is over a query: not over another cursor statement (which
         * would also let a long DECLARE ... FOR DECLARE ... chain recurse) */
        size_t peek = i;
        char q1[32] = "";
        next_word(p->sql, p->n, &peek, q1, sizeof q1);
        if (!strcmp(q1, "declare") || !strcmp(q1, "fetch") || !strcmp(q1, "move") ||
            pgwire_changes_session(p->sql + i, p->n - i))
            return pgwire_fail(err, "42601", "DECLARE CURSOR must be followed by a query, not %s", q1);
        if (c->sess.txn == 'I' && !hold)
            return pgwire_fail(err, "25P01", "DECLARE CURSOR can only be used in transaction blocks");
        if (pgwire_find_portal(c, name)) return pgwire_fail(err, "42P03", "cursor \"%.200s\" already exists", name);
        if (c->nportals >= PGWIRE_MAX_PORTALS || c->held + (p->n - i) > PGWIRE_MAX_HELD)
            return pgwire_fail(err, "54000", "too many cursors, or too much text held by them");
        pportal *t = pgwire_portal_new(name, p->sql + i, p->n - i);
        t->hold = hold;
        /* DECLARE ... FOR SELECT ... $1 in the extended protocol: the
         * cursor outlives this portal, so it keeps copies of the values */
        t->nparams = p->nparams;
        t->params = st_arena_alloc(t->a, (p->nparams + 1) * sizeof *t->params);
        for (size_t k = 0; k < p->nparams; k++) {
            t->params[k] = p->params[k];
            if (t->params[k].type == SQLT_VARCHAR && !t->params[k].null)
                t->params[k].u.s.p = st_arena_strndup(t->a, p->params[k].u.s.p, p->params[k].u.s.n);
        }
        if (binary) {
            t->nfmts = 1;
            t->fmts = st_arena_alloc(t->a, sizeof *t->fmts);
            t->fmts[0] = 1;
        }
        /* planned now, as PostgreSQL plans at DECLARE: errors come here */
        size_t at_chars = base_chars;
        for (size_t k = 0; k < i; k++) at_chars += ((uint8_t)p->sql[k] & 0xc0) != 0x80;
        if (pgwire_portal_open(c, t, at_chars, err)) {
            pgwire_portal_free(t);
            return -1;
        }
        t->next = c->portals;
        c->portals = t;
        c->nportals++;
        t->counted = t->n;
        c->held += t->counted;
        snprintf(p->res.tag, sizeof p->res.tag, "DECLARE CURSOR");
        return 1;
    }
    if (!strcmp(w, "close")) {
        if (!next_word(p->sql, p->n, &i, name, sizeof name))
            return pgwire_fail(err, "42601", "syntax error at end of input");
        if (!strcmp(name, "all")) {
            for (pportal **pp = &c->portals; *pp;) {
                if ((*pp)->sql && *(*pp)->name && *pp != p) unlink_portal(c, pp);
                else pp = &(*pp)->next;
            }
        } else {
            pportal *t = pgwire_find_portal(c, name);
            if (!t || t == p) return pgwire_fail(err, "34000", "cursor \"%.200s\" does not exist", name);
            pgwire_close_portal(c, name);
        }
        snprintf(p->res.tag, sizeof p->res.tag, "CLOSE CURSOR");
        return 1;
    }
    bool fetch = !strcmp(w, "fetch");
    if (!fetch && strcmp(w, "move")) {
        p->local = false;
        return 0;
    }
    /* [NEXT | FORWARD [n | ALL] | n | ALL] [FROM | IN] name */
    uint64_t count = 1;
    if (!next_word(p->sql, p->n, &i, w, sizeof w)) return pgwire_fail(err, "42601", "syntax error at end of input");
    static const char *const backward[] = {"prior", "first", "last", "absolute", "relative", "backward", NULL};
    for (int b = 0; backward[b]; b++)
        if (!strcmp(w, backward[b]))
            return pgwire_fail(err, "0A000", "FETCH %s is not supported: cursors move forward only", w);
    if (!strcmp(w, "next") || !strcmp(w, "forward")) {
        bool fwd = !strcmp(w, "forward");
        size_t save = i;
        if (!next_word(p->sql, p->n, &i, w, sizeof w)) return pgwire_fail(err, "42601", "syntax error");
        if (fwd && !strcmp(w, "all")) count = 0;
        else if (fwd && (isdigit((unsigned char)w[0]) || w[0] == '+')) count = strtoull(w, NULL, 10);
        else i = save;
        if (!next_word(p->sql, p->n, &i, w, sizeof w)) return pgwire_fail(err, "42601", "syntax error");
    } else if (!strcmp(w, "all")) {
        count = 0;
        if (!next_word(p->sql, p->n, &i, w, sizeof w)) return pgwire_fail(err, "42601", "syntax error");
    } else if (isdigit((unsigned char)w[0]) || w[0] == '+' || w[0] == '-') {
        if (w[0] == '-') return pgwire_fail(err, "0A000", "FETCH %s is not supported: cursors move forward only", w);
        count = strtoull(w, NULL, 10);
        if (count == 0) return pgwire_fail(err, "0A000", "FETCH 0 (the current row) is not supported");
        if (!next_word(p->sql, p->n, &i, w, sizeof w)) return pgwire_fail(err, "42601", "syntax error");
    }
    if (!strcmp(w, "from") || !strcmp(w, "in")) {
        if (!next_word(p->sql, p->n, &i, w, sizeof w)) return pgwire_fail(err, "42601", "syntax error");
    }
    pportal *t = pgwire_find_portal(c, w);
    if (!t || t == p || !*w) return pgwire_fail(err, "34000", "cursor \"%.200s\" does not exist", w);
    p->local = false;
    p->fetch = fetch;
    p->move = !fetch;
    p->fetch_n = count;
    p->target = t;
    return 1;
}

/* The time a statement may run (ns, 0 = no limit): --query-timeout, or the
 * session's statement_timeout when that is shorter (a client may lower the
 * server's limit, never raise it). statement_timeout is milliseconds, or a
 * number with us, ms, s, min, h or d, as PostgreSQL reads it. */
static int64_t query_timeout(pgconn *c)
{
    const flags *f = c->srv->f;
    int64_t t = f && f->query_timeout > 0 ? f->query_timeout : 0;
    const char *v = pgwire_setting_get(&c->sess, "statement_timeout");
    char *ep;
    double x = v ? strtod(v, &ep) : 0;
    if (!v || ep == v || x <= 0) return t;
    while (*ep == ' ') ep++;
    double unit = 1e6; /* ms */
    if (!strcmp(ep, "us")) unit = 1e3;
    else if (!strcmp(ep, "s")) unit = 1e9;
    else if (!strcmp(ep, "min")) unit = 60e9;
    else if (!strcmp(ep, "h")) unit = 3600e9;
    else if (!strcmp(ep, "d")) unit = 86400e9;
    else if (*ep && strcmp(ep, "ms")) return t;
    double ns = x * unit;
    if (ns >= 9e18) return t;
    int64_t st = ns < 1 ? 1 : (int64_t)ns;
    return t && t < st ? t : st;
}

/* A '...' literal at q[*i] (blanks skipped): its text into out. */
static bool copy_literal(const char *q, size_t n, size_t *i, char *out, size_t cap)
{
    size_t k = *i;
    while (k < n && isspace((unsigned char)q[k])) k++;
    if (k >= n || q[k] != '\'') return false;
    size_t e = pgwire_skip_quoted(q, n, k), o = 0;
    for (size_t m = k + 1; m + 1 < e && o + 1 < cap; m++) {
        out[o++] = q[m];
        if (q[m] == '\'') m++;
    }
    out[o] = 0;
    *i = e;
    return true;
}

/* COPY (query) TO STDOUT [[WITH] (FORMAT text|csv, HEADER, DELIMITER 'c',
 * NULL 's')] and the older COPY ... TO STDOUT [CSV] [HEADER] [DELIMITER
 * [AS] 'c'] [NULL [AS] 's'] (psql's \copy ... to 'file' sends these);
 * COPY table [(columns)] TO STDOUT reads SELECT columns FROM table. When q
 * is one, p's text becomes the query and p->copy is set; -1 with err for a
 * COPY Strata does not do; 0 otherwise. */
static int copy_statement(pportal *p, size_t *base_chars, pgwire_error *err)
{
    char w[256];
    size_t i = 0;
    if (!next_word(p->sql, p->n, &i, w, sizeof w) || strcmp(w, "copy")) return 0;
    while (i < p->n && isspace((unsigned char)p->sql[i])) i++;
    const char *qs = NULL;
    size_t qn = 0;
    st_buf sel = {0};
    if (i < p->n && p->sql[i] == '(') {
        size_t k = i + 1;
        int depth = 1;
        while (k < p->n && depth) {
            size_t j = pgwire_skip_quoted(p->sql, p->n, k);
            if (j > k) {
                k = j;
                continue;
            }
            if (p->sql[k] == '(') depth++;
            else if (p->sql[k] == ')') depth--;
            k++;
        }
        if (depth) return pgwire_fail(err, "42601", "syntax error at end of input: COPY (query) is not closed");
        qs = p->sql + i + 1;
        qn = k - i - 2;
        for (size_t m = 0; m <= i; m++) *base_chars += ((uint8_t)p->sql[m] & 0xc0) != 0x80;
        i = k;
    } else {
        /* a table, and maybe its columns */
        size_t t0 = i;
        if (!next_word(p->sql, p->n, &i, w, sizeof w)) return pgwire_fail(err, "42601", "syntax error in COPY");
        st_buf_printf(&sel, "SELECT ");
        size_t save = i;
        char col[256];
        if (next_word(p->sql, p->n, &i, col, sizeof col) && !strcmp(col, "(")) {
            bool firstcol = true;
            while (next_word(p->sql, p->n, &i, col, sizeof col) && strcmp(col, ")")) {
                if (!strcmp(col, ",")) continue;
                if (!firstcol) st_buf_put(&sel, ", ", 2);
                st_buf_putc(&sel, '"');
                for (const char *q = col; *q; q++) { /* a quote inside is doubled */
                    if (*q == '"') st_buf_putc(&sel, '"');
                    st_buf_putc(&sel, (uint8_t)*q);
                }
                st_buf_putc(&sel, '"');
                firstcol = false;
            }
        } else {
            i = save;
            st_buf_putc(&sel, '*');
        }
        st_buf_printf(&sel, " FROM %.*s", (int)(save - t0), p->sql + t0);
        qs = (const char *)sel.p;
        qn = sel.len;
    }
    int rc = 0;
    char copy_delim = 0, nul[64] = "\\N";
    bool csv = false, header = false, nul_set = false;
    if (!next_word(p->sql, p->n, &i, w, sizeof w) || strcmp(w, "to")) {
        rc = pgwire_fail(err, "0A000", "COPY FROM is not supported by Strata: write with line protocol or "
                                        "remote_write");
        goto out;
    }
    if (!next_word(p->sql, p->n, &i, w, sizeof w) || strcmp(w, "stdout")) {
        rc = pgwire_fail(err, "0A000", "COPY to a file is not supported: COPY ... TO STDOUT (psql's \\copy)");
        goto out;
    }
    while (next_word(p->sql, p->n, &i, w, sizeof w)) {
        if (!strcmp(w, "with") || !strcmp(w, "(") || !strcmp(w, ")") || !strcmp(w, ",") || !strcmp(w, "as") ||
            !strcmp(w, ";"))
            continue;
        if (!strcmp(w, "csv")) csv = true;
        else if (!strcmp(w, "binary")) {
            rc = pgwire_fail(err, "0A000", "COPY BINARY is not supported: use text or csv");
            goto out;
        } else if (!strcmp(w, "format")) {
            if (!next_word(p->sql, p->n, &i, w, sizeof w)) break;
            if (!strcmp(w, "csv")) csv = true;
            else if (strcmp(w, "text")) {
                rc = pgwire_fail(err, "0A000", "COPY format %s is not supported: text or csv", w);
                goto out;
            }
        } else if (!strcmp(w, "header")) {
            header = true;
            size_t save = i;
            if (next_word(p->sql, p->n, &i, w, sizeof w) &&
                (!strcmp(w, "false") || !strcmp(w, "off") || !strcmp(w, "0")))
                header = false;
            else if (strcmp(w, "true") && strcmp(w, "on") && strcmp(w, "1"))
                i = save;
        } else if (!strcmp(w, "delimiter")) {
            char d[8];
            size_t save = i;
            if (!next_word(p->sql, p->n, &i, w, sizeof w) || strcmp(w, "as")) i = save;
            if (!copy_literal(p->sql, p->n, &i, d, sizeof d) || strlen(d) != 1) {
                rc = pgwire_fail(err, "0A000", "COPY delimiter must be a single one-byte character");
                goto out;
            }
            copy_delim = d[0];
        } else if (!strcmp(w, "null")) {
            size_t save = i;
            if (!next_word(p->sql, p->n, &i, w, sizeof w) || strcmp(w, "as")) i = save;
            if (!copy_literal(p->sql, p->n, &i, nul, sizeof nul)) {
                rc = pgwire_fail(err, "42601", "COPY NULL wants a string");
                goto out;
            }
            nul_set = true;
        } else {
            rc = pgwire_fail(err, "0A000", "COPY option %s is not supported", w);
            goto out;
        }
    }
    p->copy = true;
    p->csv = csv;
    p->header = header && csv;
    p->delim = copy_delim ? copy_delim : csv ? ',' : '\t';
    p->null_str = st_arena_strndup(p->a, csv && !nul_set ? "" : nul, strlen(csv && !nul_set ? "" : nul));
    p->sql = st_arena_strndup(p->a, qs, qn);
    p->n = qn;
out:
    st_buf_free(&sel);
    return rc;
}

/* Opens the answer of a portal: a local result or an engine cursor. 0, or
 * fills err. base_chars: where the statement begins in the client's text. */
int pgwire_portal_open(pgconn *c, pportal *p, size_t base_chars, pgwire_error *err)
{
    if (p->state) return 0;
    p->state = 1;
    memset(&p->res, 0, sizeof p->res);
    int cs = copy_statement(p, &base_chars, err);
    if (cs < 0) {
        p->state = 2;
        return -1;
    }
    cs = cursor_statement(c, p, base_chars, err);
    if (cs) {
        if (cs < 0) p->state = 2;
        return cs < 0 ? -1 : 0;
    }
    pgwire_kind k = pgwire_catalog_answer(&c->sess, p->sql, p->n, &p->res, err);
    if (k == PGWIRE_EMPTY) {
        p->empty = true;
        return 0;
    }
    if (k == PGWIRE_LOCAL) {
        p->local = true;
        if (err->code[0]) {
            p->state = 2;
            return -1;
        }
        if (p->res.action == PGWIRE_ACT_DEALLOCATE_ALL) pgwire_close_all_stmts(c);
        else if (p->res.action == PGWIRE_ACT_DEALLOCATE) pgwire_close_stmt(c, p->res.action_name);
        return 0;
    }
    const flags *f = c->srv->f;
    p->budget = (scan_budget){.max_samples = f ? f->query_max_samples : 0, .cancelled = conn_cancelled,
                              .cancel_ctx = c};
    int64_t tmo = query_timeout(c);
    if (tmo > 0) p->budget.deadline_ns = st_mono_ns() + tmo;
    scan_budget_init(&p->budget);
    sql_run_opts o = {.s = c->srv->s, .db = c->sess.db, .max_rows = f ? f->sql_max_rows : 0,
                      .max_result_rows = f ? f->sql_max_result_rows : 0, .budget = &p->budget,
                      .pool = c->srv->pool, .threads = f ? f->query_threads : 0,
                      .params = p->params, .nparams = p->nparams, .may_read = c->sess.may_read,
                      .may_ctx = c->sess.may_ctx};
    st_err e = {0};
    sql_error where = {0};
    int rc = sql_cursor_open(&o, p->sql, p->n, &p->cur, &e, &where);
    if (rc == ST_EDENIED && c->srv->auth) auth_denied(c->srv->auth, AUTH_FRONT_POSTGRES, AUTH_READ);
    /* an untyped parameter taken for a number where the statement wants
     * text (note = $1 with '12'): try it as the text it was, keeping each
     * change that moves the error later in the statement (the planner checks
     * from left to right), until the statement plans or nothing helps */
    for (size_t i = 0, tries = 0; rc == ST_EINVAL && !where.line && p->guessed && i < p->nparams && tries < 16; i++) {
        if (!p->guessed[i].p) continue;
        tries++;
        sql_value was = p->params[i];
        p->params[i] = sqlv_str(p->guessed[i]);
        st_err e2 = {0};
        sql_error w2 = {0};
        sql_cursor *c2 = NULL;
        int rc2 = sql_cursor_open(&o, p->sql, p->n, &c2, &e2, &w2);
        if (rc2 == 0) {
            p->cur = c2;
            rc = 0;
            break;
        }
        unsigned l1 = 0, c1 = 0, l2 = 0, cc2 = 0;
        sscanf(e.msg, "line %u:%u:", &l1, &c1);
        sscanf(e2.msg, "line %u:%u:", &l2, &cc2);
        if (rc2 == ST_EINVAL && (l2 > l1 || (l2 == l1 && cc2 > c1))) e = e2; /* progress: keep it */
        else p->params[i] = was;
    }
    if (rc) {
        p->cur = NULL;
        p->state = 2;
        rc = scan_budget_error(&p->budget, rc, &e);
        pgwire_engine_error(rc, &e, &where, p->sql, p->n, base_chars, err);
        return -1;
    }
    p->ncols = sql_cursor_ncols(p->cur);
    p->colnames = st_arena_alloc(p->a, (p->ncols + 1) * sizeof *p->colnames);
    p->coltypes = st_arena_alloc(p->a, p->ncols + 1);
    for (size_t i = 0; i < p->ncols; i++) {
        st_slice n = sql_cursor_colname(p->cur, i);
        p->colnames[i] = st_slice_of(st_arena_strndup(p->a, n.p, n.n), n.n);
        p->coltypes[i] = (uint8_t)sql_cursor_coltype(p->cur, i);
    }
    return 0;
}

static size_t portal_ncols(const pportal *p)
{
    if (p->move) return 0;
    if (p->fetch) return p->target ? portal_ncols(p->target) : 0;
    if (p->empty) return 0;
    if (p->local) return p->res.rows ? p->res.ncols : 0;
    return p->ncols;
}

bool pgwire_portal_rows(const pportal *p)
{
    if (p->copy) return false; /* CopyOutResponse, not RowDescription */
    if (p->fetch) return p->target != NULL;
    if (p->move) return false;
    return !p->empty && (p->local ? p->res.rows : p->colnames != NULL);
}

/* A FETCH answers in the cursor's columns and, unless Bind asked for
 * formats, the cursor's formats (text, or binary for DECLARE BINARY). */
static const pportal *source_of(const pportal *p) { return p->fetch && p->target ? p->target : p; }

static uint32_t portal_type(const pportal *p, size_t i)
{
    p = source_of(p);
    return p->local ? p->res.types[i] : pgwire_oid_of((sql_vtype)p->coltypes[i]);
}

static const int16_t *formats_of(const pportal *p, size_t *n)
{
    const pportal *s = p->nfmts ? p : source_of(p);
    *n = s->nfmts;
    return s->fmts;
}

static int fmt_of(const int16_t *fmts, size_t nfmts, size_t i)
{
    if (!nfmts) return 0;
    return nfmts == 1 ? fmts[0] : fmts[i];
}

void pgwire_send_row_description(pgconn *c, const pportal *p)
{
    size_t nc = portal_ncols(p), nf;
    const int16_t *fmts = formats_of(p, &nf);
    const pportal *src = source_of(p);
    size_t at = pgwire_msg_begin(&c->out, 'T');
    pgwire_put16(&c->out, (int)nc);
    for (size_t i = 0; i < nc; i++) {
        if (src->local) {
            pgwire_putstr(&c->out, src->res.names[i]);
        } else {
            st_slice n = src->colnames[i];
            st_buf_put(&c->out, n.p, n.n);
            st_buf_putc(&c->out, 0);
        }
        uint32_t oid = portal_type(p, i);
        pgwire_put32(&c->out, 0);     /* not a column of a table */
        pgwire_put16(&c->out, 0);
        pgwire_put32(&c->out, oid);
        pgwire_put16(&c->out, pgwire_size_of(oid));
        pgwire_put32(&c->out, 0xffffffffu); /* no type modifier */
        pgwire_put16(&c->out, fmt_of(fmts, nf, i));
    }
    pgwire_msg_end(&c->out, at);
}

int pgwire_check_formats(const pportal *p, pgwire_error *err)
{
    size_t nc = portal_ncols(p);
    if (p->nfmts > 1 && p->nfmts != nc) {
        pgwire_fail(err, "08P01", "bind message has %zu result formats but query has %zu columns",
                 p->nfmts, nc);
        return -1;
    }
    for (size_t i = 0; i < p->nfmts; i++)
        if (p->fmts[i] != 0 && p->fmts[i] != 1) {
            pgwire_fail(err, "22023", "unsupported format code: %d", p->fmts[i]);
            return -1;
        }
    return 0;
}

/* One field of a COPY line: text format escapes backslash, newline,
 * carriage return, tab and the delimiter; CSV quotes a field holding the
 * delimiter, a quote, CR or LF, or equal to the NULL string. */
static void copy_field(st_buf *b, const pportal *p, const char *v, size_t n)
{
    if (p->csv) {
        bool quote = n == 0 ? !*p->null_str : strlen(p->null_str) == n && !memcmp(v, p->null_str, n);
        for (size_t i = 0; i < n && !quote; i++)
            quote = v[i] == p->delim || v[i] == '"' || v[i] == '\n' || v[i] == '\r';
        if (!quote) {
            st_buf_put(b, v, n);
            return;
        }
        st_buf_putc(b, '"');
        for (size_t i = 0; i < n; i++) {
            if (v[i] == '"') st_buf_putc(b, '"');
            st_buf_putc(b, (uint8_t)v[i]);
        }
        st_buf_putc(b, '"');
        return;
    }
    for (size_t i = 0; i < n; i++) {
        char ch = v[i];
        if (ch == '\\') st_buf_put(b, "\\\\", 2);
        else if (ch == '\n') st_buf_put(b, "\\n", 2);
        else if (ch == '\r') st_buf_put(b, "\\r", 2);
        else if (ch == '\t') st_buf_put(b, "\\t", 2);
        else if (ch == p->delim) {
            st_buf_putc(b, '\\');
            st_buf_putc(b, (uint8_t)ch);
        } else st_buf_putc(b, (uint8_t)ch);
    }
}

/* Turns the DataRow just written at c->out[at - 1 ..] (text cells) into a
 * CopyData line. */
static void copy_line(pgconn *c, const pportal *p, size_t at)
{
    st_buf line = {0};
    rd r = {c->out.p + at + 4, c->out.len - at - 4, 0, false};
    int nc = pgwire_get16(&r);
    for (int i = 0; i < nc; i++) {
        if (i) st_buf_putc(&line, (uint8_t)p->delim);
        int32_t l = pgwire_get32(&r);
        if (l < 0) {
            st_buf_put(&line, p->null_str, strlen(p->null_str));
            continue;
        }
        copy_field(&line, p, (const char *)r.p + r.i, (size_t)l);
        r.i += (size_t)l;
    }
    st_buf_putc(&line, '\n');
    c->out.len = at - 1;
    size_t m = pgwire_msg_begin(&c->out, 'd');
    st_buf_put(&c->out, line.p, line.len);
    pgwire_msg_end(&c->out, m);
    st_buf_free(&line);
}

/* Sends up to max (0 = all) rows of an open portal as DataRows in the
 * formats fmts (none when discard: MOVE). 1 when max was reached, 0 at the
 * end of the answer (the portal is then done), or -1 with err filled. */
static int rows_out(pgconn *c, pportal *p, const int16_t *fmts, size_t nfmts, uint64_t max, bool discard,
                    size_t base_chars, pgwire_error *err, uint64_t *sent)
{
    size_t nc = portal_ncols(p);
    *sent = 0;
    int64_t tmo = query_timeout(c);
    if (!p->local && tmo > 0) p->budget.deadline_ns = st_mono_ns() + tmo;
    while (p->state == 1) {
        if (max && *sent == max) return 1;
        size_t at = pgwire_msg_begin(&c->out, 'D');
        pgwire_put16(&c->out, (int)nc);
        if (p->local) {
            if (p->res_row == p->res.nrows) {
                c->out.len = at - 1;
                p->state = 2;
                break;
            }
            rd r = {p->res.cells.p, p->res.cells.len, p->res_off, false};
            for (size_t i = 0; i < nc; i++) {
                int32_t l = pgwire_get32(&r);
                if (l < 0) {
                    pgwire_put32(&c->out, 0xffffffffu);
                    continue;
                }
                const char *cp = (const char *)r.p + r.i;
                r.i += (size_t)l;
                if (fmt_of(fmts, nfmts, i) == 1) {
                    size_t lat = c->out.len;
                    pgwire_put32(&c->out, 0);
                    pgwire_put_local_binary(&c->out, p->res.types[i], cp, (size_t)l);
                    uint32_t vl = (uint32_t)(c->out.len - lat - 4);
                    c->out.p[lat] = (uint8_t)(vl >> 24), c->out.p[lat + 1] = (uint8_t)(vl >> 16),
                    c->out.p[lat + 2] = (uint8_t)(vl >> 8), c->out.p[lat + 3] = (uint8_t)vl;
                } else {
                    pgwire_put32(&c->out, (uint32_t)l);
                    st_buf_put(&c->out, cp, (size_t)l);
                }
            }
            p->res_off = r.i;
            p->res_row++;
        } else {
            const sql_value *row;
            st_err e = {0};
            int rc = sql_cursor_next(p->cur, &row, &e);
            if (rc <= 0) {
                c->out.len = at - 1;
                p->state = 2;
                if (rc < 0) {
                    rc = scan_budget_error(&p->budget, rc, &e);
                    pgwire_engine_error(rc, &e, NULL, p->sql, p->n, base_chars, err);
                    return -1;
                }
                break;
            }
            for (size_t i = 0; i < nc; i++) {
                if (row[i].null) {
                    pgwire_put32(&c->out, 0xffffffffu);
                    continue;
                }
                size_t lat = c->out.len;
                pgwire_put32(&c->out, 0);
                if (fmt_of(fmts, nfmts, i) == 1) pgwire_put_binary(&c->out, &row[i]);
                else pgwire_put_text(&c->out, &row[i]);
                uint32_t vl = (uint32_t)(c->out.len - lat - 4);
                c->out.p[lat] = (uint8_t)(vl >> 24), c->out.p[lat + 1] = (uint8_t)(vl >> 16),
                c->out.p[lat + 2] = (uint8_t)(vl >> 8), c->out.p[lat + 3] = (uint8_t)vl;
            }
        }
        if (discard) c->out.len = at - 1;
        else if (p->copy) copy_line(c, p, at);
        else pgwire_msg_end(&c->out, at);
        (*sent)++;
        if (c->out.len >= OUT_FLUSH && pgwire_flush_out(c)) return -1;
    }
    if (p->cur) { /* done: release what the cursor holds now */
        sql_cursor_close(p->cur);
        p->cur = NULL;
    }
    return 0;
}

/* Runs a portal for up to max rows (0 = all): DataRows, then
 * CommandComplete, PortalSuspended or EmptyQueryResponse. 0, or fills err
 * (the portal is then done). */
int pgwire_portal_run(pgconn *c, pportal *p, uint64_t max, size_t base_chars, pgwire_error *err)
{
    if (pgwire_portal_open(c, p, base_chars, err)) return -1;
    if (pgwire_check_formats(p, err)) {
        p->state = 2;
        return -1;
    }
    if (p->empty) {
        pgwire_send_simple(c, 'I');
        p->state = 2;
        return 0;
    }
    uint64_t sent = 0;
    char tag[64];
    if (p->fetch || p->move) {
        pportal *t = p->target;
        p->state = 2;
        if (!t) return pgwire_fail(err, "34000", "cursor \"%s\" does not exist", "(closed)");
        size_t nf;
        const int16_t *fmts = formats_of(p, &nf);
        int r = t->state == 1 ? rows_out(c, t, fmts, nf, p->fetch_n, p->move, base_chars, err, &sent) : 0;
        if (r < 0) return -1;
        snprintf(tag, sizeof tag, "%s %" PRIu64, p->fetch ? "FETCH" : "MOVE", sent);
        pgwire_send_complete(c, tag);
        return 0;
    }
    if (p->local && !p->res.rows) {
        pgwire_send_complete(c, p->res.tag);
        if (p->state != 2 && p->res.action == PGWIRE_ACT_REPORT)
            pgwire_send_param_status(c, p->res.action_name, pgwire_setting_get(&c->sess, p->res.action_name));
        p->state = 2;
        return 0;
    }
    if (p->copy && p->state == 1 && !p->empty) {
        /* CopyOutResponse: text, every column text; a CSV header line first */
        size_t nc = portal_ncols(p);
        size_t at = pgwire_msg_begin(&c->out, 'H');
        st_buf_putc(&c->out, 0);
        pgwire_put16(&c->out, (int)nc);
        for (size_t i = 0; i < nc; i++) pgwire_put16(&c->out, 0);
        pgwire_msg_end(&c->out, at);
        if (p->header) {
            at = pgwire_msg_begin(&c->out, 'd');
            for (size_t i = 0; i < nc; i++) {
                if (i) st_buf_putc(&c->out, (uint8_t)p->delim);
                st_slice nm = p->local ? st_slice_cstr(p->res.names[i]) : p->colnames[i];
                copy_field(&c->out, p, nm.p, nm.n);
            }
            st_buf_putc(&c->out, '\n');
            pgwire_msg_end(&c->out, at);
        }
        int r = rows_out(c, p, NULL, 0, 0, false, base_chars, err, &sent);
        if (r < 0) return -1;
        pgwire_send_simple(c, 'c');
        snprintf(tag, sizeof tag, "COPY %" PRIu64, sent);
        pgwire_send_complete(c, tag);
        return 0;
    }
    int r = rows_out(c, p, p->fmts, p->nfmts, max, false, base_chars, err, &sent);
    if (r < 0) return -1;
    if (r == 1) {
        pgwire_send_simple(c, 's');
        return c->dead ? -1 : 0;
    }
    if (p->local && p->res.tag[0]) snprintf(tag, sizeof tag, "%s", p->res.tag);
    else snprintf(tag, sizeof tag, "SELECT %" PRIu64, sent);
    pgwire_send_complete(c, tag);
    return 0;
}

