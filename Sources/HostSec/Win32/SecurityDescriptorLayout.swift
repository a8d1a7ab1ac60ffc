import CHostSec

/// Security descriptors and ACLs in Windows' memory layouts (winnt.h, 64-bit), placed with
/// the header's types: ACL (the header; the entries after it, AclSize bytes in all);
/// ACCESS_ALLOWED_ACE / ACCESS_DENIED_ACE (ACE_HEADER, Mask, the SID from SidStart);
/// SECURITY_DESCRIPTOR (absolute: pointers to the parts) and SECURITY_DESCRIPTOR_RELATIVE
/// (offsets from the start, 0 = absent, the parts after it).
/// Every read is bounded: a reader gets the bytes it may look at and checks each offset and
/// size against them before it reads, so malformed input is refused, never read past.
enum DescriptorLayout {
    static let absoluteSize = MemoryLayout<SECURITY_DESCRIPTOR>.size
    static let relativeSize = MemoryLayout<SECURITY_DESCRIPTOR_RELATIVE>.size
    static let aclHeaderSize = MemoryLayout<ACL>.size
    /// SECURITY_DESCRIPTOR_REVISION, the one revision a descriptor has.
    static let revision = UInt8(SECURITY_DESCRIPTOR_REVISION)
    /// MIN_ACL_REVISION...MAX_ACL_REVISION.
    static let aclRevisions = UInt8(MIN_ACL_REVISION)...UInt8(MAX_ACL_REVISION)

    /// Where each field is: the control word (the same in both forms), the absolute form's
    /// pointers and the self-relative form's offsets, an ACL's size and count, an entry's.
    static let control = MemoryLayout<SECURITY_DESCRIPTOR>.offset(of: \SECURITY_DESCRIPTOR.Control)!
    static let absoluteOwner = MemoryLayout<SECURITY_DESCRIPTOR>.offset(of: \SECURITY_DESCRIPTOR.Owner)!
    static let absoluteGroup = MemoryLayout<SECURITY_DESCRIPTOR>.offset(of: \SECURITY_DESCRIPTOR.Group)!
    static let absoluteSacl = MemoryLayout<SECURITY_DESCRIPTOR>.offset(of: \SECURITY_DESCRIPTOR.Sacl)!
    static let absoluteDacl = MemoryLayout<SECURITY_DESCRIPTOR>.offset(of: \SECURITY_DESCRIPTOR.Dacl)!
    /// The self-relative offsets of owner, group, SACL and DACL, in that order.
    static let relativeParts = [
        \SECURITY_DESCRIPTOR_RELATIVE.Owner, \SECURITY_DESCRIPTOR_RELATIVE.Group,
        \SECURITY_DESCRIPTOR_RELATIVE.Sacl, \SECURITY_DESCRIPTOR_RELATIVE.Dacl,
    ].map { MemoryLayout<SECURITY_DESCRIPTOR_RELATIVE>.offset(of: $0)! }
    static let aclSize = MemoryLayout<ACL>.offset(of: \ACL.AclSize)!
    static let aclCount = MemoryLayout<ACL>.offset(of: \ACL.AceCount)!
    static let aceFlags = MemoryLayout<ACE_HEADER>.offset(of: \ACE_HEADER.AceFlags)!
    static let aceSize = MemoryLayout<ACE_HEADER>.offset(of: \ACE_HEADER.AceSize)!
    static let aceMask = MemoryLayout<ACCESS_ALLOWED_ACE>.offset(of: \ACCESS_ALLOWED_ACE.Mask)!
    static let aceSid = MemoryLayout<ACCESS_ALLOWED_ACE>.offset(of: \ACCESS_ALLOWED_ACE.SidStart)!
    /// A SID without sub-authorities: its fixed part.
    static let smallestSid = MemoryLayout<SID>.offset(of: \SID.SubAuthority)!
    /// The bound for a pointer handed over without a length (Windows' contract: the caller
    /// passes a valid object); the parts' own sizes bound every read inside it.
    static let unbounded = 1 << 30

    // MARK: ACLs

    /// A parsed ACL: its entries, revision, declared size and the bytes its entries use.
    struct ParsedAcl {
        var revision: UInt8
        var size: Int
        var entries: [AccessControlEntry]
        /// Bytes in use: the header plus every entry's AceSize.
        var used: Int
    }

    /// Reads the ACL at the start of `bytes`, or nil when it is not valid: revision 2 to 4,
    /// AclSize from 8 to the bytes given, each entry inside AclSize, of a type with the
    /// allow/deny layout (0-3), AceSize a multiple of 4 that holds its valid SID.
    static func readAcl(_ bytes: UnsafeRawBufferPointer) -> ParsedAcl? {
        guard bytes.count >= aclHeaderSize else { return nil }
        let revision = bytes[0]
        let size = Int(bytes.loadUnaligned(fromByteOffset: aclSize, as: UInt16.self))
        let count = Int(bytes.loadUnaligned(fromByteOffset: aclCount, as: UInt16.self))
        guard aclRevisions.contains(revision), size >= aclHeaderSize, size <= bytes.count else { return nil }
        let acl = UnsafeRawBufferPointer(rebasing: bytes[0..<size])
        var at = aclHeaderSize
        var entries: [AccessControlEntry] = []
        entries.reserveCapacity(min(count, size / 16))
        for _ in 0..<count {
            guard at + aceSid <= size else { return nil }
            let type = acl[at], flags = acl[at + aceFlags]
            let entrySize = Int(acl.loadUnaligned(fromByteOffset: at + aceSize, as: UInt16.self))
            guard type <= AccessControlEntry.systemAlarmType, entrySize >= aceSid + smallestSid,
                entrySize % MemoryLayout<DWORD>.size == 0, at + entrySize <= size
            else { return nil }
            let mask = acl.loadUnaligned(fromByteOffset: at + aceMask, as: UInt32.self)
            let entry = UnsafeRawBufferPointer(rebasing: acl[at..<(at + entrySize)])
            guard let sid = SecurityIdentifier.read(entry, at: aceSid) else { return nil }
            entries.append(AccessControlEntry(type: type, flags: flags, mask: mask, sid: sid))
            at += entrySize
        }
        return ParsedAcl(revision: revision, size: size, entries: entries, used: at)
    }

    /// Reads the ACL at `p` (its own AclSize bounds the read).
    static func readAcl(_ p: UnsafeRawPointer?) -> ParsedAcl? {
        guard let p else { return nil }
        return readAcl(UnsafeRawBufferPointer(start: p, count: unbounded))
    }

    /// The ACL's bytes: header, then each entry.
    static func aclBytes(_ entries: [AccessControlEntry], revision: UInt8) -> [UInt8] {
        let size = aclHeaderSize + entries.reduce(0) { $0 + $1.byteCount }
        var out = [UInt8](repeating: 0, count: size)
        out.withUnsafeMutableBytes { raw in
            raw[0] = revision
            raw.storeBytes(of: UInt16(size), toByteOffset: aclSize, as: UInt16.self)
            raw.storeBytes(of: UInt16(entries.count), toByteOffset: aclCount, as: UInt16.self)
            var at = aclHeaderSize
            for entry in entries {
                writeEntry(entry, to: raw.baseAddress! + at)
                at += entry.byteCount
            }
        }
        return out
    }

    static func writeEntry(_ entry: AccessControlEntry, to p: UnsafeMutableRawPointer) {
        p.storeBytes(of: entry.type, as: UInt8.self)
        p.storeBytes(of: entry.flags, toByteOffset: aceFlags, as: UInt8.self)
        p.storeBytes(of: UInt16(entry.byteCount), toByteOffset: aceSize, as: UInt16.self)
        p.storeBytes(of: entry.mask, toByteOffset: aceMask, as: UInt32.self)
        entry.sid.write(to: p + aceSid)
    }

    // MARK: descriptors

    /// A parsed descriptor and where its parts are (for the Get functions, which return
    /// pointers into it).
    struct ParsedDescriptor {
        var descriptor: SecurityDescriptor
        var selfRelative: Bool
        var owner: UnsafeMutableRawPointer?
        var group: UnsafeMutableRawPointer?
        var sacl: UnsafeMutableRawPointer?
        var dacl: UnsafeMutableRawPointer?
    }

    enum ReadFailure: Error { case revision, invalid }

    static func control(_ p: UnsafeRawPointer) -> UInt16 { p.loadUnaligned(fromByteOffset: control, as: UInt16.self) }
    static func isSelfRelative(_ p: UnsafeRawPointer) -> Bool { control(p) & SecurityDescriptor.selfRelative != 0 }

    /// The parts' locations without validating them (the Get functions, as Windows', check
    /// only the revision). nil: revision not 1.
    static func locate(_ p: UnsafeMutableRawPointer) -> ParsedDescriptor? {
        guard p.load(as: UInt8.self) == revision else { return nil }
        let control = self.control(p)
        var parsed = ParsedDescriptor(
            descriptor: SecurityDescriptor(owner: nil, group: nil, dacl: nil, control: control),
            selfRelative: control & SecurityDescriptor.selfRelative != 0)
        if parsed.selfRelative {
            func at(_ field: Int) -> UnsafeMutableRawPointer? {
                let offset = Int(p.loadUnaligned(fromByteOffset: field, as: UInt32.self))
                return offset == 0 ? nil : p + offset
            }
            parsed.owner = at(relativeParts[0]); parsed.group = at(relativeParts[1])
            parsed.sacl = at(relativeParts[2]); parsed.dacl = at(relativeParts[3])
        } else {
            parsed.owner = p.load(fromByteOffset: absoluteOwner, as: UnsafeMutableRawPointer?.self)
            parsed.group = p.load(fromByteOffset: absoluteGroup, as: UnsafeMutableRawPointer?.self)
            parsed.sacl = p.load(fromByteOffset: absoluteSacl, as: UnsafeMutableRawPointer?.self)
            parsed.dacl = p.load(fromByteOffset: absoluteDacl, as: UnsafeMutableRawPointer?.self)
        }
        if control & SecurityDescriptor.daclPresent == 0 { parsed.dacl = nil }
        if control & SecurityDescriptor.saclPresent == 0 { parsed.sacl = nil }
        return parsed
    }

    /// Reads and validates a self-relative descriptor of `bytes.count` bytes: every offset and
    /// part inside, each part valid.
    static func readRelative(_ bytes: UnsafeRawBufferPointer) throws(ReadFailure) -> SecurityDescriptor {
        guard bytes.count >= relativeSize else { throw .invalid }
        guard bytes[0] == revision else { throw .revision }
        let control = bytes.loadUnaligned(fromByteOffset: self.control, as: UInt16.self)
        guard control & SecurityDescriptor.selfRelative != 0 else { throw .invalid }
        func offset(_ field: Int) throws(ReadFailure) -> Int? {
            let value = Int(bytes.loadUnaligned(fromByteOffset: field, as: UInt32.self))
            if value == 0 { return nil }
            guard value >= relativeSize, value < bytes.count else { throw .invalid }
            return value
        }
        var sd = SecurityDescriptor(owner: nil, group: nil, dacl: nil, control: control)
        if let o = try offset(relativeParts[0]) {
            guard let sid = SecurityIdentifier.read(bytes, at: o) else { throw .invalid }
            sd.owner = sid
        }
        if let g = try offset(relativeParts[1]) {
            guard let sid = SecurityIdentifier.read(bytes, at: g) else { throw .invalid }
            sd.group = sid
        }
        if control & SecurityDescriptor.saclPresent != 0, let s = try offset(relativeParts[2]) {
            guard let acl = readAcl(UnsafeRawBufferPointer(rebasing: bytes[s...])) else { throw .invalid }
            sd.sacl = acl.entries
            sd.saclRevision = acl.revision
        }
        if control & SecurityDescriptor.daclPresent != 0, let d = try offset(relativeParts[3]) {
            guard let acl = readAcl(UnsafeRawBufferPointer(rebasing: bytes[d...])) else { throw .invalid }
            sd.dacl = acl.entries
            sd.daclRevision = acl.revision
        }
        return sd
    }

    /// Reads and validates the descriptor at `p`, absolute or self-relative.
    static func read(_ p: UnsafeRawPointer?) throws(ReadFailure) -> SecurityDescriptor {
        guard let p else { throw .invalid }
        if isSelfRelative(p) { return try readRelative(UnsafeRawBufferPointer(start: p, count: unbounded)) }
        guard p.load(as: UInt8.self) == revision else { throw .revision }
        var sd = SecurityDescriptor(owner: nil, group: nil, dacl: nil, control: control(p))
        if let o = p.load(fromByteOffset: absoluteOwner, as: UnsafeRawPointer?.self) {
            guard let sid = SecurityIdentifier.read(o) else { throw .invalid }
            sd.owner = sid
        }
        if let g = p.load(fromByteOffset: absoluteGroup, as: UnsafeRawPointer?.self) {
            guard let sid = SecurityIdentifier.read(g) else { throw .invalid }
            sd.group = sid
        }
        if sd.control & SecurityDescriptor.saclPresent != 0,
            let s = p.load(fromByteOffset: absoluteSacl, as: UnsafeRawPointer?.self)
        {
            guard let acl = readAcl(s) else { throw .invalid }
            sd.sacl = acl.entries
            sd.saclRevision = acl.revision
        }
        if sd.control & SecurityDescriptor.daclPresent != 0,
            let d = p.load(fromByteOffset: absoluteDacl, as: UnsafeRawPointer?.self)
        {
            guard let acl = readAcl(d) else { throw .invalid }
            sd.dacl = acl.entries
            sd.daclRevision = acl.revision
        }
        return sd
    }

    /// The descriptor in self-relative form: header, then SACL, DACL, owner, group (Windows'
    /// order). A present DACL with no entries list is a NULL DACL: present, offset 0.
    static func relativeBytes(_ sd: SecurityDescriptor) -> [UInt8] {
        var parts: [UInt8] = []
        var offsets = [UInt32](repeating: 0, count: 4)  // owner, group, sacl, dacl
        func append(_ bytes: [UInt8], _ slot: Int) {
            offsets[slot] = UInt32(relativeSize + parts.count)
            parts += bytes
        }
        if sd.control & SecurityDescriptor.saclPresent != 0, let sacl = sd.sacl {
            append(aclBytes(sacl, revision: sd.saclRevision), 2)
        }
        if sd.control & SecurityDescriptor.daclPresent != 0, let dacl = sd.dacl {
            append(aclBytes(dacl, revision: sd.daclRevision), 3)
        }
        if let owner = sd.owner { append(sidBytes(owner), 0) }
        if let group = sd.group { append(sidBytes(group), 1) }
        var out = [UInt8](repeating: 0, count: relativeSize)
        out.withUnsafeMutableBytes { raw in
            raw[0] = revision
            raw.storeBytes(of: sd.control | SecurityDescriptor.selfRelative, toByteOffset: control, as: UInt16.self)
            for (i, o) in offsets.enumerated() {
                raw.storeBytes(of: o, toByteOffset: relativeParts[i], as: UInt32.self)
            }
        }
        return out + parts
    }

    static func sidBytes(_ sid: SecurityIdentifier) -> [UInt8] {
        var out = [UInt8](repeating: 0, count: sid.byteCount)
        out.withUnsafeMutableBytes { sid.write(to: $0.baseAddress!) }
        return out
    }

    /// GetSecurityDescriptorLength: the header of the descriptor's form plus its parts.
    static func length(_ sd: SecurityDescriptor, selfRelative: Bool) -> Int {
        relativeBytes(sd).count - relativeSize + (selfRelative ? relativeSize : absoluteSize)
    }
}
