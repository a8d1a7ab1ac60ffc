/* IHostSecurityManager::OpenThreadToken, row by row of the table in docs/security-manager.md,
 * called through the real vtable (DllGetClassObject -> IClassFactory -> IHostSecurityManager). */
#include <pwd.h>
#define HOSTSEC_W32_NO_WINDOWS_NAMES
#include "token_util.h"
#include "hostsec_win32.h"

static IHostSecurityManager *mgr;

#define SYNCHRONIZE_RIGHT            0x00100000u
#define ACCESS_SYSTEM_SECURITY_RIGHT 0x01000000u
#define CAP_BIT(c)                   (1ULL << (c))

/* Opens with a junk-filled out handle; on failure the handle must come back NULL. */
static HRESULT open_checked(DWORD access, BOOL asSelf, HANDLE *ph) {
    *ph = JUNK_HANDLE;
    HRESULT hr = util_open(mgr, access, asSelf, ph);
    if (FAILED(hr))
        CHECK(*ph == NULL);
    else
        CHECK(*ph != NULL && *ph != JUNK_HANDLE);
    return hr;
}

/* ---- no token --------------------------------------------------------------------- */

static void no_token_open_as_self_false_is_error_no_token(void) {
    HANDLE h;
    CHECK_HR(open_checked(TOKEN_QUERY, FALSE, &h), HRESULT_FROM_WIN32(ERROR_NO_TOKEN));
}

static void no_token_open_as_self_true_is_error_no_token(void) {
    HANDLE h;
    CHECK_HR(open_checked(TOKEN_QUERY, TRUE, &h), HRESULT_FROM_WIN32(ERROR_NO_TOKEN));
}

static void no_token_maximum_allowed_and_zero_access_are_error_no_token(void) {
    HANDLE h;
    CHECK_HR(open_checked(MAXIMUM_ALLOWED, TRUE, &h), HRESULT_FROM_WIN32(ERROR_NO_TOKEN));
    CHECK_HR(open_checked(0, FALSE, &h), HRESULT_FROM_WIN32(ERROR_NO_TOKEN));
}

static void after_revert_is_error_no_token(void) {
    HANDLE h;
    CHECK_HR(HostSec_ImpersonateSelf(SecurityImpersonation), S_OK);
    CHECK_HR(open_checked(TOKEN_QUERY, TRUE, &h), S_OK);
    CHECK_HR(HostSec_CloseHandle(h), S_OK);
    CHECK_HR(util_revert(mgr), S_OK);
    CHECK_HR(open_checked(TOKEN_QUERY, TRUE, &h), HRESULT_FROM_WIN32(ERROR_NO_TOKEN));
    CHECK_HR(open_checked(TOKEN_QUERY, FALSE, &h), HRESULT_FROM_WIN32(ERROR_NO_TOKEN));
}

/* ---- ImpersonateSelf at each level ------------------------------------------------ */

static void anonymous_level_open_as_self_false_is_cant_open_anonymous(void) {
    HANDLE h;
    CHECK_HR(HostSec_ImpersonateSelf(SecurityAnonymous), S_OK);
    CHECK_HR(open_checked(TOKEN_QUERY, FALSE, &h), HRESULT_FROM_WIN32(ERROR_CANT_OPEN_ANONYMOUS));
    CHECK_HR(open_checked(0, FALSE, &h), HRESULT_FROM_WIN32(ERROR_CANT_OPEN_ANONYMOUS));
    CHECK_HR(util_revert(mgr), S_OK);
}

static void anonymous_level_open_as_self_true_is_cant_open_anonymous(void) {
    HANDLE h;
    CHECK_HR(HostSec_ImpersonateSelf(SecurityAnonymous), S_OK);
    CHECK_HR(open_checked(TOKEN_QUERY, TRUE, &h), HRESULT_FROM_WIN32(ERROR_CANT_OPEN_ANONYMOUS));
    CHECK_HR(open_checked(MAXIMUM_ALLOWED, TRUE, &h), HRESULT_FROM_WIN32(ERROR_CANT_OPEN_ANONYMOUS));
    CHECK_HR(util_revert(mgr), S_OK);
}

static void identification_level_open_as_self_false_is_bad_impersonation_level(void) {
    HANDLE h;
    CHECK_HR(HostSec_ImpersonateSelf(SecurityIdentification), S_OK);
    CHECK_HR(open_checked(TOKEN_QUERY, FALSE, &h), HRESULT_FROM_WIN32(ERROR_BAD_IMPERSONATION_LEVEL));
    CHECK_HR(open_checked(0, FALSE, &h), HRESULT_FROM_WIN32(ERROR_BAD_IMPERSONATION_LEVEL));
    CHECK_HR(util_revert(mgr), S_OK);
}

static void identification_level_open_as_self_true_succeeds(void) {
    HANDLE h;
    CHECK_HR(HostSec_ImpersonateSelf(SecurityIdentification), S_OK);
    CHECK_HR(open_checked(TOKEN_QUERY, TRUE, &h), S_OK);
    HOSTSEC_TOKEN_STATISTICS s = util_statistics(h);
    CHECK(s.TokenType == TokenImpersonation);
    CHECK(s.ImpersonationLevel == SecurityIdentification);
    CHECK_HR(HostSec_CloseHandle(h), S_OK);
    CHECK_HR(util_revert(mgr), S_OK);
}

static void impersonation_level_open_as_self_true_and_false_succeed(void) {
    HANDLE a, b;
    CHECK_HR(HostSec_ImpersonateSelf(SecurityImpersonation), S_OK);
    CHECK_HR(open_checked(TOKEN_QUERY, TRUE, &a), S_OK);
    CHECK_HR(open_checked(TOKEN_QUERY, FALSE, &b), S_OK);
    HOSTSEC_TOKEN_STATISTICS sa = util_statistics(a), sb = util_statistics(b);
    CHECK(sa.TokenType == TokenImpersonation && sa.ImpersonationLevel == SecurityImpersonation);
    CHECK(sa.TokenId != 0 && sa.TokenId == sb.TokenId); /* both name the thread's token */
    CHECK(a != b);                                      /* two opens, two handles */
    CHECK_HR(HostSec_CloseHandle(a), S_OK);
    CHECK(util_can_query(b)); /* closing one handle leaves the other */
    CHECK_HR(HostSec_CloseHandle(b), S_OK);
    CHECK_HR(util_revert(mgr), S_OK);
}

static void delegation_level_open_as_self_true_and_false_succeed(void) {
    HANDLE a, b;
    CHECK_HR(HostSec_ImpersonateSelf(SecurityDelegation), S_OK);
    CHECK_HR(open_checked(TOKEN_QUERY, TRUE, &a), S_OK);
    CHECK_HR(open_checked(TOKEN_QUERY, FALSE, &b), S_OK);
    CHECK(util_statistics(a).ImpersonationLevel == SecurityDelegation);
    CHECK_HR(HostSec_CloseHandle(a), S_OK);
    CHECK_HR(HostSec_CloseHandle(b), S_OK);
    CHECK_HR(util_revert(mgr), S_OK);
}

/* ---- the same levels reached with DuplicateTokenEx + SetThreadToken ---------------- */

static void set_thread_token_at(SECURITY_IMPERSONATION_LEVEL level) {
    HANDLE process = NULL, copy = NULL;
    CHECK_HR(HostSec_OpenProcessToken(TOKEN_DUPLICATE | TOKEN_QUERY, &process), S_OK);
    CHECK_HR(HostSec_DuplicateTokenEx(process, TOKEN_ALL_ACCESS, level, TokenImpersonation, &copy), S_OK);
    CHECK_HR(mgr->lpVtbl->SetThreadToken(mgr, copy), S_OK);
    HostSec_CloseHandle(copy);
    HostSec_CloseHandle(process);
}

static void set_thread_token_identification_open_as_self_false_is_bad_impersonation_level(void) {
    HANDLE h;
    set_thread_token_at(SecurityIdentification);
    CHECK_HR(open_checked(TOKEN_QUERY, FALSE, &h), HRESULT_FROM_WIN32(ERROR_BAD_IMPERSONATION_LEVEL));
    CHECK_HR(open_checked(TOKEN_QUERY, TRUE, &h), S_OK);
    CHECK(util_statistics(h).ImpersonationLevel == SecurityIdentification);
    CHECK_HR(HostSec_CloseHandle(h), S_OK);
    CHECK_HR(util_revert(mgr), S_OK);
}

static void set_thread_token_anonymous_is_cant_open_anonymous(void) {
    HANDLE h;
    set_thread_token_at(SecurityAnonymous);
    CHECK_HR(open_checked(TOKEN_QUERY, FALSE, &h), HRESULT_FROM_WIN32(ERROR_CANT_OPEN_ANONYMOUS));
    CHECK_HR(open_checked(TOKEN_QUERY, TRUE, &h), HRESULT_FROM_WIN32(ERROR_CANT_OPEN_ANONYMOUS));
    CHECK_HR(util_revert(mgr), S_OK);
}

static void set_thread_token_impersonation_opens_that_token(void) {
    HANDLE process = NULL, copy = NULL, h;
    CHECK_HR(HostSec_OpenProcessToken(TOKEN_DUPLICATE | TOKEN_QUERY, &process), S_OK);
    CHECK_HR(HostSec_DuplicateTokenEx(process, TOKEN_ALL_ACCESS, SecurityImpersonation, TokenImpersonation, &copy),
             S_OK);
    CHECK_HR(mgr->lpVtbl->SetThreadToken(mgr, copy), S_OK);
    CHECK_HR(open_checked(TOKEN_QUERY, FALSE, &h), S_OK);
    CHECK(util_statistics(h).TokenId == util_statistics(copy).TokenId);
    CHECK_HR(HostSec_CloseHandle(h), S_OK);
    CHECK_HR(HostSec_CloseHandle(copy), S_OK);
    CHECK_HR(HostSec_CloseHandle(process), S_OK);
    CHECK_HR(util_revert(mgr), S_OK);
}

/* ---- desired access --------------------------------------------------------------- */

static void maximum_allowed_handle_can_query_query_source_duplicate_and_impersonate(void) {
    HANDLE h;
    CHECK_HR(HostSec_ImpersonateSelf(SecurityImpersonation), S_OK);
    CHECK_HR(open_checked(MAXIMUM_ALLOWED, TRUE, &h), S_OK);
    CHECK(util_can_query(h));
    CHECK(util_can_duplicate(h));
    HOSTSEC_TOKEN_SOURCE src;
    DWORD len = 0;
    CHECK_HR(HostSec_GetTokenInformation(h, TokenSource, &src, sizeof src, &len), S_OK);
    CHECK_HR(mgr->lpVtbl->SetThreadToken(mgr, h), S_OK); /* TOKEN_IMPERSONATE granted */
    /* A duplicate asking for 0 gets the source handle's rights: all of them. */
    HANDLE d = NULL;
    CHECK_HR(HostSec_DuplicateTokenEx(h, 0, SecurityImpersonation, TokenImpersonation, &d), S_OK);
    CHECK(util_can_query(d) && util_can_duplicate(d));
    CHECK_HR(HostSec_CloseHandle(d), S_OK);
    CHECK_HR(HostSec_CloseHandle(h), S_OK);
    CHECK_HR(util_revert(mgr), S_OK);
}

static void maximum_allowed_as_impersonated_identity_succeeds(void) {
    HANDLE h;
    CHECK_HR(HostSec_ImpersonateSelf(SecurityImpersonation), S_OK);
    CHECK_HR(open_checked(MAXIMUM_ALLOWED, FALSE, &h), S_OK);
    CHECK(util_can_query(h) && util_can_duplicate(h));
    CHECK_HR(HostSec_CloseHandle(h), S_OK);
    CHECK_HR(util_revert(mgr), S_OK);
}

static void zero_access_gives_handle_that_cannot_query_or_duplicate(void) {
    HANDLE h;
    CHECK_HR(HostSec_ImpersonateSelf(SecurityImpersonation), S_OK);
    CHECK_HR(open_checked(0, TRUE, &h), S_OK);
    HOSTSEC_TOKEN_USER u = {0xABCDu};
    DWORD len = 77;
    CHECK_HR(HostSec_GetTokenInformation(h, TokenUser, &u, sizeof u, &len), E_ACCESSDENIED);
    CHECK(u.Uid == 0xABCDu); /* untouched */
    HANDLE d = JUNK_HANDLE;
    CHECK_HR(HostSec_DuplicateTokenEx(h, 0, SecurityImpersonation, TokenImpersonation, &d), E_ACCESSDENIED);
    CHECK(d == NULL);
    CHECK_HR(mgr->lpVtbl->SetThreadToken(mgr, h), E_ACCESSDENIED);
    CHECK_HR(HostSec_CloseHandle(h), S_OK); /* a handle with no rights can still be closed */
    CHECK_HR(util_revert(mgr), S_OK);
}

static void generic_read_maps_to_query_query_source_and_duplicate(void) {
    HANDLE h;
    CHECK_HR(HostSec_ImpersonateSelf(SecurityImpersonation), S_OK);
    CHECK_HR(open_checked(GENERIC_READ, TRUE, &h), S_OK);
    CHECK(util_can_query(h));
    HOSTSEC_TOKEN_SOURCE src;
    DWORD len = 0;
    CHECK_HR(HostSec_GetTokenInformation(h, TokenSource, &src, sizeof src, &len), S_OK);
    CHECK(util_can_duplicate(h));                                  /* 0x2001A includes TOKEN_DUPLICATE */
    CHECK_HR(mgr->lpVtbl->SetThreadToken(mgr, h), E_ACCESSDENIED); /* no TOKEN_IMPERSONATE */
    CHECK_HR(HostSec_CloseHandle(h), S_OK);
    CHECK_HR(util_revert(mgr), S_OK);
}

static void generic_execute_maps_to_impersonate_without_query(void) {
    HANDLE h;
    CHECK_HR(HostSec_ImpersonateSelf(SecurityImpersonation), S_OK);
    CHECK_HR(open_checked(GENERIC_EXECUTE, TRUE, &h), S_OK);
    CHECK(!util_can_query(h));
    CHECK(!util_can_duplicate(h));
    CHECK_HR(mgr->lpVtbl->SetThreadToken(mgr, h), S_OK); /* 0x20005 includes TOKEN_IMPERSONATE */
    CHECK_HR(HostSec_CloseHandle(h), S_OK);
    CHECK_HR(util_revert(mgr), S_OK);
}

static void generic_write_maps_to_adjust_rights_only(void) {
    HANDLE h;
    CHECK_HR(HostSec_ImpersonateSelf(SecurityImpersonation), S_OK);
    CHECK_HR(open_checked(GENERIC_WRITE, TRUE, &h), S_OK);
    CHECK(!util_can_query(h));
    CHECK(!util_can_duplicate(h));
    CHECK_HR(mgr->lpVtbl->SetThreadToken(mgr, h), E_ACCESSDENIED);
    CHECK_HR(HostSec_CloseHandle(h), S_OK);
    CHECK_HR(util_revert(mgr), S_OK);
}

static void generic_all_grants_every_token_right(void) {
    HANDLE h, d = NULL;
    CHECK_HR(HostSec_ImpersonateSelf(SecurityImpersonation), S_OK);
    CHECK_HR(open_checked(GENERIC_ALL, TRUE, &h), S_OK);
    CHECK(util_can_query(h) && util_can_duplicate(h));
    CHECK_HR(HostSec_DuplicateTokenEx(h, 0, SecurityImpersonation, TokenImpersonation, &d), S_OK);
    CHECK_HR(mgr->lpVtbl->SetThreadToken(mgr, d), S_OK);
    CHECK_HR(HostSec_CloseHandle(d), S_OK);
    CHECK_HR(HostSec_CloseHandle(h), S_OK);
    CHECK_HR(util_revert(mgr), S_OK);
}

static void exact_rights_grant_only_those_rights(void) {
    HANDLE h;
    CHECK_HR(HostSec_ImpersonateSelf(SecurityImpersonation), S_OK);
    CHECK_HR(open_checked(TOKEN_QUERY, TRUE, &h), S_OK);
    CHECK(util_can_query(h));
    CHECK(!util_can_duplicate(h));
    HOSTSEC_TOKEN_SOURCE src;
    DWORD len = 0;
    CHECK_HR(HostSec_GetTokenInformation(h, TokenSource, &src, sizeof src, &len), E_ACCESSDENIED);
    CHECK_HR(HostSec_CloseHandle(h), S_OK);
    CHECK_HR(open_checked(TOKEN_DUPLICATE, TRUE, &h), S_OK);
    CHECK(!util_can_query(h));
    CHECK(util_can_duplicate(h));
    CHECK_HR(HostSec_CloseHandle(h), S_OK);
    CHECK_HR(util_revert(mgr), S_OK);
}

static void synchronize_is_access_denied(void) {
    HANDLE h;
    CHECK_HR(HostSec_ImpersonateSelf(SecurityImpersonation), S_OK);
    CHECK_HR(open_checked(SYNCHRONIZE_RIGHT, TRUE, &h), E_ACCESSDENIED);
    CHECK_HR(open_checked(SYNCHRONIZE_RIGHT | TOKEN_QUERY, FALSE, &h), E_ACCESSDENIED);
    CHECK_HR(util_revert(mgr), S_OK);
}

static void other_rights_a_token_cannot_have_are_access_denied(void) {
    HANDLE h;
    CHECK_HR(HostSec_ImpersonateSelf(SecurityImpersonation), S_OK);
    CHECK_HR(open_checked(ACCESS_SYSTEM_SECURITY_RIGHT, TRUE, &h), E_ACCESSDENIED);
    CHECK_HR(open_checked(0x00000200u, TRUE, &h), E_ACCESSDENIED); /* above TOKEN_ADJUST_SESSIONID */
    CHECK_HR(open_checked(0x00800000u, TRUE, &h), E_ACCESSDENIED);
    CHECK_HR(open_checked(MAXIMUM_ALLOWED | SYNCHRONIZE_RIGHT, TRUE, &h), E_ACCESSDENIED);
    CHECK_HR(util_revert(mgr), S_OK);
}

/* ---- pointer argument ------------------------------------------------------------- */

static void null_out_pointer_is_e_pointer(void) {
    HOSTSEC_STATISTICS before = check_stats();
    CHECK_HR(util_open(mgr, TOKEN_QUERY, TRUE, NULL), E_POINTER); /* not impersonating */
    CHECK_HR(HostSec_ImpersonateSelf(SecurityImpersonation), S_OK);
    CHECK_HR(util_open(mgr, TOKEN_QUERY, TRUE, NULL), E_POINTER);
    CHECK_HR(util_open(mgr, TOKEN_QUERY, FALSE, NULL), E_POINTER);
    CHECK_HR(util_revert(mgr), S_OK);
    CHECK(check_stats().LiveHandles == before.LiveHandles);
}

/* ---- bOpenAsSelf: whose access check ------------------------------------------------ */

/* Root without CAP_DAC_OVERRIDE impersonates nobody; as nobody it logs on daemon (daemon's
 * token: DACL {daemon, nobody}); it then sets an impersonation copy as its thread token.
 * OpenAsSelf TRUE checks as root, which is neither daemon nor the creator: denied.
 * OpenAsSelf FALSE checks as daemon: granted. */
/* Every capability that grants rights on an object past its DACL (the access check's
 * privilege rules: SeBackupPrivilege's and SeRestorePrivilege's). */
#define DAC_CAPS (CAP_BIT(CAP_DAC_OVERRIDE) | CAP_BIT(CAP_DAC_READ_SEARCH) | CAP_BIT(CAP_CHOWN) | CAP_BIT(CAP_FOWNER))

static void open_as_self_denied_body(void) {
    struct passwd *pw = getpwnam("nobody");
    CHECK(pw != NULL);
    if (!pw) return;
    uid_t a_uid = pw->pw_uid; /* getpwnam's result is overwritten by the next call */
    pw = getpwnam("daemon");
    CHECK(pw != NULL);
    if (!pw) return;
    uid_t b_uid = pw->pw_uid;

    HANDLE ha = NULL, hb = NULL, hbi = NULL, h;
    CHECK_HR(HostSec_LogonUser("nobody", &ha), S_OK);
    CHECK_HR(mgr->lpVtbl->ImpersonateLoggedOnUser(mgr, ha), S_OK);
    uid_t r, e, s;
    CHECK(getresuid(&r, &e, &s) == 0 && e == a_uid); /* kernel level: really nobody */
    CHECK_HR(HostSec_LogonUser("daemon", &hb), S_OK);
    HOSTSEC_TOKEN_DACL *dacl = malloc(HOSTSEC_TOKEN_DACL_SIZE(4));
    DWORD len = 0;
    CHECK_HR(HostSec_GetTokenInformation(hb, TokenDefaultDacl, dacl, HOSTSEC_TOKEN_DACL_SIZE(4), &len), S_OK);
    CHECK(dacl->AceCount == 2);
    CHECK(dacl->Aces[0].Id == b_uid && dacl->Aces[1].Id == a_uid); /* creator = nobody */
    free(dacl);
    CHECK_HR(HostSec_DuplicateTokenEx(hb, TOKEN_ALL_ACCESS, SecurityImpersonation, TokenImpersonation, &hbi), S_OK);
    CHECK_HR(mgr->lpVtbl->SetThreadToken(mgr, hbi), S_OK);
    CHECK(getresuid(&r, &e, &s) == 0 && e == b_uid);

    CHECK_HR(open_checked(TOKEN_QUERY, TRUE, &h), E_ACCESSDENIED);
    CHECK_HR(open_checked(MAXIMUM_ALLOWED, TRUE, &h), E_ACCESSDENIED); /* the DACL grants root nothing */
    CHECK_HR(open_checked(0, TRUE, &h), S_OK);                         /* 0 asks for nothing */
    CHECK(!util_can_query(h));
    CHECK_HR(HostSec_CloseHandle(h), S_OK);

    CHECK_HR(open_checked(TOKEN_QUERY, FALSE, &h), S_OK);
    HOSTSEC_TOKEN_USER u = {0};
    CHECK_HR(HostSec_GetTokenInformation(h, TokenUser, &u, sizeof u, &len), S_OK);
    CHECK(u.Uid == b_uid);
    CHECK_HR(HostSec_CloseHandle(h), S_OK);
    CHECK_HR(open_checked(MAXIMUM_ALLOWED, FALSE, &h), S_OK);
    CHECK(util_can_query(h) && util_can_duplicate(h));
    CHECK_HR(HostSec_CloseHandle(h), S_OK);

    CHECK_HR(util_revert(mgr), S_OK);
    CHECK(getresuid(&r, &e, &s) == 0 && r == 0 && e == 0 && s == 0);
    uint64_t eff, perm, inh;
    CHECK(util_capget(&eff, &perm, &inh) == 0);
    CHECK((eff & CAP_BIT(CAP_DAC_OVERRIDE)) == 0); /* revert restored exactly "self" */
    CHECK((eff & CAP_BIT(CAP_SETUID)) != 0);
    HostSec_CloseHandle(ha);
    HostSec_CloseHandle(hb);
    HostSec_CloseHandle(hbi);
}

static void open_as_self_true_denied_when_self_neither_user_nor_creator(void) {
    SKIP_UNLESS_ROOT();
    CHECK(util_in_process_without("denied", DAC_CAPS));
}

/* The control: the same chain with CAP_DAC_OVERRIDE kept: root passes as for files. */
static void open_as_self_control_body(void) {
    HANDLE ha = NULL, hb = NULL, hbi = NULL, h;
    CHECK_HR(HostSec_LogonUser("nobody", &ha), S_OK);
    CHECK_HR(mgr->lpVtbl->ImpersonateLoggedOnUser(mgr, ha), S_OK);
    CHECK_HR(HostSec_LogonUser("daemon", &hb), S_OK);
    CHECK_HR(HostSec_DuplicateTokenEx(hb, TOKEN_ALL_ACCESS, SecurityImpersonation, TokenImpersonation, &hbi), S_OK);
    CHECK_HR(mgr->lpVtbl->SetThreadToken(mgr, hbi), S_OK);
    CHECK_HR(open_checked(TOKEN_QUERY, TRUE, &h), S_OK);
    CHECK_HR(HostSec_CloseHandle(h), S_OK);
    CHECK_HR(util_revert(mgr), S_OK);
    HostSec_CloseHandle(ha);
    HostSec_CloseHandle(hb);
    HostSec_CloseHandle(hbi);
}

static void open_as_self_true_granted_to_self_with_cap_dac_override(void) {
    SKIP_UNLESS_ROOT();
    CHECK(util_in_child(open_as_self_control_body));
}

/* Root without CAP_DAC_OVERRIDE logs on daemon itself (DACL {daemon, root}): OpenAsSelf
 * TRUE checks as root, the token's creator: granted; FALSE as daemon, its user: granted. */
static void open_as_self_creator_body(void) {
    HANDLE hb = NULL, hbi = NULL, h;
    CHECK_HR(HostSec_LogonUser("daemon", &hb), S_OK);
    CHECK_HR(HostSec_DuplicateTokenEx(hb, TOKEN_ALL_ACCESS, SecurityImpersonation, TokenImpersonation, &hbi), S_OK);
    CHECK_HR(mgr->lpVtbl->SetThreadToken(mgr, hbi), S_OK);
    CHECK_HR(open_checked(TOKEN_QUERY, TRUE, &h), S_OK);
    CHECK_HR(HostSec_CloseHandle(h), S_OK);
    CHECK_HR(open_checked(TOKEN_QUERY, FALSE, &h), S_OK);
    CHECK_HR(HostSec_CloseHandle(h), S_OK);
    CHECK_HR(util_revert(mgr), S_OK);
    HostSec_CloseHandle(hb);
    HostSec_CloseHandle(hbi);
}

static void open_as_self_true_granted_to_creator_without_dac_override(void) {
    SKIP_UNLESS_ROOT();
    CHECK(util_in_process_without("creator", DAC_CAPS));
}

/* An OWNER RIGHTS entry on a token object replaces its owner's implicit READ_CONTROL and
 * WRITE_DAC: nobody, owning its token whose DACL is D:(A;;0x8;;;OW), may query it and
 * nothing else, so it cannot rewrite the DACL to take every right. */
static void owner_rights_entry_limits_the_owner_of_a_token(void) {
    SKIP_UNLESS_ROOT();
    HANDLE logon = NULL, imp = NULL, h = NULL;
    CHECK_HR(HostSec_LogonUser("nobody", &logon), S_OK);
    CHECK_HR(HostSec_DuplicateTokenEx(logon, TOKEN_ALL_ACCESS, SecurityImpersonation, TokenImpersonation, &imp), S_OK);
    PSECURITY_DESCRIPTOR query_only = NULL;
    CHECK(HostSecW32_ConvertStringSecurityDescriptorToSecurityDescriptorA("D:(A;;0x8;;;OW)", SDDL_REVISION_1,
                                                                          &query_only, NULL));
    CHECK(HostSecW32_SetKernelObjectSecurity(imp, DACL_SECURITY_INFORMATION, query_only));
    CHECK_HR(mgr->lpVtbl->SetThreadToken(mgr, imp), S_OK);
    CHECK_HR(open_checked(WRITE_DAC, FALSE, &h), E_ACCESSDENIED);
    if (h != NULL) HostSec_CloseHandle(h);
    CHECK_HR(open_checked(READ_CONTROL, FALSE, &h), E_ACCESSDENIED);
    if (h != NULL) HostSec_CloseHandle(h);
    CHECK_HR(open_checked(TOKEN_QUERY, FALSE, &h), S_OK);
    CHECK_HR(HostSec_CloseHandle(h), S_OK);
    CHECK_HR(open_checked(MAXIMUM_ALLOWED, FALSE, &h), S_OK);
    CHECK(util_can_query(h) && !util_can_duplicate(h));
    CHECK_HR(HostSec_CloseHandle(h), S_OK);
    CHECK_HR(util_revert(mgr), S_OK);
    HostSecW32_LocalFree(query_only);
    HostSec_CloseHandle(imp);
    HostSec_CloseHandle(logon);
}

int main(int argc, char **argv) {
    mgr = hosting_manager();
    const char *body = util_body_requested(argc, argv);
    if (body != NULL) { /* a process started without CAP_DAC_OVERRIDE (util_in_process_without) */
        if (strcmp(body, "denied") == 0)
            open_as_self_denied_body();
        else if (strcmp(body, "creator") == 0)
            open_as_self_creator_body();
        else
            return 2;
        return check_current_failed ? 1 : 0;
    }
    HOSTSEC_STATISTICS base = check_stats();

    RUN_TEST(no_token_open_as_self_false_is_error_no_token);
    RUN_TEST(no_token_open_as_self_true_is_error_no_token);
    RUN_TEST(no_token_maximum_allowed_and_zero_access_are_error_no_token);
    RUN_TEST(after_revert_is_error_no_token);
    RUN_TEST(anonymous_level_open_as_self_false_is_cant_open_anonymous);
    RUN_TEST(anonymous_level_open_as_self_true_is_cant_open_anonymous);
    RUN_TEST(identification_level_open_as_self_false_is_bad_impersonation_level);
    RUN_TEST(identification_level_open_as_self_true_succeeds);
    RUN_TEST(impersonation_level_open_as_self_true_and_false_succeed);
    RUN_TEST(delegation_level_open_as_self_true_and_false_succeed);
    RUN_TEST(set_thread_token_identification_open_as_self_false_is_bad_impersonation_level);
    RUN_TEST(set_thread_token_anonymous_is_cant_open_anonymous);
    RUN_TEST(set_thread_token_impersonation_opens_that_token);
    RUN_TEST(maximum_allowed_handle_can_query_query_source_duplicate_and_impersonate);
    RUN_TEST(maximum_allowed_as_impersonated_identity_succeeds);
    RUN_TEST(zero_access_gives_handle_that_cannot_query_or_duplicate);
    RUN_TEST(generic_read_maps_to_query_query_source_and_duplicate);
    RUN_TEST(generic_execute_maps_to_impersonate_without_query);
    RUN_TEST(generic_write_maps_to_adjust_rights_only);
    RUN_TEST(generic_all_grants_every_token_right);
    RUN_TEST(exact_rights_grant_only_those_rights);
    RUN_TEST(synchronize_is_access_denied);
    RUN_TEST(other_rights_a_token_cannot_have_are_access_denied);
    RUN_TEST(null_out_pointer_is_e_pointer);
    RUN_TEST(open_as_self_true_denied_when_self_neither_user_nor_creator);
    RUN_TEST(open_as_self_true_granted_to_self_with_cap_dac_override);
    RUN_TEST(open_as_self_true_granted_to_creator_without_dac_override);
    RUN_TEST(owner_rights_entry_limits_the_owner_of_a_token);

    HOSTSEC_STATISTICS end = check_stats();
    CHECK(end.LiveHandles == base.LiveHandles);
    CHECK(end.ImpersonatingThreads == base.ImpersonatingThreads);
    CHECK(end.LiveTokens <= base.LiveTokens + 1); /* the thread's cached process token */
    mgr->lpVtbl->Release(mgr);
    if (check_current_failed) check_failures++;
    CHECK_EXIT();
}
