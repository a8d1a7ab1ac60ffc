import CHostSec
import CLibFFI
#if canImport(Glibc)
import Glibc
#endif

/// The call tracer ("relay"): while HS_COUNTER_TRACE is set, the exports wrap each new
/// object in a proxy, an `hs_object` whose vtable is built at run time from the type
/// information out of libffi closures and whose `inner` is the real object. Every slot of a
/// proxy logs the call; slots 0-2 keep the proxy's own COM identity and reference count, the
/// others forward to the real object with ffi_call. Objects without a proxy never reach this
/// file: with tracing off, the only cost is the one relaxed load when an object is made. The
/// tracer knows the library's objects only as `hs_object` blocks and calls them through their
/// own vtables, so it depends on the core and the shim, never on the exports that call it.
enum Tracer {
    /// What a closure needs to know about its slot.
    struct Slot {
        let interface: UnsafePointer<HOSTSEC_INTERFACE_INFO>
        let method: UnsafePointer<HOSTSEC_METHOD_INFO>
        let slot: Int
        let cif: UnsafeMutablePointer<ffi_cif>
    }

    /// One proxy vtable per described interface (TypeInfo.interfaces' order), immortal; nil
    /// when libffi could not make its closures.
    nonisolated(unsafe) static let vtables: [UnsafeRawPointer?] = TypeInfo.interfaces.indices.map(buildVtable)

    /// A proxy vtable on a page of its own, made read-only once filled (as the library's own
    /// vtables are), so a host cannot redirect the proxies' calls by writing through lpVtbl.
    private static func buildVtable(_ index: Int) -> UnsafeRawPointer? {
        let info = TypeInfo.interfaces[index]
        let count = Int(info.pointee.MethodCount)
        let bytes = count * MemoryLayout<UnsafeRawPointer?>.stride
        guard let page = mmap(nil, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0),
            page != MAP_FAILED
        else { return nil }
        let table = page.bindMemory(to: UnsafeRawPointer?.self, capacity: count)
        for slot in 0..<count {
            guard let cif = Signatures.cifs[index][slot] else { return nil }
            let context = UnsafeMutablePointer<Slot>.allocate(capacity: 1)
            context.initialize(to: Slot(interface: info, method: TypeInfo.method(info, slot), slot: slot, cif: cif))
            guard
                let code = hs_ffi_make_closure(
                    cif,
                    { _, ret, args, context in
                        Tracer.dispatch(context!.assumingMemoryBound(to: Slot.self), ret!, args!)
                    }, context)
            else { return nil }
            table[slot] = UnsafeRawPointer(code)
        }
        guard mprotect(page, bytes, PROT_READ) == 0 else { return nil }
        return UnsafeRawPointer(table)
    }

    @inline(__always) static var isOn: Bool {
        hs_load_relaxed(hs_counter_ptr(Int32(HS_COUNTER_TRACE))) != 0
    }

    static func isProxyVtable(_ vtable: UnsafeRawPointer?) -> Bool {
        vtable != nil && vtables.contains { $0 == vtable }
    }

    /// The real object behind a proxy; any other pointer unchanged.
    static func unwrapped(_ this: UnsafeMutableRawPointer) -> UnsafeMutableRawPointer {
        let object = this.assumingMemoryBound(to: hs_object.self)
        guard isProxyVtable(object.pointee.lpVtbl), let inner = object.pointee.inner else { return this }
        return inner
    }

    /// A proxy holding the new object's one reference, carrying that reference itself. If no
    /// proxy can be made the object is handed out as it is: tracing never fails a call.
    static func wrap(_ object: UnsafeMutablePointer<hs_object>) -> UnsafeMutablePointer<hs_object> {
        guard let iid = hs_kind_iid(object.pointee.kind), let index = Signatures.index(of: iid),
            let vtable = vtables[index], let raw = malloc(MemoryLayout<hs_object>.stride)
        else { return object }
        let proxy = raw.bindMemory(to: hs_object.self, capacity: 1)
        proxy.initialize(
            to: hs_object(
                lpVtbl: vtable, refs: 1, kind: object.pointee.kind, payload: nil,
                inner: UnsafeMutableRawPointer(object)))
        return proxy
    }

    // MARK: calls through a proxy

    static func dispatch(
        _ context: UnsafeMutablePointer<Slot>, _ ret: UnsafeMutableRawPointer,
        _ args: UnsafeMutablePointer<UnsafeMutableRawPointer?>
    ) {
        let slot = context.pointee
        let this = args[0]!.load(as: UnsafeMutableRawPointer.self)
        let proxy = this.assumingMemoryBound(to: hs_object.self)
        let inner = proxy.pointee.inner!
        let tracing = isOn
        let arguments = tracing ? TraceFormat.arguments(slot.method, args) : ""
        let start = TraceFormat.now()
        let result: UInt32
        switch slot.slot {
        case 0: result = UInt32(bitPattern: queryInterface(this, inner, args))
        case 1: result = hs_refs_add(proxy)
        case 2: result = release(proxy, inner)
        default: result = forward(slot, inner, args)
        }
        let elapsed = TraceFormat.now() &- start
        // libffi reads a closure's narrow result as a whole ffi_arg, extended to its width.
        if slot.method.pointee.ReturnAbiKind == HOSTSEC_ABI_INT32.rawValue {
            ret.storeBytes(of: ffi_arg(bitPattern: Int(Int32(bitPattern: result))), as: ffi_arg.self)
        } else {
            ret.storeBytes(of: ffi_arg(result), as: ffi_arg.self)
        }
        if tracing {
            TraceOutput.shared.write(
                TraceFormat.line(
                    slot, this: this, arguments: arguments, args: args,
                    result: result, nanoseconds: elapsed))
        }
    }

    /// QueryInterface answered by the real object; its own identity is mapped to the proxy's,
    /// so IUnknown and the own IID give back this very proxy, AddRef'd.
    private static func queryInterface(
        _ this: UnsafeMutableRawPointer, _ inner: UnsafeMutableRawPointer,
        _ args: UnsafeMutablePointer<UnsafeMutableRawPointer?>
    ) -> HRESULT {
        let riid = args[1]!.load(as: UnsafePointer<IID>?.self)
        let ppv = args[2]!.load(as: UnsafeMutablePointer<UnsafeMutableRawPointer?>?.self)
        let hr = Unknown.queryInterface(inner, riid, ppv)
        if hr == HResult.ok, let ppv, ppv.pointee == inner {
            _ = Unknown.release(inner)  // the proxy's own reference keeps it alive
            hs_refs_add(this.assumingMemoryBound(to: hs_object.self))
            ppv.pointee = this
        }
        return hr
    }

    /// The last Release frees the proxy and drops its reference to the real object.
    private static func release(_ proxy: UnsafeMutablePointer<hs_object>, _ inner: UnsafeMutableRawPointer) -> UInt32 {
        let remaining = hs_refs_sub(proxy)
        if remaining == 0 {
            _ = Unknown.release(inner)
            proxy.deinitialize(count: 1)
            free(proxy)
        }
        return remaining
    }

    private static func forward(
        _ slot: Slot, _ inner: UnsafeMutableRawPointer,
        _ args: UnsafeMutablePointer<UnsafeMutableRawPointer?>
    ) -> UInt32 {
        let count = Int(slot.method.pointee.ParamCount)
        var innerThis: UnsafeMutableRawPointer? = inner
        return withUnsafeMutablePointer(to: &innerThis) { thisPointer in
            withUnsafeTemporaryAllocation(of: UnsafeMutableRawPointer?.self, capacity: count + 1) { values in
                values[0] = UnsafeMutableRawPointer(thisPointer)
                for i in 0..<count { values[i + 1] = args[i + 1] }
                return Signatures.call(slot.cif, Signatures.function(inner, slot.slot)!, values.baseAddress!)
            }
        }
    }
}

/// IUnknown's slots of any COM object, called through the object's own vtable.
enum Unknown {
    @inline(__always) static func vtable(_ object: UnsafeMutableRawPointer) -> UnsafePointer<IUnknownVtbl> {
        object.load(as: UnsafePointer<IUnknownVtbl>.self)
    }

    static func queryInterface(
        _ object: UnsafeMutableRawPointer, _ riid: UnsafePointer<IID>?,
        _ ppv: UnsafeMutablePointer<UnsafeMutableRawPointer?>?
    ) -> HRESULT {
        vtable(object).pointee.QueryInterface(object.assumingMemoryBound(to: IUnknown.self), riid, ppv)
    }

    static func release(_ object: UnsafeMutableRawPointer) -> ULONG {
        vtable(object).pointee.Release(object.assumingMemoryBound(to: IUnknown.self))
    }
}

/// The flat functions the type information describes (HostSec_GetFunctionInfoAt) are traced
/// by their entry points: each checks `Tracer.isOn` (one relaxed load) and, only when on,
/// calls through here with a pointer to each argument's value, as libffi passes them.
enum FunctionTrace {
    /// Runs `body` and logs the call of flat function `index`; `values` points at each
    /// argument's value, in the description's parameter order.
    @inline(never) static func call<R>(_ index: Int32, _ values: [UnsafeMutableRawPointer], _ body: () -> R) -> R {
        guard let function = hs_function_info_at(UInt32(index)) else { return body() }
        return withUnsafeTemporaryAllocation(of: UnsafeMutableRawPointer?.self, capacity: values.count + 1) { args in
            args[0] = nil
            for (i, v) in values.enumerated() { args[i + 1] = v }
            let arguments = TraceFormat.arguments(function, args.baseAddress!)
            let start = TraceFormat.now()
            var result = body()
            let elapsed = TraceFormat.now() &- start
            let text = withUnsafeMutablePointer(to: &result) {
                TraceFormat.returned(function, UnsafeMutableRawPointer($0))
            }
            TraceOutput.shared.write(
                TraceFormat.functionLine(
                    function, arguments: arguments, args: args.baseAddress!,
                    result: text, nanoseconds: elapsed))
            return result
        }
    }

    /// Logs a call of flat function `index` with `arguments` (its parameters' values, in
    /// order; plain integers and pointers): each is copied where the decoder can point at it.
    @inline(never) static func call<each A, R>(_ index: Int32, _ arguments: repeat each A, body: () -> R) -> R {
        var values: [UnsafeMutableRawPointer] = []
        func keep<T>(_ value: T) {
            let p = UnsafeMutablePointer<T>.allocate(capacity: 1)
            p.initialize(to: value)
            values.append(UnsafeMutableRawPointer(p))
        }
        repeat keep(each arguments)
        defer { for v in values { v.deallocate() } }  // trivial values: nothing to deinitialize
        return call(index, values, body)
    }
}

/// Where trace lines go: stderr or a file, switched by HostSec_SetTrace. Each line is one
/// write(2) under the lock, so lines of concurrent calls never interleave and a file is
/// never closed while a line is being written to it. The lock is an hs_lock, so a fork()
/// child of a tracing host can go on tracing.
final class TraceOutput: @unchecked Sendable {
    static let shared = TraceOutput()

    private struct State {
        var configured = false  // false until HostSec_SetTrace or the first line (HOSTSEC_TRACE)
        var fd: Int32 = -1
        var ownsFd = false
    }
    private let lock = hs_lock_create()!
    private var current = State()  // guarded by lock

    private func withLock<T>(_ body: (inout State) -> T) -> T {
        hs_lock_acquire(lock)
        defer { hs_lock_release(lock) }
        return body(&current)
    }

    /// Opens `path` (nil: stderr) by the rules of hs_trace_open and makes it the destination.
    /// Returns 0, or an errno value or HS_TRACE_ refusal (the destination unchanged).
    func enable(path: UnsafePointer<CChar>?) -> Int32 {
        var fd: Int32 = 2
        if let path {
            var reason: Int32 = 0
            fd = hs_trace_open(path, &reason)
            if fd < 0 { return reason }
        }
        withLock { s in
            if !s.configured { s = Self.fromEnvironment() }
            if s.ownsFd { close(s.fd) }
            s = State(configured: true, fd: fd, ownsFd: path != nil)
        }
        return 0
    }

    func disable() {
        withLock { s in
            if !s.configured { s = Self.fromEnvironment() }
            if s.ownsFd { close(s.fd) }
            s = State(configured: true, fd: -1, ownsFd: false)
        }
    }

    func write(_ line: String) {
        var line = line
        line.withUTF8 { bytes in
            withLock { s in
                if !s.configured { s = Self.fromEnvironment() }
                guard s.fd >= 0 else { return }
                var offset = 0
                while offset < bytes.count {
                    let n = Glibc.write(s.fd, bytes.baseAddress! + offset, bytes.count - offset)
                    if n <= 0 { break }
                    offset += n
                }
            }
        }
    }

    /// What HOSTSEC_TRACE chose when the library was loaded (trace_destination.c opened it and
    /// reported a refusal there).
    private static func fromEnvironment() -> State {
        var owned = false
        let fd = hs_trace_env_take(&owned)
        return State(configured: true, fd: fd, ownsFd: owned)
    }
}

/// `HostSec_SetTrace` (exported by Exports/EmbeddingEntryPoints.swift).
func setTrace(_ enable: BOOL, _ path: UnsafePointer<CChar>?) -> HRESULT {
    let trace = Int32(HS_COUNTER_TRACE)
    guard enable != 0 else {
        guard path == nil else { return HResult.invalidArg }
        hs_counter_set(trace, 0)
        TraceOutput.shared.disable()
        return HResult.ok
    }
    if let path, path[0] == 0 { return HResult.invalidArg }
    switch TraceOutput.shared.enable(path: path) {
    case 0:
        hs_counter_set(trace, 1)
        return HResult.ok
    case let refusal where refusal < 0: return HResult.accessDenied  // not a file the tracer may write
    case EACCES, EPERM, EROFS, EISDIR, ETXTBSY, ELOOP: return HResult.accessDenied
    case ENOMEM, EMFILE, ENFILE: return HResult.outOfMemory  // no memory or no descriptor left
    default: return HResult.invalidArg
    }
}
