import CHostSec
#if canImport(Glibc)
import Glibc
#endif

/// A thread's first call: the process token ("self") and the check that the thread holds it.
extension Engine {
    private nonisolated(unsafe) static let processLock = hs_lock_create()!

    private func processSelf() throws(HostSecError) -> (KernelCredentials, Token) {
        hs_lock_acquire(Self.processLock)
        defer { hs_lock_release(Self.processLock) }
        if let recorded = processRecord { return recorded }
        // This copy of the engine's first use: another copy running in the process (a program
        // that links HostSecurity and loads libhostsec.so) would revert this one's
        // impersonation at its threads' first calls, and this one the other's. Refuse, loudly.
        guard hs_engine_claim() else {
            _ = hs_flag_set(closedFlag)
            throw .closed
        }
        let me: KernelCredentials
        do throws(SyscallFailure) { me = try KernelCredentials.read(sys) } catch {
            throw HostSecError(HResult.fromErrno(error.errno))
        }
        let token = Token(
            identity: me.identity, kind: .primary, level: .anonymous,
            dacl: Token.defaultDacl(user: me.euid, creator: me.euid), origin: .process)
        processRecord = (me, token)
        return (me, token)
    }

    /// The calling thread's state, checked to hold the process's credentials before anything
    /// else runs through the library on it. A thread that holds others (clone copied them from
    /// a creator that was impersonating) is put back first; if it cannot be, the library closes.
    func threadState() throws(HostSecError) -> ThreadState {
        let state = ThreadState.current
        if state.selfCredentials == nil { try adopt(state) }
        if state.token == nil, state.applied == nil, state.selfToken!.isAdjusted { try followProcessToken(state) }
        return state
    }

    /// Capabilities are per thread on Linux: when AdjustTokenPrivileges changed the process
    /// token, a thread acting as it takes the token's capability sets into its own kernel
    /// credentials at its next call into the library (the calling thread: at once; an
    /// impersonating one: when it reverts). Through the kernel switch; read back.
    func followProcessToken(_ state: ThreadState) throws(HostSecError) {
        let token = selfToken(state)
        let me = selfCredentials(state)
        let want = token.currentIdentity
        if want.capEffective == me.caps.effective && want.capPermitted == me.caps.permitted { return }
        do throws(SyscallFailure) {
            state.adopt(
                try kernel.setCapabilities(effective: want.capEffective, permitted: want.capPermitted, of: me),
                token: token)
        } catch {
            throw HostSecError(HResult.fromErrno(error.errno))
        }
    }

    /// Checks the calling thread on its first call into the library (see `threadState()`); one
    /// load and a branch on every later call.
    @inline(__always) package func enterThread() throws(HostSecError) {
        if let raw = hs_thread_self()!.pointee.state,
            Unmanaged<ThreadState>.fromOpaque(raw)._withUnsafeGuaranteedRef({ $0.selfCredentials != nil })
        {
            return
        }
        _ = try threadState()
    }

    @inline(never) private func adopt(_ state: ThreadState) throws(HostSecError) {
        let (recorded, token) = try processSelf()
        // The process token as it is now: AdjustTokenPrivileges may have changed its capability
        // sets since first use (a removed one is gone from every thread created after).
        let me = token.isAdjusted ? recorded.withCapabilities(token.currentIdentity) : recorded
        let now: KernelCredentials
        do throws(SyscallFailure) { now = try KernelCredentials.read(sys) } catch {
            throw HostSecError(HResult.fromErrno(error.errno))
        }
        if now != me {
            // Put back only what a creator's impersonation left (clone copied it). Anything
            // else is the host's own doing after first use (glibc's seteuid reaches every
            // thread): the library applied nothing here, so it changes nothing and closes.
            guard Self.mayBeAnImpersonation(now, over: me) else { throw failClosed() }
            do throws(SyscallFailure) { try kernel.reset(to: me) } catch { throw failClosed() }
        }
        state.adopt(me, token: token)
    }

    /// Whether `now` has the shape `KernelCredentialSwitch.apply` gives a thread over `me`:
    /// uids `me`'s or (a reserved real uid, t, me.suid), gids `me`'s or (g, g, me.sgid),
    /// filesystem ids following them, permitted and inheritable sets and `SECBIT_KEEP_CAPS`
    /// untouched, ambient set `me`'s or empty. A process-wide seteuid/setegid (real id kept,
    /// effective changed) or
    /// setuid (saved id changed) has another shape.
    static func mayBeAnImpersonation(_ now: KernelCredentials, over me: KernelCredentials) -> Bool {
        let uids =
            (now.ruid == me.ruid && now.euid == me.euid && now.suid == me.suid)
            || (KernelCredentialSwitch.isReservedRealUid(now.ruid) && now.suid == me.suid)
        let gids =
            (now.rgid == me.rgid && now.egid == me.egid && now.sgid == me.sgid)
            || (now.rgid == now.egid && now.sgid == me.sgid)
        let fs = (now.fsuid == now.euid || now.fsuid == me.fsuid) && (now.fsgid == now.egid || now.fsgid == me.fsgid)
        let caps =
            now.caps.permitted == me.caps.permitted && now.caps.inheritable == me.caps.inheritable
            && now.keepCaps == me.keepCaps && (now.ambient == 0 || now.ambient == me.ambient)
        return uids && gids && fs && caps
    }

    /// The process's credentials, for a thread that `threadState()` returned.
    @inline(__always) func selfCredentials(_ state: ThreadState) -> KernelCredentials { state.selfCredentials! }

    /// The process token, for a thread that `threadState()` returned.
    @inline(__always) func selfToken(_ state: ThreadState) -> Token { state.selfToken! }

    /// The identity the thread acts as for access checks, or `BAD_IMPERSONATION_LEVEL` when
    /// its token is below SecurityImpersonation (it cannot act as anyone then; anonymous
    /// included: CANT_OPEN_ANONYMOUS is only for opening an anonymous thread token).
    func currentSubject(_ state: ThreadState) throws(HostSecError) -> AccessSubject {
        if let token = state.token {
            if !token.level.actsAsIdentity { throw .badImpersonationLevel }
            return token.subject  // what it holds now: AdjustTokenPrivileges may have changed it
        }
        return AccessSubject(selfCredentials(state).identity)
    }

    /// Who is credited with creating a new token: the acting identity, or "self" when the
    /// thread only identifies as someone.
    func creator(_ state: ThreadState) throws(HostSecError) -> UserID {
        if let token = state.token, token.level.actsAsIdentity { return token.identity.uid }
        return selfCredentials(state).euid
    }

    /// The calling thread's own credentials as the library recorded them ("self"), or nil
    /// when the thread has not used the library yet.
    package var threadSelfCredentials: KernelCredentials? { ThreadState.existing?.selfCredentials }
}
