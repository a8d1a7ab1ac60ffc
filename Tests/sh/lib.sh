# shellcheck shell=bash
# Shared by the Tests/sh/test-*.sh scripts, each of which starts with
#   . "$(dirname "$0")/lib.sh" [NAME]
# scripts/test runs them with HOSTSEC_ROOT (the checkout), HOSTSEC_LIB_DIR (the built
# library's directory) and HOSTSEC_TEST_OUT set. This sets -uo pipefail, root and lib; with
# NAME, out is a fresh $HOSTSEC_TEST_OUT/NAME. ok and fail print one result line each (fail
# counts it); skip_script ends the whole script as skipped (exit 77, which scripts/test
# counts apart from passed and failed); finish ends it with the verdict. Helpers for tests of
# one kind are below: checker_found, compile_c_test, run_c_test_without_setuid, fuzz_smoke.
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

# random_password: 32 hex digits from /dev/urandom (test accounts never get a guessable one).
random_password() { head -c 16 /dev/urandom | od -An -tx1 | tr -d ' \n'; }
# forget_failures USER...: drops pam_faillock's tally of accounts a test made (their files in
# /run/faillock outlive the accounts otherwise).
forget_failures() { local u; for u in "$@"; do rm -f "/run/faillock/$u"; done; }

# checker_found NAME STATUS REPORT PATTERN...: for a test that feeds a checker something wrong on
# purpose: ok NAME when the checker exited with STATUS 1 and its REPORT has a line matching
# each grep PATTERN; else fail NAME, showing the report.
checker_found() {
    local name=$1 status=$2 report=$3 pattern
    shift 3
    [ "$status" -eq 1 ] || { fail "$name" "exit status $status: $(cat "$report")"; return; }
    for pattern in "$@"; do
        grep -q -- "$pattern" "$report" || { fail "$name" "nothing matches '$pattern' in: $(cat "$report")"; return; }
    done
    ok "$name"
}

# compile_c_test NAME BINARY: builds Tests/c/NAME.c against the library, as scripts/test does.
compile_c_test() {
    gcc -std=c11 -Wall -Wextra -Werror -D_GNU_SOURCE -pthread -I"$root/include" -I"$root/Tests/c" \
        "$root/Tests/c/$1.c" -L"$lib" -lhostsec -Wl,-rpath,"$lib" -o "$2"
}

# run_c_test_without_setuid NAME: runs Tests/c/NAME.c again with CAP_SETUID and CAP_SETGID
# dropped from the bounding and inheritable sets (so the exec'd program does not hold them),
# prints its output and ends the script with its status. The program prints "# unprivileged"
# when it finds itself without them; a run that still held them fails. Without root there is
# nothing to drop: the script is skipped (the plain run of NAME is the unprivileged one).
run_c_test_without_setuid() {
    local name=$1 output status
    [ "$(id -u)" -eq 0 ] || skip_script "needs root to drop CAP_SETUID/CAP_SETGID from a privileged start (this run is already unprivileged: $name covers it)"
    command -v setpriv >/dev/null || { echo "setpriv (util-linux) is missing" >&2; exit 1; }
    compile_c_test "$name" "$out/$name-unprivileged" || exit 1
    output=$(setpriv --bounding-set -setuid,-setgid --inh-caps -setuid,-setgid -- "$out/$name-unprivileged")
    status=$?
    echo "$output"
    grep -q "^# unprivileged" <<<"$output" || { echo "the test still held CAP_SETUID/CAP_SETGID" >&2; exit 1; }
    exit $status
}

# fuzz_smoke SCRIPT RUNS HARNESS: a short run of a libFuzzer harness (scripts/SCRIPT -runs=RUNS
# -seed=1, its log in $out/fuzz.log) that ends the script: passed when every run finished
# without a finding; else failed, showing the log's lines about it (HARNESS: the prefix of the
# harness's own messages).
fuzz_smoke() {
    local script=$1 runs=$2 harness=$3 log=$out/fuzz.log rc
    "$root/scripts/$script" -runs="$runs" -seed=1 >"$log" 2>&1
    rc=$?
    grep -E "^stat::|^Done" "$log"
    if [ $rc -ne 0 ] || ! grep -q "^Done $runs runs" "$log"; then
        grep -E "$harness:|ERROR|SUMMARY|Test unit written" "$log" | head -20
        echo "$(basename "$0" .sh): the fuzzer found something or did not finish (exit $rc, log: $log)" >&2
        exit 1
    fi
    echo "$(basename "$0" .sh): $runs inputs, no findings"
    exit 0
}
