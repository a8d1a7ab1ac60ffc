#!/usr/bin/env bash
# Proves the token hot paths make no syscalls: Tests/c/no-syscalls-probe.c impersonates
# itself, warms up, then runs 100,000 OpenThreadToken + HostSec_CloseHandle between two marker
# syscalls (region 1) and 100,000 OpenThreadToken + GetTokenInformation + HostSec_CloseHandle
# (region 2); strace -f counts every syscall between the markers: each count must be 0.
set -euo pipefail
root=${HOSTSEC_ROOT:-$(cd "$(dirname "$0")/../.." && pwd)}
lib=${HOSTSEC_LIB_DIR:-$("$root/scripts/build")}
out=${HOSTSEC_TEST_OUT:-$root/.build/tests}
mkdir -p "$out"
command -v strace >/dev/null || { echo "test-no-syscalls: strace is not installed" >&2; exit 1; }

gcc -std=c11 -Wall -Wextra -Werror -D_GNU_SOURCE -pthread -O2 -I"$root/include" -I"$root/Tests/c" \
    "$root/Tests/c/no-syscalls-probe.c" -L"$lib" -lhostsec -Wl,-rpath,"$lib" -o "$out/no-syscalls-probe"

trace=$out/no-syscalls.strace
strace -f -o "$trace" "$out/no-syscalls-probe" 100000

status=0
for region in 1 2; do
    grep -q "hostsec-begin-$region" "$trace" && grep -q "hostsec-end-$region" "$trace" || {
        echo "test-no-syscalls: markers of region $region not found in $trace" >&2
        exit 1
    }
    count=$(awk -v b="hostsec-begin-$region" -v e="hostsec-end-$region" '
        index($0, e) { inside = 0 }
        inside && NF { n++; print > "/dev/stderr" }
        index($0, b) { inside = 1 }
        END { print n + 0 }' "$trace")
    echo "region $region: $count syscalls between the markers"
    [ "$count" -eq 0 ] || status=1
done
exit $status
