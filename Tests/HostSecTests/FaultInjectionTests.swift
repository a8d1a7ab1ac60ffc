import Foundation
import Synchronization
import Testing
@testable import HostSec
import CHostSec
import HostSecTestSupport

/// Runs `body` on a new OS thread and waits: credential changes stay on that thread, which
/// then exits (taking any credentials a failed test left behind with it).
func onFreshThread<T: Sendable>(_ body: @escaping @Sendable () -> T) -> T {
    let result = Mutex<T?>(nil)
    let done = DispatchSemaphore(value: 0)
    let thread = Thread {
        let value = body()
        result.withLock { $0 = value }
        done.signal()
    }
    thread.start()
    done.wait()
    return result.withLock { $0! }
}

/// The calling thread's kernel credentials, read directly.
func kernelNow() -> KernelCredentials { try! KernelCredentials.read(KernelCredentialSyscalls()) }

struct Outcome: Sendable, Equatable {
    var hr: HRESULT
    var closed: Bool
    var threadIsSelf: Bool
    var impersonating: Bool
}

/// When the fault is armed: before impersonating, or before reverting.
enum Phase { case impersonate, revert }

/// Impersonates through `engine` (another account, `nobody`; or with `restricted`, the thread's
/// own identity with its effective capabilities dropped), then reverts. Arms `faults` at
/// `phase`; reports the first failure's HRESULT and where the thread ended up.
func impersonateAndRevert(
    _ engine: Engine, arming faults: [FaultInjectingSyscalls] = [],
    at phase: Phase = .impersonate, restricted: Bool = false
) -> Outcome {
    let before = kernelNow()
    var hr = HResult.ok
    do {
        let handle = try engine.logonUser("nobody")
        defer { try? engine.handles.close(handle) }
        if phase == .impersonate { faults.forEach { $0.arm() } }
        if restricted {
            try engine.applyContext(nil, restricted: true)
        } else {
            try engine.impersonateLoggedOnUser(handle)
        }
        if phase == .revert { faults.forEach { $0.arm() } }
        try engine.revertToSelf()
    } catch {
        hr = error.hr
    }
    let after = kernelNow()
    return Outcome(
        hr: hr, closed: engine.isClosed, threadIsSelf: after == before,
        impersonating: ThreadState.existing?.token != nil)
}

/// An engine whose seam fails as `faults` says.
func engine(_ faults: FaultInjectingSyscalls) -> Engine { Engine(syscalls: faults) }

@Suite(
    .serialized,
    .enabled(
        if: privileged,
        "needs root with CAP_SETUID and CAP_SETGID (CI runs as root); without them kernel-level impersonation is refused, which test-impersonation-unprivileged covers"
    ))
struct FaultInjectionTests {
    /// A failing step on the way in: the library rolls back, reports the errno's HRESULT, leaves
    /// the thread exactly at "self" and not impersonating, and stays open.
    @Test(arguments: [CredentialStep.setgroups, .setresgid, .setresuid])
    func a_failed_impersonation_step_rolls_back_and_stays_open(step: CredentialStep) {
        let outcome = onFreshThread {
            let faults = FaultInjectingSyscalls(failing: step)
            return impersonateAndRevert(engine(faults), arming: [faults], at: .impersonate)
        }
        #expect(outcome == Outcome(hr: HResult.accessDenied, closed: false, threadIsSelf: true, impersonating: false))
    }

    @Test func a_failed_capability_drop_rolls_back_and_stays_open() {
        let outcome = onFreshThread {
            let faults = FaultInjectingSyscalls(failing: .capset)
            return impersonateAndRevert(engine(faults), arming: [faults], at: .impersonate, restricted: true)
        }
        #expect(outcome == Outcome(hr: HResult.accessDenied, closed: false, threadIsSelf: true, impersonating: false))
    }

    /// Every change is read back after it is applied: a kernel that reports other uids or gids
    /// than were asked for (as setresuid(-1, ...) would) is rolled back, reported as
    /// E_UNEXPECTED, and the thread is "self" again; the library stays open. (The first read of
    /// each is the check that the thread is at "self"; the second is the read-back.)
    @Test(arguments: [CredentialStep.getresuid, .getresgid])
    func a_change_the_kernel_did_not_take_is_rolled_back(step: CredentialStep) {
        let outcome = onFreshThread {
            let faults = FaultInjectingSyscalls(failing: step, onCall: 2, lie: true)
            return impersonateAndRevert(engine(faults), arming: [faults], at: .impersonate)
        }
        #expect(outcome == Outcome(hr: HResult.unexpected, closed: false, threadIsSelf: true, impersonating: false))
    }

    /// A failing step on the way back: E_FAIL, and the library is closed from then on.
    @Test(arguments: [CredentialStep.setresuid, .setresgid, .setgroups])
    func a_failed_revert_step_fails_closed(step: CredentialStep) {
        let outcome = onFreshThread {
            let faults = FaultInjectingSyscalls(failing: step)
            return impersonateAndRevert(engine(faults), arming: [faults], at: .revert)
        }
        #expect(outcome.hr == HResult.fail)
        #expect(outcome.closed)
    }

    @Test func a_failed_capability_restore_fails_closed() {
        let outcome = onFreshThread {
            let faults = FaultInjectingSyscalls(failing: .capset)
            return impersonateAndRevert(engine(faults), arming: [faults], at: .revert, restricted: true)
        }
        #expect(outcome.hr == HResult.fail)
        #expect(outcome.closed)
    }

    /// Revert first checks the thread still holds what was applied: ids it did not apply are
    /// put back and the library closes.
    @Test(arguments: [CredentialStep.getresuid, .getresgid])
    func a_mismatch_found_at_revert_fails_closed(step: CredentialStep) {
        let outcome = onFreshThread {
            let faults = FaultInjectingSyscalls(failing: step, lie: true)
            return impersonateAndRevert(engine(faults), arming: [faults], at: .revert)
        }
        #expect(outcome.hr == HResult.fail)
        #expect(outcome.closed)
    }

    @Test func a_capability_read_back_mismatch_fails_closed() {
        let outcome = onFreshThread {
            let faults = FaultInjectingSyscalls(failing: .capget, lie: true)
            return impersonateAndRevert(engine(faults), arming: [faults], at: .revert, restricted: true)
        }
        #expect(outcome.hr == HResult.fail)
        #expect(outcome.closed)
    }

    /// A rollback that itself fails (the way in fails at setresuid, then restoring the gid
    /// fails): E_FAIL and closed; no silent success.
    @Test func a_failed_rollback_fails_closed() {
        final class Both: CredentialSyscalls, @unchecked Sendable {
            let a = FaultInjectingSyscalls(failing: .setresuid)
            let b = FaultInjectingSyscalls(failing: .setresgid, onCall: 2)
            func getresuid() throws(SyscallFailure) -> (UserID, UserID, UserID) { try a.getresuid() }
            func getresgid() throws(SyscallFailure) -> (GroupID, GroupID, GroupID) { try a.getresgid() }
            func getgroups() throws(SyscallFailure) -> [GroupID] { try a.getgroups() }
            func capget() throws(SyscallFailure) -> CapabilitySets { try a.capget() }
            func setgroups(_ g: [GroupID]) throws(SyscallFailure) { try a.setgroups(g) }
            func setresgid(_ r: GroupID, _ e: GroupID, _ s: GroupID) throws(SyscallFailure) { try b.setresgid(r, e, s) }
            func setresuid(_ r: UserID, _ e: UserID, _ s: UserID) throws(SyscallFailure) { try a.setresuid(r, e, s) }
            func capset(_ c: CapabilitySets) throws(SyscallFailure) { try a.capset(c) }
            func setfsuid(_ id: UserID) -> UserID { a.setfsuid(id) }
            func setfsgid(_ id: GroupID) -> GroupID { a.setfsgid(id) }
            func ambient(within allowed: UInt64) throws(SyscallFailure) -> UInt64 { try a.ambient(within: allowed) }
            func setAmbient(_ mask: UInt64) throws(SyscallFailure) { try a.setAmbient(mask) }
            func keepCaps() throws(SyscallFailure) -> Bool { try a.keepCaps() }
            func setKeepCaps(_ on: Bool) throws(SyscallFailure) { try a.setKeepCaps(on) }
        }
        let outcome = onFreshThread {
            let both = Both()
            return impersonateAndRevert(Engine(syscalls: both), arming: [both.a, both.b], at: .impersonate)
        }
        #expect(outcome.hr == HResult.fail)
        #expect(outcome.closed)
    }

    /// Once closed, every hosting operation on every thread reports HOST_E_CLRNOTAVAILABLE.
    @Test func after_a_failed_revert_every_thread_is_refused() {
        let faults = FaultInjectingSyscalls(failing: .setresuid)
        let engine = engine(faults)
        let first = onFreshThread { impersonateAndRevert(engine, arming: [faults], at: .revert) }
        #expect(first.hr == HResult.fail)
        let results: [HRESULT] = onFreshThread {
            var hrs: [HRESULT] = []
            func record(_ body: () throws(HostSecError) -> Void) {
                do { try body(); hrs.append(HResult.ok) } catch { hrs.append(error.hr) }
            }
            record { () throws(HostSecError) in try engine.impersonateSelf(level: 2) }
            record { () throws(HostSecError) in try engine.revertToSelf() }
            record { () throws(HostSecError) in _ = try engine.openThreadToken(desiredAccess: .query, openAsSelf: true)
            }
            record { () throws(HostSecError) in _ = try engine.openProcessToken(desiredAccess: .query) }
            record { () throws(HostSecError) in _ = try engine.logonUser("nobody") }
            record { () throws(HostSecError) in try engine.setThreadToken(nil) }
            record { () throws(HostSecError) in _ = try engine.captureContext(restricted: false) }
            record { () throws(HostSecError) in try engine.applyContext(nil, restricted: false) }
            return hrs
        }
        #expect(results == Array(repeating: HResult.clrNotAvailable, count: 8))
    }

    /// With the real seam the same sequence succeeds and leaves the thread exactly as it was.
    @Test func the_real_seam_impersonates_and_reverts_exactly() {
        let outcome = onFreshThread { impersonateAndRevert(Engine(syscalls: KernelCredentialSyscalls())) }
        #expect(outcome == Outcome(hr: HResult.ok, closed: false, threadIsSelf: true, impersonating: false))
        let restricted = onFreshThread {
            impersonateAndRevert(Engine(syscalls: KernelCredentialSyscalls()), restricted: true)
        }
        #expect(restricted == Outcome(hr: HResult.ok, closed: false, threadIsSelf: true, impersonating: false))
    }
}
