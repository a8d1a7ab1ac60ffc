import CHostSec
import Synchronization

/// `TOKEN_TYPE`.
package enum TokenKind: UInt32, Sendable {
    case primary = 1
    case impersonation = 2
}

/// `SECURITY_IMPERSONATION_LEVEL`, ordered.
package enum ImpersonationLevel: UInt32, Comparable, Sendable {
    case anonymous = 0, identification, impersonation, delegation

    package static func < (a: Self, b: Self) -> Bool { a.rawValue < b.rawValue }

    /// At this level the thread acts as the identity (its kernel credentials change).
    package var actsAsIdentity: Bool { self >= .impersonation }
}

/// Where a token came from (`TokenSource`).
package enum TokenOrigin: String, Sendable {
    case process = "Process"
    case logon = "Logon"
    case selfCopy = "Self"
    case copy = "Copy"
    /// The peer of a Unix domain socket (HostSec_OpenSocketClientToken).
    case socketPeer = "Peer"
}

/// An access token: a description of an identity, with the security descriptor (owner and
/// DACL) that protects the token object itself. The identity, kind and level never change; the
/// descriptor (SetKernelObjectSecurity) and the capability sets (AdjustTokenPrivileges) do, as
/// on Windows.
package final class Token: Sendable {
    package let id: UInt64
    package let authenticationId: UInt64
    package let identity: Identity
    package let kind: TokenKind
    /// Meaningful for impersonation tokens; `.anonymous` (0) for primary ones.
    package let level: ImpersonationLevel
    package let owner: UserID
    /// What CreateRestrictedToken took away (nil: not restricted).
    package let restrictions: TokenRestrictions?
    /// The token object's security descriptor (owner, group, DACL): what the one access check
    /// (`AccessCheck`) protects the token with. SetKernelObjectSecurity replaces parts of it.
    private let securityDescriptor: Mutex<SecurityDescriptor>
    /// What the descriptor allows the token's own identity (`AccessCheck.allowed`), worked out
    /// when the descriptor or the capabilities change: OpenThreadToken's common case (the
    /// thread's identity as subject) then checks with one atomic load, without walking the
    /// DACL or taking the lock.
    private let allowedToOwn: Atomic<UInt32>
    @inline(__always) package var allowedToOwnIdentity: TokenRights {
        TokenRights(rawValue: allowedToOwn.load(ordering: .acquiring))
    }
    package let origin: TokenOrigin
    /// The TokenId this token was copied from, or 0.
    package let sourceId: UInt64
    /// The capability sets as AdjustTokenPrivileges left them (nil: as made); every handle to
    /// the token sees them. `identity` keeps what the token was made with; `currentIdentity`
    /// is what it describes now. `adjusted` lets readers skip the lock until the first change.
    private let adjustment = Mutex<Adjustment?>(nil)
    private let adjusted = Atomic<Bool>(false)
    private struct Adjustment { var effective: UInt64; var permitted: UInt64; var modifiedId: UInt64 }

    package init(
        identity: Identity, kind: TokenKind, level: ImpersonationLevel,
        dacl: [AccessControlEntry], origin: TokenOrigin,
        authenticationId: UInt64? = nil, sourceId: UInt64 = 0,
        restrictions: TokenRestrictions? = nil, descriptorOwner: SecurityIdentifier? = nil
    ) {
        self.id = TokenIds.next()
        self.authenticationId = authenticationId ?? TokenIds.next()
        self.identity = identity
        self.kind = kind
        self.level = kind == .primary ? .anonymous : level
        self.owner = identity.uid
        self.restrictions = restrictions
        let descriptor = SecurityDescriptor(
            owner: descriptorOwner ?? .user(identity.uid), group: .group(identity.gid),
            dacl: dacl)
        self.securityDescriptor = Mutex(descriptor)
        self.allowedToOwn = Atomic(
            AccessCheck.allowedToOwn(identity, restrictions: restrictions, descriptor: descriptor).rawValue)
        self.origin = origin
        self.sourceId = sourceId
        hs_live_add(Int32(HS_LIVE_TOKENS), 1)
    }

    deinit { hs_live_add(Int32(HS_LIVE_TOKENS), -1) }

    /// The DACL a new token gets: full access for the identity's user and for the
    /// identity that created it.
    package static func defaultDacl(user: UserID, creator: UserID) -> [AccessControlEntry] {
        user == creator
            ? [AccessControlEntry(.user(user), .all)]
            : [AccessControlEntry(.user(user), .all), AccessControlEntry(.user(creator), .all)]
    }

    /// A copy of this token as another type or level, keeping identity (as it is now), DACL
    /// and logon.
    package func copy(
        kind: TokenKind, level: ImpersonationLevel, origin: TokenOrigin = .copy,
        identity: Identity? = nil, dacl: [AccessControlEntry]? = nil,
        restrictions: TokenRestrictions? = nil
    ) -> Token {
        let descriptor = self.descriptor
        return Token(
            identity: identity ?? currentIdentity, kind: kind, level: level,
            dacl: dacl ?? descriptor.dacl ?? [], origin: origin, authenticationId: authenticationId,
            sourceId: id, restrictions: restrictions ?? self.restrictions)
    }

    /// The token object's security descriptor now.
    package var descriptor: SecurityDescriptor { securityDescriptor.withLock { $0 } }

    /// The token's DACL entries (empty for a NULL DACL).
    package var dacl: [AccessControlEntry] { descriptor.dacl ?? [] }

    /// The token as an access-check subject: its SIDs and restrictions, its capabilities now.
    package var subject: AccessSubject { AccessSubject(currentIdentity, restrictions: restrictions) }

    /// SetKernelObjectSecurity on the token: replaces the owner, group and/or DACL (nil
    /// leaves that part) and works out again what it allows the token's own identity.
    package func setDescriptor(
        owner: SecurityIdentifier?, group: SecurityIdentifier?,
        dacl: [AccessControlEntry]??
    ) {
        securityDescriptor.withLock { sd in
            if let owner { sd.owner = owner }
            if let group { sd.group = group }
            if let dacl {
                sd.dacl = dacl
                sd.control |= SecurityDescriptor.daclPresent
            }
            refreshAllowedToOwn(sd)
        }
    }

    /// Works out again what the descriptor allows the token's identity as it is now (caller
    /// holds the descriptor lock: the last change to either is the one stored).
    private func refreshAllowedToOwn(_ sd: SecurityDescriptor) {
        allowedToOwn.store(
            AccessCheck.allowedToOwn(currentIdentity, restrictions: restrictions, descriptor: sd).rawValue,
            ordering: .releasing)
    }

    /// Whether AdjustTokenPrivileges ever changed the token (one atomic load).
    @inline(__always) package var isAdjusted: Bool { adjusted.load(ordering: .acquiring) }

    /// The identity the token describes now: `identity` with its adjusted capability sets.
    package var currentIdentity: Identity {
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
    package func adjustCapabilities(enable: UInt64, disable: UInt64, remove: UInt64) -> (before: UInt64, after: UInt64)
    {
        let result = adjustment.withLock { state in
            let effective = state?.effective ?? identity.capEffective
            let permitted = (state?.permitted ?? identity.capPermitted) & ~remove
            let after = ((effective & ~(disable | remove)) | enable) & permitted
            state = Adjustment(effective: after, permitted: permitted, modifiedId: TokenIds.next())
            adjusted.store(true, ordering: .releasing)
            return (effective, after)
        }
        // What the DACL allows the token's identity depends on its capabilities (A3-05).
        securityDescriptor.withLock { refreshAllowedToOwn($0) }
        return result
    }

    /// `TokenStatistics.ModifiedId`: changes with every adjustment; the TokenId until then.
    package var modifiedId: UInt64 {
        guard adjusted.load(ordering: .acquiring) else { return id }
        return adjustment.withLock { $0?.modifiedId ?? id }
    }
}

/// Token ids and authentication ids: unique in the process, never 0 (`hs_next_id`: each
/// thread draws from a block of its own, so making a token takes no locked instruction).
enum TokenIds {
    @inline(__always) static func next() -> UInt64 { hs_next_id() }
}
