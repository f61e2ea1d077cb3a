/* access: see access.h. */
#include "influxql/access.h"

const char *iql_priv_name(iql_priv p)
{
    switch (p) {
    case IQL_PRIV_READ: return "read";
    case IQL_PRIV_WRITE: return "write";
    default: return "admin";
    }
}

typedef struct walk {
    int (*fn)(void *ctx, st_slice db, iql_priv p);
    void *ctx;
} walk;

static const st_slice server_wide = {0};

/* The FROM sources of a statement, subqueries included: priv on each's
 * database (its own db. prefix, else def). */
static int sources(const walk *w, const iql_source *from, size_t n, st_slice def, iql_priv p)
{
    for (size_t i = 0; i < n; i++) {
        int rc;
        if (from[i].sub) rc = sources(w, from[i].sub->from, from[i].sub->nfrom, def, p);
        else rc = w->fn(w->ctx, from[i].db.n ? from[i].db : def, p);
        if (rc) return rc;
    }
    return 0;
}

static int select_access(const walk *w, const iql_stmt *st, st_slice def)
{
    int rc = sources(w, st->from, st->nfrom, def, IQL_PRIV_READ);
    if (!rc && st->sel && st->sel->has_into)
        rc = w->fn(w->ctx, st->sel->into.db.n ? st->sel->into.db : def, IQL_PRIV_WRITE);
    return rc;
}

int iql_stmt_access(const iql_stmt *st, st_slice def, int (*fn)(void *ctx, st_slice db, iql_priv p), void *ctx)
{
    walk w = {fn, ctx};
    st_slice on = st->on.n ? st->on : def;
    int rc;
    switch (st->kind) {
    case IQL_SHOW_DATABASES: return 0;
    case IQL_CREATE_DATABASE:
    case IQL_SHOW_USERS:
    case IQL_SHOW_CQS:
    /* users, grants and tokens: the server's, a GRANT ... ON db's too (it
     * reads and writes no database, only who may) */
    case IQL_CREATE_USER:
    case IQL_DROP_USER:
    case IQL_SET_PASSWORD:
    case IQL_GRANT:
    case IQL_REVOKE:
    case IQL_SHOW_GRANTS:
    case IQL_CREATE_TOKEN:
    case IQL_SHOW_TOKENS:
    case IQL_DROP_TOKEN:
    case IQL_CREATE_ACCESS_KEY:
    case IQL_DROP_ACCESS_KEY:
    case IQL_UNSUPPORTED: /* kill query, subscriptions, shards...: the server's */
        return fn(ctx, server_wide, IQL_PRIV_ADMIN);
    case IQL_DROP_DATABASE: return fn(ctx, st->name, IQL_PRIV_ADMIN);
    case IQL_SHOW_RETENTION_POLICIES: return fn(ctx, on, IQL_PRIV_READ);
    case IQL_CREATE_RETENTION_POLICY:
    case IQL_ALTER_RETENTION_POLICY:
    case IQL_DROP_RETENTION_POLICY:
    case IQL_DROP_CQ:
        return fn(ctx, on, IQL_PRIV_ADMIN);
    case IQL_SHOW_MEASUREMENTS:
    case IQL_SHOW_TAG_KEYS:
    case IQL_SHOW_TAG_VALUES:
    case IQL_SHOW_FIELD_KEYS:
    case IQL_SHOW_SERIES:
        rc = fn(ctx, on, IQL_PRIV_READ);
        return rc ? rc : sources(&w, st->from, st->nfrom, on, IQL_PRIV_READ);
    case IQL_DROP_SERIES:
    case IQL_DROP_MEASUREMENT:
    case IQL_DELETE:
        rc = fn(ctx, on, IQL_PRIV_WRITE);
        return rc ? rc : sources(&w, st->from, st->nfrom, on, IQL_PRIV_WRITE);
    case IQL_SELECT: return select_access(&w, st, def);
    case IQL_CREATE_CQ: /* created on ON's database; its SELECT runs there later */
        rc = fn(ctx, st->on, IQL_PRIV_ADMIN);
        return rc || !st->cq ? rc : select_access(&w, st->cq, st->on);
    }
    return fn(ctx, server_wide, IQL_PRIV_ADMIN); /* a kind added later: the strictest until decided */
}
