// The HTTP side: authentication, routing, status codes and the X-Served-As header. Every
// file operation goes through `Identity.run`, which runs it in an impersonation scope of the
// requesting user (or, with --no-impersonation, as the server: right where the handler runs,
// or on a pool of the server's own threads with --baseline-threads).
import CFileServer
import HostSecurity
import HTTPTypes
import Hummingbird
import Logging
import NIOCore
import NIOPosix
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

public struct FileServerConfiguration: Sendable {
    /// The folder served under /files/.
    public var root: String
    public var host: String
    public var port: Int
    /// false: every operation runs as the server process (the baseline).
    public var impersonation: Bool
    /// Without impersonation: 0 runs each operation where the handler runs; N > 0 runs it on
    /// a pool of N threads of the server's own identity, as a server without hostsec keeps
    /// blocking file I/O off its event loops. Ignored with impersonation (operations then run
    /// on the users' identity threads).
    public var baselineThreads: Int = 0
    /// Bodies up to this size (by Content-Length) are written in one step; larger ones are
    /// streamed to the file chunk by chunk.
    public var wholeBodyLimit: Int = 1 << 20
    /// Whether symbolic links inside the root are followed (false: any path that crosses a
    /// link is refused with 400; links never lead out of the root either way).
    public var followLinks = false
    /// Deadlines per connection stage and the cap on connections per client address.
    public var limits = ConnectionLimits()

    public init(root: String, host: String = "127.0.0.1", port: Int = 8080, impersonation: Bool = true) {
        self.root = root
        self.host = host
        self.port = port
        self.impersonation = impersonation
    }
}

/// Process-wide counters of the server, reported at shutdown.
public final class ServerStatistics: Sendable {
    private let counters = Mutex<(requests: UInt64, operations: UInt64, mismatches: UInt64)>((0, 0, 0))

    public init() {}

    func request() { counters.withLock { $0.requests += 1 } }
    func operation(expected: UserID?, servedAs: UserID) {
        counters.withLock { c in
            c.operations += 1
            if let expected, expected != servedAs { c.mismatches += 1 }
        }
    }

    /// Requests answered, file operations run, and operations whose thread's effective uid
    /// was not the requesting user's (always 0 unless something is broken).
    public var snapshot: (requests: UInt64, operations: UInt64, mismatches: UInt64) { counters.withLock { $0 } }
}

/// Runs file operations as the requesting user.
struct Identity: Sendable {
    let impersonation: Bool
    /// Without impersonation, the threads that run operations (nil: the handler's own).
    let baselinePool: BaselinePool?

    init(impersonation: Bool, baselineThreads: Int) {
        self.impersonation = impersonation
        baselinePool = !impersonation && baselineThreads > 0 ? BaselinePool(threads: baselineThreads) : nil
    }

    /// Runs `operation` as `token` and reads the thread's effective uid from the kernel right
    /// after it, on the same thread.
    ///
    /// The scope is the async one: the operation runs on the user's identity thread, which
    /// took the user's credentials once. The closure is marked `async` on purpose: a plain
    /// synchronous closure literal selects the synchronous `withImpersonation`, which would
    /// switch the credentials of whichever cooperative thread runs the handler, twice per
    /// operation, and leave the identity executors unused.
    func run<R: Sendable>(as token: Token, _ operation: @escaping @Sendable () -> R) async throws -> (R, UserID) {
        if impersonation {
            return try await withImpersonation(of: token) { () async in (operation(), ThreadIdentity.euid()) }
        }
        if let baselinePool { return try await baselinePool.pool.runIfActive { (operation(), ThreadIdentity.euid()) } }
        return (operation(), ThreadIdentity.euid())
    }
}

/// Threads of the server's own identity for the baseline's file operations, stopped with the
/// responder.
final class BaselinePool: Sendable {
    let pool: NIOThreadPool

    init(threads: Int) {
        pool = NIOThreadPool(numberOfThreads: threads)
        pool.start()
    }

    deinit { pool.shutdownGracefully { _ in } }
}

/// The request context: Hummingbird's, plus the client's address.
public struct FileServerContext: RequestContext {
    public var coreContext: CoreRequestContextStorage
    /// The client's IP address, nil when the connection has none.
    public let clientAddress: String?

    public init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
        clientAddress = source.channel.remoteAddress?.ipAddress
    }
}

public struct FileServerResponder: HTTPResponder {
    public typealias Context = FileServerContext

    static let servedAs = HTTPField.Name("X-Served-As")!
    static let realm = "Basic realm=\"hostsec-fileserver\", charset=\"UTF-8\""

    let store: FileStore
    let cache: CredentialCache
    let identity: Identity
    let statistics: ServerStatistics
    let logger: Logger
    let wholeBodyLimit: Int

    public init(
        configuration: FileServerConfiguration, cache: CredentialCache, statistics: ServerStatistics, logger: Logger
    ) throws(Errno) {
        store = try FileStore(root: configuration.root, followLinks: configuration.followLinks)
        self.cache = cache
        identity = Identity(impersonation: configuration.impersonation, baselineThreads: configuration.baselineThreads)
        self.statistics = statistics
        self.logger = logger
        wholeBodyLimit = configuration.wholeBodyLimit
    }

    public func respond(to request: Request, context: Context) async throws -> Response {
        let start = ContinuousClock.now
        var user = "-"
        var response = await route(request, client: context.clientAddress, user: &user)
        if response.headers[Self.servedAs] == nil {
            response.headers[Self.servedAs] = String(ThreadIdentity.euid())
        }
        statistics.request()
        let elapsed = ContinuousClock.now - start
        let us = elapsed.components.seconds * 1_000_000 + elapsed.components.attoseconds / 1_000_000_000_000
        // Every value the client chose is logged as a JSON string: a newline, a quote or a
        // "key=value" inside one cannot make another line or another field.
        logger.info(
            "request",
            metadata: [
                "user": .string(jsonString(user)), "method": .string(jsonString(request.method.rawValue)),
                "path": .string(jsonString(request.uri.path)),
                "status": .stringConvertible(response.status.code), "us": .stringConvertible(us),
            ])
        return response
    }

    private func route(_ request: Request, client: String?, user: inout String) async -> Response {
        var target = Substring(request.head.path ?? "")
        if let query = target.firstIndex(where: { $0 == "?" || $0 == "#" }) { target = target[..<query] }

        let path: RequestPath?
        if target == "/whoami" {
            guard request.method == .get else { return Self.plain(.methodNotAllowed, "GET only\n", allow: "GET") }
            path = nil
        } else if target == "/files" || target.hasPrefix("/files/") {
            guard [.get, .put, .delete, .head].contains(request.method) else {
                return Self.plain(.methodNotAllowed, "GET, PUT or DELETE\n", allow: "GET, HEAD, PUT, DELETE")
            }
            do throws(RequestPath.Refusal) {
                path = try RequestPath(raw: target.dropFirst("/files/".count))
            } catch {
                return Self.plain(.badRequest, "bad path: \(error)\n")
            }
        } else {
            return Self.plain(.notFound, "not found\n")
        }

        // Authentication: HTTP Basic, checked against the cache or PAM.
        guard let (name, password) = Self.basicCredentials(request.headers[.authorization]) else {
            return Self.unauthorized()
        }
        user = name
        let token: Token
        do {
            token = try await cache.token(user: name, password: password, client: client).0
        } catch let error as HostSecurityError where error == .noLogonServers {
            logger.error("PAM is not usable: \(error)")
            return Self.plain(.serviceUnavailable, "logon service unavailable\n")
        } catch let error as HostSecurityError where error == .logonTypeNotGranted {
            // Root and system accounts: refused from the user database, before PAM.
            return Self.plain(.forbidden, "this account may not log on here\n")
        } catch is CredentialCache.TooManyFailingLogons {
            var response = Self.plain(.tooManyRequests, "too many failed logons from this address\n")
            response.headers[.retryAfter] = "2"
            return response
        } catch {
            return Self.unauthorized()
        }

        guard let path else { return await whoami(token) }
        do {
            switch request.method {
            case .get, .head: return try await get(path, as: token, head: request.method == .head)
            case .put: return try await put(path, request, as: token)
            default: return try await delete(path, as: token)
            }
        } catch {
            logger.error("impersonation failed: \(error)")
            return Self.plain(.internalServerError, "could not act as the user\n")
        }
    }

    // MARK: handlers

    private func whoami(_ token: Token) async -> Response {
        do {
            let (me, uid) = try await identity.run(as: token) { ThreadIdentity.current() }
            statistics.operation(expected: identity.impersonation ? token.uid : nil, servedAs: uid)
            return Self.json(.ok, me.json, servedAs: uid)
        } catch {
            return Self.plain(.internalServerError, "could not act as the user\n")
        }
    }

    private func get(_ path: RequestPath, as token: Token, head: Bool) async throws -> Response {
        let store = self.store
        let (found, uid) = try await identity.run(as: token) { store.get(path) }
        record(token, uid)
        switch found {
        case .failure(let error):
            return Self.failure(error, servedAs: uid)
        case .success(.directory(let json)):
            return Self.json(.ok, json, servedAs: uid)
        case .success(.file(let size, let first, let rest)):
            var headers = HTTPFields()
            headers[.contentType] = "application/octet-stream"
            headers[Self.servedAs] = String(uid)
            if head {
                headers[.contentLength] = String(size)
                return Response(status: .ok, headers: headers, body: ResponseBody())
            }
            guard let rest else {
                return Response(status: .ok, headers: headers, body: ResponseBody(byteBuffer: first))
            }
            // Streamed: each further chunk is read as the user, in its own scope.
            let identity = self.identity, statistics = self.statistics, logger = self.logger
            let body = ResponseBody(contentLength: size) { writer in
                try await writer.write(first)
                var offset = first.readableBytes
                while offset < size {
                    let count = min(FileStore.chunkSize, size - offset)
                    let at = offset
                    let (chunk, uid) = try await identity.run(as: token) { store.read(rest, offset: at, count: count) }
                    statistics.operation(expected: identity.impersonation ? token.uid : nil, servedAs: uid)
                    let buffer = try chunk.get()
                    if buffer.readableBytes == 0 {
                        logger.warning(
                            "file shrank while it was sent", metadata: ["path": .string(jsonString(path.description))])
                        throw Errno(EIO)
                    }
                    offset += buffer.readableBytes
                    try await writer.write(buffer)
                }
                try await writer.finish(nil)
            }
            return Response(status: .ok, headers: headers, body: body)
        }
    }

    private func put(_ path: RequestPath, _ request: Request, as token: Token) async throws -> Response {
        let store = self.store
        let length = request.headers[.contentLength].flatMap { Int($0) }
        if let length, length <= wholeBodyLimit {
            // The whole body first (no disk touched), then one scope writes and names it.
            let body: ByteBuffer
            do { body = try await request.body.collect(upTo: wholeBodyLimit) } catch {
                return Self.plain(.badRequest, "body could not be read\n")
            }
            let (result, uid) = try await identity.run(as: token) { store.put(path, body: body) }
            record(token, uid)
            return Self.written(result, servedAs: uid)
        }
        // Streamed: the unnamed file is written chunk by chunk, each as the user.
        let (begun, uid) = try await identity.run(as: token) { store.beginPut(path) }
        record(token, uid)
        let begunUpload: Upload
        switch begun {
        case .success(let upload): begunUpload = upload
        case .failure(let error): return Self.failure(error, servedAs: uid)
        }
        var lastUID = uid
        do {
            for try await chunk in request.body {
                let (wrote, uid) = try await identity.run(as: token) { store.write(begunUpload, chunk) }
                record(token, uid)
                lastUID = uid
                if case .failure(let error) = wrote {
                    _ = try? await identity.run(as: token) { begunUpload.abandon() }
                    return Self.failure(error, servedAs: uid)
                }
            }
        } catch {
            _ = try? await identity.run(as: token) { begunUpload.abandon() }
            return Self.plain(.badRequest, "body could not be read\n", servedAs: lastUID)
        }
        let (result, commitUID) = try await identity.run(as: token) { store.commit(begunUpload) }
        record(token, commitUID)
        return Self.written(result, servedAs: commitUID)
    }

    private func delete(_ path: RequestPath, as token: Token) async throws -> Response {
        let store = self.store
        let (result, uid) = try await identity.run(as: token) { store.delete(path) }
        record(token, uid)
        switch result {
        case .success: return Response(status: .noContent, headers: [Self.servedAs: String(uid)])
        case .failure(let error): return Self.failure(error, servedAs: uid)
        }
    }

    private func record(_ token: Token, _ uid: UserID) {
        statistics.operation(expected: identity.impersonation ? token.uid : nil, servedAs: uid)
    }

    // MARK: responses

    /// The status for a failed file operation: the kernel's verdict.
    public static func status(for error: Errno) -> HTTPResponse.Status {
        switch error.code {
        case EACCES, EPERM, EROFS: return .forbidden
        case ENOENT, ENOTDIR: return .notFound
        case EXDEV, ELOOP, ENAMETOOLONG, EINVAL: return .badRequest  // would leave the root, or no such name
        case EISDIR, ENOTEMPTY, EEXIST, EBUSY: return .conflict
        case ENOSPC, EDQUOT: return HTTPResponse.Status(code: 507, reasonPhrase: "Insufficient Storage")
        default: return .internalServerError
        }
    }

    static func failure(_ error: Errno, servedAs uid: UserID) -> Response {
        let status = status(for: error)
        return plain(status, "\(status.reasonPhrase) (\(String(cString: strerror(error.code))))\n", servedAs: uid)
    }

    static func written(_ result: Result<Bool, Errno>, servedAs uid: UserID) -> Response {
        switch result {
        case .success(true): return Response(status: .created, headers: [servedAs: String(uid), .contentLength: "0"])
        case .success(false): return Response(status: .noContent, headers: [servedAs: String(uid)])
        case .failure(let error): return failure(error, servedAs: uid)
        }
    }

    static func plain(_ status: HTTPResponse.Status, _ text: String, servedAs uid: UserID? = nil, allow: String? = nil)
        -> Response
    {
        var headers: HTTPFields = [.contentType: "text/plain; charset=utf-8"]
        if let uid { headers[servedAs] = String(uid) }
        if let allow { headers[.allow] = allow }
        return Response(status: status, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(string: text)))
    }

    static func json(_ status: HTTPResponse.Status, _ text: String, servedAs uid: UserID) -> Response {
        Response(
            status: status, headers: [.contentType: "application/json", servedAs: String(uid)],
            body: ResponseBody(byteBuffer: ByteBuffer(string: text)))
    }

    static func unauthorized() -> Response {
        var response = plain(.unauthorized, "authentication required\n")
        response.headers[.wwwAuthenticate] = realm
        return response
    }

    /// User and password from `Authorization: Basic base64(user:password)`, or nil.
    public static func basicCredentials(_ header: String?) -> (String, String)? {
        guard let header else { return nil }
        let parts = header.split(separator: " ", maxSplits: 1, omittingEmptySubsequences: true)
        guard parts.count == 2, parts[0].lowercased() == "basic",
            let decoded = Base64.decode(parts[1].trimmingCharacters(in: " ")),
            let text = String(validating: decoded, as: UTF8.self),
            let colon = text.firstIndex(of: ":")
        else { return nil }
        let user = String(text[..<colon]), password = String(text[text.index(after: colon)...])
        guard !user.isEmpty, !user.utf8.contains(0), !password.utf8.contains(0) else { return nil }
        return (user, password)
    }
}

extension Substring {
    fileprivate func trimmingCharacters(in set: Character) -> Substring {
        var s = self
        while s.first == set { s = s.dropFirst() }
        while s.last == set { s = s.dropLast() }
        return s
    }
}

/// Standard base64 (RFC 4648), with or without padding.
enum Base64 {
    static func decode(_ text: Substring) -> [UInt8]? {
        var out: [UInt8] = []
        var accumulator: UInt32 = 0, bits = 0
        var padding = 0
        for c in text.utf8 {
            let value: UInt32
            switch c {
            case UInt8(ascii: "A")...UInt8(ascii: "Z"): value = UInt32(c - UInt8(ascii: "A"))
            case UInt8(ascii: "a")...UInt8(ascii: "z"): value = UInt32(c - UInt8(ascii: "a") + 26)
            case UInt8(ascii: "0")...UInt8(ascii: "9"): value = UInt32(c - UInt8(ascii: "0") + 52)
            case UInt8(ascii: "+"): value = 62
            case UInt8(ascii: "/"): value = 63
            case UInt8(ascii: "="): padding += 1; continue
            default: return nil
            }
            if padding > 0 { return nil }
            accumulator = accumulator << 6 | value
            bits += 6
            if bits >= 8 {
                bits -= 8
                out.append(UInt8(truncatingIfNeeded: accumulator >> UInt32(bits)))
            }
        }
        if padding > 2 || bits >= 6 { return nil }
        return out
    }
}

/// The application: the responder on Hummingbird's HTTP/1.1 server.
public func makeFileServer(
    configuration: FileServerConfiguration, cache: CredentialCache = CredentialCache(),
    statistics: ServerStatistics = ServerStatistics(), logger: Logger,
    onServerRunning: @escaping @Sendable (Int) async -> Void = { _ in }
) throws(Errno) -> Application<FileServerResponder> {
    let responder = try FileServerResponder(
        configuration: configuration, cache: cache, statistics: statistics, logger: logger)
    let limits = configuration.limits, connections = ConnectionsByAddress()
    return Application(
        responder: responder,
        server: .http1(
            configuration: .init(additionalChannelHandlers: [
                ConnectionGuard(limits: limits, connections: connections), ExpectContinueHandler(),
            ])),
        configuration: ApplicationConfiguration(
            address: .hostname(configuration.host, port: configuration.port),
            serverName: "hostsec-fileserver"),
        onServerRunning: { channel in await onServerRunning(channel.localAddress?.port ?? 0) },
        logger: logger
    )
}
