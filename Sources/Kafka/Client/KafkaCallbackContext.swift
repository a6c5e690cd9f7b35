import Logging

/// What a handle's C callbacks need from Swift, fixed before the handle exists.
///
/// The handle keeps this object alive for its whole life, so the callbacks can reach it through an
/// unretained pointer. Every member is immutable and `Sendable`: callbacks may run on librdkafka's threads.
final class KafkaCallbackContext: Sendable {
    let logger: Logger
    let statistics: (@Sendable (KafkaStatistics) -> Void)?
    let rebalance: (@Sendable (RebalanceRequest) -> Void)?
    /// A producer's delivery callbacks, which its messages' opaques name; `nil` for handles that produce nothing.
    let deliveries: DeliverySlots?

    init(
        logger: Logger,
        statistics: (@Sendable (KafkaStatistics) -> Void)? = nil,
        rebalance: (@Sendable (RebalanceRequest) -> Void)? = nil,
        deliveries: DeliverySlots? = nil
    ) {
        self.logger = logger
        self.statistics = statistics
        self.rebalance = rebalance
        self.deliveries = deliveries
    }
}

/// A rebalance librdkafka asks the application to carry out, on the consumer's poll thread.
struct RebalanceRequest: @unchecked Sendable {
    enum Kind { case assign, revoke }
    let kind: Kind
    /// librdkafka's list, valid only during the callback.
    let partitions: OpaquePointer
    let handle: OpaquePointer
}
