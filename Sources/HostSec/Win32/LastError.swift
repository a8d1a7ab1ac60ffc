import CHostSec

/// The Win32 error a core failure means: a wrapped Win32 code is unwrapped; E_POINTER is
/// ERROR_NOACCESS (what Windows reports for a pointer it cannot use); a library that failed
/// closed (E_FAIL, HOST_E_CLRNOTAVAILABLE) or an unexpected failure is ERROR_INTERNAL_ERROR;
/// a call from a signal handler that interrupted the library is ERROR_INVALID_OPERATION. The
/// codes are the headers' ERROR_* (winerror.h values), read from C.
func win32Error(_ error: HostSecError) -> UInt32 {
    let hr = UInt32(bitPattern: error.hr)
    switch hr {
    case UInt32(bitPattern: HResult.pointer): return UInt32(ERROR_NOACCESS)
    case UInt32(bitPattern: HResult.outOfMemory): return UInt32(ERROR_NOT_ENOUGH_MEMORY)
    case UInt32(bitPattern: HResult.invalidOperation): return UInt32(ERROR_INVALID_OPERATION)
    case _ where hr & 0xFFFF_0000 == 0x8007_0000: return hr & 0xFFFF  // HRESULT_FROM_WIN32(code)
    default: return UInt32(ERROR_INTERNAL_ERROR)
    }
}

/// A Win32 failure with its error code.
struct Win32Failure: Error {
    let code: UInt32
    init(_ code: UInt32) { self.code = code }
    /// One of the headers' ERROR_* codes (a C `long`).
    init(_ code: Int) { self.code = UInt32(code) }
    init(_ error: HostSecError) { code = win32Error(error) }
}

/// Sets the calling thread's last error to one of the headers' ERROR_* codes.
@inline(__always) func setLastError(_ code: Int) { hs_w32_set_last_error(DWORD(code)) }

/// Sets the calling thread's last error and returns FALSE.
@inline(__always) func win32Fail(_ code: UInt32) -> BOOL {
    hs_w32_set_last_error(code)
    return 0
}

/// `win32Fail` with one of the headers' ERROR_* codes.
@inline(__always) func win32Fail(_ code: Int) -> BOOL { win32Fail(UInt32(code)) }

/// Runs a Windows-named entry point over the core: refused from a signal handler that
/// interrupted the thread inside the library, checks the thread's credentials on its first
/// call (as every hostsec entry point does), turns a failure into FALSE + GetLastError.
@inline(__always) func win32(_ body: () throws(Win32Failure) -> Void) -> BOOL {
    let thread = hs_thread_self()!
    guard hs_enter(thread) else { return win32Fail(ERROR_INVALID_OPERATION) }
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
    guard let out else { return win32Fail(ERROR_NOACCESS) }
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
