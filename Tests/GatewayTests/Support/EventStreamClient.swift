import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import Synchronization

/// One server-sent event as a client reads it.
struct ServerSentEvent: Sendable, Hashable {
    var id: String?
    var name: String?
    var data: String

    var object: [String: Any]? {
        (try? JSONSerialization.jsonObject(with: Data(self.data.utf8))) as? [String: Any]
    }
}

/// A whole event stream: what came before the server ended it.
struct EventStreamReply: Sendable {
    var status: Int
    var headers: HTTPHeaders
    var events: [ServerSentEvent]
    /// Comment lines (`: keep-alive`), without the colon.
    var comments: [String]
    /// The body of a refusal (a problem), when the status is not 200.
    var body: [UInt8]
}

/// Reads `text/event-stream` frames from bytes as they arrive.
struct EventStreamParser {
    private var pending: [UInt8] = []

    /// The events and comments completed by `bytes`.
    mutating func feed(_ bytes: some Sequence<UInt8>) -> (events: [ServerSentEvent], comments: [String]) {
        self.pending.append(contentsOf: bytes)
        var events: [ServerSentEvent] = []
        var comments: [String] = []
        while let end = Self.frameEnd(self.pending) {
            let frame = String(decoding: self.pending[..<end], as: UTF8.self)
            self.pending.removeFirst(end + 2)
            var event = ServerSentEvent(id: nil, name: nil, data: "")
            var hasField = false
            for line in frame.split(separator: "\n", omittingEmptySubsequences: true) {
                if line.hasPrefix(":") {
                    comments.append(String(line.dropFirst()).trimmingCharacters(in: .whitespaces))
                    continue
                }
                let parts = line.split(separator: ":", maxSplits: 1)
                let field = String(parts[0])
                let value = parts.count > 1 ? String(parts[1].drop(while: { $0 == " " })) : ""
                hasField = true
                switch field {
                case "id": event.id = value
                case "event": event.name = value
                case "data": event.data += event.data.isEmpty ? value : "\n" + value
                default: break
                }
            }
            if hasField { events.append(event) }
        }
        return (events, comments)
    }

    private static func frameEnd(_ bytes: [UInt8]) -> Int? {
        guard bytes.count >= 2 else { return nil }
        for index in 0..<(bytes.count - 1) where bytes[index] == 0x0A && bytes[index + 1] == 0x0A { return index }
        return nil
    }
}

extension GatewayHarness {
    /// Opens `GET /v1/jobs/{jobID}/events` (on this instance, or the one at `baseURL`) and reads it until the server ends it, or until `stopAfterEvents` events
    /// have arrived (then the client goes away), or `timeout` passes (which fails).
    ///
    /// - Parameter onEvent: Called with each event as it arrives (e.g. to learn that the stream is open).
    func followEvents(
        _ jobID: String,
        lastEventID: String? = nil,
        baseURL: String? = nil,
        stopAfterEvents: Int? = nil,
        client: HTTPClient = .shared,
        timeout: Duration = .seconds(30),
        onEvent: @Sendable (ServerSentEvent) -> Void = { _ in }
    ) async throws -> EventStreamReply {
        var request = HTTPClientRequest(url: (baseURL ?? self.baseURL) + "/v1/jobs/\(jobID)/events")
        request.headers.add(name: "Authorization", value: "Bearer \(testAPIKey)")
        request.headers.add(name: "Accept", value: "text/event-stream")
        if let lastEventID { request.headers.add(name: "Last-Event-ID", value: lastEventID) }
        let response = try await client.execute(request, deadline: .now() + .nanoseconds(Int64(timeout.components.seconds) * 1_000_000_000))
        var reply = EventStreamReply(status: Int(response.status.code), headers: response.headers, events: [], comments: [], body: [])
        var parser = EventStreamParser()
        for try await buffer in response.body {
            if reply.status != 200 {
                reply.body += buffer.readableBytesView
                continue
            }
            let (events, comments) = parser.feed(buffer.readableBytesView)
            for event in events { onEvent(event) }
            reply.events += events
            reply.comments += comments
            if let stopAfterEvents, reply.events.count >= stopAfterEvents { break }
        }
        return reply
    }
}

/// A value behind a lock, shareable by reference with child tasks and callbacks (a `Mutex` itself cannot be).
final class Locked<Value: Sendable>: Sendable {
    private let mutex: Mutex<Value>

    init(_ value: Value) { self.mutex = Mutex(value) }

    func withLock<Result: Sendable>(_ body: (inout Value) -> Result) -> Result {
        self.mutex.withLock { body(&$0) }
    }
}
