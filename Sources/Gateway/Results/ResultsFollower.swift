import Foundation
import InferenceJobs
import Kafka
import Logging
import Synchronization

/// Reads every partition of the results topic from the end, and hands each result someone on this instance
/// waits for to ``ResultWaiters``.
///
/// Every gateway instance reads every partition (the shared-reply-topic pattern): a result may be wanted by any
/// instance, so no instance may share the records with another through a consumer group. The follower is a
/// ``KafkaPartitionReader``: no group, no rebalances, nothing committed, started at the high watermarks read when
/// the follower starts. Not a consumer in a unique group with `auto.offset.reset=latest`: "latest" is resolved
/// whenever the fetcher gets to it, so a result written between the gateway listening and that moment would be
/// skipped, and each restart would leave a dead group behind on the brokers. With the watermarks read first,
/// everything written after ``start()`` returns is read.
///
/// The record's key (the job ID) is matched against the waiters before anything is decoded: most results have no
/// waiter here, and they cost a dictionary look-up.
final class ResultsFollower: Sendable {
    private let reader: KafkaPartitionReader
    private let waiters: ResultWaiters
    /// Told of every result's job, by key only, so that a cached stream is known to be finished.
    private let streams: StreamRegistry?
    private let logger: Logger
    private let onRecords: @Sendable (Int) -> Void

    /// Assigns every partition of `topic` at its high watermark. Fails when the topic cannot be described.
    ///
    /// - Parameter onRecords: Called with the number of records of each batch read, waited for or not: the
    ///   completion rate of the estimate.
    static func start(
        kafka: KafkaConfiguration,
        topic: String,
        waiters: ResultWaiters,
        streams: StreamRegistry? = nil,
        timeout: Duration = .seconds(10),
        logger: Logger,
        onRecords: @escaping @Sendable (Int) -> Void = { _ in }
    ) async throws -> ResultsFollower {
        let reader = try await TopicTail.open(kafka: kafka, topic: topic, timeout: timeout, logger: logger)
        return ResultsFollower(reader: reader, waiters: waiters, streams: streams, logger: logger, onRecords: onRecords)
    }

    private init(
        reader: KafkaPartitionReader, waiters: ResultWaiters, streams: StreamRegistry?, logger: Logger,
        onRecords: @escaping @Sendable (Int) -> Void
    ) {
        self.reader = reader
        self.waiters = waiters
        self.streams = streams
        self.logger = logger
        self.onRecords = onRecords
    }

    /// Reads until ``close()``; a result that does not decode is logged and skipped (the sink dead-letters it).
    func run() async throws {
        for try await batch in self.reader.batches() {
            self.onRecords(batch.count)
            for message in batch {
                guard let jobID = message.keyString else { continue }
                self.streams?.finish(jobID)
                guard self.waiters.isAwaited(jobID) else { continue }
                do {
                    let result = try message.withUnsafeValue { raw throws(JobDecodingError) in try JobCodec.decodeResult(raw) }
                    self.waiters.deliver(ResultWaiters.Delivery(
                        result: result,
                        producedAt: message.timestampMilliseconds.map { Date(timeIntervalSince1970: Double($0) / 1000) }
                    ))
                } catch {
                    self.logger.warning("a result for a waiting request does not decode", metadata: ["job_id": "\(jobID)", "error": "\(error)"])
                }
            }
        }
    }

    /// Stops reading; ``run()`` returns.
    func close() async {
        await self.reader.close()
    }
}

/// A follower of a topic, as the gateway runs it: until ``close()``, or until it fails and another takes its place.
protocol TopicFollower: Sendable {
    func run() async throws
    func close() async
}

extension ResultsFollower: TopicFollower {}

/// The gateway's current follower of a topic, set once one is positioned (and again after one fails): the follower
/// task runs it, and shutdown closes it.
final class FollowerHolder: Sendable {
    private let follower = Mutex<(any TopicFollower)?>(nil)

    init() {}

    var current: (any TopicFollower)? { self.follower.withLock { $0 } }

    func set(_ follower: any TopicFollower) {
        self.follower.withLock { $0 = follower }
    }
}
