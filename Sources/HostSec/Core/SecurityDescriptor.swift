/// Standard and generic access rights (winnt.h values), shared by every kind of object.
public enum AccessRights {
    public static let delete: UInt32 = 0x0001_0000
    public static let readControl: UInt32 = 0x0002_0000
    public static let writeDac: UInt32 = 0x0004_0000
    public static let writeOwner: UInt32 = 0x0008_0000
    public static let synchronize: UInt32 = 0x0010_0000
    /// DELETE | READ_CONTROL | WRITE_DAC | WRITE_OWNER | SYNCHRONIZE.
    public static let standardAll: UInt32 = 0x001F_0000
    public static let specificAll: UInt32 = 0x0000_FFFF
    public static let accessSystemSecurity: UInt32 = 0x0100_0000
    public static let maximumAllowed: UInt32 = 0x0200_0000
    public static let genericAll: UInt32 = 0x1000_0000
    public static let genericExecute: UInt32 = 0x2000_0000
    public static let genericWrite: UInt32 = 0x4000_0000
    public static let genericRead: UInt32 = 0x8000_0000
    public static let generic: UInt32 = 0xF000_0000
}

/// `GENERIC_MAPPING`: what each generic right means for one kind of object.
public struct GenericMapping: Equatable, Sendable {
    public var read: UInt32, write: UInt32, execute: UInt32, all: UInt32

    public init(read: UInt32, write: UInt32, execute: UInt32, all: UInt32) {
        self.read = read
        self.write = write
        self.execute = execute
        self.all = all
    }

    /// The token object's mapping, Windows': TOKEN_READ with TOKEN_QUERY_SOURCE and
    /// TOKEN_DUPLICATE; TOKEN_WRITE with TOKEN_ADJUST_SESSIONID; TOKEN_EXECUTE with
    /// TOKEN_ASSIGN_PRIMARY and TOKEN_IMPERSONATE; TOKEN_ALL_ACCESS (`TokenRightsTests`).
    public static let token = GenericMapping(
        read: 0x0002_001A, write: 0x0002_01E0, execute: 0x0002_0005,
        all: 0x000F_01FF)

    /// `MapGenericMask`: each GENERIC_* bit replaced by what it maps to; other bits kept.
    @inlinable public func map(_ mask: UInt32) -> UInt32 {
        var mapped = mask & ~AccessRights.generic
        if mask & AccessRights.genericRead != 0 { mapped |= read }
        if mask & AccessRights.genericWrite != 0 { mapped |= write }
        if mask & AccessRights.genericExecute != 0 { mapped |= execute }
        if mask & AccessRights.genericAll != 0 { mapped |= all }
        return mapped
    }
}

/// One entry of an access control list: Windows' ACCESS_ALLOWED_ACE, ACCESS_DENIED_ACE and
/// the two audit types with the same layout (which access checks skip).
public struct AccessControlEntry: Equatable, Sendable {
    public static let allowedType: UInt8 = 0
    public static let deniedType: UInt8 = 1
    public static let systemAuditType: UInt8 = 2
    public static let systemAlarmType: UInt8 = 3
    /// ACE flags (winnt.h).
    public static let objectInherit: UInt8 = 0x01
    public static let containerInherit: UInt8 = 0x02
    public static let noPropagateInherit: UInt8 = 0x04
    public static let inheritOnly: UInt8 = 0x08
    public static let inherited: UInt8 = 0x10
    public static let validFlags: UInt8 = 0x1F | 0xC0

    public var type: UInt8
    public var flags: UInt8
    public var mask: UInt32
    public var sid: SecurityIdentifier

    public init(type: UInt8, flags: UInt8 = 0, mask: UInt32, sid: SecurityIdentifier) {
        self.type = type
        self.flags = flags
        self.mask = mask
        self.sid = sid
    }

    /// The two trustees the library's own DACLs name.
    public enum Trustee: Equatable, Sendable {
        case user(UserID)
        case group(GroupID)
    }

    /// An access-allowed entry for a Unix user or group, granting token rights.
    public init(_ trustee: Trustee, _ rights: TokenRights) {
        switch trustee {
        case .user(let uid): self.init(type: Self.allowedType, mask: rights.rawValue, sid: .user(uid))
        case .group(let gid): self.init(type: Self.allowedType, mask: rights.rawValue, sid: .group(gid))
        }
    }

    /// Bytes of the entry in an ACL: header, mask, SID.
    public var byteCount: Int { 8 + sid.byteCount }
}

/// A security descriptor: owner, group, DACL (nil: none, which grants everyone every right,
/// as a NULL DACL does) and the control bits that say how it was made.
public struct SecurityDescriptor: Equatable, Sendable {
    /// SECURITY_DESCRIPTOR_CONTROL bits (winnt.h).
    public static let ownerDefaulted: UInt16 = 0x0001
    public static let groupDefaulted: UInt16 = 0x0002
    public static let daclPresent: UInt16 = 0x0004
    public static let daclDefaulted: UInt16 = 0x0008
    public static let saclPresent: UInt16 = 0x0010
    public static let saclDefaulted: UInt16 = 0x0020
    public static let daclAutoInheritRequired: UInt16 = 0x0100
    public static let saclAutoInheritRequired: UInt16 = 0x0200
    public static let daclAutoInherited: UInt16 = 0x0400
    public static let saclAutoInherited: UInt16 = 0x0800
    public static let daclProtected: UInt16 = 0x1000
    public static let saclProtected: UInt16 = 0x2000
    public static let selfRelative: UInt16 = 0x8000

    public var owner: SecurityIdentifier?
    public var group: SecurityIdentifier?
    /// The DACL's entries; nil when the descriptor has no DACL or a NULL one.
    public var dacl: [AccessControlEntry]?
    /// The SACL's entries (kept and copied, never evaluated); nil when there is none.
    public var sacl: [AccessControlEntry]?
    public var control: UInt16
    /// ACL revisions (ACL_REVISION 2 unless the ACL said otherwise).
    public var daclRevision: UInt8 = 2
    public var saclRevision: UInt8 = 2

    public init(
        owner: SecurityIdentifier?, group: SecurityIdentifier?, dacl: [AccessControlEntry]?,
        sacl: [AccessControlEntry]? = nil, control: UInt16? = nil
    ) {
        self.owner = owner
        self.group = group
        self.dacl = dacl
        self.sacl = sacl
        self.control = control ?? ((dacl != nil ? Self.daclPresent : 0) | (sacl != nil ? Self.saclPresent : 0))
    }
}
