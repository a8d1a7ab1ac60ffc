import CHostSec
#if canImport(Glibc)
import Glibc
#endif

// Privilege names and LUIDs, AdjustTokenPrivileges and PrivilegeCheck, with Windows' names.

@c @implementation
package func HostSecW32_LookupPrivilegeValueA(
    _ lpSystemName: UnsafePointer<CChar>?, _ lpName: UnsafePointer<CChar>?,
    _ lpLuid: UnsafeMutablePointer<LUID>?
) -> BOOL {
    guard isLocal(lpSystemName) else { return win32Fail(ERROR_INVALID_PARAMETER) }
    guard let lpName, let lpLuid else { return win32Fail(ERROR_NOACCESS) }
    let name = Array(UnsafeRawBufferPointer(start: lpName, count: strlen(lpName)))
    guard let privilege = Privilege.byName(name) else { return win32Fail(ERROR_NO_SUCH_PRIVILEGE) }
    lpLuid.pointee = LUID(LowPart: privilege.luid, HighPart: 0)
    return 1
}

@c @implementation
package func HostSecW32_LookupPrivilegeNameA(
    _ lpSystemName: UnsafePointer<CChar>?, _ lpLuid: UnsafeMutablePointer<LUID>?,
    _ lpName: UnsafeMutablePointer<CChar>?, _ cchName: UnsafeMutablePointer<DWORD>?
) -> BOOL {
    guard isLocal(lpSystemName) else { return win32Fail(ERROR_INVALID_PARAMETER) }
    guard let lpLuid, let cchName else { return win32Fail(ERROR_NOACCESS) }
    guard let privilege = Privilege.byLuid(low: lpLuid.pointee.LowPart, high: lpLuid.pointee.HighPart) else {
        return win32Fail(ERROR_NO_SUCH_PRIVILEGE)
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
    guard isLocal(lpSystemName) else { return win32Fail(ERROR_INVALID_PARAMETER) }
    guard let lpName, let cchDisplayName, let lpLanguageId else { return win32Fail(ERROR_NOACCESS) }
    let name = Array(UnsafeRawBufferPointer(start: lpName, count: strlen(lpName)))
    guard let privilege = Privilege.byName(name) else { return win32Fail(ERROR_NO_SUCH_PRIVILEGE) }
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
        let token = try core { () throws(HostSecError) in
            try Engine.shared.openedToken(HostSec.TokenHandle(TokenHandle), requiring: .adjustPrivileges)
        }
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
            guard let NewState else { throw Win32Failure(ERROR_INVALID_PARAMETER) }
            for i in 0..<Int(NewState.pointee.PrivilegeCount) {
                let entry = Win32Layout.privilege(NewState, array: Win32Layout.tokenPrivilegesArray, index: i)
                let attributes = entry.Attributes
                guard let privilege = Privilege.byLuid(low: entry.Luid.LowPart, high: entry.Luid.HighPart) else {
                    notAll = true
                    continue
                }
                if privilege.luid == Privilege.changeNotifyLuid { continue }  // always held and enabled
                let held = privilege.capabilities & identity.capPermitted
                if held == 0 { notAll = true; continue }
                if attributes & UInt32(SE_PRIVILEGE_REMOVED) != 0 {
                    remove |= held
                } else if attributes & UInt32(SE_PRIVILEGE_ENABLED) != 0 {
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
            guard let ReturnLength else { throw Win32Failure(ERROR_NOACCESS) }
            let needed = Win32Layout.size(
                array: Win32Layout.tokenPrivilegesArray, entries: changed.count, stride: Win32Layout.luidAndAttributes)
            ReturnLength.pointee = DWORD(needed)
            guard Int(BufferLength) >= needed else { throw Win32Failure(ERROR_INSUFFICIENT_BUFFER) }
            let byDefault = Privilege.held(by: token.identity, made: token.identity)
            Win32TokenInformation.writePrivileges(
                changed.map { p in
                    let d = byDefault.contains { $0.privilege.luid == p.luid && $0.enabledByDefault }
                    return (p.luid, Privilege.State.attributes(enabled: wasEnabled(p), byDefault: d))
                }, to: UnsafeMutableRawPointer(PreviousState))
        }
        _ = try core { () throws(HostSecError) in
            try Engine.shared.adjustCapabilities(
                HostSec.TokenHandle(TokenHandle), enable: enable, disable: disable, remove: remove)
        }
    }
    if ok != 0 { setLastError(notAll ? ERROR_NOT_ALL_ASSIGNED : ERROR_SUCCESS) }
    return ok
}

@c @implementation
package func HostSecW32_PrivilegeCheck(
    _ ClientToken: HANDLE?, _ RequiredPrivileges: UnsafeMutablePointer<PRIVILEGE_SET>?,
    _ pfResult: UnsafeMutablePointer<BOOL>?
) -> BOOL {
    guard let RequiredPrivileges, let pfResult else { return win32Fail(ERROR_NOACCESS) }
    return win32 { () throws(Win32Failure) in
        let token = try core { () throws(HostSecError) in
            try Engine.shared.privilegeCheckToken(TokenHandle(ClientToken))
        }
        let states = Privilege.held(by: token.currentIdentity, made: token.identity)
        let count = Int(RequiredPrivileges.pointee.PrivilegeCount)
        let all = RequiredPrivileges.pointee.Control & UInt32(PRIVILEGE_SET_ALL_NECESSARY) != 0
        let usedForAccess = UInt32(SE_PRIVILEGE_USED_FOR_ACCESS)
        var enabledCount = 0
        for i in 0..<count {
            var entry = Win32Layout.privilege(RequiredPrivileges, array: Win32Layout.privilegeSetArray, index: i)
            let luid = entry.Luid
            let on = luid.HighPart == 0 && states.contains { $0.privilege.luid == luid.LowPart && $0.enabled }
            if on {
                enabledCount += 1
                entry.Attributes |= usedForAccess
            } else {
                entry.Attributes &= ~usedForAccess
            }
            Win32Layout.setPrivilege(
                entry, UnsafeMutableRawPointer(RequiredPrivileges), array: Win32Layout.privilegeSetArray, index: i)
        }
        pfResult.pointee = (all ? enabledCount == count : enabledCount > 0) ? 1 : 0
    }
}
