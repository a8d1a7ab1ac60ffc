#!/usr/bin/env bash
# The layers of Sources/HostSec depend one way: no name of Exports or Embedding in Core or
# System, no name of Exports in Embedding (Tests/tools/check_layers.py). A copy of the tree
# with one Exports name used in Embedding proves the checker notices.
. "$(dirname "$0")/lib.sh" layers
checker=$root/Tests/tools/check_layers.py

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

layers_depend_one_way
checker_reports_embedding_using_an_export
finish
