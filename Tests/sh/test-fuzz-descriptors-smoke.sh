#!/usr/bin/env bash
# A short run of the descriptor and SDDL fuzzer (scripts/fuzz-descriptors -runs=N, default
# 50000): the harness builds, every seed in fuzz/corpus-descriptors passes its invariants, and
# N mutated inputs find nothing under AddressSanitizer. The long run is a documented command
# (docs/access-control.md, "Fuzzing the parsers").
. "$(dirname "$0")/lib.sh" fuzz-descriptors-smoke
fuzz_smoke fuzz-descriptors "${HOSTSEC_FUZZ_RUNS:-50000}" fuzz_descriptors
