/* The flat token API, row by row of the tables in docs/token-api.md: HostSec_CloseHandle,
 * HostSec_OpenProcessToken, HostSec_ImpersonateSelf, HostSec_DuplicateTokenEx,
 * HostSec_GetTokenInformation, HostSec_LogonUser. Values are compared with what the kernel
 * (getresuid, getgroups, capget) or the user database (getpwnam, getgrouplist) says. */
#include <grp.h>
#include <pwd.h>
#include "token_util.h"

static IHostSecurityManager *mgr;

static HRESULT info(HANDLE h, TOKEN_INFORMATION_CLASS c, void *buf, DWORD len, DWORD *ret) {
    return HostSec_GetTokenInformation(h, c, buf, len, ret);
}

static int can_query_source(HANDLE h) {
    HOSTSEC_TOKEN_SOURCE s;
    DWORD len = 0;
    return info(h, TokenSource, &s, sizeof s, &len) == S_OK;
}

static HANDLE process_token(DWORD access) {
    HANDLE h = NULL;
    CHECK_HR(HostSec_OpenProcessToken(access, &h), S_OK);
    return h;
}

/* A fresh impersonation-token handle at a level (from the process token). */
static HANDLE impersonation_token(SECURITY_IMPERSONATION_LEVEL level, DWORD access) {
    HANDLE p = process_token(TOKEN_DUPLICATE), d = NULL;
    CHECK_HR(HostSec_DuplicateTokenEx(p, access, level, TokenImpersonation, &d), S_OK);
    HostSec_CloseHandle(p);
    return d;
}

static void source_name_is(HANDLE h, const char *name, uint64_t sourceId) {
    HOSTSEC_TOKEN_SOURCE s;
    DWORD len = 0;
    char want[8] = {0};
    memcpy(want, name, strlen(name));
    CHECK_HR(info(h, TokenSource, &s, sizeof s, &len), S_OK);
    CHECK(memcmp(s.SourceName, want, 8) == 0);
    CHECK(s.SourceIdentifier == sourceId);
}

/* The account's groups as getgrouplist gives them, duplicates dropped (as initgroups). */
static int account_groups(const char *name, gid_t gid, gid_t *out, int max) {
    gid_t raw[256];
    int n = 256;
    if (getgrouplist(name, gid, raw, &n) < 0) return -1;
    int k = 0;
    for (int i = 0; i < n; i++) {
        int seen = 0;
        for (int j = 0; j < k; j++) seen |= out[j] == raw[i];
        if (!seen && k < max) out[k++] = raw[i];
    }
    return k;
}

/* ======================================================================================
 * HostSec_CloseHandle
 * ==================================================================================== */

static void close_handle_live_is_s_ok_and_count_drops(void) {
    HOSTSEC_STATISTICS before = check_stats();
    HANDLE h = process_token(TOKEN_QUERY);
    CHECK(check_stats().LiveHandles == before.LiveHandles + 1);
    CHECK_HR(HostSec_CloseHandle(h), S_OK);
    CHECK(check_stats().LiveHandles == before.LiveHandles);
}

static void close_handle_null_is_e_handle(void) { CHECK_HR(HostSec_CloseHandle(NULL), E_HANDLE); }

static void close_handle_closed_is_e_handle(void) {
    HANDLE h = process_token(TOKEN_QUERY);
    CHECK_HR(HostSec_CloseHandle(h), S_OK);
    CHECK_HR(HostSec_CloseHandle(h), E_HANDLE);
    CHECK(!util_can_query(h));
}

static void close_handle_never_issued_is_e_handle(void) {
    HOSTSEC_STATISTICS before = check_stats();
    int local = 0;
    HANDLE values[] = {(HANDLE)(uintptr_t)1,
                       (HANDLE)(uintptr_t)2,
                       (HANDLE)(uintptr_t)0x1000,
                       (HANDLE)(uintptr_t)UINT32_MAX,
                       (HANDLE)(uintptr_t)UINTPTR_MAX,
                       (HANDLE)&local,
                       (HANDLE)mgr,
                       JUNK_HANDLE};
    for (size_t i = 0; i < sizeof values / sizeof values[0]; i++) CHECK_HR(HostSec_CloseHandle(values[i]), E_HANDLE);
    CHECK(check_stats().LiveHandles == before.LiveHandles);
}

static void close_handle_forged_from_live_value_is_e_handle(void) {
    HANDLE h = process_token(TOKEN_QUERY);
    uintptr_t v = (uintptr_t)h;
    for (int bit = 0; bit < 64; bit++) {
        HANDLE forged = (HANDLE)(v ^ ((uintptr_t)1 << bit));
        HRESULT hr = HostSec_CloseHandle(forged);
        /* Flipping a low bit may name another live slot only if it is ours; none is here. */
        CHECK_HR(hr, E_HANDLE);
    }
    CHECK(util_can_query(h)); /* the real handle is untouched */
    CHECK_HR(HostSec_CloseHandle(h), S_OK);
}

/* ======================================================================================
 * HostSec_OpenProcessToken
 * ==================================================================================== */

static void open_process_token_query_gives_primary_self_token(void) {
    HANDLE h = process_token(TOKEN_QUERY);
    HOSTSEC_TOKEN_STATISTICS s = util_statistics(h);
    CHECK(s.TokenType == TokenPrimary);
    CHECK(s.ImpersonationLevel == 0);
    HOSTSEC_TOKEN_USER u = {0xFFFFu};
    DWORD len = 0;
    CHECK_HR(info(h, TokenUser, &u, sizeof u, &len), S_OK);
    uid_t r, e, sv;
    getresuid(&r, &e, &sv);
    CHECK(u.Uid == e);
    CHECK(!util_can_duplicate(h));
    CHECK(!can_query_source(h));
    CHECK_HR(HostSec_CloseHandle(h), S_OK);
}

static void open_process_token_rights_are_what_was_asked(void) {
    HANDLE h = process_token(TOKEN_DUPLICATE);
    CHECK(!util_can_query(h) && util_can_duplicate(h));
    CHECK_HR(HostSec_CloseHandle(h), S_OK);
    h = process_token(0);
    CHECK(!util_can_query(h) && !util_can_duplicate(h));
    CHECK_HR(HostSec_CloseHandle(h), S_OK);
    h = process_token(MAXIMUM_ALLOWED);
    CHECK(util_can_query(h) && util_can_duplicate(h) && can_query_source(h));
    CHECK_HR(HostSec_CloseHandle(h), S_OK);
    h = process_token(GENERIC_READ);
    CHECK(util_can_query(h) && can_query_source(h));
    CHECK_HR(HostSec_CloseHandle(h), S_OK);
    h = process_token(TOKEN_ALL_ACCESS);
    CHECK(util_can_query(h) && util_can_duplicate(h) && can_query_source(h));
    CHECK_HR(HostSec_CloseHandle(h), S_OK);
}

static void open_process_token_invalid_right_is_access_denied(void) {
    HANDLE h = JUNK_HANDLE;
    CHECK_HR(HostSec_OpenProcessToken(0x00100000u /* SYNCHRONIZE */, &h), E_ACCESSDENIED);
    CHECK(h == NULL);
}

static void open_process_token_null_out_is_e_pointer(void) {
    HOSTSEC_STATISTICS before = check_stats();
    CHECK_HR(HostSec_OpenProcessToken(TOKEN_QUERY, NULL), E_POINTER);
    CHECK(check_stats().LiveHandles == before.LiveHandles);
}

static void open_process_token_same_token_each_time(void) {
    HANDLE a = process_token(TOKEN_QUERY), b = process_token(TOKEN_QUERY);
    CHECK(a != b);
    CHECK(util_statistics(a).TokenId == util_statistics(b).TokenId);
    HostSec_CloseHandle(a);
    HostSec_CloseHandle(b);
}

static void open_process_token_while_impersonating_nobody_is_access_denied(void) {
    SKIP_UNLESS_ROOT();
    HANDLE n = NULL, h = JUNK_HANDLE;
    CHECK_HR(HostSec_LogonUser("nobody", &n), S_OK);
    CHECK_HR(mgr->lpVtbl->ImpersonateLoggedOnUser(mgr, n), S_OK);
    CHECK_HR(HostSec_OpenProcessToken(TOKEN_QUERY, &h), E_ACCESSDENIED);
    CHECK(h == NULL);
    h = JUNK_HANDLE;
    CHECK_HR(HostSec_OpenProcessToken(MAXIMUM_ALLOWED, &h), E_ACCESSDENIED);
    CHECK(h == NULL);
    CHECK_HR(HostSec_OpenProcessToken(0, &h), S_OK); /* nothing asked, nothing to deny */
    CHECK(!util_can_query(h));
    HostSec_CloseHandle(h);
    CHECK_HR(util_revert(mgr), S_OK);
    h = process_token(TOKEN_QUERY); /* as self again */
    CHECK(util_can_query(h));
    HostSec_CloseHandle(h);
    HostSec_CloseHandle(n);
}

static void open_process_token_at_identification_is_bad_impersonation_level(void) {
    HANDLE h = JUNK_HANDLE;
    CHECK_HR(HostSec_ImpersonateSelf(SecurityIdentification), S_OK);
    CHECK_HR(HostSec_OpenProcessToken(TOKEN_QUERY, &h), HRESULT_FROM_WIN32(ERROR_BAD_IMPERSONATION_LEVEL));
    CHECK(h == NULL);
    CHECK_HR(util_revert(mgr), S_OK);
}

static void open_process_token_at_anonymous_is_bad_impersonation_level(void) {
    HANDLE h = JUNK_HANDLE;
    CHECK_HR(HostSec_ImpersonateSelf(SecurityAnonymous), S_OK);
    CHECK_HR(HostSec_OpenProcessToken(TOKEN_QUERY, &h), HRESULT_FROM_WIN32(ERROR_BAD_IMPERSONATION_LEVEL));
    CHECK(h == NULL);
    CHECK_HR(util_revert(mgr), S_OK);
}

static void open_process_token_at_impersonation_of_self_succeeds(void) {
    HANDLE h = NULL;
    CHECK_HR(HostSec_ImpersonateSelf(SecurityImpersonation), S_OK);
    CHECK_HR(HostSec_OpenProcessToken(TOKEN_QUERY, &h), S_OK);
    CHECK(util_statistics(h).TokenType == TokenPrimary);
    HostSec_CloseHandle(h);
    CHECK_HR(util_revert(mgr), S_OK);
}

/* ======================================================================================
 * HostSec_ImpersonateSelf
 * ==================================================================================== */

static void impersonate_self_each_level_sets_that_level(void) {
    HANDLE p = process_token(TOKEN_QUERY);
    uint64_t processId = util_statistics(p).TokenId;
    for (int level = SecurityAnonymous; level <= SecurityDelegation; level++) {
        CHECK_HR(HostSec_ImpersonateSelf((SECURITY_IMPERSONATION_LEVEL)level), S_OK);
        CHECK(check_stats().ImpersonatingThreads >= 1);
        if (level == SecurityAnonymous) {
            HANDLE h = JUNK_HANDLE;
            CHECK_HR(util_open(mgr, TOKEN_QUERY, TRUE, &h), HRESULT_FROM_WIN32(ERROR_CANT_OPEN_ANONYMOUS));
        } else {
            HANDLE h = NULL;
            CHECK_HR(util_open(mgr, TOKEN_QUERY | TOKEN_QUERY_SOURCE, TRUE, &h), S_OK);
            HOSTSEC_TOKEN_STATISTICS s = util_statistics(h);
            CHECK(s.TokenType == TokenImpersonation);
            CHECK((int)s.ImpersonationLevel == level);
            SECURITY_IMPERSONATION_LEVEL got = (SECURITY_IMPERSONATION_LEVEL)99;
            DWORD len = 0;
            CHECK_HR(info(h, TokenImpersonationLevel, &got, sizeof got, &len), S_OK);
            CHECK((int)got == level && len == 4);
            source_name_is(h, "Self", processId);
            HOSTSEC_TOKEN_USER u;
            CHECK_HR(info(h, TokenUser, &u, sizeof u, &len), S_OK);
            CHECK(u.Uid == geteuid());
            HostSec_CloseHandle(h);
        }
    }
    CHECK_HR(util_revert(mgr), S_OK);
    HostSec_CloseHandle(p);
}

static void impersonate_self_replaces_and_does_not_stack(void) {
    HOSTSEC_STATISTICS before = check_stats();
    CHECK_HR(HostSec_ImpersonateSelf(SecurityImpersonation), S_OK);
    uint64_t first = util_thread_token_id(mgr);
    CHECK_HR(HostSec_ImpersonateSelf(SecurityDelegation), S_OK);
    uint64_t second = util_thread_token_id(mgr);
    CHECK(first != 0 && second != 0 && first != second);
    CHECK(check_stats().ImpersonatingThreads == before.ImpersonatingThreads + 1);
    CHECK_HR(util_revert(mgr), S_OK);
    CHECK(util_thread_token_id(mgr) == 0); /* one revert returns to self */
    CHECK(check_stats().ImpersonatingThreads == before.ImpersonatingThreads);
}

static void impersonate_self_out_of_range_is_invalidarg_without_token(void) {
    int bad[] = {4, 5, -1, 0x7fffffff, (int)0x80000000};
    HOSTSEC_STATISTICS before = check_stats();
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        CHECK_HR(HostSec_ImpersonateSelf((SECURITY_IMPERSONATION_LEVEL)bad[i]), E_INVALIDARG);
        HANDLE h = JUNK_HANDLE;
        CHECK_HR(util_open(mgr, TOKEN_QUERY, TRUE, &h), HRESULT_FROM_WIN32(ERROR_NO_TOKEN));
    }
    HOSTSEC_STATISTICS after = check_stats();
    CHECK(after.ImpersonatingThreads == before.ImpersonatingThreads);
    CHECK(after.LiveTokens == before.LiveTokens);
}

static void impersonate_self_out_of_range_leaves_current_token(void) {
    CHECK_HR(HostSec_ImpersonateSelf(SecurityIdentification), S_OK);
    uint64_t id = util_thread_token_id(mgr);
    CHECK_HR(HostSec_ImpersonateSelf((SECURITY_IMPERSONATION_LEVEL)4), E_INVALIDARG);
    CHECK_HR(HostSec_ImpersonateSelf((SECURITY_IMPERSONATION_LEVEL)-1), E_INVALIDARG);
    CHECK_HR(HostSec_ImpersonateSelf((SECURITY_IMPERSONATION_LEVEL)0x7fffffff), E_INVALIDARG);
    CHECK(id != 0 && util_thread_token_id(mgr) == id);
    CHECK_HR(util_revert(mgr), S_OK);
}

/* ======================================================================================
 * HostSec_DuplicateTokenEx
 * ==================================================================================== */

static void duplicate_without_token_duplicate_is_access_denied(void) {
    HANDLE p = process_token(TOKEN_QUERY | TOKEN_IMPERSONATE), d = JUNK_HANDLE;
    CHECK_HR(HostSec_DuplicateTokenEx(p, TOKEN_QUERY, SecurityImpersonation, TokenImpersonation, &d), E_ACCESSDENIED);
    CHECK(d == NULL);
    HostSec_CloseHandle(p);
}

static void duplicate_cannot_raise_impersonation_level(void) {
    HANDLE id = impersonation_token(SecurityIdentification, TOKEN_ALL_ACCESS), d = JUNK_HANDLE;
    CHECK_HR(HostSec_DuplicateTokenEx(id, 0, SecurityImpersonation, TokenImpersonation, &d),
             HRESULT_FROM_WIN32(ERROR_BAD_IMPERSONATION_LEVEL));
    CHECK(d == NULL);
    d = JUNK_HANDLE;
    CHECK_HR(HostSec_DuplicateTokenEx(id, 0, SecurityDelegation, TokenImpersonation, &d),
             HRESULT_FROM_WIN32(ERROR_BAD_IMPERSONATION_LEVEL));
    CHECK(d == NULL);
    /* same or lower is fine */
    CHECK_HR(HostSec_DuplicateTokenEx(id, 0, SecurityIdentification, TokenImpersonation, &d), S_OK);
    CHECK(util_statistics(d).ImpersonationLevel == SecurityIdentification);
    HostSec_CloseHandle(d);
    CHECK_HR(HostSec_DuplicateTokenEx(id, 0, SecurityAnonymous, TokenImpersonation, &d), S_OK);
    CHECK(util_statistics(d).ImpersonationLevel == SecurityAnonymous);
    HostSec_CloseHandle(d);
    HostSec_CloseHandle(id);
    HANDLE imp = impersonation_token(SecurityImpersonation, TOKEN_ALL_ACCESS);
    d = JUNK_HANDLE;
    CHECK_HR(HostSec_DuplicateTokenEx(imp, 0, SecurityDelegation, TokenImpersonation, &d),
             HRESULT_FROM_WIN32(ERROR_BAD_IMPERSONATION_LEVEL));
    CHECK(d == NULL);
    HostSec_CloseHandle(imp);
}

static void duplicate_primary_from_identification_or_anonymous_is_bad_level(void) {
    SECURITY_IMPERSONATION_LEVEL low[] = {SecurityIdentification, SecurityAnonymous};
    for (int i = 0; i < 2; i++) {
        HANDLE src = impersonation_token(low[i], TOKEN_ALL_ACCESS), d = JUNK_HANDLE;
        CHECK_HR(HostSec_DuplicateTokenEx(src, 0, SecurityAnonymous, TokenPrimary, &d),
                 HRESULT_FROM_WIN32(ERROR_BAD_IMPERSONATION_LEVEL));
        CHECK(d == NULL);
        HostSec_CloseHandle(src);
    }
}

static void duplicate_primary_from_impersonation_succeeds(void) {
    HANDLE src = impersonation_token(SecurityImpersonation, TOKEN_ALL_ACCESS), d = NULL;
    CHECK_HR(HostSec_DuplicateTokenEx(src, 0, SecurityImpersonation, TokenPrimary, &d), S_OK);
    HOSTSEC_TOKEN_STATISTICS s = util_statistics(d);
    CHECK(s.TokenType == TokenPrimary && s.ImpersonationLevel == 0);
    HostSec_CloseHandle(d);
    HostSec_CloseHandle(src);
}

static void duplicate_primary_source_to_any_level(void) {
    HANDLE p = process_token(TOKEN_DUPLICATE | TOKEN_QUERY);
    for (int level = SecurityAnonymous; level <= SecurityDelegation; level++) {
        HANDLE d = NULL;
        CHECK_HR(HostSec_DuplicateTokenEx(p, TOKEN_QUERY, (SECURITY_IMPERSONATION_LEVEL)level, TokenImpersonation, &d),
                 S_OK);
        HOSTSEC_TOKEN_STATISTICS s = util_statistics(d);
        CHECK(s.TokenType == TokenImpersonation && (int)s.ImpersonationLevel == level);
        HostSec_CloseHandle(d);
    }
    HostSec_CloseHandle(p);
}

static void duplicate_bad_type_or_level_is_invalidarg(void) {
    HANDLE p = process_token(TOKEN_DUPLICATE | TOKEN_QUERY), d;
    int badTypes[] = {0, 3, -1};
    for (int i = 0; i < 3; i++) {
        d = JUNK_HANDLE;
        CHECK_HR(HostSec_DuplicateTokenEx(p, 0, SecurityImpersonation, (TOKEN_TYPE)badTypes[i], &d), E_INVALIDARG);
        CHECK(d == NULL);
    }
    int badLevels[] = {4, -1, 0x7fffffff};
    for (int i = 0; i < 3; i++) {
        d = JUNK_HANDLE;
        CHECK_HR(HostSec_DuplicateTokenEx(p, 0, (SECURITY_IMPERSONATION_LEVEL)badLevels[i], TokenImpersonation, &d),
                 E_INVALIDARG);
        CHECK(d == NULL);
    }
    HostSec_CloseHandle(p);
}

static void duplicate_zero_access_gets_source_handle_rights(void) {
    HANDLE p = process_token(TOKEN_DUPLICATE | TOKEN_QUERY), d = NULL, dd = NULL;
    CHECK_HR(HostSec_DuplicateTokenEx(p, 0, SecurityImpersonation, TokenImpersonation, &d), S_OK);
    CHECK(util_can_query(d));
    CHECK(!can_query_source(d));
    CHECK_HR(mgr->lpVtbl->SetThreadToken(mgr, d), E_ACCESSDENIED); /* no TOKEN_IMPERSONATE */
    CHECK_HR(HostSec_DuplicateTokenEx(d, 0, SecurityImpersonation, TokenImpersonation, &dd), S_OK); /* has DUPLICATE */
    HostSec_CloseHandle(dd);
    HostSec_CloseHandle(d);
    HostSec_CloseHandle(p);
    p = process_token(TOKEN_DUPLICATE);
    CHECK_HR(HostSec_DuplicateTokenEx(p, 0, SecurityImpersonation, TokenImpersonation, &d), S_OK);
    CHECK(!util_can_query(d));
    HostSec_CloseHandle(d);
    HostSec_CloseHandle(p);
}

static void duplicate_explicit_access_is_checked_and_granted(void) {
    HANDLE p = process_token(TOKEN_DUPLICATE), d = NULL;
    /* the source handle cannot query, but the copy is a new object: its DACL grants self */
    CHECK_HR(
        HostSec_DuplicateTokenEx(p, TOKEN_QUERY | TOKEN_IMPERSONATE, SecurityImpersonation, TokenImpersonation, &d),
        S_OK);
    CHECK(util_can_query(d) && !util_can_duplicate(d));
    HostSec_CloseHandle(d);
    d = JUNK_HANDLE;
    CHECK_HR(HostSec_DuplicateTokenEx(p, 0x00100000u, SecurityImpersonation, TokenImpersonation, &d), E_ACCESSDENIED);
    CHECK(d == NULL);
    HostSec_CloseHandle(p);
}

static void duplicate_new_token_id_same_authentication_id(void) {
    HANDLE p = process_token(TOKEN_DUPLICATE | TOKEN_QUERY | TOKEN_QUERY_SOURCE), d = NULL;
    CHECK_HR(HostSec_DuplicateTokenEx(p, 0, SecurityImpersonation, TokenImpersonation, &d), S_OK);
    HOSTSEC_TOKEN_STATISTICS a = util_statistics(p), b = util_statistics(d);
    CHECK(a.TokenId != 0 && b.TokenId != 0 && a.TokenId != b.TokenId);
    CHECK(a.AuthenticationId != 0 && a.AuthenticationId == b.AuthenticationId);
    CHECK(b.ModifiedId == b.TokenId);
    source_name_is(d, "Copy", a.TokenId);
    HostSec_CloseHandle(d);
    HostSec_CloseHandle(p);
}

static void duplicate_bad_handle_and_null_out(void) {
    HANDLE p = process_token(TOKEN_DUPLICATE), d = JUNK_HANDLE;
    CHECK_HR(HostSec_DuplicateTokenEx(p, 0, SecurityImpersonation, TokenImpersonation, NULL), E_POINTER);
    HostSec_CloseHandle(p);
    CHECK_HR(HostSec_DuplicateTokenEx(p, 0, SecurityImpersonation, TokenImpersonation, &d), E_HANDLE);
    CHECK(d == NULL);
    d = JUNK_HANDLE;
    CHECK_HR(HostSec_DuplicateTokenEx(NULL, 0, SecurityImpersonation, TokenImpersonation, &d), E_HANDLE);
    CHECK(d == NULL);
}

/* ======================================================================================
 * HostSec_GetTokenInformation: exact values
 * ==================================================================================== */

static void *query_alloc(HANDLE h, TOKEN_INFORMATION_CLASS c, DWORD *size) {
    DWORD need = 0;
    CHECK_HR(info(h, c, NULL, 0, &need), HRESULT_FROM_WIN32(ERROR_INSUFFICIENT_BUFFER));
    void *buf = calloc(1, need ? need : 1);
    DWORD got = 0;
    CHECK_HR(info(h, c, buf, need, &got), S_OK);
    CHECK(got == need);
    *size = need;
    return buf;
}

static void token_information_process_token_matches_kernel(void) {
    HANDLE h = process_token(TOKEN_QUERY | TOKEN_QUERY_SOURCE);
    uid_t ru, eu, su;
    gid_t rg, eg, sg;
    CHECK(getresuid(&ru, &eu, &su) == 0 && getresgid(&rg, &eg, &sg) == 0);
    DWORD size = 0, len = 0;

    HOSTSEC_TOKEN_USER user = {0xFFFFFFFFu};
    CHECK_HR(info(h, TokenUser, &user, sizeof user, &len), S_OK);
    CHECK(len == sizeof user && user.Uid == eu);

    gid_t kgroups[1024];
    int kn = getgroups(1024, kgroups);
    HOSTSEC_TOKEN_GROUPS *g = query_alloc(h, TokenGroups, &size);
    CHECK(size == HOSTSEC_TOKEN_GROUPS_SIZE(kn));
    CHECK((int)g->GroupCount == kn);
    for (int i = 0; i < kn && i < (int)g->GroupCount; i++) CHECK(g->Gids[i] == kgroups[i]);
    free(g);

    uint64_t eff, perm, inh;
    CHECK(util_capget(&eff, &perm, &inh) == 0);
    int pc = __builtin_popcountll(perm);
    HOSTSEC_TOKEN_PRIVILEGES *p = query_alloc(h, TokenPrivileges, &size);
    CHECK(size == HOSTSEC_TOKEN_PRIVILEGES_SIZE(pc));
    CHECK((int)p->PrivilegeCount == pc);
    int k = 0;
    for (uint32_t cap = 0; cap < 64 && k < (int)p->PrivilegeCount; cap++) {
        if (!(perm & (1ULL << cap))) continue;
        CHECK(p->Privileges[k].Capability == cap);
        CHECK(p->Privileges[k].Attributes == ((eff & (1ULL << cap)) ? SE_PRIVILEGE_ENABLED : 0));
        k++;
    }
    CHECK(k == pc);
    free(p);

    HOSTSEC_TOKEN_OWNER owner = {0xFFFFFFFFu};
    CHECK_HR(info(h, TokenOwner, &owner, sizeof owner, &len), S_OK);
    CHECK(len == sizeof owner && owner.OwnerUid == eu);

    HOSTSEC_TOKEN_PRIMARY_GROUP pg = {0xFFFFFFFFu};
    CHECK_HR(info(h, TokenPrimaryGroup, &pg, sizeof pg, &len), S_OK);
    CHECK(len == sizeof pg && pg.Gid == eg);

    HOSTSEC_TOKEN_DACL *dacl = query_alloc(h, TokenDefaultDacl, &size);
    CHECK(size == HOSTSEC_TOKEN_DACL_SIZE(1));
    CHECK(dacl->AceCount == 1);
    CHECK(dacl->Aces[0].Kind == HOSTSEC_ACE_USER && dacl->Aces[0].Id == eu && dacl->Aces[0].Mask == TOKEN_ALL_ACCESS);
    free(dacl);

    source_name_is(h, "Process", 0);

    TOKEN_TYPE type = (TOKEN_TYPE)0;
    CHECK_HR(info(h, TokenType, &type, sizeof type, &len), S_OK);
    CHECK(len == 4 && type == TokenPrimary);

    SECURITY_IMPERSONATION_LEVEL lvl = (SECURITY_IMPERSONATION_LEVEL)77;
    CHECK_HR(info(h, TokenImpersonationLevel, &lvl, sizeof lvl, &len), E_INVALIDARG);
    CHECK((int)lvl == 77);

    HOSTSEC_TOKEN_STATISTICS st;
    memset(&st, 0xEE, sizeof st);
    CHECK_HR(info(h, TokenStatistics, &st, sizeof st, &len), S_OK);
    CHECK(len == sizeof st);
    CHECK(st.TokenId != 0 && st.AuthenticationId != 0);
    CHECK(st.ExpirationTime == INT64_MAX);
    CHECK(st.TokenType == TokenPrimary && st.ImpersonationLevel == 0);
    CHECK(st.DynamicCharged == 0 && st.DynamicAvailable == 0);
    CHECK((int)st.GroupCount == kn && (int)st.PrivilegeCount == pc);
    CHECK(st.ModifiedId == st.TokenId);
    HostSec_CloseHandle(h);
}

static void token_information_logon_token_matches_user_database(void) {
    const char *names[] = {"nobody", "daemon", "root"};
    for (int n = 0; n < 3; n++) {
        struct passwd *pw = getpwnam(names[n]);
        CHECK(pw != NULL);
        if (!pw) continue;
        uid_t uid = pw->pw_uid;
        gid_t gid = pw->pw_gid;
        gid_t want[256];
        int wn = account_groups(names[n], gid, want, 256);
        CHECK(wn >= 1);
        HANDLE h = NULL;
        CHECK_HR(HostSec_LogonUser(names[n], &h), S_OK);
        DWORD size = 0, len = 0;
        HOSTSEC_TOKEN_USER user;
        CHECK_HR(info(h, TokenUser, &user, sizeof user, &len), S_OK);
        CHECK(user.Uid == uid);
        HOSTSEC_TOKEN_PRIMARY_GROUP pg;
        CHECK_HR(info(h, TokenPrimaryGroup, &pg, sizeof pg, &len), S_OK);
        CHECK(pg.Gid == gid);
        HOSTSEC_TOKEN_GROUPS *g = query_alloc(h, TokenGroups, &size);
        CHECK((int)g->GroupCount == wn && size == HOSTSEC_TOKEN_GROUPS_SIZE(wn));
        for (int i = 0; i < wn && i < (int)g->GroupCount; i++) CHECK(g->Gids[i] == want[i]);
        free(g);
        HOSTSEC_TOKEN_OWNER owner;
        CHECK_HR(info(h, TokenOwner, &owner, sizeof owner, &len), S_OK);
        CHECK(owner.OwnerUid == uid);
        HOSTSEC_TOKEN_PRIVILEGES *p = query_alloc(h, TokenPrivileges, &size);
        if (uid != 0) {
            CHECK(p->PrivilegeCount == 0 && size == HOSTSEC_TOKEN_PRIVILEGES_SIZE(0));
        }
        free(p);
        HOSTSEC_TOKEN_DACL *dacl = query_alloc(h, TokenDefaultDacl, &size);
        if (uid == geteuid()) {
            CHECK(dacl->AceCount == 1 && dacl->Aces[0].Id == uid);
        } else {
            CHECK(dacl->AceCount == 2);
            CHECK(dacl->Aces[0].Kind == HOSTSEC_ACE_USER && dacl->Aces[0].Id == uid &&
                  dacl->Aces[0].Mask == TOKEN_ALL_ACCESS);
            CHECK(dacl->Aces[1].Kind == HOSTSEC_ACE_USER && dacl->Aces[1].Id == geteuid() &&
                  dacl->Aces[1].Mask == TOKEN_ALL_ACCESS);
        }
        free(dacl);
        source_name_is(h, "Logon", 0);
        HOSTSEC_TOKEN_STATISTICS st = util_statistics(h);
        CHECK(st.TokenType == TokenPrimary && (int)st.GroupCount == wn);
        HostSec_CloseHandle(h);
    }
}

static void token_information_thread_token_type_and_level(void) {
    CHECK_HR(HostSec_ImpersonateSelf(SecurityDelegation), S_OK);
    HANDLE h = NULL;
    CHECK_HR(util_open(mgr, TOKEN_QUERY, FALSE, &h), S_OK);
    TOKEN_TYPE type = (TOKEN_TYPE)0;
    SECURITY_IMPERSONATION_LEVEL lvl = (SECURITY_IMPERSONATION_LEVEL)0;
    DWORD len = 0;
    CHECK_HR(info(h, TokenType, &type, sizeof type, &len), S_OK);
    CHECK(type == TokenImpersonation);
    CHECK_HR(info(h, TokenImpersonationLevel, &lvl, sizeof lvl, &len), S_OK);
    CHECK(lvl == SecurityDelegation && len == 4);
    HostSec_CloseHandle(h);
    CHECK_HR(util_revert(mgr), S_OK);
}

/* ---- GetTokenInformation: failures ---------------------------------------------------- */

static void token_information_too_small_is_insufficient_buffer_with_size_and_buffer_untouched(void) {
    HANDLE h = NULL;
    CHECK_HR(HostSec_LogonUser("nobody", &h), S_OK);
    for (int c = TokenUser; c <= TokenStatistics; c++) {
        if (c == TokenImpersonationLevel) continue; /* primary: E_INVALIDARG, below */
        DWORD need = 0;
        CHECK_HR(info(h, (TOKEN_INFORMATION_CLASS)c, NULL, 0, &need), HRESULT_FROM_WIN32(ERROR_INSUFFICIENT_BUFFER));
        CHECK(need > 0 && need < 4096);
        unsigned char buf[4096];
        memset(buf, 0xCC, sizeof buf);
        DWORD got = 12345;
        CHECK_HR(info(h, (TOKEN_INFORMATION_CLASS)c, buf, need - 1, &got),
                 HRESULT_FROM_WIN32(ERROR_INSUFFICIENT_BUFFER));
        CHECK(got == need);
        int untouched = 1;
        for (size_t i = 0; i < sizeof buf; i++) untouched &= buf[i] == 0xCC;
        CHECK(untouched);
        got = 0;
        CHECK_HR(info(h, (TOKEN_INFORMATION_CLASS)c, buf, need, &got), S_OK);
        CHECK(got == need);
    }
    HostSec_CloseHandle(h);
}

static void token_information_null_return_length_is_e_pointer(void) {
    HANDLE h = process_token(TOKEN_QUERY);
    HOSTSEC_TOKEN_USER u = {0xABCu};
    CHECK_HR(info(h, TokenUser, &u, sizeof u, NULL), E_POINTER);
    CHECK(u.Uid == 0xABCu);
    HostSec_CloseHandle(h);
}

static void token_information_null_buffer_with_length_is_e_pointer(void) {
    HANDLE h = process_token(TOKEN_QUERY);
    DWORD len = 0;
    CHECK_HR(info(h, TokenUser, NULL, sizeof(HOSTSEC_TOKEN_USER), &len), E_POINTER);
    CHECK_HR(info(h, TokenGroups, NULL, 1, &len), E_POINTER);
    HostSec_CloseHandle(h);
}

static void token_information_unknown_class_is_invalidarg(void) {
    HANDLE h = process_token(TOKEN_QUERY | TOKEN_QUERY_SOURCE);
    unsigned char buf[256];
    DWORD len = 0;
    int bad[] = {0, 11, 12, 29, -1, 0x7fffffff};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        memset(buf, 0xCC, sizeof buf);
        CHECK_HR(info(h, (TOKEN_INFORMATION_CLASS)bad[i], buf, sizeof buf, &len), E_INVALIDARG);
        CHECK(buf[0] == 0xCC && buf[255] == 0xCC);
    }
    HostSec_CloseHandle(h);
}

static void token_information_impersonation_level_of_primary_is_invalidarg(void) {
    HANDLE h = process_token(TOKEN_QUERY);
    SECURITY_IMPERSONATION_LEVEL lvl = (SECURITY_IMPERSONATION_LEVEL)55;
    DWORD len = 0;
    CHECK_HR(info(h, TokenImpersonationLevel, &lvl, sizeof lvl, &len), E_INVALIDARG);
    CHECK((int)lvl == 55);
    HostSec_CloseHandle(h);
}

static void token_information_without_token_query_is_access_denied(void) {
    HANDLE h = process_token(TOKEN_QUERY_SOURCE | TOKEN_DUPLICATE);
    unsigned char buf[4096];
    DWORD len = 0;
    for (int c = TokenUser; c <= TokenStatistics; c++) {
        if (c == TokenSource) continue;
        memset(buf, 0xCC, sizeof buf);
        CHECK_HR(info(h, (TOKEN_INFORMATION_CLASS)c, buf, sizeof buf, &len), E_ACCESSDENIED);
        CHECK(buf[0] == 0xCC);
    }
    CHECK_HR(info(h, TokenSource, buf, sizeof buf, &len), S_OK); /* QUERY_SOURCE suffices */
    HostSec_CloseHandle(h);
}

static void token_source_needs_token_query_source(void) {
    HANDLE h = process_token(TOKEN_QUERY);
    HOSTSEC_TOKEN_SOURCE s;
    memset(&s, 0xCC, sizeof s);
    DWORD len = 0;
    CHECK_HR(info(h, TokenSource, &s, sizeof s, &len), E_ACCESSDENIED);
    CHECK((unsigned char)s.SourceName[0] == 0xCC);
    HostSec_CloseHandle(h);
}

static void token_information_closed_handle_is_e_handle(void) {
    HANDLE h = process_token(TOKEN_QUERY);
    HostSec_CloseHandle(h);
    HOSTSEC_TOKEN_USER u;
    DWORD len = 0;
    CHECK_HR(info(h, TokenUser, &u, sizeof u, &len), E_HANDLE);
    CHECK_HR(info(NULL, TokenUser, &u, sizeof u, &len), E_HANDLE);
}

/* ======================================================================================
 * HostSec_LogonUser
 * ==================================================================================== */

static void logon_user_gives_primary_token_with_all_access(void) {
    HANDLE h = NULL;
    CHECK_HR(HostSec_LogonUser("nobody", &h), S_OK);
    CHECK(util_can_query(h) && can_query_source(h) && util_can_duplicate(h));
    HOSTSEC_TOKEN_STATISTICS s = util_statistics(h);
    CHECK(s.TokenType == TokenPrimary);
    HANDLE h2 = NULL;
    CHECK_HR(HostSec_LogonUser("nobody", &h2), S_OK);
    HOSTSEC_TOKEN_STATISTICS s2 = util_statistics(h2);
    CHECK(s2.TokenId != s.TokenId && s2.AuthenticationId != s.AuthenticationId); /* a new logon */
    HostSec_CloseHandle(h);
    HostSec_CloseHandle(h2);
}

static void logon_user_unknown_name_is_none_mapped(void) {
    HANDLE h = JUNK_HANDLE;
    CHECK_HR(HostSec_LogonUser("no-such-user-hostsec-test", &h), HRESULT_FROM_WIN32(ERROR_NONE_MAPPED));
    CHECK(h == NULL);
}

static void logon_user_empty_name_is_none_mapped(void) {
    HANDLE h = JUNK_HANDLE;
    CHECK_HR(HostSec_LogonUser("", &h), HRESULT_FROM_WIN32(ERROR_NONE_MAPPED));
    CHECK(h == NULL);
}

static void logon_user_null_name_is_e_pointer(void) {
    HANDLE h = JUNK_HANDLE;
    CHECK_HR(HostSec_LogonUser(NULL, &h), E_POINTER);
    CHECK(h == NULL);
}

static void logon_user_null_out_is_e_pointer(void) {
    HOSTSEC_STATISTICS before = check_stats();
    CHECK_HR(HostSec_LogonUser("nobody", NULL), E_POINTER);
    CHECK_HR(HostSec_LogonUser(NULL, NULL), E_POINTER);
    HOSTSEC_STATISTICS after = check_stats();
    CHECK(after.LiveHandles == before.LiveHandles && after.LiveTokens == before.LiveTokens);
}

int main(void) {
    mgr = hosting_manager();
    HOSTSEC_STATISTICS base = check_stats();

    RUN_TEST(close_handle_live_is_s_ok_and_count_drops);
    RUN_TEST(close_handle_null_is_e_handle);
    RUN_TEST(close_handle_closed_is_e_handle);
    RUN_TEST(close_handle_never_issued_is_e_handle);
    RUN_TEST(close_handle_forged_from_live_value_is_e_handle);

    RUN_TEST(open_process_token_query_gives_primary_self_token);
    RUN_TEST(open_process_token_rights_are_what_was_asked);
    RUN_TEST(open_process_token_invalid_right_is_access_denied);
    RUN_TEST(open_process_token_null_out_is_e_pointer);
    RUN_TEST(open_process_token_same_token_each_time);
    RUN_TEST(open_process_token_while_impersonating_nobody_is_access_denied);
    RUN_TEST(open_process_token_at_identification_is_bad_impersonation_level);
    RUN_TEST(open_process_token_at_anonymous_is_bad_impersonation_level);
    RUN_TEST(open_process_token_at_impersonation_of_self_succeeds);

    RUN_TEST(impersonate_self_each_level_sets_that_level);
    RUN_TEST(impersonate_self_replaces_and_does_not_stack);
    RUN_TEST(impersonate_self_out_of_range_is_invalidarg_without_token);
    RUN_TEST(impersonate_self_out_of_range_leaves_current_token);

    RUN_TEST(duplicate_without_token_duplicate_is_access_denied);
    RUN_TEST(duplicate_cannot_raise_impersonation_level);
    RUN_TEST(duplicate_primary_from_identification_or_anonymous_is_bad_level);
    RUN_TEST(duplicate_primary_from_impersonation_succeeds);
    RUN_TEST(duplicate_primary_source_to_any_level);
    RUN_TEST(duplicate_bad_type_or_level_is_invalidarg);
    RUN_TEST(duplicate_zero_access_gets_source_handle_rights);
    RUN_TEST(duplicate_explicit_access_is_checked_and_granted);
    RUN_TEST(duplicate_new_token_id_same_authentication_id);
    RUN_TEST(duplicate_bad_handle_and_null_out);

    RUN_TEST(token_information_process_token_matches_kernel);
    RUN_TEST(token_information_logon_token_matches_user_database);
    RUN_TEST(token_information_thread_token_type_and_level);
    RUN_TEST(token_information_too_small_is_insufficient_buffer_with_size_and_buffer_untouched);
    RUN_TEST(token_information_null_return_length_is_e_pointer);
    RUN_TEST(token_information_null_buffer_with_length_is_e_pointer);
    RUN_TEST(token_information_unknown_class_is_invalidarg);
    RUN_TEST(token_information_impersonation_level_of_primary_is_invalidarg);
    RUN_TEST(token_information_without_token_query_is_access_denied);
    RUN_TEST(token_source_needs_token_query_source);
    RUN_TEST(token_information_closed_handle_is_e_handle);

    RUN_TEST(logon_user_gives_primary_token_with_all_access);
    RUN_TEST(logon_user_unknown_name_is_none_mapped);
    RUN_TEST(logon_user_empty_name_is_none_mapped);
    RUN_TEST(logon_user_null_name_is_e_pointer);
    RUN_TEST(logon_user_null_out_is_e_pointer);

    check_current_failed = 0;
    HOSTSEC_STATISTICS end = check_stats();
    CHECK(end.LiveHandles == base.LiveHandles);
    CHECK(end.ImpersonatingThreads == base.ImpersonatingThreads);
    CHECK(end.LiveTokens <= base.LiveTokens + 1); /* the thread's cached process token */
    mgr->lpVtbl->Release(mgr);
    if (check_current_failed) {
        fprintf(stderr, "  counts did not return to baseline\n");
        check_failures++;
    }
    CHECK_EXIT();
}
