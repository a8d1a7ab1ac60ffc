#if canImport(Glibc)
import Glibc
#endif

/// A FIFO of jobs shared by the threads of one identity executor: a mutex, a ring buffer and
/// a condition that only sleeping threads wait on (an enqueue signals only when one sleeps).
final class JobQueue: @unchecked Sendable {
    private let mutex = UnsafeMutablePointer<pthread_mutex_t>.allocate(capacity: 1)
    private let ready = UnsafeMutablePointer<pthread_cond_t>.allocate(capacity: 1)
    private var ring: UnsafeMutablePointer<UnownedJob?>
    private var capacity = 256
    private var head = 0
    private var count = 0
    private var sleepers = 0
    private var awake = 0
    private var stopping = false

    init() {
        pthread_mutex_init(mutex, nil)
        pthread_cond_init(ready, nil)
        ring = .allocate(capacity: capacity)
        ring.initialize(repeating: nil, count: capacity)
    }

    deinit {
        pthread_mutex_destroy(mutex); mutex.deallocate()
        pthread_cond_destroy(ready); ready.deallocate()
        ring.deinitialize(count: capacity); ring.deallocate()
    }

    /// Counts the calling thread as awake (each thread calls it once, before its first pop).
    func threadStarted() {
        pthread_mutex_lock(mutex)
        awake += 1
        pthread_mutex_unlock(mutex)
    }

    /// Stops counting a thread that leaves without waiting for the queue to stop.
    func threadLeft() {
        pthread_mutex_lock(mutex)
        awake -= 1
        pthread_mutex_unlock(mutex)
    }

    func push(_ job: UnownedJob) {
        pthread_mutex_lock(mutex)
        if count == capacity { grow() }
        ring[(head + count) & (capacity - 1)] = job
        count += 1
        // A thread that is awake takes the job when its current one returns: wake a sleeper
        // only when none is awake, or when more jobs wait than awake threads will take.
        let wake = sleepers > 0 && (awake == 0 || count > awake)
        pthread_mutex_unlock(mutex)
        if wake { pthread_cond_signal(ready) }
    }

    /// The next job; waits while there is none. Nil once stopped and empty.
    func pop() -> UnownedJob? {
        pthread_mutex_lock(mutex)
        defer { pthread_mutex_unlock(mutex) }
        while count == 0 {
            if stopping { return nil }
            sleepers += 1
            awake -= 1
            pthread_cond_wait(ready, mutex)
            awake += 1
            sleepers -= 1
        }
        let job = ring[head]
        ring[head] = nil
        head = (head + 1) & (capacity - 1)
        count -= 1
        return job
    }

    /// Lets the threads leave once the queue is empty.
    func stop() {
        pthread_mutex_lock(mutex)
        stopping = true
        pthread_mutex_unlock(mutex)
        pthread_cond_broadcast(ready)
    }

    private func grow() {
        let bigger = UnsafeMutablePointer<UnownedJob?>.allocate(capacity: capacity * 2)
        bigger.initialize(repeating: nil, count: capacity * 2)
        for i in 0..<count { bigger[i] = ring[(head + i) & (capacity - 1)] }
        ring.deinitialize(count: capacity); ring.deallocate()
        ring = bigger
        capacity *= 2
        head = 0
    }
}
