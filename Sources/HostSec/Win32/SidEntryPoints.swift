import CHostSec
#if canImport(Glibc)
import Glibc
#endif

// SIDs, their strings, account names and CheckTokenMembership, with Windows' names.

@c @implementation
package func HostSecW32_IsValidSid(_ pSid: UnsafeMutableRawPointer?) -> BOOL {
    SecurityIdentifier.read(pSid) != nil ? 1 : 0
}

@c @implementation
package func HostSecW32_GetLengthSid(_ pSid: UnsafeMutableRawPointer?) -> DWORD {
    guard let sid = SecurityIdentifier.read(pSid) else {
        setLastError(ERROR_INVALID_SID)
        return 0
    }
    return DWORD(sid.byteCount)
}

@c @implementation
package func HostSecW32_EqualSid(_ pSid1: UnsafeMutableRawPointer?, _ pSid2: UnsafeMutableRawPointer?) -> BOOL {
    guard let a = SecurityIdentifier.read(pSid1), let b = SecurityIdentifier.read(pSid2) else {
        return win32Fail(ERROR_INVALID_SID)
    }
    setLastError(ERROR_SUCCESS)
    return a == b ? 1 : 0
}

@c @implementation
package func HostSecW32_CopySid(
    _ nDestinationSidLength: DWORD, _ pDestinationSid: UnsafeMutableRawPointer?,
    _ pSourceSid: UnsafeMutableRawPointer?
) -> BOOL {
    guard let sid = SecurityIdentifier.read(pSourceSid) else { return win32Fail(ERROR_INVALID_SID) }
    guard Int(nDestinationSidLength) >= sid.byteCount else { return win32Fail(ERROR_INSUFFICIENT_BUFFER) }
    guard let pDestinationSid else { return win32Fail(ERROR_NOACCESS) }
    sid.write(to: pDestinationSid)
    return 1
}

@c @implementation
package func HostSecW32_AllocateAndInitializeSid(
    _ pIdentifierAuthority: UnsafeMutablePointer<SID_IDENTIFIER_AUTHORITY>?,
    _ nSubAuthorityCount: BYTE, _ nSubAuthority0: DWORD, _ nSubAuthority1: DWORD,
    _ nSubAuthority2: DWORD, _ nSubAuthority3: DWORD, _ nSubAuthority4: DWORD,
    _ nSubAuthority5: DWORD, _ nSubAuthority6: DWORD, _ nSubAuthority7: DWORD,
    _ pSid: UnsafeMutablePointer<UnsafeMutableRawPointer?>?
) -> BOOL {
    guard let pSid else { return win32Fail(ERROR_NOACCESS) }
    pSid.pointee = nil
    guard let pIdentifierAuthority else { return win32Fail(ERROR_NOACCESS) }
    guard nSubAuthorityCount <= 8 else { return win32Fail(ERROR_INVALID_PARAMETER) }
    var authority: UInt64 = 0
    withUnsafeBytes(of: pIdentifierAuthority.pointee.Value) { for b in $0 { authority = authority << 8 | UInt64(b) } }
    let subs = [
        nSubAuthority0, nSubAuthority1, nSubAuthority2, nSubAuthority3, nSubAuthority4, nSubAuthority5,
        nSubAuthority6, nSubAuthority7,
    ].prefix(Int(nSubAuthorityCount))
    let sid = SecurityIdentifier(authority: authority, subAuthorities: Array(subs))
    guard let block = LocalMemory.allocate(sid.byteCount, .sid) else { return win32Fail(ERROR_NOT_ENOUGH_MEMORY) }
    sid.write(to: block)
    pSid.pointee = block
    return 1
}

@c @implementation
package func HostSecW32_FreeSid(_ pSid: UnsafeMutableRawPointer?) -> UnsafeMutableRawPointer? {
    guard let pSid else { return nil }
    if LocalMemory.free(pSid, .sid) { return nil }
    setLastError(ERROR_INVALID_PARAMETER)
    return pSid
}

@c @implementation
package func HostSecW32_GetSidSubAuthority(_ pSid: UnsafeMutableRawPointer?, _ nSubAuthority: DWORD)
    -> UnsafeMutablePointer<DWORD>?
{
    // As on Windows, the index is not checked against the count (IsValidSid and
    // GetSidSubAuthorityCount first); a valid SID is required here.
    guard let pSid, SecurityIdentifier.read(pSid) != nil else {
        setLastError(ERROR_INVALID_SID)
        return nil
    }
    setLastError(ERROR_SUCCESS)
    let array = MemoryLayout<SID>.offset(of: \SID.SubAuthority)!
    return (pSid + array + MemoryLayout<DWORD>.stride * Int(nSubAuthority)).assumingMemoryBound(to: DWORD.self)
}

@c @implementation
package func HostSecW32_GetSidSubAuthorityCount(_ pSid: UnsafeMutableRawPointer?) -> UnsafeMutablePointer<UCHAR>? {
    guard let pSid, SecurityIdentifier.read(pSid) != nil else {
        setLastError(ERROR_INVALID_SID)
        return nil
    }
    setLastError(ERROR_SUCCESS)
    return (pSid + MemoryLayout<SID>.offset(of: \SID.SubAuthorityCount)!).assumingMemoryBound(to: UCHAR.self)
}

@c @implementation
package func HostSecW32_ConvertSidToStringSidA(
    _ Sid: UnsafeMutableRawPointer?,
    _ StringSid: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?
) -> BOOL {
    guard let StringSid else { return win32Fail(ERROR_INVALID_PARAMETER) }
    StringSid.pointee = nil
    guard let sid = SecurityIdentifier.read(Sid) else { return win32Fail(ERROR_INVALID_SID) }
    let text = Array(sid.string.utf8)
    guard let block = LocalMemory.allocate(text.count + 1, .local) else { return win32Fail(ERROR_NOT_ENOUGH_MEMORY) }
    block.copyMemory(from: text, byteCount: text.count)
    StringSid.pointee = block.assumingMemoryBound(to: CChar.self)
    return 1
}

@c @implementation
package func HostSecW32_ConvertStringSidToSidA(
    _ StringSid: UnsafePointer<CChar>?,
    _ Sid: UnsafeMutablePointer<UnsafeMutableRawPointer?>?
) -> BOOL {
    guard let Sid else { return win32Fail(ERROR_INVALID_PARAMETER) }
    Sid.pointee = nil
    guard let StringSid else { return win32Fail(ERROR_INVALID_PARAMETER) }
    let text = Array(UnsafeRawBufferPointer(start: StringSid, count: strlen(StringSid)))
    guard let sid = SecurityIdentifier.parse(text) else { return win32Fail(ERROR_INVALID_SID) }
    guard let block = LocalMemory.allocate(sid.byteCount, .local) else { return win32Fail(ERROR_NOT_ENOUGH_MEMORY) }
    sid.write(to: block)
    Sid.pointee = block
    return 1
}

@c @implementation
package func HostSecW32_LocalFree(_ hMem: HANDLE?) -> HANDLE? {
    guard let hMem else { return nil }
    if LocalMemory.free(hMem, .local) { return nil }
    setLastError(ERROR_INVALID_HANDLE)
    return hMem
}

/// Only the local system: lpSystemName NULL or "".
func isLocal(_ system: UnsafePointer<CChar>?) -> Bool { system == nil || system![0] == 0 }

/// Windows' two-buffer size protocol: each count in characters; when either buffer is too
/// small (NULL counts as 0) both counts receive the size needed with the NUL and nothing is
/// written; on success they receive the length without it.
func copyOut(
    _ values: [[UInt8]], _ buffers: [UnsafeMutablePointer<CChar>?],
    _ counts: [UnsafeMutablePointer<DWORD>]
) -> Int? {
    var fits = true
    for (i, v) in values.enumerated() where buffers[i] == nil || Int(counts[i].pointee) < v.count + 1 { fits = false }
    if !fits {
        for (i, v) in values.enumerated() { counts[i].pointee = DWORD(v.count + 1) }
        return ERROR_INSUFFICIENT_BUFFER
    }
    for (i, v) in values.enumerated() {
        let out = buffers[i]!
        for (j, b) in v.enumerated() { out[j] = CChar(bitPattern: b) }
        out[v.count] = 0
        counts[i].pointee = DWORD(v.count)
    }
    return nil
}

@c @implementation
package func HostSecW32_LookupAccountSidA(
    _ lpSystemName: UnsafePointer<CChar>?, _ Sid: UnsafeMutableRawPointer?,
    _ Name: UnsafeMutablePointer<CChar>?, _ cchName: UnsafeMutablePointer<DWORD>?,
    _ ReferencedDomainName: UnsafeMutablePointer<CChar>?,
    _ cchReferencedDomainName: UnsafeMutablePointer<DWORD>?,
    _ peUse: UnsafeMutablePointer<SID_NAME_USE>?
) -> BOOL {
    guard isLocal(lpSystemName) else { return win32Fail(ERROR_INVALID_PARAMETER) }
    guard let cchName, let cchReferencedDomainName, let peUse else { return win32Fail(ERROR_NOACCESS) }
    guard let sid = SecurityIdentifier.read(Sid) else { return win32Fail(ERROR_INVALID_SID) }
    guard let account = AccountOfSid.lookup(sid) else { return win32Fail(ERROR_NONE_MAPPED) }
    if let error = copyOut(
        [account.name, account.domain], [Name, ReferencedDomainName],
        [cchName, cchReferencedDomainName])
    {
        return win32Fail(error)
    }
    peUse.pointee = account.use
    return 1
}

@c @implementation
package func HostSecW32_LookupAccountNameA(
    _ lpSystemName: UnsafePointer<CChar>?, _ lpAccountName: UnsafePointer<CChar>?,
    _ Sid: UnsafeMutableRawPointer?, _ cbSid: UnsafeMutablePointer<DWORD>?,
    _ ReferencedDomainName: UnsafeMutablePointer<CChar>?,
    _ cchReferencedDomainName: UnsafeMutablePointer<DWORD>?,
    _ peUse: UnsafeMutablePointer<SID_NAME_USE>?
) -> BOOL {
    guard isLocal(lpSystemName) else { return win32Fail(ERROR_INVALID_PARAMETER) }
    guard let lpAccountName, let cbSid, let cchReferencedDomainName, let peUse else {
        return win32Fail(ERROR_NOACCESS)
    }
    let name = Array(UnsafeRawBufferPointer(start: lpAccountName, count: strlen(lpAccountName)))
    guard let (sid, account) = AccountOfSid.lookup(name: name) else { return win32Fail(ERROR_NONE_MAPPED) }
    let sidFits = Sid != nil && Int(cbSid.pointee) >= sid.byteCount
    let domainFits = ReferencedDomainName != nil && Int(cchReferencedDomainName.pointee) >= account.domain.count + 1
    guard sidFits && domainFits else {
        cbSid.pointee = DWORD(sid.byteCount)
        cchReferencedDomainName.pointee = DWORD(account.domain.count + 1)
        return win32Fail(ERROR_INSUFFICIENT_BUFFER)
    }
    sid.write(to: Sid!)
    cbSid.pointee = DWORD(sid.byteCount)
    _ = copyOut([account.domain], [ReferencedDomainName], [cchReferencedDomainName])
    peUse.pointee = account.use
    return 1
}

@c @implementation
package func HostSecW32_CheckTokenMembership(
    _ TokenHandle: HANDLE?, _ SidToCheck: UnsafeMutableRawPointer?,
    _ IsMember: UnsafeMutablePointer<BOOL>?
) -> BOOL {
    guard let IsMember else { return win32Fail(ERROR_NOACCESS) }
    IsMember.pointee = 0
    return win32 { () throws(Win32Failure) in
        guard let sid = SecurityIdentifier.read(SidToCheck) else { throw Win32Failure(ERROR_INVALID_SID) }
        let member = try core { () throws(HostSecError) in
            try Engine.shared.isMember(sid, of: TokenHandle.map { HostSec.TokenHandle($0) })
        }
        IsMember.pointee = member ? 1 : 0
    }
}
