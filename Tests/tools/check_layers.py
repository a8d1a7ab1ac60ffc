"""The layers of Sources/HostSec depend one way (docs/design.md, "Layers"): Core and System know
nothing of Exports or Embedding, Win32 neither, and Embedding nothing of Exports (the exports
call into the embedding layer, never the reverse). Collects the types and top-level functions
each layer declares and reports every use of one by a layer that must not know it (comments
and strings ignored). Two rules about how the faces reach the core:
  - no layer but Core names `HandleTable.shared`: a face reaches handles through the engine's
    operations (`Engine.openedToken(_:requiring:)`, `closeHandle`, ...), never the table;
  - Win32 never calls `ensureOpen`: whether the library is open is the engine's question.
usage: check_layers.py SOURCES_DIR   (prints one line per violation; exit 1 if any)
"""
import os
import re
import sys

FORBIDDEN = {  # layer: the layers whose names it must not use
    "Core": ["Exports", "Embedding"],
    "System": ["Exports", "Embedding"],
    "Embedding": ["Exports"],
    "Win32": ["Exports", "Embedding"],
}
# System is the floor (docs/design.md): it speaks in ids, bytes and result types of its own,
# and names nothing of a layer above it.
FORBIDDEN["System"] = ["Core", "Exports", "Embedding", "Win32"]
# layer (None: every layer but Core): expressions it must not use, with the reason printed.
FORBIDDEN_USES = [
    (None, r"\bHandleTable\s*\.\s*shared\b", "HandleTable.shared (reach handles through the engine)"),
    ("Win32", r"\bensureOpen\s*\(", "ensureOpen (the engine's operations check it)"),
]
DECL = re.compile(r"^(?:@\w+(?:\([^)]*\))?\s+)*(?:(?:public|package|internal|private|fileprivate|final|"
                  r"nonisolated\(unsafe\))\s+)*(?:enum|struct|class|protocol|func|typealias)\s+(\w+)", re.M)


def strip(text):
    text = re.sub(r"/\*.*?\*/", "", text, flags=re.S)
    text = re.sub(r'"(?:\\.|[^"\\])*"', '""', text)
    return re.sub(r"//[^\n]*", "", text)


def main():
    root = sys.argv[1]
    sources, names = {}, {}
    for layer in sorted(os.listdir(root)):
        path = os.path.join(root, layer)
        if not os.path.isdir(path):
            continue
        sources[layer] = {}
        names[layer] = set()
        for f in sorted(os.listdir(path)):
            if f.endswith(".swift"):
                text = strip(open(os.path.join(path, f)).read())
                sources[layer][f] = text
                # Only declarations at the top level (no indentation): a layer's own names.
                names[layer] |= set(DECL.findall("\n".join(l for l in text.split("\n") if not l.startswith(" "))))
    problems = 0
    for layer, banned in FORBIDDEN.items():
        for other in banned:
            for name in sorted(names.get(other, ())):
                for f, text in sources.get(layer, {}).items():
                    if re.search(r"(?<![\w.])" + re.escape(name) + r"\b", text):
                        print(f"{layer}/{f} uses {name} of {other}")
                        problems += 1
    for only, pattern, what in FORBIDDEN_USES:
        for layer in sorted(sources):
            if (only is None and layer == "Core") or (only is not None and layer != only):
                continue
            for f, text in sorted(sources[layer].items()):
                for match in re.finditer(pattern, text):
                    line = text.count("\n", 0, match.start()) + 1
                    print(f"{layer}/{f}:{line} uses {what}")
                    problems += 1
    print(f"{sum(len(v) for v in names.values())} names in {len(names)} layers checked")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
