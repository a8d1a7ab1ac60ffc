import CHostSec

/// The vtables, built once and never freed: every object of a class points at the same one.
enum Vtables {}

/// Runs a core operation and turns its typed error into the HRESULT.
@inline(__always) func hresult(_ body: () throws(HostSecError) -> Void) -> HRESULT {
    do {
        try body()
        return HResult.ok
    } catch {
        return error.hr
    }
}

/// Runs a core operation that produces a value for an out pointer: the value on success,
/// NULL on every failure. A NULL out pointer is `E_POINTER`.
@inline(__always) func hresult<T>(_ out: UnsafeMutablePointer<T?>?,
                                  _ body: () throws(HostSecError) -> T) -> HRESULT {
    guard let out else { return HResult.pointer }
    do {
        out.pointee = try body()
        return HResult.ok
    } catch {
        out.pointee = nil
        return error.hr
    }
}
