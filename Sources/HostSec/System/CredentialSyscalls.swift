import CHostSec

/// One credential syscall, named so fault injection can pick any step.
package enum CredentialStep: String, CaseIterable, Sendable {
    case getresuid, getresgid, getgroups, capget
    case setgroups, setresgid, setresuid, capset, setfsuid, setfsgid
    case getambient, setambient, getkeepcaps, setkeepcaps
}

/// A credential syscall that failed: which step, and the errno it returned.
package struct SyscallFailure: Error, Equatable, Sendable {
    package let step: CredentialStep
    package let errno: Int32
    package init(_ step: CredentialStep, _ errno: Int32) {
        self.step = step
        self.errno = errno
    }
}

extension SyscallFailure {
    /// The one conversion of a raw credential syscall's result (0, or the errno value the
    /// shim's `hs_sys_*` returns) into success or the typed failure of `step`.
    @inline(__always) static func check(_ step: CredentialStep, _ result: Int32) throws(SyscallFailure) {
        if result != 0 { throw SyscallFailure(step, result) }
    }
}

/// Capability sets as 64-bit masks (bit n is capability n).
package struct CapabilitySets: Equatable, Hashable, Sendable {
    package var effective: UInt64
    package var permitted: UInt64
    package var inheritable: UInt64
    package init(effective: UInt64, permitted: UInt64, inheritable: UInt64) {
        self.effective = effective
        self.permitted = permitted
        self.inheritable = inheritable
    }
}

/// The seam in front of every call that reads or changes a thread's kernel credentials.
/// `KernelCredentialSyscalls` is the real one; tests substitute one that fails at a chosen
/// step. All calls act on the calling thread only.
package protocol CredentialSyscalls: Sendable {
    func getresuid() throws(SyscallFailure) -> (UserID, UserID, UserID)
    func getresgid() throws(SyscallFailure) -> (GroupID, GroupID, GroupID)
    func getgroups() throws(SyscallFailure) -> [GroupID]
    func capget() throws(SyscallFailure) -> CapabilitySets
    func setgroups(_ groups: [GroupID]) throws(SyscallFailure)
    func setresgid(_ r: GroupID, _ e: GroupID, _ s: GroupID) throws(SyscallFailure)
    func setresuid(_ r: UserID, _ e: UserID, _ s: UserID) throws(SyscallFailure)
    func capset(_ sets: CapabilitySets) throws(SyscallFailure)
    /// Sets the filesystem uid; returns the previous one. `.unrepresentable` only queries.
    func setfsuid(_ id: UserID) -> UserID
    /// Sets the filesystem gid; returns the previous one. `.unrepresentable` only queries.
    func setfsgid(_ id: GroupID) -> GroupID
    /// The ambient capability set (always within permitted ∩ inheritable, which `allowed` is).
    func ambient(within allowed: UInt64) throws(SyscallFailure) -> UInt64
    /// Makes the ambient set exactly `mask` (`prctl(PR_CAP_AMBIENT, ...)`).
    func setAmbient(_ mask: UInt64) throws(SyscallFailure)
    /// The `SECBIT_KEEP_CAPS` flag (`prctl(PR_GET_KEEPCAPS)`).
    func keepCaps() throws(SyscallFailure) -> Bool
    /// Sets the `SECBIT_KEEP_CAPS` flag (`prctl(PR_SET_KEEPCAPS)`).
    func setKeepCaps(_ on: Bool) throws(SyscallFailure)
}

/// The real syscalls, made raw (`syscall(2)`) so they change the calling thread only;
/// glibc's `setuid`/`setgroups` wrappers would change every thread in the process.
package struct KernelCredentialSyscalls: CredentialSyscalls {
    package init() {}

    package func getresuid() throws(SyscallFailure) -> (UserID, UserID, UserID) {
        var r: UInt32 = 0, e: UInt32 = 0, s: UInt32 = 0
        try SyscallFailure.check(.getresuid, hs_sys_getresuid(&r, &e, &s))
        return (UserID(rawValue: r), UserID(rawValue: e), UserID(rawValue: s))
    }

    package func getresgid() throws(SyscallFailure) -> (GroupID, GroupID, GroupID) {
        var r: UInt32 = 0, e: UInt32 = 0, s: UInt32 = 0
        try SyscallFailure.check(.getresgid, hs_sys_getresgid(&r, &e, &s))
        return (GroupID(rawValue: r), GroupID(rawValue: e), GroupID(rawValue: s))
    }

    package func getgroups() throws(SyscallFailure) -> [GroupID] {
        // One syscall for up to 32 groups (almost every account); a longer list (EINVAL) takes
        // the count first.
        let few: [GroupID]? = withUnsafeTemporaryAllocation(of: UInt32.self, capacity: 32) { buffer in
            let got = hs_sys_getgroups(32, buffer.baseAddress)
            return got >= 0 ? buffer.prefix(Int(got)).map(GroupID.init(rawValue:)) : nil
        }
        if let few { return few }
        while true {
            let count = hs_sys_getgroups(0, nil)
            if count < 0 { throw SyscallFailure(.getgroups, -count) }
            var groups = [GroupID](repeating: 0, count: Int(count))
            let got = groups.withUnsafeMutableBufferPointer {
                $0.withMemoryRebound(to: UInt32.self) { hs_sys_getgroups(count, $0.baseAddress) }
            }
            if got == -EINVAL { continue }  // the list grew between the two calls
            if got < 0 { throw SyscallFailure(.getgroups, -got) }
            return Array(groups.prefix(Int(got)))
        }
    }

    package func capget() throws(SyscallFailure) -> CapabilitySets {
        var sets = CapabilitySets(effective: 0, permitted: 0, inheritable: 0)
        try SyscallFailure.check(.capget, hs_sys_capget(&sets.effective, &sets.permitted, &sets.inheritable))
        return sets
    }

    package func setgroups(_ groups: [GroupID]) throws(SyscallFailure) {
        try SyscallFailure.check(.setgroups, groups.withRawValues { hs_sys_setgroups(Int32($0.count), $0.baseAddress) })
    }

    package func setresgid(_ r: GroupID, _ e: GroupID, _ s: GroupID) throws(SyscallFailure) {
        try SyscallFailure.check(.setresgid, hs_sys_setresgid(r.rawValue, e.rawValue, s.rawValue))
    }

    package func setresuid(_ r: UserID, _ e: UserID, _ s: UserID) throws(SyscallFailure) {
        try SyscallFailure.check(.setresuid, hs_sys_setresuid(r.rawValue, e.rawValue, s.rawValue))
    }

    package func capset(_ sets: CapabilitySets) throws(SyscallFailure) {
        try SyscallFailure.check(.capset, hs_sys_capset(sets.effective, sets.permitted, sets.inheritable))
    }

    package func setfsuid(_ id: UserID) -> UserID { UserID(rawValue: hs_sys_setfsuid(id.rawValue)) }
    package func setfsgid(_ id: GroupID) -> GroupID { GroupID(rawValue: hs_sys_setfsgid(id.rawValue)) }

    package func ambient(within allowed: UInt64) throws(SyscallFailure) -> UInt64 {
        var mask: UInt64 = 0
        try SyscallFailure.check(.getambient, hs_sys_get_ambient(allowed, &mask))
        return mask
    }

    package func setAmbient(_ mask: UInt64) throws(SyscallFailure) {
        try SyscallFailure.check(.setambient, hs_sys_set_ambient(mask))
    }

    package func keepCaps() throws(SyscallFailure) -> Bool {
        var on: Int32 = 0
        try SyscallFailure.check(.getkeepcaps, hs_sys_get_keepcaps(&on))
        return on != 0
    }

    package func setKeepCaps(_ on: Bool) throws(SyscallFailure) {
        try SyscallFailure.check(.setkeepcaps, hs_sys_set_keepcaps(on ? 1 : 0))
    }
}
