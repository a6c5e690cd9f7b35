import InferenceJobs

/// A job's result together with where it was read from in the results topic.
///
/// The Kafka coordinates are stored next to the result so that an operator can trace any row back to the message
/// that produced it, and so that a replayed batch can be told apart from a fresh one when investigating duplicates.
public struct StoredResult: Sendable, Equatable {
    /// The result as the worker published it.
    public var result: JobResult
    /// The partition of the results topic the result was read from.
    public var partition: Int32
    /// The result's offset within `partition`.
    public var offset: Int64

    /// The job's ID; the store's primary key.
    public var jobID: String { self.result.jobID }

    public init(result: JobResult, partition: Int32, offset: Int64) {
        self.result = result
        self.partition = partition
        self.offset = offset
    }
}
