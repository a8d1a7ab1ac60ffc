extension TokenGroupList {
    /// A token's groups as GetTokenInformation(TokenGroups) lists them: the identity's list
    /// with each deny-only SID (a restricted token's) marked SE_GROUP_USE_FOR_DENY_ONLY and not
    /// enabled, then deny-only SIDs the identity's list lacks (an earlier restriction's).
    static func list(_ token: Token) -> [(SecurityIdentifier, UInt32)] {
        let identity = token.currentIdentity
        let denyOnly = token.restrictions?.denyOnly ?? []
        let user = SecurityIdentifier.user(identity.uid)
        var list = list(identity).map { entry -> (SecurityIdentifier, UInt32) in
            denyOnly.contains(entry.0) ? (entry.0, mandatoryAttribute | denyOnlyAttribute) : entry
        }
        for sid in denyOnly where sid != user && !list.contains(where: { $0.0 == sid }) {
            list.append((sid, mandatoryAttribute | denyOnlyAttribute))
        }
        return list
    }
}

/// CreateRestrictedToken and IsTokenRestricted: which SIDs become deny-only, which are
/// restricting, which capabilities go, and what a restricted token may still do.
extension Engine {
    /// A restricted copy of the token behind `handle` (which needs TOKEN_DUPLICATE), as a new
    /// handle with the same rights. `disabling`: SIDs to make deny-only, of which those the
    /// token has (its user or a listed group) count and the others are ignored, as Windows
    /// ignores them; `restricting`: the restricting SIDs, nil for none given (a token
    /// restricted before keeps only the SIDs in both lists). A nil element is a SID the caller
    /// gave that is not valid: `ERROR_INVALID_SID`, after the handle's checks. The capabilities
    /// in `deletingCapabilities` go from the effective and permitted sets, all of them with
    /// `deletingAllPrivileges` (DISABLE_MAX_PRIVILEGE). The ids stay the account's: deny-only
    /// SIDs count for AccessCheck only, and a token with any has no kernel form
    /// (`TokenRestrictions.kernelCanHoldDenyOnly`).
    func createRestrictedToken(
        _ handle: TokenHandle, disabling: [SecurityIdentifier?], restricting: [SecurityIdentifier?]?,
        deletingCapabilities: UInt64, deletingAllPrivileges: Bool
    ) throws(HostSecError) -> TokenHandle {
        let (source, rights) = try opened(handle)
        if !rights.contains(.duplicate) { throw .accessDenied }
        var identity = source.currentIdentity
        let listed = TokenGroupList.list(source).map(\.0) + [SecurityIdentifier.user(identity.uid)]
        var restrictions = TokenRestrictions()
        for sid in disabling {
            guard let sid else { throw .invalidSid }
            if listed.contains(sid) && !restrictions.denyOnly.contains(sid) { restrictions.denyOnly.append(sid) }
        }
        if let restricting {
            var sids: [SecurityIdentifier] = []
            for sid in restricting {
                guard let sid else { throw .invalidSid }
                if !sids.contains(sid) { sids.append(sid) }
            }
            restrictions.restricting = sids
        }
        if deletingAllPrivileges { restrictions.deletedCapabilities = identity.capPermitted | identity.capEffective }
        restrictions.deletedCapabilities |= deletingCapabilities
        identity.capEffective &= ~restrictions.deletedCapabilities
        identity.capPermitted &= ~restrictions.deletedCapabilities
        let merged = (source.restrictions ?? TokenRestrictions()).restricted(by: restrictions)
        let restricted = source.copy(kind: source.kind, level: source.level, identity: identity, restrictions: merged)
        return try handles.insert(restricted, rights: rights)
    }

    /// `IsTokenRestricted`: whether the token behind `handle` (which needs TOKEN_QUERY) has
    /// restricting SIDs. Also after the library closed: it only reads a token.
    func isRestricted(_ handle: TokenHandle) throws(HostSecError) -> Bool {
        try handles.token(handle, requiring: .query).restrictions?.restricting != nil
    }
}
