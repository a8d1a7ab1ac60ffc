@_spi(ExperimentalCustomExecutors) import _Concurrency
internal import HostSec
import Synchronization

/// The task executor of one identity: a small pool of threads that each hold that identity
/// for their whole life (see ``IdentityThread``). The identity is a copy of a scope's token
/// made when the executor was created, as its key describes it, so nothing done to that token
/// later reaches the threads.
///
/// Routing, which makes identity right by construction:
/// - A task job reaches this executor only from a task that prefers it, that is, a task
///   inside a scope for this identity: it runs on one of the identity's threads.
/// - Any other job (a default actor's processing job, which runs the queued jobs of every
///   task that called the actor) goes to the global concurrent executor, whose threads hold
///   the process's credentials; so an identity thread never runs another task's work.
/// No job ever switches credentials: a thread switches twice in its life, at start and exit.
final class IdentityExecutor: TaskExecutor, @unchecked Sendable {
    /// The copy of the token the threads act as (no caller holds a handle to it).
    let token: Token
    let key: IdentityExecutors.Key
    let queue = JobQueue()
    /// How the start ended, for the scopes that find the executor starting.
    let startup = StartGate()
    /// The level the threads reached (lower than asked when the kernel cannot enforce it).
    private(set) var level: HostSec.ImpersonationLevel = .anonymous
    /// The token each thread acts as (its own copy of ``token``, as ImpersonateLoggedOnUser
    /// makes one).
    private let held = Mutex<[HostSec.Token]>([])

    init(token: Token, key: IdentityExecutors.Key) {
        self.token = token
        self.key = key
    }

    func enqueue(_ job: consuming ExecutorJob) {
        if job.kind == .task {
            queue.push(UnownedJob(job))
        } else {
            IdentityExecutors.counters.rerouted.add(1, ordering: .relaxed)
            globalConcurrentExecutor.enqueue(job)
        }
    }

    /// Starts `count` threads and waits until each holds the identity (or one failed).
    func start(threads count: Int) async throws(HostSecurityError) {
        let results = Mutex<[Result<HostSec.ImpersonationLevel, HostSecurityError>]>([])
        let outcome: Result<HostSec.ImpersonationLevel, HostSecurityError> = await withCheckedContinuation {
            continuation in
            let report: IdentityThread.Started = { result in
                let all = results.withLock { list -> [Result<HostSec.ImpersonationLevel, HostSecurityError>]? in
                    list.append(result)
                    return list.count == count ? list : nil
                }
                guard let all else { return }
                for case .failure(let error) in all { return continuation.resume(returning: .failure(error)) }
                if case .success(let level) = all[0] { continuation.resume(returning: .success(level)) }
            }
            let spawned = Spawner.run {
                for _ in 0..<count {
                    IdentityExecutors.counters.threads.add(1, ordering: .relaxed)
                    IdentityThread.start(for: self) { result in
                        if case .failure = result {
                            IdentityExecutors.counters.threads.subtract(1, ordering: .relaxed)
                        }
                        report(result)
                    }
                }
            }
            if !spawned { continuation.resume(returning: .failure(.outOfMemory)) }
        }
        switch outcome {
        case .success(let reached): level = reached
        case .failure(let error):
            stop()
            throw error
        }
    }

    /// Lets the threads finish what is queued, revert and exit.
    func stop() { queue.stop() }

    /// Records the token a thread acts as, once it holds it.
    func threadHolds(_ token: HostSec.Token) { held.withLock { $0.append(token) } }

    /// Whether code on one of the threads adjusted the token that thread acts as
    /// (AdjustTokenPrivileges on the handle OpenThreadToken gave it): that thread no longer
    /// acts as the key says.
    var threadTokenAdjusted: Bool { held.withLock { $0.contains { $0.isAdjusted } } }

    func threadLeft(compromised: Bool) {
        IdentityExecutors.counters.threads.subtract(1, ordering: .relaxed)
        if compromised { IdentityExecutors.retire(self) }
    }

    /// Whether the calling thread's kernel uids, gids and groups are this identity's (read
    /// from the kernel, not from the library's state).
    func kernelHoldsIdentity() -> Bool {
        guard let now = try? KernelCredentials.read(KernelCredentialSyscalls()) else { return false }
        guard level >= .impersonation else { return true }  // identification: nothing applied
        let identity = token.core.identity
        return now.euid == identity.uid && now.ruid == identity.uid && now.egid == identity.gid
            && now.groups == identity.groups
    }
}

/// How an executor's start ended, for the scopes that found it starting: they wait here,
/// suspended, until the scope that starts it opens the gate.
final class StartGate: Sendable {
    private enum State {
        case starting([CheckedContinuation<Bool, Never>])
        case ended(up: Bool)
    }
    private let state = Mutex<State>(.starting([]))

    /// Waits until the start ended: true when the threads hold the identity.
    func wait() async -> Bool {
        await withCheckedContinuation { continuation in
            let ended = state.withLock { state -> Bool? in
                switch state {
                case .starting(let waiters):
                    state = .starting(waiters + [continuation])
                    return nil
                case .ended(let up): return up
                }
            }
            if let ended { continuation.resume(returning: ended) }
        }
    }

    /// Ends the start (`up`: the threads hold the identity) and resumes every waiter.
    func open(up: Bool) {
        let waiters = state.withLock { state -> [CheckedContinuation<Bool, Never>] in
            guard case .starting(let waiters) = state else { return [] }
            state = .ended(up: up)
            return waiters
        }
        for waiter in waiters { waiter.resume(returning: up) }
    }
}
