/// One reading of the jobs topic, as ``JobsTopicWatch`` takes it: each partition's watermarks, then the offsets the
/// workers' group and the pending-job recorder's group had committed on it.
struct JobsTopicReading: Sendable, Hashable {
    struct Partition: Sendable, Hashable {
        var low: Int64
        var high: Int64
        /// The workers' committed offset; `nil` when they have none or no workers' group is watched.
        var workersCommitted: Int64?
        /// The recorder's committed offset; `nil` when it has none or no recorder group is watched.
        var recorderCommitted: Int64?
    }

    /// The number of the reading: readings are numbered as they start, so a look-up can tell one that started after
    /// it missed from one already under way.
    var round: UInt64
    var partitions: [Int32: Partition]

    /// The jobs written but not yet committed by the workers: what back-pressure and the estimated wait count.
    var workersLag: Int {
        let total = partitions.values.reduce(Int64(0)) { total, partition in
            total + max(0, partition.high - (partition.workersCommitted ?? partition.low))
        }
        return Int(clamping: total)
    }
}
