// hostsec-fileserver --root DIR [--host 127.0.0.1] [--port 8080] [--follow-links-in-root]
//     [--header-timeout 10] [--body-timeout 30] [--idle-timeout 30] [--max-connections-per-address 128]
//     [--no-impersonation [--baseline-threads N]]
import ArgumentParser
import CFileServer
import FileServer
import HostSecurity
import Logging
import ServiceLifecycle
#if canImport(Glibc)
import Glibc
#endif

@main
struct HostsecFileserver: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "hostsec-fileserver",
        abstract: "Serves the files under a folder over HTTP, each request as the user who sent it.",
        discussion: """
            Users authenticate with HTTP Basic (their account's password, checked by PAM \
            service "hostsec"). GET /files/PATH reads a file (a folder gives a JSON listing), \
            PUT /files/PATH writes one, DELETE /files/PATH removes one, GET /whoami shows the \
            identity the kernel holds for the user. Every file operation runs with the user's \
            uid, gid and groups, so the kernel's permissions decide. Needs CAP_SETUID and \
            CAP_SETGID (run as root): without them it refuses to start, unless \
            --no-impersonation. SIGTERM or SIGINT stop it gracefully. LOG_LEVEL=warning (or \
            error) silences the per-request lines; the listening and stopped lines stay.
            """)

    @Option(help: "The folder to serve.")
    var root: String

    @Option(help: "The address to listen on.")
    var host = "127.0.0.1"

    @Option(help: "The port to listen on (0: any free port).")
    var port = 8080

    @Flag(
        name: .customLong("no-impersonation"),
        help: "Do every operation as the server process itself (a baseline for measurements).")
    var noImpersonation = false

    @Option(
        help: """
            With --no-impersonation: run file operations on N threads of the server's own \
            identity instead of where each request's handler runs (0).
            """)
    var baselineThreads = 0

    @Flag(
        name: .customLong("no-follow-links"),
        help: "Refuse (400) any path that crosses a symbolic link, inside the root or not (the default).")
    var noFollowLinks = false

    @Flag(
        name: .customLong("follow-links-in-root"),
        help: "Follow symbolic links that stay inside the root (links out of it are refused either way).")
    var followLinksInRoot = false

    @Option(help: "Seconds a new connection has to send its first complete request head.")
    var headerTimeout = 10.0

    @Option(help: "Seconds a request body may go without sending its next part.")
    var bodyTimeout = 30.0

    @Option(help: "Seconds a connection may wait, after a response, for its next complete request head.")
    var idleTimeout = 30.0

    @Option(help: "Connections one client address may hold at once (more are closed when accepted).")
    var maxConnectionsPerAddress = 128

    func validate() throws {
        guard !(noFollowLinks && followLinksInRoot) else {
            throw ValidationError("--no-follow-links and --follow-links-in-root are exclusive")
        }
        for (name, value) in [("header", headerTimeout), ("body", bodyTimeout), ("idle", idleTimeout)] {
            guard value > 0 && value <= 86400 else {
                throw ValidationError("--\(name)-timeout must be 0...86400 seconds")
            }
        }
        guard (1...1_000_000).contains(maxConnectionsPerAddress) else {
            throw ValidationError("--max-connections-per-address must be 1...1000000")
        }
        var st = stat()
        guard stat(root, &st) == 0 else {
            throw ValidationError("--root \(root): \(String(cString: strerror(errno)))")
        }
        guard st.st_mode & S_IFMT == S_IFDIR else { throw ValidationError("--root \(root): not a folder") }
        guard (0...65535).contains(port) else { throw ValidationError("--port must be 0...65535") }
        guard (0...1024).contains(baselineThreads) else { throw ValidationError("--baseline-threads must be 0...1024") }
        guard baselineThreads == 0 || noImpersonation else {
            throw ValidationError("--baseline-threads needs --no-impersonation")
        }
        _ = try Self.logLevel()
        // Without the capabilities every user's request would fail (500), and PAM would
        // accept only the server's own account's password: refuse at once instead.
        guard noImpersonation || fs_may_impersonate() == 1 else {
            throw ValidationError(
                """
                cannot act as other users: this process lacks CAP_SETUID and CAP_SETGID. Run it \
                as root, or pass --no-impersonation to do every request's work as this process.
                """)
        }
    }

    /// LOG_LEVEL's level (info when unset); another value is refused.
    static func logLevel() throws -> Logger.Level {
        guard let value = getenv("LOG_LEVEL").map({ String(cString: $0) }) else { return .info }
        guard let level = Logger.Level(rawValue: value) else {
            let levels = Logger.Level.allCases.map(\.rawValue).joined(separator: ", ")
            throw ValidationError("LOG_LEVEL=\(value) is not a level: use one of \(levels)")
        }
        return level
    }

    func run() async throws {
        LoggingSystem.bootstrap(StreamLogHandler.standardError)
        var logger = Logger(label: "hostsec-fileserver")
        logger.logLevel = try Self.logLevel()
        // The listening and stopped lines show at every level up to warning and error.
        var lifecycle = logger
        lifecycle.logLevel = min(logger.logLevel, .notice)
        // Keep one executor (one thread) per recently seen user between requests.
        IdentityExecutors.idleLimit = 64

        let configuration = {
            var c = FileServerConfiguration(root: root, host: host, port: port, impersonation: !noImpersonation)
            c.baselineThreads = baselineThreads
            c.followLinks = followLinksInRoot
            c.limits.header = .nanoseconds(Int64(headerTimeout * 1e9))
            c.limits.body = .nanoseconds(Int64(bodyTimeout * 1e9))
            c.limits.idle = .nanoseconds(Int64(idleTimeout * 1e9))
            c.limits.perAddress = maxConnectionsPerAddress
            return c
        }()
        let statistics = ServerStatistics()
        let cache = CredentialCache()
        let app = try makeFileServer(configuration: configuration, cache: cache, statistics: statistics, logger: logger)
        { [lifecycle] bound in
            lifecycle.notice(
                "listening",
                metadata: [
                    "host": .string(configuration.host), "port": .stringConvertible(bound),
                    "root": .string(configuration.root),
                    "impersonation": .stringConvertible(configuration.impersonation),
                    "baseline_threads": .stringConvertible(configuration.baselineThreads),
                    "follow_links": .stringConvertible(configuration.followLinks),
                ])
        }
        let group = ServiceGroup(
            configuration: .init(services: [app], gracefulShutdownSignals: [.sigterm, .sigint], logger: logger))
        do {
            try await group.run()
        } catch {
            throw listenFailure(error, host: host, port: port) ?? error
        }

        let served = statistics.snapshot, executors = IdentityExecutors.statistics(), logons = cache.statistics
        lifecycle.notice(
            "stopped",
            metadata: [
                "requests": .stringConvertible(served.requests), "operations": .stringConvertible(served.operations),
                "mismatches": .stringConvertible(served.mismatches),
                "credential_switches": .stringConvertible(executors.switches),
                "identity_jobs": .stringConvertible(executors.jobs), "pam_logons": .stringConvertible(logons.logons),
                "pam_failures": .stringConvertible(logons.failures), "cache_hits": .stringConvertible(logons.hits),
            ])
    }
}
