/* users: Strata's users, their password hashes, grants and API tokens,
 * kept in the file "users" of the data directory.
 *
 * A user has a name (1 to 64 bytes, no control characters), a password
 * hash (crypt(3) form: bcrypt "$2b$..." for passwords set here), whether
 * it is the server's admin, grants of READ and WRITE per database name (a
 * grant may name a database not created yet), API tokens (kept as the
 * SHA-256 of the secret; the secret is shown once, when made) and a SigV4
 * secret access key.
 *
 * Every change is written to disk before it is answered: the whole file is
 * replaced atomically (write, fsync, rename, fsync dir) and ends with a
 * crc32c line, so a torn or edited file is refused at start, never half
 * read. A change builds a new copy of the table and swaps it in only after
 * the write; a failed write leaves the old table and the old file.
 *
 * Each user carries a generation, drawn from one counter that only grows:
 * SET PASSWORD, DROP USER, DROP TOKEN and recreating a dropped name all
 * give a new one, so whatever was verified under the old one (auth.c's
 * cache) is known to be stale.
 *
 * Thread-safe: readers share a lock that only a change takes alone.
 */
#ifndef ST_USERS_H
#define ST_USERS_H

#include "st.h"
#include "vfs.h"

#define USERS_NAME_MAX 64
#define USERS_HASH_MAX 127
#define USERS_TOKEN_ID_LEN 16 /* hex */
#define USERS_KEY_MAX 64      /* a SigV4 secret access key */

/* privileges on a database */
enum { USERS_READ = 1, USERS_WRITE = 2, USERS_ALL = 3 };

typedef struct users users;

/* Loads dir/users (none: no users). ST_ECORRUPT when the file is damaged. */
int users_open(const vfs *v, const char *dir, users **out, st_err *e);
void users_close(users *u);

/* Whether name is a valid user name; ST_EINVAL saying why when not. */
int users_name_valid(const char *name, size_t n, st_err *e);

size_t users_count(users *u);
bool users_any_admin(users *u);

/* What authenticating needs of a user: its hash, whether admin, and its
 * generation. ST_ENOTFOUND when there is no such user. */
typedef struct users_login {
    char hash[USERS_HASH_MAX + 1];
    bool admin;
    uint64_t gen;
} users_login;
int users_get(users *u, const char *name, users_login *out);

/* The user's generation now; 0 when it does not exist. */
uint64_t users_gen(users *u, const char *name);
/* The privileges name has on db (USERS_READ | USERS_WRITE; all for an
 * admin); 0 for an unknown user. */
unsigned users_privs(users *u, const char *name, const char *db);
bool users_is_admin(users *u, const char *name);

/* The user owning the token whose SHA-256 is digest, with its generation.
 * ST_ENOTFOUND when none. */
int users_token_owner(users *u, const uint8_t digest[32], char name[USERS_NAME_MAX + 1], uint64_t *gen);

/* Changes, each durable before it returns 0. ST_ENOTFOUND for an unknown
 * user, ST_EEXIST for a name taken, ST_EIO when the file cannot be written. */
int users_create(users *u, const char *name, const char *hash, bool admin, st_err *e);
/* keep_an_admin: refuse (ST_EINVAL) to take the last admin away, decided
 * under the change lock so that two requests cannot each leave it to the
 * other. */
int users_drop(users *u, const char *name, bool keep_an_admin, st_err *e);
int users_set_hash(users *u, const char *name, const char *hash, st_err *e);
int users_set_admin(users *u, const char *name, bool admin, bool keep_an_admin, st_err *e);
/* Adds (revoke false) or removes privs on db. */
int users_grant(users *u, const char *name, const char *db, unsigned privs, bool revoke, st_err *e);
/* A new token for name: its id (made here) and the SHA-256 of its secret. */
int users_token_add(users *u, const char *name, const uint8_t digest[32], char id[USERS_TOKEN_ID_LEN + 1],
                    st_err *e);
int users_token_drop(users *u, const char *id, st_err *e);
/* Writes the file again as it is (through the vfs: sealed once encryption
 * is on). */
int users_rewrite(users *u, st_err *e);
/* The user's SigV4 secret access key (its access key id is the user's
 * name): set, replaced, or dropped with "". A secret is kept as it is (an
 * HMAC key cannot be hashed); the users file is the data directory's,
 * encrypted with it. */
int users_key_set(users *u, const char *name, const char *secret, st_err *e);
/* ST_ENOTFOUND when the user or its key does not exist. */
int users_key_get(users *u, const char *name, char secret[USERS_KEY_MAX + 1], uint64_t *gen);

/* Listing (SHOW USERS, SHOW GRANTS, SHOW TOKENS): fn is called under the
 * readers' lock, in name order, and must not call back into users. */
typedef struct users_db_grant {
    char db[65];
    unsigned privs;
} users_db_grant;
void users_list(users *u, void (*fn)(void *ctx, const char *name, bool admin), void *ctx);
/* ST_ENOTFOUND for an unknown user. */
int users_grants(users *u, const char *name, void (*fn)(void *ctx, const users_db_grant *g), void *ctx);
/* name NULL: every user's tokens. */
void users_tokens(users *u, const char *name,
                  void (*fn)(void *ctx, const char *user, const char *id, int64_t created_ms), void *ctx);

#endif
