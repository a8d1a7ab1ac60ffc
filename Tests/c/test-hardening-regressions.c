/* Regression tests for library bugs the hardening lanes found (listed in CHANGELOG.md; the
 * lanes: SECURITY.md, "Hardening"). */
#include "token_util.h"
#include "hosting.h"

/* Found by fuzz/fuzz_abi.c: a restricted context of a root logon token differs from "self"
 * in its groups (NSS's list for root) and its effective capabilities (none), not in its
 * uid. Applying it drops CAP_SETGID from the effective set; revert used to restore the
 * groups before the capabilities, setgroups failed with EPERM, RevertToSelf returned E_FAIL
 * and the library failed closed. Revert must put the capabilities back first. */
static void restricted_root_context_reverts_exactly_body(void) {
    IHostSecurityManager *m = hosting_manager();
    char before[1024], during[1024], after[1024];
    hosting_credentials(0, before, sizeof before);
    HANDLE root = NULL;
    CHECK_HR(HostSec_LogonUser("root", &root), S_OK);
    CHECK_HR(IHostSecurityManager_ImpersonateLoggedOnUser(m, root), S_OK);
    IHostSecurityContext *restricted = NULL;
    CHECK_HR(IHostSecurityManager_GetSecurityContext(m, eRestrictedContext, &restricted), S_OK);
    CHECK_HR(IHostSecurityManager_RevertToSelf(m), S_OK);
    for (int round = 0; round < 3; round++) {
        CHECK_HR(IHostSecurityManager_SetSecurityContext(m, eCurrentContext, restricted), S_OK);
        hosting_status(0, "CapEff:", during, sizeof during);
        CHECK(strcmp(during, "0000000000000000") == 0);
        /* replacing one impersonation with another reverts the first on the way */
        CHECK_HR(IHostSecurityManager_ImpersonateLoggedOnUser(m, root), S_OK);
        CHECK_HR(IHostSecurityManager_SetSecurityContext(m, eCurrentContext, restricted), S_OK);
        CHECK_HR(IHostSecurityManager_RevertToSelf(m), S_OK);
        hosting_credentials(0, after, sizeof after);
        CHECK(strcmp(before, after) == 0);
    }
    CHECK(check_stats().FailedClosed == 0);
    IHostSecurityContext_Release(restricted);
    CHECK_HR(HostSec_CloseHandle(root), S_OK);
    IHostSecurityManager_Release(m);
}

static void restricted_context_of_a_root_logon_token_reverts_exactly(void) {
    SKIP_UNLESS_ROOT();
    /* in a child: a failure here closes the library for good */
    CHECK(util_in_child(restricted_root_context_reverts_exactly_body));
}

int main(void) {
    RUN_TEST(restricted_context_of_a_root_logon_token_reverts_exactly);
    CHECK_EXIT();
}
