/* The test harness of the Win32 conformance programs (conformance.c, access-control.c):
 * CHECK records a failed condition with the thread's last error, RUN runs one test and
 * prints "ok   name" or "FAIL name", thread_cap reads a capability set of the calling thread
 * from /proc ("CapEff", "CapPrm", ...). A program ends with `return failures != 0;`. */
#ifndef HOSTSEC_TEST_WIN32_CHECK_H
#define HOSTSEC_TEST_WIN32_CHECK_H

#include <windows.h>
#include <stdio.h>

static int failures, current_failed;
#define CHECK(cond)                                                                                     \
    do {                                                                                                \
        if (!(cond)) {                                                                                  \
            fprintf(stderr, "  %s:%d: CHECK(%s) failed (GetLastError %u)\n", __FILE__, __LINE__, #cond, \
                    (unsigned)GetLastError());                                                          \
            current_failed = 1;                                                                         \
        }                                                                                               \
    } while (0)
#define RUN(fn)                                                   \
    do {                                                          \
        current_failed = 0;                                       \
        fn();                                                     \
        printf("%s %s\n", current_failed ? "FAIL" : "ok  ", #fn); \
        fflush(stdout);                                           \
        failures += current_failed;                               \
    } while (0)

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

#endif
