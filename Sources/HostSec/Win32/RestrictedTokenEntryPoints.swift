import CHostSec
#if canImport(Glibc)
import Glibc
#endif

// CreateRestrictedToken and IsTokenRestricted.

@c @implementation
package func HostSecW32_CreateRestrictedToken(
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
        guard Flags & ~UInt32(DISABLE_MAX_PRIVILEGE | SANDBOX_INERT) == 0 else {
            throw Win32Failure(ERROR_INVALID_PARAMETER)
        }
        if (DisableSidCount > 0 && SidsToDisable == nil) || (DeletePrivilegeCount > 0 && PrivilegesToDelete == nil)
            || (RestrictedSidCount > 0 && SidsToRestrict == nil)
        {
            throw Win32Failure(ERROR_INVALID_PARAMETER)
        }
        let disabling = (0..<Int(DisableSidCount)).map { SecurityIdentifier.read(SidsToDisable![$0].Sid) }
        let restricting =
            RestrictedSidCount > 0
            ? (0..<Int(RestrictedSidCount)).map { SecurityIdentifier.read(SidsToRestrict![$0].Sid) } : nil
        // Privileges as capabilities; LUIDs of no privilege are ignored.
        var capabilities: UInt64 = 0
        for i in 0..<Int(DeletePrivilegeCount) {
            let luid = PrivilegesToDelete![i].Luid
            capabilities |= Privilege.byLuid(low: luid.LowPart, high: luid.HighPart)?.capabilities ?? 0
        }
        return try core { () throws(HostSecError) in
            try Engine.shared.createRestrictedToken(
                TokenHandle(ExistingTokenHandle), disabling: disabling, restricting: restricting,
                deletingCapabilities: capabilities, deletingAllPrivileges: Flags & UInt32(DISABLE_MAX_PRIVILEGE) != 0)
        }
    }
}

@c @implementation
package func HostSecW32_IsTokenRestricted(_ TokenHandle: HANDLE?) -> BOOL {
    var restricted = false
    let ok = win32 { () throws(Win32Failure) in
        restricted = try core { () throws(HostSecError) in
            try Engine.shared.isRestricted(HostSec.TokenHandle(TokenHandle))
        }
    }
    guard ok != 0 else { return 0 }
    setLastError(ERROR_SUCCESS)
    return restricted ? 1 : 0
}
