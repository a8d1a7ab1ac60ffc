/* The test harness of every C test program: each is one program whose tests are functions
 * named after the behaviour they cover, run by RUN_TEST, which prints "ok   name" or
 * "FAIL name". A failed CHECK reports file, line and the expression (and, in a Windows
 * program, one that includes <windows.h> before this file, the thread's last error), and
 * CHECK_EXIT ends main with a non-zero status when any test failed. */
#ifndef HOSTSEC_CHECK_H
#define HOSTSEC_CHECK_H

#ifndef COBJMACROS
#define COBJMACROS
#endif

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#ifndef HOSTSEC_H /* a Windows program has it from <windows.h>, built with -I include/win32 only */
#include <hostsec.h>
#endif

static int check_failures;
static int check_current_failed;

#ifdef HOSTSEC_WIN32_H
#define CHECK_LAST_ERROR() fprintf(stderr, " (GetLastError %u)", (unsigned)GetLastError())
#else
#define CHECK_LAST_ERROR() ((void)0)
#endif

#define CHECK(cond)                                                                  \
    do {                                                                             \
        if (!(cond)) {                                                               \
            fprintf(stderr, "  %s:%d: CHECK(%s) failed", __FILE__, __LINE__, #cond); \
            CHECK_LAST_ERROR();                                                      \
            fputc('\n', stderr);                                                     \
            check_current_failed = 1;                                                \
        }                                                                            \
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

/* A capability set of the calling thread ("CapEff", "CapPrm", ...), from /proc. */
static inline unsigned long long thread_cap(const char *field) {
    FILE *f = fopen("/proc/thread-self/status", "r");
    char line[256], fmt[32];
    unsigned long long v = 0;
    snprintf(fmt, sizeof fmt, "%s: %%llx", field);
    while (f && fgets(line, sizeof line, f))
        if (sscanf(line, fmt, &v) == 1) break;
    if (f) fclose(f);
    return v;
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
