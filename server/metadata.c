/* metadata: metric metadata from remote_write, for /api/v1/metadata. */
#include "metadata.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include "api.h"
#include "json.h"

#define MAX_FAMILIES 100000

typedef struct mentry {
    char *db, *family, *help, *unit;
    unsigned type;
} mentry;

static pthread_mutex_t g_mu = PTHREAD_MUTEX_INITIALIZER;
static mentry *g_tab; /* sorted by (db, family) */
static size_t g_n, g_cap;
static _Atomic uint64_t g_dropped;

static int cmp_key(const char *db, const char *fam, const mentry *e)
{
    int c = strcmp(db, e->db);
    return c ? c : strcmp(fam, e->family);
}

/* Index of (db, fam), or where it would go, with *found. */
static size_t find(const char *db, const char *fam, bool *found)
{
    size_t lo = 0, hi = g_n;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        int c = cmp_key(db, fam, &g_tab[mid]);
        if (c == 0) {
            *found = true;
            return mid;
        }
        if (c < 0) hi = mid;
        else lo = mid + 1;
    }
    *found = false;
    return lo;
}

static size_t db_count(const char *db)
{
    size_t n = 0;
    for (size_t i = 0; i < g_n; i++) n += !strcmp(g_tab[i].db, db);
    return n;
}

/* An empty slice may carry a NULL pointer: no memcmp on it. */
static bool same_text(const char *s, st_slice x)
{
    return strlen(s) == x.n && (x.n == 0 || memcmp(s, x.p, x.n) == 0);
}

void metadata_put(const char *db, st_slice family, unsigned type, st_slice help, st_slice unit)
{
    if (!family.n) return;
    char *fam = st_strndup(family.p, family.n);
    pthread_mutex_lock(&g_mu);
    bool found;
    size_t i = find(db, fam, &found);
    if (found) {
        mentry *e = &g_tab[i];
        if (e->type != type || !same_text(e->help, help) || !same_text(e->unit, unit)) {
            st_free(e->help);
            st_free(e->unit);
            e->help = st_strndup(help.p, help.n);
            e->unit = st_strndup(unit.p, unit.n);
            e->type = type;
        }
        st_free(fam);
    } else if (db_count(db) >= MAX_FAMILIES) {
        atomic_fetch_add(&g_dropped, 1);
        st_free(fam);
    } else {
        if (g_n == g_cap) {
            g_cap = g_cap ? g_cap * 2 : 256;
            g_tab = st_realloc(g_tab, g_cap * sizeof *g_tab);
        }
        memmove(&g_tab[i + 1], &g_tab[i], (g_n - i) * sizeof *g_tab);
        g_tab[i] = (mentry){st_strndup(db, strlen(db)), fam, st_strndup(help.p, help.n),
                            st_strndup(unit.p, unit.n), type};
        g_n++;
    }
    pthread_mutex_unlock(&g_mu);
}

uint64_t metadata_dropped(void) { return atomic_load(&g_dropped); }

static const char *type_name(unsigned t)
{
    static const char *const names[] = {"unknown", "counter", "gauge", "histogram",
                                        "gaugehistogram", "summary", "info", "stateset"};
    return t < 8 ? names[t] : "unknown";
}

void api_prom_metadata(api_server *sv, http_req *rq, http_resp *rs)
{
    (void)sv;
    const char *lim = http_arg(rq, "limit"), *metric = http_arg(rq, "metric");
    long limit = -1;
    if (lim && *lim) {
        char *end;
        limit = strtol(lim, &end, 10);
        if (*end) {
            api_error(rs, ST_EINVAL, "limit must be a number");
            return;
        }
    }
    rs->status = 200;
    rs->content_type = "application/json";
    st_buf_printf(&rs->body, "{\"status\":\"success\",\"data\":{");
    pthread_mutex_lock(&g_mu);
    long out = 0;
    for (size_t i = 0; i < g_n && (limit < 0 || out < limit); i++) {
        mentry *e = &g_tab[i];
        if (strcmp(e->db, rq->db) || (metric && *metric && strcmp(e->family, metric))) continue;
        if (out++) st_buf_putc(&rs->body, ',');
        json_str_ex(&rs->body, e->family, strlen(e->family), JSON_ESC_HTML);
        st_buf_printf(&rs->body, ":[{\"type\":\"%s\",\"help\":", type_name(e->type));
        json_str_ex(&rs->body, e->help, strlen(e->help), JSON_ESC_HTML);
        st_buf_printf(&rs->body, ",\"unit\":");
        json_str_ex(&rs->body, e->unit, strlen(e->unit), JSON_ESC_HTML);
        st_buf_printf(&rs->body, "}]");
    }
    pthread_mutex_unlock(&g_mu);
    st_buf_printf(&rs->body, "}}\n");
}
