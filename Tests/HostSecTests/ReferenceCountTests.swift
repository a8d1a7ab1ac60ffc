import Testing
@testable import HostSec
import CHostSec

/// COM reference counts saturate instead of wrapping. The tests set a count near the ceiling
/// (`hs_refs_set`) instead of making 2^31 calls; `Tests/sh/test-counter-limits.sh` with
/// HOSTSEC_LONG=1 makes the 2^32 AddRef calls through libhostsec.so.
@Suite(.serialized) struct ReferenceCountTests {
    let immortal = HS_REFS_IMMORTAL

    /// AddRef and Release through an object's own vtable (slots 1 and 2), as a host calls them.
    func addRef(_ o: UnsafeMutablePointer<hs_object>) -> UInt32 {
        let vtbl = o.pointee.lpVtbl!.assumingMemoryBound(to: IUnknownVtbl.self)
        return vtbl.pointee.AddRef(UnsafeMutableRawPointer(o).assumingMemoryBound(to: IUnknown.self))
    }

    func release(_ o: UnsafeMutablePointer<hs_object>) -> UInt32 {
        let vtbl = o.pointee.lpVtbl!.assumingMemoryBound(to: IUnknownVtbl.self)
        return vtbl.pointee.Release(UnsafeMutableRawPointer(o).assumingMemoryBound(to: IUnknown.self))
    }

    func liveObjects() -> UInt64 { hs_live(Int32(HS_LIVE_OBJECTS)) }

    @Test func addref_at_the_ceiling_makes_the_object_immortal() throws {
        let o = try #require(ComObject.create(.securityContext))
        let live = liveObjects()
        hs_refs_set(o, 0x7FFF_FFFE)
        #expect(addRef(o) == 0x7FFF_FFFF)
        #expect(addRef(o) == immortal)
        for _ in 0..<1000 { #expect(addRef(o) == immortal) }
        for _ in 0..<10_000 { #expect(release(o) == immortal) }  // far more Releases than AddRefs
        #expect(o.pointee.refs == immortal)
        #expect(liveObjects() == live)  // never freed
        #expect(o.pointee.kind == ObjectKind.securityContext.rawValue)
    }

    @Test func a_count_that_would_wrap_past_zero_stays_immortal() throws {
        // 2^32 AddRefs from one reference: the count would have come back to 1 and one Release
        // would have freed an object the host still holds 2^32 references to.
        let o = try #require(ComObject.create(.securityContext))
        let live = liveObjects()
        hs_refs_set(o, 0xFFFF_FFFF)
        #expect(addRef(o) == immortal)
        #expect(release(o) == immortal)
        #expect(release(o) == immortal)
        #expect(liveObjects() == live)
    }

    @Test func counts_below_the_ceiling_are_exact() throws {
        let o = try #require(ComObject.create(.securityContext))
        let live = liveObjects()
        hs_refs_set(o, 0x7FFF_FFF0)
        for i in 1...15 { #expect(addRef(o) == 0x7FFF_FFF0 + UInt32(i)) }
        for i in 1...15 { #expect(release(o) == 0x7FFF_FFFF - UInt32(i)) }
        hs_refs_set(o, 2)
        #expect(release(o) == 1)
        #expect(release(o) == 0)  // freed
        #expect(liveObjects() == live - 1)
    }

    @Test func a_tracing_proxy_count_saturates_too() throws {
        let inner = try #require(ComObject.create(.securityContext))
        let proxy = Tracer.wrap(inner)
        try #require(proxy != inner, "libffi could not make the proxy's closures")
        let live = liveObjects()
        hs_refs_set(proxy, 0x7FFF_FFFE)
        #expect(addRef(proxy) == 0x7FFF_FFFF)
        #expect(addRef(proxy) == immortal)
        for _ in 0..<100 { #expect(release(proxy) == immortal) }
        hs_refs_set(proxy, 0xFFFF_FFFF)
        #expect(addRef(proxy) == immortal)
        #expect(release(proxy) == immortal)
        #expect(proxy.pointee.inner == UnsafeMutableRawPointer(inner))  // the proxy was not freed
        #expect(inner.pointee.refs == 1)  // and still holds its one reference to the object
        #expect(liveObjects() == live)
    }
}
