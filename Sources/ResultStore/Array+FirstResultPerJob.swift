extension Array where Element == StoredResult {
    /// The batch reduced to one result per job, the one with the lowest offset, sorted by job ID.
    ///
    /// Doing this before the insert makes "first result wins" hold inside a batch without relying on the order in
    /// which a database applies the rows of one statement. The sort gives concurrent writers of overlapping batches
    /// (two sink instances during a rebalance) the same lock order, so they cannot deadlock on each other's keys.
    func firstResultPerJob() -> [StoredResult] {
        var firstByJob: [String: StoredResult] = [:]
        firstByJob.reserveCapacity(self.count)
        for candidate in self {
            if let kept = firstByJob[candidate.jobID], kept.offset <= candidate.offset { continue }
            firstByJob[candidate.jobID] = candidate
        }
        return firstByJob.values.sorted { $0.jobID < $1.jobID }
    }
}
