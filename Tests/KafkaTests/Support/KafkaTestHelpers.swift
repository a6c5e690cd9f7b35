import Kafka
import KinferTestSupport
import Synchronization

/// Enqueues `count` messages whose values are `"\(prefix)-\(index)"` and waits until the broker
/// acknowledged every one; throws the first failed delivery.
func produceAcknowledged(
    _ producer: KafkaProducer, topic: String, count: Int, partition: Int32? = nil, prefix: String = "m"
) async throws {
    let delivered = Counter()
    let failure = Mutex<KafkaError?>(nil)
    for index in 0..<count {
        let message = KafkaProducerMessage(topic: topic, partition: partition, key: "k-\(index)", value: Array("\(prefix)-\(index)".utf8))
        try await producer.enqueue(message) { result in
            switch result {
            case .success: delivered.increment()
            case .failure(let error): failure.withLock { $0 = $0 ?? error }
            }
        }
    }
    try await producer.flush(timeout: .seconds(30))
    if let error = failure.withLock({ $0 }) { throw error }
    guard delivered.value == count else {
        throw DeadlineExceeded(description: "\(delivered.value) of \(count) messages acknowledged after flush")
    }
}

/// Runs `operation` in a task and throws when it has not finished within `timeout`, so that a hanging
/// call fails the test instead of hanging it (the operation itself is left to finish on its own).
func finishing<T: Sendable>(
    within timeout: Duration, _ what: String, _ operation: @escaping @Sendable () async throws -> T
) async throws -> T {
    let outcome = Mutex<Result<T, any Error>?>(nil)
    Task {
        let result: Result<T, any Error>
        do { result = .success(try await operation()) } catch { result = .failure(error) }
        outcome.withLock { $0 = result }
    }
    try await waitUntil(what, timeout: timeout, interval: .milliseconds(10)) { outcome.withLock { $0 != nil } }
    return try outcome.withLock { $0! }.get()
}

/// A value set once after it is made, for callbacks that must reach an object created after them
/// (a rebalance listener that stores offsets on its own consumer).
final class Late<Value: Sendable>: Sendable {
    private let storage = Mutex<Value?>(nil)

    init() {}

    var value: Value? {
        get { storage.withLock { $0 } }
        set { storage.withLock { $0 = newValue } }
    }
}
