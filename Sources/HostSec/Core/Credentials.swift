/// Capability numbers the library's rules name.
package enum Capability {
    package static let dacOverride: UInt32 = 1
    package static let setgid: UInt32 = 6
    package static let setuid: UInt32 = 7

    @inlinable package static func bit(_ cap: UInt32) -> UInt64 { 1 << UInt64(cap) }
    /// CAP_SETUID + CAP_SETGID: what impersonating another identity takes (Windows'
    /// SeImpersonatePrivilege).
    package static let impersonate: UInt64 = bit(setuid) | bit(setgid)
}

/// Everything the kernel holds about one thread's identity. Immutable, and a class: a thread
/// keeps its "self" in one and the switching paths pass it around without copying the
/// groups array (a struct with an array costs a retain per copy).
package final class KernelCredentials: Equatable, Sendable {
    package let ruid: UserID, euid: UserID, suid: UserID, fsuid: UserID
    package let rgid: GroupID, egid: GroupID, sgid: GroupID, fsgid: GroupID
    package let groups: [GroupID]
    package let caps: CapabilitySets
    /// The ambient capability set: what a program the thread execs starts with.
    package let ambient: UInt64
    /// The thread's `SECBIT_KEEP_CAPS` flag.
    package let keepCaps: Bool
    /// The identity these credentials act as (effective ids).
    package let identity: Identity

    package init(
        ruid: UserID, euid: UserID, suid: UserID, fsuid: UserID,
        rgid: GroupID, egid: GroupID, sgid: GroupID, fsgid: GroupID,
        groups: [GroupID], caps: CapabilitySets, ambient: UInt64 = 0, keepCaps: Bool = false
    ) {
        self.ruid = ruid; self.euid = euid; self.suid = suid; self.fsuid = fsuid
        self.rgid = rgid; self.egid = egid; self.sgid = sgid; self.fsgid = fsgid
        self.groups = groups
        self.caps = caps
        self.ambient = ambient
        self.keepCaps = keepCaps
        self.identity = Identity(
            uid: euid, gid: egid, groups: groups,
            capEffective: caps.effective, capPermitted: caps.permitted)
    }

    package static func == (a: KernelCredentials, b: KernelCredentials) -> Bool {
        a.hasIds(b.ruid, b.euid, b.suid, b.rgid, b.egid, b.sgid) && a.fsuid == b.fsuid && a.fsgid == b.fsgid
            && a.groups == b.groups && a.caps == b.caps && a.ambient == b.ambient && a.keepCaps == b.keepCaps
    }

    /// Reads the calling thread's credentials.
    package static func read(_ sys: any CredentialSyscalls) throws(SyscallFailure) -> KernelCredentials {
        let (ruid, euid, suid) = try sys.getresuid()
        let (rgid, egid, sgid) = try sys.getresgid()
        let groups = try sys.getgroups()
        let caps = try sys.capget()
        let fsuid = sys.setfsuid(.unrepresentable)
        let fsgid = sys.setfsgid(.unrepresentable)
        let ambient = try sys.ambient(within: caps.permitted & caps.inheritable)
        let keepCaps = try sys.keepCaps()
        return KernelCredentials(
            ruid: ruid, euid: euid, suid: suid, fsuid: fsuid,
            rgid: rgid, egid: egid, sgid: sgid, fsgid: fsgid,
            groups: groups, caps: caps, ambient: ambient, keepCaps: keepCaps)
    }

    /// The same credentials with the effective and permitted sets of `identity` (an adjusted
    /// process token's); the ambient set keeps only what the new permitted set still holds, as
    /// the kernel does.
    func withCapabilities(_ identity: Identity) -> KernelCredentials {
        let permitted = identity.capPermitted
        return KernelCredentials(
            ruid: ruid, euid: euid, suid: suid, fsuid: fsuid,
            rgid: rgid, egid: egid, sgid: sgid, fsgid: fsgid, groups: groups,
            caps: CapabilitySets(
                effective: identity.capEffective & permitted, permitted: permitted,
                inheritable: caps.inheritable),
            ambient: ambient & permitted, keepCaps: keepCaps)
    }

    /// Whether none of the real, effective and saved uids is 0 (the kernel then clears the
    /// permitted set when a change leaves every uid nonzero, unless `SECBIT_KEEP_CAPS`).
    var hasNoRootUid: Bool { ruid != .root && euid != .root && suid != .root }

    /// Whether these are the real, effective and saved uids and gids given.
    @inline(__always)
    func hasIds(
        _ ruid: UserID, _ euid: UserID, _ suid: UserID, _ rgid: GroupID, _ egid: GroupID, _ sgid: GroupID
    ) -> Bool {
        self.ruid == ruid && self.euid == euid && self.suid == suid
            && self.rgid == rgid && self.egid == egid && self.sgid == sgid
    }

    /// Whether the process may impersonate other identities (CAP_SETUID and CAP_SETGID in
    /// the permitted set).
    package var mayImpersonateOthers: Bool { caps.permitted & Capability.impersonate == Capability.impersonate }
}

/// The identity a token describes: who a thread acts as.
package struct Identity: Equatable, Hashable, Sendable {
    package var uid: UserID
    package var gid: GroupID
    /// Supplementary groups, exactly as the kernel would hold them.
    package var groups: [GroupID]
    package var capEffective: UInt64
    package var capPermitted: UInt64

    package init(uid: UserID, gid: GroupID, groups: [GroupID], capEffective: UInt64, capPermitted: UInt64) {
        self.uid = uid
        self.gid = gid
        self.groups = groups
        self.capEffective = capEffective
        self.capPermitted = capPermitted
    }

    /// Same user, group and groups: acting as it needs no uid/gid change.
    @inline(__always) package func sameAccount(uid: UserID, gid: GroupID, groups: [GroupID]) -> Bool {
        self.uid == uid && self.gid == gid && self.groups == groups
    }

    /// Whether the kernel can hold this identity: no id is `(uid_t)-1` (`unrepresentable`), and
    /// the uid is not one of `KernelCredentialSwitch.reservedRealUids` (an account of such a
    /// uid could signal the impersonating thread whose real uid it is).
    package var isRepresentable: Bool {
        uid.isRepresentable && !KernelCredentialSwitch.isReservedRealUid(uid) && gid.isRepresentable
            && !groups.contains(.unrepresentable)
    }

    package func holds(_ cap: UInt32) -> Bool { capEffective & Capability.bit(cap) != 0 }

    package func isMember(of gid: GroupID) -> Bool { self.gid == gid || groups.contains(gid) }

    /// The same identity with its effective capabilities dropped (a restricted context).
    package var restricted: Identity {
        var r = self
        r.capEffective = 0
        return r
    }
}
