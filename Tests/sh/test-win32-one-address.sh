#!/usr/bin/env bash
# A Windows name of hostsec_win32.h is one function: &OpenProcessToken (and every other name's
# address) taken in two translation units is the same, and is the library's
# HostSecW32_OpenProcessToken. The names come from the header's HOSTSEC_W32_NAME labels; the
# programs are Tests/c/win32-one-address/, built as C + C and as C + C++.
. "$(dirname "$0")/lib.sh" win32-one-address
src=$root/Tests/c/win32-one-address

sed -n 's/.*HOSTSEC_W32_NAME(\([A-Za-z]*\));.*/NAME(\1)/p' "$root/include/hostsec_win32.h" >"$out/names.h"
count=$(wc -l <"$out/names.h")

# builds_and_agrees NAME SECOND COMPILER: first.c with gcc, SECOND with COMPILER, linked, run.
builds_and_agrees() {
    local name=$1 second=$2 compiler=$3 got
    local flags=(-Wall -Wextra -Werror -I"$root/include/win32" -I"$src" -I"$out")
    if ! gcc -std=c11 "${flags[@]}" -c "$src/first.c" -o "$out/$name-first.o" 2>"$out/$name.log" ||
        ! $compiler "${flags[@]}" -c "$src/$second" -o "$out/$name-second.o" 2>>"$out/$name.log" ||
        ! g++ "$out/$name-first.o" "$out/$name-second.o" -L"$lib" -lhostsec -Wl,-rpath,"$lib" -ldl \
            -o "$out/$name" 2>>"$out/$name.log"; then
        fail "$name" "$(head -20 "$out/$name.log")"
        return
    fi
    got=$("$out/$name" 2>&1)
    [ "$got" = "$count names, one address each" ] && ok "$name" || fail "$name" "$got"
}

[ "$count" -ge 63 ] || fail header_labels_every_windows_name "found $count names"
builds_and_agrees windows_names_have_one_address_in_two_c_files second.c "gcc -std=c11"
builds_and_agrees windows_names_have_one_address_in_a_c_and_a_cpp_file second.cpp "g++ -std=c++17"
finish
