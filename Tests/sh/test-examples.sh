#!/usr/bin/env bash
# Builds each program in examples/ the way its header comment says, runs it, and checks the
# lines that show what it demonstrates.
. "$(dirname "$0")/lib.sh" examples
flags=(-Wall -Wextra -Werror -I"$root/include")

# expect NAME OUTPUT LINE...: every LINE must be a whole line of OUTPUT, in this order.
expect() {
    local name=$1 output=$2 line i=0; shift 2
    local want=("$@")
    while IFS= read -r line; do
        [ "$i" -lt ${#want[@]} ] && [ "$line" = "${want[$i]}" ] && i=$((i + 1))
    done <<<"$output"
    if [ "$i" -eq ${#want[@]} ]; then
        ok "$name"
    else
        fail "$name" "missing or out of order: '${want[$i]}'"$'\n'"$output"
    fi
}

no_token='HRESULT_FROM_WIN32(ERROR_NO_TOKEN)'

linked_host_shows_token_before_and_after_impersonation() {
    gcc "${flags[@]}" "$root/examples/host-linked.c" -L"$lib" -lhostsec -Wl,-rpath,"$lib" \
        -o "$out/host-linked" 2>"$out/host-linked.log" || { fail "${FUNCNAME[0]}" "$(cat "$out/host-linked.log")"; return; }
    local got
    got=$("$out/host-linked" 2>&1) || { fail "${FUNCNAME[0]}" "exit status $?: $got"; return; }
    expect "${FUNCNAME[0]}" "$got" \
        "DllGetClassObject: S_OK" \
        "CreateInstance: S_OK" \
        "OpenThreadToken before: $no_token" \
        "HostSec_ImpersonateSelf: S_OK" \
        "OpenThreadToken after: S_OK" \
        "  TokenUser: uid $(id -u)" \
        "HostSec_CloseHandle: S_OK" \
        "RevertToSelf: S_OK" \
        "Release: 0" \
        "DllCanUnloadNow: S_OK"
    grep -qE '^  TokenStatistics: impersonation token, level 2, token id [1-9][0-9]*$' <<<"$got" ||
        fail "${FUNCNAME[0]}_statistics" "$got"
}

dlopen_host_reloads_after_dlclose() {
    gcc "${flags[@]}" "$root/examples/host-dlopen.c" -ldl -o "$out/host-dlopen" \
        2>"$out/host-dlopen.log" || { fail "${FUNCNAME[0]}" "$(cat "$out/host-dlopen.log")"; return; }
    # Not linked against the library: it must not be NEEDED.
    if readelf -d "$out/host-dlopen" | grep -q 'libhostsec'; then
        fail "${FUNCNAME[0]}" "host-dlopen links libhostsec"; return
    fi
    local got r lines=()
    got=$(LD_LIBRARY_PATH="$lib" "$out/host-dlopen" 2>&1) || { fail "${FUNCNAME[0]}" "exit status $?: $got"; return; }
    for r in 1 2; do
        lines+=("round $r: GetHostManager: S_OK"
                "round $r: OpenThreadToken before: $no_token"
                "round $r: OpenThreadToken after: S_OK"
                "round $r: RevertToSelf: S_OK"
                "round $r: DllCanUnloadNow: S_OK"
                "round $r: resident after dlclose: yes")
    done
    expect "${FUNCNAME[0]}" "$got" "${lines[@]}"
}

cpp_host_calls_methods_and_flows_a_context() {
    g++ "${flags[@]}" "$root/examples/host-cpp.cpp" -L"$lib" -lhostsec -Wl,-rpath,"$lib" \
        -o "$out/host-cpp" 2>"$out/host-cpp.log" || { fail "${FUNCNAME[0]}" "$(cat "$out/host-cpp.log")"; return; }
    local got
    got=$("$out/host-cpp" 2>&1) || { fail "${FUNCNAME[0]}" "exit status $?: $got"; return; }
    expect "${FUNCNAME[0]}" "$got" \
        "QueryInterface(IID_IUnknown): S_OK, same object: yes" \
        "OpenThreadToken before: $no_token" \
        "OpenThreadToken impersonating: S_OK" \
        "GetSecurityContext: S_OK" \
        "RevertToSelf: S_OK" \
        "OpenThreadToken reverted: $no_token" \
        "SetSecurityContext: S_OK" \
        "OpenThreadToken restored: S_OK" \
        "Release: 0"
}

linked_host_shows_token_before_and_after_impersonation
dlopen_host_reloads_after_dlclose
cpp_host_calls_methods_and_flows_a_context
finish
