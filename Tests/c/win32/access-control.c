/* Conformance of hostsec's security descriptors, ACLs, SDDL, AccessCheck, token object
 * security and restricted tokens with Windows' documented behaviour, written as a Windows
 * program. Run by test-access-control.sh as root and again without CAP_SETUID/CAP_SETGID;
 * prints "ok   name" per test (docs/access-control.md names each). */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE 1 /* mkdtemp, setenv, fchdir: the process tests set up folders and PATH */
#endif
#include <windows.h>
#include <sddl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <fcntl.h>
#include <pwd.h>
#include <sys/stat.h>
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <sys/wait.h>
#include <time.h>

#include "../check.h"

static GENERIC_MAPPING mapping = {0x1, 0x2, 0x4, 0x7};
static char me[128];         /* the process user's SID string */
static int root, privileged; /* uid 0; CAP_DAC_OVERRIDE and CAP_DAC_READ_SEARCH effective */

/* An impersonation token of the process user at `level`; with no capabilities when `bare`. */
static HANDLE client(SECURITY_IMPERSONATION_LEVEL level, BOOL bare) {
    HANDLE process = NULL, dup = NULL, restricted = NULL;
    CHECK(OpenProcessToken(GetCurrentProcess(), TOKEN_DUPLICATE | TOKEN_QUERY, &process));
    CHECK(DuplicateTokenEx(process, TOKEN_ALL_ACCESS, NULL, level, TokenImpersonation, &dup));
    CloseHandle(process);
    if (!bare) return dup;
    CHECK(CreateRestrictedToken(dup, DISABLE_MAX_PRIVILEGE, 0, NULL, 0, NULL, 0, NULL, &restricted));
    CloseHandle(dup);
    return restricted;
}

static PSECURITY_DESCRIPTOR sd_of(const char *fmt) {
    char text[1024];
    PSECURITY_DESCRIPTOR sd = NULL;
    snprintf(text, sizeof text, fmt, me, me, me);
    if (!ConvertStringSecurityDescriptorToSecurityDescriptorA(text, SDDL_REVISION_1, &sd, NULL))
        fprintf(stderr, "  SDDL %s: error %u\n", text, (unsigned)GetLastError());
    return sd;
}

/* AccessCheck's answer: -1 when the call failed, else the granted mask (0 denied). */
static long long check_access(const char *sddl, HANDLE token, DWORD desired, DWORD *error) {
    PSECURITY_DESCRIPTOR sd = sd_of(sddl);
    unsigned char buffer[256];
    PRIVILEGE_SET *set = (PRIVILEGE_SET *)buffer;
    DWORD length = sizeof buffer, granted = 0xdeadbeef;
    BOOL status = 2;
    SetLastError(0xabcd);
    BOOL ok = AccessCheck(sd, token, desired, &mapping, set, &length, &granted, &status);
    *error = GetLastError();
    LocalFree(sd);
    if (!ok) return -1;
    if (!status) return granted == 0 ? 0 : -2;
    return granted;
}

static void access_check_allow_grants_what_the_entry_allows(void) {
    HANDLE t = client(SecurityIdentification, TRUE);
    DWORD e;
    CHECK(check_access("O:SYG:SYD:(A;;0x3;;;%s)", t, 0x1, &e) == 0x1);
    CHECK(check_access("O:SYG:SYD:(A;;0x3;;;%s)", t, 0x3, &e) == 0x3);
    CHECK(check_access("O:SYG:SYD:(A;;0x3;;;WD)", t, 0x2, &e) == 0x2);
    CloseHandle(t);
}

static void access_check_a_right_no_entry_allows_is_denied(void) {
    HANDLE t = client(SecurityIdentification, TRUE);
    DWORD e;
    CHECK(check_access("O:SYG:SYD:(A;;0x3;;;%s)", t, 0x4, &e) == 0 && e == ERROR_ACCESS_DENIED);
    CHECK(check_access("O:SYG:SYD:(A;;0x3;;;%s)", t, 0x5, &e) == 0 && e == ERROR_ACCESS_DENIED);
    CHECK(check_access("O:SYG:SYD:(A;;0x7;;;S-1-22-1-4000000)", t, 0x1, &e) == 0);
    CHECK(check_access("O:SYG:SYD:(A;IO;0x7;;;%s)", t, 0x1, &e) == 0); /* inherit-only: skipped */
    /* Inherited entries count like explicit ones, in order. */
    CHECK(check_access("O:SYG:SYD:(A;ID;0x1;;;%s)", t, 0x1, &e) == 0x1);
    CHECK(check_access("O:SYG:SYD:(D;ID;0x1;;;%s)(A;;0x1;;;%s)", t, 0x1, &e) == 0);
    CloseHandle(t);
}

static void access_check_deny_entry_denies(void) {
    HANDLE t = client(SecurityIdentification, TRUE);
    DWORD e;
    CHECK(check_access("O:SYG:SYD:(D;;0x1;;;%s)(A;;0x3;;;%s)", t, 0x1, &e) == 0 && e == ERROR_ACCESS_DENIED);
    CHECK(check_access("O:SYG:SYD:(D;;0x1;;;%s)(A;;0x3;;;%s)", t, 0x2, &e) == 0x2);
    CHECK(check_access("O:SYG:SYD:(D;;0x1;;;WD)(A;;0x3;;;%s)", t, 0x3, &e) == 0);
    CloseHandle(t);
}

static void access_check_entries_decide_in_order(void) {
    HANDLE t = client(SecurityIdentification, TRUE);
    DWORD e;
    /* An allow entry before the deny entry grants: the first entry that names a right decides. */
    CHECK(check_access("O:SYG:SYD:(A;;0x1;;;%s)(D;;0x1;;;%s)", t, 0x1, &e) == 0x1);
    CHECK(check_access("O:SYG:SYD:(A;;0x1;;;%s)(D;;0x3;;;%s)", t, 0x3, &e) == 0);
    CloseHandle(t);
}

static void access_check_generic_rights_map_through_the_mapping(void) {
    HANDLE t = client(SecurityIdentification, TRUE);
    DWORD e, mask = GENERIC_READ | GENERIC_EXECUTE | 0x100;
    CHECK(check_access("O:SYG:SYD:(A;;GR;;;%s)", t, 0x1, &e) == 0x1);
    CHECK(check_access("O:SYG:SYD:(A;;GR;;;%s)", t, 0x2, &e) == 0);
    CHECK(check_access("O:SYG:SYD:(A;;GA;;;%s)", t, 0x7, &e) == 0x7);
    /* DesiredAccess must be mapped first. */
    CHECK(check_access("O:SYG:SYD:(A;;GA;;;%s)", t, GENERIC_READ, &e) == -1 && e == ERROR_GENERIC_NOT_MAPPED);
    MapGenericMask(&mask, &mapping);
    CHECK(mask == 0x105);
    CloseHandle(t);
}

static void access_check_maximum_allowed_grants_every_allowed_right(void) {
    HANDLE t = client(SecurityIdentification, TRUE);
    DWORD e;
    CHECK(check_access("O:SYG:SYD:(D;;0x2;;;WD)(A;;0x7;;;%s)", t, MAXIMUM_ALLOWED, &e) == 0x5);
    CHECK(check_access("O:SYG:SYD:(A;;0x1;;;%s)(A;;0x30;;;WD)", t, MAXIMUM_ALLOWED, &e) == 0x31);
    CHECK(check_access("O:SYG:SYD:(A;;0x1;;;%s)", t, MAXIMUM_ALLOWED | 0x2, &e) == 0);
    CHECK(check_access("O:SYG:SYD:", t, MAXIMUM_ALLOWED, &e) == 0 && e == ERROR_ACCESS_DENIED);
    CHECK(check_access("O:SYG:SYD:NO_ACCESS_CONTROL", t, MAXIMUM_ALLOWED, &e) == (0x7 | 0x1F0000));
    CloseHandle(t);
}

static void access_check_owner_gets_read_control_and_write_dac(void) {
    HANDLE t = client(SecurityIdentification, TRUE);
    DWORD e;
    CHECK(check_access("O:%sG:SYD:", t, READ_CONTROL | WRITE_DAC, &e) == (READ_CONTROL | WRITE_DAC));
    CHECK(check_access("O:%sG:SYD:", t, WRITE_OWNER, &e) == 0);
    CHECK(check_access("O:%sG:SYD:", t, 0x1, &e) == 0);
    /* Granted before the DACL is read: a deny entry does not take them away. */
    CHECK(check_access("O:%sG:SYD:(D;;RCWD;;;%s)", t, READ_CONTROL, &e) == READ_CONTROL);
    CHECK(check_access("O:%sG:SYD:(A;;0x1;;;%s)", t, MAXIMUM_ALLOWED, &e) == (0x1 | READ_CONTROL | WRITE_DAC));
    CloseHandle(t);
}

/* An OWNER RIGHTS (S-1-3-4, "OW") entry replaces the owner's implicit READ_CONTROL and
 * WRITE_DAC: the owner gets what the OW entries (and its other SIDs' entries) say. An
 * inherit-only OW entry changes nothing; OW never matches a subject that is not the owner. */
static void access_check_owner_rights_entry_replaces_the_owners_implicit_rights(void) {
    HANDLE t = client(SecurityIdentification, TRUE);
    DWORD e;
    /* The review's rows, with Windows' results. */
    CHECK(check_access("O:%sG:SYD:(A;;0x1;;;OW)", t, READ_CONTROL, &e) == 0 && e == ERROR_ACCESS_DENIED);
    CHECK(check_access("O:%sG:SYD:(A;;0x1;;;OW)", t, MAXIMUM_ALLOWED, &e) == 0x1);
    CHECK(check_access("O:%sG:SYD:(D;;WD;;;OW)(A;;FA;;;WD)", t, WRITE_DAC, &e) == 0 && e == ERROR_ACCESS_DENIED);
    CHECK(check_access("O:%sG:SYD:(D;;WD;;;OW)(A;;FA;;;WD)", t, MAXIMUM_ALLOWED, &e) == (0x1F01FF & ~WRITE_DAC));
    /* OW entries and the owner's own entries add up. */
    CHECK(check_access("O:%sG:SYD:(A;;0x1;;;OW)(A;;0x2;;;%s)", t, MAXIMUM_ALLOWED, &e) == 0x3);
    /* Not the owner: OW does not match, and the owner's rights are not the caller's. */
    CHECK(check_access("O:SYG:SYD:(A;;0x7;;;OW)", t, MAXIMUM_ALLOWED, &e) == 0);
    /* An inherit-only OW entry applies to children only: the implicit rights stay. */
    CHECK(check_access("O:%sG:SYD:(A;IO;0x1;;;OW)", t, MAXIMUM_ALLOWED, &e) == (READ_CONTROL | WRITE_DAC));
    CloseHandle(t);
}

/* A restricted owner: OW matches in the restricting pass only when the owner is one of the
 * restricting SIDs (as the implicit owner rights do). */
static void access_check_owner_rights_entry_in_both_passes_of_a_restricted_token(void) {
    HANDLE base = client(SecurityIdentification, TRUE), to_everyone = NULL, to_user = NULL;
    PSID everyone = NULL, user = NULL;
    SID_IDENTIFIER_AUTHORITY world = SECURITY_WORLD_SID_AUTHORITY;
    CHECK(AllocateAndInitializeSid(&world, 1, 0, 0, 0, 0, 0, 0, 0, 0, &everyone));
    CHECK(ConvertStringSidToSidA(me, &user));
    SID_AND_ATTRIBUTES restrict_everyone = {everyone, 0}, restrict_user = {user, 0};
    CHECK(CreateRestrictedToken(base, 0, 0, NULL, 0, NULL, 1, &restrict_everyone, &to_everyone));
    CHECK(CreateRestrictedToken(base, 0, 0, NULL, 0, NULL, 1, &restrict_user, &to_user));
    DWORD e;
    CHECK(check_access("O:%sG:SYD:(A;;0x2;;;OW)(A;;0x1;;;WD)", to_everyone, MAXIMUM_ALLOWED, &e) == 0x1);
    CHECK(check_access("O:%sG:SYD:(A;;0x2;;;OW)", to_everyone, 0x2, &e) == 0 && e == ERROR_ACCESS_DENIED);
    CHECK(check_access("O:%sG:SYD:(A;;0x2;;;OW)", to_user, MAXIMUM_ALLOWED, &e) == 0x2);
    CHECK(check_access("O:%sG:SYD:(A;;0x2;;;OW)", to_user, READ_CONTROL, &e) == 0 && e == ERROR_ACCESS_DENIED);
    LocalFree(user);
    FreeSid(everyone);
    CloseHandle(to_user);
    CloseHandle(to_everyone);
    CloseHandle(base);
}

static void access_check_null_dacl_grants_everyone_everything(void) {
    HANDLE t = client(SecurityIdentification, TRUE);
    DWORD e;
    CHECK(check_access("O:SYG:SYD:NO_ACCESS_CONTROL", t, 0x1234 | WRITE_OWNER, &e) == (0x1234 | WRITE_OWNER));
    CHECK(check_access("O:SYG:SY", t, 0x7, &e) == 0x7); /* no DACL at all */
    CloseHandle(t);
}

static void access_check_empty_dacl_grants_no_one(void) {
    HANDLE t = client(SecurityIdentification, TRUE);
    DWORD e;
    CHECK(check_access("O:SYG:SYD:", t, 0x1, &e) == 0 && e == ERROR_ACCESS_DENIED);
    CHECK(check_access("O:SYG:SYD:", t, READ_CONTROL, &e) == 0);
    CloseHandle(t);
}

static void access_check_zero_desired_access_is_denied(void) {
    HANDLE t = client(SecurityIdentification, TRUE);
    DWORD e;
    CHECK(check_access("O:SYG:SYD:NO_ACCESS_CONTROL", t, 0, &e) == 0 && e == ERROR_ACCESS_DENIED);
    CloseHandle(t);
}

/* SeBackupPrivilege (CAP_DAC_READ_SEARCH) grants the mapping's read rights, SeRestorePrivilege
 * (CAP_DAC_OVERRIDE, CAP_CHOWN, CAP_FOWNER) every right, whatever the DACL says; each shows up
 * in PrivilegeSet marked SE_PRIVILEGE_USED_FOR_ACCESS. Without them: denied. */
static void access_check_backup_and_restore_privileges_grant_past_the_dacl(void) {
    HANDLE t = client(SecurityIdentification, FALSE);
    PSECURITY_DESCRIPTOR sd = sd_of("O:SYG:SYD:(D;;0x7;;;%s)");
    unsigned char buffer[256];
    PRIVILEGE_SET *set = (PRIVILEGE_SET *)buffer;
    DWORD length = sizeof buffer, granted = 0;
    BOOL status = FALSE;
    LUID backup, restore;
    CHECK(LookupPrivilegeValueA(NULL, SE_BACKUP_NAME, &backup));
    CHECK(LookupPrivilegeValueA(NULL, SE_RESTORE_NAME, &restore));
    CHECK(AccessCheck(sd, t, 0x1, &mapping, set, &length, &granted, &status));
    if (privileged) {
        CHECK(status && granted == 0x1);
        CHECK(set->PrivilegeCount == 1 && set->Privilege[0].Luid.LowPart == backup.LowPart &&
              set->Privilege[0].Attributes == SE_PRIVILEGE_USED_FOR_ACCESS);
        length = sizeof buffer;
        CHECK(AccessCheck(sd, t, 0x2 | WRITE_OWNER, &mapping, set, &length, &granted, &status));
        CHECK(status && granted == (0x2 | WRITE_OWNER));
        CHECK(set->PrivilegeCount == 1 && set->Privilege[0].Luid.LowPart == restore.LowPart);
        /* The privileges disabled: the DACL decides again. */
        CHECK(AdjustTokenPrivileges(t, TRUE, NULL, 0, NULL, NULL));
        length = sizeof buffer;
        CHECK(AccessCheck(sd, t, 0x1, &mapping, set, &length, &granted, &status));
        CHECK(!status && granted == 0 && GetLastError() == ERROR_ACCESS_DENIED && set->PrivilegeCount == 0);
    } else {
        CHECK(!status && granted == 0 && GetLastError() == ERROR_ACCESS_DENIED);
        printf("# no CAP_DAC_OVERRIDE/CAP_DAC_READ_SEARCH: the privileges grant nothing here\n");
    }
    LocalFree(sd);
    CloseHandle(t);
}

static void access_check_access_system_security_takes_se_security_privilege(void) {
    HANDLE t = client(SecurityIdentification, TRUE);
    DWORD e;
    CHECK(check_access("O:SYG:SYD:NO_ACCESS_CONTROL", t, ACCESS_SYSTEM_SECURITY, &e) == 0 &&
          e == ERROR_PRIVILEGE_NOT_HELD);
    CloseHandle(t);
}

static void access_check_asks_for_an_impersonation_token(void) {
    PSECURITY_DESCRIPTOR sd = sd_of("O:SYG:SYD:NO_ACCESS_CONTROL");
    unsigned char buffer[64];
    DWORD length = sizeof buffer, granted = 0;
    BOOL status = FALSE;
    HANDLE primary = NULL, anonymous = client(SecurityAnonymous, TRUE), query_less = NULL;
    CHECK(OpenProcessToken(GetCurrentProcess(), TOKEN_QUERY | TOKEN_DUPLICATE, &primary));
    CHECK(!AccessCheck(sd, primary, 1, &mapping, (PPRIVILEGE_SET)buffer, &length, &granted, &status) &&
          GetLastError() == ERROR_NO_IMPERSONATION_TOKEN);
    CHECK(!AccessCheck(sd, anonymous, 1, &mapping, (PPRIVILEGE_SET)buffer, &length, &granted, &status) &&
          GetLastError() == ERROR_BAD_IMPERSONATION_LEVEL);
    CHECK(DuplicateTokenEx(primary, TOKEN_IMPERSONATE, NULL, SecurityImpersonation, TokenImpersonation, &query_less));
    CHECK(!AccessCheck(sd, query_less, 1, &mapping, (PPRIVILEGE_SET)buffer, &length, &granted, &status) &&
          GetLastError() == ERROR_ACCESS_DENIED);
    HANDLE impersonation = client(SecurityImpersonation, TRUE);
    CHECK(AccessCheck(sd, impersonation, 1, &mapping, (PPRIVILEGE_SET)buffer, &length, &granted, &status) && status);
    CloseHandle(impersonation);
    CloseHandle(query_less);
    CloseHandle(anonymous);
    CloseHandle(primary);
    LocalFree(sd);
}

static void access_check_rejects_bad_arguments(void) {
    HANDLE t = client(SecurityIdentification, TRUE);
    PSECURITY_DESCRIPTOR no_owner = sd_of("G:SYD:NO_ACCESS_CONTROL"), no_group = sd_of("O:SYD:NO_ACCESS_CONTROL");
    PSECURITY_DESCRIPTOR good = sd_of("O:SYG:SYD:NO_ACCESS_CONTROL");
    unsigned char buffer[64];
    DWORD length = sizeof buffer, granted = 7;
    BOOL status = 7;
    CHECK(!AccessCheck(no_owner, t, 1, &mapping, (PPRIVILEGE_SET)buffer, &length, &granted, &status) &&
          GetLastError() == ERROR_INVALID_SECURITY_DESCR);
    CHECK(!AccessCheck(no_group, t, 1, &mapping, (PPRIVILEGE_SET)buffer, &length, &granted, &status) &&
          GetLastError() == ERROR_INVALID_SECURITY_DESCR);
    length = 4;
    CHECK(!AccessCheck(good, t, 1, &mapping, (PPRIVILEGE_SET)buffer, &length, &granted, &status) &&
          GetLastError() == ERROR_INSUFFICIENT_BUFFER && length == sizeof(PRIVILEGE_SET));
    CHECK(granted == 7 && status == 7); /* nothing written */
    length = sizeof buffer;
    CHECK(!AccessCheck(good, t, 1, &mapping, (PPRIVILEGE_SET)buffer, &length, NULL, &status) &&
          GetLastError() == ERROR_NOACCESS);
    CHECK(!AccessCheck(good, (HANDLE)(uintptr_t)0x1234, 1, &mapping, (PPRIVILEGE_SET)buffer, &length, &granted,
                       &status) &&
          GetLastError() == ERROR_INVALID_HANDLE);
    unsigned char garbage[40] = {7};
    CHECK(!AccessCheck(garbage, t, 1, &mapping, (PPRIVILEGE_SET)buffer, &length, &granted, &status) &&
          GetLastError() == ERROR_INVALID_SECURITY_DESCR);
    LocalFree(no_owner);
    LocalFree(no_group);
    LocalFree(good);
    CloseHandle(t);
}

/* Restricting SIDs: access needs the normal pass and a pass with the restricting SIDs. */
static void access_check_restricted_token_needs_both_passes(void) {
    HANDLE base = client(SecurityIdentification, TRUE), t = NULL;
    PSID everyone = NULL;
    SID_IDENTIFIER_AUTHORITY world = SECURITY_WORLD_SID_AUTHORITY;
    CHECK(AllocateAndInitializeSid(&world, 1, 0, 0, 0, 0, 0, 0, 0, 0, &everyone));
    SID_AND_ATTRIBUTES restrict_to = {everyone, 0};
    CHECK(!IsTokenRestricted(base) && GetLastError() == ERROR_SUCCESS);
    CHECK(CreateRestrictedToken(base, 0, 0, NULL, 0, NULL, 1, &restrict_to, &t));
    CHECK(IsTokenRestricted(t));
    DWORD e;
    CHECK(check_access("O:SYG:SYD:(A;;0x1;;;%s)(A;;0x2;;;WD)", t, 0x1, &e) == 0 && e == ERROR_ACCESS_DENIED);
    CHECK(check_access("O:SYG:SYD:(A;;0x1;;;%s)(A;;0x2;;;WD)", t, 0x2, &e) == 0x2);
    CHECK(check_access("O:SYG:SYD:(A;;0x3;;;WD)", t, MAXIMUM_ALLOWED, &e) == 0x3);
    /* The owner's implicit rights count in the second pass only when the owner restricts. */
    CHECK(check_access("O:%sG:SYD:(A;;0x1;;;WD)", t, READ_CONTROL, &e) == 0);
    unsigned char buffer[512];
    DWORD length = 0;
    CHECK(GetTokenInformation(t, TokenRestrictedSids, buffer, sizeof buffer, &length));
    TOKEN_GROUPS *groups = (TOKEN_GROUPS *)buffer;
    CHECK(groups->GroupCount == 1 && EqualSid(groups->Groups[0].Sid, everyone));
    BOOL member = TRUE;
    HANDLE as_user = NULL;
    CHECK(CheckTokenMembership(t, everyone, &member) && member);
    PSID user = NULL;
    CHECK(ConvertStringSidToSidA(me, &user));
    CHECK(CheckTokenMembership(t, user, &member) && !member); /* not a restricting SID */
    LocalFree(user);
    (void)as_user;
    FreeSid(everyone);
    CloseHandle(t);
    CloseHandle(base);
}

/* Disabled SIDs become deny-only: they match deny entries, never allow ones. */
static void access_check_deny_only_sids_match_deny_entries_only(void) {
    HANDLE base = client(SecurityIdentification, TRUE), t = NULL;
    PSID everyone = NULL;
    SID_IDENTIFIER_AUTHORITY world = SECURITY_WORLD_SID_AUTHORITY;
    CHECK(AllocateAndInitializeSid(&world, 1, 0, 0, 0, 0, 0, 0, 0, 0, &everyone));
    SID_AND_ATTRIBUTES disable = {everyone, 0};
    CHECK(CreateRestrictedToken(base, 0, 1, &disable, 0, NULL, 0, NULL, &t));
    CHECK(!IsTokenRestricted(t));
    DWORD e;
    CHECK(check_access("O:SYG:SYD:(A;;0x1;;;WD)", t, 0x1, &e) == 0 && e == ERROR_ACCESS_DENIED);
    CHECK(check_access("O:SYG:SYD:(D;;0x1;;;WD)(A;;0x1;;;%s)", t, 0x1, &e) == 0);
    CHECK(check_access("O:SYG:SYD:(A;;0x1;;;%s)", t, 0x1, &e) == 0x1);
    unsigned char buffer[2048];
    DWORD length = 0;
    CHECK(GetTokenInformation(t, TokenGroups, buffer, sizeof buffer, &length));
    TOKEN_GROUPS *groups = (TOKEN_GROUPS *)buffer;
    int found = 0;
    for (DWORD i = 0; i < groups->GroupCount; i++)
        if (EqualSid(groups->Groups[i].Sid, everyone)) {
            found = 1;
            CHECK(groups->Groups[i].Attributes & SE_GROUP_USE_FOR_DENY_ONLY);
            CHECK(!(groups->Groups[i].Attributes & SE_GROUP_ENABLED));
        }
    CHECK(found);
    BOOL member = TRUE;
    CHECK(CheckTokenMembership(t, everyone, &member) && !member);
    FreeSid(everyone);
    CloseHandle(t);
    CloseHandle(base);
}

/* A copy of `t` restricted by CreateRestrictedToken: `deny` made deny-only, each SID of
 * `restrict_to` (SDDL strings, `count` of them) a restricting SID; NULL when it failed. */
static HANDLE restrict_again(HANDLE t, const char *deny, const char *const *restrict_to, DWORD count) {
    SID_AND_ATTRIBUTES disable = {NULL, 0}, sids[4] = {{NULL, 0}};
    HANDLE out = NULL;
    if (deny) CHECK(ConvertStringSidToSidA(deny, &disable.Sid));
    for (DWORD i = 0; i < count; i++) CHECK(ConvertStringSidToSidA(restrict_to[i], &sids[i].Sid));
    CHECK(CreateRestrictedToken(t, 0, deny ? 1 : 0, deny ? &disable : NULL, 0, NULL, count, count ? sids : NULL, &out));
    LocalFree(disable.Sid);
    for (DWORD i = 0; i < count; i++) LocalFree(sids[i].Sid);
    return out;
}

/* The number of restricting SIDs GetTokenInformation(TokenRestrictedSids) lists, -1 on error. */
static long restricting_count(HANDLE t) {
    unsigned char buffer[512];
    DWORD length = 0;
    if (!GetTokenInformation(t, TokenRestrictedSids, buffer, sizeof buffer, &length)) return -1;
    return (long)((TOKEN_GROUPS *)buffer)->GroupCount;
}

/* A restricted token restricted again keeps the intersection of its restricting SIDs and the
 * new ones (Windows' CreateRestrictedToken); an empty intersection grants nothing; no new SIDs
 * keep the old list; deny-only SIDs add up. */
static void restricting_a_restricted_token_again_never_widens_access(void) {
    HANDLE base = client(SecurityIdentification, TRUE);
    const char *everyone[] = {"WD"}, *user[] = {me}, *both[] = {"WD", me};
    HANDLE to_everyone = restrict_again(base, NULL, everyone, 1);
    HANDLE emptied = restrict_again(to_everyone, NULL, user, 1);
    HANDLE kept = restrict_again(to_everyone, NULL, both, 2);
    HANDLE unchanged = restrict_again(to_everyone, NULL, NULL, 0);
    DWORD e;
    const char *user_only = "O:SYG:SYD:(A;;0x1;;;%s)", *everyone_only = "O:SYG:SYD:(A;;0x1;;;WD)";
    CHECK(check_access(user_only, to_everyone, 0x1, &e) == 0 && e == ERROR_ACCESS_DENIED);
    /* {Everyone} restricted to {user}: no SID in both, so the second pass grants nothing. */
    CHECK(check_access(user_only, emptied, 0x1, &e) == 0 && e == ERROR_ACCESS_DENIED);
    CHECK(check_access(everyone_only, emptied, 0x1, &e) == 0 && e == ERROR_ACCESS_DENIED);
    CHECK(check_access(user_only, emptied, MAXIMUM_ALLOWED, &e) == 0);
    CHECK(restricting_count(emptied) == 0 && IsTokenRestricted(emptied));
    PSID user_sid = NULL, everyone_sid = NULL;
    BOOL member = TRUE;
    CHECK(ConvertStringSidToSidA(me, &user_sid) && ConvertStringSidToSidA("WD", &everyone_sid));
    CHECK(CheckTokenMembership(emptied, user_sid, &member) && !member);
    CHECK(CheckTokenMembership(emptied, everyone_sid, &member) && !member);
    /* {Everyone} restricted to {Everyone, user}: {Everyone}. */
    CHECK(check_access(user_only, kept, 0x1, &e) == 0 && e == ERROR_ACCESS_DENIED);
    CHECK(check_access(everyone_only, kept, 0x1, &e) == 0x1);
    CHECK(restricting_count(kept) == 1);
    /* No restricting SIDs given: the list stays. */
    CHECK(check_access(user_only, unchanged, 0x1, &e) == 0 && e == ERROR_ACCESS_DENIED);
    CHECK(restricting_count(unchanged) == 1 && IsTokenRestricted(unchanged));
    /* Deny-only SIDs add up: Everyone, then the user. */
    HANDLE deny_everyone = restrict_again(base, "WD", NULL, 0);
    HANDLE deny_both = restrict_again(deny_everyone, me, NULL, 0);
    CHECK(check_access(everyone_only, deny_both, 0x1, &e) == 0);
    CHECK(check_access(user_only, deny_both, 0x1, &e) == 0);
    CHECK(!IsTokenRestricted(deny_both));
    LocalFree(user_sid);
    LocalFree(everyone_sid);
    HANDLE all[] = {deny_both, deny_everyone, unchanged, kept, emptied, to_everyone, base};
    for (size_t i = 0; i < sizeof all / sizeof all[0]; i++) CloseHandle(all[i]);
}

/* MAXIMUM_ALLOWED grants what the DACL and the privileges grant: never ACCESS_SYSTEM_SECURITY
 * because an entry lists it (only asking for it with SeSecurityPrivilege, CAP_AUDIT_CONTROL,
 * gets it), never MAXIMUM_ALLOWED or the reserved bits. */
static void maximum_allowed_never_grants_access_system_security_without_the_privilege(void) {
    HANDLE bare = client(SecurityIdentification, TRUE), full = client(SecurityIdentification, FALSE);
    DWORD e;
    CHECK(check_access("O:SYG:SYD:(A;;0x01000001;;;WD)", bare, MAXIMUM_ALLOWED, &e) == 0x1);
    CHECK(check_access("O:SYG:SYD:(A;;0x02000001;;;WD)", bare, MAXIMUM_ALLOWED, &e) == 0x1);
    CHECK(check_access("O:SYG:SYD:(A;;0x0C000001;;;WD)", bare, MAXIMUM_ALLOWED, &e) == 0x1);
    CHECK(check_access("O:SYG:SYD:(A;;0x0F000000;;;WD)", bare, MAXIMUM_ALLOWED, &e) == 0 && e == ERROR_ACCESS_DENIED);
    CHECK(check_access("O:SYG:SYD:(A;;GA;;;WD)", bare, MAXIMUM_ALLOWED, &e) == 0x7);
    CHECK(check_access("O:SYG:SYD:(A;;0x01000001;;;WD)", bare, MAXIMUM_ALLOWED | ACCESS_SYSTEM_SECURITY, &e) == 0 &&
          e == ERROR_PRIVILEGE_NOT_HELD);
    long long granted = check_access("O:SYG:SYD:(A;;0x01000001;;;WD)", full, MAXIMUM_ALLOWED, &e);
    CHECK(granted > 0 && !(granted & (ACCESS_SYSTEM_SECURITY | MAXIMUM_ALLOWED)));
    granted = check_access("O:SYG:SYD:(A;;0x01000001;;;WD)", full, MAXIMUM_ALLOWED | ACCESS_SYSTEM_SECURITY, &e);
    if (thread_cap("CapEff") & (1ull << 30))
        CHECK(granted > 0 && (granted & ACCESS_SYSTEM_SECURITY) && !(granted & MAXIMUM_ALLOWED));
    else
        CHECK(granted == 0 && e == ERROR_PRIVILEGE_NOT_HELD);
    CloseHandle(full);
    CloseHandle(bare);
}

static void security_descriptors_build_and_read_back(void) {
    SECURITY_DESCRIPTOR sd;
    PSID owner = NULL, group = NULL, got = NULL;
    BOOL defaulted = 2, present = 2;
    PACL dacl_got = NULL;
    unsigned char acl_buffer[64];
    PACL acl = (PACL)acl_buffer;
    CHECK(sizeof(SECURITY_DESCRIPTOR) == 40 && sizeof(SECURITY_DESCRIPTOR_RELATIVE) == 20 && sizeof(ACL) == 8);
    CHECK(!InitializeSecurityDescriptor(&sd, 2) && GetLastError() == ERROR_UNKNOWN_REVISION);
    CHECK(InitializeSecurityDescriptor(&sd, SECURITY_DESCRIPTOR_REVISION));
    CHECK(IsValidSecurityDescriptor(&sd));
    CHECK(GetSecurityDescriptorLength(&sd) == 40);
    CHECK(ConvertStringSidToSidA("S-1-22-1-1000", &owner) && ConvertStringSidToSidA("BA", &group));
    CHECK(SetSecurityDescriptorOwner(&sd, owner, FALSE) && SetSecurityDescriptorGroup(&sd, group, TRUE));
    CHECK(GetSecurityDescriptorOwner(&sd, &got, &defaulted) && got == owner && !defaulted);
    CHECK(GetSecurityDescriptorGroup(&sd, &got, &defaulted) && got == group && defaulted);
    CHECK(GetSecurityDescriptorDacl(&sd, &present, &dacl_got, &defaulted) && !present);
    CHECK(InitializeAcl(acl, sizeof acl_buffer, ACL_REVISION));
    CHECK(AddAccessDeniedAce(acl, ACL_REVISION, 0x2, owner));
    CHECK(SetSecurityDescriptorDacl(&sd, TRUE, acl, FALSE));
    CHECK(GetSecurityDescriptorDacl(&sd, &present, &dacl_got, &defaulted) && present && dacl_got == acl && !defaulted);
    SECURITY_DESCRIPTOR_CONTROL control = 0;
    DWORD revision = 0;
    CHECK(GetSecurityDescriptorControl(&sd, &control, &revision) && revision == 1 &&
          control == (SE_DACL_PRESENT | SE_GROUP_DEFAULTED));
    DWORD expected = 40 + 8 + 8 + 16 + 16 + 16; /* header, ACL header, entry, owner, group */
    CHECK(GetSecurityDescriptorLength(&sd) == expected);
    /* Self-relative: the size protocol, then the same parts at offsets. */
    DWORD size = 0;
    CHECK(!MakeSelfRelativeSD(&sd, NULL, &size) && GetLastError() == ERROR_INSUFFICIENT_BUFFER &&
          size == expected - 20);
    unsigned char *rel = calloc(1, size);
    CHECK(MakeSelfRelativeSD(&sd, rel, &size));
    CHECK(IsValidSecurityDescriptor(rel) && RtlValidRelativeSecurityDescriptor(rel, size, OWNER_SECURITY_INFORMATION));
    CHECK(!RtlValidRelativeSecurityDescriptor(rel, size - 1, 0));
    CHECK(GetSecurityDescriptorLength(rel) == size);
    CHECK(GetSecurityDescriptorOwner(rel, &got, &defaulted) && EqualSid(got, owner) && (unsigned char *)got > rel &&
          (unsigned char *)got < rel + size);
    CHECK(!MakeSelfRelativeSD(rel, rel, &size) && GetLastError() == ERROR_BAD_DESCRIPTOR_FORMAT);
    CHECK(!SetSecurityDescriptorOwner(rel, owner, FALSE) && GetLastError() == ERROR_INVALID_SECURITY_DESCR);
    LPSTR text = NULL;
    ULONG len = 0;
    CHECK(ConvertSecurityDescriptorToStringSecurityDescriptorA(
        rel, SDDL_REVISION_1, OWNER_SECURITY_INFORMATION | GROUP_SECURITY_INFORMATION | DACL_SECURITY_INFORMATION,
        &text, &len));
    CHECK(text && strcmp(text, "O:S-1-22-1-1000G:BAD:(D;;DC;;;S-1-22-1-1000)") == 0 && len == strlen(text) + 1);
    if (text) fprintf(stderr, "  %s\n", text);
    LocalFree(text);
    /* NULL DACL and "no DACL". */
    CHECK(SetSecurityDescriptorDacl(&sd, TRUE, NULL, FALSE));
    CHECK(GetSecurityDescriptorDacl(&sd, &present, &dacl_got, &defaulted) && present && dacl_got == NULL);
    CHECK(SetSecurityDescriptorDacl(&sd, FALSE, NULL, FALSE));
    CHECK(GetSecurityDescriptorDacl(&sd, &present, &dacl_got, &defaulted) && !present);
    /* An invalid part is refused. */
    unsigned char bad_sid[8] = {2, 0};
    CHECK(!SetSecurityDescriptorOwner(&sd, bad_sid, FALSE) && GetLastError() == ERROR_INVALID_SID);
    ((unsigned char *)owner)[0] = 9;
    CHECK(!IsValidSecurityDescriptor(&sd));
    ((unsigned char *)owner)[0] = 1;
    free(rel);
    LocalFree(owner);
    LocalFree(group);
}

static void acls_follow_the_windows_size_rules(void) {
    unsigned char buffer[64];
    PACL acl = (PACL)buffer;
    PSID sid = NULL;
    LPVOID ace = NULL;
    CHECK(ConvertStringSidToSidA("S-1-22-2-100", &sid)); /* 16 bytes: an entry takes 24 */
    CHECK(!InitializeAcl(acl, 4, ACL_REVISION) && GetLastError() == ERROR_INSUFFICIENT_BUFFER);
    CHECK(!InitializeAcl(acl, 64, 1) && GetLastError() == ERROR_INVALID_PARAMETER);
    CHECK(!InitializeAcl(acl, 70000, ACL_REVISION) && GetLastError() == ERROR_INVALID_PARAMETER);
    CHECK(InitializeAcl(acl, 60, ACL_REVISION) && IsValidAcl(acl));
    CHECK(AddAccessAllowedAce(acl, ACL_REVISION, 0x1, sid));
    CHECK(AddAccessDeniedAce(acl, ACL_REVISION, 0x2, sid));
    CHECK(!AddAccessAllowedAce(acl, ACL_REVISION, 0x4, sid) && GetLastError() == ERROR_ALLOTTED_SPACE_EXCEEDED);
    CHECK(acl->AceCount == 2);
    CHECK(!AddAccessAllowedAce(acl, 9, 0x4, sid) && GetLastError() == ERROR_REVISION_MISMATCH);
    unsigned char bad_sid[8] = {1, 200};
    CHECK(!AddAccessAllowedAce(acl, ACL_REVISION, 0x4, bad_sid) && GetLastError() == ERROR_INVALID_SID);
    ACL_SIZE_INFORMATION size;
    CHECK(GetAclInformation(acl, &size, sizeof size, AclSizeInformation));
    CHECK(size.AceCount == 2 && size.AclBytesInUse == 56 && size.AclBytesFree == 4);
    ACL_REVISION_INFORMATION revision;
    CHECK(GetAclInformation(acl, &revision, sizeof revision, AclRevisionInformation) && revision.AclRevision == 2);
    CHECK(!GetAclInformation(acl, &size, 4, AclSizeInformation) && GetLastError() == ERROR_INSUFFICIENT_BUFFER);
    CHECK(!GetAclInformation(acl, &size, sizeof size, (ACL_INFORMATION_CLASS)9) &&
          GetLastError() == ERROR_INVALID_PARAMETER);
    CHECK(GetAce(acl, 1, &ace));
    ACCESS_DENIED_ACE *denied = ace;
    CHECK(denied->Header.AceType == ACCESS_DENIED_ACE_TYPE && denied->Header.AceSize == 24 && denied->Mask == 0x2 &&
          EqualSid(&denied->SidStart, sid));
    CHECK(!GetAce(acl, 2, &ace) && GetLastError() == ERROR_INVALID_PARAMETER);
    acl->AclSize = 20; /* entries past the ACL's size: invalid */
    CHECK(!IsValidAcl(acl) && GetLastError() == ERROR_INVALID_ACL);
    LocalFree(sid);
}

static void sddl_round_trips(void) {
    static const char *cases[][2] = {
        {"O:BAG:SYD:(A;;FA;;;SY)(D;OICI;0x1234;;;WD)", NULL},
        {"O:S-1-22-1-1000G:S-1-22-2-1000D:P(A;;RCWDWO;;;S-1-22-1-1000)", NULL},
        {"D:PAI(A;OICIID;FR;;;AU)", NULL},
        {"O:SYD:NO_ACCESS_CONTROL", NULL},
        {"G:BU", NULL},
        {"D:(A;;GAGR;;;BA)", "D:(A;;GAGR;;;BA)"},
        {"D:(A;;0x1f01ff;;;BA)", "D:(A;;FA;;;BA)"},
        {"D:(A;;16;;;S-1-5-32-544)", "D:(A;;RP;;;BA)"},
        {"D:(A;;CCDC;;;S-1-0x1000000000-5)", "D:(A;;CCDC;;;S-1-0x001000000000-5)"},
        {"O:S-1-5-18", "O:SY"},
        {"", ""},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        PSECURITY_DESCRIPTOR sd = NULL;
        ULONG size = 0;
        LPSTR back = NULL;
        const char *expected = cases[i][1] ? cases[i][1] : cases[i][0];
        CHECK(ConvertStringSecurityDescriptorToSecurityDescriptorA(cases[i][0], SDDL_REVISION_1, &sd, &size));
        CHECK(sd && size == GetSecurityDescriptorLength(sd) && RtlValidRelativeSecurityDescriptor(sd, size, 0));
        CHECK(ConvertSecurityDescriptorToStringSecurityDescriptorA(sd, SDDL_REVISION_1, 15, &back, NULL));
        if (back && strcmp(back, expected) != 0) {
            fprintf(stderr, "  %s -> %s, expected %s\n", cases[i][0], back, expected);
            check_current_failed = 1;
        }
        LocalFree(back);
        LocalFree(sd);
    }
    /* Only the parts asked for. */
    PSECURITY_DESCRIPTOR sd = NULL;
    LPSTR text = NULL;
    CHECK(ConvertStringSecurityDescriptorToSecurityDescriptorA("O:BAG:SYD:(A;;FA;;;SY)", 1, &sd, NULL));
    CHECK(ConvertSecurityDescriptorToStringSecurityDescriptorA(sd, 1, DACL_SECURITY_INFORMATION, &text, NULL));
    CHECK(text && strcmp(text, "D:(A;;FA;;;SY)") == 0);
    LocalFree(text);
    CHECK(!ConvertSecurityDescriptorToStringSecurityDescriptorA(sd, 2, 15, &text, NULL) &&
          GetLastError() == ERROR_UNKNOWN_REVISION && text == NULL);
    LocalFree(sd);
}

static void sddl_rejects_malformed_input(void) {
    static const char *bad[] = {
        "X:BA",
        "O:",
        "O:XX",
        "O:BAO:BA",
        "D:(A;;FA;;;SY",
        "D:(Q;;FA;;;SY)",
        "D:(A;ZZ;FA;;;SY)",
        "D:(A;;QQ;;;SY)",
        "D:(A;;FA;;SY)",
        "D:(A;;FA;g;;SY)",
        "D:(A;;0x1ffffffff;;;SY)",
        "D:NO_ACCESS_CONTROL(A;;FA;;;SY)",
        "D:Z(A;;FA;;;SY)",
        "S:(AU;SA;FA;;;SY)",
        "O:S-1-5-",
        "D:(A;;FA;;;S-1-5-1-2-3-4-5-6-7-8-9-10-11-12-13-14-15-16)",
        "D:(A;;F;;;SY)",
        "O:BA ",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        PSECURITY_DESCRIPTOR sd = (PSECURITY_DESCRIPTOR)1;
        ULONG size = 77;
        SetLastError(0);
        BOOL ok = ConvertStringSecurityDescriptorToSecurityDescriptorA(bad[i], SDDL_REVISION_1, &sd, &size);
        DWORD e = GetLastError();
        if (ok || sd != NULL || size != 77 || (e != ERROR_INVALID_PARAMETER && e != ERROR_INVALID_SID)) {
            fprintf(stderr, "  \"%s\": ok %d, error %u\n", bad[i], ok, (unsigned)e);
            check_current_failed = 1;
        }
    }
    PSECURITY_DESCRIPTOR sd = (PSECURITY_DESCRIPTOR)1;
    CHECK(!ConvertStringSecurityDescriptorToSecurityDescriptorA("O:BA", 2, &sd, NULL) &&
          GetLastError() == ERROR_UNKNOWN_REVISION && sd == NULL);
    CHECK(!ConvertStringSecurityDescriptorToSecurityDescriptorA(NULL, 1, &sd, NULL) &&
          GetLastError() == ERROR_INVALID_PARAMETER);
}

/* A token's own security descriptor: GetKernelObjectSecurity reads it, SetKernelObjectSecurity
 * replaces its DACL, and OpenThreadToken's access check is made against the new one. */
static void token_security_descriptor_is_the_one_open_thread_token_checks(void) {
    HANDLE bare = client(SecurityImpersonation, TRUE), opened = NULL;
    unsigned char buffer[512];
    DWORD needed = 0;
    CHECK(!GetKernelObjectSecurity(bare, OWNER_SECURITY_INFORMATION | DACL_SECURITY_INFORMATION, buffer, 4, &needed) &&
          GetLastError() == ERROR_INSUFFICIENT_BUFFER && needed > 20);
    CHECK(GetKernelObjectSecurity(bare, OWNER_SECURITY_INFORMATION | DACL_SECURITY_INFORMATION, buffer, sizeof buffer,
                                  &needed));
    LPSTR text = NULL;
    CHECK(ConvertSecurityDescriptorToStringSecurityDescriptorA(buffer, 1, 15, &text, NULL));
    char expected[512];
    snprintf(expected, sizeof expected, "O:%sD:(A;;CCDCLCSWRPWPDTLOCRSDRCWDWO;;;%s)", me, me);
    CHECK(text && strncmp(text, expected, strlen(expected)) == 0);
    if (text) fprintf(stderr, "  token descriptor: %s\n", text);
    LocalFree(text);
    CHECK(!GetKernelObjectSecurity(bare, SACL_SECURITY_INFORMATION, buffer, sizeof buffer, &needed) &&
          GetLastError() == ERROR_PRIVILEGE_NOT_HELD);
    /* Only TOKEN_QUERY for the user from now on. */
    PSECURITY_DESCRIPTOR query_only = sd_of("D:(A;;0x8;;;%s)");
    CHECK(SetKernelObjectSecurity(bare, DACL_SECURITY_INFORMATION, query_only));
    CHECK(SetThreadToken(NULL, bare));
    CHECK(!OpenThreadToken(GetCurrentThread(), TOKEN_DUPLICATE, FALSE, &opened) &&
          GetLastError() == ERROR_ACCESS_DENIED && opened == NULL);
    CHECK(OpenThreadToken(GetCurrentThread(), TOKEN_QUERY, FALSE, &opened));
    CHECK(!GetKernelObjectSecurity(opened, DACL_SECURITY_INFORMATION, buffer, sizeof buffer, &needed) &&
          GetLastError() == ERROR_ACCESS_DENIED);
    CHECK(!SetKernelObjectSecurity(opened, DACL_SECURITY_INFORMATION, query_only) &&
          GetLastError() == ERROR_ACCESS_DENIED);
    CloseHandle(opened);
    opened = NULL;
    CHECK(OpenThreadToken(GetCurrentThread(), MAXIMUM_ALLOWED, FALSE, &opened));
    CloseHandle(opened);
    CHECK(RevertToSelf());
    /* A deny entry in front. */
    PSECURITY_DESCRIPTOR deny = sd_of("D:(D;;0x8;;;%s)(A;;0xf01ff;;;%s)");
    CHECK(SetKernelObjectSecurity(bare, DACL_SECURITY_INFORMATION, deny));
    CHECK(SetThreadToken(NULL, bare));
    opened = NULL;
    CHECK(!OpenThreadToken(GetCurrentThread(), TOKEN_QUERY, FALSE, &opened) && GetLastError() == ERROR_ACCESS_DENIED);
    CHECK(OpenThreadToken(GetCurrentThread(), TOKEN_DUPLICATE, FALSE, &opened));
    CloseHandle(opened);
    CHECK(RevertToSelf());
    /* Another owner takes CAP_CHOWN. */
    PSECURITY_DESCRIPTOR other_owner = sd_of("O:S-1-22-1-4000001");
    BOOL set = SetKernelObjectSecurity(bare, OWNER_SECURITY_INFORMATION, other_owner);
    if (thread_cap("CapEff") & 1)
        CHECK(set);
    else
        CHECK(!set && GetLastError() == ERROR_INVALID_OWNER);
    CHECK(!SetKernelObjectSecurity(bare, DACL_SECURITY_INFORMATION, (PSECURITY_DESCRIPTOR)buffer + 1) || 1);
    LocalFree(other_owner);
    LocalFree(deny);
    LocalFree(query_only);
    CloseHandle(bare);
}

/* Sets every privilege of a token to `attributes` (0, SE_PRIVILEGE_ENABLED or
 * SE_PRIVILEGE_REMOVED). */
static BOOL set_every_privilege(HANDLE token, DWORD attributes) {
    static unsigned char buffer[4096];
    DWORD length = 0;
    if (!GetTokenInformation(token, TokenPrivileges, buffer, sizeof buffer, &length)) return FALSE;
    TOKEN_PRIVILEGES *p = (TOKEN_PRIVILEGES *)buffer;
    for (DWORD i = 0; i < p->PrivilegeCount; i++) p->Privileges[i].Attributes = attributes;
    return AdjustTokenPrivileges(token, FALSE, p, 0, NULL, NULL);
}

/* Every check uses what the token holds now (A3-05): a privilege disabled or removed with
 * AdjustTokenPrivileges grants nothing past a DACL (opening the thread's or the process's
 * token) nor another owner (SetKernelObjectSecurity); one enabled again is seen at once. */
static void a_removed_privilege_no_longer_opens_a_token_or_sets_an_owner(void) {
    if ((thread_cap("CapEff") & 0xF) != 0xF) {
        printf("# no CAP_CHOWN/CAP_DAC_OVERRIDE/CAP_FOWNER: no privilege to remove here\n");
        return;
    }
    HANDLE process = NULL, thread = NULL, h = NULL;
    static unsigned char saved[1024];
    DWORD needed = 0;
    CHECK(OpenProcessToken(GetCurrentProcess(), TOKEN_ALL_ACCESS, &process));
    CHECK(GetKernelObjectSecurity(process, OWNER_SECURITY_INFORMATION | DACL_SECURITY_INFORMATION, saved, sizeof saved,
                                  &needed));
    CHECK(ImpersonateSelf(SecurityImpersonation));
    CHECK(OpenThreadToken(GetCurrentThread(), TOKEN_ALL_ACCESS, TRUE, &thread));
    /* Both tokens: owned by nobody, an empty DACL. Only privileges open them now. */
    PSECURITY_DESCRIPTOR nobody_empty = sd_of("O:S-1-22-1-65534D:");
    CHECK(SetKernelObjectSecurity(process, OWNER_SECURITY_INFORMATION | DACL_SECURITY_INFORMATION, nobody_empty));
    CHECK(SetKernelObjectSecurity(thread, OWNER_SECURITY_INFORMATION | DACL_SECURITY_INFORMATION, nobody_empty));
    CHECK(OpenThreadToken(GetCurrentThread(), TOKEN_ALL_ACCESS, FALSE, &h));
    CloseHandle(h);
    h = NULL;
    /* Disabled: nothing opens; enabled again: it opens. */
    CHECK(set_every_privilege(thread, 0));
    CHECK(!OpenThreadToken(GetCurrentThread(), TOKEN_QUERY, FALSE, &h) && GetLastError() == ERROR_ACCESS_DENIED &&
          h == NULL);
    CHECK(set_every_privilege(thread, SE_PRIVILEGE_ENABLED));
    CHECK(OpenThreadToken(GetCurrentThread(), TOKEN_ALL_ACCESS, FALSE, &h));
    CloseHandle(h);
    h = NULL;
    /* Removed: the review's sequence. */
    CHECK(set_every_privilege(thread, SE_PRIVILEGE_REMOVED));
    CHECK(thread_cap("CapEff") == 0);
    CHECK(!OpenThreadToken(GetCurrentThread(), TOKEN_ALL_ACCESS, FALSE, &h) && GetLastError() == ERROR_ACCESS_DENIED &&
          h == NULL);
    CHECK(!OpenProcessToken(GetCurrentProcess(), TOKEN_ALL_ACCESS, &h) && GetLastError() == ERROR_ACCESS_DENIED &&
          h == NULL);
    PSECURITY_DESCRIPTOR other_owner = sd_of("O:S-1-22-1-1");
    CHECK(!SetKernelObjectSecurity(thread, OWNER_SECURITY_INFORMATION, other_owner) &&
          GetLastError() == ERROR_INVALID_OWNER);
    CHECK(RevertToSelf());
    CHECK(SetKernelObjectSecurity(process, OWNER_SECURITY_INFORMATION | DACL_SECURITY_INFORMATION, saved));
    LocalFree(other_owner);
    LocalFree(nobody_empty);
    CloseHandle(thread);
    CloseHandle(process);
}

/* Deleted privileges leave the token, and the thread's kernel capabilities while it
 * impersonates it; RevertToSelf gives them back. */
static void impersonating_a_restricted_token_drops_deleted_privileges_in_the_kernel(void) {
    HANDLE full = client(SecurityImpersonation, FALSE), restricted = NULL;
    LUID backup;
    CHECK(LookupPrivilegeValueA(NULL, SE_BACKUP_NAME, &backup));
    LUID_AND_ATTRIBUTES drop = {backup, 0};
    CHECK(CreateRestrictedToken(full, 0, 0, NULL, 1, &drop, 0, NULL, &restricted));
    unsigned long long before = thread_cap("CapEff");
    CHECK(ImpersonateLoggedOnUser(restricted));
    unsigned long long during = thread_cap("CapEff");
    CHECK((during & (1ull << 2)) == 0);
    CHECK(during == (before & ~(1ull << 2)));
    BOOL ok = RevertToSelf();
    CHECK(ok && thread_cap("CapEff") == before);
    unsigned char buffer[4096];
    DWORD length = 0;
    CHECK(GetTokenInformation(restricted, TokenPrivileges, buffer, sizeof buffer, &length));
    TOKEN_PRIVILEGES *p = (TOKEN_PRIVILEGES *)buffer;
    for (DWORD i = 0; i < p->PrivilegeCount; i++) CHECK(p->Privileges[i].Luid.LowPart != backup.LowPart);
    if (!(before & (1ull << 2))) printf("# CAP_DAC_READ_SEARCH not held: nothing to drop\n");
    CloseHandle(restricted);
    CloseHandle(full);
}

static void create_restricted_token_checks_its_arguments(void) {
    HANDLE base = client(SecurityImpersonation, FALSE), t = (HANDLE)1, no_dup = NULL;
    unsigned char bad_sid[8] = {3};
    SID_AND_ATTRIBUTES bad = {bad_sid, 0};
    CHECK(!CreateRestrictedToken(base, 0, 1, &bad, 0, NULL, 0, NULL, &t) && GetLastError() == ERROR_INVALID_SID &&
          t == NULL);
    CHECK(!CreateRestrictedToken(base, 0, 1, NULL, 0, NULL, 0, NULL, &t) && GetLastError() == ERROR_INVALID_PARAMETER);
    CHECK(!CreateRestrictedToken(base, WRITE_RESTRICTED, 0, NULL, 0, NULL, 0, NULL, &t) &&
          GetLastError() == ERROR_INVALID_PARAMETER);
    CHECK(!CreateRestrictedToken(base, 0, 0, NULL, 0, NULL, 0, NULL, NULL) && GetLastError() == ERROR_NOACCESS);
    CHECK(DuplicateTokenEx(base, TOKEN_QUERY, NULL, SecurityImpersonation, TokenImpersonation, &no_dup));
    CHECK(!CreateRestrictedToken(no_dup, 0, 0, NULL, 0, NULL, 0, NULL, &t) && GetLastError() == ERROR_ACCESS_DENIED);
    CHECK(!IsTokenRestricted((HANDLE)(uintptr_t)0x999) && GetLastError() == ERROR_INVALID_HANDLE);
    /* Same type and level as the source; DISABLE_MAX_PRIVILEGE keeps SeChangeNotifyPrivilege only. */
    CHECK(CreateRestrictedToken(base, DISABLE_MAX_PRIVILEGE, 0, NULL, 0, NULL, 0, NULL, &t));
    unsigned char buffer[4096];
    DWORD length = 0;
    CHECK(GetTokenInformation(t, TokenType, buffer, sizeof buffer, &length) &&
          *(TOKEN_TYPE *)buffer == TokenImpersonation);
    CHECK(GetTokenInformation(t, TokenImpersonationLevel, buffer, sizeof buffer, &length) &&
          *(SECURITY_IMPERSONATION_LEVEL *)buffer == SecurityImpersonation);
    CHECK(GetTokenInformation(t, TokenPrivileges, buffer, sizeof buffer, &length) &&
          ((TOKEN_PRIVILEGES *)buffer)->PrivilegeCount == 1);
    CloseHandle(t);
    CloseHandle(no_dup);
    CloseHandle(base);
}

static BOOL run_as(HANDLE token, const char *command, void *environment, const char *directory, DWORD *code) {
    STARTUPINFOA si;
    PROCESS_INFORMATION pi;
    char line[512];
    memset(&si, 0, sizeof si);
    si.cb = sizeof si;
    snprintf(line, sizeof line, "%s", command);
    if (!CreateProcessAsUserA(token, NULL, line, NULL, NULL, FALSE, 0, environment, directory, &si, &pi)) return FALSE;
    CHECK(pi.dwProcessId > 0 && pi.dwThreadId == pi.dwProcessId && pi.hProcess && pi.hThread);
    CHECK(WaitForSingleObject(pi.hProcess, INFINITE) == WAIT_OBJECT_0);
    CHECK(WaitForSingleObject(pi.hThread, 0) == WAIT_OBJECT_0);
    CHECK(GetExitCodeProcess(pi.hProcess, code));
    CHECK(CloseHandle(pi.hProcess) && CloseHandle(pi.hThread));
    CHECK(!CloseHandle(pi.hProcess) && GetLastError() == ERROR_INVALID_HANDLE);
    return TRUE;
}

static HANDLE primary_token(void) {
    HANDLE process = NULL, primary = NULL;
    CHECK(OpenProcessToken(GetCurrentProcess(), TOKEN_DUPLICATE | TOKEN_QUERY, &process));
    CHECK(DuplicateTokenEx(process, TOKEN_ALL_ACCESS, NULL, SecurityImpersonation, TokenPrimary, &primary));
    CloseHandle(process);
    return primary;
}

/* The command line splits as Windows' C runtime splits it, the program is found in PATH,
 * the environment block and the directory reach the child, its exit code comes back. */
static void create_process_as_user_runs_the_command_line(void) {
    HANDLE token = primary_token();
    DWORD code = 99;
    CHECK(run_as(token, "sh -c \"exit 7\"", NULL, NULL, &code) && code == 7);
    CHECK(run_as(token, "sh -c \"test \\\"$1\\\" = 'a\\\"b' && test \\\"$2\\\" = 'c d'\" x a\\\"b \"c d\"", NULL, NULL,
                 &code) &&
          code == 0);
    char environment[] = "HS_X=yes\0PATH=/usr/bin:/bin\0";
    CHECK(run_as(token,
                 "/bin/sh -c \"test \\\"$HS_X\\\" = yes && test \\\"$(pwd)\\\" = /tmp && test -z \\\"$HOME\\\"\"",
                 environment, "/tmp", &code) &&
          code == 0);
    CHECK(run_as(token, "sh -c \"kill -9 $$\"", NULL, NULL, &code) && code == 128 + 9);
    /* Running: STILL_ACTIVE, a timed wait times out. */
    STARTUPINFOA si;
    PROCESS_INFORMATION pi;
    char line[] = "sleep 1";
    memset(&si, 0, sizeof si);
    si.cb = sizeof si;
    CHECK(CreateProcessAsUserA(token, NULL, line, NULL, NULL, FALSE, 0, NULL, NULL, &si, &pi));
    CHECK(GetExitCodeProcess(pi.hProcess, &code) && code == STILL_ACTIVE);
    CHECK(WaitForSingleObject(pi.hProcess, 10) == WAIT_TIMEOUT);
    CHECK(WaitForSingleObject(pi.hProcess, 5000) == WAIT_OBJECT_0);
    CHECK(GetExitCodeProcess(pi.hProcess, &code) && code == 0);
    CloseHandle(pi.hThread);
    CloseHandle(pi.hProcess);
    CloseHandle(token);
}

/* Starts `sh -c "exit 3"` as the process's account: its process and thread handles. */
static BOOL start_child(HANDLE token, PROCESS_INFORMATION *pi) {
    STARTUPINFOA si;
    char line[] = "sh -c \"exit 3\"";
    memset(&si, 0, sizeof si);
    si.cb = sizeof si;
    memset(pi, 0, sizeof *pi);
    return CreateProcessAsUserA(token, NULL, line, NULL, NULL, FALSE, 0, NULL, NULL, &si, pi);
}

/* Whether a value is a live handle of either kind (asked without changing it). */
static BOOL is_live_handle(HANDLE h) {
    DWORD code = 0, length = 0;
    TOKEN_TYPE type;
    return GetExitCodeProcess(h, &code) || GetTokenInformation(h, TokenType, &type, sizeof type, &length);
}

/* Process handles come from the token handle table's keyed permutation (A3-15): values
 * within 1 MiB either side of one's own handles name no other live handle, though another
 * component's process and token handles were opened just before and after. */
static void process_handles_share_no_structure(void) {
    HANDLE token = primary_token(), before = NULL, after = NULL;
    PROCESS_INFORMATION theirs1, mine, theirs2;
    CHECK(OpenProcessToken(GetCurrentProcess(), TOKEN_QUERY, &before));
    CHECK(start_child(token, &theirs1));
    CHECK(start_child(token, &mine));
    CHECK(start_child(token, &theirs2));
    CHECK(OpenProcessToken(GetCurrentProcess(), TOKEN_QUERY, &after));
    HANDLE own[2] = {mine.hProcess, mine.hThread};
    unsigned found = 0;
    uintptr_t first = 0;
    for (int i = 0; i < 2; i++)
        for (intptr_t delta = -(1 << 20); delta <= (1 << 20); delta++) {
            HANDLE probe = (HANDLE)((uintptr_t)own[i] + (uintptr_t)delta);
            if (probe == mine.hProcess || probe == mine.hThread || !is_live_handle(probe)) continue;
            if (found++ == 0) first = (uintptr_t)probe;
        }
    if (found) fprintf(stderr, "  %u live handles found near my own, first %#lx\n", found, (unsigned long)first);
    CHECK(found == 0);
    PROCESS_INFORMATION *all[3] = {&theirs1, &mine, &theirs2};
    for (int i = 0; i < 3; i++) {
        CHECK(WaitForSingleObject(all[i]->hProcess, 5000) == WAIT_OBJECT_0);
        CloseHandle(all[i]->hThread);
        CloseHandle(all[i]->hProcess);
    }
    CloseHandle(before);
    CloseHandle(after);
    CloseHandle(token);
}

/* hostsec.h: every HANDLE the library hands out is closed with HostSec_CloseHandle, process
 * handles included; the value is dead after, for every function. */
static void close_handle_closes_a_process_handle(void) {
    HANDLE token = primary_token();
    PROCESS_INFORMATION pi;
    DWORD code = 0;
    CHECK(start_child(token, &pi));
    CHECK(WaitForSingleObject(pi.hProcess, 5000) == WAIT_OBJECT_0);
    CHECK(HostSec_CloseHandle(pi.hProcess) == S_OK);
    CHECK(HostSec_CloseHandle(pi.hProcess) == E_HANDLE);
    CHECK(!GetExitCodeProcess(pi.hProcess, &code) && GetLastError() == ERROR_INVALID_HANDLE);
    CHECK(WaitForSingleObject(pi.hProcess, 0) == WAIT_FAILED && GetLastError() == ERROR_INVALID_HANDLE);
    CHECK(!CloseHandle(pi.hProcess) && GetLastError() == ERROR_INVALID_HANDLE);
    /* The thread handle is a handle of its own: still live, closed by CloseHandle. */
    CHECK(GetExitCodeProcess(pi.hThread, &code) && code == 3);
    CHECK(CloseHandle(pi.hThread));
    CHECK(HostSec_CloseHandle(pi.hThread) == E_HANDLE);
    CloseHandle(token);
}

/* A handle of one kind given to a function of the other is an invalid handle, and changes
 * nothing: token functions refuse process handles, process functions refuse token handles. */
static void a_process_handle_is_no_token_and_a_token_handle_no_process(void) {
    HANDLE token = primary_token(), copy = NULL;
    PROCESS_INFORMATION pi;
    DWORD code = 0, length = 0;
    TOKEN_TYPE type;
    CHECK(start_child(token, &pi));
    CHECK(!GetTokenInformation(pi.hProcess, TokenType, &type, sizeof type, &length) &&
          GetLastError() == ERROR_INVALID_HANDLE);
    CHECK(!DuplicateTokenEx(pi.hProcess, TOKEN_ALL_ACCESS, NULL, SecurityImpersonation, TokenImpersonation, &copy) &&
          GetLastError() == ERROR_INVALID_HANDLE && copy == NULL);
    CHECK(!ImpersonateLoggedOnUser(pi.hThread) && GetLastError() == ERROR_INVALID_HANDLE);
    CHECK(!SetThreadToken(NULL, pi.hProcess) && GetLastError() == ERROR_INVALID_HANDLE);
    CHECK(HostSec_DuplicateTokenEx(pi.hProcess, 0, SecurityImpersonation, TokenImpersonation, &copy) == E_HANDLE &&
          copy == NULL);
    HOSTSEC_TOKEN_USER user;
    CHECK(HostSec_GetTokenInformation(pi.hThread, TokenUser, &user, sizeof user, &length) == E_HANDLE);
    CHECK(!CreateProcessAsUserA(pi.hProcess, "/bin/true", NULL, NULL, NULL, FALSE, 0, NULL, NULL,
                                &(STARTUPINFOA){.cb = sizeof(STARTUPINFOA)}, &(PROCESS_INFORMATION){0}) &&
          GetLastError() == ERROR_INVALID_HANDLE);
    CHECK(WaitForSingleObject(token, 0) == WAIT_FAILED && GetLastError() == ERROR_INVALID_HANDLE);
    CHECK(!GetExitCodeProcess(token, &code) && GetLastError() == ERROR_INVALID_HANDLE);
    /* Both still work as what they are. */
    CHECK(WaitForSingleObject(pi.hProcess, 5000) == WAIT_OBJECT_0);
    CHECK(GetExitCodeProcess(pi.hProcess, &code) && code == 3);
    CHECK(GetTokenInformation(token, TokenType, &type, sizeof type, &length) && type == TokenPrimary);
    CloseHandle(pi.hThread);
    CloseHandle(pi.hProcess);
    CloseHandle(token);
}

/* As another account: its uid and groups in the child; without CAP_SETUID/CAP_SETGID,
 * ERROR_ACCESS_DENIED and no process. */
static void create_process_as_user_runs_as_the_account(void) {
    HANDLE nobody = NULL;
    CHECK(HostSec_LogonUser("nobody", &nobody) == S_OK);
    DWORD code = 99;
    BOOL started = run_as(nobody, "sh -c \"test $(id -u) = $(id -u nobody) && test $(id -ru) = $(id -u nobody)\"", NULL,
                          NULL, &code);
    /* (Run as nobody without groups, the token's group list still differs: CAP_SETGID needed.) */
    if (thread_cap("CapPrm") & (1ull << 7))
        CHECK(started && code == 0);
    else
        CHECK(!started && GetLastError() == ERROR_ACCESS_DENIED);
    CloseHandle(nobody);
}

static void create_process_as_user_checks_its_arguments(void) {
    HANDLE token = primary_token(), impersonation = client(SecurityImpersonation, FALSE);
    STARTUPINFOA si;
    PROCESS_INFORMATION pi;
    char line[] = "sh -c true", missing[] = "/no/such/program";
    memset(&si, 0, sizeof si);
    si.cb = sizeof si;
    CHECK(!CreateProcessAsUserA(impersonation, NULL, line, NULL, NULL, FALSE, 0, NULL, NULL, &si, &pi) &&
          GetLastError() == ERROR_BAD_TOKEN_TYPE);
    CHECK(!CreateProcessAsUserA(token, NULL, line, NULL, NULL, FALSE, CREATE_SUSPENDED, NULL, NULL, &si, &pi) &&
          GetLastError() == ERROR_INVALID_PARAMETER);
    CHECK(!CreateProcessAsUserA(token, NULL, NULL, NULL, NULL, FALSE, 0, NULL, NULL, &si, &pi) &&
          GetLastError() == ERROR_INVALID_PARAMETER);
    CHECK(!CreateProcessAsUserA(token, NULL, line, NULL, NULL, FALSE, 0, NULL, NULL, NULL, &pi) &&
          GetLastError() == ERROR_NOACCESS);
    CHECK(!CreateProcessAsUserA(token, NULL, missing, NULL, NULL, FALSE, 0, NULL, NULL, &si, &pi) &&
          GetLastError() == ERROR_FILE_NOT_FOUND);
    si.dwFlags = STARTF_USESTDHANDLES; /* a descriptor that is not open */
    si.hStdInput = si.hStdOutput = si.hStdError = (HANDLE)(intptr_t)4000;
    CHECK(!CreateProcessAsUserA(token, NULL, line, NULL, NULL, FALSE, 0, NULL, NULL, &si, &pi) &&
          GetLastError() == ERROR_INVALID_HANDLE);
    CHECK(WaitForSingleObject(token, 0) == WAIT_FAILED && GetLastError() == ERROR_INVALID_HANDLE);
    DWORD code;
    CHECK(!GetExitCodeProcess(token, &code) && GetLastError() == ERROR_INVALID_HANDLE);
    CloseHandle(impersonation);
    CloseHandle(token);
}

/* A file of `text` at dir/name, mode 0755. */
static void write_program(const char *dir, const char *name, const char *text) {
    char path[256];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "w");
    CHECK(f && fputs(text, f) >= 0);
    if (f) fclose(f);
    CHECK(chmod(path, 0755) == 0);
}

static void remove_program(const char *dir, const char *name) {
    char path[256];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    unlink(path);
    rmdir(dir);
}

/* A3-03: another account plants a program in a sticky world-writable folder that is the
 * child's lpCurrentDirectory; the caller's own folder has a program of the same name. The name
 * on no PATH entry, found through "." or an empty entry, or a relative lpApplicationName:
 * ERROR_FILE_NOT_FOUND or the caller's folder's program, never the planted one. */
static void create_process_as_user_never_runs_a_program_from_lp_current_directory(void) {
    char shared[] = "/tmp/hostsec-shared-XXXXXX", mine[] = "/tmp/hostsec-host-XXXXXX";
    CHECK(mkdtemp(shared) && mkdtemp(mine));
    CHECK(chmod(shared, 01777) == 0 && chmod(mine, 0755) == 0);
    write_program(shared, "audit3-report", "#!/bin/sh\nexit 42\n"); /* planted */
    char planted[256];
    snprintf(planted, sizeof planted, "%s/audit3-report", shared);
    if (chown(planted, 65534, 65534) != 0) printf("# planted as this account (no CAP_CHOWN)\n");
    write_program(mine, "audit3-report", "#!/bin/sh\nexit 7\n");
    int here = open(".", O_RDONLY | O_DIRECTORY);
    CHECK(chdir(mine) == 0);
    const char *old_path = getenv("PATH");
    char *saved_path = old_path ? strdup(old_path) : NULL;
    HANDLE token = primary_token();
    STARTUPINFOA si;
    PROCESS_INFORMATION pi;
    memset(&si, 0, sizeof si);
    si.cb = sizeof si;
    DWORD code = 99;
    /* 1: on no PATH entry; 2: "." in PATH; 3: an empty entry in PATH */
    const char *paths[] = {"/usr/local/bin:/usr/bin:/bin", "/usr/bin:/bin:.", "/usr/bin::/bin"};
    for (int i = 0; i < 3; i++) {
        setenv("PATH", paths[i], 1);
        SetLastError(0);
        BOOL started = run_as(token, "audit3-report --daily", NULL, shared, &code);
        if (started) fprintf(stderr, "  PATH=%s: ran a program that exited %u\n", paths[i], (unsigned)code);
        CHECK(!started && GetLastError() == ERROR_FILE_NOT_FOUND);
    }
    if (saved_path) setenv("PATH", saved_path, 1);
    free(saved_path);
    /* 4: lpApplicationName relative: completed from the caller's folder, as Windows does */
    char line[] = "audit3-report --daily";
    CHECK(CreateProcessAsUserA(token, "audit3-report", line, NULL, NULL, FALSE, 0, NULL, shared, &si, &pi));
    CHECK(WaitForSingleObject(pi.hProcess, INFINITE) == WAIT_OBJECT_0);
    CHECK(GetExitCodeProcess(pi.hProcess, &code) && code == 7);
    CloseHandle(pi.hProcess);
    CloseHandle(pi.hThread);
    /* 5: "./name" relative to the caller's folder, the same */
    CHECK(run_as(token, "./audit3-report", NULL, shared, &code) && code == 7);
    CHECK(fchdir(here) == 0);
    close(here);
    remove_program(shared, "audit3-report");
    remove_program(mine, "audit3-report");
    CloseHandle(token);
}

/* A3-12: lpEnvironment NULL gives the account's minimal environment (HOME, USER, LOGNAME,
 * SHELL from the user database, a fixed PATH), none of the caller's; lpCurrentDirectory NULL
 * is the account's home folder (or "/" when it has none). */
static void create_process_as_user_with_no_environment_gets_the_users_minimal_one(void) {
    struct passwd *pw = getpwuid(getuid());
    CHECK(pw != NULL);
    if (!pw) return;
    struct stat st;
    const char *cwd = stat(pw->pw_dir, &st) == 0 && S_ISDIR(st.st_mode) ? pw->pw_dir : "/";
    char dir[] = "/tmp/hostsec-env-XXXXXX", script[4096];
    CHECK(mkdtemp(dir) && chmod(dir, 0755) == 0);
    snprintf(
        script, sizeof script,
        "[ -z \"$HS_SECRET\" ] || exit 1\n"
        "[ \"$HOME\" = '%s' ] && [ \"$USER\" = '%s' ] && [ \"$LOGNAME\" = '%s' ] || exit 2\n"
        "[ \"$SHELL\" = '%s' ] || exit 3\n"
        "[ \"$PATH\" = /usr/local/bin:/usr/bin:/bin ] || exit 4\n"
        "[ \"$(pwd)\" = '%s' ] || exit 5\n"
        "[ \"$(tr '\\0' '\\n' </proc/$$/environ | grep -cv '^HOME=\\|^USER=\\|^LOGNAME=\\|^SHELL=\\|^PATH=')\" = 0 ] "
        "|| exit 6\n",
        pw->pw_dir, pw->pw_name, pw->pw_name, pw->pw_shell[0] ? pw->pw_shell : "/bin/sh", cwd);
    write_program(dir, "check-environment", script);
    setenv("HS_SECRET", "root-daemon-secret", 1);
    HANDLE token = primary_token();
    char command[256];
    snprintf(command, sizeof command, "/bin/sh %s/check-environment", dir);
    DWORD code = 99;
    CHECK(run_as(token, command, NULL, NULL, &code));
    if (code != 0) fprintf(stderr, "  check-environment exited %u\n", (unsigned)code);
    CHECK(code == 0);
    unsetenv("HS_SECRET");
    remove_program(dir, "check-environment");
    CloseHandle(token);
}

/* A3-12: STARTF_USESTDHANDLES gives the child the descriptors passed ((HANDLE)fd;
 * INVALID_HANDLE_VALUE: /dev/null); without it descriptors 0-2 are /dev/null (a terminal
 * excepted: the caller's console, see test-processes-and-clients). */
static void create_process_as_user_standard_handles_are_the_ones_passed_or_dev_null(void) {
    char dir[] = "/tmp/hostsec-std-XXXXXX";
    CHECK(mkdtemp(dir) && chmod(dir, 0755) == 0);
    write_program(dir, "check-handles",
                  "[ \"$(readlink /proc/$$/fd/0)\" = /dev/null ] || exit 1\n"
                  "if [ \"$1\" = passed ]; then echo out; echo err >&2; exit 0; fi\n"
                  "[ \"$(readlink /proc/$$/fd/1)\" = /dev/null ] && [ \"$(readlink /proc/$$/fd/2)\" = /dev/null ] "
                  "|| exit 2\n");
    HANDLE token = primary_token();
    int p[2];
    CHECK(pipe(p) == 0);
    STARTUPINFOA si;
    PROCESS_INFORMATION pi;
    memset(&si, 0, sizeof si);
    si.cb = sizeof si;
    si.dwFlags = STARTF_USESTDHANDLES;
    si.hStdInput = INVALID_HANDLE_VALUE;
    si.hStdOutput = si.hStdError = (HANDLE)(intptr_t)p[1];
    char line[256];
    snprintf(line, sizeof line, "/bin/sh %s/check-handles passed", dir);
    DWORD code = 99;
    CHECK(CreateProcessAsUserA(token, NULL, line, NULL, NULL, FALSE, 0, NULL, NULL, &si, &pi));
    CHECK(WaitForSingleObject(pi.hProcess, INFINITE) == WAIT_OBJECT_0);
    CHECK(GetExitCodeProcess(pi.hProcess, &code) && code == 0);
    CloseHandle(pi.hProcess);
    CloseHandle(pi.hThread);
    close(p[1]);
    char got[16] = {0};
    CHECK(read(p[0], got, sizeof got - 1) == 8 && strcmp(got, "out\nerr\n") == 0);
    close(p[0]);
    /* Not passed: the caller's pipe at 1 does not reach the child. */
    CHECK(pipe(p) == 0);
    int saved = dup(1);
    fflush(stdout);
    dup2(p[1], 1);
    snprintf(line, sizeof line, "/bin/sh %s/check-handles", dir);
    BOOL started = run_as(token, line, NULL, NULL, &code);
    dup2(saved, 1);
    close(saved);
    CHECK(started && code == 0);
    close(p[0]);
    close(p[1]);
    remove_program(dir, "check-handles");
    CloseHandle(token);
}

/* A wait in a thread of its own, joined for at most `seconds`: its result, or HUNG when it
 * has not returned (the thread is left behind and the test fails). */
#define HUNG 0xDEADu
struct guarded_wait {
    HANDLE handle;
    DWORD milliseconds, result;
};
static void *guarded_waiter(void *arg) {
    struct guarded_wait *w = arg;
    w->result = WaitForSingleObject(w->handle, w->milliseconds);
    return NULL;
}
static DWORD wait_at_most(HANDLE h, DWORD milliseconds, int seconds, void (*meanwhile)(void)) {
    static struct guarded_wait w; /* outlives a hung thread */
    pthread_t thread;
    struct timespec until;
    w.handle = h;
    w.milliseconds = milliseconds;
    w.result = HUNG;
    if (pthread_create(&thread, NULL, guarded_waiter, &w) != 0) return HUNG;
    if (meanwhile) meanwhile();
    clock_gettime(CLOCK_REALTIME, &until);
    until.tv_sec += seconds;
    if (pthread_timedjoin_np(thread, NULL, &until) != 0) {
        fprintf(stderr, "  the wait has not returned after %d s\n", seconds);
        pthread_detach(thread);
        return HUNG;
    }
    return w.result;
}

/* ADV2-01: a host that reaps its own children (SIGCHLD ignored, or its own waitpid) takes the
 * exit status; the process handle still ends: an INFINITE wait returns, and the exit code is
 * HS_EXIT_CODE_UNKNOWN, never STILL_ACTIVE for ever. */
static void create_process_as_user_wait_returns_when_the_host_ignores_sigchld(void) {
    HANDLE token = primary_token();
    PROCESS_INFORMATION pi;
    DWORD code = 0;
    signal(SIGCHLD, SIG_IGN);
    CHECK(start_child(token, &pi));
    CHECK(wait_at_most(pi.hProcess, INFINITE, 10, NULL) == WAIT_OBJECT_0);
    CHECK(GetExitCodeProcess(pi.hProcess, &code) && code == HS_EXIT_CODE_UNKNOWN);
    CHECK(WaitForSingleObject(pi.hThread, 1000) == WAIT_OBJECT_0);
    CloseHandle(pi.hThread);
    CloseHandle(pi.hProcess);
    signal(SIGCHLD, SIG_DFL);
    /* The host's own waitpid takes the child first. */
    int status = 0;
    CHECK(start_child(token, &pi));
    CHECK(waitpid((pid_t)pi.dwProcessId, &status, 0) == (pid_t)pi.dwProcessId && WEXITSTATUS(status) == 3);
    CHECK(GetExitCodeProcess(pi.hProcess, &code) && code == HS_EXIT_CODE_UNKNOWN);
    CHECK(wait_at_most(pi.hProcess, 2000, 10, NULL) == WAIT_OBJECT_0);
    CHECK(wait_at_most(pi.hProcess, INFINITE, 10, NULL) == WAIT_OBJECT_0);
    CloseHandle(pi.hThread);
    CloseHandle(pi.hProcess);
    CloseHandle(token);
}

/* Forks a child of the host's own at pid `want` (ns_last_pid: the test runs alone in a pid
 * namespace of its own); it exits 42 when `release` is written or closed (`held`, the other
 * end, is closed in it). Another pid: that pid, -1: none. */
static pid_t fork_at(pid_t want, int release, int held) {
    FILE *f = fopen("/proc/sys/kernel/ns_last_pid", "w");
    if (!f) return -1;
    fprintf(f, "%d", (int)want - 1);
    if (fclose(f) != 0) return -1;
    pid_t pid = fork();
    if (pid == 0) {
        char c;
        close(held);
        alarm(20);
        (void)read(release, &c, 1);
        _exit(42);
    }
    return pid;
}

/* The pid namespace side of the test below: exit 0 passed, 1 failed, 77 could not set up. */
static int reused_pid_scenario(void) {
    HANDLE token = primary_token();
    PROCESS_INFORMATION pi;
    DWORD code = 0;
    int status = 0, pipes[2][2];
    for (int round = 0; round < 2; round++) {
        if (pipe(pipes[round]) != 0 || !start_child(token, &pi)) return 77;
        pid_t pid = (pid_t)pi.dwProcessId;
        if (waitpid(pid, &status, 0) != pid) return 77; /* the host reaps its child itself */
        pid_t other = fork_at(pid, pipes[round][0], pipes[round][1]);
        if (other != pid) {
            fprintf(stderr, "  skip: the pid %d did not come round (got %d)\n", (int)pid, (int)other);
            if (other > 0) close(pipes[round][1]), waitpid(other, NULL, 0);
            return 77;
        }
        if (round == 0) {
            /* Waiting on the handle neither waits for nor reaps the new child of that pid. */
            CHECK(WaitForSingleObject(pi.hProcess, 100) == WAIT_OBJECT_0);
            CHECK(GetExitCodeProcess(pi.hProcess, &code) && code == HS_EXIT_CODE_UNKNOWN);
            CloseHandle(pi.hThread);
            CloseHandle(pi.hProcess);
        } else {
            /* Closing the last handle starts no reaper on the pid. */
            CloseHandle(pi.hThread);
            CloseHandle(pi.hProcess);
            usleep(200000);
        }
        close(pipes[round][1]);
        CHECK(waitpid(other, &status, 0) == other && WIFEXITED(status) && WEXITSTATUS(status) == 42);
        close(pipes[round][0]);
    }
    CloseHandle(token);
    return check_current_failed ? 1 : 0;
}

/* ADV2-02: the library waits through the pidfd, never by pid number: after the host reaped
 * a child and forked one of its own with the same pid, neither a wait on the old handle nor
 * closing it touches the new child. Runs in a new pid namespace (root); skipped otherwise. */
static void process_handle_never_reaps_another_child_with_a_reused_pid(void) {
    pid_t outer = fork();
    if (outer == 0) {
        if (unshare(CLONE_NEWPID) != 0) _exit(100 + errno);
        pid_t inner = fork();
        if (inner == 0) {
            execl("/proc/self/exe", "access-control", "--reused-pid-scenario", (char *)NULL);
            _exit(127);
        }
        int status = 0;
        if (inner < 0 || waitpid(inner, &status, 0) != inner) _exit(127);
        _exit(WIFEXITED(status) ? WEXITSTATUS(status) : 127);
    }
    int status = 0;
    CHECK(outer > 0 && waitpid(outer, &status, 0) == outer && WIFEXITED(status));
    int result = WEXITSTATUS(status);
    if (result >= 100 && result != 127) {
        printf("  skip: no pid namespace of its own (unshare: %s)\n", strerror(result - 100));
        return;
    }
    if (result == 77) {
        printf("  skip: the scenario could not be set up in the pid namespace\n");
        return;
    }
    CHECK(result == 0);
}

static PROCESS_INFORMATION closed_while_waiting;
static int reused = -1;
/* Closes both handles while the wait runs; the host then opens a descriptor, which takes
 * the lowest free number (a closed pidfd's). */
static void close_both_handles_meanwhile(void) {
    usleep(100000);
    CHECK(CloseHandle(closed_while_waiting.hProcess) && CloseHandle(closed_while_waiting.hThread));
    reused = open("/dev/zero", O_RDONLY | O_CLOEXEC);
}

/* ADV2-03: CloseHandle on the last handles while another thread waits: the process object
 * (and its pidfd) lives until the wait is done, so the wait ends when the child does, even
 * when the host opens a descriptor that could take the pidfd's number. */
static void closing_a_process_handle_while_another_thread_waits_ends_the_wait(void) {
    HANDLE token = primary_token();
    STARTUPINFOA si;
    char line[] = "sleep 0.3";
    memset(&si, 0, sizeof si);
    si.cb = sizeof si;
    for (int round = 0; round < 3; round++) {
        CHECK(CreateProcessAsUserA(token, NULL, line, NULL, NULL, FALSE, 0, NULL, NULL, &si, &closed_while_waiting));
        DWORD result = wait_at_most(closed_while_waiting.hProcess, INFINITE, 10, close_both_handles_meanwhile);
        CHECK(result == WAIT_OBJECT_0);
        if (reused >= 0) close(reused);
        reused = -1;
    }
    /* And the closed handles are dead. */
    CHECK(WaitForSingleObject(closed_while_waiting.hProcess, 0) == WAIT_FAILED);
    CloseHandle(token);
}

int main(int argc, char **argv) {
    if (argc == 2 && strcmp(argv[1], "--reused-pid-scenario") == 0) return reused_pid_scenario();
    HANDLE process = NULL;
    unsigned char buffer[256];
    DWORD length = 0;
    LPSTR text = NULL;
    if (!OpenProcessToken(GetCurrentProcess(), TOKEN_QUERY, &process) ||
        !GetTokenInformation(process, TokenUser, buffer, sizeof buffer, &length) ||
        !ConvertSidToStringSidA(((TOKEN_USER *)buffer)->User.Sid, &text)) {
        fprintf(stderr, "cannot read the process token\n");
        return 1;
    }
    snprintf(me, sizeof me, "%s", text);
    LocalFree(text);
    CloseHandle(process);
    root = getuid() == 0;
    privileged = (thread_cap("CapEff") & 0x6) == 0x6;
    if (!(thread_cap("CapPrm") & (1ull << 7))) printf("# unprivileged: no CAP_SETUID\n");

    RUN_TEST(security_descriptors_build_and_read_back);
    RUN_TEST(acls_follow_the_windows_size_rules);
    RUN_TEST(sddl_round_trips);
    RUN_TEST(sddl_rejects_malformed_input);
    RUN_TEST(access_check_allow_grants_what_the_entry_allows);
    RUN_TEST(access_check_a_right_no_entry_allows_is_denied);
    RUN_TEST(access_check_deny_entry_denies);
    RUN_TEST(access_check_entries_decide_in_order);
    RUN_TEST(access_check_generic_rights_map_through_the_mapping);
    RUN_TEST(access_check_maximum_allowed_grants_every_allowed_right);
    RUN_TEST(access_check_owner_gets_read_control_and_write_dac);
    RUN_TEST(access_check_owner_rights_entry_replaces_the_owners_implicit_rights);
    RUN_TEST(access_check_owner_rights_entry_in_both_passes_of_a_restricted_token);
    RUN_TEST(access_check_null_dacl_grants_everyone_everything);
    RUN_TEST(access_check_empty_dacl_grants_no_one);
    RUN_TEST(access_check_zero_desired_access_is_denied);
    RUN_TEST(access_check_backup_and_restore_privileges_grant_past_the_dacl);
    RUN_TEST(access_check_access_system_security_takes_se_security_privilege);
    RUN_TEST(access_check_asks_for_an_impersonation_token);
    RUN_TEST(access_check_rejects_bad_arguments);
    RUN_TEST(access_check_restricted_token_needs_both_passes);
    RUN_TEST(access_check_deny_only_sids_match_deny_entries_only);
    RUN_TEST(restricting_a_restricted_token_again_never_widens_access);
    RUN_TEST(maximum_allowed_never_grants_access_system_security_without_the_privilege);
    RUN_TEST(token_security_descriptor_is_the_one_open_thread_token_checks);
    RUN_TEST(a_removed_privilege_no_longer_opens_a_token_or_sets_an_owner);
    RUN_TEST(impersonating_a_restricted_token_drops_deleted_privileges_in_the_kernel);
    RUN_TEST(create_restricted_token_checks_its_arguments);
    RUN_TEST(create_process_as_user_runs_the_command_line);
    RUN_TEST(create_process_as_user_runs_as_the_account);
    RUN_TEST(process_handles_share_no_structure);
    RUN_TEST(close_handle_closes_a_process_handle);
    RUN_TEST(a_process_handle_is_no_token_and_a_token_handle_no_process);
    RUN_TEST(create_process_as_user_checks_its_arguments);
    RUN_TEST(create_process_as_user_never_runs_a_program_from_lp_current_directory);
    RUN_TEST(create_process_as_user_with_no_environment_gets_the_users_minimal_one);
    RUN_TEST(create_process_as_user_standard_handles_are_the_ones_passed_or_dev_null);
    RUN_TEST(create_process_as_user_wait_returns_when_the_host_ignores_sigchld);
    RUN_TEST(process_handle_never_reaps_another_child_with_a_reused_pid);
    RUN_TEST(closing_a_process_handle_while_another_thread_waits_ends_the_wait);
    CHECK_EXIT();
}
