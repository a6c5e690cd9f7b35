import CRdKafka
import EmbeddedKafka
@testable import Kafka
import KinferTestSupport
import Synchronization
import Testing

@Suite("Delivery callbacks held in the producer's ring of slots")
struct DeliverySlotsTests {
    /// A failed delivery report for a message whose opaque is `opaque` (a failure needs no other field from C).
    private func failedReport(_ opaque: UnsafeMutableRawPointer, _ body: (UnsafePointer<rd_kafka_message_t>) -> Void) {
        var message = rd_kafka_message_t()
        message.err = RD_KAFKA_RESP_ERR__MSG_TIMED_OUT
        message._private = opaque
        withUnsafePointer(to: &message, body)
    }

    @Test("A full ring hands out handlers; each opaque runs its own callback once, with its topic; freed slots are reused")
    func fullRingFallsBackToHandlers() {
        let slots = DeliverySlots(capacity: 2)
        let calls = Mutex<[String]>([])
        func opaque(_ topic: String) -> UnsafeMutableRawPointer {
            slots.opaque(topic: topic) { result in
                guard case .failure(let error) = result else { return }
                calls.withLock { $0.append("\(topic) \(error.message)") }
            }
        }
        let first = opaque("t1"), second = opaque("t2"), third = opaque("t3")
        #expect(Int(bitPattern: first) & 1 == 1, "a slot")
        #expect(Int(bitPattern: second) & 1 == 1, "a slot")
        #expect(Int(bitPattern: third) & 1 == 0, "both slots taken: a handler")

        failedReport(second) { slots.complete(second, report: $0) }
        failedReport(third) { slots.complete(third, report: $0) }
        let fourth = opaque("t4")  // the ring comes round to the second slot, freed by its report
        let fifth = opaque("t5")   // then to the first, still taken: a handler
        #expect(fourth == second, "the freed slot is claimed again")
        #expect(Int(bitPattern: fifth) & 1 == 0)
        for delivery in [first, fourth, fifth] {
            failedReport(delivery) { slots.complete(delivery, report: $0) }
        }
        let seen = calls.withLock { $0 }
        #expect(seen.count == 5)
        #expect(seen.map { String($0.prefix(2)) } == ["t2", "t3", "t1", "t4", "t5"])
        #expect(seen.allSatisfy { $0.contains("delivery to \($0.prefix(2))") })
    }

    @Test("A discarded opaque frees its slot and never runs its callback")
    func discardFreesTheSlot() {
        let slots = DeliverySlots(capacity: 1)
        let ran = Counter()
        let refused = slots.opaque(topic: "t") { _ in ran.increment() }
        slots.discard(refused)
        let next = slots.opaque(topic: "t") { _ in ran.increment() }
        #expect(next == refused, "the slot is free again")
        failedReport(next) { slots.complete(next, report: $0) }
        #expect(ran.value == 1)
    }

    @Test("With a ring of 4 slots, 5,000 enqueued messages and 20 sends are each reported exactly once, to the right caller")
    func producerOverflowingItsRing() async throws {
        let cluster = try EmbeddedKafkaCluster(brokers: 1)
        let topic = uniqueName("delivery-slots")
        try cluster.createTopic(topic, partitions: 4)
        let producer = try KafkaProducer(
            configuration: cluster.producerConfiguration(), logger: .init(label: "test"), onStatistics: nil, deliverySlots: 4
        )
        let total = 5_000
        let reports = Mutex<[Int: [KafkaDeliveryReport]]>([:])
        let failed = Counter()
        for index in 0..<total {
            let message = KafkaProducerMessage(topic: topic, key: "k-\(index)", value: Array("\(index)".utf8))
            try await producer.enqueue(message) { result in
                switch result {
                case .success(let report): reports.withLock { $0[index, default: []].append(report) }
                case .failure: failed.increment()
                }
            }
        }
        var sent: [KafkaDeliveryReport] = []
        for index in 0..<20 {
            sent.append(try await producer.send(KafkaProducerMessage(topic: topic, key: "s-\(index)", value: [1])))
        }
        try await producer.flush(timeout: .seconds(30))
        await producer.close()

        let delivered = reports.withLock { $0 }
        #expect(failed.value == 0)
        #expect(delivered.count == total && delivered.values.allSatisfy { $0.count == 1 }, "every callback ran once")
        let all = delivered.values.flatMap { $0 } + sent
        #expect(all.allSatisfy { $0.topic == topic })
        #expect(Set(all.map { "\($0.partition):\($0.offset)" }).count == total + 20, "each report is its own message's")
    }
}
