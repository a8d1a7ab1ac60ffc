/* Conformance of hostsec's Win32 names with Windows' documented behaviour, written as a
 * Windows program: <windows.h> and <sddl.h>, Win32 calls, the C library for printing and the
 * thread and /proc reads that show what the kernel holds. Run by test-win32.sh as root and
 * again without CAP_SETUID/CAP_SETGID; prints "ok   name" per test. */
#include <windows.h>
#include <sddl.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "../check.h"

static unsigned long long cap_eff(void) { return thread_cap("CapEff"); }
static unsigned long long cap_prm(void) { return thread_cap("CapPrm"); }
#define CAP_DAC_READ_SEARCH_BIT (1ull << 2)
#define CAP_SETUID_BIT          (1ull << 7)

static BOOL sid_is(PSID sid, const char *text) {
    LPSTR s = NULL;
    if (!ConvertSidToStringSidA(sid, &s)) return FALSE;
    BOOL same = strcmp(s, text) == 0;
    if (!same) fprintf(stderr, "  SID %s, expected %s\n", s, text);
    LocalFree(s);
    return same;
}

static HANDLE process_token(DWORD access) {
    HANDLE h = NULL;
    CHECK(OpenProcessToken(GetCurrentProcess(), access, &h));
    return h;
}

static void *info(HANDLE token, TOKEN_INFORMATION_CLASS c) {
    static unsigned char buffer[8192];
    DWORD len = 0;
    CHECK(GetTokenInformation(token, c, buffer, sizeof buffer, &len));
    return buffer;
}

static DWORD privilege_attributes(HANDLE token, const char *name) {
    LUID luid;
    if (!LookupPrivilegeValueA(NULL, name, &luid)) return 0xFFFFFFFF;
    TOKEN_PRIVILEGES *p = info(token, TokenPrivileges);
    for (DWORD i = 0; i < p->PrivilegeCount; i++)
        if (p->Privileges[i].Luid.LowPart == luid.LowPart && p->Privileges[i].Luid.HighPart == luid.HighPart)
            return p->Privileges[i].Attributes;
    return 0xFFFFFFFF; /* not held */
}

static BOOL set_privilege(HANDLE token, const char *name, DWORD attributes, TOKEN_PRIVILEGES *previous,
                          DWORD *previous_length) {
    TOKEN_PRIVILEGES tp;
    tp.PrivilegeCount = 1;
    LookupPrivilegeValueA(NULL, name, &tp.Privileges[0].Luid);
    tp.Privileges[0].Attributes = attributes;
    return AdjustTokenPrivileges(token, FALSE, &tp, previous ? sizeof *previous : 0, previous, previous_length);
}

/* ---- handles and last error ---- */

static void pseudo_handles_have_windows_values(void) {
    CHECK(GetCurrentProcess() == (HANDLE)(LONG_PTR)-1);
    CHECK(GetCurrentThread() == (HANDLE)(LONG_PTR)-2);
    CHECK(CloseHandle(GetCurrentProcess()));
    CHECK(CloseHandle(GetCurrentThread()));
}

static void close_handle_twice_is_error_invalid_handle(void) {
    HANDLE h = process_token(TOKEN_QUERY);
    CHECK(CloseHandle(h));
    SetLastError(0);
    CHECK(!CloseHandle(h) && GetLastError() == ERROR_INVALID_HANDLE);
    CHECK(!CloseHandle(NULL) && GetLastError() == ERROR_INVALID_HANDLE);
}

static void *other_thread_last_error(void *arg) {
    DWORD *seen = arg;
    seen[0] = GetLastError();
    SetLastError(77);
    seen[1] = GetLastError();
    return NULL;
}
static void last_error_is_per_thread(void) {
    DWORD seen[2] = {99, 99};
    pthread_t t;
    SetLastError(1234);
    pthread_create(&t, NULL, other_thread_last_error, seen);
    pthread_join(t, NULL);
    CHECK(seen[0] == ERROR_SUCCESS && seen[1] == 77);
    CHECK(GetLastError() == 1234);
}

/* ---- opening tokens ---- */

static void open_thread_token_without_impersonation_is_error_no_token(void) {
    HANDLE h = (HANDLE)1;
    CHECK(!OpenThreadToken(GetCurrentThread(), TOKEN_QUERY, FALSE, &h));
    CHECK(GetLastError() == ERROR_NO_TOKEN && h == NULL);
    h = (HANDLE)1;
    CHECK(!OpenThreadToken(GetCurrentThread(), TOKEN_QUERY, TRUE, &h));
    CHECK(GetLastError() == ERROR_NO_TOKEN && h == NULL);
}

static void open_token_of_another_process_or_thread_is_error_invalid_handle(void) {
    HANDLE h = (HANDLE)1;
    CHECK(!OpenProcessToken((HANDLE)(LONG_PTR)1234, TOKEN_QUERY, &h) && GetLastError() == ERROR_INVALID_HANDLE && !h);
    h = (HANDLE)1;
    CHECK(!OpenThreadToken(GetCurrentProcess(), TOKEN_QUERY, FALSE, &h) && GetLastError() == ERROR_INVALID_HANDLE &&
          !h);
    CHECK(!OpenProcessToken(GetCurrentProcess(), TOKEN_QUERY, NULL) && GetLastError() == ERROR_NOACCESS);
}

static void impersonation_levels_open_as_windows_says(void) {
    HANDLE h = NULL;
    CHECK(ImpersonateSelf(SecurityIdentification));
    CHECK(!OpenThreadToken(GetCurrentThread(), TOKEN_QUERY, FALSE, &h) &&
          GetLastError() == ERROR_BAD_IMPERSONATION_LEVEL && !h);
    CHECK(OpenThreadToken(GetCurrentThread(), TOKEN_QUERY, TRUE, &h));
    CHECK(*(SECURITY_IMPERSONATION_LEVEL *)info(h, TokenImpersonationLevel) == SecurityIdentification);
    CHECK(CloseHandle(h));
    CHECK(ImpersonateSelf(SecurityAnonymous));
    h = (HANDLE)1;
    CHECK(!OpenThreadToken(GetCurrentThread(), TOKEN_QUERY, TRUE, &h) && GetLastError() == ERROR_CANT_OPEN_ANONYMOUS &&
          !h);
    CHECK(ImpersonateSelf(SecurityImpersonation));
    CHECK(OpenThreadToken(GetCurrentThread(), TOKEN_QUERY, FALSE, &h));
    CHECK(*(TOKEN_TYPE *)info(h, TokenType) == TokenImpersonation);
    CHECK(CloseHandle(h));
    CHECK(!ImpersonateSelf((SECURITY_IMPERSONATION_LEVEL)7) && GetLastError() == ERROR_INVALID_PARAMETER);
    CHECK(RevertToSelf());
    CHECK(!OpenThreadToken(GetCurrentThread(), TOKEN_QUERY, FALSE, &h) && GetLastError() == ERROR_NO_TOKEN);
}

static void set_thread_token_takes_only_the_calling_thread(void) {
    HANDLE p = process_token(TOKEN_DUPLICATE | TOKEN_QUERY | TOKEN_IMPERSONATE), imp = NULL, h = NULL,
           other = (HANDLE)(LONG_PTR)1234;
    CHECK(DuplicateToken(p, SecurityImpersonation, &imp));
    CHECK(!SetThreadToken(&other, imp) && GetLastError() == ERROR_INVALID_HANDLE);
    CHECK(!SetThreadToken(NULL, p) && GetLastError() == ERROR_BAD_TOKEN_TYPE);
    HANDLE self = GetCurrentThread();
    CHECK(SetThreadToken(&self, imp));
    CHECK(OpenThreadToken(GetCurrentThread(), TOKEN_QUERY, FALSE, &h));
    CHECK(CloseHandle(h));
    CHECK(SetThreadToken(NULL, NULL));
    CHECK(!OpenThreadToken(GetCurrentThread(), TOKEN_QUERY, FALSE, &h) && GetLastError() == ERROR_NO_TOKEN);
    CloseHandle(imp);
    CloseHandle(p);
}

/* ---- duplication ---- */

static void duplication_follows_the_level_rules(void) {
    HANDLE p = process_token(TOKEN_DUPLICATE | TOKEN_QUERY), ident = NULL, imp = NULL, out = (HANDLE)1;
    CHECK(DuplicateTokenEx(p, 0, NULL, SecurityIdentification, TokenImpersonation, &ident));
    CHECK(!DuplicateTokenEx(ident, 0, NULL, SecurityImpersonation, TokenImpersonation, &out));
    CHECK(GetLastError() == ERROR_BAD_IMPERSONATION_LEVEL && out == NULL);
    out = (HANDLE)1;
    CHECK(!DuplicateTokenEx(ident, 0, NULL, SecurityIdentification, TokenPrimary, &out));
    CHECK(GetLastError() == ERROR_BAD_IMPERSONATION_LEVEL && out == NULL);
    CHECK(DuplicateTokenEx(ident, 0, NULL, SecurityAnonymous, TokenImpersonation, &out));
    CloseHandle(out);
    CHECK(DuplicateTokenEx(p, TOKEN_ALL_ACCESS, NULL, SecurityDelegation, TokenImpersonation, &imp));
    CHECK(DuplicateTokenEx(imp, 0, NULL, SecurityImpersonation, TokenPrimary, &out));
    CHECK(*(TOKEN_TYPE *)info(out, TokenType) == TokenPrimary);
    CloseHandle(out);
    SECURITY_ATTRIBUTES sa = {sizeof sa, (LPVOID)&sa, FALSE};
    CHECK(!DuplicateTokenEx(p, 0, &sa, SecurityImpersonation, TokenPrimary, &out) &&
          GetLastError() == ERROR_INVALID_PARAMETER);
    CHECK(!DuplicateTokenEx(p, 0, NULL, (SECURITY_IMPERSONATION_LEVEL)9, TokenPrimary, &out) &&
          GetLastError() == ERROR_INVALID_PARAMETER);
    HANDLE q = process_token(TOKEN_QUERY);
    CHECK(!DuplicateTokenEx(q, 0, NULL, SecurityImpersonation, TokenPrimary, &out) &&
          GetLastError() == ERROR_ACCESS_DENIED);
    CloseHandle(q);
    CloseHandle(ident);
    CloseHandle(imp);
    CloseHandle(p);
}

static void duplicate_token_grants_impersonate_and_query(void) {
    HANDLE p = process_token(TOKEN_DUPLICATE | TOKEN_QUERY), d = NULL;
    CHECK(DuplicateToken(p, SecurityImpersonation, &d));
    CHECK(*(TOKEN_TYPE *)info(d, TokenType) == TokenImpersonation);
    CHECK(!set_privilege(d, SE_CHANGE_NOTIFY_NAME, SE_PRIVILEGE_ENABLED, NULL, NULL) &&
          GetLastError() == ERROR_ACCESS_DENIED);
    CloseHandle(d);
    CloseHandle(p);
}

/* ---- GetTokenInformation ---- */

static void get_token_information_follows_the_buffer_size_protocol(void) {
    HANDLE h = process_token(TOKEN_QUERY);
    DWORD need = 0, got = 0;
    CHECK(!GetTokenInformation(h, TokenUser, NULL, 0, &need) && GetLastError() == ERROR_INSUFFICIENT_BUFFER);
    CHECK(need == sizeof(TOKEN_USER) + 16); /* S-1-22-1-uid: 8 + 2 * 4 */
    unsigned char buffer[256];
    memset(buffer, 0xAB, sizeof buffer);
    CHECK(!GetTokenInformation(h, TokenUser, buffer, need - 1, &got) && GetLastError() == ERROR_INSUFFICIENT_BUFFER);
    CHECK(got == need && buffer[0] == 0xAB);
    CHECK(GetTokenInformation(h, TokenUser, buffer, need, &got) && got == need);
    TOKEN_USER *user = (TOKEN_USER *)buffer;
    CHECK((unsigned char *)user->User.Sid >= buffer && (unsigned char *)user->User.Sid < buffer + need);
    char want[64];
    snprintf(want, sizeof want, "S-1-22-1-%u", (unsigned)geteuid());
    CHECK(sid_is(user->User.Sid, want));
    CHECK(!GetTokenInformation(h, TokenUser, buffer, sizeof buffer, NULL) && GetLastError() == ERROR_NOACCESS);
    CHECK(!GetTokenInformation(h, TokenImpersonationLevel, buffer, sizeof buffer, &got) &&
          GetLastError() == ERROR_INVALID_PARAMETER);
    CHECK(!GetTokenInformation(h, (TOKEN_INFORMATION_CLASS)99, buffer, sizeof buffer, &got) &&
          GetLastError() == ERROR_INVALID_PARAMETER);
    CHECK(!GetTokenInformation(h, TokenSource, buffer, sizeof buffer, &got) && GetLastError() == ERROR_ACCESS_DENIED);
    CloseHandle(h);
    h = process_token(TOKEN_QUERY_SOURCE);
    CHECK(!GetTokenInformation(h, TokenUser, buffer, sizeof buffer, &got) && GetLastError() == ERROR_ACCESS_DENIED);
    CHECK(GetTokenInformation(h, TokenSource, buffer, sizeof buffer, &got) && got == sizeof(TOKEN_SOURCE));
    CHECK(memcmp(((TOKEN_SOURCE *)buffer)->SourceName, "Process", 8) == 0);
    CloseHandle(h);
    CHECK(!GetTokenInformation((HANDLE)(LONG_PTR)0x1234, TokenUser, buffer, sizeof buffer, &got) &&
          GetLastError() == ERROR_INVALID_HANDLE);
}

static void token_groups_start_with_the_primary_group_and_hold_everyone(void) {
    HANDLE h = process_token(TOKEN_QUERY);
    TOKEN_GROUPS *g = info(h, TokenGroups);
    char want[64];
    snprintf(want, sizeof want, "S-1-22-2-%u", (unsigned)getegid());
    CHECK(g->GroupCount >= 4);
    CHECK(sid_is(g->Groups[0].Sid, want));
    BOOL everyone = FALSE, authenticated = FALSE;
    for (DWORD i = 0; i < g->GroupCount; i++) {
        LPSTR s = NULL;
        ConvertSidToStringSidA(g->Groups[i].Sid, &s);
        if (strcmp(s, "S-1-1-0") == 0)
            everyone = g->Groups[i].Attributes == (SE_GROUP_MANDATORY | SE_GROUP_ENABLED_BY_DEFAULT | SE_GROUP_ENABLED);
        if (strcmp(s, "S-1-5-11") == 0) authenticated = TRUE;
        LocalFree(s);
    }
    CHECK(everyone && authenticated);
    DWORD groups = g->GroupCount;
    TOKEN_PRIMARY_GROUP *pg = info(h, TokenPrimaryGroup);
    CHECK(sid_is(pg->PrimaryGroup, want));
    TOKEN_OWNER *o = info(h, TokenOwner);
    snprintf(want, sizeof want, "S-1-22-1-%u", (unsigned)geteuid());
    CHECK(sid_is(o->Owner, want));
    TOKEN_STATISTICS *st = info(h, TokenStatistics);
    CHECK(st->TokenType == TokenPrimary && st->GroupCount == groups);
    CHECK(st->TokenId.LowPart == st->ModifiedId.LowPart && st->TokenId.HighPart == st->ModifiedId.HighPart);
    DWORD privileges = st->PrivilegeCount;
    CHECK(((TOKEN_PRIVILEGES *)info(h, TokenPrivileges))->PrivilegeCount == privileges);
    CloseHandle(h);
}

static void change_notify_is_always_held_and_enabled(void) {
    HANDLE h = process_token(TOKEN_QUERY | TOKEN_ADJUST_PRIVILEGES);
    CHECK(privilege_attributes(h, SE_CHANGE_NOTIFY_NAME) == (SE_PRIVILEGE_ENABLED | SE_PRIVILEGE_ENABLED_BY_DEFAULT));
    CHECK(set_privilege(h, SE_CHANGE_NOTIFY_NAME, 0, NULL, NULL) && GetLastError() == ERROR_SUCCESS);
    CHECK(privilege_attributes(h, SE_CHANGE_NOTIFY_NAME) == (SE_PRIVILEGE_ENABLED | SE_PRIVILEGE_ENABLED_BY_DEFAULT));
    CloseHandle(h);
}

static void privileges_list_what_the_capabilities_give(void) {
    HANDLE h = process_token(TOKEN_QUERY);
    BOOL setuid_held = (cap_prm() & CAP_SETUID_BIT) != 0;
    DWORD a = privilege_attributes(h, SE_IMPERSONATE_NAME);
    CHECK(setuid_held ? (a & SE_PRIVILEGE_ENABLED) != 0 : a == 0xFFFFFFFF);
    a = privilege_attributes(h, SE_BACKUP_NAME);
    CHECK((cap_prm() & CAP_DAC_READ_SEARCH_BIT) ? (a & SE_PRIVILEGE_ENABLED) != 0 : a == 0xFFFFFFFF);
    CHECK(privilege_attributes(h, SE_TAKE_OWNERSHIP_NAME) == 0xFFFFFFFF); /* no capability: never held */
    CloseHandle(h);
}

/* ---- SIDs ---- */

static void sids_round_trip_through_strings(void) {
    const char *texts[] = {"S-1-22-1-1000",
                           "S-1-22-2-0",
                           "S-1-1-0",
                           "S-1-5-32-544",
                           "S-1-0x123456789ABC-1-2",
                           "S-1-5-21-1-2-3-4-5-6-7-8-9-10-11-12-13-14"};
    for (size_t i = 0; i < sizeof texts / sizeof texts[0]; i++) {
        PSID sid = NULL;
        CHECK(ConvertStringSidToSidA(texts[i], &sid));
        CHECK(IsValidSid(sid));
        CHECK(sid_is(sid, texts[i]));
        CHECK(LocalFree(sid) == NULL);
    }
    PSID sid = NULL;
    CHECK(ConvertStringSidToSidA("WD", &sid) && sid_is(sid, "S-1-1-0"));
    LocalFree(sid);
    const char *bad[] = {"",
                         "S-1",
                         "S-2-1-0",
                         "S-1-x-0",
                         "S-1-5-4294967296",
                         "S-1-5-",
                         "S-1-0x1000000000000-1",
                         "S-1-5-1-2-3-4-5-6-7-8-9-10-11-12-13-14-15-16",
                         "XX"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        sid = (PSID)1;
        CHECK(!ConvertStringSidToSidA(bad[i], &sid) && GetLastError() == ERROR_INVALID_SID && sid == NULL);
    }
    CHECK(!ConvertStringSidToSidA(NULL, &sid) && GetLastError() == ERROR_INVALID_PARAMETER);
}

static void local_free_frees_only_what_the_library_allocated(void) {
    char mine[16];
    CHECK(LocalFree(NULL) == NULL);
    SetLastError(0);
    CHECK(LocalFree(mine) == mine && GetLastError() == ERROR_INVALID_HANDLE);
    PSID sid = NULL;
    ConvertStringSidToSidA("S-1-1-0", &sid);
    CHECK(LocalFree(sid) == NULL);
    CHECK(LocalFree(sid) == sid); /* a second free is refused */
}

static void allocate_and_initialize_sid_builds_windows_sids(void) {
    SID_IDENTIFIER_AUTHORITY nt = SECURITY_NT_AUTHORITY;
    PSID admins = NULL, copy_of = NULL;
    CHECK(AllocateAndInitializeSid(&nt, 2, SECURITY_BUILTIN_DOMAIN_RID, DOMAIN_ALIAS_RID_ADMINS, 0, 0, 0, 0, 0, 0,
                                   &admins));
    CHECK(sid_is(admins, "S-1-5-32-544"));
    CHECK(GetLengthSid(admins) == 16);
    CHECK(*GetSidSubAuthorityCount(admins) == 2 && *GetSidSubAuthority(admins, 1) == 544);
    ConvertStringSidToSidA("BA", &copy_of);
    CHECK(EqualSid(admins, copy_of));
    unsigned char small[12], big[SECURITY_MAX_SID_SIZE];
    CHECK(!CopySid(sizeof small, small, admins) && GetLastError() == ERROR_INSUFFICIENT_BUFFER);
    CHECK(CopySid(sizeof big, big, admins) && EqualSid(big, admins));
    CHECK(!AllocateAndInitializeSid(&nt, 9, 0, 0, 0, 0, 0, 0, 0, 0, &copy_of) &&
          GetLastError() == ERROR_INVALID_PARAMETER && copy_of == NULL);
    unsigned char bogus[8] = {2, 1};
    CHECK(!IsValidSid(bogus));
    CHECK(GetLengthSid(bogus) == 0);
    CHECK(FreeSid(admins) == NULL);
    CHECK(FreeSid(big) == big);
}

static void lookup_account_sid_follows_the_buffer_size_protocol(void) {
    PSID sid = NULL;
    ConvertStringSidToSidA("S-1-22-1-0", &sid);
    char name[64], domain[64];
    DWORD n = 0, d = 0;
    SID_NAME_USE use = 0;
    CHECK(!LookupAccountSidA(NULL, sid, NULL, &n, NULL, &d, &use) && GetLastError() == ERROR_INSUFFICIENT_BUFFER);
    CHECK(n == 5 && d == 10); /* "root" and "Unix User" with their NULs */
    CHECK(LookupAccountSidA(NULL, sid, name, &n, domain, &d, &use));
    CHECK(strcmp(name, "root") == 0 && strcmp(domain, "Unix User") == 0 && use == SidTypeUser && n == 4 && d == 9);
    LocalFree(sid);
    ConvertStringSidToSidA("S-1-22-2-0", &sid);
    n = d = 64;
    CHECK(LookupAccountSidA(NULL, sid, name, &n, domain, &d, &use) && strcmp(domain, "Unix Group") == 0 &&
          use == SidTypeGroup);
    LocalFree(sid);
    ConvertStringSidToSidA("S-1-1-0", &sid);
    n = d = 64;
    CHECK(LookupAccountSidA(NULL, sid, name, &n, domain, &d, &use) && strcmp(name, "Everyone") == 0 &&
          use == SidTypeWellKnownGroup);
    LocalFree(sid);
    ConvertStringSidToSidA("S-1-22-1-3999999999", &sid);
    n = d = 64;
    CHECK(!LookupAccountSidA(NULL, sid, name, &n, domain, &d, &use) && GetLastError() == ERROR_NONE_MAPPED);
    LocalFree(sid);
}

static void lookup_account_name_gives_the_sid(void) {
    unsigned char sid[SECURITY_MAX_SID_SIZE];
    char domain[64];
    DWORD cb = 0, d = 0;
    SID_NAME_USE use = 0;
    CHECK(!LookupAccountNameA(NULL, "root", NULL, &cb, NULL, &d, &use) && GetLastError() == ERROR_INSUFFICIENT_BUFFER);
    CHECK(cb == 16 && d == 10);
    CHECK(LookupAccountNameA(NULL, "root", sid, &cb, domain, &d, &use) && sid_is(sid, "S-1-22-1-0") &&
          use == SidTypeUser);
    cb = sizeof sid;
    d = sizeof domain;
    CHECK(LookupAccountNameA(NULL, "Unix Group\\root", sid, &cb, domain, &d, &use) && sid_is(sid, "S-1-22-2-0"));
    cb = sizeof sid;
    d = sizeof domain;
    CHECK(LookupAccountNameA(NULL, "nt authority\\authenticated users", sid, &cb, domain, &d, &use) &&
          sid_is(sid, "S-1-5-11"));
    cb = sizeof sid;
    d = sizeof domain;
    CHECK(!LookupAccountNameA(NULL, "no-such-account-here", sid, &cb, domain, &d, &use) &&
          GetLastError() == ERROR_NONE_MAPPED);
}

static void check_token_membership_counts_user_and_groups(void) {
    PSID everyone = NULL, admins = NULL, me = NULL;
    char text[64];
    BOOL member = 7;
    ConvertStringSidToSidA("S-1-1-0", &everyone);
    ConvertStringSidToSidA("S-1-5-32-544", &admins);
    snprintf(text, sizeof text, "S-1-22-1-%u", (unsigned)geteuid());
    ConvertStringSidToSidA(text, &me);
    CHECK(CheckTokenMembership(NULL, everyone, &member) && member == TRUE);
    CHECK(CheckTokenMembership(NULL, me, &member) && member == TRUE);
    CHECK(CheckTokenMembership(NULL, admins, &member) && member == (geteuid() == 0));
    HANDLE p = process_token(TOKEN_QUERY | TOKEN_DUPLICATE), imp = NULL;
    CHECK(!CheckTokenMembership(p, everyone, &member) && GetLastError() == ERROR_NO_IMPERSONATION_TOKEN);
    CHECK(DuplicateToken(p, SecurityIdentification, &imp));
    CHECK(CheckTokenMembership(imp, everyone, &member) && member == TRUE);
    CloseHandle(imp);
    CloseHandle(p);
    LocalFree(everyone);
    LocalFree(admins);
    LocalFree(me);
}

/* ---- privileges ---- */

static void privilege_names_and_values_round_trip(void) {
    LUID luid;
    char name[64];
    DWORD n = 0;
    CHECK(LookupPrivilegeValueA(NULL, SE_BACKUP_NAME, &luid) && luid.LowPart == 17 && luid.HighPart == 0);
    CHECK(LookupPrivilegeValueA(NULL, "sebackupprivilege", &luid) && luid.LowPart == 17);
    CHECK(LookupPrivilegeValueA(NULL, SE_CHANGE_NOTIFY_NAME, &luid) && luid.LowPart == 23);
    CHECK(!LookupPrivilegeValueA(NULL, "SeNoSuchPrivilege", &luid) && GetLastError() == ERROR_NO_SUCH_PRIVILEGE);
    CHECK(LookupPrivilegeValueA(NULL, SE_IMPERSONATE_NAME, &luid));
    CHECK(!LookupPrivilegeNameA(NULL, &luid, NULL, &n) && GetLastError() == ERROR_INSUFFICIENT_BUFFER && n == 23);
    CHECK(LookupPrivilegeNameA(NULL, &luid, name, &n) && strcmp(name, SE_IMPERSONATE_NAME) == 0 && n == 22);
    CHECK(LookupPrivilegeValueA(NULL, "SeLinuxKillPrivilege", &luid) && luid.LowPart == 0x105);
    DWORD lang = 0;
    n = sizeof name;
    CHECK(LookupPrivilegeDisplayNameA(NULL, SE_CHANGE_NOTIFY_NAME, name, &n, &lang) &&
          strcmp(name, "Bypass traverse checking") == 0);
    CHECK(!LookupPrivilegeValueA("othermachine", SE_BACKUP_NAME, &luid) && GetLastError() == ERROR_INVALID_PARAMETER);
}

static void adjust_privileges_asks_for_token_adjust_privileges(void) {
    HANDLE h = process_token(TOKEN_QUERY);
    CHECK(!set_privilege(h, SE_BACKUP_NAME, SE_PRIVILEGE_ENABLED, NULL, NULL) && GetLastError() == ERROR_ACCESS_DENIED);
    CloseHandle(h);
}

static void adjust_privileges_one_the_token_lacks_is_not_all_assigned(void) {
    HANDLE h = process_token(TOKEN_QUERY | TOKEN_ADJUST_PRIVILEGES);
    SetLastError(1234);
    CHECK(set_privilege(h, SE_TAKE_OWNERSHIP_NAME, SE_PRIVILEGE_ENABLED, NULL, NULL));
    CHECK(GetLastError() == ERROR_NOT_ALL_ASSIGNED);
    CHECK(set_privilege(h, SE_CHANGE_NOTIFY_NAME, SE_PRIVILEGE_ENABLED, NULL, NULL) && GetLastError() == ERROR_SUCCESS);
    CloseHandle(h);
}

/* ImpersonateSelf, then the thread token's SeBackupPrivilege (CAP_DAC_READ_SEARCH) off and on:
 * the kernel's effective set follows at once; RevertToSelf gives the process's back. */
static void adjust_privileges_on_the_thread_token_changes_the_thread_at_once(void) {
    if (!(cap_prm() & CAP_DAC_READ_SEARCH_BIT)) {
        printf("# skipped: no CAP_DAC_READ_SEARCH\n");
        return;
    }
    unsigned long long before = cap_eff();
    HANDLE h = NULL;
    CHECK(ImpersonateSelf(SecurityImpersonation));
    CHECK(OpenThreadToken(GetCurrentThread(), TOKEN_QUERY | TOKEN_ADJUST_PRIVILEGES, FALSE, &h));
    TOKEN_PRIVILEGES previous;
    DWORD length = 0;
    CHECK(set_privilege(h, SE_BACKUP_NAME, 0, &previous, &length) && GetLastError() == ERROR_SUCCESS);
    CHECK(length == sizeof previous && previous.PrivilegeCount == 1 && previous.Privileges[0].Luid.LowPart == 17);
    CHECK(previous.Privileges[0].Attributes & SE_PRIVILEGE_ENABLED);
    CHECK((cap_eff() & CAP_DAC_READ_SEARCH_BIT) == 0);
    CHECK((privilege_attributes(h, SE_BACKUP_NAME) & SE_PRIVILEGE_ENABLED) == 0);
    CHECK(set_privilege(h, SE_BACKUP_NAME, SE_PRIVILEGE_ENABLED, &previous, &length));
    CHECK(length == sizeof previous && (previous.Privileges[0].Attributes & SE_PRIVILEGE_ENABLED) == 0);
    CHECK(cap_eff() & CAP_DAC_READ_SEARCH_BIT);
    CHECK(set_privilege(h, SE_BACKUP_NAME, 0, NULL, NULL));
    CHECK(RevertToSelf());
    CHECK(cap_eff() == before);
    CloseHandle(h);
}

static void adjust_privileges_with_a_small_previous_state_changes_nothing(void) {
    if (!(cap_prm() & CAP_DAC_READ_SEARCH_BIT)) {
        printf("# skipped: no CAP_DAC_READ_SEARCH\n");
        return;
    }
    HANDLE h = NULL;
    CHECK(ImpersonateSelf(SecurityImpersonation));
    CHECK(OpenThreadToken(GetCurrentThread(), TOKEN_QUERY | TOKEN_ADJUST_PRIVILEGES, FALSE, &h));
    TOKEN_PRIVILEGES tp, previous;
    DWORD length = 0;
    tp.PrivilegeCount = 1;
    LookupPrivilegeValueA(NULL, SE_BACKUP_NAME, &tp.Privileges[0].Luid);
    tp.Privileges[0].Attributes = 0;
    CHECK(!AdjustTokenPrivileges(h, FALSE, &tp, 4, &previous, &length) && GetLastError() == ERROR_INSUFFICIENT_BUFFER);
    CHECK(length == sizeof previous);
    CHECK(privilege_attributes(h, SE_BACKUP_NAME) & SE_PRIVILEGE_ENABLED);
    CHECK(cap_eff() & CAP_DAC_READ_SEARCH_BIT);
    CHECK(RevertToSelf());
    CloseHandle(h);
}

static void disable_all_privileges_leaves_change_notify(void) {
    HANDLE h = NULL;
    unsigned long long before = cap_eff();
    CHECK(ImpersonateSelf(SecurityImpersonation));
    CHECK(OpenThreadToken(GetCurrentThread(), TOKEN_QUERY | TOKEN_ADJUST_PRIVILEGES, FALSE, &h));
    CHECK(AdjustTokenPrivileges(h, TRUE, NULL, 0, NULL, NULL) && GetLastError() == ERROR_SUCCESS);
    CHECK(cap_eff() == 0);
    TOKEN_PRIVILEGES *p = info(h, TokenPrivileges);
    for (DWORD i = 0; i < p->PrivilegeCount; i++)
        CHECK(p->Privileges[i].Luid.LowPart == 23 ? p->Privileges[i].Attributes == 3
                                                  : (p->Privileges[i].Attributes & 2) == 0);
    CHECK(RevertToSelf());
    CHECK(cap_eff() == before);
    CloseHandle(h);
}

static HANDLE shared_process_token;
static pthread_mutex_t step_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t step_cond = PTHREAD_COND_INITIALIZER;
static int step;
static unsigned long long other_before, other_after;
static void wait_step(int s) {
    pthread_mutex_lock(&step_lock);
    while (step < s) pthread_cond_wait(&step_cond, &step_lock);
    pthread_mutex_unlock(&step_lock);
}
static void set_step(int s) {
    pthread_mutex_lock(&step_lock);
    step = s;
    pthread_cond_broadcast(&step_cond);
    pthread_mutex_unlock(&step_lock);
}
static void *process_token_follower(void *arg) {
    (void)arg;
    HANDLE h = NULL;
    OpenThreadToken(GetCurrentThread(), TOKEN_QUERY, FALSE, &h); /* enters the library */
    set_step(1);
    wait_step(2);
    other_before = cap_eff();                               /* not followed yet */
    OpenProcessToken(GetCurrentProcess(), TOKEN_QUERY, &h); /* its next call */
    CloseHandle(h);
    other_after = cap_eff();
    set_step(3);
    return NULL;
}

/* The process token: every handle sees the change, the calling thread's effective set changes
 * at once, another thread's at its next call into the library. */
static void adjust_privileges_on_the_process_token_reaches_each_thread_at_its_next_call(void) {
    if (!(cap_prm() & CAP_DAC_READ_SEARCH_BIT)) {
        printf("# skipped: no CAP_DAC_READ_SEARCH\n");
        return;
    }
    unsigned long long before = cap_eff();
    pthread_t t;
    step = 0;
    pthread_create(&t, NULL, process_token_follower, NULL);
    wait_step(1);
    shared_process_token = process_token(TOKEN_QUERY | TOKEN_ADJUST_PRIVILEGES);
    HANDLE second = process_token(TOKEN_QUERY);
    CHECK(set_privilege(shared_process_token, SE_BACKUP_NAME, 0, NULL, NULL) && GetLastError() == ERROR_SUCCESS);
    CHECK((cap_eff() & CAP_DAC_READ_SEARCH_BIT) == 0);
    CHECK((privilege_attributes(second, SE_BACKUP_NAME) & SE_PRIVILEGE_ENABLED) == 0);
    TOKEN_STATISTICS *st = info(second, TokenStatistics);
    CHECK(st->ModifiedId.LowPart != st->TokenId.LowPart || st->ModifiedId.HighPart != st->TokenId.HighPart);
    set_step(2);
    wait_step(3);
    pthread_join(t, NULL);
    CHECK(other_before & CAP_DAC_READ_SEARCH_BIT);
    CHECK((other_after & CAP_DAC_READ_SEARCH_BIT) == 0);
    CHECK(set_privilege(shared_process_token, SE_BACKUP_NAME, SE_PRIVILEGE_ENABLED, NULL, NULL) &&
          GetLastError() == ERROR_SUCCESS);
    CHECK(cap_eff() == before);
    CloseHandle(second);
    CloseHandle(shared_process_token);
}

static void privilege_check_asks_for_an_impersonation_token(void) {
    HANDLE p = process_token(TOKEN_QUERY | TOKEN_DUPLICATE), imp = NULL;
    PRIVILEGE_SET set;
    BOOL result = 7;
    set.PrivilegeCount = 1;
    set.Control = PRIVILEGE_SET_ALL_NECESSARY;
    LookupPrivilegeValueA(NULL, SE_CHANGE_NOTIFY_NAME, &set.Privilege[0].Luid);
    set.Privilege[0].Attributes = 0;
    CHECK(!PrivilegeCheck(p, &set, &result) && GetLastError() == ERROR_NO_IMPERSONATION_TOKEN);
    CHECK(DuplicateToken(p, SecurityImpersonation, &imp));
    CHECK(PrivilegeCheck(imp, &set, &result) && result == TRUE);
    CHECK(set.Privilege[0].Attributes & SE_PRIVILEGE_USED_FOR_ACCESS);
    LookupPrivilegeValueA(NULL, SE_IMPERSONATE_NAME, &set.Privilege[0].Luid);
    set.Privilege[0].Attributes = 0;
    CHECK(PrivilegeCheck(imp, &set, &result) && result == ((cap_prm() & CAP_SETUID_BIT) != 0));
    CloseHandle(imp);
    CHECK(DuplicateToken(p, SecurityAnonymous, &imp));
    CHECK(!PrivilegeCheck(imp, &set, &result) && GetLastError() == ERROR_BAD_IMPERSONATION_LEVEL);
    CloseHandle(imp);
    CloseHandle(p);
}

static void logon_user_checks_its_arguments(void) {
    HANDLE h = (HANDLE)1;
    CHECK(!LogonUserA("root", NULL, "x", 99, LOGON32_PROVIDER_DEFAULT, &h) &&
          GetLastError() == ERROR_INVALID_PARAMETER && h == NULL);
    h = (HANDLE)1;
    CHECK(!LogonUserA("root", NULL, "x", LOGON32_LOGON_NETWORK, 7, &h) && GetLastError() == ERROR_INVALID_PARAMETER &&
          h == NULL);
    CHECK(!LogonUserA("root", "OTHERDOMAIN", "x", LOGON32_LOGON_NETWORK, 0, &h) &&
          GetLastError() == ERROR_INVALID_PARAMETER);
    CHECK(!LogonUserA(NULL, NULL, "x", LOGON32_LOGON_NETWORK, 0, &h) && GetLastError() == ERROR_INVALID_PARAMETER);
    CHECK(!LogonUserA("root", NULL, "x", LOGON32_LOGON_NETWORK, 0, NULL) && GetLastError() == ERROR_NOACCESS);
}

int main(void) {
    if (!(cap_prm() & CAP_SETUID_BIT)) printf("# unprivileged: no CAP_SETUID\n");
    RUN_TEST(pseudo_handles_have_windows_values);
    RUN_TEST(close_handle_twice_is_error_invalid_handle);
    RUN_TEST(last_error_is_per_thread);
    RUN_TEST(open_thread_token_without_impersonation_is_error_no_token);
    RUN_TEST(open_token_of_another_process_or_thread_is_error_invalid_handle);
    RUN_TEST(impersonation_levels_open_as_windows_says);
    RUN_TEST(set_thread_token_takes_only_the_calling_thread);
    RUN_TEST(duplication_follows_the_level_rules);
    RUN_TEST(duplicate_token_grants_impersonate_and_query);
    RUN_TEST(get_token_information_follows_the_buffer_size_protocol);
    RUN_TEST(token_groups_start_with_the_primary_group_and_hold_everyone);
    RUN_TEST(change_notify_is_always_held_and_enabled);
    RUN_TEST(privileges_list_what_the_capabilities_give);
    RUN_TEST(sids_round_trip_through_strings);
    RUN_TEST(local_free_frees_only_what_the_library_allocated);
    RUN_TEST(allocate_and_initialize_sid_builds_windows_sids);
    RUN_TEST(lookup_account_sid_follows_the_buffer_size_protocol);
    RUN_TEST(lookup_account_name_gives_the_sid);
    RUN_TEST(check_token_membership_counts_user_and_groups);
    RUN_TEST(privilege_names_and_values_round_trip);
    RUN_TEST(adjust_privileges_asks_for_token_adjust_privileges);
    RUN_TEST(adjust_privileges_one_the_token_lacks_is_not_all_assigned);
    RUN_TEST(adjust_privileges_on_the_thread_token_changes_the_thread_at_once);
    RUN_TEST(adjust_privileges_with_a_small_previous_state_changes_nothing);
    RUN_TEST(disable_all_privileges_leaves_change_notify);
    RUN_TEST(adjust_privileges_on_the_process_token_reaches_each_thread_at_its_next_call);
    RUN_TEST(privilege_check_asks_for_an_impersonation_token);
    RUN_TEST(logon_user_checks_its_arguments);
    CHECK_EXIT();
}
