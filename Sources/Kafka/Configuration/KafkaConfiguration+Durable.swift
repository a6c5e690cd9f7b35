extension KafkaConfiguration {
    /// This configuration with `acks=all` and idempotence wherever it leaves them unset: the one place that makes a
    /// producer of kinfer's results, retries, jobs and dead letters durable.
    ///
    /// With `acks=all` a message counts as delivered only once every in-sync replica has it, so losing a broker
    /// loses no acknowledged message; idempotence keeps the producer's own retries from duplicating or reordering
    /// one. A dead letter or a result lost after its offset was committed is lost for good, hence the default.
    /// Typed values already set, and raw `properties` (applied last), win.
    public func withDurableProducerDefaults() -> KafkaConfiguration {
        var configuration = self
        configuration.acks = acks ?? .all
        configuration.idempotence = idempotence ?? true
        return configuration
    }
}
