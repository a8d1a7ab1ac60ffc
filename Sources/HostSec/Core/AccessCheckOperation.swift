import CHostSec

/// Windows' errors of the checks only the Win32 face asks for, as HRESULT_FROM_WIN32 of each
/// (the face reports the Win32 code inside).
extension HostSecError {
    static let noImpersonationToken = HostSecError(HResult.fromWin32(UInt32(ERROR_NO_IMPERSONATION_TOKEN)))
    static let invalidSecurityDescriptor = HostSecError(HResult.fromWin32(UInt32(ERROR_INVALID_SECURITY_DESCR)))
    static let genericNotMapped = HostSecError(HResult.fromWin32(UInt32(ERROR_GENERIC_NOT_MAPPED)))
    static let invalidOwner = HostSecError(HResult.fromWin32(UInt32(ERROR_INVALID_OWNER)))
    static let invalidPrimaryGroup = HostSecError(HResult.fromWin32(UInt32(ERROR_INVALID_PRIMARY_GROUP)))
    static let invalidSid = HostSecError(HResult.fromWin32(UInt32(ERROR_INVALID_SID)))
}

/// AccessCheck, PrivilegeCheck and CheckTokenMembership: questions about a client token, with
/// the rules Windows puts around the one access check (`AccessCheck.evaluate`).
extension Engine {
    /// The client token of a check: an impersonation token (`ERROR_NO_IMPERSONATION_TOKEN`) at
    /// SecurityIdentification or above (`ERROR_BAD_IMPERSONATION_LEVEL`) whose handle has
    /// TOKEN_QUERY (`E_ACCESSDENIED`). AccessCheck reports a level too low before a missing
    /// right, PrivilegeCheck and CheckTokenMembership the right first.
    static func checkClient(_ token: Token, _ rights: TokenRights, levelFirst: Bool) throws(HostSecError) {
        if token.kind != .impersonation { throw .noImpersonationToken }
        if levelFirst && token.level < .identification { throw .badImpersonationLevel }
        if !rights.contains(.query) { throw .accessDenied }
        if token.level < .identification { throw .badImpersonationLevel }
    }

    /// `AccessCheck`: what a descriptor grants the client token behind `handle` for `desired`
    /// (generic rights refused: the caller maps them first). In Windows' order: the library is
    /// open and the handle a token's; the client token's rules (`checkClient`); then the
    /// descriptor, read only now (`descriptor` throws `ERROR_INVALID_SECURITY_DESCR` for one it
    /// cannot read), which must have an owner and a group (`ERROR_INVALID_SECURITY_DESCR`);
    /// then `ERROR_GENERIC_NOT_MAPPED` for a GENERIC_* right in `desired`.
    func accessCheck(
        _ handle: TokenHandle, descriptor: () throws(HostSecError) -> SecurityDescriptor,
        desired: UInt32, mapping: GenericMapping
    ) throws(HostSecError) -> AccessCheck.Decision {
        let (token, rights) = try opened(handle)
        try Self.checkClient(token, rights, levelFirst: true)
        let sd = try descriptor()
        guard sd.owner != nil, sd.group != nil else { throw .invalidSecurityDescriptor }
        if desired & AccessRights.generic != 0 { throw .genericNotMapped }
        return AccessCheck.evaluate(sd, subject: token.subject, desired: desired, mapping: mapping)
    }

    /// `PrivilegeCheck`'s token: the client token behind `handle` (`checkClient`), while the
    /// library is open. Which of its privileges are enabled is the face's mapping.
    func privilegeCheckToken(_ handle: TokenHandle) throws(HostSecError) -> Token {
        let (token, rights) = try opened(handle)
        try Self.checkClient(token, rights, levelFirst: false)
        return token
    }

    /// `CheckTokenMembership`: whether `sid` is the user or an enabled group of the client
    /// token behind `handle` (`checkClient`), or with no handle of the thread's token, or else
    /// the process token. Deny-only SIDs do not count, and a restricted token counts only for
    /// SIDs that are restricting ones too, as Windows. Also after the library closed: it only
    /// reads a token.
    func isMember(_ sid: SecurityIdentifier, of handle: TokenHandle?) throws(HostSecError) -> Bool {
        let subject: AccessSubject
        if let handle {
            let (token, rights) = try handles.lookup(handle)
            try Self.checkClient(token, rights, levelFirst: false)
            subject = token.subject
        } else {
            let state = try threadState()
            subject = (state.token ?? selfToken(state)).subject
        }
        guard subject.matchesAllow(sid) else { return false }
        return subject.restricting?.contains(sid) ?? true
    }
}
