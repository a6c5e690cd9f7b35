import Foundation
import Kafka
import Synchronization

/// Reads a topic's partitions directly (`assign`, no group membership, nothing committed), for the commands that
/// inspect topics: `tail` follows the results, `dlq` reads the dead letters from the beginning to the current end.
public struct TopicReader: Sendable {
    let configuration: KafkaConfiguration
    let topic: String

    public init(configuration: KafkaConfiguration, topic: String) {
        self.configuration = configuration
        self.topic = topic
    }

    /// A read to the end that gave up: no message arrived for `idleTimeout` while `partitions` were unfinished.
    public struct IncompleteRead: Sendable {
        public var topic: String
        public var idleTimeout: Duration
        public var partitions: [Int32]
    }

    /// The partitions of `topic` with their watermarks, or an error when the topic does not exist.
    func watermarks() async throws(CLIError) -> [KafkaTopicPartition: (low: Int64, high: Int64)] {
        let description = try await KafkaProbe.requireTopics(configuration, [topic])
        do {
            let admin = try KafkaAdmin(configuration: configuration, logger: CLILogging.silent)
            let partitions = description.flatMap(\.partitions).map { KafkaTopicPartition(topic: topic, partition: $0.id) }
            return try await admin.watermarks(of: partitions, timeout: .seconds(10))
        } catch {
            throw CLIError("cannot read the offsets of \(topic): \(error.message)", hint: "check that the brokers are up; run with --log-level info for details")
        }
    }

    /// A consumer that reads without a group of its own: it never commits.
    func makeConsumer() throws -> KafkaConsumer {
        var reader = configuration
        reader.groupID = "kinfer-cli-reader-\(UUID().uuidString.prefix(8).lowercased())"
        reader.properties["enable.auto.commit"] = "false"
        return try KafkaConsumer(configuration: reader)
    }

    /// Calls `body` with each message of every partition as it arrives, from the oldest retained one or from now on,
    /// until `body` returns `false` (or the consumer ends).
    public func follow(fromBeginning: Bool, _ body: (KafkaConsumerMessage) async throws -> Bool) async throws {
        let marks = try await watermarks()
        let consumer = try makeConsumer()
        try consumer.assign(marks.mapValues { fromBeginning ? $0.low : $0.high })
        for try await batch in consumer.batches() {
            for message in batch {
                guard try await body(message) else {
                    await consumer.close()
                    return
                }
            }
        }
    }

    /// Calls `body` with every message from the low to the high watermark of each partition, as they are now.
    ///
    /// Gives up when no message arrives for `idleTimeout` before the end is reached, e.g. when the end is a
    /// transaction marker that is never delivered, and returns what it could not finish (`nil` when complete), for
    /// the command to say so.
    @discardableResult
    public func readToEnd(
        idleTimeout: Duration = .seconds(15), _ body: (KafkaConsumerMessage) async throws -> Void
    ) async throws -> IncompleteRead? {
        let marks = try await watermarks().filter { $0.value.high > $0.value.low }
        guard !marks.isEmpty else { return nil }
        let consumer = try makeConsumer()
        try consumer.assign(marks.mapValues { $0.low })
        var remaining = Set(marks.keys)
        let watch = ReadWatch()
        try await withThrowingTaskGroup(of: Void.self) { group in
            // The watchdog closes the consumer, which ends the read below, when a whole idle timeout passes without a batch.
            group.addTask {
                var seen = -1
                while true {
                    try await Task.sleep(for: idleTimeout)
                    let now = watch.batches.load(ordering: .relaxed)
                    if now == seen {
                        watch.idle.store(true, ordering: .relaxed)
                        await consumer.close()
                        return
                    }
                    seen = now
                }
            }
            defer { group.cancelAll() }
            for try await batch in consumer.batches() {
                watch.batches.add(1, ordering: .relaxed)
                for message in batch {
                    guard let mark = marks[message.topicPartition], remaining.contains(message.topicPartition) else { continue }
                    if message.offset < mark.high { try await body(message) }
                    if message.offset + 1 >= mark.high { remaining.remove(message.topicPartition) }
                }
                if remaining.isEmpty { break }
            }
        }
        await consumer.close()
        guard watch.idle.load(ordering: .relaxed) && !remaining.isEmpty else { return nil }
        return IncompleteRead(topic: topic, idleTimeout: idleTimeout, partitions: remaining.sorted().map(\.partition))
    }
}

/// What the reader and its watchdog share: batches received, and whether the watchdog gave up.
private final class ReadWatch: Sendable {
    let batches = Atomic<Int>(0)
    let idle = Atomic<Bool>(false)
}
