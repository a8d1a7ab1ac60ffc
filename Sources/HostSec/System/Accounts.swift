#if canImport(Glibc)
import Glibc
#endif

/// An account name as the caller's bytes, NUL-terminated: what NSS compares. Never made from
/// a C string through `String`, which would replace invalid UTF-8 with U+FFFD and so name a
/// different account ("jos\xe9" would become "jos\xef\xbf\xbd").
public struct AccountName: Sendable, ExpressibleByStringLiteral {
    /// The name's bytes followed by one NUL.
    let bytes: [CChar]

    /// The bytes of a C string, exactly.
    public init(cString: UnsafePointer<CChar>) {
        let length = strlen(cString)
        bytes = Array(UnsafeBufferPointer(start: cString, count: length + 1))
    }

    /// A Swift string's UTF-8 (already valid, so nothing is replaced).
    public init(_ string: String) {
        bytes = string.utf8.map { CChar(bitPattern: $0) } + [0]
    }

    public init(stringLiteral value: String) { self.init(value) }

    var isEmpty: Bool { bytes.count == 1 }
}

/// Local accounts from the system's user database (NSS).
enum Accounts {
    struct Account {
        var uid: UInt32
        var gid: UInt32
        /// Supplementary groups as initgroups(3) would set them (the primary gid included).
        var groups: [UInt32]
    }

    /// The account of exactly these bytes, or nil.
    static func lookup(_ name: AccountName) -> Account? {
        guard !name.isEmpty else { return nil }
        var entry = passwd()
        var result: UnsafeMutablePointer<passwd>?
        var buffer = [CChar](repeating: 0, count: 4096)
        while true {
            let rc = getpwnam_r(name.bytes, &entry, &buffer, buffer.count, &result)
            if rc == ERANGE && buffer.count < 1 << 20 {
                buffer = [CChar](repeating: 0, count: buffer.count * 4)
                continue
            }
            guard rc == 0, result != nil else { return nil }
            break
        }
        let uid = entry.pw_uid, gid = entry.pw_gid
        var count: Int32 = 32
        var groups = [gid_t](repeating: 0, count: Int(count))
        while getgrouplist(name.bytes, gid, &groups, &count) == -1 {
            groups = [gid_t](repeating: 0, count: Int(count) + 32)
            count = Int32(groups.count)
        }
        var seen = Set<UInt32>()
        let unique = groups.prefix(Int(count)).filter { seen.insert($0).inserted }
        return Account(uid: uid, gid: gid, groups: unique)
    }
}
