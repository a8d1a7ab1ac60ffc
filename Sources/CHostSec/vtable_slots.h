/*
 * The slots of the library's vtables: one named function per interface method, implemented
 * in Swift with `@c @implementation` (Sources/HostSec/Exports/<Class>.swift), so the compiler
 * checks each against the declaration here and each shows by name in a backtrace. The tables
 * themselves are `static const` in vtables.c (read-only once relocated). Private: nothing
 * here is exported from libhostsec.so.
 */
#ifndef HOSTSEC_VTABLE_SLOTS_H
#define HOSTSEC_VTABLE_SLOTS_H

#include "hostsec.h"

/* The classes of COM object the library hands out (HostSec's ObjectKind). */
enum {
    HS_KIND_SECURITY_MANAGER_FACTORY = 1,
    HS_KIND_HOST_CONTROL_FACTORY,
    HS_KIND_HOST_CONTROL,
    HS_KIND_SECURITY_MANAGER,
    HS_KIND_SECURITY_CONTEXT
};

/** The read-only vtable of a kind's objects, or NULL for an unknown kind. */
const void *hs_vtable(uint32_t kind);
/** The interface a kind's objects implement besides IUnknown, or NULL for an unknown kind. */
const IID *hs_kind_iid(uint32_t kind);

/* IClassFactory (both factories) */
HRESULT hs_factory_QueryInterface(IClassFactory *This, REFIID riid, void **ppvObject);
ULONG hs_factory_AddRef(IClassFactory *This);
ULONG hs_factory_Release(IClassFactory *This);
HRESULT hs_factory_CreateInstance(IClassFactory *This, IUnknown *pUnkOuter, REFIID riid, void **ppvObject);
HRESULT hs_factory_LockServer(IClassFactory *This, BOOL fLock);

/* IHostControl */
HRESULT hs_control_QueryInterface(IHostControl *This, REFIID riid, void **ppvObject);
ULONG hs_control_AddRef(IHostControl *This);
ULONG hs_control_Release(IHostControl *This);
HRESULT hs_control_GetHostManager(IHostControl *This, REFIID riid, void **ppObject);
HRESULT hs_control_SetAppDomainManager(IHostControl *This, DWORD dwAppDomainID, IUnknown *pUnkAppDomainManager);

/* IHostSecurityContext */
HRESULT hs_context_QueryInterface(IHostSecurityContext *This, REFIID riid, void **ppvObject);
ULONG hs_context_AddRef(IHostSecurityContext *This);
ULONG hs_context_Release(IHostSecurityContext *This);
HRESULT hs_context_Capture(IHostSecurityContext *This, IHostSecurityContext **ppClonedContext);

/* IHostSecurityManager */
HRESULT hs_manager_QueryInterface(IHostSecurityManager *This, REFIID riid, void **ppvObject);
ULONG hs_manager_AddRef(IHostSecurityManager *This);
ULONG hs_manager_Release(IHostSecurityManager *This);
HRESULT hs_manager_ImpersonateLoggedOnUser(IHostSecurityManager *This, HANDLE hToken);
HRESULT hs_manager_RevertToSelf(IHostSecurityManager *This);
HRESULT hs_manager_OpenThreadToken(IHostSecurityManager *This, DWORD dwDesiredAccess, BOOL bOpenAsSelf,
                                   HANDLE *phThreadToken);
HRESULT hs_manager_SetThreadToken(IHostSecurityManager *This, HANDLE hToken);
HRESULT hs_manager_GetSecurityContext(IHostSecurityManager *This, EContextType eContextType,
                                      IHostSecurityContext **ppSecurityContext);
HRESULT hs_manager_SetSecurityContext(IHostSecurityManager *This, EContextType eContextType,
                                      IHostSecurityContext *pSecurityContext);

#endif /* HOSTSEC_VTABLE_SLOTS_H */
