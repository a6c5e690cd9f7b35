import EmbeddedKafka
import Kafka
import KinferTestSupport
import ConsumerKit
import ServiceOperations
import Testing

@Suite("Readiness of group members")
struct GroupMembershipTests {
    /// Two members of a group on a one-partition topic: before joining neither is ready; once joined, the one
    /// without a partition is idle but legitimately so, and ready like the one that owns it.
    @Test(.timeLimit(.minutes(1)))
    func anIdleButJoinedMemberIsReady() async throws {
        let cluster = try EmbeddedKafkaCluster(brokers: 1)
        let topic = uniqueName("one-partition")
        try cluster.createTopic(topic, partitions: 1)
        let group = uniqueName("group")
        let members = try (0..<2).map { _ in
            ConsumerMember(groupID: group, consumer: try KafkaConsumer(configuration: cluster.consumerConfiguration(group: group, sessionTimeout: .seconds(6))))
        }
        let checks = members.map(ReadinessCheck.groupMembership)
        for check in checks {
            #expect(await check.check() == "no assignment from group \(group) yet")
        }

        for member in members { try member.consumer.subscribe(topics: [topic]) }
        try await waitUntil("both members joined, one owning the partition", timeout: .seconds(30), interval: .milliseconds(100)) {
            members.allSatisfy(\.hasJoinedGroup) && members.map(\.assignment.count).sorted() == [0, 1]
        }
        for check in checks {
            #expect(await check.check() == nil)
        }
        for member in members { await member.consumer.close() }
        #expect(members.allSatisfy { !$0.hasJoinedGroup })
    }
}

/// A bare consumer as a group member.
struct ConsumerMember: ConsumerGroupMember {
    let groupID: String
    let consumer: KafkaConsumer

    var assignment: Set<KafkaTopicPartition> { consumer.assignment }
    var hasJoinedGroup: Bool { consumer.hasJoinedGroup }
}
