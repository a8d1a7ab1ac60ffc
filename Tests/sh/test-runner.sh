#!/usr/bin/env bash
# scripts/test itself: a pattern that selects no test is an error (not a green run of
# nothing), and it exits before building; scripts/setup --check installs nothing and passes on
# a machine scripts/setup has prepared.
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

pattern_selecting_nothing_fails
setup_check_passes_and_installs_nothing
finish
