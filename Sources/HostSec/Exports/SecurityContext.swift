import CHostSec

/// IHostSecurityContext: a captured identity. Its payload is the captured thread token, or
/// none when the thread was not impersonating (applying it then reverts). Immutable, so any
/// thread may use or release it.
enum SecurityContext {
    static func restricted(_ type: EContextType) -> Bool? {
        switch type {
        case eCurrentContext: return false
        case eRestrictedContext: return true
        default: return nil
        }
    }

    static func get(
        _ type: EContextType,
        _ out: UnsafeMutablePointer<UnsafeMutablePointer<IHostSecurityContext>?>?
    ) -> HRESULT {
        hresult(out) { () throws(HostSecError) in
            guard let restricted = restricted(type) else { throw .invalidArg }
            let token = try Engine.shared.captureContext(restricted: restricted)
            guard let object = ComObject.create(.securityContext, payload: token) else { throw .outOfMemory }
            return UnsafeMutableRawPointer(object).assumingMemoryBound(to: IHostSecurityContext.self)
        }
    }

    static func set(_ type: EContextType, _ context: UnsafeMutablePointer<IHostSecurityContext>?) -> HRESULT {
        // No closed check here: applying a context that captured "not impersonating" reverts
        // the thread even after the library closed (applyContext checks the rest).
        hresult { () throws(HostSecError) in
            guard let restricted = restricted(type) else { throw .invalidArg }
            guard let context else { throw .pointer }
            let raw = Tracer.unwrapped(UnsafeMutableRawPointer(context))  // a tracing proxy's own object
            // Only the library's own contexts can be applied; the vtable pointer is the one field
            // every COM object has, so reading it is safe for a foreign object too.
            guard ComObject.object(raw).pointee.lpVtbl == ObjectKind.securityContext.vtable else { throw .invalidArg }
            try Engine.shared.applyContext(token(of: raw), restricted: restricted)
        }
    }

    static func token(of context: UnsafeMutableRawPointer) -> Token? {
        guard let payload = ComObject.object(context).pointee.payload else { return nil }
        return Unmanaged<Token>.fromOpaque(payload).takeUnretainedValue()
    }

    static func capture(
        _ this: UnsafeMutableRawPointer?,
        _ out: UnsafeMutablePointer<UnsafeMutablePointer<IHostSecurityContext>?>?
    ) -> HRESULT {
        hresult(out) { () throws(HostSecError) in
            try Engine.shared.ensureOpen()
            guard let this else { throw .pointer }
            guard let object = ComObject.create(.securityContext, payload: token(of: this)) else { throw .outOfMemory }
            return UnsafeMutableRawPointer(object).assumingMemoryBound(to: IHostSecurityContext.self)
        }
    }
}

// IHostSecurityContext's slots (vtables.c's context_vtbl).

@c @implementation
func hs_context_QueryInterface(
    _ This: UnsafeMutablePointer<IHostSecurityContext>?, _ riid: UnsafePointer<IID>?,
    _ ppvObject: UnsafeMutablePointer<UnsafeMutableRawPointer?>?
) -> HRESULT {
    ComObject.queryInterface(UnsafeMutableRawPointer(This), riid, ppvObject, own: .securityContext)
}

@c @implementation
func hs_context_AddRef(_ This: UnsafeMutablePointer<IHostSecurityContext>?) -> ULONG {
    ComObject.addRef(UnsafeMutableRawPointer(This))
}

@c @implementation
func hs_context_Release(_ This: UnsafeMutablePointer<IHostSecurityContext>?) -> ULONG {
    ComObject.release(UnsafeMutableRawPointer(This))
}

@c @implementation
func hs_context_Capture(
    _ This: UnsafeMutablePointer<IHostSecurityContext>?,
    _ ppClonedContext: UnsafeMutablePointer<UnsafeMutablePointer<IHostSecurityContext>?>?
) -> HRESULT {
    SecurityContext.capture(UnsafeMutableRawPointer(This), ppClonedContext)
}
