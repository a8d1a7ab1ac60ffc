// The routes' handlers: every file operation runs through `Identity.run`, as the user the
// request logged on, and its answer names the uid the kernel showed (X-Served-As).
import HostSecurity
import HTTPTypes
import Hummingbird
import Logging
import NIOCore
#if canImport(Glibc)
import Glibc
#endif

/// GET, HEAD, PUT and DELETE under /files/, and GET /whoami, as the logged-on user: the
/// routes' handlers, which take the user's token (and the checked path) from the context.
struct FileRoutes: Sendable {
    let store: FileStore
    let identity: Identity
    let statistics: ServerStatistics
    let logger: Logger
    let wholeBodyLimit: Int

    /// Adds the routes to `router`: /whoami behind `authentication`, /files and /files/**
    /// behind the path check and `authentication`. Any other method HTTP or WebDAV defines
    /// gets 405 with `Allow` (the router on its own answers a method a path has no handler
    /// for as an unknown route, 404).
    func addRoutes(to router: Router<FileServerContext>, authentication: BasicAuthentication) {
        router.group("whoami").add(middleware: authentication).get(use: whoami)
        Self.notAllowed(router, "whoami", allow: [.get], "GET only\n")
        for path: RouterPath in ["files", "files/**"] {
            router.group(path).add(middleware: FilePathCheck()).add(middleware: authentication)
                .get(use: get).head(use: get).put(use: put).delete(use: delete)
            Self.notAllowed(router, path, allow: [.get, .head, .put, .delete], "GET, PUT or DELETE\n")
        }
    }

    /// Answers 405 with `Allow` at `path` for the methods HTTP and WebDAV define that it
    /// does not take.
    private static func notAllowed(
        _ router: Router<FileServerContext>, _ path: RouterPath, allow: [HTTPRequest.Method], _ text: String
    ) {
        let defined: [HTTPRequest.Method] =
            [.get, .head, .put, .delete, .post, .patch, .options, .trace]
            + ["MKCOL", "COPY", "MOVE", "PROPFIND", "PROPPATCH", "LOCK", "UNLOCK"].compactMap { HTTPRequest.Method($0) }
        let allowHeader = allow.map(\.rawValue).joined(separator: ", ")
        for method in defined where !allow.contains(method) {
            router.on(path, method: method) { _, _ in Reply.plain(.methodNotAllowed, text, allow: allowHeader) }
        }
    }

    /// Runs `work` as the context's user; a scope that could not act as the user (the
    /// process lacks CAP_SETUID/CAP_SETGID) is a 500, never the work done as the process.
    private func asUser(_ context: FileServerContext, _ work: (Token) async throws -> Response) async throws
        -> Response
    {
        let token = try context.requireToken()
        do {
            return try await work(token)
        } catch {
            logger.error("impersonation failed: \(error)")
            return Reply.plain(.internalServerError, "could not act as the user\n")
        }
    }

    @Sendable func whoami(_ request: Request, context: FileServerContext) async throws -> Response {
        try await asUser(context) { token in
            let (me, uid) = try await identity.run(as: token) { ThreadIdentity.current() }
            record(token, uid)
            return Reply.json(.ok, me.json, servedAs: uid)
        }
    }

    @Sendable func get(_ request: Request, context: FileServerContext) async throws -> Response {
        let path = try context.requirePath()
        return try await asUser(context) { token in try await read(path, as: token, head: request.method == .head) }
    }

    @Sendable func put(_ request: Request, context: FileServerContext) async throws -> Response {
        let path = try context.requirePath()
        return try await asUser(context) { token in try await write(path, request, as: token) }
    }

    @Sendable func delete(_ request: Request, context: FileServerContext) async throws -> Response {
        let path = try context.requirePath()
        return try await asUser(context) { token in try await remove(path, as: token) }
    }

    private func read(_ path: RequestPath, as token: Token, head: Bool) async throws -> Response {
        let store = self.store
        let (found, uid) = try await identity.run(as: token) { store.get(path) }
        record(token, uid)
        switch found {
        case .failure(let error):
            return Reply.failure(error, servedAs: uid)
        case .success(.directory(let json)):
            return Reply.json(.ok, json, servedAs: uid)
        case .success(.file(let size, let first, let rest)):
            var headers = HTTPFields()
            headers[.contentType] = "application/octet-stream"
            headers[Reply.servedAs] = String(uid)
            if head {
                headers[.contentLength] = String(size)
                return Response(status: .ok, headers: headers, body: ResponseBody())
            }
            guard let rest else {
                return Response(status: .ok, headers: headers, body: ResponseBody(byteBuffer: first))
            }
            // Streamed: each further chunk is read as the user, in its own scope.
            let routes = self
            let body = ResponseBody(contentLength: size) { writer in
                try await writer.write(first)
                var offset = first.readableBytes
                while offset < size {
                    let count = min(FileStore.chunkSize, size - offset)
                    let at = offset
                    let (chunk, uid) = try await routes.identity.run(as: token) {
                        store.read(rest, offset: at, count: count)
                    }
                    routes.record(token, uid)
                    let buffer = try chunk.get()
                    if buffer.readableBytes == 0 {
                        routes.logger.warning(
                            "file shrank while it was sent", metadata: ["path": .string(jsonString(path.description))])
                        throw Errno(EIO)
                    }
                    offset += buffer.readableBytes
                    try await writer.write(buffer)
                }
                try await writer.finish(nil)
            }
            return Response(status: .ok, headers: headers, body: body)
        }
    }

    private func write(_ path: RequestPath, _ request: Request, as token: Token) async throws -> Response {
        let store = self.store
        let length = request.headers[.contentLength].flatMap { Int($0) }
        if let length, length <= wholeBodyLimit {
            // The whole body first (no disk touched), then one scope writes and names it.
            let body: ByteBuffer
            do { body = try await request.body.collect(upTo: wholeBodyLimit) } catch {
                return Reply.plain(.badRequest, "body could not be read\n")
            }
            let (result, uid) = try await identity.run(as: token) { store.put(path, body: body) }
            record(token, uid)
            return Reply.written(result, servedAs: uid)
        }
        // Streamed: the unnamed file is written chunk by chunk, each as the user.
        let (begun, uid) = try await identity.run(as: token) { store.beginPut(path) }
        record(token, uid)
        let upload: Upload
        switch begun {
        case .success(let begunUpload): upload = begunUpload
        case .failure(let error): return Reply.failure(error, servedAs: uid)
        }
        var lastUID = uid
        do {
            for try await chunk in request.body {
                let (wrote, uid) = try await identity.run(as: token) { store.write(upload, chunk) }
                record(token, uid)
                lastUID = uid
                if case .failure(let error) = wrote {
                    _ = try? await identity.run(as: token) { upload.abandon() }
                    return Reply.failure(error, servedAs: uid)
                }
            }
        } catch {
            _ = try? await identity.run(as: token) { upload.abandon() }
            return Reply.plain(.badRequest, "body could not be read\n", servedAs: lastUID)
        }
        let (result, commitUID) = try await identity.run(as: token) { store.commit(upload) }
        record(token, commitUID)
        return Reply.written(result, servedAs: commitUID)
    }

    private func remove(_ path: RequestPath, as token: Token) async throws -> Response {
        let store = self.store
        let (result, uid) = try await identity.run(as: token) { store.delete(path) }
        record(token, uid)
        switch result {
        case .success: return Response(status: .noContent, headers: [Reply.servedAs: String(uid)])
        case .failure(let error): return Reply.failure(error, servedAs: uid)
        }
    }

    private func record(_ token: Token, _ uid: UserID) {
        statistics.operation(expected: identity.impersonation ? token.uid : nil, servedAs: uid)
    }
}

/// The server's answers.
public enum Reply {
    static let servedAs = HTTPField.Name("X-Served-As")!
    static let realm = "Basic realm=\"hostsec-fileserver\", charset=\"UTF-8\""

    /// The status for a failed file operation: the kernel's verdict.
    public static func status(for error: Errno) -> HTTPResponse.Status {
        switch error.code {
        case EACCES, EPERM, EROFS: return .forbidden
        case ENOENT, ENOTDIR: return .notFound
        case EXDEV, ELOOP, ENAMETOOLONG, EINVAL: return .badRequest  // would leave the root, or no such name
        case EISDIR, ENOTEMPTY, EEXIST, EBUSY: return .conflict
        case ENOSPC, EDQUOT: return HTTPResponse.Status(code: 507, reasonPhrase: "Insufficient Storage")
        default: return .internalServerError
        }
    }

    /// The raw request target without its query: what the client sent, not decoded.
    static func target(of request: Request) -> Substring {
        var target = Substring(request.head.path ?? "")
        if let query = target.firstIndex(where: { $0 == "?" || $0 == "#" }) { target = target[..<query] }
        return target
    }

    static func failure(_ error: Errno, servedAs uid: UserID) -> Response {
        let status = status(for: error)
        return plain(status, "\(status.reasonPhrase) (\(String(cString: strerror(error.code))))\n", servedAs: uid)
    }

    static func written(_ result: Result<Bool, Errno>, servedAs uid: UserID) -> Response {
        switch result {
        case .success(true): return Response(status: .created, headers: [servedAs: String(uid), .contentLength: "0"])
        case .success(false): return Response(status: .noContent, headers: [servedAs: String(uid)])
        case .failure(let error): return failure(error, servedAs: uid)
        }
    }

    static func plain(_ status: HTTPResponse.Status, _ text: String, servedAs uid: UserID? = nil, allow: String? = nil)
        -> Response
    {
        var headers: HTTPFields = [.contentType: "text/plain; charset=utf-8"]
        if let uid { headers[servedAs] = String(uid) }
        if let allow { headers[.allow] = allow }
        return Response(status: status, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(string: text)))
    }

    static func json(_ status: HTTPResponse.Status, _ text: String, servedAs uid: UserID) -> Response {
        Response(
            status: status, headers: [.contentType: "application/json", servedAs: String(uid)],
            body: ResponseBody(byteBuffer: ByteBuffer(string: text)))
    }

    static func unauthorized() -> Response {
        var response = plain(.unauthorized, "authentication required\n")
        response.headers[.wwwAuthenticate] = realm
        return response
    }

    static func notFound() -> Response { plain(.notFound, "not found\n") }
}
