import Foundation
import Testing
@testable import HostSecurity

@Suite(needsAccounts) struct SyncScopeTests {
    @Test func sync_scope_runs_as_the_token_and_reverts_on_return() throws {
        let token = try Token.logon(user: TestAccounts.names[0])
        let seen = try withImpersonation(of: token) { Creds.kernel() }
        #expect(seen == Creds(of: token))
        #expect(Creds.kernel() == processCreds)
        #expect(try Token.current() == nil)
    }

    @Test func sync_scope_reverts_on_throw() throws {
        struct Boom: Error {}
        let token = try Token.logon(user: TestAccounts.names[1])
        #expect(throws: Boom.self) { try withImpersonation(of: token) { throw Boom() } }
        #expect(Creds.kernel() == processCreds)
    }

    @Test func nested_sync_scopes_restore_the_outer_token() throws {
        let outer = try Token.logon(user: TestAccounts.names[2])
        let inner = try Token.logon(user: TestAccounts.names[3])
        try withImpersonation(of: outer) {
            #expect(Creds.kernel() == Creds(of: outer))
            try withImpersonation(of: inner) { #expect(Creds.kernel() == Creds(of: inner)) }
            #expect(Creds.kernel() == Creds(of: outer))
            let current = try Token.current()
            #expect(current?.uid == outer.uid)
        }
        #expect(Creds.kernel() == processCreds)
    }

    @Test func security_context_captured_in_a_scope_replays_it() throws {
        let token = try Token.logon(user: TestAccounts.names[4])
        let context = try withImpersonation(of: token) { try SecurityContext.capture() }
        #expect(context.token?.uid == token.uid)
        #expect(try withSecurityContext(context) { Creds.kernel() } == Creds(of: token))
        let own = try SecurityContext.capture()
        #expect(own.token == nil)
        try withImpersonation(of: token) {
            let inner = try withSecurityContext(own) { Creds.kernel() }
            #expect(inner == processCreds)
            #expect(Creds.kernel() == Creds(of: token))
        }
        #expect(Creds.kernel() == processCreds)
    }

    @Test func identification_token_is_refused_by_a_strict_scope() throws {
        let token = try Token.logon(user: TestAccounts.names[5]).duplicate(kind: .impersonation, level: .identification)
        #expect(throws: HostSecurityError.badImpersonationLevel) { try withImpersonation(of: token) {} }
        let ran = try withImpersonation(of: token, requiring: .identification) { Creds.kernel() == processCreds }
        #expect(ran)
        #expect(Creds.kernel() == processCreds)
    }
}
