#!/usr/bin/env bash
# examples/file-server (hostsec-fileserver), built once here in debug: the package's Swift
# tests (AsyncHTTPClient against an in-process server, accounts made with useradd +
# chpasswd), then the built binary on a free loopback port driven with curl: ownership of
# PUT files, 403/404 from the kernel, 401 with WWW-Authenticate, traversal refused before any
# file syscall (strace), 4 users x 10,000 mixed requests with every X-Served-As checked, the
# request log, graceful shutdown, SIGKILL in the middle of uploads, and the same server
# without CAP_SETUID/CAP_SETGID.
set -uo pipefail
root=${HOSTSEC_ROOT:-$(cd "$(dirname "$0")/../.." && pwd)}
out=${HOSTSEC_TEST_OUT:-/tmp}
if [ "$(id -u)" -ne 0 ]; then echo "skip: needs root (makes accounts and acts as them)"; exit 77; fi
command -v curl >/dev/null || { echo "curl is missing" >&2; exit 1; }
scratch=${HOSTSEC_FILE_SERVER_BUILD:-$out/file-server-build}  # one build per run (debug)
bin=$scratch/debug/hostsec-fileserver
failures=0
ok() { echo "ok   $1"; }
fail() { echo "FAIL $1${2:+: $2}"; failures=$((failures + 1)); }

if [ ! -d "$scratch/checkouts" ]; then
    echo "file server: first build: fetching its packages (Hummingbird, SwiftNIO, swift-crypto and others," \
         "25 git repositories) and building them: several minutes"
fi
( cd "$root/examples/file-server" && swift build --build-tests --scratch-path "$scratch" >&2 ) \
    || { echo "build failed" >&2; exit 1; }

# --- the package's own tests (Swift Testing, AsyncHTTPClient) ---
swift_out=$(cd "$root/examples/file-server" && swift test --skip-build --scratch-path "$scratch" 2>&1) && swift_rc=0 || swift_rc=$?
grep -E "✘|passed after|failed after|four users x" <<<"$swift_out" || true
if [ "$swift_rc" -eq 0 ] && grep -q "Test run with .* passed" <<<"$swift_out"; then ok swift_package_tests_pass
else echo "$swift_out" | tail -40; fail swift_package_tests_pass "status $swift_rc"; fi

# --- accounts and a served folder ---
users=(fsc-alice fsc-bob fsc-carol fsc-dave)
declare -A pass uid
server_pid=
work=
pub=
cleanup() {
    [ -n "$server_pid" ] && kill -9 "$server_pid" 2>/dev/null
    [ -n "$work" ] && rm -rf "$work"
    [ -n "$pub" ] && rm -rf "$pub"
    # These accounts, and the Swift tests' four (removed at their exit, unless the process died).
    for u in "${users[@]}" fsw-alice fsw-bob fsw-carol fsw-dave; do userdel "$u" 2>/dev/null; rm -f "/run/faillock/$u"; done
}
trap cleanup EXIT
for u in "${users[@]}"; do
    userdel "$u" 2>/dev/null; useradd -M -s /bin/sh "$u" || exit 1
    pass[$u]=$(head -c 18 /dev/urandom | base64 | tr -d '/+=')
    echo "$u:${pass[$u]}" | chpasswd
    uid[$u]=$(id -u "$u")
done
work=$(mktemp -d "$out/file-server.XXXXXX")
served=$work/root
mkdir -m 0777 "$served"
for u in "${users[@]}"; do install -d -o "$u" -g "$u" -m 0755 "$served/$u"; done

server_args=()  # more options for the next start_server
start_server() {  # start_server LOG [command to run the server under...]; sets server_pid and port
    local log=$1; shift
    "$@" "$bin" --root "$served" --port 0 "${server_args[@]}" >"$log" 2>&1 &
    server_pid=$!
    for _ in $(seq 200); do
        port=$(grep -o 'port=[0-9]*' "$log" | head -1 | cut -d= -f2)
        [ -n "$port" ] && return 0
        sleep 0.05
    done
    echo "server did not start:" >&2; cat "$log" >&2; return 1
}
req() {  # req USER METHOD PATH [curl args...]: prints "status served-as"
    local u=$1 m=$2 p=$3; shift 3
    curl -s --path-as-is -o /dev/null -u "$u:${pass[$u]}" -X "$m" -w '%{http_code} %header{x-served-as}' "$@" \
        "http://127.0.0.1:$port$p"
}

log=$work/server.log
start_server "$log" || exit 1
a=fsc-alice b=fsc-bob

# --- ownership ---
printf 'hello from alice' >"$work/small"
r=$(req $a PUT /files/fsc-alice/hello.txt -T "$work/small")
if [ "$r" = "201 ${uid[$a]}" ] && [ "$(stat -c %u:%g "$served/fsc-alice/hello.txt")" = "${uid[$a]}:$(id -g $a)" ]; then
    ok curl_put_file_is_owned_by_the_user
else fail curl_put_file_is_owned_by_the_user "$r $(stat -c %u:%g "$served/fsc-alice/hello.txt" 2>&1)"; fi
r=$(req $a PUT /files/fsc-alice/hello.txt -T "$work/small")
if [ "$r" = "204 ${uid[$a]}" ]; then ok curl_second_put_replaces_with_204; else fail curl_second_put_replaces_with_204 "$r"; fi

# --- the kernel decides ---
chmod 0600 "$served/fsc-alice/hello.txt"
r1=$(req $b GET /files/fsc-alice/hello.txt); r2=$(req $a GET /files/fsc-alice/hello.txt)
r3=$(req $b PUT /files/fsc-alice/new -T "$work/small"); r4=$(req $b DELETE /files/fsc-alice/hello.txt)
r5=$(req $b GET /files/fsc-alice/missing)
if [ "$r1" = "403 ${uid[$b]}" ] && [ "$r2" = "200 ${uid[$a]}" ] && [ "$r3" = "403 ${uid[$b]}" ] \
   && [ "$r4" = "403 ${uid[$b]}" ] && [ "$r5" = "404 ${uid[$b]}" ] && [ -e "$served/fsc-alice/hello.txt" ]; then
    ok curl_other_user_gets_403_on_a_0600_file
else fail curl_other_user_gets_403_on_a_0600_file "$r1 / $r2 / $r3 / $r4 / $r5"; fi

# --- 401 ---
h1=$(curl -s -D - -o /dev/null "http://127.0.0.1:$port/files/")
h2=$(curl -s -D - -o /dev/null -u "$a:wrong-${pass[$a]}" "http://127.0.0.1:$port/files/fsc-alice/hello.txt")
h3=$(curl -s -D - -o /dev/null -u "no-such-fsc:x" "http://127.0.0.1:$port/whoami")
if grep -q "^HTTP/1.1 401" <<<"$h1" && grep -qi '^www-authenticate: Basic realm=' <<<"$h1" \
   && grep -q "^HTTP/1.1 401" <<<"$h2" && grep -qi '^www-authenticate: Basic' <<<"$h2" \
   && grep -q "^HTTP/1.1 401" <<<"$h3"; then
    ok curl_no_or_wrong_credentials_get_401_with_www_authenticate
else fail curl_no_or_wrong_credentials_get_401_with_www_authenticate "$(head -1 <<<"$h1") $(head -1 <<<"$h2") $(head -1 <<<"$h3")"; fi

# --- traversal: 400, and not one file syscall made for it (strace on the server) ---
trace=$work/strace.log
strace -f -qq -p "$server_pid" -e trace=%file,openat2 -o "$trace" & strace_pid=$!
sleep 0.5
bad=0
for p in '/files/../etc/passwd' '/files/fsc-alice/../../etc/passwd' '/files/%2e%2e/etc/passwd' '/files/%2E%2E%2Fetc%2Fpasswd' \
         '/files//etc/passwd' '/files/a%00b' '/files/..%2f..%2fetc%2fpasswd' '/files/.%2e/x' '/files/fsc-alice/%2e%2e'; do
    for m in GET PUT DELETE; do
        if [ $m = PUT ]; then r=$(req $a $m "$p" -T "$work/small"); else r=$(req $a $m "$p"); fi
        [ "${r%% *}" = 400 ] || { echo "  $m $p -> $r"; bad=$((bad + 1)); }
    done
done
sleep 0.3; kill "$strace_pid" 2>/dev/null; wait "$strace_pid" 2>/dev/null
# (The log line's timestamp makes glibc stat /etc/localtime: not a file of the request.)
touched=$(grep -v '"/etc/localtime"' "$trace" | grep -cE 'passwd|\.\.|"x"|a\\0b|%2' || true)
if [ $bad -eq 0 ] && [ "$touched" -eq 0 ]; then ok curl_traversal_is_refused_with_400_before_any_file_syscall
else fail curl_traversal_is_refused_with_400_before_any_file_syscall "$bad not 400, $touched syscalls"; grep -v '"/etc/localtime"' "$trace" | head -5; fi
ln -s /etc "$served/fsc-alice/out"
r=$(req $a GET /files/fsc-alice/out/hostname)
if [ "${r%% *}" = 400 ]; then ok curl_symlink_out_of_the_root_is_refused; else fail curl_symlink_out_of_the_root_is_refused "$r"; fi
rm "$served/fsc-alice/out"

# --- Expect: 100-continue (curl sends it with uploads over 1 KiB): 100 Continue comes before the body ---
head -c 4096 /dev/urandom >"$work/payload"
v=$(curl -s -v -o /dev/null -u "$a:${pass[$a]}" -T "$work/payload" --expect100-timeout 30 \
        "http://127.0.0.1:$port/files/fsc-alice/expect" 2>&1)
if grep -q '^> Expect: 100-continue' <<<"$v" && grep -q '^< HTTP/1.1 100 Continue' <<<"$v" \
   && grep -q '^< HTTP/1.1 201' <<<"$v" && cmp -s "$work/payload" "$served/fsc-alice/expect"; then
    ok curl_upload_with_expect_100_continue_is_not_delayed
else fail curl_upload_with_expect_100_continue_is_not_delayed "$(grep -E '^[<>] (HTTP|Expect)' <<<"$v" | tr '\n' ' ')"; fi

# --- 4 users x 10,000 mixed requests, 8 parallel transfers each ---
for u in "${users[@]}"; do
    cfg=$work/$u.curl
    : >"$cfg"
    for i in $(seq 0 9999); do
        printf 'url = "http://127.0.0.1:%s/files/%s/load-%d"\nuser = "%s:%s"\noutput = "/dev/null"\nwrite-out = "%%{http_code} %%header{x-served-as}\\n"\n' \
            "$port" "$u" $((i % 16)) "$u" "${pass[$u]}" >>"$cfg"
        if [ $((i % 2)) -eq 0 ]; then printf 'upload-file = "%s"\n' "$work/payload" >>"$cfg"; fi
        [ "$i" -lt 9999 ] && echo next >>"$cfg"
    done
done
# The first round of PUTs makes the files the GETs read.
for u in "${users[@]}"; do for i in $(seq 0 15); do req "$u" PUT "/files/$u/load-$i" -T "$work/payload" >/dev/null; done; done
start_ns=$(date +%s%N)
# (Wait for these curl processes only: a bare `wait` would also wait for the server. A load
# that stalls ends in a failure after 15 minutes, not in a hang.)
load_pids=()
for u in "${users[@]}"; do
    timeout 900 curl -s --parallel --parallel-max 8 -K "$work/$u.curl" >"$work/$u.out" 2>"$work/$u.err" & load_pids+=($!)
done
wait "${load_pids[@]}"
elapsed_ms=$(( ($(date +%s%N) - start_ns) / 1000000 ))
total=0 mismatches=0 errors=0
for u in "${users[@]}"; do
    n=$(wc -l <"$work/$u.out")
    m=$(awk -v want="${uid[$u]}" '$2 != want' "$work/$u.out" | wc -l)
    e=$(awk '$1 != 200 && $1 != 204' "$work/$u.out" | wc -l)
    total=$((total + n)); mismatches=$((mismatches + m)); errors=$((errors + e))
done
owners_ok=1
for u in "${users[@]}"; do
    [ -z "$(find "$served/$u" -name 'load-*' ! -uid "${uid[$u]}")" ] || owners_ok=0
done
echo "  curl load: $total requests in $elapsed_ms ms, $errors not 200/204, X-Served-As mismatches: $mismatches"
if [ $total -eq 40000 ] && [ $mismatches -eq 0 ] && [ $errors -eq 0 ] && [ $owners_ok -eq 1 ]; then
    ok curl_four_users_ten_thousand_mixed_requests_zero_mismatches
else fail curl_four_users_ten_thousand_mixed_requests_zero_mismatches; fi

# --- a user name with a newline (Basic credentials are the client's): one line, escaped ---
forged=$(printf 'x\n2026-01-01 info hostsec-fileserver method=DELETE user=fsc-alice:pw' | base64 -w0)
r=$(curl -s -o /dev/null -w '%{http_code}' -H "Authorization: Basic $forged" "http://127.0.0.1:$port/whoami")
if [ "$r" = 401 ] && ! grep -q '^2026-01-01 ' "$log" \
   && grep -qF 'user="x\n2026-01-01 info hostsec-fileserver method=DELETE user=fsc-alice"' "$log"; then
    ok a_user_name_with_a_newline_stays_on_one_log_line
else fail a_user_name_with_a_newline_stays_on_one_log_line "$r: $(grep -A1 'user=x' "$log" | head -3)"; fi

# --- the request log ---
lines=$(grep -c 'request' "$log" || true)
leaked=0
for u in "${users[@]}"; do grep -qF "${pass[$u]}" "$log" && leaked=1; done
if grep -q "user=\"$a\"" "$log" && grep -q 'method="PUT"' "$log" && grep -q 'status=403' "$log" && grep -q 'us=' "$log" \
   && [ "$lines" -ge 40000 ] && [ $leaked -eq 0 ] && ! grep -qi 'authorization' "$log"; then
    ok request_log_has_a_line_per_request_and_never_the_password
else fail request_log_has_a_line_per_request_and_never_the_password "lines $lines leaked $leaked"; fi

# --- graceful shutdown ---
kill -TERM "$server_pid"
for _ in $(seq 100); do kill -0 "$server_pid" 2>/dev/null || break; sleep 0.1; done
if ! kill -0 "$server_pid" 2>/dev/null && wait "$server_pid"; then
    grep 'stopped' "$log" | sed 's/^/  /'
    if grep -q 'mismatches=0' "$log" && grep -q 'credential_switches=' "$log"; then ok sigterm_stops_gracefully_and_reports_switches
    else fail sigterm_stops_gracefully_and_reports_switches "no final statistics"; fi
else fail sigterm_stops_gracefully_and_reports_switches "still running or bad status"; kill -9 "$server_pid"; fi
server_pid=

# --- SIGKILL in the middle of uploads ---
log2=$work/server2.log
start_server "$log2" || exit 1
head -c $((2 << 20)) /dev/urandom >"$work/v1"; head -c $((2 << 20)) /dev/urandom >"$work/v2"
for u in "${users[@]}"; do req "$u" PUT "/files/$u/big" -T "$work/v1" >/dev/null; done
pids=()
for u in "${users[@]}"; do
    # Streamed uploads (over the 1 MiB whole-body limit), slowed so they are in flight...
    curl -s -o /dev/null -u "$u:${pass[$u]}" -T "$work/v2" --limit-rate 1M "http://127.0.0.1:$port/files/$u/big" & pids+=($!)
    curl -s -o /dev/null -u "$u:${pass[$u]}" -T "$work/v2" --limit-rate 1M "http://127.0.0.1:$port/files/$u/fresh" & pids+=($!)
    # ...and a stream of small whole-body uploads.
    ( for i in $(seq 0 2000); do req "$u" PUT "/files/$u/small-$i" -T "$work/payload" >/dev/null || break; done ) & pids+=($!)
done
sleep 1.5
kill -9 "$server_pid"; wait "$server_pid" 2>/dev/null; server_pid=
interrupted=0
for p in "${pids[@]}"; do wait "$p" || interrupted=$((interrupted + 1)); done
partial=0 wrong_owner=0 files=0
while IFS= read -r f; do
    files=$((files + 1))
    u=$(basename "$(dirname "$f")")
    [ "$(stat -c %u "$f")" = "${uid[$u]}" ] || { wrong_owner=$((wrong_owner + 1)); echo "  owner: $f"; }
    if cmp -s "$f" "$work/v1" || cmp -s "$f" "$work/v2" || cmp -s "$f" "$work/payload"; then :; else
        partial=$((partial + 1)); echo "  partial: $f ($(stat -c %s "$f") bytes)"
    fi
done < <(find "$served" -mindepth 2 -type f \( -name 'big' -o -name 'fresh' -o -name 'small-*' -o -name '.hostsec-upload-*' \))
staged=$(find "$served" -name '.hostsec-upload-*' | wc -l)
big_interrupted=0
for u in "${users[@]}"; do cmp -s "$served/$u/big" "$work/v1" && big_interrupted=$((big_interrupted + 1)); done
echo "  after SIGKILL: $files files checked, $partial partial, $wrong_owner with a wrong owner, $staged staged names left, $big_interrupted of 4 big uploads cut off (old content kept)"
if [ $partial -eq 0 ] && [ $wrong_owner -eq 0 ] && [ $big_interrupted -ge 1 ] && [ $files -gt 4 ]; then
    ok sigkill_mid_load_leaves_no_partial_file_and_no_wrong_owner
else fail sigkill_mid_load_leaves_no_partial_file_and_no_wrong_owner; fi

# --- without CAP_SETUID/CAP_SETGID (root without them, or another account) the server
# refuses to start, saying why and what to do; with --no-impersonation it serves as itself ---
refused=0
pub=$(mktemp -d /tmp/file-server-pub.XXXXXX)  # where another account may run the binary
chmod 0755 "$pub"; cp "$bin" "$pub/"
for runner in "setpriv --inh-caps=-all --bounding-set=-setuid,-setgid --" \
              "setpriv --reuid=$b --regid=$(id -g $b) --clear-groups --inh-caps=-all --"; do
    # shellcheck disable=SC2086 # the runner is a command and its options
    msg=$(cd / && timeout 60 $runner "$pub/hostsec-fileserver" --root /tmp --port 0 2>&1) && rc=0 || rc=$?
    if [ "$rc" -ne 0 ] && [ "$rc" -ne 124 ] && grep -q 'CAP_SETUID and CAP_SETGID' <<<"$msg" \
       && grep -q -- '--no-impersonation' <<<"$msg" && ! grep -q 'listening' <<<"$msg"; then
        refused=$((refused + 1))
    else echo "  $runner: status $rc: $(head -3 <<<"$msg")"; fi
done
if [ $refused -eq 2 ]; then ok without_setuid_capability_the_server_refuses_to_start
else fail without_setuid_capability_the_server_refuses_to_start; fi
log3=$work/server3.log
server_args=(--no-impersonation)
start_server "$log3" setpriv --inh-caps=-all --bounding-set=-setuid,-setgid -- || exit 1
server_args=()
r1=$(req $a GET /whoami)
kill -TERM "$server_pid"; wait "$server_pid" 2>/dev/null; server_pid=
if [ "$r1" = "200 0" ]; then ok without_setuid_capability_no_impersonation_serves_as_the_process
else fail without_setuid_capability_no_impersonation_serves_as_the_process "$r1"; fi

# --- LOG_LEVEL=warning silences the request lines, not the listening and stopped lines
# (start_server reads the port from the listening line); a LOG_LEVEL that is no level is refused ---
log5=$work/server5.log
if LOG_LEVEL=warning start_server "$log5"; then
    r=$(req $a GET /whoami)
    kill -TERM "$server_pid"; wait "$server_pid" 2>/dev/null; server_pid=
    if [ "${r%% *}" = 200 ] && grep -q ' listening' "$log5" && grep -q ' stopped' "$log5" \
       && ! grep -q 'status=' "$log5"; then ok log_level_warning_keeps_the_listening_and_stopped_lines
    else fail log_level_warning_keeps_the_listening_and_stopped_lines "$r: $(cat "$log5")"; fi
else
    fail log_level_warning_keeps_the_listening_and_stopped_lines "no listening line"
    kill -9 "$server_pid"; wait "$server_pid" 2>/dev/null; server_pid=
fi
msg=$(LOG_LEVEL=bogus timeout 60 "$bin" --root "$served" --port 0 2>&1) && rc=0 || rc=$?
if [ "$rc" -ne 0 ] && [ "$rc" -ne 124 ] && grep -q 'LOG_LEVEL=bogus is not a level' <<<"$msg"; then ok log_level_that_is_no_level_is_refused
else fail log_level_that_is_no_level_is_refused "status $rc: $(head -2 <<<"$msg")"; fi

# --- a port already in use: the error names the port and the option ---
log6=$work/server6.log
start_server "$log6" || exit 1
msg=$(timeout 60 "$bin" --root "$served" --port "$port" 2>&1) && rc=0 || rc=$?
kill -TERM "$server_pid"; wait "$server_pid" 2>/dev/null; server_pid=
if [ "$rc" -ne 0 ] && [ "$rc" -ne 124 ] && grep -q "port $port on 127.0.0.1 is already in use" <<<"$msg" \
   && grep -q -- '--port' <<<"$msg"; then ok port_in_use_names_the_port_and_the_option
else fail port_in_use_names_the_port_and_the_option "status $rc: $msg"; fi

# --- 1,000 unfinished request heads, the server at 256 descriptors: others are still served,
# and every one of them is closed after the head timeout (2 s here) ---
log4=$work/server4.log
server_args=(--header-timeout 2)
start_server "$log4" prlimit --nofile=256:256 -- || exit 1
server_args=()
cat >"$work/hold.py" <<'PY'
import socket, select, sys, time
port, count, wait = int(sys.argv[1]), int(sys.argv[2]), float(sys.argv[3])
socks = []
for _ in range(count):
    s = socket.socket(); s.setblocking(False)
    try: s.connect(("127.0.0.1", port))
    except BlockingIOError: pass
    socks.append(s)
by_fd = {s.fileno(): s for s in socks}
poller = select.poll()
for fd in by_fd: poller.register(fd, select.POLLOUT)
sent, deadline = 0, time.time() + 10
while sent < count and time.time() < deadline:
    for fd, ev in poller.poll(500):
        poller.unregister(fd)
        try: by_fd[fd].send(b"GET /whoami HTTP/1.1\r\nHost: x\r\n")
        except OSError: pass
        sent += 1
print("holding", sent, flush=True)
start, open_ = time.time(), {s.fileno(): s for s in socks}
poller = select.poll()
for fd in open_: poller.register(fd, select.POLLIN)
while open_ and time.time() - start < wait:
    for fd, ev in poller.poll(200):
        try: data = open_[fd].recv(4096)
        except OSError: data = b""
        if not data: poller.unregister(fd); del open_[fd]
print("open_after", len(open_), flush=True)
PY
python3 "$work/hold.py" "$port" 1000 12 >"$work/hold.out" 2>&1 & hold_pid=$!
for _ in $(seq 100); do grep -q holding "$work/hold.out" && break; sleep 0.1; done
r=$(curl -s -o /dev/null --interface 127.0.0.2 -m 10 -u "$a:${pass[$a]}" -w '%{http_code}' "http://127.0.0.1:$port/whoami")
wait "$hold_pid"
kill -0 "$server_pid" 2>/dev/null && alive=1 || alive=0
kill -TERM "$server_pid"; wait "$server_pid" 2>/dev/null; server_pid=
echo "  $(tr '\n' ' ' <"$work/hold.out"); another client meanwhile: $r"
if [ "$r" = 200 ] && grep -q '^holding 1000' "$work/hold.out" && grep -q '^open_after 0$' "$work/hold.out" && [ "$alive" = 1 ]; then
    ok many_unfinished_requests_do_not_stop_service
else fail many_unfinished_requests_do_not_stop_service; fi

# --- the command line refuses what it cannot do ---
msg=$("$bin" --root "$served" --baseline-threads 2 2>&1) && rc=0 || rc=$?
if [ "$rc" -ne 0 ] && grep -q -- "--baseline-threads needs --no-impersonation" <<<"$msg"; then
    ok baseline_threads_without_no_impersonation_is_refused
else fail baseline_threads_without_no_impersonation_is_refused "status $rc: $msg"; fi

# --- the README's commands: each block starts where the previous one left the shell (a
# path it names exists there), and the start command says that the first build fetches packages ---
if python3 - "$root" <<'PY'
import os, re, shlex, sys
root = sys.argv[1]
text = open(os.path.join(root, "examples/file-server/README.md")).read()
blocks = re.findall(r"```sh\n(.*?)```", text, re.S)
cwd, bad = root, []
for block in blocks:
    for line in block.splitlines():
        for command in re.split(r"&&|;|\|\|", line):
            words = shlex.split(command, comments=True) if command.strip() else []
            if words[:1] == ["cd"] and len(words) == 2:
                cwd = os.path.normpath(os.path.join(cwd, words[1]))
                continue
            for i, word in enumerate(words):
                named = word.startswith(("scripts/", "examples/", "./", "../")) or (i > 0 and words[i - 1] == "--package-path")
                if named and not os.path.exists(os.path.join(cwd, word)):
                    bad.append(f"{word!r} from {os.path.relpath(cwd, root)}")
start = text[: text.index("```sh")]
if not re.search(r"first\s+build\s+fetches", start):
    bad.append("no word before the first command that the first build fetches packages")
print("\n".join("  " + b for b in bad))
sys.exit(1 if bad or not blocks else 0)
PY
then ok readme_commands_run_from_where_the_previous_left_the_shell
else fail readme_commands_run_from_where_the_previous_left_the_shell; fi

[ $failures -eq 0 ]
