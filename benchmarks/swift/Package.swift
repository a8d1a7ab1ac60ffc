// swift-tools-version:6.0
// Benchmarks of the HostSecurity async scopes, against baselines measured in the same run.
// Run with scripts/bench-swift (release build, as root).
import Foundation
import PackageDescription

// A path dependency is named after its folder, whatever the clone is called.
let root = URL(fileURLWithPath: Context.packageDirectory).appendingPathComponent("../..").standardized.lastPathComponent

let package = Package(
    name: "scope-bench",
    dependencies: [.package(path: "../..")],
    targets: [
        .executableTarget(
            name: "scope-bench",
            dependencies: [.product(name: "HostSecurity", package: root)])
    ]
)
