import CHostSec
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// Windows thread-token semantics on the calling thread's Linux credentials: the operations
/// behind IHostSecurityManager and the flat HostSec_* API, with typed errors. One instance
/// (`shared`) serves the library; tests make their own with a fault-injecting seam.
public final class Engine: Sendable {
    public static let shared = Engine(syscalls: KernelCredentialSyscalls(), closedFlag: hs_shared_closed_flag())

    let sys: any CredentialSyscalls
    /// The kernel switch over `sys`, made once (not per call: that would copy the existential).
    let kernel: KernelCredentialSwitch
    public let handles: HandleTable
    /// The fail-closed flag (hostsec_shim.h: the shared engine's is the C cell OpenThreadToken's
    /// no-token answer reads; an engine of a test's own has a cell of its own, never freed).
    private nonisolated(unsafe) let closedFlag: UnsafeMutablePointer<UInt32>  // accessed atomically only
    /// The HOSTSEC_POLICY_* flags HostSec_SetPolicy set (process-wide).
    private let policyFlags = Atomic<UInt32>(0)

    /// The password check behind `logonUser(name:password:)`: PAM, or a test's stand-in.
    let authentication: any PasswordAuthentication

    public convenience init(
        syscalls: any CredentialSyscalls, handles: HandleTable = .shared,
        authentication: any PasswordAuthentication = PAMAuthentication()
    ) {
        let flag = UnsafeMutablePointer<UInt32>.allocate(capacity: 1)
        flag.initialize(to: 0)
        self.init(syscalls: syscalls, closedFlag: flag, handles: handles, authentication: authentication)
    }

    private init(
        syscalls: any CredentialSyscalls, closedFlag: UnsafeMutablePointer<UInt32>,
        handles: HandleTable = .shared, authentication: any PasswordAuthentication = PAMAuthentication()
    ) {
        self.closedFlag = closedFlag
        self.sys = syscalls
        self.authentication = authentication
        self.kernel = KernelCredentialSwitch(sys: syscalls)
        self.handles = handles
    }

    // MARK: failing closed

    /// True once credentials could not be restored: every hosting call fails from then on.
    public var isClosed: Bool { hs_flag_is_set(closedFlag) }

    @inline(__always) func ensureOpen() throws(HostSecError) {
        if hs_flag_is_set_relaxed(closedFlag) { throw .closed }
    }

    /// Closes the library: E_FAIL for the call that found the failure, HOST_E_CLRNOTAVAILABLE
    /// for any that finds it already closed.
    private func failClosed() -> HostSecError {
        hs_flag_set(closedFlag) ? .fail : .closed
    }

    // MARK: policy

    /// The policy flags the library knows (`HOSTSEC_POLICY_*`).
    public static let knownPolicyFlags =
        UInt32(HOSTSEC_POLICY_REQUIRE_ENFORCEMENT) | PasswordLogonAllowance.all.rawValue

    /// `HostSec_SetPolicy`: replaces the process-wide policy flags. Unknown bits are
    /// `E_INVALIDARG` and change nothing.
    public func setPolicy(_ flags: UInt32) throws(HostSecError) {
        if flags & ~Self.knownPolicyFlags != 0 { throw .invalidArg }
        policyFlags.store(flags, ordering: .releasing)
    }

    /// The policy flags in force.
    public var policy: UInt32 { policyFlags.load(ordering: .acquiring) }

    // MARK: self

    /// The process token: the process's credentials, read the first time any thread uses this
    /// engine, and a primary token describing them. Every thread's "self" is this one, as every
    /// Windows thread that is not impersonating acts as its process's token.
    /// Guarded by `processLock`, an hs_lock: a fork() child starts with it free. (A Swift
    /// `Mutex` held by another thread at fork time stays held in the child, whose first call on
    /// a new thread then stopped the process: seen in the ASan lane's fork test.) One lock for
    /// every engine: the shim makes a fixed few, and this is taken once per thread.
    private nonisolated(unsafe) var processRecord: (KernelCredentials, Token)?
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
        switch kernel.setCapabilities(effective: want.capEffective, permitted: want.capPermitted, of: me) {
        case .success(let now): state.adopt(now, token: token)
        case .failure(let failure): throw HostSecError(HResult.fromErrno(failure.errno))
        }
    }

    /// Checks the calling thread on its first call into the library (see `threadState()`); one
    /// load and a branch on every later call.
    @inline(__always) public func enterThread() throws(HostSecError) {
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
            if case .failure = kernel.reset(to: me) { throw failClosed() }
        }
        state.adopt(me, token: token)
    }

    /// Whether `now` has the shape `KernelCredentialSwitch.apply` gives a thread over `me`:
    /// uids `me`'s or (`impersonationRealUid`, t, me.suid), gids `me`'s or (g, g, me.sgid),
    /// filesystem ids following them, permitted and inheritable sets and `SECBIT_KEEP_CAPS`
    /// untouched, ambient set `me`'s or empty. A process-wide seteuid/setegid (real id kept, effective changed) or
    /// setuid (saved id changed) has another shape.
    static func mayBeAnImpersonation(_ now: KernelCredentials, over me: KernelCredentials) -> Bool {
        let uids =
            (now.ruid == me.ruid && now.euid == me.euid && now.suid == me.suid)
            || (now.ruid == KernelCredentialSwitch.impersonationRealUid && now.suid == me.suid)
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
    public var threadSelfCredentials: KernelCredentials? { ThreadState.existing?.selfCredentials }

    // MARK: OpenThreadToken

    /// The shared engine's OpenThreadToken answer when it needs no call machinery:
    /// ERROR_NO_TOKEN for a thread that has been checked and holds no token, while the library
    /// is open. nil: take the full path (`openThreadToken`). A relaxed load of the closed flag
    /// and a look at the thread's state in place; no allocation, no retain.
    @inline(__always) public static func knownThreadTokenAbsence() -> HostSecError? {
        if hs_flag_is_set_relaxed(hs_shared_closed_flag()) || ThreadState.mayHaveToken { return nil }
        return .noToken
    }

    /// `IHostSecurityManager::OpenThreadToken` for the calling thread.
    public func openThreadToken(desiredAccess: TokenRights, openAsSelf: Bool) throws(HostSecError) -> TokenHandle {
        try ensureOpen()
        try enterThread()  // a thread's first call checks its credentials (no retain after that)
        guard let raw = hs_thread_self()!.pointee.state else { throw .noToken }
        // The thread's state and token are borrowed, never retained here: only this thread
        // replaces them, and nothing on this path does.
        let state = Unmanaged<ThreadState>.fromOpaque(raw)
        guard let token = state._withUnsafeGuaranteedRef({ $0.unretainedToken }) else { throw .noToken }
        if token._withUnsafeGuaranteedRef({ $0.level == .anonymous }) { throw .cantOpenAnonymous }
        if !openAsSelf {
            // The thread's own identity is the subject: what the token's DACL allows it was
            // worked out when the token was made, so this is integer work only.
            let (actsAsIdentity, allowed) = token._withUnsafeGuaranteedRef {
                ($0.level.actsAsIdentity, $0.allowedToOwnIdentity)
            }
            guard actsAsIdentity else { throw .badImpersonationLevel }
            return try handles.insert(token, rights: AccessCheck.check(desired: desiredAccess, allowed: { allowed }))
        }
        let me = AccessSubject(selfCredentials(state.takeUnretainedValue()).identity)
        let granted = token._withUnsafeGuaranteedRef { token -> Result<TokenRights, HostSecError> in
            do throws(HostSecError) {
                return .success(
                    try AccessCheck.check(desired: desiredAccess, subject: me, descriptor: token.descriptor))
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
    public func openProcessToken(desiredAccess: TokenRights) throws(HostSecError) -> TokenHandle {
        try ensureOpen()
        let state = try threadState()
        let token = selfToken(state)
        let granted = try AccessCheck.check(
            desired: desiredAccess, subject: currentSubject(state),
            descriptor: token.descriptor)
        return try handles.insert(token, rights: granted)
    }

    /// `HostSec_ImpersonateSelf`.
    public func impersonateSelf(level rawLevel: UInt32) throws(HostSecError) {
        try ensureOpen()
        guard let level = ImpersonationLevel(rawValue: rawLevel) else { throw .invalidArg }
        let state = try threadState()
        let primary = selfToken(state)
        try assign(primary.copy(kind: .impersonation, level: level, origin: .selfCopy), to: state)
    }

    /// `HostSec_DuplicateTokenEx`.
    public func duplicate(
        _ handle: TokenHandle, desiredAccess: TokenRights, level rawLevel: UInt32,
        type rawType: UInt32
    ) throws(HostSecError) -> TokenHandle {
        try ensureOpen()
        let (source, sourceRights) = try handles.lookup(handle)
        if !sourceRights.contains(.duplicate) { throw .accessDenied }
        guard let level = ImpersonationLevel(rawValue: rawLevel), let kind = TokenKind(rawValue: rawType) else {
            throw .invalidArg
        }
        if source.kind == .impersonation {
            if level > source.level { throw .badImpersonationLevel }
            if kind == .primary && !source.level.actsAsIdentity { throw .badImpersonationLevel }
        }
        let state = try threadState()
        let creator = try creator(state)
        let copy = source.copy(
            kind: kind, level: level,
            dacl: Token.defaultDacl(user: source.identity.uid, creator: creator))
        let granted =
            desiredAccess.isEmpty
            ? sourceRights
            : try AccessCheck.check(
                desired: desiredAccess, subject: currentSubject(state),
                descriptor: copy.descriptor)
        return try handles.insert(copy, rights: granted)
    }

    /// `HostSec_LogonUser`: a primary token for the local account of exactly `name`'s bytes,
    /// from NSS.
    public func logonUser(_ name: AccountName) throws(HostSecError) -> TokenHandle {
        try ensureOpen()
        let state = try threadState()
        let me = selfCredentials(state)
        guard let account = Accounts.lookup(name) else { throw .noneMapped }
        return try insertLogonToken(for: account, me: me, state: state)
    }

    private func insertLogonToken(
        for account: Accounts.Account, me: KernelCredentials,
        state: ThreadState
    ) throws(HostSecError) -> TokenHandle {
        let caps: UInt64 = account.uid == .root ? me.caps.permitted : 0
        let identity = Identity(
            uid: account.uid, gid: account.gid, groups: account.groups,
            capEffective: caps, capPermitted: caps)
        // An account whose ids the kernel cannot hold ((uid_t)-1 means "unchanged") gets no token.
        guard identity.isRepresentable else { throw .noneMapped }
        let token = Token(
            identity: identity, kind: .primary, level: .anonymous,
            dacl: Token.defaultDacl(user: account.uid, creator: try creator(state)), origin: .logon)
        return try handles.insert(token, rights: .all)
    }

    /// `HostSec_LogonUserWithPassword`: `logonUserNoWait`, then the rest of the failure delay
    /// slept on the calling thread before the error is thrown. Every failure after PAM ran
    /// returns no sooner than the start of the call plus the delay the PAM stack asked for
    /// (about 2 s): a wrong password and an unknown account take the same time.
    public func logonUser(
        name: UnsafePointer<CChar>, password: UnsafePointer<CChar>, allowing: PasswordLogonAllowance = []
    ) throws(HostSecError) -> TokenHandle {
        do throws(PasswordLogonFailure) {
            return try logonUserNoWait(name: name, password: password, allowing: allowing)
        } catch {
            Self.sleep(microseconds: error.remainingDelayMicroseconds)
            throw error.error
        }
    }

    /// `HostSec_LogonUserWithPasswordNoWait`: the account `name` (bytes, as NSS and PAM take
    /// them) proves itself with `password` through PAM; the token is then made as
    /// `logonUser`'s is, for the account PAM authenticated. The password is read in place and
    /// never kept. Never sleeps: a failure carries the part of the stack's failure delay that
    /// is still to run, which the caller must let pass before it reports the failure.
    ///
    /// Who may log on with a password is decided here, once, for every face (flat, Win32,
    /// Swift): `passwordLogonRefusal`, from the user database before PAM runs and again for
    /// the account PAM authenticated; and a transaction that never asked for the password
    /// proves nothing (a stack with pam_rootok or pam_permit).
    public func logonUserNoWait(
        name: UnsafePointer<CChar>, password: UnsafePointer<CChar>, allowing: PasswordLogonAllowance = []
    ) throws(PasswordLogonFailure) -> TokenHandle {
        let allowed = allowing.union(PasswordLogonAllowance(rawValue: policy))
        let service: [CChar]
        do throws(HostSecError) {
            try ensureOpen()
            if name[0] == 0 { throw .invalidArg }
            guard let named = LogonService.current() else { throw .noLogonServers }
            service = named
            // Before PAM: the password of a refused account is never checked, and pam_faillock
            // never counts the try. An unknown name goes on to PAM, to fail as a wrong password.
            if let account = Accounts.lookup(AccountName(cString: name)),
                let refusal = Self.passwordLogonRefusal(account, allowed: allowed)
            {
                throw refusal
            }
        } catch {
            throw PasswordLogonFailure(error, remainingDelayMicroseconds: 0)
        }
        let start = Self.monotonicMicroseconds()
        let check = service.withUnsafeBufferPointer {
            authentication.check(service: $0.baseAddress!, user: name, password: password)
        }
        do throws(HostSecError) {
            let authenticated = try Self.account(from: check)
            if let refusal = Self.passwordLogonRefusal(authenticated, allowed: allowed) { throw refusal }
            let state = try threadState()
            do throws(HostSecError) {
                return try insertLogonToken(for: authenticated, me: selfCredentials(state), state: state)
            } catch {
                // Ids no token can hold: reported as an account NSS does not know.
                throw error == .noneMapped ? .logonFailure : error
            }
        } catch {
            let deadline = start + UInt64(check.failDelayMicroseconds)
            let now = Self.monotonicMicroseconds()
            throw PasswordLogonFailure(error, remainingDelayMicroseconds: deadline > now ? deadline - now : 0)
        }
    }

    /// The rule for who may log on with a password (A3-07): not uid 0 nor a system account
    /// (below `UID_MIN`) unless `.rootAndSystemAccounts`, not an account whose shell is not a
    /// login shell unless `.nologinShells`. Nil when `account` may; else the error.
    static func passwordLogonRefusal(_ account: Accounts.Account, allowed: PasswordLogonAllowance) -> HostSecError? {
        if !allowed.contains(.rootAndSystemAccounts)
            && (account.uid == .root || account.uid.rawValue < LoginConfiguration.uidMin())
        {
            return .logonTypeNotGranted
        }
        if !allowed.contains(.nologinShells) && !LoginConfiguration.isLoginShell(account.shell) {
            return .logonTypeNotGranted
        }
        return nil
    }

    /// PAM's verdict as the account to log on, or the error it means.
    static func account(from check: PasswordCheck) throws(HostSecError) -> Accounts.Account {
        switch (check.step, check.code) {
        case (.done, _) where !check.askedForPassword:
            // The stack let the account in without the password (pam_rootok in su's stack
            // for a root host, pam_permit): the caller's password proved nothing (A3-14).
            throw .logonFailure
        case (.done, _):
            let name = check.user + [0]
            // PAM vouched for a name NSS does not know (a module that authenticates accounts
            // of its own): no token can describe it.
            guard let account = Accounts.lookup(AccountName(cString: name)) else {
                throw .logonFailure
            }
            return account
        case (.start, PAM_BUF_ERR), (.authenticate, PAM_BUF_ERR), (.account, PAM_BUF_ERR):
            throw .outOfMemory
        case (.start, _):
            throw .noLogonServers
        case (_, PAM_ACCT_EXPIRED):
            throw .accountExpired
        case (_, PAM_NEW_AUTHTOK_REQD), (_, PAM_AUTHTOK_EXPIRED):
            throw .passwordExpired
        case (.account, PAM_PERM_DENIED):
            throw .accountDisabled
        case (_, PAM_SERVICE_ERR), (_, PAM_SYSTEM_ERR), (_, PAM_ABORT), (_, PAM_MODULE_UNKNOWN),
            (_, PAM_SYMBOL_ERR):
            throw .noLogonServers
        default:
            // PAM_AUTH_ERR (pam_nologin, pam_faillock included), PAM_USER_UNKNOWN, PAM_MAXTRIES,
            // PAM_CRED_INSUFFICIENT, PAM_AUTHINFO_UNAVAIL (pam_unix cannot read the account's
            // hash), PAM_CONV_ERR (the stack asked for more than one password), PAM_PERM_DENIED
            // from authenticate, anything else: the one answer that reveals nothing.
            throw .logonFailure
        }
    }

    private static func monotonicMicroseconds() -> UInt64 {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        return UInt64(ts.tv_sec) * 1_000_000 + UInt64(ts.tv_nsec) / 1000
    }

    /// Sleeps `microseconds` on the calling thread, resuming after signals.
    private static func sleep(microseconds: UInt64) {
        let deadline = monotonicMicroseconds() + microseconds
        while true {
            let now = monotonicMicroseconds()
            if now >= deadline { return }
            let left = deadline - now
            var ts = timespec(tv_sec: Int(left / 1_000_000), tv_nsec: Int(left % 1_000_000) * 1000)
            _ = nanosleep(&ts, nil)
        }
    }

    // MARK: impersonation

    /// `IHostSecurityManager::ImpersonateLoggedOnUser`.
    public func impersonateLoggedOnUser(_ handle: TokenHandle) throws(HostSecError) {
        try ensureOpen()
        let (source, rights) = try handles.lookup(handle)
        let needed =
            source.kind == .primary
            ? TokenRights.query.union(.duplicate)
            : TokenRights.query.union(.impersonate)
        if !rights.isSuperset(of: needed) { throw .accessDenied }
        let level = source.kind == .primary ? .impersonation : min(source.level, .impersonation)
        let state = try threadState()
        try assign(source.copy(kind: .impersonation, level: level), to: state)
    }

    /// `IHostSecurityManager::SetThreadToken`; nil reverts.
    public func setThreadToken(_ handle: TokenHandle?) throws(HostSecError) {
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
    public func revertToSelf() throws(HostSecError) {
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
    public func captureContext(restricted: Bool) throws(HostSecError) -> Token? {
        try ensureOpen()
        let state = try threadState()
        guard restricted else { return state.token }
        return try restrictedCopy(of: state.token, state)
    }

    /// `SetSecurityContext`: impersonate the captured token, or revert when it is nil.
    public func applyContext(_ token: Token?, restricted: Bool) throws(HostSecError) {
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
    func assign(_ token: Token, to state: ThreadState) throws(HostSecError) {
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
            return
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
            switch kernel.apply(identity, over: me) {
            case .success(let change):
                state.applied = change.isEmpty ? nil : change
            case .failure(.refused(let failure)):
                state.setToken(nil)
                throw HostSecError(HResult.fromErrno(failure.errno))
            case .failure(.mismatch):
                state.setToken(nil)
                throw .unexpected
            case .failure(.cannotRestore):
                state.applied = .unknown(identity)
                state.setToken(token)
                throw failClosed()
            }
        }
        state.setToken(token)
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
        switch kernel.restore(selfCredentials(state), undoing: change) {
        case .success:
            state.applied = nil
        case .failure(.tampered(let putBack)):
            if putBack {
                state.applied = nil
            } else {
                state.applied = .unknown(state.token?.identity ?? selfCredentials(state).identity)
            }
            throw failClosed()
        case .failure(.failed):
            if case .success = kernel.reset(to: selfCredentials(state)) {
                state.applied = nil
            } else {
                state.applied = .unknown(state.token?.identity ?? selfCredentials(state).identity)
            }
            throw failClosed()
        }
    }
}

/// Who may log on with a password besides ordinary accounts: the `HOSTSEC_POLICY_ALLOW_*`
/// bits (per call here; the process-wide policy adds its own).
public struct PasswordLogonAllowance: OptionSet, Sendable {
    public let rawValue: UInt32
    public init(rawValue: UInt32) { self.rawValue = rawValue }

    /// uid 0 and system accounts (below `UID_MIN`): `HOSTSEC_POLICY_ALLOW_ROOT_PASSWORD_LOGON`.
    public static let rootAndSystemAccounts = Self(rawValue: UInt32(HOSTSEC_POLICY_ALLOW_ROOT_PASSWORD_LOGON))
    /// Accounts whose shell is not in `/etc/shells`: `HOSTSEC_POLICY_ALLOW_NOLOGIN_SHELL_LOGON`.
    public static let nologinShells = Self(rawValue: UInt32(HOSTSEC_POLICY_ALLOW_NOLOGIN_SHELL_LOGON))
    static let all: Self = [.rootAndSystemAccounts, .nologinShells]
}

/// A password logon that failed, with the part of the PAM stack's failure delay still to run
/// (0 when PAM did not run, or asked for none).
public struct PasswordLogonFailure: Error, Sendable {
    public let error: HostSecError
    public let remainingDelayMicroseconds: UInt64
    public init(_ error: HostSecError, remainingDelayMicroseconds: UInt64) {
        self.error = error
        self.remainingDelayMicroseconds = remainingDelayMicroseconds
    }
}
