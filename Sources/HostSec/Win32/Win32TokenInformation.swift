import CHostSec

/// GetTokenInformation in Windows' layouts: structures first, the SIDs they point at after
/// them in the same buffer (every SID is a multiple of 4 bytes, pointers stay 8-aligned
/// relative to the buffer).
enum Win32TokenInformation {
    /// Writes class `infoClass` of `token` (its handle checked for the right the class needs)
    /// into `buffer`; the bytes needed go to `needed`.
    static func query(
        _ token: Token, infoClass: UInt32, buffer: UnsafeMutableRawPointer?, length: UInt32,
        needed: inout UInt32
    ) throws(Win32Failure) {
        let identity = token.currentIdentity
        var size = 0
        var write: (UnsafeMutableRawPointer) -> Void
        switch infoClass {
        case 1, 4, 5:  // TokenUser, TokenOwner, TokenPrimaryGroup: one SID after the structure
            let sid: SecurityIdentifier =
                infoClass == 5 ? .group(identity.gid) : .user(infoClass == 1 ? identity.uid : token.owner)
            let head = infoClass == 1 ? 16 : 8
            let userAttributes: UInt64 =
                token.restrictions?.denyOnly.contains(sid) == true ? UInt64(TokenGroupList.denyOnlyAttribute) : 0
            size = head + sid.byteCount
            write = { out in
                out.storeBytes(of: out + head, as: UnsafeMutableRawPointer.self)
                if infoClass == 1 { out.storeBytes(of: userAttributes, toByteOffset: 8, as: UInt64.self) }
                sid.write(to: out + head)
            }
        case 2, 11:  // TokenGroups, TokenRestrictedSids
            let list =
                infoClass == 2
                ? TokenGroupList.list(token)
                : (token.restrictions?.restricting ?? []).map { ($0, TokenGroupList.defaultAttributes) }
            let head = 8 + 16 * list.count
            size = head + list.reduce(0) { $0 + $1.0.byteCount }
            write = { out in
                out.storeBytes(of: UInt64(list.count), as: UInt64.self)
                var at = head
                for (i, (sid, attributes)) in list.enumerated() {
                    out.storeBytes(of: out + at, toByteOffset: 8 + 16 * i, as: UnsafeMutableRawPointer.self)
                    out.storeBytes(of: UInt64(attributes), toByteOffset: 16 + 16 * i, as: UInt64.self)
                    sid.write(to: out + at)
                    at += sid.byteCount
                }
            }
        case 3:  // TokenPrivileges
            let states = Privilege.held(by: identity, made: token.identity)
            size = 4 + 12 * states.count
            write = { out in writePrivileges(states.map { ($0.privilege.luid, $0.attributes) }, to: out) }
        case 7:  // TokenSource
            size = 16
            write = { out in
                var name = Array(token.origin.rawValue.utf8.prefix(8))
                name += [UInt8](repeating: 0, count: 8 - name.count)
                for (i, b) in name.enumerated() { out.storeBytes(of: b, toByteOffset: i, as: UInt8.self) }
                storeLuid(token.sourceId, out + 8)
            }
        case 8:
            size = 4
            write = { out in out.storeBytes(of: token.kind.rawValue, as: UInt32.self) }
        case 9:
            if token.kind == .primary { throw Win32Failure(ERROR_INVALID_PARAMETER) }
            size = 4
            write = { out in out.storeBytes(of: token.level.rawValue, as: UInt32.self) }
        case 10:  // TokenStatistics
            size = 56
            let groupCount = TokenGroupList.list(token).count
            let privilegeCount = Privilege.held(by: identity, made: token.identity).count
            write = { out in
                storeLuid(token.id, out)
                storeLuid(token.authenticationId, out + 8)
                out.storeBytes(of: Int64.max, toByteOffset: 16, as: Int64.self)
                out.storeBytes(of: token.kind.rawValue, toByteOffset: 24, as: UInt32.self)
                out.storeBytes(of: token.kind == .primary ? 0 : token.level.rawValue, toByteOffset: 28, as: UInt32.self)
                out.storeBytes(of: UInt64(0), toByteOffset: 32, as: UInt64.self)
                out.storeBytes(of: UInt32(groupCount), toByteOffset: 40, as: UInt32.self)
                out.storeBytes(of: UInt32(privilegeCount), toByteOffset: 44, as: UInt32.self)
                storeLuid(token.modifiedId, out + 48)
            }
        default:
            throw Win32Failure(ERROR_INVALID_PARAMETER)
        }
        needed = UInt32(size)
        guard Int(length) >= size else { throw Win32Failure(ERROR_INSUFFICIENT_BUFFER) }
        guard let buffer else { throw Win32Failure(ERROR_NOACCESS) }
        write(buffer)
    }

    /// A 64-bit id as a LUID { DWORD LowPart; LONG HighPart; }.
    static func storeLuid(_ value: UInt64, _ p: UnsafeMutableRawPointer) {
        p.storeBytes(of: UInt32(truncatingIfNeeded: value), as: UInt32.self)
        p.storeBytes(of: UInt32(truncatingIfNeeded: value >> 32), toByteOffset: 4, as: UInt32.self)
    }

    /// TOKEN_PRIVILEGES: a count, then 12-byte LUID_AND_ATTRIBUTES entries.
    static func writePrivileges(_ entries: [(UInt32, UInt32)], to out: UnsafeMutableRawPointer) {
        out.storeBytes(of: UInt32(entries.count), as: UInt32.self)
        for (i, (luid, attributes)) in entries.enumerated() {
            out.storeBytes(of: luid, toByteOffset: 4 + 12 * i, as: UInt32.self)
            out.storeBytes(of: UInt32(0), toByteOffset: 8 + 12 * i, as: UInt32.self)
            out.storeBytes(of: attributes, toByteOffset: 12 + 12 * i, as: UInt32.self)
        }
    }
}
