/* vfs: the one seam through which the engine touches files.
 *
 * Every open, write, fsync, rename, truncate and unlink of the WAL, the
 * catalog and the blocks goes through a vfs table, so that tests can wrap it:
 * fail a call with EIO or ENOSPC, tear a write, or record the order of writes
 * and fsyncs (to prove that an fsync precedes each acknowledgement).
 *
 * Calls return >= 0 on success or -errno on failure (never set errno as the
 * only signal). vfs_posix() is the real file system; a wrapper copies it,
 * replaces some entries and keeps a pointer to the original in ctx.
 */
#ifndef ST_VFS_H
#define ST_VFS_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

typedef struct vfs vfs;
struct vfs {
    int (*open)(const vfs *v, const char *path, int flags, int mode);
    int (*close)(const vfs *v, int fd);
    ssize_t (*write)(const vfs *v, int fd, const void *buf, size_t n);
    ssize_t (*pwrite)(const vfs *v, int fd, const void *buf, size_t n, off_t off);
    ssize_t (*pread)(const vfs *v, int fd, void *buf, size_t n, off_t off);
    int (*fsync)(const vfs *v, int fd);     /* also used for fdatasync */
    int (*ftruncate)(const vfs *v, int fd, off_t len);
    int (*rename)(const vfs *v, const char *from, const char *to);
    int (*unlink)(const vfs *v, const char *path);
    int (*mkdir)(const vfs *v, const char *path, int mode);
    int (*rmdir)(const vfs *v, const char *path);
    void *ctx; /* for wrappers */
};

const vfs *vfs_posix(void);

/* Helpers over a vfs. All return 0 or -errno. */
int vfs_write_all(const vfs *v, int fd, const void *buf, size_t n);
int vfs_pwrite_all(const vfs *v, int fd, const void *buf, size_t n, off_t off);
int vfs_pread_all(const vfs *v, int fd, void *buf, size_t n, off_t off); /* -EIO on short read */
/* fsync a directory so that a create/rename/unlink inside it is durable. */
int vfs_fsync_dir(const vfs *v, const char *dir);
/* Write a whole file atomically: write to path.tmp (made anew with mode,
 * so a leftover one's permissions never carry over), fsync, rename, fsync
 * dir. */
int vfs_write_file_atomic(const vfs *v, const char *dir, const char *name, const void *buf, size_t n, int mode);
/* Remove a directory tree (used for expired blocks and temporary dirs). */
int vfs_remove_tree(const vfs *v, const char *path);
/* mkdir -p, fsyncing each parent it had to create into. */
int vfs_mkdir_p(const vfs *v, const char *path, int mode);

#endif
