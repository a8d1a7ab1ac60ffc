import CHostSec
#if canImport(Glibc)
import Glibc
#endif

/// What one PAM transaction reported: the first step that failed (or `.done`), PAM's code for
/// it, the account PAM authenticated (its `PAM_USER` after the stack ran: a module may
/// canonicalize the name), the delay the stack asked for on failure, and whether the stack ever
/// asked for the password.
package struct PasswordCheck: Sendable, Equatable {
    package enum Step: Sendable, Equatable {
        /// `pam_start` (or setting up the handle) failed.
        case start
        /// `pam_authenticate` failed.
        case authenticate
        /// `pam_acct_mgmt` failed.
        case account
        /// Both passed.
        case done
    }
    package var step: Step
    /// `PAM_SUCCESS` when `step` is `.done`, else the failing step's PAM code.
    package var code: Int32
    /// The authenticated account's name as bytes (no NUL), when `step` is `.done`.
    package var user: [CChar]
    /// Microseconds the stack asked a failure to take (`pam_fail_delay`; pam_unix: about 2 s).
    package var failDelayMicroseconds: UInt32
    /// Whether a module asked the conversation for the password (a hidden prompt was answered).
    /// A stack can succeed without asking (pam_rootok, pam_permit).
    package var askedForPassword: Bool

    package init(
        step: Step, code: Int32, user: [CChar] = [], failDelayMicroseconds: UInt32 = 0,
        askedForPassword: Bool = true
    ) {
        self.step = step
        self.code = code
        self.user = user
        self.failDelayMicroseconds = failDelayMicroseconds
        self.askedForPassword = askedForPassword
    }
}

/// The seam in front of PAM: `PAMAuthentication` is the real one; tests substitute one that
/// reports a chosen PAM result, to prove each maps to its HRESULT without real accounts.
package protocol PasswordAuthentication: Sendable {
    /// Runs one authentication for `user` (bytes, passed to PAM unchanged) with `password`
    /// (read in place, never kept) through the PAM service `service`.
    func check(
        service: UnsafePointer<CChar>, user: UnsafePointer<CChar>,
        password: UnsafePointer<CChar>
    ) -> PasswordCheck
}

/// PAM itself: `pam_start(service, user)` → `pam_authenticate` → `pam_acct_mgmt` →
/// `pam_end`, one transaction at a time in the process (`hs_pam_lock`).
///
/// Why serialized: libpam keeps all state in the handle, but the modules do not. pam_unix,
/// Debian's default, hashes with libxcrypt's `crypt_r` and reads accounts with the reentrant
/// `pam_modutil_getpwnam`/`getspnam` wrappers, yet on every failed check it records who
/// tried with `pam_modutil_getlogin` (`ttyname` and the utmp reader `getutline`, both
/// process-wide state), and without root it runs its setuid helper `unix_chkpwd` after
/// setting SIGCHLD to SIG_DFL and back for the whole process: two of those at once can leave
/// the host's SIGCHLD handler replaced. Only the transaction runs under the lock (the modules'
/// own work: hashing, reading the account, pam_faillock's tally file): libpam reports the
/// failure delay to `hs_pam_fail_delay` instead of sleeping, and the library waits it out, or
/// hands it to the caller, after the lock is released.
package struct PAMAuthentication: PasswordAuthentication {
    package init() {}

    package func check(
        service: UnsafePointer<CChar>, user: UnsafePointer<CChar>,
        password: UnsafePointer<CChar>
    ) -> PasswordCheck {
        var data = hs_pam_appdata(password: password, answered: 0, messages: 0, fail_delay_usec: 0)
        return withUnsafeMutablePointer(to: &data) { data in
            var conversation = pam_conv(conv: hs_pam_conversation, appdata_ptr: UnsafeMutableRawPointer(data))
            hs_pam_lock()
            defer { hs_pam_unlock() }
            var handle: OpaquePointer?
            var rc = pam_start(service, user, &conversation, &handle)
            guard rc == PAM_SUCCESS, let handle else {
                if let handle { pam_end(handle, rc) }
                return PasswordCheck(step: .start, code: rc == PAM_SUCCESS ? PAM_SYSTEM_ERR : rc)
            }
            var result: PasswordCheck
            rc = hs_pam_set_fail_delay(handle)
            if rc != PAM_SUCCESS {
                result = PasswordCheck(step: .start, code: rc)
            } else {
                let flags = Int32(PAM_SILENT | PAM_DISALLOW_NULL_AUTHTOK)
                rc = pam_authenticate(handle, flags)
                if rc != PAM_SUCCESS {
                    result = PasswordCheck(step: .authenticate, code: rc)
                } else {
                    rc = pam_acct_mgmt(handle, flags)
                    result =
                        rc == PAM_SUCCESS
                        ? PasswordCheck(step: .done, code: rc, user: Self.user(handle))
                        : PasswordCheck(step: .account, code: rc)
                }
            }
            pam_end(handle, rc)
            result.failDelayMicroseconds = data.pointee.fail_delay_usec
            result.askedForPassword = data.pointee.answered != 0
            return result
        }
    }

    /// PAM_USER as the stack left it.
    private static func user(_ handle: OpaquePointer) -> [CChar] {
        var item: UnsafeRawPointer?
        guard pam_get_item(handle, PAM_USER, &item) == PAM_SUCCESS, let item else { return [] }
        let name = item.assumingMemoryBound(to: CChar.self)
        return Array(UnsafeBufferPointer(start: name, count: strlen(name)))
    }
}

/// The PAM service the library authenticates through.
enum LogonService {
    /// The service used unless the host names another.
    static let defaultName = "hostsec"
    /// The environment variable naming another service.
    static let variable = "HOSTSEC_PAM_SERVICE"
    /// Where Linux-PAM looks for a service's file: the administrator's, then the vendor's.
    static let directories = ["/etc/pam.d/", "/usr/lib/pam.d/"]

    /// The service name, as NUL-terminated bytes: `HOSTSEC_PAM_SERVICE` read with
    /// `secure_getenv` (so a setuid or file-capability host ignores the environment of whoever
    /// ran it), else "hostsec". Nil when the name is not a plain file name (1-64 bytes of
    /// letters, digits, '.', '_', '-', not starting with '.') or no file of that name exists
    /// in a PAM directory: Linux-PAM would fall back to the "other" service, never wanted here.
    static func current() -> [CChar]? {
        var name = Array(defaultName.utf8CString)
        if let value = hs_secure_getenv(variable) {
            name = Array(UnsafeBufferPointer(start: value, count: strlen(value) + 1))
        }
        let bytes = name.dropLast()
        guard (1...64).contains(bytes.count), bytes.first != CChar(UInt8(ascii: ".")),
            bytes.allSatisfy({ isServiceByte(UInt8(bitPattern: $0)) })
        else { return nil }
        let exists = directories.contains { directory in
            (directory.utf8CString.dropLast() + name).withUnsafeBufferPointer {
                access($0.baseAddress!, F_OK) == 0
            }
        }
        return exists ? name : nil
    }

    private static func isServiceByte(_ b: UInt8) -> Bool {
        (b >= UInt8(ascii: "a") && b <= UInt8(ascii: "z")) || (b >= UInt8(ascii: "A") && b <= UInt8(ascii: "Z"))
            || (b >= UInt8(ascii: "0") && b <= UInt8(ascii: "9"))
            || b == UInt8(ascii: ".") || b == UInt8(ascii: "_") || b == UInt8(ascii: "-")
    }
}
