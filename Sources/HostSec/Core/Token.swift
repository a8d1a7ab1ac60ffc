import CHostSec
import Synchronization

/// `TOKEN_TYPE`.
public enum TokenKind: UInt32, Sendable {
    case primary = 1
    case impersonation = 2
}

/// `SECURITY_IMPERSONATION_LEVEL`, ordered.
public enum ImpersonationLevel: UInt32, Comparable, Sendable {
    case anonymous = 0, identification, impersonation, delegation

    public static func < (a: Self, b: Self) -> Bool { a.rawValue < b.rawValue }

    /// At this level the thread acts as the identity (its kernel credentials change).
    public var actsAsIdentity: Bool { self >= .impersonation }
}

/// Where a token came from (`TokenSource`).
public enum TokenOrigin: String, Sendable {
    case process = "Process"
    case logon = "Logon"
    case selfCopy = "Self"
    case copy = "Copy"
}

/// An access-allowed entry of a token's DACL.
public struct AccessControlEntry: Equatable, Sendable {
    public enum Trustee: Equatable, Sendable {
        case user(UInt32)
        case group(UInt32)
    }
    public var trustee: Trustee
    public var mask: UInt32
    public init(_ trustee: Trustee, _ mask: UInt32) {
        self.trustee = trustee
        self.mask = mask
    }
}

/// Token access rights (winnt.h).
public enum TokenRights {
    public static let assignPrimary = UInt32(TOKEN_ASSIGN_PRIMARY)
    public static let duplicate = UInt32(TOKEN_DUPLICATE)
    public static let impersonate = UInt32(TOKEN_IMPERSONATE)
    public static let query = UInt32(TOKEN_QUERY)
    public static let querySource = UInt32(TOKEN_QUERY_SOURCE)
    public static let adjustPrivileges = UInt32(TOKEN_ADJUST_PRIVILEGES)
    /// TOKEN_ALL_ACCESS (the header spells it as an expression Swift does not import).
    public static let all: UInt32 = 0x000F_01FF
    public static let maximumAllowed = UInt32(MAXIMUM_ALLOWED)
    public static let genericRead = UInt32(truncatingIfNeeded: GENERIC_READ)
    public static let genericWrite = UInt32(GENERIC_WRITE)
    public static let genericExecute = UInt32(GENERIC_EXECUTE)
    public static let genericAll = UInt32(GENERIC_ALL)
}

/// An access token: an immutable description of an identity, with the security descriptor
/// (owner and DACL) that protects the token object itself.
public final class Token: Sendable {
    public let id: UInt64
    public let authenticationId: UInt64
    public let identity: Identity
    public let kind: TokenKind
    /// Meaningful for impersonation tokens; `.anonymous` (0) for primary ones.
    public let level: ImpersonationLevel
    public let owner: UInt32
    public let dacl: [AccessControlEntry]
    /// What `dacl` allows the token's own identity (`AccessCheck.allowed`), worked out once:
    /// the token is immutable, and OpenThreadToken's common case (the thread's identity as
    /// subject) then checks without walking the DACL or touching its storage.
    public let allowedToOwnIdentity: UInt32
    public let origin: TokenOrigin
    /// The TokenId this token was copied from, or 0.
    public let sourceId: UInt64
    /// The capability sets as AdjustTokenPrivileges left them (nil: as made); every handle to
    /// the token sees them. `identity` keeps what the token was made with; `currentIdentity`
    /// is what it describes now. `adjusted` lets readers skip the lock until the first change.
    private let adjustment = Mutex<Adjustment?>(nil)
    private let adjusted = Atomic<Bool>(false)
    private struct Adjustment { var effective: UInt64; var permitted: UInt64; var modifiedId: UInt64 }

    public init(
        identity: Identity, kind: TokenKind, level: ImpersonationLevel,
        dacl: [AccessControlEntry], origin: TokenOrigin,
        authenticationId: UInt64? = nil, sourceId: UInt64 = 0
    ) {
        self.id = TokenIds.next()
        self.authenticationId = authenticationId ?? TokenIds.next()
        self.identity = identity
        self.kind = kind
        self.level = kind == .primary ? .anonymous : level
        self.owner = identity.uid
        self.dacl = dacl
        self.allowedToOwnIdentity = AccessCheck.allowed(to: identity, by: dacl)
        self.origin = origin
        self.sourceId = sourceId
        hs_live_add(Int32(HS_LIVE_TOKENS), 1)
    }

    deinit { hs_live_add(Int32(HS_LIVE_TOKENS), -1) }

    /// The DACL a new token gets: full access for the identity's user and for the
    /// identity that created it.
    public static func defaultDacl(user: UInt32, creator: UInt32) -> [AccessControlEntry] {
        user == creator
            ? [AccessControlEntry(.user(user), TokenRights.all)]
            : [AccessControlEntry(.user(user), TokenRights.all), AccessControlEntry(.user(creator), TokenRights.all)]
    }

    /// A copy of this token as another type or level, keeping identity (as it is now), DACL
    /// and logon.
    public func copy(
        kind: TokenKind, level: ImpersonationLevel, origin: TokenOrigin = .copy,
        identity: Identity? = nil, dacl: [AccessControlEntry]? = nil
    ) -> Token {
        Token(
            identity: identity ?? currentIdentity, kind: kind, level: level, dacl: dacl ?? self.dacl,
            origin: origin, authenticationId: authenticationId, sourceId: id)
    }

    /// Whether AdjustTokenPrivileges ever changed the token (one atomic load).
    @inline(__always) public var isAdjusted: Bool { adjusted.load(ordering: .acquiring) }

    /// The identity the token describes now: `identity` with its adjusted capability sets.
    public var currentIdentity: Identity {
        guard adjusted.load(ordering: .acquiring) else { return identity }
        var current = identity
        adjustment.withLock { state in
            if let state {
                current.capEffective = state.effective
                current.capPermitted = state.permitted
            }
        }
        return current
    }

    /// Changes the capabilities the token enables: `enable` on (within its permitted set),
    /// `disable` off, `remove` off and out of the permitted set for good. Returns the effective
    /// set before and after. Each call applies whole; concurrent ones are serialized.
    @discardableResult
    public func adjustCapabilities(enable: UInt64, disable: UInt64, remove: UInt64) -> (before: UInt64, after: UInt64) {
        adjustment.withLock { state in
            let effective = state?.effective ?? identity.capEffective
            let permitted = (state?.permitted ?? identity.capPermitted) & ~remove
            let after = ((effective & ~(disable | remove)) | enable) & permitted
            state = Adjustment(effective: after, permitted: permitted, modifiedId: TokenIds.next())
            adjusted.store(true, ordering: .releasing)
            return (effective, after)
        }
    }

    /// `TokenStatistics.ModifiedId`: changes with every adjustment; the TokenId until then.
    public var modifiedId: UInt64 {
        guard adjusted.load(ordering: .acquiring) else { return id }
        return adjustment.withLock { $0?.modifiedId ?? id }
    }
}

/// Token ids and authentication ids: unique in the process, never 0 (`hs_next_id`: each
/// thread draws from a block of its own, so making a token takes no locked instruction).
enum TokenIds {
    @inline(__always) static func next() -> UInt64 { hs_next_id() }
}
