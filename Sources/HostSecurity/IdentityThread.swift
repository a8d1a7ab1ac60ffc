internal import HostSec
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// One thread of an identity executor. It takes the executor's identity once, when it
/// starts (through the core, as `ImpersonateLoggedOnUser` would), runs only task jobs of
/// tasks that prefer its executor, and gives the identity up by reverting and exiting. It
/// never changes identity between jobs: what it runs is right by where it was routed.
enum IdentityThread {
    /// The executor the calling thread serves, or nil on every other thread.
    static var current: IdentityExecutor? {
        guard let raw = pthread_getspecific(key) else { return nil }
        return Unmanaged<IdentityExecutor>.fromOpaque(raw).takeUnretainedValue()
    }

    private static let key: pthread_key_t = {
        var key = pthread_key_t()
        precondition(pthread_key_create(&key, nil) == 0, "no thread-specific key left")
        return key
    }()

    /// What a thread reports once it has taken its identity (or failed to).
    typealias Started = @Sendable (Result<HostSec.ImpersonationLevel, HostSecurityError>) -> Void

    /// Starts a thread for `executor` (called on the spawner thread, which never
    /// impersonates, so the new thread's own credentials are the process's).
    static func start(for executor: IdentityExecutor, started: @escaping Started) {
        let context = Unmanaged.passRetained(Box(executor: executor, started: started)).toOpaque()
        let rc = startDetachedThread(context) { raw in
            let box = Unmanaged<Box>.fromOpaque(raw!).takeRetainedValue()
            IdentityThread.main(box.executor, started: box.started)
            return nil
        }
        if rc != 0 {
            Unmanaged<Box>.fromOpaque(context).release()
            started(.failure(.outOfMemory))
        }
    }

    private final class Box {
        let executor: IdentityExecutor
        let started: Started
        init(executor: IdentityExecutor, started: @escaping Started) {
            self.executor = executor
            self.started = started
        }
    }

    private static func main(_ executor: IdentityExecutor, started: Started) {
        let engine = executor.token.engine
        let held: HostSec.Token
        do {
            held = try engine.impersonateLoggedOnUser(executor.token.handle)
        } catch {
            started(.failure(HostSecurityError(error)))
            return
        }
        executor.threadHolds(held)
        let level = held.level
        IdentityExecutors.counters.switches.add(1, ordering: .relaxed)
        pthread_setspecific(key, Unmanaged.passUnretained(executor).toOpaque())
        started(.success(level))

        let unowned = executor.asUnownedTaskExecutor()
        executor.queue.threadStarted()
        while let job = executor.queue.pop() {
            job.runSynchronously(on: unowned)
            IdentityExecutors.counters.jobs.add(1, ordering: .relaxed)
            // The library failed closed while this thread ran a job (a nested scope could not
            // restore): the thread may no longer hold the identity. It leaves; exiting drops
            // whatever credentials it holds.
            if engine.isClosed && !executor.kernelHoldsIdentity() {
                executor.queue.threadLeft()
                executor.threadLeft(compromised: true)
                pthread_setspecific(key, nil)
                return
            }
        }
        pthread_setspecific(key, nil)
        if (try? engine.revertToSelf()) != nil { IdentityExecutors.counters.switches.add(1, ordering: .relaxed) }
        executor.threadLeft(compromised: false)
    }
}
