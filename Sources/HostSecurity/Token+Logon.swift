// Logons: tokens for accounts, from the user database (NSS) or with a password (PAM).
internal import HostSec
#if canImport(Glibc)
import Glibc
#endif

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

    static func logon(user: String, engine: HostSec.Engine) throws(HostSecurityError) -> Token {
        let handle = try hostCall(engine) { () throws(HostSecError) in try engine.logonUser(AccountName(user)) }
        return try Token(engine: engine, handle: handle)
    }

    /// A primary token for the account `user` once it proves itself with `password` through
    /// PAM (`HostSec_LogonUserWithPassword`, service `hostsec` unless `HOSTSEC_PAM_SERVICE`
    /// says otherwise), made as ``logon(user:)`` makes it. The password is handed to PAM in
    /// place and not kept by the library (a Swift `String` cannot be wiped: keep yours short-lived).
    ///
    /// Root, system accounts (uid below `UID_MIN`) and accounts without a login shell are
    /// refused before PAM runs unless `options` (or the process-wide `HostSec_SetPolicy` bits)
    /// allow them. A stack that lets the account in without asking for the password is refused.
    ///
    /// A failure after PAM ran comes no sooner than the delay the PAM stack asks for (about
    /// 2 s with pam_unix), whatever the reason, so timing does not tell which accounts exist:
    /// this call sleeps it out on the calling thread. A server uses the `async` form, or
    /// ``logon(user:password:options:failureDelay:)``, which hold no thread through it.
    ///
    /// - Throws: ``HostSecurityError/logonFailure`` for an unknown account or a wrong
    ///   password (the same error for both), a locked account, `/etc/nologin`, or a stack that
    ///   never asked for the password; ``HostSecurityError/logonTypeNotGranted`` for an account
    ///   of a kind `options` does not allow; ``HostSecurityError/passwordExpired``,
    ///   ``HostSecurityError/accountDisabled``, ``HostSecurityError/accountExpired``;
    ///   ``HostSecurityError/noLogonServers`` when PAM is missing or misconfigured;
    ///   ``HostSecurityError/invalidArgument`` for an empty name; ``HostSecurityError/closed``.
    public static func logon(
        user: String, password: String, options: PasswordLogonOptions = []
    ) throws(HostSecurityError) -> Token {
        var delay = Duration.zero
        do throws(HostSecurityError) {
            return try logon(user: user, password: password, options: options, failureDelay: &delay)
        } catch {
            sleepOut(delay)
            throw error
        }
    }

    /// ``logon(user:password:options:)`` for async code: the same checks and errors, but no
    /// thread of the cooperative pool is held: the PAM transaction (and a wait for the lane of
    /// names that keep failing, docs/logon.md) runs on a thread of its own, and the failure
    /// delay is slept with `Task.sleep` (a flood of wrong passwords cannot occupy a server's
    /// threads). Cancellation does not cut the delay short: the error still comes no sooner
    /// than the delay.
    public static func logon(
        user: String, password: String, options: PasswordLogonOptions = []
    ) async throws(HostSecurityError) -> Token {
        let (outcome, delay) = await withUnsafeContinuation {
            (done: UnsafeContinuation<(Result<Token, HostSecurityError>, Duration), Never>) in
            let attempt: @Sendable () -> Void = {
                var delay = Duration.zero
                do throws(HostSecurityError) {
                    let token = try logon(user: user, password: password, options: options, failureDelay: &delay)
                    done.resume(returning: (.success(token), .zero))
                } catch {
                    done.resume(returning: (.failure(error), delay))
                }
            }
            if !runOnThreadOfItsOwn(attempt) { attempt() }
        }
        switch outcome {
        case .success(let token): return token
        case .failure(let error):
            // In a task of its own, which the caller's cancellation does not reach.
            let deadline = ContinuousClock.now + delay
            await Task { try? await Task.sleep(until: deadline, clock: .continuous) }.value
            throw error
        }
    }

    /// ``logon(user:password:options:)-37mc2`` that never sleeps
    /// (`HostSec_LogonUserWithPasswordNoWait`): on a throw, `failureDelay` holds what remains
    /// of the PAM stack's failure delay (`.zero` on success, and for failures before PAM ran).
    /// The caller must not report the failure to whoever tried before that time has passed.
    public static func logon(
        user: String, password: String, options: PasswordLogonOptions = [], failureDelay: inout Duration
    ) throws(HostSecurityError) -> Token {
        let engine = HostSec.Engine.shared
        let allowance = PasswordLogonAllowance(rawValue: options.rawValue)
        var delay = Duration.zero
        defer { failureDelay = delay }
        let handle = try hostCall(engine) { () throws(HostSecError) -> TokenHandle in
            do throws(PasswordLogonFailure) {
                return try engine.logonUserNoWait(user: user, password: password, allowing: allowance)
            } catch {
                delay = .microseconds(error.remainingDelayMicroseconds)
                throw error.error
            }
        }
        return try Token(engine: engine, handle: handle)
    }

    /// Sleeps on the calling thread (the synchronous form's delay).
    private static func sleepOut(_ delay: Duration) {
        let deadline = ContinuousClock.now + delay
        while ContinuousClock.now < deadline {
            let left = (deadline - ContinuousClock.now).components
            var ts = timespec(tv_sec: Int(left.seconds), tv_nsec: Int(left.attoseconds / 1_000_000_000))
            _ = nanosleep(&ts, nil)
        }
    }
}

/// Who may log on with a password besides ordinary accounts, per call; the process-wide
/// `HostSec_SetPolicy` bits apply as well.
public struct PasswordLogonOptions: OptionSet, Sendable, Hashable {
    public let rawValue: UInt32
    public init(rawValue: UInt32) { self.rawValue = rawValue }

    /// Root and system accounts (uid below `UID_MIN` of `/etc/login.defs`) may log on with a
    /// password (`HOSTSEC_POLICY_ALLOW_ROOT_PASSWORD_LOGON`). A root token holds every
    /// capability of the process.
    public static let allowRootAndSystemAccounts = Self(rawValue: PasswordLogonAllowance.rootAndSystemAccounts.rawValue)
    /// Accounts whose shell is not listed in `/etc/shells` (`/usr/sbin/nologin`, `/bin/false`)
    /// may log on with a password (`HOSTSEC_POLICY_ALLOW_NOLOGIN_SHELL_LOGON`).
    public static let allowNologinShells = Self(rawValue: PasswordLogonAllowance.nologinShells.rawValue)
}
