#!/usr/bin/env bash
# The Swift samples a newcomer copies:
#   - README.md's Swift quick start, built as written in a package of its own that depends on
#     this checkout by path (two substitutions: the clone's path for ../hostsec, and its folder
#     name as the package's), run as root: nobody's uid in the scope, itself again after it;
#     run without CAP_SETUID/CAP_SETGID: a message that the scope was refused, exit 0, no crash;
#   - docs/swift.md's sample type-checks against the HostSecurity module.
. "$(dirname "$0")/lib.sh" swift-quick-start

# swift_block FILE HEADING N: the Nth ```swift block after the line HEADING in FILE.
swift_block() {
    python3 - "$1" "$2" "$3" <<'PY'
import sys
text = open(sys.argv[1]).read()
start = text.index(sys.argv[2] + "\n")
blocks = text[start:].split("```swift\n")[1:]
print(blocks[int(sys.argv[3]) - 1].split("```")[0], end="")
PY
}

readme_swift_quick_start_runs_and_handles_privilege_not_held() {
    local name=${FUNCNAME[0]} dir=$out/server output status nobody
    [ "$(id -u)" -eq 0 ] || { echo "skip $name: needs root (the quick start acts as nobody)"; return; }
    mkdir -p "$dir/Sources/server"
    swift_block "$root/README.md" "## Quick start for Swift" 1 \
        | sed -e "s|\"../hostsec\"|\"$root\"|" -e "s|package: \"hostsec\"|package: \"$(basename "$root")\"|" \
            >"$dir/Package.swift"
    swift_block "$root/README.md" "## Quick start for Swift" 2 >"$dir/Sources/server/main.swift"
    if ! (cd "$dir" && swift build --disable-automatic-resolution >"$out/build.log" 2>&1); then
        fail "$name" "build: $(tail -20 "$out/build.log")"
        return
    fi
    nobody=$(id -u nobody)
    output=$("$dir/.build/debug/server" 2>&1)
    if ! grep -q "^in the scope: uid $nobody; after it: myself again$" <<<"$output"; then
        fail "$name" "as root: $output"
        return
    fi
    output=$(setpriv --inh-caps=-all --bounding-set=-setuid,-setgid -- "$dir/.build/debug/server" 2>&1)
    status=$?
    echo "$output" | head -3 | sed 's/^/    without CAP_SETUID: /'
    if [ $status -ne 0 ] || ! grep -q "lacks CAP_SETUID/CAP_SETGID" <<<"$output"; then
        fail "$name" "without CAP_SETUID/CAP_SETGID: exit $status: $(head -5 <<<"$output")"
        return
    fi
    ok "$name"
}

docs_swift_sample_compiles() {
    local name=${FUNCNAME[0]} modules
    if ! (cd "$root" && swift build --target HostSecurity >"$out/module.log" 2>&1); then
        fail "$name" "build: $(tail -20 "$out/module.log")"
        return
    fi
    modules=$(cd "$root" && swift build --show-bin-path)/Modules
    swift_block "$root/docs/swift.md" "# The Swift API: HostSecurity" 1 >"$out/sample.swift"
    if swiftc -swift-version 6 -typecheck -I "$modules" -I "$root/include" -I "$root/Sources/CLibFFI" \
        "$out/sample.swift" >"$out/sample.log" 2>&1 && ! grep -q "warning" "$out/sample.log"; then
        ok "$name"
    else
        fail "$name" "$(head -30 "$out/sample.log")"
    fi
}

command -v setpriv >/dev/null || { echo "setpriv (util-linux) is missing" >&2; exit 1; }
readme_swift_quick_start_runs_and_handles_privilege_not_held
docs_swift_sample_compiles
finish
