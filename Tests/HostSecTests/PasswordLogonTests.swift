import Testing
@testable import HostSec
import CHostSec
#if canImport(Glibc)
import Glibc
#endif

/// A PAM stand-in that reports one chosen verdict, so each PAM result's HRESULT is proven
/// without accounts or delays.
struct FixedPasswordCheck: PasswordAuthentication {
    let result: PasswordCheck
    func check(
        service: UnsafePointer<CChar>, user: UnsafePointer<CChar>,
        password: UnsafePointer<CChar>
    ) -> PasswordCheck { result }
}

@Suite struct PasswordLogonTests {
    func logon(_ result: PasswordCheck, user: String = "root") -> HRESULT {
        let security = HostSecurity(
            syscalls: KernelCredentialSyscalls(),
            authentication: FixedPasswordCheck(result: result))
        do {
            let handle = try user.withCString { name in
                try "secret".withCString { try security.logonUser(name: name, password: $0) }
            }
            _ = HostSec_CloseHandle(handle.cHandle)
            return HResult.ok
        } catch {
            return (error as? HostSecError)?.hr ?? HResult.unexpected
        }
    }

    @Test func pam_results_map_to_their_hresults() {
        let cases: [(PasswordCheck.Step, Int32, HRESULT)] = [
            (.authenticate, PAM_AUTH_ERR, HResult.logonFailure),
            (.authenticate, PAM_USER_UNKNOWN, HResult.logonFailure),
            (.authenticate, PAM_MAXTRIES, HResult.logonFailure),
            (.authenticate, PAM_CRED_INSUFFICIENT, HResult.logonFailure),
            (.authenticate, PAM_AUTHINFO_UNAVAIL, HResult.logonFailure),
            (.authenticate, PAM_CONV_ERR, HResult.logonFailure),
            (.authenticate, PAM_PERM_DENIED, HResult.logonFailure),
            (.account, PAM_AUTH_ERR, HResult.logonFailure),
            (.account, PAM_ACCT_EXPIRED, HResult.accountExpired),
            (.account, PAM_NEW_AUTHTOK_REQD, HResult.passwordExpired),
            (.account, PAM_AUTHTOK_EXPIRED, HResult.passwordExpired),
            (.account, PAM_PERM_DENIED, HResult.accountDisabled),
            (.start, PAM_SYSTEM_ERR, HResult.noLogonServers),
            (.start, PAM_BUF_ERR, HResult.outOfMemory),
            (.authenticate, PAM_SERVICE_ERR, HResult.noLogonServers),
            (.authenticate, PAM_MODULE_UNKNOWN, HResult.noLogonServers),
            (.authenticate, PAM_ABORT, HResult.noLogonServers),
            (.authenticate, PAM_BUF_ERR, HResult.outOfMemory),
        ]
        for (step, code, want) in cases {
            #expect(logon(PasswordCheck(step: step, code: code)) == want, "step \(step) code \(code)")
        }
    }

    @Test func success_is_a_token_for_the_account_pam_names() {
        let root = Array("root".utf8CString.dropLast())
        #expect(logon(PasswordCheck(step: .done, code: PAM_SUCCESS, user: root), user: "anyone") == HResult.ok)
        let unknown = Array("hostsec-no-such-account".utf8CString.dropLast())
        #expect(
            logon(PasswordCheck(step: .done, code: PAM_SUCCESS, user: unknown), user: "root") == HResult.logonFailure)
    }

    @Test func failure_waits_for_the_delay_pam_asked_from_the_start() {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        let start = Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9
        #expect(
            logon(PasswordCheck(step: .authenticate, code: PAM_AUTH_ERR, failDelayMicroseconds: 300_000))
                == HResult.logonFailure)
        clock_gettime(CLOCK_MONOTONIC, &ts)
        #expect(Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9 - start >= 0.3)
    }

    /// The conversation answers the first hidden prompt with a malloc'd copy, shows nothing,
    /// and refuses a second hidden prompt or an echoed one (freeing what it had made).
    @Test func conversation_answers_one_hidden_prompt_only() {
        "pw".withCString { password in
            var data = hs_pam_appdata(password: password, answered: 0, messages: 0, fail_delay_usec: 0)
            func converse(_ styles: [Int32]) -> (Int32, [String?]) {
                var messages = styles.map { pam_message(msg_style: $0, msg: nil) }
                return messages.withUnsafeMutableBufferPointer { buffer in
                    var pointers: [UnsafePointer<pam_message>?] = (0..<buffer.count).map {
                        UnsafePointer(buffer.baseAddress! + $0)
                    }
                    var replies: UnsafeMutablePointer<pam_response>?
                    let rc = hs_pam_conversation(Int32(styles.count), &pointers, &replies, &data)
                    var answers: [String?] = []
                    if rc == PAM_SUCCESS, let replies {
                        for i in 0..<styles.count {
                            answers.append(replies[i].resp.map { String(cString: $0) })
                            free(replies[i].resp)
                        }
                        free(replies)
                    }
                    return (rc, answers)
                }
            }
            let first = converse([PAM_TEXT_INFO, PAM_PROMPT_ECHO_OFF])
            #expect(first.0 == PAM_SUCCESS && first.1 == [nil, "pw"])
            #expect(data.answered == 1 && data.messages == 1)
            #expect(converse([PAM_PROMPT_ECHO_OFF]).0 == PAM_CONV_ERR)
            data.answered = 0
            #expect(converse([PAM_PROMPT_ECHO_OFF, PAM_PROMPT_ECHO_ON]).0 == PAM_CONV_ERR)
            #expect(converse([]).0 == PAM_CONV_ERR)
        }
    }
}
