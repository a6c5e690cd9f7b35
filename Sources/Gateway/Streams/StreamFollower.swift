import Kafka
import Logging

/// Reads every partition of the stream topic from the end (as the results follower reads the results topic, see
/// ``TopicTail``), keeps each record in the instance's ``StreamRegistry`` undecoded, and wakes the requests of this
/// instance that relay the record's job.
///
/// The record's key (the job ID) is all that is read here: a record is decoded only when a client reads its job, and
/// only a job someone here waits for costs a wake-up.
final class StreamFollower: TopicFollower {
    private let reader: KafkaPartitionReader
    private let streams: StreamRegistry
    private let waiters: ResultWaiters
    private let onBatch: @Sendable () -> Void

    /// - Parameter onBatch: Called after each batch is stored (the cache's size is measured there).
    static func start(
        kafka: KafkaConfiguration, topic: String, streams: StreamRegistry, waiters: ResultWaiters, timeout: Duration, logger: Logger,
        onBatch: @escaping @Sendable () -> Void = {}
    ) async throws -> StreamFollower {
        let reader = try await TopicTail.open(kafka: kafka, topic: topic, timeout: timeout, logger: logger)
        return StreamFollower(reader: reader, streams: streams, waiters: waiters, onBatch: onBatch)
    }

    private init(reader: KafkaPartitionReader, streams: StreamRegistry, waiters: ResultWaiters, onBatch: @escaping @Sendable () -> Void) {
        self.reader = reader
        self.streams = streams
        self.waiters = waiters
        self.onBatch = onBatch
    }

    /// Reads until ``close()``.
    func run() async throws {
        var awaited: Set<String> = []
        for try await batch in self.reader.batches() {
            for message in batch {
                guard let jobID = message.keyString, let record = message.value else { continue }
                self.streams.store(record, for: jobID)
                if self.waiters.isAwaited(jobID) { awaited.insert(jobID) }
            }
            // Once per batch and job: a client reads everything new at once.
            for jobID in awaited { self.waiters.nudge(jobID) }
            awaited.removeAll(keepingCapacity: true)
            self.onBatch()
        }
    }

    /// Stops reading; ``run()`` returns.
    func close() async {
        await self.reader.close()
    }
}
