import CHostSec
#if canImport(Glibc)
import Glibc
#endif

/// Opening, duplicating and copying tokens: OpenThreadToken, the flat API's OpenProcessToken,
/// ImpersonateSelf and DuplicateTokenEx.
extension Engine {
    // MARK: OpenThreadToken

    /// The shared engine's OpenThreadToken answer when it needs no call machinery:
    /// ERROR_NO_TOKEN for a thread that has been checked and holds no token, while the library
    /// is open. nil: take the full path (`openThreadToken`). A relaxed load of the closed flag
    /// and a look at the thread's state in place; no allocation, no retain.
    @inline(__always) package static func knownThreadTokenAbsence() -> HostSecError? {
        if hs_flag_is_set_relaxed(hs_shared_closed_flag()) || ThreadState.mayHaveToken { return nil }
        return .noToken
    }

    /// `IHostSecurityManager::OpenThreadToken` for the calling thread.
    package func openThreadToken(desiredAccess: TokenRights, openAsSelf: Bool) throws(HostSecError) -> TokenHandle {
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
        let granted = try AccessCheck.check(
            desired: desiredAccess,
            allowed: { token._withUnsafeGuaranteedRef { AccessCheck.allowed(to: me, by: $0.descriptor) } })
        return try handles.insert(token, rights: granted)
    }

    // MARK: flat API

    /// `HostSec_OpenProcessToken`.
    package func openProcessToken(desiredAccess: TokenRights) throws(HostSecError) -> TokenHandle {
        try ensureOpen()
        let state = try threadState()
        let token = selfToken(state)
        let granted = try AccessCheck.check(
            desired: desiredAccess, subject: currentSubject(state),
            descriptor: token.descriptor)
        return try handles.insert(token, rights: granted)
    }

    /// `HostSec_ImpersonateSelf`.
    package func impersonateSelf(level rawLevel: UInt32) throws(HostSecError) {
        try ensureOpen()
        guard let level = ImpersonationLevel(rawValue: rawLevel) else { throw .invalidArg }
        let state = try threadState()
        let primary = selfToken(state)
        try assign(primary.copy(kind: .impersonation, level: level, origin: .selfCopy), to: state)
    }

    /// `HostSec_DuplicateTokenEx`.
    package func duplicate(
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
}
