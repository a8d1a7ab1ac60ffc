import CHostSec

// The C entry points of hostsec.h. `@c @implementation` makes the compiler check each one
// against its declaration in the header. Argument checks and HRESULT conversion only: the
// work is in the core (HostSecurity).

@c @implementation
public func DllGetClassObject(_ rclsid: UnsafePointer<IID>?, _ riid: UnsafePointer<IID>?,
                              _ ppv: UnsafeMutablePointer<UnsafeMutableRawPointer?>?) -> HRESULT {
    guard let ppv else { return HResult.pointer }
    ppv.pointee = nil
    guard let rclsid, let riid else { return HResult.pointer }
    let factory: ObjectKind
    if sameIID(rclsid, CLSID_HostSecurityManager) {
        factory = .securityManagerFactory
    } else if sameIID(rclsid, CLSID_HostControl) {
        factory = .hostControlFactory
    } else {
        return HResult.classNotAvailable
    }
    return ComObject.handOut(factory, riid: riid, ppv)
}

@c @implementation
public func DllCanUnloadNow() -> HRESULT {
    hs_live(Int32(HS_LIVE_OBJECTS)) == 0 && hs_counter(Int32(HS_COUNTER_LOCKS)) == 0
        ? HResult.ok : HResult.falseResult
}

@c @implementation
public func HostSec_GetVersion() -> DWORD {
    DWORD(HOSTSEC_VERSION_MAJOR * 1_000_000 + HOSTSEC_VERSION_MINOR * 1_000 + HOSTSEC_VERSION_PATCH)
}

@c @implementation
public func HostSec_GetVersionString() -> UnsafePointer<CChar>? {
    hs_version_string()
}

@c @implementation
public func HostSec_GetStatistics(_ stats: UnsafeMutablePointer<HOSTSEC_STATISTICS>?) -> HRESULT {
    guard let stats else { return HResult.pointer }
    stats.pointee = HOSTSEC_STATISTICS(
        LiveObjects: hs_live(Int32(HS_LIVE_OBJECTS)),
        LiveHandles: hs_live(Int32(HS_LIVE_HANDLES)),
        LiveTokens: hs_live(Int32(HS_LIVE_TOKENS)),
        ImpersonatingThreads: hs_live(Int32(HS_LIVE_IMPERSONATING)),
        ServerLocks: hs_counter(Int32(HS_COUNTER_LOCKS)),
        FailedClosed: HostSecurity.shared.isClosed ? 1 : 0,
        Reserved: 0)
    return HResult.ok
}

@c @implementation
public func HostSec_SetPolicy(_ dwFlags: DWORD) -> HRESULT {
    hresult { () throws(HostSecError) in try HostSecurity.shared.setPolicy(dwFlags) }
}

@c @implementation
public func HostSec_CloseHandle(_ hObject: HANDLE?) -> HRESULT {
    hresult { () throws(HostSecError) in try HandleTable.shared.close(hObject) }
}

@c @implementation
public func HostSec_OpenProcessToken(_ dwDesiredAccess: DWORD, _ phToken: UnsafeMutablePointer<HANDLE?>?) -> HRESULT {
    hresult(phToken) { () throws(HostSecError) in
        try HostSecurity.shared.openProcessToken(desiredAccess: dwDesiredAccess)
    }
}

@c @implementation
public func HostSec_ImpersonateSelf(_ ImpersonationLevel: SECURITY_IMPERSONATION_LEVEL) -> HRESULT {
    hresult { () throws(HostSecError) in try HostSecurity.shared.impersonateSelf(level: ImpersonationLevel.rawValue) }
}

@c @implementation
public func HostSec_DuplicateTokenEx(_ hExistingToken: HANDLE?, _ dwDesiredAccess: DWORD,
                                     _ ImpersonationLevel: SECURITY_IMPERSONATION_LEVEL, _ TokenType: TOKEN_TYPE,
                                     _ phNewToken: UnsafeMutablePointer<HANDLE?>?) -> HRESULT {
    hresult(phNewToken) { () throws(HostSecError) in
        try HostSecurity.shared.duplicate(hExistingToken, desiredAccess: dwDesiredAccess,
                                          level: ImpersonationLevel.rawValue, type: TokenType.rawValue)
    }
}

@c @implementation
public func HostSec_GetTokenInformation(_ hToken: HANDLE?, _ TokenInformationClass: TOKEN_INFORMATION_CLASS,
                                        _ TokenInformation: UnsafeMutableRawPointer?, _ TokenInformationLength: DWORD,
                                        _ ReturnLength: UnsafeMutablePointer<DWORD>?) -> HRESULT {
    guard let ReturnLength else { return HResult.pointer }
    var needed: UInt32 = 0
    let hr = hresult { () throws(HostSecError) in
        try HostSecurity.shared.tokenInformation(hToken, infoClass: TokenInformationClass.rawValue,
                                                 buffer: TokenInformation, length: TokenInformationLength,
                                                 neededLength: &needed)
    }
    ReturnLength.pointee = needed
    return hr
}

@c @implementation
public func HostSec_LogonUser(_ userName: UnsafePointer<CChar>?, _ phToken: UnsafeMutablePointer<HANDLE?>?) -> HRESULT {
    hresult(phToken) { () throws(HostSecError) in
        guard let userName else { throw .pointer }
        return try HostSecurity.shared.logonUser(AccountName(cString: userName))
    }
}

@c @implementation
public func HostSec_LogonUserWithPassword(_ userName: UnsafePointer<CChar>?, _ password: UnsafePointer<CChar>?,
                                          _ phToken: UnsafeMutablePointer<HANDLE?>?) -> HRESULT {
    guard Tracer.isOn else { return logonUserWithPassword(userName, password, phToken) }
    // The tracer decodes each argument through a pointer to its value, as libffi passes them.
    var values = (userName, password, phToken)
    return withUnsafeMutableBytes(of: &values) { raw in
        let width = MemoryLayout<UnsafeRawPointer?>.stride
        return FunctionTrace.call(Int32(HS_FUNCTION_LOGON_USER_WITH_PASSWORD),
                                  [raw.baseAddress!, raw.baseAddress! + width, raw.baseAddress! + 2 * width]) {
            logonUserWithPassword(userName, password, phToken)
        }
    }
}

private func logonUserWithPassword(_ userName: UnsafePointer<CChar>?, _ password: UnsafePointer<CChar>?,
                                   _ phToken: UnsafeMutablePointer<HANDLE?>?) -> HRESULT {
    hresult(phToken) { () throws(HostSecError) in
        guard let userName, let password else { throw .pointer }
        return try HostSecurity.shared.logonUser(name: userName, password: password)
    }
}
