/* store: opening a data directory, replaying the WAL, the write path, and
 * databases. Reads are in scan.c; flush, compaction, retention and
 * checkpoints in maint.c.
 *
 * WAL payloads (all integers uvarint unless said):
 *   REC_SERIES   db_id ref vtype table_len keylen key
 *   REC_SAMPLES  db_id nseries zigzag(base_ts) { ref n { zigzag(ts - prev_ts) value } }
 *                (prev_ts starts at base_ts for every series)
 *                value: float = 8 bytes LE bit pattern; int = zigzag varint;
 *                uint = varint; bool = 1 byte; string = len bytes
 *   REC_DELETE   db_id zigzag(mint) zigzag(maxt) nrefs { ref }
 * A REC_SERIES precedes, in WAL order, every REC_SAMPLES that names its ref:
 * both are appended inside the same head-shard critical section.
 *
 * The write path per shard: lock; find or create each series (a new one
 * appends its REC_SERIES); append one REC_SAMPLES; apply to the head;
 * unlock. Then wal_sync for the last lsn, and only then the acknowledgement.
 * Because the WAL append and the head apply share the shard lock, the order
 * of two writes to one series is the same in the head and in the WAL, so the
 * later write wins in both, and after replay.
 */
#include "store_int.h"

#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/statvfs.h>
#include <time.h>

#include "bits.h"
#include "labels.h"
#include "samples.h"

static const char *const reject_names[REJ_COUNT] = {
    "type_conflict", "too_old", "too_far_in_future", "series_limit",
    "invalid",       "storage", "memory_limit",
};

const char *store_reject_reason_name(int i)
{
    return i >= 0 && i < REJ_COUNT ? reject_names[i] : NULL;
}

void store_log(store *s, const char *level, const char *fmt, ...)
{
    char msg[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    if (s && s->o.log) {
        s->o.log(s->o.log_ctx, level, msg);
        return;
    }
    fprintf(stderr, "strata %s: %s\n", level, msg);
}

void store_opts_default(store_opts *o)
{
    memset(o, 0, sizeof *o);
    o->data_dir = "./data";
    o->retention = 30LL * 86400 * ST_NS_PER_S;
    o->memory_window = 2LL * 3600 * ST_NS_PER_S;
    o->block_duration = 2LL * 3600 * ST_NS_PER_S;
    o->future_limit = 10LL * 60 * ST_NS_PER_S;
    o->maintenance_interval = 30LL * ST_NS_PER_S;
    o->wal_checkpoint_bytes = 256u << 20;
}

int64_t sdb_retention(const store *s, const sdb *d)
{
    return d->retention >= 0 ? d->retention : s->o.retention;
}

int64_t sdb_memory_window(const store *s, const sdb *d)
{
    return d->memory_window >= 0 ? d->memory_window : s->o.memory_window;
}

/* ---------------------------------------------------------------- databases */

static sdb *sdb_new(store *s, const catalog_db *c)
{
    sdb *d = st_calloc(1, sizeof *d);
    d->id = c->id;
    snprintf(d->name, sizeof d->name, "%s", c->name);
    d->retention = c->retention;
    d->memory_window = c->memory_window;
    /* store_open checked that the data directory path leaves room for these */
    if (snprintf(d->dir, sizeof d->dir, "%s/db/%s", s->data_dir, c->name) >= (int)sizeof d->dir ||
        st_path(d->blocks_dir, sizeof d->blocks_dir, d->dir, "blocks") != 0)
        d->blocks_dir[0] = 0;
    head_opts ho = {.nshards = s->o.nshards};
    d->head = head_new(&ho);
    pthread_rwlockattr_t attr;
    pthread_rwlockattr_init(&attr);
    /* writer preference: a flush's short exclusive section must not starve */
    pthread_rwlockattr_setkind_np(&attr, PTHREAD_RWLOCK_PREFER_WRITER_NONRECURSIVE_NP);
    pthread_rwlock_init(&d->view_lock, &attr);
    pthread_rwlockattr_destroy(&attr);
    pthread_mutex_init(&d->blocks_mu, NULL);
    pthread_mutex_init(&d->types_mu, NULL);
    pthread_mutex_init(&d->schema_mu, NULL);
    atomic_init(&d->refs, 1);
    return d;
}

/* The low 3 bits of an entry hold the type; the rest is the hash with its
 * low bits shifted out (a collision needs 61 equal bits). */
static size_t types_slot(uint64_t hash, size_t cap) { return (size_t)(hash >> 20) & (cap - 1); }

static void types_insert(uint64_t *tab, size_t cap, uint64_t entry)
{
    size_t j = types_slot(entry >> 3 << 3, cap);
    while (tab[j] && (tab[j] >> 3) != (entry >> 3)) j = (j + 1) & (cap - 1);
    tab[j] = entry;
}

void sdb_type_put(sdb *d, uint64_t hash, uint8_t type)
{
    uint64_t entry = (hash >> 3 << 3) | (type & 7);
    if (!(entry >> 3)) entry |= 8;
    pthread_mutex_lock(&d->types_mu);
    if ((d->ntypes + 1) * 2 > d->captypes) {
        size_t cap = d->captypes ? d->captypes * 2 : 1024;
        uint64_t *t = st_calloc(cap, sizeof *t);
        for (size_t i = 0; i < d->captypes; i++)
            if (d->types[i]) types_insert(t, cap, d->types[i]);
        st_free(d->types);
        d->types = t;
        d->captypes = cap;
    }
    size_t j = types_slot(entry >> 3 << 3, d->captypes);
    while (d->types[j] && (d->types[j] >> 3) != (entry >> 3)) j = (j + 1) & (d->captypes - 1);
    if (!d->types[j]) d->ntypes++;
    d->types[j] = entry;
    pthread_mutex_unlock(&d->types_mu);
}

uint8_t sdb_type_get(sdb *d, uint64_t hash)
{
    uint64_t key = hash >> 3;
    if (!key) key = 1;
    uint8_t t = 0;
    pthread_mutex_lock(&d->types_mu);
    if (d->captypes) {
        size_t j = types_slot(key << 3, d->captypes);
        while (d->types[j]) {
            if ((d->types[j] >> 3) == key) {
                t = (uint8_t)(d->types[j] & 7);
                break;
            }
            j = (j + 1) & (d->captypes - 1);
        }
    }
    pthread_mutex_unlock(&d->types_mu);
    return t;
}

static void sdb_free(store *s, sdb *d)
{
    bool dropped = atomic_load(&d->dropped);
    for (size_t i = 0; i < d->nblocks; i++) {
        if (dropped) blk_mark_deleted(d->blocks[i]);
        blk_unref(d->blocks[i]);
    }
    st_free(d->blocks);
    head_free(d->head);
    if (dropped) {
        int rc = vfs_remove_tree(s->vfs, d->dir);
        if (rc < 0) store_log(s, "warn", "removing %s: %s", d->dir, strerror(-rc));
    }
    pthread_rwlock_destroy(&d->view_lock);
    pthread_mutex_destroy(&d->blocks_mu);
    pthread_mutex_destroy(&d->types_mu);
    st_free(d->types);
    scan_memo_free(d);
    pthread_mutex_destroy(&d->schema_mu);
    st_free(d);
}

void sdb_ref(sdb *d) { atomic_fetch_add(&d->refs, 1); }

void sdb_unref(store *s, sdb *d)
{
    if (atomic_fetch_sub(&d->refs, 1) == 1) sdb_free(s, d);
}

static sdb *find_db_locked(store *s, const char *name)
{
    for (size_t i = 0; i < s->ndbs; i++)
        if (strcmp(s->dbs[i]->name, name) == 0) return s->dbs[i];
    return NULL;
}

static sdb *find_db_id_locked(store *s, uint32_t id)
{
    for (size_t i = 0; i < s->ndbs; i++)
        if (s->dbs[i]->id == id) return s->dbs[i];
    return NULL;
}

sdb *store_db_get(store *s, const char *name)
{
    pthread_rwlock_rdlock(&s->dbs_lock);
    sdb *d = find_db_locked(s, name);
    if (d) sdb_ref(d);
    pthread_rwlock_unlock(&s->dbs_lock);
    return d;
}

static void dbs_push(store *s, sdb *d)
{
    if (s->ndbs == s->capdbs) {
        s->capdbs = s->capdbs ? s->capdbs * 2 : 8;
        s->dbs = st_realloc(s->dbs, s->capdbs * sizeof *s->dbs);
    }
    s->dbs[s->ndbs++] = d;
}

bool store_db_exists(store *s, const char *name)
{
    pthread_rwlock_rdlock(&s->dbs_lock);
    bool ok = find_db_locked(s, name) != NULL;
    pthread_rwlock_unlock(&s->dbs_lock);
    return ok;
}

int store_db_create(store *s, const char *name, int64_t retention, int64_t memory_window,
                    st_err *e)
{
    int rc = catalog_name_valid(name, strlen(name), e);
    if (rc) return rc;
    pthread_mutex_lock(&s->cat_mu);
    if (catalog_find(&s->cat, name)) {
        pthread_mutex_unlock(&s->cat_mu);
        return st_fail(e, ST_EEXIST, "database \"%s\" already exists", name);
    }
    catalog_db *c = catalog_add(&s->cat, name, retention, memory_window);
    catalog_db copy = *c;
    rc = catalog_save(s->vfs, s->data_dir, &s->cat, e);
    if (rc) {
        catalog_remove(&s->cat, name);
        pthread_mutex_unlock(&s->cat_mu);
        return rc;
    }
    sdb *d = sdb_new(s, &copy);
    int mrc = vfs_mkdir_p(s->vfs, d->blocks_dir, 0755);
    if (mrc < 0) {
        /* the catalog entry stands; the directory is created again at open */
        store_log(s, "warn", "creating %s: %s", d->blocks_dir, strerror(-mrc));
    }
    pthread_rwlock_wrlock(&s->dbs_lock);
    dbs_push(s, d);
    pthread_rwlock_unlock(&s->dbs_lock);
    pthread_mutex_unlock(&s->cat_mu);
    store_log(s, "info", "created database \"%s\"", name);
    return 0;
}

int store_db_alter(store *s, const char *name, int64_t retention, int64_t memory_window,
                   st_err *e)
{
    pthread_mutex_lock(&s->cat_mu);
    catalog_db *c = catalog_find(&s->cat, name);
    if (!c) {
        pthread_mutex_unlock(&s->cat_mu);
        return st_fail(e, ST_ENOTFOUND, "database not found: \"%s\"", name);
    }
    catalog_db old = *c;
    if (retention != INT64_MIN) c->retention = retention;
    if (memory_window != INT64_MIN) c->memory_window = memory_window;
    int rc = catalog_save(s->vfs, s->data_dir, &s->cat, e);
    if (rc) {
        *c = old;
    } else {
        pthread_rwlock_rdlock(&s->dbs_lock);
        sdb *d = find_db_locked(s, name);
        if (d) {
            d->retention = c->retention;
            d->memory_window = c->memory_window;
        }
        pthread_rwlock_unlock(&s->dbs_lock);
    }
    pthread_mutex_unlock(&s->cat_mu);
    return rc;
}

int store_db_drop(store *s, const char *name, st_err *e)
{
    pthread_mutex_lock(&s->maint_mu);
    pthread_mutex_lock(&s->cat_mu);
    catalog_db *c = catalog_find(&s->cat, name);
    if (!c) {
        pthread_mutex_unlock(&s->cat_mu);
        pthread_mutex_unlock(&s->maint_mu);
        return st_fail(e, ST_ENOTFOUND, "database not found: \"%s\"", name);
    }
    catalog_db old = *c;
    catalog_remove(&s->cat, name);
    /* its continuous queries go with it (kept aside until the save holds) */
    catalog kept = {0};
    for (size_t i = 0; i < s->cat.ncqs; i++)
        if (!strcmp(s->cat.cqs[i].db, name)) catalog_add_cq(&kept, name, s->cat.cqs[i].name, s->cat.cqs[i].text);
    catalog_remove_cq(&s->cat, name, NULL);
    for (size_t i = 0; i < s->cat.nobjs; i++)
        if (!strcmp(s->cat.objs[i].db, name))
            catalog_add_obj(&kept, s->cat.objs[i].kind, name, s->cat.objs[i].name, s->cat.objs[i].text);
    catalog_remove_obj(&s->cat, NULL, name, NULL);
    int rc = catalog_save(s->vfs, s->data_dir, &s->cat, e);
    if (rc == 0 && kept.ncqs) atomic_fetch_add(&s->cq_gen, 1);
    for (size_t i = 0; rc && i < kept.ncqs; i++) catalog_add_cq(&s->cat, name, kept.cqs[i].name, kept.cqs[i].text);
    for (size_t i = 0; rc && i < kept.nobjs; i++)
        catalog_add_obj(&s->cat, kept.objs[i].kind, name, kept.objs[i].name, kept.objs[i].text);
    catalog_free(&kept);
    if (rc) {
        catalog_db *back = catalog_add(&s->cat, old.name, old.retention, old.memory_window);
        back->id = old.id;
        pthread_mutex_unlock(&s->cat_mu);
        pthread_mutex_unlock(&s->maint_mu);
        return rc;
    }
    pthread_rwlock_wrlock(&s->dbs_lock);
    sdb *d = NULL;
    for (size_t i = 0; i < s->ndbs; i++) {
        if (strcmp(s->dbs[i]->name, name) == 0) {
            d = s->dbs[i];
            memmove(&s->dbs[i], &s->dbs[i + 1], (s->ndbs - i - 1) * sizeof *s->dbs);
            s->ndbs--;
            break;
        }
    }
    if (d) {
        /* Move the directory aside at once: a database created again under
         * this name must not share it, and the last reference (a query may
         * still hold one) removes the renamed tree. */
        char aside[PATH_MAX];
        if (snprintf(aside, sizeof aside, "%s/db/.dropped-%u-%s", s->data_dir, d->id, d->name) <
                (int)sizeof aside &&
            s->vfs->rename(s->vfs, d->dir, aside) == 0) {
            snprintf(d->dir, sizeof d->dir, "%s", aside);
            char dbdir[PATH_MAX];
            st_path(dbdir, sizeof dbdir, s->data_dir, "db");
            vfs_fsync_dir(s->vfs, dbdir);
        }
    }
    pthread_rwlock_unlock(&s->dbs_lock);
    pthread_mutex_unlock(&s->cat_mu);
    pthread_mutex_unlock(&s->maint_mu);
    if (d) {
        atomic_store(&d->dropped, true);
        sdb_unref(s, d);
    }
    store_log(s, "info", "dropped database \"%s\"", name);
    return 0;
}

int store_cq_create(store *s, const char *db, const char *name, const char *text, st_err *e)
{
    pthread_mutex_lock(&s->cat_mu);
    int rc = 0;
    if (!catalog_find(&s->cat, db)) rc = st_fail(e, ST_ENOTFOUND, "database not found: %s", db);
    else if (catalog_find_cq(&s->cat, db, name)) {
        /* the same statement again is no change, as in InfluxDB */
        if (strcmp(catalog_find_cq(&s->cat, db, name)->text, text) != 0)
            rc = st_fail(e, ST_EEXIST, "continuous query already exists");
        pthread_mutex_unlock(&s->cat_mu);
        return rc;
    }
    if (rc == 0) {
        catalog_add_cq(&s->cat, db, name, text);
        rc = catalog_save(s->vfs, s->data_dir, &s->cat, e);
        if (rc) catalog_remove_cq(&s->cat, db, name);
        else atomic_fetch_add(&s->cq_gen, 1);
    }
    pthread_mutex_unlock(&s->cat_mu);
    return rc;
}

int store_cq_drop(store *s, const char *db, const char *name, st_err *e)
{
    pthread_mutex_lock(&s->cat_mu);
    catalog_cq *q = catalog_find_cq(&s->cat, db, name);
    int rc = 0;
    if (!q) {
        rc = st_fail(e, ST_ENOTFOUND, "continuous query not found");
    } else {
        char *text = q->text;
        q->text = NULL;
        catalog_remove_cq(&s->cat, db, name);
        rc = catalog_save(s->vfs, s->data_dir, &s->cat, e);
        if (rc) catalog_add_cq(&s->cat, db, name, text);
        else atomic_fetch_add(&s->cq_gen, 1);
        st_free(text);
    }
    pthread_mutex_unlock(&s->cat_mu);
    return rc;
}

void store_cq_list(store *s, store_cq **out, size_t *n, uint64_t *gen)
{
    pthread_mutex_lock(&s->cat_mu);
    if (gen) *gen = atomic_load(&s->cq_gen);
    store_cq *v = st_calloc(s->cat.ncqs ? s->cat.ncqs : 1, sizeof *v);
    for (size_t i = 0; i < s->cat.ncqs; i++) {
        const catalog_cq *q = &s->cat.cqs[i];
        snprintf(v[i].db, sizeof v[i].db, "%s", q->db);
        size_t nl = strlen(q->name), tl = strlen(q->text);
        v[i].name = st_malloc(nl + 1);
        memcpy(v[i].name, q->name, nl + 1);
        v[i].text = st_malloc(tl + 1);
        memcpy(v[i].text, q->text, tl + 1);
    }
    *out = v;
    *n = s->cat.ncqs;
    pthread_mutex_unlock(&s->cat_mu);
}

static char *copy_text(const char *t)
{
    size_t n = strlen(t);
    char *c = st_malloc(n + 1);
    memcpy(c, t, n + 1);
    return c;
}

int store_obj_put(store *s, const char *kind, const char *db, const char *name, const char *text, bool create_only,
                  st_err *e)
{
    if (!*kind || strlen(kind) > CATALOG_KIND_MAX) return st_fail(e, ST_EINVAL, "invalid object kind \"%s\"", kind);
    pthread_mutex_lock(&s->cat_mu);
    int rc = 0;
    catalog_obj *o = catalog_find_obj(&s->cat, kind, db, name);
    if (*db && !catalog_find(&s->cat, db)) {
        rc = st_fail(e, ST_ENOTFOUND, "database not found: %s", db);
    } else if (o && create_only) {
        rc = st_fail(e, ST_EEXIST, "%s \"%s\" already exists", kind, name);
    } else if (o) {
        char *old = o->text;
        o->text = copy_text(text);
        rc = catalog_save(s->vfs, s->data_dir, &s->cat, e);
        if (rc) {
            st_free(o->text);
            o->text = old;
        } else {
            st_free(old);
        }
    } else {
        catalog_add_obj(&s->cat, kind, db, name, text);
        rc = catalog_save(s->vfs, s->data_dir, &s->cat, e);
        if (rc) catalog_remove_obj(&s->cat, kind, db, name);
    }
    pthread_mutex_unlock(&s->cat_mu);
    return rc;
}

int store_obj_get(store *s, const char *kind, const char *db, const char *name, char **text, st_err *e)
{
    pthread_mutex_lock(&s->cat_mu);
    catalog_obj *o = catalog_find_obj(&s->cat, kind, db, name);
    *text = o ? copy_text(o->text) : NULL;
    pthread_mutex_unlock(&s->cat_mu);
    return o ? 0 : st_fail(e, ST_ENOTFOUND, "%s \"%s\" not found", kind, name);
}

int store_obj_delete(store *s, const char *kind, const char *db, const char *name, st_err *e)
{
    pthread_mutex_lock(&s->cat_mu);
    catalog_obj *o = catalog_find_obj(&s->cat, kind, db, name);
    int rc = 0;
    if (!o) {
        rc = st_fail(e, ST_ENOTFOUND, "%s \"%s\" not found", kind, name);
    } else {
        char *text = copy_text(o->text);
        catalog_remove_obj(&s->cat, kind, db, name);
        rc = catalog_save(s->vfs, s->data_dir, &s->cat, e);
        if (rc) catalog_add_obj(&s->cat, kind, db, name, text);
        st_free(text);
    }
    pthread_mutex_unlock(&s->cat_mu);
    return rc;
}

static int obj_cmp(const void *a, const void *b)
{
    const store_obj *x = a, *y = b;
    int c = strcmp(x->db, y->db);
    return c ? c : strcmp(x->name, y->name);
}

void store_obj_list(store *s, const char *kind, const char *db, store_obj **out, size_t *n)
{
    pthread_mutex_lock(&s->cat_mu);
    store_obj *v = st_calloc(s->cat.nobjs ? s->cat.nobjs : 1, sizeof *v);
    size_t k = 0;
    for (size_t i = 0; i < s->cat.nobjs; i++) {
        const catalog_obj *o = &s->cat.objs[i];
        if (strcmp(o->kind, kind) || (db && strcmp(o->db, db))) continue;
        snprintf(v[k].db, sizeof v[k].db, "%s", o->db);
        v[k].name = copy_text(o->name);
        v[k].text = copy_text(o->text);
        k++;
    }
    pthread_mutex_unlock(&s->cat_mu);
    qsort(v, k, sizeof *v, obj_cmp);
    *out = v;
    *n = k;
}

void store_obj_list_free(store_obj *v, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        st_free(v[i].name);
        st_free(v[i].text);
    }
    st_free(v);
}

void store_cq_list_free(store_cq *v, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        st_free(v[i].name);
        st_free(v[i].text);
    }
    st_free(v);
}

static int cmp_info(const void *a, const void *b)
{
    return strcmp(((const store_db_info *)a)->name, ((const store_db_info *)b)->name);
}

int store_db_list(store *s, store_db_info **out, size_t *n)
{
    pthread_rwlock_rdlock(&s->dbs_lock);
    store_db_info *v = st_calloc(s->ndbs ? s->ndbs : 1, sizeof *v);
    for (size_t i = 0; i < s->ndbs; i++) {
        sdb *d = s->dbs[i];
        snprintf(v[i].name, sizeof v[i].name, "%s", d->name);
        v[i].retention = sdb_retention(s, d);
        v[i].memory_window = sdb_memory_window(s, d);
        v[i].series = head_series_count(d->head);
        pthread_mutex_lock(&d->blocks_mu);
        v[i].blocks = d->nblocks;
        for (size_t j = 0; j < d->nblocks; j++) {
            v[i].block_samples += blk_nsamples(d->blocks[j]);
            v[i].block_bytes += blk_disk_bytes(d->blocks[j]);
        }
        pthread_mutex_unlock(&d->blocks_mu);
    }
    *n = s->ndbs;
    pthread_rwlock_unlock(&s->dbs_lock);
    qsort(v, *n, sizeof *v, cmp_info);
    *out = v;
    return 0;
}

void sdb_add_block_locked(sdb *d, blk *b)
{
    if (d->nblocks == d->capblocks) {
        d->capblocks = d->capblocks ? d->capblocks * 2 : 16;
        d->blocks = st_realloc(d->blocks, d->capblocks * sizeof *d->blocks);
    }
    /* keep sorted by (mint, id); ids sort in creation order */
    size_t i = d->nblocks;
    while (i > 0 && (blk_mint(d->blocks[i - 1]) > blk_mint(b) ||
                     (blk_mint(d->blocks[i - 1]) == blk_mint(b) &&
                      strcmp(blk_id(d->blocks[i - 1]), blk_id(b)) > 0))) {
        d->blocks[i] = d->blocks[i - 1];
        i--;
    }
    d->blocks[i] = b;
    d->nblocks++;
    atomic_fetch_add(&d->series_gen, 1);
}

void sdb_remove_block_locked(sdb *d, blk *b)
{
    for (size_t i = 0; i < d->nblocks; i++) {
        if (d->blocks[i] == b) {
            memmove(&d->blocks[i], &d->blocks[i + 1], (d->nblocks - i - 1) * sizeof *d->blocks);
            d->nblocks--;
            atomic_fetch_add(&d->series_gen, 1);
            return;
        }
    }
}

/* ---------------------------------------------------------------- WAL records */

void rec_series(st_buf *b, uint32_t db_id, uint64_t ref, series_meta m, const uint8_t *key,
                size_t keylen)
{
    varint_buf(b, db_id);
    varint_buf(b, ref);
    st_buf_putc(b, m.type);
    varint_buf(b, m.table_len);
    varint_buf(b, keylen);
    st_buf_put(b, key, keylen);
}

static void put_value(st_buf *b, uint8_t type, uint64_t v, st_slice str)
{
    switch (type) {
    case ST_VT_FLOAT:
        st_buf_reserve(b, 8);
        put_u64le(b->p + b->len, v);
        b->len += 8;
        break;
    case ST_VT_INT: varint_buf(b, zigzag_enc((int64_t)v)); break;
    case ST_VT_UINT: varint_buf(b, v); break;
    case ST_VT_BOOL: st_buf_putc(b, (uint8_t)(v != 0)); break;
    default:
        varint_buf(b, str.n);
        st_buf_put(b, str.p, str.n);
        break;
    }
}

void rec_samples_one(st_buf *b, uint32_t db_id, uint64_t ref, uint8_t type,
                     const codec_samples *smp, size_t from, size_t to)
{
    varint_buf(b, db_id);
    varint_buf(b, 1);
    int64_t prev = to > from ? smp->ts[from] : 0;
    varint_buf(b, zigzag_enc(prev));
    varint_buf(b, ref);
    varint_buf(b, to - from);
    for (size_t i = from; i < to; i++) {
        varint_buf(b, zigzag_enc((int64_t)((uint64_t)smp->ts[i] - (uint64_t)prev)));
        prev = smp->ts[i];
        put_value(b, type, type == ST_VT_STRING ? 0 : smp->vals[i],
                  type == ST_VT_STRING ? smp->strs[i] : st_slice_of(NULL, 0));
    }
}

static int get_value(const uint8_t **p, const uint8_t *end, uint8_t type, uint64_t *v,
                     st_slice *str)
{
    switch (type) {
    case ST_VT_FLOAT:
        if (end - *p < 8) return ST_ECORRUPT;
        *v = get_u64le(*p);
        *p += 8;
        return 0;
    case ST_VT_INT: {
        int64_t x;
        int rc = varint_get_signed(p, end, &x);
        *v = (uint64_t)x;
        return rc;
    }
    case ST_VT_UINT: return varint_get(p, end, v);
    case ST_VT_BOOL:
        if (*p >= end || **p > 1) return ST_ECORRUPT;
        *v = *(*p)++;
        return 0;
    case ST_VT_STRING: {
        uint64_t n;
        if (varint_get(p, end, &n) || n > (uint64_t)(end - *p)) return ST_ECORRUPT;
        *str = st_slice_of((const char *)*p, n);
        *p += n;
        *v = 0;
        return 0;
    }
    default: return ST_ECORRUPT;
    }
}

/* ---------------------------------------------------------------- batches */

typedef struct bseries {
    const uint8_t *key; /* in the batch's arena, or borrowed (store_batch_series_borrowed) */
    uint32_t keylen;
    uint64_t hash;
    series_meta meta;
    uint32_t shard;
    uint32_t nsamples; /* filled at write time */
    store_series_ref hint; /* from the writer's cache, zero = none */
    store_series_ref out;  /* what store_write resolved, zero = nothing stored */
} bseries;

typedef struct bsample {
    uint32_t handle;
    int64_t ts;
    uint64_t val; /* for strings: index into strs */
} bsample;

struct store_batch {
    st_arena *arena;
    bseries *series;
    size_t nseries, capseries;
    uint32_t *map; /* open addressing: handle + 1 */
    size_t mapcap;
    bsample *samples;
    size_t nsamples, capsamples;
    st_slice *strs;
    size_t nstrs, capstrs;
    st_buf keybuf;
};

store_batch *store_batch_new(void)
{
    store_batch *b = st_calloc(1, sizeof *b);
    b->arena = st_arena_new(64 * 1024);
    return b;
}

void store_batch_reset(store_batch *b)
{
    st_arena_reset(b->arena);
    b->nseries = b->nsamples = b->nstrs = 0;
    if (b->map) memset(b->map, 0, b->mapcap * sizeof *b->map);
}

void store_batch_free(store_batch *b)
{
    if (!b) return;
    st_arena_free(b->arena);
    st_free(b->series);
    st_free(b->map);
    st_free(b->samples);
    st_free(b->strs);
    st_buf_free(&b->keybuf);
    st_free(b);
}

size_t store_batch_samples(const store_batch *b) { return b->nsamples; }

static void batch_map_rebuild(store_batch *b)
{
    st_free(b->map);
    b->mapcap = b->mapcap ? b->mapcap * 2 : 256;
    b->map = st_calloc(b->mapcap, sizeof *b->map);
    for (size_t i = 0; i < b->nseries; i++) {
        size_t j = b->series[i].hash & (b->mapcap - 1);
        while (b->map[j]) j = (j + 1) & (b->mapcap - 1);
        b->map[j] = (uint32_t)i + 1;
    }
}

/* Finds or adds the series with this key; a known series with another type
 * is a conflict inside one request. */
static int batch_lookup(store_batch *b, const uint8_t *key, size_t keylen, uint64_t hash,
                        series_meta meta, const store_series_ref *hint, bool borrow, uint32_t *handle,
                        st_err *e)
{
    if ((b->nseries + 1) * 2 > b->mapcap) batch_map_rebuild(b);
    size_t j = hash & (b->mapcap - 1);
    while (b->map[j]) {
        bseries *x = &b->series[b->map[j] - 1];
        if (x->hash == hash && x->keylen == keylen && memcmp(x->key, key, keylen) == 0) {
            if (x->meta.type != meta.type)
                return st_fail(e, ST_ECONFLICT,
                               "field type conflict within one request: %s and %s for one series",
                               st_vtype_name((st_vtype)x->meta.type), st_vtype_name((st_vtype)meta.type));
            if (hint && !x->hint.epoch) x->hint = *hint;
            *handle = b->map[j] - 1;
            return 0;
        }
        j = (j + 1) & (b->mapcap - 1);
    }
    if (b->nseries == b->capseries) {
        b->capseries = b->capseries ? b->capseries * 2 : 64;
        b->series = st_realloc(b->series, b->capseries * sizeof *b->series);
    }
    bseries *x = &b->series[b->nseries];
    if (borrow) {
        x->key = key;
    } else {
        uint8_t *copy = st_arena_alloc(b->arena, keylen ? keylen : 1);
        if (keylen) memcpy(copy, key, keylen);
        x->key = copy;
    }
    x->keylen = (uint32_t)keylen;
    x->hash = hash;
    x->meta = meta;
    x->nsamples = 0;
    if (hint) x->hint = *hint;
    else memset(&x->hint, 0, sizeof x->hint);
    memset(&x->out, 0, sizeof x->out);
    b->map[j] = (uint32_t)b->nseries + 1;
    *handle = (uint32_t)b->nseries++;
    return 0;
}

int store_batch_series(store_batch *b, label *ls, size_t n, series_meta meta, uint32_t *handle,
                       st_err *e)
{
    int rc = labels_canonicalize(ls, &n, e);
    if (rc) return rc;
    b->keybuf.len = 0;
    labels_key(ls, n, &b->keybuf);
    uint64_t hash = st_hash64(b->keybuf.p, b->keybuf.len, 0);
    return batch_lookup(b, b->keybuf.p, b->keybuf.len, hash, meta, NULL, false, handle, e);
}

int store_batch_series_key(store_batch *b, const uint8_t *key, size_t keylen, uint64_t hash,
                           series_meta meta, uint32_t *handle, st_err *e)
{
    return batch_lookup(b, key, keylen, hash, meta, NULL, false, handle, e);
}

int store_batch_series_key_ref(store_batch *b, const uint8_t *key, size_t keylen, uint64_t hash,
                               series_meta meta, const store_series_ref *ref, uint32_t *handle,
                               st_err *e)
{
    return batch_lookup(b, key, keylen, hash, meta, ref && ref->epoch ? ref : NULL, false, handle, e);
}

int store_batch_series_borrowed(store_batch *b, const uint8_t *key, size_t keylen, uint64_t hash,
                                series_meta meta, const store_series_ref *ref, uint32_t *handle,
                                st_err *e)
{
    return batch_lookup(b, key, keylen, hash, meta, ref && ref->epoch ? ref : NULL, true, handle, e);
}

void store_batch_ref(const store_batch *b, uint32_t handle, store_series_ref *out)
{
    *out = b->series[handle].out;
}

void store_batch_key(const store_batch *b, uint32_t handle, const uint8_t **key, size_t *keylen,
                     uint64_t *hash)
{
    *key = b->series[handle].key;
    *keylen = b->series[handle].keylen;
    *hash = b->series[handle].hash;
}

static bsample *batch_push(store_batch *b)
{
    if (b->nsamples == b->capsamples) {
        b->capsamples = b->capsamples ? b->capsamples * 2 : 256;
        b->samples = st_realloc(b->samples, b->capsamples * sizeof *b->samples);
    }
    return &b->samples[b->nsamples++];
}

void store_batch_add(store_batch *b, uint32_t handle, int64_t ts, uint64_t val)
{
    bsample *x = batch_push(b);
    x->handle = handle;
    x->ts = ts;
    x->val = val;
}

void store_batch_add_str(store_batch *b, uint32_t handle, int64_t ts, st_slice str)
{
    if (b->nstrs == b->capstrs) {
        b->capstrs = b->capstrs ? b->capstrs * 2 : 64;
        b->strs = st_realloc(b->strs, b->capstrs * sizeof *b->strs);
    }
    char *copy = st_arena_alloc(b->arena, str.n ? str.n : 1);
    if (str.n) memcpy(copy, str.p, str.n);
    b->strs[b->nstrs] = st_slice_of(copy, str.n);
    store_batch_add(b, handle, ts, b->nstrs++);
}

/* ---------------------------------------------------------------- write path */

static void reject(store *s, store_write_result *res, int reason, int code, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));

static void reject(store *s, store_write_result *res, int reason, int code, const char *fmt, ...)
{
    atomic_fetch_add_explicit(&s->rejected[reason], 1, memory_order_relaxed);
    res->rejected++;
    if (res->first_code == 0) {
        res->first_code = code;
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(res->first_error, sizeof res->first_error, fmt, ap);
        va_end(ap);
    }
}

static void format_series(const uint8_t *key, size_t len, char *out, size_t cap)
{
    st_buf b = {0};
    labels_format_key(key, len, &b);
    snprintf(out, cap, "%.*s", (int)(b.len > 160 ? 160 : b.len), (const char *)b.p);
    st_buf_free(&b);
}

/* "field type conflict" in InfluxDB's words, naming table and column. */
static void type_conflict(store *s, store_write_result *res, const bseries *x, uint8_t have)
{
    st_slice name = labels_key_name(x->key, x->keylen);
    size_t tl = x->meta.table_len <= name.n ? x->meta.table_len : name.n;
    const char *col = tl < name.n ? name.p + tl + 1 : "value";
    int coll = tl < name.n ? (int)(name.n - tl - 1) : 5;
    reject(s, res, REJ_TYPE_CONFLICT, ST_ECONFLICT,
           "field type conflict: input field \"%.*s\" on measurement \"%.*s\" is type %s, "
           "already exists as type %s",
           coll, col, (int)tl, name.p, st_vtype_name((st_vtype)x->meta.type),
           st_vtype_name((st_vtype)have));
}

/* SAMPLES records are cut at about this size (the WAL takes up to 64 MiB). */
#define REC_SPLIT_BYTES (8u << 20)

/* The series count of a SAMPLES record, as a fixed 5-byte varint written
 * once the count is known. */
static void patch_count(uint8_t *p, uint32_t v)
{
    for (int i = 0; i < 4; i++, v >>= 7) p[i] = (uint8_t)((v & 0x7f) | 0x80);
    p[4] = (uint8_t)(v & 0x7f);
}

/* Asks the file system for its free space directly, not through the vfs:
 * statvfs reads and writes no file, only the file system's counters, so no
 * data passes around the vfs (an encrypting one would have nothing to add). */
static bool disk_has_room(store *s)
{
    struct statvfs sv;
    if (statvfs(s->data_dir, &sv) != 0) return true;
    return (uint64_t)sv.f_bavail * sv.f_frsize > 16u * 1024 * 1024;
}

int store_write(store *s, const char *dbname, store_batch *b, store_write_result *res, st_err *e)
{
    memset(res, 0, sizeof *res);
    if (atomic_load(&s->fatal))
        return st_fail(e, ST_EFATAL, "storage is in a failed state after an fsync error");
    if (atomic_load(&s->disk_full)) {
        if (!disk_has_room(s))
            return st_fail(e, ST_ENOSPC, "disk full: writes are refused until space is freed");
        atomic_store(&s->disk_full, false);
    }
    if (s->o.max_head_bytes) {
        uint64_t mem = 0;
        pthread_rwlock_rdlock(&s->dbs_lock);
        for (size_t i = 0; i < s->ndbs; i++) mem += head_memory(s->dbs[i]->head);
        pthread_rwlock_unlock(&s->dbs_lock);
        if (mem > s->o.max_head_bytes) {
            atomic_fetch_add(&s->rejected[REJ_MEMORY_LIMIT], b->nsamples);
            return st_fail(e, ST_ELIMIT,
                           "head memory limit reached (%" PRIu64 " bytes in use, limit %" PRIu64
                           "): retry later",
                           mem, s->o.max_head_bytes);
        }
    }
    pthread_rwlock_rdlock(&s->dbs_lock);
    sdb *d = find_db_locked(s, dbname);
    if (!d) {
        pthread_rwlock_unlock(&s->dbs_lock);
        return st_fail(e, ST_ENOTFOUND, "database not found: \"%s\"", dbname);
    }
    head *h = d->head;
    unsigned nsh = head_nshards(h);
    uint64_t epoch = head_epoch(h);
    int64_t now = st_now_ns();
    int64_t ret = sdb_retention(s, d);
    int64_t too_old = ret > 0 ? now - ret : INT64_MIN;
    int64_t too_new = now + s->o.future_limit;

    /* Counting sort: samples grouped by series (keeping batch order inside a
     * series), series grouped by shard. */
    size_t ns = b->nseries;
    uint32_t *sstart = st_calloc(ns + 1, sizeof *sstart);
    for (size_t i = 0; i < b->nsamples; i++) sstart[b->samples[i].handle + 1]++;
    for (size_t i = 0; i < ns; i++) sstart[i + 1] += sstart[i];
    uint32_t *order = st_malloc((b->nsamples + 1) * sizeof *order);
    {
        uint32_t *fill = st_malloc((ns + 1) * sizeof *fill);
        memcpy(fill, sstart, (ns + 1) * sizeof *fill);
        for (size_t i = 0; i < b->nsamples; i++) order[fill[b->samples[i].handle]++] = (uint32_t)i;
        st_free(fill);
    }
    uint32_t *shstart = st_calloc(nsh + 1, sizeof *shstart);
    for (size_t i = 0; i < ns; i++) {
        b->series[i].shard = head_shard_of(h, b->series[i].hash);
        shstart[b->series[i].shard + 1]++;
    }
    for (unsigned i = 0; i < nsh; i++) shstart[i + 1] += shstart[i];
    uint32_t *sorder = st_malloc((ns + 1) * sizeof *sorder);
    {
        uint32_t *fill = st_malloc((nsh + 1) * sizeof *fill);
        memcpy(fill, shstart, (nsh + 1) * sizeof *fill);
        for (size_t i = 0; i < ns; i++) sorder[fill[b->series[i].shard]++] = (uint32_t)i;
        st_free(fill);
    }

    st_buf rec = {0}, srec = {0};
    uint64_t last_lsn = 0;
    int rc = 0;
    char sname[200];
    for (unsigned sh = 0; sh < nsh && rc == 0; sh++) {
        if (shstart[sh] == shstart[sh + 1]) continue;
        hseries **resolved = st_malloc((shstart[sh + 1] - shstart[sh]) * sizeof *resolved);
        head_lock(h, sh);
        rec.len = 0;
        varint_buf(&rec, d->id);
        size_t count_pos = rec.len;
        uint32_t nrec_series = 0;
        st_buf_reserve(&rec, 5);
        rec.len += 5; /* room for the series count, patched below */
        int64_t base_ts = b->nsamples ? b->samples[0].ts : 0;
        varint_buf(&rec, zigzag_enc(base_ts));
        for (uint32_t k = shstart[sh]; k < shstart[sh + 1] && rc == 0; k++) {
            if (rec.len > REC_SPLIT_BYTES) {
                /* keep records far below the WAL's record limit: a large
                 * request goes out as several */
                patch_count(rec.p + count_pos, nrec_series);
                rc = wal_append(s->wal, REC_SAMPLES, NULL, 0, rec.p, rec.len, &last_lsn, e);
                if (rc) break;
                rec.len = count_pos + 5;
                varint_buf(&rec, zigzag_enc(base_ts));
                nrec_series = 0;
            }
            /* hide the cache misses of the lookups ahead: by reference, the
             * series-table slot far ahead and the series nearer (its slot has
             * arrived by then); by key, the map slot */
            if (k + 16 < shstart[sh + 1]) {
                const bseries *y = &b->series[sorder[k + 16]];
                if (y->hint.epoch == epoch && y->hint.shard == sh) head_prefetch_id(h, sh, y->hint.id);
            }
            if (k + 8 < shstart[sh + 1]) {
                const bseries *y = &b->series[sorder[k + 8]];
                hseries *ys;
                if (y->hint.epoch == epoch && y->hint.shard == sh &&
                    (ys = head_by_id_locked(h, sh, y->hint.id)))
                    head_prefetch(ys);
                else
                    head_prefetch_lookup(h, sh, y->hash);
            }
            bseries *x = &b->series[sorder[k]];
            uint32_t from = sstart[sorder[k]], to = sstart[sorder[k] + 1];
            resolved[k - shstart[sh]] = NULL;
            memset(&x->out, 0, sizeof x->out);
            /* drop samples outside the accepted time range first */
            uint32_t keep = 0;
            for (uint32_t i = from; i < to; i++) {
                const bsample *sm = &b->samples[order[i]];
                if (sm->ts < too_old) {
                    format_series(x->key, x->keylen, sname, sizeof sname);
                    reject(s, res, REJ_TOO_OLD, ST_ERANGE,
                           "%s: timestamp %" PRId64 " is older than the retention of database "
                           "\"%s\"",
                           sname, sm->ts, d->name);
                } else if (sm->ts > too_new) {
                    format_series(x->key, x->keylen, sname, sizeof sname);
                    reject(s, res, REJ_TOO_NEW, ST_ERANGE,
                           "%s: timestamp %" PRId64 " is too far in the future (limit: now + "
                           "%" PRId64 "s)",
                           sname, sm->ts, (int64_t)(s->o.future_limit / ST_NS_PER_S));
                } else {
                    order[from + keep++] = order[i];
                }
            }
            x->nsamples = keep;
            if (!keep) continue;
            /* by the writer's reference when it is still good (same head,
             * series still there): the key lookup is what it saves */
            hseries *hs = NULL;
            if (x->hint.epoch && x->hint.shard == sh)
                hs = head_by_ref_locked(h, sh, x->hint.epoch, x->hint.id, x->hash);
            if (!hs) hs = head_get_locked(h, sh, x->hash, x->key, x->keylen);
            uint8_t have_type = hs ? hseries_meta(hs).type : sdb_type_get(d, x->hash);
            if (have_type && have_type != x->meta.type) {
                for (uint32_t i = 0; i < keep; i++) type_conflict(s, res, x, have_type);
                x->nsamples = 0;
                continue;
            }
            if (!hs) {
                if (s->o.max_series && head_series_count(h) >= s->o.max_series) {
                    format_series(x->key, x->keylen, sname, sizeof sname);
                    for (uint32_t i = 0; i < keep; i++)
                        reject(s, res, REJ_SERIES_LIMIT, ST_ELIMIT,
                               "%s: database \"%s\" has reached its limit of %" PRIu64
                               " active series (--max-series)",
                               sname, d->name, s->o.max_series);
                    x->nsamples = 0;
                    continue;
                }
                uint64_t ref = atomic_fetch_add(&s->next_ref, 1);
                srec.len = 0;
                rec_series(&srec, d->id, ref, x->meta, x->key, x->keylen);
                uint64_t lsn;
                rc = wal_append(s->wal, REC_SERIES, NULL, 0, srec.p, srec.len, &lsn, e);
                if (rc) break;
                hs = head_create_locked(h, sh, x->hash, x->key, x->keylen, x->meta, ref);
                atomic_fetch_add(&s->series_created, 1);
                atomic_fetch_add(&d->series_gen, 1);
            } else if (hseries_meta(hs).table_len != x->meta.table_len) {
                atomic_fetch_add(&s->series_clashes, 1);
            }
            resolved[k - shstart[sh]] = hs;
            x->out.epoch = epoch;
            x->out.shard = sh;
            x->out.id = hseries_id(hs);
            bool is_str = x->meta.type == ST_VT_STRING;
            size_t need = 20 + (size_t)keep * 20;
            if (is_str)
                for (uint32_t i = 0; i < keep; i++) need += b->strs[b->samples[order[from + i]].val].n;
            st_buf_reserve(&rec, need);
            uint8_t *w = rec.p + rec.len;
            w += varint_put(w, hseries_ref(hs));
            w += varint_put(w, keep);
            int64_t prev = base_ts;
            for (uint32_t i = 0; i < keep; i++) {
                const bsample *sm = &b->samples[order[from + i]];
                w += varint_put(w, zigzag_enc((int64_t)((uint64_t)sm->ts - (uint64_t)prev)));
                prev = sm->ts;
                switch (x->meta.type) {
                case ST_VT_FLOAT: put_u64le(w, sm->val); w += 8; break;
                case ST_VT_INT: w += varint_put(w, zigzag_enc((int64_t)sm->val)); break;
                case ST_VT_UINT: w += varint_put(w, sm->val); break;
                case ST_VT_BOOL: *w++ = (uint8_t)(sm->val != 0); break;
                default: {
                    st_slice str = b->strs[sm->val];
                    w += varint_put(w, str.n);
                    if (str.n) memcpy(w, str.p, str.n);
                    w += str.n;
                }
                }
            }
            rec.len = (size_t)(w - rec.p);
            nrec_series++;
        }
        if (rc == 0 && nrec_series) {
            patch_count(rec.p + count_pos, nrec_series);
            rc = wal_append(s->wal, REC_SAMPLES, NULL, 0, rec.p, rec.len, &last_lsn, e);
        }
        if (rc == 0) {
            uint32_t nres = shstart[sh + 1] - shstart[sh];
            for (uint32_t k = shstart[sh]; k < shstart[sh + 1]; k++) {
                uint32_t r = k - shstart[sh];
                if (r + 16 < nres && resolved[r + 16]) head_prefetch(resolved[r + 16]);
                if (r + 8 < nres && resolved[r + 8]) head_prefetch_buffer(resolved[r + 8]);
                hseries *hs = resolved[r];
                bseries *x = &b->series[sorder[k]];
                if (!hs || !x->nsamples) continue;
                uint32_t from = sstart[sorder[k]];
                bool is_str = x->meta.type == ST_VT_STRING;
                /* a series that held nothing in memory (flushed, or all
                 * deleted) is left out of the tables' memoized schemas:
                 * holding something again changes them */
                if (hseries_empty(hs)) atomic_fetch_add(&d->series_gen, 1);
                for (uint32_t i = 0; i < x->nsamples; i++) {
                    const bsample *sm = &b->samples[order[from + i]];
                    head_append_locked(h, hs, sm->ts, is_str ? 0 : sm->val,
                                       is_str ? b->strs[sm->val] : st_slice_of(NULL, 0));
                }
                res->accepted += x->nsamples;
            }
        }
        head_unlock(h, sh);
        st_free(resolved);
    }
    pthread_rwlock_unlock(&s->dbs_lock);
    st_buf_free(&rec);
    st_buf_free(&srec);
    st_free(sstart);
    st_free(order);
    st_free(shstart);
    st_free(sorder);
    if (rc == 0 && last_lsn) rc = wal_sync(s->wal, last_lsn, e);
    if (rc) {
        if (rc == ST_ENOSPC) atomic_store(&s->disk_full, true);
        if (rc == ST_EFATAL) atomic_store(&s->fatal, 1);
        atomic_fetch_add(&s->rejected[REJ_STORAGE], b->nsamples - res->rejected);
        res->accepted = 0;
        return rc;
    }
    atomic_fetch_add_explicit(&s->samples_appended, res->accepted, memory_order_relaxed);
    if (res->rejected) return st_fail(e, res->first_code, "%s", res->first_error);
    return 0;
}

/* ---------------------------------------------------------------- deletes */

static int cmp_u32(const void *a, const void *b)
{
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
    return x < y ? -1 : x > y;
}

/* Sorts ids and drops repeats (a key given twice). */
static void ids_sort_unique(postings *p)
{
    if (p->n < 2) return;
    qsort(p->ids, p->n, sizeof *p->ids, cmp_u32);
    size_t w = 1;
    for (size_t i = 1; i < p->n; i++)
        if (p->ids[i] != p->ids[w - 1]) p->ids[w++] = p->ids[i];
    p->n = w;
}

static void ids_push(postings *p, uint32_t id)
{
    if (p->n == p->cap) {
        p->cap = p->cap ? p->cap * 2 : 64;
        p->ids = st_realloc(p->ids, p->cap * sizeof *p->ids);
    }
    p->ids[p->n++] = id;
}

/* The series a delete names: those matching ms[0..n), or (by_key) those
 * whose canonical key is one of keys[0..nkeys). */
typedef struct del_sel {
    bool by_key;
    matcher *const *ms;
    size_t n;
    const st_slice *keys;
    const uint64_t *hashes; /* st_hash64 of each key */
    size_t nkeys;
} del_sel;

static int delete_sel(store *s, const char *dbname, const del_sel *sel, int64_t mint, int64_t maxt,
                      uint64_t *nseries, st_err *e)
{
    *nseries = 0;
    /* Serialised with flushes and compactions: a flush that has read frozen
     * data into a block not yet published, or a compaction that has read its
     * sources, would otherwise bring the deleted samples back. */
    pthread_mutex_lock(&s->maint_mu);
    sdb *d = store_db_get(s, dbname);
    if (d) atomic_fetch_add(&d->series_gen, 1); /* a series may end here */
    if (!d) {
        pthread_mutex_unlock(&s->maint_mu);
        return st_fail(e, ST_ENOTFOUND, "database not found: \"%s\"", dbname);
    }
    head *h = d->head;
    postings ids = {0};
    st_buf rec = {0};
    uint64_t lsn = 0;
    int rc = 0;
    for (unsigned sh = 0; sh < head_nshards(h) && rc == 0; sh++) {
        head_lock(h, sh);
        if (!sel->by_key) {
            rc = head_select_locked(h, sh, sel->ms, sel->n, &ids, e);
        } else {
            ids.n = 0;
            for (size_t i = 0; i < sel->nkeys; i++) {
                if (head_shard_of(h, sel->hashes[i]) != sh) continue;
                hseries *hs = head_get_locked(h, sh, sel->hashes[i], (const uint8_t *)sel->keys[i].p, sel->keys[i].n);
                if (hs) ids_push(&ids, hseries_id(hs));
            }
            ids_sort_unique(&ids);
        }
        if (rc == 0 && ids.n) {
            /* one record (and below, one fsync) for all the series of a shard */
            rec.len = 0;
            varint_buf(&rec, d->id);
            varint_buf(&rec, zigzag_enc(mint));
            varint_buf(&rec, zigzag_enc(maxt));
            varint_buf(&rec, ids.n);
            for (size_t i = 0; i < ids.n; i++)
                varint_buf(&rec, hseries_ref(head_by_id_locked(h, sh, ids.ids[i])));
            rc = wal_append(s->wal, REC_DELETE, NULL, 0, rec.p, rec.len, &lsn, e);
            for (size_t i = 0; rc == 0 && i < ids.n; i++) {
                rc = head_delete_locked(h, head_by_id_locked(h, sh, ids.ids[i]), mint, maxt, e);
                (*nseries)++;
            }
        }
        head_unlock(h, sh);
    }
    if (rc == 0 && lsn) rc = wal_sync(s->wal, lsn, e);
    /* blocks: tombstones, durable when blk_add_tombstones returns */
    pthread_mutex_lock(&d->blocks_mu);
    size_t nb = d->nblocks;
    blk **bl = st_malloc((nb + 1) * sizeof *bl);
    for (size_t i = 0; i < nb; i++) {
        bl[i] = d->blocks[i];
        blk_ref(bl[i]);
    }
    pthread_mutex_unlock(&d->blocks_mu);
    for (size_t i = 0; i < nb; i++) {
        if (rc == 0 && blk_maxt(bl[i]) >= mint && blk_mint(bl[i]) <= maxt) {
            if (!sel->by_key) {
                rc = blk_select(bl[i], sel->ms, sel->n, &ids, e);
            } else {
                ids.n = 0;
                for (size_t k = 0; k < sel->nkeys; k++) {
                    uint32_t id;
                    if (blk_find(bl[i], (const uint8_t *)sel->keys[k].p, sel->keys[k].n, &id) == 0) ids_push(&ids, id);
                }
                ids_sort_unique(&ids);
            }
            if (rc == 0 && ids.n) {
                rc = blk_add_tombstones(bl[i], ids.ids, ids.n, mint, maxt, e);
                *nseries += ids.n;
            }
        }
        blk_unref(bl[i]);
    }
    st_free(bl);
    postings_free(&ids);
    st_buf_free(&rec);
    sdb_unref(s, d);
    pthread_mutex_unlock(&s->maint_mu);
    return rc;
}

int store_delete(store *s, const char *dbname, matcher *const *ms, size_t n, int64_t mint,
                 int64_t maxt, uint64_t *nseries, st_err *e)
{
    del_sel sel = {.ms = ms, .n = n};
    return delete_sel(s, dbname, &sel, mint, maxt, nseries, e);
}

int store_delete_series(store *s, const char *dbname, const st_slice *keys, size_t nkeys, int64_t mint,
                        int64_t maxt, uint64_t *nseries, st_err *e)
{
    uint64_t *hs = st_malloc((nkeys + 1) * sizeof *hs);
    for (size_t i = 0; i < nkeys; i++) hs[i] = st_hash64(keys[i].p, keys[i].n, 0);
    del_sel sel = {.by_key = true, .keys = keys, .hashes = hs, .nkeys = nkeys};
    int rc = delete_sel(s, dbname, &sel, mint, maxt, nseries, e);
    st_free(hs);
    return rc;
}

/* ---------------------------------------------------------------- replay */

typedef struct refent {
    uint64_t ref;
    sdb *db;
    hseries *hs;
    unsigned shard;
    uint8_t type;
} refent;

/* refs are dense counters: a multiplicative hash spreads them well enough */
static inline size_t ref_slot(uint64_t ref, size_t cap)
{
    return (size_t)((ref * 0x9E3779B97F4A7C15ull) >> 32) & (cap - 1);
}

typedef struct replay_ctx {
    store *s;
    refent *tab;
    size_t cap, n;
    uint64_t max_ref;
    codec_samples tmp;
    uint64_t skipped;
} replay_ctx;

static refent *ref_find(replay_ctx *c, uint64_t ref, bool create)
{
    if (create && (c->n + 1) * 2 > c->cap) {
        refent *old = c->tab;
        size_t oldcap = c->cap;
        c->cap = c->cap ? c->cap * 2 : 4096;
        c->tab = st_calloc(c->cap, sizeof *c->tab);
        c->n = 0;
        for (size_t i = 0; i < oldcap; i++) {
            if (!old[i].ref) continue;
            size_t j = ref_slot(old[i].ref, c->cap);
            while (c->tab[j].ref) j = (j + 1) & (c->cap - 1);
            c->tab[j] = old[i];
            c->n++;
        }
        st_free(old);
    }
    if (!c->cap) return NULL;
    size_t j = ref_slot(ref, c->cap);
    while (c->tab[j].ref) {
        if (c->tab[j].ref == ref) return &c->tab[j];
        j = (j + 1) & (c->cap - 1);
    }
    if (!create) return NULL;
    c->tab[j].ref = ref;
    c->n++;
    return &c->tab[j];
}

static int replay_record(void *arg, uint8_t type, const uint8_t *p, size_t n)
{
    replay_ctx *c = arg;
    store *s = c->s;
    const uint8_t *end = p + n;
    uint64_t dbid;
    if (varint_get(&p, end, &dbid)) goto corrupt;
    sdb *d = find_db_id_locked(s, (uint32_t)dbid);
    if (type == REC_SERIES) {
        uint64_t ref, tl, keylen;
        if (varint_get(&p, end, &ref) || p >= end) goto corrupt;
        uint8_t vt = *p++;
        if (varint_get(&p, end, &tl) || varint_get(&p, end, &keylen) ||
            keylen > (uint64_t)(end - p) || vt < ST_VT_FLOAT || vt > ST_VT_STRING || !ref)
            goto corrupt;
        if (ref > c->max_ref) c->max_ref = ref;
        if (!d) {
            c->skipped++;
            return 0; /* database dropped since */
        }
        uint64_t hash = st_hash64(p, keylen, 0);
        unsigned sh = head_shard_of(d->head, hash);
        hseries *hs = head_get_locked(d->head, sh, hash, p, keylen);
        if (!hs) {
            series_meta m = {vt, (uint16_t)tl};
            hs = head_create_locked(d->head, sh, hash, p, keylen, m, ref);
            atomic_fetch_add(&d->series_gen, 1);
        }
        refent *r = ref_find(c, ref, true);
        r->db = d;
        r->hs = hs;
        r->shard = sh;
        r->type = hseries_meta(hs).type;
        return 0;
    }
    if (type == REC_SAMPLES) {
        uint64_t nser, zbase;
        if (varint_get(&p, end, &nser) || varint_get(&p, end, &zbase)) goto corrupt;
        int64_t base_ts = zigzag_dec(zbase);
        for (uint64_t k = 0; k < nser; k++) {
            uint64_t ref, cnt;
            if (varint_get(&p, end, &ref) || varint_get(&p, end, &cnt)) goto corrupt;
            refent *r = ref_find(c, ref, false);
            uint8_t vt = r ? r->type : 0;
            int64_t prev = base_ts;
            for (uint64_t i = 0; i < cnt; i++) {
                uint64_t zz, v = 0;
                st_slice str = {0};
                if (varint_get(&p, end, &zz)) goto corrupt;
                int64_t ts = (int64_t)((uint64_t)prev + (uint64_t)zigzag_dec(zz));
                prev = ts;
                if (!r) {
                    /* unknown ref: its series record was lost to corruption or its
                     * database was dropped; we cannot decode the values' width
                     * except for what follows, so skip the rest of the record */
                    c->skipped += cnt;
                    return 0;
                }
                if (get_value(&p, end, vt, &v, &str)) goto corrupt;
                if (hseries_empty(r->hs)) atomic_fetch_add(&r->db->series_gen, 1);
                head_append_locked(r->db->head, r->hs, ts, v, str);
            }
            c->s->replay_records++;
        }
        return 0;
    }
    if (type == REC_DELETE) {
        uint64_t zmin, zmax, nrefs;
        if (varint_get(&p, end, &zmin) || varint_get(&p, end, &zmax) ||
            varint_get(&p, end, &nrefs))
            goto corrupt;
        for (uint64_t i = 0; i < nrefs; i++) {
            uint64_t ref;
            if (varint_get(&p, end, &ref)) goto corrupt;
            refent *r = ref_find(c, ref, false);
            if (r) head_delete_locked(r->db->head, r->hs, zigzag_dec(zmin), zigzag_dec(zmax), NULL);
        }
        return 0;
    }
    c->skipped++;
    return 0;
corrupt:
    /* The WAL's checksum passed, so this is a bug or a foreign record; skip it
     * rather than refuse to start. */
    c->skipped++;
    store_log(s, "warn", "WAL replay: skipping a malformed record of type %u", type);
    return 0;
}

/* ---------------------------------------------------------------- open/close */

typedef struct sweep_ctx {
    store *s;
    const char *dbdir;
} sweep_ctx;

/* Removes an entry of db/ that is hidden or names no database of the catalog. */
static int sweep_entry(void *ctx, const char *name, bool is_dir)
{
    sweep_ctx *c = ctx;
    (void)is_dir;
    if (name[0] != '.' && catalog_find(&c->s->cat, name)) return 0;
    char p[PATH_MAX];
    if (st_path(p, sizeof p, c->dbdir, name)) return 0;
    store_log(c->s, "info", "removing %s: no database of that name in the catalog", p);
    vfs_remove_tree(c->s->vfs, p);
    return 0;
}

int store_open(const store_opts *o, store **out, st_err *e)
{
    store *s = st_calloc(1, sizeof *s);
    s->lock_fd = -1;
    s->o = *o;
    if (!s->o.wal_checkpoint_bytes) s->o.wal_checkpoint_bytes = 256u << 20;
    s->vfs = o->vfs ? o->vfs : vfs_posix();
    s->data_dir = st_strndup(o->data_dir, strlen(o->data_dir));
    s->o.data_dir = s->data_dir;
    s->o.db_overrides = NULL;
    s->o.ndb_overrides = 0;
    if (!s->o.block_duration) s->o.block_duration = 2LL * 3600 * ST_NS_PER_S;
    pthread_mutex_init(&s->cat_mu, NULL);
    pthread_rwlockattr_t rwa;
    pthread_rwlockattr_init(&rwa);
    /* every write holds it shared: prefer the rare writer (create, drop) */
    pthread_rwlockattr_setkind_np(&rwa, PTHREAD_RWLOCK_PREFER_WRITER_NONRECURSIVE_NP);
    pthread_rwlock_init(&s->dbs_lock, &rwa);
    pthread_rwlockattr_destroy(&rwa);
    pthread_mutex_init(&s->maint_mu, NULL);
    pthread_mutex_init(&s->stop_mu, NULL);
    pthread_cond_init(&s->stop_cv, NULL);
    atomic_init(&s->next_ref, 1);

    int rc = 0;
    if (strlen(s->data_dir) > PATH_MAX - 256) {
        rc = st_fail(e, ST_EINVAL, "data directory path is too long");
        goto fail;
    }
    rc = vfs_mkdir_p(s->vfs, s->data_dir, 0755);
    if (rc < 0) {
        st_fail(e, st_from_errno(rc), "creating data directory %s: %s", s->data_dir, strerror(-rc));
        goto fail;
    }
    /* One process per data directory: a second one would interleave WAL
     * writes and delete blocks under the first. */
    {
        char lp[PATH_MAX];
        st_path(lp, sizeof lp, s->data_dir, "LOCK");
        int lrc = s->vfs->lock(s->vfs, lp, &s->lock_fd);
        if (lrc < 0) {
            s->lock_fd = -1;
            rc = st_fail(e, ST_EEXIST, "data directory %s is in use by another Strata process (%s)",
                         s->data_dir, strerror(-lrc));
            goto fail;
        }
    }
    rc = catalog_load(s->vfs, s->data_dir, &s->cat, e);
    if (rc) goto fail;
    bool changed = o->reseal_catalog;
    if (!catalog_find(&s->cat, "default")) {
        catalog_add(&s->cat, "default", -1, -1);
        changed = true;
    }
    for (size_t i = 0; i < o->ndb_overrides; i++) {
        const store_db_override *ov = &o->db_overrides[i];
        rc = catalog_name_valid(ov->name, strlen(ov->name), e);
        if (rc) goto fail;
        catalog_db *c = catalog_find(&s->cat, ov->name);
        if (!c) c = catalog_add(&s->cat, ov->name, ov->retention, -1);
        if (c->retention != ov->retention) {
            c->retention = ov->retention;
        }
        changed = true;
    }
    if (changed) {
        rc = catalog_save(s->vfs, s->data_dir, &s->cat, e);
        if (rc) goto fail;
    }
    {
        /* directories of dropped databases (renamed aside, or left by a crash
         * between the catalog update and the rename) go */
        char dbdir[PATH_MAX];
        st_path(dbdir, sizeof dbdir, s->data_dir, "db");
        sweep_ctx sc = {s, dbdir};
        /* an unreadable db/ only leaves the leftovers for the next start */
        s->vfs->list(s->vfs, dbdir, sweep_entry, &sc);
    }
    for (size_t i = 0; i < s->cat.n; i++) {
        sdb *d = sdb_new(s, &s->cat.dbs[i]);
        dbs_push(s, d);
        rc = vfs_mkdir_p(s->vfs, d->blocks_dir, 0755);
        if (rc < 0) {
            st_fail(e, st_from_errno(rc), "creating %s: %s", d->blocks_dir, strerror(-rc));
            goto fail;
        }
        rc = maint_load_blocks(s, d, e);
        if (rc) goto fail;
    }

    st_path(s->wal_dir, sizeof s->wal_dir, s->data_dir, "wal");
    wal_opts wo = {.vfs = s->vfs, .dir = s->wal_dir, .fsync_interval = o->wal_fsync_interval, .keys = o->keys};
    rc = wal_open(&wo, &s->wal, e);
    if (rc) goto fail;
    replay_ctx rctx = {.s = s};
    int64_t t0 = st_mono_ns();
    /* replay runs before any other thread exists; shard locks are not needed
     * but head functions are *_locked, which is what holding none means here */
    rc = wal_replay(s->wal, replay_record, &rctx, e);
    s->replay_ns = (uint64_t)(st_mono_ns() - t0);
    st_free(rctx.tab);
    codec_samples_free(&rctx.tmp);
    if (rc) goto fail;
    atomic_store(&s->next_ref, rctx.max_ref + 1);
    if (rctx.skipped)
        store_log(s, "warn", "WAL replay skipped %" PRIu64 " records of dropped databases or lost series",
                  rctx.skipped);
    store_log(s, "info", "WAL replay: %" PRIu64 " sample records in %.3fs", s->replay_records,
              (double)s->replay_ns / 1e9);

    if (o->maintenance_interval > 0) {
        if (pthread_create(&s->maint_thread, NULL, maint_thread_main, s) != 0) {
            st_fail(e, ST_EIO, "cannot start the maintenance thread");
            rc = ST_EIO;
            goto fail;
        }
        s->maint_running = true;
    }
    *out = s;
    return 0;
fail:
    if (s->wal) wal_close(s->wal, NULL);
    if (s->lock_fd >= 0) s->vfs->close(s->vfs, s->lock_fd);
    for (size_t i = 0; i < s->ndbs; i++) sdb_unref(s, s->dbs[i]);
    st_free(s->dbs);
    catalog_free(&s->cat);
    st_free(s->data_dir);
    st_free(s);
    return rc;
}

int store_close(store *s, st_err *e)
{
    if (!s) return 0;
    if (s->maint_running) {
        pthread_mutex_lock(&s->stop_mu);
        s->stopping = true;
        pthread_cond_broadcast(&s->stop_cv);
        pthread_mutex_unlock(&s->stop_mu);
        pthread_join(s->maint_thread, NULL);
    }
    int rc = wal_close(s->wal, e);
    for (size_t i = 0; i < s->ndbs; i++) sdb_unref(s, s->dbs[i]);
    if (s->lock_fd >= 0) s->vfs->close(s->vfs, s->lock_fd); /* releases the lock */
    st_free(s->dbs);
    catalog_free(&s->cat);
    pthread_rwlock_destroy(&s->dbs_lock);
    st_free(s->data_dir);
    st_free(s);
    return rc;
}

bool store_disk_full(store *s) { return atomic_load(&s->disk_full); }

const vfs *store_vfs(store *s) { return s->vfs; }

bool store_failed(store *s) { return atomic_load(&s->fatal) || wal_failed(s->wal); }

void store_get_stats(store *s, store_stats *out)
{
    memset(out, 0, sizeof *out);
    out->samples_appended = atomic_load(&s->samples_appended);
    for (int i = 0; i < REJ_COUNT; i++) out->samples_rejected[i] = atomic_load(&s->rejected[i]);
    out->series_created = atomic_load(&s->series_created);
    out->series_clashes = atomic_load(&s->series_clashes);
    out->compactions = atomic_load(&s->compactions);
    out->flushes = atomic_load(&s->flushes);
    out->retention_deletions = atomic_load(&s->retention_deletions);
    out->block_corruptions = atomic_load(&s->block_corruptions);
    out->scans = atomic_load(&s->scans);
    out->scan_series = atomic_load(&s->scan_series);
    out->scan_samples_decoded = atomic_load(&s->scan_samples);
    out->scan_chunks_decoded = atomic_load(&s->scan_chunks_decoded);
    out->scan_chunks_by_stats = atomic_load(&s->scan_chunks_by_stats);
    out->replay_ns = s->replay_ns;
    out->replay_records = s->replay_records;
    pthread_rwlock_rdlock(&s->dbs_lock);
    out->databases = s->ndbs;
    for (size_t i = 0; i < s->ndbs; i++) {
        sdb *d = s->dbs[i];
        head_stats hs;
        head_get_stats(d->head, &hs);
        out->active_series += hs.series;
        out->head_chunks += hs.chunks;
        out->head_chunk_bytes += hs.chunk_bytes;
        out->head_memory_bytes += hs.memory_bytes;
        pthread_mutex_lock(&d->blocks_mu);
        out->blocks += d->nblocks;
        for (size_t j = 0; j < d->nblocks; j++) {
            out->block_bytes += blk_disk_bytes(d->blocks[j]);
            out->block_samples += blk_nsamples(d->blocks[j]);
        }
        pthread_mutex_unlock(&d->blocks_mu);
    }
    pthread_rwlock_unlock(&s->dbs_lock);
    wal_stats ws;
    wal_get_stats(s->wal, &ws);
    out->wal_bytes_written = ws.bytes_written;
    out->wal_disk_bytes = ws.disk_bytes;
    out->wal_segments = ws.segments;
    out->wal_fsyncs = ws.fsyncs;
    out->wal_fsync_ns_total = ws.fsync_ns_total;
    memcpy(out->wal_fsync_hist, ws.fsync_hist, sizeof out->wal_fsync_hist);
    out->wal_truncated_tails = ws.truncated_tails;
    out->wal_corrupt_segments = ws.corrupt_segments;
}
