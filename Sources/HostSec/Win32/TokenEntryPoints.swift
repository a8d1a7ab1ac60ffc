import CHostSec
#if canImport(Glibc)
import Glibc
#endif

// Opening, impersonating, duplicating and querying tokens, and LogonUserA, with Windows' names.

@c @implementation
package func HostSecW32_OpenProcessToken(
    _ ProcessHandle: HANDLE?, _ DesiredAccess: DWORD,
    _ TokenHandle: UnsafeMutablePointer<HANDLE?>?
) -> BOOL {
    win32(TokenHandle) { () throws(Win32Failure) in
        guard ProcessHandle == PseudoHandle.currentProcess else { throw Win32Failure(ERROR_INVALID_HANDLE) }
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
        guard ThreadHandle == PseudoHandle.currentThread else { throw Win32Failure(ERROR_INVALID_HANDLE) }
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
        if let Thread, Thread.pointee != PseudoHandle.currentThread { throw Win32Failure(ERROR_INVALID_HANDLE) }
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
            throw Win32Failure(ERROR_INVALID_PARAMETER)
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
    guard let ReturnLength else { return win32Fail(ERROR_NOACCESS) }
    return win32 { () throws(Win32Failure) in
        let infoClass = TokenInformationClass.rawValue
        let token = try core { () throws(HostSecError) in
            try Engine.shared.openedToken(
                HostSec.TokenHandle(TokenHandle), requiring: infoClass == TokenSource.rawValue ? .querySource : .query)
        }
        var needed: UInt32 = 0
        defer { ReturnLength.pointee = needed }
        try Win32TokenInformation.query(
            token, infoClass: infoClass,
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
        guard let lpszUsername, let lpszPassword else { throw Win32Failure(ERROR_INVALID_PARAMETER) }
        let interactive = DWORD(LOGON32_LOGON_INTERACTIVE), network = DWORD(LOGON32_LOGON_NETWORK)
        guard dwLogonType == interactive || dwLogonType == network, dwLogonProvider == LOGON32_PROVIDER_DEFAULT else {
            throw Win32Failure(ERROR_INVALID_PARAMETER)
        }
        if let domain = lpszDomain {
            let d = String(cString: domain).lowercased()
            guard d.isEmpty || d == "." || d == "unix user" else { throw Win32Failure(ERROR_INVALID_PARAMETER) }
        }
        let primary = try core { () throws(HostSecError) in
            try Engine.shared.logonUser(name: lpszUsername, password: lpszPassword)
        }
        guard dwLogonType == network else { return primary }
        // A network logon gives an impersonation token, as Windows' does.
        defer { try? Engine.shared.closeHandle(primary) }
        return try core { () throws(HostSecError) in
            try Engine.shared.duplicate(
                primary, desiredAccess: TokenRights(), level: ImpersonationLevel.impersonation.rawValue,
                type: TokenKind.impersonation.rawValue)
        }
    }
}
