#!/usr/bin/env bash
# The tree is clean under scripts/lint (formatted as .swift-format and .clang-format say;
# neither shellcheck nor pyflakes finds anything), and the lint notices a file that is not: a scratch
# repository with the same configuration and one misformatted C file, one misformatted Swift
# file, a shell script with a shellcheck warning and a Python script with an unused import
# must fail, naming each. And tests are filed by subject: no C or Python under Tests/sh.
. "$(dirname "$0")/lib.sh" lint

tree_is_clean() {
    if "$root/scripts/lint" >"$out/lint.txt" 2>&1; then
        ok "${FUNCNAME[0]}"
    else
        fail "${FUNCNAME[0]}" "$(head -20 "$out/lint.txt") (scripts/lint --fix rewrites them)"
    fi
}

lint_names_each_file_it_finds_fault_with() {
    local scratch=$out/scratch rc
    mkdir -p "$scratch/scripts"
    cp "$root/scripts/lint" "$scratch/scripts/" && cp "$root/.swift-format" "$root/.clang-format" "$root/.shellcheckrc" "$scratch/"
    printf 'int  main( void ){return 0;}\n' >"$scratch/bad.c"
    printf 'let  x=1\n' >"$scratch/bad.swift"
    printf 'int main(void) { return 0; }\n' >"$scratch/good.c"
    printf '#!/usr/bin/env bash\ncd /tmp\necho here\n' >"$scratch/bad-script"
    printf '#!/usr/bin/env bash\ncd /tmp || exit 1\necho here\n' >"$scratch/good-script"
    printf 'import os\nprint(1)\n' >"$scratch/bad.py"
    git -C "$scratch" init -q && git -C "$scratch" add -A
    "$scratch/scripts/lint" >"$out/scratch.txt" 2>&1; rc=$?
    if [ $rc -eq 1 ] && grep -q "lint: bad.c is not formatted" "$out/scratch.txt" &&
        grep -q "lint: bad.swift is not formatted" "$out/scratch.txt" &&
        grep -q "lint: bad-script:2:.*SC2164" "$out/scratch.txt" &&
        grep -q "lint: bad.py:1:.*'os' imported but unused" "$out/scratch.txt" &&
        ! grep -q -e "good.c" -e "good-script" "$out/scratch.txt"; then
        ok "${FUNCNAME[0]}"
    else
        fail "${FUNCNAME[0]}" "rc $rc: $(cat "$out/scratch.txt")"
    fi
}

no_c_or_python_under_tests_sh() {
    local stray
    stray=$(cd "$root" && git ls-files --cached --others --exclude-standard -- Tests/sh |
        grep -E '\.(c|h|cpp|py)$')
    if [ -z "$stray" ]; then
        ok "${FUNCNAME[0]}"
    else
        fail "${FUNCNAME[0]}" "C programs go under Tests/c, Python checkers under Tests/tools: $stray"
    fi
}

tree_is_clean
lint_names_each_file_it_finds_fault_with
no_c_or_python_under_tests_sh
finish
