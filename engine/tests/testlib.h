/* testlib: the smallest harness that does the job.
 *
 * A test file defines static void test_x(void) functions that use CHECK and
 * friends, and a main() that calls RUN(test_x) for each and returns
 * testlib_done("name"). The last line printed is "name: N passed, N failed",
 * which CI reads. A failing CHECK reports file:line and marks the running
 * test failed but continues, so one run shows every broken case.
 */
#ifndef ST_TESTLIB_H
#define ST_TESTLIB_H

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int tl_passed, tl_failed, tl_cur_failed;
static const char *tl_cur;

#define CHECK(cond)                                                                  \
    do {                                                                             \
        if (!(cond)) {                                                               \
            fprintf(stderr, "  FAIL %s:%d in %s: %s\n", __FILE__, __LINE__, tl_cur,  \
                    #cond);                                                          \
            tl_cur_failed = 1;                                                       \
        }                                                                            \
    } while (0)

#define CHECK_MSG(cond, ...)                                                         \
    do {                                                                             \
        if (!(cond)) {                                                               \
            fprintf(stderr, "  FAIL %s:%d in %s: %s: ", __FILE__, __LINE__, tl_cur,  \
                    #cond);                                                          \
            fprintf(stderr, __VA_ARGS__);                                            \
            fputc('\n', stderr);                                                     \
            tl_cur_failed = 1;                                                       \
        }                                                                            \
    } while (0)

#define CHECK_EQ_INT(a, b)                                                           \
    do {                                                                             \
        long long tl_a = (long long)(a), tl_b = (long long)(b);                      \
        CHECK_MSG(tl_a == tl_b, "%lld != %lld", tl_a, tl_b);                         \
    } while (0)

#define CHECK_OK(expr)                                                               \
    do {                                                                             \
        int tl_rc = (expr);                                                          \
        CHECK_MSG(tl_rc == 0, "returned %d", tl_rc);                                 \
    } while (0)

#define RUN(fn)                                                                      \
    do {                                                                             \
        tl_cur = #fn;                                                                \
        tl_cur_failed = 0;                                                           \
        fn();                                                                        \
        if (tl_cur_failed) {                                                         \
            tl_failed++;                                                             \
            fprintf(stderr, "not ok %s\n", #fn);                                     \
        } else {                                                                     \
            tl_passed++;                                                             \
            printf("ok %s\n", #fn);                                                  \
        }                                                                            \
        fflush(stdout);                                                              \
    } while (0)

static inline int testlib_done(const char *name)
{
    printf("%s: %d passed, %d failed\n", name, tl_passed, tl_failed);
    return tl_failed ? 1 : 0;
}

/* A scratch directory under $TMPDIR, removed by the caller with rm -rf. */
static inline char *testlib_tmpdir(const char *tag)
{
    const char *base = getenv("TMPDIR");
    char *p = malloc(4096);
    snprintf(p, 4096, "%s/strata-%s-XXXXXX", base ? base : "/tmp", tag);
    extern char *mkdtemp(char *);
    if (!mkdtemp(p)) {
        perror("mkdtemp");
        exit(2);
    }
    return p;
}

static inline void testlib_rmrf(const char *dir)
{
    char cmd[4200];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    if (system(cmd) != 0) fprintf(stderr, "warning: could not remove %s\n", dir);
}

#endif
