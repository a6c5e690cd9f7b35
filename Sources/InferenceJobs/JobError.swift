/// Why a job did not complete, as recorded in its result.
public struct JobError: Sendable, Hashable {
    /// The kind of failure; encoded as `class`.
    public var errorClass: JobErrorClass
    /// A human-readable explanation; encoded as `message`. Never contains the job's inputs.
    public var message: String

    public init(errorClass: JobErrorClass, message: String) {
        self.errorClass = errorClass
        self.message = message
    }
}
