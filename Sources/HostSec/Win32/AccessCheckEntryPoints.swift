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

@c @implementation
public func HostSecW32_AccessCheck(
    _ pSecurityDescriptor: UnsafeMutableRawPointer?, _ ClientToken: HANDLE?,
    _ DesiredAccess: DWORD, _ GenericMapping: UnsafeMutablePointer<GENERIC_MAPPING>?,
    _ PrivilegeSet: UnsafeMutablePointer<PRIVILEGE_SET>?,
    _ PrivilegeSetLength: UnsafeMutablePointer<DWORD>?,
    _ GrantedAccess: UnsafeMutablePointer<DWORD>?,
    _ AccessStatus: UnsafeMutablePointer<BOOL>?
) -> BOOL {
    guard let GenericMapping, let PrivilegeSetLength, let GrantedAccess, let AccessStatus else {
        return win32Fail(Win32Error.noAccess)
    }
    var status: UInt32 = Win32Error.success
    let ok = win32 { () throws(Win32Failure) in
        let (token, rights) = try core { () throws(HostSecError) in
            try Engine.shared.ensureOpen()
            return try HandleTable.shared.lookup(TokenHandle(ClientToken))
        }
        if token.kind != .impersonation { throw Win32Failure(Win32Error.noImpersonationToken) }
        if token.level < .identification { throw Win32Failure(Win32Error.badImpersonationLevel) }
        if !rights.contains(.query) { throw Win32Failure(Win32Error.accessDenied) }
        let sd: SecurityDescriptor
        do throws(DescriptorLayout.ReadFailure) { sd = try DescriptorLayout.read(pSecurityDescriptor) } catch {
            throw Win32Failure(Win32Error.invalidSecurityDescr)
        }
        guard sd.owner != nil, sd.group != nil else { throw Win32Failure(Win32Error.invalidSecurityDescr) }
        if DesiredAccess & AccessRights.generic != 0 { throw Win32Failure(Win32Error.genericNotMapped) }
        let decision = AccessCheck.evaluate(
            sd, subject: token.subject, desired: DesiredAccess,
            mapping: Win32AccessControl.mapping(GenericMapping.pointee))
        let needed = 8 + 12 * max(decision.privilegesUsed.count, 1)
        if Int(PrivilegeSetLength.pointee) < needed {
            PrivilegeSetLength.pointee = DWORD(needed)
            throw Win32Failure(Win32Error.insufficientBuffer)
        }
        guard let PrivilegeSet else { throw Win32Failure(Win32Error.noAccess) }
        let raw = UnsafeMutableRawPointer(PrivilegeSet)
        raw.storeBytes(of: UInt32(decision.privilegesUsed.count), as: UInt32.self)
        raw.storeBytes(of: UInt32(0), toByteOffset: 4, as: UInt32.self)
        for (i, luid) in decision.privilegesUsed.enumerated() {
            raw.storeBytes(of: luid, toByteOffset: 8 + 12 * i, as: UInt32.self)
            raw.storeBytes(of: UInt32(0), toByteOffset: 12 + 12 * i, as: UInt32.self)
            raw.storeBytes(of: UInt32(0x8000_0000), toByteOffset: 16 + 12 * i, as: UInt32.self)
        }
        GrantedAccess.pointee = decision.granted
        AccessStatus.pointee = decision.status == .granted ? 1 : 0
        switch decision.status {
        case .granted: status = Win32Error.success
        case .accessDenied: status = Win32Error.accessDenied
        case .privilegeNotHeld: status = Win32Error.privilegeNotHeld
        }
    }
    if ok != 0 { hs_w32_set_last_error(status) }
    return ok
}
