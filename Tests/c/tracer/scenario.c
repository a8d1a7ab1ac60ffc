/* The fixed scenario of test-tracer.sh: a host's calls, every one through a tracing proxy
 * (HOSTSEC_TRACE is set by the test), on the main thread and one worker thread, in an order
 * that never varies, so the trace can be compared with Tests/sh/expected/tracer.log. */
#define COBJMACROS
#include <hostsec.h>

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>

static IHostSecurityManager *manager;
static IHostSecurityContext *captured;

static void *worker(void *arg) {
    (void)arg;
    IHostSecurityManager_SetSecurityContext(manager, eCurrentContext, captured);
    HANDLE h = NULL;
    IHostSecurityManager_OpenThreadToken(manager, MAXIMUM_ALLOWED, TRUE, &h);
    HostSec_CloseHandle(h);
    IHostSecurityManager_RevertToSelf(manager);
    return NULL;
}

int main(void) {
    IClassFactory *factory = NULL, *control_factory = NULL;
    IHostControl *control = NULL;
    DllGetClassObject(&CLSID_HostSecurityManager, &IID_IClassFactory, (void **)&factory);
    IClassFactory_LockServer(factory, TRUE);
    IClassFactory_CreateInstance(factory, NULL, &IID_IHostSecurityManager, (void **)&manager);
    IClassFactory_LockServer(factory, FALSE);
    IClassFactory_Release(factory);

    DllGetClassObject(&CLSID_HostControl, &IID_IClassFactory, (void **)&control_factory);
    IClassFactory_CreateInstance(control_factory, (IUnknown *)control_factory, &IID_IHostControl, (void **)&control);
    IClassFactory_CreateInstance(control_factory, NULL, &IID_IHostControl, (void **)&control);
    IClassFactory_Release(control_factory);
    void *p = NULL;
    IHostControl_GetHostManager(control, &IID_IHostSecurityContext, &p);
    IHostControl_SetAppDomainManager(control, 42, NULL);
    IHostControl_Release(control);

    IHostSecurityManager_QueryInterface(manager, &IID_IClassFactory, &p);
    IHostSecurityManager_QueryInterface(manager, &IID_IUnknown, &p);
    IHostSecurityManager_Release(manager);

    HANDLE token = NULL, nobody = NULL;
    IHostSecurityManager_OpenThreadToken(manager, TOKEN_QUERY, FALSE, &token);
    HostSec_LogonUser("nobody", &nobody);
    IHostSecurityManager_ImpersonateLoggedOnUser(manager, nobody);
    IHostSecurityManager_OpenThreadToken(manager, TOKEN_QUERY | TOKEN_IMPERSONATE | TOKEN_DUPLICATE, TRUE, &token);
    IHostSecurityManager_GetSecurityContext(manager, eRestrictedContext, &captured);
    IHostSecurityManager_RevertToSelf(manager);
    IHostSecurityManager_SetThreadToken(manager, nobody);
    IHostSecurityManager_SetThreadToken(manager, token);
    IHostSecurityManager_SetThreadToken(manager, NULL);
    IHostSecurityManager_GetSecurityContext(manager, (EContextType)7, NULL);

    pthread_t t;
    pthread_create(&t, NULL, worker, NULL);
    pthread_join(t, NULL);

    IHostSecurityContext *clone = NULL;
    IHostSecurityContext_Capture(captured, &clone);
    IHostSecurityContext_AddRef(clone);
    IHostSecurityContext_Release(clone);
    IHostSecurityContext_Release(clone);
    IHostSecurityContext_Release(captured);
    HostSec_CloseHandle(token);
    HostSec_CloseHandle(nobody);
    IHostSecurityManager_Release(manager);
    printf("DllCanUnloadNow: %s\n", HostSec_HResultName(DllCanUnloadNow()));
    return 0;
}
