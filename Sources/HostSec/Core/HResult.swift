import CHostSec

/// The HRESULTs the library returns, with the values of `hostsec.h`'s table of returned codes
/// (`HOSTSEC_HRESULT_RETURNED`). `HResultTests` checks `named` against that table, row for row.
public enum HResult {
    public static let ok: HRESULT = 0
    public static let falseResult: HRESULT = 1
    public static let noInterface = HRESULT(bitPattern: 0x8000_4002)
    public static let pointer = HRESULT(bitPattern: 0x8000_4003)
    public static let fail = HRESULT(bitPattern: 0x8000_4005)
    public static let unexpected = HRESULT(bitPattern: 0x8000_FFFF)
    public static let accessDenied = HRESULT(bitPattern: 0x8007_0005)
    public static let handle = HRESULT(bitPattern: 0x8007_0006)
    public static let outOfMemory = HRESULT(bitPattern: 0x8007_000E)
    public static let invalidArg = HRESULT(bitPattern: 0x8007_0057)
    public static let noAggregation = HRESULT(bitPattern: 0x8004_0110)
    public static let classNotAvailable = HRESULT(bitPattern: 0x8004_0111)
    public static let clrNotAvailable = HRESULT(bitPattern: 0x8013_1023)
    public static let invalidOperation = HRESULT(bitPattern: 0x8013_1022)
    public static let insufficientBuffer = fromWin32(122)
    public static let noToken = fromWin32(1008)
    public static let noneMapped = fromWin32(1332)
    public static let badImpersonationLevel = fromWin32(1346)
    public static let cantOpenAnonymous = fromWin32(1347)
    public static let badTokenType = fromWin32(1349)
    public static let noLogonServers = fromWin32(1311)
    public static let logonFailure = fromWin32(1326)
    public static let passwordExpired = fromWin32(1330)
    public static let accountDisabled = fromWin32(1331)
    public static let accountExpired = fromWin32(1793)
    public static let logonTypeNotGranted = fromWin32(1385)
    public static let privilegeNotHeld = fromWin32(1314)
    public static let cannotImpersonate = fromWin32(1368)
    public static let fileNotFound = fromWin32(2)
    public static let badExeFormat = fromWin32(193)

    /// Every constant above with the header's name for it.
    static let named: [(name: String, value: HRESULT)] = [
        ("S_OK", ok), ("S_FALSE", falseResult), ("E_NOINTERFACE", noInterface), ("E_POINTER", pointer),
        ("E_FAIL", fail), ("E_UNEXPECTED", unexpected), ("E_ACCESSDENIED", accessDenied), ("E_HANDLE", handle),
        ("E_OUTOFMEMORY", outOfMemory), ("E_INVALIDARG", invalidArg), ("CLASS_E_NOAGGREGATION", noAggregation),
        ("CLASS_E_CLASSNOTAVAILABLE", classNotAvailable), ("HOST_E_INVALIDOPERATION", invalidOperation),
        ("HOST_E_CLRNOTAVAILABLE", clrNotAvailable),
        ("HRESULT_FROM_WIN32(ERROR_INSUFFICIENT_BUFFER)", insufficientBuffer),
        ("HRESULT_FROM_WIN32(ERROR_NO_TOKEN)", noToken), ("HRESULT_FROM_WIN32(ERROR_NONE_MAPPED)", noneMapped),
        ("HRESULT_FROM_WIN32(ERROR_BAD_IMPERSONATION_LEVEL)", badImpersonationLevel),
        ("HRESULT_FROM_WIN32(ERROR_CANT_OPEN_ANONYMOUS)", cantOpenAnonymous),
        ("HRESULT_FROM_WIN32(ERROR_BAD_TOKEN_TYPE)", badTokenType),
        ("HRESULT_FROM_WIN32(ERROR_NO_LOGON_SERVERS)", noLogonServers),
        ("HRESULT_FROM_WIN32(ERROR_LOGON_FAILURE)", logonFailure),
        ("HRESULT_FROM_WIN32(ERROR_PASSWORD_EXPIRED)", passwordExpired),
        ("HRESULT_FROM_WIN32(ERROR_ACCOUNT_DISABLED)", accountDisabled),
        ("HRESULT_FROM_WIN32(ERROR_ACCOUNT_EXPIRED)", accountExpired),
        ("HRESULT_FROM_WIN32(ERROR_LOGON_TYPE_NOT_GRANTED)", logonTypeNotGranted),
        ("HRESULT_FROM_WIN32(ERROR_PRIVILEGE_NOT_HELD)", privilegeNotHeld),
        ("HRESULT_FROM_WIN32(ERROR_CANNOT_IMPERSONATE)", cannotImpersonate),
        ("HRESULT_FROM_WIN32(ERROR_FILE_NOT_FOUND)", fileNotFound),
        ("HRESULT_FROM_WIN32(ERROR_BAD_EXE_FORMAT)", badExeFormat),
    ]

    /// `HRESULT_FROM_WIN32`.
    @inlinable public static func fromWin32(_ code: UInt32) -> HRESULT {
        code == 0 ? 0 : HRESULT(bitPattern: (code & 0xFFFF) | 0x8007_0000)
    }

    /// The HRESULT for an errno value a credential syscall returned.
    static func fromErrno(_ e: Int32) -> HRESULT {
        switch e {
        case EPERM, EACCES: return accessDenied
        case ENOMEM: return outOfMemory
        case EINVAL: return invalidArg
        default: return unexpected
        }
    }
}

/// A failure the core reports; the exports turn it into its HRESULT.
public struct HostSecError: Error, Equatable, Sendable {
    public let hr: HRESULT
    public init(_ hr: HRESULT) { self.hr = hr }

    public static let pointer = HostSecError(HResult.pointer)
    public static let handle = HostSecError(HResult.handle)
    public static let accessDenied = HostSecError(HResult.accessDenied)
    public static let invalidArg = HostSecError(HResult.invalidArg)
    public static let outOfMemory = HostSecError(HResult.outOfMemory)
    public static let fail = HostSecError(HResult.fail)
    public static let closed = HostSecError(HResult.clrNotAvailable)
    public static let unexpected = HostSecError(HResult.unexpected)
    public static let noToken = HostSecError(HResult.noToken)
    public static let noneMapped = HostSecError(HResult.noneMapped)
    public static let badImpersonationLevel = HostSecError(HResult.badImpersonationLevel)
    public static let cantOpenAnonymous = HostSecError(HResult.cantOpenAnonymous)
    public static let badTokenType = HostSecError(HResult.badTokenType)
    public static let insufficientBuffer = HostSecError(HResult.insufficientBuffer)
    public static let noLogonServers = HostSecError(HResult.noLogonServers)
    public static let logonFailure = HostSecError(HResult.logonFailure)
    public static let passwordExpired = HostSecError(HResult.passwordExpired)
    public static let accountDisabled = HostSecError(HResult.accountDisabled)
    public static let accountExpired = HostSecError(HResult.accountExpired)
    public static let logonTypeNotGranted = HostSecError(HResult.logonTypeNotGranted)
    public static let privilegeNotHeld = HostSecError(HResult.privilegeNotHeld)
}
