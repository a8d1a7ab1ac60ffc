import CHostSec
#if canImport(Glibc)
import Glibc
#endif

/// Logons: a token for an account from NSS, or after PAM checked its password.
extension Engine {
    /// `HostSec_LogonUser`: a primary token for the local account of exactly `name`'s bytes,
    /// from NSS.
    package func logonUser(_ name: AccountName) throws(HostSecError) -> TokenHandle {
        try ensureOpen()
        let state = try threadState()
        let me = selfCredentials(state)
        guard let account = Accounts.lookup(name) else { throw .noneMapped }
        return try insertLogonToken(for: account, me: me, state: state)
    }

    private func insertLogonToken(
        for account: Accounts.Account, me: KernelCredentials,
        state: ThreadState
    ) throws(HostSecError) -> TokenHandle {
        let caps: UInt64 = account.uid == .root ? me.caps.permitted : 0
        let identity = Identity(
            uid: account.uid, gid: account.gid, groups: account.groups,
            capEffective: caps, capPermitted: caps)
        // An account whose ids the kernel cannot hold ((uid_t)-1 means "unchanged") gets no token.
        guard identity.isRepresentable else { throw .noneMapped }
        let token = Token(
            identity: identity, kind: .primary, level: .anonymous,
            dacl: Token.defaultDacl(user: account.uid, creator: try creator(state)), origin: .logon)
        return try handles.insert(token, rights: .all)
    }

    /// `HostSec_LogonUserWithPassword`: `logonUserNoWait`, then the rest of the failure delay
    /// slept on the calling thread before the error is thrown. Every failure after PAM ran
    /// returns no sooner than the start of the call plus the delay the PAM stack asked for
    /// (about 2 s): a wrong password and an unknown account take the same time.
    package func logonUser(
        name: UnsafePointer<CChar>, password: UnsafePointer<CChar>, allowing: PasswordLogonAllowance = []
    ) throws(HostSecError) -> TokenHandle {
        do throws(PasswordLogonFailure) {
            return try logonUserNoWait(name: name, password: password, allowing: allowing)
        } catch {
            Self.sleep(microseconds: error.remainingDelayMicroseconds)
            throw error.error
        }
    }

    /// `HostSec_LogonUserWithPasswordNoWait`: the account `name` (bytes, as NSS and PAM take
    /// them) proves itself with `password` through PAM; the token is then made as
    /// `logonUser`'s is, for the account PAM authenticated. The password is read in place and
    /// never kept. Never sleeps: a failure carries the part of the stack's failure delay that
    /// is still to run, which the caller must let pass before it reports the failure.
    ///
    /// Who may log on with a password is decided here, once, for every face (flat, Win32,
    /// Swift): `passwordLogonRefusal`, from the user database before PAM runs and again for
    /// the account PAM authenticated; and a transaction that never asked for the password
    /// proves nothing (a stack with pam_rootok or pam_permit).
    package func logonUserNoWait(
        name: UnsafePointer<CChar>, password: UnsafePointer<CChar>, allowing: PasswordLogonAllowance = []
    ) throws(PasswordLogonFailure) -> TokenHandle {
        let allowed = allowing.union(PasswordLogonAllowance(rawValue: policy))
        let service: [CChar]
        do throws(HostSecError) {
            try ensureOpen()
            if name[0] == 0 { throw .invalidArg }
            guard let named = LogonService.current() else { throw .noLogonServers }
            service = named
            // Before PAM: the password of a refused account is never checked, and pam_faillock
            // never counts the try. An unknown name goes on to PAM, to fail as a wrong password.
            if let account = Accounts.lookup(AccountName(cString: name)),
                let refusal = Self.passwordLogonRefusal(account, allowed: allowed)
            {
                throw refusal
            }
        } catch {
            throw PasswordLogonFailure(error, remainingDelayMicroseconds: 0)
        }
        let start = Self.monotonicMicroseconds()
        let check = service.withUnsafeBufferPointer {
            authentication.check(service: $0.baseAddress!, user: name, password: password)
        }
        do throws(HostSecError) {
            let authenticated = try Self.account(from: check)
            if let refusal = Self.passwordLogonRefusal(authenticated, allowed: allowed) { throw refusal }
            let state = try threadState()
            do throws(HostSecError) {
                return try insertLogonToken(for: authenticated, me: selfCredentials(state), state: state)
            } catch {
                // Ids no token can hold: reported as an account NSS does not know.
                throw error == .noneMapped ? .logonFailure : error
            }
        } catch {
            let deadline = start + UInt64(check.failDelayMicroseconds)
            let now = Self.monotonicMicroseconds()
            throw PasswordLogonFailure(error, remainingDelayMicroseconds: deadline > now ? deadline - now : 0)
        }
    }

    /// `logonUserNoWait` for Swift strings (the `HostSecurity` module's logon): each passed as
    /// NUL-terminated bytes; the password's copy is wiped before this returns.
    package func logonUserNoWait(
        user: String, password: String, allowing: PasswordLogonAllowance = []
    ) throws(PasswordLogonFailure) -> TokenHandle {
        var secret = Array(password.utf8CString)
        defer { secret.withUnsafeMutableBytes { explicit_bzero($0.baseAddress!, $0.count) } }
        return try Array(user.utf8CString).withUnsafeBufferPointer { name throws(PasswordLogonFailure) in
            try secret.withUnsafeBufferPointer { secret throws(PasswordLogonFailure) in
                try logonUserNoWait(name: name.baseAddress!, password: secret.baseAddress!, allowing: allowing)
            }
        }
    }

    /// The rule for who may log on with a password (A3-07): not uid 0 nor a system account
    /// (below `UID_MIN`) unless `.rootAndSystemAccounts`, not an account whose shell is not a
    /// login shell unless `.nologinShells`. Nil when `account` may; else the error.
    static func passwordLogonRefusal(_ account: Accounts.Account, allowed: PasswordLogonAllowance) -> HostSecError? {
        if !allowed.contains(.rootAndSystemAccounts)
            && (account.uid == .root || account.uid.rawValue < LoginConfiguration.uidMin())
        {
            return .logonTypeNotGranted
        }
        if !allowed.contains(.nologinShells) && !LoginConfiguration.isLoginShell(account.shell) {
            return .logonTypeNotGranted
        }
        return nil
    }

    /// PAM's verdict as the account to log on, or the error it means.
    static func account(from check: PasswordCheck) throws(HostSecError) -> Accounts.Account {
        switch PAMVerdict(check) {
        case .authenticated(let user):
            // PAM vouched for a name NSS does not know (a module that authenticates accounts
            // of its own): no token can describe it.
            guard let account = Accounts.lookup(AccountName(cString: user + [0])) else { throw .logonFailure }
            return account
        case .passedWithoutPassword: throw .logonFailure  // A3-14
        case .outOfMemory: throw .outOfMemory
        case .serviceUnavailable: throw .noLogonServers
        case .accountExpired: throw .accountExpired
        case .passwordExpired: throw .passwordExpired
        case .accountDisabled: throw .accountDisabled
        case .refused: throw .logonFailure
        }
    }

    private static func monotonicMicroseconds() -> UInt64 {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        return UInt64(ts.tv_sec) * 1_000_000 + UInt64(ts.tv_nsec) / 1000
    }

    /// Sleeps `microseconds` on the calling thread, resuming after signals.
    private static func sleep(microseconds: UInt64) {
        let deadline = monotonicMicroseconds() + microseconds
        while true {
            let now = monotonicMicroseconds()
            if now >= deadline { return }
            let left = deadline - now
            var ts = timespec(tv_sec: Int(left / 1_000_000), tv_nsec: Int(left % 1_000_000) * 1000)
            _ = nanosleep(&ts, nil)
        }
    }
}

/// Who may log on with a password besides ordinary accounts: the `HOSTSEC_POLICY_ALLOW_*`
/// bits (per call here; the process-wide policy adds its own).
package struct PasswordLogonAllowance: OptionSet, Sendable {
    package let rawValue: UInt32
    package init(rawValue: UInt32) { self.rawValue = rawValue }

    /// uid 0 and system accounts (below `UID_MIN`): `HOSTSEC_POLICY_ALLOW_ROOT_PASSWORD_LOGON`.
    package static let rootAndSystemAccounts = Self(rawValue: UInt32(HOSTSEC_POLICY_ALLOW_ROOT_PASSWORD_LOGON))
    /// Accounts whose shell is not in `/etc/shells`: `HOSTSEC_POLICY_ALLOW_NOLOGIN_SHELL_LOGON`.
    package static let nologinShells = Self(rawValue: UInt32(HOSTSEC_POLICY_ALLOW_NOLOGIN_SHELL_LOGON))
    static let all: Self = [.rootAndSystemAccounts, .nologinShells]
}

/// A password logon that failed, with the part of the PAM stack's failure delay still to run
/// (0 when PAM did not run, or asked for none).
package struct PasswordLogonFailure: Error, Sendable {
    package let error: HostSecError
    package let remainingDelayMicroseconds: UInt64
    package init(_ error: HostSecError, remainingDelayMicroseconds: UInt64) {
        self.error = error
        self.remainingDelayMicroseconds = remainingDelayMicroseconds
    }
}
