/// Whether a failed attempt at a job is worth repeating.
///
/// Models classify their own errors with it, and the worker uses it to choose between the retry topic and a final
/// `failed` result (or a dead letter).
public enum FailureClass: String, Sendable, Hashable, CaseIterable {
    /// The failure depends on circumstances (a timeout, an overloaded dependency): trying again later may succeed.
    case retryable
    /// The failure is a property of the job itself: trying again gives the same answer.
    case fatal

    /// The class of a model server's answer with an HTTP status other than success: "later" (408, 429, 5xx) is
    /// retryable; any other refusal says the request itself is wrong.
    public init(modelServerStatus status: Int) {
        self = status == 408 || status == 429 || status >= 500 ? .retryable : .fatal
    }
}
