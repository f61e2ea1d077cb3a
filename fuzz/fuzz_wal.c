/* fuzz_wal: libFuzzer target for WAL replay: the segment and checkpoint
 * readers and the repairs (truncation, salvage, moving aside).
 *
 * Input: byte 0 picks a directory layout, then u16 LE lengths split the rest
 * into files:
 *   0: 00000001.wal
 *   1: 00000001.wal (len at 1..2), 00000002.wal
 *   2: checkpoint.00000002 (len at 1..2), 00000002.wal
 *   3: checkpoint.00000001 (len at 1..2), 00000001.wal (len at 3..4), 00000002.wal
 * Properties checked, beyond "no crash, no sanitizer report":
 *   - replay fails only with ST_ECORRUPT for a header of a newer version;
 *   - after replay the directory is healthy: append one record, close,
 *     replay again: exactly the first replay's records plus the new one, and
 *     no torn tail left to cut.
 * fsync is a no-op in the vfs used here (speed); the wal is otherwise real.
 *
 * Build: clang -fsanitize=fuzzer,address,undefined -Iengine fuzz/fuzz_wal.c
 *        engine/wal.c engine/st.c engine/bits.c engine/vfs.c
 * With -DFUZZ_WAL_MAIN (no libFuzzer) it is a replay driver: it runs every
 * file named on the command line (directories are walked one level) and
 * prints "fuzz_wal: N passed, N failed"; `--gen DIR` writes the seed corpus.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include "bits.h"
#include "wal.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define FUZZ_MAX (64 << 10)

static char workdir[256];

static int nop_fsync(const vfs *v, int fd)
{
    (void)v, (void)fd;
    return 0;
}

static const vfs *fast_vfs(void)
{
    static vfs v;
    static int init;
    if (!init) {
        v = *vfs_posix();
        v.fsync = nop_fsync;
        init = 1;
    }
    return &v;
}

typedef struct list {
    uint8_t *p; /* records as [u8 type][u32 len][bytes] */
    size_t len, cap, n;
} list;

static int collect(void *ctx, uint8_t type, const uint8_t *p, size_t n)
{
    list *l = ctx;
    if (l->len + 5 + n > l->cap) {
        l->cap = (l->len + 5 + n) * 2;
        l->p = realloc(l->p, l->cap);
    }
    l->p[l->len] = type;
    put_u32le(l->p + l->len + 1, (uint32_t)n);
    if (n) memcpy(l->p + l->len + 5, p, n);
    l->len += 5 + n;
    l->n++;
    return 0;
}

static void clear_dir(const char *dir)
{
    DIR *d = opendir(dir);
    struct dirent *de;
    char path[512];
    while (d && (de = readdir(d))) {
        if (de->d_name[0] == '.') continue;
        snprintf(path, sizeof path, "%s/%s", dir, de->d_name);
        unlink(path);
    }
    if (d) closedir(d);
}

static void put(const char *dir, const char *name, const uint8_t *p, size_t n)
{
    char path[512];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "wb");
    if (!f) abort();
    if (n) fwrite(p, 1, n, f);
    fclose(f);
}

static void remove_workdir(void)
{
    clear_dir(workdir);
    rmdir(workdir);
}

static wal *open_fast(void)
{
    wal_opts o = {.vfs = fast_vfs(), .dir = workdir, .segment_size = 4096};
    wal *w = NULL;
    if (wal_open(&o, &w, NULL) != 0) abort();
    return w;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1 || size > FUZZ_MAX) return 0;
    if (!workdir[0]) {
        snprintf(workdir, sizeof workdir, "%s/fuzz-wal-XXXXXX", getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
        if (!mkdtemp(workdir)) abort();
        atexit(remove_workdir);
    }
    clear_dir(workdir);

    static const char *names[4][3] = {
        {"00000001.wal"},
        {"00000001.wal", "00000002.wal"},
        {"checkpoint.00000002", "00000002.wal"},
        {"checkpoint.00000001", "00000001.wal", "00000002.wal"},
    };
    static const int nfiles[4] = {1, 2, 2, 3};
    int mode = data[0] % 4, nf = nfiles[mode];
    size_t off = 1, lens[3];
    for (int i = 0; i < nf - 1; i++) {
        lens[i] = off + 2 <= size ? (size_t)data[off] | (size_t)data[off + 1] << 8 : 0;
        off = off + 2 <= size ? off + 2 : size;
    }
    for (int i = 0; i < nf; i++) {
        size_t left = size - off;
        size_t n = i == nf - 1 || lens[i] > left ? left : lens[i];
        put(workdir, names[mode][i], data + off, n);
        off += n;
    }

    list first = {0}, second = {0};
    wal *w = open_fast();
    int rc = wal_replay(w, collect, &first, NULL);
    if (rc != 0) {
        if (rc != ST_ECORRUPT) abort(); /* only a newer format version may stop replay */
        wal_close(w, NULL);
        free(first.p);
        return 0;
    }
    uint64_t lsn;
    if (wal_append(w, 0xAB, "fuzz", 4, NULL, 0, &lsn, NULL) || wal_sync(w, lsn, NULL)) abort();
    if (wal_close(w, NULL)) abort();
    collect(&first, 0xAB, (const uint8_t *)"fuzz", 4);

    w = open_fast();
    if (wal_replay(w, collect, &second, NULL)) abort();
    wal_stats st;
    wal_get_stats(w, &st);
    if (wal_close(w, NULL)) abort();
    if (st.truncated_tails || first.n != second.n || first.len != second.len ||
        (first.len && memcmp(first.p, second.p, first.len)))
        abort();
    free(first.p);
    free(second.p);
    return 0;
}

#ifdef FUZZ_WAL_MAIN
/* ---- seed generation ---- */

static void pack_dir(const char *gendir, int mode, const char *out)
{
    static const char *names[4][3] = {
        {"00000001.wal"},
        {"00000001.wal", "00000002.wal"},
        {"checkpoint.00000002", "00000002.wal"},
        {"checkpoint.00000001", "00000001.wal", "00000002.wal"},
    };
    static const int nfiles[4] = {1, 2, 2, 3};
    uint8_t *buf = malloc(FUZZ_MAX), *files[3];
    size_t len = 1, sizes[3];
    buf[0] = (uint8_t)mode;
    for (int i = 0; i < nfiles[mode]; i++) {
        char path[512];
        snprintf(path, sizeof path, "%s/%s", gendir, names[mode][i]);
        FILE *f = fopen(path, "rb");
        files[i] = malloc(FUZZ_MAX);
        sizes[i] = f ? fread(files[i], 1, FUZZ_MAX / 4, f) : 0;
        if (f) fclose(f);
    }
    for (int i = 0; i < nfiles[mode] - 1; i++) {
        buf[len++] = (uint8_t)sizes[i];
        buf[len++] = (uint8_t)(sizes[i] >> 8);
    }
    for (int i = 0; i < nfiles[mode]; i++) {
        memcpy(buf + len, files[i], sizes[i]);
        len += sizes[i];
        free(files[i]);
    }
    FILE *f = fopen(out, "wb");
    if (!f) abort();
    fwrite(buf, 1, len, f);
    fclose(f);
    free(buf);
}

static wal *gen_open(const char *dir, size_t seg)
{
    wal_opts o = {.vfs = fast_vfs(), .dir = dir, .segment_size = seg};
    wal *w;
    list none = {0};
    if (wal_open(&o, &w, NULL) || wal_replay(w, collect, &none, NULL)) abort();
    return w;
}

static void gen_append(wal *w, int n, uint64_t seed)
{
    uint8_t p[300];
    uint64_t lsn;
    for (int i = 0; i < n; i++) {
        size_t len = (size_t)((seed + (uint64_t)i * 37) % 120);
        for (size_t j = 0; j < len; j++) p[j] = (uint8_t)(seed * 31 + (uint64_t)(i + j));
        if (wal_append(w, (uint8_t)(i + 1), p, len, NULL, 0, &lsn, NULL)) abort();
    }
    if (wal_sync(w, lsn, NULL)) abort();
}

static void gen_ckpt(wal *w, int n)
{
    wal_ckpt *c;
    if (wal_checkpoint_begin(w, &c, NULL)) abort();
    for (int i = 0; i < n; i++) {
        uint8_t p[16];
        memset(p, i, sizeof p);
        if (wal_checkpoint_add(c, 200, p, (size_t)i, NULL)) abort();
    }
    if (wal_checkpoint_commit(c, NULL)) abort();
}

static void gen(const char *outdir)
{
    char dir[256], out[512];
    snprintf(dir, sizeof dir, "/tmp/fuzz-wal-gen-XXXXXX");
    if (!mkdtemp(dir)) abort();
    mkdir(outdir, 0755);
    for (int s = 0; s < 8; s++) {
        clear_dir(dir);
        int mode = s % 4;
        wal *w = gen_open(dir, mode == 0 ? 1 << 20 : 1024);
        switch (mode) {
        case 0: gen_append(w, s == 4 ? 1 : 12, (uint64_t)s); break;
        case 1: gen_append(w, 20, (uint64_t)s); break;
        case 2: gen_append(w, 5, 1); gen_ckpt(w, 4); gen_append(w, 6, (uint64_t)s); break;
        case 3: gen_ckpt(w, 3); gen_append(w, 25, (uint64_t)s); break;
        }
        wal_close(w, NULL);
        snprintf(out, sizeof out, "%s/seed-%d-mode%d", outdir, s, mode);
        pack_dir(dir, mode, out);
    }
    clear_dir(dir);
    rmdir(dir);
}

static int run_file(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f) return -1;
    uint8_t *buf = malloc(FUZZ_MAX + 1);
    size_t n = fread(buf, 1, FUZZ_MAX + 1, f);
    fclose(f);
    LLVMFuzzerTestOneInput(buf, n);
    free(buf);
    return 0;
}

int main(int argc, char **argv)
{
    if (argc == 3 && !strcmp(argv[1], "--gen")) {
        gen(argv[2]);
        return 0;
    }
    int passed = 0, failed = 0;
    for (int i = 1; i < argc; i++) {
        DIR *d = opendir(argv[i]);
        if (!d) {
            if (run_file(argv[i])) failed++;
            else passed++;
            continue;
        }
        struct dirent *de;
        while ((de = readdir(d))) {
            char path[4096];
            if (de->d_name[0] == '.') continue;
            snprintf(path, sizeof path, "%s/%s", argv[i], de->d_name);
            if (run_file(path)) failed++;
            else passed++;
        }
        closedir(d);
    }
    printf("fuzz_wal: %d passed, %d failed\n", passed, failed);
    return failed != 0;
}
#endif
