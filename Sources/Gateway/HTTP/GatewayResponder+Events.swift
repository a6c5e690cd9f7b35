import Foundation
import Hummingbird
import InferenceJobs
import NIOCore
import ResultStore

/// `GET /v1/jobs/{id}/events`: a `status` event, the job's tokens as the stream follower reads them (for a job that
/// streams), then the `result` event the moment the results follower reads it, then the end of the stream
/// (``JobEventStream`` names the events, ``TokenRelay`` decides which tokens).
extension GatewayResponder {
    static let lastEventIDField = HTTPFields.Element.Name("Last-Event-ID")!

    func events(of jobID: String, request: Request, channel: any Channel) async throws(Problem) -> Response {
        let options = self.configuration.options
        let waiters = self.waiters
        let metrics = self.metrics
        guard waiters.isFollowing else { throw self.notFollowing() }
        // Registered before the store is read: a result landing in between reaches the ticket or the store.
        guard let ticket = waiters.register(jobID, kind: .stream, limit: options.maxOpenStreams) else {
            self.metrics.limitReached(route: "/v1/jobs/{id}/events")
            throw Problem.unavailable(
                "\(options.maxOpenStreams) event streams are already open on this instance; retry, or poll GET /v1/jobs/{id}",
                retryAfter: options.retryAfterSeconds
            )
        }
        let record: JobRecord
        do throws(Problem) {
            record = try await self.lookUp(jobID)
        } catch {
            waiters.forget(ticket)
            throw error
        }
        let resume = JobEventStream.Resume(lastEventID: request.headers[Self.lastEventIDField])
        let finished: StoredResult?
        if case .finished(let stored) = record { finished = stored } else { finished = nil }
        let status = finished?.result.status.rawValue ?? "pending"
        // A client that goes away is forgotten at once: the wait below then ends.
        channel.closeFuture.whenComplete { _ in waiters.forget(ticket) }
        let loop = RelayLoop(
            jobID: jobID, ticket: ticket, waiters: waiters, streams: self.streams, store: self.store,
            heartbeat: options.heartbeatInterval, catchUp: options.streamCatchUp, expectsStream: resume.lastTokenIndex != nil,
            metrics: metrics
        )
        metrics.openStreams.increment()
        let body = ResponseBody { writer in
            defer {
                waiters.forget(ticket)
                metrics.openStreams.decrement()
            }
            if resume.sendsStatus {
                try await writer.write(ByteBuffer(bytes: JobEventStream.status(jobID: jobID, status: status).bytes))
            }
            if resume != .afterResult {
                var relay = TokenRelay(after: resume.lastTokenIndex)
                let ending: RelayLoop.Ending
                if let finished {
                    // Finished: whatever the cache still holds of its stream, the rest of its text, the result.
                    var tokens: [TokenRelay.Token] = []
                    if case .complete(let rest) = relay.finish(
                        finished.result.output, read: loop.streams.read(jobID, from: relay.next), waited: true
                    ) {
                        tokens = rest
                    }
                    for token in tokens { try await writer.write(ByteBuffer(bytes: JobEventStream.token(token).bytes)) }
                    ending = .result(finished.result, producedAt: nil)
                } else {
                    ending = try await loop.run(&relay) { output in
                        switch output {
                        case .tokens(let tokens):
                            var bytes: [UInt8] = []
                            for token in tokens { bytes += JobEventStream.token(token).bytes }
                            try await writer.write(ByteBuffer(bytes: bytes))
                        case .heartbeat:
                            try await writer.write(ByteBuffer(bytes: JobEventStream.heartbeat))
                        }
                    }
                }
                if case .result(let result, let producedAt) = ending {
                    try await writer.write(ByteBuffer(bytes: JobEventStream.result(JobCodec.encode(result)).bytes))
                    metrics.pushLatency(since: producedAt)
                }
            }
            try await writer.finish(nil)
        }
        return Response(
            status: .ok,
            headers: [.contentType: "text/event-stream", .cacheControl: "no-cache"],
            body: body
        )
    }
}
