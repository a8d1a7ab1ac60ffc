#!/usr/bin/env bash
# The Win32 names (hostsec_win32.h through <windows.h> and <sddl.h>):
#   - Windows-style sources build with gcc -Wall -Wextra -Werror against -I include/win32;
#   - the conformance program (win32/conformance.c) passes as root and again without
#     CAP_SETUID/CAP_SETGID;
#   - nm -D shows no Windows name, only HostSecW32_ ones;
#   - examples/win32/whoami.c prints the process token and, impersonating an account logged
#     on with its password (a real account this script makes and removes), that account's.
set -uo pipefail
root=${HOSTSEC_ROOT:?} lib=${HOSTSEC_LIB_DIR:?} out=${HOSTSEC_TEST_OUT:?}/win32
rm -rf "$out"
mkdir -p "$out"
failures=0
ok() { echo "ok   $1"; }
fail() { echo "FAIL $1${2:+: $2}"; failures=$((failures + 1)); }
build() {  # build SOURCE BINARY
    gcc -std=c11 -Wall -Wextra -Werror -pthread -I"$root/include/win32" "$1" -L"$lib" -lhostsec \
        -Wl,-rpath,"$lib" -o "$2" 2>>"$out/build.err"
}

windows_sources_compile_with_wall_wextra_werror() {
    if build "$root/Tests/c/win32/conformance.c" "$out/conformance" &&
        build "$root/examples/win32/whoami.c" "$out/whoami" &&
        echo '#include <windows.h>
#include <sddl.h>
int main() { HANDLE h = 0; BOOL (*open)(HANDLE, DWORD, PHANDLE) = &OpenProcessToken;
  return open(GetCurrentProcess(), TOKEN_QUERY, &h) && CloseHandle(h) ? 0 : 1; }' >"$out/host.cpp" &&
        g++ -std=c++11 -Wall -Wextra -Werror -I"$root/include/win32" "$out/host.cpp" -L"$lib" -lhostsec \
            -Wl,-rpath,"$lib" -o "$out/host-cpp" 2>>"$out/build.err" && "$out/host-cpp"; then
        ok "${FUNCNAME[0]}"
    else
        fail "${FUNCNAME[0]}" "$(head -20 "$out/build.err")"
    fi
}

conformance_passes() {
    local output
    output=$("$out/conformance" 2>&1)
    local status=$?
    echo "$output" | sed 's/^/    /'
    [ $status -eq 0 ] && ok "${FUNCNAME[0]}" || fail "${FUNCNAME[0]}"
}

conformance_passes_without_setuid_and_setgid() {
    if [ "$(id -u)" -ne 0 ]; then ok "${FUNCNAME[0]} # skip: the run above is already unprivileged"; return; fi
    local output status
    output=$(setpriv --bounding-set -setuid,-setgid --inh-caps -setuid,-setgid -- "$out/conformance" 2>&1)
    status=$?
    echo "$output" | sed 's/^/    /'
    grep -q '^# unprivileged' <<<"$output" || { fail "${FUNCNAME[0]}" "still held CAP_SETUID"; return; }
    [ $status -eq 0 ] && ok "${FUNCNAME[0]}" || fail "${FUNCNAME[0]}"
}

no_windows_name_is_exported() {
    local names exported bad=""
    names=$(sed -n 's/.*HOSTSEC_W32_NAME(\([A-Za-z]*\));.*/\1/p' "$root/include/hostsec_win32.h")
    [ "$(wc -w <<<"$names")" -ge 34 ] || { fail "${FUNCNAME[0]}" "found only $(wc -w <<<"$names") Windows names"; return; }
    exported=$(nm -D --defined-only "$lib/libhostsec.so" | awk '{print $3}' | sed 's/@.*//')
    for n in $names; do grep -qx "$n" <<<"$exported" && bad+=" $n"; done
    for n in $(grep W32 <<<"$exported"); do case "$n" in HostSecW32_*) ;; *) bad+=" $n" ;; esac; done
    for n in $names; do grep -qx "HostSecW32_$n" <<<"$exported" || bad+=" (missing HostSecW32_$n)"; done
    [ -z "$bad" ] && ok "${FUNCNAME[0]}" || fail "${FUNCNAME[0]}" "$bad"
}

whoami_prints_the_process_token() {
    local output
    output=$("$out/whoami" 2>&1)
    echo "$output" >"$out/whoami-process.txt"
    if grep -q "^unix user\\\\$(id -un) *S-1-22-1-$(id -u)\$" <<<"$output" &&
        grep -q "^Everyone  *Well-known group S-1-1-0 " <<<"$output" &&
        grep -q "^SeChangeNotifyPrivilege .*Enabled\$" <<<"$output"; then
        ok "${FUNCNAME[0]}"
    else
        fail "${FUNCNAME[0]}" "$output"
    fi
}

whoami_prints_a_logged_on_account_while_impersonating() {
    if [ "$(id -u)" -ne 0 ]; then ok "${FUNCNAME[0]} # skip: needs root to make an account"; return; fi
    local user=hsw32who uid output pw
    pw=$(head -c 16 /dev/urandom | od -An -tx1 | tr -d ' \n')
    userdel "$user" >/dev/null 2>&1
    groupadd -f "${user}g2"
    # shellcheck disable=SC2064 # the account's name now: $user is local
    trap "userdel $user 2>/dev/null; groupdel ${user}g2 2>/dev/null; groupdel $user 2>/dev/null; rm -f /run/faillock/$user" EXIT
    useradd -M -U -G "${user}g2" -s /bin/sh "$user" || { fail "${FUNCNAME[0]}" "useradd"; return; }
    printf '%s:%s\n' "$user" "$pw" | chpasswd -c YESCRYPT
    uid=$(id -u "$user")
    output=$("$out/whoami" "$user" "$pw" 2>&1)
    echo "$output" >"$out/whoami-logon.txt"
    local wrong
    wrong=$("$out/whoami" "$user" "not-the-password" 2>&1)
    userdel "$user"; groupdel "${user}g2" 2>/dev/null; groupdel "$user" 2>/dev/null
    if grep -q "^unix user\\\\$user *S-1-22-1-$uid\$" <<<"$output" &&
        grep -q "^Unix Group\\\\${user}g2 " <<<"$output" &&
        ! grep -q "Administrators" <<<"$output" &&
        [ "$(grep -c '^Se' <<<"$output")" -eq 1 ] &&
        grep -q "^SeChangeNotifyPrivilege .*Enabled\$" <<<"$output" &&
        [ "$wrong" = "LogonUserA: error 1326" ]; then
        ok "${FUNCNAME[0]}"
    else
        fail "${FUNCNAME[0]}" "$output / $wrong"
    fi
}

# LogonUserA reaches the core's password logon, so its rule holds here too: root (uid 0) and
# nobody (shell /usr/sbin/nologin) are refused before PAM with ERROR_LOGON_TYPE_NOT_GRANTED.
logon_user_a_refuses_root_and_nologin_accounts() {
    local got
    got="$("$out/whoami" root not-the-password 2>&1) / $("$out/whoami" nobody not-the-password 2>&1)"
    if [ "$got" = "LogonUserA: error 1385 / LogonUserA: error 1385" ]; then ok "${FUNCNAME[0]}"
    else fail "${FUNCNAME[0]}" "$got"; fi
}

windows_sources_compile_with_wall_wextra_werror
conformance_passes
conformance_passes_without_setuid_and_setgid
no_windows_name_is_exported
whoami_prints_the_process_token
whoami_prints_a_logged_on_account_while_impersonating
logon_user_a_refuses_root_and_nologin_accounts
[ "$failures" -eq 0 ]
