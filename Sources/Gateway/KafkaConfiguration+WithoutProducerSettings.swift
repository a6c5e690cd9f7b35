import Kafka

extension KafkaConfiguration {
    /// The gateway's Kafka configuration without its producer's settings, for the admin clients and topic readers
    /// made from it: an admin handle with idempotence would set up an idempotent producer it never uses, and a reader
    /// has no use for acks, linger, compression or a produce timeout.
    func withoutProducerSettings() -> KafkaConfiguration {
        var configuration = self
        configuration.acks = nil
        configuration.idempotence = nil
        configuration.linger = nil
        configuration.compression = nil
        configuration.properties.removeValue(forKey: "message.timeout.ms")
        return configuration
    }
}
