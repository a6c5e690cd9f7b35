import Kafka

/// Which offsets may be committed, given jobs that finish out of order.
///
/// Per partition it records the offsets taken and which of them are finished (their result, retry
/// or dead letter acknowledged by the broker). The committable offset is one past the highest
/// offset below which everything is finished, so a crash never skips an unfinished job.
/// A pure value: no I/O, no clocks, unit-tested on its own.
public struct CommitTracker: Sendable {
    private struct Ledger: Sendable {
        /// Taken offsets, ascending, from `head` on; `pending[i]` counts unfinished deliveries of `offsets[i]`.
        var offsets: [Int64] = []
        var pending: [Int] = []
        var head = 0
        /// One past the last offset of the finished prefix; what a commit may store.
        var committable: Int64?
        /// The committable offset last handed out by `takeCommittable`.
        var handedOut: Int64?

        mutating func advance() {
            while head < offsets.count && pending[head] == 0 {
                committable = offsets[head] + 1
                head += 1
            }
            if head == offsets.count {
                offsets.removeAll(keepingCapacity: true)
                pending.removeAll(keepingCapacity: true)
                head = 0
            } else if head > 1024 && head * 2 > offsets.count {
                offsets.removeFirst(head)
                pending.removeFirst(head)
                head = 0
            }
        }

        /// Index of `offset` among the live entries, or where it would go.
        func index(of offset: Int64) -> (index: Int, found: Bool) {
            var low = head
            var high = offsets.count
            while low < high {
                let middle = (low + high) / 2
                if offsets[middle] < offset { low = middle + 1 } else { high = middle }
            }
            return (low, low < offsets.count && offsets[low] == offset)
        }
    }

    private var ledgers: [KafkaTopicPartition: Ledger] = [:]
    /// Taken and not yet finished, over all partitions.
    public private(set) var inFlight = 0

    public init() {}

    /// Records that the job at `offset` was taken. Offsets normally arrive ascending per partition;
    /// a redelivered offset is tracked again and must finish again.
    public mutating func taken(_ partition: KafkaTopicPartition, offset: Int64) {
        inFlight += 1
        // Mutated in place through the dictionary's values: a copy would copy the arrays on every call.
        if ledgers[partition] == nil { ledgers[partition] = Ledger() }
        let index = ledgers.index(forKey: partition)!
        if let last = ledgers.values[index].offsets.last, ledgers.values[index].head < ledgers.values[index].offsets.count, last >= offset {
            let (position, found) = ledgers.values[index].index(of: offset)
            if found {
                ledgers.values[index].pending[position] += 1
            } else {
                ledgers.values[index].offsets.insert(offset, at: position)
                ledgers.values[index].pending.insert(1, at: position)
            }
        } else {
            ledgers.values[index].offsets.append(offset)
            ledgers.values[index].pending.append(1)
        }
    }

    /// Records that the job at `offset` is finished. Returns `false` for an offset not in flight
    /// (its partition was revoked and forgotten meanwhile).
    @discardableResult
    public mutating func finished(_ partition: KafkaTopicPartition, offset: Int64) -> Bool {
        guard let index = ledgers.index(forKey: partition) else { return false }
        let (position, found) = ledgers.values[index].index(of: offset)
        guard found, ledgers.values[index].pending[position] > 0 else { return false }
        ledgers.values[index].pending[position] -= 1
        inFlight -= 1
        if position == ledgers.values[index].head { ledgers.values[index].advance() }
        return true
    }

    /// The next offset to commit for each partition whose committable offset moved since the last call.
    public mutating func takeCommittable() -> [KafkaTopicPartition: Int64] {
        var result: [KafkaTopicPartition: Int64] = [:]
        for (partition, ledger) in ledgers {
            guard let committable = ledger.committable, committable != ledger.handedOut else { continue }
            result[partition] = committable
            ledgers[partition]!.handedOut = committable
        }
        return result
    }

    /// The committable offsets of `partitions`, whether or not they moved.
    public func committable(in partitions: Set<KafkaTopicPartition>) -> [KafkaTopicPartition: Int64] {
        var result: [KafkaTopicPartition: Int64] = [:]
        for partition in partitions {
            if let committable = ledgers[partition]?.committable { result[partition] = committable }
        }
        return result
    }

    /// Unfinished jobs of `partitions`.
    public func inFlight(in partitions: Set<KafkaTopicPartition>) -> Int {
        partitions.reduce(0) { total, partition in
            guard let ledger = ledgers[partition] else { return total }
            return total + ledger.pending[ledger.head...].reduce(0, +)
        }
    }

    /// Drops everything known about `partitions` (revoked): later finishes for them are ignored.
    public mutating func forget(_ partitions: Set<KafkaTopicPartition>) {
        for partition in partitions {
            inFlight -= inFlight(in: [partition])
            ledgers[partition] = nil
        }
    }
}
