// The application: a Hummingbird router whose routes sit behind the request log and, under
// /files and /whoami, HTTP Basic authentication that puts the user's token in the context.
// Every file operation goes through `Identity.run`, which runs it in an impersonation scope
// of the requesting user (or, with --no-impersonation, as the server: right where the
// handler runs, or on a pool of the server's own threads with --baseline-threads).
import HostSecurity
import HTTPTypes
import Hummingbird
import Logging
import NIOCore
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

/// The router: the request log around every route, then ``FileRoutes``.
func fileServerRouter(
    configuration: FileServerConfiguration, cache: CredentialCache, statistics: ServerStatistics, logger: Logger
) throws(Errno) -> Router<FileServerContext> {
    let routes = FileRoutes(
        store: try FileStore(root: configuration.root, followLinks: configuration.followLinks),
        identity: Identity(impersonation: configuration.impersonation, baselineThreads: configuration.baselineThreads),
        statistics: statistics, logger: logger, wholeBodyLimit: configuration.wholeBodyLimit)
    let router = Router(context: FileServerContext.self)
    router.add(middleware: RequestLog(statistics: statistics, logger: logger))
    routes.addRoutes(to: router, authentication: BasicAuthentication(cache: cache, logger: logger))
    return router
}

/// The application: the router on Hummingbird's HTTP/1.1 server, with the connection guard
/// (deadlines, the per-address cap) and the `100 Continue` answer in each connection.
public func makeFileServer(
    configuration: FileServerConfiguration, cache: CredentialCache = CredentialCache(),
    statistics: ServerStatistics = ServerStatistics(), logger: Logger,
    onServerRunning: @escaping @Sendable (Int) async -> Void = { _ in }
) throws(Errno) -> Application<RouterResponder<FileServerContext>> {
    let router = try fileServerRouter(
        configuration: configuration, cache: cache, statistics: statistics, logger: logger)
    let limits = configuration.limits, connections = ConnectionsByAddress()
    return Application(
        router: router,
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

/// Why the server could not listen, said with the option that changes it.
public struct ListenFailure: Error, CustomStringConvertible {
    public let description: String
}

/// A ``ListenFailure`` for an error from starting the server on `host` and `port`: the port
/// taken, an address that is not this machine's, a privileged port, a host name that does
/// not resolve. nil for any other error.
public func listenFailure(_ error: any Error, host: String, port: Int) -> ListenFailure? {
    if let error = error as? SocketAddressError, case .unknown = error {
        return ListenFailure(description: "cannot listen on \(host): no such host name; choose another with --host")
    }
    guard let error = error as? IOError else { return nil }
    switch error.errnoCode {
    case EADDRINUSE:
        return ListenFailure(
            description:
                "port \(port) on \(host) is already in use: stop what listens there, or choose another port with --port (0: any free port)"
        )
    case EADDRNOTAVAIL:
        return ListenFailure(
            description: "cannot listen on \(host): not an address of this machine; choose another with --host")
    case EACCES:
        return ListenFailure(description: "port \(port) needs privileges: choose one above 1023 with --port")
    default:
        return nil
    }
}
