#!/usr/bin/env bash
# HostSec_LogonUserWithPassword without root: pam_unix cannot read /etc/shadow and checks the
# password through its setuid helper unix_chkpwd, which answers only for the account the
# process runs as. A host (built from an inline C program) runs as account A through setpriv
# with no capabilities: A's own password logs on; a wrong one, another account's right
# password and an unknown account are ERROR_LOGON_FAILURE. Needs root to make the accounts.
. "$(dirname "$0")/lib.sh"
if [ "$(id -u)" -ne 0 ]; then skip_script "needs root to make the accounts"; fi
command -v setpriv >/dev/null || { echo "setpriv (util-linux) is missing" >&2; exit 1; }

dir=$(mktemp -d /tmp/hostsec-logon-XXXXXX)
a=hsua$$ b=hsub$$
pw_a=$(random_password) pw_b=$(random_password)
cleanup() { userdel "$a" 2>/dev/null; userdel "$b" 2>/dev/null; forget_failures "$a" "$b"; rm -rf "$dir"; }
trap cleanup EXIT
chmod 0755 "$dir"
cp "$lib/libhostsec.so" "$dir/libhostsec.so.1"
cat >"$dir/host.c" <<'EOF2'
#include <hostsec.h>
#include <stdio.h>
int main(int argc, char **argv) {
    HANDLE h = NULL;
    HRESULT hr = HostSec_LogonUserWithPassword(argv[1], argv[2], &h);
    HOSTSEC_TOKEN_USER user = {0};
    DWORD len = 0;
    if (hr == S_OK) HostSec_GetTokenInformation(h, TokenUser, &user, sizeof user, &len);
    printf("%s uid=%u\n", HostSec_HResultName(hr), (unsigned)user.Uid);
    return argc == 3 ? 0 : 2;
}
EOF2
gcc -std=c11 -Wall -Wextra -Werror -I"$root/include" "$dir/host.c" -L"$dir" -l:libhostsec.so.1 \
    -Wl,-rpath,"$dir" -o "$dir/host" || { fail build; exit 1; }
useradd -M -s /bin/sh "$a" && useradd -M -s /bin/sh "$b" &&
    printf '%s:%s\n%s:%s\n' "$a" "$pw_a" "$b" "$pw_b" | chpasswd -c YESCRYPT || { fail accounts; exit 1; }
uid_a=$(id -u "$a")

as_a() { setpriv --reuid="$a" --regid="$a" --clear-groups --inh-caps=-all --bounding-set=-all -- "$dir/host" "$@" 2>&1; }

own_password_logs_on_through_unix_chkpwd() {
    local got; got=$(as_a "$a" "$pw_a")
    [ "$got" = "S_OK uid=$uid_a" ] && ok "${FUNCNAME[0]}" || fail "${FUNCNAME[0]}" "$got"
}
own_wrong_password_is_logon_failure() {
    local got; got=$(as_a "$a" "$pw_b")
    [ "$got" = "HRESULT_FROM_WIN32(ERROR_LOGON_FAILURE) uid=0" ] && ok "${FUNCNAME[0]}" || fail "${FUNCNAME[0]}" "$got"
}
another_accounts_right_password_is_logon_failure() {
    local got; got=$(as_a "$b" "$pw_b")
    [ "$got" = "HRESULT_FROM_WIN32(ERROR_LOGON_FAILURE) uid=0" ] && ok "${FUNCNAME[0]}" || fail "${FUNCNAME[0]}" "$got"
}
unknown_account_is_logon_failure_without_root() {
    local got; got=$(as_a "hs-no-such-$$" "x")
    [ "$got" = "HRESULT_FROM_WIN32(ERROR_LOGON_FAILURE) uid=0" ] && ok "${FUNCNAME[0]}" || fail "${FUNCNAME[0]}" "$got"
}
own_expired_password_is_password_expired_without_root() {
    chage -d 0 "$a"
    local got; got=$(as_a "$a" "$pw_a")
    chage -d "$(date +%F)" "$a"
    [ "$got" = "HRESULT_FROM_WIN32(ERROR_PASSWORD_EXPIRED) uid=0" ] && ok "${FUNCNAME[0]}" || fail "${FUNCNAME[0]}" "$got"
}

own_password_logs_on_through_unix_chkpwd
own_wrong_password_is_logon_failure
another_accounts_right_password_is_logon_failure
unknown_account_is_logon_failure_without_root
own_expired_password_is_password_expired_without_root
finish
