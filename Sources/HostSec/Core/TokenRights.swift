import CHostSec

/// The access rights of a handle to a token, as a set: an `ACCESS_MASK` for token objects
/// (winnt.h's TOKEN_* rights, the standard rights, MAXIMUM_ALLOWED and the GENERIC_* rights,
/// which `AccessCheck.mapGeneric` maps through the token mapping). Each value is hostsec.h's
/// macro; the raw mask is read or made only at the C boundary (a DWORD argument) and where a
/// right meets an ACE's mask, which any object's rights share. `TokenRightsTests` checks every
/// member against the header.
package struct TokenRights: OptionSet, Hashable, Sendable {
    package let rawValue: UInt32
    @inlinable package init(rawValue: UInt32) { self.rawValue = rawValue }

    /// A header macro's value (imported as `Int32` or `Int`, `GENERIC_READ` above `Int32.max`).
    private init(_ macro: some BinaryInteger) { self.init(rawValue: UInt32(truncatingIfNeeded: macro)) }

    /// TOKEN_ASSIGN_PRIMARY: start a process as the token (`HostSec_SpawnAsUser`).
    package static let assignPrimary = Self(TOKEN_ASSIGN_PRIMARY)
    /// TOKEN_DUPLICATE: copy the token; with `query`, impersonate a primary token.
    package static let duplicate = Self(TOKEN_DUPLICATE)
    /// TOKEN_IMPERSONATE: make an impersonation token a thread's.
    package static let impersonate = Self(TOKEN_IMPERSONATE)
    /// TOKEN_QUERY: read what the token says (`GetTokenInformation`).
    package static let query = Self(TOKEN_QUERY)
    /// TOKEN_QUERY_SOURCE: read `TokenSource`.
    package static let querySource = Self(TOKEN_QUERY_SOURCE)
    /// TOKEN_ADJUST_PRIVILEGES: enable, disable or remove privileges (capabilities).
    package static let adjustPrivileges = Self(TOKEN_ADJUST_PRIVILEGES)
    /// TOKEN_ADJUST_GROUPS (granted with `all`; nothing in hostsec needs it).
    package static let adjustGroups = Self(TOKEN_ADJUST_GROUPS)
    /// TOKEN_ADJUST_DEFAULT (granted with `all`; nothing in hostsec needs it).
    package static let adjustDefault = Self(TOKEN_ADJUST_DEFAULT)
    /// TOKEN_ADJUST_SESSIONID (granted with `all`; nothing in hostsec needs it).
    package static let adjustSessionId = Self(TOKEN_ADJUST_SESSIONID)

    /// DELETE.
    package static let delete = Self(DELETE)
    /// READ_CONTROL: read the token object's security descriptor.
    package static let readControl = Self(READ_CONTROL)
    /// WRITE_DAC: replace its DACL.
    package static let writeDac = Self(WRITE_DAC)
    /// WRITE_OWNER: replace its owner or group.
    package static let writeOwner = Self(WRITE_OWNER)
    /// SYNCHRONIZE (no token has it: outside `all`).
    package static let synchronize = Self(SYNCHRONIZE)
    /// STANDARD_RIGHTS_REQUIRED: DELETE, READ_CONTROL, WRITE_DAC and WRITE_OWNER.
    package static let standardRequired = Self(STANDARD_RIGHTS_REQUIRED)
    /// ACCESS_SYSTEM_SECURITY (the SACL's right; no token has it: outside `all`).
    package static let accessSystemSecurity = Self(ACCESS_SYSTEM_SECURITY)

    /// TOKEN_ALL_ACCESS: every right a token can have (the header spells it as an expression
    /// Swift does not import; this is the same union).
    package static let all = Self(
        rawValue: standardRequired.rawValue | assignPrimary.rawValue | duplicate.rawValue | impersonate.rawValue
            | query.rawValue | querySource.rawValue | adjustPrivileges.rawValue | adjustGroups.rawValue
            | adjustDefault.rawValue | adjustSessionId.rawValue)
    /// TOKEN_READ: READ_CONTROL and TOKEN_QUERY.
    package static let read = Self(rawValue: readControl.rawValue | query.rawValue)
    /// TOKEN_WRITE: READ_CONTROL, TOKEN_ADJUST_PRIVILEGES, TOKEN_ADJUST_GROUPS and
    /// TOKEN_ADJUST_DEFAULT.
    package static let write = Self(
        rawValue: readControl.rawValue | adjustPrivileges.rawValue | adjustGroups.rawValue | adjustDefault.rawValue)
    /// TOKEN_EXECUTE: READ_CONTROL.
    package static let execute = readControl

    /// MAXIMUM_ALLOWED: asks for every right the token's security descriptor grants.
    package static let maximumAllowed = Self(MAXIMUM_ALLOWED)
    /// GENERIC_READ (`GenericMapping.token` maps it: `read`, TOKEN_QUERY_SOURCE, TOKEN_DUPLICATE).
    package static let genericRead = Self(GENERIC_READ)
    /// GENERIC_WRITE (mapped: `write` and TOKEN_ADJUST_SESSIONID).
    package static let genericWrite = Self(GENERIC_WRITE)
    /// GENERIC_EXECUTE (mapped: `execute`, TOKEN_ASSIGN_PRIMARY, TOKEN_IMPERSONATE).
    package static let genericExecute = Self(GENERIC_EXECUTE)
    /// GENERIC_ALL (mapped: `all`).
    package static let genericAll = Self(GENERIC_ALL)

    /// Each right by its hostsec.h name (one bit each), in the order the call tracer lists them.
    package static let rightNames: [(rights: TokenRights, name: String)] = [
        (.assignPrimary, "TOKEN_ASSIGN_PRIMARY"), (.duplicate, "TOKEN_DUPLICATE"), (.impersonate, "TOKEN_IMPERSONATE"),
        (.query, "TOKEN_QUERY"), (.querySource, "TOKEN_QUERY_SOURCE"), (.adjustPrivileges, "TOKEN_ADJUST_PRIVILEGES"),
        (.adjustGroups, "TOKEN_ADJUST_GROUPS"), (.adjustDefault, "TOKEN_ADJUST_DEFAULT"),
        (.adjustSessionId, "TOKEN_ADJUST_SESSIONID"), (.delete, "DELETE"), (.readControl, "READ_CONTROL"),
        (.writeDac, "WRITE_DAC"), (.writeOwner, "WRITE_OWNER"), (.synchronize, "SYNCHRONIZE"),
        (.accessSystemSecurity, "ACCESS_SYSTEM_SECURITY"), (.maximumAllowed, "MAXIMUM_ALLOWED"),
        (.genericAll, "GENERIC_ALL"), (.genericExecute, "GENERIC_EXECUTE"), (.genericWrite, "GENERIC_WRITE"),
        (.genericRead, "GENERIC_READ"),
    ]

    /// The header's names for combinations the call tracer names whole.
    package static let combinationNames: [(rights: TokenRights, name: String)] = [
        (.all, "TOKEN_ALL_ACCESS"), (.read, "TOKEN_READ"), (.write, "TOKEN_WRITE"),
    ]
}
