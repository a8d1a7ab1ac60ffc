import Foundation
import Synchronization
import Testing
@testable import HostSecurity

/// Code a scope's task reaches without a scope of its own deciding where it runs: a task
/// executor preference the body sets itself, and another task's cancellation handler.
@Suite(needsAccounts) struct ForeignCodeInScopeTests {
    /// A body that prefers another executor for a while (a library that runs its work on its
    /// own event loops does this) gets the scope's identity back when that preference ends:
    /// `withTaskExecutorPreference` moves nothing when it returns, so the code after it would
    /// go on, as the process, on the other executor's thread until its next suspension.
    @Test func code_after_an_inner_executor_preference_runs_as_the_token() async throws {
        let token = try Token.logon(user: TestAccounts.names[3])
        let after = try await withImpersonation(of: token) { () async -> Creds in
            await withTaskExecutorPreference(globalConcurrentExecutor) { await Task.yield() }
            return Creds.kernel()
        }
        #expect(after == Creds(of: token), "code in the scope ran as \(after), not as the token")
    }

    /// A task in a scope of one identity, cancelled by code in a scope of another: Swift runs
    /// the cancelled task's cancellation handler synchronously on the cancelling thread, an
    /// identity thread of the other scope, so that task's code runs as the other identity. The
    /// executor cannot route it (a handler is not a job). SECURITY.md lists it under what the
    /// library cannot promise.
    @Test(.disabled("known limit: a cancellation handler runs on the cancelling thread, as its identity"))
    func a_cancellation_handler_never_runs_as_another_scopes_identity() async throws {
        let cancelling = try Token.logon(user: TestAccounts.names[4])
        let cancelled = try Token.logon(user: TestAccounts.names[5])
        let seen = Mutex<Creds?>(nil)
        let started = AsyncStream<Void>.makeStream()
        let other = Task.detached {
            try await withImpersonation(of: cancelled) { () async in
                await withTaskCancellationHandler {
                    started.continuation.yield()
                    while !Task.isCancelled { await Task.yield() }
                } onCancel: {
                    seen.withLock { $0 = Creds.kernel() }
                }
            }
        }
        for await _ in started.stream { break }
        try await withImpersonation(of: cancelling) { () async in other.cancel() }
        try await other.value
        let handler = seen.withLock { $0 }
        #expect(
            handler == Creds(of: cancelled) || handler == processCreds,
            "the handler of a task acting as \(cancelled.uid) ran as \(String(describing: handler))")
    }
}
