/* timestream: the dispatcher, errors, endpoints, databases, tables and tags
 * of Timestream's API (see timestream.h). */
#include "timestream.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/random.h>

#include "catalog.h"
#include "cred.h"
#include "scan.h"
#include "ts_int.h"

#define OBJ_DB "tsdb"
#define OBJ_TABLE "tstable"
#define ACCOUNT "000000000000"
#define TARGET_PREFIX "Timestream_20181101."
/* Timestream's defaults for a table created without RetentionProperties */
#define DEFAULT_MEM_HOURS 6
#define DEFAULT_MAG_DAYS 73000
#define LIST_MAX 20
#define TS_MAX_BODY (1 << 20)
/* what a table or database keeps of a request's members, at most */
#define PROPS_MAX (256 * 1024) /* 200 tags at their longest fit */

ts_state *ts_state_new(unsigned max_queries, uint64_t cache_bytes)
{
    ts_state *t = st_calloc(1, sizeof *t);
    pthread_mutex_init(&t->keys_mu, NULL);
    t->cache_bytes = cache_bytes;
    pthread_mutex_init(&t->mu, NULL);
    pthread_mutex_init(&t->write_mu, NULL);
    pthread_cond_init(&t->write_cv, NULL);
    t->max_queries = max_queries ? max_queries : 1;
    return t;
}

void ts_state_free(ts_state *t)
{
    if (!t) return;
    ts_queries_free(t);
    ts_keys_free(t);
    pthread_mutex_destroy(&t->keys_mu);
    st_free(t->newest_hash);
    st_free(t->newest_ns);
    for (size_t i = 0; i < t->nmtypes; i++) st_free(t->mtypes[i].key);
    st_free(t->mtypes);
    st_free(t->mindex);
    pthread_mutex_destroy(&t->mu);
    pthread_mutex_destroy(&t->write_mu);
    pthread_cond_destroy(&t->write_cv);
    st_free(t);
}

void api_timestream_metrics(api_server *sv, st_buf *b)
{
    ts_state *t = sv->ts;
    static const char *const names[] = {"success", "client_error", "throttled", "server_error"};
    st_buf_printf(b, "# HELP strata_timestream_calls_total Timestream API calls by outcome.\n"
                     "# TYPE strata_timestream_calls_total counter\n");
    for (int i = 0; i < 4; i++)
        st_buf_printf(b, "strata_timestream_calls_total{result=\"%s\"} %" PRIu64 "\n", names[i],
                      t ? atomic_load(&t->calls[i]) : 0);
    st_buf_printf(b, "# HELP strata_timestream_records_total Records of WriteRecords, ingested or rejected.\n"
                     "# TYPE strata_timestream_records_total counter\n"
                     "strata_timestream_records_total{result=\"ingested\"} %" PRIu64 "\n"
                     "strata_timestream_records_total{result=\"rejected\"} %" PRIu64 "\n",
                  t ? atomic_load(&t->records[0]) : 0, t ? atomic_load(&t->records[1]) : 0);
    ts_sched_metrics(b);
}

/* ------------------------------------------------------------ answers */

static uint64_t g_request_seed;

static void draw_request_seed(void)
{
    if (getrandom(&g_request_seed, sizeof g_request_seed, GRND_NONBLOCK) != sizeof g_request_seed)
        g_request_seed = (uint64_t)st_now_ns();
}

/* x-amzn-RequestId: a UUID-shaped id, unique in the process (a counter)
 * and across processes (a random start drawn once): no syscall a request. */
static void request_id(http_resp *rs)
{
    static _Atomic uint64_t seq;
    static pthread_once_t once = PTHREAD_ONCE_INIT;
    pthread_once(&once, draw_request_seed);
    uint64_t seed = g_request_seed;
    uint64_t n = atomic_fetch_add(&seq, 1), a = seed ^ (n * 0x9e3779b97f4a7c15ull), b = n;
    a ^= a >> 31;
    a *= 0xbf58476d1ce4e5b9ull;
    a ^= a >> 27;
    char id[40];
    snprintf(id, sizeof id, "%08x-%04x-%04x-%04x-%012llx", (unsigned)(a >> 32), (unsigned)(a >> 16) & 0xffff,
             (unsigned)a & 0xffff, (unsigned)(seed >> 48) & 0xffff, (unsigned long long)b & 0xffffffffffffull);
    http_set_header(rs, "x-amzn-RequestId", id);
}

static void fail_raw(http_resp *rs, int status, const char *code, const char *msg)
{
    rs->status = status;
    rs->content_type = "application/x-amz-json-1.0";
    rs->body.len = 0;
    st_buf_printf(&rs->body, "{\"__type\":\"" TS_ERR_PREFIX "%s\",\"message\":", code);
    json_str(&rs->body, msg, strlen(msg));
    PUTS(&rs->body, "}");
    request_id(rs);
    if (status == 429) http_set_header(rs, "Retry-After", "1");
}

void ts_fail(ts_call *c, int status, const char *code, const char *fmt, ...)
{
    char msg[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    fail_raw(c->rs, status, code, msg);
}

void ts_fail_code(ts_call *c, int code, const char *msg)
{
    const char *said = api_client_message(code, msg);
    switch (code) {
    case ST_EINVAL:
    case ST_ERANGE: ts_fail(c, 400, "ValidationException", "%s", said); break;
    case ST_ENOTFOUND: ts_fail(c, 404, "ResourceNotFoundException", "%s", said); break;
    case ST_EEXIST:
    case ST_ECONFLICT: ts_fail(c, 409, "ConflictException", "%s", said); break;
    case ST_EDENIED: ts_fail(c, 403, "AccessDeniedException", "%s", said); break;
    case ST_ELIMIT: ts_fail(c, 429, "ThrottlingException", "%s", said); break;
    case ST_ENOSPC: ts_fail(c, 503, "InternalServerException", "%s", said); break;
    default: ts_fail(c, 500, "InternalServerException", "%s", said); break;
    }
}

void ts_ok(ts_call *c, st_buf *b)
{
    c->rs->status = 200;
    c->rs->content_type = "application/x-amz-json-1.0";
    st_buf_free(&c->rs->body);
    c->rs->body = *b;
    *b = (st_buf){0};
    request_id(c->rs);
}

void ts_ok_empty(ts_call *c)
{
    st_buf b = {0};
    PUTS(&b, "{}");
    ts_ok(c, &b);
}

bool ts_may(ts_call *c, const char *db, auth_priv priv, const char *resource)
{
    if (api_may(c->sv, c->rq, AUTH_FRONT_TIMESTREAM, db, priv)) return true;
    ts_fail(c, 403, "AccessDeniedException", "User: %s is not authorized to perform: timestream:%s on resource: %s",
            c->rq->user ? c->rq->user : "anonymous", c->op, resource);
    return false;
}

const char *ts_str(ts_call *c, const char *member, bool required, bool *bad)
{
    const json_node *v = json_tree_get(c->in, member);
    if (v && v->kind == JSON_NULL) v = NULL;
    if (!v && required) {
        ts_fail(c, 400, "ValidationException",
                "1 validation error detected: Value null at '%c%s' failed to satisfy constraint: Member must not be "
                "null",
                member[0] + 32, member + 1);
        *bad = true;
        return NULL;
    }
    if (v && v->kind != JSON_STRING) {
        ts_fail(c, 400, "ValidationException", "%s must be a string", member);
        *bad = true;
        return NULL;
    }
    return v ? st_arena_strndup(c->rq->arena, v->s.p, v->s.n) : NULL;
}

void ts_arn_db(ts_call *c, st_buf *b, const char *db)
{
    st_buf_printf(b, "arn:aws:timestream:%s:" ACCOUNT ":database/%s", c->region, db);
}

void ts_arn_table(ts_call *c, st_buf *b, const char *db, const char *table)
{
    ts_arn_db(c, b, db);
    st_buf_printf(b, "/table/%s", table);
}

static void put_key(st_buf *b, const char *k) { st_buf_printf(b, "\"%s\":", k); }

static void put_str_member(st_buf *b, const char *k, const char *v)
{
    put_key(b, k);
    json_str(b, v, strlen(v));
}

/* Date-typed members are epoch seconds as JSON numbers (awsJson). */
static void put_date(st_buf *b, const char *k, int64_t ns)
{
    put_key(b, k);
    st_buf_printf(b, "%" PRId64 ".%03" PRId64, (int64_t)(ns / ST_NS_PER_S), (int64_t)((ns % ST_NS_PER_S) / ST_NS_PER_MS));
}

/* ------------------------------------------------------------ names */

/* Timestream's names: [a-zA-Z0-9_.-]+, up to 256 bytes; a Strata database
 * name has a narrower rule (catalog.h), which applies to databases. */
static bool name_ok(ts_call *c, const char *what, const char *name, bool is_db)
{
    size_t n = strlen(name);
    bool ok = n >= 3 && n <= 256;
    for (size_t i = 0; ok && i < n; i++) {
        char ch = name[i];
        ok = (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') || ch == '_' ||
             ch == '.' || ch == '-';
    }
    if (!ok) {
        ts_fail(c, 400, "ValidationException",
                "1 validation error detected: Value '%.256s' at '%s' failed to satisfy constraint: Member must "
                "satisfy regular expression pattern: [a-zA-Z0-9_.-]+ and have length between 3 and 256",
                name, what);
        return false;
    }
    st_err e = {0};
    if (is_db && catalog_name_valid(name, n, &e)) {
        ts_fail(c, 400, "ValidationException", "Strata's database names are narrower than Timestream's: %s", e.msg);
        return false;
    }
    return true;
}

/* ------------------------------------------------------------ databases */

typedef struct ts_db {
    int64_t created_ns, updated_ns;
    const char *kms;
    const json_node *tags;
    bool created_here; /* by CreateDatabase (the admin's): its retention follows its tables */
} ts_db;

static void db_props(ts_call *c, const char *db, ts_db *out)
{
    memset(out, 0, sizeof *out);
    char *text = NULL;
    json_node *root;
    if (store_obj_get(c->sv->s, OBJ_DB, db, db, &text, NULL)) return;
    char *copy = st_arena_strndup(c->rq->arena, text, strlen(text));
    st_free(text);
    if (json_tree_parse(copy, strlen(copy), c->rq->arena, 32, &root, NULL)) return;
    const json_node *v;
    int64_t i;
    if ((v = json_tree_get(root, "created")) && json_parse_int64(v->s, &i)) out->created_ns = i;
    if ((v = json_tree_get(root, "updated")) && json_parse_int64(v->s, &i)) out->updated_ns = i;
    if ((v = json_tree_get(root, "KmsKeyId")) && v->kind == JSON_STRING)
        out->kms = st_arena_strndup(c->rq->arena, v->s.p, v->s.n);
    out->tags = json_tree_get(root, "Tags");
    const json_node *h = json_tree_get(root, "created_here");
    out->created_here = h && h->kind == JSON_BOOL && h->b;
}

static int db_props_save(ts_call *c, const char *db, const ts_db *p, bool create, st_err *e)
{
    st_buf b = {0};
    st_buf_printf(&b, "{\"created\":%" PRId64 ",\"updated\":%" PRId64 ",\"created_here\":%s", p->created_ns,
                  p->updated_ns, p->created_here ? "true" : "false");
    if (p->kms) {
        PUTS(&b, ",");
        put_str_member(&b, "KmsKeyId", p->kms);
    }
    if (p->tags) {
        PUTS(&b, ",\"Tags\":");
        json_tree_write(&b, p->tags);
    }
    st_buf_putc(&b, '}');
    st_buf_putc(&b, 0);
    if (b.len > PROPS_MAX) {
        st_buf_free(&b);
        return st_fail(e, ST_EINVAL, "The database's properties (KmsKeyId, Tags) take more than %d bytes.", PROPS_MAX);
    }
    int rc = store_obj_put(c->sv->s, OBJ_DB, db, db, (const char *)b.p, create, e);
    st_buf_free(&b);
    return rc;
}

/* The database's tables: registered ones and those holding data, sorted
 * and unique, in the call's arena. */
static int db_tables(ts_call *c, const char *db, st_slice **out, size_t *n)
{
    store_obj *objs;
    size_t nobj;
    store_obj_list(c->sv->s, OBJ_TABLE, db, &objs, &nobj);
    scan_spec sp = {.db = db, .mint = INT64_MIN, .maxt = INT64_MAX, .mode = SCAN_KEYS};
    scan *sc = NULL;
    st_err e = {0};
    st_slice *data = NULL;
    size_t nd = 0;
    bool exact;
    int rc = scan_open(c->sv->s, &sp, &sc, &e);
    if (!rc) rc = scan_tables(sc, &data, &nd, &exact, &e);
    if (rc && rc != ST_ENOTFOUND) {
        if (sc) scan_close(sc);
        store_obj_list_free(objs, nobj);
        ts_fail_code(c, rc, e.msg);
        return -1;
    }
    if (rc) nd = 0;
    st_slice *all = st_arena_alloc(c->rq->arena, (nobj + nd + 1) * sizeof *all);
    size_t k = 0, i = 0, j = 0;
    while (i < nobj || j < nd) { /* both sorted: merge */
        st_slice a = i < nobj ? st_slice_cstr(objs[i].name) : (st_slice){0};
        int cmp = i >= nobj ? 1 : j >= nd ? -1 : st_slice_cmp(a, data[j]);
        st_slice pick = cmp <= 0 ? a : data[j];
        all[k++] = st_slice_of(st_arena_strndup(c->rq->arena, pick.p, pick.n), pick.n);
        if (cmp <= 0) i++;
        if (cmp >= 0) j++;
    }
    if (sc) scan_close(sc);
    store_obj_list_free(objs, nobj);
    *out = all;
    *n = k;
    return 0;
}

static void put_database(ts_call *c, st_buf *b, const char *db)
{
    ts_db p;
    db_props(c, db, &p);
    st_slice *t;
    size_t nt = 0;
    if (db_tables(c, db, &t, &nt)) nt = 0;
    c->rs->body.len = 0; /* a failure to list is not this answer's */
    st_buf arn = {0};
    ts_arn_db(c, &arn, db);
    PUTS(b, "{\"Arn\":");
    json_str(b, (const char *)arn.p, arn.len);
    st_buf_free(&arn);
    PUTS(b, ",");
    put_str_member(b, "DatabaseName", db);
    st_buf_printf(b, ",\"TableCount\":%zu", nt);
    if (p.kms) {
        PUTS(b, ",");
        put_str_member(b, "KmsKeyId", p.kms);
    }
    if (p.created_ns) {
        PUTS(b, ",");
        put_date(b, "CreationTime", p.created_ns);
        PUTS(b, ",");
        put_date(b, "LastUpdatedTime", p.updated_ns);
    }
    st_buf_putc(b, '}');
}

static bool valid_tags(ts_call *c, const json_node *tags)
{
    if (!tags) return true;
    if (tags->kind != JSON_ARRAY || tags->n > 200) {
        ts_fail(c, 400, "ValidationException", "Tags must be a list of at most 200 tags");
        return false;
    }
    for (size_t i = 0; i < tags->n; i++) {
        const json_node *k = json_tree_get(&tags->items[i], "Key"), *v = json_tree_get(&tags->items[i], "Value");
        if (!k || k->kind != JSON_STRING || k->s.n < 1 || k->s.n > 128 || !v || v->kind != JSON_STRING ||
            v->s.n > 256) {
            ts_fail(c, 400, "ValidationException", "Tags[%zu]: Key (1 to 128 characters) and Value (at most 256) are required", i);
            return false;
        }
    }
    return true;
}

/* Tags of a list with others set (replaced by key) or removed. */
static json_node *tags_merge(ts_call *c, const json_node *old, const json_node *add, const json_node *remove_keys)
{
    size_t cap = (old ? old->n : 0) + (add ? add->n : 0);
    json_node *out = st_arena_alloc(c->rq->arena, sizeof *out);
    *out = (json_node){.kind = JSON_ARRAY};
    out->items = st_arena_alloc(c->rq->arena, (cap ? cap : 1) * sizeof *out->items);
    const json_node *lists[2] = {old, add};
    for (int l = 0; l < 2; l++) {
        for (size_t i = 0; lists[l] && i < lists[l]->n; i++) {
            const json_node *t = &lists[l]->items[i];
            const json_node *k = json_tree_get(t, "Key");
            if (!k || k->kind != JSON_STRING) continue;
            bool gone = false;
            for (size_t r = 0; remove_keys && r < remove_keys->n; r++)
                gone |= remove_keys->items[r].kind == JSON_STRING && st_slice_eq(remove_keys->items[r].s, k->s);
            if (gone) continue;
            size_t at = out->n;
            for (size_t x = 0; x < out->n; x++)
                if (st_slice_eq(json_tree_get(&out->items[x], "Key")->s, k->s)) at = x;
            out->items[at] = *t;
            if (at == out->n) out->n++;
        }
    }
    if (out->n > 200) {
        ts_fail(c, 402, "ServiceQuotaExceededException", "A resource may have at most 200 tags");
        return NULL;
    }
    return out;
}

static bool kms_ok(ts_call *c, const char *kms)
{
    if (!kms || (*kms && strlen(kms) <= 2048)) return true;
    ts_fail(c, 400, "ValidationException", "KmsKeyId must be 1 to 2048 characters long");
    return false;
}

static void create_database(ts_call *c)
{
    bool bad = false;
    const char *db = ts_str(c, "DatabaseName", true, &bad);
    const char *kms = ts_str(c, "KmsKeyId", false, &bad);
    if (bad || !name_ok(c, "databaseName", db, true) || !kms_ok(c, kms)) return;
    const json_node *tags = json_tree_get(c->in, "Tags");
    if (!valid_tags(c, tags)) return;
    if (!ts_may(c, "", AUTH_ADMIN, "*")) return;
    st_err e = {0};
    int rc = store_db_create(c->sv->s, db, -1, -1, &e);
    if (rc == ST_EEXIST) {
        ts_fail(c, 409, "ConflictException", "The database %s already exists.", db);
        return;
    }
    if (rc) {
        ts_fail_code(c, rc, e.msg);
        return;
    }
    int64_t now = st_now_ns();
    ts_db p = {.created_ns = now, .updated_ns = now, .kms = kms, .tags = tags, .created_here = true};
    if ((rc = db_props_save(c, db, &p, false, &e))) {
        ts_fail_code(c, rc, e.msg);
        return;
    }
    st_buf b = {0};
    PUTS(&b, "{\"Database\":");
    put_database(c, &b, db);
    st_buf_putc(&b, '}');
    ts_ok(c, &b);
}

/* The named database, checked for priv; NULL when answered. */
static const char *named_db(ts_call *c, auth_priv priv)
{
    bool bad = false;
    const char *db = ts_str(c, "DatabaseName", true, &bad);
    if (bad) return NULL;
    st_buf arn = {0};
    ts_arn_db(c, &arn, db);
    st_buf_putc(&arn, 0);
    bool ok = ts_may(c, db, priv, (const char *)arn.p);
    st_buf_free(&arn);
    if (!ok) return NULL;
    if (!store_db_exists(c->sv->s, db)) {
        ts_fail(c, 404, "ResourceNotFoundException", "The database %s does not exist.", db);
        return NULL;
    }
    return db;
}

static void describe_database(ts_call *c)
{
    const char *db = named_db(c, AUTH_READ);
    if (!db) return;
    st_buf b = {0};
    PUTS(&b, "{\"Database\":");
    put_database(c, &b, db);
    st_buf_putc(&b, '}');
    ts_ok(c, &b);
}

static void update_database(ts_call *c)
{
    bool bad = false;
    const char *kms = ts_str(c, "KmsKeyId", true, &bad);
    if (bad || !kms_ok(c, kms)) return;
    const char *db = named_db(c, AUTH_ADMIN);
    if (!db) return;
    ts_db p;
    db_props(c, db, &p);
    p.kms = kms;
    p.updated_ns = st_now_ns();
    if (!p.created_ns) p.created_ns = p.updated_ns;
    st_err e = {0};
    int rc = db_props_save(c, db, &p, false, &e);
    if (rc) {
        ts_fail_code(c, rc, e.msg);
        return;
    }
    st_buf b = {0};
    PUTS(&b, "{\"Database\":");
    put_database(c, &b, db);
    st_buf_putc(&b, '}');
    ts_ok(c, &b);
}

static void delete_database(ts_call *c)
{
    const char *db = named_db(c, AUTH_ADMIN);
    if (!db) return;
    st_slice *t;
    size_t nt;
    if (db_tables(c, db, &t, &nt)) return;
    if (nt) {
        ts_fail(c, 400, "ValidationException",
                "Cannot delete database %s: it still has %zu table(s). Delete its tables first.", db, nt);
        return;
    }
    st_err e = {0};
    int rc = store_db_drop(c->sv->s, db, &e);
    if (rc == ST_ENOTFOUND) {
        ts_fail(c, 404, "ResourceNotFoundException", "The database %s does not exist.", db);
        return;
    }
    if (rc) {
        ts_fail_code(c, rc, e.msg);
        return;
    }
    pthread_mutex_lock(&c->sv->ts->mu);
    ts_mtype_forget(c->sv->ts, db, NULL);
    pthread_mutex_unlock(&c->sv->ts->mu);
    ts_newest_forget(c->sv->ts);
    ts_ok_empty(c);
}

/* MaxResults and NextToken of a List call: the page's first index. */
static bool paging(ts_call *c, size_t *from, size_t *max)
{
    const json_node *mr = json_tree_get(c->in, "MaxResults");
    int64_t m = LIST_MAX;
    if (mr && mr->kind != JSON_NULL && (mr->kind != JSON_NUMBER || !json_parse_int64(mr->s, &m) || m < 1 || m > LIST_MAX)) {
        ts_fail(c, 400, "ValidationException", "MaxResults must be between 1 and %d", LIST_MAX);
        return false;
    }
    bool bad = false;
    const char *tok = ts_str(c, "NextToken", false, &bad);
    if (bad) return false;
    *from = 0;
    *max = (size_t)m;
    if (tok) {
        char *end;
        unsigned long long v = strtoull(tok, &end, 10);
        if (strncmp(tok, "page-", 5) || (v = strtoull(tok + 5, &end, 10), *end)) {
            ts_fail(c, 400, "ValidationException", "Invalid pagination token");
            return false;
        }
        *from = (size_t)v;
    }
    return true;
}

static void put_next(st_buf *b, size_t next, size_t n)
{
    if (next < n) st_buf_printf(b, ",\"NextToken\":\"page-%zu\"", next);
}

static void list_databases(ts_call *c)
{
    size_t from, max;
    if (!paging(c, &from, &max)) return;
    store_db_info *dbs;
    size_t n;
    store_db_list(c->sv->s, &dbs, &n);
    size_t k = 0;
    for (size_t i = 0; i < n; i++)
        if (api_sees(c->sv, c->rq, dbs[i].name)) dbs[k++] = dbs[i];
    st_buf b = {0};
    PUTS(&b, "{\"Databases\":[");
    size_t i;
    for (i = from; i < k && i < from + max; i++) {
        if (i > from) st_buf_putc(&b, ',');
        put_database(c, &b, dbs[i].name);
    }
    st_buf_putc(&b, ']');
    put_next(&b, i, k);
    st_buf_putc(&b, '}');
    st_free(dbs);
    ts_ok(c, &b);
}

/* ------------------------------------------------------------ tables */

int ts_table_get(api_server *sv, st_arena *a, const char *db, const char *table, ts_table *out, st_err *e)
{
    memset(out, 0, sizeof *out);
    out->mem_hours = DEFAULT_MEM_HOURS;
    out->mag_days = DEFAULT_MAG_DAYS;
    char *text = NULL;
    if (store_obj_get(sv->s, OBJ_TABLE, db, table, &text, NULL) == 0) {
        char *copy = st_arena_strndup(a, text, strlen(text));
        st_free(text);
        json_node *root;
        if (json_tree_parse(copy, strlen(copy), a, 32, &root, NULL) == 0) {
            const json_node *v;
            int64_t i;
            out->registered = true;
            if ((v = json_tree_get(root, "created")) && json_parse_int64(v->s, &i)) out->created_ns = i;
            if ((v = json_tree_get(root, "updated")) && json_parse_int64(v->s, &i)) out->updated_ns = i;
            if ((v = json_tree_get(root, "mem_hours")) && json_parse_int64(v->s, &i)) out->mem_hours = i;
            if ((v = json_tree_get(root, "mag_days")) && json_parse_int64(v->s, &i)) out->mag_days = i;
            out->mag_props = json_tree_get(root, "MagneticStoreWriteProperties");
            out->schema = json_tree_get(root, "Schema");
            if (out->mag_props) {
                const json_node *en = json_tree_get(out->mag_props, "EnableMagneticStoreWrites");
                out->mag_writes = en && en->kind == JSON_BOOL && en->b;
            }
        }
        return 1;
    }
    /* a table of data alone (written by another front): the defaults */
    scan_table_schema sch;
    int rc = scan_table_schema_get(sv->s, db, st_slice_cstr(table), a, &sch, e);
    if (rc == ST_ENOTFOUND) return 0;
    if (rc) return rc;
    return sch.nfields ? 1 : 0;
}

/* ts_table_get for a call: an error is answered. */
static int table_of(ts_call *c, const char *db, const char *table, ts_table *out)
{
    st_err e = {0};
    int rc = ts_table_get(c->sv, c->rq->arena, db, table, out, &e);
    if (rc < 0) ts_fail_code(c, rc, e.msg);
    return rc < 0 ? -1 : rc;
}

static int table_save(ts_call *c, const char *db, const char *table, const ts_table *t, const json_node *tags,
                      bool create, st_err *e)
{
    st_buf b = {0};
    st_buf_printf(&b, "{\"created\":%" PRId64 ",\"updated\":%" PRId64 ",\"mem_hours\":%" PRId64
                      ",\"mag_days\":%" PRId64,
                  t->created_ns, t->updated_ns, t->mem_hours, t->mag_days);
    if (t->mag_props) {
        PUTS(&b, ",\"MagneticStoreWriteProperties\":");
        json_tree_write(&b, t->mag_props);
    }
    if (t->schema) {
        PUTS(&b, ",\"Schema\":");
        json_tree_write(&b, t->schema);
    }
    if (tags) {
        PUTS(&b, ",\"Tags\":");
        json_tree_write(&b, tags);
    }
    st_buf_putc(&b, '}');
    st_buf_putc(&b, 0);
    if (b.len > PROPS_MAX) {
        st_buf_free(&b);
        return st_fail(e, ST_EINVAL,
                       "The table's properties (MagneticStoreWriteProperties, Schema, Tags) take more than %d bytes.",
                       PROPS_MAX);
    }
    int rc = store_obj_put(c->sv->s, OBJ_TABLE, db, table, (const char *)b.p, create, e);
    st_buf_free(&b);
    return rc;
}

static const json_node *table_tags(ts_call *c, const char *db, const char *table)
{
    char *text = NULL;
    if (store_obj_get(c->sv->s, OBJ_TABLE, db, table, &text, NULL)) return NULL;
    char *copy = st_arena_strndup(c->rq->arena, text, strlen(text));
    st_free(text);
    json_node *root;
    if (json_tree_parse(copy, strlen(copy), c->rq->arena, 32, &root, NULL)) return NULL;
    return json_tree_get(root, "Tags");
}

static void put_table(ts_call *c, st_buf *b, const char *db, const char *table, const ts_table *t)
{
    st_buf arn = {0}; /* a table of another front may have any name: escaped */
    ts_arn_table(c, &arn, db, table);
    PUTS(b, "{\"Arn\":");
    json_str(b, (const char *)arn.p, arn.len);
    st_buf_free(&arn);
    PUTS(b, ",");
    put_str_member(b, "TableName", table);
    PUTS(b, ",");
    put_str_member(b, "DatabaseName", db);
    st_buf_printf(b, ",\"TableStatus\":\"ACTIVE\",\"RetentionProperties\":{\"MemoryStoreRetentionPeriodInHours\":%" PRId64
                     ",\"MagneticStoreRetentionPeriodInDays\":%" PRId64 "}",
                  t->mem_hours, t->mag_days);
    if (t->created_ns) {
        PUTS(b, ",");
        put_date(b, "CreationTime", t->created_ns);
        PUTS(b, ",");
        put_date(b, "LastUpdatedTime", t->updated_ns);
    }
    PUTS(b, ",\"MagneticStoreWriteProperties\":");
    if (t->mag_props) json_tree_write(b, t->mag_props);
    else PUTS(b, "{\"EnableMagneticStoreWrites\":false}");
    if (t->schema) {
        PUTS(b, ",\"Schema\":");
        json_tree_write(b, t->schema);
    }
    st_buf_putc(b, '}');
}

/* RetentionProperties and MagneticStoreWriteProperties of the input into
 * t (what is absent stays); false when answered. */
static bool table_input(ts_call *c, ts_table *t)
{
    const json_node *rp = json_tree_get(c->in, "RetentionProperties");
    if (rp && rp->kind != JSON_NULL) {
        const json_node *m = json_tree_get(rp, "MemoryStoreRetentionPeriodInHours"),
                        *g = json_tree_get(rp, "MagneticStoreRetentionPeriodInDays");
        int64_t mh, gd;
        if (!m || m->kind != JSON_NUMBER || !g || g->kind != JSON_NUMBER || !json_parse_int64(m->s, &mh) ||
            !json_parse_int64(g->s, &gd) || mh < 1 || mh > 8766 || gd < 1 || gd > 73000) {
            ts_fail(c, 400, "ValidationException",
                    "RetentionProperties needs MemoryStoreRetentionPeriodInHours (1 to 8766) and "
                    "MagneticStoreRetentionPeriodInDays (1 to 73000)");
            return false;
        }
        t->mem_hours = mh;
        t->mag_days = gd;
    }
    const json_node *mw = json_tree_get(c->in, "MagneticStoreWriteProperties");
    if (mw && mw->kind != JSON_NULL) {
        const json_node *en = json_tree_get(mw, "EnableMagneticStoreWrites");
        if (mw->kind != JSON_OBJECT || !en || en->kind != JSON_BOOL) {
            ts_fail(c, 400, "ValidationException",
                    "MagneticStoreWriteProperties needs EnableMagneticStoreWrites (a boolean)");
            return false;
        }
        t->mag_props = mw;
        t->mag_writes = en->b;
    }
    const json_node *sc = json_tree_get(c->in, "Schema");
    if (sc && sc->kind != JSON_NULL) {
        if (sc->kind != JSON_OBJECT) {
            ts_fail(c, 400, "ValidationException", "Schema must be an object");
            return false;
        }
        t->schema = sc;
    }
    return true;
}

/* A database created through this API (by CreateDatabase, the admin's)
 * keeps its data as long as its longest-lived table asks: Strata's
 * retention is per database, and each table's own is swept
 * (ts_retention_sweep). Its memory window is left as it is: Timestream's
 * memory store is an ingestion window here, checked by WriteRecords. A
 * database of another front keeps its retention whatever its tables say:
 * changing it is the admin's. */
static void fit_database(ts_call *c, const char *db)
{
    ts_db p;
    db_props(c, db, &p);
    if (!p.created_here) return;
    store_obj *objs;
    size_t n;
    store_obj_list(c->sv->s, OBJ_TABLE, db, &objs, &n);
    int64_t keep = 0;
    for (size_t i = 0; i < n; i++) {
        ts_table t;
        if (table_of(c, db, objs[i].name, &t) != 1) continue;
        /* a record is kept through its memory hours and its magnetic days */
        int64_t k = t.mag_days * 86400 * ST_NS_PER_S + t.mem_hours * 3600 * ST_NS_PER_S;
        if (k > keep) keep = k;
    }
    store_obj_list_free(objs, n);
    c->rs->body.len = 0; /* a table that failed to read answered nothing here */
    if (!keep) return;
    store_db_info *dbs;
    size_t ndb;
    int64_t window = -1;
    store_db_list(c->sv->s, &dbs, &ndb);
    for (size_t i = 0; i < ndb; i++)
        if (!strcmp(dbs[i].name, db)) window = dbs[i].memory_window;
    st_free(dbs);
    st_err e = {0};
    if (store_db_alter(c->sv->s, db, keep, window, &e)) api_log(NULL, "warn", e.msg);
}

/* The named table of the named database; false when answered. */
static bool named_table(ts_call *c, auth_priv priv, const char **db, const char **table)
{
    bool bad = false;
    *table = ts_str(c, "TableName", true, &bad);
    if (bad) return false;
    *db = named_db(c, priv);
    return *db != NULL;
}

static void create_table(ts_call *c)
{
    const char *db, *table;
    if (!named_table(c, AUTH_WRITE, &db, &table) || !name_ok(c, "tableName", table, false)) return;
    const json_node *tags = json_tree_get(c->in, "Tags");
    if (!valid_tags(c, tags)) return;
    ts_table t = {.mem_hours = DEFAULT_MEM_HOURS, .mag_days = DEFAULT_MAG_DAYS};
    if (!table_input(c, &t)) return;
    ts_table old;
    int ex = table_of(c, db, table, &old);
    if (ex < 0) return;
    if (ex && old.registered) {
        ts_fail(c, 409, "ConflictException", "The table %s already exists in database %s.", table, db);
        return;
    }
    /* a table that holds data already (another front's) is taken over */
    t.created_ns = t.updated_ns = st_now_ns();
    st_err e = {0};
    int rc = table_save(c, db, table, &t, tags, true, &e);
    if (rc == ST_EEXIST) {
        ts_fail(c, 409, "ConflictException", "The table %s already exists in database %s.", table, db);
        return;
    }
    if (rc) {
        ts_fail_code(c, rc, e.msg);
        return;
    }
    fit_database(c, db);
    st_buf b = {0};
    PUTS(&b, "{\"Table\":");
    put_table(c, &b, db, table, &t);
    st_buf_putc(&b, '}');
    ts_ok(c, &b);
}

/* The named table's properties; false when answered (404 if absent). */
static bool existing_table(ts_call *c, auth_priv priv, const char **db, const char **table, ts_table *t)
{
    if (!named_table(c, priv, db, table)) return false;
    int ex = table_of(c, *db, *table, t);
    if (ex < 0) return false;
    if (!ex) {
        ts_fail(c, 404, "ResourceNotFoundException", "The table %s does not exist in database %s.", *table, *db);
        return false;
    }
    return true;
}

static void describe_table(ts_call *c)
{
    const char *db, *table;
    ts_table t;
    if (!existing_table(c, AUTH_READ, &db, &table, &t)) return;
    st_buf b = {0};
    PUTS(&b, "{\"Table\":");
    put_table(c, &b, db, table, &t);
    st_buf_putc(&b, '}');
    ts_ok(c, &b);
}

static void update_table(ts_call *c)
{
    const char *db, *table;
    ts_table t;
    if (!existing_table(c, AUTH_WRITE, &db, &table, &t) || !table_input(c, &t)) return;
    const json_node *tags = table_tags(c, db, table);
    t.updated_ns = st_now_ns();
    if (!t.created_ns) t.created_ns = t.updated_ns;
    st_err e = {0};
    int rc = table_save(c, db, table, &t, tags, false, &e);
    if (rc) {
        ts_fail_code(c, rc, e.msg);
        return;
    }
    fit_database(c, db);
    st_buf b = {0};
    PUTS(&b, "{\"Table\":");
    put_table(c, &b, db, table, &t);
    st_buf_putc(&b, '}');
    ts_ok(c, &b);
}

/* Deletes the samples of db.table's series in [mint, maxt]. */
static int table_delete_range(store *st, const char *db, const char *table, int64_t mint, int64_t maxt, st_err *e)
{
    scan_spec sp = {.db = db, .table = st_slice_cstr(table), .mint = INT64_MIN, .maxt = INT64_MAX, .mode = SCAN_KEYS};
    scan *sc;
    int rc = scan_open(st, &sp, &sc, e);
    if (rc) return rc;
    size_t n = scan_count(sc), k = 0;
    st_slice *keys = st_calloc(n ? n : 1, sizeof *keys);
    scan_iter *it;
    if ((rc = scan_iter_open(sc, 0, n, &it, e)) == 0) {
        scan_series s;
        while ((rc = scan_iter_next(it, &s, e)) == 1 && k < n) {
            char *copy = st_malloc(s.keylen);
            memcpy(copy, s.key, s.keylen);
            keys[k++] = st_slice_of(copy, s.keylen);
        }
        scan_iter_close(it);
    }
    scan_close(sc);
    uint64_t gone = 0;
    if (rc >= 0 && k) rc = store_delete_series(st, db, keys, k, mint, maxt, &gone, e);
    for (size_t i = 0; i < k; i++) st_free((void *)keys[i].p);
    st_free(keys);
    return rc < 0 ? rc : 0;
}

void ts_retention_sweep(api_server *sv, int64_t now_ns)
{
    store_obj *objs;
    size_t n;
    store_obj_list(sv->s, OBJ_TABLE, NULL, &objs, &n);
    store_db_info *dbs;
    size_t ndb;
    store_db_list(sv->s, &dbs, &ndb);
    st_arena *a = st_arena_new(4096);
    for (size_t i = 0; i < n; i++) {
        ts_table t;
        st_err e = {0};
        if (ts_table_get(sv, a, objs[i].db, objs[i].name, &t, &e) != 1) continue;
        int64_t keep = t.mem_hours * 3600 * ST_NS_PER_S + t.mag_days * 86400 * ST_NS_PER_S, cutoff = now_ns - keep;
        bool db_drops = false; /* the database's own retention is as short: blocks go whole */
        for (size_t d = 0; d < ndb; d++)
            if (!strcmp(dbs[d].name, objs[i].db)) db_drops = dbs[d].retention && dbs[d].retention <= keep;
        int64_t lo, hi;
        if (db_drops || scan_table_bounds(sv->s, objs[i].db, st_slice_cstr(objs[i].name), INT64_MIN, cutoff - 1, &lo,
                                          &hi, &e) || lo > hi)
            continue;
        if (table_delete_range(sv->s, objs[i].db, objs[i].name, INT64_MIN, cutoff - 1, &e))
            api_log(NULL, "warn", e.msg);
        st_arena_reset(a);
    }
    st_arena_free(a);
    st_free(dbs);
    store_obj_list_free(objs, n);
}

static void delete_table(ts_call *c)
{
    const char *db, *table;
    ts_table t;
    if (!existing_table(c, AUTH_WRITE, &db, &table, &t)) return;
    st_err e = {0};
    int rc = table_delete_range(c->sv->s, db, table, INT64_MIN, INT64_MAX, &e);
    if (rc) {
        ts_fail_code(c, rc, e.msg);
        return;
    }
    rc = store_obj_delete(c->sv->s, OBJ_TABLE, db, table, &e);
    if (rc && rc != ST_ENOTFOUND) {
        ts_fail_code(c, rc, e.msg);
        return;
    }
    pthread_mutex_lock(&c->sv->ts->mu);
    ts_mtype_forget(c->sv->ts, db, table);
    pthread_mutex_unlock(&c->sv->ts->mu);
    ts_newest_forget(c->sv->ts);
    ts_ok_empty(c);
}

static void list_tables(ts_call *c)
{
    size_t from, max;
    if (!paging(c, &from, &max)) return;
    bool bad = false;
    const char *only = ts_str(c, "DatabaseName", false, &bad);
    if (bad) return;
    store_db_info *dbs = NULL;
    size_t ndb = 0;
    if (only) {
        if (!named_db(c, AUTH_READ)) return;
    } else {
        store_db_list(c->sv->s, &dbs, &ndb);
    }
    /* every (db, table) in order; the page out of it */
    st_buf b = {0};
    PUTS(&b, "{\"Tables\":[");
    size_t pos = 0, shown = 0;
    bool more = false;
    for (size_t d = 0; d < (only ? 1 : ndb) && !more; d++) {
        const char *db = only ? only : dbs[d].name;
        if (!only && !api_sees(c->sv, c->rq, db)) continue;
        st_slice *t;
        size_t nt;
        if (db_tables(c, db, &t, &nt)) {
            st_buf_free(&b);
            st_free(dbs);
            return;
        }
        for (size_t i = 0; i < nt; i++, pos++) {
            if (pos < from) continue;
            if (shown == max) {
                more = true;
                break;
            }
            ts_table tt;
            const char *name = st_arena_strndup(c->rq->arena, t[i].p, t[i].n);
            if (table_of(c, db, name, &tt) < 0) {
                st_buf_free(&b);
                st_free(dbs);
                return;
            }
            if (shown++) st_buf_putc(&b, ',');
            put_table(c, &b, db, name, &tt);
        }
    }
    st_free(dbs);
    st_buf_putc(&b, ']');
    if (more) st_buf_printf(&b, ",\"NextToken\":\"page-%zu\"", pos);
    st_buf_putc(&b, '}');
    ts_ok(c, &b);
}

/* ------------------------------------------------------------ tags */

/* ResourceARN to its database and table ("" for a database's); false when
 * answered. */
static bool parse_arn(ts_call *c, const char **db, const char **table)
{
    bool bad = false;
    const char *arn = ts_str(c, "ResourceARN", true, &bad);
    if (bad) return false;
    const char *p = strstr(arn, ":database/");
    if (strncmp(arn, "arn:", 4) || !strstr(arn, ":timestream:") || !p) {
        ts_fail(c, 400, "ValidationException", "Invalid resource ARN: %.256s", arn);
        return false;
    }
    p += 10;
    const char *slash = strstr(p, "/table/");
    *db = slash ? st_arena_strndup(c->rq->arena, p, (size_t)(slash - p)) : p;
    *table = slash ? slash + 7 : "";
    return true;
}

/* The tags of a resource (checked for priv, existing); false when answered. */
static bool resource_tags(ts_call *c, auth_priv priv, const char **db, const char **table, const json_node **tags)
{
    const json_node *an = json_tree_get(c->in, "ResourceARN");
    if (an && an->kind == JSON_STRING && memmem(an->s.p, an->s.n, ":scheduled-query/", 17)) {
        *db = *table = NULL; /* a scheduled query's: its own store */
        return ts_sched_tags(c, st_arena_strndup(c->rq->arena, an->s.p, an->s.n), priv, tags);
    }
    if (!parse_arn(c, db, table)) return false;
    const char *arn = ts_str(c, "ResourceARN", true, &(bool){false});
    if (!ts_may(c, *db, priv, arn)) return false;
    if (!store_db_exists(c->sv->s, *db)) {
        ts_fail(c, 404, "ResourceNotFoundException", "The resource %s does not exist.", arn);
        return false;
    }
    if (**table) {
        ts_table t;
        int ex = table_of(c, *db, *table, &t);
        if (ex < 0) return false;
        if (!ex) {
            ts_fail(c, 404, "ResourceNotFoundException", "The resource %s does not exist.", arn);
            return false;
        }
        *tags = table_tags(c, *db, *table);
    } else {
        ts_db p;
        db_props(c, *db, &p);
        *tags = p.tags;
    }
    return true;
}

static bool save_tags(ts_call *c, const char *db, const char *table, const json_node *tags)
{
    if (!db) { /* a scheduled query's */
        const json_node *an = json_tree_get(c->in, "ResourceARN");
        return ts_sched_set_tags(c, st_arena_strndup(c->rq->arena, an->s.p, an->s.n), tags);
    }
    st_err e = {0};
    int rc;
    if (*table) {
        ts_table t;
        if (table_of(c, db, table, &t) < 0) return false;
        if (!t.registered) t.created_ns = t.updated_ns = st_now_ns();
        rc = table_save(c, db, table, &t, tags, false, &e);
    } else {
        ts_db p;
        db_props(c, db, &p);
        if (!p.created_ns) p.created_ns = p.updated_ns = st_now_ns();
        p.tags = tags;
        rc = db_props_save(c, db, &p, false, &e);
    }
    if (rc) ts_fail_code(c, rc, e.msg);
    return rc == 0;
}

/* TagResource and UntagResource: the resource's tags with add set and
 * remove_keys removed. */
static void retag(ts_call *c, const json_node *add, const json_node *remove_keys)
{
    const char *db, *table;
    const json_node *old;
    if (!resource_tags(c, AUTH_WRITE, &db, &table, &old)) return;
    json_node *merged = tags_merge(c, old, add, remove_keys);
    if (merged && save_tags(c, db, table, merged)) ts_ok_empty(c);
}

static void tag_resource(ts_call *c)
{
    const json_node *add = json_tree_get(c->in, "Tags");
    if (!add || !valid_tags(c, add)) {
        if (!add) ts_fail(c, 400, "ValidationException", "Tags is required");
        return;
    }
    retag(c, add, NULL);
}

static void untag_resource(ts_call *c)
{
    const json_node *keys = json_tree_get(c->in, "TagKeys");
    if (!keys || keys->kind != JSON_ARRAY) {
        ts_fail(c, 400, "ValidationException", "TagKeys is required (a list of keys)");
        return;
    }
    retag(c, NULL, keys);
}

static void list_tags(ts_call *c)
{
    const char *db, *table;
    const json_node *tags;
    if (!resource_tags(c, AUTH_READ, &db, &table, &tags)) return;
    st_buf b = {0};
    PUTS(&b, "{\"Tags\":");
    if (tags) json_tree_write(&b, tags);
    else PUTS(&b, "[]");
    st_buf_putc(&b, '}');
    ts_ok(c, &b);
}

/* ------------------------------------------------------------ endpoints */

/* Where a discovering client should send its calls: here. botocore puts
 * https:// before an Address without a scheme, so on plain HTTP the
 * scheme is part of it; the JavaScript SDK keeps its own scheme and wants
 * a bare host, which is what TLS gives both. */
static void describe_endpoints(ts_call *c)
{
    const char *host = http_header(c->rq, "Host");
    if (!host || !*host) host = "localhost";
    st_buf addr = {0};
    if (!c->sv->f->tls_cert_file) PUTS(&addr, "http://");
    st_buf_put(&addr, host, strlen(host));
    st_buf b = {0};
    PUTS(&b, "{\"Endpoints\":[{\"Address\":");
    json_str(&b, (const char *)addr.p, addr.len);
    PUTS(&b, ",\"CachePeriodInMinutes\":1440}]}");
    st_buf_free(&addr);
    ts_ok(c, &b);
}

/* ------------------------------------------------------------ dispatch */

typedef struct ts_op {
    const char *name;
    void (*fn)(ts_call *c);
} ts_op;

static const ts_op ops[] = {
    {"DescribeEndpoints", describe_endpoints},
    {"CreateDatabase", create_database},
    {"DescribeDatabase", describe_database},
    {"ListDatabases", list_databases},
    {"UpdateDatabase", update_database},
    {"DeleteDatabase", delete_database},
    {"CreateTable", create_table},
    {"DescribeTable", describe_table},
    {"ListTables", list_tables},
    {"UpdateTable", update_table},
    {"DeleteTable", delete_table},
    {"TagResource", tag_resource},
    {"UntagResource", untag_resource},
    {"ListTagsForResource", list_tags},
    {"WriteRecords", ts_write_records},
    {"Query", ts_query},
    {"CancelQuery", ts_cancel_query},
    {"PrepareQuery", ts_prepare_query},
    {"CreateScheduledQuery", ts_create_scheduled_query},
    {"DescribeScheduledQuery", ts_describe_scheduled_query},
    {"ListScheduledQueries", ts_list_scheduled_queries},
    {"UpdateScheduledQuery", ts_update_scheduled_query},
    {"DeleteScheduledQuery", ts_delete_scheduled_query},
    {"ExecuteScheduledQuery", ts_execute_scheduled_query},
};

/* The region a signed request names in its scope, for ARNs. */
static void caller_region(ts_call *c)
{
    snprintf(c->region, sizeof c->region, "us-east-1");
    cred cr;
    if (cred_parse(http_header(c->rq, "Authorization"), NULL, NULL, &cr, NULL) || cr.kind != CRED_SIGV4 ||
        !cr.region.n || cr.region.n >= sizeof c->region)
        return;
    for (size_t i = 0; i < cr.region.n; i++) /* a region's letters only: it goes into ARNs */
        if (!((cr.region.p[i] >= 'a' && cr.region.p[i] <= 'z') || (cr.region.p[i] >= '0' && cr.region.p[i] <= '9') ||
              cr.region.p[i] == '-'))
            return;
    snprintf(c->region, sizeof c->region, "%.*s", (int)cr.region.n, cr.region.p);
}

static void count_outcome(ts_state *t, int status)
{
    int k = status < 400 ? 0 : status == 429 ? 2 : status >= 500 ? 3 : 1;
    atomic_fetch_add(&t->calls[k], 1);
}

void api_timestream(api_server *sv, http_req *rq, http_resp *rs)
{
    ts_call c = {.sv = sv, .rq = rq, .rs = rs, .op = "?"};
    const char *target = http_header(rq, "X-Amz-Target");
    if (!target) {
        /* GET / from a browser or a load balancer: say what is here */
        http_text(rs, 404, "404 page not found: POST / serves Amazon Timestream's API (X-Amz-Target: "
                           "Timestream_20181101.<Operation>)\n");
        return;
    }
    caller_region(&c);
    const ts_op *op = NULL;
    if (!strncmp(target, TARGET_PREFIX, strlen(TARGET_PREFIX)))
        for (size_t i = 0; i < sizeof ops / sizeof *ops; i++)
            if (!strcmp(target + strlen(TARGET_PREFIX), ops[i].name)) op = &ops[i];
    if (!op) {
        fail_raw(rs, 400, "UnknownOperationException", "Strata does not serve this operation");
        count_outcome(sv->ts, rs->status);
        return;
    }
    c.op = op->name;
    if (strcmp(rq->method, "POST")) {
        ts_fail(&c, 400, "ValidationException", "Timestream's API takes POST only");
        count_outcome(sv->ts, rs->status);
        return;
    }
    if (rq->body.len > TS_MAX_BODY) {
        /* WriteRecords is 100 records of at most 2 KB, a QueryString 256 KiB:
         * a larger body is no call's, and its tree would cost 40 times it */
        ts_fail(&c, 413, "ValidationException", "The request body is over %d bytes.", TS_MAX_BODY);
        count_outcome(sv->ts, rs->status);
        return;
    }
    json_node *in;
    st_err e = {0};
    const char *body = rq->body.len ? (const char *)rq->body.p : "{}";
    size_t blen = rq->body.len ? rq->body.len : 2;
    if (json_tree_parse(body, blen, rq->arena, 32, &in, &e) || in->kind != JSON_OBJECT) {
        ts_fail(&c, 400, "SerializationException", "The request body is not a JSON object: %s",
                e.msg[0] ? e.msg : "another JSON value");
        count_outcome(sv->ts, rs->status);
        return;
    }
    c.in = in;
    /* a page of another site driving a browser with cached credentials
     * may read, never change (api.c does this for the write routes) */
    const char *site = http_header(rq, "Sec-Fetch-Site");
    bool reads = !strncmp(op->name, "Describe", 8) || !strncmp(op->name, "List", 4) || !strcmp(op->name, "Query") ||
                 !strcmp(op->name, "PrepareQuery");
    if (site && !strcmp(site, "cross-site") && !reads) {
        ts_fail(&c, 403, "AccessDeniedException",
                "a request that changes data is not served for another site's page (Sec-Fetch-Site: cross-site)");
        count_outcome(sv->ts, rs->status);
        return;
    }
    op->fn(&c);
    count_outcome(sv->ts, rs->status);
}
