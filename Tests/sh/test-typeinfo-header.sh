#!/usr/bin/env bash
# The type information cannot drift from hostsec.h: a checker parses the header's C vtable
# structs and compares every slot's name, return type, and parameter names and types with
# what HostSec_GetInterfaceInfoAt describes. A second run against a deliberately altered
# copy of the header proves the checker notices a difference.
. "$(dirname "$0")/lib.sh" typeinfo-header
checker=$root/Tests/tools/check_header.py

every_slot_and_function_matches_the_header() {
    if python3 "$checker" "$root/include/hostsec.h" "$lib/libhostsec.so.1" >"$out/check.txt" 2>&1 &&
        [ "$(grep -c 'slots checked' "$out/check.txt")" -eq 5 ] &&
        grep -q '^HostSec_LogonUserWithPassword: function checked$' "$out/check.txt" &&
        grep -q '^HostSec_SetPolicy: function checked$' "$out/check.txt" &&
        grep -q '^DllGetClassObject: function checked$' "$out/check.txt" &&
        grep -q '^23 header functions, 23 described$' "$out/check.txt"; then
        ok "${FUNCNAME[0]}"
    else
        fail "${FUNCNAME[0]}" "$(cat "$out/check.txt")"
    fi
}

checker_reports_a_renamed_parameter_a_new_slot_a_renamed_function_parameter_and_an_undescribed_function() {
    sed -e 's/DWORD dwDesiredAccess, BOOL bOpenAsSelf, HANDLE \*phThreadToken);/DWORD dwAccess, BOOL bOpenAsSelf, HANDLE *phThreadToken);/' \
        -e 's/HRESULT HostSec_LogonUserWithPassword(const char \*userName, const char \*password, HANDLE \*phToken);/HRESULT HostSec_LogonUserWithPassword(const char *userName, const char *secret, HANDLE *phToken);/' \
        -e 's/^HRESULT HostSec_SetPolicy(DWORD dwFlags);/&\nHRESULT HostSec_Undescribed(void);/' \
        -e 's/HRESULT(STDMETHODCALLTYPE \*Capture)(IHostSecurityContext \*This, IHostSecurityContext \*\*ppClonedContext);/&\n    HRESULT(STDMETHODCALLTYPE *Extra)(IHostSecurityContext *This);/' \
        "$root/include/hostsec.h" >"$out/altered.h"
    python3 "$checker" "$out/altered.h" "$lib/libhostsec.so.1" >"$out/altered.txt" 2>&1
    checker_found "${FUNCNAME[0]}" $? "$out/altered.txt" \
        "OpenThreadToken parameter 0: described ('dwDesiredAccess', 'DWORD'), header ('dwAccess', 'DWORD')" \
        "IHostSecurityContext: 4 slots described, 5 in the header" \
        "function HostSec_LogonUserWithPassword parameter 1: described ('password', 'const char \*'), header ('secret', 'const char \*')" \
        "header functions without type information: \['HostSec_Undescribed'\]"
}

every_slot_and_function_matches_the_header
checker_reports_a_renamed_parameter_a_new_slot_a_renamed_function_parameter_and_an_undescribed_function
finish
