// Who a file operation runs as: the requesting user, in an async impersonation scope (on the
// user's identity thread), or with --no-impersonation the server itself, where the handler
// runs or on a pool of the server's own threads (--baseline-threads).
import HostSecurity
import NIOPosix

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
    /// took the user's credentials once. The closure literal is marked `async`: a plain one
    /// would select the synchronous `withImpersonation`, which async code may not call.
    func run<R: Sendable>(as token: Token, _ operation: @escaping @Sendable () -> R) async throws -> (R, UserID) {
        if impersonation {
            return try await withImpersonation(of: token) { () async in (operation(), ThreadIdentity.euid()) }
        }
        if let baselinePool { return try await baselinePool.pool.runIfActive { (operation(), ThreadIdentity.euid()) } }
        return (operation(), ThreadIdentity.euid())
    }
}

/// Threads of the server's own identity for the baseline's file operations, stopped with the
/// server.
final class BaselinePool: Sendable {
    let pool: NIOThreadPool

    init(threads: Int) {
        pool = NIOThreadPool(numberOfThreads: threads)
        pool.start()
    }

    deinit { pool.shutdownGracefully { _ in } }
}
