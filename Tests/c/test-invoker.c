/* HostSec_Invoke: every slot of every interface called by number through libffi against the
 * real objects, with exact results; then each bad input and its HRESULT. */
#include "check.h"
#include "hosting.h"

static HRESULT invoke(void *object, const IID *iid, DWORD slot, void **args, HRESULT *result) {
    return HostSec_Invoke(object, iid, slot, args, result);
}

static ULONG invoke_count(void *object, const IID *iid, DWORD slot) {
    ULONG count = 0xDEADBEEF;
    if (HostSec_Invoke(object, iid, slot, NULL, &count) != S_OK) return 0xFFFFFFFF;
    return count;
}

static IClassFactory *factory_of(const CLSID *clsid) {
    IClassFactory *f = NULL;
    if (DllGetClassObject(clsid, &IID_IClassFactory, (void **)&f) != S_OK) abort();
    return f;
}

static void iunknown_slots_by_number_keep_exact_counts(void) {
    IHostSecurityManager *m = hosting_manager();
    uint64_t objects = check_stats().LiveObjects;
    void *out = NULL;
    const IID *riid = &IID_IUnknown;
    void **pout = &out;
    void *args[] = {&riid, &pout};
    HRESULT hr = 1;
    CHECK_HR(invoke(m, &IID_IUnknown, 0, args, &hr), S_OK);
    CHECK_HR(hr, S_OK);
    CHECK(out == (void *)m);
    CHECK(invoke_count(m, &IID_IUnknown, 1) == 3);
    CHECK(invoke_count(m, &IID_IHostSecurityManager, 2) == 2);
    CHECK(invoke_count(m, &IID_IUnknown, 2) == 1);
    riid = &IID_IClassFactory;
    out = m;
    CHECK_HR(invoke(m, &IID_IHostSecurityManager, 0, args, &hr), S_OK);
    CHECK_HR(hr, E_NOINTERFACE);
    CHECK(out == NULL);
    CHECK(invoke_count(m, &IID_IHostSecurityManager, 2) == 0);
    CHECK(check_stats().LiveObjects == objects - 1);
}

static void class_factory_slots_by_number(void) {
    IClassFactory *f = factory_of(&CLSID_HostSecurityManager);
    IHostSecurityManager *m = NULL;
    IUnknown *outer = NULL;
    const IID *riid = &IID_IHostSecurityManager;
    void **pm = (void **)&m;
    void *create_args[] = {&outer, &riid, &pm};
    HRESULT hr = 1;
    CHECK_HR(invoke(f, &IID_IClassFactory, 3, create_args, &hr), S_OK);
    CHECK_HR(hr, S_OK);
    CHECK(m != NULL && m->lpVtbl->RevertToSelf(m) == S_OK);
    if (m) IHostSecurityManager_Release(m);

    uint64_t locks = check_stats().ServerLocks;
    BOOL lock = TRUE;
    void *lock_args[] = {&lock};
    CHECK_HR(invoke(f, &IID_IClassFactory, 4, lock_args, &hr), S_OK);
    CHECK_HR(hr, S_OK);
    CHECK(check_stats().ServerLocks == locks + 1);
    lock = FALSE;
    CHECK_HR(invoke(f, &IID_IClassFactory, 4, lock_args, &hr), S_OK);
    CHECK_HR(hr, S_OK);
    CHECK(check_stats().ServerLocks == locks);

    outer = (IUnknown *)f; /* aggregation is refused: the method's own HRESULT comes back */
    m = (IHostSecurityManager *)f;
    CHECK_HR(invoke(f, &IID_IClassFactory, 3, create_args, &hr), S_OK);
    CHECK_HR(hr, CLASS_E_NOAGGREGATION);
    CHECK(m == NULL);
    IClassFactory_Release(f);
}

static void host_control_slots_by_number(void) {
    IClassFactory *f = factory_of(&CLSID_HostControl);
    IHostControl *control = NULL;
    if (IClassFactory_CreateInstance(f, NULL, &IID_IHostControl, (void **)&control) != S_OK) abort();
    IClassFactory_Release(f);

    IHostSecurityManager *m = NULL;
    const IID *riid = &IID_IHostSecurityManager;
    void **pm = (void **)&m;
    void *get_args[] = {&riid, &pm};
    HRESULT hr = 1;
    CHECK_HR(invoke(control, &IID_IHostControl, 3, get_args, &hr), S_OK);
    CHECK_HR(hr, S_OK);
    CHECK(m != NULL);
    if (m) IHostSecurityManager_Release(m);
    riid = &IID_IHostControl;
    CHECK_HR(invoke(control, &IID_IHostControl, 3, get_args, &hr), S_OK);
    CHECK_HR(hr, E_NOINTERFACE);

    DWORD domain = 7;
    IUnknown *manager = NULL;
    void *set_args[] = {&domain, &manager};
    CHECK_HR(invoke(control, &IID_IHostControl, 4, set_args, &hr), S_OK);
    CHECK_HR(hr, S_OK);
    IHostControl_Release(control);
}

static void security_manager_and_context_slots_by_number(void) {
    IHostSecurityManager *m = hosting_manager();
    const IID *iid = &IID_IHostSecurityManager;
    HRESULT hr = 1;

    /* OpenThreadToken (5) before any impersonation: ERROR_NO_TOKEN, handle NULL. */
    DWORD access = TOKEN_QUERY | TOKEN_IMPERSONATE;
    BOOL as_self = TRUE;
    HANDLE token = (HANDLE)1;
    HANDLE *ptoken = &token;
    void *open_args[] = {&access, &as_self, &ptoken};
    CHECK_HR(invoke(m, iid, 5, open_args, &hr), S_OK);
    CHECK_HR(hr, HRESULT_FROM_WIN32(ERROR_NO_TOKEN));
    CHECK(token == NULL);

    /* ImpersonateLoggedOnUser (3) with nobody's token. */
    HANDLE nobody = NULL;
    if (HostSec_LogonUser("nobody", &nobody) != S_OK) abort();
    void *imp_args[] = {&nobody};
    CHECK_HR(invoke(m, iid, 3, imp_args, &hr), S_OK);
    CHECK_HR(hr, S_OK);
    CHECK_HR(invoke(m, iid, 5, open_args, &hr), S_OK);
    CHECK_HR(hr, S_OK);
    HOSTSEC_TOKEN_USER user = {0};
    DWORD len = 0;
    CHECK_HR(HostSec_GetTokenInformation(token, TokenUser, &user, sizeof user, &len), S_OK);
    CHECK(user.Uid == hosting_uid_of("nobody"));
    char uid[128];
    hosting_status(0, "Uid:", uid, sizeof uid);
    if (hosting_privileged()) CHECK(hosting_effective_of(uid) == hosting_uid_of("nobody"));

    /* GetSecurityContext (7), RevertToSelf (4), Capture (context slot 3), SetSecurityContext (8). */
    EContextType type = eCurrentContext;
    IHostSecurityContext *context = NULL, *clone = NULL;
    IHostSecurityContext **pcontext = &context, **pclone = &clone;
    void *get_args[] = {&type, &pcontext};
    CHECK_HR(invoke(m, iid, 7, get_args, &hr), S_OK);
    CHECK_HR(hr, S_OK);
    CHECK(context != NULL);
    CHECK_HR(invoke(m, iid, 4, NULL, &hr), S_OK);
    CHECK_HR(hr, S_OK);
    void *capture_args[] = {&pclone};
    CHECK_HR(invoke(context, &IID_IHostSecurityContext, 3, capture_args, &hr), S_OK);
    CHECK_HR(hr, S_OK);
    CHECK(clone != NULL && clone != context);
    void *set_args[] = {&type, &clone};
    CHECK_HR(invoke(m, iid, 8, set_args, &hr), S_OK);
    CHECK_HR(hr, S_OK);
    CHECK_HR(invoke(m, iid, 4, NULL, &hr), S_OK);

    /* SetThreadToken (6) with the impersonation token opened above, then NULL to revert. */
    void *set_token_args[] = {&token};
    CHECK_HR(invoke(m, iid, 6, set_token_args, &hr), S_OK);
    CHECK_HR(hr, S_OK);
    HANDLE reopened = NULL, *preopened = &reopened;
    void *reopen_args[] = {&access, &as_self, &preopened};
    CHECK_HR(invoke(m, iid, 5, reopen_args, &hr), S_OK);
    CHECK_HR(hr, S_OK);
    CHECK_HR(HostSec_CloseHandle(reopened), S_OK);
    HANDLE none = NULL;
    void *revert_args[] = {&none};
    CHECK_HR(invoke(m, iid, 6, revert_args, &hr), S_OK);
    CHECK_HR(hr, S_OK);
    CHECK_HR(invoke(m, iid, 5, reopen_args, &hr), S_OK);
    CHECK_HR(hr, HRESULT_FROM_WIN32(ERROR_NO_TOKEN));
    CHECK(reopened == NULL);

    IHostSecurityContext_Release(clone);
    IHostSecurityContext_Release(context);
    HostSec_CloseHandle(token);
    HostSec_CloseHandle(nobody);
    IHostSecurityManager_Release(m);
}

static void every_slot_of_every_interface_is_callable(void) {
    /* The same calls as above, counted: each (interface, slot) pair reached at least once
     * through HostSec_Invoke, with a method result the method documents. */
    IHostSecurityManager *m = hosting_manager();
    int called = 0, slots = 0;
    for (DWORD i = 0; i < 5; i++) {
        const HOSTSEC_INTERFACE_INFO *info = NULL;
        HostSec_GetInterfaceInfoAt(i, &info);
        slots += (int)info->MethodCount;
    }
    /* IUnknown on each kind of object: QueryInterface(IUnknown), AddRef, Release. */
    IClassFactory *f = factory_of(&CLSID_HostSecurityManager);
    IHostSecurityContext *c = NULL;
    if (IHostSecurityManager_GetSecurityContext(m, eCurrentContext, &c) != S_OK) abort();
    IClassFactory *cf = factory_of(&CLSID_HostControl);
    IHostControl *hc = NULL;
    if (IClassFactory_CreateInstance(cf, NULL, &IID_IHostControl, (void **)&hc) != S_OK) abort();
    struct {
        void *object;
        const IID *iid;
    } objects[] = {
        {m, &IID_IUnknown},
        {f, &IID_IClassFactory},
        {hc, &IID_IHostControl},
        {c, &IID_IHostSecurityContext},
        {m, &IID_IHostSecurityManager},
    };
    for (int i = 0; i < 5; i++) {
        void *out = NULL, **pout = &out;
        const IID *riid = &IID_IUnknown;
        void *qi_args[] = {&riid, &pout};
        HRESULT hr = 1;
        CHECK_HR(invoke(objects[i].object, objects[i].iid, 0, qi_args, &hr), S_OK);
        CHECK_HR(hr, S_OK);
        CHECK(out == objects[i].object);
        CHECK(invoke_count(objects[i].object, objects[i].iid, 1) == 3);
        CHECK(invoke_count(objects[i].object, objects[i].iid, 2) == 2);
        CHECK(invoke_count(objects[i].object, objects[i].iid, 2) == 1);
        called += 3;
    }
    called += 2 + 2 + 1 + 6; /* the slots 3.. the tests above call by number */
    CHECK(called == slots);
    IHostControl_Release(hc);
    IClassFactory_Release(cf);
    IHostSecurityContext_Release(c);
    IClassFactory_Release(f);
    IHostSecurityManager_Release(m);
}

/* --- bad inputs ------------------------------------------------------------------------ */

static void null_interface_riid_or_result_is_e_pointer(void) {
    IHostSecurityManager *m = hosting_manager();
    HRESULT hr = 12345;
    CHECK_HR(HostSec_Invoke(NULL, &IID_IHostSecurityManager, 4, NULL, &hr), E_POINTER);
    CHECK_HR(HostSec_Invoke(m, NULL, 4, NULL, &hr), E_POINTER);
    CHECK_HR(HostSec_Invoke(m, &IID_IHostSecurityManager, 4, NULL, NULL), E_POINTER);
    CHECK(hr == 12345);
    IHostSecurityManager_Release(m);
}

static void null_args_for_a_method_with_parameters_is_e_pointer(void) {
    IHostSecurityManager *m = hosting_manager();
    HRESULT hr = 12345;
    CHECK_HR(HostSec_Invoke(m, &IID_IHostSecurityManager, 5, NULL, &hr), E_POINTER);
    DWORD access = TOKEN_QUERY;
    void *args[] = {&access, NULL, NULL};
    CHECK_HR(HostSec_Invoke(m, &IID_IHostSecurityManager, 5, args, &hr), E_POINTER);
    CHECK(hr == 12345);
    IHostSecurityManager_Release(m);
}

static void undescribed_iid_is_e_nointerface(void) {
    IHostSecurityManager *m = hosting_manager();
    HRESULT hr = 12345;
    CHECK_HR(HostSec_Invoke(m, &CLSID_HostSecurityManager, 4, NULL, &hr), E_NOINTERFACE);
    CHECK(hr == 12345);
    IHostSecurityManager_Release(m);
}

static void iid_the_library_object_lacks_is_e_nointerface(void) {
    IHostSecurityManager *m = hosting_manager();
    HRESULT hr = 12345;
    /* Slot 4 of IClassFactory is LockServer: never run it on a security manager. */
    BOOL lock = TRUE;
    void *args[] = {&lock};
    CHECK_HR(HostSec_Invoke(m, &IID_IClassFactory, 4, args, &hr), E_NOINTERFACE);
    CHECK(hr == 12345);
    IHostSecurityManager_Release(m);
}

static void slot_past_the_interface_is_e_invalidarg(void) {
    IHostSecurityManager *m = hosting_manager();
    HRESULT hr = 12345;
    CHECK_HR(HostSec_Invoke(m, &IID_IHostSecurityManager, 9, NULL, &hr), E_INVALIDARG);
    CHECK_HR(HostSec_Invoke(m, &IID_IUnknown, 3, NULL, &hr), E_INVALIDARG);
    CHECK_HR(HostSec_Invoke(m, &IID_IHostSecurityManager, 0xFFFFFFFFu, NULL, &hr), E_INVALIDARG);
    CHECK(hr == 12345);
    IHostSecurityManager_Release(m);
}

/* A host's own COM object: HostSec_Invoke calls any object's vtable, not only the library's. */
typedef struct {
    const IHostSecurityContextVtbl *lpVtbl;
    ULONG refs;
    int captures;
} host_context;
static HRESULT STDMETHODCALLTYPE hc_qi(IHostSecurityContext *t, REFIID r, void **p) {
    (void)t;
    (void)r;
    *p = NULL;
    return E_NOINTERFACE;
}
static ULONG STDMETHODCALLTYPE hc_addref(IHostSecurityContext *t) { return ++((host_context *)t)->refs; }
static ULONG STDMETHODCALLTYPE hc_release(IHostSecurityContext *t) { return --((host_context *)t)->refs; }
static HRESULT STDMETHODCALLTYPE hc_capture(IHostSecurityContext *t, IHostSecurityContext **p) {
    ((host_context *)t)->captures++;
    *p = NULL;
    return E_OUTOFMEMORY;
}
static const IHostSecurityContextVtbl host_context_vtbl = {hc_qi, hc_addref, hc_release, hc_capture};

static void a_host_object_is_called_through_its_own_vtable(void) {
    host_context object = {&host_context_vtbl, 1, 0};
    IHostSecurityContext *clone = (IHostSecurityContext *)&object, **pclone = &clone;
    void *args[] = {&pclone};
    HRESULT hr = 1;
    CHECK_HR(HostSec_Invoke(&object, &IID_IHostSecurityContext, 3, args, &hr), S_OK);
    CHECK_HR(hr, E_OUTOFMEMORY);
    CHECK(clone == NULL && object.captures == 1);
    ULONG count = 0;
    CHECK_HR(HostSec_Invoke(&object, &IID_IHostSecurityContext, 1, NULL, &count), S_OK);
    CHECK(count == 2 && object.refs == 2);
}

int main(void) {
    check_remember_start();
    RUN_TEST(iunknown_slots_by_number_keep_exact_counts);
    RUN_TEST(class_factory_slots_by_number);
    RUN_TEST(host_control_slots_by_number);
    RUN_TEST(security_manager_and_context_slots_by_number);
    RUN_TEST(every_slot_of_every_interface_is_callable);
    RUN_TEST(null_interface_riid_or_result_is_e_pointer);
    RUN_TEST(null_args_for_a_method_with_parameters_is_e_pointer);
    RUN_TEST(undescribed_iid_is_e_nointerface);
    RUN_TEST(iid_the_library_object_lacks_is_e_nointerface);
    RUN_TEST(slot_past_the_interface_is_e_invalidarg);
    RUN_TEST(a_host_object_is_called_through_its_own_vtable);
    RUN_TEST(nothing_outlives_its_last_release);
    CHECK_EXIT();
}
