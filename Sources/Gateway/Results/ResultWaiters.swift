import Foundation
import InferenceJobs
import Synchronization

/// The requests of this instance waiting for a job's result (`POST /v1/predict`, `GET /v1/jobs/{id}/events`), by
/// job ID, so that the ``ResultsFollower`` can hand each result to its waiters the moment it reads it.
///
/// Lock-protected rather than an actor: the follower asks ``isAwaited(_:)`` for every record of the results topic,
/// most of which no one waits for, and a lock costs less than an actor hop per record.
///
/// A waiter is a ``Ticket``: ``register(_:limit:)`` makes one *before* the job is produced (so that a fast result
/// is not missed), ``next(_:)`` waits for the result, and ``forget(_:)`` drops it. A result that arrives before
/// ``next(_:)`` is kept in the ticket until then. Waiting ends on task cancellation, leaving the ticket registered
/// (a stream waits again after each heartbeat); the caller forgets it when the request ends.
final class ResultWaiters: Sendable {
    /// One registered waiter.
    struct Ticket: Sendable, Hashable {
        let jobID: String
        let number: UInt64
        /// Which limit it counts against.
        let kind: Kind
    }

    enum Kind: Sendable, Hashable {
        case predict
        case stream
    }

    /// A result as the follower read it.
    struct Delivery: Sendable {
        var result: JobResult
        /// The record's timestamp on the results topic (when the worker produced it), for the result-to-push latency.
        var producedAt: Date?
    }

    private enum Slot {
        case registered
        case waiting(CheckedContinuation<Delivery?, Never>)
        case delivered(Delivery)
    }

    private struct State {
        var slots: [String: [Ticket: Slot]] = [:]
        var nextNumber: UInt64 = 0
        var counts: [Kind: Int] = [:]
        var closed: Set<Kind> = []
        var following = false
    }

    private let state = Mutex(State())

    init() {}

    /// Registers a waiter for `jobID`, or returns `nil` when `limit` waiters of `kind` are already registered.
    func register(_ jobID: String, kind: Kind, limit: Int) -> Ticket? {
        self.state.withLock { state in
            guard state.counts[kind, default: 0] < limit, !state.closed.contains(kind) else { return nil }
            state.counts[kind, default: 0] += 1
            state.nextNumber += 1
            let ticket = Ticket(jobID: jobID, number: state.nextNumber, kind: kind)
            state.slots[jobID, default: [:]][ticket] = .registered
            return ticket
        }
    }

    /// Removes the ticket; a `next(_:)` still waiting on it returns `nil`.
    func forget(_ ticket: Ticket) {
        let continuation: CheckedContinuation<Delivery?, Never>? = self.state.withLock { state in
            guard let slot = state.slots[ticket.jobID]?.removeValue(forKey: ticket) else { return nil }
            state.counts[ticket.kind, default: 1] -= 1
            if state.slots[ticket.jobID]?.isEmpty == true { state.slots[ticket.jobID] = nil }
            if case .waiting(let continuation) = slot { return continuation }
            return nil
        }
        continuation?.resume(returning: nil)
    }

    /// Whether the follower is positioned on the results topic: until it is, a result could pass unseen, so
    /// nothing registers (the routes answer `503`).
    var isFollowing: Bool {
        get { self.state.withLock { $0.following } }
    }

    func setFollowing(_ following: Bool) {
        self.state.withLock { $0.following = following }
    }

    /// Forgets every waiter of `kind` and registers no more: graceful shutdown ends the event streams at once (their
    /// clients reconnect elsewhere with `Last-Event-ID`) and the predict calls still waiting after the grace period.
    func close(_ kind: Kind) {
        let continuations: [CheckedContinuation<Delivery?, Never>] = self.state.withLock { state in
            state.closed.insert(kind)
            var continuations: [CheckedContinuation<Delivery?, Never>] = []
            for (jobID, slots) in state.slots {
                var kept = slots
                for (waiter, slot) in slots where waiter.kind == kind {
                    kept.removeValue(forKey: waiter)
                    state.counts[kind, default: 1] -= 1
                    if case .waiting(let continuation) = slot { continuations.append(continuation) }
                }
                state.slots[jobID] = kept.isEmpty ? nil : kept
            }
            return continuations
        }
        for continuation in continuations { continuation.resume(returning: nil) }
    }

    /// Whether ``close(_:)`` closed `kind`.
    func isClosed(_ kind: Kind) -> Bool {
        self.state.withLock { $0.closed.contains(kind) }
    }

    /// Whether anyone waits for `jobID`: the follower's check before it decodes a record.
    func isAwaited(_ jobID: String) -> Bool {
        self.state.withLock { $0.slots[jobID] != nil }
    }

    /// Whether the ticket is still registered (not forgotten, e.g. because its client disconnected).
    func isRegistered(_ ticket: Ticket) -> Bool {
        self.state.withLock { $0.slots[ticket.jobID]?[ticket] != nil }
    }

    /// Whether a ``next(_:)`` for `jobID` is waiting now (for tests, which must not deliver before it parks).
    func isParked(_ jobID: String) -> Bool {
        self.state.withLock { state in
            state.slots[jobID]?.values.contains { if case .waiting = $0 { true } else { false } } ?? false
        }
    }

    /// How many waiters of `kind` are registered.
    func count(_ kind: Kind) -> Int {
        self.state.withLock { $0.counts[kind, default: 0] }
    }

    /// Hands `delivery` to every waiter of its job; returns how many there were.
    @discardableResult
    func deliver(_ delivery: Delivery) -> Int {
        let (continuations, count) = self.state.withLock { state -> ([CheckedContinuation<Delivery?, Never>], Int) in
            guard var slots = state.slots[delivery.result.jobID] else { return ([], 0) }
            var continuations: [CheckedContinuation<Delivery?, Never>] = []
            for (number, slot) in slots {
                if case .waiting(let continuation) = slot { continuations.append(continuation) }
                slots[number] = .delivered(delivery)
            }
            state.slots[delivery.result.jobID] = slots
            return (continuations, slots.count)
        }
        for continuation in continuations { continuation.resume(returning: delivery) }
        return count
    }

    /// The ticket's result: at once when it has arrived, else when it arrives. `nil` when the task is cancelled
    /// first (the ticket stays registered) or the ticket was forgotten.
    func next(_ ticket: Ticket) async -> Delivery? {
        await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Delivery?, Never>) in
                let immediate: Delivery?? = self.state.withLock { state in
                    guard let slot = state.slots[ticket.jobID]?[ticket] else { return .some(nil) }
                    switch slot {
                    case .delivered(let delivery):
                        return .some(delivery)
                    case .waiting:
                        return .some(nil)  // one waiter per ticket; a second `next` does not wait
                    case .registered:
                        // Checked under the lock: a cancellation handler that ran before this found no
                        // continuation to resume, so this must not park one.
                        if Task.isCancelled { return .some(nil) }
                        state.slots[ticket.jobID]?[ticket] = .waiting(continuation)
                        return .none
                    }
                }
                if let immediate { continuation.resume(returning: immediate) }
            }
        } onCancel: {
            let continuation: CheckedContinuation<Delivery?, Never>? = self.state.withLock { state in
                guard case .waiting(let continuation) = state.slots[ticket.jobID]?[ticket] else { return nil }
                state.slots[ticket.jobID]?[ticket] = .registered
                return continuation
            }
            continuation?.resume(returning: nil)
        }
    }

    /// ``next(_:)``, giving up at `deadline` (`nil`). Ends on cancellation too.
    func next(_ ticket: Ticket, until deadline: ContinuousClock.Instant) async -> Delivery? {
        await withTaskGroup(of: Delivery?.self) { group in
            group.addTask { await self.next(ticket) }
            group.addTask {
                try? await Task.sleep(until: deadline, clock: .continuous)
                return nil
            }
            let first = await group.next() ?? nil
            group.cancelAll()
            return first
        }
    }
}
