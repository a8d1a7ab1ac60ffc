// The file operations. Each function here is synchronous and makes blocking syscalls: the
// server calls them inside an impersonation scope, so they run on an identity thread of the
// library (never on an event loop), and the kernel checks them against the user's uid, gid
// and groups. Paths are resolved beneath the root's descriptor (openat2, RESOLVE_BENEATH).
import CFileServer
import HostSecurity
import NIOCore
#if canImport(Glibc)
import Glibc
#endif

/// A descriptor closed when the last reference goes (a streamed body may outlive its handler).
public final class Descriptor: @unchecked Sendable {
    public let fd: Int32
    init(_ fd: Int32) { self.fd = fd }
    deinit { close(fd) }
}

/// An errno from a file operation.
public struct Errno: Error, Equatable, Sendable {
    public let code: Int32
    public init(_ code: Int32) { self.code = code }
    static var current: Errno { Errno(errno) }
}

/// What a GET found.
public enum Found: Sendable {
    /// A regular file: its size, its first bytes, and the open file when more are to be read.
    case file(size: Int, first: ByteBuffer, rest: Descriptor?)
    /// A directory: its JSON listing.
    case directory(json: String)
}

/// A PUT in progress: the directory, the unnamed file being written, and what was there.
public final class Upload: @unchecked Sendable {
    let parent: Descriptor
    let file: Descriptor
    let name: String
    /// The named temporary file, when the file system has no O_TMPFILE.
    let temporaryName: String?
    /// The replaced file's mode, when a file was there.
    let existingMode: mode_t?
    private(set) var size = 0

    init(parent: Descriptor, file: Descriptor, name: String, temporaryName: String?, existingMode: mode_t?) {
        self.parent = parent
        self.file = file
        self.name = name
        self.temporaryName = temporaryName
        self.existingMode = existingMode
    }

    fileprivate func wrote(_ count: Int) { size += count }

    /// Removes the named temporary file, if there is one (an unnamed one vanishes on close).
    public func abandon() {
        if let temporaryName { unlinkat(parent.fd, temporaryName, 0) }
    }
}

public struct FileStore: Sendable {
    /// Bytes read per step when a file is streamed.
    public static let chunkSize = 64 * 1024

    let root: Descriptor

    /// Opens the root directory (as the process, once, at start).
    public init(root path: String) throws(Errno) {
        let fd = open(path, fs_o_path() | fs_o_directory() | O_CLOEXEC)
        if fd < 0 { throw Errno.current }
        root = Descriptor(fd)
    }

    // MARK: reading

    /// Opens `path` and reads its first chunk, or lists it when it is a directory. What is
    /// there is looked at through an O_PATH descriptor first: a device, FIFO or socket is
    /// never opened.
    public func get(_ path: RequestPath) -> Result<Found, Errno> {
        let pfd = fs_open_beneath(root.fd, path.relative, fs_o_path(), 0)
        if pfd < 0 { return .failure(.current) }
        let named = Descriptor(pfd)
        var st = stat()
        if fstat(pfd, &st) != 0 { return .failure(.current) }
        let kind = st.st_mode & S_IFMT
        guard kind == S_IFDIR || kind == S_IFREG else { return .failure(Errno(EACCES)) }  // not served
        if kind == S_IFREG && path.trailingSlash { return .failure(Errno(ENOTDIR)) }
        let fd = fs_reopen(named.fd, O_RDONLY | O_NONBLOCK)
        if fd < 0 { return .failure(.current) }
        let file = Descriptor(fd)  // the inode fstat saw
        switch kind {
        case S_IFDIR:
            return list(file, path: path).map { .directory(json: $0) }
        case S_IFREG:
            let size = Int(st.st_size)
            switch read(file, offset: 0, count: min(max(size, 1), FileStore.chunkSize)) {
            case .failure(let error): return .failure(error)
            case .success(let first):
                let more = first.readableBytes < size
                return .success(.file(size: size, first: first, rest: more ? file : nil))
            }
        default:
            return .failure(Errno(EACCES))  // devices, FIFOs, sockets are not served
        }
    }

    /// Reads up to `count` bytes at `offset`.
    public func read(_ file: Descriptor, offset: Int, count: Int) -> Result<ByteBuffer, Errno> {
        var buffer = ByteBufferAllocator().buffer(capacity: count)
        var failure: Errno?
        while buffer.readableBytes < count {
            let want = count - buffer.readableBytes, at = off_t(offset + buffer.readableBytes)
            let n = buffer.writeWithUnsafeMutableBytes(minimumWritableBytes: want) { space in
                var n: Int
                repeat { n = pread(file.fd, space.baseAddress, want, at) } while n < 0 && errno == EINTR
                if n < 0 { failure = .current; return 0 }
                return n
            }
            if failure != nil || n == 0 { break }
        }
        if let failure { return .failure(failure) }
        return .success(buffer)
    }

    private func list(_ dir: Descriptor, path: RequestPath) -> Result<String, Errno> {
        let copy = dup(dir.fd)
        if copy < 0 { return .failure(.current) }
        guard let stream = fdopendir(copy) else {
            let error = Errno.current
            close(copy)
            return .failure(error)
        }
        defer { closedir(stream) }
        var entries: [(String, String, Int)] = []
        errno = 0
        while let entry = readdir(stream) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                String(decoding: raw.prefix(while: { $0 != 0 }), as: UTF8.self)
            }
            if name == "." || name == ".." { continue }
            var st = stat()
            var kind = "unknown", size = 0
            if fstatat(dirfd(stream), name, &st, AT_SYMLINK_NOFOLLOW) == 0 {
                switch st.st_mode & S_IFMT {
                case S_IFREG: kind = "file"; size = Int(st.st_size)
                case S_IFDIR: kind = "directory"
                case S_IFLNK: kind = "symlink"
                default: kind = "other"
                }
            }
            entries.append((name, kind, size))
        }
        if errno != 0 { return .failure(.current) }
        entries.sort { $0.0 < $1.0 }
        var json = "{\"path\":" + jsonString(path.description) + ",\"entries\":["
        for (i, (name, kind, size)) in entries.enumerated() {
            if i > 0 { json += "," }
            json += "{\"name\":\(jsonString(name)),\"type\":\"\(kind)\",\"size\":\(size)}"
        }
        return .success(json + "]}")
    }

    // MARK: writing

    /// What is at `name` in the folder `parent`, for a PUT to replace: nil when nothing is
    /// there, the mode of a regular file the caller may write, or why it may not be replaced.
    /// It is looked at without opening it (O_PATH: a symbolic link itself, a FIFO or device
    /// is never opened); a regular file must then open for writing as the caller.
    static func replaceable(_ parent: Int32, _ name: String) -> Result<mode_t?, Errno> {
        let efd = openat(parent, name, fs_o_path() | fs_o_nofollow() | O_CLOEXEC)
        if efd < 0 { return errno == ENOENT ? .success(nil) : .failure(.current) }
        var st = stat()
        let ok = fstat(efd, &st) == 0
        let writable = ok && st.st_mode & S_IFMT == S_IFREG ? fs_reopen(efd, O_WRONLY | O_NONBLOCK) : -1
        let error = Errno.current
        close(efd)
        guard ok, st.st_mode & S_IFMT == S_IFREG else { return .failure(Errno(EISDIR)) }  // a link, FIFO...
        if writable < 0 { return .failure(error) }
        close(writable)
        return .success(st.st_mode & 0o7777)
    }

    /// Starts a PUT: checks what is at `path` (a file there must be writable by the caller),
    /// then opens an unnamed file in its directory.
    public func beginPut(_ path: RequestPath) -> Result<Upload, Errno> {
        guard let name = path.name, !path.trailingSlash else { return .failure(Errno(EISDIR)) }
        let pfd = fs_open_beneath(root.fd, path.parent, fs_o_path() | fs_o_directory(), 0)
        if pfd < 0 { return .failure(.current) }
        let parent = Descriptor(pfd)
        let existingMode: mode_t?
        switch FileStore.replaceable(pfd, name) {
        case .failure(let error): return .failure(error)
        case .success(let mode): existingMode = mode
        }
        var temporaryName: String?
        var tfd = fs_open_tmpfile(pfd, 0o666)
        if tfd < 0 && (errno == EOPNOTSUPP || errno == EISDIR) {
            let candidate = FileStore.temporaryName()
            tfd = openat(pfd, candidate, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o666)
            if tfd >= 0 { temporaryName = candidate }
        }
        if tfd < 0 { return .failure(.current) }
        if let existingMode, fchmod(tfd, existingMode) != 0 {
            let error = Errno.current
            close(tfd)
            if let temporaryName { unlinkat(pfd, temporaryName, 0) }
            return .failure(error)
        }
        return .success(
            Upload(
                parent: parent, file: Descriptor(tfd), name: name,
                temporaryName: temporaryName, existingMode: existingMode))
    }

    /// Appends `buffer` to the upload's file.
    public func write(_ upload: Upload, _ buffer: ByteBuffer) -> Result<Void, Errno> {
        var failure: Errno?
        buffer.withUnsafeReadableBytes { bytes in
            var done = 0
            while done < bytes.count {
                let n = Glibc.write(upload.file.fd, bytes.baseAddress! + done, bytes.count - done)
                if n < 0 {
                    if errno == EINTR { continue }
                    failure = .current
                    return
                }
                done += n
            }
        }
        if let failure { return .failure(failure) }
        upload.wrote(buffer.readableBytes)
        return .success(())
    }

    /// Gives the finished file its name: true when it is new, false when it replaced a file.
    /// The data never appears under the name until it is complete.
    public func commit(_ upload: Upload) -> Result<Bool, Errno> {
        let parent = upload.parent.fd
        if let named = upload.temporaryName {
            if upload.existingMode == nil && linkat(parent, named, parent, upload.name, 0) == 0 {
                unlinkat(parent, named, 0)
                return .success(true)
            }
            if errno != EEXIST && upload.existingMode == nil {
                let e = Errno.current; upload.abandon(); return .failure(e)
            }
            if upload.existingMode == nil, case .failure(let e) = FileStore.replaceable(parent, upload.name) {
                upload.abandon(); return .failure(e)  // created meanwhile, and not the caller's to replace
            }
            if fs_rename(parent, named, upload.name) != 0 {
                let e = Errno.current; upload.abandon(); return .failure(e)
            }
            return .success(false)
        }
        if upload.existingMode == nil {
            if fs_link_tmpfile(upload.file.fd, parent, upload.name) == 0 { return .success(true) }
            if errno != EEXIST { return .failure(.current) }
            // Created while the body arrived: replaced only if the caller could have replaced it.
            if case .failure(let error) = FileStore.replaceable(parent, upload.name) { return .failure(error) }
        }
        // Replacing: the complete file gets a temporary name, then takes the real one.
        let staged = FileStore.temporaryName()
        if fs_link_tmpfile(upload.file.fd, parent, staged) != 0 { return .failure(.current) }
        if fs_rename(parent, staged, upload.name) != 0 {
            let error = Errno.current
            unlinkat(parent, staged, 0)
            return .failure(error)
        }
        return .success(false)
    }

    /// Writes a whole body and commits it, in one step.
    public func put(_ path: RequestPath, body: ByteBuffer) -> Result<Bool, Errno> {
        switch beginPut(path) {
        case .failure(let error): return .failure(error)
        case .success(let upload):
            if case .failure(let error) = write(upload, body) { upload.abandon(); return .failure(error) }
            return commit(upload)
        }
    }

    // MARK: deleting

    /// Removes the file (or empty directory) at `path`.
    public func delete(_ path: RequestPath) -> Result<Void, Errno> {
        guard let name = path.name else { return .failure(Errno(EBUSY)) }  // the root itself
        let pfd = fs_open_beneath(root.fd, path.parent, fs_o_path() | fs_o_directory(), 0)
        if pfd < 0 { return .failure(.current) }
        defer { close(pfd) }
        if unlinkat(pfd, name, 0) == 0 { return .success(()) }
        if errno == EISDIR && unlinkat(pfd, name, AT_REMOVEDIR) == 0 { return .success(()) }
        return .failure(.current)
    }

    /// Names for staged files: hidden, and random so that they never collide.
    static func temporaryName() -> String {
        ".hostsec-upload-"
            + CredentialCache.randomBytes(8).map { String($0, radix: 16) }.map { $0.count == 1 ? "0" + $0 : $0 }
            .joined()
    }
}

/// The calling thread's identity as the kernel holds it now.
public struct ThreadIdentity: Sendable, Equatable {
    public let uid: UserID
    public let gid: GroupID
    public let groups: [GroupID]

    public static func current() -> ThreadIdentity {
        var groups = [UInt32](repeating: 0, count: 256)
        let n = fs_thread_groups(&groups, Int32(groups.count))
        return ThreadIdentity(
            uid: euid(), gid: GroupID(rawValue: fs_thread_egid()),
            groups: groups.prefix(max(0, min(Int(n), groups.count))).map(GroupID.init(rawValue:)))
    }

    /// The calling thread's effective uid.
    static func euid() -> UserID { UserID(rawValue: fs_thread_euid()) }

    public var json: String {
        "{\"uid\":\(uid),\"gid\":\(gid),\"groups\":[\(groups.map(String.init).joined(separator: ","))]}"
    }
}

/// A JSON string literal for `s`.
func jsonString(_ s: String) -> String {
    var out = "\""
    for scalar in s.unicodeScalars {
        switch scalar {
        case "\"": out += "\\\""
        case "\\": out += "\\\\"
        case "\n": out += "\\n"
        case "\r": out += "\\r"
        case "\t": out += "\\t"
        case _ where scalar.value < 0x20:
            let hex = String(scalar.value, radix: 16)
            out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
        default: out.unicodeScalars.append(scalar)
        }
    }
    return out + "\""
}
