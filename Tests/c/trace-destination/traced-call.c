/* A host that makes one traced call, for Tests/sh/test-trace-destination.sh: with no argument
 * the destination is whatever HOSTSEC_TRACE said when the library was loaded; with a path,
 * HostSec_SetTrace(TRUE, path) chooses it first. Prints the process's euid, whether it runs
 * in secure-execution mode (AT_SECURE), SetTrace's result when called, and the call's
 * result, each on stdout. */
#include "hosting.h"

#include <sys/auxv.h>

int main(int argc, char **argv) {
    printf("euid=%u secure=%lu\n", (unsigned)geteuid(), getauxval(AT_SECURE));
    if (argc > 1) {
        HRESULT hr = HostSec_SetTrace(TRUE, argv[1]);
        printf("SetTrace: %s\n", HostSec_HResultName(hr));
    }
    fflush(stdout);
    IHostSecurityManager *manager = hosting_manager();
    HANDLE token = NULL;
    HRESULT hr = IHostSecurityManager_OpenThreadToken(manager, TOKEN_QUERY, TRUE, &token);
    printf("OpenThreadToken: %s\n", HostSec_HResultName(hr));
    IHostSecurityManager_Release(manager);
    return 0;
}
