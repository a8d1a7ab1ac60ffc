#if canImport(Glibc)
import Glibc
#endif

/// What the system's login configuration says about accounts: the first uid of ordinary
/// accounts (`/etc/login.defs`) and the login shells (`/etc/shells`). Read at every call, so an
/// administrator's edit counts at the next logon; both files are small.
enum LoginConfiguration {
    /// `UID_MIN` of `/etc/login.defs` (decimal, octal or hex, as shadow's tools read it), 1000
    /// when the file or the setting is missing or unreadable.
    static func uidMin(path: String = "/etc/login.defs") -> UInt32 {
        for line in lines(of: path) ?? [] {
            let words = line.split(whereSeparator: { $0 == UInt8(ascii: " ") || $0 == UInt8(ascii: "\t") })
            guard words.count >= 2, words[0].elementsEqual("UID_MIN".utf8) else { continue }
            let digits = words[1].map { CChar(bitPattern: $0) } + [0]
            var end: UnsafeMutablePointer<CChar>?
            let value = digits.withUnsafeBufferPointer { buffer -> UInt in
                errno = 0
                let v = strtoul(buffer.baseAddress!, &end, 0)
                return end?.pointee == 0 && errno == 0 ? v : UInt.max
            }
            return value <= UInt(UInt32.max) ? UInt32(value) : 1000
        }
        return 1000
    }

    /// Whether `shell` (bytes; empty means `/bin/sh`, as login(1) takes it) is a login shell:
    /// listed in `/etc/shells`, read as glibc's getusershell (and so pam_shells) reads it: on
    /// each line the path starting at the first '/', up to blank or '#'. Without the file,
    /// glibc's defaults `/bin/sh` and `/bin/csh`.
    static func isLoginShell(_ shell: [UInt8], path: String = "/etc/shells") -> Bool {
        let wanted = shell.isEmpty ? Array("/bin/sh".utf8) : shell
        guard let lines = lines(of: path) else {
            return wanted.elementsEqual("/bin/sh".utf8) || wanted.elementsEqual("/bin/csh".utf8)
        }
        for line in lines {
            guard let slash = line.firstIndex(where: { $0 == UInt8(ascii: "/") || $0 == UInt8(ascii: "#") }),
                line[slash] == UInt8(ascii: "/")
            else { continue }
            let entry = line[slash...].prefix(while: {
                $0 != UInt8(ascii: " ") && $0 != UInt8(ascii: "\t") && $0 != UInt8(ascii: "#")
                    && $0 != UInt8(ascii: "\r")
            })
            if entry.elementsEqual(wanted) { return true }
        }
        return false
    }

    /// The file's lines as bytes (without the newline), or nil when it cannot be read. Files
    /// above 1 MiB are not configuration: nil.
    private static func lines(of path: String) -> [[UInt8]]? {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 4096)
        while true {
            let n = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if n < 0 && errno == EINTR { continue }
            guard n >= 0 else { return nil }
            if n == 0 { break }
            bytes += chunk[0..<n]
            if bytes.count > 1 << 20 { return nil }
        }
        return bytes.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: true).map(Array.init)
    }
}
