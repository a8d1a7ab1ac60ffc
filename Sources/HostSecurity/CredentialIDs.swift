internal import HostSec

/// What ``UserID`` and ``GroupID`` share: a kernel id (`uid_t`, `gid_t`) as a type of its
/// own, so one kind cannot stand where the other is expected. `rawValue` is the number the
/// kernel holds; a literal (`0`, `65534`) makes either kind; `String(id)` is its decimal.
public protocol CredentialID: RawRepresentable<UInt32>, Hashable, Comparable, Sendable, ExpressibleByIntegerLiteral,
    LosslessStringConvertible
where IntegerLiteralType == UInt32 {
    /// The id `rawValue`.
    init(rawValue: UInt32)
}

extension CredentialID {
    /// The id `value`.
    public init(integerLiteral value: UInt32) { self.init(rawValue: value) }
    /// The id in decimal, as `id(1)` prints it.
    public var description: String { String(rawValue) }
    /// The id a decimal number names (`"65534"`), or nil.
    public init?(_ description: String) {
        guard let value = UInt32(description) else { return nil }
        self.init(rawValue: value)
    }
    /// Ids in numeric order.
    public static func < (a: Self, b: Self) -> Bool { a.rawValue < b.rawValue }
}

/// A user id (`uid_t`): a ``Token``'s ``Token/uid``.
public struct UserID: CredentialID {
    /// The id as the kernel holds it.
    public let rawValue: UInt32
    public init(rawValue: UInt32) { self.rawValue = rawValue }
    init(_ core: HostSec.UserID) { rawValue = core.rawValue }
}

/// A group id (`gid_t`): a ``Token``'s ``Token/gid`` and each of its ``Token/groups``.
public struct GroupID: CredentialID {
    /// The id as the kernel holds it.
    public let rawValue: UInt32
    public init(rawValue: UInt32) { self.rawValue = rawValue }
    init(_ core: HostSec.GroupID) { rawValue = core.rawValue }
}
