// The outermost middleware: one log line per request, the X-Served-As header on every
// response, and the request count.
import HTTPTypes
import Hummingbird
import Logging

/// Logs each request (user, method, path, status, microseconds to the response head), gives
/// every response an `X-Served-As` (the answering thread's effective uid when no file
/// operation set one) and counts it. Errors from the router (an unknown route) become plain
/// answers here.
struct RequestLog: RouterMiddleware {
    typealias Context = FileServerContext

    let statistics: ServerStatistics
    let logger: Logger

    func handle(
        _ request: Request, context: Context, next: (Request, Context) async throws -> Response
    ) async throws -> Response {
        let start = ContinuousClock.now
        var response: Response
        do {
            response = try await next(request, context)
        } catch let error as HTTPError where error.status == .notFound {
            response = Reply.notFound()
        } catch let error as HTTPError {
            response = Reply.plain(error.status, "\(error.status.reasonPhrase)\n")
        } catch {
            logger.error("request failed: \(error)")
            response = Reply.plain(.internalServerError, "internal error\n")
        }
        if response.headers[Reply.servedAs] == nil {
            response.headers[Reply.servedAs] = String(ThreadIdentity.euid())
        }
        statistics.request()
        let elapsed = ContinuousClock.now - start
        let us = elapsed.components.seconds * 1_000_000 + elapsed.components.attoseconds / 1_000_000_000_000
        // Every value the client chose is logged as a JSON string: a newline, a quote or a
        // "key=value" inside one cannot make another line or another field.
        logger.info(
            "request",
            metadata: [
                "user": .string(jsonString(context.account.value ?? "-")),
                "method": .string(jsonString(request.method.rawValue)),
                "path": .string(jsonString(request.uri.path)),
                "status": .stringConvertible(response.status.code), "us": .stringConvertible(us),
            ])
        return response
    }
}
