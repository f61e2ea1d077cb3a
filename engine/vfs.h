/* vfs: the one seam through which the engine and the server touch the data
 * directory.
 *
 * Invariant: nothing under the data directory is read, written, listed,
 * mapped, locked or removed except through a vfs. The WAL, the catalog, the
 * blocks, the LOCK file, the users file and the remote_read spill files all
 * go through the one table the store was opened with (store_opts.vfs, which
 * the server also hands to users_open and reaches via store_vfs()). That is
 * what lets tests wrap it (fail a call with EIO or ENOSPC, tear a write,
 * record the order of writes and fsyncs to prove that an fsync precedes each
 * acknowledgement, or check that no file is touched behind the table's back),
 * and what will let an encrypting vfs keep everything on disk encrypted: a
 * single bypass would be a file in the clear.
 *
 * The one query kept outside is the free-space check (statvfs) of
 * store.c's disk_has_room: it reads no file, only the file system's counters.
 *
 * Calls return >= 0 on success or -errno on failure (never set errno as the
 * only signal). vfs_posix() is the real file system; a wrapper copies it,
 * replaces some entries and keeps a pointer to the original in ctx, so the
 * entries it does not replace stay the posix ones.
 */
#ifndef ST_VFS_H
#define ST_VFS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

typedef struct vfs vfs;

/* Called by list for each entry of a directory but "." and "..". is_dir is
 * true for a directory itself, not for a symlink to one (so a tree removal
 * unlinks the link, never what it points at). Returning nonzero stops the
 * listing, and list returns that value. */
typedef int (*vfs_list_fn)(void *ctx, const char *name, bool is_dir);

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
    /* The size in bytes of an open file (the size of its contents, which an
     * encrypting vfs may store larger). */
    int (*size)(const vfs *v, int fd, uint64_t *out);
    /* Calls fn for each entry of dir, in no particular order. The names are
     * read before the first call, so fn may create, rename or remove entries
     * of dir. -ENOENT / -ENOTDIR when dir is missing or not a directory. */
    int (*list)(const vfs *v, const char *dir, vfs_list_fn fn, void *ctx);
    /* A read-only view of the first len bytes of an open file (len > 0, at
     * most its size), valid until unmap, even after fd is closed. The posix
     * one is an mmap; the view is of the contents, so an encrypting vfs can
     * serve it from a decrypted copy. */
    int (*map)(const vfs *v, int fd, uint64_t len, const void **out);
    void (*unmap)(const vfs *v, const void *p, uint64_t len);
    /* A new file in dir, open for reading and writing, that has no name: it
     * disappears when closed, and a crash leaves nothing to clean up.
     * Returns the fd. */
    int (*tmpfile)(const vfs *v, const char *dir);
    /* Opens (creating) path and takes an exclusive lock on it that the
     * kernel drops when the fd is closed (with close) or the process dies.
     * -EWOULDBLOCK (== -EAGAIN here) when another open file holds it. */
    int (*lock)(const vfs *v, const char *path, int *fd_out);
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
/* Remove a directory tree (used for expired blocks and temporary dirs); a
 * path that is a file is unlinked, a missing one is not an error. */
int vfs_remove_tree(const vfs *v, const char *path);
/* mkdir -p, fsyncing each parent it had to create into. */
int vfs_mkdir_p(const vfs *v, const char *path, int mode);

#endif
