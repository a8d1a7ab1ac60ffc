internal import CHostSec
internal import HostSec

/// A failure the `HostSecurity` API reports: an HRESULT from the library's table (the values
/// of `hostsec.h`'s `HOSTSEC_HRESULT_TABLE`).
///
/// Every error the API throws itself is this type; errors a scope's body throws reach the
/// caller unchanged. Compare with the static members:
///
/// ```swift
/// do { _ = try Token.logon(user: "no-such-user") }
/// catch let error as HostSecurityError where error == .noneMapped { ... }
/// ```
public struct HostSecurityError: Error, Equatable, Hashable, Sendable, CustomStringConvertible {
    /// The HRESULT, as a C host would see it.
    public let hresult: Int32

    /// An error for an HRESULT.
    public init(hresult: Int32) { self.hresult = hresult }

    init(_ core: HostSecError) { self.hresult = core.hr }

    /// `E_ACCESSDENIED`: the token's security descriptor does not grant the access asked for.
    public static let accessDenied = Self(hresult: HResult.accessDenied)
    /// `E_HANDLE`: the token's handle is not live (the library's handle table rejected it).
    public static let handle = Self(hresult: HResult.handle)
    /// `E_INVALIDARG`: an argument is out of range.
    public static let invalidArgument = Self(hresult: HResult.invalidArg)
    /// `E_OUTOFMEMORY`: no memory, or no handle slot, was left.
    public static let outOfMemory = Self(hresult: HResult.outOfMemory)
    /// `E_FAIL`: credentials could not be restored; the library has failed closed.
    public static let failed = Self(hresult: HResult.fail)
    /// `E_UNEXPECTED`: a credential syscall failed in a way the library does not name.
    public static let unexpected = Self(hresult: HResult.unexpected)
    /// `HOST_E_INVALIDOPERATION`: the call was made while the calling thread was inside the
    /// library (from a signal handler that interrupted it); nothing changed.
    public static let invalidOperation = Self(hresult: HResult.invalidOperation)
    /// `HOST_E_CLRNOTAVAILABLE`: the library failed closed earlier and refuses every call; or
    /// another copy of the engine (`libhostsec.so` loaded by this program) was in use first,
    /// so this one refuses every call from its first use.
    public static let closed = Self(hresult: HResult.clrNotAvailable)
    /// `HRESULT_FROM_WIN32(ERROR_NO_TOKEN)`: the thread is not impersonating.
    public static let noToken = Self(hresult: HResult.noToken)
    /// `HRESULT_FROM_WIN32(ERROR_NONE_MAPPED)`: no such account.
    public static let noneMapped = Self(hresult: HResult.noneMapped)
    /// `HRESULT_FROM_WIN32(ERROR_BAD_IMPERSONATION_LEVEL)`: the token's level is too low for
    /// what was asked (acting as an identification-level token, or raising a level).
    public static let badImpersonationLevel = Self(hresult: HResult.badImpersonationLevel)
    /// `HRESULT_FROM_WIN32(ERROR_CANT_OPEN_ANONYMOUS)`: an anonymous token cannot be opened.
    public static let cantOpenAnonymous = Self(hresult: HResult.cantOpenAnonymous)
    /// `HRESULT_FROM_WIN32(ERROR_BAD_TOKEN_TYPE)`: the token is of the wrong type.
    public static let badTokenType = Self(hresult: HResult.badTokenType)
    /// `HRESULT_FROM_WIN32(ERROR_INSUFFICIENT_BUFFER)`: a buffer is too small.
    public static let insufficientBuffer = Self(hresult: HResult.insufficientBuffer)
    /// `HRESULT_FROM_WIN32(ERROR_PRIVILEGE_NOT_HELD)`: a strict scope for another account
    /// that the kernel cannot enforce, because the process lacks `CAP_SETUID` and
    /// `CAP_SETGID` (Windows' SeImpersonatePrivilege).
    public static let privilegeNotHeld = Self(hresult: HResult.privilegeNotHeld)

    /// `HRESULT_FROM_WIN32(ERROR_LOGON_FAILURE)`: unknown account or wrong password.
    public static let logonFailure = Self(hresult: HResult.logonFailure)
    /// `HRESULT_FROM_WIN32(ERROR_NO_LOGON_SERVERS)`: PAM is missing or misconfigured.
    public static let noLogonServers = Self(hresult: HResult.noLogonServers)
    /// `HRESULT_FROM_WIN32(ERROR_PASSWORD_EXPIRED)`: the password has expired.
    public static let passwordExpired = Self(hresult: HResult.passwordExpired)
    /// `HRESULT_FROM_WIN32(ERROR_ACCOUNT_DISABLED)`: the account is disabled.
    public static let accountDisabled = Self(hresult: HResult.accountDisabled)
    /// `HRESULT_FROM_WIN32(ERROR_ACCOUNT_EXPIRED)`: the account has expired.
    public static let accountExpired = Self(hresult: HResult.accountExpired)
    /// `HRESULT_FROM_WIN32(ERROR_LOGON_TYPE_NOT_GRANTED)`: the account may not log on with a
    /// password here: root, a system account or one without a login shell, which
    /// ``PasswordLogonOptions`` (or the process-wide policy) did not allow. Decided from the
    /// user database before PAM runs: the password was not checked.
    public static let logonTypeNotGranted = Self(hresult: HResult.logonTypeNotGranted)

    /// The HRESULT's name from the library's table and its value, e.g.
    /// `HRESULT_FROM_WIN32(ERROR_NONE_MAPPED) (0x80070534)`.
    public var description: String {
        let value = "0x" + String(UInt32(bitPattern: hresult), radix: 16, uppercase: true)
        guard let name = hs_hresult_name(hresult) else { return value }
        return "\(String(cString: name)) (\(value))"
    }
}

/// Enters the library for an API call as the C faces do (`hresult{}`, `win32{}`): a call
/// made while the same thread is already inside the library (a signal handler that
/// interrupted it) is refused with ``HostSecurityError/invalidOperation`` and changes nothing;
/// a thread's first call puts it back to the process token first, if it holds other
/// credentials (`Engine.enterThread`). `body`'s typed error becomes the API's.
@inline(__always)
func hostCall<T>(_ engine: HostSec.Engine, _ body: () throws(HostSecError) -> T) throws(HostSecurityError) -> T {
    let thread = hs_thread_self()!
    guard hs_enter(thread) else { throw .invalidOperation }
    defer { hs_leave(thread) }
    do {
        try engine.enterThread()
        return try body()
    } catch {
        throw HostSecurityError(error)
    }
}
