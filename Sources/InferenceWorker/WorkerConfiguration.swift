import InferenceJobs

/// How a worker batches, bounds and retries its work. Kafka settings live in `KafkaConfiguration`.
public struct WorkerConfiguration: Sendable {
    /// Topic names. Defaults to ``JobTopics``' defaults.
    public var topics = JobTopics()
    /// The most jobs one `predict` call receives. Defaults to `64`.
    public var maxBatchSize = 64
    /// How long a partial batch waits for more jobs of its model. Defaults to `5` milliseconds.
    public var maxBatchDelay: Duration = .milliseconds(5)
    /// How many batches may run at once, per model. Defaults to `4`.
    public var maxConcurrentBatches = 4
    /// How many jobs a generative model may run at once. Its jobs are not batched by the worker: a generation takes
    /// seconds, and one long generation must not hold a batch's place while others wait (model servers batch
    /// concurrent requests themselves). Defaults to `256`, vLLM's default number of concurrent sequences.
    public var maxConcurrentGenerations = 256
    /// The most jobs taken from Kafka and not yet finished; above it fetching pauses. Defaults to `2_000`.
    public var maxInFlight = 2_000
    /// Attempts before a retryable failure becomes a dead letter. Defaults to `3`.
    public var maxAttempts = 3
    /// First retry delay; each later attempt doubles it, with jitter. Defaults to `200` milliseconds.
    public var retryBaseDelay: Duration = .milliseconds(200)
    /// The longest retry delay. Defaults to `30` seconds.
    public var retryMaxDelay: Duration = .seconds(30)
    /// How often finished offsets are committed. Defaults to `200` milliseconds.
    public var commitInterval: Duration = .milliseconds(200)
    /// How long shutdown waits for in-flight jobs before leaving the group. Defaults to `20` seconds.
    public var gracePeriod: Duration = .seconds(20)
    /// How long a revoke waits for in-flight jobs of the revoked partitions before letting them go
    /// (unfinished ones are redone by the next owner). Defaults to `10` seconds.
    public var rebalanceDrainTimeout: Duration = .seconds(10)
    /// How long a streaming job's tokens may wait to share a stream record; a token that comes later than this after
    /// the last record is published at once. Defaults to `10` milliseconds.
    public var streamLinger: Duration = .milliseconds(10)
    /// The largest job message accepted; larger ones are dead-lettered. Defaults to `1` MiB.
    public var maxMessageBytes = 1 << 20
    /// The name written into each result's `worker` field. Defaults to the host name and process ID.
    public var workerName: String

    public init(workerName: String) {
        self.workerName = workerName
    }
}
