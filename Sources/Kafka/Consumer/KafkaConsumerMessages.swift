/// A consumer's messages one at a time, in the order librdkafka delivers them (per partition, by offset).
///
/// Ends when the consumer is closed; throws when the consumer fails fatally.
public struct KafkaConsumerMessages: AsyncSequence, Sendable {
    public typealias Element = KafkaConsumerMessage
    public typealias Failure = KafkaError
    let buffer: MessageBuffer

    public struct AsyncIterator: AsyncIteratorProtocol {
        let buffer: MessageBuffer
        var pending: [KafkaConsumerMessage] = []
        var index = 0

        public mutating func next() async throws(KafkaError) -> KafkaConsumerMessage? {
            try await next(isolation: nil)
        }

        /// Runs in the caller's isolation: without it, `for await` on an actor (the main actor included)
        /// would hop to the global executor and back for every message, which cost more than the message.
        public mutating func next(isolation actor: isolated (any Actor)?) async throws(KafkaError) -> KafkaConsumerMessage? {
            if index == pending.count {
                guard let batch = try await buffer.next(maxCount: 1024, isolation: actor) else { return nil }
                pending = batch
                index = 0
            }
            defer { index += 1 }
            return pending[index]
        }
    }

    public func makeAsyncIterator() -> AsyncIterator {
        AsyncIterator(buffer: buffer)
    }
}

/// A consumer's messages in batches of whatever has arrived, up to a size: the fast way to consume.
public struct KafkaConsumerBatches: AsyncSequence, Sendable {
    public typealias Element = [KafkaConsumerMessage]
    public typealias Failure = KafkaError
    let buffer: MessageBuffer
    let maxCount: Int

    public struct AsyncIterator: AsyncIteratorProtocol {
        let buffer: MessageBuffer
        let maxCount: Int

        public mutating func next() async throws(KafkaError) -> [KafkaConsumerMessage]? {
            try await buffer.next(maxCount: maxCount, isolation: nil)
        }

        /// Runs in the caller's isolation, so that a batch already buffered costs no executor hop.
        public mutating func next(isolation actor: isolated (any Actor)?) async throws(KafkaError) -> [KafkaConsumerMessage]? {
            try await buffer.next(maxCount: maxCount, isolation: actor)
        }
    }

    public func makeAsyncIterator() -> AsyncIterator {
        AsyncIterator(buffer: buffer, maxCount: maxCount)
    }
}
