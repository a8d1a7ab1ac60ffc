#!/usr/bin/env bash
# The headers are the contract: every function's and method's doc block lists every result it
# returns. A checker reads the doc blocks of hostsec.h and hostsec_win32.h; a probe calls every
# function and method with good and bad arguments in several thread states, from inside the
# library (as an interrupting signal handler would), and after the library closed, and the
# checker finds each result the library returned in that function's doc block (or, for a call
# from inside the library, in the "Common results" section the block refers to). The probe
# runs again without CAP_SETUID/CAP_SETGID, and against an altered header the checker must
# notice what is missing.
. "$(dirname "$0")/lib.sh" header-results
dir=$root/Tests/tools
headers=("$root/include/hostsec.h" "$root/include/hostsec_win32.h")

gcc -shared -fPIC -O2 -Wall -Wextra -Werror -o "$out/syscall-hook.so" "$root/Tests/c/syscall-hook.c" -ldl || {
    fail build "syscall-hook.so"
    finish
    exit
}

probe() {  # probe OUTPUT [COMMAND PREFIX...]: runs the probe, its lines into OUTPUT
    local output=$1
    shift
    mkdir -p "$out/scratch"
    "$@" env LD_PRELOAD="$out/syscall-hook.so" python3 "$dir/probe.py" "$lib/libhostsec.so.1" "${headers[@]}" \
        "$out/scratch" >"$output" 2>"$output.err"
}

every_function_and_method_has_a_doc_block_naming_its_results() {
    if python3 "$dir/check_results.py" "${headers[@]}" >"$out/static.txt" 2>&1 &&
        grep -q '^37 hostsec.h functions and methods, 63 HostSecW32_ functions documented$' "$out/static.txt"; then
        ok "${FUNCNAME[0]}"
    else
        fail "${FUNCNAME[0]}" "$(cat "$out/static.txt")"
    fi
}

every_result_a_call_returns_is_in_its_doc_block() {
    if ! probe "$out/probe.txt"; then
        fail "${FUNCNAME[0]}" "the probe failed: $(tail -5 "$out/probe.txt.err")"
        return
    fi
    local closed=1
    grep -q '^# closed phase skipped' "$out/probe.txt" && closed=0
    if python3 "$dir/check_results.py" "${headers[@]}" "$out/probe.txt" >"$out/check.txt" 2>&1 &&
        grep -q $'^HostSec_CloseHandle\tHOST_E_INVALIDOPERATION\treentry$' "$out/probe.txt" &&
        grep -q $'^HostSecW32_CloseHandle\tERROR_INVALID_OPERATION\treentry$' "$out/probe.txt" &&
        { [ $closed -eq 0 ] || grep -q $'^IHostSecurityManager::OpenThreadToken\tHOST_E_CLRNOTAVAILABLE\tclosed$' "$out/probe.txt"; }; then
        ok "${FUNCNAME[0]}"
        [ $closed -eq 1 ] || echo "  (the closed phase was left out: it needs CAP_SETUID/CAP_SETGID)"
    else
        fail "${FUNCNAME[0]}" "$(cat "$out/check.txt")"
    fi
}

every_result_without_setuid_is_in_its_doc_block() {
    if [ "$(id -u)" -ne 0 ] || ! command -v setpriv >/dev/null; then
        echo "skip ${FUNCNAME[0]}: needs root and setpriv to drop CAP_SETUID/CAP_SETGID (this run is unprivileged already)"
        return
    fi
    if ! probe "$out/unprivileged.txt" setpriv --bounding-set -setuid,-setgid --inh-caps -setuid,-setgid --; then
        fail "${FUNCNAME[0]}" "the probe failed: $(tail -5 "$out/unprivileged.txt.err")"
        return
    fi
    if python3 "$dir/check_results.py" "${headers[@]}" "$out/unprivileged.txt" >"$out/check-unprivileged.txt" 2>&1 &&
        grep -q '^# closed phase skipped' "$out/unprivileged.txt" &&
        grep -q $'^IHostSecurityManager::ImpersonateLoggedOnUser\tHRESULT_FROM_WIN32(ERROR_PRIVILEGE_NOT_HELD)\tcall$' \
            "$out/unprivileged.txt"; then
        ok "${FUNCNAME[0]}"
    else
        fail "${FUNCNAME[0]}" "$(cat "$out/check-unprivileged.txt")"
    fi
}

checker_reports_a_result_missing_from_a_doc_block() {
    # HostSec_GetStatistics loses E_POINTER, HostSec_CloseHandle its Common results, and
    # HostSec_LogonUser names a code the library never returns.
    sed -e 's|^/\*\* Fills \*stats with what is alive now. S_OK; E_POINTER (stats NULL).|/** Fills *stats with what is alive now. S_OK.|' \
        -e '/^ \*  or forged). Works after the library closed.$/{n;s/ Common results\.//}' \
        -e 's|^ \*  S_OK; E_POINTER (userName or phToken NULL); HRESULT_FROM_WIN32(ERROR_NONE_MAPPED) (no such$| *  S_OK; E_NOTIMPL; E_POINTER (userName or phToken NULL); HRESULT_FROM_WIN32(ERROR_NONE_MAPPED) (no such|' \
        "$root/include/hostsec.h" >"$out/altered.h"
    local observed=$out/probe.txt
    [ -s "$observed" ] || { fail "${FUNCNAME[0]}" "no probe output to check against"; return; }
    python3 "$dir/check_results.py" "$out/altered.h" "${headers[1]}" "$observed" >"$out/altered.txt" 2>&1
    checker_found "${FUNCNAME[0]}" $? "$out/altered.txt" \
        '^UNDOCUMENTED HostSec_GetStatistics: returned E_POINTER (call), which its doc block does not list$' \
        '^UNDOCUMENTED HostSec_CloseHandle: returned HOST_E_INVALIDOPERATION (reentry), which its doc block does not list$' \
        '^UNDOCUMENTED HostSec_LogonUser: names E_NOTIMPL, which the library never returns'
}

every_function_and_method_has_a_doc_block_naming_its_results
every_result_a_call_returns_is_in_its_doc_block
every_result_without_setuid_is_in_its_doc_block
checker_reports_a_result_missing_from_a_doc_block
finish
