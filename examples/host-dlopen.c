/* host-dlopen.c: load libhostsec at run time, as an embedding runtime does.
 *
 *   cc host-dlopen.c -I<prefix>/include -ldl -o host-dlopen
 *
 * Nothing is linked: every function and IID comes from dlsym. The runtime asks an
 * IHostControl for the security manager, as the CLR does. Then it dlcloses the library and
 * loads it again: safe, because libhostsec is linked -z nodelete and stays resident. */
#define COBJMACROS
#include <hostsec.h>
#include <dlfcn.h>
#include <stdio.h>

typedef HRESULT (*GetClassObjectFn)(REFCLSID, REFIID, void **);
typedef HRESULT (*CanUnloadNowFn)(void);
typedef HRESULT (*ImpersonateSelfFn)(SECURITY_IMPERSONATION_LEVEL);
typedef HRESULT (*CloseHandleFn)(HANDLE);
typedef const char *(*HResultNameFn)(HRESULT);

static int run(int round) {
    void *lib = dlopen("libhostsec.so.1", RTLD_NOW | RTLD_LOCAL);
    if (lib == NULL) {
        fprintf(stderr, "dlopen: %s\n", dlerror());
        return 1;
    }
    GetClassObjectFn getClassObject = (GetClassObjectFn)dlsym(lib, "DllGetClassObject");
    CanUnloadNowFn canUnloadNow = (CanUnloadNowFn)dlsym(lib, "DllCanUnloadNow");
    ImpersonateSelfFn impersonateSelf = (ImpersonateSelfFn)dlsym(lib, "HostSec_ImpersonateSelf");
    CloseHandleFn closeHandle = (CloseHandleFn)dlsym(lib, "HostSec_CloseHandle");
    HResultNameFn name = (HResultNameFn)dlsym(lib, "HostSec_HResultName");
    const CLSID *clsidControl = dlsym(lib, "CLSID_HostControl");
    const IID *iidFactory = dlsym(lib, "IID_IClassFactory");
    const IID *iidControl = dlsym(lib, "IID_IHostControl");
    const IID *iidManager = dlsym(lib, "IID_IHostSecurityManager");

    IClassFactory *factory = NULL;
    IHostControl *control = NULL;
    IHostSecurityManager *manager = NULL;
    HANDLE token = NULL;
    if (getClassObject(clsidControl, iidFactory, (void **)&factory) != S_OK) return 1;
    HRESULT hr = IClassFactory_CreateInstance(factory, NULL, iidControl, (void **)&control);
    IClassFactory_Release(factory);
    if (hr != S_OK) return 1;

    /* The runtime accepts the manager only on exactly S_OK with a non-NULL pointer. */
    hr = IHostControl_GetHostManager(control, iidManager, (void **)&manager);
    printf("round %d: GetHostManager: %s%s\n", round, name(hr), manager ? "" : " (NULL)");
    if (hr != S_OK || manager == NULL) return 1;

    hr = IHostSecurityManager_OpenThreadToken(manager, TOKEN_QUERY, TRUE, &token);
    printf("round %d: OpenThreadToken before: %s\n", round, name(hr));
    impersonateSelf(SecurityImpersonation);
    hr = IHostSecurityManager_OpenThreadToken(manager, TOKEN_QUERY, TRUE, &token);
    printf("round %d: OpenThreadToken after: %s\n", round, name(hr));
    if (hr == S_OK) closeHandle(token);
    printf("round %d: RevertToSelf: %s\n", round, name(IHostSecurityManager_RevertToSelf(manager)));

    IHostSecurityManager_Release(manager);
    IHostControl_Release(control);
    printf("round %d: DllCanUnloadNow: %s\n", round, name(canUnloadNow()));
    dlclose(lib);
    void *again = dlopen("libhostsec.so.1", RTLD_NOW | RTLD_NOLOAD); /* NULL if unloaded */
    printf("round %d: resident after dlclose: %s\n", round, again != NULL ? "yes" : "no");
    if (again != NULL) dlclose(again);
    return 0;
}

int main(void) { return run(1) || run(2); }
