/* Run by Tests/sh/test-no-syscalls.sh under strace: once the thread has a token and the
 * library is warm, OpenThreadToken + HostSec_CloseHandle (and GetTokenInformation) run
 * between two marker syscalls, write(-1, "hostsec-begin-N") and write(-1, "hostsec-end-N");
 * the script counts the syscalls strace saw between each pair. Exit 0 when every call
 * returned what it should. */
#include <unistd.h>
#include "token_util.h"

static void marker(const char *text) {
    ssize_t rc = write(-1, text, strlen(text)); /* EBADF: a cheap, unmistakable syscall */
    (void)rc;
}

int main(int argc, char **argv) {
    size_t n = argc > 1 ? strtoul(argv[1], NULL, 10) : 100000;
    IHostSecurityManager *m = hosting_manager();
    if (HostSec_ImpersonateSelf(SecurityImpersonation) != S_OK) return 2;
    size_t bad = 0;
    for (size_t i = 0; i < 200000; i++) { /* warm up: caches, lazy initialization */
        HANDLE h = NULL;
        bad += m->lpVtbl->OpenThreadToken(m, TOKEN_QUERY, (BOOL)(i & 1), &h) != S_OK;
        HOSTSEC_TOKEN_STATISTICS st;
        DWORD len = 0;
        bad += HostSec_GetTokenInformation(h, TokenStatistics, &st, sizeof st, &len) != S_OK;
        bad += HostSec_CloseHandle(h) != S_OK;
    }

    marker("hostsec-begin-1");
    for (size_t i = 0; i < n; i++) {
        HANDLE h = NULL;
        bad += m->lpVtbl->OpenThreadToken(m, TOKEN_QUERY, (BOOL)(i & 1), &h) != S_OK;
        bad += HostSec_CloseHandle(h) != S_OK;
    }
    marker("hostsec-end-1");

    marker("hostsec-begin-2");
    for (size_t i = 0; i < n; i++) {
        HANDLE h = NULL;
        bad += m->lpVtbl->OpenThreadToken(m, MAXIMUM_ALLOWED, FALSE, &h) != S_OK;
        HOSTSEC_TOKEN_STATISTICS st;
        DWORD len = 0;
        bad += HostSec_GetTokenInformation(h, TokenStatistics, &st, sizeof st, &len) != S_OK;
        bad += HostSec_CloseHandle(h) != S_OK;
    }
    marker("hostsec-end-2");

    /* Region 3: a thread acting as nobody in the kernel is asked to act as nobody again, n /
     * 100 times: the library checks that it still holds nobody's ids and switches nothing
     * (the script counts the credential-changing syscalls: none). Needs CAP_SETUID. */
    m->lpVtbl->RevertToSelf(m);
    HANDLE nobody = NULL;
    int kernel_level = 0;
    if (HostSec_LogonUser("nobody", &nobody) == S_OK && m->lpVtbl->ImpersonateLoggedOnUser(m, nobody) == S_OK)
        kernel_level = geteuid() != getuid() || geteuid() != 0;
    marker("hostsec-begin-3");
    for (size_t i = 0; kernel_level && i < n / 100; i++) bad += m->lpVtbl->ImpersonateLoggedOnUser(m, nobody) != S_OK;
    marker("hostsec-end-3");
    if (kernel_level && geteuid() == 0) bad++; /* still nobody in the kernel */
    if (nobody) HostSec_CloseHandle(nobody);

    m->lpVtbl->RevertToSelf(m);
    m->lpVtbl->Release(m);
    printf("%zu iterations per region, %zu unexpected results\n", n, bad);
    return bad == 0 && check_failures == 0 ? 0 : 1;
}
