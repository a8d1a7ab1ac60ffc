import CHostSec
#if canImport(Glibc)
import Glibc
#endif

/// `HostSec_GetTokenInformation`: each TOKEN_INFORMATION_CLASS in hostsec's Linux structs.
extension Engine {
    /// Writes class `infoClass` of the token behind `handle` into `buffer` and returns the
    /// bytes written. `neededLength` receives the size the class needs, also when the
    /// buffer is too small (`ERROR_INSUFFICIENT_BUFFER`); the buffer is untouched on failure.
    package func tokenInformation(
        _ handle: TokenHandle, infoClass: UInt32,
        buffer: UnsafeMutableRawPointer?, length: UInt32,
        neededLength: inout UInt32
    ) throws(HostSecError) {
        try ensureOpen()
        let (token, rights) = try handles.lookup(handle)
        let required = infoClass == TokenSource.rawValue ? TokenRights.querySource : TokenRights.query
        if !rights.contains(required) { throw .accessDenied }
        let identity = token.currentIdentity
        let privilegeCount = (identity.capPermitted | identity.capEffective).nonzeroBitCount
        let flatDacl = infoClass == 6 ? TokenInformationLayout.flatDacl(token.dacl) : []
        let size: Int
        switch infoClass {
        case TokenUser.rawValue: size = MemoryLayout<HOSTSEC_TOKEN_USER>.size
        case TokenGroups.rawValue: size = TokenInformationLayout.groupsOffset + identity.groups.count * 4
        case TokenPrivileges.rawValue:
            size = TokenInformationLayout.privilegesOffset + privilegeCount * MemoryLayout<HOSTSEC_PRIVILEGE>.stride
        case TokenOwner.rawValue: size = MemoryLayout<HOSTSEC_TOKEN_OWNER>.size
        case TokenPrimaryGroup.rawValue: size = MemoryLayout<HOSTSEC_TOKEN_PRIMARY_GROUP>.size
        case TokenDefaultDacl.rawValue:
            size = TokenInformationLayout.daclOffset + flatDacl.count * MemoryLayout<HOSTSEC_ACE>.stride
        case TokenSource.rawValue: size = MemoryLayout<HOSTSEC_TOKEN_SOURCE>.size
        case TokenType.rawValue: size = 4
        case TokenImpersonationLevel.rawValue:
            if token.kind == .primary { throw .invalidArg }
            size = 4
        case TokenStatistics.rawValue: size = MemoryLayout<HOSTSEC_TOKEN_STATISTICS>.size
        default: throw .invalidArg
        }
        neededLength = UInt32(size)
        guard buffer != nil || length == 0 else { throw .pointer }  // NULL with a length
        guard Int(length) >= size else { throw .insufficientBuffer }
        guard let out = buffer else { throw .pointer }
        switch infoClass {
        case TokenUser.rawValue:
            out.storeBytes(of: HOSTSEC_TOKEN_USER(Uid: identity.uid.rawValue), as: HOSTSEC_TOKEN_USER.self)
        case TokenGroups.rawValue:
            out.storeBytes(of: UInt32(identity.groups.count), as: UInt32.self)
            for (i, gid) in identity.groups.enumerated() {
                out.storeBytes(
                    of: gid.rawValue, toByteOffset: TokenInformationLayout.groupsOffset + i * 4, as: UInt32.self)
            }
        case TokenPrivileges.rawValue:
            let privileges = TokenInformationLayout.privileges(identity)
            out.storeBytes(of: UInt32(privileges.count), as: UInt32.self)
            for (i, p) in privileges.enumerated() {
                out.storeBytes(
                    of: p,
                    toByteOffset: TokenInformationLayout.privilegesOffset
                        + i * MemoryLayout<HOSTSEC_PRIVILEGE>.stride, as: HOSTSEC_PRIVILEGE.self)
            }
        case TokenOwner.rawValue:
            out.storeBytes(of: HOSTSEC_TOKEN_OWNER(OwnerUid: token.owner.rawValue), as: HOSTSEC_TOKEN_OWNER.self)
        case TokenPrimaryGroup.rawValue:
            out.storeBytes(
                of: HOSTSEC_TOKEN_PRIMARY_GROUP(Gid: identity.gid.rawValue), as: HOSTSEC_TOKEN_PRIMARY_GROUP.self)
        case TokenDefaultDacl.rawValue:
            out.storeBytes(of: UInt32(flatDacl.count), as: UInt32.self)
            for (i, entry) in flatDacl.enumerated() {
                out.storeBytes(
                    of: entry,
                    toByteOffset: TokenInformationLayout.daclOffset
                        + i * MemoryLayout<HOSTSEC_ACE>.stride, as: HOSTSEC_ACE.self)
            }
        case TokenSource.rawValue:
            var source = HOSTSEC_TOKEN_SOURCE()
            withUnsafeMutableBytes(of: &source.SourceName) { name in
                for (i, byte) in token.origin.rawValue.utf8.prefix(8).enumerated() { name[i] = byte }
            }
            source.SourceIdentifier = token.sourceId
            out.storeBytes(of: source, as: HOSTSEC_TOKEN_SOURCE.self)
        case TokenType.rawValue: out.storeBytes(of: token.kind.rawValue, as: UInt32.self)
        case TokenImpersonationLevel.rawValue: out.storeBytes(of: token.level.rawValue, as: UInt32.self)
        default:
            var stats = HOSTSEC_TOKEN_STATISTICS()
            stats.TokenId = token.id
            stats.AuthenticationId = token.authenticationId
            stats.ExpirationTime = Int64.max
            stats.TokenType = TOKEN_TYPE(rawValue: token.kind.rawValue)
            stats.ImpersonationLevel = SECURITY_IMPERSONATION_LEVEL(rawValue: token.level.rawValue)
            stats.GroupCount = UInt32(identity.groups.count)
            stats.PrivilegeCount = UInt32(privilegeCount)
            stats.ModifiedId = token.modifiedId
            out.storeBytes(of: stats, as: HOSTSEC_TOKEN_STATISTICS.self)
        }
    }
}

enum TokenInformationLayout {
    static let groupsOffset = MemoryLayout<HOSTSEC_TOKEN_GROUPS>.offset(of: \HOSTSEC_TOKEN_GROUPS.Gids)!
    static let privilegesOffset = MemoryLayout<HOSTSEC_TOKEN_PRIVILEGES>.offset(
        of: \HOSTSEC_TOKEN_PRIVILEGES.Privileges)!
    static let daclOffset = MemoryLayout<HOSTSEC_TOKEN_DACL>.offset(of: \HOSTSEC_TOKEN_DACL.Aces)!

    /// The DACL's entries that allow a Unix user or group, as HOSTSEC_ACEs (the whole DACL,
    /// deny entries and other SIDs included, is GetKernelObjectSecurity's).
    static func flatDacl(_ dacl: [AccessControlEntry]) -> [HOSTSEC_ACE] {
        dacl.compactMap { ace in
            guard ace.type == AccessControlEntry.allowedType else { return nil }
            if let uid = ace.sid.unixUser { return HOSTSEC_ACE(Kind: 0, Id: uid.rawValue, Mask: ace.mask) }
            if let gid = ace.sid.unixGroup { return HOSTSEC_ACE(Kind: 1, Id: gid.rawValue, Mask: ace.mask) }
            return nil
        }
    }

    /// One privilege per capability in the permitted set; enabled when also effective.
    static func privileges(_ identity: Identity) -> [HOSTSEC_PRIVILEGE] {
        var result: [HOSTSEC_PRIVILEGE] = []
        var bits = identity.capPermitted | identity.capEffective
        while bits != 0 {
            let cap = UInt32(bits.trailingZeroBitCount)
            bits &= bits - 1
            let enabled = identity.capEffective & Capability.bit(cap) != 0
            result.append(HOSTSEC_PRIVILEGE(Capability: cap, Attributes: enabled ? DWORD(SE_PRIVILEGE_ENABLED) : 0))
        }
        return result
    }
}
