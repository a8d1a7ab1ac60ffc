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
    /// Jobs run on the identity's threads, credential switches made by them, and jobs that
    /// were not task jobs (sent to the global concurrent executor): process-wide totals.
    /// The level the threads reached (lower than asked when the kernel cannot enforce it).
    private(set) var level: HostSec.ImpersonationLevel = .anonymous
    private let threads = Atomic<Int>(0)
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
                    self.threads.add(1, ordering: .relaxed)
                    IdentityExecutors.counters.threads.add(1, ordering: .relaxed)
                    IdentityThread.start(for: self) { result in
                        if case .failure = result {
                            self.threads.subtract(1, ordering: .relaxed)
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

    var liveThreads: Int { threads.load(ordering: .relaxed) }

    /// Records the token a thread acts as, once it holds it.
    func threadHolds(_ token: HostSec.Token) { held.withLock { $0.append(token) } }

    /// Whether code on one of the threads adjusted the token that thread acts as
    /// (AdjustTokenPrivileges on the handle OpenThreadToken gave it): that thread no longer
    /// acts as the key says.
    var threadTokenAdjusted: Bool { held.withLock { $0.contains { $0.isAdjusted } } }

    func threadLeft(compromised: Bool) {
        threads.subtract(1, ordering: .relaxed)
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

/// The identity executors in use, one per key (engine, identity as the token describes it
/// now, restrictions, level), kept alive by the scopes running on them, and a few idle ones
/// kept for reuse.
public enum IdentityExecutors {
    /// What decides how a thread acting as a token is checked: two tokens share an executor
    /// only when every part is equal. The identity is the current one (capabilities as
    /// AdjustTokenPrivileges left them), so an adjusted token finds another executor; the
    /// restrictions are CreateRestrictedToken's (deny-only SIDs, restricting SIDs, deleted
    /// privileges).
    struct Key: Hashable {
        let engine: ObjectIdentifier
        let identity: Identity
        let restrictions: TokenRestrictions?
        let level: HostSec.ImpersonationLevel

        init(_ token: Token, level: HostSec.ImpersonationLevel) {
            engine = ObjectIdentifier(token.engine)
            identity = token.core.currentIdentity
            restrictions = token.core.restrictions
            self.level = level
        }
    }

    private struct Entry {
        let executor: IdentityExecutor
        var scopes: Int
        var lastUse: UInt64
        var ready: Bool
    }

    private struct Registry {
        var entries: [Key: Entry] = [:]
        /// Executors taken out of use while scopes still ran on them, with those scopes.
        var retired: [ObjectIdentifier: Entry] = [:]
        var clock: UInt64 = 0
        var idleLimit = 8
        var threadsPerIdentity = 1
    }

    private static let registry = Mutex(Registry())
    /// The process-wide counters (read by ``statistics()``), shared by every executor.
    final class Counters: Sendable {
        let jobs = Atomic<UInt64>(0)
        let switches = Atomic<UInt64>(0)
        let rerouted = Atomic<UInt64>(0)
        let threads = Atomic<Int>(0)
    }
    static let counters = Counters()

    /// How many executors whose scopes have all ended are kept, threads and identity
    /// included, for the next scope of the same identity (8 by default). 0 makes every
    /// identity thread revert and exit as soon as the last scope of its identity ends.
    public static var idleLimit: Int {
        get { registry.withLock { $0.idleLimit } }
        set {
            let evicted = registry.withLock { registry -> [IdentityExecutor] in
                registry.idleLimit = max(0, newValue)
                return trim(&registry)
            }
            evicted.forEach { $0.stop() }
        }
    }

    /// Threads per identity executor (1 by default: with one, a job that suspends back onto
    /// its own executor never wakes another thread); applies to executors started later.
    public static var threadsPerIdentity: Int {
        get { registry.withLock { $0.threadsPerIdentity } }
        set { registry.withLock { $0.threadsPerIdentity = max(1, newValue) } }
    }

    /// Stops every idle executor: their threads revert and exit.
    public static func releaseIdle() {
        let evicted = registry.withLock { registry -> [IdentityExecutor] in
            let limit = registry.idleLimit
            registry.idleLimit = 0
            defer { registry.idleLimit = limit }
            return trim(&registry)
        }
        evicted.forEach { $0.stop() }
    }

    /// Process-wide counters since start: jobs run on identity threads, credential switches
    /// those threads made (one when a thread starts, one when it exits), jobs that were not
    /// task jobs and went on to the global concurrent executor; and identity threads alive.
    public static func statistics() -> (jobs: UInt64, switches: UInt64, rerouted: UInt64, threads: Int) {
        (
            counters.jobs.load(ordering: .relaxed), counters.switches.load(ordering: .relaxed),
            counters.rerouted.load(ordering: .relaxed), counters.threads.load(ordering: .relaxed)
        )
    }

    /// The executor for `token` at the level a scope of it reaches, started if needed; the
    /// caller holds it until `release`.
    static func acquire(_ token: Token, level: HostSec.ImpersonationLevel) async throws(HostSecurityError)
        -> IdentityExecutor
    {
        if token.engine.isClosed { throw .closed }
        let key = Key(token, level: level)
        while true {
            let (executor, fresh, threads, stale) = try registry.withLock {
                registry throws(HostSecurityError) -> (IdentityExecutor, Bool, Int, IdentityExecutor?) in
                registry.clock += 1
                var stale: IdentityExecutor? = nil
                if var entry = registry.entries[key] {
                    if !entry.executor.threadTokenAdjusted {
                        entry.scopes += 1
                        entry.lastUse = registry.clock
                        registry.entries[key] = entry
                        return (entry.executor, false, 0, nil)
                    }
                    stale = takeOut(entry.executor, &registry)
                }
                let executor = IdentityExecutor(token: try frozen(token, as: key), key: key)
                registry.entries[key] = Entry(executor: executor, scopes: 1, lastUse: registry.clock, ready: false)
                return (executor, true, registry.threadsPerIdentity, stale)
            }
            stale?.stop()
            if fresh {
                do {
                    try await executor.start(threads: threads)
                } catch {
                    registry.withLock { registry in
                        if registry.entries[key]?.executor === executor { registry.entries[key] = nil }
                    }
                    throw error
                }
                registry.withLock { $0.entries[key]?.ready = true }
                return executor
            }
            // Another scope is starting it: wait until its threads are up (or it failed).
            while true {
                let state = registry.withLock { registry -> Bool? in
                    guard let entry = registry.entries[key], entry.executor === executor else { return nil }
                    return entry.ready
                }
                if state == true { return executor }
                if state == nil { break }
                await Task.yield()
            }
            if token.engine.isClosed { throw .closed }
        }
    }

    /// A copy of `token` with the identity `key` names: an adjustment of `token` made after
    /// the key was read never reaches the executor's threads, and no caller holds a handle to
    /// the copy to adjust it. Same rights as the token's handle.
    private static func frozen(_ token: Token, as key: Key) throws(HostSecurityError) -> Token {
        let engine = token.engine
        let handle = try hostCall(engine) { () throws(HostSecError) in
            let (core, rights) = try engine.handles.lookup(token.handle)
            return try engine.handles.insert(
                core.copy(kind: core.kind, level: core.level, identity: key.identity), rights: rights)
        }
        return try Token(engine: engine, handle: handle)
    }

    /// Ends one scope's hold on `executor`.
    static func release(_ executor: IdentityExecutor) {
        let evicted = registry.withLock { registry -> [IdentityExecutor] in
            guard var entry = registry.entries[executor.key], entry.executor === executor else {
                let id = ObjectIdentifier(executor)
                guard var retired = registry.retired[id] else { return [] }
                retired.scopes -= 1
                registry.retired[id] = retired.scopes == 0 ? nil : retired
                return retired.scopes == 0 ? [executor] : []
            }
            entry.scopes -= 1
            registry.entries[executor.key] = entry
            if entry.scopes == 0 && executor.token.engine.isClosed {
                registry.entries[executor.key] = nil
                return [executor]
            }
            return trim(&registry)
        }
        evicted.forEach { $0.stop() }
    }

    /// Takes an executor whose thread was compromised out of the registry: no new scope
    /// gets it; it stops when its scopes end.
    static func retire(_ executor: IdentityExecutor) {
        registry.withLock { takeOut(executor, &$0) }?.stop()
    }

    /// Takes `executor` out of the registry (lock held): no new scope gets it. It stays with
    /// its scopes until they end; returned when none is left (the caller stops it).
    private static func takeOut(_ executor: IdentityExecutor, _ registry: inout Registry) -> IdentityExecutor? {
        guard let entry = registry.entries[executor.key], entry.executor === executor else { return nil }
        registry.entries[executor.key] = nil
        if entry.scopes > 0 {
            registry.retired[ObjectIdentifier(executor)] = entry
            return nil
        }
        return executor
    }

    /// Removes the least recently used idle executors beyond the limit (lock held).
    private static func trim(_ registry: inout Registry) -> [IdentityExecutor] {
        let idle = registry.entries.filter { $0.value.scopes == 0 && $0.value.ready }
        guard idle.count > registry.idleLimit else { return [] }
        let victims = idle.sorted { $0.value.lastUse < $1.value.lastUse }.prefix(idle.count - registry.idleLimit)
        for (key, _) in victims { registry.entries[key] = nil }
        return victims.map { $0.value.executor }
    }
}
