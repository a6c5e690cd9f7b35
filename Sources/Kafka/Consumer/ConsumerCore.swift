import CRdKafka
import Logging
import Synchronization

/// A consumer's handle and the state its poll thread works on.
///
/// Back-pressure has two stages. When the buffer is full, the poll thread first stops taking
/// messages and waits for room: librdkafka keeps what it prefetched and stops fetching at its own
/// queue limits (`queued.min.messages`, `queued.max.messages.kbytes`). Only if the reader stays behind
/// for `Options.pauseDelay` does it pause the partitions and go back to polling, so that rebalances
/// and the poll interval are served during a long stall. Pausing is the costly stage, hence the delay:
/// a pause drops prefetched messages, and librdkafka 2.0.2 does not wake its fetchers on resume, so
/// fetching restarts up to a second later (the broker threads' idle wait).
///
/// `@unchecked Sendable`: `slots`, `converter`, `backPressure` and `pausedByBackPressure` are touched only by the poll thread
/// (including the rebalance callback, which librdkafka runs on it); everything else is locked or atomic.
final class ConsumerCore: @unchecked Sendable {
    let handle: KafkaHandle
    let queue: OpaquePointer
    let buffer: MessageBuffer
    let assigned = Mutex<Set<KafkaTopicPartition>>([])
    let userPaused = Mutex<Set<KafkaTopicPartition>>([])
    let rebalances = Atomic<Int>(0)
    /// An assignment (possibly empty) is in force: set by every assign, cleared by a revoke that leaves nothing.
    let inGroup = Atomic<Bool>(false)
    private let backPressuredCount = Atomic<Int>(0)
    private let options: KafkaConsumer.Options
    private let listener: (any KafkaRebalanceListener)?
    private let slotCount = 1024
    private let slots: UnsafeMutablePointer<UnsafeMutablePointer<rd_kafka_message_t>?>
    private var backPressure: FetchBackPressure
    /// The partitions back-pressure paused, and only those: resuming a partition that is not paused still
    /// drops what librdkafka prefetched for it.
    private var pausedByBackPressure: Set<KafkaTopicPartition> = []
    private var converter = ConsumedMessageConverter()

    init(handle: KafkaHandle, options: KafkaConsumer.Options, listener: (any KafkaRebalanceListener)?) {
        rd_kafka_poll_set_consumer(handle.pointer)
        let queue = rd_kafka_queue_get_consumer(handle.pointer)!
        self.handle = handle
        self.queue = queue
        self.options = options
        self.listener = listener
        let wakeable = ThreadSafePointer(pointer: queue)
        let buffer = MessageBuffer(highWatermark: options.bufferCapacity) { rd_kafka_queue_yield(wakeable.pointer) }
        self.buffer = buffer
        self.backPressure = FetchBackPressure(
            pauseDelay: options.pauseDelay, lowWatermark: buffer.lowWatermark, highWatermark: buffer.highWatermark
        )
        self.slots = .allocate(capacity: slotCount)
    }

    deinit {
        slots.deallocate()
        rd_kafka_queue_destroy(queue)
    }

    var pausedCount: Int {
        userPaused.withLock { $0.count } + backPressuredCount.load(ordering: .relaxed)
    }

    /// One turn of the poll thread: serve callbacks, take up to a batch of messages, apply back-pressure.
    func pollOnce() {
        applyBackPressure()
        if let since = backPressure.holdingSince {
            // Holding: librdkafka keeps the messages; wait (bounded, so that a stop is seen) for the reader.
            buffer.waitForRoom(timeout: min(Self.holdTurn, options.pauseDelay - (ContinuousClock.now - since)))
            if buffer.count >= buffer.highWatermark { serveRebalanceWhileHolding() }
            return
        }
        // consume_batch_queue waits until the batch is full or the timeout passes, so a thin flow would wait
        // the whole timeout on every call: wait for the first message only, then take what is already there.
        let first = rd_kafka_consume_batch_queue(queue, 100, slots, 1)
        guard first > 0 else { return }
        let rest = rd_kafka_consume_batch_queue(queue, 0, slots + 1, slotCount - 1)
        deliver(first + max(rest, 0))
    }

    /// How long one turn of the hold waits for room before looking for a rebalance.
    private static let holdTurn = Duration.milliseconds(50)

    /// Serves a rebalance that librdkafka queued while the buffer is full, so that it waits one hold turn,
    /// not `pauseDelay`: a revoke is where the owner commits, and every member of the group waits for it.
    /// librdkafka pauses (and so outdates) the partitions' fetched messages before it queues a rebalance,
    /// so one poll reaches it. Without one, the poll takes at most one message over the high watermark:
    /// at most `pauseDelay / holdTurn` per hold.
    private func serveRebalanceWhileHolding() {
        deliver(rd_kafka_consume_batch_queue(queue, 0, slots, 1))
    }

    /// Converts and buffers the `received` messages in `slots`, logging and dropping error events.
    private func deliver(_ received: Int) {
        guard received > 0 else { return }
        _ = buffer.append(converter.take(slots, count: received, logger: handle.logger))
    }

    /// Leaves the group from the poll thread: librdkafka runs the final revoke here.
    func closeInPollThread() {
        let err = rd_kafka_consumer_close(handle.pointer)
        if err != RD_KAFKA_RESP_ERR_NO_ERROR {
            handle.logger.warning("consumer close: \(String(cString: rd_kafka_err2str(err)))")
        }
        assigned.withLock { $0.removeAll() }
        buffer.finish()
    }

    /// Carries out ``FetchBackPressure``'s decision for the buffer's fill now.
    private func applyBackPressure() {
        switch backPressure.next(buffered: buffer.count, now: .now) {
        case .none:
            break
        case .pause:
            pauseForBackPressure(backPressurePartitions())
        case .resume:
            try? setPaused(Array(pausedByBackPressure), paused: false)
            pausedByBackPressure = []
            backPressuredCount.store(0, ordering: .relaxed)
        }
    }

    private func pauseForBackPressure(_ partitions: [KafkaTopicPartition]) {
        try? setPaused(partitions, paused: true)
        pausedByBackPressure.formUnion(partitions)
        backPressuredCount.store(pausedByBackPressure.count, ordering: .relaxed)
    }

    private func backPressurePartitions() -> [KafkaTopicPartition] {
        let excluded = userPaused.withLock { $0 }
        return assigned.withLock { $0 }.filter { !excluded.contains($0) }
    }

    func setPaused(_ partitions: [KafkaTopicPartition], paused: Bool) throws(KafkaError) {
        guard !partitions.isEmpty else { return }
        try TopicPartitionList.withList(Dictionary(partitions.map { ($0, 0) }, uniquingKeysWith: { a, _ in a })) { list throws(KafkaError) in
            let err = paused ? rd_kafka_pause_partitions(handle.pointer, list) : rd_kafka_resume_partitions(handle.pointer, list)
            try KafkaError.check(err, code: .consumer, context: paused ? "pause" : "resume")
        }
    }

    /// Carries out a rebalance on the poll thread, telling the listener first on revoke and after on assign.
    func rebalance(_ request: RebalanceRequest) {
        rebalances.add(1, ordering: .relaxed)
        let list = UnsafeMutablePointer<rd_kafka_topic_partition_list_t>(request.partitions)
        let partitions = TopicPartitionList.partitions(list)
        let cooperative = String(cString: rd_kafka_rebalance_protocol(request.handle)) == "COOPERATIVE"
        switch request.kind {
        case .assign:
            if cooperative {
                if let error = rd_kafka_incremental_assign(request.handle, list) {
                    handle.logger.error("\(KafkaError(code: .consumer, consuming: error, context: "incremental assign"))")
                }
            } else {
                rd_kafka_assign(request.handle, list)
            }
            assigned.withLock { $0.formUnion(partitions) }
            inGroup.store(true, ordering: .relaxed)
            if backPressure.pausesNewPartitions(buffered: buffer.count) { pauseForBackPressure(partitions) }
            handle.logger.info("partitions assigned", metadata: ["partitions": "\(partitions.sorted())"])
            listener?.partitionsAssigned(partitions)
        case .revoke:
            let revoked = Set(partitions)
            buffer.removeAll(in: revoked)
            handle.logger.info("partitions revoked", metadata: ["partitions": "\(partitions.sorted())"])
            listener?.partitionsRevoked(partitions)
            // librdkafka keeps an application pause across reassignment (the rebalance holds its own pause until
            // then): resume, or a partition assigned here again would stay paused with nobody to resume it.
            try? setPaused(Array(pausedByBackPressure.intersection(revoked)), paused: false)
            pausedByBackPressure.subtract(revoked)
            backPressuredCount.store(pausedByBackPressure.count, ordering: .relaxed)
            if rd_kafka_assignment_lost(request.handle) == 0 {
                let err = rd_kafka_commit(request.handle, nil, 0)
                if err != RD_KAFKA_RESP_ERR_NO_ERROR && err != RD_KAFKA_RESP_ERR__NO_OFFSET {
                    handle.logger.warning("commit on revoke: \(String(cString: rd_kafka_err2str(err)))")
                }
            }
            if cooperative {
                if let error = rd_kafka_incremental_unassign(request.handle, list) {
                    handle.logger.error("\(KafkaError(code: .consumer, consuming: error, context: "incremental unassign"))")
                }
            } else {
                rd_kafka_assign(request.handle, nil)
            }
            let remaining = assigned.withLock { $0.subtract(revoked); return $0.count }
            if remaining == 0 { inGroup.store(false, ordering: .relaxed) }
        }
    }
}
