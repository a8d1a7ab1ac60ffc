#!/usr/bin/env bash
# Runs test-impersonation.c again without CAP_SETUID and CAP_SETGID: impersonating another
# account must then succeed at SecurityIdentification with the kernel unchanged, as Windows
# does without SeImpersonatePrivilege. The test program checks both cases.
. "$(dirname "$0")/lib.sh" impersonation-unprivileged
run_c_test_without_setuid test-impersonation
