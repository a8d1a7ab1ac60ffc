import Foundation
import Testing
@testable import HostSecurity
import HostSecTestSupport

/// Runs only without CAP_SETUID/CAP_SETGID: Tests/sh/test-swift-unprivileged.sh starts the
/// test binary under setpriv with them dropped from the bounding set.
@Suite(
    .enabled(
        if: !privileged && ProcessInfo.processInfo.environment["HOSTSEC_UNPRIVILEGED"] == "1",
        "runs in the child process test-swift-unprivileged starts without CAP_SETUID/CAP_SETGID"))
struct UnprivilegedScopes {
    @Test func strict_sync_scope_for_another_account_throws_privilege_not_held() throws {
        let token = try Token.logon(user: "nobody")
        #expect(throws: HostSecurityError.privilegeNotHeld) { try withImpersonation(of: token) { Creds.kernel() } }
        #expect(Creds.kernel() == processCreds)
        #expect(try Token.current() == nil)
    }

    @Test func strict_async_scope_for_another_account_throws_privilege_not_held() async throws {
        let token = try Token.logon(user: "nobody")
        await #expect(throws: HostSecurityError.privilegeNotHeld) {
            try await withImpersonation(of: token) { () async -> Creds in Creds.kernel() }
        }
        #expect(Creds.kernel() == processCreds)
    }

    @Test func allowed_scopes_run_at_identification_with_the_kernel_unchanged() async throws {
        let token = try Token.logon(user: "nobody")
        let (syncCreds, syncLevel) = try synchronousScope(of: token, requiring: .identification) {
            (Creds.kernel(), try Token.current()?.level)
        }
        #expect(syncCreds == processCreds)
        #expect(syncLevel == .identification)
        let (asyncCreds, asyncLevel, asyncUid) = try await withImpersonation(of: token, requiring: .identification) {
            () async throws -> (Creds, ImpersonationLevel?, UserID?) in
            await Task.yield()
            let current = try Token.current()
            return (Creds.kernel(), current?.level, current?.uid)
        }
        #expect(asyncCreds == processCreds)
        #expect(asyncLevel == .identification)
        #expect(asyncUid == token.uid)
        #expect(Creds.kernel() == processCreds)
    }

    @Test func own_account_scope_needs_no_privilege() async throws {
        let me = try Token.process()
        let seen = try await withImpersonation(of: me) { () async -> Creds in Creds.kernel() }
        #expect(seen == processCreds)
    }
}
