#!/usr/bin/env bash
# Runs test-policy.c again without CAP_SETUID and CAP_SETGID (dropped from the bounding and
# inheritable sets, so the exec'd test does not hold them): under
# HOSTSEC_POLICY_REQUIRE_ENFORCEMENT impersonating another account must then fail with
# HRESULT_FROM_WIN32(ERROR_PRIVILEGE_NOT_HELD) and change nothing.
set -euo pipefail
root=${HOSTSEC_ROOT:?}; lib=${HOSTSEC_LIB_DIR:?}; out=${HOSTSEC_TEST_OUT:-/tmp}
if [ "$(id -u)" -ne 0 ]; then
    echo "skip: needs root to drop CAP_SETUID/CAP_SETGID from a privileged start (this run is already unprivileged: test-policy covers it)"
    exit 77
fi
command -v setpriv >/dev/null || { echo "setpriv (util-linux) is missing" >&2; exit 1; }
gcc -std=c11 -Wall -Wextra -Werror -D_GNU_SOURCE -pthread -I"$root/include" -I"$root/Tests/c" \
    "$root/Tests/c/test-policy.c" -L"$lib" -lhostsec -Wl,-rpath,"$lib" -o "$out/test-policy-unprivileged"
set +e
output=$(setpriv --bounding-set -setuid,-setgid --inh-caps -setuid,-setgid -- "$out/test-policy-unprivileged")
status=$?
set -e
echo "$output"
grep -q "^# unprivileged" <<<"$output" || { echo "the test still held CAP_SETUID/CAP_SETGID" >&2; exit 1; }
exit $status
