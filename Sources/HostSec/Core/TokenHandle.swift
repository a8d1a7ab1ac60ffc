import CHostSec

/// A handle to a token as `HandleTable` issues it: the enciphered slot and generation, a number
/// that names a token only through the table (never 0: no issued value is). The core takes and
/// returns these; a handle becomes a C `HANDLE` only in the entry points, through the two
/// conversions below.
package struct TokenHandle: RawRepresentable, Hashable, Sendable {
    package let rawValue: UInt64
    @inlinable package init(rawValue: UInt64) { self.rawValue = rawValue }

    /// The handle a C caller passed (NULL is 0, which names no token).
    @inlinable package init(_ handle: HANDLE?) { rawValue = UInt64(UInt(bitPattern: handle)) }

    /// The `HANDLE` a C caller receives: the value as a pointer-sized number, never NULL.
    @inlinable package var cHandle: HANDLE { HANDLE(bitPattern: UInt(rawValue))! }
}
