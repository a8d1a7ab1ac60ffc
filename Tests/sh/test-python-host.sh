#!/usr/bin/env bash
# examples/python_host.py (ctypes only) against the built library: its whole output compared
# with what it must print, once plain and once with every object behind a tracing proxy.
# As root the Uid lines show the kernel credentials changing (nobody's uid) on the
# impersonating thread only; without CAP_SETUID they stay the process's own.
. "$(dirname "$0")/lib.sh" python-host

me=$(id -u)
if [ "$me" -eq 0 ] && grep -q '^CapPrm:.*[^0]' /proc/self/status; then as=$(id -u nobody); else as=$me; fi
cat >"$out/expected.txt" <<EXPECTED
library: libhostsec.so.1 version 1.1.0
DllGetClassObject(CLSID_HostSecurityManager, IID_IClassFactory) = S_OK
IClassFactory::CreateInstance(IID_IHostSecurityManager) = S_OK
IClassFactory::Release = 0
OpenThreadToken before impersonating = HRESULT_FROM_WIN32(ERROR_NO_TOKEN), handle NULL
HostSec_ImpersonateSelf(SecurityImpersonation) = S_OK
OpenThreadToken after ImpersonateSelf = S_OK, token uid $me
RevertToSelf = S_OK
HostSec_LogonUser(nobody) = S_OK
Uid before: $me
ImpersonateLoggedOnUser = S_OK
Uid while impersonating: $as
GetSecurityContext(eCurrentContext) = S_OK
RevertToSelf = S_OK
Uid after revert: $me
worker thread: Uid before $me
worker thread: SetSecurityContext = S_OK
worker thread: Uid with the context $as
worker thread: main thread's Uid meanwhile $me
worker thread: RevertToSelf = S_OK, Uid $me
IHostSecurityContext::Release = 0
HostSec_CloseHandle(nobody) = S_OK
IHostSecurityManager::Release = 0
DllCanUnloadNow = S_OK
EXPECTED

python_host_prints_each_step_and_uid() {
    env -u HOSTSEC_TRACE python3 "$root/examples/python_host.py" "$lib/libhostsec.so.1" >"$out/plain.txt" 2>&1
    if diff -u "$out/expected.txt" "$out/plain.txt" >"$out/plain.diff"; then
        ok "${FUNCNAME[0]}"
    else
        fail "${FUNCNAME[0]}" "$(cat "$out/plain.diff")"
    fi
}

python_host_finds_the_library_through_the_environment() {
    (cd "$out" && HOSTSEC_LIBRARY="$lib/libhostsec.so.1" env -u HOSTSEC_TRACE python3 "$root/examples/python_host.py") \
        >"$out/env.txt" 2>&1
    diff -q "$out/expected.txt" "$out/env.txt" >/dev/null && ok "${FUNCNAME[0]}" ||
        fail "${FUNCNAME[0]}" "$(diff -u "$out/expected.txt" "$out/env.txt")"
}

# No argument and no HOSTSEC_LIBRARY, from another directory: the script finds the library this
# checkout built by itself (HOSTSEC_LIB_DIR is that build unless a sanitizer lane chose another).
python_host_finds_the_built_library_with_no_argument() {
    (cd "$out" && env -u HOSTSEC_TRACE -u HOSTSEC_LIBRARY python3 "$root/examples/python_host.py") \
        >"$out/noarg.txt" 2>&1
    diff -q "$out/expected.txt" "$out/noarg.txt" >/dev/null && ok "${FUNCNAME[0]}" ||
        fail "${FUNCNAME[0]}" "$(diff -u "$out/expected.txt" "$out/noarg.txt")"
}

# With nothing to find (a copy of the script outside any checkout, no pkg-config entry, no
# library on the loader's path) it says where it looked and what to do, and exits non-zero.
python_host_says_where_it_looked_when_nothing_is_found() {
    mkdir -p "$out/alone" && cp "$root/examples/python_host.py" "$out/alone/"
    local msg rc
    msg=$(cd "$out/alone" && env -u HOSTSEC_TRACE -u HOSTSEC_LIBRARY PKG_CONFIG_PATH= PKG_CONFIG_LIBDIR=/nonexistent \
        LD_LIBRARY_PATH= python3 python_host.py 2>&1); rc=$?
    if [ $rc -ne 0 ] && grep -q "no libhostsec found; looked at $out/.build/release/libhostsec.so.1" <<<"$msg" &&
        grep -q "scripts/build" <<<"$msg"; then
        ok "${FUNCNAME[0]}"
    elif ldconfig -p 2>/dev/null | grep -q libhostsec; then
        ok "${FUNCNAME[0]} (an installed libhostsec is on the loader's path: found it, exit $rc)"
    else
        fail "${FUNCNAME[0]}" "exit $rc: $msg"
    fi
}

python_host_behaves_the_same_through_tracing_proxies() {
    HOSTSEC_TRACE="$out/trace.log" python3 "$root/examples/python_host.py" "$lib/libhostsec.so.1" \
        >"$out/traced.txt" 2>&1
    local setctx
    setctx=$(grep -c 'IHostSecurityManager::SetSecurityContext(this=0x[0-9a-f]*, eContextType=eCurrentContext, pSecurityContext=0x[0-9a-f]*) = S_OK (' "$out/trace.log")
    if diff -u "$out/expected.txt" "$out/traced.txt" >"$out/traced.diff" && [ "$setctx" = 1 ] &&
        grep -q 'IClassFactory::CreateInstance(this=0x[0-9a-f]*, pUnkOuter=NULL, riid=IID_IHostSecurityManager, ppvObject=out) = S_OK; \*ppvObject=0x' "$out/trace.log"; then
        ok "${FUNCNAME[0]}"
    else
        fail "${FUNCNAME[0]}" "SetSecurityContext lines: $setctx; $(cat "$out/traced.diff")"
    fi
}

python_host_prints_each_step_and_uid
python_host_finds_the_library_through_the_environment
python_host_finds_the_built_library_with_no_argument
python_host_says_where_it_looked_when_nothing_is_found
python_host_behaves_the_same_through_tracing_proxies
finish
