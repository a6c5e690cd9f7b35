/// How the sink batches, retries and prunes. Kafka settings live in `KafkaConfiguration`.
public struct SinkConfiguration: Sendable {
    /// The results topic. Defaults to `inference-results`.
    public var resultsTopic = "inference-results"
    /// Where result messages the sink cannot store go (undecodable, or refused by the database), with the reason in
    /// headers. Defaults to `inference-results.dlq` (`JobTopics.resultsDeadLetter`).
    public var deadLetterTopic = "inference-results.dlq"
    /// The most results written in one transaction. Defaults to `1_000`.
    public var maxBatchSize = 1_000
    /// First pause after a retryable write failure; doubles per failure, each pause between half and all of it
    /// (jitter). Defaults to `100` milliseconds.
    public var retryBaseDelay: Duration = .milliseconds(100)
    /// Longest full pause between write attempts while the database is down. Defaults to `5` seconds.
    public var retryMaxDelay: Duration = .seconds(5)
    /// Results completed longer ago than this are deleted; `nil` keeps them forever. Defaults to `7` days.
    public var retention: Duration? = .seconds(7 * 24 * 3600)
    /// How often expired results are deleted. Defaults to `60` seconds.
    public var retentionInterval: Duration = .seconds(60)

    public init() {}
}
