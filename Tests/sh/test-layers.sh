#!/usr/bin/env bash
# The layers of Sources/HostSec depend one way: no name of Exports or Embedding in Core or
# System, no name of Exports in Embedding, no `HandleTable.shared` outside Core, no `ensureOpen`
# in Win32 (Tests/sh/layers/check_layers.py). Copies of the tree with one violation planted
# each prove the checker notices.
. "$(dirname "$0")/lib.sh" layers
checker=$root/Tests/sh/layers/check_layers.py

layers_depend_one_way() {
    if python3 "$checker" "$root/Sources/HostSec" >"$out/check.txt" 2>&1; then
        ok "${FUNCNAME[0]}"
    else
        fail "${FUNCNAME[0]}" "$(cat "$out/check.txt")"
    fi
}

checker_reports_embedding_using_an_export() {
    cp -r "$root/Sources/HostSec" "$out/tree"
    printf '\nfunc reachesBack() { _ = ComObject.self }\n' >>"$out/tree/Embedding/TypeInfo.swift"
    python3 "$checker" "$out/tree" >"$out/altered.txt" 2>&1
    local rc=$?
    if [ $rc -eq 1 ] && grep -q "^Embedding/TypeInfo.swift uses ComObject of Exports$" "$out/altered.txt"; then
        ok "${FUNCNAME[0]}"
    else
        fail "${FUNCNAME[0]}" "rc $rc: $(cat "$out/altered.txt")"
    fi
}

# plant NAME FILE LINE EXPECTED: a copy of the tree with LINE appended to FILE; the checker must
# fail with EXPECTED among its lines.
plant() {
    local name=$1 file=$2 line=$3 expected=$4
    rm -rf "$out/$name" && cp -r "$root/Sources/HostSec" "$out/$name"
    printf '\n%s\n' "$line" >>"$out/$name/$file"
    python3 "$checker" "$out/$name" >"$out/$name.txt" 2>&1
    local rc=$?
    if [ $rc -eq 1 ] && grep -q "^$expected" "$out/$name.txt"; then
        ok "$name"
    else
        fail "$name" "rc $rc: $(cat "$out/$name.txt")"
    fi
}

checker_reports_handle_table_shared_outside_core() {
    plant "${FUNCNAME[0]}" Exports/HostControl.swift 'func reachesTheTable() { _ = HandleTable.shared }' \
        "Exports/HostControl.swift:[0-9]* uses HandleTable.shared"
}

checker_reports_ensure_open_in_win32() {
    plant "${FUNCNAME[0]}" Win32/LocalMemory.swift 'func checksOpen() throws { try Engine.shared.ensureOpen() }' \
        "Win32/LocalMemory.swift:[0-9]* uses ensureOpen"
}

layers_depend_one_way
checker_reports_embedding_using_an_export
checker_reports_handle_table_shared_outside_core
checker_reports_ensure_open_in_win32
finish
