// swift-tools-version:6.0
// A Swift program that serves file requests, each as the user who asked, in async code.
import Foundation
import PackageDescription

// A path dependency is named after its folder, whatever the clone is called.
let root = URL(fileURLWithPath: Context.packageDirectory).appendingPathComponent("../..").standardized.lastPathComponent

let package = Package(
    name: "swift-request-as-user",
    dependencies: [.package(path: "../..")],
    targets: [
        .executableTarget(
            name: "swift-request-as-user",
            dependencies: [.product(name: "HostSecurity", package: root)])
    ]
)
