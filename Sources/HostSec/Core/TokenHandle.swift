import CHostSec

/// A handle to a token as `HandleTable` issues it: the enciphered slot and generation, a number
/// that names a token only through the table (never 0: no issued value is). The core takes and
/// returns these; a handle becomes a C `HANDLE` only in the entry points, through the two
/// conversions below.
public struct TokenHandle: RawRepresentable, Hashable, Sendable {
    public let rawValue: UInt64
    @inlinable public init(rawValue: UInt64) { self.rawValue = rawValue }

    /// The handle a C caller passed (NULL is 0, which names no token).
    @inlinable public init(_ handle: HANDLE?) { rawValue = UInt64(UInt(bitPattern: handle)) }

    /// The `HANDLE` a C caller receives: the value as a pointer-sized number, never NULL.
    @inlinable public var cHandle: HANDLE { HANDLE(bitPattern: UInt(rawValue))! }
}
