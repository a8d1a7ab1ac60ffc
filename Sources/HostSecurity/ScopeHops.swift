import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// Where a task goes when an async scope ends. The task executor preference of a scope
/// ends when `withTaskExecutorPreference` returns, but nothing moves the task: a
/// nonisolated caller would go on running on the identity thread (and an actor-isolated one
/// wherever the scope's last job ran). So every scope ends with an explicit hop, and checks
/// it landed.
enum ScopeHops {
    /// The identity executor the current task prefers (its innermost scope's), or nil.
    @TaskLocal static var executor: IdentityExecutor?

    /// Hops back to `isolation` (the caller's actor), or to the generic executor (which
    /// with the task's remaining preference is the outer scope's executor, or the global
    /// one); then checks the thread is one the task may run on now.
    static func leave(to isolation: isolated (any Actor)?, expecting outer: IdentityExecutor?) async {
        if let isolation { await hop(to: isolation) } else { await hopToGenericExecutor() }
        var tries = 0
        while let here = IdentityThread.current, here !== outer {
            // The hop was elided: resume from a thread of the process's own.
            tries += 1
            precondition(tries < 1000, "a task could not leave an identity thread")
            await withUnsafeContinuation { (continuation: UnsafeContinuation<Void, Never>) in
                Spawner.resumeLater(continuation)
            }
            if let isolation { await hop(to: isolation) }
        }
    }

    @inline(never) static func hop(to actor: isolated any Actor) async {}
    @inline(never) @concurrent static func hopToGenericExecutor() async {}
}
