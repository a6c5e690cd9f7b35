import InferenceJobs

/// A failure of one input in a batch, as reported by `InferenceModel.predictEach`, or of a whole call.
public struct ModelFailure: Error, Sendable, Hashable, CustomStringConvertible {
    /// Whether trying the input again may succeed.
    public var failureClass: FailureClass
    /// A human-readable explanation for the result's error message; must not contain the input.
    public var message: String

    public init(_ failureClass: FailureClass, _ message: String) {
        self.failureClass = failureClass
        self.message = message
    }

    public var description: String { "\(self.failureClass.rawValue): \(self.message)" }
}
