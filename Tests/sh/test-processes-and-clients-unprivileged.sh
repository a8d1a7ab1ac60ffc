#!/usr/bin/env bash
# Runs test-processes-and-clients.c again without CAP_SETUID and CAP_SETGID (root otherwise),
# then as nobody with no capability at all: a process can be started as the caller's own
# account, not as another one (E_ACCESSDENIED), and socket clients still get their tokens.
set -euo pipefail
root=${HOSTSEC_ROOT:?}; lib=${HOSTSEC_LIB_DIR:?}; out=${HOSTSEC_TEST_OUT:-/tmp}
if [ "$(id -u)" -ne 0 ]; then
    echo "skip: needs root to drop CAP_SETUID/CAP_SETGID from a privileged start (this run is already unprivileged: test-processes-and-clients covers it)"
    exit 0
fi
gcc -std=c11 -Wall -Wextra -Werror -D_GNU_SOURCE -pthread -I"$root/include" -I"$root/Tests/c" \
    "$root/Tests/c/test-processes-and-clients.c" -L"$lib" -lhostsec -Wl,-rpath,"$lib" \
    -o "$out/test-processes-and-clients-unprivileged"
chmod 755 "$out/test-processes-and-clients-unprivileged"
status=0
for how in "--bounding-set -setuid,-setgid --inh-caps -setuid,-setgid" \
    "--reuid=65534 --regid=65534 --clear-groups --inh-caps=-all --bounding-set=-all"; do
    echo "# setpriv $how"
    set +e
    # shellcheck disable=SC2086
    output=$(cd /tmp && setpriv $how -- "$out/test-processes-and-clients-unprivileged" 2>&1)
    s=$?
    set -e
    echo "$output"
    grep -q "^# unprivileged" <<<"$output" || { echo "the test still held CAP_SETUID/CAP_SETGID" >&2; status=1; }
    [ $s -eq 0 ] || status=1
done
exit $status
