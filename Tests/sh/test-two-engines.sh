#!/usr/bin/env bash
# Two engines in one process: a Swift program that links the HostSecurity product (its own
# copy of the engine) and dlopens libhostsec.so (another copy). Whichever copy is used second
# refuses every call with HOST_E_CLRNOTAVAILABLE (HostSecurityError.closed) from its first
# use, and neither reverts the other's impersonation, in both orders.
. "$(dirname "$0")/lib.sh" two-engines
. "$(dirname "$0")/swift-package.sh"

a_second_engine_in_one_process_refuses_at_first_use() {
    if [ "$(id -u)" -ne 0 ]; then ok "${FUNCNAME[0]} # skip: impersonating nobody needs root"; return; fi
    local dir
    dir=$(mktemp -d "$out/two-engines.XXXXXX")
    # shellcheck disable=SC2064
    trap "rm -rf '$dir'" RETURN
    swift_package_using_hostsecurity "$dir" twoengines "$root"
    cat >"$dir/Sources/twoengines/main.swift" <<'SWIFT'
import HostSecurity
#if canImport(Glibc)
import Glibc
#endif

typealias LogonUser = @convention(c) (UnsafePointer<CChar>?, UnsafeMutablePointer<UnsafeMutableRawPointer?>?) -> Int32
typealias OpenProcessToken = @convention(c) (UInt32, UnsafeMutablePointer<UnsafeMutableRawPointer?>?) -> Int32
typealias Impersonate = @convention(c) (UnsafeMutableRawPointer?) -> Int32
typealias Revert = @convention(c) () -> Int32
typealias CloseHandle = @convention(c) (UnsafeMutableRawPointer?) -> Int32

func euid() -> uid_t { geteuid() }  // the calling thread's: a system call, never cached
func hex(_ hr: Int32) -> String { "0x" + String(UInt32(bitPattern: hr), radix: 16, uppercase: true) }

let order = CommandLine.arguments[1], path = CommandLine.arguments[2]
guard let lib = dlopen(path, RTLD_NOW | RTLD_LOCAL) else {
    print("dlopen failed: \(String(cString: dlerror()))")
    exit(2)
}
func symbol<T>(_ name: String, _ type: T.Type) -> T { unsafeBitCast(dlsym(lib, name)!, to: type) }
let openProcessToken = symbol("HostSec_OpenProcessToken", OpenProcessToken.self)
let closeHandle = symbol("HostSec_CloseHandle", CloseHandle.self)

/// A call of the library's engine: its result.
func libraryCall() -> String {
    var handle: UnsafeMutableRawPointer? = nil
    let hr = openProcessToken(8, &handle)
    if handle != nil { _ = closeHandle(handle) }
    return "\(hex(hr)) handle \(handle == nil ? "NULL" : "set")"
}
/// A call of the program's own engine: its answer.
func swiftCall() -> String {
    do { return "current uid \(try Token.current()?.uid.description ?? "none")" } catch let error {
        return "error \(error) closed \(error == .closed)"
    }
}
/// Runs `call` on a new thread, one that impersonates nothing: the engine's first use there
/// records the process as it is.
nonisolated(unsafe) var onThread: () -> String = { "" }
nonisolated(unsafe) var threadAnswer = ""
func onAnotherThread(_ call: @escaping () -> String) -> String {
    onThread = call
    var thread = pthread_t()
    pthread_create(&thread, nil, { _ in threadAnswer = onThread(); return nil }, nil)
    pthread_join(thread, nil)
    return threadAnswer
}

switch order {
case "swift-first":
    // The program's engine is used first; the library's first use is on another thread, then
    // it is called on a thread the program's engine impersonates nobody on.
    let nobody = try Token.logon(user: "nobody")
    print("library on another thread: \(onAnotherThread(libraryCall))")
    try withImpersonation(of: nobody) {
        let before = euid()
        print("library in scope: \(libraryCall())")
        print("euid before \(before) after \(euid()) nobody \(nobody.uid)")
        print("swift engine in scope: \(swiftCall())")
    }
    print("after scope euid \(euid())")
case "library-first":
    var nobody: UnsafeMutableRawPointer? = nil
    let logon = symbol("HostSec_LogonUser", LogonUser.self)("nobody", &nobody)
    print("swift engine on another thread: \(onAnotherThread(swiftCall))")
    let impersonated = symbol("HostSecW32_ImpersonateLoggedOnUser", Impersonate.self)(nobody)
    let before = euid()
    print("library logon \(hex(logon)) impersonate \(impersonated) euid \(before)")
    print("swift engine: \(swiftCall())")
    print("euid before \(before) after \(euid())")
    print("library revert \(symbol("HostSecW32_RevertToSelf", Revert.self)()) euid \(euid())")
    _ = closeHandle(nobody)
default:
    exit(2)
}
SWIFT
    if ! (cd "$dir" && swift build --disable-automatic-resolution >"$dir/build.log" 2>&1); then
        fail "${FUNCNAME[0]}" "build: $(tail -20 "$dir/build.log")"
        return
    fi
    local bin=$dir/.build/debug/twoengines nobody first second
    nobody=$(id -u nobody)
    first=$("$bin" swift-first "$lib/libhostsec.so" 2>&1)
    echo "$first" | sed 's/^/    swift-first: /'
    second=$("$bin" library-first "$lib/libhostsec.so" 2>&1)
    echo "$second" | sed 's/^/    library-first: /'
    # Used second, the library refuses from its first use, and the program's impersonation
    # stands.
    grep -qx "library on another thread: 0x80131023 handle NULL" <<<"$first" &&
        grep -qx "library in scope: 0x80131023 handle NULL" <<<"$first" &&
        grep -qx "euid before $nobody after $nobody nobody $nobody" <<<"$first" &&
        grep -qx "swift engine in scope: current uid $nobody" <<<"$first" &&
        grep -qx "after scope euid 0" <<<"$first" ||
        { fail "${FUNCNAME[0]}" "the library, used second, did not refuse (or reverted the program's scope)"; return; }
    # Used second, the program's engine refuses from its first use, and the library's
    # impersonation stands.
    grep -qx "swift engine on another thread: error HOST_E_CLRNOTAVAILABLE (0x80131023) closed true" <<<"$second" &&
        grep -qx "library logon 0x0 impersonate 1 euid $nobody" <<<"$second" &&
        grep -qx "swift engine: error HOST_E_CLRNOTAVAILABLE (0x80131023) closed true" <<<"$second" &&
        grep -qx "euid before $nobody after $nobody" <<<"$second" &&
        grep -qx "library revert 1 euid 0" <<<"$second" ||
        { fail "${FUNCNAME[0]}" "the Swift engine, used second, did not refuse (or reverted the library's impersonation)"; return; }
    ok "${FUNCNAME[0]}"
}

a_second_engine_in_one_process_refuses_at_first_use
finish
