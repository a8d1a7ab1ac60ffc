import CHostSec
#if canImport(Glibc)
import Glibc
#endif

// Security descriptor strings (SDDL) to and from descriptors, with Windows' names.

@c @implementation
package func HostSecW32_ConvertStringSecurityDescriptorToSecurityDescriptorA(
    _ StringSecurityDescriptor: UnsafePointer<CChar>?, _ StringSDRevision: DWORD,
    _ SecurityDescriptor: UnsafeMutablePointer<UnsafeMutableRawPointer?>?,
    _ SecurityDescriptorSize: UnsafeMutablePointer<ULONG>?
) -> BOOL {
    guard let SecurityDescriptor else { return win32Fail(ERROR_INVALID_PARAMETER) }
    SecurityDescriptor.pointee = nil
    guard let StringSecurityDescriptor else { return win32Fail(ERROR_INVALID_PARAMETER) }
    guard StringSDRevision == SDDL_REVISION_1 else { return win32Fail(ERROR_UNKNOWN_REVISION) }
    let text = Array(UnsafeRawBufferPointer(start: StringSecurityDescriptor, count: strlen(StringSecurityDescriptor)))
    let sd: SecurityDescriptor
    do throws(SDDL.Failure) { sd = try SDDL.parse(text) } catch {
        return win32Fail(error == .invalidSid ? ERROR_INVALID_SID : ERROR_INVALID_PARAMETER)
    }
    let bytes = DescriptorLayout.relativeBytes(sd)
    guard let block = LocalMemory.allocate(bytes.count, .local) else { return win32Fail(ERROR_NOT_ENOUGH_MEMORY) }
    block.copyMemory(from: bytes, byteCount: bytes.count)
    SecurityDescriptor.pointee = block
    SecurityDescriptorSize?.pointee = ULONG(bytes.count)
    return 1
}

@c @implementation
package func HostSecW32_ConvertSecurityDescriptorToStringSecurityDescriptorA(
    _ SecurityDescriptor: UnsafeMutableRawPointer?, _ RequestedStringSDRevision: DWORD,
    _ SecurityInformation: DWORD, _ StringSecurityDescriptor: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?,
    _ StringSecurityDescriptorLen: UnsafeMutablePointer<ULONG>?
) -> BOOL {
    guard let StringSecurityDescriptor else { return win32Fail(ERROR_INVALID_PARAMETER) }
    StringSecurityDescriptor.pointee = nil
    guard RequestedStringSDRevision == SDDL_REVISION_1 else { return win32Fail(ERROR_UNKNOWN_REVISION) }
    let sd: SecurityDescriptor
    do throws(DescriptorLayout.ReadFailure) { sd = try DescriptorLayout.read(SecurityDescriptor) } catch {
        return win32Fail(ERROR_INVALID_SECURITY_DESCR)
    }
    let text = Array(SDDL.string(sd, information: HostSec.SecurityInformation(rawValue: SecurityInformation)).utf8)
    guard let block = LocalMemory.allocate(text.count + 1, .local) else { return win32Fail(ERROR_NOT_ENOUGH_MEMORY) }
    block.copyMemory(from: text, byteCount: text.count)
    StringSecurityDescriptor.pointee = block.assumingMemoryBound(to: CChar.self)
    StringSecurityDescriptorLen?.pointee = ULONG(text.count + 1)
    return 1
}
