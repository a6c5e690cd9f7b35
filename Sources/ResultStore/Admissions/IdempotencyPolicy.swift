import Foundation

/// Decides what a claim on an idempotency key does, from the record already stored (if any): a pure value, so that
/// both stores apply the same rules and the rules are tested without a database.
///
/// The store reads the record and applies the returned ``Write`` in one transaction, with the row locked, so that two
/// gateways claiming the same key at once are served one after the other.
public struct IdempotencyPolicy: Sendable, Hashable {
    /// What the store is to write besides answering.
    public enum Write: Sendable, Hashable {
        /// Nothing: the stored record stands.
        case none
        /// Store a new in-progress record for the candidate job ID (replacing an expired one, if any).
        case insert(IdempotencyRecord)
        /// Take a stale in-progress record over: set its `updatedAt` to now, keep its job ID.
        case touch(key: String, updatedAt: Date)
    }

    /// How long an in-progress record holds off a retry (`409`) before it counts as abandoned; the gateway's produce
    /// timeout, after which the first attempt has either been acknowledged or given up.
    public var staleAfter: Duration
    /// How long a key is remembered from its first claim. Defaults to 24 hours, the least the IETF draft suggests.
    public var retention: Duration

    public init(staleAfter: Duration, retention: Duration = .seconds(24 * 3600)) {
        self.staleAfter = staleAfter
        self.retention = retention
    }

    /// The answer and the write for a claim on `key` with a body of `fingerprint`.
    ///
    /// - Parameters:
    ///   - existing: The stored record for `key`, or `nil`.
    ///   - candidateJobID: The job ID to use when the key is new.
    public func decide(
        key: String,
        fingerprint: String,
        candidateJobID: String,
        existing: IdempotencyRecord?,
        now: Date
    ) -> (claim: IdempotencyClaim, write: Write) {
        guard let existing, existing.createdAt > now.addingTimeInterval(-self.retention.timeInterval) else {
            let record = IdempotencyRecord(
                key: key, fingerprint: fingerprint, jobID: candidateJobID, state: .inProgress, createdAt: now, updatedAt: now
            )
            return (.produce(jobID: candidateJobID), .insert(record))
        }
        guard existing.fingerprint == fingerprint else { return (.differentBody(jobID: existing.jobID), .none) }
        switch existing.state {
        case .accepted:
            return (.replay(jobID: existing.jobID), .none)
        case .inProgress where existing.updatedAt > now.addingTimeInterval(-self.staleAfter.timeInterval):
            return (.inProgress(jobID: existing.jobID), .none)
        case .inProgress:
            return (.produce(jobID: existing.jobID), .touch(key: key, updatedAt: now))
        }
    }
}

extension Duration {
    /// This duration in seconds, fractions included.
    var timeInterval: TimeInterval {
        Double(self.components.seconds) + Double(self.components.attoseconds) / 1e18
    }
}
