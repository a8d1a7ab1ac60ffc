# Shared by the Tests/sh/test-*.sh scripts, each of which starts with
#   . "$(dirname "$0")/lib.sh" [NAME]
# scripts/test runs them with HOSTSEC_ROOT (the checkout), HOSTSEC_LIB_DIR (the built
# library's directory) and HOSTSEC_TEST_OUT set. This sets -uo pipefail, root and lib; with
# NAME, out is a fresh $HOSTSEC_TEST_OUT/NAME. ok and fail print one result line each (fail
# counts it); skip_script ends the whole script as skipped (exit 77, which scripts/test
# counts apart from passed and failed); finish ends it with the verdict.
set -uo pipefail
root=${HOSTSEC_ROOT:?run the tests with scripts/test}
lib=${HOSTSEC_LIB_DIR:?run the tests with scripts/test}
if [ $# -ge 1 ]; then
    out=${HOSTSEC_TEST_OUT:?run the tests with scripts/test}/$1
    rm -rf "$out" && mkdir -p "$out"
fi
failures=0
ok() { echo "ok   $1"; }
fail() { echo "FAIL $1${2:+: $2}"; failures=$((failures + 1)); }
skip_script() { echo "skip: $1"; exit 77; }
finish() { [ "$failures" -eq 0 ]; }
