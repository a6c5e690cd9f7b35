import ConsumerKit
import Foundation
import InferenceJobs
import Kafka
import Logging
import Metrics
import ResultStore
import ServiceLifecycle
import Synchronization

/// Turns the at-least-once results stream into exactly one row per job.
///
/// For each batch the consumer delivers (up to `maxBatchSize`): decode; dead-letter what cannot be
/// decoded; write the rest in one transaction (first result per job wins); only after the database commit, store
/// the batch's offsets and have them committed to Kafka. Killed at any instant, it may write a batch again, which
/// the primary key absorbs, and never skips one.
///
/// While the database is down (a retryable failure), the sink retries the same batch with backoff and jitter and
/// commits nothing; it stops reading, so the consumer's buffer fills and fetching pauses; ``writeFailure`` says why
/// and ``isReady`` is `false`. A result the database refuses for good (a constraint it breaks) is dead-lettered with
/// the reason instead, and the rest of its batch is written (see ``BatchWrite``), so it never stalls a partition.
///
/// - Important: The store is a `Service` too: run it (before the sink, in the same `ServiceGroup`).
public final class ResultsSink: Service, ConsumerGroupMember, Sendable {
    public let counters = SinkCounters()
    /// The consumer group this sink is a member of.
    public let groupID: String
    private let metrics: SinkMetrics
    private let configuration: SinkConfiguration
    private let consumer: KafkaConsumer
    private let producer: KafkaProducer
    private let store: any ResultStore
    private let backoff: RetryBackoff
    private let failingWrite = Mutex<String?>(nil)
    private let logger: Logger

    /// - Parameters:
    ///   - consumerConfiguration: brokers and group (`kinfer-sink` by convention); the sink commits itself.
    ///   - producerConfiguration: brokers for the results dead-letter topic; `acks=all` and idempotence unless set
    ///     otherwise, as for the worker's results.
    ///   - metricsFactory: where the sink's metrics go (see the README's metrics table). Defaults to the
    ///     bootstrapped `MetricsSystem.factory`.
    public init(
        consumerConfiguration: KafkaConfiguration,
        producerConfiguration: KafkaConfiguration,
        store: any ResultStore,
        configuration: SinkConfiguration = SinkConfiguration(),
        metricsFactory: any MetricsFactory = MetricsSystem.factory,
        logger: Logger = Logger(label: "kinfer.sink")
    ) throws(KafkaError) {
        groupID = consumerConfiguration.groupID ?? ""
        let metrics = SinkMetrics(factory: metricsFactory)
        self.metrics = metrics
        var options = KafkaConsumer.Options()
        options.bufferCapacity = max(configuration.maxBatchSize * 4, 2_000)
        consumer = try KafkaConsumer(
            configuration: consumerConfiguration.forConsumerService(), options: options,
            rebalanceListener: SinkRebalanceListener(rebalances: metrics.consumer.rebalances), logger: logger
        )
        producer = try KafkaProducer(configuration: Self.makeProducerConfiguration(producerConfiguration), logger: logger)
        self.store = store
        self.configuration = configuration
        self.backoff = RetryBackoff(base: configuration.retryBaseDelay, maximum: configuration.retryMaxDelay)
        self.logger = logger
    }

    /// The configuration the dead-letter producer is made with.
    static func makeProducerConfiguration(_ configuration: KafkaConfiguration) -> KafkaConfiguration {
        configuration.withDurableProducerDefaults()
    }

    /// Why the latest write failed retryably, while the batch waits for its next attempt; `nil` once a write
    /// succeeds or the store answers otherwise. `kinfer sink` reports it in `/readyz`.
    public var writeFailure: String? {
        failingWrite.withLock { $0 }
    }

    /// Assigned partitions and writes that are not failing.
    public var isReady: Bool {
        writeFailure == nil && !consumer.assignment.isEmpty
    }

    /// Partitions this sink owns now.
    public var assignment: Set<KafkaTopicPartition> { consumer.assignment }
    /// Whether the group has given this sink an assignment that is in force, even an empty one.
    public var hasJoinedGroup: Bool { consumer.hasJoinedGroup }

    public func run() async throws {
        try await store.migrate()
        try consumer.subscribe(topics: [configuration.resultsTopic])
        logger.info("sink started", metadata: ["topic": "\(configuration.resultsTopic)"])
        await withDiscardingTaskGroup { group in
            if let retention = configuration.retention {
                group.addTask { await self.pruneLoop(olderThan: retention) }
            }
            group.addTask { await self.gaugeLoop() }
            await consumeLoop()
            group.cancelAll()
        }
        // After the last write's offsets are committed: a commit sent while the consumer closes would fail.
        await consumer.close()
        await producer.close(timeout: .seconds(10))
        logger.info("sink stopped", metadata: ["written": "\(counters.written)", "duplicates": "\(counters.duplicatesAbsorbed)"])
    }

    /// Reads and decodes the next batch while the one before is written: writes stay one at a time and in order,
    /// so offsets are stored in order, each only after its batch's database commit. On graceful shutdown (or
    /// cancellation) it takes no new batch, and returns once the batch being written is stored and committed.
    private func consumeLoop() async {
        let committer = RequestedCommits(consumer: consumer, failures: metrics.consumer.commitFailures, logger: logger)
        await withDiscardingTaskGroup { group in
            group.addTask { await committer.run() }
            await withTaskGroup(of: Void.self) { writes in
                do {
                    for try await batch in consumer.batches(maxCount: configuration.maxBatchSize).cancelOnGracefulShutdown() {
                        guard let decoded = await decode(batch) else { break }
                        await writes.next()
                        writes.addTask { await self.writeAndStore(decoded, committer: committer) }
                    }
                } catch {
                    logger.error("consumer failed: \(error)")
                }
                await writes.waitForAll()
            }
            committer.finish()
        }
    }

    /// A batch's results, the messages they were decoded from (to dead-letter one the store refuses), and the
    /// offsets to store once they are in the database.
    private struct DecodedBatch: Sendable {
        var results: [StoredResult]
        var messages: [KafkaConsumerMessage]
        var nextOffsets: [KafkaTopicPartition: Int64]
    }

    /// Decodes a batch and dead-letters what does not decode; `nil` when the sink stops before a dead letter is
    /// acknowledged (the batch is then neither written nor committed).
    private func decode(_ batch: [KafkaConsumerMessage]) async -> DecodedBatch? {
        var decoded = DecodedBatch(results: [], messages: [], nextOffsets: [:])
        decoded.results.reserveCapacity(batch.count)
        decoded.messages.reserveCapacity(batch.count)
        for message in batch {
            do {
                let result = try message.withUnsafeValue { value throws(JobDecodingError) in try JobCodec.decodeResult(value) }
                decoded.results.append(StoredResult(result: result, partition: message.partition, offset: message.offset))
                decoded.messages.append(message)
            } catch {
                guard await deadLetter(message, errorClass: .poison, reason: error.description) else { return nil }
                metrics.deadLetters(.undecodable).increment()
            }
            decoded.nextOffsets[message.topicPartition] = max(decoded.nextOffsets[message.topicPartition] ?? 0, message.offset + 1)
        }
        return decoded
    }

    /// Writes (retrying until every result is written or dead-lettered, or the sink stops), then stores the batch's
    /// offsets and asks for them to be committed.
    private func writeAndStore(_ batch: DecodedBatch, committer: RequestedCommits) async {
        guard await write(batch) else { return }
        do {
            try consumer.storeOffsets(batch.nextOffsets)
            committer.request()
        } catch {
            metrics.consumer.commitFailures.increment()
            logger.warning("storing offsets after the write failed; the batch may be written again: \(error)")
        }
    }

    /// Performs what ``BatchWrite`` decides until the batch is settled; `false` when the sink is stopping first.
    private func write(_ batch: DecodedBatch) async -> Bool {
        var plan = BatchWrite(count: batch.results.count, backoff: backoff)
        var action = plan.start()
        while true {
            switch action {
            case .storeOffsets:
                return true
            case .write(let range):
                action = await attempt(Array(batch.results[range]), plan: &plan)
            case .retry(let range, let delay):
                guard (try? await Task.sleep(for: delay)) != nil else { return false }
                action = await attempt(Array(batch.results[range]), plan: &plan)
            case .deadLetter(let index, let reason):
                guard await deadLetter(batch.messages[index], errorClass: .fatal, reason: reason) else { return false }
                counters.recordRefused()
                metrics.deadLetters(.refused).increment()
                action = plan.deadLettered()
            }
        }
    }

    /// One transaction, and what `plan` makes of its outcome.
    private func attempt(_ results: [StoredResult], plan: inout BatchWrite) async -> BatchWrite.Action {
        do {
            let clock = ContinuousClock()
            let started = clock.now
            let outcome = try await store.write(results)
            settleWriteFailure()  // ready again before the rows are counted
            metrics.recordWrite(outcome, duration: clock.now - started)
            counters.recordWrite(outcome)
            return plan.writeSucceeded()
        } catch {
            // A store throws only `ResultStoreError`; anything else is treated as the database being away.
            let storeError = error as? ResultStoreError
            let retryable = storeError?.isRetryable ?? true
            let reason = storeError?.message ?? "\(error)"
            let next = plan.writeFailed(retryable: retryable, reason: "the results database refused the result: \(reason)")
            if retryable {
                // Not ready before the failure is counted: whoever sees the count sees the sink not ready.
                failingWrite.withLock { $0 = reason }
                counters.recordFailedWrite()
                metrics.storeRetries.increment()
                if case .retry(_, let delay) = next {
                    logger.warning("write of \(results.count) results failed; retrying in \(delay): \(error)")
                }
            } else {
                settleWriteFailure()
                logger.warning("the database refused a write of \(results.count) results; narrowing it down to the refused ones: \(error)")
            }
            return next
        }
    }

    /// The store answered: writes are no longer failing.
    private func settleWriteFailure() {
        if failingWrite.withLock({ $0.take() }) != nil { logger.info("database writes succeed again") }
    }

    /// Sends `message` to the dead-letter topic with `errorClass` and `reason` in its headers: `poison` for what does
    /// not decode, `fatal` for a result the database refuses. `false` when the sink stops before the broker
    /// acknowledged it.
    ///
    /// A dead letter the broker refuses for its size (an undecodable message larger than the producer's
    /// `message.max.bytes`) is sent without its value, the reason in `kinfer-value-omitted`; refused again, it is given
    /// up with an error log: retrying it would stop the sink for good.
    private func deadLetter(_ message: KafkaConsumerMessage, errorClass: JobErrorClass, reason: String) async -> Bool {
        logger.warning("dead-lettering a result message", metadata: [
            "partition": "\(message.partition)", "offset": "\(message.offset)", "class": "\(errorClass)", "reason": "\(reason)",
        ])
        var letter = DeadLetterEnvelope.message(for: message, to: configuration.deadLetterTopic, errorClass: errorClass.rawValue, reason: reason)
        // Until the dead letter is acknowledged, the batch's offsets must not be committed.
        var failures = 0
        while true {
            do {
                _ = try await producer.send(letter)
                counters.recordDeadLetter()
                return true
            } catch where error.isMessageRejected {
                let refusal = "the broker refused the dead letter of \((letter.value?.count ?? 0) + (letter.key?.count ?? 0)) bytes: \(error.message)"
                guard letter.value != nil else {
                    logger.error("giving up a dead letter the broker refused", metadata: ["partition": "\(message.partition)", "offset": "\(message.offset)", "error": "\(refusal)"])
                    counters.recordGivenUp()
                    metrics.consumer.messagesGivenUp.increment()
                    return true
                }
                logger.error("the broker refused a dead letter; sending it without its value", metadata: ["partition": "\(message.partition)", "offset": "\(message.offset)", "error": "\(refusal)"])
                letter.value = nil
                letter.headers.append(KafkaHeader(key: JobHeaders.valueOmitted, string: refusal))
            } catch {
                logger.warning("dead-lettering failed; retrying: \(error)")
                failures += 1
                if (try? await Task.sleep(for: Resend.delay(afterFailures: failures))) == nil { return false }
            }
        }
    }

    /// Samples the state gauges (partitions, dead-letter producer queue) every second until the sink stops.
    private func gaugeLoop() async {
        repeat {
            metrics.consumer.sample(consumer: consumer, producer: producer)
        } while (try? await Task.sleep(for: .seconds(1))) != nil
    }

    private func pruneLoop(olderThan retention: Duration) async {
        while (try? await Task.sleep(for: configuration.retentionInterval)) != nil {
            do {
                let cutoff = Date().addingTimeInterval(-Double(retention.components.seconds))
                let deleted = try await store.deleteExpired(completedBefore: cutoff, batchSize: 1_000)
                if deleted > 0 { counters.recordExpired(deleted) }
            } catch {
                logger.warning("retention failed: \(error)")
            }
        }
    }
}
