import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// Memory the Win32 layer hands out: SIDs from AllocateAndInitializeSid (freed with FreeSid)
/// and strings and SIDs from the SDDL conversions (freed with LocalFree). Each block is
/// recorded, so a pointer the library did not hand out, or hand out for that function, is
/// refused instead of passed to free().
enum LocalMemory {
    enum Kind { case sid, local }

    private static let blocks = Mutex<[UInt: Kind]>([:])

    /// `count` zeroed bytes recorded as `kind`, or nil.
    static func allocate(_ count: Int, _ kind: Kind) -> UnsafeMutableRawPointer? {
        guard let p = calloc(1, max(count, 1)) else { return nil }
        blocks.withLock { $0[UInt(bitPattern: p)] = kind }
        return p
    }

    /// Frees a block recorded as `kind`; false (nothing freed) for any other pointer.
    static func free(_ p: UnsafeMutableRawPointer, _ kind: Kind) -> Bool {
        let known = blocks.withLock { table -> Bool in
            guard table[UInt(bitPattern: p)] == kind else { return false }
            table[UInt(bitPattern: p)] = nil
            return true
        }
        if known { Glibc.free(p) }
        return known
    }
}
