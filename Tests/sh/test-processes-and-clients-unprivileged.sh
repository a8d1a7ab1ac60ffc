#!/usr/bin/env bash
# Runs test-processes-and-clients.c again without CAP_SETUID and CAP_SETGID (root otherwise),
# then as nobody with no capability at all: a process can be started as the caller's own
# account, not as another one (E_ACCESSDENIED), and socket clients still get their tokens.
# Last, as a service: nobody holding only CAP_SETUID and CAP_SETGID (no CAP_SETPCAP, so the
# bounding set cannot be cut): a uid-0 child still holds exactly the token's permitted set.
. "$(dirname "$0")/lib.sh" processes-and-clients-unprivileged
[ "$(id -u)" -eq 0 ] || skip_script "needs root to drop CAP_SETUID/CAP_SETGID from a privileged start (this run is already unprivileged: test-processes-and-clients covers it)"
bin=$out/test-processes-and-clients-unprivileged
compile_c_test test-processes-and-clients "$bin" || exit 1
# nobody runs it from a directory it may enter.
chmod 755 "$out" "$bin"
status=0
for how in "--bounding-set -setuid,-setgid --inh-caps -setuid,-setgid" \
    "--reuid=65534 --regid=65534 --clear-groups --inh-caps=-all --bounding-set=-all"; do
    echo "# setpriv $how"
    # shellcheck disable=SC2086
    output=$(cd /tmp && setpriv $how -- "$bin" 2>&1)
    s=$?
    echo "$output"
    grep -q "^# unprivileged" <<<"$output" || { echo "the test still held CAP_SETUID/CAP_SETGID" >&2; status=1; }
    [ $s -eq 0 ] || status=1
done
echo "# setpriv: a service with CAP_SETUID and CAP_SETGID only"
test=spawn_as_user_uid_0_child_holds_the_tokens_permitted_set
output=$(cd /tmp && setpriv --reuid=65534 --regid=65534 --clear-groups --inh-caps=-all,+setuid,+setgid \
    --ambient-caps=-all,+setuid,+setgid -- "$bin" --only $test 2>&1)
s=$?
echo "$output"
grep -q "^ok   $test" <<<"$output" || { echo "$test did not pass as a service" >&2; status=1; }
[ $s -eq 0 ] || status=1
exit $status
