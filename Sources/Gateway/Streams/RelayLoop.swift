import Foundation
import InferenceJobs
import ResultStore

/// The wait of a request that relays one job's tokens and then its result (`GET /v1/jobs/{id}/events`, a streamed
/// `POST /v1/chat/completions`): it wakes on new chunks, on the result, and for heartbeats, and hands what to send
/// to its route, which writes it in its own format. What to send is ``TokenRelay``'s decision; this only waits.
struct RelayLoop: Sendable {
    /// What the route writes.
    enum Output: Sendable {
        case tokens([TokenRelay.Token])
        case heartbeat
    }

    /// How the wait ended.
    enum Ending: Sendable {
        /// The result arrived (from the results topic, with its record's time, or from the store); every token before
        /// it was handed out.
        case result(JobResult, producedAt: Date?)
        /// The client went away, the task was cancelled, or the instance is shutting down.
        case ended
        /// Nothing arrived for ``idleLimit``.
        case idle
    }

    let jobID: String
    let ticket: ResultWaiters.Ticket
    let waiters: ResultWaiters
    let streams: StreamRegistry
    /// Read again while waiting, for a result the follower passed before the ticket was registered; `nil` when the
    /// ticket was registered before the job was produced (then no result can pass it).
    let store: (any JobAdmissionStore)?
    let heartbeat: Duration
    /// How long a result waits for missing chunks (see ``TokenRelay/finish(_:read:waited:)``).
    let catchUp: Duration
    /// Whether the job is known to stream (submitted here with `stream: true`, or the client resumed after a token),
    /// so that missing chunks are waited for even when this instance has read none.
    let expectsStream: Bool
    /// Counts the tokens handed out and the texts sent at once.
    let metrics: GatewayMetrics
    /// The wait ends (``Ending/idle``) when neither a token nor the result arrives for this long; `nil` never.
    var idleLimit: Duration? = nil

    func run(_ relay: inout TokenRelay, emit write: (Output) async throws -> Void) async throws -> Ending {
        func emit(_ output: Output) async throws {
            if case .tokens(let tokens) = output {
                self.metrics.tokensRelayed.increment(by: tokens.count)
                // The rest of a text sent at once stands for more than one index.
                if tokens.contains(where: { $0.lastIndex > $0.index }) { self.metrics.streamTextFallbacks.increment() }
            }
            try await write(output)
        }
        var recheck = StoreRecheck(heartbeat: self.heartbeat)
        var lastActivity = ContinuousClock.now
        let first = relay.take(self.streams.read(self.jobID, from: relay.next))
        if !first.isEmpty { try await emit(.tokens(first)) }
        while !Task.isCancelled {
            var wakeAt = recheck.nextWake
            if let idleLimit = self.idleLimit { wakeAt = min(wakeAt, lastActivity + idleLimit) }
            switch await self.waiters.nextWake(self.ticket, until: wakeAt) {
            case .progress:
                let tokens = relay.take(self.streams.read(self.jobID, from: relay.next))
                if !tokens.isEmpty {
                    lastActivity = .now
                    try await emit(.tokens(tokens))
                }
            case .result(let delivery):
                return try await self.finish(delivery.result, producedAt: delivery.producedAt, relay: &relay, emit: emit)
            case .ended:
                guard self.waiters.isRegistered(self.ticket), !Task.isCancelled else { return .ended }
                let now = ContinuousClock.now
                if let idleLimit = self.idleLimit, now >= lastActivity + idleLimit { return .idle }
                guard now >= recheck.nextWake else { continue }
                switch recheck.woke() {
                case .readStore:
                    if let store = self.store, case .finished(let stored)? = try? await store.jobRecord(for: self.jobID) {
                        return try await self.finish(stored.result, producedAt: nil, relay: &relay, emit: emit)
                    }
                case .sendHeartbeat:
                    try await emit(.heartbeat)
                }
            }
        }
        return .ended
    }

    /// Hands out the tokens still missing before `result`, waiting up to ``catchUp`` for chunks still on their way
    /// when the job is known to stream.
    private func finish(
        _ result: JobResult, producedAt: Date?, relay: inout TokenRelay, emit: (Output) async throws -> Void
    ) async throws -> Ending {
        var waited = !(self.expectsStream || self.streams.contains(self.jobID))
        let deadline = ContinuousClock.now + self.catchUp
        while true {
            switch relay.finish(result.output, read: self.streams.read(self.jobID, from: relay.next), waited: waited) {
            case .complete(let tokens):
                if !tokens.isEmpty { try await emit(.tokens(tokens)) }
                return .result(result, producedAt: producedAt)
            case .partial(let tokens):
                if !tokens.isEmpty { try await emit(.tokens(tokens)) }
                if case .ended = await self.waiters.nextWake(self.ticket, until: deadline) {
                    guard self.waiters.isRegistered(self.ticket), !Task.isCancelled else { return .ended }
                    waited = ContinuousClock.now >= deadline
                }
            }
        }
    }
}
