import ConsumerKit
import Foundation
import InferenceJobs
import Kafka
import Logging
import Metrics
import ResultStore
import ServiceLifecycle

/// Records every job on the jobs topic as pending in the results database, whoever produced it, so that
/// `GET /v1/jobs/{id}` on any gateway instance answers `pending` (not `404`) for a job a Python service produced
/// straight onto Kafka, until its result lands.
///
/// A consumer group of its own (`kinfer-sink-pending` by convention) beside the workers': it reads only each
/// message's key, which the contract makes the job ID, and decodes nothing. Per batch: one transaction of pending
/// rows (skipping jobs that already have a result or a row), then the batch's offsets are stored and committed, so
/// a crash repeats a batch (absorbed by the primary key) and never skips one. Messages without a key cannot be
/// looked up by job ID and are passed over.
///
/// - Important: The store is a `Service` too: run it before the recorder, in the same `ServiceGroup`.
public final class PendingJobRecorder: Service, Sendable {
    private let consumer: KafkaConsumer
    private let store: any JobAdmissionStore
    private let jobsTopic: String
    private let maxBatchSize: Int
    private let backoff: RetryBackoff
    private let recorded: Counter
    private let commitFailures: Counter
    private let logger: Logger

    /// - Parameters:
    ///   - consumerConfiguration: brokers and group (`kinfer-sink-pending` by convention); the recorder commits itself.
    ///   - jobsTopic: The jobs topic. Defaults to `inference-jobs`.
    ///   - maxBatchSize: Messages per transaction. Defaults to `1000`.
    public init(
        consumerConfiguration: KafkaConfiguration,
        store: any JobAdmissionStore,
        jobsTopic: String = JobTopics().jobs,
        maxBatchSize: Int = 1000,
        metricsFactory: any MetricsFactory = MetricsSystem.factory,
        logger: Logger = Logger(label: "kinfer.sink.pending")
    ) throws(KafkaError) {
        self.consumer = try KafkaConsumer(configuration: consumerConfiguration.forConsumerService(), logger: logger)
        self.store = store
        self.jobsTopic = jobsTopic
        self.maxBatchSize = maxBatchSize
        self.backoff = RetryBackoff(base: .milliseconds(200), maximum: .seconds(10))
        self.recorded = Counter(label: "kinfer_pending_jobs_recorded_total", factory: metricsFactory)
        self.commitFailures = Counter(label: "kinfer_commit_failures_total", factory: metricsFactory)
        self.logger = logger
    }

    /// Whether the group has given the recorder an assignment that is in force, even an empty one.
    public var hasJoinedGroup: Bool { consumer.hasJoinedGroup }

    public func run() async throws {
        try await store.migrate()
        try consumer.subscribe(topics: [jobsTopic])
        logger.info("pending-job recorder started", metadata: ["topic": "\(jobsTopic)"])
        await self.recordLoop()
        // After the last batch's offsets are committed: a commit sent while the consumer closes would fail.
        await consumer.close()
        logger.info("pending-job recorder stopped")
    }

    private func recordLoop() async {
        let committer = RequestedCommits(consumer: consumer, failures: commitFailures, logger: logger)
        await withDiscardingTaskGroup { group in
            group.addTask { await committer.run() }
            do {
                // On graceful shutdown (or cancellation) no new batch is taken; the one being recorded finishes and
                // is committed first.
                for try await batch in consumer.batches(maxCount: maxBatchSize).cancelOnGracefulShutdown() {
                    guard await self.record(batch) else { break }
                    try consumer.storeOffsets(Self.nextOffsets(of: batch))
                    committer.request()
                }
            } catch {
                logger.error("pending-job recorder's consumer failed: \(error)")
            }
            committer.finish()
        }
    }

    /// Writes the batch's pending rows, retrying with backoff until the store takes them; `false` when cancelled
    /// first (the batch is then not committed, and read again by the partition's next owner).
    private func record(_ batch: [KafkaConsumerMessage]) async -> Bool {
        let jobs = batch.compactMap(Self.pendingJob(of:))
        var attempt = 1
        while true {
            do {
                recorded.increment(by: try await store.recordPending(jobs))
                return true
            } catch {
                let delay = backoff.delay(afterAttempt: attempt)
                logger.warning("recording pending jobs failed; retrying", metadata: ["error": "\(error)", "retry_in": "\(delay)"])
                guard (try? await Task.sleep(for: delay)) != nil else { return false }
                attempt += 1
            }
        }
    }

    /// The pending row a job message stands for: its key as the job ID, its timestamp as when it was accepted.
    static func pendingJob(of message: KafkaConsumerMessage) -> PendingJob? {
        guard let key = message.key, !key.isEmpty else { return nil }
        let acceptedAt = message.timestampMilliseconds.map { Date(timeIntervalSince1970: Double($0) / 1000) } ?? Date()
        return PendingJob(jobID: String(decoding: key, as: UTF8.self), acceptedAt: acceptedAt)
    }

    private static func nextOffsets(of batch: [KafkaConsumerMessage]) -> [KafkaTopicPartition: Int64] {
        batch.reduce(into: [:]) { offsets, message in
            offsets[message.topicPartition] = max(offsets[message.topicPartition] ?? 0, message.offset + 1)
        }
    }
}
