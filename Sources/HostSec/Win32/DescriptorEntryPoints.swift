import CHostSec
#if canImport(Glibc)
import Glibc
#endif

// Security descriptors and ACLs with Windows' names, in DescriptorLayout's layouts.

// MARK: descriptors

@c @implementation
package func HostSecW32_InitializeSecurityDescriptor(
    _ pSecurityDescriptor: UnsafeMutableRawPointer?, _ dwRevision: DWORD
) -> BOOL {
    guard let pSecurityDescriptor else { return win32Fail(ERROR_NOACCESS) }
    guard dwRevision == SECURITY_DESCRIPTOR_REVISION else { return win32Fail(ERROR_UNKNOWN_REVISION) }
    pSecurityDescriptor.initializeMemory(as: UInt8.self, repeating: 0, count: DescriptorLayout.absoluteSize)
    pSecurityDescriptor.storeBytes(of: DescriptorLayout.revision, as: UInt8.self)
    return 1
}

@c @implementation
package func HostSecW32_IsValidSecurityDescriptor(_ pSecurityDescriptor: UnsafeMutableRawPointer?) -> BOOL {
    do throws(DescriptorLayout.ReadFailure) {
        _ = try DescriptorLayout.read(pSecurityDescriptor)
        return 1
    } catch {
        return win32Fail(error == .revision ? ERROR_UNKNOWN_REVISION : ERROR_INVALID_SECURITY_DESCR)
    }
}

@c @implementation
package func HostSecW32_RtlValidRelativeSecurityDescriptor(
    _ SecurityDescriptorInput: UnsafeMutableRawPointer?,
    _ SecurityDescriptorLength: ULONG,
    _ RequiredInformation: DWORD
) -> BOOLEAN {
    guard let SecurityDescriptorInput else { return 0 }
    let bytes = UnsafeRawBufferPointer(start: SecurityDescriptorInput, count: Int(SecurityDescriptorLength))
    guard let sd = try? DescriptorLayout.readRelative(bytes) else { return 0 }
    let required = SecurityInformation(rawValue: RequiredInformation)
    if required.contains(.owner) && sd.owner == nil { return 0 }
    if required.contains(.group) && sd.group == nil { return 0 }
    if required.contains(.dacl) && sd.control & SecurityDescriptor.daclPresent == 0 { return 0 }
    if required.contains(.sacl) && sd.control & SecurityDescriptor.saclPresent == 0 { return 0 }
    return 1
}

@c @implementation
package func HostSecW32_GetSecurityDescriptorLength(_ pSecurityDescriptor: UnsafeMutableRawPointer?) -> DWORD {
    guard let pSecurityDescriptor, let sd = try? DescriptorLayout.read(pSecurityDescriptor) else {
        setLastError(ERROR_INVALID_SECURITY_DESCR)
        return 0
    }
    return DWORD(DescriptorLayout.length(sd, selfRelative: DescriptorLayout.isSelfRelative(pSecurityDescriptor)))
}

@c @implementation
package func HostSecW32_GetSecurityDescriptorControl(
    _ pSecurityDescriptor: UnsafeMutableRawPointer?,
    _ pControl: UnsafeMutablePointer<WORD>?,
    _ lpdwRevision: UnsafeMutablePointer<DWORD>?
) -> BOOL {
    guard let pSecurityDescriptor, let pControl, let lpdwRevision else { return win32Fail(ERROR_NOACCESS) }
    lpdwRevision.pointee = DWORD(pSecurityDescriptor.load(as: UInt8.self))
    guard lpdwRevision.pointee == SECURITY_DESCRIPTOR_REVISION else { return win32Fail(ERROR_UNKNOWN_REVISION) }
    pControl.pointee = DescriptorLayout.control(pSecurityDescriptor)
    return 1
}

/// The absolute descriptor a Set function may change, or the error.
private func absolute(_ p: UnsafeMutableRawPointer?) -> (UnsafeMutableRawPointer?, Int) {
    guard let p else { return (nil, ERROR_NOACCESS) }
    guard p.load(as: UInt8.self) == DescriptorLayout.revision else { return (nil, ERROR_UNKNOWN_REVISION) }
    guard !DescriptorLayout.isSelfRelative(p) else { return (nil, ERROR_INVALID_SECURITY_DESCR) }
    return (p, ERROR_SUCCESS)
}

private func setControl(_ p: UnsafeMutableRawPointer, _ bits: UInt16, _ on: Bool) {
    var control = DescriptorLayout.control(p)
    if on { control |= bits } else { control &= ~bits }
    p.storeBytes(of: control, toByteOffset: DescriptorLayout.control, as: UInt16.self)
}

private func setSidPart(
    _ sd: UnsafeMutableRawPointer?, _ sid: UnsafeMutableRawPointer?, _ defaulted: BOOL,
    offset: Int, flag: UInt16
) -> BOOL {
    let (p, error) = absolute(sd)
    guard let p else { return win32Fail(error) }
    if let sid, SecurityIdentifier.read(sid) == nil { return win32Fail(ERROR_INVALID_SID) }
    p.storeBytes(of: sid, toByteOffset: offset, as: UnsafeMutableRawPointer?.self)
    setControl(p, flag, defaulted != 0)
    return 1
}

private func getSidPart(
    _ sd: UnsafeMutableRawPointer?, _ out: UnsafeMutablePointer<UnsafeMutableRawPointer?>?,
    _ defaulted: UnsafeMutablePointer<BOOL>?, owner: Bool
) -> BOOL {
    guard let sd, let out, let defaulted else { return win32Fail(ERROR_NOACCESS) }
    guard let parts = DescriptorLayout.locate(sd) else { return win32Fail(ERROR_UNKNOWN_REVISION) }
    out.pointee = owner ? parts.owner : parts.group
    let flag = owner ? SecurityDescriptor.ownerDefaulted : SecurityDescriptor.groupDefaulted
    defaulted.pointee = parts.descriptor.control & flag != 0 ? 1 : 0
    return 1
}

@c @implementation
package func HostSecW32_SetSecurityDescriptorOwner(
    _ pSecurityDescriptor: UnsafeMutableRawPointer?,
    _ pOwner: UnsafeMutableRawPointer?, _ bOwnerDefaulted: BOOL
) -> BOOL {
    setSidPart(
        pSecurityDescriptor, pOwner, bOwnerDefaulted, offset: DescriptorLayout.absoluteOwner,
        flag: SecurityDescriptor.ownerDefaulted)
}

@c @implementation
package func HostSecW32_GetSecurityDescriptorOwner(
    _ pSecurityDescriptor: UnsafeMutableRawPointer?,
    _ pOwner: UnsafeMutablePointer<UnsafeMutableRawPointer?>?,
    _ lpbOwnerDefaulted: UnsafeMutablePointer<BOOL>?
) -> BOOL {
    getSidPart(pSecurityDescriptor, pOwner, lpbOwnerDefaulted, owner: true)
}

@c @implementation
package func HostSecW32_SetSecurityDescriptorGroup(
    _ pSecurityDescriptor: UnsafeMutableRawPointer?,
    _ pGroup: UnsafeMutableRawPointer?, _ bGroupDefaulted: BOOL
) -> BOOL {
    setSidPart(
        pSecurityDescriptor, pGroup, bGroupDefaulted, offset: DescriptorLayout.absoluteGroup,
        flag: SecurityDescriptor.groupDefaulted)
}

@c @implementation
package func HostSecW32_GetSecurityDescriptorGroup(
    _ pSecurityDescriptor: UnsafeMutableRawPointer?,
    _ pGroup: UnsafeMutablePointer<UnsafeMutableRawPointer?>?,
    _ lpbGroupDefaulted: UnsafeMutablePointer<BOOL>?
) -> BOOL {
    getSidPart(pSecurityDescriptor, pGroup, lpbGroupDefaulted, owner: false)
}

@c @implementation
package func HostSecW32_SetSecurityDescriptorDacl(
    _ pSecurityDescriptor: UnsafeMutableRawPointer?, _ bDaclPresent: BOOL,
    _ pDacl: UnsafeMutablePointer<ACL>?, _ bDaclDefaulted: BOOL
) -> BOOL {
    let (p, error) = absolute(pSecurityDescriptor)
    guard let p else { return win32Fail(error) }
    if bDaclPresent == 0 {
        p.storeBytes(of: nil, toByteOffset: DescriptorLayout.absoluteDacl, as: UnsafeMutableRawPointer?.self)
        setControl(p, SecurityDescriptor.daclPresent | SecurityDescriptor.daclDefaulted, false)
        return 1
    }
    if let pDacl, DescriptorLayout.readAcl(UnsafeRawPointer(pDacl)) == nil { return win32Fail(ERROR_INVALID_ACL) }
    p.storeBytes(
        of: UnsafeMutableRawPointer(pDacl), toByteOffset: DescriptorLayout.absoluteDacl,
        as: UnsafeMutableRawPointer?.self)
    setControl(p, SecurityDescriptor.daclPresent, true)
    setControl(p, SecurityDescriptor.daclDefaulted, bDaclDefaulted != 0)
    return 1
}

@c @implementation
package func HostSecW32_GetSecurityDescriptorDacl(
    _ pSecurityDescriptor: UnsafeMutableRawPointer?,
    _ lpbDaclPresent: UnsafeMutablePointer<BOOL>?,
    _ pDacl: UnsafeMutablePointer<UnsafeMutablePointer<ACL>?>?,
    _ lpbDaclDefaulted: UnsafeMutablePointer<BOOL>?
) -> BOOL {
    guard let pSecurityDescriptor, let lpbDaclPresent, let pDacl, let lpbDaclDefaulted else {
        return win32Fail(ERROR_NOACCESS)
    }
    guard let parts = DescriptorLayout.locate(pSecurityDescriptor) else { return win32Fail(ERROR_UNKNOWN_REVISION) }
    let control = parts.descriptor.control
    lpbDaclPresent.pointee = control & SecurityDescriptor.daclPresent != 0 ? 1 : 0
    // As Windows: the other two outputs are written only when a DACL is present.
    if control & SecurityDescriptor.daclPresent != 0 {
        pDacl.pointee = parts.dacl?.assumingMemoryBound(to: ACL.self)
        lpbDaclDefaulted.pointee = control & SecurityDescriptor.daclDefaulted != 0 ? 1 : 0
    }
    return 1
}

@c @implementation
package func HostSecW32_MakeSelfRelativeSD(
    _ pAbsoluteSecurityDescriptor: UnsafeMutableRawPointer?,
    _ pSelfRelativeSecurityDescriptor: UnsafeMutableRawPointer?,
    _ lpdwBufferLength: UnsafeMutablePointer<DWORD>?
) -> BOOL {
    guard let pAbsoluteSecurityDescriptor, let lpdwBufferLength else { return win32Fail(ERROR_NOACCESS) }
    if pAbsoluteSecurityDescriptor.load(as: UInt8.self) == DescriptorLayout.revision
        && DescriptorLayout.isSelfRelative(pAbsoluteSecurityDescriptor)
    {
        return win32Fail(ERROR_BAD_DESCRIPTOR_FORMAT)
    }
    let sd: SecurityDescriptor
    do throws(DescriptorLayout.ReadFailure) { sd = try DescriptorLayout.read(pAbsoluteSecurityDescriptor) } catch {
        return win32Fail(error == .revision ? ERROR_UNKNOWN_REVISION : ERROR_INVALID_SECURITY_DESCR)
    }
    let bytes = DescriptorLayout.relativeBytes(sd)
    guard Int(lpdwBufferLength.pointee) >= bytes.count, let out = pSelfRelativeSecurityDescriptor else {
        lpdwBufferLength.pointee = DWORD(bytes.count)
        return win32Fail(ERROR_INSUFFICIENT_BUFFER)
    }
    out.copyMemory(from: bytes, byteCount: bytes.count)
    return 1
}

// MARK: ACLs

@c @implementation
package func HostSecW32_InitializeAcl(_ pAcl: UnsafeMutablePointer<ACL>?, _ nAclLength: DWORD, _ dwAclRevision: DWORD)
    -> BOOL
{
    guard let pAcl else { return win32Fail(ERROR_NOACCESS) }
    guard nAclLength >= DescriptorLayout.aclHeaderSize else { return win32Fail(ERROR_INSUFFICIENT_BUFFER) }
    guard aclRevisions.contains(dwAclRevision), nAclLength <= UInt16.max,
        nAclLength % DWORD(MemoryLayout<DWORD>.size) == 0
    else {
        return win32Fail(ERROR_INVALID_PARAMETER)
    }
    pAcl.pointee = ACL(AclRevision: BYTE(dwAclRevision), Sbz1: 0, AclSize: WORD(nAclLength), AceCount: 0, Sbz2: 0)
    return 1
}

@c @implementation
package func HostSecW32_IsValidAcl(_ pAcl: UnsafeMutablePointer<ACL>?) -> BOOL {
    DescriptorLayout.readAcl(UnsafeRawPointer(pAcl)) != nil ? 1 : win32Fail(ERROR_INVALID_ACL)
}

/// MIN_ACL_REVISION...MAX_ACL_REVISION, as the functions take them.
private let aclRevisions = DWORD(MIN_ACL_REVISION)...DWORD(MAX_ACL_REVISION)

private func addEntry(
    _ pAcl: UnsafeMutablePointer<ACL>?, _ revision: DWORD, _ type: UInt8, _ mask: DWORD,
    _ pSid: UnsafeMutableRawPointer?
) -> BOOL {
    guard let pAcl else { return win32Fail(ERROR_NOACCESS) }
    guard aclRevisions.contains(revision) else { return win32Fail(ERROR_REVISION_MISMATCH) }
    guard let acl = DescriptorLayout.readAcl(UnsafeRawPointer(pAcl)) else { return win32Fail(ERROR_INVALID_ACL) }
    guard let sid = SecurityIdentifier.read(pSid) else { return win32Fail(ERROR_INVALID_SID) }
    let entry = AccessControlEntry(type: type, mask: mask, sid: sid)
    guard acl.used + entry.byteCount <= acl.size, acl.entries.count < UInt16.max else {
        return win32Fail(ERROR_ALLOTTED_SPACE_EXCEEDED)
    }
    let raw = UnsafeMutableRawPointer(pAcl)
    DescriptorLayout.writeEntry(entry, to: raw + acl.used)
    pAcl.pointee.AceCount += 1
    if revision > acl.revision { pAcl.pointee.AclRevision = BYTE(revision) }
    return 1
}

@c @implementation
package func HostSecW32_AddAccessAllowedAce(
    _ pAcl: UnsafeMutablePointer<ACL>?, _ dwAceRevision: DWORD,
    _ AccessMask: DWORD, _ pSid: UnsafeMutableRawPointer?
) -> BOOL {
    addEntry(pAcl, dwAceRevision, AccessControlEntry.allowedType, AccessMask, pSid)
}

@c @implementation
package func HostSecW32_AddAccessDeniedAce(
    _ pAcl: UnsafeMutablePointer<ACL>?, _ dwAceRevision: DWORD,
    _ AccessMask: DWORD, _ pSid: UnsafeMutableRawPointer?
) -> BOOL {
    addEntry(pAcl, dwAceRevision, AccessControlEntry.deniedType, AccessMask, pSid)
}

@c @implementation
package func HostSecW32_GetAce(
    _ pAcl: UnsafeMutablePointer<ACL>?, _ dwAceIndex: DWORD,
    _ pAce: UnsafeMutablePointer<UnsafeMutableRawPointer?>?
) -> BOOL {
    guard let pAcl, let pAce else { return win32Fail(ERROR_NOACCESS) }
    guard let acl = DescriptorLayout.readAcl(UnsafeRawPointer(pAcl)) else { return win32Fail(ERROR_INVALID_ACL) }
    guard Int(dwAceIndex) < acl.entries.count else { return win32Fail(ERROR_INVALID_PARAMETER) }
    var at = DescriptorLayout.aclHeaderSize
    let raw = UnsafeMutableRawPointer(pAcl)
    for _ in 0..<Int(dwAceIndex) {
        at += Int(raw.loadUnaligned(fromByteOffset: at + DescriptorLayout.aceSize, as: UInt16.self))
    }
    pAce.pointee = raw + at
    return 1
}

@c @implementation
package func HostSecW32_GetAclInformation(
    _ pAcl: UnsafeMutablePointer<ACL>?, _ pAclInformation: UnsafeMutableRawPointer?,
    _ nAclInformationLength: DWORD,
    _ dwAclInformationClass: ACL_INFORMATION_CLASS
) -> BOOL {
    guard let pAcl, let pAclInformation else { return win32Fail(ERROR_NOACCESS) }
    guard let acl = DescriptorLayout.readAcl(UnsafeRawPointer(pAcl)) else { return win32Fail(ERROR_INVALID_ACL) }
    switch dwAclInformationClass.rawValue {
    case AclRevisionInformation.rawValue:
        guard nAclInformationLength >= MemoryLayout<ACL_REVISION_INFORMATION>.size else {
            return win32Fail(ERROR_INSUFFICIENT_BUFFER)
        }
        pAclInformation.storeBytes(
            of: ACL_REVISION_INFORMATION(AclRevision: DWORD(acl.revision)), as: ACL_REVISION_INFORMATION.self)
    case AclSizeInformation.rawValue:
        guard nAclInformationLength >= MemoryLayout<ACL_SIZE_INFORMATION>.size else {
            return win32Fail(ERROR_INSUFFICIENT_BUFFER)
        }
        pAclInformation.storeBytes(
            of: ACL_SIZE_INFORMATION(
                AceCount: DWORD(acl.entries.count), AclBytesInUse: DWORD(acl.used),
                AclBytesFree: DWORD(acl.size - acl.used)), as: ACL_SIZE_INFORMATION.self)
    default:
        return win32Fail(ERROR_INVALID_PARAMETER)
    }
    return 1
}

@c @implementation
package func HostSecW32_MapGenericMask(
    _ AccessMask: UnsafeMutablePointer<DWORD>?,
    _ GenericMapping: UnsafeMutablePointer<GENERIC_MAPPING>?
) {
    guard let AccessMask, let GenericMapping else { return }
    let m = GenericMapping.pointee
    AccessMask.pointee = Win32AccessControl.mapping(m).map(AccessMask.pointee)
}
