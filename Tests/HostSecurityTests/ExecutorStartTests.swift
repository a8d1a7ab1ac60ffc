import Dispatch
import Synchronization
import Testing
@testable import HostSecurity
import class HostSec.Engine

/// A task executor that holds the jobs it is given until `runHeld` runs them, one at a time
/// on its own queue, or `release` lets every job through (then and after) as they come.
final class SteppedExecutor: TaskExecutor, @unchecked Sendable {
    private let queue = DispatchQueue(label: "hostsec.tests.stepped")
    private let held = Mutex<(jobs: [UnownedJob], holding: Bool)>(([], true))

    func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        let holding = held.withLock { held in
            if held.holding { held.jobs.append(job) }
            return held.holding
        }
        if !holding { run(job) }
    }

    private func run(_ job: UnownedJob) {
        queue.async { job.runSynchronously(on: self.asUnownedTaskExecutor()) }
    }

    /// Runs held jobs (and the jobs they enqueue) until none is held, or `limit` ran:
    /// how many ran, and whether none was left.
    func runHeld(limit: Int) async -> (ran: Int, emptied: Bool) {
        await withCheckedContinuation { continuation in
            queue.async {
                var ran = 0
                while ran < limit {
                    let next = self.held.withLock { $0.jobs.isEmpty ? nil : $0.jobs.removeFirst() }
                    guard let next else { return continuation.resume(returning: (ran, true)) }
                    next.runSynchronously(on: self.asUnownedTaskExecutor())
                    ran += 1
                }
                continuation.resume(returning: (ran, false))
            }
        }
    }

    /// Stops holding: the held jobs and every later one run as they come.
    func release() {
        let jobs = held.withLock { held in
            held.holding = false
            defer { held.jobs.removeAll() }
            return held.jobs
        }
        jobs.forEach(run)
    }
}

@Suite(needsAccounts) struct ExecutorStartTests {
    /// A second scope for an identity whose executor the first scope is still starting waits
    /// for the start to end, suspended: while the first scope's thread is held inside its
    /// credential switch, the second scope's task runs a few jobs and then none (a task that
    /// polled would be enqueued again and again). Both scopes then run as the token.
    @Test func a_scope_that_finds_the_executor_starting_awaits_the_start() async throws {
        let seam = HookedSyscalls()
        let engine = Engine(syscalls: seam)
        let token = try Token.logon(user: TestAccounts.names[6], engine: engine)
        let entered = DispatchSemaphore(value: 0), proceed = DispatchSemaphore(value: 0)
        seam.arm {
            entered.signal()
            proceed.wait()
        }
        let first = Task { try await withImpersonation(of: token) { () async in Creds.kernel() } }
        await withCheckedContinuation { continuation in
            DispatchQueue.global().async {
                entered.wait()  // the first scope's identity thread is in its credential switch
                continuation.resume()
            }
        }
        let stepped = SteppedExecutor()
        let second = Task(executorPreference: stepped) {
            try await withImpersonation(of: token) { () async in Creds.kernel() }
        }
        let (ran, emptied) = await stepped.runHeld(limit: 1000)
        #expect(emptied, "the waiting scope was still being run after \(ran) jobs: it polls")
        stepped.release()
        proceed.signal()
        #expect(try await first.value == Creds(of: token))
        #expect(try await second.value == Creds(of: token))
    }
}
