import CHostSec
import Synchronization
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
/// `pam_end`. Transactions run side by side when `PAMStack.runsBesideOthers` says the stack and
/// the calling thread allow it, else one at a time in the process (`hs_pam_lock`); those of a
/// name that failed recently first wait for a place in their lane (`FailingLogons`).
///
/// libpam keeps all state in the handle; whether the modules do is a property of the stack,
/// hence the audit in `PAMStack`. Only the transaction runs under the lock when it is taken:
/// libpam reports the failure delay to `hs_pam_fail_delay` instead of sleeping, and the library
/// waits it out, or hands it to the caller, after the lock is released.
package struct PAMAuthentication: PasswordAuthentication {
    package init() {}

    /// Linux's LOGIN_NAME_MAX: the longest account name, with its NUL.
    static let loginNameMax = 256

    package func check(
        service: UnsafePointer<CChar>, user: UnsafePointer<CChar>,
        password: UnsafePointer<CChar>
    ) -> PasswordCheck {
        var data = hs_pam_appdata(password: password, answered: 0, messages: 0, fail_delay_usec: 0)
        let name = UnsafeBufferPointer(start: user, count: strlen(user))
        // No account name reaches LOGIN_NAME_MAX (256 bytes with its NUL): refused unchecked, as
        // an unknown name, after the same delay, and never kept in the lane's table.
        guard name.count < Self.loginNameMax else {
            return PasswordCheck(
                step: .authenticate, code: PAM_USER_UNKNOWN, failDelayMicroseconds: FailingLogons.delay())
        }
        let inLane = FailingLogons.failedRecently(name)
        if inLane && hs_pam_lane_enter() == 0 {
            // The lane is full: refused unchecked, as a wrong password, after the same delay.
            FailingLogons.note(name, failed: true)
            return PasswordCheck(
                step: .authenticate, code: PAM_MAXTRIES, failDelayMicroseconds: FailingLogons.delay())
        }
        defer { if inLane { hs_pam_lane_leave() } }
        let result = FailingLogons.atLowestPriority(if: inLane) {
            // One transaction of a name at a time: pam_faillock counts a failure at the end
            // and checks the count at the start; a burst sent at once would all pass the check.
            guard let running = hs_pam_name_enter(user) else {
                return PasswordCheck(step: .start, code: PAM_BUF_ERR)
            }
            defer { hs_pam_name_leave(running) }
            return withUnsafeMutablePointer(to: &data) { data in
                var conversation = pam_conv(conv: hs_pam_conversation, appdata_ptr: UnsafeMutableRawPointer(data))
                let alone = !PAMStack.runsBesideOthers(service: service)
                if alone { hs_pam_lock() }
                defer { if alone { hs_pam_unlock() } }
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
        FailingLogons.note(name, failed: result.step != .done, delay: result.failDelayMicroseconds)
        return result
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
        return file(of: name) != nil ? name : nil
    }

    /// The file Linux-PAM reads for service `name` (NUL-terminated): the first directory's
    /// that has one; nil when none has.
    static func file(of name: [CChar]) -> [CChar]? {
        for directory in directories {
            let path = Array(directory.utf8CString.dropLast()) + name
            if path.withUnsafeBufferPointer({ access($0.baseAddress!, F_OK) }) == 0 { return path }
        }
        return nil
    }

    private static func isServiceByte(_ b: UInt8) -> Bool {
        (b >= UInt8(ascii: "a") && b <= UInt8(ascii: "z")) || (b >= UInt8(ascii: "A") && b <= UInt8(ascii: "Z"))
            || (b >= UInt8(ascii: "0") && b <= UInt8(ascii: "9"))
            || b == UInt8(ascii: ".") || b == UInt8(ascii: "_") || b == UInt8(ascii: "-")
    }
}

/// Whether a PAM transaction may run beside the process's others (docs/logon.md, Threads).
///
/// The modules read for what they share across a process, with the conditions under which
/// they share nothing:
/// - pam_unix: accounts through the reentrant `pam_modutil_getpwnam`/`getspnam`, hashes with
///   libxcrypt's `crypt_r` on a buffer of its own, logs with `syslog` (locked in glibc). Two
///   things are process-wide: when the thread's effective uid is not 0, or SELinux is on, it
///   runs its setuid helper `unix_chkpwd` after setting SIGCHLD to SIG_DFL and back for the
///   whole process (two at once can leave the host's handler replaced); and on a failure,
///   `pam_modutil_getlogin` calls `ttyname(0)` (a static buffer) when descriptor 0 is a
///   terminal (it reads utmp under libpam's own lock).
/// - pam_faillock: its tally file per account under `flock` (which excludes threads too: the
///   lock belongs to the open file, and each transaction opens its own), faillock.conf read
///   per call, audit records through a socket of its own.
/// - pam_faildelay, pam_nologin, pam_permit, pam_deny: the handle and files read per call.
enum PAMStack {
    /// The modules above, by the plain names a service file gives them.
    static let audited: Set<String> = [
        "pam_unix.so", "pam_faillock.so", "pam_faildelay.so", "pam_nologin.so", "pam_permit.so", "pam_deny.so",
    ]

    /// Whether a transaction of `service` (NUL-terminated) on the calling thread may run beside
    /// others: its file names only audited modules, and none of pam_unix's process-wide paths
    /// can be taken (effective uid 0, SELinux off, descriptor 0 not a terminal). Anything else,
    /// an unreadable file included, runs alone.
    static func runsBesideOthers(service: UnsafePointer<CChar>) -> Bool {
        guard geteuid() == 0, isatty(0) == 0, !selinuxMayBeOn else { return false }
        let name = Array(UnsafeBufferPointer(start: service, count: strlen(service) + 1))
        guard let path = LogonService.file(of: name), let text = read(path) else { return false }
        return namesOnlyAuditedModules(text)
    }

    /// Whether SELinux may be on, as pam_unix asks libselinux (`is_selinux_enabled`): the kernel
    /// registers selinuxfs only when SELinux is enabled at boot, wherever (or whether) it is
    /// mounted. Read once; unreadable counts as on.
    static let selinuxMayBeOn: Bool = selinuxMayBeOn(
        filesystems: read(Array("/proc/filesystems".utf8CString)), mounted: access("/sys/fs/selinux/enforce", F_OK) == 0
    )

    static func selinuxMayBeOn(filesystems: String?, mounted: Bool) -> Bool {
        guard let filesystems else { return true }
        return mounted
            || filesystems.split(separator: "\n").contains {
                $0.split(whereSeparator: { $0 == " " || $0 == "\t" }).last == "selinuxfs"
            }
    }

    /// Whether every rule of a service file's `text` names an audited module by its plain name.
    /// An include (`@include`, `include`, `substack`), a module given by path, or a line
    /// continued with a backslash is not read further: the stack is not audited.
    static func namesOnlyAuditedModules(_ text: String) -> Bool {
        for line in text.split(separator: "\n", omittingEmptySubsequences: true) {
            let rule = line.prefix { $0 != "#" }
            if rule.hasSuffix("\\") { return false }
            var words = rule.split(whereSeparator: { $0 == " " || $0 == "\t" })[...]
            guard let type = words.popFirst() else { continue }
            if type.hasPrefix("@") { return false }
            guard var control = words.popFirst() else { return false }
            if control.hasPrefix("[") {
                // A bracketed control may hold spaces: up to the word that closes it.
                while !control.hasSuffix("]") {
                    guard let next = words.popFirst() else { return false }
                    control = next
                }
            } else if ["include", "substack"].contains(control.lowercased()) {
                // libpam reads control words in any case (strcasecmp): "Include" includes.
                return false
            }
            guard let module = words.popFirst(), audited.contains(String(module)) else { return false }
        }
        return true
    }

    /// The file at `path` (NUL-terminated), or nil when it cannot be read.
    private static func read(_ path: [CChar]) -> String? {
        guard let file = path.withUnsafeBufferPointer({ fopen($0.baseAddress!, "re") }) else { return nil }
        defer { fclose(file) }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 4096)
        while true {
            let n = fread(&chunk, 1, chunk.count, file)
            bytes += chunk[..<n]
            if n < chunk.count { break }
            if bytes.count > 1 << 20 { return nil }
        }
        return ferror(file) == 0 ? String(decoding: bytes, as: UTF8.self) : nil
    }
}

/// Admission for password checks under a flood of wrong ones (A3-09): a name whose last
/// transaction failed less than `window` ago (the name as given by the caller, known account or
/// not) waits for one of the lane's places (`hs_pam_lane_enter`: one fewer than the CPUs the
/// process may use, at least one, in arrival order); when those are taken and twice as many
/// wait, it is refused without running PAM, as a wrong password, after the delay the stack last
/// asked for. Every other transaction starts at once. So wrong passwords repeated from any
/// number of threads keep at most that many CPUs hashing and at most three times that many
/// threads waiting, and the logon of an account that is not failing (a first logon included)
/// never queues behind them.
///
/// What it does not tell apart: a name's own user after a mistake (their next try takes the
/// lane for a minute, and while a flood fills the lane it is refused, right password or not,
/// as pam_faillock would after three failures), and wrong passwords spread over names that
/// each fail for the first time (a host caps those per client, as the example file server
/// does). A known and an unknown name take the same path: the lane tells nobody which
/// accounts exist.
enum FailingLogons {
    /// How long a failure puts its name in the lane (microseconds).
    static let window: UInt64 = 60_000_000
    /// At most this many names are remembered; past it the oldest are forgotten first.
    static let capacity = 4096

    private static let lastFailure = Mutex<[[CChar]: UInt64]>([:])
    private static let lastDelay = Atomic<UInt32>(2_000_000)

    /// The failure delay the stack last asked for (2 s until one has).
    static func delay() -> UInt32 { lastDelay.load(ordering: .relaxed) }

    static func failedRecently(_ name: UnsafeBufferPointer<CChar>) -> Bool {
        let now = monotonicMicroseconds()
        return lastFailure.withLock { table in
            guard let at = table[Array(name)] else { return false }
            return now - at < window
        }
    }

    /// Records the outcome of a transaction for `name`: a failure (re)starts its window, a
    /// success ends it; `delay`, when not 0, is the failure delay the stack asked for.
    static func note(_ name: UnsafeBufferPointer<CChar>, failed: Bool, delay: UInt32 = 0) {
        if delay != 0 { lastDelay.store(delay, ordering: .relaxed) }
        let now = monotonicMicroseconds()
        lastFailure.withLock { table in
            guard failed else {
                table[Array(name)] = nil
                return
            }
            if table.count >= capacity && table[Array(name)] == nil {
                table = table.filter { now - $0.value < window }
                if table.count >= capacity, let oldest = table.min(by: { $0.value < $1.value }) {
                    table[oldest.key] = nil
                }
            }
            table[Array(name)] = now
        }
    }

    /// Runs `body` (when `lowered`) at the lowest CPU priority, nice 19, on the calling thread
    /// alone (Linux's nice is per thread), so that the lane's hashing takes CPU only when
    /// nothing else wants it; then the thread's own priority again. Only when the thread can
    /// take its priority back (CAP_SYS_NICE in its effective set, or RLIMIT_NICE allowing it);
    /// else `body` runs as the thread is.
    static func atLowestPriority<R>(if lowered: Bool, _ body: () -> R) -> R {
        guard lowered else { return body() }
        let thread = id_t(hs_sys_gettid())
        errno = 0
        let old = getpriority(__priority_which_t(PRIO_PROCESS.rawValue), thread)
        guard errno == 0, old < 19, mayRaise(to: old),
            setpriority(__priority_which_t(PRIO_PROCESS.rawValue), thread, 19) == 0
        else { return body() }
        defer { _ = setpriority(__priority_which_t(PRIO_PROCESS.rawValue), thread, old) }
        return body()
    }

    /// Whether the calling thread may set its nice value back to `nice` (sched(7)).
    private static func mayRaise(to nice: Int32) -> Bool {
        if let caps = try? KernelCredentialSyscalls().capget(), caps.effective & (1 << 23) != 0 { return true }
        var limit = rlimit()
        return getrlimit(__rlimit_resource_t(__RLIMIT_NICE.rawValue), &limit) == 0
            && rlim_t(20 - nice) <= limit.rlim_cur
    }

    private static func monotonicMicroseconds() -> UInt64 {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        return UInt64(ts.tv_sec) * 1_000_000 + UInt64(ts.tv_nsec) / 1000
    }
}
