/* HostSec_SetPolicy and HOSTSEC_POLICY_REQUIRE_ENFORCEMENT: impersonating another account the
 * kernel cannot enforce fails with HRESULT_FROM_WIN32(ERROR_PRIVILEGE_NOT_HELD) and changes
 * nothing, instead of succeeding at SecurityIdentification. Runs as root in CI (the strict
 * policy then changes nothing: the kernel enforces); Tests/sh/test-policy-unprivileged.sh runs
 * it again without CAP_SETUID/CAP_SETGID, where the strict policy refuses. */
#include "check.h"
#include "hosting.h"

static IHostSecurityManager *manager;
static int privileged;
static uid_t nobody_uid;

static HANDLE logon(const char *name) {
    HANDLE h = NULL;
    if (HostSec_LogonUser(name, &h) != S_OK) abort();
    return h;
}

/* The calling thread's token: its uid and level, or uid -1 when it has none. */
static void thread_token(uid_t *uid, SECURITY_IMPERSONATION_LEVEL *level) {
    HANDLE h = NULL;
    HOSTSEC_TOKEN_USER user = {0};
    DWORD len = 0;
    *uid = (uid_t)-1;
    *level = (SECURITY_IMPERSONATION_LEVEL)-1;
    if (IHostSecurityManager_OpenThreadToken(manager, TOKEN_QUERY, TRUE, &h) != S_OK) return;
    HostSec_GetTokenInformation(h, TokenUser, &user, sizeof user, &len);
    HostSec_GetTokenInformation(h, TokenImpersonationLevel, level, sizeof *level, &len);
    HostSec_CloseHandle(h);
    *uid = user.Uid;
}

static void set_policy_accepts_zero_and_the_enforcement_flag(void) {
    CHECK_HR(HostSec_SetPolicy(HOSTSEC_POLICY_REQUIRE_ENFORCEMENT), S_OK);
    CHECK_HR(HostSec_SetPolicy(0), S_OK);
    CHECK(HOSTSEC_POLICY_REQUIRE_ENFORCEMENT == 0x1u);
}

static void set_policy_rejects_unknown_bits_and_keeps_the_policy(void) {
    CHECK_HR(HostSec_SetPolicy(HOSTSEC_POLICY_REQUIRE_ENFORCEMENT), S_OK);
    CHECK_HR(HostSec_SetPolicy(0x8), E_INVALIDARG);
    CHECK_HR(HostSec_SetPolicy(0x80000000u), E_INVALIDARG);
    CHECK_HR(HostSec_SetPolicy(0xFFFFFFFFu), E_INVALIDARG);
    /* Still strict: without privilege the next impersonation of another account is refused. */
    HANDLE nobody = logon("nobody");
    HRESULT hr = IHostSecurityManager_ImpersonateLoggedOnUser(manager, nobody);
    CHECK_HR(hr, privileged ? S_OK : HRESULT_FROM_WIN32(ERROR_PRIVILEGE_NOT_HELD));
    CHECK_HR(IHostSecurityManager_RevertToSelf(manager), S_OK);
    HostSec_CloseHandle(nobody);
    CHECK_HR(HostSec_SetPolicy(0), S_OK);
}

/* Default policy: Windows' behaviour (identification without privilege). */
static void default_policy_identifies_as_another_account_without_privilege(void) {
    HANDLE nobody = logon("nobody");
    char before[1024], during[1024];
    hosting_credentials(0, before, sizeof before);
    CHECK_HR(IHostSecurityManager_ImpersonateLoggedOnUser(manager, nobody), S_OK);
    hosting_credentials(0, during, sizeof during);
    uid_t uid;
    SECURITY_IMPERSONATION_LEVEL level;
    thread_token(&uid, &level);
    CHECK(uid == nobody_uid);
    CHECK(level == (privileged ? SecurityImpersonation : SecurityIdentification));
    CHECK((strcmp(before, during) == 0) == !privileged);
    CHECK_HR(IHostSecurityManager_RevertToSelf(manager), S_OK);
    HostSec_CloseHandle(nobody);
}

/* Strict policy: refused without privilege, nothing changed (the thread keeps what it had:
 * here an impersonation of itself); with privilege, the kernel switch as always. */
static void strict_policy_refuses_an_unenforceable_impersonation_and_changes_nothing(void) {
    CHECK_HR(HostSec_SetPolicy(HOSTSEC_POLICY_REQUIRE_ENFORCEMENT), S_OK);
    HANDLE nobody = logon("nobody");
    CHECK_HR(HostSec_ImpersonateSelf(SecurityDelegation), S_OK);
    char before[1024], after[1024];
    hosting_credentials(0, before, sizeof before);
    HOSTSEC_STATISTICS s0 = check_stats();
    HRESULT hr = IHostSecurityManager_ImpersonateLoggedOnUser(manager, nobody);
    hosting_credentials(0, after, sizeof after);
    uid_t uid;
    SECURITY_IMPERSONATION_LEVEL level;
    thread_token(&uid, &level);
    if (privileged) {
        CHECK_HR(hr, S_OK);
        CHECK(uid == nobody_uid && level == SecurityImpersonation);
        CHECK(strcmp(before, after) != 0); /* the kernel switched */
    } else {
        CHECK_HR(hr, HRESULT_FROM_WIN32(ERROR_PRIVILEGE_NOT_HELD));
        CHECK((uint32_t)hr == 0x80070522u);
        CHECK(uid == getuid() && level == SecurityDelegation); /* the self impersonation stays */
        CHECK(strcmp(before, after) == 0);
        CHECK(check_stats().ImpersonatingThreads == s0.ImpersonatingThreads);
        CHECK(check_stats().LiveHandles == s0.LiveHandles);
    }
    CHECK_HR(IHostSecurityManager_RevertToSelf(manager), S_OK);
    HostSec_CloseHandle(nobody);
    CHECK_HR(HostSec_SetPolicy(0), S_OK);
}

static void strict_policy_refuses_set_thread_token_of_another_account_without_privilege(void) {
    HANDLE nobody = logon("nobody"), copy = NULL;
    CHECK_HR(HostSec_DuplicateTokenEx(nobody, 0, SecurityImpersonation, TokenImpersonation, &copy), S_OK);
    CHECK_HR(HostSec_SetPolicy(HOSTSEC_POLICY_REQUIRE_ENFORCEMENT), S_OK);
    char before[1024], after[1024];
    hosting_credentials(0, before, sizeof before);
    HRESULT hr = IHostSecurityManager_SetThreadToken(manager, copy);
    hosting_credentials(0, after, sizeof after);
    uid_t uid;
    SECURITY_IMPERSONATION_LEVEL level;
    thread_token(&uid, &level);
    if (privileged) {
        CHECK_HR(hr, S_OK);
        CHECK(uid == nobody_uid);
    } else {
        CHECK_HR(hr, HRESULT_FROM_WIN32(ERROR_PRIVILEGE_NOT_HELD));
        CHECK(uid == (uid_t)-1); /* still no thread token */
        CHECK(strcmp(before, after) == 0);
        HANDLE h = (HANDLE)1;
        CHECK_HR(IHostSecurityManager_OpenThreadToken(manager, TOKEN_QUERY, TRUE, &h),
                 HRESULT_FROM_WIN32(ERROR_NO_TOKEN));
        CHECK(h == NULL);
    }
    CHECK_HR(IHostSecurityManager_RevertToSelf(manager), S_OK);
    CHECK_HR(HostSec_SetPolicy(0), S_OK);
    HostSec_CloseHandle(copy);
    HostSec_CloseHandle(nobody);
}

/* What the kernel need not switch is allowed under the strict policy too: the thread's own
 * account, and a token the host asked to hold at identification level. */
static void strict_policy_allows_own_account_and_identification_tokens(void) {
    CHECK_HR(HostSec_SetPolicy(HOSTSEC_POLICY_REQUIRE_ENFORCEMENT), S_OK);
    CHECK_HR(HostSec_ImpersonateSelf(SecurityImpersonation), S_OK);
    CHECK_HR(IHostSecurityManager_RevertToSelf(manager), S_OK);
    /* The process token, exactly the thread's own credentials (a logon token of the same
     * account may carry other groups: switching to those is a change the kernel must make). */
    HANDLE process = NULL, own = NULL;
    CHECK_HR(HostSec_OpenProcessToken(TOKEN_DUPLICATE | TOKEN_QUERY, &process), S_OK);
    CHECK_HR(HostSec_DuplicateTokenEx(process, TOKEN_IMPERSONATE | TOKEN_QUERY, SecurityImpersonation,
                                      TokenImpersonation, &own),
             S_OK);
    CHECK_HR(IHostSecurityManager_SetThreadToken(manager, own), S_OK);
    CHECK_HR(IHostSecurityManager_ImpersonateLoggedOnUser(manager, process), S_OK);
    CHECK_HR(IHostSecurityManager_RevertToSelf(manager), S_OK);
    HostSec_CloseHandle(own);
    HostSec_CloseHandle(process);
    HANDLE nobody = logon("nobody"), ident = NULL;
    CHECK_HR(HostSec_DuplicateTokenEx(nobody, 0, SecurityIdentification, TokenImpersonation, &ident), S_OK);
    CHECK_HR(IHostSecurityManager_SetThreadToken(manager, ident), S_OK);
    uid_t uid;
    SECURITY_IMPERSONATION_LEVEL level;
    thread_token(&uid, &level);
    CHECK(uid == nobody_uid && level == SecurityIdentification);
    CHECK_HR(IHostSecurityManager_RevertToSelf(manager), S_OK);
    CHECK_HR(HostSec_SetPolicy(0), S_OK);
    HostSec_CloseHandle(ident);
    HostSec_CloseHandle(nobody);
}

/* The quick start's check: a server that wants the kernel to enforce, or nothing. */
static void quick_start_check_either_enforces_or_refuses(void) {
    CHECK_HR(HostSec_SetPolicy(HOSTSEC_POLICY_REQUIRE_ENFORCEMENT), S_OK);
    HANDLE nobody = logon("nobody");
    HRESULT hr = IHostSecurityManager_ImpersonateLoggedOnUser(manager, nobody);
    char uid_line[128];
    hosting_status(0, "Uid:", uid_line, sizeof uid_line);
    unsigned ruid = 0, euid = 0;
    sscanf(uid_line, "%u %u", &ruid, &euid);
    if (SUCCEEDED(hr))
        CHECK(euid == nobody_uid); /* success means the kernel acts as nobody */
    else
        CHECK(euid == getuid() && hr == HRESULT_FROM_WIN32(ERROR_PRIVILEGE_NOT_HELD));
    IHostSecurityManager_RevertToSelf(manager);
    HostSec_CloseHandle(nobody);
    CHECK_HR(HostSec_SetPolicy(0), S_OK);
}

int main(void) {
    privileged = hosting_privileged();
    nobody_uid = hosting_uid_of("nobody");
    printf("# %s: uid %d\n", privileged ? "privileged (CAP_SETUID+CAP_SETGID)" : "unprivileged", (int)getuid());
    check_remember_start();
    manager = hosting_manager();
    RUN_TEST(set_policy_accepts_zero_and_the_enforcement_flag);
    RUN_TEST(set_policy_rejects_unknown_bits_and_keeps_the_policy);
    RUN_TEST(default_policy_identifies_as_another_account_without_privilege);
    RUN_TEST(strict_policy_refuses_an_unenforceable_impersonation_and_changes_nothing);
    RUN_TEST(strict_policy_refuses_set_thread_token_of_another_account_without_privilege);
    RUN_TEST(strict_policy_allows_own_account_and_identification_tokens);
    RUN_TEST(quick_start_check_either_enforces_or_refuses);
    IHostSecurityManager_Release(manager);
    RUN_TEST(nothing_outlives_its_last_release);
    CHECK_EXIT();
}
