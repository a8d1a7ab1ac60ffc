import CHostSec

/// Win32 error codes (winerror.h) the Windows-named functions report through GetLastError.
enum Win32Error {
    static let success: UInt32 = 0
    static let accessDenied: UInt32 = 5
    static let fileNotFound: UInt32 = 2
    static let invalidHandle: UInt32 = 6
    static let notEnoughMemory: UInt32 = 8
    static let invalidParameter: UInt32 = 87
    static let insufficientBuffer: UInt32 = 122
    static let noAccess: UInt32 = 998
    static let noToken: UInt32 = 1008
    static let notAllAssigned: UInt32 = 1300
    static let unknownRevision: UInt32 = 1305
    static let revisionMismatch: UInt32 = 1306
    static let invalidOwner: UInt32 = 1307
    static let invalidPrimaryGroup: UInt32 = 1308
    static let noImpersonationToken: UInt32 = 1309
    static let noSuchPrivilege: UInt32 = 1313
    static let privilegeNotHeld: UInt32 = 1314
    static let noneMapped: UInt32 = 1332
    static let invalidAcl: UInt32 = 1336
    static let invalidSid: UInt32 = 1337
    static let invalidSecurityDescr: UInt32 = 1338
    static let allottedSpaceExceeded: UInt32 = 1344
    static let badImpersonationLevel: UInt32 = 1346
    static let internalError: UInt32 = 1359
    static let genericNotMapped: UInt32 = 1360
    static let badDescriptorFormat: UInt32 = 1361
    static let invalidOperation: UInt32 = 4317

    /// The Win32 error a core failure means: a wrapped Win32 code is unwrapped; E_POINTER is
    /// ERROR_NOACCESS (what Windows reports for a pointer it cannot use); a library that failed
    /// closed (E_FAIL, HOST_E_CLRNOTAVAILABLE) or an unexpected failure is ERROR_INTERNAL_ERROR;
    /// a call from a signal handler that interrupted the library is ERROR_INVALID_OPERATION.
    static func from(_ error: HostSecError) -> UInt32 {
        let hr = UInt32(bitPattern: error.hr)
        switch hr {
        case UInt32(bitPattern: HResult.pointer): return noAccess
        case UInt32(bitPattern: HResult.outOfMemory): return notEnoughMemory
        case UInt32(bitPattern: HResult.invalidOperation): return invalidOperation
        case _ where hr & 0xFFFF_0000 == 0x8007_0000: return hr & 0xFFFF
        default: return internalError
        }
    }
}

/// A Win32 failure with its error code.
struct Win32Failure: Error {
    let code: UInt32
    init(_ code: UInt32) { self.code = code }
    init(_ error: HostSecError) { code = Win32Error.from(error) }
}

/// Sets the calling thread's last error and returns FALSE.
@inline(__always) func win32Fail(_ code: UInt32) -> BOOL {
    hs_w32_set_last_error(code)
    return 0
}

/// Runs a Windows-named entry point over the core: refused from a signal handler that
/// interrupted the thread inside the library, checks the thread's credentials on its first
/// call (as every hostsec entry point does), turns a failure into FALSE + GetLastError.
@inline(__always) func win32(_ body: () throws(Win32Failure) -> Void) -> BOOL {
    let thread = hs_thread_self()!
    guard hs_enter(thread) else { return win32Fail(Win32Error.invalidOperation) }
    defer { hs_leave(thread) }
    do throws(Win32Failure) {
        do throws(HostSecError) { try Engine.shared.enterThread() } catch { throw Win32Failure(error) }
        try body()
        return 1
    } catch {
        return win32Fail(error.code)
    }
}

/// `win32` for a function that opens a token: its handle in `out` (the one place a Win32
/// function turns a `TokenHandle` into a `HANDLE`), NULL on every failure; a NULL out pointer
/// is ERROR_NOACCESS.
@inline(__always) func win32(
    _ out: UnsafeMutablePointer<HANDLE?>?,
    _ body: () throws(Win32Failure) -> TokenHandle
) -> BOOL {
    guard let out else { return win32Fail(Win32Error.noAccess) }
    out.pointee = nil
    return win32 { () throws(Win32Failure) in out.pointee = try body().cHandle }
}

/// Runs a core call, turning its error into a Win32 one.
@inline(__always) func core<T>(_ body: () throws(HostSecError) -> T) throws(Win32Failure) -> T {
    do throws(HostSecError) { return try body() } catch { throw Win32Failure(error) }
}

/// The pseudo-handles (winbase.h values): -1 the current process, -2 the current thread.
enum PseudoHandle {
    static var currentProcess: UnsafeMutableRawPointer { UnsafeMutableRawPointer(bitPattern: UInt(bitPattern: -1))! }
    static var currentThread: UnsafeMutableRawPointer { UnsafeMutableRawPointer(bitPattern: UInt(bitPattern: -2))! }
}
