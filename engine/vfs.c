/* vfs: the POSIX implementation of the file seam and helpers over any vfs. */
#include "vfs.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
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

static const vfs posix_vfs = {
    px_open, px_close, px_write, px_pwrite, px_pread, px_fsync, px_ftruncate,
    px_rename, px_unlink, px_mkdir, px_rmdir, NULL,
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

int vfs_remove_tree(const vfs *v, const char *path)
{
    DIR *d = opendir(path);
    if (!d) {
        if (errno == ENOTDIR) return v->unlink(v, path);
        return errno == ENOENT ? 0 : -errno;
    }
    int rc = 0;
    struct dirent *de;
    while ((de = readdir(d))) {
        if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, "..")) continue;
        char sub[PATH_MAX];
        if (snprintf(sub, sizeof sub, "%s/%s", path, de->d_name) >= (int)sizeof sub) {
            rc = -ENAMETOOLONG;
            break;
        }
        struct stat st;
        if (lstat(sub, &st) == 0 && S_ISDIR(st.st_mode))
            rc = vfs_remove_tree(v, sub);
        else
            rc = v->unlink(v, sub);
        if (rc < 0 && rc != -ENOENT) break;
        rc = 0;
    }
    closedir(d);
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
