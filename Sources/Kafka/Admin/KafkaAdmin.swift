import CRdKafka
import Logging

/// Cluster administration: topics, metadata, watermarks, a group's committed offsets and its lag.
///
/// Every call blocks a dedicated thread, not the cooperative pool, and is bounded by its timeout.
public final class KafkaAdmin: Sendable {
    private let handle: KafkaHandle
    private let pollThread: PollThread

    public init(configuration: KafkaConfiguration, logger: Logger = Logger(label: "kinfer.kafka.admin")) throws(KafkaError) {
        let handle = try KafkaHandle(kind: RD_KAFKA_PRODUCER, configuration: configuration, context: KafkaCallbackContext(logger: logger))
        self.handle = handle
        // Serves librdkafka's error and log events for this handle.
        self.pollThread = PollThread(name: "kafka-admin-poll") { rd_kafka_poll(handle.pointer, 100) }
    }

    deinit {
        pollThread.stop()
    }

    /// Creates topics through Kafka's CreateTopics request. A topic that exists already counts as created,
    /// so the call is idempotent. The embedded cluster does not implement CreateTopics.
    public func createTopics(_ topics: [KafkaNewTopic], timeout: Duration = .seconds(30)) async throws(KafkaError) {
        for topic in topics { try KafkaTopicName.validate(topic.name) }
        let handle = self.handle
        try await runBlocking { () throws(KafkaError) in
            var requests: [OpaquePointer?] = []
            defer { for request in requests { rd_kafka_NewTopic_destroy(request) } }
            for topic in topics {
                var reason = [CChar](repeating: 0, count: 512)
                guard let request = rd_kafka_NewTopic_new(topic.name, Int32(topic.partitions), Int32(topic.replicationFactor), &reason, reason.count) else {
                    throw KafkaError(code: .admin, message: "topic \(topic.name): \(String(decoding: reason.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self))")
                }
                requests.append(request)
                for (name, value) in topic.configs.sorted(by: { $0.key < $1.key }) {
                    try KafkaError.check(rd_kafka_NewTopic_set_config(request, name, value), code: .admin, context: "topic \(topic.name) config \(name)")
                }
            }
            try Self.request("CreateTopics", handle, timeout: timeout, expecting: RD_KAFKA_EVENT_CREATETOPICS_RESULT, ignoring: RD_KAFKA_RESP_ERR_TOPIC_ALREADY_EXISTS) { options, queue in
                rd_kafka_CreateTopics(handle.pointer, &requests, requests.count, options, queue)
            } results: { event in
                var count = 0
                let results = rd_kafka_CreateTopics_result_topics(rd_kafka_event_CreateTopics_result(event), &count)
                return (results, count)
            }
        }
    }

    /// Deletes topics through Kafka's DeleteTopics request. A topic that does not exist counts as deleted.
    public func deleteTopics(_ names: [String], timeout: Duration = .seconds(30)) async throws(KafkaError) {
        let handle = self.handle
        try await runBlocking { () throws(KafkaError) in
            var requests: [OpaquePointer?] = names.map { rd_kafka_DeleteTopic_new($0) }
            defer { for request in requests { rd_kafka_DeleteTopic_destroy(request) } }
            try Self.request("DeleteTopics", handle, timeout: timeout, expecting: RD_KAFKA_EVENT_DELETETOPICS_RESULT, ignoring: RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART) { options, queue in
                rd_kafka_DeleteTopics(handle.pointer, &requests, requests.count, options, queue)
            } results: { event in
                var count = 0
                let results = rd_kafka_DeleteTopics_result_topics(rd_kafka_event_DeleteTopics_result(event), &count)
                return (results, count)
            }
        }
    }

    /// Describes `names` (or every topic when `nil`) from the cluster's metadata, without creating any.
    public func describeTopics(_ names: [String]? = nil, timeout: Duration = .seconds(10)) async throws(KafkaError) -> [KafkaTopicDescription] {
        let handle = self.handle
        return try await runBlocking { () throws(KafkaError) -> [KafkaTopicDescription] in
            var metadata: UnsafePointer<rd_kafka_metadata>?
            try KafkaError.check(rd_kafka_metadata(handle.pointer, 1, nil, &metadata, Int32(clamping: timeout.milliseconds)), code: .admin, context: "metadata")
            defer { rd_kafka_metadata_destroy(metadata) }
            guard let metadata else { return [] }
            let wanted = names.map(Set.init)
            return (0..<Int(metadata.pointee.topic_cnt)).compactMap { index -> KafkaTopicDescription? in
                let topic = metadata.pointee.topics[index]
                let name = String(cString: topic.topic)
                guard wanted?.contains(name) ?? true, topic.err == RD_KAFKA_RESP_ERR_NO_ERROR else { return nil }
                let partitions = (0..<Int(topic.partition_cnt)).map { p in
                    let partition = topic.partitions[p]
                    return KafkaTopicDescription.Partition(
                        id: partition.id,
                        leader: partition.leader,
                        replicas: Array(UnsafeBufferPointer(start: partition.replicas, count: Int(partition.replica_cnt))),
                        inSyncReplicas: Array(UnsafeBufferPointer(start: partition.isrs, count: Int(partition.isr_cnt)))
                    )
                }
                return KafkaTopicDescription(name: name, partitions: partitions.sorted { $0.id < $1.id })
            }
        }
    }

    /// The low and high watermarks (first retained offset, next offset to be written) of a partition.
    public func watermarks(of partition: KafkaTopicPartition, timeout: Duration = .seconds(10)) async throws(KafkaError) -> (low: Int64, high: Int64) {
        let handle = self.handle
        return try await runBlocking { () throws(KafkaError) -> (low: Int64, high: Int64) in
            var low: Int64 = 0
            var high: Int64 = 0
            let err = rd_kafka_query_watermark_offsets(handle.pointer, partition.topic, partition.partition, &low, &high, Int32(clamping: timeout.milliseconds))
            try KafkaError.check(err, code: .admin, context: "watermarks of \(partition)")
            return (low, high)
        }
    }

    /// The low and high watermarks of each of `partitions`, read one after another.
    public func watermarks(
        of partitions: [KafkaTopicPartition], timeout: Duration = .seconds(10)
    ) async throws(KafkaError) -> [KafkaTopicPartition: (low: Int64, high: Int64)] {
        var marks: [KafkaTopicPartition: (low: Int64, high: Int64)] = [:]
        for partition in partitions {
            marks[partition] = try await watermarks(of: partition, timeout: timeout)
        }
        return marks
    }

    /// The offsets `group` has committed for `partitions` (`nil` where it has none). Does not join the group.
    public func committedOffsets(group: String, partitions: [KafkaTopicPartition], timeout: Duration = .seconds(10)) async throws(KafkaError) -> [KafkaTopicPartition: Int64?] {
        let handle = self.handle
        return try await runBlocking { () throws(KafkaError) -> [KafkaTopicPartition: Int64?] in
            let list = TopicPartitionList.make(partitions)
            defer { rd_kafka_topic_partition_list_destroy(list) }
            var requests: [OpaquePointer?] = [rd_kafka_ListConsumerGroupOffsets_new(group, list)]
            defer { rd_kafka_ListConsumerGroupOffsets_destroy_array(&requests, 1) }
            let name = "committed offsets of group \(group)"
            return try Self.withResult(name, handle, timeout: timeout) { options, queue in
                rd_kafka_ListConsumerGroupOffsets(handle.pointer, &requests, 1, options, queue)
            } read: { event throws(KafkaError) -> [KafkaTopicPartition: Int64?] in
                var count = 0
                guard let groups = rd_kafka_ListConsumerGroupOffsets_result_groups(rd_kafka_event_ListConsumerGroupOffsets_result(event), &count),
                      count == 1, let result = groups[0]
                else {
                    throw KafkaError(code: .admin, message: "\(name): no result for the group")
                }
                if let error = rd_kafka_group_result_error(result) {
                    throw KafkaError(code: .admin, message: "\(name): \(String(cString: rd_kafka_error_string(error)))", librdkafkaCode: rd_kafka_error_code(error).rawValue)
                }
                guard let offsets = rd_kafka_group_result_partitions(result) else { return [:] }
                var committed: [KafkaTopicPartition: Int64?] = [:]
                for element in TopicPartitionList.elements(offsets) {
                    guard element.error == RD_KAFKA_RESP_ERR_NO_ERROR else {
                        throw KafkaError(code: .admin, element.error, context: "\(name), \(element.partition)")
                    }
                    committed[element.partition] = element.offset >= 0 ? element.offset : nil
                }
                return committed
            }
        }
    }

    /// A group's lag on every partition of `topics`: watermarks minus committed offsets, read now.
    public func consumerLag(group: String, topics: [String], timeout: Duration = .seconds(10)) async throws(KafkaError) -> [KafkaPartitionLag] {
        let partitions = try await describeTopics(topics, timeout: timeout).flatMap { topic in
            topic.partitions.map { KafkaTopicPartition(topic: topic.name, partition: $0.id) }
        }
        return try await consumerLag(group: group, partitions: partitions, timeout: timeout)
    }

    /// A group's lag on `partitions`: watermarks minus committed offsets, read now, in partition order.
    public func consumerLag(group: String, partitions: [KafkaTopicPartition], timeout: Duration = .seconds(10)) async throws(KafkaError) -> [KafkaPartitionLag] {
        guard !partitions.isEmpty else { return [] }
        let committed = try await committedOffsets(group: group, partitions: partitions, timeout: timeout)
        let marks = try await watermarks(of: partitions, timeout: timeout)
        return partitions.sorted().map { partition in
            KafkaPartitionLag(
                partition: partition, lowWatermark: marks[partition]!.low, highWatermark: marks[partition]!.high,
                committed: committed[partition] ?? nil
            )
        }
    }

    /// Sends one admin request and turns its per-topic results into a single error, if any.
    private static func request(
        _ name: String,
        _ handle: KafkaHandle,
        timeout: Duration,
        expecting kind: rd_kafka_event_type_t,
        ignoring acceptable: rd_kafka_resp_err_t,
        send: (OpaquePointer?, OpaquePointer?) -> Void,
        results: (OpaquePointer?) -> (UnsafeMutablePointer<OpaquePointer?>?, Int)
    ) throws(KafkaError) {
        try withResult(name, handle, timeout: timeout, send: send) { event throws(KafkaError) in
            guard rd_kafka_event_type(event) == kind else { return }
            let (list, count) = results(event)
            let failures = (0..<count).compactMap { index -> String? in
                guard let result = list?[index] else { return nil }
                let code = rd_kafka_topic_result_error(result)
                guard code != RD_KAFKA_RESP_ERR_NO_ERROR, code != acceptable else { return nil }
                let message = rd_kafka_topic_result_error_string(result).map { String(cString: $0) } ?? String(cString: rd_kafka_err2str(code))
                return "\(String(cString: rd_kafka_topic_result_name(result))): \(message)"
            }
            guard failures.isEmpty else {
                throw KafkaError(code: .admin, message: failures.joined(separator: "; "))
            }
        }
    }

    /// Sends one admin request on a queue of its own, waits for its result event (bounded by `timeout`), turns a
    /// request-level error into a `KafkaError`, and hands the event to `read`.
    private static func withResult<Result>(
        _ name: String,
        _ handle: KafkaHandle,
        timeout: Duration,
        send: (OpaquePointer?, OpaquePointer?) -> Void,
        read: (OpaquePointer?) throws(KafkaError) -> Result
    ) throws(KafkaError) -> Result {
        let queue = rd_kafka_queue_new(handle.pointer)
        defer { rd_kafka_queue_destroy(queue) }
        let options = rd_kafka_AdminOptions_new(handle.pointer, RD_KAFKA_ADMIN_OP_ANY)
        defer { rd_kafka_AdminOptions_destroy(options) }
        var reason = [CChar](repeating: 0, count: 512)
        _ = rd_kafka_AdminOptions_set_request_timeout(options, Int32(clamping: timeout.milliseconds), &reason, reason.count)
        _ = rd_kafka_AdminOptions_set_operation_timeout(options, Int32(clamping: timeout.milliseconds), &reason, reason.count)
        send(options, queue)
        guard let event = rd_kafka_queue_poll(queue, Int32(clamping: timeout.milliseconds + 1000)) else {
            throw KafkaError(code: .timedOut, message: "\(name): no answer within \(timeout)")
        }
        defer { rd_kafka_event_destroy(event) }
        let err = rd_kafka_event_error(event)
        guard err == RD_KAFKA_RESP_ERR_NO_ERROR else {
            // The event's own string already ends with librdkafka's text for `err` ("Failed while waiting for
            // controller: Local: Timed out"); name the request instead of repeating that text.
            let detail = rd_kafka_event_error_string(event).map { String(cString: $0) } ?? String(cString: rd_kafka_err2str(err))
            throw KafkaError(code: KafkaError(code: .admin, err).code, message: "\(name): \(detail)", librdkafkaCode: err.rawValue)
        }
        return try read(event)
    }
}
