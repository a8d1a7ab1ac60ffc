/* The library's vtables, one `static const` table per interface in the order of hostsec.h's
 * IFooVtbl structs. Function pointers make them relocated data (.data.rel.ro), which the
 * loader makes read-only after relocation (the library is linked -z relro -z now): a host that
 * writes through an interface's lpVtbl faults instead of redirecting every object of the
 * class. Tests/c/test-vtables.c checks the mapping of every vtable handed out. */
#include "hostsec.h"
#include "vtable_slots.h"

static const IClassFactoryVtbl factory_vtbl = {
    hs_factory_QueryInterface, hs_factory_AddRef, hs_factory_Release, hs_factory_CreateInstance, hs_factory_LockServer,
};

static const IHostControlVtbl control_vtbl = {
    hs_control_QueryInterface,      hs_control_AddRef, hs_control_Release, hs_control_GetHostManager,
    hs_control_SetAppDomainManager,
};

static const IHostSecurityContextVtbl context_vtbl = {
    hs_context_QueryInterface,
    hs_context_AddRef,
    hs_context_Release,
    hs_context_Capture,
};

static const IHostSecurityManagerVtbl manager_vtbl = {
    hs_manager_QueryInterface,
    hs_manager_AddRef,
    hs_manager_Release,
    hs_manager_ImpersonateLoggedOnUser,
    hs_manager_RevertToSelf,
    hs_manager_OpenThreadToken,
    hs_manager_SetThreadToken,
    hs_manager_GetSecurityContext,
    hs_manager_SetSecurityContext,
};

const void *hs_vtable(uint32_t kind) {
    switch (kind) {
    case HS_KIND_SECURITY_MANAGER_FACTORY:
    case HS_KIND_HOST_CONTROL_FACTORY: return &factory_vtbl;
    case HS_KIND_HOST_CONTROL: return &control_vtbl;
    case HS_KIND_SECURITY_MANAGER: return &manager_vtbl;
    case HS_KIND_SECURITY_CONTEXT: return &context_vtbl;
    default: return NULL;
    }
}

const IID *hs_kind_iid(uint32_t kind) {
    switch (kind) {
    case HS_KIND_SECURITY_MANAGER_FACTORY:
    case HS_KIND_HOST_CONTROL_FACTORY: return &IID_IClassFactory;
    case HS_KIND_HOST_CONTROL: return &IID_IHostControl;
    case HS_KIND_SECURITY_MANAGER: return &IID_IHostSecurityManager;
    case HS_KIND_SECURITY_CONTEXT: return &IID_IHostSecurityContext;
    default: return NULL;
    }
}
