import Foundation
import Kafka
import Synchronization

/// A topic or group name no other test uses.
public func uniqueName(_ prefix: String) -> String {
    "\(prefix)-\(UUID().uuidString.prefix(8).lowercased())"
}

/// Reads `count` messages from `consumer`, or throws when `timeout` passes first.
/// On timeout the consumer is closed, which ends its sequence.
public func consume(_ consumer: KafkaConsumer, count: Int, timeout: Duration = .seconds(60)) async throws -> [KafkaConsumerMessage] {
    let expired = Atomic<Bool>(false)
    let watchdog = Task {
        try await Task.sleep(for: timeout)
        expired.store(true, ordering: .relaxed)
        await consumer.close()
    }
    defer { watchdog.cancel() }
    var messages: [KafkaConsumerMessage] = []
    messages.reserveCapacity(count)
    for try await batch in consumer.batches(maxCount: 1000) {
        messages.append(contentsOf: batch)
        if messages.count >= count { break }
    }
    if expired.load(ordering: .relaxed) || messages.count < count {
        throw DeadlineExceeded(description: "read \(messages.count) of \(count) messages within \(timeout)")
    }
    return messages
}
