import Synchronization

/// A thread-safe count, for callbacks that run on librdkafka's threads.
public final class Counter: Sendable {
    private let count = Atomic<Int>(0)

    public init() {}

    public func increment(by amount: Int = 1) {
        count.add(amount, ordering: .relaxed)
    }

    public var value: Int { count.load(ordering: .relaxed) }
}
