import Foundation
import Synchronization
import Testing
@testable import HostSecurity

/// Counts what the stress run saw.
final class Tally: Sendable {
    let checks = Atomic<Int>(0)
    let mismatches = Atomic<Int>(0)
    let leaks = Atomic<Int>(0)
    let thirdIdentity = Atomic<Int>(0)

    func check(_ expected: Creds) {
        checks.add(1, ordering: .relaxed)
        if Creds.kernel() != expected { mismatches.add(1, ordering: .relaxed) }
    }
}

/// One suspension point of kind `step % 7`, checking the kernel credentials after it (and
/// inside it, where the kind runs code elsewhere).
func suspend(_ step: Int, expecting expected: Creds, ledger: Ledger, tally: Tally) async throws {
    switch step % 7 {
    case 0:
        await Task.yield()
    case 1:
        try await Task.sleep(for: .microseconds(20))
    case 2:
        if !(await ledger.visit(expecting: expected)) { tally.thirdIdentity.add(1, ordering: .relaxed) }
    case 3:
        async let child: Void = tally.check(expected)
        await child
    case 4:
        await withTaskGroup(of: Void.self) { group in
            group.addTask { tally.check(expected) }
            group.addTask {
                await Task.yield(); tally.check(expected)
            }
        }
    case 5:
        let (stream, continuation) = AsyncStream.makeStream(of: Int.self)
        DispatchQueue.global().async {
            continuation.yield(step); continuation.finish()
        }
        for await _ in stream { tally.check(expected) }
    default:
        await withCheckedContinuation { (resume: CheckedContinuation<Void, Never>) in
            let thread = Thread { resume.resume() }
            thread.start()
        }
    }
    tally.check(expected)
}

@Suite(needsAccounts) struct StressTests {
    @Test func thousand_tasks_over_eight_identities_never_see_another_identity() async throws {
        let tokens = try TestAccounts.tokens()
        let ledger = Ledger()
        let tally = Tally()
        let before = IdentityExecutors.statistics()
        let tasks = 1_000, steps = 100, outside = 100
        try await withThrowingTaskGroup(of: Void.self) { group in
            for i in 0..<tasks {
                let token = tokens[i % tokens.count]
                group.addTask {
                    let expected = Creds(of: token)
                    try await withImpersonation(of: token) {
                        tally.check(expected)
                        for step in 0..<steps {
                            try await suspend(step &+ i, expecting: expected, ledger: ledger, tally: tally)
                        }
                    }
                    if Creds.kernel() != processCreds { tally.leaks.add(1, ordering: .relaxed) }
                }
            }
            for i in 0..<outside {
                group.addTask {
                    for step in 0..<steps {
                        try await suspend(step &+ i, expecting: processCreds, ledger: ledger, tally: tally)
                    }
                }
            }
            try await group.waitForAll()
        }
        let after = IdentityExecutors.statistics()
        let jobs = after.jobs - before.jobs
        let switches = after.switches &- before.switches
        print(
            "stress: \(tally.checks.load(ordering: .relaxed)) checks, \(tally.mismatches.load(ordering: .relaxed)) mismatches, \(tally.leaks.load(ordering: .relaxed)) leaks, \(tally.thirdIdentity.load(ordering: .relaxed)) actor visits as a third identity; \(jobs) jobs on identity threads, \(switches) credential switches (\(String(format: "%.5f", Double(switches) / Double(max(jobs, 1)))) per job), \(after.rerouted - before.rerouted) actor jobs rerouted"
        )
        #expect(tally.checks.load(ordering: .relaxed) > (tasks + outside) * steps)
        #expect(tally.mismatches.load(ordering: .relaxed) == 0)
        #expect(tally.leaks.load(ordering: .relaxed) == 0)
        #expect(tally.thirdIdentity.load(ordering: .relaxed) == 0)
        #expect(jobs >= UInt64(tasks * steps / 2))
        #expect(switches * 1_000 < jobs)  // threads switch at start and exit, never per job
    }
}
