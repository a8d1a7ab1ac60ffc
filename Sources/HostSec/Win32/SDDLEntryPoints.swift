import CHostSec
#if canImport(Glibc)
import Glibc
#endif

// Security descriptor strings (SDDL) to and from descriptors, with Windows' names.

@c @implementation
public func HostSecW32_ConvertStringSecurityDescriptorToSecurityDescriptorA(
    _ StringSecurityDescriptor: UnsafePointer<CChar>?, _ StringSDRevision: DWORD,
    _ SecurityDescriptor: UnsafeMutablePointer<UnsafeMutableRawPointer?>?,
    _ SecurityDescriptorSize: UnsafeMutablePointer<ULONG>?
) -> BOOL {
    guard let SecurityDescriptor else { return win32Fail(Win32Error.invalidParameter) }
    SecurityDescriptor.pointee = nil
    guard let StringSecurityDescriptor else { return win32Fail(Win32Error.invalidParameter) }
    guard StringSDRevision == 1 else { return win32Fail(Win32Error.unknownRevision) }
    let text = Array(UnsafeRawBufferPointer(start: StringSecurityDescriptor, count: strlen(StringSecurityDescriptor)))
    let sd: SecurityDescriptor
    do throws(SDDL.Failure) { sd = try SDDL.parse(text) } catch {
        return win32Fail(error == .invalidSid ? Win32Error.invalidSid : Win32Error.invalidParameter)
    }
    let bytes = DescriptorLayout.relativeBytes(sd)
    guard let block = LocalMemory.allocate(bytes.count, .local) else { return win32Fail(Win32Error.notEnoughMemory) }
    block.copyMemory(from: bytes, byteCount: bytes.count)
    SecurityDescriptor.pointee = block
    SecurityDescriptorSize?.pointee = ULONG(bytes.count)
    return 1
}

@c @implementation
public func HostSecW32_ConvertSecurityDescriptorToStringSecurityDescriptorA(
    _ SecurityDescriptor: UnsafeMutableRawPointer?, _ RequestedStringSDRevision: DWORD,
    _ SecurityInformation: DWORD, _ StringSecurityDescriptor: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?,
    _ StringSecurityDescriptorLen: UnsafeMutablePointer<ULONG>?
) -> BOOL {
    guard let StringSecurityDescriptor else { return win32Fail(Win32Error.invalidParameter) }
    StringSecurityDescriptor.pointee = nil
    guard RequestedStringSDRevision == 1 else { return win32Fail(Win32Error.unknownRevision) }
    let sd: SecurityDescriptor
    do throws(DescriptorLayout.ReadFailure) { sd = try DescriptorLayout.read(SecurityDescriptor) } catch {
        return win32Fail(Win32Error.invalidSecurityDescr)
    }
    let text = Array(SDDL.string(sd, information: SecurityInformation).utf8)
    guard let block = LocalMemory.allocate(text.count + 1, .local) else { return win32Fail(Win32Error.notEnoughMemory) }
    block.copyMemory(from: text, byteCount: text.count)
    StringSecurityDescriptor.pointee = block.assumingMemoryBound(to: CChar.self)
    StringSecurityDescriptorLen?.pointee = ULONG(text.count + 1)
    return 1
}
