import Foundation
import Synchronization
import Testing
@testable import HostSecurity

/// What the workers of a long run counted.
final class Progress: Sendable {
    let done = Atomic<Int>(0)
    let mismatches = Atomic<Int>(0)
    let errors = Atomic<Int>(0)
    let finished = Atomic<Int>(0)
}

/// Long runs of short scopes, as a server makes them: one scope per request, many requests
/// per user, several at once.
@Suite(needsAccounts) struct ManyScopesTests {
    /// 4 identities x 8 tasks x 1,250 async scopes one after the other (10,000 per identity,
    /// past any 4,096-sized block or ring), every body checked against the kernel on the
    /// identity's thread. A scope that never ends is caught by a watchdog on the progress
    /// count, not by hanging the run.
    @Test func ten_thousand_sequential_scopes_per_identity_from_eight_tasks_each_all_complete() async throws {
        let tokens = Array(try TestAccounts.tokens().prefix(4))
        let perTask = 1_250, tasksPerIdentity = 8
        let total = tokens.count * tasksPerIdentity * perTask
        let progress = Progress()
        let before = IdentityExecutors.statistics()
        for token in tokens {
            let expected = Creds(of: token)
            for _ in 0..<tasksPerIdentity {
                Task.detached {
                    for _ in 0..<perTask {
                        do {
                            // `async`: the async form, on the identity's thread.
                            let right = try await withImpersonation(of: token) { () async in
                                Creds.kernel() == expected && IdentityThread.current != nil
                            }
                            if !right { progress.mismatches.add(1, ordering: .relaxed) }
                        } catch {
                            progress.errors.add(1, ordering: .relaxed)
                        }
                        progress.done.add(1, ordering: .relaxed)
                    }
                    progress.finished.add(1, ordering: .relaxed)
                }
            }
        }
        // Progress must not stop for 20 s (the whole run takes seconds when it works).
        var last = -1, stalledSince = ContinuousClock.now
        while progress.finished.load(ordering: .relaxed) < tokens.count * tasksPerIdentity {
            try await Task.sleep(for: .milliseconds(50))
            let now = progress.done.load(ordering: .relaxed)
            if now != last { last = now; stalledSince = .now; continue }
            if ContinuousClock.now - stalledSince > .seconds(20) { break }
        }
        let after = IdentityExecutors.statistics()
        let done = progress.done.load(ordering: .relaxed)
        #expect(
            done == total, "scopes stopped completing at \(done) of \(total); identity threads alive: \(after.threads)")
        #expect(progress.mismatches.load(ordering: .relaxed) == 0)
        #expect(progress.errors.load(ordering: .relaxed) == 0)
        #expect(after.jobs - before.jobs >= UInt64(total))
    }
}
