import CHostSec

/// IHostControl: how a runtime finds the host's managers. Only the security manager is
/// served; SetAppDomainManager is accepted and the manager is not kept (hostsec never calls
/// into the runtime's AppDomain manager).
enum HostControl {
    static func getHostManager(_ riid: UnsafePointer<IID>?,
                               _ ppv: UnsafeMutablePointer<UnsafeMutableRawPointer?>?) -> HRESULT {
        guard let ppv else { return HResult.pointer }
        ppv.pointee = nil
        guard let riid else { return HResult.pointer }
        if HostSecurity.shared.isClosed { return HResult.clrNotAvailable }
        guard sameIID(riid, IID_IHostSecurityManager) else { return HResult.noInterface }
        return ComObject.handOut(.securityManager, riid: riid, ppv)
    }

    static func setAppDomainManager() -> HRESULT {
        HostSecurity.shared.isClosed ? HResult.clrNotAvailable : HResult.ok
    }
}

extension Vtables {
    nonisolated(unsafe) static let hostControl: UnsafeRawPointer = {
        let table = UnsafeMutablePointer<IHostControlVtbl>.allocate(capacity: 1)
        table.initialize(to: IHostControlVtbl(
            QueryInterface: { ComObject.queryInterface($0, $1, $2) },
            AddRef: { ComObject.addRef($0) },
            Release: { ComObject.release($0) },
            GetHostManager: { _, riid, ppv in HostControl.getHostManager(riid, ppv) },
            SetAppDomainManager: { _, _, _ in HostControl.setAppDomainManager() }))
        return UnsafeRawPointer(table)
    }()
}
