import CHostSec

/// The HRESULTs the library returns, with the values of `hostsec.h`'s table of returned codes
/// (`HOSTSEC_HRESULT_RETURNED`). `HResultTests` checks `named` against that table, row for row.
package enum HResult {
    package static let ok: HRESULT = 0
    package static let falseResult: HRESULT = 1
    package static let noInterface = HRESULT(bitPattern: 0x8000_4002)
    package static let pointer = HRESULT(bitPattern: 0x8000_4003)
    package static let fail = HRESULT(bitPattern: 0x8000_4005)
    package static let unexpected = HRESULT(bitPattern: 0x8000_FFFF)
    package static let accessDenied = HRESULT(bitPattern: 0x8007_0005)
    package static let handle = HRESULT(bitPattern: 0x8007_0006)
    package static let outOfMemory = HRESULT(bitPattern: 0x8007_000E)
    package static let invalidArg = HRESULT(bitPattern: 0x8007_0057)
    package static let noAggregation = HRESULT(bitPattern: 0x8004_0110)
    package static let classNotAvailable = HRESULT(bitPattern: 0x8004_0111)
    package static let clrNotAvailable = HRESULT(bitPattern: 0x8013_1023)
    package static let invalidOperation = HRESULT(bitPattern: 0x8013_1022)
    package static let insufficientBuffer = fromWin32(122)
    package static let noToken = fromWin32(1008)
    package static let noneMapped = fromWin32(1332)
    package static let badImpersonationLevel = fromWin32(1346)
    package static let cantOpenAnonymous = fromWin32(1347)
    package static let badTokenType = fromWin32(1349)
    package static let noLogonServers = fromWin32(1311)
    package static let logonFailure = fromWin32(1326)
    package static let passwordExpired = fromWin32(1330)
    package static let accountDisabled = fromWin32(1331)
    package static let accountExpired = fromWin32(1793)
    package static let logonTypeNotGranted = fromWin32(1385)
    package static let privilegeNotHeld = fromWin32(1314)
    package static let cannotImpersonate = fromWin32(1368)
    package static let fileNotFound = fromWin32(2)
    package static let badExeFormat = fromWin32(193)
    package static let notSupported = fromWin32(50)

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
        ("HRESULT_FROM_WIN32(ERROR_NOT_SUPPORTED)", notSupported),
    ]

    /// `HRESULT_FROM_WIN32`.
    @inlinable package static func fromWin32(_ code: UInt32) -> HRESULT {
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
package struct HostSecError: Error, Equatable, Sendable {
    package let hr: HRESULT
    package init(_ hr: HRESULT) { self.hr = hr }

    package static let pointer = HostSecError(HResult.pointer)
    package static let handle = HostSecError(HResult.handle)
    package static let accessDenied = HostSecError(HResult.accessDenied)
    package static let invalidArg = HostSecError(HResult.invalidArg)
    package static let outOfMemory = HostSecError(HResult.outOfMemory)
    package static let fail = HostSecError(HResult.fail)
    package static let closed = HostSecError(HResult.clrNotAvailable)
    package static let unexpected = HostSecError(HResult.unexpected)
    package static let noToken = HostSecError(HResult.noToken)
    package static let noneMapped = HostSecError(HResult.noneMapped)
    package static let badImpersonationLevel = HostSecError(HResult.badImpersonationLevel)
    package static let cantOpenAnonymous = HostSecError(HResult.cantOpenAnonymous)
    package static let badTokenType = HostSecError(HResult.badTokenType)
    package static let insufficientBuffer = HostSecError(HResult.insufficientBuffer)
    package static let noLogonServers = HostSecError(HResult.noLogonServers)
    package static let logonFailure = HostSecError(HResult.logonFailure)
    package static let passwordExpired = HostSecError(HResult.passwordExpired)
    package static let accountDisabled = HostSecError(HResult.accountDisabled)
    package static let accountExpired = HostSecError(HResult.accountExpired)
    package static let logonTypeNotGranted = HostSecError(HResult.logonTypeNotGranted)
    package static let privilegeNotHeld = HostSecError(HResult.privilegeNotHeld)
}
