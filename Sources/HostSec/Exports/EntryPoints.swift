import CHostSec

// The C entry points of hostsec.h. `@c @implementation` makes the compiler check each one
// against its declaration in the header. Argument checks and HRESULT conversion only: the
// work is in the core (Engine). Every one is described by the type information
// (typeinfo.c) and traced: with the tracer off the only cost is one relaxed load.

/// Runs the body of flat function `function` called with `arguments`: inline with the tracer
/// off (one relaxed load), logged by `FunctionTrace.call` (out of line) when it is on.
@inline(__always) func traced<each A, R>(_ function: Int32, _ arguments: repeat each A, body: () -> R) -> R {
    guard Tracer.isOn else { return body() }
    return FunctionTrace.call(function, repeat each arguments, body: body)
}

@c @implementation
package func DllGetClassObject(
    _ rclsid: UnsafePointer<IID>?, _ riid: UnsafePointer<IID>?,
    _ ppv: UnsafeMutablePointer<UnsafeMutableRawPointer?>?
) -> HRESULT {
    traced(Int32(HS_FUNCTION_DllGetClassObject), rclsid, riid, ppv) {
        EntryPoint.getClassObject(rclsid, riid, ppv)
    }
}

@c @implementation
package func DllCanUnloadNow() -> HRESULT {
    traced(Int32(HS_FUNCTION_DllCanUnloadNow)) { EntryPoint.canUnloadNow() }
}

@c @implementation
package func HostSec_GetVersion() -> DWORD {
    traced(Int32(HS_FUNCTION_HostSec_GetVersion)) { EntryPoint.version }
}

@c @implementation
package func HostSec_GetVersionString() -> UnsafePointer<CChar>? {
    traced(Int32(HS_FUNCTION_HostSec_GetVersionString)) { hs_version_string() }
}

@c @implementation
package func HostSec_HResultName(_ hr: HRESULT) -> UnsafePointer<CChar>? {
    traced(Int32(HS_FUNCTION_HostSec_HResultName), hr) { hs_hresult_name_or_unknown(hr) }
}

@c @implementation
package func HostSec_GetStatistics(_ stats: UnsafeMutablePointer<HOSTSEC_STATISTICS>?) -> HRESULT {
    traced(Int32(HS_FUNCTION_HostSec_GetStatistics), stats) { EntryPoint.statistics(stats) }
}

@c @implementation
package func HostSec_SetPolicy(_ dwFlags: DWORD) -> HRESULT {
    traced(Int32(HS_FUNCTION_HostSec_SetPolicy), dwFlags) { EntryPoint.setPolicy(dwFlags) }
}

@c @implementation
package func HostSec_CloseHandle(_ hObject: HANDLE?) -> HRESULT {
    traced(Int32(HS_FUNCTION_HostSec_CloseHandle), hObject) { EntryPoint.closeHandle(hObject) }
}

@c @implementation
package func HostSec_OpenProcessToken(_ dwDesiredAccess: DWORD, _ phToken: UnsafeMutablePointer<HANDLE?>?) -> HRESULT {
    traced(Int32(HS_FUNCTION_HostSec_OpenProcessToken), dwDesiredAccess, phToken) {
        EntryPoint.openProcessToken(dwDesiredAccess, phToken)
    }
}

@c @implementation
package func HostSec_ImpersonateSelf(_ ImpersonationLevel: SECURITY_IMPERSONATION_LEVEL) -> HRESULT {
    traced(Int32(HS_FUNCTION_HostSec_ImpersonateSelf), ImpersonationLevel) {
        EntryPoint.impersonateSelf(ImpersonationLevel)
    }
}

@c @implementation
package func HostSec_DuplicateTokenEx(
    _ hExistingToken: HANDLE?, _ dwDesiredAccess: DWORD,
    _ ImpersonationLevel: SECURITY_IMPERSONATION_LEVEL, _ TokenType: TOKEN_TYPE,
    _ phNewToken: UnsafeMutablePointer<HANDLE?>?
) -> HRESULT {
    traced(
        Int32(HS_FUNCTION_HostSec_DuplicateTokenEx), hExistingToken, dwDesiredAccess,
        ImpersonationLevel, TokenType, phNewToken
    ) {
        EntryPoint.duplicateTokenEx(hExistingToken, dwDesiredAccess, ImpersonationLevel, TokenType, phNewToken)
    }
}

@c @implementation
package func HostSec_GetTokenInformation(
    _ hToken: HANDLE?, _ TokenInformationClass: TOKEN_INFORMATION_CLASS,
    _ TokenInformation: UnsafeMutableRawPointer?, _ TokenInformationLength: DWORD,
    _ ReturnLength: UnsafeMutablePointer<DWORD>?
) -> HRESULT {
    traced(
        Int32(HS_FUNCTION_HostSec_GetTokenInformation), hToken, TokenInformationClass,
        TokenInformation, TokenInformationLength, ReturnLength
    ) {
        EntryPoint.tokenInformation(
            hToken, TokenInformationClass, TokenInformation, TokenInformationLength,
            ReturnLength)
    }
}

@c @implementation
package func HostSec_LogonUser(_ userName: UnsafePointer<CChar>?, _ phToken: UnsafeMutablePointer<HANDLE?>?) -> HRESULT
{
    traced(Int32(HS_FUNCTION_HostSec_LogonUser), userName, phToken) {
        EntryPoint.logonUser(userName, phToken)
    }
}

@c @implementation
package func HostSec_LogonUserWithPassword(
    _ userName: UnsafePointer<CChar>?, _ password: UnsafePointer<CChar>?,
    _ phToken: UnsafeMutablePointer<HANDLE?>?
) -> HRESULT {
    // The password's pointer is handed to the tracer, which never reads through it (SECRET).
    traced(Int32(HS_FUNCTION_HostSec_LogonUserWithPassword), userName, password, phToken) {
        EntryPoint.logonUserWithPassword(userName, password, phToken)
    }
}

@c @implementation
package func HostSec_LogonUserWithPasswordNoWait(
    _ userName: UnsafePointer<CChar>?, _ password: UnsafePointer<CChar>?,
    _ phToken: UnsafeMutablePointer<HANDLE?>?, _ pdwFailureDelayMs: UnsafeMutablePointer<DWORD>?
) -> HRESULT {
    // As above: the tracer never reads the password.
    traced(
        Int32(HS_FUNCTION_HostSec_LogonUserWithPasswordNoWait), userName, password, phToken, pdwFailureDelayMs
    ) {
        EntryPoint.logonUserWithPasswordNoWait(userName, password, phToken, pdwFailureDelayMs)
    }
}

/// The bodies of the entry points above.
enum EntryPoint {
    static func getClassObject(
        _ rclsid: UnsafePointer<IID>?, _ riid: UnsafePointer<IID>?,
        _ ppv: UnsafeMutablePointer<UnsafeMutableRawPointer?>?
    ) -> HRESULT {
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

    static func canUnloadNow() -> HRESULT {
        hs_live(Int32(HS_LIVE_OBJECTS)) == 0 && hs_counter(Int32(HS_COUNTER_LOCKS)) == 0
            ? HResult.ok : HResult.falseResult
    }

    static var version: DWORD {
        DWORD(HOSTSEC_VERSION_MAJOR * 1_000_000 + HOSTSEC_VERSION_MINOR * 1_000 + HOSTSEC_VERSION_PATCH)
    }

    static func statistics(_ stats: UnsafeMutablePointer<HOSTSEC_STATISTICS>?) -> HRESULT {
        guard let stats else { return HResult.pointer }
        stats.pointee = HOSTSEC_STATISTICS(
            LiveObjects: hs_live(Int32(HS_LIVE_OBJECTS)),
            LiveHandles: hs_live(Int32(HS_LIVE_HANDLES)),
            LiveTokens: hs_live(Int32(HS_LIVE_TOKENS)),
            ImpersonatingThreads: hs_live(Int32(HS_LIVE_IMPERSONATING)),
            ServerLocks: hs_counter(Int32(HS_COUNTER_LOCKS)),
            FailedClosed: Engine.shared.isClosed ? 1 : 0,
            Reserved: 0)
        return HResult.ok
    }

    static func setPolicy(_ flags: DWORD) -> HRESULT {
        hresult { () throws(HostSecError) in try Engine.shared.setPolicy(flags) }
    }

    @inline(__always) static func closeHandle(_ hObject: HANDLE?) -> HRESULT {
        hresult { () throws(HostSecError) in try Engine.shared.closeHandle(TokenHandle(hObject)) }
    }

    static func openProcessToken(_ access: DWORD, _ phToken: UnsafeMutablePointer<HANDLE?>?) -> HRESULT {
        hresult(phToken) { () throws(HostSecError) in
            try Engine.shared.openProcessToken(desiredAccess: TokenRights(rawValue: access))
        }
    }

    static func impersonateSelf(_ level: SECURITY_IMPERSONATION_LEVEL) -> HRESULT {
        hresult { () throws(HostSecError) in try Engine.shared.impersonateSelf(level: level.rawValue) }
    }

    static func duplicateTokenEx(
        _ source: HANDLE?, _ access: DWORD, _ level: SECURITY_IMPERSONATION_LEVEL,
        _ type: TOKEN_TYPE, _ phNewToken: UnsafeMutablePointer<HANDLE?>?
    ) -> HRESULT {
        hresult(phNewToken) { () throws(HostSecError) in
            try Engine.shared.duplicate(
                TokenHandle(source), desiredAccess: TokenRights(rawValue: access), level: level.rawValue,
                type: type.rawValue)
        }
    }

    static func tokenInformation(
        _ hToken: HANDLE?, _ infoClass: TOKEN_INFORMATION_CLASS,
        _ buffer: UnsafeMutableRawPointer?, _ length: DWORD,
        _ returnLength: UnsafeMutablePointer<DWORD>?
    ) -> HRESULT {
        guard let returnLength else { return HResult.pointer }
        var needed: UInt32 = 0
        let hr = hresult { () throws(HostSecError) in
            try Engine.shared.tokenInformation(
                TokenHandle(hToken), infoClass: infoClass.rawValue, buffer: buffer,
                length: length, neededLength: &needed)
        }
        returnLength.pointee = needed
        return hr
    }

    static func logonUser(_ userName: UnsafePointer<CChar>?, _ phToken: UnsafeMutablePointer<HANDLE?>?) -> HRESULT {
        hresult(phToken) { () throws(HostSecError) in
            guard let userName else { throw .pointer }
            return try Engine.shared.logonUser(AccountName(cString: userName))
        }
    }

    static func logonUserWithPassword(
        _ userName: UnsafePointer<CChar>?, _ password: UnsafePointer<CChar>?,
        _ phToken: UnsafeMutablePointer<HANDLE?>?
    ) -> HRESULT {
        hresult(phToken) { () throws(HostSecError) in
            guard let userName, let password else { throw .pointer }
            return try Engine.shared.logonUser(name: userName, password: password)
        }
    }

    static func logonUserWithPasswordNoWait(
        _ userName: UnsafePointer<CChar>?, _ password: UnsafePointer<CChar>?,
        _ phToken: UnsafeMutablePointer<HANDLE?>?, _ pdwFailureDelayMs: UnsafeMutablePointer<DWORD>?
    ) -> HRESULT {
        pdwFailureDelayMs?.pointee = 0
        guard let pdwFailureDelayMs else {
            phToken?.pointee = nil
            return HResult.pointer
        }
        return hresult(phToken) { () throws(HostSecError) in
            guard let userName, let password else { throw .pointer }
            do throws(PasswordLogonFailure) {
                return try Engine.shared.logonUserNoWait(name: userName, password: password)
            } catch {
                // Rounded up: the caller waits at least what remains.
                pdwFailureDelayMs.pointee = DWORD(clamping: (error.remainingDelayMicroseconds + 999) / 1000)
                throw error.error
            }
        }
    }
}

@c @implementation
package func HostSec_SpawnAsUser(
    _ hToken: HANDLE?, _ path: UnsafePointer<CChar>?,
    _ argv: UnsafePointer<UnsafeMutablePointer<CChar>?>?,
    _ envp: UnsafePointer<UnsafeMutablePointer<CChar>?>?,
    _ pid: UnsafeMutablePointer<pid_t>?
) -> HRESULT {
    traced(Int32(HS_FUNCTION_HostSec_SpawnAsUser), hToken, path, argv, envp, pid) {
        EntryPoint.spawnAsUser(hToken, path, argv, envp, pid)
    }
}

@c @implementation
package func HostSec_OpenSocketClientToken(_ fd: Int32, _ desiredAccess: DWORD, _ token: UnsafeMutablePointer<HANDLE?>?)
    -> HRESULT
{
    traced(Int32(HS_FUNCTION_HostSec_OpenSocketClientToken), fd, desiredAccess, token) {
        EntryPoint.openSocketClientToken(fd, desiredAccess, token)
    }
}

@c @implementation
package func HostSec_ImpersonateSocketClient(_ fd: Int32) -> HRESULT {
    traced(Int32(HS_FUNCTION_HostSec_ImpersonateSocketClient), fd) {
        EntryPoint.impersonateSocketClient(fd)
    }
}

extension EntryPoint {
    static func spawnAsUser(
        _ hToken: HANDLE?, _ path: UnsafePointer<CChar>?, _ argv: UnsafePointer<UnsafeMutablePointer<CChar>?>?,
        _ envp: UnsafePointer<UnsafeMutablePointer<CChar>?>?, _ pid: UnsafeMutablePointer<pid_t>?
    ) -> HRESULT {
        hresult { () throws(HostSecError) in
            guard let path, let argv, let pid else { throw .pointer }
            let child = try Engine.shared.spawnAsUser(TokenHandle(hToken), path: path, argv: argv, envp: envp)
            if child.pidfd >= 0 { close(child.pidfd) }  // the caller waits by pid
            pid.pointee = child.pid
        }
    }

    static func openSocketClientToken(_ fd: Int32, _ desiredAccess: DWORD, _ token: UnsafeMutablePointer<HANDLE?>?)
        -> HRESULT
    {
        hresult(token) { () throws(HostSecError) in
            try Engine.shared.openSocketClientToken(fd, desiredAccess: TokenRights(rawValue: desiredAccess))
        }
    }

    static func impersonateSocketClient(_ fd: Int32) -> HRESULT {
        hresult { () throws(HostSecError) in try Engine.shared.impersonateSocketClient(fd) }
    }
}
