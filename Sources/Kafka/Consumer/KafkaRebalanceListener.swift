/// Hears about partitions moving to and from this consumer, before librdkafka carries the move out.
///
/// Both methods run while the consumer's poll thread waits for them (up to
/// ``KafkaConsumer/Options/rebalanceTimeout``). On revoke, store the offsets of finished work
/// with ``KafkaConsumer/storeOffsets(_:)``: the consumer commits synchronously right after
/// `partitionsRevoked` returns and before the partitions are released, so that commit counts.
///
/// - Important: Do not await ``KafkaConsumer/commit()`` here; the consumer commits for you.
public protocol KafkaRebalanceListener: Sendable {
    func partitionsAssigned(_ partitions: [KafkaTopicPartition]) async
    func partitionsRevoked(_ partitions: [KafkaTopicPartition]) async
}
