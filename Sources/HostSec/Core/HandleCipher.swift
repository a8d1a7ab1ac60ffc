import CHostSec

/// The keyed permutation of 64-bit values that turns a handle's (generation << 32 | slot)
/// into the value a caller sees, and back.
///
/// A balanced Feistel network of four rounds over two 32-bit halves, each round with its own
/// random 128-bit key. The round function multiplies the key-whitened half by an odd 64-bit
/// key to a full 128-bit product and keeps its middle 64 bits folded to 32: every output bit
/// depends on every input bit through the carries, and nothing in it is linear over either
/// XOR or addition. A Feistel network is a permutation whatever its round function, so
/// decoding is exact; four rounds is the count for which the construction is a strong
/// pseudorandom permutation when the round function is pseudorandom (this one is chosen for
/// speed, not proven). Handle values therefore show no relation a caller could use to
/// predict the value of another slot or of another generation of its own slot.
///
/// The cost is four 64 x 64 -> 128-bit multiplications per encode or decode, in one chain.
struct HandleCipher: Sendable {
    private let a0, m0, a1, m1, a2, m2, a3, m3: UInt64

    private init(_ keys: [UInt64]) {
        (a0, m0, a1, m1) = (keys[0], keys[1] | 1, keys[2], keys[3] | 1)
        (a2, m2, a3, m3) = (keys[4], keys[5] | 1, keys[6], keys[7] | 1)
    }

    /// Fresh random round keys such that none of `excluded` is ever a handle: each of them
    /// decodes to a slot index no table issues (2^24 or more). Redraws until it holds, which
    /// takes one draw 99% of the time.
    static func random(excluding excluded: [UInt64]) -> HandleCipher {
        while true {
            let cipher = HandleCipher((0..<8).map { _ in hs_random64() })
            if excluded.allSatisfy({ UInt32(truncatingIfNeeded: cipher.decode($0)) >> 24 != 0 }) {
                return cipher
            }
        }
    }

    @inline(__always) private static func round(_ x: UInt32, _ a: UInt64, _ m: UInt64) -> UInt32 {
        let product = (UInt64(x) ^ a).multipliedFullWidth(by: m)
        return UInt32(truncatingIfNeeded: product.low >> 32) ^ UInt32(truncatingIfNeeded: product.high)
    }

    @inline(__always) func encode(_ plain: UInt64) -> UInt64 {
        var left = UInt32(truncatingIfNeeded: plain >> 32)
        var right = UInt32(truncatingIfNeeded: plain)
        left ^= Self.round(right, a0, m0)
        right ^= Self.round(left, a1, m1)
        left ^= Self.round(right, a2, m2)
        right ^= Self.round(left, a3, m3)
        return UInt64(left) << 32 | UInt64(right)
    }

    @inline(__always) func decode(_ value: UInt64) -> UInt64 {
        var left = UInt32(truncatingIfNeeded: value >> 32)
        var right = UInt32(truncatingIfNeeded: value)
        right ^= Self.round(left, a3, m3)
        left ^= Self.round(right, a2, m2)
        right ^= Self.round(left, a1, m1)
        left ^= Self.round(right, a0, m0)
        return UInt64(left) << 32 | UInt64(right)
    }
}
