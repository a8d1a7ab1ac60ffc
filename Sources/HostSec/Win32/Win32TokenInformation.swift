import CHostSec

/// Windows' structures that end in an array (TOKEN_GROUPS, TOKEN_PRIVILEGES, PRIVILEGE_SET),
/// placed and sized with the header's types: the array's offset in its structure and the
/// stride of its entries, never byte counts written out.
enum Win32Layout {
    static let tokenGroupsArray = MemoryLayout<TOKEN_GROUPS>.offset(of: \TOKEN_GROUPS.Groups)!
    static let tokenPrivilegesArray = MemoryLayout<TOKEN_PRIVILEGES>.offset(of: \TOKEN_PRIVILEGES.Privileges)!
    static let privilegeSetArray = MemoryLayout<PRIVILEGE_SET>.offset(of: \PRIVILEGE_SET.Privilege)!
    static let sidAndAttributes = MemoryLayout<SID_AND_ATTRIBUTES>.stride
    static let luidAndAttributes = MemoryLayout<LUID_AND_ATTRIBUTES>.stride

    /// Bytes of a structure whose array of `count` entries (at least one, as Windows sizes
    /// ANYSIZE_ARRAY structures) starts at `array`.
    static func size(array: Int, entries count: Int, stride: Int) -> Int { array + stride * max(count, 1) }

    /// Entry `index` of the LUID_AND_ATTRIBUTES array at offset `array` of `p`.
    static func privilege(_ p: UnsafeRawPointer, array: Int, index: Int) -> LUID_AND_ATTRIBUTES {
        p.loadUnaligned(fromByteOffset: array + luidAndAttributes * index, as: LUID_AND_ATTRIBUTES.self)
    }

    static func setPrivilege(_ entry: LUID_AND_ATTRIBUTES, _ p: UnsafeMutableRawPointer, array: Int, index: Int) {
        p.storeBytes(of: entry, toByteOffset: array + luidAndAttributes * index, as: LUID_AND_ATTRIBUTES.self)
    }

    /// A privilege LUID (HighPart 0) with its SE_PRIVILEGE_* attributes.
    static func entry(_ luid: UInt32, _ attributes: UInt32) -> LUID_AND_ATTRIBUTES {
        LUID_AND_ATTRIBUTES(Luid: LUID(LowPart: luid, HighPart: 0), Attributes: attributes)
    }

    /// A 64-bit id as a LUID.
    static func luid(_ value: UInt64) -> LUID {
        LUID(LowPart: UInt32(truncatingIfNeeded: value), HighPart: Int32(truncatingIfNeeded: value >> 32))
    }
}

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
        case TokenUser.rawValue:  // the user SID after the structure; deny-only when restricted so
            let sid = SecurityIdentifier.user(identity.uid)
            let attributes = token.restrictions?.denyOnly.contains(sid) == true ? TokenGroupList.denyOnlyAttribute : 0
            size = MemoryLayout<TOKEN_USER>.size + sid.byteCount
            write = { out in
                let at = out + MemoryLayout<TOKEN_USER>.size
                clear(out, MemoryLayout<TOKEN_USER>.size)
                out.storeBytes(
                    of: TOKEN_USER(User: SID_AND_ATTRIBUTES(Sid: at, Attributes: attributes)), as: TOKEN_USER.self)
                sid.write(to: at)
            }
        case TokenOwner.rawValue, TokenPrimaryGroup.rawValue:  // one SID after the structure
            let sid: SecurityIdentifier = infoClass == TokenOwner.rawValue ? .user(token.owner) : .group(identity.gid)
            // TOKEN_OWNER and TOKEN_PRIMARY_GROUP: one PSID each.
            size = MemoryLayout<TOKEN_OWNER>.size + sid.byteCount
            write = { out in
                let at = out + MemoryLayout<TOKEN_OWNER>.size
                out.storeBytes(of: TOKEN_OWNER(Owner: at), as: TOKEN_OWNER.self)
                sid.write(to: at)
            }
        case TokenGroups.rawValue, TokenRestrictedSids.rawValue:
            let list =
                infoClass == TokenGroups.rawValue
                ? TokenGroupList.list(token)
                : (token.restrictions?.restricting ?? []).map { ($0, TokenGroupList.defaultAttributes) }
            let head = Win32Layout.tokenGroupsArray + Win32Layout.sidAndAttributes * list.count
            size = head + list.reduce(0) { $0 + $1.0.byteCount }
            write = { out in
                clear(out, head)
                out.storeBytes(of: DWORD(list.count), as: DWORD.self)
                var at = head
                for (i, (sid, attributes)) in list.enumerated() {
                    out.storeBytes(
                        of: SID_AND_ATTRIBUTES(Sid: out + at, Attributes: attributes),
                        toByteOffset: Win32Layout.tokenGroupsArray + Win32Layout.sidAndAttributes * i,
                        as: SID_AND_ATTRIBUTES.self)
                    sid.write(to: out + at)
                    at += sid.byteCount
                }
            }
        case TokenPrivileges.rawValue:
            let states = Privilege.held(by: identity, made: token.identity)
            size = Win32Layout.tokenPrivilegesArray + Win32Layout.luidAndAttributes * states.count
            write = { out in writePrivileges(states.map { ($0.privilege.luid, $0.attributes) }, to: out) }
        case TokenSource.rawValue:
            size = MemoryLayout<TOKEN_SOURCE>.size
            write = { out in
                var source = TOKEN_SOURCE()
                withUnsafeMutableBytes(of: &source.SourceName) { name in
                    for (i, byte) in token.origin.rawValue.utf8.prefix(Int(TOKEN_SOURCE_LENGTH)).enumerated() {
                        name[i] = byte
                    }
                }
                source.SourceIdentifier = Win32Layout.luid(token.sourceId)
                out.storeBytes(of: source, as: TOKEN_SOURCE.self)
            }
        case TokenType.rawValue:
            size = MemoryLayout<TOKEN_TYPE>.size
            write = { out in out.storeBytes(of: TOKEN_TYPE(rawValue: token.kind.rawValue), as: TOKEN_TYPE.self) }
        case TokenImpersonationLevel.rawValue:
            if token.kind == .primary { throw Win32Failure(ERROR_INVALID_PARAMETER) }
            size = MemoryLayout<SECURITY_IMPERSONATION_LEVEL>.size
            write = { out in
                out.storeBytes(
                    of: SECURITY_IMPERSONATION_LEVEL(rawValue: token.level.rawValue),
                    as: SECURITY_IMPERSONATION_LEVEL.self)
            }
        case TokenStatistics.rawValue:
            size = MemoryLayout<TOKEN_STATISTICS>.size
            let statistics = TOKEN_STATISTICS(
                TokenId: Win32Layout.luid(token.id), AuthenticationId: Win32Layout.luid(token.authenticationId),
                ExpirationTime: LARGE_INTEGER(QuadPart: Int64.max),
                TokenType: TOKEN_TYPE(rawValue: token.kind.rawValue),
                ImpersonationLevel: SECURITY_IMPERSONATION_LEVEL(
                    rawValue: token.kind == .primary ? 0 : token.level.rawValue),
                DynamicCharged: 0, DynamicAvailable: 0, GroupCount: DWORD(TokenGroupList.list(token).count),
                PrivilegeCount: DWORD(Privilege.held(by: identity, made: token.identity).count),
                ModifiedId: Win32Layout.luid(token.modifiedId))
            write = { out in out.storeBytes(of: statistics, as: TOKEN_STATISTICS.self) }
        default:
            throw Win32Failure(ERROR_INVALID_PARAMETER)
        }
        needed = UInt32(size)
        guard Int(length) >= size else { throw Win32Failure(ERROR_INSUFFICIENT_BUFFER) }
        guard let buffer else { throw Win32Failure(ERROR_NOACCESS) }
        write(buffer)
    }

    /// Zeroes the first `count` bytes of a structure, padding included, before its fields are
    /// stored: what a caller reads back never holds stray bytes.
    private static func clear(_ p: UnsafeMutableRawPointer, _ count: Int) {
        p.initializeMemory(as: UInt8.self, repeating: 0, count: count)
    }

    /// TOKEN_PRIVILEGES: a count, then LUID_AND_ATTRIBUTES entries.
    static func writePrivileges(_ entries: [(UInt32, UInt32)], to out: UnsafeMutableRawPointer) {
        out.storeBytes(of: DWORD(entries.count), as: DWORD.self)
        for (i, (luid, attributes)) in entries.enumerated() {
            Win32Layout.setPrivilege(
                Win32Layout.entry(luid, attributes), out, array: Win32Layout.tokenPrivilegesArray, index: i)
        }
    }
}
