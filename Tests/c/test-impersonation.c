/* Impersonation the kernel enforces: ImpersonateLoggedOnUser, RevertToSelf, SetThreadToken and
 * security contexts, checked by their real effect on the calling thread's credentials, files
 * and other threads. Runs as root in CI; run without CAP_SETUID/CAP_SETGID (see
 * Tests/sh/test-impersonation-unprivileged.sh) the same tests check the Windows behaviour
 * without SeImpersonatePrivilege: success at SecurityIdentification, kernel unchanged. */
#include "check.h"
#include "hosting.h"

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <pthread.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>

static IHostSecurityManager *manager;
static int privileged;
static char workdir[256];
static char secret_path[300]; /* root-owned 0600 */
static char nobody_path[300]; /* nobody-owned 0600 */
static uid_t nobody_uid, daemon_uid;

static void on_thread(void *(*fn)(void *), void *arg) {
    pthread_t t;
    if (pthread_create(&t, NULL, fn, arg) != 0) abort();
    pthread_join(t, NULL);
}

static HANDLE logon(const char *name) {
    HANDLE h = NULL;
    if (HostSec_LogonUser(name, &h) != S_OK) abort();
    return h;
}

static uid_t thread_token_uid(void) {
    HANDLE h = NULL;
    HOSTSEC_TOKEN_USER user = {0};
    DWORD len = 0;
    if (IHostSecurityManager_OpenThreadToken(manager, TOKEN_QUERY, TRUE, &h) != S_OK) return (uid_t)-1;
    HostSec_GetTokenInformation(h, TokenUser, &user, sizeof user, &len);
    HostSec_CloseHandle(h);
    return user.Uid;
}

static SECURITY_IMPERSONATION_LEVEL thread_token_level(void) {
    HANDLE h = NULL;
    SECURITY_IMPERSONATION_LEVEL level = (SECURITY_IMPERSONATION_LEVEL)-1;
    DWORD len = 0;
    if (IHostSecurityManager_OpenThreadToken(manager, TOKEN_QUERY, TRUE, &h) != S_OK) return level;
    HostSec_GetTokenInformation(h, TokenImpersonationLevel, &level, sizeof level, &len);
    HostSec_CloseHandle(h);
    return level;
}

static int can_read(const char *path) {
    int fd = open(path, O_RDONLY);
    if (fd < 0) return 0;
    close(fd);
    return 1;
}

/* --- kernel effect on the calling thread, and on no other ------------------------------ */

struct other_thread_view {
    int main_tid;
    char main_before[1024], main_during[1024];
    char mine_before[1024], mine_during[1024], mine_after[1024];
    char uid_during[128], groups_during[128], capeff_during[64];
    HRESULT imp, rev;
};

static void *impersonate_nobody_and_look(void *arg) {
    struct other_thread_view *v = arg;
    HANDLE h = logon("nobody");
    hosting_credentials(v->main_tid, v->main_before, sizeof v->main_before);
    hosting_credentials(0, v->mine_before, sizeof v->mine_before);
    v->imp = IHostSecurityManager_ImpersonateLoggedOnUser(manager, h);
    hosting_credentials(0, v->mine_during, sizeof v->mine_during);
    hosting_status(0, "Uid:", v->uid_during, sizeof v->uid_during);
    hosting_status(0, "Groups:", v->groups_during, sizeof v->groups_during);
    hosting_status(0, "CapEff:", v->capeff_during, sizeof v->capeff_during);
    hosting_credentials(v->main_tid, v->main_during, sizeof v->main_during);
    v->rev = IHostSecurityManager_RevertToSelf(manager);
    hosting_credentials(0, v->mine_after, sizeof v->mine_after);
    HostSec_CloseHandle(h);
    return NULL;
}

static void impersonation_changes_the_calling_thread_and_no_other(void) {
    struct other_thread_view v;
    memset(&v, 0, sizeof v);
    v.main_tid = hosting_tid();
    on_thread(impersonate_nobody_and_look, &v);
    CHECK_HR(v.imp, S_OK);
    CHECK_HR(v.rev, S_OK);
    if (privileged) {
        char want[64];
        /* real uid: a reserved one, which no account holds (docs/design.md, "Which ids
         * change") */
        unsigned reserved = (unsigned)strtoul(v.uid_during, NULL, 10);
        snprintf(want, sizeof want, "%u\t%u\t0\t%u", reserved, nobody_uid, nobody_uid);
        CHECK(hosting_is_reserved_real_uid(reserved));
        CHECK(strcmp(v.uid_during, want) == 0);
        CHECK(strcmp(v.capeff_during, "0000000000000000") == 0);
        CHECK(strcmp(v.mine_during, v.mine_before) != 0);
    } else {
        CHECK(strcmp(v.mine_during, v.mine_before) == 0); /* identification only */
    }
    CHECK(strcmp(v.main_during, v.main_before) == 0); /* the other thread never changed */
    CHECK(strcmp(v.mine_after, v.mine_before) == 0);  /* revert is exact */
}

/* --- files ----------------------------------------------------------------------------- */

struct file_effect {
    HRESULT imp;
    struct stat created;
    int created_ok, secret_readable_during, secret_readable_after;
    SECURITY_IMPERSONATION_LEVEL level;
};

static void *create_file_as_nobody(void *arg) {
    struct file_effect *e = arg;
    char path[400];
    HANDLE h = logon("nobody");
    e->imp = IHostSecurityManager_ImpersonateLoggedOnUser(manager, h);
    e->level = thread_token_level();
    snprintf(path, sizeof path, "%s/made-while-impersonating", workdir);
    unlink(path);
    int fd = open(path, O_CREAT | O_WRONLY | O_EXCL, 0644);
    e->created_ok = fd >= 0 && fstat(fd, &e->created) == 0;
    if (fd >= 0) close(fd);
    e->secret_readable_during = can_read(secret_path);
    IHostSecurityManager_RevertToSelf(manager);
    e->secret_readable_after = can_read(secret_path);
    HostSec_CloseHandle(h);
    return NULL;
}

static void files_follow_the_impersonated_identity(void) {
    struct file_effect e;
    memset(&e, 0, sizeof e);
    on_thread(create_file_as_nobody, &e);
    CHECK_HR(e.imp, S_OK);
    CHECK(e.created_ok);
    CHECK(e.secret_readable_after);
    if (privileged) {
        CHECK(e.level == SecurityImpersonation);
        CHECK(e.created.st_uid == nobody_uid);
        CHECK(!e.secret_readable_during); /* root's 0600 file is refused to nobody */
    } else {
        CHECK(e.level == SecurityIdentification);
        CHECK(e.created.st_uid == getuid());
        CHECK(e.secret_readable_during);
    }
}

/* --- RevertToSelf ---------------------------------------------------------------------- */

static void *revert_without_impersonating(void *arg) {
    HRESULT *hr = arg;
    char before[1024], after[1024];
    hosting_credentials(0, before, sizeof before);
    *hr = IHostSecurityManager_RevertToSelf(manager);
    hosting_credentials(0, after, sizeof after);
    if (strcmp(before, after) != 0) *hr = E_UNEXPECTED;
    return NULL;
}

static void revert_to_self_returns_exactly_s_ok_when_not_impersonating(void) {
    HRESULT hr = E_FAIL;
    on_thread(revert_without_impersonating, &hr);
    CHECK(hr == S_OK);
}

/* --- impersonations replace each other ------------------------------------------------- */

struct replace_view {
    uid_t first, second, after_revert;
    HRESULT a, b, r, open_after;
    char creds_before[1024], creds_after[1024];
};

static void *impersonate_twice(void *arg) {
    struct replace_view *v = arg;
    HANDLE n = logon("nobody"), d = logon("daemon"), h = NULL;
    hosting_credentials(0, v->creds_before, sizeof v->creds_before);
    v->a = IHostSecurityManager_ImpersonateLoggedOnUser(manager, n);
    v->first = thread_token_uid();
    v->b = IHostSecurityManager_ImpersonateLoggedOnUser(manager, d);
    v->second = thread_token_uid();
    v->r = IHostSecurityManager_RevertToSelf(manager);
    v->open_after = IHostSecurityManager_OpenThreadToken(manager, TOKEN_QUERY, TRUE, &h);
    hosting_credentials(0, v->creds_after, sizeof v->creds_after);
    HostSec_CloseHandle(n);
    HostSec_CloseHandle(d);
    return NULL;
}

static void impersonations_replace_each_other_and_do_not_stack(void) {
    struct replace_view v;
    memset(&v, 0, sizeof v);
    on_thread(impersonate_twice, &v);
    CHECK_HR(v.a, S_OK);
    CHECK_HR(v.b, S_OK);
    CHECK_HR(v.r, S_OK);
    CHECK(v.first == nobody_uid);
    CHECK(v.second == daemon_uid);
    CHECK_HR(v.open_after, HRESULT_FROM_WIN32(ERROR_NO_TOKEN)); /* one revert is enough */
    CHECK(strcmp(v.creds_before, v.creds_after) == 0);
}

/* --- ImpersonateLoggedOnUser: rights --------------------------------------------------- */

static void *impersonate_with_rights(void *arg) {
    HRESULT *r = arg;
    HANDLE full = logon("nobody"), query = NULL, qd = NULL, imp_qd = NULL, imp_qi = NULL;
    HostSec_DuplicateTokenEx(full, TOKEN_QUERY, SecurityImpersonation, TokenPrimary, &query);
    HostSec_DuplicateTokenEx(full, TOKEN_QUERY | TOKEN_DUPLICATE, SecurityImpersonation, TokenPrimary, &qd);
    HostSec_DuplicateTokenEx(full, TOKEN_QUERY | TOKEN_DUPLICATE, SecurityImpersonation, TokenImpersonation, &imp_qd);
    HostSec_DuplicateTokenEx(full, TOKEN_QUERY | TOKEN_IMPERSONATE, SecurityDelegation, TokenImpersonation, &imp_qi);
    r[0] = IHostSecurityManager_ImpersonateLoggedOnUser(manager, query);
    r[1] = IHostSecurityManager_OpenThreadToken(manager, TOKEN_QUERY, TRUE, &(HANDLE){NULL});
    r[2] = IHostSecurityManager_ImpersonateLoggedOnUser(manager, qd);
    r[3] = IHostSecurityManager_ImpersonateLoggedOnUser(manager, imp_qd);
    r[4] = IHostSecurityManager_ImpersonateLoggedOnUser(manager, imp_qi);
    r[5] = (HRESULT)thread_token_level();
    r[6] = IHostSecurityManager_ImpersonateLoggedOnUser(manager, (HANDLE)(uintptr_t)0x1234567);
    r[7] = IHostSecurityManager_RevertToSelf(manager);
    HostSec_CloseHandle(full);
    HostSec_CloseHandle(query);
    HostSec_CloseHandle(qd);
    HostSec_CloseHandle(imp_qd);
    HostSec_CloseHandle(imp_qi);
    return NULL;
}

static void impersonate_logged_on_user_needs_the_documented_rights(void) {
    HRESULT r[8];
    on_thread(impersonate_with_rights, r);
    CHECK_HR(r[0], E_ACCESSDENIED);                                               /* primary, TOKEN_QUERY only */
    CHECK_HR(r[1], HRESULT_FROM_WIN32(ERROR_NO_TOKEN));                           /* ...and nothing changed */
    CHECK_HR(r[2], S_OK);                                                         /* primary, QUERY|DUPLICATE */
    CHECK_HR(r[3], E_ACCESSDENIED);                                               /* impersonation, no IMPERSONATE */
    CHECK_HR(r[4], S_OK);                                                         /* impersonation, QUERY|IMPERSONATE */
    CHECK(r[5] == (privileged ? SecurityImpersonation : SecurityIdentification)); /* copy at SecurityImpersonation */
    CHECK_HR(r[6], E_HANDLE);
    CHECK_HR(r[7], S_OK);
}

/* --- SetThreadToken -------------------------------------------------------------------- */

static void *set_thread_token_cases(void *arg) {
    HRESULT *r = arg;
    HANDLE primary = logon("nobody"), imp = NULL, imp_noimp = NULL, h = NULL;
    char before[1024], after[1024];
    hosting_credentials(0, before, sizeof before);
    HostSec_DuplicateTokenEx(primary, TOKEN_ALL_ACCESS, SecurityImpersonation, TokenImpersonation, &imp);
    HostSec_DuplicateTokenEx(primary, TOKEN_QUERY, SecurityImpersonation, TokenImpersonation, &imp_noimp);
    r[0] = IHostSecurityManager_SetThreadToken(manager, primary);
    r[1] = IHostSecurityManager_SetThreadToken(manager, imp_noimp);
    r[2] = IHostSecurityManager_SetThreadToken(manager, (HANDLE)(uintptr_t)0xdeadbeef);
    r[3] = IHostSecurityManager_OpenThreadToken(manager, TOKEN_QUERY, TRUE, &h); /* still no token */
    r[4] = IHostSecurityManager_SetThreadToken(manager, imp);
    r[5] = thread_token_uid() == nobody_uid ? S_OK : E_FAIL;
    r[6] = IHostSecurityManager_SetThreadToken(manager, NULL); /* NULL reverts */
    r[7] = IHostSecurityManager_OpenThreadToken(manager, TOKEN_QUERY, TRUE, &h);
    hosting_credentials(0, after, sizeof after);
    r[8] = strcmp(before, after) == 0 ? S_OK : E_FAIL;
    HostSec_CloseHandle(primary);
    HostSec_CloseHandle(imp);
    HostSec_CloseHandle(imp_noimp);
    return NULL;
}

static void set_thread_token_rejects_primary_tokens_missing_rights_and_forged_handles(void) {
    HRESULT r[9];
    on_thread(set_thread_token_cases, r);
    CHECK_HR(r[0], HRESULT_FROM_WIN32(ERROR_BAD_TOKEN_TYPE));
    CHECK_HR(r[1], E_ACCESSDENIED);
    CHECK_HR(r[2], E_HANDLE);
    CHECK_HR(r[3], HRESULT_FROM_WIN32(ERROR_NO_TOKEN));
    CHECK_HR(r[4], S_OK);
    CHECK_HR(r[5], S_OK);
    CHECK_HR(r[6], S_OK);
    CHECK_HR(r[7], HRESULT_FROM_WIN32(ERROR_NO_TOKEN));
    CHECK_HR(r[8], S_OK);
}

/* --- impersonating one's own identity -------------------------------------------------- */

/* The thread's own identity (its process token: same uid, gid and groups). A logon token of
 * the same account whose groups differ from the thread's is another identity: acting as it
 * means setgroups, which needs CAP_SETGID. */
static void *impersonate_self_account(void *arg) {
    HRESULT *r = arg;
    HANDLE h = NULL;
    char before[1024], during[1024];
    hosting_credentials(0, before, sizeof before);
    HostSec_OpenProcessToken(TOKEN_QUERY | TOKEN_DUPLICATE, &h);
    r[0] = IHostSecurityManager_ImpersonateLoggedOnUser(manager, h);
    r[1] = (HRESULT)thread_token_level();
    hosting_credentials(0, during, sizeof during);
    r[2] = IHostSecurityManager_RevertToSelf(manager);
    r[3] = strcmp(before, during) == 0 ? S_OK : E_FAIL; /* nothing to change in the kernel */
    HostSec_CloseHandle(h);
    return NULL;
}

static void impersonating_ones_own_account_needs_no_privilege(void) {
    HRESULT r[4];
    on_thread(impersonate_self_account, r);
    CHECK_HR(r[0], S_OK);
    CHECK(r[1] == SecurityImpersonation);
    CHECK_HR(r[2], S_OK);
    CHECK_HR(r[3], S_OK);
}

/* --- security contexts ----------------------------------------------------------------- */

struct flow {
    IHostSecurityContext *ctx;
    HRESULT get, set, rev;
    uid_t file_uid, token_uid;
    char uid_line[128];
};

static void *capture_on_request_thread(void *arg) {
    struct flow *f = arg;
    HANDLE h = logon("nobody");
    IHostSecurityManager_ImpersonateLoggedOnUser(manager, h);
    f->get = IHostSecurityManager_GetSecurityContext(manager, eCurrentContext, &f->ctx);
    IHostSecurityManager_RevertToSelf(manager);
    HostSec_CloseHandle(h);
    return NULL;
}

static void *apply_on_pool_thread(void *arg) {
    struct flow *f = arg;
    char path[400];
    struct stat st;
    f->set = IHostSecurityManager_SetSecurityContext(manager, eCurrentContext, f->ctx);
    hosting_status(0, "Uid:", f->uid_line, sizeof f->uid_line);
    f->token_uid = thread_token_uid();
    snprintf(path, sizeof path, "%s/made-by-pool-thread", workdir);
    unlink(path);
    int fd = open(path, O_CREAT | O_WRONLY, 0644);
    f->file_uid = (fd >= 0 && fstat(fd, &st) == 0) ? st.st_uid : (uid_t)-1;
    if (fd >= 0) close(fd);
    f->rev = IHostSecurityManager_RevertToSelf(manager);
    return NULL;
}

static void a_captured_context_applies_on_another_thread(void) {
    struct flow f;
    memset(&f, 0, sizeof f);
    on_thread(capture_on_request_thread, &f);
    CHECK_HR(f.get, S_OK);
    CHECK(f.ctx != NULL);
    on_thread(apply_on_pool_thread, &f);
    CHECK_HR(f.set, S_OK);
    CHECK_HR(f.rev, S_OK);
    CHECK(f.token_uid == nobody_uid);
    CHECK(f.file_uid == (privileged ? nobody_uid : getuid()));
    if (f.ctx) CHECK(IHostSecurityContext_Release(f.ctx) == 0);
}

static void *apply_not_impersonating_context(void *arg) {
    HRESULT *r = arg;
    IHostSecurityContext *ctx = NULL, *clone = NULL;
    HANDLE h = logon("nobody"), t = NULL;
    char before[1024], after[1024];
    hosting_credentials(0, before, sizeof before);
    r[0] = IHostSecurityManager_GetSecurityContext(manager, eCurrentContext, &ctx); /* not impersonating */
    r[1] = IHostSecurityContext_Capture(ctx, &clone);
    IHostSecurityManager_ImpersonateLoggedOnUser(manager, h);
    r[2] = IHostSecurityManager_SetSecurityContext(manager, eCurrentContext, clone); /* = revert */
    r[3] = IHostSecurityManager_OpenThreadToken(manager, TOKEN_QUERY, TRUE, &t);
    hosting_credentials(0, after, sizeof after);
    r[4] = strcmp(before, after) == 0 ? S_OK : E_FAIL;
    r[5] = (HRESULT)IHostSecurityContext_Release(clone);
    r[6] = (HRESULT)IHostSecurityContext_Release(ctx);
    HostSec_CloseHandle(h);
    return NULL;
}

static void a_context_captured_while_not_impersonating_reverts_when_applied(void) {
    HRESULT r[7];
    on_thread(apply_not_impersonating_context, r);
    CHECK_HR(r[0], S_OK);
    CHECK_HR(r[1], S_OK);
    CHECK_HR(r[2], S_OK);
    CHECK_HR(r[3], HRESULT_FROM_WIN32(ERROR_NO_TOKEN));
    CHECK_HR(r[4], S_OK);
    CHECK(r[5] == 0 && r[6] == 0);
}

struct restricted_view {
    HRESULT get, set, rev;
    char capeff_before[64], capeff_during[64], capeff_after[64], uid_during[128];
    int nobody_file_during, nobody_file_after;
};

static void *restrict_self(void *arg) {
    struct restricted_view *v = arg;
    IHostSecurityContext *ctx = NULL;
    hosting_status(0, "CapEff:", v->capeff_before, sizeof v->capeff_before);
    v->get = IHostSecurityManager_GetSecurityContext(manager, eRestrictedContext, &ctx);
    v->set = IHostSecurityManager_SetSecurityContext(manager, eCurrentContext, ctx);
    hosting_status(0, "CapEff:", v->capeff_during, sizeof v->capeff_during);
    hosting_status(0, "Uid:", v->uid_during, sizeof v->uid_during);
    v->nobody_file_during = can_read(nobody_path);
    v->rev = IHostSecurityManager_RevertToSelf(manager);
    hosting_status(0, "CapEff:", v->capeff_after, sizeof v->capeff_after);
    v->nobody_file_after = can_read(nobody_path);
    if (ctx) IHostSecurityContext_Release(ctx);
    return NULL;
}

static void a_restricted_context_drops_the_effective_capabilities_of_that_thread_only(void) {
    struct restricted_view v;
    char main_before[64], main_after[64];
    memset(&v, 0, sizeof v);
    hosting_status(0, "CapEff:", main_before, sizeof main_before);
    on_thread(restrict_self, &v);
    hosting_status(0, "CapEff:", main_after, sizeof main_after);
    CHECK_HR(v.get, S_OK);
    CHECK_HR(v.set, S_OK);
    CHECK_HR(v.rev, S_OK);
    CHECK(strcmp(v.capeff_during, "0000000000000000") == 0);
    CHECK(strcmp(v.capeff_after, v.capeff_before) == 0);
    CHECK(strcmp(main_before, main_after) == 0);
    if (getuid() == 0 && strcmp(v.capeff_before, "0000000000000000") != 0) {
        CHECK(!v.nobody_file_during); /* root without CAP_DAC_OVERRIDE: nobody's 0600 file */
        CHECK(v.nobody_file_after);
    }
}

static void *context_bad_inputs(void *arg) {
    HRESULT *r = arg;
    IHostSecurityContext *ctx = (IHostSecurityContext *)(uintptr_t)0x1, *good = NULL;
    char before[1024], after[1024];
    HOSTSEC_STATISTICS s0 = check_stats();
    hosting_credentials(0, before, sizeof before);
    r[0] = IHostSecurityManager_GetSecurityContext(manager, (EContextType)2, &ctx);
    r[1] = ctx == NULL ? S_OK : E_FAIL;
    r[2] = IHostSecurityManager_GetSecurityContext(manager, eCurrentContext, NULL);
    r[3] = IHostSecurityManager_SetSecurityContext(manager, eCurrentContext, NULL);
    IHostSecurityManager_GetSecurityContext(manager, eCurrentContext, &good);
    r[4] = IHostSecurityManager_SetSecurityContext(manager, (EContextType)7, good);
    r[5] = IHostSecurityManager_SetSecurityContext(manager, (EContextType)-1, good);
    r[6] = IHostSecurityContext_Capture(good, NULL);
    /* A foreign object is refused, not trusted. */
    IUnknown *foreign = NULL;
    IHostSecurityManager_QueryInterface(manager, &IID_IUnknown, (void **)&foreign);
    r[7] = IHostSecurityManager_SetSecurityContext(manager, eCurrentContext, (IHostSecurityContext *)foreign);
    IUnknown_Release(foreign);
    IHostSecurityContext_Release(good);
    hosting_credentials(0, after, sizeof after);
    HOSTSEC_STATISTICS s1 = check_stats();
    r[8] = (strcmp(before, after) == 0 && s0.LiveObjects == s1.LiveObjects) ? S_OK : E_FAIL;
    return NULL;
}

static void security_context_bad_inputs_get_documented_results_and_change_nothing(void) {
    HRESULT r[9];
    on_thread(context_bad_inputs, r);
    CHECK_HR(r[0], E_INVALIDARG);
    CHECK_HR(r[1], S_OK);
    CHECK_HR(r[2], E_POINTER);
    CHECK_HR(r[3], E_POINTER);
    CHECK_HR(r[4], E_INVALIDARG);
    CHECK_HR(r[5], E_INVALIDARG);
    CHECK_HR(r[6], E_POINTER);
    CHECK_HR(r[7], E_INVALIDARG);
    CHECK_HR(r[8], S_OK);
}

/* --- lifetimes ------------------------------------------------------------------------- */

static void *exit_while_impersonating(void *arg) {
    (void)arg;
    HANDLE h = logon("nobody");
    IHostSecurityManager_ImpersonateLoggedOnUser(manager, h);
    HostSec_CloseHandle(h);
    return NULL; /* exits still impersonating */
}

static void a_thread_that_exits_while_impersonating_releases_everything(void) {
    HOSTSEC_STATISTICS before = check_stats();
    on_thread(exit_while_impersonating, NULL);
    HOSTSEC_STATISTICS after = check_stats();
    CHECK(after.ImpersonatingThreads == before.ImpersonatingThreads);
    CHECK(after.LiveTokens == before.LiveTokens);
    CHECK(after.LiveHandles == before.LiveHandles);
}

static volatile int keep_going = 1;
static void *busy_host_thread(void *arg) {
    (void)arg;
    HANDLE p = logon("nobody");
    while (keep_going) {
        HANDLE h = NULL;
        IHostSecurityManager_ImpersonateLoggedOnUser(manager, p);
        IHostSecurityManager_OpenThreadToken(manager, TOKEN_QUERY, TRUE, &h);
        HostSec_CloseHandle(h);
        IHostSecurityManager_RevertToSelf(manager);
    }
    HostSec_CloseHandle(p);
    return NULL;
}

static void a_fork_in_a_multithreaded_host_leaves_the_child_able_to_use_the_library(void) {
    pthread_t busy[3];
    for (int i = 0; i < 3; i++) pthread_create(&busy[i], NULL, busy_host_thread, NULL);
    int ok_children = 0;
    for (int round = 0; round < 20; round++) {
        pid_t pid = fork();
        if (pid == 0) {
            alarm(10); /* a lock held forever would hang here */
            HANDLE h = NULL, t = NULL;
            if (HostSec_LogonUser("nobody", &h) != S_OK) _exit(2);
            if (IHostSecurityManager_ImpersonateLoggedOnUser(manager, h) != S_OK) _exit(3);
            if (IHostSecurityManager_OpenThreadToken(manager, TOKEN_QUERY, TRUE, &t) != S_OK) _exit(4);
            if (HostSec_CloseHandle(t) != S_OK) _exit(5);
            if (IHostSecurityManager_RevertToSelf(manager) != S_OK) _exit(6);
            if (HostSec_CloseHandle(h) != S_OK) _exit(7);
            _exit(0);
        }
        int status = 0;
        waitpid(pid, &status, 0);
        if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
            ok_children++;
        else
            fprintf(stderr, "  child %d: status 0x%x\n", round, status);
    }
    keep_going = 0;
    for (int i = 0; i < 3; i++) pthread_join(busy[i], NULL);
    CHECK(ok_children == 20);
}

/* --- programs started while impersonating --------------------------------------------- */

/* A program a thread starts while acting as an account gets nothing of the process: the
 * thread's real uid is a reserved one, which no account holds, and the
 * kernel sets the saved uid to the effective one at execve and gives a full permitted set only
 * to a real or effective uid 0. Run directly (fork + execve) it runs with that real uid and
 * every other uid the
 * account's, no capability, and setpriv cannot take uid 0 back. A shape that kept the
 * process's real uid (root) while impersonating would let it become root. */
static unsigned reserved_ruid_now(void) {
    uid_t r, e, s;
    return getresuid(&r, &e, &s) == 0 ? r : 0;
}
static _Atomic unsigned last_nobody_ruid; /* the real uid run_as_nobody's thread last held */
static void run_as_nobody(void *(*fn)(void *), void *out) {
    HANDLE h = logon("nobody");
    if (IHostSecurityManager_ImpersonateLoggedOnUser(manager, h) == S_OK) {
        last_nobody_ruid = reserved_ruid_now();
        fn(out);
        IHostSecurityManager_RevertToSelf(manager);
    }
    HostSec_CloseHandle(h);
}
static void *exec_directly(void *arg) { /* the output of grep, then of setpriv */
    char *out = arg;
    int p[2];
    if (pipe(p) != 0) return NULL;
    pid_t pid = fork();
    if (pid == 0) {
        dup2(p[1], 1);
        if (fork() == 0) {
            execl("/usr/bin/grep", "grep", "-E", "^(Uid|CapPrm):", "/proc/self/status", (char *)NULL);
            _exit(127);
        }
        wait(NULL);
        dup2(open("/dev/null", O_WRONLY), 2); /* setpriv's own complaint */
        execl("/usr/bin/setpriv", "setpriv", "--reuid=0", "--regid=0", "--clear-groups", "/usr/bin/echo", "became-root",
              (char *)NULL);
        _exit(127);
    }
    close(p[1]);
    size_t n = 0;
    ssize_t got;
    while (n < 511 && (got = read(p[0], out + n, 511 - n)) > 0) n += (size_t)got;
    out[n] = 0;
    close(p[0]);
    waitpid(pid, NULL, 0);
    return NULL;
}
static void *exec_directly_as_nobody(void *arg) {
    run_as_nobody(exec_directly, arg);
    return NULL;
}
static void a_program_started_while_impersonating_cannot_become_root(void) {
    if (!privileged || getuid() != 0) {
        printf("  (needs root: skipped)\n");
        return;
    }
    char out[512] = {0}, want[256];
    on_thread(exec_directly_as_nobody, out);
    unsigned r = last_nobody_ruid, u = nobody_uid;
    CHECK(hosting_is_reserved_real_uid(r));
    snprintf(want, sizeof want, "Uid:\t%u\t%u\t%u\t%u\nCapPrm:\t0000000000000000\n", r, u, u, u);
    if (strcmp(out, want) != 0) fprintf(stderr, "  the program saw:\n%s", out);
    CHECK(strcmp(out, want) == 0);
}

/* A command run with system()/popen(): the shell sets its effective uid to the real one
 * unless run with -p (bash, and dash since 0.5.11, Debian's /bin/sh), so the command runs as
 * the thread's reserved real uid with the account's gid and groups: less than the account, nothing of root. */
static void *run_shell(void *arg) {
    char *out = arg;
    FILE *p = popen("id -u; id -ru; grep -E '^(Uid|CapPrm):' /proc/self/status;"
                    " bash -c 'id -u; id -ru';"
                    " setpriv --reuid=0 --regid=0 --clear-groups true 2>/dev/null && echo became-root",
                    "r");
    if (p) {
        size_t n = fread(out, 1, 511, p);
        out[n] = 0;
        pclose(p);
    }
    return NULL;
}
static void *run_shell_as_nobody(void *arg) {
    run_as_nobody(run_shell, arg);
    return NULL;
}
static void a_shell_command_run_while_impersonating_runs_as_the_reserved_uid(void) {
    if (!privileged || getuid() != 0) {
        printf("  (needs root: skipped)\n");
        return;
    }
    char out[512] = {0}, want[256];
    on_thread(run_shell_as_nobody, out);
    unsigned r = last_nobody_ruid;
    CHECK(hosting_is_reserved_real_uid(r));
    snprintf(want, sizeof want, "%u\n%u\nUid:\t%u\t%u\t%u\t%u\nCapPrm:\t0000000000000000\n%u\n%u\n", r, r, r, r, r, r,
             r, r);
    if (strcmp(out, want) != 0) fprintf(stderr, "  the command saw:\n%s", out);
    CHECK(strcmp(out, want) == 0);
}

/* access(2) and faccessat(2) without AT_EACCESS check as the real uid: while impersonating,
 * the thread's reserved one with the account's gid and groups, so a file only its owner may read is refused
 * to access() although open() succeeds; faccessat with AT_EACCESS (and euidaccess) check as
 * the account. Group and other permission bits answer as they do for the account. */
struct access_view {
    int open_ok, access_errno, eaccess_rc, euidaccess_rc;
};
static void *check_access(void *arg) {
    struct access_view *v = arg;
    v->open_ok = can_read(nobody_path);
    v->access_errno = access(nobody_path, R_OK) == 0 ? 0 : errno;
    v->eaccess_rc = faccessat(AT_FDCWD, nobody_path, R_OK, AT_EACCESS);
    v->euidaccess_rc = euidaccess(nobody_path, R_OK);
    return NULL;
}
static void *check_access_as_nobody(void *arg) {
    run_as_nobody(check_access, arg);
    return NULL;
}
static void access_checks_the_real_uid_no_account_holds_while_impersonating(void) {
    if (!privileged || getuid() != 0) {
        printf("  (needs root: skipped)\n");
        return;
    }
    struct access_view v = {0, -1, -1, -1};
    on_thread(check_access_as_nobody, &v);
    CHECK(v.open_ok);                /* the account's own 0600 file opens */
    CHECK(v.access_errno == EACCES); /* access() asks for the reserved real uid */
    CHECK(v.eaccess_rc == 0);
    CHECK(v.euidaccess_rc == 0);
}

/* --- signals from the served account --------------------------------------------------- */

/* The kernel lets a process signal another when the sender's real or effective uid is the
 * target thread's real or saved uid (kill(2)). A thread impersonating an account must not make
 * the host signalable by that account's own processes: a host process impersonating nobody on
 * two threads (its main thread, which kill(2) checks, and another) is probed by a separate
 * process of nobody with kill -0, tgkill -0, SIGSTOP, SIGUSR1 and SIGKILL; every one must be
 * EPERM and the host must revert and exit 0 (ADV-01: the thread's real uid is its reserved one,
 * no account's, and its saved uid the process's). */
struct signal_probe {
    int ready[2], go[2];
};
static void *impersonate_nobody_until_told(void *arg) {
    struct signal_probe *p = arg;
    HANDLE h = logon("nobody");
    int tid = -1;
    if (IHostSecurityManager_ImpersonateLoggedOnUser(manager, h) == S_OK) tid = hosting_tid();
    if (write(p->ready[1], &tid, sizeof tid) != sizeof tid) _exit(20);
    char c;
    if (read(p->go[0], &c, 1) != 1) _exit(21);
    if (IHostSecurityManager_RevertToSelf(manager) != S_OK) _exit(22);
    HostSec_CloseHandle(h);
    return NULL;
}
static void another_account_cannot_signal_the_host_while_it_is_impersonated(void) {
    if (!privileged || getuid() != 0) {
        printf("  (needs root to start a process of nobody: skipped)\n");
        return;
    }
    struct signal_probe p;
    if (pipe(p.ready) != 0 || pipe(p.go) != 0) abort();
    pid_t host = fork();
    if (host == 0) {
        alarm(20);
        pthread_t other;
        if (pthread_create(&other, NULL, impersonate_nobody_until_told, &p) != 0) _exit(23);
        impersonate_nobody_until_told(&p); /* the main thread too */
        pthread_join(other, NULL);
        _exit(0);
    }
    int tids[2] = {-1, -1};
    for (int i = 0; i < 2; i++)
        if (read(p.ready[0], &tids[i], sizeof tids[i]) != sizeof tids[i]) tids[i] = -1;
    CHECK(tids[0] > 0 && tids[1] > 0); /* both threads impersonate nobody */
    int results[7];
    memset(results, 0, sizeof results);
    int out[2];
    if (pipe(out) != 0) abort();
    pid_t prober = fork();
    if (prober == 0) { /* a process of nobody that has nothing to do with the library */
        int r[7];
        if (setgroups(0, NULL) != 0 || setresgid(65534, 65534, 65534) != 0 ||
            setresuid(nobody_uid, nobody_uid, nobody_uid) != 0)
            _exit(30);
        r[0] = kill(host, 0) == 0 ? 0 : errno;
        r[1] = syscall(SYS_tgkill, host, tids[0], 0) == 0 ? 0 : errno;
        r[2] = syscall(SYS_tgkill, host, tids[1], 0) == 0 ? 0 : errno;
        r[3] = syscall(SYS_tgkill, host, tids[1], SIGSTOP) == 0 ? 0 : errno;
        r[4] = syscall(SYS_tgkill, host, tids[0], SIGUSR1) == 0 ? 0 : errno;
        r[5] = syscall(SYS_tgkill, host, tids[1], SIGKILL) == 0 ? 0 : errno;
        r[6] = kill(host, SIGKILL) == 0 ? 0 : errno;
        if (write(out[1], r, sizeof r) != sizeof r) _exit(31);
        _exit(0);
    }
    close(out[1]);
    int prober_status = 0;
    waitpid(prober, &prober_status, 0);
    CHECK(WIFEXITED(prober_status) && WEXITSTATUS(prober_status) == 0);
    CHECK(read(out[0], results, sizeof results) == sizeof results);
    close(out[0]);
    for (int i = 0; i < 7; i++) {
        if (results[i] != EPERM)
            fprintf(stderr, "  probe %d as nobody: %s\n", i, results[i] ? strerror(results[i]) : "allowed");
        CHECK(results[i] == EPERM);
    }
    kill(host, SIGCONT); /* in case a SIGSTOP got through */
    if (write(p.go[1], "gg", 2) != 2) abort();
    int host_status = 0;
    waitpid(host, &host_status, 0);
    if (!(WIFEXITED(host_status) && WEXITSTATUS(host_status) == 0))
        fprintf(stderr, "  host status 0x%x (%s)\n", host_status,
                WIFSIGNALED(host_status) ? strsignal(WTERMSIG(host_status)) : "exit");
    CHECK(WIFEXITED(host_status) && WEXITSTATUS(host_status) == 0);
    close(p.ready[0]);
    close(p.ready[1]);
    close(p.go[0]);
    close(p.go[1]);
}

/* --- the reserved real uid ------------------------------------------------------------ */

/* No account may have a uid of the reserved range 0xF0000000-0xFFFFFFFD, the real uids of
 * impersonating threads: its processes could signal a thread that holds that id.
 * The library gives no token for such an account (as for uid (uid_t)-1): HostSec_LogonUser is
 * ERROR_NONE_MAPPED (ADV3-02). The account, of this thread's reserved uid, is made with
 * useradd -o and removed before the test ends. */
static void an_account_with_the_reserved_real_uid_gets_no_token(void) {
    if (!privileged || getuid() != 0) {
        printf("  (needs root to add an account: skipped)\n");
        return;
    }
    char name[32], command[160];
    unsigned reserved = HOSTING_RESERVED_REAL_UID_FIRST + (unsigned)getpid();
    snprintf(name, sizeof name, "hsrsv%d", (int)getpid());
    snprintf(command, sizeof command, "useradd -o -u %u -M -N -g nogroup -s /usr/sbin/nologin %s 2>/dev/null", reserved,
             name);
    if (system(command) != 0) {
        printf("  (useradd refused uid %u: skipped)\n", reserved);
        return;
    }
    HANDLE h = NULL;
    HRESULT hr = HostSec_LogonUser(name, &h);
    if (hr == S_OK) {
        char uids[128] = {0};
        if (IHostSecurityManager_ImpersonateLoggedOnUser(manager, h) == S_OK) {
            hosting_status(0, "Uid:", uids, sizeof uids);
            IHostSecurityManager_RevertToSelf(manager);
        }
        fprintf(stderr, "  %s (uid %u) got a token; impersonated, Uid: %s\n", name, reserved, uids);
        HostSec_CloseHandle(h);
    }
    snprintf(command, sizeof command, "userdel %s", name);
    if (system(command) != 0) fprintf(stderr, "  could not remove %s\n", name);
    CHECK(hr == HRESULT_FROM_WIN32(ERROR_NONE_MAPPED));
    CHECK(h == NULL);
}

/* --- one reserved real uid per thread and account ------------------------------------- */

/* Each impersonating thread holds a real uid of its own (for the account it serves), and so does
 * every program it starts (its shell drops to it entirely). kill(2) lets a sender signal a
 * thread when its real or effective uid is the thread's real or saved uid, so a program a host
 * runs for account A while impersonating A must not reach a thread impersonating account B,
 * of another host or of the same one (kill -0, then SIGSTOP, of that thread from a shell run
 * by popen()): both EPERM, and the target not stopped. With one real uid shared by every
 * impersonating thread (4294967294) both were 0 and the target stopped (ADV3-01). */
struct stop_probe {
    int tid;
    char out[256];
};
static void *shell_signals_a_thread(void *arg) {
    struct stop_probe *probe = arg;
    char command[256];
    snprintf(command, sizeof command, "kill -0 %d 2>/dev/null; echo $?; kill -STOP %d 2>/dev/null; echo $?", probe->tid,
             probe->tid);
    FILE *p = popen(command, "r");
    if (p) {
        size_t n = fread(probe->out, 1, sizeof probe->out - 1, p);
        probe->out[n] = 0;
        pclose(p);
    }
    return NULL;
}
static void *shell_signals_a_thread_as_nobody(void *arg) {
    run_as_nobody(shell_signals_a_thread, arg);
    return NULL;
}
static char thread_state(pid_t pid, int tid) {
    char path[96], buf[512];
    snprintf(path, sizeof path, "/proc/%d/task/%d/stat", (int)pid, tid);
    FILE *f = fopen(path, "r");
    if (!f) return '?';
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    fclose(f);
    buf[n] = 0;
    char *close_paren = strrchr(buf, ')');
    return close_paren && close_paren[1] == ' ' ? close_paren[2] : '?';
}
/* Probes thread `tid` of process `pid` from a shell of nobody run by this process's thread
 * impersonating nobody; checks both signals were refused and the thread runs on. */
static void probe_from_a_shell_of_nobody(pid_t pid, int tid, const char *whose) {
    struct stop_probe probe = {tid, {0}};
    on_thread(shell_signals_a_thread_as_nobody, &probe);
    usleep(100000);
    char state = thread_state(pid, tid);
    if (strcmp(probe.out, "1\n1\n") != 0 || state == 't' || state == 'T')
        fprintf(stderr, "  the shell of nobody, for kill -0 and kill -STOP of %s thread %d: %s  its state: %c\n", whose,
                tid, probe.out, state);
    CHECK(strcmp(probe.out, "1\n1\n") == 0); /* both refused */
    CHECK(state != 'T' && state != 't');     /* not stopped */
    if (state == 'T' || state == 't') kill(pid, SIGCONT);
}
static void a_program_run_for_one_account_cannot_signal_a_thread_impersonating_another(void) {
    if (!privileged || getuid() != 0) {
        printf("  (needs root: skipped)\n");
        return;
    }
    int ready[2], go[2];
    if (pipe(ready) != 0 || pipe(go) != 0) abort();
    pid_t other = fork();
    if (other == 0) { /* another host: its main thread impersonates daemon until told */
        alarm(20);
        HANDLE h = logon("daemon");
        int tid = IHostSecurityManager_ImpersonateLoggedOnUser(manager, h) == S_OK ? hosting_tid() : -1;
        if (write(ready[1], &tid, sizeof tid) != sizeof tid) _exit(20);
        char c;
        if (read(go[0], &c, 1) != 1) _exit(21);
        if (IHostSecurityManager_RevertToSelf(manager) != S_OK) _exit(22);
        HostSec_CloseHandle(h);
        _exit(0);
    }
    int tid = -1;
    if (read(ready[0], &tid, sizeof tid) != sizeof tid) tid = -1;
    CHECK(tid > 0);
    if (tid > 0) probe_from_a_shell_of_nobody(other, tid, "another host's");
    if (write(go[1], "g", 1) != 1) abort();
    int status = 0;
    waitpid(other, &status, 0);
    CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    close(ready[0]);
    close(ready[1]);
    close(go[0]);
    close(go[1]);
}

/* The same host: one thread impersonates daemon and waits; a shell another thread runs for
 * nobody must not signal it. */
struct waiting_impersonator {
    int tid;
    int ready[2], go[2];
};
static void *impersonate_daemon_until_told(void *arg) {
    struct waiting_impersonator *w = arg;
    HANDLE h = logon("daemon");
    int tid = IHostSecurityManager_ImpersonateLoggedOnUser(manager, h) == S_OK ? hosting_tid() : -1;
    if (write(w->ready[1], &tid, sizeof tid) != sizeof tid) abort();
    char c;
    if (read(w->go[0], &c, 1) != 1) abort();
    if (tid > 0) IHostSecurityManager_RevertToSelf(manager);
    HostSec_CloseHandle(h);
    return NULL;
}
static void a_program_run_from_one_thread_cannot_signal_another_impersonating_thread_of_the_host(void) {
    if (!privileged || getuid() != 0) {
        printf("  (needs root: skipped)\n");
        return;
    }
    struct waiting_impersonator w;
    if (pipe(w.ready) != 0 || pipe(w.go) != 0) abort();
    pthread_t t;
    if (pthread_create(&t, NULL, impersonate_daemon_until_told, &w) != 0) abort();
    if (read(w.ready[0], &w.tid, sizeof w.tid) != sizeof w.tid) w.tid = -1;
    CHECK(w.tid > 0);
    if (w.tid > 0) probe_from_a_shell_of_nobody(getpid(), w.tid, "this host's");
    if (write(w.go[1], "g", 1) != 1) abort();
    pthread_join(t, NULL);
    close(w.ready[0]);
    close(w.ready[1]);
    close(w.go[0]);
    close(w.go[1]);
}

/* Programs one thread starts for two accounts (a shell of each, run by popen while the thread
 * impersonates nobody, then daemon) must not reach each other: the second cannot read the
 * first's 0600 file nor signal it. And the reserved real uid is not a function of the thread
 * id: a forked host whose thread has a new id, and another thread, serving the same account
 * hold other ids; the same thread serving the same account again holds the same one (no new
 * kernel user to allocate). With one uid per thread (0xFF800000 + tid) both shells ran as one uid: the second read
 * the first's file and stopped it (ADV4-02); hosts in two pid namespaces whose threads had the
 * same tid shared one uid (ADV4-01). */
struct two_accounts {
    char dir[256];
    unsigned ruid_nobody, ruid_daemon, ruid_nobody_again;
    char first[64], second[256];
};
static void *programs_for_two_accounts(void *arg) {
    struct two_accounts *t = arg;
    HANDLE nobody = logon("nobody"), daemon_ = logon("daemon");
    char command[700];
    FILE *first = NULL;
    if (IHostSecurityManager_ImpersonateLoggedOnUser(manager, nobody) == S_OK) {
        t->ruid_nobody = reserved_ruid_now();
        snprintf(command, sizeof command, "umask 077; echo secret-of-nobody > %s/nobody-file; echo $$; exec sleep 20",
                 t->dir);
        first = popen(command, "r");
        if (first && fgets(t->first, sizeof t->first, first) == NULL) t->first[0] = 0;
        IHostSecurityManager_RevertToSelf(manager);
    }
    if (IHostSecurityManager_ImpersonateLoggedOnUser(manager, daemon_) == S_OK) {
        t->ruid_daemon = reserved_ruid_now();
        snprintf(command, sizeof command,
                 "cat %s/nobody-file 2>/dev/null || echo unreadable; kill -0 %d 2>/dev/null && echo signalled || echo "
                 "refused",
                 t->dir, atoi(t->first));
        FILE *second = popen(command, "r");
        if (second) {
            size_t n = fread(t->second, 1, sizeof t->second - 1, second);
            t->second[n] = 0;
            pclose(second);
        }
        IHostSecurityManager_RevertToSelf(manager);
    }
    if (IHostSecurityManager_ImpersonateLoggedOnUser(manager, nobody) == S_OK) {
        t->ruid_nobody_again = reserved_ruid_now();
        IHostSecurityManager_RevertToSelf(manager);
    }
    if (first) {
        if (atoi(t->first) > 0) kill(atoi(t->first), SIGKILL);
        pclose(first);
    }
    HostSec_CloseHandle(nobody);
    HostSec_CloseHandle(daemon_);
    return NULL;
}
static void *ruid_serving_nobody(void *arg) {
    HANDLE h = logon("nobody");
    if (IHostSecurityManager_ImpersonateLoggedOnUser(manager, h) == S_OK) {
        *(unsigned *)arg = reserved_ruid_now();
        IHostSecurityManager_RevertToSelf(manager);
    }
    HostSec_CloseHandle(h);
    return NULL;
}
static void programs_one_thread_starts_for_two_accounts_cannot_reach_each_other(void) {
    if (!privileged || getuid() != 0) {
        printf("  (needs root: skipped)\n");
        return;
    }
    struct two_accounts t;
    memset(&t, 0, sizeof t);
    snprintf(t.dir, sizeof t.dir, "%s", workdir);
    on_thread(programs_for_two_accounts, &t);
    if (strcmp(t.second, "unreadable\nrefused\n") != 0)
        fprintf(stderr, "  the shell for daemon, on the shell for nobody (pid %s): %s", t.first, t.second);
    CHECK(strcmp(t.second, "unreadable\nrefused\n") == 0);
    CHECK(hosting_is_reserved_real_uid(t.ruid_nobody) && hosting_is_reserved_real_uid(t.ruid_daemon));
    CHECK(t.ruid_nobody != t.ruid_daemon);       /* one per account */
    CHECK(t.ruid_nobody_again == t.ruid_nobody); /* the same thread and account: the same */
    unsigned other_thread = 0;
    on_thread(ruid_serving_nobody, &other_thread);
    CHECK(hosting_is_reserved_real_uid(other_thread) && other_thread != t.ruid_nobody); /* one per thread */
    int p[2];
    if (pipe(p) != 0) abort();
    pid_t child = fork();
    if (child == 0) { /* a forked host: its one thread has the forking thread's state, a new id */
        unsigned in_child = 0;
        ruid_serving_nobody(&in_child);
        if (write(p[1], &in_child, sizeof in_child) != sizeof in_child) _exit(1);
        _exit(0);
    }
    unsigned main_thread = 0, in_child = 0;
    ruid_serving_nobody(&main_thread);
    if (read(p[0], &in_child, sizeof in_child) != sizeof in_child) in_child = 0;
    waitpid(child, NULL, 0);
    close(p[0]);
    close(p[1]);
    CHECK(hosting_is_reserved_real_uid(in_child) && in_child != main_thread); /* not inherited by a fork */
}

/* --- setup ----------------------------------------------------------------------------- */

static void make_files(void) {
    snprintf(workdir, sizeof workdir, "/tmp/hostsec-impersonation-%d", (int)getpid());
    mkdir(workdir, 0755);
    chmod(workdir, 01777);
    snprintf(secret_path, sizeof secret_path, "%s/root-only", workdir);
    int fd = open(secret_path, O_CREAT | O_WRONLY | O_TRUNC, 0600);
    if (fd >= 0) {
        if (write(fd, "secret\n", 7) != 7) abort();
        close(fd);
    }
    snprintf(nobody_path, sizeof nobody_path, "%s/nobody-only", workdir);
    fd = open(nobody_path, O_CREAT | O_WRONLY | O_TRUNC, 0600);
    if (fd >= 0) close(fd);
    if (chown(nobody_path, nobody_uid, (gid_t)-1) != 0) { /* not root: the test that needs it checks getuid() */
    }
}

static void remove_files(void) {
    char cmd[400];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", workdir);
    if (system(cmd) != 0) fprintf(stderr, "  could not remove %s\n", workdir);
}

int main(void) {
    privileged = hosting_privileged();
    nobody_uid = hosting_uid_of("nobody");
    daemon_uid = hosting_uid_of("daemon");
    printf("# %s: uid %d\n",
           privileged ? "privileged (CAP_SETUID+CAP_SETGID): kernel-level impersonation"
                      : "unprivileged: impersonating others is identification only",
           (int)getuid());
    manager = hosting_manager();
    make_files();
    RUN_TEST(impersonation_changes_the_calling_thread_and_no_other);
    RUN_TEST(files_follow_the_impersonated_identity);
    RUN_TEST(revert_to_self_returns_exactly_s_ok_when_not_impersonating);
    RUN_TEST(impersonations_replace_each_other_and_do_not_stack);
    RUN_TEST(impersonate_logged_on_user_needs_the_documented_rights);
    RUN_TEST(set_thread_token_rejects_primary_tokens_missing_rights_and_forged_handles);
    RUN_TEST(impersonating_ones_own_account_needs_no_privilege);
    RUN_TEST(a_captured_context_applies_on_another_thread);
    RUN_TEST(a_context_captured_while_not_impersonating_reverts_when_applied);
    RUN_TEST(a_restricted_context_drops_the_effective_capabilities_of_that_thread_only);
    RUN_TEST(security_context_bad_inputs_get_documented_results_and_change_nothing);
    RUN_TEST(a_thread_that_exits_while_impersonating_releases_everything);
    RUN_TEST(a_fork_in_a_multithreaded_host_leaves_the_child_able_to_use_the_library);
    RUN_TEST(a_program_started_while_impersonating_cannot_become_root);
    RUN_TEST(a_shell_command_run_while_impersonating_runs_as_the_reserved_uid);
    RUN_TEST(access_checks_the_real_uid_no_account_holds_while_impersonating);
    RUN_TEST(another_account_cannot_signal_the_host_while_it_is_impersonated);
    RUN_TEST(an_account_with_the_reserved_real_uid_gets_no_token);
    RUN_TEST(a_program_run_for_one_account_cannot_signal_a_thread_impersonating_another);
    RUN_TEST(a_program_run_from_one_thread_cannot_signal_another_impersonating_thread_of_the_host);
    RUN_TEST(programs_one_thread_starts_for_two_accounts_cannot_reach_each_other);
    remove_files();
    IHostSecurityManager_Release(manager);
    CHECK_EXIT();
}
