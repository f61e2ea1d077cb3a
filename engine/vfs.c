/* vfs: the POSIX implementation of the file seam and helpers over any vfs. */
#include "vfs.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

static int px_open(const vfs *v, const char *path, int flags, int mode)
{
    (void)v;
    int fd = open(path, flags | O_CLOEXEC, mode);
    return fd < 0 ? -errno : fd;
}
static int px_close(const vfs *v, int fd) { (void)v; return close(fd) < 0 ? -errno : 0; }
static ssize_t px_write(const vfs *v, int fd, const void *b, size_t n)
{
    (void)v;
    ssize_t r = write(fd, b, n);
    return r < 0 ? -errno : r;
}
static ssize_t px_pwrite(const vfs *v, int fd, const void *b, size_t n, off_t off)
{
    (void)v;
    ssize_t r = pwrite(fd, b, n, off);
    return r < 0 ? -errno : r;
}
static ssize_t px_pread(const vfs *v, int fd, void *b, size_t n, off_t off)
{
    (void)v;
    ssize_t r = pread(fd, b, n, off);
    return r < 0 ? -errno : r;
}
static int px_fsync(const vfs *v, int fd) { (void)v; return fdatasync(fd) < 0 ? -errno : 0; }
static int px_ftruncate(const vfs *v, int fd, off_t len) { (void)v; return ftruncate(fd, len) < 0 ? -errno : 0; }
static int px_rename(const vfs *v, const char *a, const char *b) { (void)v; return rename(a, b) < 0 ? -errno : 0; }
static int px_unlink(const vfs *v, const char *p) { (void)v; return unlink(p) < 0 ? -errno : 0; }
static int px_mkdir(const vfs *v, const char *p, int mode) { (void)v; return mkdir(p, (mode_t)mode) < 0 ? -errno : 0; }
static int px_rmdir(const vfs *v, const char *p) { (void)v; return rmdir(p) < 0 ? -errno : 0; }

static int px_size(const vfs *v, int fd, uint64_t *out)
{
    (void)v;
    struct stat st;
    if (fstat(fd, &st) != 0) return -errno;
    *out = (uint64_t)st.st_size;
    return 0;
}

/* The names are gathered first and the directory closed before fn runs:
 * callers rename and remove entries as they go (a tree removal, a block
 * moved aside), which readdir leaves unspecified, and a recursive removal
 * would otherwise hold a directory stream open per level. Each entry is a
 * byte (1 = directory) and the name with its NUL, back to back. */
static int px_list(const vfs *v, const char *dir, vfs_list_fn fn, void *ctx)
{
    (void)v;
    DIR *d = opendir(dir);
    if (!d) return -errno;
    char *buf = NULL;
    size_t len = 0, cap = 0;
    int rc = 0;
    for (;;) {
        errno = 0;
        struct dirent *de = readdir(d);
        if (!de) {
            rc = -errno;
            break;
        }
        const char *nm = de->d_name;
        if (!strcmp(nm, ".") || !strcmp(nm, "..")) continue;
        bool is_dir = de->d_type == DT_DIR;
        if (de->d_type == DT_UNKNOWN) {
            /* some file systems do not say; lstat's answer (a link is not
             * its target) */
            struct stat st;
            is_dir = fstatat(dirfd(d), nm, &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISDIR(st.st_mode);
        }
        size_t n = strlen(nm) + 1;
        if (len + 1 + n > cap) {
            size_t ncap = cap ? cap * 2 : 1024;
            while (ncap < len + 1 + n) ncap *= 2;
            char *nb = realloc(buf, ncap);
            if (!nb) {
                rc = -ENOMEM;
                break;
            }
            buf = nb;
            cap = ncap;
        }
        buf[len] = (char)is_dir;
        memcpy(buf + len + 1, nm, n);
        len += 1 + n;
    }
    closedir(d);
    for (size_t i = 0; rc == 0 && i < len;) {
        const char *nm = buf + i + 1;
        rc = fn(ctx, nm, buf[i] != 0);
        i += 1 + strlen(nm) + 1;
    }
    free(buf);
    return rc;
}

static int px_map(const vfs *v, int fd, uint64_t len, const void **out)
{
    (void)v;
    if (len == 0 || len > SIZE_MAX) return -EINVAL;
    /* MAP_SHARED of a file opened read-only: pages come from the page cache,
     * nothing is copied, and the mapping outlives the fd */
    void *m = mmap(NULL, (size_t)len, PROT_READ, MAP_SHARED, fd, 0);
    if (m == MAP_FAILED) return -errno;
    *out = m;
    return 0;
}

static void px_unmap(const vfs *v, const void *p, uint64_t len)
{
    (void)v;
    if (p) munmap((void *)p, (size_t)len);
}

static int px_tmpfile(const vfs *v, const char *dir)
{
    (void)v;
    int fd = open(dir, O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);
    if (fd >= 0) return fd;
    if (errno != EOPNOTSUPP && errno != EISDIR && errno != EINVAL) return -errno;
    /* a kernel or file system without O_TMPFILE: a named file unlinked at
     * once (only a crash in between leaves it behind, hidden by its dot) */
    size_t l = strlen(dir) + 32;
    char *path = malloc(l);
    if (!path) return -ENOMEM;
    snprintf(path, l, "%s/.tmpfile-XXXXXX", dir);
    fd = mkostemp(path, O_CLOEXEC);
    int err = errno;
    if (fd >= 0) unlink(path);
    free(path);
    return fd >= 0 ? fd : -err;
}

static int px_lock(const vfs *v, const char *path, int *fd_out)
{
    (void)v;
    int fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
    if (fd < 0) return -errno;
    /* flock, not fcntl locks: those are per process, so a second store_open
     * of the same directory in one process would not be refused, and closing
     * any fd of the file would drop them */
    if (flock(fd, LOCK_EX | LOCK_NB) != 0) {
        int err = errno;
        close(fd);
        return -err;
    }
    *fd_out = fd;
    return 0;
}

static const vfs posix_vfs = {
    .open = px_open,
    .close = px_close,
    .write = px_write,
    .pwrite = px_pwrite,
    .pread = px_pread,
    .fsync = px_fsync,
    .ftruncate = px_ftruncate,
    .rename = px_rename,
    .unlink = px_unlink,
    .mkdir = px_mkdir,
    .rmdir = px_rmdir,
    .size = px_size,
    .list = px_list,
    .map = px_map,
    .unmap = px_unmap,
    .tmpfile = px_tmpfile,
    .lock = px_lock,
    .ctx = NULL,
};

const vfs *vfs_posix(void) { return &posix_vfs; }

int vfs_write_all(const vfs *v, int fd, const void *buf, size_t n)
{
    const char *p = buf;
    while (n) {
        ssize_t r = v->write(v, fd, p, n);
        if (r == -EINTR) continue;
        if (r < 0) return (int)r;
        if (r == 0) return -EIO;
        p += r;
        n -= (size_t)r;
    }
    return 0;
}

int vfs_pwrite_all(const vfs *v, int fd, const void *buf, size_t n, off_t off)
{
    const char *p = buf;
    while (n) {
        ssize_t r = v->pwrite(v, fd, p, n, off);
        if (r == -EINTR) continue;
        if (r < 0) return (int)r;
        if (r == 0) return -EIO;
        p += r;
        n -= (size_t)r;
        off += r;
    }
    return 0;
}

int vfs_pread_all(const vfs *v, int fd, void *buf, size_t n, off_t off)
{
    char *p = buf;
    while (n) {
        ssize_t r = v->pread(v, fd, p, n, off);
        if (r == -EINTR) continue;
        if (r < 0) return (int)r;
        if (r == 0) return -EIO;
        p += r;
        n -= (size_t)r;
        off += r;
    }
    return 0;
}

int vfs_fsync_dir(const vfs *v, const char *dir)
{
    int fd = v->open(v, dir, O_RDONLY | O_DIRECTORY, 0);
    if (fd < 0) return fd;
    int rc = v->fsync(v, fd);
    v->close(v, fd);
    return rc;
}

int vfs_write_file_atomic(const vfs *v, const char *dir, const char *name, const void *buf, size_t n, int mode)
{
    char tmp[PATH_MAX], dst[PATH_MAX];
    if (snprintf(tmp, sizeof tmp, "%s/%s.tmp", dir, name) >= (int)sizeof tmp ||
        snprintf(dst, sizeof dst, "%s/%s", dir, name) >= (int)sizeof dst)
        return -ENAMETOOLONG;
    v->unlink(v, tmp);
    int fd = v->open(v, tmp, O_WRONLY | O_CREAT | O_EXCL, mode);
    if (fd < 0) return fd;
    int rc = vfs_write_all(v, fd, buf, n);
    if (rc == 0) rc = v->fsync(v, fd);
    int crc = v->close(v, fd);
    if (rc == 0) rc = crc;
    if (rc == 0) rc = v->rename(v, tmp, dst);
    if (rc == 0) rc = vfs_fsync_dir(v, dir);
    if (rc != 0) v->unlink(v, tmp);
    return rc;
}

typedef struct rm_ctx {
    const vfs *v;
    const char *path;
    int err; /* an entry's failure, kept apart from list's own -ENOTDIR */
} rm_ctx;

static int rm_entry(void *ctx, const char *name, bool is_dir)
{
    rm_ctx *c = ctx;
    char sub[PATH_MAX];
    int rc = -ENAMETOOLONG;
    if (snprintf(sub, sizeof sub, "%s/%s", c->path, name) < (int)sizeof sub)
        rc = is_dir ? vfs_remove_tree(c->v, sub) : c->v->unlink(c->v, sub);
    if (rc == 0 || rc == -ENOENT) return 0; /* gone already: what was wanted */
    c->err = rc;
    return 1;
}

int vfs_remove_tree(const vfs *v, const char *path)
{
    rm_ctx c = {v, path, 0};
    int rc = v->list(v, path, rm_entry, &c);
    if (c.err) return c.err;
    if (rc == -ENOTDIR) return v->unlink(v, path);
    if (rc == 0) rc = v->rmdir(v, path);
    return rc == -ENOENT ? 0 : rc;
}

int vfs_mkdir_p(const vfs *v, const char *path, int mode)
{
    char buf[PATH_MAX];
    size_t n = strlen(path);
    if (n >= sizeof buf) return -ENAMETOOLONG;
    memcpy(buf, path, n + 1);
    for (size_t i = 1; i <= n; i++) {
        if (buf[i] != '/' && buf[i] != 0) continue;
        char c = buf[i];
        buf[i] = 0;
        int rc = v->mkdir(v, buf, mode);
        if (rc == 0) {
            /* make the new entry durable in its parent */
            char *slash = strrchr(buf, '/');
            if (slash && slash != buf) {
                *slash = 0;
                vfs_fsync_dir(v, buf);
                *slash = '/';
            } else {
                vfs_fsync_dir(v, slash ? "/" : ".");
            }
        } else if (rc != -EEXIST) {
            return rc;
        }
        buf[i] = c;
    }
    return 0;
}
