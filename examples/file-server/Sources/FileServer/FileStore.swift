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

/// A PUT in progress: the directory, the unnamed file holding the whole body, and whether a
/// file was there when it began.
public final class Upload: @unchecked Sendable {
    let parent: Descriptor
    let file: Descriptor
    let name: String
    /// The named temporary file, when the file system has no O_TMPFILE.
    let temporaryName: String?
    /// Whether a file was at the name when the upload began.
    let replacing: Bool
    private(set) var size = 0

    init(parent: Descriptor, file: Descriptor, name: String, temporaryName: String?, replacing: Bool) {
        self.parent = parent
        self.file = file
        self.name = name
        self.temporaryName = temporaryName
        self.replacing = replacing
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
    /// Whether symbolic links inside the root are followed (never out of it).
    let followLinks: Bool

    /// Opens the root directory (as the process, once, at start).
    ///
    /// - Parameter followLinks: false (the default): a path that crosses a symbolic link is
    ///   refused (ELOOP, RESOLVE_NO_SYMLINKS), so a name means the file it names. true: links
    ///   that stay inside the root are followed, as a shell would.
    public init(root path: String, followLinks: Bool = false) throws(Errno) {
        let fd = Glibc.open(path, fs_o_path() | fs_o_directory() | O_CLOEXEC)
        if fd < 0 { throw Errno.current }
        root = Descriptor(fd)
        self.followLinks = followLinks
    }

    /// openat2 beneath the root, refusing symbolic links unless they are followed.
    private func open(_ path: String, _ flags: Int32) -> Int32 {
        fs_open_beneath(root.fd, path, flags, 0, followLinks ? 0 : 1)
    }

    // MARK: reading

    /// Opens `path` and reads its first chunk, or lists it when it is a directory. What is
    /// there is looked at through an O_PATH descriptor first: a device, FIFO or socket is
    /// never opened.
    public func get(_ path: RequestPath) -> Result<Found, Errno> {
        let pfd = open(path.relative, fs_o_path())
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

    /// The regular file at `name` in the folder `parent`, opened for writing as the caller, for
    /// a PUT to replace: nil when nothing is there, or why it may not be replaced. What is
    /// there is looked at without opening it (O_PATH: a symbolic link itself, a FIFO or
    /// device is never opened); only a regular file is then reopened, the same inode.
    static func writable(_ parent: Int32, _ name: String) -> Result<(Descriptor, stat)?, Errno> {
        let efd = openat(parent, name, fs_o_path() | fs_o_nofollow() | O_CLOEXEC)
        if efd < 0 { return errno == ENOENT ? .success(nil) : .failure(.current) }
        defer { close(efd) }
        var st = stat()
        guard fstat(efd, &st) == 0, st.st_mode & S_IFMT == S_IFREG else { return .failure(Errno(EISDIR)) }  // a link, FIFO...
        let fd = fs_reopen(efd, O_WRONLY | O_NONBLOCK)
        if fd < 0 { return .failure(.current) }
        return .success((Descriptor(fd), st))
    }

    /// Starts a PUT: checks what is at `path` (a file there must be writable by the caller),
    /// then opens an unnamed file in its directory, which will hold the whole body.
    public func beginPut(_ path: RequestPath) -> Result<Upload, Errno> {
        guard let name = path.name, !path.trailingSlash else { return .failure(Errno(EISDIR)) }
        let pfd = open(path.parent, fs_o_path() | fs_o_directory())
        if pfd < 0 { return .failure(.current) }
        let parent = Descriptor(pfd)
        let replacing: Bool
        switch FileStore.writable(pfd, name) {
        case .failure(let error): return .failure(error)
        case .success(let existing): replacing = existing != nil
        }
        var temporaryName: String?
        var tfd = fs_open_tmpfile(pfd, 0o666)
        if tfd < 0 && (errno == EOPNOTSUPP || errno == EISDIR) {
            let candidate = FileStore.temporaryName()
            tfd = openat(pfd, candidate, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0o666)
            if tfd >= 0 { temporaryName = candidate }
        }
        if tfd < 0 { return .failure(.current) }
        return .success(
            Upload(
                parent: parent, file: Descriptor(tfd), name: name, temporaryName: temporaryName,
                replacing: replacing))
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

    /// Puts the finished body in place: true when the name is new, false when a file was
    /// replaced. The body is complete before any of it appears under the name.
    ///
    /// A file that is there (also one created while the body arrived) must be writable by the
    /// caller. It is replaced by renaming the new file over it only when that loses nothing:
    /// the caller owns it, the new file has its group, and neither has extended attributes
    /// (POSIX ACLs are some); the new file takes its mode. Otherwise the body is copied into
    /// the existing inode (truncated first), which keeps its owner, group, mode, ACLs and
    /// extended attributes.
    public func commit(_ upload: Upload) -> Result<Bool, Errno> {
        defer { upload.abandon() }  // the temporary name, if any, never outlives the commit
        let parent = upload.parent.fd
        if !upload.replacing {
            let linked =
                upload.temporaryName.map { linkat(parent, $0, parent, upload.name, 0) }
                ?? fs_link_tmpfile(upload.file.fd, parent, upload.name)
            if linked == 0 { return .success(true) }
            if errno != EEXIST { return .failure(.current) }
        }
        let existing: Descriptor, st: stat
        switch FileStore.writable(parent, upload.name) {
        case .failure(let error): return .failure(error)  // not the caller's to replace
        case .success(nil): return .failure(Errno(ENOENT))  // removed while the body arrived
        case .success(let (fd, s)?): (existing, st) = (fd, s)
        }
        var new = stat()
        if fstat(upload.file.fd, &new) != 0 { return .failure(.current) }
        let renameLosesNothing =
            st.st_uid == fs_thread_euid() && new.st_gid == st.st_gid
            && fs_has_xattrs(existing.fd) == 0 && fs_has_xattrs(upload.file.fd) == 0
        guard renameLosesNothing else {
            // In place: the existing inode keeps everything but its data.
            if ftruncate(existing.fd, 0) != 0 || fs_copy_into(upload.file.fd, existing.fd) != 0 {
                return .failure(.current)
            }
            return .success(false)
        }
        if fchmod(upload.file.fd, st.st_mode & 0o7777) != 0 { return .failure(.current) }
        // The complete file gets a temporary name, then takes the real one.
        let staged = upload.temporaryName ?? FileStore.temporaryName()
        if upload.temporaryName == nil && fs_link_tmpfile(upload.file.fd, parent, staged) != 0 {
            return .failure(.current)
        }
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
        let pfd = open(path.parent, fs_o_path() | fs_o_directory())
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
