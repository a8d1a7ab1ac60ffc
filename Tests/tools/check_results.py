"""Checks that hostsec.h and hostsec_win32.h document every result, function by function.

Static checks, on the headers alone:
  - every function and method the headers declare has a doc block of its own;
  - each doc block of a function or method returning an HRESULT names at least one result,
    and every HRESULT it names is one the library returns (HOSTSEC_HRESULT_RETURNED);
  - every ERROR_ name a HostSecW32_ doc block gives is defined by the headers;
  - a doc block that refers to "Common results" is in a header that has that section.
With a probe's output (probe.py: "<name> TAB <result> TAB <phase>" lines), also:
  - every result the library returned is named in that function's doc block; a result of a
    call made from inside the library (phase "reentry") may instead be one of the section
    "Common results" when the doc block refers to it.
Prints one line per problem; exit status 1 if any.

usage: check_results.py HOSTSEC_H HOSTSEC_WIN32_H [PROBE_OUTPUT]
"""
import re
import sys

RESULT = re.compile(r"HRESULT_FROM_WIN32\((ERROR_\w+)\)|(?<![A-Z_])(S_OK|S_FALSE|(?:CLASS_|HOST_)?E_[A-Z_]+)(?![A-Z_])")
ERROR = re.compile(r"(?<![A-Z_(])ERROR_[A-Z_]+")


def prose(comment):
    """A doc comment's text without the comment markers, in one line."""
    text = re.sub(r"^\s*/\*\*?|\*/\s*$", "", comment)
    return re.sub(r"\s+", " ", " ".join(re.sub(r"^\s*\*( |$)", "", line) for line in text.splitlines())).strip()


def compact(text):
    return re.sub(r"\s+", "", text)


def results_in(text):
    """Every HRESULT a text names, spelled as HostSec_HResultName spells it."""
    return {f"HRESULT_FROM_WIN32({w})" if w else x for w, x in RESULT.findall(compact(text))}


def declarations(text, pattern):
    """(name, doc or None) for each declaration matching pattern, with the doc comment that
    ends right before it."""
    found = []
    for m in re.finditer(pattern, text, re.M):
        before = text[:m.start()].rstrip()
        doc = None
        if before.endswith("*/"):
            start = before.rfind("/**")
            if start >= 0 and "*/" not in before[start:-2]:
                doc = prose(before[start:])
        found.append((m.group("name"), doc))
    return found


def common_section(text):
    """The names the header's "Common results" section gives, or None without one."""
    m = re.search(r"^ \* Common results(?:[^\n]*)\n((?: \*[^\n]*\n)+?) \*\n", text, re.M)
    if m is None:
        return None
    section = m.group(1)
    return results_in(section) | set(ERROR.findall(compact(section)))


def hostsec_docs(text):
    docs = {}
    for name, doc in declarations(text, r"^(?:HRESULT|DWORD|const char \*)\s*(?P<name>(?:Dll|HostSec_)\w+)\s*\("):
        docs[name] = doc
    c_view = text[text.index("#else /* C */"):]
    for m in re.finditer(r"typedef struct (I\w+)Vtbl \{(.*?)\} \1Vtbl;", c_view, re.S):
        interface, body = m.group(1), m.group(2)
        for name, doc in declarations(body, r"^\s*(?:HRESULT|ULONG)\(STDMETHODCALLTYPE \*(?P<name>\w+)\)"):
            if interface != "IUnknown" and name in ("QueryInterface", "AddRef", "Release"):
                continue  # IUnknown's slots, documented once in IUnknownVtbl
            docs[f"{interface}::{name}"] = doc
    return docs


def main():
    hostsec_h, win32_h = sys.argv[1], sys.argv[2]
    text, win32_text = open(hostsec_h).read(), open(win32_h).read()
    problems = []
    table = re.search(r"#define HOSTSEC_HRESULT_RETURNED\(X, W\)(.*?)\n\n", text, re.S).group(1)
    returned = set(re.findall(r"\bX\((\w+),", table)) | {f"HRESULT_FROM_WIN32({w})"
                                                         for w in re.findall(r"\bW\((\w+),", table)}
    common = {hostsec_h: common_section(text), win32_h: common_section(win32_text)}
    defined_errors = set(re.findall(r"#define (ERROR_\w+) \d+L", text + win32_text))

    docs = hostsec_docs(text)
    hresult_functions = set(re.findall(r"^HRESULT\s+(\w+)\s*\(", text, re.M)) | {
        k for k in docs if "::" in k and k.split("::")[1] not in ("AddRef", "Release")}
    for name, doc in sorted(docs.items()):
        if doc is None:
            problems.append(f"{name}: no doc block")
            continue
        named = results_in(doc)
        if name in hresult_functions and not named:
            problems.append(f"{name}: its doc block names no result")
        for r in sorted(named - returned):
            problems.append(f"{name}: names {r}, which the library never returns (not in HOSTSEC_HRESULT_RETURNED)")
        if "Common results" in doc and common[hostsec_h] is None:
            problems.append(f"{name}: refers to Common results, which hostsec.h does not have")
    win32_docs = dict(declarations(
        win32_text, r"^(?:BOOL|BOOLEAN|DWORD|PVOID|PDWORD|PUCHAR|HLOCAL|HANDLE|void)\s+(?P<name>HostSecW32_\w+)\s*\("))
    for name, doc in sorted(win32_docs.items()):
        if doc is None:
            problems.append(f"{name}: no doc block")
            continue
        for e in sorted(set(ERROR.findall(compact(doc))) - defined_errors):
            problems.append(f"{name}: names {e}, which the headers do not define")
        if "Common results" in doc and common[win32_h] is None:
            problems.append(f"{name}: refers to Common results, which hostsec_win32.h does not have")
    print(f"{len(docs)} hostsec.h functions and methods, {len(win32_docs)} HostSecW32_ functions documented")

    if len(sys.argv) > 3:
        observed = 0
        for line in open(sys.argv[3]):
            if line.startswith("#") or not line.strip():
                continue
            name, result, phase = line.rstrip("\n").split("\t")
            observed += 1
            all_docs, header = (win32_docs, win32_h) if name.startswith("HostSecW32_") else (docs, hostsec_h)
            doc = all_docs.get(name)
            if doc is None:
                problems.append(f"{name}: returned {result} ({phase}), and has no doc block")
                continue
            if result == "last error unchanged":
                listed = "unchanged" in doc
            elif name.startswith("HostSecW32_"):
                listed = re.search(r"(?<![A-Z_(])" + re.escape(result) + r"(?![A-Z_])", compact(doc)) is not None
            else:
                listed = result in results_in(doc)
            if not listed and phase == "reentry" and "Common results" in doc:
                listed = result in (common[header] or set())
            if not listed:
                problems.append(f"{name}: returned {result} ({phase}), which its doc block does not list")
        print(f"{observed} results observed")
    for p in problems:
        print("UNDOCUMENTED " + p)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
