import EmbeddedKafka
import Kafka
import KinferTestSupport
import Synchronization
import Testing

@Suite("Rebalancing a consumer group on the embedded cluster")
struct RebalanceTests {
    @Test(
        "Two members split the partitions, and a closing member's revoke commits offsets its successor starts from",
        arguments: ["range", "cooperative-sticky"]
    )
    func revokeCommitsWhatTheNextOwnerReads(assignmentStrategy: String) async throws {
        let cluster = try EmbeddedKafkaCluster(brokers: 1)
        let topic = uniqueName("rebalance")
        let partitionCount: Int32 = 4
        try cluster.createTopic(topic, partitions: Int(partitionCount))
        let all = Set((0..<partitionCount).map { KafkaTopicPartition(topic: topic, partition: $0) })
        let producer = try KafkaProducer(configuration: cluster.producerConfiguration())
        for partition in 0..<partitionCount {
            try await produceAcknowledged(producer, topic: topic, count: 50, partition: partition)
        }
        await producer.close()

        let group = uniqueName("group")
        // Without auto-commit, only the consumer's own synchronous commit after the revoke can save the offsets.
        var configuration = cluster.consumerConfiguration(group: group, sessionTimeout: .seconds(6))
        configuration.properties["enable.auto.commit"] = "false"
        // Eager (revoke everything, then assign) and cooperative (move only what changes) rebalancing.
        configuration.properties["partition.assignment.strategy"] = assignmentStrategy
        let log = GroupLog()
        // The offsets the first member stores while its partitions are revoked at close: arbitrary and
        // distinct, neither 0 (where a successor without a commit would start) nor the end.
        let storedOnRevoke = Mutex<[KafkaTopicPartition: Int64]>([:])
        let armed = Atomic<Bool>(false)
        let firstConsumer = Late<KafkaConsumer>()
        let first = try KafkaConsumer(
            configuration: configuration,
            rebalanceListener: LoggingListener(name: "first", log: log) { revoked in
                guard armed.load(ordering: .acquiring), let consumer = firstConsumer.value else { return }
                let offsets = Dictionary(uniqueKeysWithValues: revoked.map { ($0, Int64(10 + 7 * $0.partition)) })
                do {
                    try consumer.storeOffsets(offsets)
                    storedOnRevoke.withLock { $0.merge(offsets) { _, new in new } }
                } catch {
                    Issue.record("storing offsets on revoke failed: \(error)")
                }
            }
        )
        firstConsumer.value = first
        let second = try KafkaConsumer(
            configuration: configuration,
            rebalanceListener: LoggingListener(name: "second", log: log) { _ in }
        )
        try first.subscribe(topics: [topic])
        try second.subscribe(topics: [topic])
        let readers = [("first", first), ("second", second)].map { name, consumer in
            Task {
                for try await message in consumer.messages {
                    log.record(name, .message(offset: message.offset), [message.topicPartition])
                }
            }
        }

        try await waitUntil("both members own partitions, disjointly, covering the topic", timeout: .seconds(30)) {
            let (a, b) = (first.assignment, second.assignment)
            return !a.isEmpty && !b.isEmpty && a.isDisjoint(with: b) && a.union(b) == all
        }
        let moved = first.assignment
        #expect(second.assignment == all.subtracting(moved))
        let settled = log.events.count

        armed.store(true, ordering: .releasing)
        await first.close()
        let stored = storedOnRevoke.withLock { $0 }
        #expect(Set(stored.keys) == moved, "the first member stored offsets for every partition it gave up")

        try await waitUntil("the second member reads every moved partition", timeout: .seconds(30)) {
            let read = log.events[settled...].filter { $0.consumer == "second" && $0.isMessage }.flatMap(\.partitions)
            return moved.isSubset(of: Set(read))
        }
        #expect(second.assignment == all)

        let events = log.events[settled...]
        let revoke = try #require(events.firstIndex { $0.consumer == "first" && $0.kind == .revoked })
        #expect(events[revoke].partitions == moved)
        // The partitions move when the second member is assigned them or reads them: both only after the revoke.
        let moves = events.filter { $0.consumer == "second" && $0.kind != .revoked && !$0.partitions.isDisjoint(with: moved) }
        #expect(!moves.isEmpty)
        #expect(moves.allSatisfy { $0.sequence > events[revoke].sequence }, "the revoke came before the partitions moved")
        for partition in moved.sorted() {
            let offsets = events.compactMap { event -> Int64? in
                guard event.consumer == "second", event.partitions == [partition], case .message(let offset) = event.kind else { return nil }
                return offset
            }
            #expect(offsets.first == stored[partition], "the second member starts \(partition) at the stored offset")
            #expect(offsets.min() == stored[partition], "nothing before the stored offset on \(partition)")
        }

        let admin = try KafkaAdmin(configuration: cluster.adminConfiguration())
        let committed = try await admin.committedOffsets(group: group, partitions: moved.sorted(), timeout: .seconds(10))
        #expect(committed == stored.mapValues { Optional($0) })

        await second.close()
        for reader in readers { _ = try await reader.value }
    }
}

/// Rebalance events and messages of a group's members, in the order they happened.
final class GroupLog: Sendable {
    enum Kind: Sendable, Equatable {
        case assigned, revoked
        case message(offset: Int64)
    }

    struct Event: Sendable {
        let sequence: Int
        let consumer: String
        let kind: Kind
        let partitions: Set<KafkaTopicPartition>

        var isMessage: Bool {
            if case .message = kind { return true }
            return false
        }
    }

    private let storage = Mutex<[Event]>([])

    func record(_ consumer: String, _ kind: Kind, _ partitions: [KafkaTopicPartition]) {
        storage.withLock { $0.append(Event(sequence: $0.count, consumer: consumer, kind: kind, partitions: Set(partitions))) }
    }

    var events: [Event] { storage.withLock { $0 } }
}

/// Logs a member's rebalances; on revoke, runs `onRevoke` before logging the event and returning.
struct LoggingListener: KafkaRebalanceListener {
    let name: String
    let log: GroupLog
    let onRevoke: @Sendable ([KafkaTopicPartition]) -> Void

    func partitionsAssigned(_ partitions: [KafkaTopicPartition]) {
        log.record(name, .assigned, partitions)
    }

    func partitionsRevoked(_ partitions: [KafkaTopicPartition]) {
        onRevoke(partitions)
        log.record(name, .revoked, partitions)
    }
}
