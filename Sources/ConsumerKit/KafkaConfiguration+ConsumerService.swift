import Kafka

extension KafkaConfiguration {
    /// This configuration for a consumer-group service that commits only what it has finished: librdkafka's
    /// auto-commit is off (the service commits), and a group with no committed offset starts from the earliest
    /// message (a new group must not skip jobs already waiting) unless `auto.offset.reset` is set.
    public func forConsumerService() -> KafkaConfiguration {
        var configuration = self
        configuration.properties["enable.auto.commit"] = "false"
        if configuration.autoOffsetReset == nil, configuration.properties["auto.offset.reset"] == nil {
            configuration.autoOffsetReset = .earliest
        }
        return configuration
    }
}
