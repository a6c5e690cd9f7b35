/// The kind of failure recorded in a result's error and in a dead letter's `kinfer-error-class` header.
///
/// A string-backed struct rather than an enum, so that a result written by a newer worker with a class this version
/// does not know still decodes (and is written back unchanged).
public struct JobErrorClass: RawRepresentable, Sendable, Hashable, CustomStringConvertible {
    /// The value on the wire, e.g. `retryable`.
    public var rawValue: String

    public init(rawValue: String) {
        self.rawValue = rawValue
    }

    /// The classification a model gave its own failure.
    public init(_ failureClass: FailureClass) {
        self.rawValue = failureClass.rawValue
    }

    /// A failure that might pass on another attempt; in a result this means the attempts ran out.
    public static let retryable = JobErrorClass(.retryable)
    /// A failure the model says will repeat on every attempt.
    public static let fatal = JobErrorClass(.fatal)
    /// The message could not be read as a job (see `JobDecodingError`) or its input does not fit the model.
    public static let poison = JobErrorClass(rawValue: "poison")
    /// The job's deadline passed before it could run.
    public static let expired = JobErrorClass(rawValue: "expired")

    public var description: String { self.rawValue }
}
