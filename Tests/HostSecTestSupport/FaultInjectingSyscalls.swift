import Synchronization
#if canImport(Glibc)
import Glibc
#endif
import HostSec

// Shared by the test targets (HostSecTests, HostSecurityTests): the fault-injecting credential
// seam. Not part of any product.

/// A credential seam that behaves like the kernel until it is armed; then the `onCall`-th call
/// of the chosen step fails with EPERM (or, for the read steps with `lie`, returns
/// credentials that do not match the thread's).
package final class FaultInjectingSyscalls: CredentialSyscalls, @unchecked Sendable {
    let real = KernelCredentialSyscalls()
    package let step: CredentialStep
    package let failOnCall: Int
    package let lie: Bool
    private let state = Mutex<(armed: Bool, calls: Int)>((false, 0))

    package init(failing step: CredentialStep, onCall n: Int = 1, lie: Bool = false) {
        self.step = step
        self.failOnCall = n
        self.lie = lie
    }

    package func arm() { state.withLock { $0 = (true, 0) } }

    /// True when this call of `s` is the one to fail.
    private func hit(_ s: CredentialStep) -> Bool {
        guard s == step else { return false }
        return state.withLock { st in
            guard st.armed else { return false }
            st.calls += 1
            return st.calls == failOnCall
        }
    }

    package func getresuid() throws(SyscallFailure) -> (UserID, UserID, UserID) {
        if hit(.getresuid) {
            if lie { return (4242, 4242, 4242) }
            throw SyscallFailure(.getresuid, EPERM)
        }
        return try real.getresuid()
    }
    package func getresgid() throws(SyscallFailure) -> (GroupID, GroupID, GroupID) {
        if hit(.getresgid) {
            if lie { return (4242, 4242, 4242) }
            throw SyscallFailure(.getresgid, EPERM)
        }
        return try real.getresgid()
    }
    package func getgroups() throws(SyscallFailure) -> [GroupID] {
        if hit(.getgroups) { throw SyscallFailure(.getgroups, EPERM) }
        return try real.getgroups()
    }
    package func capget() throws(SyscallFailure) -> CapabilitySets {
        if hit(.capget) {
            if lie { return CapabilitySets(effective: 0, permitted: 0, inheritable: 0) }
            throw SyscallFailure(.capget, EPERM)
        }
        return try real.capget()
    }
    package func setgroups(_ groups: [GroupID]) throws(SyscallFailure) {
        if hit(.setgroups) { throw SyscallFailure(.setgroups, EPERM) }
        try real.setgroups(groups)
    }
    package func setresgid(_ r: GroupID, _ e: GroupID, _ s: GroupID) throws(SyscallFailure) {
        if hit(.setresgid) { throw SyscallFailure(.setresgid, EPERM) }
        try real.setresgid(r, e, s)
    }
    package func setresuid(_ r: UserID, _ e: UserID, _ s: UserID) throws(SyscallFailure) {
        if hit(.setresuid) { throw SyscallFailure(.setresuid, EPERM) }
        try real.setresuid(r, e, s)
    }
    package func capset(_ sets: CapabilitySets) throws(SyscallFailure) {
        if hit(.capset) { throw SyscallFailure(.capset, EPERM) }
        try real.capset(sets)
    }
    package func setfsuid(_ id: UserID) -> UserID { real.setfsuid(id) }
    package func setfsgid(_ id: GroupID) -> GroupID { real.setfsgid(id) }
    package func ambient(within allowed: UInt64) throws(SyscallFailure) -> UInt64 {
        if hit(.getambient) { throw SyscallFailure(.getambient, EPERM) }
        return try real.ambient(within: allowed)
    }
    package func setAmbient(_ mask: UInt64) throws(SyscallFailure) {
        if hit(.setambient) { throw SyscallFailure(.setambient, EPERM) }
        try real.setAmbient(mask)
    }
    package func keepCaps() throws(SyscallFailure) -> Bool {
        if hit(.getkeepcaps) { throw SyscallFailure(.getkeepcaps, EPERM) }
        return try real.keepCaps()
    }
    package func setKeepCaps(_ on: Bool) throws(SyscallFailure) {
        if hit(.setkeepcaps) { throw SyscallFailure(.setkeepcaps, EPERM) }
        try real.setKeepCaps(on)
    }
}
