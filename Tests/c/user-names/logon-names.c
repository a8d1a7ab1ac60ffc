/* HostSec_LogonUser looks names up byte for byte. Tests/sh/test-user-names.sh creates the two
 * accounts first: one named with the UTF-8 replacement character's bytes (EF BF BD), what
 * repairing the invalid byte E9 into a string would give, and one with a valid UTF-8 é (C3 A9).
 * No account is named with the bare byte E9. */
#include "check.h"

#include <pwd.h>

#define REPLACEMENT_NAME "hostsec-test-jos\xef\xbf\xbd"
#define VALID_NAME       "hostsec-test-jos\xc3\xa9"
#define INVALID_NAME     "hostsec-test-jos\xe9"

static uint32_t uid_of_token(HANDLE h) {
    HOSTSEC_TOKEN_USER user = {0};
    DWORD length = 0;
    if (HostSec_GetTokenInformation(h, TokenUser, &user, sizeof user, &length) != S_OK) return (uint32_t)-1;
    return user.Uid;
}

static uint32_t uid_of_account(const char *name) {
    struct passwd *pw = getpwnam(name);
    return pw ? pw->pw_uid : (uint32_t)-1;
}

static void invalid_utf8_name_is_none_mapped_not_the_repaired_account(void) {
    CHECK(getpwnam(INVALID_NAME) == NULL);
    HOSTSEC_STATISTICS before = check_stats();
    HANDLE h = (HANDLE)(uintptr_t)0x5A5A5A5A;
    CHECK_HR(HostSec_LogonUser(INVALID_NAME, &h), HRESULT_FROM_WIN32(ERROR_NONE_MAPPED));
    CHECK(h == NULL);
    if (h != NULL && h != (HANDLE)(uintptr_t)0x5A5A5A5A) {
        fprintf(stderr, "  logged on as uid %u (the replacement-character account is %u)\n", uid_of_token(h),
                uid_of_account(REPLACEMENT_NAME));
        HostSec_CloseHandle(h);
    }
    HOSTSEC_STATISTICS after = check_stats();
    CHECK(after.LiveHandles == before.LiveHandles && after.LiveTokens == before.LiveTokens);
}

static void replacement_character_name_logs_on_as_its_own_account(void) {
    HANDLE h = NULL;
    CHECK(uid_of_account(REPLACEMENT_NAME) != (uint32_t)-1);
    CHECK_HR(HostSec_LogonUser(REPLACEMENT_NAME, &h), S_OK);
    CHECK(uid_of_token(h) == uid_of_account(REPLACEMENT_NAME));
    HostSec_CloseHandle(h);
}

static void valid_non_ascii_utf8_name_logs_on_as_itself(void) {
    HANDLE h = NULL;
    uint32_t uid = uid_of_account(VALID_NAME);
    CHECK(uid != (uint32_t)-1 && uid != uid_of_account(REPLACEMENT_NAME));
    CHECK_HR(HostSec_LogonUser(VALID_NAME, &h), S_OK);
    CHECK(uid_of_token(h) == uid);
    HostSec_CloseHandle(h);
}

int main(void) {
    /* The process token lives as long as the process, made on the first call: make it before
     * counting what a call leaves behind. */
    HANDLE process = NULL;
    CHECK_HR(HostSec_OpenProcessToken(TOKEN_QUERY, &process), S_OK);
    HostSec_CloseHandle(process);
    RUN_TEST(invalid_utf8_name_is_none_mapped_not_the_repaired_account);
    RUN_TEST(replacement_character_name_logs_on_as_its_own_account);
    RUN_TEST(valid_non_ascii_utf8_name_logs_on_as_itself);
    CHECK_EXIT();
}
