// Logons: tokens for accounts, from the user database (NSS) or with a password (PAM).
internal import HostSec

extension Token {
    /// A primary token for a local account, from the system's user database (NSS), with
    /// the account's primary group and supplementary groups as `initgroups(3)` sets them.
    /// No password is involved: the caller vouches for the account (`HostSec_LogonUser`).
    ///
    /// - Throws: ``HostSecurityError/noneMapped`` when there is no such account;
    ///   ``HostSecurityError/closed`` after the library failed closed.
    public static func logon(user: String) throws(HostSecurityError) -> Token {
        try logon(user: user, engine: .shared)
    }

    static func logon(user: String, engine: HostSec.HostSecurity) throws(HostSecurityError) -> Token {
        let handle = try hostCall { () throws(HostSecError) in try engine.logonUser(AccountName(user)) }
        return try Token(engine: engine, handle: handle)
    }

    /// A primary token for the account `user` once it proves itself with `password` through
    /// PAM (`HostSec_LogonUserWithPassword`, service `hostsec` unless `HOSTSEC_PAM_SERVICE`
    /// says otherwise), made as ``logon(user:)`` makes it. The password is handed to PAM in
    /// place and not kept by the library (a Swift `String` cannot be wiped: keep yours short-lived).
    ///
    /// A failure after PAM ran comes no sooner than the delay the PAM stack asks for (about
    /// 2 s with pam_unix), whatever the reason, so timing does not tell which accounts exist.
    ///
    /// - Throws: ``HostSecurityError/logonFailure`` for an unknown account or a wrong
    ///   password (the same error for both); ``HostSecurityError/passwordExpired``,
    ///   ``HostSecurityError/accountDisabled``, ``HostSecurityError/accountExpired``;
    ///   ``HostSecurityError/noLogonServers`` when PAM is missing or misconfigured;
    ///   ``HostSecurityError/invalidArgument`` for an empty name; ``HostSecurityError/closed``.
    public static func logon(user: String, password: String) throws(HostSecurityError) -> Token {
        let engine = HostSec.HostSecurity.shared
        let result: Result<TokenHandle, HostSecError> = user.withCString { name in
            password.withCString { secret in
                do throws(HostSecError) { return .success(try engine.logonUser(name: name, password: secret)) } catch {
                    return .failure(error)
                }
            }
        }
        switch result {
        case .success(let handle): return try Token(engine: engine, handle: handle)
        case .failure(let error): throw HostSecurityError(error)
        }
    }
}
