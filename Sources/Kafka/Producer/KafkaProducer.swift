import CRdKafka
import Foundation
import Logging
import Synchronization

/// Produces messages to Kafka and reports each one's delivery.
///
/// Two ways to produce, both keyed, with headers and an optional explicit partition:
/// - ``send(_:)`` awaits the broker's acknowledgement and returns where the message was stored;
/// - ``enqueue(_:onDelivery:)`` returns once librdkafka has the message, and reports the delivery
///   through a callback: many messages in flight at once, for throughput.
///
/// When librdkafka's local queue (`queue.buffering.max.messages`) is full, both suspend the caller
/// until delivery reports have made room: nothing is dropped and nothing spins.
/// Delivery reports are served by each produce call, on the producing thread, for the reports already
/// there (as a C loop's `rd_kafka_poll(rk, 0)`), and by a dedicated poll thread for the rest; they
/// complete the caller right there.
///
/// - Important: Call ``close(timeout:)`` when done: it delivers, or reports as failed, every enqueued message.
public final class KafkaProducer: Sendable {
    @usableFromInline let core: ProducerCore
    private let pollThread: PollThread

    /// Makes a producer. Fails with librdkafka's message when a property is unknown or invalid.
    /// - Parameters:
    ///   - configuration: bootstrap servers, acks, idempotence, and any librdkafka property.
    ///   - logger: receives librdkafka's log lines and errors.
    ///   - onStatistics: called on the poll thread with each statistics report (needs `statisticsInterval`).
    public convenience init(
        configuration: KafkaConfiguration,
        logger: Logger = Logger(label: "kinfer.kafka.producer"),
        onStatistics: (@Sendable (KafkaStatistics) -> Void)? = nil
    ) throws(KafkaError) {
        try self.init(configuration: configuration, logger: logger, onStatistics: onStatistics, deliverySlots: DeliverySlots.defaultCapacity)
    }

    /// `deliverySlots` (a power of two) is the capacity of the ring that holds delivery callbacks; tests make
    /// it small to send messages through the fallback for a full ring.
    init(
        configuration: KafkaConfiguration,
        logger: Logger,
        onStatistics: (@Sendable (KafkaStatistics) -> Void)?,
        deliverySlots: Int
    ) throws(KafkaError) {
        let deliveries = DeliverySlots(capacity: deliverySlots)
        let context = KafkaCallbackContext(logger: logger, statistics: onStatistics, deliveries: deliveries)
        let handle = try KafkaHandle(kind: RD_KAFKA_PRODUCER, configuration: configuration, context: context)
        let core = ProducerCore(handle: handle, deliveries: deliveries)
        self.core = core
        self.pollThread = PollThread(name: "kafka-producer-poll") {
            let served: Int32
            if core.callersServed.exchange(false, ordering: .relaxed) && !core.queueSpace.hasWaiters {
                // Producing callers serve the reports themselves: stay off librdkafka's queue, whose lock
                // and condition this thread would otherwise take at every report (perf: futex waits in
                // the callers' rd_kafka_poll), and serve only what they leave, every millisecond.
                served = rd_kafka_poll(core.handle.pointer, 0)
                Thread.sleep(forTimeInterval: 0.001)
            } else {
                served = rd_kafka_poll(core.handle.pointer, 50)
            }
            // Served reports freed queue room; waiters also retry after each timeout, in case
            // another thread (a flush) served the reports.
            if served > 0 || core.queueSpace.hasWaiters {
                core.queueSpace.advance()
            }
        }
    }

    deinit {
        pollThread.stop()
    }

    /// Produces `message` and waits for the broker's acknowledgement.
    /// - Returns: the partition, offset and timestamp the broker stored it at.
    /// - Throws: ``KafkaError`` when the message is invalid, or the broker did not acknowledge it
    ///   within `message.timeout.ms` (code `.timedOut`), or the producer was closed.
    public func send(_ message: KafkaProducerMessage) async throws(KafkaError) -> KafkaDeliveryReport {
        let promise = DeliveryPromise()
        try await enqueue(message, onDelivery: promise.fulfil)
        return try await promise.result.get()
    }

    /// Hands `message` to librdkafka and returns; `onDelivery` runs once with its outcome.
    ///
    /// Suspends only while librdkafka's local queue is full. `onDelivery` runs on the producer's
    /// poll thread or inside a later `enqueue` or `send` call, on its caller's thread: keep it short
    /// and non-blocking.
    ///
    /// Inlinable so that a message the queue has room for is produced by a plain call in the caller's
    /// async function: an async call of its own costs an async frame per message, a large share of the
    /// producing thread at high rates (perf, `docs/benchmarks.md`).
    @inlinable
    public func enqueue(
        _ message: KafkaProducerMessage,
        onDelivery: @escaping @Sendable (Result<KafkaDeliveryReport, KafkaError>) -> Void
    ) async throws(KafkaError) {
        if let waiting = try core.produceIfRoom(message, onDelivery: onDelivery) {
            try await core.produceWhenRoom(waiting)
        }
    }

    /// Hands `message` to librdkafka if its queue has room, never suspending: for a caller that produces under a lock
    /// to keep its messages in order. Returns `false` when the queue is full; `onDelivery` then never runs.
    public func enqueueIfRoom(
        _ message: KafkaProducerMessage,
        onDelivery: @escaping @Sendable (Result<KafkaDeliveryReport, KafkaError>) -> Void
    ) throws(KafkaError) -> Bool {
        guard let waiting = try core.produceIfRoom(message, onDelivery: onDelivery) else { return true }
        core.deliveries.discard(waiting.delivery)
        return false
    }

    /// Messages enqueued but not yet reported, plus events (errors, logs) waiting to be served: librdkafka's
    /// `rd_kafka_outq_len`, which counts both. With a broker down, its error events keep this above zero.
    public var queuedMessageCount: Int {
        Int(rd_kafka_outq_len(core.handle.pointer))
    }

    /// Waits until every enqueued message is delivered or failed, or throws `.timedOut`.
    public func flush(timeout: Duration) async throws(KafkaError) {
        let handle = core.handle
        let err = await runBlocking { rd_kafka_flush(handle.pointer, Int32(clamping: timeout.milliseconds)) }
        try KafkaError.check(err, code: .timedOut, context: "flush: \(queuedMessageCount) messages still queued")
    }

    /// Delivers what it can within `timeout`, reports the rest as failed, and stops the poll thread.
    public func close(timeout: Duration = .seconds(30)) async {
        core.closed.store(true, ordering: .releasing)
        do {
            try await flush(timeout: timeout)
        } catch {
            core.handle.logger.warning("closing with undelivered messages: \(error)")
            rd_kafka_purge(core.handle.pointer, Int32(RD_KAFKA_PURGE_F_QUEUE | RD_KAFKA_PURGE_F_INFLIGHT))
            // Serve the purged messages' reports so every caller hears about its message.
            let handle = core.handle
            _ = await runBlocking { rd_kafka_flush(handle.pointer, 1000) }
        }
        pollThread.stop()
        core.queueSpace.advance()
        await pollThread.join()
    }
}

/// The producer's handle, its topic handles, and the queue-room signal, shared with the poll thread.
@usableFromInline
final class ProducerCore: @unchecked Sendable {
    let handle: KafkaHandle
    /// The delivery callbacks of the messages in flight (also reached by the reports through the handle's context).
    let deliveries: DeliverySlots
    let queueSpace = QueueSpaceSignal()
    let closed = Atomic<Bool>(false)
    /// A producing caller served reports since the poll thread last looked: the poll thread need not wait on the queue.
    let callersServed = Atomic<Bool>(false)
    /// `rd_kafka_topic_t` per topic name, so producing does not look topics up by name each time.
    /// Only ever added to; destroyed in `deinit`, before the handle.
    private let topics = Mutex<[String: OpaquePointer]>([:])
    /// The topic produced to last and its handle: most producers write to one topic, so the common case
    /// compares one string instead of hashing it.
    private let lastTopic = Mutex<(name: String, topic: ThreadSafePointer)?>(nil)

    init(handle: KafkaHandle, deliveries: DeliverySlots) {
        self.handle = handle
        self.deliveries = deliveries
    }

    deinit {
        topics.withLock { topics in
            for topic in topics.values { rd_kafka_topic_destroy(topic) }
        }
    }

    /// A message librdkafka's full queue did not take, holding its delivery slot while it waits for room.
    @usableFromInline
    struct WaitingForRoom {
        let message: KafkaProducerMessage
        let topic: OpaquePointer
        let delivery: UnsafeMutableRawPointer
        /// The queue-room generation read before the refused attempt: a wait after it cannot miss room made since.
        let generation: UInt64
    }

    /// Hands `message` to librdkafka if its queue has room, without suspending; returns the message to wait
    /// with (``produceWhenRoom(_:)``) when the queue is full.
    @usableFromInline
    func produceIfRoom(
        _ message: KafkaProducerMessage, onDelivery: @escaping @Sendable (Result<KafkaDeliveryReport, KafkaError>) -> Void
    ) throws(KafkaError) -> WaitingForRoom? {
        let topic = try topicHandle(message.topic)
        let delivery = deliveries.opaque(topic: message.topic, completion: onDelivery)
        let generation = queueSpace.generation
        guard try produceOnce(message, topic: topic, delivery: delivery) else {
            return WaitingForRoom(message: message, topic: topic, delivery: delivery, generation: generation)
        }
        return nil
    }

    /// Suspends until librdkafka's queue has room for `waiting`, then hands it over. Cancelled first, it throws
    /// ``KafkaError/Code-swift.struct/queueFull`` and the message is not sent.
    @usableFromInline
    func produceWhenRoom(_ waiting: WaitingForRoom) async throws(KafkaError) {
        var generation = waiting.generation
        while true {
            if serveDeliveryReports() == 0 { await queueSpace.wait(after: generation) }
            if Task.isCancelled {
                deliveries.discard(waiting.delivery)
                throw KafkaError(code: .queueFull, message: "cancelled while waiting for room in librdkafka's queue")
            }
            generation = queueSpace.generation
            if try produceOnce(waiting.message, topic: waiting.topic, delivery: waiting.delivery) { return }
        }
    }

    /// One attempt: `true` when librdkafka took the message, `false` when its queue is full. Throws (and
    /// drops the delivery callback unrun) when the producer is closed or librdkafka refuses the message.
    private func produceOnce(_ message: KafkaProducerMessage, topic: OpaquePointer, delivery: UnsafeMutableRawPointer) throws(KafkaError) -> Bool {
        guard !closed.load(ordering: .acquiring) else {
            deliveries.discard(delivery)
            throw KafkaError(code: .closed, message: "the producer is closed")
        }
        switch callProduce(message, topic: topic, delivery: delivery) {
        case RD_KAFKA_RESP_ERR_NO_ERROR:
            serveDeliveryReports()
            return true
        case RD_KAFKA_RESP_ERR__QUEUE_FULL:
            return false
        case let err:
            deliveries.discard(delivery)
            throw KafkaError(code: .delivery, err, context: "produce to \(message.topic)")
        }
    }

    /// Serves the delivery reports that are ready, without waiting, on the producing thread, as a C
    /// produce loop does with `rd_kafka_poll(rk, 0)`. librdkafka allocates each message on the thread
    /// that produces it and frees it where its report is served: served only by the poll thread, every
    /// message was freed across threads, and glibc's arena lock, contended between the two threads,
    /// cost futex wakes in `malloc` (measured, docs/benchmarks.md). The poll thread still serves
    /// whatever arrives while nobody produces. Returns the number of reports served.
    @discardableResult
    func serveDeliveryReports() -> Int32 {
        let served = rd_kafka_poll(handle.pointer, 0)
        if served > 0 {
            if !callersServed.load(ordering: .relaxed) { callersServed.store(true, ordering: .relaxed) }
            if queueSpace.hasWaiters { queueSpace.advance() }
        }
        return served
    }

    private func topicHandle(_ name: String) throws(KafkaError) -> OpaquePointer {
        if let last = lastTopic.withLock({ $0 }), last.name == name { return last.topic.pointer }
        let topic = ThreadSafePointer(pointer: try topicHandleByName(name))
        lastTopic.withLock { $0 = (name, topic) }
        return topic.pointer
    }

    private func topicHandleByName(_ name: String) throws(KafkaError) -> OpaquePointer {
        if let topic = topics.withLock({ $0[name] }) { return topic }
        try KafkaTopicName.validate(name)
        return try topics.withLock { topics throws(KafkaError) -> OpaquePointer in
            if let topic = topics[name] { return topic }
            guard let topic = rd_kafka_topic_new(handle.pointer, name, nil) else {
                throw KafkaError(code: .invalidTopicName, rd_kafka_last_error(), context: "topic \(name)")
            }
            topics[name] = topic
            return topic
        }
    }

    /// One produce call (`kinfer_produce`); `delivery` stays the caller's unless librdkafka accepts the message.
    private func callProduce(_ message: KafkaProducerMessage, topic: OpaquePointer, delivery: UnsafeMutableRawPointer) -> rd_kafka_resp_err_t {
        let headers = Self.makeHeaders(message.headers)
        let err = message.key.withOptionalBytes { key, keyLength in
            message.value.withOptionalBytes { value, valueLength in
                kinfer_produce(
                    handle.pointer, topic, message.partition ?? RD_KAFKA_PARTITION_UA,
                    key, keyLength, value, valueLength, headers, delivery
                )
            }
        }
        if err != RD_KAFKA_RESP_ERR_NO_ERROR, let headers {
            rd_kafka_headers_destroy(headers)
        }
        return err
    }

    private static func makeHeaders(_ headers: [KafkaHeader]) -> OpaquePointer? {
        guard !headers.isEmpty else { return nil }
        let list = rd_kafka_headers_new(headers.count)!
        for header in headers {
            // The name by pointer and length: passed as a C string, a Swift string is copied to a new allocation.
            var name = header.key
            name.withUTF8 { name in
                header.value.withOptionalBytes { value, length in
                    if let start = name.baseAddress {
                        _ = rd_kafka_header_add(list, UnsafeRawPointer(start).assumingMemoryBound(to: CChar.self), name.count, value, length)
                    } else {
                        _ = rd_kafka_header_add(list, "", 0, value, length)
                    }
                }
            }
        }
        return list
    }
}

extension Optional where Wrapped == [UInt8] {
    /// Calls `body` with a pointer and length: `nil` for no bytes at all (a null key or tombstone),
    /// a valid pointer with length 0 for an empty array.
    func withOptionalBytes<R>(_ body: (UnsafeRawPointer?, Int) -> R) -> R {
        switch self {
        case .none:
            return body(nil, 0)
        case .some(let bytes) where bytes.isEmpty:
            return withUnsafePointer(to: 0 as UInt8) { body(UnsafeRawPointer($0), 0) }
        case .some(let bytes):
            return bytes.withUnsafeBytes { body($0.baseAddress, $0.count) }
        }
    }
}
