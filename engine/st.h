/* st: the vocabulary every Strata module shares.
 *
 * Error convention (LMDB-style): functions return 0 on success or a negative
 * ST_E* code, and fill an optional st_err out-parameter with a message meant
 * for the user ("series cpu{host=\"a\"}: timestamp 1e20 out of range").
 * A NULL st_err is allowed everywhere; the code alone is then returned.
 *
 * Memory: st_malloc and friends abort on exhaustion (a server cannot run half
 * allocated; the head's own memory limit keeps us far from that point), so
 * hot code carries no NULL checks.
 */
#ifndef ST_H
#define ST_H

#include <stddef.h>
#include <stdint.h>
#include <stdbool.h>

enum {
    ST_OK = 0,
    ST_EINVAL = -1,    /* bad input from a client: 400 */
    ST_ENOTFOUND = -2, /* no such database, series, file: 404 */
    ST_ECONFLICT = -3, /* field type conflict, name clash: 400 */
    ST_ELIMIT = -4,    /* over a configured limit: 429 / 413 */
    ST_ENOSPC = -5,    /* disk full: 503, writes resume when space returns */
    ST_EIO = -6,       /* I/O error: 500 */
    ST_ECORRUPT = -7,  /* checksum or format violation in stored data */
    ST_EFATAL = -8,    /* fsync failed: state unknown, the process must stop */
    ST_EEXIST = -9,    /* already exists */
    ST_ERANGE = -10,   /* timestamp or number out of the accepted range: 400 */
    ST_ECLOSED = -11,  /* object is shutting down: 503 */
    ST_ETIMEOUT = -12, /* a query ran past its deadline: 503 */
    ST_ECANCELED = -13, /* the client went away: the work stopped */
    ST_EDENIED = -14,  /* the caller lacks a privilege: 403 */
};

#define ST_ERR_MSG 512

typedef struct st_err {
    int code;
    char msg[ST_ERR_MSG];
} st_err;

/* Fill e (if non-NULL) with code and a formatted message; returns code so a
 * caller can write `return st_fail(err, ST_EINVAL, "...")`. */
int st_fail(st_err *e, int code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* Prefix an existing message: "opening wal: <old message>". */
int st_wrap(st_err *e, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
const char *st_strerror(int code);
/* Map an errno value to an ST_E* code (ENOSPC/EDQUOT -> ST_ENOSPC, else ST_EIO). */
int st_from_errno(int errnum);

/* A borrowed byte range. Never NUL-terminated by contract. */
typedef struct st_slice {
    const char *p;
    size_t n;
} st_slice;

static inline st_slice st_slice_of(const char *p, size_t n) { st_slice s = {p, n}; return s; }
st_slice st_slice_cstr(const char *s);
bool st_slice_eq(st_slice a, st_slice b);
int st_slice_cmp(st_slice a, st_slice b);

void *st_malloc(size_t n);
void *st_calloc(size_t count, size_t size);
void *st_realloc(void *p, size_t n);
char *st_strndup(const char *s, size_t n);
void st_free(void *p);

/* Growable byte buffer. Owned by whoever declared it; st_buf_free releases. */
typedef struct st_buf {
    uint8_t *p;
    size_t len, cap;
} st_buf;

void st_buf_reserve(st_buf *b, size_t extra);
void st_buf_put(st_buf *b, const void *p, size_t n);
void st_buf_putc(st_buf *b, uint8_t c);
void st_buf_printf(st_buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void st_buf_free(st_buf *b);

/* Per-request arena: many small allocations, one release. Blocks grow
 * geometrically; st_arena_reset keeps the first block for reuse. */
typedef struct st_arena st_arena;
st_arena *st_arena_new(size_t first_block);
void *st_arena_alloc(st_arena *a, size_t n); /* 16-byte aligned */
char *st_arena_strndup(st_arena *a, const char *s, size_t n);
/* printf into the arena (a message longer than 1 KiB is cut there). */
char *st_arena_printf(st_arena *a, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void st_arena_reset(st_arena *a);
void st_arena_free(st_arena *a);

/* out = a "/" b; ST_EINVAL (and an empty out) if it does not fit in cap. */
int st_path(char *out, size_t cap, const char *a, const char *b);

/* Wall-clock and monotonic time in nanoseconds. */
/* A stable LSD radix sort of n keys (all <= max), 11 bits a pass up to
 * max's highest bit: *keyp ends sorted (the buffer may be swapped for
 * another, which the caller then frees) and *posp (allocated, the
 * caller's) holds each sorted key's original position. */
void st_radix_sort(uint64_t **keyp, size_t n, uint64_t max, uint32_t **posp);

int64_t st_now_ns(void);
int64_t st_mono_ns(void);

/* Durations like "30d", "2h", "10m", "500ms", "1h30m", or a bare number of
 * seconds. "0" is zero. Returns ST_EINVAL on anything else. */
int st_parse_duration(const char *s, int64_t *ns_out, st_err *e);
/* Format ns as the shortest duration string that parses back ("2h", "90s"). */
void st_format_duration(int64_t ns, char *out, size_t cap);

#define ST_NS_PER_MS 1000000LL
#define ST_NS_PER_S 1000000000LL

#define ST_UNUSED(x) ((void)(x))
#define ST_ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

#endif
