import CHostSec
#if canImport(Glibc)
import Glibc
#endif

// GetKernelObjectSecurity and SetKernelObjectSecurity on token objects.

@c @implementation
package func HostSecW32_GetKernelObjectSecurity(
    _ Handle: HANDLE?, _ RequestedInformation: DWORD,
    _ pSecurityDescriptor: UnsafeMutableRawPointer?, _ nLength: DWORD,
    _ lpnLengthNeeded: UnsafeMutablePointer<DWORD>?
) -> BOOL {
    guard let lpnLengthNeeded else { return win32Fail(ERROR_NOACCESS) }
    return win32 { () throws(Win32Failure) in
        let sd = try core { () throws(HostSecError) in
            try Engine.shared.objectSecurity(
                of: TokenHandle(Handle), information: SecurityInformation(rawValue: RequestedInformation))
        }
        let bytes = DescriptorLayout.relativeBytes(sd)
        lpnLengthNeeded.pointee = DWORD(bytes.count)
        guard Int(nLength) >= bytes.count else { throw Win32Failure(ERROR_INSUFFICIENT_BUFFER) }
        guard let pSecurityDescriptor else { throw Win32Failure(ERROR_NOACCESS) }
        pSecurityDescriptor.copyMemory(from: bytes, byteCount: bytes.count)
    }
}

@c @implementation
package func HostSecW32_SetKernelObjectSecurity(
    _ Handle: HANDLE?, _ SecurityInformation: DWORD,
    _ SecurityDescriptor: UnsafeMutableRawPointer?
) -> BOOL {
    win32 { () throws(Win32Failure) in
        try core { () throws(HostSecError) in
            try Engine.shared.setObjectSecurity(
                of: TokenHandle(Handle), information: HostSec.SecurityInformation(rawValue: SecurityInformation),
                descriptor: { () throws(HostSecError) in try readDescriptor(SecurityDescriptor) })
        }
    }
}
