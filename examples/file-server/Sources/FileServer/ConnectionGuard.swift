// Limits on connections, so that clients that never finish a request cannot hold the server's
// descriptors: a deadline for each stage of a request, and a cap on the connections one
// client address may hold at once.
import HTTPTypes
import NIOCore
import NIOHTTPTypes
import Synchronization

/// How long a connection may take at each stage, and how many one address may hold.
public struct ConnectionLimits: Sendable {
    /// From the connection's start until its first request head is complete.
    public var header: TimeAmount = .seconds(10)
    /// Between two parts of a request body (its head, each chunk, its end).
    public var body: TimeAmount = .seconds(30)
    /// From the end of a response until the next request head is complete.
    public var idle: TimeAmount = .seconds(30)
    /// Connections one client address may hold at once; more are closed as soon as they
    /// are accepted.
    public var perAddress: Int = 128

    public init() {}
}

/// The connections open now, by client address (shared by every connection of a server).
final class ConnectionsByAddress: Sendable {
    private let open = Mutex<[String: Int]>([:])

    /// Counts a new connection from `address`: false (and not counted) when it already
    /// holds `limit`.
    func admit(_ address: String, limit: Int) -> Bool {
        open.withLock { open in
            let count = open[address, default: 0]
            guard count < limit else { return false }
            open[address] = count + 1
            return true
        }
    }

    func release(_ address: String) {
        open.withLock { open in
            let count = open[address, default: 1] - 1
            open[address] = count > 0 ? count : nil
        }
    }
}

/// One per connection, after the HTTP/1.1 codec: closes the connection when the current
/// stage's deadline passes (waiting for a head, or for the next part of a body; never while
/// the server itself works on a response), and when its address holds too many connections.
final class ConnectionGuard: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPRequestPart
    typealias InboundOut = HTTPRequestPart
    typealias OutboundIn = HTTPResponsePart
    typealias OutboundOut = HTTPResponsePart

    private let limits: ConnectionLimits
    private let connections: ConnectionsByAddress
    private var address: String?
    private var timer: Scheduled<Void>?
    private var readingBody = false
    private var unanswered = 0
    private var answered = 0

    init(limits: ConnectionLimits, connections: ConnectionsByAddress) {
        self.limits = limits
        self.connections = connections
    }

    func handlerAdded(context: ChannelHandlerContext) {
        let key = context.channel.remoteAddress?.ipAddress ?? "?"
        guard connections.admit(key, limit: limits.perAddress) else {
            context.close(promise: nil)
            return
        }
        address = key
        rearm(context)
    }

    func handlerRemoved(context: ChannelHandlerContext) { finish() }

    func channelInactive(context: ChannelHandlerContext) {
        finish()
        context.fireChannelInactive()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head: readingBody = true; unanswered += 1
        case .body: break
        case .end: readingBody = false
        }
        rearm(context)
        context.fireChannelRead(data)
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        if case .end = unwrapOutboundIn(data) {
            unanswered -= 1
            answered += 1
            rearm(context)
        }
        context.write(data, promise: promise)
    }

    /// The deadline for what the connection waits for now: the next part of a body, a head
    /// (the first, or the next after an answer), or none while the server answers.
    private func rearm(_ context: ChannelHandlerContext) {
        timer?.cancel()
        timer = nil
        let wait: TimeAmount
        if readingBody {
            wait = limits.body
        } else if unanswered > 0 {
            return
        } else {
            wait = answered == 0 ? limits.header : limits.idle
        }
        timer = context.eventLoop.assumeIsolated().scheduleTask(in: wait) { context.close(promise: nil) }
    }

    private func finish() {
        timer?.cancel()
        timer = nil
        if let address { connections.release(address) }
        address = nil
    }
}
