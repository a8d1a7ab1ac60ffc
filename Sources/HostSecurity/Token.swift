internal import HostSec

/// Whether a token is a process's (primary) or a thread's (impersonation) token:
/// `TOKEN_TYPE`.
public enum TokenKind: UInt32, Sendable, Hashable {
    /// A primary token: the credentials of a process or an account's logon.
    case primary = 1
    /// An impersonation token: what a thread acts as.
    case impersonation = 2
}

/// How far a thread may act as an impersonation token: `SECURITY_IMPERSONATION_LEVEL`,
/// ordered from least to most.
public enum ImpersonationLevel: UInt32, Sendable, Hashable, Comparable {
    /// The token's identity is unknown to the thread.
    case anonymous = 0
    /// The thread can query the identity but not act as it: the kernel credentials stay
    /// the process's.
    case identification = 1
    /// The thread acts as the identity: the kernel enforces it on the thread.
    case impersonation = 2
    /// As `impersonation`; the library does not distinguish remote use.
    case delegation = 3

    /// Orders levels from `.anonymous` to `.delegation`.
    public static func < (a: Self, b: Self) -> Bool { a.rawValue < b.rawValue }
}

/// An access token: an immutable description of an identity (uid, gid, supplementary
/// groups, capabilities) with its type and impersonation level.
///
/// A token owns a handle in the library's handle table and closes it when the last
/// reference goes away, as `HostSec_CloseHandle` would. Tokens are immutable and can be
/// shared between tasks and threads.
public final class Token: Sendable, CustomStringConvertible {
    /// The engine the token belongs to (the library's own, or a test's).
    let engine: HostSec.Engine
    /// The token's handle in the engine's table.
    let handle: TokenHandle
    /// The token behind the handle.
    let core: HostSec.Token

    /// Takes ownership of `handle`, a handle `engine` just issued.
    init(engine: HostSec.Engine, handle: TokenHandle) throws(HostSecurityError) {
        self.engine = engine
        self.handle = handle
        do {
            self.core = try engine.handles.lookup(handle).0
        } catch {
            try? engine.handles.close(handle)
            throw HostSecurityError(error)
        }
    }

    deinit { try? engine.handles.close(handle) }

    // MARK: getting tokens

    /// The process token: a primary token for the calling thread's own credentials
    /// (`HostSec_OpenProcessToken`), opened with every right its security descriptor grants.
    ///
    /// - Throws: ``HostSecurityError/badImpersonationLevel`` when the thread only identifies
    ///   as someone (it cannot act as anyone to open it); ``HostSecurityError/accessDenied``;
    ///   ``HostSecurityError/closed``.
    public static func process() throws(HostSecurityError) -> Token {
        let engine = HostSec.Engine.shared
        let handle = try hostCall(engine) { () throws(HostSecError) in
            try engine.openProcessToken(desiredAccess: .maximumAllowed)
        }
        return try Token(engine: engine, handle: handle)
    }

    /// The calling OS thread's token (`OpenThreadToken`, checked as the process), or nil
    /// when the thread is not impersonating. Inside an async impersonation scope, outside
    /// actor-isolated code, it is the scope's token.
    ///
    /// - Throws: ``HostSecurityError/cantOpenAnonymous`` for an anonymous thread token;
    ///   ``HostSecurityError/accessDenied``; ``HostSecurityError/closed``.
    public static func current() throws(HostSecurityError) -> Token? {
        let engine = HostSec.Engine.shared
        let handle: TokenHandle
        do {
            handle = try hostCall(engine) { () throws(HostSecError) in
                try engine.openThreadToken(desiredAccess: .maximumAllowed, openAsSelf: true)
            }
        } catch  where error == .noToken {
            return nil
        }
        return try Token(engine: engine, handle: handle)
    }

    /// A copy of this token as another type or level (`DuplicateTokenEx`), with the same
    /// rights as this one.
    ///
    /// - Throws: ``HostSecurityError/badImpersonationLevel`` when it would raise an
    ///   impersonation token's level, or make a primary token from one below
    ///   `.impersonation`; ``HostSecurityError/accessDenied`` without the duplicate right;
    ///   ``HostSecurityError/closed``.
    public func duplicate(kind: TokenKind, level: ImpersonationLevel) throws(HostSecurityError) -> Token {
        let engine = self.engine, handle = self.handle
        let copy = try hostCall(engine) { () throws(HostSecError) in
            try engine.duplicate(handle, desiredAccess: TokenRights(), level: level.rawValue, type: kind.rawValue)
        }
        return try Token(engine: engine, handle: copy)
    }

    // MARK: what a token says

    /// The user id the token acts as.
    public var uid: UserID { UserID(core.identity.uid) }
    /// The primary group id.
    public var gid: GroupID { GroupID(core.identity.gid) }
    /// The supplementary groups, exactly as the kernel holds them while acting as the token.
    public var groups: [GroupID] { core.identity.groups.map(GroupID.init) }
    /// Primary or impersonation.
    public var kind: TokenKind { TokenKind(rawValue: core.kind.rawValue)! }
    /// The impersonation level (`.anonymous` for primary tokens, as on Windows).
    public var level: ImpersonationLevel { ImpersonationLevel(rawValue: core.level.rawValue)! }
    /// The token id (`TOKEN_STATISTICS.TokenId`): unique in the process, never 0.
    public var id: UInt64 { core.id }

    /// The token id, type, ids, groups and level, for logs.
    public var description: String {
        "Token(id: \(id), \(kind), uid: \(uid), gid: \(gid), groups: \(groups), level: \(level))"
    }
}
