/* catalog: the persistent list of databases (see catalog.h).
 *
 * File format (text, so that an operator can read it):
 *   strata-catalog 1
 *   next_id <n>
 *   db <id> <name> <retention_ns> <memory_window_ns>
 *   cq <database> <name, hex> <CREATE CONTINUOUS QUERY text, hex>
 *   obj <kind> <database, hex> <name, hex> <text, hex>
 *   ...
 *   crc <crc32c of every byte before this line, hex>
 */
#include "catalog.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bits.h"

int catalog_name_valid(const char *name, size_t len, st_err *e)
{
    if (len == 0) return st_fail(e, ST_EINVAL, "database name is empty");
    if (len > CATALOG_NAME_MAX)
        return st_fail(e, ST_EINVAL, "database name is longer than %d characters", CATALOG_NAME_MAX);
    if (name[0] == '.' || name[0] == '-')
        return st_fail(e, ST_EINVAL, "database name \"%.*s\" must not start with '%c'", (int)len,
                       name, name[0]);
    for (size_t i = 0; i < len; i++) {
        char c = name[i];
        bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                  c == '_' || c == '.' || c == '-';
        if (!ok)
            return st_fail(e, ST_EINVAL,
                           "database name \"%.*s\" has a character outside [A-Za-z0-9_.-]",
                           (int)(len > 80 ? 80 : len), name);
    }
    return 0;
}

catalog_db *catalog_find(catalog *c, const char *name)
{
    for (size_t i = 0; i < c->n; i++)
        if (strcmp(c->dbs[i].name, name) == 0) return &c->dbs[i];
    return NULL;
}

catalog_db *catalog_find_id(catalog *c, uint32_t id)
{
    for (size_t i = 0; i < c->n; i++)
        if (c->dbs[i].id == id) return &c->dbs[i];
    return NULL;
}

catalog_db *catalog_add(catalog *c, const char *name, int64_t retention, int64_t memory_window)
{
    if (c->n == c->cap) {
        c->cap = c->cap ? c->cap * 2 : 8;
        c->dbs = st_realloc(c->dbs, c->cap * sizeof *c->dbs);
    }
    catalog_db *d = &c->dbs[c->n++];
    memset(d, 0, sizeof *d);
    d->id = c->next_id++;
    snprintf(d->name, sizeof d->name, "%s", name);
    d->retention = retention;
    d->memory_window = memory_window;
    return d;
}

void catalog_remove(catalog *c, const char *name)
{
    for (size_t i = 0; i < c->n; i++) {
        if (strcmp(c->dbs[i].name, name) == 0) {
            memmove(&c->dbs[i], &c->dbs[i + 1], (c->n - i - 1) * sizeof *c->dbs);
            c->n--;
            return;
        }
    }
}

static char *dup_str(const char *s);

catalog_cq *catalog_find_cq(catalog *c, const char *db, const char *name)
{
    for (size_t i = 0; i < c->ncqs; i++)
        if (!strcmp(c->cqs[i].db, db) && !strcmp(c->cqs[i].name, name)) return &c->cqs[i];
    return NULL;
}

catalog_cq *catalog_add_cq(catalog *c, const char *db, const char *name, const char *text)
{
    if (c->ncqs == c->capcqs) {
        c->capcqs = c->capcqs ? c->capcqs * 2 : 8;
        c->cqs = st_realloc(c->cqs, c->capcqs * sizeof *c->cqs);
    }
    catalog_cq *q = &c->cqs[c->ncqs++];
    snprintf(q->db, sizeof q->db, "%s", db);
    q->name = dup_str(name);
    q->text = dup_str(text);
    return q;
}

void catalog_remove_cq(catalog *c, const char *db, const char *name)
{
    for (size_t i = 0; i < c->ncqs; i++) {
        if (strcmp(c->cqs[i].db, db) || (name && strcmp(c->cqs[i].name, name))) continue;
        st_free(c->cqs[i].name);
        st_free(c->cqs[i].text);
        memmove(&c->cqs[i], &c->cqs[i + 1], (c->ncqs - i - 1) * sizeof *c->cqs);
        c->ncqs--;
        i--;
    }
}

catalog_obj *catalog_find_obj(catalog *c, const char *kind, const char *db, const char *name)
{
    for (size_t i = 0; i < c->nobjs; i++)
        if (!strcmp(c->objs[i].kind, kind) && !strcmp(c->objs[i].db, db) && !strcmp(c->objs[i].name, name))
            return &c->objs[i];
    return NULL;
}

catalog_obj *catalog_add_obj(catalog *c, const char *kind, const char *db, const char *name, const char *text)
{
    if (c->nobjs == c->capobjs) {
        c->capobjs = c->capobjs ? c->capobjs * 2 : 8;
        c->objs = st_realloc(c->objs, c->capobjs * sizeof *c->objs);
    }
    catalog_obj *o = &c->objs[c->nobjs++];
    snprintf(o->kind, sizeof o->kind, "%s", kind);
    snprintf(o->db, sizeof o->db, "%s", db);
    o->name = dup_str(name);
    o->text = dup_str(text);
    return o;
}

void catalog_remove_obj(catalog *c, const char *kind, const char *db, const char *name)
{
    for (size_t i = 0; i < c->nobjs; i++) {
        catalog_obj *o = &c->objs[i];
        if (strcmp(o->db, db) || (kind && strcmp(o->kind, kind)) || (name && strcmp(o->name, name))) continue;
        st_free(o->name);
        st_free(o->text);
        memmove(o, o + 1, (c->nobjs - i - 1) * sizeof *c->objs);
        c->nobjs--;
        i--;
    }
}

/* A string as hex ("-" when empty): one token whatever it holds. */
static void put_hex(st_buf *b, const char *s)
{
    static const char hx[] = "0123456789abcdef";
    if (!*s) st_buf_putc(b, '-');
    for (; *s; s++) {
        st_buf_putc(b, hx[(unsigned char)*s >> 4]);
        st_buf_putc(b, hx[(unsigned char)*s & 15]);
    }
}

static char *dup_str(const char *s)
{
    size_t n = strlen(s);
    char *d = st_malloc(n + 1);
    memcpy(d, s, n + 1);
    return d;
}

/* The text of hex (or "-" for empty), into a new string; NULL if malformed. */
static char *get_hex(const char *h, size_t n)
{
    if (n == 1 && h[0] == '-') return dup_str("");
    if (n % 2) return NULL;
    char *out = st_malloc(n / 2 + 1);
    for (size_t i = 0; i < n / 2; i++) {
        int v = 0;
        for (int k = 0; k < 2; k++) {
            char ch = h[2 * i + (size_t)k];
            int d = ch >= '0' && ch <= '9' ? ch - '0' : ch >= 'a' && ch <= 'f' ? ch - 'a' + 10 : -1;
            if (d < 0) {
                st_free(out);
                return NULL;
            }
            v = v * 16 + d;
        }
        out[i] = (char)v;
    }
    out[n / 2] = 0;
    return out;
}

void catalog_free(catalog *c)
{
    for (size_t i = 0; i < c->ncqs; i++) {
        st_free(c->cqs[i].name);
        st_free(c->cqs[i].text);
    }
    st_free(c->cqs);
    for (size_t i = 0; i < c->nobjs; i++) {
        st_free(c->objs[i].name);
        st_free(c->objs[i].text);
    }
    st_free(c->objs);
    st_free(c->dbs);
    memset(c, 0, sizeof *c);
}

int catalog_save(const vfs *v, const char *dir, const catalog *c, st_err *e)
{
    st_buf b = {0};
    st_buf_printf(&b, "strata-catalog 1\nnext_id %" PRIu32 "\n", c->next_id);
    for (size_t i = 0; i < c->n; i++)
        st_buf_printf(&b, "db %" PRIu32 " %s %" PRId64 " %" PRId64 "\n", c->dbs[i].id,
                      c->dbs[i].name, c->dbs[i].retention, c->dbs[i].memory_window);
    for (size_t i = 0; i < c->ncqs; i++) {
        st_buf_printf(&b, "cq %s ", c->cqs[i].db);
        put_hex(&b, c->cqs[i].name);
        st_buf_putc(&b, ' ');
        put_hex(&b, c->cqs[i].text);
        st_buf_putc(&b, '\n');
    }
    for (size_t i = 0; i < c->nobjs; i++) {
        st_buf_printf(&b, "obj %s ", c->objs[i].kind);
        put_hex(&b, c->objs[i].db);
        st_buf_putc(&b, ' ');
        put_hex(&b, c->objs[i].name);
        st_buf_putc(&b, ' ');
        put_hex(&b, c->objs[i].text);
        st_buf_putc(&b, '\n');
    }
    uint32_t crc = crc32c(0, b.p, b.len);
    st_buf_printf(&b, "crc %08x\n", crc);
    int rc = vfs_write_file_atomic(v, dir, "catalog", b.p, b.len, 0644);
    st_buf_free(&b);
    if (rc < 0)
        return st_fail(e, st_from_errno(rc), "writing %s/catalog: %s", dir, strerror(-rc));
    return 0;
}

int catalog_load(const vfs *v, const char *dir, catalog *c, st_err *e)
{
    memset(c, 0, sizeof *c);
    c->next_id = 1;
    char path[PATH_MAX];
    snprintf(path, sizeof path, "%s/catalog", dir);
    int fd = v->open(v, path, O_RDONLY, 0);
    if (fd == -ENOENT) return 0;
    if (fd < 0) return st_fail(e, st_from_errno(fd), "opening %s: %s", path, strerror(-fd));
    uint64_t size = 0;
    if (v->size(v, fd, &size) < 0 || size > (1 << 24)) {
        v->close(v, fd);
        return st_fail(e, ST_ECORRUPT, "%s: unreadable or too large", path);
    }
    size_t len = (size_t)size;
    char *buf = st_malloc(len + 1);
    int rc = len ? vfs_pread_all(v, fd, buf, len, 0) : 0;
    v->close(v, fd);
    if (rc < 0) {
        st_free(buf);
        return st_fail(e, st_from_errno(rc), "reading %s: %s", path, strerror(-rc));
    }
    buf[len] = 0;
    char *crcline = strstr(buf, "\ncrc ");
    if (!crcline || strncmp(buf, "strata-catalog 1\n", 17) != 0) {
        st_free(buf);
        return st_fail(e, ST_ECORRUPT, "%s: not a Strata catalog (version 1)", path);
    }
    size_t body = (size_t)(crcline - buf) + 1;
    unsigned long want = strtoul(crcline + 5, NULL, 16);
    if (crc32c(0, buf, body) != (uint32_t)want) {
        st_free(buf);
        return st_fail(e, ST_ECORRUPT, "%s: checksum mismatch", path);
    }
    buf[body] = 0;
    char *save = NULL;
    uint32_t file_next = 1;
    for (char *line = strtok_r(buf, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
        unsigned id;
        char name[CATALOG_NAME_MAX + 2];
        long long ret, mw;
        unsigned next;
        if (sscanf(line, "next_id %u", &next) == 1) {
            file_next = next;
        } else if (sscanf(line, "db %u %65s %lld %lld", &id, name, &ret, &mw) == 4) {
            if (catalog_name_valid(name, strlen(name), NULL) != 0 || catalog_find(c, name)) {
                st_free(buf);
                catalog_free(c);
                return st_fail(e, ST_ECORRUPT, "%s: invalid database entry \"%s\"", path, line);
            }
            catalog_db *d = catalog_add(c, name, ret, mw);
            d->id = id;
        } else if (!strncmp(line, "cq ", 3)) {
            char *p1 = strchr(line + 3, ' '), *p2 = p1 ? strchr(p1 + 1, ' ') : NULL;
            char *nm = p2 ? get_hex(p1 + 1, (size_t)(p2 - p1 - 1)) : NULL, *tx = p2 ? get_hex(p2 + 1, strlen(p2 + 1)) : NULL;
            if (!nm || !tx || (size_t)(p1 - line - 3) > CATALOG_NAME_MAX) {
                st_free(nm);
                st_free(tx);
                st_free(buf);
                catalog_free(c);
                return st_fail(e, ST_ECORRUPT, "%s: invalid continuous query entry", path);
            }
            char db[CATALOG_NAME_MAX + 1];
            snprintf(db, sizeof db, "%.*s", (int)(p1 - line - 3), line + 3);
            catalog_add_cq(c, db, nm, tx);
            st_free(nm);
            st_free(tx);
        } else if (!strncmp(line, "obj ", 4)) {
            char *f[4] = {line + 4, NULL, NULL, NULL};
            for (int k = 1; k < 4 && f[k - 1]; k++) {
                f[k] = strchr(f[k - 1], ' ');
                if (f[k]) *f[k]++ = 0;
            }
            char *db = f[3] ? get_hex(f[1], strlen(f[1])) : NULL;
            char *nm = f[3] ? get_hex(f[2], strlen(f[2])) : NULL, *tx = f[3] ? get_hex(f[3], strlen(f[3])) : NULL;
            if (!db || !nm || !tx || strlen(f[0]) > CATALOG_KIND_MAX || !*f[0] || strlen(db) > CATALOG_NAME_MAX) {
                st_free(db);
                st_free(nm);
                st_free(tx);
                st_free(buf);
                catalog_free(c);
                return st_fail(e, ST_ECORRUPT, "%s: invalid object entry", path);
            }
            catalog_add_obj(c, f[0], db, nm, tx);
            st_free(db);
            st_free(nm);
            st_free(tx);
        }
    }
    c->next_id = file_next;
    for (size_t i = 0; i < c->n; i++)
        if (c->dbs[i].id >= c->next_id) c->next_id = c->dbs[i].id + 1;
    st_free(buf);
    return 0;
}
