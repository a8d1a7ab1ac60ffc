import CHostSec
#if canImport(Glibc)
import Glibc
#endif

// The exported HostSecW32_* functions behind hostsec_win32.h's Windows names. `@c
// @implementation` checks each against its declaration. Argument checks and the mapping to
// Windows' structures here; tokens, handles and credentials are the core's.

// MARK: handles and last error

@c @implementation
package func HostSecW32_GetCurrentProcess() -> HANDLE? { PseudoHandle.currentProcess }

@c @implementation
package func HostSecW32_GetCurrentThread() -> HANDLE? { PseudoHandle.currentThread }

@c @implementation
package func HostSecW32_GetLastError() -> DWORD { hs_w32_last_error() }

@c @implementation
package func HostSecW32_SetLastError(_ dwErrCode: DWORD) { hs_w32_set_last_error(dwErrCode) }

@c @implementation
package func HostSecW32_CloseHandle(_ hObject: HANDLE?) -> BOOL {
    if hObject == PseudoHandle.currentProcess || hObject == PseudoHandle.currentThread { return 1 }
    return win32 { () throws(Win32Failure) in
        try core { () throws(HostSecError) in try HandleTable.shared.close(HostSec.TokenHandle(hObject)) }
    }
}

// MARK: tokens

@c @implementation
package func HostSecW32_OpenProcessToken(
    _ ProcessHandle: HANDLE?, _ DesiredAccess: DWORD,
    _ TokenHandle: UnsafeMutablePointer<HANDLE?>?
) -> BOOL {
    win32(TokenHandle) { () throws(Win32Failure) in
        guard ProcessHandle == PseudoHandle.currentProcess else { throw Win32Failure(Win32Error.invalidHandle) }
        return try core { () throws(HostSecError) in
            try Engine.shared.openProcessToken(desiredAccess: TokenRights(rawValue: DesiredAccess))
        }
    }
}

@c @implementation
package func HostSecW32_OpenThreadToken(
    _ ThreadHandle: HANDLE?, _ DesiredAccess: DWORD, _ OpenAsSelf: BOOL,
    _ TokenHandle: UnsafeMutablePointer<HANDLE?>?
) -> BOOL {
    win32(TokenHandle) { () throws(Win32Failure) in
        guard ThreadHandle == PseudoHandle.currentThread else { throw Win32Failure(Win32Error.invalidHandle) }
        return try core { () throws(HostSecError) in
            try Engine.shared.openThreadToken(
                desiredAccess: TokenRights(rawValue: DesiredAccess), openAsSelf: OpenAsSelf != 0)
        }
    }
}

@c @implementation
package func HostSecW32_ImpersonateSelf(_ ImpersonationLevel: SECURITY_IMPERSONATION_LEVEL) -> BOOL {
    win32 { () throws(Win32Failure) in
        try core { () throws(HostSecError) in
            try Engine.shared.impersonateSelf(level: ImpersonationLevel.rawValue)
        }
    }
}

@c @implementation
package func HostSecW32_RevertToSelf() -> BOOL {
    win32 { () throws(Win32Failure) in try core { () throws(HostSecError) in try Engine.shared.revertToSelf() } }
}

@c @implementation
package func HostSecW32_ImpersonateLoggedOnUser(_ hToken: HANDLE?) -> BOOL {
    win32 { () throws(Win32Failure) in
        try core { () throws(HostSecError) in _ = try Engine.shared.impersonateLoggedOnUser(TokenHandle(hToken)) }
    }
}

@c @implementation
package func HostSecW32_SetThreadToken(_ Thread: UnsafeMutablePointer<HANDLE?>?, _ Token: HANDLE?) -> BOOL {
    win32 { () throws(Win32Failure) in
        if let Thread, Thread.pointee != PseudoHandle.currentThread { throw Win32Failure(Win32Error.invalidHandle) }
        try core { () throws(HostSecError) in try Engine.shared.setThreadToken(Token.map { TokenHandle($0) }) }
    }
}

@c @implementation
package func HostSecW32_DuplicateToken(
    _ ExistingTokenHandle: HANDLE?, _ ImpersonationLevel: SECURITY_IMPERSONATION_LEVEL,
    _ DuplicateTokenHandle: UnsafeMutablePointer<HANDLE?>?
) -> BOOL {
    win32(DuplicateTokenHandle) { () throws(Win32Failure) in
        try core { () throws(HostSecError) in
            try Engine.shared.duplicate(
                TokenHandle(ExistingTokenHandle), desiredAccess: [.impersonate, .query],
                level: ImpersonationLevel.rawValue, type: TokenKind.impersonation.rawValue)
        }
    }
}

@c @implementation
package func HostSecW32_DuplicateTokenEx(
    _ hExistingToken: HANDLE?, _ dwDesiredAccess: DWORD,
    _ lpTokenAttributes: UnsafeMutablePointer<SECURITY_ATTRIBUTES>?,
    _ ImpersonationLevel: SECURITY_IMPERSONATION_LEVEL, _ TokenType: TOKEN_TYPE,
    _ phNewToken: UnsafeMutablePointer<HANDLE?>?
) -> BOOL {
    win32(phNewToken) { () throws(Win32Failure) in
        if let attributes = lpTokenAttributes, attributes.pointee.lpSecurityDescriptor != nil {
            throw Win32Failure(Win32Error.invalidParameter)
        }
        return try core { () throws(HostSecError) in
            try Engine.shared.duplicate(
                TokenHandle(hExistingToken), desiredAccess: TokenRights(rawValue: dwDesiredAccess),
                level: ImpersonationLevel.rawValue, type: TokenType.rawValue)
        }
    }
}

@c @implementation
package func HostSecW32_GetTokenInformation(
    _ TokenHandle: HANDLE?, _ TokenInformationClass: TOKEN_INFORMATION_CLASS,
    _ TokenInformation: UnsafeMutableRawPointer?, _ TokenInformationLength: DWORD,
    _ ReturnLength: UnsafeMutablePointer<DWORD>?
) -> BOOL {
    guard let ReturnLength else { return win32Fail(Win32Error.noAccess) }
    return win32 { () throws(Win32Failure) in
        let (token, rights) = try core { () throws(HostSecError) in
            try Engine.shared.ensureOpen()
            return try HandleTable.shared.lookup(HostSec.TokenHandle(TokenHandle))
        }
        var needed: UInt32 = 0
        defer { ReturnLength.pointee = needed }
        try Win32TokenInformation.query(
            token, rights: rights, infoClass: TokenInformationClass.rawValue,
            buffer: TokenInformation, length: TokenInformationLength, needed: &needed)
    }
}

@c @implementation
package func HostSecW32_LogonUserA(
    _ lpszUsername: UnsafePointer<CChar>?, _ lpszDomain: UnsafePointer<CChar>?,
    _ lpszPassword: UnsafePointer<CChar>?, _ dwLogonType: DWORD, _ dwLogonProvider: DWORD,
    _ phToken: UnsafeMutablePointer<HANDLE?>?
) -> BOOL {
    win32(phToken) { () throws(Win32Failure) in
        guard let lpszUsername, let lpszPassword else { throw Win32Failure(Win32Error.invalidParameter) }
        guard dwLogonType == 2 || dwLogonType == 3, dwLogonProvider == 0 else {
            throw Win32Failure(Win32Error.invalidParameter)
        }
        if let domain = lpszDomain {
            let d = String(cString: domain).lowercased()
            guard d.isEmpty || d == "." || d == "unix user" else { throw Win32Failure(Win32Error.invalidParameter) }
        }
        let primary = try core { () throws(HostSecError) in
            try Engine.shared.logonUser(name: lpszUsername, password: lpszPassword)
        }
        guard dwLogonType == 3 else { return primary }
        // A network logon gives an impersonation token, as Windows' does.
        defer { try? HandleTable.shared.close(primary) }
        return try core { () throws(HostSecError) in
            try Engine.shared.duplicate(
                primary, desiredAccess: TokenRights(), level: ImpersonationLevel.impersonation.rawValue,
                type: TokenKind.impersonation.rawValue)
        }
    }
}

// MARK: SIDs

@c @implementation
package func HostSecW32_IsValidSid(_ pSid: UnsafeMutableRawPointer?) -> BOOL {
    SecurityIdentifier.read(pSid) != nil ? 1 : 0
}

@c @implementation
package func HostSecW32_GetLengthSid(_ pSid: UnsafeMutableRawPointer?) -> DWORD {
    guard let sid = SecurityIdentifier.read(pSid) else {
        hs_w32_set_last_error(Win32Error.invalidSid)
        return 0
    }
    return DWORD(sid.byteCount)
}

@c @implementation
package func HostSecW32_EqualSid(_ pSid1: UnsafeMutableRawPointer?, _ pSid2: UnsafeMutableRawPointer?) -> BOOL {
    guard let a = SecurityIdentifier.read(pSid1), let b = SecurityIdentifier.read(pSid2) else {
        return win32Fail(Win32Error.invalidSid)
    }
    hs_w32_set_last_error(Win32Error.success)
    return a == b ? 1 : 0
}

@c @implementation
package func HostSecW32_CopySid(
    _ nDestinationSidLength: DWORD, _ pDestinationSid: UnsafeMutableRawPointer?,
    _ pSourceSid: UnsafeMutableRawPointer?
) -> BOOL {
    guard let sid = SecurityIdentifier.read(pSourceSid) else { return win32Fail(Win32Error.invalidSid) }
    guard Int(nDestinationSidLength) >= sid.byteCount else { return win32Fail(Win32Error.insufficientBuffer) }
    guard let pDestinationSid else { return win32Fail(Win32Error.noAccess) }
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
    guard let pSid else { return win32Fail(Win32Error.noAccess) }
    pSid.pointee = nil
    guard let pIdentifierAuthority else { return win32Fail(Win32Error.noAccess) }
    guard nSubAuthorityCount <= 8 else { return win32Fail(Win32Error.invalidParameter) }
    var authority: UInt64 = 0
    withUnsafeBytes(of: pIdentifierAuthority.pointee.Value) { for b in $0 { authority = authority << 8 | UInt64(b) } }
    let subs = [
        nSubAuthority0, nSubAuthority1, nSubAuthority2, nSubAuthority3, nSubAuthority4, nSubAuthority5,
        nSubAuthority6, nSubAuthority7,
    ].prefix(Int(nSubAuthorityCount))
    let sid = SecurityIdentifier(authority: authority, subAuthorities: Array(subs))
    guard let block = LocalMemory.allocate(sid.byteCount, .sid) else { return win32Fail(Win32Error.notEnoughMemory) }
    sid.write(to: block)
    pSid.pointee = block
    return 1
}

@c @implementation
package func HostSecW32_FreeSid(_ pSid: UnsafeMutableRawPointer?) -> UnsafeMutableRawPointer? {
    guard let pSid else { return nil }
    if LocalMemory.free(pSid, .sid) { return nil }
    hs_w32_set_last_error(Win32Error.invalidParameter)
    return pSid
}

@c @implementation
package func HostSecW32_GetSidSubAuthority(_ pSid: UnsafeMutableRawPointer?, _ nSubAuthority: DWORD)
    -> UnsafeMutablePointer<DWORD>?
{
    // As on Windows, the index is not checked against the count (IsValidSid and
    // GetSidSubAuthorityCount first); a valid SID is required here.
    guard let pSid, SecurityIdentifier.read(pSid) != nil else {
        hs_w32_set_last_error(Win32Error.invalidSid)
        return nil
    }
    hs_w32_set_last_error(Win32Error.success)
    return (pSid + 8 + 4 * Int(nSubAuthority)).assumingMemoryBound(to: DWORD.self)
}

@c @implementation
package func HostSecW32_GetSidSubAuthorityCount(_ pSid: UnsafeMutableRawPointer?) -> UnsafeMutablePointer<UCHAR>? {
    guard let pSid, SecurityIdentifier.read(pSid) != nil else {
        hs_w32_set_last_error(Win32Error.invalidSid)
        return nil
    }
    hs_w32_set_last_error(Win32Error.success)
    return (pSid + 1).assumingMemoryBound(to: UCHAR.self)
}

@c @implementation
package func HostSecW32_ConvertSidToStringSidA(
    _ Sid: UnsafeMutableRawPointer?,
    _ StringSid: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?
) -> BOOL {
    guard let StringSid else { return win32Fail(Win32Error.invalidParameter) }
    StringSid.pointee = nil
    guard let sid = SecurityIdentifier.read(Sid) else { return win32Fail(Win32Error.invalidSid) }
    let text = Array(sid.string.utf8)
    guard let block = LocalMemory.allocate(text.count + 1, .local) else { return win32Fail(Win32Error.notEnoughMemory) }
    block.copyMemory(from: text, byteCount: text.count)
    StringSid.pointee = block.assumingMemoryBound(to: CChar.self)
    return 1
}

@c @implementation
package func HostSecW32_ConvertStringSidToSidA(
    _ StringSid: UnsafePointer<CChar>?,
    _ Sid: UnsafeMutablePointer<UnsafeMutableRawPointer?>?
) -> BOOL {
    guard let Sid else { return win32Fail(Win32Error.invalidParameter) }
    Sid.pointee = nil
    guard let StringSid else { return win32Fail(Win32Error.invalidParameter) }
    let text = Array(UnsafeRawBufferPointer(start: StringSid, count: strlen(StringSid)))
    guard let sid = SecurityIdentifier.parse(text) else { return win32Fail(Win32Error.invalidSid) }
    guard let block = LocalMemory.allocate(sid.byteCount, .local) else { return win32Fail(Win32Error.notEnoughMemory) }
    sid.write(to: block)
    Sid.pointee = block
    return 1
}

@c @implementation
package func HostSecW32_LocalFree(_ hMem: HANDLE?) -> HANDLE? {
    guard let hMem else { return nil }
    if LocalMemory.free(hMem, .local) { return nil }
    hs_w32_set_last_error(Win32Error.invalidHandle)
    return hMem
}

/// Only the local system: lpSystemName NULL or "".
private func isLocal(_ system: UnsafePointer<CChar>?) -> Bool { system == nil || system![0] == 0 }

/// Windows' two-buffer size protocol: each count in characters; when either buffer is too
/// small (NULL counts as 0) both counts receive the size needed with the NUL and nothing is
/// written; on success they receive the length without it.
private func copyOut(
    _ values: [[UInt8]], _ buffers: [UnsafeMutablePointer<CChar>?],
    _ counts: [UnsafeMutablePointer<DWORD>]
) -> UInt32? {
    var fits = true
    for (i, v) in values.enumerated() where buffers[i] == nil || Int(counts[i].pointee) < v.count + 1 { fits = false }
    if !fits {
        for (i, v) in values.enumerated() { counts[i].pointee = DWORD(v.count + 1) }
        return Win32Error.insufficientBuffer
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
    guard isLocal(lpSystemName) else { return win32Fail(Win32Error.invalidParameter) }
    guard let cchName, let cchReferencedDomainName, let peUse else { return win32Fail(Win32Error.noAccess) }
    guard let sid = SecurityIdentifier.read(Sid) else { return win32Fail(Win32Error.invalidSid) }
    guard let account = AccountOfSid.lookup(sid) else { return win32Fail(Win32Error.noneMapped) }
    if let error = copyOut(
        [account.name, account.domain], [Name, ReferencedDomainName],
        [cchName, cchReferencedDomainName])
    {
        return win32Fail(error)
    }
    peUse.pointee = SID_NAME_USE(rawValue: UInt32(account.use))
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
    guard isLocal(lpSystemName) else { return win32Fail(Win32Error.invalidParameter) }
    guard let lpAccountName, let cbSid, let cchReferencedDomainName, let peUse else {
        return win32Fail(Win32Error.noAccess)
    }
    let name = Array(UnsafeRawBufferPointer(start: lpAccountName, count: strlen(lpAccountName)))
    guard let (sid, account) = AccountOfSid.lookup(name: name) else { return win32Fail(Win32Error.noneMapped) }
    let sidFits = Sid != nil && Int(cbSid.pointee) >= sid.byteCount
    let domainFits = ReferencedDomainName != nil && Int(cchReferencedDomainName.pointee) >= account.domain.count + 1
    guard sidFits && domainFits else {
        cbSid.pointee = DWORD(sid.byteCount)
        cchReferencedDomainName.pointee = DWORD(account.domain.count + 1)
        return win32Fail(Win32Error.insufficientBuffer)
    }
    sid.write(to: Sid!)
    cbSid.pointee = DWORD(sid.byteCount)
    _ = copyOut([account.domain], [ReferencedDomainName], [cchReferencedDomainName])
    peUse.pointee = SID_NAME_USE(rawValue: UInt32(account.use))
    return 1
}

@c @implementation
package func HostSecW32_CheckTokenMembership(
    _ TokenHandle: HANDLE?, _ SidToCheck: UnsafeMutableRawPointer?,
    _ IsMember: UnsafeMutablePointer<BOOL>?
) -> BOOL {
    guard let IsMember else { return win32Fail(Win32Error.noAccess) }
    IsMember.pointee = 0
    return win32 { () throws(Win32Failure) in
        guard let sid = SecurityIdentifier.read(SidToCheck) else { throw Win32Failure(Win32Error.invalidSid) }
        let subject: AccessSubject
        if let TokenHandle {
            let (token, rights) = try core { () throws(HostSecError) in
                try HandleTable.shared.lookup(HostSec.TokenHandle(TokenHandle))
            }
            if token.kind != .impersonation { throw Win32Failure(Win32Error.noImpersonationToken) }
            if !rights.contains(.query) { throw Win32Failure(Win32Error.accessDenied) }
            if token.level < .identification { throw Win32Failure(Win32Error.badImpersonationLevel) }
            subject = token.subject
        } else {
            // The thread's impersonation token, or the process token when it has none.
            subject = try core { () throws(HostSecError) in
                let state = try Engine.shared.threadState()
                return (state.token ?? Engine.shared.selfToken(state)).subject
            }
        }
        IsMember.pointee = Win32TokenInformation.isMember(subject, sid) ? 1 : 0
    }
}

// MARK: privileges

@c @implementation
package func HostSecW32_LookupPrivilegeValueA(
    _ lpSystemName: UnsafePointer<CChar>?, _ lpName: UnsafePointer<CChar>?,
    _ lpLuid: UnsafeMutablePointer<LUID>?
) -> BOOL {
    guard isLocal(lpSystemName) else { return win32Fail(Win32Error.invalidParameter) }
    guard let lpName, let lpLuid else { return win32Fail(Win32Error.noAccess) }
    let name = Array(UnsafeRawBufferPointer(start: lpName, count: strlen(lpName)))
    guard let privilege = Privilege.byName(name) else { return win32Fail(Win32Error.noSuchPrivilege) }
    lpLuid.pointee = LUID(LowPart: privilege.luid, HighPart: 0)
    return 1
}

@c @implementation
package func HostSecW32_LookupPrivilegeNameA(
    _ lpSystemName: UnsafePointer<CChar>?, _ lpLuid: UnsafeMutablePointer<LUID>?,
    _ lpName: UnsafeMutablePointer<CChar>?, _ cchName: UnsafeMutablePointer<DWORD>?
) -> BOOL {
    guard isLocal(lpSystemName) else { return win32Fail(Win32Error.invalidParameter) }
    guard let lpLuid, let cchName else { return win32Fail(Win32Error.noAccess) }
    guard let privilege = Privilege.byLuid(low: lpLuid.pointee.LowPart, high: lpLuid.pointee.HighPart) else {
        return win32Fail(Win32Error.noSuchPrivilege)
    }
    if let error = copyOut([Array(privilege.name.utf8)], [lpName], [cchName]) { return win32Fail(error) }
    return 1
}

@c @implementation
package func HostSecW32_LookupPrivilegeDisplayNameA(
    _ lpSystemName: UnsafePointer<CChar>?, _ lpName: UnsafePointer<CChar>?,
    _ lpDisplayName: UnsafeMutablePointer<CChar>?,
    _ cchDisplayName: UnsafeMutablePointer<DWORD>?,
    _ lpLanguageId: UnsafeMutablePointer<DWORD>?
) -> BOOL {
    guard isLocal(lpSystemName) else { return win32Fail(Win32Error.invalidParameter) }
    guard let lpName, let cchDisplayName, let lpLanguageId else { return win32Fail(Win32Error.noAccess) }
    let name = Array(UnsafeRawBufferPointer(start: lpName, count: strlen(lpName)))
    guard let privilege = Privilege.byName(name) else { return win32Fail(Win32Error.noSuchPrivilege) }
    if let error = copyOut([Array(privilege.displayName.utf8)], [lpDisplayName], [cchDisplayName]) {
        return win32Fail(error)
    }
    lpLanguageId.pointee = 0x0409  // en-US
    return 1
}

@c @implementation
package func HostSecW32_AdjustTokenPrivileges(
    _ TokenHandle: HANDLE?, _ DisableAllPrivileges: BOOL,
    _ NewState: UnsafeMutablePointer<TOKEN_PRIVILEGES>?, _ BufferLength: DWORD,
    _ PreviousState: UnsafeMutablePointer<TOKEN_PRIVILEGES>?,
    _ ReturnLength: UnsafeMutablePointer<DWORD>?
) -> BOOL {
    var notAll = false
    let ok = win32 { () throws(Win32Failure) in
        let (token, rights) = try core { () throws(HostSecError) in
            try Engine.shared.ensureOpen()
            return try HandleTable.shared.lookup(HostSec.TokenHandle(TokenHandle))
        }
        if !rights.contains(.adjustPrivileges) { throw Win32Failure(Win32Error.accessDenied) }
        let identity = token.currentIdentity
        // What is asked: capabilities to enable, disable, remove.
        var enable: UInt64 = 0, disable: UInt64 = 0, remove: UInt64 = 0
        var touched: [Privilege] = []
        if DisableAllPrivileges != 0 {
            disable = identity.capPermitted
            touched = Privilege.held(by: identity, made: token.identity).filter {
                $0.enabled && $0.privilege.capabilities != 0
            }.map(\.privilege)
        } else {
            guard let NewState else { throw Win32Failure(Win32Error.invalidParameter) }
            let raw = UnsafeMutableRawPointer(NewState)
            let count = Int(raw.load(as: UInt32.self))
            for i in 0..<count {
                let low = raw.loadUnaligned(fromByteOffset: 4 + 12 * i, as: UInt32.self)
                let high = raw.loadUnaligned(fromByteOffset: 8 + 12 * i, as: Int32.self)
                let attributes = raw.loadUnaligned(fromByteOffset: 12 + 12 * i, as: UInt32.self)
                guard let privilege = Privilege.byLuid(low: low, high: high) else { notAll = true; continue }
                if privilege.luid == Privilege.changeNotifyLuid { continue }  // always held and enabled
                let held = privilege.capabilities & identity.capPermitted
                if held == 0 { notAll = true; continue }
                if attributes & 0x4 != 0 {
                    remove |= held
                } else if attributes & 0x2 != 0 {
                    enable |= held
                } else {
                    disable |= held
                }
                touched.append(privilege)
            }
        }
        // PreviousState: the earlier state of each privilege the call changes.
        let wasEnabled = { (p: Privilege) -> Bool in
            let held = p.capabilities & identity.capPermitted
            return held & ~identity.capEffective == 0
        }
        let after = ((identity.capEffective & ~(disable | remove)) | enable) & (identity.capPermitted & ~remove)
        let changed = touched.filter { p in
            let held = p.capabilities & identity.capPermitted
            let nowOn = held & ~after == 0 && held & ~(identity.capPermitted & ~remove) == 0
            return nowOn != wasEnabled(p) || p.capabilities & remove != 0
        }
        if let PreviousState {
            guard let ReturnLength else { throw Win32Failure(Win32Error.noAccess) }
            let needed = 4 + 12 * max(changed.count, 1)
            ReturnLength.pointee = DWORD(needed)
            guard Int(BufferLength) >= needed else { throw Win32Failure(Win32Error.insufficientBuffer) }
            let byDefault = Privilege.held(by: token.identity, made: token.identity)
            Win32TokenInformation.writePrivileges(
                changed.map { p in
                    let d = byDefault.contains { $0.privilege.luid == p.luid && $0.enabledByDefault }
                    return (p.luid, (wasEnabled(p) ? 2 : 0) | (d ? 1 : 0))
                }, to: UnsafeMutableRawPointer(PreviousState))
        }
        _ = try core { () throws(HostSecError) in
            try Engine.shared.adjustCapabilities(
                HostSec.TokenHandle(TokenHandle), enable: enable, disable: disable, remove: remove)
        }
    }
    if ok != 0 { hs_w32_set_last_error(notAll ? Win32Error.notAllAssigned : Win32Error.success) }
    return ok
}

@c @implementation
package func HostSecW32_PrivilegeCheck(
    _ ClientToken: HANDLE?, _ RequiredPrivileges: UnsafeMutablePointer<PRIVILEGE_SET>?,
    _ pfResult: UnsafeMutablePointer<BOOL>?
) -> BOOL {
    guard let RequiredPrivileges, let pfResult else { return win32Fail(Win32Error.noAccess) }
    return win32 { () throws(Win32Failure) in
        let (token, rights) = try core { () throws(HostSecError) in
            try Engine.shared.ensureOpen()
            return try HandleTable.shared.lookup(TokenHandle(ClientToken))
        }
        if token.kind != .impersonation { throw Win32Failure(Win32Error.noImpersonationToken) }
        if !rights.contains(.query) { throw Win32Failure(Win32Error.accessDenied) }
        if token.level < .identification { throw Win32Failure(Win32Error.badImpersonationLevel) }
        let states = Privilege.held(by: token.currentIdentity, made: token.identity)
        let raw = UnsafeMutableRawPointer(RequiredPrivileges)
        let count = Int(raw.load(as: UInt32.self))
        let all = raw.load(fromByteOffset: 4, as: UInt32.self) & 1 != 0
        var enabledCount = 0
        for i in 0..<count {
            let low = raw.loadUnaligned(fromByteOffset: 8 + 12 * i, as: UInt32.self)
            let high = raw.loadUnaligned(fromByteOffset: 12 + 12 * i, as: Int32.self)
            var attributes = raw.loadUnaligned(fromByteOffset: 16 + 12 * i, as: UInt32.self)
            let on = high == 0 && states.contains { $0.privilege.luid == low && $0.enabled }
            if on {
                enabledCount += 1
                attributes |= 0x8000_0000
            } else {
                attributes &= ~0x8000_0000
            }
            raw.storeBytes(of: attributes, toByteOffset: 16 + 12 * i, as: UInt32.self)
        }
        pfResult.pointee = (all ? enabledCount == count : enabledCount > 0) ? 1 : 0
    }
}
