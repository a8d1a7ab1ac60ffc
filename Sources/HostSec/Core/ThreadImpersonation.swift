import CHostSec

/// What an impersonation changed in the calling thread's kernel credentials, so revert
/// undoes exactly that and no more.
struct KernelChange: Equatable {
    var groups = false
    var gid = false
    var uid = false
    var caps = false
    /// The uid and effective capabilities applied (all revert needs to predict the kernel's
    /// capability fix-ups); plain values, so keeping and copying a change costs nothing.
    var targetUid: UInt32
    var targetCapEffective: UInt64

    var isEmpty: Bool { !(groups || gid || uid || caps) }
}

/// The calling OS thread's security state. Only its own thread reads or writes it (the
/// thread-exit destructor runs on that thread too), so it needs no lock.
final class ThreadState {
    /// The thread's own credentials ("self"), read the first time the thread needs them and
    /// again whenever RevertToSelf finds it not impersonating.
    var selfCredentials: KernelCredentials?
    /// A primary token describing `selfCredentials` (the process token).
    var selfToken: Token?
    /// The thread token, or nil when not impersonating.
    private(set) var token: Token?
    /// What is changed in the kernel now, or nil when the kernel holds "self".
    var applied: KernelChange?

    /// The thread token without a retain (the caller borrows it; only this thread replaces it).
    @inline(__always) var unretainedToken: Unmanaged<Token>? {
        guard let token else { return nil }
        return Unmanaged.passUnretained(token)
    }

    func setToken(_ newToken: Token?) {
        if (token == nil) != (newToken == nil) {
            hs_live_add(Int32(HS_LIVE_IMPERSONATING), newToken == nil ? -1 : 1)
            hs_thread_self()!.pointee.has_token = newToken == nil ? 0 : 1
        }
        token = newToken
    }

    deinit {  // runs on the owning thread, at its exit
        if token != nil {
            hs_live_add(Int32(HS_LIVE_IMPERSONATING), -1)
            hs_thread_self()!.pointee.has_token = 0
        }
    }

    /// The calling thread's state, created on first use.
    @inline(__always) static var current: ThreadState {
        let thread = hs_thread_self()!
        if let state = thread.pointee.state {
            return Unmanaged<ThreadState>.fromOpaque(state).takeUnretainedValue()
        }
        return makeCurrent(thread)
    }

    /// The calling thread's state if it has one (no allocation).
    @inline(__always) static var existing: ThreadState? {
        guard let state = hs_thread_self()!.pointee.state else { return nil }
        return Unmanaged<ThreadState>.fromOpaque(state).takeUnretainedValue()
    }

    /// Whether the calling thread holds a thread token: one flag in the thread's C block, kept
    /// by setToken (no allocation, no retain, no load of the Swift state).
    @inline(__always) static var hasToken: Bool { hs_thread_self()!.pointee.has_token != 0 }

    @inline(never) private static func makeCurrent(_ thread: UnsafeMutablePointer<hs_thread>) -> ThreadState {
        let state = ThreadState()
        thread.pointee.state = Unmanaged.passRetained(state).toOpaque()
        ArmThreadExit.arm()
        return state
    }
}

/// Releases a thread's state and returns its cached handle slots when the thread exits. (The
/// shim arms every thread that touches the library; this installs what it runs.)
enum ArmThreadExit {
    static func arm() { hs_thread_set_exit(threadExit) }

    static let threadExit: @convention(c) (UnsafeMutablePointer<hs_thread>?) -> Void = { thread in
        guard let thread else { return }
        if let state = thread.pointee.state {
            thread.pointee.state = nil
            Unmanaged<ThreadState>.fromOpaque(state).release()
        }
        HandleTable.shared.releaseCache(of: thread)
    }
}

/// Switching the calling thread's kernel credentials, with per-thread raw syscalls through
/// the `CredentialSyscalls` seam.
///
/// Order on the way in: groups, gid, uid (the uid change drops the effective capabilities
/// that setgroups/setresgid need), then capabilities. The saved uid and gid stay at "self",
/// so the way back needs no privilege the thread lost: uid first (which restores the
/// effective capabilities), then gid, groups, capabilities, filesystem ids; then the uids and
/// gids are read back and compared with "self".
struct KernelCredentialSwitch {
    let sys: any CredentialSyscalls

    /// Applies `target` on top of `me`. On failure rolls back what it changed and reports
    /// the failure; if the rollback itself fails, reports that (the caller fails closed).
    func apply(_ target: Identity, over me: KernelCredentials) -> Result<KernelChange, ApplyFailure> {
        var change = KernelChange(targetUid: target.uid, targetCapEffective: target.capEffective)
        do {
            if target.groups != me.groups {
                try sys.setgroups(target.groups)
                change.groups = true
            }
            if target.gid != me.egid || target.gid != me.rgid {
                try sys.setresgid(target.gid, target.gid, me.sgid)
                change.gid = true
            }
            if target.uid != me.euid || target.uid != me.ruid {
                try sys.setresuid(target.uid, target.uid, me.suid)
                change.uid = true
            }
            let effective = change.uid ? Self.effectiveAfterUidChange(from: me.euid, to: target.uid,
                                                                       effective: me.caps.effective,
                                                                       permitted: me.caps.permitted)
                                       : me.caps.effective
            let wanted = target.capEffective & me.caps.permitted
            if wanted != effective {
                try sys.capset(CapabilitySets(effective: wanted, permitted: me.caps.permitted,
                                              inheritable: me.caps.inheritable))
                change.caps = true
            }
            return .success(change)
        } catch {
            if case .failure(let restoreFailure) = restore(me, undoing: change) {
                return .failure(.cannotRestore(restoreFailure))
            }
            return .failure(.refused(error))
        }
    }

    enum ApplyFailure: Error {
        case refused(SyscallFailure)       // nothing is left changed
        case cannotRestore(SyscallFailure) // credentials are not what anyone asked for
    }

    /// Restores `me` after `change`, then reads back and compares.
    func restore(_ me: KernelCredentials, undoing change: KernelChange) -> Result<Void, SyscallFailure> {
        do {
            if change.uid { try sys.setresuid(me.ruid, me.euid, me.suid) }
            // setresgid and setgroups need CAP_SETGID in the effective set. An identity with its
            // capabilities dropped (a restricted context) took it away, and a uid that did not
            // change brings nothing back: restore the capabilities before the gid and groups.
            let capsFirst = change.caps && (change.gid || change.groups)
            if capsFirst { try sys.capset(me.caps) }
            if change.gid { try sys.setresgid(me.rgid, me.egid, me.sgid) }
            if change.groups { try sys.setgroups(me.groups) }
            var effective = change.caps ? change.targetCapEffective & me.caps.permitted
                : (change.uid ? Self.effectiveAfterUidChange(from: me.euid, to: change.targetUid,
                                                           effective: me.caps.effective,
                                                           permitted: me.caps.permitted)
                              : me.caps.effective)
            if change.uid {
                effective = Self.effectiveAfterUidChange(from: change.targetUid, to: me.euid,
                                                         effective: effective, permitted: me.caps.permitted)
                if me.fsuid != me.euid { _ = sys.setfsuid(me.fsuid) }
            }
            if change.gid && me.fsgid != me.egid { _ = sys.setfsgid(me.fsgid) }
            if !capsFirst && (change.caps || effective != me.caps.effective) { try sys.capset(me.caps) }
            // Read back: the thread must be exactly "self" again.
            let uids = try sys.getresuid()
            let gids = try sys.getresgid()
            guard uids == (me.ruid, me.euid, me.suid), gids == (me.rgid, me.egid, me.sgid) else {
                return .failure(SyscallFailure(.getresuid, EPERM))
            }
            if change.caps || effective != me.caps.effective {
                guard try sys.capget() == me.caps else { return .failure(SyscallFailure(.capget, EPERM)) }
            }
            return .success(())
        } catch {
            return .failure(error)
        }
    }

    /// The effective capability set the kernel leaves after the effective uid changes
    /// (capabilities(7), "Effect of user ID changes on capabilities").
    static func effectiveAfterUidChange(from old: UInt32, to new: UInt32, effective: UInt64, permitted: UInt64) -> UInt64 {
        if old == new { return effective }
        if old == 0 { return 0 }
        if new == 0 { return permitted }
        return effective
    }
}
