import Foundation

/// What the store knows of a job: its terminal result, or that a gateway accepted it and no result has come yet.
///
/// A result always wins: a job with both a result row and a pending row reads as its result.
public enum JobRecord: Sendable, Equatable {
    case finished(StoredResult)
    case pending(acceptedAt: Date)
}
