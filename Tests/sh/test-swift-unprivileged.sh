#!/usr/bin/env bash
# Runs the HostSecurity tests again without CAP_SETUID and CAP_SETGID (dropped from the
# bounding and inheritable sets, so the test binary does not hold them): strict scopes for
# another account must throw privilegeNotHeld, and scopes that allow it must run at
# identification level with the kernel credentials unchanged (UnprivilegedScopes).
set -euo pipefail
root=${HOSTSEC_ROOT:-$(cd "$(dirname "$0")/../.." && pwd)}
if [ "$(id -u)" -ne 0 ]; then
    echo "skip: needs root to drop CAP_SETUID/CAP_SETGID from a privileged start"
    exit 77
fi
command -v setpriv >/dev/null || { echo "setpriv (util-linux) is missing" >&2; exit 1; }
cd "$root"
swift build --build-tests >&2
output=$(HOSTSEC_UNPRIVILEGED=1 setpriv --inh-caps=-all --bounding-set=-setuid,-setgid -- \
    swift test --skip-build --filter UnprivilegedScopes 2>&1) && status=0 || status=$?
echo "$output" | grep -E "✔|✘|passed|failed|skipped" || true
grep -q "Test own_account_scope_needs_no_privilege() passed" <<<"$output" \
    || { echo "the unprivileged scopes did not run (still privileged?)" >&2; exit 1; }
exit $status
