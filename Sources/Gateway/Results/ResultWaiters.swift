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
///
/// A stream's ticket is also woken by ``nudge(_:)``, when the stream follower read new chunks of its job: a route
/// relaying tokens waits with ``nextWake(_:until:)`` for whichever comes first, tokens or the result.
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

    /// Why ``nextWake(_:until:)`` returned.
    enum Wake: Sendable {
        /// The result (taken: the next wait waits for more).
        case result(Delivery)
        /// New chunks of the job's stream were read (``nudge(_:)``).
        case progress
        /// The deadline passed, the task was cancelled, or the ticket was forgotten.
        case ended
    }

    private enum Slot {
        case registered
        /// Registered, with a nudge not yet taken.
        case nudged
        case waiting(CheckedContinuation<Wake, Never>)
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
        let continuation: CheckedContinuation<Wake, Never>? = self.state.withLock { state in
            guard let slot = state.slots[ticket.jobID]?.removeValue(forKey: ticket) else { return nil }
            state.counts[ticket.kind, default: 1] -= 1
            if state.slots[ticket.jobID]?.isEmpty == true { state.slots[ticket.jobID] = nil }
            if case .waiting(let continuation) = slot { return continuation }
            return nil
        }
        continuation?.resume(returning: .ended)
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
        let continuations: [CheckedContinuation<Wake, Never>] = self.state.withLock { state in
            state.closed.insert(kind)
            var continuations: [CheckedContinuation<Wake, Never>] = []
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
        for continuation in continuations { continuation.resume(returning: .ended) }
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

    /// Hands `delivery` to every waiter of its job; returns how many there were. A stream's ticket waiting in
    /// ``nextWake(_:until:)`` takes it at once; any other keeps it until asked.
    @discardableResult
    func deliver(_ delivery: Delivery) -> Int {
        let (continuations, count) = self.state.withLock { state -> ([CheckedContinuation<Wake, Never>], Int) in
            guard var slots = state.slots[delivery.result.jobID] else { return ([], 0) }
            var continuations: [CheckedContinuation<Wake, Never>] = []
            for (ticket, slot) in slots {
                if case .waiting(let continuation) = slot {
                    continuations.append(continuation)
                    slots[ticket] = ticket.kind == .stream ? .registered : .delivered(delivery)
                } else {
                    slots[ticket] = .delivered(delivery)
                }
            }
            state.slots[delivery.result.jobID] = slots
            return (continuations, slots.count)
        }
        for continuation in continuations { continuation.resume(returning: .result(delivery)) }
        return count
    }

    /// Wakes the streams waiting for `jobID` (new chunks were read); a stream not waiting now finds the nudge on its
    /// next wait. Predict calls are not woken.
    func nudge(_ jobID: String) {
        let continuations = self.state.withLock { state -> [CheckedContinuation<Wake, Never>] in
            guard var slots = state.slots[jobID] else { return [] }
            var continuations: [CheckedContinuation<Wake, Never>] = []
            for (ticket, slot) in slots where ticket.kind == .stream {
                switch slot {
                case .waiting(let continuation):
                    continuations.append(continuation)
                    slots[ticket] = .registered
                case .registered:
                    slots[ticket] = .nudged
                case .nudged, .delivered:
                    break
                }
            }
            state.slots[jobID] = slots
            return continuations
        }
        for continuation in continuations { continuation.resume(returning: .progress) }
    }

    /// The ticket's result: at once when it has arrived, else when it arrives. `nil` when the task is cancelled
    /// first (the ticket stays registered) or the ticket was forgotten.
    func next(_ ticket: Ticket) async -> Delivery? {
        let wake = await self.wait(ticket) { slot in
            switch slot {
            case .delivered(let delivery): return (.result(delivery), slot)
            case .waiting: return (Wake.ended, slot)  // one waiter per ticket; a second `next` does not wait
            case .registered, .nudged: return nil
            }
        }
        if case .result(let delivery) = wake { return delivery }
        return nil
    }

    /// The ticket's result (taken from it) or a nudge, whichever is first; `.ended` at `deadline`, on cancellation, or
    /// for a ticket forgotten.
    func nextWake(_ ticket: Ticket, until deadline: ContinuousClock.Instant) async -> Wake {
        let immediate: Wake? = self.state.withLock { state in
            switch state.slots[ticket.jobID]?[ticket] {
            case nil: return Wake.ended
            case .delivered(let delivery)?:
                state.slots[ticket.jobID]?[ticket] = .registered
                return .result(delivery)
            case .nudged?:
                state.slots[ticket.jobID]?[ticket] = .registered
                return .progress
            case .waiting?: return Wake.ended
            case .registered?: return nil
            }
        }
        if let immediate { return immediate }
        return await withTaskGroup(of: Wake.self) { group in
            group.addTask {
                await self.wait(ticket) { slot in
                    switch slot {
                    case .delivered(let delivery): return (.result(delivery), .registered)
                    case .nudged: return (.progress, .registered)
                    case .waiting: return (Wake.ended, slot)
                    case .registered: return nil
                    }
                }
            }
            group.addTask {
                try? await Task.sleep(until: deadline, clock: .continuous)
                return Wake.ended
            }
            let first = await group.next() ?? Wake.ended
            group.cancelAll()
            // The wait may have been answered just as the deadline passed: its answer is taken, so it must not be
            // dropped.
            let second = await group.next() ?? Wake.ended
            if case .ended = first { return second }
            return first
        }
    }

    /// Parks a continuation on the ticket unless `immediate` answers from its slot (returning the answer and the
    /// slot to leave); ends on cancellation, leaving the ticket registered.
    private func wait(_ ticket: Ticket, immediate: (Slot) -> (Wake, Slot)?) async -> Wake {
        await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Wake, Never>) in
                let answer: Wake? = self.state.withLock { state in
                    guard let slot = state.slots[ticket.jobID]?[ticket] else { return Wake.ended }
                    if let (wake, after) = immediate(slot) {
                        state.slots[ticket.jobID]?[ticket] = after
                        return wake
                    }
                    // Checked under the lock: a cancellation handler that ran before this found no continuation to
                    // resume, so this must not park one.
                    if Task.isCancelled { return Wake.ended }
                    state.slots[ticket.jobID]?[ticket] = .waiting(continuation)
                    return nil
                }
                if let answer { continuation.resume(returning: answer) }
            }
        } onCancel: {
            let continuation: CheckedContinuation<Wake, Never>? = self.state.withLock { state in
                guard case .waiting(let continuation) = state.slots[ticket.jobID]?[ticket] else { return nil }
                state.slots[ticket.jobID]?[ticket] = .registered
                return continuation
            }
            continuation?.resume(returning: .ended)
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
