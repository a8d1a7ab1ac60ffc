#!/usr/bin/env bash
# The tree is formatted as .swift-format and .clang-format say (scripts/lint), and the lint
# notices a file that is not: a scratch repository with the same configuration and one
# misformatted C file and one misformatted Swift file must fail, naming both.
. "$(dirname "$0")/lib.sh" lint

tree_is_formatted() {
    if "$root/scripts/lint" >"$out/lint.txt" 2>&1; then
        ok "${FUNCNAME[0]}"
    else
        fail "${FUNCNAME[0]}" "$(head -20 "$out/lint.txt") (scripts/lint --fix rewrites them)"
    fi
}

lint_names_each_misformatted_file() {
    local scratch=$out/scratch rc
    mkdir -p "$scratch/scripts"
    cp "$root/scripts/lint" "$scratch/scripts/" && cp "$root/.swift-format" "$root/.clang-format" "$scratch/"
    printf 'int  main( void ){return 0;}\n' >"$scratch/bad.c"
    printf 'let  x=1\n' >"$scratch/bad.swift"
    printf 'int main(void) { return 0; }\n' >"$scratch/good.c"
    git -C "$scratch" init -q && git -C "$scratch" add -A
    "$scratch/scripts/lint" >"$out/scratch.txt" 2>&1; rc=$?
    if [ $rc -eq 1 ] && grep -q "lint: bad.c is not formatted" "$out/scratch.txt" &&
        grep -q "lint: bad.swift is not formatted" "$out/scratch.txt" && ! grep -q "good.c" "$out/scratch.txt"; then
        ok "${FUNCNAME[0]}"
    else
        fail "${FUNCNAME[0]}" "rc $rc: $(cat "$out/scratch.txt")"
    fi
}

tree_is_formatted
lint_names_each_misformatted_file
finish
