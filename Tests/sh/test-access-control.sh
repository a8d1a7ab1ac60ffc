#!/usr/bin/env bash
# Security descriptors, SDDL, AccessCheck, token object security and restricted tokens
# (win32/access-control.c, a Windows program built against <windows.h> and <sddl.h>): the
# conformance program passes as root and again without CAP_SETUID/CAP_SETGID.
set -uo pipefail
root=${HOSTSEC_ROOT:?} lib=${HOSTSEC_LIB_DIR:?} out=${HOSTSEC_TEST_OUT:?}/access-control
rm -rf "$out"
mkdir -p "$out"
failures=0
ok() { echo "ok   $1"; }
fail() { echo "FAIL $1${2:+: $2}"; failures=$((failures + 1)); }

access_control_conformance_builds() {
    if gcc -std=c11 -Wall -Wextra -Werror -pthread -I"$root/include/win32" "$root/Tests/c/win32/access-control.c" \
        -L"$lib" -lhostsec -Wl,-rpath,"$lib" -o "$out/access-control" 2>"$out/build.err"; then
        ok "${FUNCNAME[0]}"
    else
        fail "${FUNCNAME[0]}" "$(head -20 "$out/build.err")"
    fi
}

access_control_conformance_passes() {
    local output status
    output=$("$out/access-control" 2>&1)
    status=$?
    echo "$output" | sed 's/^/    /'
    [ $status -eq 0 ] && ok "${FUNCNAME[0]}" || fail "${FUNCNAME[0]}"
}

access_control_conformance_passes_without_setuid_and_setgid() {
    if [ "$(id -u)" -ne 0 ]; then ok "${FUNCNAME[0]} # skip: the run above is already unprivileged"; return; fi
    local output status
    output=$(setpriv --bounding-set -setuid,-setgid --inh-caps -setuid,-setgid -- "$out/access-control" 2>&1)
    status=$?
    echo "$output" | sed 's/^/    /'
    grep -q '^# unprivileged' <<<"$output" || { fail "${FUNCNAME[0]}" "still held CAP_SETUID"; return; }
    [ $status -eq 0 ] && ok "${FUNCNAME[0]}" || fail "${FUNCNAME[0]}"
}

access_control_conformance_passes_without_any_capability() {
    if [ "$(id -u)" -ne 0 ]; then ok "${FUNCNAME[0]} # skip: not root"; return; fi
    local output status
    output=$(setpriv --reuid=65534 --regid=65534 --clear-groups --inh-caps=-all -- "$out/access-control" 2>&1)
    status=$?
    echo "$output" | sed 's/^/    /'
    [ $status -eq 0 ] && ok "${FUNCNAME[0]}" || fail "${FUNCNAME[0]}"
}

access_control_conformance_builds
access_control_conformance_passes
access_control_conformance_passes_without_setuid_and_setgid
access_control_conformance_passes_without_any_capability
[ "$failures" -eq 0 ]
