// `Expect: 100-continue` (RFC 9110, section 10.1.1): a client that sends it waits for an
// interim "100 Continue" before it sends the body. curl asks for it on every upload over
// 1 KiB and, without an answer, waits a full second before sending the body anyway; the HTTP
// server underneath never answers it. This handler does, as soon as the request head is read.
import HTTPTypes
import NIOCore
import NIOHTTPTypes

/// Answers a request head that carries `Expect: 100-continue` with `100 Continue`, then passes
/// the head on unchanged. The response itself comes later, from the responder, as usual.
///
/// It sits after the HTTP/1.1 codec, where requests are `HTTPTypes` values; the codec's
/// pipelining helper delivers a connection's next request only after the previous response
/// has ended, so the interim response never lands inside another response.
final class ExpectContinueHandler: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPRequestPart
    typealias InboundOut = HTTPRequestPart
    typealias OutboundOut = HTTPResponsePart

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        if case .head(let head) = unwrapInboundIn(data), Self.expectsContinue(head.headerFields) {
            context.writeAndFlush(wrapOutboundOut(.head(HTTPResponse(status: .continue))), promise: nil)
        }
        context.fireChannelRead(data)
    }

    /// Whether the fields ask for `100 Continue` (the one expectation HTTP defines; the value
    /// is case-insensitive).
    static func expectsContinue(_ fields: HTTPFields) -> Bool {
        fields[values: .expect].contains { $0.lowercased() == "100-continue" }
    }
}
