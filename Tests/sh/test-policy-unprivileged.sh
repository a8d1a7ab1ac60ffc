#!/usr/bin/env bash
# Runs test-policy.c again without CAP_SETUID and CAP_SETGID: under
# HOSTSEC_POLICY_REQUIRE_ENFORCEMENT impersonating another account must then fail with
# HRESULT_FROM_WIN32(ERROR_PRIVILEGE_NOT_HELD) and change nothing.
. "$(dirname "$0")/lib.sh" policy-unprivileged
run_c_test_without_setuid test-policy
