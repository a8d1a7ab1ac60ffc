/* host-linked.c: a C host linked against libhostsec.
 *
 *   cc host-linked.c $(pkg-config --cflags --libs hostsec) -o host-linked
 *
 * Gets the security manager the COM way (DllGetClassObject, then IClassFactory), opens the
 * thread token before and after the thread impersonates, reads the token, and cleans up. */
#define COBJMACROS
#include <hostsec.h>
#include <stdio.h>

static const char *name(HRESULT hr) {
    return HostSec_HResultName(hr); /* never NULL: "unknown HRESULT" outside the table */
}

static void show_token(HANDLE token) {
    HOSTSEC_TOKEN_USER user;
    HOSTSEC_TOKEN_STATISTICS stats;
    DWORD needed = 0;
    if (HostSec_GetTokenInformation(token, TokenUser, &user, sizeof user, &needed) == S_OK)
        printf("  TokenUser: uid %u\n", (unsigned)user.Uid);
    if (HostSec_GetTokenInformation(token, TokenStatistics, &stats, sizeof stats, &needed) == S_OK)
        printf("  TokenStatistics: %s, level %d, token id %llu\n",
               stats.TokenType == TokenImpersonation ? "impersonation token" : "primary token",
               (int)stats.ImpersonationLevel, (unsigned long long)stats.TokenId);
}

int main(void) {
    IClassFactory *factory = NULL;
    IHostSecurityManager *manager = NULL;
    HANDLE token = NULL;

    HRESULT hr = DllGetClassObject(&CLSID_HostSecurityManager, &IID_IClassFactory, (void **)&factory);
    printf("DllGetClassObject: %s\n", name(hr));
    if (FAILED(hr)) return 1;
    hr = IClassFactory_CreateInstance(factory, NULL, &IID_IHostSecurityManager, (void **)&manager);
    printf("CreateInstance: %s\n", name(hr));
    IClassFactory_Release(factory); /* the manager does not need its factory */
    if (FAILED(hr)) return 1;

    /* A thread that does not impersonate has no token of its own. */
    hr = IHostSecurityManager_OpenThreadToken(manager, TOKEN_QUERY, TRUE, &token);
    printf("OpenThreadToken before: %s\n", name(hr));

    /* Impersonate our own identity: the thread now has a token. */
    printf("HostSec_ImpersonateSelf: %s\n", name(HostSec_ImpersonateSelf(SecurityImpersonation)));
    hr = IHostSecurityManager_OpenThreadToken(manager, TOKEN_QUERY, TRUE, &token);
    printf("OpenThreadToken after: %s\n", name(hr));
    if (SUCCEEDED(hr)) {
        show_token(token);
        printf("HostSec_CloseHandle: %s\n", name(HostSec_CloseHandle(token)));
    }

    printf("RevertToSelf: %s\n", name(IHostSecurityManager_RevertToSelf(manager)));
    printf("Release: %lu\n", (unsigned long)IHostSecurityManager_Release(manager));
    printf("DllCanUnloadNow: %s\n", name(DllCanUnloadNow()));
    return 0;
}
