import CHostSec
#if canImport(Glibc)
import Glibc
#endif

// CreateRestrictedToken and IsTokenRestricted.

@c @implementation
public func HostSecW32_CreateRestrictedToken(
    _ ExistingTokenHandle: HANDLE?, _ Flags: DWORD, _ DisableSidCount: DWORD,
    _ SidsToDisable: UnsafeMutablePointer<SID_AND_ATTRIBUTES>?,
    _ DeletePrivilegeCount: DWORD,
    _ PrivilegesToDelete: UnsafeMutablePointer<LUID_AND_ATTRIBUTES>?,
    _ RestrictedSidCount: DWORD,
    _ SidsToRestrict: UnsafeMutablePointer<SID_AND_ATTRIBUTES>?,
    _ NewTokenHandle: UnsafeMutablePointer<HANDLE?>?
) -> BOOL {
    win32(NewTokenHandle) { () throws(Win32Failure) in
        // DISABLE_MAX_PRIVILEGE and SANDBOX_INERT (nothing to do here); LUA_TOKEN and
        // WRITE_RESTRICTED are not supported.
        guard Flags & ~UInt32(0x3) == 0 else { throw Win32Failure(Win32Error.invalidParameter) }
        if (DisableSidCount > 0 && SidsToDisable == nil) || (DeletePrivilegeCount > 0 && PrivilegesToDelete == nil)
            || (RestrictedSidCount > 0 && SidsToRestrict == nil)
        {
            throw Win32Failure(Win32Error.invalidParameter)
        }
        let (source, rights) = try core { () throws(HostSecError) in
            try Engine.shared.ensureOpen()
            return try HandleTable.shared.lookup(TokenHandle(ExistingTokenHandle))
        }
        if !rights.contains(.duplicate) { throw Win32Failure(Win32Error.accessDenied) }
        var identity = source.currentIdentity
        let listed = Win32TokenInformation.groups(source).map(\.0) + [SecurityIdentifier.user(identity.uid)]
        var restrictions = TokenRestrictions()
        for i in 0..<Int(DisableSidCount) {
            guard let sid = SecurityIdentifier.read(SidsToDisable![i].Sid) else {
                throw Win32Failure(Win32Error.invalidSid)
            }
            // SIDs the token does not have are ignored, as Windows ignores them.
            if listed.contains(sid) && !restrictions.denyOnly.contains(sid) { restrictions.denyOnly.append(sid) }
        }
        if RestrictedSidCount > 0 {
            var restricting: [SecurityIdentifier] = []
            for i in 0..<Int(RestrictedSidCount) {
                guard let sid = SecurityIdentifier.read(SidsToRestrict![i].Sid) else {
                    throw Win32Failure(Win32Error.invalidSid)
                }
                if !restricting.contains(sid) { restricting.append(sid) }
            }
            restrictions.restricting = restricting
        }
        if Flags & 1 != 0 {
            restrictions.deletedCapabilities = identity.capPermitted | identity.capEffective
        }
        for i in 0..<Int(DeletePrivilegeCount) {
            let luid = PrivilegesToDelete![i].Luid
            if let privilege = Privilege.byLuid(low: luid.LowPart, high: luid.HighPart) {
                restrictions.deletedCapabilities |= privilege.capabilities
            }
        }
        identity.capEffective &= ~restrictions.deletedCapabilities
        identity.capPermitted &= ~restrictions.deletedCapabilities
        // The ids stay the account's: deny-only SIDs count for AccessCheck only, and a token
        // with any has no kernel form (TokenRestrictions.kernelCanHoldDenyOnly).
        let merged = (source.restrictions ?? TokenRestrictions()).restricted(by: restrictions)
        let restricted = source.copy(kind: source.kind, level: source.level, identity: identity, restrictions: merged)
        return try core { () throws(HostSecError) in try HandleTable.shared.insert(restricted, rights: rights) }
    }
}

@c @implementation
public func HostSecW32_IsTokenRestricted(_ TokenHandle: HANDLE?) -> BOOL {
    var restricted = false
    let ok = win32 { () throws(Win32Failure) in
        let (token, rights) = try core { () throws(HostSecError) in
            try HandleTable.shared.lookup(HostSec.TokenHandle(TokenHandle))
        }
        if !rights.contains(.query) { throw Win32Failure(Win32Error.accessDenied) }
        restricted = token.restrictions?.restricting != nil
    }
    guard ok != 0 else { return 0 }
    hs_w32_set_last_error(Win32Error.success)
    return restricted ? 1 : 0
}
