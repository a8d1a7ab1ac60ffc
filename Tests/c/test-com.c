/* COM identity and lifetime through the real libhostsec.so: DllGetClassObject, the class
 * factories, QueryInterface/AddRef/Release, server locks, DllCanUnloadNow, IHostControl.
 * Every test releases what it got, so each starts from the same live counts. */
#define COBJMACROS
#include "check.h"

static const IID IID_Unknown_To_Hostsec = {
    0x12345678, 0x9ABC, 0xDEF0, {0x01, 0x23, 0x45, 0x67, 0x89, 0xAB, 0xCD, 0xEF}};
/* Stands for another host manager (task, memory, ...) that hostsec does not serve. */
static const IID IID_Other_Host_Manager = {
    0x997FF24C, 0x43B7, 0x4352, {0x86, 0x67, 0x0D, 0xCE, 0x82, 0x64, 0x2B, 0x17}};

static void *const POISON = (void *)(uintptr_t)0xDEADBEEF;

static IClassFactory *factory_of(const CLSID *clsid) {
    void *p = POISON;
    HRESULT hr = DllGetClassObject(clsid, &IID_IClassFactory, &p);
    CHECK_HR(hr, S_OK);
    CHECK(p != NULL && p != POISON);
    return hr == S_OK ? (IClassFactory *)p : NULL;
}

static IHostSecurityManager *new_manager(void) {
    IClassFactory *f = factory_of(&CLSID_HostSecurityManager);
    if (f == NULL) return NULL;
    void *p = POISON;
    CHECK_HR(IClassFactory_CreateInstance(f, NULL, &IID_IHostSecurityManager, &p), S_OK);
    CHECK(IClassFactory_Release(f) == 0);
    return p == POISON ? NULL : (IHostSecurityManager *)p;
}

static IHostControl *new_control(void) {
    IClassFactory *f = factory_of(&CLSID_HostControl);
    if (f == NULL) return NULL;
    void *p = POISON;
    CHECK_HR(IClassFactory_CreateInstance(f, NULL, &IID_IHostControl, &p), S_OK);
    CHECK(IClassFactory_Release(f) == 0);
    return p == POISON ? NULL : (IHostControl *)p;
}

static uint64_t live_objects(void) { return check_stats().LiveObjects; }

/* ---- DllGetClassObject ---- */

static void dll_get_class_object_serves_both_classes_as_class_factory(void) {
    uint64_t before = live_objects();
    const CLSID *classes[2] = {&CLSID_HostSecurityManager, &CLSID_HostControl};
    for (int i = 0; i < 2; i++) {
        void *p = POISON;
        CHECK_HR(DllGetClassObject(classes[i], &IID_IClassFactory, &p), S_OK);
        CHECK(p != NULL && p != POISON);
        if (p == NULL || p == POISON) continue;
        CHECK(live_objects() == before + 1);
        CHECK(IClassFactory_Release((IClassFactory *)p) == 0);
    }
    CHECK(live_objects() == before);
}

static void dll_get_class_object_serves_both_classes_as_iunknown(void) {
    uint64_t before = live_objects();
    const CLSID *classes[2] = {&CLSID_HostSecurityManager, &CLSID_HostControl};
    for (int i = 0; i < 2; i++) {
        void *p = POISON;
        CHECK_HR(DllGetClassObject(classes[i], &IID_IUnknown, &p), S_OK);
        CHECK(p != NULL && p != POISON);
        if (p == NULL || p == POISON) continue;
        /* The IUnknown it gave is the factory: QI for IClassFactory yields the same pointer. */
        void *f = NULL;
        CHECK_HR(IUnknown_QueryInterface((IUnknown *)p, &IID_IClassFactory, &f), S_OK);
        CHECK(f == p);
        CHECK(IUnknown_Release((IUnknown *)p) == 1);
        CHECK(IUnknown_Release((IUnknown *)p) == 0);
    }
    CHECK(live_objects() == before);
}

static void dll_get_class_object_rejects_unknown_clsid(void) {
    uint64_t before = live_objects();
    void *p = POISON;
    CHECK_HR(DllGetClassObject(&IID_Unknown_To_Hostsec, &IID_IClassFactory, &p), CLASS_E_CLASSNOTAVAILABLE);
    CHECK(p == NULL);
    /* An interface ID is not a class ID. */
    p = POISON;
    CHECK_HR(DllGetClassObject(&IID_IHostSecurityManager, &IID_IClassFactory, &p), CLASS_E_CLASSNOTAVAILABLE);
    CHECK(p == NULL);
    CHECK(live_objects() == before);
}

static void dll_get_class_object_rejects_null_arguments(void) {
    uint64_t before = live_objects();
    void *p = POISON;
    CHECK_HR(DllGetClassObject(NULL, &IID_IClassFactory, &p), E_POINTER);
    CHECK(p == NULL);
    p = POISON;
    CHECK_HR(DllGetClassObject(&CLSID_HostSecurityManager, NULL, &p), E_POINTER);
    CHECK(p == NULL);
    CHECK_HR(DllGetClassObject(&CLSID_HostSecurityManager, &IID_IClassFactory, NULL), E_POINTER);
    CHECK_HR(DllGetClassObject(NULL, NULL, NULL), E_POINTER);
    CHECK(live_objects() == before);
}

static void dll_get_class_object_rejects_unsupported_interface(void) {
    uint64_t before = live_objects();
    const IID *wrong[3] = {&IID_IHostSecurityManager, &IID_IHostControl, &IID_Unknown_To_Hostsec};
    for (int i = 0; i < 3; i++) {
        void *p = POISON;
        CHECK_HR(DllGetClassObject(&CLSID_HostSecurityManager, wrong[i], &p), E_NOINTERFACE);
        CHECK(p == NULL);
        p = POISON;
        CHECK_HR(DllGetClassObject(&CLSID_HostControl, wrong[i], &p), E_NOINTERFACE);
        CHECK(p == NULL);
    }
    CHECK(live_objects() == before);
}

/* ---- QueryInterface ---- */

static void query_interface_for_iunknown_returns_same_pointer_and_addrefs(void) {
    IHostSecurityManager *m = new_manager();
    if (m == NULL) return;
    void *p = POISON;
    CHECK_HR(IHostSecurityManager_QueryInterface(m, &IID_IUnknown, &p), S_OK);
    CHECK(p == (void *)m);
    /* One reference from creation, one from QI: the next AddRef reports 3. */
    CHECK(IHostSecurityManager_AddRef(m) == 3);
    CHECK(IHostSecurityManager_Release(m) == 2);
    CHECK(IHostSecurityManager_Release(m) == 1);
    CHECK(IHostSecurityManager_Release(m) == 0);
}

static void query_interface_for_own_iid_returns_same_pointer_and_addrefs(void) {
    IHostSecurityManager *m = new_manager();
    IHostControl *c = new_control();
    IClassFactory *f = factory_of(&CLSID_HostSecurityManager);
    if (m == NULL || c == NULL || f == NULL) return;
    void *p = POISON;
    CHECK_HR(IHostSecurityManager_QueryInterface(m, &IID_IHostSecurityManager, &p), S_OK);
    CHECK(p == (void *)m);
    CHECK(IHostSecurityManager_Release(m) == 1);
    p = POISON;
    CHECK_HR(IHostControl_QueryInterface(c, &IID_IHostControl, &p), S_OK);
    CHECK(p == (void *)c);
    CHECK(IHostControl_Release(c) == 1);
    p = POISON;
    CHECK_HR(IClassFactory_QueryInterface(f, &IID_IClassFactory, &p), S_OK);
    CHECK(p == (void *)f);
    CHECK(IClassFactory_Release(f) == 1);

    IHostSecurityContext *ctx = NULL;
    CHECK_HR(IHostSecurityManager_GetSecurityContext(m, eCurrentContext, &ctx), S_OK);
    if (ctx != NULL) {
        p = POISON;
        CHECK_HR(IHostSecurityContext_QueryInterface(ctx, &IID_IHostSecurityContext, &p), S_OK);
        CHECK(p == (void *)ctx);
        CHECK(IHostSecurityContext_Release(ctx) == 1);
        CHECK(IHostSecurityContext_Release(ctx) == 0);
    }
    CHECK(IHostSecurityManager_Release(m) == 0);
    CHECK(IHostControl_Release(c) == 0);
    CHECK(IClassFactory_Release(f) == 0);
}

static void query_interface_for_unknown_iid_fails_with_null(void) {
    IHostSecurityManager *m = new_manager();
    IHostControl *c = new_control();
    IClassFactory *f = factory_of(&CLSID_HostControl);
    if (m == NULL || c == NULL || f == NULL) return;
    void *p = POISON;
    CHECK_HR(IHostSecurityManager_QueryInterface(m, &IID_Unknown_To_Hostsec, &p), E_NOINTERFACE);
    CHECK(p == NULL);
    /* Each object implements its own interface only, not its siblings'. */
    p = POISON;
    CHECK_HR(IHostSecurityManager_QueryInterface(m, &IID_IHostControl, &p), E_NOINTERFACE);
    CHECK(p == NULL);
    p = POISON;
    CHECK_HR(IHostSecurityManager_QueryInterface(m, &IID_IClassFactory, &p), E_NOINTERFACE);
    CHECK(p == NULL);
    p = POISON;
    CHECK_HR(IHostControl_QueryInterface(c, &IID_IHostSecurityManager, &p), E_NOINTERFACE);
    CHECK(p == NULL);
    p = POISON;
    CHECK_HR(IClassFactory_QueryInterface(f, &IID_IHostControl, &p), E_NOINTERFACE);
    CHECK(p == NULL);
    /* A failed QI adds no reference. */
    CHECK(IHostSecurityManager_Release(m) == 0);
    CHECK(IHostControl_Release(c) == 0);
    CHECK(IClassFactory_Release(f) == 0);
}

static void query_interface_with_null_out_pointer_fails(void) {
    IHostSecurityManager *m = new_manager();
    if (m == NULL) return;
    CHECK_HR(IHostSecurityManager_QueryInterface(m, &IID_IUnknown, NULL), E_POINTER);
    void *p = POISON;
    CHECK_HR(IHostSecurityManager_QueryInterface(m, NULL, &p), E_POINTER);
    CHECK(p == NULL);
    CHECK(IHostSecurityManager_Release(m) == 0);
}

/* ---- AddRef / Release ---- */

static void addref_and_release_return_exact_counts(void) {
    IHostControl *c = new_control();
    if (c == NULL) return;
    CHECK(IHostControl_AddRef(c) == 2);
    CHECK(IHostControl_AddRef(c) == 3);
    CHECK(IHostControl_AddRef(c) == 4);
    CHECK(IHostControl_Release(c) == 3);
    CHECK(IHostControl_Release(c) == 2);
    CHECK(IHostControl_Release(c) == 1);
    CHECK(IHostControl_Release(c) == 0);
}

static void last_release_frees_the_object(void) {
    uint64_t before = live_objects();
    IHostSecurityManager *m = new_manager();
    IHostControl *c = new_control();
    if (m == NULL || c == NULL) return;
    CHECK(live_objects() == before + 2);
    CHECK(IHostSecurityManager_AddRef(m) == 2);
    CHECK(IHostSecurityManager_Release(m) == 1);
    CHECK(live_objects() == before + 2);
    CHECK(IHostSecurityManager_Release(m) == 0);
    CHECK(live_objects() == before + 1);
    CHECK(IHostControl_Release(c) == 0);
    CHECK(live_objects() == before);
}

static void each_creation_makes_a_distinct_object(void) {
    IHostSecurityManager *a = new_manager();
    IHostSecurityManager *b = new_manager();
    if (a == NULL || b == NULL) return;
    CHECK(a != b);
    CHECK(a->lpVtbl == b->lpVtbl); /* one shared, immortal vtable per class */
    CHECK(IHostSecurityManager_Release(a) == 0);
    CHECK(IHostSecurityManager_Release(b) == 0);
}

/* ---- IClassFactory ---- */

static void create_instance_refuses_aggregation(void) {
    uint64_t before = live_objects();
    IClassFactory *f = factory_of(&CLSID_HostSecurityManager);
    IHostControl *outer = new_control();
    if (f == NULL || outer == NULL) return;
    void *p = POISON;
    CHECK_HR(IClassFactory_CreateInstance(f, (IUnknown *)outer, &IID_IUnknown, &p), CLASS_E_NOAGGREGATION);
    CHECK(p == NULL);
    p = POISON;
    CHECK_HR(IClassFactory_CreateInstance(f, (IUnknown *)outer, &IID_IHostSecurityManager, &p), CLASS_E_NOAGGREGATION);
    CHECK(p == NULL);
    /* The outer object was not touched. */
    CHECK(IHostControl_Release(outer) == 0);
    CHECK(IClassFactory_Release(f) == 0);
    CHECK(live_objects() == before);
}

static void create_instance_rejects_bad_arguments(void) {
    uint64_t before = live_objects();
    IClassFactory *f = factory_of(&CLSID_HostSecurityManager);
    if (f == NULL) return;
    void *p = POISON;
    CHECK_HR(IClassFactory_CreateInstance(f, NULL, NULL, &p), E_POINTER);
    CHECK(p == NULL);
    CHECK_HR(IClassFactory_CreateInstance(f, NULL, &IID_IHostSecurityManager, NULL), E_POINTER);
    p = POISON;
    CHECK_HR(IClassFactory_CreateInstance(f, NULL, &IID_IHostControl, &p), E_NOINTERFACE);
    CHECK(p == NULL);
    p = POISON;
    CHECK_HR(IClassFactory_CreateInstance(f, NULL, &IID_Unknown_To_Hostsec, &p), E_NOINTERFACE);
    CHECK(p == NULL);
    CHECK(IClassFactory_Release(f) == 0);
    CHECK(live_objects() == before);
}

static void factory_of_each_clsid_creates_its_own_class(void) {
    IClassFactory *fm = factory_of(&CLSID_HostSecurityManager);
    IClassFactory *fc = factory_of(&CLSID_HostControl);
    if (fm == NULL || fc == NULL) return;

    /* Created as plain IUnknown, the object proves its class through QI. */
    void *um = NULL, *uc = NULL, *q = POISON;
    CHECK_HR(IClassFactory_CreateInstance(fm, NULL, &IID_IUnknown, &um), S_OK);
    CHECK_HR(IClassFactory_CreateInstance(fc, NULL, &IID_IUnknown, &uc), S_OK);
    if (um != NULL) {
        CHECK_HR(IUnknown_QueryInterface((IUnknown *)um, &IID_IHostSecurityManager, &q), S_OK);
        CHECK(q == um);
        q = POISON;
        CHECK_HR(IUnknown_QueryInterface((IUnknown *)um, &IID_IHostControl, &q), E_NOINTERFACE);
        CHECK(q == NULL);
        CHECK(IUnknown_Release((IUnknown *)um) == 1);
        CHECK(IUnknown_Release((IUnknown *)um) == 0);
    }
    if (uc != NULL) {
        q = POISON;
        CHECK_HR(IUnknown_QueryInterface((IUnknown *)uc, &IID_IHostControl, &q), S_OK);
        CHECK(q == uc);
        q = POISON;
        CHECK_HR(IUnknown_QueryInterface((IUnknown *)uc, &IID_IHostSecurityManager, &q), E_NOINTERFACE);
        CHECK(q == NULL);
        CHECK(IUnknown_Release((IUnknown *)uc) == 1);
        CHECK(IUnknown_Release((IUnknown *)uc) == 0);
    }
    /* The control factory cannot make a manager, and the reverse. */
    q = POISON;
    CHECK_HR(IClassFactory_CreateInstance(fc, NULL, &IID_IHostSecurityManager, &q), E_NOINTERFACE);
    CHECK(q == NULL);
    q = POISON;
    CHECK_HR(IClassFactory_CreateInstance(fm, NULL, &IID_IHostControl, &q), E_NOINTERFACE);
    CHECK(q == NULL);
    CHECK(IClassFactory_Release(fm) == 0);
    CHECK(IClassFactory_Release(fc) == 0);
}

static void lock_server_keeps_the_dll_loaded(void) {
    uint64_t locks = check_stats().ServerLocks;
    uint64_t before = live_objects();
    CHECK(locks == 0 && before == 0); /* this program holds nothing between tests */
    CHECK_HR(DllCanUnloadNow(), S_OK);

    IClassFactory *f = factory_of(&CLSID_HostSecurityManager);
    if (f == NULL) return;
    CHECK_HR(DllCanUnloadNow(), S_FALSE); /* the factory itself is alive */
    CHECK_HR(IClassFactory_LockServer(f, TRUE), S_OK);
    CHECK_HR(IClassFactory_LockServer(f, TRUE), S_OK);
    CHECK(check_stats().ServerLocks == 2);
    CHECK(IClassFactory_Release(f) == 0);
    CHECK(live_objects() == 0);
    CHECK_HR(DllCanUnloadNow(), S_FALSE); /* two locks, no object */

    f = factory_of(&CLSID_HostControl); /* any factory undoes a lock */
    if (f == NULL) return;
    CHECK_HR(IClassFactory_LockServer(f, FALSE), S_OK);
    CHECK(check_stats().ServerLocks == 1);
    CHECK(IClassFactory_Release(f) == 0);
    CHECK_HR(DllCanUnloadNow(), S_FALSE); /* one lock left */

    f = factory_of(&CLSID_HostSecurityManager);
    if (f == NULL) return;
    CHECK_HR(IClassFactory_LockServer(f, FALSE), S_OK);
    CHECK(check_stats().ServerLocks == 0);
    CHECK_HR(DllCanUnloadNow(), S_FALSE); /* the factory is still alive */
    CHECK(IClassFactory_Release(f) == 0);
    CHECK_HR(DllCanUnloadNow(), S_OK);
}

static void lock_server_false_without_lock_is_refused(void) {
    IClassFactory *f = factory_of(&CLSID_HostSecurityManager);
    if (f == NULL) return;
    CHECK(check_stats().ServerLocks == 0);
    CHECK_HR(IClassFactory_LockServer(f, FALSE), E_UNEXPECTED);
    CHECK(check_stats().ServerLocks == 0);
    /* The refused unlock did not go below zero: one lock then one unlock balance. */
    CHECK_HR(IClassFactory_LockServer(f, TRUE), S_OK);
    CHECK(check_stats().ServerLocks == 1);
    CHECK_HR(IClassFactory_LockServer(f, FALSE), S_OK);
    CHECK(check_stats().ServerLocks == 0);
    CHECK_HR(IClassFactory_LockServer(f, FALSE), E_UNEXPECTED);
    CHECK(check_stats().ServerLocks == 0);
    CHECK(IClassFactory_Release(f) == 0);
    CHECK_HR(DllCanUnloadNow(), S_OK);
}

static void dll_can_unload_now_waits_for_every_object(void) {
    CHECK_HR(DllCanUnloadNow(), S_OK);
    IHostSecurityManager *m = new_manager(); /* its factory is already released */
    if (m == NULL) return;
    CHECK_HR(DllCanUnloadNow(), S_FALSE);
    IHostSecurityContext *ctx = NULL;
    CHECK_HR(IHostSecurityManager_GetSecurityContext(m, eCurrentContext, &ctx), S_OK);
    CHECK(IHostSecurityManager_Release(m) == 0);
    CHECK_HR(DllCanUnloadNow(), ctx != NULL ? S_FALSE : S_OK); /* the context still lives */
    if (ctx != NULL) CHECK(IHostSecurityContext_Release(ctx) == 0);
    CHECK_HR(DllCanUnloadNow(), S_OK);
}

/* ---- IHostControl ---- */

static void get_host_manager_serves_the_security_manager(void) {
    uint64_t before = live_objects();
    IHostControl *c = new_control();
    if (c == NULL) return;
    void *p = POISON;
    CHECK_HR(IHostControl_GetHostManager(c, &IID_IHostSecurityManager, &p), S_OK);
    CHECK(p != NULL && p != POISON);
    if (p != NULL && p != POISON) {
        IHostSecurityManager *m = (IHostSecurityManager *)p;
        void *q = POISON;
        CHECK_HR(IHostSecurityManager_QueryInterface(m, &IID_IHostSecurityManager, &q), S_OK);
        CHECK(q == p);
        CHECK(IHostSecurityManager_Release(m) == 1);
        /* It works: RevertToSelf on a thread that is not impersonating is S_OK. */
        CHECK_HR(IHostSecurityManager_RevertToSelf(m), S_OK);
        CHECK(IHostSecurityManager_Release(m) == 0);
    }
    CHECK(IHostControl_Release(c) == 0);
    CHECK(live_objects() == before);
}

static void get_host_manager_refuses_other_managers(void) {
    uint64_t before = live_objects();
    IHostControl *c = new_control();
    if (c == NULL) return;
    const IID *others[5] = {&IID_Other_Host_Manager, &IID_IUnknown, &IID_IHostControl, &IID_IHostSecurityContext,
                            &IID_Unknown_To_Hostsec};
    for (int i = 0; i < 5; i++) {
        void *p = POISON;
        CHECK_HR(IHostControl_GetHostManager(c, others[i], &p), E_NOINTERFACE);
        CHECK(p == NULL);
    }
    void *p = POISON;
    CHECK_HR(IHostControl_GetHostManager(c, NULL, &p), E_POINTER);
    CHECK(p == NULL);
    CHECK_HR(IHostControl_GetHostManager(c, &IID_IHostSecurityManager, NULL), E_POINTER);
    CHECK(IHostControl_Release(c) == 0);
    CHECK(live_objects() == before);
}

static void set_app_domain_manager_is_accepted(void) {
    IHostControl *c = new_control();
    IHostSecurityManager *m = new_manager();
    if (c == NULL || m == NULL) return;
    CHECK_HR(IHostControl_SetAppDomainManager(c, 1, NULL), S_OK);
    /* Any IUnknown is accepted, and no reference to it is kept. */
    CHECK_HR(IHostControl_SetAppDomainManager(c, 2, (IUnknown *)m), S_OK);
    CHECK(IHostSecurityManager_AddRef(m) == 2);
    CHECK(IHostSecurityManager_Release(m) == 1);
    CHECK(IHostSecurityManager_Release(m) == 0);
    CHECK(IHostControl_Release(c) == 0);
}

static void nothing_is_left_alive(void) {
    HOSTSEC_STATISTICS s = check_stats();
    CHECK(s.LiveObjects == 0);
    CHECK(s.ServerLocks == 0);
    CHECK(s.LiveHandles == 0);
    CHECK(s.FailedClosed == 0);
    CHECK_HR(DllCanUnloadNow(), S_OK);
}

int main(void) {
    RUN_TEST(dll_get_class_object_serves_both_classes_as_class_factory);
    RUN_TEST(dll_get_class_object_serves_both_classes_as_iunknown);
    RUN_TEST(dll_get_class_object_rejects_unknown_clsid);
    RUN_TEST(dll_get_class_object_rejects_null_arguments);
    RUN_TEST(dll_get_class_object_rejects_unsupported_interface);
    RUN_TEST(query_interface_for_iunknown_returns_same_pointer_and_addrefs);
    RUN_TEST(query_interface_for_own_iid_returns_same_pointer_and_addrefs);
    RUN_TEST(query_interface_for_unknown_iid_fails_with_null);
    RUN_TEST(query_interface_with_null_out_pointer_fails);
    RUN_TEST(addref_and_release_return_exact_counts);
    RUN_TEST(last_release_frees_the_object);
    RUN_TEST(each_creation_makes_a_distinct_object);
    RUN_TEST(create_instance_refuses_aggregation);
    RUN_TEST(create_instance_rejects_bad_arguments);
    RUN_TEST(factory_of_each_clsid_creates_its_own_class);
    RUN_TEST(lock_server_keeps_the_dll_loaded);
    RUN_TEST(lock_server_false_without_lock_is_refused);
    RUN_TEST(dll_can_unload_now_waits_for_every_object);
    RUN_TEST(get_host_manager_serves_the_security_manager);
    RUN_TEST(get_host_manager_refuses_other_managers);
    RUN_TEST(set_app_domain_manager_is_accepted);
    RUN_TEST(nothing_is_left_alive);
    CHECK_EXIT();
}
