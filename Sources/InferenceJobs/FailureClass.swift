/// Whether a failed attempt at a job is worth repeating.
///
/// Models classify their own errors with it, and the worker uses it to choose between the retry topic and a final
/// `failed` result (or a dead letter).
public enum FailureClass: String, Sendable, Hashable, CaseIterable {
    /// The failure depends on circumstances (a timeout, an overloaded dependency): trying again later may succeed.
    case retryable
    /// The failure is a property of the job itself: trying again gives the same answer.
    case fatal
}
