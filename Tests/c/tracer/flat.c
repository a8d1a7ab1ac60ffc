/* test-tracer.sh's flat-function scenario: one call of every flat function of hostsec.h
 * (HOSTSEC_TRACE is set by the test), with arguments that exercise each value kind. */
#define COBJMACROS
#include <hostsec.h>

#include <stdio.h>

int main(void) {
    IClassFactory *factory = NULL;
    const HOSTSEC_INTERFACE_INFO *info = NULL;
    const HOSTSEC_METHOD_INFO *function = NULL;
    HOSTSEC_STATISTICS stats;
    HOSTSEC_TOKEN_USER user;
    HANDLE process = NULL, copy = NULL, other = NULL;
    DWORD needed = 0;
    ULONG refs = 0;

    DllGetClassObject(&CLSID_HostControl, &IID_IUnknown, (void **)&factory);
    HostSec_Invoke(factory, &IID_IUnknown, 1, NULL, &refs);
    IClassFactory_Release(factory);
    IClassFactory_Release(factory);
    DllGetClassObject(&IID_IUnknown, &IID_IClassFactory, (void **)&factory);
    DllCanUnloadNow();
    HostSec_GetVersion();
    HostSec_GetVersionString();
    HostSec_HResultName((HRESULT)0x80004004u);
    HostSec_GetStatistics(&stats);
    HostSec_SetPolicy(HOSTSEC_POLICY_REQUIRE_ENFORCEMENT);
    HostSec_SetPolicy(0);
    HostSec_OpenProcessToken(TOKEN_QUERY | TOKEN_DUPLICATE, &process);
    HostSec_DuplicateTokenEx(process, TOKEN_ALL_ACCESS, SecurityIdentification, TokenImpersonation, &copy);
    HostSec_GetTokenInformation(copy, TokenUser, &user, sizeof user, &needed);
    HostSec_GetTokenInformation(copy, (TOKEN_INFORMATION_CLASS)99, &user, sizeof user, &needed);
    HostSec_ImpersonateSelf(SecurityDelegation);
    HostSec_ImpersonateSelf((SECURITY_IMPERSONATION_LEVEL)9);
    HostSec_LogonUser("no such user", &other);
    HostSec_CloseHandle(copy);
    HostSec_CloseHandle(process);
    HostSec_CloseHandle(NULL);
    HostSec_GetInterfaceInfo(&IID_IHostControl, &info);
    HostSec_GetInterfaceInfoAt(9, &info);
    HostSec_GetFunctionInfoAt(0, &function);
    HostSec_SetTrace(FALSE, "not with FALSE");
    printf("done\n");
    return 0;
}
