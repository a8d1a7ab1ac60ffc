import CHostSec

/// IClassFactory for CLSID_HostSecurityManager and CLSID_HostControl.
enum ClassFactory {
    /// The class each factory makes.
    static func product(of factory: ObjectKind) -> ObjectKind {
        factory == .securityManagerFactory ? .securityManager : .hostControl
    }

    static func createInstance(_ this: UnsafeMutableRawPointer?, _ outer: UnsafeMutablePointer<IUnknown>?,
                               _ riid: UnsafePointer<IID>?,
                               _ ppv: UnsafeMutablePointer<UnsafeMutableRawPointer?>?) -> HRESULT {
        guard let ppv else { return HResult.pointer }
        ppv.pointee = nil
        guard let this, let riid else { return HResult.pointer }
        if outer != nil { return HResult.noAggregation }
        let factory = ObjectKind(rawValue: ComObject.object(this).pointee.kind)!
        return ComObject.handOut(product(of: factory), riid: riid, ppv)
    }

    static func lockServer(_ lock: BOOL) -> HRESULT {
        if lock != 0 {
            hs_counter_add(Int32(HS_COUNTER_LOCKS), 1)
            return HResult.ok
        }
        // Never below zero: an unbalanced unlock is refused and changes nothing.
        let locks = hs_counter_ptr(Int32(HS_COUNTER_LOCKS))!
        var current = hs_load_acquire(locks)
        while current > 0 {
            if hs_cas(locks, &current, current - 1) { return HResult.ok }
        }
        return HResult.unexpected
    }
}

extension Vtables {
    nonisolated(unsafe) static let classFactory: UnsafeRawPointer = {
        let table = UnsafeMutablePointer<IClassFactoryVtbl>.allocate(capacity: 1)
        table.initialize(to: IClassFactoryVtbl(
            QueryInterface: { ComObject.queryInterface($0, $1, $2) },
            AddRef: { ComObject.addRef($0) },
            Release: { ComObject.release($0) },
            CreateInstance: { ClassFactory.createInstance($0, $1, $2, $3) },
            LockServer: { _, lock in ClassFactory.lockServer(lock) }))
        return UnsafeRawPointer(table)
    }()
}
