// Logons: tokens for accounts. A password logon (PAM), `Token.logon(user:password:)`,
// belongs in this extension beside the NSS one.
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
}
