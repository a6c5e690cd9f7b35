/// How the sink batches, retries and prunes. Kafka settings live in `KafkaConfiguration`.
public struct SinkConfiguration: Sendable {
    /// The results topic. Defaults to `inference-results`.
    public var resultsTopic = "inference-results"
    /// Where undecodable result messages go, with the reason in headers. Defaults to `inference-results.dlq`.
    public var deadLetterTopic = "inference-results.dlq"
    /// The most results read from Kafka and written as one batch. Defaults to `1_000`.
    public var maxBatchSize = 1_000
    /// How many transactions, on as many database connections, write one batch at once: the batch is split by
    /// partition (partition modulo this number), and the next batch starts only when all of them have committed.
    /// `2` lets PostgreSQL insert one half while the sink prepares and sends the other, but gained only ~1.06 times
    /// the rows per second (medians of 8 interleaved runs on 2 shared cores, within their noise; docs/benchmarks.md),
    /// and 2 of ~8 runs of the PostgreSQL-outage test then hung: a write neither finished nor failed once the server
    /// stopped, and the sink could not stop. Not yet diagnosed, so the default stays at one. Defaults to `1`.
    public var writeConnections = 1
    /// First pause after a failed write; doubles per failure. Defaults to `100` milliseconds.
    public var retryBaseDelay: Duration = .milliseconds(100)
    /// Longest pause between write attempts while the database is down. Defaults to `5` seconds.
    public var retryMaxDelay: Duration = .seconds(5)
    /// Results completed longer ago than this are deleted; `nil` keeps them forever. Defaults to `7` days.
    public var retention: Duration? = .seconds(7 * 24 * 3600)
    /// How often expired results are deleted. Defaults to `60` seconds.
    public var retentionInterval: Duration = .seconds(60)

    public init() {}
}
