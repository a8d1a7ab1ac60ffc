import Foundation
import Testing
@testable import HostSecurity
import CHostSec
import struct HostSec.TokenHandle
import struct HostSec.SecurityIdentifier
import enum HostSec.Capability

/// Identity executors are shared between scopes of tokens that act alike: the same identity
/// as it is now (capabilities as adjusted), the same restrictions, the same level. A token
/// that differs in any of them never runs on another's threads (ADV-03).
@Suite(needsAccounts) struct ExecutorSharingTests {
    /// A copy of `token` restricted to `sids` (SDDL strings), made by CreateRestrictedToken.
    func restricted(_ token: Token, to sids: [String]) throws -> Token {
        var entries = sids.map { sid -> SID_AND_ATTRIBUTES in
            var raw: PSID? = nil
            #expect(HostSecW32_ConvertStringSidToSidA(sid, &raw) != 0)
            return SID_AND_ATTRIBUTES(Sid: raw, Attributes: 0)
        }
        defer { for entry in entries { _ = HostSecW32_LocalFree(entry.Sid) } }
        var out: HANDLE? = nil
        let ok = HostSecW32_CreateRestrictedToken(
            token.handle.cHandle, 0, 0, nil, 0, nil, DWORD(entries.count), &entries, &out)
        #expect(ok != 0)
        return try Token(engine: token.engine, handle: TokenHandle(out))
    }

    /// What the thread a scope's job runs on acts as: its token's restricting SIDs (nil: not
    /// restricted) and its kernel effective capabilities.
    struct Seen: Equatable {
        var restricting: [SecurityIdentifier]?
        var capEffective: UInt64
    }

    func seenInScope(of token: Token) async throws -> Seen {
        try await withImpersonation(of: token) { () async throws -> Seen in
            try await Task.sleep(for: .microseconds(1))  // a suspension: the job resumes on the executor
            let current = try Token.current()
            return Seen(restricting: current?.core.restrictions?.restricting, capEffective: threadCapEffective())
        }
    }

    func threadCapEffective() -> UInt64 {
        let status = (try? String(contentsOfFile: "/proc/thread-self/status", encoding: .utf8)) ?? ""
        let line = status.split(separator: "\n").first { $0.hasPrefix("CapEff:") } ?? ""
        return UInt64(line.dropFirst("CapEff:".count).trimmingCharacters(in: .whitespaces), radix: 16) ?? 0
    }

    @Test func async_scope_of_a_restricted_token_never_runs_on_an_unrestricted_executor() async throws {
        let plain = try Token.logon(user: TestAccounts.names[5])
        let narrow = try restricted(plain, to: ["WD"])
        // The unrestricted token's executor first, then the restricted token's scope.
        #expect(try await seenInScope(of: plain).restricting == nil)
        #expect(try await seenInScope(of: narrow).restricting == [.everyone])
        // And the other way round, with a second restricted copy that differs in its SIDs.
        let other = try restricted(plain, to: ["WD", "S-1-22-1-\(plain.uid)"])
        #expect(try await seenInScope(of: other).restricting == [.everyone, .user(plain.core.identity.uid)])
        #expect(try await seenInScope(of: narrow).restricting == [.everyone])
        #expect(try await seenInScope(of: plain).restricting == nil)
    }

    @Test func async_scope_of_an_adjusted_token_never_runs_on_an_executor_of_its_old_privileges() async throws {
        let dacOverride = Capability.bit(Capability.dacOverride)
        let full = try Token.process().duplicate(kind: .impersonation, level: .impersonation)
        guard full.core.identity.capEffective & dacOverride != 0 else { return }  // needs CAP_DAC_OVERRIDE
        #expect(try await seenInScope(of: full).capEffective & dacOverride != 0)
        // Another copy with the privilege disabled: same identity as made, not as it is now.
        let lowered = try Token.process().duplicate(kind: .impersonation, level: .impersonation)
        _ = try lowered.engine.adjustCapabilities(lowered.handle, enable: 0, disable: dacOverride, remove: 0)
        #expect(try await seenInScope(of: lowered).capEffective & dacOverride == 0)
        // The first token itself adjusted after its executor started.
        _ = try full.engine.adjustCapabilities(full.handle, enable: 0, disable: dacOverride, remove: 0)
        #expect(try await seenInScope(of: full).capEffective & dacOverride == 0)
        // Enabled again: its threads hold the privilege again.
        _ = try full.engine.adjustCapabilities(full.handle, enable: dacOverride, disable: 0, remove: 0)
        #expect(try await seenInScope(of: full).capEffective & dacOverride != 0)
        // Code in a scope that disables the privilege on its own thread token: the threads that
        // hold the adjusted token serve no later scope of an unadjusted one.
        let inside = try await withImpersonation(of: full) { () async throws -> UInt64 in
            let own = try #require(try Token.current())
            _ = try own.engine.adjustCapabilities(own.handle, enable: 0, disable: dacOverride, remove: 0)
            return threadCapEffective()
        }
        #expect(inside & dacOverride == 0)
        let again = try Token.process().duplicate(kind: .impersonation, level: .impersonation)
        #expect(try await seenInScope(of: again).capEffective & dacOverride != 0)
        #expect(try await seenInScope(of: full).capEffective & dacOverride != 0)
    }
}
