#!/usr/bin/env bash
# The layers of Sources/HostSec depend one way (Tests/tools/check_layers.py): no name of
# Exports or Embedding in Core or Win32, none of Exports in Embedding, none of another layer in
# System, no `HandleTable.shared` outside Core, no `ensureOpen` in Win32. Copies of the tree
# with one violation planted each prove the checker notices.
. "$(dirname "$0")/lib.sh" layers
checker=$root/Tests/tools/check_layers.py

layers_depend_one_way() {
    if python3 "$checker" "$root/Sources/HostSec" >"$out/check.txt" 2>&1; then
        ok "${FUNCNAME[0]}"
    else
        fail "${FUNCNAME[0]}" "$(cat "$out/check.txt")"
    fi
}

# planted NAME FILE CODE REPORT: a copy of the tree with CODE appended to FILE (under
# Sources/HostSec); the checker must exit 1 and print a line starting with REPORT (a grep
# pattern).
planted() {
    local tree=$out/$1
    cp -r "$root/Sources/HostSec" "$tree"
    printf '\n%s\n' "$3" >>"$tree/$2"
    python3 "$checker" "$tree" >"$tree.txt" 2>&1
    local rc=$?
    if [ $rc -eq 1 ] && grep -q "^$4" "$tree.txt"; then
        ok "$1"
    else
        fail "$1" "rc $rc: $(cat "$tree.txt")"
    fi
}

checker_reports_embedding_using_an_export() {
    planted "${FUNCNAME[0]}" Embedding/TypeInfo.swift 'func reachesBack() { _ = ComObject.self }' \
        'Embedding/TypeInfo.swift uses ComObject of Exports'
}

checker_reports_system_using_a_core_name() {
    planted "${FUNCNAME[0]}" System/Accounts.swift 'func reachesUp() { _ = ThreadState.self }' \
        'System/Accounts.swift uses ThreadState of Core'
}

checker_reports_handle_table_shared_outside_core() {
    planted "${FUNCNAME[0]}" Exports/HostControl.swift 'func reachesTheTable() { _ = HandleTable.shared }' \
        "Exports/HostControl.swift:[0-9]* uses HandleTable.shared"
}

checker_reports_ensure_open_in_win32() {
    planted "${FUNCNAME[0]}" Win32/LocalMemory.swift 'func checksOpen() throws { try Engine.shared.ensureOpen() }' \
        "Win32/LocalMemory.swift:[0-9]* uses ensureOpen"
}

layers_depend_one_way
checker_reports_embedding_using_an_export
checker_reports_system_using_a_core_name
checker_reports_handle_table_shared_outside_core
checker_reports_ensure_open_in_win32
finish
