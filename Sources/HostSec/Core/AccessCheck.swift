/// The access check the token object's DACL makes, as Windows' AccessCheck does for a token:
/// generic rights mapped through the token generic mapping, `MAXIMUM_ALLOWED` granting all
/// the DACL allows, 0 a valid request, and a subject holding CAP_DAC_OVERRIDE passing as
/// root does for files.
public enum AccessCheck {
    /// Maps GENERIC_* bits through the token generic mapping (READ 0x2001A, WRITE 0x201E0,
    /// EXECUTE 0x20005, ALL 0xF01FF); other bits are kept.
    @inlinable @inline(__always) public static func mapGeneric(_ desired: UInt32) -> UInt32 {
        var mapped =
            desired
            & ~(TokenRights.genericRead | TokenRights.genericWrite
            | TokenRights.genericExecute | TokenRights.genericAll)
        if desired & TokenRights.genericRead != 0 { mapped |= 0x0002_001A }
        if desired & TokenRights.genericWrite != 0 { mapped |= 0x0002_01E0 }
        if desired & TokenRights.genericExecute != 0 { mapped |= 0x0002_0005 }
        if desired & TokenRights.genericAll != 0 { mapped |= TokenRights.all }
        return mapped
    }

    /// The rights the DACL grants the subject.
    @inlinable public static func allowed(to subject: Identity, by dacl: [AccessControlEntry]) -> UInt32 {
        if subject.holds(Capability.dacOverride) { return TokenRights.all }
        var allowed: UInt32 = 0
        for ace in dacl {
            switch ace.trustee {
            case .user(let uid): if uid == subject.uid { allowed |= ace.mask }
            case .group(let gid): if subject.isMember(of: gid) { allowed |= ace.mask }
            }
        }
        return allowed
    }

    /// The rights a handle gets, or `E_ACCESSDENIED`.
    @inlinable public static func check(
        desired: UInt32, subject: Identity,
        dacl: [AccessControlEntry]
    ) throws(HostSecError) -> UInt32 {
        try check(desired: desired, allowed: { allowed(to: subject, by: dacl) })
    }

    /// `check` with the rights the DACL allows the subject already known (or worked out
    /// only when a right is asked for).
    @inlinable public static func check(desired: UInt32, allowed allowedRights: () -> UInt32) throws(HostSecError)
        -> UInt32
    {
        let mapped = mapGeneric(desired)
        let specific = mapped & ~TokenRights.maximumAllowed
        if specific & ~TokenRights.all != 0 { throw .accessDenied }  // rights a token cannot have
        if specific == 0 && mapped & TokenRights.maximumAllowed == 0 { return 0 }
        let allowed = allowedRights()
        if specific & ~allowed != 0 { throw .accessDenied }
        if mapped & TokenRights.maximumAllowed != 0 {
            if allowed == 0 { throw .accessDenied }
            return allowed
        }
        return specific
    }
}
