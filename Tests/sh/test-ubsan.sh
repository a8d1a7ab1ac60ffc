#!/usr/bin/env bash
# UndefinedBehaviorSanitizer lane for the C hosts: the examples (host-linked, host-dlopen,
# identity-flow) and every Tests/c/test-*.c compiled with the Swift toolchain's clang
# -fsanitize=undefined -fno-sanitize-recover=all against the normal release .so, and run.
# Fails on any "runtime error" report or a failing program. HOSTSEC_QUICK=1 (the default
# here) keeps the C tests' iteration counts small; HOSTSEC_UBSAN_TESTS overrides the list.
set -uo pipefail
root=${HOSTSEC_ROOT:-$(cd "$(dirname "$0")/../.." && pwd)}
lib=${HOSTSEC_LIB_DIR:-$("$root/scripts/build")}
out=${HOSTSEC_TEST_OUT:-$root/.build/tests}/ubsan
rm -rf "$out"
mkdir -p "$out"
cd "$root" || exit 1
cc=$(dirname "$(readlink -f "$(command -v swift)")")/clang
flags=(-std=c11 -Wall -Wextra -Werror -D_GNU_SOURCE -pthread -g -O1 -fuse-ld=lld
       -fsanitize=undefined -fno-sanitize-recover=all -I include -I Tests/c)
export HOSTSEC_QUICK=${HOSTSEC_QUICK:-1}
# handle_segv=0: test-abi provokes a SIGSEGV on purpose (a write to the read-only IIDs).
export UBSAN_OPTIONS="print_stacktrace=1 halt_on_error=1 handle_segv=0 handle_sigbus=0 ${UBSAN_OPTIONS:-}"
status=0
# run NAME SOURCE [LINK...] -- [ARGS...]
run() {
    local name=$1 src=$2; shift 2
    local link=()
    while [ $# -gt 0 ] && [ "$1" != -- ]; do link+=("$1"); shift; done
    [ "${1:-}" = -- ] && shift
    if ! "$cc" "${flags[@]}" "$src" "${link[@]}" -o "$out/$name" 2>"$out/$name.build.log"; then
        cat "$out/$name.build.log"; echo "FAIL $name (build)"; status=1; return
    fi
    LD_LIBRARY_PATH="$lib" "$out/$name" "$@" >"$out/$name.log" 2>&1
    local rc=$?
    if grep -q "runtime error:" "$out/$name.log"; then
        grep -A8 "runtime error:" "$out/$name.log"; echo "FAIL $name (UndefinedBehaviorSanitizer)"; status=1
    elif [ $rc -ne 0 ]; then
        tail -20 "$out/$name.log"; echo "FAIL $name (exit $rc)"; status=1
    else
        echo "ok   $name"
    fi
}
# shellcheck disable=SC2054 # -Wl,-rpath,DIR is one word
linked=(-L"$lib" -lhostsec -Wl,-rpath,"$lib" -ldl)
run host-linked examples/host-linked.c "${linked[@]}"
run host-dlopen examples/host-dlopen.c -ldl
run identity-flow examples/identity-flow.c "${linked[@]}"
if [ -n "${HOSTSEC_UBSAN_TESTS:-}" ]; then
    tests=$HOSTSEC_UBSAN_TESTS
else
    tests=$(cd Tests/c && ls test-*.c | sed 's/\.c$//')
fi
for name in $tests; do run "$name" "Tests/c/$name.c" "${linked[@]}"; done
[ $status -eq 0 ] && echo "test-ubsan: no reports"
exit $status
