import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// A dedicated thread that starts identity threads. It never impersonates, so threads it
/// creates start with the process's credentials, whichever thread (an identity thread of
/// an outer scope, say) asked for them.
enum Spawner {
    private static let requests = Mutex<[@Sendable () -> Void]>([])
    nonisolated(unsafe) private static let wake = UnsafeMutablePointer<sem_t>.allocate(capacity: 1)
    private static let started: Bool = {
        sem_init(wake, 0, 0)
        return startDetachedThread(nil) { _ in
            while true {
                while sem_wait(Spawner.wake) != 0 {}
                let work = Spawner.requests.withLock { list -> [@Sendable () -> Void] in
                    defer { list.removeAll() }
                    return list
                }
                for request in work { request() }
            }
        } == 0
    }()

    /// Runs `request` on the spawner thread; false when it could not be started.
    static func run(_ request: @escaping @Sendable () -> Void) -> Bool {
        guard started else { return false }
        requests.withLock { $0.append(request) }
        sem_post(wake)
        return true
    }

    /// Resumes a continuation from the spawner thread (never an identity thread).
    static func resumeLater(_ continuation: UnsafeContinuation<Void, Never>) {
        if !run({ continuation.resume() }) { continuation.resume() }
    }
}

/// Starts a detached thread that runs `main(context)`; `pthread_create`'s result.
func startDetachedThread(
    _ context: UnsafeMutableRawPointer?,
    _ main: @convention(c) (UnsafeMutableRawPointer?) -> UnsafeMutableRawPointer?
) -> Int32 {
    var thread = pthread_t()
    var attributes = pthread_attr_t()
    pthread_attr_init(&attributes)
    pthread_attr_setdetachstate(&attributes, Int32(PTHREAD_CREATE_DETACHED))
    defer { pthread_attr_destroy(&attributes) }
    return pthread_create(&thread, &attributes, main, context)
}

/// Runs `work` on a detached thread of its own (blocking work, such as a PAM transaction, that
/// must not hold a thread of the cooperative pool); false when no thread could be started.
func runOnThreadOfItsOwn(_ work: @escaping @Sendable () -> Void) -> Bool {
    final class Work: Sendable {
        let run: @Sendable () -> Void
        init(_ run: @escaping @Sendable () -> Void) { self.run = run }
    }
    let box = Unmanaged.passRetained(Work(work)).toOpaque()
    let started = startDetachedThread(box) { raw in
        Unmanaged<Work>.fromOpaque(raw!).takeRetainedValue().run()
        return nil
    }
    if started != 0 { Unmanaged<Work>.fromOpaque(box).release() }
    return started == 0
}
