/* ts_int: what the Timestream front's files share (timestream.c: dispatch,
 * errors, databases and tables; tswrite.c: WriteRecords; tsquery.c: Query
 * and its paging, CancelQuery, PrepareQuery). */
#ifndef ST_TS_INT_H
#define ST_TS_INT_H

#include <pthread.h>
#include <stdatomic.h>

#include "api.h"
#include "json.h"
#include "timestream.h"
#include "tsrec.h"

/* One call: the request, its parsed body and the caller's region (from
 * the signature's scope, for ARNs). */
typedef struct ts_call {
    api_server *sv;
    http_req *rq;
    http_resp *rs;
    const char *op;
    const json_node *in;
    char region[32];
} ts_call;

typedef struct tsq tsq; /* an open query (tsquery.c) */

/* A measure's type in a table, as first written (TSREC_* or -1). */
typedef struct ts_mtype {
    char *key; /* db NUL table NUL measure */
    size_t keylen;
    int type;
} ts_mtype;

struct ts_state {
    pthread_mutex_t mu;
    /* open queries: at most max_queries, the idle ones past an hour gone */
    tsq **queries;
    size_t nqueries;
    unsigned max_queries;
    uint64_t query_seq;
    /* measure name -> type, per table: learnt once from the store, then
     * claimed by every write that introduces a measure */
    ts_mtype *mtypes;
    size_t nmtypes, capmtypes;
    uint32_t *mindex; /* positions in mtypes by a hash of the key */
    size_t mindex_cap;
    /* WriteRecords: a batch claims its records' identities (claims, under
     * write_mu) for its version check and its write; a batch that shares
     * an identity with a claimed one waits (write_cv) until that one's
     * write is applied, so two batches never both pass the check on one
     * record, while batches of other identities write at once (their
     * fsyncs grouped) */
    pthread_mutex_t write_mu;
    pthread_cond_t write_cv;
    struct ts_claim *claims;
    /* under write_mu: per record identity (a hash of db, table and its
     * key), the newest time this process has stored for it, so that a
     * record newer than that needs no look at what is stored; emptied
     * when full and by every delete */
    uint64_t *newest_hash;
    int64_t *newest_ns;
    size_t newest_n;
    /* WriteRecords' series keys (tswrite.c): a value's series by its
     * record identity and column, so that a known series costs no label
     * sorting and no key lookup in the head; cache_bytes at most */
    pthread_mutex_t keys_mu;
    struct ts_key **keys;
    size_t keys_cap, keys_n, keys_bytes, cache_bytes;
    _Atomic uint64_t calls[4];   /* ok, client error, throttled, server error */
    _Atomic uint64_t records[2]; /* ingested, rejected */
};

/* a string literal, its length counted by the compiler */
#define PUTS(b, lit) st_buf_put((b), (lit), sizeof(lit) - 1)

#define TS_ERR_PREFIX "com.amazonaws.timestream.v20181101#"

/* The error answer: status, code (ValidationException, ...), message. */
void ts_fail(ts_call *c, int status, const char *code, const char *fmt, ...) __attribute__((format(printf, 4, 5)));
/* An engine error code as Timestream's error (ST_EINVAL: validation, ...). */
void ts_fail_code(ts_call *c, int code, const char *msg);
/* The 200 answer with body b (moved into the response). */
void ts_ok(ts_call *c, st_buf *b);
/* The 200 answer {} of an operation without output members. */
void ts_ok_empty(ts_call *c);
/* Whether the caller has priv on db (always with auth off); a refusal is
 * answered (AccessDeniedException) and counted. */
bool ts_may(ts_call *c, const char *db, auth_priv priv, const char *resource);

/* A member of the input as a string; NULL when absent, a validation error
 * answered when of another type (then *bad is set). */
const char *ts_str(ts_call *c, const char *member, bool required, bool *bad);

void ts_arn_db(ts_call *c, st_buf *b, const char *db);
void ts_arn_table(ts_call *c, st_buf *b, const char *db, const char *table);

/* Table properties (kept as catalog objects, kind "tstable"). */
typedef struct ts_table {
    bool registered;         /* created through the API (else: only data) */
    int64_t created_ns, updated_ns;
    int64_t mem_hours, mag_days;
    bool mag_writes;
    const json_node *mag_props; /* MagneticStoreWriteProperties as given; NULL: none */
    const json_node *schema;    /* Schema as given; NULL: none */
} ts_table;

/* 1 with the table's properties (registered or holding data), 0 when it
 * does not exist, or an error code with e. Nodes in a. */
int ts_table_get(api_server *sv, st_arena *a, const char *db, const char *table, ts_table *out, st_err *e);

/* A record WriteRecords (or a scheduled query) could not store. */
typedef struct ts_rejection {
    size_t index;
    const char *reason;
    int64_t existing; /* the stored version; 0: none */
} ts_rejection;

typedef struct ts_outcome {
    ts_rejection *rejected; /* in index order, in the arena */
    size_t nrejected;
    uint64_t ingested, magnetic;
} ts_outcome;

/* Stores the records of req (decoded by tsrec) into db.table (which
 * exist; tt: its properties) by Timestream's rules: the time window, the
 * measures' types, versions (tswrite.c). Records that break a rule are
 * listed in out, the others stored (durable when 0 is returned). A storage
 * failure is its code with e: then nothing is acknowledged. */
int ts_ingest(api_server *sv, st_arena *a, const char *db, const char *table, const ts_table *tt, tsrec_req *req,
              ts_outcome *out, st_err *e);

/* The operations of the other files. */
void ts_write_records(ts_call *c);
void ts_query(ts_call *c);
void ts_cancel_query(ts_call *c);
void ts_prepare_query(ts_call *c);
void ts_queries_free(ts_state *t);
/* Scheduled queries (tssched.c). */
void ts_create_scheduled_query(ts_call *c);
void ts_describe_scheduled_query(ts_call *c);
void ts_list_scheduled_queries(ts_call *c);
void ts_update_scheduled_query(ts_call *c);
void ts_delete_scheduled_query(ts_call *c);
void ts_execute_scheduled_query(ts_call *c);
void ts_sched_metrics(st_buf *b);
/* The tags of the scheduled query arn names (checked for priv on its
 * target); false when answered (not found, refused). */
bool ts_sched_tags(ts_call *c, const char *arn, auth_priv priv, const json_node **tags);
/* Replaces them (WRITE on its target); false when answered. */
bool ts_sched_set_tags(ts_call *c, const char *arn, const json_node *tags);

/* The measure type cache: the type db.table.measure was first written
 * with, learnt from the store on first use; -1 when it has none yet.
 * ts_mtype_claim sets it when it has none and returns the type that
 * stands. Under t->mu. */
int ts_mtype_claim(ts_state *t, const char *db, st_slice table, st_slice measure, int type);
void ts_mtype_forget(ts_state *t, const char *db, const char *table); /* table NULL: the whole database */
void ts_keys_free(ts_state *t);
/* Empties the newest-time cache (takes write_mu): after deletes. */
void ts_newest_forget(ts_state *t);


#endif
