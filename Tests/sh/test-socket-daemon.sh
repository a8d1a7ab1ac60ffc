#!/usr/bin/env bash
# examples/socket-daemon.c serves each connecting user as that user: a file only root may read
# is refused to nobody and given to root, a file everyone may read is given to nobody as uid
# 65534; a daemon without CAP_SETUID/CAP_SETGID refuses to serve another account (it can only
# identify it) instead of serving it with its own rights.
set -uo pipefail
root=${HOSTSEC_ROOT:?} lib=${HOSTSEC_LIB_DIR:?} out=${HOSTSEC_TEST_OUT:?}/socket-daemon
rm -rf "$out"
mkdir -p "$out"
chmod 755 "$out"
failures=0
ok() { echo "ok   $1"; }
fail() { echo "FAIL $1${2:+: $2}"; failures=$((failures + 1)); }
if [ "$(id -u)" -ne 0 ]; then echo "skip: needs root to connect as another account"; exit 0; fi
gcc -std=c11 -Wall -Wextra -Werror -D_GNU_SOURCE -pthread -I"$root/include" "$root/examples/socket-daemon.c" \
    -L"$lib" -lhostsec -Wl,-rpath,"$lib" -o "$out/socket-daemon" || { echo "build failed"; exit 1; }
chmod 755 "$out/socket-daemon"
echo "root only" >"$out/secret"; chmod 600 "$out/secret"
echo "for everyone" >"$out/public"; chmod 644 "$out/public"
nobody_uid=$(id -u nobody)
as_nobody() { setpriv --reuid=nobody --regid="$(id -g nobody)" --clear-groups -- "$@"; }

start() {  # start [setpriv args...]
    rm -f "$out/sock"
    "$@" "$out/socket-daemon" serve "$out/sock" >"$out/daemon.log" 2>&1 &
    daemon=$!
    for _ in $(seq 50); do [ -S "$out/sock" ] && return; sleep 0.1; done
}
stop() { kill "$daemon" 2>/dev/null; wait "$daemon" 2>/dev/null; }

socket_daemon_serves_each_client_as_itself() {
    start
    local a b c
    a=$(as_nobody "$out/socket-daemon" ask "$out/sock" "$out/secret")
    b=$(as_nobody "$out/socket-daemon" ask "$out/sock" "$out/public")
    c=$("$out/socket-daemon" ask "$out/sock" "$out/secret")
    stop
    if [[ "$a" == "uid $nobody_uid: denied: Permission denied" && "$b" == "uid $nobody_uid: for everyone" &&
        "$c" == "uid 0: root only" ]]; then
        ok "${FUNCNAME[0]}"
    else
        fail "${FUNCNAME[0]}" "$a / $b / $c"
    fi
}

socket_daemon_without_setuid_refuses_other_accounts() {
    start setpriv --bounding-set -setuid,-setgid --inh-caps -setuid,-setgid --
    local a c
    a=$(as_nobody "$out/socket-daemon" ask "$out/sock" "$out/secret")
    c=$("$out/socket-daemon" ask "$out/sock" "$out/secret")
    stop
    if [[ "$a" == "refused: cannot act as the client" && "$c" == "uid 0: root only" ]]; then
        ok "${FUNCNAME[0]}"
    else
        fail "${FUNCNAME[0]}" "$a / $c"
    fi
}

socket_daemon_serves_each_client_as_itself
socket_daemon_without_setuid_refuses_other_accounts
[ "$failures" -eq 0 ]
