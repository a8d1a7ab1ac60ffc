// Authentication: HTTP Basic credentials, checked against the credential cache (and so PAM).
// A request goes on to its route with the logged-on user's `Token` in its context, or is
// answered here: 401, 403 for root and system accounts, 429 past the per-address cap on
// failing logons, 503 when PAM is not usable.
import Foundation
import HostSecurity
import HTTPTypes
import Hummingbird
import Logging
import Synchronization

/// The request context: Hummingbird's, plus the client's address, the checked path below
/// /files/ and the logged-on user.
public struct FileServerContext: RequestContext {
    public var coreContext: CoreRequestContextStorage
    /// The client's IP address, nil when the connection has none.
    public let clientAddress: String?
    /// The path below /files/, checked before anything else is done (``FilePathCheck``).
    public var path: RequestPath?
    /// The user the request's credentials logged on (``BasicAuthentication``).
    public var token: Token?
    /// The account name the credentials gave, for the request log (which sees the context
    /// as it was before the middleware that sets it).
    let account = AccountNote()

    public init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
        clientAddress = source.channel.remoteAddress?.ipAddress
    }

    /// The logged-on user; a route behind ``BasicAuthentication`` always has one.
    func requireToken() throws -> Token {
        guard let token else { throw HTTPError(.unauthorized) }
        return token
    }

    /// The checked path; a route behind ``FilePathCheck`` always has one.
    func requirePath() throws -> RequestPath {
        guard let path else { throw HTTPError(.notFound) }
        return path
    }
}

/// The account name a request's credentials gave, once they are parsed.
final class AccountNote: Sendable {
    private let name = Mutex<String?>(nil)

    var value: String? {
        get { name.withLock { $0 } }
        set { name.withLock { $0 = newValue } }
    }
}

/// HTTP Basic authentication (RFC 7617) against the credential cache.
///
/// Written here rather than taken from hummingbird-auth: its authenticators let a request
/// with no identity go on (to another authenticator), while every failure here has an
/// answer of its own; and its `HTTPFields.basic` decodes a name that is not UTF-8 with
/// replacement characters, which would hand PAM a name the client never sent.
public struct BasicAuthentication: RouterMiddleware {
    public typealias Context = FileServerContext

    let cache: CredentialCache
    let logger: Logger

    public func handle(
        _ request: Request, context: Context, next: (Request, Context) async throws -> Response
    ) async throws -> Response {
        guard let (name, password) = Self.credentials(request.headers[.authorization]) else {
            return Reply.unauthorized()
        }
        context.account.value = name
        var context = context
        do {
            context.token = try await cache.token(user: name, password: password, client: context.clientAddress).0
        } catch let error as HostSecurityError where error == .noLogonServers {
            logger.error("PAM is not usable: \(error)")
            return Reply.plain(.serviceUnavailable, "logon service unavailable\n")
        } catch let error as HostSecurityError where error == .logonTypeNotGranted {
            // Root and system accounts: refused from the user database, before PAM.
            return Reply.plain(.forbidden, "this account may not log on here\n")
        } catch is CredentialCache.TooManyFailingLogons {
            var response = Reply.plain(.tooManyRequests, "too many failed logons from this address\n")
            response.headers[.retryAfter] = "2"
            return response
        } catch {
            return Reply.unauthorized()
        }
        return try await next(request, context)
    }

    /// User and password from `Authorization: Basic base64(user:password)` (the scheme in any
    /// case, standard base64 with its padding), or nil: not Basic, not canonical base64, not
    /// UTF-8, no colon, an empty name, or a NUL.
    public static func credentials(_ header: String?) -> (String, String)? {
        guard let header else { return nil }
        let parts = header.split(separator: " ", maxSplits: 1, omittingEmptySubsequences: true)
        let encoded = parts.count == 2 ? parts[1].trimmingCharacters(in: .whitespaces) : ""
        // Foundation's decoder also takes some malformed text ("cA=x"): only the canonical
        // form, the one that encodes back to itself, is a credential.
        guard parts.count == 2, parts[0].lowercased() == "basic",
            let decoded = Data(base64Encoded: encoded), decoded.base64EncodedString() == encoded,
            let text = String(validating: decoded, as: UTF8.self),
            let colon = text.firstIndex(of: ":")
        else { return nil }
        let user = String(text[..<colon]), password = String(text[text.index(after: colon)...])
        guard !user.isEmpty, !user.utf8.contains(0), !password.utf8.contains(0) else { return nil }
        return (user, password)
    }
}

/// The path below /files/, from the raw request target (split on "/" before any
/// percent-decoding), checked before the request is authenticated or any file is touched:
/// 400 when it is refused.
struct FilePathCheck: RouterMiddleware {
    typealias Context = FileServerContext

    func handle(
        _ request: Request, context: Context, next: (Request, Context) async throws -> Response
    ) async throws -> Response {
        // The router matched /files with "//" or "/" runs folded; the raw target decides.
        let target = Reply.target(of: request)
        guard target == "/files" || target.hasPrefix("/files/") else { return Reply.notFound() }
        var context = context
        do throws(RequestPath.Refusal) {
            context.path = try RequestPath(raw: target.dropFirst("/files/".count))
        } catch {
            return Reply.plain(.badRequest, "bad path: \(error)\n")
        }
        return try await next(request, context)
    }
}
