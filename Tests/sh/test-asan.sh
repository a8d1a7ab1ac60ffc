#!/usr/bin/env bash
# AddressSanitizer lane: builds libhostsec.so with --sanitize=address into its own scratch path
# (.build-asan), compiles Tests/c/test-handles.c and Tests/c/test-concurrency.c with clang
# -fsanitize=address against it, and runs both. Fails on any AddressSanitizer report or test
# failure. HOSTSEC_QUICK=1 (the default here) keeps the iteration counts small.
set -euo pipefail
root=${HOSTSEC_ROOT:-$(cd "$(dirname "$0")/../.." && pwd)}
out=${HOSTSEC_TEST_OUT:-$root/.build/tests}/asan
cd "$root"
mkdir -p "$out"

build=(swift build -c release --product hostsec --sanitize=address --scratch-path .build-asan)
# SwiftPM 6.3 fails a second sanitizer build in the same scratch path with "unknown build
# description"; dropping the cached description makes it plan again (the objects stay).
rm -f .build-asan/*/release/description.json
"${build[@]}" >&2
lib=$("${build[@]}" --show-bin-path)
ln -sf libhostsec.so "$lib/libhostsec.so.1"
grep -q __asan_ <<<"$(nm -D "$lib/libhostsec.so")" || { echo "libhostsec.so in $lib is not instrumented" >&2; exit 1; }

cc=$(dirname "$(readlink -f "$(command -v swift)")")/clang
export HOSTSEC_QUICK=${HOSTSEC_QUICK:-1}
status=0
for name in test-handles test-concurrency; do
    "$cc" -std=c11 -Wall -Wextra -Werror -D_GNU_SOURCE -pthread -fsanitize=address -fuse-ld=lld -g -O1 \
        -I include -I Tests/c "Tests/c/$name.c" \
        -L"$lib" -lhostsec -Wl,-rpath,"$lib" -o "$out/$name"
    log=$out/$name.log
    set +e
    ASAN_OPTIONS="halt_on_error=1 detect_leaks=0 ${ASAN_OPTIONS:-}" "$out/$name" >"$log" 2>&1
    rc=$?
    set -e
    cat "$log"
    if grep -q "ERROR: AddressSanitizer" "$log"; then
        echo "test-asan: AddressSanitizer reported an error in $name (log: $log)" >&2
        status=1
    elif [ "$rc" -ne 0 ]; then
        echo "test-asan: $name exited $rc" >&2
        status=1
    fi
done
[ "$status" -eq 0 ] && echo "test-asan: no reports"
exit $status
