/* The library's security promises (SECURITY.md), each as one named test through the real .so.
 * Kernel-level parts need root with CAP_SETUID/CAP_SETGID (CI); without them each test still
 * runs and checks the identification-level behaviour instead. */
#include "check.h"
#include "hosting.h"

#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <sys/wait.h>

static IHostSecurityManager *manager;
static int privileged;

static HANDLE logon(const char *name) {
    HANDLE h = NULL;
    if (HostSec_LogonUser(name, &h) != S_OK) abort();
    return h;
}

/* The calling thread's process token, opened while it is not impersonating: at identification
 * level the thread could not open it (its current context cannot open objects), but an open
 * handle can always be queried. */
static __thread HANDLE self_token;

/* The thread's kernel credentials agree with what the library says the thread is: its
 * thread token when it acts as one (kernel-level), else its own process token. */
static int kernel_matches_library(void) {
    HANDLE h = NULL;
    SECURITY_IMPERSONATION_LEVEL level = SecurityAnonymous;
    DWORD len = 0;
    int acting = 0;
    if (IHostSecurityManager_OpenThreadToken(manager, TOKEN_QUERY, TRUE, &h) == S_OK) {
        HostSec_GetTokenInformation(h, TokenImpersonationLevel, &level, sizeof level, &len);
        acting = level >= SecurityImpersonation;
        if (!acting) {
            HostSec_CloseHandle(h);
            h = NULL;
        }
    }
    if (h == NULL && HostSec_DuplicateTokenEx(self_token, 0, SecurityImpersonation, TokenPrimary, &h) != S_OK) return 0;
    HOSTSEC_TOKEN_USER user;
    HOSTSEC_TOKEN_PRIMARY_GROUP group;
    union {
        HOSTSEC_TOKEN_GROUPS g;
        char bytes[HOSTSEC_TOKEN_GROUPS_SIZE(256)];
    } groups;
    int ok = HostSec_GetTokenInformation(h, TokenUser, &user, sizeof user, &len) == S_OK &&
             HostSec_GetTokenInformation(h, TokenPrimaryGroup, &group, sizeof group, &len) == S_OK &&
             HostSec_GetTokenInformation(h, TokenGroups, &groups, sizeof groups, &len) == S_OK;
    HostSec_CloseHandle(h);
    uid_t r, e, s;
    gid_t gr, ge, gs, now[256];
    syscall(SYS_getresuid, &r, &e, &s);
    syscall(SYS_getresgid, &gr, &ge, &gs);
    int n = (int)syscall(SYS_getgroups, 256, now);
    ok = ok && e == user.Uid && r == (acting ? hosting_real_uid_acting_as(user.Uid) : user.Uid) && ge == group.Gid &&
         gr == group.Gid && (DWORD)n == groups.g.GroupCount;
    for (int i = 0; ok && i < n; i++) ok = now[i] == groups.g.Gids[i];
    return ok;
}

/* --- identity never crosses threads ----------------------------------------------------- */

static atomic_int phase;
static void *impersonator(void *arg) {
    (void)arg;
    HANDLE h = logon("nobody");
    IHostSecurityManager_ImpersonateLoggedOnUser(manager, h);
    atomic_store(&phase, 1);
    while (atomic_load(&phase) != 2) {
    }
    IHostSecurityManager_RevertToSelf(manager);
    HostSec_CloseHandle(h);
    return NULL;
}

static void identity_never_crosses_threads(void) {
    char before[1024], during[1024];
    HostSec_OpenProcessToken(TOKEN_QUERY | TOKEN_DUPLICATE, &self_token);
    hosting_credentials(0, before, sizeof before);
    pthread_t t;
    atomic_store(&phase, 0);
    pthread_create(&t, NULL, impersonator, NULL);
    while (atomic_load(&phase) != 1) {
    }
    HANDLE h = (HANDLE)1;
    CHECK_HR(IHostSecurityManager_OpenThreadToken(manager, TOKEN_QUERY, TRUE, &h), HRESULT_FROM_WIN32(ERROR_NO_TOKEN));
    CHECK(h == NULL);
    hosting_credentials(0, during, sizeof during);
    CHECK(strcmp(before, during) == 0);
    CHECK(kernel_matches_library());
    atomic_store(&phase, 2);
    pthread_join(t, NULL);
    HostSec_CloseHandle(self_token);
}

/* --- revert is exact -------------------------------------------------------------------- */

static void *revert_cycle(void *arg) {
    int *ok = arg;
    char before[1024], after[1024];
    HANDLE n = logon("nobody"), d = logon("daemon");
    IHostSecurityContext *restricted = NULL;
    HostSec_OpenProcessToken(TOKEN_QUERY | TOKEN_DUPLICATE, &self_token);
    hosting_credentials(0, before, sizeof before);
    IHostSecurityManager_ImpersonateLoggedOnUser(manager, n);
    IHostSecurityManager_ImpersonateLoggedOnUser(manager, d);
    IHostSecurityManager_GetSecurityContext(manager, eRestrictedContext, &restricted);
    IHostSecurityManager_SetSecurityContext(manager, eRestrictedContext, restricted);
    HostSec_ImpersonateSelf(SecurityDelegation);
    IHostSecurityManager_ImpersonateLoggedOnUser(manager, n);
    *ok = IHostSecurityManager_RevertToSelf(manager) == S_OK;
    hosting_credentials(0, after, sizeof after);
    *ok = *ok && strcmp(before, after) == 0 && kernel_matches_library();
    IHostSecurityContext_Release(restricted);
    HostSec_CloseHandle(n);
    HostSec_CloseHandle(d);
    HostSec_CloseHandle(self_token);
    return NULL;
}

static void revert_is_exact(void) {
    int ok = 0;
    pthread_t t;
    pthread_create(&t, NULL, revert_cycle, &ok);
    pthread_join(t, NULL);
    CHECK(ok);
}

/* --- a handle opened with fewer rights can never do more ------------------------------- */

static void *rights_matrix(void *arg) {
    int *bad = arg;
    HANDLE full = logon("nobody"), imp_full = NULL;
    HostSec_DuplicateTokenEx(full, TOKEN_ALL_ACCESS, SecurityImpersonation, TokenImpersonation, &imp_full);
    const DWORD bits[] = {TOKEN_DUPLICATE, TOKEN_IMPERSONATE, TOKEN_QUERY, TOKEN_QUERY_SOURCE, TOKEN_ASSIGN_PRIMARY};
    for (int type = 0; type < 2; type++) {
        for (unsigned mask = 0; mask < 32; mask++) {
            DWORD rights = 0;
            for (int b = 0; b < 5; b++)
                if (mask & (1u << b)) rights |= bits[b];
            HANDLE h = NULL, dup = NULL;
            HostSec_DuplicateTokenEx(type ? imp_full : full, rights, SecurityImpersonation,
                                     type ? TokenImpersonation : TokenPrimary, &h);
            if (h == NULL) {
                (*bad)++;
                continue;
            }
            if (rights == 0) rights = TOKEN_ALL_ACCESS; /* desired 0: the source handle's rights */
            HOSTSEC_TOKEN_USER u;
            HOSTSEC_TOKEN_SOURCE src;
            DWORD len = 0;
            int can_query = HostSec_GetTokenInformation(h, TokenUser, &u, sizeof u, &len) == S_OK;
            int can_source = HostSec_GetTokenInformation(h, TokenSource, &src, sizeof src, &len) == S_OK;
            int can_dup = HostSec_DuplicateTokenEx(h, 0, SecurityIdentification, TokenImpersonation, &dup) == S_OK;
            /* desired 0 keeps the source's rights: a copy can never hold more */
            DWORD dup_rights_ok = 1;
            if (dup) {
                HOSTSEC_TOKEN_USER u2;
                int dup_query = HostSec_GetTokenInformation(dup, TokenUser, &u2, sizeof u2, &len) == S_OK;
                dup_rights_ok = dup_query == !!(rights & TOKEN_QUERY);
                HostSec_CloseHandle(dup);
            }
            int can_set = IHostSecurityManager_SetThreadToken(manager, h) == S_OK;
            IHostSecurityManager_RevertToSelf(manager);
            int can_imp = IHostSecurityManager_ImpersonateLoggedOnUser(manager, h) == S_OK;
            IHostSecurityManager_RevertToSelf(manager);
            DWORD need_imp = type ? (TOKEN_QUERY | TOKEN_IMPERSONATE) : (TOKEN_QUERY | TOKEN_DUPLICATE);
            if (getenv("HOSTSEC_TEST_VERBOSE"))
                fprintf(stderr, "type %d rights %04x q%d s%d d%d dr%u set%d imp%d\n", type, (unsigned)rights, can_query,
                        can_source, can_dup, (unsigned)dup_rights_ok, can_set, can_imp);
            if (can_query != !!(rights & TOKEN_QUERY)) (*bad)++;
            if (can_source != !!(rights & TOKEN_QUERY_SOURCE)) (*bad)++;
            if (can_dup != !!(rights & TOKEN_DUPLICATE)) (*bad)++;
            if (!dup_rights_ok) (*bad)++;
            if (can_set != (type == 1 && (rights & TOKEN_IMPERSONATE))) (*bad)++;
            if (can_imp != ((rights & need_imp) == need_imp)) (*bad)++;
            HostSec_CloseHandle(h);
        }
    }
    HostSec_CloseHandle(full);
    HostSec_CloseHandle(imp_full);
    return NULL;
}

static void a_handle_opened_with_fewer_rights_can_never_do_more(void) {
    int bad = 0;
    pthread_t t;
    pthread_create(&t, NULL, rights_matrix, &bad);
    pthread_join(t, NULL);
    CHECK(bad == 0);
}

/* --- forged handles never work ---------------------------------------------------------- */

static void forged_handles_never_work(void) {
    HANDLE real = logon("nobody");
    uintptr_t v = (uintptr_t)real;
    HOSTSEC_STATISTICS s0 = check_stats();
    int accepted = 0;
    int local = 0;
    void *heap = malloc(64);
    uintptr_t forged[] = {0,
                          1,
                          (uintptr_t)-1,
                          (uintptr_t)&local,
                          (uintptr_t)heap,
                          (uintptr_t)manager,
                          (uintptr_t)&IID_IUnknown,
                          v + 1,
                          v - 1,
                          v ^ 0x100000000ull,
                          v ^ 0x8000000000000000ull,
                          v + 0x100000000ull,
                          v & 0xFFFFFFFFull,
                          v & ~0xFFFFFFFFull};
    for (size_t i = 0; i < sizeof forged / sizeof forged[0]; i++) {
        HOSTSEC_TOKEN_USER u;
        DWORD len = 0;
        HANDLE dup = NULL;
        HANDLE f = (HANDLE)forged[i];
        accepted += HostSec_GetTokenInformation(f, TokenUser, &u, sizeof u, &len) != E_HANDLE;
        accepted += HostSec_DuplicateTokenEx(f, 0, SecurityImpersonation, TokenImpersonation, &dup) != E_HANDLE;
        accepted += dup != NULL;
        accepted += IHostSecurityManager_SetThreadToken(manager, f) != (f == NULL ? S_OK : E_HANDLE);
        accepted += IHostSecurityManager_ImpersonateLoggedOnUser(manager, f) != E_HANDLE;
        accepted += HostSec_CloseHandle(f) != E_HANDLE;
    }
    HOSTSEC_STATISTICS s1 = check_stats();
    CHECK(accepted == 0);
    CHECK(s1.LiveHandles == s0.LiveHandles && s1.LiveTokens == s0.LiveTokens);
    CHECK(HostSec_CloseHandle(real) == S_OK);
    free(heap);
}

/* --- after a failed revert the library stays closed, for every thread -------------------- */

static void *refused_everywhere(void *arg) {
    int *ok = arg;
    HANDLE h = (HANDLE)1;
    IHostSecurityContext *ctx = (IHostSecurityContext *)1;
    *ok = IHostSecurityManager_OpenThreadToken(manager, TOKEN_QUERY, TRUE, &h) == HOST_E_CLRNOTAVAILABLE && h == NULL &&
          IHostSecurityManager_RevertToSelf(manager) == HOST_E_CLRNOTAVAILABLE &&
          HostSec_ImpersonateSelf(SecurityImpersonation) == HOST_E_CLRNOTAVAILABLE &&
          HostSec_LogonUser("nobody", &h) == HOST_E_CLRNOTAVAILABLE &&
          IHostSecurityManager_GetSecurityContext(manager, eCurrentContext, &ctx) == HOST_E_CLRNOTAVAILABLE &&
          ctx == NULL && check_stats().FailedClosed == 1;
    return NULL;
}

/* A host that drops the saved uid behind the library's back (raw setresuid on an impersonating
 * thread) makes the real restore impossible: RevertToSelf must say E_FAIL, and the library must
 * refuse everything afterwards, on every thread. Done in a child process (closing is final). */
static void after_a_failed_revert_the_library_stays_closed_for_every_thread(void) {
    if (!privileged) {
        printf(
            "  (skipped: needs CAP_SETUID/CAP_SETGID to reach a kernel-level impersonation that can fail to revert)\n");
        return;
    }
    pid_t pid = fork();
    if (pid == 0) {
        alarm(10);
        HANDLE h = logon("nobody");
        if (IHostSecurityManager_ImpersonateLoggedOnUser(manager, h) != S_OK) _exit(2);
        uid_t nobody = hosting_uid_of("nobody");
        if (syscall(SYS_setresuid, nobody, nobody, nobody) != 0) _exit(3); /* saved uid gone */
        if (IHostSecurityManager_RevertToSelf(manager) != E_FAIL) _exit(4);
        int ok = 0;
        pthread_t t;
        pthread_create(&t, NULL, refused_everywhere, &ok);
        pthread_join(t, NULL);
        if (!ok) _exit(5);
        refused_everywhere(&ok);
        _exit(ok ? 0 : 6);
    }
    int status = 0;
    waitpid(pid, &status, 0);
    CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) fprintf(stderr, "  child status 0x%x\n", status);
    CHECK(check_stats().FailedClosed == 0); /* the parent is untouched */
}

/* After the library closed, applying a context captured while not impersonating still reverts
 * the calling thread (as RevertToSelf and SetThreadToken(NULL) do), then reports
 * HOST_E_CLRNOTAVAILABLE: a closed library never leaves a thread as someone else. */
static int context_stage;
static IHostSecurityContext *not_impersonating;
static HRESULT context_revert_hr;
static uid_t context_euid_after;

static void *impersonate_then_apply_the_not_impersonating_context(void *arg) {
    if (IHostSecurityManager_ImpersonateLoggedOnUser(manager, (HANDLE)arg) != S_OK) {
        __atomic_store_n(&context_stage, -1, __ATOMIC_SEQ_CST);
        return NULL;
    }
    __atomic_store_n(&context_stage, 1, __ATOMIC_SEQ_CST);
    while (__atomic_load_n(&context_stage, __ATOMIC_SEQ_CST) != 2) usleep(1000);
    context_revert_hr = IHostSecurityManager_SetSecurityContext(manager, eCurrentContext, not_impersonating);
    context_euid_after = (uid_t)syscall(SYS_geteuid);
    return NULL;
}

static void a_closed_library_still_reverts_through_a_not_impersonating_context(void) {
    if (!privileged) {
        printf("  (skipped: needs CAP_SETUID/CAP_SETGID to close the library by a failed revert)\n");
        return;
    }
    uid_t self = geteuid();
    pid_t pid = fork();
    if (pid == 0) {
        alarm(10);
        if (IHostSecurityManager_GetSecurityContext(manager, eCurrentContext, &not_impersonating) != S_OK) _exit(2);
        HANDLE h = logon("nobody");
        pthread_t t;
        pthread_create(&t, NULL, impersonate_then_apply_the_not_impersonating_context, h);
        while (__atomic_load_n(&context_stage, __ATOMIC_SEQ_CST) == 0) usleep(1000);
        if (__atomic_load_n(&context_stage, __ATOMIC_SEQ_CST) < 0) _exit(3);
        /* Close the library from this thread: impersonate nobody, drop the saved uid behind the
         * library's back, revert. */
        if (IHostSecurityManager_ImpersonateLoggedOnUser(manager, h) != S_OK) _exit(4);
        uid_t nobody = hosting_uid_of("nobody");
        if (syscall(SYS_setresuid, nobody, nobody, nobody) != 0) _exit(5);
        if (IHostSecurityManager_RevertToSelf(manager) != E_FAIL) _exit(6);
        __atomic_store_n(&context_stage, 2, __ATOMIC_SEQ_CST);
        pthread_join(t, NULL);
        if (context_revert_hr != HOST_E_CLRNOTAVAILABLE) _exit(7);
        _exit(context_euid_after == self ? 0 : 8);
    }
    int status = 0;
    waitpid(pid, &status, 0);
    CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) fprintf(stderr, "  child status 0x%x\n", status);
}

/* --- the kernel always agrees with the library ------------------------------------------ */

static void *random_walk(void *arg) {
    int *bad = arg;
    const char *names[] = {"nobody", "daemon", "bin"};
    if (HostSec_OpenProcessToken(TOKEN_QUERY | TOKEN_DUPLICATE, &self_token) != S_OK) abort();
    HANDLE tokens[3];
    IHostSecurityContext *ctx[4] = {0};
    for (int i = 0; i < 3; i++) tokens[i] = logon(names[i]);
    unsigned seed = 12345;
    for (int step = 0; step < 3000; step++) {
        seed = seed * 1103515245u + 12345u;
        unsigned op = (seed >> 16) % 8, which = (seed >> 8) % 3;
        switch (op) {
        case 0: IHostSecurityManager_ImpersonateLoggedOnUser(manager, tokens[which]); break;
        case 1: IHostSecurityManager_RevertToSelf(manager); break;
        case 2: HostSec_ImpersonateSelf((SECURITY_IMPERSONATION_LEVEL)(which + 1)); break;
        case 3: {
            unsigned slot = which;
            if (ctx[slot]) IHostSecurityContext_Release(ctx[slot]);
            ctx[slot] = NULL;
            IHostSecurityManager_GetSecurityContext(manager, (EContextType)(seed & 1), &ctx[slot]);
            break;
        }
        case 4:
            if (ctx[which])
                IHostSecurityManager_SetSecurityContext(manager, (EContextType)((seed >> 3) & 1), ctx[which]);
            break;
        case 5: {
            HANDLE d = NULL;
            HostSec_DuplicateTokenEx(tokens[which], TOKEN_ALL_ACCESS, (SECURITY_IMPERSONATION_LEVEL)((seed >> 4) % 4),
                                     TokenImpersonation, &d);
            IHostSecurityManager_SetThreadToken(manager, d);
            HostSec_CloseHandle(d);
            break;
        }
        case 6: IHostSecurityManager_SetThreadToken(manager, NULL); break;
        default: IHostSecurityManager_SetThreadToken(manager, tokens[which]); break; /* primary: refused */
        }
        if (!kernel_matches_library()) {
            (*bad)++;
            if (getenv("HOSTSEC_TEST_VERBOSE"))
                fprintf(stderr, "step %d op %u which %u seed %u\n", step, op, which, seed);
        }
    }
    IHostSecurityManager_RevertToSelf(manager);
    for (int i = 0; i < 4; i++)
        if (ctx[i]) IHostSecurityContext_Release(ctx[i]);
    for (int i = 0; i < 3; i++) HostSec_CloseHandle(tokens[i]);
    HostSec_CloseHandle(self_token);
    return NULL;
}

static void a_thread_never_continues_with_kernel_credentials_the_library_does_not_believe(void) {
    int bad = 0;
    pthread_t t;
    pthread_create(&t, NULL, random_walk, &bad);
    pthread_join(t, NULL);
    CHECK(bad == 0);
    CHECK(check_stats().ImpersonatingThreads == 0);
}

int main(void) {
    privileged = getuid() == 0 && hosting_privileged();
    manager = hosting_manager();
    RUN_TEST(identity_never_crosses_threads);
    RUN_TEST(revert_is_exact);
    RUN_TEST(a_handle_opened_with_fewer_rights_can_never_do_more);
    RUN_TEST(forged_handles_never_work);
    RUN_TEST(a_thread_never_continues_with_kernel_credentials_the_library_does_not_believe);
    RUN_TEST(after_a_failed_revert_the_library_stays_closed_for_every_thread);
    RUN_TEST(a_closed_library_still_reverts_through_a_not_impersonating_context);
    IHostSecurityManager_Release(manager);
    CHECK_EXIT();
}
