#!/usr/bin/env bash
# scripts/docs: the DocC archive documents the HostSecurity module only (not HostSec, the
# internal core it is built on), and the script says how to view it; served as it says, the
# HostSecurity page and its data load.
. "$(dirname "$0")/lib.sh" swift-docc

if ! "$root/scripts/docs" >"$out/stdout" 2>"$out/stderr"; then
    fail docs_archive_builds "$(tail -30 "$out/stderr")"
    finish
    exit
fi
archive=$root/$(tail -1 "$out/stdout")

modules=$(python3 -c '
import json, sys
index = json.load(open(sys.argv[1] + "/index/index.json"))
print(" ".join(node["title"] for node in index["interfaceLanguages"]["swift"] if node.get("type") == "module"))
' "$archive")
if [ "$modules" = HostSecurity ] && [ ! -e "$archive/data/documentation/hostsec.json" ]; then
    ok docs_archive_lists_HostSecurity_and_not_the_core_module
else
    fail docs_archive_lists_HostSecurity_and_not_the_core_module \
        "modules: $modules; pages: $(find "$archive/data/documentation" -maxdepth 1 -name "*.json" -printf "%f ")"
fi

# The instructions name a command that serves the archive and the page to open.
command=$(grep -o 'python3 -m http.server .*' "$out/stderr" | head -1)
page=$(grep -o 'http://localhost:[0-9]*/documentation/hostsecurity/' "$out/stderr" | head -1)
if [ -z "$command" ] || [ -z "$page" ]; then
    fail docs_script_says_how_to_view_the_archive "$(tail -10 "$out/stderr")"
else
    # Served as the script says, on a free port instead of its 8000.
    port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
    (cd "$root" && exec python3 -m http.server "$port" --bind 127.0.0.1 --directory "$archive" >"$out/server.log" 2>&1) &
    server=$!
    trap 'kill "$server" 2>/dev/null' EXIT
    url=${page/:[0-9]*\//:$port/}
    got=""
    for _ in $(seq 50); do
        got=$(curl -s -o /dev/null -w '%{http_code}' "$url") && [ "$got" = 200 ] && break
        sleep 0.1
    done
    data=$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$port/data/documentation/hostsecurity.json")
    if [ "$got" = 200 ] && [ "$data" = 200 ]; then
        ok docs_script_says_how_to_view_the_archive
    else
        fail docs_script_says_how_to_view_the_archive "page $url: $got; data: $data"
    fi
    kill "$server" 2>/dev/null
    wait "$server" 2>/dev/null
fi
finish
