#!/usr/bin/env python3
"""A Python host for libhostsec.so, with ctypes only (no compiled helper).

It does what a C host does through hostsec.h, but finds every method at run time:
HostSec_GetInterfaceInfo describes each interface's slots (name, return and parameter ABI
kinds), from which a ctypes prototype is built and called on the function pointer read out of
the object's vtable.

  python3 examples/python_host.py [path/to/libhostsec.so.1]

With no argument it takes, in order: the library named by HOSTSEC_LIBRARY; the one this
checkout built (scripts/build: .build/release beside examples/); the installed one (pkg-config's
libdir for hostsec, then the dynamic loader's search, as ctypes.util.find_library sees it).

Run as root to see the kernel credentials change; without CAP_SETUID/CAP_SETGID the library
impersonates at SecurityIdentification level and the Uid line stays the same.
"""
import ctypes
import ctypes.util
import os
import subprocess
import sys
import threading

# --- hostsec.h's types ----------------------------------------------------------------------

HRESULT = ctypes.c_int32
DWORD = ctypes.c_uint32
HANDLE = ctypes.c_void_p


class GUID(ctypes.Structure):
    _fields_ = [("Data1", ctypes.c_uint32), ("Data2", ctypes.c_uint16), ("Data3", ctypes.c_uint16),
                ("Data4", ctypes.c_uint8 * 8)]


class PARAM_INFO(ctypes.Structure):
    _fields_ = [("Name", ctypes.c_char_p), ("TypeName", ctypes.c_char_p), ("AbiKind", DWORD),
                ("Direction", DWORD), ("ValueKind", DWORD), ("IidIsParam", ctypes.c_int32),
                ("InterfaceIid", ctypes.POINTER(GUID))]


class METHOD_INFO(ctypes.Structure):
    _fields_ = [("Name", ctypes.c_char_p), ("Slot", DWORD), ("ParamCount", DWORD),
                ("Params", ctypes.POINTER(PARAM_INFO)), ("ReturnTypeName", ctypes.c_char_p),
                ("ReturnAbiKind", DWORD), ("ReturnValueKind", DWORD)]


class INTERFACE_INFO(ctypes.Structure):
    _fields_ = [("Name", ctypes.c_char_p), ("Iid", ctypes.POINTER(GUID)), ("BaseName", ctypes.c_char_p),
                ("MethodCount", DWORD), ("Methods", ctypes.POINTER(METHOD_INFO))]


class TOKEN_USER(ctypes.Structure):
    _fields_ = [("Uid", ctypes.c_uint32)]


ABI_TYPES = {1: ctypes.c_int32, 2: ctypes.c_uint32, 3: ctypes.c_void_p}  # HOSTSEC_ABI_*
S_OK = 0
TOKEN_QUERY = 0x0008
TOKEN_DUPLICATE = 0x0002
SecurityImpersonation = 2
eCurrentContext = 0
TokenUser = 1


def load(path):
    lib = ctypes.CDLL(path)
    lib.HostSec_HResultName.restype = ctypes.c_char_p
    lib.HostSec_HResultName.argtypes = [HRESULT]
    lib.HostSec_GetInterfaceInfo.argtypes = [ctypes.POINTER(GUID), ctypes.POINTER(ctypes.POINTER(INTERFACE_INFO))]
    lib.HostSec_GetInterfaceInfo.restype = HRESULT
    lib.DllGetClassObject.argtypes = [ctypes.POINTER(GUID), ctypes.POINTER(GUID), ctypes.POINTER(ctypes.c_void_p)]
    lib.DllGetClassObject.restype = HRESULT
    lib.DllCanUnloadNow.restype = HRESULT
    lib.HostSec_LogonUser.argtypes = [ctypes.c_char_p, ctypes.POINTER(HANDLE)]
    lib.HostSec_LogonUser.restype = HRESULT
    lib.HostSec_ImpersonateSelf.argtypes = [ctypes.c_int]
    lib.HostSec_ImpersonateSelf.restype = HRESULT
    lib.HostSec_CloseHandle.argtypes = [HANDLE]
    lib.HostSec_CloseHandle.restype = HRESULT
    lib.HostSec_GetTokenInformation.argtypes = [HANDLE, ctypes.c_int, ctypes.c_void_p, DWORD, ctypes.POINTER(DWORD)]
    lib.HostSec_GetTokenInformation.restype = HRESULT
    lib.HostSec_GetVersion.restype = DWORD
    lib.HostSec_GetVersionString.restype = ctypes.c_char_p
    return lib


class Interface:
    """An interface pointer whose methods are found by name in the type information."""

    def __init__(self, lib, pointer, name):
        self.lib, self.pointer = lib, ctypes.c_void_p(pointer)
        self.iid = GUID.in_dll(lib, "IID_" + name)
        info = ctypes.POINTER(INTERFACE_INFO)()
        check(lib, lib.HostSec_GetInterfaceInfo(ctypes.byref(self.iid), ctypes.byref(info)), "GetInterfaceInfo")
        self.info = info.contents
        self.name = name

    def method(self, name):
        for slot in range(self.info.MethodCount):
            m = self.info.Methods[slot]
            if m.Name.decode() == name:
                argtypes = [ctypes.c_void_p] + [ABI_TYPES[m.Params[i].AbiKind] for i in range(m.ParamCount)]
                prototype = ctypes.CFUNCTYPE(ABI_TYPES[m.ReturnAbiKind], *argtypes)
                vtable = ctypes.cast(self.pointer, ctypes.POINTER(ctypes.POINTER(ctypes.c_void_p))).contents
                return prototype(vtable[slot])
        raise AttributeError(f"{self.name} has no method {name}")

    def __call__(self, name, *args):
        return self.method(name)(self.pointer, *args)


def check(lib, hr, what):
    if hr != S_OK:
        raise RuntimeError(f"{what} failed: {hr_name(lib, hr)}")


def hr_name(lib, hr):
    name = lib.HostSec_HResultName(hr)
    return name.decode() if name else f"0x{hr & 0xFFFFFFFF:08X}"


def thread_uid():
    with open("/proc/thread-self/status") as status:
        for line in status:
            if line.startswith("Uid:"):
                return int(line.split()[2])  # effective uid
    return -1


def token_uid(lib, handle):
    user, needed = TOKEN_USER(), DWORD(0)
    check(lib, lib.HostSec_GetTokenInformation(handle, TokenUser, ctypes.byref(user), ctypes.sizeof(user),
                                               ctypes.byref(needed)), "GetTokenInformation")
    return user.Uid


def find_library():
    """The library to load when none is named on the command line, and where it looked."""
    tried = []
    named = os.environ.get("HOSTSEC_LIBRARY")
    if named:
        return named, tried
    here = os.path.dirname(os.path.abspath(__file__))
    for name in ("libhostsec.so.1", "libhostsec.so"):
        built = os.path.normpath(os.path.join(here, os.pardir, ".build", "release", name))
        tried.append(built)
        if os.path.isfile(built):
            return built, tried
    try:
        libdir = subprocess.run(["pkg-config", "--variable=libdir", "hostsec"], capture_output=True,
                                text=True, check=True).stdout.strip()
        installed = os.path.join(libdir, "libhostsec.so.1")
        tried.append(installed)
        if os.path.isfile(installed):
            return installed, tried
    except (OSError, subprocess.CalledProcessError):
        tried.append("pkg-config hostsec")
    tried.append("the dynamic loader's search path")
    return ctypes.util.find_library("hostsec"), tried


def main():
    if len(sys.argv) > 1:
        path = sys.argv[1]
    else:
        path, tried = find_library()
        if path is None:
            sys.exit("python_host.py: no libhostsec found; looked at " + ", ".join(tried) +
                     ". Build it (scripts/build), install it (scripts/install), or pass its path.")
    lib = load(path)
    print(f"library: {os.path.basename(path)} version {lib.HostSec_GetVersionString().decode()}")

    # DllGetClassObject, then IClassFactory::CreateInstance found through the vtable.
    factory_pointer = ctypes.c_void_p()
    hr = lib.DllGetClassObject(ctypes.byref(GUID.in_dll(lib, "CLSID_HostSecurityManager")),
                               ctypes.byref(GUID.in_dll(lib, "IID_IClassFactory")), ctypes.byref(factory_pointer))
    print(f"DllGetClassObject(CLSID_HostSecurityManager, IID_IClassFactory) = {hr_name(lib, hr)}")
    factory = Interface(lib, factory_pointer.value, "IClassFactory")
    manager_pointer = ctypes.c_void_p()
    hr = factory("CreateInstance", None, ctypes.addressof(GUID.in_dll(lib, "IID_IHostSecurityManager")),
                 ctypes.addressof(manager_pointer))
    print(f"IClassFactory::CreateInstance(IID_IHostSecurityManager) = {hr_name(lib, hr)}")
    print(f"IClassFactory::Release = {factory('Release')}")
    manager = Interface(lib, manager_pointer.value, "IHostSecurityManager")

    # OpenThreadToken: no token until the thread impersonates.
    token = HANDLE(1)
    hr = manager("OpenThreadToken", TOKEN_QUERY, 1, ctypes.addressof(token))
    print(f"OpenThreadToken before impersonating = {hr_name(lib, hr)}, handle {'NULL' if token.value is None else 'set'}")
    print(f"HostSec_ImpersonateSelf(SecurityImpersonation) = {hr_name(lib, lib.HostSec_ImpersonateSelf(SecurityImpersonation))}")
    hr = manager("OpenThreadToken", TOKEN_QUERY, 1, ctypes.addressof(token))
    print(f"OpenThreadToken after ImpersonateSelf = {hr_name(lib, hr)}, token uid {token_uid(lib, token)}")
    lib.HostSec_CloseHandle(token)
    print(f"RevertToSelf = {hr_name(lib, manager('RevertToSelf'))}")

    # Impersonating nobody: the thread's kernel uid changes, and changes back.
    nobody = HANDLE()
    print(f"HostSec_LogonUser(nobody) = {hr_name(lib, lib.HostSec_LogonUser(b'nobody', ctypes.byref(nobody)))}")
    print(f"Uid before: {thread_uid()}")
    print(f"ImpersonateLoggedOnUser = {hr_name(lib, manager('ImpersonateLoggedOnUser', nobody))}")
    print(f"Uid while impersonating: {thread_uid()}")

    # A security context captured here, applied on another Python thread.
    context_pointer = ctypes.c_void_p()
    hr = manager("GetSecurityContext", eCurrentContext, ctypes.addressof(context_pointer))
    print(f"GetSecurityContext(eCurrentContext) = {hr_name(lib, hr)}")
    print(f"RevertToSelf = {hr_name(lib, manager('RevertToSelf'))}")
    print(f"Uid after revert: {thread_uid()}")
    context = Interface(lib, context_pointer.value, "IHostSecurityContext")

    seen = {}

    def worker():
        seen["before"] = thread_uid()
        seen["set"] = hr_name(lib, manager("SetSecurityContext", eCurrentContext, context.pointer))
        seen["during"] = thread_uid()
        seen["main during"] = main_uid_from_worker()
        seen["revert"] = hr_name(lib, manager("RevertToSelf"))
        seen["after"] = thread_uid()

    main_tid = threading.get_native_id()

    def main_uid_from_worker():
        with open(f"/proc/self/task/{main_tid}/status") as status:
            for line in status:
                if line.startswith("Uid:"):
                    return int(line.split()[2])
        return -1

    thread = threading.Thread(target=worker)
    thread.start()
    thread.join()
    print(f"worker thread: Uid before {seen['before']}")
    print(f"worker thread: SetSecurityContext = {seen['set']}")
    print(f"worker thread: Uid with the context {seen['during']}")
    print(f"worker thread: main thread's Uid meanwhile {seen['main during']}")
    print(f"worker thread: RevertToSelf = {seen['revert']}, Uid {seen['after']}")

    print(f"IHostSecurityContext::Release = {context('Release')}")
    print(f"HostSec_CloseHandle(nobody) = {hr_name(lib, lib.HostSec_CloseHandle(nobody))}")
    print(f"IHostSecurityManager::Release = {manager('Release')}")
    print(f"DllCanUnloadNow = {hr_name(lib, lib.DllCanUnloadNow())}")


if __name__ == "__main__":
    main()
