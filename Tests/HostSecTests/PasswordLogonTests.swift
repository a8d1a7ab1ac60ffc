import Synchronization
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

/// A PAM stand-in that counts its calls.
final class CountingPasswordCheck: PasswordAuthentication, @unchecked Sendable {
    let result: PasswordCheck
    private let calls = Mutex(0)
    init(result: PasswordCheck) { self.result = result }
    var count: Int { calls.withLock { $0 } }
    func check(
        service: UnsafePointer<CChar>, user: UnsafePointer<CChar>,
        password: UnsafePointer<CChar>
    ) -> PasswordCheck {
        calls.withLock { $0 += 1 }
        return result
    }
}

@Suite struct PasswordLogonTests {
    /// The user name "root" reaches the stand-in only with `.rootAndSystemAccounts`, which the
    /// mapping tests give; the rule's own tests below pass none.
    func logon(
        _ result: PasswordCheck, user: String = "root",
        allowing: PasswordLogonAllowance = [.rootAndSystemAccounts, .nologinShells]
    ) -> HRESULT {
        let security = Engine(
            syscalls: KernelCredentialSyscalls(),
            authentication: FixedPasswordCheck(result: result))
        do {
            let handle = try user.withCString { name in
                try "secret".withCString { try security.logonUser(name: name, password: $0, allowing: allowing) }
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

    @Test func pam_verdict_tells_apart_what_a_logon_reports() {
        let cases: [(PasswordCheck, PAMVerdict)] = [
            (PasswordCheck(step: .done, code: PAM_SUCCESS, user: [114]), .authenticated(user: [114])),
            (PasswordCheck(step: .done, code: PAM_SUCCESS, askedForPassword: false), .passedWithoutPassword),
            (PasswordCheck(step: .start, code: PAM_BUF_ERR), .outOfMemory),
            (PasswordCheck(step: .start, code: PAM_AUTH_ERR), .serviceUnavailable),
            (PasswordCheck(step: .authenticate, code: PAM_SYMBOL_ERR), .serviceUnavailable),
            (PasswordCheck(step: .authenticate, code: PAM_ACCT_EXPIRED), .accountExpired),
            (PasswordCheck(step: .account, code: PAM_AUTHTOK_EXPIRED), .passwordExpired),
            (PasswordCheck(step: .account, code: PAM_PERM_DENIED), .accountDisabled),
            (PasswordCheck(step: .authenticate, code: PAM_PERM_DENIED), .refused),
            (PasswordCheck(step: .authenticate, code: PAM_CONV_ERR), .refused),
        ]
        for (check, want) in cases {
            #expect(PAMVerdict(check) == want, "step \(check.step) code \(check.code)")
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

    @Test func a_stack_that_never_asked_for_the_password_is_logon_failure() {
        let root = Array("root".utf8CString.dropLast())
        let check = PasswordCheck(step: .done, code: PAM_SUCCESS, user: root, askedForPassword: false)
        #expect(logon(check) == HResult.logonFailure)
    }

    @Test func root_and_system_accounts_are_refused_before_pam_runs() {
        let pam = CountingPasswordCheck(result: PasswordCheck(step: .done, code: PAM_SUCCESS))
        let security = Engine(syscalls: KernelCredentialSyscalls(), authentication: pam)
        for user in ["root", "daemon"] {
            let started = ContinuousClock.now
            guard case .failure(let failure) = noWait(security, user) else {
                Issue.record("\(user) logged on")
                continue
            }
            #expect(failure.error == .logonTypeNotGranted && failure.remainingDelayMicroseconds == 0)
            #expect(ContinuousClock.now - started < .seconds(1))
        }
        #expect(pam.count == 0)
    }

    /// A module may hand back another name than it was given: the rule applies to that one.
    @Test func the_account_pam_authenticated_is_held_to_the_rule_too() {
        let root = Array("root".utf8CString.dropLast())
        let renamed = PasswordCheck(step: .done, code: PAM_SUCCESS, user: root)
        #expect(logon(renamed, user: "hostsec-no-such-account", allowing: []) == HResult.logonTypeNotGranted)
    }

    @Test func no_wait_reports_the_delay_that_remains() {
        let security = Engine(
            syscalls: KernelCredentialSyscalls(),
            authentication: FixedPasswordCheck(
                result: PasswordCheck(step: .authenticate, code: PAM_AUTH_ERR, failDelayMicroseconds: 300_000)))
        let started = ContinuousClock.now
        guard case .failure(let failure) = noWait(security, "hostsec-no-such-account") else {
            Issue.record("logged on")
            return
        }
        #expect(failure.error == .logonFailure)
        #expect(failure.remainingDelayMicroseconds > 0 && failure.remainingDelayMicroseconds <= 300_000)
        #expect(ContinuousClock.now - started < .milliseconds(300))
    }

    private func noWait(_ security: Engine, _ user: String) -> Result<TokenHandle, PasswordLogonFailure> {
        user.withCString { name in
            "secret".withCString { password in
                do throws(PasswordLogonFailure) {
                    return .success(try security.logonUserNoWait(name: name, password: password))
                } catch { return .failure(error) }
            }
        }
    }

    @Test func uid_min_is_read_from_login_defs() throws {
        let path = try scratchFile("# comment UID_MIN 5\nUID_MAX 60000\nUID_MIN\t\t 0x200\n")
        defer { unlink(path) }
        #expect(LoginConfiguration.uidMin(path: path) == 512)
        #expect(LoginConfiguration.uidMin(path: path + "-missing") == 1000)
        let bad = try scratchFile("UID_MIN 12abc\n")
        defer { unlink(bad) }
        #expect(LoginConfiguration.uidMin(path: bad) == 1000)
    }

    @Test func login_shells_are_read_as_getusershell_reads_them() throws {
        let path = try scratchFile("# /etc/shells\n/bin/sh\n  /usr/bin/zsh # z\n#/bin/false\nbash\n")
        defer { unlink(path) }
        #expect(LoginConfiguration.isLoginShell(Array("/bin/sh".utf8), path: path))
        #expect(LoginConfiguration.isLoginShell([], path: path))  // empty: /bin/sh
        #expect(LoginConfiguration.isLoginShell(Array("/usr/bin/zsh".utf8), path: path))
        #expect(!LoginConfiguration.isLoginShell(Array("/bin/false".utf8), path: path))
        #expect(!LoginConfiguration.isLoginShell(Array("bash".utf8), path: path))
        #expect(!LoginConfiguration.isLoginShell(Array("/usr/sbin/nologin".utf8), path: path))
        #expect(LoginConfiguration.isLoginShell(Array("/bin/csh".utf8), path: path + "-missing"))
    }

    /// The shipped stack (pam.d/hostsec) names only modules read for what they share across a
    /// process, so its transactions run side by side (docs/logon.md, Threads).
    @Test func the_shipped_stack_runs_transactions_side_by_side() throws {
        let source = #filePath.split(separator: "/").dropLast(3).joined(separator: "/")
        let text = try #require(try? String(contentsOfFile: "/" + source + "/pam.d/hostsec", encoding: .utf8))
        #expect(PAMStack.namesOnlyAuditedModules(text))
        // Installed as /etc/pam.d/hostsec, and this test runs as root with no terminal on 0.
        if geteuid() == 0 && isatty(0) == 0 && access("/sys/fs/selinux/enforce", F_OK) != 0,
            (try? String(contentsOfFile: "/etc/pam.d/hostsec", encoding: .utf8)) == text
        {
            #expect("hostsec".withCString { PAMStack.runsBesideOthers(service: $0) })
        }
    }

    /// A stack that names a module nobody read for thread safety, includes another stack, or
    /// names a module by path runs one transaction at a time; so does a service with no file.
    @Test func a_stack_with_a_module_not_audited_runs_one_transaction_at_a_time() {
        let alone = [
            "auth required pam_unix.so\nauth optional pam_exec.so /bin/true\n",
            "@include common-auth\n",
            "auth include common-auth\n",
            "auth substack common-auth\n",
            // libpam reads control words in any case: this includes the service "pam_unix.so".
            "auth Include pam_unix.so\n",
            "auth SUBSTACK pam_unix.so\n",
            "auth required /lib/x86_64-linux-gnu/security/pam_unix.so\n",
            "auth required pam_unix.so \\\n  nullok\n",
            "auth [success=1 default=ignore\n",
            "auth required\n",
        ]
        for text in alone { #expect(!PAMStack.namesOnlyAuditedModules(text), "\(text)") }
        let beside = [
            "# comment\n\nauth [success=1 default=ignore] pam_unix.so nullok # trailing\n-auth optional pam_faildelay.so\n",
            "account requisite pam_nologin.so\naccount required pam_permit.so\n",
        ]
        for text in beside { #expect(PAMStack.namesOnlyAuditedModules(text), "\(text)") }
        #expect(!"hostsec-no-such-service".withCString { PAMStack.runsBesideOthers(service: $0) })
    }

    /// SELinux counts as on, so transactions run one at a time, when the kernel registered
    /// selinuxfs (mounted anywhere or nowhere), when it is mounted where libselinux looks, or
    /// when /proc/filesystems cannot be read; checking for /sys/fs/selinux/enforce alone missed
    /// an SELinux enabled with its file system mounted elsewhere.
    @Test func selinux_counts_as_on_when_the_kernel_has_it_wherever_it_is_mounted() {
        #expect(PAMStack.selinuxMayBeOn(filesystems: "nodev\tsysfs\nnodev\tselinuxfs\n\text4\n", mounted: false))
        #expect(PAMStack.selinuxMayBeOn(filesystems: "nodev\tsysfs\n", mounted: true))
        #expect(PAMStack.selinuxMayBeOn(filesystems: nil, mounted: false))
        #expect(!PAMStack.selinuxMayBeOn(filesystems: "nodev\tsysfs\nnodev\tproc\n\text4\n", mounted: false))
        let here = (try? String(contentsOfFile: "/proc/filesystems", encoding: .utf8))?.contains("selinuxfs") ?? true
        #expect(PAMStack.selinuxMayBeOn == here || access("/sys/fs/selinux/enforce", F_OK) == 0)
    }

    /// A name whose last transaction failed takes the lane until it succeeds; a name that never
    /// failed does not; the table forgets the oldest names first past its capacity.
    @Test func a_name_that_failed_recently_takes_the_lane() {
        func name(_ text: String, _ body: (UnsafeBufferPointer<CChar>) -> Void) {
            let bytes = Array(text.utf8CString.dropLast())
            bytes.withUnsafeBufferPointer(body)
        }
        let unique = "hs-lane-\(getpid())-"
        name(unique + "first") { #expect(!FailingLogons.failedRecently($0)) }
        name(unique + "victim") { victim in
            FailingLogons.note(victim, failed: true)
            #expect(FailingLogons.failedRecently(victim))
            FailingLogons.note(victim, failed: false)
            #expect(!FailingLogons.failedRecently(victim))
            FailingLogons.note(victim, failed: true)
        }
        for i in 0..<FailingLogons.capacity { name(unique + "spray-\(i)") { FailingLogons.note($0, failed: true) } }
        name(unique + "victim") { #expect(!FailingLogons.failedRecently($0)) }  // the oldest, forgotten
        name(unique + "spray-\(FailingLogons.capacity - 1)") { #expect(FailingLogons.failedRecently($0)) }
    }

    /// No account name is 256 bytes or longer (LOGIN_NAME_MAX with its NUL): such a name is
    /// refused as a wrong password without a PAM transaction, after the failure delay, and the
    /// lane's table never keeps it (4,096 names of a megabyte each would hold 4 GiB).
    @Test func a_name_longer_than_login_name_max_is_refused_before_pam_and_never_kept() {
        let long = Array(repeating: CChar(UInt8(ascii: "a")), count: 300) + [0]
        let check = long.withUnsafeBufferPointer { name in
            "pw".withCString { password in
                "hostsec".withCString { service in
                    PAMAuthentication().check(service: service, user: name.baseAddress!, password: password)
                }
            }
        }
        #expect(check.step == .authenticate && check.code == PAM_USER_UNKNOWN)
        #expect(check.failDelayMicroseconds == FailingLogons.delay())
        long.dropLast().withUnsafeBufferPointer { #expect(!FailingLogons.failedRecently($0)) }
    }

    private func scratchFile(_ text: String) throws -> String {
        var template = Array("/tmp/hostsec-login-XXXXXX".utf8CString)
        let fd = mkstemp(&template)
        guard fd >= 0 else { throw HostSecError.unexpected }
        defer { close(fd) }
        _ = text.utf8CString.withUnsafeBufferPointer { write(fd, $0.baseAddress, $0.count - 1) }
        return String(cString: template)
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
