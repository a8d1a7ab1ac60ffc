#!/usr/bin/env bash
# The call tracer's log: Tests/c/tracer/scenario.c runs with HOSTSEC_TRACE set to a file, and
# the log must equal Tests/sh/expected/tracer.log once what changes from run to run is
# masked: each distinct pointer or handle value becomes #1, #2, ... in order of first
# appearance (so "the same proxy" and "the same handle" stay visible), each thread id T1,
# T2, ..., durations "(T us)", nobody's uid NOBODY. Needs root (CAP_SETUID/CAP_SETGID): the
# expected log shows SecurityImpersonation, which an unprivileged process does not get.
. "$(dirname "$0")/lib.sh" tracer
nobody=$(id -u nobody)

mask() {
    awk -v nobody="$nobody" '
    {
        line = $0; result = ""
        while (match(line, /0x[0-9a-f]+|hostsec\[[0-9]+\]|\([0-9]+\.[0-9][0-9][0-9] us\)|uid=[0-9]+/)) {
            token = substr(line, RSTART, RLENGTH)
            if (token ~ /^0x/) { if (!(token in ptr)) ptr[token] = "#" (++nptr); token = ptr[token] }
            else if (token ~ /^hostsec/) { if (!(token in tid)) tid[token] = "hostsec[T" (++ntid) "]"; token = tid[token] }
            else if (token ~ /^\(/) token = "(T us)"
            else if (token == "uid=" nobody) token = "uid=NOBODY"
            result = result substr(line, 1, RSTART - 1) token
            line = substr(line, RSTART + RLENGTH)
        }
        print result line
    }'
}

gcc -std=c11 -Wall -Wextra -Werror -pthread -I"$root/include" "$root/Tests/c/tracer/scenario.c" \
    -L"$lib" -lhostsec -Wl,-rpath,"$lib" -o "$out/scenario" 2>"$out/build.err" ||
    { fail build "$(cat "$out/build.err")"; exit 1; }

trace_log_matches_the_expected_log() {
    if [ "$(id -u)" -ne 0 ]; then echo "skip ${FUNCNAME[0]} (needs root)"; return; fi
    HOSTSEC_TRACE="$out/trace.log" "$out/scenario" >"$out/stdout.txt" 2>&1
    mask <"$out/trace.log" >"$out/masked.log"
    if diff -u "$root/Tests/sh/expected/tracer.log" "$out/masked.log" >"$out/trace.diff" &&
        [ "$(cat "$out/stdout.txt")" = "DllCanUnloadNow: S_OK" ]; then
        ok "${FUNCNAME[0]}"
    else
        fail "${FUNCNAME[0]}" "$(cat "$out/stdout.txt" "$out/trace.diff")"
    fi
}

trace_to_stderr_with_one() {
    HOSTSEC_TRACE=1 "$out/scenario" >"$out/stderr-1.txt" 2>&1
    HOSTSEC_TRACE=stderr "$out/scenario" >"$out/stderr-name.txt" 2>&1
    local a b
    a=$(grep -c '^hostsec\[[0-9]*\] I[A-Za-z]*::[A-Za-z]*(this=0x' "$out/stderr-1.txt")
    b=$(grep -c '^hostsec\[[0-9]*\] I[A-Za-z]*::[A-Za-z]*(this=0x' "$out/stderr-name.txt")
    [ "$a" -eq 31 ] && [ "$b" -eq 31 ] && ok "${FUNCNAME[0]}" || fail "${FUNCNAME[0]}" "lines: $a, $b"
}

no_trace_when_unset_empty_or_zero() {
    local out1 out2 out3
    out1=$(env -u HOSTSEC_TRACE "$out/scenario" 2>&1)
    out2=$(HOSTSEC_TRACE='' "$out/scenario" 2>&1)
    out3=$(HOSTSEC_TRACE=0 "$out/scenario" 2>&1)
    local want="DllCanUnloadNow: S_OK"
    [ "$out1" = "$want" ] && [ "$out2" = "$want" ] && [ "$out3" = "$want" ] && ok "${FUNCNAME[0]}" ||
        fail "${FUNCNAME[0]}" "$out1 / $out2 / $out3"
}

trace_file_is_appended_not_truncated() {
    rm -f "$out/twice.log"
    HOSTSEC_TRACE="$out/twice.log" "$out/scenario" >/dev/null 2>&1
    HOSTSEC_TRACE="$out/twice.log" "$out/scenario" >/dev/null 2>&1
    local n
    n=$(wc -l <"$out/twice.log")
    [ "$n" -eq 78 ] && ok "${FUNCNAME[0]}" || fail "${FUNCNAME[0]}" "$n lines"
}

unopenable_trace_file_falls_back_to_stderr_with_a_note() {
    HOSTSEC_TRACE=/nonexistent-hostsec-dir/trace.log "$out/scenario" >"$out/fallback.txt" 2>&1
    if [ "$(grep -cF 'hostsec: HOSTSEC_TRACE=/nonexistent-hostsec-dir/trace.log refused: No such file or directory; tracing to stderr' "$out/fallback.txt")" -eq 1 ] &&
        [ "$(grep -c '^hostsec\[' "$out/fallback.txt")" -eq 39 ]; then
        ok "${FUNCNAME[0]}"
    else
        fail "${FUNCNAME[0]}" "$(head -3 "$out/fallback.txt")"
    fi
}

# Every flat function is traced with its arguments decoded by their value kinds, and the
# functions whose results are not HRESULTs show them as they are (a number, a string).
flat_functions_are_traced_with_decoded_arguments() {
    gcc -std=c11 -Wall -Wextra -Werror -I"$root/include" "$root/Tests/c/tracer/flat.c" \
        -L"$lib" -lhostsec -Wl,-rpath,"$lib" -o "$out/flat" 2>"$out/flat-build.err" ||
        { fail "${FUNCNAME[0]}" "$(cat "$out/flat-build.err")"; return; }
    rm -f "$out/flat.log"
    HOSTSEC_TRACE="$out/flat.log" "$out/flat" >"$out/flat.txt" 2>&1
    mask <"$out/flat.log" | sed -E 's/uid=[0-9]+/uid=ME/g' >"$out/flat-masked.log"
    if diff -u "$root/Tests/sh/expected/tracer-flat.log" "$out/flat-masked.log" >"$out/flat.diff"; then
        ok "${FUNCNAME[0]}"
    else
        fail "${FUNCNAME[0]}" "$(cat "$out/flat.txt" "$out/flat.diff")"
    fi
}

# A logon through the fuzz service (pam_unix without failure delay) of an account made here:
# each call is one line, the password is *** (and its bytes appear nowhere in the log), the
# user name is quoted byte for byte.
logon_is_traced_with_the_password_masked() {
    if [ "$(id -u)" -ne 0 ]; then echo "skip ${FUNCNAME[0]} (needs root to make an account)"; return; fi
    gcc -std=c11 -Wall -Wextra -Werror -I"$root/include" "$root/Tests/c/tracer/logon.c" \
        -L"$lib" -lhostsec -Wl,-rpath,"$lib" -o "$out/logon" 2>"$out/logon-build.err" ||
        { fail "${FUNCNAME[0]}" "$(cat "$out/logon-build.err")"; return; }
    local user=hstr$$ secret
    secret=$(random_password)
    # shellcheck disable=SC2064 # the account's name now: $user is local
    trap "userdel $user 2>/dev/null; forget_failures $user" EXIT
    useradd -M -s /bin/sh "$user" && echo "$user:$secret" | chpasswd -c YESCRYPT
    rm -f "$out/logon.log"
    HOSTSEC_PAM_SERVICE=hostsec-fuzz HOSTSEC_TRACE="$out/logon.log" "$out/logon" "$user" "$secret" >"$out/logon.txt" 2>&1
    userdel "$user"
    mask <"$out/logon.log" | sed "s/$user/USER/" >"$out/logon-masked.log"
    cat >"$out/logon-expected.log" <<'EOF2'
hostsec[T1] HostSec_LogonUserWithPassword(userName="USER", password=***, phToken=out) = S_OK; *phToken=#1 {primary uid=UID} (T us)
hostsec[T1] HostSec_HResultName(hr=S_OK) = "S_OK" (T us)
hostsec[T1] HostSec_CloseHandle(hObject=#1 {primary uid=UID}) = S_OK (T us)
hostsec[T1] HostSec_LogonUserWithPassword(userName="USER", password=***, phToken=out) = HRESULT_FROM_WIN32(ERROR_LOGON_FAILURE); *phToken=NULL (T us)
hostsec[T1] HostSec_HResultName(hr=HRESULT_FROM_WIN32(ERROR_LOGON_FAILURE)) = "HRESULT_FROM_WIN32(ERROR_LOGON_FAILURE)" (T us)
hostsec[T1] HostSec_LogonUserWithPassword(userName="hs-no-such-\xe9\"user", password=***, phToken=out) = HRESULT_FROM_WIN32(ERROR_LOGON_FAILURE); *phToken=NULL (T us)
hostsec[T1] HostSec_HResultName(hr=HRESULT_FROM_WIN32(ERROR_LOGON_FAILURE)) = "HRESULT_FROM_WIN32(ERROR_LOGON_FAILURE)" (T us)
hostsec[T1] HostSec_LogonUserWithPassword(userName="USER", password=NULL, phToken=out) = E_POINTER; *phToken=NULL (T us)
hostsec[T1] HostSec_HResultName(hr=E_POINTER) = "E_POINTER" (T us)
EOF2
    sed -i 's/{primary uid=[0-9]*}/{primary uid=UID}/' "$out/logon-masked.log"
    if diff -u "$out/logon-expected.log" "$out/logon-masked.log" >"$out/logon.diff" &&
        ! grep -q "$secret\|wrong-Pw" "$out/logon.log" &&
        [ "$(cat "$out/logon.txt")" = $'S_OK\nHRESULT_FROM_WIN32(ERROR_LOGON_FAILURE)\nHRESULT_FROM_WIN32(ERROR_LOGON_FAILURE)\nE_POINTER' ]; then
        ok "${FUNCNAME[0]}"
    else
        fail "${FUNCNAME[0]}" "$(cat "$out/logon.txt" "$out/logon.diff")"
    fi
}

trace_log_matches_the_expected_log
flat_functions_are_traced_with_decoded_arguments
logon_is_traced_with_the_password_masked
trace_to_stderr_with_one
no_trace_when_unset_empty_or_zero
trace_file_is_appended_not_truncated
unopenable_trace_file_falls_back_to_stderr_with_a_note
finish
