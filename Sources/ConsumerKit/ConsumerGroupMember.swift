import Kafka

/// What the operations side reads from a consumer group member (a worker, the sink, the notifier): its group and
/// what the group has given it. Each service conforms where it is defined. The lag reporter reports the lag of ``assignment``; readiness asks whether it has joined.
public protocol ConsumerGroupMember: Sendable {
    /// The consumer group, such as `kinfer-workers`.
    var groupID: String { get }
    /// The partitions this member owns now.
    var assignment: Set<KafkaTopicPartition> { get }
    /// Whether an assignment, possibly empty, is in force (see `KafkaConsumer.hasJoinedGroup`).
    var hasJoinedGroup: Bool { get }
}
