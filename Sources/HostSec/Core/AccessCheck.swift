/// The SIDs a token's groups list: primary group, each supplementary group once, Everyone,
/// LOCAL, Authenticated Users, and BUILTIN\Administrators for uid 0.
package enum TokenGroupList {
    /// SE_GROUP_MANDATORY | SE_GROUP_ENABLED_BY_DEFAULT | SE_GROUP_ENABLED.
    package static let defaultAttributes: UInt32 = 0x7
    package static let ownerAttribute: UInt32 = 0x8
    /// SE_GROUP_USE_FOR_DENY_ONLY.
    package static let denyOnlyAttribute: UInt32 = 0x10
    package static let mandatoryAttribute: UInt32 = 0x1

    package static func list(_ identity: Identity) -> [(SecurityIdentifier, UInt32)] {
        var gids = [identity.gid]
        for g in identity.groups where !gids.contains(g) { gids.append(g) }
        var list = gids.map { (SecurityIdentifier.group($0), defaultAttributes) }
        list.append((.everyone, defaultAttributes))
        list.append((.local, defaultAttributes))
        list.append((.authenticatedUsers, defaultAttributes))
        if identity.uid == .root { list.append((.administrators, defaultAttributes | ownerAttribute)) }
        return list
    }
}

/// What CreateRestrictedToken took from a token: SIDs that only deny, privileges deleted
/// (their capabilities), and the restricting SIDs of the second access check pass.
package struct TokenRestrictions: Hashable, Sendable {
    /// The token's user and group SIDs that now match deny entries only.
    package var denyOnly: [SecurityIdentifier]
    /// Restricting SIDs: access needs both the normal pass and a pass with these. nil: no
    /// second pass; empty: a second pass that grants nothing (a restricted token restricted
    /// again to SIDs it did not have).
    package var restricting: [SecurityIdentifier]?
    /// Capabilities of the deleted privileges.
    package var deletedCapabilities: UInt64

    package init(
        denyOnly: [SecurityIdentifier] = [], restricting: [SecurityIdentifier]? = nil,
        deletedCapabilities: UInt64 = 0
    ) {
        self.denyOnly = denyOnly
        self.restricting = restricting
        self.deletedCapabilities = deletedCapabilities
    }

    /// Whether the kernel has a form for the deny-only SIDs: none at all. A Linux user or group
    /// both grants and denies (mode bits such as 0604 and ACL entries deny their members), so
    /// a thread or child that keeps the group may open what the group grants, and one without
    /// it what the group is denied. A token with deny-only SIDs never acts in the kernel.
    package var kernelCanHoldDenyOnly: Bool { denyOnly.isEmpty }

    /// Whether a child process can hold the token: no deny-only SIDs, and no restricting ones
    /// (the kernel has no second pass, and a child, unlike an impersonating thread, is out of
    /// the library's reach).
    package var kernelCanHold: Bool { kernelCanHoldDenyOnly && restricting == nil }

    /// The restrictions of a token restricted again by `further`: restricting only ever
    /// narrows. Deny-only SIDs and deleted capabilities add up; restricting SIDs given to a
    /// token that has some already leave the SIDs in both lists (Windows' rule for
    /// CreateRestrictedToken; none in both is a second pass that grants nothing), and none
    /// given keep the list.
    package func restricted(by further: TokenRestrictions) -> TokenRestrictions {
        var merged = self
        for sid in further.denyOnly where !merged.denyOnly.contains(sid) { merged.denyOnly.append(sid) }
        merged.deletedCapabilities |= further.deletedCapabilities
        if let new = further.restricting {
            merged.restricting = restricting.map { old in new.filter(old.contains) } ?? new
        }
        return merged
    }
}

/// Who asks for access: the SIDs of a token (user, enabled groups, deny-only SIDs,
/// restricting SIDs) and its effective capabilities.
package struct AccessSubject: Sendable {
    package var user: SecurityIdentifier
    package var userDenyOnly: Bool
    /// Enabled group SIDs: match allow and deny entries.
    package var groups: [SecurityIdentifier]
    /// Deny-only group SIDs: match deny entries only.
    package var denyOnlyGroups: [SecurityIdentifier]
    /// nil: not restricted.
    package var restricting: [SecurityIdentifier]?
    package var capEffective: UInt64

    /// The subject an identity is: its user and groups as a token lists them, with the
    /// restrictions applied (deny-only SIDs listed apart, restricting SIDs for the second pass).
    package init(_ identity: Identity, restrictions: TokenRestrictions? = nil) {
        let me = SecurityIdentifier.user(identity.uid)
        user = me
        let denyOnly = restrictions?.denyOnly ?? []
        userDenyOnly = denyOnly.contains(me)
        let listed = TokenGroupList.list(identity).map(\.0)
        groups = listed.filter { !denyOnly.contains($0) }
        denyOnlyGroups = denyOnly.filter { $0 != me }
        restricting = restrictions?.restricting
        capEffective = identity.capEffective
    }

    func matchesAllow(_ sid: SecurityIdentifier) -> Bool { (!userDenyOnly && sid == user) || groups.contains(sid) }
    func matchesDeny(_ sid: SecurityIdentifier) -> Bool {
        sid == user || groups.contains(sid) || denyOnlyGroups.contains(sid)
    }
    func holds(_ cap: UInt32) -> Bool { capEffective & Capability.bit(cap) != 0 }
}

/// The one access check of the library: AccessCheck's, and the one that protects token
/// objects (OpenThreadToken, OpenProcessToken, DuplicateTokenEx), as Windows' kernel makes
/// one check for every object.
///
/// Order: rights that capabilities grant (each a privilege's: CAP_DAC_OVERRIDE of
/// SeRestorePrivilege every right of the mapping, as root passes file checks;
/// CAP_DAC_READ_SEARCH of SeBackupPrivilege the mapping's read rights; CAP_CHOWN of
/// SeRestorePrivilege WRITE_OWNER, as SeTakeOwnershipPrivilege grants it on Windows; CAP_FOWNER
/// READ_CONTROL and WRITE_DAC); the owner's implicit READ_CONTROL and WRITE_DAC (none when the
/// DACL has an OWNER RIGHTS entry, S-1-3-4, which then speaks for the owner); then the DACL
/// in order: the first entry that names a right decides it (deny entries of deny-only SIDs
/// count, their allow entries do not). A NULL DACL grants everything, an empty one nothing
/// beyond the above. A restricted subject passes only when a second pass with its
/// restricting SIDs (owner rights and OWNER RIGHTS entries only when the owner is one of them)
/// grants the same.
package enum AccessCheck {
    /// A decision: rights granted (0 when denied), privileges that granted any of them
    /// (LUIDs), and why it was refused.
    package struct Decision: Equatable, Sendable {
        package enum Status: Equatable, Sendable { case granted, accessDenied, privilegeNotHeld }
        package var granted: UInt32
        package var privilegesUsed: [UInt32]
        package var status: Status
    }

    static let seSecurityLuid: UInt32 = 8
    static let seBackupLuid: UInt32 = 17
    static let seRestoreLuid: UInt32 = 18
    static let capChown: UInt32 = 0
    static let capDacReadSearch: UInt32 = 2
    static let capFowner: UInt32 = 3
    static let capAuditControl: UInt32 = 30
    /// The rights an entry can grant: specific and standard ones (bits 0-23). Never
    /// ACCESS_SYSTEM_SECURITY (a privilege's alone), MAXIMUM_ALLOWED or the reserved bits.
    static let grantableByEntries: UInt32 = 0x00FF_FFFF

    /// Rights capabilities grant the subject, with the privileges that grant them.
    static func privilegeRights(_ subject: AccessSubject, _ mapping: GenericMapping) -> [(UInt32, UInt32)] {
        var rights: [(UInt32, UInt32)] = []
        // The narrowest first, so the privilege recorded for a right is the one that names it.
        if subject.holds(capDacReadSearch) { rights.append((mapping.read | AccessRights.readControl, seBackupLuid)) }
        if subject.holds(capChown) { rights.append((AccessRights.writeOwner, seRestoreLuid)) }
        if subject.holds(capFowner) { rights.append((AccessRights.readControl | AccessRights.writeDac, seRestoreLuid)) }
        if subject.holds(Capability.dacOverride) {
            rights.append((mapping.all | AccessRights.standardAll, seRestoreLuid))
        }
        return rights
    }

    /// One pass over the DACL: every right it grants (the maximum-allowed walk: each right is
    /// decided by the first entry that names it). `everything` is what a NULL DACL grants.
    ///
    /// The owner (`ownerAllows`: the owner SID matches the pass's allow entries; `ownerDenies`:
    /// its deny entries) gets READ_CONTROL and WRITE_DAC unless the DACL has an effective
    /// OWNER RIGHTS (S-1-3-4) entry: then the owner gets what those entries say, as on
    /// Windows, where OWNER RIGHTS matches the owner like any SID it holds.
    static func pass(
        _ descriptor: SecurityDescriptor, _ mapping: GenericMapping, everything: UInt32,
        ownerAllows: Bool, ownerDenies: Bool, allow: (SecurityIdentifier) -> Bool,
        deny: (SecurityIdentifier) -> Bool
    ) -> UInt32 {
        guard let dacl = descriptor.dacl else { return everything }
        let ownerRightsListed = dacl.contains {
            $0.sid == .ownerRights && $0.flags & AccessControlEntry.inheritOnly == 0
        }
        var granted: UInt32 =
            ownerAllows && !ownerRightsListed ? AccessRights.readControl | AccessRights.writeDac : 0
        var denied: UInt32 = 0
        for ace in dacl where ace.flags & AccessControlEntry.inheritOnly == 0 {
            let mask = mapping.map(ace.mask)
            let isOwnerRights = ace.sid == .ownerRights
            switch ace.type {
            case AccessControlEntry.allowedType where isOwnerRights ? ownerAllows : allow(ace.sid):
                granted |= mask & ~denied
            case AccessControlEntry.deniedType where isOwnerRights ? ownerDenies : deny(ace.sid):
                denied |= mask & ~granted
            default: break
            }
        }
        return granted
    }

    /// The rights the descriptor grants the subject for `desired` (generic rights already
    /// mapped; MAXIMUM_ALLOWED asks for every right it can get).
    package static func evaluate(
        _ descriptor: SecurityDescriptor, subject: AccessSubject, desired: UInt32,
        mapping: GenericMapping
    ) -> Decision {
        let maximum = desired & AccessRights.maximumAllowed != 0
        var want = desired & ~AccessRights.maximumAllowed
        var privileged: UInt32 = 0
        var used: [UInt32] = []
        // ACCESS_SYSTEM_SECURITY: only SeSecurityPrivilege (CAP_AUDIT_CONTROL here) grants it.
        if want & AccessRights.accessSystemSecurity != 0 {
            guard subject.holds(capAuditControl) else {
                return Decision(granted: 0, privilegesUsed: [], status: .privilegeNotHeld)
            }
            privileged |= AccessRights.accessSystemSecurity
            used.append(seSecurityLuid)
            want &= ~AccessRights.accessSystemSecurity
        }
        let fromPrivileges = privilegeRights(subject, mapping)
        let everything =
            maximum ? mapping.all | AccessRights.standardAll : UInt32.max & ~AccessRights.accessSystemSecurity
        let owner = descriptor.owner
        var allowed = pass(
            descriptor, mapping, everything: everything,
            ownerAllows: owner.map { subject.matchesAllow($0) } ?? false,
            ownerDenies: owner.map { subject.matchesDeny($0) } ?? false,
            allow: subject.matchesAllow, deny: subject.matchesDeny)
        if let restricting = subject.restricting {
            // The second pass knows the restricting SIDs only: the owner is matched (implicit
            // rights, OWNER RIGHTS entries) only when it is one of them.
            let ownerRestricts = owner.map { restricting.contains($0) } ?? false
            allowed &= pass(
                descriptor, mapping, everything: everything,
                ownerAllows: ownerRestricts, ownerDenies: ownerRestricts,
                allow: { restricting.contains($0) }, deny: { restricting.contains($0) })
        }
        // Privileges count where the DACL did not already grant (and, asked for specific
        // rights, only those asked for).
        for (rights, luid) in fromPrivileges {
            let needed = (maximum ? rights : rights & want) & ~allowed & ~privileged
            if needed != 0 {
                privileged |= needed
                if !used.contains(luid) { used.append(luid) }
            }
        }
        let all = allowed | privileged
        if want & ~all != 0 { return Decision(granted: 0, privilegesUsed: [], status: .accessDenied) }
        // ACCESS_SYSTEM_SECURITY only when asked for and held (above): an entry never grants it.
        let security = privileged & AccessRights.accessSystemSecurity
        let granted = maximum ? (all & grantableByEntries) | security : want | security
        if granted == 0 { return Decision(granted: 0, privilegesUsed: [], status: .accessDenied) }
        return Decision(granted: granted, privilegesUsed: used, status: .granted)
    }

    // MARK: token objects

    /// Maps GENERIC_* rights through the token generic mapping (TOKEN_READ, TOKEN_WRITE,
    /// TOKEN_EXECUTE, TOKEN_ALL_ACCESS); other rights are kept.
    @inlinable @inline(__always) package static func mapGeneric(_ desired: TokenRights) -> TokenRights {
        TokenRights(rawValue: GenericMapping.token.map(desired.rawValue))
    }

    /// What a token's descriptor grants the token's own identity: `allowed(to:by:)`, worked
    /// out without building the subject's SID lists when the DACL has only allow entries for
    /// Unix users and groups and the token is not restricted (every token the library makes
    /// until SetKernelObjectSecurity or CreateRestrictedToken says otherwise), so making a
    /// token (each impersonation makes one) costs no allocation here.
    package static func allowedToOwn(
        _ identity: Identity, restrictions: TokenRestrictions?,
        descriptor: SecurityDescriptor
    ) -> TokenRights {
        guard restrictions == nil, let dacl = descriptor.dacl,
            dacl.allSatisfy({
                $0.type == AccessControlEntry.allowedType && $0.flags & AccessControlEntry.inheritOnly == 0
                    && ($0.sid.unixUser != nil || $0.sid.unixGroup != nil)
            }),
            descriptor.owner?.unixUser != nil || descriptor.owner?.unixGroup != nil || descriptor.owner == nil
        else {
            return allowed(to: AccessSubject(identity, restrictions: restrictions), by: descriptor)
        }
        func matches(_ sid: SecurityIdentifier) -> Bool {
            if let uid = sid.unixUser { return uid == identity.uid }
            if let gid = sid.unixGroup { return identity.isMember(of: gid) }
            return false
        }
        var granted: UInt32 =
            descriptor.owner.map(matches) == true ? AccessRights.readControl | AccessRights.writeDac : 0
        for ace in dacl where matches(ace.sid) { granted |= GenericMapping.token.map(ace.mask) }
        let mapping = GenericMapping.token
        if identity.holds(capDacReadSearch) { granted |= mapping.read | AccessRights.readControl }
        if identity.holds(capChown) { granted |= AccessRights.writeOwner }
        if identity.holds(capFowner) { granted |= AccessRights.readControl | AccessRights.writeDac }
        if identity.holds(Capability.dacOverride) { granted |= mapping.all | AccessRights.standardAll }
        return TokenRights(rawValue: granted).intersection(.all)
    }

    /// Every right the token object's descriptor grants the subject (MAXIMUM_ALLOWED), or none.
    package static func allowed(to subject: AccessSubject, by descriptor: SecurityDescriptor) -> TokenRights {
        TokenRights(
            rawValue: evaluate(
                descriptor, subject: subject, desired: TokenRights.maximumAllowed.rawValue, mapping: .token
            )
            .granted
        ).intersection(.all)
    }

    /// The rights a handle to a token gets, or `E_ACCESSDENIED`.
    package static func check(
        desired: TokenRights, subject: AccessSubject,
        descriptor: SecurityDescriptor
    ) throws(HostSecError) -> TokenRights {
        try check(desired: desired, allowed: { allowed(to: subject, by: descriptor) })
    }

    /// The rights a handle to a token gets, with what the descriptor allows the subject
    /// already known (the token worked it out for its own identity) or worked out only when a
    /// right is asked for. Opening an object with no rights is valid (as on Windows); rights a
    /// token cannot have are refused.
    @inlinable package static func check(
        desired: TokenRights, allowed allowedRights: () -> TokenRights
    ) throws(HostSecError) -> TokenRights {
        let mapped = mapGeneric(desired)
        let specific = mapped.subtracting(.maximumAllowed)
        if !specific.isSubset(of: .all) { throw .accessDenied }  // rights a token cannot have
        if specific.isEmpty && !mapped.contains(.maximumAllowed) { return TokenRights() }
        let allowed = allowedRights()
        if !specific.isSubset(of: allowed) { throw .accessDenied }
        if mapped.contains(.maximumAllowed) {
            if allowed.isEmpty { throw .accessDenied }
            return allowed
        }
        return specific
    }
}
