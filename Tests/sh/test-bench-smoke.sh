#!/usr/bin/env bash
# scripts/bench --smoke: the benchmark harness builds, runs every benchmark with tiny
# iteration counts and writes a results table with every row. No timing is checked.
set -euo pipefail
root=${HOSTSEC_ROOT:-$(cd "$(dirname "$0")/../.." && pwd)}
out=${HOSTSEC_TEST_OUT:-$root/.build/tests}/bench-smoke
rm -rf "$out"
mkdir -p "$out"
"$root/scripts/bench" --smoke --out "$out" >"$out/log.txt" 2>&1 || { tail -40 "$out/log.txt"; exit 1; }
table=$out/results.md
[ -s "$table" ] || { echo "no results.md"; exit 1; }
fail=0
for row in "AddRef+Release |" "QueryInterface+Release |" "QueryInterface(IID_IUnknown)+Release |" \
           "QueryInterface(IID_IClassFactory), E_NOINTERFACE |" "OpenThreadToken, no token |" \
           "OpenThreadToken + HostSec_CloseHandle, impersonating |" "syscalls per open + close |" \
           "HostSec_ImpersonateSelf + RevertToSelf |" "ImpersonateLoggedOnUser(nobody) + RevertToSelf vs raw syscalls |" \
           "SetSecurityContext + GetSecurityContext + RevertToSelf (nobody) |" \
           "HostSec_GetTokenInformation(TokenUser) |" "open + close, 2 threads" "RSS growth over" \
           "RSS per live handle" "cold start:" "call tracer on vs off:"; do
    grep -qF -- "| $row" "$table" || { echo "missing row: $row"; fail=1; }
done
# Every row has a measurement in its ns/op column (rows that need root say "skipped").
empty=$(awk -F'|' 'NR > 4 && /^\| / { v = $3; gsub(/ /, "", v); if (v == "—") print }' "$table")
[ -z "$empty" ] || { echo "rows without a measurement:"; echo "$empty"; fail=1; }
[ -s "$out/results.png" ] || echo "note: no results.png (matplotlib unavailable)"
# The paired-round switch benchmark runs and prints its ratio (root only).
if [ "$(id -u)" -eq 0 ]; then
    line=$("$root/scripts/bench-switch" 3 10 2>"$out/bench-switch.err") || { echo "bench-switch failed: $(tail -5 "$out/bench-switch.err")"; fail=1; }
    case "$line" in "ratio "*) echo "bench-switch: $line" ;; *) echo "bench-switch printed: $line"; fail=1 ;; esac
fi
[ $fail -eq 0 ] && echo "bench smoke: $(grep -c '^| ' "$table") table lines"
exit $fail
