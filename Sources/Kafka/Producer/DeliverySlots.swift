import CRdKafka
import Synchronization

/// Holds each produced message's delivery callback until librdkafka reports the delivery, without an
/// allocation per message.
///
/// The message's opaque names where its callback waits. Normally that is a slot of a ring allocated once
/// per producer: claimed in ring order with one atomic add and one compare-exchange, freed by the report with
/// one atomic store. An object per message (``DeliveryHandler``, a `malloc` and a `free`) was a large share of
/// the producing thread's time at high rates (perf, `docs/benchmarks.md`). When the slot the
/// ring comes round to is still taken (more messages in flight than slots, or one waiting on a slow
/// partition), the message gets a retained ``DeliveryHandler`` instead, so nothing ever waits for a slot.
///
/// A slot's opaque is its index shifted left with the low bit set; a handler's address is aligned, so its low
/// bit is clear.
///
/// `@unchecked Sendable`: a slot's entry is written only by the caller whose compare-exchange took the slot,
/// before it hands the opaque to librdkafka, and read and destroyed only by the message's one delivery report,
/// which librdkafka serves after that produce call (its queue locks order the two); the entry is moved out
/// before the slot's state is released for the next claim.
final class DeliverySlots: @unchecked Sendable {
    typealias Completion = @Sendable (Result<KafkaDeliveryReport, KafkaError>) -> Void

    private struct Entry {
        let topic: String
        let completion: Completion
    }

    /// Enough for the messages a producer has in flight at a million messages a second, with the delivery reports'
    /// latency seen on the embedded cluster (`docs/benchmarks.md`); the entries' pages are touched only as slots are
    /// used (32 bytes each).
    static let defaultCapacity = 1 << 16

    private let capacity: Int
    private let taken: UnsafeMutablePointer<Atomic<Bool>>
    private let entries: UnsafeMutablePointer<Entry>
    private let nextTicket = Atomic<Int>(0)

    /// - Parameter capacity: a power of two.
    init(capacity: Int) {
        precondition(capacity > 0 && capacity & (capacity - 1) == 0, "capacity must be a power of two")
        self.capacity = capacity
        taken = .allocate(capacity: capacity)
        for index in 0..<capacity { (taken + index).initialize(to: Atomic(false)) }
        entries = .allocate(capacity: capacity)
    }

    /// Runs after librdkafka's handle is destroyed (the callback context that owns this outlives it): a message
    /// destroyed unreported (a producer dropped without `close`) leaves its entry, which is released here.
    deinit {
        for index in 0..<capacity where taken[index].load(ordering: .acquiring) {
            (entries + index).deinitialize(count: 1)
        }
        taken.deinitialize(count: capacity)
        taken.deallocate()
        entries.deallocate()
    }

    /// The opaque for one message: a free slot holding `completion`, or a retained handler.
    func opaque(topic: String, completion: @escaping Completion) -> UnsafeMutableRawPointer {
        let index = nextTicket.wrappingAdd(1, ordering: .relaxed).oldValue & (capacity - 1)
        guard taken[index].compareExchange(expected: false, desired: true, ordering: .acquiring).exchanged else {
            return Unmanaged.passRetained(DeliveryHandler(topic: topic, completion)).toOpaque()
        }
        (entries + index).initialize(to: Entry(topic: topic, completion: completion))
        return UnsafeMutableRawPointer(bitPattern: index << 1 | 1)!
    }

    /// Runs the callback of the message whose report this is, once, on the thread serving the report.
    func complete(_ opaque: UnsafeMutableRawPointer, report message: UnsafePointer<rd_kafka_message_t>) {
        let (topic, completion) = take(opaque)
        completion(DeliveryHandler.result(of: message, topic: topic))
    }

    /// Takes back the opaque of a message librdkafka refused; its callback is dropped without running.
    func discard(_ opaque: UnsafeMutableRawPointer) {
        _ = take(opaque)
    }

    private func take(_ opaque: UnsafeMutableRawPointer) -> (String, Completion) {
        let bits = Int(bitPattern: opaque)
        guard bits & 1 == 1 else {
            let handler = Unmanaged<DeliveryHandler>.fromOpaque(opaque).takeRetainedValue()
            return (handler.topic, handler.complete)
        }
        let index = bits >> 1
        let entry = (entries + index).move()
        taken[index].store(false, ordering: .releasing)
        return (entry.topic, entry.completion)
    }
}
