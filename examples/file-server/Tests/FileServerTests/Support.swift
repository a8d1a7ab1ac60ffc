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
        throw NSError(domain: "sh", code: Int(process.terminationStatus), userInfo: [NSLocalizedDescriptionKey: command])
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

/// Four local accounts with passwords, made once per test process.
enum Accounts {
    static let names = ["fsw-alice", "fsw-bob", "fsw-carol", "fsw-dave"]

    static let all: [Account] = {
        var accounts: [Account] = []
        for name in names {
            if (try? sh("id -u \(name)")) == nil {
                try! sh("useradd -M -s /usr/sbin/nologin \(name)")
            }
            let password = "Pw-\(name)-\(UInt32.random(in: 1000...9999))"
            try! sh("chpasswd", input: "\(name):\(password)\n")
            accounts.append(Account(name: name, password: password, uid: UInt32(try! sh("id -u \(name)"))!,
                                    gid: UInt32(try! sh("id -g \(name)"))!))
        }
        return accounts
    }()

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

    static func start(impersonation: Bool = true) async throws -> TestServer {
        let root = try sh("mktemp -d /tmp/fileserver-test.XXXXXX")
        try sh("chmod 0777 \(root)")  // every test account may create files at the top
        var logger = Logger(label: "test-fileserver")
        logger.logLevel = .warning
        let statistics = ServerStatistics(), cache = CredentialCache()
        let (ports, continuation) = AsyncStream.makeStream(of: Int.self)
        var configuration = FileServerConfiguration(root: root, port: 0, impersonation: impersonation)
        configuration.wholeBodyLimit = 64 * 1024
        let app = try makeFileServer(configuration: configuration, cache: cache, statistics: statistics, logger: logger) { port in
            continuation.yield(port)
            continuation.finish()
        }
        let group = ServiceGroup(configuration: .init(services: [app], logger: logger))
        let task = Task { try await group.run() }
        var port = 0
        for await p in ports { port = p }
        return TestServer(root: root, port: port, statistics: statistics, cache: cache, group: group, task: task)
    }

    private init(root: String, port: Int, statistics: ServerStatistics, cache: CredentialCache, group: ServiceGroup, task: Task<Void, any Error>) {
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
    func send(_ method: HTTPMethod, _ url: String, as account: Account?, body: [UInt8]? = nil,
              authorization: String? = nil) async throws -> Reply {
        var request = HTTPClientRequest(url: url)
        request.method = method
        if let authorization { request.headers.add(name: "Authorization", value: authorization) }
        else if let account { request.headers.add(name: "Authorization", value: account.authorization) }
        if let body { request.body = .bytes(ByteBuffer(bytes: body)) }
        let response = try await execute(request, timeout: .seconds(60))
        let bytes = try await response.body.collect(upTo: 64 << 20)
        return Reply(status: response.status.code, servedAs: response.headers.first(name: "X-Served-As").flatMap { UInt32($0) },
                     headers: response.headers, body: Array(buffer: bytes))
    }
}

func owner(_ path: String) -> (uid: UInt32, gid: UInt32, mode: UInt32)? {
    var st = stat()
    guard lstat(path, &st) == 0 else { return nil }
    return (st.st_uid, st.st_gid, UInt32(st.st_mode & 0o7777))
}
