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
