import Foundation
import Kafka
import Synchronization

/// Reads a topic's partitions directly (`assign`, no group membership, nothing committed), for the commands that
/// inspect topics: `tail` follows the results, `dlq` reads the dead letters from the beginning to the current end.
struct TopicReader {
    let configuration: KafkaConfiguration
    let topic: String

    /// The partitions of `topic` with their watermarks, or an error when the topic does not exist.
    func watermarks() async throws(CLIError) -> [KafkaTopicPartition: (low: Int64, high: Int64)] {
        let description = try await KafkaProbe.requireTopics(configuration, [topic])
        do {
            let admin = try KafkaAdmin(configuration: configuration, logger: CLILogging.silent)
            var marks: [KafkaTopicPartition: (low: Int64, high: Int64)] = [:]
            for partition in description.flatMap({ $0.partitions }) {
                let topicPartition = KafkaTopicPartition(topic: topic, partition: partition.id)
                marks[topicPartition] = try await admin.watermarks(of: topicPartition, timeout: .seconds(10))
            }
            return marks
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

    /// Calls `body` with every message from the low to the high watermark of each partition, as they are now.
    ///
    /// Gives up (and says so on stderr) when no message arrives for `idleTimeout` before the end is reached, e.g.
    /// when the end is a transaction marker that is never delivered.
    func readToEnd(idleTimeout: Duration = .seconds(15), _ body: (KafkaConsumerMessage) async throws -> Void) async throws {
        let marks = try await watermarks().filter { $0.value.high > $0.value.low }
        guard !marks.isEmpty else { return }
        let consumer = try makeConsumer()
        try consumer.assign(marks.mapValues { $0.low })
        var remaining = Set(marks.keys)
        let progress = Atomic<Int>(0)
        let idle = Atomic<Bool>(false)
        let watchdog = Task {
            var seen = -1
            while !Task.isCancelled {
                try await Task.sleep(for: idleTimeout)
                let now = progress.load(ordering: .relaxed)
                if now == seen {
                    idle.store(true, ordering: .relaxed)
                    await consumer.close()
                    return
                }
                seen = now
            }
        }
        defer { watchdog.cancel() }
        for try await batch in consumer.batches() {
            progress.add(1, ordering: .relaxed)
            for message in batch {
                guard let mark = marks[message.topicPartition], remaining.contains(message.topicPartition) else { continue }
                if message.offset < mark.high { try await body(message) }
                if message.offset + 1 >= mark.high { remaining.remove(message.topicPartition) }
            }
            if remaining.isEmpty { break }
        }
        watchdog.cancel()
        await consumer.close()
        if idle.load(ordering: .relaxed) && !remaining.isEmpty {
            Terminal.diagnostic("kinfer: stopped reading \(topic) after \(idleTimeout) without messages; partitions \(remaining.sorted().map { String($0.partition) }.joined(separator: ",")) may be incomplete")
        }
    }
}
