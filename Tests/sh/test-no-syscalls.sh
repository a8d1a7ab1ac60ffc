#!/usr/bin/env bash
# Proves the token hot paths make no syscalls: Tests/c/no-syscalls-probe.c impersonates
# itself, warms up, then runs 100,000 OpenThreadToken + HostSec_CloseHandle between two marker
# syscalls (region 1) and 100,000 OpenThreadToken + GetTokenInformation + HostSec_CloseHandle
# (region 2); strace -f counts every syscall between the markers: each count must be 0. Region 3:
# 1,000 ImpersonateLoggedOnUser(nobody) on a thread already acting as nobody in the kernel must
# change no credential (it only reads them back: two reads each).
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
# Region 3: acting as nobody again while acting as nobody changes no credential (it reads them).
changes=$(awk '/hostsec-begin-3/ { inside = 1; next } /hostsec-end-3/ { inside = 0 }
    inside && /^[0-9]* *(setgroups|setresuid|setresgid|setfsuid|setfsgid|capset|prctl)\(/ { n++ }
    END { print n + 0 }' "$trace")
reads=$(awk '/hostsec-begin-3/ { inside = 1; next } /hostsec-end-3/ { inside = 0 } inside && NF { n++ } END { print n + 0 }' "$trace")
echo "region 3: $changes credential changes, $reads syscalls in all, for 1,000 impersonations of the identity held"
[ "$changes" -eq 0 ] || status=1
exit $status
