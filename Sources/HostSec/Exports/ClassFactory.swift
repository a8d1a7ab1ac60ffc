import CHostSec

/// IClassFactory for CLSID_HostSecurityManager and CLSID_HostControl.
enum ClassFactory {
    /// The class each factory makes.
    static func product(of factory: ObjectKind) -> ObjectKind {
        factory == .securityManagerFactory ? .securityManager : .hostControl
    }

    static func createInstance(
        _ this: UnsafeMutableRawPointer?, _ outer: UnsafeMutablePointer<IUnknown>?,
        _ riid: UnsafePointer<IID>?,
        _ ppv: UnsafeMutablePointer<UnsafeMutableRawPointer?>?
    ) -> HRESULT {
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

// IClassFactory's slots (vtables.c's factory_vtbl).

@c @implementation
func hs_factory_QueryInterface(
    _ This: UnsafeMutablePointer<IClassFactory>?, _ riid: UnsafePointer<IID>?,
    _ ppvObject: UnsafeMutablePointer<UnsafeMutableRawPointer?>?
) -> HRESULT {
    ComObject.queryInterface(UnsafeMutableRawPointer(This), riid, ppvObject, own: .securityManagerFactory)
}

@c @implementation
func hs_factory_AddRef(_ This: UnsafeMutablePointer<IClassFactory>?) -> ULONG {
    ComObject.addRef(UnsafeMutableRawPointer(This))
}

@c @implementation
func hs_factory_Release(_ This: UnsafeMutablePointer<IClassFactory>?) -> ULONG {
    ComObject.release(UnsafeMutableRawPointer(This))
}

@c @implementation
func hs_factory_CreateInstance(
    _ This: UnsafeMutablePointer<IClassFactory>?, _ pUnkOuter: UnsafeMutablePointer<IUnknown>?,
    _ riid: UnsafePointer<IID>?,
    _ ppvObject: UnsafeMutablePointer<UnsafeMutableRawPointer?>?
) -> HRESULT {
    ClassFactory.createInstance(UnsafeMutableRawPointer(This), pUnkOuter, riid, ppvObject)
}

@c @implementation
func hs_factory_LockServer(_ This: UnsafeMutablePointer<IClassFactory>?, _ fLock: BOOL) -> HRESULT {
    ClassFactory.lockServer(fLock)
}
