#!/usr/bin/env bash
# Leak lane: the C examples (host-linked, host-dlopen, identity-flow) built against the
# normal release .so and run under valgrind --leak-check=full
# --errors-for-leak-kinds=definite --error-exitcode=1 (memory errors count too). Fails on
# any definite leak, any memory error, or a failing example. Falls back to LeakSanitizer
# (clang -fsanitize=leak) when valgrind is not installed. As root, also a host that logs on
# with a password (Tests/c/tracer/logon.c: right, wrong, unknown account, NULL) through the
# service hostsec-fuzz (pam_unix without failure delay) for an account made here.
set -uo pipefail
root=${HOSTSEC_ROOT:-$(cd "$(dirname "$0")/../.." && pwd)}
lib=${HOSTSEC_LIB_DIR:-$("$root/scripts/build")}
out=${HOSTSEC_TEST_OUT:-$root/.build/tests}/leaks
rm -rf "$out"
mkdir -p "$out"
cd "$root" || exit 1
flags=(-std=c11 -Wall -Wextra -Werror -D_GNU_SOURCE -pthread -O1 -I include)
use_valgrind=0
command -v valgrind >/dev/null && use_valgrind=1
if [ $use_valgrind -eq 1 ]; then
    cc=gcc; flags+=(-gdwarf-4)  # valgrind reads DWARF 4, not clang 21's DWARF 5
    # valgrind 3.19 gives up on the Swift library's DWARF 5 debug info: run the hosts
    # against a copy without it (symbols stay; LD_LIBRARY_PATH wins over the RUNPATH).
    mkdir -p "$out/lib"
    strip --strip-debug -o "$out/lib/libhostsec.so.1" "$lib/libhostsec.so"
    run_lib=$out/lib
else
    cc=$(dirname "$(readlink -f "$(command -v swift)")")/clang; flags+=(-g -fuse-ld=lld -fsanitize=leak)
fi
status=0
run() {  # run NAME SOURCE LINK...   (RUN_ARGS: the program's arguments)
    local name=$1 src=$2; shift 2
    if ! "$cc" "${flags[@]}" "$src" "$@" -o "$out/$name" 2>"$out/$name.build.log"; then
        cat "$out/$name.build.log"; echo "FAIL $name (build)"; status=1; return
    fi
    local rc
    if [ $use_valgrind -eq 1 ]; then
        LD_LIBRARY_PATH="$run_lib" valgrind -q --leak-check=full --errors-for-leak-kinds=definite --suppressions="$root/Tests/sh/valgrind.supp" \
            --error-exitcode=99 --log-file="$out/$name.valgrind.log" "$out/$name" ${RUN_ARGS:-} >"$out/$name.log" 2>&1
        rc=$?
        if [ $rc -eq 99 ] || grep -q "definitely lost: [1-9]\|Invalid \|uninitialised" "$out/$name.valgrind.log"; then
            cat "$out/$name.valgrind.log"; echo "FAIL $name (valgrind)"; status=1; return
        fi
    else
        LSAN_OPTIONS="suppressions=$root/scripts/lsan.supp ${LSAN_OPTIONS:-}" LD_LIBRARY_PATH="$lib" \
            "$out/$name" ${RUN_ARGS:-} >"$out/$name.log" 2>&1
        rc=$?
        if grep -q "ERROR: LeakSanitizer" "$out/$name.log"; then
            cat "$out/$name.log"; echo "FAIL $name (LeakSanitizer)"; status=1; return
        fi
    fi
    if [ $rc -ne 0 ]; then tail -20 "$out/$name.log"; echo "FAIL $name (exit $rc)"; status=1; return; fi
    echo "ok   $name"
}
# shellcheck disable=SC2054 # -Wl,-rpath,DIR is one word
linked=(-L"$lib" -lhostsec -Wl,-rpath,"$lib")
run host-linked examples/host-linked.c "${linked[@]}"
run host-dlopen examples/host-dlopen.c -ldl
run identity-flow examples/identity-flow.c "${linked[@]}"
if [ "$(id -u)" -eq 0 ]; then
    user=hslk$$
    secret=$(head -c 16 /dev/urandom | od -An -tx1 | tr -d ' \n')
    trap 'userdel "$user" 2>/dev/null; rm -f "/run/faillock/$user"' EXIT
    useradd -M -s /bin/sh "$user" && echo "$user:$secret" | chpasswd -c YESCRYPT
    export HOSTSEC_PAM_SERVICE=hostsec-fuzz
    RUN_ARGS="$user $secret" run logon-password Tests/c/tracer/logon.c "${linked[@]}"
    unset HOSTSEC_PAM_SERVICE
    userdel "$user"
else
    echo "skip logon-password (needs root to make an account)"
fi
[ $status -eq 0 ] && echo "test-leaks: no reports ($([ $use_valgrind -eq 1 ] && echo valgrind || echo LeakSanitizer))"
exit $status
