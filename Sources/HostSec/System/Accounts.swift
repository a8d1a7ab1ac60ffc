#if canImport(Glibc)
import Glibc
#endif

/// An account name as the caller's bytes, NUL-terminated: what NSS compares. Never made from
/// a C string through `String`, which would replace invalid UTF-8 with U+FFFD and so name a
/// different account ("jos\xe9" would become "jos\xef\xbf\xbd").
package struct AccountName: Sendable, ExpressibleByStringLiteral {
    /// The name's bytes followed by one NUL.
    let bytes: [CChar]

    /// The bytes of a C string, exactly.
    package init(cString: UnsafePointer<CChar>) {
        let length = strlen(cString)
        bytes = Array(UnsafeBufferPointer(start: cString, count: length + 1))
    }

    /// A Swift string's UTF-8 (already valid, so nothing is replaced).
    package init(_ string: String) {
        bytes = string.utf8.map { CChar(bitPattern: $0) } + [0]
    }

    package init(stringLiteral value: String) { self.init(value) }

    var isEmpty: Bool { bytes.count == 1 }
}

/// Local accounts from the system's user database (NSS).
enum Accounts {
    struct Account {
        var uid: UserID
        var gid: GroupID
        /// Supplementary groups as initgroups(3) would set them (the primary gid included).
        var groups: [GroupID]
        /// The login shell's path as bytes (no NUL), empty when the entry names none.
        var shell: [UInt8] = []
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
        let shell = entry.pw_shell.map { Array(UnsafeRawBufferPointer(start: $0, count: strlen($0))) } ?? []
        var count: Int32 = 32
        var groups = [gid_t](repeating: 0, count: Int(count))
        while getgrouplist(name.bytes, gid, &groups, &count) == -1 {
            groups = [gid_t](repeating: 0, count: Int(count) + 32)
            count = Int32(groups.count)
        }
        var seen = Set<gid_t>()
        let unique = groups.prefix(Int(count)).filter { seen.insert($0).inserted }
        return Account(
            uid: UserID(rawValue: uid), gid: GroupID(rawValue: gid), groups: unique.map(GroupID.init), shell: shell)
    }
}

/// Names and ids of single accounts (the Win32 layer's LookupAccountSid / LookupAccountName).
extension Accounts {
    /// Runs a reentrant NSS call with a buffer that grows on ERANGE.
    private static func withBuffer<T>(_ body: (UnsafeMutablePointer<CChar>, Int) -> (Int32, T?)) -> T? {
        var size = 4096
        while size <= 1 << 20 {
            let buffer = UnsafeMutablePointer<CChar>.allocate(capacity: size)
            defer { buffer.deallocate() }
            let (rc, value) = body(buffer, size)
            if rc == ERANGE { size *= 4; continue }
            return rc == 0 ? value : nil
        }
        return nil
    }

    private static func bytes(_ s: UnsafePointer<CChar>) -> [UInt8] {
        Array(UnsafeRawBufferPointer(start: s, count: strlen(s)))
    }

    /// The user name of `uid`, byte for byte, or nil.
    static func userName(_ uid: UserID) -> [UInt8]? {
        withBuffer { buffer, size in
            var entry = passwd(), result: UnsafeMutablePointer<passwd>?
            let rc = getpwuid_r(uid.rawValue, &entry, buffer, size, &result)
            return (rc, result != nil ? bytes(entry.pw_name) : nil)
        }
    }

    /// The group name of `gid`, byte for byte, or nil.
    static func groupName(_ gid: GroupID) -> [UInt8]? {
        withBuffer { buffer, size in
            var entry = group(), result: UnsafeMutablePointer<group>?
            let rc = getgrgid_r(gid.rawValue, &entry, buffer, size, &result)
            return (rc, result != nil ? bytes(entry.gr_name) : nil)
        }
    }

    /// The uid of exactly these bytes, or nil.
    static func uid(named name: [UInt8]) -> UserID? {
        let cName = name.map { CChar(bitPattern: $0) } + [0]
        return withBuffer { buffer, size in
            var entry = passwd(), result: UnsafeMutablePointer<passwd>?
            let rc = getpwnam_r(cName, &entry, buffer, size, &result)
            return (rc, result != nil ? UserID(rawValue: entry.pw_uid) : nil)
        }
    }

    /// The gid of exactly these bytes, or nil.
    static func gid(named name: [UInt8]) -> GroupID? {
        let cName = name.map { CChar(bitPattern: $0) } + [0]
        return withBuffer { buffer, size in
            var entry = group(), result: UnsafeMutablePointer<group>?
            let rc = getgrnam_r(cName, &entry, buffer, size, &result)
            return (rc, result != nil ? GroupID(rawValue: entry.gr_gid) : nil)
        }
    }
}

/// What a login would take from the user database for a child's environment and folder.
extension Accounts {
    struct LoginEntry {
        var name: [UInt8]
        var home: [UInt8]
        var shell: [UInt8]
    }

    /// The passwd entry of `uid` (name, home folder, shell), or nil.
    static func loginEntry(_ uid: UserID) -> LoginEntry? {
        withBuffer { buffer, size in
            var entry = passwd(), result: UnsafeMutablePointer<passwd>?
            let rc = getpwuid_r(uid.rawValue, &entry, buffer, size, &result)
            guard result != nil else { return (rc, nil) }
            return (rc, LoginEntry(name: bytes(entry.pw_name), home: bytes(entry.pw_dir), shell: bytes(entry.pw_shell)))
        }
    }
}
