import CRdKafka
import Logging
import Synchronization

/// A member of a consumer group, with offsets under the application's control.
///
/// Messages arrive through ``messages`` or ``batches``. librdkafka never stores an offset on its
/// own (`enable.auto.offset.store=false` is forced): an offset advances only when the application
/// calls ``storeOffsets(_:)`` after finishing a message, and stored offsets are committed by
/// ``commit()``, by librdkafka's periodic auto-commit when enabled, on revoke, and on close.
///
/// A dedicated poll thread fetches in batches into a bounded buffer. When the reader falls
/// behind, the buffer reaches its high watermark and the thread stops taking messages, leaving them
/// in librdkafka's queue; if the reader is still behind after ``Options/pauseDelay``, it pauses the
/// assigned partitions, still polling so the group never sees a missed poll, and resumes them below
/// the low watermark.
public final class KafkaConsumer: Sendable {
    /// Consumer settings that are not librdkafka properties.
    public struct Options: Sendable {
        /// Messages held between the poll thread and the reader before fetching pauses. Defaults to `10_000`.
        public var bufferCapacity: Int = 10_000
        /// How long a full buffer leaves messages waiting in librdkafka's queue before the partitions are
        /// paused. Shorter stalls cost nothing; a pause drops prefetched messages and, on librdkafka 2.0.2,
        /// delays fetching by up to a second after the resume. Rebalance callbacks wait at most this long
        /// while the buffer is full. Defaults to `1` second.
        public var pauseDelay: Duration = .seconds(1)

        public init() {}
    }

    /// librdkafka properties a consumer sets unless its configuration sets them itself.
    ///
    /// `queued.min.messages`: once librdkafka 2.0.2's queue holds this many messages, its fetchers stop
    /// and are not woken when the queue drains: they wait a fixed second (`fetch.queue.backoff.ms` came
    /// in 2.1). At librdkafka's 100,000 a reader slower than the fetcher empties the queue long before
    /// that second ends and sits idle (`docs/benchmarks.md`). At 1,000,000 the queue is bounded by
    /// `queued.max.messages.kbytes` instead for any message but the smallest, and holds about a second of reading.
    public static let defaultProperties: [(name: String, value: String)] = [("queued.min.messages", "1000000")]

    private let core: ConsumerCore
    private let pollThread: PollThread

    /// The message stream; read it from one task.
    public var messages: KafkaConsumerMessages { KafkaConsumerMessages(buffer: core.buffer) }

    /// The message stream in batches of up to `maxCount`; read it from one task.
    public func batches(maxCount: Int = 1000) -> KafkaConsumerBatches {
        KafkaConsumerBatches(buffer: core.buffer, maxCount: maxCount)
    }

    /// Makes a consumer; requires `groupID`. Fails with librdkafka's message on a bad property.
    public init(
        configuration: KafkaConfiguration,
        options: Options = Options(),
        rebalanceListener: (any KafkaRebalanceListener)? = nil,
        logger: Logger = Logger(label: "kinfer.kafka.consumer"),
        onStatistics: (@Sendable (KafkaStatistics) -> Void)? = nil
    ) throws(KafkaError) {
        guard configuration.groupID != nil || configuration.properties["group.id"] != nil else {
            throw KafkaError(code: .configuration, message: "a consumer needs a group id (group.id)")
        }
        let rebalance = RebalanceRelay()
        let context = KafkaCallbackContext(logger: logger, statistics: onStatistics, rebalance: { rebalance.handle($0) })
        let handle = try KafkaHandle(
            kind: RD_KAFKA_CONSUMER, configuration: configuration,
            defaults: Self.defaultProperties, forced: [("enable.auto.offset.store", "false")], context: context
        )
        let core = ConsumerCore(handle: handle, options: options, listener: rebalanceListener)
        rebalance.connect(core)
        self.core = core
        self.pollThread = PollThread(name: "kafka-consumer-poll", body: { core.pollOnce() }, finally: { core.closeInPollThread() })
    }

    deinit {
        pollThread.stop()
    }

    /// Joins the group for `topics`; partitions arrive through rebalances.
    public func subscribe(topics: [String]) throws(KafkaError) {
        for topic in topics { try KafkaTopicName.validate(topic) }
        try TopicPartitionList.withList(Dictionary(topics.map { (KafkaTopicPartition(topic: $0, partition: RD_KAFKA_PARTITION_UA), 0) }, uniquingKeysWith: { a, _ in a })) { list throws(KafkaError) in
            try KafkaError.check(rd_kafka_subscribe(core.handle.pointer, list), code: .consumer, context: "subscribe to \(topics)")
        }
    }

    /// Reads the given partitions from the given offsets without joining a group's rebalances
    /// (`rd_kafka_assign`); for tools that inspect a topic, e.g. from the low to the high watermark (`KafkaAdmin.watermarks`).
    public func assign(_ offsets: [KafkaTopicPartition: Int64]) throws(KafkaError) {
        try TopicPartitionList.withList(offsets) { list throws(KafkaError) in
            try KafkaError.check(rd_kafka_assign(core.handle.pointer, list), code: .consumer, context: "assign")
        }
        core.assigned.withLock { $0 = Set(offsets.keys) }
    }

    /// Records that everything before each given offset is done: the value is the next offset to read.
    ///
    /// Partitions no longer assigned are skipped (their next owner reads them again); that is
    /// expected during rebalances and not an error.
    public func storeOffsets(_ nextOffsets: [KafkaTopicPartition: Int64]) throws(KafkaError) {
        guard !nextOffsets.isEmpty else { return }
        try TopicPartitionList.withList(nextOffsets) { list throws(KafkaError) in
            let err = rd_kafka_offsets_store(core.handle.pointer, list)
            guard err == RD_KAFKA_RESP_ERR_NO_ERROR || err == RD_KAFKA_RESP_ERR__STATE else {
                throw KafkaError(code: .commit, err, context: "store offsets")
            }
        }
    }

    /// Commits the stored offsets and waits for the broker's answer. Nothing stored is not an error.
    public func commit() async throws(KafkaError) {
        let handle = core.handle
        let err = await runBlocking { rd_kafka_commit(handle.pointer, nil, 0) }
        guard err == RD_KAFKA_RESP_ERR_NO_ERROR || err == RD_KAFKA_RESP_ERR__NO_OFFSET else {
            throw KafkaError(code: .commit, err, context: "commit")
        }
    }

    /// Commits the stored offsets without waiting for the broker's answer, and without holding a thread for it: the
    /// answer is served on the poll thread, which calls `onFailure` if the commit failed. For periodic commits, whose
    /// next one covers what a failed one did not; a final commit before closing should await ``commit()``.
    /// Nothing stored is not a failure.
    public func commitInBackground(onFailure: @escaping @Sendable (KafkaError) -> Void) {
        KafkaCallbackBridge.commit(core.handle.pointer, answeredOn: core.queue) { err in
            guard err != RD_KAFKA_RESP_ERR_NO_ERROR, err != RD_KAFKA_RESP_ERR__NO_OFFSET else { return }
            onFailure(KafkaError(code: .commit, err, context: "commit"))
        }
    }

    /// The committed offsets of `partitions` for this consumer's group (`-1001` where none).
    public func committed(_ partitions: [KafkaTopicPartition], timeout: Duration = .seconds(10)) async throws(KafkaError) -> [KafkaTopicPartition: Int64] {
        let handle = core.handle
        return try await runBlocking { () throws(KafkaError) -> [KafkaTopicPartition: Int64] in
            let list = TopicPartitionList.make(partitions)
            defer { rd_kafka_topic_partition_list_destroy(list) }
            try KafkaError.check(rd_kafka_committed(handle.pointer, list, Int32(clamping: timeout.milliseconds)), code: .consumer, context: "committed offsets")
            return Dictionary(TopicPartitionList.elements(list).map { ($0.partition, $0.offset) }, uniquingKeysWith: { a, _ in a })
        }
    }

    /// The partitions currently assigned to this consumer.
    public var assignment: Set<KafkaTopicPartition> {
        core.assigned.withLock { $0 }
    }

    /// Whether the group has given this consumer an assignment that is still in force, even an empty one (a member
    /// of a group with more members than partitions is idle but joined). `false` before the first assignment,
    /// while a rebalance has taken everything away, and after ``close()``.
    public var hasJoinedGroup: Bool {
        core.inGroup.load(ordering: .relaxed)
    }

    /// Partitions paused by ``pause(_:)`` or by back-pressure.
    public var pausedPartitionCount: Int {
        core.pausedCount
    }

    /// Messages taken from librdkafka and not yet read; at ``Options/bufferCapacity`` the poll thread holds off.
    public var bufferedMessageCount: Int {
        core.buffer.count
    }

    /// Stops fetching `partitions` until ``resume(_:)``; back-pressure never resumes them.
    public func pause(_ partitions: [KafkaTopicPartition]) throws(KafkaError) {
        core.userPaused.withLock { $0.formUnion(partitions) }
        try core.setPaused(partitions, paused: true)
    }

    public func resume(_ partitions: [KafkaTopicPartition]) throws(KafkaError) {
        core.userPaused.withLock { $0.subtract(partitions) }
        try core.setPaused(partitions, paused: false)
    }

    /// Leaves the group: the revoke runs (listener, then a synchronous commit of stored offsets),
    /// the message sequences end, and the poll thread stops.
    public func close() async {
        pollThread.stop()
        rd_kafka_queue_yield(core.queue)
        await pollThread.join()
        core.inGroup.store(false, ordering: .relaxed)
    }
}

/// Carries the rebalance callback to the core, which exists only after the handle is made.
/// Holds the core weakly: the core owns the handle, whose context owns this relay.
private final class RebalanceRelay: Sendable {
    private struct WeakCore: @unchecked Sendable {
        weak var core: ConsumerCore?
    }
    private let target = Mutex(WeakCore())

    func connect(_ core: ConsumerCore) {
        target.withLock { $0.core = core }
    }

    func handle(_ request: RebalanceRequest) {
        target.withLock { $0.core }?.rebalance(request)
    }
}
