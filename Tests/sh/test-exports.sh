#!/usr/bin/env bash
# What the built libhostsec.so exposes and needs:
#   - nm -D lists exactly the symbols of hostsec.map, each declared in hostsec.h, no $s... names;
#   - ldd lists nothing from the Swift toolchain and every dependency resolves;
#   - readelf -d shows SONAME libhostsec.so.1 and FLAGS_1 NODELETE;
#   - a C host runs with PATH and LD_LIBRARY_PATH stripped of anything Swift.
. "$(dirname "$0")/lib.sh" exports
so=$lib/libhostsec.so
[ -f "$so" ] || { echo "FAIL no library at $so"; exit 1; }

# The global: section of the version script, one name a line, sorted.
sed -n '/global:/,/local:/p' "$root/hostsec.map" | grep -v -e 'global:' -e 'local:' \
    | tr -d ' \t;' | grep -v '^$' | sort >"$out/map.txt"
nm -D --defined-only "$so" | awk '{print $3}' | sed 's/@.*//' | sort >"$out/defined.txt"

exports_are_exactly_the_version_script() {
    local n
    n=$(wc -l <"$out/map.txt")
    [ "$n" -ge 18 ] || { fail "${FUNCNAME[0]}" "hostsec.map lists only $n names"; return; }
    if diff -u "$out/map.txt" "$out/defined.txt" >"$out/exports.diff"; then
        ok "${FUNCNAME[0]}"
    else
        fail "${FUNCNAME[0]}" "$(cat "$out/exports.diff")"
    fi
}

exports_carry_the_version_node() {
    local bad
    bad=$(nm -D --defined-only "$so" | awk '{print $3}' | grep -v '@@HOSTSEC_1.0$')
    [ -z "$bad" ] && ok "${FUNCNAME[0]}" || fail "${FUNCNAME[0]}" "$bad"
}

no_swift_mangled_symbols_are_exported() {
    local bad
    bad=$(nm -D "$so" | awk '{print $NF}' | grep -E '^(\$s|_T|\$S)|^swift_' || true)
    [ -z "$bad" ] && ok "${FUNCNAME[0]}" || fail "${FUNCNAME[0]}" "$(echo "$bad" | head -5)"
}

every_export_is_declared_in_the_header() {
    # Taking each name's address compiles only if hostsec.h (or hostsec_win32.h, which includes
    # it) declares it; linking proves the
    # .so defines it.
    {
        echo '#include <hostsec_win32.h>'
        echo '#include <stdio.h>'
        echo 'int main(void) {'
        echo '    const void *names[] = {'
        sed 's/.*/        (const void *)\&&,/' "$out/map.txt"
        echo '    };'
        echo '    printf("%zu\n", sizeof names / sizeof names[0]);'
        echo '    return 0;'
        echo '}'
    } >"$out/declared.c"
    if gcc -std=c11 -Wall -Wextra -Werror -I"$root/include" "$out/declared.c" -L"$lib" -lhostsec \
        -Wl,-rpath,"$lib" -o "$out/declared" 2>"$out/declared.err" &&
        [ "$("$out/declared")" = "$(wc -l <"$out/map.txt")" ]; then
        ok "${FUNCNAME[0]}"
    else
        fail "${FUNCNAME[0]}" "$(head -20 "$out/declared.err")"
    fi
}

exported_ids_are_in_read_only_sections() {
    # The statically linked Swift runtime makes the output .rodata writable; the IIDs and
    # CLSIDs every QueryInterface compares against must sit in a section without W.
    local sections bad="" count=0 idx sym flags
    sections=$(readelf -SW "$so" | sed 's/\[ */[/')
    while read -r idx sym; do
        count=$((count + 1))
        flags=$(awk -v n="[$idx]" '$1 == n {print $8}' <<<"$sections")
        case "$flags" in *A*) ;; *) bad+=" $sym(not allocated: '$flags')" ;; esac
        case "$flags" in *W*) bad+=" $sym(writable section $idx)" ;; esac
    done < <(readelf -sW --dyn-syms "$so" | awk '$4 == "OBJECT" && $8 ~ /^(IID|CLSID)_.*@@/ {print $7, $8}' | sort -u)
    [ "$count" -eq 7 ] && [ -z "$bad" ] && ok "${FUNCNAME[0]}" || fail "${FUNCNAME[0]}" "$count ids:$bad"
}

ldd_lists_nothing_from_swift_and_nothing_missing() {
    local deps
    deps=$(ldd "$so")
    echo "$deps" >"$out/ldd.txt"
    if echo "$deps" | grep -qi -e swift -e /opt/; then
        fail "${FUNCNAME[0]}" "$(echo "$deps" | grep -i -e swift -e /opt/)"
    elif echo "$deps" | grep -q 'not found'; then
        fail "${FUNCNAME[0]}" "$(echo "$deps" | grep 'not found')"
    elif ! echo "$deps" | grep -q 'libc.so.6 => /'; then
        fail "${FUNCNAME[0]}" "libc not resolved: $deps"
    else
        ok "${FUNCNAME[0]}"
    fi
}

needed_libraries_are_system_ones() {
    local needed bad
    needed=$(readelf -d "$so" | sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p')
    bad=$(echo "$needed" | grep -v -E '^(libc|libm|libstdc\+\+|libgcc_s|libffi|libpam|libdl|libpthread|ld-linux-x86-64)\.so' || true)
    [ -n "$needed" ] && [ -z "$bad" ] && ok "${FUNCNAME[0]}" || fail "${FUNCNAME[0]}" "unexpected NEEDED: $bad"
}

no_runpath_into_the_toolchain() {
    local paths
    paths=$(readelf -d "$so" | grep -E '\((RPATH|RUNPATH)\)' || true)
    if echo "$paths" | grep -qi -e swift -e /opt/; then
        fail "${FUNCNAME[0]}" "$paths"
    else
        ok "${FUNCNAME[0]}"
    fi
}

soname_is_libhostsec_so_1() {
    local soname
    soname=$(readelf -d "$so" | sed -n 's/.*(SONAME).*\[\(.*\)\]/\1/p')
    [ "$soname" = "libhostsec.so.1" ] && ok "${FUNCNAME[0]}" || fail "${FUNCNAME[0]}" "SONAME '$soname'"
}

library_is_marked_nodelete() {
    readelf -d "$so" | grep -E '\(FLAGS_1\)' | grep -qw NODELETE \
        && ok "${FUNCNAME[0]}" || fail "${FUNCNAME[0]}" "$(readelf -d "$so" | grep FLAGS)"
}

c_host_runs_without_swift_on_any_path() {
    cat >"$out/host.c" <<'EOF'
#define COBJMACROS
#include <hostsec.h>
#include <stdio.h>
#include <string.h>
int main(void) {
    IClassFactory *f = NULL;
    IHostSecurityManager *m = NULL;
    HRESULT hr = DllGetClassObject(&CLSID_HostSecurityManager, &IID_IClassFactory, (void **)&f);
    if (hr != S_OK) return 2;
    hr = IClassFactory_CreateInstance(f, NULL, &IID_IHostSecurityManager, (void **)&m);
    IClassFactory_Release(f);
    if (hr != S_OK) return 3;
    printf("revert: %s\n", HostSec_HResultName(IHostSecurityManager_RevertToSelf(m)));
    printf("release: %u\n", (unsigned)IHostSecurityManager_Release(m));
    printf("unload: %s\n", HostSec_HResultName(DllCanUnloadNow()));
    /* Nothing mapped into this process may come from a Swift toolchain. */
    FILE *maps = fopen("/proc/self/maps", "r");
    char line[4096];
    int swift = 0;
    while (maps && fgets(line, sizeof line, maps))
        if (strstr(line, "swift") || strstr(line, "/opt/")) swift++;
    if (maps) fclose(maps);
    printf("swift mappings: %d\n", swift);
    return 0;
}
EOF
    # The library is copied out of the build tree, so no path mentions the toolchain either.
    mkdir -p "$out/plain"
    cp "$so" "$out/plain/libhostsec.so"
    ln -sf libhostsec.so "$out/plain/libhostsec.so.1"
    if ! gcc -std=c11 -Wall -Wextra -Werror -I"$root/include" "$out/host.c" -L"$out/plain" \
        -lhostsec -o "$out/host" 2>"$out/host.err"; then
        fail "${FUNCNAME[0]}" "$(cat "$out/host.err")"
        return
    fi
    local got want
    got=$(env -i PATH=/usr/bin:/bin LD_LIBRARY_PATH="$out/plain" "$out/host" 2>&1)
    want=$'revert: S_OK\nrelease: 0\nunload: S_OK\nswift mappings: 0'
    [ "$got" = "$want" ] && ok "${FUNCNAME[0]}" || fail "${FUNCNAME[0]}" "output: $got"
}

exports_are_exactly_the_version_script
exports_carry_the_version_node
no_swift_mangled_symbols_are_exported
every_export_is_declared_in_the_header
exported_ids_are_in_read_only_sections
ldd_lists_nothing_from_swift_and_nothing_missing
needed_libraries_are_system_ones
no_runpath_into_the_toolchain
soname_is_libhostsec_so_1
library_is_marked_nodelete
c_host_runs_without_swift_on_any_path
finish
