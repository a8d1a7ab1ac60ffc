import Foundation
import Testing
@testable import HostSecurity
import HostSecTestSupport
import class HostSec.Engine

@Suite(needsAccounts) struct FailClosedTests {
    /// Inside an async scope of A, a nested synchronous scope of B cannot put the thread
    /// back to A (the third setresuid after arming fails: revert to self, apply B, then the
    /// revert on the way back). The library fails closed; the error reaches the caller, as
    /// itself; no thread keeps either identity.
    @Test func failing_closed_in_a_scope_reaches_the_caller_and_no_thread_keeps_the_identity() async throws {
        let faults = FaultInjectingSyscalls(failing: .setresuid, onCall: 3)
        let engine = Engine(syscalls: faults)
        let a = try Token.logon(user: TestAccounts.spare[0], engine: engine)
        let b = try Token.logon(user: TestAccounts.spare[1], engine: engine)
        await #expect(throws: HostSecurityError.failed) {
            try await withImpersonation(of: a) { () async throws -> Void in
                await Task.yield()
                #expect(Creds.kernel() == Creds(of: a))
                faults.arm()
                try synchronousScope(of: b) { #expect(Creds.kernel() == Creds(of: b)) }
            }
        }
        #expect(engine.isClosed)
        #expect(Creds.kernel() == processCreds)
        #expect(await noThreadHolds(uid: a.uid))
        #expect(await noThreadHolds(uid: b.uid))
        await #expect(throws: HostSecurityError.closed) { try await withImpersonation(of: a) { () async -> Int in 1 } }
    }
}
