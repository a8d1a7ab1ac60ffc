/* A C host of hostsec.h: COBJMACROS calls and raw lpVtbl calls. */
#define COBJMACROS
#include <hostsec.h>
#include <stdio.h>

/* Constant expressions a host may use at file scope (C99 has no _Static_assert). */
typedef char no_token_is_0x800703F0[HRESULT_FROM_WIN32(ERROR_NO_TOKEN) == (HRESULT)0x800703F0 ? 1 : -1];
typedef char token_read_is_0x20008[TOKEN_READ == 0x20008 ? 1 : -1];
typedef char slot_5_is_open_thread_token[offsetof(IHostSecurityManagerVtbl, OpenThreadToken) == 40 ? 1 : -1];

static const char *name(HRESULT hr) {
    switch (hr) {
    case S_OK: return "S_OK";
    case E_POINTER: return "E_POINTER";
    case HRESULT_FROM_WIN32(ERROR_NO_TOKEN): return "NO_TOKEN";
    default: return "other";
    }
}

int main(void) {
    IClassFactory *factory = NULL;
    IHostSecurityManager *manager = NULL;
    void *pv = NULL;
    HANDLE token = NULL;
    HRESULT hr = DllGetClassObject(&CLSID_HostSecurityManager, &IID_IClassFactory, &pv);
    if (FAILED(hr)) return 1;
    factory = (IClassFactory *)pv;
    hr = IClassFactory_CreateInstance(factory, NULL, &IID_IHostSecurityManager, &pv);
    IClassFactory_Release(factory);
    if (FAILED(hr)) return 2;
    manager = (IHostSecurityManager *)pv;

    hr = IHostSecurityManager_OpenThreadToken(manager, TOKEN_QUERY, TRUE, &token);
    printf("before: %s\n", name(hr));
    HostSec_ImpersonateSelf(SecurityImpersonation);
    hr = manager->lpVtbl->OpenThreadToken(manager, TOKEN_QUERY | TOKEN_DUPLICATE, FALSE, &token);
    printf("after: %s\n", name(hr));
    if (SUCCEEDED(hr)) HostSec_CloseHandle(token);
    printf("revert: %s\n", name(IHostSecurityManager_RevertToSelf(manager)));
    printf("release: %lu\n", (unsigned long)IHostSecurityManager_Release(manager));
    return 0;
}
