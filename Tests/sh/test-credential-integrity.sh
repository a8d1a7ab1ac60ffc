#!/usr/bin/env bash
# Credential integrity (Tests/c/credential-integrity/host.c), each scenario in a process of
# its own, under three kinds of "self":
#   root                       root with every capability (how CI runs)
#   service with capabilities  uid daemon holding CAP_SETUID+CAP_SETGID (ambient, as a
#                              systemd AmbientCapabilities= service would)
#   service without            uid daemon with no capabilities
# against two targets (root, nobody). Makes one account whose uid is 4294967295 ((uid_t)-1)
# in /etc/passwd for the duration. Needs root.
set -uo pipefail
root=${HOSTSEC_ROOT:?} lib=${HOSTSEC_LIB_DIR:?} out=${HOSTSEC_TEST_OUT:?}/credential-integrity
if [ "$(id -u)" -ne 0 ]; then echo "skip: needs root to start processes as other accounts"; exit 77; fi
rm -rf "$out" && mkdir -p "$out" && chmod 755 "$out"
# The program and the library where uid daemon can read them.
cp "$lib/libhostsec.so" "$out/libhostsec.so.1" && chmod 755 "$out/libhostsec.so.1"
gcc -std=c11 -Wall -Wextra -Werror -D_GNU_SOURCE -pthread -I"$root/include" -I"$root/Tests/c" \
    "$root/Tests/c/credential-integrity/host.c" "$root/Tests/c/syscall-hook.c" "$out/libhostsec.so.1" \
    -Wl,-rpath,"$out" -ldl \
    -o "$out/host" || { echo "FAIL build"; exit 1; }
chmod 755 "$out/host"

maxuid=hostsec-test-maxuid
if getent passwd "$maxuid" >/dev/null; then echo "FAIL setup: $maxuid already exists"; exit 1; fi
# Accounts at the edges, written straight into the files (groupadd would take minutes for
# 65,788 groups): one in 251 groups, one in 65,788 (beyond NGROUPS_MAX, 65,536; the primary
# group counted), one to delete after logon. All removed on exit.
few=hostsec-test-251groups many=hostsec-test-65788groups gone=hostsec-test-deleted
for name in "$few" "$many" "$gone"; do
    if getent passwd "$name" >/dev/null; then echo "FAIL setup: $name already exists"; exit 1; fi
done
cp /etc/passwd "$out/passwd.saved"
cp /etc/group "$out/group.saved"
cleanup() {
    userdel "$gone" >/dev/null 2>&1
    grep -v "^\($maxuid\|$few\|$many\|$gone\):" /etc/passwd >"$out/passwd.new" && cat "$out/passwd.new" >/etc/passwd
    grep -v "^hstg[0-9]*:" /etc/group >"$out/group.new" && cat "$out/group.new" >/etc/group
}
trap cleanup EXIT
echo "$maxuid:x:4294967295:65534::/nonexistent:/usr/sbin/nologin" >>/etc/passwd
echo "$few:x:3999900001:65534::/nonexistent:/usr/sbin/nologin" >>/etc/passwd
echo "$many:x:3999900002:65534::/nonexistent:/usr/sbin/nologin" >>/etc/passwd
useradd --system --no-create-home --no-user-group --gid nogroup --shell /usr/sbin/nologin "$gone" ||
    { echo "FAIL setup: useradd $gone"; exit 1; }
python3 - "$few" "$many" >>/etc/group <<'PY'
import sys
few, many = sys.argv[1], sys.argv[2]
for i in range(65787):
    members = f"{few},{many}" if i < 250 else many
    print(f"hstg{i}:x:{4294000000 + i}:{members}")
PY

failed=0
run() {  # run LABEL COMMAND...
    local label=$1; shift
    local output status
    output=$("$@" 2>&1); status=$?
    sed "s/^\(ok  \|FAIL\) \(.*\)/\1 \2 [$label]/" <<<"$output"
    [ $status -eq 0 ] || { echo "!! $label: exit $status"; failed=1; }
}
as_root() { "$out/host" "$@"; }
as_service_with_caps() {
    setpriv --reuid=daemon --regid=daemon --init-groups --inh-caps=-all,+setuid,+setgid \
        --ambient-caps=+setuid,+setgid -- "$out/host" "$@"
}
as_service_without() {
    setpriv --reuid=daemon --regid=daemon --init-groups --inh-caps=-all --bounding-set=-all -- "$out/host" "$@"
}

run "root" as_root uid-minus-one "$maxuid"
run "root" as_root new-thread
run "root" as_root seteuid
run "root" as_root setgroups
run "root" as_root removed-privilege
run "root" as_root new-thread-after-seteuid
run "root" as_root lowered
run "root" as_root closed-revert nobody
run "root" as_root signal
run "root" as_root fork
run "root" as_root groups "$few" 251
run "root" as_root groups "$many" 65788
run "root" as_root deleted "$gone"
for target in root nobody; do  # the host names its checks after these two
    run "root" as_root pair "$target"
    run "service with capabilities" as_service_with_caps pair "$target"
    run "service without capabilities" as_service_without pair "$target"
done
run "root" as_root exec nobody
run "service with capabilities" as_service_with_caps exec nobody
run "service with capabilities" as_service_with_caps new-thread
run "service with capabilities" as_service_with_caps closed-revert root
run "service with capabilities" as_service_with_caps closed-revert nobody
exit $failed
