import CHostSec
#if canImport(Glibc)
import Glibc
#endif

// GetKernelObjectSecurity and SetKernelObjectSecurity on token objects.

@c @implementation
public func HostSecW32_GetKernelObjectSecurity(
    _ Handle: HANDLE?, _ RequestedInformation: DWORD,
    _ pSecurityDescriptor: UnsafeMutableRawPointer?, _ nLength: DWORD,
    _ lpnLengthNeeded: UnsafeMutablePointer<DWORD>?
) -> BOOL {
    guard let lpnLengthNeeded else { return win32Fail(Win32Error.noAccess) }
    return win32 { () throws(Win32Failure) in
        let (token, rights) = try core { () throws(HostSecError) in
            try Engine.shared.ensureOpen()
            return try HandleTable.shared.lookup(TokenHandle(Handle))
        }
        if RequestedInformation & 8 != 0 { throw Win32Failure(Win32Error.privilegeNotHeld) }
        if !rights.contains(.readControl) { throw Win32Failure(Win32Error.accessDenied) }
        let whole = token.descriptor
        var sd = SecurityDescriptor(owner: nil, group: nil, dacl: nil, control: 0)
        if RequestedInformation & 1 != 0 { sd.owner = whole.owner }
        if RequestedInformation & 2 != 0 { sd.group = whole.group }
        if RequestedInformation & 4 != 0 {
            sd.dacl = whole.dacl
            sd.control |=
                whole.control
                & (SecurityDescriptor.daclPresent | SecurityDescriptor.daclProtected
                    | SecurityDescriptor.daclAutoInherited | SecurityDescriptor.daclAutoInheritRequired)
        }
        let bytes = DescriptorLayout.relativeBytes(sd)
        lpnLengthNeeded.pointee = DWORD(bytes.count)
        guard Int(nLength) >= bytes.count else { throw Win32Failure(Win32Error.insufficientBuffer) }
        guard let pSecurityDescriptor else { throw Win32Failure(Win32Error.noAccess) }
        pSecurityDescriptor.copyMemory(from: bytes, byteCount: bytes.count)
    }
}

@c @implementation
public func HostSecW32_SetKernelObjectSecurity(
    _ Handle: HANDLE?, _ SecurityInformation: DWORD,
    _ SecurityDescriptor: UnsafeMutableRawPointer?
) -> BOOL {
    win32 { () throws(Win32Failure) in
        let (token, rights) = try core { () throws(HostSecError) in
            try Engine.shared.ensureOpen()
            return try HandleTable.shared.lookup(TokenHandle(Handle))
        }
        if SecurityInformation & 8 != 0 { throw Win32Failure(Win32Error.privilegeNotHeld) }
        if SecurityInformation & 3 != 0 && !rights.contains(.writeOwner) { throw Win32Failure(Win32Error.accessDenied) }
        if SecurityInformation & 4 != 0 && !rights.contains(.writeDac) { throw Win32Failure(Win32Error.accessDenied) }
        let sd: HostSec.SecurityDescriptor
        do throws(DescriptorLayout.ReadFailure) { sd = try DescriptorLayout.read(SecurityDescriptor) } catch {
            throw Win32Failure(Win32Error.invalidSecurityDescr)
        }
        var owner: SecurityIdentifier? = nil
        if SecurityInformation & 1 != 0 {
            guard let wanted = sd.owner else { throw Win32Failure(Win32Error.invalidOwner) }
            // The owner may be the caller's own user; any other SID takes CAP_CHOWN (a part of
            // SeRestorePrivilege), as Windows takes SeRestorePrivilege for it.
            let caller = try core { () throws(HostSecError) in
                try Engine.shared.currentSubject(Engine.shared.threadState())
            }
            if wanted != caller.user && caller.capEffective & Capability.bit(0) == 0 {
                throw Win32Failure(Win32Error.invalidOwner)
            }
            owner = wanted
        }
        var group: SecurityIdentifier? = nil
        if SecurityInformation & 2 != 0 {
            guard let wanted = sd.group else { throw Win32Failure(Win32Error.invalidPrimaryGroup) }
            group = wanted
        }
        // DACL_SECURITY_INFORMATION without a DACL in the descriptor: a NULL DACL, as Windows.
        let dacl: [AccessControlEntry]?? = SecurityInformation & 4 != 0 ? .some(sd.dacl) : .none
        token.setDescriptor(owner: owner, group: group, dacl: dacl)
    }
}
