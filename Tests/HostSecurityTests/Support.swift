import Foundation
import Synchronization
import Testing
@testable import HostSecurity
import HostSecTestSupport
import struct HostSec.KernelCredentialSyscalls

/// A thread's kernel credentials as the tests compare them, read with raw syscalls each
/// time (getresuid, getresgid, getgroups): never a value the library cached.
struct Creds: Equatable, Sendable, CustomStringConvertible {
    var ruid: UInt32, euid: UInt32, rgid: UInt32, egid: UInt32
    var groups: [UInt32]

    static func kernel() -> Creds {
        let sys = KernelCredentialSyscalls()
        let (ruid, euid, _) = try! sys.getresuid()
        let (rgid, egid, _) = try! sys.getresgid()
        // A reserved real uid (0xF0000000-0xFFFFFFFD; which one depends on the thread's random
        // key) reads as `reservedRealUid`.
        let reserved = ruid.rawValue >= 0xF000_0000 && ruid.rawValue <= 0xFFFF_FFFD
        return Creds(
            ruid: reserved ? Self.reservedRealUid : ruid.rawValue, euid: euid.rawValue,
            rgid: rgid.rawValue, egid: egid.rawValue,
            groups: try! sys.getgroups().map(\.rawValue))
    }

    init(ruid: UInt32, euid: UInt32, rgid: UInt32, egid: UInt32, groups: [UInt32]) {
        self.ruid = ruid; self.euid = euid; self.rgid = rgid; self.egid = egid
        self.groups = groups.sorted()
    }

    /// What a thread acting as `token` holds: a reserved real uid, which no account holds
    /// (docs/design.md, "Which ids change"), unless the token's uid is the process's own.
    init(of token: Token) {
        let uid = token.uid.rawValue
        let ruid = uid == processCreds.ruid && uid == processCreds.euid ? uid : Self.reservedRealUid
        self.init(
            ruid: ruid, euid: uid, rgid: token.gid.rawValue, egid: token.gid.rawValue,
            groups: token.groups.map(\.rawValue))
    }

    /// Stands for "a reserved real uid".
    static let reservedRealUid: UInt32 = 0xF000_0000

    var description: String { "uid \(ruid)/\(euid) gid \(rgid)/\(egid) groups \(groups)" }
}

/// The credentials of threads outside every scope: the main thread's, from the kernel
/// (/proc/PID/status describes the thread-group leader, which the tests never impersonate).
let processCreds: Creds = {
    let status = try! String(contentsOfFile: "/proc/\(getpid())/task/\(getpid())/status", encoding: .utf8)
    func field(_ name: String) -> [UInt32] {
        let line = status.split(separator: "\n").first { $0.hasPrefix(name + ":") }!
        return line.split(whereSeparator: { $0 == "\t" || $0 == " " }).dropFirst().compactMap { UInt32($0) }
    }
    let uids = field("Uid"), gids = field("Gid")
    return Creds(ruid: uids[0], euid: uids[1], rgid: gids[0], egid: gids[1], groups: field("Groups"))
}()

/// Eight accounts the tests make (as root): hs-swift-0 ... hs-swift-7, each with a group of
/// its own; the even ones are also in hs-swift-even, so groups differ too.
enum TestAccounts {
    static let names = (0..<8).map { "hs-swift-\($0)" }
    /// Two more, used only by the fail-closed test (so no other test's idle executor holds them).
    static let spare = ["hs-swift-8", "hs-swift-9"]

    static let ready: Bool = {
        guard privileged else { return false }
        // Removed when the test process exits, however the tests ended (the accounts have no
        // password: no logon can use one meanwhile).
        atexit { TestAccounts.remove() }
        if getgrnam("hs-swift-even") == nil { run(["groupadd", "--system", "hs-swift-even"]) }
        for (i, name) in (names + spare).enumerated() where getpwnam(name) == nil {
            var args = ["useradd", "--system", "--no-create-home", "--user-group", "--shell", "/usr/sbin/nologin"]
            if i % 2 == 0 { args += ["--groups", "hs-swift-even"] }
            run(args + [name])
        }
        return (names + spare).allSatisfy { getpwnam($0) != nil }
    }()

    static func tokens() throws -> [Token] { try names.map { try Token.logon(user: $0) } }

    /// Deletes the accounts and their group (at exit; also what a test run left behind).
    static func remove() {
        for name in names + spare where getpwnam(name) != nil { run(["userdel", name]) }
        if getgrnam("hs-swift-even") != nil { run(["groupdel", "hs-swift-even"]) }
    }

    private static func run(_ args: [String]) {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/sbin/" + args[0])
        p.arguments = Array(args.dropFirst())
        p.standardOutput = FileHandle.nullDevice
        p.standardError = FileHandle.nullDevice
        try? p.run()
        p.waitUntilExit()
    }
}

/// A synchronous scope entered from async code, as a synchronous function that async code
/// calls would enter it (async code cannot name the synchronous `withImpersonation`: it is
/// `noasync`).
func synchronousScope<R>(
    of token: Token, requiring level: ImpersonationLevel = .impersonation, _ body: () throws -> R
) throws -> R {
    try withImpersonation(of: token, requiring: level, body)
}

/// Uids of the process's threads now, from /proc (the kernel's view of every thread).
func threadUids() -> [UInt32] {
    let tasks = (try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/task")) ?? []
    return tasks.compactMap { tid in
        guard let status = try? String(contentsOfFile: "/proc/self/task/\(tid)/status", encoding: .utf8),
            let line = status.split(separator: "\n").first(where: { $0.hasPrefix("Uid:") })
        else { return nil }
        return line.split(whereSeparator: { $0 == "\t" || $0 == " " }).dropFirst().first.flatMap { UInt32($0) }
    }
}

/// Waits (up to 5 s) until no thread of the process has `uid` as its real uid.
func noThreadHolds(uid: UserID) async -> Bool {
    for _ in 0..<500 {
        if !threadUids().contains(uid.rawValue) { return true }
        try? await Task.sleep(for: .milliseconds(10))
    }
    return false
}

/// A default actor that records the credentials its code runs under.
actor Ledger {
    private(set) var calls = 0
    /// Returns true when the actor's code runs as `expected` or as the process: never as a
    /// third identity.
    func visit(expecting expected: Creds) -> Bool {
        calls += 1
        let now = Creds.kernel()
        return now == expected || now == processCreds
    }
}

let needsAccounts = Testing.ConditionTrait.enabled(
    if: TestAccounts.ready,
    "needs root with CAP_SETUID and CAP_SETGID (CI runs as root); test-swift-unprivileged covers the case without them")
