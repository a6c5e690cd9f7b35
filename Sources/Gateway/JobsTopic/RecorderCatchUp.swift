/// Whether the pending-job recorder has recorded every job the broker acknowledged before a look-up found nothing:
/// a pure decision over ``JobsTopicReading``s, tested without a broker.
///
/// The target is each partition's high watermark in the first reading *started* after the miss: every job
/// acknowledged before the miss lies below it. The recorder commits an offset only after the transaction holding the
/// rows below it, so once its committed offset reaches the target on every partition, the store has a row for each of
/// those jobs (or their result), and a second look-up that still finds nothing is a true `404`.
struct RecorderCatchUp: Sendable {
    private let lastRoundBeforeMiss: UInt64
    private var target: [Int32: Int64]?

    /// - Parameter lastRoundStarted: The number of the last reading started when the look-up missed (`0`: none).
    init(lastRoundStarted: UInt64) {
        self.lastRoundBeforeMiss = lastRoundStarted
    }

    /// Takes a reading; `true` once the recorder has caught up with the target.
    mutating func observe(_ reading: JobsTopicReading) -> Bool {
        // A reading under way when the look-up missed may have read a watermark below a job acknowledged just before.
        guard reading.round > lastRoundBeforeMiss else { return false }
        if target == nil {
            // A partition with nothing retained holds no job to wait for.
            target = reading.partitions.compactMapValues { $0.high > $0.low ? $0.high : nil }
        }
        return target!.allSatisfy { id, high in
            guard let committed = reading.partitions[id]?.recorderCommitted else { return false }
            return committed >= high
        }
    }
}
