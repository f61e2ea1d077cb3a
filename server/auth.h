/* auth: who a request is (authentication) and what it may do
 * (authorization), for every front of the server: HTTP's route table and
 * the PostgreSQL protocol ask here, and nowhere else.
 *
 * Passwords are bcrypt hashes (cost 10): a check costs ~60 ms of a core on
 * purpose, so it stays off the hot path:
 *   - a verified credential is remembered in a cache keyed by
 *     SHA-256(per-process salt, kind, user, secret), with the user's
 *     generation (users.h) at the time; a hit is one SHA-256 of the key and
 *     a lookup, and is void once the password changes or the user goes;
 *     failures are never cached;
 *   - an unknown user costs the same bcrypt as a known one (a dummy hash),
 *     so timing does not tell which names exist;
 *   - at most max_hashes checks run at once; one waiting over a second is
 *     refused (AUTH_BUSY: 503 and Retry-After);
 *   - a peer address (an IPv6 /64) with max_failures failures within a
 *     minute has its uncached passwords refused for a minute
 *     (AUTH_THROTTLED: 429) without a hash; credentials already verified
 *     (cached) still pass, so one guesser behind a shared address does not
 *     lock out the clients next to it. Tokens and SigV4 signatures, which
 *     cannot be guessed, are not throttled.
 * API tokens are 32 random bytes, kept as their SHA-256; a check is a hash
 * and a lookup. Secrets are compared in constant time.
 *
 * Counters for /metrics: failures by front and reason, denials by front and
 * privilege, throttled requests, cache hits and misses, time in bcrypt. No
 * user name or address is ever a label.
 */
#ifndef ST_AUTH_H
#define ST_AUTH_H


#include "cred.h"
#include "sigv4.h"
#include "users.h"

typedef enum auth_reason {
    AUTH_OK = 0,
    AUTH_MISSING,      /* no credentials */
    AUTH_MALFORMED,    /* credentials that do not parse */
    AUTH_BAD_PASSWORD, /* a known user, a wrong password */
    AUTH_UNKNOWN_USER,
    AUTH_BAD_TOKEN,    /* an API token no user has */
    AUTH_BAD_SIGNATURE, /* SigV4 */
    AUTH_EXPIRED,      /* SigV4's date too far off */
    AUTH_THROTTLED,    /* too many failures from the peer */
    AUTH_BUSY,         /* too many password checks waiting */
    AUTH_NREASONS
} auth_reason;

/* The fronts, as /metrics labels them. */
typedef enum auth_front {
    AUTH_FRONT_PROMETHEUS, /* the Prometheus API, export/import, admin */
    AUTH_FRONT_REMOTE,     /* remote_write, remote_read, /metrics */
    AUTH_FRONT_INFLUX_V1,
    AUTH_FRONT_INFLUX_V2,
    AUTH_FRONT_SQL,
    AUTH_FRONT_POSTGRES,
    AUTH_FRONT_TIMESTREAM,
    AUTH_NFRONTS
} auth_front;

/* What a privilege check asks for: READ or WRITE on a database, or the
 * server's admin. */
typedef enum auth_priv { AUTH_READ = USERS_READ, AUTH_WRITE = USERS_WRITE, AUTH_ADMIN = 4 } auth_priv;

typedef struct auth_opts {
    bool enabled;          /* --auth */
    unsigned max_hashes;   /* bcrypt runs at once; 0 = half the cores, at least 1 */
    size_t cache_entries;  /* --auth-cache-size; 0 = no cache */
    unsigned max_failures; /* per address and minute; 0 = never throttled */
} auth_opts;

typedef struct auth auth;

/* u outlives the auth. */
int auth_new(users *u, const auth_opts *o, auth **out, st_err *e);
void auth_free(auth *a);

bool auth_enabled(const auth *a);
users *auth_users(auth *a);

/* Authenticates c (cred.h) from peer (an address, for throttling; may be
 * NULL). AUTH_OK with the user's name in user, or why not. Counts the
 * failure under front. */
auth_reason auth_login(auth *a, auth_front front, const cred *c, const char *peer,
                       char user[USERS_NAME_MAX + 1]);

/* Authenticates a SigV4-signed request: c's access key id is a user's
 * name, its secret the user's access key (CREATE ACCESS KEY), its service
 * "aps" (Prometheus's) or "timestream", any region. why says what failed. */
auth_reason auth_login_sigv4(auth *a, auth_front front, const cred *c, const sigv4_req *r, const char *peer,
                             char user[USERS_NAME_MAX + 1], st_err *why);

/* A new SigV4 secret access key for user (40 characters, shown once). */
int auth_key_create(auth *a, const char *user, char secret[USERS_KEY_MAX + 1], st_err *e);

/* Counts a failure found before auth_login (malformed credentials):
 * throttling and /metrics see it as they see the others. */
void auth_failed(auth *a, auth_front front, auth_reason r, const char *peer);

/* Whether user has priv (on db for READ and WRITE). Counts a denial under
 * front when not. */
bool auth_may(auth *a, auth_front front, const char *user, const char *db, auth_priv priv);

/* Counts a denial found by a reader itself (SQL's tables). */
void auth_denied(auth *a, auth_front front, auth_priv priv);

/* A new bcrypt hash of password (cost 10). ST_EINVAL for an empty one. */
int auth_hash_password(const char *password, char out[USERS_HASH_MAX + 1], st_err *e);

/* A new API token for user: the secret (shown once: 64 hex digits after
 * "strata_") and its id. */
int auth_token_create(auth *a, const char *user, char secret[72], char id[USERS_TOKEN_ID_LEN + 1], st_err *e);

/* --admin-user and --admin-password-file: creates name as an admin with
 * the file's first line as its password (plain, or a bcrypt hash kept as
 * it is) unless a user has that name; *created says which. */
int auth_bootstrap_admin(auth *a, const char *name, const char *password_file, bool *created, st_err *e);

/* "missing", "malformed", "bad_password", ... for logs and metrics */
const char *auth_reason_name(auth_reason r);
const char *auth_front_name(auth_front f);
const char *auth_priv_name(auth_priv p);

/* Prometheus text of the counters. */
void auth_metrics(auth *a, st_buf *out);

#endif
