// Accounts with passwords, made by the tests (useradd + chpasswd), and a server on a free
// loopback port in this process, reached with AsyncHTTPClient.
import AsyncHTTPClient
import FileServer
import Foundation
import HostSecurity
import Logging
import NIOCore
import NIOHTTP1
import ServiceLifecycle
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// Runs a command, returning its standard output (throws on a non-zero status).
@discardableResult
func sh(_ command: String, input: String? = nil) throws -> String {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/bin/sh")
    process.arguments = ["-c", command]
    let out = Pipe(), inPipe = Pipe()
    process.standardOutput = out
    if input != nil { process.standardInput = inPipe }
    try process.run()
    if let input {
        inPipe.fileHandleForWriting.write(Data(input.utf8))
        try inPipe.fileHandleForWriting.close()
    }
    let data = out.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    guard process.terminationStatus == 0 else {
        throw NSError(
            domain: "sh", code: Int(process.terminationStatus), userInfo: [NSLocalizedDescriptionKey: command])
    }
    return String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
}

struct Account: Sendable {
    let name: String
    let password: String
    let uid: UInt32
    let gid: UInt32

    var authorization: String { "Basic " + Data("\(name):\(password)".utf8).base64EncodedString() }
}

/// A random password: 24 characters from the system's random source (getrandom).
func randomPassword() -> String {
    let alphabet = Array("ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789")
    var generator = SystemRandomNumberGenerator()
    return String((0..<24).map { _ in alphabet.randomElement(using: &generator)! })
}

/// Makes an account with a random password (shell /bin/sh), removed when the test process
/// exits (``Accounts/removeAtExit``) or earlier by `remove`.
func makeAccount(_ name: String, shell: String = "/bin/sh", system: Bool = false) throws -> Account {
    Accounts.removeAtExit(name)
    _ = try? sh("userdel \(name) 2>/dev/null")
    try sh("useradd -M -s \(shell) \(system ? "--system " : "")\(name)")
    _ = try? sh("faillock --user \(name) --reset 2>/dev/null")
    let password = randomPassword()
    try sh("chpasswd", input: "\(name):\(password)\n")
    return Account(
        name: name, password: password, uid: UInt32(try sh("id -u \(name)"))!, gid: UInt32(try sh("id -g \(name)"))!)
}

/// Four local accounts with passwords, made once per test process and removed when it exits
/// (Tests/sh/test-file-server.sh also removes them, should the process die first).
enum Accounts {
    static let names = ["fsw-alice", "fsw-bob", "fsw-carol", "fsw-dave"]

    static let all: [Account] = names.map { try! makeAccount($0) }

    private static let made = Mutex<[String]>([])

    /// Removes `name` (account and group) when the process exits, however the tests ended.
    static func removeAtExit(_ name: String) {
        let first = made.withLock { made in
            defer { if !made.contains(name) { made.append(name) } }
            return made.isEmpty
        }
        if first {
            atexit {
                for name in Accounts.made.withLock({ $0 }) {
                    // The account and the failures pam_faillock counted for it (its tally file
                    // outlives the account otherwise).
                    _ = system("userdel \(name) 2>/dev/null; rm -f /run/faillock/\(name)")
                }
            }
        }
    }

    static var alice: Account { all[0] }
    static var bob: Account { all[1] }
}

let isRoot = getuid() == 0

/// A file server on 127.0.0.1 and a free port, serving a fresh folder, until `stop`.
final class TestServer: Sendable {
    let root: String
    let port: Int
    let statistics: ServerStatistics
    let cache: CredentialCache
    private let group: ServiceGroup
    private let task: Task<Void, any Error>

    static func start(
        impersonation: Bool = true, baselineThreads: Int = 0, cache: CredentialCache = CredentialCache(),
        logger: Logger? = nil, configure: (inout FileServerConfiguration) -> Void = { _ in }
    ) async throws -> TestServer {
        let root = try sh("mktemp -d /tmp/fileserver-test.XXXXXX")
        try sh("chmod 0777 \(root)")  // every test account may create files at the top
        let logger =
            logger
            ?? {
                var logger = Logger(label: "test-fileserver")
                logger.logLevel = .warning
                return logger
            }()
        let statistics = ServerStatistics()
        let (ports, continuation) = AsyncStream.makeStream(of: Int.self)
        var configuration = FileServerConfiguration(root: root, port: 0, impersonation: impersonation)
        configuration.wholeBodyLimit = 64 * 1024
        configuration.baselineThreads = baselineThreads
        configure(&configuration)
        let app = try makeFileServer(configuration: configuration, cache: cache, statistics: statistics, logger: logger)
        { port in
            continuation.yield(port)
            continuation.finish()
        }
        let group = ServiceGroup(configuration: .init(services: [app], logger: logger))
        let task = Task { try await group.run() }
        var port = 0
        for await p in ports { port = p }
        return TestServer(root: root, port: port, statistics: statistics, cache: cache, group: group, task: task)
    }

    private init(
        root: String, port: Int, statistics: ServerStatistics, cache: CredentialCache, group: ServiceGroup,
        task: Task<Void, any Error>
    ) {
        self.root = root
        self.port = port
        self.statistics = statistics
        self.cache = cache
        self.group = group
        self.task = task
    }

    func url(_ path: String) -> String { "http://127.0.0.1:\(port)\(path)" }

    func stop() async {
        await group.triggerGracefulShutdown()
        _ = try? await task.value
        _ = try? sh("rm -rf \(root)")
    }
}

struct Reply: Sendable {
    let status: UInt
    let servedAs: UInt32?
    let headers: HTTPHeaders
    let body: [UInt8]
    var text: String { String(decoding: body, as: UTF8.self) }
}

extension HTTPClient {
    func send(
        _ method: HTTPMethod, _ url: String, as account: Account?, body: [UInt8]? = nil,
        authorization: String? = nil
    ) async throws -> Reply {
        var request = HTTPClientRequest(url: url)
        request.method = method
        if let authorization {
            request.headers.add(name: "Authorization", value: authorization)
        } else if let account {
            request.headers.add(name: "Authorization", value: account.authorization)
        }
        if let body { request.body = .bytes(ByteBuffer(bytes: body)) }
        let response = try await execute(request, timeout: .seconds(60))
        let bytes = try await response.body.collect(upTo: 64 << 20)
        return Reply(
            status: response.status.code, servedAs: response.headers.first(name: "X-Served-As").flatMap { UInt32($0) },
            headers: response.headers, body: Array(buffer: bytes))
    }
}

func owner(_ path: String) -> (uid: UInt32, gid: UInt32, mode: UInt32)? {
    var st = stat()
    guard lstat(path, &st) == 0 else { return nil }
    return (st.st_uid, st.st_gid, UInt32(st.st_mode & 0o7777))
}

/// Effective uids of the process's threads now, from /proc (the kernel's view of each thread;
/// a thread acting as an account has its effective uid, its real uid is no account's).
func threadEffectiveUids() -> [UInt32] {
    let tasks = (try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/task")) ?? []
    return tasks.compactMap { tid in
        guard let status = try? String(contentsOfFile: "/proc/self/task/\(tid)/status", encoding: .utf8),
            let line = status.split(separator: "\n").first(where: { $0.hasPrefix("Uid:") })
        else { return nil }
        return line.split(whereSeparator: { $0 == "\t" || $0 == " " }).dropFirst(2).first.flatMap { UInt32($0) }
    }
}

/// A plain TCP connection to 127.0.0.1, for exchanges an HTTP client library hides (the
/// interim responses of HTTP/1.1).
final class RawConnection {
    private let fd: Int32
    private var pending: [UInt8] = []

    /// - Parameter from: the local address to connect from (any 127.x.y.z is this host).
    init(port: Int, from source: String? = nil) throws {
        fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw POSIXError(.init(rawValue: errno) ?? .EIO) }
        if let source {
            var local = sockaddr_in()
            local.sin_family = sa_family_t(AF_INET)
            local.sin_addr.s_addr = inet_addr(source)
            let rc = withUnsafePointer(to: &local) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                    bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
                }
            }
            guard rc == 0 else { let e = errno; close(fd); throw POSIXError(.init(rawValue: e) ?? .EIO) }
        }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let rc = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard rc == 0 else { let e = errno; close(fd); throw POSIXError(.init(rawValue: e) ?? .EIO) }
    }

    deinit { close(fd) }

    /// Whether the server closed the connection within `timeoutMilliseconds` (end of file or
    /// reset; anything it sends before is read and dropped).
    func closedByServer(timeoutMilliseconds: Int32) -> Bool {
        do {
            while true { _ = try receive(until: "\u{0}never\u{0}", timeoutMilliseconds: timeoutMilliseconds) }
        } catch let error as POSIXError {
            return error.code == .ECONNRESET
        } catch {
            return false
        }
    }

    func send(_ text: String) throws {
        var bytes = Array(text.utf8)[...]
        while !bytes.isEmpty {
            let n = bytes.withUnsafeBytes { Glibc.send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            guard n > 0 else { throw POSIXError(.init(rawValue: errno) ?? .EIO) }
            bytes = bytes.dropFirst(n)
        }
    }

    /// Bytes up to and including `marker`; what follows stays for the next call. Throws
    /// ETIMEDOUT when the marker has not come within the time given.
    func receive(until marker: String, timeoutMilliseconds: Int32) throws -> String {
        let needle = Array(marker.utf8)
        let deadline = ContinuousClock.now + .milliseconds(Int(timeoutMilliseconds))
        while true {
            if let end = pending.indices.first(where: { pending[$0...].starts(with: needle) }) {
                let message = String(decoding: pending[..<(end + needle.count)], as: UTF8.self)
                pending.removeFirst(end + needle.count)
                return message
            }
            let left = deadline - ContinuousClock.now
            let ms = Int32(max(0, left.components.seconds * 1000 + left.components.attoseconds / 1_000_000_000_000_000))
            var poller = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
            guard poll(&poller, 1, ms) == 1 else { throw POSIXError(.ETIMEDOUT) }
            var chunk = [UInt8](repeating: 0, count: 4096)
            let n = chunk.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            guard n > 0 else { throw POSIXError(.ECONNRESET) }
            pending += chunk[..<n]
        }
    }
}
