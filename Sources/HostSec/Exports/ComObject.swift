import CHostSec
#if canImport(Glibc)
import Glibc
#endif

/// The classes of COM object the library hands out.
enum ObjectKind: UInt32 {
    case securityManagerFactory = 1
    case hostControlFactory
    case hostControl
    case securityManager
    case securityContext

    /// The interface the object implements besides IUnknown.
    var iid: IID {
        switch self {
        case .securityManagerFactory, .hostControlFactory: return IID_IClassFactory
        case .hostControl: return IID_IHostControl
        case .securityManager: return IID_IHostSecurityManager
        case .securityContext: return IID_IHostSecurityContext
        }
    }

    var vtable: UnsafeRawPointer {
        switch self {
        case .securityManagerFactory, .hostControlFactory: return Vtables.classFactory
        case .hostControl: return Vtables.hostControl
        case .securityManager: return Vtables.securityManager
        case .securityContext: return Vtables.securityContext
        }
    }
}

@inline(__always) func sameIID(_ a: UnsafePointer<IID>, _ b: IID) -> Bool {
    withUnsafeBytes(of: b) { memcmp(a, $0.baseAddress!, 16) == 0 }
}

/// COM identity and lifetime for every object: a C-layout `hs_object` block whose first
/// member is the vtable pointer, an atomic reference count in the block, and an optional
/// retained Swift payload. No ARC traffic on AddRef/Release/QueryInterface.
enum ComObject {
    /// A new object with one reference, or nil when out of memory.
    static func create(_ kind: ObjectKind, payload: AnyObject? = nil) -> UnsafeMutablePointer<hs_object>? {
        guard let raw = malloc(MemoryLayout<hs_object>.stride) else { return nil }
        let object = raw.bindMemory(to: hs_object.self, capacity: 1)
        object.initialize(to: hs_object(lpVtbl: kind.vtable, refs: 1, kind: kind.rawValue,
                                        payload: payload.map { Unmanaged.passRetained($0).toOpaque() },
                                        inner: nil))
        hs_live_add(Int32(HS_LIVE_OBJECTS), 1)
        // The call tracer's only cost when off: one relaxed load per object created.
        if Tracer.isOn { return Tracer.wrap(object) }
        return object
    }

    @inline(__always) static func object(_ this: UnsafeMutableRawPointer) -> UnsafeMutablePointer<hs_object> {
        this.assumingMemoryBound(to: hs_object.self)
    }

    @inline(__always) static func addRef(_ this: UnsafeMutableRawPointer?) -> ULONG {
        guard let this else { return 0 }
        return hs_refs_add(object(this))
    }

    @inline(__always) static func release(_ this: UnsafeMutableRawPointer?) -> ULONG {
        guard let this else { return 0 }
        let o = object(this)
        let remaining = hs_refs_sub(o)
        if remaining == 0 { destroy(o) }
        return remaining
    }

    @inline(never) static func destroy(_ o: UnsafeMutablePointer<hs_object>) {
        if let payload = o.pointee.payload { Unmanaged<AnyObject>.fromOpaque(payload).release() }
        o.deinitialize(count: 1)
        free(o)
        hs_live_add(Int32(HS_LIVE_OBJECTS), -1)
    }

    @inline(__always) static func queryInterface(_ this: UnsafeMutableRawPointer?, _ riid: UnsafePointer<IID>?,
                                                 _ ppv: UnsafeMutablePointer<UnsafeMutableRawPointer?>?) -> HRESULT {
        guard let ppv else { return HResult.pointer }
        guard let this, let riid else {
            ppv.pointee = nil
            return HResult.pointer
        }
        let kind = ObjectKind(rawValue: object(this).pointee.kind)!
        if sameIID(riid, kind.iid) || sameIID(riid, IID_IUnknown) {
            hs_refs_add(object(this))
            ppv.pointee = this
            return HResult.ok
        }
        ppv.pointee = nil
        return HResult.noInterface
    }

    /// The Swift payload of an object, without a retain.
    @inline(__always) static func payload<T: AnyObject>(_ this: UnsafeMutableRawPointer, as _: T.Type) -> Unmanaged<T> {
        Unmanaged<T>.fromOpaque(object(this).pointee.payload!)
    }

    /// Hands a new object out through `ppv` as interface `riid` (the caller's reference
    /// replaces the creation reference).
    static func handOut(_ kind: ObjectKind, payload: AnyObject? = nil, riid: UnsafePointer<IID>,
                        _ ppv: UnsafeMutablePointer<UnsafeMutableRawPointer?>) -> HRESULT {
        guard sameIID(riid, kind.iid) || sameIID(riid, IID_IUnknown) else {
            ppv.pointee = nil
            return HResult.noInterface
        }
        guard let object = create(kind, payload: payload) else {
            ppv.pointee = nil
            return HResult.outOfMemory
        }
        ppv.pointee = UnsafeMutableRawPointer(object)
        return HResult.ok
    }
}
