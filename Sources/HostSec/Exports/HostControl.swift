import CHostSec

/// IHostControl: how a runtime finds the host's managers. Only the security manager is
/// served; SetAppDomainManager is accepted and the manager is not kept (hostsec never calls
/// into the runtime's AppDomain manager).
enum HostControl {
    static func getHostManager(
        _ riid: UnsafePointer<IID>?,
        _ ppv: UnsafeMutablePointer<UnsafeMutableRawPointer?>?
    ) -> HRESULT {
        guard let ppv else { return HResult.pointer }
        ppv.pointee = nil
        guard let riid else { return HResult.pointer }
        if Engine.shared.isClosed { return HResult.clrNotAvailable }
        guard sameIID(riid, IID_IHostSecurityManager) else { return HResult.noInterface }
        return ComObject.handOut(.securityManager, riid: riid, ppv)
    }

    static func setAppDomainManager() -> HRESULT {
        Engine.shared.isClosed ? HResult.clrNotAvailable : HResult.ok
    }
}

// IHostControl's slots (vtables.c's control_vtbl).

@c @implementation
func hs_control_QueryInterface(
    _ This: UnsafeMutablePointer<IHostControl>?, _ riid: UnsafePointer<IID>?,
    _ ppvObject: UnsafeMutablePointer<UnsafeMutableRawPointer?>?
) -> HRESULT {
    ComObject.queryInterface(UnsafeMutableRawPointer(This), riid, ppvObject, own: .hostControl)
}

@c @implementation
func hs_control_AddRef(_ This: UnsafeMutablePointer<IHostControl>?) -> ULONG {
    ComObject.addRef(UnsafeMutableRawPointer(This))
}

@c @implementation
func hs_control_Release(_ This: UnsafeMutablePointer<IHostControl>?) -> ULONG {
    ComObject.release(UnsafeMutableRawPointer(This))
}

@c @implementation
func hs_control_GetHostManager(
    _ This: UnsafeMutablePointer<IHostControl>?, _ riid: UnsafePointer<IID>?,
    _ ppObject: UnsafeMutablePointer<UnsafeMutableRawPointer?>?
) -> HRESULT {
    HostControl.getHostManager(riid, ppObject)
}

@c @implementation
func hs_control_SetAppDomainManager(
    _ This: UnsafeMutablePointer<IHostControl>?, _ dwAppDomainID: DWORD,
    _ pUnkAppDomainManager: UnsafeMutablePointer<IUnknown>?
) -> HRESULT {
    HostControl.setAppDomainManager()
}
