/// Hears about partitions moving to and from this consumer, before librdkafka carries the move out.
///
/// Both methods run on the consumer's poll thread, inside librdkafka's rebalance callback, as Java's
/// `ConsumerRebalanceListener` runs inside `poll`: the move waits for them to return, and no message is
/// delivered meanwhile. They are synchronous so that no task has to be started to run them; a listener that
/// must wait (the worker waits for its running jobs) blocks this thread, and bounds its own wait, because the
/// whole group waits for a revoke.
///
/// On revoke, store the offsets of finished work with ``KafkaConsumer/storeOffsets(_:)``: the consumer commits
/// synchronously right after `partitionsRevoked` returns and before the partitions are released, so that commit
/// counts.
///
/// - Important: Do not call ``KafkaConsumer/commit()`` or ``KafkaConsumer/close()`` here; the consumer commits
///   for you, and both wait for this thread.
public protocol KafkaRebalanceListener: Sendable {
    func partitionsAssigned(_ partitions: [KafkaTopicPartition])
    func partitionsRevoked(_ partitions: [KafkaTopicPartition])
}
