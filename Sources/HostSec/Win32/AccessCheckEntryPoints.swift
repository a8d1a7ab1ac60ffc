import CHostSec
#if canImport(Glibc)
import Glibc
#endif

// AccessCheck with Windows' names.

enum Win32AccessControl {
    static func mapping(_ m: GENERIC_MAPPING) -> GenericMapping {
        GenericMapping(read: m.GenericRead, write: m.GenericWrite, execute: m.GenericExecute, all: m.GenericAll)
    }
}

/// The descriptor at `p` for the core, which reads it only after the handle's checks: one this
/// layout cannot read is ERROR_INVALID_SECURITY_DESCR.
func readDescriptor(_ p: UnsafeRawPointer?) throws(HostSecError) -> SecurityDescriptor {
    do throws(DescriptorLayout.ReadFailure) { return try DescriptorLayout.read(p) } catch {
        throw .invalidSecurityDescriptor
    }
}

@c @implementation
package func HostSecW32_AccessCheck(
    _ pSecurityDescriptor: UnsafeMutableRawPointer?, _ ClientToken: HANDLE?,
    _ DesiredAccess: DWORD, _ GenericMapping: UnsafeMutablePointer<GENERIC_MAPPING>?,
    _ PrivilegeSet: UnsafeMutablePointer<PRIVILEGE_SET>?,
    _ PrivilegeSetLength: UnsafeMutablePointer<DWORD>?,
    _ GrantedAccess: UnsafeMutablePointer<DWORD>?,
    _ AccessStatus: UnsafeMutablePointer<BOOL>?
) -> BOOL {
    guard let GenericMapping, let PrivilegeSetLength, let GrantedAccess, let AccessStatus else {
        return win32Fail(ERROR_NOACCESS)
    }
    var status = ERROR_SUCCESS
    let ok = win32 { () throws(Win32Failure) in
        let decision = try core { () throws(HostSecError) in
            try Engine.shared.accessCheck(
                TokenHandle(ClientToken),
                descriptor: { () throws(HostSecError) in try readDescriptor(pSecurityDescriptor) },
                desired: DesiredAccess, mapping: Win32AccessControl.mapping(GenericMapping.pointee))
        }
        let used = decision.privilegesUsed
        let needed = Win32Layout.size(
            array: Win32Layout.privilegeSetArray, entries: used.count, stride: Win32Layout.luidAndAttributes)
        if Int(PrivilegeSetLength.pointee) < needed {
            PrivilegeSetLength.pointee = DWORD(needed)
            throw Win32Failure(ERROR_INSUFFICIENT_BUFFER)
        }
        guard let PrivilegeSet else { throw Win32Failure(ERROR_NOACCESS) }
        PrivilegeSet.pointee.PrivilegeCount = DWORD(used.count)
        PrivilegeSet.pointee.Control = 0
        for (i, luid) in used.enumerated() {
            Win32Layout.setPrivilege(
                Win32Layout.entry(luid, UInt32(SE_PRIVILEGE_USED_FOR_ACCESS)), UnsafeMutableRawPointer(PrivilegeSet),
                array: Win32Layout.privilegeSetArray, index: i)
        }
        GrantedAccess.pointee = decision.granted
        AccessStatus.pointee = decision.status == .granted ? 1 : 0
        switch decision.status {
        case .granted: status = ERROR_SUCCESS
        case .accessDenied: status = ERROR_ACCESS_DENIED
        case .privilegeNotHeld: status = ERROR_PRIVILEGE_NOT_HELD
        }
    }
    if ok != 0 { setLastError(status) }
    return ok
}
