import CHostSec
import CLibFFI

/// libffi call signatures for every described slot (This first, then the parameters),
/// prepared once and never freed: HostSec_Invoke calls through them and the tracer's
/// closures are built on them.
enum Signatures {
    /// `cifs[i][slot]` for `TypeInfo.interfaces[i]`; nil where libffi refused the signature.
    nonisolated(unsafe) static let cifs: [[UnsafeMutablePointer<ffi_cif>?]] =
        TypeInfo.interfaces.map { info in
            (0..<Int(info.pointee.MethodCount)).map { prepare(TypeInfo.method(info, $0)) }
        }

    static func ffiType(_ abi: DWORD) -> UnsafeMutablePointer<ffi_type> {
        switch abi {
        case HOSTSEC_ABI_INT32.rawValue: return hs_ffi_type_sint32()
        case HOSTSEC_ABI_UINT32.rawValue: return hs_ffi_type_uint32()
        default: return hs_ffi_type_pointer()
        }
    }

    private static func prepare(_ method: UnsafePointer<HOSTSEC_METHOD_INFO>) -> UnsafeMutablePointer<ffi_cif>? {
        let count = Int(method.pointee.ParamCount)
        let types = UnsafeMutablePointer<UnsafeMutablePointer<ffi_type>?>.allocate(capacity: count + 1)
        types[0] = hs_ffi_type_pointer()  // This
        for i in 0..<count { types[i + 1] = ffiType(method.pointee.Params[i].AbiKind) }
        let cif = UnsafeMutablePointer<ffi_cif>.allocate(capacity: 1)
        let status = ffi_prep_cif(
            cif, hs_ffi_default_abi(), UInt32(count + 1),
            ffiType(method.pointee.ReturnAbiKind), types)
        return status == FFI_OK ? cif : nil
    }

    static func index(of riid: UnsafePointer<IID>) -> Int? {
        TypeInfo.interfaces.firstIndex { sameIID(riid, $0.pointee.Iid.pointee) }
    }

    /// Slot `slot` of an interface pointer's vtable.
    @inline(__always) static func function(_ this: UnsafeMutableRawPointer, _ slot: Int) -> UnsafeRawPointer? {
        this.load(as: UnsafeRawPointer.self).load(
            fromByteOffset: slot * MemoryLayout<UnsafeRawPointer>.stride,
            as: UnsafeRawPointer?.self)
    }

    /// ffi_call; the return value comes back widened to ffi_arg and is cut to its 32 bits.
    @inline(__always) static func call(
        _ cif: UnsafeMutablePointer<ffi_cif>, _ function: UnsafeRawPointer,
        _ args: UnsafeMutablePointer<UnsafeMutableRawPointer?>
    ) -> UInt32 {
        var result: ffi_arg = 0
        ffi_call(cif, unsafeBitCast(function, to: (@convention(c) () -> Void).self), &result, args)
        return UInt32(truncatingIfNeeded: result)
    }
}

/// The interface a pointer implements besides IUnknown when it is one of the library's own
/// objects or tracing proxies (their vtable pointer is the library's), else nil. Reading the
/// vtable pointer is safe for any COM object.
func ownInterface(of this: UnsafeMutableRawPointer) -> IID? {
    let object = this.assumingMemoryBound(to: hs_object.self)
    let vtable = object.pointee.lpVtbl
    guard vtable != nil else { return nil }
    // A library object's kind names its vtable; only then is the kind field its own.
    let kind = object.pointee.kind
    let own = Tracer.isProxyVtable(vtable) || (hs_vtable(kind) != nil && hs_vtable(kind) == vtable)
    guard own, let iid = hs_kind_iid(kind) else { return nil }
    return iid.pointee
}

/// `HostSec_Invoke` (exported by Exports/EmbeddingEntryPoints.swift).
func invokeMethod(
    _ pInterface: UnsafeMutableRawPointer?, _ riid: UnsafePointer<IID>?, _ slot: DWORD,
    _ args: UnsafeMutablePointer<UnsafeMutableRawPointer?>?,
    _ pResult: UnsafeMutableRawPointer?
) -> HRESULT {
    guard let pInterface, let riid, let pResult else { return HResult.pointer }
    guard let index = Signatures.index(of: riid) else { return HResult.noInterface }
    let info = TypeInfo.interfaces[index]
    guard slot < info.pointee.MethodCount else { return HResult.invalidArg }
    let count = Int(TypeInfo.method(info, Int(slot)).pointee.ParamCount)
    if count > 0 {
        guard let args else { return HResult.pointer }
        for i in 0..<count where args[i] == nil { return HResult.pointer }
    }
    if let own = ownInterface(of: pInterface), !sameIID(riid, own), !sameIID(riid, IID_IUnknown) {
        return HResult.noInterface
    }
    guard let cif = Signatures.cifs[index][Int(slot)] else { return HResult.unexpected }
    guard let function = Signatures.function(pInterface, Int(slot)) else { return HResult.pointer }
    var this: UnsafeMutableRawPointer? = pInterface
    let result = withUnsafeMutablePointer(to: &this) { thisPointer in
        withUnsafeTemporaryAllocation(of: UnsafeMutableRawPointer?.self, capacity: count + 1) { values in
            values[0] = UnsafeMutableRawPointer(thisPointer)
            for i in 0..<count { values[i + 1] = args![i] }
            return Signatures.call(cif, function, values.baseAddress!)
        }
    }
    pResult.storeBytes(of: result, as: UInt32.self)
    return HResult.ok
}
