#!/usr/bin/env bash
# Where trace output may go. HOSTSEC_TRACE and HostSec_SetTrace open their file without
# following a symbolic link at the last component, without trusting a link another user owns in
# a world-writable sticky directory (anywhere in the path), without blocking, and accept only a
# regular file with one link, a terminal or /dev/null; HOSTSEC_TRACE is ignored in a
# secure-execution process (set-user-ID, file capabilities). A refused HOSTSEC_TRACE is reported
# once on stderr with the path and the reason. Tests/c/trace-destination/traced-call.c makes
# one traced call. "Another user" is nobody (setpriv); the library and the host are staged in a
# directory under /tmp that nobody can read, and the set-user-ID copy is made there.
. "$(dirname "$0")/lib.sh" trace-destination
skip() { echo "skip $1 ($2)"; }
is_root=0; [ "$(id -u)" -eq 0 ] && is_root=1

stage=$(mktemp -d /tmp/hostsec-trace.XXXXXX) || exit 1
trap 'rm -rf "$stage"' EXIT
chmod 755 "$stage"
cp "$lib/libhostsec.so" "$stage/" && ln -s libhostsec.so "$stage/libhostsec.so.1"
gcc -std=c11 -Wall -Wextra -Werror -D_GNU_SOURCE -I"$root/include" -I"$root/Tests/c" \
    "$root/Tests/c/trace-destination/traced-call.c" -L"$stage" -lhostsec -Wl,-rpath,"$stage" \
    -o "$stage/traced-call" 2>"$out/build.err" || { fail build "$(cat "$out/build.err")"; exit 1; }
host=$stage/traced-call
mkdir -m 1777 "$stage/sticky"
mkdir -m 700 "$stage/rootonly"
mkdir -p "$out/protected" && chmod 700 "$out/protected"
as_nobody() { setpriv --reuid="$(id -u nobody)" --regid="$(id -g nobody)" --clear-groups -- "$@"; }

# run NAME [HOSTSEC_TRACE value] [host arguments...]: stdout in $out/NAME.out, stderr in
# $out/NAME.err, exit status in $status (124: the host was still running after 20 s).
run() {
    local name=$1 value=$2; shift 2
    HOSTSEC_TRACE=$value timeout 20 "$host" "$@" >"$out/$name.out" 2>"$out/$name.err"
    status=$?
}
traced_lines() { grep -c '^hostsec\[[0-9]*\] IHostSecurityManager::OpenThreadToken' "$1"; }
refused() {  # refused FILE PATH REASON: the one report of a refused HOSTSEC_TRACE
    [ "$(grep -c '^hostsec: HOSTSEC_TRACE' "$1")" -eq 1 ] &&
        grep -qF "hostsec: HOSTSEC_TRACE=$2 refused: $3; tracing to stderr" "$1"
}

a_symlink_planted_as_the_trace_file_is_refused() {
    if [ $is_root -eq 0 ]; then skip "${FUNCNAME[0]}" "needs root to act as another user"; return; fi
    echo "root's file" >"$out/protected/victim"
    as_nobody ln -s "$out/protected/victim" "$stage/sticky/trace.log"
    run planted "$stage/sticky/trace.log"
    if [ "$status" -eq 0 ] && [ "$(cat "$out/protected/victim")" = "root's file" ] &&
        refused "$out/planted.err" "$stage/sticky/trace.log" "a symbolic link (never followed)" &&
        [ "$(traced_lines "$out/planted.err")" -eq 1 ]; then
        ok "${FUNCNAME[0]}"
    else
        fail "${FUNCNAME[0]}" "status $status; victim: $(head -c 300 "$out/protected/victim"); stderr: $(head -c 300 "$out/planted.err")"
    fi
}

a_directory_link_another_user_planted_in_a_sticky_directory_is_refused() {
    if [ $is_root -eq 0 ]; then skip "${FUNCNAME[0]}" "needs root to act as another user"; return; fi
    as_nobody ln -s "$out/protected" "$stage/sticky/logs"
    run planted-dir "$stage/sticky/logs/trace.log"
    if [ ! -e "$out/protected/trace.log" ] &&
        refused "$out/planted-dir.err" "$stage/sticky/logs/trace.log" \
            "a symbolic link in a world-writable sticky directory, owned by another user"; then
        ok "${FUNCNAME[0]}"
    else
        fail "${FUNCNAME[0]}" "$(ls -l "$out/protected"); stderr: $(head -c 300 "$out/planted-dir.err")"
    fi
}

another_users_file_in_a_sticky_directory_is_refused() {
    if [ $is_root -eq 0 ]; then skip "${FUNCNAME[0]}" "needs root to act as another user"; return; fi
    as_nobody touch "$stage/sticky/theirs.log"
    run theirs "$stage/sticky/theirs.log"
    if [ ! -s "$stage/sticky/theirs.log" ] &&
        refused "$out/theirs.err" "$stage/sticky/theirs.log" "a file in a world-writable sticky directory, owned by another user"; then
        ok "${FUNCNAME[0]}"
    else
        fail "${FUNCNAME[0]}" "size $(stat -c %s "$stage/sticky/theirs.log"); stderr: $(head -c 300 "$out/theirs.err")"
    fi
}

a_file_with_another_hard_link_is_refused() {
    echo "another name's content" >"$out/linked"
    ln "$out/linked" "$out/hardlink"
    run hardlink "$out/hardlink"
    if [ "$(cat "$out/linked")" = "another name's content" ] &&
        refused "$out/hardlink.err" "$out/hardlink" "a file with more than one hard link"; then
        ok "${FUNCNAME[0]}"
    else
        fail "${FUNCNAME[0]}" "$(head -c 300 "$out/hardlink.err")"
    fi
}

a_fifo_without_a_reader_never_blocks_the_traced_call() {
    mkfifo "$out/fifo"
    run fifo "$out/fifo"
    if [ "$status" -eq 0 ] && grep -q '^OpenThreadToken: ' "$out/fifo.out" &&
        refused "$out/fifo.err" "$out/fifo" "not a regular file"; then
        ok "${FUNCNAME[0]}"
    else
        fail "${FUNCNAME[0]}" "status $status (124: hung); stderr: $(head -c 300 "$out/fifo.err")"
    fi
}

a_directory_is_refused() {
    mkdir "$out/a-directory"
    run directory "$out/a-directory"
    refused "$out/directory.err" "$out/a-directory" "not a regular file" && ok "${FUNCNAME[0]}" ||
        fail "${FUNCNAME[0]}" "$(head -c 300 "$out/directory.err")"
}

an_unwritable_path_is_reported_with_path_and_reason() {
    if [ $is_root -eq 0 ]; then skip "${FUNCNAME[0]}" "needs root to act as another user"; return; fi
    HOSTSEC_TRACE=$stage/rootonly/trace.log as_nobody timeout 20 "$host" >"$out/unwritable.out" 2>"$out/unwritable.err"
    if refused "$out/unwritable.err" "$stage/rootonly/trace.log" "Permission denied" &&
        [ "$(traced_lines "$out/unwritable.err")" -eq 1 ]; then
        ok "${FUNCNAME[0]}"
    else
        fail "${FUNCNAME[0]}" "$(head -c 300 "$out/unwritable.err")"
    fi
}

# A copy of the host that runs with more privilege than its caller: set-user-ID root, run as
# nobody (AT_SECURE is set); where the file system does not honour set-user-ID, a copy with
# the file capability CAP_DAC_OVERRIDE instead. Either could write the root-only directory.
a_privileged_host_ignores_hostsec_trace_from_its_caller() {
    if [ $is_root -eq 0 ]; then skip "${FUNCNAME[0]}" "needs root to make a set-user-ID copy"; return; fi
    local copy=$stage/traced-call-privileged how="set-user-ID root"
    cp "$host" "$copy" && chown root:root "$copy" && chmod 4755 "$copy"
    HOSTSEC_TRACE=$stage/rootonly/setuid.log as_nobody timeout 20 "$copy" >"$out/setuid.out" 2>"$out/setuid.err"
    if ! grep -q '^euid=0 secure=1$' "$out/setuid.out"; then
        how="file capability cap_dac_override"
        chmod 755 "$copy" && setcap cap_dac_override+ep "$copy" || { fail "${FUNCNAME[0]}" "neither set-user-ID nor setcap works here"; return; }
        HOSTSEC_TRACE=$stage/rootonly/setuid.log as_nobody timeout 20 "$copy" >"$out/setuid.out" 2>"$out/setuid.err"
    fi
    if grep -q 'secure=1$' "$out/setuid.out" && grep -q '^OpenThreadToken: ' "$out/setuid.out" &&
        [ ! -e "$stage/rootonly/setuid.log" ] && [ "$(traced_lines "$out/setuid.err")" -eq 0 ] &&
        grep -q '^hostsec: HOSTSEC_TRACE ignored: ' "$out/setuid.err"; then
        ok "${FUNCNAME[0]} ($how)"
    else
        fail "${FUNCNAME[0]}" "$how: $(cat "$out/setuid.out"); $(ls -l "$stage/rootonly"); stderr: $(head -c 300 "$out/setuid.err")"
    fi
}

# not_a_destination FILE SHOWN: the one report of a HOSTSEC_TRACE value that is neither 1,
# stderr, 0, empty nor a path with a '/' (SHOWN: the value as the report escapes it).
not_a_destination() {
    [ "$(grep -c '^hostsec: HOSTSEC_TRACE' "$1")" -eq 1 ] &&
        grep -qF "hostsec: HOSTSEC_TRACE=$2 is not a destination: use 1 or stderr, 0 or empty for off, or a path with a '/' (./NAME for a file in the current directory); tracing is off" "$1"
}

# rejected DIR VALUE SHOWN: run in the empty folder DIR with HOSTSEC_TRACE=VALUE; true when
# nothing was created there, nothing was traced and the one report names SHOWN.
rejected() {
    (cd "$1" && HOSTSEC_TRACE=$2 timeout 20 "$host" >"$out/word.out" 2>"$out/word.err")
    [ -z "$(ls -A "$1")" ] && [ "$(traced_lines "$out/word.err")" -eq 0 ] && not_a_destination "$out/word.err" "$3"
}

a_boolean_word_is_rejected_and_creates_no_file() {
    mkdir "$out/words"
    local word bad=""
    for word in yes no true false on off YES True; do
        rejected "$out/words" "$word" "$word" || bad="$bad $word: $(ls -A "$out/words") $(head -c 200 "$out/word.err");"
        rm -rf "${out:?}/words/"* "$out/words/".[!.]* 2>/dev/null
    done
    [ -z "$bad" ] && ok "${FUNCNAME[0]}" || fail "${FUNCNAME[0]}" "$bad"
}

# Values that are almost 1 or stderr, and bare names: never a file in the current directory
# (THREATS.md: values that are almost right are errors, not file names). The report escapes
# what it shows. "./NAME" and absolute paths are files.
almost_right_trace_values_are_errors_not_file_names() {
    mkdir "$out/near"
    local value bad=""
    for value in Stderr ' 1' '1 ' 'stderr ' STDOUT stdout - 2 trace.log .trace 'std err'; do
        rejected "$out/near" "$value" "$value" || bad="$bad [$value]: $(ls -A "$out/near") $(head -c 200 "$out/word.err");"
        rm -rf "${out:?}/near/"* "$out/near/".[!.]* 2>/dev/null
    done
    rejected "$out/near" $'log\n\e[1m' 'log\x0a\x1b[1m' || bad="$bad [control bytes]: $(head -c 200 "$out/word.err" | od -c | head -3);"
    rm -rf "${out:?}/near/"* 2>/dev/null
    (cd "$out/near" && HOSTSEC_TRACE=./trace.log timeout 20 "$host" >/dev/null 2>"$out/near-dot.err")
    [ "$(traced_lines "$out/near/trace.log" 2>/dev/null)" = 1 ] || bad="$bad ./trace.log was not traced to: $(ls -A "$out/near");"
    [ -z "$bad" ] && ok "${FUNCNAME[0]}" || fail "${FUNCNAME[0]}" "$bad"
}

one_and_stderr_trace_to_stderr() {
    run one 1
    run stderr stderr
    [ "$(traced_lines "$out/one.err")" -eq 1 ] && [ "$(traced_lines "$out/stderr.err")" -eq 1 ] &&
        ! grep -q '^hostsec: ' "$out/one.err" && ok "${FUNCNAME[0]}" || fail "${FUNCNAME[0]}" "$(head -c 300 "$out/one.err")"
}

relative_paths_and_links_the_user_owns_are_followed() {
    mkdir -p "$out/real/sub"
    ln -s real "$out/linkdir"
    ln -s "$out/real" "$stage/sticky/mine"
    (cd "$out/real/sub" && HOSTSEC_TRACE=../relative.log timeout 20 "$host" >/dev/null 2>"$out/relative.err")
    run linked "$out/linkdir/linked.log"
    run sticky-own "$stage/sticky/mine/own.log"
    if [ "$(traced_lines "$out/real/relative.log")" -eq 1 ] && [ "$(traced_lines "$out/real/linked.log")" -eq 1 ] &&
        [ "$(traced_lines "$out/real/own.log")" -eq 1 ] && [ "$(stat -c %a "$out/real/own.log")" = 600 ]; then
        ok "${FUNCNAME[0]}"
    else
        fail "${FUNCNAME[0]}" "$(ls -l "$out/real"); $(cat "$out/relative.err" "$out/linked.err" "$out/sticky-own.err" | head -c 300)"
    fi
}

a_terminal_and_dev_null_are_accepted() {
    local tty_out
    tty_out=$(HOSTSEC_TRACE=/dev/tty script -qec "$host" /dev/null </dev/null 2>&1)
    run null /dev/null
    if grep -q 'IHostSecurityManager::OpenThreadToken' <<<"$tty_out" && ! grep -q 'refused' <<<"$tty_out" &&
        [ ! -s "$out/null.err" ]; then
        ok "${FUNCNAME[0]}"
    else
        fail "${FUNCNAME[0]}" "$(head -c 300 <<<"$tty_out") / $(head -c 300 "$out/null.err")"
    fi
}

set_trace_applies_the_same_rules() {
    echo "root's file" >"$out/protected/victim2"
    ln -s "$out/protected/victim2" "$out/set-link"
    mkfifo "$out/set-fifo"
    local bad=""
    run set-link "" "$out/set-link"
    grep -q '^SetTrace: E_ACCESSDENIED$' "$out/set-link.out" || bad="$bad link: $(cat "$out/set-link.out");"
    run set-fifo "" "$out/set-fifo"
    { [ "$status" -eq 0 ] && grep -q '^SetTrace: E_ACCESSDENIED$' "$out/set-fifo.out"; } || bad="$bad fifo: status $status;"
    run set-dir "" "$out"
    grep -q '^SetTrace: E_ACCESSDENIED$' "$out/set-dir.out" || bad="$bad directory: $(cat "$out/set-dir.out");"
    run set-null "" /dev/null
    grep -q '^SetTrace: S_OK$' "$out/set-null.out" || bad="$bad /dev/null: $(cat "$out/set-null.out");"
    run set-file "" "$out/set.log"
    { grep -q '^SetTrace: S_OK$' "$out/set-file.out" && [ "$(traced_lines "$out/set.log")" -eq 1 ]; } || bad="$bad file;"
    [ "$(cat "$out/protected/victim2")" = "root's file" ] || bad="$bad the link's target was written;"
    grep -q '^hostsec: ' "$out"/set-*.err && bad="$bad SetTrace wrote to stderr;"
    [ -z "$bad" ] && ok "${FUNCNAME[0]}" || fail "${FUNCNAME[0]}" "$bad"
}

a_symlink_planted_as_the_trace_file_is_refused
a_directory_link_another_user_planted_in_a_sticky_directory_is_refused
another_users_file_in_a_sticky_directory_is_refused
a_file_with_another_hard_link_is_refused
a_fifo_without_a_reader_never_blocks_the_traced_call
a_directory_is_refused
an_unwritable_path_is_reported_with_path_and_reason
a_privileged_host_ignores_hostsec_trace_from_its_caller
a_boolean_word_is_rejected_and_creates_no_file
almost_right_trace_values_are_errors_not_file_names
one_and_stderr_trace_to_stderr
relative_paths_and_links_the_user_owns_are_followed
a_terminal_and_dev_null_are_accepted
set_trace_applies_the_same_rules
finish
