#!/usr/bin/env bash
# Runs test-impersonation.c again without CAP_SETUID and CAP_SETGID (dropped from the
# bounding and inheritable sets, so the exec'd test does not hold them): impersonating
# another account must then succeed at SecurityIdentification with the kernel unchanged,
# as Windows does without SeImpersonatePrivilege. The test program checks both cases.
set -euo pipefail
root=${HOSTSEC_ROOT:?}; lib=${HOSTSEC_LIB_DIR:?}; out=${HOSTSEC_TEST_OUT:-/tmp}
if [ "$(id -u)" -ne 0 ]; then
    echo "skip: needs root to drop CAP_SETUID/CAP_SETGID from a privileged start (this run is already unprivileged: test-impersonation covers it)"
    exit 77
fi
command -v setpriv >/dev/null || { echo "setpriv (util-linux) is missing" >&2; exit 1; }
gcc -std=c11 -Wall -Wextra -Werror -D_GNU_SOURCE -pthread -I"$root/include" -I"$root/Tests/c" \
    "$root/Tests/c/test-impersonation.c" -L"$lib" -lhostsec -Wl,-rpath,"$lib" -o "$out/test-impersonation-unprivileged"
set +e
output=$(setpriv --bounding-set -setuid,-setgid --inh-caps -setuid,-setgid -- "$out/test-impersonation-unprivileged")
status=$?
set -e
echo "$output"
grep -q "^# unprivileged" <<<"$output" || { echo "the test still held CAP_SETUID/CAP_SETGID" >&2; exit 1; }
exit $status
