/* The binary contract of hostsec.h, checked value by value against the MSCorEE reference:
 * vtable slot offsets, type sizes, IID bytes, HRESULT values, the token vocabulary, and the
 * library's own view of them (HostSec_HResultName, HostSec_GetVersion). */
#include "check.h"

#include <signal.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/wait.h>
#include <unistd.h>

#define SLOT(vtbl, member, n) CHECK(offsetof(vtbl, member) == (size_t)(n)*8)

static void vtable_slots_sit_at_n_times_8(void) {
    SLOT(IUnknownVtbl, QueryInterface, 0);
    SLOT(IUnknownVtbl, AddRef, 1);
    SLOT(IUnknownVtbl, Release, 2);
    CHECK(sizeof(IUnknownVtbl) == 3 * 8);

    SLOT(IClassFactoryVtbl, QueryInterface, 0);
    SLOT(IClassFactoryVtbl, AddRef, 1);
    SLOT(IClassFactoryVtbl, Release, 2);
    SLOT(IClassFactoryVtbl, CreateInstance, 3);
    SLOT(IClassFactoryVtbl, LockServer, 4);
    CHECK(sizeof(IClassFactoryVtbl) == 5 * 8);

    SLOT(IHostControlVtbl, QueryInterface, 0);
    SLOT(IHostControlVtbl, AddRef, 1);
    SLOT(IHostControlVtbl, Release, 2);
    SLOT(IHostControlVtbl, GetHostManager, 3);
    SLOT(IHostControlVtbl, SetAppDomainManager, 4);
    CHECK(sizeof(IHostControlVtbl) == 5 * 8);

    SLOT(IHostSecurityContextVtbl, QueryInterface, 0);
    SLOT(IHostSecurityContextVtbl, AddRef, 1);
    SLOT(IHostSecurityContextVtbl, Release, 2);
    SLOT(IHostSecurityContextVtbl, Capture, 3);
    CHECK(sizeof(IHostSecurityContextVtbl) == 4 * 8);

    SLOT(IHostSecurityManagerVtbl, QueryInterface, 0);
    SLOT(IHostSecurityManagerVtbl, AddRef, 1);
    SLOT(IHostSecurityManagerVtbl, Release, 2);
    SLOT(IHostSecurityManagerVtbl, ImpersonateLoggedOnUser, 3);
    SLOT(IHostSecurityManagerVtbl, RevertToSelf, 4);
    SLOT(IHostSecurityManagerVtbl, OpenThreadToken, 5);
    SLOT(IHostSecurityManagerVtbl, SetThreadToken, 6);
    SLOT(IHostSecurityManagerVtbl, GetSecurityContext, 7);
    SLOT(IHostSecurityManagerVtbl, SetSecurityContext, 8);
    CHECK(sizeof(IHostSecurityManagerVtbl) == 9 * 8);
}

static void interface_structs_hold_only_the_vtable_pointer(void) {
    CHECK(offsetof(IUnknown, lpVtbl) == 0 && sizeof(IUnknown) == 8);
    CHECK(offsetof(IClassFactory, lpVtbl) == 0 && sizeof(IClassFactory) == 8);
    CHECK(offsetof(IHostControl, lpVtbl) == 0 && sizeof(IHostControl) == 8);
    CHECK(offsetof(IHostSecurityContext, lpVtbl) == 0 && sizeof(IHostSecurityContext) == 8);
    CHECK(offsetof(IHostSecurityManager, lpVtbl) == 0 && sizeof(IHostSecurityManager) == 8);
}

static void base_types_have_pal_sizes(void) {
    CHECK(sizeof(HRESULT) == 4);
    CHECK((HRESULT)-1 < 0); /* signed */
    CHECK(sizeof(DWORD) == 4);
    CHECK((DWORD)-1 > 0); /* unsigned */
    CHECK(sizeof(ULONG) == 4);
    CHECK((ULONG)-1 > 0);
    CHECK(sizeof(BOOL) == 4);
    CHECK(TRUE == 1 && FALSE == 0);
    CHECK(sizeof(HANDLE) == 8);
    CHECK(sizeof(GUID) == 16 && sizeof(IID) == 16 && sizeof(CLSID) == 16);
    CHECK(offsetof(GUID, Data1) == 0);
    CHECK(offsetof(GUID, Data2) == 4);
    CHECK(offsetof(GUID, Data3) == 6);
    CHECK(offsetof(GUID, Data4) == 8);
    CHECK(sizeof(REFIID) == 8 && sizeof(REFCLSID) == 8);
    CHECK(sizeof(EContextType) == 4);
    CHECK(sizeof(TOKEN_TYPE) == 4);
    CHECK(sizeof(SECURITY_IMPERSONATION_LEVEL) == 4);
    CHECK(sizeof(TOKEN_INFORMATION_CLASS) == 4);
}

/* The IID as the reference writes it, e.g. "75AD2468-A349-4D02-A764-76A68AEE0C4F". */
static int iid_is(const IID *iid, const char *text) {
    char buf[40];
    snprintf(buf, sizeof buf, "%08X-%04X-%04X-%02X%02X-%02X%02X%02X%02X%02X%02X", (unsigned)iid->Data1,
             (unsigned)iid->Data2, (unsigned)iid->Data3, iid->Data4[0], iid->Data4[1], iid->Data4[2], iid->Data4[3],
             iid->Data4[4], iid->Data4[5], iid->Data4[6], iid->Data4[7]);
    if (strcmp(buf, text) != 0) {
        fprintf(stderr, "  got {%s}, expected {%s}\n", buf, text);
        return 0;
    }
    return 1;
}

static void iids_match_mscoree(void) {
    CHECK(iid_is(&IID_IUnknown, "00000000-0000-0000-C000-000000000046"));
    CHECK(iid_is(&IID_IClassFactory, "00000001-0000-0000-C000-000000000046"));
    CHECK(iid_is(&IID_IHostSecurityManager, "75AD2468-A349-4D02-A764-76A68AEE0C4F"));
    CHECK(iid_is(&IID_IHostSecurityContext, "7E573CE4-0343-4423-98D7-6318348A1D3C"));
    CHECK(iid_is(&IID_IHostControl, "02CA073C-7079-4860-880A-C2F7A449C991"));
}

static void iid_bytes_are_little_endian_in_memory(void) {
    static const uint8_t want[16] = {0x68, 0x24, 0xAD, 0x75, 0x49, 0xA3, 0x02, 0x4D,
                                     0xA7, 0x64, 0x76, 0xA6, 0x8A, 0xEE, 0x0C, 0x4F};
    CHECK(memcmp(&IID_IHostSecurityManager, want, 16) == 0);
}

static void clsids_are_distinct_and_not_interface_ids(void) {
    CHECK(iid_is(&CLSID_HostSecurityManager, "5F0C3A2E-9B41-4C6D-8E27-1A4B6C8D9E01"));
    CHECK(iid_is(&CLSID_HostControl, "5F0C3A2E-9B41-4C6D-8E27-1A4B6C8D9E02"));
    CHECK(memcmp(&CLSID_HostSecurityManager, &CLSID_HostControl, 16) != 0);
    CHECK(memcmp(&CLSID_HostSecurityManager, &IID_IHostSecurityManager, 16) != 0);
    CHECK(memcmp(&CLSID_HostControl, &IID_IHostControl, 16) != 0);
}

/* Writes one byte of id in a child process; true when the write faulted. */
static int write_faults(const IID *id) {
    pid_t pid = fork();
    if (pid == 0) {
        volatile uint8_t *byte = (volatile uint8_t *)(uintptr_t)id;
        *byte ^= 0xFF;
        _exit(0);
    }
    int status = 0;
    if (pid < 0 || waitpid(pid, &status, 0) != pid) return 0;
    return WIFSIGNALED(status) && WTERMSIG(status) == SIGSEGV;
}

static void exported_ids_are_read_only(void) {
    CHECK(write_faults(&IID_IUnknown));
    CHECK(write_faults(&IID_IClassFactory));
    CHECK(write_faults(&IID_IHostControl));
    CHECK(write_faults(&IID_IHostSecurityManager));
    CHECK(write_faults(&IID_IHostSecurityContext));
    CHECK(write_faults(&CLSID_HostSecurityManager));
    CHECK(write_faults(&CLSID_HostControl));
}

#define HR_IS(name, value) CHECK((uint32_t)(name) == (uint32_t)(value))

static void hresult_macros_match_the_reference_table(void) {
    HR_IS(S_OK, 0x00000000u);
    HR_IS(S_FALSE, 0x00000001u);
    HR_IS(E_NOTIMPL, 0x80004001u);
    HR_IS(E_NOINTERFACE, 0x80004002u);
    HR_IS(E_POINTER, 0x80004003u);
    HR_IS(E_FAIL, 0x80004005u);
    HR_IS(E_UNEXPECTED, 0x8000FFFFu);
    HR_IS(E_ACCESSDENIED, 0x80070005u);
    HR_IS(E_HANDLE, 0x80070006u);
    HR_IS(E_OUTOFMEMORY, 0x8007000Eu);
    HR_IS(E_INVALIDARG, 0x80070057u);
    HR_IS(CLASS_E_NOAGGREGATION, 0x80040110u);
    HR_IS(CLASS_E_CLASSNOTAVAILABLE, 0x80040111u);
    HR_IS(HOST_E_DEADLOCK, 0x80131020u);
    HR_IS(HOST_E_INTERRUPTED, 0x80131021u);
    HR_IS(HOST_E_INVALIDOPERATION, 0x80131022u);
    HR_IS(HOST_E_CLRNOTAVAILABLE, 0x80131023u);
    HR_IS(HOST_E_TIMEOUT, 0x80131024u);
    HR_IS(HOST_E_NOT_OWNER, 0x80131025u);
    HR_IS(HOST_E_ABANDONED, 0x80131026u);
    HR_IS(HOST_E_EXITPROCESS_THREADABORT, 0x80131027u);
    /* Failures are negative, successes are not. */
    CHECK(FAILED(E_FAIL) && !SUCCEEDED(E_FAIL));
    CHECK(SUCCEEDED(S_FALSE) && !FAILED(S_FALSE));
    CHECK(E_POINTER < 0 && HOST_E_CLRNOTAVAILABLE < 0);
}

static void hresult_from_win32_wraps_positive_codes_only(void) {
    HR_IS(HRESULT_FROM_WIN32(0), 0u);
    HR_IS(HRESULT_FROM_WIN32(ERROR_ACCESS_DENIED), 0x80070005u);
    HR_IS(HRESULT_FROM_WIN32(ERROR_INVALID_HANDLE), 0x80070006u);
    HR_IS(HRESULT_FROM_WIN32(ERROR_INVALID_PARAMETER), 0x80070057u);
    HR_IS(HRESULT_FROM_WIN32(ERROR_INSUFFICIENT_BUFFER), 0x8007007Au);
    HR_IS(HRESULT_FROM_WIN32(ERROR_NOACCESS), 0x800703E6u);
    HR_IS(HRESULT_FROM_WIN32(ERROR_NO_TOKEN), 0x800703F0u);
    HR_IS(HRESULT_FROM_WIN32(ERROR_NO_IMPERSONATION_TOKEN), 0x8007051Du);
    HR_IS(HRESULT_FROM_WIN32(ERROR_NONE_MAPPED), 0x80070534u);
    HR_IS(HRESULT_FROM_WIN32(ERROR_BAD_IMPERSONATION_LEVEL), 0x80070542u);
    HR_IS(HRESULT_FROM_WIN32(ERROR_CANT_OPEN_ANONYMOUS), 0x80070543u);
    HR_IS(HRESULT_FROM_WIN32(ERROR_BAD_TOKEN_TYPE), 0x80070545u);
    /* Already an HRESULT (negative): passed through unchanged. */
    HR_IS(HRESULT_FROM_WIN32(E_FAIL), 0x80004005u);
    /* Only the low 16 bits of the code survive. */
    HR_IS(HRESULT_FROM_WIN32(0x12345), 0x80072345u);
    CHECK(E_ACCESSDENIED == HRESULT_FROM_WIN32(ERROR_ACCESS_DENIED));
    CHECK(E_HANDLE == HRESULT_FROM_WIN32(ERROR_INVALID_HANDLE));
    CHECK(E_INVALIDARG == HRESULT_FROM_WIN32(ERROR_INVALID_PARAMETER));
}

static void win32_error_codes_match_winerror(void) {
    CHECK(ERROR_ACCESS_DENIED == 5);
    CHECK(ERROR_INVALID_HANDLE == 6);
    CHECK(ERROR_INVALID_PARAMETER == 87);
    CHECK(ERROR_INSUFFICIENT_BUFFER == 122);
    CHECK(ERROR_NOACCESS == 998);
    CHECK(ERROR_NO_TOKEN == 1008);
    CHECK(ERROR_NO_IMPERSONATION_TOKEN == 1309);
    CHECK(ERROR_NONE_MAPPED == 1332);
    CHECK(ERROR_BAD_IMPERSONATION_LEVEL == 1346);
    CHECK(ERROR_CANT_OPEN_ANONYMOUS == 1347);
    CHECK(ERROR_BAD_TOKEN_TYPE == 1349);
    CHECK(ERROR_PRIVILEGE_NOT_HELD == 1314);
    CHECK(ERROR_CANNOT_IMPERSONATE == 1368);
    CHECK(ERROR_FILE_NOT_FOUND == 2);
    CHECK(ERROR_BAD_EXE_FORMAT == 193);
    CHECK(ERROR_NOT_SUPPORTED == 50);
}

#define RIGHT_IS(name, value) CHECK((uint32_t)(name) == (uint32_t)(value))

static void token_rights_match_winnt(void) {
    RIGHT_IS(TOKEN_ASSIGN_PRIMARY, 0x0001u);
    RIGHT_IS(TOKEN_DUPLICATE, 0x0002u);
    RIGHT_IS(TOKEN_IMPERSONATE, 0x0004u);
    RIGHT_IS(TOKEN_QUERY, 0x0008u);
    RIGHT_IS(TOKEN_QUERY_SOURCE, 0x0010u);
    RIGHT_IS(TOKEN_ADJUST_PRIVILEGES, 0x0020u);
    RIGHT_IS(TOKEN_ADJUST_GROUPS, 0x0040u);
    RIGHT_IS(TOKEN_ADJUST_DEFAULT, 0x0080u);
    RIGHT_IS(TOKEN_ADJUST_SESSIONID, 0x0100u);
    RIGHT_IS(DELETE, 0x10000u);
    RIGHT_IS(READ_CONTROL, 0x20000u);
    RIGHT_IS(WRITE_DAC, 0x40000u);
    RIGHT_IS(WRITE_OWNER, 0x80000u);
    RIGHT_IS(TOKEN_ALL_ACCESS, 0x000F01FFu);
    RIGHT_IS(TOKEN_READ, 0x00020008u);
    RIGHT_IS(TOKEN_WRITE, 0x000200E0u);
    RIGHT_IS(TOKEN_EXECUTE, 0x00020000u);
    RIGHT_IS(MAXIMUM_ALLOWED, 0x02000000u);
    RIGHT_IS(GENERIC_READ, 0x80000000u);
    RIGHT_IS(GENERIC_WRITE, 0x40000000u);
    RIGHT_IS(GENERIC_EXECUTE, 0x20000000u);
    RIGHT_IS(GENERIC_ALL, 0x10000000u);
}

static void token_enums_match_winnt(void) {
    CHECK(SecurityAnonymous == 0);
    CHECK(SecurityIdentification == 1);
    CHECK(SecurityImpersonation == 2);
    CHECK(SecurityDelegation == 3);
    CHECK(TokenPrimary == 1);
    CHECK(TokenImpersonation == 2);
    CHECK(TokenUser == 1);
    CHECK(TokenGroups == 2);
    CHECK(TokenPrivileges == 3);
    CHECK(TokenOwner == 4);
    CHECK(TokenPrimaryGroup == 5);
    CHECK(TokenDefaultDacl == 6);
    CHECK(TokenSource == 7);
    CHECK(TokenType == 8);
    CHECK(TokenImpersonationLevel == 9);
    CHECK(TokenStatistics == 10);
    CHECK(eCurrentContext == 0);
    CHECK(eRestrictedContext == 1);
}

static int name_is(HRESULT hr, const char *want) {
    const char *got = HostSec_HResultName(hr);
    if (got == NULL || strcmp(got, want) != 0) {
        fprintf(stderr, "  HostSec_HResultName(0x%08x) = %s, expected %s\n", (unsigned)hr, got ? got : "NULL", want);
        return 0;
    }
    return 1;
}

static void hresult_name_covers_every_table_row(void) {
    int rows = 0;
    /* Every row of the table, by its macro and by its literal value. */
#define ROW_X(name, value, meaning)               \
    CHECK(name_is((HRESULT)(value), #name));      \
    CHECK((uint32_t)(name) == (uint32_t)(value)); \
    rows++;
#define ROW_W(name, value, meaning)                                    \
    CHECK(name_is((HRESULT)(value), "HRESULT_FROM_WIN32(" #name ")")); \
    CHECK((uint32_t)HRESULT_FROM_WIN32(name) == (uint32_t)(value));    \
    rows++;
    HOSTSEC_HRESULT_TABLE(ROW_X, ROW_W)
#undef ROW_X
#undef ROW_W
    CHECK(rows == 38);
    /* And spelled out, so a table that drifts from the reference is caught too. */
    CHECK(name_is(S_OK, "S_OK"));
    CHECK(name_is(S_FALSE, "S_FALSE"));
    CHECK(name_is((HRESULT)0x80004001u, "E_NOTIMPL"));
    CHECK(name_is((HRESULT)0x80004002u, "E_NOINTERFACE"));
    CHECK(name_is((HRESULT)0x80004003u, "E_POINTER"));
    CHECK(name_is((HRESULT)0x80004005u, "E_FAIL"));
    CHECK(name_is((HRESULT)0x8000FFFFu, "E_UNEXPECTED"));
    CHECK(name_is((HRESULT)0x80070005u, "E_ACCESSDENIED"));
    CHECK(name_is((HRESULT)0x80070006u, "E_HANDLE"));
    CHECK(name_is((HRESULT)0x8007000Eu, "E_OUTOFMEMORY"));
    CHECK(name_is((HRESULT)0x80070057u, "E_INVALIDARG"));
    CHECK(name_is((HRESULT)0x80040110u, "CLASS_E_NOAGGREGATION"));
    CHECK(name_is((HRESULT)0x80040111u, "CLASS_E_CLASSNOTAVAILABLE"));
    CHECK(name_is((HRESULT)0x80131020u, "HOST_E_DEADLOCK"));
    CHECK(name_is((HRESULT)0x80131021u, "HOST_E_INTERRUPTED"));
    CHECK(name_is((HRESULT)0x80131022u, "HOST_E_INVALIDOPERATION"));
    CHECK(name_is((HRESULT)0x80131023u, "HOST_E_CLRNOTAVAILABLE"));
    CHECK(name_is((HRESULT)0x80131024u, "HOST_E_TIMEOUT"));
    CHECK(name_is((HRESULT)0x80131025u, "HOST_E_NOT_OWNER"));
    CHECK(name_is((HRESULT)0x80131026u, "HOST_E_ABANDONED"));
    CHECK(name_is((HRESULT)0x80131027u, "HOST_E_EXITPROCESS_THREADABORT"));
    CHECK(name_is((HRESULT)0x8007007Au, "HRESULT_FROM_WIN32(ERROR_INSUFFICIENT_BUFFER)"));
    CHECK(name_is((HRESULT)0x800703F0u, "HRESULT_FROM_WIN32(ERROR_NO_TOKEN)"));
    CHECK(name_is((HRESULT)0x80070534u, "HRESULT_FROM_WIN32(ERROR_NONE_MAPPED)"));
    CHECK(name_is((HRESULT)0x80070542u, "HRESULT_FROM_WIN32(ERROR_BAD_IMPERSONATION_LEVEL)"));
    CHECK(name_is((HRESULT)0x80070543u, "HRESULT_FROM_WIN32(ERROR_CANT_OPEN_ANONYMOUS)"));
    CHECK(name_is((HRESULT)0x80070545u, "HRESULT_FROM_WIN32(ERROR_BAD_TOKEN_TYPE)"));
    CHECK(name_is((HRESULT)0x80070522u, "HRESULT_FROM_WIN32(ERROR_PRIVILEGE_NOT_HELD)"));
    CHECK(name_is((HRESULT)0x80070558u, "HRESULT_FROM_WIN32(ERROR_CANNOT_IMPERSONATE)"));
    CHECK(name_is((HRESULT)0x80070002u, "HRESULT_FROM_WIN32(ERROR_FILE_NOT_FOUND)"));
    CHECK(name_is((HRESULT)0x800700C1u, "HRESULT_FROM_WIN32(ERROR_BAD_EXE_FORMAT)"));
    CHECK(name_is((HRESULT)0x80070032u, "HRESULT_FROM_WIN32(ERROR_NOT_SUPPORTED)"));
}

static void hresult_name_is_never_null_outside_the_table(void) {
    const HRESULT unknown[] = {(HRESULT)0x80004004u, (HRESULT)2,           (HRESULT)0xFFFFFFFFu,
                               (HRESULT)0x80131028u, (HRESULT)0x80070001u, (HRESULT)0x7FFFFFFF};
    for (size_t i = 0; i < sizeof unknown / sizeof unknown[0]; i++) {
        const char *name = HostSec_HResultName(unknown[i]);
        CHECK(name != NULL);
        CHECK(name != NULL && strcmp(name, HOSTSEC_HRESULT_UNKNOWN_NAME) == 0);
    }
    /* The quick start's use: straight into printf("%s"). */
    char line[64];
    snprintf(line, sizeof line, "%s", HostSec_HResultName((HRESULT)0x80004004u));
    CHECK(strcmp(line, "unknown HRESULT") == 0);
    /* No table row is named like the fallback. */
    CHECK(strcmp(HostSec_HResultName(S_OK), HOSTSEC_HRESULT_UNKNOWN_NAME) != 0);
}

static void version_string_matches_header(void) {
    const char *version = HostSec_GetVersionString();
    CHECK(version != NULL);
    CHECK(version != NULL && strcmp(version, HOSTSEC_VERSION_STRING) == 0);
    CHECK(version != NULL && strcmp(version, "1.1.0") == 0);
    CHECK(HostSec_GetVersionString() == version); /* static: the same string every call */
}

static void mscoree_only_codes_are_apart_from_returned_ones(void) {
    int returned = 0, compat = 0, overlap = 0;
#define RET_X(name, value, meaning) returned++;
#define RET_W(name, value, meaning) returned++;
#define ONLY_X(name, value, meaning) \
    compat++;                        \
    if ((uint32_t)(value) == 0x80004001u) CHECK(strcmp(#name, "E_NOTIMPL") == 0);
    HOSTSEC_HRESULT_RETURNED(RET_X, RET_W)
    HOSTSEC_HRESULT_MSCOREE_ONLY(ONLY_X)
#define CMP_X(name, value, meaning) \
    if ((uint32_t)(value) == v) overlap++;
#define CMP_W(name, value, meaning) \
    if ((uint32_t)(value) == v) overlap++;
#define EACH_ONLY(name, value, meaning)        \
    {                                          \
        uint32_t v = (uint32_t)(value);        \
        HOSTSEC_HRESULT_RETURNED(CMP_X, CMP_W) \
    }
    HOSTSEC_HRESULT_MSCOREE_ONLY(EACH_ONLY)
    CHECK(returned == 31 && compat == 7 && overlap == 0);
}

static void library_version_matches_header(void) {
    CHECK(HostSec_GetVersion() == HOSTSEC_VERSION_NUMBER);
    CHECK(HOSTSEC_VERSION_NUMBER ==
          HOSTSEC_VERSION_MAJOR * 1000000 + HOSTSEC_VERSION_MINOR * 1000 + HOSTSEC_VERSION_PATCH);
    char text[32];
    snprintf(text, sizeof text, "%d.%d.%d", HOSTSEC_VERSION_MAJOR, HOSTSEC_VERSION_MINOR, HOSTSEC_VERSION_PATCH);
    CHECK(strcmp(text, HOSTSEC_VERSION_STRING) == 0);
    CHECK(HostSec_GetVersion() / 1000000 == HOSTSEC_VERSION_MAJOR);
}

int main(void) {
    RUN_TEST(vtable_slots_sit_at_n_times_8);
    RUN_TEST(interface_structs_hold_only_the_vtable_pointer);
    RUN_TEST(base_types_have_pal_sizes);
    RUN_TEST(iids_match_mscoree);
    RUN_TEST(iid_bytes_are_little_endian_in_memory);
    RUN_TEST(clsids_are_distinct_and_not_interface_ids);
    RUN_TEST(exported_ids_are_read_only);
    RUN_TEST(hresult_macros_match_the_reference_table);
    RUN_TEST(hresult_from_win32_wraps_positive_codes_only);
    RUN_TEST(win32_error_codes_match_winerror);
    RUN_TEST(token_rights_match_winnt);
    RUN_TEST(token_enums_match_winnt);
    RUN_TEST(hresult_name_covers_every_table_row);
    RUN_TEST(hresult_name_is_never_null_outside_the_table);
    RUN_TEST(version_string_matches_header);
    RUN_TEST(mscoree_only_codes_are_apart_from_returned_ones);
    RUN_TEST(library_version_matches_header);
    CHECK_EXIT();
}
