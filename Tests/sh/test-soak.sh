#!/usr/bin/env bash
# Soak under ThreadSanitizer: builds Tests/c/soak.c with clang -fsanitize=thread against the
# ThreadSanitizer build of the library (scripts/build-sanitized thread, .build-tsan) and runs
# it: THREADS threads x OPS random operations, identity checked after each, counts back to
# their baseline at the end. CI=true or HOSTSEC_QUICK=1: 8 x 3000. The full run (8 x 100000)
# is HOSTSEC_QUICK=0 bash Tests/sh/test-soak.sh; HOSTSEC_SOAK_ARGS="THREADS OPS SEED" overrides.
# Fails on a ThreadSanitizer report, an identity mismatch, a catastrophic HRESULT or a leak.
set -euo pipefail
root=${HOSTSEC_ROOT:-$(cd "$(dirname "$0")/../.." && pwd)}
out=${HOSTSEC_TEST_OUT:-$root/.build/tests}/soak
cd "$root"
mkdir -p "$out"
lib=$(scripts/build-sanitized thread)
# The toolchain's ThreadSanitizer runtime carries libdispatch interceptors (see test-tsan.sh).
bin=$(dirname "$(readlink -f "$(command -v swift)")")
swiftlib=$(cd "$bin/../lib/swift/linux" && pwd)
"$bin/clang" -std=c11 -Wall -Wextra -Werror -D_GNU_SOURCE -pthread -fsanitize=thread -fuse-ld=lld -g -O1 \
    -I include -I Tests/c Tests/c/soak.c -L"$lib" -lhostsec -Wl,-rpath,"$lib" \
    -L"$swiftlib" -ldispatch -lBlocksRuntime -Wl,-rpath,"$swiftlib" -o "$out/soak"
if [ "${CI:-}" = true ]; then : "${HOSTSEC_QUICK:=1}"; fi
export HOSTSEC_QUICK=${HOSTSEC_QUICK:-1}
log=$out/soak.log
set +e
# shellcheck disable=SC2086
TSAN_OPTIONS="halt_on_error=1 exitcode=66 external_symbolizer_path=$bin/llvm-symbolizer suppressions=$root/Tests/sh/tsan.supp ${TSAN_OPTIONS:-}" \
    nice "$out/soak" ${HOSTSEC_SOAK_ARGS:-} >"$log" 2>&1
rc=$?
set -e
tail -30 "$log"
if grep -q "WARNING: ThreadSanitizer" "$log"; then
    echo "test-soak: ThreadSanitizer reported a race (log: $log)" >&2
    exit 1
fi
[ "$rc" -eq 0 ] || { echo "test-soak: soak exited $rc (log: $log)" >&2; exit 1; }
echo "test-soak: passed"
