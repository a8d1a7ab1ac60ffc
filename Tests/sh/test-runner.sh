#!/usr/bin/env bash
# scripts/test itself: a pattern that selects no test is an error (not a green run of
# nothing), and it exits before building; scripts/setup --check installs nothing and passes on
# a machine scripts/setup has prepared; the fast lane is the Swift tests, every Tests/c program
# and the contract and tree checks, and the rest lane exactly what it leaves out.
. "$(dirname "$0")/lib.sh" runner

pattern_selecting_nothing_fails() {
    local msg rc
    msg=$("$root/scripts/test" "no-test-is-named-this-$$" 2>&1); rc=$?
    if [ $rc -ne 0 ] && grep -qF "test: no test name contains 'no-test-is-named-this-$$'" <<<"$msg" &&
        ! grep -q "Compiling\|Building" <<<"$msg"; then
        ok "${FUNCNAME[0]}"
    else
        fail "${FUNCNAME[0]}" "exit $rc: $msg"
    fi
}

setup_check_passes_and_installs_nothing() {
    local msg rc
    # With apt-get and dpkg's installers out of PATH's reach, --check must still answer.
    msg=$(PATH=/usr/bin:/bin:$(dirname "$(command -v swift)") "$root/scripts/setup" --check 2>&1); rc=$?
    if [ $rc -eq 0 ] && ! grep -q "installing\|installed" <<<"$msg"; then
        ok "${FUNCNAME[0]}"
    else
        fail "${FUNCNAME[0]}" "exit $rc: $msg"
    fi
}

fast_lane_is_swift_c_and_the_checks_and_rest_is_the_remainder() {
    local all='' fast='' rest='' want
    if ! all=$("$root/scripts/test" --list 2>&1) || ! fast=$("$root/scripts/test" --fast --list 2>&1) ||
        ! rest=$("$root/scripts/test" --rest --list 2>&1); then
        fail "${FUNCNAME[0]}" "--list failed: $all $fast $rest"
        return
    fi
    want=$( (echo swift-unit
        cd "$root" && for f in Tests/c/test-*.c Tests/c/test-*.cpp; do [ -e "$f" ] && basename "${f%.*}"; done
        printf '%s\n' test-exports test-header-matrix test-header-results test-typeinfo-header test-layers test-docs test-lint) |
        sort)
    if [ "$(sort <<<"$fast")" != "$want" ]; then
        fail "${FUNCNAME[0]}" "fast lane: $(diff <(echo "$want") <(sort <<<"$fast") | grep '^[<>]' | tr '\n' ' ')"
    elif [ "$(sort <<<"$fast"$'\n'"$rest")" != "$(sort <<<"$all")" ] || [ -n "$(comm -12 <(sort <<<"$fast") <(sort <<<"$rest"))" ]; then
        fail "${FUNCNAME[0]}" "fast and rest are not a partition of all: $(comm -12 <(sort <<<"$fast") <(sort <<<"$rest") | tr '\n' ' ')"
    elif ! grep -qx test-file-server <<<"$rest" || ! grep -qx test-tsan <<<"$rest"; then
        fail "${FUNCNAME[0]}" "rest lane: $(tr '\n' ' ' <<<"$rest")"
    else
        ok "${FUNCNAME[0]}"
    fi
}

pattern_selecting_nothing_fails
fast_lane_is_swift_c_and_the_checks_and_rest_is_the_remainder
setup_check_passes_and_installs_nothing
finish
