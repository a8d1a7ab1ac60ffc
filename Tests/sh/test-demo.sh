#!/usr/bin/env bash
# The README's main job (examples/identity-flow.c) runs and every check it prints passes;
# as root it runs a second time without CAP_SETUID/CAP_SETGID and shows the identification
# downgrade instead of the kernel switch.
set -euo pipefail
root=${HOSTSEC_ROOT:?}; lib=${HOSTSEC_LIB_DIR:?}; out=${HOSTSEC_TEST_OUT:-/tmp}
gcc -std=c11 -Wall -Wextra -Werror -D_GNU_SOURCE -pthread -I"$root/include" "$root/examples/identity-flow.c" \
    -L"$lib" -lhostsec -Wl,-rpath,"$lib" -o "$out/identity-flow"
log=$("$out/identity-flow")
echo "$log"
grep -q "all checks passed" <<<"$log"
# The version as people write it, from the library and the header alike.
grep -q "^hostsec 1\.1\.0 (header 1\.1\.0), running as uid" <<<"$log"
if [ "$(id -u)" -eq 0 ]; then
    grep -q "belongs to the account" <<<"$log"
    grep -q "refused (EACCES)" <<<"$log"
    grep -q "ImpersonateLoggedOnUser -> S_OK: the kernel acts as uid $(id -u nobody)" <<<"$log"
    log=$(setpriv --bounding-set -setuid,-setgid --inh-caps -setuid,-setgid -- "$out/identity-flow")
    echo "$log"
    grep -q "identification only" <<<"$log"
    grep -q "ImpersonateLoggedOnUser -> HRESULT_FROM_WIN32(ERROR_PRIVILEGE_NOT_HELD): refused, still uid 0" <<<"$log"
    grep -q "all checks passed" <<<"$log"
fi
# Another user in this clone, which root built: SwiftPM cannot take the build folder's lock, so
# the demo says what to do (a clone of one's own, or root) instead of SwiftPM's lock error.
if [ "$(id -u)" -eq 0 ] && [ -d "$root/.build" ] && [ "$(stat -c %u "$root/.build")" -eq 0 ]; then
    set +e
    log=$(cd / && env -u HOSTSEC_TRACE setpriv --reuid=nobody --regid="$(id -g nobody)" --clear-groups -- \
        "$root/scripts/demo" 2>&1)
    status=$?
    set -e
    echo "$log"
    if [ $status -ne 0 ] && grep -q "a clone of your own" <<<"$log" && ! grep -q "invalid access" <<<"$log"; then
        echo "ok   demo_as_another_user_in_a_root_built_clone_says_what_to_do"
    else
        echo "FAIL demo_as_another_user_in_a_root_built_clone_says_what_to_do: exit $status"
        exit 1
    fi
fi
