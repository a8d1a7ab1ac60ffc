#!/usr/bin/env bash
# A package outside the repository that depends on this one by path (no network) can
# `import HostSecurity`, use the API's names, and `swift run` with no extra step: the product
# is linked into the program, so there is no libhostsec.so to find at run time.
set -euo pipefail
root=${HOSTSEC_ROOT:-$(cd "$(dirname "$0")/../.." && pwd)}
out=${HOSTSEC_TEST_OUT:-/tmp}
dir=$(mktemp -d "$out/package-user.XXXXXX")
trap 'rm -rf "$dir"' EXIT
. "$(dirname "$0")/swift-package.sh"
swift_package_using_hostsecurity "$dir" user "$root"
cat >"$dir/Sources/user/main.swift" <<'SWIFT'
import HostSecurity

let me = try Token.process()
let nobody = try Token.logon(user: "nobody")
let uid = try await withImpersonation(of: nobody, requiring: .identification) { () async throws -> UserID? in
    await Task.yield()
    return try Token.current()?.uid
}
do { _ = try Token.logon(user: "no-such-user-hostsec") } catch let error as HostSecurityError {
    print("error: \(error) \(error == .noneMapped)")
}
let context = try SecurityContext.capture()
print("process uid \(me.uid) kind \(me.kind); in scope \(uid.map(String.init) ?? "none") (nobody \(nobody.uid)); context self \(context.token == nil)")
SWIFT
cd "$dir"
swift build --disable-automatic-resolution >&2 2>&1 | tail -3 >&2
result=$(swift run --skip-build user)
echo "$result"
grep -q "error: HRESULT_FROM_WIN32(ERROR_NONE_MAPPED) (0x80070534) true" <<<"$result"
grep -q "in scope $(id -u nobody) (nobody $(id -u nobody)); context self true" <<<"$result"
if ldd .build/debug/user | grep -q hostsec; then
    echo "FAIL package_outside_the_repository_imports_HostSecurity_and_runs: the program loads libhostsec.so"
    exit 1
fi
echo "ok   package_outside_the_repository_imports_HostSecurity_and_runs"
