// swift-tools-version:6.0
import PackageDescription

// The shared library a C host links or dlopens. Its link flags live on the thin
// HostSecLibrary target only, so `swift test` can still link the core into a test binary.
let exportFlags: [String] = [
    "-static-stdlib",
    "-use-ld=lld",
    "-Xlinker", "-soname", "-Xlinker", "libhostsec.so.1",
    "-Xlinker", "--version-script=\(Context.packageDirectory)/hostsec.map",
    "-Xlinker", "-z", "-Xlinker", "nodelete",
    "-Xlinker", "-z", "-Xlinker", "now",
    "-Xlinker", "-z", "-Xlinker", "relro",
]

let package = Package(
    name: "hostsec",
    products: [
        .library(name: "hostsec", type: .dynamic, targets: ["HostSecLibrary"]),
        // The Swift API on the same core, linked into the program that uses it (no .so to
        // find at run time). Carries no unsafe flags, so packages can depend on it.
        .library(name: "HostSecurity", targets: ["HostSecurity"]),
    ],
    targets: [
        // Base typedefs, the public header (include/) and the few C helpers Swift cannot
        // express (raw syscalls, thread-local storage, IID data, the HRESULT name table).
        .target(
            name: "CHostSec",
            path: ".",
            sources: ["Sources/CHostSec"],
            publicHeadersPath: "include",
            cSettings: [.define("_GNU_SOURCE")]
        ),
        // libffi's header for the embedding layer (invoker, tracer).
        .systemLibrary(name: "CLibFFI", path: "Sources/CLibFFI"),
        // Core, System, Exports and Embedding layers.
        .target(
            name: "HostSec",
            dependencies: ["CHostSec", "CLibFFI"],
            path: "Sources/HostSec",
            linkerSettings: [.linkedLibrary("ffi"), .linkedLibrary("pam")]
        ),
        .target(
            name: "HostSecLibrary",
            dependencies: ["HostSec"],
            path: "Sources/HostSecLibrary",
            linkerSettings: [.unsafeFlags(exportFlags)]
        ),
        // Swift API layer: typed tokens, scoped impersonation and the identity executors
        // that carry a token through async code.
        .target(
            name: "HostSecurity",
            dependencies: ["HostSec", "CHostSec"],
            path: "Sources/HostSecurity"
        ),
        // What both test targets share: the fault-injecting credential seam. In no product.
        .target(
            name: "HostSecTestSupport",
            dependencies: ["HostSec"],
            path: "Tests/HostSecTestSupport"
        ),
        .testTarget(
            name: "HostSecurityTests",
            dependencies: ["HostSecurity", "HostSec", "CHostSec", "HostSecTestSupport"],
            path: "Tests/HostSecurityTests"
        ),
        .testTarget(
            name: "HostSecTests",
            dependencies: ["HostSec", "HostSecTestSupport"],
            path: "Tests/HostSecTests"
        ),
    ]
)
