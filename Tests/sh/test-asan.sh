#!/usr/bin/env bash
# AddressSanitizer lane: builds libhostsec.so with --sanitize=address into its own scratch path
# (.build-asan, scripts/build-sanitized address), compiles the C tests test-com,
# test-token-api, test-handles, test-impersonation, test-concurrency, test-logon-password and
# test-processes-and-clients (and the Windows conformance program win32/access-control.c) with clang
# -fsanitize=address against it, and runs each. Fails on any AddressSanitizer report (leaks
# included, with scripts/lsan.supp) or test failure. HOSTSEC_QUICK=1 (the default here)
# keeps the iteration counts small. HOSTSEC_ASAN_TESTS overrides the list.
set -euo pipefail
root=${HOSTSEC_ROOT:-$(cd "$(dirname "$0")/../.." && pwd)}
out=${HOSTSEC_TEST_OUT:-$root/.build/tests}/asan
cd "$root"
mkdir -p "$out"

lib=$(scripts/build-sanitized address)

cc=$(dirname "$(readlink -f "$(command -v swift)")")/clang
export HOSTSEC_QUICK=${HOSTSEC_QUICK:-1}
status=0
for name in ${HOSTSEC_ASAN_TESTS:-test-com test-token-api test-handles test-impersonation test-concurrency test-logon-password test-processes-and-clients win32/access-control}; do
    case "$name" in
    win32/*) src=Tests/c/$name.c includes=(-I include/win32) ;;
    *) src=Tests/c/$name.c includes=(-I include -I Tests/c) ;;
    esac
    name=${name#win32/}
    "$cc" -std=c11 -Wall -Wextra -Werror -D_GNU_SOURCE -pthread -fsanitize=address -fuse-ld=lld -g -O1 \
        "${includes[@]}" "$src" \
        -L"$lib" -lhostsec -Wl,-rpath,"$lib" -ldl -o "$out/$name"
    log=$out/$name.log
    set +e
    ASAN_OPTIONS="halt_on_error=1 detect_leaks=1 ${ASAN_OPTIONS:-}" \
        LSAN_OPTIONS="suppressions=$root/scripts/lsan.supp ${LSAN_OPTIONS:-}" "$out/$name" >"$log" 2>&1
    rc=$?
    set -e
    cat "$log"
    if grep -q "ERROR: AddressSanitizer\|ERROR: LeakSanitizer" "$log"; then
        echo "test-asan: AddressSanitizer reported an error in $name (log: $log)" >&2
        status=1
    elif [ "$rc" -ne 0 ]; then
        echo "test-asan: $name exited $rc" >&2
        status=1
    fi
done
[ "$status" -eq 0 ] && echo "test-asan: no reports"
exit $status
