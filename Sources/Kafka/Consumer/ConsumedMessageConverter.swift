import CRdKafka
import Logging

/// Turns the messages a poll took from librdkafka into ``KafkaConsumerMessage``s, destroying librdkafka's.
///
/// Error events among them (other than partition EOF) are logged and dropped. Keeps the last topic handle and its
/// name: batches are mostly of one topic, so names are not rebuilt per message. Used by one poll thread.
struct ConsumedMessageConverter {
    private var lastTopicHandle: OpaquePointer?
    private var lastTopicName = ""

    /// Converts and destroys the first `count` messages of `slots`.
    mutating func take(
        _ slots: UnsafeMutablePointer<UnsafeMutablePointer<rd_kafka_message_t>?>, count: Int, logger: Logger
    ) -> [KafkaConsumerMessage] {
        var messages: [UnsafePointer<rd_kafka_message_t>] = []
        messages.reserveCapacity(count)
        for index in 0..<count {
            let message = slots[index]!
            if message.pointee.err == RD_KAFKA_RESP_ERR_NO_ERROR {
                messages.append(UnsafePointer(message))
            } else if message.pointee.err != RD_KAFKA_RESP_ERR__PARTITION_EOF {
                let text = String(cString: rd_kafka_err2str(message.pointee.err))
                logger.warning("consumer error: \(text)", metadata: ["partition": "\(message.pointee.partition)"])
            }
        }
        let copies = KafkaMessageBytes.copying(messages)
        var batch: [KafkaConsumerMessage] = []
        batch.reserveCapacity(messages.count)
        for (message, bytes) in zip(messages, copies) {
            batch.append(KafkaConsumerMessage(copying: message, topic: topicName(message.pointee.rkt), bytes: bytes))
        }
        for index in 0..<count { rd_kafka_message_destroy(slots[index]) }
        return batch
    }

    private mutating func topicName(_ topic: OpaquePointer?) -> String {
        guard let topic else { return "" }
        if topic != lastTopicHandle {
            lastTopicHandle = topic
            lastTopicName = String(cString: rd_kafka_topic_name(topic))
        }
        return lastTopicName
    }
}
