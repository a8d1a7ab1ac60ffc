import CHostSec

/// The static interface descriptions of typeinfo.c, as the invoker and the tracer read them.
enum TypeInfo {
    /// Every described interface, in hostsec.h's order.
    nonisolated(unsafe) static let interfaces: [UnsafePointer<HOSTSEC_INTERFACE_INFO>] = {
        var all: [UnsafePointer<HOSTSEC_INTERFACE_INFO>] = []
        while let info = hs_interface_info_at(UInt32(all.count)) { all.append(info) }
        return all
    }()

    static func find(_ riid: UnsafePointer<IID>) -> UnsafePointer<HOSTSEC_INTERFACE_INFO>? {
        interfaces.first { sameIID(riid, $0.pointee.Iid.pointee) }
    }

    /// The interface's name when the IID is described, e.g. "IID_IHostSecurityManager", or
    /// the class's name for the library's CLSIDs.
    static func iidName(_ riid: UnsafePointer<IID>) -> String? {
        if sameIID(riid, CLSID_HostSecurityManager) { return "CLSID_HostSecurityManager" }
        if sameIID(riid, CLSID_HostControl) { return "CLSID_HostControl" }
        return find(riid).map { "IID_" + String(cString: $0.pointee.Name) }
    }

    static func method(_ info: UnsafePointer<HOSTSEC_INTERFACE_INFO>, _ slot: Int) -> UnsafePointer<HOSTSEC_METHOD_INFO>
    {
        info.pointee.Methods + slot
    }
}

// The exported functions' bodies (Exports/EmbeddingEntryPoints.swift exports them).

/// `HostSec_GetInterfaceInfo`.
func interfaceInfo(
    _ riid: UnsafePointer<IID>?,
    _ ppInfo: UnsafeMutablePointer<UnsafePointer<HOSTSEC_INTERFACE_INFO>?>?
) -> HRESULT {
    guard let ppInfo else { return HResult.pointer }
    ppInfo.pointee = nil
    guard let riid else { return HResult.pointer }
    guard let info = TypeInfo.find(riid) else { return HResult.noInterface }
    ppInfo.pointee = info
    return HResult.ok
}

/// `HostSec_GetInterfaceInfoAt`.
func interfaceInfoAt(
    _ index: DWORD,
    _ ppInfo: UnsafeMutablePointer<UnsafePointer<HOSTSEC_INTERFACE_INFO>?>?
) -> HRESULT {
    guard let ppInfo else { return HResult.pointer }
    ppInfo.pointee = hs_interface_info_at(index)
    return ppInfo.pointee == nil ? HResult.invalidArg : HResult.ok
}

/// `HostSec_GetFunctionInfoAt`.
func functionInfoAt(
    _ index: DWORD,
    _ ppInfo: UnsafeMutablePointer<UnsafePointer<HOSTSEC_METHOD_INFO>?>?
) -> HRESULT {
    guard let ppInfo else { return HResult.pointer }
    ppInfo.pointee = hs_function_info_at(index)
    return ppInfo.pointee == nil ? HResult.invalidArg : HResult.ok
}
