/* The counters that would wrap after 2^32 steps, driven the whole way through libhostsec.so:
 * one handle slot reused 2^32 times, and 2^32 AddRefs on one object. Run by
 * Tests/sh/test-counter-limits.sh: the full count (minutes) with HOSTSEC_LONG=1, otherwise
 * a short count that only checks this program (the Swift tests jump the counts instead).
 * Usage: counter-limits ITERATIONS [handles|refs] (both when not named) */
#include <inttypes.h>
#include "check.h"
#include "hosting.h"

static IHostSecurityManager *mgr;
static uint64_t iterations;

static HRESULT query_user(HANDLE h) {
    HOSTSEC_TOKEN_USER u;
    DWORD len = 0;
    return HostSec_GetTokenInformation(h, TokenUser, &u, sizeof u, &len);
}

/* Each close gives the slot back to this thread's cache and the next open takes it again, so
 * one slot's generation runs through every value. Its first handle must never be issued again
 * and never work again: the slot is retired before its generation could come back. */
static void closed_handle_stays_dead_after_2_32_reuses_of_its_slot(void) {
    CHECK_HR(HostSec_ImpersonateSelf(SecurityImpersonation), S_OK);
    HANDLE first = NULL;
    CHECK_HR(mgr->lpVtbl->OpenThreadToken(mgr, TOKEN_QUERY, FALSE, &first), S_OK);
    CHECK_HR(HostSec_CloseHandle(first), S_OK);
    HOSTSEC_STATISTICS before = check_stats();
    uint64_t reissued = 0, failed = 0;
    for (uint64_t i = 0; i < iterations; i++) {
        HANDLE h = NULL;
        if (mgr->lpVtbl->OpenThreadToken(mgr, TOKEN_QUERY, FALSE, &h) != S_OK) {
            failed++;
            continue;
        }
        reissued += h == first;
        if (HostSec_CloseHandle(h) != S_OK) failed++;
        if ((i & 0x0FFFFFFF) == 0x0FFFFFFF) {
            printf("     %" PRIu64 " reuses\n", i + 1);
            fflush(stdout);
        }
    }
    printf("     %" PRIu64 " open+close cycles: the first value issued again %" PRIu64 " times\n", iterations,
           reissued);
    CHECK(failed == 0);
    CHECK(reissued == 0);
    CHECK_HR(query_user(first), E_HANDLE);
    CHECK_HR(HostSec_CloseHandle(first), E_HANDLE);
    CHECK(check_stats().LiveHandles == before.LiveHandles);
    CHECK_HR(mgr->lpVtbl->RevertToSelf(mgr), S_OK);
}

/* 2^32 AddRefs on a manager that has one reference would have brought its count back to 1;
 * one Release then freed an object the host still held. The count saturates instead. */
static void addref_2_32_times_then_release_keeps_the_object(void) {
    IHostSecurityManager *m = hosting_manager();
    HOSTSEC_STATISTICS before = check_stats();
    ULONG last = 0;
    for (uint64_t i = 0; i < iterations; i++) last = m->lpVtbl->AddRef(m);
    ULONG left = m->lpVtbl->Release(m);
    printf("     %" PRIu64 " AddRefs: last returned 0x%08x, one Release returned 0x%08x\n", iterations, last, left);
    CHECK(left != 0);
    CHECK(check_stats().LiveObjects == before.LiveObjects); /* not freed */
    IUnknown *unk = NULL;
    CHECK_HR(m->lpVtbl->QueryInterface(m, &IID_IUnknown, (void **)&unk), S_OK); /* still usable */
    CHECK(unk == (IUnknown *)m);
    if (iterations >= 0x80000000u) {
        CHECK(last == 0xC0000000u && left == 0xC0000000u);
    } else { /* a short run: exact counts, then give every reference back */
        CHECK(last == iterations + 1 && left == iterations);
        unk->lpVtbl->Release(unk);
        for (uint64_t i = 0; i < iterations; i++) m->lpVtbl->Release(m);
        CHECK(check_stats().LiveObjects == before.LiveObjects - 1);
    }
}

int main(int argc, char **argv) {
    iterations = argc > 1 ? strtoull(argv[1], NULL, 0) : (1ull << 32);
    const char *only = argc > 2 ? argv[2] : "";
    mgr = hosting_manager();
    if (strcmp(only, "refs") != 0) RUN_TEST(closed_handle_stays_dead_after_2_32_reuses_of_its_slot);
    if (strcmp(only, "handles") != 0) RUN_TEST(addref_2_32_times_then_release_keeps_the_object);
    mgr->lpVtbl->Release(mgr);
    CHECK_EXIT();
}
