import CHostSec
#if canImport(Glibc)
import Glibc
#endif

// Security descriptors, ACLs, SDDL, AccessCheck, token object security and restricted tokens
// with Windows' names. The descriptor layouts are DescriptorLayout's, the decisions the
// core's AccessCheck (the same one that protects token objects).

// MARK: descriptors

@c @implementation
package func HostSecW32_InitializeSecurityDescriptor(
    _ pSecurityDescriptor: UnsafeMutableRawPointer?, _ dwRevision: DWORD
) -> BOOL {
    guard let pSecurityDescriptor else { return win32Fail(Win32Error.noAccess) }
    guard dwRevision == 1 else { return win32Fail(Win32Error.unknownRevision) }
    pSecurityDescriptor.initializeMemory(as: UInt8.self, repeating: 0, count: DescriptorLayout.absoluteSize)
    pSecurityDescriptor.storeBytes(of: 1, as: UInt8.self)
    return 1
}

@c @implementation
package func HostSecW32_IsValidSecurityDescriptor(_ pSecurityDescriptor: UnsafeMutableRawPointer?) -> BOOL {
    do throws(DescriptorLayout.ReadFailure) {
        _ = try DescriptorLayout.read(pSecurityDescriptor)
        return 1
    } catch {
        return win32Fail(error == .revision ? Win32Error.unknownRevision : Win32Error.invalidSecurityDescr)
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
    if RequiredInformation & 1 != 0 && sd.owner == nil { return 0 }
    if RequiredInformation & 2 != 0 && sd.group == nil { return 0 }
    if RequiredInformation & 4 != 0 && sd.control & SecurityDescriptor.daclPresent == 0 { return 0 }
    if RequiredInformation & 8 != 0 && sd.control & SecurityDescriptor.saclPresent == 0 { return 0 }
    return 1
}

@c @implementation
package func HostSecW32_GetSecurityDescriptorLength(_ pSecurityDescriptor: UnsafeMutableRawPointer?) -> DWORD {
    guard let pSecurityDescriptor, let sd = try? DescriptorLayout.read(pSecurityDescriptor) else {
        hs_w32_set_last_error(Win32Error.invalidSecurityDescr)
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
    guard let pSecurityDescriptor, let pControl, let lpdwRevision else { return win32Fail(Win32Error.noAccess) }
    lpdwRevision.pointee = DWORD(pSecurityDescriptor.load(as: UInt8.self))
    guard lpdwRevision.pointee == 1 else { return win32Fail(Win32Error.unknownRevision) }
    pControl.pointee = DescriptorLayout.control(pSecurityDescriptor)
    return 1
}

/// The absolute descriptor a Set function may change, or the error.
private func absolute(_ p: UnsafeMutableRawPointer?) -> (UnsafeMutableRawPointer?, UInt32) {
    guard let p else { return (nil, Win32Error.noAccess) }
    guard p.load(as: UInt8.self) == 1 else { return (nil, Win32Error.unknownRevision) }
    guard !DescriptorLayout.isSelfRelative(p) else { return (nil, Win32Error.invalidSecurityDescr) }
    return (p, 0)
}

private func setControl(_ p: UnsafeMutableRawPointer, _ bits: UInt16, _ on: Bool) {
    var control = DescriptorLayout.control(p)
    if on { control |= bits } else { control &= ~bits }
    p.storeBytes(of: control, toByteOffset: 2, as: UInt16.self)
}

private func setSidPart(
    _ sd: UnsafeMutableRawPointer?, _ sid: UnsafeMutableRawPointer?, _ defaulted: BOOL,
    offset: Int, flag: UInt16
) -> BOOL {
    let (p, error) = absolute(sd)
    guard let p else { return win32Fail(error) }
    if let sid, SecurityIdentifier.read(sid) == nil { return win32Fail(Win32Error.invalidSid) }
    p.storeBytes(of: sid, toByteOffset: offset, as: UnsafeMutableRawPointer?.self)
    setControl(p, flag, defaulted != 0)
    return 1
}

private func getSidPart(
    _ sd: UnsafeMutableRawPointer?, _ out: UnsafeMutablePointer<UnsafeMutableRawPointer?>?,
    _ defaulted: UnsafeMutablePointer<BOOL>?, owner: Bool
) -> BOOL {
    guard let sd, let out, let defaulted else { return win32Fail(Win32Error.noAccess) }
    guard let parts = DescriptorLayout.locate(sd) else { return win32Fail(Win32Error.unknownRevision) }
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
    setSidPart(pSecurityDescriptor, pOwner, bOwnerDefaulted, offset: 8, flag: SecurityDescriptor.ownerDefaulted)
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
    setSidPart(pSecurityDescriptor, pGroup, bGroupDefaulted, offset: 16, flag: SecurityDescriptor.groupDefaulted)
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
        p.storeBytes(of: nil, toByteOffset: 32, as: UnsafeMutableRawPointer?.self)
        setControl(p, SecurityDescriptor.daclPresent | SecurityDescriptor.daclDefaulted, false)
        return 1
    }
    if let pDacl, DescriptorLayout.readAcl(UnsafeRawPointer(pDacl)) == nil { return win32Fail(Win32Error.invalidAcl) }
    p.storeBytes(of: UnsafeMutableRawPointer(pDacl), toByteOffset: 32, as: UnsafeMutableRawPointer?.self)
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
        return win32Fail(Win32Error.noAccess)
    }
    guard let parts = DescriptorLayout.locate(pSecurityDescriptor) else { return win32Fail(Win32Error.unknownRevision) }
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
    guard let pAbsoluteSecurityDescriptor, let lpdwBufferLength else { return win32Fail(Win32Error.noAccess) }
    if pAbsoluteSecurityDescriptor.load(as: UInt8.self) == 1
        && DescriptorLayout.isSelfRelative(pAbsoluteSecurityDescriptor)
    {
        return win32Fail(Win32Error.badDescriptorFormat)
    }
    let sd: SecurityDescriptor
    do throws(DescriptorLayout.ReadFailure) { sd = try DescriptorLayout.read(pAbsoluteSecurityDescriptor) } catch {
        return win32Fail(error == .revision ? Win32Error.unknownRevision : Win32Error.invalidSecurityDescr)
    }
    let bytes = DescriptorLayout.relativeBytes(sd)
    guard Int(lpdwBufferLength.pointee) >= bytes.count, let out = pSelfRelativeSecurityDescriptor else {
        lpdwBufferLength.pointee = DWORD(bytes.count)
        return win32Fail(Win32Error.insufficientBuffer)
    }
    out.copyMemory(from: bytes, byteCount: bytes.count)
    return 1
}

// MARK: ACLs

@c @implementation
package func HostSecW32_InitializeAcl(_ pAcl: UnsafeMutablePointer<ACL>?, _ nAclLength: DWORD, _ dwAclRevision: DWORD)
    -> BOOL
{
    guard let pAcl else { return win32Fail(Win32Error.noAccess) }
    guard nAclLength >= 8 else { return win32Fail(Win32Error.insufficientBuffer) }
    guard (2...4).contains(dwAclRevision), nAclLength <= 0xFFFF, nAclLength % 4 == 0 else {
        return win32Fail(Win32Error.invalidParameter)
    }
    pAcl.pointee = ACL(AclRevision: BYTE(dwAclRevision), Sbz1: 0, AclSize: WORD(nAclLength), AceCount: 0, Sbz2: 0)
    return 1
}

@c @implementation
package func HostSecW32_IsValidAcl(_ pAcl: UnsafeMutablePointer<ACL>?) -> BOOL {
    DescriptorLayout.readAcl(UnsafeRawPointer(pAcl)) != nil ? 1 : win32Fail(Win32Error.invalidAcl)
}

private func addEntry(
    _ pAcl: UnsafeMutablePointer<ACL>?, _ revision: DWORD, _ type: UInt8, _ mask: DWORD,
    _ pSid: UnsafeMutableRawPointer?
) -> BOOL {
    guard let pAcl else { return win32Fail(Win32Error.noAccess) }
    guard (2...4).contains(revision) else { return win32Fail(Win32Error.revisionMismatch) }
    guard let acl = DescriptorLayout.readAcl(UnsafeRawPointer(pAcl)) else { return win32Fail(Win32Error.invalidAcl) }
    guard let sid = SecurityIdentifier.read(pSid) else { return win32Fail(Win32Error.invalidSid) }
    let entry = AccessControlEntry(type: type, mask: mask, sid: sid)
    guard acl.used + entry.byteCount <= acl.size, acl.entries.count < 0xFFFF else {
        return win32Fail(Win32Error.allottedSpaceExceeded)
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
    guard let pAcl, let pAce else { return win32Fail(Win32Error.noAccess) }
    guard let acl = DescriptorLayout.readAcl(UnsafeRawPointer(pAcl)) else { return win32Fail(Win32Error.invalidAcl) }
    guard Int(dwAceIndex) < acl.entries.count else { return win32Fail(Win32Error.invalidParameter) }
    var at = DescriptorLayout.aclHeaderSize
    let raw = UnsafeMutableRawPointer(pAcl)
    for _ in 0..<Int(dwAceIndex) { at += Int(raw.loadUnaligned(fromByteOffset: at + 2, as: UInt16.self)) }
    pAce.pointee = raw + at
    return 1
}

@c @implementation
package func HostSecW32_GetAclInformation(
    _ pAcl: UnsafeMutablePointer<ACL>?, _ pAclInformation: UnsafeMutableRawPointer?,
    _ nAclInformationLength: DWORD,
    _ dwAclInformationClass: ACL_INFORMATION_CLASS
) -> BOOL {
    guard let pAcl, let pAclInformation else { return win32Fail(Win32Error.noAccess) }
    guard let acl = DescriptorLayout.readAcl(UnsafeRawPointer(pAcl)) else { return win32Fail(Win32Error.invalidAcl) }
    switch dwAclInformationClass.rawValue {
    case 1:
        guard nAclInformationLength >= 4 else { return win32Fail(Win32Error.insufficientBuffer) }
        pAclInformation.storeBytes(of: UInt32(acl.revision), as: UInt32.self)
    case 2:
        guard nAclInformationLength >= 12 else { return win32Fail(Win32Error.insufficientBuffer) }
        pAclInformation.storeBytes(of: UInt32(acl.entries.count), as: UInt32.self)
        pAclInformation.storeBytes(of: UInt32(acl.used), toByteOffset: 4, as: UInt32.self)
        pAclInformation.storeBytes(of: UInt32(acl.size - acl.used), toByteOffset: 8, as: UInt32.self)
    default:
        return win32Fail(Win32Error.invalidParameter)
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

// MARK: SDDL

@c @implementation
package func HostSecW32_ConvertStringSecurityDescriptorToSecurityDescriptorA(
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
package func HostSecW32_ConvertSecurityDescriptorToStringSecurityDescriptorA(
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

// MARK: AccessCheck

enum Win32AccessControl {
    static func mapping(_ m: GENERIC_MAPPING) -> GenericMapping {
        GenericMapping(read: m.GenericRead, write: m.GenericWrite, execute: m.GenericExecute, all: m.GenericAll)
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

// MARK: token object security

@c @implementation
package func HostSecW32_GetKernelObjectSecurity(
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
package func HostSecW32_SetKernelObjectSecurity(
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

// MARK: restricted tokens

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
package func HostSecW32_IsTokenRestricted(_ TokenHandle: HANDLE?) -> BOOL {
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
