import Foundation
import Hummingbird
import InferenceJobs
import NIOCore
import ResultStore

/// `GET /v1/jobs/{id}/events`: a `status` event, then the `result` event the moment the follower reads it from the
/// results topic, then the end of the stream (``JobEventStream`` decides what is sent).
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
        let record: JobRecord?
        do {
            record = try await self.store.jobRecord(for: jobID)
        } catch {
            waiters.forget(ticket)
            throw self.storeUnavailable(error, during: "look-up of job \(jobID)")
        }
        guard let record else {
            waiters.forget(ticket)
            throw Problem.unknownJob(jobID)
        }
        let plan: JobEventStream
        switch record {
        case .pending:
            plan = JobEventStream(
                jobID: jobID, lastEventID: request.headers[Self.lastEventIDField], status: "pending", finishedResult: nil
            )
        case .finished(let stored):
            plan = JobEventStream(
                jobID: jobID, lastEventID: request.headers[Self.lastEventIDField], status: stored.result.status.rawValue,
                finishedResult: JobCodec.encode(stored.result)
            )
        }
        // A client that goes away is forgotten at once: the wait below then ends.
        channel.closeFuture.whenComplete { _ in waiters.forget(ticket) }
        let heartbeat = options.heartbeatInterval
        let store = self.store
        metrics.openStreams.increment()
        let body = ResponseBody { writer in
            defer {
                waiters.forget(ticket)
                metrics.openStreams.decrement()
            }
            for event in plan.initial { try await writer.write(ByteBuffer(bytes: event.bytes)) }
            if plan.waitsForResult {
                // The follower may have read the result before the ticket was registered, while the sink had not
                // stored it yet: then it reaches neither. So the store is read again while waiting, at growing
                // intervals (StoreRecheck), besides the heartbeats.
                var recheck = StoreRecheck(heartbeat: heartbeat)
                waiting: while !Task.isCancelled {
                    if let delivery = await waiters.next(ticket, until: recheck.nextWake) {
                        try await writer.write(ByteBuffer(bytes: JobEventStream.result(JobCodec.encode(delivery.result)).bytes))
                        metrics.pushLatency(since: delivery.producedAt)
                        break waiting
                    }
                    guard waiters.isRegistered(ticket) else { break waiting }  // the client disconnected
                    switch recheck.woke() {
                    case .readStore:
                        if case .finished(let stored)? = try? await store.jobRecord(for: jobID) {
                            try await writer.write(ByteBuffer(bytes: JobEventStream.result(JobCodec.encode(stored.result)).bytes))
                            break waiting
                        }
                    case .sendHeartbeat:
                        try await writer.write(ByteBuffer(bytes: JobEventStream.heartbeat))
                    }
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
