import CHostSec
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

// CreateProcessAsUserA, WaitForSingleObject and GetExitCodeProcess: a process started as a
// token's account (HostSec_SpawnAsUser's child) behind Windows-style handles.

/// A child process: its pid, a pidfd to wait on and reap through, and its exit code once
/// reaped. Each handle and each wait in progress holds a reference, so the pidfd stays open
/// (and its number unused by anything else) while any thread polls it; the last reference
/// gone closes it, or hands it to a thread that reaps the child when it still runs. Never
/// reaped by pid number: once the host has reaped the child itself, that pid may be another
/// child of the host's.
final class ChildProcess: Sendable {
    /// GetExitCodeProcess of a child someone else reaped first (HS_EXIT_CODE_UNKNOWN).
    static let unknownExitCode = UInt32(HS_EXIT_CODE_UNKNOWN)
    let pid: pid_t
    let pidfd: Int32
    private let state: Mutex<UInt32?>  // the exit code, once reaped

    /// `pidfd` is the one the clone made (its owner from now on); -1 (a kernel without
    /// `CLONE_PIDFD`) opens one by pid, which the host may have reaped and reused by then.
    init(pid: pid_t, pidfd: Int32) {
        self.pid = pid
        self.pidfd = pidfd >= 0 ? pidfd : hs_pidfd_open(pid)
        // ESRCH: no zombie left to open, the host has reaped it already.
        self.state = Mutex(self.pidfd < 0 && errno == ESRCH ? ChildProcess.unknownExitCode : nil)
    }

    /// Waits up to `milliseconds` (-1: no limit): the exit code, or nil while it runs. Sleeps
    /// in poll on the pidfd; without one, checks every 10 ms until the limit.
    func wait(milliseconds: Int32) -> UInt32? {
        if let code = state.withLock({ $0 }) { return code }
        if pidfd >= 0 {
            if hs_wait_readable(pidfd, milliseconds) == 0 { return nil }
            return reap()
        }
        var left = milliseconds
        while true {
            if let code = reap() { return code }
            if left == 0 { return nil }
            let step = left < 0 ? 10 : min(left, 10)
            usleep(UInt32(step) * 1000)
            if left > 0 { left -= step }
        }
    }

    /// Reaps without blocking: the exit code, or nil while the child runs.
    private func reap() -> UInt32? {
        state.withLock { exitCode -> UInt32? in
            if let code = exitCode { return code }
            var code: UInt32 = 0
            guard hs_reap_child(pidfd, pid, 0, &code) == 1 else { return nil }
            exitCode = code
            return code
        }
    }

    deinit {
        if state.withLock({ $0 == nil }) {
            hs_reap_later(pidfd, pid)  // closes the pidfd once reaped
        } else if pidfd >= 0 {
            close(pidfd)
        }
    }
}

/// Process handles: values of the one handle table (`HandleTable`, kind `.process`), so they
/// are as unforgeable as token handles, and HostSec_CloseHandle and CloseHandle close them.
enum ProcessHandles {
    static func insert(_ process: ChildProcess) throws(HostSecError) -> HANDLE {
        try Engine.shared.insertHandle(to: process, kind: .process).cHandle
    }

    /// The process behind a handle, or nil when the value is no live process handle.
    static func lookup(_ handle: HANDLE?) -> ChildProcess? {
        Engine.shared.object(TokenHandle(handle), kind: .process, as: ChildProcess.self)
    }
}

/// Windows' C runtime rules for splitting a command line: the program name runs to the first
/// blank, or between quotes without escapes; then arguments split at blanks outside quotes,
/// 2n backslashes before a quote are n backslashes and the quote opens or closes, 2n+1 are n
/// and a literal quote, other backslashes are literal, and "" inside quotes is a literal quote.
enum CommandLine {
    static func split(_ text: [UInt8]) -> [[UInt8]] {
        let quote = UInt8(ascii: "\""), backslash = UInt8(ascii: "\\")
        func blank(_ c: UInt8) -> Bool { c == 0x20 || c == 0x09 }
        var args: [[UInt8]] = []
        var i = 0
        // The program name.
        var name: [UInt8] = []
        if i < text.count && text[i] == quote {
            i += 1
            while i < text.count && text[i] != quote { name.append(text[i]); i += 1 }
            if i < text.count { i += 1 }
        } else {
            while i < text.count && !blank(text[i]) { name.append(text[i]); i += 1 }
        }
        args.append(name)
        while true {
            while i < text.count && blank(text[i]) { i += 1 }
            if i >= text.count { break }
            var arg: [UInt8] = []
            var quoted = false
            while i < text.count && (quoted || !blank(text[i])) {
                if text[i] == backslash {
                    var n = 0
                    while i < text.count && text[i] == backslash { n += 1; i += 1 }
                    if i < text.count && text[i] == quote {
                        arg += [UInt8](repeating: backslash, count: n / 2)
                        if n % 2 == 1 { arg.append(quote); i += 1 }
                    } else {
                        arg += [UInt8](repeating: backslash, count: n)
                    }
                } else if text[i] == quote {
                    if quoted && i + 1 < text.count && text[i + 1] == quote {
                        arg.append(quote)
                        i += 2
                    } else {
                        quoted.toggle()
                        i += 1
                    }
                } else {
                    arg.append(text[i])
                    i += 1
                }
            }
            args.append(arg)
        }
        return args
    }
}

/// The program a command line's first word names: a path when it has a '/' (a relative one
/// is the caller's folder's, as the caller opens it), else the first executable file of that
/// name in an absolute PATH entry. Never the current folder through an empty, "." or other
/// relative entry: the child's lpCurrentDirectory is not where programs come from. nil: none.
private func resolve(_ name: [UInt8]) -> [UInt8]? {
    if name.contains(UInt8(ascii: "/")) { return name }
    let path = getenv("PATH").map { String(cString: $0) } ?? "/usr/local/bin:/usr/bin:/bin"
    for dir in path.split(separator: ":") where dir.hasPrefix("/") {
        let candidate = Array(dir.utf8) + [UInt8(ascii: "/")] + name
        // AT_EACCESS: as the identity the thread acts as (access() would check the real uid,
        // which no account holds while it impersonates; docs/design.md, "Which ids change").
        if faccessat(AT_FDCWD, String(decoding: candidate, as: UTF8.self), X_OK, AT_EACCESS) == 0 { return candidate }
    }
    return nil
}

/// lpEnvironment NULL: what a login would set from the account's passwd entry (HOME, USER,
/// LOGNAME, SHELL; none of them without an entry) and a fixed PATH; nothing of the caller's.
private func minimalEnvironment(_ token: HANDLE?) -> [[UInt8]] {
    var environment: [[UInt8]] = []
    let uid = try? core { () throws(HostSecError) in
        try Engine.shared.openedToken(TokenHandle(token)).currentIdentity.uid
    }
    if let uid, let entry = Accounts.loginEntry(uid) {
        environment.append(Array("HOME=".utf8) + entry.home)
        environment.append(Array("USER=".utf8) + entry.name)
        environment.append(Array("LOGNAME=".utf8) + entry.name)
        environment.append(Array("SHELL=".utf8) + (entry.shell.isEmpty ? Array("/bin/sh".utf8) : entry.shell))
    }
    environment.append(Array("PATH=/usr/local/bin:/usr/bin:/bin".utf8))
    return environment
}

/// STARTUPINFOA's standard handles: descriptors of the caller as HANDLE values, or
/// INVALID_HANDLE_VALUE for /dev/null. nil: a value that is neither.
private func standardDescriptor(_ handle: HANDLE?) -> Int32? {
    let value = Int(bitPattern: handle)
    if value == -1 { return HS_STDIO_NULL }
    guard value >= 0, value <= Int(Int32.max), fcntl(Int32(value), F_GETFD) >= 0 else { return nil }
    return Int32(value)
}

/// NUL-terminated copies the child can take, freed after the spawn.
private final class CStrings {
    var pointers: [UnsafeMutablePointer<CChar>?] = []
    init(_ strings: [[UInt8]]) {
        for s in strings {
            let p = UnsafeMutablePointer<CChar>.allocate(capacity: s.count + 1)
            for (i, b) in s.enumerated() { p[i] = CChar(bitPattern: b) }
            p[s.count] = 0
            pointers.append(p)
        }
        pointers.append(nil)
    }
    deinit { for p in pointers { p?.deallocate() } }
}

@c @implementation
package func HostSecW32_CreateProcessAsUserA(
    _ hToken: HANDLE?, _ lpApplicationName: UnsafePointer<CChar>?,
    _ lpCommandLine: UnsafeMutablePointer<CChar>?,
    _ lpProcessAttributes: UnsafeMutablePointer<SECURITY_ATTRIBUTES>?,
    _ lpThreadAttributes: UnsafeMutablePointer<SECURITY_ATTRIBUTES>?,
    _ bInheritHandles: BOOL, _ dwCreationFlags: DWORD,
    _ lpEnvironment: UnsafeMutableRawPointer?,
    _ lpCurrentDirectory: UnsafePointer<CChar>?,
    _ lpStartupInfo: UnsafeMutablePointer<STARTUPINFOA>?,
    _ lpProcessInformation: UnsafeMutablePointer<PROCESS_INFORMATION>?
) -> BOOL {
    guard let lpStartupInfo, let lpProcessInformation else { return win32Fail(ERROR_NOACCESS) }
    return win32 { () throws(Win32Failure) in
        let allowedFlags = UInt32(
            DETACHED_PROCESS | CREATE_NEW_CONSOLE | CREATE_NEW_PROCESS_GROUP | CREATE_DEFAULT_ERROR_MODE
                | CREATE_NO_WINDOW)
        guard dwCreationFlags & ~allowedFlags == 0 else { throw Win32Failure(ERROR_INVALID_PARAMETER) }
        var start = Engine.ChildStart()
        // Without STARTF_USESTDHANDLES, only a terminal (the caller's console) reaches the child.
        start.stdio = (HS_STDIO_TERMINAL_ONLY, HS_STDIO_TERMINAL_ONLY, HS_STDIO_TERMINAL_ONLY)
        if lpStartupInfo.pointee.dwFlags & UInt32(STARTF_USESTDHANDLES) != 0 {
            let info = lpStartupInfo.pointee
            guard let input = standardDescriptor(info.hStdInput), let output = standardDescriptor(info.hStdOutput),
                let error = standardDescriptor(info.hStdError)
            else { throw Win32Failure(ERROR_INVALID_HANDLE) }
            start.stdio = (input, output, error)
        }
        // DETACHED_PROCESS, CREATE_NEW_CONSOLE, CREATE_NO_WINDOW: no console of the caller's.
        start.detachTerminal = dwCreationFlags & UInt32(DETACHED_PROCESS | CREATE_NEW_CONSOLE | CREATE_NO_WINDOW) != 0
        start.directory = lpCurrentDirectory
        start.closeDescriptors = bInheritHandles == 0
        for attributes in [lpProcessAttributes, lpThreadAttributes]
        where attributes?.pointee.lpSecurityDescriptor != nil {
            throw Win32Failure(ERROR_INVALID_PARAMETER)
        }
        var argv: [[UInt8]]
        if let lpCommandLine {
            argv = CommandLine.split(Array(UnsafeRawBufferPointer(start: lpCommandLine, count: strlen(lpCommandLine))))
        } else if let lpApplicationName {
            argv = [Array(UnsafeRawBufferPointer(start: lpApplicationName, count: strlen(lpApplicationName)))]
        } else {
            throw Win32Failure(ERROR_INVALID_PARAMETER)
        }
        let program: [UInt8]
        if let lpApplicationName {
            program = Array(UnsafeRawBufferPointer(start: lpApplicationName, count: strlen(lpApplicationName)))
        } else {
            if argv[0].isEmpty { throw Win32Failure(ERROR_INVALID_PARAMETER) }
            guard let found = resolve(argv[0]) else { throw Win32Failure(ERROR_FILE_NOT_FOUND) }
            program = found
        }
        if program.isEmpty { throw Win32Failure(ERROR_INVALID_PARAMETER) }
        var environment: [[UInt8]] = []
        if let lpEnvironment {
            var p = lpEnvironment.assumingMemoryBound(to: CChar.self)
            while p.pointee != 0 {
                let n = strlen(p)
                environment.append(Array(UnsafeRawBufferPointer(start: p, count: n)))
                p += n + 1
            }
        } else {
            environment = minimalEnvironment(hToken)
        }
        let path = CStrings([program]), args = CStrings(argv), env = CStrings(environment)
        let child: SpawnedChild
        do throws(HostSecError) {
            child = try args.pointers.withUnsafeBufferPointer { a throws(HostSecError) in
                try env.pointers.withUnsafeBufferPointer { e throws(HostSecError) in
                    try Engine.shared.spawnAsUser(
                        TokenHandle(hToken), path: path.pointers[0]!, argv: a.baseAddress!,
                        envp: e.baseAddress!, start: start)
                }
            }
        } catch {
            throw Win32Failure(error)
        }
        let process = ChildProcess(pid: child.pid, pidfd: child.pidfd)
        let (hProcess, hThread) = try core { () throws(HostSecError) in
            let hProcess = try ProcessHandles.insert(process)
            do throws(HostSecError) {
                return (hProcess, try ProcessHandles.insert(process))
            } catch {
                try? Engine.shared.closeHandle(TokenHandle(hProcess))
                throw error
            }
        }
        lpProcessInformation.pointee = PROCESS_INFORMATION(
            hProcess: hProcess, hThread: hThread, dwProcessId: DWORD(child.pid), dwThreadId: DWORD(child.pid))
    }
}

@c @implementation
package func HostSecW32_WaitForSingleObject(_ hHandle: HANDLE?, _ dwMilliseconds: DWORD) -> DWORD {
    guard let process = ProcessHandles.lookup(hHandle) else {
        setLastError(ERROR_INVALID_HANDLE)
        return DWORD(WAIT_FAILED)
    }
    var left = dwMilliseconds
    while true {
        // poll takes an int: long waits go in steps; INFINITE is no limit (one blocking poll).
        let step: Int32 = left == INFINITE ? -1 : Int32(min(left, 1 << 30))
        if process.wait(milliseconds: step) != nil { return DWORD(WAIT_OBJECT_0) }
        if left == INFINITE { continue }
        left -= UInt32(step)
        if left == 0 { return DWORD(WAIT_TIMEOUT) }
    }
}

@c @implementation
package func HostSecW32_GetExitCodeProcess(_ hProcess: HANDLE?, _ lpExitCode: UnsafeMutablePointer<DWORD>?) -> BOOL {
    guard let process = ProcessHandles.lookup(hProcess) else { return win32Fail(ERROR_INVALID_HANDLE) }
    guard let lpExitCode else { return win32Fail(ERROR_NOACCESS) }
    lpExitCode.pointee = process.wait(milliseconds: 0) ?? DWORD(STILL_ACTIVE)
    return 1
}
