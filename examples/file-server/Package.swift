// swift-tools-version:6.1
// hostsec-fileserver: a per-user file service over HTTP. Each request is authenticated with
// the account's password (PAM) and every file operation runs as that account, so the kernel
// decides what it may read, write and delete.
import Foundation
import PackageDescription

// A path dependency is named after its folder, whatever the clone is called.
let root = URL(fileURLWithPath: Context.packageDirectory).appendingPathComponent("../..").standardized.lastPathComponent

let package = Package(
    name: "file-server",
    products: [
        .executable(name: "hostsec-fileserver", targets: ["hostsec-fileserver"])
    ],
    dependencies: [
        .package(path: "../.."),
        // Without swift-configuration (a default trait): the server reads no configuration files.
        .package(
            url: "https://github.com/hummingbird-project/hummingbird.git", from: "2.28.1", traits: ["FullFoundation"]),
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-crypto.git", from: "4.5.2"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.13.0"),
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-nio-extras.git", from: "1.35.2"),
        .package(url: "https://github.com/apple/swift-http-types.git", from: "1.8.0"),
        .package(url: "https://github.com/swift-server/async-http-client.git", from: "1.37.0"),
    ],
    targets: [
        // The raw syscalls Swift cannot call directly (syscall(2) is variadic): the thread's
        // own credentials, openat2 with RESOLVE_BENEATH, O_TMPFILE files linked into place.
        .target(name: "CFileServer", cSettings: [.define("_GNU_SOURCE")]),
        .target(
            name: "FileServer",
            dependencies: [
                "CFileServer",
                .product(name: "HostSecurity", package: root),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTPTypes", package: "swift-nio-extras"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
            ]
        ),
        .executableTarget(
            name: "hostsec-fileserver",
            dependencies: [
                "FileServer",
                "CFileServer",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]
        ),
        .testTarget(
            name: "FileServerTests",
            dependencies: [
                "FileServer",
                "CFileServer",
                .product(name: "HostSecurity", package: root),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]
        ),
    ]
)
