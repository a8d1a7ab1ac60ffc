import CHostSec

// The C entry points of hostsec.h's embedding section (type information, invoker, tracer).
// Each is traced like every flat function; the work is in the Embedding layer.

@c @implementation
package func HostSec_GetInterfaceInfo(
    _ riid: UnsafePointer<IID>?,
    _ ppInfo: UnsafeMutablePointer<UnsafePointer<HOSTSEC_INTERFACE_INFO>?>?
) -> HRESULT {
    traced(Int32(HS_FUNCTION_HostSec_GetInterfaceInfo), riid, ppInfo) { interfaceInfo(riid, ppInfo) }
}

@c @implementation
package func HostSec_GetInterfaceInfoAt(
    _ index: DWORD,
    _ ppInfo: UnsafeMutablePointer<UnsafePointer<HOSTSEC_INTERFACE_INFO>?>?
) -> HRESULT {
    traced(Int32(HS_FUNCTION_HostSec_GetInterfaceInfoAt), index, ppInfo) {
        interfaceInfoAt(index, ppInfo)
    }
}

@c @implementation
package func HostSec_GetFunctionInfoAt(
    _ index: DWORD,
    _ ppInfo: UnsafeMutablePointer<UnsafePointer<HOSTSEC_METHOD_INFO>?>?
) -> HRESULT {
    traced(Int32(HS_FUNCTION_HostSec_GetFunctionInfoAt), index, ppInfo) {
        functionInfoAt(index, ppInfo)
    }
}

@c @implementation
package func HostSec_Invoke(
    _ pInterface: UnsafeMutableRawPointer?, _ riid: UnsafePointer<IID>?, _ slot: DWORD,
    _ args: UnsafeMutablePointer<UnsafeMutableRawPointer?>?,
    _ pResult: UnsafeMutableRawPointer?
) -> HRESULT {
    traced(Int32(HS_FUNCTION_HostSec_Invoke), pInterface, riid, slot, args, pResult) {
        invokeMethod(pInterface, riid, slot, args, pResult)
    }
}

@c @implementation
package func HostSec_SetTrace(_ enable: BOOL, _ path: UnsafePointer<CChar>?) -> HRESULT {
    traced(Int32(HS_FUNCTION_HostSec_SetTrace), enable, path) { setTrace(enable, path) }
}
