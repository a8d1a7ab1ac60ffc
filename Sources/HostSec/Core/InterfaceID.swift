import CHostSec
#if canImport(Glibc)
import Glibc
#endif

/// An IID as two 64-bit words (bytes 0-7 and 8-15, little-endian).
struct IIDWords: Equatable {
    let low: UInt64
    let high: UInt64
    @inline(__always) init(_ low: UInt64, _ high: UInt64) {
        self.low = low
        self.high = high
    }
    @inline(__always) init(_ iid: UnsafePointer<IID>) {
        let raw = UnsafeRawPointer(iid)
        low = raw.loadUnaligned(as: UInt64.self)
        high = raw.loadUnaligned(fromByteOffset: 8, as: UInt64.self)
    }
    /// IID_IUnknown, {00000000-0000-0000-C000-000000000046}.
    static let unknown = IIDWords(0, 0x4600_0000_0000_00C0)
}

@inline(__always) func sameIID(_ a: UnsafePointer<IID>, _ b: IID) -> Bool {
    withUnsafeBytes(of: b) { memcmp(a, $0.baseAddress!, 16) == 0 }
}
