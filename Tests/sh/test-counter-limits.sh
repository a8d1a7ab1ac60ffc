#!/usr/bin/env bash
# Counters that would wrap after 2^32 steps: a handle slot's generation and a COM object's
# reference count.
#   HOSTSEC_LONG=1 bash Tests/sh/test-counter-limits.sh
#       the real thing through libhostsec.so (Tests/c/counter-limits.c): one slot reused
#       2^32 times, its first handle never issued or accepted again; 2^32 AddRefs on one
#       object, then a Release that must not free it. 3 to 8 minutes on this 2-core machine.
#   bash Tests/sh/test-counter-limits.sh (default, CI)
#       the same properties with the counts jumped near their ceiling by test hooks inside
#       the library (Swift tests HandleTableTests and ReferenceCountTests, which use the
#       handle table and the COM objects directly; no hook is exported), plus a short run of
#       counter-limits.c (2^16 iterations) so the long program keeps building and passing.
set -euo pipefail
root=${HOSTSEC_ROOT:-$(cd "$(dirname "$0")/../.." && pwd)}
out=${HOSTSEC_TEST_OUT:-$root/.build/tests}
cd "$root"
mkdir -p "$out"
lib=${HOSTSEC_LIB_DIR:-$(scripts/build)}
gcc -std=c11 -O2 -Wall -Wextra -Werror -D_GNU_SOURCE -pthread -I include -I Tests/c Tests/c/counter-limits.c \
    -L"$lib" -lhostsec -Wl,-rpath,"$lib" -ldl -o "$out/counter-limits"
if [ "${HOSTSEC_LONG:-0}" = 1 ]; then
    echo "counter-limits: long lane, 2^32 iterations each"
    "$out/counter-limits" 0x100000000
else
    echo "counter-limits: hook lane (HOSTSEC_LONG=1 for the 2^32 run)"
    swift test --filter 'HandleTableTests|ReferenceCountTests' 2>&1 | tail -3
    "$out/counter-limits" 0x10000
fi
