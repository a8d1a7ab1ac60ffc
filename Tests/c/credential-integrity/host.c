/* Credential integrity: what a thread's kernel credentials are after each step, checked from
 * /proc/thread-self/status (every uid, gid, group and capability set, ambient included).
 * Run by test-credential-integrity.sh, once per scenario, as root, as a non-root service
 * holding CAP_SETUID/CAP_SETGID (ambient), and as a non-root process without them:
 *   host SCENARIO [ARG]
 * Prints "ok   name" per check; exits non-zero on the first failure. */
#define COBJMACROS
#include <hostsec.h>
#include <hostsec_win32.h>
#include <errno.h>
#include <grp.h>
#include <pthread.h>
#include <pwd.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>
#include "hosting.h"
#include "syscall-hook.h"

static IHostSecurityManager *mgr;
static int failures;

#define EXPECT(cond, ...)                                                       \
    do {                                                                        \
        if (!(cond)) {                                                          \
            fprintf(stderr, "  %s:%d: %s failed: ", __FILE__, __LINE__, #cond); \
            fprintf(stderr, __VA_ARGS__);                                       \
            fputc('\n', stderr);                                                \
            failures++;                                                         \
        }                                                                       \
    } while (0)

static void report(const char *name) {
    printf("%s %s\n", failures ? "FAIL" : "ok  ", name);
    fflush(stdout);
    if (failures) exit(1);
}

/* The calling thread's credential lines of /proc/thread-self/status. */
typedef struct {
    char text[1024];
} status_t;
static status_t thread_status(void) {
    status_t s = {{0}};
    FILE *f = fopen("/proc/thread-self/status", "r");
    if (!f) {
        perror("status");
        exit(2);
    }
    char line[512];
    size_t used = 0;
    while (fgets(line, sizeof line, f)) {
        if (strncmp(line, "Uid:", 4) && strncmp(line, "Gid:", 4) && strncmp(line, "Groups:", 7) &&
            strncmp(line, "Cap", 3))
            continue;
        size_t n = strlen(line);
        if (used + n < sizeof s.text) {
            memcpy(s.text + used, line, n);
            used += n;
        }
    }
    fclose(f);
    return s;
}
static uint64_t status_field(const status_t *s, const char *key) {
    const char *p = strstr(s->text, key);
    return p ? strtoull(p + strlen(key), NULL, 16) : UINT64_MAX;
}
static unsigned euid_of(const status_t *s) {
    unsigned r, e;
    const char *p = strstr(s->text, "Uid:");
    return p && sscanf(p, "Uid: %u %u", &r, &e) == 2 ? e : UINT32_MAX;
}
static uid_t uid_of(const char *name) {
    struct passwd *pw = getpwnam(name);
    if (!pw) {
        fprintf(stderr, "no account %s\n", name);
        exit(2);
    }
    return pw->pw_uid;
}
static int privileged(void) {
    status_t s = thread_status();
    uint64_t both = (1u << 6) | (1u << 7);
    return (status_field(&s, "CapPrm:") & both) == both;
}
static DWORD failed_closed(void) {
    HOSTSEC_STATISTICS st;
    HostSec_GetStatistics(&st);
    return st.FailedClosed;
}
static SECURITY_IMPERSONATION_LEVEL thread_token_level(void) {
    HANDLE h = NULL;
    if (IHostSecurityManager_OpenThreadToken(mgr, TOKEN_QUERY, TRUE, &h) != S_OK)
        return (SECURITY_IMPERSONATION_LEVEL)-1;
    SECURITY_IMPERSONATION_LEVEL level = SecurityAnonymous;
    DWORD len = 0;
    HostSec_GetTokenInformation(h, TokenImpersonationLevel, &level, sizeof level, &len);
    HostSec_CloseHandle(h);
    return level;
}

/* ---- (uid_t)-1 ------------------------------------------------------------------------ */

/* An account whose uid is 4294967295 gets no token: setresuid(-1, ...) would leave the thread
 * as it is while the library believed it had switched. */
static void uid_minus_one_account_gets_no_token(const char *name) {
    status_t before = thread_status();
    HANDLE h = (HANDLE)1;
    HRESULT hr = HostSec_LogonUser(name, &h);
    EXPECT(hr == HRESULT_FROM_WIN32(ERROR_NONE_MAPPED), "LogonUser returned 0x%08x", (unsigned)hr);
    EXPECT(h == NULL, "handle %p", h);
    status_t after = thread_status();
    EXPECT(strcmp(before.text, after.text) == 0, "credentials changed");
    report("uid_minus_one_account_gets_no_token");
}

/* ---- threads created while impersonating ------------------------------------------------ */

static status_t process_self;
static void *first_call_open_thread_token(void *arg) {
    (void)arg;
    HANDLE h = (HANDLE)1;
    EXPECT(IHostSecurityManager_OpenThreadToken(mgr, TOKEN_QUERY, TRUE, &h) == HRESULT_FROM_WIN32(ERROR_NO_TOKEN),
           "a new thread has no thread token");
    status_t now = thread_status();
    EXPECT(strcmp(now.text, process_self.text) == 0, "new thread is not the process:\n%s\nexpected\n%s", now.text,
           process_self.text);
    HOSTSEC_TOKEN_USER user = {0};
    DWORD len = 0;
    EXPECT(HostSec_OpenProcessToken(TOKEN_QUERY, &h) == S_OK, "OpenProcessToken");
    EXPECT(HostSec_GetTokenInformation(h, TokenUser, &user, sizeof user, &len) == S_OK, "TokenUser");
    EXPECT(user.Uid == euid_of(&process_self), "process token user %u", user.Uid);
    HostSec_CloseHandle(h);
    EXPECT(IHostSecurityManager_RevertToSelf(mgr) == S_OK, "RevertToSelf");
    now = thread_status();
    EXPECT(strcmp(now.text, process_self.text) == 0, "after RevertToSelf");
    return NULL;
}
static void *first_call_close_bad_handle(void *arg) {
    (void)arg;
    EXPECT(HostSec_CloseHandle((HANDLE)0x1234) == E_HANDLE, "a bad handle");
    status_t now = thread_status();
    EXPECT(strcmp(now.text, process_self.text) == 0, "put back on the first call, whatever it is");
    return NULL;
}
static void run_thread(void *(*fn)(void *)) {
    pthread_t t;
    pthread_create(&t, NULL, fn, NULL);
    pthread_join(t, NULL);
}
static void thread_created_while_impersonating_acts_as_the_process(void) {
    process_self = thread_status();
    HANDLE h = NULL;
    EXPECT(HostSec_LogonUser("nobody", &h) == S_OK, "logon");
    EXPECT(IHostSecurityManager_ImpersonateLoggedOnUser(mgr, h) == S_OK, "impersonate");
    status_t as_nobody = thread_status();
    EXPECT(euid_of(&as_nobody) == uid_of("nobody"), "kernel-level impersonation");
    run_thread(first_call_open_thread_token);
    run_thread(first_call_close_bad_handle);
    EXPECT(IHostSecurityManager_RevertToSelf(mgr) == S_OK, "creator reverts");
    EXPECT(failed_closed() == 0, "open");
    HostSec_CloseHandle(h);
    report("thread_created_while_impersonating_acts_as_the_process");
}

/* ---- every (self, target) pair ------------------------------------------------------------ */

/* Impersonate `target` twice (the second round proves nothing was lost, e.g. the permitted
 * set), checking the kernel each time, and revert exactly. */
static void impersonating_and_reverting_is_exact(const char *target) {
    status_t self = thread_status();
    int may = privileged();
    uid_t target_uid = uid_of(target);
    for (int round = 0; round < 2; round++) {
        HANDLE h = NULL;
        EXPECT(HostSec_LogonUser(target, &h) == S_OK, "logon %s", target);
        EXPECT(IHostSecurityManager_ImpersonateLoggedOnUser(mgr, h) == S_OK, "impersonate %s", target);
        status_t now = thread_status();
        if (may || target_uid == euid_of(&self)) {
            EXPECT(euid_of(&now) == target_uid, "kernel acts as %s (round %d):\n%s", target, round, now.text);
            if (target_uid != euid_of(&self))
                EXPECT(status_field(&now, "CapAmb:") == 0, "ambient set empty while acting as %s", target);
        } else {
            EXPECT(strcmp(now.text, self.text) == 0, "no privilege: the kernel is unchanged");
            EXPECT(thread_token_level() == SecurityIdentification, "identification level");
        }
        EXPECT(IHostSecurityManager_RevertToSelf(mgr) == S_OK, "revert (round %d)", round);
        now = thread_status();
        EXPECT(strcmp(now.text, self.text) == 0, "revert exact (round %d):\n%s\nexpected\n%s", round, now.text,
               self.text);
        HostSec_CloseHandle(h);
    }
    EXPECT(failed_closed() == 0, "open");
    report(strcmp(target, "root") == 0 ? "impersonating_root_and_reverting_is_exact"
                                       : "impersonating_nobody_and_reverting_is_exact");
}

/* A program exec'd by a thread acting as another account starts without capabilities: the
 * ambient set (which exec passes on) is empty while it impersonates. */
static void a_program_run_while_impersonating_gets_no_capabilities(const char *target) {
    status_t self = thread_status();
    HANDLE h = NULL;
    EXPECT(HostSec_LogonUser(target, &h) == S_OK, "logon");
    EXPECT(IHostSecurityManager_ImpersonateLoggedOnUser(mgr, h) == S_OK, "impersonate");
    int fds[2];
    EXPECT(pipe(fds) == 0, "pipe");
    pid_t pid = fork();
    if (pid == 0) {
        dup2(fds[1], 1);
        execl("/bin/grep", "grep", "-E", "^Cap(Prm|Eff|Amb)", "/proc/self/status", (char *)NULL);
        _exit(127);
    }
    close(fds[1]);
    char buf[512] = {0};
    ssize_t n = read(fds[0], buf, sizeof buf - 1);
    close(fds[0]);
    waitpid(pid, NULL, 0);
    EXPECT(n > 0, "child output");
    status_t child;
    memcpy(child.text, buf, sizeof buf);
    EXPECT(status_field(&child, "CapPrm:") == 0 && status_field(&child, "CapEff:") == 0 &&
               status_field(&child, "CapAmb:") == 0,
           "the child holds capabilities:\n%s", buf);
    EXPECT(IHostSecurityManager_RevertToSelf(mgr) == S_OK, "revert");
    status_t now = thread_status();
    EXPECT(strcmp(now.text, self.text) == 0, "ambient set restored");
    HostSec_CloseHandle(h);
    report("a_program_run_while_impersonating_gets_no_capabilities");
}

/* ---- credentials the library did not apply ------------------------------------------------ */

static HANDLE shared_token;
static volatile int stage;
static HRESULT thread_revert_hr;
static status_t thread_after;
static void *impersonate_then_wait(void *arg) {
    (void)arg;
    if (IHostSecurityManager_ImpersonateLoggedOnUser(mgr, shared_token) != S_OK) {
        stage = -1;
        return NULL;
    }
    __atomic_store_n(&stage, 1, __ATOMIC_SEQ_CST);
    while (__atomic_load_n(&stage, __ATOMIC_SEQ_CST) != 2) usleep(1000);
    thread_revert_hr = IHostSecurityManager_RevertToSelf(mgr);
    thread_after = thread_status();
    return NULL;
}

/* glibc's seteuid() reaches every thread, an impersonating one too (it re-rooted a thread
 * acting as nobody): RevertToSelf must notice, put the thread back and close the library. */
static void a_process_wide_seteuid_is_detected_at_revert(void) {
    status_t self = thread_status();
    EXPECT(HostSec_LogonUser("nobody", &shared_token) == S_OK, "logon");
    pthread_t t;
    pthread_create(&t, NULL, impersonate_then_wait, NULL);
    while (__atomic_load_n(&stage, __ATOMIC_SEQ_CST) == 0) usleep(1000);
    EXPECT(seteuid(0) == 0, "seteuid: %s", strerror(errno));
    __atomic_store_n(&stage, 2, __ATOMIC_SEQ_CST);
    pthread_join(t, NULL);
    EXPECT(thread_revert_hr == E_FAIL, "RevertToSelf returned 0x%08x", (unsigned)thread_revert_hr);
    EXPECT(strcmp(thread_after.text, self.text) == 0, "the thread is back to self");
    EXPECT(failed_closed() == 1, "closed");
    report("a_process_wide_seteuid_is_detected_at_revert");
}

/* glibc's setgroups() reaches every thread too. Called while no thread impersonates (the
 * host drops a supplementary group after the library's first use), it succeeds everywhere;
 * the next kernel-level impersonation on a thread must notice that the thread's groups are no
 * longer those the library recorded, not apply over them and then "revert" the thread to the
 * group list the host had dropped. */
static const gid_t dropped_group = 4242;
static void a_process_wide_setgroups_after_first_use_is_detected(void) {
    HANDLE h = NULL;
    EXPECT(HostSec_LogonUser("nobody", &h) == S_OK, "logon (first use, groups 0 and %u)", (unsigned)dropped_group);
    gid_t kept[1] = {0};
    EXPECT(setgroups(1, kept) == 0, "setgroups: %s", strerror(errno));
    status_t dropped = thread_status();
    HRESULT hr = IHostSecurityManager_ImpersonateLoggedOnUser(mgr, h);
    if (hr == S_OK) {
        HRESULT back = IHostSecurityManager_RevertToSelf(mgr);
        status_t now = thread_status();
        EXPECT(strcmp(now.text, dropped.text) == 0 && back == S_OK,
               "RevertToSelf returned 0x%08x and the thread is no longer what the host left it:\n%s\nexpected\n%s",
               (unsigned)back, now.text, dropped.text);
    }
    EXPECT(hr == E_FAIL, "ImpersonateLoggedOnUser over groups the library did not record returned 0x%08x",
           (unsigned)hr);
    EXPECT(failed_closed() == 1, "closed");
    HostSec_CloseHandle(h);
    report("a_process_wide_setgroups_after_first_use_is_detected");
}

/* A thread first seen after a process-wide seteuid() (a host dropping privileges for a while,
 * e.g. to touch a user's files) holds what every other thread of the process holds. Its first
 * call into the library, even a query, must not make it root again: the library applied
 * nothing to it. */
static HRESULT first_call_hr;
static status_t first_call_after;
static void *first_call_after_process_change(void *arg) {
    (void)arg;
    HANDLE h = NULL;
    first_call_hr = HostSec_OpenProcessToken(TOKEN_QUERY, &h);
    first_call_after = thread_status();
    if (h) HostSec_CloseHandle(h);
    return NULL;
}
static void a_thread_first_seen_after_a_process_wide_seteuid_is_not_made_root(void) {
    HANDLE h = NULL;
    EXPECT(HostSec_LogonUser("nobody", &h) == S_OK, "logon (first use)");
    uid_t daemon = uid_of("daemon");
    EXPECT(seteuid(daemon) == 0, "seteuid: %s", strerror(errno));
    status_t process_now = thread_status();
    run_thread(first_call_after_process_change);
    EXPECT(seteuid(0) == 0, "seteuid back: %s", strerror(errno));
    EXPECT(euid_of(&first_call_after) == daemon,
           "the new thread's first call (0x%08x) changed it from what the process holds:\n%s\nto\n%s",
           (unsigned)first_call_hr, process_now.text, first_call_after.text);
    EXPECT(first_call_hr != S_OK, "the first call reported S_OK over credentials the library did not apply");
    HostSec_CloseHandle(h);
    report("a_thread_first_seen_after_a_process_wide_seteuid_is_not_made_root");
}

/* The same drop seen by a thread the library already knows: its next impersonation finds
 * credentials the library did not apply. It must not put the thread back to the (more
 * privileged) process token it recorded: the library closes and leaves the thread lowered. */
static void a_known_thread_lowered_by_the_host_is_not_raised_again(void) {
    HANDLE h = NULL;
    EXPECT(HostSec_LogonUser("nobody", &h) == S_OK, "logon (first use)");
    uid_t daemon = uid_of("daemon");
    EXPECT(seteuid(daemon) == 0, "seteuid: %s", strerror(errno));
    status_t lowered = thread_status();
    HRESULT hr = IHostSecurityManager_ImpersonateLoggedOnUser(mgr, h);
    status_t after = thread_status();
    EXPECT(hr == E_FAIL, "impersonating over credentials the library did not apply: 0x%08x", (unsigned)hr);
    EXPECT(strcmp(after.text, lowered.text) == 0, "the thread was changed:\n%s\nto\n%s", lowered.text, after.text);
    EXPECT(failed_closed() == 1, "closed");
    HostSec_CloseHandle(h);
    report("a_known_thread_lowered_by_the_host_is_not_raised_again");
}

/* AdjustTokenPrivileges(SE_PRIVILEGE_REMOVED) on the process token drops a capability from
 * the calling thread's permitted set for good; a thread created after that inherits the
 * smaller set. Its first call must take it as the process token now is, not try to put back
 * the set recorded at first use (which the kernel refuses) and close the library. */
static HRESULT later_thread_hr;
static status_t later_thread_status;
static void *later_thread(void *arg) {
    (void)arg;
    HANDLE h = NULL;
    later_thread_hr = HostSec_OpenProcessToken(TOKEN_QUERY, &h);
    later_thread_status = thread_status();
    if (h) HostSec_CloseHandle(h);
    return NULL;
}
static void a_thread_created_after_a_privilege_was_removed_acts_as_the_process(void) {
    HANDLE process = NULL;
    EXPECT(HostSecW32_OpenProcessToken(HostSecW32_GetCurrentProcess(), TOKEN_ADJUST_PRIVILEGES | TOKEN_QUERY, &process),
           "OpenProcessToken: %u", (unsigned)HostSecW32_GetLastError());
    TOKEN_PRIVILEGES tp;
    tp.PrivilegeCount = 1;
    tp.Privileges[0].Attributes = SE_PRIVILEGE_REMOVED;
    EXPECT(HostSecW32_LookupPrivilegeValueA(NULL, SE_SYSTEMTIME_NAME, &tp.Privileges[0].Luid), "lookup");
    EXPECT(HostSecW32_AdjustTokenPrivileges(process, FALSE, &tp, 0, NULL, NULL), "adjust: %u",
           (unsigned)HostSecW32_GetLastError());
    status_t creator = thread_status();
    run_thread(later_thread);
    EXPECT(later_thread_hr == S_OK, "the new thread's first call returned 0x%08x", (unsigned)later_thread_hr);
    EXPECT(failed_closed() == 0, "the library closed");
    EXPECT(strcmp(later_thread_status.text, creator.text) == 0, "the new thread is not the process:\n%s\nexpected\n%s",
           later_thread_status.text, creator.text);
    HostSec_CloseHandle(process);
    report("a_thread_created_after_a_privilege_was_removed_acts_as_the_process");
}

/* After the library closed, a thread still impersonating can revert (and ends exactly at
 * self), and it is told the library is closed. */
static void a_closed_library_still_reverts(const char *target) {
    status_t self = thread_status();
    EXPECT(HostSec_LogonUser(target, &shared_token) == S_OK, "logon");
    pthread_t t;
    stage = 0;
    pthread_create(&t, NULL, impersonate_then_wait, NULL);
    while (__atomic_load_n(&stage, __ATOMIC_SEQ_CST) == 0) usleep(1000);
    /* Close the library from this thread: impersonate nobody, drop the saved uid behind the
     * library's back, revert. */
    HANDLE n = NULL;
    EXPECT(HostSec_LogonUser("nobody", &n) == S_OK, "logon nobody");
    EXPECT(IHostSecurityManager_ImpersonateLoggedOnUser(mgr, n) == S_OK, "impersonate nobody");
    uid_t nobody = uid_of("nobody");
    EXPECT(syscall(SYS_setresuid, nobody, nobody, nobody) == 0, "drop saved uid");
    EXPECT(IHostSecurityManager_RevertToSelf(mgr) == E_FAIL, "this thread cannot revert");
    EXPECT(failed_closed() == 1, "closed");
    __atomic_store_n(&stage, 2, __ATOMIC_SEQ_CST);
    pthread_join(t, NULL);
    EXPECT(thread_revert_hr == HOST_E_CLRNOTAVAILABLE, "revert after closing returned 0x%08x",
           (unsigned)thread_revert_hr);
    EXPECT(strcmp(thread_after.text, self.text) == 0, "the other thread is exactly self:\n%s\nexpected\n%s",
           thread_after.text, self.text);
    report(strcmp(target, "root") == 0 ? "a_closed_library_still_reverts_a_thread_acting_as_root"
                                       : "a_closed_library_still_reverts_a_thread_acting_as_nobody");
}

/* ---- re-entry from a signal handler ------------------------------------------------------- */

/* The library's credential syscalls go through syscall-hook.c (linked in): armed, a credential
 * change raises SIGUSR1 on the spot, so the handler runs while the library is in the middle of
 * an impersonation. */
static volatile sig_atomic_t raised;
static void raise_sigusr1(void) {
    raised = 1;
    raise(SIGUSR1);
}
static volatile HRESULT handler_hr = 1;
static void on_signal(int sig) {
    (void)sig;
    handler_hr = IHostSecurityManager_RevertToSelf(mgr);
}
static void a_signal_handler_calling_in_mid_impersonation_is_refused(void) {
    status_t self = thread_status();
    signal(SIGUSR1, on_signal);
    HANDLE h = NULL;
    EXPECT(HostSec_LogonUser("nobody", &h) == S_OK, "logon");
    syscall_hook_arm(SYS_setresuid, raise_sigusr1);
    HRESULT hr = IHostSecurityManager_ImpersonateLoggedOnUser(mgr, h);
    EXPECT(raised, "the handler ran inside the call");
    EXPECT(handler_hr == HOST_E_INVALIDOPERATION, "handler's RevertToSelf returned 0x%08x", (unsigned)handler_hr);
    EXPECT(hr == S_OK, "the interrupted impersonation completes: 0x%08x", (unsigned)hr);
    status_t now = thread_status();
    EXPECT(euid_of(&now) == uid_of("nobody"), "acting as nobody, as the library believes");
    EXPECT(thread_token_level() == SecurityImpersonation, "thread token");
    EXPECT(IHostSecurityManager_RevertToSelf(mgr) == S_OK, "revert");
    now = thread_status();
    EXPECT(strcmp(now.text, self.text) == 0, "exact");
    /* Outside the library the same handler's call is an ordinary revert. */
    EXPECT(IHostSecurityManager_ImpersonateLoggedOnUser(mgr, h) == S_OK, "impersonate");
    raise(SIGUSR1);
    EXPECT(handler_hr == S_OK, "a handler that does not interrupt the library may call it");
    now = thread_status();
    EXPECT(strcmp(now.text, self.text) == 0, "reverted by the handler");
    EXPECT(failed_closed() == 0, "open");
    HostSec_CloseHandle(h);
    report("a_signal_handler_calling_in_mid_impersonation_is_refused");
}

/* ---- accounts at the edges ------------------------------------------------------------------ */

static int kernel_group_count(void) { return (int)syscall(SYS_getgroups, 0, NULL); }

/* An account in `expect` supplementary groups (the script makes it): impersonating it sets them
 * all when the kernel can hold them (NGROUPS_MAX is 65,536); beyond that the impersonation is
 * refused with E_INVALIDARG and nothing changes. */
static void an_account_with_many_groups_is_served_or_refused_whole(const char *name, int expect) {
    status_t self = thread_status();
    HANDLE h = NULL;
    EXPECT(HostSec_LogonUser(name, &h) == S_OK, "logon %s", name);
    DWORD len = 0;
    HostSec_GetTokenInformation(h, TokenGroups, NULL, 0, &len);
    HOSTSEC_TOKEN_GROUPS *groups = malloc(len);
    EXPECT(HostSec_GetTokenInformation(h, TokenGroups, groups, len, &len) == S_OK, "TokenGroups");
    EXPECT((int)groups->GroupCount == expect, "token groups %u, expected %d", groups->GroupCount, expect);
    free(groups);
    HRESULT hr = IHostSecurityManager_ImpersonateLoggedOnUser(mgr, h);
    if (expect <= 65536) {
        EXPECT(hr == S_OK, "impersonate: 0x%08x", (unsigned)hr);
        EXPECT(kernel_group_count() == expect, "kernel groups %d", kernel_group_count());
    } else {
        EXPECT(hr == E_INVALIDARG, "impersonate beyond NGROUPS_MAX: 0x%08x", (unsigned)hr);
        status_t now = thread_status();
        EXPECT(strcmp(now.text, self.text) == 0, "nothing changed");
        EXPECT(thread_token_level() == (SECURITY_IMPERSONATION_LEVEL)-1, "no thread token");
    }
    EXPECT(IHostSecurityManager_RevertToSelf(mgr) == S_OK, "revert");
    status_t now = thread_status();
    EXPECT(strcmp(now.text, self.text) == 0, "exact");
    EXPECT(failed_closed() == 0, "open");
    HostSec_CloseHandle(h);
    report(expect <= 65536 ? "an_account_in_many_groups_is_served_whole"
                           : "an_account_in_too_many_groups_is_refused_whole");
}

/* A token outlives its account: deleted after logon, its ids are still what the token names. */
static void a_token_outlives_its_deleted_account(const char *name) {
    status_t self = thread_status();
    HANDLE h = NULL;
    uid_t uid = uid_of(name);
    EXPECT(HostSec_LogonUser(name, &h) == S_OK, "logon");
    char command[256];
    snprintf(command, sizeof command, "userdel %s", name);
    EXPECT(system(command) == 0, "userdel");
    EXPECT(getpwnam(name) == NULL, "deleted");
    EXPECT(IHostSecurityManager_ImpersonateLoggedOnUser(mgr, h) == S_OK, "impersonate");
    status_t now = thread_status();
    EXPECT(euid_of(&now) == uid, "acts as the deleted account's uid");
    EXPECT(IHostSecurityManager_RevertToSelf(mgr) == S_OK, "revert");
    now = thread_status();
    EXPECT(strcmp(now.text, self.text) == 0, "exact");
    HANDLE again = (HANDLE)1;
    EXPECT(HostSec_LogonUser(name, &again) == HRESULT_FROM_WIN32(ERROR_NONE_MAPPED) && again == NULL, "no new logon");
    HostSec_CloseHandle(h);
    report("a_token_outlives_its_deleted_account");
}

/* ---- fork --------------------------------------------------------------------------------- */

static void *impersonate_self_and_wait(void *arg) {
    (void)arg;
    HostSec_ImpersonateSelf(SecurityImpersonation);
    __atomic_store_n(&stage, 1, __ATOMIC_SEQ_CST);
    while (__atomic_load_n(&stage, __ATOMIC_SEQ_CST) != 2) usleep(1000);
    IHostSecurityManager_RevertToSelf(mgr);
    return NULL;
}
static void a_fork_child_counts_only_its_own_impersonating_thread(void) {
    pthread_t t;
    stage = 0;
    pthread_create(&t, NULL, impersonate_self_and_wait, NULL);
    while (__atomic_load_n(&stage, __ATOMIC_SEQ_CST) == 0) usleep(1000);
    HOSTSEC_STATISTICS st;
    HostSec_GetStatistics(&st);
    EXPECT(st.ImpersonatingThreads == 1, "parent: %llu", (unsigned long long)st.ImpersonatingThreads);
    pid_t pid = fork();
    if (pid == 0) {
        HOSTSEC_STATISTICS c;
        HostSec_GetStatistics(&c);
        _exit(c.ImpersonatingThreads == 0 ? 0 : 1);
    }
    int status = 0;
    waitpid(pid, &status, 0);
    EXPECT(WIFEXITED(status) && WEXITSTATUS(status) == 0, "the child counted threads it does not have");
    __atomic_store_n(&stage, 2, __ATOMIC_SEQ_CST);
    pthread_join(t, NULL);
    report("a_fork_child_counts_only_its_own_impersonating_thread");
}

int main(int argc, char **argv) {
    if (argc < 2) return 2;
    if (!strcmp(argv[1], "setgroups")) { /* the groups the library records at first use */
        gid_t groups[2] = {0, dropped_group};
        if (setgroups(2, groups) != 0) {
            perror("setgroups");
            return 2;
        }
    }
    mgr = hosting_manager();
    const char *s = argv[1], *arg = argc > 2 ? argv[2] : "nobody";
    if (!strcmp(s, "uid-minus-one"))
        uid_minus_one_account_gets_no_token(arg);
    else if (!strcmp(s, "new-thread"))
        thread_created_while_impersonating_acts_as_the_process();
    else if (!strcmp(s, "pair"))
        impersonating_and_reverting_is_exact(arg);
    else if (!strcmp(s, "exec"))
        a_program_run_while_impersonating_gets_no_capabilities(arg);
    else if (!strcmp(s, "seteuid"))
        a_process_wide_seteuid_is_detected_at_revert();
    else if (!strcmp(s, "removed-privilege"))
        a_thread_created_after_a_privilege_was_removed_acts_as_the_process();
    else if (!strcmp(s, "setgroups"))
        a_process_wide_setgroups_after_first_use_is_detected();
    else if (!strcmp(s, "lowered"))
        a_known_thread_lowered_by_the_host_is_not_raised_again();
    else if (!strcmp(s, "new-thread-after-seteuid"))
        a_thread_first_seen_after_a_process_wide_seteuid_is_not_made_root();
    else if (!strcmp(s, "closed-revert"))
        a_closed_library_still_reverts(arg);
    else if (!strcmp(s, "signal"))
        a_signal_handler_calling_in_mid_impersonation_is_refused();
    else if (!strcmp(s, "fork"))
        a_fork_child_counts_only_its_own_impersonating_thread();
    else if (!strcmp(s, "groups") && argc > 3)
        an_account_with_many_groups_is_served_or_refused_whole(arg, atoi(argv[3]));
    else if (!strcmp(s, "deleted"))
        a_token_outlives_its_deleted_account(arg);
    else
        return 2;
    return 0;
}
