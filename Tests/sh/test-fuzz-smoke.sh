#!/usr/bin/env bash
# A short run of the C ABI fuzzer (scripts/fuzz -runs=N, default 20000): the harness builds,
# every seed in fuzz/corpus passes its invariants, and N mutated inputs find nothing.
# The long run is a documented command (SECURITY.md, "Fuzzing").
. "$(dirname "$0")/lib.sh" fuzz-smoke
fuzz_smoke fuzz "${HOSTSEC_FUZZ_RUNS:-20000}" fuzz_abi
