import HostSec
import Synchronization

/// A credential seam that behaves like the kernel, except that once armed, the next
/// `setresuid` first runs a hook on the calling thread, inside the library's credential
/// switch (where a signal would interrupt it). The hook runs once per arming.
final class HookedSyscalls: CredentialSyscalls, @unchecked Sendable {
    private let real = KernelCredentialSyscalls()
    private let hook = Mutex<(@Sendable () -> Void)?>(nil)

    /// Runs `body` in the next `setresuid`, before the syscall.
    func arm(_ body: @escaping @Sendable () -> Void) { hook.withLock { $0 = body } }

    func setresuid(_ r: UserID, _ e: UserID, _ s: UserID) throws(SyscallFailure) {
        let body = hook.withLock { hook in
            defer { hook = nil }
            return hook
        }
        body?()
        try real.setresuid(r, e, s)
    }

    func getresuid() throws(SyscallFailure) -> (UserID, UserID, UserID) { try real.getresuid() }
    func getresgid() throws(SyscallFailure) -> (GroupID, GroupID, GroupID) { try real.getresgid() }
    func getgroups() throws(SyscallFailure) -> [GroupID] { try real.getgroups() }
    func capget() throws(SyscallFailure) -> CapabilitySets { try real.capget() }
    func setgroups(_ groups: [GroupID]) throws(SyscallFailure) { try real.setgroups(groups) }
    func setresgid(_ r: GroupID, _ e: GroupID, _ s: GroupID) throws(SyscallFailure) { try real.setresgid(r, e, s) }
    func capset(_ sets: CapabilitySets) throws(SyscallFailure) { try real.capset(sets) }
    func setfsuid(_ id: UserID) -> UserID { real.setfsuid(id) }
    func setfsgid(_ id: GroupID) -> GroupID { real.setfsgid(id) }
    func ambient(within allowed: UInt64) throws(SyscallFailure) -> UInt64 { try real.ambient(within: allowed) }
    func setAmbient(_ mask: UInt64) throws(SyscallFailure) { try real.setAmbient(mask) }
    func keepCaps() throws(SyscallFailure) -> Bool { try real.keepCaps() }
    func setKeepCaps(_ on: Bool) throws(SyscallFailure) { try real.setKeepCaps(on) }
}
