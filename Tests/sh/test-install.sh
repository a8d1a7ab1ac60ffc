#!/usr/bin/env bash
# scripts/install into a temporary prefix: the files and links it lays out, the generated
# hostsec.pc, and a host built with exactly `cc host.c $(pkg-config --cflags --libs hostsec)`.
. "$(dirname "$0")/lib.sh" install
prefix=$out/prefix

version=$(sed -n 's/^#define HOSTSEC_VERSION_STRING "\(.*\)"$/\1/p' "$root/include/hostsec.h")

install_succeeds() {
    if SYSCONFDIR=$out/etc "$root/scripts/install" "$prefix" >"$out/install.log" 2>&1; then
        ok "${FUNCNAME[0]}"
    else
        fail "${FUNCNAME[0]}" "$(cat "$out/install.log")"
    fi
}

pam_service_is_installed_and_a_sites_own_is_kept() {
    local f=$out/etc/pam.d/hostsec
    cmp -s "$root/pam.d/hostsec" "$f" || { fail "${FUNCNAME[0]}" "$(ls -l "$out/etc/pam.d" 2>&1)"; return; }
    [ "$(stat -c %a "$f")" = 644 ] || { fail "${FUNCNAME[0]}" "mode $(stat -c %a "$f")"; return; }
    echo "auth required pam_deny.so" >"$f"
    SYSCONFDIR=$out/etc "$root/scripts/install" "$prefix" >"$out/install2.log" 2>&1
    grep -q pam_deny "$f" || { fail "${FUNCNAME[0]}" "the site's file was replaced"; return; }
    HOSTSEC_PAM_REPLACE=1 SYSCONFDIR=$out/etc "$root/scripts/install" "$prefix" >"$out/install3.log" 2>&1
    cmp -s "$root/pam.d/hostsec" "$f" && ok "${FUNCNAME[0]}" || fail "${FUNCNAME[0]}" "HOSTSEC_PAM_REPLACE=1 kept it"
}

headers_are_installed() {
    cmp -s "$root/include/hostsec.h" "$prefix/include/hostsec.h" &&
        cmp -s "$root/include/hostsec_base.h" "$prefix/include/hostsec_base.h" &&
        [ ! -e "$prefix/include/module.modulemap" ] &&
        ok "${FUNCNAME[0]}" || fail "${FUNCNAME[0]}" "$(ls -l "$prefix/include" 2>&1)"
}

library_and_links_are_installed() {
    local l=$prefix/lib
    [ "$version" = "1.1.0" ] || { fail "${FUNCNAME[0]}" "header version $version"; return; }
    if [ -f "$l/libhostsec.so.$version" ] && [ ! -L "$l/libhostsec.so.$version" ] &&
        [ "$(readlink "$l/libhostsec.so.1")" = "libhostsec.so.$version" ] &&
        [ "$(readlink -f "$l/libhostsec.so")" = "$(readlink -f "$l/libhostsec.so.$version")" ] &&
        cmp -s "$l/libhostsec.so.$version" "${HOSTSEC_LIB_DIR:?}/libhostsec.so"; then
        ok "${FUNCNAME[0]}"
    else
        fail "${FUNCNAME[0]}" "$(ls -l "$l" 2>&1)"
    fi
}

pkg_config_describes_the_prefix() {
    export PKG_CONFIG_PATH=$prefix/lib/pkgconfig
    local v c l
    v=$(pkg-config --modversion hostsec 2>&1)
    c=$(pkg-config --cflags hostsec 2>&1 | sed 's/ *$//')
    l=$(pkg-config --libs hostsec 2>&1 | sed 's/ *$//')
    if [ "$v" = "$version" ] && [ "$c" = "-I$prefix/include" ] && [ "$l" = "-L$prefix/lib -lhostsec" ]; then
        ok "${FUNCNAME[0]}"
    else
        fail "${FUNCNAME[0]}" "modversion '$v', cflags '$c', libs '$l'"
    fi
}

pkg_config_host_builds_and_runs() {
    export PKG_CONFIG_PATH=$prefix/lib/pkgconfig
    cat >"$out/host.c" <<'EOF'
#define COBJMACROS
#include <hostsec.h>
#include <stdio.h>
int main(void) {
    IClassFactory *f = NULL;
    IHostSecurityManager *m = NULL;
    HANDLE h = NULL;
    if (DllGetClassObject(&CLSID_HostSecurityManager, &IID_IClassFactory, (void **)&f) != S_OK) return 1;
    if (IClassFactory_CreateInstance(f, NULL, &IID_IHostSecurityManager, (void **)&m) != S_OK) return 2;
    IClassFactory_Release(f);
    printf("version %lu\n", (unsigned long)HostSec_GetVersion());
    printf("open: %s\n", HostSec_HResultName(IHostSecurityManager_OpenThreadToken(m, TOKEN_QUERY, TRUE, &h)));
    printf("release: %lu\n", (unsigned long)IHostSecurityManager_Release(m));
    return 0;
}
EOF
    local flags
    read -r -a flags <<<"$(pkg-config --cflags --libs hostsec)"
    (cd "$out" && cc host.c "${flags[@]}" -o host) >"$out/cc.log" 2>&1 ||
        { fail "${FUNCNAME[0]}" "$(cat "$out/cc.log")"; return; }
    local want got got_rpath
    want=$'version 1001000\nopen: HRESULT_FROM_WIN32(ERROR_NO_TOKEN)\nrelease: 0'
    got=$(env -i PATH=/usr/bin:/bin LD_LIBRARY_PATH="$prefix/lib" "$out/host" 2>&1)
    # The same host linked with an rpath into the prefix finds the library by its soname.
    (cd "$out" && cc host.c "${flags[@]}" -Wl,-rpath,"$prefix/lib" -o host-rpath) \
        >>"$out/cc.log" 2>&1
    got_rpath=$(env -i PATH=/usr/bin:/bin "$out/host-rpath" 2>&1)
    local needed
    needed=$(readelf -d "$out/host" | sed -n 's/.*(NEEDED).*\[\(libhostsec[^]]*\)\]/\1/p')
    if [ "$got" = "$want" ] && [ "$got_rpath" = "$want" ] && [ "$needed" = "libhostsec.so.1" ]; then
        ok "${FUNCNAME[0]}"
    else
        fail "${FUNCNAME[0]}" "output '$got', rpath output '$got_rpath', NEEDED '$needed'"
    fi
}

pkg_config_win32_module_builds_a_windows_source() {
    export PKG_CONFIG_PATH=$prefix/lib/pkgconfig
    local c flags
    c=$(pkg-config --cflags hostsec-win32 2>&1 | sed 's/ *$//')
    read -r -a flags <<<"$(pkg-config --cflags --libs hostsec-win32)"
    [ "$c" = "-I$prefix/include/win32 -I$prefix/include" ] || { fail "${FUNCNAME[0]}" "cflags '$c'"; return; }
    [ -f "$prefix/include/hostsec_win32.h" ] && [ -f "$prefix/include/win32/windows.h" ] &&
        [ -f "$prefix/include/win32/sddl.h" ] || { fail "${FUNCNAME[0]}" "headers missing"; return; }
    if (cd "$out" && cc -Wall -Wextra -Werror "$root/examples/win32/whoami.c" "${flags[@]}" \
            -Wl,-rpath,"$prefix/lib" -o whoami-installed) >"$out/cc-win32.log" 2>&1 &&
        "$out/whoami-installed" >"$out/whoami-installed.txt" 2>&1 &&
        grep -q '^SeChangeNotifyPrivilege' "$out/whoami-installed.txt"; then
        ok "${FUNCNAME[0]}"
    else
        fail "${FUNCNAME[0]}" "$(cat "$out/cc-win32.log" "$out/whoami-installed.txt" 2>/dev/null)"
    fi
}

install_is_repeatable() {
    if "$root/scripts/install" "$prefix" >"$out/install2.log" 2>&1 &&
        [ "$(readlink "$prefix/lib/libhostsec.so.1")" = "libhostsec.so.$version" ] &&
        [ "$(ls "$prefix/lib" | wc -l)" -eq 4 ]; then
        ok "${FUNCNAME[0]}"
    else
        fail "${FUNCNAME[0]}" "$(cat "$out/install2.log"; ls -l "$prefix/lib")"
    fi
}

install_succeeds
pam_service_is_installed_and_a_sites_own_is_kept
headers_are_installed
library_and_links_are_installed
pkg_config_describes_the_prefix
pkg_config_host_builds_and_runs
pkg_config_win32_module_builds_a_windows_source
install_is_repeatable
finish
