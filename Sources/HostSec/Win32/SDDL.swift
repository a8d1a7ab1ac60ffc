import CHostSec

/// Security descriptor strings (SDDL) for what this library's descriptors hold: owner
/// ("O:"), group ("G:"), DACL ("D:" with flags P, AI, AR, or NO_ACCESS_CONTROL for a NULL
/// DACL, then entries "(type;flags;rights;;;sid)" of types A and D, flags OI CI NP IO ID,
/// rights as 0x hex, decimal or two-letter codes, SIDs as S-1-... or two-letter aliases).
enum SDDL {
    enum Failure: Error { case malformed, invalidSid }

    static let rightCodes: [(String, UInt32)] = [
        ("GA", UInt32(GENERIC_ALL)), ("GR", UInt32(GENERIC_READ)), ("GW", UInt32(GENERIC_WRITE)),
        ("GX", UInt32(GENERIC_EXECUTE)),
        ("CC", 0x1), ("DC", 0x2), ("LC", 0x4), ("SW", 0x8), ("RP", 0x10), ("WP", 0x20),
        ("DT", 0x40), ("LO", 0x80), ("CR", 0x100),
        ("SD", UInt32(DELETE)), ("RC", UInt32(READ_CONTROL)), ("WD", UInt32(WRITE_DAC)), ("WO", UInt32(WRITE_OWNER)),
    ]
    /// Codes for whole masks (files and registry keys), written in place of the bits.
    static let wholeCodes: [(String, UInt32)] = [
        ("FA", 0x001F_01FF), ("FR", 0x0012_0089), ("FW", 0x0012_0116), ("FX", 0x0012_00A0),
        ("KA", 0x000F_003F), ("KR", 0x0002_0019), ("KW", 0x0002_0006), ("KX", 0x0002_0019),
    ]
    static let flagCodes: [(String, UInt8)] = [
        ("OI", AccessControlEntry.objectInherit), ("CI", AccessControlEntry.containerInherit),
        ("NP", AccessControlEntry.noPropagateInherit), ("IO", AccessControlEntry.inheritOnly),
        ("ID", AccessControlEntry.inherited),
    ]

    // MARK: parsing

    static func parse(_ text: [UInt8]) throws(Failure) -> SecurityDescriptor {
        var sd = SecurityDescriptor(owner: nil, group: nil, dacl: nil, control: 0)
        var seen: Set<UInt8> = []
        var i = 0
        // A part starts at a letter O, G or D followed by ':'.
        func isPartStart(_ j: Int) -> Bool {
            j + 1 < text.count && text[j + 1] == UInt8(ascii: ":")
                && [UInt8(ascii: "O"), UInt8(ascii: "G"), UInt8(ascii: "D"), UInt8(ascii: "S")].contains(text[j])
        }
        while i < text.count {
            guard isPartStart(i) else { throw .malformed }
            let kind = text[i]
            guard seen.insert(kind).inserted else { throw .malformed }
            i += 2
            var end = i
            switch kind {
            case UInt8(ascii: "O"), UInt8(ascii: "G"):
                while end < text.count && !isPartStart(end) { end += 1 }
                guard let sid = SecurityIdentifier.parse(Array(text[i..<end])) else { throw .invalidSid }
                if kind == UInt8(ascii: "O") { sd.owner = sid } else { sd.group = sid }
            case UInt8(ascii: "D"):
                // Flags up to the first '(' or the next part; entries after.
                while end < text.count && text[end] != UInt8(ascii: "(") && !isPartStart(end) { end += 1 }
                let flags = Array(text[i..<end])
                sd.control |= SecurityDescriptor.daclPresent
                var nullDacl = false
                var f = 0
                while f < flags.count {
                    let rest = flags[f...]
                    if rest.starts(with: "NO_ACCESS_CONTROL".utf8) {
                        nullDacl = true; f += 17
                    } else if rest.starts(with: "AI".utf8) {
                        sd.control |= SecurityDescriptor.daclAutoInherited; f += 2
                    } else if rest.starts(with: "AR".utf8) {
                        sd.control |= SecurityDescriptor.daclAutoInheritRequired; f += 2
                    } else if rest.starts(with: "P".utf8) {
                        sd.control |= SecurityDescriptor.daclProtected; f += 1
                    } else {
                        throw .malformed
                    }
                }
                var entries: [AccessControlEntry] = []
                while end < text.count && text[end] == UInt8(ascii: "(") {
                    guard let close = text[end...].firstIndex(of: UInt8(ascii: ")")) else { throw .malformed }
                    entries.append(try entry(Array(text[(end + 1)..<close])))
                    end = close + 1
                }
                if nullDacl && !entries.isEmpty { throw .malformed }
                // No more than the smallest entries an ACL's 16-bit size holds.
                let smallestEntry = DescriptorLayout.aceSid + DescriptorLayout.smallestSid
                if entries.count > Int(UInt16.max) / smallestEntry { throw .malformed }
                sd.dacl = nullDacl ? nil : entries
            default:
                throw .malformed  // SACLs are not part of what this library reads
            }
            i = end
        }
        // Each entry must fit an ACL's 16-bit size.
        if let dacl = sd.dacl, DescriptorLayout.aclHeaderSize + dacl.reduce(0, { $0 + $1.byteCount }) > UInt16.max {
            throw .malformed
        }
        return sd
    }

    /// One entry's six fields: type;flags;rights;object guid;inherited object guid;sid.
    static func entry(_ text: [UInt8]) throws(Failure) -> AccessControlEntry {
        let fields = text.split(separator: UInt8(ascii: ";"), omittingEmptySubsequences: false).map { Array($0) }
        guard fields.count == 6, fields[3].isEmpty, fields[4].isEmpty else { throw .malformed }
        let type: UInt8
        switch fields[0] {
        case Array("A".utf8): type = AccessControlEntry.allowedType
        case Array("D".utf8): type = AccessControlEntry.deniedType
        default: throw .malformed
        }
        var flags: UInt8 = 0
        guard fields[1].count % 2 == 0 else { throw .malformed }
        for k in stride(from: 0, to: fields[1].count, by: 2) {
            let code = String(decoding: fields[1][k..<(k + 2)], as: UTF8.self)
            guard let bit = flagCodes.first(where: { $0.0 == code })?.1 else { throw .malformed }
            flags |= bit
        }
        let mask = try rights(fields[2])
        guard let sid = SecurityIdentifier.parse(fields[5]) else { throw .invalidSid }
        return AccessControlEntry(type: type, flags: flags, mask: mask, sid: sid)
    }

    static func rights(_ text: [UInt8]) throws(Failure) -> UInt32 {
        guard !text.isEmpty else { throw .malformed }
        if text.count > 2, text[0] == UInt8(ascii: "0"), text[1] == UInt8(ascii: "x") || text[1] == UInt8(ascii: "X") {
            return try number(text[2...], radix: 16)
        }
        if text.allSatisfy({ $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }) {
            return try number(text[...], radix: 10)
        }
        guard text.count % 2 == 0 else { throw .malformed }
        var mask: UInt32 = 0
        for k in stride(from: 0, to: text.count, by: 2) {
            let code = String(decoding: text[k..<(k + 2)], as: UTF8.self)
            guard let bits = (rightCodes + wholeCodes).first(where: { $0.0 == code })?.1 else { throw .malformed }
            mask |= bits
        }
        return mask
    }

    static func number(_ digits: ArraySlice<UInt8>, radix: UInt32) throws(Failure) -> UInt32 {
        guard !digits.isEmpty, digits.count <= 10 else { throw .malformed }
        var v: UInt64 = 0
        for c in digits {
            let d: UInt64
            switch c {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): d = UInt64(c - UInt8(ascii: "0"))
            case UInt8(ascii: "a")...UInt8(ascii: "f") where radix == 16: d = UInt64(c - UInt8(ascii: "a") + 10)
            case UInt8(ascii: "A")...UInt8(ascii: "F") where radix == 16: d = UInt64(c - UInt8(ascii: "A") + 10)
            default: throw .malformed
            }
            v = v * UInt64(radix) + d
            if v > UInt64(UInt32.max) { throw .malformed }
        }
        return UInt32(v)
    }

    // MARK: writing

    /// The SDDL of the parts `information` names (owner, group, DACL).
    static func string(_ sd: SecurityDescriptor, information: SecurityInformation) -> String {
        var s = ""
        if information.contains(.owner), let owner = sd.owner { s += "O:" + sidString(owner) }
        if information.contains(.group), let group = sd.group { s += "G:" + sidString(group) }
        if information.contains(.dacl), sd.control & SecurityDescriptor.daclPresent != 0 {
            s += "D:"
            if sd.control & SecurityDescriptor.daclProtected != 0 { s += "P" }
            if sd.control & SecurityDescriptor.daclAutoInheritRequired != 0 { s += "AR" }
            if sd.control & SecurityDescriptor.daclAutoInherited != 0 { s += "AI" }
            if let dacl = sd.dacl {
                for ace in dacl { s += entryString(ace) }
            } else {
                s += "NO_ACCESS_CONTROL"
            }
        }
        return s
    }

    static func sidString(_ sid: SecurityIdentifier) -> String { sid.alias ?? sid.string }

    static func entryString(_ ace: AccessControlEntry) -> String {
        let type: String
        switch ace.type {
        case AccessControlEntry.allowedType: type = "A"
        case AccessControlEntry.deniedType: type = "D"
        case AccessControlEntry.systemAuditType: type = "AU"
        default: type = "AL"
        }
        var flags = ""
        for (code, bit) in flagCodes where ace.flags & bit != 0 { flags += code }
        return "(\(type);\(flags);\(rightsString(ace.mask));;;\(sidString(ace.sid)))"
    }

    static func rightsString(_ mask: UInt32) -> String {
        if let whole = wholeCodes.first(where: { $0.1 == mask }) { return whole.0 }
        var rest = mask
        var s = ""
        for (code, bit) in rightCodes where rest & bit != 0 {
            s += code
            rest &= ~bit
        }
        if rest == 0 && !s.isEmpty { return s }
        return "0x" + String(mask, radix: 16)
    }
}
