/* tssched: Timestream's scheduled queries (CreateScheduledQuery and the
 * five other operations) and the thread that runs them on their schedules.
 *
 * A scheduled query is a catalog object (kind "tssq", db "": the
 * server's) named by its Name: the request's members as given, its state
 * (ENABLED or DISABLED), its creator (none with --auth off), its creation,
 * previous and next invocation times, its last run's summary and last 5
 * failed runs; all of it survives restarts.
 *
 * Schedules, in UTC:
 *  - rate(N minute|minutes|hour|hours|day|days) (singular for 1, plural
 *    above, as AWS wants): every N units from the minute of creation;
 *  - cron(minutes hours day-of-month month day-of-week year), AWS's six
 *    fields: values, names (JAN-DEC, SUN-SAT; 1 = Sunday), `*`, lists,
 *    ranges (FRI-MON wraps), steps (0/15, 1-30/2, or `*` with /5), `?` in
 *    exactly one of day-of-month and day-of-week, L, LW and nW in
 *    day-of-month, L, nL and n#k in day-of-week.
 *
 * A run opens the query with every @scheduled_runtime bound to the
 * invocation time, reading with its creator's READ grants, under the
 * server's --query-timeout (60 s when none) and sample limit. Each row
 * becomes records by the TargetConfiguration: dimensions from
 * DimensionMappings, the time from TimeColumn, then MultiMeasureMappings
 * (one MULTI record a row, named TargetMultiMeasureName or by the
 * MeasureNameColumn's value) or MixedMeasureMappings (a record per mapping;
 * with a MeasureNameColumn, only the mappings whose MeasureName is the
 * row's value). The records are written out as a WriteRecords body and
 * decoded by tsrec, so that they obey exactly WriteRecords' rules (names,
 * sizes, UTF-8, finite doubles), then stored by ts_ingest 100 at a time
 * (the target table's time window, measure types and versions apply).
 *
 * Every record has Version = the invocation time in milliseconds: a run for
 * a later invocation replaces what an earlier one wrote at the same time
 * and dimensions, and running one invocation time again writes nothing new
 * (same version, same values: a no-op, counted as ingested). Running an
 * invocation time again after its results changed (late data) has its
 * changed records rejected: same version, other values.
 *
 * NULLs: a NULL dimension, time or MeasureNameColumn value fails the row's
 * records (counted, named in FailureReason). A NULL measure value is left
 * out of its MULTI record; a record without values is not written (no
 * failure). A run with failed records is a *_TRIGGER_FAILURE; its other
 * records are written. ExecutionStats: DataWrites counts the bytes of the
 * records written (as WriteRecords JSON), BytesMetered 16 a sample read.
 *
 * The scheduler is one thread, woken at the earliest NextInvocationTime of
 * the ENABLED queries and by Create, Update and Delete. A query that
 * missed invocations (a downtime) runs once, for the latest it missed.
 *
 * Access (--auth on): Create, Update, Delete and Execute need WRITE on the
 * target database, Describe READ; List shows the queries whose target the
 * caller may read. A query without a target needs the admin. A run writes
 * only while its creator still has WRITE on the target database.
 *
 * Unlike Timestream: no SNS notification nor S3 error report is sent (the
 * configurations are kept and answered back), ExecuteScheduledQuery runs
 * the query before it answers, KmsKeyId and Tags are kept, not used.
 */
#include <ctype.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <sys/random.h>
#include <time.h>

#include "sql/run.h"
#include "tscron.h"
#include "ts_int.h"
#include "tsrec.h"
#include "users.h"

#define OBJ "tssq"
#define NAME_MAX_LEN 64
#define QUERY_MAX_LEN 262144
#define BATCH 100
#define KEEP_FAILED 5
#define LIST_MAX 1000
#define TOKEN_NS (8LL * 3600 * ST_NS_PER_S) /* a ClientToken makes Create idempotent this long */
#define DEADLINE_NS (60LL * ST_NS_PER_S)     /* a run's, without --query-timeout */
#define NS_PER_MIN (60LL * ST_NS_PER_S)
#define WHY_MAX 512

/* The scheduler's thread, and what the operations share with it. */
static struct {
    pthread_mutex_t mu; /* guards thread, running, stop, changed */
    pthread_cond_t cv;  /* a query changed, or the thread must stop */
    pthread_t thread;
    bool running, changed;
    _Atomic bool stop;  /* written under mu, read anywhere */
    /* a query's object is read, changed and written by one at a time (a
     * run's summary against an UpdateScheduledQuery, say) */
    pthread_mutex_t save_mu;
} g = {.mu = PTHREAD_MUTEX_INITIALIZER, .cv = PTHREAD_COND_INITIALIZER, .save_mu = PTHREAD_MUTEX_INITIALIZER};

/* ------------------------------------------------------------ stored queries */

/* A scheduled query: the request's members as given (in) and its state. */
typedef struct sq {
    api_server *sv;
    const json_node *in;
    const char *name, *arn, *query, *token, *user, *state;
    const json_node *target, *last, *failed; /* TargetConfiguration, LastRunSummary, RecentlyFailedRuns */
    int64_t created, anchor, prev, next;     /* ns; 0: none */
} sq;

/* The request's members kept as given: Describe answers the first six. */
static const char *const kept[] = {"ScheduleConfiguration", "NotificationConfiguration", "TargetConfiguration",
                                   "ScheduledQueryExecutionRoleArn", "KmsKeyId", "ErrorReportConfiguration",
                                   "Tags", "ClientToken"};

static const char *jstr(st_arena *a, const json_node *o, const char *k)
{
    const json_node *v = json_tree_get(o, k);
    return v && v->kind == JSON_STRING ? st_arena_strndup(a, v->s.p, v->s.n) : NULL;
}

static int64_t jint(const json_node *o, const char *k)
{
    const json_node *v = json_tree_get(o, k);
    int64_t i = 0;
    return v && v->kind == JSON_NUMBER && json_parse_int64(v->s, &i) ? i : 0;
}

/* The TimestreamConfiguration's member k (DatabaseName, ...), or NULL. */
static const char *target_str(st_arena *a, const sq *q, const char *k)
{
    return jstr(a, json_tree_get(q->target, "TimestreamConfiguration"), k);
}

static int sq_load(api_server *sv, const char *name, st_arena *a, sq *q)
{
    char *text = NULL;
    memset(q, 0, sizeof *q);
    if (store_obj_get(sv->s, OBJ, "", name, &text, NULL)) return ST_ENOTFOUND;
    char *copy = st_arena_strndup(a, text, strlen(text));
    st_free(text);
    json_node *root;
    if (json_tree_parse(copy, strlen(copy), a, 32, &root, NULL) || root->kind != JSON_OBJECT) return ST_ECORRUPT;
    *q = (sq){.sv = sv, .in = root, .name = jstr(a, root, "Name"), .arn = jstr(a, root, "Arn"),
              .query = jstr(a, root, "QueryString"), .token = jstr(a, root, "ClientToken"),
              .user = jstr(a, root, "user"), .state = jstr(a, root, "State"),
              .target = json_tree_get(root, "TargetConfiguration"), .last = json_tree_get(root, "LastRunSummary"),
              .failed = json_tree_get(root, "RecentlyFailedRuns"), .created = jint(root, "created"),
              .anchor = jint(root, "anchor"), .prev = jint(root, "prev"), .next = jint(root, "next")};
    return q->name && q->arn && q->query && q->state ? 0 : ST_ECORRUPT;
}

/* ,"k":... members, each left out when absent. */
static void mem_str(st_buf *b, const char *k, const char *v)
{
    if (!v) return;
    st_buf_printf(b, ",\"%s\":", k);
    json_str(b, v, strlen(v));
}

static void mem_node(st_buf *b, const char *k, const json_node *v)
{
    if (!v || v->kind == JSON_NULL) return;
    st_buf_printf(b, ",\"%s\":", k);
    json_tree_write(b, v);
}

/* Date members are epoch seconds as JSON numbers (awsJson). */
static void mem_date(st_buf *b, const char *k, int64_t ns)
{
    if (ns)
        st_buf_printf(b, ",\"%s\":%" PRId64 ".%03" PRId64, k, (int64_t)(ns / ST_NS_PER_S),
                      (int64_t)(ns % ST_NS_PER_S / ST_NS_PER_MS));
}

static int sq_save(store *s, const sq *q, bool create, st_err *e)
{
    st_buf b = {0};
    PUTS(&b, "{\"Name\":");
    json_str(&b, q->name, strlen(q->name));
    mem_str(&b, "Arn", q->arn);
    mem_str(&b, "QueryString", q->query);
    mem_str(&b, "State", q->state);
    mem_str(&b, "user", q->user);
    for (size_t i = 0; i < sizeof kept / sizeof *kept; i++) mem_node(&b, kept[i], json_tree_get(q->in, kept[i]));
    mem_node(&b, "LastRunSummary", q->last);
    mem_node(&b, "RecentlyFailedRuns", q->failed);
    st_buf_printf(&b, ",\"created\":%" PRId64 ",\"anchor\":%" PRId64 ",\"prev\":%" PRId64 ",\"next\":%" PRId64 "}",
                  q->created, q->anchor, q->prev, q->next);
    st_buf_putc(&b, 0);
    int rc = store_obj_put(s, OBJ, "", q->name, (const char *)b.p, create, e);
    st_buf_free(&b);
    return rc;
}

/* q's schedule, parsed (it was checked when created). */
static bool sq_sched(const sq *q, tscron *s)
{
    const json_node *x = json_tree_get(json_tree_get(q->in, "ScheduleConfiguration"), "ScheduleExpression");
    char why[WHY_MAX];
    return x && x->kind == JSON_STRING && tscron_parse(x->s.p, x->s.n, s, why, sizeof why);
}

/* Wakes the scheduler: a query changed. */
static void notify(void)
{
    pthread_mutex_lock(&g.mu);
    g.changed = true;
    pthread_cond_broadcast(&g.cv);
    pthread_mutex_unlock(&g.mu);
}

/* ------------------------------------------------------------ the query */

/* Every @name outside the query's literals and comments must be
 * @scheduled_runtime, the one parameter Timestream binds. */
static bool params_ok(const char *q, char *why, size_t cap)
{
    for (const char *p = q; *p; p++) {
        if (*p == '\'' || *p == '"') { /* a literal or a quoted name ('' inside is a quote) */
            char quote = *p;
            for (p++; *p && !(*p == quote && p[1] != quote); p += 1 + (*p == quote)) {}
            if (!*p) return true; /* unterminated: the parser says so */
        } else if (p[0] == '-' && p[1] == '-') {
            while (p[1] && p[1] != '\n') p++;
        } else if (p[0] == '/' && p[1] == '*') {
            if (!(p = strstr(p + 2, "*/"))) return true;
            p++;
        } else if (*p == '?' || *p == '@') {
            const char *s = p + 1, *e = s;
            while (*p == '@' && (isalnum((unsigned char)*e) || *e == '_')) e++;
            if (*p == '@' && e - s == 17 && !strncasecmp(s, "scheduled_runtime", 17)) {
                p = e - 1;
                continue;
            }
            snprintf(why, cap, "unknown parameter %c%.*s: a scheduled query's only parameter is @scheduled_runtime", *p,
                     (int)(e - s > 64 ? 64 : e - s), s);
            return false;
        }
    }
    return true;
}

/* Whether the creator has priv (USERS_READ, USERS_WRITE) on db (with --auth on). */
static bool creator_may(api_server *sv, const char *user, const char *db, unsigned priv)
{
    return !auth_enabled(sv->auth) || (user && (users_privs(auth_users(sv->auth), user, db) & priv));
}

/* A run reads as its creator, with the creator's grants (ctx: the sq). */
static bool reader_may(void *ctx, const char *db)
{
    const sq *q = ctx;
    return creator_may(q->sv, q->user, db, USERS_READ);
}

/* A run's cancellation: the server is stopping. */
static bool stopping(void *ctx)
{
    (void)ctx;
    return atomic_load(&g.stop);
}

/* Opens q's query for runtime_ns (every @scheduled_runtime bound to it) as
 * its creator; budget: filled here, outlives the cursor. */
static int open_query(api_server *sv, const sq *q, st_arena *a, int64_t runtime_ns, scan_budget *budget,
                      sql_cursor **cur, st_err *e)
{
    sql_stmt *st;
    size_t n = strlen(q->query);
    *cur = NULL;
    int rc = sql_parse(q->query, n, a, &st, e);
    if (rc) return rc;
    if (st->kind != SQL_S_QUERY) return st_fail(e, ST_EINVAL, "a scheduled query must be a SELECT");
    sql_value *params = st_arena_alloc(a, (st->nparams + 1) * sizeof *params);
    for (size_t i = 0; i < st->nparams; i++) params[i] = (sql_value){.type = SQLT_TIMESTAMP, .u.i = runtime_ns};
    const flags *f = sv->f;
    *budget = (scan_budget){.max_samples = f->query_max_samples, .cancelled = stopping};
    scan_budget_init(budget);
    budget->deadline_ns = st_mono_ns() + (f->query_timeout > 0 ? f->query_timeout : DEADLINE_NS);
    sql_run_opts o = {.s = sv->s, .max_rows = f->sql_max_rows, .max_result_rows = f->sql_max_result_rows,
                      .budget = budget, .pool = sv->pool, .threads = f->query_threads, .params = params,
                      .nparams = st->nparams, .may_read = reader_may, .may_ctx = (void *)q};
    rc = sql_cursor_open(&o, q->query, n, cur, e, NULL);
    if (rc) *cur = NULL;
    return rc ? scan_budget_error(budget, rc, e) : 0;
}

/* ------------------------------------------------------------ mappings */

/* One value of a record: the column it comes from, its name and type. */
typedef struct tattr {
    size_t col;
    const char *name;
    tsrec_type type;
} tattr;

/* A record each row makes: MultiMeasureMappings' MULTI record, or one of
 * the MixedMeasureMappings. */
typedef struct tmeasure {
    const char *match;  /* the MeasureNameColumn value it is for; NULL: every row */
    const char *target; /* the record's measure name; NULL: the row's MeasureNameColumn value */
    tsrec_type type;    /* MULTI: the attrs; else attrs[0] is the value */
    tattr *attrs;
    size_t nattrs;
} tmeasure;

/* A TargetConfiguration resolved against the query's columns. */
typedef struct tplan {
    const char *db, *table;
    size_t time_col;
    long mname_col; /* -1: no MeasureNameColumn */
    size_t *dim_cols;
    const char **dim_names;
    size_t ndims;
    tmeasure *ms;
    size_t nms;
} tplan;

static bool type_of(const json_node *v, tsrec_type *out)
{
    for (int i = 0; v && v->kind == JSON_STRING && i <= TSREC_MULTI; i++)
        if (st_slice_eq(v->s, st_slice_cstr(tsrec_type_name((tsrec_type)i)))) {
            *out = (tsrec_type)i;
            return true;
        }
    return false;
}

/* Whether a column of SQL type t can give a measure value of type m. */
static bool type_fits(tsrec_type m, unsigned t)
{
    return (m == TSREC_DOUBLE && (t == SQLT_DOUBLE || t == SQLT_BIGINT)) || (m == TSREC_BIGINT && t == SQLT_BIGINT) ||
           (m == TSREC_VARCHAR && t == SQLT_VARCHAR) || (m == TSREC_BOOLEAN && t == SQLT_BOOLEAN) ||
           (m == TSREC_TIMESTAMP && t == SQLT_TIMESTAMP);
}

/* The query's column named v (a string; SQL's names ignore case), of type
 * want (SQLT_UNKNOWN: any); false with why. */
static bool column(sql_cursor *cur, const json_node *v, const char *what, unsigned want, size_t *out, char *why,
                   size_t cap)
{
    if (!v || v->kind != JSON_STRING) {
        snprintf(why, cap, "%s is required (a column of the query)", what);
        return false;
    }
    size_t n = sql_cursor_ncols(cur), at = n;
    for (size_t i = n; i-- > 0;) {
        st_slice cn = sql_cursor_colname(cur, i);
        if (cn.n == v->s.n && !strncasecmp(cn.p, v->s.p, cn.n)) at = i; /* the first one */
    }
    int vn = (int)(v->s.n > 128 ? 128 : v->s.n);
    bool ok = at < n && (want == SQLT_UNKNOWN || sql_cursor_coltype(cur, at) == want);
    if (at == n) snprintf(why, cap, "%s '%.*s' is not a column of the query's result", what, vn, v->s.p);
    else if (!ok)
        snprintf(why, cap, "%s '%.*s' is of type %s; it must be %s", what, vn, v->s.p,
                 sql_vtype_name(sql_cursor_coltype(cur, at)), sql_vtype_name(want));
    if (ok) *out = at;
    return ok;
}

/* A value's source column and type (of MeasureValueType mt) into t. */
static bool value_col(sql_cursor *cur, const json_node *mt, const json_node *src, const char *where, tattr *t,
                      char *why, size_t cap)
{
    char w[160];
    snprintf(w, sizeof w, "%s.SourceColumn", where);
    if (!column(cur, src, w, SQLT_UNKNOWN, &t->col, why, cap)) return false;
    unsigned ct = sql_cursor_coltype(cur, t->col);
    if (type_of(mt, &t->type) && type_fits(t->type, ct)) return true;
    snprintf(why, cap, "%s: column '%.*s' is of type %s, which MeasureValueType %.*s does not take (DOUBLE: double or "
                       "bigint; BIGINT, VARCHAR, BOOLEAN, TIMESTAMP: their own)",
             where, (int)src->s.n, src->s.p, sql_vtype_name(ct), mt && mt->kind == JSON_STRING ? (int)mt->s.n : 4,
             mt && mt->kind == JSON_STRING ? mt->s.p : "none");
    return false;
}

/* MultiMeasureAttributeMappings into m. */
static bool plan_attrs(sql_cursor *cur, st_arena *a, const json_node *list, const char *where, tmeasure *m, char *why,
                       size_t cap)
{
    if (!list || list->kind != JSON_ARRAY || list->n == 0 || list->n > TSREC_MAX_MULTI) {
        snprintf(why, cap, "%s.MultiMeasureAttributeMappings must list 1 to %d mappings", where, TSREC_MAX_MULTI);
        return false;
    }
    m->attrs = st_arena_alloc(a, list->n * sizeof *m->attrs);
    m->nattrs = list->n;
    for (size_t i = 0; i < list->n; i++) {
        const json_node *am = &list->items[i];
        tattr *t = &m->attrs[i];
        char w[128];
        snprintf(w, sizeof w, "%s.MultiMeasureAttributeMappings[%zu]", where, i);
        if (!value_col(cur, json_tree_get(am, "MeasureValueType"), json_tree_get(am, "SourceColumn"), w, t, why, cap))
            return false;
        t->name = jstr(a, am, "TargetMultiMeasureAttributeName");
        if (!t->name) t->name = jstr(a, am, "SourceColumn");
        for (size_t k = 0; k < i; k++)
            if (!strcmp(m->attrs[k].name, t->name)) {
                snprintf(why, cap, "%s: the attribute '%.128s' is mapped twice", where, t->name);
                return false;
            }
    }
    return true;
}

/* One of the MixedMeasureMappings; by_column: with a MeasureNameColumn. */
static bool plan_mixed(sql_cursor *cur, st_arena *a, const json_node *mm, size_t i, bool by_column, tmeasure *m,
                       char *why, size_t cap)
{
    char where[64];
    snprintf(where, sizeof where, "MixedMeasureMappings[%zu]", i);
    const json_node *mt = json_tree_get(mm, "MeasureValueType");
    const char *mname = jstr(a, mm, "MeasureName"), *target = jstr(a, mm, "TargetMeasureName");
    if (!type_of(mt, &m->type) || m->type == TSREC_TIMESTAMP || (by_column && !mname)) {
        snprintf(why, cap, "%s needs a MeasureValueType (BIGINT, BOOLEAN, DOUBLE, VARCHAR or MULTI)%s", where,
                 by_column ? " and, with a MeasureNameColumn, a MeasureName" : "");
        return false;
    }
    m->match = by_column ? mname : NULL;
    m->target = target ? target : mname ? mname : m->type == TSREC_MULTI ? NULL : jstr(a, mm, "SourceColumn");
    if (m->type == TSREC_MULTI && !m->target) {
        snprintf(why, cap, "%s: a MULTI mapping needs TargetMeasureName or MeasureName", where);
        return false;
    }
    if (m->type == TSREC_MULTI)
        return plan_attrs(cur, a, json_tree_get(mm, "MultiMeasureAttributeMappings"), where, m, why, cap);
    m->attrs = st_arena_alloc(a, sizeof *m->attrs);
    m->nattrs = 1;
    m->attrs[0].name = m->target;
    return value_col(cur, mt, json_tree_get(mm, "SourceColumn"), where, &m->attrs[0], why, cap);
}

/* The records of a row: exactly one of MultiMeasureMappings and
 * MixedMeasureMappings. */
static bool plan_measures(sql_cursor *cur, st_arena *a, const json_node *tc, tplan *p, char *why, size_t cap)
{
    const json_node *multi = json_tree_get(tc, "MultiMeasureMappings"), *mixed = json_tree_get(tc, "MixedMeasureMappings");
    multi = multi && multi->kind != JSON_NULL ? multi : NULL;
    mixed = mixed && mixed->kind != JSON_NULL ? mixed : NULL;
    if (!multi == !mixed || (mixed && (mixed->kind != JSON_ARRAY || mixed->n == 0))) {
        snprintf(why, cap, "exactly one of MultiMeasureMappings and MixedMeasureMappings (a list of at least one "
                           "mapping) must be given");
        return false;
    }
    if (mixed) {
        p->nms = mixed->n;
        p->ms = st_arena_alloc(a, mixed->n * sizeof *p->ms);
        memset(p->ms, 0, mixed->n * sizeof *p->ms);
        for (size_t i = 0; i < mixed->n; i++)
            if (!plan_mixed(cur, a, &mixed->items[i], i, p->mname_col >= 0, &p->ms[i], why, cap)) return false;
        return true;
    }
    p->nms = 1;
    p->ms = st_arena_alloc(a, sizeof *p->ms);
    /* with a MeasureNameColumn, its value names each record */
    *p->ms = (tmeasure){.type = TSREC_MULTI, .target = p->mname_col < 0 ? jstr(a, multi, "TargetMultiMeasureName") : NULL};
    if (!p->ms->target && p->mname_col < 0) {
        snprintf(why, cap, "MultiMeasureMappings.TargetMultiMeasureName is required without a MeasureNameColumn");
        return false;
    }
    return plan_attrs(cur, a, json_tree_get(multi, "MultiMeasureAttributeMappings"), "MultiMeasureMappings", p->ms,
                      why, cap);
}

/* A TargetConfiguration resolved against the open query's columns. */
static bool plan_target(const json_node *target, sql_cursor *cur, st_arena *a, tplan *p, char *why, size_t cap)
{
    const json_node *tc = json_tree_get(target, "TimestreamConfiguration");
    const json_node *mn = json_tree_get(tc, "MeasureNameColumn"), *dims = json_tree_get(tc, "DimensionMappings");
    size_t col;
    *p = (tplan){.db = jstr(a, tc, "DatabaseName"), .table = jstr(a, tc, "TableName"), .mname_col = -1};
    if (!column(cur, json_tree_get(tc, "TimeColumn"), "TimeColumn", SQLT_TIMESTAMP, &p->time_col, why, cap))
        return false;
    if (mn && mn->kind != JSON_NULL) {
        if (!column(cur, mn, "MeasureNameColumn", SQLT_VARCHAR, &col, why, cap)) return false;
        p->mname_col = (long)col;
    }
    if (!dims || dims->kind != JSON_ARRAY || dims->n == 0 || dims->n > TSREC_MAX_DIMS) {
        snprintf(why, cap, "DimensionMappings must list 1 to %d dimensions (a record needs one)", TSREC_MAX_DIMS);
        return false;
    }
    p->ndims = dims->n;
    p->dim_cols = st_arena_alloc(a, dims->n * sizeof *p->dim_cols);
    p->dim_names = st_arena_alloc(a, dims->n * sizeof *p->dim_names);
    for (size_t i = 0; i < dims->n; i++) {
        const json_node *d = &dims->items[i], *vt = json_tree_get(d, "DimensionValueType");
        char w[64];
        snprintf(w, sizeof w, "DimensionMappings[%zu].Name", i);
        if (!column(cur, json_tree_get(d, "Name"), w, SQLT_VARCHAR, &p->dim_cols[i], why, cap)) return false;
        p->dim_names[i] = jstr(a, d, "Name");
        bool twice = false;
        for (size_t k = 0; k < i; k++) twice |= !strcmp(p->dim_names[k], p->dim_names[i]);
        if (twice || !vt || vt->kind != JSON_STRING || !st_slice_eq(vt->s, st_slice_cstr("VARCHAR"))) {
            snprintf(why, cap, "DimensionMappings[%zu]: %s", i,
                     twice ? "the dimension is mapped twice" : "DimensionValueType must be VARCHAR");
            return false;
        }
    }
    return plan_measures(cur, a, tc, p, why, cap);
}

/* ------------------------------------------------------------ a run */

/* A run: its records under way, and what it did, for its summary. */
typedef struct run {
    api_server *sv;
    const tplan *p;     /* NULL: no target, rows are only counted */
    ts_table tt;
    st_arena *ba;       /* a batch's decoded records */
    st_buf body;        /* the batch as a WriteRecords body */
    size_t head;        /* its length before the first record */
    size_t nbatch;
    int64_t inv_ns, trigger_ns, exec_ms;
    uint64_t rows, ingested, failed, bytes, metered;
    int rc;             /* a failure that stops the run (storage, the query) */
    char why[WHY_MAX];  /* what failed first; empty: a success */
} run;

/* Notes the run's first failure; false. */
static bool run_fail(run *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static bool run_fail(run *r, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    if (!r->why[0]) vsnprintf(r->why, sizeof r->why, fmt, ap);
    va_end(ap);
    return false;
}

/* The batch into the table: decoded by WriteRecords' own rules, stored. */
static void flush(run *r)
{
    if (!r->nbatch || r->rc) return;
    PUTS(&r->body, "]}");
    tsrec_req req;
    ts_outcome out;
    st_err e = {0};
    int rc = tsrec_decode((const char *)r->body.p, r->body.len, r->ba, &req, &e);
    if (!rc) rc = ts_ingest(r->sv, r->ba, r->p->db, r->p->table, &r->tt, &req, &out, &e);
    if (rc) {
        r->rc = rc; /* this failure is the run's, over any before */
        snprintf(r->why, sizeof r->why, "the records could not be written: %s", api_client_message(rc, e.msg));
    } else {
        r->ingested += out.ingested;
        r->failed += out.nrejected;
        r->bytes += r->body.len - r->head;
        if (out.nrejected) run_fail(r, "a record was rejected: %s", out.rejected[0].reason);
    }
    r->body.len = r->head;
    r->nbatch = 0;
    st_arena_reset(r->ba);
}

/* A value as WriteRecords' text (a timestamp in ns, as the records' unit). */
static void put_value(st_buf *b, const sql_value *v)
{
    char t[40];
    if (v->type == SQLT_VARCHAR) {
        json_str(b, v->u.s.p, v->u.s.n);
        return;
    }
    if (v->type == SQLT_DOUBLE) snprintf(t, sizeof t, "%.17g", v->u.d); /* read back exactly */
    else if (v->type == SQLT_BOOLEAN) snprintf(t, sizeof t, "%s", v->u.b ? "true" : "false");
    else snprintf(t, sizeof t, "%" PRId64, v->u.i);
    json_str(b, t, strlen(t));
}

/* The record m makes of a row (its dimensions, time and measure name not
 * NULL), into the batch; nothing when all its values are NULL. */
static void add_record(run *r, const tmeasure *m, const sql_value *row, st_slice mname)
{
    size_t live = 0;
    for (size_t i = 0; i < m->nattrs; i++) live += !row[m->attrs[i].col].null;
    if (!live || (r->nbatch == BATCH && (flush(r), r->rc))) return;
    st_buf *b = &r->body;
    if (r->nbatch++) st_buf_putc(b, ',');
    PUTS(b, "{\"Dimensions\":[");
    for (size_t i = 0; i < r->p->ndims; i++) {
        if (i) st_buf_putc(b, ',');
        PUTS(b, "{\"Name\":");
        json_str(b, r->p->dim_names[i], strlen(r->p->dim_names[i]));
        PUTS(b, ",\"Value\":");
        put_value(b, &row[r->p->dim_cols[i]]);
        st_buf_putc(b, '}');
    }
    PUTS(b, "],\"MeasureName\":");
    json_str(b, mname.p, mname.n);
    st_buf_printf(b, ",\"Time\":\"%" PRId64 "\",\"TimeUnit\":\"NANOSECONDS\",\"Version\":%" PRId64
                     ",\"MeasureValueType\":\"%s\",",
                  row[r->p->time_col].u.i, (int64_t)(r->inv_ns / ST_NS_PER_MS), tsrec_type_name(m->type));
    if (m->type != TSREC_MULTI) {
        PUTS(b, "\"MeasureValue\":");
        put_value(b, &row[m->attrs[0].col]);
        st_buf_putc(b, '}');
        return;
    }
    PUTS(b, "\"MeasureValues\":[");
    for (size_t i = 0, k = 0; i < m->nattrs; i++) {
        const sql_value *v = &row[m->attrs[i].col];
        if (v->null) continue;
        if (k++) st_buf_putc(b, ',');
        PUTS(b, "{\"Name\":");
        json_str(b, m->attrs[i].name, strlen(m->attrs[i].name));
        st_buf_printf(b, ",\"Type\":\"%s\",\"Value\":", tsrec_type_name(m->attrs[i].type));
        put_value(b, v);
        st_buf_putc(b, '}');
    }
    PUTS(b, "]}");
}

/* The records of one row. */
static void add_row(run *r, const sql_value *row)
{
    const tplan *p = r->p;
    const char *null = NULL;
    for (size_t i = 0; i < p->ndims && !null; i++)
        if (row[p->dim_cols[i]].null) null = p->dim_names[i];
    if (!null && row[p->time_col].null) null = "TimeColumn";
    if (!null && p->mname_col >= 0 && row[p->mname_col].null) null = "MeasureNameColumn";
    if (null) {
        r->failed++;
        run_fail(r, "a row's %s is NULL: its records were not written", null);
        return;
    }
    st_slice rowname = p->mname_col >= 0 ? row[p->mname_col].u.s : (st_slice){0};
    size_t applied = 0;
    for (size_t i = 0; i < p->nms && !r->rc; i++) {
        const tmeasure *m = &p->ms[i];
        if (m->match && !st_slice_eq(rowname, st_slice_cstr(m->match))) continue;
        applied++;
        add_record(r, m, row, m->target ? st_slice_cstr(m->target) : rowname);
    }
    if (!applied && !r->rc) {
        r->failed++;
        run_fail(r, "no MixedMeasureMapping has the MeasureName '%.*s' of a row: it was not written",
                 (int)(rowname.n > 128 ? 128 : rowname.n), rowname.p);
    }
}

/* The rows of the open query into the target. */
static void run_rows(run *r, sql_cursor *cur, scan_budget *bud)
{
    const sql_value *row;
    st_err e = {0};
    int rc = 0;
    while (!r->rc && (rc = sql_cursor_next(cur, &row, &e)) == 1) {
        r->rows++;
        if (r->p) add_row(r, row);
    }
    if (!r->rc && rc < 0) {
        r->rc = scan_budget_error(bud, rc, &e);
        snprintf(r->why, sizeof r->why, "the query failed: %s", api_client_message(r->rc, e.msg));
    }
    if (r->p) flush(r);
    r->metered = atomic_load(&bud->samples) * 16;
}

/* Runs q for r->inv_ns into its target; false when it could not start. */
static bool execute(run *r, const sq *q, st_arena *a)
{
    api_server *sv = r->sv;
    const char *db = target_str(a, q, "DatabaseName"), *table = target_str(a, q, "TableName");
    st_err e = {0};
    int ex = db && table && store_db_exists(sv->s, db) ? ts_table_get(sv, a, db, table, &r->tt, &e) : 0;
    if (db && !creator_may(sv, q->user, db, USERS_WRITE))
        return run_fail(r, "the scheduled query's creator (%s) may not write database %s", q->user ? q->user : "-", db);
    if (db && ex < 0) return run_fail(r, "%s", api_client_message(ex, e.msg));
    if (db && !ex) return run_fail(r, "the target table %s does not exist in database %s", table, db);
    scan_budget bud;
    sql_cursor *cur;
    int rc = open_query(sv, q, a, r->inv_ns, &bud, &cur, &e);
    if (rc) return run_fail(r, "the query failed: %s", api_client_message(rc, e.msg));
    tplan p;
    char why[WHY_MAX];
    if (q->target && !plan_target(q->target, cur, a, &p, why, sizeof why)) {
        sql_cursor_close(cur);
        return run_fail(r, "the TargetConfiguration no longer fits the query: %.400s", why);
    }
    r->p = q->target ? &p : NULL;
    r->ba = st_arena_new(64 * 1024);
    PUTS(&r->body, "{\"DatabaseName\":\"-\",\"TableName\":\"-\",\"Records\":["); /* ts_ingest is told them */
    r->head = r->body.len;
    run_rows(r, cur, &bud);
    sql_cursor_close(cur);
    st_buf_free(&r->body);
    st_arena_free(r->ba);
    return true;
}

/* The run's LastRunSummary, as Describe answers it. */
static const json_node *summary(st_arena *a, const run *r, bool manual)
{
    st_buf b = {0};
    st_buf_printf(&b, "{\"RunStatus\":\"%s_TRIGGER_%s\"", manual ? "MANUAL" : "AUTO", r->why[0] ? "FAILURE" : "SUCCESS");
    mem_date(&b, "InvocationTime", r->inv_ns);
    mem_date(&b, "TriggerTime", r->trigger_ns);
    st_buf_printf(&b, ",\"ExecutionStats\":{\"ExecutionTimeInMillis\":%" PRId64 ",\"DataWrites\":%" PRIu64
                      ",\"BytesMetered\":%" PRIu64 ",\"RecordsIngested\":%" PRIu64 ",\"QueryResultRows\":%" PRIu64 "}",
                  r->exec_ms, r->bytes, r->metered, r->ingested, r->rows);
    mem_str(&b, "FailureReason", r->why[0] ? r->why : NULL);
    st_buf_putc(&b, '}');
    char *text = st_arena_strndup(a, (const char *)b.p, b.len);
    st_buf_free(&b);
    json_node *n = NULL;
    return json_tree_parse(text, strlen(text), a, 8, &n, NULL) ? NULL : n;
}

/* Records a run in its query's object (unless the query went meanwhile):
 * its summary, a failure, and for a scheduled run the invocation times. */
static _Atomic uint64_t g_runs[2], g_sweeps; /* runs: succeeded, failed */

void ts_sched_metrics(st_buf *b)
{
    st_buf_printf(b, "# HELP strata_timestream_scheduled_runs_total Scheduled-query runs by outcome.\n"
                     "# TYPE strata_timestream_scheduled_runs_total counter\n"
                     "strata_timestream_scheduled_runs_total{result=\"success\"} %" PRIu64 "\n"
                     "strata_timestream_scheduled_runs_total{result=\"failure\"} %" PRIu64 "\n"
                     "# HELP strata_timestream_retention_sweeps_total Per-table retention sweeps run.\n"
                     "# TYPE strata_timestream_retention_sweeps_total counter\n"
                     "strata_timestream_retention_sweeps_total %" PRIu64 "\n",
                  atomic_load(&g_runs[0]), atomic_load(&g_runs[1]), atomic_load(&g_sweeps));
}

static void record_run(api_server *sv, const char *name, const run *r, bool manual)
{
    atomic_fetch_add(&g_runs[r->why[0] != 0], 1);
    st_arena *a = st_arena_new(8192);
    pthread_mutex_lock(&g.save_mu);
    sq q;
    tscron s;
    if (sq_load(sv, name, a, &q) == 0 && (q.last = summary(a, r, manual))) {
        if (r->why[0]) { /* the failed runs, the newest first */
            json_node *l = st_arena_alloc(a, sizeof *l);
            *l = (json_node){.kind = JSON_ARRAY, .items = st_arena_alloc(a, KEEP_FAILED * sizeof *l->items)};
            l->items[l->n++] = *q.last;
            for (size_t i = 0; q.failed && q.failed->kind == JSON_ARRAY && i < q.failed->n && l->n < KEEP_FAILED; i++)
                l->items[l->n++] = q.failed->items[i];
            q.failed = l;
        }
        if (!manual && sq_sched(&q, &s)) {
            int64_t now = st_now_ns(), next = tscron_next(&s, q.anchor, r->inv_ns > now ? r->inv_ns : now);
            q.prev = r->inv_ns;
            q.next = strcmp(q.state, "ENABLED") || next == INT64_MAX ? 0 : next;
        }
        st_err e = {0};
        if (sq_save(sv->s, &q, false, &e)) api_log(NULL, "error", e.msg);
    }
    pthread_mutex_unlock(&g.save_mu);
    st_arena_free(a);
}

/* Runs the named query for invocation time inv_ns and records the run. */
static void run_scheduled(api_server *sv, const char *name, int64_t inv_ns, bool manual)
{
    st_arena *a = st_arena_new(16384);
    sq q;
    if (sq_load(sv, name, a, &q) == 0) {
        run *r = st_arena_alloc(a, sizeof *r);
        *r = (run){.sv = sv, .inv_ns = inv_ns, .trigger_ns = st_now_ns()};
        int64_t t0 = st_mono_ns();
        execute(r, &q, a);
        r->exec_ms = (st_mono_ns() - t0) / ST_NS_PER_MS;
        if (!r->rc || !stopping(NULL)) /* one cut short by a shutdown stays due: it runs after the restart */
            record_run(sv, name, r, manual);
        if (r->why[0])
            api_log(NULL, "warn", st_arena_printf(a, "scheduled query %s (invocation %" PRId64 " ms) failed: %s", name,
                                                  (int64_t)(inv_ns / ST_NS_PER_MS), r->why));
    }
    st_arena_free(a);
}

/* ------------------------------------------------------------ the scheduler */

/* Runs every ENABLED query that is due (one that missed several, once, for
 * the latest); the time the next one is due (INT64_MAX: none). */
static int64_t run_due(api_server *sv)
{
    store_obj *objs;
    size_t n;
    store_obj_list(sv->s, OBJ, "", &objs, &n);
    int64_t wake = INT64_MAX;
    st_arena *a = st_arena_new(8192);
    for (size_t i = 0; i < n && !stopping(NULL); i++) {
        sq q;
        tscron s;
        st_arena_reset(a);
        if (sq_load(sv, objs[i].name, a, &q) || strcmp(q.state, "ENABLED") || !q.next || !sq_sched(&q, &s))
            continue;
        int64_t now = st_now_ns(), next = q.next;
        if (next <= now) {
            int64_t inv = tscron_latest(&s, q.anchor, next, now);
            run_scheduled(sv, objs[i].name, inv, false);
            now = st_now_ns();
            next = tscron_next(&s, q.anchor, inv > now ? inv : now);
        }
        if (next < wake) wake = next;
    }
    st_arena_free(a);
    store_obj_list_free(objs, n);
    return wake;
}

#define SWEEP_NS (3600LL * ST_NS_PER_S)

static void *scheduler(void *arg)
{
    api_server *sv = arg;
    int64_t sweep_at = 0; /* the tables' retention: at start, then hourly */
    pthread_mutex_lock(&g.mu);
    while (!g.stop) {
        g.changed = false;
        pthread_mutex_unlock(&g.mu);
        if (st_now_ns() >= sweep_at) {
            ts_retention_sweep(sv, st_now_ns());
            atomic_fetch_add(&g_sweeps, 1);
            sweep_at = st_now_ns() + SWEEP_NS;
        }
        int64_t wake = run_due(sv);
        if (sweep_at < wake) wake = sweep_at;
        pthread_mutex_lock(&g.mu);
        /* a minute at most, so that a jump of the clock is caught up with */
        int64_t now = st_now_ns(), until = wake < now + NS_PER_MIN ? wake : now + NS_PER_MIN;
        if (g.stop || g.changed || until <= now) continue;
        struct timespec ts = {.tv_sec = until / ST_NS_PER_S, .tv_nsec = until % ST_NS_PER_S};
        pthread_cond_timedwait(&g.cv, &g.mu, &ts);
    }
    pthread_mutex_unlock(&g.mu);
    return NULL;
}

int ts_sched_start(api_server *sv, st_err *e)
{
    pthread_mutex_lock(&g.mu);
    int rc = 0;
    if (!g.running) {
        g.stop = false;
        rc = pthread_create(&g.thread, NULL, scheduler, sv);
        g.running = rc == 0;
    }
    pthread_mutex_unlock(&g.mu);
    return rc ? st_fail(e, ST_EIO, "cannot start the scheduled-query thread: %s", strerror(rc)) : 0;
}

void ts_sched_stop(api_server *sv)
{
    (void)sv;
    pthread_mutex_lock(&g.mu);
    bool running = g.running;
    g.stop = true;
    g.running = false;
    pthread_cond_broadcast(&g.cv);
    pthread_mutex_unlock(&g.mu);
    if (running) pthread_join(g.thread, NULL);
}

/* ------------------------------------------------------------ operations */

/* {"Arn": arn}, or {} when arn is NULL. */
static void answer(ts_call *c, const char *arn)
{
    st_buf b = {0};
    PUTS(&b, "{");
    if (arn) {
        PUTS(&b, "\"Arn\":");
        json_str(&b, arn, strlen(arn));
    }
    st_buf_putc(&b, '}');
    ts_ok(c, &b);
}

/* The answer to a call that changed a query (rc: how the change went). */
static void answer_change(ts_call *c, int rc, const st_err *e, const char *arn)
{
    if (rc) {
        ts_fail_code(c, rc, rc == ST_ENOTFOUND ? "The scheduled query does not exist." : e->msg);
        return;
    }
    notify();
    answer(c, arn);
}

/* The member (needed or not) must hold k1 (and in it k2) of that kind;
 * false when answered. */
static bool shape_ok(ts_call *c, const char *member, const char *k1, const char *k2, json_kind kind, bool need)
{
    const json_node *o = json_tree_get(c->in, member);
    if (!o || o->kind == JSON_NULL) {
        if (need)
            ts_fail(c, 400, "ValidationException",
                    "1 validation error detected: Value null at '%s' failed to satisfy constraint: Member must not be "
                    "null", member);
        return !need;
    }
    const json_node *v = json_tree_get(o, k1);
    if (k2) v = json_tree_get(v, k2);
    if (v && v->kind == kind) return true;
    ts_fail(c, 400, "ValidationException", "%s.%s%s%s is required (%s)", member, k1, k2 ? "." : "", k2 ? k2 : "",
            kind == JSON_STRING ? "a string" : "an object");
    return false;
}

static bool name_ok(ts_call *c, const char *name)
{
    size_t n = strlen(name);
    bool ok = n >= 1 && n <= NAME_MAX_LEN;
    for (size_t i = 0; ok && i < n; i++)
        ok = isalnum((unsigned char)name[i]) || name[i] == '_' || name[i] == '.' || name[i] == '-';
    if (!ok)
        ts_fail(c, 400, "ValidationException",
                "1 validation error detected: Value '%.64s' at 'name' failed to satisfy constraint: Member must "
                "satisfy regular expression pattern: [a-zA-Z0-9_.-]+ and have length between 1 and %d",
                name, NAME_MAX_LEN);
    return ok;
}

/* CreateScheduledQuery's members and their shapes into q and s; false
 * when answered. */
static bool create_input(ts_call *c, sq *q, tscron *s)
{
    bool bad = false;
    q->sv = c->sv;
    q->in = c->in;
    q->name = ts_str(c, "Name", true, &bad);
    q->query = bad ? NULL : ts_str(c, "QueryString", true, &bad);
    if (!bad) (void)ts_str(c, "ScheduledQueryExecutionRoleArn", true, &bad);
    q->token = bad ? NULL : ts_str(c, "ClientToken", false, &bad);
    const char *kms = bad ? NULL : ts_str(c, "KmsKeyId", false, &bad), *what = NULL;
    const json_node *tags = json_tree_get(c->in, "Tags");
    if (bad) return false;
    if (!*q->query || strlen(q->query) > QUERY_MAX_LEN) what = "QueryString must be 1 to 262144 bytes long";
    else if (q->token && (strlen(q->token) < 32 || strlen(q->token) > 128)) what = "ClientToken must be 32 to 128 long";
    else if (kms && (!*kms || strlen(kms) > 2048)) what = "KmsKeyId must be 1 to 2048 characters long";
    else if (tags && tags->kind != JSON_NULL && (tags->kind != JSON_ARRAY || tags->n > 200))
        what = "Tags must be a list of at most 200 tags";
    if (what) ts_fail(c, 400, "ValidationException", "%s", what);
    if (what || !name_ok(c, q->name) ||
        !shape_ok(c, "ScheduleConfiguration", "ScheduleExpression", NULL, JSON_STRING, true) ||
        !shape_ok(c, "NotificationConfiguration", "SnsConfiguration", "TopicArn", JSON_STRING, true) ||
        !shape_ok(c, "ErrorReportConfiguration", "S3Configuration", "BucketName", JSON_STRING, true) ||
        !shape_ok(c, "TargetConfiguration", "TimestreamConfiguration", "DatabaseName", JSON_STRING, false) ||
        !shape_ok(c, "TargetConfiguration", "TimestreamConfiguration", "TableName", JSON_STRING, false))
        return false;
    q->target = json_tree_get(c->in, "TargetConfiguration");
    q->target = q->target && q->target->kind != JSON_NULL ? q->target : NULL;
    const json_node *x = json_tree_get(json_tree_get(c->in, "ScheduleConfiguration"), "ScheduleExpression");
    char why[WHY_MAX];
    if (tscron_parse(x->s.p, x->s.n, s, why, sizeof why)) return true;
    ts_fail(c, 400, "ValidationException", "Invalid ScheduleExpression '%.*s': %s", (int)(x->s.n > 256 ? 256 : x->s.n),
            x->s.p, why);
    return false;
}

/* The target table must exist (as Timestream's or as data); false when
 * answered. */
static bool target_exists(ts_call *c, const char *db, const char *table)
{
    ts_table tt;
    st_err e = {0};
    int ex = store_db_exists(c->sv->s, db) ? ts_table_get(c->sv, c->rq->arena, db, table, &tt, &e) : 0;
    if (ex < 0) ts_fail_code(c, ex, e.msg);
    else if (!ex) ts_fail(c, 400, "ValidationException", "The target table %s does not exist in database %s.", table, db);
    return ex > 0;
}

/* The query parses, plans with @scheduled_runtime bound and the caller's
 * grants, and its columns fit the target; false when answered. */
static bool query_ok(ts_call *c, const sq *q)
{
    char why[WHY_MAX];
    if (!params_ok(q->query, why, sizeof why)) {
        ts_fail(c, 400, "ValidationException", "Invalid query: %s", why);
        return false;
    }
    scan_budget bud;
    sql_cursor *cur;
    st_err e = {0};
    int rc = open_query(c->sv, q, c->rq->arena, st_now_ns(), &bud, &cur, &e);
    if (rc) { /* an unknown database is the query's fault: a ValidationException */
        ts_fail_code(c, rc == ST_ENOTFOUND ? ST_EINVAL : rc, st_arena_printf(c->rq->arena, "Invalid query: %s", e.msg));
        return false;
    }
    tplan p;
    bool ok = !q->target || plan_target(q->target, cur, c->rq->arena, &p, why, sizeof why);
    sql_cursor_close(cur);
    if (!ok) ts_fail(c, 400, "ValidationException", "Invalid TargetConfiguration: %s", why);
    return ok;
}

static const char *new_arn(ts_call *c, const char *name)
{
    uint64_t r[2];
    if (getrandom(r, sizeof r, GRND_NONBLOCK) != sizeof r) /* the clocks then: unique enough */
        r[0] = (uint64_t)st_now_ns(), r[1] = (uint64_t)st_mono_ns() * 0x9e3779b97f4a7c15ull;
    return st_arena_printf(c->rq->arena, "arn:aws:timestream:%s:000000000000:scheduled-query/%s-%016" PRIx64 "%016" PRIx64,
                           c->region, name, r[0], r[1]);
}

void ts_create_scheduled_query(ts_call *c)
{
    sq q = {0};
    tscron s;
    if (!create_input(c, &q, &s)) return;
    const char *db = target_str(c->rq->arena, &q, "DatabaseName"), *table = target_str(c->rq->arena, &q, "TableName");
    st_buf arn = {0};
    ts_arn_db(c, &arn, db ? db : "*");
    st_buf_putc(&arn, 0);
    bool may = ts_may(c, db ? db : "", db ? AUTH_WRITE : AUTH_ADMIN, (const char *)arn.p);
    st_buf_free(&arn);
    q.user = c->rq->user;
    if (!may || (q.target && !target_exists(c, db, table)) || !query_ok(c, &q)) return;
    q.state = "ENABLED";
    q.created = st_now_ns();
    q.anchor = q.created - q.created % NS_PER_MIN;
    q.next = tscron_next(&s, q.anchor, q.created);
    q.next = q.next == INT64_MAX ? 0 : q.next;
    q.arn = new_arn(c, q.name);
    st_err e = {0};
    pthread_mutex_lock(&g.save_mu);
    int rc = sq_save(c->sv->s, &q, true, &e);
    pthread_mutex_unlock(&g.save_mu);
    sq old;
    if (rc != ST_EEXIST)
        answer_change(c, rc, &e, q.arn);
    else if (q.token && sq_load(c->sv, q.name, c->rq->arena, &old) == 0 && old.token &&
             !strcmp(old.token, q.token) && q.created - old.created < TOKEN_NS)
        answer(c, old.arn); /* the same request again (its ClientToken): the query it made */
    else
        ts_fail(c, 409, "ConflictException", "A scheduled query with the name %s already exists.", q.name);
}

/* The query a ScheduledQueryArn names, checked for priv (READ or WRITE on
 * its target database; the admin for one without); false when answered. */
static bool find_query_arn(ts_call *c, const char *arn, auth_priv priv, sq *q)
{
    const char *tail = strstr(arn, ":scheduled-query/");
    const char *dash = tail ? strrchr(tail, '-') : NULL;
    if (strncmp(arn, "arn:", 4) || !strstr(arn, ":timestream:") || !dash || dash <= tail + 17) {
        ts_fail(c, 400, "ValidationException", "Invalid scheduled query ARN: %.256s", arn);
        return false;
    }
    tail += 17;
    int rc = sq_load(c->sv, st_arena_strndup(c->rq->arena, tail, (size_t)(dash - tail)), c->rq->arena, q);
    const char *own = rc ? NULL : strstr(q->arn, ":scheduled-query/");
    if (rc == ST_ECORRUPT) ts_fail(c, 500, "InternalServerException", "The scheduled query %.256s cannot be read.", arn);
    else if (!own || strcmp(own + 17, tail)) /* the region may differ: the name and id decide */
        ts_fail(c, 404, "ResourceNotFoundException", "The scheduled query %.256s does not exist.", arn);
    if (!own || strcmp(own + 17, tail)) return false;
    const char *db = target_str(c->rq->arena, q, "DatabaseName");
    if (!ts_may(c, db ? db : "", db ? priv : AUTH_ADMIN, q->arn)) return false;
    /* a change (run, enable, delete, tag) is its creator's or the admin's:
     * a run reads with the creator's grants, so another writer of the
     * target must not drive it */
    if (priv == AUTH_WRITE && auth_enabled(c->sv->auth) && q->user && *q->user &&
        (!c->rq->user || strcmp(q->user, c->rq->user)) &&
        !api_may(c->sv, c->rq, AUTH_FRONT_TIMESTREAM, "", AUTH_ADMIN)) {
        ts_fail(c, 403, "AccessDeniedException",
                "User: %s is not authorized to perform: timestream:%s on resource: %s (another user's scheduled query)",
                c->rq->user ? c->rq->user : "anonymous", c->op, q->arn);
        return false;
    }
    return true;
}

static bool find_query(ts_call *c, auth_priv priv, sq *q)
{
    bool bad = false;
    const char *arn = ts_str(c, "ScheduledQueryArn", true, &bad);
    return !bad && find_query_arn(c, arn, priv, q);
}

bool ts_sched_tags(ts_call *c, const char *arn, auth_priv priv, const json_node **tags)
{
    sq q;
    if (!find_query_arn(c, arn, priv, &q)) return false;
    *tags = json_tree_get(q.in, "Tags");
    return true;
}

bool ts_sched_set_tags(ts_call *c, const char *arn, const json_node *tags)
{
    pthread_mutex_lock(&g.save_mu);
    sq q;
    bool ok = find_query_arn(c, arn, AUTH_WRITE, &q);
    if (ok) {
        /* the stored members with Tags replaced */
        json_node *in = st_arena_alloc(c->rq->arena, sizeof *in);
        *in = *q.in;
        in->items = st_arena_alloc(c->rq->arena, (q.in->n + 1) * sizeof *in->items);
        in->keys = st_arena_alloc(c->rq->arena, (q.in->n + 1) * sizeof *in->keys);
        size_t k = 0;
        for (size_t i = 0; i < q.in->n; i++)
            if (!st_slice_eq(q.in->keys[i], st_slice_cstr("Tags"))) {
                in->keys[k] = q.in->keys[i];
                in->items[k++] = q.in->items[i];
            }
        in->keys[k] = st_slice_cstr("Tags");
        in->items[k++] = *tags;
        in->n = k;
        q.in = in;
        st_err e = {0};
        if (sq_save(c->sv->s, &q, false, &e)) {
            ts_fail_code(c, ST_EIO, e.msg);
            ok = false;
        }
    }
    pthread_mutex_unlock(&g.save_mu);
    return ok;
}

/* The members Describe and List have in common. */
static void put_head(st_buf *b, const sq *q)
{
    PUTS(b, "{\"Arn\":");
    json_str(b, q->arn, strlen(q->arn));
    mem_str(b, "Name", q->name);
    mem_date(b, "CreationTime", q->created);
    mem_str(b, "State", q->state);
    mem_date(b, "PreviousInvocationTime", q->prev);
    mem_date(b, "NextInvocationTime", q->next);
    mem_node(b, "ErrorReportConfiguration", json_tree_get(q->in, "ErrorReportConfiguration"));
}

void ts_describe_scheduled_query(ts_call *c)
{
    sq q;
    if (!find_query(c, AUTH_READ, &q)) return;
    st_buf b = {0};
    PUTS(&b, "{\"ScheduledQuery\":");
    put_head(&b, &q);
    mem_str(&b, "QueryString", q.query);
    for (size_t i = 0; i < 5; i++) mem_node(&b, kept[i], json_tree_get(q.in, kept[i]));
    mem_node(&b, "LastRunSummary", q.last);
    mem_node(&b, "RecentlyFailedRuns", q.failed);
    PUTS(&b, "}}");
    ts_ok(c, &b);
}

/* Whether the caller may see q in a list (READ on its target database). */
static bool sees(ts_call *c, const sq *q)
{
    const char *db = target_str(c->rq->arena, q, "DatabaseName");
    if (!auth_enabled(c->sv->auth)) return true;
    return db ? api_sees(c->sv, c->rq, db) : c->rq->user && users_is_admin(auth_users(c->sv->auth), c->rq->user);
}

static void put_listed(ts_call *c, st_buf *b, const sq *q)
{
    put_head(b, q);
    const char *db = target_str(c->rq->arena, q, "DatabaseName"), *table = target_str(c->rq->arena, q, "TableName");
    if (db && table) {
        PUTS(b, ",\"TargetDestination\":{\"TimestreamDestination\":{\"DatabaseName\":");
        json_str(b, db, strlen(db));
        PUTS(b, ",\"TableName\":");
        json_str(b, table, strlen(table));
        PUTS(b, "}}");
    }
    const json_node *st = json_tree_get(q->last, "RunStatus");
    if (st && st->kind == JSON_STRING) mem_node(b, "LastRunStatus", st);
    st_buf_putc(b, '}');
}

void ts_list_scheduled_queries(ts_call *c)
{
    const json_node *mr = json_tree_get(c->in, "MaxResults");
    int64_t max = LIST_MAX;
    bool bad = mr && mr->kind != JSON_NULL &&
               (mr->kind != JSON_NUMBER || !json_parse_int64(mr->s, &max) || max < 1 || max > LIST_MAX);
    if (bad) ts_fail(c, 400, "ValidationException", "MaxResults must be between 1 and %d", LIST_MAX);
    const char *from = bad ? NULL : ts_str(c, "NextToken", false, &bad); /* the name to start at */
    if (bad || (from && !name_ok(c, from))) return;
    store_obj *objs;
    size_t n, shown = 0;
    store_obj_list(c->sv->s, OBJ, "", &objs, &n);
    st_buf b = {0};
    PUTS(&b, "{\"ScheduledQueries\":[");
    const char *next = NULL;
    for (size_t i = 0; i < n && !next; i++) {
        sq q;
        if ((from && strcmp(objs[i].name, from) < 0) || sq_load(c->sv, objs[i].name, c->rq->arena, &q) || !sees(c, &q))
            continue;
        if (shown == (size_t)max) {
            next = q.name;
            break;
        }
        if (shown++) st_buf_putc(&b, ',');
        put_listed(c, &b, &q);
    }
    store_obj_list_free(objs, n);
    st_buf_putc(&b, ']');
    mem_str(&b, "NextToken", next);
    st_buf_putc(&b, '}');
    ts_ok(c, &b);
}

void ts_update_scheduled_query(ts_call *c)
{
    bool bad = false;
    const char *state = ts_str(c, "State", true, &bad);
    if (bad) return;
    bool enable = !strcmp(state, "ENABLED"), known = enable || !strcmp(state, "DISABLED");
    if (!known)
        ts_fail(c, 400, "ValidationException",
                "1 validation error detected: Value '%.64s' at 'state' failed to satisfy constraint: Member must "
                "satisfy enum value set: [ENABLED, DISABLED]",
                state);
    sq q;
    tscron s;
    if (!known || !find_query(c, AUTH_WRITE, &q)) return;
    st_err e = {0};
    pthread_mutex_lock(&g.save_mu);
    int rc = sq_load(c->sv, q.name, c->rq->arena, &q); /* as it is now, under the lock */
    if (!rc) {
        int64_t next = enable && sq_sched(&q, &s) ? tscron_next(&s, q.anchor, st_now_ns()) : 0;
        q.state = enable ? "ENABLED" : "DISABLED";
        q.next = next == INT64_MAX ? 0 : next;
        rc = sq_save(c->sv->s, &q, false, &e);
    }
    pthread_mutex_unlock(&g.save_mu);
    answer_change(c, rc, &e, NULL);
}

void ts_delete_scheduled_query(ts_call *c)
{
    sq q;
    if (!find_query(c, AUTH_WRITE, &q)) return;
    st_err e = {0};
    pthread_mutex_lock(&g.save_mu);
    int rc = store_obj_delete(c->sv->s, OBJ, "", q.name, &e);
    pthread_mutex_unlock(&g.save_mu);
    answer_change(c, rc, &e, NULL);
}

void ts_execute_scheduled_query(ts_call *c)
{
    /* InvocationTime: epoch seconds (awsJson's dates), to the millisecond */
    const json_node *v = json_tree_get(c->in, "InvocationTime");
    double d;
    sq q;
    if (!v || v->kind != JSON_NUMBER || json_parse_double(v->s.p, v->s.n, &d) || d < 0 || d > 9.2e9) {
        ts_fail(c, 400, "ValidationException", "InvocationTime is required: a date (epoch seconds) from 1970 to 2262");
    } else if (find_query(c, AUTH_WRITE, &q)) {
        /* run now, answered when done: LastRunSummary tells how it went */
        run_scheduled(c->sv, q.name, (int64_t)(d * 1000 + 0.5) * ST_NS_PER_MS, true);
        answer(c, NULL);
    }
}
