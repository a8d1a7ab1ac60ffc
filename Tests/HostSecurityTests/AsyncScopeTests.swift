import Foundation
import Testing
@testable import HostSecurity
import HostSecTestSupport
import class HostSec.Engine

actor Caller {
    func runScope(_ token: Token) async throws -> (inside: Creds, after: Creds) {
        let inside = try await withImpersonation(of: token) { () async -> Creds in Creds.kernel() }
        self.assertIsolated()
        return (inside, Creds.kernel())
    }
}

@Suite(needsAccounts) struct AsyncScopeTests {
    @Test func async_scope_runs_as_the_token_across_suspensions_and_the_caller_is_itself_after() async throws {
        let token = try Token.logon(user: TestAccounts.names[0])
        let expected = Creds(of: token)
        let seen = try await withImpersonation(of: token) { () async throws -> [Creds] in
            var seen = [Creds.kernel()]
            await Task.yield(); seen.append(Creds.kernel())
            try await Task.sleep(for: .milliseconds(1)); seen.append(Creds.kernel())
            async let child = Creds.kernel()
            seen.append(await child)
            return seen
        }
        #expect(seen.allSatisfy { $0 == expected })
        #expect(Creds.kernel() == processCreds)
        #expect(IdentityThread.current == nil)
    }

    @Test func nested_async_scopes_use_the_inner_identity_then_the_outer_again() async throws {
        let outer = try Token.logon(user: TestAccounts.names[1])
        let inner = try Token.logon(user: TestAccounts.names[2])
        try await withImpersonation(of: outer) {
            #expect(Creds.kernel() == Creds(of: outer))
            let innerSeen = try await withImpersonation(of: inner) { () async -> Creds in
                await Task.yield()
                return Creds.kernel()
            }
            #expect(innerSeen == Creds(of: inner))
            #expect(Creds.kernel() == Creds(of: outer))
            try synchronousScope(of: inner) { #expect(Creds.kernel() == Creds(of: inner)) }
            #expect(Creds.kernel() == Creds(of: outer))
            let own = try SecurityContext.capture()
            #expect(own.token?.uid == outer.uid)
            let processSeen = try await withSecurityContext(SecurityContext(token: nil, isRestricted: false)) {
                () async -> Creds in Creds.kernel()
            }
            #expect(processSeen == processCreds)
            #expect(Creds.kernel() == Creds(of: outer))
        }
        #expect(Creds.kernel() == processCreds)
    }

    @Test func errors_thrown_in_an_async_scope_reach_the_caller_as_itself() async throws {
        struct Boom: Error {}
        let token = try Token.logon(user: TestAccounts.names[3])
        await #expect(throws: Boom.self) {
            try await withImpersonation(of: token) { () async throws -> Int in
                await Task.yield()
                throw Boom()
            }
        }
        #expect(Creds.kernel() == processCreds)
    }

    @Test func cancellation_ends_the_scope_and_the_caller_is_itself() async throws {
        let token = try Token.logon(user: TestAccounts.names[4])
        let expected = Creds(of: token)
        let task = Task {
            try await withImpersonation(of: token) { () async throws -> Bool in
                let before = Creds.kernel() == expected
                try await Task.sleep(for: .seconds(30))
                return before
            }
        }
        try await Task.sleep(for: .milliseconds(20))
        task.cancel()
        await #expect(throws: CancellationError.self) { try await task.value }
        #expect(Creds.kernel() == processCreds)
    }

    @MainActor
    @Test func scope_entered_from_the_main_actor_returns_to_the_main_actor() async throws {
        let token = try Token.logon(user: TestAccounts.names[5])
        let inside = try await withImpersonation(of: token) { () async -> Creds in Creds.kernel() }
        MainActor.assertIsolated()
        #expect(inside == Creds(of: token))
        #expect(Creds.kernel() == processCreds)
    }

    @Test func scope_entered_from_an_actor_returns_to_that_actor() async throws {
        let token = try Token.logon(user: TestAccounts.names[6])
        let (inside, after) = try await Caller().runScope(token)
        #expect(inside == Creds(of: token))
        #expect(after == processCreds)
    }

    @Test func unstructured_tasks_started_in_a_scope_run_as_the_process() async throws {
        let token = try Token.logon(user: TestAccounts.names[7])
        let (child, detached, inside) = try await withImpersonation(of: token) { () async -> (Creds, Creds, Creds) in
            let child = await Task { Creds.kernel() }.value
            let detached = await Task.detached { Creds.kernel() }.value
            return (child, detached, Creds.kernel())
        }
        #expect(child == processCreds)
        #expect(detached == processCreds)
        #expect(inside == Creds(of: token))
    }

    @Test func current_token_inside_an_async_scope_is_the_scopes() async throws {
        let token = try Token.logon(user: TestAccounts.names[0])
        let current = try await withImpersonation(of: token) { () async throws -> Token? in
            await Task.yield()
            return try Token.current()
        }
        #expect(current?.uid == token.uid && current?.level == .impersonation && current?.kind == .impersonation)
    }

    @Test func with_no_idle_executors_kept_no_thread_holds_the_identity_after_the_scope() async throws {
        let token = try Token.logon(user: TestAccounts.names[7])
        let limit = IdentityExecutors.idleLimit
        IdentityExecutors.idleLimit = 0
        defer { IdentityExecutors.idleLimit = limit }
        let inside = try await withImpersonation(of: token) { () async -> Creds in Creds.kernel() }
        #expect(inside == Creds(of: token))
        #expect(await noThreadHolds(uid: token.uid))
    }

    @Test func closed_engine_refuses_new_scopes() async throws {
        let faults = FaultInjectingSyscalls(failing: .setresuid, onCall: 1)
        let engine = Engine(syscalls: faults)
        let token = try Token.logon(user: TestAccounts.names[1], engine: engine)
        // Close the engine: impersonate on a thread of its own, then fail the revert.
        let thread = Thread {
            _ = try? engine.impersonateLoggedOnUser(token.handle)
            faults.arm()
            try? engine.revertToSelf()
        }
        thread.start()
        while !engine.isClosed { try await Task.sleep(for: .milliseconds(1)) }
        await #expect(throws: HostSecurityError.closed) {
            try await withImpersonation(of: token) { () async -> Int in 1 }
        }
    }
}
