#!/usr/bin/env bash
# examples/swift-request-as-user: a file readable only by root is refused to nobody and served to root,
# from the same async program; an unknown user gets ERROR_NONE_MAPPED.
set -euo pipefail
root=${HOSTSEC_ROOT:-$(cd "$(dirname "$0")/../.." && pwd)}
out=${HOSTSEC_TEST_OUT:-/tmp}
if [ "$(id -u)" -ne 0 ]; then echo "skip: needs root (the example acts as other users)"; exit 77; fi
secret=$(mktemp "$out/secret.XXXXXX"); chmod 600 "$secret"; printf 'twelve bytes' >"$secret"
open=$(mktemp "$out/open.XXXXXX"); chmod 644 "$open"; printf 'hello' >"$open"
trap 'rm -f "$secret" "$open"' EXIT
cd "$root/examples/swift-request-as-user"
swift build --scratch-path "$out/swift-request-as-user-build" >&2
result=$("$out/swift-request-as-user-build/debug/swift-request-as-user" "nobody:$secret" "root:$secret" "nobody:$open" "no-such-user-hostsec:$open")
echo "$result"
grep -q "^nobody: $secret: permission denied" <<<"$result"
grep -q "^root: $secret: 12 bytes" <<<"$result"
grep -q "^nobody: $open: 5 bytes" <<<"$result"
grep -q "^no-such-user-hostsec: HRESULT_FROM_WIN32(ERROR_NONE_MAPPED)" <<<"$result"
echo "ok   swift_example_serves_each_request_as_its_user"
