#!/usr/bin/env bash
# The documentation stays true:
#   - every file path, test name, exported symbol and link that README.md, CONTRIBUTING.md,
#     SECURITY.md, benchmarks/README.md and docs/*.md cite exists (Tests/tools/check_docs.py;
#     CHANGELOG.md is history: only its links are checked), and the check notices a planted
#     bad reference of each kind;
#   - README.md is at most 200 lines, and names every script in scripts/ (and CONTRIBUTING.md
#     scripts/lint and the fast lane);
#   - the libraries docs/install.md lists as NEEDED are exactly the built library's;
#   - the README's C quick start and Python command run as written.
. "$(dirname "$0")/lib.sh" docs
check=$root/Tests/tools/check_docs.py

docs_cite_only_paths_tests_symbols_and_links_that_exist() {
    if python3 "$check" "$root" >"$out/check.txt" 2>&1; then
        ok "${FUNCNAME[0]}"
    else
        fail "${FUNCNAME[0]}" "$(cat "$out/check.txt")"
    fi
}

# A copy of a real page with one bad reference of each kind appended: the check must fail and
# name each of them, and must pass on the same copy without them (so the failure is theirs).
the_check_notices_a_planted_bad_reference_of_each_kind() {
    local page=$out/planted.md plants got missing=""
    cp "$root/docs/token-api.md" "$page"
    if ! DOC_AS=docs/token-api.md python3 "$check" "$root" "$page" >"$out/unplanted.txt" 2>&1; then
        fail "${FUNCNAME[0]}" "the unmodified copy already fails: $(cat "$out/unplanted.txt")"
        return
    fi
    cat >>"$page" <<'PLANTED'

See `Tests/c/test-no-such-file.c` and `HostSec_NoSuchFunction`, `IHostSecurityManager::NoSuchMethod`,
[a page](no-such-page.md), [a heading](semantics.md#no-such-heading), `HOSTSEC_NO_SUCH_SETTING`.

| precondition | result | test |
| --- | --- | --- |
| planted | `S_OK` | `no_such_test_was_ever_written`, `Tests/sh/test-exports.sh: nor_this_one` |
PLANTED
    plants=(test-no-such-file.c HostSec_NoSuchFunction IHostSecurityManager::NoSuchMethod
            no-such-page.md semantics.md#no-such-heading HOSTSEC_NO_SUCH_SETTING
            no_such_test_was_ever_written nor_this_one)
    if DOC_AS=docs/token-api.md python3 "$check" "$root" "$page" >"$out/planted.txt" 2>&1; then
        fail "${FUNCNAME[0]}" "the check passed a page with planted bad references"
        return
    fi
    for p in "${plants[@]}"; do grep -qF -- "$p" "$out/planted.txt" || missing+=" $p"; done
    got=$(wc -l <"$out/planted.txt")
    if [ -z "$missing" ] && [ "$got" -eq ${#plants[@]} ]; then
        ok "${FUNCNAME[0]}"
    else
        fail "${FUNCNAME[0]}" "missed:${missing:- none}; $got lines for ${#plants[@]} plants: $(cat "$out/planted.txt")"
    fi
}

# A script nobody mentions is a script nobody finds.
readme_names_every_script() {
    local f missing=""
    for f in "$root"/scripts/*; do
        [ -x "$f" ] || continue
        grep -qE "scripts/$(basename "$f")([^a-z-]|\$)" "$root/README.md" || missing+=" scripts/$(basename "$f")"
    done
    for f in "scripts/lint --fix" "scripts/test --fast"; do
        grep -qF "$f" "$root/CONTRIBUTING.md" || missing+=" $f (CONTRIBUTING.md)"
    done
    [ -z "$missing" ] && ok "${FUNCNAME[0]}" || fail "${FUNCNAME[0]}" "not named:$missing"
}

readme_is_at_most_200_lines() {
    local n
    n=$(wc -l <"$root/README.md")
    [ "$n" -le 200 ] && ok "${FUNCNAME[0]}" || fail "${FUNCNAME[0]}" "README.md has $n lines"
}

# The NEEDED row of docs/install.md's table names each library in backticks.
needed_libraries_are_the_ones_docs_install_lists() {
    local documented built
    documented=$(grep -F '(NEEDED)' "$root/docs/install.md" | grep -oE '`(lib|ld-)[A-Za-z0-9_+.-]*\.so[.0-9]*`' \
        | tr -d '`' | sort -u)
    built=$(readelf -d "$lib/libhostsec.so" | sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p' | sort -u)
    if [ -n "$built" ] && [ "$documented" = "$built" ]; then
        ok "${FUNCNAME[0]}"
    else
        fail "${FUNCNAME[0]}" "docs/install.md: $(echo $documented); readelf: $(echo $built)"
    fi
}

# The README's C quick start: its C block saved as host.c, its shell block run in a scratch
# directory, with two substitutions only: the prefix (/opt/hostsec) becomes a scratch one,
# and scripts/ is this tree's. The install uses the library already built and a scratch
# SYSCONFDIR for its PAM file.
readme_c_quick_start_runs_as_written() {
    local dir=$out/quick-start me as expected
    mkdir -p "$dir"
    python3 - "$root/README.md" "$dir" <<'PY' || { fail "${FUNCNAME[0]}" "no C quick start in README.md"; return; }
import re, sys
text = open(sys.argv[1]).read()
section = text[text.index('## Quick start for a C host'):]
section = section[:section.index('\n## ', 1)]
blocks = re.findall(r'```(\w+)\n(.*?)```', section, re.S)
c = [b for lang, b in blocks if lang == 'c']
sh = [b for lang, b in blocks if lang == 'sh' and 'scripts/install' in b]
open(sys.argv[2] + '/host.c', 'w').write(c[0])
open(sys.argv[2] + '/commands.sh', 'w').write(sh[0])
PY
    sed -i -e "s#/opt/hostsec#$dir/prefix#g" -e "s#/tmp/host#$dir#g" -e "s#\(^\|[ (]\)scripts/#\1$root/scripts/#g" "$dir/commands.sh"
    (cd "$dir" && HOSTSEC_LIB_DIR=$lib SYSCONFDIR=$dir/etc bash -e commands.sh) >"$dir/output.txt" 2>&1
    local rc=$?
    me=$(id -u)
    if [ "$me" -eq 0 ] && grep -q '^CapPrm:.*[^0]' /proc/self/status; then as=$(id -u nobody); else as=$me; fi
    expected="LogonUser: S_OK
ImpersonateLoggedOnUser: S_OK, this thread's euid $as
RevertToSelf: S_OK, this thread's euid $me"
    if [ $rc -eq 0 ] && [ "$(tail -3 "$dir/output.txt")" = "$expected" ]; then
        ok "${FUNCNAME[0]}"
    else
        fail "${FUNCNAME[0]}" "exit $rc: $(cat "$dir/output.txt")"
    fi
}

readme_python_host_command_runs_as_written() {
    local cmd
    cmd=$(grep -E '^python3 examples/python_host.py' "$root/README.md" | head -1)
    [ -n "$cmd" ] || { fail "${FUNCNAME[0]}" "no python3 examples/python_host.py command in README.md"; return; }
    if (cd "$root" && env -u HOSTSEC_TRACE bash -c "$cmd") >"$out/python.txt" 2>&1 \
        && grep -q '^library: libhostsec.so.1 version ' "$out/python.txt"; then
        ok "${FUNCNAME[0]}"
    else
        fail "${FUNCNAME[0]}" "$cmd: $(tail -5 "$out/python.txt")"
    fi
}

docs_cite_only_paths_tests_symbols_and_links_that_exist
the_check_notices_a_planted_bad_reference_of_each_kind
readme_is_at_most_200_lines
readme_names_every_script
needed_libraries_are_the_ones_docs_install_lists
readme_c_quick_start_runs_as_written
readme_python_host_command_runs_as_written
finish
