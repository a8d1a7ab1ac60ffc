import CHostSec

/// What a SID names: the account name, its domain and SID_NAME_USE.
struct AccountOfSid {
    var name: [UInt8]
    var domain: [UInt8]
    var use: SID_NAME_USE

    /// The well-known SIDs this library maps, with Windows' names and domains.
    static let wellKnown: [(SecurityIdentifier, String, String, SID_NAME_USE)] = [
        (.everyone, "Everyone", "", SidTypeWellKnownGroup),
        (.local, "LOCAL", "", SidTypeWellKnownGroup),
        (.authenticatedUsers, "Authenticated Users", "NT AUTHORITY", SidTypeWellKnownGroup),
        (.system, "SYSTEM", "NT AUTHORITY", SidTypeWellKnownGroup),
        (.administrators, "Administrators", "BUILTIN", SidTypeAlias),
    ]
    static let unixUserDomain = "Unix User"
    static let unixGroupDomain = "Unix Group"

    /// The account `sid` names, from the well-known table or NSS; nil when none does.
    static func lookup(_ sid: SecurityIdentifier) -> Self? {
        if let uid = sid.unixUser {
            guard let name = Accounts.userName(uid) else { return nil }
            return Self(name: name, domain: Array(unixUserDomain.utf8), use: SidTypeUser)
        }
        if let gid = sid.unixGroup {
            guard let name = Accounts.groupName(gid) else { return nil }
            return Self(name: name, domain: Array(unixGroupDomain.utf8), use: SidTypeGroup)
        }
        for (known, name, domain, use) in wellKnown where known == sid {
            return Self(name: Array(name.utf8), domain: Array(domain.utf8), use: use)
        }
        return nil
    }

    /// The SID an account name names: "name" (a Unix user, else a Unix group, else a
    /// well-known name) or "domain\name". Unix names are matched byte for byte, domains and
    /// well-known names without regard to ASCII case, as Windows does.
    static func lookup(name full: [UInt8]) -> (SecurityIdentifier, Self)? {
        var domain: [UInt8]? = nil
        var name = full
        if let slash = full.firstIndex(of: UInt8(ascii: "\\")) {
            domain = Array(full[..<slash])
            name = Array(full[(slash + 1)...])
        }
        guard !name.isEmpty else { return nil }
        func same(_ a: [UInt8], _ b: String) -> Bool {
            a.count == b.utf8.count && zip(a, b.utf8).allSatisfy { lower($0) == lower($1) }
        }
        if domain == nil || same(domain!, unixUserDomain), let uid = Accounts.uid(named: name) {
            return (.user(uid), Self(name: name, domain: Array(unixUserDomain.utf8), use: SidTypeUser))
        }
        if domain == nil || same(domain!, unixGroupDomain), let gid = Accounts.gid(named: name) {
            return (.group(gid), Self(name: name, domain: Array(unixGroupDomain.utf8), use: SidTypeGroup))
        }
        for (sid, known, knownDomain, use) in wellKnown where same(name, known) {
            if let domain, !same(domain, knownDomain) { continue }
            return (sid, Self(name: Array(known.utf8), domain: Array(knownDomain.utf8), use: use))
        }
        return nil
    }

    private static func lower(_ c: UInt8) -> UInt8 { c >= UInt8(ascii: "A") && c <= UInt8(ascii: "Z") ? c + 32 : c }
}
