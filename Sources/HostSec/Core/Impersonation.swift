import CHostSec
#if canImport(Glibc)
import Glibc
#endif

/// Impersonation, security contexts, and putting a thread back to "self".
extension Engine {
    // MARK: impersonation

    /// `IHostSecurityManager::ImpersonateLoggedOnUser`. Returns the token the thread now holds:
    /// its level is the one reached (SecurityIdentification when the kernel cannot act as it).
    @discardableResult package func impersonateLoggedOnUser(_ handle: TokenHandle) throws(HostSecError) -> Token {
        try ensureOpen()
        let (source, rights) = try handles.lookup(handle)
        let needed =
            source.kind == .primary
            ? TokenRights.query.union(.duplicate)
            : TokenRights.query.union(.impersonate)
        if !rights.isSuperset(of: needed) { throw .accessDenied }
        let level = source.kind == .primary ? .impersonation : min(source.level, .impersonation)
        let state = try threadState()
        return try assign(source.copy(kind: .impersonation, level: level), to: state)
    }

    /// `IHostSecurityManager::SetThreadToken`; nil reverts.
    package func setThreadToken(_ handle: TokenHandle?) throws(HostSecError) {
        guard let handle else { return try revertToSelf() }
        try ensureOpen()
        let token = try handles.token(handle, requiring: .impersonate)
        if token.kind != .impersonation { throw .badTokenType }
        try assign(token, to: try threadState())
    }

    /// `IHostSecurityManager::RevertToSelf`: the thread acts as the process token again. It
    /// checks what it undoes: credentials the library did not apply (a host's own set*id call,
    /// which glibc sends to every thread) are put back to "self" and the library fails closed.
    /// A closed library still reverts (a thread never stays someone else because the library
    /// closed), then reports HOST_E_CLRNOTAVAILABLE.
    package func revertToSelf() throws(HostSecError) {
        let state = try threadState()
        if isClosed {
            if state.applied != nil { try? revertKernel(state) }
            if state.applied == nil { state.setToken(nil) }
            throw .closed
        }
        if state.token == nil && state.applied == nil {
            try checkAtSelf(state)
            return
        }
        try revertKernel(state)
        state.setToken(nil)
        if selfToken(state).isAdjusted { try followProcessToken(state) }
    }

    // MARK: security contexts

    /// What `GetSecurityContext` captures: the thread's token (nil: not impersonating); a
    /// restricted capture is the current identity with its effective capabilities dropped.
    package func captureContext(restricted: Bool) throws(HostSecError) -> Token? {
        try ensureOpen()
        let state = try threadState()
        guard restricted else { return state.token }
        return try restrictedCopy(of: state.token, state)
    }

    /// `SetSecurityContext`: impersonate the captured token, or revert when it is nil.
    package func applyContext(_ token: Token?, restricted: Bool) throws(HostSecError) {
        if token == nil && !restricted { return try revertToSelf() }
        try ensureOpen()
        let state = try threadState()
        let target = restricted ? try restrictedCopy(of: token, state) : token
        guard let target else { return try revertToSelf() }
        try assign(target, to: state)
    }

    private func restrictedCopy(of token: Token?, _ state: ThreadState) throws(HostSecError) -> Token {
        if let token {
            let identity = token.currentIdentity
            if identity.capEffective == 0 && token.kind == .impersonation { return token }
            return token.copy(
                kind: .impersonation, level: token.kind == .primary ? .impersonation : token.level,
                identity: identity.restricted)
        }
        let primary = selfToken(state)
        return primary.copy(
            kind: .impersonation, level: .impersonation, origin: .selfCopy,
            identity: primary.currentIdentity.restricted)
    }

    /// Makes `token` the thread's token. Acting as another account without CAP_SETUID and
    /// CAP_SETGID succeeds at SecurityIdentification, as Windows does without
    /// SeImpersonatePrivilege. Impersonations replace each other; they never stack.
    /// Returns the token the thread holds then.
    @discardableResult func assign(_ token: Token, to state: ThreadState) throws(HostSecError) -> Token {
        // Deny-only SIDs have no kernel form (TokenRestrictions.kernelCanHoldDenyOnly): refused
        // before anything changes. At SecurityIdentification the kernel never acts as the
        // token, so that level stays open to such tokens. (Restricting SIDs: the thread holds
        // the account's ids, their second pass is AccessCheck's; SECURITY.md.)
        if token.level.actsAsIdentity && token.restrictions?.kernelCanHoldDenyOnly == false {
            throw HostSecError(HResult.notSupported)
        }
        // The thread's own identity, capabilities included (e.g. ImpersonateSelf): nothing to
        // change in the kernel and no privilege needed. Compared in place, without copies.
        let identity = token.currentIdentity
        if let own = state.selfToken, identity == own.currentIdentity {
            if state.applied != nil { try revertKernel(state) }
            state.setToken(token)
            return token
        }
        // The thread acts in the kernel as this exact identity already (a pool thread given
        // the same account again): two reads confirm it still holds what was applied, and
        // nothing is switched. Anything else takes the full path, which finds and reports it.
        if token.level.actsAsIdentity, let applied = state.applied, let current = state.token,
            current.level.actsAsIdentity, current.currentIdentity == identity,
            kernel.stillHolds(applied, over: selfCredentials(state))
        {
            state.setToken(token)
            return token
        }
        var token = token
        if token.level.actsAsIdentity && state.applied == nil { try checkAtSelf(state) }
        let me = selfCredentials(state)
        let otherAccount = !identity.sameAccount(uid: me.euid, gid: me.egid, groups: me.groups)
        if token.level.actsAsIdentity && otherAccount && !me.mayImpersonateOthers {
            // The kernel cannot act as another account without CAP_SETUID/CAP_SETGID. By
            // default the thread identifies as it (Windows without SeImpersonatePrivilege);
            // under HOSTSEC_POLICY_REQUIRE_ENFORCEMENT the call fails and nothing changes.
            if policy & UInt32(HOSTSEC_POLICY_REQUIRE_ENFORCEMENT) != 0 { throw .privilegeNotHeld }
            token = token.copy(kind: .impersonation, level: .identification)
        }
        if state.applied != nil { try revertKernel(state) }
        if token.level.actsAsIdentity && (otherAccount || identity.capEffective != me.caps.effective) {
            do throws(KernelCredentialSwitch.ApplyFailure) {
                let change = try kernel.apply(identity, over: me)
                state.applied = change.isEmpty ? nil : change
            } catch {
                switch error {
                case .refused(let failure):
                    state.setToken(nil)
                    throw HostSecError(HResult.fromErrno(failure.errno))
                case .mismatch:
                    state.setToken(nil)
                    throw .unexpected
                case .cannotRestore:
                    state.applied = .unknown(identity)
                    state.setToken(token)
                    throw failClosed()
                }
            }
        }
        state.setToken(token)
        return token
    }

    /// Before the kernel acts as another identity, and when RevertToSelf finds nothing to undo:
    /// the thread must hold "self". Credentials the library did not apply (a host's own set*id
    /// or setgroups call, which glibc sends to every thread) are left as they are and the
    /// library fails closed. Ids compared in place; the groups too, since revert would otherwise
    /// silently restore a group list the host had dropped.
    private func checkAtSelf(_ state: ThreadState) throws(HostSecError) {
        let me = selfCredentials(state)
        let same: Bool
        do {
            let (ruid, euid, suid) = try sys.getresuid()
            let (rgid, egid, sgid) = try sys.getresgid()
            let groups = try sys.getgroups()
            same = me.hasIds(ruid, euid, suid, rgid, egid, sgid) && groups == me.groups
        } catch {
            throw HostSecError(HResult.fromErrno(error.errno))
        }
        // Not put back: a thread that is not impersonating holds what the host gave it (a
        // process-wide privilege drop, say), and "self" could be more privileged than that.
        if !same { throw failClosed() }
    }

    /// Puts the thread's kernel credentials back to "self"; fails closed when it cannot, or
    /// when it finds credentials the library did not apply (after putting them back).
    func revertKernel(_ state: ThreadState) throws(HostSecError) {
        guard let change = state.applied else { return }
        do throws(KernelCredentialSwitch.RestoreFailure) {
            try kernel.restore(selfCredentials(state), undoing: change)
            state.applied = nil
        } catch {
            let putBack: Bool
            switch error {
            case .tampered(let wasPutBack): putBack = wasPutBack
            case .failed:
                do throws(SyscallFailure) {
                    try kernel.reset(to: selfCredentials(state))
                    putBack = true
                } catch {
                    putBack = false
                }
            }
            state.applied = putBack ? nil : .unknown(state.token?.identity ?? selfCredentials(state).identity)
            throw failClosed()
        }
    }
}
