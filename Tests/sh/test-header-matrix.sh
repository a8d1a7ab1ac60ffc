#!/usr/bin/env bash
# hostsec.h compiles cleanly (-Wall -Wextra -Wpedantic -Werror) for every language standard a
# host may use, with gcc and clang: C99/C11/C17 through COBJMACROS and lpVtbl, C++11/17/20
# through virtual calls with REFIID as a reference; also when the host defines the Win32 base
# types itself first. One build per language is linked and run against the real library.
. "$(dirname "$0")/lib.sh" header-matrix
src=$root/Tests/c/header-matrix

# The Swift toolchain's clang, found beside swift on PATH (no fixed install path).
clang=$(dirname "$(readlink -f "$(command -v swift)")")/clang
[ -x "$clang" ] || clang=$(command -v clang || true)
warn=(-Wall -Wextra -Wpedantic -Werror -I"$root/include")

# compiles NAME COMPILER ARGS...: a syntax-only build that must produce no diagnostic at all.
compiles() {
    local name=$1; shift
    if "$@" -fsyntax-only "${warn[@]}" >"$out/$name.log" 2>&1 && [ ! -s "$out/$name.log" ]; then
        ok "$name"
    else
        fail "$name" "$(head -15 "$out/$name.log")"
    fi
}

# links_and_runs NAME EXPECTED COMPILER ARGS...: a real build against libhostsec.so, then a run.
links_and_runs() {
    local name=$1 want=$2 got; shift 2
    if ! "$@" "${warn[@]}" -L"$lib" -lhostsec -Wl,-rpath,"$lib" -o "$out/$name" >"$out/$name.log" 2>&1; then
        fail "$name" "$(head -15 "$out/$name.log")"
        return
    fi
    got=$("$out/$name" 2>&1)
    [ "$got" = "$want" ] && ok "$name" || fail "$name" "output: $got"
}

compilers_c=(gcc)
compilers_cxx=(g++)
if [ -n "$clang" ]; then compilers_c+=("$clang"); compilers_cxx+=("$clang++"); fi
[ -n "$clang" ] || fail "clang_is_available" "no clang found"

for cc in "${compilers_c[@]}"; do
    for std in c99 c11 c17; do
        compiles "c_host_$(basename "$cc")_$std" "$cc" -x c -std="$std" -Wstrict-prototypes "$src/host.c"
    done
done
for cxx in "${compilers_cxx[@]}"; do
    for std in c++11 c++17 c++20; do
        compiles "cpp_host_$(basename "$cxx")_$std" "$cxx" -x c++ -std="$std" "$src/host.cpp"
    done
done

# A host with its own base types, in each style, as C and C++, with both compilers.
for style in HOST_GUARDS HOST_GUIDDEF HOST_NO_BASE; do
    for cc in "${compilers_c[@]}"; do
        compiles "own_types_${style}_$(basename "$cc")_c99" "$cc" -x c -std=c99 -D"$style" "$src/own-types.c"
    done
    for cxx in "${compilers_cxx[@]}"; do
        compiles "own_types_${style}_$(basename "$cxx")_c++11" "$cxx" -x c++ -std=c++11 -D"$style" "$src/own-types.c"
    done
done

c_want=$'before: NO_TOKEN\nafter: S_OK\nrevert: S_OK\nrelease: 0'
links_and_runs c_host_links_and_runs_gcc_c99 "$c_want" gcc -std=c99 "$src/host.c"
[ -z "$clang" ] || links_and_runs c_host_links_and_runs_clang_c17 "$c_want" "$clang" -std=c17 "$src/host.c"
links_and_runs cpp_host_links_and_runs_gxx_cxx11 $'identity: same\n'"$c_want" g++ -std=c++11 "$src/host.cpp"
links_and_runs own_types_host_links_and_runs "" gcc -std=c99 -DHOST_GUIDDEF "$src/own-types.c"

finish
