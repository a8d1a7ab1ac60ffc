#!/usr/bin/env bash
# A short run of the descriptor and SDDL fuzzer (scripts/fuzz-descriptors -runs=N, default
# 50000): the harness builds, every seed in fuzz/corpus-descriptors passes its invariants, and
# N mutated inputs find nothing under AddressSanitizer. The long run is a documented command
# (docs/access-control.md, "Fuzzing the parsers").
set -euo pipefail
root=${HOSTSEC_ROOT:-$(cd "$(dirname "$0")/../.." && pwd)}
runs=${HOSTSEC_FUZZ_RUNS:-50000}
out=${HOSTSEC_TEST_OUT:-$root/.build/tests}/fuzz-descriptors-smoke
mkdir -p "$out"
log=$out/fuzz.log
set +e
"$root/scripts/fuzz-descriptors" -runs="$runs" -seed=1 >"$log" 2>&1
rc=$?
set -e
grep -E "^stat::|^Done" "$log" || true
if [ $rc -ne 0 ] || ! grep -q "^Done $runs runs" "$log"; then
    grep -E "fuzz_descriptors:|ERROR|SUMMARY|Test unit written" "$log" | head -20
    echo "test-fuzz-descriptors-smoke: the fuzzer found something or did not finish (exit $rc, log: $log)" >&2
    exit 1
fi
echo "test-fuzz-descriptors-smoke: $runs inputs, no findings"
