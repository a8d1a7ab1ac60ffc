import CHostSec
#if canImport(Glibc)
import Glibc
#endif

/// The classes of COM object the library hands out (`HS_KIND_*` of vtable_slots.h).
enum ObjectKind: UInt32 {
    case securityManagerFactory = 1  // HS_KIND_SECURITY_MANAGER_FACTORY
    case hostControlFactory  // HS_KIND_HOST_CONTROL_FACTORY
    case hostControl  // HS_KIND_HOST_CONTROL
    case securityManager  // HS_KIND_SECURITY_MANAGER
    case securityContext  // HS_KIND_SECURITY_CONTEXT

    /// The interface the object implements besides IUnknown (`hs_kind_iid` of vtables.c) as the
    /// two little-endian 64-bit words of its 16 bytes: QueryInterface compares with constants,
    /// no load of the IID data. (A unit test checks them against the header.)
    @inline(__always) var iidWords: IIDWords {
        switch self {
        case .securityManagerFactory, .hostControlFactory: return IIDWords(0x0000_0000_0000_0001, 0x4600_0000_0000_00C0)
        case .hostControl: return IIDWords(0x4860_7079_02CA_073C, 0x91C9_49A4_F7C2_0A88)
        case .securityManager: return IIDWords(0x4D02_A349_75AD_2468, 0x4F0C_EE8A_A676_64A7)
        case .securityContext: return IIDWords(0x4423_0343_7E57_3CE4, 0x3C1D_8A34_1863_D798)
        }
    }

    /// The class's vtable: a `static const` table in vtables.c, read-only once relocated; every
    /// object of the class points at it. Each slot is a named `@c @implementation` function in
    /// the class's file, declared in vtable_slots.h.
    var vtable: UnsafeRawPointer { hs_vtable(rawValue)! }
}

/// COM identity and lifetime for every object: a C-layout `hs_object` block whose first
/// member is the vtable pointer, an atomic reference count in the block, and an optional
/// retained Swift payload. No ARC traffic on AddRef/Release/QueryInterface.
enum ComObject {
    /// A new object with one reference, or nil when out of memory.
    static func create(_ kind: ObjectKind, payload: AnyObject? = nil) -> UnsafeMutablePointer<hs_object>? {
        guard let raw = malloc(MemoryLayout<hs_object>.stride) else { return nil }
        let object = raw.bindMemory(to: hs_object.self, capacity: 1)
        object.initialize(
            to: hs_object(
                lpVtbl: kind.vtable, refs: 1, kind: kind.rawValue,
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

    /// QueryInterface of an object of class `own`: itself for IUnknown and for its own
    /// interface (both two 64-bit compares with constants), else E_NOINTERFACE.
    @inline(__always) static func queryInterface(
        _ this: UnsafeMutableRawPointer?, _ riid: UnsafePointer<IID>?,
        _ ppv: UnsafeMutablePointer<UnsafeMutableRawPointer?>?,
        own: ObjectKind
    ) -> HRESULT {
        guard let ppv else { return HResult.pointer }
        guard let this, let riid else {
            ppv.pointee = nil
            return HResult.pointer
        }
        let asked = IIDWords(riid)
        if asked == own.iidWords || asked == IIDWords.unknown {
            hs_refs_add(object(this))
            ppv.pointee = this
            return HResult.ok
        }
        ppv.pointee = nil
        return HResult.noInterface
    }

    /// QueryInterface for an object whose class is read from its block (the tracer's).
    static func queryInterface(
        _ this: UnsafeMutableRawPointer?, _ riid: UnsafePointer<IID>?,
        _ ppv: UnsafeMutablePointer<UnsafeMutableRawPointer?>?
    ) -> HRESULT {
        guard let this, let kind = ObjectKind(rawValue: object(this).pointee.kind) else {
            return queryInterface(nil, riid, ppv, own: .securityManager)
        }
        return queryInterface(this, riid, ppv, own: kind)
    }

    /// The Swift payload of an object, without a retain.
    @inline(__always) static func payload<T: AnyObject>(_ this: UnsafeMutableRawPointer, as _: T.Type) -> Unmanaged<T> {
        Unmanaged<T>.fromOpaque(object(this).pointee.payload!)
    }

    /// Hands a new object out through `ppv` as interface `riid` (the caller's reference
    /// replaces the creation reference).
    static func handOut(
        _ kind: ObjectKind, payload: AnyObject? = nil, riid: UnsafePointer<IID>,
        _ ppv: UnsafeMutablePointer<UnsafeMutableRawPointer?>
    ) -> HRESULT {
        let asked = IIDWords(riid)
        guard asked == kind.iidWords || asked == IIDWords.unknown else {
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
