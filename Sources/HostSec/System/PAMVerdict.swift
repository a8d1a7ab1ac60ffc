import CHostSec

/// What one PAM transaction (`PasswordCheck`) decided, in PAM's own terms: the few outcomes a
/// logon tells apart. Core turns each into its error.
package enum PAMVerdict: Sendable, Equatable {
    /// The stack passed, having asked for the password; the account PAM names (bytes, no NUL).
    case authenticated(user: [CChar])
    /// The stack passed without asking for the password (pam_rootok in su's stack for a root
    /// host, pam_permit): the caller's password proved nothing.
    case passedWithoutPassword
    /// `PAM_BUF_ERR` at any step.
    case outOfMemory
    /// The stack could not run: `pam_start` failed, or a module or the service is broken
    /// (`PAM_SERVICE_ERR`, `PAM_SYSTEM_ERR`, `PAM_ABORT`, `PAM_MODULE_UNKNOWN`, `PAM_SYMBOL_ERR`).
    case serviceUnavailable
    /// `PAM_ACCT_EXPIRED`.
    case accountExpired
    /// `PAM_NEW_AUTHTOK_REQD` or `PAM_AUTHTOK_EXPIRED`: the password must be changed first.
    case passwordExpired
    /// `PAM_PERM_DENIED` from `pam_acct_mgmt`.
    case accountDisabled
    /// Anything else: `PAM_AUTH_ERR` (pam_nologin, pam_faillock included), `PAM_USER_UNKNOWN`,
    /// `PAM_MAXTRIES`, `PAM_CRED_INSUFFICIENT`, `PAM_AUTHINFO_UNAVAIL` (pam_unix cannot read the
    /// account's hash), `PAM_CONV_ERR` (the stack asked for more than one password),
    /// `PAM_PERM_DENIED` from `pam_authenticate`: the one answer that reveals nothing.
    case refused

    /// The verdict of `check`.
    package init(_ check: PasswordCheck) {
        switch (check.step, check.code) {
        case (.done, _) where !check.askedForPassword: self = .passedWithoutPassword
        case (.done, _): self = .authenticated(user: check.user)
        case (.start, PAM_BUF_ERR), (.authenticate, PAM_BUF_ERR), (.account, PAM_BUF_ERR): self = .outOfMemory
        case (.start, _): self = .serviceUnavailable
        case (_, PAM_ACCT_EXPIRED): self = .accountExpired
        case (_, PAM_NEW_AUTHTOK_REQD), (_, PAM_AUTHTOK_EXPIRED): self = .passwordExpired
        case (.account, PAM_PERM_DENIED): self = .accountDisabled
        case (_, PAM_SERVICE_ERR), (_, PAM_SYSTEM_ERR), (_, PAM_ABORT), (_, PAM_MODULE_UNKNOWN),
            (_, PAM_SYMBOL_ERR):
            self = .serviceUnavailable
        default: self = .refused
        }
    }
}
