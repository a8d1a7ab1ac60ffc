# shellcheck shell=bash
# Shared by the tests that build a Swift package outside the repository:
#   . "$(dirname "$0")/swift-package.sh"
# swift_package_using_hostsecurity DIR NAME ROOT: writes DIR/Package.swift for an executable
# NAME (its main.swift goes in DIR/Sources/NAME, made here) that depends by path (no network)
# on the checkout at ROOT and links its HostSecurity product.
swift_package_using_hostsecurity() {
    local dir=$1 name=$2 root=$3
    mkdir -p "$dir/Sources/$name"
    cat >"$dir/Package.swift" <<SWIFT
// swift-tools-version:6.0
import PackageDescription
let package = Package(
    name: "$name",
    dependencies: [.package(path: "$root")],
    targets: [.executableTarget(name: "$name", dependencies: [.product(name: "HostSecurity", package: "$(basename "$root")")])]
)
SWIFT
}
