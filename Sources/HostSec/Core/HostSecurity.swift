import CHostSec
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// Windows thread-token semantics on the calling thread's Linux credentials: the operations
/// behind IHostSecurityManager and the flat HostSec_* API, with typed errors. One instance
/// (`shared`) serves the library; tests make their own with a fault-injecting seam.
public final class HostSecurity: Sendable {
    public static let shared = HostSecurity(syscalls: KernelCredentialSyscalls())

    let sys: any CredentialSyscalls
    /// The kernel switch over `sys`, made once (not per call: that would copy the existential).
    let kernel: KernelCredentialSwitch
    let handles: HandleTable
    private let closed = Atomic<Bool>(false)

    public init(syscalls: any CredentialSyscalls, handles: HandleTable = .shared) {
        self.sys = syscalls
        self.kernel = KernelCredentialSwitch(sys: syscalls)
        self.handles = handles
    }

    // MARK: failing closed

    /// True once credentials could not be restored: every hosting call fails from then on.
    public var isClosed: Bool { closed.load(ordering: .acquiring) }

    @inline(__always) func ensureOpen() throws(HostSecError) {
        if closed.load(ordering: .relaxed) { throw .closed }
    }

    private func failClosed() -> HostSecError {
        closed.store(true, ordering: .releasing)
        if self === HostSecurity.shared { hs_counter_set(Int32(HS_COUNTER_FAILED), 1) }
        return .fail
    }

    // MARK: self

    /// The thread's own credentials, read on first use.
    func selfCredentials(_ state: ThreadState) throws(HostSecError) -> KernelCredentials {
        if let me = state.selfCredentials { return me }
        return try refreshSelf(state)
    }

    @discardableResult
    func refreshSelf(_ state: ThreadState) throws(HostSecError) -> KernelCredentials {
        let me: KernelCredentials
        do { me = try KernelCredentials.read(sys) } catch { throw HostSecError(HResult.fromErrno(error.errno)) }
        if me != state.selfCredentials {
            state.selfCredentials = me
            state.selfToken = nil
        }
        return me
    }

    /// The process token: a primary token describing the thread's own credentials.
    func selfToken(_ state: ThreadState) throws(HostSecError) -> Token {
        if let token = state.selfToken { return token }
        let me = try selfCredentials(state)
        let token = Token(identity: me.identity, kind: .primary, level: .anonymous,
                          dacl: Token.defaultDacl(user: me.euid, creator: me.euid), origin: .process)
        state.selfToken = token
        return token
    }

    /// The identity the thread acts as for access checks, or `BAD_IMPERSONATION_LEVEL` when
    /// its token is below SecurityImpersonation (it cannot act as anyone then; anonymous
    /// included: CANT_OPEN_ANONYMOUS is only for opening an anonymous thread token).
    func currentSubject(_ state: ThreadState) throws(HostSecError) -> Identity {
        if let token = state.token {
            if !token.level.actsAsIdentity { throw .badImpersonationLevel }
            return token.identity
        }
        return try selfCredentials(state).identity
    }

    /// Who is credited with creating a new token: the acting identity, or "self" when the
    /// thread only identifies as someone.
    func creator(_ state: ThreadState) throws(HostSecError) -> UInt32 {
        if let token = state.token, token.level.actsAsIdentity { return token.identity.uid }
        return try selfCredentials(state).euid
    }

    // MARK: OpenThreadToken

    /// `IHostSecurityManager::OpenThreadToken` for the calling thread.
    public func openThreadToken(desiredAccess: UInt32, openAsSelf: Bool) throws(HostSecError) -> UnsafeMutableRawPointer {
        try ensureOpen()
        guard let raw = hs_thread_self()!.pointee.state else { throw .noToken }
        // The thread's state and token are borrowed, never retained here: only this thread
        // replaces them, and nothing on this path does.
        let state = Unmanaged<ThreadState>.fromOpaque(raw)
        guard let token = state._withUnsafeGuaranteedRef({ $0.unretainedToken }) else { throw .noToken }
        if token._withUnsafeGuaranteedRef({ $0.level == .anonymous }) { throw .cantOpenAnonymous }
        let me: Identity? = openAsSelf ? try selfCredentials(state.takeUnretainedValue()).identity : nil
        let granted = token._withUnsafeGuaranteedRef { token -> Result<UInt32, HostSecError> in
            if me == nil && !token.level.actsAsIdentity { return .failure(.badImpersonationLevel) }
            do throws(HostSecError) {
                return .success(try AccessCheck.check(desired: desiredAccess, subject: me ?? token.identity,
                                                      dacl: token.dacl))
            } catch {
                return .failure(error)
            }
        }
        switch granted {
        case .success(let rights): return try handles.insert(token, rights: rights)
        case .failure(let error): throw error
        }
    }

    // MARK: flat API

    /// `HostSec_OpenProcessToken`.
    public func openProcessToken(desiredAccess: UInt32) throws(HostSecError) -> UnsafeMutableRawPointer {
        try ensureOpen()
        let state = ThreadState.current
        let token = try selfToken(state)
        let granted = try AccessCheck.check(desired: desiredAccess, subject: currentSubject(state), dacl: token.dacl)
        return try handles.insert(token, rights: granted)
    }

    /// `HostSec_ImpersonateSelf`.
    public func impersonateSelf(level rawLevel: UInt32) throws(HostSecError) {
        try ensureOpen()
        guard let level = ImpersonationLevel(rawValue: rawLevel) else { throw .invalidArg }
        let state = ThreadState.current
        let primary = try selfToken(state)
        try assign(primary.copy(kind: .impersonation, level: level, origin: .selfCopy), to: state)
    }

    /// `HostSec_DuplicateTokenEx`.
    public func duplicate(_ handle: UnsafeMutableRawPointer?, desiredAccess: UInt32, level rawLevel: UInt32,
                          type rawType: UInt32) throws(HostSecError) -> UnsafeMutableRawPointer {
        try ensureOpen()
        let (source, sourceRights) = try handles.lookup(handle)
        if sourceRights & TokenRights.duplicate == 0 { throw .accessDenied }
        guard let level = ImpersonationLevel(rawValue: rawLevel), let kind = TokenKind(rawValue: rawType) else {
            throw .invalidArg
        }
        if source.kind == .impersonation {
            if level > source.level { throw .badImpersonationLevel }
            if kind == .primary && !source.level.actsAsIdentity { throw .badImpersonationLevel }
        }
        let state = ThreadState.current
        let creator = try creator(state)
        let copy = source.copy(kind: kind, level: level,
                               dacl: Token.defaultDacl(user: source.identity.uid, creator: creator))
        let granted = desiredAccess == 0
            ? sourceRights
            : try AccessCheck.check(desired: desiredAccess, subject: currentSubject(state), dacl: copy.dacl)
        return try handles.insert(copy, rights: granted)
    }

    /// `HostSec_LogonUser`: a primary token for the local account of exactly `name`'s bytes,
    /// from NSS.
    public func logonUser(_ name: AccountName) throws(HostSecError) -> UnsafeMutableRawPointer {
        try ensureOpen()
        let state = ThreadState.current
        let me = try selfCredentials(state)
        guard let account = Accounts.lookup(name) else { throw .noneMapped }
        let caps: UInt64 = account.uid == 0 ? me.caps.permitted : 0
        let identity = Identity(uid: account.uid, gid: account.gid, groups: account.groups,
                                capEffective: caps, capPermitted: caps)
        let token = Token(identity: identity, kind: .primary, level: .anonymous,
                          dacl: Token.defaultDacl(user: account.uid, creator: try creator(state)), origin: .logon)
        return try handles.insert(token, rights: TokenRights.all)
    }

    // MARK: impersonation

    /// `IHostSecurityManager::ImpersonateLoggedOnUser`.
    public func impersonateLoggedOnUser(_ handle: UnsafeMutableRawPointer?) throws(HostSecError) {
        try ensureOpen()
        let (source, rights) = try handles.lookup(handle)
        let needed = source.kind == .primary
            ? TokenRights.query | TokenRights.duplicate
            : TokenRights.query | TokenRights.impersonate
        if rights & needed != needed { throw .accessDenied }
        let level = source.kind == .primary ? .impersonation : min(source.level, .impersonation)
        let state = ThreadState.current
        try assign(source.copy(kind: .impersonation, level: level), to: state)
    }

    /// `IHostSecurityManager::SetThreadToken`; nil reverts.
    public func setThreadToken(_ handle: UnsafeMutableRawPointer?) throws(HostSecError) {
        try ensureOpen()
        guard let handle else { return try revertToSelf() }
        let token = try handles.token(handle, requiring: TokenRights.impersonate)
        if token.kind != .impersonation { throw .badTokenType }
        try assign(token, to: ThreadState.current)
    }

    /// `IHostSecurityManager::RevertToSelf`. Not impersonating: re-reads "self" (so a host
    /// that changed the thread's credentials itself can resynchronize).
    public func revertToSelf() throws(HostSecError) {
        try ensureOpen()
        let state = ThreadState.current
        if state.token == nil && state.applied == nil {
            try refreshSelf(state)
            return
        }
        try revertKernel(state)
        state.setToken(nil)
    }

    // MARK: security contexts

    /// What `GetSecurityContext` captures: the thread's token (nil: not impersonating); a
    /// restricted capture is the current identity with its effective capabilities dropped.
    public func captureContext(restricted: Bool) throws(HostSecError) -> Token? {
        try ensureOpen()
        let state = ThreadState.current
        guard restricted else { return state.token }
        return try restrictedCopy(of: state.token, state)
    }

    /// `SetSecurityContext`: impersonate the captured token, or revert when it is nil.
    public func applyContext(_ token: Token?, restricted: Bool) throws(HostSecError) {
        try ensureOpen()
        let state = ThreadState.current
        let target = restricted ? try restrictedCopy(of: token, state) : token
        guard let target else { return try revertToSelf() }
        try assign(target, to: state)
    }

    private func restrictedCopy(of token: Token?, _ state: ThreadState) throws(HostSecError) -> Token {
        if let token {
            if token.identity.capEffective == 0 && token.kind == .impersonation { return token }
            return token.copy(kind: .impersonation, level: token.kind == .primary ? .impersonation : token.level,
                              identity: token.identity.restricted)
        }
        let primary = try selfToken(state)
        return primary.copy(kind: .impersonation, level: .impersonation, origin: .selfCopy,
                            identity: primary.identity.restricted)
    }

    /// Makes `token` the thread's token. Acting as another account without CAP_SETUID and
    /// CAP_SETGID succeeds at SecurityIdentification, as Windows does without
    /// SeImpersonatePrivilege. Impersonations replace each other; they never stack.
    func assign(_ token: Token, to state: ThreadState) throws(HostSecError) {
        // The thread's own identity, capabilities included (e.g. ImpersonateSelf): nothing to
        // change in the kernel and no privilege needed. Compared in place, without copies.
        if let own = state.selfToken, token.identity == own.identity {
            if state.applied != nil { try revertKernel(state) }
            state.setToken(token)
            return
        }
        var token = token
        if token.level.actsAsIdentity && state.applied == nil { try checkSelfUnchanged(state) }
        let me = try selfCredentials(state)
        let otherAccount = !token.identity.sameAccount(uid: me.euid, gid: me.egid, groups: me.groups)
        if token.level.actsAsIdentity && otherAccount && !me.mayImpersonateOthers {
            token = token.copy(kind: .impersonation, level: .identification)
        }
        if state.applied != nil { try revertKernel(state) }
        if token.level.actsAsIdentity && (otherAccount || token.identity.capEffective != me.caps.effective) {
            switch kernel.apply(token.identity, over: me) {
            case .success(let change):
                state.applied = change.isEmpty ? nil : change
            case .failure(.refused(let failure)):
                state.setToken(nil)
                throw HostSecError(HResult.fromErrno(failure.errno))
            case .failure(.cannotRestore):
                state.setToken(token)
                throw failClosed()
            }
        }
        state.setToken(token)
    }

    /// Before the kernel acts as another identity, checks that it still holds the "self" the
    /// thread remembers (a host may have changed the thread's ids itself); re-reads "self" if
    /// not, so revert returns to where the thread really was. Compared in place: no copies.
    private func checkSelfUnchanged(_ state: ThreadState) throws(HostSecError) {
        guard state.selfCredentials != nil else { return }  // read fresh just below
        let same: Bool
        do {
            let (ruid, euid, suid) = try sys.getresuid()
            let (rgid, egid, sgid) = try sys.getresgid()
            same = state.selfCredentials!.hasIds(ruid, euid, suid, rgid, egid, sgid)
        } catch {
            throw HostSecError(HResult.fromErrno(error.errno))
        }
        if !same { try refreshSelf(state) }
    }

    /// Puts the thread's kernel credentials back to "self"; fails closed when it cannot.
    func revertKernel(_ state: ThreadState) throws(HostSecError) {
        guard let change = state.applied, state.selfCredentials != nil else { return }
        switch kernel.restore(state.selfCredentials!, undoing: change) {
        case .success:
            state.applied = nil
        case .failure:
            throw failClosed()
        }
    }
}
