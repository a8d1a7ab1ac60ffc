/// Standard and generic access rights (winnt.h values), shared by every kind of object.
package enum AccessRights {
    package static let delete: UInt32 = 0x0001_0000
    package static let readControl: UInt32 = 0x0002_0000
    package static let writeDac: UInt32 = 0x0004_0000
    package static let writeOwner: UInt32 = 0x0008_0000
    package static let synchronize: UInt32 = 0x0010_0000
    /// DELETE | READ_CONTROL | WRITE_DAC | WRITE_OWNER | SYNCHRONIZE.
    package static let standardAll: UInt32 = 0x001F_0000
    package static let specificAll: UInt32 = 0x0000_FFFF
    package static let accessSystemSecurity: UInt32 = 0x0100_0000
    package static let maximumAllowed: UInt32 = 0x0200_0000
    package static let genericAll: UInt32 = 0x1000_0000
    package static let genericExecute: UInt32 = 0x2000_0000
    package static let genericWrite: UInt32 = 0x4000_0000
    package static let genericRead: UInt32 = 0x8000_0000
    package static let generic: UInt32 = 0xF000_0000
}

/// `GENERIC_MAPPING`: what each generic right means for one kind of object.
package struct GenericMapping: Equatable, Sendable {
    package var read: UInt32, write: UInt32, execute: UInt32, all: UInt32

    package init(read: UInt32, write: UInt32, execute: UInt32, all: UInt32) {
        self.read = read
        self.write = write
        self.execute = execute
        self.all = all
    }

    /// The token object's mapping, Windows': TOKEN_READ with TOKEN_QUERY_SOURCE and
    /// TOKEN_DUPLICATE; TOKEN_WRITE with TOKEN_ADJUST_SESSIONID; TOKEN_EXECUTE with
    /// TOKEN_ASSIGN_PRIMARY and TOKEN_IMPERSONATE; TOKEN_ALL_ACCESS (`TokenRightsTests`).
    package static let token = GenericMapping(
        read: 0x0002_001A, write: 0x0002_01E0, execute: 0x0002_0005,
        all: 0x000F_01FF)

    /// `MapGenericMask`: each GENERIC_* bit replaced by what it maps to; other bits kept.
    @inlinable package func map(_ mask: UInt32) -> UInt32 {
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
package struct AccessControlEntry: Equatable, Sendable {
    package static let allowedType: UInt8 = 0
    package static let deniedType: UInt8 = 1
    package static let systemAuditType: UInt8 = 2
    package static let systemAlarmType: UInt8 = 3
    /// ACE flags (winnt.h).
    package static let objectInherit: UInt8 = 0x01
    package static let containerInherit: UInt8 = 0x02
    package static let noPropagateInherit: UInt8 = 0x04
    package static let inheritOnly: UInt8 = 0x08
    package static let inherited: UInt8 = 0x10
    package static let validFlags: UInt8 = 0x1F | 0xC0

    package var type: UInt8
    package var flags: UInt8
    package var mask: UInt32
    package var sid: SecurityIdentifier

    package init(type: UInt8, flags: UInt8 = 0, mask: UInt32, sid: SecurityIdentifier) {
        self.type = type
        self.flags = flags
        self.mask = mask
        self.sid = sid
    }

    /// The two trustees the library's own DACLs name.
    package enum Trustee: Equatable, Sendable {
        case user(UserID)
        case group(GroupID)
    }

    /// An access-allowed entry for a Unix user or group, granting token rights.
    package init(_ trustee: Trustee, _ rights: TokenRights) {
        switch trustee {
        case .user(let uid): self.init(type: Self.allowedType, mask: rights.rawValue, sid: .user(uid))
        case .group(let gid): self.init(type: Self.allowedType, mask: rights.rawValue, sid: .group(gid))
        }
    }

    /// Bytes of the entry in an ACL: header, mask, SID.
    package var byteCount: Int { 8 + sid.byteCount }
}

/// A security descriptor: owner, group, DACL (nil: none, which grants everyone every right,
/// as a NULL DACL does) and the control bits that say how it was made.
package struct SecurityDescriptor: Equatable, Sendable {
    /// SECURITY_DESCRIPTOR_CONTROL bits (winnt.h).
    package static let ownerDefaulted: UInt16 = 0x0001
    package static let groupDefaulted: UInt16 = 0x0002
    package static let daclPresent: UInt16 = 0x0004
    package static let daclDefaulted: UInt16 = 0x0008
    package static let saclPresent: UInt16 = 0x0010
    package static let saclDefaulted: UInt16 = 0x0020
    package static let daclAutoInheritRequired: UInt16 = 0x0100
    package static let saclAutoInheritRequired: UInt16 = 0x0200
    package static let daclAutoInherited: UInt16 = 0x0400
    package static let saclAutoInherited: UInt16 = 0x0800
    package static let daclProtected: UInt16 = 0x1000
    package static let saclProtected: UInt16 = 0x2000
    package static let selfRelative: UInt16 = 0x8000

    package var owner: SecurityIdentifier?
    package var group: SecurityIdentifier?
    /// The DACL's entries; nil when the descriptor has no DACL or a NULL one.
    package var dacl: [AccessControlEntry]?
    /// The SACL's entries (kept and copied, never evaluated); nil when there is none.
    package var sacl: [AccessControlEntry]?
    package var control: UInt16
    /// ACL revisions (ACL_REVISION 2 unless the ACL said otherwise).
    package var daclRevision: UInt8 = 2
    package var saclRevision: UInt8 = 2

    package init(
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
