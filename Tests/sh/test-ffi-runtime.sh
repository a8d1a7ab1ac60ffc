#!/usr/bin/env bash
# examples/ffi_runtime.c: a C runtime that dlopens the library and calls every method of every
# interface by slot number through HostSec_Invoke, with names and signatures taken from the
# type information. Its output (each call and its result's name) must equal
# Tests/sh/expected/ffi-runtime.txt, plain and with every object behind a tracing proxy.
. "$(dirname "$0")/lib.sh" ffi-runtime
expected=$root/Tests/sh/expected/ffi-runtime.txt

runtime_builds_without_linking_the_library() {
    if gcc -std=c11 -Wall -Wextra -Werror -I"$root/include" "$root/examples/ffi_runtime.c" -ldl \
        -o "$out/ffi_runtime" 2>"$out/build.err" && ! readelf -d "$out/ffi_runtime" | grep -q hostsec; then
        ok "${FUNCNAME[0]}"
    else
        fail "${FUNCNAME[0]}" "$(cat "$out/build.err")"
    fi
}

runtime_calls_every_slot_with_the_expected_results() {
    env -u HOSTSEC_TRACE "$out/ffi_runtime" "$lib/libhostsec.so.1" >"$out/plain.txt" 2>&1
    local calls
    calls=$(grep -c ') slot [0-9]* -> ' "$out/plain.txt")
    if diff -u "$expected" "$out/plain.txt" >"$out/plain.diff" && [ "$calls" -eq 26 ]; then
        ok "${FUNCNAME[0]}"
    else
        fail "${FUNCNAME[0]}" "$calls calls; $(cat "$out/plain.diff")"
    fi
}

runtime_finds_the_library_through_the_environment() {
    HOSTSEC_LIBRARY="$lib/libhostsec.so.1" env -u HOSTSEC_TRACE "$out/ffi_runtime" >"$out/env.txt" 2>&1
    diff -q "$expected" "$out/env.txt" >/dev/null && ok "${FUNCNAME[0]}" ||
        fail "${FUNCNAME[0]}" "$(diff -u "$expected" "$out/env.txt")"
}

runtime_gets_the_same_results_through_tracing_proxies() {
    HOSTSEC_TRACE="$out/trace.log" "$out/ffi_runtime" "$lib/libhostsec.so.1" >"$out/traced.txt" 2>&1
    # Every slot the runtime called by number appears in the trace under its name.
    local missing=""
    while read -r iface method; do
        grep -q "] $iface::$method(this=0x" "$out/trace.log" || missing+=" $iface::$method"
    done < <(sed -n 's/^\([A-Za-z]*\)::\([A-Za-z]*\)(.*) slot [0-9]* -> .*/\1 \2/p' "$expected" | grep -v '^IUnknown ')
    if diff -u "$expected" "$out/traced.txt" >"$out/traced.diff" && [ -z "$missing" ]; then
        ok "${FUNCNAME[0]}"
    else
        fail "${FUNCNAME[0]}" "not traced:$missing; $(cat "$out/traced.diff")"
    fi
}

runtime_builds_without_linking_the_library
runtime_calls_every_slot_with_the_expected_results
runtime_finds_the_library_through_the_environment
runtime_gets_the_same_results_through_tracing_proxies
finish
