/* Tests for engine/crypto: the key file (refused when unsafe or
 * malformed), seeds wrapped on disk and read back, file keys that differ
 * by salt, kind and path, AES-256-GCM that refuses any change, rotation of
 * the master key without touching data, and clear refusals when a key is
 * missing or wrong. */
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "crypto.h"
#include "testlib.h"

static char *dir;
static char keyfile[4200];

/* two master keys, base64 of 32 bytes each */
static const char K1[] = "k1 AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=";
static const char K2[] = "k2 ICEiIyQlJicoKSorLC0uLzAxMjM0NTY3ODk6Ozw9Pj8=";
static const char K1_OTHER[] = "k1 //79/Pv6+fj39vX08/Lx8O/u7ezr6uno5+bl5OPi4eA=";

static void write_keys(const char *text, int mode)
{
    unlink(keyfile);
    int fd = open(keyfile, O_WRONLY | O_CREAT | O_TRUNC, mode);
    CHECK(fd >= 0);
    CHECK(write(fd, text, strlen(text)) == (ssize_t)strlen(text));
    fchmod(fd, (mode_t)mode);
    close(fd);
}

static int open_c(crypto **c, st_err *e) { return crypto_open(vfs_posix(), dir, keyfile, c, e); }

static void test_key_file_checks(void)
{
    crypto *c = NULL;
    st_err e = {0};
    write_keys(K1, 0644);
    CHECK(open_c(&c, &e) == ST_EINVAL && strstr(e.msg, "readable by others") && strstr(e.msg, "chmod 600"));
    const char *bad[] = {"", "# only a comment\n", "k1\n", "k1 notbase64!!\n", "k1 AAEC\n",
                         "bad/id AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=\n",
                         "k1 AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=\nk1 ICEiIyQlJicoKSorLC0uLzAxMjM0NTY3ODk6Ozw9Pj8=\n"};
    const char *why[] = {"no key", "no key", "not \"ID BASE64-KEY\"", "not 32 bytes", "not 32 bytes",
                         "not \"ID BASE64-KEY\"", "appears twice"};
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        write_keys(bad[i], 0600);
        CHECK_MSG(open_c(&c, &e) == ST_EINVAL && strstr(e.msg, why[i]), "case %zu: %s", i, e.msg);
    }
    CHECK(crypto_open(vfs_posix(), dir, "/nonexistent/keys", &c, &e) == ST_EINVAL && strstr(e.msg, "/nonexistent"));
    CHECK(!crypto_dir_has_seeds(vfs_posix(), dir)); /* nothing was written by a refused start */
}

static void test_seeds_and_file_keys(void)
{
    crypto *c = NULL;
    st_err e = {0};
    write_keys("# the active key first\n\nk1 AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=  \n", 0400);
    CHECK_OK(open_c(&c, &e));
    CHECK(crypto_dir_has_seeds(vfs_posix(), dir));
    CHECK_EQ_INT(crypto_seed(c), 1);
    char id[CRYPTO_KEY_ID_MAX + 1];
    crypto_active_key_id(c, id);
    CHECK(!strcmp(id, "k1"));
    uint8_t salt[CRYPTO_SALT_BYTES] = {1, 2, 3}, salt2[CRYPTO_SALT_BYTES] = {1, 2, 4};
    uint8_t a[32], b[32], x[32];
    CHECK_OK(crypto_file_key(c, 1, salt, 7, "db/x/blocks/01/chunks", a, &e));
    CHECK_OK(crypto_file_key(c, 1, salt, 7, "db/x/blocks/01/chunks", b, &e));
    CHECK(!memcmp(a, b, 32));
    CHECK_OK(crypto_file_key(c, 1, salt2, 7, "db/x/blocks/01/chunks", x, &e));
    CHECK(memcmp(a, x, 32));
    CHECK_OK(crypto_file_key(c, 1, salt, 8, "db/x/blocks/01/chunks", x, &e));
    CHECK(memcmp(a, x, 32));
    CHECK_OK(crypto_file_key(c, 1, salt, 7, "db/y/blocks/01/chunks", x, &e));
    CHECK(memcmp(a, x, 32));
    CHECK(crypto_file_key(c, 9, salt, 7, "p", x, &e) == ST_ENOTFOUND);
    crypto_close(c);
    /* another process changing the keys at the same moment: refused */
    char lockp[4300];
    snprintf(lockp, sizeof lockp, "%s/keys/LOCK", dir);
    int lfd;
    CHECK_OK(vfs_posix()->lock(vfs_posix(), lockp, &lfd));
    crypto *c2 = NULL;
    CHECK(open_c(&c2, &e) == ST_EINVAL && strstr(e.msg, "another Strata"));
    vfs_posix()->close(vfs_posix(), lfd);
    /* reopened: the same seed, so the same file key; no new seed */
    CHECK_OK(open_c(&c, &e));
    CHECK_EQ_INT(crypto_seed(c), 1);
    CHECK_OK(crypto_file_key(c, 1, salt, 7, "db/x/blocks/01/chunks", b, &e));
    CHECK(!memcmp(a, b, 32));
    crypto_close(c);
    /* the seed is never on disk in the clear, nor the master key */
    char path[4300];
    snprintf(path, sizeof path, "%s/keys/seed-1", dir);
    struct stat sb;
    CHECK(stat(path, &sb) == 0 && (sb.st_mode & 0777) == 0600);
    uint8_t file[256];
    int fd = open(path, O_RDONLY);
    ssize_t n = read(fd, file, sizeof file);
    close(fd);
    CHECK(n == 12 + 2 + 12 + 32 + 16);
    static const uint8_t k1[32] = {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15,
                                   16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31};
    CHECK(memmem(file, (size_t)n, k1, 8) == NULL);
}

static void test_aead(void)
{
    uint8_t key[32] = {9}, nonce[12], out[64 + 16], back[64];
    crypto_aead *a;
    st_err e = {0};
    CHECK_OK(crypto_aead_new(key, &a, &e));
    const char msg[] = "cpu,host=a usage=1 1700000000000000000 and then some";
    crypto_nonce(5, false, nonce);
    CHECK_OK(crypto_seal(a, nonce, "hdr", 3, msg, sizeof msg, out));
    CHECK(memcmp(out, msg, 16)); /* not the plaintext */
    CHECK_OK(crypto_unseal(a, nonce, "hdr", 3, out, sizeof msg + 16, back));
    CHECK(!memcmp(back, msg, sizeof msg));
    /* any change: the tag refuses it */
    out[3] ^= 1;
    CHECK_EQ_INT(crypto_unseal(a, nonce, "hdr", 3, out, sizeof msg + 16, back), ST_ECORRUPT);
    out[3] ^= 1;
    out[sizeof msg + 15] ^= 0x80;
    CHECK_EQ_INT(crypto_unseal(a, nonce, "hdr", 3, out, sizeof msg + 16, back), ST_ECORRUPT);
    out[sizeof msg + 15] ^= 0x80;
    CHECK_EQ_INT(crypto_unseal(a, nonce, "hdR", 3, out, sizeof msg + 16, back), ST_ECORRUPT);
    uint8_t n2[12];
    crypto_nonce(5, true, n2); /* the last-piece flag is part of the nonce: a cut stream shows */
    CHECK_EQ_INT(crypto_unseal(a, n2, "hdr", 3, out, sizeof msg + 16, back), ST_ECORRUPT);
    crypto_nonce(6, false, n2);
    CHECK_EQ_INT(crypto_unseal(a, n2, "hdr", 3, out, sizeof msg + 16, back), ST_ECORRUPT);
    CHECK_EQ_INT(crypto_unseal(a, nonce, "hdr", 3, out, 10, back), ST_ECORRUPT);
    crypto_aead_free(a);
}

typedef struct counts {
    char text[200];
} counts;

static void on_count(void *ctx, const char *id, unsigned n)
{
    counts *c = ctx;
    size_t l = strlen(c->text);
    snprintf(c->text + l, sizeof c->text - l, "%s=%u ", id, n);
}

static void test_rotation_and_refusals(void)
{
    crypto *c = NULL;
    st_err e = {0};
    uint8_t salt[CRYPTO_SALT_BYTES] = {7}, before[32], after[32];
    write_keys(K1, 0600);
    CHECK_OK(open_c(&c, &e));
    CHECK_OK(crypto_file_key(c, 1, salt, 1, "catalog", before, &e));
    crypto_close(c);
    /* a new key first, the old one kept: seeds wrapped again, a new seed */
    char both[200];
    snprintf(both, sizeof both, "%s\n%s\n", K2, K1);
    write_keys(both, 0600);
    CHECK_OK(open_c(&c, &e));
    CHECK_EQ_INT(crypto_seed(c), 2);
    counts n = {""};
    crypto_seed_counts(c, on_count, &n);
    CHECK_MSG(!strcmp(n.text, "k2=2 k1=0 "), "%s", n.text);
    CHECK_OK(crypto_file_key(c, 1, salt, 1, "catalog", after, &e));
    CHECK(!memcmp(before, after, 32)); /* old files still open: no data rewritten */
    crypto_close(c);
    /* the old key's line removed: everything still opens */
    write_keys(K2, 0600);
    CHECK_OK(open_c(&c, &e));
    CHECK_EQ_INT(crypto_seed(c), 2);
    CHECK_OK(crypto_file_key(c, 1, salt, 1, "catalog", after, &e));
    CHECK(!memcmp(before, after, 32));
    /* SIGHUP's rekey: a bad file changes nothing */
    write_keys("garbage\n", 0600);
    CHECK(crypto_rekey(c, keyfile, &e) == ST_EINVAL);
    CHECK_EQ_INT(crypto_seed(c), 2);
    snprintf(both, sizeof both, "k3 MDEyMzQ1Njc4OTAxMjM0NTY3ODkwMTIzNDU2Nzg5MDE=\n%s\n", K2);
    write_keys(both, 0600);
    CHECK_OK(crypto_rekey(c, keyfile, &e));
    CHECK_EQ_INT(crypto_seed(c), 3);
    char id[CRYPTO_KEY_ID_MAX + 1];
    crypto_active_key_id(c, id);
    CHECK(!strcmp(id, "k3"));
    crypto_close(c);
    /* a key file without the seeds' key: refused, naming the seed and key */
    write_keys(K1, 0600);
    CHECK(open_c(&c, &e) == ST_EINVAL && strstr(e.msg, "seed-1") && strstr(e.msg, "\"k3\"") &&
          strstr(e.msg, "does not hold"));
    /* the right id with other bytes: refused */
    write_keys("k3 //79/Pv6+fj39vX08/Lx8O/u7ezr6uno5+bl5OPi4eA=\n", 0600);
    CHECK(open_c(&c, &e) == ST_EINVAL && strstr(e.msg, "does not open with key \"k3\""));
    (void)K1_OTHER;
    /* a damaged seed file, and one renamed: refused */
    snprintf(both, sizeof both, "k3 MDEyMzQ1Njc4OTAxMjM0NTY3ODkwMTIzNDU2Nzg5MDE=\n");
    write_keys(both, 0600);
    char p1[4300], p2[4300], cmd[13000];
    snprintf(p1, sizeof p1, "%s/keys/seed-2", dir);
    snprintf(p2, sizeof p2, "%s/keys/seed-2.keep", dir);
    snprintf(cmd, sizeof cmd, "cp %s %s && printf 'X' | dd of=%s bs=1 seek=30 conv=notrunc 2>/dev/null", p1, p2, p1);
    CHECK(system(cmd) == 0);
    CHECK(open_c(&c, &e) == ST_EINVAL && strstr(e.msg, "seed-2"));
    snprintf(cmd, sizeof cmd, "cp %s/keys/seed-1 %s", dir, p1);
    CHECK(system(cmd) == 0);
    CHECK(open_c(&c, &e) == ST_ECORRUPT && strstr(e.msg, "renamed"));
    snprintf(cmd, sizeof cmd, "mv %s %s", p2, p1);
    CHECK(system(cmd) == 0);
    CHECK_OK(open_c(&c, &e));
    crypto_close(c);
}

int main(void)
{
    dir = testlib_tmpdir("crypto");
    snprintf(keyfile, sizeof keyfile, "%s/master.keys", dir);
    RUN(test_key_file_checks);
    RUN(test_seeds_and_file_keys);
    RUN(test_aead);
    char cmd[4300];
    snprintf(cmd, sizeof cmd, "rm -rf %s/keys", dir);
    if (system(cmd)) return 1;
    RUN(test_rotation_and_refusals);
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    if (system(cmd)) return 1;
    return testlib_done("test_crypto");
}
