import Kafka
import Logging
import Metrics

/// Commits the offsets the sink has stored, beside the writes instead of between them.
///
/// The sink stores a batch's offsets only after the batch's database commit, and then asks for a commit here; the
/// next batch's write starts at once instead of waiting for the broker's answer. A commit sends whatever is
/// stored when it starts, so requests made while one is in flight collapse into the next one, and what is committed
/// is never ahead of what is stored, hence never ahead of the database.
final class OffsetCommitter: Sendable {
    private let consumer: KafkaConsumer
    private let failures: Counter
    private let logger: Logger
    private let requests: AsyncStream<Void>
    private let continuation: AsyncStream<Void>.Continuation

    init(consumer: KafkaConsumer, failures: Counter, logger: Logger) {
        self.consumer = consumer
        self.failures = failures
        self.logger = logger
        (requests, continuation) = AsyncStream.makeStream(bufferingPolicy: .bufferingNewest(1))
    }

    /// Asks for a commit of everything stored so far.
    func request() {
        continuation.yield()
    }

    /// Ends ``run()`` once the last request has been served.
    func finish() {
        continuation.finish()
    }

    /// Serves requests, one commit at a time, until ``finish()``.
    func run() async {
        for await _ in requests {
            do {
                try await consumer.commit()
            } catch {
                failures.increment()
                logger.warning("offset commit failed; the next one covers these offsets: \(error)")
            }
        }
    }
}
