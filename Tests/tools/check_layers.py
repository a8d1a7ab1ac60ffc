"""The layers of Sources/HostSec depend one way (DESIGN.md): Core and System know nothing of
Exports or Embedding, Win32 neither, and Embedding nothing of Exports (the exports call into the embedding
layer, never the reverse). Collects the types and top-level functions each layer declares and
reports every use of one by a layer that must not know it (comments and strings ignored).
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
DECL = re.compile(r"^(?:@\w+(?:\([^)]*\))?\s+)*(?:(?:public|internal|private|fileprivate|final|nonisolated\(unsafe\))\s+)*"
                  r"(?:enum|struct|class|protocol|func|typealias)\s+(\w+)", re.M)


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
    print(f"{sum(len(v) for v in names.values())} names in {len(names)} layers checked")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
