/* The call tracer's proxies keep COM's rules: identity, exact reference counts, lifetime,
 * proxied products, security contexts through proxies; HostSec_SetTrace's inputs. The log's
 * format is checked line by line in Tests/sh/test-tracer.sh. */
#include "check.h"
#include "hosting.h"

#include <pthread.h>
#include <errno.h>
#include <fcntl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

static char log_path[256];
static const void *plain_manager_vtbl, *plain_context_vtbl, *plain_factory_vtbl;

static IHostSecurityContext *context_of(IHostSecurityManager *m) {
    IHostSecurityContext *c = NULL;
    if (IHostSecurityManager_GetSecurityContext(m, eCurrentContext, &c) != S_OK) abort();
    return c;
}

static long log_size(void) {
    struct stat st;
    return stat(log_path, &st) == 0 ? (long)st.st_size : -1;
}

static int log_contains(const char *text) {
    FILE *f = fopen(log_path, "r");
    char line[2048];
    int found = 0;
    while (f && fgets(line, sizeof line, f))
        if (strstr(line, text)) found = 1;
    if (f) fclose(f);
    return found;
}

static void objects_handed_out_while_tracing_are_proxies(void) {
    CHECK_HR(HostSec_SetTrace(TRUE, log_path), S_OK);
    IClassFactory *f = NULL;
    CHECK_HR(DllGetClassObject(&CLSID_HostSecurityManager, &IID_IClassFactory, (void **)&f), S_OK);
    CHECK((const void *)f->lpVtbl != plain_factory_vtbl);
    IHostSecurityManager *m = NULL;
    CHECK_HR(IClassFactory_CreateInstance(f, NULL, &IID_IHostSecurityManager, (void **)&m), S_OK);
    CHECK((const void *)m->lpVtbl != plain_manager_vtbl);
    IHostSecurityContext *c = context_of(m);
    CHECK((const void *)c->lpVtbl != plain_context_vtbl);
    IHostSecurityContext *clone = NULL;
    CHECK_HR(IHostSecurityContext_Capture(c, &clone), S_OK);
    CHECK(clone != NULL && clone->lpVtbl == c->lpVtbl);
    IHostSecurityContext_Release(clone);
    IHostSecurityContext_Release(c);
    IHostSecurityManager_Release(m);
    IClassFactory_Release(f);
}

static void proxy_query_interface_returns_the_same_proxy_addrefd(void) {
    IHostSecurityManager *m = hosting_manager();
    void *p = NULL;
    CHECK_HR(IHostSecurityManager_QueryInterface(m, &IID_IUnknown, &p), S_OK);
    CHECK(p == (void *)m);
    CHECK(IHostSecurityManager_AddRef(m) == 3);
    CHECK_HR(IHostSecurityManager_QueryInterface(m, &IID_IHostSecurityManager, &p), S_OK);
    CHECK(p == (void *)m);
    CHECK(IHostSecurityManager_Release(m) == 3);
    CHECK(IHostSecurityManager_Release(m) == 2);
    CHECK(IHostSecurityManager_Release(m) == 1);
    CHECK(IHostSecurityManager_Release(m) == 0);
}

static void proxy_query_interface_for_an_unknown_iid_is_e_nointerface(void) {
    IHostSecurityManager *m = hosting_manager();
    void *p = (void *)m;
    CHECK_HR(IHostSecurityManager_QueryInterface(m, &IID_IClassFactory, &p), E_NOINTERFACE);
    CHECK(p == NULL);
    CHECK_HR(IHostSecurityManager_QueryInterface(m, NULL, &p), E_POINTER);
    CHECK(IHostSecurityManager_Release(m) == 0);
}

static void last_release_frees_proxy_and_object(void) {
    uint64_t before = check_stats().LiveObjects;
    IHostSecurityManager *m = hosting_manager();
    IHostSecurityContext *c = context_of(m);
    CHECK(check_stats().LiveObjects == before + 2); /* proxies are not objects of their own */
    CHECK(IHostSecurityContext_AddRef(c) == 2);
    CHECK(IHostSecurityContext_Release(c) == 1);
    CHECK(IHostSecurityContext_Release(c) == 0);
    CHECK(IHostSecurityManager_Release(m) == 0);
    CHECK(check_stats().LiveObjects == before);
    CHECK_HR(DllCanUnloadNow(), S_OK);
}

static void proxied_context_applies_on_proxied_and_plain_managers(void) {
    IHostSecurityManager *traced = hosting_manager();
    HANDLE nobody = NULL;
    CHECK_HR(HostSec_LogonUser("nobody", &nobody), S_OK);
    CHECK_HR(IHostSecurityManager_ImpersonateLoggedOnUser(traced, nobody), S_OK);
    IHostSecurityContext *captured = context_of(traced);
    CHECK_HR(IHostSecurityManager_RevertToSelf(traced), S_OK);

    CHECK_HR(IHostSecurityManager_SetSecurityContext(traced, eCurrentContext, captured), S_OK);
    HANDLE h = NULL;
    HOSTSEC_TOKEN_USER user = {0};
    DWORD len = 0;
    CHECK_HR(IHostSecurityManager_OpenThreadToken(traced, TOKEN_QUERY, TRUE, &h), S_OK);
    CHECK_HR(HostSec_GetTokenInformation(h, TokenUser, &user, sizeof user, &len), S_OK);
    CHECK(user.Uid == hosting_uid_of("nobody"));
    HostSec_CloseHandle(h);
    char uid[128];
    hosting_status(0, "Uid:", uid, sizeof uid);
    if (hosting_privileged()) CHECK(hosting_effective_of(uid) == hosting_uid_of("nobody"));
    CHECK_HR(IHostSecurityManager_RevertToSelf(traced), S_OK);

    CHECK_HR(HostSec_SetTrace(FALSE, NULL), S_OK);
    IHostSecurityManager *plain = hosting_manager();
    CHECK((const void *)plain->lpVtbl == plain_manager_vtbl);
    CHECK_HR(IHostSecurityManager_SetSecurityContext(plain, eRestrictedContext, captured), S_OK);
    CHECK_HR(IHostSecurityManager_OpenThreadToken(plain, TOKEN_QUERY, TRUE, &h), S_OK);
    HostSec_CloseHandle(h);
    CHECK_HR(IHostSecurityManager_RevertToSelf(plain), S_OK);
    IHostSecurityContext *plain_context = context_of(plain);
    CHECK_HR(IHostSecurityManager_SetSecurityContext(traced, eCurrentContext, plain_context), S_OK);
    IHostSecurityContext_Release(plain_context);
    IHostSecurityManager_Release(plain);
    CHECK_HR(HostSec_SetTrace(TRUE, log_path), S_OK);

    IHostSecurityContext_Release(captured);
    HostSec_CloseHandle(nobody);
    IHostSecurityManager_Release(traced);
}

typedef struct {
    const IHostSecurityContextVtbl *lpVtbl;
} foreign_context;
static HRESULT STDMETHODCALLTYPE fc_qi(IHostSecurityContext *t, REFIID r, void **p) {
    (void)t;
    (void)r;
    *p = NULL;
    return E_NOINTERFACE;
}
static ULONG STDMETHODCALLTYPE fc_ref(IHostSecurityContext *t) {
    (void)t;
    return 1;
}
static HRESULT STDMETHODCALLTYPE fc_capture(IHostSecurityContext *t, IHostSecurityContext **p) {
    (void)t;
    *p = NULL;
    return E_NOTIMPL;
}
static const IHostSecurityContextVtbl foreign_vtbl = {fc_qi, fc_ref, fc_ref, fc_capture};

static void foreign_context_is_still_refused_through_a_proxy(void) {
    IHostSecurityManager *m = hosting_manager();
    foreign_context foreign = {&foreign_vtbl};
    CHECK_HR(IHostSecurityManager_SetSecurityContext(m, eCurrentContext, (IHostSecurityContext *)&foreign),
             E_INVALIDARG);
    IHostSecurityManager_Release(m);
}

static void proxied_calls_are_logged_with_names(void) {
    IHostSecurityManager *m = hosting_manager();
    CHECK_HR(IHostSecurityManager_RevertToSelf(m), S_OK);
    HANDLE h = (HANDLE)1;
    CHECK_HR(IHostSecurityManager_OpenThreadToken(m, TOKEN_QUERY | TOKEN_DUPLICATE, FALSE, &h),
             HRESULT_FROM_WIN32(ERROR_NO_TOKEN));
    IHostSecurityManager_Release(m);
    CHECK(log_contains("IHostSecurityManager::RevertToSelf(this=0x"));
    CHECK(log_contains("OpenThreadToken(this=0x"));
    CHECK(log_contains(", dwDesiredAccess=TOKEN_DUPLICATE|TOKEN_QUERY, bOpenAsSelf=FALSE, phThreadToken=out) = "
                       "HRESULT_FROM_WIN32(ERROR_NO_TOKEN); *phThreadToken=NULL ("));
    CHECK(log_contains("IHostSecurityManager::Release(this=0x"));
}

static void *revert_on_thread(void *arg) {
    IHostSecurityManager *m = arg;
    IHostSecurityManager_RevertToSelf(m);
    return (void *)(intptr_t)hosting_tid();
}

static void log_lines_carry_the_calling_thread_id(void) {
    IHostSecurityManager *m = hosting_manager();
    pthread_t t;
    void *tid = NULL;
    pthread_create(&t, NULL, revert_on_thread, m);
    pthread_join(t, &tid);
    char expected[64];
    snprintf(expected, sizeof expected, "hostsec[%d] IHostSecurityManager::RevertToSelf(", (int)(intptr_t)tid);
    CHECK(log_contains(expected));
    IHostSecurityManager_Release(m);
}

static void invoke_through_a_proxy_is_traced(void) {
    IHostSecurityManager *m = hosting_manager();
    HRESULT hr = 1;
    CHECK_HR(HostSec_Invoke(m, &IID_IHostSecurityManager, 4, NULL, &hr), S_OK);
    CHECK_HR(hr, S_OK);
    ULONG count = 0;
    CHECK_HR(HostSec_Invoke(m, &IID_IUnknown, 1, NULL, &count), S_OK);
    CHECK(count == 2);
    BOOL lock = TRUE;
    void *args[] = {&lock};
    CHECK_HR(HostSec_Invoke(m, &IID_IClassFactory, 4, args, &hr), E_NOINTERFACE);
    CHECK(IHostSecurityManager_Release(m) == 1);
    CHECK(IHostSecurityManager_Release(m) == 0);
    CHECK(log_contains("IHostSecurityManager::AddRef(this=0x") && log_contains(") = 2 ("));
}

static void turning_tracing_off_stops_logging_but_proxies_keep_working(void) {
    IHostSecurityManager *traced = hosting_manager();
    CHECK_HR(HostSec_SetTrace(FALSE, NULL), S_OK);
    long size = log_size();
    IHostSecurityManager *plain = hosting_manager();
    CHECK((const void *)plain->lpVtbl == plain_manager_vtbl);
    CHECK_HR(IHostSecurityManager_RevertToSelf(traced), S_OK);
    CHECK(IHostSecurityManager_AddRef(traced) == 2);
    CHECK(IHostSecurityManager_Release(traced) == 1);
    CHECK(log_size() == size);
    CHECK(IHostSecurityManager_Release(traced) == 0);
    CHECK(IHostSecurityManager_Release(plain) == 0);
}

static void set_trace_with_an_empty_path_is_e_invalidarg(void) {
    CHECK_HR(HostSec_SetTrace(TRUE, ""), E_INVALIDARG);
    IHostSecurityManager *m = hosting_manager();
    CHECK((const void *)m->lpVtbl == plain_manager_vtbl); /* unchanged: still off */
    IHostSecurityManager_Release(m);
}

static void set_trace_off_with_a_path_is_e_invalidarg(void) {
    CHECK_HR(HostSec_SetTrace(FALSE, log_path), E_INVALIDARG);
}

static void set_trace_into_a_missing_directory_is_e_invalidarg(void) {
    CHECK_HR(HostSec_SetTrace(TRUE, "/nonexistent-hostsec-dir/trace.log"), E_INVALIDARG);
}

static void set_trace_onto_a_directory_is_e_accessdenied(void) {
    CHECK_HR(HostSec_SetTrace(TRUE, "/"), E_ACCESSDENIED);
    IHostSecurityManager *m = hosting_manager();
    CHECK((const void *)m->lpVtbl == plain_manager_vtbl);
    IHostSecurityManager_Release(m);
}

/* No descriptor left to open the file with: E_OUTOFMEMORY (the resource ran out; the path is
 * fine), and the tracer is unchanged. In a child, whose descriptor limit is used up. */
static void set_trace_without_a_free_descriptor_is_e_outofmemory(void) {
    pid_t pid = fork();
    if (pid == 0) {
        struct rlimit limit;
        if (getrlimit(RLIMIT_NOFILE, &limit) != 0) _exit(2);
        limit.rlim_cur = 64;
        if (setrlimit(RLIMIT_NOFILE, &limit) != 0) _exit(3);
        while (open("/dev/null", O_RDONLY) >= 0) {
        }
        if (errno != EMFILE) _exit(4);
        if (HostSec_SetTrace(TRUE, log_path) != E_OUTOFMEMORY) _exit(5);
        IHostSecurityManager *m = hosting_manager();
        if ((const void *)m->lpVtbl != plain_manager_vtbl) _exit(6); /* still off */
        IHostSecurityManager_Release(m);
        _exit(0);
    }
    int status = 0;
    waitpid(pid, &status, 0);
    CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) fprintf(stderr, "  child status 0x%x\n", status);
}

static void set_trace_to_stderr_then_off(void) {
    CHECK_HR(HostSec_SetTrace(TRUE, NULL), S_OK);
    IHostSecurityManager *m = hosting_manager();
    CHECK((const void *)m->lpVtbl != plain_manager_vtbl);
    CHECK_HR(HostSec_SetTrace(FALSE, NULL), S_OK);
    CHECK(IHostSecurityManager_Release(m) == 0);
}

/* Threads tracing calls while the host forks: the child must be able to trace (and call)
 * at once; the trace output's lock is never inherited held. */
static volatile int tracing_threads_run = 1;
static void *trace_busily(void *arg) {
    IHostSecurityManager *m = arg;
    while (tracing_threads_run) IHostSecurityManager_RevertToSelf(m);
    return NULL;
}

static void a_fork_while_tracing_leaves_the_child_able_to_trace(void) {
    CHECK_HR(HostSec_SetTrace(TRUE, log_path), S_OK);
    IHostSecurityManager *m = hosting_manager();
    pthread_t busy[2];
    for (int i = 0; i < 2; i++) pthread_create(&busy[i], NULL, trace_busily, m);
    int ok = 0;
    for (int round = 0; round < 30; round++) {
        pid_t pid = fork();
        if (pid == 0) {
            alarm(10); /* a trace lock inherited held would hang here */
            HANDLE h = NULL;
            int good = IHostSecurityManager_RevertToSelf(m) == S_OK &&
                       HostSec_ImpersonateSelf(SecurityImpersonation) == S_OK &&
                       IHostSecurityManager_OpenThreadToken(m, TOKEN_QUERY, TRUE, &h) == S_OK &&
                       HostSec_CloseHandle(h) == S_OK;
            _exit(good ? 0 : 1);
        }
        int status = 0;
        waitpid(pid, &status, 0);
        ok += WIFEXITED(status) && WEXITSTATUS(status) == 0;
    }
    tracing_threads_run = 0;
    for (int i = 0; i < 2; i++) pthread_join(busy[i], NULL);
    CHECK(ok == 30);
    CHECK_HR(HostSec_SetTrace(FALSE, NULL), S_OK);
    CHECK(IHostSecurityManager_Release(m) == 0);
}

int main(void) {
    const char *dir = getenv("HOSTSEC_TEST_OUT");
    snprintf(log_path, sizeof log_path, "%s/trace-proxy.log", dir ? dir : "/tmp");
    unlink(log_path);
    check_remember_start();
    IHostSecurityManager *m = hosting_manager();
    IHostSecurityContext *c = context_of(m);
    IClassFactory *f = NULL;
    DllGetClassObject(&CLSID_HostSecurityManager, &IID_IClassFactory, (void **)&f);
    plain_manager_vtbl = m->lpVtbl;
    plain_context_vtbl = c->lpVtbl;
    plain_factory_vtbl = f->lpVtbl;
    IClassFactory_Release(f);
    IHostSecurityContext_Release(c);
    IHostSecurityManager_Release(m);

    RUN_TEST(objects_handed_out_while_tracing_are_proxies);
    RUN_TEST(proxy_query_interface_returns_the_same_proxy_addrefd);
    RUN_TEST(proxy_query_interface_for_an_unknown_iid_is_e_nointerface);
    RUN_TEST(last_release_frees_proxy_and_object);
    RUN_TEST(proxied_context_applies_on_proxied_and_plain_managers);
    RUN_TEST(foreign_context_is_still_refused_through_a_proxy);
    RUN_TEST(proxied_calls_are_logged_with_names);
    RUN_TEST(log_lines_carry_the_calling_thread_id);
    RUN_TEST(invoke_through_a_proxy_is_traced);
    RUN_TEST(turning_tracing_off_stops_logging_but_proxies_keep_working);
    RUN_TEST(set_trace_with_an_empty_path_is_e_invalidarg);
    RUN_TEST(set_trace_off_with_a_path_is_e_invalidarg);
    RUN_TEST(set_trace_into_a_missing_directory_is_e_invalidarg);
    RUN_TEST(set_trace_onto_a_directory_is_e_accessdenied);
    RUN_TEST(set_trace_without_a_free_descriptor_is_e_outofmemory);
    RUN_TEST(set_trace_to_stderr_then_off);
    RUN_TEST(a_fork_while_tracing_leaves_the_child_able_to_trace);
    RUN_TEST(nothing_outlives_its_last_release);
    CHECK_EXIT();
}
