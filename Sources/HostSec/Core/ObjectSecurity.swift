import CHostSec
#if canImport(Glibc)
import Glibc
#endif

/// Which parts of a security descriptor a call reads or replaces (`SECURITY_INFORMATION`).
struct SecurityInformation: OptionSet, Sendable {
    let rawValue: UInt32
    static let owner = Self(rawValue: UInt32(OWNER_SECURITY_INFORMATION))
    static let group = Self(rawValue: UInt32(GROUP_SECURITY_INFORMATION))
    static let dacl = Self(rawValue: UInt32(DACL_SECURITY_INFORMATION))
    static let sacl = Self(rawValue: UInt32(SACL_SECURITY_INFORMATION))
}

/// GetKernelObjectSecurity and SetKernelObjectSecurity on a token object: the token's own
/// descriptor, the one `AccessCheck` protects the token with.
extension Engine {
    /// The parts of the token's descriptor `information` names (the DACL with its control
    /// bits). The SACL is `ERROR_PRIVILEGE_NOT_HELD` (no one here holds SeSecurityPrivilege for
    /// a token); the handle needs READ_CONTROL.
    func objectSecurity(of handle: TokenHandle, information: SecurityInformation) throws(HostSecError)
        -> SecurityDescriptor
    {
        let (token, rights) = try opened(handle)
        if information.contains(.sacl) { throw .privilegeNotHeld }
        if !rights.contains(.readControl) { throw .accessDenied }
        let whole = token.descriptor
        var sd = SecurityDescriptor(owner: nil, group: nil, dacl: nil, control: 0)
        if information.contains(.owner) { sd.owner = whole.owner }
        if information.contains(.group) { sd.group = whole.group }
        if information.contains(.dacl) {
            sd.dacl = whole.dacl
            sd.control |=
                whole.control
                & (SecurityDescriptor.daclPresent | SecurityDescriptor.daclProtected
                    | SecurityDescriptor.daclAutoInherited | SecurityDescriptor.daclAutoInheritRequired)
        }
        return sd
    }

    /// Replaces the parts of the token's descriptor `information` names with those of
    /// `descriptor` (read only after the handle's checks; it throws
    /// `ERROR_INVALID_SECURITY_DESCR` for one it cannot read). The SACL is
    /// `ERROR_PRIVILEGE_NOT_HELD`; owner and group need WRITE_OWNER, the DACL WRITE_DAC. The
    /// owner must be in the descriptor (`ERROR_INVALID_OWNER`) and be the caller's own user
    /// unless the caller holds CAP_CHOWN (a part of SeRestorePrivilege), as Windows takes
    /// SeRestorePrivilege for any other owner (`ERROR_INVALID_OWNER`; a caller that only
    /// identifies as someone: `ERROR_BAD_IMPERSONATION_LEVEL`). The group must be in the
    /// descriptor (`ERROR_INVALID_PRIMARY_GROUP`); a DACL asked for that the descriptor lacks
    /// is a NULL DACL, as Windows.
    func setObjectSecurity(
        of handle: TokenHandle, information: SecurityInformation,
        descriptor: () throws(HostSecError) -> SecurityDescriptor
    ) throws(HostSecError) {
        let (token, rights) = try opened(handle)
        if information.contains(.sacl) { throw .privilegeNotHeld }
        if !information.isDisjoint(with: [.owner, .group]) && !rights.contains(.writeOwner) { throw .accessDenied }
        if information.contains(.dacl) && !rights.contains(.writeDac) { throw .accessDenied }
        let sd = try descriptor()
        var owner: SecurityIdentifier? = nil
        if information.contains(.owner) {
            guard let wanted = sd.owner else { throw .invalidOwner }
            let caller = try currentSubject(threadState())
            if wanted != caller.user && !caller.holds(UInt32(CAP_CHOWN)) { throw .invalidOwner }
            owner = wanted
        }
        var group: SecurityIdentifier? = nil
        if information.contains(.group) {
            guard let wanted = sd.group else { throw .invalidPrimaryGroup }
            group = wanted
        }
        let dacl: [AccessControlEntry]?? = information.contains(.dacl) ? .some(sd.dacl) : .none
        token.setDescriptor(owner: owner, group: group, dacl: dacl)
    }
}
