import Foundation

/// One `Idempotency-Key` as the gateway keeps it in the shared store, so that every gateway instance, and a gateway
/// restarted after a crash, answers a retry the same way.
public struct IdempotencyRecord: Sendable, Hashable {
    /// Where the submission the key stands for has got to.
    public enum State: String, Sendable, Hashable {
        /// A gateway is producing the job (or was, when it crashed or gave up: see `updatedAt`).
        case inProgress = "in_progress"
        /// The broker acknowledged the job; a retry is answered with the same job ID.
        case accepted
    }

    /// The key, namespaced by where it came from (see the gateway's `IdempotencyKey`).
    public var key: String
    /// The SHA-256 of the request body, lowercase hex: a retry must send the same body.
    public var fingerprint: String
    /// The job the key stands for; a retry never makes another.
    public var jobID: String
    public var state: State
    /// When the key was first claimed; the record is kept at least the retention from then.
    public var createdAt: Date
    /// When a gateway last claimed or finished the record. An in-progress record not touched for longer than the
    /// produce timeout is stale: its gateway crashed or gave up, and a retry takes it over.
    public var updatedAt: Date

    public init(key: String, fingerprint: String, jobID: String, state: State, createdAt: Date, updatedAt: Date) {
        self.key = key
        self.fingerprint = fingerprint
        self.jobID = jobID
        self.state = state
        self.createdAt = createdAt
        self.updatedAt = updatedAt
    }
}
