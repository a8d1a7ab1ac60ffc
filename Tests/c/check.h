/* A minimal test harness for the C tests: each test-<area>.c is one program whose tests are
 * functions named after the behaviour they cover. A failed CHECK reports file, line and the
 * expression, and the program exits non-zero. */
#ifndef HOSTSEC_CHECK_H
#define HOSTSEC_CHECK_H

#ifndef COBJMACROS
#define COBJMACROS
#endif

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <hostsec.h>

static int check_failures;
static int check_current_failed;

#define CHECK(cond)                                                                    \
    do {                                                                               \
        if (!(cond)) {                                                                 \
            fprintf(stderr, "  %s:%d: CHECK(%s) failed\n", __FILE__, __LINE__, #cond); \
            check_current_failed = 1;                                                  \
        }                                                                              \
    } while (0)

/* Checks an HRESULT and prints both names when it differs. */
#define CHECK_HR(expr, expected)                                                                                   \
    do {                                                                                                           \
        HRESULT check_got_ = (expr);                                                                               \
        HRESULT check_want_ = (expected);                                                                          \
        if (check_got_ != check_want_) {                                                                           \
            const char *g_ = HostSec_HResultName(check_got_), *w_ = HostSec_HResultName(check_want_);              \
            fprintf(stderr, "  %s:%d: %s returned 0x%08x (%s), expected 0x%08x (%s)\n", __FILE__, __LINE__, #expr, \
                    (unsigned)check_got_, g_ ? g_ : "?", (unsigned)check_want_, w_ ? w_ : "?");                    \
            check_current_failed = 1;                                                                              \
        }                                                                                                          \
    } while (0)

#define RUN_TEST(fn)                                                    \
    do {                                                                \
        check_current_failed = 0;                                       \
        fn();                                                           \
        printf("%s %s\n", check_current_failed ? "FAIL" : "ok  ", #fn); \
        fflush(stdout);                                                 \
        if (check_current_failed) check_failures++;                     \
    } while (0)

#define CHECK_EXIT() return check_failures == 0 ? 0 : 1

/* The library's live counts, for tests that prove nothing leaks. */
static inline HOSTSEC_STATISTICS check_stats(void) {
    HOSTSEC_STATISTICS s;
    memset(&s, 0, sizeof s);
    HostSec_GetStatistics(&s);
    return s;
}

/* The objects alive when a test program starts (check_remember_start); the test
 * nothing_outlives_its_last_release, run last, proves every object the program made was
 * freed, every handle closed and every impersonation ended. */
static uint64_t check_objects_at_start;
static inline void check_remember_start(void) { check_objects_at_start = check_stats().LiveObjects; }
static inline void nothing_outlives_its_last_release(void) {
    CHECK(check_stats().LiveObjects == check_objects_at_start);
    CHECK(check_stats().LiveHandles == 0);
    CHECK(check_stats().ImpersonatingThreads == 0);
}

#endif
