import Foundation
import Synchronization
import Testing
@testable import HostSecurity
import CHostSec
import struct HostSec.TokenHandle
import struct HostSec.HostSecError
import class HostSec.Engine

@Suite struct TokenTests {
    @Test func logon_reads_the_account_from_the_user_database() throws {
        let token = try Token.logon(user: "nobody")
        let pw = getpwnam("nobody")!.pointee
        #expect(token.uid == UserID(rawValue: pw.pw_uid))
        #expect(token.gid == GroupID(rawValue: pw.pw_gid))
        #expect(token.kind == .primary)
        #expect(token.level == .anonymous)
        #expect(token.id != 0)
    }

    @Test func user_and_group_ids_are_typed_and_read_as_their_numbers() throws {
        let token = try Token.logon(user: "nobody")
        let pw = getpwnam("nobody")!.pointee
        #expect(token.uid.rawValue == pw.pw_uid && token.gid.rawValue == pw.pw_gid)
        #expect(String(token.uid) == String(pw.pw_uid) && UserID(String(pw.pw_uid)) == token.uid)
        #expect(UserID("nobody") == nil && GroupID(rawValue: 7) == 7 && [GroupID(9), 2].sorted() == [2, 9])
        #expect(token.groups.contains(token.gid))
        #expect(token.description.contains("uid: \(pw.pw_uid), gid: \(pw.pw_gid), groups: ["))
    }

    @Test func logon_of_an_unknown_user_throws_none_mapped() {
        #expect(throws: HostSecurityError.noneMapped) { try Token.logon(user: "no-such-user-hostsec-swift") }
        #expect(throws: HostSecurityError.noneMapped) { try Token.logon(user: "") }
    }

    @Test func process_token_is_the_threads_own_credentials() throws {
        let token = try Token.process()
        let now = Creds.kernel()
        #expect(
            Creds(of: token)
                == Creds(ruid: now.euid, euid: now.euid, rgid: now.egid, egid: now.egid, groups: now.groups))
        #expect(token.kind == .primary)
    }

    @Test func current_is_nil_when_not_impersonating() throws {
        #expect(try Token.current() == nil)
    }

    @Test func duplicate_makes_an_impersonation_token_and_refuses_raising_its_level() throws {
        let token = try Token.logon(user: "nobody")
        let ident = try token.duplicate(kind: .impersonation, level: .identification)
        #expect(ident.kind == .impersonation && ident.level == .identification && ident.uid == token.uid)
        #expect(ident.id != token.id)
        #expect(throws: HostSecurityError.badImpersonationLevel) {
            try ident.duplicate(kind: .impersonation, level: .impersonation)
        }
        #expect(throws: HostSecurityError.badImpersonationLevel) {
            try ident.duplicate(kind: .primary, level: .anonymous)
        }
    }

    @Test func releasing_a_token_closes_its_handle() throws {
        let before = HandleStatistics.live
        do {
            let token = try Token.logon(user: "nobody")
            #expect(HandleStatistics.live >= before + 1)
            _ = token
        }
        // The handle a token held is no longer valid once it is released.
        var handle = TokenHandle(nil)
        do { let token = try Token.logon(user: "nobody"); handle = token.handle }
        #expect(throws: HostSecError.handle) { try Engine.shared.handles.lookup(handle) }
    }

    @Test func password_logon_with_a_wrong_password_or_unknown_account_throws_logon_failure() {
        #expect(throws: HostSecurityError.logonFailure) {
            try Token.logon(user: "no-such-user-hostsec-swift", password: "x")
        }
        #expect(throws: HostSecurityError.invalidArgument) { try Token.logon(user: "", password: "x") }
    }

    /// Decided from the user database before PAM: root (uid 0), daemon (a system account) and
    /// nobody (shell /usr/sbin/nologin) are refused at once; the options let them reach PAM,
    /// where the wrong password fails as usual.
    @Test func root_system_and_nologin_accounts_are_refused_unless_the_options_allow_them() {
        // The allowed tries reach PAM, where pam_faillock counts them: tallies this test made
        // are removed again.
        let paths: [String] = ["/run/faillock/daemon", "/run/faillock/nobody"]
        let tallies = paths.filter { !FileManager.default.fileExists(atPath: $0) }
        defer { for path in tallies { try? FileManager.default.removeItem(atPath: path) } }
        for user in ["root", "daemon", "nobody"] {
            #expect(throws: HostSecurityError.logonTypeNotGranted) { try Token.logon(user: user, password: "x") }
        }
        #expect(throws: HostSecurityError.logonFailure) {
            try Token.logon(user: "daemon", password: "x", options: [.allowRootAndSystemAccounts, .allowNologinShells])
        }
        #expect(throws: HostSecurityError.logonTypeNotGranted) {
            try Token.logon(user: "daemon", password: "x", options: .allowRootAndSystemAccounts)  // shell nologin
        }
        #expect(throws: HostSecurityError.logonFailure) {
            try Token.logon(user: "nobody", password: "x", options: .allowNologinShells)
        }
    }

    @Test func the_failure_delay_is_returned_instead_of_slept() {
        var delay = Duration.seconds(99)
        let started = ContinuousClock.now
        #expect(throws: HostSecurityError.logonFailure) {
            try Token.logon(user: "no-such-user-hostsec-swift-no-wait", password: "x", failureDelay: &delay)
        }
        let spent = ContinuousClock.now - started
        #expect(delay > .zero && spent < .seconds(1))
        #expect(spent + delay >= .milliseconds(990))
        delay = .seconds(99)
        #expect(throws: HostSecurityError.logonTypeNotGranted) {
            try Token.logon(user: "root", password: "x", failureDelay: &delay)
        }
        #expect(delay == .zero)  // refused before PAM: no delay is due
    }

    /// 16 failing async logons at once on the cooperative pool (one thread per core): each
    /// error comes after its delay, and the delays overlap, since none holds a thread. Held
    /// threads would need 16 x 2 s / cores.
    @Test func async_failures_wait_their_delay_without_holding_a_thread() async {
        let started = ContinuousClock.now
        let spent = await withTaskGroup(of: Duration?.self) { group in
            for i in 0..<16 {
                group.addTask {
                    let start = ContinuousClock.now
                    do throws(HostSecurityError) {
                        _ = try await Token.logon(user: "no-such-user-hostsec-async-\(i)", password: "x")
                        return nil
                    } catch {
                        return error == HostSecurityError.logonFailure ? ContinuousClock.now - start : nil
                    }
                }
            }
            var all: [Duration?] = []
            for await one in group { all.append(one) }
            return all
        }
        #expect(spent.allSatisfy { $0 != nil && $0! >= Duration.milliseconds(990) })
        #expect(ContinuousClock.now - started < .seconds(16))
    }

    /// The lane of recently failed names must not hold the cooperative pool: async logons of
    /// a name that just failed, waiting for the lane's places (held here from Dispatch threads,
    /// as slow nice-19 transactions would hold them), must leave the pool free for every other
    /// task, a good logon included (docs/logon.md: a valid account's logon does not wait for
    /// the attackers'). One task per core waits; a task that sleeps 300 ms must wake while the
    /// places are still held (6 s: other suites run beside this one and may block the pool for
    /// a while, but not that long), not only once they are freed (ADV3-03).
    @Test func async_logons_waiting_for_the_lane_leave_the_pool_free() async throws {
        let name = "no-such-user-hostsec-lane-\(getpid())"
        var delay = Duration.zero
        _ = try? Token.logon(user: name, password: "x", failureDelay: &delay)  // the name now takes the lane
        let cpus = max(Int(sysconf(Int32(_SC_NPROCESSORS_ONLN))), 1)
        let places = max(cpus - 1, 1)
        final class Released: Sendable { let value = Mutex(false) }
        let released = Released()
        let entered = DispatchSemaphore(value: 0)
        for _ in 0..<places {
            DispatchQueue.global().async {
                _ = hs_pam_lane_enter()
                entered.signal()
                usleep(6_000_000)
                released.value.withLock { $0 = true }
                hs_pam_lane_leave()
            }
        }
        for _ in 0..<places { entered.wait() }
        let waiters = (0..<cpus).map { _ in Task { _ = try? await Token.logon(user: name, password: "x") } }
        try await Task.sleep(for: .milliseconds(300))
        let wokeAfterRelease = released.value.withLock { $0 }
        for waiter in waiters { await waiter.value }
        #expect(!wokeAfterRelease, "a 300 ms sleep woke only after the lane's places were freed")
    }

    @Test func errors_are_named_by_the_librarys_table() {
        #expect(HostSecurityError.noneMapped.description == "HRESULT_FROM_WIN32(ERROR_NONE_MAPPED) (0x80070534)")
        #expect(
            HostSecurityError.privilegeNotHeld.description
                == "HRESULT_FROM_WIN32(ERROR_PRIVILEGE_NOT_HELD) (0x80070522)")
        #expect(HostSecurityError.closed.description == "HOST_E_CLRNOTAVAILABLE (0x80131023)")
        #expect(HostSecurityError.logonFailure.description == "HRESULT_FROM_WIN32(ERROR_LOGON_FAILURE) (0x8007052E)")
        #expect(HostSecurityError.accessDenied.hresult == Int32(bitPattern: 0x8007_0005))
        #expect(HostSecurityError(hresult: 0x1234).description == "0x1234")
    }
}

enum HandleStatistics {
    static var live: Int { Int(hs_live(Int32(HS_LIVE_HANDLES))) }
}
