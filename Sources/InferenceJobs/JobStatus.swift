/// How a job ended; every result carries exactly one.
public enum JobStatus: String, Sendable, Hashable, CaseIterable {
    /// The model produced an output.
    case completed
    /// The job was given up: a fatal error, a poison message, or retries exhausted. `JobResult.error` says which.
    case failed
    /// The job's deadline or timeout passed before the model ran.
    case expired
}
