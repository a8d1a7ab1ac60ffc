#!/usr/bin/env bash
# ThreadSanitizer lane: builds libhostsec.so with --sanitize=thread into its own scratch path
# (.build-tsan), compiles Tests/c/test-concurrency.c with clang -fsanitize=thread against it,
# and runs it with halt_on_error=1. Fails on any ThreadSanitizer report or test failure.
# HOSTSEC_QUICK=1 (the default when CI=true) keeps the iteration counts small.
set -euo pipefail
root=${HOSTSEC_ROOT:-$(cd "$(dirname "$0")/../.." && pwd)}
out=${HOSTSEC_TEST_OUT:-$root/.build/tests}/tsan
cd "$root"
mkdir -p "$out"

lib=$(scripts/build-sanitized thread)

# The Swift toolchain's clang: its ThreadSanitizer runtime is the one the library was built for.
# That runtime carries libdispatch interceptors: link the toolchain's libdispatch and
# BlocksRuntime so they resolve.
bin=$(dirname "$(readlink -f "$(command -v swift)")")
cc=$bin/clang
swiftlib=$(cd "$bin/../lib/swift/linux" && pwd)
"$cc" -std=c11 -Wall -Wextra -Werror -D_GNU_SOURCE -pthread -fsanitize=thread -fuse-ld=lld -g -O1 \
    -I include -I Tests/c Tests/c/test-concurrency.c \
    -L"$lib" -lhostsec -Wl,-rpath,"$lib" \
    -L"$swiftlib" -ldispatch -lBlocksRuntime -Wl,-rpath,"$swiftlib" -o "$out/test-concurrency"

if [ "${CI:-}" = true ]; then : "${HOSTSEC_QUICK:=1}"; fi
export HOSTSEC_QUICK=${HOSTSEC_QUICK:-0}
log=$out/test-concurrency.log
set +e
TSAN_OPTIONS="halt_on_error=1 exitcode=66 external_symbolizer_path=$bin/llvm-symbolizer second_deadlock_stack=1 suppressions=$root/Tests/sh/tsan.supp ${TSAN_OPTIONS:-}" \
    "$out/test-concurrency" >"$log" 2>&1
rc=$?
set -e
cat "$log"
if grep -q "WARNING: ThreadSanitizer" "$log"; then
    echo "test-tsan: ThreadSanitizer reported a race (log: $log)" >&2
    exit 1
fi
[ "$rc" -eq 0 ] || { echo "test-tsan: test-concurrency exited $rc" >&2; exit 1; }
echo "test-tsan: no reports"
