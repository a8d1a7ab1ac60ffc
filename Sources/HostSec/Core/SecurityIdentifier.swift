/// A SID: revision 1, a 48-bit identifier authority, up to 15 sub-authorities. Unix accounts
/// are named as Samba names them: users S-1-22-1-<uid>, groups S-1-22-2-<gid>.
package struct SecurityIdentifier: Equatable, Hashable, Sendable {
    package var authority: UInt64
    package var subAuthorities: [UInt32]

    package init(authority: UInt64, subAuthorities: [UInt32]) {
        self.authority = authority
        self.subAuthorities = subAuthorities
    }

    static let maxSubAuthorities = 15

    /// Bytes of the SID in memory: 8 + 4 per sub-authority.
    package var byteCount: Int { 8 + 4 * subAuthorities.count }

    package static func user(_ uid: UserID) -> Self { Self(authority: 22, subAuthorities: [1, uid.rawValue]) }
    package static func group(_ gid: GroupID) -> Self { Self(authority: 22, subAuthorities: [2, gid.rawValue]) }
    package static let everyone = Self(authority: 1, subAuthorities: [0])
    package static let local = Self(authority: 2, subAuthorities: [0])
    package static let authenticatedUsers = Self(authority: 5, subAuthorities: [11])
    package static let system = Self(authority: 5, subAuthorities: [18])
    package static let administrators = Self(authority: 5, subAuthorities: [32, 544])
    /// OWNER RIGHTS (S-1-3-4): stands for the object's owner in a DACL.
    package static let ownerRights = Self(authority: 3, subAuthorities: [4])

    /// The uid of a Unix user SID.
    var unixUser: UserID? {
        authority == 22 && subAuthorities.count == 2 && subAuthorities[0] == 1
            ? UserID(rawValue: subAuthorities[1]) : nil
    }
    /// The gid of a Unix group SID.
    var unixGroup: GroupID? {
        authority == 22 && subAuthorities.count == 2 && subAuthorities[0] == 2
            ? GroupID(rawValue: subAuthorities[1]) : nil
    }

    /// Reads the SID at `p`, or nil when it is not a valid one (revision 1, at most 15
    /// sub-authorities), as IsValidSid judges. The sub-authorities are little-endian DWORDs,
    /// the authority six bytes, most significant first.
    static func read(_ p: UnsafeRawPointer?) -> Self? {
        guard let p else { return nil }
        let revision = p.load(as: UInt8.self)
        let count = Int(p.load(fromByteOffset: 1, as: UInt8.self))
        guard revision == 1, count <= maxSubAuthorities else { return nil }
        var authority: UInt64 = 0
        for i in 0..<6 { authority = authority << 8 | UInt64(p.load(fromByteOffset: 2 + i, as: UInt8.self)) }
        var subs: [UInt32] = []
        subs.reserveCapacity(count)
        for i in 0..<count { subs.append(p.loadUnaligned(fromByteOffset: 8 + 4 * i, as: UInt32.self)) }
        return Self(authority: authority, subAuthorities: subs)
    }

    /// Reads the SID at `offset` inside `bytes`, or nil when it is not a valid one or does not
    /// fit: the bounded form of `read(_:)`, for buffers whose length is known.
    static func read(_ bytes: UnsafeRawBufferPointer, at offset: Int) -> Self? {
        guard offset >= 0, offset <= bytes.count - 8, let base = bytes.baseAddress else { return nil }
        let count = Int(bytes[offset + 1])
        guard bytes[offset] == 1, count <= maxSubAuthorities, offset + 8 + 4 * count <= bytes.count else { return nil }
        return read(base + offset)
    }

    /// Writes the SID's `byteCount` bytes at `p`.
    func write(to p: UnsafeMutableRawPointer) {
        p.storeBytes(of: 1, as: UInt8.self)
        p.storeBytes(of: UInt8(subAuthorities.count), toByteOffset: 1, as: UInt8.self)
        for i in 0..<6 {
            p.storeBytes(of: UInt8(truncatingIfNeeded: authority >> (8 * (5 - i))), toByteOffset: 2 + i, as: UInt8.self)
        }
        for (i, sub) in subAuthorities.enumerated() { p.storeBytes(of: sub, toByteOffset: 8 + 4 * i, as: UInt32.self) }
    }

    /// "S-1-<authority>-<sub>-...": the authority in decimal below 2^32, else as 0x and 12 hex
    /// digits, as Windows writes it.
    package var string: String {
        var s = "S-1-"
        s += authority < 1 << 32 ? String(authority) : "0x" + hex12(authority)
        for sub in subAuthorities { s += "-" + String(sub) }
        return s
    }

    private func hex12(_ v: UInt64) -> String {
        let digits = String(v, radix: 16, uppercase: true)
        return String(repeating: "0", count: max(0, 12 - digits.count)) + digits
    }

    /// SDDL's two-letter aliases this library knows.
    static let aliases: [String: Self] = [
        "WD": .everyone, "AU": .authenticatedUsers, "BA": .administrators, "SY": .system,
        "BU": Self(authority: 5, subAuthorities: [32, 545]), "BG": Self(authority: 5, subAuthorities: [32, 546]),
        "CO": Self(authority: 3, subAuthorities: [0]), "CG": Self(authority: 3, subAuthorities: [1]),
        "OW": Self(authority: 3, subAuthorities: [4]), "AN": Self(authority: 5, subAuthorities: [7]),
        "NU": Self(authority: 5, subAuthorities: [2]), "IU": Self(authority: 5, subAuthorities: [4]),
        "RC": Self(authority: 5, subAuthorities: [12]), "WR": Self(authority: 5, subAuthorities: [33]),
        "LS": Self(authority: 5, subAuthorities: [19]), "NS": Self(authority: 5, subAuthorities: [20]),
    ]

    /// The SDDL alias of this SID, if it has one (SDDL output uses it, as Windows does).
    var alias: String? { Self.aliases.first { $0.value == self }?.key }

    /// Parses "S-1-..." (authority decimal or 0x-hex, 1 to 15 decimal sub-authorities each
    /// below 2^32) or an SDDL alias; nil for anything else.
    static func parse(_ text: [UInt8]) -> Self? {
        if let alias = aliases[String(decoding: text, as: UTF8.self)], text.count == 2 { return alias }
        let parts = text.split(separator: UInt8(ascii: "-"), omittingEmptySubsequences: false)
        guard parts.count >= 3, parts.count - 3 <= maxSubAuthorities,
            parts[0].elementsEqual("S".utf8) || parts[0].elementsEqual("s".utf8),
            parts[1].elementsEqual("1".utf8)
        else { return nil }
        let auth: UInt64
        let a = Array(parts[2])
        if a.count > 2, a[0] == UInt8(ascii: "0"), a[1] == UInt8(ascii: "x") || a[1] == UInt8(ascii: "X") {
            guard let v = number(a[2...], radix: 16), v < 1 << 48 else { return nil }
            auth = v
        } else {
            guard let v = number(a[...], radix: 10), v < 1 << 48 else { return nil }
            auth = v
        }
        var subs: [UInt32] = []
        for part in parts.dropFirst(3) {
            guard let v = number(part[...], radix: 10), v <= UInt64(UInt32.max) else { return nil }
            subs.append(UInt32(v))
        }
        return Self(authority: auth, subAuthorities: subs)
    }

    private static func number<S: Collection>(_ digits: S, radix: UInt64) -> UInt64? where S.Element == UInt8 {
        guard !digits.isEmpty, digits.count <= 20 else { return nil }
        var v: UInt64 = 0
        for c in digits {
            let d: UInt64
            switch c {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): d = UInt64(c - UInt8(ascii: "0"))
            case UInt8(ascii: "a")...UInt8(ascii: "f") where radix == 16: d = UInt64(c - UInt8(ascii: "a") + 10)
            case UInt8(ascii: "A")...UInt8(ascii: "F") where radix == 16: d = UInt64(c - UInt8(ascii: "A") + 10)
            default: return nil
            }
            let (m, o1) = v.multipliedReportingOverflow(by: radix)
            let (s, o2) = m.addingReportingOverflow(d)
            if o1 || o2 { return nil }
            v = s
        }
        return v
    }
}
