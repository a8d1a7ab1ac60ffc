"""Compares the library's type information with hostsec.h's C vtable structs.

Parses every `typedef struct IFooVtbl { ... } IFooVtbl;` of the header's C view, then walks
HostSec_GetInterfaceInfoAt through ctypes and checks, per interface: the name, the slot
count, and per slot the method name, return type, and each parameter's name and type
(spelled as the header spells them). Prints one line per difference; exit status 1 if any.
usage: check_header.py HEADER LIBRARY
"""
import ctypes
import re
import sys


class Param(ctypes.Structure):
    _fields_ = [("Name", ctypes.c_char_p), ("TypeName", ctypes.c_char_p), ("AbiKind", ctypes.c_uint32),
                ("Direction", ctypes.c_uint32), ("ValueKind", ctypes.c_uint32), ("IidIsParam", ctypes.c_int32),
                ("InterfaceIid", ctypes.c_void_p)]


class Method(ctypes.Structure):
    _fields_ = [("Name", ctypes.c_char_p), ("Slot", ctypes.c_uint32), ("ParamCount", ctypes.c_uint32),
                ("Params", ctypes.POINTER(Param)), ("ReturnTypeName", ctypes.c_char_p),
                ("ReturnAbiKind", ctypes.c_uint32), ("ReturnValueKind", ctypes.c_uint32)]


class Interface(ctypes.Structure):
    _fields_ = [("Name", ctypes.c_char_p), ("Iid", ctypes.c_void_p), ("BaseName", ctypes.c_char_p),
                ("MethodCount", ctypes.c_uint32), ("Methods", ctypes.POINTER(Method))]


def norm(t):
    """'HANDLE*' and 'HANDLE *' are the same type; keep one spelling."""
    t = re.sub(r"\s+", " ", t.strip())
    t = re.sub(r"\s*\*", " *", t)
    return t.replace("* *", "**")


def header_vtables(text):
    c_view = text[text.index("#else /* C */"):]
    vtables = {}
    for m in re.finditer(r"typedef struct (I\w+)Vtbl \{(.*?)\} \1Vtbl;", c_view, re.S):
        body = re.sub(r"/\*.*?\*/", "", m.group(2), flags=re.S)
        slots = []
        for ret, name, params in re.findall(
                r"(\w+)\s*\(\s*STDMETHODCALLTYPE\s*\*\s*(\w+)\s*\)\s*\(([^)]*)\)\s*;", body):
            args = [a.strip() for a in params.split(",")]
            this, rest = args[0], args[1:]
            assert this.endswith("This"), this
            decoded = []
            for a in rest:
                pm = re.match(r"(.*?)(\w+)$", a)
                decoded.append((pm.group(2), norm(pm.group(1))))
            slots.append((name, ret, decoded))
        vtables[m.group(1)] = slots
    return vtables


def main():
    header, library = sys.argv[1], sys.argv[2]
    vtables = header_vtables(open(header).read())
    lib = ctypes.CDLL(library)
    lib.HostSec_GetInterfaceInfoAt.argtypes = [ctypes.c_uint32, ctypes.POINTER(ctypes.POINTER(Interface))]
    lib.HostSec_GetInterfaceInfoAt.restype = ctypes.c_int32
    problems, described = [], []
    index = 0
    while True:
        info = ctypes.POINTER(Interface)()
        if lib.HostSec_GetInterfaceInfoAt(index, ctypes.byref(info)) != 0:
            break
        index += 1
        i = info.contents
        name = i.Name.decode()
        described.append(name)
        if name not in vtables:
            problems.append(f"{name}: no {name}Vtbl in the header")
            continue
        slots = vtables[name]
        if i.MethodCount != len(slots):
            problems.append(f"{name}: {i.MethodCount} slots described, {len(slots)} in the header")
        for s in range(min(i.MethodCount, len(slots))):
            m = i.Methods[s]
            h_name, h_ret, h_params = slots[s]
            where = f"{name} slot {s}"
            if m.Name.decode() != h_name:
                problems.append(f"{where}: described {m.Name.decode()}, header {h_name}")
            if m.Slot != s:
                problems.append(f"{where}: Slot field {m.Slot}")
            if m.ReturnTypeName.decode() != h_ret:
                problems.append(f"{where} {h_name}: returns {m.ReturnTypeName.decode()}, header {h_ret}")
            if m.ParamCount != len(h_params):
                problems.append(f"{where} {h_name}: {m.ParamCount} parameters, header {len(h_params)}")
            for p in range(min(m.ParamCount, len(h_params))):
                got = (m.Params[p].Name.decode(), norm(m.Params[p].TypeName.decode()))
                if got != h_params[p]:
                    problems.append(f"{where} {h_name} parameter {p}: described {got}, header {h_params[p]}")
        print(f"{name}: {i.MethodCount} slots checked")
    # The flat functions described: each against its prototype in the header.
    lib.HostSec_GetFunctionInfoAt.argtypes = [ctypes.c_uint32, ctypes.POINTER(ctypes.POINTER(Method))]
    lib.HostSec_GetFunctionInfoAt.restype = ctypes.c_int32
    text = re.sub(r"/\*.*?\*/", "", open(header).read(), flags=re.S)
    functions = []
    index = 0
    while True:
        info = ctypes.POINTER(Method)()
        if lib.HostSec_GetFunctionInfoAt(index, ctypes.byref(info)) != 0:
            break
        m = info.contents
        name = m.Name.decode()
        proto = re.search(r"\n([A-Za-z_][\w \t\*]*?)\s*\b" + re.escape(name) + r"\s*\(([^)]*)\)\s*;", text)
        if proto is None:
            problems.append(f"function {name}: no prototype in the header")
        else:
            h_params = []
            for a in [a.strip() for a in proto.group(2).split(",") if a.strip() != "void"]:
                # "char *const argv[]": the brackets belong to the type (char *const[]).
                pm = re.match(r"(.*?)(\w+)\s*(\[\])?$", a, re.S)
                h_params.append((pm.group(2), norm(pm.group(1).strip() + (pm.group(3) or ""))))
            if m.Slot != index:
                problems.append(f"function {name}: Slot field {m.Slot}, index {index}")
            if norm(m.ReturnTypeName.decode()) != norm(proto.group(1)):
                problems.append(f"function {name}: returns {m.ReturnTypeName.decode()}, header {proto.group(1)}")
            if m.ParamCount != len(h_params):
                problems.append(f"function {name}: {m.ParamCount} parameters, header {len(h_params)}")
            for p in range(min(m.ParamCount, len(h_params))):
                got = (m.Params[p].Name.decode(), norm(m.Params[p].TypeName.decode()))
                if got != h_params[p]:
                    problems.append(f"function {name} parameter {p}: described {got}, header {h_params[p]}")
        print(f"{name}: function checked")
        functions.append(name)
        index += 1
    # Every function the header declares is described.
    declared = set(re.findall(r"^(?:HRESULT|DWORD|const char \*)\s*(Dll\w+|HostSec_\w+)\s*\(", text, re.M))
    undescribed = sorted(declared - set(functions))
    if undescribed:
        problems.append(f"header functions without type information: {undescribed}")
    print(f"{len(declared)} header functions, {len(functions)} described")
    missing = sorted(set(vtables) - set(described))
    if missing:
        problems.append(f"header vtables without type information: {missing}")
    for p in problems:
        print("MISMATCH " + p)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
