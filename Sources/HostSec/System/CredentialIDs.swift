/// What user and group ids share: a 32-bit kernel id (`uid_t`, `gid_t`) as a type of its own,
/// so a uid cannot be passed where a gid is expected. The raw value is read or made only where
/// an id crosses into C: the syscall seam (`KernelCredentialSyscalls`), NSS, and the structures
/// the entry points fill. A literal is either kind (`0`, `65534`); a typed value is one kind.
package protocol CredentialID: RawRepresentable<UInt32>, Hashable, Comparable, Sendable, ExpressibleByIntegerLiteral,
    CustomStringConvertible
where IntegerLiteralType == UInt32 {
    init(rawValue: UInt32)
}

extension CredentialID {
    @inlinable package init(integerLiteral value: UInt32) { self.init(rawValue: value) }

    /// `(uid_t)-1` or `(gid_t)-1`: NSS may hold it but no account may have it, since
    /// setresuid(2) and setresgid(2) read it as "unchanged" (a token for it would change nothing
    /// in the kernel), and setfsuid(2) and setfsgid(2) given it only answer with the current id.
    @inlinable package static var unrepresentable: Self { Self(rawValue: .max) }

    /// Whether the kernel can hold this id: it is not `unrepresentable`.
    @inlinable package var isRepresentable: Bool { rawValue != .max }

    /// The id in decimal, as `id(1)` prints it.
    package var description: String { String(rawValue) }

    /// Ids in numeric order.
    @inlinable package static func < (a: Self, b: Self) -> Bool { a.rawValue < b.rawValue }
}

/// A user id (`uid_t`).
package struct UserID: CredentialID {
    package var rawValue: UInt32
    @inlinable package init(rawValue: UInt32) { self.rawValue = rawValue }

    /// uid 0: the account whose token holds the caller's capabilities (`HostSec_LogonUser`) and
    /// lists BUILTIN\Administrators.
    package static let root: UserID = 0
}

/// A group id (`gid_t`): a token's primary group and each of its supplementary groups.
package struct GroupID: CredentialID {
    package var rawValue: UInt32
    @inlinable package init(rawValue: UInt32) { self.rawValue = rawValue }
}

extension Array where Element: CredentialID {
    /// The ids as the kernel's `uid_t`/`gid_t` array, for a call into C (an id is laid out as
    /// its raw value, so no copy is made).
    func withRawValues<R>(_ body: (UnsafeBufferPointer<UInt32>) throws -> R) rethrows -> R {
        try withUnsafeBufferPointer { try $0.withMemoryRebound(to: UInt32.self, body) }
    }
}
