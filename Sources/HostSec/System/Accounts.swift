#if canImport(Glibc)
import Glibc
#endif

/// Local accounts from the system's user database (NSS).
enum Accounts {
    struct Account {
        var uid: UInt32
        var gid: UInt32
        /// Supplementary groups as initgroups(3) would set them (the primary gid included).
        var groups: [UInt32]
    }

    static func lookup(_ name: String) -> Account? {
        guard !name.isEmpty else { return nil }
        var entry = passwd()
        var result: UnsafeMutablePointer<passwd>?
        var buffer = [CChar](repeating: 0, count: 4096)
        while true {
            let rc = getpwnam_r(name, &entry, &buffer, buffer.count, &result)
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
        while getgrouplist(name, gid, &groups, &count) == -1 {
            groups = [gid_t](repeating: 0, count: Int(count) + 32)
            count = Int32(groups.count)
        }
        var seen = Set<UInt32>()
        let unique = groups.prefix(Int(count)).filter { seen.insert($0).inserted }
        return Account(uid: uid, gid: gid, groups: unique)
    }
}
