/* test_vfs: the posix vfs's operations beyond read and write (list, size,
 * map, tmpfile, lock), vfs_remove_tree over list, and the seam's invariant:
 * a store session, watched by a recording vfs, touches no file of its data
 * directory behind the vfs's back. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdbool.h>
#include <sys/stat.h>
#include <unistd.h>

#include "store.h"
#include "storeutil.h"
#include "testlib.h"
#include "vfs.h"

static char *g_dir;

/* snprintf that refuses to truncate: a cut path would test the wrong file. */
static void pathf(char *out, size_t n, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void pathf(char *out, size_t n, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int k = vsnprintf(out, n, fmt, ap);
    va_end(ap);
    if (k < 0 || (size_t)k >= n) {
        fprintf(stderr, "path too long: %s\n", out);
        exit(2);
    }
}

static void make_file(const char *path, const void *buf, size_t n)
{
    const vfs *v = vfs_posix();
    int fd = v->open(v, path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    CHECK(fd >= 0);
    if (fd < 0) return;
    CHECK_OK(vfs_write_all(v, fd, buf, n));
    v->close(v, fd);
}

static bool exists(const char *path)
{
    struct stat st;
    return lstat(path, &st) == 0;
}

/* ------------------------------------------------------------ list */

typedef struct seen {
    char names[16][32];
    bool is_dir[16];
    int n;
    int calls;
    const char *remove_in; /* when set, each entry is removed as it is seen */
} seen;

static int record_entry(void *ctx, const char *name, bool is_dir)
{
    seen *s = ctx;
    s->calls++;
    if (s->n < 16) {
        pathf(s->names[s->n], sizeof s->names[0], "%s", name);
        s->is_dir[s->n++] = is_dir;
    }
    if (s->remove_in) {
        char p[PATH_MAX];
        pathf(p, sizeof p, "%s/%s", s->remove_in, name);
        const vfs *v = vfs_posix();
        if ((is_dir ? vfs_remove_tree(v, p) : v->unlink(v, p)) != 0) return -EIO;
    }
    return 0;
}

static int find(const seen *s, const char *name)
{
    for (int i = 0; i < s->n; i++)
        if (!strcmp(s->names[i], name)) return i;
    return -1;
}

static int stop_at_first(void *ctx, const char *name, bool is_dir)
{
    (void)name, (void)is_dir;
    (*(int *)ctx)++;
    return 7;
}

static void test_list(void)
{
    const vfs *v = vfs_posix();
    char d[PATH_MAX], p[PATH_MAX];
    pathf(d, sizeof d, "%s/list", g_dir);
    CHECK_OK(v->mkdir(v, d, 0755));
    pathf(p, sizeof p, "%s/a", d);
    make_file(p, "x", 1);
    pathf(p, sizeof p, "%s/.hidden", d);
    make_file(p, "", 0);
    pathf(p, sizeof p, "%s/sub", d);
    CHECK_OK(v->mkdir(v, p, 0755));
    /* a link to a directory is not a directory: a removal must not follow it */
    char ln[PATH_MAX];
    pathf(ln, sizeof ln, "%s/link", d);
    CHECK(symlink(p, ln) == 0);

    seen s = {0};
    CHECK_OK(v->list(v, d, record_entry, &s));
    CHECK_EQ_INT(s.n, 4);
    CHECK(find(&s, ".") < 0 && find(&s, "..") < 0);
    int i;
    CHECK((i = find(&s, "a")) >= 0 && !s.is_dir[i]);
    CHECK((i = find(&s, ".hidden")) >= 0 && !s.is_dir[i]);
    CHECK((i = find(&s, "sub")) >= 0 && s.is_dir[i]);
    CHECK((i = find(&s, "link")) >= 0 && !s.is_dir[i]);

    /* an empty directory: no calls */
    seen e = {0};
    CHECK_OK(v->list(v, p, record_entry, &e));
    CHECK_EQ_INT(e.calls, 0);

    /* fn's nonzero result stops the listing and is returned */
    int calls = 0;
    CHECK_EQ_INT(v->list(v, d, stop_at_first, &calls), 7);
    CHECK_EQ_INT(calls, 1);

    /* fn may remove entries as it goes: every one is still visited once */
    seen r = {0};
    r.remove_in = d;
    CHECK_OK(v->list(v, d, record_entry, &r));
    CHECK_EQ_INT(r.calls, 4);
    seen after = {0};
    CHECK_OK(v->list(v, d, record_entry, &after));
    CHECK_EQ_INT(after.n, 0);

    /* errors */
    char missing[PATH_MAX];
    pathf(missing, sizeof missing, "%s/missing", g_dir);
    CHECK_EQ_INT(v->list(v, missing, record_entry, &e), -ENOENT);
    pathf(p, sizeof p, "%s/plain", g_dir);
    make_file(p, "x", 1);
    CHECK_EQ_INT(v->list(v, p, record_entry, &e), -ENOTDIR);
    v->unlink(v, p);
    CHECK_OK(vfs_remove_tree(v, d));
}

/* ------------------------------------------------------------ size, map */

static void test_size_and_map(void)
{
    const vfs *v = vfs_posix();
    char p[PATH_MAX];
    pathf(p, sizeof p, "%s/sized", g_dir);
    enum { N = 70000 }; /* more than a page, not a multiple of one */
    static uint8_t buf[N];
    for (size_t i = 0; i < N; i++) buf[i] = (uint8_t)(i * 31 + (i >> 8));
    make_file(p, buf, N);

    int fd = v->open(v, p, O_RDONLY, 0);
    CHECK(fd >= 0);
    if (fd < 0) return;
    uint64_t size = 1;
    CHECK_OK(v->size(v, fd, &size));
    CHECK_EQ_INT(size, N);
    const void *m = NULL;
    CHECK_OK(v->map(v, fd, size, &m));
    CHECK_EQ_INT(v->map(v, fd, 0, &m), -EINVAL);
    v->close(v, fd); /* the view outlives the fd */
    CHECK(m && memcmp(m, buf, N) == 0);
    v->unmap(v, m, size);

    /* an empty file */
    pathf(p, sizeof p, "%s/empty", g_dir);
    make_file(p, "", 0);
    fd = v->open(v, p, O_RDONLY, 0);
    CHECK(fd >= 0);
    size = 1;
    CHECK_OK(v->size(v, fd, &size));
    CHECK_EQ_INT(size, 0);
    v->close(v, fd);
    CHECK(v->size(v, -1, &size) == -EBADF);
    v->unlink(v, p);
    pathf(p, sizeof p, "%s/sized", g_dir);
    v->unlink(v, p);
}

/* ------------------------------------------------------------ tmpfile */

static void test_tmpfile(void)
{
    const vfs *v = vfs_posix();
    char d[PATH_MAX];
    pathf(d, sizeof d, "%s/spill", g_dir);
    CHECK_OK(v->mkdir(v, d, 0755));
    int fd = v->tmpfile(v, d);
    CHECK(fd >= 0);
    if (fd < 0) return;
    seen s = {0};
    CHECK_OK(v->list(v, d, record_entry, &s));
    CHECK_EQ_INT(s.n, 0); /* unnamed */
    const char msg[] = "spilled bytes";
    CHECK_OK(vfs_pwrite_all(v, fd, msg, sizeof msg, 4096));
    char back[sizeof msg];
    CHECK_OK(vfs_pread_all(v, fd, back, sizeof back, 4096));
    CHECK(memcmp(back, msg, sizeof msg) == 0);
    uint64_t size = 0;
    CHECK_OK(v->size(v, fd, &size));
    CHECK_EQ_INT(size, 4096 + sizeof msg);
    CHECK_OK(v->close(v, fd));
    seen after = {0};
    CHECK_OK(v->list(v, d, record_entry, &after));
    CHECK_EQ_INT(after.n, 0);
    CHECK_OK(v->rmdir(v, d));
    CHECK(v->tmpfile(v, d) < 0); /* no such directory */
}

/* ------------------------------------------------------------ lock */

static void test_lock(void)
{
    const vfs *v = vfs_posix();
    char p[PATH_MAX];
    pathf(p, sizeof p, "%s/LOCK", g_dir);
    int a = -1, b = -1;
    CHECK_OK(v->lock(v, p, &a));
    CHECK(a >= 0);
    CHECK(exists(p));
    int rc = v->lock(v, p, &b);
    CHECK_MSG(rc == -EWOULDBLOCK || rc == -EAGAIN, "second lock returned %d", rc);
    CHECK_EQ_INT(b, -1); /* untouched on failure */
    CHECK_OK(v->close(v, a));
    CHECK_OK(v->lock(v, p, &b)); /* closing released it */
    CHECK(b >= 0);
    if (b >= 0) v->close(v, b);
    char bad[PATH_MAX];
    pathf(bad, sizeof bad, "%s/missing/LOCK", g_dir);
    CHECK_EQ_INT(v->lock(v, bad, &b), -ENOENT);
    v->unlink(v, p);
}

/* ------------------------------------------------------------ remove_tree */

static int g_lists;
static int counting_list(const vfs *v, const char *dir, vfs_list_fn fn, void *ctx)
{
    (void)v;
    g_lists++;
    return vfs_posix()->list(vfs_posix(), dir, fn, ctx);
}

static void test_remove_tree(void)
{
    vfs cv = *vfs_posix();
    cv.list = counting_list;
    const vfs *v = &cv;
    char t[PATH_MAX], p[PATH_MAX], out[PATH_MAX];
    pathf(t, sizeof t, "%s/tree", g_dir);
    pathf(out, sizeof out, "%s/outside", g_dir);
    CHECK_OK(vfs_mkdir_p(v, out, 0755));
    pathf(p, sizeof p, "%s/keep", out);
    make_file(p, "k", 1);
    pathf(p, sizeof p, "%s/a/b/c", t);
    CHECK_OK(vfs_mkdir_p(v, p, 0755));
    pathf(p, sizeof p, "%s/a/b/c/f", t);
    make_file(p, "1", 1);
    pathf(p, sizeof p, "%s/a/g", t);
    make_file(p, "2", 1);
    pathf(p, sizeof p, "%s/.tmp-x", t);
    make_file(p, "3", 1);
    pathf(p, sizeof p, "%s/a/out", t);
    CHECK(symlink(out, p) == 0);

    g_lists = 0;
    CHECK_OK(vfs_remove_tree(v, t));
    CHECK(!exists(t));
    CHECK_EQ_INT(g_lists, 4); /* tree, a, b, c: each directory listed through the vfs */
    pathf(p, sizeof p, "%s/keep", out);
    CHECK(exists(p)); /* the link was removed, not followed */

    CHECK_OK(vfs_remove_tree(v, t)); /* missing: nothing to do */
    CHECK_OK(vfs_remove_tree(v, p)); /* a file: unlinked */
    CHECK(!exists(p));
    CHECK_OK(vfs_remove_tree(v, out));
    CHECK(!exists(out));
}

/* ------------------------------------------------------------ a store session */

/* A vfs that delegates to posix and records what passes: which fds it
 * handed out (so an fd from anywhere else is caught when used), each path
 * it was asked about, and the mappings it made. */
#define REC_MAXFD 4096
#define REC_MAXPATH 256
enum { R_OPEN = 1, R_LOCK = 2, R_LIST = 4, R_MKDIR = 8, R_RENAME = 16, R_UNLINK = 32, R_SIZE = 64, R_MAP = 128 };

typedef struct rec {
    pthread_mutex_t mu;
    char *fd_path[REC_MAXFD]; /* non-NULL: handed out by open/lock/tmpfile, not yet closed */
    char *paths[REC_MAXPATH];
    int ops[REC_MAXPATH];
    int npaths;
    int stray;   /* operations on fds this vfs did not hand out */
    int mapped;  /* mappings not yet unmapped */
    int nopen, nlock, nlist, nmap;
} rec;

static rec g_rec = {.mu = PTHREAD_MUTEX_INITIALIZER};

static void rec_reset(void)
{
    pthread_mutex_lock(&g_rec.mu);
    for (int i = 0; i < g_rec.npaths; i++) free(g_rec.paths[i]);
    g_rec.npaths = 0;
    g_rec.stray = g_rec.nopen = g_rec.nlock = g_rec.nlist = g_rec.nmap = 0;
    pthread_mutex_unlock(&g_rec.mu);
}

static void rec_path(const char *path, int op)
{
    pthread_mutex_lock(&g_rec.mu);
    int i = 0;
    while (i < g_rec.npaths && strcmp(g_rec.paths[i], path)) i++;
    if (i == g_rec.npaths && i < REC_MAXPATH) {
        g_rec.paths[i] = strdup(path);
        g_rec.ops[i] = 0;
        g_rec.npaths++;
    }
    if (i < g_rec.npaths) g_rec.ops[i] |= op;
    pthread_mutex_unlock(&g_rec.mu);
}

static int rec_ops(const char *path)
{
    pthread_mutex_lock(&g_rec.mu);
    int ops = 0;
    for (int i = 0; i < g_rec.npaths; i++)
        if (!strcmp(g_rec.paths[i], path)) ops = g_rec.ops[i];
    pthread_mutex_unlock(&g_rec.mu);
    return ops;
}

static void rec_fd_new(int fd, const char *path)
{
    if (fd < 0 || fd >= REC_MAXFD) return;
    pthread_mutex_lock(&g_rec.mu);
    free(g_rec.fd_path[fd]);
    g_rec.fd_path[fd] = strdup(path);
    pthread_mutex_unlock(&g_rec.mu);
}

/* The path an fd was opened by; NULL (counted as stray) when this vfs did
 * not hand it out. The caller frees it. */
static char *rec_fd_use(int fd)
{
    pthread_mutex_lock(&g_rec.mu);
    char *p = fd >= 0 && fd < REC_MAXFD && g_rec.fd_path[fd] ? strdup(g_rec.fd_path[fd]) : NULL;
    if (!p) g_rec.stray++;
    pthread_mutex_unlock(&g_rec.mu);
    return p;
}

static void rec_fd_check(int fd) { free(rec_fd_use(fd)); }

#define BASE vfs_posix()

static int r_open(const vfs *v, const char *path, int flags, int mode)
{
    (void)v;
    int fd = BASE->open(BASE, path, flags, mode);
    rec_path(path, R_OPEN);
    pthread_mutex_lock(&g_rec.mu);
    g_rec.nopen++;
    pthread_mutex_unlock(&g_rec.mu);
    if (fd >= 0) rec_fd_new(fd, path);
    return fd;
}

static int r_close(const vfs *v, int fd)
{
    (void)v;
    rec_fd_check(fd);
    pthread_mutex_lock(&g_rec.mu);
    if (fd >= 0 && fd < REC_MAXFD) {
        free(g_rec.fd_path[fd]);
        g_rec.fd_path[fd] = NULL;
    }
    pthread_mutex_unlock(&g_rec.mu);
    return BASE->close(BASE, fd);
}

static ssize_t r_write(const vfs *v, int fd, const void *b, size_t n)
{
    (void)v;
    rec_fd_check(fd);
    return BASE->write(BASE, fd, b, n);
}

static ssize_t r_pwrite(const vfs *v, int fd, const void *b, size_t n, off_t off)
{
    (void)v;
    rec_fd_check(fd);
    return BASE->pwrite(BASE, fd, b, n, off);
}

static ssize_t r_pread(const vfs *v, int fd, void *b, size_t n, off_t off)
{
    (void)v;
    rec_fd_check(fd);
    return BASE->pread(BASE, fd, b, n, off);
}

static int r_fsync(const vfs *v, int fd)
{
    (void)v;
    rec_fd_check(fd);
    return BASE->fsync(BASE, fd);
}

static int r_ftruncate(const vfs *v, int fd, off_t len)
{
    (void)v;
    rec_fd_check(fd);
    return BASE->ftruncate(BASE, fd, len);
}

/* A renamed directory's contents keep their history under the new name (a
 * block is written in .tmp-<id> and renamed whole). */
static void rec_carry(const char *from, const char *to)
{
    size_t fl = strlen(from);
    int n = g_rec.npaths;
    for (int i = 0; i < n; i++) {
        if (strncmp(g_rec.paths[i], from, fl) || g_rec.paths[i][fl] != '/') continue;
        char np[PATH_MAX];
        pathf(np, sizeof np, "%s%s", to, g_rec.paths[i] + fl);
        int ops = g_rec.ops[i];
        pthread_mutex_unlock(&g_rec.mu);
        rec_path(np, ops);
        pthread_mutex_lock(&g_rec.mu);
    }
}

static int r_rename(const vfs *v, const char *a, const char *b)
{
    (void)v;
    rec_path(a, R_RENAME);
    rec_path(b, R_RENAME);
    int rc = BASE->rename(BASE, a, b);
    pthread_mutex_lock(&g_rec.mu);
    if (rc == 0) rec_carry(a, b);
    pthread_mutex_unlock(&g_rec.mu);
    return rc;
}

static int r_unlink(const vfs *v, const char *p)
{
    (void)v;
    rec_path(p, R_UNLINK);
    return BASE->unlink(BASE, p);
}

static int r_mkdir(const vfs *v, const char *p, int mode)
{
    (void)v;
    rec_path(p, R_MKDIR);
    return BASE->mkdir(BASE, p, mode);
}

static int r_rmdir(const vfs *v, const char *p)
{
    (void)v;
    rec_path(p, R_UNLINK);
    return BASE->rmdir(BASE, p);
}

static int r_size(const vfs *v, int fd, uint64_t *out)
{
    (void)v;
    char *p = rec_fd_use(fd);
    if (p) rec_path(p, R_SIZE);
    free(p);
    return BASE->size(BASE, fd, out);
}

static int r_list(const vfs *v, const char *dir, vfs_list_fn fn, void *ctx)
{
    (void)v;
    rec_path(dir, R_LIST);
    pthread_mutex_lock(&g_rec.mu);
    g_rec.nlist++;
    pthread_mutex_unlock(&g_rec.mu);
    return BASE->list(BASE, dir, fn, ctx);
}

static int r_map(const vfs *v, int fd, uint64_t len, const void **out)
{
    (void)v;
    char *p = rec_fd_use(fd);
    if (p) rec_path(p, R_MAP);
    free(p);
    int rc = BASE->map(BASE, fd, len, out);
    pthread_mutex_lock(&g_rec.mu);
    g_rec.nmap++;
    if (rc == 0) g_rec.mapped++;
    pthread_mutex_unlock(&g_rec.mu);
    return rc;
}

static void r_unmap(const vfs *v, const void *p, uint64_t len)
{
    (void)v;
    pthread_mutex_lock(&g_rec.mu);
    g_rec.mapped--;
    pthread_mutex_unlock(&g_rec.mu);
    BASE->unmap(BASE, p, len);
}

static int r_tmpfile(const vfs *v, const char *dir)
{
    (void)v;
    int fd = BASE->tmpfile(BASE, dir);
    if (fd >= 0) rec_fd_new(fd, dir);
    return fd;
}

static int r_lock(const vfs *v, const char *path, int *fd_out)
{
    (void)v;
    rec_path(path, R_LOCK);
    int rc = BASE->lock(BASE, path, fd_out);
    pthread_mutex_lock(&g_rec.mu);
    g_rec.nlock++;
    pthread_mutex_unlock(&g_rec.mu);
    if (rc == 0) rec_fd_new(*fd_out, path);
    return rc;
}

static const vfs rec_vfs = {
    .open = r_open, .close = r_close, .write = r_write, .pwrite = r_pwrite, .pread = r_pread,
    .fsync = r_fsync, .ftruncate = r_ftruncate, .rename = r_rename, .unlink = r_unlink,
    .mkdir = r_mkdir, .rmdir = r_rmdir, .size = r_size, .list = r_list, .map = r_map,
    .unmap = r_unmap, .tmpfile = r_tmpfile, .lock = r_lock, .ctx = &g_rec,
};

static int rec_open_fds(void)
{
    pthread_mutex_lock(&g_rec.mu);
    int n = 0;
    for (int i = 0; i < REC_MAXFD; i++) n += g_rec.fd_path[i] != NULL;
    pthread_mutex_unlock(&g_rec.mu);
    return n;
}

static store *rec_store_open(const char *dir, int *rc_out)
{
    store_opts o;
    store_opts_default(&o);
    o.vfs = &rec_vfs;
    o.data_dir = dir;
    o.maintenance_interval = 0;
    o.retention = 0;
    o.memory_window = 24LL * 3600 * ST_NS_PER_S;
    o.nshards = 2;
    o.log = test_store_log;
    store *s = NULL;
    st_err e = {0};
    int rc = store_open(&o, &s, &e);
    if (rc_out) *rc_out = rc;
    else if (rc) fprintf(stderr, "store_open: %s\n", e.msg);
    return s;
}

/* What this process holds open or mapped under dir (from /proc/self): each
 * must be something the vfs handed out. Returns how many were not. */
static int proc_unexplained(const char *real_dir)
{
    int bad = 0;
    size_t dl = strlen(real_dir);
    DIR *d = opendir("/proc/self/fd");
    if (!d) return 0; /* no /proc: the fd bookkeeping above still checks */
    struct dirent *de;
    while ((de = readdir(d))) {
        if (de->d_name[0] == '.') continue;
        int fd = atoi(de->d_name);
        char lk[64], target[PATH_MAX];
        pathf(lk, sizeof lk, "/proc/self/fd/%d", fd);
        ssize_t n = readlink(lk, target, sizeof target - 1);
        if (n <= 0 || fd == dirfd(d)) continue;
        target[n] = 0;
        if (strncmp(target, real_dir, dl) || (target[dl] != '/' && target[dl])) continue;
        pthread_mutex_lock(&g_rec.mu);
        bool ours = fd < REC_MAXFD && g_rec.fd_path[fd];
        pthread_mutex_unlock(&g_rec.mu);
        if (!ours) {
            fprintf(stderr, "  fd %d open behind the vfs: %s\n", fd, target);
            bad++;
        }
    }
    closedir(d);
    FILE *f = fopen("/proc/self/maps", "r");
    if (!f) return bad;
    char line[PATH_MAX + 256];
    int maps = 0;
    while (fgets(line, sizeof line, f)) {
        char *p = strchr(line, '/');
        if (!p || strncmp(p, real_dir, dl) || p[dl] != '/') continue;
        p[strcspn(p, "\n")] = 0;
        if (!(rec_ops(p) & R_MAP)) {
            fprintf(stderr, "  mapped behind the vfs: %s\n", p);
            bad++;
        }
        maps++;
    }
    fclose(f);
    (void)maps;
    return bad;
}

/* Every file under dir, each checked with want(path): 0 when it passes. */
static int walk_files(const char *dir, int (*want)(const char *path, bool is_dir))
{
    int bad = 0;
    DIR *d = opendir(dir);
    if (!d) return 1;
    struct dirent *de;
    while ((de = readdir(d))) {
        if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, "..")) continue;
        char p[PATH_MAX];
        pathf(p, sizeof p, "%s/%s", dir, de->d_name);
        struct stat st;
        if (lstat(p, &st)) continue;
        bool is_dir = S_ISDIR(st.st_mode);
        bad += want(p, is_dir);
        if (is_dir) bad += walk_files(p, want);
    }
    closedir(d);
    return bad;
}

/* Session 1: whatever exists was made through the vfs. */
static int made_through_vfs(const char *p, bool is_dir)
{
    int ops = rec_ops(p);
    int want = is_dir ? R_MKDIR | R_RENAME : R_OPEN | R_LOCK | R_RENAME;
    if (ops & want) return 0;
    fprintf(stderr, "  %s %s appeared without the vfs\n", is_dir ? "directory" : "file", p);
    return 1;
}

/* Session 2 (reopen): every file was read through the vfs. Directories are
 * listed by the ones that are (db/, each blocks/, wal/); the others hold
 * files known by name. */
static int read_through_vfs(const char *p, bool is_dir)
{
    int ops = rec_ops(p);
    if (is_dir) {
        const char *base = strrchr(p, '/') + 1;
        bool listed = !strcmp(base, "db") || !strcmp(base, "blocks") || !strcmp(base, "wal");
        if (!listed || (ops & R_LIST)) return 0;
        fprintf(stderr, "  directory %s was not listed through the vfs\n", p);
        return 1;
    }
    if (ops & (R_OPEN | R_LOCK)) return 0;
    fprintf(stderr, "  file %s was not opened through the vfs\n", p);
    return 1;
}

static uint64_t fbits(double d)
{
    uint64_t u;
    memcpy(&u, &d, 8);
    return u;
}

static void write_some(store *s, const char *db, int64_t t0, int n)
{
    store_batch *b = store_batch_new();
    label ls[2] = {{st_slice_cstr("__name__"), st_slice_cstr("vfs_test")},
                   {st_slice_cstr("host"), st_slice_cstr("a")}};
    uint32_t h = 0;
    series_meta m = {ST_VT_FLOAT, 8};
    st_err e = {0};
    CHECK_OK(store_batch_series(b, ls, 2, m, &h, &e));
    for (int i = 0; i < n; i++) store_batch_add(b, h, t0 + i * ST_NS_PER_S, fbits(i));
    store_write_result r;
    CHECK_OK(store_write(s, db, b, &r, &e));
    CHECK_EQ_INT(r.accepted, n);
    store_batch_free(b);
}

static void test_store_session_through_vfs(void)
{
    /* under the real path: /proc/self names files by it */
    char dir[PATH_MAX], real[PATH_MAX], lockp[PATH_MAX];
    CHECK(realpath(g_dir, real) != NULL);
    pathf(dir, sizeof dir, "%s/store", real);
    pathf(lockp, sizeof lockp, "%s/LOCK", dir);
    int64_t t0 = (st_now_ns() / ST_NS_PER_S - 3 * 3600) * ST_NS_PER_S;

    /* session 1: create, write, flush, close */
    rec_reset();
    store *s = rec_store_open(dir, NULL);
    CHECK(s != NULL);
    if (!s) return;
    CHECK(store_vfs(s) == &rec_vfs);
    pathf(real, sizeof real, "%s", dir);
    CHECK_OK(store_db_create(s, "other", -1, -1, NULL));
    write_some(s, "default", t0, 500);
    write_some(s, "other", t0, 100);
    CHECK_OK(store_flush_all(s, NULL));
    write_some(s, "default", t0 + 1000 * ST_NS_PER_S, 50); /* left in the WAL */
    CHECK_EQ_INT(proc_unexplained(real), 0);
    /* a second store on the same directory is refused by the lock */
    int rc2 = 0;
    store *s2 = rec_store_open(dir, &rc2);
    CHECK(s2 == NULL);
    CHECK_EQ_INT(rc2, ST_EEXIST);
    CHECK_OK(store_close(s, NULL));
    CHECK_EQ_INT(g_rec.stray, 0);
    CHECK_EQ_INT(g_rec.mapped, 0);
    CHECK_EQ_INT(rec_open_fds(), 0);
    CHECK(rec_ops(lockp) & R_LOCK);
    CHECK(!(rec_ops(lockp) & R_OPEN));
    CHECK_EQ_INT(g_rec.nlock, 2);
    CHECK_EQ_INT(walk_files(dir, made_through_vfs), 0);

    /* session 2: reopen, read back, close */
    rec_reset();
    s = rec_store_open(dir, NULL);
    CHECK(s != NULL);
    if (!s) return;
    store_stats st;
    store_get_stats(s, &st);
    CHECK(st.blocks >= 2);
    CHECK_EQ_INT(g_rec.nlock, 1);
    CHECK(rec_ops(lockp) & R_LOCK);
    CHECK(!(rec_ops(lockp) & R_OPEN));
    CHECK(g_rec.nlist >= 4); /* db/, two blocks/, wal/ */
    CHECK(g_rec.nmap >= (int)st.blocks);
    CHECK_EQ_INT(g_rec.mapped, (int)st.blocks);
    char p[PATH_MAX];
    pathf(p, sizeof p, "%s/catalog", dir);
    CHECK_EQ_INT(rec_ops(p) & (R_OPEN | R_SIZE), R_OPEN | R_SIZE);
    CHECK_EQ_INT(walk_files(dir, read_through_vfs), 0);
    CHECK_EQ_INT(proc_unexplained(real), 0);
    CHECK_EQ_INT(g_rec.stray, 0);
    CHECK_OK(store_close(s, NULL));
    CHECK_EQ_INT(g_rec.stray, 0);
    CHECK_EQ_INT(g_rec.mapped, 0);
    CHECK_EQ_INT(rec_open_fds(), 0);
    rec_reset();
}

int main(void)
{
    g_dir = testlib_tmpdir("vfs");
    RUN(test_list);
    RUN(test_size_and_map);
    RUN(test_tmpfile);
    RUN(test_lock);
    RUN(test_remove_tree);
    RUN(test_store_session_through_vfs);
    testlib_rmrf(g_dir);
    return testlib_done("test_vfs");
}
