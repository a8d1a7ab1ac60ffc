import CHostSec
#if canImport(Glibc)
import Glibc
#endif

/// What an impersonation changed in the calling thread's kernel credentials, so revert
/// undoes exactly that and no more.
struct KernelChange: Equatable {
    var groups = false
    var gid = false
    var uid = false
    var caps = false
    /// The ambient set was emptied (a thread acting as another identity execs nothing with
    /// capabilities).
    var ambient = false
    /// What the kernel holds is not known (a rollback failed): revert puts back everything.
    var unknown = false
    /// The uid, gid and effective capabilities applied (what revert checks is still there, and
    /// all it needs to predict the kernel's capability fix-ups); plain values.
    var targetUid: UserID
    var targetGid: GroupID
    var targetCapEffective: UInt64
    /// The real uid applied with the uid (`KernelCredentialSwitch.impersonationRealUid` of the
    /// thread that applied it and the account; a child that thread forks holds the same).
    var realUid: UserID = .unrepresentable

    var isEmpty: Bool { !(groups || gid || uid || caps || ambient || unknown) }

    /// A change whose extent is unknown: revert resets every credential.
    static func unknown(_ target: Identity) -> KernelChange {
        KernelChange(
            groups: true, gid: true, uid: true, caps: true, ambient: true, unknown: true,
            targetUid: target.uid, targetGid: target.gid, targetCapEffective: target.capEffective)
    }
}

/// Switching the calling thread's kernel credentials, with per-thread raw syscalls through
/// the `CredentialSyscalls` seam, as capabilities(7) describes the kernel's rules.
///
/// Order on the way in: groups, gid, uid (the uid change drops the effective capabilities
/// that setgroups/setresgid need), then capabilities, then the ambient set is emptied; then
/// everything changed is read back and compared. The saved uid and gid stay at "self", so the
/// way back needs no privilege the thread lost; the real uid becomes the one reserved for the
/// thread and the account, `impersonationRealUid(nonce:account:)`.
///
/// On the way back revert first checks that the kernel still holds what was applied (glibc's
/// process-wide set*id calls reach impersonating threads too), then: uid (with
/// `SECBIT_KEEP_CAPS` held when every uid becomes nonzero again, so a non-root "self" keeps
/// its permitted set), capabilities (setresgid and setgroups need CAP_SETGID), gid, groups,
/// filesystem ids, ambient set; then reads back and compares.
struct KernelCredentialSwitch {
    let sys: any CredentialSyscalls

    /// The real uids reserved for threads acting as another account: 0xF0000000-0xFFFFFFFD,
    /// ids no account may have (docs/design.md, "Which ids change"). Not the account's, so its
    /// processes cannot signal the thread (kill(2) matches the sender's real or effective uid
    /// against the target's real or saved uid); not 0, so a program the thread starts gets no
    /// root at `execve`. A thread serving account t holds the one its random key (drawn per
    /// thread, again in a fork child) picks for t: one per thread and account, so a program
    /// started for t reaches no thread serving anyone else and no program started for another
    /// account (ADV3-01, ADV4-01/02), whatever the thread ids or pid namespaces, but for a
    /// chance collision of two keys' picks (docs/design.md). The same thread serving t again
    /// holds the same one: no new kernel user to allocate.
    static let reservedRealUids: ClosedRange<UInt32> = 0xF000_0000...0xFFFF_FFFD

    /// The reserved real uid of the thread with key `nonce` while it acts as `account`.
    static func impersonationRealUid(nonce: UInt64, account: UserID) -> UserID {
        // splitmix64's finalizer over the key and the account: any change of either moves
        // every bit.
        var z = nonce &+ UInt64(account.rawValue) &* 0x9E37_79B9_7F4A_7C15
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        z ^= z >> 31
        let span = UInt64(reservedRealUids.upperBound - reservedRealUids.lowerBound) + 1
        return UserID(rawValue: reservedRealUids.lowerBound + UInt32(z % span))
    }

    /// Whether `uid` is one of the reserved real uids (any thread's).
    static func isReservedRealUid(_ uid: UserID) -> Bool { reservedRealUids.contains(uid.rawValue) }

    enum ApplyFailure: Error {
        case refused(SyscallFailure)  // nothing is left changed
        case mismatch  // the kernel did not take what was asked; rolled back
        case cannotRestore(SyscallFailure)  // credentials are not what anyone asked for
    }

    enum RestoreFailure: Error {
        /// The kernel held credentials the library did not apply. The thread was put back to
        /// "self" if `putBack` (else it is where the other party left it).
        case tampered(putBack: Bool)
        case failed(SyscallFailure)
    }

    /// Applies `target` on top of `me` and returns what changed. On failure rolls back what it
    /// changed and throws the failure; if the rollback itself fails, throws that (the caller
    /// fails closed).
    func apply(_ target: Identity, over me: KernelCredentials) throws(ApplyFailure) -> KernelChange {
        // (uid_t)-1 means "leave unchanged" to the kernel: such an id could only look applied.
        guard target.isRepresentable else { throw .refused(SyscallFailure(.setresuid, EINVAL)) }
        var change = KernelChange(targetUid: target.uid, targetGid: target.gid, targetCapEffective: target.capEffective)
        var mismatch = false
        do throws(SyscallFailure) {
            if target.groups != me.groups {
                try sys.setgroups(target.groups)
                change.groups = true
            }
            if target.gid != me.egid || target.gid != me.rgid {
                try sys.setresgid(target.gid, target.gid, me.sgid)
                change.gid = true
            }
            if target.uid != me.euid || target.uid != me.ruid {
                let realUid = Self.impersonationRealUid(nonce: hs_thread_nonce(), account: target.uid)
                try sys.setresuid(realUid, target.uid, me.suid)
                change.uid = true
                change.realUid = realUid
            }
            let effective =
                change.uid
                ? Self.effectiveAfterUidChange(
                    from: me.euid, to: target.uid,
                    effective: me.caps.effective,
                    permitted: me.caps.permitted)
                : me.caps.effective
            let wanted = target.capEffective & me.caps.permitted
            if wanted != effective {
                try sys.capset(
                    CapabilitySets(
                        effective: wanted, permitted: me.caps.permitted,
                        inheritable: me.caps.inheritable))
                change.caps = true
            }
            if me.ambient != 0 {
                try sys.setAmbient(0)
                change.ambient = true
            }
            mismatch = try !holdsApplied(change, me, capEffective: wanted)
        } catch {
            try rollBack(change, to: me)
            throw .refused(error)
        }
        if mismatch {
            try rollBack(change, to: me)
            throw .mismatch
        }
        return change
    }

    /// Undoes a change that failed or did not take; a failure to undo it is `cannotRestore`.
    private func rollBack(_ change: KernelChange, to me: KernelCredentials) throws(ApplyFailure) {
        do throws(SyscallFailure) { try undo(change, back: me) } catch { throw .cannotRestore(error) }
    }

    /// Whether the kernel holds exactly what `change` applied on top of `me`: uids and gids
    /// always, capabilities when a capset or a uid change touched them.
    private func holdsApplied(_ change: KernelChange, _ me: KernelCredentials, capEffective: UInt64)
        throws(SyscallFailure) -> Bool
    {
        guard try heldIds(matchApplied: change, me) else { return false }
        if change.caps || change.uid {
            let caps = try sys.capget()
            guard
                caps
                    == CapabilitySets(
                        effective: capEffective, permitted: me.caps.permitted,
                        inheritable: me.caps.inheritable)
            else { return false }
        }
        return true
    }

    /// Whether the thread still holds the uids and gids `change` applied on top of `me` (two
    /// reads): a thread asked to act as the identity it acts as already changes nothing then.
    func stillHolds(_ change: KernelChange, over me: KernelCredentials) -> Bool {
        guard !change.unknown else { return false }
        do throws(SyscallFailure) { return try heldIds(matchApplied: change, me) } catch { return false }
    }

    /// Whether the thread's uids and gids are those `change` applied on top of `me`.
    private func heldIds(matchApplied change: KernelChange, _ me: KernelCredentials) throws(SyscallFailure) -> Bool {
        let (ruid, euid, suid) = try sys.getresuid()
        let (rgid, egid, sgid) = try sys.getresgid()
        let uidOK =
            change.uid
            ? (ruid == change.realUid && euid == change.targetUid && suid == me.suid)
            : (ruid == me.ruid && euid == me.euid && suid == me.suid)
        let gidOK =
            change.gid
            ? (rgid == change.targetGid && egid == change.targetGid && sgid == me.sgid)
            : (rgid == me.rgid && egid == me.egid && sgid == me.sgid)
        return uidOK && gidOK
    }

    /// Restores `me` after `change`: first checks that the kernel still holds what was applied
    /// (else puts everything back and reports the tampering), then undoes it.
    func restore(_ me: KernelCredentials, undoing change: KernelChange) throws(RestoreFailure) {
        let intact: Bool
        do throws(SyscallFailure) {
            if change.unknown { return try reset(to: me) }
            intact = try heldIds(matchApplied: change, me)
            if intact { try undo(change, back: me) }
        } catch {
            throw .failed(error)
        }
        if !intact {
            do throws(SyscallFailure) { try reset(to: me) } catch { throw .tampered(putBack: false) }
            throw .tampered(putBack: true)
        }
    }

    /// Undoes `change` (part or all of it applied), then reads back and compares with `me`.
    private func undo(_ change: KernelChange, back me: KernelCredentials) throws(SyscallFailure) {
        var effective =
            change.caps
            ? change.targetCapEffective & me.caps.permitted
            : (change.uid
                ? Self.effectiveAfterUidChange(
                    from: me.euid, to: change.targetUid,
                    effective: me.caps.effective,
                    permitted: me.caps.permitted)
                : me.caps.effective)
        if change.uid {
            // Leaving uid 0 for a "self" with no uid 0 would clear the permitted set for
            // good: hold SECBIT_KEEP_CAPS across the change.
            let keep = change.targetUid == .root && me.hasNoRootUid && !me.keepCaps
            if keep { try sys.setKeepCaps(true) }
            try sys.setresuid(me.ruid, me.euid, me.suid)
            if keep { try sys.setKeepCaps(false) }
            effective = Self.effectiveAfterUidChange(
                from: change.targetUid, to: me.euid,
                effective: effective, permitted: me.caps.permitted)
            if me.fsuid != me.euid { _ = sys.setfsuid(me.fsuid) }
        }
        // Capabilities before gid and groups: setresgid and setgroups need CAP_SETGID, which
        // a restricted identity dropped and a uid change may have cleared.
        let capsTouched = change.caps || effective != me.caps.effective
        if capsTouched { try sys.capset(me.caps) }
        if change.gid { try sys.setresgid(me.rgid, me.egid, me.sgid) }
        if change.groups { try sys.setgroups(me.groups) }
        if change.gid && me.fsgid != me.egid { _ = sys.setfsgid(me.fsgid) }
        if change.ambient { try sys.setAmbient(me.ambient) }
        // The uids and gids are not read back: setresuid and setresgid given no -1 (none of
        // `me`'s ids is) hold exactly what they were given when they succeed; a kernel that did
        // not (a seccomp filter faking success) would leave the thread acting as the account it
        // served, no more than during the impersonation, and the next impersonation's or
        // revert's check at "self" finds it and fails closed. The
        // capabilities are read back when touched: a securebit can change what capset keeps.
        if capsTouched {
            guard try sys.capget() == me.caps else { throw SyscallFailure(.capget, EPERM) }
        }
    }

    /// Puts every credential of the calling thread back to `me`, from whatever it holds now
    /// (a thread created while its creator impersonated; credentials someone else changed);
    /// then reads everything back and compares.
    func reset(to me: KernelCredentials) throws(SyscallFailure) {
        let now = try KernelCredentials.read(sys)
        if now == me { return }
        if !now.hasIds(me.ruid, me.euid, me.suid, now.rgid, now.egid, now.sgid) {
            let keep = !now.hasNoRootUid && me.hasNoRootUid && !now.keepCaps
            if keep { try sys.setKeepCaps(true) }
            try sys.setresuid(me.ruid, me.euid, me.suid)
            if keep { try sys.setKeepCaps(false) }
        }
        if try sys.keepCaps() != me.keepCaps { try sys.setKeepCaps(me.keepCaps) }
        try sys.capset(me.caps)
        try sys.setresgid(me.rgid, me.egid, me.sgid)
        if now.groups != me.groups { try sys.setgroups(me.groups) }
        _ = sys.setfsuid(me.fsuid)
        _ = sys.setfsgid(me.fsgid)
        try sys.setAmbient(me.ambient)
        guard try KernelCredentials.read(sys) == me else { throw SyscallFailure(.getresuid, EPERM) }
    }

    /// Sets the calling thread's own capability sets while it acts as "self" (the process token's
    /// privileges were adjusted): one capset keeping the inheritable set, then everything is
    /// read back. Returns the credentials the thread now holds; a capability outside what the
    /// kernel allows leaves the thread unchanged and reports the failure.
    func setCapabilities(effective: UInt64, permitted: UInt64, of me: KernelCredentials) throws(SyscallFailure)
        -> KernelCredentials
    {
        let wanted = CapabilitySets(
            effective: effective & permitted, permitted: permitted,
            inheritable: me.caps.inheritable)
        try sys.capset(wanted)
        let now = try KernelCredentials.read(sys)
        guard now.caps.effective == wanted.effective, now.caps.permitted == wanted.permitted,
            now.hasIds(me.ruid, me.euid, me.suid, me.rgid, me.egid, me.sgid)
        else {
            _ = try? sys.capset(me.caps)
            throw SyscallFailure(.capget, EPERM)
        }
        return now
    }

    /// The effective capability set the kernel leaves after the effective uid changes
    /// (capabilities(7), "Effect of user ID changes on capabilities").
    static func effectiveAfterUidChange(from old: UserID, to new: UserID, effective: UInt64, permitted: UInt64)
        -> UInt64
    {
        if old == new { return effective }
        if old == .root { return 0 }
        if new == .root { return permitted }
        return effective
    }
}
