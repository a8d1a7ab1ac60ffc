"""Calls every function and method of hostsec.h (found through the library's own type
information, so a new one is probed without a change here) and every HostSecW32_* function of
hostsec_win32.h, with good and bad arguments, in several thread states, from inside the
library (re-entry), and after the library closed; prints one line per distinct result:

    <name> TAB <result> TAB <phase>

<name> is the header's: HostSec_X, DllX, IFoo::Method, HostSecW32_X. <result> is
HostSec_HResultName's name of the HRESULT, or for a HostSecW32_ function that failed the name
of GetLastError()'s code (ERROR_...). <phase> is "call" (bad and good arguments, each thread
state), "reentry" (called while the same thread is inside the library) or "closed" (after the
library failed closed). check_results.py checks each line against the function's doc block.

usage: LD_PRELOAD=syscall-hook.so probe.py LIBRARY HOSTSEC_H HOSTSEC_WIN32_H SCRATCH_DIR
(syscall-hook.so: Tests/c/syscall-hook.c, through which the library's credential syscalls go)
Run as root to reach kernel-level impersonation and the closed phase; without CAP_SETUID the
closed phase is left out (a line "# closed phase skipped" says so).
"""
import ctypes
import os
import pwd
import re
import socket
import sys

from check_header import Interface, Method  # the type information's layouts (beside this file)

ABI_INT32, ABI_UINT32, ABI_POINTER = 1, 2, 3
(V_HRESULT, V_REFCOUNT, V_IID, V_INTERFACE, V_INTERFACE_OUT, V_BOOL, V_ACCESS_MASK, V_HANDLE, V_HANDLE_OUT,
 V_CONTEXT_TYPE, V_NUMBER, V_STRING, V_SECRET, V_POINTER, V_POINTER_OUT, V_LEVEL, V_TOKEN_TYPE, V_CLASS,
 V_POLICY) = range(1, 20)
DIR_OUT = 2
TOKEN_ALL_ACCESS, SYNCHRONIZE, MAXIMUM_ALLOWED, GENERIC_ALL = 0xF01FF, 0x100000, 0x2000000, 0x10000000
SYS_setresuid, SYS_getresuid = 117, 118  # x86_64: the only ABI the library is built for here

library, hostsec_h, win32_h, scratch = sys.argv[1:5]
os.chdir(scratch)
# Password logons find no PAM service: an immediate ERROR_NO_LOGON_SERVERS instead of the
# stack's two-second failure delay for every probe.
os.environ["HOSTSEC_PAM_SERVICE"] = "hostsec-header-results-no-such-service"

lib = ctypes.CDLL(library, mode=ctypes.RTLD_GLOBAL)
libc = ctypes.CDLL(None, use_errno=True)
CALLBACK = ctypes.CFUNCTYPE(None)
libc.syscall_hook_arm.argtypes = [ctypes.c_long, CALLBACK]


def reentry_arm(callback):
    """callback runs in the next SYS_getresuid: RevertToSelf, not impersonating, reads the
    thread's ids, so the callback runs while the thread is inside the library."""
    libc.syscall_hook_arm(SYS_getresuid, callback)

lib.HostSec_HResultName.restype = ctypes.c_char_p
lib.HostSec_HResultName.argtypes = [ctypes.c_int32]
lib.HostSecW32_GetLastError.restype = ctypes.c_uint32
lib.HostSecW32_SetLastError.argtypes = [ctypes.c_uint32]

ERROR_NAMES = {}
for header in (hostsec_h, win32_h):
    for name, value in re.findall(r"#define (ERROR_\w+) (\d+)L", open(header).read()):
        ERROR_NAMES.setdefault(int(value), name)

seen = set()


def report(name, result, phase):
    if (name, result, phase) not in seen:
        seen.add((name, result, phase))
        print(f"{name}\t{result}\t{phase}", flush=True)


def hr_name(hr):
    return lib.HostSec_HResultName(hr).decode()


def iid(symbol):
    return ctypes.addressof(ctypes.c_char.in_dll(lib, symbol))


UNKNOWN_IID = ctypes.create_string_buffer(b"\xab" * 16, 16)
IIDS = {n: iid(n) for n in ("IID_IUnknown", "IID_IClassFactory", "IID_IHostControl", "IID_IHostSecurityManager",
                             "IID_IHostSecurityContext", "CLSID_HostSecurityManager", "CLSID_HostControl")}
IIDS["unknown"] = ctypes.addressof(UNKNOWN_IID)

keep = []  # buffers alive for the call being made


def out_cell():
    cell = ctypes.c_void_p(0)
    keep.append(cell)
    return ctypes.addressof(cell)


def buffer(size=4096):
    b = ctypes.create_string_buffer(size)
    keep.append(b)
    return ctypes.addressof(b)


def cstring(text):
    b = ctypes.create_string_buffer(text.encode())
    keep.append(b)
    return ctypes.addressof(b)


def string_array(items):
    arr = (ctypes.c_void_p * (len(items) + 1))(*[cstring(i) for i in items], None)
    keep.append(arr)
    return ctypes.addressof(arr)


def slot_function(this, slot, restype, argtypes):
    vtbl = ctypes.cast(this, ctypes.POINTER(ctypes.POINTER(ctypes.c_void_p)))[0]
    return ctypes.CFUNCTYPE(restype, ctypes.c_void_p, *argtypes)(vtbl[slot])


def call_hr(symbol, *args):
    f = getattr(lib, symbol)
    f.restype = ctypes.c_int32
    return f(*args)


# ---- objects and handles the probes use -------------------------------------------------------

def get_object(clsid, riid_factory, riid_object):
    factory = ctypes.c_void_p()
    assert call_hr("DllGetClassObject", ctypes.c_void_p(IIDS[clsid]), ctypes.c_void_p(IIDS["IID_IClassFactory"]),
                   ctypes.byref(factory)) == 0
    obj = ctypes.c_void_p()
    create = slot_function(factory.value, 3, ctypes.c_int32, [ctypes.c_void_p] * 3)
    assert create(factory.value, None, IIDS[riid_object], ctypes.addressof(obj)) == 0
    return factory.value, obj.value


manager_factory, manager = get_object("CLSID_HostSecurityManager", "IID_IClassFactory", "IID_IHostSecurityManager")
control_factory, control = get_object("CLSID_HostControl", "IID_IClassFactory", "IID_IHostControl")
revert = slot_function(manager, 4, ctypes.c_int32, [])
impersonate = slot_function(manager, 3, ctypes.c_int32, [ctypes.c_void_p])
get_context = slot_function(manager, 7, ctypes.c_int32, [ctypes.c_int32, ctypes.c_void_p])
context_cell = ctypes.c_void_p()
assert get_context(manager, 0, ctypes.addressof(context_cell)) == 0
context = context_cell.value  # captured while not impersonating: applying it reverts
# CAP_SETUID and CAP_SETGID in the permitted set: kernel-level impersonation, and the closed
# phase (a root process started without them by setpriv is not privileged here).
permitted = re.search(r"^CapPrm:\s*([0-9a-f]+)", open("/proc/self/status").read(), re.M).group(1)
privileged = int(permitted, 16) & 0xC0 == 0xC0


def logon(name="nobody"):
    h = ctypes.c_void_p()
    assert call_hr("HostSec_LogonUser", ctypes.c_char_p(name.encode()), ctypes.byref(h)) == 0
    return h.value


def duplicate(h, access, level, kind):
    d = ctypes.c_void_p()
    hr = call_hr("HostSec_DuplicateTokenEx", ctypes.c_void_p(h), ctypes.c_uint32(access), ctypes.c_int32(level),
                 ctypes.c_int32(kind), ctypes.byref(d))
    assert hr == 0, hr_name(hr)
    return d.value


def process_token(access):
    h = ctypes.c_void_p()
    assert call_hr("HostSec_OpenProcessToken", ctypes.c_uint32(access), ctypes.byref(h)) == 0
    return h.value


def closed_handle():
    h = logon()
    call_hr("HostSec_CloseHandle", ctypes.c_void_p(h))
    return h


HANDLE_KINDS = {
    "nobody": logon,
    "closed": closed_handle,
    "no rights": lambda: process_token(0),
    "process": lambda: process_token(TOKEN_ALL_ACCESS),
    "impersonation": lambda: duplicate(logon(), TOKEN_ALL_ACCESS, 2, 2),
    "identification": lambda: duplicate(logon(), TOKEN_ALL_ACCESS, 1, 2),
    "anonymous": lambda: duplicate(logon(), TOKEN_ALL_ACCESS, 0, 2),
}
pools = {}  # made before the library closes; handed out in order after


def handle(kind):
    if kind in pools:  # after the library closed: no new handle can be made
        return pools[kind].pop() if len(pools[kind]) > 1 else pools[kind][0]
    return HANDLE_KINDS[kind]()


# Sockets: a connected Unix pair, an unconnected Unix socket, a UDP socket, a pipe.
peer_a, peer_b = socket.socketpair(socket.AF_UNIX, socket.SOCK_STREAM)
unconnected = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
udp = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
pipe_read, pipe_write = os.pipe()
not_executable = os.path.join(scratch, "not-an-executable")
with open(not_executable, "w") as f:
    f.write("\x7fELF but not really\n")
os.chmod(not_executable, 0o755)

# ---- argument values by what a parameter means -----------------------------------------------
# Each entry: (good value maker, [bad value makers]); a maker is a function of no argument.

def v(x):
    return lambda: x


def iid_values(good, *bad):
    return (v(IIDS[good]), [v(None)] + [v(IIDS[b]) for b in bad])


def values(function, p):
    name, kind, out = p.Name.decode(), p.ValueKind, p.Direction == DIR_OUT
    by_name = {
        ("DllGetClassObject", "rclsid"): iid_values("CLSID_HostSecurityManager", "CLSID_HostControl", "IID_IUnknown"),
        ("DllGetClassObject", "riid"): iid_values("IID_IClassFactory", "IID_IUnknown", "IID_IHostControl"),
        ("CreateInstance", "riid"): iid_values("IID_IUnknown", "IID_IHostControl", "IID_IHostSecurityManager"),
        ("GetHostManager", "riid"): iid_values("IID_IHostSecurityManager", "IID_IUnknown"),
        ("HostSec_Invoke", "riid"): iid_values("IID_IHostSecurityManager", "IID_IHostControl", "unknown"),
        ("HostSec_Invoke", "pInterface"): (v(manager), [v(None), v(control)]),
        ("HostSec_Invoke", "slot"): (v(4), [v(5), v(99)]),
        ("HostSec_Invoke", "args"): (v(None), [lambda: string_array([])]),
        ("HostSec_SetTrace", "path"): (v(None), [lambda: cstring(""), lambda: cstring("/"),
                                                 lambda: cstring("/nonexistent-hostsec/trace")]),
        ("HostSec_SpawnAsUser", "path"): (lambda: cstring("/bin/true"),
                                          [v(None), lambda: cstring(""), lambda: cstring("/nonexistent-hostsec"),
                                           lambda: cstring("/etc/passwd"), lambda: cstring(not_executable)]),
        ("HostSec_SpawnAsUser", "argv"): (lambda: string_array(["true"]), [v(None)]),
        ("HostSec_SpawnAsUser", "envp"): (v(None), [lambda: string_array(["A=1"])]),
        ("SetSecurityContext", "pSecurityContext"): (v(context), [v(None), v(manager)]),
        ("SetAppDomainManager", "pUnkAppDomainManager"): (v(None), [v(manager)]),
        ("CreateInstance", "pUnkOuter"): (v(None), [v(manager)]),
        ("HostSec_GetTokenInformation", "TokenInformationLength"): (v(4096), [v(0), v(3)]),
        ("HostSec_GetInterfaceInfoAt", "index"): (v(0), [v(99)]),
        ("HostSec_GetFunctionInfoAt", "index"): (v(0), [v(999)]),
    }
    if (function, name) in by_name:
        return by_name[(function, name)]
    if out:
        return (out_cell if kind in (V_HANDLE_OUT, V_INTERFACE_OUT, V_POINTER_OUT) else buffer, [v(None)])
    if kind == V_IID:
        return iid_values("IID_IUnknown", "unknown")
    if kind == V_HANDLE:
        return (lambda: handle("nobody"), [v(None)] + [(lambda k=k: handle(k)) for k in HANDLE_KINDS if k != "nobody"])
    if kind == V_ACCESS_MASK:
        return (v(TOKEN_ALL_ACCESS), [v(0), v(SYNCHRONIZE), v(MAXIMUM_ALLOWED), v(GENERIC_ALL), v(0xFFFFFFFF)])
    if kind == V_BOOL:
        return (v(0), [v(1)])
    if kind == V_CONTEXT_TYPE:
        return (v(0), [v(1), v(7), v(-1)])
    if kind == V_LEVEL:
        return (v(2), [v(0), v(1), v(3), v(4), v(-1)])
    if kind == V_TOKEN_TYPE:
        return (v(2), [v(1), v(0), v(3)])
    if kind == V_CLASS:
        return (v(1), [v(c) for c in (2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 0, 99)])
    if kind == V_POLICY:
        return (v(0), [v(1), v(2), v(0x80000000)])
    if kind == V_STRING:
        return (lambda: cstring("nobody"), [v(None), lambda: cstring(""), lambda: cstring("no-such-account-hostsec")])
    if kind == V_SECRET:
        return (lambda: cstring("not-the-password"), [v(None), lambda: cstring("")])
    if kind == V_INTERFACE:
        return (v(None), [v(manager)])
    if kind == V_NUMBER and name == "fd":
        return (v(peer_a.fileno()), [v(-1), v(unconnected.fileno()), v(udp.fileno()), v(pipe_read)])
    if kind == V_NUMBER:
        return (v(1), [v(0), v(0xFFFFFFFF)])
    if kind == V_POINTER:
        return (buffer, [v(None)])
    raise SystemExit(f"probe: no values for {function} parameter {name} (value kind {kind})")


def ctype(abi):
    return {ABI_INT32: ctypes.c_int32, ABI_UINT32: ctypes.c_uint32, ABI_POINTER: ctypes.c_void_p}[abi]


class Callable:
    """A flat function or a method, with its type information."""

    def __init__(self, name, short, info, this=None, slot=None):
        self.name, self.short, self.info, self.this, self.slot = name, short, info, this, slot
        self.params = [info.Params[i] for i in range(info.ParamCount)]
        argtypes = [ctype(p.AbiKind) for p in self.params]
        if this is None:
            self.fn = getattr(lib, name)
            self.fn.restype, self.fn.argtypes = ctypes.c_int32, argtypes
        else:
            self.fn = slot_function(this, slot, ctypes.c_int32, argtypes)
        self.makers = [values(short, p) for p in self.params]

    def vectors(self):
        """The good vector, then each parameter bad in turn (the others good)."""
        yield [m[0] for m in self.makers]
        for i, (_, bad) in enumerate(self.makers):
            for b in bad:
                yield [b if j == i else m[0] for j, m in enumerate(self.makers)]
        for extra in EXTRA.get(self.name, []):
            yield extra()

    def arguments(self, makers):
        """The values of a vector, made before the thread state is set (making a handle as
        another identity could fail)."""
        keep.clear()
        return [m() for m in makers]

    def call(self, args):
        outs = [(p, a) for p, a in zip(self.params, args) if p.Direction == DIR_OUT and a]
        hr = self.fn(self.this, *args) if self.this is not None else self.fn(*args)
        return hr, outs


EXTRA = {  # vectors beyond one bad parameter at a time
    "HostSec_SetTrace": [lambda: [v(1), (lambda p=p: cstring(p))]
                         for p in ("", "/", "/nonexistent-hostsec/trace", os.path.join(scratch, "trace.log"))],
}


def cleanup(c, outs):
    for p, a in outs:
        if p.ValueKind == V_HANDLE_OUT:
            h = ctypes.c_void_p.from_address(a).value
            if h:
                call_hr("HostSec_CloseHandle", ctypes.c_void_p(h))
        if p.Name == b"pid":
            pid = ctypes.c_int32.from_address(a).value
            if pid > 0:
                try:
                    os.waitpid(pid, 0)
                except ChildProcessError:
                    pass
    if c.name == "HostSec_SetTrace":
        call_hr("HostSec_SetTrace", 0, None)


def enumerate_info(function, layout):
    """Each description HostSec_GetFunctionInfoAt or HostSec_GetInterfaceInfoAt gives, in order."""
    at = lib[function]  # a function object of its own: the probe's Callable sets other argtypes
    at.restype, at.argtypes = ctypes.c_int32, [ctypes.c_uint32, ctypes.POINTER(ctypes.POINTER(layout))]
    i = 0
    while True:
        info = ctypes.POINTER(layout)()
        if at(i, ctypes.byref(info)) != 0:
            return
        yield info.contents
        i += 1


def all_callables():
    found = [Callable(m.Name.decode(), m.Name.decode(), m) for m in enumerate_info("HostSec_GetFunctionInfoAt", Method)
             if m.ReturnValueKind == V_HRESULT]
    objects = {"IUnknown": manager, "IClassFactory": manager_factory, "IHostControl": control,
               "IHostSecurityContext": context, "IHostSecurityManager": manager}
    for interface in enumerate_info("HostSec_GetInterfaceInfoAt", Interface):
        iname = interface.Name.decode()
        for s in range(interface.MethodCount):
            m = interface.Methods[s]
            mname = m.Name.decode()
            # IUnknown's slots are probed once, as IUnknown's; AddRef and Release return counts.
            if m.ReturnValueKind != V_HRESULT or (iname != "IUnknown" and s < 3):
                continue
            found.append(Callable(f"{iname}::{mname}", mname, m, this=objects[iname], slot=s))
    return found


# ---- the thread states each vector is tried in ------------------------------------------------

def set_policy(flags):
    call_hr("HostSec_SetPolicy", ctypes.c_uint32(flags))


STATES = {
    "self": lambda: None,
    "identification": lambda: call_hr("HostSec_ImpersonateSelf", 1),
    "anonymous": lambda: call_hr("HostSec_ImpersonateSelf", 0),
    "nobody": lambda: impersonate(manager, handle("nobody")),
    "strict policy": lambda: set_policy(1),
}


def reset():
    revert(manager)
    set_policy(0)


def probe_calls(callables, phase, states):
    for c in callables:
        for vector in c.vectors():
            for state in states:
                args = c.arguments(vector)
                STATES[state]()
                hr, outs = c.call(args)
                cleanup(c, outs)  # first: tracing switched on by the call is off again
                report(c.name, hr_name(hr), phase)
                if phase != "closed":
                    reset()


def probe_reentry(callables):
    """Each function's good vector, called while RevertToSelf is inside the library."""
    for c in callables:
        args = c.arguments(next(c.vectors()))
        result = []

        def inside():
            result.append(c.call(args))

        callback = CALLBACK(inside)
        reentry_arm(callback)
        revert(manager)  # not impersonating: it reads the thread's ids, which calls back
        reentry_arm(CALLBACK())
        if not result:
            raise SystemExit(f"probe: the re-entry hook did not run for {c.name}")
        hr, outs = result[0]
        cleanup(c, outs)
        report(c.name, hr_name(hr), "reentry")
        reset()


# ---- HostSecW32_*: signatures by hand (no type information), generic argument vectors ---------
# Kinds: h HANDLE, p pointer to a zeroed buffer, d DWORD, b BYTE, l a level or class (int).
# Results: B BOOL, b BOOLEAN, D DWORD (0 fails), W a wait (WAIT_FAILED fails), P a pointer (NULL
# fails), F a pointer freed (non-NULL fails), V void.
WIN32 = """
B CloseHandle h
B OpenProcessToken h d p
B OpenThreadToken h d d p
B ImpersonateSelf l
B RevertToSelf
B ImpersonateLoggedOnUser h
B SetThreadToken p h
B DuplicateToken h l p
B DuplicateTokenEx h d p l l p
B GetTokenInformation h l p d p
B LogonUserA p p p d d p
B IsValidSid p
D GetLengthSid p
B EqualSid p p
B CopySid d p p
B AllocateAndInitializeSid p b d d d d d d d d p
F FreeSid p
P GetSidSubAuthority p d
P GetSidSubAuthorityCount p
B ConvertSidToStringSidA p p
B ConvertStringSidToSidA p p
B LookupAccountSidA p p p p p p p
B LookupAccountNameA p p p p p p p
B CheckTokenMembership h p p
B LookupPrivilegeValueA p p p
B LookupPrivilegeNameA p p p p
B LookupPrivilegeDisplayNameA p p p p p
B AdjustTokenPrivileges h d p d p p
B PrivilegeCheck h p p
F LocalFree p
B InitializeSecurityDescriptor p d
B IsValidSecurityDescriptor p
b RtlValidRelativeSecurityDescriptor p d d
D GetSecurityDescriptorLength p
B GetSecurityDescriptorControl p p p
B SetSecurityDescriptorOwner p p d
B GetSecurityDescriptorOwner p p p
B SetSecurityDescriptorGroup p p d
B GetSecurityDescriptorGroup p p p
B SetSecurityDescriptorDacl p d p d
B GetSecurityDescriptorDacl p p p p
B MakeSelfRelativeSD p p p
B InitializeAcl p d d
B IsValidAcl p
B AddAccessAllowedAce p d d p
B AddAccessDeniedAce p d d p
B GetAce p d p
B GetAclInformation p p d l
V MapGenericMask p p
B ConvertStringSecurityDescriptorToSecurityDescriptorA p d p p
B ConvertSecurityDescriptorToStringSecurityDescriptorA p d d p p
B AccessCheck p h d p p p p p
B GetKernelObjectSecurity h d p d p
B SetKernelObjectSecurity h d p
B CreateRestrictedToken h d d p d p d p p
B IsTokenRestricted h
B CreateProcessAsUserA h p p p p d d p p p p
W WaitForSingleObject h d
B GetExitCodeProcess h p
"""


def win32_declared():
    text = open(win32_h).read()
    return set(re.findall(r"^(?:BOOL|BOOLEAN|DWORD|PVOID|PDWORD|PUCHAR|HLOCAL|HANDLE|void)\s+(HostSecW32_\w+)\s*\(",
                          text, re.M))


UNSET = 0xDEAD  # GetLastError before each call: still this, the function did not set it


def error_name(code):
    return "last error unchanged" if code == UNSET else ERROR_NAMES.get(code, f"error {code}")


def win32_probe(phase, states):
    last_error, set_last_error = lib.HostSecW32_GetLastError, lib.HostSecW32_SetLastError
    for line in WIN32.strip().splitlines():
        ret, name, *kinds = line.split()
        fn = getattr(lib, "HostSecW32_" + name)
        fn.restype = {"B": ctypes.c_int32, "b": ctypes.c_uint8, "D": ctypes.c_uint32, "W": ctypes.c_uint32,
                      "P": ctypes.c_void_p, "F": ctypes.c_void_p, "V": None}[ret]
        fn.argtypes = [{"h": ctypes.c_void_p, "p": ctypes.c_void_p, "d": ctypes.c_uint32, "b": ctypes.c_uint8,
                        "l": ctypes.c_int32}[k] for k in kinds]
        vectors = [
            {"h": v(None), "p": v(None), "d": v(0), "b": v(0), "l": v(0)},
            {"h": lambda: handle("closed"), "p": lambda: buffer(512), "d": v(512), "b": v(9), "l": v(99)},
            {"h": lambda: handle("nobody"), "p": lambda: buffer(512), "d": v(512), "b": v(9), "l": v(99)},
            {"h": lambda: handle("nobody"), "p": lambda: buffer(512), "d": v(1), "b": v(1), "l": v(1)},
            {"h": lambda: handle("impersonation"), "p": lambda: buffer(512), "d": v(0), "b": v(1), "l": v(2)},
        ]
        for vector in vectors:
            for state in states:
                keep.clear()
                args = [vector[k]() for k in kinds]
                STATES[state]()
                set_last_error(UNSET)
                result = fn(*args)
                failed = {"B": result == 0, "b": result == 0, "D": result == 0, "W": result == 0xFFFFFFFF,
                          "P": not result, "F": bool(result), "V": False}[ret]
                if failed:
                    report("HostSecW32_" + name, error_name(last_error()), phase)
                if phase != "closed":
                    reset()
    missing = win32_declared() - {"HostSecW32_" + line.split()[1] for line in WIN32.strip().splitlines()} - {
        "HostSecW32_GetCurrentProcess", "HostSecW32_GetCurrentThread", "HostSecW32_GetLastError",
        "HostSecW32_SetLastError"}
    if missing:
        raise SystemExit(f"probe: HostSecW32_ functions with no probe: {sorted(missing)}")


def win32_reentry():
    for line in WIN32.strip().splitlines():
        ret, name, *kinds = line.split()
        if ret != "B":
            continue
        fn = getattr(lib, "HostSecW32_" + name)
        keep.clear()
        args = [{"h": handle("nobody"), "p": buffer(512), "d": 1, "b": 1, "l": 1}[k] for k in kinds]
        result = []

        def inside():
            lib.HostSecW32_SetLastError(UNSET)
            result.append((fn(*args), lib.HostSecW32_GetLastError()))

        callback = CALLBACK(inside)
        reentry_arm(callback)
        revert(manager)
        reentry_arm(CALLBACK())
        if not result:
            raise SystemExit(f"probe: the re-entry hook did not run for HostSecW32_{name}")
        if result[0][0] == 0:
            report("HostSecW32_" + name, error_name(result[0][1]), "reentry")
        reset()


class Statistics(ctypes.Structure):
    _fields_ = [("LiveObjects", ctypes.c_uint64), ("LiveHandles", ctypes.c_uint64), ("LiveTokens", ctypes.c_uint64),
                ("ImpersonatingThreads", ctypes.c_uint64), ("ServerLocks", ctypes.c_uint64),
                ("FailedClosed", ctypes.c_uint32), ("Reserved", ctypes.c_uint32)]


def still_open(after):
    stats = Statistics()
    call_hr("HostSec_GetStatistics", ctypes.byref(stats))
    if stats.FailedClosed:
        raise SystemExit(f"probe: the library closed during {after}: the results after it would all be closed ones")


callables = all_callables()
probe_calls(callables, "call", list(STATES))
still_open("the calls")
win32_probe("call", list(STATES))
still_open("the HostSecW32_ calls")
probe_reentry(callables)
win32_reentry()
still_open("the re-entrant calls")

if privileged:
    pid = os.fork()
    if pid == 0:
        for kind in HANDLE_KINDS:
            pools[kind] = [HANDLE_KINDS[kind]() for _ in range(400)]
        nobody = handle("nobody")
        assert impersonate(manager, nobody) == 0
        uid = pwd.getpwnam("nobody").pw_uid
        libc.syscall(SYS_setresuid, uid, uid, uid)  # behind the library's back: revert cannot restore
        assert hr_name(revert(manager)) == "E_FAIL"
        probe_calls(callables, "closed", ["self"])
        win32_probe("closed", ["self"])
        sys.stdout.flush()
        os._exit(0)
    _, status = os.waitpid(pid, 0)
    if status != 0:
        raise SystemExit(f"probe: the closed phase ended with status {status:#x}")
else:
    print("# closed phase skipped: needs CAP_SETUID to close the library by a failed revert", flush=True)
print(f"# {len(callables)} functions and methods, {len(WIN32.strip().splitlines())} HostSecW32_ functions probed",
      flush=True)
