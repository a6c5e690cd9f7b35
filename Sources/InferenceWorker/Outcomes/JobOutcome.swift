import Foundation
import InferenceJobs
import InferenceModels

/// What happened to one job, and so which messages the worker publishes for it.
enum JobOutcome: Sendable {
    /// The model answered: a `completed` result.
    case completed(ModelOutput, startedAt: Date)
    /// The deadline passed before the model ran: an `expired` result.
    case expired
    /// The model failed: a retry, or (fatal, or out of attempts) a dead letter and a `failed` result.
    case failed(ModelFailure, startedAt: Date)
}
