internal import HostSec
import Synchronization

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
            let (executor, state, threads, stale) = try registry.withLock {
                registry throws(HostSecurityError) -> (IdentityExecutor, StartState, Int, IdentityExecutor?) in
                registry.clock += 1
                var stale: IdentityExecutor? = nil
                if var entry = registry.entries[key] {
                    if !entry.executor.threadTokenAdjusted {
                        entry.scopes += 1
                        entry.lastUse = registry.clock
                        registry.entries[key] = entry
                        return (entry.executor, entry.ready ? .ready : .starting, 0, nil)
                    }
                    stale = takeOut(entry.executor, &registry)
                }
                let executor = IdentityExecutor(token: try frozen(token, as: key), key: key)
                registry.entries[key] = Entry(executor: executor, scopes: 1, lastUse: registry.clock, ready: false)
                return (executor, .fresh, registry.threadsPerIdentity, stale)
            }
            stale?.stop()
            switch state {
            case .ready:
                return executor
            case .fresh:
                do {
                    try await executor.start(threads: threads)
                } catch {
                    registry.withLock { registry in
                        if registry.entries[key]?.executor === executor { registry.entries[key] = nil }
                    }
                    executor.startup.open(up: false)
                    throw error
                }
                registry.withLock { $0.entries[key]?.ready = true }
                executor.startup.open(up: true)
                return executor
            case .starting:
                // Another scope is starting it: wait, suspended, until that scope says how the
                // start ended; when it failed, try again (a fresh start, or the engine closed).
                if await executor.startup.wait() { return executor }
                if token.engine.isClosed { throw .closed }
            }
        }
    }

    /// What a scope found in the registry for its key.
    private enum StartState { case ready, starting, fresh }

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
