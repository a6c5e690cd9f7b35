import Foundation

/// A job seen on the jobs topic, to be recorded as pending until its result lands.
public struct PendingJob: Sendable, Hashable {
    /// The job's ID: the message key, which the contract makes the job ID.
    public var jobID: String
    /// When the job was produced (the message's timestamp): retention counts from it.
    public var acceptedAt: Date

    public init(jobID: String, acceptedAt: Date) {
        self.jobID = jobID
        self.acceptedAt = acceptedAt
    }
}
