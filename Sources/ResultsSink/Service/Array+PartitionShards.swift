extension Array where Element == StoredResult {
    /// The batch split by partition into at most `count` shards (partition modulo `count`), each in batch order;
    /// empty shards are left out.
    ///
    /// The sink writes the shards of one batch at once on separate connections. Every result for a job is in the
    /// job's partition (messages are keyed by job ID), so the repeats of a job always land in the same shard, and
    /// "the first result wins" is decided inside one transaction as before.
    func partitionShards(_ count: Int) -> [[StoredResult]] {
        guard count > 1 else { return self.isEmpty ? [] : [self] }
        var shards = [[StoredResult]](repeating: [], count: count)
        for result in self {
            shards[Int(result.partition.magnitude) % count].append(result)
        }
        return shards.filter { !$0.isEmpty }
    }
}
