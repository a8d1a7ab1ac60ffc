import CHostSec

/// Runs a core operation and turns its typed error into the HRESULT. A call made while the
/// same thread is already inside the library (a signal handler that interrupted it) is refused
/// with `HOST_E_INVALIDOPERATION` and changes nothing: the thread's state is mid-update. A
/// thread's first call puts it back to the process token first, if it holds other credentials
/// (`Engine.enterThread`).
@inline(__always) func hresult(_ body: () throws(HostSecError) -> Void) -> HRESULT {
    let thread = hs_thread_self()!
    guard hs_enter(thread) else { return HResult.invalidOperation }
    defer { hs_leave(thread) }
    do {
        try Engine.shared.enterThread()
        try body()
        return HResult.ok
    } catch {
        return error.hr
    }
}

/// Runs a core operation that produces a value for an out pointer: the value on success,
/// NULL on every failure. A NULL out pointer is `E_POINTER`.
@inline(__always) func hresult<T>(
    _ out: UnsafeMutablePointer<T?>?,
    _ body: () throws(HostSecError) -> T
) -> HRESULT {
    guard let out else { return HResult.pointer }
    let thread = hs_thread_self()!
    guard hs_enter(thread) else {
        out.pointee = nil
        return HResult.invalidOperation
    }
    defer { hs_leave(thread) }
    do {
        try Engine.shared.enterThread()
        out.pointee = try body()
        return HResult.ok
    } catch {
        out.pointee = nil
        return error.hr
    }
}

/// `hresult` for an operation that opens a token: the handle becomes the caller's `HANDLE`
/// here, the one place an exported function turns a `TokenHandle` into one.
@inline(__always) func hresult(
    _ out: UnsafeMutablePointer<HANDLE?>?,
    _ body: () throws(HostSecError) -> TokenHandle
) -> HRESULT {
    hresult(out) { () throws(HostSecError) -> HANDLE in try body().cHandle }
}
