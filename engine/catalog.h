/* catalog: the persistent list of databases, their continuous queries and
 * the named objects fronts keep beside them (Timestream's table properties,
 * tags and scheduled queries).
 *
 * A database name becomes a directory name, so names are validated here and
 * nowhere else: 1 to 64 characters from [A-Za-z0-9_.-], not starting with
 * '.' or '-' (so "." and ".." are impossible). Ids are assigned once and never
 * reused, so WAL records of a dropped database can be recognised and skipped.
 *
 * The file ("catalog" in the data directory) is text, one database per line,
 * ending with a crc32c line; it is replaced atomically (write, fsync, rename,
 * fsync dir). A retention or memory window of -1 means "the server default".
 */
#ifndef ST_CATALOG_H
#define ST_CATALOG_H

#include "st.h"
#include "vfs.h"

#define CATALOG_NAME_MAX 64

typedef struct catalog_db {
    uint32_t id;
    char name[CATALOG_NAME_MAX + 1];
    int64_t retention;     /* ns; 0 = forever; -1 = default */
    int64_t memory_window; /* ns; -1 = default */
} catalog_db;

/* A continuous query: its name in its database and the statement that
 * created it (the reader parses it; the catalog keeps text). */
typedef struct catalog_cq {
    char db[CATALOG_NAME_MAX + 1];
    char *name;
    char *text;
} catalog_cq;

/* A named object of some kind (a short word chosen by its owner) in a
 * database ("" for the server's own), with text only its owner reads.
 * Dropping a database drops its objects. */
#define CATALOG_KIND_MAX 15
typedef struct catalog_obj {
    char kind[CATALOG_KIND_MAX + 1];
    char db[CATALOG_NAME_MAX + 1];
    char *name;
    char *text;
} catalog_obj;

typedef struct catalog {
    catalog_db *dbs;
    size_t n, cap;
    uint32_t next_id;
    catalog_cq *cqs;
    size_t ncqs, capcqs;
    catalog_obj *objs;
    size_t nobjs, capobjs;
} catalog;

int catalog_name_valid(const char *name, size_t len, st_err *e);
/* Loads dir/catalog; a missing file gives an empty catalog with next_id 1. */
int catalog_load(const vfs *v, const char *dir, catalog *c, st_err *e);
int catalog_save(const vfs *v, const char *dir, const catalog *c, st_err *e);
catalog_db *catalog_find(catalog *c, const char *name);
catalog_db *catalog_find_id(catalog *c, uint32_t id);
/* Adds a database (name must be valid and absent); returns it. */
catalog_db *catalog_add(catalog *c, const char *name, int64_t retention, int64_t memory_window);
void catalog_remove(catalog *c, const char *name);
catalog_cq *catalog_find_cq(catalog *c, const char *db, const char *name);
/* Copies name and text. */
catalog_cq *catalog_add_cq(catalog *c, const char *db, const char *name, const char *text);
void catalog_remove_cq(catalog *c, const char *db, const char *name);
catalog_obj *catalog_find_obj(catalog *c, const char *kind, const char *db, const char *name);
/* Copies kind, db, name and text (kind and db are cut to their limits:
 * callers validate them first). */
catalog_obj *catalog_add_obj(catalog *c, const char *kind, const char *db, const char *name, const char *text);
/* name NULL: every object of db (kind NULL: of any kind). */
void catalog_remove_obj(catalog *c, const char *kind, const char *db, const char *name);
void catalog_free(catalog *c);

#endif
