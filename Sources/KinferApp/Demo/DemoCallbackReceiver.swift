import Foundation
import InferenceJobs
import NIOCore
import NIOHTTP1
import NIOPosix
import Notifier
import Synchronization

/// The demo's webhook receiver on 127.0.0.1: what a caller's service would run. It checks each delivery's
/// Standard Webhooks signature and timestamp with the demo's secret and answers 204 (401 when they do not verify).
final class DemoCallbackReceiver: Sendable {
    private struct Tally {
        var delivered: Set<String> = []
        var requests = 0
        var unverified = 0
    }
    private let tally = Mutex(Tally())
    private let signer: WebhookSigner
    private let channel: Mutex<(any Channel)?> = Mutex(nil)

    /// - Parameter signer: Signs with the secret the notifier signs with; the expected signature is its.
    init(signer: WebhookSigner) {
        self.signer = signer
    }

    /// Jobs whose callback arrived with a valid signature.
    var delivered: Set<String> { self.tally.withLock { $0.delivered } }
    /// Requests received, repeats included.
    var requests: Int { self.tally.withLock { $0.requests } }
    /// Requests whose signature did not verify (answered 401).
    var unverified: Int { self.tally.withLock { $0.unverified } }

    /// Starts listening on an ephemeral port of 127.0.0.1 and returns it.
    func start() async throws -> Int {
        let channel = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.configureHTTPServerPipeline()
                    try channel.pipeline.syncOperations.addHandler(Handler(receiver: self))
                }
            }
            .bind(host: "127.0.0.1", port: 0).get()
        self.channel.withLock { $0 = channel }
        return channel.localAddress?.port ?? 0
    }

    func stop() async {
        try? await self.channel.withLock { $0 }?.close()
    }

    /// Verifies and records one delivery; the status to answer.
    fileprivate func receive(_ head: HTTPRequestHead, body: [UInt8]) -> HTTPResponseStatus {
        let verified = self.verifies(head.headers, body: body)
        let jobID = verified ? (try? JobCodec.decodeResult(body))?.jobID : nil
        self.tally.withLock { tally in
            tally.requests += 1
            if let jobID { tally.delivered.insert(jobID) } else { tally.unverified += 1 }
        }
        return jobID == nil ? .unauthorized : .noContent
    }

    private func verifies(_ headers: HTTPHeaders, body: [UInt8]) -> Bool {
        guard let id = headers.first(name: "webhook-id"), let timestamp = headers.first(name: "webhook-timestamp"),
            let sent = Int64(timestamp), abs(Int64(Date().timeIntervalSince1970) - sent) <= 300,
            let signatures = headers.first(name: "webhook-signature")
        else { return false }
        let expected = self.signer.headers(id: id, timestamp: sent, body: body).signature
        return signatures.split(separator: " ").contains { $0 == expected }
    }

    private final class Handler: ChannelInboundHandler {
        typealias InboundIn = HTTPServerRequestPart
        typealias OutboundOut = HTTPServerResponsePart
        let receiver: DemoCallbackReceiver
        var head: HTTPRequestHead?
        var body: [UInt8] = []

        init(receiver: DemoCallbackReceiver) {
            self.receiver = receiver
        }

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            switch self.unwrapInboundIn(data) {
            case .head(let head):
                self.head = head
                self.body = []
            case .body(let buffer):
                self.body.append(contentsOf: buffer.readableBytesView)
            case .end:
                let status = self.receiver.receive(self.head!, body: self.body)
                let headers = HTTPHeaders([("content-length", "0")])
                context.write(self.wrapOutboundOut(.head(HTTPResponseHead(version: .http1_1, status: status, headers: headers))), promise: nil)
                context.writeAndFlush(self.wrapOutboundOut(.end(nil)), promise: nil)
            }
        }
    }
}
