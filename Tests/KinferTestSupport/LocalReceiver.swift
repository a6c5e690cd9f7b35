import NIOCore
import NIOHTTP1
import NIOPosix
import Synchronization

/// A callback receiver on a loopback address (127.0.0.1 unless given; an ephemeral port), started by a test: it records every request and answers
/// as the test's responder says. The only thing the notifier's tests ever connect to.
public final class LocalReceiver: Sendable {
    public struct Request: Sendable {
        public let head: HTTPRequestHead
        public let body: [UInt8]
        /// When the request's end arrived.
        public let received: ContinuousClock.Instant
        public func header(_ name: String) -> String? { self.head.headers.first(name: name) }
    }

    /// An answer: status, headers, and a body ("ok" unless given).
    public struct Reply: Sendable {
        public var status: HTTPResponseStatus
        public var headers: [(String, String)]
        public var body: [UInt8]

        public init(status: HTTPResponseStatus, headers: [(String, String)] = [], body: [UInt8] = Array("ok".utf8)) {
            self.status = status
            self.headers = headers
            self.body = body
        }
    }

    /// What to answer, or `nil` for never answering (the connection stays open).
    public typealias Responder = @Sendable (_ index: Int, _ request: Request) -> Reply?

    private let channel: any Channel
    private let recorded: Mutex<[Request]>

    public var port: Int { self.channel.localAddress!.port! }
    public var requests: [Request] { self.recorded.withLock { $0 } }

    private init(channel: any Channel) {
        self.channel = channel
        self.recorded = Mutex([])
    }

    public static func withReceiver<T>(
        host: String = "127.0.0.1", _ responder: @escaping Responder, _ body: (LocalReceiver) async throws -> T
    ) async throws -> T {
        let log = Box()
        let channel = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.configureHTTPServerPipeline()
                    try channel.pipeline.syncOperations.addHandler(Handler(log: log, responder: responder))
                }
            }
            .bind(host: host, port: 0).get()
        let receiver = LocalReceiver(channel: channel)
        log.receiver.withLock { $0 = receiver }
        do {
            let result = try await body(receiver)
            try await channel.close()
            return result
        } catch {
            try? await channel.close()
            throw error
        }
    }

    /// Set once the receiver exists, so that handlers record into it.
    private final class Box: Sendable {
        let receiver = Mutex<LocalReceiver?>(nil)
        func record(_ request: Request) -> Int {
            self.receiver.withLock { receiver in
                receiver!.recorded.withLock { requests in
                    requests.append(request)
                    return requests.count - 1
                }
            }
        }
    }

    private final class Handler: ChannelInboundHandler {
        typealias InboundIn = HTTPServerRequestPart
        typealias OutboundOut = HTTPServerResponsePart

        let log: Box
        let responder: Responder
        var head: HTTPRequestHead?
        var body: [UInt8] = []

        init(log: Box, responder: @escaping Responder) {
            self.log = log
            self.responder = responder
        }

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            switch self.unwrapInboundIn(data) {
            case .head(let head):
                self.head = head
                self.body = []
            case .body(let buffer):
                self.body.append(contentsOf: buffer.readableBytesView)
            case .end:
                let request = Request(head: self.head!, body: self.body, received: .now)
                let index = self.log.record(request)
                guard let reply = self.responder(index, request) else { return }
                var headers = HTTPHeaders(reply.headers)
                headers.add(name: "content-length", value: String(reply.body.count))
                headers.add(name: "connection", value: "close")
                let head = HTTPResponseHead(version: .http1_1, status: reply.status, headers: headers)
                context.write(self.wrapOutboundOut(.head(head)), promise: nil)
                context.write(self.wrapOutboundOut(.body(.byteBuffer(ByteBuffer(bytes: reply.body)))), promise: nil)
                context.writeAndFlush(self.wrapOutboundOut(.end(nil)), promise: nil)
            }
        }
    }
}
