import CRdKafka
import Logging

/// Reads chosen partitions from chosen offsets with no consumer group: no membership, no rebalances, nothing
/// committed.
///
/// For a process that must see every record of a topic itself, as each gateway instance follows every partition of
/// the results topic. ``KafkaConsumer/assign(_:)`` reads assigned partitions too, but through a group handle, and
/// librdkafka 2.0.2 can abort when such a consumer closes while its assignment is still being started
/// (`rd_kafka_cgrp_terminated: assert: !rd_kafka_assignment_in_progress`). This reader uses librdkafka's simple
/// consumer (`rd_kafka_consume_start_queue`), which has no group handle to terminate.
///
/// Messages arrive through ``batches(maxCount:)``, fetched by a poll thread into a bounded buffer; while the reader
/// is behind, the thread leaves messages in librdkafka's queue, whose limits stop the fetchers.
public final class KafkaPartitionReader: Sendable {
    private let core: PartitionReaderCore
    private let pollThread: PollThread

    /// Starts reading each partition of `offsets` at its offset (an absolute offset, or librdkafka's logical
    /// `RD_KAFKA_OFFSET_END` and kin). A group in `configuration` is ignored.
    public init(
        configuration: KafkaConfiguration,
        offsets: [KafkaTopicPartition: Int64],
        bufferCapacity: Int = 10_000,
        logger: Logger = Logger(label: "kinfer.kafka.reader")
    ) throws(KafkaError) {
        var configuration = configuration
        configuration.groupID = nil
        configuration.properties.removeValue(forKey: "group.id")
        let handle = try KafkaHandle(
            kind: RD_KAFKA_CONSUMER, configuration: configuration, defaults: KafkaConsumer.defaultProperties,
            forced: [("enable.auto.commit", "false"), ("enable.auto.offset.store", "false")],
            context: KafkaCallbackContext(logger: logger)
        )
        let core = try PartitionReaderCore(handle: handle, offsets: offsets, bufferCapacity: bufferCapacity)
        self.core = core
        self.pollThread = PollThread(name: "kafka-reader-poll", body: { core.pollOnce() }, finally: { core.stop() })
    }

    deinit {
        pollThread.stop()
    }

    /// The partitions being read.
    public var partitions: Set<KafkaTopicPartition> { Set(core.partitions.map(\.partition)) }

    /// The messages in batches of whatever has arrived, up to `maxCount`; read it from one task. Ends after
    /// ``close()``, or for a reader whose task is cancelled.
    public func batches(maxCount: Int = 1000) -> KafkaConsumerBatches {
        KafkaConsumerBatches(buffer: core.buffer, maxCount: maxCount)
    }

    /// Stops fetching and ends ``batches(maxCount:)`` once what is buffered has been read.
    public func close() async {
        pollThread.stop()
        rd_kafka_queue_yield(core.queue)
        await pollThread.join()
    }
}

/// The handle, queue and topic handles a ``KafkaPartitionReader``'s poll thread works on.
///
/// `@unchecked Sendable`: `slots` and `converter` are touched only by the poll thread; librdkafka's objects are
/// thread-safe, and the rest never changes after `init`.
private final class PartitionReaderCore: @unchecked Sendable {
    struct Started {
        let partition: KafkaTopicPartition
        let topic: OpaquePointer
    }

    let handle: KafkaHandle
    let queue: OpaquePointer
    let buffer: MessageBuffer
    let partitions: [Started]
    private let topics: [OpaquePointer]
    private let slotCount = 1024
    private let slots: UnsafeMutablePointer<UnsafeMutablePointer<rd_kafka_message_t>?>
    private var converter = ConsumedMessageConverter()

    init(handle: KafkaHandle, offsets: [KafkaTopicPartition: Int64], bufferCapacity: Int) throws(KafkaError) {
        self.handle = handle
        let queue = rd_kafka_queue_new(handle.pointer)!
        self.queue = queue
        let wakeable = ThreadSafePointer(pointer: queue)
        self.buffer = MessageBuffer(highWatermark: bufferCapacity) { rd_kafka_queue_yield(wakeable.pointer) }
        self.slots = .allocate(capacity: slotCount)
        var topics: [String: OpaquePointer] = [:]
        var started: [Started] = []
        do throws(KafkaError) {
            for (partition, offset) in offsets.sorted(by: { $0.key < $1.key }) {
                try KafkaTopicName.validate(partition.topic)
                let topic: OpaquePointer
                if let known = topics[partition.topic] {
                    topic = known
                } else {
                    topic = try Self.topicHandle(partition.topic, handle)
                    topics[partition.topic] = topic
                }
                guard rd_kafka_consume_start_queue(topic, partition.partition, offset, queue) == 0 else {
                    throw KafkaError(code: .consumer, rd_kafka_last_error(), context: "start reading \(partition)")
                }
                started.append(Started(partition: partition, topic: topic))
            }
        } catch {
            Self.stop(started, topics: Array(topics.values))
            slots.deallocate()
            rd_kafka_queue_destroy(queue)
            throw error
        }
        self.partitions = started
        self.topics = Array(topics.values)
    }

    deinit {
        slots.deallocate()
        rd_kafka_queue_destroy(queue)
    }

    private static func topicHandle(_ name: String, _ handle: KafkaHandle) throws(KafkaError) -> OpaquePointer {
        guard let topic = rd_kafka_topic_new(handle.pointer, name, nil) else {
            throw KafkaError(code: .consumer, rd_kafka_last_error(), context: "topic \(name)")
        }
        return topic
    }

    /// One turn of the poll thread: serve the handle's events, then take what has arrived unless the buffer is full.
    func pollOnce() {
        rd_kafka_poll(handle.pointer, 0)
        guard buffer.count < buffer.highWatermark else {
            buffer.waitForRoom(timeout: .milliseconds(100))
            return
        }
        // Wait for the first message only, then take what is already there (see ConsumerCore.pollOnce).
        let first = rd_kafka_consume_batch_queue(queue, 100, slots, 1)
        guard first > 0 else { return }
        let rest = rd_kafka_consume_batch_queue(queue, 0, slots + 1, slotCount - 1)
        _ = buffer.append(converter.take(slots, count: first + max(rest, 0), logger: handle.logger))
    }

    /// Stops every partition's fetcher and ends the buffer; on the poll thread, after its last turn.
    func stop() {
        Self.stop(partitions, topics: topics)
        buffer.finish()
    }

    private static func stop(_ started: [Started], topics: [OpaquePointer]) {
        for partition in started { rd_kafka_consume_stop(partition.topic, partition.partition.partition) }
        for topic in topics { rd_kafka_topic_destroy(topic) }
    }
}
