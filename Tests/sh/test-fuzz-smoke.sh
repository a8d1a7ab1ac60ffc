#!/usr/bin/env bash
# A short run of the C ABI fuzzer (scripts/fuzz -runs=N, default 20000): the harness builds,
# every seed in fuzz/corpus passes its invariants, and N mutated inputs find nothing.
# The long run is a documented command (SECURITY.md, "Fuzzing").
set -euo pipefail
root=${HOSTSEC_ROOT:-$(cd "$(dirname "$0")/../.." && pwd)}
runs=${HOSTSEC_FUZZ_RUNS:-20000}
out=${HOSTSEC_TEST_OUT:-$root/.build/tests}/fuzz-smoke
mkdir -p "$out"
log=$out/fuzz.log
set +e
"$root/scripts/fuzz" -runs="$runs" -seed=1 >"$log" 2>&1
rc=$?
set -e
grep -E "^stat::|^Done" "$log" || true
if [ $rc -ne 0 ] || ! grep -q "^Done $runs runs" "$log"; then
    grep -E "fuzz_abi:|ERROR|SUMMARY|Test unit written" "$log" | head -20
    echo "test-fuzz-smoke: the fuzzer found something or did not finish (exit $rc, log: $log)" >&2
    exit 1
fi
echo "test-fuzz-smoke: $runs inputs, no findings"
